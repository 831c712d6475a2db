//! Writing a whole store: the message store object, the required folders and templates,
//! folders with their hierarchy and contents tables, and messages with recipients,
//! attachments and bodies. Messages are written as they are added; folders, whose tables
//! and counts depend on everything added to them, are written at `finish`. Until then a
//! folder's contents-table rows wait in the row spill file, so memory does not grow with
//! the number of messages.

use std::path::Path;

use super::columns::{
    ASSOC_COLUMNS, ATTACHMENT_COLUMNS, AttachmentRow, CONTENTS_COLUMNS, ContentsRow,
    HIERARCHY_COLUMNS, HierarchyRow, RECIPIENT_COLUMNS, RecipientRow, SEARCH_CONTENTS_COLUMNS,
};
use super::ltp::{NodeOut, PcBuilder, Subnodes, TcBuilder};
use super::names::{LID_REMINDER_SET, Name, NameMapBuilder, PSETID_COMMON};
use super::ndb::{NdbWriter, Target};
use super::out::temp_path_for;
use super::spill::{RowSpill, SpilledRows, spill_path_for};
use super::table::TableWriter;
use super::value::{binary, boolean, int32, text, time, utf16};
use crate::store::error::{Error, Result};
use crate::store::ltp::prop::ptype;
use crate::store::messaging::tags::{self, tag, tag_id, tag_type};
use crate::store::ndb::btree::nid_type;
use crate::store::ndb::{CryptMethod, Nid, SubnodeEntry};

pub const IPM_SUBTREE: Nid = Nid(0x8022);
pub const SEARCH_ROOT: Nid = Nid(0x8042);
pub const DELETED_ITEMS: Nid = Nid(0x8062);

/// Properties of an item the new store computes from what it holds, whatever `extra`
/// says: its size in this store, the display lists of the recipients written, whether
/// attachments were written. Everything else of an exact message (a copy) is its `extra`.
pub const COMPUTED: [u16; 5] = [
    tags::MESSAGE_SIZE,
    tags::DISPLAY_TO,
    tags::DISPLAY_CC,
    tags::DISPLAY_BCC,
    tags::HAS_ATTACHMENTS,
];

/// A recipient of a new message. `kind` is 1 To, 2 Cc, 3 Bcc.
#[derive(Debug, Clone, Default)]
pub struct NewRecipient {
    pub display_name: String,
    pub email_address: String,
    pub address_type: String,
    pub kind: i32,
    /// Further cells of the row (id, type, stored bytes) as read from a source store; they
    /// win over the fields above, so that a copy keeps the row as it was.
    pub extra: Vec<(u16, u16, Vec<u8>)>,
}

#[derive(Debug, Clone, Default)]
pub struct NewAttachment {
    pub file_name: String,
    pub mime_type: Option<String>,
    pub data: Vec<u8>,
    /// Further properties of the attachment (id, type, stored bytes) as read from a source
    /// store: the content id of an inline image, the hidden flag, the short name, named
    /// ones. They win over the fields above.
    pub extra: Vec<(u16, u16, Vec<u8>)>,
    /// An attached item (a forwarded message, a meeting's exception) instead of a file:
    /// written as a message in the attachment's own subnodes, `data` then unused.
    pub embedded: Option<Box<NewMessage>>,
}

/// A message to write. Times are FILETIMEs. `extra` carries any further properties
/// (id, type, encoded value) as read from a source store, so copies lose nothing.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub message_class: String,
    pub subject: String,
    pub sender_name: Option<String>,
    pub sender_email: Option<String>,
    pub sender_address_type: Option<String>,
    pub delivery_time: Option<i64>,
    pub submit_time: Option<i64>,
    pub creation_time: Option<i64>,
    pub modification_time: Option<i64>,
    pub flags: i32,
    pub internet_message_id: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<Vec<u8>>,
    /// Compressed RTF ([MS-OXRTFCP]) as stored.
    pub body_rtf_compressed: Option<Vec<u8>>,
    pub transport_headers: Option<String>,
    pub recipients: Vec<NewRecipient>,
    pub attachments: Vec<NewAttachment>,
    pub extra: Vec<(u16, u16, Vec<u8>)>,
    /// A copy: the message, its recipient rows and its attachments are exactly their
    /// `extra` and what the new store computes (`COMPUTED`). Otherwise (a generated
    /// message) the fields make them up, with the defaults Outlook expects, and `extra`
    /// adds to them.
    pub exact: bool,
}

