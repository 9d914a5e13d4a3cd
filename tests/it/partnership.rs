//! Partnerships of several local authorities, through the real binary on the four-authority
//! fixture (fixtures/tees, config/tees.toml): each authority's findings and workbook hold exactly
//! its cases, the partnership's hold all of them with the same verdicts, a closure day or an
//! overlay for one authority changes that authority's verdicts only, and a case whose
//! authority is blank or not listed is a data-quality problem of the partnership's report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{open_workbook_auto, Data, Reader};

use crate::common::{bin, root, run, text};
use crate::support::{self, Certs, Parsed, SmtpServer};

const AS_OF: &str = "2026-11-23";

/// The four authorities' folders, and how the fixture log writes each (an independent table,
/// not the program's matching).
const AUTHORITIES: &[(&str, &[&str])] = &[
    ("hartlepool", &["Hartlepool", "HBC"]),
    ("middlesbrough", &["Middlesbrough", "Middlesbrough Council"]),
    (
        "redcar-and-cleveland",
        &[
            "Redcar and Cleveland",
            "Redcar & Cleveland",
            "redcar and cleveland",
        ],
    ),
    ("stockton-on-tees", &["Stockton-on-Tees", "Stockton", "SBC"]),
];

/// Case reference -> folder of its authority (None: blank or unlisted), from the fixture log.
fn owners() -> BTreeMap<String, Option<&'static str>> {
    let mut r = csv_rows(&root().join("fixtures/tees/incident-log.csv"));
    let header = r.remove(0);
    let la = header.iter().position(|h| h == "Local authority").unwrap();
    r.into_iter()
        .map(|row| {
            let owner = AUTHORITIES
                .iter()
                .find(|(_, names)| names.contains(&row[la].as_str()))
                .map(|(slug, _)| *slug);
            (row[0].clone(), owner)
        })
        .collect()
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The fixture and findings have no quoted commas in the columns used here except the
    // header's "Decision notified (Panel, Ofsted, DfE)", which comes after them.
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// A partnership configuration in `dir` like config/tees.toml, with `extra` lines added to
/// the named authority's table.
fn config(dir: &Path, authority: Option<(&str, &str)>) -> PathBuf {
    let mut toml = std::fs::read_to_string(root().join("config/tees.toml")).unwrap();
    let abs = |p: &str| root().join("config").join(p).display().to_string();
    toml = toml
        .replace(
            "\"../fixtures/tees/incident-log.csv\"",
            &format!("{:?}", abs("../fixtures/tees/incident-log.csv")),
        )
        .replace(
            "[\"tees-timescales.toml\"]",
            &format!("[{:?}]", abs("tees-timescales.toml")),
        )
        .replace("\"../reports/tees\"", "\"out\"");
    if let Some((name, extra)) = authority {
        let at = format!("name = \"{name}\"\n");
        assert!(toml.contains(&at), "{name}");
        toml = toml.replace(&at, &format!("{at}{extra}\n"));
    }
    let path = dir.join("tees.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn audit(config: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "audit",
        "--config",
        config.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(
        o.status.success(),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    o
}

/// Findings lines (without the header), sorted.
fn findings(dir: &Path) -> Vec<String> {
    let p = dir.join(format!("findings-{AS_OF}.csv"));
    let t = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut v: Vec<String> = t.lines().skip(1).map(str::to_string).collect();
    v.sort();
    v
}

/// What the tool and the independent reference must agree on, sorted: every column but
/// `local_authority`, the note reduced to its kind (blank; "not in force before/from
/// DD/MM/YYYY"; "timescale relaxed"; any other reason), as in tests/it/audit.rs.
fn comparable(text: &str) -> Vec<String> {
    let kind = |note: &str| {
        if note.is_empty() {
            String::new()
        } else if note.starts_with("not in force") {
            note.split(':').next().unwrap_or("").to_string()
        } else if note.starts_with("timescale relaxed") {
            "timescale relaxed".to_string()
        } else {
            "why".to_string()
        }
    };
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut v: Vec<String> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut cells: Vec<String> = rec.iter().take(8).map(str::to_string).collect();
            cells.push(kind(rec.get(9).unwrap_or("")));
            cells.join(",")
        })
        .collect();
    v.sort();
    v
}

