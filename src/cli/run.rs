//! `safeguard-audit run`: the weekly job cron calls (see [`crate::weekly`]).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::parse_date;

/// Audit every source in the configuration, write the findings and workbook to its report folder, and email the report to the [email] recipients once per reporting week (the weekly cron job)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file (TOML) with [[sources]], [report] and [email]
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Audit as of this date (YYYY-MM-DD); events after it have not happened yet [default: today in Europe/London]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Send even if this reporting week's report was already sent
    #[arg(long)]
    force: bool,
    /// Write the email to <report folder>/email-<as-of>.eml instead of sending it (no password needed)
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args) -> ExitCode {
    ExitCode::from(crate::weekly::run(&crate::weekly::Options {
        config: a.config,
        as_of: a.as_of,
        force: a.force,
        dry_run: a.dry_run,
        lock_wait: crate::weekly::default_lock_wait(),
    }))
}
