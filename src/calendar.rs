//! The England and Wales working-day calendar: bank holidays from their rules plus one-off changes, and O(1) working-day arithmetic.
//!
//! [`bank_holidays`] derives a year's published England and Wales bank holidays from the
//! standing rules (Easter, "first/last Monday of the month", substitute days for New Year and
//! Christmas) plus the one-off moves and extra days proclaimed over the years (VE day, jubilees,
//! royal weddings, the millennium, the State Funeral and the coronation).
//!
//! [`Calendar`] precomputes, for every day from 1 January [`FIRST_YEAR`] to 31 December
//! [`LAST_YEAR`], a prefix count of working days and the sorted list of working days, so that
//! [`Calendar::add_working_days`], [`Calendar::sub_working_days`] and
//! [`Calendar::working_days_between`] are each a couple of array look-ups.
//!
//! A *working day* is Monday to Friday and neither a bank holiday nor one of the calendar's
//! extra non-working days.
//!
//! Over 500 lines on purpose: the bank-holiday rules, the one-off days and the O(1) day tables
//! are one source of truth for what a working day is; its tests are in calendar/tests.rs.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

/// First year covered by [`Calendar`]'s working-day arithmetic.
pub const FIRST_YEAR: i32 = 1970;
/// Last year covered by [`Calendar`]'s working-day arithmetic.
pub const LAST_YEAR: i32 = 2200;

/// A named non-working day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The day itself.
    pub date: NaiveDate,
    /// Its name as gov.uk gives it, e.g. "Spring bank holiday" or "Boxing Day (substitute day)".
    pub name: String,
}

// ---------------------------------------------------------------------------------------------
// Holiday names.
// ---------------------------------------------------------------------------------------------

const NEW_YEAR: &str = "New Year's Day";
const NEW_YEAR_SUB: &str = "New Year's Day (substitute day)";
const GOOD_FRIDAY: &str = "Good Friday";
const EASTER_MONDAY: &str = "Easter Monday";
const EARLY_MAY: &str = "Early May bank holiday";
const EARLY_MAY_VE: &str = "Early May bank holiday (VE day)";
const SPRING: &str = "Spring bank holiday";
const SUMMER: &str = "Summer bank holiday";
const CHRISTMAS: &str = "Christmas Day";
const CHRISTMAS_SUB: &str = "Christmas Day (substitute day)";
const BOXING: &str = "Boxing Day";
const BOXING_SUB: &str = "Boxing Day (substitute day)";

/// One-off extra bank holidays that are not tied to a moved standing holiday:
/// (year, month, day, name).
const ONE_OFF_DAYS: &[(i32, u32, u32, &str)] = &[
    (1973, 11, 14, "Royal wedding"),
    (1977, 6, 7, "Silver Jubilee bank holiday"),
    (1981, 7, 29, "Royal wedding"),
    (1999, 12, 31, "Millennium celebrations"),
    (2011, 4, 29, "Royal wedding"),
    (
        2022,
        9,
        19,
        "Bank holiday for the State Funeral of Queen Elizabeth II",
    ),
    (
        2023,
        5,
        8,
        "Bank holiday for the coronation of King Charles III",
    ),
];

// ---------------------------------------------------------------------------------------------
// Date helpers.
// ---------------------------------------------------------------------------------------------

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `d` moved by `days` calendar days; `None` beyond chrono's representable range.
fn shift(d: NaiveDate, days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(d.num_days_from_ce().checked_add(days)?)
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first Monday of `month` in `year`.
fn first_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let first = ymd(year, month, 1)?;
    let ahead = (7 - first.weekday().num_days_from_monday()) % 7;
    shift(first, ahead as i32)
}

/// The last Monday of `month` in `year`.
fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let last = ymd(year, month, days_in_month(year, month))?;
    shift(last, -(last.weekday().num_days_from_monday() as i32))
}

