//! How the tool reads a log, before any audit (`inspect`): the sheets (hidden ones marked), the
//! header row found, each column and the field it matched, the values of every category column
//! and what each becomes, and counts of readable and unreadable dates. Counts and vocabulary
//! only: never a cell's contents (a word is shown only when it looks like a code, not like a
//! name or a number). Also writes a starting configuration from what it could infer.
//!
//! Over 500 lines on purpose: `inspect` reports every part of how a log is read (sheets, header
//! row, columns, category values, date counts) and writes the starting configuration from the
//! same analysis.

use std::collections::HashMap;
use std::path::Path;

use crate::fields::{normalise_label, normalise_value, FieldId, Kind, Schema};
use crate::ingest::{self, Cell, IngestError, RowSink, SourceSpec, TableInfo};

use super::{dates, values};

/// How a field's column was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// The template's label or an alias the reader always recognises.
    Recognised,
    /// The configuration names it.
    Configured,
    /// A header label the council words file proposes.
    CouncilWords,
    /// The nearest header: a guess to check.
    Guessed,
}

/// One header cell.
#[derive(Debug, Clone)]
pub struct ColumnReport {
    pub letter: String,
    pub label: String,
    pub field: Option<(String, Found)>,
    /// For a column no field matched: the fields whose labels are nearest.
    pub nearest: Vec<String>,
}

/// One distinct value of a category column.
#[derive(Debug, Clone)]
pub struct ValueReport {
    pub word: String,
    pub cells: usize,
    /// The canonical value it becomes.
    pub becomes: Option<String>,
    /// For a word it cannot read: the canonical value it most looks like.
    pub guess: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CategoryReport {
    pub field: String,
    pub column: String,
    pub values: Vec<ValueReport>,
    /// Cells holding words not shown (long, or with digits: they may be personal data).
    pub not_shown: usize,
    pub not_shown_distinct: usize,
    pub accepted: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DateReport {
    pub field: String,
    pub column: String,
    pub readable: usize,
    pub unreadable: usize,
    pub blank: usize,
}

/// One table (a CSV file or a sheet).
#[derive(Debug, Clone)]
pub struct TableReport {
    pub table: String,
    pub sheet: Option<String>,
    pub header_row: u32,
    pub rows: usize,
    pub blank_rows: usize,
    pub columns: Vec<ColumnReport>,
    /// Fields without a column (name, template label).
    pub not_found: Vec<(String, String)>,
    pub categories: Vec<CategoryReport>,
    pub dates: Vec<DateReport>,
}

/// What `inspect` found.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub file: String,
    /// A workbook's sheets and how each is shown (empty for CSV).
    pub sheets: Vec<(String, &'static str)>,
    pub tables: Vec<TableReport>,
    pub notices: Vec<String>,
    /// Configured labels the log does not have: (field, label, nearest headers).
    pub configured_missing: Vec<(String, String, Vec<String>)>,
}

#[derive(Default)]
struct Stats {
    rows: usize,
    blank: usize,
    /// Per field: normalised word -> (word as first written, cells).
    words: Vec<HashMap<String, (String, usize)>>,
    /// Per field: readable, unreadable, blank.
    dates: Vec<(usize, usize, usize)>,
}

struct Sink<'a> {
    schema: &'a Schema,
    date1904: bool,
    tables: Vec<(TableInfo, Stats)>,
    notices: Vec<String>,
}

impl RowSink for Sink<'_> {
    fn table(&mut self, info: TableInfo) -> usize {
        let n = self.schema.len();
        self.tables.push((
            info,
            Stats {
                words: vec![HashMap::new(); n],
                dates: vec![(0, 0, 0); n],
                ..Default::default()
            },
        ));
        self.tables.len() - 1
    }
    fn row(&mut self, table: usize, _row: u32, cells: &[Cell<'_>]) {
        let Some((_, st)) = self.tables.get_mut(table) else {
            return;
        };
        st.rows += 1;
        for f in self.schema.ids() {
            let c = cells.get(f.index()).copied().unwrap_or(Cell::Empty);
            match self.schema.def(f).kind {
                Kind::Date => {
                    let d = &mut st.dates[f.index()];
                    match dates::parse_cell(&c, self.date1904) {
                        Ok(None) => d.2 += 1,
                        Ok(Some(_)) => d.0 += 1,
                        Err(_) => d.1 += 1,
                    }
                }
                Kind::Category(_) if !c.is_blank() => {
                    let word = match c {
                        Cell::Text(s) => s.trim().to_string(),
                        Cell::Bool(b) => b.to_string(),
                        other => super::describe_cell(&other),
                    };
                    let e = st.words[f.index()]
                        .entry(normalise_value(&word))
                        .or_insert((word, 0));
                    e.1 += 1;
                }
                _ => {}
            }
        }
    }
    fn blank(&mut self, table: usize, _row: u32) {
        if let Some((_, st)) = self.tables.get_mut(table) {
            st.blank += 1;
        }
    }
    fn notice(&mut self, text: String) {
        self.notices.push(text);
    }
}

/// A word that may be shown: short, a few words, no digits (codes like `LAC` or `Yes - known`,
/// not names, dates or NHS numbers).
fn showable(word: &str) -> bool {
    word.chars().count() <= 30
        && word.split_whitespace().count() <= 4
        && !word.chars().any(|c| c.is_ascii_digit() || c == '@')
}

/// The canonical value an unreadable word most looks like, if any is close.
fn guess_value(schema: &Schema, f: FieldId, word: &str) -> Option<String> {
    let Kind::Category(canon) = schema.def(f).kind else {
        return None;
    };
    let w = normalise_value(word);
    let mut candidates: Vec<(String, String)> = canon
        .iter()
        .map(|c| (normalise_value(c), c.to_string()))
        .collect();
    for (syn, c) in values::council_words(f) {
        candidates.push((normalise_value(&syn), c));
    }
    // A word that negates ("unknown", "not", "no ...") never guesses a value that does not,
    // nor the other way round: `unknown` is not `known`.
    let negative = |t: &str| {
        let first = t.split_whitespace().next().unwrap_or("");
        ["no", "not", "non", "none", "n"].contains(&first) || t.starts_with("un")
    };
    let mut best: Option<(f64, String)> = None;
    for (cand, value) in candidates {
        if negative(&w) != negative(&cand) {
            continue;
        }
        let mut score = strsim::jaro_winkler(&w, &cand);
        // An abbreviation (`Susp`, `Out of area`), or the value as a whole word of the word
        // (`Single agency learning`).
        let prefix = w.len() >= 3 && cand.starts_with(&w);
        let whole_word = cand.len() >= 4
            && w.split(|c: char| !c.is_alphanumeric())
                .collect::<Vec<_>>()
                .windows(cand.split_whitespace().count())
                .any(|ws| ws.join(" ") == cand);
        if prefix || whole_word {
            score = score.max(0.9);
        }
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, value));
        }
    }
    best.filter(|(s, _)| *s >= 0.8).map(|(_, v)| v)
}

