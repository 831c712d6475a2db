//! Messages: their main properties, recipients, attachments and bodies.

use serde::Serialize;

use super::rtf;
use super::tags;
use crate::store::error::{Error, Result};
use crate::store::filetime;
use crate::store::ltp::{Node, PropValue, PropertyContext, TableContext};
use crate::store::ndb::{Ndb, Nid};

/// The properties shown when listing a folder.
#[derive(Debug, Clone, Serialize)]
pub struct MessageSummary {
    #[serde(serialize_with = "ser_nid")]
    pub nid: Nid,
    pub message_class: Option<String>,
    pub subject: Option<String>,
    pub sender_name: Option<String>,
    pub sender_email: Option<String>,
    #[serde(serialize_with = "ser_time")]
    pub delivery_time: Option<i64>,
    #[serde(serialize_with = "ser_time")]
    pub submit_time: Option<i64>,
    #[serde(serialize_with = "ser_time")]
    pub creation_time: Option<i64>,
    #[serde(serialize_with = "ser_time")]
    pub modification_time: Option<i64>,
    pub flags: Option<i64>,
    pub size: Option<i64>,
    pub internet_message_id: Option<String>,
    pub display_to: Option<String>,
    pub display_cc: Option<String>,
}

/// A message's class, subject (without its prefix marker) and flags.
#[derive(Debug, Clone)]
pub struct Heading {
    pub message_class: Option<String>,
    pub subject: Option<String>,
    pub flags: Option<i64>,
}

fn ser_nid<S: serde::Serializer>(nid: &Nid, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&nid.to_string())
}

fn ser_time<S: serde::Serializer>(t: &Option<i64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&filetime::to_rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// A subject may start with SOH and a count of prefix characters ("RE: "), a marker Outlook
/// uses to split prefix from topic; the text shown is the subject without the marker.
pub fn clean_subject(s: String) -> String {
    let mut chars = s.chars();
    if chars.next() == Some('\u{1}') {
        chars.next();
        return chars.collect();
    }
    s
}

#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    pub display_name: Option<String>,
    pub email_address: Option<String>,
    pub address_type: Option<String>,
    pub smtp_address: Option<String>,
    /// 1 To, 2 Cc, 3 Bcc.
    pub recipient_type: Option<i64>,
}

impl Recipient {
    /// The properties the fields are read from.
    const FIELDS: [u16; 5] = [
        tags::DISPLAY_NAME,
        tags::EMAIL_ADDRESS,
        tags::ADDRESS_TYPE,
        tags::SMTP_ADDRESS,
        tags::RECIPIENT_TYPE,
    ];

