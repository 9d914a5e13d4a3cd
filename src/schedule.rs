//! Our own scheduler: runs the weekly report at the times of a standard 5-field crontab
//! expression in a time zone (default Europe/London, correct across clock changes), survives a
//! failing run, catches up a missed run at start-up, and stops cleanly on SIGTERM.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

/// A schedule that cannot be used. Names the key.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("[schedule] cron = \"{expr}\": {reason}")]
    Cron { expr: String, reason: String },
    #[error("[schedule] timezone = \"{0}\" is not a time zone name like \"Europe/London\"")]
    Timezone(String),
}

/// A parsed schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub expr: String,
    pub tz: Tz,
    inner: Cron,
}

/// The crontab fields, with the numbers each allows (day of week 0 and 7 are both Sunday).
const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 7),
];
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Refuses what standard crontab does not have but croner would accept (`L`, `W`, `#`, `?`,
/// `+`, `@weekly`, seconds or years), and numbers out of a field's range, naming the field.
/// Only checks: croner parses.
fn standard_syntax(fields: &[&str]) -> Result<(), String> {
    for (i, field) in fields.iter().enumerate() {
        let (name, lo, hi) = FIELDS[i];
        let names: &[&str] = match i {
            3 => &MONTHS,
            4 => &DAYS,
            _ => &[],
        };
        let not_standard = || {
            format!(
                "the {name} field `{field}` is not standard crontab syntax ({lo}-{hi}{}, `*`, `,`, `-` and `/`)",
                match i {
                    3 => " or JAN-DEC",
                    4 => " or SUN-SAT",
                    _ => "",
                }
            )
        };
        for part in field.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (part, None),
            };
            if let Some(step) = step {
                if step.is_empty() || !step.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(not_standard());
                }
            }
            for token in range.split('-') {
                if token == "*" || names.iter().any(|n| n.eq_ignore_ascii_case(token)) {
                    continue;
                }
                if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(not_standard());
                }
                match token.parse::<u32>() {
                    Ok(n) if (lo..=hi).contains(&n) => {}
                    _ => {
                        return Err(format!(
                            "the {name} field `{field}`: {token} is not {lo}-{hi}"
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}

impl Schedule {
    /// Parses a 5-field crontab expression (minute hour day-of-month month day-of-week) in a
    /// time zone, with standard (Vixie) cron's meaning: when both day fields are restricted, a
    /// day matching either one fires. A schedule that never fires (`0 7 30 2 *`) is refused.
    pub fn parse(expr: &str, timezone: &str) -> Result<Schedule, ScheduleError> {
        let err = |reason: String| ScheduleError::Cron {
            expr: expr.to_string(),
            reason,
        };
        let fields: Vec<&str> = expr.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
                fields.len()
            )));
        }
        standard_syntax(&fields).map_err(err)?;
        let inner = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(&fields.join(" "))
            .map_err(|e| err(e.to_string()))?;
        let tz: Tz = timezone
            .parse()
            .map_err(|_| ScheduleError::Timezone(timezone.to_string()))?;
        let schedule = Schedule {
            expr: expr.to_string(),
            tz,
            inner,
        };
        // The day fields repeat within 28 years (and every month has its days at least once
        // in 8), so a schedule with no time in the next 30 years has none at all.
        let reference = DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or_default(); // 2000-01-01
        match schedule.next_after(reference) {
            Some(t) if t.year() < 2030 => Ok(schedule),
            _ => Err(err(
                "never fires: none of its months has that day of the month".to_string(),
            )),
        }
    }

    /// The configuration's `[schedule]`, checked exactly as `schedule` runs it: the one check
    /// that `schedule` and `check-config` share.
    pub fn from_config(s: &crate::config::ScheduleConfig) -> Result<Schedule, ScheduleError> {
        Schedule::parse(&s.cron, &s.timezone)
    }

    /// The next `n` run times after `from`.
    pub fn upcoming(&self, from: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
        let mut out = Vec::with_capacity(n);
        let mut t = from.with_timezone(&self.tz);
        while out.len() < n {
            // Not croner's iterator: it prints its errors to stderr, and the library never prints.
            match self.inner.find_next_occurrence(&t, false) {
                Ok(next) => {
                    t = next;
                    out.push(t);
                }
                Err(_) => break,
            }
        }
        out
    }

    /// The next run time after `from`.
    pub fn next_after(&self, from: DateTime<Utc>) -> Option<DateTime<Tz>> {
        self.upcoming(from, 1).into_iter().next()
    }

    /// The latest scheduled time at or before `now` within the last 8 days.
    pub fn previous(&self, now: DateTime<Utc>) -> Option<DateTime<Tz>> {
        let t = self
            .inner
            .find_previous_occurrence(&now.with_timezone(&self.tz), true)
            .ok()?;
        (t.with_timezone(&Utc) >= now - chrono::Duration::days(8)).then_some(t)
    }
}

