//! Finds where something is written in a wizard file, so that errors found after
//! parsing (an unknown page, a missing translation) can name a line and column.

pub use crate::ron_source::Position;
use crate::ron_source::tokens::{Kind, Token, tokens};

/// What to look for inside a page.
#[derive(Clone, Debug, PartialEq)]
pub enum Needle {
    /// The page's own id.
    PageId,
    /// A string literal with this value (a target, a check name, a fact name).
    Str(String),
    /// A field name (`title`, `text`, `pages`).
    Field(&'static str),
    /// A field name after a string: `After("yes", "label")` is the label of the
    /// answer whose id is "yes".
    After(String, &'static str),
}

/// Where a semantic error sits: in the flow's own fields or in one page.
#[derive(Clone, Debug, PartialEq)]
pub enum Locus {
    /// The file as a whole (its name, say): its first line.
    File,
    Flow(Needle),
    Page {
        page: String,
        needle: Needle,
    },
    /// The `n`-th (from 0) page with this id, for duplicates.
    PageNth {
        page: String,
        nth: usize,
    },
}

pub struct SourceMap {
    tokens: Vec<Token>,
}

impl SourceMap {
    pub fn new(source: &str) -> SourceMap {
        SourceMap {
            tokens: tokens(source),
        }
    }

    /// The position of `locus`; the page's id when the needle is not found there, the
    /// start of the file when not even the page is.
    pub fn find(&self, locus: &Locus) -> Position {
        match locus {
            Locus::File => Position::START,
            Locus::Flow(needle) => self
                .flow_depth()
                .and_then(|depth| {
                    self.tokens
                        .iter()
                        .filter(|t| t.depth == depth)
                        .find(|t| needle.matches(&t.kind))
                })
                .map_or(Position::START, |t| t.at),
            Locus::Page { page, needle } => {
                let Some((start, end)) = self.page_span(page, 0) else {
                    return Position::START;
                };
                // The page's own id is not a match for anything inside the page.
                let found = match needle {
                    Needle::PageId => None,
                    Needle::After(anchor, field) => self
                        .index_of(start + 1, end, &Needle::Str(anchor.clone()))
                        .and_then(|i| self.index_of(i + 1, end, &Needle::Field(field))),
                    _ => self.index_of(start + 1, end, needle),
                };
                found.map_or(self.tokens[start].at, |i| self.tokens[i].at)
            }
            Locus::PageNth { page, nth } => self
                .page_span(page, *nth)
                .map_or(Position::START, |(start, _)| self.tokens[start].at),
        }
    }

    /// The depth of the flow's own fields: that of its `pages:` field.
    fn flow_depth(&self) -> Option<usize> {
        self.tokens
            .windows(2)
            .find_map(|w| match (&w[0].kind, &w[1].kind) {
                (Kind::Ident(f), Kind::Punct(':')) if f == "pages" => Some(w[0].depth),
                _ => None,
            })
    }

    /// Index of each page's id string token (`id: "start"` directly inside a page of
    /// `pages: [...]`), with the id.
    fn page_starts(&self) -> impl Iterator<Item = (usize, &str)> {
        let page_depth = self.flow_depth().map(|d| d + 2);
        self.tokens
            .windows(3)
            .enumerate()
            .filter_map(move |(i, w)| match (&w[0].kind, &w[1].kind, &w[2].kind) {
                (Kind::Ident(f), Kind::Punct(':'), Kind::Str(id))
                    if f == "id" && Some(w[0].depth) == page_depth =>
                {
                    Some((i + 2, id.as_str()))
                }
                _ => None,
            })
    }

    /// The tokens of the `nth` page with this id: from its id to the next page's id.
    /// Fields written before `id` fall outside; callers then get the id's position.
    fn page_span(&self, page: &str, nth: usize) -> Option<(usize, usize)> {
        let starts: Vec<_> = self.page_starts().collect();
        let k = starts
            .iter()
            .enumerate()
            .filter(|(_, (_, id))| *id == page)
            .nth(nth)?
            .0;
        let end = starts.get(k + 1).map_or(self.tokens.len(), |(i, _)| *i);
        Some((starts[k].0, end))
    }

    fn index_of(&self, start: usize, end: usize, needle: &Needle) -> Option<usize> {
        (start..end).find(|&i| needle.matches(&self.tokens[i].kind))
    }
}

impl Needle {
    fn matches(&self, kind: &Kind) -> bool {
        match (self, kind) {
            (Needle::Str(s), Kind::Str(v)) => s == v,
            (Needle::Field(f), Kind::Ident(v)) => f == v,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r##"// A comment with "start" and id: "fake" in it.
(
    title: (en: "Flow"),
    pages: [
        (
            id: "start", /* "next" */
            title: (en: "One"),
            step: Question(answers: [(id: "go", next: "end")]),
        ),
        (
            id: "end",
            title: (en: r#"Two "end""#),
            step: Result(outcome: Fixed),
        ),
    ],
)
"##;

    fn at(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn finds_page_ids_and_strings_in_pages() {
        let map = SourceMap::new(SOURCE);
        let page = |page: &str, needle| Locus::Page {
            page: page.into(),
            needle,
        };
        assert_eq!(map.find(&page("start", Needle::PageId)), at(6, 17));
        assert_eq!(map.find(&page("end", Needle::PageId)), at(11, 17));
        assert_eq!(
            map.find(&page("start", Needle::Str("end".into()))),
            at(8, 55)
        );
        assert_eq!(map.find(&page("end", Needle::Field("title"))), at(12, 13));
        assert_eq!(map.find(&page("start", Needle::Field("step"))), at(8, 13));
        assert_eq!(
            map.find(&page("start", Needle::After("go".into(), "next"))),
            at(8, 49)
        );
    }

    #[test]
    fn flow_fields_come_before_the_first_page() {
        let map = SourceMap::new(SOURCE);
        assert_eq!(map.find(&Locus::Flow(Needle::Field("title"))), at(3, 5));
        assert_eq!(map.find(&Locus::Flow(Needle::Field("pages"))), at(4, 5));
    }

    #[test]
    fn falls_back_to_the_page_then_the_file() {
        let map = SourceMap::new(SOURCE);
        let missing = Locus::Page {
            page: "end".into(),
            needle: Needle::Str("nowhere".into()),
        };
        assert_eq!(map.find(&missing), at(11, 17));
        let no_page = Locus::Page {
            page: "ghost".into(),
            needle: Needle::PageId,
        };
        assert_eq!(map.find(&no_page), Position::START);
    }

    #[test]
    fn counts_duplicates() {
        let map = SourceMap::new(r#"(pages: [(id: "a"), (id: "b"), (id: "a")])"#);
        let nth = |nth| Locus::PageNth {
            page: "a".into(),
            nth,
        };
        assert_eq!(map.find(&nth(0)), at(1, 15));
        assert_eq!(map.find(&nth(1)), at(1, 37));
    }

    #[test]
    fn malformed_source_does_not_panic() {
        for text in ["\"open", "/* open", "r#\"open", "'", "(id: \"x"] {
            let map = SourceMap::new(text);
            let _ = map.find(&Locus::Flow(Needle::Field("title")));
        }
    }
}
