//! Writing output files atomically: into a temporary file beside the target, then renamed over
//! it, so a reader never sees half a report. The one home of the atomic write (findings,
//! workbook, generated logs, the dry-run email).
//!
//! The temporary file is named `.safeguard-audit-<pid>-<n>.<target name>.tmp`, so it is
//! recognisably ours and says which process made it. It is removed on every error path (and
//! when a panic unwinds past it); one left by a process that was killed is removed by
//! [`sweep`] at the start of the next run. A finished file's mode follows the umask, like any
//! file the user creates, unless a mode is set with [`set_mode`] (`[report] mode`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// How every temporary file of ours begins.
pub const TEMP_PREFIX: &str = ".safeguard-audit-";
/// How every temporary file of ours ends.
pub const TEMP_SUFFIX: &str = ".tmp";

/// The mode finished files get (`0` = follow the umask). Set once per run from the
/// configuration.
static MODE: AtomicU32 = AtomicU32::new(0);
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Sets the permission bits of the files written from now on (`None`: follow the umask).
pub fn set_mode(mode: Option<u32>) {
    MODE.store(mode.map(|m| m & 0o7777).unwrap_or(0), Ordering::Relaxed);
}

fn mode() -> Option<u32> {
    match MODE.load(Ordering::Relaxed) {
        0 => None,
        m => Some(m),
    }
}

/// A file being written: a temporary file beside `target`, renamed over it by
/// [`AtomicFile::commit`] and removed if dropped before that.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: PathBuf,
    target: PathBuf,
    file: Option<File>,
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

impl AtomicFile {
    /// Creates the folder if needed and a new temporary file in it for `target`.
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        let dir = parent(target);
        std::fs::create_dir_all(dir)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".to_string());
        let pid = std::process::id();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!("{TEMP_PREFIX}{pid}-{n}.{name}{TEMP_SUFFIX}"));
            // create_new uses mode 0666 less the umask: the finished file's mode follows it.
            match File::options().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    return Ok(AtomicFile {
                        tmp,
                        target: target.to_path_buf(),
                        file: Some(file),
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The temporary file's path (for writers that open a path themselves).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The open temporary file.
    pub fn file(&mut self) -> &mut File {
        self.file
            .as_mut()
            .expect("the temporary file stays open until it is committed")
    }

    /// Flushes the content to disk, sets the mode, and renames the file over the target.
    pub fn commit(mut self) -> std::io::Result<()> {
        let file = match self.file.take() {
            Some(f) => f,
            None => File::options().write(true).open(&self.tmp)?,
        };
        file.sync_all()?;
        if let Some(m) = mode() {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(m))?;
            }
            #[cfg(not(unix))]
            let _ = m;
        }
        drop(file);
        std::fs::rename(&self.tmp, &self.target)?;
        // Renamed: nothing left to remove.
        self.tmp = PathBuf::new();
        // Make the rename itself durable (best effort: not every platform can open a folder).
        if let Ok(d) = File::open(parent(&self.target)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        self.file.take();
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `path` atomically with `fill`, which writes the content.
pub fn write_atomic<F>(path: &Path, fill: F) -> std::io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let mut out = AtomicFile::create(path)?;
    {
        let mut w = BufWriter::with_capacity(1 << 16, out.file());
        fill(&mut w)?;
        w.flush()?;
    }
    out.commit()
}

/// The process id in one of our temporary file names, if it is one.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    if !rest.ends_with(TEMP_SUFFIX) {
        return None;
    }
    let (pid, _) = rest.split_once('-')?;
    pid.parse().ok()
}

/// Whether the process that made a temporary file may still be writing it.
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        // No cheap way to tell: assume it is gone (runs hold the state folder's lock).
        false
    }
}

/// Removes the temporary files our killed processes left in `dir` (only ours, recognised by
/// name, and only those whose process has ended). Returns the files removed.
pub fn sweep(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(pid) = temp_owner(&name.to_string_lossy()) else {
            continue;
        };
        if alive(pid) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed.push(entry.path()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Runs a third-party writer that panics on I/O errors (rust_xlsxwriter's constant-memory
/// row files do when the disk fills), turning the panic into an error without printing the
/// panic message. Only for code that writes files, with nothing else running meanwhile that
/// could panic: the panic hook is process-wide.
pub fn catch_writer_panic<T>(f: impl FnOnce() -> T) -> std::io::Result<T> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    r.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if what.contains("StorageFull") || what.contains("os error 28") {
            std::io::Error::other("the disk is full (the writer stopped: no space left on device)")
        } else {
            std::io::Error::other(format!("the writer stopped: {what}"))
        }
    })
}

/// Whether an I/O error means the disk (or the user's quota) is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) || e.raw_os_error() == Some(28)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_whole_file_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/out.csv");
        write_atomic(&p, |w| w.write_all(b"a,b\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a,b\n");
        let r = write_atomic(&p, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("boom"))
        });
        assert!(r.is_err());
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "a,b\n",
            "old file kept"
        );
        assert_eq!(names(p.parent().unwrap()), ["out.csv"], "no temp left");
    }

    #[test]
    fn a_panic_while_writing_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let r = std::panic::catch_unwind(|| {
            let _ = write_atomic(&p, |w| {
                w.write_all(b"x")?;
                panic!("writer failed");
            });
        });
        assert!(r.is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn temp_files_are_named_beside_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("compliance-2026-11-23.xlsx");
        let f = AtomicFile::create(&target).unwrap();
        assert_eq!(f.path().parent(), Some(dir.path()));
        let name = f.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(&format!(".safeguard-audit-{}-", std::process::id()))
                && name.ends_with(".compliance-2026-11-23.xlsx.tmp"),
            "{name}"
        );
        assert_eq!(temp_owner(&name), Some(std::process::id()));
        drop(f);
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn sweep_removes_only_our_dead_processes_files() {
        let dir = tempfile::tempdir().unwrap();
        // A pid above the kernel's maximum (4194304) is never alive.
        let dead = format!("{TEMP_PREFIX}4999999-0.findings.csv{TEMP_SUFFIX}");
        let live = format!(
            "{TEMP_PREFIX}{}-0.findings.csv{TEMP_SUFFIX}",
            std::process::id()
        );
        for n in [
            dead.as_str(),
            live.as_str(),
            ".tmpAbC123",
            "findings.csv",
            ".safeguard-audit-notes.txt",
        ] {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        let removed = sweep(dir.path()).unwrap();
        assert_eq!(removed, vec![dir.path().join(&dead)]);
        let mut left = vec![
            ".safeguard-audit-notes.txt".to_string(),
            live,
            ".tmpAbC123".to_string(),
            "findings.csv".to_string(),
        ];
        left.sort();
        assert_eq!(names(dir.path()), left);
        assert!(sweep(&dir.path().join("missing")).unwrap().is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn mode_follows_the_umask_or_the_setting() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write_atomic(&p, |w| w.write_all(b"a")).unwrap();
        let m = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // Not the 0600 of a private temp file: 0666 less the umask (typically 0644 or 0664).
        assert_ne!(m, 0o600, "{m:o}");
        assert_eq!(m & 0o400, 0o400);
    }
}
