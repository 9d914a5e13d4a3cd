//! Cases from rows: typed values (dates, category values) from cells, rows joined into cases by
//! case reference, conflicts and unreadable cells listed as data-quality problems, and the
//! reconciliation that proves no row was lost (rows read = used + set aside + blank).
//!
//! Over 500 lines on purpose: reading rows into cases (rows of one case merged, conflicts,
//! reconciliation, every data-quality problem) is one pass over the sources; its helpers are in
//! cases/{dates,values,inspect}.rs.

pub mod dates;
pub mod inspect;
pub mod values;

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::fields::{self, FieldId, Kind, Schema};
use crate::ingest::{Cell, RowSink, SourceSpec, TableInfo, Target};

/// The longest case reference accepted; a longer one is a data-quality problem.
pub const MAX_CASE_REF_CHARS: usize = 100;

/// A field's value in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Value {
    #[default]
    Blank,
    Date(NaiveDate),
    /// Index into the field's canonical values.
    Cat(u8),
    /// Present but unreadable (listed as a problem).
    Invalid,
    /// Rows of the case disagree (listed as a problem).
    Conflict,
    /// The log has no column for the field at all: it says nothing (a blank cell says "not
    /// done"), so duties that need it are unknown.
    Absent,
}

/// A [`Value`] in four bytes, as a case keeps it (one per schema field: a million cases of 25
/// fields hold 100 MB of them, not 200): the low three bits say which kind, the rest are a
/// date's day number (from 1 January of year 1, as [`chrono::Datelike::num_days_from_ce`]; every date
/// chrono can hold fits) or a category's index.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Packed(u32);

impl From<Value> for Packed {
    fn from(v: Value) -> Packed {
        Packed(match v {
            Value::Blank => 0,
            Value::Date(d) => 1 | ((d.num_days_from_ce() as u32) << 3),
            Value::Cat(c) => 2 | ((c as u32) << 3),
            Value::Invalid => 3,
            Value::Conflict => 4,
            Value::Absent => 5,
        })
    }
}

impl Packed {
    /// The value.
    pub fn get(self) -> Value {
        match self.0 & 7 {
            0 => Value::Blank,
            // The arithmetic shift gives back the sign of a day number before year 1.
            1 => NaiveDate::from_num_days_from_ce_opt((self.0 as i32) >> 3)
                .map_or(Value::Invalid, Value::Date),
            2 => Value::Cat((self.0 >> 3) as u8),
            3 => Value::Invalid,
            4 => Value::Conflict,
            _ => Value::Absent,
        }
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// Where a row came from: a table (file and sheet) and its 1-based row number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRef {
    pub table: u32,
    pub row: u32,
}

/// One case: a serious incident, from one or more rows.
#[derive(Debug, Clone)]
pub struct Case {
    pub case_ref: Box<str>,
    pub local_authority: Option<Arc<str>>,
    pub child_id: Option<Box<str>>,
    pub reviewer: Option<Box<str>>,
    /// One per schema field (text fields stay `Blank` here); read by [`Case::value`].
    pub values: Box<[Packed]>,
    /// The first row it was read from.
    pub first_row: RowRef,
    /// How many rows it was read from.
    pub rows: u32,
    /// A referral of a referral export (`referral:<ID>`), not a case of the log.
    pub referral: bool,
}

impl Case {
    pub fn value(&self, f: FieldId) -> Value {
        self.values.get(f.index()).map_or(Value::Blank, |v| v.get())
    }

    /// A date field's date, if it holds one.
    pub fn date(&self, f: FieldId) -> Option<NaiveDate> {
        match self.value(f) {
            Value::Date(d) => Some(d),
            _ => None,
        }
    }
}

/// What kind of data-quality problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A whole row was not used.
    SetAside,
    /// A cell could not be read; the row was used.
    BadValue,
    /// Two rows of a case disagree.
    Conflict,
}

impl ProblemKind {
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::SetAside => "row set aside",
            ProblemKind::BadValue => "unreadable value",
            ProblemKind::Conflict => "conflicting rows",
        }
    }
}

