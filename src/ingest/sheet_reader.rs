//! Spreadsheets through calamine: xlsx, xlsm, xls, xlsb and ods. Every sheet with a
//! recognisable header row is read, unless the source names one sheet.

use std::path::Path;

use calamine::{open_workbook_auto, Data, DataRef, Reader, Sheets};

use super::header::{self, Target, SCAN_ROWS};
use super::table::{no_header, Table};
use super::{io_error, Cell, IngestError, RowSink, SourceSpec};

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
    check_xls_grid(path, name)?;
    if ext == "ods" {
        check_ods_complete(path, name)?;
    }
    let mut book =
        guarded(name, || open_workbook_auto(path))?.map_err(|e| calamine_error(name, path, e))?;
    let names = book.sheet_names();
    let hidden: Vec<(String, &'static str)> = book
        .sheets_metadata()
        .iter()
        .filter_map(|m| match m.visible {
            calamine::SheetVisible::Visible => None,
            calamine::SheetVisible::Hidden => Some((m.name.clone(), "hidden")),
            calamine::SheetVisible::VeryHidden => Some((m.name.clone(), "very hidden")),
        })
        .collect();
    let how_hidden = |n: &str| hidden.iter().find(|(h, _)| h == n).map(|(_, how)| *how);
    let wanted: Vec<String> = match &spec.sheet {
        Some(s) => {
            let found = names
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(s.trim()))
                .cloned();
            match found {
                Some(n) => {
                    if let Some(how) = how_hidden(&n) {
                        sink.notice(format!(
                            "{name}: sheet `{n}` is {how} in the workbook; read because the configuration names it"
                        ));
                    }
                    vec![n]
                }
                None => {
                    return Err(IngestError::NoSheet {
                        file: name.to_string(),
                        sheet: s.clone(),
                        available: names.join(", "),
                    })
                }
            }
        }
        // Hidden sheets are never audited silently: they are left out, and the user told.
        None => names
            .iter()
            .filter(|n| match how_hidden(n) {
                Some(how) => {
                    sink.notice(format!(
                        "{name}: sheet `{n}` is {how} in the workbook and was not read; to audit it, name it in the configuration (sheet = \"{n}\")"
                    ));
                    false
                }
                None => true,
            })
            .cloned()
            .collect(),
    };
    let mut used = 0;
    let mut first_error = None;
    for sheet in &wanted {
        let read = match &mut book {
            // xlsx cells are read one by one and handed over without laying the sheet out.
            Sheets::Xlsx(x) => {
                let mut cells = guarded(name, || xlsx_cells(x, sheet, name, path))??;
                read_cells(&mut cells, name, sheet, source, targets, sink)
            }
            other => {
                let range = guarded(name, || other.worksheet_range(sheet))?
                    .map_err(|e| calamine_error(name, path, e))?;
                read_range(&range, name, sheet, source, targets, sink)
            }
        };
        match read {
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

/// A workbook's sheets in order, each with how it is shown: "visible", "hidden" or "very
/// hidden". The same checks as reading come first.
pub fn list_sheets(
    path: &Path,
    name: &str,
    ext: &str,
) -> Result<Vec<(String, &'static str)>, IngestError> {
    precheck(path, name, ext)?;
    super::limits::check_zip(path, name)?;
    check_xls_grid(path, name)?;
    if ext == "ods" {
        check_ods_complete(path, name)?;
    }
    let book =
        guarded(name, || open_workbook_auto(path))?.map_err(|e| calamine_error(name, path, e))?;
    Ok(book
        .sheets_metadata()
        .iter()
        .map(|m| {
            let how = match m.visible {
                calamine::SheetVisible::Visible => "visible",
                calamine::SheetVisible::Hidden => "hidden",
                calamine::SheetVisible::VeryHidden => "very hidden",
            };
            (m.name.clone(), how)
        })
        .collect())
}

/// Runs a calamine call, turning a panic inside it into a clean error: calamine 0.38 panics on
/// some damaged files (found by fuzzing: a slice index out of range in its OLE reader for an
/// xls whose sector chain runs past the end of the file). The panic message is not printed.
fn guarded<T>(name: &str, f: impl FnOnce() -> T) -> Result<T, IngestError> {
    thread_local! {
        static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.map_err(|_| IngestError::Corrupt {
        file: name.to_string(),
        reason: "the spreadsheet reader failed on it".to_string(),
    })
}

/// calamine lays a sheet out densely, rows x columns from its first used cell to its last, so
/// a stray or hostile cell far away (A1 and XFD1048576: 17 billion cells) would exhaust memory
/// and abort the process. A sheet whose grid is larger than this...
const SMALL_GRID: u64 = 4 * 1024 * 1024;
/// ...must be at least 1/32 full (a real log is mostly full)...
const MIN_FILL: u64 = 32;
/// ...and no larger than this: a full xls sheet (65,536 x 256), a million-row log of 64
/// columns in xlsx (about 2 GB laid out).
const XLS_MAX_GRID: u64 = 65_536 * 256;
const XLSX_MAX_GRID: u64 = 1_048_576 * 64;

/// Whether a sheet's grid may be laid out; the reason if not.
fn check_grid(rows: u64, cols: u64, cells: u64, max: u64) -> Result<(), String> {
    let grid = rows.saturating_mul(cols);
    if grid <= SMALL_GRID || (grid <= max && grid <= cells.saturating_mul(MIN_FILL)) {
        return Ok(());
    }
    Err(format!(
        "a sheet spans {rows} rows by {cols} columns but holds only {cells} cells; delete stray cells far below or to the right of the log"
    ))
}

/// calamine's xls reader lays out every sheet when the workbook is opened, reserving
/// rows x columns from each sheet's DIMENSIONS record and from its cells' positions, none of
/// which it bounds: a damaged 29 KB file made it allocate over 2 GB (found by fuzzing). This
/// reads the workbook stream's records first and applies [`check_grid`] to each sheet. An OLE
/// container too damaged to read this way is refused as damaged (calamine's own reader is more
/// lenient, and a damaged container is where it went wrong); files that are not OLE containers
/// (an xlsx named .xls) and workbooks without a workbook stream are left to calamine.
fn check_xls_grid(path: &Path, name: &str) -> Result<(), IngestError> {
    use std::io::Read;
    let head = read_head(path, name)?;
    if !head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(());
    }
    let damaged = |reason: String| IngestError::Corrupt {
        file: name.to_string(),
        reason,
    };
    let mut ole = cfb::open(path).map_err(|e| damaged(format!("its OLE container: {e}")))?;
    let Some(stream) = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|s| ole.is_stream(s))
    else {
        return Ok(());
    };
    let mut data = Vec::new();
    ole.open_stream(stream)
        .and_then(|s| s.take(super::limits::MAX_UNPACKED).read_to_end(&mut data))
        .map_err(|e| damaged(format!("its workbook stream: {e}")))?;
    scan_biff(&data).map_err(damaged)
}

/// One sheet's extent while scanning BIFF records.
#[derive(Default)]
struct Extent {
    /// Cells as calamine will reserve them from the DIMENSIONS record.
    reserved: (u64, u64),
    cells: u64,
    span: Option<(u32, u32, u32, u32)>,
}

impl Extent {
    fn check(&self) -> Result<(), String> {
        check_grid(self.reserved.0, self.reserved.1, self.cells, XLS_MAX_GRID)?;
        if let Some((top, bottom, left, right)) = self.span {
            let rows = u64::from(bottom - top) + 1;
            let cols = u64::from(right - left) + 1;
            check_grid(rows, cols, self.cells, XLS_MAX_GRID)?;
        }
        Ok(())
    }
}

fn u16_at(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 2)
        .map(|x| u32::from(u16::from_le_bytes([x[0], x[1]])))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4)
        .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

