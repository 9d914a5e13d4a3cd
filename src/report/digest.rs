//! The figures a director reads first, computed once for the workbook and the email: headline
//! counts, what is overdue, what falls due in the next 10 working days, compliance per duty
//! and per quarter. Cases are named by reference and child ID only.

use chrono::{Datelike, NaiveDate};

use crate::audit::Audit;
use crate::findings::{Finding, Status};
use crate::rules::Actor;

/// Working days ahead that count as "due soon" (until after next week's meeting).
pub const DUE_SOON_WORKING_DAYS: u32 = 10;

/// One duty that needs action or was breached, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub case_ref: String,
    pub child_id: String,
    pub local_authority: String,
    pub duty_id: String,
    pub duty: String,
    pub actor: Actor,
    pub status: Status,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub done: Option<NaiveDate>,
    /// Working days late (late, overdue) or left (pending); negative means late.
    pub working_days: Option<i64>,
    /// Whether it counts as the partnership's breach (the Panel's own duty does not).
    pub breach: bool,
    pub source: String,
}

/// Compliance of one duty (or all): met on time out of all that fell due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compliance {
    pub label: String,
    pub met: usize,
    pub late: usize,
    pub overdue: usize,
    pub early: usize,
}

impl Compliance {
    /// All that fell due: met, late, overdue or ended early.
    pub fn fell_due(&self) -> usize {
        self.met + self.late + self.overdue + self.early
    }

    /// Met on time as a fraction of all that fell due; `None` when nothing fell due.
    pub fn rate(&self) -> Option<f64> {
        let n = self.fell_due();
        (n > 0).then(|| self.met as f64 / n as f64)
    }

    fn add(&mut self, s: Status) {
        match s {
            Status::Met => self.met += 1,
            Status::Late => self.late += 1,
            Status::Overdue => self.overdue += 1,
            Status::Early => self.early += 1,
            _ => {}
        }
    }
}

/// The digest of an audit.
#[derive(Debug, Clone)]
pub struct Digest {
    pub as_of: NaiveDate,
    /// The reporting week: the 7 days ending on the as-of date.
    pub week_start: NaiveDate,
    /// Start of the financial year (1 April) containing the as-of date.
    pub year_start: NaiveDate,
    /// The last day that counts as due soon (10 working days after the as-of date).
    pub due_soon_until: NaiveDate,
    pub cases: usize,
    /// Cases with at least one pending or overdue duty.
    pub open_cases: usize,
    /// Overdue duties, most overdue first.
    pub overdue: Vec<Item>,
    /// Pending duties due within [`DUE_SOON_WORKING_DAYS`], soonest first.
    pub due_soon: Vec<Item>,
    /// Every overdue and pending duty, soonest due first (no due date last).
    pub action: Vec<Item>,
    /// Every late, overdue and ended-early duty.
    pub breaches: Vec<Item>,
    /// Breaches whose due date falls in this financial year (partnership's duties only).
    pub breaches_this_year: usize,
    /// Findings that are unknown (data gaps).
    pub data_gaps: usize,
    /// Per duty, in rules order, then "All duties" last.
    pub per_duty: Vec<Compliance>,
    /// Per local authority (only when the log has several).
    pub per_authority: Vec<Compliance>,
    /// On-time rate per quarter of due date ("2024 Q2" = Apr-Jun 2024, calendar quarters),
    /// oldest first.
    pub per_quarter: Vec<Compliance>,
    /// What changed since the last report sent (the weekly run's ledger); `None` for a
    /// one-off audit.
    pub changes: Option<crate::ledger::Changes>,
}