/// A data-quality problem, located by file, sheet, row and column. Never holds cell text that
/// could be personal data.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub at: Option<RowRef>,
    pub field: Option<FieldId>,
    pub case_ref: Option<String>,
    pub message: String,
}

/// Every row read is used, set aside or blank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciliation {
    pub rows_read: usize,
    pub used: usize,
    pub set_aside: usize,
    pub blank: usize,
}

impl Reconciliation {
    pub fn balances(&self) -> bool {
        self.rows_read == self.used + self.set_aside + self.blank
    }
}

impl std::fmt::Display for Reconciliation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rows read {} = used {} + set aside {} + blank {}",
            self.rows_read, self.used, self.set_aside, self.blank
        )
    }
}

/// The cases of a run and everything learnt while building them.
#[derive(Debug, Clone, Default)]
pub struct CaseSet {
    pub cases: Vec<Case>,
    pub tables: Vec<TableInfo>,
    pub problems: Vec<Problem>,
    pub reconciliation: Reconciliation,
    /// What the readers did that the user must be told: hidden sheets left out, header rows
    /// repeated. File, sheet and row only, never cell contents.
    pub notices: Vec<String>,
}

impl CaseSet {
    /// "file, sheet `S`, row 12, column F (Date LA became aware)"
    pub fn locate(&self, at: Option<RowRef>, field: Option<FieldId>, schema: &Schema) -> String {
        let Some(at) = at else {
            return String::new();
        };
        let Some(t) = self.tables.get(at.table as usize) else {
            return format!("row {}", at.row);
        };
        let mut s = t.file.clone();
        if let Some(sheet) = &t.sheet {
            s.push_str(&format!(", sheet `{sheet}`"));
        }
        s.push_str(&format!(", row {}", at.row));
        if let Some(f) = field {
            match t.columns.get(f.index()).and_then(|c| c.as_ref()) {
                Some(c) => s.push_str(&format!(", column {} ({})", c.letter(), c.label)),
                None => s.push_str(&format!(", {}", schema.label(f))),
            }
        }
        s
    }

    /// The file, sheet, row and column text of a problem, as separate parts for tables.
    pub fn parts(&self, at: Option<RowRef>, field: Option<FieldId>) -> LocationParts {
        let mut p = LocationParts::default();
        if let Some(at) = at {
            p.row = Some(at.row);
            if let Some(t) = self.tables.get(at.table as usize) {
                p.file = t.file.clone();
                p.sheet = t.sheet.clone().unwrap_or_default();
                if let Some(f) = field {
                    if let Some(Some(c)) = t.columns.get(f.index()) {
                        p.column = format!("{} ({})", c.letter(), c.label);
                    }
                }
            }
        }
        p
    }
}

/// A location split into parts.
#[derive(Debug, Clone, Default)]
pub struct LocationParts {
    pub file: String,
    pub sheet: String,
    pub row: Option<u32>,
    pub column: String,
}

/// The targets an incident log's reader looks for: one per schema field, in schema order, with
/// the canonical label, aliases and field name, or only the configured label when one is given.
pub fn targets(schema: &Schema, spec: &SourceSpec) -> Vec<Target> {
    schema
        .ids()
        .map(|id| {
            let def = schema.def(id);
            let required = id == fields::CASE_REF || id == fields::AWARE_DATE;
            let mut t = Target::new(&def.name, &[def.label.as_str()], required);
            match spec.columns.get(&def.name) {
                Some(label) => t.only_label(label),
                None => {
                    t.add_label(&def.name);
                    for a in &def.aliases {
                        t.add_label(a);
                    }
                }
            }
            t
        })
        .collect()
}

/// Builds cases from rows as the reader hands them over (an [`crate::ingest::RowSink`]): each row is
/// read into values by a [`RowReader`] (on this thread, or for a big CSV file on several: see
/// [`crate::ingest::ParallelSink`]) and then joined to its case, in row order.
pub struct CaseBuilder<'s> {
    schema: &'s Schema,
    as_of: NaiveDate,
    reader: RowReader<'s>,
    /// Case numbers, found by hashing their case reference (held once, in the case).
    index: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    out: CaseSet,
    /// Stretches read on other threads and taken in (the tests check that they were).
    #[cfg(test)]
    stretches: usize,
}

