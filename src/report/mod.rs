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

/// As [`write_all`], with a digest the caller made (the weekly run adds what changed).
pub fn write_with(
    audit: &Audit,
    digest: &digest::Digest,
    dir: &Path,
) -> Result<Vec<PathBuf>, AuditError> {
    let findings = audit.write_findings(dir)?;
    let book = workbook::path(dir, audit.as_of);
    workbook::write(audit, digest, &book).map_err(|e| AuditError::Output {
        file: book.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(vec![findings, book])
}
