//! One story in every report, on the bundled fixture log as of Monday 23/11/2026: snapshots of
//! the printed summary, the email's text and HTML and `explain` (review a change with
//! `cargo insta review`, or `INSTA_UPDATE=always cargo test --test it reports::` and read the diff),
//! and the headline numbers read back from each output (the summary's text, the workbook
//! with calamine, the email's subject and bodies, the findings file's breach column) agreeing.

use std::path::Path;

use crate::common::{root, run};
use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::NaiveDate;
use safeguard_audit::config::Config;
use safeguard_audit::email::message::{html_body, subject, text_body, Report};
use safeguard_audit::ledger::{Delivery, Ledger, RunRecord};
use safeguard_audit::pipeline::{self, Audit};
use safeguard_audit::report::digest::Digest;
use safeguard_audit::report::{self, summary};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn example() -> Config {
    Config::load(&root().join("config/example.toml")).expect("example config")
}

fn record(book: &mut Ledger, audit: &Audit) {
    let run = RunRecord {
        started_at: format!("{}T07:00:00+00:00", audit.as_of),
        config_sha256: String::new(),
        inputs: Vec::new(),
        workbook: None,
        delivery: Delivery::Sent,
        delivery_detail: None,
        recipients: vec!["director@example.gov.uk".to_string()],
        forced: false,
        report_key: safeguard_audit::ledger::PARTNERSHIP.to_string(),
        backdated: false,
    };
    book.record(&run, audit).expect("recorded");
}

/// The digest of 23/11/2026 with what changed since a report sent as of 16/11/2026.
fn weekly_digest(state: &Path) -> (Audit, Digest) {
    let config = example();
    let mut book = Ledger::open(state).expect("ledger");
    record(&mut book, &pipeline::run(&config, d("2026-11-16")).unwrap());
    let audit = pipeline::run(&config, d("2026-11-23")).unwrap();
    let changes = book.changes(&audit).expect("changes");
    let digest = Digest::of(&audit).with_changes(changes);
    (audit, digest)
}

#[test]
fn printed_summary() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--config",
        "config/example.toml",
        "--as-of",
        "2026-11-23",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout).replace(out.path().to_str().unwrap(), "<out>");
    insta::assert_snapshot!("summary", text);
}

#[test]
fn email_text_and_html() {
    let state = tempfile::tempdir().unwrap();
    let (_audit, digest) = weekly_digest(state.path());
    let changes = digest.changes.as_ref().unwrap().lines().join("\n");
    let r = Report {
        digest: &digest,
        workbook: Some(Path::new("/srv/reports/compliance-2026-11-23.xlsx")),
        findings: Some(Path::new("/srv/reports/findings-2026-11-23.csv")),
        changes: Some(&changes),
    };
    insta::assert_snapshot!("email_subject", subject(&digest));
    insta::assert_snapshot!("email_text", text_body(&r));
    insta::assert_snapshot!("email_html", html_body(&r));
}

