//! The case model of the generator: the facts of a case before they are written, the
//! scheduled data-quality quirks, the open cases that end every log, and the dates the law
//! changed (from the embedded baseline rules).

use chrono::NaiveDate;

/// The facts of a case before they are written (dates as of the as-of date).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Facts {
    pub(super) authority: usize,
    pub(super) aware: Option<NaiveDate>,
    pub(super) incident: Option<NaiveDate>,
    pub(super) outcome: usize,
    pub(super) abuse: usize,
    pub(super) status: usize,
    pub(super) location: usize,
    pub(super) panel: Option<NaiveDate>,
    pub(super) partners: Option<NaiveDate>,
    pub(super) ofsted: Option<NaiveDate>,
    pub(super) sos: Option<NaiveDate>,
    pub(super) rapid_review: Option<NaiveDate>,
    pub(super) response: Option<NaiveDate>,
    pub(super) decision: Option<usize>,
    pub(super) decision_date: Option<NaiveDate>,
    pub(super) decision_notified: Option<NaiveDate>,
    pub(super) reviewer: Option<&'static str>,
    pub(super) report_sent: Option<NaiveDate>,
    pub(super) published: Option<NaiveDate>,
    pub(super) unpublished: Option<NaiveDate>,
    pub(super) review_completed: Option<NaiveDate>,
}

/// Scheduled data-quality quirks (one case in a hundred, in turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quirk {
    OutcomeUnreadable,
    OutcomeBlank,
    AbuseBlank,
    StatusUnreadable,
    AwareBlank,
    AwareUnreadable,
    PanelNotifiedUnreadable,
    RapidReviewUnreadable,
    DecisionUnreadable,
    DecisionDateBlank,
    PublishedUnreadable,
    UnpublishedUnreadable,
    SosUnreadable,
}

pub(super) const QUIRKS: [Quirk; 13] = [
    Quirk::OutcomeUnreadable,
    Quirk::PublishedUnreadable,
    Quirk::AwareBlank,
    Quirk::RapidReviewUnreadable,
    Quirk::StatusUnreadable,
    Quirk::DecisionDateBlank,
    Quirk::PanelNotifiedUnreadable,
    Quirk::AbuseBlank,
    Quirk::DecisionUnreadable,
    Quirk::AwareUnreadable,
    Quirk::OutcomeBlank,
    Quirk::UnpublishedUnreadable,
    Quirk::SosUnreadable,
];

/// The last rows of every log: cases still open on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Open {
    /// A looked-after child died; the LA learnt of it yesterday and has notified no one yet.
    LacDeathNotYetNotified,
    /// Notified to the Panel today, the partners not yet.
    NotifiedToday,
    /// The rapid review went to the Panel last week; no answer yet.
    AwaitingPanel,
    /// A care leaver died; the LA learnt of it three working days ago and has told no one.
    CareLeaverDeathNotYetNotified,
    /// A care leaver died; the LA learnt of it eight working days ago and has told no one.
    CareLeaverDeathOverdue,
}

/// The dates the law changed, from the rules file (so that a long log follows each year's law).
#[derive(Debug, Clone, Copy)]
pub(super) struct Law {
    /// The Panel began: LA aware on or after this date notify it (before: Ofsted).
    pub(super) panel_from: NaiveDate,
    /// Reviews decided on or after this date are LCSPRs (before: serious case reviews).
    pub(super) arrangements_from: NaiveDate,
    /// Care leavers' deaths notified from this date.
    pub(super) care_leavers_from: NaiveDate,
}

impl Law {
    pub(super) fn from_baseline() -> Law {
        let rules = crate::rules::RuleSet::baseline().expect("the embedded baseline loads");
        let from = |id: &str| {
            rules
                .periods
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.from)
                .map(|b| rules.bound(b))
                .expect("the embedded baseline has this period")
        };
        Law {
            panel_from: from("panel"),
            arrangements_from: from("lcspr"),
            care_leavers_from: from("wt2023"),
        }
    }
}

/// Cases in the last 30 days: one in a hundred, at least 10 (fewer if the log is smaller).
pub(super) fn recent_block(cases: u64) -> u64 {
    (cases / 100).max(10).min(cases)
}
