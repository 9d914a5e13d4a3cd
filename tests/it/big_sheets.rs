//! The big sheets (Action required, Breaches, Cases) written directly as XML hold exactly what
//! rust_xlsxwriter writes for them: the same workbook written both ways is compared row for row
//! as XML, cell for cell as calamine reads it, and format for format with
//! `tools/same_workbook.py` (openpyxl; required under CI).

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Reader};
use chrono::NaiveDate;
use safeguard_audit::config::Config;
use safeguard_audit::ingest::SourceSpec;
use safeguard_audit::pipeline;
use safeguard_audit::report::digest::Digest;
use safeguard_audit::report::workbook::{self, Layout};

use crate::common::{bin, root};

/// Cells that need escaping, or that look like escapes, formulas or padding.
const AWKWARD: &[&str] = &[
    "AW-2026-0001,Northshire & <Co>,C-_x0041_,2026-10-01,2026-10-02,died,known,child in need,in area,,,,,,,,,,,,,",
    "\" AW-2026-0002\",\"North\u{1}shire\",\"C-2\t\",2026-10-01,2026-10-02,seriously harmed,suspected,looked after,in area,2026-10-05,,,,,,,,,,,,",
    "=SUM(A1),Southshire\u{FFFE},\"C-3, \"\"quoted\"\"\",2025-01-03,2025-01-06,died,suspected,looked after,in area,2025-01-20,2025-01-08,2025-01-31,2025-01-10,2025-02-05,2025-03-20,local review,2025-02-10,2025-02-12,A Reviewer,2025-07-25,2025-08-01",
];

/// The columns of the awkward rows (the generator's, in its order, less the last ones).
const HEADER: &str = "Case reference,Local authority,Child ID,Date of incident,Date LA became aware,Outcome,Abuse or neglect,Child status,Incident location,Panel notified,Partners notified,Ofsted notified,Secretary of State notified,Rapid review sent to Panel,Panel response received,Review decision,Decision date,\"Decision notified (Panel, Ofsted, DfE)\",Reviewer,Final report sent to Panel and SoS,Report published";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
}

fn entry(book: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(book).expect("open")).expect("zip");
    let mut text = String::new();
    zip.by_name(name)
        .expect("entry")
        .read_to_string(&mut text)
        .expect("read");
    text
}

/// A sheet's rows from `first` (its first data row, `<row r="N"`) to the end of its data,
/// and its `<dimension>`.
fn rows_of(xml: &str, first: u32) -> (&str, &str) {
    let from = xml
        .find(&format!("<row r=\"{first}\""))
        .expect("first data row");
    let to = xml.find("</sheetData>").expect("end of data");
    let d = xml.find("<dimension").expect("dimension");
    let d_end = d + xml[d..].find("/>").expect("dimension ends");
    (&xml[from..to], &xml[d..d_end])
}

