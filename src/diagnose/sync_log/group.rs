//! Errors out of events, and errors grouped by what they are.
//!
//! One error spans several lines: what failed ("Error synchronizing message 'X'",
//! "Terminated in error", "Could not connect to public folder server."), the vector
//! `[8004010F-501-0-B20]`, then Outlook's gloss ("The client operation failed.", the
//! component). The lines before a vector open it; plain lines after it explain it until
//! a step of the synchronization or a new failure starts.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::message::KnownMessage;
use super::parse::{Action, Event, is_failure, quoted};
use super::section::{Section, named_in};

/// Distinct values kept per group, so a log with thousands of failed items stays small.
const MAX_KEPT: usize = 20;

/// One error as it appears in one log.
#[derive(Debug, Clone)]
pub struct Incident {
    pub log: usize,
    pub section: Section,
    pub code: Option<String>,
    pub vector: Option<String>,
    pub message: Option<KnownMessage>,
    pub texts: Vec<String>,
    pub folder: Option<String>,
    pub item: Option<String>,
    pub time: Option<String>,
}

/// Every occurrence of one kind of error, across all logs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorGroup {
    /// The part of the synchronization it happened in.
    pub section: Section,
    /// The error's code, eight upper-case hex digits; `None` for errors logged without one.
    pub code: Option<String>,
    /// The known Outlook message among its lines.
    pub message: Option<KnownMessage>,
    /// The error's words from its first occurrence.
    pub text: String,
    pub occurrences: usize,
    /// Distinct error vectors as written (`8004010F-501-0-B20`).
    pub vectors: Vec<String>,
    /// Distinct lines of text around it.
    pub texts: Vec<String>,
    pub folders: Vec<String>,
    /// Items named by "Error synchronizing message 'X'".
    pub items: Vec<String>,
    /// Indexes of the logs it occurs in.
    pub logs: Vec<usize>,
    /// Date and time of its first occurrence, local (`2021-08-12 13:41:51`).
    pub first_seen: Option<String>,
}

impl ErrorGroup {
    /// `section/CODE`, as the wizard's facts name an error; `None` without a code.
    pub fn key(&self) -> Option<String> {
        self.code
            .as_ref()
            .map(|c| format!("{}/{c}", self.section.key()))
    }
}

/// The errors in one log's events, in order.
pub fn incidents(log: usize, events: &[Event]) -> Vec<Incident> {
    let mut out: Vec<Incident> = Vec::new();
    let mut section = Section::Other;
    let mut pending: Vec<&Event> = Vec::new();
    // The incident that plain lines still explain.
    let mut open: Option<usize> = None;
    for e in events {
        if e.action.is_progress() {
            flush(log, section, &mut pending, &mut out);
            open = None;
            section = match e.action {
                Action::Mailbox | Action::ServerChanges | Action::LocalChanges => Section::Mailbox,
                Action::Hierarchy => Section::Hierarchy,
                Action::OrganizationForms => Section::OrganizationForms,
                Action::AddressBook => Section::OfflineAddressBook,
                Action::PublicFolders => Section::PublicFolders,
                Action::Done | Action::SynchronizerVersion => Section::Other,
                _ => section,
            };
            continue;
        }
        match e.action {
            Action::ErrorVector => {
                let before = std::mem::take(&mut pending);
                out.push(incident(log, section, before.into_iter().chain([e])));
                open = Some(out.len() - 1);
            }
            _ if opens(e) => {
                open = None;
                pending.push(e);
            }
            _ => match open {
                Some(i) => add_text(&mut out[i], e),
                None if !pending.is_empty() => pending.push(e),
                None => {}
            },
        }
    }
    flush(log, section, &mut pending, &mut out);
    out
}

/// A line that starts a new error rather than explaining the last one.
fn opens(e: &Event) -> bool {
    let l = e.text.to_lowercase();
    matches!(e.action, Action::ErrorItem | Action::Terminated)
        || KnownMessage::find(&l).is_some()
        || super::words::starts_with_one_of(&l, super::words::FAILURE_OPENING)
}

/// Lines that reported a failure without a vector after them are an error too.
fn flush(log: usize, section: Section, pending: &mut Vec<&Event>, out: &mut Vec<Incident>) {
    let lines = std::mem::take(pending);
    let failed = lines.iter().any(|e| {
        matches!(
            e.action,
            Action::ErrorItem | Action::Terminated | Action::Error
        ) || is_failure(&e.text.to_lowercase())
    });
    if failed {
        out.push(incident(log, section, lines.into_iter()));
    }
}

