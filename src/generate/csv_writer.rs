//! The generated log as a UTF-8 CSV file.

use std::io::{self, Write};

use super::columns::{header, COLUMNS};
use super::generator::Generator;
use super::row::{cell, Row};
use super::{Options, Summary};

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
