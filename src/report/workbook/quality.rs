//! The Data quality sheet: the reconciliation of rows (read = used + set aside + blank), then
//! every problem met while reading (rows set aside, unreadable values, conflicting rows) and
//! every duty that is `unknown` and why, each located by file, sheet, row and column.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{self, page_setup, start_table, Ctx, Rows, TableSpec, MAX_ROWS, V};
use crate::cases::{LocationParts, Problem};
use crate::findings::{Finding, Status};

const RECONCILIATION: [&str; 5] = ["Rows read", "Used", "Set aside", "Blank", "Balances"];

const PROBLEMS: [&str; 8] = [
    "Kind",
    "Case reference",
    "Duty",
    "File",
    "Sheet",
    "Row",
    "Column",
    "Reason",
];

/// The row of the problems table's header (the reconciliation is above it).
const PROBLEMS_ROW: u32 = 3;

/// Whether the Data quality sheet wraps its text (rows as tall as their text).
pub fn wraps(ctx: &Ctx) -> bool {
    ctx.layout
        .wraps(ctx.audit.cases.problems.len() + ctx.digest.data_gaps)
}

/// The Data quality sheet.
pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    page_setup(ws, ctx, "Data quality", PROBLEMS_ROW + 1, 0)?;
    let mut rows = Rows::new(ws, ctx.f, 0);
    reconciliation(&mut rows, ctx)?;
    let problems = &ctx.audit.cases.problems;
    let total = problems.len() + ctx.digest.data_gaps;
    let spec = TableSpec {
        name: "DataQuality",
        headers: &cells::headers(&PROBLEMS),
        row: PROBLEMS_ROW,
        first_col: 0,
        rows: total,
        empty: "None: every row was read and every duty could be decided",
        excel_table: true,
    };
    rows.row = start_table(rows.ws, ctx.f, &spec)?;
    rows.fix(&[(2, 36), (7, 60)]);
    rows.wrap_unless_over(total, &ctx.layout);
    let unknown = ctx
        .audit
        .findings
        .iter()
        .filter(|f| f.status == Status::Unknown);
    for p in problems.iter().take(MAX_ROWS) {
        problem_row(&mut rows, ctx, p)?;
    }
    for f in unknown.take(MAX_ROWS.saturating_sub(problems.len())) {
        unknown_row(&mut rows, ctx, f)?;
    }
    cells::overflow_note(&mut rows, ctx.f, total)?;
    rows.fit_columns(&[16, 16, 30, 20, 10, 9, 20, 40])
}

/// A one-row table: rows read, used, set aside, blank, and whether they balance. Written at
/// the current row (the header) and the next.
fn reconciliation(rows: &mut Rows, ctx: &Ctx) -> Result<(), XlsxError> {
    let r = &ctx.audit.cases.reconciliation;
    let spec = TableSpec {
        name: "DataQualityReconciliation",
        headers: &cells::headers(&RECONCILIATION),
        row: rows.row,
        first_col: 0,
        rows: 1,
        empty: "",
        excel_table: true,
    };
    rows.row = start_table(rows.ws, ctx.f, &spec)?;
    let n = |x: usize| V::N(Some(x as i64));
    let balances = if r.balances() { "Yes" } else { "No" };
    rows.put(&[
        n(r.rows_read),
        n(r.used),
        n(r.set_aside),
        n(r.blank),
        V::S(balances),
    ])
}

fn problem_row(rows: &mut Rows, ctx: &Ctx, p: &Problem) -> Result<(), XlsxError> {
    let at = ctx.audit.cases.parts(p.at, p.field);
    let case_ref = p.case_ref.as_deref().unwrap_or("");
    located(rows, p.kind.label(), case_ref, "", &at, &p.message)
}

fn unknown_row(rows: &mut Rows, ctx: &Ctx, f: &Finding) -> Result<(), XlsxError> {
    let a = ctx.audit;
    let case = &a.cases.cases[f.case as usize];
    let duty = &a.rules.duties[f.duty as usize];
    let at = a.cases.parts(
        Some(case.first_row),
        crate::report::quality::cell_field(a, f),
    );
    let why = f.note(&a.rules);
    located(rows, "unknown duty", &case.case_ref, &duty.title, &at, &why)
}

fn located(
    rows: &mut Rows,
    kind: &str,
    case_ref: &str,
    duty: &str,
    at: &LocationParts,
    why: &str,
) -> Result<(), XlsxError> {
    rows.put(&[
        V::S(kind),
        V::S(case_ref),
        V::W(duty),
        V::S(&at.file),
        V::S(&at.sheet),
        V::N(at.row.map(i64::from)),
        V::S(&at.column),
        V::W(why),
    ])
}