fn incident<'a>(log: usize, section: Section, lines: impl Iterator<Item = &'a Event>) -> Incident {
    let mut i = Incident {
        log,
        section,
        code: None,
        vector: None,
        message: None,
        texts: Vec::new(),
        folder: None,
        item: None,
        time: None,
    };
    for e in lines {
        if i.time.is_none() {
            i.time = match (&e.date, &e.time) {
                (Some(d), Some(t)) => Some(format!("{d} {t}")),
                (None, Some(t)) => Some(t.clone()),
                _ => None,
            };
            i.folder = e.folder.clone();
        }
        match &e.vector {
            Some(v) => {
                if i.vector.is_none() {
                    i.code = v.code();
                    i.vector = Some(v.text.clone());
                }
                // "Error: [80040115-0-0-0]" says more than its vector.
                if e.text != format!("[{}]", v.text) {
                    add_text(&mut i, e);
                }
            }
            None => add_text(&mut i, e),
        }
    }
    i.section = i.texts.iter().find_map(|t| named_in(t)).unwrap_or(section);
    i
}

fn add_text(i: &mut Incident, e: &Event) {
    if e.action == Action::ErrorItem && i.item.is_none() {
        i.item = quoted(&e.text);
    }
    if i.message.is_none() {
        i.message = KnownMessage::find(&e.text);
    }
    if let Some(s) = named_in(&e.text) {
        i.section = s;
    }
    i.texts.push(e.text.clone());
}

