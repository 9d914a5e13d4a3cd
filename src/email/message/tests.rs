//! Unit tests of `message`.

use super::*;
use crate::findings::Status;
use crate::report::headline::{Headline, PanelFigures};
use crate::rules::Actor;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn item(case: &str, child: &str, due: &str, wd: i64, status: Status) -> Item {
    Item {
        case_ref: case.into(),
        child_id: child.into(),
        local_authority: "Testshire".into(),
        duty: "LA notifies the Panel".into(),
        actor: Actor::La,
        status,
        start: None,
        due: Some(d(due)),
        done: None,
        working_days: Some(wd),
        breach: status != Status::Pending,
    }
}

fn digest() -> Digest {
    Digest {
        as_of: d("2026-11-23"),
        week_start: d("2026-11-17"),
        year_start: d("2026-04-01"),
        due_soon_until: d("2026-12-07"),
        headline: Headline {
            as_of: d("2026-11-23"),
            year_start: d("2026-04-01"),
            year_end: d("2027-03-31"),
            due_soon_until: d("2026-12-07"),
            overdue_now: 2,
            breaches_this_year: 3,
            due_soon: 1,
            relaxed_overdue: 0,
            panel: PanelFigures::default(),
        },
        cases: 4,
        open_cases: 3,
        overdue: vec![
            item("T-3<script>", "C-3<&>\"", "2026-11-17", -4, Status::Overdue),
            item("T-1", "C-1", "2026-11-09", -10, Status::Overdue),
        ],
        panel_overdue: vec![],
        due_soon: vec![item("T-2", "C-2", "2026-11-26", 3, Status::Pending)],
        panel_due_soon: vec![],
        action: vec![],
        breaches: vec![],
        breach_count: 0,
        data_gaps: 2,
        per_duty: vec![],
        per_authority: vec![],
        per_quarter: vec![],
        quarters_left_out: 0,
        changes: None,
        authority: None,
    }
}

#[test]
fn subject_gives_the_headline_numbers_by_name() {
    assert_eq!(
        subject(&digest()),
        "Safeguarding compliance, week to 23/11/2026: 2 overdue now, 1 due soon, 3 breaches this financial year 2026-27"
    );
}

#[test]
fn bodies_carry_figures_and_escape_log_text() {
    let dg = digest();
    let r = Report {
        digest: &dg,
        workbook: None,
        findings: Some(Path::new("/srv/audit/out/findings-2026-11-23.csv")),
        changes: Some("- T-9 <closed>\nNew: 1"),
    };
    let text = text_body(&r);
    assert!(text.contains("10 working days overdue"), "{text}");
    assert!(text.contains("3 working days left"), "{text}");
    assert!(text.contains("Due 09/11/2026"), "{text}");
    assert!(text.contains("Who acts: LA"), "{text}");
    assert!(text.contains("No workbook is attached"), "{text}");
    assert!(text.contains("* T-9 <closed>"), "{text}");
    assert!(!text.contains("/srv/audit"), "no server path: {text}");
    let html = html_body(&r);
    assert!(html.contains("T-3&lt;script&gt;"), "{html}");
    assert!(html.contains("C-3&lt;&amp;&gt;&quot;"));
    assert!(html.contains("T-9 &lt;closed&gt;"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<style"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("src="));
    assert!(!html.contains("/srv/audit"));
    assert!(html.contains("max-width:680px"));
    for label in [
        "Overdue now",
        "as of 23/11/2026",
        "Breaches this financial year",
        "1 April 2026 to 31 March 2027",
        "Due soon",
        "Panel's own duties overdue now",
    ] {
        assert!(html.contains(label) && text.contains(label), "{label}");
    }
    let without = Report { changes: None, ..r };
    assert!(!html_body(&without).contains("What changed"));
    assert!(!text_body(&without).contains("What changed"));
}

#[test]
fn long_lists_are_capped() {
    let mut dg = digest();
    dg.overdue = (0..MAX_ROWS + 7)
        .map(|i| item(&format!("T-{i}"), "C", "2026-11-09", -1, Status::Overdue))
        .collect();
    let r = Report {
        digest: &dg,
        workbook: Some(Path::new("compliance-2026-11-23.xlsx")),
        findings: None,
        changes: None,
    };
    assert!(text_body(&r).contains("... and 7 more in the workbook."));
    assert!(html_body(&r).contains("... and 7 more in the workbook."));
    assert_eq!(
        days_text(&item("x", "c", "2026-11-09", -1, Status::Overdue)),
        "1 working day overdue"
    );
    assert_eq!(
        days_text(&item("x", "c", "2026-11-09", 0, Status::Pending)),
        "due today"
    );
}
