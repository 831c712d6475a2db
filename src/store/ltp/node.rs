//! A node as the LTP layer sees it: its data blocks and its private subnodes. Both are read
//! lazily, since a heap needs the first and only some values need the second.

use std::cell::OnceCell;

use crate::store::error::{Error, ErrorKind, Result};
use crate::store::ndb::{NbtEntry, Ndb, Nid, SubnodeEntry};

pub struct Node<'a> {
    pub ndb: &'a Ndb,
    pub nid: Nid,
    pub bid_data: u64,
    pub bid_sub: u64,
    subnodes: OnceCell<Vec<SubnodeEntry>>,
}

impl<'a> Node<'a> {
    pub fn new(ndb: &'a Ndb, nid: Nid, bid_data: u64, bid_sub: u64) -> Self {
        Node {
            ndb,
            nid,
            bid_data,
            bid_sub,
            subnodes: OnceCell::new(),
        }
    }

    pub fn from_nbt(ndb: &'a Ndb, e: &NbtEntry) -> Self {
        Self::new(ndb, e.nid, e.bid_data, e.bid_sub)
    }

    pub fn open(ndb: &'a Ndb, nid: Nid) -> Result<Self> {
        Ok(Self::from_nbt(ndb, &ndb.node(nid)?))
    }

    pub fn data_blocks(&self) -> Result<Vec<Vec<u8>>> {
        self.ndb
            .data_blocks(self.bid_data)
            .map_err(|e| e.with_nid(self.nid.0))
    }

    pub fn data(&self) -> Result<Vec<u8>> {
        self.ndb
            .data(self.bid_data)
            .map_err(|e| e.with_nid(self.nid.0))
    }

    pub fn subnode_entries(&self) -> Result<&[SubnodeEntry]> {
        if let Some(list) = self.subnodes.get() {
            return Ok(list);
        }
        let list = self
            .ndb
            .subnodes(self.bid_sub)
            .map_err(|e| e.with_nid(self.nid.0))?;
        Ok(self.subnodes.get_or_init(|| list))
    }

    pub fn find_subnode(&self, nid: Nid) -> Result<Option<Node<'a>>> {
        Ok(self
            .subnode_entries()?
            .iter()
            .find(|s| s.nid == nid)
            .map(|s| Node::new(self.ndb, s.nid, s.bid_data, s.bid_sub)))
    }

    pub fn subnode(&self, nid: Nid) -> Result<Node<'a>> {
        self.find_subnode(nid)?.ok_or_else(|| {
            self.ndb.ctx(
                Error::new("subnode tree", ErrorKind::NotFound { what: "subnode" })
                    .with_nid(self.nid.0)
                    .with_bid(nid.0 as u64),
            )
        })
    }
}