/// Easter Sunday in the Gregorian calendar, by the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher). `None` only if the year is beyond chrono's range.
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    // `n` lies in 114..=150, so the month is 3 or 4 and the day 1..=31.
    ymd(year, n.div_euclid(31) as u32, n.rem_euclid(31) as u32 + 1)
}

// ---------------------------------------------------------------------------------------------
// The rules.
// ---------------------------------------------------------------------------------------------

/// The bank holidays of `year` with static names, in date order, weekdays only.
///
/// Rules, each from the year it began:
/// - New Year's Day (1974): 1 January, or the following Monday when it is a weekend.
/// - Good Friday and Easter Monday (always).
/// - Early May bank holiday (1978): first Monday in May; Monday 8 May 1995 and Friday 8 May
///   2020 for the VE day anniversaries.
/// - Spring bank holiday: last Monday in May; moved into June for the 2002, 2012 and 2022
///   jubilees, which each also had an extra jubilee day.
/// - Summer bank holiday: last Monday in August.
/// - Christmas Day and Boxing Day, with substitute weekdays when either falls at a weekend
///   (from 1971; 1970's Christmas bank holidays were "the traditional days" only).
/// - One-off days from [`ONE_OFF_DAYS`].
///
/// The spring and summer holidays were fixed in statute from 1971 (Banking and Financial
/// Dealings Act 1971) after a 1965-1970 trial; the same rules are applied to 1970 (25 May and
/// 31 August), which is the best available reconstruction, not a checked list. Before 1978
/// only the one-off days known for certain are included (the 1973 royal wedding and the 1977
/// Silver Jubilee day; the 1977 spring holiday is left on its usual Monday). Earlier years'
/// holidays (Whit Monday, the first Monday in August) are not modelled.
fn rule_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut days: Vec<(Option<NaiveDate>, &'static str)> = Vec::with_capacity(10);

    if year >= 1974 {
        let new_year = ymd(year, 1, 1);
        days.push(match new_year.map(|d| d.weekday()) {
            Some(Weekday::Sat) => (new_year.and_then(|d| shift(d, 2)), NEW_YEAR_SUB),
            Some(Weekday::Sun) => (new_year.and_then(|d| shift(d, 1)), NEW_YEAR_SUB),
            _ => (new_year, NEW_YEAR),
        });
    }

    if let Some(easter) = easter_sunday(year) {
        days.push((shift(easter, -2), GOOD_FRIDAY));
        days.push((shift(easter, 1), EASTER_MONDAY));
    }

    if year >= 1978 {
        days.push(match year {
            1995 | 2020 => (ymd(year, 5, 8), EARLY_MAY_VE),
            _ => (first_monday(year, 5), EARLY_MAY),
        });
    }

    if year >= 1970 {
        match year {
            2002 => {
                days.push((ymd(2002, 6, 3), "Golden Jubilee bank holiday"));
                days.push((ymd(2002, 6, 4), SPRING));
            }
            2012 => {
                days.push((ymd(2012, 6, 4), SPRING));
                days.push((ymd(2012, 6, 5), "Diamond Jubilee bank holiday"));
            }
            2022 => {
                days.push((ymd(2022, 6, 2), SPRING));
                days.push((ymd(2022, 6, 3), "Platinum Jubilee bank holiday"));
            }
            _ => days.push((last_monday(year, 5), SPRING)),
        }
        days.push((last_monday(year, 8), SUMMER));
    }

    let christmas = ymd(year, 12, 25);
    let boxing = ymd(year, 12, 26);
    let dec = |day| ymd(year, 12, day);
    match christmas.map(|d| d.weekday()) {
        Some(Weekday::Sat) if year >= 1971 => {
            days.push((dec(27), CHRISTMAS_SUB));
            days.push((dec(28), BOXING_SUB));
        }
        Some(Weekday::Sun) if year >= 1971 => {
            days.push((boxing, BOXING));
            days.push((dec(27), CHRISTMAS_SUB));
        }
        Some(Weekday::Fri) if year >= 1971 => {
            days.push((christmas, CHRISTMAS));
            days.push((dec(28), BOXING_SUB));
        }
        _ => {
            days.push((christmas, CHRISTMAS));
            days.push((boxing, BOXING));
        }
    }

    for &(y, month, day, name) in ONE_OFF_DAYS {
        if y == year {
            days.push((ymd(y, month, day), name));
        }
    }

    let mut out: Vec<(NaiveDate, &'static str)> = days
        .into_iter()
        .filter_map(|(d, name)| d.map(|d| (d, name)))
        .filter(|&(d, _)| !is_weekend(d))
        .collect();
    out.sort_by_key(|&(d, _)| d);
    out.dedup_by_key(|&mut (d, _)| d);
    out
}

/// Published England and Wales bank holidays of `year`, in date order, as gov.uk lists them
/// (every one falls on a weekday).
///
/// Names are gov.uk's, except that an ASCII apostrophe is used ("New Year's Day").
/// The lists are exact for the modern era (checked against gov.uk for 2018–2027 and the
/// special years since 1995); years before 1970 get only the holidays of today's rules that
/// already existed, and years beyond chrono's range get whatever of the list is representable.
pub fn bank_holidays(year: i32) -> Vec<Holiday> {
    rule_holidays(year)
        .into_iter()
        .map(|(date, name)| Holiday {
            date,
            name: name.to_owned(),
        })
        .collect()
}

/// `d` plus `n` calendar months; where the target month has no such day, its last day
/// (31 Aug + 6 months = 28/29 Feb). O(1).
///
/// # Panics
///
/// If the result would lie beyond the last date chrono can represent (year 262142), as
/// chrono's own month arithmetic does.
pub fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    let months = i64::from(d.year()) * 12 + i64::from(d.month0()) + i64::from(n);
    // `rem_euclid(12)` is in 0..12, so the month is 1..=12.
    let month = months.rem_euclid(12) as u32 + 1;
    i32::try_from(months.div_euclid(12))
        .ok()
        .and_then(|year| ymd(year, month, d.day().min(days_in_month(year, month))))
        .expect("add_months: result is beyond the range of chrono::NaiveDate")
}

