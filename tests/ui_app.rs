//! The desktop app driven through its real window code (egui_kittest, no display): a
//! person types the path of a real Outlook store, names a real Dovecot mailbox on
//! loopback, reaches the statistics page and sees the Inbox row with its offline count,
//! goes on to a fix page and presses Cancel. Work runs on the app's worker threads, so
//! the test steps frames until what it waits for appears, within a deadline.

mod common;
mod support;

use std::time::{Duration, Instant};

use common::{TempDir, fixture};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ostdoctor::time::{Timestamp, Zone};
use ostdoctor::ui::{App, Remembered, Screen};
use ostdoctor::wizard::{Body, Language};
use support::dovecot::{Dovecot, PASSWORD, USER};

const WAIT: Duration = Duration::from_secs(60);

/// The copies a fix saves and the journal of fixes go to one scratch folder for the whole
/// run, never the Documents or data folder of whoever runs the tests. The folders are named
/// by environment variables, which every test of this binary shares while they run at once:
/// one value for all means no test's app writes into a folder another test set and removed.
/// The folder lies in Cargo's own scratch space under `target/`, emptied once per run.
fn scratch() -> &'static std::path::Path {
    static SCRATCH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    SCRATCH.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui_app");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch folder");
        // SAFETY: set once, before any test's app starts the workers that read them.
        unsafe {
            std::env::set_var("OSTDOCTOR_EXPORT_DIR", dir.join("exports"));
            std::env::set_var("OSTDOCTOR_DATA_DIR", dir.join("data"));
        }
        dir
    })
}

fn scratch_exports() -> std::path::PathBuf {
    scratch().join("exports")
}

fn app() -> Harness<'static, App> {
    scratch();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(|cc| App::new(&cc.egui_ctx));
    harness.state_mut().language = Language::English;
    harness.step();
    harness
}

