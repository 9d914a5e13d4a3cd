//! The verdicts: every case against every duty as of a date, with the edge rules of DOMAIN.md.
//! An event dated after the as-of date has not happened yet.
//!
//! Over 500 lines on purpose: the evaluation of one case against every duty (applicability, the
//! law by date, the clock, the deadline, the status, breach and note) reads top to bottom as
//! DOMAIN states it; the findings file and the tests are beside it.

pub mod csv;

use chrono::NaiveDate;

use crate::calendar::{add_months, Calendar};
use crate::cases::{Case, Value};
use crate::fields::{FieldId, Schema};
use crate::rules::{Condition, Deadline, Duty, IfBlank, RuleSet, StartBlank, Subject};

#[cfg(test)]
mod law_by_date_tests;

pub use crate::status::Status;

/// Why a duty is `unknown` (or, for information, why it is pending without a due date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    None,
    /// A fact the applicability needs is blank.
    Blank(FieldId),
    /// A fact is present but unreadable.
    Unreadable(FieldId),
    /// The log has no column for a fact at all (a missing column is not a blank cell).
    Missing(FieldId),
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
    /// Not applicable: the duty's condition (index into its `applies`) does not hold.
    NotMet(u8),
    /// Not applicable: the duty was not in force at the case's date. `span` indexes the duty's
    /// in-force spans: the case came before its start (`before`) or on or after its end.
    NotInForce {
        span: u8,
        before: bool,
    },
    /// The date that decides whether the duty was in force (this field) is blank or unreadable,
    /// and the case's other dates leave periods with different verdicts.
    PeriodUnsettled(FieldId),
}

impl Reason {
    /// Plain words. Never contains cell text.
    pub fn describe(self, schema: &Schema, rules: &RuleSet) -> String {
        match self {
            Reason::None => String::new(),
            Reason::Blank(f) => format!("{} is blank", schema.label(f)),
            Reason::Unreadable(f) => format!("{} is unreadable", schema.label(f)),
            Reason::Missing(f) => format!(
                "the log has no `{}` column, so it cannot be known",
                schema.label(f)
            ),
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
            Reason::NotMet(_) => "its conditions do not hold for this case".to_string(),
            Reason::NotInForce { .. } => "not in force at the case's date".to_string(),
            Reason::PeriodUnsettled(f) => format!(
                "{} is blank or unreadable, and the case's other dates do not settle whether this duty was in force",
                schema.label(f)
            ),
        }
    }
}

/// Which answer of a referral a verdict could not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Working days counted for a timed status: for `late` and `overdue`, after the due date up
    /// to the done (or as-of) date; for `pending` with a due date, after the as-of date up to the
    /// due date. Read it by [`Finding::working_days_late`] and [`Finding::working_days_left`]:
    /// one field, not one per meaning, keeps a finding at 32 bytes (a million-case audit holds
    /// 14 million of them).
    pub working_days: Option<u32>,
    pub reason: Reason,
}

const _: () = assert!(std::mem::size_of::<Finding>() == 32);

impl Finding {
    /// For `late` and `overdue`: working days after the due date up to the done (or as-of) date.
    pub fn working_days_late(&self) -> Option<u32> {
        match self.status {
            Status::Late | Status::Overdue => self.working_days,
            _ => None,
        }
    }

    /// For `pending` with a due date: working days after the as-of date up to the due date.
    pub fn working_days_left(&self) -> Option<u32> {
        match self.status {
            Status::Pending => self.working_days,
            _ => None,
        }
    }

    /// Whether this finding is a breach by the partnership: its status is `late`, `overdue` or
    /// `early`, its duty is the partnership's (not the Panel's own), and its due date is not in a
    /// relaxed period of that duty. The one place every count in the product asks.
    pub fn breach(&self, rules: &RuleSet) -> bool {
        matches!(self.status, Status::Late | Status::Overdue | Status::Early)
            && rules
                .duties
                .get(self.duty as usize)
                .is_some_and(|d| d.breach)
            && self
                .due
                .is_none_or(|due| rules.relaxation_at(self.duty as usize, due).is_none())
    }

