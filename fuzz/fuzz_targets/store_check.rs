//! Any bytes, opened as a store: the reader (open, folder walk, every item's summary,
//! body, recipients, attachments and properties) and the structural check must return,
//! never panic, hang or exhaust memory.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ostdoctor::store::Store;
use ostdoctor::store::check::check_store;
use ostdoctor::work::Work;

/// The reader works on files; one scratch file per fuzzing process.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("ostdoctor-fuzz-{}.pst", std::process::id()))
    })
}

fn read_everything(store: &Store) {
    let _ = store.properties();
    let Ok(folders) = store.folders() else {
        return;
    };
    let _ = store.ipm_subtree(&folders);
    for f in &folders {
        let Ok(nids) = store.message_nids(f.nid) else {
            continue;
        };
        for nid in nids {
            let Ok(m) = store.message(nid) else {
                continue;
            };
            let _ = m.summary();
            let _ = m.best_text();
            let _ = m.body_html();
            let _ = m.recipients();
            let _ = m.all_properties();
            if let Ok(attachments) = m.attachments() {
                for a in attachments {
                    let _ = m.attachment_data(a.nid);
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("write the scratch file");
    if let Ok(store) = Store::open(path) {
        read_everything(&store);
    }
    if let Ok(log) = check_store(path, &mut Work::quiet()) {
        let _ = log.to_text();
        let _ = log.problem_lines();
    }
});
