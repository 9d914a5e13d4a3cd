//! Sending the message over SMTP (lettre's async connection on a current-thread tokio
//! runtime, rustls), retrying transient failures, within hard deadlines.
//!
//! Every exchange with the server (connecting with its greeting, each command's reply, the
//! message with its final reply) waits at most `timeout`; the whole delivery, retries included,
//! ends at `retry_for` plus one `timeout` whatever the server does (a greeting that never ends,
//! a byte every few seconds): the connection is dropped there. A stop request (SIGTERM in
//! `schedule`) ends it within a tenth of a second.
//!
//! Connection failures, timeouts and 4xx replies are retried with exponential backoff (1 s,
//! 2 s, 4 s ... at most 30 s apart) while the next attempt would start within `retry_for`. A
//! refused login (535), a certificate or TLS failure, and any other 5xx reply are final at
//! once: retrying cannot fix them and a login retried in a loop can lock the account. Once the
//! message itself has been transmitted, a failure without a reply from the server (the
//! connection dropped, the final reply never came) may mean it was delivered: it is never
//! retried, and [`SendError::maybe_delivered`] says so.
//!
//! Certificates: the operating system's trust store (rustls-native-certs: Debian's
//! ca-certificates, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set) and every certificate in
//! `ca_file`. A relay presenting its own self-signed certificate is accepted when `ca_file`
//! holds exactly that certificate (pinned): the chain is then not checked, the name still is,
//! and the relay must prove it holds the certificate's key, as in any handshake. TLS failures
//! are classified from rustls's typed errors. The password never appears in an error or a log
//! line: every message is scrubbed of it.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::Message;

use crate::config::TlsMode;

use super::settings::Settings;

mod classify;
#[cfg(test)]
mod tests;

pub use classify::classify;
use classify::{classify_at, Stage};

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
    /// The delivery deadline (`retry_for` plus one timeout) passed.
    Deadline,
    /// Stopped on request (SIGTERM).
    Stopped,
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
    /// The message had been transmitted when it failed, without a refusal from the server.
    pub maybe_delivered: bool,
}

impl Failure {
    fn new(kind: FailureKind, message: String) -> Failure {
        Failure {
            kind,
            message,
            maybe_delivered: false,
        }
    }
}

/// Why the email was not (known to be) sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub kind: FailureKind,
    pub attempts: u32,
    /// The whole explanation, scrubbed of the password.
    pub message: String,
    /// The server may have received the message: the connection failed after it was
    /// transmitted, before the server's reply. Never retried automatically.
    pub maybe_delivered: bool,
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

    /// After `failures` transient failures, `elapsed` since the start: how long to wait before
    /// the next attempt, or `None` when it would start after `total` (give up).
    pub fn next(&self, failures: u32, elapsed: Duration) -> Option<Duration> {
        let delay = self.delay(failures);
        (elapsed + delay <= self.total).then_some(delay)
    }
}

/// Replaces the password (if any) in `text` with `***`.
pub fn redact(text: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => text.replace(p, "***"),
        _ => text.to_string(),
    }
}

