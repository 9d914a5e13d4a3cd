//! What every sheet shares: the formats, a row writer that keeps text as text and dates as
//! dates, the header of a table (an Excel table while it is small, an autofilter when large),
//! column widths, and the print setup.
//!
//! Over 500 lines on purpose: a row is written into the worksheet, only measured, or written
//! as XML ([`super::direct`]) by the one row writer here, and the three must agree cell for
//! cell, width for width and format for format, so they sit side by side.

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Table, TableColumn, TableStyle, Worksheet, XlsxError,
};

use super::direct::{Extent, Xml};
use crate::findings::Status;
use crate::pipeline::Audit;
use crate::report::digest::Digest;

/// Tables up to this many cells are Excel tables; larger ones get a plain autofilter (an
/// Excel table costs memory per cell while it is written).
const TABLE_MAX_CELLS: usize = 250_000;
/// The most data rows a sheet can hold under its header (Excel's limit is 1,048,576 rows).
pub const MAX_ROWS: usize = 1_048_000;
/// Header rows have room for two lines of wrapped text.
const HEADER_HEIGHT: f64 = 30.0;
/// The most rows a sheet can have and still wrap text.
pub const WRAP_MAX_ROWS: usize = 10_000;
/// Points per line of text.
const LINE_HEIGHT: f64 = 15.0;
/// The tallest a row is made, in lines.
const MAX_LINES: usize = 20;
/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// Everything a sheet helper needs.
pub struct Ctx<'a> {
    pub audit: &'a Audit,
    pub digest: &'a Digest,
    pub f: &'a Formats,
    pub layout: Layout,
}

/// Where the big sheets change how they are written (tests lower them to try both ways).
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// A sheet of more rows than this does not wrap text (10,000).
    pub wrap_rows: usize,
    /// A big sheet of more rows than this is written directly
    /// ([`super::direct::DIRECT_ROWS`]).
    pub direct_rows: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            wrap_rows: WRAP_MAX_ROWS,
            direct_rows: super::direct::DIRECT_ROWS,
        }
    }
}

impl Ctx<'_> {
    /// "23/11/2026"
    pub fn as_of_text(&self) -> String {
        self.audit.as_of.format("%d/%m/%Y").to_string()
    }
}

/// The formats of the workbook.
pub struct Formats {
    pub title: Format,
    /// The headline sentence under the title.
    pub headline: Format,
    pub note: Format,
    pub bold: Format,
    pub header: Format,
    pub group: Format,
    pub date: Format,
    pub pct: Format,
    pub int: Format,
    pub text: Format,
    pub wrap: Format,
    pub none: Format,
    pub green: Format,
    pub amber: Format,
    pub red: Format,
    pub grey: Format,
}

const GREEN: (u32, u32) = (0xC6EFCE, 0x006100);
const AMBER: (u32, u32) = (0xFFEB9C, 0x9C5700);
const RED: (u32, u32) = (0xFFC7CE, 0x9C0006);
const GREY: (u32, u32) = (0xD9D9D9, 0x404040);

/// Body cells align to the top, so a row with wrapped text reads as one row.
fn body() -> Format {
    Format::new().set_align(FormatAlign::Top)
}

fn fill((bg, fg): (u32, u32)) -> Format {
    body()
        .set_background_color(Color::RGB(bg))
        .set_font_color(Color::RGB(fg))
}

