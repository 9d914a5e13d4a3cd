//! Streams a synthetic log case by case: when each case happened and what was done about it,
//! under each year's law, then its row and any update or blank row after it.

use chrono::{Days, NaiveDate};

use super::case::{recent_block, Facts, Law, Open};
use super::rng::Rng;
use super::row::{Out, Row};
use super::words::{
    ABUSE_WEIGHTS, AUTHORITIES, CARE_LEAVER, CPP, DECISION_WEIGHTS, DIED, ELSEWHERE, HARMED,
    LOCAL_REVIEW, LOCATION_WEIGHTS, LOOKED_AFTER, NOT_SUSPECTED, OUTCOME_WEIGHTS, REVIEWERS,
    SERIOUS_CASE_REVIEW, STATUS_WEIGHTS,
};
use super::{Options, Summary};
use crate::calendar::{add_months, Calendar};
use crate::fields;

/// Streams the rows of a synthetic log.
pub(super) struct Generator {
    pub(super) opts: Options,
    pub(super) cal: Calendar,
    /// Index of the next case.
    pub(super) next: u64,
    /// A second row of the current case still to come.
    pub(super) pending_update: Option<Row>,
    /// A blank row to come after the current case.
    pub(super) pending_blank: bool,
    pub(super) first_day: NaiveDate,
    pub(super) span_days: u64,
    /// Cases before the recent block.
    pub(super) main_cases: u64,
    pub(super) summary: Summary,
    pub(super) law: Law,
}

impl Generator {
    pub(super) fn new(opts: Options) -> Generator {
        let span_days = u64::from(opts.years.max(1)) * 365;
        let first_day = opts.as_of - Days::new(span_days);
        Generator {
            opts,
            cal: Calendar::england_and_wales(),
            next: 0,
            pending_update: None,
            pending_blank: false,
            first_day,
            span_days,
            main_cases: opts.cases - recent_block(opts.cases),
            summary: Summary::default(),
            law: Law::from_baseline(),
        }
    }

    /// Fills `row` with the next row; false at the end.
    pub(super) fn next_row(&mut self, row: &mut Row) -> bool {
        if let Some(update) = self.pending_update.take() {
            row.clone_from(&update);
            self.summary.rows += 1;
            self.summary.update_rows += 1;
            return true;
        }
        if self.pending_blank {
            self.pending_blank = false;
            row.clear();
            row.blank = true;
            self.summary.rows += 1;
            self.summary.blank_rows += 1;
            return true;
        }
        if self.next >= self.opts.cases {
            return false;
        }
        let i = self.next;
        self.next += 1;
        let mut rng = Rng::for_case(self.opts.seed, i);
        let facts = self.simulate(i, &mut rng);
        self.render(i, &facts, &mut rng, row);
        self.summary.rows += 1;
        self.summary.cases += 1;
        // One case in two hundred is a blank row apart from the next; a few local reviews
        // continue on an update row carrying the publication.
        self.pending_blank = rng.chance(5);
        if row.out[fields::PUBLISHED.index()] != Out::Blank && rng.chance(50) {
            let mut update = row.clone();
            update.out = [Out::Blank; fields::CANONICAL_COUNT];
            update.team = "";
            update.notes = "Update row: publication";
            for f in [
                fields::REVIEWER,
                fields::REPORT_SENT,
                fields::PUBLISHED,
                fields::UNPUBLISHED,
            ] {
                update.out[f.index()] = row.out[f.index()];
                if f != fields::REVIEWER {
                    row.out[f.index()] = Out::Blank;
                }
            }
            self.pending_update = Some(update);
        }
        true
    }

    pub(super) fn wd_after(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        self.cal.add_working_days(d, n)
    }

    pub(super) fn wd_before(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        self.cal.sub_working_days(d, n)
    }

    /// A date `n` working days after `d`, with `n` drawn as met (`lo..=due`, mostly), late
    /// (`due+1..=late`) or never (None), by per-mille weights.
    pub(super) fn event(
        &self,
        rng: &mut Rng,
        d: Option<NaiveDate>,
        (lo, due, late): (u32, u32, u32),
        (met, late_pm): (u64, u64),
    ) -> Option<NaiveDate> {
        let d = d?;
        let x = rng.below(1000);
        if x < met {
            self.wd_after(d, rng.range(lo, due))
        } else if x < met + late_pm {
            self.wd_after(d, rng.range(due + 1, late))
        } else {
            None
        }
    }

