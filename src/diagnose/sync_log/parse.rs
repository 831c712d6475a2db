//! A log body, as text, to events: one per line, with its clock time, what step it
//! reports, the folder being synchronized, a count, and an error vector.
//!
//! Outlook writes one step per line, `HH:MM:SS text`, indenting detail lines with tabs.
//! Lines it did not recognize are kept as plain text, so nothing in a log is lost.

use serde::Serialize;

use super::message::KnownMessage;
use super::vector::ErrorVector;
use super::words;

/// A log longer than this many lines is cut: no real log comes close, and the rest of a
/// runaway body would only cost memory.
pub const MAX_LINES: usize = 20_000;
/// Longer lines are cut to this many characters.
const MAX_LINE_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// "Synchronizer Version 16.0.4266"
    SynchronizerVersion,
    /// "Synchronizing Mailbox 'NAME'"
    Mailbox,
    /// "Synchronizing Hierarchy"
    Hierarchy,
    /// "Synchronizing server changes in folder 'Calendar'"
    ServerChanges,
    /// "Synchronizing local changes in folder 'Inbox'"
    LocalChanges,
    /// "Downloading from server 'URL'"
    Downloading,
    /// "Uploading to server 'URL'"
    Uploading,
    /// "N item(s) updated in offline folder"
    ItemsChanged,
    /// "N folder(s) added to offline store"
    FoldersChanged,
    /// "N view(s)/form(s) added to offline folder"
    ViewsChanged,
    /// "Synchronizing Organization Forms"
    OrganizationForms,
    /// "Downloading Offline Address Book"
    AddressBook,
    /// "Synchronizing Public Folders"
    PublicFolders,
    Done,
    /// "Terminated in error"
    Terminated,
    /// "Error synchronizing message 'X'"
    ErrorItem,
    /// "[8004010F-501-0-B20]"
    ErrorVector,
    /// Any other line that reports a failure.
    Error,
    Text,
}

