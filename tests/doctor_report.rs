//! The session report after the doctor has read a synchronization log: the log has a
//! section of its own, in the walk's language, with its date in the person's zone, its
//! age, its lines counted, the error lines marked with what their code means, and the
//! whole log folded away.

mod common;

use common::TempDir;
use ostdoctor::doctor::Doctor;
use ostdoctor::doctor::report::SessionReport;
use ostdoctor::time::{Timestamp, UtcOffset, Zone};
use ostdoctor::wizard::{Backend, Engine, Facts, Language, builtin};

#[test]
fn a_read_log_with_an_error_has_its_section_with_the_error_line_marked() {
    let dir = TempDir::new("doctor-report-log");
    let store = dir.path().join("ana.ost");
    ostdoctor::synthetic::generate(
        &store,
        &ostdoctor::synthetic::GenOptions {
            target: ostdoctor::store::write::Target::Ost4k,
            folders: 2,
            messages: 4,
            seed: 3,
            sync_log_lines: common::SYNC_LOG.iter().map(|l| (*l).to_owned()).collect(),
            attachment_kb: None,
        },
    )
    .unwrap();
    let mut doctor = Doctor::new(&store);
    let facts = doctor.run_check("read_sync_logs", &Facts::new()).unwrap();
    assert!(
        format!("{facts:?}").contains("8004010F"),
        "the log's error was read: {facts:?}"
    );
    let log_time = doctor.findings().sync_logs.as_ref().unwrap().report.logs[0]
        .time
        .clone()
        .expect("the log's time");
    let written = Timestamp::parse_rfc3339(&log_time).unwrap();
    let engine = Engine::new(
        std::sync::Arc::new(builtin().unwrap()),
        "main",
        Language::Dutch,
    )
    .unwrap();
    // The report is made three days and two hours after the log was written.
    let now = Timestamp(written.0 + 3 * 86_400 + 2 * 3600);
    let report = SessionReport::new(&engine, &store, doctor.findings(), now);
    let zone = Zone::Fixed(UtcOffset(3600));
    let html = report.to_html_in(zone);

    let at = |text: &str| html.find(text).unwrap_or_else(|| panic!("{text}: {html}"));
    let section = at("<h2>Synchronisatielogboek</h2>");
    let shown = zone.minutes(written);
    assert!(shown.ends_with(" UTC+01:00"), "{shown}");
    // The generated log's clock runs in UTC, which is not the zone the report is in.
    assert!(
        section
            < at(&format!(
                "<th>Geschreven</th><td>{shown} (de tijden in het logboek zijn in UTC)</td>"
            ))
    );
    let in_utc = report.to_html_in(Zone::Fixed(UtcOffset::UTC));
    assert!(
        in_utc.contains(&format!(
            "<th>Geschreven</th><td>{}</td>",
            Zone::Fixed(UtcOffset::UTC).minutes(written)
        )),
        "{in_utc}"
    );
    assert!(section < at("<th>Leeftijd</th><td>3 dagen voor dit rapport</td>"));
    assert!(section < at("/Sync Issues</td>"));
    assert!(section < at("<th>Regels</th><td>10 regels, 3 melden een fout</td>"));
    // The error lines, each with what the knowledge base says of its code.
    let errors = at("<strong>De regels die een fout melden</strong>");
    let vector = at(" [8004010F-501-0-B20]</code>");
    assert!(errors < at(" Error synchronizing folder</code>"));
    assert!(section < errors && errors < vector);
    let meaning = at("8004010F (MAPI_E_NOT_FOUND): Beschadigde Exchange-ondersteuningsbestanden");
    assert!(vector < meaning);
    // The whole log, folded away, the error line marked and the others not.
    let whole = at("<details class=\"log\"><summary>Het hele logboek (10 regels)</summary><pre>");
    assert!(whole > meaning);
    let marked = html[whole..]
        .lines()
        .find(|l| l.contains("[8004010F-501-0-B20]"))
        .unwrap();
    assert!(
        marked.starts_with("<mark class=\"error\">") && marked.ends_with("</mark>"),
        "{marked}"
    );
    let done = html[whole..]
        .lines()
        .find(|l| l.ends_with(" Done"))
        .unwrap();
    assert!(!done.contains("<mark"), "{done}");
    // The report's own time in the same zone.
    assert!(html.contains(&format!("<th>Gemaakt</th><td>{}</td>", zone.minutes(now))));
}
