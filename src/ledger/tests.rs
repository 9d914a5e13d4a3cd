//! Unit tests of the ledger: what-changed lines, migrations, the lock and the store.

use std::time::Instant;

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
        conn: Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap(),
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
