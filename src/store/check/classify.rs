//! Turns a reader error into a finding. The reader names the structure and the kind of
//! each error precisely; this maps that onto the check's vocabulary, so the check reuses
//! every verification the reader already makes instead of repeating it.

use super::finding::{Class, Finding};
use crate::store::error::{Error, ErrorKind, NotOutlookReason};

pub fn class_of(e: &Error) -> Class {
    let structure = e.at.structure;
    let by_structure = || match structure {
        "block" | "block trailer" => Class::BlockTrailer,
        "compressed block" => Class::BlockCompressed,
        "data tree block" | "data tree" => Class::DataTree,
        "subnode tree block" | "subnode tree" => Class::SubnodeTree,
        "heap" => Class::Heap,
        "BTH" => Class::Bth,
        "property context" => Class::PropertyContext,
        "table context" => Class::Table,
        "property value" | "multi-valued property" | "compressed RTF body" => Class::PropertyValue,
        "folder tree" => Class::HierarchyLoop,
        "file header" => Class::Header,
        s if s.ends_with("B-tree page") => Class::PageTrailer,
        _ => Class::Unreadable,
    };
    match &e.kind {
        ErrorKind::Io(_) => Class::Unreadable,
        ErrorKind::NotOutlookFile(NotOutlookReason::Truncated { .. }) => Class::Truncated,
        ErrorKind::NotOutlookFile(_) => Class::Header,
        ErrorKind::Crc { .. } => match structure {
            "block" => Class::BlockCrc,
            "file header" => Class::Header,
            s if s.ends_with("page") => Class::PageCrc,
            _ => by_structure(),
        },
        ErrorKind::Decompress { .. } => Class::BlockCompressed,
        ErrorKind::Truncated { .. } => match structure {
            "block" => Class::BbtOutOfFile,
            s if s.ends_with("page") => Class::BtreePointer,
            _ => Class::Truncated,
        },
        ErrorKind::NotFound { what } => match *what {
            "block" => Class::MissingBlock,
            _ => Class::MissingNode,
        },
        ErrorKind::Mismatch { field, .. } if structure.ends_with("B-tree page") => match *field {
            "entry size" => Class::BtreePage,
            "tree level" => Class::BtreeLevel,
            "page alignment" => Class::BtreePointer,
            _ => Class::PageTrailer,
        },
        ErrorKind::OutOfRange { what, .. } => match (structure, *what) {
            ("block", "stored size") => Class::BbtEntry,
            (s, "entry count") if s.ends_with("B-tree page") => Class::BtreePage,
            _ => by_structure(),
        },
        ErrorKind::Mismatch { .. } | ErrorKind::Cycle { .. } | ErrorKind::Malformed { .. } => {
            by_structure()
        }
    }
}

/// A finding for a reader error: its class, structure and place, and its text (without
/// the file name, which the scan log states once).
pub fn finding(e: &Error) -> Finding {
    let detail = match &e.kind {
        // The file is a store: "not an Outlook data file" would mislead here.
        ErrorKind::NotOutlookFile(reason) => reason.to_string(),
        ErrorKind::NotFound { .. } => format!("{}: {}", e.at.structure, e.kind),
        kind => kind.to_string(),
    };
    let mut f = Finding::new(class_of(e), e.at.structure, detail);
    f.offset = e.at.offset;
    f.nid = e.at.nid;
    f.bid = e.at.bid;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_errors_map_onto_the_vocabulary() {
        let crc = ErrorKind::Crc {
            expected: 1,
            computed: 2,
        };
        assert_eq!(class_of(&Error::new("block", crc)), Class::BlockCrc);
        let crc = ErrorKind::Crc {
            expected: 1,
            computed: 2,
        };
        assert_eq!(
            class_of(&Error::new("node B-tree page", crc)),
            Class::PageCrc
        );
        let e = Error::mismatch("block B-tree page", "tree level", 1, 3);
        assert_eq!(class_of(&e), Class::BtreeLevel);
        let e = Error::mismatch("block trailer", "block id", "0x4", "0x8");
        assert_eq!(class_of(&e), Class::BlockTrailer);
        let e = Error::malformed("heap", "allocation outside the block");
        assert_eq!(class_of(&e), Class::Heap);
        let e = Error::new("block B-tree", ErrorKind::NotFound { what: "block" });
        assert_eq!(class_of(&e), Class::MissingBlock);
        let e = Error::out_of_range("table context", "column count", 9, 3);
        assert_eq!(class_of(&e), Class::Table);
    }
}
