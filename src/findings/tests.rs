//! Each duty's statuses at their boundaries, and every edge rule of DOMAIN.md.
//!
//! Over 500 lines on purpose: one test per duty, status and DOMAIN edge rule, sharing one small
//! case builder.

use super::*;
use crate::cases::RowRef;
use crate::fields::Kind;
use std::sync::OnceLock;

fn rules() -> &'static RuleSet {
    static R: OnceLock<RuleSet> = OnceLock::new();
    R.get_or_init(|| RuleSet::baseline().unwrap())
}

fn cal() -> &'static Calendar {
    static C: OnceLock<Calendar> = OnceLock::new();
    C.get_or_init(Calendar::england_and_wales)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A case from (field name, value) pairs; "?" is an unreadable value, "!" a conflict.
fn case(pairs: &[(&str, &str)]) -> Case {
    let schema = &rules().schema;
    let mut values = vec![Value::Blank; schema.len()];
    for (name, v) in pairs {
        let f = schema
            .lookup(name)
            .unwrap_or_else(|| panic!("field {name}"));
        values[f.index()] = match (*v, &schema.def(f).kind) {
            ("?", _) => Value::Invalid,
            ("!", _) => Value::Conflict,
            (v, Kind::Date) => Value::Date(d(v)),
            (v, Kind::Category(_)) => Value::Cat(schema.category_index(f, v).unwrap()),
            (_, Kind::Text) => Value::Blank,
        };
    }
    Case {
        case_ref: "T-1".into(),
        local_authority: None,
        child_id: None,
        reviewer: None,
        values: values.into_iter().map(crate::cases::Packed::from).collect(),
        first_row: RowRef { table: 0, row: 2 },
        rows: 1,
        referral: false,
    }
}

fn eval(c: &Case, as_of: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    evaluate_case(0, c, rules(), cal(), d(as_of), &mut out);
    out
}

fn get(c: &Case, as_of: &str, duty: &str) -> Finding {
    let i = rules().duty_index(duty).unwrap();
    eval(c, as_of)[i]
}

/// A serious incident in area: Panel and partners duties apply.
fn serious(extra: &[(&'static str, &'static str)]) -> Case {
    let mut p = vec![
        ("outcome", "seriously harmed"),
        ("abuse_neglect", "suspected"),
        ("child_status", "child in need"),
    ];
    p.extend_from_slice(extra);
    case(&p)
}

#[test]
fn panel_notification_done_on_the_due_date_is_met() {
    // Aware Mon 2024-03-04: 5 working days -> Mon 2024-03-11.
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-11"),
    ]);
    let f = get(&c, "2024-06-01", "panel-notification");
    assert_eq!(f.status, Status::Met);
    assert_eq!(f.start, Some(d("2024-03-04")));
    assert_eq!(f.due, Some(d("2024-03-11")));
    assert_eq!(f.working_days_late(), None);
}

#[test]
fn one_working_day_after_is_late_by_one() {
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-12"),
    ]);
    let f = get(&c, "2024-06-01", "panel-notification");
    assert_eq!(f.status, Status::Late);
    assert_eq!(f.working_days_late(), Some(1));
}

#[test]
fn done_on_the_weekend_after_a_friday_due_date_is_late_by_no_working_days() {
    // Aware Fri 2024-03-01 -> due Fri 2024-03-08; done Sat 09: late, 0 working days.
    let c = serious(&[
        ("aware_date", "2024-03-01"),
        ("panel_notified", "2024-03-09"),
    ]);
    let f = get(&c, "2024-06-01", "panel-notification");
    assert_eq!(f.due, Some(d("2024-03-08")));
    assert_eq!(f.status, Status::Late);
    assert_eq!(f.working_days_late(), Some(0));
}

#[test]
fn due_friday_before_a_bank_holiday_monday() {
    // Aware Fri 2024-05-17 -> due Fri 2024-05-24; Mon 27 May is the spring bank holiday,
    // so notifying on Tue 28 May is 1 working day late.
    let c = serious(&[
        ("aware_date", "2024-05-17"),
        ("panel_notified", "2024-05-28"),
    ]);
    let f = get(&c, "2024-07-01", "panel-notification");
    assert_eq!(f.due, Some(d("2024-05-24")));
    assert_eq!(f.status, Status::Late);
    assert_eq!(f.working_days_late(), Some(1));
}

