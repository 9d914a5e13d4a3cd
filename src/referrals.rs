//! Referral exports and the cross-check (`referral-followed-up`, DOMAIN.md): reads referral-form
//! CSV exports, decides which referrals qualify as serious incidents, and finds each qualifying
//! referral's case in the incident log, so that a notification that was never made cannot hide.
//!
//! Each referral becomes a case named `referral:<Referral ID>` (flagged `referral`) with one
//! finding: met, pending, overdue, not_applicable or unknown.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::cases::{dates, CaseSet, Problem, ProblemKind, RowRef, Value};
use crate::fields::{self, normalise_value};
use crate::findings::{self, Finding, Reason, ReferralAnswer, Status};
use crate::ingest::{self, Cell, RowSink, SourceKind, SourceSpec, TableInfo, Target};
use crate::rules::{Deadline, RuleSet, Subject};

/// The columns of a referral export, in target order.
const COLUMNS: &[(&str, &[&str], bool)] = &[
    (
        "referral_id",
        &["Referral ID", "Referral reference", "Referral no"],
        true,
    ),
    (
        "date_submitted",
        &["Date submitted", "Submitted", "Submission date"],
        true,
    ),
    ("request_type", &["Request type", "Type of request"], false),
    ("referrer_agency", &["Referrer agency", "Agency"], false),
    ("case_ref", &["Case reference", "Case ref"], false),
    ("child_id", &["Child ID"], false),
    (
        "incident_date",
        &[
            "Date of death or incident",
            "Date of incident",
            "Date of death or critical incident",
        ],
        false,
    ),
    ("child_status", &["Child status"], false),
    (
        "child_died",
        &["Child died", "Is the child deceased"],
        false,
    ),
    (
        "child_harmed",
        &["Child seriously harmed", "Is the child seriously harmed"],
        false,
    ),
    ("abuse_neglect", &["Abuse or neglect"], false),
];
const ID: usize = 0;
const SUBMITTED: usize = 1;
const REQUEST: usize = 2;
const CASE_REF: usize = 4;
const CHILD_ID: usize = 5;
const INCIDENT: usize = 6;
const DIED: usize = 8;
const HARMED: usize = 9;
const ABUSE: usize = 10;

/// The targets a referral export's reader looks for (configured labels override).
pub fn targets(spec: &SourceSpec) -> Vec<Target> {
    COLUMNS
        .iter()
        .map(|(name, labels, required)| {
            let mut t = Target::new(name, labels, *required);
            if let Some(label) = spec.columns.get(*name) {
                t.only_label(label);
            }
            t
        })
        .collect()
}

/// A yes/no/unknown answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    Unreadable,
}

/// What a referral says, as far as the cross-check needs.
#[derive(Debug, Clone)]
struct Referral {
    at: RowRef,
    id: String,
    submitted: Value,
    /// Some(true) serious incident, Some(false) learning request, None unreadable.
    serious_request: Option<bool>,
    died: Answer,
    harmed: Answer,
    /// Some(true) known or suspected, Some(false) not suspected, None unreadable.
    abuse: Option<bool>,
    case_ref: Option<String>,
    child_id: Option<String>,
    incident_date: Option<NaiveDate>,
    child_id_for_report: Option<String>,
}

