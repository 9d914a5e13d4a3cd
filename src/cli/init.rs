//! `safeguard-audit init`: a new council's starting kit (a commented configuration and a blank
//! incident-log template).

use std::path::PathBuf;
use std::process::ExitCode;

use super::exit;

/// Write a new council's starting kit into DIR: safeguard-audit.toml (every section commented)
/// and incident-log.xlsx (the template the reader recognises without any mapping)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write into (created if needed; existing files are never overwritten)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub fn run(a: Args) -> ExitCode {
    match crate::template::init(&a.dir) {
        Ok(files) => {
            for f in files {
                println!("wrote {}", f.display());
            }
            println!("\nNext: keep the log in incident-log.xlsx (or map your own log: safeguard-audit inspect YOUR-LOG --write-config your-log.toml),");
            println!(
                "then: safeguard-audit check-config --config {}",
                a.dir.join("safeguard-audit.toml").display()
            );
            println!(
                "and:  safeguard-audit audit --config {}",
                a.dir.join("safeguard-audit.toml").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(exit::OUTPUT)
        }
    }
}
