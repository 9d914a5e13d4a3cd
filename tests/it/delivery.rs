//! Delivery a council can rely on, against real servers on loopback started by each test:
//! a tarpit greeting and a byte-a-second server (the run ends within its deadline and the next
//! run takes the lock), the scheduler stopping on SIGTERM during such a delivery, a server
//! that stores the message then drops the connection (one message, not re-sent without
//! `--force`), a relay's self-signed certificate pinned in `ca_file`, a test CA trusted only
//! through `SSL_CERT_FILE`, a certificate that is neither refused without retry, a state
//! folder and a report folder on a full filesystem (a small tmpfs, when the test can mount
//! one), `kill -9` at random moments (no temp file left, never two messages in a week),
//! back-dated runs, and the report files' mode.
//!
//! The faulty servers are small Rust-std SMTP servers here; the TLS ones are aiosmtpd
//! (tests/support; skipped with a note without python3-aiosmtpd). Timeouts are set short in
//! the configuration (`timeout_secs`, `retry_for_secs`) so the suite stays fast.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{bin, stderr, BIN};
use crate::support::{self, Certs, SmtpServer};

const PASSWORD: &str = "s3cret-pw";
const PASSWORD_ENV: &str = "SG_DELIVERY_TEST_PASSWORD";
/// The columns this short log does not keep, declared (a configured log must say so).
const ABSENT: &str = "absent = [\"ofsted_notified\", \"sos_notified\", \"rapid_review_sent\", \"panel_response\", \"decision\", \"decision_date\", \"decision_notified\", \"report_sent\", \"published\", \"unpublished\"]";
const LOG: &str = "Case reference,Local authority,Child ID,Date of incident,Date LA became aware,Outcome,Abuse or neglect,Child status,Incident location,Panel notified,Partners notified
T-1,Testshire,C-1,01/11/2026,02/11/2026,died,known,child in need,in area,,
";

/// How a [`Faulty`] server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    /// A plain SMTP server that accepts every message.
    Good,
    /// A multi-line greeting that never ends ("220-" lines, a few a second).
    Tarpit,
    /// Every reply one byte a second.
    ByteASecond,
    /// Reads the whole message, stores it, then closes without the final reply.
    StoreThenDrop,
    /// As `Good`, each reply 40 ms late (a kill then often lands mid-delivery).
    Slow,
}

/// A Rust-std SMTP server on 127.0.0.1 (no TLS, no AUTH: `tls = "none"` is allowed for a
/// loopback relay). Counts the messages it stored. Stops accepting when dropped.
struct Faulty {
    port: u16,
    stored: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Faulty {
    fn start(behaviour: Behaviour) -> Faulty {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stored = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, c, st) = (stored.clone(), connections.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                c.fetch_add(1, Ordering::Relaxed);
                let (s, st) = (s.clone(), st.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, behaviour, &s, &st);
                });
            }
        });
        Faulty {
            port,
            stored,
            connections,
            stop,
        }
    }

    fn stored(&self) -> usize {
        self.stored.load(Ordering::Relaxed)
    }
}

impl Drop for Faulty {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn reply(conn: &mut TcpStream, behaviour: Behaviour, text: &str) -> std::io::Result<()> {
    if behaviour == Behaviour::ByteASecond {
        for b in text.bytes() {
            conn.write_all(&[b])?;
            std::thread::sleep(Duration::from_secs(1));
        }
        Ok(())
    } else {
        if behaviour == Behaviour::Slow {
            std::thread::sleep(Duration::from_millis(40));
        }
        conn.write_all(text.as_bytes())
    }
}

fn serve(
    mut conn: TcpStream,
    behaviour: Behaviour,
    stored: &AtomicUsize,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    if behaviour == Behaviour::Tarpit {
        for i in 0.. {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            conn.write_all(format!("220-tarpit line {i}\r\n").as_bytes())?;
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    reply(&mut conn, behaviour, "220 test ESMTP\r\n")?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            reply(&mut conn, behaviour, "250-test\r\n250 8BITMIME\r\n")?;
        } else if cmd.starts_with("MAIL") || cmd.starts_with("RCPT") || cmd.starts_with("RSET") {
            reply(&mut conn, behaviour, "250 ok\r\n")?;
        } else if cmd == "DATA" {
            reply(&mut conn, behaviour, "354 go ahead\r\n")?;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if reader.read_until(b'\n', &mut l)? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" {
                    break;
                }
                data.extend_from_slice(&l);
            }
            stored.fetch_add(1, Ordering::Relaxed);
            if behaviour == Behaviour::StoreThenDrop {
                let _ = conn.shutdown(std::net::Shutdown::Both);
                return Ok(());
            }
            reply(&mut conn, behaviour, "250 stored\r\n")?;
        } else if cmd == "QUIT" {
            reply(&mut conn, behaviour, "221 bye\r\n")?;
            return Ok(());
        } else {
            reply(&mut conn, behaviour, "502 not implemented\r\n")?;
        }
    }
}

