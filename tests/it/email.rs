//! `safeguard-audit run` against a real SMTP server (aiosmtpd) over a real socket: STARTTLS
//! with a certificate from a test CA, AUTH, and the failures cron must see (exit 4): a wrong
//! password, nobody listening, an untrusted certificate. Plus `--dry-run` and the [email]
//! configuration errors (exit 2).
//!
//! Needs python3-aiosmtpd and openssl (Debian); the server tests skip with a note when Python
//! cannot import aiosmtpd.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{bin, text};
use crate::support::{self, Certs, Parsed, SmtpServer};

const AS_OF: &str = "2026-11-23";
const PASSWORD: &str = "s3cret-pw";
const PASSWORD_ENV: &str = "SG_TEST_SMTP_PASSWORD";
const SUBJECT: &str = "Safeguarding compliance, week to 23/11/2026: 3 overdue now, 2 due soon, 3 breaches this financial year 2026-27";

/// A small log in the canonical layout, as of Monday 23/11/2026: three duties overdue
/// (T-2026-001 Panel and partners, 10 working days; T-2026-003 Ofsted, 4), two due on
/// 26/11/2026 (T-2026-002), and a case with no outcome (data gaps). The name and NHS number
/// columns must never reach the email.
const LOG: &str = "\
Case reference,Local authority,Child ID,Child name,NHS number,Date of incident,Date LA became aware,Outcome,Abuse or neglect,Child status,Incident location,Panel notified,Partners notified,Ofsted notified,Secretary of State notified,Rapid review sent to Panel,Panel response received,Review decision,Decision date,\"Decision notified (Panel, Ofsted, DfE)\",Reviewer,Final report sent to Panel and SoS,Report published,Report removed from website
T-2026-001,Testshire,C-100,Zebedee Privatename,999 000 0018,01/11/2026,02/11/2026,died,known,child in need,in area,,,,,,,,,,,,,
T-2026-002,Testshire,C-200,Yolanda Privatename,999 007 9196,18/11/2026,19/11/2026,seriously harmed,suspected,early help,in area,,,,,,,,,,,,,
T-2026-003,Testshire,C-300<&>,Xavier Privatename,999 015 8398,09/11/2026,10/11/2026,died,not suspected,looked after,in area,,,,12/11/2026,,,,,,,,,
T-2026-004,Testshire,C-400,Walter Privatename,999 023 7573,01/06/2026,02/06/2026,,known,child in need,in area,,,,,,,,,,,,,
";

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    config: PathBuf,
    out: PathBuf,
}

impl Fixture {
    /// A folder with the log and a config whose [email] section is `email` (TOML lines).
    fn new(email: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::write(root.join("log.csv"), LOG).unwrap();
        let config = root.join("audit.toml");
        std::fs::write(
            &config,
            format!(
                "[[sources]]\npath = \"log.csv\"\n\n[report]\nout_dir = \"reports\"\n\n[email]\n{email}\n"
            ),
        )
        .unwrap();
        Fixture {
            out: root.join("reports"),
            root,
            config,
            _dir: dir,
        }
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = bin();
        c.arg("run")
            .arg("--config")
            .arg(&self.config)
            .args(["--as-of", AS_OF])
            .args(args)
            .env_remove(PASSWORD_ENV)
            .env_remove("SAFEGUARD_AUDIT_LOG");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run the binary")
    }

    fn findings(&self) -> PathBuf {
        self.out.join(format!("findings-{AS_OF}.csv"))
    }

    fn workbook(&self) -> PathBuf {
        self.out.join(format!("compliance-{AS_OF}.xlsx"))
    }
}

/// The [email] lines for a server on 127.0.0.1:`port`.
fn email_toml(port: u16, extra: &str) -> String {
    format!(
        "from = \"Safeguarding audit <audit@testshire.gov.uk>\"\n\
         to = [\"director@testshire.gov.uk\", \"Head of Service <hos@testshire.gov.uk>\"]\n\
         cc = [\"partnership@testshire.gov.uk\"]\n\
         smtp_host = \"127.0.0.1\"\n\
         smtp_port = {port}\n\
         username = \"audit\"\n\
         password_env = \"{PASSWORD_ENV}\"\n\
         {extra}"
    )
}

