//! The Summary sheet: the as-of date and reporting week, the headline figures, compliance per
//! duty (red/amber/green) with a bar chart, per local authority where the log has several, the
//! on-time rate per quarter with a line chart, the reconciliation of rows and the rules files.
//! Every figure comes from the [`Digest`](crate::report::digest::Digest).
//!
//! Over 500 lines on purpose: the Summary sheet is laid out top to bottom (headline, figures,
//! what changed, compliance per duty, charts, reconciliation); splitting it would scatter its row
//! arithmetic.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartMarker, ChartType, ConditionalFormatFormula, Worksheet, XlsxError,
};

use super::cells::{self, page_setup, start_table, Ctx, Rows, TableSpec, V};
use crate::findings::Status;
use crate::report::digest::{Compliance, DUE_SOON_WORKING_DAYS, MIN_QUARTER_DUTIES};

const SHEET: &str = "Summary";
/// Default rows are 20 pixels high.
const ROW_PX: u32 = 20;
const CHART_WIDTH: u32 = 1000;
const COMPLIANCE: [&str; 6] = [
    "Met on time",
    "Late",
    "Overdue",
    "Ended early",
    "All that fell due",
    "Compliance",
];

/// The summary as it is laid out: the rows and the printed page breaks so far.
struct Layout<'w, 'f> {
    rows: Rows<'w, 'f>,
    breaks: Vec<u32>,
}

/// The Summary sheet.
pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    page_setup(ws, ctx, SHEET, 0, 0)?;
    ws.set_selected(true);
    let mut l = Layout {
        rows: Rows::new(ws, ctx.f, 0),
        breaks: Vec::new(),
    };
    l.rows.fix(&[(0, 72)]);
    title(&mut l, ctx)?;
    about(&mut l, ctx)?;
    headline(&mut l, ctx)?;
    changes(&mut l, ctx)?;
    per_duty(&mut l, ctx)?;
    per_authority(&mut l, ctx)?;
    authorities_side_by_side(&mut l, ctx)?;
    per_quarter(&mut l, ctx)?;
    reconciliation(&mut l, ctx)?;
    rules_files(&mut l, ctx)?;
    l.rows.ws.set_page_breaks(&l.breaks)?;
    l.rows.fit_columns(&[72, 22, 12, 12, 12, 12, 12, 12])
}

fn title(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let text = format!(
        "Serious child safeguarding incidents: compliance as of {}",
        ctx.as_of_text()
    );
    l.rows
        .ws
        .write_string_with_format(0, 0, text, &ctx.f.title)?;
    let note = format!(
        "Produced by safeguard-audit {}. Cases are named by case reference and child ID only.",
        env!("CARGO_PKG_VERSION")
    );
    l.rows
        .ws
        .write_string_with_format(1, 0, note, &ctx.f.note)?;
    // The same sentence opens the email and the printed summary.
    l.rows.ws.set_row_height(2, 32)?;
    l.rows
        .ws
        .write_string_with_format(2, 0, ctx.digest.sentence(), &ctx.f.headline)?;
    l.rows.row = 4;
    Ok(())
}

/// A bold section title on its own row.
fn section(l: &mut Layout, text: &str) -> Result<(), XlsxError> {
    l.rows.put(&[V::B(text)])
}

/// A small Excel table at the current row, one row per item; leaves a blank row after it.
/// Returns the first and last data rows.
fn listing<T>(
    l: &mut Layout,
    ctx: &Ctx,
    name: &str,
    headers: &[String],
    items: &[T],
    row: impl for<'t> Fn(&'t T) -> Vec<V<'t>>,
) -> Result<(u32, u32), XlsxError> {
    let spec = TableSpec {
        name,
        headers,
        row: l.rows.row,
        first_col: 0,
        rows: items.len(),
        empty: "None",
        excel_table: true,
    };
    let first = start_table(l.rows.ws, ctx.f, &spec)?;
    l.rows.row = first;
    for it in items {
        l.rows.put(&row(it))?;
    }
    let last = first + items.len().max(1) as u32 - 1;
    l.rows.row = last + 2;
    Ok((first, last))
}

/// A two-column table of labelled values.
fn pairs(
    l: &mut Layout,
    ctx: &Ctx,
    name: &str,
    headers: [&str; 2],
    items: &[(String, V)],
) -> Result<(), XlsxError> {
    let headers = cells::headers(&headers);
    listing(l, ctx, name, &headers, items, |(label, v)| {
        vec![V::S(label), *v]
    })?;
    Ok(())
}

