//! Checks one duty of a rules file and resolves its names (fields, values, earlier duties,
//! periods) against the schema, refusing anything a reader could misread, with the file, duty and
//! key in the message.

use serde::Deserialize;

use super::file::DutySpec;
use super::{
    Actor, Condition, Deadline, Duty, IfBlank, InForce, Period, RulesError, StartBlank, Subject,
};
use crate::fields::{FieldId, Kind, Schema};
use crate::status::Status;

pub(super) fn invalid(file: &str, duty: &str, field: &str, message: &str) -> RulesError {
    RulesError::Invalid {
        file: file.to_string(),
        duty: duty.to_string(),
        field: field.to_string(),
        message: message.to_string(),
    }
}

pub(super) fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

const OLD_BLANK_KEYS: &str =
    "the rules language has one way to say what a blank means: `when_blank` (see the header of rules/baseline.toml)";

/// A date field by name.
pub(super) fn date_field(
    schema: &Schema,
    name: &str,
    err: &dyn Fn(&str, String) -> RulesError,
    key: &str,
) -> Result<FieldId, RulesError> {
    let fid = schema.lookup(name).ok_or_else(|| {
        err(
            key,
            format!(
                "`{name}` is not a field; known fields: {}",
                schema.names().join(", ")
            ),
        )
    })?;
    if schema.def(fid).kind != Kind::Date {
        return Err(err(key, format!("`{name}` is not a date field")));
    }
    Ok(fid)
}

/// Resolves one duty. `earlier` are the duties before it (conditions may name only those).
pub(super) fn duty(
    file: &str,
    spec: &DutySpec,
    schema: &Schema,
    earlier: &[Duty],
    periods: &[Period],
) -> Result<Duty, RulesError> {
    let id = spec.id.as_str();
    let err = |field: &str, message: String| invalid(file, id, field, &message);
    let required = |v: &Option<String>, name: &str| -> Result<String, RulesError> {
        match v {
            Some(s) if !s.trim().is_empty() => Ok(s.clone()),
            _ => Err(err(name, "is required".to_string())),
        }
    };
    if spec.if_start_blank.is_some() {
        return Err(err(
            "if_start_blank",
            format!(
                "{OLD_BLANK_KEYS}: write start = {{ field = \"...\", when_blank = \"pending\" }}"
            ),
        ));
    }
    let title = required(&spec.title, "title")?;
    let source = required(&spec.source, "source")?;
    let actor = match &spec.actor {
        None => return Err(err("actor", "is required".into())),
        Some(v) => Actor::deserialize(v.clone()).map_err(|_| {
            err(
                "actor",
                format!("{v} is not one of \"LA\", \"safeguarding partners\", \"Panel\""),
            )
        })?,
    };
    let subject = match spec.subject.as_deref() {
        None | Some("incident") => Subject::Incident,
        Some("referral") => Subject::Referral,
        Some(other) => {
            return Err(err(
                "subject",
                format!("`{other}` is not \"incident\" or \"referral\""),
            ))
        }
    };
    let (start, if_start_blank, done) = match subject {
        Subject::Incident => {
            let (start, blank) = start_of(spec.start.as_ref(), schema, &err)?;
            let done = date_field(schema, &required(&spec.done, "done")?, &err, "done")?;
            (start, blank, done)
        }
        Subject::Referral => {
            for (key, given) in [
                ("start", spec.start.is_some()),
                ("done", spec.done.is_some()),
                ("applies", spec.applies.is_some()),
                ("in_force", spec.in_force.is_some()),
            ] {
                if given {
                    return Err(err(
                        key,
                        "a referral duty starts when the referral is submitted and is done when \
                         the log has the case: leave this out"
                            .to_string(),
                    ));
                }
            }
            (
                crate::fields::CASE_REF,
                StartBlank::Unknown,
                crate::fields::CASE_REF,
            )
        }
    };
    let deadline = deadline(spec, &err)?;
    let applies_raw = spec.applies.clone().unwrap_or_default();
    let mut applies = Vec::with_capacity(applies_raw.len());
    for v in &applies_raw {
        applies.push(condition(v, schema, earlier, &err)?);
    }
    let in_force = match &spec.in_force {
        None => None,
        Some(ids) => Some(in_force(ids, periods, &err)?),
    };
    if spec.not_in_force.is_some() && in_force.is_none() {
        return Err(err(
            "not_in_force",
            "says why the duty is not in force, but the duty has no in_force periods".into(),
        ));
    }
    let applies_text = super::describe::applies_text(subject, &applies, schema, earlier);
    Ok(Duty {
        id: id.to_string(),
        subject,
        title,
        actor,
        breach: spec.breach.unwrap_or(true),
        applies,
        start,
        if_start_blank,
        deadline,
        done,
        source,
        origin: file.to_string(),
        applies_text,
        in_force,
        not_in_force: spec.not_in_force.clone().unwrap_or_default(),
        relaxed: Vec::new(),
    })
}

