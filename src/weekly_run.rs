//! The weekly run, as cron or our scheduler calls it: take the state folder's lock, audit every
//! source, write the findings and workbook, email the report at most once per report and
//! reporting week (unless forced), and record the run in the ledger. Returns what happened as
//! a [`RunOutcome`] or a typed [`RunError`]; the command line prints them and picks the exit
//! code.
//!
//! The email is sent only after the ledger has recorded the attempt; its outcome is recorded
//! after. An attempt whose outcome is unknown (the process died while sending, or the
//! connection failed after the message was transmitted) holds back later runs of the same
//! week until `--force`. A run as of a date before the last report sent (back-dated) writes
//! its files but emails only with `--force`, and never becomes a later report's baseline.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;

use crate::config::{Config, ConfigError};
use crate::email::{self, ComposeError, Password, SendError, Settings};
use crate::ledger::{self, Delivery, Ledger, LedgerError, RunRecord, UnknownAttempt};
use crate::pipeline::AuditError;

/// How a run is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: PathBuf,
    pub as_of: NaiveDate,
    /// Send even if this week's report was already sent, an earlier attempt's outcome is
    /// unknown, or the run is back-dated.
    pub force: bool,
    /// Send this one report of a partnership as `force` would: an authority's name, alias or
    /// folder name, or `partnership`.
    pub force_only: Option<String>,
    /// Write the message as an .eml instead of sending.
    pub dry_run: bool,
    /// How long to wait for another run's lock.
    pub lock_wait: Duration,
    /// Set by SIGTERM in `schedule`: the lock wait and the delivery stop at once.
    pub stop: Option<Arc<AtomicBool>>,
}

