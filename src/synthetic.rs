//! Deterministic synthetic stores for tests and benchmarks: plausible folders, people,
//! subjects, bodies and attachments, and a Sync Issues folder with Synchronization Log
//! messages carrying the lines asked for, stored as compressed RTF as Outlook stores them.

use std::path::Path;

use serde::Serialize;

use crate::store::error::{Error, Result};
use crate::store::filetime::from_unix_seconds;
use crate::store::ndb::{CryptMethod, Nid};
use crate::store::write::messaging::{
    DELETED_ITEMS, IPM_SUBTREE, NewAttachment, NewMessage, NewRecipient, StoreWriter,
};
use crate::store::write::ndb::Target;

pub struct GenOptions {
    pub target: Target,
    pub folders: usize,
    pub messages: usize,
    pub seed: u64,
    pub sync_log_lines: Vec<String>,
    /// When set, every attachment is this many KiB (for large benchmark stores); otherwise
    /// attachments are 200 bytes to 20 KB.
    pub attachment_kb: Option<usize>,
}

#[derive(Debug, Default, Serialize)]
pub struct GenSummary {
    pub folders: usize,
    pub messages: usize,
    pub attachments: usize,
    pub sync_logs: usize,
}

/// xorshift64*: small, fast, and the same on every platform, so a seed names a store.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FIRST: [&str; 16] = [
    "Ana", "Jan", "Maria", "Pieter", "João", "Sophie", "Lucas", "Emma", "Daan", "Beatriz", "Tom",
    "Fatima", "Sanne", "Rui", "Olivia", "Noah",
];
const LAST: [&str; 12] = [
    "Souza", "de Vries", "Jansen", "Silva", "Bakker", "Pereira", "Smith", "Visser", "Costa",
    "Meijer", "Brown", "Santos",
];
const TOPICS: [&str; 16] = [
    "Quarterly report",
    "Project kickoff",
    "Invoice",
    "Meeting notes",
    "Travel plans",
    "Budget review",
    "Contract draft",
    "Team lunch",
    "Release schedule",
    "Customer feedback",
    "Offsite agenda",
    "Server maintenance",
    "Training session",
    "Proposal",
    "Holiday roster",
    "Status update",
];
const PREFIX: [&str; 4] = ["", "RE: ", "FW: ", ""];
const FOLDERS: [&str; 12] = [
    "Projects",
    "Clients",
    "Finance",
    "Archive 2023",
    "Newsletters",
    "Travel",
    "HR",
    "Receipts",
    "Team",
    "Suppliers",
    "Support",
    "Personal",
];
const WORDS: [&str; 20] = [
    "please", "find", "attached", "the", "latest", "version", "of", "our", "plan", "for", "next",
    "week", "let", "me", "know", "if", "anything", "changes", "thanks", "regards",
];

fn person(r: &mut Rng) -> (String, String) {
    let (f, l) = (r.pick(&FIRST), r.pick(&LAST));
    let email = format!(
        "{}.{}@example.com",
        f.to_lowercase().replace('ã', "a"),
        l.to_lowercase().replace(' ', "")
    );
    (format!("{f} {l}"), email)
}

fn body(r: &mut Rng, name: &str) -> String {
    let mut s = format!("Hello {name},\r\n\r\n");
    for _ in 0..1 + r.below(4) {
        let words: Vec<&str> = (0..8 + r.below(30)).map(|_| r.pick(&WORDS)).collect();
        s.push_str(&words.join(" "));
        s.push_str(".\r\n\r\n");
    }
    s.push_str("Best regards\r\n");
    s
}

/// `size` pseudo-random bytes, eight per draw so that gigabytes of attachments stay quick.
fn attachment_bytes(r: &mut Rng, size: usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(size.next_multiple_of(8));
    while data.len() < size {
        data.extend_from_slice(&r.next().to_le_bytes());
    }
    data.truncate(size);
    data
}

