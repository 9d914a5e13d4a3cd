//! One audit, end to end: rules and calendar from the configuration, cases from every source,
//! every case evaluated against every duty as of a date. The commands build on this.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::cases::{self, CaseSet};
use crate::config::{Config, ConfigError};
use crate::findings::{self, Finding, Tally};
use crate::rules::{RuleSet, RulesError};
use crate::timing::Timings;

/// Why an audit could not run. The split decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error(transparent)]
    Input(#[from] cases::ReadError),
    #[error("cannot write {file}: {reason}")]
    Output { file: String, reason: String },
}

/// The result of an audit.
#[derive(Debug)]
pub struct Audit {
    pub as_of: NaiveDate,
    pub rules: RuleSet,
    pub calendar: Calendar,
    pub cases: CaseSet,
    /// One per case and duty, cases in case-reference order, duties in rules order.
    pub findings: Vec<Finding>,
    pub tally: Tally,
    /// Fields a duty needs that a source's log has no column for, and what each cost.
    pub missing: Vec<cases::columns::MissingColumn>,
    /// How long each stage took (reading, sorting, evaluating, then what the report adds).
    pub timings: Timings,
}

/// Loads the rules and calendar a configuration asks for.
pub fn prepare(config: &Config) -> Result<(RuleSet, Calendar), AuditError> {
    let mut rules = RuleSet::load(&config.rules)?;
    if let Some(date) = config.arrangements_from {
        rules
            .set("arrangements_from", date)
            .map_err(|e| config.invalid(e.to_string()))?;
    }
    let calendar = if config.non_working_days.is_empty() {
        Calendar::england_and_wales()
    } else {
        Calendar::with_extra_days(&config.non_working_days)
    };
    Ok((rules, calendar))
}

/// Runs the audit of every incident log in `config` as of `as_of`.
pub fn run(config: &Config, as_of: NaiveDate) -> Result<Audit, AuditError> {
    run_observed(config, as_of, &mut |_| {})
}

/// As [`run`], telling `on_stage` what it is doing (for a progress display).
pub fn run_observed(
    config: &Config,
    as_of: NaiveDate,
    on_stage: &mut dyn FnMut(&str),
) -> Result<Audit, AuditError> {
    let timings = Timings::default();
    let (rules, calendar) = timings.time("rules and calendar", || prepare(config))?;
    for (i, spec) in config.sources.iter().enumerate() {
        if let Some(m) = cases::columns::unknown_keys(i, spec, &rules.schema) {
            return Err(AuditError::Config(config.invalid(m)));
        }
    }
    on_stage("reading the logs");
    let mut cases = timings.time("read", || {
        cases::read_sources(&rules.schema, &config.sources, as_of)
    })?;
    // A configured log without a column a duty needs is refused unless it says so.
    cases::columns::refusal(&cases, &config.sources, &rules)
        .map_err(|m| AuditError::Config(config.invalid(m)))?;
    on_stage(&format!(
        "evaluating {} cases against {} duties",
        cases.cases.len(),
        rules.duties.len()
    ));
    timings.time("sort", || {
        cases.cases.sort_by_cached_key(|c| natural_key(&c.case_ref))
    });
    let mut findings = timings.time("evaluate", || {
        evaluate_all(&cases, &rules, &calendar, as_of)
    });
    on_stage("cross-checking referrals");
    let t = std::time::Instant::now();
    crate::referrals::cross_check(
        &config.sources,
        &mut cases,
        &rules,
        &calendar,
        as_of,
        &mut findings,
    )
    .map_err(|e| AuditError::Input(cases::ReadError::Ingest(e)))?;
    timings.record("referrals", t.elapsed());
    let tally = timings.time("tally", || Tally::of(&findings, &rules));
    let missing = cases::columns::missing_columns(&cases, &config.sources, &rules, &findings);
    Ok(Audit {
        as_of,
        rules,
        calendar,
        cases,
        findings,
        tally,
        missing,
        timings,
    })
}

