//! Tests of the calamine guards and the sheet reader on damaged and oversized workbooks.

use super::guards::{check_grid, XLSX_MAX_GRID, XLS_MAX_GRID};
use super::*;
use crate::ingest::{Cell, TableInfo};

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
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz/cfb-sector-past-end.xls");
    let targets = log_targets();
    let spec = SourceSpec::default();
    let mut sink = Count(0);
    let r = read(&path, "bad.xls", "xls", &spec, 0, &targets, &mut sink);
    assert!(
        matches!(r, Err(IngestError::Corrupt { ref file, .. }) if file == "bad.xls"),
        "{r:?}"
    );
}
