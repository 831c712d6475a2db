//! Header text as ENVELOPE returns it: raw bytes, possibly with RFC 2047 encoded words
//! (`=?UTF-8?B?...?=`). Subjects are decoded so they can be matched against the store, which
//! keeps them as Unicode.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// Decode encoded words whose charset is UTF-8, US-ASCII, ISO-8859-1 or Windows-1252;
/// words in other charsets are left as they are. Raw 8-bit bytes are read as UTF-8, lossily.
pub fn decode_header(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    // Whitespace between two encoded words is not part of the text (RFC 2047 section 6.2),
    // and a character may be split across two words of the same charset, so the bytes of
    // a run of words are joined before they are turned into text.
    let mut pending_space = String::new();
    let mut run: Option<(String, Vec<u8>)> = None;
    while !rest.is_empty() {
        if let Some((charset, bytes, used)) = encoded_word(rest) {
            if run.is_none() {
                out.push_str(&pending_space);
            }
            pending_space.clear();
            match &mut run {
                Some((c, acc)) if *c == charset => acc.extend_from_slice(&bytes),
                _ => {
                    flush_run(&mut run, &mut out);
                    run = Some((charset, bytes));
                }
            }
            rest = &rest[used..];
            continue;
        }
        let ch = rest.chars().next().unwrap_or(' ');
        rest = &rest[ch.len_utf8()..];
        match ch {
            ' ' | '\t' => pending_space.push(ch),
            '\r' | '\n' => {}
            _ => {
                flush_run(&mut run, &mut out);
                out.push_str(&pending_space);
                pending_space.clear();
                out.push(ch);
            }
        }
    }
    flush_run(&mut run, &mut out);
    out.push_str(&pending_space);
    out
}

fn flush_run(run: &mut Option<(String, Vec<u8>)>, out: &mut String) {
    if let Some((charset, bytes)) = run.take() {
        match charset.as_str() {
            "iso-8859-1" | "latin1" | "iso_8859-1" => out.extend(bytes.iter().map(|&b| b as char)),
            "windows-1252" | "cp1252" => out.extend(bytes.iter().map(|&b| cp1252(b))),
            _ => out.push_str(&String::from_utf8_lossy(&bytes)),
        }
    }
}

const KNOWN_CHARSETS: [&str; 7] = [
    "utf-8",
    "utf8",
    "us-ascii",
    "iso-8859-1",
    "latin1",
    "iso_8859-1",
    "windows-1252",
];

/// One encoded word at the start of `text`: its charset (lower case), its bytes and its
/// length in `text`. `None` for anything else, including words in charsets not handled here,
/// which are then kept verbatim.
fn encoded_word(text: &str) -> Option<(String, Vec<u8>, usize)> {
    let body = text.strip_prefix("=?")?;
    let (charset, body) = body.split_once('?')?;
    let (encoding, body) = body.split_once('?')?;
    let end = body.find("?=")?;
    let payload = &body[..end];
    if payload.contains([' ', '?']) || charset.is_empty() || encoding.len() != 1 {
        return None;
    }
    let used = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    // RFC 2231 language suffix: charset*lang.
    let mut charset = charset.split('*').next()?.to_ascii_lowercase();
    if charset == "cp1252" {
        charset = "windows-1252".into();
    }
    if !KNOWN_CHARSETS.contains(&charset.as_str()) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => BASE64
            .decode(payload.trim_end_matches('=').to_string() + pad(payload))
            .ok()?,
        "Q" | "q" => decode_q(payload)?,
        _ => return None,
    };
    Some((charset, bytes, used))
}

/// Padding for base64 written without it (some mailers drop the `=`).
fn pad(payload: &str) -> &'static str {
    match payload.trim_end_matches('=').len() % 4 {
        2 => "==",
        3 => "=",
        _ => "",
    }
}

fn decode_q(payload: &str) -> Option<Vec<u8>> {
    let bytes = payload.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_encoded_words() {
        assert_eq!(decode_header(b"plain subject"), "plain subject");
        assert_eq!(decode_header(b"=?UTF-8?B?UHJpdsOp?="), "Privé");
        assert_eq!(
            decode_header(b"=?iso-8859-1?Q?caf=E9_cr=E8me?="),
            "café crème"
        );
        // Adjacent words join without the space between them.
        assert_eq!(decode_header(b"=?UTF-8?Q?a?= =?UTF-8?Q?b?= c"), "ab c");
        assert_eq!(
            decode_header(b"Re: =?utf-8?q?J=C3=BCrgen?= here"),
            "Re: Jürgen here"
        );
        assert_eq!(decode_header(b"=?windows-1252?Q?=93hi=94?="), "“hi”");
        assert_eq!(decode_header(b"=?UTF-8?B?UHJpdsOp?="), "Privé");
        assert_eq!(decode_header(b"=?UTF-8?B?UHJpdsOp"), "=?UTF-8?B?UHJpdsOp");
        // "é" split over two words.
        assert_eq!(decode_header(b"=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?="), "café");
    }

    #[test]
    fn leaves_unknown_and_broken_words() {
        assert_eq!(decode_header(b"=?koi8-r?B?8NLJ?="), "=?koi8-r?B?8NLJ?=");
        assert_eq!(decode_header(b"=?UTF-8?Q?bad=ZZ?="), "=?UTF-8?Q?bad=ZZ?=");
        assert_eq!(decode_header("raw é".as_bytes()), "raw é");
    }
}
