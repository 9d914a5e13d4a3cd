//! A big CSV file's rows read on every core: the text is cut into stretches at line breaks,
//! each stretch read on its own thread (its rows numbered from 1) and the stretches taken in,
//! in order. Where a cut turns out not to fall between two records (a quoted cell over several
//! lines), or a stretch saw more than rows (the header row again), the text there is read in
//! order instead: the rows, their numbers and their problems are always those of reading the
//! whole file in order.

use std::sync::Mutex;

use crate::util::par::{Ordered, StopOnDrop};

use super::{csv_error, emit, Rows};
use crate::ingest::table::Table;
use crate::ingest::{IngestError, ParallelSink, RowSink};

/// Text shorter than this (about 20,000 rows of a log) is read in order.
const MIN_PARALLEL: usize = 4 << 20;
/// The smallest stretch.
const MIN_STRETCH: usize = 2 << 20;

/// Reads the records after the header (`rows` is just after it), on every core when the text
/// is big.
pub(in crate::ingest) fn read_rest<'a, S: ParallelSink>(
    text: &'a str,
    delimiter: u8,
    name: &str,
    rows: Rows<'a>,
    table: Table,
    sink: &mut S,
) -> Result<(), IngestError> {
    let threads = crate::util::par::threads();
    let rest = text.len().saturating_sub(rows.after());
    let stretch = match threads > 1 && rest >= MIN_PARALLEL {
        true => Some(MIN_STRETCH.max(rest / (threads * 8))),
        false => None,
    };
    read_in_stretches(text, delimiter, name, rows, table, sink, stretch)
}

/// As [`read_rest`], in stretches of about `stretch` bytes (`None`: in order), on every core
/// and on two threads at least.
pub(in crate::ingest) fn read_in_stretches<'a, S: ParallelSink>(
    text: &'a str,
    delimiter: u8,
    name: &str,
    mut rows: Rows<'a>,
    mut table: Table,
    sink: &mut S,
    stretch: Option<usize>,
) -> Result<(), IngestError> {
    let threads = crate::util::par::threads().max(2);
    let bytes = text.as_bytes();
    let from = rows.after();
    let cuts = match stretch {
        Some(size) => cuts(bytes, from, size.max(1)),
        None => Vec::new(),
    };
    if cuts.is_empty() {
        return in_order(&mut rows, &mut table, sink, name, &[], &mut 0).map(|_| ());
    }
    // Room for every row, guessed from the rows before the first cut (and never more than a
    // row per 64 bytes: room only, but not a guess gone wild).
    let guess = (rows.row as usize + 1).saturating_mul(bytes.len()) / cuts[0].max(1);
    sink.reserve(guess.min(bytes.len() / 64));
    // Each stretch's part is given room for its share (and a tenth more), so that its rows
    // are not copied as its table grows.
    let room = |s: usize| {
        let to = cuts.get(s + 1).copied().unwrap_or(bytes.len());
        let share = (to - cuts[s]).saturating_mul(guess) / bytes.len().max(1);
        (share + share / 10).min((to - cuts[s]) / 64)
    };
    let pool = Ordered::new(cuts.len(), threads * 2);
    let first = table.clone();
    // The main thread takes parts into the sink while the workers read: the parts are made up
    // front, one per stretch.
    let parts: Vec<Mutex<Option<S::Part>>> = (0..cuts.len())
        .map(|s| Mutex::new(Some(sink.part(room(s)))))
        .collect();
    let read = |s: usize| -> Stretch<S::Part> {
        let to = cuts.get(s + 1).copied();
        let part = parts[s].lock().ok().and_then(|mut p| p.take());
        match part {
            Some(part) => read_stretch(bytes, delimiter, name, cuts[s], to, &first, part),
            None => Stretch::failed(),
        }
    };
    std::thread::scope(|scope| {
        let _stop = StopOnDrop(&pool);
        for _ in 1..threads {
            scope.spawn(|| pool.work(&read));
        }
        let mut next_cut = 0;
        loop {
            // In order, up to a cut the reader stops at exactly (or the end of the text).
            let Some(mut s) = in_order(&mut rows, &mut table, sink, name, &cuts, &mut next_cut)?
            else {
                return Ok(());
            };
            loop {
                // A reading that panicked on a worker is read again in order (where a panic
                // is the caller's).
                let got = pool.take(s, &read).unwrap_or_else(|_| Stretch::failed());
                let usable = got.result.is_ok()
                    && got.rows > 0
                    && table.id() == first.id()
                    && got.part.as_ref().is_some_and(S::plain);
                let Some(part) = got.part.filter(|_| usable) else {
                    // The reader is at the start of stretch `s`: read it in order.
                    next_cut = s + 1;
                    break;
                };
                let before = rows.row;
                sink.take(part, before);
                rows = Rows::at(bytes, got.end, before + got.rows, delimiter);
                if !got.exact {
                    // Its last record ran over the next cut: read on in order from there.
                    next_cut = s + 1;
                    break;
                }
                s += 1;
                if s == cuts.len() {
                    return Ok(());
                }
            }
        }
    })
}