/// The as-of date, the reporting week and the other dates the figures count from.
fn about(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let d = ctx.digest;
    let date = |x| V::D(Some(x));
    let items = [
        ("As of".to_string(), date(d.as_of)),
        (
            "Reporting week starts (the 7 days ending on the as-of date)".to_string(),
            date(d.week_start),
        ),
        ("Reporting week ends".to_string(), date(d.as_of)),
        ("Financial year starts".to_string(), date(d.year_start)),
        (
            format!("Due soon until ({DUE_SOON_WORKING_DAYS} working days after the as-of date)"),
            date(d.due_soon_until),
        ),
    ];
    section(l, "Period")?;
    pairs(l, ctx, "Period", ["Item", "Date"], &items)
}

/// The headline numbers with their periods, the Panel's own beside them, then the other counts.
fn headline(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let d = ctx.digest;
    let h = &d.headline;
    let headers = cells::headers(&["Measure", "Period", "Number"]);
    let row = |f: &crate::report::headline::Figure| (f.name.clone(), f.period.clone(), f.value);
    let figures: Vec<(String, String, usize)> = h.figures().iter().map(row).collect();
    section(l, "Headline figures (the partnership's duties)")?;
    listing(
        l,
        ctx,
        "Headline",
        &headers,
        &figures,
        |(name, period, n)| vec![V::B(name), V::W(period), V::N(Some(*n as i64))],
    )?;
    if h.relaxed_overdue > 0 {
        l.rows.row -= 1;
        let note = format!(
            "Also overdue but not a breach, because its timescale was relaxed: {}.",
            h.relaxed_overdue
        );
        l.rows.put(&[V::W(&note)])?;
        l.rows.row += 1;
    }
    let panel: Vec<(String, String, usize)> = h.panel_figures().iter().map(row).collect();
    section(
        l,
        "Beside them: the Panel's own timescales (not the partnership's, never counted above)",
    )?;
    listing(l, ctx, "PanelOwn", &headers, &panel, |(name, period, n)| {
        vec![V::S(name), V::W(period), V::N(Some(*n as i64))]
    })?;
    let referrals = ctx.audit.referral_count();
    let mut items = vec![
        ("Cases".to_string(), d.cases),
        (
            "Open cases (a duty overdue or pending)".to_string(),
            d.open_cases,
        ),
        (
            "Data gaps (duties that cannot be decided: see Data quality)".to_string(),
            d.data_gaps,
        ),
    ];
    if referrals > 0 {
        items.insert(1, ("Referrals cross-checked".to_string(), referrals));
    }
    let items: Vec<(String, V)> = items
        .into_iter()
        .map(|(label, n)| (label, V::N(Some(n as i64))))
        .collect();
    section(l, "The log")?;
    pairs(l, ctx, "LogFigures", ["Measure", "Number"], &items)
}

/// At most this many cases are named in one cell of "what changed"; the rest are counted.
const CHANGES_NAMED: usize = 50;