/// The most distinct texts of one category column remembered (a column of free text in place of
/// the council's words is read cell by cell beyond this).
const CATEGORY_MEMO: usize = 4096;

/// Reads one row's cells into values: dates, the council's words, the text fields, and the
/// problems of its cells. Needs nothing from other rows, so a copy can read rows on another
/// thread; what it has learnt (category texts already matched) only saves time.
#[derive(Clone)]
pub struct RowReader<'s> {
    schema: &'s Schema,
    /// The latest date a cell can plausibly hold ([`dates::latest_plausible`]).
    latest: NaiveDate,
    /// Per source: per field, the council's words (normalised) -> canonical value index.
    value_maps: Arc<Vec<Vec<HashMap<String, u8>>>>,
    date1904: Arc<[bool]>,
    /// Per source: per field, what each category text read as (a log repeats a handful of
    /// words down hundreds of thousands of rows: each is matched once).
    categories: Vec<Vec<hashbrown::HashMap<String, Option<u8>>>>,
    /// Per table: its source, and per field whether the table has no column for it.
    tables: Vec<(usize, Vec<bool>)>,
    /// The local authorities' names read so far, each held once.
    authorities: hashbrown::HashMap<Box<str>, Arc<str>>,
}

/// One row read by a [`RowReader`], not yet joined to its case.
#[derive(Debug)]
pub struct RowRead {
    at: RowRef,
    what: Read,
    /// Its cells' problems (or why it was set aside), in column order.
    problems: Vec<Problem>,
}

#[derive(Debug)]
enum Read {
    Blank,
    SetAside,
    /// In the very allocations the case keeps (made on the reading thread, moved to the
    /// case), so that joining a row to a new case copies nothing.
    Used {
        case_ref: Box<str>,
        values: Box<[Packed]>,
        la: Option<Arc<str>>,
        child_id: Option<Box<str>>,
        reviewer: Option<Box<str>>,
    },
}

impl RowRead {
    /// Row numbers moved on by `rows` (a stretch of a file read on its own thread numbers its
    /// rows from 1).
    fn shift(&mut self, rows: u32) {
        self.at.row += rows;
        for p in &mut self.problems {
            if let Some(at) = &mut p.at {
                at.row += rows;
            }
        }
    }
}

