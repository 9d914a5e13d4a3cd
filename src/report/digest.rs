//! The figures a director reads first, computed once for the workbook and the email: headline
//! counts, what is overdue, what falls due in the next 10 working days, compliance per duty
//! and per quarter. Cases are named by reference and child ID only.

use chrono::{Datelike, NaiveDate};

use crate::findings::{Finding, Status};
use crate::pipeline::Audit;
use crate::rules::Actor;

pub use super::headline::{financial_year_start, Headline, DUE_SOON_WORKING_DAYS};

/// A quarter of the trend rests on at least this many duties that fell due; quarters with fewer
/// are left out (one late duty out of two is not a 50% on-time rate anyone should act on).
pub const MIN_QUARTER_DUTIES: usize = 5;

/// Text an item shares with the other items of its case or duty (a million-case audit has
/// millions of items: one copy of each reference and title, not one per item).
pub type Text = std::sync::Arc<str>;

/// One duty that needs action or was breached, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub case_ref: Text,
    pub child_id: Text,
    pub local_authority: Text,
    /// The duty's title (its id and legal source are the Rules sheet's).
    pub duty: Text,
    pub actor: Actor,
    pub status: Status,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub done: Option<NaiveDate>,
    /// Working days late (late, overdue) or left (pending); negative means late.
    pub working_days: Option<i64>,
    /// Whether it counts as the partnership's breach ([`Finding::breach`]: the Panel's own duty
    /// does not, nor a due date in a relaxed period).
    pub breach: bool,
}

/// Compliance of one duty (or all): met on time out of all that fell due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compliance {
    pub label: String,
    pub met: usize,
    pub late: usize,
    pub overdue: usize,
    pub early: usize,
}

impl Compliance {
    /// All that fell due: met, late, overdue or ended early.
    pub fn fell_due(&self) -> usize {
        self.met + self.late + self.overdue + self.early
    }

    /// Met on time as a fraction of all that fell due; `None` when nothing fell due.
    pub fn rate(&self) -> Option<f64> {
        let n = self.fell_due();
        (n > 0).then(|| self.met as f64 / n as f64)
    }

    fn add(&mut self, s: Status) {
        match s {
            Status::Met => self.met += 1,
            Status::Late => self.late += 1,
            Status::Overdue => self.overdue += 1,
            Status::Early => self.early += 1,
            _ => {}
        }
    }
}

/// The digest of an audit.
#[derive(Debug, Clone)]
pub struct Digest {
    pub as_of: NaiveDate,
    /// The reporting week: the 7 days ending on the as-of date.
    pub week_start: NaiveDate,
    /// Start of the financial year (1 April) containing the as-of date.
    pub year_start: NaiveDate,
    /// The last day that counts as due soon (10 working days after the as-of date).
    pub due_soon_until: NaiveDate,
    /// The headline numbers, the same in every report.
    pub headline: Headline,
    pub cases: usize,
    /// Cases with at least one pending or overdue duty.
    pub open_cases: usize,
    /// The partnership's overdue duties (the "Overdue now" figure), most recent due date
    /// first: what can still be put right comes first.
    pub overdue: Vec<Item>,
    /// The Panel's own overdue duties, most recent due date first (never in `overdue`).
    pub panel_overdue: Vec<Item>,
    /// The partnership's pending duties due within [`DUE_SOON_WORKING_DAYS`], soonest first
    /// (the "Due soon" figure; a duty whose clock has not started has no due date and is not here).
    pub due_soon: Vec<Item>,
    /// The Panel's own pending duties due as soon, soonest first.
    pub panel_due_soon: Vec<Item>,
    /// Every overdue and pending duty, soonest due first (no due date last).
    pub action: Vec<Item>,
    /// Every finding that is the partnership's breach, most recent due date first.
    pub breaches: Vec<Item>,
    /// How many findings are the partnership's breaches (`breaches.len()` when the lists are
    /// made; counted without them by [`Digest::counts`]).
    pub breach_count: usize,
    /// Findings that are unknown (data gaps).
    pub data_gaps: usize,
    /// Per duty, in rules order, then "All duties" last.
    pub per_duty: Vec<Compliance>,
    /// Per local authority (only when the log has several).
    pub per_authority: Vec<Compliance>,
    /// On-time rate per quarter of due date ("2024 Q2" = Apr-Jun 2024, calendar quarters),
    /// oldest first, only quarters resting on at least [`MIN_QUARTER_DUTIES`] duties.
    pub per_quarter: Vec<Compliance>,
    /// Quarters left out of `per_quarter` for resting on too few duties.
    pub quarters_left_out: usize,
    /// What changed since the last report sent (the weekly run's ledger); `None` for a
    /// one-off audit.
    pub changes: Option<crate::changes::Changes>,
    /// For one local authority's report (of a partnership): its name.
    pub authority: Option<String>,
}