struct FolderState {
    nid: Nid,
    parent: Nid,
    name: String,
    class: Option<String>,
    children: Vec<Nid>,
    contents: SpilledRows,
    /// Rows of the associated (hidden) contents table: views, rules, forms. A folder holds
    /// a handful, so they stay in memory.
    assoc: Vec<(u32, Vec<Option<Vec<u8>>>)>,
    unread: i32,
    is_search: bool,
}

/// Where a message node went, its row for a contents table and its message flags.
struct WrittenMessage {
    out: NodeOut,
    row: Vec<Option<Vec<u8>>>,
    flags: i32,
}

pub struct StoreWriter {
    ndb: NdbWriter,
    record_key: [u8; 16],
    display_name: String,
    folders: Vec<FolderState>,
    names: NameMapBuilder,
    spill: RowSpill,
    /// The password's checksum for the new store (PidTagPstPassword); 0 for none.
    password_checksum: u32,
}

fn folder_state(
    nid: Nid,
    parent: Nid,
    name: &str,
    class: Option<&str>,
    is_search: bool,
) -> FolderState {
    FolderState {
        nid,
        parent,
        name: name.to_string(),
        class: class.map(str::to_string),
        children: Vec::new(),
        contents: SpilledRows::default(),
        assoc: Vec::new(),
        unread: 0,
        is_search,
    }
}

/// A 16-byte store identity that differs between stores written at different times.
fn new_record_key(seed: u64) -> [u8; 16] {
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut key = [0u8; 16];
    for chunk in key.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    key
}

impl StoreWriter {
    /// Starts a store with the folders every store has: the root, the top of the personal
    /// folders (IPM subtree), Deleted Items, and the search root. `seed` makes the store's
    /// identity reproducible for tests; pass a clock value otherwise.
    pub fn create(
        path: &Path,
        target: Target,
        crypt: CryptMethod,
        display_name: &str,
        seed: u64,
    ) -> Result<StoreWriter> {
        let mut ndb = NdbWriter::create(path, target, crypt)?;
        let spill = RowSpill::create(&spill_path_for(&temp_path_for(path, std::process::id())))?;
        for nid in [Nid::ROOT_FOLDER, IPM_SUBTREE, SEARCH_ROOT, DELETED_ITEMS] {
            ndb.reserve_nid(nid);
        }
        let mut names = NameMapBuilder::default();
        names.id(PSETID_COMMON, Name::Id(LID_REMINDER_SET))?;
        let mut w = StoreWriter {
            ndb,
            names,
            spill,
            record_key: new_record_key(seed),
            display_name: display_name.to_string(),
            password_checksum: 0,
            folders: vec![
                folder_state(Nid::ROOT_FOLDER, Nid::ROOT_FOLDER, "", None, false),
                folder_state(
                    IPM_SUBTREE,
                    Nid::ROOT_FOLDER,
                    "Top of Personal Folders",
                    None,
                    false,
                ),
                folder_state(SEARCH_ROOT, Nid::ROOT_FOLDER, "Search Root", None, false),
                folder_state(
                    DELETED_ITEMS,
                    IPM_SUBTREE,
                    "Deleted Items",
                    Some("IPF.Note"),
                    false,
                ),
            ],
        };
        w.folders[0].children = vec![IPM_SUBTREE, SEARCH_ROOT];
        w.folders[1].children = vec![DELETED_ITEMS];
        Ok(w)
    }

    /// Protects the new store with the password whose checksum a source store carries
    /// (`StoreProperties::password_checksum`): Outlook then asks for the same password.
    pub fn set_password_checksum(&mut self, checksum: u32) {
        self.password_checksum = checksum;
    }

