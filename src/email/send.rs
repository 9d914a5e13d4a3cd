//! Sending the message over SMTP (lettre, rustls), retrying transient failures.
//!
//! Connection failures, timeouts and 4xx replies are retried with exponential backoff (1 s,
//! 2 s, 4 s ... at most 30 s apart) for at most `retry_for_secs` in all. A refused login (535),
//! a certificate or TLS failure, and any other 5xx reply are final at once: retrying cannot fix
//! them and a login retried in a loop can lock the account. Each attempt waits at most
//! [`attempt_timeout`] for the server, so a run ends within about `retry_for_secs` plus one
//! such timeout. The password never appears in an error or a log line: every message is
//! scrubbed of it.

use std::error::Error as _;
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::config::TlsMode;

use super::settings::Settings;

/// A message that was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Envelope recipients (To and Cc).
    pub recipients: usize,
    /// Attempts it took.
    pub attempts: u32,
}

/// What kind of failure: decides retrying and how it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Connection refused, timeout, network error, 4xx reply: worth retrying.
    Transient,
    /// The server refused the login.
    Authentication,
    /// The server's certificate was not accepted.
    Certificate,
    /// The TLS connection failed otherwise (wrong port for the mode, no STARTTLS).
    Tls,
    /// The server refused the message for good (5xx), or the client cannot go on.
    Rejected,
}

impl FailureKind {
    pub fn is_transient(self) -> bool {
        self == FailureKind::Transient
    }
}

/// One failed attempt, already in plain words and scrubbed of the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

/// Why the email was not sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub kind: FailureKind,
    pub attempts: u32,
    /// The whole explanation, scrubbed of the password.
    pub message: String,
}