impl<'s> CaseBuilder<'s> {
    /// `sources` are the specs whose index each table's `source` refers to. Returns an error
    /// message (naming the key) if a configured value mapping names an unknown field or value.
    pub fn new(
        schema: &'s Schema,
        sources: &[SourceSpec],
        as_of: NaiveDate,
    ) -> Result<CaseBuilder<'s>, String> {
        let mut value_maps = Vec::new();
        for spec in sources {
            value_maps.push(values::resolve_value_map(schema, &spec.values)?);
        }
        Ok(CaseBuilder {
            schema,
            as_of,
            reader: RowReader {
                schema,
                latest: dates::latest_plausible(as_of),
                value_maps: Arc::new(value_maps),
                date1904: sources.iter().map(|s| s.date1904).collect(),
                categories: vec![vec![Default::default(); schema.len()]; sources.len()],
                tables: Vec::new(),
                authorities: Default::default(),
            },
            index: hashbrown::HashTable::new(),
            hasher: Default::default(),
            out: CaseSet::default(),
            #[cfg(test)]
            stretches: 0,
        })
    }

    fn problem(
        &mut self,
        kind: ProblemKind,
        at: RowRef,
        field: Option<FieldId>,
        case_ref: Option<&str>,
        message: String,
    ) {
        self.out.problems.push(Problem {
            kind,
            at: Some(at),
            field,
            case_ref: case_ref.map(str::to_string),
            message,
        });
    }

    /// Finishes: sets aside cases not yet known at the as-of date and checks the reconciliation.
    pub fn finish(mut self) -> CaseSet {
        let as_of = self.as_of;
        // In place: a million cases are not copied to a second table to drop a few.
        let CaseSet {
            cases,
            problems,
            reconciliation,
            ..
        } = &mut self.out;
        cases.retain(|case| {
            let known_from = case
                .date(fields::AWARE_DATE)
                .or_else(|| case.date(fields::INCIDENT_DATE));
            match known_from {
                Some(d) if d > as_of => {
                    reconciliation.used -= case.rows as usize;
                    reconciliation.set_aside += case.rows as usize;
                    problems.push(Problem {
                        kind: ProblemKind::SetAside,
                        at: Some(case.first_row),
                        field: Some(fields::AWARE_DATE),
                        case_ref: Some(case.case_ref.to_string()),
                        message: format!(
                            "the LA became aware on {} (after the as-of date {}): not yet known on that date",
                            d.format("%d/%m/%Y"),
                            as_of.format("%d/%m/%Y")
                        ),
                    });
                    false
                }
                _ => true,
            }
        });
        debug_assert!(self.out.reconciliation.balances());
        self.out
    }

    fn merge_text<T: AsRef<str> + From<Box<str>>>(
        slot: &mut Option<T>,
        new: Option<Box<str>>,
    ) -> bool {
        match (slot.as_ref(), new) {
            (_, None) => true,
            (None, Some(n)) => {
                *slot = Some(T::from(n));
                true
            }
            (Some(old), Some(n)) => old.as_ref() == &*n,
        }
    }

    /// Joins a row read to its case (a new case, or merged into the one of its reference).
    fn join(&mut self, r: RowRead) {
        let rec = &mut self.out.reconciliation;
        rec.rows_read += 1;
        match &r.what {
            Read::Blank => rec.blank += 1,
            Read::SetAside => rec.set_aside += 1,
            Read::Used { .. } => rec.used += 1,
        }
        self.out.problems.extend(r.problems);
        let Read::Used {
            case_ref,
            values,
            la,
            child_id,
            reviewer,
        } = r.what
        else {
            return;
        };
        let at = r.at;
        // One hash per row: the entry is looked up and, for a new case, filled in one go.
        let next = self.out.cases.len() as u32;
        let (index, hasher, cases) = (&mut self.index, &self.hasher, &self.out.cases);
        let found = match index.entry(
            hasher.hash_one(&*case_ref),
            |&i| cases[i as usize].case_ref == case_ref,
            |&i| hasher.hash_one(&*cases[i as usize].case_ref),
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => Some(*e.get()),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(next);
                None
            }
        };
        match found {
            None => {
                self.out.cases.push(Case {
                    case_ref,
                    local_authority: la,
                    child_id,
                    reviewer,
                    values,
                    first_row: at,
                    rows: 1,
                    referral: false,
                });
            }
            Some(i) => self.merge(i as usize, at, &values, la, child_id, reviewer, &case_ref),
        }
    }
}

