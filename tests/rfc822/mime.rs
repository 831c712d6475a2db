//! The pieces of RFC 5322 and MIME (RFC 2045-2047, 2231) a message needs to be written: header
//! words in any script, display names, line folding and body encodings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Lines of a message may not exceed 998 octets (RFC 5322 2.1.1); stay well below.
const MAX_LINE: usize = 998;

/// Encoded words may be 75 characters long (RFC 2047 2): 45 bytes of UTF-8 make 60 of base64,
/// plus `=?UTF-8?B?` and `?=`.
const WORD_BYTES: usize = 45;

/// Header text as-is when it is printable ASCII, else as RFC 2047 encoded words separated by
/// folding white space (split on character boundaries, as the RFC requires).
pub fn encode_text(text: &str) -> String {
    let text = one_line(text);
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return text;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > WORD_BYTES {
            words.push(encoded_word(&chunk));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(encoded_word(&chunk));
    }
    words.join("\r\n ")
}

fn encoded_word(text: &str) -> String {
    format!("=?UTF-8?B?{}?=", STANDARD.encode(text.as_bytes()))
}

/// A display name: an atom sequence when it can be one, a quoted string when it has
/// specials, encoded words when it is not ASCII.
pub fn phrase(name: &str) -> String {
    let name = one_line(name);
    if !name.is_ascii() {
        return encode_text(&name);
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~ ".contains(c);
    if !name.is_empty() && name.chars().all(atext) && !name.starts_with(' ') {
        return name;
    }
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Control characters and line breaks cannot appear in a header; a stored subject with a
/// newline becomes one line.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_string()
}

/// `Name <addr>` or, without a usable address, the name alone as an empty group
/// (`Name:;`), which RFC 5322 allows in To and Cc and which no one can mistake for an address.
pub fn mailbox(name: Option<&str>, address: Option<&str>) -> Option<String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    // Stores hold addresses as typed, sometimes quoted ('bob@example.com').
    let address = address
        .map(|a| a.trim().trim_matches(['\'', '"']))
        .filter(|a| a.contains('@') && !a.contains(['<', '>', ' ', '"', ',', '\'']));
    match (name, address) {
        (Some(n), Some(a)) if n != a => Some(format!("{} <{a}>", phrase(n))),
        (_, Some(a)) => Some(format!("<{a}>")),
        (Some(n), None) => Some(format!("{}:;", phrase(n))),
        (None, None) => None,
    }
}

/// `Name: value`, with long address lists folded after their commas.
pub fn header(name: &str, value: &str) -> String {
    let mut out = format!("{name}: ");
    let mut line_len = out.len();
    for (i, part) in value.split(", ").enumerate() {
        let piece = if i == 0 {
            part.to_string()
        } else {
            format!(", {part}")
        };
        if i > 0 && line_len + piece.len() > 76 {
            out.push_str(",\r\n ");
            let rest = &piece[2..];
            out.push_str(rest);
            line_len = 1 + rest.len();
        } else {
            out.push_str(&piece);
            line_len += piece.len();
        }
    }
    out.push_str("\r\n");
    out
}

/// How a text part travels: as is when it is short-lined ASCII, else base64.
pub struct EncodedBody {
    pub transfer_encoding: &'static str,
    pub body: String,
}

/// Encode a part's bytes. `forbidden` is a boundary the text must not contain.
pub fn encode_body(bytes: &[u8], forbidden: &str) -> EncodedBody {
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.is_ascii() && !t.contains('\0') && !t.contains(forbidden))
        .map(crlf)
        .filter(|t| t.split("\r\n").all(|l| l.len() <= MAX_LINE));
    match text {
        Some(body) => EncodedBody {
            transfer_encoding: "7bit",
            body,
        },
        None => EncodedBody {
            transfer_encoding: "base64",
            body: base64_lines(bytes),
        },
    }
}

/// Line breaks as CRLF, ending with one.
pub fn crlf(text: &str) -> String {
    let mut out = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n");
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
    out
}

/// Base64 in lines of 76 characters (RFC 2045 6.8).
pub fn base64_lines(bytes: &[u8]) -> String {
    let encoded = STANDARD.encode(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push_str("\r\n");
    }
    out
}

/// A `name="value"` parameter, or RFC 2231 `name*=UTF-8''...` when the value is not plain
/// ASCII.
pub fn parameter(name: &str, value: &str) -> String {
    let value = one_line(value);
    if value.is_ascii() {
        return format!(
            "{name}=\"{}\"",
            value.replace('\\', "\\\\").replace('"', "\\\"")
        );
    }
    let mut encoded = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{name}*=UTF-8''{encoded}")
}

/// A MIME type from the store, if it looks like one.
pub fn content_type(stored: Option<&str>) -> String {
    stored
        .map(str::trim)
        .filter(|t| {
            let mut parts = t.split('/');
            let token = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
            };
            parts.next().is_some_and(token)
                && parts.next().is_some_and(token)
                && parts.next().is_none()
        })
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_else(|| "application/octet-stream".into())
}