/// Default wait for the lock; `SAFEGUARD_AUDIT_LOCK_WAIT_SECS` overrides it.
pub fn default_lock_wait() -> Duration {
    let secs = std::env::var("SAFEGUARD_AUDIT_LOCK_WAIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(secs)
}

/// Told as the run goes, so the caller can show the report before the email goes out.
#[derive(Debug)]
pub enum Notice<'a> {
    /// Temporary files a killed earlier run left behind, now removed.
    TempFilesRemoved(&'a [PathBuf]),
    /// A folder could not be cleared of old temporary files (the run goes on).
    TempFilesKept { dir: &'a Path, reason: String },
    /// The report files are written.
    Report {
        summary: &'a str,
        changes: &'a [String],
        written: &'a [PathBuf],
    },
}

/// What happened to the email.
#[derive(Debug)]
pub enum Emailed {
    Sent {
        recipients: usize,
        attempts: u32,
    },
    /// `--dry-run`: the message was written to `eml`.
    DryRun {
        eml: PathBuf,
        /// Who it would go to (To, then Cc): staff addresses from the configuration.
        recipients: Vec<String>,
    },
    /// This week's report was already sent.
    AlreadySent {
        week: String,
    },
    /// An earlier attempt this week may have been delivered: not sent again.
    HeldUnknown {
        week: String,
        attempt: UnknownAttempt,
    },
    /// As of a date before the last report sent: not emailed.
    BackDated {
        last_sent: NaiveDate,
    },
    /// Not delivered.
    Failed(SendError),
    /// The connection failed after the message was transmitted: it may have been delivered.
    Unknown(SendError),
    /// A partnership's local authority without `email_to`: files written, no email.
    NoRecipients,
}

/// A run that wrote its report.
#[derive(Debug)]
pub struct RunOutcome {
    pub as_of: NaiveDate,
    pub week: String,
    pub breaches: usize,
    pub written: Vec<PathBuf>,
    /// Where the report is kept.
    pub out_dir: PathBuf,
    pub emailed: Emailed,
    /// For one local authority's report: its name.
    pub authority: Option<String>,
    /// A partnership's authorities' reports, in the configuration's order (this outcome is
    /// the partnership's).
    pub authorities: Vec<RunOutcome>,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The state folder's lock or ledger cannot be used.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The ledger could not record the attempt, so nothing was sent.
    #[error("{source} Nothing was emailed: the ledger must record an attempt before the email is sent. The report files are written.")]
    NotRecordedBeforeSending {
        #[source]
        source: LedgerError,
    },
    /// The email went (or may have gone) but the ledger could not record the outcome; the
    /// attempt stays recorded as `sending`, so the next run does not send this week again.
    #[error("{source} The email {what}, but the ledger could not record that; it keeps the attempt, so the next run will not email this week's report again without --force.")]
    OutcomeNotRecorded {
        what: &'static str,
        #[source]
        source: LedgerError,
    },
    #[error("cannot build the email: {0}")]
    Compose(#[source] ComposeError),
    #[error("cannot write {file}: {source}")]
    Output {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// SHA-256 of the configuration and every input file.
fn hashes(config: &Config) -> (String, Vec<(String, String, u64)>) {
    let config_hash = ledger::hash_file(&config.file)
        .map(|(h, _)| h)
        .unwrap_or_default();
    let mut inputs = Vec::new();
    for s in &config.sources {
        for f in crate::ingest::expand(&s.path).unwrap_or_default() {
            if let Ok((h, n)) = ledger::hash_file(&f) {
                inputs.push((f.display().to_string(), h, n));
            }
        }
    }
    (config_hash, inputs)
}

fn find_ext<'a>(written: &'a [PathBuf], ext: &str) -> Option<&'a Path> {
    written
        .iter()
        .find(|p| {
            p.extension()
                .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
        })
        .map(PathBuf::as_path)
}

/// Removes old temporary files of ours from `dir`, telling `notify`.
fn sweep(dir: &Path, notify: &mut dyn FnMut(Notice<'_>)) {
    match crate::atomic_write::sweep(dir) {
        Ok(removed) if !removed.is_empty() => notify(Notice::TempFilesRemoved(&removed)),
        Ok(_) => {}
        Err(e) => notify(Notice::TempFilesKept {
            dir,
            reason: e.to_string(),
        }),
    }
}

/// Runs the weekly job.
pub fn run(opts: &Options, notify: &mut dyn FnMut(Notice<'_>)) -> Result<RunOutcome, RunError> {
    let config = Config::load(&opts.config)?;
    if config.sources.is_empty() {
        return Err(config.invalid("no [[sources]] to audit".to_string()).into());
    }
    crate::atomic_write::set_mode(config.report_mode);
    let password = if opts.dry_run {
        Password::NotNeeded
    } else {
        Password::Required
    };
    let settings = Settings::resolve(&config, password)?;
    let stop = opts.stop.as_deref();
    let _lock = ledger::lock(&config.state_dir, opts.lock_wait, stop)?;
    let mut book = Ledger::open(&config.state_dir)?;
    sweep(&config.out_dir, notify);
    if config.state_dir != config.out_dir {
        sweep(&config.state_dir, notify);
    }
    let started_at = chrono::Utc::now().to_rfc3339();
    let as_of = opts.as_of;
    // `--force NAME`: that report's key.
    let force_only = match &opts.force_only {
        None => None,
        Some(name) if crate::fields::normalise_label(name) == "partnership" => {
            Some(ledger::PARTNERSHIP.to_string())
        }
        Some(name) => match config.authority_named(name) {
            Some(k) => Some(config.local_authorities[k].slug.clone()),
            None => {
                let names: Vec<&str> = config
                    .local_authorities
                    .iter()
                    .map(|la| la.name.as_str())
                    .collect();
                let known = if names.is_empty() {
                    "this configuration has no [[local_authorities]]; use --force alone".to_string()
                } else {
                    format!(
                        "give one of {}, or `partnership` for the partnership's report",
                        names.join(", ")
                    )
                };
                return Err(config
                    .invalid(format!(
                        "--force `{name}` is not one of the partnership's reports: {known}"
                    ))
                    .into());
            }
        },
    };
    // Every authority's recipients are checked before anything is written or sent.
    let mut la_settings = Vec::new();
    for k in 0..config.local_authorities.len() {
        la_settings.push(settings.for_authority(&config, k)?);
    }
    let audit = crate::pipeline::run(&config, as_of)?;
    let split = crate::authorities::split_all(&audit);
    let mut reports = vec![(&audit, config.out_dir.clone(), Some(settings.clone()))];
    for ((x, la), s) in split.iter().zip(&config.local_authorities).zip(la_settings) {
        reports.push((x, config.out_dir.join(&la.slug), s));
    }
    let mut digests = Vec::new();
    for (x, _, _) in &reports {
        let changes = book.changes(x)?;
        digests.push((
            crate::report::digest::Digest::of(x).with_changes(changes.clone()),
            changes,
        ));
    }
    let jobs: Vec<crate::report::Job> = reports
        .iter()
        .zip(&digests)
        .map(|((x, dir, _), (d, _))| crate::report::Job {
            audit: x,
            digest: d,
            dir: dir.clone(),
            workbook: true,
        })
        .collect();
    // The partnership's report on this thread, its authorities' on a second one.
    let written_all = crate::report::write_many(&jobs)?;
    let (config_sha256, inputs) = hashes(&config);
    let mut outcomes = Vec::new();
    for (((x, dir, settings), (digest, changes)), written) in
        reports.iter().zip(&digests).zip(written_all)
    {
        let key = ledger::report_key(x);
        let one = Report {
            audit: x,
            digest,
            changes,
            written,
            dir,
            settings: settings.as_ref(),
            key: &key,
            force: opts.force || force_only.as_deref() == Some(key.as_str()),
            started_at: &started_at,
            config_sha256: &config_sha256,
            inputs: &inputs,
        };
        outcomes.push(deliver(opts, &mut book, &one, notify)?);
    }
    let mut outcomes = outcomes.into_iter();
    let mut first = outcomes
        .next()
        .ok_or_else(|| RunError::Config(config.invalid("no report to deliver".to_string())))?;
    first.authorities = outcomes.collect();
    Ok(first)
}

/// One report of a run, written, to deliver.
struct Report<'a> {
    audit: &'a crate::pipeline::Audit,
    digest: &'a crate::report::digest::Digest,
    changes: &'a ledger::Changes,
    written: Vec<PathBuf>,
    /// Its folder (and its `.eml` with `--dry-run`).
    dir: &'a Path,
    /// `None`: an authority without `email_to`.
    settings: Option<&'a Settings>,
    key: &'a str,
    force: bool,
    started_at: &'a str,
    config_sha256: &'a str,
    inputs: &'a [(String, String, u64)],
}

/// Tells `notify` about one report, emails it once per week (unless forced) and records it.
fn deliver(
    opts: &Options,
    book: &mut Ledger,
    r: &Report,
    notify: &mut dyn FnMut(Notice<'_>),
) -> Result<RunOutcome, RunError> {
    let (audit, digest, written) = (r.audit, r.digest, &r.written);
    let stop = opts.stop.as_deref();
    let as_of = audit.as_of;
    let summary = crate::report::summary::text_with(
        audit,
        digest,
        crate::report::summary::QualityList::Workbook,
    );
    let change_lines = r.changes.lines();
    notify(Notice::Report {
        summary: &summary,
        changes: &change_lines,
        written,
    });

    let key = r.key;
    let week = crate::util::week::week_of(as_of);
    let last_sent = book.last_sent(key)?.map(|(_, d)| d);
    let backdated = last_sent.is_some_and(|d| as_of < d);
    let mut record = RunRecord {
        started_at: r.started_at.to_string(),
        config_sha256: r.config_sha256.to_string(),
        inputs: r.inputs.to_vec(),
        workbook: find_ext(written, "xlsx").map(|p| p.display().to_string()),
        delivery: Delivery::Failed,
        delivery_detail: None,
        recipients: Vec::new(),
        forced: r.force,
        report_key: key.to_string(),
        backdated,
    };
    let outcome = |emailed| RunOutcome {
        as_of,
        week: week.clone(),
        breaches: audit.tally.breaches,
        written: written.clone(),
        out_dir: r.dir.to_path_buf(),
        emailed,
        authority: audit.authority.clone(),
        authorities: Vec::new(),
    };
    let Some(settings) = r.settings else {
        record.delivery = Delivery::NotConfigured;
        book.record(&record, audit)?;
        return Ok(outcome(Emailed::NoRecipients));
    };

    let changes_text = change_lines.join("\n");
    let report = email::Report {
        digest,
        workbook: find_ext(written, "xlsx"),
        findings: find_ext(written, "csv"),
        changes: Some(&changes_text),
    };
    if opts.dry_run {
        let message = email::build(settings, &report).map_err(RunError::Compose)?;
        let eml = r
            .dir
            .join(format!("email-{}.eml", as_of.format("%Y-%m-%d")));
        let bytes = message.formatted();
        crate::atomic_write::write_atomic(&eml, |w| w.write_all(&bytes)).map_err(|source| {
            RunError::Output {
                file: eml.display().to_string(),
                source,
            }
        })?;
        record.delivery = Delivery::DryRun;
        book.record(&record, audit)?;
        return Ok(outcome(Emailed::DryRun {
            eml,
            recipients: settings.addresses(),
        }));
    }
    if !r.force {
        let held = if book.sent_in_week(key, &week)? {
            Some((
                Delivery::AlreadySent,
                Emailed::AlreadySent { week: week.clone() },
            ))
        } else if let Some(attempt) = book.unknown_in_week(key, &week)? {
            Some((
                Delivery::HeldUnknown,
                Emailed::HeldUnknown {
                    week: week.clone(),
                    attempt,
                },
            ))
        } else {
            last_sent
                .filter(|_| backdated)
                .map(|d| (Delivery::BackDated, Emailed::BackDated { last_sent: d }))
        };
        if let Some((delivery, emailed)) = held {
            record.delivery = delivery;
            book.record(&record, audit)?;
            return Ok(outcome(emailed));
        }
    }

    let message = match email::build(settings, &report) {
        Ok(m) => m,
        Err(e) => {
            record.delivery_detail = Some(e.to_string());
            book.record(&record, audit)?;
            return Err(RunError::Compose(e));
        }
    };
    record.recipients = settings
        .to
        .iter()
        .chain(&settings.cc)
        .map(|m| m.email.to_string())
        .collect();
    // The attempt is on disk before the message goes out.
    record.delivery = Delivery::Sending;
    let id = book
        .record(&record, audit)
        .map_err(|source| RunError::NotRecordedBeforeSending { source })?;
    let (delivery, detail, emailed) = match email::send(settings, &message, stop) {
        Ok(d) => (
            Delivery::Sent,
            None,
            Emailed::Sent {
                recipients: d.recipients,
                attempts: d.attempts,
            },
        ),
        Err(e) if e.maybe_delivered => {
            (Delivery::Unknown, Some(e.to_string()), Emailed::Unknown(e))
        }
        Err(e) => (Delivery::Failed, Some(e.to_string()), Emailed::Failed(e)),
    };
    book.finish(id, delivery, detail.as_deref())
        .map_err(|source| RunError::OutcomeNotRecorded {
            what: match delivery {
                Delivery::Sent => "was sent",
                Delivery::Unknown => "may have been sent",
                _ => "was not sent",
            },
            source,
        })?;
    Ok(outcome(emailed))
}