impl<'s> RowReader<'s> {
    fn text_of(cell: &Cell) -> Option<String> {
        let s = match cell {
            Cell::Empty | Cell::Error => return None,
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n}"),
            Cell::DateTime(d) => d.date().format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => b.to_string(),
        };
        (!s.is_empty()).then_some(s)
    }

    /// The local authority's name in `cell`, held once however many rows name it.
    fn authority(&mut self, cell: &Cell) -> Option<Arc<str>> {
        if let Cell::Text(s) = cell {
            if let Some(a) = self.authorities.get(s.trim()) {
                return Some(a.clone());
            }
        }
        let name = Self::text_of(cell)?;
        let a: Arc<str> = Arc::from(name.as_str());
        if self.authorities.len() < CATEGORY_MEMO {
            self.authorities.insert(name.into_boxed_str(), a.clone());
        }
        Some(a)
    }

    /// A table begins (as [`RowSink::table`]).
    fn table(&mut self, info: &TableInfo) {
        // Per field: the table has no column for it (text fields are only ever blank).
        let absent = self
            .schema
            .ids()
            .map(|f| {
                self.schema.def(f).kind != Kind::Text
                    && !matches!(info.columns.get(f.index()), Some(Some(_)))
            })
            .collect();
        self.tables.push((info.source, absent));
    }

    /// Reads one row of `table` (as [`RowSink::row`]).
    pub fn read(&mut self, table: usize, row: u32, cells: &[Cell<'_>]) -> RowRead {
        let at = RowRef {
            table: table as u32,
            row,
        };
        let mut problems = Vec::new();
        let set_aside = |message: String, problems: Vec<Problem>| RowRead {
            at,
            what: Read::SetAside,
            problems: [
                problems,
                vec![Problem {
                    kind: ProblemKind::SetAside,
                    at: Some(at),
                    field: Some(fields::CASE_REF),
                    case_ref: None,
                    message,
                }],
            ]
            .concat(),
        };
        let cell = |f: FieldId| cells.get(f.index()).copied().unwrap_or(Cell::Empty);
        let Some(case_ref) = Self::text_of(&cell(fields::CASE_REF)) else {
            return set_aside(
                "no case reference: the row cannot be joined to a case".to_string(),
                problems,
            );
        };
        let length = case_ref.chars().count();
        if length > MAX_CASE_REF_CHARS {
            // Not a case reference but a cell of something else (or pasted text): it is not
            // copied into every report and the ledger, and it is not quoted.
            return set_aside(
                format!(
                    "the case reference is {length} characters long (at most {MAX_CASE_REF_CHARS}): the row cannot be joined to a case; correct it in the log"
                ),
                problems,
            );
        }
        let (source, absent) = match self.tables.get_mut(table) {
            Some((source, absent)) => (*source, std::mem::take(absent)),
            None => (0, Vec::new()),
        };
        let mut values = vec![Value::Blank; self.schema.len()];
        for f in self.schema.ids() {
            values[f.index()] = if absent.get(f.index()).copied().unwrap_or(false) {
                Value::Absent
            } else {
                let c = cell(f);
                self.read_value(source, f, &c, at, &case_ref, &mut problems)
            };
        }
        if let Some(t) = self.tables.get_mut(table) {
            t.1 = absent;
        }
        RowRead {
            at,
            what: Read::Used {
                la: self.authority(&cell(fields::LOCAL_AUTHORITY)),
                child_id: Self::text_of(&cell(fields::CHILD_ID)).map(String::into_boxed_str),
                reviewer: Self::text_of(&cell(fields::REVIEWER)).map(String::into_boxed_str),
                case_ref: case_ref.into_boxed_str(),
                values: values.into_iter().map(Packed::from).collect(),
            },
            problems,
        }
    }

    fn read_value(
        &mut self,
        source: usize,
        f: FieldId,
        cell: &Cell,
        at: RowRef,
        case_ref: &str,
        problems: &mut Vec<Problem>,
    ) -> Value {
        if cell.is_blank() {
            return Value::Blank;
        }
        let mut problem = |message: String| {
            problems.push(Problem {
                kind: ProblemKind::BadValue,
                at: Some(at),
                field: Some(f),
                case_ref: Some(case_ref.to_string()),
                message,
            });
            Value::Invalid
        };
        match &self.schema.def(f).kind {
            Kind::Text => Value::Blank,
            Kind::Date => {
                let date1904 = self.date1904.get(source).copied().unwrap_or(false);
                match dates::parse_cell(cell, date1904) {
                    Ok(None) => Value::Blank,
                    Ok(Some(d)) if dates::plausible(d, self.latest) => Value::Date(d),
                    Ok(Some(d)) => problem(format!(
                        "{}: {}, not plausible for this log",
                        self.schema.label(f),
                        dates::implausible_reason(d, self.latest)
                    )),
                    Err(e) => problem(format!("{}: {e}", self.schema.label(f))),
                }
            }
            Kind::Category(_) => {
                let map = self.value_maps.get(source).and_then(|m| m.get(f.index()));
                let memo = self
                    .categories
                    .get_mut(source)
                    .and_then(|m| m.get_mut(f.index()));
                let read = match (cell, memo) {
                    (Cell::Text(s), Some(memo)) => match memo.get::<str>(s) {
                        Some(&read) => read,
                        None => {
                            let read = values::category(self.schema, f, cell, map);
                            if memo.len() < CATEGORY_MEMO {
                                memo.insert(s.to_string(), read);
                            }
                            read
                        }
                    },
                    _ => values::category(self.schema, f, cell, map),
                };
                match read {
                    Some(i) => Value::Cat(i),
                    None => problem(format!(
                        "{}: {}, not one of the accepted words: {}. Add the council's word under [sources.values.{}] in the configuration",
                        self.schema.label(f),
                        describe_cell(cell),
                        values::accepted_words(self.schema, f, map),
                        self.schema.name(f)
                    )),
                }
            }
        }
    }
}

