//! Every flow walked with the real backend on copies of a store, once with no mailbox
//! server set and once with a real server (Dovecot) that refuses the sign-in.
//! Every page reachable that way is visited and every choice on it taken (fixes confirmed
//! and cancelled); each walk must end on a result page. A check that cannot run without the
//! mailbox must lead on by itself: no walk may stop on a check page, and no reply may break
//! the catalogue's contract.
//!
//! `wizard_flows` proves the same of every page with scripted facts; this proves it with
//! the facts the real checks give when the mailbox cannot be had. The store is a small
//! 4 KiB OST from the writer, with a synchronization log that holds an error code: the
//! walks replay from the start some 300 times, and the real fixtures' structure check and
//! export are too slow in a debug build to be repeated that often (the scripted walks and
//! `wizard --script` tests walk the real fixtures).

mod common;
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::TempDir;
use ostdoctor::doctor::{Doctor, ServerSettings};
use ostdoctor::fix::Journal;
use ostdoctor::server::Secret;
use ostdoctor::store::write::Target;
use ostdoctor::synthetic::{GenOptions, generate};
use ostdoctor::wizard::{Body, Engine, Language, WizardSet, load_dir};
use support::dovecot::{Dovecot, Options, USER};
use support::with_deadline;

/// What the person does on a page.
#[derive(Clone, Debug)]
enum Move {
    Answer(String),
    GoOn,
    Confirm,
    Cancel,
}

/// Where a replayed walk stopped.
enum Stop {
    /// The page waits for the person: these are the moves it offers.
    Choices(Vec<Move>),
    Result,
    /// A check failed and the walk cannot leave its page.
    StuckOnCheck(String),
}

struct Explorer {
    set: Arc<WizardSet>,
    original: PathBuf,
    scratch: TempDir,
    server: Option<ServerSettings>,
    walks: AtomicUsize,
}

/// Walks replayed at once: most of a refused walk's time is the server's wait before it
/// answers a failed sign-in (Dovecot's login process holds failures for up to half a
/// second), not work.
const AT_ONCE: usize = 16;

impl Explorer {
    /// Replays `moves` from the start of `flow` on a fresh copy of the store with a fresh
    /// backend and journal, so fixes applied on one walk change nothing for another.
    fn replay(&self, flow: &str, moves: &[Move]) -> Result<(String, Stop), String> {
        let walk = self.walks.fetch_add(1, Ordering::Relaxed);
        let dir = self.scratch.path().join(format!("walk-{walk}"));
        std::fs::create_dir_all(&dir).unwrap();
        let store = dir.join("alice@example.com.ost");
        std::fs::copy(&self.original, &store).unwrap();
        let journal = Journal::at(dir.join("journal")).unwrap();
        // Copies into the walk's own folder: walks run side by side, and in one shared
        // folder two of them would pick the same free name.
        let mut doctor = Doctor::new(&store)
            .with_server(self.server.clone())
            .with_journal(journal)
            .with_export_folder(Some(dir.join("copies")));
        let mut engine = Engine::new(Arc::clone(&self.set), flow, Language::English)
            .map_err(|e| e.to_string())?;
        let mut moves = moves.iter();
        loop {
            // Carry out what the page asks of the backend, until it waits for the person.
            while engine.request().is_some() {
                let before = engine.page_id();
                engine
                    .run_backend(&mut doctor)
                    .map_err(|e| format!("{}: {e}", engine.page_id()))?;
                if engine.error().is_some() && engine.page_id() == before {
                    // Failed and stayed: a fix page still offers Cancel; a check page
                    // offers nothing.
                    break;
                }
            }
            let stop = match engine.view().body {
                Body::Question { answers } => {
                    Stop::Choices(answers.into_iter().map(|c| Move::Answer(c.id)).collect())
                }
                Body::Statistics { .. } => Stop::Choices(vec![Move::GoOn]),
                Body::Fix {
                    plan: Some(_),
                    confirmed: false,
                    ..
                } => Stop::Choices(vec![Move::Confirm, Move::Cancel]),
                Body::Fix { .. } => Stop::Choices(vec![Move::Cancel]),
                Body::Result { .. } => Stop::Result,
                Body::Check { check } => Stop::StuckOnCheck(format!(
                    "{check}: {}",
                    engine.error().map(|e| e.message.as_str()).unwrap_or("")
                )),
            };
            let Some(next) = moves.next() else {
                return Ok((engine.page_id(), stop));
            };
            let page = engine.page_id();
            match next {
                Move::Answer(id) => engine.answer(id),
                Move::GoOn => engine.go_on(),
                Move::Confirm => engine.confirm(),
                Move::Cancel => engine.cancel(),
            }
            .map_err(|e| format!("{page}: {next:?}: {e}"))?;
        }
    }

