//! DOMAIN.md "The law by date" at every boundary: the Panel from 29 June 2018, the review
//! regimes either side of `arrangements_from`, care leavers from 15 December 2023, relaxed
//! periods, and blank deciding dates settled (or not) by the case's other dates.

use super::*;
use crate::cases::RowRef;
use crate::fields::Kind;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn baseline() -> RuleSet {
    RuleSet::baseline().unwrap()
}

fn case(rules: &RuleSet, pairs: &[(&str, &str)]) -> Case {
    let schema = &rules.schema;
    let mut values = vec![Value::Blank; schema.len()];
    for (name, v) in pairs {
        let f = schema.lookup(name).unwrap();
        values[f.index()] = match (*v, &schema.def(f).kind) {
            ("?", _) => Value::Invalid,
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

fn get(rules: &RuleSet, c: &Case, as_of: &str, duty: &str) -> Finding {
    let cal = Calendar::england_and_wales();
    let mut out = Vec::new();
    evaluate_case(0, c, rules, &cal, d(as_of), &mut out);
    let i = rules.duty_index(duty).unwrap();
    *out.iter().find(|f| f.duty as usize == i).unwrap()
}

/// A child seriously harmed in area, abuse suspected, the LA aware on `aware`.
fn serious(rules: &RuleSet, aware: &str, extra: &[(&'static str, &'static str)]) -> Case {
    let mut p = vec![
        ("outcome", "seriously harmed"),
        ("abuse_neglect", "suspected"),
        ("child_status", "child in need"),
    ];
    if !aware.is_empty() {
        p.push(("aware_date", aware));
    }
    p.extend_from_slice(extra);
    case(rules, &p)
}

const PANEL_DUTIES: [&str; 3] = ["panel-notification", "rapid-review", "panel-response"];

#[test]
fn aware_on_28_june_2018_is_the_2015_regime() {
    let r = baseline();
    let c = serious(&r, "2018-06-28", &[("rapid_review_sent", "2018-07-20")]);
    for id in PANEL_DUTIES {
        let f = get(&r, &c, "2026-11-23", id);
        assert_eq!(f.status, Status::NotApplicable, "{id}");
        assert_eq!(
            f.note(&r),
            "not in force before 29/06/2018: the Panel did not exist",
            "{id}"
        );
        assert!(!f.breach(&r));
    }
    // Ofsted instead, 5 working days: Thu 28/06 -> Thu 05/07/2018; never done: overdue.
    let f = get(&r, &c, "2026-11-23", "serious-incident-ofsted");
    assert_eq!((f.status, f.due), (Status::Overdue, Some(d("2018-07-05"))));
    assert!(f.breach(&r));
    // The LSCB partners' duty applies in both periods.
    let f = get(&r, &c, "2026-11-23", "partners-notification");
    assert_eq!(f.status, Status::Overdue);
}

#[test]
fn aware_on_29_june_2018_is_the_panel() {
    let r = baseline();
    let c = serious(&r, "2018-06-29", &[]);
    // Fri 29/06 + 5 working days = Fri 06/07/2018.
    let f = get(&r, &c, "2026-11-23", "panel-notification");
    assert_eq!((f.status, f.due), (Status::Overdue, Some(d("2018-07-06"))));
    let f = get(&r, &c, "2026-11-23", "serious-incident-ofsted");
    assert_eq!(f.status, Status::NotApplicable);
    assert_eq!(
        f.note(&r),
        "not in force from 29/06/2018: replaced by the notification to the Panel (panel-notification)"
    );
    let f = get(&r, &c, "2026-11-23", "rapid-review");
    assert_eq!((f.status, f.due), (Status::Pending, None));
}

#[test]
fn a_pre_2018_case_with_a_panel_date_filled_in_by_mistake_is_still_not_in_force() {
    let r = baseline();
    let c = serious(
        &r,
        "2017-03-01",
        &[
            ("panel_notified", "2017-03-03"),
            ("rapid_review_sent", "2017-04-20"),
        ],
    );
    for id in PANEL_DUTIES {
        let f = get(&r, &c, "2026-11-23", id);
        assert_eq!(f.status, Status::NotApplicable, "{id}");
        assert!(f.note(&r).contains("the Panel did not exist"), "{id}");
    }
}

#[test]
fn a_looked_after_death_before_the_panel_goes_to_ofsted_only() {
    let r = baseline();
    let c = case(
        &r,
        &[
            ("outcome", "died"),
            ("abuse_neglect", "not suspected"),
            ("child_status", "looked after"),
            ("aware_date", "2016-05-03"),
            ("ofsted_notified", "2016-05-05"),
        ],
    );
    let f = get(&r, &c, "2026-11-23", "lac-death-secretary-of-state");
    assert_eq!(f.status, Status::NotApplicable);
    let f = get(&r, &c, "2026-11-23", "lac-death-ofsted");
    assert_eq!(f.status, Status::Met);
}

fn review(rules: &RuleSet, decision: &'static str, date: &'static str) -> Case {
    serious(
        rules,
        "2018-03-01",
        &[("decision", decision), ("decision_date", date)],
    )
}

#[test]
fn decisions_the_day_before_and_on_arrangements_from() {
    for (setting, before, on) in [
        (None, "2019-09-28", "2019-09-29"),
        (Some("2019-04-01"), "2019-03-31", "2019-04-01"),
    ] {
        let mut r = baseline();
        if let Some(s) = setting {
            r.set("arrangements_from", d(s)).unwrap();
        }
        for decision in ["serious case review", "local review"] {
            // The day before: a serious case review, 6 months to complete, no LCSPR duties.
            let c = review(&r, decision, before);
            let f = get(&r, &c, "2026-11-23", "scr-completion");
            assert_eq!(f.status, Status::Overdue, "{decision} {before}");
            assert_eq!(f.due, Some(crate::calendar::add_months(d(before), 6)));
            for id in [
                "review-decision-notice",
                "report-before-publication",
                "publication",
            ] {
                let f = get(&r, &c, "2026-11-23", id);
                assert_eq!(f.status, Status::NotApplicable, "{id} {before}");
                assert!(
                    f.note(&r).contains("serious case review regime"),
                    "{}",
                    f.note(&r)
                );
            }
            // On the day: the LCSPR duties.
            let c = review(&r, decision, on);
            assert_eq!(
                get(&r, &c, "2026-11-23", "scr-completion").status,
                Status::NotApplicable
            );
            let f = get(&r, &c, "2026-11-23", "publication");
            assert_eq!(f.status, Status::Overdue, "{decision} {on}");
            assert_eq!(
                get(&r, &c, "2026-11-23", "review-decision-notice").status,
                Status::Pending
            );
        }
    }
}

#[test]
fn a_serious_case_review_completed_in_time_is_met() {
    let r = baseline();
    let c = serious(
        &r,
        "2017-01-10",
        &[
            ("decision", "serious case review"),
            ("decision_date", "2017-02-28"),
            ("review_completed", "2017-08-28"),
        ],
    );
    let f = get(&r, &c, "2026-11-23", "scr-completion");
    assert_eq!((f.status, f.due), (Status::Met, Some(d("2017-08-28"))));
    let c = serious(
        &r,
        "2017-01-10",
        &[
            ("decision", "serious case review"),
            ("decision_date", "2017-02-28"),
            ("review_completed", "2017-08-29"),
        ],
    );
    assert_eq!(
        get(&r, &c, "2026-11-23", "scr-completion").status,
        Status::Late
    );
}

fn care_leaver_death(rules: &RuleSet, aware: &'static str) -> Case {
    case(
        rules,
        &[
            ("outcome", "died"),
            ("abuse_neglect", "not suspected"),
            ("child_status", "care leaver"),
            ("aware_date", aware),
        ],
    )
}

#[test]
fn a_care_leavers_death_aware_on_14_and_15_december_2023() {
    let r = baseline();
    for id in [
        "care-leaver-death-secretary-of-state",
        "care-leaver-death-ofsted",
    ] {
        let f = get(&r, &care_leaver_death(&r, "2023-12-14"), "2026-11-23", id);
        assert_eq!(f.status, Status::NotApplicable, "{id}");
        assert_eq!(
            f.note(&r),
            "not in force before 15/12/2023: added by Working Together 2023"
        );
        // Fri 15/12/2023 + 5 working days = Fri 22/12/2023.
        let f = get(&r, &care_leaver_death(&r, "2023-12-15"), "2026-11-23", id);
        assert_eq!((f.status, f.due), (Status::Overdue, Some(d("2023-12-22"))));
        assert!(f.breach(&r));
    }
    // Not a looked-after child: those duties do not apply; no rapid review.
    let c = care_leaver_death(&r, "2023-12-15");
    for id in [
        "lac-death-ofsted",
        "lac-death-secretary-of-state",
        "rapid-review",
    ] {
        assert_eq!(
            get(&r, &c, "2026-11-23", id).status,
            Status::NotApplicable,
            "{id}"
        );
    }
}

fn covid(until: &str) -> RuleSet {
    RuleSet::from_texts(&[
        ("baseline".into(), BASELINE_TOML_FOR_TESTS.into()),
        (
            "covid-19-relaxation.toml".into(),
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/config/covid-19-relaxation.toml"
            ))
            .unwrap()
            .replace("# until = 2021-03-31", &format!("until = {until}")),
        ),
    ])
    .unwrap()
}

const BASELINE_TOML_FOR_TESTS: &str = crate::rules::BASELINE_TOML;

#[test]
fn the_shipped_relaxation_refuses_to_load_without_its_end() {
    let e = RuleSet::from_texts(&[
        ("baseline".into(), BASELINE_TOML_FOR_TESTS.into()),
        (
            "covid-19-relaxation.toml".into(),
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/config/covid-19-relaxation.toml"
            ))
            .unwrap(),
        ),
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("until") && e.contains("is required"), "{e}");
}