impl RowSink for CaseBuilder<'_> {
    fn table(&mut self, info: TableInfo) -> usize {
        self.reader.table(&info);
        self.out.tables.push(info);
        self.out.tables.len() - 1
    }

    fn blank(&mut self, table: usize, row: u32) {
        self.join(RowRead {
            at: RowRef {
                table: table as u32,
                row,
            },
            what: Read::Blank,
            problems: Vec::new(),
        });
    }

    fn notice(&mut self, text: String) {
        self.out.notices.push(text);
    }

    fn row(&mut self, table: usize, row: u32, cells: &[Cell<'_>]) {
        let r = self.reader.read(table, row, cells);
        self.join(r);
    }
}

/// A stretch of a file's rows read on another thread: the rows read, in order, and whether
/// anything besides rows happened (a header row again, a notice), which only a reading in
/// order can handle.
pub struct Stretch<'s> {
    reader: RowReader<'s>,
    rows: Vec<RowRead>,
    plain: bool,
}

impl RowSink for Stretch<'_> {
    fn table(&mut self, _info: TableInfo) -> usize {
        self.plain = false;
        0
    }

    fn blank(&mut self, table: usize, row: u32) {
        self.rows.push(RowRead {
            at: RowRef {
                table: table as u32,
                row,
            },
            what: Read::Blank,
            problems: Vec::new(),
        });
    }

    fn notice(&mut self, _text: String) {
        self.plain = false;
    }

    fn row(&mut self, table: usize, row: u32, cells: &[Cell<'_>]) {
        let r = self.reader.read(table, row, cells);
        self.rows.push(r);
    }
}

impl<'s> crate::ingest::ParallelSink for CaseBuilder<'s> {
    type Part = Stretch<'s>;

    fn part(&self, rows: usize) -> Stretch<'s> {
        Stretch {
            reader: self.reader.clone(),
            rows: Vec::with_capacity(rows),
            plain: true,
        }
    }

    fn plain(part: &Stretch<'s>) -> bool {
        part.plain
    }

    fn reserve(&mut self, rows: usize) {
        self.out
            .cases
            .reserve(rows.saturating_sub(self.out.cases.len()));
        self.index
            .reserve(rows.saturating_sub(self.index.len()), |&i| {
                self.hasher.hash_one(&*self.out.cases[i as usize].case_ref)
            });
    }

    fn take(&mut self, part: Stretch<'s>, rows_before: u32) {
        #[cfg(test)]
        {
            self.stretches += 1;
        }
        for mut r in part.rows {
            r.shift(rows_before);
            self.join(r);
        }
    }
}

