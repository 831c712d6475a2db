//! What the Debian package installs beside the binaries, checked without installing it: the
//! manual pages and completions `ostdoctor package-files` writes, the desktop entry, the
//! AppStream metadata and the MIME file against their validators, the three naming one set
//! of file types, and the MIME file recognising real stores by content through the same
//! database a desktop reads (`update-mime-database`, then `mimetype`, which `xdg-mime`
//! calls). The installed package itself is checked by packaging/check-deb.sh in CI.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TempDir, fixture, ostdoctor};

const LINUX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/linux");
const DESKTOP: &str = "org.ostdoctor.OstDoctor.desktop";
const METAINFO: &str = "org.ostdoctor.OstDoctor.metainfo.xml";
const MIME: &str = "org.ostdoctor.OstDoctor.mime.xml";
const OST_TYPE: &str = "application/vnd.ms-outlook-ost";
const PST_TYPE: &str = "application/vnd.ms-outlook-pst";

fn packaging_file(name: &str) -> PathBuf {
    Path::new(LINUX).join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Runs a validator and fails the test with what it printed when it objects.
fn validates(program: &str, args: &[&str], file: &Path) {
    let out = Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{program} (tests/run.sh installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} rejects {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The commands `ostdoctor help` lists, without `help` itself.
fn listed_commands() -> Vec<String> {
    let out = ostdoctor(&["help"]);
    let help = String::from_utf8(out.stdout).expect("UTF-8");
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(
        commands.len() >= 10,
        "commands parsed from the help: {commands:?}"
    );
    commands
}

#[test]
fn package_files_are_a_manual_page_per_command_and_completions_for_three_shells() {
    let dir = TempDir::new("package-files");
    let out = ostdoctor(&["package-files", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let man = dir.path().join("man");
    let main_page = read(&man.join("ostdoctor.1"));
    assert!(main_page.starts_with(".ie") || main_page.contains(".TH ostdoctor 1"));
    let commands = listed_commands();
    for command in &commands {
        let page = read(&man.join(format!("ostdoctor-{command}.1")));
        assert!(
            page.contains(".TH"),
            "ostdoctor-{command}.1 is not a manual page"
        );
        assert!(
            main_page.contains(command.as_str()),
            "the main page omits {command}"
        );
    }
    assert!(
        !man.join("ostdoctor-package-files.1").exists(),
        "the hidden command got a page"
    );
    // The export page carries its own flags and its exit statuses.
    let export = read(&man.join("ostdoctor-export.1"));
    assert!(export.contains("drop\\-password"), "{export}");
    assert!(
        export.contains("left"),
        "the exit statuses are missing: {export}"
    );

    let completions = dir.path().join("completions");
    for file in ["ostdoctor.bash", "_ostdoctor", "ostdoctor.fish"] {
        let text = read(&completions.join(file));
        for command in &commands {
            assert!(
                text.contains(command.as_str()),
                "{file} does not complete {command}"
            );
        }
    }
    let bash = Command::new("bash")
        .arg("-n")
        .arg(completions.join("ostdoctor.bash"))
        .output()
        .expect("bash");
    assert!(
        bash.status.success(),
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
}

#[test]
fn the_desktop_entry_metadata_and_mime_file_validate() {
    validates("desktop-file-validate", &[], &packaging_file(DESKTOP));
    validates(
        "appstreamcli",
        &["validate", "--no-net"],
        &packaging_file(METAINFO),
    );
    validates("xmllint", &["--noout"], &packaging_file(MIME));
}

/// The values of every `<tag>value</tag>` or `attribute="value"` in an XML text: enough
/// for the three short files here.
fn xml_values(text: &str, open: &str, close: &str) -> BTreeSet<String> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split(close).next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_desktop_entry_the_metadata_and_the_mime_file_name_the_same_types_app_and_icon() {
    let desktop = read(&packaging_file(DESKTOP));
    let key = |name: &str| {
        desktop
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name}= in the desktop entry"))
            .to_string()
    };
    let entry_types: BTreeSet<String> = key("MimeType")
        .split(';')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let declared = xml_values(&read(&packaging_file(MIME)), "<mime-type type=\"", "\"");
    let provided = xml_values(
        &read(&packaging_file(METAINFO)),
        "<mediatype>",
        "</mediatype>",
    );
    let expected: BTreeSet<String> = [OST_TYPE, PST_TYPE].map(str::to_string).into();
    assert_eq!(entry_types, expected);
    assert_eq!(declared, expected);
    assert_eq!(provided, expected);

    // A file manager passes the file it opens; the app's own entry point takes it.
    assert_eq!(key("Exec"), "ostdoctor-app %f");
    let metainfo = read(&packaging_file(METAINFO));
    let id = xml_values(&metainfo, "<id>", "</id>");
    assert_eq!(id, BTreeSet::from(["org.ostdoctor.OstDoctor".to_string()]));
    assert!(metainfo.contains(&format!(">{DESKTOP}</launchable>")));
    assert_eq!(key("Icon"), "org.ostdoctor.OstDoctor");
    #[cfg(feature = "gui")]
    assert_eq!(key("StartupWMClass"), ostdoctor::ui::APP_ID);

    // The package installs the icon under the name the entry gives, in both sizes.
    let manifest = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    for installed in [
        "usr/share/icons/hicolor/48x48/apps/org.ostdoctor.OstDoctor.png",
        "usr/share/icons/hicolor/scalable/apps/org.ostdoctor.OstDoctor.svg",
        "usr/share/applications/\"",
        "usr/share/metainfo/\"",
        "usr/share/mime/packages/org.ostdoctor.OstDoctor.xml",
    ] {
        assert!(
            manifest.contains(installed),
            "Cargo.toml installs no {installed}"
        );
    }
}

/// A private MIME database holding only the freedesktop types and ours, built the way a
/// package's trigger builds the system's.
struct MimeDatabase {
    dir: TempDir,
}

impl MimeDatabase {
    fn new() -> MimeDatabase {
        let dir = TempDir::new("mime");
        let packages = dir.path().join("mime/packages");
        std::fs::create_dir_all(&packages).unwrap();
        let system = Path::new("/usr/share/mime/packages/freedesktop.org.xml");
        std::fs::copy(system, packages.join("freedesktop.org.xml"))
            .expect("shared-mime-info's own types (tests/run.sh installs shared-mime-info)");
        std::fs::copy(
            packaging_file(MIME),
            packages.join("org.ostdoctor.OstDoctor.xml"),
        )
        .unwrap();
        let out = Command::new("update-mime-database")
            .arg(dir.path().join("mime"))
            .output()
            .expect("update-mime-database");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && !said.contains("Error"), "{said}");
        MimeDatabase { dir }
    }

    /// The type a desktop gives the file (`xdg-mime query filetype` runs `mimetype`).
    fn type_of(&self, file: &Path) -> String {
        let out = Command::new("mimetype")
            .args(["--brief", "--dereference"])
            .arg(file)
            .env("XDG_DATA_HOME", self.dir.path())
            .env("XDG_DATA_DIRS", self.dir.path())
            .output()
            .expect("mimetype (tests/run.sh installs libfile-mimeinfo-perl)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

#[test]
fn real_and_written_stores_are_known_by_their_name_and_by_their_content_alone() {
    let db = MimeDatabase::new();
    let scratch = TempDir::new("mime-stores");
    let mut stores: Vec<(PathBuf, &str)> = Vec::new();
    for (name, kind) in [
        ("outlook-com-2013.ost", OST_TYPE),
        ("enron.pst", PST_TYPE),
        ("ansi-32bit.pst", PST_TYPE),
        ("passworded.pst", PST_TYPE),
    ] {
        if let Some(path) = fixture(name) {
            stores.push((path, kind));
        }
    }
    for (format, kind) in [("ost", OST_TYPE), ("pst", PST_TYPE)] {
        let path = scratch.path().join(format!("written.{format}"));
        let out = ostdoctor(&[
            "gen",
            path.to_str().unwrap(),
            "--format",
            format,
            "--folders",
            "2",
            "--messages",
            "3",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stores.push((path, kind));
    }
    for (i, (path, kind)) in stores.iter().enumerate() {
        assert_eq!(db.type_of(path), *kind, "{}", path.display());
        // A copy saved without its extension: the content alone tells.
        let copy = scratch.path().join(format!("copy-{i}"));
        std::fs::copy(path, &copy).unwrap();
        assert_eq!(
            db.type_of(&copy),
            *kind,
            "{} copied to {}",
            path.display(),
            copy.display()
        );
    }
    // A file with the signature but neither client magic is not taken for a store.
    let other = scratch.path().join("other");
    std::fs::write(
        &other,
        b"!BDN\0\0\0\0XX and then some text that is not a store",
    )
    .unwrap();
    let seen = db.type_of(&other);
    assert!(seen != OST_TYPE && seen != PST_TYPE, "{seen}");
}