#[test]
fn awareness_on_a_saturday_counts_from_monday() {
    // Aware Sat 2024-03-02: Mon 4 .. Fri 8 -> due Fri 2024-03-08.
    let c = serious(&[("aware_date", "2024-03-02")]);
    let f = get(&c, "2024-03-08", "panel-notification");
    assert_eq!(f.due, Some(d("2024-03-08")));
    assert_eq!(f.status, Status::Pending, "due today is not yet overdue");
    assert_eq!(f.working_days_left(), Some(0));
    let f = get(&c, "2024-03-11", "panel-notification");
    assert_eq!(f.status, Status::Overdue);
    assert_eq!(f.working_days_late(), Some(1));
}

#[test]
fn platinum_jubilee_2022_holidays_are_skipped() {
    // Aware Fri 2022-05-27: Mon 30, Tue 31, Wed 1, [Thu 2, Fri 3 holidays], Mon 6, Tue 7.
    let c = serious(&[("aware_date", "2022-05-27")]);
    assert_eq!(
        get(&c, "2022-12-01", "panel-notification").due,
        Some(d("2022-06-07"))
    );
}

#[test]
fn state_funeral_and_coronation_holidays_are_skipped() {
    // Aware Wed 2022-09-14: Thu 15, Fri 16, [Mon 19 funeral], Tue 20, Wed 21, Thu 22.
    let c = serious(&[("aware_date", "2022-09-14")]);
    assert_eq!(
        get(&c, "2022-12-01", "panel-notification").due,
        Some(d("2022-09-22"))
    );
    // Aware Tue 2023-05-02: Wed 3, Thu 4, Fri 5, [Mon 8 coronation], Tue 9, Wed 10.
    let c = serious(&[("aware_date", "2023-05-02")]);
    assert_eq!(
        get(&c, "2023-12-01", "panel-notification").due,
        Some(d("2023-05-10"))
    );
}

#[test]
fn year_end_skips_christmas_and_new_year() {
    // Aware Mon 2024-12-23: Tue 24, [25, 26], Fri 27, Mon 30, Tue 31, [1 Jan], Thu 2 Jan.
    let c = serious(&[("aware_date", "2024-12-23")]);
    let f = get(&c, "2025-01-10", "panel-notification");
    assert_eq!(f.due, Some(d("2025-01-02")));
    assert_eq!(f.status, Status::Overdue);
    // Fri 3, Mon 6, Tue 7, Wed 8, Thu 9, Fri 10 -> 6 working days overdue.
    assert_eq!(f.working_days_late(), Some(6));
}

#[test]
fn publication_six_months_from_31_august_is_end_of_february() {
    let c = case(&[
        ("decision", "local review"),
        ("decision_date", "2024-08-31"),
        ("published", "2025-02-28"),
    ]);
    let f = get(&c, "2025-06-01", "publication");
    assert_eq!(f.due, Some(d("2025-02-28")));
    assert_eq!(f.status, Status::Met);
    let c = case(&[
        ("decision", "local review"),
        ("decision_date", "2023-08-31"),
    ]);
    let f = get(&c, "2024-03-01", "publication");
    assert_eq!(f.due, Some(d("2024-02-29")), "leap year");
    assert_eq!(f.status, Status::Overdue);
    // 29 Feb 2024 was Thursday; Fri 1 Mar is one working day later.
    assert_eq!(f.working_days_late(), Some(1));
    let f = get(&c, "2024-02-29", "publication");
    assert_eq!(f.status, Status::Pending);
}

#[test]
fn publication_without_a_decision_date_is_unknown() {
    let c = case(&[("decision", "local review")]);
    let f = get(&c, "2025-06-01", "publication");
    assert_eq!(f.status, Status::Unknown);
    assert_eq!(f.reason, Reason::Blank(crate::fields::DECISION_DATE));
}

