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

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest as _, Sha256};

use crate::audit::Audit;
use crate::findings::Status;
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

/// An exclusive lock on the state folder, released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the state folder's lock, waiting up to `wait` for another run to finish (less if
/// `stop` is set meanwhile).
pub fn lock(
    state_dir: &Path,
    wait: Duration,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Lock, LedgerError> {
    let io = |e: std::io::Error| io_error(state_dir, e);
    std::fs::create_dir_all(state_dir).map_err(io)?;
    let path = state_dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock)
                if start.elapsed() < wait
                    && !stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)) =>
            {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LedgerError::Busy {
                    lock: path.display().to_string(),
                    waited_secs: start.elapsed().as_secs(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
    }
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

/// One duty of one case that changed, named for a reader: case reference and duty title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub case_ref: String,
    /// The duty's id (for the findings file).
    pub duty_id: String,
    /// The duty's title, as every report names it.
    pub duty: String,
}

/// What changed since the last report sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// As-of date of the report compared with (None: this is the first report).
    pub since: Option<NaiveDate>,
    /// The partnership's breaches now overdue that were not overdue then.
    pub new_overdue: Vec<Changed>,
    /// The partnership's breaches now late or ended early that were no breach then (not
    /// recorded, pending, met or not applicable). The Panel's own duties are never here.
    pub new_breaches: Vec<Changed>,
    /// Done (met or late) now, pending or overdue then.
    pub completed: Vec<Changed>,
    /// Cases in this report that were not in that one, whatever their duties.
    pub new_cases: Vec<String>,
    /// Overdue and met counts of up to the last 12 reports sent, oldest first, then this one.
    pub trend: Vec<(NaiveDate, i64, i64)>,
}

/// Lists longer than this are summarised ("312 new cases: see the workbook").
pub const LIST_IN_FULL: usize = 5;

