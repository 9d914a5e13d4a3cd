//! Bounds on what a workbook may unpack to, so a zip bomb is refused rather than read.

use std::io::Read;
use std::path::Path;

use super::{io_error, IngestError};

/// Most a workbook may unpack to: far beyond any real log (a million-row sheet is ~0.5 GiB).
pub const MAX_UNPACKED: u64 = 2 * 1024 * 1024 * 1024;
/// Compression ratio above which an entry is decompressed to check its real size
/// (spreadsheet XML compresses 5-30 times; bombs compress thousands of times).
const SUSPICIOUS_RATIO: u64 = 200;

/// Refuses zip-based workbooks (xlsx, xlsm, xlsb, ods) that would unpack beyond [`MAX_UNPACKED`],
/// whether the zip declares it or lies about it.
pub fn check_zip(path: &Path, name: &str) -> Result<(), IngestError> {
    check_zip_limit(path, name, MAX_UNPACKED)
}

pub fn check_zip_limit(path: &Path, name: &str, limit: u64) -> Result<(), IngestError> {
    let file = std::fs::File::open(path).map_err(|e| io_error(name, e))?;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        // Not a zip (xls) or damaged: calamine reports it.
        return Ok(());
    };
    let too_large = || IngestError::TooLarge {
        file: name.to_string(),
        limit_mb: limit / (1024 * 1024),
    };
    let mut total: u64 = 0;
    let mut suspicious = Vec::new();
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            continue;
        };
        total = total.saturating_add(entry.size());
        let compressed = entry.compressed_size().max(1);
        if entry.size() / compressed > SUSPICIOUS_RATIO || entry.size() == 0 {
            suspicious.push(i);
        }
    }
    if total > limit {
        return Err(too_large());
    }
    for i in suspicious {
        let Ok(mut entry) = archive.by_index(i) else {
            continue;
        };
        let mut budget = limit.saturating_sub(total) + entry.size();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if n as u64 > budget {
                        return Err(too_large());
                    }
                    budget -= n as u64;
                }
                // A damaged entry is calamine's to report.
                Err(_) => break,
            }
        }
    }
    Ok(())
}
