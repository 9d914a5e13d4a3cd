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
    /// Print how long each stage took (reading, sorting, evaluating, each file and sheet) on stderr
    #[arg(long)]
    timings: bool,
}

pub fn run(a: Args) -> ExitCode {
    let (config, as_of) = match a.input.load() {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let started = std::time::Instant::now();
    let out = a.out.clone().unwrap_or_else(|| config.out_dir.clone());
    let progress = super::progress::Progress::on_terminal();
    let audit = match crate::audit::run_observed(&config, as_of, &mut |s| progress.stage(s)) {
        Ok(x) => x,
        Err(e) => {
            progress.finish();
            return fail(&e);
        }
    };
    progress.stage("writing the findings and the workbook");
    let digest = audit
        .timings
        .time("digest", || crate::report::digest::Digest::of(&audit));
    let written = if a.no_workbook {
        // Without a workbook the data-quality list goes to a file of its own.
        audit
            .write_findings(&out)
            .and_then(|f| crate::report::quality::write(&audit, &out).map(|q| vec![f, q]))
    } else {
        crate::report::write_with(&audit, &digest, &out)
    };
    progress.finish();
    let written = match written {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let quality = match written.get(1) {
        Some(q) if a.no_workbook => crate::report::summary::QualityList::File(q),
        _ => crate::report::summary::QualityList::Workbook,
    };
    print!(
        "{}",
        crate::report::summary::text_with(&audit, &digest, quality)
    );
    for p in &written {
        println!("wrote {}", p.display());
    }
    if a.timings {
        print_timings(&audit.timings, started);
    }
    let code = if a.exit_code && audit.tally.breaches > 0 {
        ExitCode::from(exit::BREACHES)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends next: freeing millions of findings and digest items one by one would
    // only delay the exit (a tenth of a second per 100,000 cases). Everything is written.
    std::mem::forget(digest);
    std::mem::forget(audit);
    code
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