/// Working days late (negative) or left, as [`Item::working_days`].
fn working_days(f: &Finding) -> Option<i64> {
    match f.status {
        Status::Late | Status::Overdue => f.working_days_late().map(|n| -(n as i64)),
        Status::Pending => f.working_days_left().map(i64::from),
        _ => None,
    }
}

/// Per case, its place in case-reference order ([`crate::util::natural::natural_cmp`]; equal
/// references keep their case order). The cases of an audit are already in that order, except
/// referrals added after them.
fn case_ranks(audit: &Audit) -> Vec<u32> {
    let cases = &audit.cases.cases;
    let sorted = cases.windows(2).all(|w| {
        crate::util::natural::natural_cmp(&w[0].case_ref, &w[1].case_ref)
            != std::cmp::Ordering::Greater
    });
    let mut rank: Vec<u32> = (0..cases.len() as u32).collect();
    if !sorted {
        let mut order = rank.clone();
        order.sort_by_cached_key(|&i| {
            crate::util::natural::natural_key(&cases[i as usize].case_ref)
        });
        for (k, &i) in order.iter().enumerate() {
            rank[i as usize] = k as u32;
        }
    }
    rank
}

/// Makes items, sharing each case's and duty's text among them.
struct Items<'a> {
    audit: &'a Audit,
    /// Per case, once it has an item, its place in `texts` (`u32::MAX`: none yet); four bytes
    /// per case rather than 48 for every case, item or not.
    cases: Vec<u32>,
    /// Reference, child ID and local authority of each case with an item.
    texts: Vec<[Text; 3]>,
    /// Per duty: its title.
    duties: Vec<Text>,
    empty: Text,
}