// ---------------------------------------------------------------------------------------------
// The calendar.
// ---------------------------------------------------------------------------------------------

/// A working-day calendar for England and Wales, optionally with extra non-working days.
///
/// Building one walks every day of [`FIRST_YEAR`]..=[`LAST_YEAR`] once (well under a
/// millisecond, about 600 KB); build it once and share it (it is `Clone`, `Send` and `Sync`).
///
/// The working-day arithmetic is limited to that range and returns `None` outside it; the
/// day-classification methods ([`is_working_day`](Self::is_working_day),
/// [`non_working_reason`](Self::non_working_reason), [`skipped_days`](Self::skipped_days),
/// [`holidays_between`](Self::holidays_between)) apply the same rules to any date.
#[derive(Clone)]
pub struct Calendar {
    /// `num_days_from_ce` of 1 January [`FIRST_YEAR`]: the day with index 0.
    first_ce: i32,
    /// `cum[i]` is the number of working days with index `< i`; `cum.len()` is one more than
    /// the number of covered days.
    cum: Vec<u32>,
    /// The indices of the working days, ascending: `workdays[k]` is the (k+1)-th working day.
    workdays: Vec<u32>,
    /// Every weekday non-working day the calendar knows by name, in date order with unique
    /// dates: the bank holidays of the covered years, plus the extra days of any year (an extra
    /// day that is also a bank holiday keeps the bank holiday's name).
    holidays: Vec<Holiday>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("first_year", &FIRST_YEAR)
            .field("last_year", &LAST_YEAR)
            .field("working_days", &self.workdays.len())
            .field("named_non_working_weekdays", &self.holidays.len())
            .finish_non_exhaustive()
    }
}

