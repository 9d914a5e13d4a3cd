//! Checking a configuration without running it (`check-config`): the file parses, its rules
//! load, and every source is opened and read as `audit` reads it (sheet, header row, every
//! column mapping and value map), so that "configuration OK" means the next audit cannot fail
//! on mapping. Nothing is written. The result is typed; the command line prints it and picks
//! the exit code.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cases::Reconciliation;
use crate::columns::MissingColumn;
use crate::config::Config;
use crate::pipeline::AuditError;

/// One table a source was read from.
#[derive(Debug, Clone)]
pub struct TableCheck {
    /// "file, sheet `S`"
    pub table: String,
    pub header_row: u32,
    /// Fields found, of those looked for.
    pub mapped: usize,
    pub fields: usize,
}

/// One configured source.
#[derive(Debug, Clone)]
pub struct SourceCheck {
    pub path: PathBuf,
    pub referrals: bool,
    pub files: usize,
}

/// What a configuration would do, read but not run for real.
#[derive(Debug, Clone)]
pub struct ConfigCheck {
    pub as_of: NaiveDate,
    pub rules: String,
    pub sources: Vec<SourceCheck>,
    pub tables: Vec<TableCheck>,
    /// Fields a duty needs that a log has no column for (declared in `absent`, or a log
    /// given on the command line), and what each would cost.
    pub missing: Vec<String>,
    /// Hidden sheets left out, repeated header rows.
    pub notices: Vec<String>,
    pub rows: Reconciliation,
    /// Data-quality problems the audit would list (rows set aside, unreadable cells).
    pub problems: usize,
    pub non_working_days: usize,
    pub reports: PathBuf,
    /// How email would be sent, if there is an `[email]` section.
    pub email: Option<String>,
    /// The `[schedule]`, checked exactly as `schedule` checks it, if there is one.
    pub schedule: Option<String>,
    /// A partnership's local authorities: one line each (report folder, recipients, own
    /// non-working days and rules).
    pub authorities: Vec<String>,
}

impl ConfigCheck {
    /// The lines `check-config` prints.
    pub fn lines(&self) -> Vec<String> {
        let mut l = vec![format!("rules: {}", self.rules)];
        for (i, s) in self.sources.iter().enumerate() {
            l.push(format!(
                "source {}: {} file{} for {}{}",
                i + 1,
                s.files,
                if s.files == 1 { "" } else { "s" },
                s.path.display(),
                if s.referrals { " (referrals)" } else { "" }
            ));
        }
        for t in &self.tables {
            l.push(format!(
                "  {}: header row {}, {} of {} fields found",
                t.table, t.header_row, t.mapped, t.fields
            ));
        }
        for m in &self.missing {
            l.push(format!("missing column: {m}"));
        }
        for n in &self.notices {
            l.push(format!("note: {n}"));
        }
        for a in &self.authorities {
            l.push(format!("local authority {a}"));
        }
        l.push(format!(
            "rows as of {}: {}",
            self.as_of.format("%d/%m/%Y"),
            self.rows
        ));
        if self.problems > 0 {
            l.push(format!(
                "data-quality problems the audit would list: {} (rows set aside: {})",
                self.problems, self.rows.set_aside
            ));
        }
        if self.non_working_days > 0 {
            l.push(format!("local non-working days: {}", self.non_working_days));
        }
        l.push(format!("reports: {}", self.reports.display()));
        l.push(match &self.email {
            Some(e) => e.clone(),
            None => "email: no [email] section (`run` needs one to send the report)".to_string(),
        });
        if let Some(s) = &self.schedule {
            l.push(s.clone());
        }
        l.push("configuration OK".to_string());
        l
    }
}

/// Checks a configuration file: everything `audit` would refuse is an error (whose exit code
/// the caller takes from the [`AuditError`]); everything it would set aside is counted.
pub fn check_config(path: &Path, as_of: NaiveDate) -> Result<ConfigCheck, AuditError> {
    let config = Config::load(path)?;
    check(&config, as_of)
}

/// As [`check_config`], for a configuration already loaded.
pub fn check(config: &Config, as_of: NaiveDate) -> Result<ConfigCheck, AuditError> {
    if config.sources.is_empty() {
        return Err(AuditError::Config(
            config.invalid("no [[sources]]".to_string()),
        ));
    }
    // [schedule], exactly as `schedule` will read it.
    let schedule = match &config.schedule {
        Some(s) => {
            let sched = crate::schedule::Schedule::from_config(s)
                .map_err(|e| AuditError::Config(config.invalid(e.to_string())))?;
            Some(format!("schedule: cron \"{}\" in {}", sched.expr, sched.tz))
        }
        None => None,
    };
    let rules = crate::pipeline::prepare(config)?.0;
    for (i, spec) in config.sources.iter().enumerate() {
        if spec.kind == crate::ingest::SourceKind::IncidentLog {
            if let Some(m) = crate::columns::unknown_keys(i, spec, &rules.schema) {
                return Err(AuditError::Config(config.invalid(m)));
            }
        }
    }
    let mut sources = Vec::new();
    for s in &config.sources {
        let files = crate::ingest::expand(&s.path)
            .map_err(|e| AuditError::Input(crate::cases::ReadError::Ingest(e)))?;
        sources.push(SourceCheck {
            path: s.path.clone(),
            referrals: s.kind == crate::ingest::SourceKind::Referrals,
            files: files.len(),
        });
    }
    // The audit itself, in memory: the same reading, refusals and set-asides.
    let audit = crate::pipeline::run(config, as_of)?;
    let email = match &config.email {
        Some(_) => {
            let settings =
                crate::email::Settings::resolve(config, crate::email::Password::Required)?;
            for k in 0..config.local_authorities.len() {
                settings.for_authority(config, k)?;
            }
            Some(settings.describe())
        }
        None => None,
    };
    let authorities = match &audit.partnership {
        Some(p) => config
            .local_authorities
            .iter()
            .zip(&p.authorities)
            .map(|(la, a)| {
                format!(
                    "{}: report in {}, {} recipient{}, {} own non-working day{}, rules {}",
                    la.name,
                    config.out_dir.join(&la.slug).display(),
                    la.email_to.len(),
                    if la.email_to.len() == 1 { "" } else { "s" },
                    la.non_working_days.len(),
                    if la.non_working_days.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    a.rules.files.join(" + ")
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let tables = audit
        .cases
        .tables
        .iter()
        .map(|t| TableCheck {
            table: format!("{}{}", t.file, crate::ingest::sheet_suffix(&t.sheet)),
            header_row: t.header_row,
            mapped: t.columns.iter().filter(|c| c.is_some()).count(),
            fields: t.columns.len(),
        })
        .collect();
    let missing = audit
        .missing
        .iter()
        .map(|m: &MissingColumn| m.describe(&audit.rules.schema))
        .collect();
    Ok(ConfigCheck {
        as_of,
        rules: format!(
            "{} duties from {}",
            audit.rules.duties.len(),
            audit.rules.files.join(" + ")
        ),
        sources,
        tables,
        missing,
        notices: audit.cases.notices.clone(),
        rows: audit.cases.reconciliation,
        problems: audit.cases.problems.len(),
        non_working_days: config.non_working_days.len(),
        reports: config.out_dir.clone(),
        email,
        schedule,
        authorities,
    })
}
