//! `{fact.name}` in wizard text stands for the fact's value; `{{` and `}}` for braces.
//!
//! `{fact.name|one|other}` stands for one of two forms chosen by the fact's count (a number,
//! or how many entries a list has) under the page language's plural rule, with `#` in the
//! form standing for the count: `{backup.items|# item is|# items are}`. Counts are then
//! right in every language ("1 item is", "1 item staat", "0 item está") without "item(s)".
//!
//! `{fact.name|none|one|other}` adds a form for a count of 0, often empty: a sentence about
//! what was left out that says nothing when nothing was.

use super::facts::{FactValue, Facts};
use super::language::Language;

enum Piece<'a> {
    Literal(&'a str),
    Fact(&'a str),
    /// A fact's count in one of its forms: (name, none, one, other).
    Counted(&'a str, Option<&'a str>, &'a str, &'a str),
}

fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push(Piece::Literal(&rest[..i]));
        let brace = &rest[i..i + 1];
        let after = &rest[i + 1..];
        if after.starts_with(brace) {
            out.push(Piece::Literal(brace));
            rest = &after[1..];
        } else if brace == "}" {
            return Err("a `}` without its `{` (write `}}` for a brace)".to_owned());
        } else {
            let end = after
                .find('}')
                .ok_or("a `{` without its `}` (write `{{` for a brace)")?;
            let inside = &after[..end];
            let mut parts = inside.split('|');
            let name = parts.next().unwrap_or_default();
            if name.is_empty() || name.contains(char::is_whitespace) || name.contains('{') {
                return Err(format!("`{{{inside}}}` is not a fact name"));
            }
            let forms: Vec<&str> = parts.collect();
            out.push(match forms[..] {
                [] => Piece::Fact(name),
                [one, other] => Piece::Counted(name, None, one, other),
                [none, one, other] => Piece::Counted(name, Some(none), one, other),
                _ => {
                    return Err(format!(
                        "`{{{inside}}}` needs two forms, one and other (`{{{name}|# item|# items}}`), \
                         or three, none, one and other (`{{{name}||# item|# items}}`)"
                    ));
                }
            });
            rest = &after[end + 1..];
        }
    }
    out.push(Piece::Literal(rest));
    Ok(out)
}

/// The fact names a text refers to, in order; `Err` when its braces are malformed.
pub fn facts_named(text: &str) -> Result<Vec<&str>, String> {
    Ok(pieces(text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Fact(name) | Piece::Counted(name, ..) => Some(name),
            Piece::Literal(_) => None,
        })
        .collect())
}

/// The facts a text counts (`{name|one|other}`): they must be numbers or lists.
pub fn facts_counted(text: &str) -> Vec<&str> {
    pieces(text)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| match p {
            Piece::Counted(name, ..) => Some(name),
            _ => None,
        })
        .collect()
}

/// How many a value counts: a number itself, a list its entries.
fn count_of(value: &FactValue) -> Option<i64> {
    match value {
        FactValue::Int(n) => Some(*n),
        FactValue::List(items) => Some(items.len() as i64),
        FactValue::Bool(_) | FactValue::Text(_) => None,
    }
}

/// The text with each placeholder replaced by its fact's value, counts in `language`'s
/// forms. A fact not known is left as written: the loader makes that impossible for
/// shipped flows, and visible braces beat a panic or a silent blank.
pub fn fill(text: &str, facts: &Facts, language: Language) -> String {
    let Ok(pieces) = pieces(text) else {
        return text.to_owned();
    };
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Literal(s) => s.to_owned(),
            Piece::Fact(name) => facts
                .get(name)
                .map_or_else(|| format!("{{{name}}}"), |v| v.to_string()),
            Piece::Counted(name, none, one, other) => match facts.get(name).and_then(count_of) {
                Some(0) if none.is_some() => none.unwrap_or_default().replace('#', "0"),
                Some(n) => language.counted(n, one, other),
                None => match none {
                    Some(none) => format!("{{{name}|{none}|{one}|{other}}}"),
                    None => format!("{{{name}|{one}|{other}}}"),
                },
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_facts_and_braces() {
        let facts = Facts::new().with("compare.folders_differing", 3).with(
            "outlook.processes",
            vec!["OUTLOOK.EXE".into(), "WINWORD.EXE".into()],
        );
        assert_eq!(
            fill(
                "{compare.folders_differing} differ; close {outlook.processes} {{ok}}",
                &facts,
                Language::English
            ),
            "3 differ; close OUTLOOK.EXE, WINWORD.EXE {ok}"
        );
        assert_eq!(
            fill("{unknown.fact}", &facts, Language::English),
            "{unknown.fact}"
        );
    }

    #[test]
    fn counts_take_the_form_of_the_language() {
        let text = "{n|# item is|# items are} saved; {list|one folder|# folders}";
        let with = |n: i64, list: usize| {
            Facts::new()
                .with("n", n)
                .with("list", vec!["x".to_owned(); list])
        };
        assert_eq!(
            fill(text, &with(1, 1), Language::English),
            "1 item is saved; one folder"
        );
        assert_eq!(
            fill(text, &with(0, 3), Language::English),
            "0 items are saved; 3 folders"
        );
        assert_eq!(
            fill(text, &with(0, 0), Language::Dutch),
            "0 items are saved; 0 folders"
        );
        // Brazilian Portuguese counts 0 and 1 alike.
        assert_eq!(
            fill(text, &with(0, 0), Language::Portuguese),
            "0 item is saved; one folder"
        );
        assert_eq!(
            fill(text, &with(2, 1), Language::Portuguese),
            "2 items are saved; one folder"
        );
        // A fact that counts nothing is left as written.
        let words = Facts::new().with("n", "many");
        assert_eq!(
            fill("{n|one|other}", &words, Language::English),
            "{n|one|other}"
        );
    }

    #[test]
    fn a_count_of_none_can_have_its_own_form() {
        let text = "Saved.{lost|| # item was left out.| # items were left out.}";
        let lost = |n: i64| Facts::new().with("lost", n);
        assert_eq!(fill(text, &lost(0), Language::English), "Saved.");
        assert_eq!(
            fill(text, &lost(1), Language::English),
            "Saved. 1 item was left out."
        );
        // Portuguese counts 0 as one, but the form for none comes first.
        assert_eq!(fill(text, &lost(0), Language::Portuguese), "Saved.");
        assert_eq!(
            fill(text, &lost(3), Language::Dutch),
            "Saved. 3 items were left out."
        );
    }

    #[test]
    fn names_and_rejects() {
        assert_eq!(facts_named("a {x.y} b {z}").unwrap(), ["x.y", "z"]);
        assert!(facts_named("plain {{text}}").unwrap().is_empty());
        assert!(facts_named("open {x").is_err());
        assert!(facts_named("close x}").is_err());
        assert!(facts_named("empty {}").is_err());
        assert!(facts_named("space {a b}").is_err());
        assert_eq!(facts_named("{n|# one|# more} {m}").unwrap(), ["n", "m"]);
        assert_eq!(facts_counted("{n|# one|# more} {m}"), ["n"]);
        assert!(facts_named("{n|only one form}").is_err());
        assert_eq!(facts_counted("{n||# one|# more}"), ["n"]);
        assert!(facts_named("{n|a|b|c|d}").is_err());
    }
}
