//! Partnerships of several local authorities (`[[local_authorities]]`): each case matched to its
//! authority by the log's Local authority column, judged on that authority's own calendar and
//! rules, and the audit split into one per authority (only its cases) beside the partnership's
//! (every case, with the same verdicts).

use std::sync::Arc;

use crate::calendar::Calendar;
use crate::cases::{Case, CaseSet, Problem, ProblemKind};
use crate::config::{Config, ConfigError};
use crate::fields;
use crate::findings::{Finding, Reason};
use crate::rules::{RuleSet, RulesError, Subject};

/// Why a partnership's configuration cannot be used: the configuration itself, or one of its
/// authorities' rules files. The pipeline turns it into its own error (exit 2 either way).
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rules(#[from] RulesError),
}

/// One local authority's rules and calendar.
#[derive(Debug, Clone)]
pub struct Authority {
    pub name: String,
    /// Its report folder under the report folder.
    pub slug: String,
    pub email_to: Vec<String>,
    /// The partnership's rules, then its own overlays.
    pub rules: RuleSet,
    /// England and Wales bank holidays, the partnership's own days, then its own.
    pub calendar: Calendar,
    /// Its duty index -> the partnership's duty index (see [`Prepared::rules`]).
    pub to_partnership: Vec<u16>,
}

/// A partnership's local authorities, and which cases are whose.
#[derive(Debug, Clone)]
pub struct Partnership {
    pub authorities: Vec<Authority>,
    /// Per case of the audit (same index): its authority, or `None` when its Local authority is
    /// blank, not listed or conflicting (the partnership's report only), and for referrals.
    pub case_authority: Vec<Option<u16>>,
}

/// The rules and calendars of a partnership, before any log is read.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The partnership's duties (its own rules), then each variant of a duty that an
    /// authority's overlay adds or changes (titled with the authorities it is for). Every
    /// finding of the partnership's report points into this list.
    pub rules: RuleSet,
    /// The partnership's own rules (for cases with no authority, and referrals).
    pub own_rules: RuleSet,
    pub calendar: Calendar,
    pub authorities: Vec<Authority>,
}

/// Loads every authority's rules on one schema (so one reading of the log serves all) and its
/// calendar. `own` are the partnership's rules and calendar.
pub fn prepare(
    config: &Config,
    own: RuleSet,
    calendar: Calendar,
) -> Result<Prepared, PrepareError> {
    let invalid = |m: String| PrepareError::Config(config.invalid(m));
    let overlays = |la: &crate::config::LocalAuthority| {
        let mut v = config.rules.clone();
        v.extend(la.rules.iter().cloned());
        v
    };
    // First each authority on its own, to learn its local fields; then all on the union.
    let mut schema = own.schema.clone();
    let mut declared_by: Vec<String> = vec![String::new(); schema.len()];
    for la in config
        .local_authorities
        .iter()
        .filter(|la| !la.rules.is_empty())
    {
        let alone = RuleSet::load(&overlays(la))?;
        for id in alone.schema.ids() {
            let def = alone.schema.def(id);
            match schema.lookup(&def.name) {
                None => {
                    schema.add_local_date(&def.name, &def.label, def.aliases.clone());
                    declared_by.push(la.name.clone());
                }
                Some(u) => {
                    let have = schema.def(u);
                    if have.label != def.label || have.aliases != def.aliases {
                        let other = match declared_by.get(u.index()).map(String::as_str) {
                            Some("") | None => "the partnership's rules".to_string(),
                            Some(n) => format!("{n}'s rules"),
                        };
                        return Err(invalid(format!(
                            "local_authorities `{}`: its rules declare the field `{}` with another label or aliases than {other} do; a column is read once for every authority, so declare the field once, in the partnership's rules",
                            la.name, def.name
                        )));
                    }
                }
            }
        }
    }
    // The configuration's settings (arrangements_from) hold for every authority's rules.
    let settle = |mut rules: RuleSet| -> Result<RuleSet, PrepareError> {
        if let Some(date) = config.arrangements_from {
            rules
                .set("arrangements_from", date)
                .map_err(|e| invalid(e.to_string()))?;
        }
        Ok(rules)
    };
    let own_rules = if schema.len() == own.schema.len() {
        own
    } else {
        settle(RuleSet::load_with(schema.clone(), &config.rules)?)?
    };
    let mut union = own_rules.clone();
    // Which authorities each appended duty variant is for.
    let mut variant_of: Vec<Vec<String>> = vec![Vec::new(); union.duties.len()];
    let mut authorities = Vec::new();
    for la in &config.local_authorities {
        let rules = if la.rules.is_empty() {
            own_rules.clone()
        } else {
            settle(RuleSet::load_with(schema.clone(), &overlays(la))?)?
        };
        let calendar = if la.non_working_days.is_empty() {
            calendar.clone()
        } else {
            let mut days = config.non_working_days.clone();
            days.extend(la.non_working_days.iter().cloned());
            Calendar::with_extra_days(&days)
        };
        // The partnership's report describes every case's duties with its own periods and
        // relaxed periods (by index): an authority's rules cannot add to them.
        if rules.periods.len() != own_rules.periods.len()
            || rules.relaxations.len() != own_rules.relaxations.len()
            || rules.settings.len() != own_rules.settings.len()
        {
            return Err(invalid(format!(
                "local_authorities `{}`: its rules add periods, relaxed periods or settings; the law's periods are the partnership's, so put them in the partnership's rules",
                la.name
            )));
        }
        let mut to_partnership = Vec::with_capacity(rules.duties.len());
        for d in &rules.duties {
            let at = union
                .duties
                .iter()
                .position(|u| u.id == d.id && u.origin == d.origin);
            let u = match at {
                Some(u) => u,
                None => {
                    if d.subject == Subject::Referral {
                        return Err(invalid(format!(
                            "local_authorities `{}`: its rules change the referral duty `{}`; referrals are the partnership's, so put that change in the partnership's rules",
                            la.name, d.id
                        )));
                    }
                    union.duties.push(d.clone());
                    variant_of.push(Vec::new());
                    union.duties.len() - 1
                }
            };
            if u >= own_rules.duties.len() {
                variant_of[u].push(la.name.clone());
            }
            to_partnership.push(u16::try_from(u).map_err(|_| invalid("too many duties".into()))?);
        }
        for f in &rules.files {
            if !union.files.contains(f) {
                union.files.push(f.clone());
            }
        }
        authorities.push(Authority {
            name: la.name.clone(),
            slug: la.slug.clone(),
            email_to: la.email_to.clone(),
            rules,
            calendar,
            to_partnership,
        });
    }
    for (d, names) in union.duties.iter_mut().zip(&variant_of) {
        if !names.is_empty() {
            d.title = format!("{} ({})", d.title, names.join(", "));
        }
    }
    Ok(Prepared {
        rules: union,
        own_rules,
        calendar,
        authorities,
    })
}