fn text(c: &Cell) -> Option<String> {
    match c {
        Cell::Text(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
        Cell::Number(n) => Some(n.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A blank yes/no answer counts as no (an unticked box).
fn answer(c: &Cell) -> Answer {
    match c {
        Cell::Bool(true) => Answer::Yes,
        Cell::Bool(false) | Cell::Empty => Answer::No,
        _ => match text(c).map(|t| normalise_value(&t)).as_deref() {
            None | Some("n" | "no" | "false" | "0") => Answer::No,
            Some("y" | "yes" | "true" | "x" | "1" | "\u{2713}" | "\u{2714}") => Answer::Yes,
            _ => Answer::Unreadable,
        },
    }
}

fn request(c: &Cell) -> Option<bool> {
    let t = normalise_value(&text(c)?);
    if t.contains("learning") {
        Some(false)
    } else if t.contains("serious incident") || t == "serious" || t == "si" {
        Some(true)
    } else {
        None
    }
}

fn abuse(c: &Cell) -> Option<bool> {
    let t = normalise_value(&text(c)?);
    match t.as_str() {
        "known" | "suspected" | "yes" | "y" | "known or suspected" | "yes - known"
        | "yes - suspected" => Some(true),
        "not suspected" | "no" | "n" | "not known or suspected" => Some(false),
        _ => None,
    }
}

/// Reads referral rows into the case set's tables, problems and reconciliation.
struct Sink<'a> {
    set: &'a mut CaseSet,
    as_of: NaiveDate,
    /// The latest date a cell can plausibly hold ([`dates::latest_plausible`]).
    latest: NaiveDate,
    date1904: bool,
    out: Vec<Referral>,
}

impl Sink<'_> {
    fn date(&mut self, c: &Cell, at: RowRef, label: &str, id: &str) -> Value {
        match dates::parse_cell(c, self.date1904) {
            Ok(None) => Value::Blank,
            Ok(Some(d)) if dates::plausible(d, self.latest) => Value::Date(d),
            Ok(Some(d)) => {
                let why = dates::implausible_reason(d, self.latest);
                self.problem(at, id, format!("{label}: {why}, not plausible"));
                Value::Invalid
            }
            Err(e) => {
                self.problem(at, id, format!("{label}: {e}"));
                Value::Invalid
            }
        }
    }

    fn problem(&mut self, at: RowRef, id: &str, message: String) {
        self.set.problems.push(Problem {
            kind: ProblemKind::BadValue,
            at: Some(at),
            field: None,
            case_ref: Some(format!("referral:{id}")),
            message,
        });
    }
}

impl RowSink for Sink<'_> {
    fn table(&mut self, info: TableInfo) -> usize {
        self.set.tables.push(info);
        self.set.tables.len() - 1
    }

    fn blank(&mut self, _table: usize, _row: u32) {
        self.set.reconciliation.rows_read += 1;
        self.set.reconciliation.blank += 1;
    }

    fn row(&mut self, table: usize, row: u32, cells: &[Cell<'_>]) {
        self.set.reconciliation.rows_read += 1;
        let at = RowRef {
            table: table as u32,
            row,
        };
        let cell = |i: usize| cells.get(i).copied().unwrap_or(Cell::Empty);
        let Some(id) = text(&cell(ID)) else {
            self.set.reconciliation.set_aside += 1;
            self.set.problems.push(Problem {
                kind: ProblemKind::SetAside,
                at: Some(at),
                field: None,
                case_ref: None,
                message: "referral row with no Referral ID: it cannot be reported".to_string(),
            });
            return;
        };
        let submitted = self.date(&cell(SUBMITTED), at, "Date submitted", &id);
        if let Value::Date(d) = submitted {
            if d > self.as_of {
                self.set.reconciliation.set_aside += 1;
                self.set.problems.push(Problem {
                    kind: ProblemKind::SetAside,
                    at: Some(at),
                    field: None,
                    case_ref: Some(format!("referral:{id}")),
                    message: format!(
                        "referral submitted on {} (after the as-of date): not yet made on that date",
                        d.format("%d/%m/%Y")
                    ),
                });
                return;
            }
        }
        self.set.reconciliation.used += 1;
        let incident_date = match self.date(&cell(INCIDENT), at, "Date of death or incident", &id) {
            Value::Date(d) => Some(d),
            _ => None,
        };
        let r = Referral {
            at,
            submitted,
            serious_request: request(&cell(REQUEST)),
            died: answer(&cell(DIED)),
            harmed: answer(&cell(HARMED)),
            abuse: abuse(&cell(ABUSE)),
            case_ref: text(&cell(CASE_REF)).map(|s| s.to_lowercase()),
            child_id: text(&cell(CHILD_ID)).map(|s| s.to_lowercase()),
            child_id_for_report: text(&cell(CHILD_ID)),
            incident_date,
            id,
        };
        for (ok, label) in [
            (r.serious_request.is_some(), "Request type"),
            (r.died != Answer::Unreadable, "Child died"),
            (r.harmed != Answer::Unreadable, "Child seriously harmed"),
            (r.abuse.is_some(), "Abuse or neglect"),
        ] {
            if !ok {
                let msg = format!("{label}: not a recognised answer");
                self.problem(at, &r.id.clone(), msg);
            }
        }
        self.out.push(r);
    }
}

/// Reads every referral source, cross-checks each referral against the incident cases already
/// in `set`, and appends one `referral:<ID>` case and one finding per referral.
pub fn cross_check(
    sources: &[SourceSpec],
    set: &mut CaseSet,
    rules: &RuleSet,
    cal: &Calendar,
    as_of: NaiveDate,
    findings: &mut Vec<Finding>,
) -> Result<(), ingest::IngestError> {
    let Some(duty_index) = rules
        .duties
        .iter()
        .position(|d| d.subject == Subject::Referral)
    else {
        return Ok(());
    };
    let n = match rules.duties[duty_index].deadline {
        Deadline::WorkingDaysAfter(n) => n,
        _ => 5,
    };
    let mut referrals = Vec::new();
    for (i, spec) in sources.iter().enumerate() {
        if spec.kind != SourceKind::Referrals {
            continue;
        }
        let targets = targets(spec);
        let mut sink = Sink {
            set,
            as_of,
            latest: dates::latest_plausible(as_of),
            date1904: spec.date1904,
            out: Vec::new(),
        };
        for file in ingest::expand(&spec.path)? {
            ingest::read_file(&file, spec, i, &targets, &mut sink)?;
        }
        referrals.extend(sink.out);
    }
    if referrals.is_empty() {
        return Ok(());
    }
    // The log's cases by reference, and by child ID and date of incident.
    let mut refs: HashSet<String> = HashSet::new();
    let mut by_child: HashSet<(String, NaiveDate)> = HashSet::new();
    for c in set.cases.iter().filter(|c| !c.referral) {
        refs.insert(c.case_ref.to_lowercase());
        if let (Some(id), Some(d)) = (&c.child_id, c.date(fields::INCIDENT_DATE)) {
            if d <= as_of {
                by_child.insert((id.to_lowercase(), d));
            }
        }
    }
    for r in referrals {
        let case_index = set.cases.len() as u32;
        let followed = r.case_ref.as_ref().is_some_and(|c| refs.contains(c))
            || matches!((&r.child_id, r.incident_date), (Some(id), Some(d)) if by_child.contains(&(id.clone(), d)));
        findings.push(verdict(
            &r,
            followed,
            case_index,
            duty_index as u16,
            n,
            cal,
            as_of,
        ));
        set.cases.push(crate::cases::Case {
            case_ref: format!("referral:{}", r.id).into(),
            local_authority: None,
            child_id: r.child_id_for_report.map(String::into_boxed_str),
            reviewer: None,
            values: vec![crate::cases::Packed::default(); rules.schema.len()].into_boxed_slice(),
            first_row: r.at,
            rows: 1,
            referral: true,
        });
    }
    Ok(())
}

fn verdict(
    r: &Referral,
    followed: bool,
    case: u32,
    duty: u16,
    n: u32,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Finding {
    let bare = |status, reason| findings::blank(case, duty, status, reason);
    let Some(serious) = r.serious_request else {
        return bare(
            Status::Unknown,
            Reason::Referral(ReferralAnswer::RequestType),
        );
    };
    let Some(abuse) = r.abuse else {
        return bare(
            Status::Unknown,
            Reason::Referral(ReferralAnswer::AbuseOrNeglect),
        );
    };
    if r.died == Answer::Unreadable || r.harmed == Answer::Unreadable {
        return bare(
            Status::Unknown,
            Reason::Referral(ReferralAnswer::DiedOrHarmed),
        );
    }
    let harmed = r.died == Answer::Yes || r.harmed == Answer::Yes;
    if !serious || !harmed || !abuse {
        return bare(Status::NotApplicable, Reason::None);
    }
    let submitted = match r.submitted {
        Value::Date(d) => d,
        _ => {
            return bare(
                Status::Unknown,
                Reason::Referral(ReferralAnswer::DateSubmitted),
            )
        }
    };
    let Some(due) = cal.add_working_days(submitted, n) else {
        return bare(Status::Unknown, Reason::OutOfRange);
    };
    let mut f = Finding {
        start: Some(submitted),
        due: Some(due),
        ..bare(Status::Met, Reason::None)
    };
    if followed {
        return f;
    }
    let result = findings::timed(&mut f, cal, due, None, as_of);
    match result {
        Ok(s) => {
            f.status = s;
            f
        }
        Err(r) => bare(Status::Unknown, r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(answer(&Cell::Text(" Yes ")), Answer::Yes);
        assert_eq!(answer(&Cell::Text("x")), Answer::Yes);
        assert_eq!(answer(&Cell::Empty), Answer::No);
        assert_eq!(answer(&Cell::Text("maybe")), Answer::Unreadable);
        assert_eq!(
            request(&Cell::Text("Serious Incident Notification Request")),
            Some(true)
        );
        assert_eq!(request(&Cell::Text("Learning Request")), Some(false));
        assert_eq!(request(&Cell::Text("??")), None);
        assert_eq!(abuse(&Cell::Text("Suspected")), Some(true));
        assert_eq!(abuse(&Cell::Text("Not suspected")), Some(false));
    }
}