/// What changed since the last report sent, and the trend of overdue and on-time counts over
/// the last 12 reports with a line chart (the weekly run only: a one-off audit has no ledger).
fn changes(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let Some(c) = &ctx.digest.changes else {
        return Ok(());
    };
    let title = match c.since {
        Some(d) => format!(
            "What changed since the report as of {}",
            d.format("%d/%m/%Y")
        ),
        None => "What changed: this is the first report recorded in the ledger".to_string(),
    };
    section(l, &title)?;
    let joined = |v: Vec<String>| {
        let mut s = v
            .iter()
            .take(CHANGES_NAMED)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if v.len() > CHANGES_NAMED {
            s.push_str(&format!("; and {} more", v.len() - CHANGES_NAMED));
        }
        s
    };
    let named = |v: &[crate::changes::Changed]| {
        joined(
            v.iter()
                .map(|x| format!("{}: {}", x.case_ref, x.duty))
                .collect(),
        )
    };
    let rows: Vec<(&str, usize, String)> = vec![
        (
            "Newly overdue (the partnership's duties)",
            c.new_overdue.len(),
            named(&c.new_overdue),
        ),
        (
            "New breaches (late or ended early, the partnership's duties)",
            c.new_breaches.len(),
            named(&c.new_breaches),
        ),
        ("Duties completed", c.completed.len(), named(&c.completed)),
        (
            "New cases (not in the last report sent)",
            c.new_cases.len(),
            joined(c.new_cases.clone()),
        ),
    ];
    let headers = cells::headers(&["Change", "Number", "Which (case and duty)"]);
    listing(l, ctx, "Changes", &headers, &rows, |(label, n, which)| {
        vec![V::W(label), V::N(Some(*n as i64)), V::W(which)]
    })?;
    section(l, "Trend over the last reports sent (and this one)")?;
    let headers = cells::headers(&["Report as of", "Overdue", "Met on time"]);
    let (first, last) = listing(l, ctx, "Trend", &headers, &c.trend, |(d, overdue, met)| {
        vec![V::D(Some(*d)), V::N(Some(*overdue)), V::N(Some(*met))]
    })?;
    if c.trend.len() < 2 {
        return Ok(());
    }
    let mut chart = Chart::new(ChartType::Line);
    for (col, name) in [(1, "Overdue"), (2, "Met on time")] {
        let mut marker = ChartMarker::new();
        marker.set_automatic();
        chart
            .add_series()
            .set_name(name)
            .set_categories((SHEET, first, 0, last, 0))
            .set_values((SHEET, first, col, last, col))
            .set_marker(&marker);
    }
    chart
        .title()
        .set_name("Overdue and on-time duties, report by report");
    chart.set_width(CHART_WIDTH).set_height(320);
    self::chart(l, &chart, 320)
}

/// The counts and rate of a compliance line, from the second column on.
fn compliance_cells(c: &Compliance) -> [V<'static>; 6] {
    let n = |x: usize| V::N(Some(x as i64));
    [
        n(c.met),
        n(c.late),
        n(c.overdue),
        n(c.early),
        n(c.fell_due()),
        V::P(c.rate()),
    ]
}

/// Green at 95% or more, amber at 80% or more, red below; blank (nothing fell due) plain.
fn rag(ws: &mut Worksheet, ctx: &Ctx, first: u32, last: u32, col: u16) -> Result<(), XlsxError> {
    let cell = rust_xlsxwriter::utility::row_col_to_cell(first, col);
    let rules = [
        (format!("AND(ISNUMBER({cell}),{cell}>=0.95)"), &ctx.f.green),
        (
            format!("AND(ISNUMBER({cell}),{cell}>=0.8,{cell}<0.95)"),
            &ctx.f.amber,
        ),
        (format!("AND(ISNUMBER({cell}),{cell}<0.8)"), &ctx.f.red),
    ];
    for (rule, format) in rules {
        let cf = ConditionalFormatFormula::new()
            .set_rule(rule.as_str())
            .set_format(format);
        ws.add_conditional_format(first, col, last, col, &cf)?;
    }
    Ok(())
}

/// Compliance per duty (rules order, then all duties), red/amber/green, with a bar chart.
fn per_duty(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let duties = &ctx.audit.rules.duties;
    let lines: Vec<(usize, &Compliance)> = ctx.digest.per_duty.iter().enumerate().collect();
    section(l, "Compliance per duty (met on time / all that fell due)")?;
    let mut headers = cells::headers(&["Duty", "Who acts"]);
    headers.extend(cells::headers(&COMPLIANCE));
    let (first, last) = listing(l, ctx, "PerDuty", &headers, &lines, |(i, c)| {
        let mut cells = match duties.get(*i) {
            Some(d) => vec![V::W(&c.label), V::S(d.actor.label())],
            None => vec![V::B(&c.label), V::S("")],
        };
        cells.extend(compliance_cells(c));
        cells
    })?;
    rag(l.rows.ws, ctx, first, last, 7)?;
    l.rows.row -= 1;
    let note = "Green: 95% or more. Amber: 80% to 94%. Red: below 80%. Blank: nothing fell due. \
                The Panel's own timescale is shown but is not the partnership's breach and is \
                not counted in All duties.";
    l.rows.put(&[V::W(note)])?;
    l.rows.row += 1;
    let height = (100 + 30 * lines.len() as u32).max(300);
    chart(l, &duty_chart(first, last, height), height)
}

/// Inserts a chart on a new printed page and moves below it.
fn chart(l: &mut Layout, chart: &Chart, height: u32) -> Result<(), XlsxError> {
    l.breaks.push(l.rows.row);
    l.rows.ws.insert_chart(l.rows.row, 0, chart)?;
    l.rows.row += height.div_ceil(ROW_PX) + 2;
    Ok(())
}