    pub(super) fn simulate(&self, i: u64, rng: &mut Rng) -> Facts {
        let as_of = self.opts.as_of;
        let mut f = Facts {
            authority: rng.weighted(&AUTHORITIES.map(|a| a.2)),
            outcome: rng.weighted(&OUTCOME_WEIGHTS),
            abuse: rng.weighted(&ABUSE_WEIGHTS),
            status: rng.weighted(&STATUS_WEIGHTS),
            location: rng.weighted(&LOCATION_WEIGHTS),
            ..Facts::default()
        };
        // The awareness date: in date order over the years, then the last 30 days.
        let aware = if i < self.main_cases {
            let usable = self.span_days.saturating_sub(32).max(1);
            let day = i * usable / self.main_cases.max(1) + rng.below(3);
            self.first_day + Days::new(day)
        } else {
            let recent = self.opts.cases - self.main_cases;
            let j = i - self.main_cases;
            as_of - Days::new(30 - (j * 30 / recent.max(1)).min(30))
        };
        f.aware = Some(aware);
        let open = match self.opts.cases - i {
            5 => Some(Open::CareLeaverDeathOverdue),
            4 => Some(Open::CareLeaverDeathNotYetNotified),
            3 => Some(Open::AwaitingPanel),
            2 => Some(Open::NotifiedToday),
            1 => Some(Open::LacDeathNotYetNotified),
            _ => None,
        };
        match open {
            Some(Open::LacDeathNotYetNotified) => {
                f.aware = self.wd_before(as_of, 1);
                (f.outcome, f.abuse, f.status, f.location) = (DIED, 1, LOOKED_AFTER, 1);
            }
            Some(Open::NotifiedToday) => {
                f.aware = self.wd_before(as_of, 2);
                (f.outcome, f.abuse, f.status, f.location) = (HARMED, 0, CPP, 1);
            }
            Some(Open::AwaitingPanel) => {
                f.aware = self.wd_before(as_of, 25);
                (f.outcome, f.abuse, f.location) = (HARMED, 1, 1);
            }
            Some(open @ (Open::CareLeaverDeathNotYetNotified | Open::CareLeaverDeathOverdue)) => {
                let days = if open == Open::CareLeaverDeathOverdue {
                    8
                } else {
                    3
                };
                f.aware = self.wd_before(as_of, days);
                (f.outcome, f.abuse, f.status, f.location) = (DIED, NOT_SUSPECTED, CARE_LEAVER, 1);
            }
            None => {}
        }
        f.incident = f
            .aware
            .map(|a| a - Days::new(rng.weighted(&[50, 35, 10, 5]) as u64));
        let serious = f.outcome != 2 && f.abuse != NOT_SUSPECTED && f.location != ELSEWHERE;
        // Each year's law: before the Panel began, serious incidents went to Ofsted.
        let panel_era = f.aware.is_some_and(|a| a >= self.law.panel_from);
        if serious && panel_era {
            f.panel = self.event(rng, f.aware, (1, 5, 15), (850, 100));
            f.partners = self.event(rng, f.aware, (1, 5, 12), (850, 110));
        } else if serious {
            f.ofsted = self.event(rng, f.aware, (1, 5, 15), (800, 150));
            f.partners = self.event(rng, f.aware, (1, 5, 12), (850, 110));
        } else if panel_era {
            // Sometimes notified although not required.
            f.panel = self.event(rng, f.aware, (1, 5, 5), (30, 0));
            f.partners = self.event(rng, f.aware, (1, 5, 5), (50, 0));
        } else {
            f.partners = self.event(rng, f.aware, (1, 5, 5), (50, 0));
        }
        let care_leaver_era = f.aware.is_some_and(|a| a >= self.law.care_leavers_from);
        if f.outcome == DIED
            && (f.status == LOOKED_AFTER || (f.status == CARE_LEAVER && care_leaver_era))
        {
            // A new duty (care leavers, from WT 2023) is missed more often.
            let rates = if f.status == CARE_LEAVER {
                (500, 250)
            } else {
                (800, 150)
            };
            if panel_era {
                f.sos = self.event(rng, f.aware, (1, 5, 15), rates);
            }
            f.ofsted = f
                .ofsted
                .or_else(|| self.event(rng, f.aware, (1, 5, 15), rates));
        }
        f.rapid_review = self.event(rng, f.panel, (5, 15, 30), (800, 150));
        f.response = self.event(rng, f.rapid_review, (5, 15, 35), (750, 200));
        // Before the Panel, a decision about a serious case review came a few weeks on.
        let pre_panel_decision = (!panel_era && serious)
            .then(|| f.aware.and_then(|a| self.wd_after(a, rng.range(15, 30))))
            .flatten();
        if let Some(rr) = f
            .rapid_review
            .or(f.panel.and_then(|p| self.wd_after(p, 20)))
            .or(pre_panel_decision)
        {
            let mut decision = rng.weighted(&DECISION_WEIGHTS);
            f.decision_date = self.wd_after(rr, rng.range(0, 10));
            // Reviews decided before the area's arrangements began are serious case reviews
            // (usually called so); after, local reviews (a few still typed "SCR").
            let scr_era = f
                .decision_date
                .is_some_and(|d| d < self.law.arrangements_from);
            if decision == SERIOUS_CASE_REVIEW || decision == LOCAL_REVIEW {
                decision = if scr_era == rng.chance(900) {
                    SERIOUS_CASE_REVIEW
                } else {
                    LOCAL_REVIEW
                };
            }
            f.decision = Some(decision);
            if scr_era && (decision == LOCAL_REVIEW || decision == SERIOUS_CASE_REVIEW) {
                f.reviewer = Some(rng.pick(&REVIEWERS));
                let due = f.decision_date.map(|d| add_months(d, 6));
                let x = rng.below(1000);
                f.review_completed = due.and_then(|due| {
                    if x < 650 {
                        Some(due - Days::new(rng.range(0, 60).into()))
                    } else if x < 900 {
                        Some(due + Days::new(rng.range(1, 150).into()))
                    } else {
                        None
                    }
                });
                // Published some months after completion (no deadline then); kept up a year.
                if let Some(done) = f.review_completed {
                    if rng.chance(600) {
                        let p = done + Days::new(rng.range(20, 200).into());
                        f.published = Some(p);
                        f.report_sent = self.wd_before(p, rng.range(7, 25));
                        if rng.chance(150) {
                            f.unpublished =
                                Some(add_months(p, 12) + Days::new(rng.range(0, 365).into()));
                        }
                    }
                }
            } else if decision == LOCAL_REVIEW || decision == SERIOUS_CASE_REVIEW {
                f.reviewer = Some(rng.pick(&REVIEWERS));
                f.decision_notified = (rng.chance(900))
                    .then(|| {
                        f.decision_date
                            .map(|d| d + Days::new(rng.range(0, 10).into()))
                    })
                    .flatten();
                self.publication(rng, &mut f);
            }
        }
        match open {
            Some(
                Open::LacDeathNotYetNotified
                | Open::CareLeaverDeathNotYetNotified
                | Open::CareLeaverDeathOverdue,
            ) => {
                (f.panel, f.partners, f.sos, f.ofsted) = (None, None, None, None);
                (f.rapid_review, f.response) = (None, None);
            }
            Some(Open::NotifiedToday) => {
                (f.panel, f.partners) = (Some(as_of), None);
                (f.rapid_review, f.response) = (None, None);
            }
            Some(Open::AwaitingPanel) => {
                f.panel = f.aware.and_then(|a| self.wd_after(a, 2));
                f.partners = f.panel;
                (f.rapid_review, f.response) = (self.wd_before(as_of, 4), None);
                (f.decision, f.decision_date, f.decision_notified) = (None, None, None);
                (f.reviewer, f.report_sent, f.published, f.unpublished) = (None, None, None, None);
            }
            None => {}
        }
        // What has not happened by the as-of date is not in the log, except a publication date
        // already scheduled (one in three).
        let future = |d: &mut Option<NaiveDate>| {
            if d.is_some_and(|d| d > as_of) {
                *d = None;
            }
        };
        for d in [
            &mut f.panel,
            &mut f.partners,
            &mut f.ofsted,
            &mut f.sos,
            &mut f.rapid_review,
            &mut f.response,
            &mut f.decision_notified,
            &mut f.report_sent,
            &mut f.unpublished,
            &mut f.review_completed,
        ] {
            future(d);
        }
        if f.decision_date.is_some_and(|d| d > as_of) {
            (f.decision, f.decision_date, f.decision_notified) = (None, None, None);
            (f.reviewer, f.report_sent, f.published, f.unpublished) = (None, None, None, None);
            f.review_completed = None;
        }
        if f.published.is_some_and(|d| d > as_of) {
            f.unpublished = None;
            if rng.below(3) != 0 {
                (f.published, f.report_sent) = (None, None);
            }
        }
        f
    }

    /// Publication of a local review: due 6 months after the decision.
    pub(super) fn publication(&self, rng: &mut Rng, f: &mut Facts) {
        let Some(dd) = f.decision_date else { return };
        let due = add_months(dd, 6);
        let x = rng.below(1000);
        let published = if x < 700 {
            due - Days::new(rng.range(0, 90).into())
        } else if x < 900 {
            due + Days::new(rng.range(1, 120).into())
        } else {
            return;
        };
        f.published = Some(published);
        let x = rng.below(1000);
        f.report_sent = if x < 850 {
            self.wd_before(published, rng.range(7, 25))
        } else if x < 950 {
            self.wd_before(published, rng.range(0, 6))
        } else {
            None
        };
        let x = rng.below(1000);
        f.unpublished = if x < 160 {
            Some(add_months(published, 12) + Days::new(rng.range(0, 365).into()))
        } else if x < 200 {
            Some(published + Days::new(rng.range(60, 330).into()))
        } else {
            None
        };
    }
}
