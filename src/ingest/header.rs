//! Finding the header row of a table and mapping its columns onto targets (fields).

use super::{Cell, Column};
use crate::fields::normalise_label;

/// A field the reader looks for: its name and every label that means it (already normalised).
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    /// Labels to show in messages, as written.
    pub display: Vec<String>,
    /// Normalised labels to match.
    pub labels: Vec<String>,
    /// The table is unusable without it.
    pub required: bool,
    /// The label a configuration gave for it: a table without that column is refused.
    pub configured: Option<String>,
}

impl Target {
    pub fn new(name: &str, labels: &[&str], required: bool) -> Target {
        let mut t = Target {
            name: name.to_string(),
            display: Vec::new(),
            labels: Vec::new(),
            required,
            configured: None,
        };
        for l in labels {
            t.add_label(l);
        }
        t
    }

    pub fn add_label(&mut self, label: &str) {
        let n = normalise_label(label);
        if !n.is_empty() && !self.labels.contains(&n) {
            self.labels.push(n);
            self.display.push(label.to_string());
        }
    }

    /// Makes `label` the only label (a configured column overrides the defaults).
    pub fn only_label(&mut self, label: &str) {
        self.labels.clear();
        self.display.clear();
        self.add_label(label);
        self.configured = Some(label.to_string());
    }
}

/// A header row and what each target maps to.
#[derive(Debug, Clone)]
pub struct HeaderMatch {
    /// 0-based index of the header row in the rows scanned.
    pub row: usize,
    pub columns: Vec<Option<Column>>,
}

/// Rows scanned for the header row.
pub const SCAN_ROWS: usize = 30;

fn cell_text(c: &Cell) -> Option<String> {
    match c {
        Cell::Text(s) => Some(normalise_label(s)),
        _ => None,
    }
}

/// Maps one candidate header row. The first column whose label matches a target wins.
pub fn map_row(cells: &[Cell], targets: &[Target]) -> Vec<Option<Column>> {
    let norms: Vec<Option<String>> = cells.iter().map(cell_text).collect();
    targets
        .iter()
        .map(|t| {
            norms.iter().enumerate().find_map(|(i, n)| match n {
                Some(n) if t.labels.iter().any(|l| l == n) => Some(Column {
                    index: i,
                    label: match cells[i] {
                        Cell::Text(s) => s.trim().to_string(),
                        _ => String::new(),
                    },
                }),
                _ => None,
            })
        })
        .collect()
}

/// The header cells of a row that hold text: every column a table has, as written.
pub fn header_columns(cells: &[Cell]) -> Vec<Column> {
    cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Cell::Text(s) if !s.trim().is_empty() => Some(Column {
                index: i,
                label: s.trim().to_string(),
            }),
            _ => None,
        })
        .collect()
}

/// The headers most like `label` (ignoring case, spaces and punctuation), best first: at most
/// three, and only those at least a little alike.
pub fn nearest<'h>(label: &str, headers: impl IntoIterator<Item = &'h str>) -> Vec<String> {
    let want = normalise_label(label);
    let mut scored: Vec<(f64, String)> = headers
        .into_iter()
        .map(|h| {
            let n = normalise_label(h);
            let mut score = strsim::normalized_damerau_levenshtein(&want, &n);
            if !want.is_empty() && !n.is_empty() && (n.contains(&want) || want.contains(&n)) {
                score = score.max(0.6);
            }
            (score, h.to_string())
        })
        .filter(|(s, _)| *s >= 0.3)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, h)| h).collect()
}

/// A cheap first test of whether a row after the header is the header again (two logs pasted
/// into one sheet): its cell in the first mapped column is one of the labels looked for.
/// `scratch` holds the key normalised (asked of every row: no allocation).
pub fn may_be_header(key: &Cell, targets: &[Target], scratch: &mut String) -> bool {
    let Cell::Text(s) = key else {
        return false;
    };
    crate::fields::normalise_label_into(s, scratch);
    !scratch.is_empty()
        && targets
            .iter()
            .any(|t| t.labels.iter().any(|l| l == scratch.as_str()))
}

/// The full test: the row maps at least two targets. Returns its mapping when it does.
pub fn header_again(cells: &[Cell], targets: &[Target]) -> Option<Vec<Option<Column>>> {
    let columns = map_row(cells, targets);
    (columns.iter().filter(|c| c.is_some()).count() >= 2).then_some(columns)
}

/// Finds the header row among the first rows: the row matching the most targets, at least two,
/// preferring rows that have every required target.
pub fn find(rows: &[Vec<Cell>], targets: &[Target]) -> Option<HeaderMatch> {
    let mut best: Option<(usize, usize, bool, Vec<Option<Column>>)> = None;
    for (i, row) in rows.iter().enumerate().take(SCAN_ROWS) {
        let columns = map_row(row, targets);
        let hits = columns.iter().filter(|c| c.is_some()).count();
        if hits < 2 {
            continue;
        }
        let complete = targets
            .iter()
            .zip(&columns)
            .all(|(t, c)| !t.required || c.is_some());
        let better = match &best {
            None => true,
            Some((_, h, comp, _)) => (complete, hits) > (*comp, *h),
        };
        if better {
            best = Some((i, hits, complete, columns));
        }
    }
    best.map(|(row, _, _, columns)| HeaderMatch { row, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Target> {
        vec![
            Target::new("case_ref", &["Case reference"], true),
            Target::new("aware_date", &["Date LA became aware"], true),
            Target::new("outcome", &["Outcome"], false),
        ]
    }

    #[test]
    fn finds_header_below_title_rows() {
        let rows = vec![
            vec![Cell::Text("Northshire serious incidents log")],
            vec![Cell::Text("Last updated"), Cell::Text("Outcome")],
            vec![],
            vec![
                Cell::Text("Notes"),
                Cell::Text(" CASE  Reference"),
                Cell::Text("date l.a. became aware:"),
                Cell::Text("OUTCOME"),
            ],
            vec![Cell::Text("x"), Cell::Text("A-1")],
        ];
        let m = find(&rows, &targets()).unwrap();
        assert_eq!(m.row, 3);
        assert_eq!(m.columns[0].as_ref().unwrap().index, 1);
        assert_eq!(m.columns[1].as_ref().unwrap().index, 2);
        assert_eq!(m.columns[2].as_ref().unwrap().label, "OUTCOME");
    }

    #[test]
    fn no_header() {
        let rows = vec![vec![Cell::Text("a"), Cell::Text("b")]];
        assert!(find(&rows, &targets()).is_none());
    }
}