fn case_refs_of(lines: &[String]) -> BTreeSet<String> {
    lines
        .iter()
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

/// Column A of a sheet below its header cell `header`, up to the first blank.
fn sheet_column(book: &Path, sheet: &str, header: &str) -> Vec<String> {
    let mut wb = open_workbook_auto(book).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let mut out = Vec::new();
    let mut below = false;
    for row in range.rows() {
        let a = match row.first() {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Empty) | None => String::new(),
            Some(other) => other.to_string(),
        };
        if below {
            if a.is_empty() {
                break;
            }
            out.push(a);
        } else if a == header {
            below = true;
        }
    }
    out
}

/// Every cell of a sheet as text.
fn sheet_text(book: &Path, sheet: &str) -> String {
    let mut wb = open_workbook_auto(book).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn workbook(dir: &Path) -> PathBuf {
    dir.join(format!("compliance-{AS_OF}.xlsx"))
}

#[test]
fn each_authority_gets_exactly_its_cases_and_the_partnership_all() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), None);
    let o = audit(&cfg, &[]);
    let out = tmp.path().join("out");
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("Partnership of 4 local authorities")
            && stdout.contains("2 with no listed authority"),
        "{stdout}"
    );
    let owners = owners();
    assert_eq!(owners.len(), 20);
    let all = findings(&out);
    // The partnership's findings are the independent reference's for the whole log (the
    // reference writes the log's Local authority as it is; the tool the configured name of a
    // listed authority, checked below; notes are compared by kind, as tests/it/audit.rs does).
    let reference = comparable(
        &std::fs::read_to_string(root().join("fixtures/tees/expected-findings-2026-11-23.csv"))
            .unwrap(),
    );
    let ours =
        comparable(&std::fs::read_to_string(out.join(format!("findings-{AS_OF}.csv"))).unwrap());
    assert_eq!(ours, reference, "partnership findings vs the reference");
    let names: BTreeMap<&str, &str> = AUTHORITIES.iter().map(|(s, n)| (*s, n[0])).collect();
    let raw = std::fs::read_to_string(out.join(format!("findings-{AS_OF}.csv"))).unwrap();
    let mut r = csv::Reader::from_reader(raw.as_bytes());
    for rec in r.records() {
        let rec = rec.unwrap();
        if let Some(Some(slug)) = owners.get(&rec[0]) {
            assert_eq!(&rec[8], names[slug], "{}: local_authority", &rec[0]);
        }
    }
    assert_eq!(
        case_refs_of(&all),
        owners.keys().cloned().collect::<BTreeSet<_>>()
    );
    let partnership_cases: BTreeSet<String> =
        sheet_column(&workbook(&out), "Cases", "Case reference")
            .into_iter()
            .collect();
    assert_eq!(partnership_cases, owners.keys().cloned().collect());
    for (slug, _) in AUTHORITIES {
        let dir = out.join(slug);
        let mine = findings(&dir);
        let refs = case_refs_of(&mine);
        let book_refs: BTreeSet<String> = sheet_column(&workbook(&dir), "Cases", "Case reference")
            .into_iter()
            .collect();
        for (case, owner) in &owners {
            let ours = *owner == Some(*slug);
            assert_eq!(refs.contains(case), ours, "{slug} findings and {case}");
            assert_eq!(book_refs.contains(case), ours, "{slug} workbook and {case}");
        }
        // The same verdicts as in the partnership's report, line for line.
        let theirs: Vec<String> = all
            .iter()
            .filter(|l| refs.contains(l.split(',').next().unwrap()))
            .cloned()
            .collect();
        assert_eq!(
            mine, theirs,
            "{slug}: verdicts differ from the partnership's"
        );
        // Other authorities' children never reach this report.
        let book = sheet_text(&workbook(&dir), "Cases");
        for (case, owner) in &owners {
            if *owner != Some(*slug) {
                assert!(!book.contains(case.as_str()), "{slug} workbook has {case}");
            }
        }
    }
}

