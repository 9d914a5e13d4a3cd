//! Why a duty of a case is unknown or not applicable, in words: the cell that was blank or
//! unreadable and where the data-quality list found it, or the condition that failed.

use super::day;
use crate::cases::{Case, Value};
use crate::fields::FieldId;
use crate::findings::{Finding, Reason, Status};
use crate::pipeline::Audit;
use crate::rules::{Condition, Duty, IfBlank};

/// Where a field of the case was found unreadable or in conflict: "file, sheet `S`, row 12,
/// column F (Label)", from the data-quality list.
pub(super) fn where_listed(audit: &Audit, case: &Case, f: FieldId) -> Option<String> {
    audit
        .cases
        .problems
        .iter()
        .find(|p| p.field == Some(f) && p.case_ref.as_deref() == Some(&*case.case_ref))
        .map(|p| audit.cases.locate(p.at, p.field, &audit.rules.schema))
}

/// The real reason a duty is unknown, with where to look.
pub(super) fn unknown_because(audit: &Audit, case: &Case, f: &Finding) -> String {
    let schema = &audit.rules.schema;
    let duty = &audit.rules.duties[f.duty as usize];
    let located = |field: FieldId, what: String| match where_listed(audit, case, field) {
        Some(at) => format!("{what}: {at}, in the data-quality list"),
        None => what,
    };
    let role = |field: FieldId| {
        if field == duty.done {
            "the date it was done"
        } else if field == duty.start {
            "the date its clock starts"
        } else {
            "a fact that decides whether it applies"
        }
    };
    match f.reason {
        Reason::Blank(field) if field == duty.start => format!(
            "{} is blank, so its clock cannot start",
            schema.label(field)
        ),
        Reason::Blank(field) => format!(
            "{} is blank, and whether the duty applies depends on it",
            schema.label(field)
        ),
        Reason::Unreadable(field) => located(
            field,
            format!("{} ({}) is unreadable", schema.label(field), role(field)),
        ),
        Reason::Conflicting(field) => located(
            field,
            format!(
                "the rows of this case disagree on {} ({})",
                schema.label(field),
                role(field)
            ),
        ),
        Reason::DependsOn(j) => {
            let other = audit
                .findings
                .iter()
                .find(|g| g.case == f.case && g.duty == j);
            let title = audit
                .rules
                .duties
                .get(j as usize)
                .map(|d| d.title.as_str())
                .unwrap_or("?");
            match other {
                Some(g) if g.status == Status::Unknown && g.duty != f.duty => format!(
                    "it applies only if \"{title}\" applies, and that is unknown: {}",
                    unknown_because(audit, case, g)
                ),
                _ => format!("it applies only if \"{title}\" applies, and that is unknown"),
            }
        }
        r => r.describe(schema, &audit.rules),
    }
}

/// Which conditions do not hold, in plain words: "Abuse or neglect: not suspected".
pub(super) fn not_applicable_because(
    audit: &Audit,
    case: &Case,
    duty: &Duty,
    case_index: u32,
) -> String {
    let failing: Vec<String> = duty
        .applies
        .iter()
        .filter_map(|c| failing(audit, case, case_index, c))
        .collect();
    if failing.is_empty() {
        "the conditions do not hold for this case".to_string()
    } else {
        failing.join("; and ")
    }
}

/// A condition that does not hold, described with the case's value; `None` if it holds.
pub(super) fn failing(
    audit: &Audit,
    case: &Case,
    case_index: u32,
    c: &Condition,
) -> Option<String> {
    let schema = &audit.rules.schema;
    match c {
        Condition::In {
            field,
            values,
            if_blank,
        } => {
            let wanted: Vec<&str> = values
                .iter()
                .map(|v| schema.category_value(*field, *v))
                .collect();
            let label = schema.label(*field);
            match case.value(*field) {
                Value::Cat(v) if values.contains(&v) => None,
                Value::Cat(v) => Some(format!(
                    "{label}: {} (applies only when {})",
                    schema.category_value(*field, v),
                    wanted.join(" or ")
                )),
                Value::Blank => match if_blank {
                    IfBlank::Means(v) if values.contains(v) => None,
                    IfBlank::Means(v) => Some(format!(
                        "{label}: blank, which counts as {} (applies only when {})",
                        schema.category_value(*field, *v),
                        wanted.join(" or ")
                    )),
                    _ => Some(format!(
                        "{label}: blank (applies only when {})",
                        wanted.join(" or ")
                    )),
                },
                Value::Absent => match if_blank {
                    IfBlank::Means(v) if values.contains(v) => None,
                    _ => Some(format!("{label}: the log has no such column")),
                },
                _ => Some(format!("{label}: cannot be read")),
            }
        }
        Condition::Present(f) => match case.value(*f) {
            Value::Date(d) if d <= audit.as_of => None,
            Value::Date(d) => Some(format!(
                "{}: {}, after the as-of date (not yet happened)",
                schema.label(*f),
                day(d)
            )),
            _ => Some(format!("{}: no date", schema.label(*f))),
        },
        Condition::Duty(j) => {
            let applies = audit
                .findings
                .iter()
                .find(|g| g.case == case_index && g.duty as usize == *j)
                .is_some_and(|g| g.status != Status::NotApplicable);
            let title = audit
                .rules
                .duties
                .get(*j)
                .map(|d| d.title.as_str())
                .unwrap_or("?");
            (!applies).then(|| format!("the duty \"{title}\" does not apply"))
        }
        Condition::Status { duty, statuses } => {
            let status = audit
                .findings
                .iter()
                .find(|g| g.case == case_index && g.duty as usize == *duty)
                .map(|g| g.status);
            let title = audit
                .rules
                .duties
                .get(*duty)
                .map(|d| d.title.as_str())
                .unwrap_or("?");
            let wanted: Vec<&str> = statuses.iter().map(|s| s.label()).collect();
            match status {
                Some(st) if statuses.contains(&st) => None,
                Some(st) => Some(format!(
                    "the duty \"{title}\" is {} (applies only when it is {})",
                    st.label(),
                    wanted.join(" or ")
                )),
                None => Some(format!("the duty \"{title}\" was not evaluated")),
            }
        }
        Condition::Any(list) => {
            let all: Vec<String> = list
                .iter()
                .map(|c| failing(audit, case, case_index, c))
                .collect::<Option<Vec<String>>>()?;
            Some(format!("none of these holds: {}", all.join("; ")))
        }
    }
}
