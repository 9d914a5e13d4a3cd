//! Reading the files councils keep (CSV/TSV and xlsx/xlsm/xls/xlsb/ods) into rows of cells
//! mapped onto fields: finds the header row (even below title rows), matches header labels
//! (ignoring case, spaces and punctuation), and hands each data row to the next stage.
//!
//! This stage knows nothing of duties or dates: it says where each cell came from.

pub mod csv_reader;
mod header;
mod limits;
pub mod sheet_reader;
mod sniff;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

pub use header::{nearest as nearest_headers, HeaderMatch, Target};

/// One cell of a row, borrowed from the reader.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    DateTime(NaiveDateTime),
    Bool(bool),
    /// A spreadsheet error value such as `#REF!`.
    Error,
}

impl Cell<'_> {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// Which kind of file a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    #[default]
    IncidentLog,
    Referrals,
}

/// A source as configured: a file (or glob), the sheet, and the council's own labels and words.
#[derive(Debug, Clone, Default)]
pub struct SourceSpec {
    pub kind: SourceKind,
    pub path: PathBuf,
    pub sheet: Option<String>,
    /// Canonical field name -> the council's header label.
    pub columns: BTreeMap<String, String>,
    /// Canonical field name -> (the council's word -> canonical value).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Plain numbers in date columns count from 1904 (old Mac Excel).
    pub date1904: bool,
    /// Canonical fields the configuration says this log does not keep (`absent = [...]`).
    pub absent: Vec<String>,
    /// From a configuration file: a canonical field the log lacks is refused unless `absent`
    /// lists it. A log given on the command line is only told.
    pub strict: bool,
}

/// Where a table (a CSV file or one sheet of a workbook) came from and how its columns map.
#[derive(Debug, Clone)]
pub struct TableInfo {
    pub file: String,
    pub sheet: Option<String>,
    /// 1-based row number of the header row.
    pub header_row: u32,
    /// Per target: the column it was found in.
    pub columns: Vec<Option<Column>>,
    /// Index of the source spec this table belongs to.
    pub source: usize,
    /// Every header cell of the header row, as written (for messages and `inspect`).
    pub headers: Vec<Column>,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// 0-based index.
    pub index: usize,
    /// The header label as written in the file.
    pub label: String,
}

impl Column {
    /// Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA.
    pub fn letter(&self) -> String {
        column_letter(self.index)
    }
}

pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A file that cannot be read at all. Each names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: file not found. Check the path in the configuration or on the command line.")]
    Missing { file: String },
    #[error("{file}: no file matches this pattern. Check the path in the configuration.")]
    NoMatch { file: String },
    #[error("{file}: cannot read the file ({reason}).")]
    Io { file: String, reason: String },
    #[error("{file}: the file is empty. Export the log again.")]
    Empty { file: String },
    #[error("{file}: the workbook is password-protected or encrypted. Save an unprotected copy (File > Info > Protect Workbook > remove the password) and point the configuration at it.")]
    Encrypted { file: String },
    #[error("{file}: this is not a spreadsheet, although its name says {ext} (it looks like {looks_like}). Export the log again as xlsx or CSV.")]
    WrongFormat {
        file: String,
        ext: String,
        looks_like: String,
    },
    #[error("{file}: the workbook is damaged or incomplete ({reason}). Open it in Excel or LibreOffice, save a fresh copy and try again.")]
    Corrupt { file: String, reason: String },
    #[error("{file}: the workbook would unpack to far more data than any incident log (over {limit_mb} MB, or compressed hundreds of times over, as a zip bomb is); refusing to read it. Check the file is what you expect and export the log again.")]
    TooLarge { file: String, limit_mb: u64 },
    #[error(
        "{file}: file type `{ext}` is not supported. Use xlsx, xlsm, xls, xlsb, ods, csv or tsv."
    )]
    Unsupported { file: String, ext: String },
    #[error("{file}: sheet `{sheet}` not found. The workbook has: {available}.")]
    NoSheet {
        file: String,
        sheet: String,
        available: String,
    },
    #[error("{file}{sheet}: no header row found in the first {scanned} rows. Looked for labels such as: {looked_for}. Name the columns in the configuration ([sources.columns]).")]
    NoHeader {
        file: String,
        sheet: String,
        scanned: usize,
        looked_for: String,
    },
    #[error("{0}")]
    MappedColumnMissing(Box<MappedColumn>),
    #[error("{file}{sheet}: required column `{field}` not found. Looked for a header labelled {looked_for}. Name it in the configuration ([sources.columns] {field} = \"<your header>\").")]
    MissingColumn {
        file: String,
        sheet: String,
        field: String,
        looked_for: String,
    },
}

/// A column a configuration names that the sheet does not have.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}{sheet}: the configuration maps `{field}` to the column `{label}`, but the header row (row {row}) has no such column. Closest headers: {nearest}. Correct [sources.columns] {field} in the configuration (matching ignores case, spaces and punctuation).")]
pub struct MappedColumn {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    pub field: String,
    pub label: String,
    pub nearest: String,
}

impl IngestError {
    /// The configuration does not fit the file (exit 2), rather than the file being unreadable.
    pub fn is_config(&self) -> bool {
        matches!(self, IngestError::MappedColumnMissing(_))
    }
}

