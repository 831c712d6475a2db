//! The columns of every table a new store holds, by property name, and typed rows for the
//! tables the writer fills: a row is built field by field and turned into cells in the
//! order of its column list, which the same declaration gives, so the two cannot drift.

use crate::store::ltp::prop::ptype::{BINARY, BOOLEAN, INT32, INT64, SYSTIME, UNICODE};
use crate::store::messaging::tags::{self, tag};

/// Declares a row struct with one optional stored value per column and the column list in
/// the same order.
macro_rules! table_row {
    (
        $(#[$doc:meta])*
        $row:ident, $columns:ident {
            $($(#[$field_doc:meta])* $field:ident: $id:expr, $ptype:expr;)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Default, Clone, PartialEq, Eq)]
        pub struct $row {
            $($(#[$field_doc])* pub $field: Option<Vec<u8>>,)*
        }

        #[doc = concat!(
            "The columns of the table `", stringify!($row), "` rows fill, in the order of its fields."
        )]
        pub const $columns: &[u32] = &[$(tag($id, $ptype)),*];

        impl $row {
            /// The row's cells in the order of its table's columns.
            pub fn into_cells(self) -> Vec<Option<Vec<u8>>> {
                vec![$(self.$field),*]
            }
        }
    };
}

table_row! {
    /// A folder's row in its parent's hierarchy table ([MS-PST] 2.4.4.4.1).
    HierarchyRow, HIERARCHY_COLUMNS {
        repl_item_id: tags::REPL_ITEM_ID, INT32;
        repl_change_number: tags::REPL_CHANGE_NUMBER, INT64;
        repl_version_history: tags::REPL_VERSION_HISTORY, BINARY;
        repl_flags: tags::REPL_FLAGS, INT32;
        display_name: tags::DISPLAY_NAME, UNICODE;
        content_count: tags::CONTENT_COUNT, INT32;
        content_unread_count: tags::CONTENT_UNREAD_COUNT, INT32;
        subfolders: tags::SUBFOLDERS, BOOLEAN;
        container_class: tags::CONTAINER_CLASS, UNICODE;
        pst_hidden_count: tags::PST_HIDDEN_COUNT, INT32;
        pst_hidden_unread: tags::PST_HIDDEN_UNREAD, INT32;
    }
}

table_row! {
    /// A message's row in its folder's contents table ([MS-PST] 2.4.4.5.1): what a
    /// folder view shows without opening the message.
    ContentsRow, CONTENTS_COLUMNS {
        importance: tags::IMPORTANCE, INT32;
        message_class: tags::MESSAGE_CLASS, UNICODE;
        sensitivity: tags::SENSITIVITY, INT32;
        subject: tags::SUBJECT, UNICODE;
        client_submit_time: tags::CLIENT_SUBMIT_TIME, SYSTIME;
        sent_representing_name: tags::SENT_REPRESENTING_NAME, UNICODE;
        conversation_topic: tags::CONVERSATION_TOPIC, UNICODE;
        display_cc: tags::DISPLAY_CC, UNICODE;
        display_to: tags::DISPLAY_TO, UNICODE;
        message_delivery_time: tags::MESSAGE_DELIVERY_TIME, SYSTIME;
        message_flags: tags::MESSAGE_FLAGS, INT32;
        message_size: tags::MESSAGE_SIZE, INT32;
        message_status: tags::MESSAGE_STATUS, INT32;
        last_modification_time: tags::LAST_MODIFICATION_TIME, SYSTIME;
        repl_item_id: tags::REPL_ITEM_ID, INT32;
        repl_flags: tags::REPL_FLAGS, INT32;
    }
}

table_row! {
    /// A recipient's row in its message's recipient table ([MS-PST] 2.4.5.2).
    RecipientRow, RECIPIENT_COLUMNS {
        recipient_type: tags::RECIPIENT_TYPE, INT32;
        responsibility: tags::RESPONSIBILITY, BOOLEAN;
        record_key: tags::RECORD_KEY, BINARY;
        object_type: tags::OBJECT_TYPE, INT32;
        entry_id: tags::ENTRY_ID, BINARY;
        display_name: tags::DISPLAY_NAME, UNICODE;
        address_type: tags::ADDRESS_TYPE, UNICODE;
        email_address: tags::EMAIL_ADDRESS, UNICODE;
        search_key: tags::SEARCH_KEY, BINARY;
        display_type: tags::DISPLAY_TYPE, INT32;
        display_name_printable: tags::DISPLAY_NAME_PRINTABLE, UNICODE;
        send_rich_info: tags::SEND_RICH_INFO, BOOLEAN;
    }
}

table_row! {
    /// An attachment's row in its message's attachment table ([MS-PST] 2.4.6.1).
    AttachmentRow, ATTACHMENT_COLUMNS {
        attach_size: tags::ATTACH_SIZE, INT32;
        attach_filename: tags::ATTACH_FILENAME, UNICODE;
        attach_method: tags::ATTACH_METHOD, INT32;
        rendering_position: tags::RENDERING_POSITION, INT32;
    }
}

/// The folder-associated (hidden) contents table ([MS-PST] 2.4.4.6): its cells are the
/// associated message's own properties of these tags, looked up by tag, so it needs no
/// row type.
pub const ASSOC_COLUMNS: &[u32] = &[
    tag(tags::MESSAGE_CLASS, UNICODE),
    tag(tags::MESSAGE_FLAGS, INT32),
    tag(tags::MESSAGE_STATUS, INT32),
    tag(tags::DISPLAY_NAME, UNICODE),
    tag(tags::OFFLINE_ADDRESS_BOOK_NAME, UNICODE),
    tag(tags::SEND_OUTLOOK_RECALL_REPORT, BOOLEAN),
    tag(tags::OFFLINE_ADDRESS_BOOK_TRUNCATED_PROPERTIES, INT32),
    tag(tags::FAI_TEMPLATE_STRING, UNICODE),
    tag(tags::VIEW_DESCRIPTOR_FLAGS, INT32),
    tag(tags::VIEW_DESCRIPTOR_LINK_TO, INT32),
    tag(tags::VIEW_DESCRIPTOR_VIEW_FOLDER, BINARY),
    tag(tags::VIEW_DESCRIPTOR_NAME, UNICODE),
    tag(tags::VIEW_DESCRIPTOR_VERSION, INT32),
];

/// The search folders' contents template ([MS-PST] 2.4.8.6.2); written empty.
pub const SEARCH_CONTENTS_COLUMNS: &[u32] = &[
    tag(tags::IMPORTANCE, INT32),
    tag(tags::MESSAGE_CLASS, UNICODE),
    tag(tags::SENSITIVITY, INT32),
    tag(tags::SUBJECT, UNICODE),
    tag(tags::SENT_REPRESENTING_NAME, UNICODE),
    tag(tags::MESSAGE_TO_ME, BOOLEAN),
    tag(tags::MESSAGE_CC_ME, BOOLEAN),
    tag(tags::DISPLAY_CC, UNICODE),
    tag(tags::DISPLAY_TO, UNICODE),
    tag(tags::PARENT_DISPLAY, UNICODE),
    tag(tags::MESSAGE_DELIVERY_TIME, SYSTIME),
    tag(tags::MESSAGE_FLAGS, INT32),
    tag(tags::MESSAGE_SIZE, INT32),
    tag(tags::MESSAGE_STATUS, INT32),
    tag(tags::EXCHANGE_REMOTE_HEADER, BOOLEAN),
    tag(tags::LAST_MODIFICATION_TIME, SYSTIME),
    tag(tags::LTP_PARENT_NID, INT32),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The named lists must be exactly the tags Outlook's own templates carry, which the
    /// writer wrote as raw numbers before they had names.
    #[test]
    fn the_named_columns_are_the_tags_outlook_writes() {
        assert_eq!(
            HIERARCHY_COLUMNS,
            &[
                0x0E30_0003,
                0x0E33_0014,
                0x0E34_0102,
                0x0E38_0003,
                0x3001_001F,
                0x3602_0003,
                0x3603_0003,
                0x360A_000B,
                0x3613_001F,
                0x6635_0003,
                0x6636_0003
            ]
        );
        assert_eq!(
            CONTENTS_COLUMNS,
            &[
                0x0017_0003,
                0x001A_001F,
                0x0036_0003,
                0x0037_001F,
                0x0039_0040,
                0x0042_001F,
                0x0070_001F,
                0x0E03_001F,
                0x0E04_001F,
                0x0E06_0040,
                0x0E07_0003,
                0x0E08_0003,
                0x0E17_0003,
                0x3008_0040,
                0x0E30_0003,
                0x0E38_0003
            ]
        );
        assert_eq!(
            RECIPIENT_COLUMNS,
            &[
                0x0C15_0003,
                0x0E0F_000B,
                0x0FF9_0102,
                0x0FFE_0003,
                0x0FFF_0102,
                0x3001_001F,
                0x3002_001F,
                0x3003_001F,
                0x300B_0102,
                0x3900_0003,
                0x39FF_001F,
                0x3A40_000B
            ]
        );
        assert_eq!(
            ATTACHMENT_COLUMNS,
            &[0x0E20_0003, 0x3704_001F, 0x3705_0003, 0x370B_0003]
        );
        assert_eq!(
            ASSOC_COLUMNS,
            &[
                0x001A_001F,
                0x0E07_0003,
                0x0E17_0003,
                0x3001_001F,
                0x6800_001F,
                0x6803_000B,
                0x6805_0003,
                0x682F_001F,
                0x7003_0003,
                0x7004_0003,
                0x7005_0102,
                0x7006_001F,
                0x7007_0003
            ]
        );
        assert_eq!(SEARCH_CONTENTS_COLUMNS.len(), 17);
        assert_eq!(SEARCH_CONTENTS_COLUMNS[16], 0x67F1_0003);
    }

    #[test]
    fn a_row_gives_its_cells_in_the_order_of_its_columns() {
        let row = ContentsRow {
            importance: Some(vec![1]),
            repl_flags: Some(vec![16]),
            ..ContentsRow::default()
        };
        let cells = row.into_cells();
        assert_eq!(cells.len(), CONTENTS_COLUMNS.len());
        assert_eq!(cells[0], Some(vec![1]));
        assert_eq!(cells[15], Some(vec![16]));
        assert!(cells[1..15].iter().all(Option::is_none));
    }
}
