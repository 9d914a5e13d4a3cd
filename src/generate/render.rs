//! A case's facts written as a row of the log: the council's words for each value, dates in
//! their styles, and the scheduled and random data-quality problems.

use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};

use super::case::{Facts, Quirk, QUIRKS};
use super::generator::Generator;
use super::rng::Rng;
use super::row::{date_style, DateStyle, Out, Row};
use super::words::{
    ABUSE_WORDS, AUTHORITIES, BAD_DATES, BAD_WORDS, DECISION_WORDS, DIED, LOCAL_REVIEW,
    LOCATION_WORDS, LOOKED_AFTER, NOTES, OUTCOME_WORDS, REVIEWERS, STATUS_WORDS, TEAMS,
};
use crate::calendar::add_months;
use crate::fields;

impl Generator {
    pub(super) fn render(&self, i: u64, f: &Facts, rng: &mut Rng, row: &mut Row) {
        row.clear();
        let (la, code, _) = AUTHORITIES[f.authority];
        row.la = la;
        let year = f.aware.map(|d| d.year()).unwrap_or(self.opts.as_of.year());
        let _ = write!(row.case_ref, "{code}-{year}-{:06}", i + 1);
        let _ = write!(row.child_id, "C-{:06}", rng.below(1_000_000));
        row.team = rng.pick(&TEAMS);
        row.notes = NOTES[rng.below(NOTES.len() as u64 - 1) as usize];

        let word = |words: &[&'static str], rng: &mut Rng| -> Out {
            // Mostly the canonical word; one in ten a council's spelling.
            let w = if words.len() > 1 && rng.chance(100) {
                words[1 + rng.below(words.len() as u64 - 1) as usize]
            } else {
                words[0]
            };
            if w.is_empty() {
                Out::Blank
            } else {
                Out::Text(w)
            }
        };
        let o = &mut row.out;
        o[fields::OUTCOME.index()] = word(OUTCOME_WORDS[f.outcome], rng);
        o[fields::ABUSE_NEGLECT.index()] = word(ABUSE_WORDS[f.abuse], rng);
        o[fields::CHILD_STATUS.index()] = word(STATUS_WORDS[f.status], rng);
        o[fields::INCIDENT_LOCATION.index()] = word(LOCATION_WORDS[f.location], rng);
        if let Some(d) = f.decision {
            o[fields::DECISION.index()] = word(DECISION_WORDS[d], rng);
        }
        if let Some(r) = f.reviewer {
            o[fields::REVIEWER.index()] = Out::Text(r);
        }
        let dates = [
            (fields::INCIDENT_DATE, f.incident),
            (fields::AWARE_DATE, f.aware),
            (fields::PANEL_NOTIFIED, f.panel),
            (fields::PARTNERS_NOTIFIED, f.partners),
            (fields::OFSTED_NOTIFIED, f.ofsted),
            (fields::SOS_NOTIFIED, f.sos),
            (fields::RAPID_REVIEW_SENT, f.rapid_review),
            (fields::PANEL_RESPONSE, f.response),
            (fields::DECISION_DATE, f.decision_date),
            (fields::DECISION_NOTIFIED, f.decision_notified),
            (fields::REPORT_SENT, f.report_sent),
            (fields::PUBLISHED, f.published),
            (fields::UNPUBLISHED, f.unpublished),
            (fields::REVIEW_COMPLETED, f.review_completed),
        ];
        for (field, d) in dates {
            if let Some(d) = d {
                o[field.index()] = Out::Date(d, date_style(rng));
            }
        }
        // Incident dates are often left blank once the awareness date is in.
        if rng.chance(20) {
            o[fields::INCIDENT_DATE.index()] = Out::Blank;
        }
        // Random mess: a garbled date or word here and there (about one cell in a thousand).
        for cell in o.iter_mut() {
            if rng.chance(1) {
                match cell {
                    Out::Date(..) => *cell = Out::Text(rng.pick(&BAD_DATES)),
                    Out::Text(_) => *cell = Out::Text(rng.pick(&BAD_WORDS)),
                    Out::Blank => {}
                }
            }
        }
        // A few awareness dates typed with next year's year: not yet known on the as-of date.
        if rng.chance(1) {
            if let Some(Out::Date(d, s)) = o.get(fields::AWARE_DATE.index()).copied() {
                let year = self.opts.as_of.year() + 1;
                let typo = d
                    .with_year(year)
                    .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
                    .unwrap_or(d);
                o[fields::AWARE_DATE.index()] = Out::Date(typo, s);
                o[fields::INCIDENT_DATE.index()] = Out::Blank;
            }
        }
        if i % 100 == 37 {
            self.quirk(QUIRKS[(i / 100) as usize % QUIRKS.len()], f, rng, row);
        }
    }

