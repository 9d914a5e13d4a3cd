//! Guards around calamine 0.38's known failures on damaged or hostile files, each run before
//! (or around) the calamine call it protects. Each names the upstream bug it works around, so
//! it can be deleted when calamine fixes it (check with the fuzz targets in fuzz/ and the
//! tests in `tests.rs` before deleting one).

use std::path::Path;

use crate::ingest::sniff::read_head;
use crate::ingest::IngestError;

/// Runs a calamine call, turning a panic inside it into a clean error: calamine 0.38 panics on
/// some damaged files (found by fuzzing: a slice index out of range in its OLE reader for an
/// xls whose sector chain runs past the end of the file). The panic message is not printed.
///
/// Upstream: calamine 0.38.0's own CFB reader (`src/cfb.rs`) indexes sectors by numbers read
/// from the file without checking them against its length. No calamine issue names this exact
/// panic; the same class is tafia/calamine#481 (a panic reading an xls, in the CFB reader) and
/// tafia/calamine#714 (open: CFB header sector counts drive reads and allocations before they
/// are checked). Delete when a truncated sector chain is an `Err` (the test
/// `a_damaged_xls_that_panics_calamine_is_a_clean_error` and the `spreadsheet` fuzz target
/// show it); until calamine never panics on input, keeping it costs nothing.
pub(super) fn guarded<T>(name: &str, f: impl FnOnce() -> T) -> Result<T, IngestError> {
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
/// and abort the process (an allocation failure is an abort, not a panic [`guarded`] could
/// catch).
///
/// Upstream: calamine 0.38.0 `Range::from_sparse` (`src/lib.rs`) allocates
/// `vec![T::default(); rows * cols]` for the bounding box of the used cells; tafia/calamine
/// PR #661 (in progress; reported as ToucanToco/fastexcel#487, one cell in column XFD
/// allocating the whole width) and PR #428 (dimensions made public so callers can check
/// first). Delete [`check_grid`] for xlsx when a sparse sheet no longer allocates its bounding
/// box (our xlsx reading already avoids `from_sparse`, see `cells::xlsx_cells`; the check
/// still refuses the file cleanly rather than building a 17-billion-row table).
///
/// A sheet whose grid is larger than this...
const SMALL_GRID: u64 = 4 * 1024 * 1024;
/// ...must be at least 1/32 full (a real log is mostly full)...
const MIN_FILL: u64 = 32;
/// ...and no larger than this: a full xls sheet (65,536 x 256), a million-row log of 64
/// columns in xlsx (about 2 GB laid out).
pub(super) const XLS_MAX_GRID: u64 = 65_536 * 256;
pub(super) const XLSX_MAX_GRID: u64 = 1_048_576 * 64;

/// Whether a sheet's grid may be laid out; the reason if not.
pub(super) fn check_grid(rows: u64, cols: u64, cells: u64, max: u64) -> Result<(), String> {
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
///
/// Upstream: calamine 0.38.0 `src/xls.rs`, on each sheet's DIMENSIONS record (0x0200),
/// computes `end - start + 1` rows and columns in u32 (wrapping on a damaged record) and calls
/// `cells.reserve(rows * cols)`, then lays the sheet out with `Range::from_sparse` (above);
/// tafia/calamine PR #525 ("More OOM fixes", open: bounds `parse_dimensions`) and issue #684
/// (open: allocations sized by counts read from the file, including the xls path). Delete when
/// both the DIMENSIONS reserve and the dense layout are bounded, after re-running the `spreadsheet`
/// fuzz target and `damaged_xls_files_with_huge_grids_are_refused`.
pub(super) fn check_xls_grid(path: &Path, name: &str) -> Result<(), IngestError> {
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
        .and_then(|s| {
            s.take(crate::ingest::limits::MAX_UNPACKED)
                .read_to_end(&mut data)
        })
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
///
/// Upstream: calamine 0.38.0 `src/ods.rs`: the `read_event_into` loops of `read_table`,
/// `read_row` and `read_named_expressions` have no `Event::Eof` arm, and quick-xml returns
/// `Eof` again on every call after the end, so they never return (`get_datatype`'s loop does
/// return `OdsError::Eof`). No calamine issue was found for it (tracker searched for an ods
/// infinite loop / hang at end of file). Delete when those loops end on `Eof`, after
/// `an_ods_ending_inside_a_table_is_refused_not_read_forever` passes without this check.
pub(super) fn check_ods_complete(path: &Path, name: &str) -> Result<(), IngestError> {
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
