//! The weekly run, as cron or our scheduler calls it: take the state folder's lock, audit every
//! source, write the findings and workbook, email the report once per reporting week (unless
//! forced), and record the run in the ledger. Returns the exit code.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;

use crate::cli::exit;
use crate::config::Config;
use crate::email::{self, Password, Settings};
use crate::ledger::{self, Delivery, Ledger, RunRecord};

/// How a run is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: PathBuf,
    pub as_of: Option<NaiveDate>,
    /// Send even if this week's report was already sent.
    pub force: bool,
    /// Write the message as an .eml instead of sending.
    pub dry_run: bool,
    /// How long to wait for another run's lock.
    pub lock_wait: Duration,
}

/// Default wait for the lock; `SAFEGUARD_AUDIT_LOCK_WAIT_SECS` overrides it.
pub fn default_lock_wait() -> Duration {
    let secs = std::env::var("SAFEGUARD_AUDIT_LOCK_WAIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(secs)
}

fn error(code: u8, message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    code
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

/// Runs the weekly job and returns its exit code. Prints the summary and what happened.
pub fn run(opts: &Options) -> u8 {
    let config = match Config::load(&opts.config) {
        Ok(c) => c,
        Err(e) => return error(exit::CONFIG, e),
    };
    if config.sources.is_empty() {
        return error(
            exit::CONFIG,
            format!(
                "configuration file {}: no [[sources]] to audit",
                config.file.display()
            ),
        );
    }
    let password = if opts.dry_run {
        Password::NotNeeded
    } else {
        Password::Required
    };
    let settings = match Settings::resolve(&config, password) {
        Ok(s) => s,
        Err(e) => return error(exit::CONFIG, e),
    };
    let _lock = match ledger::lock(&config.state_dir, opts.lock_wait) {
        Ok(l) => l,
        Err(e) => return error(exit::OUTPUT, e),
    };
    let mut book = match Ledger::open(&config.state_dir) {
        Ok(l) => l,
        Err(e) => return error(exit::OUTPUT, e),
    };
    let started_at = chrono::Utc::now().to_rfc3339();
    let as_of = opts.as_of.unwrap_or_else(crate::cli::today_in_london);
    let audit = match crate::audit::run(&config, as_of) {
        Ok(x) => x,
        Err(e) => {
            let code = crate::cli::exit_code(&e);
            return error(code, e);
        }
    };
    let changes = match book.changes(&audit) {
        Ok(c) => c,
        Err(e) => return error(exit::OUTPUT, e),
    };
    let digest = crate::report::digest::Digest::of(&audit).with_changes(changes.clone());
    let written = match crate::report::write_with(&audit, &digest, &config.out_dir) {
        Ok(p) => p,
        Err(e) => return error(exit::OUTPUT, e),
    };
    print!("{}", crate::report::summary::text(&audit));
    for line in changes.lines() {
        println!("{line}");
    }
    for p in &written {
        println!("wrote {}", p.display());
    }
    let workbook = find_ext(&written, "xlsx");
    let (config_sha256, inputs) = hashes(&config);
    let mut record = RunRecord {
        started_at,
        config_sha256,
        inputs,
        workbook: workbook.map(|p| p.display().to_string()),
        delivery: Delivery::Failed,
        delivery_detail: None,
        recipients: Vec::new(),
        forced: opts.force,
    };
    let week = ledger::week_of(as_of);
    let already = match book.sent_in_week(&week) {
        Ok(s) => s,
        Err(e) => return error(exit::OUTPUT, e),
    };
    let done = if audit.tally.breaches > 0 {
        exit::BREACHES
    } else {
        exit::OK
    };
    let code = if already && !opts.force && !opts.dry_run {
        println!(
            "this week's report ({week}) was already emailed: files written again, no email sent (use --force to send again)"
        );
        record.delivery = Delivery::AlreadySent;
        done
    } else {
        deliver(
            opts,
            &config,
            &settings,
            &digest,
            &written,
            &changes,
            &mut record,
            done,
        )
    };
    if let Err(e) = book.record(&record, &audit) {
        return error(exit::OUTPUT, e);
    }
    code
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

#[allow(clippy::too_many_arguments)]
fn deliver(
    opts: &Options,
    config: &Config,
    settings: &Settings,
    digest: &crate::report::digest::Digest,
    written: &[PathBuf],
    changes: &ledger::Changes,
    record: &mut RunRecord,
    done: u8,
) -> u8 {
    let changes_text = changes.lines().join("\n");
    let report = email::Report {
        digest,
        workbook: find_ext(written, "xlsx"),
        findings: find_ext(written, "csv"),
        changes: Some(&changes_text),
    };
    let message = match email::build(settings, &report) {
        Ok(m) => m,
        Err(e) => {
            record.delivery_detail = Some(e.to_string());
            eprintln!("error: {e}");
            eprintln!("email not sent: the message could not be built");
            return exit::OUTPUT;
        }
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if opts.dry_run {
        let path = config
            .out_dir
            .join(format!("email-{}.eml", digest.as_of.format("%Y-%m-%d")));
        let bytes = message.formatted();
        if let Err(e) = crate::output::write_atomic(&path, |w| w.write_all(&bytes)) {
            return error(
                exit::OUTPUT,
                format!("cannot write {}: {e}", path.display()),
            );
        }
        record.delivery = Delivery::DryRun;
        println!("wrote {}", path.display());
        println!(
            "email not sent (--dry-run): it would go to {} recipient{}",
            settings.recipients(),
            plural(settings.recipients())
        );
        return done;
    }
    record.recipients = settings
        .to
        .iter()
        .chain(&settings.cc)
        .map(|m| m.email.to_string())
        .collect();
    match email::send(settings, &message) {
        Ok(d) => {
            record.delivery = Delivery::Sent;
            println!(
                "emailed to {} recipient{}",
                d.recipients,
                plural(d.recipients)
            );
            done
        }
        Err(e) => {
            record.delivery = Delivery::Failed;
            record.delivery_detail = Some(e.to_string());
            eprintln!("email not sent: {e}");
            eprintln!(
                "the report is kept in {}; the next run will try again",
                config.out_dir.display()
            );
            exit::DELIVERY
        }
    }
}
