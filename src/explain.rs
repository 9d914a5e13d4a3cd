//! Explaining one case's verdicts: its timeline and, for each duty, the clock start, the
//! arithmetic of the due date (which weekends and bank holidays it skipped), the status and
//! the legal source. It says why: which condition made a duty not applicable ("Abuse or
//! neglect: not suspected"), and the real reason a duty is unknown (which cell, where).
//! This is how a manager checks a verdict they doubt.

use chrono::NaiveDate;

use crate::cases::{Case, Value};
use crate::fields::{FieldId, Kind, Schema};
use crate::findings::{Finding, Status};
use crate::pipeline::Audit;
use crate::rules::{Deadline, Duty};

mod why;

use why::{not_applicable_because, unknown_because};

fn day(d: NaiveDate) -> String {
    d.format("%a %d/%m/%Y").to_string()
}

/// The explanation of a case, or `None` if no case has this reference.
pub fn case(audit: &Audit, case_ref: &str) -> Option<String> {
    let wanted = case_ref.trim();
    let idx = audit
        .cases
        .cases
        .iter()
        .position(|c| c.case_ref.eq_ignore_ascii_case(wanted))?;
    let case = &audit.cases.cases[idx];
    let schema = &audit.rules.schema;
    let mut s = String::new();
    s.push_str(&format!(
        "Case {} (child ID {}, {}), as of {}\n",
        case.case_ref,
        case.child_id.as_deref().unwrap_or("not given"),
        case.local_authority
            .as_deref()
            .unwrap_or("local authority not given"),
        day(audit.as_of)
    ));
    s.push_str(&format!(
        "Read from {} ({} row{})\n\n",
        audit.cases.locate(Some(case.first_row), None, schema),
        case.rows,
        if case.rows == 1 { "" } else { "s" }
    ));
    if !case.referral {
        s.push_str(&timeline(case, schema, audit.as_of));
        s.push('\n');
    }
    let findings: Vec<&Finding> = audit
        .findings
        .iter()
        .filter(|f| f.case == idx as u32)
        .collect();
    for f in findings {
        if let Some(duty) = audit.rules.duties.get(f.duty as usize) {
            s.push_str(&duty_text(audit, case, duty, f));
            s.push('\n');
        }
    }
    Some(s)
}

/// Why no case has this reference: the nearest references (by edit distance, ignoring case)
/// and, when rows with it were set aside, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub nearest: Vec<String>,
    pub set_aside: Vec<String>,
}

/// The references nearest to `wanted` (at most `n`), and why rows with it were set aside.
pub fn not_found(audit: &Audit, wanted: &str, n: usize) -> NotFound {
    let wanted = wanted.trim().to_lowercase();
    let mut scored: Vec<(usize, &str)> = audit
        .cases
        .cases
        .iter()
        .filter(|c| !c.referral)
        .map(|c| (distance(&wanted, &c.case_ref.to_lowercase()), &*c.case_ref))
        .collect();
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| crate::util::natural::natural_cmp(a.1, b.1))
    });
    let set_aside = audit
        .cases
        .problems
        .iter()
        .filter(|p| {
            p.case_ref
                .as_deref()
                .is_some_and(|c| c.trim().to_lowercase() == wanted)
                && p.kind == crate::cases::ProblemKind::SetAside
        })
        .map(|p| {
            format!(
                "{}: {}",
                audit.cases.locate(p.at, None, &audit.rules.schema),
                p.message
            )
        })
        .collect();
    NotFound {
        nearest: scored
            .into_iter()
            .take(n)
            .map(|(_, c)| c.to_string())
            .collect(),
        set_aside,
    }
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn timeline(case: &Case, schema: &Schema, as_of: NaiveDate) -> String {
    let mut events: Vec<(NaiveDate, &str)> = Vec::new();
    let mut facts = Vec::new();
    let mut problems = Vec::new();
    for f in schema.ids() {
        match (case.value(f), &schema.def(f).kind) {
            (Value::Date(d), _) => events.push((d, schema.label(f))),
            (Value::Cat(i), _) => facts.push(format!(
                "{}: {}",
                schema.label(f),
                schema.category_value(f, i)
            )),
            (Value::Blank, Kind::Category(_)) => {
                facts.push(format!("{}: (blank)", schema.label(f)))
            }
            (Value::Invalid, _) => problems.push(format!("{}: unreadable", schema.label(f))),
            (Value::Conflict, _) => problems.push(format!("{}: rows disagree", schema.label(f))),
            (Value::Absent, _) => {
                problems.push(format!("{}: no such column in the log", schema.label(f)))
            }
            _ => {}
        }
    }
    events.sort();
    let mut s = String::from("Timeline\n");
    for (d, label) in &events {
        let later = if *d > as_of {
            "   (after the as-of date: not yet happened)"
        } else {
            ""
        };
        s.push_str(&format!("  {}  {label}{later}\n", day(*d)));
    }
    s.push_str("Facts\n");
    for f in facts {
        s.push_str(&format!("  {f}\n"));
    }
    if !problems.is_empty() {
        s.push_str("Data problems\n");
        for p in problems {
            s.push_str(&format!("  {p}\n"));
        }
    }
    s
}

