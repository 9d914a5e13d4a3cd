//! The compliance workbook, read back with calamine: the sheets and their names, every row
//! against the digest and the findings, dates as date cells, text from a log as text, and no
//! personal data.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::bin;
use calamine::{open_workbook_auto, Data, Range, Reader};
use chrono::NaiveDate;
use safeguard_audit::config::Config;
use safeguard_audit::findings::Status;
use safeguard_audit::ingest::{SourceKind, SourceSpec};
use safeguard_audit::pipeline::{self, Audit};
use safeguard_audit::report::digest::Digest;
use safeguard_audit::report::workbook;
use safeguard_audit::rules::Subject;

const HYPERLINK: &str = "=HYPERLINK(\"http://example.org\",\"click\")";

const HEADER: &str =
    "Case reference,Local authority,Child ID,Child name,NHS number,Date of incident,\
Date LA became aware,Outcome,Abuse or neglect,Child status,Incident location,Panel notified,\
Partners notified,Ofsted notified,Secretary of State notified,Rapid review sent to Panel,\
Panel response received,Review decision,Decision date,\"Decision notified (Panel, Ofsted, DfE)\",\
Reviewer,Final report sent to Panel and SoS,Report published,Report removed from website";

/// Overdue, pending (due soon), late, ended early, unknown, a row set aside and an unreadable
/// date; two local authorities; a formula-looking case reference; names and NHS numbers that
/// must never appear.
const ROWS: &[&str] = &[
    "\"=HYPERLINK(\"\"http://example.org\"\",\"\"click\"\")\",Northshire,C-1,Jane Testname,999 123 4567,2026-10-28,2026-10-29,died,known,child in need,in area,2026-11-03,,,,,,,,,,,,",
    "NS-2026-002,Northshire,C-2,John Testname,999 765 4321,2026-11-18,2026-11-19,seriously harmed,suspected,not known to CSC,in area,,,,,,,,,,,,,",
    "NS-2025-003,Southshire,C-3,Ann Testname,999 111 2222,2025-01-03,2025-01-06,died,suspected,looked after,in area,2025-01-20,2025-01-08,2025-01-31,2025-01-10,2025-02-05,2025-03-20,local review,2025-02-10,2025-02-12,A Reviewer,2025-07-25,2025-08-01,2025-12-01",
    "NS-2026-004,Southshire,C-4,Bob Testname,999 333 4444,2026-06-01,2026-06-02,,known,child in need,in area,2026-06-05,2026-06-05,,,,,,,,,,,",
    ",Northshire,C-5,Cat Testname,999 555 6666,2026-06-01,2026-06-02,died,known,child in need,in area,,,,,,,,,,,,,",
    "NS-2026-006,Northshire,C-6,Dan Testname,999 777 8888,31/02/2026,2026-03-02,seriously harmed,known,early help,in area,2026-03-05,2026-03-05,,,2026-03-20,2026-04-10,no review,2026-03-25,,,,,",
];

const PERSONAL: &[&str] = &["Testname", "999 123 4567", "999 765 4321", "999 111 2222"];

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
}

struct Run {
    _dir: tempfile::TempDir,
    audit: Audit,
    digest: Digest,
    book: PathBuf,
}

fn write_log(dir: &Path, rows: &[&str]) -> PathBuf {
    let log = dir.join("incident-log.csv");
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&log, text).expect("write log");
    log
}

/// Audits `rows` through the library and writes the workbook into a temp dir.
fn run(rows: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = write_log(dir.path(), rows);
    let mut config = Config::empty();
    config.sources.push(SourceSpec {
        path: log,
        ..Default::default()
    });
    let audit = pipeline::run(&config, as_of()).expect("audit runs");
    let digest = Digest::of(&audit);
    let book = workbook::path(&dir.path().join("out"), as_of());
    workbook::write(&audit, &digest, &book).expect("workbook written");
    Run {
        _dir: dir,
        audit,
        digest,
        book,
    }
}