/// Matches each case to its authority, naming it as the configuration does, and lists a case
/// whose Local authority is blank, not listed or conflicting as a data-quality problem (it goes
/// to the partnership's report only: sending a child's case to the wrong director is worse
/// than sending it to none).
pub fn assign(config: &Config, set: &mut CaseSet) -> Vec<Option<u16>> {
    let names: Vec<Arc<str>> = config
        .local_authorities
        .iter()
        .map(|la| Arc::from(la.name.as_str()))
        .collect();
    let listed = config
        .local_authorities
        .iter()
        .map(|la| la.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let conflicting: std::collections::HashSet<String> = set
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Conflict && p.field == Some(fields::LOCAL_AUTHORITY))
        .filter_map(|p| p.case_ref.clone())
        .collect();
    // Names repeat on every row: match each distinct text once.
    let mut memo: std::collections::HashMap<Arc<str>, Option<usize>> = Default::default();
    let mut out = Vec::with_capacity(set.cases.len());
    let mut problems = Vec::new();
    for case in set.cases.iter_mut() {
        if case.referral {
            out.push(None);
            continue;
        }
        let why = match case.local_authority.clone() {
            None => "Local authority is blank",
            Some(_) if conflicting.contains(&*case.case_ref) => {
                "Local authority differs between the case's rows"
            }
            Some(text) => {
                let k = *memo
                    .entry(text.clone())
                    .or_insert_with(|| config.authority_named(&text));
                match k {
                    Some(k) => {
                        case.local_authority = Some(names[k].clone());
                        out.push(Some(k as u16));
                        continue;
                    }
                    None => "Local authority is not one of the partnership's",
                }
            }
        };
        out.push(None);
        problems.push(unassigned(case, why, &listed));
    }
    set.problems.extend(problems);
    out
}

fn unassigned(case: &Case, why: &str, listed: &str) -> Problem {
    Problem {
        kind: ProblemKind::BadValue,
        at: Some(case.first_row),
        field: Some(fields::LOCAL_AUTHORITY),
        case_ref: Some(case.case_ref.to_string()),
        message: format!(
            "{why} ({listed}, or their aliases): the case is in the partnership's report only, not in any authority's. Correct the log, or add the name it uses to that authority's aliases"
        ),
    }
}

/// Evaluates one case on its own authority's rules and calendar, the findings pointing into the
/// partnership's duty list.
pub fn evaluate_case(
    prepared: &Prepared,
    authority: Option<u16>,
    case_index: u32,
    case: &Case,
    as_of: chrono::NaiveDate,
    out: &mut Vec<Finding>,
) {
    let Some(a) = authority.and_then(|k| prepared.authorities.get(k as usize)) else {
        crate::findings::evaluate_case(
            case_index,
            case,
            &prepared.own_rules,
            &prepared.calendar,
            as_of,
            out,
        );
        return;
    };
    let start = out.len();
    crate::findings::evaluate_case(case_index, case, &a.rules, &a.calendar, as_of, out);
    let map = |d: u16| a.to_partnership.get(d as usize).copied().unwrap_or(d);
    for f in &mut out[start..] {
        f.duty = map(f.duty);
        if let Reason::DependsOn(d) = f.reason {
            f.reason = Reason::DependsOn(map(d));
        }
    }
}

impl Partnership {
    /// The authority of the case with this reference, if it has one.
    pub fn authority_of_case(&self, cases: &CaseSet, case_ref: &str) -> Option<usize> {
        let i = cases
            .cases
            .iter()
            .position(|c| c.case_ref.eq_ignore_ascii_case(case_ref.trim()))?;
        self.case_authority
            .get(i)
            .copied()
            .flatten()
            .map(usize::from)
    }
}

/// Where an authority's report goes: `<report folder>/<slug>`.
pub fn folder(out_dir: &std::path::Path, a: &Authority) -> std::path::PathBuf {
    out_dir.join(&a.slug)
}
