//! Holds what an oracle wrote out of a store against what our reader reads from the store
//! the items came from: bodies and attached files, bent the way each oracle is documented
//! to bend them, and otherwise equal byte for byte.

use std::path::Path;

use ostdoctor::store::Store;
use ostdoctor::store::ltp::PropValue;
use ostdoctor::store::messaging::tags;

use super::{OracleAttachment, OracleBody, OracleItem, pffexport_attachment_name};

/// One item as our reader sees it, with everything the oracles can show.
#[derive(Debug, Clone)]
pub struct OurItem {
    pub subject: Option<String>,
    pub message_class: Option<String>,
    pub text: Option<String>,
    /// PR_HTML's bytes as stored.
    pub html: Option<Vec<u8>>,
    /// Decompressed RTF, one char per byte (that is how our reader hands it out).
    pub rtf: Option<String>,
    /// Attached files held as binary data, in attachment-table order; embedded items are
    /// not files and are left out.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Every folder of `store` (display-name path from the root folder's children; the root is
/// `[]`), in tree order with siblings in store order, with its contents-table items in table
/// order, as our reader reads them.
pub fn our_items(store: &Path) -> Vec<(Vec<String>, Vec<OurItem>)> {
    items_in_order(store, false)
}

/// As [`our_items`], each folder's items in the order an export writes them into its copy:
/// by node id (`copy::export` reads the source in that order).
pub fn our_items_as_copied(store: &Path) -> Vec<(Vec<String>, Vec<OurItem>)> {
    items_in_order(store, true)
}

fn items_in_order(store: &Path, by_nid: bool) -> Vec<(Vec<String>, Vec<OurItem>)> {
    let store = Store::open(store).unwrap_or_else(|e| panic!("our reader: {e}"));
    let folders = store
        .folders()
        .unwrap_or_else(|e| panic!("our reader: {e}"));
    let mut out = Vec::new();
    for f in folders {
        // Search folders hold links to items stored elsewhere, not items.
        let mut nids = if f.is_search_folder {
            Vec::new()
        } else {
            store
                .message_nids(f.nid)
                .unwrap_or_else(|e| panic!("our reader, {:?}: {e}", f.path))
        };
        if by_nid {
            nids.sort();
        }
        let items = nids
            .into_iter()
            .map(|nid| our_item(&store, nid).unwrap_or_else(|e| panic!("{:?}: {e}", f.path)))
            .collect();
        out.push((f.path, items));
    }
    out
}

fn our_item(store: &Store, nid: ostdoctor::store::ndb::Nid) -> ostdoctor::store::Result<OurItem> {
    let m = store.message(nid)?;
    let s = m.summary()?;
    let html = match m.properties().get(tags::HTML)? {
        Some(PropValue::Binary(b)) => Some(b),
        Some(PropValue::Text(t)) => Some(t.into_bytes()),
        _ => None,
    };
    let mut files = Vec::new();
    for a in m.attachments()? {
        if a.is_file {
            let name = a.file_name.clone().or(a.display_name.clone());
            files.push((name.unwrap_or_default(), m.attachment_data(a.nid)?));
        }
    }
    Ok(OurItem {
        subject: s.subject,
        message_class: s.message_class,
        text: m.body_text()?,
        html,
        rtf: m.body_rtf()?,
        files,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Pffexport,
    Readpst,
}

/// How much a comparison covered, so that a test can tell it compared something.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Compared {
    pub items: usize,
    pub bodies: usize,
    pub files: usize,
    pub file_bytes: usize,
}

impl std::ops::AddAssign for Compared {
    fn add_assign(&mut self, o: Compared) {
        self.items += o.items;
        self.bodies += o.bodies;
        self.files += o.files;
        self.file_bytes += o.file_bytes;
    }
}

/// Asserts that `theirs` (one folder's items as `tool` wrote them) shows `ours` (the same
/// folder's items as our reader read them from the source) item by item, in table order:
/// same count and subjects, and the bodies and files the tool shows equal to ours after
/// that tool's documented changes. `at` names the folder in failure messages.
pub fn assert_items_agree(
    tool: Tool,
    at: &str,
    ours: &[OurItem],
    theirs: &[OracleItem],
) -> Compared {
    let mut compared = Compared::default();
    assert_eq!(
        theirs.len(),
        ours.len(),
        "{tool:?} {at}: item count; ours {:?}",
        ours.iter().map(|i| &i.subject).collect::<Vec<_>>()
    );
    for (n, (o, t)) in ours.iter().zip(theirs).enumerate() {
        let at = format!("{tool:?} {at} item {} {:?}", n + 1, o.subject);
        let subject = o.subject.clone().unwrap_or_default();
        assert_eq!(
            t.subject.clone().unwrap_or_default(),
            subject,
            "{at}: subject"
        );
        let (bodies, files) = match tool {
            Tool::Pffexport => pffexport_view(o, &t.kind),
            Tool::Readpst => readpst_view(o, &t.kind),
        };
        assert_eq!(t.bodies, bodies, "{at}: bodies");
        assert_same_files(&at, &t.attachments, &files);
        compared += Compared {
            items: 1,
            bodies: bodies.len(),
            files: files.len(),
            file_bytes: files.iter().map(|f| f.data.len()).sum(),
        };
    }
    compared
}

/// pffexport writes one body: the plain text if the item has one (an empty one too), else
/// the HTML, else the RTF; all unchanged. Appointments get none. Attached files come in
/// table order under the names [`pffexport_attachment_name`] gives, except that meeting
/// requests and responses get none (the Outlook-written OST's own meetings have none either).
fn pffexport_view(o: &OurItem, kind: &str) -> (Vec<OracleBody>, Vec<OracleAttachment>) {
    let body = if kind == "Appointment" {
        None
    } else if let Some(t) = &o.text {
        Some(OracleBody::Text(t.clone()))
    } else if let Some(h) = &o.html {
        Some(OracleBody::Html(h.clone()))
    } else {
        o.rtf.as_deref().map(|r| OracleBody::Rtf(latin1_bytes(r)))
    };
    let shown = if kind == "Meeting" {
        &[][..]
    } else {
        &o.files[..]
    };
    let files = shown
        .iter()
        .map(|(name, data)| OracleAttachment {
            name: pffexport_attachment_name(name),
            data: data.clone(),
        })
        .collect();
    (body.into_iter().collect(), files)
}

/// readpst shows bodies and files of mail only; of mail it shows the text and the HTML
/// (every CR removed), the RTF as the file "rtf-body.rtf", and the attached files, each
/// bent by the rules in [`super::readpst`].
fn readpst_view(o: &OurItem, kind: &str) -> (Vec<OracleBody>, Vec<OracleAttachment>) {
    if kind != "Message" {
        return (Vec::new(), Vec::new());
    }
    let mut bodies = Vec::new();
    if let Some(t) = &o.text {
        bodies.push(OracleBody::Text(t.replace('\r', "")));
    }
    if let Some(h) = &o.html {
        bodies.push(OracleBody::Html(
            h.iter().copied().filter(|&b| b != b'\r').collect(),
        ));
    }
    let mut written: Vec<OracleAttachment> = Vec::new();
    let mut write = |name: &str, data: &[u8]| {
        let mut file = name.to_string();
        let mut k = 1;
        while written.iter().any(|w| w.name == file) {
            file = format!("{name}-{k}");
            k += 1;
        }
        written.push(OracleAttachment {
            name: file,
            data: data.to_vec(),
        });
    };
    if let Some(r) = &o.rtf {
        write("rtf-body.rtf", &latin1_bytes(r));
    }
    for (name, data) in o.files.iter().rev() {
        if !data.is_empty() && !name.contains('/') {
            write(name, data);
        }
    }
    written.sort_by(|a, b| a.name.cmp(&b.name));
    (bodies, written)
}

/// Our reader's decompressed RTF back to the bytes it was made from.
fn latin1_bytes(rtf: &str) -> Vec<u8> {
    rtf.chars().map(|c| c as u32 as u8).collect()
}

/// Same names in the same order and the same bytes; a difference is shown by its first
/// differing offset rather than as megabytes of numbers.
fn assert_same_files(at: &str, theirs: &[OracleAttachment], ours: &[OracleAttachment]) {
    let names = |files: &[OracleAttachment]| -> Vec<String> {
        files.iter().map(|f| f.name.clone()).collect()
    };
    assert_eq!(names(theirs), names(ours), "{at}: attachment names");
    for (t, o) in theirs.iter().zip(ours) {
        if t.data != o.data {
            let first = t
                .data
                .iter()
                .zip(&o.data)
                .position(|(a, b)| a != b)
                .unwrap_or(t.data.len().min(o.data.len()));
            panic!(
                "{at}: attachment {:?} differs: the tool has {} bytes, ours {}, first \
                 difference at offset {first}",
                t.name,
                t.data.len(),
                o.data.len()
            );
        }
    }
}
