//! Unit tests of `calendar`.

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn named(year: i32) -> Vec<(NaiveDate, String)> {
    bank_holidays(year)
        .into_iter()
        .map(|h| (h.date, h.name))
        .collect()
}

#[test]
fn easter_dates() {
    let cases = [
        (1818, 3, 22), // earliest possible
        (1943, 4, 25), // latest possible
        (1970, 3, 29),
        (1995, 4, 16),
        (2000, 4, 23),
        (2008, 3, 23),
        (2011, 4, 24),
        (2019, 4, 21),
        (2024, 3, 31),
        (2025, 4, 20),
        (2038, 4, 25),
        (2285, 3, 22),
    ];
    for (y, m, d) in cases {
        assert_eq!(easter_sunday(y), Some(date(y, m, d)), "Easter {y}");
    }
}

#[test]
fn easter_is_always_a_sunday_in_march_or_april() {
    for y in 1583..=3000 {
        let e = easter_sunday(y).expect("in range");
        assert_eq!(e.weekday(), Weekday::Sun);
        assert!((date(y, 3, 22)..=date(y, 4, 25)).contains(&e), "{e}");
    }
}

#[test]
fn first_and_last_mondays() {
    assert_eq!(first_monday(2023, 5), Some(date(2023, 5, 1)));
    assert_eq!(first_monday(2022, 5), Some(date(2022, 5, 2)));
    assert_eq!(first_monday(2021, 5), Some(date(2021, 5, 3)));
    assert_eq!(last_monday(2021, 5), Some(date(2021, 5, 31)));
    assert_eq!(last_monday(2026, 8), Some(date(2026, 8, 31)));
    assert_eq!(last_monday(2025, 8), Some(date(2025, 8, 25)));
}

#[test]
fn new_year_substitutes() {
    // 2022: Saturday -> Monday 3rd; 2023: Sunday -> Monday 2nd; 2024: Monday itself.
    assert_eq!(
        named(2022)[0],
        (
            date(2022, 1, 3),
            "New Year's Day (substitute day)".to_owned()
        )
    );
    assert_eq!(
        named(2023)[0],
        (
            date(2023, 1, 2),
            "New Year's Day (substitute day)".to_owned()
        )
    );
    assert_eq!(
        named(2024)[0],
        (date(2024, 1, 1), "New Year's Day".to_owned())
    );
    // Not a bank holiday in England and Wales before 1974.
    assert!(named(1973).iter().all(|(d, _)| d.month() != 1));
    assert_eq!(named(1974)[0].0, date(1974, 1, 1));
}

#[test]
fn christmas_substitutes() {
    let tail = |year| {
        let v = named(year);
        v[v.len() - 2..].to_vec()
    };
    // Saturday Christmas (2021).
    assert_eq!(
        tail(2021),
        vec![
            (
                date(2021, 12, 27),
                "Christmas Day (substitute day)".to_owned()
            ),
            (date(2021, 12, 28), "Boxing Day (substitute day)".to_owned()),
        ]
    );
    // Sunday Christmas (2022).
    assert_eq!(
        tail(2022),
        vec![
            (date(2022, 12, 26), "Boxing Day".to_owned()),
            (
                date(2022, 12, 27),
                "Christmas Day (substitute day)".to_owned()
            ),
        ]
    );
    // Friday Christmas (2020).
    assert_eq!(
        tail(2020),
        vec![
            (date(2020, 12, 25), "Christmas Day".to_owned()),
            (date(2020, 12, 28), "Boxing Day (substitute day)".to_owned()),
        ]
    );
    // Midweek (2024).
    assert_eq!(
        tail(2024),
        vec![
            (date(2024, 12, 25), "Christmas Day".to_owned()),
            (date(2024, 12, 26), "Boxing Day".to_owned()),
        ]
    );
}