fn sheet(book: &Path, name: &str) -> Range<Data> {
    let mut wb = open_workbook_auto(book).expect("workbook opens");
    wb.worksheet_range(name).expect("sheet exists")
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn date(d: &Data) -> Option<NaiveDate> {
    match d {
        Data::DateTime(x) => x.as_datetime().map(|t| t.date()),
        Data::Empty => None,
        other => panic!("expected a date cell, found {other:?}"),
    }
}

fn int(d: &Data) -> Option<i64> {
    match d {
        Data::Float(f) => Some(*f as i64),
        Data::Int(i) => Some(*i),
        Data::Empty => None,
        other => panic!("expected a number, found {other:?}"),
    }
}

/// Data rows under a header row (the sheet starts at A1).
fn body(r: &Range<Data>, header_rows: usize) -> Vec<&[Data]> {
    r.rows().skip(header_rows).collect()
}

fn headers(r: &Range<Data>, row: usize) -> Vec<String> {
    r.rows()
        .nth(row)
        .expect("header row")
        .iter()
        .map(text)
        .collect()
}

#[test]
fn path_is_compliance_as_of_in_the_folder() {
    assert_eq!(
        workbook::path(Path::new("reports"), as_of()),
        Path::new("reports/compliance-2026-11-23.xlsx")
    );
}

#[test]
fn sheets_have_their_exact_names_in_order() {
    let r = run(ROWS);
    let wb = open_workbook_auto(&r.book).expect("opens");
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "Action required",
            "Breaches",
            "Cases",
            "Data quality",
            "Rules"
        ]
    );
}

#[test]
fn action_required_is_the_digest_action_list_in_order() {
    let r = run(ROWS);
    assert!(
        r.digest.action.len() >= 3,
        "the log has overdue and pending duties"
    );
    let s = sheet(&r.book, "Action required");
    assert_eq!(headers(&s, 0)[0], "Case reference");
    let rows = body(&s, 1);
    assert_eq!(rows.len(), r.digest.action.len());
    for (row, it) in rows.iter().zip(&r.digest.action) {
        assert_eq!(text(&row[0]), &*it.case_ref);
        assert_eq!(text(&row[1]), &*it.child_id);
        assert_eq!(text(&row[2]), &*it.local_authority);
        assert_eq!(text(&row[3]), &*it.duty);
        assert_eq!(date(&row[4]), it.start);
        assert_eq!(date(&row[5]), it.due);
        assert_eq!(int(&row[6]), it.working_days);
        assert_eq!(text(&row[7]), it.status.label());
        assert_eq!(text(&row[8]), it.actor.label());
    }
}

#[test]
fn breaches_are_every_late_overdue_and_early_finding() {
    let r = run(ROWS);
    let s = sheet(&r.book, "Breaches");
    let rows = body(&s, 1);
    // Exactly the partnership's breaches (breach = yes in the findings file): the Panel's own
    // late answer is not the partnership's breach and is not listed here.
    let expected = r
        .audit
        .findings
        .iter()
        .filter(|f| f.breach(&r.audit.rules))
        .count();
    assert!(
        expected
            < r.audit
                .findings
                .iter()
                .filter(|f| f.status.is_breach())
                .count(),
        "the fixture has a Panel's late answer to leave out"
    );
    assert_eq!(rows.len(), expected);
    assert_eq!(rows.len(), r.digest.breaches.len());
    let statuses: Vec<String> = rows.iter().map(|row| text(&row[4])).collect();
    assert!(statuses.contains(&Status::Late.label().to_string()));
    assert!(statuses.contains(&Status::Overdue.label().to_string()));
    assert!(statuses.contains(&Status::Early.label().to_string()));
    assert_eq!(
        headers(&s, 0)[3],
        "Duty (its legal source: see the Rules sheet)"
    );
    for (row, it) in rows.iter().zip(&r.digest.breaches) {
        assert!(it.breach);
        assert_eq!(text(&row[0]), &*it.case_ref);
        assert_eq!(text(&row[3]), &*it.duty);
        assert_eq!(date(&row[5]), it.due);
        assert_eq!(date(&row[6]), it.done);
        assert_eq!(row.len(), 9, "no legal source repeated on every row");
    }
    // Most recent due date first.
    let dues: Vec<_> = r.digest.breaches.iter().map(|i| i.due).collect();
    assert!(dues.windows(2).all(|w| w[0] >= w[1]), "{dues:?}");
    assert!(
        rows.iter().all(|row| text(&row[8]) != "Panel"),
        "the Panel's own duty is not the partnership's breach"
    );
}

