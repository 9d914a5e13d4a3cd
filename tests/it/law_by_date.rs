//! The law by date through the real binary: a historical replay over a generated 2015-2026 log
//! gives each year's law; `arrangements_from` and the COVID-19 relaxation agree with the
//! independent Python reference; a bad `arrangements_from` is a clear configuration error.

use crate::common::{root, run, stderr};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// (case_ref, duty, status, due, breach, note) rows of a findings file.
fn findings(path: &Path) -> Vec<[String; 6]> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            [0, 1, 2, 4, 7, 9].map(|i| rec.get(i).unwrap_or("").to_string())
        })
        .collect()
}

fn audit(log: &Path, as_of: &str, out: &Path) -> Vec<[String; 6]> {
    let o = run(&[
        "audit",
        "--log",
        log.to_str().unwrap(),
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    findings(&out.join(format!("findings-{as_of}.csv")))
}

const TIMED: [&str; 4] = ["met", "late", "overdue", "pending"];

/// The year in a generated case reference (`NS-2017-000123`: the year the LA became aware).
fn year(case_ref: &str) -> i32 {
    case_ref
        .split('-')
        .nth(1)
        .and_then(|y| y.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_historical_replay_over_2015_to_2026_gives_each_years_law() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "generate",
        "--cases",
        "4000",
        "--years",
        "12",
        "--seed",
        "11",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let log = dir.path().join("synthetic-4000.csv");
    let rows = audit(&log, "2026-11-23", &dir.path().join("now"));
    // duty -> year -> status -> count
    let mut seen: HashMap<(String, i32, String), usize> = HashMap::new();
    for [case, duty, status, ..] in &rows {
        *seen
            .entry((duty.clone(), year(case), status.clone()))
            .or_default() += 1;
    }
    let timed = |duty: &str, years: &dyn Fn(i32) -> bool| -> usize {
        seen.iter()
            .filter(|((d, y, s), _)| d == duty && years(*y) && TIMED.contains(&s.as_str()))
            .map(|(_, n)| n)
            .sum()
    };
    assert!(
        seen.keys().any(|(_, y, _)| *y == 2015) && seen.keys().any(|(_, y, _)| *y == 2026),
        "the log spans 2015 to 2026"
    );
    // Before 2018: no Panel; Ofsted notified instead; serious case reviews.
    let before_2018 = |y: i32| y < 2018;
    for duty in [
        "panel-notification",
        "rapid-review",
        "panel-response",
        "lac-death-secretary-of-state",
        "review-decision-notice",
        "report-before-publication",
        "publication",
    ] {
        assert_eq!(timed(duty, &before_2018), 0, "{duty} before 2018");
    }
    assert!(timed("serious-incident-ofsted", &before_2018) > 50);
    assert!(timed("scr-completion", &before_2018) > 5);
    assert!(timed("partners-notification", &before_2018) > 50);
    assert!(timed("lac-death-ofsted", &before_2018) > 5);
    // From 2019: the Panel; no Ofsted serious-incident duty.
    let from_2019 = |y: i32| y >= 2019;
    assert_eq!(timed("serious-incident-ofsted", &from_2019), 0);
    assert!(timed("panel-notification", &from_2019) > 100);
    assert!(timed("rapid-review", &from_2019) > 100);
    // LCSPRs from the arrangements (2019-09-29): none before; serious case reviews none after.
    assert!(timed("publication", &|y| y >= 2020) > 5);
    assert_eq!(timed("scr-completion", &|y| y >= 2020), 0);
    // Care leavers from 15/12/2023.
    assert_eq!(
        timed("care-leaver-death-secretary-of-state", &|y| y <= 2022),
        0
    );
    assert_eq!(timed("care-leaver-death-ofsted", &|y| y <= 2022), 0);
    assert!(timed("care-leaver-death-ofsted", &|y| y >= 2024) > 0);
    // Every pre-2018 Panel finding that is not applicable says why.
    for [case, duty, status, _, _, note] in &rows {
        if duty == "panel-notification" && year(case) < 2018 && status == "not_applicable" {
            assert_eq!(
                note, "not in force before 29/06/2018: the Panel did not exist",
                "{case}"
            );
        }
    }

    // A replay as of 30/06/2017 gives 2017's law to every case, dated or not.
    let then = audit(&log, "2017-06-30", &dir.path().join("then"));
    assert!(!then.is_empty());
    for [case, duty, status, ..] in &then {
        if duty == "panel-notification" {
            assert_eq!(status, "not_applicable", "{case}");
        }
    }
    assert!(then
        .iter()
        .any(|r| r[1] == "serious-incident-ofsted" && TIMED.contains(&r[2].as_str())));
}

fn reference(args: &[&str]) -> Vec<[String; 6]> {
    let o = Command::new("python3")
        .arg("tools/reference_audit.py")
        .args(args)
        .current_dir(root())
        .output()
        .expect("python3 runs the reference");
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ref.csv");
    std::fs::write(&p, &o.stdout).unwrap();
    findings(&p)
}

fn comparable(rows: Vec<[String; 6]>) -> Vec<String> {
    let mut v: Vec<String> = rows
        .into_iter()
        .map(|[c, d, s, due, b, note]| {
            let kind = if note.is_empty() {
                String::new()
            } else if note.starts_with("not in force") {
                note.split(':').next().unwrap_or("").to_string()
            } else if note.starts_with("timescale relaxed") {
                "timescale relaxed".to_string()
            } else {
                "why".to_string()
            };
            format!("{c},{d},{s},{due},{b},{kind}")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn arrangements_from_and_the_covid_relaxation_agree_with_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let covid = std::fs::read_to_string(root().join("config/covid-19-relaxation.toml"))
        .unwrap()
        .replace("# until = 2021-03-31", "until = 2021-03-31");
    std::fs::write(dir.path().join("covid-19-relaxation.toml"), covid).unwrap();
    let log = root().join("fixtures/example/incident-log.csv");
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "arrangements_from = 2019-04-01\nrules = [\"covid-19-relaxation.toml\"]\n\
             [[sources]]\npath = {:?}\n",
            log.display().to_string()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "audit",
        "--config",
        dir.path().join("config.toml").to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = findings(&out.join("findings-2026-11-23.csv"));
    let relaxed = got
        .iter()
        .filter(|r| r[5].starts_with("timescale relaxed"))
        .count();
    assert!(relaxed > 0, "the example log has due dates in 2020");
    let relaxed_case = got
        .iter()
        .find(|r| r[5].starts_with("timescale relaxed"))
        .map(|r| r[0].clone())
        .unwrap();
    let o = run(&[
        "explain",
        "--config",
        dir.path().join("config.toml").to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        &relaxed_case,
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(text.contains("Relaxed period ON"), "{text}");
    assert!(text.contains("Law by date:"), "{text}");
    let want = reference(&[
        "fixtures/example/incident-log.csv",
        "--as-of",
        "2026-11-23",
        "--arrangements-from",
        "2019-04-01",
        "--covid-until",
        "2021-03-31",
    ]);
    assert_eq!(comparable(got), comparable(want));
}

#[test]
fn a_replay_years_back_agrees_with_the_reference_on_what_had_happened_by_then() {
    // The log is today's, so a replay years back meets dates long after its as-of date: a
    // case the LA learnt of later is not yet known, and a duty done later was not done yet
    // (overdue, not "unreadable"). Only a date implausible for today's log is a mistake.
    let dir = tempfile::tempdir().unwrap();
    for as_of in ["2020-01-01", "2023-03-31"] {
        let got = audit(
            &root().join("fixtures/example/incident-log.csv"),
            as_of,
            &dir.path().join(as_of),
        );
        let want = reference(&["fixtures/example/incident-log.csv", "--as-of", as_of]);
        assert_eq!(comparable(got), comparable(want), "as of {as_of}");
    }
    // A completion more than a year after the as-of date: overdue then.
    let log = dir.path().join("late.csv");
    std::fs::write(
        &log,
        "Case reference,Local authority,Child ID,Date of incident,Date LA became aware,Outcome,\
         Abuse or neglect,Child status,Incident location,Panel notified\n\
         LT-001,Northshire,C-1,10/01/2022,10/01/2022,died,known,child in need,in area,01/06/2024\n",
    )
    .unwrap();
    let rows = audit(&log, "2023-03-31", &dir.path().join("late"));
    let panel = rows.iter().find(|r| r[1] == "panel-notification").unwrap();
    assert_eq!(panel[2], "overdue", "{panel:?}");
}

#[test]
fn explain_says_which_regime_judged_each_duty() {
    let o = run(&[
        "explain",
        "--log",
        "fixtures/example/incident-log.csv",
        "--as-of",
        "2026-11-23",
        "NS-2018-001",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        text.contains(
            "Law by date: Date LA became aware Thu 28/06/2018 falls in Working Together 2015"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Status: not_applicable (not in force before 29/06/2018: the Panel did not exist)"
        ),
        "{text}"
    );
}

#[test]
fn arrangements_from_outside_its_window_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["2018-06-28", "2019-09-30"] {
        let cfg = dir.path().join("c.toml");
        std::fs::write(
            &cfg,
            format!("arrangements_from = {bad}\n[[sources]]\npath = \"log.csv\"\n"),
        )
        .unwrap();
        let o = run(&[
            "audit",
            "--config",
            cfg.to_str().unwrap(),
            "--as-of",
            "2026-11-23",
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("c.toml")
                && e.contains("arrangements_from")
                && e.contains("29/06/2018")
                && e.contains("29/09/2019"),
            "{e}"
        );
        assert!(!dir.path().join("out").exists(), "nothing written");
    }
}