/// BIFF records from `pos`: (type, body), stopping where a record header no longer fits.
fn records(data: &[u8], mut pos: usize) -> impl Iterator<Item = (u32, &[u8])> {
    std::iter::from_fn(move || {
        let (typ, len) = (u16_at(data, pos)?, u16_at(data, pos + 2)? as usize);
        let body = &data[(pos + 4).min(data.len())..(pos + 4 + len).min(data.len())];
        pos += 4 + len;
        Some((typ, body))
    })
}

/// Checks every sheet calamine will lay out: it reads each sheet from the stream offset its
/// BOUNDSHEET record gives (which may fall anywhere), so each is scanned from there; the stream
/// is also scanned from the start.
fn scan_biff(data: &[u8]) -> Result<(), String> {
    let mut starts = vec![0usize];
    for (typ, body) in records(data, 0) {
        if typ == 0x0085 {
            if let Some(p) = u32_at(body, 0) {
                starts.push(p as usize);
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    for start in starts {
        scan_sheets(data, start)?;
    }
    Ok(())
}

fn scan_sheets(data: &[u8], start: usize) -> Result<(), String> {
    let mut sheet = Extent::default();
    for (typ, body) in records(data, start) {
        let (row, first_col, last_col, n) = match typ {
            // BOF (BIFF2..8) starts a substream, EOF ends one.
            0x0009 | 0x0209 | 0x0409 | 0x0809 | 0x000A => {
                sheet.check()?;
                sheet = Extent::default();
                continue;
            }
            // DIMENSIONS, as calamine computes it (u32 arithmetic that wraps when damaged).
            0x0200 => {
                let (rf, rl, cf, cl) = match body.len() {
                    10 => (
                        u16_at(body, 0),
                        u16_at(body, 2),
                        u16_at(body, 4),
                        u16_at(body, 6),
                    ),
                    14 | 16 => (
                        u32_at(body, 0),
                        u32_at(body, 4),
                        u16_at(body, 8),
                        u16_at(body, 10),
                    ),
                    _ => continue,
                };
                let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) else {
                    continue;
                };
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 {
                    let rows = u64::from((rl - 1).wrapping_sub(rf).wrapping_add(1));
                    let cols = u64::from((cl - 1).wrapping_sub(cf).wrapping_add(1));
                    sheet.reserved = (rows, cols);
                }
                continue;
            }
            // Cells: Number, Label, RString, BoolErr, Rk, LabelSst, Formula.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                let (Some(r), Some(c)) = (u16_at(body, 0), u16_at(body, 2)) else {
                    continue;
                };
                (r, c, c, 1)
            }
            // MulRk: a row of cells from a first to a last column.
            0x00BD => {
                let last = body.len().saturating_sub(2);
                let (Some(r), Some(c), Some(l)) =
                    (u16_at(body, 0), u16_at(body, 2), u16_at(body, last))
                else {
                    continue;
                };
                (r, c.min(l), c.max(l), u64::from(c.abs_diff(l)) + 1)
            }
            _ => continue,
        };
        sheet.cells += n;
        sheet.span = Some(match sheet.span {
            None => (row, row, first_col, last_col),
            Some((t, b, l, r)) => (t.min(row), b.max(row), l.min(first_col), r.max(last_col)),
        });
    }
    sheet.check()
}