/// Checks the Cases sheet against every finding: one row per case, and per duty column group
/// (found by the duty's title above it) the due date, done date and status.
fn check_cases(book: &Path, audit: &Audit) {
    let s = sheet(book, "Cases");
    let titles = headers(&s, 0);
    let h = headers(&s, 1);
    assert_eq!(h[..3], ["Case reference", "Child ID", "Local authority"]);
    assert_eq!(h[3..6], ["Due", "Done", "Status"]);
    let rows = body(&s, 2);
    assert_eq!(rows.len(), audit.cases.cases.len());
    for (row, case) in rows.iter().zip(&audit.cases.cases) {
        assert_eq!(text(&row[0]), &*case.case_ref);
    }
    for f in &audit.findings {
        let title = &audit.rules.duties[f.duty as usize].title;
        let c = titles
            .iter()
            .position(|x| x == title)
            .unwrap_or_else(|| panic!("columns for {title}"));
        let row = rows[f.case as usize];
        assert_eq!(date(&row[c]), f.due);
        assert_eq!(date(&row[c + 1]), f.done);
        assert_eq!(text(&row[c + 2]), f.status.label());
    }
}

#[test]
fn cases_has_one_row_per_case_with_each_duty() {
    let r = run(ROWS);
    let s = sheet(&r.book, "Cases");
    let incident = r
        .audit
        .rules
        .duties
        .iter()
        .filter(|d| d.subject == Subject::Incident)
        .count();
    assert_eq!(
        headers(&s, 1).len(),
        3 + 3 * incident,
        "no referral columns without referrals"
    );
    check_cases(&r.book, &r.audit);
}

#[test]
fn data_quality_lists_each_problem_and_unknown_duty() {
    let r = run(ROWS);
    let s = sheet(&r.book, "Data quality");
    let rec = &r.audit.cases.reconciliation;
    let first = s.rows().nth(1).expect("reconciliation");
    assert_eq!(int(&first[0]), Some(rec.rows_read as i64));
    assert_eq!(int(&first[1]), Some(rec.used as i64));
    assert_eq!(int(&first[2]), Some(rec.set_aside as i64));
    assert_eq!(int(&first[3]), Some(rec.blank as i64));
    let rows = body(&s, 4);
    let problems = &r.audit.cases.problems;
    assert!(
        problems.iter().any(|p| p.case_ref.is_none()),
        "a row set aside"
    );
    assert!(
        problems.len() >= 2,
        "a row set aside and an unreadable date"
    );
    assert_eq!(rows.len(), problems.len() + r.digest.data_gaps);
    for p in problems {
        // Located by file, sheet, row and column, as the reader found it.
        let at = r.audit.cases.parts(p.at, p.field);
        assert!(at.file.ends_with("incident-log.csv"), "{at:?}");
        assert!(p.field.is_none() || !at.column.is_empty(), "{p:?}: {at:?}");
        let found = rows.iter().any(|row| {
            text(&row[0]) == p.kind.label()
                && text(&row[1]) == p.case_ref.clone().unwrap_or_default()
                && text(&row[3]) == at.file
                && text(&row[4]) == at.sheet
                && int(&row[5]) == at.row.map(i64::from)
                && text(&row[6]) == at.column
                && text(&row[7]) == p.message
        });
        assert!(found, "problem listed: {p:?}");
    }
    let unknown = rows.iter().filter(|row| text(&row[0]) == "unknown duty");
    assert_eq!(unknown.count(), r.digest.data_gaps);
    assert!(r.digest.data_gaps > 0);
}