/// A folder with the log and a configuration.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    config: PathBuf,
}

impl Site {
    /// `email` is the [email] section's lines; `extra` more sections.
    fn new(email: &str, extra: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::write(root.join("log.csv"), LOG).unwrap();
        let config = root.join("audit.toml");
        let site = Site {
            _dir: dir,
            root,
            config,
        };
        site.configure(email, extra);
        site
    }

    fn configure(&self, email: &str, extra: &str) {
        std::fs::write(
            &self.config,
            format!(
                "[[sources]]\npath = \"log.csv\"\n{ABSENT}\n{extra}\n[email]\nfrom = \"Audit <audit@testshire.gov.uk>\"\nto = [\"director@testshire.gov.uk\"]\n{email}\n"
            ),
        )
        .unwrap();
    }

    fn reports(&self) -> PathBuf {
        self.root.join("reports")
    }

    fn command(&self, as_of: &str, args: &[&str]) -> Command {
        let mut c = bin();
        c.args(["run", "--config"])
            .arg(&self.config)
            .args(["--as-of", as_of])
            .args(args)
            .env(PASSWORD_ENV, PASSWORD)
            .env("SAFEGUARD_AUDIT_LOCK_WAIT_SECS", "0")
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .env_remove("SAFEGUARD_AUDIT_LOG");
        c
    }

    fn run(&self, as_of: &str, args: &[&str]) -> Output {
        self.command(as_of, args).output().unwrap()
    }
}

/// [email] lines for a plain loopback relay (a [`Faulty`] server).
fn plain(port: u16, extra: &str) -> String {
    format!("smtp_host = \"127.0.0.1\"\nsmtp_port = {port}\ntls = \"none\"\n{extra}")
}

/// [email] lines for the aiosmtpd server over STARTTLS with login.
fn tls(port: u16, extra: &str) -> String {
    format!(
        "smtp_host = \"127.0.0.1\"\nsmtp_port = {port}\nusername = \"audit\"\npassword_env = \"{PASSWORD_ENV}\"\n{extra}"
    )
}

fn all(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_no_panic(o: &Output) {
    assert_ne!(o.status.code(), Some(101), "{}", all(o));
    assert!(!all(o).contains("panicked"), "{}", all(o));
}

/// Our temporary files (and any other hidden file) anywhere under `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(temp_files(&p));
        } else {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".safeguard-audit-") || name.starts_with(".tmp") {
                out.push(p);
            }
        }
    }
    out
}

fn aiosmtpd(test: &str) -> Option<PathBuf> {
    let p = support::python_with_aiosmtpd();
    if p.is_none() {
        support::skip(test, "python3 with aiosmtpd is not installed");
    }
    p
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed certificate (as a relay ships with) for 127.0.0.1, named `name`.
fn self_signed(dir: &Path, name: &str) -> Certs {
    std::fs::create_dir_all(dir).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "3650",
            "-subj",
            "/CN=relay.testshire.local",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
    );
    Certs {
        ca: dir.join(format!("{name}.pem")),
        cert: dir.join(format!("{name}.pem")),
        key: dir.join(format!("{name}.key")),
    }
}

