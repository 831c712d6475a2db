//! Reading and parsing server responses (RFC 3501 section 7 and 9).
//!
//! A response is read whole, literals included, within fixed limits, then split into
//! status responses (whose text is kept as is) and data responses (parsed into a small value
//! tree that the folder and item code interpret).

use super::transport::Transport;
use crate::server::ServerErrorKind;

/// What a response may take, so that a broken or hostile server cannot make the client
/// allocate without bound.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub line: usize,
    pub literal: usize,
    pub response: usize,
    pub depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // An ENVELOPE with hundreds of recipients is one long line.
            line: 1024 * 1024,
            literal: 1024 * 1024,
            response: 8 * 1024 * 1024,
            depth: 32,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    No,
    Bad,
    Bye,
    PreAuth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Response {
    /// `+ text`: the server waits for more from the client.
    Continuation(String),
    /// The end of a command.
    Tagged {
        tag: String,
        status: Status,
        text: String,
    },
    /// `* OK/NO/BAD/BYE/PREAUTH text`.
    UntaggedStatus { status: Status, text: String },
    /// `* CAPABILITY ...`, upper-cased.
    Capability(Vec<String>),
    /// Any other untagged data (`* LIST ...`, `* 3 EXISTS`, `* 1 FETCH (...)`).
    Data(Vec<Value>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Atom(String),
    /// A quoted string or a literal.
    Str(Vec<u8>),
    Nil,
    List(Vec<Value>),
}

impl Value {
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Value::Atom(a) => Some(a),
            _ => None,
        }
    }

    /// An atom or string as text (mailbox names come either way).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Atom(a) => Some(a.clone()),
            Value::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s),
            Value::Atom(a) => Some(a.as_bytes()),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<u64> {
        self.as_atom().and_then(|a| a.parse().ok())
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
}

/// Read one complete response, with any literals it carries.
pub(crate) fn read_response(
    transport: &mut Transport,
    limits: &Limits,
) -> Result<Response, ServerErrorKind> {
    let mut raw = Vec::new();
    loop {
        let line = transport.read_line(limits.line)?;
        raw.extend_from_slice(&line);
        let Some(size) = literal_size(&line) else {
            break;
        };
        let size =
            size.ok_or_else(|| ServerErrorKind::TooLarge(format!("a literal: {}", shown(&line))))?;
        if size > limits.literal {
            return Err(ServerErrorKind::TooLarge(format!(
                "a literal of {size} bytes (limit {})",
                limits.literal
            )));
        }
        if raw.len() + size > limits.response {
            return Err(ServerErrorKind::TooLarge(format!(
                "a response over {} bytes",
                limits.response
            )));
        }
        raw.extend_from_slice(b"\r\n");
        transport.read_exact_into(size, &mut raw)?;
    }
    parse_response(&raw, limits)
}

/// `Some(Some(n))` when the line ends with a literal announcement `{n}`, `Some(None)` when
/// the number is too long to be a size anyone should accept.
fn literal_size(line: &[u8]) -> Option<Option<usize>> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        // Braces at the end of free text, not a literal.
        return None;
    }
    if digits.len() > 12 {
        return Some(None);
    }
    Some(
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok()),
    )
}

/// The server's line as text for an error message, shortened.
pub(crate) fn shown(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

pub(crate) fn parse_response(raw: &[u8], limits: &Limits) -> Result<Response, ServerErrorKind> {
    let bad = || ServerErrorKind::Protocol(shown(raw));
    if let Some(rest) = raw.strip_prefix(b"+") {
        let text = rest.strip_prefix(b" ").unwrap_or(rest);
        return Ok(Response::Continuation(
            String::from_utf8_lossy(text).into_owned(),
        ));
    }
    let (tag, rest) = split_word(raw).ok_or_else(bad)?;
    if tag == b"*" {
        let (word, text) = split_word(rest).ok_or_else(bad)?;
        if let Some(status) = status_word(word) {
            return Ok(Response::UntaggedStatus {
                status,
                text: String::from_utf8_lossy(text).into_owned(),
            });
        }
        if word.eq_ignore_ascii_case(b"CAPABILITY") {
            return Ok(Response::Capability(capabilities(text)));
        }
        let mut parser = Parser {
            input: rest,
            pos: 0,
            depth: limits.depth,
        };
        let values = parser.values_until_end().map_err(|()| bad())?;
        return Ok(Response::Data(values));
    }
    if !tag.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'.') {
        return Err(bad());
    }
    let (word, text) = split_word(rest).ok_or_else(bad)?;
    let status = status_word(word).filter(|s| matches!(s, Status::Ok | Status::No | Status::Bad));
    let status = status.ok_or_else(bad)?;
    Ok(Response::Tagged {
        tag: String::from_utf8_lossy(tag).into_owned(),
        status,
        text: String::from_utf8_lossy(text).into_owned(),
    })
}

