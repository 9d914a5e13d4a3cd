//! The short text summary of an audit, printed by `audit` and `run`: the headline sentence and
//! numbers (the same as the workbook's and the email's, each with its period), the Panel's own
//! duties beside them, then the rows reconciled and the findings by status. It names cases by
//! reference only.

use std::path::Path;

use crate::pipeline::Audit;
use crate::report::digest::Digest;

/// Where the data-quality list went, for the summary to point to.
#[derive(Debug, Clone, Copy)]
pub enum QualityList<'a> {
    /// In the workbook's Data quality sheet.
    Workbook,
    /// In a CSV file of its own (no workbook was written).
    File(&'a Path),
}

/// The summary, with the headline numbers of the audit's own digest.
pub fn text(audit: &Audit) -> String {
    text_with(audit, &Digest::of(audit), QualityList::Workbook)
}

/// The summary of an audit with the digest every other report of the run uses.
pub fn text_with(audit: &Audit, digest: &Digest, quality: QualityList) -> String {
    let t = &audit.tally;
    let r = &audit.cases.reconciliation;
    let h = &digest.headline;
    let mut s = String::new();
    s.push_str(&format!(
        "Audit as of {} ({})\n",
        audit.as_of.format("%d/%m/%Y"),
        audit.as_of.format("%A")
    ));
    s.push_str(&crate::authorities::summary_lines(audit));
    s.push_str(&format!("{}\n", digest.sentence()));
    s.push('\n');
    let figures = h.figures();
    let panel = h.panel_figures();
    let width = figures
        .iter()
        .chain(&panel)
        .map(|f| f.label().chars().count())
        .max()
        .unwrap_or(0);
    for f in &figures {
        s.push_str(&format!("  {:<width$}  {:>5}\n", f.label(), f.value));
    }
    if h.relaxed_overdue > 0 {
        s.push_str(&format!(
            "  (also overdue but not a breach, its timescale relaxed: {})\n",
            h.relaxed_overdue
        ));
    }
    s.push_str("Beside them, not counted in them (the Panel's own timescales):\n");
    for f in &panel {
        s.push_str(&format!("  {:<width$}  {:>5}\n", f.label(), f.value));
    }
    s.push('\n');
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
        "All breaches, every year (late, overdue or ended early, the partnership's duties): {}\n",
        digest.breach_count
    ));
    for m in &audit.missing {
        s.push_str(&format!(
            "Missing column: {}\n",
            m.describe(&audit.rules.schema)
        ));
    }
    for n in &audit.cases.notices {
        s.push_str(&format!("Note: {n}\n"));
    }
    let problems = audit.cases.problems.len();
    if problems > 0 || digest.data_gaps > 0 {
        let place = match quality {
            QualityList::Workbook => "listed in the workbook's Data quality sheet".to_string(),
            QualityList::File(p) => format!("listed in {}", p.display()),
        };
        s.push_str(&format!(
            "Data quality: {problems} problem{} reading the logs, {} dut{} unknown ({place})\n",
            if problems == 1 { "" } else { "s" },
            digest.data_gaps,
            if digest.data_gaps == 1 { "y" } else { "ies" },
        ));
    }
    s
}
