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

use crate::audit::AuditError;
use crate::config::{Config, ConfigError};
use crate::email::{self, ComposeError, Password, SendError, Settings};
use crate::ledger::{self, Delivery, Ledger, LedgerError, RunRecord, UnknownAttempt};

/// How a run is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: PathBuf,
    pub as_of: NaiveDate,
    /// Send even if this week's report was already sent, an earlier attempt's outcome is
    /// unknown, or the run is back-dated.
    pub force: bool,
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
        recipients: usize,
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
    match crate::output::sweep(dir) {
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
    crate::output::set_mode(config.report_mode);
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
    let audit = crate::audit::run(&config, as_of)?;
    let changes = book.changes(&audit)?;
    let digest = crate::report::digest::Digest::of(&audit).with_changes(changes.clone());
    let written = crate::report::write_with(&audit, &digest, &config.out_dir)?;
    let summary = crate::report::summary::text_with(
        &audit,
        &digest,
        crate::report::summary::QualityList::Workbook,
    );
    let change_lines = changes.lines();
    notify(Notice::Report {
        summary: &summary,
        changes: &change_lines,
        written: &written,
    });

    let key = ledger::PARTNERSHIP;
    let week = crate::util::week::week_of(as_of);
    let last_sent = book.last_sent(key)?.map(|(_, d)| d);
    let backdated = last_sent.is_some_and(|d| as_of < d);
    let (config_sha256, inputs) = hashes(&config);
    let mut record = RunRecord {
        started_at,
        config_sha256,
        inputs,
        workbook: find_ext(&written, "xlsx").map(|p| p.display().to_string()),
        delivery: Delivery::Failed,
        delivery_detail: None,
        recipients: Vec::new(),
        forced: opts.force,
        report_key: key.to_string(),
        backdated,
    };
    let outcome = |emailed| RunOutcome {
        as_of,
        week: week.clone(),
        breaches: audit.tally.breaches,
        written: written.clone(),
        out_dir: config.out_dir.clone(),
        emailed,
    };

    let changes_text = change_lines.join("\n");
    let report = email::Report {
        digest: &digest,
        workbook: find_ext(&written, "xlsx"),
        findings: find_ext(&written, "csv"),
        changes: Some(&changes_text),
    };
    if opts.dry_run {
        let message = email::build(&settings, &report).map_err(RunError::Compose)?;
        let eml = config
            .out_dir
            .join(format!("email-{}.eml", as_of.format("%Y-%m-%d")));
        let bytes = message.formatted();
        crate::output::write_atomic(&eml, |w| w.write_all(&bytes)).map_err(|source| {
            RunError::Output {
                file: eml.display().to_string(),
                source,
            }
        })?;
        record.delivery = Delivery::DryRun;
        book.record(&record, &audit)?;
        return Ok(outcome(Emailed::DryRun {
            eml,
            recipients: settings.recipients(),
        }));
    }
    if !opts.force {
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
            book.record(&record, &audit)?;
            return Ok(outcome(emailed));
        }
    }

    let message = match email::build(&settings, &report) {
        Ok(m) => m,
        Err(e) => {
            record.delivery_detail = Some(e.to_string());
            book.record(&record, &audit)?;
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
        .record(&record, &audit)
        .map_err(|source| RunError::NotRecordedBeforeSending { source })?;
    let (delivery, detail, emailed) = match email::send(&settings, &message, stop) {
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