    /// The fields of a recipient row, from its cells as stored; the first cell of an id
    /// counts, as a table's lookup by id finds it.
    fn from_cells(cells: &[StoredProperty]) -> Result<Recipient> {
        let value = |id: u16| -> Result<Option<PropValue>> {
            match cells.iter().find(|c| c.0 == id) {
                Some((_, t, bytes)) => crate::store::ltp::prop::decode(*t, bytes).map(Some),
                None => Ok(None),
            }
        };
        let text = |id: u16| -> Result<Option<String>> {
            Ok(value(id)?.and_then(|v| match v {
                PropValue::Text(s) => Some(s),
                _ => None,
            }))
        };
        Ok(Recipient {
            display_name: text(tags::DISPLAY_NAME)?,
            email_address: text(tags::EMAIL_ADDRESS)?,
            address_type: text(tags::ADDRESS_TYPE)?,
            smtp_address: text(tags::SMTP_ADDRESS)?,
            recipient_type: value(tags::RECIPIENT_TYPE)?.and_then(|v| v.as_i64()),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentInfo {
    #[serde(serialize_with = "ser_nid")]
    pub nid: Nid,
    pub file_name: Option<String>,
    pub display_name: Option<String>,
    pub mime_type: Option<String>,
    pub method: Option<i64>,
    pub size: Option<i64>,
    /// The attachment is a file stored as binary data (not an embedded item or a link).
    pub is_file: bool,
    /// Bytes of the attached file's data, when it is a file whose data can be read.
    pub data_size: Option<usize>,
}

/// A property as stored: its id, its type and its encoded bytes.
pub type StoredProperty = (u16, u16, Vec<u8>);

/// A property's stored bytes, or why they could not be read.
#[derive(Debug)]
pub struct RawValue {
    pub id: u16,
    pub ptype: u16,
    pub bytes: Result<Vec<u8>>,
}

/// An attachment as [`Message::attachment`] reads it: its listing and every property.
#[derive(Debug)]
pub struct Attachment {
    pub info: AttachmentInfo,
    pub values: Vec<RawValue>,
}

/// A property as stored, for listing everything a message carries (interpreted or not).
#[derive(Debug, Clone)]
pub struct RawProperty {
    pub id: u16,
    pub ptype: u16,
    pub value: Result<PropValue, String>,
}

impl RawProperty {
    pub fn tag(&self) -> u32 {
        ((self.id as u32) << 16) | self.ptype as u32
    }
}

pub struct Message<'a> {
    ndb: &'a Ndb,
    pub nid: Nid,
    pc: PropertyContext<'a>,
}

impl<'a> Message<'a> {
    pub fn open(ndb: &'a Ndb, nid: Nid) -> Result<Self> {
        let pc = PropertyContext::open(Node::open(ndb, nid)?)?;
        Ok(Message { ndb, nid, pc })
    }

    pub fn properties(&self) -> &PropertyContext<'a> {
        &self.pc
    }

    pub fn summary(&self) -> Result<MessageSummary> {
        let pc = &self.pc;
        let Heading {
            message_class,
            subject,
            flags,
        } = self.heading()?;
        Ok(MessageSummary {
            nid: self.nid,
            message_class,
            subject,
            sender_name: pc.text(tags::SENDER_NAME)?,
            sender_email: match pc.text(tags::SENDER_SMTP_ADDRESS)? {
                Some(s) => Some(s),
                None => pc.text(tags::SENDER_EMAIL_ADDRESS)?,
            },
            delivery_time: pc.time(tags::MESSAGE_DELIVERY_TIME)?,
            submit_time: pc.time(tags::CLIENT_SUBMIT_TIME)?,
            creation_time: pc.time(tags::CREATION_TIME)?,
            modification_time: pc.time(tags::LAST_MODIFICATION_TIME)?,
            flags,
            size: pc.int(tags::MESSAGE_SIZE)?,
            internet_message_id: pc.text(tags::INTERNET_MESSAGE_ID)?,
            display_to: pc.text(tags::DISPLAY_TO)?,
            display_cc: pc.text(tags::DISPLAY_CC)?,
        })
    }

    /// The class, subject and flags alone: what a copy needs besides the properties as
    /// stored, which it reads by tag (decoding the summary's other dozen for each item
    /// was a twelfth of an export's reading).
    pub fn heading(&self) -> Result<Heading> {
        let pc = &self.pc;
        Ok(Heading {
            message_class: super::class::read(pc, tags::MESSAGE_CLASS)?.map(|c| c.text),
            subject: pc.text(tags::SUBJECT)?.map(clean_subject),
            flags: pc.int(tags::MESSAGE_FLAGS)?,
        })
    }

    /// Every property, interpreted or not, by tag; a damaged value is reported in place
    /// rather than failing the whole listing.
    pub fn all_properties(&self) -> Vec<RawProperty> {
        self.pc
            .tags()
            .map(|(id, ptype)| RawProperty {
                id,
                ptype,
                value: self
                    .pc
                    .get(id)
                    .map(|v| v.expect("listed tag exists"))
                    .map_err(|e| e.to_string()),
            })
            .collect()
    }

    pub fn body_text(&self) -> Result<Option<String>> {
        self.pc.text(tags::BODY)
    }

    /// The HTML body as text; stored as bytes in the message's internet code page.
    pub fn body_html(&self) -> Result<Option<String>> {
        Ok(match self.pc.get(tags::HTML)? {
            Some(PropValue::Binary(b)) => Some(
                String::from_utf8(b)
                    .unwrap_or_else(|e| crate::store::ltp::prop::cp1252(e.as_bytes())),
            ),
            Some(PropValue::Text(s)) => Some(s),
            _ => None,
        })
    }

    /// The RTF body, decompressed.
    pub fn body_rtf(&self) -> Result<Option<String>> {
        match self.pc.binary(tags::RTF_COMPRESSED)? {
            Some(b) => rtf::decompress(&b)
                .map(Some)
                .map_err(|e| self.ndb.ctx(e.with_nid(self.nid.0))),
            None => Ok(None),
        }
    }

    /// The body as plain text from whichever form the message has: text, else RTF, else
    /// HTML with its tags removed.
    pub fn best_text(&self) -> Result<Option<String>> {
        if let Some(t) = self.body_text()?.filter(|t| !t.is_empty()) {
            return Ok(Some(t));
        }
        if let Some(r) = self.body_rtf()? {
            return Ok(Some(rtf::to_text(&r)));
        }
        Ok(self.body_html()?.map(|h| html_to_text(&h)))
    }

    pub fn recipients(&self) -> Result<Vec<Recipient>> {
        // Only the cells a recipient's fields come from: another cell that cannot be
        // read does not cost the list.
        Ok(self
            .recipient_table(Some(&Recipient::FIELDS))?
            .into_iter()
            .map(|(recipient, _)| recipient)
            .collect())
    }

    /// Every recipient, with its row as stored: (property id, type, stored bytes) per
    /// present cell, the table's own row id and version columns left out. The table is
    /// read once for both: a copy needs the row, and the names from it.
    pub fn recipients_with_rows(&self) -> Result<Vec<(Recipient, Vec<StoredProperty>)>> {
        self.recipient_table(None)
    }

    /// Each row's recipient and its cells: those of `only` when given, else all.
    fn recipient_table(
        &self,
        only: Option<&[u16]>,
    ) -> Result<Vec<(Recipient, Vec<StoredProperty>)>> {
        let Some(node) = self.pc.node().find_subnode(Nid::RECIPIENT_TABLE)? else {
            return Ok(Vec::new());
        };
        let (ndb, nid) = (node.ndb, node.nid);
        let table = TableContext::open(node)?;
        let ids: Vec<u16> = table
            .columns()
            .iter()
            .map(|c| c.id)
            .filter(|&id| !matches!(id, tags::LTP_ROW_ID | tags::LTP_ROW_VERSION))
            .filter(|id| only.is_none_or(|only| only.contains(id)))
            .collect();
        let ctx = |e: Error| ndb.ctx(e.with_nid(nid.0));
        (0..table.len())
            .map(|r| {
                let mut cells = Vec::with_capacity(ids.len());
                for &id in &ids {
                    if let Some((t, bytes)) = table.raw_cell(r, id)? {
                        cells.push((id, t, bytes));
                    }
                }
                let recipient = Recipient::from_cells(&cells).map_err(ctx)?;
                Ok((recipient, cells))
            })
            .collect()
    }

    /// The ids of the attachments, in attachment-table order.
    pub fn attachment_nids(&self) -> Result<Vec<Nid>> {
        let Some(node) = self.pc.node().find_subnode(Nid::ATTACHMENT_TABLE)? else {
            return Ok(Vec::new());
        };
        let table = TableContext::open(node)?;
        Ok((0..table.len()).map(|r| Nid(table.row_id(r))).collect())
    }

    fn attachment_pc(&self, nid: Nid) -> Result<PropertyContext<'a>> {
        PropertyContext::open(self.pc.node().subnode(nid)?)
    }

    /// Every property of one attachment as stored, in id order, each value read on its
    /// own so that one damaged value (the data, say) leaves the others readable.
    pub fn attachment_properties(&self, attachment: Nid) -> Result<Vec<RawValue>> {
        Ok(raw_values(&self.attachment_pc(attachment)?))
    }

    pub fn attachments(&self) -> Result<Vec<AttachmentInfo>> {
        self.attachment_nids()?
            .into_iter()
            .map(|nid| {
                let pc = self.attachment_pc(nid)?;
                let is_file = pc.tags().any(|(id, t)| {
                    id == tags::ATTACH_DATA && t == crate::store::ltp::ptype::BINARY
                });
                // Damaged data does not keep the attachment off the list: reading it says so.
                let data_size = match pc.raw(tags::ATTACH_DATA) {
                    Ok(Some((_, b))) if is_file => Some(b.len()),
                    _ => None,
                };
                Ok(AttachmentInfo {
                    nid,
                    file_name: match pc.text(tags::ATTACH_LONG_FILENAME)? {
                        Some(n) => Some(n),
                        None => pc.text(tags::ATTACH_FILENAME)?,
                    },
                    display_name: pc.text(tags::DISPLAY_NAME)?,
                    mime_type: pc.text(tags::ATTACH_MIME_TAG)?,
                    method: pc.int(tags::ATTACH_METHOD)?,
                    size: pc.int(tags::ATTACH_SIZE)?,
                    is_file,
                    data_size,
                })
            })
            .collect()
    }

    /// One attachment read whole for copying: what [`Message::attachments`] lists of it and
    /// every property as stored, each value read once (an attached file's data is the
    /// largest thing in a store, and read only here), on its own, so that one damaged value
    /// leaves the others readable.
    pub fn attachment(&self, attachment: Nid) -> Result<Attachment> {
        let values = raw_values(&self.attachment_pc(attachment)?);
        let value = |id: u16| {
            values
                .iter()
                .find(|v| v.id == id)
                .and_then(|v| Some((v.ptype, v.bytes.as_ref().ok()?)))
                .and_then(|(t, b)| crate::store::ltp::prop::decode(t, b).ok())
        };
        let text = |id: u16| match value(id) {
            Some(PropValue::Text(s)) => Some(s),
            _ => None,
        };
        let data = values
            .iter()
            .find(|v| v.id == tags::ATTACH_DATA && v.ptype == crate::store::ltp::ptype::BINARY);
        let info = AttachmentInfo {
            nid: attachment,
            file_name: text(tags::ATTACH_LONG_FILENAME).or_else(|| text(tags::ATTACH_FILENAME)),
            display_name: text(tags::DISPLAY_NAME),
            mime_type: text(tags::ATTACH_MIME_TAG),
            method: value(tags::ATTACH_METHOD).and_then(|v| v.as_i64()),
            size: value(tags::ATTACH_SIZE).and_then(|v| v.as_i64()),
            is_file: data.is_some(),
            data_size: data.and_then(|d| d.bytes.as_ref().ok().map(Vec::len)),
        };
        Ok(Attachment { info, values })
    }

    /// The item an attachment holds instead of a file (a forwarded message, a meeting's
    /// exception): the message in the attachment's own subnodes that its PtypObject data
    /// names ([MS-PST] 2.3.3.5). `None` for a file or a link.
    pub fn embedded(&self, attachment: Nid) -> Result<Option<Message<'a>>> {
        let node = self.pc.node().subnode(attachment)?;
        let pc = PropertyContext::open(Node::new(self.ndb, node.nid, node.bid_data, node.bid_sub))?;
        let Some(crate::store::ltp::PropValue::Object { nid, .. }) = pc.get(tags::ATTACH_DATA)?
        else {
            return Ok(None);
        };
        let inner = node.subnode(Nid(nid))?;
        Ok(Some(Message {
            ndb: self.ndb,
            nid: inner.nid,
            pc: PropertyContext::open(inner)?,
        }))
    }

