//! A sheet's cells as rows: an xlsx sheet read cell by cell without laying it out, any other
//! sheet from calamine's laid-out range, both with the same header search and row numbers.

use std::path::Path;

use calamine::{Data, DataRef};

use super::calamine_error;
use super::guards::{check_grid, XLSX_MAX_GRID};
use crate::ingest::header::{self, Target, SCAN_ROWS};
use crate::ingest::table::{no_header, Table};
use crate::ingest::{Cell, IngestError, RowSink};

/// An xlsx sheet's non-empty cells, as calamine's `worksheet_range` would lay them out (chart
/// sheets empty), after [`check_grid`].
pub(super) fn xlsx_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<RS>,
    sheet: &str,
    name: &str,
    path: &Path,
) -> Result<Vec<calamine::Cell<Data>>, IngestError> {
    let bad = |e: calamine::XlsxError| calamine_error(name, path, calamine::Error::Xlsx(e));
    let mut reader = match book.worksheet_cells_reader(sheet) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(bad(e)),
    };
    let mut cells = Vec::new();
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = reader.next_cell().map_err(bad)? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        (top, bottom) = (top.min(r), bottom.max(r));
        (left, right) = (left.min(c), right.max(c));
        cells.push(calamine::Cell::new(
            (r, c),
            Data::from(cell.get_value().clone()),
        ));
    }
    if !cells.is_empty() {
        let rows = u64::from(bottom - top) + 1;
        let cols = u64::from(right - left) + 1;
        check_grid(rows, cols, cells.len() as u64, XLSX_MAX_GRID).map_err(|reason| {
            IngestError::Corrupt {
                file: name.to_string(),
                reason: format!("sheet `{sheet}`: {reason}"),
            }
        })?;
    }
    Ok(cells)
}

/// Reads a sheet from its non-empty cells exactly as [`read_range`] reads the laid-out sheet
/// (the same header search over the first rows from the first used row, the same row numbers,
/// a blank row for each row between with nothing in it, the last of two cells at one position
/// winning), without laying it out: for a million-row log the peak drops by a fifth.
pub(super) fn read_cells(
    cells: &mut Vec<calamine::Cell<Data>>,
    name: &str,
    sheet: &str,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    let sheet_name = Some(sheet.to_string());
    // Row-major order (a stable sort keeps the file order of cells at one position; the last
    // one wins, as when calamine lays them out), then one entry per position.
    if !cells.is_sorted_by_key(|c| c.get_position()) {
        cells.sort_by_key(|c| c.get_position());
    }
    let mut keep = vec![true; cells.len()];
    for i in 1..cells.len() {
        if cells[i].get_position() == cells[i - 1].get_position() {
            keep[i - 1] = false;
        }
    }
    let mut k = keep.iter();
    cells.retain(|_| *k.next().unwrap_or(&true));
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
        return Err(no_header(name, sheet_name, targets, 0));
    };
    let (row0, last_row) = (first.get_position().0, last.get_position().0);
    // The cells of each used row: (row, start, end) into `cells`.
    let mut rows: Vec<(u32, usize, usize)> = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        let r = c.get_position().0;
        match rows.last_mut() {
            Some(last) if last.0 == r => last.2 = i + 1,
            _ => rows.push((r, i, i + 1)),
        }
    }
    let row_cells = |r: &(u32, usize, usize)| &cells[r.1..r.2];
    let scan_end = row0.saturating_add(SCAN_ROWS as u32 - 1).min(last_row);
    let head: Vec<Vec<Cell>> = (row0..=scan_end)
        .map(|r| {
            let mut out = Vec::new();
            if let Ok(i) = rows.binary_search_by_key(&r, |x| x.0) {
                for c in row_cells(&rows[i]) {
                    let col = c.get_position().1 as usize;
                    if out.len() <= col {
                        out.resize(col + 1, Cell::Empty);
                    }
                    out[col] = to_cell(c.get_value());
                }
            }
            out
        })
        .collect();
    let Some(found) = header::find(&head, targets) else {
        return Err(no_header(name, sheet_name, targets, head.len()));
    };
    let header_row = row0 + found.row as u32;
    let mut table = Table::start(
        sink,
        name,
        sheet_name,
        source,
        targets,
        header_row + 1,
        &head[found.row],
        found.columns,
    )?;
    let mut next = rows.partition_point(|x| x.0 <= header_row);
    for r in header_row + 1..=last_row {
        let here = match rows.get(next) {
            Some(x) if x.0 == r => {
                next += 1;
                row_cells(x)
            }
            _ => &[],
        };
        let blank = here.iter().all(|c| to_cell(c.get_value()).is_blank());
        table.row(
            sink,
            r + 1,
            blank,
            |col| {
                here.binary_search_by_key(&(col as u32), |c| c.get_position().1)
                    .map(|i| to_cell(here[i].get_value()))
                    .unwrap_or(Cell::Empty)
            },
            || {
                let mut out = Vec::new();
                for c in here {
                    let col = c.get_position().1 as usize;
                    if out.len() <= col {
                        out.resize(col + 1, Cell::Empty);
                    }
                    out[col] = to_cell(c.get_value());
                }
                out
            },
        )?;
    }
    Ok(())
}

pub(super) fn to_cell(d: &Data) -> Cell<'_> {
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

pub(super) fn read_range(
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
    let mut table = Table::start(
        sink,
        name,
        sheet_name,
        source,
        targets,
        row0 + found.row as u32 + 1,
        &head[found.row],
        found.columns,
    )?;
    for (i, r) in range.rows().enumerate().skip(found.row + 1) {
        let line = row0 + i as u32 + 1;
        let blank = r.iter().all(|d| to_cell(d).is_blank());
        table.row(
            sink,
            line,
            blank,
            |c| {
                c.checked_sub(col0)
                    .and_then(|j| r.get(j))
                    .map(to_cell)
                    .unwrap_or(Cell::Empty)
            },
            || {
                std::iter::repeat_n(Cell::Empty, col0)
                    .chain(r.iter().map(to_cell))
                    .collect()
            },
        )?;
    }
    Ok(())
}