impl Changes {
    /// Plain-text lines for the email and summary: each change with its count, the cases and
    /// duty titles when there are few, a pointer to the workbook when there are many.
    pub fn lines(&self) -> Vec<String> {
        let Some(since) = self.since else {
            return vec!["This is the first report recorded in the ledger.".to_string()];
        };
        let mut out = vec![format!(
            "Since the report as of {}:",
            since.format("%d/%m/%Y")
        )];
        let mut push = |label: &str, items: Vec<String>| {
            let n = items.len();
            if n == 0 {
                out.push(format!("- {label}: none"));
            } else if n > LIST_IN_FULL {
                out.push(format!("- {label}: {n} (see the workbook's Summary)"));
            } else {
                out.push(format!("- {label}: {n} ({})", items.join("; ")));
            }
        };
        let named = |v: &[Changed]| {
            v.iter()
                .map(|c| format!("{}: {}", c.case_ref, c.duty))
                .collect::<Vec<_>>()
        };
        push("Newly overdue", named(&self.new_overdue));
        push(
            "New breaches (late or ended early)",
            named(&self.new_breaches),
        );
        push("Duties completed", named(&self.completed));
        push("New cases", self.new_cases.clone());
        out
    }
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
    if crate::output::is_disk_full(&e) {
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

    /// What changed between the last report sent and this audit, and the trend.
    pub fn changes(&self, audit: &Audit) -> Result<Changes, LedgerError> {
        let mut changes = Changes::default();
        let key = report_key(audit);
        let sent = self.recent_sent(&key, audit.as_of, 12)?;
        changes.trend = sent.iter().map(|r| (r.as_of, r.overdue, r.met)).collect();
        changes.trend.push((
            audit.as_of,
            audit.tally.overdue as i64,
            audit.tally.met as i64,
        ));
        let Some((last_id, last_as_of)) = self.baseline(&key, audit.as_of)? else {
            return Ok(changes);
        };
        changes.since = Some(last_as_of);
        let mut before: HashMap<(String, String), String> = HashMap::new();
        let mut cases_before = std::collections::HashSet::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT case_ref, duty, status FROM statuses WHERE run_id = ?1")
                .map_err(|e| sqlite_error(&self.file, e))?;
            let rows = stmt
                .query_map(params![last_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(|e| sqlite_error(&self.file, e))?;
            for row in rows {
                let (c, d, s) = row.map_err(|e| sqlite_error(&self.file, e))?;
                cases_before.insert(c.clone());
                before.insert((c, d), s);
            }
        }
        // A ledger written before every case was recorded holds no row for a case whose
        // duties were all not applicable; such a case cannot be told new from old there, so it
        // is not called new.
        let recorded_all_cases = before.values().any(|s| s == Status::NotApplicable.id());
        let mut seen = std::collections::HashSet::new();
        let mut has_applicable = vec![false; audit.cases.cases.len()];
        for f in &audit.findings {
            if f.status != Status::NotApplicable {
                has_applicable[f.case as usize] = true;
            }
        }
        for f in &audit.findings {
            let case_ref = audit.case_ref(f.case);
            let duty = &audit.rules.duties[f.duty as usize];
            let old = before
                .get(&(case_ref.to_string(), duty.id.clone()))
                .map(String::as_str);
            let changed = || Changed {
                case_ref: case_ref.to_string(),
                duty_id: duty.id.clone(),
                duty: duty.title.clone(),
            };
            let breach = f.breach(&audit.rules);
            let was_breach = matches!(old, Some("late" | "overdue" | "early"));
            if breach && f.status == Status::Overdue && old != Some("overdue") {
                changes.new_overdue.push(changed());
            }
            if breach && matches!(f.status, Status::Late | Status::Early) && !was_breach {
                changes.new_breaches.push(changed());
            }
            if matches!(f.status, Status::Met | Status::Late)
                && matches!(old, Some("pending" | "overdue"))
            {
                changes.completed.push(changed());
            }
            if !cases_before.contains(case_ref)
                && (recorded_all_cases || has_applicable[f.case as usize])
                && seen.insert(f.case)
            {
                changes.new_cases.push(case_ref.to_string());
            }
        }
        Ok(changes)
    }

    /// Up to `n` reports sent (not back-dated) as of `as_of` or before, oldest first.
    fn recent_sent(
        &self,
        key: &str,
        as_of: NaiveDate,
        n: usize,
    ) -> Result<Vec<RunSummary>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, as_of, overdue, met, late FROM runs
                 WHERE report_key = ?1 AND delivery = 'sent' AND backdated = 0 AND as_of <= ?2
                 ORDER BY as_of DESC, id DESC LIMIT ?3",
            )
            .map_err(|e| sqlite_error(&self.file, e))?;
        let as_of = as_of.format("%Y-%m-%d").to_string();
        let rows = stmt
            .query_map(params![key, as_of, n as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| sqlite_error(&self.file, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, as_of, overdue, met, late) = row.map_err(|e| sqlite_error(&self.file, e))?;
            if let Ok(as_of) = NaiveDate::parse_from_str(&as_of, "%Y-%m-%d") {
                out.push(RunSummary {
                    id,
                    as_of,
                    overdue,
                    met,
                    late,
                });
            }
        }
        out.reverse();
        Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_summarised_and_duties_named_by_title() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let changed = |c: &str| Changed {
            case_ref: c.to_string(),
            duty_id: "panel-notification".to_string(),
            duty: "LA notifies the Panel".to_string(),
        };
        let c = Changes {
            since: Some(d("2026-11-16")),
            new_overdue: vec![changed("T-1")],
            new_cases: (0..312).map(|i| format!("T-{i}")).collect(),
            ..Default::default()
        };
        let lines = c.lines();
        assert_eq!(lines[0], "Since the report as of 16/11/2026:");
        assert_eq!(lines[1], "- Newly overdue: 1 (T-1: LA notifies the Panel)");
        assert!(!lines[1].contains("panel-notification"));
        assert_eq!(lines[2], "- New breaches (late or ended early): none");
        assert_eq!(lines[4], "- New cases: 312 (see the workbook's Summary)");
    }

    #[test]
    fn migrates_a_new_ledger_and_refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::open(dir.path()).unwrap();
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(l.run_count().unwrap(), 0);
        drop(l);
        // Reopening is idempotent.
        assert!(Ledger::open(dir.path()).is_ok());
        let junk = tempfile::tempdir().unwrap();
        std::fs::write(
            junk.path().join(DB_FILE),
            b"this is not a database at all, sorry",
        )
        .unwrap();
        let e = Ledger::open(junk.path()).err().unwrap();
        assert!(matches!(e, LedgerError::Corrupt { .. }), "{e}");
        assert!(e.to_string().contains("Move it aside"));
    }

