//! The two lists a meeting works through: Action required (every overdue and pending duty,
//! soonest due first, the Panel's own included with "Panel" as who must act) and Breaches
//! (every finding that is the partnership's breach, the same rows as `breach = yes` in the
//! findings file, most recent due date first). Both come straight from the digest, in its order.
//!
//! The Breaches sheet does not repeat each duty's legal source on every row (150-250
//! characters, on up to hundreds of thousands of rows): the duty is named by its title, and
//! the Rules sheet gives each duty's source once.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{self, page_setup, start_table, Ctx, Done, Pass, Rows, TableSpec, MAX_ROWS, V};
use crate::report::digest::Item;

/// What the "Partnership's breach" column says of the Panel's own duty.
pub const NOT_PARTNERSHIP: &str = "Panel's timescale — not the partnership's breach";

const ACTION: [&str; 9] = [
    "Case reference",
    "Child ID",
    "Local authority",
    "Duty",
    "Clock start",
    "Due date",
    "Working days left (negative: overdue)",
    "Status",
    "Who must act",
];
const ACTION_WIDTHS: [usize; 9] = [16, 10, 14, 40, 11, 11, 20, 10, 14];
/// Wrapped columns: the duty.
const ACTION_FIXED: [(u16, usize); 2] = [(3, 52), (6, 20)];

const BREACHES: [&str; 9] = [
    "Case reference",
    "Child ID",
    "Local authority",
    "Duty (its legal source: see the Rules sheet)",
    "Status",
    "Due date",
    "Done",
    "Working days late",
    "Who acts",
];
const BREACH_WIDTHS: [usize; 9] = [16, 10, 14, 40, 10, 11, 11, 10, 14];
/// Wrapped columns: the duty.
const BREACH_FIXED: [(u16, usize); 1] = [(3, 48)];

/// A list sheet: its name, table, headers and how a digest item becomes a row.
struct List<'a> {
    sheet: &'a str,
    table: &'a str,
    headers: &'a [&'a str],
    widths: &'a [usize],
    fixed: &'a [(u16, usize)],
    empty: &'a str,
    row: fn(&Item) -> Vec<V<'_>>,
}

/// The Action required sheet.
pub fn write_action(ws: &mut Worksheet, ctx: &Ctx, pass: Pass) -> Result<Done, XlsxError> {
    let list = List {
        sheet: "Action required",
        table: "ActionRequired",
        headers: &ACTION,
        widths: &ACTION_WIDTHS,
        fixed: &ACTION_FIXED,
        empty: "None: nothing is overdue or pending",
        row: action_row,
    };
    write_list(ws, ctx, &list, &ctx.digest.action, pass)
}

/// The Breaches sheet.
pub fn write_breaches(ws: &mut Worksheet, ctx: &Ctx, pass: Pass) -> Result<Done, XlsxError> {
    let list = List {
        sheet: "Breaches",
        table: "Breaches",
        headers: &BREACHES,
        widths: &BREACH_WIDTHS,
        fixed: &BREACH_FIXED,
        empty: "None: no duty of the partnership was late, overdue or ended early",
        row: breach_row,
    };
    write_list(ws, ctx, &list, &ctx.digest.breaches, pass)
}

/// Whether the Action required sheet is written directly ([`super::direct`]).
pub fn action_direct(ctx: &Ctx) -> bool {
    list_direct(ctx, &ctx.digest.action)
}

/// Whether the Breaches sheet is written directly.
pub fn breaches_direct(ctx: &Ctx) -> bool {
    list_direct(ctx, &ctx.digest.breaches)
}

/// Whether the Action required sheet wraps its text.
pub fn action_wraps(ctx: &Ctx) -> bool {
    ctx.layout.wraps(ctx.digest.action.len())
}

/// Whether the Breaches sheet wraps its text.
pub fn breaches_wraps(ctx: &Ctx) -> bool {
    ctx.layout.wraps(ctx.digest.breaches.len())
}

fn list_direct(ctx: &Ctx, items: &[Item]) -> bool {
    ctx.layout.direct(items.len().min(MAX_ROWS))
}

fn write_list(
    ws: &mut Worksheet,
    ctx: &Ctx,
    list: &List,
    items: &[Item],
    pass: Pass,
) -> Result<Done, XlsxError> {
    page_setup(ws, ctx, list.sheet, 1, 1)?;
    let headers = cells::headers(list.headers);
    let spec = TableSpec {
        name: list.table,
        headers: &headers,
        row: 0,
        first_col: 0,
        rows: items.len(),
        empty: list.empty,
        excel_table: true,
    };
    let first = start_table(ws, ctx.f, &spec)?;
    let mut rows = Rows::new(ws, ctx.f, first);
    rows.fix(list.fixed);
    rows.wrap_unless_over(items.len(), &ctx.layout);
    rows.begin(pass);
    for it in items.iter().take(MAX_ROWS) {
        rows.put(&(list.row)(it))?;
    }
    cells::overflow_note(&mut rows, ctx.f, items.len())?;
    rows.fit_columns(list.widths)?;
    rows.end()
}

fn action_row(it: &Item) -> Vec<V<'_>> {
    vec![
        V::S(&it.case_ref),
        V::S(&it.child_id),
        V::S(&it.local_authority),
        V::W(&it.duty),
        V::D(it.start),
        V::D(it.due),
        V::N(it.working_days),
        V::St(it.status),
        V::S(it.actor.label()),
    ]
}

fn breach_row(it: &Item) -> Vec<V<'_>> {
    vec![
        V::S(&it.case_ref),
        V::S(&it.child_id),
        V::S(&it.local_authority),
        V::W(&it.duty),
        V::St(it.status),
        V::D(it.due),
        V::D(it.done),
        V::N(it.working_days.map(|n| -n)),
        V::S(it.actor.label()),
    ]
}