    /// The property id to use for a named property in this store.
    pub fn named_property(&mut self, guid: [u8; 16], name: Name) -> Result<u16> {
        self.names.id(guid, name)
    }

    fn folder_index(&self, nid: Nid) -> Result<usize> {
        self.folders
            .iter()
            .position(|f| f.nid == nid)
            .ok_or_else(|| Error::malformed("store writer", format!("folder {nid} does not exist")))
    }

    fn folder_mut(&mut self, nid: Nid) -> Result<&mut FolderState> {
        let i = self.folder_index(nid)?;
        Ok(&mut self.folders[i])
    }

    pub fn add_folder(
        &mut self,
        parent: Nid,
        name: &str,
        container_class: Option<&str>,
    ) -> Result<Nid> {
        self.folder_mut(parent)?;
        let nid = self.ndb.new_nid(nid_type::NORMAL_FOLDER);
        self.folder_mut(parent)?.children.push(nid);
        self.folders
            .push(folder_state(nid, parent, name, container_class, false));
        Ok(nid)
    }

    /// Gives a folder another name: a copy keeps the source's name for the folders every
    /// store starts with ("Itens eliminados" stays "Itens eliminados").
    pub fn rename_folder(&mut self, nid: Nid, name: &str) -> Result<()> {
        self.folder_mut(nid)?.name = name.to_string();
        Ok(())
    }

    /// Writes a message into `folder` and returns its node id.
    pub fn add_message(&mut self, folder: Nid, m: &NewMessage) -> Result<Nid> {
        let nid = self.new_message_nid();
        self.add_message_as(folder, nid, m)?;
        Ok(nid)
    }

    /// A node id for a message written later with [`StoreWriter::add_message_as`]: items
    /// that name each other learn their node ids before any of them is written.
    pub fn new_message_nid(&mut self) -> Nid {
        self.ndb.new_nid(nid_type::NORMAL_MESSAGE)
    }

    /// The store's record key: what its entry ids hold.
    pub fn record_key(&self) -> [u8; 16] {
        self.record_key
    }

    /// Writes a message into `folder` under a node id from
    /// [`StoreWriter::new_message_nid`].
    pub fn add_message_as(&mut self, folder: Nid, nid: Nid, m: &NewMessage) -> Result<()> {
        let folder_at = self.folder_index(folder)?;
        let WrittenMessage { out, row, flags } = self.message_node(m)?;
        self.ndb.add_node(nid, out.bid_data, out.bid_sub, folder);

        let cells: Vec<Option<&[u8]>> = row.iter().map(|c| c.as_deref()).collect();
        let f = &mut self.folders[folder_at];
        self.spill
            .push(&mut f.contents, nid.0, &cells, CONTENTS_COLUMNS.len())?;
        if flags & 0x1 == 0 {
            f.unread += 1;
        }
        Ok(())
    }

    /// Writes a folder-associated (hidden) message into `folder`: a view, a rule, a form.
    /// Its row in the associated contents table takes its cells from the message's own
    /// properties, as Outlook's do.
    pub fn add_associated_message(&mut self, folder: Nid, m: &NewMessage) -> Result<Nid> {
        let folder_at = self.folder_index(folder)?;
        let nid = self.ndb.new_nid(nid_type::ASSOC_MESSAGE);
        let WrittenMessage { out, flags, .. } = self.message_node(m)?;
        self.ndb.add_node(nid, out.bid_data, out.bid_sub, folder);
        let cells = ASSOC_COLUMNS
            .iter()
            .map(|&column| {
                let (id, t) = (tag_id(column), tag_type(column));
                match id {
                    tags::MESSAGE_CLASS => Some(utf16(&m.message_class)),
                    tags::MESSAGE_FLAGS => Some(flags.to_le_bytes().to_vec()),
                    _ => m
                        .extra
                        .iter()
                        .find(|(i, pt, _)| *i == id && *pt == t)
                        .map(|(_, _, b)| b.clone()),
                }
            })
            .collect();
        self.folders[folder_at].assoc.push((nid.0, cells));
        Ok(nid)
    }

