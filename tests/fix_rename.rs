//! The rename, undo and recovery of `ostdoctor fix`, run as a user runs them on copies of
//! the real stores: refused while a program holds the store (named), the next free `.old`
//! name, undo puts back the exact bytes, and a crash at each step is settled at the next
//! start with nothing lost.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{TempDir, fixture};
use ostdoctor::fix::{self, Journal, State};
use serde_json::Value;

/// A copy of a real store in its own folder, with its own fix journal.
struct Scene {
    dir: TempDir,
    store: PathBuf,
    data: PathBuf,
}

impl Scene {
    fn new(label: &str, name: &str) -> Option<Scene> {
        let source = fixture(name)?;
        let dir = TempDir::new(label);
        let store = dir.path().join(name);
        std::fs::copy(&source, &store).unwrap();
        let data = dir.path().join("data");
        Some(Scene { dir, store, data })
    }

    fn run(&self, args: &[&str], crash_at: Option<&str>) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ostdoctor"));
        command
            .args(args)
            .stdin(Stdio::null())
            .env("OSTDOCTOR_DATA_DIR", &self.data)
            .env_remove("OSTDOCTOR_CRASH_AT");
        if let Some(point) = crash_at {
            command.env("OSTDOCTOR_CRASH_AT", point);
        }
        let out = command.output().unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn store_arg(&self) -> &str {
        self.store.to_str().unwrap()
    }

