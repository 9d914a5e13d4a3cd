//! `safeguard-audit generate`: write a synthetic incident log (CSV and/or xlsx) for testing and
//! benchmarking audits at scale.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;

use super::{exit, parse_date};
use crate::generate::{self, Format, Options};

/// Write a synthetic incident log: DIR/synthetic-<N>.csv and/or .xlsx (deterministic for a seed; all data is fictional)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of cases
    #[arg(long, value_name = "N")]
    cases: u64,
    /// Seed: the same seed gives the same log
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Folder to write into (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Which files to write
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    format: FormatArg,
    /// The date the log is as of: nothing in it happened later [default: 2026-11-23]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Years of cases before the as-of date
    #[arg(long, value_name = "Y", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=30))]
    years: u32,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Csv,
    Xlsx,
    Both,
}

pub fn run(a: Args) -> ExitCode {
    let opts = Options {
        cases: a.cases,
        seed: a.seed,
        as_of: a.as_of.unwrap_or_else(generate::default_as_of),
        years: a.years,
    };
    let format = match a.format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Both => Format::Both,
    };
    let t = Instant::now();
    match generate::write_files(&opts, &a.out, format) {
        Ok(written) => {
            for (path, s) in written {
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                println!(
                    "wrote {} ({} cases, {} rows incl. {} update and {} blank; {:.1} MB)",
                    path.display(),
                    s.cases,
                    s.rows,
                    s.update_rows,
                    s.blank_rows,
                    size as f64 / 1e6
                );
            }
            println!(
                "seed {}, as of {}, in {:.1} s",
                opts.seed,
                opts.as_of.format("%Y-%m-%d"),
                t.elapsed().as_secs_f64()
            );
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(exit::OUTPUT)
        }
    }
}
