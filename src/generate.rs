//! Synthetic incident logs for testing and benchmarking historical audits at scale.
//!
//! A log is a stream of rows in the canonical layout of DOMAIN.md (the canonical header labels,
//! plus a `Team` and a `Notes` column that the reader ignores), generated case by case from a
//! seed: the same options always give the same rows, and no row is held after it is written, so
//! a million-case log takes seconds and a few megabytes.
//!
//! What is in it, at realistic rates:
//! - cases spread over `years` years before the as-of date (in date order), in eight fictional
//!   local authorities; most duties are met, some late, some never done (overdue), and the newest
//!   cases are still open (pending): the last five rows are always two care leavers' deaths not
//!   yet notified (one overdue, one pending), a rapid review awaiting the Panel, a case notified to the Panel today, and a
//!   looked-after child's death not yet notified;
//! - each year's law (the dates from `rules/baseline.toml`): before 29 June 2018 serious
//!   incidents go to Ofsted (no Panel, no rapid review); reviews decided before the area's
//!   arrangements began are serious case reviews (`SCR`) with a completion date; care leavers'
//!   deaths (`CL`, `Former relevant child`) are notified from 15 December 2023; so a log over
//!   `--years 12` replays 2015-2026;
//! - looked-after children's deaths, Panel notifications that were not required, rapid reviews,
//!   Panel responses, review decisions (local, national, none, other learning), local reviews with
//!   reviewers, reports sent and published (a few scheduled after the as-of date), and reports
//!   taken down (mostly after their first anniversary, some before it: `early`);
//! - the council words seen in real logs (`LAC`, `CPP`, `Y`, `NFA`, `LCSPR`, ` Died `);
//! - data-quality problems: one case in a hundred has a scheduled quirk (a blank or unreadable
//!   fact, an unreadable date) cycling through every kind, so every duty meets `unknown`; a few
//!   more cells are blank or garbled at random; a few cases continue on a second row (an update
//!   row that agrees); a few blank rows; a few awareness dates typed with next year (set aside).
//!
//! Dates in the CSV are mostly `dd/mm/yyyy` text, some ISO, some `d/m/yyyy`, some with a time,
//! a few Excel serial numbers. In the xlsx they are mostly real dates (number format
//! `dd/mm/yyyy`), the rest text or numbers as in the CSV: both files give the same findings.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate, Timelike};

use crate::calendar::{add_months, Calendar};
use crate::fields;

/// The default as-of date of `generate` (the example fixtures' audit date).
pub fn default_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Number of cases (rows are a little more: update rows and blank rows).
    pub cases: u64,
    pub seed: u64,
    /// The date the log is as of: nothing in it happened after this date, except a few
    /// publications scheduled after it and a few mistyped awareness dates.
    pub as_of: NaiveDate,
    /// How many years of cases before the as-of date.
    pub years: u32,
}

impl Options {
    pub fn new(cases: u64, seed: u64) -> Options {
        Options {
            cases,
            seed,
            as_of: default_as_of(),
            years: 6,
        }
    }
}

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Both,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Data rows (case rows, update rows and blank rows), not counting the header.
    pub rows: u64,
    pub cases: u64,
    pub update_rows: u64,
    pub blank_rows: u64,
}

/// Why a log could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("cannot write {file}: {reason}")]
    Write { file: String, reason: String },
}

/// The columns written, in order: the canonical fields with `Team` after the local authority
/// and `Notes` last (both ignored by the reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Field(usize),
    Team,
    Notes,
}

const COLUMNS: [Col; fields::CANONICAL_COUNT + 2] = {
    let mut cols = [Col::Notes; fields::CANONICAL_COUNT + 2];
    let mut i = 0;
    let mut out = 0;
    while i < fields::CANONICAL_COUNT {
        cols[out] = Col::Field(i);
        out += 1;
        if i == fields::LOCAL_AUTHORITY.0 as usize {
            cols[out] = Col::Team;
            out += 1;
        }
        i += 1;
    }
    cols
};

/// The header labels written (the canonical labels of DOMAIN.md).
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| label(*c)).collect()
}

fn label(c: Col) -> &'static str {
    match c {
        Col::Team => "Team",
        Col::Notes => "Notes",
        Col::Field(i) => CANONICAL_LABELS[i],
    }
}