    /// The bytes of an attached file, read only when asked for.
    pub fn attachment_data(&self, attachment: Nid) -> Result<Vec<u8>> {
        let pc = self.attachment_pc(attachment)?;
        match pc.raw(tags::ATTACH_DATA)? {
            Some((t, b)) if t == crate::store::ltp::ptype::BINARY => Ok(b),
            Some((t, _)) => Err(self.ndb.ctx(
                Error::mismatch(
                    "attachment",
                    "data type",
                    "binary file data",
                    format!("property type 0x{t:04X} (an embedded item)"),
                )
                .with_nid(attachment.0),
            )),
            None => Ok(Vec::new()),
        }
    }
}

/// Every property of a property context as stored, in id order, each value read on its
/// own so that one damaged value leaves the others readable.
fn raw_values(pc: &PropertyContext) -> Vec<RawValue> {
    pc.tags()
        .map(|(id, ptype)| RawValue {
            id,
            ptype,
            bytes: pc.raw(id).map(|v| v.map(|(_, b)| b).unwrap_or_default()),
        })
        .collect()
}

/// Visible text of an HTML body: markup, comments, the head, scripts and styles removed,
/// common entities decoded.
pub fn html_to_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut i = 0;
    while let Some(rel) = html[i..].find('<') {
        let lt = i + rel;
        out.push_str(&decode_entities(&html[i..lt]));
        let tail = &lower[lt..];
        // Elements whose whole content is hidden, and comments (Word's conditional XML).
        let hidden_end = [
            ("<!--", "-->"),
            ("<head", "</head>"),
            ("<style", "</style>"),
            ("<script", "</script>"),
            ("<xml", "</xml>"),
        ]
        .iter()
        .find(|(open, _)| tail.starts_with(open))
        .map(|(_, close)| {
            tail.find(close)
                .map_or(html.len(), |e| lt + e + close.len())
        });
        let end = hidden_end.unwrap_or_else(|| tail.find('>').map_or(html.len(), |e| lt + e + 1));
        let tag = &lower[lt..end];
        if ["<br", "<p", "</p", "<div", "</div", "<tr", "<li", "<h"]
            .iter()
            .any(|t| tag.starts_with(t))
        {
            out.push('\n');
        }
        i = end;
    }
    out.push_str(&decode_entities(&html[i..]));
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", "\u{00A0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
