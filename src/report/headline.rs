//! The headline numbers of DOMAIN.md ("The headline numbers"), computed once per audit and shown
//! identically, under the same names and with their periods, in the printed summary, the
//! workbook's Summary and the email's subject and body. The Panel's own duties are counted
//! beside them, labelled as the Panel's, never inside them.

use chrono::{Datelike, NaiveDate};

use crate::findings::Status;
use crate::pipeline::Audit;

/// Working days ahead that count as "due soon" (until after next week's meeting).
pub const DUE_SOON_WORKING_DAYS: u32 = 10;

/// The names of the three headline numbers, the same in every report.
pub const OVERDUE_NOW: &str = "Overdue now";
pub const BREACHES_THIS_YEAR: &str = "Breaches this financial year";
pub const DUE_SOON: &str = "Due soon";

/// One figure as every report shows it: its name, the period it counts, its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub name: String,
    pub period: String,
    pub value: usize,
}

impl Figure {
    /// "Overdue now (as of 23/11/2026)"
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.period)
    }
}

/// The Panel's own duties, counted the same way but never in the partnership's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PanelFigures {
    /// The Panel's duties overdue at the as-of date.
    pub overdue_now: usize,
    /// The Panel's duties late or overdue whose due date falls in the financial year.
    pub past_due_this_year: usize,
    /// The Panel's pending duties due within the due-soon window.
    pub due_soon: usize,
}

/// The headline numbers of one audit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headline {
    pub as_of: NaiveDate,
    /// 1 April of the financial year containing the as-of date.
    pub year_start: NaiveDate,
    /// 31 March that ends it.
    pub year_end: NaiveDate,
    /// The last day that counts as due soon ([`DUE_SOON_WORKING_DAYS`] after the as-of date).
    pub due_soon_until: NaiveDate,
    /// Findings with status `overdue` that are the partnership's breach.
    pub overdue_now: usize,
    /// Findings that are the partnership's breach whose due date is in the financial year.
    pub breaches_this_year: usize,
    /// Pending findings of the partnership's duties due within the window.
    pub due_soon: usize,
    /// Overdue findings of the partnership's duties that are not a breach because their
    /// timescale was relaxed (shown beside the figures when there are any).
    pub relaxed_overdue: usize,
    pub panel: PanelFigures,
}