/// Standard base64 (RFC 4648, padded): how SMTP AUTH carries the password.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn report(o: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        code(o),
        text(&o.stdout),
        text(&o.stderr)
    )
}

/// Server fixture: certificates, a running server, and the config pointing at it.
struct Live {
    python: PathBuf,
    fixture: Fixture,
    server: SmtpServer,
}

fn live(test: &str, mode: &str, trust_ca: bool, extra: &str) -> Option<Live> {
    let Some(python) = support::python_with_aiosmtpd() else {
        support::skip(
            test,
            "python3 with aiosmtpd is not installed (apt-get install python3-aiosmtpd)",
        );
        return None;
    };
    // The config is written once the port is known.
    let fixture = Fixture::new("");
    let certs = Certs::generate(&fixture.root.join("certs"));
    let server = SmtpServer::start(&python, &certs, &fixture.root.join("spool"), mode);
    let mut extra = extra.to_string();
    if trust_ca {
        extra.push_str(&format!("ca_file = \"{}\"\n", certs.ca.display()));
    }
    if mode == "tls" {
        extra.push_str("tls = \"tls\"\n");
    }
    std::fs::write(
        &fixture.config,
        format!(
            "[[sources]]\npath = \"log.csv\"\n\n[report]\nout_dir = \"reports\"\n\n[email]\n{}",
            email_toml(server.port, &extra)
        ),
    )
    .unwrap();
    Some(Live {
        python,
        fixture,
        server,
    })
}

/// Checks a delivered (or dry-run) message: headers, both parts, figures, escaping, privacy,
/// and the workbook attachment when the run wrote one.
fn check_message(python: &Path, eml: &Path, f: &Fixture) {
    let raw = std::fs::read(eml).unwrap();
    let raw_text = text(&raw);
    let p = Parsed::read(python, eml, &f.root.join("parsed"));
    assert_eq!(p.header("Subject"), SUBJECT);
    assert!(
        p.header("From").contains("audit@testshire.gov.uk"),
        "{}",
        p.header("From")
    );
    let to = p.header("To");
    assert!(
        to.contains("director@testshire.gov.uk") && to.contains("hos@testshire.gov.uk"),
        "To: {to}"
    );
    assert!(!to.contains("partnership"), "To: {to}");
    assert_eq!(p.header("Cc"), "partnership@testshire.gov.uk");
    assert!(
        p.structure
            .starts_with("multipart/mixed(multipart/alternative(text/plain,text/html)"),
        "{}",
        p.structure
    );
    // Headline figures and the lists, in both parts.
    for part in [&p.text, &p.html] {
        for s in [
            "Cases: 4",
            "Overdue now",
            "as of 23/11/2026",
            "Due soon",
            "due by 07/12/2026, the next 10 working days",
            "Breaches this financial year",
            "1 April 2026 to 31 March 2027",
            "Data gaps",
            "T-2026-001",
            "T-2026-002",
            "T-2026-003",
            "C-100",
            "C-200",
            "09/11/2026",
            "26/11/2026",
            "LA notifies the Child Safeguarding Practice Review Panel",
            "LA notifies Ofsted of the death of a looked-after child",
        ] {
            assert!(part.contains(s), "{s} missing from\n{part}");
        }
    }
    assert!(p.text.contains("10 working days overdue"), "{}", p.text);
    assert!(p.text.contains("3 working days left"), "{}", p.text);
    assert!(p.text.contains("child C-300<&>"), "{}", p.text);
    // Log text is escaped in the HTML; nothing active or remote.
    assert!(p.html.contains("C-300&lt;&amp;&gt;"), "{}", p.html);
    assert!(!p.html.contains("C-300<&>"));
    for bad in ["<script", "<style", "<img", "src=", "url(", "javascript:"] {
        assert!(!p.html.to_ascii_lowercase().contains(bad), "{bad} in HTML");
    }
    // Never a name or an NHS number.
    for private in ["Privatename", "Zebedee", "999 000 0018", "999 015 8398"] {
        assert!(
            !raw_text.contains(private),
            "{private} leaked into the email"
        );
        assert!(!p.text.contains(private) && !p.html.contains(private));
    }
    // The workbook, if this build writes one.
    let name = format!("compliance-{AS_OF}.xlsx");
    if f.workbook().exists() {
        assert!(
            p.structure.contains(&format!(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;name={name}"
            )),
            "{}",
            p.structure
        );
        assert!(p.text.contains(&format!("The workbook {name} is attached")));
        let attached = p.dir.join(&name);
        assert_eq!(
            std::fs::read(&attached).unwrap(),
            std::fs::read(f.workbook()).unwrap(),
            "attachment differs from the workbook on disk"
        );
        let wb = calamine::open_workbook_auto(&attached).expect("calamine reads the attachment");
        use calamine::Reader;
        assert!(!wb.sheet_names().is_empty());
    } else {
        eprintln!("note: no workbook written yet; checking that the email says so");
        assert!(!p.structure.contains("spreadsheetml"), "{}", p.structure);
        assert!(p.text.contains("No workbook is attached"), "{}", p.text);
    }
}