/// Steps frames until a node whose label contains `text` is there.
fn wait_for(harness: &mut Harness<'_, App>, text: &str) {
    let start = Instant::now();
    loop {
        harness.step();
        if harness.query_by_label_contains(text).is_some() {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "\"{text}\" did not appear within {WAIT:?}; {}",
            state(harness)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn page_id(harness: &Harness<'_, App>) -> Option<String> {
    match &harness.state().screen {
        Screen::Walk(walk) => Some(walk.engine.page_id()),
        _ => None,
    }
}

/// Where the walk stands, for failure messages.
fn state(harness: &Harness<'_, App>) -> String {
    match &harness.state().screen {
        Screen::Walk(walk) => format!(
            "page {}, busy {}, error {:?}",
            walk.engine.page_id(),
            walk.is_busy(),
            walk.engine.view().error
        ),
        _ => "start page".to_owned(),
    }
}

fn type_into(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    let field = harness.get_by_label(label);
    field.click();
    field.type_text(text);
    harness.step();
}

/// An IMAP mailbox as the start page takes it.
struct Mailbox<'a> {
    address: &'a str,
    password: &'a str,
    ca_file: Option<&'a str>,
}

/// The test Dovecot's address, as a person types it.
fn imaps(dovecot: &Dovecot) -> String {
    format!("imaps://{USER}@localhost:{}", dovecot.imaps_port)
}

/// Fills in the start page's IMAP mailbox (no store: testing the connection needs none).
fn fill_mailbox(harness: &mut Harness<'_, App>, mailbox: &Mailbox<'_>) {
    harness.get_by_label("IMAP").click();
    harness.step();
    type_into(
        harness,
        "IMAP address (imaps://you@server)",
        mailbox.address,
    );
    type_into(harness, "Password", mailbox.password);
    if let Some(ca_file) = mailbox.ca_file {
        type_into(
            harness,
            "Certificate to trust (PEM file or SHA-256 fingerprint, optional)",
            ca_file,
        );
    }
}

/// Fills in the start page's mailbox and presses Test connection.
fn test_connection(harness: &mut Harness<'_, App>, mailbox: &Mailbox<'_>) {
    fill_mailbox(harness, mailbox);
    harness.get_by_label("Test connection").click();
    harness.step();
}

/// Fills in the start page (the store and, if given, the IMAP mailbox) and presses Start.
fn start_walk(harness: &mut Harness<'_, App>, store: &str, mailbox: Option<Mailbox<'_>>) {
    type_into(harness, "Path to the .ost or .pst file", store);
    if let Some(mailbox) = mailbox {
        fill_mailbox(harness, &mailbox);
    }
    harness.get_by_label("Start").click();
    harness.step();
}

/// Fills in the start page for the test Dovecot and presses Start.
fn start_walk_with(harness: &mut Harness<'_, App>, store: &str, dovecot: &Dovecot, ca_file: &str) {
    let address = imaps(dovecot);
    let mailbox = Mailbox {
        address: &address,
        password: PASSWORD,
        ca_file: Some(ca_file),
    };
    start_walk(harness, store, Some(mailbox));
}

/// Starts a walk on `store` with `mailbox` and answers that Outlook shows other items
/// than the server, which leads to the comparison.
fn walk_to_comparison(harness: &mut Harness<'_, App>, store: &str, mailbox: Mailbox<'_>) {
    start_walk(harness, store, Some(mailbox));
    choose(
        harness,
        "Outlook shows other items than the server or Outlook on the web",
    );
}

/// An IMAP address where nothing listens: a port just freed, so connecting is refused at
/// once.
fn closed_port_address() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("imaps://{USER}@127.0.0.1:{port}")
}

/// Starts a walk on `store` with a mailbox where nothing listens and answers that Outlook
/// shows other items than the server: the comparison fails to reach it. The address typed.
fn walk_to_a_closed_port(harness: &mut Harness<'_, App>, store: &str) -> String {
    let address = closed_port_address();
    let mailbox = Mailbox {
        address: &address,
        password: PASSWORD,
        ca_file: None,
    };
    walk_to_comparison(harness, store, mailbox);
    address
}

fn choose(harness: &mut Harness<'_, App>, answer: &str) {
    wait_for(harness, answer);
    // Clicked once, where the frame before drew it: the store check's banner, landing
    // between two frames, once moved the answers under such a click (under CI's load the
    // answer above was taken); it no longer may, and this catches it if it does again.
    harness.get_by_label(answer).click();
    // A frame takes the click, the next shows the answer chosen.
    harness.step();
    harness.step();
    let chosen = harness.get_by_label(answer).accesskit_node().toggled()
        == Some(egui::accesskit::Toggled::True);
    assert!(chosen, "{answer:?} was clicked but not chosen");
    harness.get_by_label("Next ›").click();
    harness.step();
}

/// Steps frames until a fix page stands planned: its worker done and Apply offered.
fn wait_for_planned_fix(harness: &mut Harness<'_, App>) {
    let start = Instant::now();
    loop {
        harness.step();
        if let Screen::Walk(walk) = &harness.state().screen
            && matches!(walk.engine.view().body, Body::Fix { .. })
            && !walk.is_busy()
            && harness.query_by_label("Apply").is_some()
        {
            return;
        }
        assert!(start.elapsed() < WAIT, "no fix page: {}", state(harness));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A Dovecot on loopback and its certificate authority in a file in `dir`.
fn server(dir: &TempDir) -> (Dovecot, std::path::PathBuf) {
    let dovecot = Dovecot::start();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &dovecot.pki.ca_pem).unwrap();
    (dovecot, ca_file)
}

#[test]
fn statistics_then_a_fix_page_cancelled() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let before = std::fs::read(&store).unwrap();
    let dir = TempDir::new("ui-app");
    let (dovecot, ca_file) = server(&dir);

    let mut harness = app();
    harness.get_by_label("Choose the Outlook data file");
    start_walk_with(
        &mut harness,
        store.to_str().unwrap(),
        &dovecot,
        ca_file.to_str().unwrap(),
    );

    // The store opens on a worker thread; then the symptom question.
    choose(
        &mut harness,
        "Outlook shows other items than the server or Outlook on the web",
    );

    // Counting both sides runs on a worker; the statistics page follows.
    wait_for(&mut harness, "Server folder contains");
    assert_eq!(page_id(&harness).as_deref(), Some("compare/differences"));
    let inbox = harness.get_by_label("Inbox");
    let row = inbox.rect();
    // The empty server holds 0; the offline Inbox holds 10 (as `ostdoctor info` and
    // pffexport read it). Both counts sit on the Inbox's row.
    let on_row = |value: &str| {
        harness
            .query_all_by_label(value)
            .any(|n| (n.rect().center().y - row.center().y).abs() < row.height() / 2.0)
    };
    assert!(on_row("10"), "no offline count 10 on the Inbox row");
    assert!(on_row("0"), "no server count 0 on the Inbox row");
    // Worst first: ten items only offline are at risk, and the table says so in words,
    // not only in colour; the Inbox is above a folder that is merely in step.
    let finding = harness.get_by_label_contains("items at risk: 10 items only in the offline");
    assert!((finding.rect().center().y - row.center().y).abs() < row.height() / 2.0);
    assert!(row.top() < harness.get_by_label("Outbox").rect().top());
    // When Outlook last wrote the Inbox, on its row in this computer's zone with the
    // offset named (the store records it in UTC), under a header that says so.
    harness.get_by_label("Last changed offline (local time)");
    let written = match &harness.state().screen {
        Screen::Walk(walk) => walk.findings().comparison.as_ref().and_then(|r| {
            r.folders
                .iter()
                .find(|f| f.display_path() == "Inbox")
                .and_then(|f| f.offline_last_modified.clone())
        }),
        _ => None,
    }
    .expect("the store records when the Inbox was last written");
    let written = Timestamp::parse_rfc3339(&written).expect("RFC 3339");
    let shown = Zone::Local.minutes(written);
    assert!(shown.contains(" UTC"), "{shown}");
    assert!(on_row(&shown), "no \"{shown}\" on the Inbox row");

    // The Inbox row opens its differing items under the table.
    assert!(harness.query_by_label("Only in").is_none());
    harness.get_by_label("Inbox").click();
    harness.step();
    harness.step();
    harness.get_by_label("Only in");
    assert_eq!(harness.query_all_by_label("the offline store").count(), 10);
    // And closes again.
    harness.query_all_by_label("Inbox").next().unwrap().click();
    harness.step();
    harness.step();
    assert!(harness.query_by_label("Only in").is_none());

    // Only differences: folders in step and harmless differences (the empty Outbox the
    // server lacks) leave the table; the Inbox stays.
    harness.get_by_label("Only differences").click();
    harness.step();
    harness.step();
    assert!(harness.query_by_label("Inbox").is_some());
    assert!(harness.query_by_label("Outbox").is_none());

    // Sorting by the offline count puts the fullest folder first (Inbox, 10 items).
    // The pointer rests on the header before pressing, as a person's does.
    harness.get_by_label("Offline folder contains").hover();
    harness.step();
    harness.get_by_label("Offline folder contains").click();
    harness.step();
    harness.step();
    let top = |h: &Harness<'_, App>, label: &str| h.get_by_label(label).rect().top();
    let (inbox, deleted) = (top(&harness, "Inbox"), top(&harness, "Deleted Items"));
    assert!(
        inbox < deleted,
        "Inbox at {inbox}, Deleted Items at {deleted}"
    );
    harness.get_by_label("Folder").hover();
    harness.step();
    harness.get_by_label("Folder").click();
    harness.step();
    harness.step();
    assert!(top(&harness, "Deleted Items") < top(&harness, "Inbox"));

    // Back to the symptom; this time the rebuild, which offers to save local items.
    harness.get_by_label("‹ Back").click();
    harness.step();
    choose(
        &mut harness,
        "Only the Inbox lags behind, or nothing synchronizes at all",
    );
    wait_for(&mut harness, "Items only in the offline store");
    harness.get_by_label("Next ›").click();
    harness.step();

    // The fix page: once planned, Apply and Cancel; Cancel changes nothing.
    wait_for_planned_fix(&mut harness);
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/export"));
    harness.get_by_label("Cancel").click();
    harness.step();
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/unsaved"));
    wait_for(&mut harness, "Nothing was saved");

    assert_eq!(
        std::fs::read(&store).unwrap(),
        before,
        "the store was changed"
    );
}

/// Turns the mouse wheel by `delta` points with the pointer at `at` (a negative `delta`
/// shows what is below and to the right), then lets the scrolling settle.
fn wheel(harness: &mut Harness<'_, App>, at: egui::Pos2, delta: egui::Vec2) {
    harness.hover_at(at);
    harness.step();
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    for _ in 0..60 {
        harness.step();
    }
}

/// At 200% in a laptop's window (1280 by 800 pixels: 640 by 400 points) the statistics
/// table shows more than a few rows once the page is scrolled to it, and scrolled down
/// and to the right it keeps its header row on top and the folder names on the left.
#[test]
fn at_200_percent_the_table_keeps_its_header_and_folder_names_in_view() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-200");
    let (dovecot, ca_file) = server(&dir);
    let mut harness = app();
    start_walk_with(
        &mut harness,
        store.to_str().unwrap(),
        &dovecot,
        ca_file.to_str().unwrap(),
    );
    choose(
        &mut harness,
        "Outlook shows other items than the server or Outlook on the web",
    );
    wait_for(&mut harness, "Server folder contains");
    let folders: Vec<String> = match &harness.state().screen {
        Screen::Walk(walk) => walk
            .findings()
            .comparison
            .as_ref()
            .map(|r| r.folders.iter().map(|f| f.display_path()).collect()),
        _ => None,
    }
    .expect("the comparison's folders");
    assert!(folders.len() > 8, "{folders:?}");

    // The person turns the size to 200%: the window of 1280 by 800 now holds 640 by 400
    // points.
    harness.state_mut().zoom = 2.0;
    for _ in 0..3 {
        harness.step();
    }
    assert_eq!(harness.ctx.content_rect().size(), egui::vec2(640.0, 400.0));
    // The row above the table wraps rather than running off the window's right edge.
    for button in ["Only differences", "Copy as text", "Save as CSV"] {
        let rect = harness.get_by_label(button).rect();
        assert!(
            rect.right() <= 640.0,
            "{button} runs off the window at 200%: {rect:?}"
        );
    }
    // What the window shows of the page: under the top bar, over Back and Next.
    let top = harness.get_by_label("Language").rect().bottom();
    let bottom = harness.get_by_label("‹ Back").rect().top();
    // The page scrolls to the table, the pointer at the top of the page: the table, once
    // it reaches the pointer, takes what is left of the turn.
    let first_line = harness
        .get_by_label("Compare the folders with the server")
        .rect();
    wheel(
        &mut harness,
        egui::pos2(first_line.center().x, first_line.top() + 2.0),
        egui::vec2(0.0, -2000.0),
    );
    // Then the table, all the way down and to the right.
    let header = harness.get_by_label("Folder").rect();
    let inside = egui::pos2(480.0, (header.bottom() + 40.0).min(bottom - 10.0));
    wheel(&mut harness, inside, egui::vec2(-3000.0, -3000.0));

    let header = harness.get_by_label("Folder").rect();
    assert!(
        header.top() >= top && header.bottom() <= bottom && header.left() >= 0.0,
        "the header row left the window: {header:?}, shown {top}..{bottom}"
    );
    // The table moved sideways: the server count's header went under the names.
    let server = harness.get_by_label("Server folder contains").rect();
    assert!(
        server.left() < header.right(),
        "not scrolled sideways: {server:?}"
    );
    // And down: the first row (worst first) went under the header.
    let rows = |label: &str| {
        harness
            .query_all_by_label(label)
            .map(|n| n.rect())
            .collect::<Vec<_>>()
    };
    let shown: Vec<(&String, egui::Rect)> = folders
        .iter()
        .flat_map(|f| rows(f).into_iter().map(move |r| (f, r)))
        .filter(|(_, r)| r.top() >= header.bottom() - 0.5 && r.bottom() <= bottom)
        .collect();
    let hidden: Vec<&String> = folders
        .iter()
        .filter(|f| rows(f).iter().all(|r| r.bottom() <= header.bottom() + 0.5))
        .collect();
    assert!(!hidden.is_empty(), "not scrolled down: {shown:?}");
    // A usable number of rows, each with its folder's name where the column begins.
    assert!(shown.len() > 5, "{} rows in view: {shown:?}", shown.len());
    for (folder, rect) in &shown {
        assert!(
            (rect.left() - header.left()).abs() < 1.0,
            "{folder} at {rect:?}, the names' column at {}",
            header.left()
        );
    }
}

