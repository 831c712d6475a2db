//! Outlook's synchronization logs: the "Synchronization Log:" messages it writes to Sync
//! Issues (older versions: Deleted Items), read from the store, parsed into events, and
//! their errors grouped by the part of the synchronization and the code.
//!
//! - `locate`: which messages are logs; `body`: their text from text, RTF or HTML.
//! - `parse`: lines to events; `vector`: `[A-B-C-D]` error vectors; `clock`: dates.
//! - `group`: errors out of events, grouped; `section`, `message`: what they are about.

mod body;
mod clock;
mod group;
mod locate;
mod message;
mod parse;
mod section;
mod vector;
mod words;

use serde::Serialize;

pub use body::BodyKind;
pub use group::ErrorGroup;
pub use locate::Place;
pub use message::KnownMessage;
pub use parse::{Action, Event};
pub use section::Section;
pub use vector::{ErrorVector, hex8};

use crate::store::JobError;
use crate::store::{self, Store, filetime};
use crate::work::Work;

/// One log message and what it says.
#[derive(Debug, Clone, Serialize)]
pub struct SyncLog {
    /// The message's node id in the store.
    pub id: String,
    /// The folder it is in, from the root down.
    pub folder: Vec<String>,
    pub place: Place,
    pub subject: String,
    /// When the message was written, RFC 3339 UTC.
    pub time: Option<String>,
    /// The computer's offset from UTC when it wrote the log, as the clock times imply.
    pub utc_offset_minutes: Option<i32>,
    pub body: BodyKind,
    /// "Synchronizing Mailbox 'NAME'".
    pub mailbox: Option<String>,
    /// `MailboxId=...` in the server addresses it synchronized with (Outlook may cut it).
    pub mailbox_ids: Vec<String>,
    pub synchronizer_version: Option<String>,
    pub events: Vec<Event>,
    /// What went wrong reading it; the log is kept with whatever could be read.
    pub problem: Option<String>,
}

/// Every log in a store, and their errors grouped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncLogReport {
    pub logs: Vec<SyncLog>,
    /// Errors grouped by section and code, in order of first appearance.
    pub groups: Vec<ErrorGroup>,
    /// Folders that could not be searched, and why.
    pub problems: Vec<String>,
}

/// Reads every synchronization log in `store`. Fails only when the folder tree cannot be
/// read; a folder or a log that cannot be read is reported in the result.
pub fn read_sync_logs(store: &Store) -> Result<SyncLogReport, store::Error> {
    match read_sync_logs_with(store, &mut Work::quiet()) {
        Ok(r) => Ok(r),
        Err(JobError::Store(e)) => Err(e),
        // A quiet `Work` is never cancelled.
        Err(JobError::Cancelled(_)) => Ok(SyncLogReport::default()),
    }
}

/// As `read_sync_logs`, reporting progress to `work` and stopping when it is cancelled.
pub fn read_sync_logs_with(store: &Store, work: &mut Work<'_>) -> Result<SyncLogReport, JobError> {
    let folders = store.folders()?;
    let mut report = SyncLogReport::default();
    let candidates = locate::candidates(store, &folders, work, &mut report.problems)?;
    let total = candidates.len() as u64;
    let mut incidents = Vec::new();
    for (n, c) in candidates.into_iter().enumerate() {
        work.step(n as u64, total, "Reading synchronization logs")?;
        let log = match read_one(store, &c) {
            Some(log) => log,
            None => continue,
        };
        incidents.extend(group::incidents(report.logs.len(), &log.events));
        report.logs.push(log);
    }
    work.step(total, total, "Reading synchronization logs")?;
    report.groups = group::group(incidents);
    Ok(report)
}

