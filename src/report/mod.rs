//! Everything an audit writes: the findings file, the compliance workbook, and the summary
//! printed at the end of a run.

pub mod digest;
pub mod headline;
pub mod quality;
pub mod summary;
pub mod workbook;

use std::path::{Path, PathBuf};

use crate::pipeline::{Audit, AuditError};

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

/// One report to write: an audit, its digest, the folder, and whether to write the workbook.
pub struct Job<'a> {
    pub audit: &'a Audit,
    pub digest: &'a digest::Digest,
    pub dir: PathBuf,
    pub workbook: bool,
}

fn write_job(job: &Job) -> Result<Vec<PathBuf>, AuditError> {
    if job.workbook {
        write_with(job.audit, job.digest, &job.dir)
    } else {
        job.audit.write_findings(&job.dir).map(|p| vec![p])
    }
}

/// Writes several reports (a partnership's and its authorities'): the first on this thread,
/// the others on a second one, so that the split costs little more time than the
/// partnership's report alone. Returns the paths written, per job in order.
///
/// When the first job is a partnership's and the others are its authorities' in order (as
/// [`crate::authorities::split_all`] gives them), the findings files are written in one pass
/// over the partnership's findings, each line formatted once (`write_split`).
pub fn write_many(jobs: &[Job]) -> Result<Vec<Vec<PathBuf>>, AuditError> {
    let Some((first, rest)) = jobs.split_first() else {
        return Ok(Vec::new());
    };
    if is_split(first, rest) {
        return write_split(first, rest);
    }
    let (head, tail) = std::thread::scope(|s| {
        let other = s.spawn(|| rest.iter().map(write_job).collect::<Vec<_>>());
        let head = write_job(first);
        let tail = other.join().unwrap_or_else(|_| {
            vec![Err(AuditError::Output {
                file: first.dir.display().to_string(),
                reason: "writing an authority's report failed unexpectedly".to_string(),
            })]
        });
        (head, tail)
    });
    let mut out = vec![head?];
    for t in tail {
        out.push(t?);
    }
    Ok(out)
}

/// Whether `rest` are the reports of `first`'s authorities, in order, written alike.
fn is_split(first: &Job, rest: &[Job]) -> bool {
    let Some(p) = &first.audit.partnership else {
        return false;
    };
    // An authority with rules of its own writes its findings from them (its notes name its
    // duties as its rules do).
    p.authorities.len() == rest.len()
        && rest.iter().zip(&p.authorities).all(|(j, a)| {
            j.audit.authority.as_deref() == Some(a.name.as_str())
                && a.rules.duties.len() == a.to_partnership.len()
                && a.to_partnership
                    .iter()
                    .enumerate()
                    .all(|(i, &u)| i == u as usize)
                && a.rules.files == first.audit.rules.files
                && j.workbook == first.workbook
                && j.audit.as_of == first.audit.as_of
        })
}

/// A partnership's report and its authorities': every findings file in one pass (formatted
/// once), beside the partnership's workbook and the authorities' workbooks, all three at once;
/// all compressed as the partnership's is.
fn write_split(first: &Job, rest: &[Job]) -> Result<Vec<Vec<PathBuf>>, AuditError> {
    let dirs: Vec<PathBuf> = std::iter::once(first)
        .chain(rest)
        .map(|j| j.dir.clone())
        .collect();
    let t = &first.audit.timings;
    let write_findings = || {
        t.time("findings CSV: every report's", || {
            first.audit.write_findings_split(&dirs)
        })
    };
    if !first.workbook {
        return Ok(write_findings()?.into_iter().map(|p| vec![p]).collect());
    }
    let large = first.audit.findings.len() > workbook::LARGE_FINDINGS;
    let book = |job: &Job| -> Result<PathBuf, AuditError> {
        let path = workbook::path(&job.dir, job.audit.as_of);
        workbook::write_sized(job.audit, job.digest, &path, large).map_err(|e| {
            AuditError::Output {
                file: path.display().to_string(),
                reason: e.to_string(),
            }
        })?;
        Ok(path)
    };
    let failed = |what: &str| AuditError::Output {
        file: first.dir.display().to_string(),
        reason: format!("writing {what} failed unexpectedly"),
    };
    let (findings, head, tail) = std::thread::scope(|s| {
        let findings = s.spawn(write_findings);
        let other = s.spawn(|| {
            t.time("workbook: the authorities'", || {
                rest.iter().map(book).collect::<Vec<_>>()
            })
        });
        let head = t.time("workbook: the partnership's", || book(first));
        let tail = other
            .join()
            .unwrap_or_else(|_| vec![Err(failed("an authority's report"))]);
        let findings = findings
            .join()
            .unwrap_or_else(|_| Err(failed("the findings files")));
        (findings, head, tail)
    });
    let findings = findings?;
    let mut books = vec![head?];
    for t in tail {
        books.push(t?);
    }
    Ok(findings
        .into_iter()
        .zip(books)
        .map(|(f, b)| vec![f, b])
        .collect())
}