/// `start = "aware_date"` or `start = { field = "panel_notified", when_blank = "pending" }`.
fn start_of(
    v: Option<&toml::Value>,
    schema: &Schema,
    err: &dyn Fn(&str, String) -> RulesError,
) -> Result<(FieldId, StartBlank), RulesError> {
    match v {
        None => Err(err("start", "is required".into())),
        Some(toml::Value::String(name)) => {
            Ok((date_field(schema, name, err, "start")?, StartBlank::Unknown))
        }
        Some(toml::Value::Table(t)) => {
            for k in t.keys() {
                if k != "field" && k != "when_blank" {
                    return Err(err(
                        &format!("start.{k}"),
                        "is not a key of start (field, when_blank)".into(),
                    ));
                }
            }
            let name = t
                .get("field")
                .and_then(|v| v.as_str())
                .ok_or_else(|| err("start.field", "a field name is required".into()))?;
            let fid = date_field(schema, name, err, "start.field")?;
            let blank = match t.get("when_blank").map(|v| v.as_str()) {
                None | Some(Some("unknown")) => StartBlank::Unknown,
                Some(Some("pending")) => StartBlank::Pending,
                Some(other) => {
                    return Err(err(
                        "start.when_blank",
                        format!(
                            "{} is not \"unknown\" or \"pending\"",
                            other
                                .map(|s| format!("`{s}`"))
                                .unwrap_or("a non-string".into())
                        ),
                    ))
                }
            };
            Ok((fid, blank))
        }
        Some(other) => Err(err(
            "start",
            format!(
                "{other} should be a field name or {{ field = \"...\", when_blank = \"...\" }}"
            ),
        )),
    }
}

fn deadline(
    spec: &DutySpec,
    err: &dyn Fn(&str, String) -> RulesError,
) -> Result<Deadline, RulesError> {
    let Some(d) = &spec.deadline else {
        return Err(err("deadline", "is required".into()));
    };
    let n = || -> Result<u32, RulesError> {
        match d.n {
            Some(n) if (1..=1000).contains(&n) => Ok(n as u32),
            Some(n) => Err(err(
                "deadline.n",
                format!("{n} is not a whole number from 1 to 1000"),
            )),
            None => Err(err(
                "deadline.n",
                format!("is required for kind \"{}\"", d.kind),
            )),
        }
    };
    Ok(match d.kind.as_str() {
        "working-days-after" => Deadline::WorkingDaysAfter(n()?),
        "working-days-before" => Deadline::WorkingDaysBefore(n()?),
        "months-after" => Deadline::MonthsAfter(n()?),
        "at-least-months-after" => Deadline::AtLeastMonthsAfter(n()?),
        "at-least-years-after" => Deadline::AtLeastMonthsAfter(n()?.saturating_mul(12)),
        "as-soon-as" => {
            if d.n.is_some() {
                return Err(err(
                    "deadline.n",
                    "\"as-soon-as\" has no number: leave n out".into(),
                ));
            }
            Deadline::AsSoonAs
        }
        other => {
            return Err(err(
                "deadline.kind",
                format!(
                    "`{other}` is not one of working-days-after, working-days-before, \
                     months-after, at-least-months-after, at-least-years-after, as-soon-as"
                ),
            ))
        }
    })
}

