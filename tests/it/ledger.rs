//! The run ledger and the scheduler, with a real SMTP server on loopback: one report a week
//! whatever cron does, `--force` sends again, a failed delivery is resent, two concurrent runs
//! send once, what changed since the last report, a damaged or locked ledger fails clearly,
//! the schedule preview across clock changes, and the scheduler's missed run and SIGTERM.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::bin;
use crate::support::{self, Certs, SmtpServer};

const PASSWORD: &str = "s3cret-pw";
const PASSWORD_ENV: &str = "SG_LEDGER_TEST_PASSWORD";

const HEADER: &str = "Case reference,Local authority,Child ID,Date of incident,Date LA became aware,Outcome,Abuse or neglect,Child status,Incident location,Panel notified,Partners notified";
/// The columns this short log does not keep, declared (a configured log must say so).
const ABSENT: &str = "absent = [\"ofsted_notified\", \"sos_notified\", \"rapid_review_sent\", \"panel_response\", \"decision\", \"decision_date\", \"decision_notified\", \"report_sent\", \"published\", \"unpublished\"]";

struct Live {
    _dir: tempfile::TempDir,
    root: PathBuf,
    config: PathBuf,
    server: SmtpServer,
}

fn live(test: &str, extra_config: &str) -> Option<Live> {
    let Some(python) = support::python_with_aiosmtpd() else {
        support::skip(test, "python3 with aiosmtpd is not installed");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let certs = Certs::generate(&root.join("certs"));
    let server = SmtpServer::start(&python, &certs, &root.join("spool"), "starttls");
    write_log(
        &root,
        &["T-1,Testshire,C-1,01/11/2026,02/11/2026,died,known,child in need,in area,,"],
    );
    let config = root.join("audit.toml");
    std::fs::write(
        &config,
        format!(
            "[[sources]]\npath = \"log.csv\"\n{ABSENT}\n[report]\nout_dir = \"reports\"\n{extra_config}\n\
             [email]\nfrom = \"Audit <audit@testshire.gov.uk>\"\nto = [\"director@testshire.gov.uk\"]\n\
             smtp_host = \"127.0.0.1\"\nsmtp_port = {}\nusername = \"audit\"\n\
             password_env = \"{PASSWORD_ENV}\"\nca_file = {:?}\nretry_for_secs = 3\n",
            server.port,
            certs.ca.display().to_string()
        ),
    )
    .unwrap();
    Some(Live {
        _dir: dir,
        root,
        config,
        server,
    })
}

fn write_log(root: &Path, rows: &[&str]) {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(root.join("log.csv"), text).unwrap();
}

fn command(config: &Path, as_of: &str, args: &[&str], password: &str) -> Command {
    let mut c = bin();
    c.args(["run", "--config"])
        .arg(config)
        .args(["--as-of", as_of])
        .args(args)
        .env(PASSWORD_ENV, password)
        .env("SAFEGUARD_AUDIT_LOCK_WAIT_SECS", "0");
    c
}

fn run(l: &Live, as_of: &str, args: &[&str]) -> Output {
    command(&l.config, as_of, args, PASSWORD).output().unwrap()
}

fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn one_email_a_week_and_force_sends_again() {
    let Some(l) = live("one_email_a_week_and_force_sends_again", "") else {
        return;
    };
    let o = run(&l, "2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert!(all(&o).contains("emailed to 1 recipient"));
    assert!(all(&o).contains("first report"), "{}", all(&o));
    // Same reporting week (Monday to Sunday): files again, no email.
    let o = run(&l, "2026-11-25", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert!(all(&o).contains("already emailed"), "{}", all(&o));
    assert!(l.root.join("reports/findings-2026-11-25.csv").exists());
    assert_eq!(l.server.wait_for(1, Duration::from_secs(3)).len(), 1);
    // --force sends again.
    let o = run(&l, "2026-11-25", &["--force"]);
    assert!(all(&o).contains("emailed to 1 recipient"), "{}", all(&o));
    assert_eq!(l.server.wait_for(2, Duration::from_secs(5)).len(), 2);
    // Next week sends, and says what changed.
    write_log(
        &l.root,
        &[
            "T-1,Testshire,C-1,01/11/2026,02/11/2026,died,known,child in need,in area,30/11/2026,",
            "T-2,Testshire,C-2,27/11/2026,27/11/2026,seriously harmed,suspected,child in need,in area,,",
        ],
    );
    let o = run(&l, "2026-11-30", &[]);
    let out = all(&o);
    assert!(out.contains("emailed to 1 recipient"), "{out}");
    assert!(out.contains("Since the report as of 25/11/2026"), "{out}");
    assert!(out.contains("New cases: 1 (T-2)"), "{out}");
    let msgs = l.server.wait_for(3, Duration::from_secs(5));
    assert_eq!(msgs.len(), 3);
    let eml = std::fs::read_to_string(&msgs[2].1).unwrap();
    assert!(eml.contains("T-2"), "the email lists what changed");
    // The workbook's Summary says the same, with the trend of the reports sent.
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> =
        open_workbook(l.root.join("reports/compliance-2026-11-30.xlsx")).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let text: Vec<String> = summary
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        text.iter()
            .any(|t| t == "What changed since the report as of 25/11/2026"),
        "{text:?}"
    );
    assert!(text
        .iter()
        .any(|t| t == "New cases (not in the last report sent)"));
    assert!(text
        .iter()
        .any(|t| t.starts_with("Trend over the last reports")));
}

#[test]
fn a_failed_delivery_is_resent_by_the_next_run() {
    let Some(l) = live("a_failed_delivery_is_resent_by_the_next_run", "") else {
        return;
    };
    let o = command(&l.config, "2026-11-23", &[], "wrong-password")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    assert!(l.root.join("reports/compliance-2026-11-23.xlsx").exists());
    assert_eq!(l.server.messages().len(), 0);
    let o = run(&l, "2026-11-24", &[]);
    assert!(all(&o).contains("emailed to 1 recipient"), "{}", all(&o));
    assert_eq!(l.server.wait_for(1, Duration::from_secs(5)).len(), 1);
}

#[test]
fn two_concurrent_runs_send_once() {
    let Some(l) = live("two_concurrent_runs_send_once", "") else {
        return;
    };
    let spawn = || {
        command(&l.config, "2026-11-23", &[], PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let sent = outs
        .iter()
        .filter(|o| all(o).contains("emailed to"))
        .count();
    assert_eq!(sent, 1, "{}\n---\n{}", all(&outs[0]), all(&outs[1]));
    for o in &outs {
        let s = all(o);
        assert!(
            s.contains("emailed to")
                || s.contains("already emailed")
                || s.contains("another safeguard-audit run is in progress"),
            "{s}"
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(l.server.messages().len(), 1);
}

#[test]
fn a_locked_or_damaged_ledger_fails_clearly() {
    let Some(l) = live("a_locked_or_damaged_ledger_fails_clearly", "") else {
        return;
    };
    let state = l.root.join("reports/state");
    std::fs::create_dir_all(&state).unwrap();
    let lock = std::fs::File::create(state.join("run.lock")).unwrap();
    lock.try_lock().unwrap();
    let o = run(&l, "2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(5), "{}", all(&o));
    assert!(all(&o).contains("another safeguard-audit run is in progress"));
    assert!(!all(&o).contains("panicked"));
    drop(lock);
    std::fs::write(
        state.join("ledger.sqlite3"),
        b"garbage, not SQLite at all: 0123456789abcdef",
    )
    .unwrap();
    let o = run(&l, "2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(5), "{}", all(&o));
    assert!(all(&o).contains("damaged"), "{}", all(&o));
    assert!(all(&o).contains("Move it aside"), "{}", all(&o));
    assert!(!all(&o).contains("panicked"));
    assert_eq!(l.server.messages().len(), 0);
}

#[test]
fn schedule_preview_across_clock_changes() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!("[[sources]]\npath = \"log.csv\"\n{ABSENT}\n[schedule]\ncron = \"0 7 * * MON\"\n"),
    )
    .unwrap();
    let preview = |from: &str| {
        let o = bin()
            .args(["schedule", "--config"])
            .arg(&config)
            .args(["--preview", "3", "--from", from])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", all(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(
        preview("2027-03-20T00:00:00Z"),
        "2027-03-22T07:00:00+00:00\n2027-03-29T07:00:00+01:00\n2027-04-05T07:00:00+01:00\n"
    );
    assert_eq!(
        preview("2026-10-17T00:00:00Z"),
        "2026-10-19T07:00:00+01:00\n2026-10-26T07:00:00+00:00\n2026-11-02T07:00:00+00:00\n"
    );
    std::fs::write(
        &config,
        "[[sources]]\npath = \"log.csv\"\n[schedule]\ncron = \"0 7 * MON\"\n",
    )
    .unwrap();
    let o = bin()
        .args(["schedule", "--config"])
        .arg(&config)
        .args(["--preview", "1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(all(&o).contains("[schedule] cron"), "{}", all(&o));
}

#[test]
fn the_scheduler_runs_a_missed_report_and_stops_on_sigterm() {
    let Some(l) = live(
        "the_scheduler_runs_a_missed_report_and_stops_on_sigterm",
        "[schedule]\ncron = \"0 7 * * *\"\n",
    ) else {
        return;
    };
    let mut child = bin()
        .args(["schedule", "--config"])
        .arg(&l.config)
        .env(PASSWORD_ENV, PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // No report was ever sent, and a daily 07:00 run has passed: it runs at once.
    let msgs = l.server.wait_for(1, Duration::from_secs(30));
    assert_eq!(msgs.len(), 1, "the missed run sent the report");
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "clean exit on SIGTERM");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "stops promptly");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("missed run"), "{s}");
    assert!(s.contains("next run at"), "{s}");
    assert!(s.contains("stopped"), "{s}");
}

#[test]
fn two_weekly_runs_on_an_unchanged_log_report_no_new_cases() {
    let Some(l) = live(
        "two_weekly_runs_on_an_unchanged_log_report_no_new_cases",
        "",
    ) else {
        return;
    };
    // Old cases whose duties are all not applicable (not abuse, not harmed) were once
    // reported as "new" every week: they were never recorded.
    write_log(
        &l.root,
        &[
            "T-1,Testshire,C-1,01/11/2026,02/11/2026,died,known,child in need,in area,,",
            "T-2019,Testshire,C-9,04/02/2019,05/02/2019,other,not suspected,early help,in area,,",
            "T-2020,Testshire,C-8,04/02/2020,05/02/2020,other,not suspected,early help,in area,,",
            "T-2021,Testshire,C-7,04/02/2021,05/02/2021,seriously harmed,not suspected,early help,in area,,",
        ],
    );
    let o = run(&l, "2026-11-23", &[]);
    assert!(all(&o).contains("emailed to 1 recipient"), "{}", all(&o));
    let o = run(&l, "2026-11-30", &[]);
    let out = all(&o);
    assert!(out.contains("emailed to 1 recipient"), "{out}");
    assert!(out.contains("Since the report as of 23/11/2026"), "{out}");
    assert!(out.contains("New cases: none"), "{out}");
    // The Panel and partners notifications were overdue last week already: not new.
    assert!(out.contains("Newly overdue: none"), "{out}");
    assert!(out.contains("none of them new this week"), "{out}");
    let o = run(&l, "2026-12-07", &[]);
    assert!(all(&o).contains("New cases: none"), "{}", all(&o));
}

#[test]
fn a_digit_string_in_a_date_cell_appears_in_no_output() {
    let Some(l) = live("a_digit_string_in_a_date_cell_appears_in_no_output", "") else {
        return;
    };
    // An NHS number typed into the Panel-notified date cell, as text and as a number.
    const DIGITS: &str = "9434765919";
    write_log(
        &l.root,
        &[
            &format!("T-1,Testshire,C-1,01/11/2026,02/11/2026,died,known,child in need,in area,{DIGITS},"),
            "T-2,Testshire,C-2,01/11/2026,02/11/2026,died,known,child in need,in area,,943 476 5919",
        ],
    );
    let mut outputs = Vec::new();
    let o = run(&l, "2026-11-23", &[]);
    outputs.push(("run output".to_string(), all(&o)));
    let explain = bin()
        .args(["explain", "T-1", "--config"])
        .arg(&l.config)
        .args(["--as-of", "2026-11-23"])
        .output()
        .unwrap();
    outputs.push(("explain".to_string(), all(&explain)));
    let audit = bin()
        .args(["audit", "--no-workbook", "--config"])
        .arg(&l.config)
        .args(["--as-of", "2026-11-23", "--out"])
        .arg(l.root.join("plain"))
        .output()
        .unwrap();
    outputs.push(("audit --no-workbook".to_string(), all(&audit)));
    for dir in ["reports", "plain"] {
        for entry in std::fs::read_dir(l.root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xlsx") {
                // Every part of the workbook (shared strings, sheets, properties).
                let f = std::fs::File::open(&path).unwrap();
                let mut zip = zip::ZipArchive::new(f).unwrap();
                for i in 0..zip.len() {
                    let mut part = zip.by_index(i).unwrap();
                    let mut text = String::new();
                    use std::io::Read;
                    let _ = part.read_to_string(&mut text);
                    outputs.push((format!("{} {:?}", path.display(), part.name()), text));
                }
            } else if path.is_file() {
                outputs.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
                ));
            }
        }
    }
    let python = support::python_with_aiosmtpd().expect("aiosmtpd");
    for (i, (_, eml)) in l
        .server
        .wait_for(1, Duration::from_secs(5))
        .iter()
        .enumerate()
    {
        // The decoded parts, not the transfer encoding.
        let p = support::Parsed::read(&python, eml, &l.root.join(format!("parsed-{i}")));
        let headers: Vec<String> = p.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        outputs.push(("email headers".to_string(), headers.join("\n")));
        outputs.push(("email text".to_string(), p.text));
        outputs.push(("email HTML".to_string(), p.html));
    }
    assert!(
        outputs.len() > 5,
        "{:?}",
        outputs.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    for (name, text) in &outputs {
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            !squeezed.contains(DIGITS),
            "the digits of a date cell appear in {name}:\n{text}"
        );
    }
}

#[test]
fn standard_cron_fires_on_every_first_and_every_monday() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[[sources]]\npath = \"log.csv\"\n[schedule]\ncron = \"0 7 1 * MON\"\n",
    )
    .unwrap();
    let o = bin()
        .args(["schedule", "--config"])
        .arg(&config)
        .args(["--preview", "10", "--from", "2027-02-28T12:00:00Z"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", all(&o));
    // March and April 2027: Monday 1 March fires once, then every Monday, and Thursday
    // 1 April; the clocks go forward on Sunday 28 March, and 07:00 stays 07:00.
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "2027-03-01T07:00:00+00:00\n\
         2027-03-08T07:00:00+00:00\n\
         2027-03-15T07:00:00+00:00\n\
         2027-03-22T07:00:00+00:00\n\
         2027-03-29T07:00:00+01:00\n\
         2027-04-01T07:00:00+01:00\n\
         2027-04-05T07:00:00+01:00\n\
         2027-04-12T07:00:00+01:00\n\
         2027-04-19T07:00:00+01:00\n\
         2027-04-26T07:00:00+01:00\n"
    );
}

#[test]
fn check_config_refuses_the_schedules_that_schedule_refuses() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), &[]);
    let config = dir.path().join("c.toml");
    let write = |schedule: &str| {
        std::fs::write(
            &config,
            format!("[[sources]]\npath = \"log.csv\"\n{ABSENT}\n[schedule]\n{schedule}\n"),
        )
        .unwrap()
    };
    let check = || {
        bin()
            .args(["check-config", "--config"])
            .arg(&config)
            .output()
            .unwrap()
    };
    let schedule = || {
        bin()
            .args(["schedule", "--config"])
            .arg(&config)
            .args(["--preview", "1"])
            .output()
            .unwrap()
    };
    write("cron = \"0 7 * * MON\"");
    let o = check();
    assert!(o.status.success(), "{}", all(&o));
    assert!(
        all(&o).contains("schedule: cron \"0 7 * * MON\" in Europe/London"),
        "{}",
        all(&o)
    );
    for (schedule_lines, says) in [
        (
            "cron = \"61 7 * * MON\"",
            "[schedule] cron = \"61 7 * * MON\": the minute field `61`: 61 is not 0-59",
        ),
        (
            "cron = \"0 7 * * MON\"\ntimezone = \"Europe/Londno\"",
            "[schedule] timezone = \"Europe/Londno\" is not a time zone name",
        ),
        ("cron = \"0 7 30 2 *\"", "never fires"),
    ] {
        write(schedule_lines);
        for (command, o) in [("check-config", check()), ("schedule", schedule())] {
            assert_eq!(
                o.status.code(),
                Some(2),
                "{command} {schedule_lines}: {}",
                all(&o)
            );
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains("c.toml") && err.contains(says),
                "{command} {schedule_lines}: {err}"
            );
            assert!(!all(&o).contains("configuration OK"), "{}", all(&o));
        }
    }
}