/// Reads records in order, each handed to the table, until the reader stops exactly at a cut
/// (its index) or the text ends (`None`). A cut that a record runs across is passed over.
fn in_order(
    rows: &mut Rows,
    table: &mut Table,
    sink: &mut dyn RowSink,
    name: &str,
    cuts: &[usize],
    next: &mut usize,
) -> Result<Option<usize>, IngestError> {
    let mut record = csv::StringRecord::new();
    while let Some(line) = rows.next(&mut record).map_err(|e| csv_error(name, e))? {
        emit(table, sink, line, &record)?;
        let after = rows.after();
        while *next < cuts.len() && after > cuts[*next] {
            *next += 1;
        }
        if *next < cuts.len() && after + 1 >= cuts[*next] {
            *next += 1;
            return Ok(Some(*next - 1));
        }
    }
    Ok(None)
}

/// Where stretches start: about `size` apart after `from`, each at the start of a line that is
/// not blank and follows a line that is not blank (so that, when a record ends there, the
/// reader stops exactly there).
fn cuts(bytes: &[u8], from: usize, size: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = from.saturating_add(size);
    while at < bytes.len() {
        let Some(nl) = bytes[at..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let p = at + nl + 1;
        if p >= bytes.len() {
            break;
        }
        let blank_before = p < 3
            || bytes[p - 2] == b'\n'
            || (bytes[p - 2] == b'\r' && matches!(bytes[p - 3], b'\n' | b'\r'));
        if blank_before || matches!(bytes[p], b'\n' | b'\r') {
            at = p;
            continue;
        }
        out.push(p);
        at = p.saturating_add(size);
    }
    out
}

/// What reading one stretch gave.
struct Stretch<P> {
    /// `None` when the reading failed (the stretch is read again in order).
    part: Option<P>,
    result: Result<(), IngestError>,
    /// It ended exactly at the next cut (or the end of the text).
    exact: bool,
    /// Where its last record's content ended (in the whole text), and that record's row number
    /// within the stretch.
    end: usize,
    rows: u32,
}

impl<P> Stretch<P> {
    fn failed() -> Stretch<P> {
        Stretch {
            part: None,
            result: Ok(()),
            exact: false,
            end: 0,
            rows: 0,
        }
    }
}

/// Reads the records from `from` (a line start) into `part`, stopping at the cut `to` (or the
/// end of the text): a record that would run past it is left for a reading in order.
fn read_stretch<P: RowSink>(
    bytes: &[u8],
    delimiter: u8,
    name: &str,
    from: usize,
    to: Option<usize>,
    table: &Table,
    mut part: P,
) -> Stretch<P> {
    let mut table = table.clone();
    let mut rows = Rows::at(bytes, from, 0, delimiter);
    let mut record = csv::StringRecord::new();
    let mut exact = false;
    let result = loop {
        let before = (rows.end, rows.row);
        match rows.next(&mut record) {
            Err(e) => break Err(csv_error(name, e)),
            Ok(None) => {
                exact = true;
                break Ok(());
            }
            Ok(Some(line)) => {
                let after = rows.after();
                if to.is_some_and(|to| after > to) {
                    (rows.end, rows.row) = before;
                    break Ok(());
                }
                if let Err(e) = emit(&mut table, &mut part, line, &record) {
                    break Err(e);
                }
                // At a cut (just after a line break) the reader stops on it, or inside it
                // after the CR of a CRLF.
                if to.is_some_and(|to| after + 1 >= to) {
                    exact = true;
                    break Ok(());
                }
            }
        }
    };
    Stretch {
        part: Some(part),
        result,
        exact,
        end: rows.end(),
        rows: rows.row,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_at_starts_of_lines_after_lines() {
        let text = b"h\na\nb\n\nc\r\nd\r\n\r\ne\nf";
        // After every byte: only starts of non-blank lines after non-blank lines.
        let all: Vec<usize> = cuts(text, 0, 1);
        for &p in &all {
            assert_eq!(text[p - 1], b'\n');
            assert!(!matches!(text[p], b'\n' | b'\r'));
        }
        assert_eq!(all, [4, 10, 17]);
        assert!(cuts(text, 0, 100).is_empty());
    }
}
