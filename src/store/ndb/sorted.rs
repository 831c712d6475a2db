//! An index read whole (node or block entries sorted by key) with a table that finds in one
//! step the short run of entries a key can be among, so a lookup searches a handful of
//! entries rather than halving a million. Ids in a store are handed out counting up, so
//! keys spread evenly between the first and the last, and runs of equal width over that
//! span hold about as many entries each. Keys bunched together only make some runs long:
//! a lookup then halves that run, never more than the whole, and finds the same entry as
//! a search of the whole would.
//!
//! The check's item pass looks up every block and node of every item; halving the whole
//! block index for each (twenty steps, most of them cache misses) was a tenth of it.

use super::btree::{BbtEntry, NbtEntry, bid_key};

/// What entries are sorted and found by.
pub trait Keyed {
    fn key(&self) -> u64;
}

impl Keyed for NbtEntry {
    fn key(&self) -> u64 {
        u64::from(self.nid.0)
    }
}

impl Keyed for BbtEntry {
    /// The block id without its reserved lowest bit, which readers must ignore.
    fn key(&self) -> u64 {
        bid_key(self.bid)
    }
}

/// Entries per run the table aims at: a few, so a run is one or two cache lines, while
/// the table takes a byte per entry.
const PER_RUN: usize = 4;

#[derive(Debug, Default)]
pub struct Sorted<T> {
    entries: Vec<T>,
    /// `starts[r]`: the first entry whose key is in run `r` or a later one; one more than
    /// the runs, the last being the number of entries.
    starts: Vec<u32>,
    /// The first entry's key: runs start there.
    base: u64,
    /// A key's run is `(key - base) >> shift`.
    shift: u32,
}

impl<T: Keyed> Sorted<T> {
    /// `entries` must be sorted by key (equal keys may follow one another, as in a damaged
    /// index); at most `u32::MAX` of them.
    pub fn new(entries: Vec<T>) -> Self {
        debug_assert!(entries.windows(2).all(|w| w[0].key() <= w[1].key()));
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
            return Sorted {
                entries,
                starts: vec![0],
                base: 0,
                shift: 0,
            };
        };
        let (base, span) = (first.key(), last.key() - first.key());
        let runs_wanted = (entries.len() / PER_RUN).max(1).next_power_of_two();
        let span_bits = u64::BITS - span.leading_zeros();
        // At most 63: a shift by a whole u64 overflows (a span of every key gets two runs).
        let shift = span_bits
            .saturating_sub(runs_wanted.trailing_zeros())
            .min(u64::BITS - 1);
        let runs = (span >> shift) as usize + 1;
        let mut starts = Vec::with_capacity(runs + 1);
        for (i, e) in entries.iter().enumerate() {
            let run = ((e.key() - base) >> shift) as usize;
            while starts.len() <= run {
                starts.push(i as u32);
            }
        }
        starts.resize(runs + 1, entries.len() as u32);
        Sorted {
            entries,
            starts,
            base,
            shift,
        }
    }

    pub fn entries(&self) -> &[T] {
        &self.entries
    }

    /// The position of an entry with `key`, if there is one.
    pub fn position(&self, key: u64) -> Option<usize> {
        let run = (key.checked_sub(self.base)? >> self.shift) as usize;
        let (&from, &to) = (self.starts.get(run)?, self.starts.get(run + 1)?);
        let (from, to) = (from as usize, to as usize);
        self.entries[from..to]
            .binary_search_by_key(&key, Keyed::key)
            .ok()
            .map(|i| from + i)
    }

    pub fn find(&self, key: u64) -> Option<&T> {
        self.position(key).map(|i| &self.entries[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct K(u64);

    impl Keyed for K {
        fn key(&self) -> u64 {
            self.0
        }
    }

    /// Every key present is found where a search of the whole finds it, and every key
    /// absent (between, before, after, far past) is not, however the keys are spread.
    #[test]
    fn finds_what_a_search_of_the_whole_finds() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let spreads: Vec<Vec<u64>> = vec![
            vec![],
            vec![7],
            vec![0, u64::MAX],
            (0..1000).map(|i| 4 * i + 0x48).collect(),
            // Counting up with gaps, as block ids are handed out.
            (0..5000).map(|i| 4 * i + (i / 97) * 10_000).collect(),
            // Bunched: most keys close together, a few far off.
            (0..3000)
                .map(|i| if i % 500 == 0 { i << 40 } else { i })
                .collect(),
            // Anywhere, duplicates included (a damaged index).
            (0..4000).map(|_| next() % 50_000).collect(),
            (0..4000).map(|_| next()).collect(),
        ];
        for mut keys in spreads {
            keys.sort_unstable();
            let sorted = Sorted::new(keys.iter().map(|&k| K(k)).collect());
            assert_eq!(sorted.starts.last().copied(), Some(keys.len() as u32));
            let mut probes: Vec<u64> = keys.clone();
            probes.extend(keys.iter().map(|k| k.wrapping_add(1)));
            probes.extend(keys.iter().map(|k| k.wrapping_sub(1)));
            probes.extend([0, 1, u64::MAX, u64::MAX - 1]);
            probes.extend((0..200).map(|_| next()));
            for key in probes {
                let whole = keys.binary_search(&key).is_ok();
                let found = sorted.position(key);
                assert_eq!(
                    found.is_some(),
                    whole,
                    "key {key} among {} keys",
                    keys.len()
                );
                if let Some(i) = found {
                    assert_eq!(keys[i], key);
                    assert_eq!(sorted.find(key), Some(&K(key)));
                }
            }
        }
    }

    /// The table stays near a byte per entry, whatever the spread of the keys.
    #[test]
    fn the_table_is_small_beside_the_entries() {
        for keys in [
            (0..100_000u64).map(|i| 4 * i).collect::<Vec<_>>(),
            (0..100_000u64).map(|i| i * i * i).collect(),
            (0..100_000u64).map(|i| u64::MAX / 200_000 * i).collect(),
        ] {
            let n = keys.len();
            let sorted = Sorted::new(keys.into_iter().map(K).collect());
            assert!(sorted.starts.len() <= n / 2 + 2, "{}", sorted.starts.len());
        }
    }
}