/// A run against a tarpit or a byte-a-second server ends within its deadline
/// (retry_for_secs + one timeout_secs), records the failure, and the next run takes the lock.
fn ends_within_the_deadline(behaviour: Behaviour) {
    let server = Faulty::start(behaviour);
    let site = Site::new(
        &plain(server.port, "retry_for_secs = 2\ntimeout_secs = 2\n"),
        "",
    );
    let start = Instant::now();
    let o = site.run("2026-11-23", &[]);
    let took = start.elapsed();
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    assert!(stderr(&o).contains("email not sent"), "{}", all(&o));
    assert!(
        stderr(&o).contains("did not answer within 2s"),
        "{}",
        all(&o)
    );
    // The deadline is 4 s; the audit itself takes well under a second.
    eprintln!("note: {behaviour:?}: the run ended after {took:?} (deadline 4 s)");
    assert!(took < Duration::from_secs(7), "{behaviour:?} took {took:?}");
    assert_eq!(server.stored(), 0);
    // The lock was released: the next run gets as far as the server again (exit 4, not 5).
    let o = site.run("2026-11-24", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    assert!(!stderr(&o).contains("another safeguard-audit run"));
    assert!(server.connections.load(Ordering::Relaxed) >= 2);
}

#[test]
fn a_tarpit_greeting_ends_within_the_deadline() {
    ends_within_the_deadline(Behaviour::Tarpit);
}

#[test]
fn a_byte_a_second_server_ends_within_the_deadline() {
    ends_within_the_deadline(Behaviour::ByteASecond);
}

#[test]
fn the_scheduler_stops_on_sigterm_during_a_tarpit_delivery() {
    let server = Faulty::start(Behaviour::Tarpit);
    // Long timeouts: only the stop request can end this delivery quickly.
    let site = Site::new(
        &plain(server.port, "retry_for_secs = 300\ntimeout_secs = 120\n"),
        "[schedule]\ncron = \"0 7 * * *\"\n",
    );
    let mut child = bin()
        .args(["schedule", "--config"])
        .arg(&site.config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The missed run starts at once and connects to the tarpit.
    let start = Instant::now();
    while server.connections.load(Ordering::Relaxed) == 0 {
        assert!(start.elapsed() < Duration::from_secs(20), "never connected");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(3) {
            let _ = child.kill();
            panic!("schedule did not stop within 3 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let text = all(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("stopped on request"), "{text}");
    assert!(text.contains("stopped"), "{text}");
    // The lock is free and the failed attempt is not held as "maybe delivered".
    drop(server);
    let good = Faulty::start(Behaviour::Good);
    site.configure(&plain(good.port, "retry_for_secs = 1\n"), "");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
        .to_string();
    let o = site.run(&today, &[]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("emailed to 1 recipient"),
        "{}",
        all(&o)
    );
    assert_eq!(good.stored(), 1);
}

#[test]
fn a_server_that_stores_then_drops_gets_one_message() {
    let server = Faulty::start(Behaviour::StoreThenDrop);
    let site = Site::new(
        &plain(server.port, "retry_for_secs = 5\ntimeout_secs = 2\n"),
        "",
    );
    let o = site.run("2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    let err = stderr(&o);
    assert!(err.contains("may have been delivered"), "{err}");
    assert!(err.contains("not retried"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(server.stored(), 1, "not retried within the run");
    // The next run, same week: not sent again, and says so on stderr.
    let o = site.run("2026-11-25", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    let err = stderr(&o);
    assert!(err.contains("may already have been delivered"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(site.reports().join("findings-2026-11-25.csv").exists());
    assert_eq!(server.stored(), 1);
    // --force sends.
    let o = site.run("2026-11-25", &["--force"]);
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    assert_eq!(server.stored(), 2);
}

#[test]
fn a_relay_certificate_pinned_in_ca_file_is_accepted() {
    let Some(python) = aiosmtpd("a_relay_certificate_pinned_in_ca_file_is_accepted") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let relay = self_signed(&dir.path().join("certs"), "relay");
    let server = SmtpServer::start(&python, &relay, &dir.path().join("spool"), "starttls");
    let site = Site::new(
        &tls(
            server.port,
            &format!(
                "ca_file = {:?}\nretry_for_secs = 5\n",
                relay.cert.display().to_string()
            ),
        ),
        "",
    );
    let o = site.run("2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("emailed to 1 recipient"),
        "{}",
        all(&o)
    );
    assert_eq!(server.wait_for(1, Duration::from_secs(5)).len(), 1);
    assert_eq!(server.auth_log(), ["audit ok"]);

    // Another self-signed certificate in ca_file is not a pin for this relay: refused at once,
    // without retrying and without logging in.
    let other = self_signed(&dir.path().join("other"), "other");
    site.configure(
        &tls(
            server.port,
            &format!(
                "ca_file = {:?}\nretry_for_secs = 30\n",
                other.cert.display().to_string()
            ),
        ),
        "",
    );
    let start = Instant::now();
    let o = site.run("2026-11-30", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    let err = stderr(&o);
    assert!(
        err.contains("the server's certificate is not trusted"),
        "{err}"
    );
    assert!(err.contains("not retried"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(
        server.auth_log(),
        ["audit ok"],
        "no login to an unpinned relay"
    );
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn a_ca_trusted_only_through_ssl_cert_file() {
    let Some(python) = aiosmtpd("a_ca_trusted_only_through_ssl_cert_file") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let certs = Certs::generate(&dir.path().join("certs"));
    let server = SmtpServer::start(&python, &certs, &dir.path().join("spool"), "starttls");
    // No ca_file: the CA is trusted only because SSL_CERT_FILE names it.
    let site = Site::new(&tls(server.port, "retry_for_secs = 5\n"), "");
    let o = site
        .command("2026-11-23", &[])
        .env("SSL_CERT_FILE", &certs.ca)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("emailed to 1 recipient"),
        "{}",
        all(&o)
    );
    assert_eq!(server.wait_for(1, Duration::from_secs(5)).len(), 1);
    // Without it, the same relay is refused, at once and without logging in.
    let start = Instant::now();
    let o = site.run("2026-11-30", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    assert!(stderr(&o).contains("not trusted"), "{}", all(&o));
    assert!(stderr(&o).contains("not retried"), "{}", all(&o));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(server.auth_log(), ["audit ok"]);
}

#[test]
fn a_certificate_from_another_ca_is_refused_without_retry() {
    let Some(python) = aiosmtpd("a_certificate_from_another_ca_is_refused_without_retry") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let certs = Certs::generate(&dir.path().join("certs"));
    let other = Certs::generate(&dir.path().join("other"));
    let server = SmtpServer::start(&python, &certs, &dir.path().join("spool"), "starttls");
    // ca_file names a different CA (the pinning fallback must not accept this either).
    let site = Site::new(
        &tls(
            server.port,
            &format!(
                "ca_file = {:?}\nretry_for_secs = 30\n",
                other.ca.display().to_string()
            ),
        ),
        "",
    );
    let start = Instant::now();
    let o = site.run("2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", all(&o));
    let err = stderr(&o);
    assert!(
        err.contains("the server's certificate is not trusted: set ca_file"),
        "{err}"
    );
    assert!(err.contains("not retried"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(server.auth_log().is_empty(), "no login");
    assert!(server.messages().is_empty());
}

/// A small tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(path).map_err(|e| e.to_string())?;
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !o.status.success() {
            return Err(format!(
                "mount -t tmpfs failed (not root, or no CAP_SYS_ADMIN): {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Ok(Tmpfs {
            path: path.to_path_buf(),
        })
    }

    /// Fills it, leaving about `leave` bytes free.
    fn fill(&self, leave: u64) {
        let total = {
            // statvfs without libc: `df` in 1K blocks.
            let o = Command::new("df")
                .args(["--output=avail", "-B1"])
                .arg(&self.path)
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1)
                .and_then(|l| l.trim().parse::<u64>().ok())
                .unwrap()
        };
        let mut f = std::fs::File::create(self.path.join("filler")).unwrap();
        let chunk = vec![0u8; 4096];
        let mut left = total.saturating_sub(leave);
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            if f.write_all(&chunk[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
        let _ = f.sync_all();
        if leave == 0 {
            // Whatever is left, down to the last byte.
            while f.write_all(&chunk[..1]).is_ok() {}
        }
    }

    fn free(&self) {
        std::fs::remove_file(self.path.join("filler")).unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

#[test]
fn a_full_disk_stops_the_run_before_it_sends() {
    let server = Faulty::start(Behaviour::Good);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state-disk");
    let disk = match Tmpfs::mount(&state, "4m") {
        Ok(d) => d,
        Err(why) => {
            support::skip("a_full_disk_stops_the_run_before_it_sends", &why);
            return;
        }
    };
    let site = Site::new(
        &plain(server.port, "retry_for_secs = 1\n"),
        &format!("[state]\ndir = {:?}\n", state.display().to_string()),
    );
    let o = site.run("2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert_eq!(server.stored(), 1);
    // The state folder's disk fills up; next week's run must not send.
    disk.fill(0);
    let o = site.run("2026-11-30", &[]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(5), "{}", all(&o));
    let err = stderr(&o);
    assert!(err.contains("the disk is full"), "{err}");
    assert!(err.contains("Free some space"), "{err}");
    assert!(err.contains("Nothing was emailed"), "{err}");
    assert!(err.contains("Keep the ledger"), "{err}");
    for bad in [
        "Move it aside",
        "move it aside",
        "delete",
        "remove the ledger",
    ] {
        assert!(!err.contains(bad), "advice that loses the history: {err}");
    }
    assert_eq!(
        server.stored(),
        1,
        "nothing sent while the ledger cannot record it"
    );
    assert!(site.reports().join("findings-2026-11-30.csv").exists());
    // Space again: the run sends once, and the week after is compared with it.
    disk.free();
    let o = site.run("2026-11-30", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert_eq!(server.stored(), 2);
    let o = site.run("2026-12-01", &[]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("already emailed"),
        "{}",
        all(&o)
    );
    assert_eq!(server.stored(), 2);
    assert!(temp_files(&state).is_empty(), "{:?}", temp_files(&state));
}

#[test]
fn a_full_report_folder_is_exit_5_naming_the_file() {
    let server = Faulty::start(Behaviour::Good);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report-disk");
    let disk = match Tmpfs::mount(&out, "2m") {
        Ok(d) => d,
        Err(why) => {
            support::skip("a_full_report_folder_is_exit_5_naming_the_file", &why);
            return;
        }
    };
    let site = Site::new(
        &plain(server.port, "retry_for_secs = 1\n"),
        &format!(
            "[report]\nout_dir = {:?}\n[state]\ndir = \"state\"\n",
            out.display().to_string()
        ),
    );
    // Room for the findings file but not the workbook, then none at all.
    for leave in [8 * 1024, 0] {
        disk.fill(leave);
        let o = site.run("2026-11-23", &[]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(5), "leave {leave}: {}", all(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("cannot write {}", out.display())),
            "leave {leave}: the file is named: {err}"
        );
        eprintln!("note: with {leave} bytes free: {}", err.trim());
        assert_eq!(server.stored(), 0);
        assert!(temp_files(&out).is_empty(), "{:?}", temp_files(&out));
        disk.free();
    }
    let o = site.run("2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert_eq!(server.stored(), 1);
}

/// xorshift64*, seeded from the clock: random enough moments to kill at.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        eprintln!("note: kill -9 test seed {seed}");
        Random(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

#[test]
fn kill_9_at_random_moments_never_sends_twice_or_leaves_temp_files() {
    let server = Faulty::start(Behaviour::Slow);
    let site = Site::new(&plain(server.port, "retry_for_secs = 1\n"), "");
    // How long one whole run takes here.
    let probe = Site::new(&plain(server.port, "retry_for_secs = 1\n"), "");
    let start = Instant::now();
    let o = probe.run("2026-11-16", &[]);
    let full = start.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let before = server.stored();
    let mut rng = Random::new();
    let mut killed = 0;
    // 20 runs in one reporting week (Monday 23 to Sunday 29 November 2026).
    for i in 0..20 {
        let day = 23 + (i % 7);
        let mut child = site
            .command(&format!("2026-11-{day}"), &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let at = Duration::from_micros(rng.below(full.as_micros() as u64 * 11 / 10));
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        let _ = child.wait();
    }
    eprintln!(
        "note: {killed} of 20 runs killed; a whole run takes {full:?}; {} message(s) stored",
        server.stored() - before
    );
    assert!(server.stored() - before <= 1, "two messages for one week");
    // The next run, not killed: it cleans up, and still sends at most once this week.
    let o = site.run("2026-11-29", &[]);
    assert_no_panic(&o);
    assert!(matches!(o.status.code(), Some(1) | Some(4)), "{}", all(&o));
    let sent = server.stored() - before;
    assert!(sent <= 1, "{sent} messages for one week");
    let text = all(&o);
    assert!(
        text.contains("already emailed")
            || text.contains("may already have been delivered")
            || text.contains("emailed to 1 recipient"),
        "{text}"
    );
    assert!(
        temp_files(&site.root).is_empty(),
        "{:?}",
        temp_files(&site.root)
    );
    // Exactly one, once the unknown case (killed mid-send) is resolved by --force.
    if sent == 0 {
        let o = site.run("2026-11-29", &["--force"]);
        assert_eq!(o.status.code(), Some(1), "{}", all(&o));
        assert_eq!(server.stored() - before, 1);
    }
}

#[test]
fn a_back_dated_run_writes_files_but_does_not_email_or_become_the_baseline() {
    let server = Faulty::start(Behaviour::Good);
    let site = Site::new(&plain(server.port, "retry_for_secs = 1\n"), "");
    let o = site.run("2026-11-23", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert_eq!(server.stored(), 1);
    // Back-dated to an earlier week: files, no email.
    let o = site.run("2026-11-09", &[]);
    // Nothing is overdue yet as of 09/11: exit 0.
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("before the last report emailed (as of 23/11/2026)"),
        "{out}"
    );
    assert!(out.contains("--force"), "{out}");
    assert!(site.reports().join("findings-2026-11-09.csv").exists());
    assert!(site.reports().join("compliance-2026-11-09.xlsx").exists());
    assert_eq!(server.stored(), 1);
    // --force emails it ...
    let o = site.run("2026-11-09", &["--force"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("emailed to 1 recipient"),
        "{}",
        all(&o)
    );
    assert_eq!(server.stored(), 2);
    // ... but next week is still compared with the report as of 23/11, not 09/11.
    let o = site.run("2026-11-30", &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("emailed to 1 recipient"), "{}", all(&o));
    assert!(out.contains("Since the report as of 23/11/2026"), "{out}");
    assert_eq!(server.stored(), 3);
}

#[cfg(unix)]
#[test]
fn report_files_follow_the_umask_or_report_mode() {
    use std::os::unix::fs::PermissionsExt;
    let server = Faulty::start(Behaviour::Good);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let run_with_umask = |site: &Site, umask: &str, as_of: &str| {
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$@\""))
            .arg("sh")
            .arg(BIN)
            .args(["run", "--config"])
            .arg(&site.config)
            .args(["--as-of", as_of, "--dry-run"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    };
    let site = Site::new(&plain(server.port, ""), "");
    run_with_umask(&site, "027", "2026-11-23");
    for f in [
        "findings-2026-11-23.csv",
        "compliance-2026-11-23.xlsx",
        "email-2026-11-23.eml",
    ] {
        assert_eq!(mode(&site.reports().join(f)), 0o640, "{f}");
    }
    run_with_umask(&site, "022", "2026-11-24");
    assert_eq!(
        mode(&site.reports().join("compliance-2026-11-24.xlsx")),
        0o644
    );
    // [report] mode overrides the umask.
    let site = Site::new(&plain(server.port, ""), "[report]\nmode = \"0660\"\n");
    run_with_umask(&site, "077", "2026-11-23");
    for f in ["findings-2026-11-23.csv", "compliance-2026-11-23.xlsx"] {
        assert_eq!(mode(&site.reports().join(f)), 0o660, "{f}");
    }
}
