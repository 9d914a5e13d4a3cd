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
    let mut scratch = Scratch::default();
    for f in findings {
        record(&mut w, f, case(f.case), rules, &mut scratch)?;
    }
    w.flush()?;
    Ok(())
}

/// Reused buffers for a record's dates and numbers, and the notes already worded: a note
/// with a reason depends only on the duty, the status and the reason, and a million-case
/// audit has a handful of distinct ones (wording each anew was most of this file's time).
#[derive(Default)]
struct Scratch {
    start: String,
    due: String,
    done: String,
    late: String,
    notes: std::collections::HashMap<(u16, super::Status, super::Reason), String>,
}

/// Writes one finding as a record.
fn record<W: Write>(
    w: &mut csv::Writer<W>,
    f: &Finding,
    (case_ref, la): (&str, &str),
    rules: &RuleSet,
    s: &mut Scratch,
) -> std::io::Result<()> {
    for (buf, d) in [
        (&mut s.start, f.start),
        (&mut s.due, f.due),
        (&mut s.done, f.done),
    ] {
        buf.clear();
        date(d, buf);
    }
    s.late.clear();
    if let Some(n) = f.working_days_late {
        use std::fmt::Write as _;
        let _ = write!(s.late, "{n}");
    }
    let worded;
    let note: &str = if f.reason == super::Reason::None {
        // Blank, or a relaxed period's note, which depends on the due date.
        worded = f.note(rules);
        &worded
    } else {
        s.notes
            .entry((f.duty, f.status, f.reason))
            .or_insert_with(|| f.note(rules))
    };
    let duty = rules
        .duties
        .get(f.duty as usize)
        .map(|d| d.id.as_str())
        .unwrap_or("?");
    w.write_record([
        &*neutralise(case_ref),
        duty,
        f.status.id(),
        &s.start,
        &s.due,
        &s.done,
        &s.late,
        if f.breach(rules) { "yes" } else { "no" },
        &*neutralise(la),
        &*neutralise(note),
    ])?;
    Ok(())
}

/// Where [`write_split`]'s bytes go: every file (the header), or the partnership's and one
/// authority's.
#[derive(Clone, Copy)]
enum Target {
    All,
    Whole(Option<usize>),
}

/// Routes what the CSV writer writes to the files of a split.
struct Route<'o, W: Write> {
    outs: &'o mut [W],
    bufs: Vec<Vec<u8>>,
    target: &'o std::cell::Cell<Target>,
}

impl<W: Write> Route<'_, W> {
    fn push(&mut self, i: usize, b: &[u8]) -> std::io::Result<()> {
        let buf = &mut self.bufs[i];
        buf.extend_from_slice(b);
        if buf.len() > 1 << 15 {
            self.outs[i].write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        for (out, buf) in self.outs.iter_mut().zip(&mut self.bufs) {
            out.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for Route<'_, W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self.target.get() {
            Target::All => {
                for i in 0..self.bufs.len() {
                    self.push(i, b)?;
                }
            }
            Target::Whole(k) => {
                self.push(0, b)?;
                if let Some(k) = k.filter(|&k| k > 0 && k < self.bufs.len()) {
                    self.push(k, b)?;
                }
            }
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes the findings of a partnership's report to `outs[0]` and, in the same pass, each one
/// also to `outs[k]` when `to(case)` is `Some(k)` (an authority's findings file): each record
/// is formatted once, and every file gets the header. Each file is byte for byte what
/// [`write`] would write of its findings.
pub fn write_split<'a, W: Write>(
    outs: &mut [W],
    findings: impl IntoIterator<Item = &'a Finding>,
    case: impl Fn(u32) -> (&'a str, &'a str),
    to: impl Fn(u32) -> Option<usize>,
    rules: &RuleSet,
) -> std::io::Result<()> {
    let target = std::cell::Cell::new(Target::All);
    let n = outs.len();
    let mut route = Route {
        outs,
        bufs: (0..n).map(|_| Vec::with_capacity(1 << 16)).collect(),
        target: &target,
    };
    {
        // A small buffer, flushed after each record: the record goes to its files whole.
        let mut w = csv::WriterBuilder::new()
            .buffer_capacity(1 << 10)
            .from_writer(&mut route);
        w.write_record(COLUMNS)?;
        w.flush()?;
        let mut scratch = Scratch::default();
        for f in findings {
            target.set(Target::Whole(to(f.case)));
            record(&mut w, f, case(f.case), rules, &mut scratch)?;
            w.flush()?;
        }
    }
    route.finish()
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

    #[test]
    fn split_writes_each_line_to_the_whole_and_its_part() {
        let rules = RuleSet::baseline().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23);
        let f = |case: u32, duty: u16| Finding {
            case,
            duty,
            status: crate::findings::Status::Pending,
            start: day,
            due: day,
            done: None,
            working_days_late: None,
            working_days_left: Some(3),
            reason: crate::findings::Reason::None,
        };
        let findings = [f(0, 0), f(0, 1), f(1, 0), f(2, 0), f(3, 1)];
        let refs = ["A", "B", "C", "D"];
        // Cases 0 and 2 are the first part's, 1 the second's, 3 nobody's.
        let owner = [Some(1), Some(2), Some(1), None];
        let mut outs = vec![Vec::new(); 3];
        write_split(
            &mut outs,
            &findings,
            |c| (refs[c as usize], "LA"),
            |c| owner[c as usize],
            &rules,
        )
        .unwrap();
        let mut whole = Vec::new();
        write(&mut whole, &findings, |c| (refs[c as usize], "LA"), &rules).unwrap();
        assert_eq!(outs[0], whole);
        let part = |k: usize| {
            let mut v = Vec::new();
            let mine = findings
                .iter()
                .filter(|f| owner[f.case as usize] == Some(k));
            write(&mut v, mine, |c| (refs[c as usize], "LA"), &rules).unwrap();
            v
        };
        assert_eq!(outs[1], part(1));
        assert_eq!(outs[2], part(2));
        assert!(String::from_utf8_lossy(&outs[2]).starts_with(HEADER));
    }
}