/// Reads one candidate; `None` when it turns out not to be a log.
fn read_one(store: &Store, c: &locate::Candidate) -> Option<SyncLog> {
    let mut log = SyncLog {
        id: c.nid.to_string(),
        folder: c.folder.clone(),
        place: c.place,
        subject: String::new(),
        time: None,
        utc_offset_minutes: None,
        body: BodyKind::None,
        mailbox: None,
        mailbox_ids: Vec::new(),
        synchronizer_version: None,
        events: Vec::new(),
        problem: None,
    };
    let message = match store.message(c.nid) {
        Ok(m) => m,
        Err(e) => {
            log.problem = Some(format!("the message cannot be read: {e}"));
            return c.by_subject.then_some(log);
        }
    };
    let mut problems = Vec::new();
    let written = match message.summary() {
        Ok(s) => {
            log.subject = s.subject.unwrap_or_default();
            s.delivery_time.or(s.submit_time).or(s.creation_time)
        }
        Err(e) => {
            problems.push(format!("its properties cannot be read: {e}"));
            None
        }
    };
    let body = body::read(&message);
    problems.extend(body.problems);
    log.body = body.kind;
    let mut parsed = parse::parse(&body.text);
    // In Sync Issues, a message found by its body rather than its subject must look like
    // a log: several lines stamped with a time.
    if !c.by_subject && parsed.timed_lines < 2 {
        return None;
    }
    if parsed.truncated {
        problems.push(format!(
            "the body has more than {} lines; only the first were read",
            parse::MAX_LINES
        ));
    }
    if parsed.timed_lines == 0 {
        problems.push(match body.kind {
            BodyKind::None => "the message has no readable body".to_string(),
            _ => "the body holds no time-stamped log lines".to_string(),
        });
    }
    if let Some(ft) = written {
        log.time = Some(filetime::to_rfc3339(ft));
        log.utc_offset_minutes =
            clock::date_events(&mut parsed.events, filetime::to_unix_seconds(ft));
    }
    for e in &parsed.events {
        match e.action {
            Action::Mailbox if log.mailbox.is_none() => log.mailbox = parse::quoted(&e.text),
            Action::SynchronizerVersion if log.synchronizer_version.is_none() => {
                log.synchronizer_version = e
                    .text
                    .get("synchronizer version".len()..)
                    .map(|v| v.trim().to_string())
            }
            Action::Downloading | Action::Uploading => {
                if let Some(id) = mailbox_id(&e.text)
                    && !log.mailbox_ids.contains(&id)
                {
                    log.mailbox_ids.push(id);
                }
            }
            _ => {}
        }
    }
    log.events = parsed.events;
    if !problems.is_empty() {
        log.problem = Some(problems.join("; "));
    }
    Some(log)
}

/// `MailboxId=` in a server address, up to the end of the value.
fn mailbox_id(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("mailboxid=")? + "mailboxid=".len();
    let value: String = text[at..]
        .chars()
        .take_while(|c| !matches!(c, '&' | '\'' | '"' | ' ' | '\t'))
        .collect();
    (!value.is_empty()).then_some(value)
}

impl SyncLogReport {
    /// Logs found.
    pub fn count(&self) -> i64 {
        self.logs.len() as i64
    }

    /// Distinct error codes, eight upper-case hex digits, in order of first appearance.
    pub fn codes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.groups.iter().filter_map(|g| g.code.clone()) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Where each code occurred, as `section/CODE`.
    pub fn errors(&self) -> Vec<String> {
        self.groups.iter().filter_map(ErrorGroup::key).collect()
    }

    /// The known Outlook messages anywhere in the logs, by their stable names.
    pub fn messages(&self) -> Vec<String> {
        KnownMessage::ALL
            .iter()
            .filter(|m| {
                self.logs
                    .iter()
                    .flat_map(|l| &l.events)
                    .any(|e| KnownMessage::find(&e.text) == Some(**m))
            })
            .map(|m| m.id().to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of real log lines, so that random bodies reach every branch of the parser.
    const PIECES: &[&str] = &[
        "13:41:51 ",
        "1:05:34 PM ",
        "25:61:61 ",
        "\t",
        "\n",
        "\r\n",
        "[",
        "]",
        "-",
        "8004010F",
        "0",
        "501",
        "[0-0]",
        "'",
        "Synchronizing Mailbox 'x'",
        "Synchronizing Hierarchy",
        "Synchronizing server changes in folder 'Inbox'",
        "Downloading Offline Address Book",
        "Synchronizing Organization Forms",
        "Error synchronizing message 'y'",
        "Terminated in error",
        "The client operation failed.",
        "Could not connect to public folder server.",
        "<#> folder(s) added to offline store",
        "12 item(s) updated",
        "Done",
        "é",
        "\u{FFFD}",
        "MailboxId=",
        "\u{0}",
    ];

    proptest! {
        #[test]
        fn any_body_parses_and_groups_without_panicking(
            pieces in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(PIECES).prop_map(str::to_string),
                    any::<String>(),
                ],
                0..60,
            ),
            written in any::<i64>(),
        ) {
            let body = pieces.concat();
            let mut parsed = parse::parse(&body);
            let written = filetime::to_unix_seconds(written);
            clock::date_events(&mut parsed.events, written);
            let incidents = group::incidents(0, &parsed.events);
            let groups = group::group(incidents);
            for g in &groups {
                prop_assert!(g.occurrences >= 1);
                if let Some(c) = &g.code {
                    prop_assert_eq!(c.len(), 8);
                }
            }
            for e in &parsed.events {
                prop_assert!(!e.text.is_empty());
            }
        }
    }

    #[test]
    fn mailbox_id_up_to_the_quote() {
        assert_eq!(
            mailbox_id(
                "Downloading from server 'https://outlook.office365.com/mapi/emsmdb/?MailboxId=00030000-40'"
            )
            .as_deref(),
            Some("00030000-40")
        );
        assert_eq!(
            mailbox_id("Downloading from server 'x/?mailboxid=abc@contoso.com&foo=1'").as_deref(),
            Some("abc@contoso.com")
        );
        assert_eq!(
            mailbox_id("Downloading from server 'ex01.contoso.com'"),
            None
        );
    }
}
