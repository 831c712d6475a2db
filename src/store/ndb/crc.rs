//! The store's CRC: CRC-32 with the reflected polynomial 0xEDB88320 but starting from zero
//! and without the final inversion, so standard CRC-32 crates give different values.

const TABLE: [u32; 256] = make_table();

const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// The store's CRC of `data`. `crc32fast` computes the standard CRC-32 (same polynomial,
/// reflected) at several GB/s; it inverts the running value on the way in and on the way
/// out, so starting it from all ones and inverting its result gives the store's variant,
/// which starts from zero and is never inverted. The byte-wise table above is the
/// definition it is tested against.
pub fn crc32(data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(0xFFFF_FFFF);
    h.update(data);
    !h.finalize()
}

/// The definition: one table step per byte ([MS-PST] 5.3).
pub fn crc32_bytewise(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |crc, &b| {
        TABLE[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8)
    })
}

/// Checks `data` against its stored checksum; `Err(computed)` when they differ. Fuzzing
/// builds accept every checksum, so that mutated inputs reach the structures behind them
/// instead of stopping at the first block; every other build verifies.
pub fn verify(stored: u32, data: &[u8]) -> Result<(), u32> {
    if cfg!(fuzzing) {
        return Ok(());
    }
    let computed = crc32(data);
    if computed == stored {
        Ok(())
    } else {
        Err(computed)
    }
}

/// The signature stored beside pages and blocks: ties a structure to both its id and the
/// offset it was written at, so a block found at the wrong place is caught.
pub fn signature(ib: u64, bid: u64) -> u16 {
    let x = ib ^ bid;
    ((x >> 16) as u16) ^ (x as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_nothing_is_zero_and_single_bytes_follow_the_table() {
        assert_eq!(crc32(&[]), 0);
        assert_eq!(crc32(&[1]), TABLE[1]);
        assert_eq!(TABLE[1], 0x7707_3096);
        assert_eq!(TABLE[255], 0x2D02_EF8D);
    }

    #[test]
    fn the_fast_crc_equals_the_table_on_every_length_and_alignment() {
        // Lengths around the fast path's block sizes, at every start offset of a word.
        let data: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        for start in 0..8 {
            for len in (0..200).chain([511, 512, 513, 4071, 4072, 4096, 4900]) {
                let part = &data[start..(start + len).min(data.len())];
                assert_eq!(
                    crc32(part),
                    crc32_bytewise(part),
                    "start {start}, len {len}"
                );
            }
        }
    }

    #[test]
    fn signature_folds_the_xor_of_offset_and_id() {
        assert_eq!(signature(0x1_0000, 0), 1);
        assert_eq!(signature(0x4400, 0x4400), 0);
        assert_eq!(signature(0x0012_3456, 0x0000_0004), 0x0012 ^ 0x3452);
    }
}
