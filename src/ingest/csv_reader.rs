//! CSV and TSV: encoding (UTF-8 with or without BOM, or Windows-1252 as Excel saves it) and
//! delimiter (comma, semicolon, tab) are detected; rows stream through one reused record.

use std::borrow::Cow;
use std::path::Path;

use super::header::{self, Target, SCAN_ROWS};
use super::{io_error, sheet_suffix, Cell, IngestError, RowSink, SourceSpec, TableInfo};

/// Decodes file bytes to text: UTF-8 (BOM stripped) or, failing that, Windows-1252.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text
        }
    }
}

/// Picks the delimiter that splits the first lines most consistently.
pub fn sniff_delimiter(text: &str, ext: &str) -> u8 {
    if ext == "tsv" {
        return b'\t';
    }
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(SCAN_ROWS)
        .collect();
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let max = lines
            .iter()
            .map(|l| count_outside_quotes(l, d as char))
            .max()
            .unwrap_or(0);
        if max > best.1 {
            best = (d, max);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == d && !quoted {
            n += 1;
        }
    }
    n
}

pub(super) fn read(
    path: &Path,
    name: &str,
    spec: &SourceSpec,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(name, e))?;
    if looks_binary(&bytes) {
        return Err(IngestError::WrongFormat {
            file: name.to_string(),
            ext: "CSV".to_string(),
            looks_like: super::sheet_reader::sniff(&bytes).to_string(),
        });
    }
    let text = decode(&bytes);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let delimiter = sniff_delimiter(&text, &ext);
    read_text(&text, delimiter, name, spec, source, targets, sink)
}

/// A NUL byte or a known binary signature means this is not text.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.contains(&0) || head.starts_with(b"%PDF") || head.starts_with(b"PK\x03\x04")
}

pub(super) fn read_text(
    text: &str,
    delimiter: u8,
    name: &str,
    _spec: &SourceSpec,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| IngestError::Corrupt {
        file: name.to_string(),
        reason: e.to_string(),
    };
    // Buffer the first rows to find the header.
    let mut head: Vec<(u32, csv::StringRecord)> = Vec::new();
    let mut record = csv::StringRecord::new();
    while head.len() < SCAN_ROWS && reader.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map(|p| p.line() as u32).unwrap_or(0);
        head.push((line, record.clone()));
    }
    let head_cells: Vec<Vec<Cell>> = head
        .iter()
        .map(|(_, r)| r.iter().map(Cell::Text).collect())
        .collect();
    let Some(found) = header::find(&head_cells, targets) else {
        return Err(no_header(name, None, targets, head.len()));
    };
    check_required(name, &None, targets, &found.columns)?;
    let table = sink.table(TableInfo {
        file: name.to_string(),
        sheet: None,
        header_row: head[found.row].0,
        columns: found.columns.clone(),
        source,
    });
    let emit = |line: u32, rec: &csv::StringRecord, sink: &mut dyn RowSink| {
        if rec.iter().all(|f| f.trim().is_empty()) {
            sink.blank(table, line);
            return;
        }
        let cells: Vec<Cell> = found
            .columns
            .iter()
            .map(|col| match col {
                Some(c) => rec.get(c.index).map(Cell::Text).unwrap_or(Cell::Empty),
                None => Cell::Empty,
            })
            .collect();
        sink.row(table, line, &cells);
    };
    for (line, rec) in &head[found.row + 1..] {
        emit(*line, rec, sink);
    }
    while reader.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map(|p| p.line() as u32).unwrap_or(0);
        emit(line, &record, sink);
    }
    Ok(())
}

pub(super) fn no_header(
    name: &str,
    sheet: Option<String>,
    targets: &[Target],
    scanned: usize,
) -> IngestError {
    let looked_for: Vec<String> = targets
        .iter()
        .filter(|t| t.required)
        .filter_map(|t| t.display.first().map(|d| format!("`{d}`")))
        .collect();
    IngestError::NoHeader {
        file: name.to_string(),
        sheet: sheet_suffix(&sheet),
        scanned: scanned.min(SCAN_ROWS),
        looked_for: looked_for.join(", "),
    }
}

pub(super) fn check_required(
    name: &str,
    sheet: &Option<String>,
    targets: &[Target],
    columns: &[Option<super::Column>],
) -> Result<(), IngestError> {
    for (t, c) in targets.iter().zip(columns) {
        if t.required && c.is_none() {
            let labels: Vec<String> = t.display.iter().map(|d| format!("`{d}`")).collect();
            return Err(IngestError::MissingColumn {
                file: name.to_string(),
                sheet: sheet_suffix(sheet),
                field: t.name.clone(),
                looked_for: labels.join(" or "),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_windows_1252() {
        assert_eq!(decode(b"\xEF\xBB\xBFa,b"), "a,b");
        assert_eq!(decode(b"Mother\x92s \xA3"), "Mother\u{2019}s \u{a3}");
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3", "csv"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3", "csv"), b',');
        assert_eq!(sniff_delimiter("a\tb\n1\t2", "csv"), b'\t');
        assert_eq!(sniff_delimiter("\"a;x\",b,c", "csv"), b',');
        assert_eq!(sniff_delimiter("a,b", "tsv"), b'\t');
    }
}
