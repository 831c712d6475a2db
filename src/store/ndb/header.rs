//! The file header: what kind of store this is, where its two B-trees start, and how its
//! blocks are encoded. Everything that decides "is this an Outlook data file at all" lives
//! here, so that answer is given once and precisely.

use super::crc::verify;
use super::crypt::CryptMethod;
use super::format::{Variant, id_at, u16_at, u32_at};
use crate::store::error::{Error, ErrorKind, NotOutlookReason, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// A personal store (.pst), client signature `SM`.
    Pst,
    /// An offline store (.ost), client signature `SO`.
    Ost,
    /// A personal address book (.pab), client signature `AB`.
    Pab,
}

impl ClientKind {
    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Pst => "pst",
            ClientKind::Ost => "ost",
            ClientKind::Pab => "pab",
        }
    }
}

/// A reference to a page or block: its id and its byte offset in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BRef {
    pub bid: u64,
    pub ib: u64,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub client: ClientKind,
    pub variant: Variant,
    pub version: u16,
    pub client_version: u16,
    pub crypt: CryptMethod,
    pub file_eof: u64,
    pub nbt_root: BRef,
    pub bbt_root: BRef,
    pub amap_valid: u8,
}

const HEADER_READ: usize = 564;

impl Header {
    /// Parses and validates a header read from the start of a file `file_len` bytes long.
    /// `bytes` may be shorter than a header when the file is.
    pub fn parse(bytes: &[u8], file_len: u64) -> Result<Header> {
        let (header, mut damage) = Self::parse_lenient(bytes, file_len)?;
        match damage.drain(..).next() {
            Some(first) => Err(first),
            None => Ok(header),
        }
    }

    /// Parses a header as far as its fields can be read. A file that is not an Outlook data
    /// file at all is an error; damage that leaves the fields readable (checksum, sentinel,
    /// encryption method, a file shorter than the header records, protected content) is
    /// returned beside the header, in the order `parse` checks it, so a structural check
    /// can report it and go on. An unknown encryption method reads as none.
    pub fn parse_lenient(bytes: &[u8], file_len: u64) -> Result<(Header, Vec<Error>)> {
        let not_outlook = |reason| Error::new("file header", ErrorKind::NotOutlookFile(reason));
        if bytes.len() < 4 || &bytes[..4] != b"!BDN" {
            if bytes.len() < 4 {
                return Err(not_outlook(NotOutlookReason::TooShort { len: file_len }));
            }
            let mut found = [0u8; 4];
            found.copy_from_slice(&bytes[..4]);
            return Err(not_outlook(NotOutlookReason::WrongMagic { found }).at_offset(0));
        }
        if bytes.len() < 14 {
            return Err(not_outlook(NotOutlookReason::TooShort { len: file_len }));
        }
        let client = match &bytes[8..10] {
            b"SM" => ClientKind::Pst,
            b"SO" => ClientKind::Ost,
            b"AB" => ClientKind::Pab,
            other => {
                return Err(not_outlook(NotOutlookReason::UnknownClient {
                    found: [other[0], other[1]],
                })
                .at_offset(8));
            }
        };
        let version = u16_at(bytes, 10);
        let variant = Variant::from_version(version).ok_or_else(|| {
            not_outlook(NotOutlookReason::UnknownVersion { found: version }).at_offset(10)
        })?;
        if bytes.len() < variant.header_size() {
            return Err(not_outlook(NotOutlookReason::TooShort { len: file_len }));
        }
        let mut damage = Vec::new();

        // ANSI files guard 471 bytes after the magic; Unicode files add a full checksum over
        // 516 bytes that Outlook itself relies on.
        let (crc_at, crc_len) = if variant.is_ansi() {
            (4, 471)
        } else {
            (524, 516)
        };
        let expected = u32_at(bytes, crc_at);
        if let Err(computed) = verify(expected, &bytes[8..8 + crc_len]) {
            damage.push(
                not_outlook(NotOutlookReason::HeaderCrc { expected, computed })
                    .at_offset(crc_at as u64),
            );
        }

        let (root, sentinel_at, crypt_at) = if variant.is_ansi() {
            (164, 460, 461)
        } else {
            (180, 512, 513)
        };
        let id = variant.id_size();
        let file_eof = id_at(variant, bytes, root + 4);
        let nbt_at = root + 4 + 4 * id;
        let nbt_root = BRef {
            bid: id_at(variant, bytes, nbt_at),
            ib: id_at(variant, bytes, nbt_at + id),
        };
        let bbt_root = BRef {
            bid: id_at(variant, bytes, nbt_at + 2 * id),
            ib: id_at(variant, bytes, nbt_at + 3 * id),
        };
        let amap_valid = bytes[nbt_at + 4 * id];

        if bytes[sentinel_at] != 0x80 {
            damage.push(
                Error::mismatch(
                    "file header",
                    "sentinel byte",
                    "0x80",
                    format!("0x{:02X}", bytes[sentinel_at]),
                )
                .at_offset(sentinel_at as u64),
            );
        }
        let crypt = match bytes[crypt_at] {
            0 => CryptMethod::None,
            1 => CryptMethod::Permute,
            2 => CryptMethod::Cyclic,
            0x10 => {
                damage.push(
                    not_outlook(NotOutlookReason::ProtectedContent).at_offset(crypt_at as u64),
                );
                CryptMethod::None
            }
            other => {
                damage.push(
                    Error::mismatch(
                        "file header",
                        "encryption method",
                        "0 (none), 1 (permute) or 2 (cyclic)",
                        other,
                    )
                    .at_offset(crypt_at as u64),
                );
                CryptMethod::None
            }
        };
        if file_len < file_eof {
            damage.push(not_outlook(NotOutlookReason::Truncated {
                expected_len: file_eof,
                actual_len: file_len,
            }));
        }

        let header = Header {
            client,
            variant,
            version,
            client_version: u16_at(bytes, 12),
            crypt,
            file_eof,
            nbt_root,
            bbt_root,
            amap_valid,
        };
        Ok((header, damage))
    }

    pub const READ_SIZE: usize = HEADER_READ;
}