#[test]
fn decision_duties_do_not_apply_without_a_local_review() {
    for decision in ["no review", "national review", "other learning"] {
        let c = case(&[("decision", decision), ("decision_date", "2024-01-10")]);
        for duty in [
            "review-decision-notice",
            "report-before-publication",
            "publication",
        ] {
            assert_eq!(
                get(&c, "2025-01-01", duty).status,
                Status::NotApplicable,
                "{decision} {duty}"
            );
        }
    }
    // No decision yet: nothing to do.
    let c = case(&[("aware_date", "2024-01-10")]);
    assert_eq!(
        get(&c, "2025-01-01", "publication").status,
        Status::NotApplicable
    );
    // An unreadable decision cannot be decided.
    let c = case(&[("decision", "?"), ("decision_date", "2024-01-10")]);
    assert_eq!(get(&c, "2025-01-01", "publication").status, Status::Unknown);
}

#[test]
fn report_before_publication() {
    let base = [
        ("decision", "local review"),
        ("decision_date", "2024-01-10"),
    ];
    // Not published: pending without a due date.
    let c = case(&base);
    let f = get(&c, "2024-05-01", "report-before-publication");
    assert_eq!((f.status, f.due), (Status::Pending, None));
    // Published Fri 2024-06-14: 7 working days before is Wed 2024-06-05.
    let mut p = base.to_vec();
    p.extend([("published", "2024-06-14"), ("report_sent", "2024-06-05")]);
    let f = get(&case(&p), "2024-07-01", "report-before-publication");
    assert_eq!(f.due, Some(d("2024-06-05")));
    assert_eq!(f.status, Status::Met);
    let mut p = base.to_vec();
    p.extend([("published", "2024-06-14"), ("report_sent", "2024-06-07")]);
    let f = get(&case(&p), "2024-07-01", "report-before-publication");
    assert_eq!(f.status, Status::Late);
    assert_eq!(f.working_days_late(), Some(2));
    // Published, report never sent: overdue, counted to the as-of date.
    let mut p = base.to_vec();
    p.push(("published", "2024-06-14"));
    let f = get(&case(&p), "2024-06-17", "report-before-publication");
    assert_eq!(f.status, Status::Overdue);
    // Thu 6, Fri 7, Mon 10 .. Fri 14, Mon 17 = 8
    assert_eq!(f.working_days_late(), Some(8));
    // Publication after the as-of date has not happened: pending, no due date.
    let f = get(&case(&p), "2024-06-13", "report-before-publication");
    assert_eq!((f.status, f.due), (Status::Pending, None));
}

#[test]
fn publication_period_is_a_minimum() {
    let base = [
        ("decision", "local review"),
        ("decision_date", "2023-01-10"),
    ];
    let mut p = base.to_vec();
    p.push(("published", "2023-06-14"));
    let f = get(&case(&p), "2024-01-01", "publication-period");
    assert_eq!((f.status, f.due), (Status::Pending, Some(d("2024-06-14"))));
    assert_eq!(f.working_days_late(), None);
    assert_eq!(
        get(&case(&p), "2024-06-14", "publication-period").status,
        Status::Met
    );
    p.push(("unpublished", "2024-06-13"));
    let f = get(&case(&p), "2024-07-01", "publication-period");
    assert_eq!(f.status, Status::Early);
    assert_eq!(f.working_days_late(), None);
    let mut p = base.to_vec();
    p.extend([("published", "2023-06-14"), ("unpublished", "2024-06-14")]);
    assert_eq!(
        get(&case(&p), "2024-07-01", "publication-period").status,
        Status::Met
    );
    // Not published: does not apply.
    assert_eq!(
        get(&case(&base), "2024-07-01", "publication-period").status,
        Status::NotApplicable
    );
    // Published 29 Feb: the anniversary is 28 Feb.
    let mut p = base.to_vec();
    p.push(("published", "2024-02-29"));
    assert_eq!(
        get(&case(&p), "2024-07-01", "publication-period").due,
        Some(d("2025-02-28"))
    );
}

