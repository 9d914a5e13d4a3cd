//! The real binary on the real fixture files: the audit, explain and holidays commands, and
//! clear errors for bad input.

use crate::common::{bin, root, run, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(p: &str) -> PathBuf {
    root().join("fixtures").join(p)
}

/// What the Rust tool and the independent reference must agree on in a note: blank, "not in
/// force before/from DD/MM/YYYY" (the date exactly), "timescale relaxed", or any other reason
/// (each words it its own way). Mirrors `note_kind` in tools/reference_audit.py.
fn note_kind(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else if note.starts_with("not in force") {
        note.split(':').next().unwrap_or("").to_string()
    } else if note.starts_with("timescale relaxed") {
        "timescale relaxed".to_string()
    } else {
        "why".to_string()
    }
}

/// Findings rows, sorted, without the header (checked), the note reduced to its kind.
fn sorted_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>().join(","),
        "case_ref,duty,status,start,due,done,working_days_late,breach,local_authority,note"
    );
    let mut v: Vec<String> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut cells: Vec<String> = rec.iter().take(9).map(str::to_string).collect();
            cells.push(note_kind(rec.get(9).unwrap_or("")));
            cells.join(",")
        })
        .collect();
    v.sort();
    v
}

fn audit_to(log: &Path, out: &Path) -> Output {
    run(&[
        "audit",
        "--log",
        log.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn example_xlsx_with_title_rows_and_mixed_dates_matches_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let o = audit_to(&fixture("example/incident-log.xlsx"), dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let got = sorted_lines(&dir.path().join("findings-2026-11-23.csv"));
    let want = sorted_lines(&fixture("example/expected-findings-2026-11-23.csv"));
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    let s = stdout(&o);
    assert!(s.contains("Cases read: 72"), "{s}");
    assert!(
        s.contains("Rows: read 74 = used 72 + set aside 2 + blank 0"),
        "{s}"
    );
    assert!(
        s.contains("met 203, late 44, overdue 21, pending 24, unknown 35"),
        "{s}"
    );
}

#[test]
fn every_format_of_the_example_gives_the_same_findings() {
    let want = sorted_lines(&fixture("example/expected-findings-2026-11-23.csv"));
    for f in [
        "example/incident-log.csv",
        "ingest/northshire-log.xls",
        "ingest/northshire-log.ods",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let o = audit_to(&fixture(f), dir.path());
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        assert_eq!(
            sorted_lines(&dir.path().join("findings-2026-11-23.csv")),
            want,
            "{f}"
        );
    }
}

#[test]
fn the_readme_example_config_runs() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--config",
        "config/example.toml",
        "--as-of",
        "2026-11-23",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("findings-2026-11-23.csv").exists());
}

#[test]
fn council_layout_through_a_mapping_config_matches_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--config",
        "fixtures/ingest/council-layout.toml",
        "--as-of",
        "2026-11-23",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        sorted_lines(&dir.path().join("findings-2026-11-23.csv")),
        sorted_lines(&fixture(
            "ingest/council-layout.expected-findings-2026-11-23.csv"
        ))
    );
}

#[test]
fn exit_code_flag_reports_breaches() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--log",
        "fixtures/example/incident-log.csv",
        "--as-of",
        "2026-11-23",
        "--out",
        dir.path().to_str().unwrap(),
        "--exit-code",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn an_audit_as_of_an_earlier_date_replays_that_week() {
    // As of 2020-01-01, cases the LA learnt of later are not yet known, and later events
    // have not happened.
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--log",
        "fixtures/example/incident-log.csv",
        "--as-of",
        "2020-01-01",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = sorted_lines(&dir.path().join("findings-2020-01-01.csv"));
    assert!(!lines.is_empty());
    for l in &lines {
        for date in l.split(',').skip(3).take(3).filter(|d| !d.is_empty()) {
            assert!(
                date <= "2020-01-01" || l.split(',').nth(4) == Some(date),
                "{l}"
            );
        }
    }
}