#[test]
fn base64_matches_rfc_4648() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(
        base64(b"\0audit\0wrong-pw-Zq81x"),
        "AGF1ZGl0AHdyb25nLXB3LVpxODF4"
    );
}

#[test]
fn sends_the_report_over_starttls_with_login() {
    let Some(l) = live(
        "sends_the_report_over_starttls_with_login",
        "starttls",
        true,
        "",
    ) else {
        return;
    };
    let o = l.fixture.run(&[], &[(PASSWORD_ENV, PASSWORD)]);
    assert_eq!(code(&o), 1, "breaches found: exit 1\n{}", report(&o));
    let out = text(&o.stdout);
    assert!(out.contains("Audit as of 23/11/2026"), "{out}");
    assert!(out.contains("emailed to 3 recipients"), "{out}");
    assert!(!report(&o).contains(PASSWORD));
    let msgs = l.server.wait_for(1, Duration::from_secs(5));
    assert_eq!(msgs.len(), 1, "exactly one message");
    let (envelope, eml) = &msgs[0];
    assert_eq!(envelope[0], "from audit@testshire.gov.uk");
    let mut rcpt: Vec<&str> = envelope[1..].iter().map(String::as_str).collect();
    rcpt.sort();
    assert_eq!(
        rcpt,
        [
            "to director@testshire.gov.uk",
            "to hos@testshire.gov.uk",
            "to partnership@testshire.gov.uk"
        ]
    );
    assert_eq!(l.server.auth_log(), ["audit ok"]);
    assert!(l.fixture.findings().exists());
    check_message(&l.python, eml, &l.fixture);
}

#[test]
fn sends_over_implicit_tls() {
    let Some(l) = live("sends_over_implicit_tls", "tls", true, "") else {
        return;
    };
    let o = l.fixture.run(&[], &[(PASSWORD_ENV, PASSWORD)]);
    assert_eq!(code(&o), 1, "{}", report(&o));
    assert!(text(&o.stdout).contains("emailed to 3 recipients"));
    assert_eq!(l.server.wait_for(1, Duration::from_secs(5)).len(), 1);
    assert_eq!(l.server.auth_log(), ["audit ok"]);
}