#[test]
fn a_missing_file_is_refused_on_the_start_page() {
    let mut harness = app();
    start_walk(&mut harness, "/no/such/store.ost", None);
    harness.step();
    if let Screen::Start(page) = &harness.state().screen {
        assert_eq!(page.path, "/no/such/store.ost");
    }
    harness.get_by_label_contains("There is no file at this path.");
    assert!(matches!(harness.state().screen, Screen::Start(_)));
}

/// What a file manager's "Open with" or a double-click passes (`ostdoctor-app STORE`,
/// `ostdoctor STORE`): the start page opens with that store in the field, and Start walks
/// it without anything typed.
#[test]
fn a_store_given_on_the_command_line_is_on_the_start_page_ready_to_start() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let mut harness = app();
    harness.state_mut().prefill(ostdoctor::ui::Prefill {
        store: Some(store.clone()),
        ..Default::default()
    });
    harness.step();
    match &harness.state().screen {
        Screen::Start(page) => assert_eq!(page.path, store.display().to_string()),
        _ => panic!("not on the start page"),
    }
    harness.get_by_label("Start").click();
    harness.step();
    wait_for(&mut harness, "Outlook shows other items than the server");
    assert!(page_id(&harness).is_some(), "{}", state(&harness));
}

/// Open store… on a desktop with no file dialog (no portal, no zenity): a message says so,
/// in the chosen language, and the typed path field takes the focus, instead of nothing
/// happening at all.
#[test]
fn without_a_file_dialog_open_store_says_so_and_focuses_the_path_field() {
    let mut harness = app();
    harness.state_mut().language = Language::Dutch;
    if let Screen::Start(page) = &mut harness.state_mut().screen {
        page.file_dialog = ostdoctor::ui::FileDialog::Unavailable;
    }
    harness.step();
    assert!(
        harness
            .query_by_label_contains("geen bestandsvenster")
            .is_none()
    );
    harness.get_by_label("Bestand openen…").click();
    harness.step();
    harness.step();
    harness.get_by_label_contains("Deze desktop heeft geen bestandsvenster");
    assert!(
        harness
            .get_by_label("Pad naar het .ost- of .pst-bestand")
            .is_focused()
    );
}

#[test]
fn the_language_switch_changes_the_words() {
    let mut harness = app();
    harness.state_mut().language = Language::Dutch;
    harness.step();
    harness.step();
    harness.get_by_label("Kies het Outlook-gegevensbestand");
    harness.state_mut().language = Language::Portuguese;
    harness.step();
    harness.step();
    harness.get_by_label("Escolha o arquivo de dados do Outlook");
}

/// The language, theme, text size and the start page's store and mailbox come back in the
/// next run from the app's config folder, and what the person changes is written there;
/// the password never is.
#[test]
fn settings_are_kept_for_the_next_run_without_the_password() {
    let dir = TempDir::new("ui-remembered");
    let path = dir.path().join("config").join("settings.ron");
    let kept = Remembered {
        language: Some("nl".into()),
        dark: Some(false),
        zoom: Some(1.25),
        store: Some("/home/ana/ana@contoso.com.ost".into()),
        server: Some("imap".into()),
        imap_url: Some("imaps://ana@mail.contoso.com".into()),
        ..Remembered::default()
    };
    let mut harness = app();
    harness.state_mut().remember_in(path.clone(), kept);
    harness.step();
    harness.step();
    // Taken up: the words are Dutch, the start page holds the store and the mailbox.
    harness.get_by_label("Kies het Outlook-gegevensbestand");
    match &harness.state().screen {
        Screen::Start(page) => {
            assert_eq!(page.path, "/home/ana/ana@contoso.com.ost");
            assert_eq!(page.mailbox.imap_url, "imaps://ana@mail.contoso.com");
        }
        _ => panic!("not on the start page"),
    }
    assert!(!harness.state().dark);
    assert_eq!(harness.state().zoom, 1.25);

    // Changed in the window, kept on disk.
    harness.state_mut().language = Language::Portuguese;
    harness.state_mut().dark = true;
    if let Screen::Start(page) = &mut harness.state_mut().screen {
        page.mailbox.password = "s3cret".into();
    }
    harness.step();
    let saved = Remembered::load(&path);
    assert_eq!(saved.language.as_deref(), Some("pt"));
    assert_eq!(saved.dark, Some(true));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
}

/// A server that accepts and then says nothing: signing in waits for its timeout. The
/// window keeps drawing, shows what it is waiting for, and Cancel lets the person go on
/// at once (here to comparing by hand) without waiting for the timeout.
#[test]
fn cancel_leaves_a_silent_server_behind_without_freezing() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _silent = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(120));
        drop(held);
    });

    let mut harness = app();
    let address = format!("imaps://{USER}@127.0.0.1:{port}");
    let mailbox = Mailbox {
        address: &address,
        password: "never sent",
        ca_file: None,
    };
    walk_to_comparison(&mut harness, store.to_str().unwrap(), mailbox);

    wait_for(&mut harness, "Signing in to");
    // Frames go on while the worker waits.
    for _ in 0..20 {
        harness.step();
    }
    assert_eq!(page_id(&harness).as_deref(), Some("compare/start"));
    let pressed = Instant::now();
    harness.get_by_label("Cancel").click();
    harness.step();
    harness.step();
    assert_eq!(
        page_id(&harness).as_deref(),
        Some("compare/by_hand"),
        "{}",
        state(&harness)
    );
    assert!(pressed.elapsed() < Duration::from_secs(5));
    harness.get_by_label_contains("Stopped: you pressed Cancel.");
}

