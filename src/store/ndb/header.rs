//! The file header: what kind of store this is, where its two B-trees start, and how its
//! blocks are encoded. Everything that decides "is this an Outlook data file at all" lives
//! here, so that answer is given once and precisely.

use super::crc::{crc32, verify};
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
    /// wMagicClient, at offset 8.
    pub fn magic(self) -> &'static [u8; 2] {
        match self {
            ClientKind::Pst => b"SM",
            ClientKind::Ost => b"SO",
            ClientKind::Pab => b"AB",
        }
    }

    fn from_magic(found: &[u8]) -> Option<ClientKind> {
        [ClientKind::Pst, ClientKind::Ost, ClientKind::Pab]
            .into_iter()
            .find(|k| &k.magic()[..] == found)
    }

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

/// The protection byte Windows Information Protection writes in place of an encryption
/// method: the contents cannot be read without the key.
const CRYPT_PROTECTED: u8 = 0x10;

/// Where each field of the header lies in one variant ([MS-PST] 2.2.2.6, its ANSI twin and
/// the 4 KiB twin of the Unicode one). The reader, the writer, the structural check and the
/// tests that damage headers all take their offsets from here, so a field cannot sit in one
/// place for the reader and another for the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderLayout {
    pub variant: Variant,
    /// wMagicClient: `SM`, `SO` or `AB`.
    pub client: usize,
    /// wVer and wVerClient.
    pub version: usize,
    pub client_version: usize,
    /// bPlatformCreate and bPlatformAccess.
    pub platform: usize,
    /// bidNextB: the next block id to give out.
    pub next_bid: usize,
    /// bidNextP: the next page id to give out.
    pub next_page_bid: usize,
    /// dwUnique.
    pub unique: usize,
    /// rgnid: the next index for each of the 32 node-id types.
    pub nid_next: usize,
    /// The ROOT structure's fields.
    pub file_eof: usize,
    pub amap_last: usize,
    pub amap_free: usize,
    pub pmap_free: usize,
    pub nbt_root: usize,
    pub bbt_root: usize,
    pub amap_valid: usize,
    /// rgbFM and rgbFP: the free maps of files too small to need FMap and FPMap pages.
    pub free_maps: usize,
    pub sentinel: usize,
    pub crypt: usize,
    /// dwCRCPartial: covers `PARTIAL_CRC_LEN` bytes from the client magic on.
    pub partial_crc: usize,
    /// dwCRCFull (Unicode only): covers `FULL_CRC_LEN` bytes from the client magic on.
    pub full_crc: Option<usize>,
    /// Bytes from the start of the file to the end of the header.
    pub size: usize,
}

/// Where both checksums' coverage starts: just after the magic and the partial checksum.
pub const CRC_FROM: usize = 8;
pub const PARTIAL_CRC_LEN: usize = 471;
pub const FULL_CRC_LEN: usize = 516;
/// What the sentinel byte holds in every header.
pub const SENTINEL: u8 = 0x80;
/// wMagicClient and wVer lie at the same place in every variant: they say which it is.
pub const CLIENT_AT: usize = 8;
pub const VERSION_AT: usize = 10;
/// The header's magic, at offset 0.
pub const MAGIC: &[u8; 4] = b"!BDN";
/// dwMagic's twin in the Unicode header, "SDDO" read as a number.
const UNIQUE_MAGIC: u32 = 0x4F53_4444;

