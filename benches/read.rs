//! Reading benchmark: synthetic logs (from `safeguard_audit::generate`) of 100,000 and
//! 1,000,000 cases in CSV and xlsx, each read through `cases::read_sources` in a child process
//! of this binary so that each peak memory (VmHWM) is its own; then the end-to-end
//! `safeguard-audit audit` of the 1,000,000-case CSV under `/usr/bin/time -v`.
//!
//! Run with `cargo bench --bench read`. Prints figures; asserts only that every row was read.
//! `SAFEGUARD_READ_BENCH_SIZES=100000` limits the sizes; `SAFEGUARD_READ_BENCH_NO_E2E=1` skips
//! the end-to-end audit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use safeguard_audit::cases;
use safeguard_audit::fields::Schema;
use safeguard_audit::generate::{self, Format, Options};
use safeguard_audit::ingest::SourceSpec;

/// The binary's allocator (see `src/main.rs`), so the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CHILD: &str = "SAFEGUARD_READ_BENCH_CHILD";

/// Peak resident memory of this process so far, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Child: read one file, print `rows cases seconds peak_mb`.
fn child(path: &Path) {
    let as_of = generate::default_as_of();
    let spec = SourceSpec {
        path: path.to_path_buf(),
        ..Default::default()
    };
    let schema = Schema::canonical();
    let t = Instant::now();
    let set = cases::read_sources(&schema, &[spec], as_of).expect("read");
    let secs = t.elapsed().as_secs_f64();
    assert!(set.reconciliation.balances());
    println!(
        "{} {} {:.3} {:.1}",
        set.reconciliation.rows_read,
        set.cases.len(),
        secs,
        peak_mb()
    );
}

fn main() {
    if let Ok(p) = std::env::var(CHILD) {
        child(Path::new(&p));
        return;
    }
    let sizes: Vec<u64> = std::env::var("SAFEGUARD_READ_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("own path");
    println!(
        "{:<28} {:>10} {:>9} {:>9} {:>12} {:>9}",
        "file", "rows", "MB", "read s", "rows/s", "peak MB"
    );
    let mut csv_1m: Option<PathBuf> = None;
    for &n in &sizes {
        let t = Instant::now();
        let written =
            generate::write_files(&Options::new(n, 1), dir.path(), Format::Both).expect("generate");
        eprintln!(
            "generated {n} cases (csv + xlsx) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        for (path, summary) in written {
            let out = Command::new(&exe)
                .env(CHILD, &path)
                .output()
                .expect("run child");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<f64> = text
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            let (rows, secs, peak) = (f[0], f[2], f[3]);
            assert_eq!(rows as u64, summary.rows, "every row read");
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
            println!(
                "{:<28} {:>10} {:>9.1} {:>9.2} {:>12.0} {:>9.0}",
                path.file_name().unwrap().to_string_lossy(),
                rows as u64,
                size,
                secs,
                rows / secs,
                peak
            );
            if n == 1_000_000 && path.extension().is_some_and(|e| e == "csv") {
                csv_1m = Some(path.clone());
            }
        }
    }
    if std::env::var_os("SAFEGUARD_READ_BENCH_NO_E2E").is_some() {
        return;
    }
    if let Some(csv) = csv_1m {
        end_to_end(&csv, dir.path());
    }
}

/// `safeguard-audit audit` on the file, timed by /usr/bin/time -v when present.
fn end_to_end(log: &Path, dir: &Path) {
    let bin = env!("CARGO_BIN_EXE_safeguard-audit");
    let out_dir = dir.join("report");
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(["audit", "--as-of", "2026-11-23", "--log"])
        .arg(log)
        .arg("--out")
        .arg(&out_dir);
    let t = Instant::now();
    let out = cmd.output().expect("run safeguard-audit");
    let wall = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let max_rss = stderr
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
        .and_then(|l| l.rsplit(':').next())
        .and_then(|kb| kb.trim().parse::<f64>().ok())
        .map(|kb| format!("{:.0} MB", kb / 1024.0))
        .unwrap_or_else(|| "n/a (no /usr/bin/time)".to_string());
    println!(
        "end to end: safeguard-audit audit {} -> wall {wall:.1} s, max RSS {max_rss}",
        log.file_name().unwrap().to_string_lossy()
    );
    for l in String::from_utf8_lossy(&out.stdout).lines().take(6) {
        println!("  {l}");
    }
}
