//! What the check reports: one finding per problem, with a severity, a class from a fixed
//! vocabulary (scripts and the wizard match on it), where it is, and what it means for the
//! person whose mail is in the file.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something is broken: data is unreadable, lost from view, or at risk.
    Error,
    /// An inconsistency Outlook tolerates or repairs by itself; nothing is lost yet.
    Warning,
    /// Worth knowing, not a problem.
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The fixed vocabulary of findings. The names (`Class::name`, and the JSON form) are
/// stable: tests, scripts and the wizard depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// The file header: checksum, sentinel, encryption method, B-tree roots.
    Header,
    /// The file is shorter than its header records.
    Truncated,
    /// A B-tree page whose checksum does not match its bytes.
    PageCrc,
    /// A B-tree page whose trailer names another type, id or signature.
    PageTrailer,
    /// A B-tree page whose footer (entry size, entry count) is impossible.
    BtreePage,
    /// B-tree entries out of order, repeated, or outside the range their parent gives.
    BtreeOrder,
    /// A B-tree page at the wrong level for its place in the tree.
    BtreeLevel,
    /// A B-tree branch pointing outside the file, off a page boundary, or at a page
    /// already used elsewhere in the tree.
    BtreePointer,
    /// A block index entry with an impossible size or position.
    BbtEntry,
    /// A block index entry pointing past the end of the file.
    BbtOutOfFile,
    /// Two blocks (or a block and an index page) claiming the same bytes.
    BbtOverlap,
    /// A block whose checksum does not match its bytes.
    BlockCrc,
    /// A block whose trailer names another size, id or signature: often a block written
    /// in the wrong place.
    BlockTrailer,
    /// A compressed block that does not inflate to the size the index promises.
    BlockCompressed,
    /// A data tree (XBLOCK/XXBLOCK) with the wrong kind of children or the wrong total.
    DataTree,
    /// A subnode tree (SLBLOCK/SIBLOCK) with the wrong kind of children.
    SubnodeTree,
    /// A reference to a block that is not in the block index.
    MissingBlock,
    /// A block whose reference count disagrees with the references to it.
    Refcount,
    /// A reference to a node (folder, item, table, subnode) that does not exist.
    MissingNode,
    /// A heap-on-node whose header or page map is damaged.
    Heap,
    /// A B-tree-on-heap (the index of properties and table rows) that is damaged.
    Bth,
    /// A property context (the properties of a folder, item or attachment) that is damaged.
    PropertyContext,
    /// A table context (hierarchy, contents, recipient or attachment table) that is damaged.
    Table,
    /// A property value that cannot be decoded.
    PropertyValue,
    /// A value stored under the wrong type (8-bit text typed as UTF-16) that still reads
    /// as meant.
    MistypedValue,
    /// A folder whose item count disagrees with its contents table.
    ContentCount,
    /// An item whose folder does not exist or that no folder lists.
    OrphanMessage,
    /// A folder that cannot be reached from the root folder.
    OrphanFolder,
    /// An item or folder whose recorded parent is another folder than the one listing it.
    ParentMismatch,
    /// A folder that is its own ancestor.
    HierarchyLoop,
    /// A folder every store needs (root, top of the mailbox, search root, Deleted Items)
    /// that is missing.
    MissingFolder,
    /// The allocation map does not mark space that blocks or pages use, or a map page
    /// (allocation, page or free map) is missing or damaged.
    Amap,
    /// Something could not be read for another reason (an I/O error).
    Unreadable,
    /// The check stopped listing findings of one class after many.
    TooMany,
}

