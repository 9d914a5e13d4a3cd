//! The reporting week of a date: its ISO week, used by the ledger, the run job and the scheduler.

use chrono::{Datelike, NaiveDate};

/// The reporting week of a date: its ISO week, e.g. `2026-W48`.
pub fn week_of(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(week_of(d("2026-11-23")), "2026-W48");
        assert_eq!(week_of(d("2026-11-29")), "2026-W48");
        assert_eq!(week_of(d("2026-11-30")), "2026-W49");
        assert_eq!(week_of(d("2027-01-01")), "2026-W53");
    }
}
