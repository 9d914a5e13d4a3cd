//! The generated log as an xlsx workbook, written in constant-memory mode.

use std::path::Path;

use chrono::Timelike;

use super::columns::{header, Col, COLUMNS};
use super::generator::Generator;
use super::row::{date_text, serial, DateStyle, Out, Row};
use super::{Options, Summary};

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
