//! `[email]` resolved for use: addresses parsed, the port and TLS mode settled, the CA file
//! read, the password taken from its environment variable. Every problem is a configuration
//! error naming the file and the key; the password itself never appears in one.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::client::Certificate;

use crate::config::{is_loopback_host, Config, ConfigError, EmailConfig, TlsMode};

/// A password: shown as `***` by `Debug` and never by `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }

    /// The password, for the SMTP transport only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// SMTP login: the username, and the password read from `password_env`.
#[derive(Debug, Clone)]
pub struct Login {
    pub username: String,
    /// The environment variable it came from (for messages).
    pub password_env: String,
    /// `None` only when the password was not needed (a dry run).
    pub password: Option<Secret>,
}

/// `ca_file`: certificates trusted as well as the operating system's store. Each is trusted
/// as a CA that signs the relay's certificate, or, when the relay presents exactly one of
/// them as its own (a self-signed relay certificate), as that relay's pinned certificate.
#[derive(Clone)]
pub struct ExtraCa {
    pub path: PathBuf,
    pub certificate: Certificate,
    /// The DER bytes of every certificate in the file, for pinning.
    pub der: Vec<Vec<u8>>,
}

impl fmt::Debug for ExtraCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtraCa({})", self.path.display())
    }
}

/// Everything needed to build and send the weekly email.
#[derive(Debug, Clone)]
pub struct Settings {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub ca: Option<ExtraCa>,
    pub login: Option<Login>,
    /// How long to keep retrying transient failures.
    pub retry_for: Duration,
    /// How long to wait for the server at each step (connect, each reply, the message).
    pub timeout: Duration,
}

/// Whether the password must be present (sending) or may be absent (`--dry-run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Password {
    Required,
    NotNeeded,
}

impl Settings {
    /// Resolves the configuration's `[email]`, reading the password from the process
    /// environment.
    pub fn resolve(config: &Config, password: Password) -> Result<Settings, ConfigError> {
        Self::resolve_with(config, password, &|name| std::env::var(name).ok())
    }

    /// As [`Settings::resolve`], with the environment given (for tests).
    pub fn resolve_with(
        config: &Config,
        password: Password,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let e = config.email.as_ref().ok_or_else(|| {
            config.invalid(
                "no [email] section: `run` needs one (from, to, smtp_host) to send the report"
                    .to_string(),
            )
        })?;
        resolve_email(config, e, password, env)
    }

    /// The settings for a partnership's local authority `k` (see [`Config::local_authorities`]):
    /// the same sender and server, to its `email_to` only (no Cc: the partnership's Cc get the
    /// partnership's report). `None` when it has no `email_to`.
    pub fn for_authority(
        &self,
        config: &Config,
        k: usize,
    ) -> Result<Option<Settings>, ConfigError> {
        let Some(la) = config.local_authorities.get(k) else {
            return Ok(None);
        };
        if la.email_to.is_empty() {
            return Ok(None);
        }
        let to = la
            .email_to
            .iter()
            .enumerate()
            .map(|(i, a)| mailbox(config, &format!("local_authorities[{k}].email_to[{i}]"), a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Settings {
            to,
            cc: Vec::new(),
            ..self.clone()
        }))
    }

    /// Everyone the message goes to (To and Cc).
    pub fn recipients(&self) -> usize {
        self.to.len() + self.cc.len()
    }

    /// Everyone the message goes to, as addresses (To, then Cc).
    pub fn addresses(&self) -> Vec<String> {
        self.to
            .iter()
            .chain(&self.cc)
            .map(|m| m.email.to_string())
            .collect()
    }

    /// The password, if there is one (for redacting it from messages).
    pub fn password(&self) -> Option<&str> {
        self.login
            .as_ref()
            .and_then(|l| l.password.as_ref())
            .map(Secret::expose)
            .filter(|p| !p.is_empty())
    }

