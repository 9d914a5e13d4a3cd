//! The findings file: `findings-<as-of>.csv`, one row per case and duty, exactly as DOMAIN.md
//! defines it (`case_ref,duty,status,start,due,done,working_days_late`).

use std::io::Write;

use chrono::NaiveDate;

use super::Finding;
use crate::rules::RuleSet;

/// The header row.
pub const HEADER: &str = "case_ref,duty,status,start,due,done,working_days_late";

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

/// Quotes a field for CSV if it needs it.
fn field(s: &str, buf: &mut String) {
    if s.contains([',', '"', '\n', '\r']) {
        buf.push('"');
        buf.push_str(&s.replace('"', "\"\""));
        buf.push('"');
    } else {
        buf.push_str(s);
    }
}

/// Appends one finding as a CSV line.
pub fn line(case_ref: &str, f: &Finding, rules: &RuleSet, buf: &mut String) {
    field(case_ref, buf);
    buf.push(',');
    buf.push_str(
        rules
            .duties
            .get(f.duty as usize)
            .map(|d| d.id.as_str())
            .unwrap_or("?"),
    );
    buf.push(',');
    buf.push_str(f.status.id());
    buf.push(',');
    date(f.start, buf);
    buf.push(',');
    date(f.due, buf);
    buf.push(',');
    date(f.done, buf);
    buf.push(',');
    if let Some(n) = f.working_days_late {
        use std::fmt::Write as _;
        let _ = write!(buf, "{n}");
    }
    buf.push('\n');
}

/// Writes findings; `case_ref` names each finding's case.
pub fn write<'a, W: Write + ?Sized>(
    out: &mut W,
    findings: impl IntoIterator<Item = &'a Finding>,
    case_ref: impl Fn(u32) -> &'a str,
    rules: &RuleSet,
) -> std::io::Result<()> {
    let mut buf = String::with_capacity(1 << 16);
    buf.push_str(HEADER);
    buf.push('\n');
    for f in findings {
        line(case_ref(f.case), f, rules, &mut buf);
        if buf.len() > 1 << 15 {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())
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
}
