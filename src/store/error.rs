//! One error type for everything that reads a store. Each error says which file, which
//! structure, where (offset, node or block id), what was expected and what was found, so a
//! helpdesk person can act on it without a hex editor.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a file is not an Outlook data file at all (as opposed to a damaged one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOutlookReason {
    /// The file is shorter than a store header.
    TooShort { len: u64 },
    /// The first four bytes are not `!BDN`.
    WrongMagic { found: [u8; 4] },
    /// The client signature is not `SM` (PST), `SO` (OST) or `AB` (PAB).
    UnknownClient { found: [u8; 2] },
    /// The format version (wVer) is not one this reader knows.
    UnknownVersion { found: u16 },
    /// The header's own checksum does not match: the first bytes of the file are damaged.
    HeaderCrc { expected: u32, computed: u32 },
    /// The header says the file is longer than it is: it was cut short (copy, sync, disk).
    Truncated { expected_len: u64, actual_len: u64 },
    /// The header says the data is protected by Windows Information Protection.
    ProtectedContent,
}

#[derive(Debug)]
pub enum ErrorKind {
    Io(std::io::Error),
    NotOutlookFile(NotOutlookReason),
    /// A stored checksum disagrees with the bytes it covers.
    Crc {
        expected: u32,
        computed: u32,
    },
    /// A field holds a value other than the one the format requires.
    Mismatch {
        field: &'static str,
        expected: String,
        found: String,
    },
    /// The file ends before a structure it points to.
    Truncated {
        needed: u64,
        file_len: u64,
    },
    /// A reference (offset, id, index) points outside what exists.
    OutOfRange {
        what: &'static str,
        value: u64,
        limit: u64,
    },
    /// A node or block the store refers to is not in its B-tree.
    NotFound {
        what: &'static str,
    },
    /// A structure refers back to itself, directly or through others.
    Cycle {
        what: &'static str,
    },
    /// A compressed block does not inflate to the size its index promises.
    Decompress {
        detail: String,
    },
    /// Anything else that makes a structure unreadable.
    Malformed {
        detail: String,
    },
}

/// Where in the file an error was found.
#[derive(Debug, Clone, Default)]
pub struct Location {
    pub structure: &'static str,
    pub offset: Option<u64>,
    pub nid: Option<u32>,
    pub bid: Option<u64>,
}

/// What went wrong and where. Boxed inside [`Error`] so results stay small on the hot path.
#[derive(Debug)]
pub struct ErrorInfo {
    pub file: Option<Arc<Path>>,
    pub at: Location,
    pub kind: ErrorKind,
}

#[derive(Debug)]
pub struct Error(Box<ErrorInfo>);

impl std::ops::Deref for Error {
    type Target = ErrorInfo;
    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The file is shorter than its header records.
    pub fn is_truncated_file(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::NotOutlookFile(NotOutlookReason::Truncated { .. })
        )
    }

    pub fn new(structure: &'static str, kind: ErrorKind) -> Self {
        Error(Box::new(ErrorInfo {
            file: None,
            at: Location {
                structure,
                ..Location::default()
            },
            kind,
        }))
    }

    pub fn malformed(structure: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            structure,
            ErrorKind::Malformed {
                detail: detail.into(),
            },
        )
    }

    pub fn mismatch(
        structure: &'static str,
        field: &'static str,
        expected: impl fmt::Display,
        found: impl fmt::Display,
    ) -> Self {
        Self::new(
            structure,
            ErrorKind::Mismatch {
                field,
                expected: expected.to_string(),
                found: found.to_string(),
            },
        )
    }

    pub fn out_of_range(
        structure: &'static str,
        what: &'static str,
        value: u64,
        limit: u64,
    ) -> Self {
        Self::new(structure, ErrorKind::OutOfRange { what, value, limit })
    }

    pub fn at_offset(mut self, offset: u64) -> Self {
        self.0.at.offset.get_or_insert(offset);
        self
    }

    pub fn with_nid(mut self, nid: u32) -> Self {
        self.0.at.nid.get_or_insert(nid);
        self
    }

    pub fn with_bid(mut self, bid: u64) -> Self {
        self.0.at.bid.get_or_insert(bid);
        self
    }

    pub fn in_file(mut self, file: &Arc<Path>) -> Self {
        if self.0.file.is_none() {
            self.0.file = Some(file.clone());
        }
        self
    }

    pub fn file_path(&self) -> Option<PathBuf> {
        self.file.as_ref().map(|p| p.to_path_buf())
    }

    /// True when the file is not a store at all (wrong magic, unknown version, too short),
    /// as opposed to a store that is damaged.
    pub fn is_not_outlook_file(&self) -> bool {
        matches!(self.kind, ErrorKind::NotOutlookFile(_))
    }
}

