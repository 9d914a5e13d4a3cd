//! The Cases sheet: one row per case, and for each duty its due date, done date and status,
//! the status colour-coded. Duties are grouped under their titles in the first row.
//!
//! Referrals of a referral export (`referral:<ID>`) are rows too, with the referral duties;
//! the referral columns appear only when referrals were cross-checked. A cell group is blank
//! where a duty was not checked against that row.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{self, page_setup, start_table, Ctx, Done, Pass, Rows, TableSpec, MAX_ROWS, V};
use crate::findings::Finding;
use crate::rules::{Duty, Subject};

const CASE_COLUMNS: [&str; 3] = ["Case reference", "Child ID", "Local authority"];

/// The Cases sheet (its rows as `pass` says).
pub fn write(ws: &mut Worksheet, ctx: &Ctx, pass: Pass) -> Result<Done, XlsxError> {
    let columns = duty_columns(ctx);
    page_setup(ws, ctx, "Cases", 2, 1)?;
    print_across(ws, columns.iter().flatten().count())?;
    group_row(ws, ctx, &columns)?;
    let headers = headers(&columns);
    let total = ctx.audit.cases.cases.len();
    let spec = TableSpec {
        name: "Cases",
        headers: &headers,
        row: 1,
        first_col: 0,
        rows: total,
        empty: "None: the log has no cases",
        excel_table: false,
    };
    let first = start_table(ws, ctx.f, &spec)?;
    let mut rows = Rows::new(ws, ctx.f, first);
    rows.no_wrap();
    rows.begin(pass);
    for g in 0..columns.iter().flatten().count() as u16 {
        rows.fix(&[(3 + 3 * g, 11), (4 + 3 * g, 11), (5 + 3 * g, 21)]);
    }
    let findings = &ctx.audit.findings;
    let order = by_case(findings);
    let mut next = (0..findings.len())
        .map(|k| match &order {
            Some(order) => &findings[order[k] as usize],
            None => &findings[k],
        })
        .peekable();
    for case in 0..total.min(MAX_ROWS) {
        let mut own = Vec::new();
        while let Some(f) = next.next_if(|f| f.case as usize == case) {
            own.push(f);
        }
        rows.put(&case_row(ctx, case, &own, &columns))?;
    }
    cells::overflow_note(&mut rows, ctx.f, total)?;
    rows.fit_columns(&[16, 10, 14])?;
    rows.end()
}

/// Whether the sheet is written directly ([`super::direct`]).
pub fn direct(ctx: &Ctx) -> bool {
    ctx.layout.direct(ctx.audit.cases.cases.len().min(MAX_ROWS))
}

/// Duty groups on one printed page, beside the case columns.
const GROUPS_PER_PAGE: usize = 2;

/// Printed across several A4 landscape pages at a readable size (80%, about 9 point), rather than every duty
/// squeezed onto one page width: each page carries the case columns and the two header rows
/// again, then [`GROUPS_PER_PAGE`] duties.
fn print_across(ws: &mut Worksheet, groups: usize) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_print_scale(80);
    ws.set_repeat_columns(0, 2)?;
    let breaks: Vec<u32> = (1..groups.div_ceil(GROUPS_PER_PAGE))
        .map(|p| (3 + 3 * GROUPS_PER_PAGE * p) as u32)
        .collect();
    ws.set_vertical_page_breaks(&breaks)?;
    Ok(())
}

/// Per duty (by index), its column group; referral duties only when referrals were checked.
fn duty_columns(ctx: &Ctx) -> Vec<Option<usize>> {
    let referrals = ctx.audit.cases.cases.iter().any(|c| c.referral);
    let mut n = 0;
    ctx.audit
        .rules
        .duties
        .iter()
        .map(|d| {
            (d.subject == Subject::Incident || referrals).then(|| {
                n += 1;
                n - 1
            })
        })
        .collect()
}

/// The duties shown, in column order.
fn shown<'a>(ctx: &'a Ctx, columns: &'a [Option<usize>]) -> impl Iterator<Item = &'a Duty> {
    let duties = &ctx.audit.rules.duties;
    duties
        .iter()
        .zip(columns)
        .filter(|(_, c)| c.is_some())
        .map(|(d, _)| d)
}

/// Finding indices ordered by case, then duty; `None` when the findings are already in that
/// order (they are, but it is not relied upon: checked, and sorted only when not; a million
/// cases' 14 million indices would be 56 MB held for nothing).
fn by_case(findings: &[Finding]) -> Option<Vec<u32>> {
    if findings.is_sorted_by_key(|f| (f.case, f.duty)) {
        return None;
    }
    let mut order: Vec<u32> = (0..findings.len() as u32).collect();
    order.sort_by_key(|&i| {
        let f = &findings[i as usize];
        (f.case, f.duty)
    });
    Some(order)
}

/// The first row: "Case" over the case columns, then each duty's title over its three columns.
fn group_row(ws: &mut Worksheet, ctx: &Ctx, columns: &[Option<usize>]) -> Result<(), XlsxError> {
    ws.set_row_height(0, 45)?;
    ws.merge_range(0, 0, 0, 2, "Case", &ctx.f.group)?;
    for (i, d) in shown(ctx, columns).enumerate() {
        let c = 3 + 3 * i as u16;
        ws.merge_range(0, c, 0, c + 2, &d.title, &ctx.f.group)?;
    }
    Ok(())
}

/// "Case reference", "Child ID", "Local authority", then "Due", "Done", "Status" under each
/// duty's title (a plain autofilter: an Excel table would need every header different).
fn headers(columns: &[Option<usize>]) -> Vec<String> {
    let mut h = cells::headers(&CASE_COLUMNS);
    for _ in columns.iter().flatten() {
        h.extend(cells::headers(&["Due", "Done", "Status"]));
    }
    h
}

/// One case and its findings as a row.
fn case_row<'a>(
    ctx: &'a Ctx,
    case: usize,
    findings: &[&Finding],
    columns: &[Option<usize>],
) -> Vec<V<'a>> {
    let c = &ctx.audit.cases.cases[case];
    let groups = columns.iter().flatten().count();
    let mut row = vec![V::D(None); 3 + 3 * groups];
    row[0] = V::S(&c.case_ref);
    row[1] = V::S(c.child_id.as_deref().unwrap_or(""));
    row[2] = V::S(c.local_authority.as_deref().unwrap_or(""));
    for f in findings {
        if let Some(Some(g)) = columns.get(f.duty as usize) {
            let at = 3 + 3 * g;
            row[at] = V::D(f.due);
            row[at + 1] = V::D(f.done);
            row[at + 2] = V::St(f.status);
        }
    }
    row
}
