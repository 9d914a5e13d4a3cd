//! `safeguard-audit check-config`: reads every source as `audit` would, writing nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

/// Check a configuration: its rules, and every source opened and read as `audit` reads it
/// (sheet, header row, column and value mappings); writes nothing
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file (TOML)
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Count rows set aside as of this date (YYYY-MM-DD) [default: today in Europe/London]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    as_of: Option<NaiveDate>,
}

pub fn run(a: Args) -> ExitCode {
    let as_of = a.as_of.unwrap_or_else(super::today_in_london);
    match crate::config_check::check_config(&a.config, as_of) {
        Ok(check) => {
            for l in check.lines() {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => super::fail(&e),
    }
}