#[test]
fn explain_for_the_fixture_log() {
    // One case of each kind of answer: all met, unknown for an unreadable fact, unknown for
    // an unreadable done date, overdue and not applicable.
    for case in [
        "NS-2019-001",
        "SV-2021-001",
        "SV-2026-002",
        "SV-2026-004",
        "NS-2026-004",
    ] {
        let o = run(&[
            "explain",
            case,
            "--config",
            "config/example.toml",
            "--as-of",
            "2026-11-23",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        insta::assert_snapshot!(
            format!("explain_{case}"),
            String::from_utf8_lossy(&o.stdout)
        );
    }
    let o = run(&[
        "explain",
        "SV-2026-02",
        "--config",
        "config/example.toml",
        "--as-of",
        "2026-11-23",
    ]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(
        "explain_unknown_reference",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The headline numbers and the Panel's own, as (overdue now, breaches this year, due soon).
type Three = [usize; 3];

/// The number at the end of the line that starts (after spaces) with `label`.
fn number_after(text: &str, label: &str) -> usize {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line `{label}` in\n{text}"));
    line.split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number in `{line}`"))
}

fn from_text(text: &str, labels: &[String; 3]) -> Three {
    [0, 1, 2].map(|i| number_after(text, &labels[i]))
}

/// The number in the cell before `<strong>name</strong>` of the email's figures table.
fn from_html(html: &str, names: &[String; 3]) -> Three {
    [0, 1, 2].map(|i| {
        let at = html
            .find(&format!("<strong>{}</strong>", names[i]))
            .unwrap_or_else(|| panic!("{} not in the HTML", names[i]));
        let before = &html[..at];
        let end = before.rfind("</td>").expect("the number's cell");
        let start = before[..end].rfind('>').expect("cell start") + 1;
        before[start..end].trim().parse().expect("a number")
    })
}

fn from_workbook(book: &Path, names: &[String; 3], periods: &[String; 3]) -> Three {
    let mut wb: Xlsx<_> = open_workbook(book).expect("calamine reads the workbook");
    let s = wb.worksheet_range("Summary").expect("Summary");
    [0, 1, 2].map(|i| {
        let row = s
            .rows()
            .find(|r| r[0].to_string() == names[i])
            .unwrap_or_else(|| panic!("{} row", names[i]));
        assert_eq!(row[1].to_string(), periods[i], "period of {}", names[i]);
        match row[2] {
            Data::Float(x) => x as usize,
            Data::Int(x) => x as usize,
            ref other => panic!("{other:?}"),
        }
    })
}

/// Counts from the findings file alone: its breach column (DOMAIN "The findings file"; where
/// this build's file has none, the same definition from status and duty).
fn from_findings(csv: &Path, year: (NaiveDate, NaiveDate), due_by: NaiveDate) -> (Three, Three) {
    let mut r = csv::Reader::from_path(csv).expect("findings");
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name);
    let (duty, status, due) = (
        col("duty").unwrap(),
        col("status").unwrap(),
        col("due").unwrap(),
    );
    let breach_col = col("breach");
    let (mut ours, mut panel) = ([0; 3], [0; 3]);
    for row in r.records() {
        let row = row.unwrap();
        let st = &row[status];
        let partnership = &row[duty] != "panel-response";
        let breach = match breach_col {
            Some(b) => &row[b] == "yes",
            None => partnership && ["late", "overdue", "early"].contains(&st),
        };
        let due = NaiveDate::parse_from_str(&row[due], "%Y-%m-%d").ok();
        let in_year = due.is_some_and(|x| x >= year.0 && x <= year.1);
        let soon = st == "pending" && due.is_some_and(|x| x <= due_by);
        let counts = if partnership { &mut ours } else { &mut panel };
        if partnership {
            counts[0] += usize::from(breach && st == "overdue");
            counts[1] += usize::from(breach && in_year);
        } else {
            counts[0] += usize::from(st == "overdue");
            counts[1] += usize::from(["late", "overdue", "early"].contains(&st) && in_year);
        }
        counts[2] += usize::from(soon);
    }
    (ours, panel)
}

#[test]
fn the_headline_numbers_agree_everywhere() {
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (audit, digest) = weekly_digest(state.path());
    let written = report::write_with(&audit, &digest, out.path()).expect("written");
    let h = &digest.headline;
    let figures = h.figures();
    let panel = h.panel_figures();
    let names = figures.clone().map(|f| f.name);
    let labels = figures.clone().map(|f| f.label());
    let periods = figures.clone().map(|f| f.period);
    let panel_names = panel.clone().map(|f| f.name);
    let panel_labels = panel.clone().map(|f| f.label());
    let panel_periods = panel.clone().map(|f| f.period);

    let printed = summary::text_with(&audit, &digest, summary::QualityList::Workbook);
    let printed_ours = from_text(&printed, &labels);
    let printed_panel = from_text(&printed, &panel_labels);

    let book = written
        .iter()
        .find(|p| p.extension().unwrap() == "xlsx")
        .unwrap();
    let book_ours = from_workbook(book, &names, &periods);
    let book_panel = from_workbook(book, &panel_names, &panel_periods);

    let r = Report {
        digest: &digest,
        workbook: Some(book),
        findings: None,
        changes: None,
    };
    let text = text_body(&r);
    let html = html_body(&r);
    let subject = subject(&digest);
    let subject_ours = {
        let n = |after: &str| -> usize {
            let i = subject
                .find(after)
                .unwrap_or_else(|| panic!("{after} in {subject}"));
            subject[..i]
                .rsplit(|c: char| !c.is_ascii_digit())
                .find(|s| !s.is_empty())
                .unwrap()
                .parse()
                .unwrap()
        };
        [
            n(" overdue now"),
            n(" breaches this financial year"),
            n(" due soon"),
        ]
    };

    let findings = written
        .iter()
        .find(|p| p.extension().unwrap() == "csv")
        .unwrap();
    let (csv_ours, csv_panel) =
        from_findings(findings, (h.year_start, h.year_end), h.due_soon_until);

    let ours = [h.overdue_now, h.breaches_this_year, h.due_soon];
    assert!(
        ours.iter().all(|n| *n > 0),
        "the fixture has each: {ours:?}"
    );
    assert_eq!(printed_ours, ours, "printed summary");
    assert_eq!(book_ours, ours, "workbook Summary");
    assert_eq!(from_text(&text, &labels), ours, "email text");
    assert_eq!(from_html(&html, &names), ours, "email HTML");
    assert_eq!(subject_ours, ours, "email subject: {subject}");
    assert_eq!(csv_ours, ours, "findings file");
    assert_eq!(digest.overdue.len(), h.overdue_now, "the overdue list");
    assert_eq!(digest.due_soon.len(), h.due_soon, "the due-soon list");

    let theirs = [
        h.panel.overdue_now,
        h.panel.past_due_this_year,
        h.panel.due_soon,
    ];
    assert!(theirs[0] > 0, "the fixture has the Panel's late answer");
    assert_eq!(printed_panel, theirs);
    assert_eq!(book_panel, theirs);
    assert_eq!(from_text(&text, &panel_labels), theirs);
    assert_eq!(from_html(&html, &panel_names), theirs);
    assert_eq!(csv_panel, theirs);

    // The same sentence opens the summary, the workbook and the email.
    let sentence = digest.sentence();
    assert!(printed.contains(&sentence));
    assert!(text.contains(&sentence));
    assert!(html.contains(&sentence.replace('\'', "&#39;")) || html.contains(&sentence));
    // The Breaches sheet has exactly the findings file's breaches.
    let mut wb: Xlsx<_> = open_workbook(book).unwrap();
    let breaches = wb.worksheet_range("Breaches").unwrap();
    assert_eq!(breaches.rows().count() - 1, digest.breaches.len());
    let all_breaches = csv::Reader::from_path(findings)
        .unwrap()
        .records()
        .filter(|r| {
            let r = r.as_ref().unwrap();
            ["late", "overdue", "early"].contains(&&r[2]) && &r[1] != "panel-response"
        })
        .count();
    assert_eq!(digest.breaches.len(), all_breaches);
}

#[test]
fn no_workbook_writes_the_data_quality_list_and_says_where() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--config",
        "config/example.toml",
        "--as-of",
        "2026-11-23",
        "--no-workbook",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let list = out.path().join("data-quality-2026-11-23.csv");
    assert!(list.is_file());
    assert!(!out.path().join("compliance-2026-11-23.xlsx").exists());
    assert!(
        stdout.contains(&format!("listed in {}", list.display())),
        "{stdout}"
    );
    let mut r = csv::Reader::from_path(&list).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["file", "sheet", "row", "column", "field", "problem"]
    );
    let audit = pipeline::run(&example(), d("2026-11-23")).unwrap();
    let unknown = audit
        .findings
        .iter()
        .filter(|f| f.status == safeguard_audit::findings::Status::Unknown)
        .count();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), audit.cases.problems.len() + unknown);
    assert!(rows
        .iter()
        .any(|r| &r[0] == "fixtures/example/incident-log.xlsx"
            && &r[1] == "Log"
            && !r[2].is_empty()));
}