impl HeaderLayout {
    pub fn of(variant: Variant) -> HeaderLayout {
        let id = variant.id_size();
        // The fields before the ROOT structure differ in order as well as width: ANSI keeps
        // its two next-id counters together, Unicode puts an unused block id first.
        let (next_bid, next_page_bid, unique, nid_next) = if variant.is_ansi() {
            (24, 28, 32, 36)
        } else {
            (516, 32, 40, 44)
        };
        let root = nid_next + 32 * 4 + if variant.is_ansi() { 0 } else { 8 };
        let file_eof = root + 4;
        let nbt_root = file_eof + 4 * id;
        let amap_valid = nbt_root + 4 * id;
        let free_maps = if variant.is_ansi() { 204 } else { 256 };
        let sentinel = free_maps + 256;
        HeaderLayout {
            variant,
            client: CLIENT_AT,
            version: VERSION_AT,
            client_version: 12,
            platform: 14,
            next_bid,
            next_page_bid,
            unique,
            nid_next,
            file_eof,
            amap_last: file_eof + id,
            amap_free: file_eof + 2 * id,
            pmap_free: file_eof + 3 * id,
            nbt_root,
            bbt_root: nbt_root + 2 * id,
            amap_valid,
            free_maps,
            sentinel,
            crypt: sentinel + 1,
            partial_crc: 4,
            full_crc: (!variant.is_ansi()).then_some(524),
            size: variant.header_size(),
        }
    }

    /// The checksum that guards the header as a whole: the full one in Unicode files, the
    /// partial one in ANSI files, which have no other. (offset of the value, bytes covered)
    pub fn guarding_crc(&self) -> (usize, usize) {
        match self.full_crc {
            Some(at) => (at, FULL_CRC_LEN),
            None => (self.partial_crc, PARTIAL_CRC_LEN),
        }
    }

    /// Writes both checksums over a header whose fields are set, the partial one last
    /// because the full one lies inside what it covers in no variant.
    pub fn seal(&self, header: &mut [u8]) {
        if let Some(at) = self.full_crc {
            let full = crc32(&header[CRC_FROM..CRC_FROM + FULL_CRC_LEN]);
            header[at..at + 4].copy_from_slice(&full.to_le_bytes());
        }
        let partial = crc32(&header[CRC_FROM..CRC_FROM + PARTIAL_CRC_LEN]);
        header[self.partial_crc..self.partial_crc + 4].copy_from_slice(&partial.to_le_bytes());
    }

    /// Writes an id-width value (a block id, a byte offset) at `at`.
    pub fn put_id(&self, header: &mut [u8], at: usize, value: u64) {
        if self.variant.is_ansi() {
            // ANSI fields are 32-bit; the writer never makes an ANSI file larger.
            header[at..at + 4].copy_from_slice(&(value as u32).to_le_bytes());
        } else {
            header[at..at + 8].copy_from_slice(&value.to_le_bytes());
        }
    }
}

/// What a new store's header says: every field the writer sets, encoded through
/// `HeaderLayout` so the reader's offsets are the writer's.
#[derive(Debug, Clone)]
pub struct NewHeader {
    pub client: ClientKind,
    pub version: u16,
    pub client_version: u16,
    pub crypt: CryptMethod,
    pub next_bid: u64,
    pub next_page_bid: u64,
    /// The next index for each node-id type.
    pub nid_next: [u32; 32],
    pub file_eof: u64,
    pub amap_last: u64,
    pub amap_free: u64,
    pub nbt_root: BRef,
    pub bbt_root: BRef,
}

