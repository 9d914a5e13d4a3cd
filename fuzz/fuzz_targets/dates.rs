//! The date parser on arbitrary text and on arbitrary f64 serial numbers.
//!
//! Input: first byte 0 = an f64 serial (next 8 bytes, little-endian; byte 10 bit 0 = 1904
//! system); anything else = the rest is text (lossy UTF-8). Checks, besides "never panics":
//! a blank cell is `Ok(None)` and only a blank cell is; every date read back from its own
//! `dd/mm/yyyy` and ISO text is the same date; a serial's date maps back to the same serial.
#![no_main]

use chrono::{Datelike, NaiveDate};
use libfuzzer_sys::fuzz_target;
use safeguard_audit::cases::dates::{from_serial, parse_cell, parse_text, plausible};
use safeguard_audit::ingest::Cell;

fn serial_of(d: NaiveDate, date1904: bool) -> i64 {
    let base = if date1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1).unwrap()
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
    };
    (d - base).num_days()
}

fn round_trips(d: NaiveDate) {
    if (1000..=9999).contains(&d.year()) {
        let uk = d.format("%d/%m/%Y").to_string();
        assert_eq!(parse_text(&uk, false), Ok(Some(d)), "{uk}");
        let iso = d.format("%Y-%m-%d").to_string();
        assert_eq!(parse_text(&iso, false), Ok(Some(d)), "{iso}");
    }
}

fuzz_target!(|data: &[u8]| {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    if data.first() == Some(&0) && data.len() >= 9 {
        let n = f64::from_le_bytes(data[1..9].try_into().unwrap());
        let date1904 = data.get(9).is_some_and(|b| b & 1 == 1);
        let r = from_serial(n, date1904);
        assert_eq!(parse_cell(&Cell::Number(n), date1904), r.clone().map(Some));
        if let Ok(d) = r {
            let _ = plausible(d, as_of);
            round_trips(d);
            // Serials 1..=60 of the 1900 system are shifted by Excel's phantom 29 Feb 1900.
            if date1904 || n >= 61.0 {
                assert_eq!(serial_of(d, date1904), n.floor() as i64, "{n}");
            }
        }
        return;
    }
    let text = String::from_utf8_lossy(data.get(1..).unwrap_or_default());
    for date1904 in [false, true] {
        let r = parse_text(&text, date1904);
        assert_eq!(parse_cell(&Cell::Text(&text), date1904), r);
        match r {
            Ok(None) => assert!(text.trim().is_empty()),
            Ok(Some(d)) => {
                assert!(!text.trim().is_empty());
                let _ = plausible(d, as_of);
                round_trips(d);
            }
            Err(e) => {
                assert!(!text.trim().is_empty());
                let _ = e.to_string();
            }
        }
    }
});
