//! The configuration file (TOML): sources, rules overlays, the partnership's own non-working
//! days, the report folder, email, schedule and state. Paths are relative to the file's folder.
//! Every error names the file and the key.
//!
//! Over 500 lines on purpose: one struct per section of the configuration file with the
//! validation whose messages name each key, so the file format reads top to bottom; its tests are
//! in config/tests.rs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::ingest::{SourceKind, SourceSpec};

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {file}: {reason}")]
    Read { file: String, reason: String },
    #[error("configuration file {file}: {message}")]
    Invalid { file: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// The day the area's safeguarding-partner arrangements began (DOMAIN "The law by date").
    arrangements_from: Option<toml::value::Datetime>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    non_working_days: Vec<RawDay>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    report: Option<RawReport>,
    #[serde(default)]
    email: Option<EmailConfig>,
    #[serde(default)]
    schedule: Option<ScheduleConfig>,
    #[serde(default)]
    state: Option<RawState>,
    #[serde(default)]
    local_authorities: Vec<RawAuthority>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthority {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    email_to: Vec<String>,
    #[serde(default)]
    non_working_days: Vec<RawDay>,
    #[serde(default)]
    rules: Vec<String>,
}

/// One local authority of a partnership (`[[local_authorities]]`): its cases are judged on its
/// own calendar and rules, and get a report of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAuthority {
    /// The name as the configuration writes it (and as its reports call it).
    pub name: String,
    /// Other names the log may use for it.
    pub aliases: Vec<String>,
    /// Its report's folder under the report folder: the name in lower case, words joined by `-`.
    pub slug: String,
    /// Who receives its report (its director of children's services).
    pub email_to: Vec<String>,
    /// Its own non-working days, on top of the partnership's.
    pub non_working_days: Vec<(NaiveDate, String)>,
    /// Its own rules overlays, applied after the partnership's, to its cases only.
    pub rules: Vec<PathBuf>,
}

/// A folder name for a local authority: letters and digits in lower case, runs of anything else
/// as one `-` ("Redcar and Cleveland" -> `redcar-and-cleveland`).
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    s
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    date: toml::value::Datetime,
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    #[serde(default)]
    kind: SourceKind,
    path: String,
    sheet: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    /// "1900" (default) or "1904".
    date_system: Option<String>,
    /// Canonical fields this log does not keep (a decision, not an accident).
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    out_dir: Option<String>,
    /// Permission bits of the report files, octal as a string ("0640"); default: the umask.
    mode: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    dir: Option<String>,
}

/// How to talk to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Starttls,
    Tls,
    None,
}

/// `[email]`: where the weekly report goes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    pub smtp_host: String,
    pub smtp_port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    /// Trust this CA (PEM) as well as the system's; relative to the config file.
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    /// The environment variable holding the password (never the password itself).
    pub password_env: Option<String>,
    /// Seconds to keep retrying transient failures (default 120).
    pub retry_for_secs: Option<u64>,
    /// Seconds to wait for the server at each step (connect, each reply, the message); default
    /// `retry_for_secs` kept between 10 and 60.
    pub timeout_secs: Option<u64>,
}

impl TlsMode {
    /// The port used when `smtp_port` is not given: 587 (submission) for STARTTLS, 465
    /// (submissions) for implicit TLS, 25 for a plain local relay.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        }
    }

    /// How it is written in the configuration file.
    pub fn name(self) -> &'static str {
        match self {
            TlsMode::Starttls => "starttls",
            TlsMode::Tls => "tls",
            TlsMode::None => "none",
        }
    }
}

/// Seconds `run` keeps retrying a transient delivery failure when `retry_for_secs` is not set.
pub const DEFAULT_RETRY_FOR_SECS: u64 = 120;

impl EmailConfig {
    /// `smtp_port`, or the default for the TLS mode.
    pub fn port(&self) -> u16 {
        self.smtp_port.unwrap_or_else(|| self.tls.default_port())
    }

    /// How long to keep retrying transient failures.
    pub fn retry_for(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.retry_for_secs.unwrap_or(DEFAULT_RETRY_FOR_SECS))
    }
}

/// Whether an SMTP host names this machine: `localhost`, 127.0.0.0/8 or ::1. Only such a host
/// may be used with `tls = "none"`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim().trim_end_matches('.');
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let h = h
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(h);
    h.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// `[schedule]`: when `schedule` runs the weekly report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    pub cron: String,
    #[serde(default = "london")]
    pub timezone: String,
}