/// A store with one damaged attachment, saved through the rebuild flow: the page after the
/// copy names the item, the attachment and why, and so does the session report.
#[test]
fn a_damaged_attachment_is_reported_on_the_result_page_and_in_the_report() {
    let dir = TempDir::new("ui-losses");
    let store =
        common::store_with_a_damaged_attachment(dir.path(), ostdoctor::store::write::Target::Ost4k);
    let (dovecot, ca_file) = server(&dir);

    let mut harness = app();
    start_walk_with(
        &mut harness,
        store.to_str().unwrap(),
        &dovecot,
        ca_file.to_str().unwrap(),
    );
    choose(
        &mut harness,
        "Only the Inbox lags behind, or nothing synchronizes at all",
    );
    // The check finds the damaged block first and says so (its page's own text, not
    // only the banner over every page).
    wait_for(&mut harness, "These are the faults found");
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/damage"));
    harness.get_by_label("Next ›").click();
    harness.step();
    wait_for(&mut harness, "Items only in the offline store");
    harness.get_by_label("Next ›").click();
    harness.step();

    // The fix page, planned: Apply.
    wait_for_planned_fix(&mut harness);
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/export"));
    harness.get_by_label("Apply").click();
    harness.step();

    // The page after the copy: three items saved, one part left out, named.
    wait_for(&mut harness, "Left out because it could not be read");
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/exported"));
    let shown = harness
        .query_by_label_contains("Left out because it could not be read")
        .and_then(|n| n.accesskit_node().value())
        .unwrap_or_default();
    assert!(shown.starts_with("3 items are in"), "{shown}");
    assert!(
        shown.contains(": 1 item or part: ")
            && shown.contains("Report with files: attachment \"broken.bin\""),
        "{shown}"
    );
    assert!(shown.contains("checksum"), "{shown}");

    // The session report lists it under a heading of its own.
    let Screen::Walk(walk) = &harness.state().screen else {
        panic!("the walk ended");
    };
    let report = walk.report();
    let html = report.to_html();
    assert!(
        html.contains("Left out of the copy (1 item or part)"),
        "{html}"
    );
    let listed = html
        .split("<h2>Left out of the copy (1 item or part)</h2>")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap_or_default();
    assert!(
        listed.contains("Report with files") && listed.contains("broken.bin"),
        "{html}"
    );
    assert_eq!(report.facts["export.lost"], 1);

    // The copy on disk carries the item, marked.
    let pst = report.facts["export.pst_path"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(std::path::Path::new(&pst).is_file(), "{pst}");
}

/// A mailbox that cannot be had (nothing listens at the address): the comparison's failure
/// page says why and offers Try again. The person opens the mailbox settings on that page,
/// finds what they typed there, puts in the right server, and Try again compares: the
/// walk goes on without starting over.
#[test]
fn settings_changed_mid_walk_and_try_again_go_on() {
    let Some(real) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-retry");
    let (dovecot, ca_file) = server(&dir);
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let mut harness = app();
    let wrong = walk_to_a_closed_port(&mut harness, store.to_str().unwrap());
    wait_for(&mut harness, "Try again");
    assert_eq!(page_id(&harness).as_deref(), Some("compare/by_hand"));

    // The settings, opened on this page, hold what was typed on the start page.
    harness.get_by_label("Mailbox settings").click();
    harness.step();
    harness.step();
    let address = harness.get_by_label("IMAP address (imaps://you@server)");
    assert_eq!(address.value().as_deref(), Some(wrong.as_str()));
    address.click();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    let right = imaps(&dovecot);
    harness
        .get_by_label("IMAP address (imaps://you@server)")
        .type_text(&right);
    harness.step();
    type_into(
        &mut harness,
        "Certificate to trust (PEM file or SHA-256 fingerprint, optional)",
        ca_file.to_str().unwrap(),
    );
    // Tested where the walk stands, before they are used.
    harness.get_by_label("Test connection").click();
    harness.step();
    wait_for(&mut harness, SIGNED_IN);
    assert_eq!(page_id(&harness).as_deref(), Some("compare/by_hand"));
    harness.get_by_label("Use these settings").click();
    harness.step();
    harness.get_by_label_contains("the next comparison uses these settings");

    harness.get_by_label("Try again").click();
    harness.step();
    wait_for(&mut harness, "Server folder contains");
    assert_eq!(page_id(&harness).as_deref(), Some("compare/differences"));
    let retried = match &harness.state().screen {
        Screen::Walk(walk) => walk
            .engine
            .trail()
            .iter()
            .any(|t| t.via == ostdoctor::wizard::Via::Retry),
        _ => false,
    };
    assert!(retried, "{}", state(&harness));
}

/// Whatever the symptom, the store's structure is checked in the background from the
/// first page: a damaged store says so over every page, naming the damaged item, and a
/// sound one says it is sound.
#[test]
fn damage_is_announced_over_every_page_whatever_the_symptom() {
    let dir = TempDir::new("ui-health");
    let damaged =
        common::store_with_a_damaged_attachment(dir.path(), ostdoctor::store::write::Target::Ost4k);
    let mut harness = app();
    start_walk(&mut harness, damaged.to_str().unwrap(), None);
    // Over the symptom page, naming the damaged message.
    wait_for(&mut harness, "The store is damaged. Errors");
    let banner = harness
        .query_by_label_contains("The store is damaged. Errors")
        .and_then(|n| n.accesskit_node().value())
        .unwrap_or_default();
    assert!(banner.contains("Inbox: \"Report with files\""), "{banner}");
    // Still there after choosing a path that never checks the structure itself.
    choose(
        &mut harness,
        "The mailbox was moved, or the account's server or mailbox changed",
    );
    harness.step();
    assert!(
        harness
            .query_by_label_contains("The store is damaged. Errors")
            .is_some()
    );

    let Some(sound) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let mut harness = app();
    start_walk(&mut harness, sound.to_str().unwrap(), None);
    wait_for(&mut harness, "The store's structure is sound");
    assert!(
        harness
            .query_by_label_contains("The store is damaged")
            .is_none()
    );
}

/// Enter in the path field starts, as Start does.
#[test]
fn enter_in_the_path_field_starts() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let mut harness = app();
    type_into(
        &mut harness,
        "Path to the .ost or .pst file",
        store.to_str().unwrap(),
    );
    harness.key_press(egui::Key::Enter);
    harness.step();
    harness.step();
    wait_for(&mut harness, "Outlook shows other items than the server");
}

/// The answers of the question page the walk stands on, as labelled on screen.
fn answers(harness: &Harness<'_, App>) -> Vec<String> {
    match &harness.state().screen {
        Screen::Walk(walk) => match walk.engine.view().body {
            Body::Question { answers } => answers.into_iter().map(|a| a.label).collect(),
            other => panic!("not a question page: {other:?}"),
        },
        _ => panic!("not walking: {}", state(harness)),
    }
}

