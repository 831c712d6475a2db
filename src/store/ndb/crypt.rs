//! The two block encodings of [MS-PST] 5.1 and 5.2. Neither is security; they only keep
//! text from being readable in a hex dump. Permute substitutes each byte through a fixed
//! table; cyclic runs each byte through three tables keyed by the block id.

/// The "R" table of the specification: the permute encoding.
const R: [u8; 256] = [
    65, 54, 19, 98, 168, 33, 110, 187, 244, 22, 204, 4, 127, 100, 232, 93, 30, 242, 203, 42, 116,
    197, 94, 53, 210, 149, 71, 158, 150, 45, 154, 136, 76, 125, 132, 63, 219, 172, 49, 182, 72, 95,
    246, 196, 216, 57, 139, 231, 35, 59, 56, 142, 200, 193, 223, 37, 177, 32, 165, 70, 96, 78, 156,
    251, 170, 211, 86, 81, 69, 124, 85, 0, 7, 201, 43, 157, 133, 155, 9, 160, 143, 173, 179, 15,
    99, 171, 137, 75, 215, 167, 21, 90, 113, 102, 66, 191, 38, 74, 107, 152, 250, 234, 119, 83,
    178, 112, 5, 44, 253, 89, 58, 134, 126, 206, 6, 235, 130, 120, 87, 199, 141, 67, 175, 180, 28,
    212, 91, 205, 226, 233, 39, 79, 195, 8, 114, 128, 207, 176, 239, 245, 40, 109, 190, 48, 77, 52,
    146, 213, 14, 60, 34, 50, 229, 228, 249, 159, 194, 209, 10, 129, 18, 225, 238, 145, 131, 118,
    227, 151, 230, 97, 138, 23, 121, 164, 183, 220, 144, 122, 92, 140, 2, 166, 202, 105, 222, 80,
    26, 17, 147, 185, 82, 135, 88, 252, 237, 29, 55, 73, 27, 106, 224, 41, 51, 153, 189, 108, 217,
    148, 243, 64, 84, 111, 240, 198, 115, 184, 214, 62, 101, 24, 68, 31, 221, 103, 16, 241, 12, 25,
    236, 174, 3, 161, 20, 123, 169, 11, 255, 248, 163, 192, 162, 1, 247, 46, 188, 36, 104, 117, 13,
    254, 186, 47, 181, 208, 218, 61,
];

/// The "S" table: the middle rotor of the cyclic encoding.
const S: [u8; 256] = [
    20, 83, 15, 86, 179, 200, 122, 156, 235, 101, 72, 23, 22, 21, 159, 2, 204, 84, 124, 131, 0, 13,
    12, 11, 162, 98, 168, 118, 219, 217, 237, 199, 197, 164, 220, 172, 133, 116, 214, 208, 167,
    155, 174, 154, 150, 113, 102, 195, 99, 153, 184, 221, 115, 146, 142, 132, 125, 165, 94, 209,
    93, 147, 177, 87, 81, 80, 128, 137, 82, 148, 79, 78, 10, 107, 188, 141, 127, 110, 71, 70, 65,
    64, 68, 1, 17, 203, 3, 63, 247, 244, 225, 169, 143, 60, 58, 249, 251, 240, 25, 48, 130, 9, 46,
    201, 157, 160, 134, 73, 238, 111, 77, 109, 196, 45, 129, 52, 37, 135, 27, 136, 170, 252, 6,
    161, 18, 56, 253, 76, 66, 114, 100, 19, 55, 36, 106, 117, 119, 67, 255, 230, 180, 75, 54, 92,
    228, 216, 53, 61, 69, 185, 44, 236, 183, 49, 43, 41, 7, 104, 163, 14, 105, 123, 24, 158, 33,
    57, 190, 40, 26, 91, 120, 245, 35, 202, 42, 176, 175, 62, 254, 4, 140, 231, 229, 152, 50, 149,
    211, 246, 74, 232, 166, 234, 233, 243, 213, 47, 112, 32, 242, 31, 5, 103, 173, 85, 16, 206,
    205, 227, 39, 59, 218, 186, 215, 194, 38, 212, 145, 29, 210, 28, 34, 51, 248, 250, 241, 90,
    239, 207, 144, 182, 139, 181, 189, 192, 191, 8, 151, 30, 108, 226, 97, 224, 198, 193, 89, 171,
    187, 88, 222, 95, 223, 96, 121, 126, 178, 138,
];

/// The "I" table is the inverse of R; deriving it keeps one source for the data.
const I: [u8; 256] = invert(&R);

const fn invert(table: &[u8; 256]) -> [u8; 256] {
    let mut out = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        out[table[i] as usize] = i as u8;
        i += 1;
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CryptMethod {
    None,
    Permute,
    Cyclic,
}

impl CryptMethod {
    /// The header's bCryptMethod byte for this method ([MS-PST] 2.2.2.6).
    pub fn code(self) -> u8 {
        match self {
            CryptMethod::None => 0,
            CryptMethod::Permute => 1,
            CryptMethod::Cyclic => 2,
        }
    }

    /// The method a header's bCryptMethod byte names; `None` for any other value.
    pub fn from_code(code: u8) -> Option<CryptMethod> {
        match code {
            0 => Some(CryptMethod::None),
            1 => Some(CryptMethod::Permute),
            2 => Some(CryptMethod::Cyclic),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CryptMethod::None => "none",
            CryptMethod::Permute => "permute",
            CryptMethod::Cyclic => "cyclic",
        }
    }

    /// Turns stored bytes of an external block back into plain data.
    pub fn decode(self, data: &mut [u8], bid: u64) {
        match self {
            CryptMethod::None => {}
            CryptMethod::Permute => data.iter_mut().for_each(|b| *b = I[*b as usize]),
            CryptMethod::Cyclic => cyclic(data, bid as u32),
        }
    }

    /// Turns plain data into the bytes stored for an external block.
    pub fn encode(self, data: &mut [u8], bid: u64) {
        match self {
            CryptMethod::None => {}
            CryptMethod::Permute => data.iter_mut().for_each(|b| *b = R[*b as usize]),
            // The cyclic transform is its own inverse for a given key.
            CryptMethod::Cyclic => cyclic(data, bid as u32),
        }
    }
}

fn cyclic(data: &mut [u8], key: u32) {
    let mut w = (key ^ (key >> 16)) as u16;
    for b in data.iter_mut() {
        let lo = w as u8;
        let hi = (w >> 8) as u8;
        let mut x = b.wrapping_add(lo);
        x = R[x as usize];
        x = x.wrapping_add(hi);
        x = S[x as usize];
        x = x.wrapping_sub(hi);
        x = I[x as usize];
        *b = x.wrapping_sub(lo);
        w = w.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_table_matches_the_published_one() {
        assert_eq!(&I[..8], &[71, 241, 180, 230, 11, 106, 114, 72]);
        assert_eq!(&I[248..], &[237, 154, 100, 63, 193, 108, 249, 236]);
    }

    #[test]
    fn both_encodings_round_trip() {
        let plain: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        for method in [CryptMethod::Permute, CryptMethod::Cyclic] {
            let mut data = plain.clone();
            method.encode(&mut data, 0x1234_5678);
            assert_ne!(data, plain, "{method:?} changed nothing");
            method.decode(&mut data, 0x1234_5678);
            assert_eq!(data, plain, "{method:?} did not round-trip");
        }
    }
}