/// How long to keep trying: exponential backoff within a total time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Give up once the next attempt would start after this long.
    pub total: Duration,
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn within(total: Duration) -> Backoff {
        Backoff {
            total,
            first: Duration::from_secs(1),
            max: Duration::from_secs(30),
        }
    }

    /// The delay after `failures` failed attempts (1 for the first).
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 1u32
            .checked_shl(failures.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// Replaces the password (if any) in `text` with `***`.
pub fn redact(text: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => text.replace(p, "***"),
        _ => text.to_string(),
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the next retry would start after
/// `backoff.total`. `elapsed` reads the time since the start and `sleep` waits (both
/// injectable for tests). Returns the number of attempts, or the last failure and attempts.
pub fn retry(
    backoff: &Backoff,
    mut attempt: impl FnMut(u32) -> Result<(), Failure>,
    mut sleep: impl FnMut(Duration),
    mut elapsed: impl FnMut() -> Duration,
) -> Result<u32, (Failure, u32)> {
    let mut n = 0;
    loop {
        n += 1;
        match attempt(n) {
            Ok(()) => return Ok(n),
            Err(f) if !f.kind.is_transient() => return Err((f, n)),
            Err(f) => {
                let delay = backoff.delay(n);
                if elapsed() + delay > backoff.total {
                    return Err((f, n));
                }
                tracing::warn!(
                    "email attempt {n} failed: {}; retrying in {}s",
                    f.message,
                    delay.as_secs()
                );
                sleep(delay);
            }
        }
    }
}

/// The host as the TLS layer and the resolver want it (`[::1]` becomes `::1`).
fn bare_host(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// How long one attempt may wait for the server (connect, and each reply): `retry_for_secs`
/// kept between 10 s and 60 s. A run takes at most about `retry_for_secs` plus this.
pub fn attempt_timeout(settings: &Settings) -> Duration {
    settings
        .retry_for
        .clamp(Duration::from_secs(10), Duration::from_secs(60))
}

fn transport(settings: &Settings) -> Result<SmtpTransport, Failure> {
    let host = bare_host(&settings.host);
    let mut b = SmtpTransport::builder_dangerous(host)
        .port(settings.port)
        .timeout(Some(attempt_timeout(settings)));
    let params = || {
        let mut p = TlsParameters::builder(host.to_string());
        if let Some(ca) = &settings.ca {
            p = p.add_root_certificate(ca.certificate.clone());
        }
        p.build().map_err(|e| Failure {
            kind: FailureKind::Tls,
            message: format!("cannot set up TLS for {host}: {e}"),
        })
    };
    b = match settings.tls {
        TlsMode::Starttls => b.tls(Tls::Required(params()?)),
        TlsMode::Tls => b.tls(Tls::Wrapper(params()?)),
        TlsMode::None => b.tls(Tls::None),
    };
    if let Some(login) = &settings.login {
        let password = login
            .password
            .as_ref()
            .map(|p| p.expose().to_string())
            .unwrap_or_default();
        b = b.credentials(Credentials::new(login.username.clone(), password));
    }
    Ok(b.build())
}

/// Every message in an error's chain, joined (lettre's own text already includes its source).
fn error_text(e: &lettre::transport::smtp::Error) -> String {
    e.to_string()
}

/// Whether the chain holds an I/O error of the given kind.
fn has_io_kind(e: &lettre::transport::smtp::Error, kind: std::io::ErrorKind) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == kind {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// Puts one failed attempt into plain words.
pub fn classify(e: &lettre::transport::smtp::Error, settings: &Settings) -> Failure {
    let server = format!("{}:{}", settings.host, settings.port);
    let detail = redact(&error_text(e), settings.password());
    let code: Option<u16> = e.status().map(u16::from);
    let fail = |kind, message: String| Failure { kind, message };
    let lower = detail.to_ascii_lowercase();
    if lower.contains("invalid peer certificate") || lower.contains("certificate not valid") {
        let message = if lower.contains("notvalidforname") || lower.contains("not valid for name") {
            format!(
                "the server's certificate is not valid for the name `{}`: set smtp_host to a name the certificate carries; {server}: {detail}",
                settings.host
            )
        } else if lower.contains("expired") || lower.contains("notvalidyet") {
            format!("the server's certificate has expired or is not yet valid; {server}: {detail}")
        } else {
            format!(
                "the server's certificate is not trusted: set ca_file to the CA certificate (PEM) that signed it; {server}: {detail}"
            )
        };
        return fail(FailureKind::Certificate, message);
    }
    if e.is_tls()
        || (settings.tls != TlsMode::None && has_io_kind(e, std::io::ErrorKind::InvalidData))
        || lower.contains("received fatal alert")
    {
        return fail(
            FailureKind::Tls,
            format!(
                "the TLS connection to {server} failed: check tls (\"starttls\" usually on port 587, \"tls\" on 465) and smtp_port; {detail}"
            ),
        );
    }
    if lower.contains("starttls is not supported") {
        return fail(
            FailureKind::Tls,
            format!("the SMTP server at {server} does not offer STARTTLS: check smtp_host, smtp_port and tls; {detail}"),
        );
    }
    match code {
        Some(535) => {
            let who = settings
                .login
                .as_ref()
                .map(|l| format!(" (user {}, password from ${})", l.username, l.password_env))
                .unwrap_or_default();
            return fail(
                FailureKind::Authentication,
                format!("the SMTP server refused the username or password{who}; {server} said: {detail}"),
            );
        }
        Some(534) | Some(538) => {
            return fail(
                FailureKind::Authentication,
                format!("the SMTP server refused the login method; {server} said: {detail}"),
            )
        }
        Some(530) if settings.login.is_none() => {
            return fail(
                FailureKind::Authentication,
                format!("the SMTP server requires a login: set username and password_env in [email]; {server} said: {detail}"),
            )
        }
        Some(c) if (500..600).contains(&c) => {
            return fail(
                FailureKind::Rejected,
                format!("the SMTP server refused the message; {server} said: {detail}"),
            )
        }
        _ => {}
    }
    if e.is_client() {
        return fail(
            FailureKind::Rejected,
            format!("cannot send through {server}: {detail}"),
        );
    }
    // Connection refused or reset, timeouts, name resolution, 4xx replies.
    fail(
        FailureKind::Transient,
        if e.is_timeout()
            || has_io_kind(e, std::io::ErrorKind::WouldBlock)
            || has_io_kind(e, std::io::ErrorKind::TimedOut)
        {
            format!(
                "{server} did not answer within {}s: {detail}",
                attempt_timeout(settings).as_secs()
            )
        } else {
            format!("cannot deliver through {server}: {detail}")
        },
    )
}

/// Sends the message, retrying transient failures within `settings.retry_for`.
pub fn send(settings: &Settings, message: &Message) -> Result<Delivery, SendError> {
    let started = Instant::now();
    let backoff = Backoff::within(settings.retry_for);
    let scrub = |s: String| redact(&s, settings.password());
    let transport = transport(settings).map_err(|f| SendError {
        kind: f.kind,
        attempts: 0,
        message: scrub(f.message),
    })?;
    let result = retry(
        &backoff,
        |n| {
            tracing::info!(
                "email attempt {n}: {}:{} ({})",
                settings.host,
                settings.port,
                settings.tls.name()
            );
            transport
                .send(message)
                .map(|_| ())
                .map_err(|e| classify(&e, settings))
        },
        std::thread::sleep,
        || started.elapsed(),
    );
    match result {
        Ok(attempts) => Ok(Delivery {
            recipients: message.envelope().to().len(),
            attempts,
        }),
        Err((f, attempts)) => {
            let message = if f.kind.is_transient() {
                format!(
                    "{} (gave up after {attempts} attempt{} over {}s; retry_for_secs = {})",
                    f.message,
                    if attempts == 1 { "" } else { "s" },
                    started.elapsed().as_secs(),
                    settings.retry_for.as_secs()
                )
            } else {
                format!("{}; not retried", f.message)
            };
            Err(SendError {
                kind: f.kind,
                attempts,
                message: scrub(message),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transient() -> Failure {
        Failure {
            kind: FailureKind::Transient,
            message: "refused".into(),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff::within(Duration::from_secs(120));
        let d: Vec<u64> = (1..=8).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(d, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(b.delay(200).as_secs(), 30);
    }

    #[test]
    fn retries_transient_within_the_budget() {
        let b = Backoff::within(Duration::from_secs(120));
        let clock = std::cell::Cell::new(Duration::ZERO);
        let r = retry(
            &b,
            |_| Err(transient()),
            |d| clock.set(clock.get() + d),
            || clock.get(),
        );
        let (f, n) = r.unwrap_err();
        assert_eq!(f.kind, FailureKind::Transient);
        // Attempts at 0, 1, 3, 7, 15, 31, 61, 91 s; the next would start at 121 s.
        assert_eq!(n, 8);
        assert!(clock.get() <= Duration::from_secs(120));
    }

    #[test]
    fn zero_budget_means_one_attempt() {
        let b = Backoff::within(Duration::ZERO);
        let r = retry(
            &b,
            |_| Err(transient()),
            |_| panic!("slept"),
            || Duration::ZERO,
        );
        assert_eq!(r.unwrap_err().1, 1);
    }

    #[test]
    fn final_failures_are_not_retried_and_success_stops() {
        let b = Backoff::within(Duration::from_secs(120));
        let r = retry(
            &b,
            |_| {
                Err(Failure {
                    kind: FailureKind::Authentication,
                    message: "535".into(),
                })
            },
            |_| panic!("slept"),
            || Duration::ZERO,
        );
        assert_eq!(r.unwrap_err().1, 1);
        let r = retry(
            &b,
            |n| if n < 3 { Err(transient()) } else { Ok(()) },
            |_| {},
            || Duration::ZERO,
        );
        assert_eq!(r.unwrap(), 3);
    }

    #[test]
    fn redacts_the_password() {
        assert_eq!(
            redact("535 bad s3cret for u", Some("s3cret")),
            "535 bad *** for u"
        );
        assert_eq!(redact("x", Some("")), "x");
        assert_eq!(redact("x", None), "x");
    }
}
