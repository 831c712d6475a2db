//! Finds where something is written in a wizard file, so that errors found after
//! parsing (an unknown page, a missing translation) can name a line and column.
//!
//! RON's parser keeps no positions for parsed values, so this reads the source a second
//! time as a flat list of tokens (strings, identifiers, punctuation) with positions,
//! skipping comments, and searches that.

/// A 1-based line and column (in characters), as RON's own errors count them.
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
    Str(String),
    Ident(String),
    Punct(char),
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    at: Position,
    /// Brackets open around the token; tells a page's `id` from an answer's.
    depth: usize,
}

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
            tokens: Lexer::new(source).run(),
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

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    at: Position,
    depth: usize,
}

impl<'a> Lexer<'a> {
    fn new(source: &'a str) -> Self {
        Lexer {
            chars: source.chars().peekable(),
            at: Position::START,
            depth: 0,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.at.line += 1;
            self.at.column = 1;
        } else {
            self.at.column += 1;
        }
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.chars.peek() == Some(&c) {
            self.bump();
            true
        } else {
            false
        }
    }

    // Malformed input (an unclosed string or comment) just ends the token list: the
    // file has already parsed by the time positions are looked up.
    fn run(mut self) -> Vec<Token> {
        let mut tokens = Vec::new();
        while let Some(&c) = self.chars.peek() {
            let at = self.at;
            if c.is_whitespace() {
                self.bump();
            } else if c == '/' {
                self.bump();
                if self.eat('/') {
                    while self.chars.peek().is_some_and(|&c| c != '\n') {
                        self.bump();
                    }
                } else if self.eat('*') {
                    self.block_comment();
                }
            } else if c == '"' {
                self.bump();
                let s = self.quoted();
                tokens.push(Token {
                    kind: Kind::Str(s),
                    at,
                    depth: self.depth,
                });
            } else if c == '\'' {
                self.bump();
                while let Some(c) = self.bump() {
                    match c {
                        '\\' => {
                            self.bump();
                        }
                        '\'' => break,
                        _ => {}
                    }
                }
            } else if c.is_alphabetic() || c == '_' {
                let word = self.word();
                let kind = match word.as_str() {
                    "r" | "br" if matches!(self.chars.peek(), Some('"' | '#')) => {
                        Kind::Str(self.raw_string())
                    }
                    "b" if self.eat('"') => Kind::Str(self.quoted()),
                    _ => Kind::Ident(word),
                };
                tokens.push(Token {
                    kind,
                    at,
                    depth: self.depth,
                });
            } else if c.is_ascii_digit() || c == '-' || c == '+' {
                self.bump();
                while self
                    .chars
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
                {
                    self.bump();
                }
            } else {
                self.bump();
                if matches!(c, ')' | ']' | '}') {
                    self.depth = self.depth.saturating_sub(1);
                }
                tokens.push(Token {
                    kind: Kind::Punct(c),
                    at,
                    depth: self.depth,
                });
                if matches!(c, '(' | '[' | '{') {
                    self.depth += 1;
                }
            }
        }
        tokens
    }

    fn word(&mut self) -> String {
        let mut word = String::new();
        while let Some(&c) = self.chars.peek() {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                self.bump();
            } else {
                break;
            }
        }
        word
    }

    fn block_comment(&mut self) {
        let mut depth = 1;
        while depth > 0 {
            match self.bump() {
                None => return,
                Some('*') if self.eat('/') => depth -= 1,
                Some('/') if self.eat('*') => depth += 1,
                _ => {}
            }
        }
    }

    /// The rest of a `"..."` string after its opening quote. Escapes other than the
    /// common ones are kept as written: only equality with plain ids and names matters.
    fn quoted(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.bump() {
            match c {
                '"' => break,
                '\\' => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(c @ ('"' | '\\')) => s.push(c),
                    Some(c) => {
                        s.push('\\');
                        s.push(c);
                    }
                    None => break,
                },
                c => s.push(c),
            }
        }
        s
    }

    /// `r#"..."#` after the `r`.
    fn raw_string(&mut self) -> String {
        let mut hashes = 0;
        while self.eat('#') {
            hashes += 1;
        }
        self.eat('"');
        let mut s = String::new();
        while let Some(c) = self.bump() {
            if c == '"' {
                let mut seen = 0;
                while seen < hashes && self.eat('#') {
                    seen += 1;
                }
                if seen == hashes {
                    break;
                }
                s.push('"');
                s.extend(std::iter::repeat_n('#', seen));
            } else {
                s.push(c);
            }
        }
        s
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
