//! Reading a date from a cell in every form councils' logs hold: real spreadsheet dates, UK
//! day-first text (never US month-first), ISO text, Excel serial numbers (1900 and 1904 systems)
//! and any of these with a time part.

use chrono::{Datelike, NaiveDate};

use crate::ingest::Cell;

/// Why a cell is not a usable date. Messages describe the cell and never quote it: a date
/// column may hold anything, an NHS number or a name typed in the wrong place included. The
/// text kept in a variant is for tests, never shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("a day, month and year that is not a real date (no such day or month)")]
    Impossible(String),
    #[error("text, not a date (expected dd/mm/yyyy, yyyy-mm-dd or a spreadsheet date)")]
    Unreadable,
    #[error("{}, not a date (expected dd/mm/yyyy, yyyy-mm-dd or a spreadsheet date)", describe_digits(.0))]
    UnreadableQuoted(String),
    #[error("{}, not a date in range", describe_digits(.0))]
    Serial(String),
    #[error("spreadsheet error value in a date cell")]
    CellError,
    #[error("a yes/no value in a date cell")]
    Boolean,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Smallest and largest Excel serials accepted as dates (1 Jan 1900 .. 31 Dec 9999).
const SERIAL_MAX: f64 = 2_958_465.0;

/// Reads a cell as a date. `Ok(None)` is a blank cell.
pub fn parse_cell(cell: &Cell, date1904: bool) -> Result<Option<NaiveDate>, DateError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::DateTime(dt) => Ok(Some(dt.date())),
        Cell::Number(n) => from_serial(*n, date1904).map(Some),
        Cell::Text(s) => parse_text(s, date1904),
        Cell::Bool(_) => Err(DateError::Boolean),
        Cell::Error => Err(DateError::CellError),
    }
}

/// Converts an Excel serial day number to a date.
pub fn from_serial(n: f64, date1904: bool) -> Result<NaiveDate, DateError> {
    if !n.is_finite() || !(1.0..=SERIAL_MAX).contains(&n) {
        return Err(DateError::Serial(format_number(n)));
    }
    let days = n.floor() as i64;
    let base = if date1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)
    } else if days < 60 {
        // Excel's 1900 system counts a 29 Feb 1900 that never was: serials before it are one off.
        NaiveDate::from_ymd_opt(1899, 12, 31)
    } else if days == 60 {
        return Err(DateError::Impossible("29/02/1900".to_string()));
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    };
    base.and_then(|b| b.checked_add_days(chrono::Days::new(days as u64)))
        .ok_or_else(|| DateError::Serial(format_number(n)))
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// "a 10-digit number", "digits and separators": the shape of a cell, never its contents.
pub fn describe_digits(s: &str) -> String {
    let s = s.trim();
    let int = s.trim_start_matches('-').split('.').next().unwrap_or("");
    if !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && s.trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
    {
        let n = int.len();
        let whole = if s.contains('.') {
            "number with"
        } else {
            "number of"
        };
        return format!(
            "a {whole} {n} digit{}{}",
            if n == 1 { "" } else { "s" },
            if s.contains('.') {
                " before the point"
            } else {
                ""
            }
        );
    }
    "digits and separators".to_string()
}

/// Text that looks like a date (digits and separators only): described by its shape.
fn quotable(s: &str) -> bool {
    s.len() <= 25
        && s.chars()
            .all(|c| c.is_ascii_digit() || " /-.:T".contains(c))
}

fn unreadable(s: &str) -> DateError {
    if quotable(s) {
        DateError::UnreadableQuoted(s.to_string())
    } else {
        DateError::Unreadable
    }
}

/// Reads a date written as text.
pub fn parse_text(raw: &str, date1904: bool) -> Result<Option<NaiveDate>, DateError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    // Drop a time part: "03/04/2024 14:30", "2024-04-03T14:30:00", "2024-04-03 00:00:00".
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    let rest_is_time = |part: &str| {
        let rest = s[part.len()..].trim_start_matches(['T', ' ']);
        rest.is_empty()
            || rest
                .chars()
                .all(|c| c.is_ascii_digit() || ":. APMapmZ+-".contains(c))
    };
    // A serial number as text (CSV exports of Excel dates).
    if s.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !s.starts_with('.')
        && s.matches('.').count() <= 1
    {
        if let Ok(n) = s.parse::<f64>() {
            if s.len() <= 8 && (20_000.0..=80_000.0).contains(&n) {
                return from_serial(n, date1904).map(Some);
            }
        }
        return Err(unreadable(s));
    }
    if rest_is_time(date_part) {
        if let Some(r) = numeric_date(date_part) {
            return r.map(Some);
        }
    }
    if let Some(d) = month_name_date(s) {
        return d.map(Some);
    }
    Err(unreadable(s))
}