/// On a question page the first answer has the keyboard, each time the page is reached:
/// Tab goes to the next answer and Space chooses it, so a person on the keyboard answers
/// without tabbing through the bar above the page first.
#[test]
fn each_question_puts_its_first_answer_in_the_keyboard() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let mut harness = app();
    start_walk(&mut harness, store.to_str().unwrap(), None);
    wait_for(&mut harness, "Outlook shows other items than the server");
    let first = answers(&harness);
    assert!(first.len() >= 2, "{first:?}");
    wait_for_focus(&mut harness, &first[0]);
    harness.key_press(egui::Key::Tab);
    harness.step();
    assert!(
        harness.get_by_label(&first[1]).is_focused(),
        "{}",
        state(&harness)
    );
    harness.key_press(egui::Key::Space);
    harness.step();
    harness.step();
    let page = page_id(&harness);
    harness.get_by_label("Next ›").click();
    harness.step();
    let start = Instant::now();
    while page_id(&harness) == page {
        assert!(
            start.elapsed() < WAIT,
            "Space chose nothing: {}",
            state(&harness)
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    // Back on the question, its first answer has the keyboard again.
    let start = Instant::now();
    loop {
        harness.step();
        if let Screen::Walk(walk) = &harness.state().screen
            && !walk.is_busy()
            && walk.engine.can_go_back()
        {
            break;
        }
        assert!(start.elapsed() < WAIT, "no way back: {}", state(&harness));
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.get_by_label("‹ Back").click();
    harness.step();
    assert_eq!(page_id(&harness), page);
    wait_for_focus(&mut harness, &first[0]);
}

/// What has the keyboard: the focused widget's label, or its value (a combo box).
fn focused(harness: &Harness<'_, App>) -> Option<String> {
    harness
        .query_all(egui_kittest::kittest::by().predicate(|n| n.is_focused()))
        .next()
        .map(|n| {
            let node = n.accesskit_node();
            node.label()
                .filter(|l| !l.is_empty())
                .or_else(|| node.value())
                .unwrap_or_default()
        })
}

/// Presses Tab `times` times and says what had the keyboard after each.
fn tab_through(harness: &mut Harness<'_, App>, times: usize) -> Vec<String> {
    (0..times)
        .map(|_| {
            harness.key_press(egui::Key::Tab);
            harness.step();
            focused(harness).unwrap_or_else(|| "nothing".to_owned())
        })
        .collect()
}

/// Tab goes through the page before the bars around it: on a question page from the
/// first answer through the others and what is under them, then Back and Next, then the
/// settings above the page in reading order, and round to the first answer; on the start
/// page, where nothing has the keyboard yet, the first Tab lands in the page.
#[test]
fn tab_reaches_the_page_and_its_buttons_before_the_settings_above() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let mut harness = app();
    assert_eq!(focused(&harness), None);
    let first = tab_through(&mut harness, 1);
    for setting in ["Language", "English", "Light", "Dark", "Size", "100%"] {
        assert_ne!(
            first[0], setting,
            "the first Tab went to the bar above the page"
        );
    }
    harness.key_press(egui::Key::Escape);
    harness.step();

    start_walk(&mut harness, store.to_str().unwrap(), None);
    wait_for(&mut harness, "Outlook shows other items than the server");
    let answers = answers(&harness);
    wait_for_focus(&mut harness, &answers[0]);
    // Chosen, so that Next takes the keyboard too (Back is off on the first page).
    harness.key_press(egui::Key::Space);
    harness.step();
    let mut wanted: Vec<String> = answers[1..].to_vec();
    wanted.extend(
        [
            "Mailbox settings",
            "Next ›",
            "Language",
            "Light",
            "Dark",
            "Size",
        ]
        .map(str::to_owned),
    );
    wanted.push(answers[0].clone());
    assert_eq!(tab_through(&mut harness, wanted.len()), wanted);
}

/// A result page's saved report opens in the desktop's program, and so does its folder;
/// a program that cannot be started is said, with the path to open by hand.
#[test]
fn the_saved_report_and_its_folder_open_from_the_result_page() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-open");
    let reports = dir.path().join("reports");
    let opened = dir.path().join("opened.txt");
    let opener = dir.path().join("opener.sh");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", opened.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Only this test saves or opens a report, so the process-wide settings are its own.
    unsafe { std::env::set_var("OSTDOCTOR_REPORT_DIR", &reports) };
    unsafe { std::env::set_var("OSTDOCTOR_OPENER", dir.path().join("no-such-program")) };

    let mut harness = app();
    start_walk(&mut harness, store.to_str().unwrap(), None);
    choose(
        &mut harness,
        "Outlook shows other items than the server or Outlook on the web",
    );
    // No mailbox: the counts are compared by hand, and found equal.
    choose(&mut harness, "The numbers are equal");
    wait_for(&mut harness, "Save report");
    harness.get_by_label("Save report").click();
    harness.step();
    harness.step();
    let html = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .expect("a saved report");

    harness.get_by_label("Open folder").click();
    harness.step();
    harness.step();
    wait_for(&mut harness, "This computer could not open it");
    harness.get_by_label_contains(&format!("open it by hand: {}:", reports.display()));

    unsafe { std::env::set_var("OSTDOCTOR_OPENER", &opener) };
    harness.get_by_label("Open report").click();
    // Two frames: the first opens and clears the message above, which moves the buttons.
    harness.step();
    harness.step();
    harness.get_by_label("Open folder").click();
    harness.step();
    // Each opener runs on its own, so the two may write in either order.
    let mut wanted = vec![html.display().to_string(), reports.display().to_string()];
    wanted.sort();
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&opened).unwrap_or_default();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        if lines == wanted {
            break;
        }
        assert!(start.elapsed() < WAIT, "opened: {text:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.step();
    assert!(harness.query_by_label_contains("could not open").is_none());
}

/// Steps frames until the field labelled `label` has the keyboard: a failure page's button
/// unfolds the mailbox settings, which takes a frame or two before the field is drawn.
fn wait_for_focus(harness: &mut Harness<'_, App>, label: &str) {
    for _ in 0..20 {
        harness.step();
        if harness
            .query_by_label(label)
            .is_some_and(|n| n.is_focused())
        {
            return;
        }
    }
    panic!("\"{label}\" never took the keyboard; {}", state(harness));
}

/// Nobody listens at the address: the comparison's failure page says so at a glance, in
/// the chosen language, above its own text, and its button opens the mailbox settings
/// with the address in the keyboard; Try again stays.
#[test]
fn a_silent_server_is_named_on_its_failure_page_and_the_address_is_offered() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let mut harness = app();
    let wrong = walk_to_a_closed_port(&mut harness, store.to_str().unwrap());
    wait_for(&mut harness, "The server does not answer");
    assert_eq!(page_id(&harness).as_deref(), Some("compare/by_hand"));
    harness.get_by_label("Try again");
    // Not said of any other cause.
    assert!(harness.query_by_label_contains("Not signed in").is_none());
    // Above the page's own text.
    let headline = harness.get_by_label("The server does not answer").rect();
    let title = harness.get_by_label("Compare by hand").rect();
    assert!(headline.max.y <= title.min.y, "{headline:?} {title:?}");

    harness.state_mut().language = Language::Dutch;
    harness.step();
    harness.step();
    harness.get_by_label("De server antwoordt niet");
    harness.get_by_label("Opnieuw proberen");
    harness.get_by_label("Adres wijzigen").click();
    wait_for_focus(&mut harness, "IMAP-adres (imaps://u@server)");
    let address = harness.get_by_label("IMAP-adres (imaps://u@server)");
    assert_eq!(address.value().as_deref(), Some(wrong.as_str()));
}

