//! The rules file format (TOML), as written by a person: `[[setting]]`, `[[period]]`,
//! `[[field]]`, `[[duty]]` and `[[relaxation]]` tables. The language is documented in the header
//! of `rules/baseline.toml`; nothing here checks meaning (see [`super::validate`]).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RulesFile {
    #[serde(default)]
    pub setting: Vec<SettingSpec>,
    #[serde(default)]
    pub period: Vec<PeriodSpec>,
    #[serde(default)]
    pub field: Vec<FieldSpec>,
    #[serde(default)]
    pub duty: Vec<DutySpec>,
    #[serde(default)]
    pub relaxation: Vec<RelaxationSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SettingSpec {
    pub id: String,
    pub title: String,
    pub default: toml::value::Datetime,
    pub earliest: toml::value::Datetime,
    pub latest: toml::value::Datetime,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PeriodSpec {
    pub id: String,
    pub title: String,
    pub judged_by: String,
    #[serde(default)]
    pub not_before: Vec<String>,
    /// A date, or the id of a setting.
    pub from: Option<toml::Value>,
    pub until: Option<toml::Value>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldSpec {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default = "date_kind")]
    pub kind: String,
}

fn date_kind() -> String {
    "date".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DutySpec {
    pub id: String,
    /// "incident" (default) or "referral".
    pub subject: Option<String>,
    pub title: Option<String>,
    pub actor: Option<toml::Value>,
    pub breach: Option<bool>,
    pub applies: Option<Vec<toml::Value>>,
    /// A field name, or `{ field = "...", when_blank = "pending" }`.
    pub start: Option<toml::Value>,
    pub deadline: Option<DeadlineSpec>,
    pub done: Option<String>,
    pub source: Option<String>,
    /// Period ids in which the duty is in force (absent: always).
    pub in_force: Option<Vec<String>>,
    /// Why it is not in force outside them.
    pub not_in_force: Option<String>,
    /// `true` in an overlay to remove a duty of an earlier file.
    #[serde(default)]
    pub remove: bool,
    // The three old ways to say "when blank", refused with a pointer to `when_blank`.
    pub if_start_blank: Option<toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeadlineSpec {
    pub kind: String,
    pub n: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RelaxationSpec {
    pub id: String,
    pub title: String,
    pub duties: Vec<String>,
    pub from: toml::value::Datetime,
    /// Required: a relaxation without an end is refused (it would excuse every later breach).
    pub until: Option<toml::value::Datetime>,
    pub changes: String,
    pub source: String,
}

impl DutySpec {
    /// An overlay's duty over an earlier one of the same id: what it leaves out is inherited.
    pub fn inherit(self, base: DutySpec) -> DutySpec {
        DutySpec {
            id: self.id,
            subject: self.subject.or(base.subject),
            title: self.title.or(base.title),
            actor: self.actor.or(base.actor),
            breach: self.breach.or(base.breach),
            applies: self.applies.or(base.applies),
            start: self.start.or(base.start),
            deadline: self.deadline.or(base.deadline),
            done: self.done.or(base.done),
            source: self.source.or(base.source),
            in_force: self.in_force.or(base.in_force),
            not_in_force: self.not_in_force.or(base.not_in_force),
            remove: false,
            if_start_blank: self.if_start_blank.or(base.if_start_blank),
        }
    }
}

/// Parses one file.
pub(super) fn parse(file: &str, text: &str) -> Result<RulesFile, super::RulesError> {
    toml::from_str(text).map_err(|e| super::RulesError::Syntax {
        file: file.to_string(),
        message: e.to_string(),
    })
}

/// A TOML date without a time, as a calendar date.
pub(super) fn date_of(d: &toml::value::Datetime) -> Option<chrono::NaiveDate> {
    if d.time.is_some() || d.offset.is_some() {
        return None;
    }
    let x = d.date?;
    chrono::NaiveDate::from_ymd_opt(x.year as i32, x.month as u32, x.day as u32)
}
