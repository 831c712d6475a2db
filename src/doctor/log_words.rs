//! A synchronization log summed up in words, in each language: how long ago it was
//! written, how many lines it has and how many of them report an error. The saved report
//! and the window's log view say it alike, so a person reading one and a helpdesk reading
//! the other count the same lines and the same days.

use crate::diagnose::sync_log::{Action, Event};
use crate::wizard::Language;

/// What an age is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// The saved report: "3 days before this report", which stays true when it is read
    /// a week later.
    Report,
    /// The window: "3 days ago", counted from the moment it is shown.
    Now,
}

/// One way of saying an age: under an hour; (one, other) hours; (one, other) days, with
/// # for the number.
struct Ages {
    under_an_hour: &'static str,
    hours: (&'static str, &'static str),
    days: (&'static str, &'static str),
}

const BEFORE_REPORT: [Ages; 3] = [
    Ages {
        under_an_hour: "less than an hour before this report",
        hours: ("# hour before this report", "# hours before this report"),
        days: ("# day before this report", "# days before this report"),
    },
    Ages {
        under_an_hour: "minder dan een uur voor dit rapport",
        hours: ("# uur voor dit rapport", "# uur voor dit rapport"),
        days: ("# dag voor dit rapport", "# dagen voor dit rapport"),
    },
    Ages {
        under_an_hour: "menos de uma hora antes deste relatório",
        hours: (
            "# hora antes deste relatório",
            "# horas antes deste relatório",
        ),
        days: (
            "# dia antes deste relatório",
            "# dias antes deste relatório",
        ),
    },
];

const AGO: [Ages; 3] = [
    Ages {
        under_an_hour: "less than an hour ago",
        hours: ("# hour ago", "# hours ago"),
        days: ("# day ago", "# days ago"),
    },
    Ages {
        under_an_hour: "minder dan een uur geleden",
        hours: ("# uur geleden", "# uur geleden"),
        days: ("# dag geleden", "# dagen geleden"),
    },
    Ages {
        under_an_hour: "há menos de uma hora",
        hours: ("há # hora", "há # horas"),
        days: ("há # dia", "há # dias"),
    },
];

/// (one, other) lines, with # for the count.
const LINES: [(&str, &str); 3] = [
    ("# line", "# lines"),
    ("# regel", "# regels"),
    ("# linha", "# linhas"),
];

/// (one, other) of the lines report an error; and none does.
const ERROR_LINES: [(&str, &str, &str); 3] = [
    (
        "# reports an error",
        "# report an error",
        "none reports an error",
    ),
    (
        "# meldt een fout",
        "# melden een fout",
        "geen enkele meldt een fout",
    ),
    (
        "# indica um erro",
        "# indicam um erro",
        "nenhuma indica um erro",
    ),
];

fn index(lang: Language) -> usize {
    match lang {
        Language::English => 0,
        Language::Dutch => 1,
        Language::Portuguese => 2,
    }
}

/// How long `seconds` is, in words: hours up to two days (a log of yesterday evening is
/// "20 hours", not "0 days"), then whole days. A time ahead (a computer's clock set
/// wrong) counts as under an hour rather than as a negative age.
pub fn age(lang: Language, seconds: i64, since: Since) -> String {
    let ages = match since {
        Since::Report => &BEFORE_REPORT[index(lang)],
        Since::Now => &AGO[index(lang)],
    };
    let hours = seconds.max(0) / 3600;
    if hours < 1 {
        ages.under_an_hour.to_owned()
    } else if hours < 48 {
        lang.counted(hours, ages.hours.0, ages.hours.1)
    } else {
        lang.counted(hours / 24, ages.days.0, ages.days.1)
    }
}

/// "10 lines".
pub fn lines(lang: Language, count: usize) -> String {
    let (one, other) = LINES[index(lang)];
    lang.counted(count as i64, one, other)
}

/// "2 report an error", or "none reports an error".
pub fn error_lines(lang: Language, count: usize) -> String {
    let (one, other, none) = ERROR_LINES[index(lang)];
    if count == 0 {
        none.to_owned()
    } else {
        lang.counted(count as i64, one, other)
    }
}

/// A line that reports a failure: the error vector, the item or step that failed.
pub fn is_error(e: &Event) -> bool {
    matches!(
        e.action,
        Action::Terminated | Action::ErrorItem | Action::ErrorVector | Action::Error
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_age_is_said_in_hours_then_days_in_every_language() {
        const HOUR: i64 = 3600;
        let cases = [
            (Language::English, 59 * 60, "less than an hour ago"),
            (Language::English, HOUR, "1 hour ago"),
            (Language::English, 47 * HOUR, "47 hours ago"),
            (Language::English, 3 * 24 * HOUR + 2 * HOUR, "3 days ago"),
            (Language::English, -5 * HOUR, "less than an hour ago"),
            (Language::Dutch, 24 * 49 * HOUR, "49 dagen geleden"),
            (Language::Dutch, 2 * HOUR, "2 uur geleden"),
            (Language::Portuguese, 2 * 24 * HOUR, "há 2 dias"),
            (Language::Portuguese, HOUR + 1, "há 1 hora"),
        ];
        for (lang, seconds, said) in cases {
            assert_eq!(age(lang, seconds, Since::Now), said, "{lang:?} {seconds}");
        }
        assert_eq!(
            age(Language::English, 3 * 24 * HOUR, Since::Report),
            "3 days before this report"
        );
        assert_eq!(
            age(Language::Portuguese, 30 * 60, Since::Report),
            "menos de uma hora antes deste relatório"
        );
    }

    #[test]
    fn lines_are_counted_in_every_language() {
        assert_eq!(lines(Language::English, 1), "1 line");
        assert_eq!(lines(Language::Dutch, 10), "10 regels");
        assert_eq!(lines(Language::Portuguese, 2), "2 linhas");
        assert_eq!(error_lines(Language::English, 0), "none reports an error");
        assert_eq!(error_lines(Language::Dutch, 1), "1 meldt een fout");
        assert_eq!(error_lines(Language::Portuguese, 3), "3 indicam um erro");
    }
}
