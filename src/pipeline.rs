//! One audit, end to end: rules and calendar from the configuration, cases from every source,
//! every case evaluated against every duty as of a date. The commands build on this.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::cases::{self, CaseSet};
use crate::config::{Config, ConfigError};
use crate::findings::{self, Finding, Tally};
use crate::rules::{RuleSet, RulesError};

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
    /// An evaluation worker panicked: its share of the findings is missing, so there is no
    /// answer to give. A bug, never the data's fault.
    #[error(
        "evaluating cases {first} to {last} of {total} stopped unexpectedly (a bug in safeguard-audit); \
         nothing was written, since the findings would be incomplete. Run again; if it happens \
         again, report it with the command and the safeguard-audit version"
    )]
    Evaluation {
        first: usize,
        last: usize,
        total: usize,
    },
}

impl From<crate::partnership::PrepareError> for AuditError {
    fn from(e: crate::partnership::PrepareError) -> Self {
        match e {
            crate::partnership::PrepareError::Config(e) => AuditError::Config(e),
            crate::partnership::PrepareError::Rules(e) => AuditError::Rules(e),
        }
    }
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
    pub missing: Vec<crate::columns::MissingColumn>,
    /// A partnership's local authorities and whose each case is (`None`: a single council,
    /// or one authority's own audit).
    pub partnership: Option<crate::partnership::Partnership>,
    /// For one authority's audit (see [`crate::authorities::split`]): its name.
    pub authority: Option<String>,
    /// How long each stage took (reading, sorting, evaluating, then what the report adds).
    pub timings: crate::timing::Timings,
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
    let (rules, calendar) = prepare(config)?;
    for (i, spec) in config.sources.iter().enumerate() {
        if let Some(m) = crate::columns::unknown_keys(i, spec, &rules.schema) {
            return Err(AuditError::Config(config.invalid(m)));
        }
    }
    if config.local_authorities.is_empty() {
        return finish(config, as_of, on_stage, rules, calendar, None);
    }
    let p = crate::partnership::prepare(config, rules, calendar)?;
    let (rules, calendar) = (p.rules.clone(), p.calendar.clone());
    finish(config, as_of, on_stage, rules, calendar, Some(p))
}

fn finish(
    config: &Config,
    as_of: NaiveDate,
    on_stage: &mut dyn FnMut(&str),
    rules: RuleSet,
    calendar: Calendar,
    prepared: Option<crate::partnership::Prepared>,
) -> Result<Audit, AuditError> {
    let timings = crate::timing::Timings::default();
    on_stage("reading the logs");
    let mut cases = timings.time("read", || {
        cases::read_sources(&rules.schema, &config.sources, as_of)
    })?;
    // A configured log without a column a duty needs is refused unless it says so.
    crate::columns::refusal(&cases, &config.sources, &rules)
        .map_err(|m| AuditError::Config(config.invalid(m)))?;
    on_stage(&format!(
        "evaluating {} cases against {} duties",
        cases.cases.len(),
        rules.duties.len()
    ));
    timings.time("sort", || {
        crate::util::natural::sort_naturally(&mut cases.cases, |c| &c.case_ref)
    });
    let t = std::time::Instant::now();
    let (mut findings, mut case_authority) = match &prepared {
        None => (evaluate_all(&cases, &rules, &calendar, as_of)?, Vec::new()),
        Some(p) => {
            let owner = crate::partnership::assign(config, &mut cases);
            let findings = evaluate_each(&cases, rules.duties.len(), &|i, c, out| {
                let a = owner.get(i).copied().flatten();
                crate::partnership::evaluate_case(p, a, i as u32, c, as_of, out)
            })?;
            (findings, owner)
        }
    };
    on_stage("cross-checking referrals");
    // Referrals are the partnership's: its own rules and calendar.
    let (own_rules, own_calendar) = match &prepared {
        Some(p) => (&p.own_rules, &p.calendar),
        None => (&rules, &calendar),
    };
    timings.record("evaluate", t.elapsed());
    let t = std::time::Instant::now();
    crate::referrals::cross_check(
        &config.sources,
        &mut cases,
        own_rules,
        own_calendar,
        as_of,
        &mut findings,
    )
    .map_err(|e| AuditError::Input(cases::ReadError::Ingest(e)))?;
    timings.record("referrals", t.elapsed());
    let tally = timings.time("tally", || Tally::of(&findings, &rules));
    let missing = crate::columns::missing_columns(&cases, &config.sources, &rules, &findings);
    let partnership = prepared.map(|p| {
        case_authority.resize(cases.cases.len(), None);
        crate::partnership::Partnership {
            authorities: p.authorities,
            case_authority,
        }
    });
    Ok(Audit {
        as_of,
        rules,
        calendar,
        cases,
        findings,
        tally,
        missing,
        partnership,
        authority: None,
        timings,
    })
}

/// Evaluates every case, using both cores for large logs. A panic while evaluating fails the
/// whole evaluation ([`AuditError::Evaluation`]): no finding is ever silently dropped.
pub fn evaluate_all(
    cases: &CaseSet,
    rules: &RuleSet,
    calendar: &Calendar,
    as_of: NaiveDate,
) -> Result<Vec<Finding>, AuditError> {
    let per_case = rules
        .duties
        .iter()
        .filter(|d| d.subject == crate::rules::Subject::Incident)
        .count();
    evaluate_each(cases, per_case, &|i, c, out| {
        findings::evaluate_case(i as u32, c, rules, calendar, as_of, out)
    })
}