    /// Applies a scheduled quirk, adding what it needs to be seen (a decision for a decision
    /// quirk, a publication for a publication quirk).
    pub(super) fn quirk(&self, q: Quirk, f: &Facts, rng: &mut Rng, row: &mut Row) {
        let o = &mut row.out;
        let bad = Out::Text(rng.pick(&BAD_DATES));
        let local_review = |o: &mut [Out; fields::CANONICAL_COUNT]| {
            if f.decision != Some(LOCAL_REVIEW) {
                let dd = f
                    .aware
                    .map(|a| a + Days::new(30))
                    .filter(|d| add_months(*d, 6) + Days::new(90) < self.opts.as_of);
                o[fields::DECISION.index()] = Out::Text("local review");
                o[fields::REVIEWER.index()] = Out::Text(REVIEWERS[0]);
                if let Some(dd) = dd {
                    o[fields::DECISION_DATE.index()] = Out::Date(dd, DateStyle::Uk);
                    let p = add_months(dd, 5);
                    o[fields::PUBLISHED.index()] = Out::Date(p, DateStyle::Uk);
                }
            }
        };
        match q {
            Quirk::OutcomeUnreadable => o[fields::OUTCOME.index()] = Out::Text("see notes"),
            Quirk::OutcomeBlank => o[fields::OUTCOME.index()] = Out::Blank,
            Quirk::AbuseBlank => o[fields::ABUSE_NEGLECT.index()] = Out::Blank,
            Quirk::StatusUnreadable => o[fields::CHILD_STATUS.index()] = Out::Text("tbc"),
            Quirk::AwareBlank => o[fields::AWARE_DATE.index()] = Out::Blank,
            Quirk::AwareUnreadable => o[fields::AWARE_DATE.index()] = Out::Text("w/c 14/03/2022"),
            Quirk::PanelNotifiedUnreadable => o[fields::PANEL_NOTIFIED.index()] = Out::Text("yes"),
            Quirk::RapidReviewUnreadable => {
                o[fields::RAPID_REVIEW_SENT.index()] = Out::Text("Sent (date tbc)")
            }
            Quirk::DecisionUnreadable => o[fields::DECISION.index()] = Out::Text("see notes"),
            Quirk::DecisionDateBlank => {
                local_review(o);
                o[fields::DECISION_DATE.index()] = Out::Blank;
            }
            Quirk::PublishedUnreadable => {
                local_review(o);
                o[fields::PUBLISHED.index()] = bad;
            }
            Quirk::UnpublishedUnreadable => {
                local_review(o);
                if o[fields::PUBLISHED.index()] != Out::Blank {
                    o[fields::UNPUBLISHED.index()] = Out::Text("31/02/2024");
                }
            }
            Quirk::SosUnreadable => {
                if f.outcome == DIED && f.status == LOOKED_AFTER {
                    o[fields::SOS_NOTIFIED.index()] = bad;
                } else {
                    o[fields::CHILD_STATUS.index()] = Out::Blank;
                }
            }
        }
    }
}
