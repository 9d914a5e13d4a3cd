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
    /// Write only the findings file, not the workbook (for very large historical audits)
    #[arg(long)]
    no_workbook: bool,
}

pub fn run(a: Args) -> ExitCode {
    let (config, as_of) = match a.input.load() {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
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
    let written = if a.no_workbook {
        audit.write_findings(&out).map(|p| vec![p])
    } else {
        crate::report::write_all(&audit, &out)
    };
    progress.finish();
    let written = match written {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    print!("{}", crate::report::summary::text(&audit));
    for p in written {
        println!("wrote {}", p.display());
    }
    if a.exit_code && audit.tally.breaches > 0 {
        ExitCode::from(exit::BREACHES)
    } else {
        ExitCode::SUCCESS
    }
}