    /// One line for `check-config`; it never shows the password.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "email: {} recipient{} ({} to, {} cc) via {}:{} ({})",
            self.recipients(),
            if self.recipients() == 1 { "" } else { "s" },
            self.to.len(),
            self.cc.len(),
            self.host,
            self.port,
            self.tls.name()
        );
        if let Some(l) = &self.login {
            s.push_str(&format!(
                ", as {} (password from ${})",
                l.username, l.password_env
            ));
        }
        if let Some(ca) = &self.ca {
            s.push_str(&format!(", also trusting {}", ca.path.display()));
        }
        s
    }
}

fn mailbox(config: &Config, key: &str, value: &str) -> Result<Mailbox, ConfigError> {
    value.trim().parse::<Mailbox>().map_err(|e| {
        config.invalid(format!(
            "{key}: `{value}` is not an email address like \"Safeguarding audit <audit@council.gov.uk>\" ({e})"
        ))
    })
}

fn resolve_email(
    config: &Config,
    e: &EmailConfig,
    password: Password,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let from = mailbox(config, "email.from", &e.from)?;
    if e.to.is_empty() {
        return Err(config.invalid(
            "email.to is empty: list at least one recipient, e.g. to = [\"director@council.gov.uk\"]"
                .to_string(),
        ));
    }
    let to =
        e.to.iter()
            .enumerate()
            .map(|(i, a)| mailbox(config, &format!("email.to[{i}]"), a))
            .collect::<Result<Vec<_>, _>>()?;
    let cc =
        e.cc.iter()
            .enumerate()
            .map(|(i, a)| mailbox(config, &format!("email.cc[{i}]"), a))
            .collect::<Result<Vec<_>, _>>()?;
    let host = e.smtp_host.trim().to_string();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(config.invalid(format!(
            "email.smtp_host: `{}` is not a host name or address",
            e.smtp_host
        )));
    }
    if e.smtp_port == Some(0) {
        return Err(config.invalid("email.smtp_port: 0 is not a port".to_string()));
    }
    if e.tls == TlsMode::None && !is_loopback_host(&host) {
        return Err(config.invalid(format!(
            "email.tls = \"none\" is only allowed for a relay on this machine (localhost, 127.0.0.1, ::1), not `{host}`: use tls = \"starttls\" or \"tls\""
        )));
    }
    let ca = match &e.ca_file {
        None => None,
        Some(path) => {
            let pem = std::fs::read(path).map_err(|err| {
                config.invalid(format!(
                    "email.ca_file: cannot read {}: {err}",
                    path.display()
                ))
            })?;
            use rustls::pki_types::pem::PemObject;
            let no_cert = || {
                config.invalid(format!(
                    "email.ca_file: {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    path.display()
                ))
            };
            let der: Vec<Vec<u8>> = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
                .map(|c| c.map(|c| c.as_ref().to_vec()))
                .collect::<Result<_, _>>()
                .map_err(|_| no_cert())?;
            if der.is_empty() {
                return Err(no_cert());
            }
            let certificate = Certificate::from_pem(&pem).map_err(|_| no_cert())?;
            Some(ExtraCa {
                path: path.clone(),
                certificate,
                der,
            })
        }
    };
    let login = match (&e.username, &e.password_env) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(config.invalid(
                "email.username is set but email.password_env is not: name the environment variable that holds the SMTP password (the password never goes in the file)"
                    .to_string(),
            ))
        }
        (None, Some(_)) => {
            return Err(config.invalid(
                "email.password_env is set but email.username is not: give the SMTP username"
                    .to_string(),
            ))
        }
        (Some(user), Some(var)) => {
            let var = var.trim();
            if user.trim().is_empty() {
                return Err(config.invalid("email.username is empty".to_string()));
            }
            if var.is_empty() || var.contains(['=', '\0']) {
                return Err(config.invalid(format!(
                    "email.password_env: `{var}` is not an environment variable name"
                )));
            }
            let value = env(var).filter(|v| !v.is_empty());
            if value.is_none() && password == Password::Required {
                return Err(config.invalid(format!(
                    "email.password_env: the environment variable {var} is not set (or is empty); it must hold the SMTP password for {user}"
                )));
            }
            Some(Login {
                username: user.trim().to_string(),
                password_env: var.to_string(),
                password: value.map(Secret::new),
            })
        }
    };
    Ok(Settings {
        from,
        to,
        cc,
        port: e.port(),
        host,
        tls: e.tls,
        ca,
        login,
        retry_for: e.retry_for(),
        timeout: e.timeout_secs.map(Duration::from_secs).unwrap_or_else(|| {
            e.retry_for()
                .clamp(Duration::from_secs(10), Duration::from_secs(60))
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(email: &str) -> Config {
        Config::parse(
            &format!("[email]\n{email}"),
            Path::new("/etc/sg/c.toml"),
            Path::new("/etc/sg"),
        )
        .unwrap()
    }

    fn resolve(email: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::resolve_with(&config(email), Password::Required, &move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
        .map_err(|e| e.to_string())
    }

    const BASE: &str = "from = \"Audit <a@x.gov.uk>\"\nto = [\"d@x.gov.uk\"]\n";

    #[test]
    fn good_settings() {
        let s = resolve(
            &format!("{BASE}cc = [\"e@x.gov.uk\", \"F <f@x.gov.uk>\"]\nsmtp_host = \"smtp.x.gov.uk\"\nusername = \"audit\"\npassword_env = \"PW\""),
            &[("PW", "hunter2-secret")],
        )
        .unwrap();
        assert_eq!(s.port, 587);
        assert_eq!(s.recipients(), 3);
        assert_eq!(s.password(), Some("hunter2-secret"));
        let d = s.describe();
        assert!(d.contains("smtp.x.gov.uk:587") && d.contains("$PW"), "{d}");
        assert!(!d.contains("hunter2"), "{d}");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn errors_name_file_and_key() {
        let cases = [
            (
                format!("{BASE}smtp_host = \"smtp.x.gov.uk\"\ntls = \"none\""),
                "email.tls",
            ),
            (
                String::from("from = \"not an address\"\nto = [\"d@x\"]\nsmtp_host = \"h\""),
                "email.from",
            ),
            (
                String::from("from = \"a@x\"\nto = []\nsmtp_host = \"h\""),
                "email.to",
            ),
            (
                String::from("from = \"a@x\"\nto = [\"d@x\", \"nope\"]\nsmtp_host = \"h\""),
                "email.to[1]",
            ),
            (
                format!("{BASE}cc = [\"@@\"]\nsmtp_host = \"h\""),
                "email.cc[0]",
            ),
            (
                format!("{BASE}smtp_host = \"h\"\nusername = \"u\""),
                "email.password_env",
            ),
            (
                format!("{BASE}smtp_host = \"h\"\npassword_env = \"PW\""),
                "email.username",
            ),
            (
                format!("{BASE}smtp_host = \"h\"\nusername = \"u\"\npassword_env = \"MISSING\""),
                "MISSING",
            ),
            (
                format!("{BASE}smtp_host = \"h\"\nca_file = \"nope.pem\""),
                "email.ca_file",
            ),
            (format!("{BASE}smtp_host = \"\""), "email.smtp_host"),
        ];
        for (text, key) in cases {
            let e = resolve(&text, &[]).unwrap_err();
            assert!(
                e.contains("/etc/sg/c.toml") && e.contains(key),
                "{key}: {e}"
            );
        }
        assert!(resolve(
            &format!("{BASE}smtp_host = \"127.0.0.1\"\ntls = \"none\""),
            &[]
        )
        .is_ok());
        assert!(resolve(
            &format!("{BASE}smtp_host = \"localhost\"\ntls = \"none\""),
            &[]
        )
        .is_ok());
    }

    #[test]
    fn dry_run_does_not_need_the_password() {
        let c = config(&format!(
            "{BASE}smtp_host = \"h\"\nusername = \"u\"\npassword_env = \"MISSING\""
        ));
        let s = Settings::resolve_with(&c, Password::NotNeeded, &|_| None).unwrap();
        assert!(s.password().is_none());
    }
}
