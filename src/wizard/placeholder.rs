//! `{fact.name}` in wizard text stands for the fact's value; `{{` and `}}` for braces.

use super::facts::Facts;

enum Piece<'a> {
    Literal(&'a str),
    Fact(&'a str),
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
            let name = &after[..end];
            if name.is_empty() || name.contains(char::is_whitespace) || name.contains('{') {
                return Err(format!("`{{{name}}}` is not a fact name"));
            }
            out.push(Piece::Fact(name));
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
            Piece::Fact(name) => Some(name),
            Piece::Literal(_) => None,
        })
        .collect())
}

/// The text with each placeholder replaced by its fact's value. A fact not known is
/// left as written: the loader makes that impossible for shipped flows, and visible
/// braces beat a panic or a silent blank.
pub fn fill(text: &str, facts: &Facts) -> String {
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
                &facts
            ),
            "3 differ; close OUTLOOK.EXE, WINWORD.EXE {ok}"
        );
        assert_eq!(fill("{unknown.fact}", &facts), "{unknown.fact}");
    }

    #[test]
    fn names_and_rejects() {
        assert_eq!(facts_named("a {x.y} b {z}").unwrap(), ["x.y", "z"]);
        assert!(facts_named("plain {{text}}").unwrap().is_empty());
        assert!(facts_named("open {x").is_err());
        assert!(facts_named("close x}").is_err());
        assert!(facts_named("empty {}").is_err());
        assert!(facts_named("space {a b}").is_err());
    }
}
