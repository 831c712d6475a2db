//! The languages wizard text is written in, and which one the system asks for.

use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    #[default]
    English,
    Dutch,
    Portuguese,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::English, Language::Dutch, Language::Portuguese];

    /// The field name used for this language in wizard files.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Dutch => "nl",
            Language::Portuguese => "pt",
        }
    }

    /// Whether `n` takes the singular ("one") form of a counted word ([CLDR] plural rules:
    /// English and Dutch say "1 item", "0 items"; Brazilian Portuguese, the Portuguese of
    /// this app's text, says "0 item" and "1 item" alike, "2 itens").
    pub fn is_one(self, n: i64) -> bool {
        match self {
            Language::English | Language::Dutch => n == 1,
            Language::Portuguese => n == 0 || n == 1,
        }
    }

    /// `n` in the form this language gives that count: `one` or `other`, with `#` in it
    /// standing for the number ("# item", "# items").
    pub fn counted(self, n: i64, one: &str, other: &str) -> String {
        let form = if self.is_one(n) { one } else { other };
        form.replace('#', &n.to_string())
    }

    /// The language's own name, for a language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Dutch => "Nederlands",
            Language::Portuguese => "Português",
        }
    }

    /// Reads a locale tag in BCP 47 (`nl-BE`) or POSIX (`pt_BR.UTF-8`) form; `None` for
    /// languages without wizard text.
    pub fn from_locale(tag: &str) -> Option<Language> {
        let primary = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Language::English),
            "nl" => Some(Language::Dutch),
            "pt" => Some(Language::Portuguese),
            _ => None,
        }
    }

    /// The first of the user's preferred locales that has wizard text, in order of
    /// preference; English when none has.
    pub fn pick<I: IntoIterator<Item = S>, S: AsRef<str>>(locales: I) -> Language {
        locales
            .into_iter()
            .find_map(|tag| Language::from_locale(tag.as_ref()))
            .unwrap_or_default()
    }

    /// The language the system asks for (on Unix: `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
    /// `LANG`; elsewhere the platform's setting).
    pub fn from_system() -> Language {
        Language::pick(sys_locale::get_locales())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.native_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_locale_forms() {
        assert_eq!(Language::from_locale("nl-NL"), Some(Language::Dutch));
        assert_eq!(Language::from_locale("nl_BE.UTF-8"), Some(Language::Dutch));
        assert_eq!(Language::from_locale("pt_BR"), Some(Language::Portuguese));
        assert_eq!(Language::from_locale("PT"), Some(Language::Portuguese));
        assert_eq!(Language::from_locale("en-US"), Some(Language::English));
        assert_eq!(Language::from_locale("de-DE"), None);
        assert_eq!(Language::from_locale("C"), None);
        assert_eq!(Language::from_locale(""), None);
    }

    #[test]
    fn picks_first_supported_preference() {
        assert_eq!(Language::pick(["fr-FR", "nl-NL", "en-US"]), Language::Dutch);
        assert_eq!(Language::pick(["de-DE"]), Language::English);
        assert_eq!(Language::pick(Vec::<String>::new()), Language::English);
    }
}
