//! The findings file: `findings-<as-of>.csv`, one row per case and duty, exactly as DOMAIN.md
//! defines it (`case_ref,duty,status,start,due,done,working_days_late,breach,local_authority,note`),
//! quoted as the `csv` crate quotes (a field with a comma, quote or line break is quoted, its
//! quotes doubled), with text a spreadsheet would run as a formula neutralised. Records are
//! formatted by hand, on every core for a whole audit: this file is the biggest output.

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
    let mut buf = Vec::with_capacity(1 << 16);
    buf.extend_from_slice(HEADER.as_bytes());
    buf.push(b'\n');
    let mut scratch = Scratch::default();
    for f in findings {
        record(&mut buf, f, case(f.case), rules, &mut scratch);
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// Findings formatted per chunk of this many, the chunks on every core.
const CHUNK: usize = 1 << 13;

/// As [`write`](fn@write) for a slice, the records formatted on every core (in chunks, written in
/// order): the same bytes. [`write_split`] to one file.
pub fn write_par<'a, W: Write + ?Sized>(
    out: &mut W,
    findings: &'a [Finding],
    case: impl Fn(u32) -> (&'a str, &'a str) + Sync,
    rules: &RuleSet,
) -> std::io::Result<()> {
    write_split(&mut [out], findings, case, |_| None, rules)
}

/// Formats `findings` in chunks on every core; `put(k, bytes)` gets, in order and on this
/// thread (while the others format the next chunks), each chunk's records for the whole (`k`
/// 0) and for each part `k` (those `to` sends to `k`, of `parts`).
fn in_chunks<'a>(
    findings: &'a [Finding],
    parts: usize,
    case: &(dyn Fn(u32) -> (&'a str, &'a str) + Sync),
    to: &(dyn Fn(u32) -> Option<usize> + Sync),
    rules: &RuleSet,
    mut put: impl FnMut(usize, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let threads = crate::util::par::threads();
    let format = |chunk: &[Finding]| -> Vec<Vec<u8>> {
        let mut bufs: Vec<Vec<u8>> = (0..parts).map(|_| Vec::new()).collect();
        bufs[0].reserve(chunk.len() * 144);
        let mut scratch = Scratch::default();
        for f in chunk {
            let at = bufs[0].len();
            record(&mut bufs[0], f, case(f.case), rules, &mut scratch);
            if let Some(k) = to(f.case).filter(|&k| k > 0 && k < parts) {
                let (whole, rest) = bufs.split_at_mut(1);
                rest[k - 1].extend_from_slice(&whole[0][at..]);
            }
        }
        bufs
    };
    // Written in order on this thread while the other cores format the next chunks.
    let chunks: Vec<&[Finding]> = findings.chunks(CHUNK).collect();
    crate::util::par::ordered(
        chunks.len(),
        threads * 2,
        |i| format(chunks[i]),
        |_, bufs| {
            for (k, b) in bufs.iter().enumerate() {
                if !b.is_empty() {
                    put(k, b)?;
                }
            }
            Ok(())
        },
    )
}

/// Reused buffers for a record's dates, and the notes already worded (quoted and neutralised
/// as the file has them): a note with a reason depends only on the duty, the status and the
/// reason, and a million-case audit has a handful of distinct ones (wording each anew was
/// most of this file's time).
#[derive(Default)]
struct Scratch {
    date: String,
    notes: hashbrown::HashMap<(u16, super::Status, super::Reason), Vec<u8>>,
    /// The last case's reference and authority as fields (a case's findings come together).
    case: Option<u32>,
    case_ref: Vec<u8>,
    la: Vec<u8>,
}