/// Evaluates every case, using both cores for large logs.
pub fn evaluate_all(
    cases: &CaseSet,
    rules: &RuleSet,
    calendar: &Calendar,
    as_of: NaiveDate,
) -> Vec<Finding> {
    let n = cases.cases.len();
    let per_case = rules
        .duties
        .iter()
        .filter(|d| d.subject == crate::rules::Subject::Incident)
        .count();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if n < 20_000 || threads < 2 {
        let mut out = Vec::with_capacity(n * per_case);
        for (i, c) in cases.cases.iter().enumerate().filter(|(_, c)| !c.referral) {
            findings::evaluate_case(i as u32, c, rules, calendar, as_of, &mut out);
        }
        return out;
    }
    // Each thread writes its cases' findings straight into its own stretch of the one output
    // vector (no copying of parts afterwards; the pages are first touched by both cores).
    let wanted: Vec<usize> = cases
        .cases
        .chunks(n.div_ceil(threads))
        .map(|slice| slice.iter().filter(|c| !c.referral).count() * per_case)
        .collect();
    let total: usize = wanted.iter().sum();
    let chunk = n.div_ceil(threads);
    let mut out: Vec<Finding> = Vec::with_capacity(total);
    let mut rest = &mut out.spare_capacity_mut()[..total];
    let mut slots = Vec::with_capacity(wanted.len());
    for w in &wanted {
        let (mine, tail) = rest.split_at_mut(*w);
        slots.push(mine);
        rest = tail;
    }
    let all_written = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .cases
            .chunks(chunk)
            .zip(slots)
            .enumerate()
            .map(|(k, (slice, slot))| {
                s.spawn(move || {
                    let mut one = Vec::with_capacity(per_case);
                    let mut at = 0;
                    for (j, c) in slice.iter().enumerate().filter(|(_, c)| !c.referral) {
                        one.clear();
                        let i = (k * chunk + j) as u32;
                        findings::evaluate_case(i, c, rules, calendar, as_of, &mut one);
                        if one.len() != per_case || at + per_case > slot.len() {
                            return false;
                        }
                        for (dst, f) in slot[at..at + per_case].iter_mut().zip(one.drain(..)) {
                            dst.write(f);
                        }
                        at += per_case;
                    }
                    at == slot.len()
                })
            })
            .collect();
        handles
            .into_iter()
            // Every thread joined (none left for the scope to join, where a panic would
            // propagate), then all must have written their stretch.
            .map(|h| h.join().unwrap_or(false))
            .collect::<Vec<_>>()
            .into_iter()
            .all(|written| written)
    });
    if !all_written {
        // Not one finding per case and duty (cannot happen with today's evaluation): do it on
        // one thread, where nothing depends on the count.
        let mut out = Vec::with_capacity(total);
        for (i, c) in cases.cases.iter().enumerate().filter(|(_, c)| !c.referral) {
            findings::evaluate_case(i as u32, c, rules, calendar, as_of, &mut out);
        }
        return out;
    }
    // SAFETY: the slots partition `out`'s first `total` spare elements, and every thread
    // reported that it initialised each element of its slot (`at == slot.len()`, with
    // `wanted` summing to `total`); `Finding` is `Copy`, so nothing needs dropping on the
    // fallback path above.
    unsafe { out.set_len(total) };
    out
}

/// Orders case references so that `NS-2024-9` comes before `NS-2024-10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let xl = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let yl = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let xs = trim_zeros(&x[..xl]);
                let ys = trim_zeros(&y[..yl]);
                let o = xs.len().cmp(&ys.len()).then_with(|| xs.cmp(ys));
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
                x = &x[xl..];
                y = &y[yl..];
            }
            (Some(c), Some(d)) => {
                let o = c.to_ascii_lowercase().cmp(&d.to_ascii_lowercase());
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// A sort key whose byte order is [`natural_cmp`]'s order: letters lower-cased, and each run
/// of digits as a digit marker, its length without leading zeros (4 bytes) and those digits.
/// Sorting by it compares plain bytes instead of re-parsing both references on every
/// comparison. Any digit byte compares the same way against any non-digit, so the marker
/// `0` stands for the run's first digit.
pub fn natural_key(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut key = Vec::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let digits = trim_zeros(&b[i..i + run]);
            key.push(b'0');
            key.extend_from_slice(&(digits.len() as u32).to_be_bytes());
            key.extend_from_slice(digits);
            i += run;
        } else {
            key.push(b[i].to_ascii_lowercase());
            i += 1;
        }
    }
    key
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n.min(s.len().saturating_sub(1))..]
}

impl Audit {
    /// Cases of the incident logs (not referrals).
    pub fn incident_case_count(&self) -> usize {
        self.cases.cases.iter().filter(|c| !c.referral).count()
    }

    /// Referrals cross-checked.
    pub fn referral_count(&self) -> usize {
        self.cases.cases.iter().filter(|c| c.referral).count()
    }

    pub fn case_ref(&self, case: u32) -> &str {
        self.cases
            .cases
            .get(case as usize)
            .map(|c| &*c.case_ref)
            .unwrap_or("?")
    }

    /// The local authority of a case as the log writes it (blank if none).
    pub fn local_authority(&self, case: u32) -> &str {
        self.cases
            .cases
            .get(case as usize)
            .and_then(|c| c.local_authority.as_deref())
            .unwrap_or("")
    }

    /// `findings-<as-of>.csv` in `dir`.
    pub fn findings_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("findings-{}.csv", self.as_of.format("%Y-%m-%d")))
    }

    /// Writes the findings file atomically and returns its path.
    pub fn write_findings(&self, dir: &Path) -> Result<PathBuf, AuditError> {
        let path = self.findings_path(dir);
        let t = std::time::Instant::now();
        crate::output::write_atomic(&path, |w| {
            findings::csv::write(
                w,
                &self.findings,
                |i| (self.case_ref(i), self.local_authority(i)),
                &self.rules,
            )
        })
        .map_err(|e| AuditError::Output {
            file: path.display().to_string(),
            reason: e.to_string(),
        })?;
        self.timings.record("findings CSV", t.elapsed());
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["NS-2024-10", "NS-2024-9", "ns-2023-100", "NS-2024-009a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["ns-2023-100", "NS-2024-9", "NS-2024-009a", "NS-2024-10"]
        );
    }

    proptest::proptest! {
        #[test]
        fn natural_key_orders_as_natural_cmp(
            a in "[a-cA-C0-9/ _é-]{0,12}",
            b in "[a-cA-C0-9/ _é-]{0,12}",
        ) {
            proptest::prop_assert_eq!(natural_key(&a).cmp(&natural_key(&b)), natural_cmp(&a, &b));
        }
    }
}