/// `dd/mm/yyyy`, `d-m-yy`, `dd.mm.yyyy` (day first) or `yyyy-mm-dd` / `yyyy/mm/dd`.
fn numeric_date(s: &str) -> Option<Result<NaiveDate, DateError>> {
    let sep = s.chars().find(|c| ['/', '-', '.'].contains(c))?;
    // Three parts, all digits (no allocation: this runs for every date cell).
    let mut parts = [""; 3];
    let mut n = 0;
    for p in s.split(sep) {
        if n == 3 || p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        parts[n] = p;
        n += 1;
    }
    if n != 3 {
        return None;
    }
    let mut nums = [0u32; 3];
    for (num, p) in nums.iter_mut().zip(parts) {
        *num = p.parse().ok()?;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (nums[0] as i32, nums[1], nums[2])
    } else if parts[2].len() == 4 || parts[2].len() == 2 {
        let y = if parts[2].len() == 2 {
            expand_two_digit_year(nums[2])
        } else {
            nums[2] as i32
        };
        (y, nums[1], nums[0])
    } else {
        return None;
    };
    Some(ymd(y, m, d, s))
}

fn expand_two_digit_year(y: u32) -> i32 {
    if y < 70 {
        2000 + y as i32
    } else {
        1900 + y as i32
    }
}

fn ymd(y: i32, m: u32, d: u32, original: &str) -> Result<NaiveDate, DateError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DateError::Impossible(original.to_string()))
}

