//! End-to-end benchmark with a stage breakdown: generates synthetic CSV logs (100,000 cases, and
//! 1,000,000 with `SAFEGUARD_PIPELINE_SIZES=100000,1000000`), runs `safeguard-audit audit
//! --timings` on each, with and without the workbook, and prints the best of
//! `SAFEGUARD_PIPELINE_RUNS` (3) for every stage, the wall time and the peak memory.
//!
//! `SAFEGUARD_PIPELINE_BASELINE=/path/to/an/older/safeguard-audit` runs that binary too,
//! alternating with this one in the same loop, and prints both side by side: on a shared
//! machine only figures measured together compare. Run with `cargo bench --bench pipeline`.
//! Prints figures; asserts only that each run succeeded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use safeguard_audit::generate::{self, Format, Options};

/// One run: its stages (name -> seconds) in order, wall seconds and peak RSS (MB).
struct Run {
    stages: Vec<(String, f64)>,
    wall: f64,
    /// User + system CPU seconds (both cores together).
    cpu: f64,
    peak_mb: f64,
}

fn run_once(bin: &Path, log: &Path, out: &Path, workbook: bool) -> Run {
    let _ = std::fs::remove_dir_all(out);
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "PEAK_KB %M CPU %U %S"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg("audit")
        .arg("--log")
        .arg(log)
        .args(["--as-of", "2026-11-23", "--timings", "--out"])
        .arg(out);
    if !workbook {
        cmd.arg("--no-workbook");
    }
    let t = Instant::now();
    let o = cmd.output().expect("run safeguard-audit");
    let wall = t.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "audit failed: {err}");
    let mut stages = Vec::new();
    let (mut peak_mb, mut cpu) = (f64::NAN, f64::NAN);
    for line in err.lines() {
        if let Some(rest) = line.strip_prefix("PEAK_KB ") {
            let w: Vec<f64> = rest
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            if let [kb, user, sys] = w[..] {
                peak_mb = kb / 1024.0;
                cpu = user + sys;
            }
        } else if let Some((secs, name)) = line.trim().split_once(" s  ") {
            if let Ok(s) = secs.trim().parse::<f64>() {
                stages.push((name.to_string(), s));
            }
        }
    }
    Run {
        stages,
        wall,
        cpu,
        peak_mb,
    }
}

/// Per stage, the best over runs (stage order from the first run); then wall, CPU and peak.
fn best(runs: &[Run]) -> (Vec<(String, f64)>, f64, f64, f64) {
    let mut best: BTreeMap<&str, f64> = BTreeMap::new();
    for r in runs {
        for (n, s) in &r.stages {
            let b = best.entry(n).or_insert(f64::INFINITY);
            *b = b.min(*s);
        }
    }
    let order = runs.first().map(|r| &r.stages[..]).unwrap_or(&[]);
    let stages = order
        .iter()
        .map(|(n, _)| (n.clone(), best[n.as_str()]))
        .collect();
    let wall = runs.iter().map(|r| r.wall).fold(f64::INFINITY, f64::min);
    let cpu = runs.iter().map(|r| r.cpu).fold(f64::INFINITY, f64::min);
    let peak = runs.iter().map(|r| r.peak_mb).fold(0.0, f64::max);
    (stages, wall, cpu, peak)
}

fn main() {
    let sizes: Vec<u64> = std::env::var("SAFEGUARD_PIPELINE_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000]);
    let runs: usize = std::env::var("SAFEGUARD_PIPELINE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let this = PathBuf::from(env!("CARGO_BIN_EXE_safeguard-audit"));
    let mut bins = vec![("this build".to_string(), this)];
    if let Ok(b) = std::env::var("SAFEGUARD_PIPELINE_BASELINE") {
        bins.insert(0, ("baseline".to_string(), PathBuf::from(b)));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for n in sizes {
        let opts = Options::new(n, 7);
        generate::write_files(&opts, dir.path(), Format::Csv).expect("generate");
        let log = dir.path().join(generate::file_name(n, "csv"));
        for workbook in [true, false] {
            let mut all: Vec<Vec<Run>> = bins.iter().map(|_| Vec::new()).collect();
            for _ in 0..runs {
                for (k, (_, bin)) in bins.iter().enumerate() {
                    let out = dir.path().join(format!("out-{k}"));
                    all[k].push(run_once(bin, &log, &out, workbook));
                }
            }
            let what = if workbook {
                "findings + workbook"
            } else {
                "findings only (--no-workbook)"
            };
            println!("\n{n} cases, {what}: best of {runs} per stage, runs alternating");
            let results: Vec<_> = all.iter().map(|r| best(r)).collect();
            print!("{:<28}", "stage (s)");
            for (name, _) in &bins {
                print!("{name:>14}");
            }
            println!();
            let mut names: Vec<String> = Vec::new();
            for (stages, ..) in &results {
                for (s, _) in stages {
                    if !names.contains(s) {
                        names.push(s.clone());
                    }
                }
            }
            for s in &names {
                print!("{s:<28}");
                for (stages, ..) in &results {
                    match stages.iter().find(|(n, _)| n == s) {
                        Some((_, t)) => print!("{t:>14.3}"),
                        None => print!("{:>14}", "-"),
                    }
                }
                println!();
            }
            print!("{:<28}", "wall, process (s)");
            for (_, w, _, _) in &results {
                print!("{w:>14.3}");
            }
            println!();
            print!("{:<28}", "CPU user+sys (s)");
            for (_, _, c, _) in &results {
                print!("{c:>14.3}");
            }
            println!();
            print!("{:<28}", "peak RSS (MB)");
            for (_, _, _, p) in &results {
                print!("{p:>14.0}");
            }
            println!();
        }
    }
}
