//! Property ids this reader interprets ([MS-OXPROPS]). Everything else is kept by tag.

pub const MESSAGE_CLASS: u16 = 0x001A;
/// PidTagPstPassword on the message store: the CRC-32 of the store's password, 0 or absent
/// when it has none ([MS-PST] 2.4.3; Outlook asks for the password before opening the file).
/// Personal stores only: offline stores use the id for something else.
pub const PST_PASSWORD: u16 = 0x67FF;
pub const SUBJECT: u16 = 0x0037;
pub const IMPORTANCE: u16 = 0x0017;
pub const HAS_ATTACHMENTS: u16 = 0x0E1B;
pub const RTF_IN_SYNC: u16 = 0x0E1F;
pub const SENSITIVITY: u16 = 0x0036;
pub const CLIENT_SUBMIT_TIME: u16 = 0x0039;
pub const SENT_REPRESENTING_NAME: u16 = 0x0042;
pub const CONVERSATION_TOPIC: u16 = 0x0070;
pub const TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
pub const RECIPIENT_TYPE: u16 = 0x0C15;
pub const SENDER_NAME: u16 = 0x0C1A;
pub const SENDER_ADDRESS_TYPE: u16 = 0x0C1E;
pub const SENDER_EMAIL_ADDRESS: u16 = 0x0C1F;
pub const SENDER_SMTP_ADDRESS: u16 = 0x5D01;
pub const DISPLAY_BCC: u16 = 0x0E02;
pub const DISPLAY_CC: u16 = 0x0E03;
pub const DISPLAY_TO: u16 = 0x0E04;
pub const MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
pub const MESSAGE_FLAGS: u16 = 0x0E07;
pub const MESSAGE_SIZE: u16 = 0x0E08;
pub const ATTACH_SIZE: u16 = 0x0E20;
pub const RECORD_KEY: u16 = 0x0FF9;
pub const BODY: u16 = 0x1000;
pub const RTF_COMPRESSED: u16 = 0x1009;
pub const HTML: u16 = 0x1013;
pub const INTERNET_MESSAGE_ID: u16 = 0x1035;
pub const DISPLAY_NAME: u16 = 0x3001;
pub const ADDRESS_TYPE: u16 = 0x3002;
pub const EMAIL_ADDRESS: u16 = 0x3003;
pub const CREATION_TIME: u16 = 0x3007;
pub const LAST_MODIFICATION_TIME: u16 = 0x3008;
pub const CONTENT_COUNT: u16 = 0x3602;
/// PidTagAssociatedContentCount: the folder's associated (hidden) items.
pub const ASSOC_CONTENT_COUNT: u16 = 0x3617;
pub const CONTENT_UNREAD_COUNT: u16 = 0x3603;
pub const SUBFOLDERS: u16 = 0x360A;
pub const CONTAINER_CLASS: u16 = 0x3613;
pub const ATTACH_DATA: u16 = 0x3701;
pub const ATTACH_FILENAME: u16 = 0x3704;
pub const RENDERING_POSITION: u16 = 0x370B;
pub const ATTACH_METHOD: u16 = 0x3705;
pub const ATTACH_LONG_FILENAME: u16 = 0x3707;
pub const ATTACH_MIME_TAG: u16 = 0x370E;
pub const INTERNET_CODEPAGE: u16 = 0x3FDE;
pub const SMTP_ADDRESS: u16 = 0x39FE;
pub const MAILBOX_OWNER_ENTRY_ID: u16 = 0x661B;
pub const MAILBOX_OWNER_NAME: u16 = 0x661C;
pub const LTP_ROW_ID: u16 = 0x67F2;
pub const LTP_ROW_VERSION: u16 = 0x67F3;
pub const IPM_SUBTREE_ENTRY_ID: u16 = 0x35E0;
pub const IPM_WASTEBASKET_ENTRY_ID: u16 = 0x35E3;
pub const FINDER_ENTRY_ID: u16 = 0x35E7;
/// Undocumented; offline stores written by Outlook 2013+ keep a per-folder blob here that
/// names the mailbox's Exchange address. Read only to find that address.
pub const REPLICATION_DATA: u16 = 0x6614;