/// A horizontal bar per duty: its compliance, first duty at the top.
fn duty_chart(first: u32, last: u32, height: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    let mut label = ChartDataLabel::new();
    label.show_value().set_num_format("0%");
    chart
        .add_series()
        .set_name("Compliance")
        .set_categories((SHEET, first, 0, last, 0))
        .set_values((SHEET, first, 7, last, 7))
        .set_data_label(&label);
    chart
        .title()
        .set_name("Compliance per duty (met on time / all that fell due)");
    // In a bar chart the x axis is the horizontal (value) axis.
    percent_axis(chart.x_axis());
    chart.y_axis().set_reverse();
    chart.legend().set_hidden();
    chart.set_width(CHART_WIDTH).set_height(height);
    chart
}

fn percent_axis(axis: &mut rust_xlsxwriter::ChartAxis) {
    axis.set_min(0)
        .set_max(1)
        .set_major_unit(0.2)
        .set_num_format("0%");
}

/// Per local authority, only where the log has several.
fn per_authority(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let lines = &ctx.digest.per_authority;
    if lines.is_empty() {
        return Ok(());
    }
    section(
        l,
        "Compliance per local authority (the partnership's duties)",
    )?;
    let mut headers = cells::headers(&["Local authority"]);
    headers.extend(cells::headers(&COMPLIANCE));
    compliance_table(l, ctx, "PerAuthority", &headers, lines)?;
    Ok(())
}

/// A table of compliance lines with the rate (last column) red/amber/green. Returns the
/// first and last data rows.
fn compliance_table(
    l: &mut Layout,
    ctx: &Ctx,
    name: &str,
    headers: &[String],
    lines: &[Compliance],
) -> Result<(u32, u32), XlsxError> {
    let (first, last) = listing(l, ctx, name, headers, lines, |c| {
        let mut cells = vec![V::S(&c.label)];
        cells.extend(compliance_cells(c));
        cells
    })?;
    rag(l.rows.ws, ctx, first, last, 6)?;
    Ok((first, last))
}

/// The on-time rate per quarter of due date over the log's history, with a line chart, on a
/// new printed page. Each point says how many duties it rests on; quarters with fewer than
/// [`MIN_QUARTER_DUTIES`] are left out.
fn per_quarter(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let lines: Vec<Compliance> = ctx
        .digest
        .per_quarter
        .iter()
        .map(|q| Compliance {
            label: format!("{} ({} duties)", q.label, q.fell_due()),
            ..q.clone()
        })
        .collect();
    l.breaks.push(l.rows.row);
    section(
        l,
        "On-time rate per quarter of due date (the partnership's duties)",
    )?;
    let mut headers = cells::headers(&["Quarter (duties it rests on)"]);
    headers.extend(cells::headers(&COMPLIANCE[..4]));
    headers.push("Duties it rests on".to_string());
    headers.push("On-time rate".to_string());
    let (first, last) = compliance_table(l, ctx, "PerQuarter", &headers, &lines)?;
    l.rows.row -= 1;
    let left_out = ctx.digest.quarters_left_out;
    let note = format!(
        "Quarters resting on fewer than {MIN_QUARTER_DUTIES} duties that fell due are left out ({left_out} left out): too few to mean anything."
    );
    l.rows.put(&[V::W(&note)])?;
    l.rows.row += 1;
    if lines.is_empty() {
        return Ok(());
    }
    chart(l, &quarter_chart(first, last), 340)?;
    if lines.len() <= 12 {
        l.breaks.pop();
    }
    Ok(())
}

/// A line of the on-time rate per quarter, oldest first.
fn quarter_chart(first: u32, last: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    let mut marker = ChartMarker::new();
    marker.set_automatic();
    chart
        .add_series()
        .set_name("On-time rate")
        .set_categories((SHEET, first, 0, last, 0))
        .set_values((SHEET, first, 6, last, 6))
        .set_marker(&marker);
    chart
        .title()
        .set_name("On-time rate per quarter (by due date)");
    percent_axis(chart.y_axis());
    chart.legend().set_hidden();
    chart.set_width(CHART_WIDTH).set_height(340);
    chart
}

