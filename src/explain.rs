//! Explaining one case's verdicts: its timeline and, for each duty, the clock start, the
//! arithmetic of the due date (which weekends and bank holidays it skipped), the status and
//! the legal source. This is how a manager checks a verdict they doubt.

use chrono::NaiveDate;

use crate::audit::Audit;
use crate::cases::{Case, Value};
use crate::fields::{Kind, Schema};
use crate::findings::{Finding, Status};
use crate::rules::{Deadline, Duty};

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
    if f.status == Status::NotApplicable {
        s.push_str("  Status: not_applicable (the conditions do not hold for this case)\n");
        s.push_str(&format!("  Source: {}\n", duty.source));
        return s;
    }
    match f.start {
        Some(start) => s.push_str(&format!(
            "  Clock starts: {} ({})\n",
            day(start),
            duty.start_label(schema)
        )),
        None => s.push_str(&format!(
            "  Clock starts: not yet ({} has no date on or before the as-of date)\n",
            duty.start_label(schema)
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
            f.working_days_late.unwrap_or(0),
            plural(f.working_days_late.unwrap_or(0))
        )),
        Status::Overdue => status.push_str(&format!(
            " ({} working day{} overdue at the as-of date)",
            f.working_days_late.unwrap_or(0),
            plural(f.working_days_late.unwrap_or(0))
        )),
        Status::Pending => match f.working_days_left {
            Some(n) => status.push_str(&format!(" ({n} working day{} left)", plural(n))),
            None => status.push_str(&format!(" ({})", f.reason.describe(schema, &audit.rules))),
        },
        Status::Unknown => status.push_str(&format!(
            " ({}: see the data quality list)",
            f.reason.describe(schema, &audit.rules)
        )),
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
        (None, None) => s.push_str(&format!("  Done: no date in {}\n", schema.label(duty.done))),
    }
}
