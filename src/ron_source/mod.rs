//! RON files written by people (the wizard flows, the knowledge base): parsing with the
//! project's options, and problems that name the file, line and column they are about.

pub mod tokens;

use std::fmt;
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::de::DeserializeOwned;

/// A 1-based line and column (in characters), as RON's own errors count them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };
}

/// One problem at one place in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<P> {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub problem: P,
}

impl<P> Located<P> {
    pub fn at(file: &Path, position: Position, problem: P) -> Self {
        Located {
            file: file.to_owned(),
            line: position.line,
            column: position.column,
            problem,
        }
    }
}

impl<P: fmt::Display> fmt::Display for Located<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, line, column) = (self.file.display(), self.line, self.column);
        write!(f, "{file}:{line}:{column}: {}", self.problem)
    }
}

impl<P: fmt::Debug + fmt::Display> std::error::Error for Located<P> {}

/// Every problem found, one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedErrors<P>(pub Vec<Located<P>>);

impl<P: fmt::Display> fmt::Display for LocatedErrors<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl<P: fmt::Debug + fmt::Display> std::error::Error for LocatedErrors<P> {}

/// Parses `source`; a syntax error comes back with RON's own position and message.
pub fn parse<T: DeserializeOwned>(source: &str) -> Result<T, (Position, String)> {
    // `on_error: "page"` rather than `on_error: Some("page")`.
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .from_str(source)
        .map_err(|e| {
            let at = Position {
                line: e.span.start.line,
                column: e.span.start.col,
            };
            (at, e.code.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_line_and_column_one_per_line() {
        let errors = LocatedErrors(vec![
            Located::at(Path::new("a.ron"), Position { line: 3, column: 7 }, "first"),
            Located::at(Path::new("b.ron"), Position::START, "second"),
        ]);
        assert_eq!(errors.to_string(), "a.ron:3:7: first\nb.ron:1:1: second");
    }

    #[test]
    fn syntax_errors_keep_rons_position() {
        let (at, message) = parse::<Vec<u32>>("[\n  1,\n  x\n]").unwrap_err();
        assert_eq!(at.line, 3);
        assert!(!message.is_empty());
    }
}