/// Reads `path` as `audit` would (through `spec` if a configuration is given) and reports.
pub fn inspect(
    schema: &Schema,
    path: &Path,
    sheet: Option<&str>,
    configured: Option<&SourceSpec>,
) -> Result<Inspection, IngestError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let sheets = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            ingest::sheet_reader::list_sheets(path, &file, &ext)?
        }
        _ => Vec::new(),
    };
    let mut spec = configured.cloned().unwrap_or_default();
    spec.path = path.to_path_buf();
    if let Some(s) = sheet {
        spec.sheet = Some(s.to_string());
    }
    // First reading: the configured labels, or the reader's own labels and the council words'.
    let (tables, notices) = read(schema, &spec, configured.is_none())?;
    let mut guesses: HashMap<String, String> = HashMap::new();
    let mut report = Inspection {
        file: file.clone(),
        sheets,
        tables: Vec::new(),
        notices,
        configured_missing: Vec::new(),
    };
    if let Some((info, _)) = tables.first() {
        for f in schema.ids() {
            let mapped = |i: &TableInfo| matches!(i.columns.get(f.index()), Some(Some(_)));
            if mapped(info) {
                continue;
            }
            let free: Vec<&str> = info
                .headers
                .iter()
                .filter(|h| !info.columns.iter().flatten().any(|c| c.index == h.index))
                .map(|h| h.label.as_str())
                .collect();
            let nearest = ingest::nearest_headers(schema.label(f), free.iter().copied());
            match spec.columns.get(schema.name(f)) {
                Some(label) => report.configured_missing.push((
                    schema.name(f).to_string(),
                    label.clone(),
                    nearest,
                )),
                None if configured.is_none() => {
                    if let Some(g) = nearest.first() {
                        if !guesses.values().any(|v| v == g) {
                            guesses.insert(schema.name(f).to_string(), g.clone());
                        }
                    }
                }
                None => {}
            }
        }
    }
    // Second reading with the guesses, so their columns' values are counted too.
    let tables = if guesses.is_empty() {
        tables
    } else {
        let mut spec2 = spec.clone();
        if let Some((info, _)) = tables.first() {
            for f in schema.ids() {
                if let Some(Some(c)) = info.columns.get(f.index()) {
                    spec2
                        .columns
                        .insert(schema.name(f).to_string(), c.label.clone());
                }
            }
        }
        for (k, v) in &guesses {
            spec2.columns.insert(k.clone(), v.clone());
        }
        read(schema, &spec2, false)?.0
    };
    let value_maps = values::resolve_value_map(schema, &spec.values).unwrap_or_default();
    for (info, st) in &tables {
        report.tables.push(table_report(
            schema,
            &spec,
            info,
            st,
            &guesses,
            &value_maps,
            configured.is_some(),
        ));
    }
    Ok(report)
}

