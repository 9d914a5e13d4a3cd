//! One table (a CSV file or a sheet) once its header row is found: the configured columns are
//! checked against it, and each row after it is handed over, or recognised as the header row
//! again (two logs pasted into one sheet) and read as a header, not as a case.

use super::header::{self, Target, SCAN_ROWS};
use super::{sheet_suffix, Cell, Column, IngestError, RowSink, TableInfo};

/// A table being read.
#[derive(Clone)]
pub(super) struct Table<'t> {
    file: String,
    sheet: Option<String>,
    source: usize,
    targets: &'t [Target],
    columns: Vec<Option<Column>>,
    /// The column whose cell is looked at first for a repeated header row.
    key: Option<usize>,
    id: usize,
    /// The row buffer, kept between rows (empty between calls).
    buf: Vec<Cell<'static>>,
    /// The key cell normalised, kept between rows.
    scratch: String,
}

/// An empty vector's allocation, for cells of another lifetime (in-place collect: no copy).
fn recycle<'a, 'b>(mut v: Vec<Cell<'a>>) -> Vec<Cell<'b>> {
    v.clear();
    v.into_iter().map(|_| Cell::Empty).collect()
}

impl<'t> Table<'t> {
    /// Its number in the sink (a header row again starts a new one).
    pub(super) fn id(&self) -> usize {
        self.id
    }

    /// Checks the header row (required and configured columns) and announces the table.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        sink: &mut dyn RowSink,
        file: &str,
        sheet: Option<String>,
        source: usize,
        targets: &'t [Target],
        header_row: u32,
        header_cells: &[Cell],
        columns: Vec<Option<Column>>,
    ) -> Result<Table<'t>, IngestError> {
        let headers = header::header_columns(header_cells);
        check_columns(file, &sheet, header_row, targets, &columns, &headers)?;
        let key = key_column(targets, &columns);
        let id = sink.table(TableInfo {
            file: file.to_string(),
            sheet: sheet.clone(),
            header_row,
            columns: columns.clone(),
            source,
            headers,
        });
        Ok(Table {
            file: file.to_string(),
            sheet,
            source,
            targets,
            columns,
            key,
            id,
            buf: Vec::with_capacity(targets.len()),
            scratch: String::new(),
        })
    }

    /// Hands over one row after the header. `get(i)` is the cell in column `i` (0-based, as
    /// the spreadsheet shows it); `full()` the whole row, asked for only when the row may be
    /// the header again.
    pub fn row<'c>(
        &mut self,
        sink: &mut dyn RowSink,
        line: u32,
        blank: bool,
        get: impl Fn(usize) -> Cell<'c>,
        full: impl FnOnce() -> Vec<Cell<'c>>,
    ) -> Result<(), IngestError> {
        if blank {
            sink.blank(self.id, line);
            return Ok(());
        }
        if let Some(k) = self.key {
            if header::may_be_header(&get(k), self.targets, &mut self.scratch) {
                let cells = full();
                if let Some(columns) = header::header_again(&cells, self.targets) {
                    return self.restart(sink, line, &cells, columns);
                }
            }
        }
        let mut out = recycle(std::mem::take(&mut self.buf));
        out.extend(self.columns.iter().map(|c| match c {
            Some(c) => get(c.index),
            None => Cell::Empty,
        }));
        sink.row(self.id, line, &out);
        self.buf = recycle(out);
        Ok(())
    }

    /// The header row again: a new table of the same file and sheet starts at it.
    fn restart(
        &mut self,
        sink: &mut dyn RowSink,
        line: u32,
        cells: &[Cell],
        columns: Vec<Option<Column>>,
    ) -> Result<(), IngestError> {
        sink.notice(format!(
            "{}{}, row {line}: the header row again (two logs pasted together?); read as a header, not as a case, and the rows below it by its columns",
            self.file,
            sheet_suffix(&self.sheet)
        ));
        let next = Table::start(
            sink,
            &self.file,
            self.sheet.clone(),
            self.source,
            self.targets,
            line,
            cells,
            columns,
        )?;
        *self = next;
        Ok(())
    }
}

/// The first required target's column, else the first mapped one.
fn key_column(targets: &[Target], columns: &[Option<Column>]) -> Option<usize> {
    let mapped = || {
        targets
            .iter()
            .zip(columns)
            .filter_map(|(t, c)| Some((t, c.as_ref()?)))
    };
    mapped()
        .find(|(t, _)| t.required)
        .or_else(|| mapped().next())
        .map(|(_, c)| c.index)
}

/// A configured column the header row does not have, then a required column it lacks.
fn check_columns(
    file: &str,
    sheet: &Option<String>,
    header_row: u32,
    targets: &[Target],
    columns: &[Option<Column>],
    headers: &[Column],
) -> Result<(), IngestError> {
    for (t, c) in targets.iter().zip(columns) {
        if let (Some(label), None) = (&t.configured, c) {
            let nearest = header::nearest(label, headers.iter().map(|h| h.label.as_str()));
            return Err(IngestError::MappedColumnMissing(Box::new(
                super::MappedColumn {
                    file: file.to_string(),
                    sheet: sheet_suffix(sheet),
                    row: header_row,
                    field: t.name.clone(),
                    label: label.clone(),
                    nearest: if nearest.is_empty() {
                        "none is close".to_string()
                    } else {
                        nearest
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                },
            )));
        }
    }
    check_required(file, sheet, targets, columns)
}

pub(super) fn check_required(
    name: &str,
    sheet: &Option<String>,
    targets: &[Target],
    columns: &[Option<Column>],
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
