//! The rules in plain words, for the workbook's Rules sheet, `explain` and the findings' notes:
//! timescales, conditions, when a duty is in force and which relaxed periods cover it.

use chrono::NaiveDate;

use super::{Condition, Deadline, Duty, IfBlank, Relaxation, RuleSet, Subject};
use crate::fields::Schema;

pub fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Deadline {
    /// The timescale in plain words.
    pub fn describe(self) -> String {
        match self {
            Deadline::WorkingDaysAfter(n) => format!("within {n} working {}", days(n)),
            Deadline::WorkingDaysBefore(n) => {
                format!("at least {n} working {} before", days(n))
            }
            Deadline::MonthsAfter(n) => format!("within {n} {}", months(n)),
            Deadline::AtLeastMonthsAfter(12) => "for at least 1 year".to_string(),
            Deadline::AtLeastMonthsAfter(n) => format!("for at least {n} {}", months(n)),
            Deadline::AsSoonAs => "as soon as possible (no number of days set)".to_string(),
        }
    }
}

fn days(n: u32) -> &'static str {
    if n == 1 {
        "day"
    } else {
        "days"
    }
}

fn months(n: u32) -> &'static str {
    if n == 1 {
        "month"
    } else {
        "months"
    }
}

/// When a duty applies, in plain words.
pub(super) fn applies_text(
    subject: Subject,
    applies: &[Condition],
    schema: &Schema,
    earlier: &[Duty],
) -> String {
    if subject == Subject::Referral {
        "a referral export row is a serious-incident request (not a learning request), the child \
         died or was seriously harmed, and abuse or neglect is known or suspected"
            .to_string()
    } else if applies.is_empty() {
        "every case".to_string()
    } else {
        applies
            .iter()
            .map(|c| describe_condition(c, schema, earlier))
            .collect::<Vec<_>>()
            .join("; and ")
    }
}

/// A condition in plain words.
pub fn describe_condition(c: &Condition, schema: &Schema, duties: &[Duty]) -> String {
    match c {
        Condition::In {
            field,
            values,
            if_blank,
        } => {
            let vals: Vec<&str> = values
                .iter()
                .map(|v| schema.category_value(*field, *v))
                .collect();
            let mut s = format!("{} is {}", schema.label(*field), vals.join(" or "));
            if let IfBlank::Means(v) = if_blank {
                s.push_str(&format!(
                    " (blank counts as {})",
                    schema.category_value(*field, *v)
                ));
            }
            s
        }
        Condition::Present(f) => format!("{} has a date", schema.label(*f)),
        Condition::Duty(i) => format!(
            "the duty \"{}\" applies",
            duties.get(*i).map(|d| d.title.as_str()).unwrap_or("?")
        ),
        Condition::Status { duty, statuses } => format!(
            "the duty \"{}\" is {}",
            duties.get(*duty).map(|d| d.title.as_str()).unwrap_or("?"),
            statuses
                .iter()
                .map(|s| s.id())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Condition::Any(list) => format!(
            "({})",
            list.iter()
                .map(|c| describe_condition(c, schema, duties))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

impl RuleSet {
    /// When a duty is in force, in plain words ("when Date LA became aware is on or after
    /// 29/06/2018 (...)"), or "at every date".
    pub fn in_force_text(&self, duty: &Duty) -> String {
        let Some(f) = &duty.in_force else {
            return "at every date".to_string();
        };
        f.periods
            .iter()
            .map(|&i| self.period_text(i))
            .collect::<Vec<_>>()
            .join("; or ")
    }

    /// A period in plain words: its title and its dates.
    pub fn period_text(&self, i: usize) -> String {
        let p = &self.periods[i];
        let label = self.schema.label(p.judged_by);
        let span = match (p.from, p.until) {
            (Some(f), Some(u)) => format!(
                "{label} from {} to the day before {}",
                self.bound_text(f),
                self.bound_text(u)
            ),
            (Some(f), None) => format!("{label} on or after {}", self.bound_text(f)),
            (None, Some(u)) => format!("{label} before {}", self.bound_text(u)),
            (None, None) => "every date".to_string(),
        };
        format!("{} ({span})", p.title)
    }

    fn bound_text(&self, b: super::Bound) -> String {
        match b {
            super::Bound::Date(d) => dmy(d),
            super::Bound::Setting(i) => {
                let s = &self.settings[i];
                let how = if s.configured {
                    "set in the configuration"
                } else {
                    "the default"
                };
                format!("{} ({}, {how})", dmy(s.value), s.id)
            }
        }
    }

    /// The relaxed periods covering a duty, in plain words (empty if none).
    pub fn relaxed_text(&self, duty: &Duty) -> String {
        duty.relaxed
            .iter()
            .filter_map(|&i| self.relaxations.get(i))
            .map(|r| {
                format!(
                    "ON: {} - due dates {} to {}: {} (from {})",
                    r.title,
                    dmy(r.from),
                    dmy(r.until),
                    r.changes,
                    r.origin
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Relaxation {
    /// The note on a finding whose due date falls inside it.
    pub fn note(&self) -> String {
        format!(
            "timescale relaxed: the due date is inside the {} ({} to {}), so it is reported but not counted as a breach",
            self.title,
            dmy(self.from),
            dmy(self.until)
        )
    }
}
