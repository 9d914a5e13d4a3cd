//! The CSV reader and the case builder over arbitrary bytes: decode (UTF-8 or Windows-1252),
//! sniff the delimiter, read, build cases, then check that no row disappeared
//! (rows read = used + set aside + blank; used rows are exactly the rows of the cases; every
//! set-aside row has a problem saying why; read in stretches on several threads it is the same)
//! and evaluate every case against the baseline duties.
#![no_main]

use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use safeguard_audit::calendar::Calendar;
use safeguard_audit::cases::{self, CaseBuilder, ProblemKind};
use safeguard_audit::ingest::{self, csv_reader, SourceSpec};
use safeguard_audit::rules::RuleSet;

struct Fixed {
    rules: RuleSet,
    calendar: Calendar,
    spec: SourceSpec,
}

fn fixed() -> &'static Fixed {
    static F: OnceLock<Fixed> = OnceLock::new();
    F.get_or_init(|| Fixed {
        rules: RuleSet::baseline().unwrap(),
        calendar: Calendar::england_and_wales(),
        spec: SourceSpec::default(),
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let schema = &f.rules.schema;
    let targets = cases::targets(schema, &f.spec);
    let text = csv_reader::decode(data);
    let delimiter = csv_reader::sniff_delimiter(&text, "csv");
    let mut builder = CaseBuilder::new(schema, std::slice::from_ref(&f.spec), as_of).unwrap();
    let read = ingest::read_csv_text(
        &text,
        delimiter,
        "fuzz.csv",
        &f.spec,
        0,
        &targets,
        &mut builder,
    );
    let set = builder.finish();
    // Read in stretches on several threads (a stretch per few bytes, from the first byte of
    // the input): the same cases, problems, row numbers and reconciliation, or the same error.
    let stretch = 1 + data.first().copied().unwrap_or(0) as usize % 64;
    let mut again = CaseBuilder::new(schema, std::slice::from_ref(&f.spec), as_of).unwrap();
    let read_again = ingest::read_csv_text_in_stretches(
        &text,
        delimiter,
        "fuzz.csv",
        0,
        &targets,
        &mut again,
        stretch,
    );
    assert_eq!(
        read_again.as_ref().map_err(|e| e.to_string()),
        read.as_ref().map_err(|e| e.to_string())
    );
    assert_eq!(format!("{:?}", again.finish()), format!("{set:?}"));
    let r = set.reconciliation;
    assert!(r.balances(), "{r}");
    if read.is_err() {
        return;
    }
    let in_cases: usize = set.cases.iter().map(|c| c.rows as usize).sum();
    assert_eq!(in_cases, r.used, "{r}");
    // Each row without a case reference has its own problem; a case not yet known on the
    // as-of date has one problem for all its rows.
    let (no_ref, cases_aside) = set
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::SetAside)
        .fold((0, 0), |(a, b), p| match p.case_ref {
            None => (a + 1, b),
            Some(_) => (a, b + 1),
        });
    assert!(no_ref + cases_aside <= r.set_aside, "{r}");
    assert_eq!(r.set_aside == 0, no_ref + cases_aside == 0, "{r}");
    let findings =
        safeguard_audit::pipeline::evaluate_all(&set, &f.rules, &f.calendar, as_of).unwrap();
    assert!(findings.len() <= set.cases.len() * f.rules.duties.len());
    assert!(findings.iter().all(|x| (x.case as usize) < set.cases.len()));
});
