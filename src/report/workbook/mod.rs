//! The compliance workbook, `compliance-<as-of>.xlsx`: the human-readable twin of the findings
//! file, with one sheet per question a safeguarding partnership asks (Summary, Action required,
//! Breaches, Cases, Data quality, Rules).
//!
//! Cases are named by case reference and child ID only. Text from a log is always written as
//! text, never as a formula. The big sheets (Action required, Breaches, Cases) are written row
//! by row as sheet XML beside rust_xlsxwriter once they have more than 2,000 rows
//! (`direct.rs`), so 100,000 cases take about a second and little memory; a smaller sheet is
//! rust_xlsxwriter's alone. They use Excel tables while they are small, and a plain autofilter
//! when they are large.

mod cases;
mod cells;
mod direct;
mod lists;
mod quality;
mod rules;
mod summary;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

pub use cells::Layout;
use cells::{Done, Pass};
pub use direct::DIRECT_ROWS;

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
    #[error("cannot save the workbook: {0}")]
    Zip(#[from] zip::result::ZipError),
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

/// As [`write`](fn@write), `large` choosing the faster compression (a partnership's authorities'
/// workbooks follow the partnership's, so that a large partnership's run stays fast).
pub fn write_sized(
    audit: &Audit,
    digest: &Digest,
    path: &Path,
    large: bool,
) -> Result<(), WorkbookError> {
    write_laid_out(audit, digest, path, large, Layout::default())
}

/// As [`write_sized`], the big sheets laid out as `layout` says (the tests write a workbook
/// with and without its big sheets written directly, and compare them).
#[doc(hidden)]
pub fn write_laid_out(
    audit: &Audit,
    digest: &Digest,
    path: &Path,
    large: bool,
    layout: Layout,
) -> Result<(), WorkbookError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut out = crate::atomic_write::AtomicFile::create(path)?;
    let f = cells::Formats::new();
    let ctx = cells::Ctx {
        audit,
        digest,
        f: &f,
        layout,
    };
    let saved = crate::atomic_write::catch_writer_panic(|| -> Result<(), WorkbookError> {
        let (mut book, direct) = build(&ctx, dir, large)?;
        let t = std::time::Instant::now();
        let file = std::io::BufWriter::with_capacity(1 << 16, out.file());
        if direct.is_empty() {
            book.save_to_writer(file)?;
        } else {
            let saved = book.save_to_buffer()?;
            drop(book);
            let level = large.then_some(1);
            direct::assemble(
                &saved,
                dir,
                &direct,
                &direct::Xf::new(&f),
                level,
                |sheet, xml| emit(&ctx, sheet, xml),
                file,
            )?;
        }
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

/// The big sheets, by their place in [`SHEETS`].
const ACTION: usize = 1;
const BREACHES: usize = 2;
const CASES: usize = 3;

/// Writes a direct sheet's rows (its second pass), timed as the sheet.
fn emit(ctx: &cells::Ctx, sheet: usize, xml: direct::Xml) -> Result<direct::Xml, XlsxError> {
    let mut scratch = Worksheet::new();
    let pass = Pass::Emit(Box::new(xml));
    let t = &ctx.audit.timings;
    let done = match sheet {
        ACTION => t.time("workbook: Action required (rows)", || {
            lists::write_action(&mut scratch, ctx, pass)
        })?,
        BREACHES => t.time("workbook: Breaches (rows)", || {
            lists::write_breaches(&mut scratch, ctx, pass)
        })?,
        _ => t.time("workbook: Cases (rows)", || {
            cases::write(&mut scratch, ctx, pass)
        })?,
    };
    match done {
        Done::Emitted(x) => Ok(*x),
        _ => Err(XlsxError::ParameterError(format!(
            "the {} sheet was not written directly",
            SHEETS[sheet]
        ))),
    }
}

/// Builds every sheet, and says which big sheets are to be written directly ([`direct`]):
/// those have everything but their data rows. Constant-memory sheets keep their rows in
/// temporary files in `dir` (beside the output, rather than a /tmp that may live in memory).
/// The Cases sheet, the biggest, is filled on a second thread while the others are filled on
/// this one; the formats are registered with the workbook first, so neither thread adds one
/// while the other reads (and so that their indices are known, [`direct::Xf`]).
fn build(
    ctx: &cells::Ctx,
    dir: &Path,
    large: bool,
) -> Result<(Workbook, Vec<direct::Direct>), XlsxError> {
    let audit = ctx.audit;
    let mut book = Workbook::new();
    book.set_tempdir(dir)?;
    book.set_properties(&properties(audit));
    for format in ctx.f.all() {
        book.register_format(format);
    }
    // A sheet whose rows are as tall as their text, and a direct sheet (only its header rows
    // here), is kept in memory: rust_xlsxwriter's constant-memory sheet repeats the height of
    // its last row in a second, empty row of the same number, which Excel's schema forbids.
    // Constant memory is for sheets of many one-line rows.
    let mut sheet = |direct: bool, wraps: bool| -> Result<(Worksheet, Pass), XlsxError> {
        Ok(match (direct, wraps) {
            (true, _) => (Worksheet::new(), Pass::Measure),
            (false, true) => (Worksheet::new(), Pass::Sheet),
            (false, false) => (book.new_worksheet_with_constant_memory()?, Pass::Sheet),
        })
    };
    let mut summary_ws = Worksheet::new();
    let (mut action_ws, action_pass) = sheet(lists::action_direct(ctx), lists::action_wraps(ctx))?;
    let (mut breaches_ws, breaches_pass) =
        sheet(lists::breaches_direct(ctx), lists::breaches_wraps(ctx))?;
    let (mut cases_ws, cases_pass) = sheet(cases::direct(ctx), false)?;
    let (mut quality_ws, _) = sheet(false, quality::wraps(ctx))?;
    let mut rules_ws = Worksheet::new();
    let t = &audit.timings;
    let (action, breaches, cases) =
        std::thread::scope(|s| -> Result<(Done, Done, Done), XlsxError> {
            let big = s.spawn(|| {
                t.time("workbook: Cases", || {
                    cases::write(&mut cases_ws, ctx, cases_pass)
                })
            });
            t.time("workbook: Summary", || summary::write(&mut summary_ws, ctx))?;
            let action = t.time("workbook: Action required", || {
                lists::write_action(&mut action_ws, ctx, action_pass)
            })?;
            let breaches = t.time("workbook: Breaches", || {
                lists::write_breaches(&mut breaches_ws, ctx, breaches_pass)
            })?;
            t.time("workbook: Data quality", || {
                quality::write(&mut quality_ws, ctx)
            })?;
            t.time("workbook: Rules", || rules::write(&mut rules_ws, ctx))?;
            let cases = big
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
            Ok((action, breaches, cases))
        })?;
    let direct: Vec<direct::Direct> = [(ACTION, action), (BREACHES, breaches), (CASES, cases)]
        .into_iter()
        .filter_map(|(sheet, done)| match done {
            Done::Direct(extent) => Some(direct::Direct { sheet, extent }),
            _ => None,
        })
        .collect();
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
    Ok((book, direct))
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
