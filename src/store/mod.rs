//! The MS-PST / OST file format, layered as the specification is: `ndb` (header, pages,
//! B-trees, blocks), `ltp` (heap, BTH, property and table contexts) and `messaging`
//! (store, folders, messages, attachments).
