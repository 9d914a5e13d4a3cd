//! Unit tests of the generator: determinism, the row counts, tiny logs, every date style,
//! and the labels against the schema.

use chrono::NaiveDate;

use super::columns::CANONICAL_LABELS;
use super::row::{date_text, DateStyle};
use super::{header, write_csv, Options};

#[test]
fn labels_are_the_schema_labels() {
    let schema = crate::fields::Schema::canonical();
    for id in schema.ids() {
        assert_eq!(CANONICAL_LABELS[id.index()], schema.label(id));
    }
    assert_eq!(header().len(), 25);
    assert_eq!(header()[2], "Team");
    assert_eq!(header()[24], "Notes");
}

#[test]
fn same_seed_same_log_other_seed_other_log() {
    let gen = |seed| {
        let mut v = Vec::new();
        write_csv(&Options::new(500, seed), &mut v).unwrap();
        v
    };
    assert_eq!(gen(7), gen(7));
    assert_ne!(gen(7), gen(8));
}

#[test]
fn rows_and_cases_add_up() {
    let mut v = Vec::new();
    let s = write_csv(&Options::new(3000, 1), &mut v).unwrap();
    assert_eq!(s.cases, 3000);
    assert_eq!(s.rows, s.cases + s.update_rows + s.blank_rows);
    assert!(s.blank_rows > 0 && s.update_rows > 0, "{s:?}");
    let text = String::from_utf8(v).unwrap();
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    assert_eq!(r.records().count() as u64, s.rows);
}

#[test]
fn tiny_logs_work() {
    for n in 0..5 {
        let mut v = Vec::new();
        let s = write_csv(&Options::new(n, 3), &mut v).unwrap();
        assert_eq!(s.cases, n);
    }
}

#[test]
fn dates_are_written_in_every_style() {
    let d = NaiveDate::from_ymd_opt(2024, 4, 3).unwrap();
    let t = |s| {
        let mut b = Vec::new();
        date_text(&mut b, d, s);
        String::from_utf8(b).unwrap()
    };
    assert_eq!(t(DateStyle::Uk), "03/04/2024");
    assert_eq!(t(DateStyle::Iso), "2024-04-03");
    assert_eq!(t(DateStyle::UkShort), "3/4/2024");
    assert_eq!(t(DateStyle::DateTime(9, 5)), "03/04/2024 09:05");
    assert_eq!(t(DateStyle::Serial), "45385");
}