    /// The findings file's `note`: why the duty is `not_applicable` or `unknown`, or that its
    /// timescale was relaxed; blank otherwise. Plain words, never cell text.
    pub fn note(&self, rules: &RuleSet) -> String {
        let duty = rules.duties.get(self.duty as usize);
        match (self.status, self.reason) {
            (_, Reason::NotMet(i)) => duty
                .and_then(|d| d.applies.get(i as usize))
                .map(|c| {
                    format!(
                        "applies only when {}",
                        crate::rules::describe_condition(c, &rules.schema, &rules.duties)
                    )
                })
                .unwrap_or_else(|| "its conditions do not hold for this case".to_string()),
            (_, Reason::NotInForce { span, before }) => {
                let Some(d) = duty else {
                    return String::new();
                };
                let span = d
                    .in_force
                    .as_ref()
                    .and_then(|f| f.spans.get(span as usize))
                    .copied();
                let when = match (span, before) {
                    (Some((Some(from), _)), true) => {
                        format!("not in force before {}", from.format("%d/%m/%Y"))
                    }
                    (Some((_, Some(until))), false) => {
                        format!("not in force from {}", until.format("%d/%m/%Y"))
                    }
                    _ => "not in force at the case's date".to_string(),
                };
                if d.not_in_force.is_empty() {
                    when
                } else {
                    format!("{when}: {}", d.not_in_force)
                }
            }
            (Status::NotApplicable, Reason::None) => match duty.map(|d| d.subject) {
                Some(Subject::Referral) => {
                    "the referral is not a qualifying serious-incident referral".to_string()
                }
                _ => "its conditions do not hold for this case".to_string(),
            },
            (_, Reason::None) => match self
                .due
                .and_then(|due| rules.relaxation_at(self.duty as usize, due))
            {
                Some(r) => r.note(),
                None => String::new(),
            },
            (Status::Pending, Reason::NotStarted(_)) => String::new(),
            (_, r) => r.describe(&rules.schema, rules),
        }
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
        Value::Absent => Err(Reason::Missing(f)),
    }
}