/// Financial year start (1 April) for a date.
pub fn financial_year_start(d: NaiveDate) -> NaiveDate {
    let y = if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    };
    NaiveDate::from_ymd_opt(y, 4, 1).unwrap_or(d)
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Headline {
    /// Counts the headline numbers of an audit. Every report takes them from here.
    /// The last day that counts as due soon: [`DUE_SOON_WORKING_DAYS`] working days after the
    /// as-of date.
    pub fn due_soon_until(audit: &Audit) -> NaiveDate {
        audit
            .calendar
            .add_working_days(audit.as_of, DUE_SOON_WORKING_DAYS)
            .unwrap_or(audit.as_of)
    }

    pub fn of(audit: &Audit) -> Headline {
        let as_of = audit.as_of;
        let due_soon_until = Self::due_soon_until(audit);
        let year_start = financial_year_start(as_of);
        let year_end = NaiveDate::from_ymd_opt(year_start.year() + 1, 3, 31).unwrap_or(as_of);
        let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d >= year_start && d <= year_end);
        let mut h = Headline {
            as_of,
            year_start,
            year_end,
            due_soon_until,
            overdue_now: 0,
            breaches_this_year: 0,
            due_soon: 0,
            relaxed_overdue: 0,
            panel: PanelFigures::default(),
        };
        for f in &audit.findings {
            let partnership = audit.rules.duties[f.duty as usize].breach;
            let breach = f.breach(&audit.rules);
            let soon = f.status == Status::Pending && f.due.is_some_and(|d| d <= due_soon_until);
            if breach {
                if f.status == Status::Overdue {
                    h.overdue_now += 1;
                }
                if in_year(f.due) {
                    h.breaches_this_year += 1;
                }
            } else if partnership {
                if f.status == Status::Overdue {
                    h.relaxed_overdue += 1;
                }
            } else {
                if f.status == Status::Overdue {
                    h.panel.overdue_now += 1;
                }
                if f.status.is_breach() && in_year(f.due) {
                    h.panel.past_due_this_year += 1;
                }
            }
            if soon {
                if partnership {
                    h.due_soon += 1;
                } else {
                    h.panel.due_soon += 1;
                }
            }
        }
        h
    }

    /// "as of 23/11/2026"
    pub fn overdue_period(&self) -> String {
        format!("as of {}", dmy(self.as_of))
    }

    /// "1 April 2026 to 31 March 2027"
    pub fn year_period(&self) -> String {
        format!(
            "{} to {}",
            self.year_start.format("%-d %B %Y"),
            self.year_end.format("%-d %B %Y")
        )
    }

    /// "due by 07/12/2026, the next 10 working days"
    pub fn due_soon_period(&self) -> String {
        format!(
            "due by {}, the next {DUE_SOON_WORKING_DAYS} working days",
            dmy(self.due_soon_until)
        )
    }

    /// The three headline numbers, in order, with their periods.
    pub fn figures(&self) -> [Figure; 3] {
        [
            Figure {
                name: OVERDUE_NOW.to_string(),
                period: self.overdue_period(),
                value: self.overdue_now,
            },
            Figure {
                name: BREACHES_THIS_YEAR.to_string(),
                period: self.year_period(),
                value: self.breaches_this_year,
            },
            Figure {
                name: DUE_SOON.to_string(),
                period: self.due_soon_period(),
                value: self.due_soon,
            },
        ]
    }

    /// The Panel's own duties, labelled as the Panel's, for beside the headline numbers.
    pub fn panel_figures(&self) -> [Figure; 3] {
        [
            Figure {
                name: "Panel's own duties overdue now".to_string(),
                period: self.overdue_period(),
                value: self.panel.overdue_now,
            },
            Figure {
                name: "Panel's own duties late or overdue this financial year".to_string(),
                period: self.year_period(),
                value: self.panel.past_due_this_year,
            },
            Figure {
                name: "Panel's own duties due soon".to_string(),
                period: self.due_soon_period(),
                value: self.panel.due_soon,
            },
        ]
    }

    /// The one-sentence headline: "3 duties overdue now, 2 of them new this week; 1 due in the
    /// next 10 working days; 8 breaches this financial year." `new_overdue` is how many of the
    /// overdue are new since the last report (and that report's as-of date), when known.
    pub fn sentence(&self, new_overdue: Option<(usize, NaiveDate)>) -> String {
        let mut s = match self.overdue_now {
            0 => "No duty overdue now".to_string(),
            n => format!("{} overdue now", plural(n, "duty", "duties")),
        };
        if let (Some((new, since)), true) = (new_overdue, self.overdue_now > 0) {
            let when = if self.as_of.signed_duration_since(since).num_days() <= 7 {
                "this week".to_string()
            } else {
                format!("since the report of {}", dmy(since))
            };
            let new = new.min(self.overdue_now);
            s.push_str(&match (new, self.overdue_now) {
                (0, 1) => format!(", not new {when}"),
                (0, _) => format!(", none of them new {when}"),
                (n, m) if n == m && m > 1 => format!(", all of them new {when}"),
                (1, 1) => format!(", new {when}"),
                (n, _) => format!(", {n} of them new {when}"),
            });
        }
        s.push_str(&format!(
            "; {} in the next {DUE_SOON_WORKING_DAYS} working days",
            match self.due_soon {
                0 => "none due".to_string(),
                n => format!("{n} due"),
            }
        ));
        s.push_str(&format!(
            "; {} this financial year.",
            plural(self.breaches_this_year, "breach", "breaches")
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn headline(overdue: usize, soon: usize, year: usize) -> Headline {
        Headline {
            as_of: d("2026-11-23"),
            year_start: d("2026-04-01"),
            year_end: d("2027-03-31"),
            due_soon_until: d("2026-12-07"),
            overdue_now: overdue,
            breaches_this_year: year,
            due_soon: soon,
            relaxed_overdue: 0,
            panel: PanelFigures::default(),
        }
    }

    #[test]
    fn financial_years() {
        assert_eq!(financial_year_start(d("2026-11-23")), d("2026-04-01"));
        assert_eq!(financial_year_start(d("2026-03-31")), d("2025-04-01"));
        assert_eq!(financial_year_start(d("2026-04-01")), d("2026-04-01"));
    }

    #[test]
    fn the_sentence_reads_as_the_issue_asks() {
        let h = headline(3, 1, 8);
        assert_eq!(
            h.sentence(Some((2, d("2026-11-16")))),
            "3 duties overdue now, 2 of them new this week; 1 due in the next 10 working days; 8 breaches this financial year."
        );
        assert_eq!(
            headline(0, 0, 1).sentence(None),
            "No duty overdue now; none due in the next 10 working days; 1 breach this financial year."
        );
        assert_eq!(
            headline(1, 2, 1).sentence(Some((1, d("2026-10-01")))),
            "1 duty overdue now, new since the report of 01/10/2026; 2 due in the next 10 working days; 1 breach this financial year."
        );
        assert_eq!(
            headline(2, 0, 2).sentence(Some((0, d("2026-11-16")))),
            "2 duties overdue now, none of them new this week; none due in the next 10 working days; 2 breaches this financial year."
        );
    }

    #[test]
    fn periods_are_named() {
        let h = headline(3, 1, 8);
        let f = h.figures();
        assert_eq!(f[0].label(), "Overdue now (as of 23/11/2026)");
        assert_eq!(
            f[1].label(),
            "Breaches this financial year (1 April 2026 to 31 March 2027)"
        );
        assert_eq!(
            f[2].label(),
            "Due soon (due by 07/12/2026, the next 10 working days)"
        );
        assert!(h
            .panel_figures()
            .iter()
            .all(|f| f.name.starts_with("Panel's own")));
    }
}