#[test]
fn blank_and_unlisted_authorities_are_data_quality_problems_of_the_partnership_only() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), None);
    audit(&cfg, &[]);
    let out = tmp.path().join("out");
    let dq = sheet_text(&workbook(&out), "Data quality");
    for case in ["TEES-2026-001", "DAR-2026-001"] {
        let line = dq
            .lines()
            .find(|l| l.contains(case))
            .unwrap_or_else(|| panic!("{case} not in Data quality:\n{dq}"));
        assert!(line.contains("partnership's report only"), "{line}");
        for (slug, _) in AUTHORITIES {
            let theirs = sheet_text(&workbook(&out.join(slug)), "Data quality");
            assert!(!theirs.contains(case), "{slug} has {case}");
            assert!(
                !case_refs_of(&findings(&out.join(slug))).contains(case),
                "{slug} has {case}"
            );
        }
    }
    // The cell's text is described, never quoted.
    assert!(!dq.contains("Darlington"), "{dq}");
}

#[test]
fn a_closure_day_for_one_authority_moves_its_due_dates_only() {
    let tmp = tempfile::tempdir().unwrap();
    let base = config(tmp.path(), None);
    audit(&base, &[]);
    let before = findings(&tmp.path().join("out"));
    let tmp2 = tempfile::tempdir().unwrap();
    let closed = config(
        tmp2.path(),
        Some((
            "Hartlepool",
            "non_working_days = [ { date = 2026-11-19, name = \"Council closure\" } ]",
        )),
    );
    audit(&closed, &[]);
    let out = tmp2.path().join("out");
    let after = findings(&out);
    let owners = owners();
    let hartlepool = |l: &String| owners[l.split(',').next().unwrap()] == Some("hartlepool");
    let others = |v: &[String]| {
        v.iter()
            .filter(|l| !hartlepool(l))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&before), others(&after), "other authorities changed");
    // Aware Mon 16/11: due Mon 23/11 before, Tue 24/11 with Thursday 19/11 closed; the same
    // day's Middlesbrough case stays due on the 23rd.
    let line = |v: &[String], case: &str, duty: &str| {
        v.iter()
            .find(|l| l.starts_with(&format!("{case},{duty},")))
            .cloned()
            .unwrap()
    };
    assert!(line(&before, "HPL-2026-002", "panel-notification")
        .starts_with("HPL-2026-002,panel-notification,pending,2026-11-16,2026-11-23,"));
    assert!(line(&after, "HPL-2026-002", "panel-notification")
        .starts_with("HPL-2026-002,panel-notification,pending,2026-11-16,2026-11-24,"));
    assert!(line(&after, "MBR-2026-001", "panel-notification")
        .starts_with("MBR-2026-001,panel-notification,pending,2026-11-16,2026-11-23,"));
    // HPL-2026-004: partners due Thu 19/11, now Fri 20/11: overdue by 1 instead of 2.
    assert!(line(&before, "HPL-2026-004", "partners-notification").contains(",2026-11-19,,2,yes,"));
    assert!(line(&after, "HPL-2026-004", "partners-notification").contains(",2026-11-20,,1,yes,"));
    // And Hartlepool's own report says the same as the partnership's.
    let mine = findings(&out.join("hartlepool"));
    let theirs: Vec<String> = after.iter().filter(|l| hartlepool(l)).cloned().collect();
    assert_eq!(mine, theirs);
}