    /// A run row as the schema stores it (the audit-independent columns).
    fn insert(l: &Ledger, as_of: &str, delivery: &str, backdated: bool) -> i64 {
        let d = NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
        l.conn
            .execute(
                "INSERT INTO runs (started_at, as_of, week, config_sha256, inputs_sha256, cases,
                    met, late, overdue, pending, unknown, not_applicable, early, breaches,
                    delivery, backdated)
                 VALUES ('2026-11-23T07:00:00Z', ?1, ?2, '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, ?3, ?4)",
                params![as_of, week_of(d), delivery, backdated as i64],
            )
            .unwrap();
        l.conn.last_insert_rowid()
    }

    #[test]
    fn migrates_a_version_1_ledger_keeping_its_history() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO runs (started_at, as_of, week, config_sha256, inputs_sha256, cases,
                    met, late, overdue, pending, unknown, not_applicable, early, breaches,
                    delivery)
                 VALUES ('t', '2026-11-23', '2026-W48', '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 'sent')",
                [],
            )
            .unwrap();
        }
        let l = Ledger::open(dir.path()).unwrap();
        assert_eq!(l.schema_version().unwrap(), 2);
        assert!(l.sent_in_week(PARTNERSHIP, "2026-W48").unwrap());
        assert!(!l.sent_in_week("la-testshire", "2026-W48").unwrap());
        assert_eq!(
            l.last_sent(PARTNERSHIP).unwrap().unwrap().1.to_string(),
            "2026-11-23"
        );
    }

    #[test]
    fn the_baseline_is_the_latest_report_sent_never_a_back_dated_one() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::open(dir.path()).unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let w48 = insert(&l, "2026-11-23", "sent", false);
        // A back-dated report emailed later (with --force), and an unconfirmed attempt.
        insert(&l, "2026-11-09", "sent", true);
        insert(&l, "2026-11-25", "unknown", false);
        assert_eq!(
            l.baseline(PARTNERSHIP, d("2026-11-30")).unwrap(),
            Some((w48, d("2026-11-23")))
        );
        assert_eq!(
            l.last_sent(PARTNERSHIP).unwrap(),
            Some((w48, d("2026-11-23")))
        );
        // A report as of an earlier date is compared with what was sent before it.
        let w45 = insert(&l, "2026-11-02", "sent", false);
        assert_eq!(
            l.baseline(PARTNERSHIP, d("2026-11-09")).unwrap(),
            Some((w45, d("2026-11-02")))
        );
        assert_eq!(l.baseline(PARTNERSHIP, d("2026-10-01")).unwrap(), None);
        let unknown = l.unknown_in_week(PARTNERSHIP, "2026-W48").unwrap().unwrap();
        assert_eq!(unknown.delivery, "unknown");
        assert!(l
            .unknown_in_week(PARTNERSHIP, "2026-W49")
            .unwrap()
            .is_none());
    }

    #[test]
    fn an_attempt_is_finished_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let id = insert(&l, "2026-11-23", "sending", false);
        assert!(l
            .unknown_in_week(PARTNERSHIP, "2026-W48")
            .unwrap()
            .is_some());
        l.finish(id, Delivery::Sent, None).unwrap();
        assert_eq!(l.delivery_of(id).unwrap().as_deref(), Some("sent"));
        assert!(l.sent_in_week(PARTNERSHIP, "2026-W48").unwrap());
    }

    #[test]
    fn a_read_only_ledger_is_unwritable_not_damaged() {
        let dir = tempfile::tempdir().unwrap();
        drop(Ledger::open(dir.path()).unwrap());
        let db = dir.path().join(DB_FILE);
        // Read-only as SQLite sees it (file modes mean nothing to root).
        let l = Ledger {
            conn: Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap(),
            file: db.clone(),
        };
        let e = l
            .conn
            .execute("UPDATE runs SET delivery = 'sent'", [])
            .map_err(|e| sqlite_error(&db, e))
            .unwrap_err();
        assert!(e.is_unwritable(), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("Keep the ledger") && !text.contains("Move it aside"),
            "{text}"
        );
    }

    #[test]
    fn the_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), Duration::from_millis(0), None).unwrap();
        let e = lock(dir.path(), Duration::from_millis(300), None).unwrap_err();
        assert!(matches!(e, LedgerError::Busy { .. }), "{e}");
        // A stop request ends the wait at once.
        let stop = std::sync::atomic::AtomicBool::new(true);
        let start = Instant::now();
        assert!(lock(dir.path(), Duration::from_secs(30), Some(&stop)).is_err());
        assert!(start.elapsed() < Duration::from_secs(2));
        drop(held);
        assert!(lock(dir.path(), Duration::from_millis(0), None).is_ok());
    }
}
