//! A log read in stretches on several threads gives exactly the cases, problems, row numbers,
//! notices and reconciliation of reading it in order: on hand-made logs with every awkward
//! thing a cut can fall into, on a generated log, and on random logs.

use super::*;
use crate::ingest::{self, SourceSpec};
use proptest::prelude::*;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Everything read, as text (a case set, or the error), in order or in stretches.
fn read(text: &str, stretch: Option<usize>) -> String {
    read_counting(text, stretch).0
}

/// As [`read`], with how many stretches were read on their own and taken in.
fn read_counting(text: &str, stretch: Option<usize>) -> (String, usize) {
    let schema = Schema::canonical();
    let spec = SourceSpec::default();
    let targets = targets(&schema, &spec);
    let mut b = CaseBuilder::new(&schema, std::slice::from_ref(&spec), as_of()).unwrap();
    let r = match stretch {
        None => ingest::read_csv_text(text, b',', "log.csv", &spec, 0, &targets, &mut b),
        Some(n) => {
            ingest::read_csv_text_in_stretches(text, b',', "log.csv", 0, &targets, &mut b, n)
        }
    };
    let taken = b.stretches;
    match r {
        Ok(()) => (format!("{:?}", b.finish()), taken),
        Err(e) => (format!("error: {e}"), taken),
    }
}

fn same_in_stretches(text: &str, sizes: impl IntoIterator<Item = usize>) {
    let in_order = read(text, None);
    for n in sizes {
        assert_eq!(read(text, Some(n)), in_order, "stretches of {n} bytes");
    }
}

const HEADER: &str =
    "Case reference,Local authority,Date LA became aware,Outcome,Notes,Panel notified";

#[test]
fn awkward_logs_read_the_same_in_stretches() {
    let rows = [
        "A-1,Northshire,01/02/2024,died,plain,05/02/2024",
        "A-2,Northshire,02/02/2024,seriously harmed,\"a note\nover\nthree lines\",",
        "",
        "A-3,Riverton,31/02/2024,died,,",
        ",,,,,",
        "A-1,Riverton,01/02/2024,died,second row of A-1,06/02/2024",
        "\"A-4\",\"Westdale\",\"03/02/2024\",\"harmed badly\",\"quote \"\"inside\"\"\",",
        ",Northshire,01/02/2024,died,no reference,",
        "A-5,Northshire,01/13/2024,died,\"\n\n\nblank lines inside\n\n\",",
        HEADER,
        "A-6,Southvale,04/02/2024,died,after the header again,",
        "A-7,Southvale,2024-02-05,died,x,2024-02-06",
        "A-2,Northshire,02/02/2024,seriously harmed,again,07/02/2024",
    ];
    let body = rows.join("\n");
    let mut texts = vec![
        format!("{HEADER}\n{body}\n"),
        format!("Title line\n\n{HEADER}\r\n{}\r\n\r\n", rows.join("\r\n")),
        format!("{HEADER}\n{body}"),
        format!("{HEADER}\n{body}\n\n\n"),
        // The header row again is a notice: without it, every stretch is plain rows.
        format!(
            "{HEADER}\n{}\n",
            rows.iter()
                .filter(|r| **r != HEADER)
                .cycle()
                .take(200)
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        ),
    ];
    // A quoted cell longer than a stretch, and a case's rows in many stretches.
    texts.push(format!(
        "{HEADER}\nB-1,Northshire,01/02/2024,died,\"{}\",\n{}\n",
        "long\n".repeat(400),
        (0..300)
            .map(|i| format!("B-{},Northshire,0{}/02/2024,died,n{i},", i % 7, 1 + i % 9))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    for text in &texts {
        same_in_stretches(text, [1, 2, 3, 7, 16, 40, 101, 1000, 1 << 20]);
    }
    // Not by reading everything in order: many stretches are taken as read (a cut that falls
    // inside a quoted cell over several lines is read in order).
    let (_, taken) = read_counting(&texts[4], Some(64));
    let most = texts[4].len() / 64;
    assert!(
        taken * 3 > most,
        "{taken} stretches taken, of at most {most}"
    );
}

#[test]
fn a_generated_log_reads_the_same_in_stretches() {
    let mut bytes = Vec::new();
    crate::generate::write_csv(&crate::generate::Options::new(2_000, 3), &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    same_in_stretches(&text, [997, 10_000, 65_536]);
    assert!(read_counting(&text, Some(10_000)).1 > 10);
}

/// Pieces of rows random logs are made of: every character a cut or the reader cares about.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "A-1",
        "A-2",
        "B-3",
        ",",
        ",",
        ",",
        "\n",
        "\n",
        "\r\n",
        "\"",
        "\"\"",
        "01/02/2024",
        "31/02/2024",
        "died",
        "harmed",
        "x y",
        " ",
        "Northshire",
        "Riverton",
        HEADER,
        "\r",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn random_logs_read_the_same_in_stretches(
        pieces in prop::collection::vec(piece(), 0..400),
        sizes in prop::collection::vec(1usize..200, 1..4),
    ) {
        let text = format!("{HEADER}\n{}", pieces.concat());
        let in_order = read(&text, None);
        for n in sizes {
            prop_assert_eq!(read(&text, Some(n)), in_order.clone());
        }
    }
}

#[test]
fn a_packed_value_is_the_value() {
    let mut all = vec![
        Value::Blank,
        Value::Invalid,
        Value::Conflict,
        Value::Absent,
        Value::Date(NaiveDate::MIN),
        Value::Date(NaiveDate::MAX),
        Value::Date(NaiveDate::from_ymd_opt(1, 1, 1).unwrap()),
        Value::Date(NaiveDate::from_ymd_opt(0, 12, 31).unwrap()),
        Value::Date(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
    ];
    all.extend((0..=u8::MAX).map(Value::Cat));
    for v in &all {
        assert_eq!(Packed::from(*v).get(), *v, "{v:?}");
    }
    // Equal exactly when the values are.
    for a in &all {
        for b in &all {
            let (pa, pb) = (Packed::from(*a), Packed::from(*b));
            assert_eq!(pa == pb, a == b, "{a:?} {b:?}");
        }
    }
    assert_eq!(std::mem::size_of::<Packed>(), 4);
}