#[test]
fn dates_are_date_cells_shown_dd_mm_yyyy() {
    let r = run(ROWS);
    let s = sheet(&r.book, "Action required");
    for row in body(&s, 1) {
        assert!(
            matches!(row[5], Data::DateTime(_) | Data::Empty),
            "due date is a date cell: {:?}",
            row[5]
        );
    }
    let summary = sheet(&r.book, "Summary");
    let as_of_row = summary
        .rows()
        .find(|row| text(&row[0]) == "As of")
        .expect("as-of row");
    assert_eq!(date(&as_of_row[1]), Some(as_of()));
    let styles = xml(&r.book, "xl/styles.xml");
    assert!(styles.contains("dd/mm/yyyy"), "dates shown as dd/mm/yyyy");
}

#[test]
fn formula_looking_case_reference_stays_text() {
    let r = run(ROWS);
    let mut wb = open_workbook_auto(&r.book).expect("opens");
    for name in ["Action required", "Breaches", "Cases"] {
        let range = wb.worksheet_range(name).expect("sheet");
        assert!(
            range
                .rows()
                .any(|row| row[0] == Data::String(HYPERLINK.to_string())),
            "{name} holds the case reference as text"
        );
        let formulas = wb.worksheet_formula(name).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} holds no formula"
        );
    }
}

/// The text of one part of the xlsx package.
fn xml(book: &Path, part: &str) -> String {
    let file = std::fs::File::open(book).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut s = String::new();
    zip.by_name(part)
        .expect("part")
        .read_to_string(&mut s)
        .expect("read");
    s
}

#[test]
fn no_child_name_or_nhs_number_anywhere() {
    let r = run(ROWS);
    let file = std::fs::File::open(&r.book).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        let mut s = String::new();
        part.read_to_string(&mut s).expect("read");
        for p in PERSONAL {
            assert!(!s.contains(p), "{:?} holds {p}", part.name());
        }
    }
}

#[test]
fn properties_say_what_produced_it_and_when() {
    let r = run(ROWS);
    let core = xml(&r.book, "docProps/core.xml");
    assert!(core.contains("compliance as of 23/11/2026"), "{core}");
    assert!(core.contains("<dc:creator>safeguard-audit</dc:creator>"));
    assert!(core.contains("2026-11-23"), "comment names the as-of date");
    assert!(
        core.contains("built-in national baseline"),
        "comment names the rules"
    );
    let app = xml(&r.book, "docProps/app.xml");
    assert!(app.contains("<Company>safeguard-audit</Company>"));
}

#[test]
fn summary_shows_the_digest_figures_and_charts() {
    let r = run(ROWS);
    let s = sheet(&r.book, "Summary");
    let value_in = |label: &str, col: usize| {
        let row = s
            .rows()
            .find(|row| text(&row[0]) == label)
            .unwrap_or_else(|| panic!("{label} row"));
        int(&row[col])
    };
    let value = |label: &str| value_in(label, 1);
    let d = &r.digest;
    assert_eq!(value("Cases"), Some(d.cases as i64));
    // The headline figures: name, period, number.
    assert_eq!(value_in("Overdue now", 2), Some(d.overdue.len() as i64));
    assert_eq!(value_in("Due soon", 2), Some(d.due_soon.len() as i64));
    assert_eq!(
        value_in("Breaches this financial year", 2),
        Some(d.headline.breaches_this_year as i64)
    );
    assert_eq!(
        value("Data gaps (duties that cannot be decided: see Data quality)"),
        Some(d.data_gaps as i64)
    );
    assert_eq!(text(&s.rows().nth(2).expect("row 3")[0]), d.sentence());
    assert!(d.per_authority.len() > 1);
    for la in ["Northshire", "Southshire"] {
        assert!(s.rows().any(|row| text(&row[0]) == la), "{la} listed");
    }
    let week = s
        .rows()
        .find(|row| text(&row[0]).starts_with("Reporting week starts"))
        .expect("week row");
    assert_eq!(date(&week[1]), Some(d.week_start));
    let all = s
        .rows()
        .find(|row| text(&row[0]) == "All duties")
        .expect("all duties");
    let rate = d.per_duty.last().and_then(|c| c.rate()).expect("rate");
    assert!(matches!(all[7], Data::Float(x) if (x - rate).abs() < 1e-9));
    let drawing = xml(&r.book, "xl/charts/chart1.xml");
    assert!(drawing.contains("<c:barChart>"));
    assert!(xml(&r.book, "xl/charts/chart2.xml").contains("<c:lineChart>"));
    assert!(xml(&r.book, "xl/worksheets/sheet1.xml").contains("conditionalFormatting"));
}

