//! `safeguard-audit explain`: one case's timeline and the arithmetic behind each verdict. An
//! unknown case reference is a command-line error (exit 2) naming the nearest references.

use std::process::ExitCode;

use super::{exit, fail, InputArgs};

/// Explain one case: its timeline and, for each duty, the clock start, the due-date arithmetic
/// (weekends and bank holidays skipped), the status and the legal source
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case reference, e.g. NS-2024-007
    case_ref: String,
    #[command(flatten)]
    input: InputArgs,
}

pub fn run(a: Args) -> ExitCode {
    let (config, as_of) = match a.input.load() {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    let audit = match crate::pipeline::run(&config, as_of) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    // A partnership's case is explained on its own authority's rules and calendar.
    let own = audit
        .partnership
        .as_ref()
        .and_then(|p| p.authority_of_case(&audit.cases, &a.case_ref))
        .and_then(|k| crate::authorities::split(&audit, k));
    let audit = own.unwrap_or(audit);
    match crate::explain::case(&audit, &a.case_ref) {
        Some(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        None => {
            let why = crate::explain::not_found(&audit, &a.case_ref, 3);
            eprintln!(
                "error: no case `{}` in the logs as of {} ({} cases read)",
                a.case_ref,
                as_of.format("%d/%m/%Y"),
                audit.incident_case_count()
            );
            for reason in &why.set_aside {
                eprintln!("  rows with that reference were set aside: {reason}");
            }
            if !why.nearest.is_empty() {
                eprintln!("  the nearest references: {}", why.nearest.join(", "));
            }
            eprintln!("  check the reference (and --as-of: a case the LA learnt of later is not yet known)");
            ExitCode::from(exit::CONFIG)
        }
    }
}