/// A real Dovecot whose certificate this computer does not know, and a wrong password:
/// the failure page names the certificate first and its button goes to the certificate
/// field; once that is put right and tried again, the page names the refused sign-in
/// (here in Dutch) and its button goes to the password; put right, the walk goes on to
/// the comparison without starting over.
#[test]
fn certificate_then_password_each_named_and_put_right_where_the_walk_stands() {
    let Some(real) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-causes");
    // Refused sign-ins answered at once, not after Dovecot's growing penalty.
    let dovecot = Dovecot::start_with(support::dovecot::Options {
        no_penalty: true,
        ..Default::default()
    });
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &dovecot.pki.ca_pem).unwrap();
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();

    let mut harness = app();
    let address = imaps(&dovecot);
    let mailbox = Mailbox {
        address: &address,
        password: "not the password",
        ca_file: None,
    };
    walk_to_comparison(&mut harness, store.to_str().unwrap(), mailbox);
    wait_for(&mut harness, "The server's certificate is not trusted");
    assert_eq!(page_id(&harness).as_deref(), Some("compare/by_hand"));
    harness.get_by_label("Change the certificate").click();
    let certificate = "Certificate to trust (PEM file or SHA-256 fingerprint, optional)";
    wait_for_focus(&mut harness, certificate);
    harness
        .get_by_label(certificate)
        .type_text(ca_file.to_str().unwrap());
    harness.step();
    harness.get_by_label("Use these settings").click();
    harness.step();
    harness.get_by_label("Try again").click();
    harness.step();

    wait_for(
        &mut harness,
        "Not signed in: the server refused the sign-in",
    );
    assert!(
        harness
            .query_by_label("The server's certificate is not trusted")
            .is_none()
    );
    harness.state_mut().language = Language::Dutch;
    harness.step();
    harness.step();
    harness.get_by_label("Niet aangemeld: de server weigerde de aanmelding");
    harness.get_by_label("Wachtwoord wijzigen").click();
    wait_for_focus(&mut harness, "Wachtwoord");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness.get_by_label("Wachtwoord").type_text(PASSWORD);
    harness.step();
    harness.get_by_label("Deze instellingen gebruiken").click();
    harness.step();
    harness.get_by_label("Opnieuw proberen").click();
    harness.step();
    wait_for(&mut harness, "Servermap bevat");
    assert_eq!(page_id(&harness).as_deref(), Some("compare/differences"));
}

/// Replaces the text of the field labelled `label`, as a person selecting all and typing.
fn retype(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
}

const SIGNED_IN: &str = "Signed in. Folders seen:";
const REFUSED: &str = "Not signed in: the server refused the sign-in";

/// "Test connection" on the start page, against a real Dovecot: a wrong password is named
/// as a refused sign-in; the password put right (which clears the stale answer), the test
/// signs in and says how many folders the mailbox has, as the server lists them.
#[test]
fn test_connection_names_a_refused_sign_in_then_signs_in() {
    let dir = TempDir::new("ui-test-connection");
    // Refused sign-ins answered at once, not after Dovecot's growing penalty.
    let dovecot = Dovecot::start_with(support::dovecot::Options {
        no_penalty: true,
        ..Default::default()
    });
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &dovecot.pki.ca_pem).unwrap();
    let address = imaps(&dovecot);

    let mut harness = app();
    // No mailbox chosen: nothing to test.
    assert!(harness.query_by_label("Test connection").is_none());
    fill_mailbox(
        &mut harness,
        &Mailbox {
            address: &address,
            password: "not the password",
            ca_file: ca_file.to_str(),
        },
    );
    harness.get_by_label("Test connection").click();
    harness.step();
    wait_for(&mut harness, REFUSED);
    harness.get_by_label_contains("Check the user name in the address and the password");
    assert!(harness.query_by_label_contains(SIGNED_IN).is_none());
    // Still the start page: testing starts no walk.
    assert!(matches!(harness.state().screen, Screen::Start(_)));

    retype(&mut harness, "Password", PASSWORD);
    harness.step();
    assert!(
        harness.query_by_label(REFUSED).is_none(),
        "the answer for the old password stays after an edit"
    );
    harness.get_by_label("Test connection").click();
    harness.step();
    wait_for(&mut harness, SIGNED_IN);
    assert!(harness.query_by_label(REFUSED).is_none());

    // The number shown is the folders the server lists for these settings.
    let settings = ostdoctor::doctor::ServerSettings::Imap {
        url: address.clone(),
        password: ostdoctor::server::Secret::new(PASSWORD),
        extra_ca: Some(dovecot.pki.ca_pem.clone()),
        trusted_fingerprint: None,
        list_status: true,
        timeout: Duration::from_secs(30),
    };
    let mut connection = settings
        .connect(&mut |_| {}, &ostdoctor::work::CancelToken::new())
        .unwrap();
    let folders = connection.server().list_folders().unwrap().len();
    assert!(folders > 0);
    harness.get_by_label(&format!("{SIGNED_IN} {folders}"));
}

/// Nothing listens at the address: the test says the server does not answer, in the
/// chosen language, and names no other cause.
#[test]
fn test_connection_names_a_closed_port_as_a_silent_server() {
    let address = closed_port_address();
    let mut harness = app();
    test_connection(
        &mut harness,
        &Mailbox {
            address: &address,
            password: PASSWORD,
            ca_file: None,
        },
    );
    wait_for(&mut harness, "The server does not answer");
    assert!(harness.query_by_label(REFUSED).is_none());
    assert!(harness.query_by_label_contains(SIGNED_IN).is_none());
    // The server layer's own words stay under the headline, for the helpdesk.
    let port = address.rsplit(':').next().unwrap();
    harness.get_by_label_contains(&format!("127.0.0.1:{port}"));

    harness.state_mut().language = Language::Portuguese;
    harness.step();
    harness.step();
    harness.get_by_label("O servidor não responde");
    harness.get_by_label("Testar conexão");
}

/// A server that accepts and then says nothing: the test waits on its worker, the window
/// keeps drawing, and Cancel gives the button back at once, long before the timeout;
/// an edit to the form does the same.
#[test]
fn test_connection_to_a_silent_server_is_cancelled_without_waiting() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _silent = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(2).collect();
        std::thread::sleep(Duration::from_secs(120));
        drop(held);
    });
    let address = format!("imaps://{USER}@127.0.0.1:{port}");
    let mut harness = app();
    test_connection(
        &mut harness,
        &Mailbox {
            address: &address,
            password: PASSWORD,
            ca_file: None,
        },
    );
    wait_for(&mut harness, "Signing in with these settings");
    for _ in 0..10 {
        harness.step();
    }
    assert!(harness.query_by_label("Test connection").is_none());
    let pressed = Instant::now();
    harness.get_by_label("Cancel").click();
    harness.step();
    harness.step();
    harness.get_by_label("Test connection");
    assert!(harness.query_by_label_contains("Signing in with").is_none());
    assert!(pressed.elapsed() < Duration::from_secs(5));

    // Testing again, then editing the address while it waits: the stale test is dropped.
    harness.get_by_label("Test connection").click();
    harness.step();
    wait_for(&mut harness, "Signing in with these settings");
    let edited = Instant::now();
    harness
        .get_by_label("IMAP address (imaps://you@server)")
        .click();
    harness.step();
    harness
        .get_by_label("IMAP address (imaps://you@server)")
        .type_text("x");
    harness.step();
    harness.step();
    harness.get_by_label("Test connection");
    assert!(harness.query_by_label_contains("Signing in with").is_none());
    assert!(edited.elapsed() < Duration::from_secs(5));
}

