//! The big sheets' data rows written as sheet XML directly and compressed on threads of their
//! own, while rust_xlsxwriter writes the rest of the workbook.
//!
//! A big sheet (Action required, Breaches, Cases, more than [`DIRECT_ROWS`] rows) is laid out
//! twice by the same sheet code. First rust_xlsxwriter gets everything but its
//! data rows (headers, merged titles, column widths measured from the rows, filter, print set-up)
//! and the workbook is saved to memory; then, as the zip is copied to the output, the rows are
//! written again as XML into that sheet's entry, between rust_xlsxwriter's header rows and the
//! rest of its sheet XML. Each cell is the XML rust_xlsxwriter writes for it in constant-memory
//! mode (inline strings, the same escapes, the same style indices, which follow the order the
//! formats are registered in, the same row heights for wrapped text), so a reader sees the same
//! workbook: the tests compare the two
//! cell by cell, formats included (`tools/same_workbook.py`).
//!
//! Why: rust_xlsxwriter keeps a row of cells in a tree, hashes each cell's format and compresses
//! every sheet on one thread; for a sheet of two million cells that was most of the run.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, Write};
use std::path::Path;

use rust_xlsxwriter::{Format, XlsxError};
use zip::write::SimpleFileOptions;
use zip::{DateTime, ZipArchive, ZipWriter};

use super::cells::Formats;
use crate::ingest::column_letter;
use crate::util::decimal::push_i64;

/// A big sheet of more data rows than this is written directly (smaller ones, a weekly
/// run's, are written by rust_xlsxwriter alone).
pub const DIRECT_ROWS: usize = 2_000;

/// Rows are handed to the compressor in pieces about this big.
const PIECE: usize = 1 << 16;

/// Each format's style index, as rust_xlsxwriter numbers them when they are registered, in
/// [`Formats::all`] order, on a new workbook (the default format is 0; a format equal to one
/// before it shares its index).
#[derive(Clone)]
pub struct Xf {
    /// Each format's address, so a cell's format is found without hashing it.
    at: [usize; 16],
    index: [u32; 16],
}

impl Xf {
    pub fn new(f: &Formats) -> Xf {
        let mut seen: HashMap<Format, u32> = HashMap::from([(Format::default(), 0)]);
        let mut at = [0; 16];
        let mut index = [0; 16];
        for (k, format) in f.all().into_iter().enumerate() {
            let next = seen.len() as u32;
            index[k] = *seen.entry(format.clone()).or_insert(next);
            at[k] = format as *const Format as usize;
        }
        Xf { at, index }
    }

    /// The style index of `format`, one of the workbook's [`Formats`].
    pub fn of(&self, format: &Format) -> u32 {
        let p = format as *const Format as usize;
        self.at
            .iter()
            .position(|&q| q == p)
            .map(|k| self.index[k])
            .unwrap_or(0)
    }
}

/// The last row and column holding a cell, as the sheet's `<dimension>` needs them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Zero-based; `None` when no data row has a cell.
    pub last_row: Option<u32>,
    pub last_col: u16,
}

impl Extent {
    pub fn see(&mut self, row: u32, col: u16) {
        self.last_row = Some(self.last_row.map_or(row, |r| r.max(row)));
        self.last_col = self.last_col.max(col);
    }
}

/// A big sheet's data rows as XML, streamed (in pieces) to the thread that compresses them into
/// its zip entry.
pub struct Xml {
    /// Where each piece goes (`None`: kept, for the tests).
    out: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    xf: Xf,
    buf: Vec<u8>,
    /// Column names ("A", "B", ... "AS"), made as they are needed.
    names: Vec<Vec<u8>>,
    /// The row open in `buf` (zero-based).
    open: Option<u32>,
}

impl Xml {
    fn new(out: Option<std::sync::mpsc::SyncSender<Vec<u8>>>, xf: Xf) -> Xml {
        Xml {
            out,
            xf,
            buf: Vec::with_capacity(PIECE + 4096),
            names: Vec::new(),
            open: None,
        }
    }

    pub fn xf(&self) -> &Xf {
        &self.xf
    }

    fn row(&mut self, row: u32) -> io::Result<()> {
        if self.open == Some(row) {
            return Ok(());
        }
        self.open_row(row, None)
    }

