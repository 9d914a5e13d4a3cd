//! The short text summary of an audit, printed by `audit` and `run`. It names cases by
//! reference only.

use crate::audit::Audit;

/// The summary: rows reconciled, cases, and findings by status.
pub fn text(audit: &Audit) -> String {
    let t = &audit.tally;
    let r = &audit.cases.reconciliation;
    let mut s = String::new();
    s.push_str(&format!(
        "Audit as of {} ({})\n",
        audit.as_of.format("%d/%m/%Y"),
        audit.as_of.format("%A")
    ));
    s.push_str(&format!("Rules: {}\n", audit.rules.files.join(" + ")));
    s.push_str(&format!(
        "Rows: read {} = used {} + set aside {} + blank {}\n",
        r.rows_read, r.used, r.set_aside, r.blank
    ));
    s.push_str(&format!("Cases read: {}\n", audit.incident_case_count()));
    let referrals = audit.referral_count();
    if referrals > 0 {
        s.push_str(&format!("Referrals cross-checked: {referrals}\n"));
    }
    s.push_str(&format!(
        "Duties: met {}, late {}, overdue {}, pending {}, unknown {} (not applicable {}, ended early {})\n",
        t.met, t.late, t.overdue, t.pending, t.unknown, t.not_applicable, t.early
    ));
    s.push_str(&format!(
        "Breaches (late, overdue or ended early, excluding the Panel's own duties): {}\n",
        t.breaches
    ));
    if !audit.cases.problems.is_empty() {
        s.push_str(&format!(
            "Data-quality problems: {} (listed in the workbook's Data quality sheet)\n",
            audit.cases.problems.len()
        ));
    }
    s
}
