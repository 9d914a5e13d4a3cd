//! A council's own log, read right or refused (issue 11): strict mapping, missing columns,
//! `inspect`, `init`, what councils really export, and no personal data in any output.

use crate::common::{bin, root, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(p: &str) -> PathBuf {
    root().join("fixtures/ingest").join(p)
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(root())
        .env_remove("SAFEGUARD_AUDIT_LOG")
        .output()
        .expect("the binary runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The council layout's hand-written mapping, pointed at the fixture from another folder and
/// edited.
fn council_config(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(fixture("council-layout.toml")).unwrap();
    let text = text.replace(
        "path = \"council-layout.xlsx\"",
        &format!("path = {:?}", s(&fixture("council-layout.xlsx"))),
    );
    let path = dir.join("council.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

/// The data rows of a findings file, sorted.
fn findings(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
    lines.sort();
    lines
}

/// Every text part of an xlsx (sheets, shared strings), concatenated.
fn xlsx_text(path: &Path) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut s = String::new();
        let _ = e.read_to_string(&mut s);
        all.push_str(&s);
    }
    all
}

/// The Data quality sheet of a workbook, one string per row.
fn data_quality(path: &Path) -> Vec<Vec<String>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range("Data quality").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn a_mistyped_mapping_is_refused_by_audit_and_check_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = council_config(dir.path(), |t| {
        t.replace("\"Notified to NP\"", "\"Notified to CSPRP\"")
    });
    let out = dir.path().join("out");
    for args in [
        vec![
            "audit",
            "--config",
            s(&config),
            "--as-of",
            "2026-11-23",
            "--out",
            s(&out),
        ],
        vec!["check-config", "--config", s(&config)],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("council-layout.xlsx, sheet `Log`")
                && e.contains("`panel_notified`")
                && e.contains("`Notified to CSPRP`")
                && e.contains("Closest headers: `Notified to NP`"),
            "{e}"
        );
        assert!(!stdout(&o).contains("configuration OK"));
    }
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_log_missing_a_column_is_refused_unless_absent_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("missing-ofsted.csv");
    let refused = dir.path().join("refused.toml");
    std::fs::write(&refused, format!("[[sources]]\npath = {:?}\n", s(&log))).unwrap();
    let out = dir.path().join("out");
    for args in [
        vec![
            "audit",
            "--config",
            s(&refused),
            "--as-of",
            "2026-11-23",
            "--out",
            s(&out),
        ],
        vec![
            "check-config",
            "--config",
            s(&refused),
            "--as-of",
            "2026-11-23",
        ],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("missing-ofsted.csv has no column for `Ofsted notified` (ofsted_notified)")
                && e.contains("lac-death-ofsted")
                && e.contains("absent = [\"ofsted_notified\"]"),
            "{e}"
        );
    }
    assert!(!out.exists());

    let declared = dir.path().join("declared.toml");
    std::fs::write(
        &declared,
        format!(
            "[[sources]]\npath = {:?}\nabsent = [\"ofsted_notified\"]\n",
            s(&log)
        ),
    )
    .unwrap();
    let told = "no `Ofsted notified` column in";
    let cost = "lac-death-ofsted is unknown for 3 cases";
    let o = run(&[
        "audit",
        "--config",
        s(&declared),
        "--as-of",
        "2026-11-23",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(told) && stdout(&o).contains(cost),
        "{}",
        stdout(&o)
    );
    let f = findings(&out.join("findings-2026-11-23.csv"));
    let ofsted: Vec<&String> = f
        .iter()
        .filter(|l| l.contains(",lac-death-ofsted,"))
        .collect();
    assert_eq!(ofsted.len(), 4);
    // A looked-after child's death with no column to say whether Ofsted was told: unknown,
    // never overdue (a blank cell would have said "not done").
    assert_eq!(ofsted.iter().filter(|l| l.contains(",unknown,")).count(), 3);
    assert!(ofsted.iter().all(|l| !l.contains(",overdue,")));
    let o = run(&[
        "check-config",
        "--config",
        s(&declared),
        "--as-of",
        "2026-11-23",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(cost) && stdout(&o).contains("configuration OK"));

    // On the command line, without a configuration: told, not refused.
    let o = run(&[
        "audit",
        "--log",
        s(&log),
        "--as-of",
        "2026-11-23",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(told) && stdout(&o).contains(cost),
        "{}",
        stdout(&o)
    );
}

/// A snapshot (insta): the whole report is the product here (columns, fields, values, counts),
/// and a reviewed snapshot catches any change to it where a handful of asserts would not.
#[test]
fn inspect_shows_how_a_council_layout_is_read() {
    let o = run(&["inspect", "fixtures/ingest/council-layout.xlsx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // Personal columns are listed by header only; no cell of them is shown.
    assert!(
        !text.contains("Child A") && !text.contains("999 "),
        "{text}"
    );
    insta::assert_snapshot!("inspect_council_layout", text);
    let o = run(&[
        "inspect",
        "fixtures/ingest/council-layout.xlsx",
        "--config",
        "fixtures/ingest/council-layout.toml",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("case_ref (configured)"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("cannot read"), "{}", stdout(&o));
}

#[test]
fn inspect_write_config_then_audit_gives_the_hand_written_mappings_findings() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("written.toml");
    let o = run(&[
        "inspect",
        "fixtures/ingest/council-layout.xlsx",
        "--write-config",
        s(&written),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(
        text.contains("\"Susp\" = \"suspected\"   # guessed"),
        "{text}"
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let o = run(&[
        "check-config",
        "--config",
        s(&written),
        "--as-of",
        "2026-11-23",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "audit",
        "--config",
        s(&written),
        "--as-of",
        "2026-11-23",
        "--out",
        s(&a),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "audit",
        "--config",
        "fixtures/ingest/council-layout.toml",
        "--as-of",
        "2026-11-23",
        "--out",
        s(&b),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        findings(&a.join("findings-2026-11-23.csv")),
        findings(&b.join("findings-2026-11-23.csv"))
    );
}

#[test]
fn init_then_a_template_filled_with_openpyxl_audits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let kit = dir.path().join("kit");
    let o = run(&["init", s(&kit)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let config = kit.join("safeguard-audit.toml");
    let template = kit.join("incident-log.xlsx");
    // Never overwrites.
    let o = run(&["init", s(&kit)]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    // Every column is one the default reader recognises.
    let o = run(&["check-config", "--config", s(&config)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("header row 1, 23 of 23 fields found"),
        "{}",
        stdout(&o)
    );
    let o = run(&["inspect", s(&template)]);
    assert!(
        stdout(&o).contains("Sheets: `Log`, `Instructions`"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("(not read"), "{}", stdout(&o));
    // Filled in as a person (or a script) would: real dates, words from the drop-downs.
    let script = r#"
import sys, datetime, openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path)
ws = wb["Log"]
assert ws.freeze_panes == "A2", ws.freeze_panes
assert len(ws.data_validations.dataValidation) == 5
header = [c.value for c in ws[1]]
d = datetime.datetime
rows = [
    {"Case reference": "NS-2026-001", "Local authority": "Northshire", "Child ID": "C-1",
     "Date of incident": d(2026, 11, 2), "Date LA became aware": d(2026, 11, 3),
     "Outcome": "seriously harmed", "Abuse or neglect": "suspected", "Child status": "child in need",
     "Panel notified": d(2026, 11, 6), "Partners notified": d(2026, 11, 6)},
    {"Case reference": "NS-2026-002", "Local authority": "Northshire", "Child ID": "C-2",
     "Date of incident": d(2026, 10, 1), "Date LA became aware": d(2026, 10, 1),
     "Outcome": "died", "Abuse or neglect": "not suspected", "Child status": "looked after",
     "Incident location": "in area", "Ofsted notified": d(2026, 10, 5),
     "Secretary of State notified": d(2026, 10, 5)},
]
for r in rows:
    ws.append([r.get(h) for h in header])
wb.save(path)
"#;
    let py = std::process::Command::new("python3")
        .args(["-c", script, s(&template)])
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let out = dir.path().join("out");
    let o = run(&[
        "audit",
        "--config",
        s(&config),
        "--as-of",
        "2026-11-23",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Cases read: 2"), "{text}");
    assert!(!text.contains("Data quality:"), "{text}");
    assert!(!text.contains("Missing column"), "{text}");
    assert!(text.contains("unknown 0"), "{text}");
    let f = findings(&out.join("findings-2026-11-23.csv"));
    assert!(
        f.iter().any(|l| l
            .starts_with("NS-2026-001,panel-notification,met,2026-11-03,2026-11-10,2026-11-06")),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|l| l.starts_with("NS-2026-002,lac-death-ofsted,met,")),
        "{f:?}"
    );
}

#[test]
fn utf16_csv_with_and_without_a_bom_reads_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = Vec::new();
    for f in ["utf16-bom.csv", "utf16-nobom.csv", "log [2024].csv"] {
        let out = dir.path().join(f);
        let o = run(&[
            "audit",
            "--log",
            s(&fixture(f)),
            "--as-of",
            "2026-11-23",
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        assert!(stdout(&o).contains("Cases read: 3"), "{f}: {}", stdout(&o));
        assert!(!stdout(&o).contains("Data quality:"), "{f}: {}", stdout(&o));
        all.push(findings(&out.join("findings-2026-11-23.csv")));
    }
    assert_eq!(all[0], all[2]);
    assert_eq!(all[1], all[2]);
}

#[test]
fn row_numbers_are_the_rows_excel_shows() {
    // Title row, blank rows, CRLF, and a cell over three lines (Excel row 7).
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("crlf-blank-multiline.csv");
    let o = run(&[
        "audit",
        "--log",
        s(&log),
        "--as-of",
        "2026-11-23",
        "--out",
        s(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dq = data_quality(&dir.path().join("compliance-2026-11-23.xlsx"));
    let bad: Vec<&Vec<String>> = dq
        .iter()
        .filter(|r| r.first().is_some_and(|k| k == "unreadable value"))
        .collect();
    assert_eq!(bad.len(), 1, "{dq:?}");
    assert_eq!(bad[0][1], "EX-2026-004");
    assert_eq!(bad[0][5], "10", "{:?}", bad[0]);
    assert_eq!(bad[0][6], "J (Panel notified)");
    for (case, row) in [
        ("EX-2026-001", 4),
        ("EX-2026-002", 7),
        ("EX-2026-003", 8),
        ("EX-2026-004", 10),
    ] {
        let o = run(&["explain", "--log", s(&log), "--as-of", "2026-11-23", case]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains(&format!("crlf-blank-multiline.csv, row {row} (1 row)")),
            "{case}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn hidden_sheets_are_never_audited_silently() {
    let dir = tempfile::tempdir().unwrap();
    let book = fixture("hidden-sheet.xlsx");
    let o = run(&[
        "audit",
        "--log",
        s(&book),
        "--as-of",
        "2026-11-23",
        "--out",
        s(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Cases read: 1"), "{text}");
    assert!(
        text.contains("sheet `Old log` is hidden in the workbook and was not read"),
        "{text}"
    );
    assert!(
        text.contains("sheet `Lookup` is very hidden in the workbook and was not read"),
        "{text}"
    );
    let f = findings(&dir.path().join("findings-2026-11-23.csv"));
    assert!(f.iter().all(|l| l.starts_with("EX-2026-001,")));
    let o = run(&["inspect", s(&book)]);
    assert!(
        stdout(&o).contains("Sheets: `Log`, `Old log` (hidden), `Lookup` (very hidden)"),
        "{}",
        stdout(&o)
    );
    // Named in the configuration: read, and said so.
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!("[[sources]]\npath = {:?}\nsheet = \"Old log\"\n", s(&book)),
    )
    .unwrap();
    let o = run(&[
        "audit",
        "--config",
        s(&config),
        "--as-of",
        "2026-11-23",
        "--out",
        s(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "sheet `Old log` is hidden in the workbook; read because the configuration names it"
        ),
        "{}",
        stdout(&o)
    );
    let f = findings(&dir.path().join("findings-2026-11-23.csv"));
    assert!(f.iter().all(|l| l.starts_with("OLD-2020-001,")), "{f:?}");
}

#[test]
fn a_second_header_row_is_a_header_not_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "audit",
        "--log",
        s(&fixture("two-headers.csv")),
        "--as-of",
        "2026-11-23",
        "--out",
        s(dir.path()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Cases read: 4"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("two-headers.csv, row 5: the header row again"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("Data quality:"), "{}", stdout(&o));
    let f = findings(&dir.path().join("findings-2026-11-23.csv"));
    assert!(f
        .iter()
        .all(|l| !l.to_lowercase().starts_with("case reference")));
    // The pasted log's columns are in another order: its case reads the same as the others.
    assert!(
        f.iter()
            .any(|l| l.starts_with("EX-2026-004,panel-notification,met,2026-11-02")),
        "{f:?}"
    );
}

#[test]
fn a_path_with_brackets_is_a_file_and_an_unreadable_glob_match_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // In a configuration as on the command line.
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!("[[sources]]\npath = {:?}\n", s(&fixture("log [2024].csv"))),
    )
    .unwrap();
    let o = run(&["check-config", "--config", s(&config)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 file for"), "{}", stdout(&o));
    // A glob matching a file that cannot be read (a dangling link) is an error, not skipped.
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::copy(fixture("utf16-bom.csv"), logs.join("a.csv")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(logs.join("gone.csv"), logs.join("b.csv")).unwrap();
    let o = run(&[
        "audit",
        "--log",
        &format!("{}/*.csv", s(&logs)),
        "--as-of",
        "2026-11-23",
        "--out",
        s(&dir.path().join("o")),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("b.csv") && stderr(&o).contains("cannot be read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_nhs_number_in_a_date_cell_never_appears_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("nhs-in-date.csv");
    let text = std::fs::read_to_string(&log).unwrap();
    let nhs = text
        .split([',', '\n'])
        .find(|c| c.len() == 10 && c.bytes().all(|b| b.is_ascii_digit()))
        .expect("the fixture has an NHS number")
        .to_string();
    // Also as Excel would show it (999 000 0123) and in pieces.
    let spaced = format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]);
    let out = dir.path().join("out");
    let o = run(&[
        "audit",
        "--log",
        s(&log),
        "--as-of",
        "2026-11-23",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut outputs = vec![stdout(&o), stderr(&o)];
    outputs.push(std::fs::read_to_string(out.join("findings-2026-11-23.csv")).unwrap());
    outputs.push(xlsx_text(&out.join("compliance-2026-11-23.xlsx")));
    for case in ["EX-2026-005", "EX-2026-006"] {
        let o = run(&["explain", "--log", s(&log), "--as-of", "2026-11-23", case]);
        assert!(o.status.success(), "{}", stderr(&o));
        outputs.push(stdout(&o));
        outputs.push(stderr(&o));
    }
    let o = run(&["inspect", s(&log)]);
    outputs.push(stdout(&o));
    for text in &outputs {
        assert!(!text.contains(&nhs) && !text.contains(&spaced), "{text}");
    }
    // The cell is described instead.
    let dq = data_quality(&out.join("compliance-2026-11-23.xlsx"));
    assert!(
        dq.iter().any(|r| r
            .iter()
            .any(|c| c.contains("Ofsted notified: a number of 10 digits, not a date"))),
        "{dq:?}"
    );
    assert!(
        dq.iter()
            .any(|r| r.iter().any(|c| c
                .contains("Child status: a number of 10 digits, not one of the accepted words"))),
        "{dq:?}"
    );
}

/// A log big enough to be read on every core (6 MB) gives the cases, problems, row numbers
/// and reconciliation of reading it row by row in order.
#[test]
fn a_big_csv_read_on_every_core_is_the_same_as_read_in_order() {
    use safeguard_audit::{cases, fields::Schema, generate, ingest};
    let dir = tempfile::tempdir().unwrap();
    let written = generate::write_files(
        &generate::Options::new(30_000, 5),
        dir.path(),
        generate::Format::Csv,
    )
    .unwrap();
    let log = &written[0].0;
    assert!(std::fs::metadata(log).unwrap().len() > 5 << 20);
    let schema = Schema::canonical();
    let spec = ingest::SourceSpec {
        path: log.clone(),
        ..Default::default()
    };
    let as_of = generate::default_as_of();
    let parallel = cases::read_sources(&schema, std::slice::from_ref(&spec), as_of).unwrap();
    let mut b = cases::CaseBuilder::new(&schema, std::slice::from_ref(&spec), as_of).unwrap();
    let targets = cases::targets(&schema, &spec);
    ingest::read_file(log, &spec, 0, &targets, &mut b).unwrap();
    let in_order = b.finish();
    assert!(parallel.reconciliation.rows_read > 30_000 && !parallel.problems.is_empty());
    assert_eq!(format!("{parallel:?}"), format!("{in_order:?}"));
}