/// Groups incidents by section and code; errors without a code by their known message,
/// else by their words.
pub fn group(incidents: Vec<Incident>) -> Vec<ErrorGroup> {
    let mut groups: Vec<ErrorGroup> = Vec::new();
    let mut keys: HashMap<(Section, Option<String>, Option<KnownMessage>, String), usize> =
        HashMap::new();
    for inc in incidents {
        let words = if inc.code.is_none() && inc.message.is_none() {
            normalize(inc.texts.first().map_or("", String::as_str))
        } else {
            String::new()
        };
        let message_key = if inc.code.is_none() {
            inc.message
        } else {
            None
        };
        let key = (inc.section, inc.code.clone(), message_key, words);
        let at = match keys.get(&key) {
            Some(&at) => at,
            None => {
                keys.insert(key, groups.len());
                groups.push(ErrorGroup {
                    section: inc.section,
                    code: inc.code.clone(),
                    message: None,
                    text: inc
                        .texts
                        .first()
                        .cloned()
                        .or_else(|| inc.vector.as_ref().map(|v| format!("[{v}]")))
                        .unwrap_or_default(),
                    occurrences: 0,
                    vectors: Vec::new(),
                    texts: Vec::new(),
                    folders: Vec::new(),
                    items: Vec::new(),
                    logs: Vec::new(),
                    first_seen: inc.time.clone(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[at];
        g.occurrences += 1;
        g.message = g.message.or(inc.message);
        keep(&mut g.vectors, inc.vector);
        for t in inc.texts {
            keep(&mut g.texts, Some(t));
        }
        keep(&mut g.folders, inc.folder);
        keep(&mut g.items, inc.item);
        if !g.logs.contains(&inc.log) {
            g.logs.push(inc.log);
        }
    }
    groups
}

fn keep(list: &mut Vec<String>, value: Option<String>) {
    if let Some(v) = value
        && list.len() < MAX_KEPT
        && !list.contains(&v)
    {
        list.push(v);
    }
}

/// Words without the quoted names that differ between occurrences of one error.
fn normalize(text: &str) -> String {
    super::parse::unquoted(&text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn groups_of(body: &str) -> Vec<ErrorGroup> {
        group(incidents(0, &parse(body).events))
    }

    #[test]
    fn organization_forms_error_from_the_article() {
        let g = groups_of(
            "8:28:32 Synchronizing Organization Forms\n\
             8:28:33 Terminated in error\n\
             8:28:33 [8004010F-501-0-B20]\n\
             8:28:33 the client operation failed.\n\
             8:28:33 Microsoft Exchange Server Information Store\n",
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].key().as_deref(), Some("organization_forms/8004010F"));
        assert_eq!(g[0].text, "Terminated in error");
        assert_eq!(
            g[0].texts,
            [
                "Terminated in error",
                "the client operation failed.",
                "Microsoft Exchange Server Information Store"
            ]
        );
    }

    /// The same 8004010F in a Dutch, German and Portuguese log: each language names the
    /// step in its own word order, and the error must land in Organization Forms, not
    /// in the address book or the mailbox before it.
    #[test]
    fn organization_forms_error_in_other_languages() {
        for (forms, terminated, failed) in [
            (
                "Organisatieformulieren synchroniseren",
                "Beëindigd met fout",
                "De clientbewerking is mislukt.",
            ),
            (
                "Organisationsformulare werden synchronisiert",
                "Mit Fehler beendet",
                "Fehler beim Clientvorgang.",
            ),
            (
                "Sincronizando Formulários da Organização",
                "Terminado com erro",
                "Falha na operação do cliente.",
            ),
        ] {
            let body = format!(
                "8:28:30 Postvak 'Ana Souza' synchroniseren\n\
                 8:28:31 Offline-adresboek downloaden\n\
                 8:28:31 Gereed\n\
                 8:28:32 {forms}\n\
                 8:28:33 {terminated}\n\
                 8:28:33 [8004010F-501-0-B20]\n\
                 8:28:33 {failed}\n"
            );
            let g = groups_of(&body);
            assert_eq!(g.len(), 1, "{forms}: {g:?}");
            assert_eq!(
                g[0].key().as_deref(),
                Some("organization_forms/8004010F"),
                "{forms}"
            );
            assert_eq!(g[0].text, terminated);
        }
        // Downloading the address book, in German: the same code means something else.
        let g = groups_of(
            "10:00:00 Offlineadressbuch wird heruntergeladen\n\
             10:00:01 \tFehler: [8004010F-0-0-0]\n",
        );
        assert_eq!(g[0].key().as_deref(), Some("offline_address_book/8004010F"));
    }

    #[test]
    fn item_errors_group_by_code_and_keep_their_items() {
        let g = groups_of(
            "9:00:00 Synchronizing local changes in folder 'Inbox'\n\
             9:00:01 Error synchronizing message 'Budget review'\n\
             9:00:01 [80070057-501-80070057-322]\n\
             9:00:01 The client operation failed.\n\
             9:00:02 Error synchronizing message 'Team lunch'\n\
             9:00:02 [80070057-501-80070057-322]\n\
             9:00:02 The client operation failed.\n\
             9:00:03 Done\n",
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].key().as_deref(), Some("mailbox/80070057"));
        assert_eq!(g[0].occurrences, 2);
        assert_eq!(g[0].items, ["Budget review", "Team lunch"]);
        assert_eq!(g[0].folders, ["Inbox"]);
    }

    #[test]
    fn error_words_name_the_section_over_the_step() {
        let g = groups_of(
            "13:41:51 Synchronizing server changes in folder 'Calendar'\n\
             13:41:51 \t\t Could not connect to public folder server.\n\
             13:41:51 \t\t [0-0]\n\
             13:41:51 Done\n",
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].section, Section::PublicFolders);
        assert_eq!(g[0].code, None);
        assert_eq!(g[0].key(), None);
        assert_eq!(g[0].message, Some(KnownMessage::PublicFolderServer));
    }

    #[test]
    fn failure_without_vector_is_an_error() {
        let g = groups_of(
            "1:05:34 Synchronizing Mailbox 'testuser'\n\
             1:05:34 Synchronizing Hierarchy\n\
             1:05:34 Background Synchronization Error. See detailed logs in Deleted Items folder.\n\
             1:05:34 Done\n",
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].section, Section::Hierarchy);
        assert_eq!(g[0].message, Some(KnownMessage::BackgroundSyncError));
    }

    #[test]
    fn a_healthy_log_has_no_errors() {
        let g = groups_of(
            "1:05:34 Synchronizing Mailbox 'testuser'\n\
             1:05:34 Synchronizing Hierarchy\n\
             1:05:34       3 folder(s) added to offline store\n\
             1:05:34 Done\n",
        );
        assert!(g.is_empty());
    }

    #[test]
    fn address_book_download_error() {
        let g = groups_of(
            "10:00:00 Downloading Offline Address Book\n\
             10:00:01 Error: [8004010F-0-0-0]\n\
             10:00:01 The operation failed. An object could not be found.\n",
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].key().as_deref(), Some("offline_address_book/8004010F"));
    }
}
