//! Throughput of the working-day calendar: build time, then 10 million each of
//! `add_working_days`, `working_days_between` and `add_months` over pseudo-random dates in
//! 1995-2100. Run with `cargo bench --bench calendar`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use safeguard_audit::calendar::{add_months, Calendar};

const OPS: usize = 10_000_000;
/// Inputs are drawn from a pool of this many (a power of two, so indexing is a mask).
const POOL: usize = 1 << 16;

/// Marsaglia's xorshift64: tiny, deterministic, good enough for picking inputs.
struct XorShift64(u64);

impl XorShift64 {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn report(what: &str, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{what:<24} {OPS} ops in {:>8.1} ms  {:>8.1} Mops/s  {:>6.2} ns/op",
        secs * 1e3,
        OPS as f64 / secs / 1e6,
        secs * 1e9 / OPS as f64
    );
}

fn main() {
    // Build time: the first build, then the best of a few more.
    let start = Instant::now();
    let cal = black_box(Calendar::england_and_wales());
    let first_build = start.elapsed();
    let best_build = (0..20)
        .map(|_| {
            let start = Instant::now();
            black_box(Calendar::england_and_wales());
            start.elapsed()
        })
        .min()
        .unwrap_or(first_build);
    println!(
        "build england_and_wales: first {:.3} ms, best of 20 {:.3} ms",
        first_build.as_secs_f64() * 1e3,
        best_build.as_secs_f64() * 1e3
    );

    let base = NaiveDate::from_ymd_opt(1995, 1, 1).expect("constant date");
    let end = NaiveDate::from_ymd_opt(2100, 12, 31).expect("constant date");
    let span = (end - base).num_days() as u64 + 1;
    let mut rng = XorShift64(0x9E37_79B9_7F4A_7C15);
    let mut random_date = || base + chrono::Days::new(rng.below(span));
    let dates: Vec<NaiveDate> = (0..POOL).map(|_| random_date()).collect();
    let others: Vec<NaiveDate> = (0..POOL).map(|_| random_date()).collect();
    let mut rng = XorShift64(0x2545_F491_4F6C_DD1D);
    let counts: Vec<u32> = (0..POOL).map(|_| rng.below(400) as u32).collect();
    let months: Vec<u32> = (0..POOL).map(|_| rng.below(120) as u32).collect();
    let mask = POOL - 1;

    let start = Instant::now();
    let mut found = 0usize;
    for i in 0..OPS {
        let k = i & mask;
        found += usize::from(
            cal.add_working_days(black_box(dates[k]), black_box(counts[k]))
                .is_some(),
        );
    }
    report("add_working_days", start.elapsed());
    assert_eq!(found, OPS);

    let start = Instant::now();
    let mut total = 0i64;
    for i in 0..OPS {
        let k = i & mask;
        total += cal
            .working_days_between(black_box(dates[k]), black_box(others[k]))
            .unwrap_or(0);
    }
    report("working_days_between", start.elapsed());
    black_box(total);

    let start = Instant::now();
    let mut checksum = 0u64;
    for i in 0..OPS {
        let k = i & mask;
        let d = add_months(black_box(dates[k]), black_box(months[k]));
        checksum = checksum.wrapping_add(u64::from(chrono::Datelike::day(&d)));
    }
    report("add_months", start.elapsed());
    black_box(checksum);
}
