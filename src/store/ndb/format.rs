//! The three on-disk variants differ only in widths, sizes and trailer layouts. Describing
//! them as data lets one B-tree, block and heap implementation serve all three.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// 32-bit ids and offsets, 512-byte pages (wVer 14/15).
    Ansi,
    /// 64-bit ids and offsets, 512-byte pages (wVer 21/23).
    Unicode,
    /// 64-bit ids and offsets, 4 KiB pages, zlib-compressed blocks (wVer 36, Outlook 2013+).
    Unicode4k,
}

impl Variant {
    pub fn from_version(ver: u16) -> Option<Variant> {
        match ver {
            14 | 15 => Some(Variant::Ansi),
            21 | 23 => Some(Variant::Unicode),
            36 => Some(Variant::Unicode4k),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Variant::Ansi => "ansi",
            Variant::Unicode => "unicode",
            Variant::Unicode4k => "unicode-4k",
        }
    }

    /// The size at which Outlook stops adding to a file of this format, by default. ANSI
    /// files address their contents with 32-bit offsets: 2 GiB is the format's own end
    /// (Outlook stops a little short of it). Unicode files could grow far larger; Outlook
    /// 2010 and later stop at 50 GB (`MaxLargeFileSize`, 51,200 MB, which a policy can
    /// change).
    pub fn default_size_limit(self) -> u64 {
        match self {
            Variant::Ansi => 2 << 30,
            Variant::Unicode | Variant::Unicode4k => 51_200 << 20,
        }
    }

    pub fn is_ansi(self) -> bool {
        self == Variant::Ansi
    }

    /// Width of a block id, byte offset or id field in on-disk entries.
    pub fn id_size(self) -> usize {
        if self.is_ansi() { 4 } else { 8 }
    }

    pub fn page_size(self) -> usize {
        match self {
            Variant::Unicode4k => 4096,
            _ => 512,
        }
    }

    /// Offset of the page trailer; the page CRC covers everything before it.
    pub fn page_trailer_offset(self) -> usize {
        match self {
            Variant::Ansi => 500,
            Variant::Unicode => 496,
            Variant::Unicode4k => 4072,
        }
    }

    /// Bytes of a B-tree page available for entries.
    pub fn btree_entries_size(self) -> usize {
        match self {
            Variant::Ansi => 496,
            Variant::Unicode => 488,
            Variant::Unicode4k => 4056,
        }
    }

    pub fn nbt_entry_size(self) -> usize {
        if self.is_ansi() { 16 } else { 32 }
    }

    pub fn bbt_entry_size(self) -> usize {
        if self.is_ansi() { 12 } else { 24 }
    }

    pub fn branch_entry_size(self) -> usize {
        if self.is_ansi() { 12 } else { 24 }
    }

    pub fn block_trailer_size(self) -> usize {
        match self {
            Variant::Ansi => 12,
            Variant::Unicode => 16,
            Variant::Unicode4k => 24,
        }
    }

    pub fn block_alignment(self) -> u64 {
        match self {
            Variant::Unicode4k => 512,
            _ => 64,
        }
    }

    /// The most data one block may hold: the 8 KiB (or 64 KiB) block less its trailer.
    pub fn max_block_data(self) -> usize {
        match self {
            Variant::Unicode4k => 65536 - 24,
            _ => 8192 - self.block_trailer_size(),
        }
    }

    /// Total bytes a block with `cb` data bytes occupies on disk.
    pub fn block_disk_size(self, cb: usize) -> u64 {
        let raw = (cb + self.block_trailer_size()) as u64;
        raw.div_ceil(self.block_alignment()) * self.block_alignment()
    }

    /// Size of the header of XBLOCK/SLBLOCK/SIBLOCK internal blocks: Unicode pads to 8 bytes.
    pub fn internal_block_header(self) -> usize {
        if self.is_ansi() { 4 } else { 8 }
    }

    /// The header bytes covered by the checksum that guards the header as a whole.
    pub fn header_size(self) -> usize {
        if self.is_ansi() { 512 } else { 564 }
    }

    /// Bits of a heap id's allocation index; the 5 type bits sit below them and the block
    /// index takes the rest of the 32. [MS-PST] 2.3.1.1 gives 11 index bits and 16 block
    /// bits. 4 KiB-page stores, which [MS-PST] does not describe, widen the index to 14 bits
    /// and keep 13 for the block (libpff's "Personal Folder File (PFF) format", section
    /// "64-bit 4k page table value reference"): their 64 KiB heap blocks hold more
    /// allocations than 11 bits can number. Only a heap that outgrows its first block shows
    /// the difference, so small stores read the same either way.
    pub fn hid_index_bits(self) -> u32 {
        match self {
            Variant::Unicode4k => 14,
            _ => 11,
        }
    }

    /// Bits of a heap id's block index: what the type and index bits leave of the 32.
    pub fn hid_block_bits(self) -> u32 {
        32 - HID_TYPE_BITS - self.hid_index_bits()
    }

    /// The most allocations one heap block can number (index 0 means none).
    pub fn max_heap_allocations(self) -> usize {
        (1 << self.hid_index_bits()) - 1
    }

    /// The most blocks a heap can have.
    pub fn max_heap_blocks(self) -> usize {
        1 << self.hid_block_bits()
    }
}

/// The low bits of a heap id or node id that give its type; zero for a heap id.
pub const HID_TYPE_BITS: u32 = 5;

/// Little-endian field readers over a byte slice, for fixed layouts already length-checked.
pub fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

pub fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// Reads an id-width field: 4 bytes in ANSI files, 8 in Unicode ones.
pub fn id_at(variant: Variant, b: &[u8], at: usize) -> u64 {
    if variant.is_ansi() {
        u32_at(b, at) as u64
    } else {
        u64_at(b, at)
    }
}
