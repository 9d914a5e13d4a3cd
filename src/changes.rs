//! What changed since the last report sent (newly overdue, new breaches, duties completed,
//! new cases, the trend): the ledger computes it, the reports show it. Below both, so a
//! report need not depend on the ledger's storage.

use chrono::NaiveDate;

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
