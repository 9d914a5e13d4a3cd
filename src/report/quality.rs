//! The data-quality list as a file of its own, `data-quality-<as-of>.csv` (file, sheet, row,
//! column, field, problem), written whenever the list is not in a workbook (`audit
//! --no-workbook`), so what was set aside is never lost from view. The same problems as the
//! workbook's Data quality sheet: every problem met while reading, then every unknown duty.
//! Problem text never quotes a cell (it describes it), and no value can run as a formula.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::findings::{Finding, Reason, Status};
use crate::pipeline::{Audit, AuditError};

/// The header row.
pub const HEADER: [&str; 6] = ["file", "sheet", "row", "column", "field", "problem"];

/// `dir/data-quality-YYYY-MM-DD.csv`.
pub fn path(dir: &Path, as_of: NaiveDate) -> PathBuf {
    dir.join(format!("data-quality-{}.csv", as_of.format("%Y-%m-%d")))
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub file: String,
    pub sheet: String,
    pub row: Option<u32>,
    pub column: String,
    pub field: String,
    pub problem: String,
}

/// The field whose cell an unknown finding points at: the fact it lacks, or, for a duty that
/// is unknown because another duty is, the fact that one lacks (same case). One answer for the
/// workbook's Data quality sheet and for `data-quality-<as-of>.csv`.
pub fn cell_field(audit: &Audit, f: &Finding) -> Option<crate::fields::FieldId> {
    let mut reason = f.reason;
    // A dependency always names an earlier duty, so this ends; the bound is belt and braces.
    for _ in 0..audit.rules.duties.len() {
        match reason {
            Reason::Blank(x)
            | Reason::Unreadable(x)
            | Reason::Missing(x)
            | Reason::Conflicting(x)
            | Reason::NotStarted(x)
            | Reason::PeriodUnsettled(x) => return Some(x),
            Reason::DependsOn(d) => {
                // Findings run case by case, so the case's own are found by halving.
                let all = &audit.findings;
                let from = all.partition_point(|g| g.case < f.case);
                let same = all[from..].iter().take_while(|g| g.case == f.case);
                let dep = match same.clone().find(|g| g.duty == d) {
                    Some(g) => g,
                    None => all.iter().find(|g| g.case == f.case && g.duty == d)?,
                };
                reason = dep.reason;
            }
            _ => return None,
        }
    }
    None
}

/// Every entry: the problems met while reading, then the unknown duties.
pub fn entries(audit: &Audit) -> Vec<Entry> {
    let schema = &audit.rules.schema;
    let mut out = Vec::new();
    for p in &audit.cases.problems {
        let at = audit.cases.parts(p.at, p.field);
        let case = p
            .case_ref
            .as_deref()
            .map(|c| format!("case {c}: "))
            .unwrap_or_default();
        out.push(Entry {
            file: at.file,
            sheet: at.sheet,
            row: at.row,
            column: at.column,
            field: p
                .field
                .map(|f| schema.label(f).to_string())
                .unwrap_or_default(),
            problem: format!("{}: {case}{}", p.kind.label(), p.message),
        });
    }
    for f in audit
        .findings
        .iter()
        .filter(|f| f.status == Status::Unknown)
    {
        let case = &audit.cases.cases[f.case as usize];
        let duty = &audit.rules.duties[f.duty as usize];
        let field = cell_field(audit, f);
        let at = audit.cases.parts(Some(case.first_row), field);
        out.push(Entry {
            file: at.file,
            sheet: at.sheet,
            row: at.row,
            column: at.column,
            field: field
                .map(|f| schema.label(f).to_string())
                .unwrap_or_default(),
            problem: format!(
                "unknown duty: case {}: {} cannot be decided ({})",
                case.case_ref,
                duty.title,
                f.note(&audit.rules)
            ),
        });
    }
    out
}

/// Text a spreadsheet would run as a formula is written so that it cannot run.
fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Writes the list atomically and returns its path.
pub fn write(audit: &Audit, dir: &Path) -> Result<PathBuf, AuditError> {
    let path = path(dir, audit.as_of);
    let entries = entries(audit);
    crate::atomic_write::write_atomic(&path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(HEADER)?;
        for e in &entries {
            let row = e.row.map(|r| r.to_string()).unwrap_or_default();
            csv.write_record([
                inert(&e.file).as_ref(),
                inert(&e.sheet).as_ref(),
                row.as_str(),
                inert(&e.column).as_ref(),
                inert(&e.field).as_ref(),
                inert(&e.problem).as_ref(),
            ])?;
        }
        csv.flush()
    })
    .map_err(|e| AuditError::Output {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_cannot_run() {
        assert_eq!(inert("=1+1"), "'=1+1");
        assert_eq!(inert("-2"), "'-2");
        assert_eq!(inert("Log"), "Log");
    }
}
