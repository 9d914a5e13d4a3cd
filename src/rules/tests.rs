//! Tests of the rules module: the baseline, overlays, the law by date, and refusals.

use super::*;
use crate::fields;

#[test]
fn baseline_loads_with_every_national_duty_in_order() {
    let rules = RuleSet::baseline().unwrap();
    let ids: Vec<&str> = rules.duties.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, baseline_ids());
    let panel = &rules.duties[0];
    assert_eq!(panel.id, "panel-notification");
    assert_eq!(panel.start, fields::AWARE_DATE);
    assert_eq!(panel.done, fields::PANEL_NOTIFIED);
    assert_eq!(panel.deadline, Deadline::WorkingDaysAfter(5));
    assert!(panel.source.contains("s16C"));
    let response = &rules.duties[rules.duty_index("panel-response").unwrap()];
    assert_eq!(response.actor, Actor::Panel);
    assert!(!response.breach);
    let rr = &rules.duties[rules.duty_index("rapid-review").unwrap()];
    assert_eq!(rr.if_start_blank, StartBlank::Pending);
    assert_eq!(
        rr.applies,
        vec![Condition::Any(vec![
            Condition::Duty(0),
            Condition::Present(fields::PANEL_NOTIFIED)
        ])]
    );
    for d in &rules.duties {
        assert!(!d.source.is_empty(), "{} has a source", d.id);
        assert!(!d.title.is_empty());
    }
}

fn with_overlay(text: &str) -> Result<RuleSet, RulesError> {
    RuleSet::from_texts(&[
        ("baseline".into(), BASELINE_TOML.into()),
        ("local.toml".into(), text.into()),
    ])
}

#[test]
fn overlay_adds_fields_and_duties_and_overrides() {
    let rules = with_overlay(
        r#"
        [[field]]
        id = "rr_started"
        label = "Rapid review started"
        [[duty]]
        id = "local-rr"
        title = "Rapid review completed within 15 working days of starting"
        actor = "safeguarding partners"
        applies = [ { present = "rr_started" } ]
        start = "rr_started"
        deadline = { kind = "working-days-after", n = 15 }
        done = "rapid_review_sent"
        source = "Local procedure"
        [[duty]]
        id = "review-decision-notice"
        deadline = { kind = "working-days-after", n = 5 }
        source = "Local policy: 5 working days"
        [[duty]]
        id = "panel-response"
        remove = true
        "#,
    )
    .unwrap();
    assert!(rules.schema.lookup("rr_started").is_some());
    assert!(rules.duty_index("panel-response").is_none());
    let rdn = &rules.duties[rules.duty_index("review-decision-notice").unwrap()];
    assert_eq!(rdn.deadline, Deadline::WorkingDaysAfter(5));
    assert_eq!(rdn.done, fields::DECISION_NOTIFIED, "inherited");
    assert_eq!(rdn.origin, "local.toml");
    assert_eq!(rules.duties.last().unwrap().id, "local-rr");
}

#[test]
fn invalid_rules_name_file_duty_and_field() {
    let cases = [
        (
            r#"[[duty]]
            id = "x"
            title = "t"
            actor = "LA"
            start = "aware_dat"
            deadline = { kind = "working-days-after", n = 5 }
            done = "panel_notified"
            source = "s""#,
            "start",
        ),
        (
            r#"[[duty]]
            id = "x"
            title = "t"
            actor = "LA"
            start = "aware_date"
            deadline = { kind = "fortnight", n = 5 }
            done = "panel_notified"
            source = "s""#,
            "deadline.kind",
        ),
        (
            r#"[[duty]]
            id = "x"
            title = "t"
            actor = "LA"
            applies = [ { field = "outcome", in = ["dead"] } ]
            start = "aware_date"
            deadline = { kind = "working-days-after", n = 5 }
            done = "panel_notified"
            source = "s""#,
            "applies.in",
        ),
        (
            r#"[[duty]]
            id = "x"
            title = "t"
            actor = "LA"
            start = "aware_date"
            deadline = { kind = "working-days-after", n = -3 }
            done = "panel_notified"
            source = "s""#,
            "deadline.n",
        ),
        (
            r#"[[duty]]
            id = "x"
            title = "t"
            actor = "the LA"
            start = "aware_date"
            deadline = { kind = "working-days-after", n = 3 }
            done = "panel_notified"
            source = "s""#,
            "actor",
        ),
        (
            r#"[[duty]]
            id = "x"
            title = "t"
            actor = "LA"
            start = "aware_date"
            deadline = { kind = "working-days-after", n = 3 }
            done = "panel_notified""#,
            "source",
        ),
    ];
    for (text, field) in cases {
        let e = with_overlay(text).unwrap_err();
        match &e {
            RulesError::Invalid {
                file,
                duty,
                field: f,
                ..
            } => {
                assert_eq!(file, "local.toml");
                assert_eq!(duty, "x");
                assert_eq!(f, field, "{e}");
            }
            other => panic!("unexpected {other}"),
        }
        let msg = e.to_string();
        assert!(msg.contains("local.toml") && msg.contains("`x`"), "{msg}");
    }
}

