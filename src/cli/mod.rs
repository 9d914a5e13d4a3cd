//! The command line: one file per command, each a thin layer over the library.

mod audit;
mod check_config;
mod explain;
mod generate;
mod holidays;
mod init;
mod inspect;
mod progress;
mod run;
mod schedule;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

/// Exit codes, documented in the README and `--help`.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Success, and breaches were found (`run`, or `audit --exit-code`).
    pub const BREACHES: u8 = 1;
    /// The configuration or rules are invalid (also bad command-line arguments).
    pub const CONFIG: u8 = 2;
    /// An input file cannot be read.
    pub const INPUT: u8 = 3;
    /// The report was written but could not be delivered.
    pub const DELIVERY: u8 = 4;
    /// The report could not be written, or the run state could not be used.
    pub const OUTPUT: u8 = 5;
}

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  success, and breaches were found (run; audit with --exit-code)
  2  configuration, rules or command-line error
  3  an input file cannot be read
  4  the report was written but email delivery failed
  5  the report could not be written, or the run state is unusable";

/// Audits serious child safeguarding incident logs against the statutory timescales
/// (Children Act 2004 s16C; Working Together to Safeguard Children).
#[derive(Debug, Parser)]
#[command(name = "safeguard-audit", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Audit(audit::Args),
    Explain(explain::Args),
    Holidays(holidays::Args),
    CheckConfig(check_config::Args),
    Inspect(inspect::Args),
    Init(init::Args),
    Run(run::Args),
    Schedule(schedule::Args),
    Generate(generate::Args),
}

/// Parses a `YYYY-MM-DD` date argument.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date in the form YYYY-MM-DD"))
}

/// Today in Europe/London: the default as-of date.
pub fn today_in_london() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
}

/// Sources and rules shared by `audit` and `explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct InputArgs {
    /// An incident log (xlsx, xlsm, xls, xlsb, ods, csv, tsv); repeat for several
    #[arg(long = "log", value_name = "PATH")]
    logs: Vec<PathBuf>,
    /// A referral-form export (CSV or spreadsheet) to cross-check against the logs; repeat for several
    #[arg(long = "referrals", value_name = "PATH")]
    referrals: Vec<PathBuf>,
    /// A configuration file (TOML) naming sources, rules overlays and local non-working days
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Audit as of this date (YYYY-MM-DD); events after it have not happened yet [default: today in Europe/London]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

impl InputArgs {
    pub(crate) fn load(
        &self,
    ) -> Result<(crate::config::Config, NaiveDate), crate::pipeline::AuditError> {
        let mut config = match &self.config {
            Some(p) => crate::config::Config::load(p)?,
            None => crate::config::Config::empty(),
        };
        for log in &self.logs {
            config.sources.push(crate::ingest::SourceSpec {
                path: log.clone(),
                ..Default::default()
            });
        }
        for r in &self.referrals {
            config.sources.push(crate::ingest::SourceSpec {
                kind: crate::ingest::SourceKind::Referrals,
                path: r.clone(),
                ..Default::default()
            });
        }
        if !config
            .sources
            .iter()
            .any(|s| s.kind == crate::ingest::SourceKind::IncidentLog)
        {
            return Err(crate::pipeline::AuditError::Config(crate::config::ConfigError::Invalid {
                file: config.file.display().to_string(),
                message: "no incident log to audit: give --log PATH or a configuration with [[sources]]".to_string(),
            }));
        }
        Ok((config, self.as_of.unwrap_or_else(today_in_london)))
    }
}

/// The exit code of an audit error.
pub fn exit_code(e: &crate::pipeline::AuditError) -> u8 {
    use crate::pipeline::AuditError as E;
    match e {
        E::Config(_) | E::Rules(_) => exit::CONFIG,
        E::Input(crate::cases::ReadError::Config(_)) => exit::CONFIG,
        E::Input(crate::cases::ReadError::Ingest(e)) if e.is_config() => exit::CONFIG,
        E::Input(_) => exit::INPUT,
        E::Output { .. } | E::Evaluation { .. } => exit::OUTPUT,
    }
}

/// Prints an audit error and returns its exit code.
pub(crate) fn fail(e: &crate::pipeline::AuditError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(exit_code(e))
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    quiet_panics();
    match cli.command {
        Command::Audit(a) => audit::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Holidays(a) => holidays::run(a),
        Command::CheckConfig(a) => check_config::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Init(a) => init::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Run(a) => run::run(a),
        Command::Schedule(a) => schedule::run(a),
    }
}

/// A bug that panics says where in the code it happened, never what it was working on: a
/// panic's message could carry a cell of a child's record (DOMAIN "Personal data"). The
/// library turns a worker's panic into an error of its own (exit 5); this covers the rest.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: safeguard-audit stopped on an internal error{at} (a bug; its details are not \
             printed, since they could hold case data). Please report it with the command you ran."
        );
    }));
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SAFEGUARD_AUDIT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