fn in_force(
    ids: &[String],
    periods: &[Period],
    err: &dyn Fn(&str, String) -> RulesError,
) -> Result<InForce, RulesError> {
    if ids.is_empty() {
        return Err(err(
            "in_force",
            "names no period: leave in_force out for a duty in force at every date".into(),
        ));
    }
    let mut idx = Vec::new();
    for id in ids {
        let i = periods.iter().position(|p| &p.id == id).ok_or_else(|| {
            err(
                "in_force",
                format!(
                    "`{id}` is not a period; the periods are: {}",
                    periods
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        idx.push(i);
    }
    let first = &periods[idx[0]];
    for &i in &idx[1..] {
        if periods[i].judged_by != first.judged_by {
            return Err(err(
                "in_force",
                format!(
                    "periods `{}` and `{}` are judged by different dates: a duty's periods must share one",
                    first.id, periods[i].id
                ),
            ));
        }
    }
    Ok(InForce {
        judged_by: first.judged_by,
        not_before: first.not_before.clone(),
        periods: idx,
        spans: Vec::new(),
    })
}

pub(super) fn condition(
    v: &toml::Value,
    schema: &Schema,
    earlier: &[Duty],
    err: &dyn Fn(&str, String) -> RulesError,
) -> Result<Condition, RulesError> {
    let Some(t) = v.as_table() else {
        return Err(err(
            "applies",
            format!("{v} is not a condition table like {{ field = \"outcome\", in = [\"died\"] }}"),
        ));
    };
    let str_key = |k: &str| -> Result<Option<String>, RulesError> {
        match t.get(k) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(err(
                &format!("applies.{k}"),
                format!("{other} should be a string"),
            )),
        }
    };
    let keys: Vec<&str> = t.keys().map(String::as_str).collect();
    for old in ["blank_means", "if_blank"] {
        if keys.contains(&old) {
            return Err(err(
                &format!("applies.{old}"),
                format!("{OLD_BLANK_KEYS}: when_blank = \"<one of the values>\", \"not met\" or \"unknown\""),
            ));
        }
    }
    if let Some(name) = str_key("field")? {
        for k in &keys {
            if !["field", "in", "when_blank"].contains(k) {
                return Err(err(
                    &format!("applies.{k}"),
                    "is not a condition key (field, in, when_blank)".into(),
                ));
            }
        }
        let fid = schema.lookup(&name).ok_or_else(|| {
            err(
                "applies.field",
                format!(
                    "`{name}` is not a field; known: {}",
                    schema.names().join(", ")
                ),
            )
        })?;
        let Kind::Category(allowed) = schema.def(fid).kind else {
            return Err(err(
                "applies.field",
                format!("`{name}` is not a category field (use present = \"{name}\")"),
            ));
        };
        let value_index = |s: &str, key: &str| -> Result<u8, RulesError> {
            schema.category_index(fid, s).ok_or_else(|| {
                err(
                    key,
                    format!(
                        "`{s}` is not a value of {name}; its values are: {}",
                        allowed.join(", ")
                    ),
                )
            })
        };
        let list = t
            .get("in")
            .and_then(|v| v.as_array())
            .ok_or_else(|| err("applies.in", "a list of values is required".into()))?;
        let mut values = Vec::new();
        for item in list {
            let s = item
                .as_str()
                .ok_or_else(|| err("applies.in", format!("{item} should be a string")))?;
            values.push(value_index(s, "applies.in")?);
        }
        let if_blank = match str_key("when_blank")?.as_deref() {
            None | Some("unknown") => IfBlank::Unknown,
            Some("not met") => IfBlank::NotMet,
            Some(m) => IfBlank::Means(value_index(m, "applies.when_blank").map_err(|_| {
                err(
                    "applies.when_blank",
                    format!(
                        "`{m}` is not \"unknown\", \"not met\" or a value of {name} ({})",
                        allowed.join(", ")
                    ),
                )
            })?),
        };
        return Ok(Condition::In {
            field: fid,
            values,
            if_blank,
        });
    }
    if let Some(id) = str_key("duty")? {
        for k in &keys {
            if !["duty", "status"].contains(k) {
                return Err(err(
                    &format!("applies.{k}"),
                    "is not a key of a duty condition (duty, status)".into(),
                ));
            }
        }
        let idx = earlier.iter().position(|d| d.id == id).ok_or_else(|| {
            err(
                "applies.duty",
                format!("`{id}` is not a duty defined before this one"),
            )
        })?;
        let Some(list) = t.get("status") else {
            return Ok(Condition::Duty(idx));
        };
        let list = list
            .as_array()
            .ok_or_else(|| err("applies.status", "should be a list of statuses".into()))?;
        let mut statuses = Vec::new();
        for item in list {
            let s = item.as_str().unwrap_or("");
            let st = Status::ALL
                .iter()
                .copied()
                .find(|x| x.id() == s)
                .ok_or_else(|| {
                    err(
                        "applies.status",
                        format!(
                            "{item} is not a status; the statuses are: {}",
                            Status::ALL.map(|x| x.id()).join(", ")
                        ),
                    )
                })?;
            statuses.push(st);
        }
        if statuses.is_empty() {
            return Err(err("applies.status", "names no status".into()));
        }
        return Ok(Condition::Status {
            duty: idx,
            statuses,
        });
    }
    if keys.len() != 1 {
        return Err(err(
            "applies",
            format!("a condition needs exactly one of field, present, duty, any (got {keys:?})"),
        ));
    }
    if let Some(name) = str_key("present")? {
        let fid = schema.lookup(&name).ok_or_else(|| {
            err(
                "applies.present",
                format!(
                    "`{name}` is not a field; known: {}",
                    schema.names().join(", ")
                ),
            )
        })?;
        if schema.def(fid).kind != Kind::Date {
            return Err(err(
                "applies.present",
                format!("`{name}` is not a date field"),
            ));
        }
        return Ok(Condition::Present(fid));
    }
    if let Some(list) = t.get("any") {
        let list = list
            .as_array()
            .ok_or_else(|| err("applies.any", "should be a list of conditions".into()))?;
        let mut out = Vec::new();
        for c in list {
            out.push(condition(c, schema, earlier, err)?);
        }
        return Ok(Condition::Any(out));
    }
    Err(err(
        "applies",
        format!("unknown condition key `{}`", keys.join(", ")),
    ))
}