/// Evaluates every case (not the referrals) with `one`, which appends a case's findings,
/// using both cores for large logs; `per_case` sizes the output. A panic in `one` fails the
/// whole evaluation ([`AuditError::Evaluation`]), never drops a share of the findings.
pub fn evaluate_each(
    cases: &CaseSet,
    per_case: usize,
    one: &(dyn Fn(usize, &crate::cases::Case, &mut Vec<Finding>) + Sync),
) -> Result<Vec<Finding>, AuditError> {
    let n = cases.cases.len();
    let threads = crate::util::par::threads();
    let panic_at = injected_panic();
    // An injected panic (test builds only) always goes through the pieces.
    let (threads, parallel_from) = match panic_at {
        Some(_) => (threads.max(2), 0),
        None => (threads, 20_000),
    };
    let evaluate = |first: usize, slice: &[crate::cases::Case], out: &mut Vec<Finding>| {
        for (j, c) in slice.iter().enumerate().filter(|(_, c)| !c.referral) {
            if panic_at.as_deref() == Some(&*c.case_ref) {
                panic!("injected test panic (SAFEGUARD_AUDIT_TEST_PANIC_CASE)");
            }
            one(first + j, c, out);
        }
    };
    let failed = |first: usize, len: usize| AuditError::Evaluation {
        first: first + 1,
        last: first + len,
        total: n,
    };
    // Room for every finding, made once (a million cases: 14 million findings, 448 MB).
    let mut out = Vec::with_capacity(n * per_case);
    if n < parallel_from || threads < 2 {
        let all = std::panic::AssertUnwindSafe(|| evaluate(0, &cases.cases, &mut out));
        return match std::panic::catch_unwind(all) {
            Ok(()) => Ok(out),
            Err(_) => Err(failed(0, n)),
        };
    }
    // The cases in pieces, evaluated on every core and appended in order as they come: what
    // is evaluated but not yet appended is a few pieces, never a whole share of the findings
    // beside the vector it goes into (which was a third of a million-case run's memory).
    let piece = (n / (threads * 8)).clamp(1, 16_384);
    let pieces = n.div_ceil(piece);
    let range = |k: usize| (k * piece, ((k + 1) * piece).min(n));
    // A panic is kept as its piece's result, whichever thread evaluated it.
    let make = |k: usize| {
        let (first, end) = range(k);
        let slice = &cases.cases[first..end];
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut part = Vec::with_capacity(slice.len() * per_case);
            evaluate(first, slice, &mut part);
            part
        }))
    };
    crate::util::par::ordered(pieces, threads * 2, make, |k, part| match part {
        Ok(part) => {
            out.extend(part);
            Ok(())
        }
        Err(_) => {
            let (first, end) = range(k);
            Err(failed(first, end - first))
        }
    })?;
    Ok(out)
}

/// The case reference whose evaluation panics, from `SAFEGUARD_AUDIT_TEST_PANIC_CASE`: honoured
/// only in debug builds (what `cargo test` runs), so that the tests can show that a failing
/// worker fails the audit. Release builds never read it.
#[cfg(debug_assertions)]
fn injected_panic() -> Option<String> {
    std::env::var("SAFEGUARD_AUDIT_TEST_PANIC_CASE").ok()
}

#[cfg(not(debug_assertions))]
fn injected_panic() -> Option<String> {
    None
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
        crate::atomic_write::write_atomic(&path, |w| {
            findings::csv::write_par(
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

    /// A partnership's findings file (in `dirs[0]`) and each of its authorities' (in
    /// `dirs[1 + k]`, authority `k` of [`Audit::partnership`]) written in one pass: each
    /// line is formatted once, then written to the partnership's file and to its case's
    /// authority's. An authority's file is then exactly what its own audit
    /// ([`crate::authorities::split`]) would write: its findings are the partnership's for its
    /// cases, in the same order, with the same case references and duty ids.
    pub fn write_findings_split(&self, dirs: &[PathBuf]) -> Result<Vec<PathBuf>, AuditError> {
        let owner = self
            .partnership
            .as_ref()
            .map(|p| p.case_authority.as_slice())
            .unwrap_or(&[]);
        let paths: Vec<PathBuf> = dirs.iter().map(|d| self.findings_path(d)).collect();
        let err = |path: &Path, e: std::io::Error| AuditError::Output {
            file: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut files = Vec::with_capacity(paths.len());
        for p in &paths {
            files.push(crate::atomic_write::AtomicFile::create(p).map_err(|e| err(p, e))?);
        }
        {
            let mut outs: Vec<&mut std::fs::File> = files.iter_mut().map(|f| f.file()).collect();
            findings::csv::write_split(
                &mut outs,
                &self.findings,
                |i| (self.case_ref(i), self.local_authority(i)),
                |i| {
                    owner
                        .get(i as usize)
                        .copied()
                        .flatten()
                        .map(|k| 1 + k as usize)
                },
                &self.rules,
            )
            // Which file failed is not known here; name the partnership's.
            .map_err(|e| err(&paths[0], e))?;
        }
        for (f, p) in files.into_iter().zip(&paths) {
            f.commit().map_err(|e| err(p, e))?;
        }
        Ok(paths)
    }
}