#[test]
fn rules_sheet_lists_every_duty_applied() {
    let r = run(ROWS);
    let s = sheet(&r.book, "Rules");
    let rows = body(&s, 1);
    assert_eq!(rows.len(), r.audit.rules.duties.len());
    for (row, d) in rows.iter().zip(&r.audit.rules.duties) {
        assert_eq!(text(&row[0]), d.title);
        assert_eq!(text(&row[1]), d.deadline.describe());
        assert_eq!(text(&row[2]), d.applies_text);
        assert_eq!(text(&row[3]), r.audit.rules.in_force_text(d));
        assert_eq!(
            text(&row[4]),
            "None",
            "no relaxed period unless switched on"
        );
        assert_eq!(text(&row[5]), d.start_label(&r.audit.rules.schema));
        assert_eq!(text(&row[9]), d.source);
        assert_eq!(text(&row[10]), d.origin);
        // The id, for matching the findings file, last.
        assert_eq!(text(&row[11]), d.id);
        assert!(!d.source.contains("seed"), "{}", d.source);
    }
}

#[test]
fn empty_lists_get_a_none_row() {
    // One case, nothing applies: nothing to act on, no breach, no data gap.
    let r = run(&["NS-2026-010,Northshire,C-10,,,2026-06-01,2026-06-02,other,not suspected,child in need,in area,,,,,,,,,,,,,"]);
    assert!(r.digest.action.is_empty() && r.digest.breaches.is_empty());
    for name in ["Action required", "Breaches"] {
        let s = sheet(&r.book, name);
        let rows = body(&s, 1);
        assert_eq!(rows.len(), 1, "{name}");
        assert!(text(&rows[0][0]).starts_with("None"), "{name}");
    }
}

#[test]
fn rewriting_leaves_only_the_workbook() {
    let r = run(ROWS);
    workbook::write(&r.audit, &r.digest, &r.book).expect("second write");
    let dir = r.book.parent().expect("dir");
    let names: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["compliance-2026-11-23.xlsx"]);
}

#[test]
fn audit_command_writes_the_workbook_beside_the_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = write_log(dir.path(), ROWS);
    let out = dir.path().join("reports");
    let o = bin()
        .args(["audit", "--as-of", "2026-11-23", "--log"])
        .arg(&log)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let findings = stdout.find("findings-2026-11-23.csv").expect("findings");
    let book = stdout.find("compliance-2026-11-23.xlsx").expect("workbook");
    assert!(findings < book, "findings first, workbook second");
    assert!(out.join("findings-2026-11-23.csv").is_file());
    let wb = open_workbook_auto(out.join("compliance-2026-11-23.xlsx")).expect("opens");
    assert_eq!(wb.sheet_names().len(), 6);
}

#[test]
fn example_fixture_workbook_matches_its_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let log = root.join("fixtures/example/incident-log.xlsx");
    if !log.is_file() {
        eprintln!("skipped: {} not present", log.display());
        return;
    }
    let out = tempfile::tempdir().expect("temp dir");
    let o = bin()
        .args(["audit", "--as-of", "2026-11-23", "--log"])
        .arg(&log)
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.path().join("findings-2026-11-23.csv")).expect("csv");
    let count = |statuses: &[&str]| {
        csv.lines()
            .skip(1)
            .filter(|l| statuses.contains(&l.split(',').nth(2).unwrap_or("")))
            .count()
    };
    let book = out.path().join("compliance-2026-11-23.xlsx");
    let action = sheet(&book, "Action required");
    assert_eq!(
        body(&action, 1).len(),
        count(&["overdue", "pending"]).max(1)
    );
    // The partnership's breaches: late, overdue or ended early, not the Panel's own reply.
    let partnership_breaches = csv
        .lines()
        .skip(1)
        .filter(|l| {
            let mut f = l.split(',');
            let duty = f.nth(1).unwrap_or("");
            let status = f.next().unwrap_or("");
            ["late", "overdue", "early"].contains(&status) && duty != "panel-response"
        })
        .count();
    let breaches = sheet(&book, "Breaches");
    assert_eq!(body(&breaches, 1).len(), partnership_breaches.max(1));
    let cases = sheet(&book, "Cases");
    let refs: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(body(&cases, 2).len(), refs.len());
}

