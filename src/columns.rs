//! Columns a log does not have: which duties need each field, the refusal of a configured source
//! that lacks one without saying so (`absent = [...]`), and what each missing column cost.
//!
//! A missing column is not a blank cell: a blank says "not done yet", a missing column says
//! nothing, so the duties that need the field are `unknown` (DOMAIN "A missing column is not a
//! blank cell").

use crate::fields::{FieldId, Kind, Schema};
use crate::findings::{Finding, Reason};
use crate::ingest::{SourceKind, SourceSpec};
use crate::rules::{Condition, IfBlank, RuleSet, Subject};

use crate::cases::CaseSet;

/// Per field: the ids of the incident duties that need it to apply, to start their clock, or as
/// their done date. A field whose blank has a meaning in the rules (no location: in area) is
/// needed only where another duty uses it otherwise.
pub fn needed_by(rules: &RuleSet) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); rules.schema.len()];
    fn walk(c: &Condition, fields: &mut Vec<FieldId>) {
        match c {
            Condition::In {
                field, if_blank, ..
            } => {
                if !matches!(if_blank, IfBlank::Means(_)) {
                    fields.push(*field)
                }
            }
            Condition::Present(f) => fields.push(*f),
            Condition::Duty(_) | Condition::Status { .. } => {}
            Condition::Any(list) => list.iter().for_each(|c| walk(c, fields)),
        }
    }
    for d in rules
        .duties
        .iter()
        .filter(|d| d.subject == Subject::Incident)
    {
        let mut fields = vec![d.start, d.done];
        d.applies.iter().for_each(|c| walk(c, &mut fields));
        for f in fields {
            if let Some(list) = out.get_mut(f.index()) {
                if !list.contains(&d.id) {
                    list.push(d.id.clone());
                }
            }
        }
    }
    out
}

/// A field one source's log has no column for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    /// Index of the source in the configuration.
    pub source: usize,
    /// The file (and sheet) without it: the first such table of the source.
    pub table: String,
    pub field: FieldId,
    /// The configuration says the log does not keep it (`absent`).
    pub declared: bool,
    /// Duties that need it.
    pub needed_by: Vec<String>,
    /// Per duty (in rules order): cases for which it is unknown because of this column.
    pub costs: Vec<(String, usize)>,
}