/// The text of the planned fix's one line, which names where the copy goes.
fn plan_line(harness: &Harness<'_, App>) -> String {
    match &harness.state().screen {
        Screen::Walk(walk) => match walk.engine.view().body {
            Body::Fix {
                plan: Some(lines), ..
            } => lines.join("\n"),
            other => panic!("no plan: {other:?}"),
        },
        _ => panic!("not in a walk"),
    }
}

/// Walks a store with no mailbox to the backup before a rebuild, planned; with no store
/// given, the one the start page holds.
fn walk_to_backup(harness: &mut Harness<'_, App>, store: Option<&std::path::Path>) {
    match store {
        Some(store) => start_walk(harness, store.to_str().unwrap(), None),
        None => {
            harness.get_by_label("Start").click();
            harness.step();
        }
    }
    choose(
        harness,
        "Only the Inbox lags behind, or nothing synchronizes at all",
    );
    choose(harness, "Save all items to a .pst first");
    wait_for_planned_fix(harness);
    assert_eq!(page_id(harness).as_deref(), Some("rebuild/backup"));
}

/// The backup before a rebuild goes to a visible folder by default, named on the page
/// that plans it; the person changes it there (no folder dialog: a message, and the typed
/// field takes the keyboard), a folder that cannot be is refused in words, and the one
/// taken is in the plan, receives the copy, and is offered again in the next run.
#[test]
fn the_folder_for_the_copy_is_changed_on_the_plan_page_kept_and_used() {
    let Some(real) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-export-to");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let settings = dir.path().join("config").join("settings.ron");
    let chosen = dir.path().join("Helpdesk").join("copies");

    let mut harness = app();
    harness
        .state_mut()
        .remember_in(settings.clone(), Remembered::default());
    walk_to_backup(&mut harness, Some(&store));
    // The default: the scratch folder that stands for Documents/OST Doctor here.
    let default = scratch_exports().join("Outlook - backup.pst");
    assert!(
        plan_line(&harness).contains(&default.display().to_string()),
        "{}",
        plan_line(&harness)
    );
    harness.get_by_label("The copy (.pst) is saved in this folder:");
    harness.get_by_label(&scratch_exports().display().to_string());

    // No folder dialog on this desktop: Change… says so and gives the keyboard to the field.
    if let Screen::Walk(walk) = &mut harness.state_mut().screen {
        walk.export.file_dialog = ostdoctor::ui::FileDialog::Unavailable;
    }
    harness.get_by_label("Change…").click();
    harness.step();
    harness.step();
    harness.get_by_label_contains("This desktop has no folder dialog");
    assert!(harness.get_by_label("Folder for the copy").is_focused());

    // Not a full path: refused, and the plan stays as it was.
    retype(&mut harness, "Folder for the copy", "copies");
    harness.get_by_label("Use this folder").click();
    harness.step();
    harness.step();
    harness.get_by_label_contains("is not a full path to a folder");
    assert!(plan_line(&harness).contains(&default.display().to_string()));

    // A folder not made yet: taken, and the fix planned again for it.
    retype(
        &mut harness,
        "Folder for the copy",
        chosen.to_str().unwrap(),
    );
    harness.get_by_label("Use this folder").click();
    harness.step();
    wait_for_planned_fix(&mut harness);
    let dest = chosen.join("Outlook - backup.pst");
    assert!(
        plan_line(&harness).contains(&dest.display().to_string()),
        "{}",
        plan_line(&harness)
    );
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/backup"));
    assert!(harness.query_by_label_contains("not a full path").is_none());
    // Kept for the next run.
    harness.step();
    assert_eq!(
        Remembered::load(&settings).export_folder.as_deref(),
        chosen.to_str()
    );

    // Applied: the copy is there, and the page after it names it.
    harness.get_by_label("Apply").click();
    harness.step();
    wait_for(&mut harness, "Store saved");
    assert!(dest.is_file(), "no copy at {}", dest.display());
    harness.get_by_label_contains(&format!("are in {}", dest.display()));
    assert!(!default.exists());

    // The next run offers the store and the folder chosen: a second copy goes beside the
    // first.
    let mut next = app();
    next.state_mut()
        .remember_in(settings.clone(), Remembered::load(&settings));
    walk_to_backup(&mut next, None);
    let second = chosen.join("Outlook - backup (2).pst");
    assert!(
        plan_line(&next).contains(&second.display().to_string()),
        "{}",
        plan_line(&next)
    );
}

/// A folder kept from an earlier run that can no longer hold a copy (a disk taken away, a
/// file in its place) gives way to the default instead of failing the fix.
#[test]
fn a_kept_folder_that_cannot_hold_the_copy_gives_way_to_the_default() {
    let Some(real) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-export-gone");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let gone = dir.path().join("was a folder");
    std::fs::write(&gone, b"").unwrap();
    let mut harness = app();
    harness.state_mut().remember_in(
        dir.path().join("settings.ron"),
        Remembered {
            export_folder: Some(gone.display().to_string()),
            ..Remembered::default()
        },
    );
    walk_to_backup(&mut harness, Some(&store));
    let line = plan_line(&harness);
    assert!(
        line.contains(&scratch_exports().display().to_string()),
        "{line}"
    );
}

/// The folder for the copy cannot hold it by the time the copy is planned (here a file
/// took its place): the failed-save page says why, offers another folder, and with it the
/// copy is planned again on its own page, naming the new folder.
#[test]
fn after_a_failed_copy_another_folder_plans_it_again() {
    let Some(real) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-export-failed");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let kept = dir.path().join("usb stick");
    let mut harness = app();
    harness.state_mut().remember_in(
        dir.path().join("settings.ron"),
        Remembered {
            export_folder: Some(kept.display().to_string()),
            ..Remembered::default()
        },
    );
    start_walk(&mut harness, store.to_str().unwrap(), None);
    choose(
        &mut harness,
        "Only the Inbox lags behind, or nothing synchronizes at all",
    );
    // Taken at the start, then gone before the copy is planned.
    wait_for(&mut harness, "Save all items to a .pst first");
    std::fs::write(&kept, b"").unwrap();
    choose(&mut harness, "Save all items to a .pst first");
    wait_for(&mut harness, "Saving failed");
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/save_failed"));
    harness.get_by_label_contains("is a file, not a folder");

    let other = dir.path().join("elsewhere");
    retype(&mut harness, "Folder for the copy", other.to_str().unwrap());
    harness.get_by_label("Use this folder").click();
    harness.step();
    wait_for_planned_fix(&mut harness);
    assert_eq!(page_id(&harness).as_deref(), Some("rebuild/backup"));
    let line = plan_line(&harness);
    assert!(
        line.contains(&other.join("Outlook - backup.pst").display().to_string()),
        "{line}"
    );
}

