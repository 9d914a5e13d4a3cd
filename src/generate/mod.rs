//! Synthetic incident logs for testing and benchmarking historical audits at scale.
//!
//! A log is a stream of rows in the canonical layout of DOMAIN.md (the canonical header labels,
//! plus a `Team` and a `Notes` column that the reader ignores), generated case by case from a
//! seed: the same options always give the same rows, and no row is held after it is written, so
//! a million-case log takes seconds and a few megabytes.
//!
//! What is in it, at realistic rates:
//! - cases spread over `years` years before the as-of date (in date order), in eight fictional
//!   local authorities; most duties are met, some late, some never done (overdue), and the newest
//!   cases are still open (pending): the last five rows are always two care leavers' deaths not
//!   yet notified (one overdue, one pending), a rapid review awaiting the Panel, a case notified to the Panel today, and a
//!   looked-after child's death not yet notified;
//! - each year's law (the dates from `rules/baseline.toml`): before 29 June 2018 serious
//!   incidents go to Ofsted (no Panel, no rapid review); reviews decided before the area's
//!   arrangements began are serious case reviews (`SCR`) with a completion date; care leavers'
//!   deaths (`CL`, `Former relevant child`) are notified from 15 December 2023; so a log over
//!   `--years 12` replays 2015-2026;
//! - looked-after children's deaths, Panel notifications that were not required, rapid reviews,
//!   Panel responses, review decisions (local, national, none, other learning), local reviews with
//!   reviewers, reports sent and published (a few scheduled after the as-of date), and reports
//!   taken down (mostly after their first anniversary, some before it: `early`);
//! - the council words seen in real logs (`LAC`, `CPP`, `Y`, `NFA`, `LCSPR`, ` Died `);
//! - data-quality problems: one case in a hundred has a scheduled quirk (a blank or unreadable
//!   fact, an unreadable date) cycling through every kind, so every duty meets `unknown`; a few
//!   more cells are blank or garbled at random; a few cases continue on a second row (an update
//!   row that agrees); a few blank rows; a few awareness dates typed with next year (set aside).
//!
//! Dates in the CSV are mostly `dd/mm/yyyy` text, some ISO, some `d/m/yyyy`, some with a time,
//! a few Excel serial numbers. In the xlsx they are mostly real dates (number format
//! `dd/mm/yyyy`), the rest text or numbers as in the CSV: both files give the same findings.

mod case;
mod columns;
mod csv_writer;
mod generator;
mod render;
mod rng;
mod row;
#[cfg(test)]
mod tests;
mod words;
mod xlsx_writer;

pub use columns::header;
pub use csv_writer::write_csv;
pub use xlsx_writer::write_xlsx;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// The default as-of date of `generate` (the example fixtures' audit date).
pub fn default_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Number of cases (rows are a little more: update rows and blank rows).
    pub cases: u64,
    pub seed: u64,
    /// The date the log is as of: nothing in it happened after this date, except a few
    /// publications scheduled after it and a few mistyped awareness dates.
    pub as_of: NaiveDate,
    /// How many years of cases before the as-of date.
    pub years: u32,
}

impl Options {
    pub fn new(cases: u64, seed: u64) -> Options {
        Options {
            cases,
            seed,
            as_of: default_as_of(),
            years: 6,
        }
    }
}

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Both,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Data rows (case rows, update rows and blank rows), not counting the header.
    pub rows: u64,
    pub cases: u64,
    pub update_rows: u64,
    pub blank_rows: u64,
}

/// Why a log could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("cannot write {file}: {reason}")]
    Write { file: String, reason: String },
}

/// The file name of a generated log: `synthetic-<N>.csv` / `.xlsx`.
pub fn file_name(cases: u64, ext: &str) -> String {
    format!("synthetic-{cases}.{ext}")
}

/// Writes the requested files into `dir` (CSV and xlsx side by side when both), each atomically.
pub fn write_files(
    opts: &Options,
    dir: &Path,
    format: Format,
) -> Result<Vec<(PathBuf, Summary)>, GenerateError> {
    let fail = |p: &Path, e: String| GenerateError::Write {
        file: p.display().to_string(),
        reason: e,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e.to_string()))?;
    let csv_path = dir.join(file_name(opts.cases, "csv"));
    let xlsx_path = dir.join(file_name(opts.cases, "xlsx"));
    let csv = || -> Result<(PathBuf, Summary), GenerateError> {
        let mut summary = Summary::default();
        crate::atomic_write::write_atomic(&csv_path, |w| {
            summary = write_csv(opts, w)?;
            Ok(())
        })
        .map_err(|e| fail(&csv_path, e.to_string()))?;
        Ok((csv_path.clone(), summary))
    };
    let xlsx = || -> Result<(PathBuf, Summary), GenerateError> {
        let tmp = crate::atomic_write::AtomicFile::create(&xlsx_path)
            .map_err(|e| fail(&xlsx_path, e.to_string()))?;
        let summary = write_xlsx(opts, tmp.path()).map_err(|e| fail(&xlsx_path, e.to_string()))?;
        tmp.commit().map_err(|e| fail(&xlsx_path, e.to_string()))?;
        Ok((xlsx_path.clone(), summary))
    };
    match format {
        Format::Csv => Ok(vec![csv()?]),
        Format::Xlsx => Ok(vec![xlsx()?]),
        Format::Both => {
            // The two files are independent: write them on two threads.
            let (a, b) = std::thread::scope(|s| {
                let x = s.spawn(xlsx);
                let a = csv();
                let b = x.join().unwrap_or_else(|_| {
                    Err(fail(&xlsx_path, "the xlsx writer panicked".to_string()))
                });
                (a, b)
            });
            Ok(vec![a?, b?])
        }
    }
}
