//! Entry ids inside copied items, re-pointed to the copies. An item of a personal store
//! names another object of the same store by an entry id holding the store's record key
//! and the object's node id ([MS-PST] 2.4.3.2): a distribution list its member contacts
//! (wrapped inside PidLidDistributionListMembers), a rule or a search its folder. The new
//! store has a record key and node ids of its own, so such an id copied as it was would
//! name nothing; each one found (record key, then a node id the copy knows) is rewritten to
//! the copy's record key and node id. One-off entry ids (an address typed by hand) and
//! Exchange ids hold no record key and stay as they are.

use std::collections::HashMap;

use crate::store::ltp::prop::ptype;
use crate::store::ndb::Nid;
use crate::store::write::messaging::NewMessage;

/// Whether any value of the item names an object of the source store, whose record key is
/// `key`: such an item is written once every object it may name has its node id in the copy.
pub fn names(m: &mut NewMessage, key: &[u8; 16]) -> bool {
    let mut found = false;
    each_binary(m, &mut |b| found |= find(b, key, 0).is_some());
    found
}

/// The source's record key, the copy's, and the node ids of the copies made so far.
#[derive(Debug, Default)]
pub struct Repoint {
    old_key: Option<[u8; 16]>,
    new_key: [u8; 16],
    nids: HashMap<u32, u32>,
    /// Entry ids rewritten.
    pub repointed: usize,
    /// Entry ids naming an object of the source that the copy does not hold (not chosen, or
    /// not readable): left as they were.
    pub unresolved: usize,
}

impl Repoint {
    /// `old_key` is the source's record key (`None`, or not 16 bytes: nothing to do).
    pub fn new(old_key: Option<&[u8]>, new_key: [u8; 16]) -> Repoint {
        Repoint {
            old_key: old_key.and_then(|k| k.try_into().ok()),
            new_key,
            ..Repoint::default()
        }
    }

    /// The copy of the source's object `old` is the copy's `new`.
    pub fn map(&mut self, old: Nid, new: Nid) {
        self.nids.insert(old.0, new.0);
    }

    /// The source's record key, for [`names`] on a thread of its own.
    pub fn old_key(&self) -> Option<[u8; 16]> {
        self.old_key
    }

    /// Rewrites every entry id in the item that names an object the copy holds.
    pub fn apply(&mut self, m: &mut NewMessage) {
        let Some(key) = self.old_key else {
            return;
        };
        let (new_key, nids) = (self.new_key, &self.nids);
        let (mut repointed, mut unresolved) = (0, 0);
        each_binary(m, &mut |b| {
            let mut from = 0;
            while let Some(at) = find(b, &key, from) {
                from = at + key.len();
                let Some(nid) = b.get(from..from + 4) else {
                    continue;
                };
                let nid = u32::from_le_bytes(nid.try_into().expect("4 bytes"));
                match nids.get(&nid) {
                    Some(&new) => {
                        b[at..from].copy_from_slice(&new_key);
                        b[from..from + 4].copy_from_slice(&new.to_le_bytes());
                        repointed += 1;
                    }
                    None => unresolved += 1,
                }
            }
        });
        self.repointed += repointed;
        self.unresolved += unresolved;
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Every binary value (single or multi-valued) of the item, its recipient rows and its
/// attachments, attached items included.
fn each_binary(m: &mut NewMessage, f: &mut dyn FnMut(&mut Vec<u8>)) {
    let is_binary = |t: u16| t == ptype::BINARY || t == ptype::BINARY | ptype::MULTI;
    let props = m
        .extra
        .iter_mut()
        .chain(m.recipients.iter_mut().flat_map(|r| r.extra.iter_mut()))
        .chain(m.attachments.iter_mut().flat_map(|a| a.extra.iter_mut()));
    for (_, t, bytes) in props {
        if is_binary(*t) {
            f(bytes);
        }
    }
    for a in &mut m.attachments {
        if let Some(inner) = a.embedded.as_deref_mut() {
            each_binary(inner, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::write::messaging::NewMessage;

    const OLD: [u8; 16] = [7; 16];
    const NEW: [u8; 16] = [9; 16];

    fn entry_id(key: [u8; 16], nid: u32) -> Vec<u8> {
        let mut e = vec![0; 4];
        e.extend_from_slice(&key);
        e.extend_from_slice(&nid.to_le_bytes());
        e
    }

    #[test]
    fn an_entry_id_of_a_copied_object_is_rewritten_and_others_are_kept() {
        let mut r = Repoint::new(Some(&OLD), NEW);
        r.map(Nid(0x200024), Nid(0x400024));
        // A wrapped member list: two members, one copied, one not.
        let mut value = vec![0xC3];
        value.extend(entry_id(OLD, 0x200024));
        value.extend(entry_id(OLD, 0x300024));
        let mut m = NewMessage {
            extra: vec![
                (0x8055, ptype::BINARY, value),
                (0x0037, ptype::UNICODE, entry_id(OLD, 0x200024)),
            ],
            ..NewMessage::default()
        };
        assert!(names(&mut m, &OLD));
        r.apply(&mut m);
        let mut want = vec![0xC3];
        want.extend(entry_id(NEW, 0x400024));
        want.extend(entry_id(OLD, 0x300024));
        assert_eq!(m.extra[0].2, want);
        // Text is never touched, whatever its bytes.
        assert_eq!(m.extra[1].2, entry_id(OLD, 0x200024));
        assert_eq!((r.repointed, r.unresolved), (1, 1));
    }

    #[test]
    fn a_store_without_a_record_key_changes_nothing() {
        let mut r = Repoint::new(None, NEW);
        let mut m = NewMessage {
            extra: vec![(0x8055, ptype::BINARY, entry_id(OLD, 1))],
            ..NewMessage::default()
        };
        assert_eq!(r.old_key(), None);
        r.apply(&mut m);
        assert_eq!(m.extra[0].2, entry_id(OLD, 1));
    }
}
