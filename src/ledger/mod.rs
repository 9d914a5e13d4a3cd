//! The run ledger: an embedded SQLite database in the state folder recording every `run` (when,
//! as of which date, the hashes of the configuration and inputs, the findings summary, each
//! duty's status per case, the recipients and whether delivery succeeded), a lock so two runs
//! cannot both send, and what changed since the last report that was sent.
//!
//! Every run belongs to a report, named by its key ([`PARTNERSHIP`] for the partnership's
//! report; per local authority reports will have their own), and "once a week" holds per key.
//! A delivery is recorded in two steps: the attempt ([`Delivery::Sending`]) is committed
//! before the message goes out, its outcome after. An attempt still `sending` (the process
//! died) or `unknown` (the connection failed after the message was transmitted) may have been
//! delivered, so its week is not sent again without `--force`.
//!
//! The baseline of "what changed" is the sent report with the latest as-of date not after
//! this one, never a back-dated run.
//!
//! Schema migrations are versioned with SQLite's `user_version`.
//!
//! The lock is in `lock`, what changed since the last report in `diff` (its types in
//! [`crate::changes`]).
//!
//! Over 500 lines on purpose: the schema, its migrations and every query on the runs table are in
//! one place, so that a schema change is seen whole; the lock and what changed live beside it.

mod diff;
mod lock;
#[cfg(test)]
mod tests;

pub use lock::{lock, Lock};

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest as _, Sha256};

pub use crate::changes::{Changed, Changes, LIST_IN_FULL};
use crate::findings::Status;
use crate::pipeline::Audit;
use crate::util::week::week_of;

/// The database file in the state folder.
pub const DB_FILE: &str = "ledger.sqlite3";
/// The lock file in the state folder.
pub const LOCK_FILE: &str = "run.lock";

/// Why the ledger cannot be used. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("another safeguard-audit run is in progress (it holds {lock}); waited {waited_secs} s. If no run is going, the lock is released when that process ends: check `ps` for it.")]
    Busy { lock: String, waited_secs: u64 },
    #[error("the run ledger {file} is damaged or not a safeguard-audit ledger ({reason}). Restore it from backup if there is one. Move it aside otherwise, and keep it (it holds the run history): the next run starts a new ledger, and cannot know whether this week's report was already emailed.")]
    Corrupt { file: String, reason: String },
    #[error("cannot write the run ledger {file}: the disk is full. Free some space on that disk (or set [state] dir to a folder on another disk and move the state folder there), then run again. Keep the ledger: it is the record that stops a week's report being emailed twice.")]
    Full { file: String },
    #[error("cannot write the run ledger {file}: {reason}. Make the state folder and the ledger writable by the account that runs safeguard-audit (or set [state] dir to a writable folder and move the state folder there), then run again. Keep the ledger: it is the record that stops a week's report being emailed twice.")]
    Unwritable { file: String, reason: String },
    #[error("the run ledger {file} could not be used: {reason}")]
    Database { file: String, reason: String },
    #[error("the run ledger {file} was written by a newer safeguard-audit (schema version {found}, this one knows {known}). Upgrade safeguard-audit.")]
    TooNew {
        file: String,
        found: i64,
        known: i64,
    },
    #[error("cannot use the state folder {dir}: {reason}. Make sure it can be written (free space, permissions), then run again.")]
    Io { dir: String, reason: String },
}

impl LedgerError {
    /// Whether the ledger could not be written (full, read-only): the run must not send.
    pub fn is_unwritable(&self) -> bool {
        matches!(
            self,
            LedgerError::Full { .. } | LedgerError::Unwritable { .. } | LedgerError::Io { .. }
        )
    }
}

/// The report key of the partnership's weekly report.
pub const PARTNERSHIP: &str = "partnership";

/// The report key of an audit's report: [`PARTNERSHIP`] for the partnership's (or a single
/// council's), the local authority's folder name for one authority's.
pub fn report_key(audit: &Audit) -> String {
    audit
        .authority
        .as_deref()
        .map(crate::config::slug)
        .unwrap_or_else(|| PARTNERSHIP.to_string())
}

/// The newest schema version this code writes.
pub const SCHEMA_VERSION: i64 = 2;

