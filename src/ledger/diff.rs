//! What changed between the last report sent and this audit, read from the ledger: each
//! duty's status then and now, the new cases, and the trend of the last reports.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::params;

use super::{report_key, sqlite_error, Changed, Changes, Ledger, LedgerError, RunSummary};
use crate::findings::Status;
use crate::pipeline::Audit;

impl Ledger {
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
}
