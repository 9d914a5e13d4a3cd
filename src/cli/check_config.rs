//! `safeguard-audit check-config`: validates a configuration without running it.

use std::path::PathBuf;
use std::process::ExitCode;

/// Check a configuration file, its rules overlays and its sources, without running an audit
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The configuration file (TOML)
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
}

pub fn run(a: Args) -> ExitCode {
    match crate::checks::check_config(&a.config) {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err((code, msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(code)
        }
    }
}