#[test]
fn explain_shows_the_arithmetic_and_the_source() {
    let o = run(&[
        "explain",
        "NS-2022-003",
        "--log",
        "fixtures/example/incident-log.csv",
        "--as-of",
        "2026-11-23",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("Timeline"), "{s}");
    assert!(s.contains("panel-notification"), "{s}");
    assert!(s.contains("working days after"), "{s}");
    assert!(s.contains("skipped:"), "{s}");
    assert!(s.contains("s16C"), "{s}");
    // Names and NHS numbers in the log never appear.
    assert!(!s.contains("Child A"), "{s}");
    assert!(!s.contains("999 "), "{s}");

    let o = run(&[
        "explain",
        "NO-SUCH-CASE",
        "--log",
        "fixtures/example/incident-log.csv",
        "--as-of",
        "2026-11-23",
    ]);
    // A reference that is not there is a mistake on the command line (2), not an unreadable
    // input (3); the error names the nearest references.
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("NO-SUCH-CASE"));
    assert!(stderr(&o).contains("nearest references"), "{}", stderr(&o));
    let o = run(&[
        "explain",
        "NS-2022-03",
        "--log",
        "fixtures/example/incident-log.csv",
        "--as-of",
        "2026-11-23",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the nearest references: NS-2022-003"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn holidays_prints_the_published_list() {
    let o = run(&["holidays", "--year", "2027"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        "2027-01-01  New Year's Day\n\
         2027-03-26  Good Friday\n\
         2027-03-29  Easter Monday\n\
         2027-05-03  Early May bank holiday\n\
         2027-05-31  Spring bank holiday\n\
         2027-08-30  Summer bank holiday\n\
         2027-12-27  Christmas Day (substitute day)\n\
         2027-12-28  Boxing Day (substitute day)\n"
    );
    let o = run(&["holidays", "--from", "2000", "--to", "2040"]);
    let s = stdout(&o);
    assert!(s.contains("2022-09-19  Bank holiday for the State Funeral of Queen Elizabeth II"));
    assert!(s.lines().count() > 41 * 8);
    for line in s.lines() {
        let (date, name) = line.split_once("  ").unwrap();
        assert_eq!(date.len(), 10);
        assert!(!name.is_empty());
    }
}

#[test]
fn help_is_clear_for_every_command() {
    for cmd in ["audit", "explain", "holidays", "check-config"] {
        let o = run(&[cmd, "--help"]);
        assert!(o.status.success(), "{cmd}");
        assert!(stdout(&o).len() > 100, "{cmd}");
    }
    let o = run(&["--help"]);
    let s = stdout(&o);
    assert!(s.contains("Exit codes"), "{s}");
}

#[test]
fn bad_files_fail_clearly_and_write_nothing() {
    let cases = [
        ("ingest/empty.xlsx", "empty"),
        ("ingest/truncated.xlsx", "damaged"),
        ("ingest/not-really.xlsx", "PDF"),
        ("ingest/encrypted.xlsx", "password"),
        ("ingest/zip-bomb.xlsx", "zip bomb"),
        ("ingest/no-header.csv", "no header row"),
        ("ingest/does-not-exist.xlsx", "not found"),
    ];
    for (f, words) in cases {
        let dir = tempfile::tempdir().unwrap();
        let o = audit_to(&fixture(f), dir.path());
        assert_eq!(o.status.code(), Some(3), "{f}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(f.rsplit('/').next().unwrap()), "{f}: {e}");
        assert!(e.contains(words), "{f}: {e}");
        assert!(!e.contains("panicked"), "{f}: {e}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{f}: no half report"
        );
    }
}

#[test]
fn bad_dates_are_listed_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let o = audit_to(&fixture("ingest/bad-dates.csv"), dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Data quality: 7 problems reading the logs"),
        "{}",
        stdout(&o)
    );
    // Each one in the workbook's Data quality sheet: file, sheet (none for a CSV), row and
    // column, under the problems table's header on the fourth row.
    let book = dir.path().join("compliance-2026-11-23.xlsx");
    use calamine::Reader as _;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let sheet = wb.worksheet_range("Data quality").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .skip(3)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "Kind",
            "Case reference",
            "Duty",
            "File",
            "Sheet",
            "Row",
            "Column",
            "Reason"
        ]
    );
    let file = fixture("ingest/bad-dates.csv").display().to_string();
    let located = |kind: &str| -> Vec<(String, String, String, String, String)> {
        rows[1..]
            .iter()
            .filter(|r| r[0] == kind)
            .map(|r| {
                assert_eq!(r[3], file, "{r:?}");
                (
                    r[1].clone(),
                    r[4].clone(),
                    r[5].clone(),
                    r[6].clone(),
                    r[7].clone(),
                )
            })
            .collect()
    };
    let at = |case: &str, row: &str, column: &str, why: &str| {
        (
            case.to_string(),
            String::new(),
            row.to_string(),
            column.to_string(),
            why.to_string(),
        )
    };
    let aware = "E (Date LA became aware)";
    let incident = "D (Date of incident)";
    let not_real = "not a real date";
    let implausible = "not plausible";
    let mut unreadable = located("unreadable value");
    for u in &mut unreadable {
        // The reason's wording may change; what it says the trouble is may not.
        u.4 = [not_real, implausible, "not a date"]
            .into_iter()
            .find(|w| u.4.contains(w))
            .unwrap_or("?")
            .to_string();
    }
    assert_eq!(
        unreadable,
        [
            at("BD-001", "2", incident, not_real),
            at("BD-001", "2", aware, not_real),
            at("BD-002", "3", incident, implausible),
            at("BD-002", "3", aware, implausible),
            at("BD-003", "4", aware, "not a date"),
            at("BD-004", "5", "J (Panel notified)", implausible),
            at("BD-005", "6", aware, not_real),
        ]
    );
    // No guess: every duty that needed an unreadable date is unknown, located at that cell.
    let mut unknown: Vec<_> = located("unknown duty")
        .into_iter()
        .map(|(case, sheet, row, column, _)| (case, sheet, row, column))
        .collect();
    unknown.dedup();
    let cell = |case: &str, row: &str, column: &str| {
        (
            case.to_string(),
            String::new(),
            row.to_string(),
            column.to_string(),
        )
    };
    assert_eq!(
        unknown,
        [
            cell("BD-001", "2", aware),
            cell("BD-002", "3", aware),
            cell("BD-003", "4", aware),
            cell("BD-004", "5", "J (Panel notified)"),
            cell("BD-005", "6", aware),
        ]
    );
}

#[test]
fn a_panicking_evaluation_worker_fails_the_audit_and_writes_nothing() {
    // Debug builds (what `cargo test` runs) panic on this case; release builds ignore it.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = bin()
        .args(["audit", "--log"])
        .arg(fixture("example/incident-log.csv"))
        .args(["--as-of", "2026-11-23", "--out"])
        .arg(&out)
        .env("SAFEGUARD_AUDIT_TEST_PANIC_CASE", "NS-2019-001")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("error: evaluating cases"), "{e}");
    assert!(e.contains("stopped unexpectedly"), "{e}");
    assert!(e.contains("nothing was written"), "{e}");
    // The panic's own text (which could hold case data) is never printed; where it was is.
    assert!(!e.contains("injected test panic"), "{e}");
    assert!(e.contains("internal error at src/"), "{e}");
    let written: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "{written:?}");
    // The same audit without the injected panic succeeds.
    let o = audit_to(&fixture("example/incident-log.csv"), &out);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_invalid_rules_overlay_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("local.toml"),
        "[[duty]]\nid = \"x\"\ntitle = \"t\"\nactor = \"LA\"\nstart = \"aware\"\n\
         deadline = { kind = \"working-days-after\", n = 1 }\ndone = \"panel_notified\"\nsource = \"s\"\n",
    )
    .unwrap();
    let log = fixture("example/incident-log.csv");
    std::fs::write(
        dir.path().join("c.toml"),
        format!(
            "rules = [\"local.toml\"]\n[[sources]]\npath = {:?}\n",
            log.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = run(&[
        "audit",
        "--config",
        dir.path().join("c.toml").to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("local.toml") && e.contains("`x`") && e.contains("start"),
        "{e}"
    );
}

#[test]
fn check_config_validates_without_running() {
    let o = run(&["check-config", "--config", "config/example.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("configuration OK"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[sources]]\npath = \"x.csv\"\n[sources.columns]\ncase_reff = \"Ref\"\n",
    )
    .unwrap();
    let o = run(&["check-config", "--config", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("bad.toml") && e.contains("case_reff"), "{e}");
}

#[test]
fn referrals_are_cross_checked_against_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--log",
        "fixtures/example/incident-log.csv",
        "--referrals",
        "fixtures/ingest/referrals.csv",
        "--as-of",
        "2026-11-23",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got: Vec<String> = sorted_lines(&dir.path().join("findings-2026-11-23.csv"))
        .into_iter()
        .filter(|l| l.starts_with("referral:"))
        .collect();
    assert_eq!(
        got,
        sorted_lines(&fixture(
            "ingest/referrals.expected-findings-2026-11-23.csv"
        ))
    );
    let s = stdout(&o);
    assert!(
        s.contains("Cases read: 72") && s.contains("Referrals cross-checked: 13"),
        "{s}"
    );
    // The referral summaries (free text, Windows-1252) never reach the output (the summary
    // itself speaks of "the partnership's duties", so look for the free text, not a word).
    let mut export = csv::ReaderBuilder::new()
        .from_path(fixture("ingest/referrals.csv"))
        .unwrap();
    let column = export
        .byte_headers()
        .unwrap()
        .iter()
        .position(|h| h == b"Summary")
        .expect("Summary column");
    for row in export.byte_records() {
        let summary = String::from_utf8_lossy(&row.unwrap()[column]).into_owned();
        for fragment in summary
            .split(['.', ';'])
            .map(str::trim)
            .filter(|f| f.len() > 12)
        {
            assert!(!s.contains(fragment), "{fragment} in {s}");
        }
    }
    assert!(
        !s.contains("partner arrested") && !s.contains("partner;"),
        "{s}"
    );
    // The incident findings are unchanged by the cross-check.
    let incident: Vec<String> = sorted_lines(&dir.path().join("findings-2026-11-23.csv"))
        .into_iter()
        .filter(|l| !l.starts_with("referral:"))
        .collect();
    assert_eq!(
        incident,
        sorted_lines(&fixture("example/expected-findings-2026-11-23.csv"))
    );
}

#[test]
fn an_xlsm_workbook_and_a_glob_of_csv_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    // A macro-enabled workbook is read like xlsx.
    let xlsm = dir.path().join("incident-log.xlsm");
    std::fs::copy(fixture("example/incident-log.xlsx"), &xlsm).unwrap();
    let out = dir.path().join("out-xlsm");
    let o = audit_to(&xlsm, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = sorted_lines(&fixture("example/expected-findings-2026-11-23.csv"));
    assert_eq!(sorted_lines(&out.join("findings-2026-11-23.csv")), want);
    // The log split over two files, matched by a glob in the configuration.
    let text = std::fs::read_to_string(fixture("example/incident-log.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(rows.len() / 2);
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    for (name, part) in [("2019-2023.csv", a), ("2024-2026.csv", b)] {
        std::fs::write(logs.join(name), format!("{header}\n{}\n", part.join("\n"))).unwrap();
    }
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[[sources]]\npath = \"logs/*.csv\"\n[report]\nout_dir = \"out-glob\"\n",
    )
    .unwrap();
    let o = run(&[
        "audit",
        "--config",
        config.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Rows: read 74 = used 72 + set aside 2 + blank 0"));
    assert_eq!(
        sorted_lines(&dir.path().join("out-glob/findings-2026-11-23.csv")),
        want
    );
}
