//! The statutory duties as data: loads the embedded national baseline (`rules/baseline.toml`)
//! and any local overlays, validates them, and resolves field names, values and the law by date
//! (in-force periods, settings such as `arrangements_from`, relaxed periods) to a [`RuleSet`].
//!
//! An invalid rules file is refused with a [`RulesError`] naming the file, the duty and the field.
//! The jobs are split: [`file`] is the file format, `validate` checks one duty and resolves its
//! names, `resolve` assembles the files into a rule set and puts dates on its periods, and
//! [`describe`] says it all in plain words.

pub mod describe;
mod file;
mod resolve;
mod validate;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::fields::{FieldId, Schema};

pub use describe::describe_condition;

/// The national baseline, embedded in the binary.
pub const BASELINE_TOML: &str = include_str!("../../rules/baseline.toml");
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
    /// A setting (e.g. `arrangements_from`) given a value the rules refuse.
    #[error("{key} = {value}: {message}")]
    Setting {
        key: String,
        value: String,
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

/// What happens while a duty's clock-start date is blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartBlank {
    /// The duty cannot be decided: a data-quality finding.
    Unknown,
    /// The duty waits, with no due date, until the clock starts.
    Pending,
}

/// When a blank category counts (`when_blank` of a condition).
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
    /// Another duty (always earlier) has one of these statuses for this case.
    Status {
        duty: usize,
        statuses: Vec<crate::status::Status>,
    },
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

/// A date the configuration may set (today: `arrangements_from`), within limits the rules give.
#[derive(Debug, Clone)]
pub struct Setting {
    pub id: String,
    pub title: String,
    pub default: NaiveDate,
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    /// The value in use: the default, or the configuration's.
    pub value: NaiveDate,
    /// Whether the configuration set it.
    pub configured: bool,
    pub source: String,
}

/// One end of a period: a fixed date, or a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Date(NaiveDate),
    /// Index into [`RuleSet::settings`].
    Setting(usize),
}

/// A span of time, judged by one date of the case, in which some duties are in force (a
/// regime of the law: Working Together 2015, the Panel from 29 June 2018, ...).
#[derive(Debug, Clone)]
pub struct Period {
    pub id: String,
    pub title: String,
    /// The date of the case that decides whether it falls in the period.
    pub judged_by: FieldId,
    /// Dates the deciding date cannot precede (used when it is blank).
    pub not_before: Vec<FieldId>,
    /// First day of the period (inclusive), if it has one.
    pub from: Option<Bound>,
    /// The day the period ends (exclusive: the next period starts on it), if it does.
    pub until: Option<Bound>,
    pub source: String,
    pub origin: String,
}

/// When a duty is in force: the periods it belongs to, and their spans as dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    pub judged_by: FieldId,
    pub not_before: Vec<FieldId>,
    /// Indices into [`RuleSet::periods`].
    pub periods: Vec<usize>,
    /// The periods' spans `[from, until)` merged, in order (`None`: open-ended).
    pub spans: Vec<(Option<NaiveDate>, Option<NaiveDate>)>,
}

/// A relaxed period of some duties: a due date inside it is reported with its status but is not
/// a breach.
#[derive(Debug, Clone)]
pub struct Relaxation {
    pub id: String,
    pub title: String,
    /// First and last day (both inclusive) of the due dates it covers.
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// Indices of the duties it relaxes.
    pub duties: Vec<usize>,
    /// What it changes, in plain words.
    pub changes: String,
    pub source: String,
    pub origin: String,
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
    /// When it is in force (`None`: always).
    pub in_force: Option<InForce>,
    /// Why it is not in force outside its periods, in plain words.
    pub not_in_force: String,
    /// Indices into [`RuleSet::relaxations`] of the relaxed periods that cover it.
    pub relaxed: Vec<usize>,
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
    pub settings: Vec<Setting>,
    pub periods: Vec<Period>,
    pub relaxations: Vec<Relaxation>,
}

impl RuleSet {
    /// The embedded national baseline alone.
    pub fn baseline() -> Result<RuleSet, RulesError> {
        Self::load(&[])
    }

    /// The baseline plus overlays, in order. An overlay duty with an existing id replaces it
    /// (fields it leaves out are inherited); `remove = true` drops it; a new id is added.
    pub fn load(overlays: &[std::path::PathBuf]) -> Result<RuleSet, RulesError> {
        Self::load_with(Schema::canonical(), overlays)
    }

    /// As [`RuleSet::load`], on a schema that may already hold local fields (a partnership's
    /// authorities share one schema, so that one reading of the log serves them all).
    pub fn load_with(
        schema: Schema,
        overlays: &[std::path::PathBuf],
    ) -> Result<RuleSet, RulesError> {
        let mut texts = vec![(BASELINE_NAME.to_string(), BASELINE_TOML.to_string())];
        for path in overlays {
            let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
                file: path.display().to_string(),
                source,
            })?;
            texts.push((path.display().to_string(), text));
        }
        Self::from_texts_with(schema, &texts)
    }

    /// Builds a rule set from `(file name, TOML text)` pairs, the first being the base.
    pub fn from_texts(texts: &[(String, String)]) -> Result<RuleSet, RulesError> {
        resolve::from_texts(Schema::canonical(), texts)
    }

    /// As [`RuleSet::from_texts`], on a schema that may already hold local fields.
    pub fn from_texts_with(
        schema: Schema,
        texts: &[(String, String)],
    ) -> Result<RuleSet, RulesError> {
        resolve::from_texts(schema, texts)
    }

    pub fn duty_index(&self, id: &str) -> Option<usize> {
        self.duties.iter().position(|d| d.id == id)
    }

    /// Sets a setting (e.g. `arrangements_from`) from the configuration, refusing a value
    /// outside the limits the rules give, and puts the new date on every period using it.
    pub fn set(&mut self, id: &str, value: NaiveDate) -> Result<(), RulesError> {
        resolve::set(self, id, value)
    }

    /// A setting's value in use.
    pub fn setting(&self, id: &str) -> Option<NaiveDate> {
        self.settings.iter().find(|s| s.id == id).map(|s| s.value)
    }

    /// A period bound as a date.
    pub fn bound(&self, b: Bound) -> NaiveDate {
        match b {
            Bound::Date(d) => d,
            Bound::Setting(i) => self.settings[i].value,
        }
    }

    /// The relaxed period of `duty` (an index) that covers a due date, if any.
    pub fn relaxation_at(&self, duty: usize, due: NaiveDate) -> Option<&Relaxation> {
        let d = self.duties.get(duty)?;
        d.relaxed
            .iter()
            .filter_map(|&i| self.relaxations.get(i))
            .find(|r| r.from <= due && due <= r.until)
    }
}

/// The ids of the built-in duties, in order.
pub fn baseline_ids() -> &'static [&'static str] {
    &[
        "panel-notification",
        "serious-incident-ofsted",
        "partners-notification",
        "lac-death-secretary-of-state",
        "lac-death-ofsted",
        "care-leaver-death-secretary-of-state",
        "care-leaver-death-ofsted",
        "rapid-review",
        "panel-response",
        "review-decision-notice",
        "report-before-publication",
        "publication",
        "scr-completion",
        "publication-period",
        "referral-followed-up",
    ]
}

#[cfg(test)]
mod tests;