const MIGRATIONS: &[&str] = &[
    // 1: runs, per-case duty statuses, input hashes.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        week TEXT NOT NULL,
        config_sha256 TEXT NOT NULL,
        inputs_sha256 TEXT NOT NULL,
        cases INTEGER NOT NULL,
        met INTEGER NOT NULL,
        late INTEGER NOT NULL,
        overdue INTEGER NOT NULL,
        pending INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        not_applicable INTEGER NOT NULL,
        early INTEGER NOT NULL,
        breaches INTEGER NOT NULL,
        workbook TEXT,
        delivery TEXT NOT NULL,
        delivery_detail TEXT,
        recipients TEXT NOT NULL DEFAULT '',
        forced INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX runs_week ON runs(week, delivery);
    CREATE TABLE statuses (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        case_ref TEXT NOT NULL,
        duty TEXT NOT NULL,
        status TEXT NOT NULL,
        due TEXT,
        PRIMARY KEY (run_id, case_ref, duty)
    );
    CREATE TABLE inputs (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL
    );",
    // 2: which report a run is (report_key), back-dated runs, and when a delivery attempt's
    // outcome was recorded (a `sending` row without one: the process died while sending).
    "ALTER TABLE runs ADD COLUMN report_key TEXT NOT NULL DEFAULT 'partnership';
    ALTER TABLE runs ADD COLUMN backdated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN finished_at TEXT;
    CREATE INDEX runs_key_week ON runs(report_key, week, delivery);",
];

/// What happened to a run's email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Not delivered (the server refused it, or it never got that far).
    Failed,
    /// Recorded before sending; still so afterwards only if the process died while sending.
    Sending,
    /// The connection failed after the message was transmitted: it may have been delivered.
    Unknown,
    /// Not sent: an earlier attempt this week may have been delivered (`--force` sends).
    HeldUnknown,
    /// This week's report had already been sent: files written, no email.
    AlreadySent,
    /// As of a date before the last report sent: files written, no email.
    BackDated,
    DryRun,
    /// No `[email]` in the configuration.
    NotConfigured,
}

impl Delivery {
    pub fn id(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
            Delivery::Sending => "sending",
            Delivery::Unknown => "unknown",
            Delivery::HeldUnknown => "held-unknown",
            Delivery::AlreadySent => "already-sent",
            Delivery::BackDated => "back-dated",
            Delivery::DryRun => "dry-run",
            Delivery::NotConfigured => "not-configured",
        }
    }
}

/// An earlier delivery attempt whose outcome is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAttempt {
    pub run_id: i64,
    /// When that run started (RFC 3339, UTC).
    pub started_at: String,
    /// `sending` (the process died while sending) or `unknown` (the connection failed after
    /// the message was transmitted).
    pub delivery: String,
}

/// The ledger database.
pub struct Ledger {
    conn: Connection,
    file: PathBuf,
}

/// One earlier run, as the trend needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub id: i64,
    pub as_of: NaiveDate,
    pub overdue: i64,
    pub met: i64,
    pub late: i64,
}

/// Classifies SQLite's error code: full, unwritable, damaged, or otherwise.
fn sqlite_error(file: &Path, e: rusqlite::Error) -> LedgerError {
    use rusqlite::ErrorCode as C;
    let file = file.display().to_string();
    let reason = e.to_string();
    match e.sqlite_error_code() {
        Some(C::DiskFull) => LedgerError::Full { file },
        Some(
            C::ReadOnly
            | C::CannotOpen
            | C::PermissionDenied
            | C::SystemIoFailure
            | C::DatabaseLocked
            | C::DatabaseBusy,
        ) => LedgerError::Unwritable { file, reason },
        Some(C::NotADatabase | C::DatabaseCorrupt) => LedgerError::Corrupt { file, reason },
        _ => LedgerError::Database { file, reason },
    }
}

fn io_error(dir: &Path, e: std::io::Error) -> LedgerError {
    if crate::atomic_write::is_disk_full(&e) {
        LedgerError::Full {
            file: dir.display().to_string(),
        }
    } else {
        LedgerError::Io {
            dir: dir.display().to_string(),
            reason: e.to_string(),
        }
    }
}

