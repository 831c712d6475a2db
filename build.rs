//! Windows only: gives the executables the app's icon and a version resource (product
//! name, description and version from Cargo.toml), which Explorer and "Open with" show.
//! Other targets need nothing from here.

fn main() {
    println!("cargo:rerun-if-changed=packaging/windows/ostdoctor.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("packaging/windows/ostdoctor.ico")
        .set("ProductName", "OST Doctor")
        .set("FileDescription", "OST Doctor")
        .set("CompanyName", "The OST Doctor developers");
    if let Err(e) = resource.compile() {
        panic!("cannot compile the Windows resource (icon and version): {e}");
    }
}
