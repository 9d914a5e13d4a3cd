//! One row of a generated log and the text of its cells: how each date is written (UK, ISO,
//! short, with a time, an Excel serial) for the CSV, and the same style for the xlsx.

use chrono::{Datelike, NaiveDate};

use super::columns::Col;
use super::rng::Rng;
use crate::fields;

/// How a date is written: the CSV and the xlsx read the same style in their own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateStyle {
    /// CSV `03/04/2024`; xlsx a real date.
    Uk,
    /// CSV `2024-04-03`; xlsx the same as text.
    Iso,
    /// CSV `3/4/2024`; xlsx the same as text.
    UkShort,
    /// CSV `03/04/2024 14:30`; xlsx a real date and time.
    DateTime(u8, u8),
    /// CSV `45385`; xlsx the number 45385 (no date format).
    Serial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Out {
    Blank,
    Text(&'static str),
    Date(NaiveDate, DateStyle),
}

/// A row of the log, reused from row to row.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) blank: bool,
    pub(super) case_ref: String,
    pub(super) child_id: String,
    pub(super) la: &'static str,
    pub(super) team: &'static str,
    pub(super) notes: &'static str,
    pub(super) out: [Out; fields::CANONICAL_COUNT],
}

impl Row {
    pub(super) fn new() -> Row {
        Row {
            blank: false,
            case_ref: String::with_capacity(16),
            child_id: String::with_capacity(12),
            la: "",
            team: "",
            notes: "",
            out: [Out::Blank; fields::CANONICAL_COUNT],
        }
    }

    pub(super) fn clear(&mut self) {
        self.blank = false;
        self.case_ref.clear();
        self.child_id.clear();
        self.la = "";
        self.team = "";
        self.notes = "";
        self.out = [Out::Blank; fields::CANONICAL_COUNT];
    }
}

/// Most dates are written plainly; a few in other forms.
pub(super) fn date_style(rng: &mut Rng) -> DateStyle {
    match rng.below(1000) {
        0..=849 => DateStyle::Uk,
        850..=929 => DateStyle::Iso,
        930..=959 => DateStyle::UkShort,
        960..=989 => DateStyle::DateTime(rng.range(8, 18) as u8, rng.range(0, 59) as u8),
        _ => DateStyle::Serial,
    }
}

/// Excel's serial day number of a date (1900 system, dates after 1 March 1900).
pub(super) fn serial(d: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    (d - base).num_days() as f64
}

pub(super) fn push2(buf: &mut Vec<u8>, n: u32) {
    buf.push(b'0' + (n / 10 % 10) as u8);
    buf.push(b'0' + (n % 10) as u8);
}

pub(super) fn push_num(buf: &mut Vec<u8>, n: u64) {
    crate::util::decimal::push_u64(buf, n);
}

pub(super) fn push_year(buf: &mut Vec<u8>, y: i32) {
    let y = y.clamp(0, 9999) as u32;
    push2(buf, y / 100);
    push2(buf, y % 100);
}

pub(super) fn push_uk(buf: &mut Vec<u8>, d: NaiveDate) {
    push2(buf, d.day());
    buf.push(b'/');
    push2(buf, d.month());
    buf.push(b'/');
    push_year(buf, d.year());
}

pub(super) fn push_uk_short(buf: &mut Vec<u8>, d: NaiveDate) {
    push_num(buf, d.day().into());
    buf.push(b'/');
    push_num(buf, d.month().into());
    buf.push(b'/');
    push_year(buf, d.year());
}

pub(super) fn push_iso(buf: &mut Vec<u8>, d: NaiveDate) {
    push_year(buf, d.year());
    buf.push(b'-');
    push2(buf, d.month());
    buf.push(b'-');
    push2(buf, d.day());
}

/// The text of a date in a style (CSV; and the xlsx for text styles).
pub(super) fn date_text(buf: &mut Vec<u8>, d: NaiveDate, style: DateStyle) {
    match style {
        DateStyle::Uk => push_uk(buf, d),
        DateStyle::Iso => push_iso(buf, d),
        DateStyle::UkShort => push_uk_short(buf, d),
        DateStyle::DateTime(h, m) => {
            push_uk(buf, d);
            buf.push(b' ');
            push2(buf, h.into());
            buf.push(b':');
            push2(buf, m.into());
        }
        DateStyle::Serial => push_num(buf, serial(d) as u64),
    }
}

/// The bytes of one cell of a row (dates in the row's style), into `buf`.
pub(super) fn cell<'a>(buf: &'a mut Vec<u8>, row: &'a Row, col: Col) -> &'a [u8] {
    match col {
        Col::Team => row.team.as_bytes(),
        Col::Notes => row.notes.as_bytes(),
        Col::Field(0) => row.case_ref.as_bytes(),
        Col::Field(1) => row.la.as_bytes(),
        Col::Field(2) => row.child_id.as_bytes(),
        Col::Field(i) => match row.out[i] {
            Out::Blank => b"",
            Out::Text(s) => s.as_bytes(),
            Out::Date(d, style) => {
                buf.clear();
                date_text(buf, d, style);
                buf
            }
        },
    }
}