#[test]
fn toml_syntax_errors_name_the_file() {
    let e = with_overlay("[[duty]\nid=").unwrap_err();
    assert!(matches!(e, RulesError::Syntax { .. }));
    assert!(e.to_string().contains("local.toml"));
    let e = with_overlay("[[duty]]\nid = \"x\"\ncolour = \"red\"").unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn the_law_by_date_is_data_with_sources() {
    let rules = RuleSet::baseline().unwrap();
    let panel = &rules.duties[rules.duty_index("panel-notification").unwrap()];
    let f = panel.in_force.as_ref().unwrap();
    assert_eq!(f.judged_by, fields::AWARE_DATE);
    assert_eq!(f.spans, vec![(Some(date("2018-06-29")), None)]);
    let ofsted = &rules.duties[rules.duty_index("serious-incident-ofsted").unwrap()];
    assert_eq!(
        ofsted.in_force.as_ref().unwrap().spans,
        vec![(None, Some(date("2018-06-29")))]
    );
    // In force in both periods: one open span.
    let partners = &rules.duties[rules.duty_index("partners-notification").unwrap()];
    assert_eq!(
        partners.in_force.as_ref().unwrap().spans,
        vec![(None, None)]
    );
    let publication = &rules.duties[rules.duty_index("publication").unwrap()];
    let f = publication.in_force.as_ref().unwrap();
    assert_eq!(f.judged_by, fields::DECISION_DATE);
    assert_eq!(f.spans, vec![(Some(date("2019-09-29")), None)]);
    assert_eq!(
        f.not_before,
        vec![fields::AWARE_DATE, fields::INCIDENT_DATE]
    );
    let cl = &rules.duties[rules.duty_index("care-leaver-death-ofsted").unwrap()];
    assert_eq!(
        cl.in_force.as_ref().unwrap().spans,
        vec![(Some(date("2023-12-15")), None)]
    );
    for p in &rules.periods {
        assert!(!p.source.is_empty() && !p.title.is_empty(), "{}", p.id);
    }
    assert!(rules.in_force_text(panel).contains("29/06/2018"));
    assert!(
        rules.relaxations.is_empty(),
        "no relaxation unless switched on"
    );
}

#[test]
fn arrangements_from_moves_both_review_regimes_and_is_refused_outside_its_window() {
    let mut rules = RuleSet::baseline().unwrap();
    assert_eq!(rules.setting("arrangements_from"), Some(date("2019-09-29")));
    rules.set("arrangements_from", date("2019-04-01")).unwrap();
    let spans = |r: &RuleSet, id: &str| {
        r.duties[r.duty_index(id).unwrap()]
            .in_force
            .clone()
            .unwrap()
            .spans
    };
    assert_eq!(
        spans(&rules, "publication"),
        vec![(Some(date("2019-04-01")), None)]
    );
    assert_eq!(
        spans(&rules, "scr-completion"),
        vec![(None, Some(date("2019-04-01")))]
    );
    for ok in ["2018-06-29", "2019-09-29"] {
        rules.set("arrangements_from", date(ok)).unwrap();
    }
    for bad in ["2018-06-28", "2019-09-30", "2024-01-01"] {
        let e = rules
            .set("arrangements_from", date(bad))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("arrangements_from") && e.contains("29/06/2018") && e.contains("29/09/2019"),
            "{e}"
        );
    }
}

