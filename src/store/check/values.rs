//! Values stored under the wrong type that the reader still decodes as meant: worth a
//! finding, since Outlook itself shows them garbled (a folder of contacts offered with the
//! mail view), but nothing in them is lost.

use super::finding::{Class, Finding};
use crate::store::ltp::PropertyContext;
use crate::store::messaging::{class, tags};

/// Findings for the class names (container class, message class) of one folder or item.
pub fn mistyped_classes(pc: &PropertyContext, nid: u32, item: &str) -> Vec<Finding> {
    [
        (tags::CONTAINER_CLASS, "container class"),
        (tags::MESSAGE_CLASS, "message class"),
    ]
    .into_iter()
    .filter_map(|(id, what)| {
        let name = class::read(pc, id).ok().flatten()?;
        name.mistyped.then(|| {
            let mut detail = format!(
                "the {what} (property 0x{id:04X}) is typed as UTF-16 text but holds 8-bit text; read as meant: \"{}\"",
                name.text
            );
            if !name.trailing.is_empty() {
                detail.push_str(&format!(
                    ", followed by \"{}\" after its end",
                    name.trailing
                ));
            }
            Finding::new(Class::MistypedValue, "property context", detail)
            .nid(nid)
            .item(item.to_string())
        })
    })
    .collect()
}