/// A store whose Sync Issues folder holds one "Synchronization Log" written `age` seconds
/// ago: Organization Forms failing with 8004010F, ten lines of which three report the
/// error.
fn store_with_a_sync_log(dir: &std::path::Path, age: i64) -> (std::path::PathBuf, Timestamp) {
    use ostdoctor::store::filetime::from_unix_seconds;
    use ostdoctor::store::ndb::CryptMethod;
    use ostdoctor::store::write::{StoreWriter, Target, messaging};
    let path = dir.join("ana.ost");
    let mut w = StoreWriter::create(&path, Target::Ost4k, CryptMethod::None, "Ana", 5).unwrap();
    w.add_folder(messaging::IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    let sync = w
        .add_folder(messaging::IPM_SUBTREE, "Sync Issues", Some("IPF.Note"))
        .unwrap();
    let written = Timestamp(Timestamp::now().0 - age);
    let lines: Vec<String> = common::SYNC_LOG.iter().map(|l| (*l).to_owned()).collect();
    let log = ostdoctor::synthetic::sync_log(&lines, from_unix_seconds(written.0)).unwrap();
    w.add_message(sync, &log).unwrap();
    w.finish().unwrap();
    (path, written)
}

/// The log view says of each log when it was written, how long ago in words and how many
/// lines it has, with those that report an error counted apart: a log of three days ago
/// is told from one of today at a glance.
#[test]
fn the_sync_log_view_says_each_logs_date_age_and_lines() {
    let dir = TempDir::new("ui-sync-log");
    let (store, written) = store_with_a_sync_log(dir.path(), 3 * 86_400 + 2 * 3600);
    let mut harness = app();
    start_walk(&mut harness, store.to_str().unwrap(), None);
    choose(
        &mut harness,
        "Outlook shows an error or writes synchronization logs",
    );
    wait_for(&mut harness, "3 days ago");
    assert_eq!(page_id(&harness).as_deref(), Some("sync_errors/forms"));
    let age = harness.get_by_label("3 days ago").rect();
    // On the log's own line: its date in this computer's zone, its lines, its errors.
    let on_line = |label: &str| {
        let node = harness.get_by_label(label).rect();
        assert!(
            (node.center().y - age.center().y).abs() < age.height() / 2.0,
            "{label:?} is not on the log's line"
        );
    };
    on_line(&Zone::Local.minutes(written));
    on_line("10 lines");
    on_line("3 report an error");
}

/// On a fix's plan page Tab goes through the buttons under the page in reading order:
/// Back, then Cancel, then Apply at the row's right end, where they stay; Apply is not
/// reached before the Cancel beside it.
#[test]
fn tab_reaches_cancel_before_apply_on_a_fix_page() {
    let Some(real) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("ui-fix-tab");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let mut harness = app();
    walk_to_backup(&mut harness, Some(&store));
    let (cancel, apply) = (
        harness.get_by_label("Cancel").rect(),
        harness.get_by_label("Apply").rect(),
    );
    // Where they were: Cancel left of Apply, Apply at the right end of the window's row,
    // level with Back at its left end.
    assert!(cancel.right() < apply.left(), "{cancel:?} {apply:?}");
    assert!(apply.right() > 1280.0 - 40.0, "{apply:?}");
    let back = harness.get_by_label("‹ Back");
    assert_eq!(back.rect().center().y, apply.center().y);
    assert_eq!(cancel.center().y, apply.center().y);
    back.focus();
    harness.step();
    assert_eq!(focused(&harness).as_deref(), Some("‹ Back"));
    assert_eq!(tab_through(&mut harness, 2), ["Cancel", "Apply"]);
    // Nothing moved.
    assert_eq!(harness.get_by_label("Cancel").rect(), cancel);
    assert_eq!(harness.get_by_label("Apply").rect(), apply);
}

/// A store large enough that its structure check is still running when the first question
/// is shown (3,000 items: over half a second in a debug build, where opening it takes a
/// fiftieth), one of whose attachments is damaged, so that the check's banner grows when
/// its result comes.
fn a_damaged_store_slow_to_check(dir: &std::path::Path) -> std::path::PathBuf {
    use ostdoctor::store::Store;
    use ostdoctor::store::ndb::Ndb;
    let path = dir.join("large.ost");
    ostdoctor::synthetic::generate(
        &path,
        &ostdoctor::synthetic::GenOptions {
            target: ostdoctor::store::write::Target::Ost4k,
            folders: 4,
            messages: 3000,
            seed: 11,
            sync_log_lines: Vec::new(),
            attachment_kb: None,
        },
    )
    .unwrap();
    let store = Store::open(&path).unwrap();
    let with_attachment = store
        .folders()
        .unwrap()
        .iter()
        .filter(|f| !f.is_search_folder)
        .flat_map(|f| store.message_nids(f.nid).unwrap())
        .find(|&nid| {
            store
                .message(nid)
                .and_then(|m| m.attachments())
                .is_ok_and(|a| !a.is_empty())
        })
        .expect("an item with an attachment");
    drop(store);
    let ib = {
        let ndb = Ndb::open(&path).unwrap();
        let bid = common::first_attachment_data(&ndb, with_attachment).bid_data;
        ndb.find_block(bid).unwrap().unwrap().ib
    };
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[ib as usize + 5] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    path
}

/// The store check's result, landing while the person looks at the first question, does
/// not move the answers: they stand where they stood while it ran, frame after frame, and
/// a click aimed at one lands on it, the click of the frame the result comes too. The
/// next page shows the banner whole.
#[test]
fn the_damage_banner_arriving_does_not_move_the_answers() {
    let dir = TempDir::new("ui-banner-room");
    let store = a_damaged_store_slow_to_check(dir.path());
    let mut harness = app();
    start_walk(&mut harness, store.to_str().unwrap(), None);
    let first = "Outlook shows other items than the server or Outlook on the web";
    wait_for(&mut harness, first);
    let running = harness
        .query_by_label_contains("Checking the store's structure")
        .is_some();
    assert!(running, "the check ended before the question was shown");
    let answers = answers(&harness);
    let at = |harness: &Harness<'_, App>| -> Vec<egui::Rect> {
        answers
            .iter()
            .map(|a| harness.get_by_label(a).rect())
            .collect()
    };
    let before = at(&harness);
    let chosen = |harness: &Harness<'_, App>| match &harness.state().screen {
        Screen::Walk(walk) => walk.chosen().map(str::to_owned),
        _ => None,
    };
    let ids: Vec<String> = match &harness.state().screen {
        Screen::Walk(walk) => match walk.engine.view().body {
            Body::Question { answers } => answers.into_iter().map(|a| a.id).collect(),
            other => panic!("not a question page: {other:?}"),
        },
        _ => panic!("not walking"),
    };
    // An answer clicked on every frame, another each time, the frame the result comes
    // among them: each click takes, none is lost to the banner's change.
    let start = Instant::now();
    let mut next = 0;
    while harness
        .query_by_label_contains("The store is damaged. Errors")
        .is_none()
    {
        assert!(
            start.elapsed() < WAIT,
            "no damage found: {}",
            state(&harness)
        );
        std::thread::sleep(Duration::from_millis(20));
        next = (next + 1) % answers.len();
        harness.get_by_label(&answers[next]).click();
        harness.step();
        assert_eq!(at(&harness), before, "the answers moved");
        assert_eq!(
            chosen(&harness),
            Some(ids[next].clone()),
            "a click was lost"
        );
    }
    harness.step();
    assert_eq!(
        at(&harness),
        before,
        "the answers moved after damage was found"
    );
    // Elided to its line on screen, named whole to a screen reader.
    let banner = harness.get_by_label_contains("The store is damaged. Errors");
    let said = banner.accesskit_node().value().unwrap_or_default();
    assert!(said.ends_with("names what it cannot read."), "{said}");
    let one_line = banner.rect().height();
    // Whole, over more than one line, on the next page.
    choose(&mut harness, first);
    wait_for(&mut harness, "The store is damaged. Errors");
    let whole = harness
        .get_by_label_contains("The store is damaged. Errors")
        .rect()
        .height();
    assert!(whole > one_line * 1.5, "{whole} against {one_line}");
}
