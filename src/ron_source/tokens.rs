//! The tokens of a RON source with their positions. RON's parser keeps no positions for
//! parsed values, so files whose problems are found after parsing (the wizard flows, the
//! knowledge base) read their source a second time as a flat list of strings,
//! identifiers and punctuation, comments skipped, and search that.

use super::Position;

#[derive(Debug, PartialEq)]
pub enum Kind {
    Str(String),
    Ident(String),
    Punct(char),
}

#[derive(Debug)]
pub struct Token {
    pub kind: Kind,
    pub at: Position,
    /// Brackets open around the token: tells a page's `id` from an answer's.
    pub depth: usize,
}

impl Token {
    pub fn is_ident(&self, name: &str) -> bool {
        matches!(&self.kind, Kind::Ident(v) if v == name)
    }
}

/// The tokens of `source`. Malformed input (an unclosed string or comment) just ends the
/// list: positions are only looked up in a file that has already parsed.
pub fn tokens(source: &str) -> Vec<Token> {
    Lexer::new(source).run()
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