#[test]
fn special_years() {
    let v = named(2022);
    assert!(v.contains(&(date(2022, 6, 2), "Spring bank holiday".to_owned())));
    assert!(v.contains(&(date(2022, 6, 3), "Platinum Jubilee bank holiday".to_owned())));
    assert!(!v.iter().any(|(d, _)| *d == date(2022, 5, 30)));
    let v = named(2020);
    assert!(v.contains(&(
        date(2020, 5, 8),
        "Early May bank holiday (VE day)".to_owned()
    )));
    assert!(!v.iter().any(|(d, _)| *d == date(2020, 5, 4)));
    let v = named(1995);
    assert!(v.contains(&(
        date(1995, 5, 8),
        "Early May bank holiday (VE day)".to_owned()
    )));
    let v = named(2023);
    assert!(v.contains(&(
        date(2023, 5, 8),
        "Bank holiday for the coronation of King Charles III".to_owned()
    )));
    assert!(v.contains(&(date(2023, 5, 1), "Early May bank holiday".to_owned())));
}

#[test]
fn every_bank_holiday_is_a_sorted_unique_weekday() {
    for year in 1900..=2300 {
        let v = bank_holidays(year);
        assert!(v.windows(2).all(|w| w[0].date < w[1].date), "{year}");
        assert!(v.iter().all(|h| !is_weekend(h.date)), "{year}");
        assert!(v.iter().all(|h| h.date.year() == year), "{year}");
        if year >= 1978 {
            assert!(v.len() >= 8, "{year}");
        }
    }
}

#[test]
fn add_months_clamps_to_month_end() {
    assert_eq!(add_months(date(2024, 8, 31), 6), date(2025, 2, 28));
    assert_eq!(add_months(date(2023, 8, 31), 6), date(2024, 2, 29));
    assert_eq!(add_months(date(2023, 1, 31), 1), date(2023, 2, 28));
    assert_eq!(add_months(date(2024, 1, 31), 1), date(2024, 2, 29));
    assert_eq!(add_months(date(2024, 3, 31), 1), date(2024, 4, 30));
    assert_eq!(add_months(date(2024, 1, 15), 0), date(2024, 1, 15));
    assert_eq!(add_months(date(2024, 11, 30), 2), date(2025, 1, 30));
    assert_eq!(add_months(date(2024, 2, 29), 12), date(2025, 2, 28));
    assert_eq!(add_months(date(2024, 2, 29), 48), date(2028, 2, 29));
    assert_eq!(add_months(date(1999, 12, 31), 1200), date(2099, 12, 31));
}

#[test]
fn add_months_agrees_with_chrono() {
    let mut d = date(1995, 1, 1);
    while d < date(2001, 1, 1) {
        for n in [0, 1, 2, 3, 6, 11, 12, 13, 24, 25, 100] {
            let expected = d
                .checked_add_months(chrono::Months::new(n))
                .expect("in range");
            assert_eq!(add_months(d, n), expected, "{d} + {n}");
        }
        d = d.succ_opt().expect("in range");
    }
}

#[test]
fn calendar_range_and_basics() {
    let cal = Calendar::england_and_wales();
    assert_eq!(Calendar::FIRST_YEAR, 1970);
    assert_eq!(Calendar::LAST_YEAR, 2200);
    assert!(cal.index(date(1970, 1, 1)) == Some(0));
    assert!(cal.index(date(1969, 12, 31)).is_none());
    assert!(cal.index(date(2200, 12, 31)).is_some());
    assert!(cal.index(date(2201, 1, 1)).is_none());
    // 1970-01-01 was a Thursday and not a bank holiday.
    assert!(cal.is_working_day(date(1970, 1, 1)));
    assert_eq!(
        cal.non_working_reason(date(2024, 12, 25)),
        Some("Christmas Day")
    );
    assert_eq!(cal.non_working_reason(date(2024, 12, 28)), Some("Saturday"));
    assert_eq!(cal.non_working_reason(date(2024, 12, 29)), Some("Sunday"));
    assert_eq!(cal.non_working_reason(date(2024, 12, 27)), None);
    // Outside the covered years the rules still classify days (Christmas 2201 is a Friday).
    assert_eq!(
        cal.non_working_reason(date(2201, 12, 25)),
        Some("Christmas Day")
    );
    assert_eq!(cal.non_working_reason(date(2201, 12, 26)), Some("Saturday"));
    assert_eq!(
        cal.non_working_reason(date(2201, 12, 28)),
        Some("Boxing Day (substitute day)")
    );
    assert!(!cal.is_working_day(date(2201, 12, 28)));
    assert!(cal.is_working_day(date(2201, 12, 29)));
    let debug = format!("{cal:?}");
    assert!(debug.starts_with("Calendar {"), "{debug}");
}
