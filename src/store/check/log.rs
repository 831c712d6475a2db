//! The scan log: what was examined and what was found, as text a helpdesk can read and as
//! JSON for scripts. It holds no times, so the same file always gives the same log.

use serde::Serialize;

use super::finding::{Finding, Severity};

/// How much of the store the check examined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Examined {
    /// Index (B-tree) pages read.
    pub pages: u64,
    /// Blocks read and verified.
    pub blocks: u64,
    /// Entries of the node index.
    pub nodes: u64,
    /// Folders reached from the root folder.
    pub folders: u64,
    /// Items (messages and hidden items) whose properties were read.
    pub messages: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanLog {
    pub file: String,
    /// "pst", "ost" or "pab"; `None` when the header could not be read that far.
    pub format: Option<&'static str>,
    /// "ansi", "unicode" or "unicode-4k".
    pub variant: Option<&'static str>,
    pub size: u64,
    pub examined: Examined,
    pub tally: Tally,
    pub findings: Vec<Finding>,
    /// The store has a password: not damage, but Outlook asks for it before it opens the
    /// file, and a person who has forgotten it cannot open the store at all.
    pub password_protected: bool,
}

impl ScanLog {
    pub fn new(
        file: String,
        format: Option<&'static str>,
        variant: Option<&'static str>,
        size: u64,
        examined: Examined,
        findings: Vec<Finding>,
    ) -> ScanLog {
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        let tally = Tally {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
        };
        ScanLog {
            file,
            format,
            variant,
            size,
            examined,
            tally,
            findings,
            password_protected: false,
        }
    }

    /// True when at least one structure is broken. Warnings alone (a count out of step, a
    /// wasted block) do not make a store damaged.
    pub fn is_damaged(&self) -> bool {
        self.tally.errors > 0
    }

    /// One line per error or warning, errors first, for people to read.
    pub fn problem_lines(&self) -> Vec<String> {
        [Severity::Error, Severity::Warning]
            .iter()
            .flat_map(|&s| self.findings.iter().filter(move |f| f.severity == s))
            .map(|f| {
                format!(
                    "{} ({}): {} [{}: {}]",
                    label(f.severity),
                    f.class.name(),
                    f.meaning,
                    f.location(),
                    f.detail
                )
            })
            .collect()
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let e = &self.examined;
        out.push_str(&format!("Scan log for {}\n", self.file));
        let kind = match (self.format, self.variant) {
            (Some(f), Some(v)) => format!("{f} ({v})"),
            _ => "unknown".to_string(),
        };
        out.push_str(&format!("Format:   {kind}, {} bytes\n", self.size));
        if self.password_protected {
            out.push_str("Password: yes: Outlook asks for it before it opens the file\n");
        }
        out.push_str(&format!(
            "Examined: {} index pages, {} blocks, {} nodes, {} folders, {} items\n",
            e.pages, e.blocks, e.nodes, e.folders, e.messages
        ));
        let t = &self.tally;
        let verdict = if self.is_damaged() {
            "the store is damaged"
        } else if t.warnings > 0 {
            "no damage, but some inconsistencies"
        } else {
            "no problems found"
        };
        out.push_str(&format!(
            "Result:   {} {}, {} {}, {} {}: {verdict}.\n",
            t.errors,
            plural(t.errors, "error", "errors"),
            t.warnings,
            plural(t.warnings, "warning", "warnings"),
            t.info,
            plural(t.info, "note", "notes"),
        ));
        for (severity, title) in [
            (Severity::Error, "Errors"),
            (Severity::Warning, "Warnings"),
            (Severity::Info, "Notes"),
        ] {
            let group: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .collect();
            if group.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{title}\n"));
            for f in group {
                out.push_str(&format!("  [{}] {}\n", f.class.name(), f.location()));
                out.push_str(&format!("      {}\n", f.meaning));
                out.push_str(&format!("      Found: {}\n", f.detail));
            }
        }
        out
    }
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Note",
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::check::finding::Class;

    fn log(findings: Vec<Finding>) -> ScanLog {
        ScanLog::new(
            "Outlook.ost".into(),
            Some("ost"),
            Some("unicode-4k"),
            4096,
            Examined::default(),
            findings,
        )
    }

    #[test]
    fn warnings_alone_do_not_make_a_store_damaged() {
        let l = log(vec![Finding::new(Class::ContentCount, "folder", "10 vs 9")]);
        assert!(!l.is_damaged());
        assert_eq!(l.problem_lines().len(), 1);
        assert!(l.to_text().contains("no damage, but some inconsistencies"));
        let l = log(vec![
            Finding::new(Class::ContentCount, "folder", "10 vs 9"),
            Finding::new(Class::BlockCrc, "block", "checksum").bid(0x40),
        ]);
        assert!(l.is_damaged());
        let lines = l.problem_lines();
        assert!(lines[0].starts_with("Error (block_crc): "), "{}", lines[0]);
        assert!(
            lines[1].starts_with("Warning (content_count): "),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn text_groups_by_severity_under_a_summary() {
        let l = log(vec![
            Finding::new(Class::Refcount, "block", "too high")
                .bid(0x40)
                .severity(Severity::Warning),
            Finding::new(Class::PageCrc, "node B-tree page", "checksum").offset(0x4600),
        ]);
        let text = l.to_text();
        assert!(text.contains("Result:   1 error, 1 warning, 0 notes: the store is damaged."));
        let errors = text.find("\nErrors\n").unwrap();
        let warnings = text.find("\nWarnings\n").unwrap();
        assert!(errors < warnings, "{text}");
        assert!(
            text.contains("[page_crc] node B-tree page at offset 0x4600"),
            "{text}"
        );
    }
}