    /// Opens `row` with a height (points), as rust_xlsxwriter writes a row whose height was set.
    pub fn height(&mut self, row: u32, points: f64) -> io::Result<()> {
        self.open_row(row, Some(points))
    }

    /// Closes the open row and opens `row`: `<row r="7">`, or with its height.
    fn open_row(&mut self, row: u32, points: Option<f64>) -> io::Result<()> {
        self.end_row()?;
        self.buf.extend_from_slice(b"<row r=\"");
        push_i64(&mut self.buf, row as i64 + 1);
        match points {
            Some(p) => write!(self.buf, "\" ht=\"{p}\" customHeight=\"1\">")?,
            None => self.buf.extend_from_slice(b"\">"),
        }
        self.open = Some(row);
        Ok(())
    }

    fn end_row(&mut self) -> io::Result<()> {
        if self.open.take().is_some() {
            self.buf.extend_from_slice(b"</row>");
            if self.buf.len() >= PIECE {
                self.send()?;
            }
        }
        Ok(())
    }

    /// `<c r="B7"` and the style, if any.
    fn start_cell(&mut self, row: u32, col: u16, xf: u32) -> io::Result<()> {
        self.row(row)?;
        let c = col as usize;
        while self.names.len() <= c {
            let name = column_letter(self.names.len());
            self.names.push(name.into_bytes());
        }
        self.buf.extend_from_slice(b"<c r=\"");
        self.buf.extend_from_slice(&self.names[c]);
        push_i64(&mut self.buf, row as i64 + 1);
        self.buf.push(b'"');
        if xf > 0 {
            self.buf.extend_from_slice(b" s=\"");
            push_i64(&mut self.buf, xf as i64);
            self.buf.push(b'"');
        }
        Ok(())
    }

    /// A text cell, as rust_xlsxwriter writes an inline string.
    pub fn string(&mut self, row: u32, col: u16, s: &str, xf: u32) -> io::Result<()> {
        self.start_cell(row, col, xf)?;
        let preserve = s.starts_with(['\t', '\n', ' ']) || s.ends_with(['\t', '\n', ' ']);
        self.buf.extend_from_slice(if preserve {
            b" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
        } else {
            b" t=\"inlineStr\"><is><t>"
        });
        escape(&mut self.buf, s);
        self.buf.extend_from_slice(b"</t></is></c>");
        Ok(())
    }

    /// A number cell (a date is its serial number), written as rust_xlsxwriter writes an f64.
    pub fn number(&mut self, row: u32, col: u16, n: f64, xf: u32) -> io::Result<()> {
        self.start_cell(row, col, xf)?;
        self.buf.extend_from_slice(b"><v>");
        if n.fract() == 0.0 && n.abs() < 1e15 && !(n == 0.0 && n.is_sign_negative()) {
            push_i64(&mut self.buf, n as i64);
        } else {
            write!(self.buf, "{n}")?;
        }
        self.buf.extend_from_slice(b"</v></c>");
        Ok(())
    }

    /// Hands the piece written to the compressor (without copying it).
    fn send(&mut self) -> io::Result<()> {
        let Some(out) = &self.out else {
            return Ok(());
        };
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE + 4096));
        out.send(piece)
            .map_err(|_| io::Error::other("the sheet's compressor stopped"))
    }

    /// Closes the last row and hands over the rest.
    fn finish(mut self) -> io::Result<()> {
        self.end_row()?;
        self.send()
    }
}

/// Cell text escaped as rust_xlsxwriter escapes it: a literal `_xHHHH_` gets `_x005F` before it
/// (so Excel does not read it as an escape), then `&`, `<`, `>` as entities, and control
/// characters other than tab and newline, and U+FFFE and U+FFFF, as `_xHHHH_`.
fn escape(buf: &mut Vec<u8>, s: &str) {
    let plain = !s.contains("_x")
        && s.bytes().all(|b| {
            !matches!(b, b'&' | b'<' | b'>' | 0xEF) && (b >= 0x20 || b == b'\t' || b == b'\n')
        });
    if plain {
        buf.extend_from_slice(s.as_bytes());
        return;
    }
    let s = escape_escapes(s);
    for ch in s.chars() {
        match ch {
            '&' => buf.extend_from_slice(b"&amp;"),
            '<' => buf.extend_from_slice(b"&lt;"),
            '>' => buf.extend_from_slice(b"&gt;"),
            '\t' | '\n' => buf.push(ch as u8),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
                // Infallible: writing to a Vec.
                let _ = write!(buf, "_x{:04X}_", ch as u32);
            }
            _ => {
                let mut b = [0u8; 4];
                buf.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
            }
        }
    }
}

