//! The state folder's lock, so two runs cannot both send: taken with a bounded wait, released
//! when dropped.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{io_error, LedgerError, LOCK_FILE};

/// An exclusive lock on the state folder, released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the state folder's lock, waiting up to `wait` for another run to finish (less if
/// `stop` is set meanwhile).
pub fn lock(
    state_dir: &Path,
    wait: Duration,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Lock, LedgerError> {
    let io = |e: std::io::Error| io_error(state_dir, e);
    std::fs::create_dir_all(state_dir).map_err(io)?;
    let path = state_dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock)
                if start.elapsed() < wait
                    && !stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)) =>
            {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LedgerError::Busy {
                    lock: path.display().to_string(),
                    waited_secs: start.elapsed().as_secs(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
    }
}
