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
