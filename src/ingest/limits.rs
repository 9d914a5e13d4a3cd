//! Bounds on what a workbook may unpack to, so a zip bomb is refused rather than read.

use std::io::Read;
use std::path::Path;

use super::{io_error, IngestError};

/// Most a workbook may unpack to: far beyond any real log (a million-row sheet is ~0.5 GiB).
pub const MAX_UNPACKED: u64 = 2 * 1024 * 1024 * 1024;
/// Compression ratio above which a large entry is a bomb: spreadsheet XML compresses 5-50
/// times; bombs compress a thousand times.
const BOMB_RATIO: u64 = 250;
/// Entries smaller than this are never called bombs, whatever their ratio.
const BOMB_MIN_SIZE: u64 = 64 * 1024 * 1024;

fn is_bomb(size: u64, compressed: u64) -> bool {
    size > BOMB_MIN_SIZE && size / compressed.max(1) > BOMB_RATIO
}

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
    let mut unverified = Vec::new();
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            continue;
        };
        let (size, compressed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if is_bomb(size, compressed) {
            return Err(too_large());
        }
        // A zip can understate what an entry inflates to: check the ones that could lie.
        if size / compressed.max(1) > BOMB_RATIO / 4 || size == 0 {
            unverified.push((i, compressed));
        }
    }
    if total > limit {
        return Err(too_large());
    }
    for (i, compressed) in unverified {
        let Ok(mut entry) = archive.by_index(i) else {
            continue;
        };
        let mut inflated: u64 = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    inflated += n as u64;
                    if is_bomb(inflated, compressed) || total.saturating_add(inflated) > limit {
                        return Err(too_large());
                    }
                }
                // A damaged entry is calamine's to report.
                Err(_) => break,
            }
        }
    }
    Ok(())
}