impl fmt::Display for NotOutlookReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotOutlookReason::TooShort { len } => write!(
                f,
                "the file is only {len} bytes long, shorter than an Outlook data file header"
            ),
            NotOutlookReason::WrongMagic { found } => write!(
                f,
                "it does not start with the Outlook signature \"!BDN\" (found {})",
                show_bytes(found)
            ),
            NotOutlookReason::UnknownClient { found } => write!(
                f,
                "its type marker is {} where \"SM\" (.pst), \"SO\" (.ost) or \"AB\" (.pab) was expected",
                show_bytes(found)
            ),
            NotOutlookReason::UnknownVersion { found } => write!(
                f,
                "its format version is {found}, not one of 14, 15 (ANSI), 21, 23 (Unicode) or 36 (Outlook 2013+ with 4 KiB pages)"
            ),
            NotOutlookReason::HeaderCrc { expected, computed } => write!(
                f,
                "its header is damaged (stored checksum 0x{expected:08X}, computed 0x{computed:08X})"
            ),
            NotOutlookReason::Truncated {
                expected_len,
                actual_len,
            } => write!(
                f,
                "the file is truncated: its header records {expected_len} bytes but only {actual_len} are present"
            ),
            NotOutlookReason::ProtectedContent => write!(
                f,
                "its contents are encrypted by Windows Information Protection and can only be opened by Outlook on the enrolled machine"
            ),
        }
    }
}

fn show_bytes(bytes: &[u8]) -> String {
    let printable = bytes.iter().all(|b| b.is_ascii_graphic());
    if printable {
        format!("\"{}\"", String::from_utf8_lossy(bytes))
    } else {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "cannot read the file: {e}"),
            ErrorKind::NotOutlookFile(reason) => {
                write!(f, "not an Outlook data file: {reason}")
            }
            ErrorKind::Crc { expected, computed } => write!(
                f,
                "checksum mismatch: stored CRC 0x{expected:08X}, bytes give 0x{computed:08X} (the data is damaged)"
            ),
            ErrorKind::Mismatch {
                field,
                expected,
                found,
            } => write!(f, "{field}: expected {expected}, found {found}"),
            ErrorKind::Truncated { needed, file_len } => write!(
                f,
                "the file is truncated: {needed} bytes needed but it ends at {file_len}"
            ),
            ErrorKind::OutOfRange { what, value, limit } => write!(
                f,
                "{what} {value} (0x{value:X}) is out of range (limit {limit})"
            ),
            ErrorKind::NotFound { what } => write!(f, "{what} is missing"),
            ErrorKind::Cycle { what } => write!(f, "{what} refers back to itself"),
            ErrorKind::Decompress { detail } => write!(f, "compressed block is damaged: {detail}"),
            ErrorKind::Malformed { detail } => write!(f, "{detail}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        write!(f, "{}", self.at.structure)?;
        if let Some(nid) = self.at.nid {
            write!(f, " of node 0x{nid:X}")?;
        }
        if let Some(bid) = self.at.bid {
            write!(f, " (block 0x{bid:X})")?;
        }
        if let Some(offset) = self.at.offset {
            write!(f, " at offset 0x{offset:X}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Why long work over a store (a structural check, a copy, a search of its logs) gave no
/// result: the store could not be read, or the person stopped the work. One type for all
/// such work, so a front end tells a refusal from a Cancel the same way everywhere.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] Error),
    #[error(transparent)]
    Cancelled(#[from] crate::work::Cancelled),
}
