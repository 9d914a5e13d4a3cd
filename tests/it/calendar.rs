//! Integration tests for `safeguard_audit::calendar`: the published gov.uk lists, hand-worked
//! working-day cases and property tests against a naive day-by-day implementation.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;
use safeguard_audit::calendar::{
    add_months, bank_holidays, Calendar, Holiday, FIRST_YEAR, LAST_YEAR,
};

static CAL: LazyLock<Calendar> = LazyLock::new(Calendar::england_and_wales);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

// -------------------------------------------------------------------------------------------
// The published lists.
// -------------------------------------------------------------------------------------------

/// gov.uk's England and Wales bank holidays, 2018-2027, as (month, day).
const GOV_UK: &[(i32, &[(u32, u32)])] = &[
    (
        2018,
        &[
            (1, 1),
            (3, 30),
            (4, 2),
            (5, 7),
            (5, 28),
            (8, 27),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2019,
        &[
            (1, 1),
            (4, 19),
            (4, 22),
            (5, 6),
            (5, 27),
            (8, 26),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2020,
        &[
            (1, 1),
            (4, 10),
            (4, 13),
            (5, 8),
            (5, 25),
            (8, 31),
            (12, 25),
            (12, 28),
        ],
    ),
    (
        2021,
        &[
            (1, 1),
            (4, 2),
            (4, 5),
            (5, 3),
            (5, 31),
            (8, 30),
            (12, 27),
            (12, 28),
        ],
    ),
    (
        2022,
        &[
            (1, 3),
            (4, 15),
            (4, 18),
            (5, 2),
            (6, 2),
            (6, 3),
            (8, 29),
            (9, 19),
            (12, 26),
            (12, 27),
        ],
    ),
    (
        2023,
        &[
            (1, 2),
            (4, 7),
            (4, 10),
            (5, 1),
            (5, 8),
            (5, 29),
            (8, 28),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2024,
        &[
            (1, 1),
            (3, 29),
            (4, 1),
            (5, 6),
            (5, 27),
            (8, 26),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2025,
        &[
            (1, 1),
            (4, 18),
            (4, 21),
            (5, 5),
            (5, 26),
            (8, 25),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2026,
        &[
            (1, 1),
            (4, 3),
            (4, 6),
            (5, 4),
            (5, 25),
            (8, 31),
            (12, 25),
            (12, 28),
        ],
    ),
    (
        2027,
        &[
            (1, 1),
            (3, 26),
            (3, 29),
            (5, 3),
            (5, 31),
            (8, 30),
            (12, 27),
            (12, 28),
        ],
    ),
];

fn dates(year: i32) -> Vec<NaiveDate> {
    bank_holidays(year).into_iter().map(|h| h.date).collect()
}

fn name_on(d: NaiveDate) -> Option<String> {
    bank_holidays(d.year())
        .into_iter()
        .find(|h| h.date == d)
        .map(|h| h.name)
}

#[test]
fn gov_uk_lists_2018_to_2027() {
    for &(year, list) in GOV_UK {
        let expected: Vec<NaiveDate> = list.iter().map(|&(m, d)| date(year, m, d)).collect();
        assert_eq!(dates(year), expected, "bank holidays of {year}");
    }
}

#[test]
fn gov_uk_names_2018_to_2027() {
    let expected_2022 = [
        "New Year's Day (substitute day)",
        "Good Friday",
        "Easter Monday",
        "Early May bank holiday",
        "Spring bank holiday",
        "Platinum Jubilee bank holiday",
        "Summer bank holiday",
        "Bank holiday for the State Funeral of Queen Elizabeth II",
        "Boxing Day",
        "Christmas Day (substitute day)",
    ];
    let names: Vec<String> = bank_holidays(2022).into_iter().map(|h| h.name).collect();
    assert_eq!(names, expected_2022);

    let expected_2025 = [
        "New Year's Day",
        "Good Friday",
        "Easter Monday",
        "Early May bank holiday",
        "Spring bank holiday",
        "Summer bank holiday",
        "Christmas Day",
        "Boxing Day",
    ];
    let names: Vec<String> = bank_holidays(2025).into_iter().map(|h| h.name).collect();
    assert_eq!(names, expected_2025);

    assert_eq!(
        name_on(date(2020, 5, 8)).as_deref(),
        Some("Early May bank holiday (VE day)")
    );
    assert_eq!(
        name_on(date(2023, 5, 8)).as_deref(),
        Some("Bank holiday for the coronation of King Charles III")
    );
    assert_eq!(
        name_on(date(2027, 12, 27)).as_deref(),
        Some("Christmas Day (substitute day)")
    );
    assert_eq!(
        name_on(date(2027, 12, 28)).as_deref(),
        Some("Boxing Day (substitute day)")
    );
    assert_eq!(
        name_on(date(2026, 12, 28)).as_deref(),
        Some("Boxing Day (substitute day)")
    );
}

#[test]
fn special_years_since_1995() {
    // 1995: early May moved to Monday 8 May for VE day.
    let y1995 = dates(1995);
    assert!(y1995.contains(&date(1995, 5, 8)));
    assert!(!y1995.contains(&date(1995, 5, 1)));
    assert_eq!(
        name_on(date(1995, 5, 8)).as_deref(),
        Some("Early May bank holiday (VE day)")
    );

    // 1999: the millennium.
    assert_eq!(
        name_on(date(1999, 12, 31)).as_deref(),
        Some("Millennium celebrations")
    );
    assert_eq!(dates(1999).len(), 9);

    // 2002: Golden Jubilee Monday 3 June, spring holiday moved to Tuesday 4 June.
    let y2002 = dates(2002);
    assert!(y2002.contains(&date(2002, 6, 3)));
    assert!(y2002.contains(&date(2002, 6, 4)));
    assert!(!y2002.contains(&date(2002, 5, 27)));
    assert_eq!(
        name_on(date(2002, 6, 3)).as_deref(),
        Some("Golden Jubilee bank holiday")
    );
    assert_eq!(
        name_on(date(2002, 6, 4)).as_deref(),
        Some("Spring bank holiday")
    );

    // 2011: royal wedding.
    assert_eq!(name_on(date(2011, 4, 29)).as_deref(), Some("Royal wedding"));
    assert_eq!(dates(2011).len(), 9);

    // 2012: spring holiday moved to Monday 4 June, Diamond Jubilee Tuesday 5 June.
    let y2012 = dates(2012);
    assert!(y2012.contains(&date(2012, 6, 4)));
    assert!(y2012.contains(&date(2012, 6, 5)));
    assert!(!y2012.contains(&date(2012, 5, 28)));
    assert_eq!(
        name_on(date(2012, 6, 5)).as_deref(),
        Some("Diamond Jubilee bank holiday")
    );

    // 1981: royal wedding.
    assert_eq!(name_on(date(1981, 7, 29)).as_deref(), Some("Royal wedding"));
}

#[test]
fn ordinary_years_have_eight_weekday_holidays() {
    let special = [1995, 1999, 2002, 2011, 2012, 2022, 2023];
    for year in 1978..=2200 {
        let list = bank_holidays(year);
        assert!(list
            .iter()
            .all(|h| !matches!(h.date.weekday(), Weekday::Sat | Weekday::Sun)));
        if !special.contains(&year) && year != 1981 {
            assert_eq!(list.len(), 8, "{year}: {list:?}");
        }
    }
}

// -------------------------------------------------------------------------------------------
// Hand-worked working-day cases.
// -------------------------------------------------------------------------------------------

#[test]
fn platinum_jubilee_weekend() {
    // Fri 27 May 2022 + 5: Mon 30, Tue 31, Wed 1 Jun, [Thu 2, Fri 3 holidays], Mon 6, Tue 7.
    assert_eq!(
        CAL.add_working_days(date(2022, 5, 27), 5),
        Some(date(2022, 6, 7))
    );
    assert_eq!(
        CAL.working_days_between(date(2022, 5, 27), date(2022, 6, 7)),
        Some(5)
    );
    assert_eq!(
        CAL.working_days_between(date(2022, 6, 7), date(2022, 5, 27)),
        Some(-5)
    );
    assert_eq!(
        CAL.sub_working_days(date(2022, 6, 7), 5),
        Some(date(2022, 5, 27))
    );
    // A holiday start is not counted: the first working day after Thu 2 June is Mon 6 June.
    assert_eq!(
        CAL.add_working_days(date(2022, 6, 2), 1),
        Some(date(2022, 6, 6))
    );
    assert_eq!(
        CAL.skipped_days(date(2022, 5, 27), date(2022, 6, 7)),
        vec![
            (date(2022, 5, 28), "Saturday".to_owned()),
            (date(2022, 5, 29), "Sunday".to_owned()),
            (date(2022, 6, 2), "Spring bank holiday".to_owned()),
            (date(2022, 6, 3), "Platinum Jubilee bank holiday".to_owned()),
            (date(2022, 6, 4), "Saturday".to_owned()),
            (date(2022, 6, 5), "Sunday".to_owned()),
        ]
    );
}

#[test]
fn coronation_weekend() {
    // Sat 6 May 2023 + 5: [Sun 7, Mon 8 coronation], Tue 9, Wed 10, Thu 11, Fri 12, Mon 15.
    assert_eq!(
        CAL.add_working_days(date(2023, 5, 6), 5),
        Some(date(2023, 5, 15))
    );
    assert_eq!(
        CAL.add_working_days(date(2023, 5, 6), 4),
        Some(date(2023, 5, 12))
    );
    assert_eq!(
        CAL.working_days_between(date(2023, 5, 6), date(2023, 5, 8)),
        Some(0)
    );
    // Tue 9 May - 1 = Fri 5 May (Mon 8 is the coronation); Sat 6 May - 1 = Fri 5 May.
    assert_eq!(
        CAL.sub_working_days(date(2023, 5, 9), 1),
        Some(date(2023, 5, 5))
    );
    assert_eq!(
        CAL.sub_working_days(date(2023, 5, 6), 1),
        Some(date(2023, 5, 5))
    );
    assert_eq!(
        CAL.non_working_reason(date(2023, 5, 8)),
        Some("Bank holiday for the coronation of King Charles III")
    );
}

#[test]
fn christmas_2024() {
    // Fri 20 Dec 2024 + 5: Mon 23, Tue 24, [Wed 25, Thu 26], Fri 27, Mon 30, Tue 31.
    assert_eq!(
        CAL.add_working_days(date(2024, 12, 20), 5),
        Some(date(2024, 12, 31))
    );
    // Tue 7 Jan 2025 - 5: Mon 6, Fri 3, Thu 2, [Wed 1], Tue 31, Mon 30.
    assert_eq!(
        CAL.sub_working_days(date(2025, 1, 7), 5),
        Some(date(2024, 12, 30))
    );
    assert_eq!(
        CAL.working_days_between(date(2024, 12, 20), date(2025, 1, 7)),
        Some(9) // 23, 24, 27, 30, 31 Dec; 2, 3, 6, 7 Jan
    );
}

#[test]
fn easter_2025() {
    // Thu 17 Apr 2025 + 5: [Fri 18, Mon 21], Tue 22, Wed 23, Thu 24, Fri 25, Mon 28.
    assert_eq!(
        CAL.add_working_days(date(2025, 4, 17), 5),
        Some(date(2025, 4, 28))
    );
    assert_eq!(
        CAL.non_working_reason(date(2025, 4, 18)),
        Some("Good Friday")
    );
    assert_eq!(
        CAL.non_working_reason(date(2025, 4, 21)),
        Some("Easter Monday")
    );
    assert_eq!(CAL.non_working_reason(date(2025, 4, 22)), None);
    assert!(CAL.is_working_day(date(2025, 4, 22)));
}

#[test]
fn zero_days_return_the_date_itself() {
    let sat = date(2023, 5, 6);
    assert_eq!(CAL.add_working_days(sat, 0), Some(sat));
    assert_eq!(CAL.sub_working_days(sat, 0), Some(sat));
    assert_eq!(CAL.working_days_between(sat, sat), Some(0));
}

#[test]
fn range_limits() {
    assert_eq!(FIRST_YEAR, 1970);
    assert_eq!(LAST_YEAR, 2200);
    assert_eq!(Calendar::FIRST_YEAR, FIRST_YEAR);
    assert_eq!(Calendar::LAST_YEAR, LAST_YEAR);
    // Fri 2 Jan 1970: one working day (Thu 1 Jan; no New Year bank holiday until 1974) before it.
    assert_eq!(
        CAL.sub_working_days(date(1970, 1, 2), 1),
        Some(date(1970, 1, 1))
    );
    assert_eq!(CAL.sub_working_days(date(1970, 1, 2), 2), None);
    assert_eq!(CAL.add_working_days(date(2200, 12, 30), 5), None);
    assert_eq!(CAL.add_working_days(date(1969, 12, 31), 1), None);
    assert_eq!(CAL.add_working_days(date(2201, 1, 1), 0), None);
    assert_eq!(
        CAL.working_days_between(date(1969, 12, 31), date(2000, 1, 1)),
        None
    );
    assert_eq!(
        CAL.working_days_between(date(2000, 1, 1), date(2201, 1, 1)),
        None
    );
    assert_eq!(CAL.add_working_days(date(2000, 1, 1), u32::MAX), None);
    assert_eq!(CAL.sub_working_days(date(2000, 1, 1), u32::MAX), None);
    // The last working day of the range is reachable.
    let last = date(2200, 12, 31); // a Wednesday
    assert!(CAL.is_working_day(last));
    assert_eq!(CAL.add_working_days(date(2200, 12, 30), 1), Some(last));
    assert_eq!(CAL.add_working_days(last, 1), None);
}

#[test]
fn extra_days_shift_results() {
    let cal = Calendar::with_extra_days(&[
        (date(2024, 12, 27), "Office closure".to_owned()),
        (date(2024, 12, 28), "Weekend closure".to_owned()), // a Saturday: no effect
        (date(2024, 12, 25), "Closed for Christmas".to_owned()), // a bank holiday: keeps its name
    ]);
    // Fri 20 Dec 2024 + 5: Mon 23, Tue 24, [25, 26, 27], Mon 30, Tue 31, [Wed 1 Jan], Thu 2 Jan.
    assert_eq!(
        cal.add_working_days(date(2024, 12, 20), 5),
        Some(date(2025, 1, 2))
    );
    assert_eq!(
        CAL.add_working_days(date(2024, 12, 20), 5),
        Some(date(2024, 12, 31))
    );
    assert!(!cal.is_working_day(date(2024, 12, 27)));
    assert_eq!(
        cal.non_working_reason(date(2024, 12, 27)),
        Some("Office closure")
    );
    assert_eq!(cal.non_working_reason(date(2024, 12, 28)), Some("Saturday"));
    assert_eq!(
        cal.non_working_reason(date(2024, 12, 25)),
        Some("Christmas Day")
    );
    assert_eq!(
        cal.working_days_between(date(2024, 12, 20), date(2025, 1, 2)),
        Some(5)
    );
    assert_eq!(
        cal.holidays_between(date(2024, 12, 1), date(2025, 1, 1)),
        vec![
            Holiday {
                date: date(2024, 12, 25),
                name: "Christmas Day".to_owned()
            },
            Holiday {
                date: date(2024, 12, 26),
                name: "Boxing Day".to_owned()
            },
            Holiday {
                date: date(2024, 12, 27),
                name: "Office closure".to_owned()
            },
            Holiday {
                date: date(2025, 1, 1),
                name: "New Year's Day".to_owned()
            },
        ]
    );
    // Extra days outside the covered years still count for classification.
    let far = Calendar::with_extra_days(&[(date(2250, 6, 3), "Far closure".to_owned())]);
    assert_eq!(
        far.non_working_reason(date(2250, 6, 3)),
        Some("Far closure")
    );
    assert!(!far.is_working_day(date(2250, 6, 3)));
}

#[test]
fn holidays_between_matches_bank_holidays() {
    for year in [1970, 1995, 2022, 2100, 2200] {
        assert_eq!(
            CAL.holidays_between(date(year, 1, 1), date(year, 12, 31)),
            bank_holidays(year)
        );
    }
    // Spanning the end of the covered range.
    let mut expected = bank_holidays(2200);
    expected.extend(bank_holidays(2201));
    assert_eq!(
        CAL.holidays_between(date(2200, 1, 1), date(2201, 12, 31)),
        expected
    );
    let mut expected = bank_holidays(1969);
    expected.extend(bank_holidays(1970));
    assert_eq!(
        CAL.holidays_between(date(1969, 1, 1), date(1970, 12, 31)),
        expected
    );
    assert!(CAL
        .holidays_between(date(2024, 12, 31), date(2024, 1, 1))
        .is_empty());
    // Inclusive at both ends.
    assert_eq!(
        CAL.holidays_between(date(2024, 12, 25), date(2024, 12, 26))
            .len(),
        2
    );
}

#[test]
fn add_months_examples() {
    assert_eq!(add_months(date(2024, 8, 31), 6), date(2025, 2, 28));
    assert_eq!(add_months(date(2023, 8, 31), 6), date(2024, 2, 29));
    assert_eq!(add_months(date(2025, 1, 31), 1), date(2025, 2, 28));
    assert_eq!(add_months(date(2025, 5, 31), 1), date(2025, 6, 30));
    assert_eq!(add_months(date(2025, 12, 15), 1), date(2026, 1, 15));
}

// -------------------------------------------------------------------------------------------
// Exhaustive and property checks against a naive implementation.
// -------------------------------------------------------------------------------------------

static BANK: LazyLock<HashSet<NaiveDate>> = LazyLock::new(|| {
    (FIRST_YEAR - 1..=LAST_YEAR + 1)
        .flat_map(bank_holidays)
        .map(|h| h.date)
        .collect()
});

fn naive_is_working(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !BANK.contains(&d)
}

fn naive_add(d: NaiveDate, n: u32) -> NaiveDate {
    let mut cur = d;
    let mut left = n;
    while left > 0 {
        cur = cur.succ_opt().expect("in range");
        if naive_is_working(cur) {
            left -= 1;
        }
    }
    cur
}

fn naive_sub(d: NaiveDate, n: u32) -> NaiveDate {
    let mut cur = d;
    let mut left = n;
    while left > 0 {
        cur = cur.pred_opt().expect("in range");
        if naive_is_working(cur) {
            left -= 1;
        }
    }
    cur
}

/// Working days in (a, b], negated when b < a.
fn naive_between(a: NaiveDate, b: NaiveDate) -> i64 {
    let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let count = lo
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= hi)
        .filter(|d| naive_is_working(*d))
        .count();
    sign * count as i64
}

#[test]
fn is_working_day_matches_naive_over_whole_range() {
    let mut d = date(FIRST_YEAR, 1, 1);
    let last = date(LAST_YEAR, 12, 31);
    let mut working = 0i64;
    while d <= last {
        assert_eq!(CAL.is_working_day(d), naive_is_working(d), "{d}");
        assert_eq!(
            CAL.non_working_reason(d).is_none(),
            naive_is_working(d),
            "{d}"
        );
        working += i64::from(naive_is_working(d));
        d = d.succ_opt().expect("in range");
    }
    // (31 Dec 1969, 31 Dec 2200] is out of range at its open end, so count from 1 Jan 1970.
    let first_working = i64::from(CAL.is_working_day(date(FIRST_YEAR, 1, 1)));
    assert_eq!(
        CAL.working_days_between(date(FIRST_YEAR, 1, 1), last),
        Some(working - first_working)
    );
}

/// Days from 1 January 1995 to 31 December 2100.
const SPAN: u32 = 38_716;

fn day(offset: u32) -> NaiveDate {
    date(1995, 1, 1) + chrono::Days::new(u64::from(offset))
}

#[test]
fn span_constant_is_right() {
    assert_eq!(day(SPAN - 1), date(2100, 12, 31));
}

proptest! {
    // No regression files: this suite must not write into the source tree.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn add_then_count_round_trips(off in 0..SPAN, n in 0u32..400) {
        let d = day(off);
        let r = CAL.add_working_days(d, n).expect("in range");
        prop_assert_eq!(CAL.working_days_between(d, r), Some(i64::from(n)));
        if n >= 1 {
            prop_assert!(CAL.is_working_day(r));
            prop_assert!(r > d);
        } else {
            prop_assert_eq!(r, d);
        }
    }

    #[test]
    fn sub_mirrors_add(off in 0..SPAN, n in 0u32..400) {
        let d = day(off);
        let r = CAL.sub_working_days(d, n).expect("in range");
        if n >= 1 {
            prop_assert!(CAL.is_working_day(r));
            prop_assert!(r < d);
            // The working days in [r, d) number n, i.e. (r - 1, d - 1].
            let before_r = r.pred_opt().expect("in range");
            let before_d = d.pred_opt().expect("in range");
            prop_assert_eq!(CAL.working_days_between(before_r, before_d), Some(i64::from(n)));
            if CAL.is_working_day(d) {
                prop_assert_eq!(CAL.working_days_between(d, r), Some(-i64::from(n)));
                prop_assert_eq!(CAL.add_working_days(r, n), Some(d));
            }
        } else {
            prop_assert_eq!(r, d);
        }
    }

    #[test]
    fn add_then_sub_returns_to_a_working_start(off in 0..SPAN, n in 0u32..400) {
        let d = day(off);
        let r = CAL.add_working_days(d, n).expect("in range");
        let back = CAL.sub_working_days(r, n).expect("in range");
        if CAL.is_working_day(d) || n == 0 {
            prop_assert_eq!(back, d);
        } else {
            // From a non-working day we come back to the last working day before it.
            prop_assert_eq!(Some(back), CAL.sub_working_days(d, 1));
        }
    }

    #[test]
    fn between_is_antisymmetric(a in 0..SPAN, b in 0..SPAN) {
        let (a, b) = (day(a), day(b));
        let ab = CAL.working_days_between(a, b).expect("in range");
        let ba = CAL.working_days_between(b, a).expect("in range");
        prop_assert_eq!(ab, -ba);
    }

    #[test]
    fn between_is_additive(a in 0..SPAN, b in 0..SPAN, c in 0..SPAN) {
        let (a, b, c) = (day(a), day(b), day(c));
        let ab = CAL.working_days_between(a, b).expect("in range");
        let bc = CAL.working_days_between(b, c).expect("in range");
        let ac = CAL.working_days_between(a, c).expect("in range");
        prop_assert_eq!(ab + bc, ac);
    }

    #[test]
    fn add_and_sub_match_naive(off in 0..SPAN, n in 0u32..400) {
        let d = day(off);
        prop_assert_eq!(CAL.add_working_days(d, n), Some(naive_add(d, n)));
        prop_assert_eq!(CAL.sub_working_days(d, n), Some(naive_sub(d, n)));
    }

    #[test]
    fn between_matches_naive(off in 0..SPAN, delta in -1500i64..1500) {
        let a = day(off);
        let b = a + chrono::TimeDelta::days(delta);
        prop_assert_eq!(CAL.working_days_between(a, b), Some(naive_between(a, b)));
    }

    #[test]
    fn skipped_days_are_exactly_the_non_working_days(off in 0..SPAN, n in 0u32..60) {
        let d = day(off);
        let r = CAL.add_working_days(d, n).expect("in range");
        let skipped = CAL.skipped_days(d, r);
        let calendar_days = (r - d).num_days();
        prop_assert_eq!(skipped.len() as i64 + i64::from(n), calendar_days);
        for (s, reason) in &skipped {
            prop_assert!(!naive_is_working(*s));
            prop_assert_eq!(CAL.non_working_reason(*s), Some(reason.as_str()));
        }
    }

    #[test]
    fn add_months_matches_chrono(off in 0..SPAN, n in 0u32..2400) {
        let d = day(off);
        let expected = d.checked_add_months(chrono::Months::new(n)).expect("in range");
        prop_assert_eq!(add_months(d, n), expected);
    }
}
