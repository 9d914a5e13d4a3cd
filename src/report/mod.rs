//! Everything an audit writes: the findings file, the compliance workbook, and the summary
//! printed at the end of a run.

pub mod digest;
pub mod headline;
pub mod quality;
pub mod summary;
pub mod workbook;

use std::path::{Path, PathBuf};

use crate::audit::{Audit, AuditError};

/// Writes the findings file (and the workbook) to `dir`, returning the paths written.
pub fn write_all(audit: &Audit, dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let digest = audit.timings.time("digest", || digest::Digest::of(audit));
    write_with(audit, &digest, dir)
}

/// As [`write_all`], with a digest the caller made (the weekly run adds what changed). The
/// findings file is written on a second thread while the workbook is built.
pub fn write_with(
    audit: &Audit,
    digest: &digest::Digest,
    dir: &Path,
) -> Result<Vec<PathBuf>, AuditError> {
    let book = workbook::path(dir, audit.as_of);
    let (findings, written) = std::thread::scope(|s| {
        let findings = s.spawn(|| audit.write_findings(dir));
        let written = workbook::write(audit, digest, &book);
        let findings = findings
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (findings, written)
    });
    let findings = findings?;
    written.map_err(|e| AuditError::Output {
        file: book.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(vec![findings, book])
}
