//! CSV and TSV: encoding (UTF-8 with or without BOM, or Windows-1252 as Excel saves it) and
//! delimiter (comma, semicolon, tab) are detected; rows stream through one reused record.

use std::borrow::Cow;
use std::path::Path;

use super::header::{self, Target, SCAN_ROWS};
use super::table::{no_header, Table};
use super::{io_error, Cell, IngestError, ParallelSink, RowSink, SourceSpec};

mod parallel;

/// Decodes file bytes to text: UTF-16 (with a byte-order mark, or without one when every
/// other byte is zero, as some case-management exports write it), UTF-8 (BOM stripped) or,
/// failing that, Windows-1252 as Excel saves it.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(enc) = utf16(bytes) {
        let (text, _, _) = enc.decode(bytes);
        // encoding_rs strips the BOM it sniffs; one without a BOM decodes as it is.
        return Cow::Owned(text.into_owned());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text
        }
    }
}

/// UTF-16 by its byte-order mark, or by its zero bytes: text that is mostly ASCII has a zero
/// in every high byte.
fn utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some(encoding_rs::UTF_16LE);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some(encoding_rs::UTF_16BE);
    }
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = head.len() / 2;
    let zeros = |offset: usize| {
        head.iter()
            .skip(offset)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 10 >= pairs * 9 && even * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 9 && odd * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
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
    with_text(path, name, |text, delimiter| {
        read_text(text, delimiter, name, spec, source, targets, sink)
    })
}

/// As [`read`], a big file's rows read on every core (see [`ParallelSink`]).
pub(super) fn read_parallel<S: ParallelSink>(
    path: &Path,
    name: &str,
    source: usize,
    targets: &[Target],
    sink: &mut S,
) -> Result<(), IngestError> {
    with_text(path, name, |text, delimiter| {
        let (rows, table) = begin(text, delimiter, name, source, targets, sink)?;
        parallel::read_rest(text, delimiter, name, rows, table, sink)
    })
}

/// As [`read_text`] into a [`ParallelSink`], the rows after the header read in stretches of
/// about `stretch` bytes on two threads or more however small the text: for the tests and fuzz
/// targets that hold the parallel reading to the reading in order
/// (`ingest::read_csv_text_in_stretches`).
#[doc(hidden)]
pub fn read_text_in_stretches<S: ParallelSink>(
    text: &str,
    delimiter: u8,
    name: &str,
    source: usize,
    targets: &[Target],
    sink: &mut S,
    stretch: usize,
) -> Result<(), IngestError> {
    let (rows, table) = begin(text, delimiter, name, source, targets, sink)?;
    parallel::read_in_stretches(text, delimiter, name, rows, table, sink, Some(stretch))
}

/// The file's text (decoded) and its delimiter, or why it is not a CSV file.
fn with_text(
    path: &Path,
    name: &str,
    then: impl FnOnce(&str, u8) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(name, e))?;
    if utf16(&bytes).is_none() && looks_binary(&bytes) {
        return Err(IngestError::WrongFormat {
            file: name.to_string(),
            ext: "CSV".to_string(),
            looks_like: super::sniff::sniff(&bytes).to_string(),
        });
    }
    let text = decode(&bytes);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let delimiter = sniff_delimiter(&text, &ext);
    then(&text, delimiter)
}

/// A NUL byte or a known binary signature means this is not text.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.contains(&0) || head.starts_with(b"%PDF") || head.starts_with(b"PK\x03\x04")
}

