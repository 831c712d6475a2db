//! Modified UTF-7 (RFC 3501 section 5.1.3), the encoding of IMAP mailbox names before
//! UTF8=ACCEPT: printable ASCII stands for itself except `&`, written `&-`; anything else is
//! UTF-16 in base64 with `,` for `/`, between `&` and `-`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// Decode a mailbox name; `None` when it is not valid modified UTF-7.
pub fn decode(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(0x20..=0x7e).contains(&b) {
            return None;
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let end = i + 1 + bytes[i + 1..].iter().position(|&c| c == b'-')?;
        let run = &bytes[i + 1..end];
        if run.is_empty() {
            out.push('&');
        } else {
            out.push_str(&decode_run(run)?);
        }
        i = end + 1;
    }
    Some(out)
}

fn decode_run(run: &[u8]) -> Option<String> {
    let mut units = Vec::with_capacity(run.len() * 6 / 16);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in run {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 16 {
            bits -= 16;
            units.push((acc >> bits) as u16);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits are padding and must be zero (RFC 2152).
    if acc != 0 || bits >= 6 {
        return None;
    }
    let text = String::from_utf16(&units).ok()?;
    // A run that only encodes printable ASCII is not the canonical form, but it decodes
    // unambiguously, so accept it.
    Some(text)
}

/// Encode a mailbox name for sending to the server.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut pending, &mut out);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(ch.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

fn flush(units: &mut Vec<u16>, out: &mut String) {
    if units.is_empty() {
        return;
    }
    out.push('&');
    let mut acc: u32 = 0;
    let mut bits = 0;
    for unit in units.drain(..) {
        acc = (acc << 16) | u32::from(unit);
        bits += 16;
        while bits >= 6 {
            bits -= 6;
            out.push(ALPHABET[((acc >> bits) & 0x3f) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (6 - bits)) & 0x3f) as usize] as char);
    }
    out.push('-');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_example() {
        let raw = "~peter/mail/&U,BTFw-/&ZeVnLIqe-";
        assert_eq!(decode(raw).unwrap(), "~peter/mail/台北/日本語");
        assert_eq!(encode("~peter/mail/台北/日本語"), raw);
    }

    #[test]
    fn round_trips() {
        for name in [
            "Privé",
            "Caixa de saída",
            "A & B",
            "Ελληνικά",
            "📬 post",
            "plain",
        ] {
            assert_eq!(decode(&encode(name)).unwrap(), name, "{name}");
        }
        assert_eq!(encode("Privé"), "Priv&AOk-");
        assert_eq!(encode("A & B"), "A &- B");
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(decode("&"), None);
        assert_eq!(decode("&U,BTF"), None);
        assert_eq!(decode("&!!-"), None);
        assert_eq!(decode("caf\u{e9}"), None);
        // Non-zero padding bits.
        assert_eq!(decode("&AOl-"), None);
    }
}