impl Formats {
    pub fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            headline: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_font_color(Color::RGB(0x1F3A5F)),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
            bold: body().set_bold(),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border_bottom(FormatBorder::Thin),
            group: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xB4C6E7))
                .set_border(FormatBorder::Thin),
            date: body()
                .set_num_format("dd/mm/yyyy")
                .set_align(FormatAlign::Left),
            pct: body().set_num_format("0%"),
            int: body().set_num_format("0").set_align(FormatAlign::Center),
            text: body(),
            wrap: body().set_text_wrap(),
            none: body().set_italic().set_font_color(Color::RGB(0x595959)),
            green: fill(GREEN),
            amber: fill(AMBER),
            red: fill(RED),
            grey: fill(GREY),
        }
    }

    /// Every format, to register with the workbook before sheets are filled in parallel (a
    /// new field fails to compile here until it is listed).
    pub fn all(&self) -> [&Format; 16] {
        let Formats {
            title,
            headline,
            note,
            bold,
            header,
            group,
            date,
            pct,
            int,
            text,
            wrap,
            none,
            green,
            amber,
            red,
            grey,
        } = self;
        [
            title, headline, note, bold, header, group, date, pct, int, text, wrap, none, green,
            amber, red, grey,
        ]
    }

    /// The colour of a status: met green, breaches red, pending amber, unknown grey,
    /// not applicable plain.
    pub fn status(&self, s: Status) -> &Format {
        match s {
            Status::Met => &self.green,
            Status::Late | Status::Overdue | Status::Early => &self.red,
            Status::Pending => &self.amber,
            Status::Unknown => &self.grey,
            Status::NotApplicable => &self.text,
        }
    }
}

