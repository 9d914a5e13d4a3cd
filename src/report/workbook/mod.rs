//! The compliance workbook, `compliance-<as-of>.xlsx`: the human-readable twin of the findings
//! file, with one sheet per question a safeguarding partnership asks (Summary, Action required,
//! Breaches, Cases, Data quality, Rules).
//!
//! Cases are named by case reference and child ID only. Text from a log is always written as
//! text, never as a formula. The big sheets (Action required, Breaches, Cases, Data quality) are
//! written row by row in constant-memory mode, so 100,000 cases take seconds and little memory;
//! they use Excel tables while they are small, and a plain autofilter when they are large.

mod cases;
mod cells;
mod lists;
mod quality;
mod rules;
mod summary;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

use crate::pipeline::Audit;
use crate::report::digest::Digest;

/// The sheet names, in order.
pub const SHEETS: [&str; 6] = [
    "Summary",
    "Action required",
    "Breaches",
    "Cases",
    "Data quality",
    "Rules",
];

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("cannot save the workbook: {0}")]
    Io(#[from] std::io::Error),
}

/// `dir/compliance-YYYY-MM-DD.xlsx`.
pub fn path(dir: &Path, as_of: NaiveDate) -> PathBuf {
    dir.join(format!("compliance-{}.xlsx", as_of.format("%Y-%m-%d")))
}

/// Writes the workbook to `path` atomically ([`crate::atomic_write::AtomicFile`]: a temporary file
/// beside it, renamed over it, removed on failure), so a reader never sees half a workbook.
/// The writer's own failures while filling its row files (rust_xlsxwriter panics when the disk
/// fills) come back as an error, never a panic.
pub fn write(audit: &Audit, digest: &Digest, path: &Path) -> Result<(), WorkbookError> {
    write_sized(audit, digest, path, audit.findings.len() > LARGE_FINDINGS)
}

/// A workbook of more findings than this is compressed faster (a slightly bigger file).
pub const LARGE_FINDINGS: usize = 200_000;

/// As [`write`], `large` choosing the faster compression (a partnership's authorities'
/// workbooks follow the partnership's, so that a large partnership's run stays fast).
pub fn write_sized(
    audit: &Audit,
    digest: &Digest,
    path: &Path,
    large: bool,
) -> Result<(), WorkbookError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut out = crate::atomic_write::AtomicFile::create(path)?;
    let saved = crate::atomic_write::catch_writer_panic(|| -> Result<(), WorkbookError> {
        let mut book = build(audit, digest, dir, large)?;
        let t = std::time::Instant::now();
        book.save_to_writer(std::io::BufWriter::with_capacity(1 << 16, out.file()))?;
        audit.timings.record("workbook: save (zip)", t.elapsed());
        Ok(())
    });
    match saved {
        Ok(r) => r?,
        Err(e) => return Err(WorkbookError::Io(e)),
    }
    out.commit()?;
    Ok(())
}

/// Builds every sheet. Constant-memory sheets keep their rows in temporary files in `dir`
/// (beside the output, rather than a /tmp that may live in memory). The Cases sheet, the
/// biggest, is filled on a second thread while the others are filled on this one; the formats
/// are registered with the workbook first, so neither thread adds one while the other reads.
fn build(audit: &Audit, digest: &Digest, dir: &Path, large: bool) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    book.set_tempdir(dir)?;
    book.set_properties(&properties(audit));
    let f = cells::Formats::new();
    for format in f.all() {
        book.register_format(format);
    }
    let ctx = cells::Ctx {
        audit,
        digest,
        f: &f,
    };
    let mut summary_ws = Worksheet::new();
    let mut action_ws = book.new_worksheet_with_constant_memory()?;
    let mut breaches_ws = book.new_worksheet_with_constant_memory()?;
    let mut cases_ws = book.new_worksheet_with_constant_memory()?;
    let mut quality_ws = book.new_worksheet_with_constant_memory()?;
    let mut rules_ws = Worksheet::new();
    let t = &audit.timings;
    let ctx = &ctx;
    std::thread::scope(|s| -> Result<(), XlsxError> {
        let big = s.spawn(|| t.time("workbook: Cases", || cases::write(&mut cases_ws, ctx)));
        t.time("workbook: Summary", || summary::write(&mut summary_ws, ctx))?;
        t.time("workbook: Action required", || {
            lists::write_action(&mut action_ws, ctx)
        })?;
        t.time("workbook: Breaches", || {
            lists::write_breaches(&mut breaches_ws, ctx)
        })?;
        t.time("workbook: Data quality", || {
            quality::write(&mut quality_ws, ctx)
        })?;
        t.time("workbook: Rules", || rules::write(&mut rules_ws, ctx))?;
        big.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    })?;
    for ws in [
        summary_ws,
        action_ws,
        breaches_ws,
        cases_ws,
        quality_ws,
        rules_ws,
    ] {
        book.push_worksheet(ws);
    }
    if large {
        // Large files: faster compression, a slightly bigger file.
        book.set_zip_compression_level(1);
    }
    Ok(book)
}

/// Title, author and a comment saying what produced the workbook, when, and with which rules.
fn properties(audit: &Audit) -> DocProperties {
    let as_of = audit.as_of.format("%d/%m/%Y");
    DocProperties::new()
        .set_title(format!(
            "Serious child safeguarding incidents: compliance as of {as_of}"
        ))
        .set_subject("Statutory timescales of serious child safeguarding incidents")
        .set_author("safeguard-audit")
        .set_company("safeguard-audit")
        .set_keywords("safeguarding, compliance, audit")
        .set_comment(format!(
            "Produced by safeguard-audit {} as of {}. Rules: {}.",
            env!("CARGO_PKG_VERSION"),
            audit.as_of.format("%Y-%m-%d"),
            audit.rules.files.join(" + ")
        ))
}
