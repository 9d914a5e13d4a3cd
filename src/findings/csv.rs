//! The findings file: `findings-<as-of>.csv`, one row per case and duty, exactly as DOMAIN.md
//! defines it (`case_ref,duty,status,start,due,done,working_days_late,breach,local_authority,note`),
//! written with the `csv` crate (quoting) and with text a spreadsheet would run as a formula
//! neutralised.

use std::borrow::Cow;
use std::io::Write;

use chrono::NaiveDate;

use super::Finding;
use crate::rules::RuleSet;

/// The header row's columns.
pub const COLUMNS: [&str; 10] = [
    "case_ref",
    "duty",
    "status",
    "start",
    "due",
    "done",
    "working_days_late",
    "breach",
    "local_authority",
    "note",
];

/// The header row.
pub const HEADER: &str =
    "case_ref,duty,status,start,due,done,working_days_late,breach,local_authority,note";

/// `YYYY-MM-DD`, written digit by digit: this runs for every date of every finding, and
/// chrono's general formatter is several times slower.
fn date(d: Option<NaiveDate>, buf: &mut String) {
    use chrono::Datelike;
    let Some(d) = d else {
        return;
    };
    let y = d.year();
    if !(0..=9999).contains(&y) {
        buf.push_str(&d.format("%Y-%m-%d").to_string());
        return;
    }
    let digit = |n: u32| char::from(b'0' + n as u8);
    let y = y as u32;
    for n in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
        buf.push(digit(n));
    }
    buf.push('-');
    buf.push(digit(d.month() / 10));
    buf.push(digit(d.month() % 10));
    buf.push('-');
    buf.push(digit(d.day() / 10));
    buf.push(digit(d.day() % 10));
}

/// Text a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading apostrophe, so that it is shown as text and never runs.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Writes findings; `case` gives each finding's case reference and local authority.
pub fn write<'a, W: Write + ?Sized>(
    out: &mut W,
    findings: impl IntoIterator<Item = &'a Finding>,
    case: impl Fn(u32) -> (&'a str, &'a str),
    rules: &RuleSet,
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(out);
    w.write_record(COLUMNS)?;
    let (mut start, mut due, mut done, mut late) =
        (String::new(), String::new(), String::new(), String::new());
    for f in findings {
        let (case_ref, la) = case(f.case);
        for (s, d) in [
            (&mut start, f.start),
            (&mut due, f.due),
            (&mut done, f.done),
        ] {
            s.clear();
            date(d, s);
        }
        late.clear();
        if let Some(n) = f.working_days_late {
            use std::fmt::Write as _;
            let _ = write!(late, "{n}");
        }
        let note = f.note(rules);
        let duty = rules
            .duties
            .get(f.duty as usize)
            .map(|d| d.id.as_str())
            .unwrap_or("?");
        w.write_record([
            &*neutralise(case_ref),
            duty,
            f.status.id(),
            &start,
            &due,
            &done,
            &late,
            if f.breach(rules) { "yes" } else { "no" },
            &*neutralise(la),
            &*neutralise(&note),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso() {
        for (y, m, d) in [(2026, 11, 23), (1999, 1, 5), (2024, 2, 29), (1970, 12, 31)] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut buf = String::new();
            date(Some(day), &mut buf);
            assert_eq!(buf, day.format("%Y-%m-%d").to_string());
        }
        let mut buf = String::new();
        date(None, &mut buf);
        assert_eq!(buf, "");
    }

    #[test]
    fn header_is_domains() {
        assert_eq!(COLUMNS.join(","), HEADER);
    }

    #[test]
    fn formulas_cannot_run_and_quoting_is_csv() {
        for (text, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+44", "'+44"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("DUD-2024-007", "DUD-2024-007"),
            ("", ""),
        ] {
            assert_eq!(neutralise(text), want);
        }
        let rules = RuleSet::baseline().unwrap();
        let f = super::super::blank(
            0,
            0,
            super::super::Status::Unknown,
            super::super::Reason::Blank(crate::fields::OUTCOME),
        );
        let mut out = Vec::new();
        write(&mut out, [&f], |_| ("=1+1,\"a\"", "Hartlepool, BC"), &rules).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "'=1+1,\"a\"");
        assert_eq!(&row[7], "no");
        assert_eq!(&row[8], "Hartlepool, BC");
        assert_eq!(&row[9], "Outcome is blank");
    }
}