fn condition(c: &Condition, case: &Case, as_of: NaiveDate, earlier: &[(Tri, Status)]) -> Tri {
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
            // Where the rules say what a blank means (no location: in area), a missing column
            // means the same; otherwise it says nothing.
            Value::Absent => match if_blank {
                IfBlank::Means(v) => bool_tri(values.contains(v)),
                IfBlank::Unknown | IfBlank::NotMet => Tri::Unknown(Reason::Missing(*field)),
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
            Some((Tri::Yes, _)) => Tri::Yes,
            Some((Tri::No, _)) => Tri::No,
            Some((Tri::Unknown(_), _)) | None => Tri::Unknown(Reason::DependsOn(*j as u16)),
        },
        // That duty's verdict for this case (an unknown verdict leaves this unknown, unless
        // `unknown` is one of the statuses asked for).
        Condition::Status { duty, statuses } => match earlier.get(*duty) {
            Some((_, s)) if statuses.contains(s) => Tri::Yes,
            Some((_, Status::Unknown)) | None => Tri::Unknown(Reason::DependsOn(*duty as u16)),
            Some(_) => Tri::No,
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
/// With `No`, the index of the first condition that does not hold (for the note).
fn applies(duty: &Duty, case: &Case, as_of: NaiveDate, earlier: &[(Tri, Status)]) -> (Tri, u8) {
    let mut result = (Tri::Yes, 0);
    for (i, c) in duty.applies.iter().enumerate() {
        match condition(c, case, as_of, earlier) {
            Tri::Unknown(r) => return (Tri::Unknown(r), 0),
            Tri::No if result.0 == Tri::Yes => result = (Tri::No, i.min(255) as u8),
            Tri::No | Tri::Yes => {}
        }
    }
    result
}

/// Whether a duty was in force for a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Force {
    Yes,
    No {
        span: u8,
        before: bool,
    },
    /// The deciding date is not known and the other dates leave both possible.
    Unsettled(FieldId),
}

/// A date field's date if it has happened by the as-of date.
fn happened(case: &Case, f: FieldId, as_of: NaiveDate) -> Option<NaiveDate> {
    match case.value(f) {
        Value::Date(d) if d <= as_of => Some(d),
        _ => None,
    }
}

/// DOMAIN.md "The law by date": the duty's periods are judged by one date of the case. When it
/// is blank (or unreadable, or after the as-of date), it lies somewhere from the latest of the
/// dates it cannot precede up to the as-of date; if all of that range is in force (or none of
/// it), the period is settled.
fn in_force(duty: &Duty, case: &Case, as_of: NaiveDate) -> Force {
    let Some(f) = &duty.in_force else {
        return Force::Yes;
    };
    let (lo, hi) = match happened(case, f.judged_by, as_of) {
        Some(d) => (Some(d), d),
        None => (
            f.not_before
                .iter()
                .filter_map(|&g| happened(case, g, as_of))
                .max(),
            as_of,
        ),
    };
    let contained = f
        .spans
        .iter()
        .any(|&(a, b)| a.is_none_or(|a| lo.is_some_and(|lo| a <= lo)) && b.is_none_or(|b| hi < b));
    if contained {
        return Force::Yes;
    }
    let meets = f
        .spans
        .iter()
        .any(|&(a, b)| a.is_none_or(|a| a <= hi) && b.is_none_or(|b| lo.is_none_or(|lo| lo < b)));
    if meets {
        return Force::Unsettled(f.judged_by);
    }
    // Wholly outside: before the next span, or on or after the end of the last one before it.
    match f.spans.iter().position(|&(a, _)| a.is_some_and(|a| hi < a)) {
        Some(i) if i == 0 || lo.is_none() => Force::No {
            span: i as u8,
            before: true,
        },
        Some(i) => Force::No {
            span: (i - 1) as u8,
            before: false,
        },
        None => Force::No {
            span: f.spans.len().saturating_sub(1) as u8,
            before: false,
        },
    }
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
    // Whether each duty so far applies, and its verdict, for the conditions of later duties
    // (on the stack for the usual handful of duties: this runs once per case).
    let n = rules.duties.len();
    let none = (Tri::No, Status::NotApplicable);
    let mut small = [none; 32];
    let mut large = Vec::new();
    let earlier: &mut [(Tri, Status)] = if n <= small.len() {
        &mut small[..n]
    } else {
        large.resize(n, none);
        &mut large
    };
    for (i, duty) in rules.duties.iter().enumerate() {
        if duty.subject != Subject::Incident {
            earlier[i] = none;
            continue;
        }
        let (tri, f) = judge(case_index, i as u16, duty, case, cal, as_of, &earlier[..i]);
        earlier[i] = (tri, f.status);
        out.push(f);
    }
}

/// One duty of one case: is it in force, does it apply, and its verdict.
#[allow(clippy::too_many_arguments)]
fn judge(
    case_index: u32,
    duty_index: u16,
    duty: &Duty,
    case: &Case,
    cal: &Calendar,
    as_of: NaiveDate,
    earlier: &[(Tri, Status)],
) -> (Tri, Finding) {
    let field = match in_force(duty, case, as_of) {
        Force::No { span, before } => {
            let f = blank(
                case_index,
                duty_index,
                Status::NotApplicable,
                Reason::NotInForce { span, before },
            );
            return (Tri::No, f);
        }
        Force::Yes => None,
        Force::Unsettled(field) => Some(field),
    };
    let (tri, why) = applies(duty, case, as_of, earlier);
    match (field, tri) {
        // Not settled, and the duty would apply: the periods still possible disagree.
        // Not settled, and the duty would apply: the periods still possible disagree (not
        // applicable in one, a verdict in another). If that verdict is itself `unknown`, its
        // reason (e.g. the blank date) is the more useful note.
        (Some(field), Tri::Yes) => {
            let r = Reason::PeriodUnsettled(field);
            let f = evaluate_duty(case_index, duty_index, duty, tri, why, case, cal, as_of);
            let f = if f.status == Status::Unknown {
                f
            } else {
                blank(case_index, duty_index, Status::Unknown, r)
            };
            (Tri::Unknown(r), f)
        }
        // The period is settled, or every period still possible gives the same verdict (it
        // does not apply, or cannot be decided whatever the period).
        _ => (
            tri,
            evaluate_duty(case_index, duty_index, duty, tri, why, case, cal, as_of),
        ),
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
        working_days: None,
        reason,
    }
}

#[allow(clippy::too_many_arguments)]
fn evaluate_duty(
    case_index: u32,
    duty_index: u16,
    duty: &Duty,
    applies: Tri,
    why_not: u8,
    case: &Case,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Finding {
    let unknown = |r| blank(case_index, duty_index, Status::Unknown, r);
    match applies {
        Tri::No => {
            return blank(
                case_index,
                duty_index,
                Status::NotApplicable,
                Reason::NotMet(why_not),
            )
        }
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
            f.working_days = Some(n);
            Status::Late
        }),
        None if as_of > due => wd(cal, due, as_of).map(|n| {
            f.working_days = Some(n);
            Status::Overdue
        }),
        None => wd(cal, as_of, due).map(|n| {
            f.working_days = Some(n);
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
    /// Findings that are the partnership's breach ([`Finding::breach`]).
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
        if f.breach(rules) {
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
