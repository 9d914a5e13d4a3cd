//! `safeguard-audit run`: the weekly job cron calls (see [`crate::weekly_run`]). Prints what the
//! run did and maps its outcome to the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::{exit, parse_date};
use crate::weekly_run::{Emailed, Notice, RunError, RunOutcome};

/// Audit every source in the configuration, write the findings and workbook to its report folder, and email the report to the [email] recipients once per reporting week (the weekly cron job)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file (TOML) with [[sources]], [report] and [email]
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Audit as of this date (YYYY-MM-DD); events after it have not happened yet [default: today in Europe/London]. A date before the last report sent writes the files but emails only with --force
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Send even if this reporting week's report was already sent, an earlier attempt may have been delivered, or the run is back-dated; in a partnership, `--force NAME` sends only that local authority's report (or `--force partnership`)
    #[arg(long, value_name = "LA", num_args = 0..=1, default_missing_value = "")]
    force: Option<String>,
    /// Write the email to <report folder>/email-<as-of>.eml instead of sending it (no password needed)
    #[arg(long)]
    dry_run: bool,
}

pub fn run(a: Args) -> ExitCode {
    ExitCode::from(execute(&crate::weekly_run::Options {
        config: a.config,
        as_of: a.as_of.unwrap_or_else(super::today_in_london),
        force: a.force.as_deref() == Some(""),
        force_only: a.force.filter(|f| !f.is_empty()),
        dry_run: a.dry_run,
        lock_wait: crate::weekly_run::default_lock_wait(),
        stop: None,
    }))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_notice(n: Notice<'_>) {
    match n {
        Notice::TempFilesRemoved(files) => {
            for f in files {
                eprintln!(
                    "note: removed {}, a temporary file left by an earlier run that was stopped",
                    f.display()
                );
            }
        }
        Notice::TempFilesKept { dir, reason } => {
            eprintln!(
                "warning: cannot clear old temporary files from {}: {reason}",
                dir.display()
            );
        }
        Notice::Report {
            summary,
            changes,
            written,
        } => {
            print!("{summary}");
            for line in changes {
                println!("{line}");
            }
            for p in written {
                println!("wrote {}", p.display());
            }
        }
    }
}

/// The exit code of a run that stopped.
pub(crate) fn error_code(e: &RunError) -> u8 {
    match e {
        RunError::Config(_) => exit::CONFIG,
        RunError::Audit(a) => super::exit_code(a),
        RunError::Ledger(_)
        | RunError::NotRecordedBeforeSending { .. }
        | RunError::OutcomeNotRecorded { .. }
        | RunError::Compose(_)
        | RunError::Output { .. } => exit::OUTPUT,
    }
}

/// Prints what happened to each report's email (a partnership's and its authorities') and
/// returns the exit code: the worst of them.
fn report(o: &RunOutcome) -> u8 {
    let several = !o.authorities.is_empty();
    let mut code = report_one(o, several);
    for a in &o.authorities {
        code = code.max(report_one(a, true));
    }
    code
}

/// Prints what happened to one report's email and returns its exit code.
fn report_one(o: &RunOutcome, named: bool) -> u8 {
    if named {
        match &o.authority {
            Some(name) => print!("{name}'s report: "),
            None => print!("the partnership's report: "),
        }
        if matches!(
            o.emailed,
            Emailed::HeldUnknown { .. } | Emailed::Unknown(_) | Emailed::Failed(_)
        ) {
            println!("see below");
            match &o.authority {
                Some(name) => eprint!("{name}'s report: "),
                None => eprint!("the partnership's report: "),
            }
        }
    }
    let done = if o.breaches > 0 {
        exit::BREACHES
    } else {
        exit::OK
    };
    match &o.emailed {
        Emailed::Sent { recipients, .. } => {
            println!("emailed to {recipients} recipient{}", plural(*recipients));
            done
        }
        Emailed::DryRun { eml, recipients } => {
            println!("wrote {}", eml.display());
            println!(
                "email not sent (--dry-run): it would go to {} recipient{}: {}",
                recipients.len(),
                plural(recipients.len()),
                recipients.join(", ")
            );
            done
        }
        Emailed::AlreadySent { week } => {
            println!(
                "this week's report ({week}) was already emailed: files written again, no email sent (use --force to send again)"
            );
            done
        }
        Emailed::BackDated { last_sent } => {
            println!(
                "this run is as of {}, before the last report emailed (as of {}): files written, no email sent (use --force to email it); it will not be the baseline of later reports",
                o.as_of.format("%d/%m/%Y"),
                last_sent.format("%d/%m/%Y")
            );
            done
        }
        Emailed::HeldUnknown { week, attempt } => {
            let how = if attempt.delivery == "sending" {
                "was interrupted while sending (the process stopped)"
            } else {
                "lost the connection after the message was sent"
            };
            eprintln!(
                "email not sent: an earlier run ({}) {how}, so this week's report ({week}) may already have been delivered. Ask a recipient whether it arrived; if it did not, run again with --force to send it.",
                attempt.started_at
            );
            eprintln!("the report is kept in {}", o.out_dir.display());
            exit::DELIVERY
        }
        Emailed::Unknown(e) => {
            eprintln!("email may not have been delivered: {e}");
            eprintln!(
                "the report is kept in {}; the next run will not send this week's report again (it may have arrived): ask a recipient, and run with --force if it did not",
                o.out_dir.display()
            );
            exit::DELIVERY
        }
        Emailed::NoRecipients => {
            println!("no email_to for this local authority: files written, no email sent");
            done
        }
        Emailed::Failed(e) => {
            eprintln!("email not sent: {e}");
            eprintln!(
                "the report is kept in {}; the next run will try again",
                o.out_dir.display()
            );
            exit::DELIVERY
        }
    }
}

/// Runs the weekly job, printing as it goes, and returns the exit code.
pub(crate) fn execute(opts: &crate::weekly_run::Options) -> u8 {
    match crate::weekly_run::run(opts, &mut print_notice) {
        Ok(o) => report(&o),
        Err(e) => {
            eprintln!("error: {e}");
            error_code(&e)
        }
    }
}