impl Calendar {
    /// First year covered by the working-day arithmetic (same as the module's [`FIRST_YEAR`]).
    pub const FIRST_YEAR: i32 = FIRST_YEAR;
    /// Last year covered by the working-day arithmetic (same as the module's [`LAST_YEAR`]).
    pub const LAST_YEAR: i32 = LAST_YEAR;

    /// England and Wales bank holidays, covering FIRST_YEAR..=LAST_YEAR.
    pub fn england_and_wales() -> Calendar {
        Self::with_extra_days(&[])
    }

    /// Same plus a partnership's own non-working days (e.g. a local closure day), each with a
    /// name.
    ///
    /// Extra days that fall at a weekend change nothing (the day is already non-working and is
    /// reported as "Saturday"/"Sunday"); one that coincides with a bank holiday keeps the bank
    /// holiday's name; of duplicates, the first given wins. Extra days outside the covered years
    /// still count for the day-classification methods.
    pub fn with_extra_days(extra: &[(NaiveDate, String)]) -> Calendar {
        // Constant, valid dates: these cannot fail.
        let first = ymd(FIRST_YEAR, 1, 1).expect("1 January of FIRST_YEAR is a valid date");
        let last = ymd(LAST_YEAR, 12, 31).expect("31 December of LAST_YEAR is a valid date");
        let first_ce = first.num_days_from_ce();
        let n_days = (last.num_days_from_ce() - first_ce + 1) as usize;

        // Bank holidays of the covered years: already in date order with unique dates.
        let mut holidays: Vec<Holiday> = (FIRST_YEAR..=LAST_YEAR).flat_map(bank_holidays).collect();

        let mut extras: Vec<Holiday> = extra
            .iter()
            .filter(|(d, _)| !is_weekend(*d))
            .filter(|(d, _)| {
                let bank = if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
                    holidays.binary_search_by_key(d, |h| h.date).is_ok()
                } else {
                    rule_holidays(d.year()).iter().any(|(b, _)| b == d)
                };
                !bank
            })
            .map(|(date, name)| Holiday {
                date: *date,
                name: name.clone(),
            })
            .collect();
        extras.sort_by_key(|h| h.date); // stable: the first of duplicates stays first
        extras.dedup_by_key(|h| h.date);
        holidays.extend(extras);
        holidays.sort_by_key(|h| h.date);

        // Walk the covered days once, alongside the holidays that fall within them.
        let mut cum = Vec::with_capacity(n_days + 1);
        let mut workdays = Vec::with_capacity(n_days * 5 / 7 + 7);
        let first_weekday = first.weekday().num_days_from_monday() as usize;
        let mut named = holidays
            .iter()
            .map(|h| h.date.num_days_from_ce() - first_ce)
            .skip_while(|&i| i < 0)
            .peekable();
        let mut count = 0u32;
        cum.push(0);
        for i in 0..n_days {
            let index = i as i32;
            let mut holiday = false;
            while let Some(&h) = named.peek() {
                if h > index {
                    break;
                }
                holiday |= h == index;
                named.next();
            }
            if (first_weekday + i) % 7 < 5 && !holiday {
                workdays.push(i as u32);
                count += 1;
            }
            cum.push(count);
        }

