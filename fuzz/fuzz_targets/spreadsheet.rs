//! Spreadsheets: arbitrary bytes written to a file and read through `ingest::read_file` and the
//! case builder. The result must be `Ok` or a clean `IngestError`, never a panic, and time and
//! memory stay bounded (run with `-rss_limit_mb` and `-timeout`). A panic inside calamine that
//! the reader catches and reports as a damaged file is not a crash (its hook stays silent).
//!
//! Input: the first byte picks the mode, the rest is the body:
//! - 0: the body is an `.xlsx` file; 1: an `.ods` file; 2: an `.xls` file (raw bytes);
//! - 3: the body is worksheet XML, then a 0xFF byte, then shared-strings XML: wrapped in a
//!   valid xlsx (fixed workbook, relationships and styles with a date format), so the fuzzer
//!   explores calamine's XML reading instead of the zip container;
//! - 4: the body is an ODS `content.xml`, wrapped in a valid ods.
#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use safeguard_audit::cases::{self, CaseBuilder};
use safeguard_audit::fields::Schema;
use safeguard_audit::ingest::{self, SourceSpec};
use zip::write::SimpleFileOptions;

fn dir() -> &'static PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let d = base.join(format!("safeguard-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Log" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
const ODS_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, body) in parts {
            z.start_file(*name, opts).unwrap();
            z.write_all(body).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let (ext, bytes): (&str, Vec<u8>) = match mode % 5 {
        0 => ("xlsx", body.to_vec()),
        1 => ("ods", body.to_vec()),
        2 => ("xls", body.to_vec()),
        3 => {
            let (sheet, strings) = match body.iter().position(|b| *b == 0xFF) {
                Some(i) => (&body[..i], &body[i + 1..]),
                None => (body, &b""[..]),
            };
            let bytes = zip_of(&[
                ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
                ("_rels/.rels", RELS.as_bytes()),
                ("xl/workbook.xml", WORKBOOK.as_bytes()),
                ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
                ("xl/styles.xml", STYLES.as_bytes()),
                ("xl/sharedStrings.xml", strings),
                ("xl/worksheets/sheet1.xml", sheet),
            ]);
            ("xlsx", bytes)
        }
        _ => {
            let bytes = zip_of(&[
                (
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                ),
                ("META-INF/manifest.xml", ODS_MANIFEST.as_bytes()),
                ("content.xml", body),
            ]);
            ("ods", bytes)
        }
    };
    let path = dir().join(format!("input.{ext}"));
    std::fs::write(&path, &bytes).unwrap();

    let schema = Schema::canonical();
    let spec = SourceSpec {
        path: path.clone(),
        ..Default::default()
    };
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let targets = cases::targets(&schema, &spec);
    let mut builder = CaseBuilder::new(&schema, std::slice::from_ref(&spec), as_of).unwrap();
    let result = ingest::read_file(&path, &spec, 0, &targets, &mut builder);
    let set = builder.finish();
    assert!(set.reconciliation.balances(), "{}", set.reconciliation);
    if let Err(e) = result {
        // A clean error names the file and says what to do.
        let msg = e.to_string();
        assert!(msg.contains("input."), "{msg}");
    }
});