fn duty_text(audit: &Audit, case: &Case, duty: &Duty, f: &Finding) -> String {
    let schema = &audit.rules.schema;
    let cal = &audit.calendar;
    let mut s = format!("{}: {}\n", duty.id, duty.title);
    s.push_str(&format!("  Applies when: {}\n", duty.applies_text));
    s.push_str(&regime_line(audit, case, duty));
    if let Some(r) = f
        .due
        .and_then(|due| audit.rules.relaxation_at(f.duty as usize, due))
    {
        s.push_str(&format!(
            "  Relaxed period ON ({}): {} - due dates {} to {}: {}\n",
            r.origin,
            r.title,
            r.from.format("%d/%m/%Y"),
            r.until.format("%d/%m/%Y"),
            r.changes
        ));
    }
    if f.status == Status::NotApplicable {
        let why = match f.reason {
            crate::findings::Reason::NotInForce { .. } => f.note(&audit.rules),
            _ => not_applicable_because(audit, case, duty, f.case),
        };
        s.push_str(&format!("  Status: not_applicable ({why})\n"));
        s.push_str(&format!("  Source: {}\n", duty.source));
        return s;
    }
    match f.start {
        Some(start) => s.push_str(&format!(
            "  Clock starts: {} ({})\n",
            day(start),
            duty.start_label(schema)
        )),
        None if duty.subject == crate::rules::Subject::Referral => s.push_str(&format!(
            "  Clock starts: not yet ({} is blank or unreadable)\n",
            duty.start_label(schema)
        )),
        None => s.push_str(&format!(
            "  Clock starts: {}\n",
            clock_text(case, duty.start, schema, audit.as_of, f.status)
        )),
    }
    if let (Some(start), Some(due)) = (f.start, f.due) {
        let arithmetic = match duty.deadline {
            Deadline::WorkingDaysAfter(n) => {
                let skipped = cal.skipped_days(start, due);
                format!(
                    "{n} working days after {} = {}{}",
                    day(start),
                    day(due),
                    skipped_text(&skipped)
                )
            }
            Deadline::WorkingDaysBefore(n) => {
                let skipped = cal.skipped_days(due, start);
                format!(
                    "{n} working days before {} = {}{}",
                    day(start),
                    day(due),
                    skipped_text(&skipped)
                )
            }
            Deadline::MonthsAfter(n) | Deadline::AtLeastMonthsAfter(n) => {
                let clamp = if due.format("%d").to_string() != start.format("%d").to_string() {
                    " (that month has no such day: its last day)"
                } else {
                    ""
                };
                format!("{n} months after {} = {}{clamp}", day(start), day(due))
            }
            Deadline::AsSoonAs => String::new(),
        };
        s.push_str(&format!("  Due: {arithmetic}\n"));
    } else if duty.deadline == Deadline::AsSoonAs {
        s.push_str("  Due: as soon as possible (the law sets no number of days)\n");
    }
    if duty.subject == crate::rules::Subject::Referral {
        let found = if f.status == Status::Met { "yes" } else { "no" };
        s.push_str(&format!(
            "  Case in the log: {found} ({})\n",
            duty.done_label(schema)
        ));
    } else {
        done_line(&mut s, f, case, duty, schema);
    }
    let mut status = format!("  Status: {}", f.status.id());
    match f.status {
        Status::Late => status.push_str(&format!(
            " ({} working day{} late)",
            f.working_days_late().unwrap_or(0),
            plural(f.working_days_late().unwrap_or(0))
        )),
        Status::Overdue => status.push_str(&format!(
            " ({} working day{} overdue at the as-of date)",
            f.working_days_late().unwrap_or(0),
            plural(f.working_days_late().unwrap_or(0))
        )),
        Status::Pending => match f.working_days_left() {
            Some(n) => status.push_str(&format!(" ({n} working day{} left)", plural(n))),
            None => status.push_str(&format!(" ({})", f.reason.describe(schema, &audit.rules))),
        },
        Status::Unknown => status.push_str(&format!(" ({})", unknown_because(audit, case, f))),
        _ => {}
    }
    if !duty.breach && f.status.is_breach() {
        status.push_str(" - this is the Panel's timescale, not a breach by the partnership");
    }
    s.push_str(&status);
    s.push('\n');
    s.push_str(&format!("  Who acts: {}\n", duty.actor.label()));
    s.push_str(&format!("  Source: {}\n", duty.source));
    s
}