/// A generated log of `cases` cases in `dir`, by the real binary.
fn generated(dir: &Path, cases: usize, seed: u64) -> PathBuf {
    let o = bin()
        .args([
            "generate",
            "--cases",
            &cases.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .arg("--out")
        .arg(dir)
        .current_dir(root())
        .output()
        .expect("generate");
    assert!(o.status.success(), "{o:?}");
    dir.join(format!("synthetic-{cases}.csv"))
}

/// The audit of `logs` as of 23/11/2026, and its digest.
fn audit_of(logs: &[PathBuf]) -> (pipeline::Audit, Digest) {
    let mut config = Config::empty();
    for path in logs {
        config.sources.push(SourceSpec {
            path: path.clone(),
            ..Default::default()
        });
    }
    let audit = pipeline::run(&config, as_of()).expect("audit runs");
    let digest = Digest::of(&audit);
    (audit, digest)
}

#[test]
fn big_sheets_written_directly_are_the_sheets_rust_xlsxwriter_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = generated(dir.path(), 600, 11);
    // Without wrapped text (a big list's) and with it (a smaller list's: rows as tall as
    // their duty's title needs; those lists are in-memory sheets, whose text is shared strings).
    // openpyxl reads an inline string's `_x005F_` escape literally (Excel and calamine do
    // not), so the wrapped run's awkward reference has no `_xHHHH_` in it.
    for wrap_rows in [0, usize::MAX] {
        let awkward: Vec<String> = AWKWARD
            .iter()
            .map(|r| match wrap_rows {
                0 => r.to_string(),
                _ => r.replace("_x0041_", "_y0041_"),
            })
            .collect();
        let path = dir.path().join(format!("awkward-{wrap_rows}.csv"));
        std::fs::write(&path, format!("{HEADER}\n{}\n", awkward.join("\n"))).expect("write");
        let (audit, digest) = audit_of(&[log.clone(), path]);
        assert!(digest.action.len() > 20 && digest.breaches.len() > 20);
        compare(dir.path(), &audit, &digest, wrap_rows);
    }
}

fn compare(dir: &Path, audit: &pipeline::Audit, digest: &Digest, wrap_rows: usize) {
    let classic = dir.join(format!("classic-{wrap_rows}/compliance.xlsx"));
    let direct = dir.join(format!("direct-{wrap_rows}/compliance.xlsx"));
    for (path, direct_rows) in [(&classic, usize::MAX), (&direct, 0)] {
        let layout = Layout {
            wrap_rows,
            direct_rows,
        };
        workbook::write_laid_out(audit, digest, path, false, layout).expect("written");
    }
    // The header row is taller; so are data rows whose text wraps onto several lines.
    let tall = entry(&direct, "xl/worksheets/sheet2.xml")
        .matches("customHeight=\"1\"><c r=\"A")
        .count();
    assert_eq!(
        tall > 1,
        wrap_rows > 0,
        "rows as tall as their text when it wraps"
    );

    for book in [&classic, &direct] {
        rows_ascend(book);
    }
    // Row for row, the same XML as a constant-memory sheet's (the header rows differ only in
    // how their text is stored). Wrapped lists are in-memory sheets (shared strings), so they
    // are compared cell by cell below.
    let sheets: &[(u32, u32)] = if wrap_rows == 0 {
        &[(2, 2), (3, 2), (4, 3)]
    } else {
        &[(4, 3)]
    };
    for &(sheet, first) in sheets {
        let name = format!("xl/worksheets/sheet{sheet}.xml");
        let (a, b) = (entry(&classic, &name), entry(&direct, &name));
        let ((rows_a, dim_a), (rows_b, dim_b)) = (rows_of(&a, first), rows_of(&b, first));
        assert_eq!(dim_a, dim_b, "{name}");
        assert!(
            rows_a.len() > 10_000,
            "{name}: {} bytes of rows",
            rows_a.len()
        );
        assert!(rows_a == rows_b, "{name}: the rows differ");
    }
    // The awkward text reached the Cases sheet, escaped.
    let cases = entry(&direct, "xl/worksheets/sheet4.xml");
    let escaped = if wrap_rows == 0 {
        "C-_x005F_x0041_"
    } else {
        "C-_y0041_"
    };
    for s in ["Northshire &amp; &lt;Co&gt;", escaped, "North_x0001_shire"] {
        assert!(cases.contains(s), "{s} not in the Cases sheet");
    }

    // Cell for cell, as a reader sees them.
    let mut a = open_workbook_auto(&classic).expect("opens");
    let mut b = open_workbook_auto(&direct).expect("opens");
    assert_eq!(a.sheet_names(), b.sheet_names());
    for name in a.sheet_names() {
        let (ra, rb) = (
            a.worksheet_range(&name).expect("sheet"),
            b.worksheet_range(&name).expect("sheet"),
        );
        assert_eq!(ra.get_size(), rb.get_size(), "{name}");
        assert!(ra == rb, "{name}: the cells differ");
    }

    // Format for format (and widths, filters, tables, frozen panes).
    let script = root().join("tools/same_workbook.py");
    match std::process::Command::new("python3")
        .arg(&script)
        .arg(&classic)
        .arg(&direct)
        .output()
    {
        Ok(o) if o.status.success() => {}
        Ok(o)
            if String::from_utf8_lossy(&o.stderr).contains("No module named 'openpyxl'")
                && std::env::var_os("CI").is_none() =>
        {
            eprintln!("skipped the format comparison: openpyxl is not installed (CI installs it)");
        }
        Ok(o) => panic!(
            "the workbooks differ:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped the format comparison: no python3 ({e})");
        }
        Err(e) => panic!("python3 is needed under CI: {e}"),
    }
}

/// Every sheet's rows are numbered in ascending order, each once (Excel's schema; Excel offers
/// to repair a workbook whose rows repeat).
pub fn rows_ascend(book: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(book).expect("open")).expect("zip");
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n.starts_with("xl/worksheets/sheet") && n.ends_with(".xml"))
        .collect();
    assert!(!names.is_empty());
    for name in names {
        let mut xml = String::new();
        zip.by_name(&name)
            .expect("sheet")
            .read_to_string(&mut xml)
            .expect("read");
        let rows: Vec<u32> = xml
            .match_indices("<row r=\"")
            .filter_map(|(i, m)| {
                let rest = &xml[i + m.len()..];
                rest[..rest.find('"')?].parse().ok()
            })
            .collect();
        for w in rows.windows(2) {
            assert!(
                w[0] < w[1],
                "{}: {name}: row {} after row {}",
                book.display(),
                w[1],
                w[0]
            );
        }
    }
}

#[test]
fn a_weekly_workbook_numbers_its_rows_once_each() {
    // A few hundred cases: every sheet written by rust_xlsxwriter, lists wrapping their text.
    let dir = tempfile::tempdir().expect("temp dir");
    let (audit, digest) = audit_of(&[generated(dir.path(), 400, 3)]);
    assert!(digest.action.len() > 20, "the lists have rows");
    let book = workbook::path(&dir.path().join("out"), as_of());
    workbook::write(&audit, &digest, &book).expect("written");
    rows_ascend(&book);
}

#[test]
fn a_large_log_writes_its_big_sheets_directly_and_they_read_back() {
    // Above the threshold the default layout writes directly: the workbook opens, and its
    // Cases sheet has a row per case.
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = workbook::DIRECT_ROWS + 500;
    let (audit, digest) = audit_of(&[generated(dir.path(), cases, 5)]);
    let book = workbook::path(&dir.path().join("out"), as_of());
    workbook::write(&audit, &digest, &book).expect("written");
    let xml = entry(&book, "xl/worksheets/sheet4.xml");
    for r in 1..=3 {
        assert_eq!(
            xml.matches(&format!("<row r=\"{r}\"")).count(),
            1,
            "row {r} once"
        );
    }
    let mut wb = open_workbook_auto(&book).expect("opens");
    let range = wb.worksheet_range("Cases").expect("Cases");
    assert_eq!(range.height(), audit.cases.cases.len() + 2);
    let names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["compliance-2026-11-23.xlsx".to_string()],
        "no temporary files left"
    );
}