fn london() -> String {
    "Europe/London".to_string()
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from (for messages).
    pub file: PathBuf,
    /// Its folder: relative paths start here.
    pub base: PathBuf,
    pub rules: Vec<PathBuf>,
    /// `arrangements_from`: the day the area's safeguarding-partner arrangements began; the
    /// rules file's default (and the window it must lie in) applies when it is `None`.
    pub arrangements_from: Option<NaiveDate>,
    pub non_working_days: Vec<(NaiveDate, String)>,
    pub sources: Vec<SourceSpec>,
    pub out_dir: PathBuf,
    pub email: Option<EmailConfig>,
    pub schedule: Option<ScheduleConfig>,
    pub state_dir: PathBuf,
    /// `[report] mode`: permission bits of the report files (`None`: follow the umask).
    pub report_mode: Option<u32>,
    /// A partnership's local authorities (empty: one report, as for a single council).
    pub local_authorities: Vec<LocalAuthority>,
}

impl Config {
    /// A configuration with no file: sources come from the command line.
    pub fn empty() -> Config {
        Config {
            file: PathBuf::from("(command line)"),
            base: PathBuf::from("."),
            rules: Vec::new(),
            arrangements_from: None,
            non_working_days: Vec::new(),
            sources: Vec::new(),
            out_dir: PathBuf::from("reports"),
            email: None,
            schedule: None,
            state_dir: PathBuf::from("reports/state"),
            report_mode: None,
            local_authorities: Vec::new(),
        }
    }

    /// The local authority a name in the log (or on the command line) means: its name, an
    /// alias or its folder name, ignoring case, spaces and punctuation.
    pub fn authority_named(&self, name: &str) -> Option<usize> {
        let key = crate::fields::normalise_label(name);
        if key.is_empty() {
            return None;
        }
        self.local_authorities.iter().position(|la| {
            std::iter::once(&la.name)
                .chain(&la.aliases)
                .any(|n| crate::fields::normalise_label(n) == key)
                || crate::fields::normalise_label(&la.slug) == key
        })
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Self::parse(&text, path, &base)
    }

