//! Unit tests of `send`.

use super::*;

/// Simulates the retry loop's decisions: attempts until `ok_at` (never if `None`), each
/// failing attempt taking no time, returning the attempts made and the time slept.
fn simulate(b: &Backoff, ok_at: Option<u32>) -> (u32, Duration) {
    let mut clock = Duration::ZERO;
    let mut n = 0;
    loop {
        n += 1;
        if ok_at == Some(n) {
            return (n, clock);
        }
        match b.next(n, clock) {
            Some(d) => clock += d,
            None => return (n, clock),
        }
    }
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let b = Backoff::within(Duration::from_secs(120));
    let d: Vec<u64> = (1..=8).map(|n| b.delay(n).as_secs()).collect();
    assert_eq!(d, [1, 2, 4, 8, 16, 30, 30, 30]);
    assert_eq!(b.delay(200).as_secs(), 30);
}

#[test]
fn retries_transient_within_the_budget() {
    let b = Backoff::within(Duration::from_secs(120));
    let (n, slept) = simulate(&b, None);
    // Attempts at 0, 1, 3, 7, 15, 31, 61, 91 s; the next would start at 121 s.
    assert_eq!(n, 8);
    assert!(slept <= Duration::from_secs(120));
}

#[test]
fn zero_budget_means_one_attempt() {
    let b = Backoff::within(Duration::ZERO);
    assert_eq!(simulate(&b, None), (1, Duration::ZERO));
}

#[test]
fn success_stops_the_retries() {
    let b = Backoff::within(Duration::from_secs(120));
    assert_eq!(simulate(&b, Some(3)).0, 3);
}

#[test]
fn redacts_the_password() {
    assert_eq!(
        redact("535 bad s3cret for u", Some("s3cret")),
        "535 bad *** for u"
    );
    assert_eq!(redact("x", Some("")), "x");
    assert_eq!(redact("x", None), "x");
}

#[test]
fn the_deadline_is_retry_for_plus_one_timeout() {
    let c = crate::config::Config::parse(
        "[email]\nfrom = \"a@x\"\nto = [\"b@x\"]\nsmtp_host = \"h\"\nretry_for_secs = 20\ntimeout_secs = 5",
        std::path::Path::new("c.toml"),
        std::path::Path::new("."),
    )
    .unwrap();
    let s = Settings::resolve_with(&c, super::super::Password::NotNeeded, &|_| None).unwrap();
    assert_eq!(attempt_timeout(&s), Duration::from_secs(5));
    assert_eq!(deadline(&s), Duration::from_secs(25));
}
