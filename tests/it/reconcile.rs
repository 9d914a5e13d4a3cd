//! No row disappears: every data row of a log is read, and is either used in a case, set aside
//! with a problem saying why, or counted blank (rows read = used + set aside + blank), whatever
//! the log holds: duplicate case references that agree or disagree, blank rows, rows without a
//! case reference, garbage dates and categories, extra columns, quoted fields with commas and
//! newlines, title rows above the header.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proptest::prelude::*;
use safeguard_audit::cases::{self, CaseSet, ProblemKind};
use safeguard_audit::fields::{self, Schema};
use safeguard_audit::findings::Status;
use safeguard_audit::ingest::SourceSpec;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Columns of the generated logs: canonical labels and columns the reader ignores.
const COLUMNS: [&str; 11] = [
    "Case reference",
    "Notes",
    "Date LA became aware",
    "Outcome",
    "Abuse or neglect",
    "Child status",
    "Panel notified",
    "Review decision",
    "Decision date",
    "Child ID",
    "Extra column",
];

fn case_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        // A small pool, so references repeat (rows of one case), sometimes padded.
        4 => (1u8..6).prop_map(|n| format!("SV-2024-{n:03}")),
        1 => (1u8..6).prop_map(|n| format!("  SV-2024-{n:03} ")),
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
        1 => "[A-Z]{2}-[0-9]{1,4}",
    ]
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (2019i32..2027, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{d:02}/{m:02}/{y}")),
        2 => (2019i32..2027, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        // After the as-of date: a case not yet known is set aside.
        1 => Just("01/01/2027".to_string()),
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["31/02/2024", "13/13/2024", "next week", "w/c 14/03/2022", "1850-01-01", "45385", "yes", "2024", "99999999999"]).prop_map(str::to_string),
        1 => "[0-9/.\\- :T]{0,14}",
    ]
}

fn category(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(words).prop_map(str::to_string),
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["see notes", "tbc", "??", "LAC", "Y", "NFA", " Died "]).prop_map(str::to_string),
    ]
}

/// Free text with commas, quotes and newlines (never a delimiter the sniffer would prefer).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        3 => "[a-zA-Z0-9 ,\"\n\r/é£-]{0,30}",
    ]
}

#[derive(Debug, Clone)]
enum Line {
    Blank,
    /// All cells whitespace: blank too.
    Spaces,
    Data(Vec<String>),
}

fn data_row() -> impl Strategy<Value = Line> {
    (
        case_ref(),
        text(),
        date(),
        category(fields::OUTCOMES),
        category(fields::ABUSE),
        category(fields::CHILD_STATUSES),
        date(),
        category(fields::DECISIONS),
        date(),
        "C-[0-9]{3}",
        text(),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i, j, k)| {
            Line::Data(vec![a, b, c, d, e, f, g, h, i, j, k])
        })
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        1 => Just(Line::Blank),
        1 => Just(Line::Spaces),
        10 => data_row(),
    ]
}

fn title_rows() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(vec![
            "Southvale SCP serious incident log",
            "Last updated 01/11/2026",
            "",
            "Financial year 2024-25, see notes",
        ])
        .prop_map(str::to_string),
        0..4,
    )
}

#[derive(Debug, Clone)]
struct Log {
    titles: Vec<String>,
    /// Column order (indices into COLUMNS).
    order: Vec<usize>,
    lines: Vec<Line>,
}

fn log() -> impl Strategy<Value = Log> {
    (
        title_rows(),
        Just((0..COLUMNS.len()).collect::<Vec<usize>>()).prop_shuffle(),
        prop::collection::vec(line(), 0..60),
    )
        .prop_map(|(titles, order, lines)| Log {
            titles,
            order,
            lines,
        })
}

/// Writes the log as CSV; returns the row Excel shows each data row on (one row per record,
/// however many lines a quoted cell spans).
fn write(log: &Log, path: &Path) -> Vec<u32> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for t in &log.titles {
        // A title row: one cell (an empty one is written as a quoted empty field).
        w.write_record([t.as_str()]).unwrap();
    }
    w.write_record(log.order.iter().map(|&i| COLUMNS[i]))
        .unwrap();
    let mut starts = Vec::new();
    for (i, l) in log.lines.iter().enumerate() {
        starts.push((log.titles.len() + 1 + i + 1) as u32);
        match l {
            Line::Blank => w.write_record(log.order.iter().map(|_| "")).unwrap(),
            Line::Spaces => w.write_record(log.order.iter().map(|_| "  ")).unwrap(),
            Line::Data(cells) => w
                .write_record(log.order.iter().map(|&i| cells[i].as_str()))
                .unwrap(),
        }
    }
    std::fs::write(path, w.into_inner().unwrap()).unwrap();
    starts
}

