//! Assembles the baseline and its overlays into one [`RuleSet`]: merges duties by id, resolves
//! settings and periods, puts dates on every duty's in-force spans, and attaches the relaxed
//! periods to the duties they cover.

use chrono::NaiveDate;

use super::file::{self, date_of, DutySpec};
use super::validate::{self, invalid, is_identifier};
use super::{Bound, Period, Relaxation, RuleSet, RulesError, Setting};
use crate::fields::Schema;

pub(super) fn from_texts(
    schema: Schema,
    texts: &[(String, String)],
) -> Result<RuleSet, RulesError> {
    let mut schema = schema;
    let mut specs: Vec<(String, DutySpec)> = Vec::new();
    let mut settings: Vec<Setting> = Vec::new();
    let mut period_specs: Vec<(String, file::PeriodSpec)> = Vec::new();
    let mut relaxation_specs: Vec<(String, file::RelaxationSpec)> = Vec::new();
    for (file, text) in texts {
        let parsed = file::parse(file, text)?;
        for s in parsed.setting {
            let setting = setting(file, s)?;
            settings.retain(|x| x.id != setting.id);
            settings.push(setting);
        }
        for p in parsed.period {
            period_specs.retain(|(_, x)| x.id != p.id);
            period_specs.push((file.clone(), p));
        }
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
                    specs.insert(i, (file.clone(), d.inherit(base)));
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
        for r in parsed.relaxation {
            if relaxation_specs.iter().any(|(_, x)| x.id == r.id) {
                return Err(invalid(
                    file,
                    &r.id,
                    "relaxation.id",
                    "another relaxation has this id",
                ));
            }
            relaxation_specs.push((file.clone(), r));
        }
    }
    let mut periods = Vec::with_capacity(period_specs.len());
    for (file, p) in &period_specs {
        periods.push(period(file, p, &schema, &settings)?);
    }
    let mut duties = Vec::with_capacity(specs.len());
    for (file, spec) in &specs {
        let duty = validate::duty(file, spec, &schema, &duties, &periods)?;
        duties.push(duty);
    }
    let mut rules = RuleSet {
        schema,
        duties,
        files: texts.iter().map(|(f, _)| f.clone()).collect(),
        settings,
        periods,
        relaxations: Vec::new(),
    };
    for (file, r) in relaxation_specs {
        let relaxation = relaxation(&file, r, &rules)?;
        let k = rules.relaxations.len();
        for &d in &relaxation.duties {
            rules.duties[d].relaxed.push(k);
        }
        rules.relaxations.push(relaxation);
    }
    for p in &rules.periods {
        if let (Some(f), Some(u)) = (p.from, p.until) {
            if rules.bound(f) >= rules.bound(u) {
                return Err(invalid(
                    &p.origin,
                    &p.id,
                    "period.until",
                    "the period ends before it starts",
                ));
            }
        }
    }
    spans(&mut rules);
    Ok(rules)
}

fn setting(file: &str, s: file::SettingSpec) -> Result<Setting, RulesError> {
    let err = |key: &str, m: &str| invalid(file, &s.id, &format!("setting.{key}"), m);
    if !is_identifier(&s.id) {
        return Err(err(
            "id",
            "must be lower case letters, digits and underscores",
        ));
    }
    let date = |d: &toml::value::Datetime, key: &str| {
        date_of(d).ok_or_else(|| err(key, "should be a date like 2019-09-29"))
    };
    let default = date(&s.default, "default")?;
    let earliest = date(&s.earliest, "earliest")?;
    let latest = date(&s.latest, "latest")?;
    if !(earliest <= default && default <= latest) {
        return Err(err(
            "default",
            "must lie between earliest and latest (both included)",
        ));
    }
    Ok(Setting {
        id: s.id,
        title: s.title,
        default,
        earliest,
        latest,
        value: default,
        configured: false,
        source: s.source,
    })
}