/// The host as the TLS layer and the resolver want it (`[::1]` becomes `::1`).
fn bare_host(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// How long one exchange may wait for the server (`timeout_secs`, by default `retry_for_secs`
/// kept between 10 s and 60 s).
pub fn attempt_timeout(settings: &Settings) -> Duration {
    settings.timeout
}

/// The hard limit on a whole delivery: `retry_for` plus one timeout.
pub fn deadline(settings: &Settings) -> Duration {
    settings.retry_for + settings.timeout
}

/// The TLS parameters: the system store plus `ca_file`; or, `pinned`, any chain (the caller
/// then checks the relay's certificate is one in `ca_file`).
fn tls_parameters(settings: &Settings, pinned: bool) -> Result<TlsParameters, Failure> {
    let host = bare_host(&settings.host);
    let mut p = TlsParameters::builder(host.to_string());
    if let Some(ca) = &settings.ca {
        p = p.add_root_certificate(ca.certificate.clone());
    }
    if pinned {
        p = p.dangerous_accept_invalid_certs(true);
    }
    p.build().map_err(|e| {
        Failure::new(
            FailureKind::Tls,
            format!("cannot set up TLS for {host}: {e}"),
        )
    })
}

/// One exchange, within the per-exchange timeout.
async fn exchange<T>(
    settings: &Settings,
    stage: Stage,
    fut: impl std::future::Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(settings.timeout, fut).await {
        Ok(r) => r.map_err(|e| classify_at(&e, settings, stage)),
        Err(_) => {
            let server = format!("{}:{}", settings.host, settings.port);
            let mut f = Failure::new(
                FailureKind::Transient,
                format!(
                    "{server} did not answer within {}s ({})",
                    settings.timeout.as_secs(),
                    stage.name()
                ),
            );
            if stage == Stage::Message {
                f.maybe_delivered = true;
                f.message = format!(
                    "{server} did not confirm the message within {}s after it was sent, so it may have been delivered",
                    settings.timeout.as_secs()
                );
            }
            Err(f)
        }
    }
}

/// One attempt: connect, STARTTLS, check a pinned certificate, log in, send, quit.
async fn attempt(
    settings: &Settings,
    message: &Message,
    bytes: &[u8],
    pinned: bool,
    stage: &Cell<Stage>,
) -> Result<(), Failure> {
    let host = bare_host(&settings.host);
    let hello = ClientId::default();
    stage.set(Stage::Connect);
    let wrapper = match settings.tls {
        TlsMode::Tls => Some(tls_parameters(settings, pinned)?),
        _ => None,
    };
    let mut conn = exchange(
        settings,
        Stage::Connect,
        AsyncSmtpConnection::connect_tokio1(
            (host, settings.port),
            Some(settings.timeout),
            &hello,
            wrapper,
            None,
        ),
    )
    .await?;
    if settings.tls == TlsMode::Starttls {
        if !conn.can_starttls() {
            return Err(Failure::new(
                FailureKind::Tls,
                format!(
                    "the SMTP server at {}:{} does not offer STARTTLS: check smtp_host, smtp_port and tls",
                    settings.host, settings.port
                ),
            ));
        }
        stage.set(Stage::Starttls);
        let params = tls_parameters(settings, pinned)?;
        exchange(settings, Stage::Starttls, conn.starttls(params, &hello)).await?;
    }
    if pinned {
        let presented = conn.peer_certificate().ok();
        let is_pinned = settings
            .ca
            .as_ref()
            .is_some_and(|ca| presented.as_ref().is_some_and(|p| ca.der.contains(p)));
        if !is_pinned {
            return Err(Failure::new(
                FailureKind::Certificate,
                "the server's certificate is not the one in ca_file".to_string(),
            ));
        }
    }
    if let Some(login) = &settings.login {
        stage.set(Stage::Login);
        let password = login
            .password
            .as_ref()
            .map(|p| p.expose().to_string())
            .unwrap_or_default();
        let credentials = Credentials::new(login.username.clone(), password);
        exchange(
            settings,
            Stage::Login,
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
        )
        .await?;
    }
    stage.set(Stage::Envelope);
    let envelope = message.envelope();
    let mut options = Vec::new();
    let non_ascii_address = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a| !a.to_string().is_ascii());
    if non_ascii_address {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Failure::new(
                FailureKind::Rejected,
                "an address is not plain ASCII and the SMTP server does not support SMTPUTF8"
                    .to_string(),
            ));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !bytes.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Failure::new(
                FailureKind::Rejected,
                "the message is not plain ASCII and the SMTP server does not support 8BITMIME"
                    .to_string(),
            ));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    exchange(
        settings,
        Stage::Envelope,
        conn.command(Mail::new(envelope.from().cloned(), options)),
    )
    .await?;
    for to in envelope.to() {
        exchange(
            settings,
            Stage::Envelope,
            conn.command(Rcpt::new(to.clone(), vec![])),
        )
        .await?;
    }
    exchange(settings, Stage::Envelope, conn.command(Data)).await?;
    stage.set(Stage::Message);
    exchange(settings, Stage::Message, conn.message(bytes)).await?;
    stage.set(Stage::Done);
    // Delivered: a QUIT that fails or hangs changes nothing.
    let _ = tokio::time::timeout(Duration::from_secs(1).min(settings.timeout), conn.quit()).await;
    Ok(())
}