/// DOMAIN.md's header labels, in field order (checked against the schema in a test).
const CANONICAL_LABELS: [&str; fields::CANONICAL_COUNT] = [
    "Case reference",
    "Local authority",
    "Child ID",
    "Date of incident",
    "Date LA became aware",
    "Outcome",
    "Abuse or neglect",
    "Child status",
    "Incident location",
    "Panel notified",
    "Partners notified",
    "Ofsted notified",
    "Secretary of State notified",
    "Rapid review sent to Panel",
    "Panel response received",
    "Review decision",
    "Decision date",
    "Decision notified (Panel, Ofsted, DfE)",
    "Reviewer",
    "Final report sent to Panel and SoS",
    "Report published",
    "Report removed from website",
    "Review completed",
];

// ---------------------------------------------------------------------------------------------
// Random numbers: SplitMix64 seeds one xorshift64* stream per case, so a case depends only on
// the seed and its index.

#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn for_case(seed: u64, index: u64) -> Rng {
        let mut z = seed
            .wrapping_add(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(z | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: fictional authorities, and the words councils use for each canonical value
// (the first is the canonical word; the others are recognised spellings and council words).

const AUTHORITIES: [(&str, &str, u32); 8] = [
    ("Northshire", "NS", 22),
    ("Southvale", "SV", 18),
    ("Westdale", "WD", 14),
    ("Eastmoor", "EM", 12),
    ("Kingsbridge", "KB", 11),
    ("Ashby Fields", "AF", 9),
    ("Riverton", "RV", 8),
    ("Highcombe", "HC", 6),
];

const TEAMS: [&str; 6] = [
    "MASH",
    "Locality North",
    "Locality South",
    "Children in Care",
    "Disabled Children",
    "Early Help Hub",
];

const OUTCOME_WORDS: [&[&str]; 3] = [
    &["died", "Died", "Death", " Died "],
    &["seriously harmed", "Seriously harmed", "Serious harm"],
    &["other", "Other"],
];
const OUTCOME_WEIGHTS: [u32; 3] = [35, 55, 10];
const DIED: usize = 0;
const HARMED: usize = 1;

const ABUSE_WORDS: [&[&str]; 3] = [
    &["known", "Known", "Yes - known"],
    &["suspected", "Suspected", "SUSPECTED", "Y"],
    &["not suspected", "Not suspected", "No", "N"],
];
const ABUSE_WEIGHTS: [u32; 3] = [35, 50, 15];
const NOT_SUSPECTED: usize = 2;

const STATUS_WORDS: [&[&str]; 7] = [
    &["not known to CSC", "Not known"],
    &["early help", "Early Help", "EH"],
    &["YOT", "Youth offending"],
    &["child in need", "Child in need", "CIN"],
    &["child protection plan", "CPP", "CP plan"],
    &["looked after", "Looked After", "LAC", "CLA"],
    &["care leaver", "Care leaver", "CL", "Former relevant child"],
];
const STATUS_WEIGHTS: [u32; 7] = [20, 12, 5, 25, 23, 15, 6];
const CPP: usize = 4;
const LOOKED_AFTER: usize = 5;
const CARE_LEAVER: usize = 6;

/// Blank (means in area), in area, outside England, elsewhere in England.
const LOCATION_WORDS: [&[&str]; 4] = [
    &[""],
    &["in area", "In area", "In borough"],
    &["outside England", "Abroad"],
    &["elsewhere in England", "Another LA"],
];
const LOCATION_WEIGHTS: [u32; 4] = [40, 45, 3, 12];
const ELSEWHERE: usize = 3;

const DECISION_WORDS: [&[&str]; 5] = [
    &["local review", "Local review", "LCSPR"],
    &["no review", "No review", "NFA"],
    &["national review", "National review"],
    &["other learning", "Other learning", "Learning review"],
    &["serious case review", "SCR", "Serious case review"],
];
const DECISION_WEIGHTS: [u32; 4] = [20, 55, 5, 20];
const LOCAL_REVIEW: usize = 0;
const SERIOUS_CASE_REVIEW: usize = 4;

const REVIEWERS: [&str; 8] = [
    "Reviewer A (independent)",
    "Reviewer B",
    "Reviewer C (independent)",
    "Reviewer D",
    "Reviewer E",
    "Reviewer F (independent)",
    "Reviewer G",
    "Reviewer H",
];

/// Unreadable text found in date cells.
const BAD_DATES: [&str; 7] = [
    "tbc",
    "yes",
    "w/c 14/03/2022",
    "31/02/2024",
    "Sent (date tbc)",
    "see notes",
    "13/13/2023",
];
/// Unreadable text found in category cells.
const BAD_WORDS: [&str; 4] = ["see notes", "tbc", "unknown", "?"];

const NOTES: [&str; 8] = [
    "",
    "",
    "",
    "Strategy discussion held",
    "Chronology requested, awaiting health",
    "Police lead; \"urgent\" per DCS",
    "Rapid review meeting rescheduled\nonce (sickness)",
    "Update row: publication",
];

// ---------------------------------------------------------------------------------------------
// One row of the log.

/// How a date is written: the CSV and the xlsx read the same style in their own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateStyle {
    /// CSV `03/04/2024`; xlsx a real date.
    Uk,
    /// CSV `2024-04-03`; xlsx the same as text.
    Iso,
    /// CSV `3/4/2024`; xlsx the same as text.
    UkShort,
    /// CSV `03/04/2024 14:30`; xlsx a real date and time.
    DateTime(u8, u8),
    /// CSV `45385`; xlsx the number 45385 (no date format).
    Serial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Blank,
    Text(&'static str),
    Date(NaiveDate, DateStyle),
}

/// A row of the log, reused from row to row.
#[derive(Debug, Clone)]
struct Row {
    blank: bool,
    case_ref: String,
    child_id: String,
    la: &'static str,
    team: &'static str,
    notes: &'static str,
    out: [Out; fields::CANONICAL_COUNT],
}

impl Row {
    fn new() -> Row {
        Row {
            blank: false,
            case_ref: String::with_capacity(16),
            child_id: String::with_capacity(12),
            la: "",
            team: "",
            notes: "",
            out: [Out::Blank; fields::CANONICAL_COUNT],
        }
    }

    fn clear(&mut self) {
        self.blank = false;
        self.case_ref.clear();
        self.child_id.clear();
        self.la = "";
        self.team = "";
        self.notes = "";
        self.out = [Out::Blank; fields::CANONICAL_COUNT];
    }
}

/// The facts of a case before they are written (dates as of the as-of date).
#[derive(Debug, Default, Clone, Copy)]
struct Facts {
    authority: usize,
    aware: Option<NaiveDate>,
    incident: Option<NaiveDate>,
    outcome: usize,
    abuse: usize,
    status: usize,
    location: usize,
    panel: Option<NaiveDate>,
    partners: Option<NaiveDate>,
    ofsted: Option<NaiveDate>,
    sos: Option<NaiveDate>,
    rapid_review: Option<NaiveDate>,
    response: Option<NaiveDate>,
    decision: Option<usize>,
    decision_date: Option<NaiveDate>,
    decision_notified: Option<NaiveDate>,
    reviewer: Option<&'static str>,
    report_sent: Option<NaiveDate>,
    published: Option<NaiveDate>,
    unpublished: Option<NaiveDate>,
    review_completed: Option<NaiveDate>,
}

/// Scheduled data-quality quirks (one case in a hundred, in turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quirk {
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

const QUIRKS: [Quirk; 13] = [
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
enum Open {
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

/// Streams the rows of a synthetic log.
struct Generator {
    opts: Options,
    cal: Calendar,
    /// Index of the next case.
    next: u64,
    /// A second row of the current case still to come.
    pending_update: Option<Row>,
    /// A blank row to come after the current case.
    pending_blank: bool,
    first_day: NaiveDate,
    span_days: u64,
    /// Cases before the recent block.
    main_cases: u64,
    summary: Summary,
    law: Law,
}

/// The dates the law changed, from the rules file (so that a long log follows each year's law).
#[derive(Debug, Clone, Copy)]
struct Law {
    /// The Panel began: LA aware on or after this date notify it (before: Ofsted).
    panel_from: NaiveDate,
    /// Reviews decided on or after this date are LCSPRs (before: serious case reviews).
    arrangements_from: NaiveDate,
    /// Care leavers' deaths notified from this date.
    care_leavers_from: NaiveDate,
}

impl Law {
    fn from_baseline() -> Law {
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
fn recent_block(cases: u64) -> u64 {
    (cases / 100).max(10).min(cases)
}

impl Generator {
    fn new(opts: Options) -> Generator {
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
    fn next_row(&mut self, row: &mut Row) -> bool {
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

    fn wd_after(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        self.cal.add_working_days(d, n)
    }

    fn wd_before(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        self.cal.sub_working_days(d, n)
    }

    /// A date `n` working days after `d`, with `n` drawn as met (`lo..=due`, mostly), late
    /// (`due+1..=late`) or never (None), by per-mille weights.
    fn event(
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

    fn simulate(&self, i: u64, rng: &mut Rng) -> Facts {
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
    fn publication(&self, rng: &mut Rng, f: &mut Facts) {
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

    fn render(&self, i: u64, f: &Facts, rng: &mut Rng, row: &mut Row) {
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
    fn quirk(&self, q: Quirk, f: &Facts, rng: &mut Rng, row: &mut Row) {
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

/// Most dates are written plainly; a few in other forms.
fn date_style(rng: &mut Rng) -> DateStyle {
    match rng.below(1000) {
        0..=849 => DateStyle::Uk,
        850..=929 => DateStyle::Iso,
        930..=959 => DateStyle::UkShort,
        960..=989 => DateStyle::DateTime(rng.range(8, 18) as u8, rng.range(0, 59) as u8),
        _ => DateStyle::Serial,
    }
}

/// Excel's serial day number of a date (1900 system, dates after 1 March 1900).
fn serial(d: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    (d - base).num_days() as f64
}

// ---------------------------------------------------------------------------------------------
// Writers.

fn push2(buf: &mut Vec<u8>, n: u32) {
    buf.push(b'0' + (n / 10 % 10) as u8);
    buf.push(b'0' + (n % 10) as u8);
}

fn push_num(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

fn push_year(buf: &mut Vec<u8>, y: i32) {
    let y = y.clamp(0, 9999) as u32;
    push2(buf, y / 100);
    push2(buf, y % 100);
}

fn push_uk(buf: &mut Vec<u8>, d: NaiveDate) {
    push2(buf, d.day());
    buf.push(b'/');
    push2(buf, d.month());
    buf.push(b'/');
    push_year(buf, d.year());
}

fn push_uk_short(buf: &mut Vec<u8>, d: NaiveDate) {
    push_num(buf, d.day().into());
    buf.push(b'/');
    push_num(buf, d.month().into());
    buf.push(b'/');
    push_year(buf, d.year());
}

fn push_iso(buf: &mut Vec<u8>, d: NaiveDate) {
    push_year(buf, d.year());
    buf.push(b'-');
    push2(buf, d.month());
    buf.push(b'-');
    push2(buf, d.day());
}

/// The text of a date in a style (CSV; and the xlsx for text styles).
fn date_text(buf: &mut Vec<u8>, d: NaiveDate, style: DateStyle) {
    match style {
        DateStyle::Uk => push_uk(buf, d),
        DateStyle::Iso => push_iso(buf, d),
        DateStyle::UkShort => push_uk_short(buf, d),
        DateStyle::DateTime(h, m) => {
            push_uk(buf, d);
            buf.push(b' ');
            push2(buf, h.into());
            buf.push(b':');
            push2(buf, m.into());
        }
        DateStyle::Serial => push_num(buf, serial(d) as u64),
    }
}

/// The bytes of one cell of a row (dates in the row's style), into `buf`.
fn cell<'a>(buf: &'a mut Vec<u8>, row: &'a Row, col: Col) -> &'a [u8] {
    match col {
        Col::Team => row.team.as_bytes(),
        Col::Notes => row.notes.as_bytes(),
        Col::Field(0) => row.case_ref.as_bytes(),
        Col::Field(1) => row.la.as_bytes(),
        Col::Field(2) => row.child_id.as_bytes(),
        Col::Field(i) => match row.out[i] {
            Out::Blank => b"",
            Out::Text(s) => s.as_bytes(),
            Out::Date(d, style) => {
                buf.clear();
                date_text(buf, d, style);
                buf
            }
        },
    }
}

/// Writes the log as UTF-8 CSV (comma-delimited, CRLF, header on the first line).
pub fn write_csv<W: Write>(opts: &Options, w: W) -> io::Result<Summary> {
    let mut gen = Generator::new(*opts);
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1 << 16)
        .from_writer(w);
    out.write_record(header())?;
    let mut row = Row::new();
    let mut buf: Vec<u8> = Vec::with_capacity(32);
    let empty: [&[u8]; COLUMNS.len()] = [b""; COLUMNS.len()];
    while gen.next_row(&mut row) {
        if row.blank {
            out.write_record(empty)?;
            continue;
        }
        for col in COLUMNS {
            out.write_field(cell(&mut buf, &row, col))?;
        }
        out.write_record(None::<&[u8]>)?;
    }
    out.flush()?;
    Ok(gen.summary)
}

/// Most rows an xlsx sheet holds.
const XLSX_MAX_ROWS: u32 = 1_048_576;

/// Writes the log as an xlsx workbook in constant-memory mode: sheet `Log` with a title row, a
/// blank row and the header on row 3; a log longer than a sheet continues on `Log 2`, ...
pub fn write_xlsx(opts: &Options, path: &Path) -> Result<Summary, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};

    let mut gen = Generator::new(*opts);
    let mut book = Workbook::new();
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        book.set_tempdir(dir)?;
    }
    book.use_zip_large_file(true);
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let datetime_fmt = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let bold = Format::new().set_bold();
    let headers = header();
    let mut sheet_no = 0;
    let mut r: u32 = XLSX_MAX_ROWS; // start a sheet at the first row
    let mut row = Row::new();
    let mut text: Vec<u8> = Vec::with_capacity(32);
    while gen.next_row(&mut row) {
        if r >= XLSX_MAX_ROWS {
            sheet_no += 1;
            let ws = book.add_worksheet_with_constant_memory()?;
            ws.set_name(if sheet_no == 1 {
                "Log".to_string()
            } else {
                format!("Log {sheet_no}")
            })?;
            r = 0;
            if sheet_no == 1 {
                ws.write_string_with_format(
                    0,
                    0,
                    format!(
                        "Serious child safeguarding incidents: synthetic log (seed {}, as of {})",
                        opts.seed,
                        opts.as_of.format("%d/%m/%Y")
                    ),
                    &bold,
                )?;
                r = 2;
            }
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, *h, &bold)?;
            }
            r += 1;
        }
        let ws = book.worksheet_from_index(sheet_no - 1)?;
        if !row.blank {
            for (c, col) in COLUMNS.iter().enumerate() {
                let c = c as u16;
                match *col {
                    Col::Team => {
                        ws.write_string(r, c, row.team)?;
                    }
                    Col::Notes => {
                        if !row.notes.is_empty() {
                            ws.write_string(r, c, row.notes)?;
                        }
                    }
                    Col::Field(0) => {
                        ws.write_string(r, c, &row.case_ref)?;
                    }
                    Col::Field(1) => {
                        ws.write_string(r, c, row.la)?;
                    }
                    Col::Field(2) => {
                        ws.write_string(r, c, &row.child_id)?;
                    }
                    Col::Field(i) => match row.out[i] {
                        Out::Blank => {}
                        Out::Text(s) => {
                            ws.write_string(r, c, s)?;
                        }
                        Out::Date(d, DateStyle::Uk) => {
                            ws.write_number_with_format(r, c, serial(d), &date_fmt)?;
                        }
                        Out::Date(d, DateStyle::DateTime(h, m)) => {
                            let t = d
                                .and_hms_opt(h.into(), m.into(), 0)
                                .map(|t| f64::from(t.num_seconds_from_midnight()) / 86_400.0)
                                .unwrap_or(0.0);
                            ws.write_number_with_format(r, c, serial(d) + t, &datetime_fmt)?;
                        }
                        Out::Date(d, DateStyle::Serial) => {
                            ws.write_number(r, c, serial(d))?;
                        }
                        Out::Date(d, style) => {
                            text.clear();
                            date_text(&mut text, d, style);
                            ws.write_string(r, c, std::str::from_utf8(&text).unwrap_or(""))?;
                        }
                    },
                }
            }
        }
        r += 1;
    }
    if sheet_no == 0 {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name("Log")?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
    }
    book.save(path)?;
    Ok(gen.summary)
}

/// The file name of a generated log: `synthetic-<N>.csv` / `.xlsx`.
pub fn file_name(cases: u64, ext: &str) -> String {
    format!("synthetic-{cases}.{ext}")
}

/// Writes the requested files into `dir` (CSV and xlsx side by side when both), each atomically.
pub fn write_files(
    opts: &Options,
    dir: &Path,
    format: Format,
) -> Result<Vec<(PathBuf, Summary)>, GenerateError> {
    let fail = |p: &Path, e: String| GenerateError::Write {
        file: p.display().to_string(),
        reason: e,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e.to_string()))?;
    let csv_path = dir.join(file_name(opts.cases, "csv"));
    let xlsx_path = dir.join(file_name(opts.cases, "xlsx"));
    let csv = || -> Result<(PathBuf, Summary), GenerateError> {
        let mut summary = Summary::default();
        crate::output::write_atomic(&csv_path, |w| {
            summary = write_csv(opts, w)?;
            Ok(())
        })
        .map_err(|e| fail(&csv_path, e.to_string()))?;
        Ok((csv_path.clone(), summary))
    };
    let xlsx = || -> Result<(PathBuf, Summary), GenerateError> {
        let tmp = crate::output::AtomicFile::create(&xlsx_path)
            .map_err(|e| fail(&xlsx_path, e.to_string()))?;
        let summary = write_xlsx(opts, tmp.path()).map_err(|e| fail(&xlsx_path, e.to_string()))?;
        tmp.commit().map_err(|e| fail(&xlsx_path, e.to_string()))?;
        Ok((xlsx_path.clone(), summary))
    };
    match format {
        Format::Csv => Ok(vec![csv()?]),
        Format::Xlsx => Ok(vec![xlsx()?]),
        Format::Both => {
            // The two files are independent: write them on two threads.
            let (a, b) = std::thread::scope(|s| {
                let x = s.spawn(xlsx);
                let a = csv();
                let b = x.join().unwrap_or_else(|_| {
                    Err(fail(&xlsx_path, "the xlsx writer panicked".to_string()))
                });
                (a, b)
            });
            Ok(vec![a?, b?])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_schema_labels() {
        let schema = crate::fields::Schema::canonical();
        for id in schema.ids() {
            assert_eq!(CANONICAL_LABELS[id.index()], schema.label(id));
        }
        assert_eq!(header().len(), 25);
        assert_eq!(header()[2], "Team");
        assert_eq!(header()[24], "Notes");
    }

    #[test]
    fn same_seed_same_log_other_seed_other_log() {
        let gen = |seed| {
            let mut v = Vec::new();
            write_csv(&Options::new(500, seed), &mut v).unwrap();
            v
        };
        assert_eq!(gen(7), gen(7));
        assert_ne!(gen(7), gen(8));
    }

    #[test]
    fn rows_and_cases_add_up() {
        let mut v = Vec::new();
        let s = write_csv(&Options::new(3000, 1), &mut v).unwrap();
        assert_eq!(s.cases, 3000);
        assert_eq!(s.rows, s.cases + s.update_rows + s.blank_rows);
        assert!(s.blank_rows > 0 && s.update_rows > 0, "{s:?}");
        let text = String::from_utf8(v).unwrap();
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        assert_eq!(r.records().count() as u64, s.rows);
    }

    #[test]
    fn tiny_logs_work() {
        for n in 0..5 {
            let mut v = Vec::new();
            let s = write_csv(&Options::new(n, 3), &mut v).unwrap();
            assert_eq!(s.cases, n);
        }
    }

    #[test]
    fn dates_are_written_in_every_style() {
        let d = NaiveDate::from_ymd_opt(2024, 4, 3).unwrap();
        let t = |s| {
            let mut b = Vec::new();
            date_text(&mut b, d, s);
            String::from_utf8(b).unwrap()
        };
        assert_eq!(t(DateStyle::Uk), "03/04/2024");
        assert_eq!(t(DateStyle::Iso), "2024-04-03");
        assert_eq!(t(DateStyle::UkShort), "3/4/2024");
        assert_eq!(t(DateStyle::DateTime(9, 5)), "03/04/2024 09:05");
        assert_eq!(t(DateStyle::Serial), "45385");
    }
}
