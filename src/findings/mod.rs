//! The verdicts: every case against every duty as of a date, with the edge rules of DOMAIN.md.
//! An event dated after the as-of date has not happened yet.

pub mod csv;

use chrono::NaiveDate;

use crate::calendar::{add_months, Calendar};
use crate::cases::{Case, Value};
use crate::fields::{FieldId, Schema};
use crate::rules::{Condition, Deadline, Duty, IfBlank, RuleSet, StartBlank, Subject};

/// The verdict on one duty of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Met,
    Late,
    Overdue,
    Pending,
    NotApplicable,
    Unknown,
    /// A minimum period ended early (a report taken down before its first anniversary).
    Early,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Met,
        Status::Late,
        Status::Overdue,
        Status::Pending,
        Status::NotApplicable,
        Status::Unknown,
        Status::Early,
    ];

    /// The id used in the findings file.
    pub fn id(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Late => "late",
            Status::Overdue => "overdue",
            Status::Pending => "pending",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
            Status::Early => "early",
        }
    }

    /// Plain words for the workbook and email.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::Late => "Late",
            Status::Overdue => "Overdue",
            Status::Pending => "Pending",
            Status::NotApplicable => "Not applicable",
            Status::Unknown => "Unknown (data missing)",
            Status::Early => "Ended early",
        }
    }

    /// A breach: late, overdue, or a minimum period cut short.
    pub fn is_breach(self) -> bool {
        matches!(self, Status::Late | Status::Overdue | Status::Early)
    }
}

/// Why a duty is `unknown` (or, for information, why it is pending without a due date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    None,
    /// A fact the applicability needs is blank.
    Blank(FieldId),
    /// A fact is present but unreadable.
    Unreadable(FieldId),
    /// Rows of the case disagree on a fact.
    Conflicting(FieldId),
    /// It depends on a duty (index) that is unknown.
    DependsOn(u16),
    /// A date is outside the calendar's range.
    OutOfRange,
    /// The clock has not started (pending, no due date).
    NotStarted(FieldId),
    /// A referral's answer is blank or unreadable.
    Referral(ReferralAnswer),
}

impl Reason {
    /// Plain words. Never contains cell text.
    pub fn describe(self, schema: &Schema, rules: &RuleSet) -> String {
        match self {
            Reason::None => String::new(),
            Reason::Blank(f) => format!("{} is blank", schema.label(f)),
            Reason::Unreadable(f) => format!("{} is unreadable", schema.label(f)),
            Reason::Conflicting(f) => format!("{} differs between rows", schema.label(f)),
            Reason::DependsOn(d) => format!(
                "depends on whether the duty \"{}\" applies, which is unknown",
                rules
                    .duties
                    .get(d as usize)
                    .map(|d| d.title.as_str())
                    .unwrap_or("?")
            ),
            Reason::OutOfRange => "a date is outside 1970-2200".to_string(),
            Reason::NotStarted(f) => format!("waiting for {}", schema.label(f)),
            Reason::Referral(what) => {
                format!("the referral's {} is blank or unreadable", what.label())
            }
        }
    }
}

/// Which answer of a referral a verdict could not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralAnswer {
    RequestType,
    AbuseOrNeglect,
    DiedOrHarmed,
    DateSubmitted,
}

impl ReferralAnswer {
    pub fn label(self) -> &'static str {
        match self {
            ReferralAnswer::RequestType => "request type",
            ReferralAnswer::AbuseOrNeglect => "abuse or neglect answer",
            ReferralAnswer::DiedOrHarmed => "died / seriously harmed answer",
            ReferralAnswer::DateSubmitted => "date submitted",
        }
    }
}

/// One row of the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    /// Index into the run's cases.
    pub case: u32,
    /// Index into the rule set's duties.
    pub duty: u16,
    pub status: Status,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub done: Option<NaiveDate>,
    /// For `late` and `overdue`: working days after the due date up to the done (or as-of) date.
    pub working_days_late: Option<u32>,
    /// For `pending` with a due date: working days after the as-of date up to the due date.
    pub working_days_left: Option<u32>,
    pub reason: Reason,
}

impl Finding {
    /// Whether this finding is the partnership's breach (DOMAIN "The findings file"): late,
    /// overdue or ended early, of a duty that is the partnership's (not the Panel's own).
    /// The one definition every report counts with.
    pub fn breach(&self, rules: &RuleSet) -> bool {
        self.status.is_breach() && rules.duties[self.duty as usize].breach
    }
}

/// Three-valued applicability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Unknown(Reason),
}

