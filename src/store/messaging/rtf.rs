//! Compressed RTF ([MS-OXRTFCP]) to RTF, and RTF to plain text. Outlook often stores a
//! message body only as compressed RTF (its synchronization logs do), so reading the text
//! of a body needs both steps.

use crate::store::error::{Error, Result};

/// Refuse to inflate beyond this: a body larger than this is not a body worth showing, and
/// the size field comes from the file.
const MAX_RTF: u32 = 64 * 1024 * 1024;

pub fn decompress(data: &[u8]) -> Result<String> {
    const STRUCTURE: &str = "compressed RTF body";
    if data.len() < 16 {
        return Err(Error::mismatch(
            STRUCTURE,
            "size",
            "at least 16 bytes",
            data.len(),
        ));
    }
    let comp_size = u32::from_le_bytes(data[0..4].try_into().expect("4 bytes")) as usize;
    let raw_size = u32::from_le_bytes(data[4..8].try_into().expect("4 bytes"));
    let kind = &data[8..12];
    if comp_size + 4 != data.len() {
        return Err(Error::mismatch(
            STRUCTURE,
            "declared size",
            data.len() - 4,
            comp_size,
        ));
    }
    // The compressor's references expand 2 bytes into at most 17, so a larger raw size is a lie.
    let limit = (data.len() as u64 * 9).min(MAX_RTF as u64);
    if raw_size as u64 > limit || (kind == b"MELA" && raw_size as usize + 16 > data.len()) {
        return Err(Error::out_of_range(
            STRUCTURE,
            "uncompressed size",
            raw_size as u64,
            limit,
        ));
    }
    compressed_rtf::decompress_rtf(data).map_err(|e| Error::malformed(STRUCTURE, e.to_string()))
}

/// Destinations whose text is not part of the visible body.
const SKIP: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "object",
    "header",
    "footer",
    "listtable",
    "listoverridetable",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "latentstyles",
    "themedata",
    "datastore",
    "mmathPr",
];

/// The visible text of an RTF document: paragraphs become newlines, escapes are decoded,
/// tables of fonts and colours and `\*` destinations are dropped. HTML that Outlook wrapped
/// in RTF (`\fromhtml`) keeps its text parts, not its markup.
pub fn to_text(rtf: &str) -> String {
    let b = rtf.as_bytes();
    let mut out = String::new();
    // For each open group: does it skip its text?
    let mut skip_stack: Vec<bool> = vec![false];
    let mut uc_skip = 1usize;
    let mut pending_skip = 0usize;
    let mut i = 0;
    let skipping = |s: &Vec<bool>| *s.last().unwrap_or(&false);
    while i < b.len() {
        let c = b[i];
        match c {
            b'{' => {
                let parent = skipping(&skip_stack);
                skip_stack.push(parent);
                i += 1;
            }
            b'}' => {
                if skip_stack.len() > 1 {
                    skip_stack.pop();
                }
                i += 1;
            }
            b'\\' => {
                i += 1;
                if i >= b.len() {
                    break;
                }
                let n = b[i];
                if n.is_ascii_alphabetic() {
                    let start = i;
                    while i < b.len() && b[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    let word = &rtf[start..i];
                    let num_start = i;
                    if i < b.len() && (b[i] == b'-' || b[i].is_ascii_digit()) {
                        i += 1;
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                    let param: Option<i64> = rtf[num_start..i].parse().ok();
                    if i < b.len() && b[i] == b' ' {
                        i += 1;
                    }
                    let skip = skipping(&skip_stack);
                    match word {
                        _ if SKIP.contains(&word) => {
                            if let Some(top) = skip_stack.last_mut() {
                                *top = true;
                            }
                        }
                        "htmlrtf" => {
                            // RTF-only formatting around encapsulated HTML: hidden unless \htmlrtf0.
                            if let Some(top) = skip_stack.last_mut() {
                                *top = param != Some(0);
                            }
                        }
                        "par" | "line" | "sect" | "page" | "row" if !skip => out.push('\n'),
                        "tab" | "cell" if !skip => out.push('\t'),
                        "emdash" if !skip => out.push('—'),
                        "endash" if !skip => out.push('–'),
                        "lquote" if !skip => out.push('‘'),
                        "rquote" if !skip => out.push('’'),
                        "ldblquote" if !skip => out.push('“'),
                        "rdblquote" if !skip => out.push('”'),
                        "bullet" if !skip => out.push('•'),
                        "uc" => uc_skip = param.unwrap_or(1).clamp(0, 8) as usize,
                        "u" => {
                            if let Some(p) = param
                                && !skip
                            {
                                let code = if p < 0 { p + 65536 } else { p } as u32;
                                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                            }
                            pending_skip = uc_skip;
                        }
                        _ => {}
                    }
                } else {
                    match n {
                        b'\'' => {
                            let hex = rtf
                                .get(i + 1..i + 3)
                                .and_then(|h| u8::from_str_radix(h, 16).ok());
                            i += 3;
                            if pending_skip > 0 {
                                pending_skip -= 1;
                            } else if let Some(byte) = hex
                                && !skipping(&skip_stack)
                            {
                                out.push_str(&crate::store::ltp::prop::cp1252(&[byte]));
                            }
                            continue;
                        }
                        b'*' => {
                            if let Some(top) = skip_stack.last_mut() {
                                *top = true;
                            }
                        }
                        b'~' if !skipping(&skip_stack) => out.push('\u{00A0}'),
                        b'\\' | b'{' | b'}' if !skipping(&skip_stack) => out.push(n as char),
                        b'\n' | b'\r' if !skipping(&skip_stack) => out.push('\n'),
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if pending_skip > 0 {
                    pending_skip -= 1;
                } else if !skipping(&skip_stack) {
                    // Copy a run of plain text at once; RTF text outside escapes is 7-bit.
                    let start = i;
                    while i < b.len() && !matches!(b[i], b'{' | b'}' | b'\\' | b'\r' | b'\n') {
                        i += 1;
                    }
                    out.push_str(&rtf[start..i]);
                    continue;
                }
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_from_rtf() {
        let rtf = r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\colortbl;\red255\green0\blue0;}\f0 Hello\par {\cf1 Caf\'e9} \u8364?5\par}";
        assert_eq!(to_text(rtf), "Hello\nCafé €5\n");
    }

    #[test]
    fn skips_starred_destinations_and_html_rtf_parts() {
        let rtf = r"{\rtf1{\*\generator Riched20;}{\*\htmltag64 <p>}\htmlrtf {\b\htmlrtf0 Shown\htmlrtf }\htmlrtf0 after}";
        assert_eq!(to_text(rtf), "Shownafter");
    }

    #[test]
    fn rejects_short_and_oversized_input_without_panicking() {
        assert!(decompress(&[1, 2, 3]).is_err());
        let mut lie = vec![0u8; 32];
        lie[0] = 28;
        lie[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        lie[8..12].copy_from_slice(b"LZFu");
        assert!(decompress(&lie).is_err());
    }

    #[test]
    fn round_trips_with_the_compressor() {
        let rtf = r"{\rtf1\ansi Synchronizer Version 16.0\par Done\par}";
        let packed = compressed_rtf::compress_rtf(rtf).unwrap();
        assert_eq!(decompress(&packed).unwrap(), rtf);
    }
}