/// `_x005F` before each `_xHHHH_` in `s` (HHHH four hex digits).
fn escape_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = s.to_string();
    for (i, _) in s.rmatch_indices("_x") {
        let end = i + 7;
        if end > s.len() || !s.is_char_boundary(end - 1) || !s[end - 1..].starts_with('_') {
            continue;
        }
        if s[i + 2..end - 1].chars().all(|c| c.is_ascii_hexdigit()) {
            out.replace_range(i..i, "_x005F");
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One directly written sheet: its place in the workbook and where its cells end.
pub struct Direct {
    /// Zero-based, in the workbook's order.
    pub sheet: usize,
    pub extent: Extent,
}

/// Copies the workbook rust_xlsxwriter saved (`saved`) to `out`, each direct sheet's rows
/// written by `emit` (on a thread per sheet) into its XML before `</sheetData>`. `level` is
/// the compression level rust_xlsxwriter used (`None`: its default). Each direct sheet is
/// compressed into an unnamed temporary file in `temp_dir` (gone when closed, even if the
/// process is killed), not into memory: a million cases' big sheets are 220 MB compressed,
/// and held until the zip is written they were the last straw of the run's peak memory.
pub fn assemble<W, E>(
    saved: &[u8],
    temp_dir: &Path,
    direct: &[Direct],
    xf: &Xf,
    level: Option<i64>,
    emit: E,
    out: W,
) -> Result<(), super::WorkbookError>
where
    W: Write + Seek,
    E: Fn(usize, Xml) -> Result<Xml, XlsxError> + Sync,
{
    let mut archive = ZipArchive::new(Cursor::new(saved))?;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(level)
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default());
    let mut parts = Vec::new();
    for d in direct {
        let name = format!("xl/worksheets/sheet{}.xml", d.sheet + 1);
        let mut xml = String::new();
        archive.by_name(&name)?.read_to_string(&mut xml)?;
        let (head, tail) = split(&xml, d.extent).ok_or_else(|| {
            io::Error::other(format!(
                "{name} as rust_xlsxwriter wrote it has no sheetData"
            ))
        })?;
        parts.push((d.sheet, name, head, tail));
    }
    let emit = &emit;
    let spilled: Vec<Result<File, super::WorkbookError>> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|(sheet, name, head, tail)| {
                s.spawn(move || -> Result<File, super::WorkbookError> {
                    // The rows written here, compressed on a thread of their own.
                    let (send, pieces) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
                    std::thread::scope(|s| {
                        let compress = s.spawn(move || -> Result<File, super::WorkbookError> {
                            let file = tempfile::tempfile_in(temp_dir)?;
                            let mut entry =
                                ZipWriter::new(io::BufWriter::with_capacity(PIECE, file));
                            entry.start_file(name.as_str(), options)?;
                            entry.write_all(head.as_bytes())?;
                            for piece in pieces {
                                entry.write_all(&piece)?;
                            }
                            entry.write_all(tail.as_bytes())?;
                            Ok(entry.finish()?.into_inner().map_err(|e| e.into_error())?)
                        });
                        let written = emit(*sheet, Xml::new(Some(send), xf.clone()))
                            .map_err(super::WorkbookError::from)
                            .and_then(|xml| Ok(xml.finish()?));
                        let compressed = compress
                            .join()
                            .unwrap_or_else(|p| std::panic::resume_unwind(p));
                        // The compressor's own error first: the writer's is only that it stopped.
                        let entry = compressed?;
                        written.map(|()| entry)
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut spilled: HashMap<String, File> = parts
        .iter()
        .map(|(_, name, _, _)| name.clone())
        .zip(spilled)
        .map(|(n, p)| p.map(|p| (n, p)))
        .collect::<Result<_, _>>()?;
    let mut zip = ZipWriter::new(out);
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i)?;
        let name = file.name()?.into_owned();
        match spilled.remove(&name) {
            Some(mut f) => {
                drop(file);
                f.rewind()?;
                let mut one = ZipArchive::new(io::BufReader::with_capacity(PIECE, f))?;
                zip.raw_copy_file(one.by_index_raw(0)?)?;
            }
            None => zip.raw_copy_file(file)?,
        }
    }
    zip.finish()?.flush()?;
    Ok(())
}

/// The sheet XML before its rows go in (its `<dimension>` covering `extent` too) and after.
fn split(xml: &str, extent: Extent) -> Option<(String, String)> {
    let (head, tail) = match xml.find("</sheetData>") {
        Some(i) => (xml[..i].to_string(), xml[i..].to_string()),
        None => {
            let i = xml.find("<sheetData/>")?;
            (
                format!("{}<sheetData>", &xml[..i]),
                format!("</sheetData>{}", &xml[i + "<sheetData/>".len()..]),
            )
        }
    };
    Some((dimension(&head, extent), tail))
}

/// `<dimension ref="A1:C2"/>` widened to take in `extent`.
fn dimension(head: &str, extent: Extent) -> String {
    let Some(row) = extent.last_row else {
        return head.to_string();
    };
    const OPEN: &str = "<dimension ref=\"";
    let Some(start) = head.find(OPEN).map(|i| i + OPEN.len()) else {
        return head.to_string();
    };
    let Some(len) = head[start..].find('"') else {
        return head.to_string();
    };
    let old = &head[start..start + len];
    let last = old.rsplit(':').next().unwrap_or(old);
    let split = last
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(last.len());
    let (col, r) = last.split_at(split);
    let old_col = col
        .bytes()
        .fold(0u32, |n, b| n * 26 + (b - b'A' + 1) as u32);
    let old_row: u32 = r.parse().unwrap_or(1);
    let col = (old_col.max(extent.last_col as u32 + 1)).saturating_sub(1) as u16;
    let row = old_row.max(row + 1);
    let first = if old.contains(':') {
        old.split(':').next().unwrap_or("A1")
    } else {
        old
    };
    let new = if first == format!("{}{}", column_letter(col as usize), row) {
        first.to_string()
    } else {
        format!("{first}:{}{row}", column_letter(col as usize))
    };
    format!("{}{}{}", &head[..start], new, &head[start + len..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_an_f64_displays() {
        for n in [0.0, 1.0, -3.0, 44272.0, 12.5, -0.25, 1e16, 0.1 + 0.2] {
            let mut x = Xml::new(
                None,
                Xf {
                    at: [0; 16],
                    index: [0; 16],
                },
            );
            x.number(0, 0, n, 0).expect("write");
            let got = String::from_utf8(x.buf.clone()).expect("utf8");
            assert_eq!(
                got,
                format!("<row r=\"1\"><c r=\"A1\"><v>{n}</v></c>"),
                "{n}"
            );
        }
    }

    #[test]
    fn escapes_as_rust_xlsxwriter() {
        let cases = [
            ("plain", "plain"),
            ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
            ("tab\tnew\nline", "tab\tnew\nline"),
            ("cr\rbell\u{7}", "cr_x000D_bell_x0007_"),
            ("_x0041_", "_x005F_x0041_"),
            ("_x00G1_ _x12", "_x00G1_ _x12"),
            ("non\u{FFFE}char", "non_xFFFE_char"),
            ("café ☕", "café ☕"),
        ];
        for (s, want) in cases {
            let mut buf = Vec::new();
            escape(&mut buf, s);
            assert_eq!(String::from_utf8(buf).expect("utf8"), want, "{s:?}");
        }
    }

    #[test]
    fn dimension_takes_in_the_rows() {
        let head = r#"<worksheet><dimension ref="A1:AS2"/><sheetData><row r="1">"#;
        let e = Extent {
            last_row: Some(301),
            last_col: 44,
        };
        assert!(dimension(head, e).contains(r#"<dimension ref="A1:AS302"/>"#));
        let e = Extent {
            last_row: Some(9),
            last_col: 50,
        };
        assert!(dimension(head, e).contains(r#"<dimension ref="A1:AY10"/>"#));
        assert_eq!(dimension(head, Extent::default()), head);
        let one = r#"<dimension ref="A1"/>"#;
        let e = Extent {
            last_row: Some(4),
            last_col: 2,
        };
        assert_eq!(dimension(one, e), r#"<dimension ref="A1:C5"/>"#);
    }
}