// The name-to-id map's own properties ([MS-PST] 2.4.7): its bucket count, its three
// streams, and the first of its hash buckets.
pub const NAMEID_BUCKET_COUNT: u16 = 0x0001;
pub const NAMEID_STREAM_GUID: u16 = 0x0002;
pub const NAMEID_STREAM_ENTRY: u16 = 0x0003;
pub const NAMEID_STREAM_STRING: u16 = 0x0004;
pub const NAMEID_FIRST_BUCKET: u16 = 0x1000;

// Further columns of the tables a store writes ([MS-PST] 2.4.4.4 to 2.4.4.6, 2.4.5.2,
// 2.4.6.1): the replication columns, the counts of hidden items, the search columns, the
// recipient row's address-book columns and the folder-associated table's view columns.
pub const MESSAGE_TO_ME: u16 = 0x0057;
pub const MESSAGE_CC_ME: u16 = 0x0058;
pub const SENT_REPRESENTING_ADDRESS_TYPE: u16 = 0x0064;
pub const SENT_REPRESENTING_EMAIL_ADDRESS: u16 = 0x0065;
pub const PARENT_DISPLAY: u16 = 0x0E05;
pub const RESPONSIBILITY: u16 = 0x0E0F;
pub const MESSAGE_STATUS: u16 = 0x0E17;
pub const EXCHANGE_REMOTE_HEADER: u16 = 0x0E2A;
pub const REPL_ITEM_ID: u16 = 0x0E30;
pub const REPL_CHANGE_NUMBER: u16 = 0x0E33;
pub const REPL_VERSION_HISTORY: u16 = 0x0E34;
pub const REPL_FLAGS: u16 = 0x0E38;
pub const OBJECT_TYPE: u16 = 0x0FFE;
pub const ENTRY_ID: u16 = 0x0FFF;
pub const SEARCH_KEY: u16 = 0x300B;
/// PidTagValidFolderMask on the message store: which of its special folders exist.
pub const VALID_FOLDER_MASK: u16 = 0x35DF;
pub const DISPLAY_TYPE: u16 = 0x3900;
pub const DISPLAY_NAME_PRINTABLE: u16 = 0x39FF;
pub const SEND_RICH_INFO: u16 = 0x3A40;
pub const PST_HIDDEN_COUNT: u16 = 0x6635;
pub const PST_HIDDEN_UNREAD: u16 = 0x6636;
pub const LTP_PARENT_NID: u16 = 0x67F1;
pub const OFFLINE_ADDRESS_BOOK_NAME: u16 = 0x6800;
pub const SEND_OUTLOOK_RECALL_REPORT: u16 = 0x6803;
pub const OFFLINE_ADDRESS_BOOK_TRUNCATED_PROPERTIES: u16 = 0x6805;
/// A string column Outlook's folder-associated contents template carries beside the
/// offline address book's; read and written as it is, never interpreted.
pub const FAI_TEMPLATE_STRING: u16 = 0x682F;
pub const VIEW_DESCRIPTOR_FLAGS: u16 = 0x7003;
pub const VIEW_DESCRIPTOR_LINK_TO: u16 = 0x7004;
pub const VIEW_DESCRIPTOR_VIEW_FOLDER: u16 = 0x7005;
pub const VIEW_DESCRIPTOR_NAME: u16 = 0x7006;
pub const VIEW_DESCRIPTOR_VERSION: u16 = 0x7007;

/// A property tag as a table column holds it: the id in the high 16 bits, the type in the
/// low 16 ([MS-PST] 2.3.4.2, TCOLDESC).
pub const fn tag(id: u16, ptype: u16) -> u32 {
    ((id as u32) << 16) | ptype as u32
}

/// The id half of a column's tag.
pub const fn tag_id(tag: u32) -> u16 {
    (tag >> 16) as u16
}

/// The type half of a column's tag.
pub const fn tag_type(tag: u32) -> u16 {
    (tag & 0xFFFF) as u16
}
