//! Where a value is written in the knowledge file, so that problems found after parsing
//! (a duplicate id, a fix page that does not exist) name a line and column. RON keeps no
//! positions for parsed values; this reads the source again as field names and strings.

/// A 1-based line and column in characters, as RON counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };
}

#[derive(Debug, PartialEq)]
enum Kind {
    /// `name:`
    Field(String),
    Str(String),
}

struct Token {
    kind: Kind,
    at: Position,
}

pub struct SourceMap {
    tokens: Vec<Token>,
}

impl SourceMap {
    pub fn new(source: &str) -> SourceMap {
        SourceMap {
            tokens: scan(source),
        }
    }

    /// The string value of the `n`-th (from 0) `id:` field.
    pub fn entry(&self, n: usize) -> Option<usize> {
        self.tokens
            .windows(2)
            .enumerate()
            .filter(|(_, w)| {
                w[0].kind == Kind::Field("id".into()) && matches!(w[1].kind, Kind::Str(_))
            })
            .nth(n)
            .map(|(i, _)| i + 1)
    }

    /// The first string written for `field` after token `from` and before the next entry.
    pub fn field_after(&self, from: usize, field: &str) -> Option<Position> {
        let mut i = from + 1;
        while i + 1 < self.tokens.len() {
            match &self.tokens[i].kind {
                Kind::Field(f) if f == "id" => return None,
                Kind::Field(f) if f == field => {
                    return self.tokens[i + 1..]
                        .iter()
                        .find(|t| matches!(t.kind, Kind::Str(_)))
                        .map(|t| t.at);
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The first string written for `field` inside the top-level `section:`.
    pub fn in_section(&self, section: &str, field: &str) -> Option<Position> {
        let start = self
            .tokens
            .iter()
            .position(|t| t.kind == Kind::Field(section.into()))?;
        self.field_after(start, field)
    }

    /// The first string equal to `value` after the field `section:`.
    pub fn string_in(&self, section: &str, value: &str) -> Option<Position> {
        let start = self
            .tokens
            .iter()
            .position(|t| t.kind == Kind::Field(section.into()))?;
        self.tokens[start..]
            .iter()
            .find(|t| t.kind == Kind::Str(value.into()))
            .map(|t| t.at)
    }

    pub fn at(&self, token: usize) -> Position {
        self.tokens.get(token).map_or(Position::START, |t| t.at)
    }
}

fn scan(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let (mut line, mut column) = (1, 1);
    let mut i = 0;
    // Advances over `n` characters, keeping the position.
    let step = |i: &mut usize, line: &mut usize, column: &mut usize, n: usize| {
        for _ in 0..n {
            if *i >= chars.len() {
                return;
            }
            if chars[*i] == '\n' {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                step(&mut i, &mut line, &mut column, 1);
            }
        } else if c == '/' && next == Some('*') {
            step(&mut i, &mut line, &mut column, 2);
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                step(&mut i, &mut line, &mut column, 1);
            }
            step(&mut i, &mut line, &mut column, 2);
        } else if c == '"' {
            let at = Position { line, column };
            step(&mut i, &mut line, &mut column, 1);
            let mut value = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    step(&mut i, &mut line, &mut column, 1);
                }
                if let Some(&ch) = chars.get(i) {
                    value.push(ch);
                }
                step(&mut i, &mut line, &mut column, 1);
            }
            step(&mut i, &mut line, &mut column, 1);
            tokens.push(Token {
                kind: Kind::Str(value),
                at,
            });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let at = Position { line, column };
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                step(&mut i, &mut line, &mut column, 1);
            }
            let word: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if chars.get(j) == Some(&':') {
                tokens.push(Token {
                    kind: Kind::Field(word),
                    at,
                });
            }
        } else {
            step(&mut i, &mut line, &mut column, 1);
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "// a comment with \"quotes\" and id: \"no\"\n(\n  unknown: (fix: \"a/b\"),\n  entries: [\n    (id: \"first\", fix: \"x/y\"),\n    /* id: \"hidden\" */ (id: \"sec\\\"ond\",\n      fix: \"p/q\"),\n  ],\n)\n";

    #[test]
    fn finds_entries_and_their_fields() {
        let map = SourceMap::new(SOURCE);
        let first = map.entry(0).unwrap();
        assert_eq!(
            map.at(first),
            Position {
                line: 5,
                column: 10
            }
        );
        assert_eq!(
            map.field_after(first, "fix"),
            Some(Position {
                line: 5,
                column: 24
            })
        );
        let second = map.entry(1).unwrap();
        assert_eq!(
            map.at(second),
            Position {
                line: 6,
                column: 29
            }
        );
        assert_eq!(
            map.field_after(second, "fix"),
            Some(Position {
                line: 7,
                column: 12
            })
        );
        assert_eq!(map.entry(2), None);
        assert_eq!(
            map.in_section("unknown", "fix"),
            Some(Position {
                line: 3,
                column: 18
            })
        );
        assert_eq!(
            map.string_in("entries", "x/y"),
            Some(Position {
                line: 5,
                column: 24
            })
        );
    }
}