        Calendar {
            first_ce,
            cum,
            workdays,
            holidays,
        }
    }

    /// Index of `d` into the covered range, if covered.
    fn index(&self, d: NaiveDate) -> Option<usize> {
        let i = d.num_days_from_ce().checked_sub(self.first_ce)?;
        usize::try_from(i).ok().filter(|&i| i + 1 < self.cum.len())
    }

    /// The date of covered day index `i`.
    fn date_of(&self, i: u32) -> Option<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(self.first_ce.checked_add(i32::try_from(i).ok()?)?)
    }

    /// The named non-working weekday at `d`, if the calendar has one stored.
    fn stored_holiday(&self, d: NaiveDate) -> Option<&Holiday> {
        self.holidays
            .binary_search_by_key(&d, |h| h.date)
            .ok()
            .map(|k| &self.holidays[k])
    }

    /// Mon-Fri and not a holiday/extra day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.index(d) {
            Some(i) => self.cum[i + 1] != self.cum[i],
            None => self.non_working_reason(d).is_none(),
        }
    }

    /// Why `d` is not a working day: Some("Saturday"), Some("Sunday"), Some("Good Friday"),
    /// Some(extra name); None if working.
    ///
    /// A weekend is reported as such even if an extra day was also given for it.
    pub fn non_working_reason(&self, d: NaiveDate) -> Option<&str> {
        match d.weekday() {
            Weekday::Sat => return Some("Saturday"),
            Weekday::Sun => return Some("Sunday"),
            _ => {}
        }
        if let Some(h) = self.stored_holiday(d) {
            return Some(&h.name);
        }
        if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
            return None;
        }
        // Outside the covered years only extra days are stored: apply the rules directly.
        rule_holidays(d.year())
            .into_iter()
            .find(|&(b, _)| b == d)
            .map(|(_, name)| name)
    }

    /// The n-th working day after d, d itself not counted whether or not it is a working day.
    /// n = 0 returns d. None if outside the covered range.
    ///
    /// For n >= 1 the result is a working day and `working_days_between(d, result) == n`.
    /// O(1).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        let i = self.index(d)?;
        if n == 0 {
            return Some(d);
        }
        // Working days up to and including d, then n more.
        let k = (self.cum[i + 1] as usize).checked_add(n as usize - 1)?;
        self.date_of(*self.workdays.get(k)?)
    }

    /// The n-th working day before d, d not counted. n = 0 returns d. None outside range.
    ///
    /// The mirror of [`add_working_days`](Self::add_working_days): for n >= 1 the result is a
    /// working day and the working days in `[result, d)` number exactly n. When `d` is itself
    /// a working day this means `working_days_between(d, result) == -n` (for a non-working `d`
    /// the half-open `(result, d]` holds n - 1). O(1).
    pub fn sub_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        let i = self.index(d)?;
        if n == 0 {
            return Some(d);
        }
        // Working days strictly before d.
        let k = (self.cum[i] as usize).checked_sub(n as usize)?;
        self.date_of(self.workdays[k])
    }

    /// Number of working days in the half-open interval (a, b]: i.e. after a, up to and
    /// including b. Negative (minus the count in (b, a]) if b < a. None outside range. O(1).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Option<i64> {
        let ia = self.index(a)?;
        let ib = self.index(b)?;
        Some(i64::from(self.cum[ib + 1]) - i64::from(self.cum[ia + 1]))
    }

    /// The non-working days in (a, b] with their reasons (for explaining a due date).
    /// Empty if b <= a.
    pub fn skipped_days(&self, a: NaiveDate, b: NaiveDate) -> Vec<(NaiveDate, String)> {
        a.iter_days()
            .skip(1)
            .take_while(|d| *d <= b)
            .filter_map(|d| self.non_working_reason(d).map(|r| (d, r.to_owned())))
            .collect()
    }

    /// Holidays (bank + extra) falling on weekdays in [from, to], date order.
    pub fn holidays_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Holiday> {
        if from > to {
            return Vec::new();
        }
        let start = self.holidays.partition_point(|h| h.date < from);
        let end = self.holidays.partition_point(|h| h.date <= to);
        let mut out = self.holidays[start..end].to_vec();

        // Bank holidays of uncovered years are not stored: derive them.
        let below = from.year()..=to.year().min(FIRST_YEAR - 1);
        let above = from.year().max(LAST_YEAR + 1)..=to.year();
        let uncovered: Vec<Holiday> = below
            .chain(above)
            .flat_map(bank_holidays)
            .filter(|h| (from..=to).contains(&h.date))
            .collect();
        if !uncovered.is_empty() {
            out.extend(uncovered);
            out.sort_by_key(|h| h.date);
        }
        out
    }
}

#[cfg(test)]
mod tests;
