//! `safeguard-audit generate`: a synthetic log of 2,000 cases over 12 years (2015-2026, so every
//! regime of the law by date), audited by the real binary from
//! both its CSV and its xlsx, gives identical findings that show every (duty, status) that
//! DOMAIN.md allows.

use crate::common::bin;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

fn ok(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn audit(log: &Path, out: &Path) -> (String, Vec<String>) {
    let o = bin()
        .args(["audit", "--as-of", "2026-11-23", "--log"])
        .arg(log)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run binary");
    let summary = ok(&o);
    let text = std::fs::read_to_string(out.join("findings-2026-11-23.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("case_ref,duty,status,start,due,done,working_days_late,breach,local_authority,note")
    );
    let mut v: Vec<String> = lines.map(str::to_string).collect();
    v.sort();
    (summary, v)
}

/// Every (duty, status) DOMAIN.md allows: no `late`/`overdue` without a numeric deadline, and
/// `early` only for the minimum period.
fn allowed() -> BTreeSet<(String, String)> {
    let duties = safeguard_audit::rules::baseline_ids()
        .iter()
        .copied()
        .filter(|d| *d != "referral-followed-up");
    let mut set = BTreeSet::new();
    for d in duties {
        for s in [
            "met",
            "late",
            "overdue",
            "pending",
            "not_applicable",
            "unknown",
            "early",
        ] {
            let no_number = matches!(d, "review-decision-notice" | "publication-period");
            // The past regimes' due dates have all passed by 2026: nothing pending.
            let past = matches!(d, "serious-incident-ofsted" | "scr-completion");
            if (no_number && matches!(s, "late" | "overdue"))
                || (s == "early" && d != "publication-period")
                || (past && s == "pending")
            {
                continue;
            }
            set.insert((d.to_string(), s.to_string()));
        }
    }
    set
}

#[test]
fn two_thousand_cases_show_every_duty_and_status_alike_in_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let o = bin()
        .args([
            "generate", "--cases", "2000", "--seed", "42", "--format", "both", "--years", "12",
        ])
        .arg("--out")
        .arg(&logs)
        .output()
        .expect("run binary");
    let said = ok(&o);
    assert!(said.contains("synthetic-2000.csv"), "{said}");
    let csv = logs.join("synthetic-2000.csv");
    let xlsx = logs.join("synthetic-2000.xlsx");
    assert!(csv.is_file() && xlsx.is_file());

    let (csv_summary, from_csv) = audit(&csv, &dir.path().join("csv"));
    let (xlsx_summary, from_xlsx) = audit(&xlsx, &dir.path().join("xlsx"));
    // A few awareness dates are typed a year ahead: those cases are set aside.
    let cases: usize = csv_summary
        .lines()
        .find_map(|l| l.strip_prefix("Cases read: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{csv_summary}"));
    assert!((1990..=2000).contains(&cases), "{csv_summary}");
    let rows = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("Rows:"))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(rows(&csv_summary), rows(&xlsx_summary));
    let duties = safeguard_audit::rules::baseline_ids().len() - 1;
    assert_eq!(from_csv.len(), cases * duties);
    assert_eq!(from_csv.len(), from_xlsx.len());
    for (a, b) in from_csv.iter().zip(&from_xlsx) {
        assert_eq!(a, b, "the CSV and the xlsx disagree");
    }

    let seen: BTreeSet<(String, String)> = from_csv
        .iter()
        .map(|l| {
            let mut f = l.split(',');
            f.next();
            (f.next().unwrap().to_string(), f.next().unwrap().to_string())
        })
        .collect();
    let missing: Vec<_> = allowed().difference(&seen).cloned().collect();
    assert!(missing.is_empty(), "never seen: {missing:?}");
    let impossible: Vec<_> = seen.difference(&allowed()).cloned().collect();
    assert!(
        impossible.is_empty(),
        "not allowed by DOMAIN.md: {impossible:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        let o = bin()
            .args(["generate", "--cases", "300", "--seed", "9", "--out"])
            .arg(dir.path().join(sub))
            .output()
            .unwrap();
        ok(&o);
    }
    let a = std::fs::read(dir.path().join("a/synthetic-300.csv")).unwrap();
    let b = std::fs::read(dir.path().join("b/synthetic-300.csv")).unwrap();
    assert_eq!(a, b);
    assert!(
        !dir.path().join("a/synthetic-300.xlsx").exists(),
        "csv is the default"
    );
}