#[test]
fn a_case_reference_over_100_characters_is_a_data_quality_problem() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("NS-{}", "7".repeat(200));
    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        format!(
            "Case reference,Local authority,Child ID,Date of incident,Date LA became aware,Outcome,Abuse or neglect\n\
             {long},Testshire,C-1,01/11/2026,02/11/2026,died,known\n\
             NS-1,Testshire,C-2,01/11/2026,02/11/2026,died,known\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "audit",
        "--log",
        log.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("Rows: read 2 = used 1 + set aside 1 + blank 0"),
        "{stdout}"
    );
    let findings = std::fs::read_to_string(out.join("findings-2026-11-23.csv")).unwrap();
    assert!(!findings.contains(&long[..50]), "{findings}");
    let mut wb: Xlsx<_> = open_workbook(out.join("compliance-2026-11-23.xlsx")).unwrap();
    let dq = wb.worksheet_range("Data quality").unwrap();
    let text: Vec<String> = dq
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        text.iter()
            .any(|t| t.contains("203 characters long (at most 100)")),
        "{text:?}"
    );
    assert!(!text.iter().any(|t| t.contains(&long[..50])));
}

/// A run without a workbook counts without making the lists: every figure is the same as the
/// full digest's, on the fixture log and on a generated one with every status in it.
#[test]
fn the_counting_digest_has_every_figure_of_the_full_one() {
    let dir = tempfile::tempdir().unwrap();
    let opts = safeguard_audit::generate::Options::new(3_000, 11);
    let written = safeguard_audit::generate::write_files(
        &opts,
        dir.path(),
        safeguard_audit::generate::Format::Csv,
    )
    .expect("generated log");
    let log = written[0].0.clone();
    let mut generated = example();
    generated.sources[0].path = log;
    for (config, as_of) in [(example(), "2026-11-23"), (generated, "2026-11-23")] {
        let audit = pipeline::run(&config, d(as_of)).unwrap();
        let full = Digest::of(&audit);
        let counted = Digest::counts(&audit);
        assert!(full.breach_count > 0 && full.breach_count == full.breaches.len());
        assert_eq!(counted.breach_count, full.breach_count);
        assert!(counted.breaches.is_empty() && counted.action.is_empty());
        assert_eq!(
            format!("{:?}", counted.headline),
            format!("{:?}", full.headline)
        );
        let rows = |d: &Digest| format!("{:?}{:?}{:?}", d.per_duty, d.per_authority, d.per_quarter);
        assert_eq!(rows(&counted), rows(&full));
        assert_eq!(
            (counted.data_gaps, counted.open_cases, counted.cases),
            (full.data_gaps, full.open_cases, full.cases)
        );
        assert_eq!(
            summary::text_with(&audit, &counted, summary::QualityList::Workbook),
            summary::text_with(&audit, &full, summary::QualityList::Workbook)
        );
    }
}