#[test]
fn referrals_are_rows_of_cases_and_listed_where_they_need_action() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (log, referrals) = (
        root.join("fixtures/example/incident-log.csv"),
        root.join("fixtures/ingest/referrals.csv"),
    );
    if !log.is_file() || !referrals.is_file() {
        eprintln!("skipped: referral fixtures not present");
        return;
    }
    let mut config = Config::empty();
    config.sources.push(SourceSpec {
        path: log,
        ..Default::default()
    });
    config.sources.push(SourceSpec {
        kind: SourceKind::Referrals,
        path: referrals,
        ..Default::default()
    });
    let audit = pipeline::run(&config, as_of()).expect("audit runs");
    let digest = Digest::of(&audit);
    assert!(audit.referral_count() > 0);
    let dir = tempfile::tempdir().expect("temp dir");
    let book = workbook::path(dir.path(), as_of());
    workbook::write(&audit, &digest, &book).expect("written");
    check_cases(&book, &audit);
    let action = sheet(&book, "Action required");
    let refs: Vec<String> = body(&action, 1).iter().map(|r| text(&r[0])).collect();
    let expected: Vec<&str> = digest.action.iter().map(|i| &*i.case_ref).collect();
    assert_eq!(refs, expected);
    let rules = sheet(&book, "Rules");
    assert!(body(&rules, 1)
        .iter()
        .any(|r| text(&r[5]) == "Date the referral was submitted"));
}

/// A synthetic log row: dates spread over eleven years, some duties late, some not done.
fn synthetic_row(i: usize) -> String {
    let day = |offset: usize| {
        let d = NaiveDate::from_ymd_opt(2015, 1, 5).expect("date")
            + chrono::Days::new(((i * 7) % 4300 + offset) as u64);
        d.format("%d/%m/%Y").to_string()
    };
    let outcome = ["died", "seriously harmed", "other"][i % 3];
    let abuse = ["known", "suspected", "not suspected", ""][i % 4];
    let status = ["child in need", "looked after", "early help"][i % 3];
    let panel = if i.is_multiple_of(5) {
        String::new()
    } else {
        day(2 + i % 9)
    };
    let partners = if i.is_multiple_of(7) {
        String::new()
    } else {
        day(1 + i % 8)
    };
    format!(
        "LOAD-{i:06},{},C-{i},,,{},{},{outcome},{abuse},{status},in area,{panel},{partners},,,,,,,,,,,",
        ["Northshire", "Southvale", "Eastmoor"][i % 3],
        day(0),
        day(1),
    )
}

/// `cargo test --release --test it workbook:: -- --ignored` (prints the time taken).
#[test]
#[ignore = "large: run in release"]
fn hundred_thousand_cases_write_in_seconds() {
    let rows: Vec<String> = (0..100_000).map(synthetic_row).collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let log = write_log(dir.path(), &rows);
    let mut config = Config::empty();
    config.sources.push(SourceSpec {
        path: log,
        ..Default::default()
    });
    let audit = pipeline::run(&config, as_of()).expect("audit runs");
    let digest = Digest::of(&audit);
    let book = workbook::path(dir.path(), as_of());
    let t = std::time::Instant::now();
    workbook::write(&audit, &digest, &book).expect("written");
    let took = t.elapsed();
    eprintln!(
        "{} findings: workbook written in {took:?}",
        audit.findings.len()
    );
    assert!(took.as_secs() < 30, "took {took:?}");
    assert_eq!(body(&sheet(&book, "Cases"), 2).len(), 100_000);
    let action = sheet(&book, "Action required");
    assert_eq!(body(&action, 1).len(), digest.action.len().max(1));
}
