//! The statutory duties as data: loads the embedded national baseline (`rules/baseline.toml`)
//! and any local overlays, validates them, and resolves field names and values to a [`RuleSet`].
//!
//! An invalid rules file is refused with a [`RulesError`] naming the file, the duty and the field.

use std::path::PathBuf;

use serde::Deserialize;

use crate::fields::{FieldId, Kind, Schema};

/// The national baseline, embedded in the binary.
pub const BASELINE_TOML: &str = include_str!("../rules/baseline.toml");
/// How the baseline is named in messages and in the workbook.
pub const BASELINE_NAME: &str = "built-in national baseline (rules/baseline.toml)";

/// A rules file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read rules file {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("rules file {file} is not valid TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("rules file {file}, duty `{duty}`, field `{field}`: {message}")]
    Invalid {
        file: String,
        duty: String,
        field: String,
        message: String,
    },
}

/// Who must act on a duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Actor {
    #[serde(rename = "LA")]
    La,
    #[serde(rename = "safeguarding partners")]
    Partners,
    #[serde(rename = "Panel")]
    Panel,
}

impl Actor {
    pub fn label(self) -> &'static str {
        match self {
            Actor::La => "LA",
            Actor::Partners => "Safeguarding partners",
            Actor::Panel => "Panel",
        }
    }
}

/// When a duty falls due, relative to its clock start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// The N-th working day after the start (the start not counted).
    WorkingDaysAfter(u32),
    /// The N-th working day before the start (e.g. before publication).
    WorkingDaysBefore(u32),
    /// The same day N months on (end-of-month clamped).
    MonthsAfter(u32),
    /// A minimum period: the event must not happen before N months on.
    AtLeastMonthsAfter(u32),
    /// No number of days: "as soon as".
    AsSoonAs,
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

/// What happens while a duty's clock-start date is blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartBlank {
    /// The duty cannot be decided: a data-quality finding.
    Unknown,
    /// The duty waits, with no due date, until the clock starts.
    Pending,
}

/// When a blank or unreadable category counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfBlank {
    /// The duty becomes `unknown`.
    Unknown,
    /// The condition is not met.
    NotMet,
    /// Treat a blank as this value (an unreadable value is still unknown).
    Means(u8),
}

/// A resolved condition on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The category field holds one of these value indices.
    In {
        field: FieldId,
        values: Vec<u8>,
        if_blank: IfBlank,
    },
    /// The date field holds a date on or before the as-of date.
    Present(FieldId),
    /// Another duty (by index into the rule set, always earlier) applies.
    Duty(usize),
    /// At least one holds.
    Any(Vec<Condition>),
}

/// What a duty is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Each case of the incident log.
    Incident,
    /// Each referral of a referral export (the cross-check: a qualifying referral must have its
    /// case in the log). Its clock starts on the date submitted; it is done when the log has
    /// the case.
    Referral,
}

/// One duty, resolved against the schema.
#[derive(Debug, Clone)]
pub struct Duty {
    pub id: String,
    pub subject: Subject,
    pub title: String,
    pub actor: Actor,
    /// Whether a late or overdue verdict counts as the partnership's breach.
    pub breach: bool,
    pub applies: Vec<Condition>,
    /// The clock-start field (for a referral duty, unused: see [`Duty::start_label`]).
    pub start: FieldId,
    pub if_start_blank: StartBlank,
    pub deadline: Deadline,
    pub done: FieldId,
    pub source: String,
    /// The rules file it came from.
    pub origin: String,
    /// When it applies, in plain words (for the workbook's Rules sheet and `explain`).
    pub applies_text: String,
}

impl Duty {
    /// What starts the clock, in plain words.
    pub fn start_label(&self, schema: &Schema) -> String {
        match self.subject {
            Subject::Incident => schema.label(self.start).to_string(),
            Subject::Referral => "Date the referral was submitted".to_string(),
        }
    }

    /// What satisfies the duty, in plain words.
    pub fn done_label(&self, schema: &Schema) -> String {
        match self.subject {
            Subject::Incident => schema.label(self.done).to_string(),
            Subject::Referral => {
                "The incident log has the case (same case reference, or same child ID and date of incident)"
                    .to_string()
            }
        }
    }
}

/// The duties a run applies, in evaluation order, and the schema they refer to.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub schema: Schema,
    pub duties: Vec<Duty>,
    /// The files the rules came from, in order.
    pub files: Vec<String>,
}

// ---- the file format -------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    field: Vec<FieldSpec>,
    #[serde(default)]
    duty: Vec<DutySpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    id: String,
    label: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default = "date_kind")]
    kind: String,
}