    /// Replays every walk of `level`, `AT_ONCE` at a time, results in `level`'s order.
    fn replay_all(&self, flow: &str, level: &[Vec<Move>]) -> Vec<Result<(String, Stop), String>> {
        let next = AtomicUsize::new(0);
        let done = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..AT_ONCE {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(moves) = level.get(i) else { break };
                        let stop = self.replay(flow, moves);
                        done.lock().unwrap().push((i, stop));
                    }
                });
            }
        });
        let mut done = done.into_inner().unwrap();
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, stop)| stop).collect()
    }

    /// Visits every page reachable from `flow`'s start, taking every choice on each page
    /// the first time it is reached (breadth first, so by one of the shortest walks).
    /// Returns the problems found and the results reached.
    fn explore(&self, flow: &str) -> (Vec<String>, BTreeSet<String>) {
        let mut problems = Vec::new();
        let mut results = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut level = vec![Vec::new()];
        while !level.is_empty() {
            let stops = self.replay_all(flow, &level);
            let mut longer_walks = Vec::new();
            for (moves, stop) in level.into_iter().zip(stops) {
                match stop {
                    Err(e) => problems.push(format!("{flow} after {moves:?}: {e}")),
                    Ok((page, Stop::StuckOnCheck(why))) => {
                        problems.push(format!("{flow}: stuck on check page {page} ({why})"))
                    }
                    Ok((page, Stop::Result)) => {
                        results.insert(page);
                    }
                    Ok((page, Stop::Choices(choices))) => {
                        // A fix page whose plan failed offers only Cancel: a page of its own.
                        if seen.insert(format!("{page} {}", choices.len())) {
                            for choice in choices {
                                let mut longer = moves.clone();
                                longer.push(choice);
                                longer_walks.push(longer);
                            }
                        }
                    }
                }
            }
            level = longer_walks;
        }
        (problems, results)
    }
}

fn shipped() -> Arc<WizardSet> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("wizards");
    Arc::new(load_dir(&dir).unwrap_or_else(|e| panic!("{e}")))
}

/// The two tests point the environment at their own scratch space: one at a time.
static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// Walks every flow from its start with `server` and checks every walk ends on a result.
fn every_flow_ends_on_a_result(name: &str, server: Option<ServerSettings>) {
    let _alone = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let scratch = TempDir::new(name);
    let original = scratch.path().join("original.ost");
    generate(
        &original,
        &GenOptions {
            target: Target::Ost4k,
            folders: 6,
            messages: 40,
            seed: 7,
            sync_log_lines: [
                "Synchronizer Version 16.0.4266",
                "Synchronizing Mailbox 'Alice'",
                "Synchronizing Organization Forms",
                "Terminated in error",
                "[8004010F-501-0-B20]",
                "Done",
            ]
            .map(String::from)
            .to_vec(),
            attachment_kb: None,
        },
    )
    .unwrap();
    // Exchange files and the Wine prefix: in scratch space, none found. (Each walk keeps
    // its own journal.)
    // SAFETY: the lock above keeps the other test of this file from reading or setting
    // the environment meanwhile.
    unsafe {
        std::env::set_var("OSTDOCTOR_SEARCH_ROOT", scratch.path().join("no-office"));
        std::env::set_var("WINEPREFIX", scratch.path().join("no-wine"));
    }
    let set = shipped();
    let explorer = Explorer {
        set: Arc::clone(&set),
        original,
        scratch,
        server,
        walks: AtomicUsize::new(0),
    };
    let mut problems = Vec::new();
    let mut reached = BTreeSet::new();
    for flow in set.flows() {
        let (found, results) = explorer.explore(&flow.name);
        assert!(
            !results.is_empty() || !found.is_empty(),
            "{}: no walk ended anywhere",
            flow.name
        );
        problems.extend(found);
        reached.extend(results);
    }
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    // The walks did real work without the mailbox: the rebuild saved and renamed the
    // store, Undo put it back, and the synchronization log's error led to its page.
    for result in [
        "rebuild/rebuilt",
        "rebuild/restored",
        "sync_errors/address_book_fixed",
    ] {
        assert!(
            reached.contains(result),
            "{name}: {result} not reached; reached {reached:?}"
        );
    }
    eprintln!(
        "{name}: {} walks, results {reached:?}",
        explorer.walks.into_inner()
    );
}

#[test]
fn every_flow_ends_on_a_result_with_no_mailbox_server() {
    every_flow_ends_on_a_result("no-server", None);
}

#[test]
fn every_flow_ends_on_a_result_when_the_server_refuses_the_sign_in() {
    with_deadline(Duration::from_secs(600), || {
        let dovecot = Dovecot::start_with(Options {
            no_penalty: true,
            ..Options::default()
        });
        let refused = ServerSettings::Imap {
            url: format!("imaps://{USER}@localhost:{}", dovecot.imaps_port),
            password: Secret::new("not the password"),
            extra_ca: Some(dovecot.pki.ca_pem.clone()),
            trusted_fingerprint: None,
            list_status: true,
            timeout: Duration::from_secs(10),
        };
        every_flow_ends_on_a_result("refused", Some(refused));
        assert!(
            dovecot.log().contains("auth failed")
                || dovecot.log().contains("Authentication failed"),
            "the server never saw a sign-in: {}",
            dovecot.log()
        );
    });
}