fn read(path: &Path) -> CaseSet {
    let spec = SourceSpec {
        path: path.to_path_buf(),
        ..Default::default()
    };
    cases::read_sources(&Schema::canonical(), &[spec], as_of()).expect("a log with a header reads")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn no_row_disappears(log in log()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        let starts = write(&log, &path);
        let set = read(&path);
        let r = set.reconciliation;

        let blank = log.lines.iter().filter(|l| !matches!(l, Line::Data(_))).count();
        prop_assert!(r.balances(), "{}", r);
        prop_assert_eq!(r.rows_read, log.lines.len(), "{}", r);
        prop_assert_eq!(r.blank, blank, "{}", r);
        prop_assert_eq!(r.used + r.set_aside, log.lines.len() - blank, "{}", r);

        // Model: per trimmed case reference, its rows; and the rows with no case reference.
        let mut by_ref: BTreeMap<String, usize> = BTreeMap::new();
        let mut no_ref: BTreeSet<u32> = BTreeSet::new();
        for (l, start) in log.lines.iter().zip(&starts) {
            if let Line::Data(cells) = l {
                let rf = cells[0].trim();
                if rf.is_empty() {
                    no_ref.insert(*start);
                } else {
                    *by_ref.entry(rf.to_string()).or_default() += 1;
                }
            }
        }
        let set_aside: Vec<_> = set.problems.iter().filter(|p| p.kind == ProblemKind::SetAside).collect();
        let aside_rows: BTreeSet<u32> = set_aside.iter().filter(|p| p.case_ref.is_none()).map(|p| p.at.unwrap().row).collect();
        prop_assert_eq!(&aside_rows, &no_ref, "rows without a case reference are each set aside");
        let aside_refs: BTreeSet<String> = set_aside.iter().filter_map(|p| p.case_ref.clone()).collect();
        let mut in_cases: BTreeMap<String, usize> = BTreeMap::new();
        for c in &set.cases {
            prop_assert!(in_cases.insert(c.case_ref.to_string(), c.rows as usize).is_none(), "one case per reference");
            prop_assert!(!aside_refs.contains(&*c.case_ref));
        }
        let mut accounted = 0;
        for (rf, n) in &by_ref {
            match in_cases.get(rf) {
                Some(rows) => prop_assert_eq!(rows, n, "case {} has all its rows", rf),
                None => prop_assert!(aside_refs.contains(rf), "case {} is neither read nor set aside", rf),
            }
            if aside_refs.contains(rf) {
                accounted += n;
            }
        }
        prop_assert_eq!(in_cases.values().sum::<usize>(), r.used);
        prop_assert_eq!(accounted + no_ref.len(), r.set_aside);
    }
}

#[test]
fn two_sheets_merge_agreeing_rows_and_flag_the_conflicting_one() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("fixtures/ingest/two-sheets.xlsx");
    let mut config = safeguard_audit::config::Config::empty();
    config.sources.push(SourceSpec {
        path,
        ..Default::default()
    });
    let audit = safeguard_audit::pipeline::run(&config, as_of()).expect("audit");
    let set = &audit.cases;
    assert!(set.reconciliation.balances(), "{}", set.reconciliation);

    let case = |r: &str| {
        set.cases
            .iter()
            .position(|c| &*c.case_ref == r)
            .unwrap_or_else(|| panic!("{r} not read"))
    };
    // The agreeing duplicate: one case from both sheets, no conflict.
    let agree = case("SV-2024-103");
    assert_eq!(set.cases[agree].rows, 2);
    assert!(
        !set.problems.iter().any(
            |p| p.case_ref.as_deref() == Some("SV-2024-103") && p.kind == ProblemKind::Conflict
        ),
        "{:?}",
        set.problems
    );

    // The conflicting one: one Conflict problem on the awareness date, naming both sheets/rows.
    let conflict = case("SV-2024-104");
    assert_eq!(set.cases[conflict].rows, 2);
    let problems: Vec<_> = set
        .problems
        .iter()
        .filter(|p| p.case_ref.as_deref() == Some("SV-2024-104") && p.kind == ProblemKind::Conflict)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = problems[0];
    assert_eq!(p.field, Some(fields::AWARE_DATE));
    let here = set.locate(p.at, p.field, &audit.rules.schema);
    let both = format!("{here} | {}", p.message);
    assert!(both.contains("sheet `2023-24`, row 8"), "{both}");
    assert!(both.contains("sheet `2024-25`, row 3"), "{both}");
    assert!(
        p.message.contains("26/03/2024") && p.message.contains("02/04/2024"),
        "{}",
        p.message
    );

    // Its Panel duty is unknown; the agreeing case's is decided.
    let panel = audit
        .rules
        .duties
        .iter()
        .position(|d| d.id == "panel-notification")
        .unwrap() as u16;
    let status = |i: usize| {
        audit
            .findings
            .iter()
            .find(|f| f.case as usize == i && f.duty == panel)
            .unwrap()
            .status
    };
    assert_eq!(status(conflict), Status::Unknown);
    assert_ne!(status(agree), Status::Unknown);
}