fn date_kind() -> String {
    "date".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DutySpec {
    id: String,
    /// "incident" (default) or "referral".
    subject: Option<String>,
    title: Option<String>,
    actor: Option<toml::Value>,
    breach: Option<bool>,
    applies: Option<Vec<toml::Value>>,
    start: Option<String>,
    if_start_blank: Option<String>,
    deadline: Option<DeadlineSpec>,
    done: Option<String>,
    source: Option<String>,
    /// `true` in an overlay to remove a duty of an earlier file.
    #[serde(default)]
    remove: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineSpec {
    kind: String,
    n: Option<i64>,
}

impl RuleSet {
    /// The embedded national baseline alone.
    pub fn baseline() -> Result<RuleSet, RulesError> {
        Self::load(&[])
    }

    /// The baseline plus overlays, in order. An overlay duty with an existing id replaces it
    /// (fields it leaves out are inherited); `remove = true` drops it; a new id is added.
    pub fn load(overlays: &[PathBuf]) -> Result<RuleSet, RulesError> {
        let mut texts = vec![(BASELINE_NAME.to_string(), BASELINE_TOML.to_string())];
        for path in overlays {
            let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
                file: path.display().to_string(),
                source,
            })?;
            texts.push((path.display().to_string(), text));
        }
        Self::from_texts(&texts)
    }

    /// Builds a rule set from `(file name, TOML text)` pairs, the first being the base.
    pub fn from_texts(texts: &[(String, String)]) -> Result<RuleSet, RulesError> {
        let mut schema = Schema::canonical();
        let mut specs: Vec<(String, DutySpec)> = Vec::new();
        for (file, text) in texts {
            let parsed: RulesFile = toml::from_str(text).map_err(|e| RulesError::Syntax {
                file: file.clone(),
                message: e.to_string(),
            })?;
            for f in parsed.field {
                if f.kind != "date" {
                    return Err(invalid(
                        file,
                        "-",
                        &format!("field {}", f.id),
                        "only local date fields can be declared (kind = \"date\")",
                    ));
                }
                if !is_identifier(&f.id) {
                    return Err(invalid(
                        file,
                        "-",
                        "field.id",
                        &format!(
                            "`{}` must be lower case letters, digits and underscores",
                            f.id
                        ),
                    ));
                }
                schema.add_local_date(&f.id, &f.label, f.aliases);
            }
            for d in parsed.duty {
                if d.id.trim().is_empty() {
                    return Err(invalid(file, "?", "id", "a duty needs an id"));
                }
                match specs.iter().position(|(_, s)| s.id == d.id) {
                    Some(i) if d.remove => {
                        specs.remove(i);
                    }
                    Some(i) => {
                        let (_, base) = specs.remove(i);
                        specs.insert(i, (file.clone(), inherit(d, base)));
                    }
                    None if d.remove => {
                        return Err(invalid(
                            file,
                            &d.id,
                            "remove",
                            "no earlier duty has this id",
                        ))
                    }
                    None => specs.push((file.clone(), d)),
                }
            }
        }
        let mut duties: Vec<Duty> = Vec::with_capacity(specs.len());
        for (file, spec) in &specs {
            let duty = resolve(file, spec, &schema, &duties)?;
            duties.push(duty);
        }
        Ok(RuleSet {
            schema,
            duties,
            files: texts.iter().map(|(f, _)| f.clone()).collect(),
        })
    }

    pub fn duty_index(&self, id: &str) -> Option<usize> {
        self.duties.iter().position(|d| d.id == id)
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn inherit(over: DutySpec, base: DutySpec) -> DutySpec {
    DutySpec {
        id: over.id,
        subject: over.subject.or(base.subject),
        title: over.title.or(base.title),
        actor: over.actor.or(base.actor),
        breach: over.breach.or(base.breach),
        applies: over.applies.or(base.applies),
        start: over.start.or(base.start),
        if_start_blank: over.if_start_blank.or(base.if_start_blank),
        deadline: over.deadline.or(base.deadline),
        done: over.done.or(base.done),
        source: over.source.or(base.source),
        remove: false,
    }
}

fn invalid(file: &str, duty: &str, field: &str, message: &str) -> RulesError {
    RulesError::Invalid {
        file: file.to_string(),
        duty: duty.to_string(),
        field: field.to_string(),
        message: message.to_string(),
    }
}

fn resolve(
    file: &str,
    spec: &DutySpec,
    schema: &Schema,
    earlier: &[Duty],
) -> Result<Duty, RulesError> {
    let id = spec.id.as_str();
    let err = |field: &str, message: String| invalid(file, id, field, &message);
    let required = |v: &Option<String>, name: &str| -> Result<String, RulesError> {
        match v {
            Some(s) if !s.trim().is_empty() => Ok(s.clone()),
            _ => Err(err(name, "is required".to_string())),
        }
    };
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
    let date_field = |name: &str, key: &str| -> Result<FieldId, RulesError> {
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
    let (start, done) = match subject {
        Subject::Incident => (
            date_field(&required(&spec.start, "start")?, "start")?,
            date_field(&required(&spec.done, "done")?, "done")?,
        ),
        Subject::Referral => {
            for (key, given) in [
                ("start", spec.start.is_some()),
                ("done", spec.done.is_some()),
                ("applies", spec.applies.is_some()),
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
            (crate::fields::CASE_REF, crate::fields::CASE_REF)
        }
    };
    let if_start_blank = match spec.if_start_blank.as_deref() {
        None | Some("unknown") => StartBlank::Unknown,
        Some("pending") => StartBlank::Pending,
        Some(other) => {
            return Err(err(
                "if_start_blank",
                format!("`{other}` is not \"unknown\" or \"pending\""),
            ))
        }
    };
    let deadline = match &spec.deadline {
        None => return Err(err("deadline", "is required".into())),
        Some(d) => {
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
            match d.kind.as_str() {
                "working-days-after" => Deadline::WorkingDaysAfter(n()?),
                "working-days-before" => Deadline::WorkingDaysBefore(n()?),
                "months-after" => Deadline::MonthsAfter(n()?),
                "at-least-months-after" => Deadline::AtLeastMonthsAfter(n()?),
                "at-least-years-after" => Deadline::AtLeastMonthsAfter(n()?.saturating_mul(12)),
                "as-soon-as" => Deadline::AsSoonAs,
                other => {
                    return Err(err(
                        "deadline.kind",
                        format!(
                            "`{other}` is not one of working-days-after, working-days-before, \
                             months-after, at-least-months-after, at-least-years-after, as-soon-as"
                        ),
                    ))
                }
            }
        }
    };
    let applies_raw = spec.applies.clone().unwrap_or_default();
    let mut applies = Vec::with_capacity(applies_raw.len());
    for v in &applies_raw {
        applies.push(condition(v, schema, earlier, &err)?);
    }
    let applies_text = if subject == Subject::Referral {
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
    };
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
    })
}

fn condition(
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
    if let Some(name) = str_key("field")? {
        for k in &keys {
            if !["field", "in", "blank_means", "if_blank"].contains(k) {
                return Err(err(
                    &format!("applies.{k}"),
                    "is not a condition key".into(),
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
        let if_blank = match (str_key("blank_means")?, str_key("if_blank")?) {
            (Some(_), Some(_)) => {
                return Err(err(
                    "applies.if_blank",
                    "give blank_means or if_blank, not both".into(),
                ))
            }
            (Some(m), None) => IfBlank::Means(value_index(&m, "applies.blank_means")?),
            (None, None) => IfBlank::Unknown,
            (None, Some(b)) => match b.as_str() {
                "unknown" => IfBlank::Unknown,
                "not-met" => IfBlank::NotMet,
                other => {
                    return Err(err(
                        "applies.if_blank",
                        format!("`{other}` is not \"unknown\" or \"not-met\""),
                    ))
                }
            },
        };
        return Ok(Condition::In {
            field: fid,
            values,
            if_blank,
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
    if let Some(id) = str_key("duty")? {
        let idx = earlier.iter().position(|d| d.id == id).ok_or_else(|| {
            err(
                "applies.duty",
                format!("`{id}` is not a duty defined before this one"),
            )
        })?;
        return Ok(Condition::Duty(idx));
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
        Condition::Any(list) => format!(
            "({})",
            list.iter()
                .map(|c| describe_condition(c, schema, duties))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// The ids of the built-in duties, in order.
pub fn baseline_ids() -> &'static [&'static str] {
    &[
        "panel-notification",
        "partners-notification",
        "lac-death-secretary-of-state",
        "lac-death-ofsted",
        "rapid-review",
        "panel-response",
        "review-decision-notice",
        "report-before-publication",
        "publication",
        "publication-period",
        "referral-followed-up",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields;

    #[test]
    fn baseline_loads_with_every_national_duty_in_order() {
        let rules = RuleSet::baseline().unwrap();
        let ids: Vec<&str> = rules.duties.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, baseline_ids());
        let panel = &rules.duties[0];
        assert_eq!(panel.start, fields::AWARE_DATE);
        assert_eq!(panel.done, fields::PANEL_NOTIFIED);
        assert_eq!(panel.deadline, Deadline::WorkingDaysAfter(5));
        assert!(panel.source.contains("s16C"));
        let response = &rules.duties[rules.duty_index("panel-response").unwrap()];
        assert_eq!(response.actor, Actor::Panel);
        assert!(!response.breach);
        let rr = &rules.duties[rules.duty_index("rapid-review").unwrap()];
        assert_eq!(rr.if_start_blank, StartBlank::Pending);
        assert_eq!(
            rr.applies,
            vec![Condition::Any(vec![
                Condition::Duty(0),
                Condition::Present(fields::PANEL_NOTIFIED)
            ])]
        );
        for d in &rules.duties {
            assert!(!d.source.is_empty(), "{} has a source", d.id);
            assert!(!d.title.is_empty());
        }
    }

    fn with_overlay(text: &str) -> Result<RuleSet, RulesError> {
        RuleSet::from_texts(&[
            ("baseline".into(), BASELINE_TOML.into()),
            ("local.toml".into(), text.into()),
        ])
    }

    #[test]
    fn overlay_adds_fields_and_duties_and_overrides() {
        let rules = with_overlay(
            r#"
            [[field]]
            id = "rr_started"
            label = "Rapid review started"
            [[duty]]
            id = "local-rr"
            title = "Rapid review completed within 15 working days of starting"
            actor = "safeguarding partners"
            applies = [ { present = "rr_started" } ]
            start = "rr_started"
            deadline = { kind = "working-days-after", n = 15 }
            done = "rapid_review_sent"
            source = "Local procedure"
            [[duty]]
            id = "review-decision-notice"
            deadline = { kind = "working-days-after", n = 5 }
            source = "Local policy: 5 working days"
            [[duty]]
            id = "panel-response"
            remove = true
            "#,
        )
        .unwrap();
        assert!(rules.schema.lookup("rr_started").is_some());
        assert!(rules.duty_index("panel-response").is_none());
        let rdn = &rules.duties[rules.duty_index("review-decision-notice").unwrap()];
        assert_eq!(rdn.deadline, Deadline::WorkingDaysAfter(5));
        assert_eq!(rdn.done, fields::DECISION_NOTIFIED, "inherited");
        assert_eq!(rdn.origin, "local.toml");
        assert_eq!(rules.duties.last().unwrap().id, "local-rr");
    }

    #[test]
    fn invalid_rules_name_file_duty_and_field() {
        let cases = [
            (
                r#"[[duty]]
                id = "x"
                title = "t"
                actor = "LA"
                start = "aware_dat"
                deadline = { kind = "working-days-after", n = 5 }
                done = "panel_notified"
                source = "s""#,
                "start",
            ),
            (
                r#"[[duty]]
                id = "x"
                title = "t"
                actor = "LA"
                start = "aware_date"
                deadline = { kind = "fortnight", n = 5 }
                done = "panel_notified"
                source = "s""#,
                "deadline.kind",
            ),
            (
                r#"[[duty]]
                id = "x"
                title = "t"
                actor = "LA"
                applies = [ { field = "outcome", in = ["dead"] } ]
                start = "aware_date"
                deadline = { kind = "working-days-after", n = 5 }
                done = "panel_notified"
                source = "s""#,
                "applies.in",
            ),
            (
                r#"[[duty]]
                id = "x"
                title = "t"
                actor = "LA"
                start = "aware_date"
                deadline = { kind = "working-days-after", n = -3 }
                done = "panel_notified"
                source = "s""#,
                "deadline.n",
            ),
            (
                r#"[[duty]]
                id = "x"
                title = "t"
                actor = "the LA"
                start = "aware_date"
                deadline = { kind = "working-days-after", n = 3 }
                done = "panel_notified"
                source = "s""#,
                "actor",
            ),
            (
                r#"[[duty]]
                id = "x"
                title = "t"
                actor = "LA"
                start = "aware_date"
                deadline = { kind = "working-days-after", n = 3 }
                done = "panel_notified""#,
                "source",
            ),
        ];
        for (text, field) in cases {
            let e = with_overlay(text).unwrap_err();
            match &e {
                RulesError::Invalid {
                    file,
                    duty,
                    field: f,
                    ..
                } => {
                    assert_eq!(file, "local.toml");
                    assert_eq!(duty, "x");
                    assert_eq!(f, field, "{e}");
                }
                other => panic!("unexpected {other}"),
            }
            let msg = e.to_string();
            assert!(msg.contains("local.toml") && msg.contains("`x`"), "{msg}");
        }
    }

    #[test]
    fn toml_syntax_errors_name_the_file() {
        let e = with_overlay("[[duty]\nid=").unwrap_err();
        assert!(matches!(e, RulesError::Syntax { .. }));
        assert!(e.to_string().contains("local.toml"));
        let e = with_overlay("[[duty]]\nid = \"x\"\ncolour = \"red\"").unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
    }
}