impl Action {
    /// Steps of the synchronization itself, as opposed to error details.
    pub fn is_progress(self) -> bool {
        !matches!(
            self,
            Action::Terminated
                | Action::ErrorItem
                | Action::ErrorVector
                | Action::Error
                | Action::Text
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// 1-based line number in the body's text.
    pub line: usize,
    /// The line's clock time, 24-hour `HH:MM:SS` (the computer's local time).
    pub time: Option<String>,
    /// The local date, worked out from the message's time (see `clock`).
    pub date: Option<String>,
    pub action: Action,
    /// The folder being synchronized when the line was written.
    pub folder: Option<String>,
    pub count: Option<u64>,
    pub vector: Option<ErrorVector>,
    /// The line without its time, trimmed.
    pub text: String,
    #[serde(skip)]
    pub(super) seconds: Option<u32>,
}

/// What a body held: its events and what stood out while reading it.
pub struct Parsed {
    pub events: Vec<Event>,
    /// Lines that began with a clock time.
    pub timed_lines: usize,
    pub truncated: bool,
}

pub fn parse(body: &str) -> Parsed {
    let mut events = Vec::new();
    let mut folder: Option<String> = None;
    let mut timed_lines = 0;
    let mut truncated = false;
    for (n, raw) in body.lines().enumerate() {
        if events.len() >= MAX_LINES {
            truncated = true;
            break;
        }
        let raw: String = raw.chars().take(MAX_LINE_CHARS).collect();
        let (clock, rest) = match split_clock(&raw) {
            Some((secs, rest)) => {
                timed_lines += 1;
                (Some(secs), rest)
            }
            None => (None, raw.as_str()),
        };
        let text = rest.trim().trim_matches('\u{00A0}').trim();
        if text.is_empty() {
            continue;
        }
        let (action, count) = classify(text);
        if matches!(action, Action::ServerChanges | Action::LocalChanges) {
            folder = quoted(text);
        } else if matches!(action, Action::Mailbox | Action::Hierarchy | Action::Done) {
            folder = None;
        }
        events.push(Event {
            line: n + 1,
            time: clock.map(format_clock),
            date: None,
            action,
            folder: folder.clone(),
            count,
            vector: if action == Action::ErrorVector {
                ErrorVector::find(text)
            } else {
                None
            },
            text: text.to_string(),
            seconds: clock,
        });
    }
    Parsed {
        events,
        timed_lines,
        truncated,
    }
}

/// A leading `H:MM:SS` or `HH:MM:SS`, optionally with `AM`/`PM`, as seconds since
/// midnight, and the rest of the line.
fn split_clock(line: &str) -> Option<(u32, &str)> {
    let s = line.trim_start();
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let h_len = digits(0);
    if !(1..=2).contains(&h_len) || b.get(h_len) != Some(&b':') {
        return None;
    }
    let m_at = h_len + 1;
    if digits(m_at) != 2 || b.get(m_at + 2) != Some(&b':') {
        return None;
    }
    let s_at = m_at + 3;
    if digits(s_at) != 2 {
        return None;
    }
    let mut end = s_at + 2;
    let mut hour: u32 = s[..h_len].parse().ok()?;
    let min: u32 = s[m_at..m_at + 2].parse().ok()?;
    let sec: u32 = s[s_at..s_at + 2].parse().ok()?;
    // A 12-hour clock: "1:05:34 PM".
    let tail = &s[end..];
    let upper = tail.trim_start().get(..2).map(str::to_ascii_uppercase);
    if let Some(ap) = upper.filter(|u| u == "AM" || u == "PM") {
        let after = tail.trim_start()[2..].chars().next();
        if after.is_none_or(char::is_whitespace) && (1..=12).contains(&hour) {
            hour = hour % 12 + if ap == "PM" { 12 } else { 0 };
            end += tail.len() - tail.trim_start().len() + 2;
        }
    }
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let rest = &s[end..];
    // The time must stand on its own: "12:00:00abc" is not a stamped line.
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((hour * 3600 + min * 60 + sec, rest))
}

pub fn format_clock(secs: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The name between the first and the last single quote: `folder 'Sent Items'`.
pub fn quoted(text: &str) -> Option<String> {
    let start = text.find('\'')?;
    let end = text.rfind('\'')?;
    (end > start).then(|| text[start + 1..end].trim().to_string())
}

fn classify(text: &str) -> (Action, Option<u64>) {
    let l = text.to_lowercase();
    // A step is named by its words, never by a folder's or server's name in quotes
    // ('Public Folders', a URL holding "MailboxId").
    let words = unquoted(&l);
    let action = if l.starts_with("synchronizer version") || is_version_line(&words) {
        Action::SynchronizerVersion
    } else if words::is_one_of(&l, words::DONE) {
        Action::Done
    } else if words::starts_with_one_of(&l, words::TERMINATED)
        || (words.len() <= 40 && words::holds_one_of(&words, words::TERMINATED))
    {
        Action::Terminated
    } else if words::starts_with_one_of(&l, words::ERROR_ITEM) {
        Action::ErrorItem
    } else if ErrorVector::find(text).is_some() {
        Action::ErrorVector
    } else if let Some(action) = counted(&l) {
        return action;
    } else if is_failure(&l) {
        Action::Error
    } else if let Some(step) = step(&words, &l) {
        step
    } else {
        Action::Text
    };
    (action, None)
}

/// The step a line that reports no failure names, in any of the log languages.
fn step(words: &str, lower: &str) -> Option<Action> {
    // The most specific first: a folder's changes before the mailbox, whose word is
    // also part of folder names ("Postvak IN").
    let steps = [
        (&words::DOWNLOADING, Action::Downloading),
        (&words::UPLOADING, Action::Uploading),
        (&words::SERVER_CHANGES, Action::ServerChanges),
        (&words::LOCAL_CHANGES, Action::LocalChanges),
        (&words::ADDRESS_BOOK, Action::AddressBook),
        (&words::FORMS, Action::OrganizationForms),
        (&words::PUBLIC_FOLDERS, Action::PublicFolders),
        (&words::HIERARCHY, Action::Hierarchy),
    ];
    if let Some((_, action)) = steps.iter().find(|(step, _)| step.named_in(words)) {
        return Some(*action);
    }
    // "Synchronizing Mailbox 'NAME'": the mailbox step names its mailbox.
    (words::MAILBOX.named_in(words) && quoted(lower).is_some()).then_some(Action::Mailbox)
}

/// A lowered line with what stands between its first and last single quote emptied
/// (`folder ''`): the words of the line without the names in it, which differ from one
/// occurrence to the next ('Public Folders', a URL holding "MailboxId").
pub(super) fn unquoted(lower: &str) -> String {
    match (lower.find('\''), lower.rfind('\'')) {
        (Some(a), Some(b)) if b > a => format!("{}''{}", &lower[..a], &lower[b + 1..]),
        _ => lower.to_owned(),
    }
}

/// "Synchronizer Version 16.0.4266" in any language: a short line with a build number
/// (three or four dotted numbers) and nothing else numeric.
fn is_version_line(words: &str) -> bool {
    words.len() <= 60
        && words.split_whitespace().any(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            (3..=4).contains(&parts.len())
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// "1 item(s) updated in offline folder", "<#> folder(s) added to offline store", and
/// the same in the other log languages ("3 Element(e) ...", "2 pasta(s) ...").
fn counted(l: &str) -> Option<(Action, Option<u64>)> {
    let (first, rest) = l.split_once(char::is_whitespace)?;
    let count = match first {
        "<#>" => None,
        n => Some(n.parse::<u64>().ok()?),
    };
    let rest = rest.trim_start();
    let action = if words::starts_with_one_of(rest, words::ITEMS) {
        Action::ItemsChanged
    } else if words::starts_with_one_of(rest, words::FOLDERS) {
        Action::FoldersChanged
    } else if words::starts_with_one_of(rest, words::VIEWS) {
        Action::ViewsChanged
    } else {
        return None;
    };
    Some((action, count))
}

/// Words that mark a line as reporting a failure.
pub fn is_failure(lower: &str) -> bool {
    KnownMessage::find(lower).is_some() || words::holds_one_of(&unquoted(lower), words::FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_log_text() {
        let body = "13:41:51 Synchronizer Version 16.0.4266\n\
            13:41:51 Synchronizing Mailbox 'Pst Extractor'\n\
            13:41:51 Synchronizing server changes in folder 'Calendar'\n\
            13:41:51 Downloading from server 'https://outlook.office365.com/mapi/emsmdb/?MailboxId=00030000-40'\n\
            13:41:51 \t   1 item(s) updated in offline folder\n\
            13:41:51 \t   1 view(s)/form(s) added to offline folder\n\
            13:41:51 \t\t Could not connect to public folder server.\n\
            13:41:51 \t\t [0-0]\n\
            13:41:51 Done\n";
        let p = parse(body);
        assert_eq!(p.timed_lines, 9);
        let actions: Vec<Action> = p.events.iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [
                Action::SynchronizerVersion,
                Action::Mailbox,
                Action::ServerChanges,
                Action::Downloading,
                Action::ItemsChanged,
                Action::ViewsChanged,
                Action::Error,
                Action::ErrorVector,
                Action::Done
            ]
        );
        assert_eq!(p.events[4].count, Some(1));
        assert_eq!(p.events[4].folder.as_deref(), Some("Calendar"));
        assert_eq!(
            p.events[6].text,
            "Could not connect to public folder server."
        );
        assert_eq!(p.events[7].vector.as_ref().unwrap().code(), None);
        assert_eq!(p.events[8].folder, None);
        assert_eq!(p.events[0].time.as_deref(), Some("13:41:51"));
    }

    #[test]
    fn steps_in_other_languages() {
        let p = parse(
            "13:41:51 Synchronisatieversie 16.0.4266\n\
             13:41:51 Postvak 'Jan de Vries' synchroniseren\n\
             13:41:51 Hiërarchie synchroniseren\n\
             13:41:51 Serverwijzigingen in map 'Postvak IN' synchroniseren\n\
             13:41:51 \t   3 item(s) bijgewerkt in offlinemap\n\
             13:41:52 Lokale Änderungen im Ordner 'Gesendete Elemente' werden synchronisiert\n\
             13:41:52 \t   2 Element(e) hochgeladen\n\
             13:41:53 Sincronizando Pastas Públicas\n\
             13:41:53 Baixando do servidor 'https://outlook.office365.com/mapi/emsmdb/?MailboxId=x'\n\
             13:41:54 Concluído\n",
        );
        let actions: Vec<Action> = p.events.iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [
                Action::SynchronizerVersion,
                Action::Mailbox,
                Action::Hierarchy,
                Action::ServerChanges,
                Action::ItemsChanged,
                Action::LocalChanges,
                Action::ItemsChanged,
                Action::PublicFolders,
                Action::Downloading,
                Action::Done
            ]
        );
        assert_eq!(p.events[4].folder.as_deref(), Some("Postvak IN"));
        assert_eq!(p.events[4].count, Some(3));
        assert_eq!(p.events[6].folder.as_deref(), Some("Gesendete Elemente"));
    }

    /// Folder and server names are names: a folder called 'Public Folders' or a URL with
    /// "MailboxId" in it does not make its line another step.
    #[test]
    fn quoted_names_do_not_name_steps() {
        let p = parse(
            "9:00:00 Synchronizing server changes in folder 'Forms and Public Folders'\n\
             9:00:01 Downloading from server 'https://x/?MailboxId=hierarchy'\n\
             9:00:02 Synchronizing local changes in folder 'Mailbox backup'\n",
        );
        let actions: Vec<Action> = p.events.iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [
                Action::ServerChanges,
                Action::Downloading,
                Action::LocalChanges
            ]
        );
    }

    #[test]
    fn clocks_in_both_notations() {
        assert_eq!(split_clock("1:05:34 Done"), Some((3934, " Done")));
        assert_eq!(
            split_clock("1:05:34 PM Done"),
            Some((13 * 3600 + 334, " Done"))
        );
        assert_eq!(split_clock("12:00:01 AM x"), Some((1, " x")));
        assert_eq!(split_clock("8:28:33"), Some((8 * 3600 + 28 * 60 + 33, "")));
        for bad in [
            "",
            "Done",
            "25:00:00 x",
            "1:5:34 x",
            "12:00:00abc",
            "123:00:00 x",
        ] {
            assert_eq!(split_clock(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn counts_and_items() {
        let p = parse(
            "1:05:34       <#> folder(s) added to offline store\n\
             1:05:34 12 item(s) added to offline folder\n\
             9:00:00 Error synchronizing message 'Budget review'\n\
             9:00:00 [80070057-501-80070057-322]\n\
             9:00:00 The client operation failed.\n",
        );
        assert_eq!(p.events[0].action, Action::FoldersChanged);
        assert_eq!(p.events[0].count, None);
        assert_eq!(p.events[1].count, Some(12));
        assert_eq!(p.events[2].action, Action::ErrorItem);
        assert_eq!(quoted(&p.events[2].text).as_deref(), Some("Budget review"));
        assert_eq!(p.events[4].action, Action::Error);
    }

    #[test]
    fn junk_is_text_and_long_input_is_cut() {
        let p = parse("\u{0}\u{1}garbage \u{FFFD}\n[[[[\n::::\n");
        assert!(p.events.iter().all(|e| e.action == Action::Text));
        assert_eq!(p.timed_lines, 0);
        let long = "1:00:00 x\n".repeat(MAX_LINES + 5);
        let p = parse(&long);
        assert!(p.truncated);
        assert_eq!(p.events.len(), MAX_LINES);
    }
}
