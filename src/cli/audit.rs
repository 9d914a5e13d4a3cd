//! `safeguard-audit audit`: audit logs as of a date and write the findings.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{exit, fail, InputArgs};

/// Audit incident logs as of a date: write findings-<as-of>.csv (and the compliance workbook) to --out
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Folder for the findings and the workbook [default: the configuration's report folder, or ./reports]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Exit with code 1 when breaches were found (like `git diff --exit-code`)
    #[arg(long)]
    exit_code: bool,
    /// Write the findings file and the data-quality list (data-quality-<as-of>.csv), not the workbook (for very large historical audits)
    #[arg(long)]
    no_workbook: bool,
    /// In a partnership ([[local_authorities]]), audit one local authority only (its name, an alias or its folder name): writes <out>/<folder>/ with its cases alone
    #[arg(long, value_name = "NAME")]
    la: Option<String>,
    /// Print how long each stage took (reading, sorting, evaluating, each file and sheet) on stderr
    #[arg(long)]
    timings: bool,
}

pub fn run(a: Args) -> ExitCode {
    let (config, as_of) = match a.input.load() {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let out = a.out.clone().unwrap_or_else(|| config.out_dir.clone());
    let progress = super::progress::Progress::on_terminal();
    let started = std::time::Instant::now();
    let audit = match crate::pipeline::run_observed(&config, as_of, &mut |s| progress.stage(s)) {
        Ok(x) => x,
        Err(e) => {
            progress.finish();
            return fail(&e);
        }
    };
    progress.stage("writing the findings and the workbook");
    let result = if audit.partnership.is_some() || a.la.is_some() {
        partnership(&a, &config, &audit, &out)
    } else {
        // Without a workbook only the summary's figures are needed, not the lists of items.
        let digest = audit.timings.time("digest", || {
            if a.no_workbook {
                crate::report::digest::Digest::counts(&audit)
            } else {
                crate::report::digest::Digest::of(&audit)
            }
        });
        let written = if a.no_workbook {
            // Without a workbook the data-quality list goes to a file of its own.
            audit
                .write_findings(&out)
                .and_then(|f| crate::report::quality::write(&audit, &out).map(|q| vec![f, q]))
        } else {
            crate::report::write_with(&audit, &digest, &out)
        };
        let result = written.map(|w| {
            print_report(&audit, &digest, &w, a.no_workbook);
            audit.tally.breaches
        });
        // The process ends soon: freeing millions of digest items one by one would only
        // delay the exit. Everything is written.
        std::mem::forget(digest);
        result
    };
    progress.finish();
    if a.timings {
        print_timings(&audit.timings, started);
    }
    // As the digest: the audit (millions of findings) is not freed at exit.
    std::mem::forget(audit);
    match result {
        Ok(breaches) if a.exit_code && breaches > 0 => ExitCode::from(exit::BREACHES),
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// A partnership's reports (or, with `--la`, one authority's). Returns the breaches counted.
fn partnership(
    a: &Args,
    config: &crate::config::Config,
    audit: &crate::pipeline::Audit,
    out: &std::path::Path,
) -> Result<usize, crate::pipeline::AuditError> {
    let names = || {
        config
            .local_authorities
            .iter()
            .map(|la| la.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let invalid = |m: String| crate::pipeline::AuditError::Config(config.invalid(m));
    let only = match &a.la {
        None => None,
        Some(_) if config.local_authorities.is_empty() => {
            return Err(invalid(
                "--la needs a partnership configuration: add [[local_authorities]] (see the README's partnership section)".to_string(),
            ))
        }
        Some(name) => Some(config.authority_named(name).ok_or_else(|| {
            invalid(format!(
                "--la `{name}` is not one of the partnership's local authorities ({}); give a name, an alias or a folder name",
                names()
            ))
        })?),
    };
    let Some(p) = &audit.partnership else {
        return Ok(audit.tally.breaches);
    };
    let t = &audit.timings;
    // The partnership's digest, and each authority's audit split off and digested, on every
    // core (each worker takes the next).
    let jobs: Vec<Option<usize>> = only
        .is_none()
        .then_some(None)
        .into_iter()
        .chain(
            (0..p.authorities.len())
                .filter(|k| only.is_none_or(|o| o == *k))
                .map(Some),
        )
        .collect();
    let digest = |x: &crate::pipeline::Audit| match a.no_workbook {
        true => crate::report::digest::Digest::counts(x),
        false => crate::report::digest::Digest::of(x),
    };
    let made = t.time("split and digest: every report's", || {
        crate::util::par::map(&jobs, |job| match *job {
            None => Some((None, digest(audit))),
            Some(k) => crate::authorities::split(audit, k).map(|x| {
                let d = digest(&x);
                (Some((k, x)), d)
            }),
        })
    });
    let mut whole = None;
    let mut split: Vec<(usize, crate::pipeline::Audit)> = Vec::new();
    let mut parts: Vec<crate::report::digest::Digest> = Vec::new();
    for (x, d) in made.into_iter().flatten() {
        match x {
            None => whole = Some(d),
            Some(kx) => {
                split.push(kx);
                parts.push(d);
            }
        }
    }
    let mut audits: Vec<(&crate::pipeline::Audit, std::path::PathBuf)> = Vec::new();
    if only.is_none() {
        audits.push((audit, out.to_path_buf()));
    }
    for (k, x) in &split {
        audits.push((x, crate::partnership::folder(out, &p.authorities[*k])));
    }
    let digests: Vec<crate::report::digest::Digest> = whole.into_iter().chain(parts).collect();
    let jobs: Vec<crate::report::Job> = audits
        .iter()
        .zip(&digests)
        .map(|((x, dir), d)| crate::report::Job {
            audit: x,
            digest: d,
            dir: dir.clone(),
            workbook: !a.no_workbook,
        })
        .collect();
    let mut written = crate::report::write_many(&jobs)?;
    for (((x, dir), d), files) in audits.iter().zip(&digests).zip(&mut written) {
        if a.no_workbook {
            // Without a workbook the data-quality list goes to a file of its own.
            files.push(crate::report::quality::write(x, dir)?);
        }
        print_report(x, d, files, a.no_workbook);
    }
    let breaches = audits.first().map(|(x, _)| x.tally.breaches).unwrap_or(0);
    drop((jobs, audits));
    // As for one report: the process ends soon, and freeing the authorities' audits and every
    // digest item by item would only delay it.
    std::mem::forget(digests);
    std::mem::forget(split);
    Ok(breaches)
}

/// Prints one report's summary (its headline numbers from `digest`) and the files written.
fn print_report(
    audit: &crate::pipeline::Audit,
    digest: &crate::report::digest::Digest,
    written: &[PathBuf],
    no_workbook: bool,
) {
    let quality = match written.get(1) {
        Some(q) if no_workbook => crate::report::summary::QualityList::File(q),
        _ => crate::report::summary::QualityList::Workbook,
    };
    print!(
        "{}",
        crate::report::summary::text_with(audit, digest, quality)
    );
    for p in written {
        println!("wrote {}", p.display());
    }
}

/// The stages of the run on stderr, one a line, then the total since the configuration was read.
fn print_timings(t: &crate::timing::Timings, started: std::time::Instant) {
    let mut err = std::io::stderr().lock();
    use std::io::Write as _;
    for s in t.stages() {
        let _ = writeln!(err, "{:>9.3} s  {}", s.took.as_secs_f64(), s.name);
    }
    let _ = writeln!(err, "{:>9.3} s  total", started.elapsed().as_secs_f64());
}