impl MissingColumn {
    /// "no `Ofsted notified` column in log.xlsx, sheet `Log`: lac-death-ofsted is unknown for 4
    /// cases"
    pub fn describe(&self, schema: &Schema) -> String {
        let head = format!(
            "no `{}` column in {}{}",
            schema.label(self.field),
            self.table,
            if self.declared {
                " (the configuration says it is not kept)"
            } else {
                ""
            }
        );
        let costs: Vec<String> = self
            .costs
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(d, n)| format!("{d} is unknown for {n} case{}", plural(*n)))
            .collect();
        if costs.is_empty() {
            format!(
                "{head}: no verdict depended on it this time ({} need{} it)",
                self.needed_by.join(", "),
                if self.needed_by.len() == 1 { "s" } else { "" }
            )
        } else {
            format!("{head}: {}", costs.join("; "))
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Every field a duty needs that some table of a source lacks, with what it cost: one entry per
/// source and field.
pub fn missing_columns(
    cases: &CaseSet,
    sources: &[SourceSpec],
    rules: &RuleSet,
    findings: &[Finding],
) -> Vec<MissingColumn> {
    let needed = needed_by(rules);
    let schema = &rules.schema;
    let mut out: Vec<MissingColumn> = Vec::new();
    for t in &cases.tables {
        let Some(spec) = sources.get(t.source) else {
            continue;
        };
        if spec.kind != SourceKind::IncidentLog {
            continue;
        }
        for f in schema.ids() {
            let lacks = !matches!(t.columns.get(f.index()), Some(Some(_)));
            let duties = &needed[f.index()];
            if !lacks || duties.is_empty() || schema.def(f).kind == Kind::Text {
                continue;
            }
            if out.iter().any(|m| m.source == t.source && m.field == f) {
                continue;
            }
            out.push(MissingColumn {
                source: t.source,
                table: format!("{}{}", t.file, crate::ingest::sheet_suffix(&t.sheet)),
                field: f,
                declared: spec.absent.iter().any(|a| a == schema.name(f)),
                needed_by: duties.clone(),
                costs: Vec::new(),
            });
        }
    }
    recount(&mut out, cases, rules, findings);
    out
}

/// What each missing column cost in `findings`: the findings unknown for want of that field,
/// counted by the source of the case's first row (also used for one authority's own report).
pub fn recount(out: &mut [MissingColumn], cases: &CaseSet, rules: &RuleSet, findings: &[Finding]) {
    // What each cost: findings unknown for want of that field, counted by the source of the
    // case's first row.
    for m in out.iter_mut() {
        m.costs = rules
            .duties
            .iter()
            .enumerate()
            .filter(|(_, d)| m.needed_by.contains(&d.id))
            .map(|(i, d)| {
                let n = findings
                    .iter()
                    .filter(|x| x.duty as usize == i && x.reason == Reason::Missing(m.field))
                    .filter(|x| {
                        cases
                            .cases
                            .get(x.case as usize)
                            .and_then(|c| cases.tables.get(c.first_row.table as usize))
                            .is_some_and(|t| t.source == m.source)
                    })
                    .count();
                (d.id.clone(), n)
            })
            .collect();
    }
}

/// Why a configured source cannot be audited as it stands: a field a duty needs that a table
/// lacks and that `absent` does not list, or a configured key that names no field. The message
/// names the file, the sheet, the field, the nearest headers and both ways out.
pub fn refusal(cases: &CaseSet, sources: &[SourceSpec], rules: &RuleSet) -> Result<(), String> {
    let schema = &rules.schema;
    for (i, spec) in sources.iter().enumerate() {
        if spec.kind != SourceKind::IncidentLog {
            continue;
        }
        if let Some(e) = unknown_keys(i, spec, schema) {
            return Err(e);
        }
    }
    let needed = needed_by(rules);
    for t in &cases.tables {
        let Some(spec) = sources.get(t.source) else {
            continue;
        };
        if spec.kind != SourceKind::IncidentLog || !spec.strict {
            continue;
        }
        for f in schema.ids() {
            let lacks = !matches!(t.columns.get(f.index()), Some(Some(_)));
            let duties = &needed[f.index()];
            let name = schema.name(f);
            if !lacks
                || duties.is_empty()
                || crate::fields::OPTIONAL.contains(&f)
                || spec.absent.iter().any(|a| a == name)
            {
                continue;
            }
            // Headers not already read as another field.
            let free = t.headers.iter().filter(|h| {
                !t.columns
                    .iter()
                    .any(|c| c.as_ref().is_some_and(|c| c.index == h.index))
            });
            let nearest =
                crate::ingest::nearest_headers(schema.label(f), free.map(|h| h.label.as_str()));
            let nearest = if nearest.is_empty() {
                String::new()
            } else {
                format!(
                    " Unmapped headers most like it: {}.",
                    nearest
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(format!(
                "sources[{}]: {}{} has no column for `{}` ({name}), which {} need{}.{nearest} Map it under [sources.columns] ({name} = \"<your header>\"), or, if this log does not keep it, say so with absent = [\"{name}\"] in that [[sources]] section (those duties are then reported unknown).",
                t.source,
                t.file,
                crate::ingest::sheet_suffix(&t.sheet),
                schema.label(f),
                duties.join(", "),
                if duties.len() == 1 { "s" } else { "" },
            ));
        }
    }
    Ok(())
}

/// A `columns` key or `absent` entry that names no field.
pub fn unknown_keys(i: usize, spec: &SourceSpec, schema: &Schema) -> Option<String> {
    for (key, what) in spec
        .columns
        .keys()
        .map(|k| (k, "columns"))
        .chain(spec.absent.iter().map(|k| (k, "absent")))
    {
        if schema.lookup(key).is_none() {
            return Some(format!(
                "sources[{i}].{what}: `{key}` is not a field; fields are: {}",
                schema.names().join(", ")
            ));
        }
    }
    None
}
