//! The desktop app's backend doing fixes on copies of real stores: what the plan shows is
//! what is applied, and Undo sets aside a store Outlook built since rather than refusing
//! or overwriting it.

mod common;

use common::{TempDir, fixture};
use ostdoctor::doctor::Doctor;
use ostdoctor::fix::Journal;
use ostdoctor::wizard::{Action, Backend, FactValue, Facts};

#[test]
fn undo_sets_aside_the_new_store_and_puts_the_old_one_back() {
    let Some(real) = fixture("ansi-32bit.pst") else {
        return;
    };
    let dir = TempDir::new("doctor-undo");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let original = std::fs::read(&store).unwrap();
    // The test's own journal, given to the doctor: the data folder's environment variable
    // is shared by every test of this binary running at once.
    let journal = Journal::at(dir.path().join("journal")).unwrap();
    let mut doctor = Doctor::new(&store).with_journal(journal);
    let facts = Facts::new();

    let plan = doctor.plan_fix("rename_store_to_old", &facts).unwrap();
    let old = dir.path().join("Outlook.ost.old");
    assert_eq!(
        plan.actions,
        [Action::Rename {
            from: store.clone(),
            to: old.clone()
        }]
    );
    let done = doctor
        .apply_fix("rename_store_to_old", &plan, &facts)
        .unwrap();
    assert_eq!(
        done.facts.get("rebuild.old_path"),
        Some(&FactValue::Text(old.display().to_string()))
    );

    // Outlook starts and builds a new store under the old name.
    std::fs::write(&store, b"new store").unwrap();
    let plan = doctor.plan_fix("undo_last_fix", &facts).unwrap();
    let aside = dir.path().join("Outlook.ost.1.old");
    assert_eq!(
        plan.actions,
        [
            Action::Rename {
                from: store.clone(),
                to: aside.clone()
            },
            Action::Rename {
                from: old.clone(),
                to: store.clone()
            },
        ]
    );
    // A plan other than the one shown is refused.
    let mut altered = plan.clone();
    altered.actions.pop();
    assert!(doctor.apply_fix("undo_last_fix", &altered, &facts).is_err());
    let plan = doctor.plan_fix("undo_last_fix", &facts).unwrap();
    doctor.apply_fix("undo_last_fix", &plan, &facts).unwrap();
    assert_eq!(std::fs::read(&store).unwrap(), original);
    assert_eq!(std::fs::read(&aside).unwrap(), b"new store");
    assert!(!old.exists());
}

/// The store's size beside the limit of its format, as Outlook applies it by default:
/// 50 GB for Unicode files, 2 GB for ANSI ones.
#[test]
fn open_store_says_how_near_the_format_limit_the_file_is() {
    for (name, limit_mb) in [("outlook-com-2013.ost", 51_200), ("ansi-32bit.pst", 2_048)] {
        let Some(store) = fixture(name) else {
            continue;
        };
        let facts = Doctor::new(&store)
            .run_check("open_store", &Facts::new())
            .unwrap();
        let size_mb = (std::fs::metadata(&store).unwrap().len() >> 20) as i64;
        assert_eq!(
            facts.get("store.size_mb"),
            Some(&FactValue::Int(size_mb)),
            "{name}"
        );
        assert_eq!(
            facts.get("store.size_limit_mb"),
            Some(&FactValue::Int(limit_mb)),
            "{name}"
        );
        assert_eq!(
            facts.get("store.near_size_limit"),
            Some(&FactValue::Bool(false)),
            "{name}"
        );
    }
}

/// A backup before a rebuild goes to the folder the person chose (made there if need be),
/// never beside the store in Outlook's hidden folder; the plan names it, the journal
/// records it, and the store is only read.
#[test]
fn a_backup_lands_in_the_chosen_folder_and_the_plan_says_so() {
    let Some(real) = fixture("enron.pst") else {
        return;
    };
    let dir = TempDir::new("doctor-export-to");
    let store = dir.path().join("hidden").join("Outlook.ost");
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    std::fs::copy(&real, &store).unwrap();
    let original = std::fs::read(&store).unwrap();
    let chosen = dir.path().join("Documents").join("Helpdesk copies");
    let journal = Journal::at(dir.path().join("journal")).unwrap();
    let mut doctor = Doctor::new(&store)
        .with_journal(journal)
        .with_export_folder(Some(chosen.clone()));
    let facts = Facts::new();

    let plan = doctor.plan_fix("export_store_to_pst", &facts).unwrap();
    let dest = chosen.join("Outlook - backup.pst");
    assert_eq!(
        plan.actions,
        [Action::ExportToPst {
            items: 71,
            to: dest.clone()
        }]
    );
    let done = doctor
        .apply_fix("export_store_to_pst", &plan, &facts)
        .unwrap();
    assert_eq!(
        done.facts.get("backup.pst_path"),
        Some(&FactValue::Text(dest.display().to_string()))
    );
    assert!(dest.is_file());
    assert_eq!(
        std::fs::read_dir(store.parent().unwrap()).unwrap().count(),
        1,
        "nothing was written beside the store"
    );
    assert_eq!(std::fs::read(&store).unwrap(), original);
    let entries = Journal::at(dir.path().join("journal"))
        .unwrap()
        .entries()
        .unwrap();
    let record = entries
        .iter()
        .find_map(|e| e.export.as_ref())
        .expect("the export is in the journal");
    assert_eq!(record.dest, dest);
    assert!(record.verified);

    // A second backup takes a free name beside the first; a folder that is a file is
    // refused in the person's words, before anything is written.
    let plan = doctor.plan_fix("export_store_to_pst", &facts).unwrap();
    assert!(matches!(
        &plan.actions[..],
        [Action::ExportToPst { to, .. }] if *to == chosen.join("Outlook - backup (2).pst")
    ));
    let file = dir.path().join("a file");
    std::fs::write(&file, b"").unwrap();
    doctor.set_export_folder(Some(file.clone()));
    let refused = doctor.plan_fix("export_store_to_pst", &facts).unwrap_err();
    assert!(
        refused.message.contains("is a file, not a folder"),
        "{refused}"
    );
    assert!(
        refused
            .message_in(ostdoctor::wizard::Language::Dutch)
            .contains("is een bestand, geen map")
    );
}
