//! Format sniffing: what a file's first bytes say it is, and whether a workbook is the kind
//! its name says (or an encrypted Office file) before any reader opens it. Below both the CSV
//! and the spreadsheet readers.

use std::path::Path;

use super::{io_error, IngestError};

/// What the first bytes of a file say it is.
pub(crate) fn sniff(bytes: &[u8]) -> &'static str {
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

/// The first bytes of a file (up to 8), for telling formats apart.
pub(crate) fn read_head(path: &Path, name: &str) -> Result<Vec<u8>, IngestError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| io_error(name, e))?;
    let mut buf = vec![0u8; 8];
    let n = f.read(&mut buf).map_err(|e| io_error(name, e))?;
    buf.truncate(n);
    Ok(buf)
}

/// Checks the file is the kind of workbook its name says before calamine opens it.
pub(crate) fn precheck(path: &Path, name: &str, ext: &str) -> Result<(), IngestError> {
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
pub(crate) fn ole_is_encrypted(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}
