//! Where a value is written in the knowledge file, so that problems found after parsing
//! (a duplicate id, a fix page that does not exist) name a line and column.

pub use crate::ron_source::Position;
use crate::ron_source::tokens::{Kind, Token, tokens};

pub struct SourceMap {
    tokens: Vec<Token>,
}

impl SourceMap {
    pub fn new(source: &str) -> SourceMap {
        SourceMap {
            tokens: tokens(source),
        }
    }

    /// Whether token `i` starts `name:`.
    fn is_field(&self, i: usize, name: &str) -> bool {
        self.tokens[i].is_ident(name)
            && self
                .tokens
                .get(i + 1)
                .is_some_and(|t| t.kind == Kind::Punct(':'))
    }

    fn field(&self, name: &str) -> Option<usize> {
        (0..self.tokens.len()).find(|&i| self.is_field(i, name))
    }

    /// The string value of the `n`-th (from 0) `id:` field.
    pub fn entry(&self, n: usize) -> Option<usize> {
        (0..self.tokens.len())
            .filter(|&i| {
                self.is_field(i, "id")
                    && self
                        .tokens
                        .get(i + 2)
                        .is_some_and(|t| matches!(t.kind, Kind::Str(_)))
            })
            .nth(n)
            .map(|i| i + 2)
    }

    /// The first string written for `field` after token `from` and before the next entry.
    pub fn field_after(&self, from: usize, field: &str) -> Option<Position> {
        let i = (from + 1..self.tokens.len())
            .take_while(|&i| !self.is_field(i, "id"))
            .find(|&i| self.is_field(i, field))?;
        self.tokens[i + 2..]
            .iter()
            .find(|t| matches!(t.kind, Kind::Str(_)))
            .map(|t| t.at)
    }

    /// The first string written for `field` inside the top-level `section:`.
    pub fn in_section(&self, section: &str, field: &str) -> Option<Position> {
        self.field_after(self.field(section)?, field)
    }

    /// The first string equal to `value` after the field `section:`.
    pub fn string_in(&self, section: &str, value: &str) -> Option<Position> {
        self.tokens[self.field(section)?..]
            .iter()
            .find(|t| t.kind == Kind::Str(value.into()))
            .map(|t| t.at)
    }

    pub fn at(&self, token: usize) -> Position {
        self.tokens.get(token).map_or(Position::START, |t| t.at)
    }
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
