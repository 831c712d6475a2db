//! The lists, tables and properties layer: heaps on nodes, B-trees on heaps, and the
//! property and table contexts built from them.

pub mod bth;
pub mod heap;
pub mod node;
pub mod pc;
pub mod prop;
pub mod tc;

pub use node::Node;
pub use pc::PropertyContext;
pub use prop::{PropValue, ptype};
pub use tc::TableContext;