    fn journal(&self) -> Vec<Value> {
        let run = self.run(&["fix", "journal", "--json"], None);
        assert_eq!(run.status, 0, "{}", run.stderr);
        serde_json::from_str::<Value>(&run.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// The journal entries as they are on disk, without running a recovery.
    fn raw_journal(&self) -> Vec<fix::Entry> {
        Journal::at(self.data.join("journal"))
            .unwrap()
            .entries()
            .unwrap()
    }
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn hash(path: &Path) -> u64 {
    let mut h = DefaultHasher::new();
    std::fs::read(path).unwrap().hash(&mut h);
    h.finish()
}

/// A process named OUTLOOK.EXE (a copy of `sleep`) holding `path` open as its input.
fn fake_outlook(dir: &Path, path: &Path) -> Child {
    let exe = dir.join("OUTLOOK.EXE");
    if !exe.exists() {
        std::fs::copy("/bin/sleep", &exe).unwrap();
    }
    let mut child = Command::new(&exe)
        .arg("60")
        .stdin(std::fs::File::open(path).unwrap())
        .spawn()
        .unwrap();
    // Until it has exec'd, the child still carries the test's name.
    for _ in 0..100 {
        if fix::holders(path)
            .unwrap()
            .iter()
            .any(|h| h.pid == child.id() && h.name == "OUTLOOK.EXE")
        {
            return child;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the stand-in for Outlook never held {}", path.display());
}

#[test]
fn rename_is_refused_while_a_program_holds_the_store_and_names_it() {
    let Some(scene) = Scene::new("fix-held", "enron.pst") else {
        return;
    };
    let before = hash(&scene.store);
    let mut outlook = fake_outlook(scene.dir.path(), &scene.store);
    let pid = outlook.id();

    // The plan shows who holds it, and Outlook as running.
    let plan = fix::plan_rename_store(&scene.store).unwrap();
    assert!(plan.blocked());
    assert_eq!(plan.held[0].1[0].pid, pid);
    assert!(plan.outlook.running);
    assert!(plan.outlook.processes.contains(&"OUTLOOK.EXE".to_string()));

    let run = scene.run(&["fix", "rename-old", scene.store_arg(), "--yes"], None);
    assert_eq!(run.status, 4, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("in use by OUTLOOK.EXE (process {pid})")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    assert!(
        run.stdout.contains("held open by OUTLOOK.EXE"),
        "{}",
        run.stdout
    );
    assert!(scene.store.exists());
    assert!(!scene.dir.path().join("enron.pst.old").exists());
    assert!(
        scene.raw_journal().is_empty(),
        "nothing written for a refusal"
    );

    // Waiting: the holder goes away after a moment, and the rename then goes ahead.
    let closer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        outlook.kill().unwrap();
        outlook.wait().unwrap();
    });
    let run = scene.run(
        &[
            "fix",
            "rename-old",
            scene.store_arg(),
            "--yes",
            "--wait",
            "30",
        ],
        None,
    );
    closer.join().unwrap();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let old = scene.dir.path().join("enron.pst.old");
    assert!(!scene.store.exists());
    assert_eq!(hash(&old), before);
}

#[test]
fn rename_picks_the_next_free_old_name_and_undo_restores_the_exact_bytes() {
    let Some(scene) = Scene::new("fix-undo", "outlook-com-2013.ost") else {
        return;
    };
    let before = hash(&scene.store);
    let dir = scene.dir.path();
    std::fs::write(dir.join("outlook-com-2013.ost.old"), b"an older one").unwrap();
    std::fs::write(dir.join("outlook-com-2013.ost.1.old"), b"and another").unwrap();

    // A dry run changes nothing and writes no journal.
    let run = scene.run(
        &[
            "fix",
            "rename-old",
            scene.store_arg(),
            "--dry-run",
            "--json",
        ],
        None,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    let want = dir.join("outlook-com-2013.ost.2.old");
    assert_eq!(plan["renames"][0]["to"], want.to_str().unwrap());
    assert!(scene.store.exists() && !want.exists());
    assert!(scene.raw_journal().is_empty());

    // Without a terminal and without --yes nothing runs.
    let run = scene.run(&["fix", "rename-old", scene.store_arg()], None);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(scene.store.exists());

    let run = scene.run(
        &["fix", "rename-old", scene.store_arg(), "--yes", "--json"],
        None,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let done: Value = serde_json::from_str(&run.stdout).unwrap();
    let id = done["journal_id"].as_str().unwrap().to_string();
    assert!(!scene.store.exists());
    assert_eq!(hash(&want), before);
    assert_eq!(
        std::fs::read(dir.join("outlook-com-2013.ost.old")).unwrap(),
        b"an older one"
    );

    // Outlook built a new store under the old name: undo refuses to overwrite it.
    std::fs::write(&scene.store, b"a new store").unwrap();
    let run = scene.run(&["fix", "undo", "--yes"], None);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("exists again"), "{}", run.stderr);
    assert_eq!(std::fs::read(&scene.store).unwrap(), b"a new store");
    std::fs::remove_file(&scene.store).unwrap();

    let run = scene.run(&["fix", "undo", &id, "--yes"], None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(hash(&scene.store), before);
    assert!(!want.exists());
    let journal = scene.journal();
    assert_eq!(journal[0]["state"], "undone");

    // Nothing is left to undo.
    let run = scene.run(&["fix", "undo", "--yes"], None);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("left to undo"), "{}", run.stderr);
}

#[test]
fn undo_refuses_a_file_that_is_not_the_one_renamed() {
    let Some(scene) = Scene::new("fix-swap", "ansi-32bit.pst") else {
        return;
    };
    let journal = Journal::at(scene.data.join("journal")).unwrap();
    let plan = fix::plan_rename_store(&scene.store).unwrap();
    let done = fix::apply_renames(&plan, &journal).unwrap();
    let old = &done.renames[0].to;
    let mut bytes = std::fs::read(old).unwrap();
    bytes.push(0);
    std::fs::remove_file(old).unwrap();
    std::fs::write(old, &bytes).unwrap();
    let err = fix::plan_undo(&journal, None).unwrap_err().to_string();
    assert!(
        err.contains("is not the file this program renamed"),
        "{err}"
    );
    assert!(!scene.store.exists(), "nothing was moved");
}

#[test]
fn crash_after_the_journal_and_before_the_rename_rolls_back() {
    let Some(scene) = Scene::new("fix-crash1", "enron.pst") else {
        return;
    };
    let before = hash(&scene.store);
    let run = scene.run(
        &["fix", "rename-old", scene.store_arg(), "--yes"],
        Some("after_journal"),
    );
    assert_eq!(run.status, fix::crash::CRASH_STATUS, "{}", run.stderr);
    let raw = scene.raw_journal();
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].state, State::Started);
    assert!(scene.store.exists());

    // The next start settles it.
    let journal = scene.journal();
    assert_eq!(journal[0]["state"], "rolled_back");
    assert!(
        journal[0]["notes"][0]
            .as_str()
            .unwrap()
            .contains("before any file")
    );
    assert_eq!(hash(&scene.store), before);
    assert!(!scene.dir.path().join("enron.pst.old").exists());
}

#[test]
fn crash_after_the_rename_completes_the_fix_and_undo_still_works() {
    let Some(scene) = Scene::new("fix-crash2", "outlook-com-2013.ost") else {
        return;
    };
    let before = hash(&scene.store);
    let run = scene.run(
        &["fix", "rename-old", scene.store_arg(), "--yes"],
        Some("after_rename"),
    );
    assert_eq!(run.status, fix::crash::CRASH_STATUS, "{}", run.stderr);
    assert_eq!(scene.raw_journal()[0].state, State::Started);
    let old = scene.dir.path().join("outlook-com-2013.ost.old");
    assert!(old.exists() && !scene.store.exists());

    let run = scene.run(&["fix", "journal"], None);
    assert!(run.stderr.contains("had been cut off"), "{}", run.stderr);
    assert!(run.stdout.contains("done"), "{}", run.stdout);
    assert_eq!(scene.raw_journal()[0].state, State::Done);

    // An undo cut off after its journal write is finished at the next start.
    let run = scene.run(&["fix", "undo", "--yes"], Some("undo_after_journal"));
    assert_eq!(run.status, fix::crash::CRASH_STATUS, "{}", run.stderr);
    assert_eq!(scene.raw_journal()[0].state, State::Undoing);
    assert!(old.exists());
    let journal = scene.journal();
    assert_eq!(journal[0]["state"], "undone");
    assert_eq!(hash(&scene.store), before);
    assert!(!old.exists());
}

#[test]
fn crash_midway_through_an_export_removes_the_partial_file_and_keeps_the_source() {
    let Some(scene) = Scene::new("fix-crash3", "enron.pst") else {
        return;
    };
    let before = hash(&scene.store);
    let dest = scene.dir.path().join("backup.pst");
    let args = [
        "fix",
        "export-local",
        scene.store_arg(),
        dest.to_str().unwrap(),
        "--all",
        "--yes",
    ];
    let run = scene.run(&args, Some("mid_export"));
    assert_eq!(run.status, fix::crash::CRASH_STATUS, "{}", run.stderr);
    let raw = scene.raw_journal();
    let temp = raw[0].export.as_ref().unwrap().temp.clone();
    assert!(
        temp.exists(),
        "the crash left the partial file {}",
        temp.display()
    );
    assert!(!dest.exists());
    let rows = ostdoctor::store::write::spill::spill_path_for(&temp);
    assert!(rows.exists(), "and the row spill file {}", rows.display());
    // A larger store would also have left the B-tree entries the writer parks beside its
    // temporary file; recovery finds them by the same name.
    let spills = ostdoctor::store::write::out::spill_paths_for(&temp);
    assert!(spills.contains(&rows));
    for spill in spills.iter().filter(|s| **s != rows) {
        std::fs::write(spill, [0u8; 48]).unwrap();
    }

    let journal = scene.journal();
    assert_eq!(journal[0]["state"], "rolled_back");
    assert!(!temp.exists());
    assert!(spills.iter().all(|s| !s.exists()), "spill files removed");
    assert!(!dest.exists());
    assert_eq!(hash(&scene.store), before, "the source is never written");
    // Only the store and the journal folder are left.
    let mut left: Vec<String> = std::fs::read_dir(scene.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["data", "enron.pst"]);

    // Cut off after the file was complete: it is read back and kept.
    let run = scene.run(&args, Some("after_export"));
    assert_eq!(run.status, fix::crash::CRASH_STATUS, "{}", run.stderr);
    assert!(dest.exists());
    let journal = scene.journal();
    assert_eq!(journal[1]["state"], "done");
    assert_eq!(journal[1]["export"]["items_written"], 71);
    assert_eq!(hash(&scene.store), before);

    // And run to the end: the export is read back and the source is unchanged.
    let again = scene.dir.path().join("again.pst");
    let mut args = args.to_vec();
    args[3] = again.to_str().unwrap();
    args.push("--json");
    let run = scene.run(&args, None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let done: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(done["summary"]["items"], 71);
    assert_eq!(done["verification"]["items"], 71);
    assert_eq!(done["verification"]["problems"], serde_json::json!([]));
    assert_eq!(hash(&scene.store), before);
    // An existing file is never replaced.
    let run = scene.run(&args, None);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);
}

#[test]
fn a_fix_of_a_live_process_is_left_alone() {
    let Some(scene) = Scene::new("fix-live", "ansi-32bit.pst") else {
        return;
    };
    let journal = Journal::at(scene.data.join("journal")).unwrap();
    let mut entry = fix::Entry::new(
        journal.new_id(),
        fix::FixKind::RenameStore,
        fix::processes::Owner::current(),
    );
    entry.renames.push(fix::journal::RenameRecord {
        from: scene.store.clone(),
        to: scene.dir.path().join("x.old"),
        fingerprint: fix::fingerprint::Fingerprint::of(&scene.store).unwrap(),
        done: false,
    });
    journal.write(&entry).unwrap();
    // This process is alive: a recovery here or in another process leaves it as it is.
    assert!(fix::recover_in(&journal).unwrap().is_empty());
    assert_eq!(scene.journal()[0]["state"], "started");
}

#[test]
fn read_only_steps_leave_every_store_byte_as_it_was() {
    for name in ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"] {
        let Some(scene) = Scene::new("fix-readonly", name) else {
            return;
        };
        let before = hash(&scene.store);
        let modified = std::fs::metadata(&scene.store).unwrap().modified().unwrap();
        let dest = scene.dir.path().join("x.pst");
        for args in [
            vec!["info", scene.store_arg()],
            vec!["fix", "rename-old", scene.store_arg(), "--dry-run"],
            vec![
                "fix",
                "rename-old",
                scene.store_arg(),
                "--dry-run",
                "--json",
            ],
            vec![
                "fix",
                "export-local",
                scene.store_arg(),
                dest.to_str().unwrap(),
                "--all",
                "--dry-run",
            ],
            vec!["fix", "journal"],
        ] {
            let run = scene.run(&args, None);
            assert_eq!(run.status, 0, "{name} {args:?}: {}", run.stderr);
        }
        fix::plan_rename_store(&scene.store).unwrap();
        fix::plan_export_all(&scene.store, &dest).unwrap();
        fix::outlook_running().unwrap();
        fix::holders(&scene.store).unwrap();
        assert_eq!(hash(&scene.store), before, "{name}");
        assert_eq!(
            std::fs::metadata(&scene.store).unwrap().modified().unwrap(),
            modified,
            "{name}"
        );
        assert!(!dest.exists());
        assert!(
            scene.raw_journal().is_empty(),
            "{name}: a plan writes nothing"
        );
    }
}

#[test]
fn a_cancelled_export_leaves_no_file_and_records_the_roll_back() {
    let Some(scene) = Scene::new("fix-cancel", "enron.pst") else {
        return;
    };
    let before = hash(&scene.store);
    let journal = Journal::at(scene.data.join("journal")).unwrap();
    let dest = scene.dir.path().join("backup.pst");
    let plan = fix::plan_export_all(&scene.store, &dest).unwrap();
    assert_eq!(plan.items, 71);
    let cancel = ostdoctor::work::CancelToken::new();
    let stop = cancel.clone();
    let mut seen = 0;
    let mut work = ostdoctor::work::Work::new(cancel, |s| {
        seen = s.done;
        if s.done == 10 {
            stop.cancel();
        }
    });
    let err = fix::apply_export(&plan, &journal, &mut work).unwrap_err();
    drop(work);
    assert!(matches!(err, fix::FixError::Cancelled(_)), "{err}");
    assert_eq!(seen, 10);
    assert!(!dest.exists());
    let entries = journal.entries().unwrap();
    let record = entries[0].export.as_ref().unwrap();
    assert!(!record.temp.exists());
    assert_eq!(entries[0].state, State::RolledBack);
    assert_eq!(hash(&scene.store), before);
}

#[test]
fn exchange_support_files_are_renamed_and_put_back_below_a_given_root() {
    let dir = TempDir::new("fix-ems");
    let root = dir.path().join("drive_c");
    let mapi = root.join("Program Files (x86)/Common Files/System/MSMAPI/1033");
    std::fs::create_dir_all(&mapi).unwrap();
    let names = ["EMSABP32.DLL", "EMSMDB32.DLL", "EMSUI32.DLL"];
    for n in names {
        std::fs::write(mapi.join(n), n.as_bytes()).unwrap();
    }
    std::fs::write(mapi.join("EMSMDB32.DLL.old"), b"from an earlier repair").unwrap();
    let scene = Scene {
        store: PathBuf::new(),
        data: dir.path().join("data"),
        dir,
    };
    let root_arg = root.to_str().unwrap();
    let run = scene.run(
        &["fix", "exchange-files", "--root", root_arg, "--yes"],
        None,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Quick Repair"), "{}", run.stdout);
    for n in names {
        assert!(!mapi.join(n).exists(), "{n}");
    }
    assert_eq!(
        std::fs::read(mapi.join("EMSABP32.DLL.old")).unwrap(),
        b"EMSABP32.DLL"
    );
    assert_eq!(
        std::fs::read(mapi.join("EMSMDB32.DLL.1.old")).unwrap(),
        b"EMSMDB32.DLL"
    );
    assert_eq!(
        std::fs::read(mapi.join("EMSMDB32.DLL.old")).unwrap(),
        b"from an earlier repair"
    );

    let run = scene.run(&["fix", "undo", "--yes"], None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for n in names {
        assert_eq!(std::fs::read(mapi.join(n)).unwrap(), n.as_bytes());
    }

    let empty = scene.dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let run = scene.run(
        &[
            "fix",
            "exchange-files",
            "--root",
            empty.to_str().unwrap(),
            "--yes",
        ],
        None,
    );
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Emsmdb32.dll"), "{}", run.stderr);
}

#[cfg(not(windows))]
#[test]
fn without_outlook_here_the_rebuild_is_a_list_of_steps() {
    let Some(scene) = Scene::new("fix-rebuild", "ansi-32bit.pst") else {
        return;
    };
    let plan = fix::plan_rebuild(&scene.store).unwrap();
    assert!(matches!(plan.mode, fix::RebuildMode::Manual));
    assert!(
        plan.steps.iter().any(|s| s.contains("ansi-32bit.pst.old")),
        "{:?}",
        plan.steps
    );
    let journal = Journal::at(scene.data.join("journal")).unwrap();
    let err = fix::apply_rebuild(
        &plan,
        &journal,
        Duration::from_secs(1),
        &mut ostdoctor::work::Work::quiet(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("follow the steps"), "{err}");
    assert!(scene.store.exists());
    assert!(fix::resync_steps("Inbox")[1].contains("Clear Offline Items"));
}