#[test]
fn a_rapid_review_due_inside_and_outside_a_relaxed_period() {
    let r = covid("2021-03-31");
    let rr = |notified: &'static str, sent: &'static str| {
        let mut extra = vec![("panel_notified", notified)];
        if !sent.is_empty() {
            extra.push(("rapid_review_sent", sent));
        }
        serious(&r, notified, &extra)
    };
    // Notified Mon 02/03/2020: due Mon 23/03/2020, before the relaxation: a breach.
    let f = get(
        &r,
        &rr("2020-03-02", "2020-04-20"),
        "2026-11-23",
        "rapid-review",
    );
    assert_eq!((f.status, f.due), (Status::Late, Some(d("2020-03-23"))));
    assert!(f.breach(&r));
    assert_eq!(f.note(&r), "");
    // Notified Mon 09/03/2020: due Mon 30/03/2020, the first relaxed day: late, not a breach.
    let f = get(
        &r,
        &rr("2020-03-09", "2020-04-20"),
        "2026-11-23",
        "rapid-review",
    );
    assert_eq!((f.status, f.due), (Status::Late, Some(d("2020-03-30"))));
    assert!(!f.breach(&r));
    assert!(
        f.note(&r).starts_with("timescale relaxed"),
        "{}",
        f.note(&r)
    );
    // Never sent, due inside: overdue, still not a breach.
    let f = get(&r, &rr("2020-06-01", ""), "2026-11-23", "rapid-review");
    assert_eq!(f.status, Status::Overdue);
    assert!(!f.breach(&r));
    // Due on the last relaxed day (Wed 31/03/2021) and the day after.
    let f = get(&r, &rr("2021-03-10", ""), "2026-11-23", "rapid-review");
    assert_eq!(f.due, Some(d("2021-03-31")));
    assert!(!f.breach(&r));
    let f = get(&r, &rr("2021-03-11", ""), "2026-11-23", "rapid-review");
    assert_eq!(f.due, Some(d("2021-04-01")));
    assert!(f.breach(&r));
    // The notification deadline was kept: the Panel notification is not relaxed.
    let c = serious(&r, "2020-06-01", &[]);
    let f = get(&r, &c, "2026-11-23", "panel-notification");
    assert_eq!(f.status, Status::Overdue);
    assert!(f.breach(&r));
    // Without the overlay the same rapid review is a breach.
    let base = baseline();
    let f = get(
        &base,
        &serious(
            &base,
            "2020-03-09",
            &[
                ("panel_notified", "2020-03-09"),
                ("rapid_review_sent", "2020-04-20"),
            ],
        ),
        "2026-11-23",
        "rapid-review",
    );
    assert!(f.breach(&base));
}