impl NewHeader {
    /// The header's bytes, checksums included. The version must be one the reader knows.
    pub fn encode(&self) -> Vec<u8> {
        let variant = Variant::from_version(self.version).expect("a known header version");
        let l = HeaderLayout::of(variant);
        let mut h = vec![0u8; l.size.max(HEADER_READ)];
        h[..4].copy_from_slice(MAGIC);
        h[l.client..l.client + 2].copy_from_slice(self.client.magic());
        h[l.version..l.version + 2].copy_from_slice(&self.version.to_le_bytes());
        h[l.client_version..l.client_version + 2]
            .copy_from_slice(&self.client_version.to_le_bytes());
        // Created on and last opened by a 32-bit-or-later Windows.
        h[l.platform] = 1;
        h[l.platform + 1] = 1;
        l.put_id(&mut h, l.next_page_bid, self.next_page_bid);
        h[l.unique..l.unique + 4].copy_from_slice(&UNIQUE_MAGIC.to_le_bytes());
        for (i, n) in self.nid_next.iter().enumerate() {
            let at = l.nid_next + 4 * i;
            h[at..at + 4].copy_from_slice(&n.to_le_bytes());
        }
        l.put_id(&mut h, l.file_eof, self.file_eof);
        l.put_id(&mut h, l.amap_last, self.amap_last);
        l.put_id(&mut h, l.amap_free, self.amap_free);
        let id = variant.id_size();
        for (at, r) in [(l.nbt_root, self.nbt_root), (l.bbt_root, self.bbt_root)] {
            l.put_id(&mut h, at, r.bid);
            l.put_id(&mut h, at + id, r.ib);
        }
        // VALID_AMAP2: the allocation maps are current.
        h[l.amap_valid] = 2;
        // No free-map bytes: every page of the file is in use or listed in a map page.
        h[l.free_maps..l.free_maps + 256].fill(0xFF);
        h[l.sentinel] = SENTINEL;
        h[l.crypt] = self.crypt.code();
        // bidNextB counts in steps of 4: the low two bits of a block id are flags.
        l.put_id(&mut h, l.next_bid, self.next_bid << 2);
        h.truncate(l.size);
        l.seal(&mut h);
        h
    }
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
        if bytes.len() < 4 || &bytes[..4] != MAGIC {
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
        let client = ClientKind::from_magic(&bytes[CLIENT_AT..CLIENT_AT + 2]).ok_or_else(|| {
            not_outlook(NotOutlookReason::UnknownClient {
                found: [bytes[CLIENT_AT], bytes[CLIENT_AT + 1]],
            })
            .at_offset(CLIENT_AT as u64)
        })?;
        let version = u16_at(bytes, VERSION_AT);
        let variant = Variant::from_version(version).ok_or_else(|| {
            not_outlook(NotOutlookReason::UnknownVersion { found: version })
                .at_offset(VERSION_AT as u64)
        })?;
        if bytes.len() < variant.header_size() {
            return Err(not_outlook(NotOutlookReason::TooShort { len: file_len }));
        }
        let mut damage = Vec::new();

        let l = HeaderLayout::of(variant);

        // ANSI files guard 471 bytes after the magic; Unicode files add a full checksum over
        // 516 bytes that Outlook itself relies on.
        let (crc_at, crc_len) = l.guarding_crc();
        let expected = u32_at(bytes, crc_at);
        if let Err(computed) = verify(expected, &bytes[CRC_FROM..CRC_FROM + crc_len]) {
            damage.push(
                not_outlook(NotOutlookReason::HeaderCrc { expected, computed })
                    .at_offset(crc_at as u64),
            );
        }

        let (sentinel_at, crypt_at) = (l.sentinel, l.crypt);
        let id = variant.id_size();
        let file_eof = id_at(variant, bytes, l.file_eof);
        let nbt_root = BRef {
            bid: id_at(variant, bytes, l.nbt_root),
            ib: id_at(variant, bytes, l.nbt_root + id),
        };
        let bbt_root = BRef {
            bid: id_at(variant, bytes, l.bbt_root),
            ib: id_at(variant, bytes, l.bbt_root + id),
        };
        let amap_valid = bytes[l.amap_valid];

        if bytes[sentinel_at] != SENTINEL {
            damage.push(
                Error::mismatch(
                    "file header",
                    "sentinel byte",
                    format!("0x{SENTINEL:02X}"),
                    format!("0x{:02X}", bytes[sentinel_at]),
                )
                .at_offset(sentinel_at as u64),
            );
        }
        let crypt = match (bytes[crypt_at], CryptMethod::from_code(bytes[crypt_at])) {
            (_, Some(method)) => method,
            (CRYPT_PROTECTED, None) => {
                damage.push(
                    not_outlook(NotOutlookReason::ProtectedContent).at_offset(crypt_at as u64),
                );
                CryptMethod::None
            }
            (other, None) => {
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
            client_version: u16_at(bytes, l.client_version),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The offsets [MS-PST] 2.2.2.6 gives, written out here rather than derived, so that a
    /// slip in `HeaderLayout::of` shows against the specification.
    #[test]
    fn the_layout_puts_each_field_where_the_specification_does() {
        let u = HeaderLayout::of(Variant::Unicode);
        assert_eq!(
            (
                u.next_page_bid,
                u.unique,
                u.nid_next,
                u.file_eof,
                u.amap_last
            ),
            (32, 40, 44, 184, 192)
        );
        assert_eq!(
            (u.amap_free, u.pmap_free, u.nbt_root, u.bbt_root),
            (200, 208, 216, 232)
        );
        assert_eq!(
            (u.amap_valid, u.free_maps, u.sentinel, u.crypt),
            (248, 256, 512, 513)
        );
        assert_eq!((u.next_bid, u.full_crc, u.size), (516, Some(524), 564));
        assert_eq!(
            HeaderLayout::of(Variant::Unicode4k),
            HeaderLayout {
                variant: Variant::Unicode4k,
                ..u
            }
        );

        let a = HeaderLayout::of(Variant::Ansi);
        assert_eq!(
            (a.next_bid, a.next_page_bid, a.unique, a.nid_next),
            (24, 28, 32, 36)
        );
        assert_eq!(
            (a.file_eof, a.amap_last, a.amap_free, a.pmap_free),
            (168, 172, 176, 180)
        );
        assert_eq!(
            (a.nbt_root, a.bbt_root, a.amap_valid, a.free_maps),
            (184, 192, 200, 204)
        );
        assert_eq!(
            (a.sentinel, a.crypt, a.full_crc, a.size),
            (460, 461, None, 512)
        );
        assert_eq!(a.guarding_crc(), (4, 471));
        assert_eq!(u.guarding_crc(), (524, 516));
    }

    fn new_header(client: ClientKind, version: u16, crypt: CryptMethod) -> NewHeader {
        let mut nid_next = [0u32; 32];
        for (i, n) in nid_next.iter_mut().enumerate() {
            *n = 0x400 + i as u32;
        }
        NewHeader {
            client,
            version,
            client_version: 19,
            crypt,
            next_bid: 0x1234,
            next_page_bid: 0x77,
            nid_next,
            file_eof: 0x8_0000,
            amap_last: 0x4400,
            amap_free: 0x100,
            nbt_root: BRef {
                bid: 0x2A,
                ib: 0x6000,
            },
            bbt_root: BRef {
                bid: 0x2E,
                ib: 0x6200,
            },
        }
    }

    #[test]
    fn what_the_writer_encodes_the_reader_parses_back_in_every_variant() {
        for (client, version, crypt) in [
            (ClientKind::Pst, 23, CryptMethod::Permute),
            (ClientKind::Ost, 36, CryptMethod::None),
            (ClientKind::Pst, 14, CryptMethod::Cyclic),
        ] {
            let new = new_header(client, version, crypt);
            let bytes = new.encode();
            let parsed = Header::parse(&bytes, new.file_eof).expect("a header the writer made");
            assert_eq!(parsed.client, client);
            assert_eq!(parsed.version, version);
            assert_eq!(parsed.client_version, 19);
            assert_eq!(parsed.crypt, crypt);
            assert_eq!(parsed.file_eof, new.file_eof);
            assert_eq!(parsed.nbt_root, new.nbt_root);
            assert_eq!(parsed.bbt_root, new.bbt_root);
            assert_eq!(parsed.amap_valid, 2);
            let l = HeaderLayout::of(parsed.variant);
            assert_eq!(bytes.len(), l.size);
            assert_eq!(id_at(l.variant, &bytes, l.next_bid), new.next_bid << 2);
            assert_eq!(u32_at(&bytes, l.nid_next + 4 * 31), 0x400 + 31);
        }
    }

    #[test]
    fn a_changed_byte_breaks_the_seal_and_sealing_again_mends_it() {
        for version in [23, 36, 14] {
            let new = new_header(ClientKind::Pst, version, CryptMethod::None);
            let mut bytes = new.encode();
            let l = HeaderLayout::of(Variant::from_version(version).unwrap());
            bytes[l.crypt] = CryptMethod::Cyclic.code();
            assert!(
                Header::parse(&bytes, new.file_eof).is_err(),
                "version {version}"
            );
            l.seal(&mut bytes);
            let parsed = Header::parse(&bytes, new.file_eof).unwrap();
            assert_eq!(parsed.crypt, CryptMethod::Cyclic);
        }
    }
}