/// The tables read with their counts, and the notices.
type Reading = (Vec<(TableInfo, Stats)>, Vec<String>);

fn read(schema: &Schema, spec: &SourceSpec, council_words: bool) -> Result<Reading, IngestError> {
    let mut targets = super::targets(schema, spec);
    for t in &mut targets {
        if council_words && t.configured.is_none() {
            for w in values::header_words(&t.name) {
                t.add_label(&w);
            }
        }
        // Inspect reports a configured label it cannot find instead of refusing.
        t.configured = None;
    }
    let mut sink = Sink {
        schema,
        date1904: spec.date1904,
        tables: Vec::new(),
        notices: Vec::new(),
    };
    for file in ingest::expand(&spec.path)? {
        ingest::read_file(&file, spec, 0, &targets, &mut sink)?;
    }
    Ok((sink.tables, sink.notices))
}

fn table_report(
    schema: &Schema,
    spec: &SourceSpec,
    info: &TableInfo,
    st: &Stats,
    guesses: &HashMap<String, String>,
    value_maps: &[HashMap<String, u8>],
    configured: bool,
) -> TableReport {
    let how = |f: FieldId, label: &str| -> Found {
        let n = normalise_label(label);
        let def = schema.def(f);
        if guesses
            .get(&def.name)
            .is_some_and(|g| normalise_label(g) == n)
        {
            Found::Guessed
        } else if configured && spec.columns.contains_key(&def.name) {
            Found::Configured
        } else if normalise_label(&def.label) == n
            || normalise_label(&def.name) == n
            || def.aliases.iter().any(|a| normalise_label(a) == n)
        {
            Found::Recognised
        } else {
            Found::CouncilWords
        }
    };
    let field_at = |index: usize| {
        schema
            .ids()
            .find(|f| matches!(info.columns.get(f.index()), Some(Some(c)) if c.index == index))
    };
    let columns = info
        .headers
        .iter()
        .map(|h| {
            let field = field_at(h.index);
            let nearest = if field.is_none() {
                nearest_fields(schema, &h.label, info)
            } else {
                Vec::new()
            };
            ColumnReport {
                letter: ingest::column_letter(h.index),
                label: h.label.clone(),
                field: field.map(|f| (schema.name(f).to_string(), how(f, &h.label))),
                nearest,
            }
        })
        .collect();
    let column_of = |f: FieldId| match info.columns.get(f.index()) {
        Some(Some(c)) => Some(format!("column {} `{}`", c.letter(), c.label)),
        _ => None,
    };
    let mut not_found = Vec::new();
    let mut categories = Vec::new();
    let mut dates_out = Vec::new();
    for f in schema.ids() {
        let Some(column) = column_of(f) else {
            not_found.push((schema.name(f).to_string(), schema.label(f).to_string()));
            continue;
        };
        match schema.def(f).kind {
            Kind::Date => {
                let (readable, unreadable, blank) = st.dates[f.index()];
                dates_out.push(DateReport {
                    field: schema.name(f).to_string(),
                    column,
                    readable,
                    unreadable,
                    blank,
                });
            }
            Kind::Category(canon) => {
                let mut words: Vec<&(String, usize)> = st.words[f.index()].values().collect();
                words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let mut values_out = Vec::new();
                let (mut not_shown, mut not_shown_distinct) = (0, 0);
                for (word, cells) in words {
                    let idx =
                        values::category(schema, f, &Cell::Text(word), value_maps.get(f.index()));
                    let becomes = idx.map(|i| schema.category_value(f, i).to_string());
                    let guess = if becomes.is_none() {
                        guess_value(schema, f, word)
                    } else {
                        None
                    };
                    let show =
                        becomes.is_some() || (showable(word) && (*cells >= 2 || guess.is_some()));
                    if show {
                        values_out.push(ValueReport {
                            word: word.clone(),
                            cells: *cells,
                            becomes,
                            guess,
                        });
                    } else {
                        not_shown += cells;
                        not_shown_distinct += 1;
                    }
                }
                categories.push(CategoryReport {
                    field: schema.name(f).to_string(),
                    column,
                    values: values_out,
                    not_shown,
                    not_shown_distinct,
                    accepted: canon.iter().map(|s| s.to_string()).collect(),
                });
            }
            Kind::Text => {}
        }
    }
    TableReport {
        table: format!("{}{}", info.file, ingest::sheet_suffix(&info.sheet)),
        sheet: info.sheet.clone(),
        header_row: info.header_row,
        rows: st.rows,
        blank_rows: st.blank,
        columns,
        not_found,
        categories,
        dates: dates_out,
    }
}

