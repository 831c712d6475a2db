//! What `stats` and `compare` share: open the store, connect to the server, measure both
//! sides and print the comparison.

use std::io::Write;
use std::path::Path;

use ostdoctor::diagnose::{ItemScope, Options, compare, gather};
use ostdoctor::store::Store;

use super::report::{Output, print};
use super::server_args::ServerArgs;

pub fn compare_and_print(
    store_path: &Path,
    server: &ServerArgs,
    scope: &ItemScope,
    options: &Options,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    // The store first: a wrong path should not cost a sign-in.
    let store = Store::open(store_path)?;
    let mut connected = server.connect()?;
    let kind = connected.kind();
    let (store_side, server_side) = gather(&store, connected.server(), kind, scope)?;
    let report = compare(&store_side, &server_side, options);
    let output = Output::new(
        store_path,
        connected.describe(),
        connected.listing(),
        &report,
    );
    print(&output, json, out)?;
    Ok(())
}