fn period(
    file: &str,
    p: &file::PeriodSpec,
    schema: &Schema,
    settings: &[Setting],
) -> Result<Period, RulesError> {
    let err = |key: &str, m: String| invalid(file, &p.id, key, &m);
    let judged_by = validate::date_field(schema, &p.judged_by, &err, "period.judged_by")?;
    let mut not_before = Vec::new();
    for name in &p.not_before {
        not_before.push(validate::date_field(
            schema,
            name,
            &err,
            "period.not_before",
        )?);
    }
    let bound = |v: &Option<toml::Value>, key: &str| -> Result<Option<Bound>, RulesError> {
        match v {
            None => Ok(None),
            Some(toml::Value::Datetime(d)) => date_of(d)
                .map(|d| Some(Bound::Date(d)))
                .ok_or_else(|| err(key, format!("`{d}` is not a date like 2018-06-29"))),
            Some(toml::Value::String(s)) => settings
                .iter()
                .position(|x| &x.id == s)
                .map(|i| Some(Bound::Setting(i)))
                .ok_or_else(|| {
                    err(
                        key,
                        format!("`{s}` is neither a date like 2018-06-29 nor a setting"),
                    )
                }),
            Some(other) => Err(err(
                key,
                format!("{other} should be a date or a setting id"),
            )),
        }
    };
    let from = bound(&p.from, "period.from")?;
    let until = bound(&p.until, "period.until")?;
    if from.is_none() && until.is_none() {
        return Err(err(
            "period.from",
            "a period needs from, until or both".into(),
        ));
    }
    Ok(Period {
        id: p.id.clone(),
        title: p.title.clone(),
        judged_by,
        not_before,
        from,
        until,
        source: p.source.clone(),
        origin: file.to_string(),
    })
}

fn relaxation(
    file: &str,
    r: file::RelaxationSpec,
    rules: &RuleSet,
) -> Result<Relaxation, RulesError> {
    let err = |key: &str, m: String| invalid(file, &r.id, &format!("relaxation.{key}"), &m);
    let from = date_of(&r.from).ok_or_else(|| err("from", "should be a date".into()))?;
    let Some(until) = &r.until else {
        return Err(err(
            "until",
            format!(
                "is required: this relaxed period is off until the partnership names its last day \
                 (e.g. until = 2021-03-31) in {file}. No end date has been published, so the tool \
                 will not assume one"
            ),
        ));
    };
    let until = date_of(until).ok_or_else(|| err("until", "should be a date".into()))?;
    if until < from {
        return Err(err("until", format!("{until} is before from ({from})")));
    }
    let mut duties = Vec::new();
    for id in &r.duties {
        let i = rules
            .duty_index(id)
            .ok_or_else(|| err("duties", format!("`{id}` is not a duty")))?;
        duties.push(i);
    }
    if duties.is_empty() {
        return Err(err("duties", "names no duty".into()));
    }
    Ok(Relaxation {
        id: r.id,
        title: r.title,
        from,
        until,
        duties,
        changes: r.changes,
        source: r.source,
        origin: file.to_string(),
    })
}

/// Each in-force duty's periods as merged `[from, until)` date spans.
fn spans(rules: &mut RuleSet) {
    let dated: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = rules
        .periods
        .iter()
        .map(|p| {
            (
                p.from.map(|b| rules.bound(b)),
                p.until.map(|b| rules.bound(b)),
            )
        })
        .collect();
    for d in &mut rules.duties {
        let Some(f) = d.in_force.as_mut() else {
            continue;
        };
        let mut v: Vec<_> = f.periods.iter().map(|&i| dated[i]).collect();
        v.sort_by_key(|(from, _)| *from);
        let mut merged: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = Vec::new();
        for (from, until) in v {
            match merged.last_mut() {
                Some(last) if last.1.is_none() => {}
                Some(last) if from.is_some_and(|f| Some(f) <= last.1) => {
                    if until.is_none() || until > last.1 {
                        last.1 = until;
                    }
                }
                _ => merged.push((from, until)),
            }
        }
        f.spans = merged;
    }
}

pub(super) fn set(rules: &mut RuleSet, id: &str, value: NaiveDate) -> Result<(), RulesError> {
    let Some(s) = rules.settings.iter_mut().find(|s| s.id == id) else {
        return Err(RulesError::Setting {
            key: id.to_string(),
            value: value.to_string(),
            message: "the rules have no such setting".to_string(),
        });
    };
    if value < s.earliest || value > s.latest {
        return Err(RulesError::Setting {
            key: id.to_string(),
            value: value.to_string(),
            message: format!(
                "must be from {} to {} ({}). Put the date your area's arrangements began, or \
                 leave the key out to use {}",
                s.earliest.format("%d/%m/%Y"),
                s.latest.format("%d/%m/%Y"),
                s.title,
                s.default.format("%Y-%m-%d"),
            ),
        });
    }
    s.value = value;
    s.configured = true;
    spans(rules);
    Ok(())
}