/// Unmatched fields whose labels are nearest a header.
fn nearest_fields(schema: &Schema, header: &str, info: &TableInfo) -> Vec<String> {
    let free: Vec<FieldId> = schema
        .ids()
        .filter(|f| !matches!(info.columns.get(f.index()), Some(Some(_))))
        .collect();
    let labels: Vec<String> = free.iter().map(|f| schema.label(*f).to_string()).collect();
    ingest::nearest_headers(header, labels.iter().map(String::as_str))
        .into_iter()
        .filter_map(|l| {
            free.iter()
                .find(|f| schema.label(**f) == l)
                .map(|f| schema.name(*f).to_string())
        })
        .collect()
}

impl Inspection {
    /// The report `inspect` prints.
    pub fn lines(&self) -> Vec<String> {
        let mut l = vec![format!("File: {}", self.file)];
        if !self.sheets.is_empty() {
            let s: Vec<String> = self
                .sheets
                .iter()
                .map(|(n, how)| match *how {
                    "visible" => format!("`{n}`"),
                    how => format!("`{n}` ({how})"),
                })
                .collect();
            l.push(format!("Sheets: {}", s.join(", ")));
        }
        for n in &self.notices {
            l.push(format!("Note: {n}"));
        }
        for (field, label, nearest) in &self.configured_missing {
            l.push(format!(
                "Configured column not found: {field} = \"{label}\" (closest headers: {})",
                if nearest.is_empty() {
                    "none".to_string()
                } else {
                    nearest
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
        }
        for t in &self.tables {
            l.push(String::new());
            l.push(format!(
                "{}: header row {}; {} data rows, {} blank",
                t.table, t.header_row, t.rows, t.blank_rows
            ));
            l.push("Columns:".to_string());
            for c in &t.columns {
                let what = match &c.field {
                    Some((f, Found::Recognised)) => f.clone(),
                    Some((f, Found::Configured)) => format!("{f} (configured)"),
                    Some((f, Found::CouncilWords)) => format!("{f} (council words file)"),
                    Some((f, Found::Guessed)) => format!("{f} (guessed: nearest header, check it)"),
                    None if c.nearest.is_empty() => "(not read)".to_string(),
                    None => format!("(not read; nearest fields: {})", c.nearest.join(", ")),
                };
                l.push(format!("  {:<3} {:<40} -> {what}", c.letter, c.label));
            }
            if !t.not_found.is_empty() {
                let nf: Vec<String> = t
                    .not_found
                    .iter()
                    .map(|(n, label)| format!("{n} (`{label}`)"))
                    .collect();
                l.push(format!("Fields without a column: {}", nf.join(", ")));
            }
            if !t.categories.is_empty() {
                l.push("Category values:".to_string());
            }
            for c in &t.categories {
                l.push(format!("  {} ({}):", c.field, c.column));
                for v in &c.values {
                    let to = match (&v.becomes, &v.guess) {
                        (Some(b), _) => b.clone(),
                        (None, Some(g)) => format!("(cannot read; looks like `{g}`)"),
                        (None, None) => "(cannot read)".to_string(),
                    };
                    l.push(format!(
                        "    {:<28} {:>6} cell{} -> {to}",
                        format!("\"{}\"", v.word),
                        v.cells,
                        if v.cells == 1 { " " } else { "s" }
                    ));
                }
                if c.not_shown > 0 {
                    l.push(format!(
                        "    {} other value{} in {} cell{}: cannot read (not shown: long or with digits, may be personal data)",
                        c.not_shown_distinct,
                        if c.not_shown_distinct == 1 { "" } else { "s" },
                        c.not_shown,
                        if c.not_shown == 1 { "" } else { "s" }
                    ));
                }
            }
            if !t.dates.is_empty() {
                l.push("Dates (readable / unreadable / blank):".to_string());
            }
            for d in &t.dates {
                l.push(format!(
                    "  {:<18} {:>6} / {:>4} / {:>6}   {}",
                    d.field, d.readable, d.unreadable, d.blank, d.column
                ));
            }
        }
        l
    }

    /// A starting configuration: the mappings and value maps inferred, commented where guessed.
    /// `path` is how the configuration should name the log (relative to its own folder).
    pub fn write_config(&self, schema: &Schema, path: &str) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "# A starting configuration written by `safeguard-audit inspect --write-config` from\n# {}.\n# Check every line marked \"guessed\", then run `safeguard-audit check-config --config <this file>`.\n\n",
            self.file
        ));
        s.push_str("[[sources]]\nkind = \"incident-log\"\n");
        s.push_str(&format!("path = {}\n", toml_str(path)));
        let Some(t) = self.tables.first() else {
            s.push_str("# No header row was found: name the columns under [sources.columns].\n");
            return s;
        };
        if let Some(sheet) = &t.sheet {
            s.push_str(&format!("sheet = {}\n", toml_str(sheet)));
        }
        // Fields without a column: kept out deliberately until a column is named for them.
        let absent: Vec<String> = t
            .not_found
            .iter()
            .filter(|(n, _)| {
                schema
                    .lookup(n)
                    .is_some_and(|f| schema.def(f).kind != Kind::Text)
            })
            .map(|(n, _)| toml_str(n))
            .collect();
        if !absent.is_empty() {
            s.push_str("# No column was found for these fields: their duties will be reported unknown.\n# Name a column for each under [sources.columns] (and remove it here) if the log keeps it.\n");
            s.push_str(&format!("absent = [{}]\n", absent.join(", ")));
        }
        s.push_str("\n[sources.columns]\n");
        for f in schema.ids() {
            let name = schema.name(f);
            match t
                .columns
                .iter()
                .find(|c| c.field.as_ref().is_some_and(|(n, _)| n == name))
            {
                Some(c) => {
                    let note = match c.field.as_ref().map(|x| x.1) {
                        Some(Found::Guessed) => "   # guessed: the nearest header; check it",
                        Some(Found::CouncilWords) => "   # from the council words file",
                        _ => "",
                    };
                    s.push_str(&format!("{name} = {}{note}\n", toml_str(&c.label)));
                }
                None => s.push_str(&format!(
                    "# {name} = \"\"   # not found (template label `{}`)\n",
                    schema.label(f)
                )),
            }
        }
        for c in &t.categories {
            let own: Vec<&ValueReport> = c.values.iter().filter(|v| v.becomes.is_none()).collect();
            if own.is_empty() {
                continue;
            }
            s.push_str(&format!("\n[sources.values.{}]\n", c.field));
            for v in own {
                match &v.guess {
                    Some(g) => s.push_str(&format!(
                        "{} = {}   # guessed ({} cell{}): check it\n",
                        toml_str(&v.word),
                        toml_str(g),
                        v.cells,
                        if v.cells == 1 { "" } else { "s" }
                    )),
                    None => s.push_str(&format!(
                        "# {} = \"\"   # {} cell{}: one of {}\n",
                        toml_str(&v.word),
                        v.cells,
                        if v.cells == 1 { "" } else { "s" },
                        c.accepted.join(", ")
                    )),
                }
            }
        }
        s
    }
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