impl CaseBuilder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn merge(
        &mut self,
        i: usize,
        at: RowRef,
        values: &[Packed],
        la: Option<Arc<str>>,
        child_id: Option<Box<str>>,
        reviewer: Option<Box<str>>,
        case_ref: &str,
    ) {
        let mut conflicts: Vec<(FieldId, String)> = Vec::new();
        let first_row;
        {
            let case = &mut self.out.cases[i];
            case.rows += 1;
            first_row = case.first_row;
            for f in self.schema.ids() {
                let old = case.values[f.index()].get();
                let new = values[f.index()].get();
                let merged = match (old, new) {
                    // A log without the column says nothing; one with it says more.
                    (a, Value::Absent) => a,
                    (Value::Absent, b) => b,
                    (a, Value::Blank) => a,
                    (Value::Blank, b) => b,
                    (Value::Conflict, _) => Value::Conflict,
                    (a, b) if a == b => a,
                    // An unreadable cell beside a good one: keep the good one (the bad cell is
                    // already listed).
                    (Value::Invalid, b) => b,
                    (a, Value::Invalid) => a,
                    (a, b) => {
                        conflicts.push((f, describe_pair(self.schema, f, a, b)));
                        Value::Conflict
                    }
                };
                case.values[f.index()] = merged.into();
            }
            if !Self::merge_text(&mut case.local_authority, la.map(|a| Box::from(&*a))) {
                conflicts.push((fields::LOCAL_AUTHORITY, "two different names".into()));
            }
            if !Self::merge_text(&mut case.child_id, child_id) {
                conflicts.push((fields::CHILD_ID, "two different child IDs".into()));
            }
            if !Self::merge_text(&mut case.reviewer, reviewer) {
                conflicts.push((fields::REVIEWER, "two different reviewers".into()));
            }
        }
        for (f, detail) in conflicts {
            let other = self.locate_short(first_row);
            let msg = format!(
                "{}: this row and {other} disagree ({detail}); duties that need it are unknown",
                self.schema.label(f)
            );
            self.problem(ProblemKind::Conflict, at, Some(f), Some(case_ref), msg);
        }
    }

    fn locate_short(&self, at: RowRef) -> String {
        match self.out.tables.get(at.table as usize) {
            Some(t) => match &t.sheet {
                Some(s) => format!("{}, sheet `{s}`, row {}", t.file, at.row),
                None => format!("{}, row {}", t.file, at.row),
            },
            None => format!("row {}", at.row),
        }
    }
}

/// What an unreadable cell looks like, never what it holds (it may be personal data: a name
/// or an NHS number typed into the wrong column).
pub fn describe_cell(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "a blank cell".to_string(),
        Cell::Error => "a spreadsheet error value".to_string(),
        Cell::Bool(_) => "a yes/no value".to_string(),
        Cell::DateTime(_) => "a date".to_string(),
        Cell::Number(n) => dates::describe_digits(&format!("{n}")),
        Cell::Text(s) => {
            let t = s.trim();
            if t.chars().all(|c| c.is_ascii_digit() || " .-".contains(c)) {
                dates::describe_digits(&t.replace([' ', '-'], ""))
            } else {
                let words = t.split_whitespace().count();
                format!(
                    "text of {words} word{}{}",
                    if words == 1 { "" } else { "s" },
                    if t.chars().any(|c| c.is_ascii_digit()) {
                        " with digits"
                    } else {
                        ""
                    }
                )
            }
        }
    }
}

fn describe_pair(schema: &Schema, f: FieldId, a: Value, b: Value) -> String {
    let show = |v: Value| match v {
        Value::Date(d) => d.format("%d/%m/%Y").to_string(),
        Value::Cat(i) => schema.category_value(f, i).to_string(),
        _ => "?".to_string(),
    };
    format!("{} here, {} there", show(b), show(a))
}

/// Reads every file of every source into one case set.
pub fn read_sources(
    schema: &Schema,
    sources: &[SourceSpec],
    as_of: NaiveDate,
) -> Result<CaseSet, ReadError> {
    let mut builder = CaseBuilder::new(schema, sources, as_of).map_err(ReadError::Config)?;
    for (i, spec) in sources.iter().enumerate() {
        if spec.kind != crate::ingest::SourceKind::IncidentLog {
            continue;
        }
        let targets = targets(schema, spec);
        for file in crate::ingest::expand(&spec.path)? {
            crate::ingest::read_file_parallel(&file, spec, i, &targets, &mut builder)?;
        }
    }
    Ok(builder.finish())
}

/// Why sources could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error("{0}")]
    Config(String),
}

#[cfg(test)]
mod tests;
