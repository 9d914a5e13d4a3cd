//! Test support for the email tests: a test CA and server certificate made with the openssl
//! CLI, a real SMTP server (tests/support/smtp_server.py, aiosmtpd) on a real socket, and
//! Python's MIME parser to read back what the binary sent.
//!
//! Needs Debian packages python3-aiosmtpd (for the server) and openssl (for the certificates;
//! ca-certificates already depends on it). When the `CI` environment variable is set, a missing
//! one fails the test; elsewhere the test is skipped with a printed note.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The support folder (scripts).
pub fn support_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support")
}

fn python_has(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `SAFEGUARD_TEST_PYTHON` if set (and only it); else the system Python, then `python3`.
fn python_candidates() -> Vec<PathBuf> {
    if let Ok(p) = std::env::var("SAFEGUARD_TEST_PYTHON") {
        return vec![PathBuf::from(p)];
    }
    // Debian's python3-aiosmtpd installs for the system interpreter, which a pyenv or venv
    // `python3` earlier on PATH cannot import.
    vec![PathBuf::from("/usr/bin/python3"), PathBuf::from("python3")]
}

/// A Python that can import aiosmtpd, when the openssl CLI is there too for the certificates;
/// or `None` (the caller skips with a note, which fails the test in CI).
pub fn python_with_aiosmtpd() -> Option<PathBuf> {
    if !has_openssl() {
        return None;
    }
    python_candidates()
        .into_iter()
        .find(|p| python_has(p, "aiosmtpd"))
}

fn has_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether a `CI` value means a CI run (as CI services set it: `true`, `1`, ...; not
/// `false`, `0` or empty).
pub fn is_ci(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

/// Any Python 3 (the standard library's email parser is all the dry-run test needs).
pub fn any_python() -> Option<PathBuf> {
    python_candidates()
        .into_iter()
        .find(|p| python_has(p, "email"))
}

/// Prints why a test is skipped; in CI (the `CI` variable set) fails it instead, so that a
/// CI run cannot pass by skipping the email and ledger tests.
pub fn skip(test: &str, why: &str) {
    let what = format!(
        "{why} (these tests need python3 with aiosmtpd and the openssl CLI: \
         apt-get install python3-aiosmtpd openssl)"
    );
    if is_ci(std::env::var("CI").ok().as_deref()) {
        panic!("{test} cannot run: {what}; CI is set, so this fails rather than skips");
    }
    // Straight to stderr, past the test harness's capture of eprintln!, so that the note
    // shows in a passing run.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "note: skipping {test}: {what}");
}

#[test]
fn ci_means_a_missing_tool_fails() {
    assert!(is_ci(Some("true")));
    assert!(is_ci(Some("1")));
    assert!(!is_ci(None));
    assert!(!is_ci(Some("")));
    assert!(!is_ci(Some("false")));
}

/// A test CA and a server certificate it signed (SAN IP:127.0.0.1, DNS:localhost).
pub struct Certs {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl (Debian package openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Certs {
    /// Makes the CA and the server certificate in `dir` (P-256 keys, fixed serials).
    pub fn generate(dir: &Path) -> Certs {
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
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "3650",
                "-set_serial",
                "1",
                "-subj",
                "/CN=safeguard-audit test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        std::fs::write(
            dir.join("server.ext"),
            "basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\n\
             subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "2",
                "-days",
                "825",
                "-extfile",
                "server.ext",
                "-out",
                "server.pem",
            ],
        );
        Certs {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
        }
    }
}

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    pub spool: PathBuf,
    child: Child,
}

impl SmtpServer {
    /// Starts tests/support/smtp_server.py in `mode` ("starttls" or "tls").
    pub fn start(python: &Path, certs: &Certs, spool: &Path, mode: &str) -> SmtpServer {
        // The server's own log (e.g. a handshake the client aborted) goes to a file, read back
        // only if it fails to start.
        std::fs::create_dir_all(spool).unwrap();
        let log_path = spool.join("server.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = Command::new(python)
            .arg(support_dir().join("smtp_server.py"))
            .arg("--spool")
            .arg(spool)
            .arg("--cert")
            .arg(&certs.cert)
            .arg("--key")
            .arg(&certs.key)
            .args(["--mode", mode, "--user", "audit", "--password", "s3cret-pw"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start smtp_server.py");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "smtp_server.py did not start: {line:?}\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                )
            });
        SmtpServer {
            port,
            spool: spool.to_path_buf(),
            child,
        }
    }

    /// The messages received so far: (envelope lines, raw message path), in order.
    pub fn messages(&self) -> Vec<(Vec<String>, PathBuf)> {
        let mut emls: Vec<PathBuf> = std::fs::read_dir(&self.spool)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        emls.sort();
        emls.into_iter()
            .map(|eml| {
                let env = std::fs::read_to_string(eml.with_extension("envelope"))
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect();
                (env, eml)
            })
            .collect()
    }

    /// Waits up to `timeout` for `n` messages.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<(Vec<String>, PathBuf)> {
        let start = Instant::now();
        loop {
            let m = self.messages();
            if m.len() >= n || start.elapsed() > timeout {
                return m;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// AUTH attempts so far ("audit ok", "audit refused").
    pub fn auth_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.spool.join("auth.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message read back by Python's MIME parser (tests/support/mime_parts.py).
pub struct Parsed {
    pub dir: PathBuf,
    pub headers: Vec<(String, String)>,
    pub structure: String,
    pub text: String,
    pub html: String,
}

impl Parsed {
    pub fn read(python: &Path, eml: &Path, dir: &Path) -> Parsed {
        let out = Command::new(python)
            .arg(support_dir().join("mime_parts.py"))
            .arg(eml)
            .arg(dir)
            .output()
            .expect("run mime_parts.py");
        assert!(
            out.status.success(),
            "mime_parts.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        Parsed {
            dir: dir.to_path_buf(),
            headers: read("headers.txt")
                .lines()
                .filter_map(|l| l.split_once(": "))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            structure: read("structure.txt").trim().to_string(),
            text: read("text.txt"),
            html: read("body.html"),
        }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}