/// A date field as of the as-of date: a later date has not happened yet.
fn date_as_of(case: &Case, f: FieldId, as_of: NaiveDate) -> Result<Option<NaiveDate>, Reason> {
    match case.value(f) {
        Value::Date(d) if d <= as_of => Ok(Some(d)),
        Value::Date(_) | Value::Blank | Value::Cat(_) => Ok(None),
        Value::Invalid => Err(Reason::Unreadable(f)),
        Value::Conflict => Err(Reason::Conflicting(f)),
    }
}

fn condition(c: &Condition, case: &Case, as_of: NaiveDate, earlier: &[Tri]) -> Tri {
    match c {
        Condition::In {
            field,
            values,
            if_blank,
        } => match case.value(*field) {
            Value::Cat(v) => bool_tri(values.contains(&v)),
            Value::Blank => match if_blank {
                IfBlank::Unknown => Tri::Unknown(Reason::Blank(*field)),
                IfBlank::NotMet => Tri::No,
                IfBlank::Means(v) => bool_tri(values.contains(v)),
            },
            Value::Invalid | Value::Date(_) => Tri::Unknown(Reason::Unreadable(*field)),
            Value::Conflict => Tri::Unknown(Reason::Conflicting(*field)),
        },
        Condition::Present(f) => match date_as_of(case, *f, as_of) {
            Ok(d) => bool_tri(d.is_some()),
            Err(r) => Tri::Unknown(r),
        },
        // Whether that duty applies (not its verdict: a duty that applies but cannot be
        // timed, for want of its clock-start date, still applies).
        Condition::Duty(j) => match earlier.get(*j) {
            Some(Tri::Yes) => Tri::Yes,
            Some(Tri::No) => Tri::No,
            Some(Tri::Unknown(_)) | None => Tri::Unknown(Reason::DependsOn(*j as u16)),
        },
        Condition::Any(list) => {
            let mut unknown = None;
            for c in list {
                match condition(c, case, as_of, earlier) {
                    Tri::Yes => return Tri::Yes,
                    Tri::No => {}
                    Tri::Unknown(r) => {
                        unknown.get_or_insert(r);
                    }
                }
            }
            unknown.map(Tri::Unknown).unwrap_or(Tri::No)
        }
    }
}

fn bool_tri(b: bool) -> Tri {
    if b {
        Tri::Yes
    } else {
        Tri::No
    }
}

/// All conditions must hold. A fact that is missing makes the duty unknown even when another
/// fact alone would rule it out: DOMAIN.md's "applicability needs its facts".
fn applies(duty: &Duty, case: &Case, as_of: NaiveDate, earlier: &[Tri]) -> Tri {
    let mut result = Tri::Yes;
    for c in &duty.applies {
        match condition(c, case, as_of, earlier) {
            Tri::Unknown(r) => return Tri::Unknown(r),
            Tri::No => result = Tri::No,
            Tri::Yes => {}
        }
    }
    result
}

/// The due date of a duty whose clock started on `start`.
pub fn due_date(
    cal: &Calendar,
    deadline: Deadline,
    start: NaiveDate,
) -> Result<Option<NaiveDate>, Reason> {
    let due = match deadline {
        Deadline::WorkingDaysAfter(n) => cal.add_working_days(start, n),
        Deadline::WorkingDaysBefore(n) => cal.sub_working_days(start, n),
        Deadline::MonthsAfter(n) | Deadline::AtLeastMonthsAfter(n) => Some(add_months(start, n)),
        Deadline::AsSoonAs => return Ok(None),
    };
    due.map(Some).ok_or(Reason::OutOfRange)
}

/// Working days in (a, b], as a non-negative count.
fn wd(cal: &Calendar, a: NaiveDate, b: NaiveDate) -> Result<u32, Reason> {
    cal.working_days_between(a, b)
        .map(|n| n.max(0) as u32)
        .ok_or(Reason::OutOfRange)
}

/// Evaluates one case against every incident duty, appending one finding per duty to `out`
/// (referral duties are evaluated by [`crate::referrals`]).
pub fn evaluate_case(
    case_index: u32,
    case: &Case,
    rules: &RuleSet,
    cal: &Calendar,
    as_of: NaiveDate,
    out: &mut Vec<Finding>,
) {
    // Whether each duty so far applies, for duties whose applicability depends on another's.
    let mut applicable: Vec<Tri> = Vec::with_capacity(rules.duties.len());
    for (i, duty) in rules.duties.iter().enumerate() {
        if duty.subject != Subject::Incident {
            applicable.push(Tri::No);
            continue;
        }
        let applies = applies(duty, case, as_of, &applicable);
        applicable.push(applies);
        out.push(evaluate_duty(
            case_index, i as u16, duty, applies, case, cal, as_of,
        ));
    }
}

