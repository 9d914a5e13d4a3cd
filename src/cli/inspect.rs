//! `safeguard-audit inspect`: how the tool reads a log, before any audit (counts only).

use std::path::PathBuf;
use std::process::ExitCode;

use super::exit;

/// Show how a log is read: sheets, header row, the field each column matches, category values
/// and what each becomes, counts of readable dates. Counts only, never a cell's contents
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The log (xlsx, xlsm, xls, xlsb, ods, csv, tsv)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Read only this sheet (hidden sheets are read only when named)
    #[arg(long, value_name = "SHEET")]
    sheet: Option<String>,
    /// Read it through this configuration's first incident-log source (its columns and words)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write a starting configuration with the mappings it could infer (commented where guessed); never overwrites
    #[arg(long, value_name = "FILE")]
    write_config: Option<PathBuf>,
}

pub fn run(a: Args) -> ExitCode {
    let config = match &a.config {
        Some(p) => match crate::config::Config::load(p) {
            Ok(c) => Some(c),
            Err(e) => return super::fail(&e.into()),
        },
        None => None,
    };
    let rules = match &config {
        Some(c) => crate::pipeline::prepare(c).map(|r| r.0),
        None => crate::rules::RuleSet::baseline().map_err(Into::into),
    };
    let rules = match rules {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    let spec = config.as_ref().and_then(|c| {
        c.sources
            .iter()
            .find(|s| s.kind == crate::ingest::SourceKind::IncidentLog)
    });
    let report =
        match crate::cases::inspect::inspect(&rules.schema, &a.file, a.sheet.as_deref(), spec) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(if e.is_config() {
                    exit::CONFIG
                } else {
                    exit::INPUT
                });
            }
        };
    for l in report.lines() {
        println!("{l}");
    }
    if let Some(out) = &a.write_config {
        if out.exists() {
            eprintln!(
                "error: {} already exists; --write-config never overwrites a configuration. Name a new file.",
                out.display()
            );
            return ExitCode::from(exit::OUTPUT);
        }
        let log = log_path_from(out, &a.file);
        let text = report.write_config(&rules.schema, &log);
        if let Err(e) = crate::atomic_write::write_atomic(out, |w| w.write_all(text.as_bytes())) {
            eprintln!("error: cannot write {}: {e}", out.display());
            return ExitCode::from(exit::OUTPUT);
        }
        println!(
            "\nwrote {} (check the lines marked \"guessed\", then run check-config)",
            out.display()
        );
    }
    ExitCode::SUCCESS
}

/// How a configuration at `config` names `log`: relative to its folder when the log is inside
/// it, else absolute.
fn log_path_from(config: &std::path::Path, log: &std::path::Path) -> String {
    let abs = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let dir = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let (dir, log) = (abs(dir), abs(log));
    match log.strip_prefix(&dir) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => log.display().to_string(),
    }
}