/// Which regime of the law judged the duty for this case (DOMAIN "The law by date").
fn regime_line(audit: &Audit, case: &Case, duty: &Duty) -> String {
    let rules = &audit.rules;
    let Some(force) = &duty.in_force else {
        return "  Law by date: in force at every date\n".to_string();
    };
    let label = rules.schema.label(force.judged_by);
    let date = match case.value(force.judged_by) {
        Value::Date(d) if d <= audit.as_of => d,
        _ => {
            return format!(
            "  Law by date: judged by {label}, which has no date by the as-of date; in force {}\n",
            rules.in_force_text(duty)
        )
        }
    };
    let contains = |i: usize| {
        let p = &rules.periods[i];
        p.judged_by == force.judged_by
            && p.from.is_none_or(|b| rules.bound(b) <= date)
            && p.until.is_none_or(|b| date < rules.bound(b))
    };
    // The duty's own period that holds the date, else any period that does.
    let own = force.periods.iter().copied().find(|&i| contains(i));
    let in_force = own.is_some();
    let judged = own.or_else(|| (0..rules.periods.len()).find(|&i| contains(i)));
    let regime = judged
        .map(|i| rules.period_text(i))
        .unwrap_or_else(|| "no period of the rules".to_string());
    format!(
        "  Law by date: {label} {} falls in {regime}: {}\n",
        day(date),
        if in_force { "in force" } else { "not in force" }
    )
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn skipped_text(skipped: &[(NaiveDate, String)]) -> String {
    if skipped.is_empty() {
        return ", no weekend or bank holiday in between".to_string();
    }
    let parts: Vec<String> = skipped
        .iter()
        .map(|(d, why)| format!("{} {}", d.format("%a %d/%m"), why))
        .collect();
    format!("\n       skipped: {}", parts.join(", "))
}

fn done_line(s: &mut String, f: &Finding, case: &Case, duty: &Duty, schema: &Schema) {
    match (f.done, case.date(duty.done)) {
        (Some(d), _) => s.push_str(&format!(
            "  Done: {} ({})\n",
            day(d),
            schema.label(duty.done)
        )),
        (None, Some(later)) => s.push_str(&format!(
            "  Done: not by the as-of date ({} is {}, after it)\n",
            schema.label(duty.done),
            day(later)
        )),
        (None, None) => match case.value(duty.done) {
            Value::Invalid => s.push_str(&format!(
                "  Done: cannot tell ({} is unreadable)\n",
                schema.label(duty.done)
            )),
            Value::Conflict => s.push_str(&format!(
                "  Done: cannot tell (the rows of this case disagree on {})\n",
                schema.label(duty.done)
            )),
            Value::Absent => s.push_str(&format!(
                "  Done: cannot tell (the log has no `{}` column)\n",
                schema.label(duty.done)
            )),
            _ => s.push_str(&format!("  Done: no date in {}\n", schema.label(duty.done))),
        },
    }
}

/// What the clock-start field holds, when no clock start was used.
fn clock_text(
    case: &Case,
    f: FieldId,
    schema: &Schema,
    as_of: NaiveDate,
    status: Status,
) -> String {
    let label = schema.label(f);
    match case.value(f) {
        Value::Date(d) if d > as_of => {
            format!("not yet ({label} is {}, after the as-of date)", day(d))
        }
        // The date is there; the status says why there is no verdict.
        Value::Date(d) => format!("{} ({label})", day(d)),
        Value::Invalid => format!("cannot tell ({label} is unreadable)"),
        Value::Conflict => format!("cannot tell (the rows of this case disagree on {label})"),
        Value::Absent => format!("cannot tell (the log has no `{label}` column)"),
        _ if status == Status::Unknown => format!("cannot tell ({label} is blank)"),
        _ => format!("not yet ({label} is blank)"),
    }
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("ns-2024-007", "ns-2024-007"), 0);
        assert_eq!(distance("ns-2024-07", "ns-2024-007"), 1);
        assert_eq!(distance("abc", ""), 3);
    }
}