/// `3 April 2024`, `3 Apr 2024`, `03-Apr-2024`, `3rd April 2024`, with an optional weekday.
fn month_name_date(s: &str) -> Option<Result<NaiveDate, DateError>> {
    let lower = s.to_lowercase();
    let tokens: Vec<&str> = lower
        .split([' ', '-', ',', '/'])
        .filter(|t| !t.is_empty())
        .collect();
    let month_of = |t: &str| {
        let t = t.trim_end_matches('.');
        if t.len() < 3 {
            return None;
        }
        MONTHS
            .iter()
            .position(|m| t.starts_with(m) && (t.len() == 3 || full_month_prefix(t)))
            .map(|i| i as u32 + 1)
    };
    let day_of = |t: &str| -> Option<u32> {
        let t = t
            .trim_end_matches("st")
            .trim_end_matches("nd")
            .trim_end_matches("rd")
            .trim_end_matches("th");
        if t.is_empty() || t.len() > 2 {
            return None;
        }
        t.parse().ok()
    };
    let year_of = |t: &str| -> Option<i32> {
        if t.len() == 4 {
            t.parse().ok()
        } else if t.len() == 2 {
            t.parse().ok().map(expand_two_digit_year)
        } else {
            None
        }
    };
    // Skip a leading weekday name.
    let tokens: Vec<&str> = match tokens.first() {
        Some(t) if WEEKDAYS.iter().any(|w| t.starts_with(w)) => tokens[1..].to_vec(),
        _ => tokens,
    };
    if tokens.len() < 3 {
        return None;
    }
    let (d, m, y) = (
        day_of(tokens[0])?,
        month_of(tokens[1])?,
        year_of(tokens[2])?,
    );
    let rest_ok = tokens[3..]
        .iter()
        .all(|t| t.chars().all(|c| c.is_ascii_digit() || ":.apm".contains(c)));
    if !rest_ok {
        return None;
    }
    Some(ymd(y, m, d, s))
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn full_month_prefix(t: &str) -> bool {
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    FULL.iter().any(|f| f.starts_with(t)) || t == "sept"
}

/// The latest date a log audited as of `as_of` on `today` can plausibly hold: a year after
/// the later of the two. The log is today's: a replay years back meets dates long after its
/// as-of date (things that had not happened yet then), and only a date more than a year
/// beyond today's is a mistake (2062 typed for 2026).
pub fn latest_plausible_on(as_of: NaiveDate, today: NaiveDate) -> NaiveDate {
    as_of.max(today) + chrono::Days::new(366)
}

/// [`latest_plausible_on`] today (the clock's date, in UTC: a year's margin makes the time
/// zone immaterial). The one place the log and the referral forms take their ceiling from.
pub fn latest_plausible(as_of: NaiveDate) -> NaiveDate {
    latest_plausible_on(as_of, chrono::Utc::now().date_naive())
}

/// Whether a date is plausible for a log whose latest plausible date is `latest`
/// ([`latest_plausible`]): not before 1990 and not after `latest`.
pub fn plausible(d: NaiveDate, latest: NaiveDate) -> bool {
    d.year() >= 1990 && d <= latest
}

/// Why an implausible date (one [`plausible`] refuses) is not plausible, without quoting it.
pub fn implausible_reason(d: NaiveDate, latest: NaiveDate) -> String {
    if d.year() < 1990 {
        "a date before 1990".to_string()
    } else {
        format!(
            "a date after {} (a year after the later of today and the as-of date)",
            latest.format("%d/%m/%Y")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn text(s: &str) -> Result<Option<NaiveDate>, DateError> {
        parse_text(s, false)
    }

    #[test]
    fn uk_text_is_day_first() {
        assert_eq!(text("03/04/2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("3/4/2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("03-04-2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("03.04.2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("3/4/24"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("13/01/2024"), Ok(Some(d(2024, 1, 13))));
        // US month-first is not a date here.
        assert!(matches!(text("01/13/2024"), Err(DateError::Impossible(_))));
    }

    #[test]
    fn iso_and_times() {
        assert_eq!(text("2024-04-03"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("2024/04/03"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("2024-04-03T14:30:00"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("2024-04-03 00:00:00"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("03/04/2024 14:30"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text(" 03/04/2024 "), Ok(Some(d(2024, 4, 3))));
    }

    #[test]
    fn month_names() {
        assert_eq!(text("3 April 2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("3rd Apr 2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("03-Apr-2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("Wednesday 3 April 2024"), Ok(Some(d(2024, 4, 3))));
        assert_eq!(text("3 Sept 2024"), Ok(Some(d(2024, 9, 3))));
        assert!(text("3 Aprilx 2024").is_err());
    }

    #[test]
    fn serials_in_both_systems() {
        assert_eq!(from_serial(45385.0, false), Ok(d(2024, 4, 3)));
        assert_eq!(from_serial(45385.75, false), Ok(d(2024, 4, 3)));
        assert_eq!(from_serial(1.0, false), Ok(d(1900, 1, 1)));
        assert_eq!(from_serial(61.0, false), Ok(d(1900, 3, 1)));
        assert!(from_serial(60.0, false).is_err());
        assert_eq!(from_serial(43923.0, true), Ok(d(2024, 4, 3)));
        assert_eq!(text("45385"), Ok(Some(d(2024, 4, 3))));
        assert!(from_serial(-5.0, false).is_err());
        assert!(from_serial(f64::NAN, false).is_err());
        assert!(from_serial(1e300, false).is_err());
    }

    #[test]
    fn impossible_and_unreadable() {
        assert_eq!(
            text("31/02/2024"),
            Err(DateError::Impossible("31/02/2024".into()))
        );
        assert!(matches!(text("13/13/2024"), Err(DateError::Impossible(_))));
        assert_eq!(text("next week"), Err(DateError::Unreadable));
        assert_eq!(text(""), Ok(None));
        assert_eq!(text("   "), Ok(None));
        assert!(text("2024").is_err());
        assert!(text("1/2/3/4").is_err());
        // Free text is never quoted in the message (it may name a child).
        let msg = text("Jane Smith told us").unwrap_err().to_string();
        assert!(!msg.contains("Jane"));
    }

    #[test]
    fn plausibility() {
        let as_of = d(2026, 11, 23);
        let latest = latest_plausible_on(as_of, as_of);
        assert!(!plausible(d(1850, 1, 1), latest));
        assert!(plausible(d(1990, 1, 1), latest));
        assert!(plausible(d(2027, 11, 23), latest));
        assert!(!plausible(d(2031, 1, 1), latest));
        // A replay years back: the log's later dates are today's log's, not mistakes.
        let latest = latest_plausible_on(d(2020, 1, 1), as_of);
        assert!(plausible(d(2026, 11, 1), latest));
        assert!(!plausible(d(2031, 1, 1), latest));
        // An audit as of a date after today: a year after that date.
        assert_eq!(latest_plausible_on(d(2030, 1, 1), as_of), d(2031, 1, 2));
        assert!(implausible_reason(d(1850, 1, 1), latest).contains("before 1990"));
        assert!(implausible_reason(d(2031, 1, 1), latest).contains("after 24/11/2027"));
    }

    #[test]
    fn cells() {
        use chrono::NaiveDateTime;
        let dt = NaiveDateTime::parse_from_str("2024-04-03 10:15:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            parse_cell(&Cell::DateTime(dt), false),
            Ok(Some(d(2024, 4, 3)))
        );
        assert_eq!(parse_cell(&Cell::Empty, false), Ok(None));
        assert_eq!(
            parse_cell(&Cell::Bool(true), false),
            Err(DateError::Boolean)
        );
        assert_eq!(
            parse_cell(&Cell::Number(45385.0), false),
            Ok(Some(d(2024, 4, 3)))
        );
    }
}