/// Attempts with retries and backoff; a certificate refusal is retried at once pinned when
/// `ca_file` may hold the relay's own certificate.
async fn attempts(
    settings: &Settings,
    message: &Message,
    bytes: &[u8],
    stage: &Cell<Stage>,
    count: &Cell<u32>,
    started: Instant,
) -> Result<(), Failure> {
    let backoff = Backoff::within(settings.retry_for);
    let mut pinned = false;
    let mut failures = 0;
    loop {
        count.set(count.get() + 1);
        let n = count.get();
        tracing::info!(
            "email attempt {n}: {}:{} ({}{})",
            settings.host,
            settings.port,
            settings.tls.name(),
            if pinned { ", pinned certificate" } else { "" }
        );
        match attempt(settings, message, bytes, pinned, stage).await {
            Ok(()) => return Ok(()),
            Err(f) if f.kind == FailureKind::Certificate && !pinned && settings.ca.is_some() => {
                // Perhaps the relay's own certificate is in ca_file: try once more, pinned.
                count.set(count.get() + 1);
                tracing::info!(
                    "email attempt {}: trying ca_file as a pinned certificate",
                    count.get()
                );
                match attempt(settings, message, bytes, true, stage).await {
                    Ok(()) => return Ok(()),
                    Err(p) if p.kind == FailureKind::Certificate => {
                        // Not pinned either: the first refusal explains the problem.
                        return Err(f);
                    }
                    Err(p) => {
                        pinned = true;
                        failures += 1;
                        if !p.kind.is_transient() || p.maybe_delivered {
                            return Err(p);
                        }
                        match backoff.next(failures, started.elapsed()) {
                            Some(delay) => tokio::time::sleep(delay).await,
                            None => return Err(p),
                        }
                    }
                }
            }
            Err(f) if !f.kind.is_transient() || f.maybe_delivered => return Err(f),
            Err(f) => {
                failures += 1;
                match backoff.next(failures, started.elapsed()) {
                    Some(delay) => {
                        tracing::warn!(
                            "email attempt {n} failed: {}; retrying in {}s",
                            f.message,
                            delay.as_secs()
                        );
                        tokio::time::sleep(delay).await;
                    }
                    None => return Err(f),
                }
            }
        }
    }
}

/// Waits until `stop` is set (never, without one).
async fn stopped(stop: Option<&AtomicBool>) {
    loop {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends the message, retrying transient failures within `settings.retry_for`, and ending at
/// `retry_for` plus one timeout whatever the server does, or soon after `stop` is set.
pub fn send(
    settings: &Settings,
    message: &Message,
    stop: Option<&AtomicBool>,
) -> Result<Delivery, SendError> {
    let started = Instant::now();
    let scrub = |s: String| redact(&s, settings.password());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SendError {
            kind: FailureKind::Rejected,
            attempts: 0,
            message: format!("cannot start the SMTP client: {e}"),
            maybe_delivered: false,
        })?;
    let bytes = message.formatted();
    let stage = Cell::new(Stage::Connect);
    let count = Cell::new(0u32);
    let limit = deadline(settings);
    let server = format!("{}:{}", settings.host, settings.port);
    let result = runtime.block_on(async {
        tokio::select! {
            r = attempts(settings, message, &bytes, &stage, &count, started) => r,
            _ = tokio::time::sleep(limit) => {
                let mut f = Failure::new(
                    FailureKind::Deadline,
                    format!(
                        "{server} did not finish within the delivery deadline of {}s (retry_for_secs = {} plus one timeout of {}s); stopped while {}",
                        limit.as_secs(),
                        settings.retry_for.as_secs(),
                        settings.timeout.as_secs(),
                        stage.get().name()
                    ),
                );
                f.maybe_delivered = stage.get() == Stage::Message;
                Err(f)
            }
            _ = stopped(stop) => {
                let mut f = Failure::new(
                    FailureKind::Stopped,
                    format!("delivery through {server} stopped on request while {}", stage.get().name()),
                );
                f.maybe_delivered = stage.get() == Stage::Message;
                Err(f)
            }
        }
    });
    // Dropping the runtime closes the connection if the deadline cut it off.
    drop(runtime);
    let attempts = count.get();
    match result {
        Ok(()) => Ok(Delivery {
            recipients: message.envelope().to().len(),
            attempts,
        }),
        Err(f) => {
            let message = if f.kind.is_transient() && !f.maybe_delivered {
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
                maybe_delivered: f.maybe_delivered,
            })
        }
    }
}