#[test]
fn an_overlay_for_one_authority_changes_its_verdicts_only() {
    let tmp = tempfile::tempdir().unwrap();
    let base = config(tmp.path(), None);
    audit(&base, &[]);
    let before = findings(&tmp.path().join("out"));
    let tmp2 = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp2.path().join("stockton.toml"),
        "[[duty]]\nid = \"panel-notification\"\ndeadline = { kind = \"working-days-after\", n = 2 }\n\
         source = \"Stockton local procedure (test)\"\n",
    )
    .unwrap();
    let cfg = config(
        tmp2.path(),
        Some((
            "Stockton-on-Tees",
            &format!(
                "rules = [{:?}]",
                tmp2.path().join("stockton.toml").display().to_string()
            ),
        )),
    );
    audit(&cfg, &[]);
    let out = tmp2.path().join("out");
    let after = findings(&out);
    let owners = owners();
    let stockton = |l: &String| owners[l.split(',').next().unwrap()] == Some("stockton-on-tees");
    let others = |v: &[String]| {
        v.iter()
            .filter(|l| !stockton(l))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&before), others(&after), "other authorities changed");
    // STK-2026-001: aware Mon 02/11, notified Thu 05/11: met in 5 days, late by 1 in 2.
    assert!(after.iter().any(|l| l
        .starts_with("STK-2026-001,panel-notification,late,2026-11-02,2026-11-04,2026-11-05,1")));
    let mine = findings(&out.join("stockton-on-tees"));
    let theirs: Vec<String> = after.iter().filter(|l| stockton(l)).cloned().collect();
    assert_eq!(mine, theirs);
    // The partnership's Rules sheet shows Stockton's variant beside the partnership's duty.
    let rules = sheet_text(&workbook(&out), "Rules");
    assert!(rules.contains("(Stockton-on-Tees)"), "{rules}");
}

#[test]
fn audit_la_writes_one_authority_only() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), None);
    let o = audit(&cfg, &["--la", "h.b.c."]);
    let out = tmp.path().join("out");
    assert!(text(&o.stdout).contains("Local authority: Hartlepool (its cases only)"));
    assert!(!out.join(format!("findings-{AS_OF}.csv")).exists());
    assert!(!out.join("middlesbrough").exists());
    let refs = case_refs_of(&findings(&out.join("hartlepool")));
    let want: BTreeSet<String> = owners()
        .into_iter()
        .filter(|(_, o)| *o == Some("hartlepool"))
        .map(|(c, _)| c)
        .collect();
    assert_eq!(refs, want);

    let o = run(&[
        "audit",
        "--config",
        cfg.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--la",
        "Darlington",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    assert!(
        e.contains("Darlington") && e.contains("Hartlepool, Middlesbrough"),
        "{e}"
    );
    let o = run(&[
        "audit",
        "--log",
        "fixtures/tees/incident-log.csv",
        "--as-of",
        AS_OF,
        "--out",
        tmp.path().join("single").to_str().unwrap(),
        "--la",
        "Hartlepool",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("[[local_authorities]]"));
}

#[test]
fn partnership_configuration_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for (extra_for, extra, want) in [
        (
            "Middlesbrough",
            "aliases = [\"Hartlepool B.C.\", \"h-b-c\"]",
            "also names",
        ),
        (
            "Hartlepool",
            "non_working_days = [ { date = \"soon\", name = \"x\" } ]",
            "non_working_days",
        ),
        ("Hartlepool", "rules = [\"missing.toml\"]", "missing.toml"),
        ("Hartlepool", "director = \"x\"", "director"),
    ] {
        let mut cfg = config(tmp.path(), None);
        if extra_for == "Middlesbrough" {
            // Replace Middlesbrough's aliases.
            let t = std::fs::read_to_string(&cfg)
                .unwrap()
                .replace("aliases = [\"MBC\", \"Middlesbrough Council\"]", extra);
            std::fs::write(&cfg, t).unwrap();
        } else {
            cfg = config(tmp.path(), Some((extra_for, extra)));
        }
        let o = run(&["audit", "--config", cfg.to_str().unwrap(), "--as-of", AS_OF]);
        let e = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra}: {e}");
        assert!(e.contains(want), "{extra}: {e}");
    }
}

const PASSWORD_ENV: &str = "SG_PARTNERSHIP_TEST_PASSWORD";

/// config/tees.toml sending through the test server.
fn live_config(dir: &Path, server: &SmtpServer, certs: &Certs) -> PathBuf {
    let cfg = config(dir, None);
    let t = std::fs::read_to_string(&cfg).unwrap();
    let at = t.find("[email]").unwrap();
    let t = format!(
        "{}[email]\nfrom = \"Tees Audit <audit@tees.example.gov.uk>\"\n\
         to = [\"business.unit@tees.example.gov.uk\"]\ncc = [\"manager@tees.example.gov.uk\"]\n\
         smtp_host = \"127.0.0.1\"\nsmtp_port = {}\nusername = \"audit\"\n\
         password_env = \"{PASSWORD_ENV}\"\nca_file = {:?}\nretry_for_secs = 2\n",
        &t[..at],
        server.port,
        certs.ca.display().to_string()
    );
    std::fs::write(&cfg, t).unwrap();
    cfg
}