/// calamine 0.38 reads an ods `content.xml` in loops that wait for the end of a table, a row,
/// a cell or the named expressions and never stop at the end of the file: a damaged or truncated
/// file made it spin forever (found by fuzzing). This reads `content.xml` with the same XML
/// settings and refuses it when one of those elements is opened after its last close. Anything
/// that cannot be read this way is left for calamine to report.
fn check_ods_complete(path: &Path, name: &str) -> Result<(), IngestError> {
    use quick_xml::events::Event;
    const WATCHED: [&str; 5] = [
        "table:table",
        "table:table-row",
        "table:table-cell",
        "table:covered-table-cell",
        "table:named-expressions",
    ];
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return Ok(());
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.expand_empty_elements = true;
    // Per watched element: opened since it was last closed.
    let mut open = [false; WATCHED.len()];
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if let Some(i) = WATCHED.iter().position(|w| *w == e.name().into_inner()) {
                    open[i] = true;
                }
            }
            Ok(Event::End(e)) => {
                if let Some(i) = WATCHED.iter().position(|w| *w == e.name().into_inner()) {
                    open[i] = false;
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
        buf.clear();
    }
    match open.iter().position(|o| *o) {
        Some(i) => Err(IngestError::Corrupt {
            file: name.to_string(),
            reason: format!("its content ends inside a `{}` element", WATCHED[i]),
        }),
        None => Ok(()),
    }
}

