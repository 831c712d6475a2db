//! Just enough MIME (RFC 2045, 2046) to take the bodies out of the messages readpst writes:
//! header fields, nested multiparts, transfer encodings and the charsets it labels text with.
//! Anything this does not understand is an error, never a silently empty body.

use super::{OracleBody, base64_decode};

/// Deeper nesting than this is not something readpst writes; stop rather than recurse on.
const MAX_DEPTH: usize = 8;

/// The text/plain and text/html leaves of `message`, depth first in the order written.
/// Other leaves (the vCalendar readpst builds for a meeting request, inline messages) are not
/// bodies and are left out.
pub(super) fn bodies(message: &[u8]) -> Result<Vec<OracleBody>, String> {
    let mut out = Vec::new();
    walk(message, 0, &mut out)?;
    Ok(out)
}

fn walk(entity: &[u8], depth: usize, out: &mut Vec<OracleBody>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("multiparts nested deeper than {MAX_DEPTH}"));
    }
    let (headers, body) = split_entity(entity);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let (mime, params) = content_type(header("Content-Type").unwrap_or("text/plain"));
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if mime.starts_with("multipart/") {
        let boundary =
            param("boundary").ok_or_else(|| format!("{mime} without a boundary parameter"))?;
        for part in split_multipart(body, boundary)? {
            walk(part, depth + 1, out)?;
        }
        return Ok(());
    }
    if mime != "text/plain" && mime != "text/html" {
        return Ok(());
    }
    let bytes = match header("Content-Transfer-Encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("7bit" | "8bit" | "binary") => body.to_vec(),
        Some("base64") => {
            let text: String = String::from_utf8_lossy(body)
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            base64_decode(&text).ok_or("a base64 body that does not decode")?
        }
        Some("quoted-printable") => quoted_printable(body)?,
        Some(other) => return Err(format!("transfer encoding {other:?} is new to these tests")),
    };
    out.push(if mime == "text/html" {
        OracleBody::Html(bytes)
    } else {
        OracleBody::Text(decode_charset(
            &bytes,
            param("charset").unwrap_or("us-ascii"),
        )?)
    });
    Ok(())
}

/// Header fields (unfolded) and the body after the first empty line; lines may end in LF
/// (as readpst writes them) or CRLF.
fn split_entity(entity: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut at = 0;
    while at < entity.len() {
        let end = entity[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(entity.len(), |i| at + i);
        let line = String::from_utf8_lossy(&entity[at..end]);
        let line = line.strip_suffix('\r').unwrap_or(&line);
        at = (end + 1).min(entity.len());
        if line.is_empty() {
            return (headers, &entity[at..]);
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    (headers, &entity[entity.len()..])
}

/// `type/subtype; name=value; name="quoted value"`, the type lower-cased.
fn content_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut fields = value.split(';');
    let mime = fields
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let params = fields
        .filter_map(|f| {
            let (name, value) = f.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            Some((name.trim().to_string(), value.to_string()))
        })
        .collect();
    (mime, params)
}

/// The parts between `--boundary` lines up to `--boundary--`. The line break before a
/// delimiter belongs to the delimiter (RFC 2046 5.1.1), so a part ends before it.
fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, String> {
    let open = format!("--{boundary}");
    let close = format!("--{boundary}--");
    let mut parts = Vec::new();
    let mut part_start: Option<usize> = None;
    let mut at = 0;
    while at < body.len() {
        let end = body[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| at + i);
        let line = String::from_utf8_lossy(&body[at..end]);
        let line = line.trim_end();
        if line == open || line == close {
            if let Some(start) = part_start {
                // Drop the LF (or CRLF) that ends the part's last line.
                let mut stop = at.saturating_sub(1).max(start);
                if stop > start && body[stop - 1] == b'\r' {
                    stop -= 1;
                }
                parts.push(&body[start..stop]);
            }
            if line == close {
                return Ok(parts);
            }
            part_start = Some((end + 1).min(body.len()));
        }
        at = end + 1;
    }
    Err(format!("multipart without its closing delimiter {close:?}"))
}

fn quoted_printable(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'=' {
            out.push(body[i]);
            i += 1;
            continue;
        }
        match body.get(i + 1..i + 3) {
            // A soft line break: `=` at the end of a line joins it with the next.
            Some([b'\r', b'\n']) => i += 3,
            Some([b'\n', _]) => i += 2,
            None if body.get(i + 1) == Some(&b'\n') => i += 2,
            Some(hex) => {
                let hex = std::str::from_utf8(hex).map_err(|_| "bad quoted-printable escape")?;
                let byte = u8::from_str_radix(hex, 16)
                    .map_err(|_| format!("bad quoted-printable escape ={hex}"))?;
                out.push(byte);
                i += 3;
            }
            None => return Err("quoted-printable body ends in a lone =".into()),
        }
    }
    Ok(out)
}

/// Decodes text in the charsets readpst labels bodies with. "us-ascii" and "iso-8859-1" are
/// read as windows-1252, as the WHATWG Encoding Standard reads those labels: readpst writes a
/// body's bytes unchanged, and an ANSI store's bodies are windows-1252 whatever the label.
fn decode_charset(bytes: &[u8], charset: &str) -> Result<String, String> {
    match charset.trim().to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => String::from_utf8(bytes.to_vec())
            .map_err(|e| format!("a body labelled utf-8 is not UTF-8: {e}")),
        "us-ascii" | "iso-8859-1" | "latin1" | "windows-1252" | "cp1252" => {
            Ok(bytes.iter().map(|&b| windows_1252(b)).collect())
        }
        other => Err(format!("charset {other:?} is new to these tests")),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(b - 0x80)])).unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}
