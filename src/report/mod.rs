//! Everything an audit writes: the findings file, the compliance workbook, and the summary
//! printed at the end of a run.

pub mod digest;
pub mod summary;

use std::path::{Path, PathBuf};

use crate::audit::{Audit, AuditError};

/// Writes the findings file (and the workbook) to `dir`, returning the paths written.
pub fn write_all(audit: &Audit, dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let findings = audit.write_findings(dir)?;
    Ok(vec![findings])
}
