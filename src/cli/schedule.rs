//! `safeguard-audit schedule`: our own scheduler for servers without cron (see
//! [`crate::schedule`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};

use super::exit;
use crate::schedule::{self, Schedule};

/// Run the weekly report at the times of the configuration's [schedule] (crontab syntax, in its time zone, default Europe/London) until stopped with SIGTERM; or preview the next run times
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file (TOML) with [schedule] cron = "0 7 * * MON"
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Print the next N run times (RFC 3339, with the UTC offset) and exit
    #[arg(long, value_name = "N")]
    preview: Option<usize>,
    /// Start the preview from this time (RFC 3339) [default: now]
    #[arg(long, value_name = "RFC3339", requires = "preview", value_parser = parse_time)]
    from: Option<DateTime<Utc>>,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{s}` is not an RFC 3339 time like 2026-11-23T07:00:00Z"))
}

fn load(path: &Path) -> Result<(crate::config::Config, Schedule), String> {
    let config = crate::config::Config::load(path).map_err(|e| e.to_string())?;
    let Some(s) = &config.schedule else {
        return Err(format!(
            "configuration file {}: no [schedule] section (add cron = \"0 7 * * MON\")",
            config.file.display()
        ));
    };
    let parsed = Schedule::from_config(s)
        .map_err(|e| format!("configuration file {}: {e}", config.file.display()))?;
    Ok((config, parsed))
}

pub fn run(a: Args) -> ExitCode {
    let (config, sched) = match load(&a.config) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::CONFIG);
        }
    };
    if let Some(n) = a.preview {
        for t in sched.upcoming(a.from.unwrap_or_else(Utc::now), n) {
            println!("{}", schedule::rfc3339(&t));
        }
        return ExitCode::SUCCESS;
    }
    let stop = match schedule::stop_flag() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot catch SIGTERM: {e}");
            return ExitCode::from(exit::OUTPUT);
        }
    };
    println!(
        "safeguard-audit schedule: cron \"{}\" in {}; stop with SIGTERM",
        sched.expr, sched.tz
    );
    let last_sent = crate::ledger::Ledger::open(&config.state_dir)
        .and_then(|l| l.last_sent(crate::ledger::PARTNERSHIP))
        .map(|x| x.map(|(_, d)| d));
    match last_sent {
        Ok(last) if schedule::missed(&sched, Utc::now(), last) => {
            println!(
                "{} the last report is older than this week's run time: running the missed run now",
                now()
            );
            run_once(&a.config, &sched, &stop);
        }
        Ok(_) => {}
        Err(e) => eprintln!("{} warning: {e}", now()),
    }
    loop {
        let Some(next) = sched.next_after(Utc::now()) else {
            eprintln!("error: the schedule has no future run time");
            return ExitCode::from(exit::CONFIG);
        };
        println!("{} next run at {}", now(), schedule::rfc3339(&next));
        if !schedule::sleep_until(next.with_timezone(&Utc), &stop) {
            break;
        }
        run_once(&a.config, &sched, &stop);
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    println!("{} stopped", now());
    ExitCode::SUCCESS
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One run; a failing (or even panicking) run is logged and the scheduler goes on.
fn run_once(config: &Path, sched: &Schedule, stop: &std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let as_of = schedule::local_date(&Utc::now(), sched.tz);
    println!("{} run as of {} starting", now(), as_of);
    let opts = crate::weekly_run::Options {
        force_only: None,
        config: config.to_path_buf(),
        as_of,
        force: false,
        dry_run: false,
        lock_wait: crate::weekly_run::default_lock_wait(),
        // SIGTERM ends the lock wait and the delivery at once.
        stop: Some(std::sync::Arc::clone(stop)),
    };
    let code = std::panic::catch_unwind(|| super::run::execute(&opts));
    match code {
        Ok(c) => println!("{} run finished with exit code {c}", now()),
        Err(_) => eprintln!("{} run failed unexpectedly; the scheduler goes on", now()),
    }
    tracing::info!(?code, "scheduled run finished");
}