/// A finding with no dates.
pub(crate) fn blank(case: u32, duty: u16, status: Status, reason: Reason) -> Finding {
    Finding {
        case,
        duty,
        status,
        start: None,
        due: None,
        done: None,
        working_days_late: None,
        working_days_left: None,
        reason,
    }
}

fn evaluate_duty(
    case_index: u32,
    duty_index: u16,
    duty: &Duty,
    applies: Tri,
    case: &Case,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Finding {
    let unknown = |r| blank(case_index, duty_index, Status::Unknown, r);
    match applies {
        Tri::No => return blank(case_index, duty_index, Status::NotApplicable, Reason::None),
        Tri::Unknown(r) => return unknown(r),
        Tri::Yes => {}
    }
    let start = match date_as_of(case, duty.start, as_of) {
        Ok(s) => s,
        Err(r) => return unknown(r),
    };
    let done = match date_as_of(case, duty.done, as_of) {
        Ok(d) => d,
        Err(r) => return unknown(r),
    };
    let Some(start) = start else {
        return match duty.if_start_blank {
            StartBlank::Unknown => unknown(Reason::Blank(duty.start)),
            StartBlank::Pending => Finding {
                done,
                ..blank(
                    case_index,
                    duty_index,
                    Status::Pending,
                    Reason::NotStarted(duty.start),
                )
            },
        };
    };
    let due = match due_date(cal, duty.deadline, start) {
        Ok(d) => d,
        Err(r) => return unknown(r),
    };
    let mut f = Finding {
        start: Some(start),
        due,
        done,
        ..blank(case_index, duty_index, Status::Pending, Reason::None)
    };
    let Some(due) = due else {
        // "As soon as": done is met; not done waits.
        f.status = if done.is_some() {
            Status::Met
        } else {
            Status::Pending
        };
        return f;
    };
    let result = if let Deadline::AtLeastMonthsAfter(_) = duty.deadline {
        // A minimum period: ending before the due date is early.
        Ok(match done {
            Some(d) if d < due => Status::Early,
            Some(_) => Status::Met,
            None if as_of >= due => Status::Met,
            None => Status::Pending,
        })
    } else {
        timed(&mut f, cal, due, done, as_of)
    };
    match result {
        Ok(s) => {
            f.status = s;
            f
        }
        Err(r) => unknown(r),
    }
}

/// The status of a duty with a due date: met on or before it, late after it (working days
/// late counted), overdue when not done and the as-of date is past it, else pending (working
/// days left counted).
pub(crate) fn timed(
    f: &mut Finding,
    cal: &Calendar,
    due: NaiveDate,
    done: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Result<Status, Reason> {
    match done {
        Some(d) if d <= due => Ok(Status::Met),
        Some(d) => wd(cal, due, d).map(|n| {
            f.working_days_late = Some(n);
            Status::Late
        }),
        None if as_of > due => wd(cal, due, as_of).map(|n| {
            f.working_days_late = Some(n);
            Status::Overdue
        }),
        None => wd(cal, as_of, due).map(|n| {
            f.working_days_left = Some(n);
            Status::Pending
        }),
    }
}

/// Counts of findings by status, and breaches (statuses that are the partnership's breach).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub met: usize,
    pub late: usize,
    pub overdue: usize,
    pub pending: usize,
    pub not_applicable: usize,
    pub unknown: usize,
    pub early: usize,
    /// Late, overdue or early findings of duties that count as the partnership's breach.
    pub breaches: usize,
}

impl Tally {
    pub fn add(&mut self, f: &Finding, rules: &RuleSet) {
        match f.status {
            Status::Met => self.met += 1,
            Status::Late => self.late += 1,
            Status::Overdue => self.overdue += 1,
            Status::Pending => self.pending += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Unknown => self.unknown += 1,
            Status::Early => self.early += 1,
        }
        if f.status.is_breach()
            && rules
                .duties
                .get(f.duty as usize)
                .map(|d| d.breach)
                .unwrap_or(true)
        {
            self.breaches += 1;
        }
    }

    pub fn of(findings: &[Finding], rules: &RuleSet) -> Tally {
        let mut t = Tally::default();
        for f in findings {
            t.add(f, rules);
        }
        t
    }

    pub fn count(&self, s: Status) -> usize {
        match s {
            Status::Met => self.met,
            Status::Late => self.late,
            Status::Overdue => self.overdue,
            Status::Pending => self.pending,
            Status::NotApplicable => self.not_applicable,
            Status::Unknown => self.unknown,
            Status::Early => self.early,
        }
    }
}

#[cfg(test)]
mod tests;