/// Writes a synthetic store at `dest`.
pub fn generate(dest: &Path, o: &GenOptions) -> Result<GenSummary> {
    if o.folders == 0 && o.messages > 0 {
        return Err(Error::malformed(
            "generator",
            "messages need at least one folder",
        ));
    }
    let mut r = Rng(o.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut w = StoreWriter::create(
        dest,
        o.target,
        CryptMethod::None,
        "Synthetic mailbox",
        o.seed,
    )?;
    let mut summary = GenSummary::default();
    // Inbox, Sent Items and Deleted Items first, then named folders, nested now and then.
    let mut folders: Vec<Nid> = Vec::new();
    for i in 0..o.folders {
        let nid = match i {
            0 => w.add_folder(IPM_SUBTREE, "Inbox", Some("IPF.Note"))?,
            1 => w.add_folder(IPM_SUBTREE, "Sent Items", Some("IPF.Note"))?,
            2 => DELETED_ITEMS,
            _ => {
                let parent = if folders.len() > 3 && r.below(3) == 0 {
                    folders[3 + r.below(folders.len() - 3)]
                } else {
                    IPM_SUBTREE
                };
                let base = FOLDERS[(i - 3) % FOLDERS.len()];
                let name = if i - 3 < FOLDERS.len() {
                    base.to_string()
                } else {
                    format!("{base} {}", (i - 3) / FOLDERS.len() + 1)
                };
                w.add_folder(parent, &name, Some("IPF.Note"))?
            }
        };
        folders.push(nid);
        summary.folders += 1;
    }
    let start = 1_640_995_200i64; // 2022-01-01
    for i in 0..o.messages {
        // Most mail lands in the Inbox, as it does in real mailboxes.
        let folder = if r.below(2) == 0 {
            folders[0]
        } else {
            folders[r.below(folders.len())]
        };
        let (from_name, from_email) = person(&mut r);
        let (to_name, to_email) = person(&mut r);
        let t = from_unix_seconds(start + (i as i64) * 1800 + r.below(1700) as i64);
        let subject = format!(
            "{}{} #{}",
            r.pick(&PREFIX),
            r.pick(&TOPICS),
            1000 + r.below(9000)
        );
        let attachments = if r.below(5) == 0 {
            let data = match o.attachment_kb {
                Some(kb) => attachment_bytes(&mut r, kb * 1024),
                None => {
                    let size = 200 + r.below(20_000);
                    (0..size).map(|k| (k as u64 ^ r.next()) as u8).collect()
                }
            };
            vec![NewAttachment {
                extra: Vec::new(),
                embedded: None,
                file_name: format!("document-{i}.pdf"),
                mime_type: Some("application/pdf".into()),
                data,
            }]
        } else {
            Vec::new()
        };
        summary.attachments += attachments.len();
        let m = NewMessage {
            message_class: "IPM.Note".into(),
            subject,
            sender_name: Some(from_name),
            sender_email: Some(from_email),
            delivery_time: Some(t),
            submit_time: Some(t - 30 * 10_000_000),
            creation_time: Some(t),
            modification_time: Some(t),
            flags: if r.below(4) == 0 { 0 } else { 1 },
            internet_message_id: Some(format!("<{}.{i}@synthetic.example.com>", o.seed)),
            body_text: Some(body(&mut r, &to_name)),
            recipients: vec![NewRecipient {
                extra: Vec::new(),
                display_name: to_name,
                email_address: to_email,
                address_type: "SMTP".into(),
                kind: 1,
            }],
            attachments,
            ..NewMessage::default()
        };
        w.add_message(folder, &m)?;
        summary.messages += 1;
    }
    if !o.sync_log_lines.is_empty() {
        let sync = w.add_folder(IPM_SUBTREE, "Sync Issues", Some("IPF.Note"))?;
        for name in ["Conflicts", "Local Failures", "Server Failures"] {
            w.add_folder(sync, name, Some("IPF.Note"))?;
        }
        summary.folders += 4;
        let t = from_unix_seconds(start + o.messages as i64 * 1800);
        w.add_message(sync, &sync_log(&o.sync_log_lines, t)?)?;
        summary.sync_logs += 1;
    }
    w.finish()?;
    Ok(summary)
}

/// A "Synchronization Log:" message like Outlook's: each line stamped with a time, the body
/// only as compressed RTF.
pub fn sync_log(lines: &[String], time: i64) -> Result<NewMessage> {
    let secs = crate::store::filetime::to_unix_seconds(time).rem_euclid(86_400);
    let stamp = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    let mut rtf = String::from(
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\f0\\fs20 ",
    );
    for line in lines {
        rtf.push_str(&stamp);
        rtf.push(' ');
        for c in line.chars() {
            match c {
                '\\' | '{' | '}' => {
                    rtf.push('\\');
                    rtf.push(c);
                }
                '\t' => rtf.push_str("\\tab "),
                c if c.is_ascii() => rtf.push(c),
                c => rtf.push_str(&format!("\\u{}?", c as u32 as i16)),
            }
        }
        rtf.push_str("\\par\r\n");
    }
    rtf.push('}');
    let packed = compressed_rtf::compress_rtf(&rtf)
        .map_err(|e| Error::malformed("synchronization log", e.to_string()))?;
    Ok(NewMessage {
        message_class: "IPM.Note".into(),
        subject: "Synchronization Log: ".into(),
        sender_name: Some("Synthetic mailbox".into()),
        delivery_time: Some(time),
        creation_time: Some(time),
        modification_time: Some(time),
        submit_time: Some(time),
        flags: 1,
        body_rtf_compressed: Some(packed),
        ..NewMessage::default()
    })
}
