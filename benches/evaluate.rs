//! Evaluation benchmark: 1,000,000 synthetic cases (2015-2026, so every period of the law by
//! date, a few with a blank awareness date) against the fourteen national duties.
//! Run with `cargo bench --bench evaluate`. Prints figures; asserts nothing about time.

use std::hint::black_box;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use safeguard_audit::calendar::Calendar;
use safeguard_audit::cases::{Case, CaseSet, RowRef, Value};
use safeguard_audit::fields;
use safeguard_audit::rules::RuleSet;

/// The binary's allocator (see `src/main.rs`), so the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn synthetic(n: usize, rules: &RuleSet) -> CaseSet {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let base = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
    let mut set = CaseSet::default();
    for i in 0..n {
        let mut v = vec![Value::Blank; rules.schema.len()];
        let aware = base + Days::new(rng.below(4300));
        let after = |rng: &mut Rng, d: NaiveDate, max: u64| d + Days::new(rng.below(max));
        v[fields::INCIDENT_DATE.index()] = Value::Date(aware - Days::new(rng.below(3)));
        if rng.below(50) != 0 {
            v[fields::AWARE_DATE.index()] = Value::Date(aware);
        }
        v[fields::OUTCOME.index()] = Value::Cat(rng.below(3) as u8);
        v[fields::ABUSE_NEGLECT.index()] = Value::Cat(rng.below(3) as u8);
        v[fields::CHILD_STATUS.index()] = Value::Cat(rng.below(7) as u8);
        if rng.below(10) < 8 {
            let p = after(&mut rng, aware, 9);
            v[fields::PANEL_NOTIFIED.index()] = Value::Date(p);
            v[fields::PARTNERS_NOTIFIED.index()] = Value::Date(after(&mut rng, aware, 9));
            if rng.below(10) < 8 {
                let r = after(&mut rng, p, 25);
                v[fields::RAPID_REVIEW_SENT.index()] = Value::Date(r);
                v[fields::PANEL_RESPONSE.index()] = Value::Date(after(&mut rng, r, 25));
                if rng.below(3) == 0 {
                    let dd = after(&mut rng, r, 10);
                    v[fields::DECISION.index()] = Value::Cat(0);
                    v[fields::DECISION_DATE.index()] = Value::Date(dd);
                    if rng.below(2) == 0 {
                        let pubd = after(&mut rng, dd, 250);
                        v[fields::PUBLISHED.index()] = Value::Date(pubd);
                        v[fields::REPORT_SENT.index()] =
                            Value::Date(pubd - Days::new(rng.below(20)));
                    }
                }
            }
        }
        set.cases.push(Case {
            case_ref: format!("SYN-{i:07}").into(),
            local_authority: None,
            child_id: None,
            reviewer: None,
            values: v
                .into_iter()
                .map(safeguard_audit::cases::Packed::from)
                .collect(),
            first_row: RowRef {
                table: 0,
                row: i as u32 + 2,
            },
            rows: 1,
            referral: false,
        });
    }
    set
}

fn main() {
    let rules = RuleSet::baseline().expect("baseline rules");
    let cal = Calendar::england_and_wales();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let n = 1_000_000;
    let duties = rules
        .duties
        .iter()
        .filter(|d| d.subject == safeguard_audit::rules::Subject::Incident)
        .count();
    let t = Instant::now();
    let cases = synthetic(n, &rules);
    println!("generated {n} cases in {:.2?}", t.elapsed());
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let findings =
            safeguard_audit::pipeline::evaluate_all(&cases, &rules, &cal, as_of).unwrap();
        let secs = t.elapsed().as_secs_f64();
        black_box(&findings);
        assert_eq!(findings.len(), n * duties);
        best = best.min(secs);
    }
    println!(
        "evaluate_all: {n} cases x {} duties in {:.3} s (best of 3) = {:.1} M cases/s",
        duties,
        best,
        n as f64 / best / 1e6
    );
    // Sized up front, as `evaluate_all` sizes its output: the loop is timed, not the
    // allocator's copies of a growing 14-million-finding vector.
    let mut out = Vec::with_capacity(n * duties);
    let t = Instant::now();
    for (i, c) in cases.cases.iter().enumerate() {
        safeguard_audit::findings::evaluate_case(i as u32, c, &rules, &cal, as_of, &mut out);
    }
    let single = t.elapsed().as_secs_f64();
    black_box(&out);
    println!(
        "single thread: {:.3} s = {:.0} ns per case",
        single,
        single * 1e9 / n as f64
    );
}
