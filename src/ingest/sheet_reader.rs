//! Spreadsheets through calamine: xlsx, xlsm, xls, xlsb and ods. Every sheet with a
//! recognisable header row is read, unless the source names one sheet.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::csv_reader::{check_required, no_header};
use super::header::{self, Target, SCAN_ROWS};
use super::{io_error, Cell, IngestError, RowSink, SourceSpec, TableInfo};

/// What the first bytes of a file say it is.
pub fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        "a PDF document"
    } else if bytes.starts_with(b"PK\x03\x04") {
        "a zip archive (xlsx, ods or docx)"
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        "an OLE compound file (xls, or an encrypted Office file)"
    } else if bytes.starts_with(b"{\\rtf") {
        "a rich text document"
    } else if bytes.starts_with(b"<") {
        "an HTML or XML page"
    } else if bytes
        .iter()
        .take(512)
        .all(|b| !b.is_ascii_control() || b"\r\n\t".contains(b))
    {
        "a text file"
    } else {
        "an unknown binary file"
    }
}

fn read_head(path: &Path, name: &str) -> Result<Vec<u8>, IngestError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| io_error(name, e))?;
    let mut buf = vec![0u8; 8];
    let n = f.read(&mut buf).map_err(|e| io_error(name, e))?;
    buf.truncate(n);
    Ok(buf)
}

/// Checks the file is the kind of workbook its name says before calamine opens it.
fn precheck(path: &Path, name: &str, ext: &str) -> Result<(), IngestError> {
    let head = read_head(path, name)?;
    let ole = head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let zip = head.starts_with(b"PK\x03\x04");
    let ok = match ext {
        "xls" => ole,
        _ => zip,
    };
    if ok {
        return Ok(());
    }
    if ole && ext != "xls" && ole_is_encrypted(path) {
        return Err(IngestError::Encrypted {
            file: name.to_string(),
        });
    }
    if ext == "xls" && zip {
        // An xlsx saved with the old extension: calamine reads it by content.
        return Ok(());
    }
    Err(IngestError::WrongFormat {
        file: name.to_string(),
        ext: ext.to_string(),
        looks_like: sniff(&head).to_string(),
    })
}

/// An encrypted Office Open XML file is an OLE container holding an `EncryptedPackage` stream.
fn ole_is_encrypted(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn calamine_error(name: &str, path: &Path, e: calamine::Error) -> IngestError {
    let reason = e.to_string();
    let lower = reason.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") || ole_is_encrypted(path) {
        IngestError::Encrypted {
            file: name.to_string(),
        }
    } else {
        IngestError::Corrupt {
            file: name.to_string(),
            reason,
        }
    }
}

pub(super) fn read(
    path: &Path,
    name: &str,
    ext: &str,
    spec: &SourceSpec,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    precheck(path, name, ext)?;
    super::limits::check_zip(path, name)?;
    let mut book = open_workbook_auto(path).map_err(|e| calamine_error(name, path, e))?;
    let names = book.sheet_names();
    let wanted: Vec<String> = match &spec.sheet {
        Some(s) => {
            let found = names
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(s.trim()))
                .cloned();
            match found {
                Some(n) => vec![n],
                None => {
                    return Err(IngestError::NoSheet {
                        file: name.to_string(),
                        sheet: s.clone(),
                        available: names.join(", "),
                    })
                }
            }
        }
        None => names.clone(),
    };
    let mut used = 0;
    let mut first_error = None;
    for sheet in &wanted {
        let range = book
            .worksheet_range(sheet)
            .map_err(|e| calamine_error(name, path, e))?;
        match read_range(&range, name, sheet, source, targets, sink) {
            Ok(()) => used += 1,
            // Without a named sheet, sheets with no header (notes, lookups) are skipped.
            Err(e @ (IngestError::NoHeader { .. } | IngestError::MissingColumn { .. }))
                if spec.sheet.is_none() =>
            {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    if used == 0 {
        return Err(first_error.unwrap_or_else(|| no_header(name, None, targets, 0)));
    }
    Ok(())
}

fn to_cell(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) => Cell::Text(s),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if !dt.is_duration() => Cell::DateTime(t),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DurationIso(_) | Data::Error(_) => Cell::Error,
    }
}

fn read_range(
    range: &calamine::Range<Data>,
    name: &str,
    sheet: &str,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    let sheet_name = Some(sheet.to_string());
    let Some((row0, col0)) = range.start() else {
        return Err(no_header(name, sheet_name, targets, 0));
    };
    let col0 = col0 as usize;
    // Absolute column positions, so letters in messages match what the user sees.
    let head: Vec<Vec<Cell>> = range
        .rows()
        .take(SCAN_ROWS)
        .map(|r| {
            std::iter::repeat_n(Cell::Empty, col0)
                .chain(r.iter().map(to_cell))
                .collect()
        })
        .collect();
    let Some(found) = header::find(&head, targets) else {
        return Err(no_header(name, sheet_name, targets, head.len()));
    };
    check_required(name, &sheet_name, targets, &found.columns)?;
    let table = sink.table(TableInfo {
        file: name.to_string(),
        sheet: sheet_name,
        header_row: row0 + found.row as u32 + 1,
        columns: found.columns.clone(),
        source,
    });
    let mut cells: Vec<Cell> = Vec::with_capacity(targets.len());
    for (i, r) in range.rows().enumerate().skip(found.row + 1) {
        let line = row0 + i as u32 + 1;
        if r.iter().all(|d| to_cell(d).is_blank()) {
            sink.blank(table, line);
            continue;
        }
        cells.clear();
        cells.extend(found.columns.iter().map(|col| match col {
            Some(c) if c.index >= col0 => r.get(c.index - col0).map(to_cell).unwrap_or(Cell::Empty),
            _ => Cell::Empty,
        }));
        sink.row(table, line, &cells);
    }
    Ok(())
}