fn item(audit: &Audit, f: &Finding) -> Item {
    let case = &audit.cases.cases[f.case as usize];
    let duty = &audit.rules.duties[f.duty as usize];
    let working_days = match f.status {
        Status::Late | Status::Overdue => f.working_days_late.map(|n| -(n as i64)),
        Status::Pending => f.working_days_left.map(i64::from),
        _ => None,
    };
    Item {
        case_ref: case.case_ref.to_string(),
        child_id: case.child_id.as_deref().unwrap_or("").to_string(),
        local_authority: case.local_authority.as_deref().unwrap_or("").to_string(),
        duty_id: duty.id.clone(),
        duty: duty.title.clone(),
        actor: duty.actor,
        status: f.status,
        start: f.start,
        due: f.due,
        done: f.done,
        working_days,
        breach: duty.breach,
        source: duty.source.clone(),
    }
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

/// "2024 Q2" for calendar quarters.
pub fn quarter_label(d: NaiveDate) -> String {
    format!("{} Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

impl Digest {
    pub fn of(audit: &Audit) -> Digest {
        let as_of = audit.as_of;
        let due_soon_until = audit
            .calendar
            .add_working_days(as_of, DUE_SOON_WORKING_DAYS)
            .unwrap_or(as_of);
        let year_start = financial_year_start(as_of);
        let mut per_duty: Vec<Compliance> = audit
            .rules
            .duties
            .iter()
            .map(|d| Compliance {
                label: d.title.clone(),
                ..Default::default()
            })
            .collect();
        let mut all = Compliance {
            label: "All duties".to_string(),
            ..Default::default()
        };
        let mut authorities: std::collections::BTreeMap<String, Compliance> = Default::default();
        let mut quarters: std::collections::BTreeMap<(i32, u32), Compliance> = Default::default();
        let mut overdue = Vec::new();
        let mut due_soon = Vec::new();
        let mut action = Vec::new();
        let mut breaches = Vec::new();
        let mut breaches_this_year = 0;
        let mut data_gaps = 0;
        let mut open = vec![false; audit.cases.cases.len()];
        for f in &audit.findings {
            let duty = &audit.rules.duties[f.duty as usize];
            match f.status {
                Status::Unknown => data_gaps += 1,
                Status::Overdue | Status::Pending => open[f.case as usize] = true,
                _ => {}
            }
            // The Panel's own timescale is reported but not counted in the partnership's
            // compliance.
            if duty.breach {
                per_duty[f.duty as usize].add(f.status);
                all.add(f.status);
                if let Some(due) = f.due {
                    if matches!(
                        f.status,
                        Status::Met | Status::Late | Status::Overdue | Status::Early
                    ) {
                        let q = quarters
                            .entry((due.year(), (due.month() - 1) / 3 + 1))
                            .or_insert_with(|| Compliance {
                                label: quarter_label(due),
                                ..Default::default()
                            });
                        q.add(f.status);
                    }
                }
                if let Some(la) = audit.cases.cases[f.case as usize]
                    .local_authority
                    .as_deref()
                {
                    authorities
                        .entry(la.to_string())
                        .or_insert_with(|| Compliance {
                            label: la.to_string(),
                            ..Default::default()
                        })
                        .add(f.status);
                }
            } else if let Status::Met | Status::Late | Status::Overdue | Status::Early = f.status {
                per_duty[f.duty as usize].add(f.status);
            }
            if matches!(f.status, Status::Overdue | Status::Pending) {
                let it = item(audit, f);
                if f.status == Status::Overdue {
                    overdue.push(it.clone());
                } else if f.due.is_some_and(|d| d <= due_soon_until) {
                    due_soon.push(it.clone());
                }
                action.push(it);
            }
            if f.status.is_breach() {
                if duty.breach && f.due.is_some_and(|d| d >= year_start && d <= as_of) {
                    breaches_this_year += 1;
                }
                breaches.push(item(audit, f));
            }
        }
        overdue.sort_by(|a, b| {
            a.working_days
                .cmp(&b.working_days)
                .then_with(|| crate::audit::natural_cmp(&a.case_ref, &b.case_ref))
        });
        let by_due = |a: &Item, b: &Item| {
            (a.due.is_none(), a.due)
                .cmp(&(b.due.is_none(), b.due))
                .then_with(|| crate::audit::natural_cmp(&a.case_ref, &b.case_ref))
        };
        due_soon.sort_by(by_due);
        action.sort_by(by_due);
        breaches.sort_by(|a, b| {
            b.due
                .cmp(&a.due)
                .then_with(|| crate::audit::natural_cmp(&a.case_ref, &b.case_ref))
        });
        per_duty.push(all);
        Digest {
            as_of,
            week_start: as_of - chrono::Days::new(6),
            year_start,
            due_soon_until,
            cases: audit.incident_case_count(),
            open_cases: open.iter().filter(|o| **o).count(),
            overdue,
            due_soon,
            action,
            breaches,
            breaches_this_year,
            data_gaps,
            per_duty,
            per_authority: if authorities.len() > 1 {
                authorities.into_values().collect()
            } else {
                Vec::new()
            },
            per_quarter: quarters.into_values().collect(),
            changes: None,
        }
    }

    /// The digest with what changed since the last report.
    pub fn with_changes(mut self, changes: crate::ledger::Changes) -> Digest {
        self.changes = Some(changes);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn financial_years_and_quarters() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(financial_year_start(d("2026-11-23")), d("2026-04-01"));
        assert_eq!(financial_year_start(d("2026-03-31")), d("2025-04-01"));
        assert_eq!(quarter_label(d("2024-05-01")), "2024 Q2");
        let c = Compliance {
            met: 3,
            late: 1,
            ..Default::default()
        };
        assert_eq!(c.rate(), Some(0.75));
        assert_eq!(Compliance::default().rate(), None);
    }
}