/// The capability list carried in a `[CAPABILITY ...]` response code, if the text has one.
pub(crate) fn capability_code(text: &str) -> Option<Vec<String>> {
    let rest = text.strip_prefix('[')?;
    let (code, _) = rest.split_once(']')?;
    let list = code
        .strip_prefix("CAPABILITY ")
        .or_else(|| code.strip_prefix("capability "))?;
    Some(capabilities(list.as_bytes()))
}

fn capabilities(text: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(text)
        .split_ascii_whitespace()
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn split_word(input: &[u8]) -> Option<(&[u8], &[u8])> {
    if input.is_empty() {
        return None;
    }
    match input.iter().position(|&b| b == b' ') {
        Some(i) => Some((&input[..i], &input[i + 1..])),
        None => Some((input, &[])),
    }
}

fn status_word(word: &[u8]) -> Option<Status> {
    let upper = word.to_ascii_uppercase();
    Some(match upper.as_slice() {
        b"OK" => Status::Ok,
        b"NO" => Status::No,
        b"BAD" => Status::Bad,
        b"BYE" => Status::Bye,
        b"PREAUTH" => Status::PreAuth,
        _ => return None,
    })
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn values_until_end(&mut self) -> Result<Vec<Value>, ()> {
        let mut values = Vec::new();
        loop {
            self.skip_spaces();
            if self.peek().is_none() {
                return Ok(values);
            }
            values.push(self.value()?);
        }
    }

    fn value(&mut self) -> Result<Value, ()> {
        match self.peek().ok_or(())? {
            b'(' => {
                if self.depth == 0 {
                    return Err(());
                }
                self.depth -= 1;
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    match self.peek().ok_or(())? {
                        b')' => {
                            self.pos += 1;
                            break;
                        }
                        _ => items.push(self.value()?),
                    }
                }
                self.depth += 1;
                Ok(Value::List(items))
            }
            b'"' => self.quoted().map(Value::Str),
            b'{' => self.literal().map(Value::Str),
            b')' => Err(()),
            _ => {
                let atom = self.atom()?;
                if atom.eq_ignore_ascii_case("NIL") {
                    Ok(Value::Nil)
                } else {
                    Ok(Value::Atom(atom))
                }
            }
        }
    }

    fn quoted(&mut self) -> Result<Vec<u8>, ()> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek().ok_or(())? {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    out.push(self.peek().ok_or(())?);
                    self.pos += 1;
                }
                b'\r' | b'\n' => return Err(()),
                b => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// `{n}` CRLF and n bytes; the reader has already checked n against the limits.
    fn literal(&mut self) -> Result<Vec<u8>, ()> {
        let rest = &self.input[self.pos..];
        let close = rest.iter().position(|&b| b == b'}').ok_or(())?;
        let digits = &rest[1..close];
        let digits = digits.strip_suffix(b"+").unwrap_or(digits);
        let n: usize = std::str::from_utf8(digits)
            .map_err(|_| ())?
            .parse()
            .map_err(|_| ())?;
        let start = self.pos + close + 1;
        let start = start
            + if self.input[start..].starts_with(b"\r\n") {
                2
            } else {
                return Err(());
            };
        let end = start
            .checked_add(n)
            .filter(|&e| e <= self.input.len())
            .ok_or(())?;
        self.pos = end;
        Ok(self.input[start..end].to_vec())
    }

    /// An atom, including the bracketed section of `BODY[HEADER.FIELDS (DATE)]` and
    /// `\Flag` names.
    fn atom(&mut self) -> Result<String, ()> {
        let start = self.pos;
        let mut brackets = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'[' => brackets += 1,
                b']' if brackets > 0 => brackets -= 1,
                b' ' | b'(' | b')' if brackets == 0 => break,
                b'"' | b'{' if brackets == 0 => break,
                b'\r' | b'\n' | 0 => return Err(()),
                _ => {}
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(());
        }
        Ok(String::from_utf8_lossy(&self.input[start..self.pos]).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Response {
        parse_response(raw.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn status_responses() {
        assert_eq!(
            parse("a1 OK [READ-ONLY] done"),
            Response::Tagged {
                tag: "a1".into(),
                status: Status::Ok,
                text: "[READ-ONLY] done".into()
            }
        );
        assert_eq!(
            parse("* BYE shutting down"),
            Response::UntaggedStatus {
                status: Status::Bye,
                text: "shutting down".into()
            }
        );
        assert_eq!(parse("+ "), Response::Continuation(String::new()));
        assert_eq!(
            parse("* CAPABILITY IMAP4rev1 list-status"),
            Response::Capability(vec!["IMAP4REV1".into(), "LIST-STATUS".into()])
        );
        assert_eq!(
            capability_code("[CAPABILITY IMAP4rev1 SASL-IR] ready"),
            Some(vec!["IMAP4REV1".into(), "SASL-IR".into()])
        );
    }

    #[test]
    fn data_with_strings_lists_and_literals() {
        let r = parse("* LIST (\\HasNoChildren \\Sent) \"/\" {7}\r\nSent \"x");
        assert_eq!(
            r,
            Response::Data(vec![
                Value::Atom("LIST".into()),
                Value::List(vec![
                    Value::Atom("\\HasNoChildren".into()),
                    Value::Atom("\\Sent".into())
                ]),
                Value::Str(b"/".to_vec()),
                Value::Str(b"Sent \"x".to_vec()),
            ])
        );
        let r = parse("* 1 FETCH (UID 7 BODY[HEADER.FIELDS (DATE)] NIL X \"a\\\"b\")");
        let Response::Data(v) = r else { panic!() };
        let items = v[2].as_list().unwrap();
        assert_eq!(items[2], Value::Atom("BODY[HEADER.FIELDS (DATE)]".into()));
        assert_eq!(items[3], Value::Nil);
        assert_eq!(items[5], Value::Str(b"a\"b".to_vec()));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let limits = Limits {
            depth: 4,
            ..Limits::default()
        };
        for raw in [
            "",
            "* LIST (",
            "* LIST )",
            "* X \"unterminated",
            "* X {5}\r\nab",
            "* X {x}\r\n",
            "* X ((((((((a))))))))",
            "tag! OK",
            "a1 MAYBE",
        ] {
            assert!(
                matches!(
                    parse_response(raw.as_bytes(), &limits),
                    Err(ServerErrorKind::Protocol(_))
                ),
                "{raw:?}"
            );
        }
    }

    /// Random IMAP-ish bytes: every input is an answer or an error, never a panic.
    #[test]
    fn random_input_never_panics() {
        let alphabet: &[u8] = b"* a1OKNOLIST()[]{}\"\\ 0123456789+\r\nNILx\xc3\xa9";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let len = (state % 48) as usize;
            let mut input = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                input.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = parse_response(&input, &Limits::default());
            let _ = literal_size(&input);
        }
    }

    #[test]
    fn literal_announcements() {
        assert_eq!(literal_size(b"* X {12}"), Some(Some(12)));
        assert_eq!(literal_size(b"* X {12+}"), Some(Some(12)));
        assert_eq!(literal_size(b"* X {}"), None);
        assert_eq!(literal_size(b"* OK see {docs}"), None);
        assert_eq!(literal_size(b"* X {99999999999999999}"), Some(None));
        assert_eq!(literal_size(b"* OK done"), None);
    }
}
