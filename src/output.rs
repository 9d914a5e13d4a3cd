//! Writing output files atomically: into a temporary file in the same folder, then renamed
//! over the target, so a reader never sees half a report.

use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically with `fill`, which writes the content.
pub fn write_atomic<F>(path: &Path, fill: F) -> std::io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut w = BufWriter::with_capacity(1 << 16, tmp.as_file());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            std::fs::read_dir(p.parent().unwrap()).unwrap().count(),
            1,
            "no temp left"
        );
    }
}
