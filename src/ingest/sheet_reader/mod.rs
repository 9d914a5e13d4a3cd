//! Spreadsheets through calamine: xlsx, xlsm, xls, xlsb and ods. Every sheet with a
//! recognisable header row is read, unless the source names one sheet. The checks that keep
//! calamine's known bugs away from a council's file are in `guards`; laying a sheet's cells
//! out as rows is in `cells`.

mod cells;
mod guards;
#[cfg(test)]
mod tests;

use std::path::Path;

use calamine::{open_workbook_auto, Reader, Sheets};

use self::cells::{read_cells, read_range, xlsx_cells};
use self::guards::{check_ods_complete, check_xls_grid, guarded};
use super::header::Target;
use super::sniff::{ole_is_encrypted, precheck};
use super::table::no_header;
use super::{IngestError, RowSink, SourceSpec};

pub(super) fn calamine_error(name: &str, path: &Path, e: calamine::Error) -> IngestError {
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

pub(in crate::ingest) fn read(
    path: &Path,
    name: &str,
    ext: &str,
    spec: &SourceSpec,
    source: usize,
    targets: &[Target],
    sink: &mut dyn RowSink,
) -> Result<(), IngestError> {
    precheck(path, name, ext)?;
    crate::ingest::limits::check_zip(path, name)?;
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
    crate::ingest::limits::check_zip(path, name)?;
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