    /// Writes a message's property context with its recipient and attachment tables as
    /// one node's data and subnodes, for a folder's item or an attachment's embedded one.
    fn message_node(&mut self, m: &NewMessage) -> Result<WrittenMessage> {
        let mut subs = Subnodes::default();
        let mut pc = PcBuilder::with_capacity(m.extra.len() + 24);
        let mut set = |id: u16, (t, v): (u16, Vec<u8>)| {
            pc.set(id, t, v);
        };
        // A copy (`exact`) is its source's properties and what this store computes: the
        // fields are not encoded only to be dropped.
        if !m.exact {
            set(tags::MESSAGE_CLASS, text(&m.message_class));
            set(tags::SUBJECT, text(&m.subject));
            set(tags::CONVERSATION_TOPIC, text(&m.subject));
            set(tags::IMPORTANCE, int32(1));
            set(tags::SENSITIVITY, int32(0));
            set(tags::MESSAGE_FLAGS, int32(m.flags));
            if let Some(n) = &m.sender_name {
                set(tags::SENDER_NAME, text(n));
                set(tags::SENT_REPRESENTING_NAME, text(n));
            }
            if let Some(e) = &m.sender_email {
                set(tags::SENDER_EMAIL_ADDRESS, text(e));
                set(tags::SENT_REPRESENTING_EMAIL_ADDRESS, text(e));
                let kind = m.sender_address_type.as_deref().unwrap_or("SMTP");
                set(tags::SENDER_ADDRESS_TYPE, text(kind));
                set(tags::SENT_REPRESENTING_ADDRESS_TYPE, text(kind));
            }
            for (id, t) in [
                (tags::MESSAGE_DELIVERY_TIME, m.delivery_time),
                (tags::CLIENT_SUBMIT_TIME, m.submit_time),
                (tags::CREATION_TIME, m.creation_time),
                (tags::LAST_MODIFICATION_TIME, m.modification_time),
            ] {
                if let Some(t) = t {
                    set(id, time(t));
                }
            }
            if let Some(id) = &m.internet_message_id {
                set(tags::INTERNET_MESSAGE_ID, text(id));
            }
            if let Some(b) = &m.body_text {
                set(tags::BODY, text(b));
            }
            if let Some(h) = &m.body_html {
                set(tags::HTML, binary(h));
            }
            if let Some(r) = &m.body_rtf_compressed {
                set(tags::RTF_COMPRESSED, binary(r));
                set(tags::RTF_IN_SYNC, boolean(true));
            }
            if let Some(h) = &m.transport_headers {
                set(tags::TRANSPORT_MESSAGE_HEADERS, text(h));
            }
        }
        let names = |kind: i32| -> String {
            m.recipients
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.display_name.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let (to, cc, bcc) = (names(1), names(2), names(3));
        set(tags::DISPLAY_TO, text(&to));
        set(tags::DISPLAY_CC, text(&cc));
        set(tags::DISPLAY_BCC, text(&bcc));
        if !m.attachments.is_empty() {
            set(tags::HAS_ATTACHMENTS, boolean(true));
        }
        for (id, t, v) in m.extra.iter().filter(|p| !COMPUTED.contains(&p.0)) {
            pc.set_borrowed(*id, *t, v);
        }
        let size = approximate_size(m);
        let (t, v) = int32(size);
        pc.set(tags::MESSAGE_SIZE, t, v);
        // The contents table shows what the message holds.
        let stored = |id: u16| pc.value(id).map(<[u8]>::to_vec);
        let row = ContentsRow {
            importance: stored(tags::IMPORTANCE),
            message_class: stored(tags::MESSAGE_CLASS),
            sensitivity: stored(tags::SENSITIVITY),
            subject: stored(tags::SUBJECT),
            client_submit_time: stored(tags::CLIENT_SUBMIT_TIME),
            sent_representing_name: stored(tags::SENT_REPRESENTING_NAME),
            conversation_topic: stored(tags::CONVERSATION_TOPIC),
            display_cc: stored(tags::DISPLAY_CC),
            display_to: stored(tags::DISPLAY_TO),
            message_delivery_time: stored(tags::MESSAGE_DELIVERY_TIME),
            message_flags: stored(tags::MESSAGE_FLAGS),
            message_size: stored(tags::MESSAGE_SIZE),
            message_status: Some(0i32.to_le_bytes().to_vec()),
            last_modification_time: stored(tags::LAST_MODIFICATION_TIME)
                .or_else(|| stored(tags::CREATION_TIME)),
            repl_item_id: None,
            repl_flags: None,
        }
        .into_cells();
        let flags = pc
            .value(tags::MESSAGE_FLAGS)
            .and_then(|v| v.get(..4))
            .map_or(m.flags, |v| {
                i32::from_le_bytes(v.try_into().expect("4 bytes"))
            });

        if !m.recipients.is_empty() {
            let entry = self.write_recipients(&m.recipients, m.exact)?;
            subs.add(entry);
        }
        if !m.attachments.is_empty() {
            for e in self.write_attachments(&m.attachments, m.exact)? {
                subs.add(e);
            }
        }
        let out = pc.write(&mut self.ndb, subs)?;
        Ok(WrittenMessage { out, row, flags })
    }

    fn write_recipients(
        &mut self,
        recipients: &[NewRecipient],
        exact: bool,
    ) -> Result<SubnodeEntry> {
        // The usual columns, then every further one a source row brings, by id. A source
        // column of a usual id keeps the source's type (8-bit text in an ANSI store's rows).
        let mut columns: Vec<u32> = RECIPIENT_COLUMNS.to_vec();
        for (id, t, _) in recipients.iter().flat_map(|r| &r.extra) {
            let column = tag(*id, *t);
            match columns.iter().position(|&c| tag_id(c) == *id) {
                _ if *t == ptype::OBJECT => {}
                None => columns.push(column),
                Some(c) if c < RECIPIENT_COLUMNS.len() && columns[c] == RECIPIENT_COLUMNS[c] => {
                    columns[c] = column;
                }
                Some(_) => {}
            }
        }
        // More columns than a table can hold are refused when it is written (TableWriter).
        let mut tc = TcBuilder::new(&columns);
        for (i, r) in recipients.iter().enumerate() {
            // A copied row is its source's cells alone, borrowed where they are; a new one
            // gets the usual fields.
            let defaults = if exact {
                Vec::new()
            } else {
                RecipientRow {
                    recipient_type: Some(r.kind.to_le_bytes().to_vec()),
                    responsibility: Some(vec![1]),
                    // MAPI_MAILUSER.
                    object_type: Some(6i32.to_le_bytes().to_vec()),
                    display_name: Some(utf16(&r.display_name)),
                    address_type: Some(utf16(if r.address_type.is_empty() {
                        "SMTP"
                    } else {
                        &r.address_type
                    })),
                    email_address: Some(utf16(&r.email_address)),
                    // DT_MAILUSER.
                    display_type: Some(0i32.to_le_bytes().to_vec()),
                    display_name_printable: Some(utf16(&r.display_name)),
                    send_rich_info: Some(vec![0]),
                    ..RecipientRow::default()
                }
                .into_cells()
            };
            let mut cells: Vec<Option<&[u8]>> = vec![None; columns.len()];
            for (c, default) in defaults.iter().enumerate() {
                // A usual column now of the source's type has no default in that type.
                if columns[c] == RECIPIENT_COLUMNS[c] {
                    cells[c] = default.as_deref();
                }
            }
            for (id, t, v) in &r.extra {
                // A cell of the same id under another type in an earlier row keeps its column.
                if let Some(c) = columns.iter().position(|&c| c == tag(*id, *t)) {
                    cells[c] = Some(v);
                }
            }
            tc.push(i as u32, &cells);
        }
        let out = tc.write(&mut self.ndb, Subnodes::default())?;
        Ok(SubnodeEntry {
            nid: Nid::RECIPIENT_TABLE,
            bid_data: out.bid_data,
            bid_sub: out.bid_sub,
        })
    }

    fn write_attachments(
        &mut self,
        attachments: &[NewAttachment],
        exact: bool,
    ) -> Result<Vec<SubnodeEntry>> {
        let mut entries = Vec::new();
        let mut table = TcBuilder::new(ATTACHMENT_COLUMNS);
        for (i, a) in attachments.iter().enumerate() {
            let nid = Nid((((i as u32) + 1) << 5) | nid_type::ATTACHMENT as u32);
            let mut pc = PcBuilder::with_capacity(a.extra.len() + 8);
            let size = attachment_size(a)?;
            if !exact {
                for (id, (t, v)) in [
                    (tags::ATTACH_METHOD, int32(1)),
                    (tags::ATTACH_LONG_FILENAME, text(&a.file_name)),
                    (tags::ATTACH_FILENAME, text(&a.file_name)),
                    (tags::DISPLAY_NAME, text(&a.file_name)),
                    (tags::ATTACH_SIZE, int32(size)),
                    (tags::RENDERING_POSITION, int32(-1)),
                ] {
                    pc.set(id, t, v);
                }
                if let Some(mime) = &a.mime_type {
                    pc.set(tags::ATTACH_MIME_TAG, text(mime).0, text(mime).1);
                }
            }
            // A copied attachment is its source's properties, its data among them.
            for (id, t, v) in &a.extra {
                pc.set_borrowed(*id, *t, v);
            }
            let mut subs = Subnodes::default();
            match &a.embedded {
                // Only an attachment by value holds its bytes; a link (by reference) has
                // a path instead, and an OLE object's storage is not carried (`copy`).
                None if pc
                    .value(tags::ATTACH_METHOD)
                    .is_none_or(|m| m.get(..4) == Some(&1i32.to_le_bytes()[..])) =>
                {
                    // Borrowed: an attached file may be megabytes, not to be copied to be written.
                    pc.set_borrowed(tags::ATTACH_DATA, ptype::BINARY, &a.data);
                }
                None => {}
                Some(item) => {
                    // [MS-PST] 2.3.3.5: a PtypObject value names the subnode holding the
                    // object and its size; the embedded message is a message node there.
                    let out = self.message_node(item)?.out;
                    let sub = subs.next_nid(nid_type::NORMAL_MESSAGE)?;
                    subs.add(SubnodeEntry {
                        nid: sub,
                        bid_data: out.bid_data,
                        bid_sub: out.bid_sub,
                    });
                    let mut object = sub.0.to_le_bytes().to_vec();
                    object.extend_from_slice(&approximate_size(item).to_le_bytes());
                    pc.set(tags::ATTACH_DATA, ptype::OBJECT, object);
                    if !exact {
                        pc.set(tags::ATTACH_METHOD, int32(5).0, int32(5).1);
                    }
                }
            }
            // The attachment table shows what the attachment holds.
            let stored = |id: u16| pc.value(id).map(<[u8]>::to_vec);
            let row = AttachmentRow {
                attach_size: stored(tags::ATTACH_SIZE),
                attach_filename: stored(tags::ATTACH_FILENAME),
                attach_method: stored(tags::ATTACH_METHOD),
                rendering_position: stored(tags::RENDERING_POSITION),
            };
            let out = pc.write(&mut self.ndb, subs)?;
            entries.push(SubnodeEntry {
                nid,
                bid_data: out.bid_data,
                bid_sub: out.bid_sub,
            });
            table.row(nid.0, row.into_cells());
        }
        let out = table.write(&mut self.ndb, Subnodes::default())?;
        entries.push(SubnodeEntry {
            nid: Nid::ATTACHMENT_TABLE,
            bid_data: out.bid_data,
            bid_sub: out.bid_sub,
        });
        Ok(entries)
    }

    fn entry_id(&self, nid: Nid) -> Vec<u8> {
        let mut e = vec![0u8; 4];
        e.extend_from_slice(&self.record_key);
        e.extend_from_slice(&nid.0.to_le_bytes());
        e
    }

    /// A folder's contents table from its spilled rows: streamed when their ids rose, as
    /// `add_message` issues them; otherwise held and sorted in memory.
    fn contents_table(&mut self, rows: SpilledRows) -> Result<NodeOut> {
        let columns = CONTENTS_COLUMNS.len();
        if rows.ordered() {
            let mut table = TableWriter::new(&self.ndb, CONTENTS_COLUMNS, Subnodes::default())?;
            let ndb = &mut self.ndb;
            self.spill
                .replay(rows, columns, &mut |id, cells| table.row(ndb, id, cells))?;
            table.finish(&mut self.ndb)
        } else {
            let mut table = TcBuilder::new(CONTENTS_COLUMNS);
            self.spill.replay(rows, columns, &mut |id, cells| {
                table.push(id, cells);
                Ok(())
            })?;
            table.write(&mut self.ndb, Subnodes::default())
        }
    }

    fn write_node(&mut self, nid: Nid, out: NodeOut, parent: Nid) {
        self.ndb.add_node(nid, out.bid_data, out.bid_sub, parent);
    }

    /// Writes folders, tables, the store object and templates, then the B-trees and header.
    pub fn finish(mut self) -> Result<()> {
        let folders = std::mem::take(&mut self.folders);
        for f in &folders {
            let count = item_count(&f.contents);
            let mut pc = PcBuilder::default();
            pc.set(tags::DISPLAY_NAME, text(&f.name).0, text(&f.name).1);
            pc.set(tags::CONTENT_COUNT, int32(count).0, int32(count).1);
            pc.set(
                tags::CONTENT_UNREAD_COUNT,
                int32(f.unread).0,
                int32(f.unread).1,
            );
            let hidden = f.assoc.len() as i32;
            pc.set(tags::ASSOC_CONTENT_COUNT, int32(hidden).0, int32(hidden).1);
            pc.set(
                tags::SUBFOLDERS,
                boolean(!f.children.is_empty()).0,
                boolean(!f.children.is_empty()).1,
            );
            if let Some(c) = &f.class {
                pc.set(tags::CONTAINER_CLASS, text(c).0, text(c).1);
            }
            let out = pc.write(&mut self.ndb, Subnodes::default())?;
            self.write_node(f.nid, out, f.parent);

            let mut hierarchy = TcBuilder::new(HIERARCHY_COLUMNS);
            for child in &f.children {
                let c = folders
                    .iter()
                    .find(|x| x.nid == *child)
                    .expect("child folder recorded");
                let row = HierarchyRow {
                    display_name: Some(utf16(&c.name)),
                    content_count: Some(item_count(&c.contents).to_le_bytes().to_vec()),
                    content_unread_count: Some(c.unread.to_le_bytes().to_vec()),
                    subfolders: Some(vec![!c.children.is_empty() as u8]),
                    container_class: c.class.as_deref().map(utf16),
                    ..HierarchyRow::default()
                };
                hierarchy.row(child.0, row.into_cells());
            }
            let out = hierarchy.write(&mut self.ndb, Subnodes::default())?;
            self.write_node(f.nid.with_type(nid_type::HIERARCHY_TABLE), out, Nid(0));
            debug_assert!(!f.is_search);
        }
        for f in folders {
            let out = self.contents_table(f.contents)?;
            self.write_node(f.nid.with_type(nid_type::CONTENTS_TABLE), out, Nid(0));
            let mut assoc = TcBuilder::new(ASSOC_COLUMNS);
            for (nid, cells) in f.assoc {
                assoc.row(nid, cells);
            }
            let out = assoc.write(&mut self.ndb, Subnodes::default())?;
            self.write_node(f.nid.with_type(nid_type::ASSOC_CONTENTS_TABLE), out, Nid(0));
        }

        let mut store = PcBuilder::default();
        for (id, (t, v)) in [
            (tags::RECORD_KEY, binary(&self.record_key)),
            (tags::DISPLAY_NAME, text(&self.display_name)),
            // FOLDER_IPM_SUBTREE_VALID | FOLDER_IPM_WASTEBASKET_VALID | FOLDER_FINDER_VALID.
            (tags::VALID_FOLDER_MASK, int32(0x89)),
            (
                tags::IPM_SUBTREE_ENTRY_ID,
                binary(&self.entry_id(IPM_SUBTREE)),
            ),
            (
                tags::IPM_WASTEBASKET_ENTRY_ID,
                binary(&self.entry_id(DELETED_ITEMS)),
            ),
            (tags::FINDER_ENTRY_ID, binary(&self.entry_id(SEARCH_ROOT))),
            (tags::PST_PASSWORD, int32(self.password_checksum as i32)),
        ] {
            store.set(id, t, v);
        }
        let out = store.write(&mut self.ndb, Subnodes::default())?;
        self.write_node(Nid::MESSAGE_STORE, out, Nid(0));

        let names = std::mem::take(&mut self.names);
        let out = names.write(&mut self.ndb)?;
        self.write_node(Nid::NAME_TO_ID_MAP, out, Nid(0));

        // Templates Outlook copies for new folders and messages, and the search queues.
        for (nid, cols) in [
            (Nid::HIERARCHY_TABLE_TEMPLATE, HIERARCHY_COLUMNS),
            (Nid::CONTENTS_TABLE_TEMPLATE, CONTENTS_COLUMNS),
            (Nid::ASSOC_CONTENTS_TABLE_TEMPLATE, ASSOC_COLUMNS),
            (Nid::SEARCH_CONTENTS_TABLE_TEMPLATE, SEARCH_CONTENTS_COLUMNS),
            (Nid::ATTACHMENT_TABLE, ATTACHMENT_COLUMNS),
            (Nid::RECIPIENT_TABLE, RECIPIENT_COLUMNS),
        ] {
            let out = TcBuilder::new(cols).write(&mut self.ndb, Subnodes::default())?;
            self.write_node(nid, out, Nid(0));
        }
        self.ndb
            .add_node(Nid::SEARCH_MANAGEMENT_QUEUE, 0, 0, Nid(0));
        let bid = self.ndb.write_data(&[0; 4])?;
        self.ndb.add_node(Nid::SEARCH_ACTIVITY_LIST, bid, 0, Nid(0));
        self.ndb.finish()
    }
}

/// PidTagContentCount and the hierarchy table's count column are 32-bit.
fn item_count(rows: &SpilledRows) -> i32 {
    i32::try_from(rows.len()).unwrap_or(i32::MAX)
}

/// PidTagMessageSize: what the message's properties and parts add up to.
fn approximate_size(m: &NewMessage) -> i32 {
    let text_len = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() * 2);
    let size = 512
        + m.subject.len() * 2
        + text_len(&m.body_text)
        + m.body_html.as_ref().map_or(0, |b| b.len())
        + m.body_rtf_compressed.as_ref().map_or(0, |b| b.len())
        + text_len(&m.transport_headers)
        + m.attachments
            .iter()
            .map(|a| a.data.len() + 256)
            .sum::<usize>()
        + m.recipients.len() * 128
        + m.extra.iter().map(|e| e.2.len() + 8).sum::<usize>();
    size.min(i32::MAX as usize) as i32
}

/// An attachment's size as PidTagAttachSize holds it: a signed 32-bit count, so a file
/// of 2 GiB or more cannot be stored (nor could a data tree, whose total is 32-bit too).
fn attachment_size(a: &NewAttachment) -> Result<i32> {
    size_as_i32(a.data.len()).ok_or_else(|| {
        Error::out_of_range("attachment", "size", a.data.len() as u64, i32::MAX as u64)
    })
}

fn size_as_i32(len: usize) -> Option<i32> {
    i32::try_from(len).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_of_2_gib_or_more_has_no_size_a_store_can_hold() {
        assert_eq!(size_as_i32(0), Some(0));
        assert_eq!(size_as_i32(i32::MAX as usize), Some(i32::MAX));
        assert_eq!(size_as_i32(1 << 31), None);
        assert_eq!(size_as_i32(usize::MAX), None);
    }
}