#[test]
fn a_blank_aware_date_settled_by_the_incident_date() {
    let r = baseline();
    // Incident in 2021, awareness blank: today's law. The Panel duty cannot be timed (unknown,
    // aware date blank); the 2015 Ofsted duty is not in force whatever the awareness date.
    let c = serious(&r, "", &[("incident_date", "2021-05-04")]);
    let f = get(&r, &c, "2026-11-23", "panel-notification");
    assert_eq!(f.status, Status::Unknown);
    assert_eq!(f.reason, Reason::Blank(crate::fields::AWARE_DATE));
    let f = get(&r, &c, "2026-11-23", "serious-incident-ofsted");
    assert_eq!(f.status, Status::NotApplicable);
    // No date at all: the 2015 duty may or may not be in force, so unknown.
    let c = serious(&r, "", &[]);
    let f = get(&r, &c, "2026-11-23", "serious-incident-ofsted");
    assert_eq!(f.status, Status::Unknown);
    // Nothing applies whatever the period: not applicable (every period agrees).
    let c = case(
        &r,
        &[("outcome", "other"), ("abuse_neglect", "not suspected")],
    );
    for id in ["panel-notification", "serious-incident-ofsted"] {
        assert_eq!(
            get(&r, &c, "2026-11-23", id).status,
            Status::NotApplicable,
            "{id}"
        );
    }
    // An as-of date before 29/06/2018 settles it too: a 2017 audit gives 2017's law.
    let c = serious(&r, "", &[]);
    assert_eq!(
        get(&r, &c, "2017-12-01", "panel-notification").status,
        Status::NotApplicable
    );
}