#[test]
fn applicability_needs_its_facts() {
    // Outcome blank: Panel and partners unknown.
    let c = case(&[("abuse_neglect", "known"), ("aware_date", "2024-03-04")]);
    for duty in ["panel-notification", "partners-notification"] {
        let f = get(&c, "2024-06-01", duty);
        assert_eq!(f.status, Status::Unknown, "{duty}");
        assert_eq!(f.reason, Reason::Blank(crate::fields::OUTCOME));
    }
    // Abuse unreadable: unknown, even though the outcome is known.
    let c = case(&[
        ("outcome", "died"),
        ("abuse_neglect", "?"),
        ("aware_date", "2024-03-04"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-notification").status,
        Status::Unknown
    );
    // Outcome or child status missing: the looked-after duties are unknown.
    let c = case(&[
        ("outcome", "died"),
        ("abuse_neglect", "known"),
        ("aware_date", "2024-03-04"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "lac-death-ofsted").reason,
        Reason::Blank(crate::fields::CHILD_STATUS)
    );
    let c = case(&[
        ("child_status", "looked after"),
        ("aware_date", "2024-03-04"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "lac-death-secretary-of-state").status,
        Status::Unknown
    );
    // Conflicting rows: unknown.
    let c = case(&[
        ("outcome", "!"),
        ("abuse_neglect", "known"),
        ("aware_date", "2024-03-04"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-notification").reason,
        Reason::Conflicting(crate::fields::OUTCOME)
    );
}

#[test]
fn blank_location_means_in_area_and_elsewhere_in_england_does_not_apply() {
    let c = serious(&[("aware_date", "2024-03-04")]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-notification").status,
        Status::Overdue
    );
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("incident_location", "outside England"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-notification").status,
        Status::Overdue
    );
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("incident_location", "elsewhere in England"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-notification").status,
        Status::NotApplicable
    );
    assert_eq!(
        get(&c, "2024-06-01", "rapid-review").status,
        Status::NotApplicable
    );
    let c = serious(&[("aware_date", "2024-03-04"), ("incident_location", "?")]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-notification").status,
        Status::Unknown
    );
}

#[test]
fn applying_duty_without_clock_start_is_unknown() {
    let c = serious(&[]);
    let f = get(&c, "2024-06-01", "panel-notification");
    assert_eq!(f.status, Status::Unknown);
    assert_eq!(f.reason, Reason::Blank(crate::fields::AWARE_DATE));
    let c = serious(&[("aware_date", "?")]);
    assert_eq!(
        get(&c, "2024-06-01", "partners-notification").reason,
        Reason::Unreadable(crate::fields::AWARE_DATE)
    );
}

#[test]
fn looked_after_death_duties_apply_whether_or_not_abuse_is_suspected() {
    let c = case(&[
        ("outcome", "died"),
        ("abuse_neglect", "not suspected"),
        ("child_status", "looked after"),
        ("aware_date", "2024-03-04"),
        ("ofsted_notified", "2024-03-06"),
    ]);
    let fs = eval(&c, "2024-06-01");
    let by = |id: &str| fs[rules().duty_index(id).unwrap()];
    assert_eq!(by("panel-notification").status, Status::NotApplicable);
    assert_eq!(by("lac-death-ofsted").status, Status::Met);
    assert_eq!(by("lac-death-secretary-of-state").status, Status::Overdue);
    assert_eq!(by("rapid-review").status, Status::NotApplicable);
    // A looked-after child seriously harmed (not died): not these duties.
    let c = case(&[
        ("outcome", "seriously harmed"),
        ("abuse_neglect", "known"),
        ("child_status", "looked after"),
        ("aware_date", "2024-03-04"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "lac-death-ofsted").status,
        Status::NotApplicable
    );
}

#[test]
fn rapid_review_edges() {
    // The Panel duty applies but nobody notified: pending with no due date.
    let c = serious(&[("aware_date", "2024-03-04")]);
    let f = get(&c, "2024-06-01", "rapid-review");
    assert_eq!((f.status, f.due), (Status::Pending, None));
    // Notified Mon 2024-03-11: due 15 working days later, Wed 2024-04-03 (Good Friday 29 Mar
    // and Easter Monday 1 Apr skipped).
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-11"),
    ]);
    let f = get(&c, "2024-06-01", "rapid-review");
    assert_eq!(f.due, Some(d("2024-04-03")));
    assert_eq!(f.status, Status::Overdue);
    // Notified although not required: the rapid review still applies.
    let c = case(&[
        ("outcome", "other"),
        ("abuse_neglect", "not suspected"),
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-05"),
        ("rapid_review_sent", "2024-03-20"),
    ]);
    let fs = eval(&c, "2024-06-01");
    assert_eq!(fs[0].status, Status::NotApplicable);
    assert_eq!(
        fs[rules().duty_index("rapid-review").unwrap()].status,
        Status::Met
    );
    // The Panel duty unknown and nothing notified: unknown.
    let c = case(&[("abuse_neglect", "known"), ("aware_date", "2024-03-04")]);
    let f = get(&c, "2024-06-01", "rapid-review");
    assert_eq!(f.status, Status::Unknown);
    assert_eq!(f.reason, Reason::DependsOn(0));
    // The Panel duty applies but cannot be timed (no awareness date) and nobody notified: the
    // rapid review still applies, pending without a due date (the incident date of 2024 settles
    // that the Panel existed when the LA became aware).
    let c = serious(&[("incident_date", "2024-02-20")]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-notification").status,
        Status::Unknown
    );
    let f = get(&c, "2024-06-01", "rapid-review");
    assert_eq!((f.status, f.due), (Status::Pending, None));
    // With no date at all, the awareness could be before the Panel existed (rapid review not
    // applicable) or after (pending): the periods disagree, so unknown.
    let c = serious(&[]);
    let f = get(&c, "2024-06-01", "rapid-review");
    assert_eq!(f.status, Status::Unknown);
    // Unknown Panel duty, but notified: applies.
    let c = case(&[
        ("abuse_neglect", "known"),
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-05"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "rapid-review").status,
        Status::Overdue
    );
}

#[test]
fn panel_response_is_the_panels_and_not_a_breach() {
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-05"),
        ("rapid_review_sent", "2024-03-20"),
    ]);
    let f = get(&c, "2024-06-01", "panel-response");
    assert_eq!(f.status, Status::Overdue);
    let t = Tally::of(&[f], rules());
    assert_eq!((t.overdue, t.breaches), (1, 0));
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-05"),
    ]);
    assert_eq!(
        get(&c, "2024-06-01", "panel-response").status,
        Status::NotApplicable
    );
}

#[test]
fn review_decision_notice_has_no_number() {
    let c = case(&[
        ("decision", "local review"),
        ("decision_date", "2024-01-10"),
    ]);
    let f = get(&c, "2025-01-01", "review-decision-notice");
    assert_eq!((f.status, f.due), (Status::Pending, None));
    let c = case(&[
        ("decision", "local review"),
        ("decision_date", "2024-01-10"),
        ("decision_notified", "2024-03-10"),
    ]);
    assert_eq!(
        get(&c, "2025-01-01", "review-decision-notice").status,
        Status::Met
    );
}

#[test]
fn events_after_the_as_of_date_have_not_happened() {
    let c = serious(&[
        ("aware_date", "2024-03-04"),
        ("panel_notified", "2024-03-08"),
    ]);
    let f = get(&c, "2024-03-07", "panel-notification");
    assert_eq!(f.status, Status::Pending);
    assert_eq!(f.done, None);
    // Due Mon 11 March; from Thu 7: Fri 8, Mon 11.
    assert_eq!(f.working_days_left(), Some(2));
    let f = get(&c, "2024-03-08", "panel-notification");
    assert_eq!((f.status, f.done), (Status::Met, Some(d("2024-03-08"))));
    // The rapid review has not started while the notification is in the future.
    let f = get(&c, "2024-03-07", "rapid-review");
    assert_eq!((f.status, f.due), (Status::Pending, None));
}

#[test]
fn every_case_gets_one_finding_per_duty() {
    let c = case(&[]);
    let fs = eval(&c, "2024-01-01");
    let incident = rules()
        .duties
        .iter()
        .filter(|d| d.subject == crate::rules::Subject::Incident)
        .count();
    assert_eq!(incident, 14);
    assert_eq!(fs.len(), incident);
    for (i, f) in fs.iter().enumerate() {
        assert_eq!(f.duty as usize, i);
        if f.status != Status::Late && f.status != Status::Overdue {
            assert_eq!(f.working_days_late(), None);
        }
    }
}