/// A CSV field as the `csv` crate writes it: quoted (quotes doubled) when it holds a comma,
/// a quote, a carriage return or a newline.
fn field(buf: &mut Vec<u8>, s: &[u8]) {
    if !s.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        buf.extend_from_slice(s);
        return;
    }
    buf.push(b'"');
    for &b in s {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

/// Appends one finding as a record (with its newline).
fn record(
    buf: &mut Vec<u8>,
    f: &Finding,
    (case_ref, la): (&str, &str),
    rules: &RuleSet,
    s: &mut Scratch,
) {
    let duty = rules
        .duties
        .get(f.duty as usize)
        .map(|d| d.id.as_str())
        .unwrap_or("?");
    if s.case != Some(f.case) {
        s.case = Some(f.case);
        s.case_ref.clear();
        field(&mut s.case_ref, neutralise(case_ref).as_bytes());
        s.la.clear();
        field(&mut s.la, neutralise(la).as_bytes());
    }
    buf.extend_from_slice(&s.case_ref);
    buf.push(b',');
    field(buf, duty.as_bytes());
    buf.push(b',');
    buf.extend_from_slice(f.status.id().as_bytes());
    for d in [f.start, f.due, f.done] {
        buf.push(b',');
        s.date.clear();
        date(d, &mut s.date);
        buf.extend_from_slice(s.date.as_bytes());
    }
    buf.push(b',');
    if let Some(n) = f.working_days_late() {
        use std::io::Write as _;
        // Infallible: writing to a Vec.
        let _ = write!(buf, "{n}");
    }
    buf.push(b',');
    buf.extend_from_slice(if f.breach(rules) { b"yes" } else { b"no" });
    buf.push(b',');
    buf.extend_from_slice(&s.la);
    buf.push(b',');
    if f.reason == super::Reason::None {
        // Blank, or a relaxed period's note, which depends on the due date.
        field(buf, neutralise(&f.note(rules)).as_bytes());
    } else {
        let note = s
            .notes
            .entry((f.duty, f.status, f.reason))
            .or_insert_with(|| {
                let mut b = Vec::new();
                field(&mut b, neutralise(&f.note(rules)).as_bytes());
                b
            });
        buf.extend_from_slice(note);
    }
    buf.push(b'\n');
}

/// Writes the findings of a partnership's report to `outs[0]` and, in the same pass, each one
/// also to `outs[k]` when `to(case)` is `Some(k)` (an authority's findings file): each record
/// is formatted once (on every core), and every file gets the header. Each file is byte for
/// byte what [`write`](fn@write) would write of its findings.
pub fn write_split<'a, W: Write>(
    outs: &mut [W],
    findings: &'a [Finding],
    case: impl Fn(u32) -> (&'a str, &'a str) + Sync,
    to: impl Fn(u32) -> Option<usize> + Sync,
    rules: &RuleSet,
) -> std::io::Result<()> {
    for out in outs.iter_mut() {
        out.write_all(HEADER.as_bytes())?;
        out.write_all(b"\n")?;
    }
    let parts = outs.len().max(1);
    in_chunks(findings, parts, &case, &to, rules, |k, b| {
        match outs.get_mut(k) {
            Some(out) => out.write_all(b),
            None => Ok(()),
        }
    })
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
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        for text in [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "line\nbreak",
            "cr\rx",
            "tab\tx",
            "café, ☕",
            " padded ",
            "'=1",
            "#comment",
        ] {
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            w.write_record([text, "x"]).unwrap();
            let want = w.into_inner().unwrap();
            let mut got = Vec::new();
            field(&mut got, text.as_bytes());
            got.extend_from_slice(b",x\n");
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }

    #[test]
    fn findings_formatted_on_every_core_are_the_same_bytes() {
        let rules = RuleSet::baseline().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23);
        let statuses = [
            crate::findings::Status::Pending,
            crate::findings::Status::Late,
            crate::findings::Status::Met,
        ];
        let findings: Vec<Finding> = (0..3 * CHUNK as u32 + 17)
            .map(|i| Finding {
                case: i / 7,
                duty: (i % 7) as u16,
                status: statuses[i as usize % 3],
                start: day,
                due: day,
                done: (i % 2 == 0).then_some(day).flatten(),
                working_days: Some(if i % 3 == 1 { i % 40 } else { 3 }),
                reason: crate::findings::Reason::None,
            })
            .collect();
        let refs: Vec<String> = (0..findings.len() / 7 + 1)
            .map(|c| format!("C,{c}"))
            .collect();
        let case = |c: u32| (refs[c as usize].as_str(), "LA");
        let mut one = Vec::new();
        write(&mut one, &findings, case, &rules).unwrap();
        let mut par = Vec::new();
        write_par(&mut par, &findings, case, &rules).unwrap();
        assert!(one == par, "the parallel file differs");
        let mut outs = vec![Vec::new(); 3];
        write_split(
            &mut outs,
            &findings,
            case,
            |c| Some(1 + c as usize % 2),
            &rules,
        )
        .unwrap();
        assert!(outs[0] == one);
        let mut odd = Vec::new();
        let mine = findings.iter().filter(|f| f.case % 2 == 1);
        write(&mut odd, mine, case, &rules).unwrap();
        assert!(outs[2] == odd);
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
            working_days: Some(3),
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
