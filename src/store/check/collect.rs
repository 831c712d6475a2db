//! Gathers findings as the passes make them. One damaged block is met again by every pass
//! that uses it: it is reported once, with the node that uses it filled in when a later
//! pass knows it. A badly damaged file could give millions of findings; past a limit per
//! class they are only counted.

use std::collections::{BTreeMap, HashMap};

use super::finding::{Class, Finding, Severity};

/// Findings listed per class before the rest are only counted.
pub const MAX_PER_CLASS: usize = 500;

/// What makes two findings the same problem: its class and place. Findings with no place
/// in the file are told apart by node and text.
#[derive(Hash, PartialEq, Eq)]
struct Key {
    class: Class,
    bid: Option<u64>,
    offset: Option<u64>,
    nid: Option<u32>,
    detail: Option<String>,
}

impl Key {
    fn of(f: &Finding) -> Key {
        let placed = f.bid.is_some() || f.offset.is_some();
        Key {
            class: f.class,
            bid: f.bid,
            offset: f.offset,
            nid: if placed { None } else { f.nid },
            detail: if placed { None } else { Some(f.detail.clone()) },
        }
    }
}

#[derive(Default)]
pub struct Findings {
    list: Vec<Finding>,
    index: HashMap<Key, usize>,
    per_class: BTreeMap<Class, usize>,
    unlisted: BTreeMap<Class, u64>,
    /// Every finding pushed, listed or not, folded into another or not.
    pushed: u64,
}

impl Findings {
    pub fn push(&mut self, f: Finding) {
        self.pushed += 1;
        let key = Key::of(&f);
        if let Some(&i) = self.index.get(&key) {
            let known = &mut self.list[i];
            if known.nid.is_none() {
                known.nid = f.nid;
            }
            if known.item.is_none() {
                known.item = f.item;
            }
            return;
        }
        let n = self.per_class.entry(f.class).or_default();
        if *n >= MAX_PER_CLASS {
            *self.unlisted.entry(f.class).or_default() += 1;
            return;
        }
        *n += 1;
        self.index.insert(key, self.list.len());
        self.list.push(f);
    }

    /// How many findings have been pushed so far, counting those folded into one already
    /// listed or past the limit: a pass that pushed none found nothing wrong.
    pub fn reported(&self) -> u64 {
        self.pushed
    }

    /// Names the node (and the folder or item) a block's findings concern, where they do
    /// not say yet.
    pub fn attach(&mut self, bid: u64, nid: u32, item: Option<String>) {
        for f in self.list.iter_mut().filter(|f| f.bid == Some(bid)) {
            if f.nid.is_none() {
                f.nid = Some(nid);
            }
            if f.item.is_none() {
                f.item.clone_from(&item);
            }
        }
    }

    /// The findings in the order they were made, then one note per class cut short.
    pub fn finish(mut self) -> Vec<Finding> {
        for (class, n) in std::mem::take(&mut self.unlisted) {
            let f = Finding::new(
                Class::TooMany,
                "scan log",
                format!(
                    "{n} more findings of class {} were counted but not listed",
                    class.name()
                ),
            )
            .severity(Severity::Info);
            self.list.push(f);
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_block_is_reported_once_and_learns_its_node() {
        let mut f = Findings::default();
        f.push(
            Finding::new(Class::BlockCrc, "block", "bad")
                .bid(0x40)
                .offset(0x4800),
        );
        f.push(
            Finding::new(Class::BlockCrc, "block", "bad again")
                .bid(0x40)
                .offset(0x4800)
                .nid(0x200024)
                .item("Inbox"),
        );
        f.push(
            Finding::new(Class::BlockCrc, "block", "other")
                .bid(0x44)
                .offset(0x4A00),
        );
        let list = f.finish();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].nid, Some(0x200024));
        assert_eq!(list[0].item.as_deref(), Some("Inbox"));
        assert_eq!(list[0].detail, "bad");
    }

    #[test]
    fn past_the_limit_findings_are_counted_not_listed() {
        let mut f = Findings::default();
        for i in 0..MAX_PER_CLASS as u64 + 7 {
            f.push(Finding::new(Class::Refcount, "block", "x").bid(i * 4));
        }
        let list = f.finish();
        assert_eq!(list.len(), MAX_PER_CLASS + 1);
        let last = list.last().unwrap();
        assert_eq!(last.class, Class::TooMany);
        assert!(last.detail.starts_with("7 more findings of class refcount"));
    }
}