#[test]
fn one_way_to_say_when_blank_and_the_old_ways_point_to_it() {
    for (text, key) in [
        (
            r#"[[duty]]
id = "panel-notification"
applies = [ { field = "incident_location", in = ["in area"], blank_means = "in area" } ]"#,
            "applies.blank_means",
        ),
        (
            r#"[[duty]]
id = "publication"
applies = [ { field = "decision", in = ["local review"], if_blank = "not-met" } ]"#,
            "applies.if_blank",
        ),
        (
            r#"[[duty]]
id = "rapid-review"
if_start_blank = "pending""#,
            "if_start_blank",
        ),
    ] {
        let e = with_overlay(text).unwrap_err();
        match &e {
            RulesError::Invalid { field, message, .. } => {
                assert_eq!(field, key);
                assert!(message.contains("when_blank"), "{message}");
            }
            other => panic!("{other}"),
        }
    }
    let e = with_overlay(
        r#"[[duty]]
id = "publication"
applies = [ { field = "decision", in = ["local review"], when_blank = "maybe" } ]"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("not met"), "{e}");
}

#[test]
fn a_status_condition_names_an_earlier_duty_and_real_statuses() {
    let rules = with_overlay(
        r#"
[[duty]]
id = "escalate"
title = "t"
actor = "LA"
applies = [ { duty = "panel-notification", status = ["late", "overdue"] } ]
start = "aware_date"
deadline = { kind = "as-soon-as" }
done = "panel_notified"
source = "s"
"#,
    )
    .unwrap();
    let d = &rules.duties[rules.duty_index("escalate").unwrap()];
    assert_eq!(
        d.applies,
        vec![Condition::Status {
            duty: 0,
            statuses: vec![crate::status::Status::Late, crate::status::Status::Overdue]
        }]
    );
    // Named by its title, as every director-facing text names duties.
    let wanted = format!("\"{}\" is late or overdue", rules.duties[0].title);
    assert!(d.applies_text.contains(&wanted), "{}", d.applies_text);
    let e = with_overlay(
        r#"
[[duty]]
id = "escalate"
title = "t"
actor = "LA"
applies = [ { duty = "panel-notification", status = ["breached"] } ]
start = "aware_date"
deadline = { kind = "as-soon-as" }
done = "panel_notified"
source = "s"
"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("overdue"), "{e}");
}

#[test]
fn a_relaxation_needs_its_end_date_and_real_duties() {
    let text = |until: &str, duty: &str| {
        format!(
            r#"
[[relaxation]]
id = "covid-19"
title = "COVID-19 relaxation"
duties = ["{duty}"]
from = 2020-03-30
{until}
changes = "c"
source = "s"
"#
        )
    };
    let e = with_overlay(&text("", "rapid-review"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("until") && e.contains("is required"), "{e}");
    let e = with_overlay(&text("until = 2020-01-01", "rapid-review"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("before"), "{e}");
    let e = with_overlay(&text("until = 2021-03-31", "rapid-reveiw"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("rapid-reveiw"), "{e}");
    let rules = with_overlay(&text("until = 2021-03-31", "rapid-review")).unwrap();
    let rr = rules.duty_index("rapid-review").unwrap();
    assert!(rules.relaxation_at(rr, date("2020-03-30")).is_some());
    assert!(rules.relaxation_at(rr, date("2021-03-31")).is_some());
    assert!(rules.relaxation_at(rr, date("2020-03-27")).is_none());
    assert!(rules.relaxation_at(rr, date("2021-04-01")).is_none());
    assert!(
        rules.relaxation_at(0, date("2020-06-01")).is_none(),
        "only the duties named"
    );
    assert!(rules.relaxed_text(&rules.duties[rr]).starts_with("ON:"));
}

#[test]
fn in_force_names_real_periods_of_one_date() {
    let base = r#"[[duty]]
id = "x"
title = "t"
actor = "LA"
start = "aware_date"
deadline = { kind = "working-days-after", n = 5 }
done = "panel_notified"
source = "s"
"#;
    let e = with_overlay(&format!("{base}in_force = [\"pannel\"]"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("pannel") && e.contains("wt2015"), "{e}");
    let e = with_overlay(&format!("{base}in_force = [\"panel\", \"lcspr\"]"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("different dates"), "{e}");
    let e = with_overlay(&format!("{base}not_in_force = \"why\""))
        .unwrap_err()
        .to_string();
    assert!(e.contains("in_force"), "{e}");
}