/// SHA-256 of a file's bytes, hex, and its length.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let bytes = std::fs::read(path)?;
    Ok((hex(&Sha256::digest(&bytes)), bytes.len() as u64))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Ledger {
    /// Opens (creating and migrating) the ledger in `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Ledger, LedgerError> {
        std::fs::create_dir_all(state_dir).map_err(|e| io_error(state_dir, e))?;
        let file = state_dir.join(DB_FILE);
        let conn = Connection::open(&file).map_err(|e| sqlite_error(&file, e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| sqlite_error(&file, e))?;
        let mut ledger = Ledger { conn, file };
        ledger.migrate()?;
        Ok(ledger)
    }

    fn migrate(&mut self) -> Result<(), LedgerError> {
        let file = self.file.clone();
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sqlite_error(&file, e))?;
        if version > SCHEMA_VERSION {
            return Err(LedgerError::TooNew {
                file: file.display().to_string(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if version == 0 {
            // A fresh file must be empty; anything else is not ours.
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| sqlite_error(&file, e))?;
            if tables > 0 {
                return Err(LedgerError::Corrupt {
                    file: file.display().to_string(),
                    reason: "it holds tables but no schema version".to_string(),
                });
            }
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| sqlite_error(&file, e))?;
            tx.execute_batch(sql).map_err(|e| sqlite_error(&file, e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| sqlite_error(&file, e))?;
            tx.commit().map_err(|e| sqlite_error(&file, e))?;
        }
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64, LedgerError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sqlite_error(&self.file, e))
    }

    /// Whether report `key`'s report of `week` was already sent.
    pub fn sent_in_week(&self, key: &str, week: &str) -> Result<bool, LedgerError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM runs WHERE report_key = ?1 AND week = ?2 AND delivery = 'sent'",
                params![key, week],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| sqlite_error(&self.file, e))
    }

    /// The latest attempt this week whose outcome is not known (`sending` left by a process
    /// that died, or `unknown`), if any.
    pub fn unknown_in_week(
        &self,
        key: &str,
        week: &str,
    ) -> Result<Option<UnknownAttempt>, LedgerError> {
        self.conn
            .query_row(
                "SELECT id, started_at, delivery FROM runs
                 WHERE report_key = ?1 AND week = ?2 AND delivery IN ('sending', 'unknown')
                 ORDER BY id DESC LIMIT 1",
                params![key, week],
                |r| {
                    Ok(UnknownAttempt {
                        run_id: r.get(0)?,
                        started_at: r.get(1)?,
                        delivery: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| sqlite_error(&self.file, e))
    }

    /// The report sent with the latest as-of date (not back-dated), for `schedule`'s missed
    /// run and for telling a back-dated run.
    pub fn last_sent(&self, key: &str) -> Result<Option<(i64, NaiveDate)>, LedgerError> {
        self.sent_before(key, None)
    }

    /// The baseline of "what changed" for a report as of `as_of`: the report sent with the
    /// latest as-of date not after it (the newest run on a tie), never a back-dated one.
    pub fn baseline(
        &self,
        key: &str,
        as_of: NaiveDate,
    ) -> Result<Option<(i64, NaiveDate)>, LedgerError> {
        self.sent_before(key, Some(as_of))
    }

    fn sent_before(
        &self,
        key: &str,
        as_of: Option<NaiveDate>,
    ) -> Result<Option<(i64, NaiveDate)>, LedgerError> {
        let limit = as_of
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "9999-12-31".to_string());
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, as_of FROM runs
                 WHERE report_key = ?1 AND delivery = 'sent' AND backdated = 0 AND as_of <= ?2
                 ORDER BY as_of DESC, id DESC LIMIT 1",
                params![key, limit],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| sqlite_error(&self.file, e))?;
        Ok(row.and_then(|(id, d)| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .ok()
                .map(|d| (id, d))
        }))
    }

    /// How many runs are recorded.
    pub fn run_count(&self) -> Result<i64, LedgerError> {
        self.conn
            .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .map_err(|e| sqlite_error(&self.file, e))
    }

    /// Records a run and its statuses. Returns the run id.
    pub fn record(&mut self, run: &RunRecord, audit: &Audit) -> Result<i64, LedgerError> {
        let file = self.file.clone();
        let e = |err| sqlite_error(&file, err);
        let tx = self.conn.transaction().map_err(e)?;
        let t = &audit.tally;
        tx.execute(
            "INSERT INTO runs (started_at, as_of, week, config_sha256, inputs_sha256, cases, met,
                late, overdue, pending, unknown, not_applicable, early, breaches, workbook,
                delivery, delivery_detail, recipients, forced, report_key, backdated, finished_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22)",
            params![
                run.started_at,
                audit.as_of.format("%Y-%m-%d").to_string(),
                week_of(audit.as_of),
                run.config_sha256,
                run.inputs_sha256(),
                audit.incident_case_count() as i64,
                t.met as i64,
                t.late as i64,
                t.overdue as i64,
                t.pending as i64,
                t.unknown as i64,
                t.not_applicable as i64,
                t.early as i64,
                t.breaches as i64,
                run.workbook,
                run.delivery.id(),
                run.delivery_detail,
                run.recipients.join(", "),
                run.forced as i64,
                run.report_key,
                run.backdated as i64,
                (run.delivery != Delivery::Sending).then(|| chrono::Utc::now().to_rfc3339()),
            ],
        )
        .map_err(e)?;
        let id = tx.last_insert_rowid();
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR REPLACE INTO statuses (run_id, case_ref, duty, status, due)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(e)?;
            // Every case is recorded, so that the next report knows it was in this one: a case
            // whose duties are all not applicable gets one row (its first duty, not_applicable).
            let mut recorded = vec![false; audit.cases.cases.len()];
            for f in &audit.findings {
                if f.status != Status::NotApplicable {
                    recorded[f.case as usize] = true;
                }
            }
            for f in audit.findings.iter().filter(|f| {
                f.status != Status::NotApplicable
                    || !std::mem::replace(&mut recorded[f.case as usize], true)
            }) {
                stmt.execute(params![
                    id,
                    audit.case_ref(f.case),
                    audit.rules.duties[f.duty as usize].id,
                    f.status.id(),
                    f.due.map(|d| d.format("%Y-%m-%d").to_string()),
                ])
                .map_err(e)?;
            }
            let mut stmt = tx
                .prepare("INSERT INTO inputs (run_id, path, sha256, bytes) VALUES (?1, ?2, ?3, ?4)")
                .map_err(e)?;
            for (path, sha, bytes) in &run.inputs {
                stmt.execute(params![id, path, sha, *bytes as i64])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        Ok(id)
    }

    /// Records the outcome of the delivery attempt of run `id` (recorded as
    /// [`Delivery::Sending`] before sending).
    pub fn finish(
        &mut self,
        id: i64,
        delivery: Delivery,
        detail: Option<&str>,
    ) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE runs SET delivery = ?1, delivery_detail = ?2, finished_at = ?3 WHERE id = ?4",
                params![delivery.id(), detail, chrono::Utc::now().to_rfc3339(), id],
            )
            .map(|_| ())
            .map_err(|e| sqlite_error(&self.file, e))
    }

    /// The delivery recorded for run `id` (for tests and `inspect`).
    pub fn delivery_of(&self, id: i64) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row(
                "SELECT delivery FROM runs WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| sqlite_error(&self.file, e))
    }
}

/// What a run records besides the audit.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub started_at: String,
    pub config_sha256: String,
    /// (path, sha256, bytes) of every input file.
    pub inputs: Vec<(String, String, u64)>,
    pub workbook: Option<String>,
    pub delivery: Delivery,
    pub delivery_detail: Option<String>,
    pub recipients: Vec<String>,
    pub forced: bool,
    /// Which report this is ([`PARTNERSHIP`]).
    pub report_key: String,
    /// As of a date before the last report sent: never a baseline.
    pub backdated: bool,
}

impl RunRecord {
    /// One hash over all input hashes, in order.
    pub fn inputs_sha256(&self) -> String {
        let mut h = Sha256::new();
        for (path, sha, _) in &self.inputs {
            h.update(path.as_bytes());
            h.update(sha.as_bytes());
        }
        hex(&h.finalize())
    }
}