/// Sheet part of an error message.
pub(crate) fn sheet_suffix(sheet: &Option<String>) -> String {
    match sheet {
        Some(s) => format!(", sheet `{s}`"),
        None => String::new(),
    }
}

/// Receives each data row of each table: the table, the 1-based row number, and one cell per
/// target (blank where the table has no such column). Returns nothing; rows are never dropped.
pub trait RowSink {
    /// A new table begins; its info is stored by the sink and referred to by index.
    fn table(&mut self, info: TableInfo) -> usize;
    fn row(&mut self, table: usize, row: u32, cells: &[Cell<'_>]);
    /// A row with nothing in it.
    fn blank(&mut self, table: usize, row: u32);
    /// Something the reader did that the user must be told (a hidden sheet not read, a header
    /// row repeated). Never holds cell contents beyond header labels.
    fn notice(&mut self, _text: String) {}
}

/// A [`RowSink`] whose rows can be read on several threads (a big CSV file is cut into
/// stretches at line breaks): `part` makes a sink for one stretch, whose rows are numbered from
/// 1 within it, and `take` takes a stretch's rows in, in file order, numbered on by
/// `rows_before`. A stretch whose sink saw anything but rows (`plain` false: a header row
/// again, a notice) is read again in order by the sink itself, so the result is always that of
/// reading the file in order.
pub trait ParallelSink: RowSink {
    type Part: RowSink + Send;
    /// A part for a stretch of about `rows` rows (room only: it may hold more or fewer).
    fn part(&self, rows: usize) -> Self::Part;
    fn plain(part: &Self::Part) -> bool;
    fn take(&mut self, part: Self::Part, rows_before: u32);
    /// About this many rows are coming (to size tables once).
    fn reserve(&mut self, _rows: usize) {}
}

/// Expands a source's path (which may be a glob) to files, sorted. A path that exists is that
/// file, even when its name has `[` or `]` in it (`log [2024].csv`); a file the pattern matches
/// but that cannot be read is an error, never skipped.
pub fn expand(path: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let text = path.to_string_lossy();
    if path.exists() {
        return Ok(vec![path.to_path_buf()]);
    }
    if text.contains(['*', '?', '[']) {
        let mut files = Vec::new();
        let matches = glob::glob(&text).map_err(|e| IngestError::Io {
            file: text.to_string(),
            reason: format!("{e}; a literal `[` or `]` in a name is written `[[]` or `[]]`"),
        })?;
        for m in matches {
            let p = m.map_err(|e| IngestError::Io {
                file: e.path().display().to_string(),
                reason: format!("matched by {text} but cannot be read: {}", e.error()),
            })?;
            if p.is_dir() {
                continue;
            }
            std::fs::File::open(&p).map_err(|e| IngestError::Io {
                file: p.display().to_string(),
                reason: format!("matched by {text} but cannot be read: {e}"),
            })?;
            files.push(p);
        }
        files.sort();
        if files.is_empty() {
            return Err(IngestError::NoMatch {
                file: text.to_string(),
            });
        }
        Ok(files)
    } else {
        Err(IngestError::Missing {
            file: text.to_string(),
        })
    }
}

/// A file's name for messages and its extension (lower case), once it is known not to be empty.
fn name_and_ext(file: &Path) -> Result<(String, String), IngestError> {
    let name = file.display().to_string();
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let meta = std::fs::metadata(file).map_err(|e| io_error(&name, e))?;
    if meta.len() == 0 {
        return Err(IngestError::Empty { file: name });
    }
    Ok((name, ext))
}

/// As [`read_file`], a big CSV file's rows read on every core (the same rows, numbers and
/// problems, in the same order: see [`ParallelSink`]).
pub fn read_file_parallel<S: ParallelSink>(
    file: &Path,
    spec: &SourceSpec,
    source: usize,
    targets: &[Target],
    sink: &mut S,
) -> Result<(), IngestError> {
    let (name, ext) = name_and_ext(file)?;
    match ext.as_str() {
        "csv" | "tsv" | "txt" => csv_reader::read_parallel(file, &name, source, targets, sink),
        _ => read_file(file, spec, source, targets, sink),
    }
}

/// Reads one file of a source, feeding every row to `sink`.
pub fn read_file(
    file: &Path,
    spec: &SourceSpec,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    let (name, ext) = name_and_ext(file)?;
    match ext.as_str() {
        "csv" | "tsv" | "txt" => csv_reader::read(file, &name, spec, source, targets, sink),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            sheet_reader::read(file, &name, &ext, spec, source, targets, sink)
        }
        _ => Err(IngestError::Unsupported { file: name, ext }),
    }
}

/// Reads CSV text already decoded (see [`csv_reader::decode`] and
/// [`csv_reader::sniff_delimiter`]), as [`read_file`] does for a CSV file: for callers that hold
/// the bytes, such as the fuzz targets.
pub fn read_csv_text(
    text: &str,
    delimiter: u8,
    name: &str,
    spec: &SourceSpec,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    csv_reader::read_text(text, delimiter, name, spec, source, targets, sink)
}

#[doc(hidden)]
pub use csv_reader::read_text_in_stretches as read_csv_text_in_stretches;

pub(crate) fn io_error(file: &str, e: std::io::Error) -> IngestError {
    match e.kind() {
        std::io::ErrorKind::NotFound => IngestError::Missing {
            file: file.to_string(),
        },
        _ => IngestError::Io {
            file: file.to_string(),
            reason: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