/// One cell's value.
#[derive(Debug, Clone, Copy)]
pub enum V<'a> {
    /// Text, always written as text (never a formula).
    S(&'a str),
    /// Text that wraps (long titles and sources).
    W(&'a str),
    /// Bold text.
    B(&'a str),
    /// A date cell (blank when none).
    D(Option<NaiveDate>),
    /// A whole number (blank when none).
    N(Option<i64>),
    /// A fraction shown as a percentage (blank when none).
    P(Option<f64>),
    /// A status, colour-coded.
    St(Status),
}

/// How a big sheet's data rows are written ([`super::direct`]).
pub enum Pass {
    /// Into the worksheet.
    Sheet,
    /// Only measured (widths and extent), to be written directly later.
    Measure,
    /// Written directly, as XML (the second pass of a direct sheet).
    Emit(Box<Xml>),
}

impl Layout {
    /// Whether a big sheet of `rows` data rows is written directly.
    pub fn direct(&self, rows: usize) -> bool {
        rows > self.direct_rows
    }

    /// Whether a list of `rows` rows wraps its text.
    pub fn wraps(&self, rows: usize) -> bool {
        rows <= self.wrap_rows
    }
}

/// What a big sheet's pass did.
pub enum Done {
    /// Its rows are in the worksheet.
    Sheet,
    /// Its rows were measured, to be written directly: where its cells end.
    Direct(Extent),
    /// Its rows were written directly.
    Emitted(Box<Xml>),
}

/// A number cell's value: a date (written as Excel's serial number), a whole number or a
/// fraction.
#[derive(Clone, Copy)]
enum Num {
    Date(NaiveDate),
    Whole(i64),
    Fraction(f64),
}

impl Num {
    /// The number the cell holds.
    fn value(self) -> f64 {
        match self {
            Num::Date(d) => excel_date(d),
            Num::Whole(n) => n as f64,
            Num::Fraction(p) => p,
        }
    }
}

/// Where a [`Rows`] puts its cells.
enum Sink {
    Sheet,
    Measure(Extent),
    Xml(Box<Xml>),
}

/// Writes rows of cells to a worksheet from `row` down, tracking column widths.
pub struct Rows<'w, 'f> {
    pub ws: &'w mut Worksheet,
    f: &'f Formats,
    pub row: u32,
    sink: Sink,
    /// Per column, the widest text seen (characters).
    widths: Vec<usize>,
    /// Per column, a fixed width (wrapped text columns).
    fixed: Vec<Option<usize>>,
    /// Whether `V::W` text wraps (and its row is made tall enough).
    wrap: bool,
}

impl<'w, 'f> Rows<'w, 'f> {
    pub fn new(ws: &'w mut Worksheet, f: &'f Formats, row: u32) -> Self {
        Rows {
            ws,
            f,
            row,
            widths: Vec::new(),
            fixed: Vec::new(),
            wrap: true,
            sink: Sink::Sheet,
        }
    }

    /// Chooses where the data rows go (call after choosing whether text wraps).
    pub fn begin(&mut self, pass: Pass) {
        self.sink = match pass {
            Pass::Sheet => Sink::Sheet,
            Pass::Measure => Sink::Measure(Extent::default()),
            Pass::Emit(x) => Sink::Xml(x),
        };
    }

    /// What this pass did (call when every row is written).
    pub fn end(self) -> Result<Done, XlsxError> {
        Ok(match self.sink {
            Sink::Sheet => Done::Sheet,
            Sink::Measure(e) => Done::Direct(e),
            Sink::Xml(x) => Done::Emitted(x),
        })
    }

    /// A sheet of more than [`Layout::wrap_rows`] rows does not wrap text: a row's height
    /// is remembered until the workbook is saved, so memory would grow with the rows.
    pub fn wrap_unless_over(&mut self, rows: usize, layout: &Layout) {
        self.wrap = layout.wraps(rows);
    }

    /// Rows stay one line high (`V::W` text does not wrap).
    pub fn no_wrap(&mut self) {
        self.wrap = false;
    }

    /// Gives columns a fixed width: `(column, width)`. Wrapped text (`V::W`) in them makes the
    /// row as tall as its lines need.
    pub fn fix(&mut self, widths: &[(u16, usize)]) {
        for &(col, w) in widths {
            let c = col as usize;
            if self.fixed.len() <= c {
                self.fixed.resize(c + 1, None);
            }
            self.fixed[c] = Some(w);
        }
    }

    fn fixed_width(&self, col: u16) -> usize {
        self.fixed
            .get(col as usize)
            .copied()
            .flatten()
            .unwrap_or(MAX_WIDTH)
    }

    fn see(&mut self, col: u16, chars: usize) {
        let c = col as usize;
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(chars);
    }

    /// Writes one row of cells from column 0 and moves to the next row.
    pub fn put(&mut self, cells: &[V]) -> Result<(), XlsxError> {
        if self.wrap && matches!(self.sink, Sink::Xml(_)) {
            // Written directly, a row's height goes before its cells.
            let (lines, row) = (self.wrapped(cells), self.row);
            if let (Sink::Xml(x), true) = (&mut self.sink, lines > 1) {
                x.height(row, LINE_HEIGHT * lines as f64)?;
            }
        }
        let mut lines = 1;
        for (c, v) in cells.iter().enumerate() {
            self.cell(c as u16, *v)?;
            if let (V::W(s), true) = (v, self.wrap) {
                lines = lines.max(wrapped_lines(s, self.fixed_width(c as u16)));
            }
        }
        if lines > 1 && matches!(self.sink, Sink::Sheet) {
            self.ws
                .set_row_height(self.row, LINE_HEIGHT * lines as f64)?;
        }
        self.row += 1;
        Ok(())
    }

    /// The lines the tallest wrapped cell of a row takes.
    fn wrapped(&self, cells: &[V]) -> usize {
        cells
            .iter()
            .enumerate()
            .filter_map(|(c, v)| match v {
                V::W(s) => Some(wrapped_lines(s, self.fixed_width(c as u16))),
                _ => None,
            })
            .max()
            .unwrap_or(1)
    }

    /// Writes one cell of the current row: its value and format chosen once, its width
    /// measured, then put where the rows go ([`Sink`]).
    pub fn cell(&mut self, col: u16, v: V) -> Result<(), XlsxError> {
        let f = self.f;
        let (text, format): (&str, &Format) = match v {
            V::W(s) if self.wrap => (s, &f.wrap),
            V::S(s) | V::W(s) => (s, &f.text),
            V::B(s) => (s, &f.bold),
            V::St(s) => (s.label(), f.status(s)),
            V::D(Some(d)) => {
                self.see(col, 10);
                return self.number(col, Num::Date(d), &f.date);
            }
            V::N(Some(n)) => {
                self.see(col, digits(n));
                return self.number(col, Num::Whole(n), &f.int);
            }
            V::P(Some(p)) => {
                self.see(col, 4);
                return self.number(col, Num::Fraction(p), &f.pct);
            }
            V::D(None) | V::N(None) | V::P(None) => return Ok(()),
        };
        self.string(col, text, format)
    }

    fn number(&mut self, col: u16, n: Num, format: &Format) -> Result<(), XlsxError> {
        let row = self.row;
        match &mut self.sink {
            Sink::Sheet => {
                match n {
                    Num::Date(d) => self.ws.write_datetime_with_format(row, col, d, format)?,
                    Num::Whole(n) => self
                        .ws
                        .write_number_with_format(row, col, n as f64, format)?,
                    Num::Fraction(p) => self.ws.write_number_with_format(row, col, p, format)?,
                };
            }
            Sink::Measure(e) => e.see(row, col),
            Sink::Xml(x) => {
                let xf = x.xf().of(format);
                x.number(row, col, n.value(), xf)?;
            }
        }
        Ok(())
    }

    /// A text cell, measured (empty text writes nothing; text Excel cannot hold is clipped).
    fn string(&mut self, col: u16, s: &str, format: &Format) -> Result<(), XlsxError> {
        if s.is_empty() {
            return Ok(());
        }
        let s = clip(s);
        // A string no longer in bytes than the widest seen is no wider in characters.
        if self.widths.get(col as usize).is_none_or(|&w| s.len() > w) {
            self.see(col, s.chars().count());
        }
        self.text(col, s, format)
    }

    /// Puts text in the current row, unmeasured. Rows one line high write plain text with no
    /// format (no alignment needed, and no format lookup per cell).
    fn text(&mut self, col: u16, s: &str, format: &Format) -> Result<(), XlsxError> {
        let row = self.row;
        let plain = !self.wrap && std::ptr::eq(format, &self.f.text);
        match &mut self.sink {
            Sink::Sheet if plain => {
                self.ws.write_string(row, col, s)?;
            }
            Sink::Sheet => {
                self.ws.write_string_with_format(row, col, s, format)?;
            }
            Sink::Measure(e) => e.see(row, col),
            Sink::Xml(x) => {
                let xf = if plain { 0 } else { x.xf().of(format) };
                x.string(row, col, s, xf)?;
            }
        }
        Ok(())
    }

    /// A note in the first column of the current row (its own format), not measured.
    pub fn note(&mut self, text: &str, format: &Format) -> Result<(), XlsxError> {
        self.text(0, clip(text), format)
    }

    /// Sets each column's width from what was written (at least `min`, at most 60).
    /// Fixed columns keep their width.
    pub fn fit_columns(&mut self, min: &[usize]) -> Result<(), XlsxError> {
        let n = self.widths.len().max(min.len()).max(self.fixed.len());
        for c in 0..n {
            let seen = self.widths.get(c).copied().unwrap_or(0);
            let floor = min.get(c).copied().unwrap_or(8);
            let w = match self.fixed.get(c).copied().flatten() {
                Some(w) => w,
                None => (seen + 2).clamp(floor, MAX_WIDTH.max(floor)),
            };
            self.ws.set_column_width(c as u16, w as f64)?;
        }
        Ok(())
    }
}

/// A date as Excel's serial number, as rust_xlsxwriter converts it (days from 31 December
/// 1899, plus one after 28 February 1900 for Excel's 29 February 1900).
fn excel_date(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 31).unwrap_or(NaiveDate::MIN);
    let days = (d - epoch).num_days() as f64;
    if days > 59.0 {
        days + 1.0
    } else {
        days
    }
}

/// Characters `n` takes written out (with its minus sign).
fn digits(n: i64) -> usize {
    let sign = usize::from(n < 0);
    let mut m = n.unsigned_abs();
    let mut d = 1;
    while m >= 10 {
        m /= 10;
        d += 1;
    }
    sign + d
}

/// How many lines `s` takes when word-wrapped in a column `width` characters wide. A width
/// counts the widest digits; ordinary text fits about 20% more characters.
fn wrapped_lines(s: &str, width: usize) -> usize {
    let width = (width * 6 / 5).saturating_sub(1).max(1);
    let mut lines = 0;
    for para in s.split('\n') {
        let (mut line, mut used) = (1, 0);
        for word in para.split_whitespace() {
            let n = word.chars().count();
            if used > 0 && used + 1 + n > width {
                line += 1;
                used = 0;
            }
            used += n + usize::from(used > 0);
            while used > width {
                line += 1;
                used -= width;
            }
        }
        lines += line;
    }
    lines.clamp(1, MAX_LINES)
}

/// Excel holds at most 32,767 characters in a cell.
fn clip(s: &str) -> &str {
    if s.len() <= 32_000 {
        return s;
    }
    match s.char_indices().nth(32_000) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A table to start: its name, headers, the row of the header and how many data rows follow.
pub struct TableSpec<'a> {
    pub name: &'a str,
    pub headers: &'a [String],
    pub row: u32,
    pub first_col: u16,
    pub rows: usize,
    /// What the single row says when there are no rows ("None").
    pub empty: &'a str,
    /// An Excel table while small (false: always a plain autofilter, e.g. repeated headers).
    pub excel_table: bool,
}

/// Writes a table's header row (an Excel table when small, an autofilter when large) and,
/// when it has no rows, its "None" row. Returns the first data row. Call before writing the
/// rows (constant-memory sheets are written in row order).
pub fn start_table(ws: &mut Worksheet, f: &Formats, t: &TableSpec) -> Result<u32, XlsxError> {
    let n = t.rows.clamp(1, MAX_ROWS) as u32;
    let last_col = t.first_col + t.headers.len() as u16 - 1;
    ws.set_row_height(t.row, HEADER_HEIGHT)?;
    if t.excel_table && t.headers.len() * n as usize <= TABLE_MAX_CELLS {
        let columns: Vec<TableColumn> = t
            .headers
            .iter()
            .map(|h| {
                TableColumn::new()
                    .set_header(h.as_str())
                    .set_header_format(&f.header)
            })
            .collect();
        let table = Table::new()
            .set_name(t.name)
            .set_style(TableStyle::Light1)
            .set_columns(&columns);
        ws.add_table(t.row, t.first_col, t.row + n, last_col, &table)?;
    } else {
        for (i, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(t.row, t.first_col + i as u16, h, &f.header)?;
        }
        ws.autofilter(t.row, t.first_col, t.row + n, last_col)?;
    }
    if t.rows == 0 {
        ws.write_string_with_format(t.row + 1, t.first_col, t.empty, &f.none)?;
    }
    Ok(t.row + 1)
}

/// Headers as owned strings.
pub fn headers(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

/// Landscape, one page wide, header rows repeated, "As of" and page numbers in the footer;
/// the header rows (and `cols` columns) frozen.
pub fn page_setup(
    ws: &mut Worksheet,
    ctx: &Ctx,
    name: &str,
    header_rows: u32,
    cols: u16,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_header(format!(
        "&L&\"-,Bold\"{name}&RSerious child safeguarding incidents: compliance"
    ));
    ws.set_footer(format!(
        "&LAs of {}&CPage &P of &N&Rsafeguard-audit",
        ctx.as_of_text()
    ));
    if header_rows > 0 {
        ws.set_repeat_rows(0, header_rows - 1)?;
        ws.set_freeze_panes(header_rows, cols)?;
    }
    Ok(())
}

/// Rows that do not fit on a sheet: a closing note pointing to the findings file.
pub fn overflow_note(rows: &mut Rows, f: &Formats, total: usize) -> Result<(), XlsxError> {
    if total > MAX_ROWS {
        let note = format!(
            "{} more rows do not fit on this sheet: see the findings file",
            total - MAX_ROWS
        );
        rows.note(&note, &f.note)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn digits_as_written() {
        for n in [0i64, 7, -7, 10, -10, 99, 100, -12345, i64::MAX, i64::MIN] {
            assert_eq!(super::digits(n), n.to_string().len(), "{n}");
        }
    }
}