fn weekly(cfg: &Path, as_of: &str, extra: &[&str]) -> Output {
    bin()
        .args(["run", "--config", cfg.to_str().unwrap(), "--as-of", as_of])
        .args(extra)
        .env(PASSWORD_ENV, "s3cret-pw")
        .env("SAFEGUARD_AUDIT_LOCK_WAIT_SECS", "0")
        .output()
        .expect("run binary")
}

/// Recipients per message received, in order.
fn recipients(server: &SmtpServer) -> Vec<Vec<String>> {
    server
        .messages()
        .into_iter()
        .map(|(env, _)| {
            env.iter()
                .filter_map(|l| l.strip_prefix("to "))
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn the_weekly_run_sends_each_report_to_its_own_recipients_once_a_week() {
    let Some(python) = support::python_with_aiosmtpd() else {
        support::skip(
            "partnership weekly run",
            "python3 with aiosmtpd is not installed",
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let certs = Certs::generate(&tmp.path().join("certs"));
    let server = SmtpServer::start(&python, &certs, &tmp.path().join("spool"), "starttls");
    let cfg = live_config(tmp.path(), &server, &certs);
    let owners = owners();

    // One run: five messages, each to its own recipients.
    let o = weekly(&cfg, AS_OF, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let got = server.wait_for(5, std::time::Duration::from_secs(10));
    assert_eq!(got.len(), 5, "{}", text(&o.stdout));
    let mut want: BTreeMap<Vec<String>, Option<&str>> = BTreeMap::new();
    want.insert(
        vec![
            "business.unit@tees.example.gov.uk".to_string(),
            "manager@tees.example.gov.uk".to_string(),
        ],
        None,
    );
    for (slug, address) in [
        ("hartlepool", "dcs@hartlepool.example.gov.uk"),
        ("middlesbrough", "dcs@middlesbrough.example.gov.uk"),
        (
            "redcar-and-cleveland",
            "dcs@redcar-cleveland.example.gov.uk",
        ),
        ("stockton-on-tees", "dcs@stockton.example.gov.uk"),
    ] {
        want.insert(vec![address.to_string()], Some(slug));
    }
    let mut seen = BTreeSet::new();
    for (i, (env, eml)) in got.iter().enumerate() {
        let mut to: Vec<String> = env
            .iter()
            .filter_map(|l| l.strip_prefix("to "))
            .map(str::to_string)
            .collect();
        to.sort();
        let Some(owner) = want.get(&to) else {
            panic!("unexpected recipients {to:?}");
        };
        assert!(seen.insert(to.clone()), "sent twice to {to:?}");
        let p = Parsed::read(&python, eml, &tmp.path().join(format!("parsed-{i}")));
        let subject = p
            .headers
            .iter()
            .find(|(k, _)| k == "Subject")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let book = p.dir.join(format!("compliance-{AS_OF}.xlsx"));
        let cases: BTreeSet<String> = sheet_column(&book, "Cases", "Case reference")
            .into_iter()
            .collect();
        match owner {
            None => {
                assert!(subject.starts_with("Safeguarding compliance"), "{subject}");
                assert_eq!(cases, owners.keys().cloned().collect::<BTreeSet<_>>());
            }
            Some(slug) => {
                let name = &AUTHORITIES.iter().find(|(s, _)| s == slug).unwrap().1[0];
                assert!(subject.starts_with(&format!("{name}: ")), "{subject}");
                for (case, o) in &owners {
                    let ours = o == owner;
                    assert_eq!(cases.contains(case), ours, "{slug} attachment and {case}");
                    if !ours {
                        assert!(!p.text.contains(case.as_str()), "{slug} text has {case}");
                        assert!(!p.html.contains(case.as_str()), "{slug} html has {case}");
                    }
                }
            }
        }
    }

    // A second run in the same week sends none.
    let o = weekly(&cfg, "2026-11-25", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(server.messages().len(), 5, "{}", text(&o.stdout));
    assert_eq!(text(&o.stdout).matches("already emailed").count(), 5);

    // --force NAME sends that one report again.
    let o = weekly(&cfg, "2026-11-25", &["--force", "Redcar & Cleveland"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let got = recipients(&server);
    assert_eq!(got.len(), 6);
    assert_eq!(
        got[5],
        vec!["dcs@redcar-cleveland.example.gov.uk".to_string()]
    );
    let o = weekly(&cfg, "2026-11-25", &["--force", "Darlington"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("Hartlepool, Middlesbrough"),
        "{}",
        text(&o.stderr)
    );

    // Next week Middlesbrough's director's mailbox refuses: the others go, it fails (exit 4)...
    std::fs::write(
        server.spool.join("reject-rcpt"),
        "dcs@middlesbrough.example.gov.uk\n",
    )
    .unwrap();
    let o = weekly(&cfg, "2026-11-30", &[]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).contains("Middlesbrough's report: email not sent"),
        "{}",
        text(&o.stderr)
    );
    let got = recipients(&server);
    assert_eq!(got.len(), 10, "{got:?}");
    assert!(got[6..]
        .iter()
        .all(|r| r != &vec!["dcs@middlesbrough.example.gov.uk".to_string()]));
    // ... and the next run resends Middlesbrough's only.
    std::fs::remove_file(server.spool.join("reject-rcpt")).unwrap();
    let o = weekly(&cfg, "2026-12-01", &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let got = recipients(&server);
    assert_eq!(got.len(), 11, "{got:?}");
    assert_eq!(
        got[10],
        vec!["dcs@middlesbrough.example.gov.uk".to_string()]
    );
    assert_eq!(text(&o.stdout).matches("already emailed").count(), 4);
}

/// Every part of an xlsx package whose name starts with `prefix`, as text.
fn parts(book: &Path, prefix: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        if part.name().is_ok_and(|n| n.starts_with(prefix)) {
            part.read_to_string(&mut all).unwrap();
        }
    }
    all
}

#[test]
fn the_partnership_summary_compares_the_authorities_side_by_side() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), None);
    audit(&cfg, &[]);
    let out = tmp.path().join("out");
    let book = workbook(&out);
    let mut wb = open_workbook_auto(&book).unwrap();
    let range = wb.worksheet_range("Summary").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let title = rows
        .iter()
        .position(|r| {
            r.first()
                .is_some_and(|c| c.to_string().contains("side by side"))
        })
        .expect("the side-by-side section");
    let header: Vec<String> = rows[title + 1].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        &header[..5],
        &[
            "Duty",
            "Hartlepool",
            "Middlesbrough",
            "Redcar and Cleveland",
            "Stockton-on-Tees"
        ]
    );
    let all = rows[title + 2..]
        .iter()
        .find(|r| {
            r.first()
                .is_some_and(|c| matches!(c, Data::String(s) if s == "All duties"))
        })
        .expect("All duties row");
    // Each authority's All duties figure, from its own findings file: met on time out of
    // met, late, overdue and ended early, the Panel's own duty left out.
    for (k, (slug, _)) in AUTHORITIES.iter().enumerate() {
        let lines = findings(&out.join(slug));
        let mut met = 0.0;
        let mut due = 0.0;
        for l in &lines {
            let f: Vec<&str> = l.split(',').collect();
            if f[1] == "panel-response" {
                continue;
            }
            match f[2] {
                "met" => {
                    met += 1.0;
                    due += 1.0
                }
                "late" | "overdue" | "early" => due += 1.0,
                _ => {}
            }
        }
        let cell = match &all[1 + k] {
            Data::Float(x) => *x,
            other => panic!("{slug}: {other:?}"),
        };
        assert!(
            (cell - met / due).abs() < 1e-9,
            "{slug}: {cell} vs {met}/{due}"
        );
    }
    assert!(parts(&book, "xl/charts/").contains("Compliance per duty per local authority"));
    // Not in an authority's own report.
    let theirs = sheet_text(&workbook(&out.join("hartlepool")), "Summary");
    assert!(!theirs.contains("side by side"));
}