    /// A path from the file, relative to its folder, without `dir/..` detours (for messages).
    fn resolve(base: &Path, relative: &str) -> PathBuf {
        let mut out = PathBuf::new();
        for c in base.join(relative).components() {
            match c {
                std::path::Component::ParentDir
                    if matches!(
                        out.components().next_back(),
                        Some(std::path::Component::Normal(_))
                    ) =>
                {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        if out.as_os_str().is_empty() {
            out.push(".");
        }
        out
    }

    pub fn parse(text: &str, path: &Path, base: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let invalid = |message: String| ConfigError::Invalid {
            file: file.clone(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let non_working_days = days(&raw.non_working_days, "non_working_days").map_err(invalid)?;
        let local_authorities = authorities(&raw.local_authorities, base).map_err(invalid)?;
        let arrangements_from = match &raw.arrangements_from {
            None => None,
            Some(d) => Some(
                d.date
                    .and_then(|x| {
                        NaiveDate::from_ymd_opt(x.year as i32, x.month as u32, x.day as u32)
                    })
                    .filter(|_| d.time.is_none())
                    .ok_or_else(|| {
                        invalid(format!(
                            "arrangements_from: `{d}` is not a date like 2019-09-29 (the day your \
                             area's safeguarding-partner arrangements began)"
                        ))
                    })?,
            ),
        };
        let mut sources = Vec::new();
        for (i, s) in raw.sources.iter().enumerate() {
            if s.path.trim().is_empty() {
                return Err(invalid(format!("sources[{i}].path is empty")));
            }
            let date1904 = match s.date_system.as_deref() {
                None | Some("1900") => false,
                Some("1904") => true,
                Some(other) => {
                    return Err(invalid(format!(
                        "sources[{i}].date_system: `{other}` is not \"1900\" or \"1904\""
                    )))
                }
            };
            sources.push(SourceSpec {
                kind: s.kind,
                path: Self::resolve(base, &s.path),
                sheet: s.sheet.clone(),
                columns: s.columns.clone(),
                values: s.values.clone(),
                date1904,
                absent: s.absent.clone(),
                strict: true,
            });
        }
        let out_dir = Self::resolve(
            base,
            &raw.report
                .as_ref()
                .and_then(|r| r.out_dir.clone())
                .unwrap_or_else(|| "reports".to_string()),
        );
        let state_dir = match raw.state.as_ref().and_then(|s| s.dir.clone()) {
            Some(d) => Self::resolve(base, &d),
            None => out_dir.join("state"),
        };
        let report_mode = match raw.report.as_ref().and_then(|r| r.mode.as_deref()) {
            None => None,
            Some(m) => Some(
                u32::from_str_radix(m.trim().trim_start_matches("0o"), 8)
                    .ok()
                    .filter(|v| *v <= 0o777 && *v & 0o600 == 0o600)
                    .ok_or_else(|| {
                        invalid(format!(
                            "report.mode: `{m}` is not a file mode like \"0640\" (octal; the owner must keep read and write)"
                        ))
                    })?,
            ),
        };
        if let Some(t) = raw.email.as_ref().and_then(|e| e.timeout_secs) {
            if !(1..=600).contains(&t) {
                return Err(invalid(format!(
                    "email.timeout_secs: {t} is not between 1 and 600 seconds"
                )));
            }
        }
        let mut email = raw.email.clone();
        if let Some(e) = email.as_mut() {
            if let Some(ca) = &e.ca_file {
                e.ca_file = Some(base.join(ca));
            }
        }
        Ok(Config {
            file: path.to_path_buf(),
            base: base.to_path_buf(),
            rules: raw.rules.iter().map(|r| Self::resolve(base, r)).collect(),
            arrangements_from,
            non_working_days,
            sources,
            out_dir,
            email,
            schedule: raw.schedule.clone(),
            state_dir,
            report_mode,
            local_authorities,
        })
    }

    /// Checks that columns name real fields, rules load, and so on, without reading any log.
    pub fn invalid(&self, message: String) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.display().to_string(),
            message,
        }
    }
}

/// Non-working days from the file; `key` names them in messages.
fn days(raw: &[RawDay], key: &str) -> Result<Vec<(NaiveDate, String)>, String> {
    let mut out = Vec::new();
    for (i, d) in raw.iter().enumerate() {
        let date = d
            .date
            .date
            .and_then(|x| NaiveDate::from_ymd_opt(x.year as i32, x.month as u32, x.day as u32))
            .filter(|_| d.date.time.is_none())
            .ok_or_else(|| {
                format!(
                    "{key}[{i}].date: `{}` is not a date like 2026-12-24",
                    d.date
                )
            })?;
        out.push((date, d.name.clone()));
    }
    Ok(out)
}

/// `[[local_authorities]]`, checked: every name and alias means one authority only, and each has
/// a folder name of its own.
fn authorities(raw: &[RawAuthority], base: &Path) -> Result<Vec<LocalAuthority>, String> {
    let mut out: Vec<LocalAuthority> = Vec::new();
    // Normalised name or alias -> (authority index, as written).
    let mut seen: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (i, a) in raw.iter().enumerate() {
        let at = format!("local_authorities[{i}]");
        let slug = slug(&a.name);
        if slug.is_empty() {
            return Err(format!(
                "{at}.name: a local authority needs a name with letters in it, as the log's Local authority column writes it"
            ));
        }
        if slug == "state" {
            return Err(format!(
                "{at}.name: `{}` would share its report folder with the run state; add a word to the name",
                a.name
            ));
        }
        for (j, n) in std::iter::once(&a.name).chain(&a.aliases).enumerate() {
            let key = crate::fields::normalise_label(n);
            let what = if j == 0 {
                format!("{at}.name")
            } else {
                format!("{at}.aliases[{}]", j - 1)
            };
            if key.is_empty() {
                return Err(format!("{what}: an alias needs letters or digits in it"));
            }
            if let Some((k, first)) = seen.get(&key) {
                if *k == i {
                    continue; // the same authority's name repeated: harmless
                }
                return Err(format!(
                    "{what}: `{n}` also names local_authorities[{k}] (`{first}`; names and aliases are matched ignoring case, spaces and punctuation). A name may belong to one local authority only."
                ));
            }
            seen.insert(key, (i, n.clone()));
        }
        for (j, to) in a.email_to.iter().enumerate() {
            if to.trim().is_empty() {
                return Err(format!("{at}.email_to[{j}] is empty"));
            }
        }
        let non_working_days = days(&a.non_working_days, &format!("{at}.non_working_days"))?;
        let mut rules = Vec::new();
        for (j, r) in a.rules.iter().enumerate() {
            if r.trim().is_empty() {
                return Err(format!("{at}.rules[{j}] is empty"));
            }
            rules.push(Config::resolve(base, r));
        }
        out.push(LocalAuthority {
            name: a.name.trim().to_string(),
            aliases: a.aliases.iter().map(|x| x.trim().to_string()).collect(),
            slug,
            email_to: a.email_to.iter().map(|x| x.trim().to_string()).collect(),
            non_working_days,
            rules,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