/// Line breaks in `bytes` (CRLF, LF or a lone CR each count once).
fn line_breaks(bytes: &[u8]) -> u32 {
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => n += 1,
            b'\r' => {
                n += 1;
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// Records with the row number Excel shows for each: one row per record, however many lines
/// a quoted cell spans, and one row for each blank line (which the csv crate skips).
struct Rows<'a> {
    reader: csv::Reader<&'a [u8]>,
    /// The text from `base` on (the reader's input).
    bytes: &'a [u8],
    base: usize,
    /// Where the previous record ended (in `bytes`).
    end: usize,
    row: u32,
}

impl<'a> Rows<'a> {
    /// Records of `text` from byte `from`, `row` being the row number of the record before
    /// (0 at the start of the file, or of a stretch read on its own: its rows numbered from 1).
    /// After the start, `from` is where the previous record's content ended.
    fn at(text: &'a [u8], from: usize, row: u32, delimiter: u8) -> Rows<'a> {
        let bytes = &text[from.min(text.len())..];
        Rows {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(bytes),
            bytes,
            base: from,
            end: 0,
            row,
        }
    }

    /// Where the reader stopped, in the whole text: after the last record's line break, or
    /// inside it (after the CR of a CRLF).
    fn after(&self) -> usize {
        self.base + (self.reader.position().byte() as usize).min(self.bytes.len())
    }

    /// Where the last record's content ended, in the whole text (a reading resumed there
    /// goes on as this one would).
    fn end(&self) -> usize {
        self.base + self.end
    }

    fn next(&mut self, record: &mut csv::StringRecord) -> Result<Option<u32>, csv::Error> {
        if !self.reader.read_record(record)? {
            return Ok(None);
        }
        let start = record
            .position()
            .map(|p| p.byte() as usize)
            .unwrap_or(self.end)
            .min(self.bytes.len());
        // The record's span begins with any blank lines before it: its content starts after them.
        let content = start
            + self.bytes[start..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        // From the end of the previous record's content, the first line break ends it; each
        // one after that is a blank row (before the first record, every one is).
        let gap = &self.bytes[self.end.min(start)..content];
        let first = self.row == 0;
        self.row += line_breaks(gap).saturating_sub(u32::from(!first)) + 1;
        // The reader stops after the terminator (LF) or inside it (after the CR of CRLF): step
        // back over it so that the gap before the next record holds it whole.
        let after = (self.reader.position().byte() as usize).min(self.bytes.len());
        self.end = match after.checked_sub(1).map(|i| self.bytes[i]) {
            Some(b'\r' | b'\n') => after - 1,
            _ => after,
        };
        Ok(Some(self.row))
    }
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
    let (mut rows, mut table) = begin(text, delimiter, name, source, targets, sink)?;
    let mut record = csv::StringRecord::new();
    while let Some(line) = rows.next(&mut record).map_err(|e| csv_error(name, e))? {
        emit(&mut table, sink, line, &record)?;
    }
    Ok(())
}

fn csv_error(name: &str, e: csv::Error) -> IngestError {
    IngestError::Corrupt {
        file: name.to_string(),
        reason: e.to_string(),
    }
}

/// Finds the header in the first rows, starts the table and hands over the rows read so far:
/// the records after them are the caller's to read.
fn begin<'a, 't>(
    text: &'a str,
    delimiter: u8,
    name: &str,
    source: usize,
    targets: &'t [Target],
    sink: &mut dyn RowSink,
) -> Result<(Rows<'a>, Table<'t>), IngestError> {
    let mut rows = Rows::at(text.as_bytes(), 0, 0, delimiter);
    // Buffer the first rows to find the header.
    let mut head: Vec<(u32, csv::StringRecord)> = Vec::new();
    let mut record = csv::StringRecord::new();
    while head.len() < SCAN_ROWS {
        match rows.next(&mut record).map_err(|e| csv_error(name, e))? {
            Some(line) => head.push((line, record.clone())),
            None => break,
        }
    }
    let head_cells: Vec<Vec<Cell>> = head
        .iter()
        .map(|(_, r)| r.iter().map(Cell::Text).collect())
        .collect();
    let Some(found) = header::find(&head_cells, targets) else {
        return Err(no_header(name, None, targets, head.len()));
    };
    let mut table = Table::start(
        sink,
        name,
        None,
        source,
        targets,
        head[found.row].0,
        &head_cells[found.row],
        found.columns,
    )?;
    for (line, rec) in &head[found.row + 1..] {
        emit(&mut table, sink, *line, rec)?;
    }
    Ok((rows, table))
}

/// Hands one record to the table.
fn emit(
    table: &mut Table,
    sink: &mut dyn RowSink,
    line: u32,
    rec: &csv::StringRecord,
) -> Result<(), IngestError> {
    let blank = rec.iter().all(|f| f.trim().is_empty());
    table.row(
        sink,
        line,
        blank,
        |i| rec.get(i).map(Cell::Text).unwrap_or(Cell::Empty),
        || rec.iter().map(Cell::Text).collect(),
    )
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

#[cfg(test)]
mod excel_rows {
    use super::*;
    use crate::ingest::{TableInfo, Target};

    #[derive(Default)]
    struct Rows {
        header: u32,
        rows: Vec<(u32, String)>,
        blanks: Vec<u32>,
        notices: Vec<String>,
    }

    impl RowSink for Rows {
        fn table(&mut self, info: TableInfo) -> usize {
            self.header = info.header_row;
            0
        }
        fn row(&mut self, _t: usize, row: u32, cells: &[Cell<'_>]) {
            let first = match cells[0] {
                Cell::Text(s) => s.to_string(),
                _ => String::new(),
            };
            self.rows.push((row, first));
        }
        fn blank(&mut self, _t: usize, row: u32) {
            self.blanks.push(row);
        }
        fn notice(&mut self, text: String) {
            self.notices.push(text);
        }
    }

    fn read(text: &str) -> Rows {
        let targets = vec![
            Target::new("case_ref", &["Case reference"], true),
            Target::new("aware_date", &["Date LA became aware"], true),
        ];
        let mut sink = Rows::default();
        read_text(
            text,
            b',',
            "t.csv",
            &SourceSpec::default(),
            0,
            &targets,
            &mut sink,
        )
        .unwrap();
        sink
    }

    /// Excel shows one row per record and one per blank line; a quoted cell over several
    /// lines is one row.
    #[test]
    fn row_numbers_are_the_rows_excel_shows() {
        let text = "Title\r\n\r\nCase reference,Date LA became aware\r\nA-1,01/02/2024\r\n\r\n\r\n\"A-2\nsecond line\",01/02/2024\r\nA-3,\"x\r\ny\r\nz\"\r\n,\r\nA-4,01/02/2024";
        let r = read(text);
        assert_eq!(r.header, 3);
        let rows: Vec<u32> = r.rows.iter().map(|x| x.0).collect();
        assert_eq!(rows, [4, 7, 8, 10]);
        assert_eq!(r.blanks, [9]);
        let lf = read(&text.replace("\r\n", "\n"));
        assert_eq!(lf.rows.iter().map(|x| x.0).collect::<Vec<_>>(), rows);
        let leading = read("\n\nCase reference,Date LA became aware\nA-1,x\n");
        assert_eq!(leading.header, 3);
        assert_eq!(leading.rows[0].0, 4);
    }

    #[test]
    fn a_second_header_row_is_a_header_not_a_case() {
        let r = read("Case reference,Date LA became aware\nA-1,x\nDate LA became aware,Case reference\nx,A-2\n");
        assert_eq!(
            r.rows,
            [(2, "A-1".to_string()), (4, "A-2".to_string())],
            "the second table maps its own columns"
        );
        assert_eq!(r.notices.len(), 1);
        assert!(r.notices[0].contains("row 3"), "{}", r.notices[0]);
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "Case reference,Date LA became aware\r\nA-1,01/02/2024\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        for bytes in [
            [b"\xFF\xFE".as_slice(), &le].concat(),
            le.clone(),
            [b"\xFE\xFF".as_slice(), &be].concat(),
            be.clone(),
        ] {
            assert_eq!(decode(&bytes), text);
        }
        assert_eq!(decode(b"a,b\x00"), "a,b\x00");
    }
}