impl Class {
    pub fn name(self) -> &'static str {
        use Class::*;
        match self {
            Header => "header",
            Truncated => "truncated",
            PageCrc => "page_crc",
            PageTrailer => "page_trailer",
            BtreePage => "btree_page",
            BtreeOrder => "btree_order",
            BtreeLevel => "btree_level",
            BtreePointer => "btree_pointer",
            BbtEntry => "bbt_entry",
            BbtOutOfFile => "bbt_out_of_file",
            BbtOverlap => "bbt_overlap",
            BlockCrc => "block_crc",
            BlockTrailer => "block_trailer",
            BlockCompressed => "block_compressed",
            DataTree => "data_tree",
            SubnodeTree => "subnode_tree",
            MissingBlock => "missing_block",
            Refcount => "refcount",
            MissingNode => "missing_node",
            Heap => "heap",
            Bth => "bth",
            PropertyContext => "property_context",
            Table => "table",
            PropertyValue => "property_value",
            MistypedValue => "mistyped_value",
            ContentCount => "content_count",
            OrphanMessage => "orphan_message",
            OrphanFolder => "orphan_folder",
            ParentMismatch => "parent_mismatch",
            HierarchyLoop => "hierarchy_loop",
            MissingFolder => "missing_folder",
            Amap => "amap",
            Unreadable => "unreadable",
            TooMany => "too_many",
        }
    }

    /// What this kind of problem means for the mail in the file, in words a helpdesk can
    /// pass on.
    pub fn meaning(self) -> &'static str {
        use Class::*;
        match self {
            Header => {
                "The file's header, which tells Outlook where everything else is, is damaged."
            }
            Truncated => {
                "The file is shorter than it should be: it was cut off (an interrupted copy, a full disk or a sync tool). Whatever was at the end is missing."
            }
            PageCrc => {
                "An index page is damaged; the folders and items it leads to may be unreachable."
            }
            PageTrailer => {
                "An index page is not the page that should be there; the folders and items it leads to may be unreachable."
            }
            BtreePage => {
                "An index page is malformed; the folders and items it leads to may be unreachable."
            }
            BtreeOrder => {
                "The file's index is out of order; Outlook may not find some folders or items even though they are in the file."
            }
            BtreeLevel => {
                "The file's index is wired wrongly; the folders and items below the damaged point may be unreachable."
            }
            BtreePointer => {
                "The file's index points to a place where no index page can be; what lies below it is unreachable."
            }
            BbtEntry => {
                "The list of stored data records a piece of data with an impossible size or position."
            }
            BbtOutOfFile => {
                "The list of stored data points past the end of the file: that data is missing."
            }
            BbtOverlap => {
                "Two pieces of stored data claim the same place in the file; at least one of them is overwritten."
            }
            BlockCrc => {
                "A piece of stored data is damaged (its checksum does not match); the folder or item using it may be unreadable or incomplete."
            }
            BlockTrailer => {
                "A piece of stored data is not what should be at that place; the folder or item using it may show the wrong content or none."
            }
            BlockCompressed => {
                "A compressed piece of stored data cannot be unpacked; the folder or item using it is unreadable."
            }
            DataTree => {
                "The list that joins the pieces of a large item or table is damaged; that item or table is incomplete."
            }
            SubnodeTree => {
                "The list of an item's parts (recipients, attachments, large properties) is damaged; those parts are unreadable."
            }
            MissingBlock => {
                "Something in the file uses data that is not there any more; the folder or item concerned is incomplete."
            }
            Refcount => {
                "The file's count of how many things use a piece of data is wrong. Too low: Outlook may free data still in use and lose it later. Too high: space is wasted."
            }
            MissingNode => {
                "A folder, item or part of one is referred to but does not exist in the file."
            }
            Heap => {
                "The internal layout of a folder's or item's data is damaged; its properties or rows cannot be read."
            }
            Bth => {
                "The index of a folder's or item's properties or rows is damaged; some of them cannot be found."
            }
            PropertyContext => "The properties of a folder, item or attachment cannot be read.",
            Table => {
                "A folder's list of subfolders or items, or an item's list of recipients or attachments, is damaged."
            }
            PropertyValue => {
                "A property of a folder, item or attachment holds an unreadable value."
            }
            MistypedValue => {
                "A folder's or item's type name is stored as the wrong kind of text, so Outlook may show it with the wrong view (contacts as mail); OST Doctor reads it as meant and nothing is lost."
            }
            ContentCount => {
                "A folder's item count (what Outlook shows as \"Offline folder contains\") disagrees with the items it really lists."
            }
            OrphanMessage => {
                "An item belongs to no existing folder, or no folder lists it: Outlook does not show it, although it is in the file."
            }
            OrphanFolder => {
                "A folder cannot be reached from the top of the file: Outlook does not show it or its items."
            }
            ParentMismatch => {
                "A folder or item records a different parent folder than the one that lists it."
            }
            HierarchyLoop => {
                "A folder is inside itself (directly or through other folders); Outlook cannot show that part of the tree."
            }
            MissingFolder => {
                "A folder every Outlook data file needs is missing; Outlook may refuse the file or rebuild that folder empty."
            }
            Amap => {
                "The file's maps of used and free space are damaged or mark data as free; Outlook could write over it."
            }
            Unreadable => "Part of the file could not be read from the disk.",
            TooMany => "There are more problems of one kind than the scan log lists.",
        }
    }

    /// The severity a finding of this class has unless the check says otherwise.
    pub fn default_severity(self) -> Severity {
        use Class::*;
        match self {
            ContentCount | ParentMismatch | MistypedValue => Severity::Warning,
            TooMany => Severity::Info,
            _ => Severity::Error,
        }
    }
}

/// One problem, where it is, and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub class: Class,
    /// The structure concerned, as the format names it ("block", "node B-tree page",
    /// "contents table", "folder", ...).
    pub structure: String,
    /// Byte offset in the file, when the problem has one place.
    pub offset: Option<u64>,
    /// The node (folder, item, table) concerned.
    pub nid: Option<u32>,
    /// The block or page concerned.
    pub bid: Option<u64>,
    /// The folder path or item it concerns, for people to recognize.
    pub item: Option<String>,
    /// What the problem means, in plain words.
    pub meaning: String,
    /// What exactly was found, for someone who wants the technical detail.
    pub detail: String,
}

impl Finding {
    pub fn new(class: Class, structure: impl Into<String>, detail: impl Into<String>) -> Self {
        Finding {
            severity: class.default_severity(),
            class,
            structure: structure.into(),
            offset: None,
            nid: None,
            bid: None,
            item: None,
            meaning: class.meaning().to_string(),
            detail: detail.into(),
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    pub fn nid(mut self, nid: u32) -> Self {
        self.nid = Some(nid);
        self
    }

    pub fn bid(mut self, bid: u64) -> Self {
        self.bid = Some(bid);
        self
    }

    pub fn item(mut self, item: impl Into<String>) -> Self {
        self.item = Some(item.into());
        self
    }

    /// Where, in one phrase: "block 0x1A4 at offset 0x5200, node 0x200024 (Inbox)".
    pub fn location(&self) -> String {
        let mut s = self.structure.clone();
        if let Some(bid) = self.bid {
            s.push_str(&format!(" 0x{bid:X}"));
        }
        if let Some(offset) = self.offset {
            s.push_str(&format!(" at offset 0x{offset:X}"));
        }
        if let Some(nid) = self.nid {
            if self.bid.is_some() || self.offset.is_some() {
                s.push_str(&format!(", node 0x{nid:X}"));
            } else {
                s.push_str(&format!(" 0x{nid:X}"));
            }
        }
        if let Some(item) = &self.item {
            s.push_str(&format!(" ({item})"));
        }
        s
    }
}