/// Rows read = used + set aside + blank, and whether they balance.
fn reconciliation(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let r = &ctx.audit.cases.reconciliation;
    let n = |x: usize| V::N(Some(x as i64));
    let items = [
        ("Rows read".to_string(), n(r.rows_read)),
        ("Used".to_string(), n(r.used)),
        (
            "Set aside (listed in Data quality)".to_string(),
            n(r.set_aside),
        ),
        ("Blank".to_string(), n(r.blank)),
        (
            "Balances (read = used + set aside + blank)".to_string(),
            V::S(if r.balances() { "Yes" } else { "No" }),
        ),
    ];
    section(l, "Reconciliation of rows")?;
    pairs(l, ctx, "Reconciliation", ["Rows", "Number"], &items)
}

/// The rules files applied, in order.
fn rules_files(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    section(l, "Rules files applied (in order)")?;
    let headers = cells::headers(&["Rules file"]);
    listing(
        l,
        ctx,
        "RulesFiles",
        &headers,
        &ctx.audit.rules.files,
        |f| vec![V::S(f)],
    )?;
    Ok(())
}

// ---- a partnership's authorities side by side -------------------------------------------------

/// A partnership's report: compliance per duty for each local authority, side by side (the
/// partnership's duties; a duty an authority's overlay changes counts under the same duty),
/// with a column chart. Nothing for a single council or one authority's own report.
fn authorities_side_by_side(l: &mut Layout, ctx: &Ctx) -> Result<(), XlsxError> {
    let Some(p) = &ctx.audit.partnership else {
        return Ok(());
    };
    let duties = &ctx.audit.rules.duties;
    // Rows: duty ids in rules order (the partnership's title), then all duties.
    let mut ids: Vec<&str> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut row_of = vec![usize::MAX; duties.len()];
    for (i, d) in duties.iter().enumerate().filter(|(_, d)| d.breach) {
        let r = match ids.iter().position(|x| *x == d.id) {
            Some(r) => r,
            None => {
                ids.push(&d.id);
                labels.push(d.title.clone());
                ids.len() - 1
            }
        };
        row_of[i] = r;
    }
    let n = p.authorities.len();
    let mut table = vec![vec![Compliance::default(); n]; ids.len() + 1];
    for f in &ctx.audit.findings {
        let r = row_of.get(f.duty as usize).copied().unwrap_or(usize::MAX);
        let Some(Some(k)) = p.case_authority.get(f.case as usize) else {
            continue;
        };
        if r == usize::MAX {
            continue;
        }
        let k = *k as usize;
        for row in [r, ids.len()] {
            let c = &mut table[row][k];
            match f.status {
                Status::Met => c.met += 1,
                Status::Late => c.late += 1,
                Status::Overdue => c.overdue += 1,
                Status::Early => c.early += 1,
                _ => {}
            }
        }
    }
    labels.push("All duties".to_string());
    section(
        l,
        "Compliance per duty per local authority, side by side (met on time / all that fell due)",
    )?;
    let mut headers = cells::headers(&["Duty"]);
    for a in &p.authorities {
        headers.push(a.name.clone());
    }
    let rows: Vec<(String, Vec<Compliance>)> = labels.into_iter().zip(table).collect();
    let (first, last) = listing(
        l,
        ctx,
        "AuthoritiesSideBySide",
        &headers,
        &rows,
        |(label, cs)| {
            let mut cells = vec![V::W(label)];
            cells.extend(cs.iter().map(|c| V::P(c.rate())));
            cells
        },
    )?;
    for k in 0..n {
        rag(l.rows.ws, ctx, first, last, 1 + k as u16)?;
    }
    l.rows.row -= 1;
    let note = "Each case is judged on its own local authority's calendar and rules. Blank:                 nothing fell due. Cases with no listed local authority, and the Panel's own                 timescale, are not in this table.";
    l.rows.put(&[V::W(note)])?;
    l.rows.row += 1;
    let height = (120 + 24 * (rows.len() * n.max(1)) as u32).clamp(340, 1400);
    let mut chart_ = Chart::new(ChartType::Bar);
    for k in 0..n {
        let col = 1 + k as u16;
        chart_
            .add_series()
            .set_name((SHEET, first - 1, col))
            .set_categories((SHEET, first, 0, last, 0))
            .set_values((SHEET, first, col, last, col));
    }
    chart_
        .title()
        .set_name("Compliance per duty per local authority");
    percent_axis(chart_.x_axis());
    chart_.y_axis().set_reverse();
    chart_.set_width(CHART_WIDTH).set_height(height);
    chart(l, &chart_, height)
}
