//! `safeguard-audit holidays`: the England and Wales bank holidays the calendar uses.

use std::process::ExitCode;

use crate::calendar::{bank_holidays, FIRST_YEAR, LAST_YEAR};

/// Print the England and Wales bank holidays (weekdays) the working-day calendar uses
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One year
    #[arg(long, conflicts_with_all = ["from", "to"])]
    year: Option<i32>,
    /// First year of a range
    #[arg(long, requires = "to")]
    from: Option<i32>,
    /// Last year of a range
    #[arg(long, requires = "from")]
    to: Option<i32>,
}

pub fn run(a: Args) -> ExitCode {
    let (from, to) = match (a.year, a.from, a.to) {
        (Some(y), _, _) => (y, y),
        (None, Some(f), Some(t)) => (f, t),
        _ => (
            crate::cli::today_in_london()
                .format("%Y")
                .to_string()
                .parse()
                .unwrap_or(2026),
            0,
        ),
    };
    let to = if to == 0 { from } else { to };
    let (first, last) = (FIRST_YEAR, LAST_YEAR);
    if from > to || from < first || to > last {
        eprintln!("error: years must run forwards within {first}-{last}");
        return ExitCode::from(crate::cli::exit::CONFIG);
    }
    let mut out = String::new();
    for y in from..=to {
        for h in bank_holidays(y) {
            out.push_str(&format!("{}  {}\n", h.date.format("%Y-%m-%d"), h.name));
        }
    }
    print!("{out}");
    ExitCode::SUCCESS
}