impl<'a> Items<'a> {
    fn new(audit: &'a Audit) -> Items<'a> {
        Items {
            audit,
            cases: vec![u32::MAX; audit.cases.cases.len()],
            texts: Vec::new(),
            duties: audit
                .rules
                .duties
                .iter()
                .map(|d| d.title.as_str().into())
                .collect(),
            empty: "".into(),
        }
    }

    fn item(&mut self, f: &Finding) -> Item {
        let audit = self.audit;
        let case = &audit.cases.cases[f.case as usize];
        let empty = &self.empty;
        let text = |s: Option<&str>| match s {
            Some(s) if !s.is_empty() => Text::from(s),
            _ => empty.clone(),
        };
        let at = &mut self.cases[f.case as usize];
        if *at == u32::MAX {
            *at = self.texts.len() as u32;
            self.texts.push([
                Text::from(&*case.case_ref),
                text(case.child_id.as_deref()),
                match &case.local_authority {
                    // The case's own shared name, not a new copy.
                    Some(la) if !la.is_empty() => la.clone(),
                    _ => empty.clone(),
                },
            ]);
        }
        let [case_ref, child_id, local_authority] = self.texts[*at as usize].clone();
        let title = self.duties[f.duty as usize].clone();
        item_with(audit, f, [case_ref, child_id, local_authority], title)
    }
}

fn item_with(audit: &Audit, f: &Finding, case: [Text; 3], title: Text) -> Item {
    let duty = &audit.rules.duties[f.duty as usize];
    let working_days = working_days(f);
    let [case_ref, child_id, local_authority] = case;
    Item {
        case_ref,
        child_id,
        local_authority,
        duty: title,
        actor: duty.actor,
        status: f.status,
        start: f.start,
        due: f.due,
        done: f.done,
        working_days,
        breach: f.breach(&audit.rules),
    }
}

/// "2024 Q2" for calendar quarters.
pub fn quarter_label(d: NaiveDate) -> String {
    format!("{} Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

impl Digest {
    /// Every figure and every list.
    pub fn of(audit: &Audit) -> Digest {
        Self::build(audit, true)
    }

    /// The figures without the lists of items (`overdue`, `due_soon`, `action`, `breaches` and
    /// the Panel's are left empty): what a run that writes no workbook prints. A million-case
    /// audit has millions of items; counting them takes a tenth of the time.
    pub fn counts(audit: &Audit) -> Digest {
        Self::build(audit, false)
    }

    fn build(audit: &Audit, lists: bool) -> Digest {
        // The headline counts over every finding on another core, beside the rest.
        std::thread::scope(|s| {
            let headline = s.spawn(|| Headline::of(audit));
            let digest = Self::build_with(audit, lists);
            let headline = headline
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            Digest { headline, ..digest }
        })
    }

    /// Everything but the headline (left at its default).
    fn build_with(audit: &Audit, lists: bool) -> Digest {
        let as_of = audit.as_of;
        let due_soon_until = Headline::due_soon_until(audit);
        let year_start = financial_year_start(as_of);
        let mut per_duty: Vec<Compliance> = audit
            .rules
            .duties
            .iter()
            .map(|d| Compliance {
                label: d.title.clone(),
                ..Default::default()
            })
            .collect();
        let mut all = Compliance {
            label: "All duties".to_string(),
            ..Default::default()
        };
        // Each case's authority found once (not per finding): its place in `authorities`.
        let mut authority_of: hashbrown::HashMap<&str, usize> = Default::default();
        let mut authorities: Vec<Compliance> = Vec::new();
        let case_authority: Vec<Option<usize>> = audit
            .cases
            .cases
            .iter()
            .map(|c| {
                let la = c.local_authority.as_deref()?;
                Some(*authority_of.entry(la).or_insert_with(|| {
                    authorities.push(Compliance {
                        label: la.to_string(),
                        ..Default::default()
                    });
                    authorities.len() - 1
                }))
            })
            .collect();
        let mut counted = vec![false; authorities.len()];
        let mut quarters: hashbrown::HashMap<(i32, u32), Compliance> = Default::default();
        let mut overdue = Vec::new();
        let mut panel_overdue = Vec::new();
        let mut due_soon = Vec::new();
        let mut panel_due_soon = Vec::new();
        let mut action = Vec::new();
        let mut breaches = Vec::new();
        let mut data_gaps = 0;
        let mut breach_count = 0;
        let mut open = vec![false; audit.cases.cases.len()];
        for f in &audit.findings {
            let duty = &audit.rules.duties[f.duty as usize];
            match f.status {
                Status::Unknown => data_gaps += 1,
                Status::Overdue | Status::Pending => open[f.case as usize] = true,
                _ => {}
            }
            // The Panel's own timescale is reported but not counted in the partnership's
            // compliance.
            if duty.breach {
                per_duty[f.duty as usize].add(f.status);
                all.add(f.status);
                if let Some(due) = f.due {
                    if matches!(
                        f.status,
                        Status::Met | Status::Late | Status::Overdue | Status::Early
                    ) {
                        let q = quarters
                            .entry((due.year(), (due.month() - 1) / 3 + 1))
                            .or_insert_with(|| Compliance {
                                label: quarter_label(due),
                                ..Default::default()
                            });
                        q.add(f.status);
                    }
                }
                if let Some(k) = case_authority[f.case as usize] {
                    authorities[k].add(f.status);
                    counted[k] = true;
                }
            } else if let Status::Met | Status::Late | Status::Overdue | Status::Early = f.status {
                per_duty[f.duty as usize].add(f.status);
            }
            let breach = f.breach(&audit.rules);
            breach_count += usize::from(breach);
            if !lists {
                continue;
            }
            if matches!(f.status, Status::Overdue | Status::Pending) {
                let soon =
                    f.status == Status::Pending && f.due.is_some_and(|d| d <= due_soon_until);
                match (f.status, duty.breach) {
                    (Status::Overdue, _) if breach => overdue.push(f),
                    (Status::Overdue, false) => panel_overdue.push(f),
                    (Status::Pending, true) if soon => due_soon.push(f),
                    (Status::Pending, false) if soon => panel_due_soon.push(f),
                    _ => {}
                }
                action.push(f);
            }
            if breach {
                breaches.push(f);
            }
        }
        // Sorted as findings, by small keys (the case's place in case-reference order rather
        // than its reference), and only then made into items.
        let rank = if lists { case_ranks(audit) } else { Vec::new() };
        let rank = |f: &Finding| rank[f.case as usize];
        let recent_first = |f: &&Finding| (std::cmp::Reverse(f.due), rank(f));
        overdue.sort_by_key(recent_first);
        panel_overdue.sort_by_key(recent_first);
        breaches.sort_by_key(recent_first);
        let by_due = |f: &&Finding| (f.due.is_none(), f.due, rank(f));
        due_soon.sort_by_key(by_due);
        panel_due_soon.sort_by_key(by_due);
        action.sort_by_key(by_due);
        let mut made = Items::new(audit);
        let mut items = |v: Vec<&Finding>| v.into_iter().map(|f| made.item(f)).collect::<Vec<_>>();
        let (overdue, panel_overdue) = (items(overdue), items(panel_overdue));
        let (due_soon, panel_due_soon) = (items(due_soon), items(panel_due_soon));
        let (action, breaches) = (items(action), items(breaches));
        per_duty.push(all);
        let quarters_total = quarters.len();
        let mut quarters: Vec<((i32, u32), Compliance)> = quarters.into_iter().collect();
        quarters.sort_by_key(|(k, _)| *k);
        let per_quarter: Vec<Compliance> = quarters
            .into_iter()
            .map(|(_, q)| q)
            .filter(|q| q.fell_due() >= MIN_QUARTER_DUTIES)
            .collect();
        // In name order; an authority none of whose findings counted is not listed.
        let mut authorities: Vec<Compliance> = authorities
            .into_iter()
            .zip(counted)
            .filter_map(|(c, counted)| counted.then_some(c))
            .collect();
        authorities.sort_by(|a, b| a.label.cmp(&b.label));
        Digest {
            as_of,
            week_start: as_of - chrono::Days::new(6),
            year_start,
            due_soon_until,
            cases: audit.incident_case_count(),
            open_cases: open.iter().filter(|o| **o).count(),
            overdue,
            panel_overdue,
            due_soon,
            panel_due_soon,
            action,
            breaches,
            breach_count,
            data_gaps,
            per_duty,
            per_authority: if authorities.len() > 1 {
                authorities
            } else {
                Vec::new()
            },
            quarters_left_out: quarters_total - per_quarter.len(),
            per_quarter,
            headline: Headline::default(),
            changes: None,
            authority: audit.authority.clone(),
        }
    }

    /// The one-sentence headline, with how many of the overdue are new when the ledger knows.
    pub fn sentence(&self) -> String {
        let new = self
            .changes
            .as_ref()
            .and_then(|c| c.since.map(|since| (c.new_overdue.len(), since)));
        self.headline.sentence(new)
    }

    /// The digest with what changed since the last report.
    pub fn with_changes(mut self, changes: crate::changes::Changes) -> Digest {
        self.changes = Some(changes);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_rates() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(quarter_label(d("2024-05-01")), "2024 Q2");
        let c = Compliance {
            met: 3,
            late: 1,
            ..Default::default()
        };
        assert_eq!(c.rate(), Some(0.75));
        assert_eq!(Compliance::default().rate(), None);
    }
}
