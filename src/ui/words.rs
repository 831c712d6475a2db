//! The app's own words, read from `assets/words.ron` (built in). Every phrase must be
//! there in every language: a missing one fails the load, so the test catches it.

use serde::Deserialize;

use crate::wizard::{Cause, Language};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    en: String,
    nl: String,
    pt: String,
}

impl Phrase {
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::English => &self.en,
            Language::Dutch => &self.nl,
            Language::Portuguese => &self.pt,
        }
    }
}

macro_rules! words {
    ($($name:ident),* $(,)?) => {
        #[derive(Clone, Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Words {
            $(pub $name: Phrase,)*
            /// What the library says it is doing (`work::Step::doing`, in English), by its
            /// English words; "{}" stands for a name it fills in.
            pub progress: std::collections::BTreeMap<String, Phrase>,
        }
    };
}

words!(
    start_heading,
    start_intro,
    found_stores,
    none_found,
    open_store,
    no_file_dialog,
    typed_path,
    mailbox_heading,
    mailbox_intro,
    server_none,
    server_imap,
    server_graph,
    imap_address,
    password,
    ca_file,
    cannot_read_ca,
    client_id,
    tenant,
    start,
    choose_first,
    no_such_file,
    back,
    next,
    cancel,
    apply,
    try_again,
    working,
    stopping,
    planning,
    plan_heading,
    plan_empty,
    export_folder,
    change_folder,
    no_folder_dialog,
    typed_folder,
    use_folder,
    language,
    theme,
    light,
    dark,
    text_size,
    folder,
    server_contains,
    offline_contains,
    last_synced,
    last_synced_hint,
    at_risk,
    behind,
    harmless,
    open_items,
    where_only,
    only_offline,
    only_server,
    mailbox_settings,
    test_connection,
    testing_connection,
    connection_works,
    sign_in_code,
    use_settings,
    settings_used,
    cause_no_server,
    cause_no_server_do,
    cause_address,
    cause_address_do,
    cause_silent,
    cause_silent_do,
    cause_certificate,
    cause_certificate_do,
    cause_sign_in,
    cause_sign_in_do,
    cause_other,
    cause_other_do,
    change_choice,
    change_address,
    change_password,
    change_certificate,
    change_tenant,
    open_settings,
    health_checking,
    health_failed,
    health_sound,
    health_items_read,
    health_damaged,
    health_and_more,
    health_damaged_next,
    copy_table,
    save_csv,
    saved_to,
    verdict,
    differs,
    only_differences,
    filter,
    no_comparison,
    only_offline_heading,
    none_only_offline,
    subject,
    date,
    problems_heading,
    no_problems,
    logs_heading,
    no_logs,
    save_report,
    report_saved,
    open_report,
    open_folder,
    cannot_open,
    start_over,
    healthy,
    fixed,
    stopped,
    unresolved,
);

impl Words {
    /// The headline a failure page shows for `cause`, and the one sentence of what to do.
    pub fn cause(&self, cause: Cause) -> (&Phrase, &Phrase) {
        match cause {
            Cause::NoServerSet => (&self.cause_no_server, &self.cause_no_server_do),
            Cause::AddressNotFound => (&self.cause_address, &self.cause_address_do),
            Cause::ServerSilent => (&self.cause_silent, &self.cause_silent_do),
            Cause::CertificateNotTrusted => (&self.cause_certificate, &self.cause_certificate_do),
            Cause::NotSignedIn => (&self.cause_sign_in, &self.cause_sign_in_do),
            Cause::Other => (&self.cause_other, &self.cause_other_do),
        }
    }
}

const SOURCE: &str = include_str!("../../assets/words.ron");

impl Words {
    /// What the library says it is doing, in `language`: its English words as they came
    /// when they are not in `progress` (a new step shows, untranslated, rather than not).
    pub fn progress_in(&self, doing: &str, language: Language) -> String {
        if let Some(phrase) = self.progress.get(doing) {
            return phrase.get(language).to_owned();
        }
        for (english, phrase) in &self.progress {
            let Some((before, after)) = english.split_once("{}") else {
                continue;
            };
            if let Some(name) = doing
                .strip_prefix(before)
                .and_then(|rest| rest.strip_suffix(after))
            {
                return phrase.get(language).replacen("{}", name, 1);
            }
        }
        doing.to_owned()
    }
}

impl Words {
    /// The built-in words. A broken file is a build defect that the tests catch, so the
    /// message says where.
    pub fn builtin() -> Result<Words, String> {
        ron::from_str(SOURCE).map_err(|e| format!("assets/words.ron:{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_in_every_language() {
        let words = Words::builtin().unwrap();
        for language in Language::ALL {
            assert!(!words.next.get(language).is_empty());
        }
    }

    /// Each cause is told apart at a glance, in every language: no two share a headline.
    #[test]
    fn every_cause_has_its_own_headline_in_every_language() {
        let words = Words::builtin().unwrap();
        for language in Language::ALL {
            let headlines: std::collections::HashSet<&str> = Cause::ALL
                .iter()
                .map(|&c| words.cause(c).0.get(language))
                .collect();
            assert_eq!(headlines.len(), Cause::ALL.len(), "{language:?}");
            for cause in Cause::ALL {
                assert!(!words.cause(cause).1.get(language).is_empty());
            }
        }
    }

    /// Every step a structure check reports is said in every language, and each entry's
    /// English is its key.
    #[test]
    fn the_checks_progress_is_said_in_every_language() {
        let words = Words::builtin().unwrap();
        for (english, phrase) in &words.progress {
            assert_eq!(english, phrase.get(Language::English));
            assert_eq!(
                english.matches("{}").count(),
                phrase.get(Language::Dutch).matches("{}").count()
            );
            assert_eq!(
                english.matches("{}").count(),
                phrase.get(Language::Portuguese).matches("{}").count()
            );
        }
        let scratch = crate::temp::TempDir::new("words");
        let dir = scratch.path();
        let path = dir.join("progress.ost");
        let options = crate::synthetic::GenOptions {
            target: crate::store::write::Target::Ost4k,
            folders: 2,
            messages: 20,
            seed: 1,
            sync_log_lines: Vec::new(),
            attachment_kb: None,
        };
        crate::synthetic::generate(&path, &options).unwrap();
        let said = std::sync::Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
        let record = std::sync::Arc::clone(&said);
        let mut work = crate::work::Work::new(crate::work::CancelToken::new(), move |step| {
            record.lock().unwrap().insert(step.doing.to_owned());
        });
        crate::store::check::check_store(&path, &mut work).unwrap();
        let said = said.lock().unwrap().clone();
        assert!(said.len() >= 8, "{said:?}");
        for doing in &said {
            for language in [Language::Dutch, Language::Portuguese] {
                assert_ne!(&words.progress_in(doing, language), doing, "{doing}");
            }
        }
        // A name filled in is carried into the other language.
        assert_eq!(
            words.progress_in("Waiting for Outlook (1234) to close", Language::Dutch),
            "Wachten tot Outlook (1234) is gesloten"
        );
        assert_eq!(
            words.progress_in("Something new", Language::Dutch),
            "Something new"
        );
    }

    #[test]
    fn a_missing_language_is_reported_with_its_place() {
        let broken = SOURCE.replacen(", pt: \"Escolha o arquivo de dados do Outlook\"", "", 1);
        let e = ron::from_str::<Words>(&broken).unwrap_err();
        assert!(e.to_string().contains("pt"), "{e}");
        assert!(e.span.start.line > 1);
    }
}
