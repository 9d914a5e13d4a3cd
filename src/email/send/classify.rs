//! A failed delivery in plain words: how far the attempt got (and so whether the message may
//! have been delivered), and which failure it was, classified from lettre's and rustls's
//! typed errors (a refused login, an untrusted or mismatched certificate, a timeout, a relay
//! that is not listening).

use std::error::Error as _;

use super::{redact, Failure, FailureKind};
use crate::email::settings::Settings;

/// How far an attempt got: decides whether a failure may have delivered the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Stage {
    Connect,
    Starttls,
    Login,
    Envelope,
    /// The message is being transmitted or its final reply awaited.
    Message,
    Done,
}

impl Stage {
    pub(super) fn name(self) -> &'static str {
        match self {
            Stage::Connect => "waiting for the greeting",
            Stage::Starttls => "starting TLS",
            Stage::Login => "logging in",
            Stage::Envelope => "giving the sender and recipients",
            Stage::Message => "sending the message",
            Stage::Done => "closing the connection",
        }
    }
}

/// The TLS library's own error in an SMTP error's chain, if any.
pub(super) fn rustls_error(e: &lettre::transport::smtp::Error) -> Option<&rustls::Error> {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(t) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(t);
        }
        source = s.source();
    }
    None
}

/// Whether the chain holds an I/O error of the given kind.
pub(super) fn has_io_kind(e: &lettre::transport::smtp::Error, kind: std::io::ErrorKind) -> bool {
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

/// Puts a certificate the TLS library refused into plain words.
pub(super) fn certificate_failure(
    c: &rustls::CertificateError,
    settings: &Settings,
    detail: &str,
) -> Failure {
    use rustls::CertificateError as C;
    let server = format!("{}:{}", settings.host, settings.port);
    let message = match c {
        C::NotValidForName | C::NotValidForNameContext { .. } => format!(
            "the server's certificate is not valid for the name `{}`: set smtp_host to a name the certificate carries; {server}: {detail}",
            settings.host
        ),
        C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. } => {
            format!("the server's certificate has expired or is not yet valid; {server}: {detail}")
        }
        _ => format!(
            "the server's certificate is not trusted: set ca_file to the CA certificate (PEM) that signed it, or to the server's own certificate to pin it; {server}: {detail}"
        ),
    };
    Failure::new(FailureKind::Certificate, message)
}

/// Puts one failed exchange into plain words. `stage` is how far the attempt got.
pub(super) fn classify_at(
    e: &lettre::transport::smtp::Error,
    settings: &Settings,
    stage: Stage,
) -> Failure {
    let server = format!("{}:{}", settings.host, settings.port);
    let detail = redact(&e.to_string(), settings.password());
    let code: Option<u16> = e.status().map(u16::from);
    let fail = Failure::new;
    if let Some(t) = rustls_error(e) {
        if let rustls::Error::InvalidCertificate(c) = t {
            return certificate_failure(c, settings, &detail);
        }
        return fail(
            FailureKind::Tls,
            format!(
                "the TLS connection to {server} failed: check tls (\"starttls\" usually on port 587, \"tls\" on 465) and smtp_port; {detail}"
            ),
        );
    }
    if e.is_tls() {
        return fail(
            FailureKind::Tls,
            format!("the TLS connection to {server} failed: {detail}"),
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
        Some(_) => {
            // 4xx: the server refused for now, so nothing was delivered.
            return fail(
                FailureKind::Transient,
                format!("cannot deliver through {server}: {detail}"),
            );
        }
        None => {}
    }
    if e.is_client() {
        return fail(
            FailureKind::Rejected,
            format!("cannot send through {server}: {detail}"),
        );
    }
    // Connection refused or reset, timeouts, name resolution.
    let mut f = fail(
        FailureKind::Transient,
        if e.is_timeout()
            || has_io_kind(e, std::io::ErrorKind::WouldBlock)
            || has_io_kind(e, std::io::ErrorKind::TimedOut)
        {
            format!(
                "{server} did not answer within {}s: {detail}",
                settings.timeout.as_secs()
            )
        } else {
            format!("cannot deliver through {server}: {detail}")
        },
    );
    if stage == Stage::Message {
        f.maybe_delivered = true;
        f.message = format!(
            "the connection to {server} failed after the message was sent and before the server confirmed it, so it may have been delivered: {detail}"
        );
    }
    f
}

/// Puts one failed attempt into plain words (an error outside any particular exchange).
pub fn classify(e: &lettre::transport::smtp::Error, settings: &Settings) -> Failure {
    classify_at(e, settings, Stage::Connect)
}