#[test]
fn wrong_password_fails_at_once_and_never_shows_it() {
    let Some(l) = live(
        "wrong_password_fails_at_once_and_never_shows_it",
        "starttls",
        true,
        "retry_for_secs = 30\n",
    ) else {
        return;
    };
    let wrong = "wrong-pw-Zq81x";
    let start = Instant::now();
    // Full tracing too: the password must not appear at any log level.
    let o = l.fixture.run(
        &[],
        &[(PASSWORD_ENV, wrong), ("SAFEGUARD_AUDIT_LOG", "trace")],
    );
    let took = start.elapsed();
    assert_eq!(code(&o), 4, "{}", report(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("email not sent: the SMTP server refused the username or password"),
        "{err}"
    );
    assert!(err.contains("not retried"), "{err}");
    assert!(
        !report(&o).contains(wrong),
        "password leaked:\n{}",
        report(&o)
    );
    // Nor as the AUTH PLAIN or AUTH LOGIN tokens that carry it.
    for token in [
        base64(format!("\0audit\0{wrong}").as_bytes()),
        base64(wrong.as_bytes()),
    ] {
        assert!(
            !report(&o).contains(&token),
            "AUTH token leaked:\n{}",
            report(&o)
        );
    }
    // One login attempt, no retry storm (that could lock the account).
    assert_eq!(l.server.auth_log(), ["audit refused"]);
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(l.server.messages().is_empty());
    // The report is kept.
    assert!(l.fixture.findings().exists());
    assert!(text(&o.stdout).contains("wrote "), "{}", report(&o));
}

#[test]
fn untrusted_certificate_is_reported_and_not_retried() {
    let Some(l) = live(
        "untrusted_certificate_is_reported_and_not_retried",
        "starttls",
        false,
        "retry_for_secs = 30\n",
    ) else {
        return;
    };
    let start = Instant::now();
    let o = l.fixture.run(&[], &[(PASSWORD_ENV, PASSWORD)]);
    assert_eq!(code(&o), 4, "{}", report(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("the server's certificate is not trusted: set ca_file"),
        "{err}"
    );
    assert!(err.contains("not retried"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(15));
    assert!(
        l.server.auth_log().is_empty(),
        "no login over an untrusted connection"
    );
    assert!(l.server.messages().is_empty());
    assert!(l.fixture.findings().exists());
    assert!(!report(&o).contains(PASSWORD));
}

#[test]
fn refused_connection_retries_then_gives_up() {
    // A port nobody listens on: bind, note it, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = Fixture::new(&email_toml(port, "retry_for_secs = 4\n"));
    let start = Instant::now();
    let o = f.run(&[], &[(PASSWORD_ENV, PASSWORD)]);
    let took = start.elapsed();
    assert_eq!(code(&o), 4, "{}", report(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("email not sent: cannot deliver through 127.0.0.1"),
        "{err}"
    );
    // Attempts at 0 s, 1 s and 3 s; the next would start at 7 s, past the 4 s budget.
    assert!(err.contains("gave up after 3 attempts"), "{err}");
    assert!(
        took >= Duration::from_secs(3),
        "retried with backoff: {took:?}"
    );
    assert!(took < Duration::from_secs(20), "bounded: {took:?}");
    assert!(f.findings().exists(), "the report is kept");
    assert!(!report(&o).contains(PASSWORD));
}

#[test]
fn dry_run_writes_the_message_and_sends_nothing() {
    let Some(l) = live(
        "dry_run_writes_the_message_and_sends_nothing",
        "starttls",
        true,
        "",
    ) else {
        return;
    };
    // No password in the environment: a dry run does not need it.
    let o = l.fixture.run(&["--dry-run"], &[]);
    assert_eq!(code(&o), 1, "{}", report(&o));
    let out = text(&o.stdout);
    let eml = l.fixture.out.join(format!("email-{AS_OF}.eml"));
    assert!(out.contains(&format!("wrote {}", eml.display())), "{out}");
    assert!(out.contains("email not sent (--dry-run)"), "{out}");
    // It says who the message would go to: To, then Cc.
    assert!(
        out.contains(
            "it would go to 3 recipients: director@testshire.gov.uk, hos@testshire.gov.uk, partnership@testshire.gov.uk"
        ),
        "{out}"
    );
    assert!(eml.exists());
    std::thread::sleep(Duration::from_millis(300));
    assert!(l.server.messages().is_empty(), "a dry run sends nothing");
    assert!(l.server.auth_log().is_empty(), "a dry run does not log in");
    check_message(&l.python, &eml, &l.fixture);
}

#[test]
fn dry_run_without_a_server_or_aiosmtpd() {
    // Only Python's standard library is needed to read the message back.
    let Some(python) = support::any_python() else {
        support::skip("dry_run_without_a_server_or_aiosmtpd", "no python3");
        return;
    };
    let f = Fixture::new(&email_toml(1, ""));
    let o = f.run(&["--dry-run"], &[]);
    assert_eq!(code(&o), 1, "{}", report(&o));
    let eml = f.out.join(format!("email-{AS_OF}.eml"));
    check_message(&python, &eml, &f);
}

#[test]
fn email_configuration_errors_exit_2_in_run_and_check_config() {
    let good_from = "from = \"audit@testshire.gov.uk\"\n";
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{good_from}to = [\"d@testshire.gov.uk\"]\nsmtp_host = \"smtp.testshire.gov.uk\"\ntls = \"none\""),
            "email.tls",
        ),
        (
            format!("{good_from}to = []\nsmtp_host = \"127.0.0.1\""),
            "email.to",
        ),
        (
            format!("{good_from}to = [\"d@testshire.gov.uk\", \"not an address\"]\nsmtp_host = \"127.0.0.1\""),
            "email.to[1]",
        ),
        (
            "from = \"audit at testshire\"\nto = [\"d@testshire.gov.uk\"]\nsmtp_host = \"127.0.0.1\"".to_string(),
            "email.from",
        ),
        (
            format!("{good_from}to = [\"d@testshire.gov.uk\"]\nsmtp_host = \"127.0.0.1\"\nusername = \"audit\""),
            "email.password_env",
        ),
        (
            format!("{good_from}to = [\"d@testshire.gov.uk\"]\nsmtp_host = \"127.0.0.1\"\nusername = \"audit\"\npassword_env = \"{PASSWORD_ENV}\""),
            PASSWORD_ENV,
        ),
        (
            format!("{good_from}to = [\"d@testshire.gov.uk\"]\nsmtp_host = \"127.0.0.1\"\nca_file = \"missing-ca.pem\""),
            "email.ca_file",
        ),
    ];
    for (email, key) in cases {
        let f = Fixture::new(&email);
        let file = f.config.display().to_string();
        let o = f.run(&[], &[]);
        assert_eq!(code(&o), 2, "{key}: {}", report(&o));
        let err = text(&o.stderr);
        assert!(err.contains(key) && err.contains(&file), "{key}: {err}");
        assert!(
            !f.out.exists(),
            "{key}: nothing is written for a bad configuration"
        );
        let o = bin()
            .arg("check-config")
            .arg("--config")
            .arg(&f.config)
            .env_remove(PASSWORD_ENV)
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "check-config {key}: {}", report(&o));
        let err = text(&o.stderr);
        assert!(
            err.contains(key) && err.contains(&file),
            "check-config {key}: {err}"
        );
    }
    // A relay on this machine may be plain.
    let f = Fixture::new(&format!(
        "{good_from}to = [\"d@testshire.gov.uk\"]\nsmtp_host = \"localhost\"\ntls = \"none\""
    ));
    let o = bin()
        .arg("check-config")
        .arg("--config")
        .arg(&f.config)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", report(&o));
    assert!(
        text(&o.stdout).contains("email: 1 recipient"),
        "{}",
        report(&o)
    );
}

#[test]
fn silent_server_times_out_within_the_bound() {
    // Accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let f = Fixture::new(&email_toml(port, "retry_for_secs = 1\n"));
    let start = Instant::now();
    let o = f.run(&[], &[(PASSWORD_ENV, PASSWORD)]);
    let took = start.elapsed();
    assert_eq!(code(&o), 4, "{}", report(&o));
    let err = text(&o.stderr);
    // One attempt of at most 10 s (the shortest per-attempt timeout), then the 1 s budget is spent.
    assert!(err.contains("did not answer within 10s"), "{err}");
    assert!(err.contains("gave up after 1 attempt"), "{err}");
    assert!(took < Duration::from_secs(25), "bounded: {took:?}");
    assert!(f.findings().exists());
}
