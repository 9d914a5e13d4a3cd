//! The Rules sheet: every duty the audit applied, in plain words, with its legal source and the
//! rules file it came from, so a reader can check the workbook against the law: when each duty
//! is in force (the law by date) and whether a relaxed period (e.g. COVID-19) is on for it.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{self, page_setup, start_table, Ctx, Rows, TableSpec, V};
use crate::rules::Duty;

const HEADERS: [&str; 12] = [
    "Duty",
    "Timescale",
    "When it applies",
    "In force",
    "Relaxed period",
    "Clock starts",
    "Done when",
    "Who acts",
    "Partnership's breach",
    "Legal source",
    "Rules file",
    "Id in the findings file",
];

/// Every column but the id wraps, at these widths.
const FIXED: [(u16, usize); 11] = [
    (0, 36),
    (1, 18),
    (2, 44),
    (3, 44),
    (4, 44),
    (5, 20),
    (6, 28),
    (7, 12),
    (8, 18),
    (9, 48),
    (10, 28),
];

/// The Rules sheet.
pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    page_setup(ws, ctx, "Rules", 1, 1)?;
    // The id is for matching the findings file, not for reading: printed pages leave it out.
    ws.set_print_area(0, 0, ctx.audit.rules.duties.len().max(1) as u32, 10)?;
    let duties = &ctx.audit.rules.duties;
    let spec = TableSpec {
        name: "Rules",
        headers: &cells::headers(&HEADERS),
        row: 0,
        first_col: 0,
        rows: duties.len(),
        empty: "None: no duty was applied",
        excel_table: true,
    };
    let first = start_table(ws, ctx.f, &spec)?;
    let mut rows = Rows::new(ws, ctx.f, first);
    rows.fix(&FIXED);
    for d in duties {
        duty_row(&mut rows, ctx, d)?;
    }
    rows.fit_columns(&[36, 18, 44, 44, 44, 20, 28, 12, 18, 48, 28, 24])
}

fn duty_row(rows: &mut Rows, ctx: &Ctx, d: &Duty) -> Result<(), XlsxError> {
    let schema = &ctx.audit.rules.schema;
    let breach = if d.breach {
        "Yes"
    } else {
        super::lists::NOT_PARTNERSHIP
    };
    let (start, done) = (d.start_label(schema), d.done_label(schema));
    let rules = &ctx.audit.rules;
    let in_force = rules.in_force_text(d);
    let relaxed = match rules.relaxed_text(d) {
        t if t.is_empty() => "None".to_string(),
        t => t,
    };
    rows.put(&[
        V::W(&d.title),
        V::W(&d.deadline.describe()),
        V::W(&d.applies_text),
        V::W(&in_force),
        V::W(&relaxed),
        V::W(&start),
        V::W(&done),
        V::W(d.actor.label()),
        V::W(breach),
        V::W(&d.source),
        V::W(&d.origin),
        V::S(&d.id),
    ])
}