/// RFC 3339 with the UTC offset, to the second: `2027-03-29T07:00:00+01:00`.
pub fn rfc3339(t: &DateTime<Tz>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Whether a run was missed: the latest scheduled time has passed and the last report sent is
/// from an earlier reporting week than that time's.
pub fn missed(
    schedule: &Schedule,
    now: DateTime<Utc>,
    last_sent_as_of: Option<chrono::NaiveDate>,
) -> bool {
    let Some(prev) = schedule.previous(now) else {
        return false;
    };
    let week = crate::util::week::week_of(prev.date_naive());
    match last_sent_as_of {
        None => true,
        Some(d) => crate::util::week::week_of(d) < week,
    }
}

/// Registers SIGTERM and SIGINT; the returned flag turns true when one arrives.
pub fn stop_flag() -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&flag))?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&flag))?;
    Ok(flag)
}

/// Sleeps until `until` or until `stop` is set, in short steps. Returns false if stopped.
pub fn sleep_until(until: DateTime<Utc>, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Utc::now();
        if now >= until {
            return true;
        }
        let left = (until - now).to_std().unwrap_or(Duration::ZERO);
        std::thread::sleep(left.min(Duration::from_millis(500)));
    }
}

/// The local date of a time in the schedule's zone (the as-of date of a scheduled run).
pub fn local_date<T: TimeZone>(t: &DateTime<T>, tz: Tz) -> chrono::NaiveDate {
    let d = t.with_timezone(&tz);
    chrono::NaiveDate::from_ymd_opt(d.year(), d.month(), d.day()).unwrap_or(d.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn monday_at_seven_across_the_spring_clock_change() {
        let s = Schedule::parse("0 7 * * MON", "Europe/London").unwrap();
        let t: Vec<String> = s
            .upcoming(utc("2027-03-20T00:00:00Z"), 3)
            .iter()
            .map(rfc3339)
            .collect();
        // Clocks go forward on Sunday 28 March 2027.
        assert_eq!(
            t,
            [
                "2027-03-22T07:00:00+00:00",
                "2027-03-29T07:00:00+01:00",
                "2027-04-05T07:00:00+01:00"
            ]
        );
    }

    #[test]
    fn monday_at_seven_across_the_autumn_clock_change() {
        let s = Schedule::parse("0 7 * * 1", "Europe/London").unwrap();
        let t: Vec<String> = s
            .upcoming(utc("2026-10-20T00:00:00Z"), 2)
            .iter()
            .map(rfc3339)
            .collect();
        // Clocks go back on Sunday 25 October 2026.
        assert_eq!(
            t,
            ["2026-10-26T07:00:00+00:00", "2026-11-02T07:00:00+00:00"]
        );
        let t = s.upcoming(utc("2026-10-13T00:00:00Z"), 1);
        assert_eq!(rfc3339(&t[0]), "2026-10-19T07:00:00+01:00");
    }

    #[test]
    fn crontab_day_numbers() {
        let s = Schedule::parse("30 6 * * 1-5", "Europe/London").unwrap();
        let t = s.upcoming(utc("2026-11-27T12:00:00Z"), 2); // a Friday
        assert_eq!(rfc3339(&t[0]), "2026-11-30T06:30:00+00:00");
        // 0 and 7 are both Sunday; 5-7 is Friday to Sunday.
        let days = |expr: &str| -> Vec<String> {
            Schedule::parse(expr, "Europe/London")
                .unwrap()
                .upcoming(utc("2026-11-23T12:00:00Z"), 3) // a Monday
                .iter()
                .map(|t| t.format("%a").to_string())
                .collect()
        };
        assert_eq!(days("0 7 * * 0"), ["Sun", "Sun", "Sun"]);
        assert_eq!(days("0 7 * * 7"), ["Sun", "Sun", "Sun"]);
        assert_eq!(days("0 7 * * 5-7"), ["Fri", "Sat", "Sun"]);
        assert_eq!(days("0 7 * * sat,SUN"), ["Sat", "Sun", "Sat"]);
        assert!(Schedule::parse("0 7 * * 9", "Europe/London").is_err());
    }

    #[test]
    fn either_day_field_fires_as_in_standard_cron() {
        // Vixie cron: with both day fields restricted, every 1st and every Monday.
        let s = Schedule::parse("0 7 1 * MON", "Europe/London").unwrap();
        let t: Vec<String> = s
            .upcoming(utc("2026-11-25T00:00:00Z"), 4)
            .iter()
            .map(rfc3339)
            .collect();
        assert_eq!(
            t,
            [
                "2026-11-30T07:00:00+00:00", // Monday
                "2026-12-01T07:00:00+00:00", // Tuesday the 1st
                "2026-12-07T07:00:00+00:00",
                "2026-12-14T07:00:00+00:00",
            ]
        );
        // A restricted day of the month alone still fires only on that day.
        let s = Schedule::parse("0 7 1 * *", "Europe/London").unwrap();
        let t = s.upcoming(utc("2026-11-25T00:00:00Z"), 1);
        assert_eq!(rfc3339(&t[0]), "2026-12-01T07:00:00+00:00");
    }

    #[test]
    fn the_latest_time_looks_back_at_most_eight_days() {
        let s = Schedule::parse("0 7 * * MON", "Europe/London").unwrap();
        let now = utc("2026-11-24T09:00:00Z");
        assert_eq!(
            rfc3339(&s.previous(now).unwrap()),
            "2026-11-23T07:00:00+00:00"
        );
        // Exactly at the time counts as passed.
        let at = utc("2026-11-23T07:00:00Z");
        assert_eq!(
            rfc3339(&s.previous(at).unwrap()),
            "2026-11-23T07:00:00+00:00"
        );
        let s = Schedule::parse("0 7 1 1 *", "Europe/London").unwrap();
        assert!(s.previous(now).is_none());
    }

    #[test]
    fn schedules_that_never_fire_or_are_not_standard_are_refused() {
        for (expr, says) in [
            ("0 7 30 2 *", "never fires"),
            ("0 7 31 4,6,9,11 *", "never fires"),
            ("61 7 * * MON", "the minute field `61`: 61 is not 0-59"),
            ("0 24 * * MON", "the hour field `24`: 24 is not 0-23"),
            ("0 7 * 13 *", "month"),
            ("0 7 0 * *", "day-of-month"),
            ("0 7 L * *", "day-of-month"),
            ("0 7 * * MON#1", "day-of-week"),
            ("0 7 1 * +MON", "day-of-week"),
            ("0 7 ? * MON", "day-of-month"),
            ("0 7 * * MONDAY", "day-of-week"),
            ("0 0 7 * * MON", "5 fields"),
            ("@weekly", "5 fields"),
        ] {
            let e = Schedule::parse(expr, "Europe/London")
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("[schedule] cron"), "{expr}: {e}");
            assert!(e.contains(says), "{expr}: {e}");
        }
        // Leap days come round.
        let s = Schedule::parse("0 7 29 2 *", "Europe/London").unwrap();
        let t = s.upcoming(utc("2026-01-01T00:00:00Z"), 1);
        assert_eq!(rfc3339(&t[0]), "2028-02-29T07:00:00+00:00");
    }

    #[test]
    fn a_time_the_clocks_skip_runs_once_after_and_a_repeated_time_once() {
        // As Vixie cron: 01:30 on 28 March 2027 does not exist in London, so that day's run is
        // at 02:00 BST, the first instant after the gap; 01:30 on 25 October 2026 comes twice
        // and runs once, the first time.
        let s = Schedule::parse("30 1 * * *", "Europe/London").unwrap();
        let times =
            |from: &str| -> Vec<String> { s.upcoming(utc(from), 3).iter().map(rfc3339).collect() };
        assert_eq!(
            times("2027-03-27T00:00:00Z"),
            [
                "2027-03-27T01:30:00+00:00",
                "2027-03-28T02:00:00+01:00",
                "2027-03-29T01:30:00+01:00"
            ]
        );
        assert_eq!(
            times("2026-10-24T00:00:00Z"),
            [
                "2026-10-24T01:30:00+01:00",
                "2026-10-25T01:30:00+01:00",
                "2026-10-26T01:30:00+00:00"
            ]
        );
    }

    #[test]
    fn bad_schedules_name_the_key() {
        let e = Schedule::parse("0 7 * MON", "Europe/London").unwrap_err();
        assert!(e.to_string().contains("[schedule] cron"), "{e}");
        let e = Schedule::parse("0 25 * * MON", "Europe/London").unwrap_err();
        assert!(e.to_string().contains("cron"), "{e}");
        let e = Schedule::parse("0 7 * * MON", "Europe/Lundun").unwrap_err();
        assert!(e.to_string().contains("timezone"), "{e}");
    }

    #[test]
    fn missed_runs() {
        let s = Schedule::parse("0 7 * * MON", "Europe/London").unwrap();
        let d = |x| chrono::NaiveDate::parse_from_str(x, "%Y-%m-%d").unwrap();
        // Tuesday 24 Nov 2026: Monday's 07:00 run passed.
        let now = utc("2026-11-24T09:00:00Z");
        assert!(missed(&s, now, None));
        assert!(missed(&s, now, Some(d("2026-11-16"))));
        assert!(!missed(&s, now, Some(d("2026-11-23"))));
        // Monday 06:00: this week's run has not come yet; last week's was sent.
        let now = utc("2026-11-23T06:00:00Z");
        assert!(!missed(&s, now, Some(d("2026-11-16"))));
    }
}