#[test]
fn a_blank_decision_date_settled_by_the_awareness_date() {
    let r = baseline();
    // Aware in 2021: any decision came after the arrangements began.
    let c = serious(&r, "2021-02-01", &[("decision", "local review")]);
    assert_eq!(
        get(&r, &c, "2026-11-23", "scr-completion").status,
        Status::NotApplicable
    );
    let f = get(&r, &c, "2026-11-23", "publication");
    assert_eq!(f.reason, Reason::Blank(crate::fields::DECISION_DATE));
    // Aware in 2019 before the default arrangements date: either regime: unknown.
    let c = serious(
        &r,
        "2019-01-07",
        &[
            ("decision", "local review"),
            ("published", "2019-12-02"),
            ("report_sent", "2019-11-01"),
        ],
    );
    let f = get(&r, &c, "2026-11-23", "report-before-publication");
    assert_eq!(f.status, Status::Unknown);
    assert_eq!(
        f.reason,
        Reason::PeriodUnsettled(crate::fields::DECISION_DATE)
    );
    assert!(f.note(&r).contains("Decision date"), "{}", f.note(&r));
}

#[test]
fn dudley_escalation_applies_when_the_day_4_decision_is_missed() {
    let r = RuleSet::load(&[std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/dudley.toml"
    ))])
    .unwrap();
    // Aware Mon 04/03/2024: day 4 is Fri 08/03.
    let on_time = serious(&r, "2024-03-04", &[("threshold_decision", "2024-03-08")]);
    let f = get(
        &r,
        &on_time,
        "2024-03-20",
        "dudley-heads-of-service-meeting",
    );
    assert_eq!(f.status, Status::NotApplicable);
    assert!(f.note(&r).contains("late or overdue"), "{}", f.note(&r));
    let missed = serious(&r, "2024-03-04", &[]);
    let f = get(&r, &missed, "2024-03-20", "dudley-heads-of-service-meeting");
    assert_eq!(f.status, Status::Pending);
    let met = serious(&r, "2024-03-04", &[("hos_meeting", "2024-03-11")]);
    let f = get(&r, &met, "2024-03-20", "dudley-heads-of-service-meeting");
    assert_eq!(f.status, Status::Met);
    // Before day 4 has passed the escalation does not apply yet.
    let f = get(&r, &missed, "2024-03-06", "dudley-heads-of-service-meeting");
    assert_eq!(f.status, Status::NotApplicable);
}
