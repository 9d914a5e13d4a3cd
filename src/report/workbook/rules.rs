//! The Rules sheet: every duty the audit applied, in plain words, with its legal source and the
//! rules file it came from, so a reader can check the workbook against the law.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::cells::{self, page_setup, start_table, Ctx, Rows, TableSpec, V};
use crate::rules::Duty;

const HEADERS: [&str; 10] = [
    "Duty id",
    "Duty",
    "Timescale",
    "When it applies",
    "Clock starts",
    "Done when",
    "Who acts",
    "Partnership's breach",
    "Legal source",
    "Rules file",
];

/// Every column but the id wraps, at these widths.
const FIXED: [(u16, usize); 9] = [
    (1, 36),
    (2, 18),
    (3, 44),
    (4, 20),
    (5, 28),
    (6, 12),
    (7, 18),
    (8, 48),
    (9, 28),
];

/// The Rules sheet.
pub fn write(book: &mut Workbook, ctx: &Ctx) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    page_setup(ws, ctx, "Rules", 1, 1)?;
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
    rows.fit_columns(&[24])
}

fn duty_row(rows: &mut Rows, ctx: &Ctx, d: &Duty) -> Result<(), XlsxError> {
    let schema = &ctx.audit.rules.schema;
    let breach = if d.breach {
        "Yes"
    } else {
        super::lists::NOT_PARTNERSHIP
    };
    let (start, done) = (d.start_label(schema), d.done_label(schema));
    rows.put(&[
        V::S(&d.id),
        V::W(&d.title),
        V::W(&d.deadline.describe()),
        V::W(&d.applies_text),
        V::W(&start),
        V::W(&done),
        V::W(d.actor.label()),
        V::W(breach),
        V::W(&d.source),
        V::W(&d.origin),
    ])
}