/// An xlsx sheet's non-empty cells, as calamine's `worksheet_range` would lay them out (chart
/// sheets empty), after [`check_grid`].
fn xlsx_cells<RS: std::io::Read + std::io::Seek>(
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
fn read_cells(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::TableInfo;

    /// The two columns every incident log must have.
    fn log_targets() -> Vec<Target> {
        vec![
            Target::new("case_ref", &["Case reference"], true),
            Target::new("aware_date", &["Date LA became aware"], true),
        ]
    }

    struct Count(usize);

    impl RowSink for Count {
        fn table(&mut self, _info: TableInfo) -> usize {
            0
        }
        fn row(&mut self, _table: usize, _row: u32, _cells: &[Cell<'_>]) {
            self.0 += 1;
        }
        fn blank(&mut self, _table: usize, _row: u32) {
            self.0 += 1;
        }
    }

    /// Two cells at opposite corners of the sheet: calamine would lay out 17 billion cells (and
    /// the process would abort); the grid is refused first.
    #[test]
    fn a_sheet_spanning_the_whole_grid_is_refused_not_laid_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corners.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "Case reference").unwrap();
        ws.write_string(0, 1, "Date LA became aware").unwrap();
        ws.write_string(1_048_575, 16_383, "far away").unwrap();
        book.save(&path).unwrap();
        let targets = log_targets();
        let mut sink = Count(0);
        let r = read(
            &path,
            "corners.xlsx",
            "xlsx",
            &SourceSpec::default(),
            0,
            &targets,
            &mut sink,
        );
        match r {
            Err(IngestError::Corrupt { reason, .. }) => {
                assert!(
                    reason.contains("1048576 rows by 16384 columns but holds only 3 cells"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    /// Regressions (fuzz target `spreadsheet`, out of memory): damaged 29 KB xls files that
    /// calamine would lay out as 33 million cells (over 2 GB), or as 1.9 billion (61 GB) from a
    /// damaged OLE container, are refused before calamine opens them.
    #[test]
    fn damaged_xls_files_with_huge_grids_are_refused() {
        for (file, says) in [
            (
                "xls-huge-grid.xls",
                "9985 rows by 3329 columns but holds only 1008 cells",
            ),
            ("xls-huge-grid-2.xls", "its OLE container"),
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/fuzz")
                .join(file);
            let targets = log_targets();
            let mut sink = Count(0);
            let r = read(
                &path,
                "bad.xls",
                "xls",
                &SourceSpec::default(),
                0,
                &targets,
                &mut sink,
            );
            match r {
                Err(IngestError::Corrupt { reason, .. }) => {
                    assert!(reason.contains(says), "{reason}")
                }
                other => panic!("{file}: {other:?}"),
            }
            assert_eq!(sink.0, 0);
        }
    }

    #[test]
    fn grids_small_or_full_enough_are_laid_out() {
        assert!(check_grid(1_048_576, 24, 20_000_000, XLSX_MAX_GRID).is_ok());
        assert!(check_grid(2000, 2000, 3, XLSX_MAX_GRID).is_ok());
        assert!(check_grid(1_048_576, 16_384, 3, XLSX_MAX_GRID).is_err());
        assert!(check_grid(1_048_576, 65, 60_000_000, XLSX_MAX_GRID).is_err());
        assert!(check_grid(65_536, 256, 600_000, XLS_MAX_GRID).is_ok());
        assert!(check_grid(65_536, 257, 600_000, XLS_MAX_GRID).is_err());
        assert!(check_grid(65_536, 256, 500_000, XLS_MAX_GRID).is_err());
    }

    /// Regression (fuzz target `spreadsheet`, timeout): an ods whose content ends inside a
    /// table made calamine loop forever; it is refused as damaged.
    #[test]
    fn an_ods_ending_inside_a_table_is_refused_not_read_forever() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.ods");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("mimetype", opts).unwrap();
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        z.start_file("content.xml", opts).unwrap();
        z.write_all(
            br#"<?xml version="1.0"?><office:document-content><office:body><office:spreadsheet><table:table table:name="Log"><table:table-row><table:table-cell office:value-type="string"><text:p>Case reference</text:p></table:table-cell></table:table-row>"#,
        )
        .unwrap();
        z.finish().unwrap();
        let targets = log_targets();
        let mut sink = Count(0);
        let r = read(
            &path,
            "cut.ods",
            "ods",
            &SourceSpec::default(),
            0,
            &targets,
            &mut sink,
        );
        match r {
            Err(IngestError::Corrupt { reason, .. }) => {
                assert!(reason.contains("`table:table`"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    /// Regression (fuzz target `spreadsheet`): an xls whose OLE sector chain runs past the end
    /// of the file made calamine panic; it is now a clean "damaged" error.
    #[test]
    fn a_damaged_xls_that_panics_calamine_is_a_clean_error() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz/cfb-sector-past-end.xls");
        let targets = log_targets();
        let spec = SourceSpec::default();
        let mut sink = Count(0);
        let r = read(&path, "bad.xls", "xls", &spec, 0, &targets, &mut sink);
        assert!(
            matches!(r, Err(IngestError::Corrupt { ref file, .. }) if file == "bad.xls"),
            "{r:?}"
        );
    }
}
