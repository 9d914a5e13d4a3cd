//! Our own scheduler: runs the weekly report at the times of a standard 5-field crontab
//! expression in a time zone (default Europe/London, correct across clock changes), survives a
//! failing run, catches up a missed run at start-up, and stops cleanly on SIGTERM.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Tz;

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
    inner: cron::Schedule,
}

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Crontab's day-of-week numbers (0 or 7 = Sunday) as names, which mean the same to the cron
/// crate (whose numbers start at 1 = Sunday). Ranges are expanded, so `5-7` works.
fn day_of_week(field: &str) -> Result<String, String> {
    let mut out = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        let num = |s: &str| -> Result<Option<usize>, String> {
            if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                let n: usize = s.parse().map_err(|_| format!("`{s}` is not a day"))?;
                if n > 7 {
                    return Err(format!("day of week {n} is not 0-7"));
                }
                Ok(Some(n % 7))
            } else {
                Ok(None)
            }
        };
        match range.split_once('-') {
            Some((a, b)) => match (num(a)?, num(b)?) {
                (Some(a), Some(b)) => {
                    let end = if b < a || (b == 0 && range.ends_with('7')) {
                        b + 7
                    } else {
                        b
                    };
                    let step: usize = match step {
                        Some(s) => s.parse().map_err(|_| format!("`{s}` is not a step"))?,
                        None => 1,
                    };
                    if step == 0 {
                        return Err("a step of 0".to_string());
                    }
                    let mut d = a;
                    while d <= end {
                        out.push(DAY_NAMES[d % 7].to_string());
                        d += step;
                    }
                }
                _ => out.push(part.to_string()),
            },
            None => match (num(range)?, step) {
                (Some(n), None) => out.push(DAY_NAMES[n].to_string()),
                (Some(_), Some(_)) => return Err(format!("`{part}` is not a day-of-week step")),
                (None, _) => out.push(part.to_string()),
            },
        }
    }
    out.dedup();
    Ok(out.join(","))
}

impl Schedule {
    /// Parses a 5-field crontab expression (minute hour day-of-month month day-of-week) in a
    /// time zone.
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
        let dow = day_of_week(fields[4]).map_err(err)?;
        let seven = format!(
            "0 {} {} {} {} {} *",
            fields[0], fields[1], fields[2], fields[3], dow
        );
        let inner = cron::Schedule::from_str(&seven).map_err(|e| err(e.to_string()))?;
        let tz: Tz = timezone
            .parse()
            .map_err(|_| ScheduleError::Timezone(timezone.to_string()))?;
        Ok(Schedule {
            expr: expr.to_string(),
            tz,
            inner,
        })
    }

    /// The next `n` run times after `from`.
    pub fn upcoming(&self, from: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
        let start = from.with_timezone(&self.tz);
        self.inner.after(&start).take(n).collect()
    }

    /// The next run time after `from`.
    pub fn next_after(&self, from: DateTime<Utc>) -> Option<DateTime<Tz>> {
        self.upcoming(from, 1).into_iter().next()
    }

    /// The latest scheduled time at or before `now` within the last 8 days.
    pub fn previous(&self, now: DateTime<Utc>) -> Option<DateTime<Tz>> {
        let from = now - chrono::Duration::days(8);
        self.inner
            .after(&from.with_timezone(&self.tz))
            .take_while(|t| t.with_timezone(&Utc) <= now)
            .last()
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
        assert_eq!(day_of_week("1-5").unwrap(), "MON,TUE,WED,THU,FRI");
        assert_eq!(day_of_week("0").unwrap(), "SUN");
        assert_eq!(day_of_week("7").unwrap(), "SUN");
        assert_eq!(day_of_week("5-7").unwrap(), "FRI,SAT,SUN");
        assert_eq!(day_of_week("MON").unwrap(), "MON");
        assert_eq!(day_of_week("*").unwrap(), "*");
        assert!(day_of_week("9").is_err());
        let s = Schedule::parse("30 6 * * 1-5", "Europe/London").unwrap();
        let t = s.upcoming(utc("2026-11-27T12:00:00Z"), 2); // a Friday
        assert_eq!(rfc3339(&t[0]), "2026-11-30T06:30:00+00:00");
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
