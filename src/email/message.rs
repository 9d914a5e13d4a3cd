//! The weekly email: subject, plain-text and HTML bodies from the [`Digest`], and the workbook
//! attached. The subject and both bodies give the headline numbers of DOMAIN.md under the same
//! names as the printed summary and the workbook, each with its period, and the Panel's own
//! duties beside them, labelled. Cases are named by case reference and child ID only.
//!
//! The HTML is built with maud, which escapes every value from a log by default. It is a fluid
//! single column (up to 680 px, no sideways scrolling on a 390 px phone) of tables with inline
//! styles, with a fixed-width table for Outlook's Word engine (conditional comments), and no
//! `<style>`, scripts or remote images (in `html`). No server path appears: the reader cannot
//! open one.

use std::path::Path;

use chrono::NaiveDate;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::Message;

use crate::report::digest::{Digest, Item, DUE_SOON_WORKING_DAYS};
use crate::report::headline::Figure;

use super::settings::Settings;

mod html;
#[cfg(test)]
mod tests;

pub use html::html_body;

/// The workbook's content type.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// At most this many rows per list in the email; the rest are in the workbook.
pub const MAX_ROWS: usize = 50;

/// What the email reports.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub digest: &'a Digest,
    /// The workbook to attach (`compliance-<as-of>.xlsx`), if one was written.
    pub workbook: Option<&'a Path>,
    /// The findings file, if one was written.
    pub findings: Option<&'a Path>,
    /// "What changed since the last report", from the run ledger: plain text, one item a line
    /// (a leading "- " is a bullet). `None` leaves the section out.
    pub changes: Option<&'a str>,
}

/// Why the message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("cannot read the workbook {file} to attach it: {reason}")]
    Workbook { file: String, reason: String },
    #[error("cannot build the email: {0}")]
    Build(String),
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "2026-27": the financial year of the headline.
fn financial_year(d: &Digest) -> String {
    let y = d.headline.year_start.format("%Y").to_string();
    let next = d.headline.year_end.format("%y").to_string();
    format!("{y}-{next}")
}

/// `Safeguarding compliance, week to 23/11/2026: 3 overdue now, 1 due soon, 8 breaches this
/// financial year 2026-27`: the headline numbers under their names (a partnership's
/// authority's report starts with its name: `Hartlepool: Safeguarding compliance, ...`).
pub fn subject(d: &Digest) -> String {
    let h = &d.headline;
    let by = d
        .authority
        .as_deref()
        .map(|a| format!("{a}: "))
        .unwrap_or_default();
    format!(
        "{by}Safeguarding compliance, week to {}: {} overdue now, {} due soon, {} breach{} this financial year {}",
        dmy(d.as_of),
        h.overdue_now,
        h.due_soon,
        h.breaches_this_year,
        if h.breaches_this_year == 1 { "" } else { "es" },
        financial_year(d)
    )
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "10 working days overdue", "3 working days left", "due today".
fn days_text(it: &Item) -> String {
    match it.working_days {
        Some(n) if n < 0 => format!("{} overdue", plural(-n, "working day", "working days")),
        Some(0) => "due today".to_string(),
        Some(n) => format!("{} left", plural(n, "working day", "working days")),
        None => String::new(),
    }
}

fn due_text(it: &Item) -> String {
    it.due.map(dmy).unwrap_or_else(|| "no date yet".to_string())
}

fn child_text(it: &Item) -> String {
    if it.child_id.is_empty() {
        "child ID not recorded".to_string()
    } else {
        format!("child {}", it.child_id)
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "the report".to_string())
}

/// Where the workbook (or, without one, the findings) is: one sentence, by file name only.
fn where_text(r: &Report) -> String {
    match (r.workbook, r.findings) {
        (Some(w), _) => format!(
            "The workbook {} is attached: every case, every breach, the data-quality list and the rules applied.",
            file_name(w)
        ),
        (None, Some(f)) => format!(
            "No workbook is attached: this run wrote none. The findings file {} is with the team that runs the audit.",
            file_name(f)
        ),
        (None, None) => "No workbook is attached: this run wrote none.".to_string(),
    }
}

/// Whether the lists name more than one local authority: then they show it.
fn several_authorities(d: &Digest) -> bool {
    let mut it = d
        .overdue
        .iter()
        .chain(&d.due_soon)
        .chain(&d.panel_overdue)
        .map(|i| &*i.local_authority);
    match it.next() {
        Some(first) => it.any(|la| la != first),
        None => false,
    }
}

fn changes_lines(changes: &str) -> impl Iterator<Item = &str> {
    changes
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
}

fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("- ").or_else(|| t.strip_prefix("* "))
}

fn more_in(r: &Report) -> &'static str {
    if r.workbook.is_some() {
        "the workbook"
    } else {
        "the findings file"
    }
}

/// A list of the email: its title, a note, its items and what its number column means.
struct List<'a> {
    title: String,
    note: String,
    items: &'a [Item],
}

fn lists(d: &Digest) -> Vec<List<'_>> {
    let h = &d.headline;
    let mut out = vec![
        List {
            title: format!("Overdue now ({})", d.overdue.len()),
            note: format!(
                "Not done and past the due date, as of {}. Most recent due date first: what can still be put right comes first.",
                dmy(d.as_of)
            ),
            items: &d.overdue,
        },
        List {
            title: format!("Due soon ({})", d.due_soon.len()),
            note: format!(
                "Not yet done and due by {} (the next {DUE_SOON_WORKING_DAYS} working days). Duties whose clock has not started are not here.",
                dmy(h.due_soon_until)
            ),
            items: &d.due_soon,
        },
    ];
    if !d.panel_overdue.is_empty() {
        out.push(List {
            title: format!(
                "The Panel's own timescales, overdue ({})",
                d.panel_overdue.len()
            ),
            note: "The Panel's reply to a rapid review is the Panel's duty, not the partnership's: it is not counted above. Chase it if it holds up the review.".to_string(),
            items: &d.panel_overdue,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Plain text

fn text_figures(out: &mut String, title: &str, figures: &[Figure]) {
    out.push_str(&format!("{title}\n{}\n", "-".repeat(title.chars().count())));
    let width = figures
        .iter()
        .map(|f| f.label().chars().count())
        .max()
        .unwrap_or(0);
    for f in figures {
        out.push_str(&format!("  {:<width$}  {:>5}\n", f.label(), f.value));
    }
    out.push('\n');
}

fn text_list(out: &mut String, list: &List, las: bool, more_in: &str) {
    out.push_str(&format!(
        "{}\n{}\n{}\n",
        list.title,
        "-".repeat(list.title.chars().count()),
        list.note
    ));
    if list.items.is_empty() {
        out.push_str("  None.\n\n");
        return;
    }
    for it in list.items.iter().take(MAX_ROWS) {
        let la = if las && !it.local_authority.is_empty() {
            format!(" ({})", it.local_authority)
        } else {
            String::new()
        };
        out.push_str(&format!("* {}{la}, {}\n", it.case_ref, child_text(it)));
        out.push_str(&format!("  {}\n", it.duty));
        let days = days_text(it);
        out.push_str(&format!(
            "  Due {}{}. Who acts: {}\n",
            due_text(it),
            if days.is_empty() {
                String::new()
            } else {
                format!(": {days}")
            },
            it.actor.label()
        ));
    }
    if list.items.len() > MAX_ROWS {
        out.push_str(&format!(
            "  ... and {} more in {more_in}.\n",
            list.items.len() - MAX_ROWS
        ));
    }
    out.push('\n');
}

/// The plain-text body.
pub fn text_body(r: &Report) -> String {
    let d = r.digest;
    let mut out = String::new();
    out.push_str(&format!(
        "Safeguarding compliance, week to {}\n",
        dmy(d.as_of)
    ));
    out.push_str(&format!(
        "Audit as of {} {} (the week {} to {})\n\n",
        d.as_of.format("%A"),
        dmy(d.as_of),
        dmy(d.week_start),
        dmy(d.as_of)
    ));
    out.push_str(&format!("{}\n\n", d.sentence()));
    text_figures(
        &mut out,
        "Headline figures (the partnership's duties)",
        &d.headline.figures(),
    );
    text_figures(
        &mut out,
        "Beside them, not counted in them: the Panel's own timescales",
        &d.headline.panel_figures(),
    );
    out.push_str(&format!("{}\n\n", log_text(r)));
    if let Some(changes) = r.changes {
        out.push_str("What changed since the last report\n----------------------------------\n");
        for line in changes_lines(changes) {
            match bullet(line) {
                Some(b) => out.push_str(&format!("* {b}\n")),
                None => out.push_str(&format!("{line}\n")),
            }
        }
        out.push('\n');
    }
    let las = several_authorities(d);
    for list in lists(d) {
        text_list(&mut out, &list, las, more_in(r));
    }
    out.push_str(&where_text(r));
    out.push_str("\n\n");
    out.push_str(&footer_text());
    out.push('\n');
    out
}

/// "Cases: 4, 3 of them open (a duty overdue or pending). Data gaps: 2 duties cannot be decided
/// for want of data (the workbook's Data quality sheet lists them)."
fn log_text(r: &Report) -> String {
    let d = r.digest;
    format!(
        "Cases: {}, {} of them open (a duty overdue or pending). Data gaps: {} dut{} cannot be decided for want of data ({}).",
        d.cases,
        d.open_cases,
        d.data_gaps,
        if d.data_gaps == 1 { "y" } else { "ies" },
        if r.workbook.is_some() {
            "the workbook's Data quality sheet lists them"
        } else {
            "the data-quality list names them"
        }
    )
}

fn footer_text() -> String {
    format!(
        "Sent by safeguard-audit {}. Cases are named by case reference and child ID only. Working days exclude weekends and bank holidays in England and Wales.",
        env!("CARGO_PKG_VERSION")
    )
}
// ---------------------------------------------------------------------------------------------
// The message

/// Builds the message: multipart/mixed of multipart/alternative (text, HTML) and the workbook.
pub fn build(settings: &Settings, r: &Report) -> Result<Message, ComposeError> {
    let mut b = Message::builder()
        .from(settings.from.clone())
        .subject(subject(r.digest))
        .message_id(None);
    for m in &settings.to {
        b = b.to(m.clone());
    }
    for m in &settings.cc {
        b = b.cc(m.clone());
    }
    let bodies = MultiPart::alternative()
        .singlepart(SinglePart::plain(text_body(r)))
        .singlepart(SinglePart::html(html_body(r)));
    let body = match r.workbook {
        None => MultiPart::mixed().multipart(bodies),
        Some(w) => {
            let bytes = std::fs::read(w).map_err(|e| ComposeError::Workbook {
                file: w.display().to_string(),
                reason: e.to_string(),
            })?;
            let ct = ContentType::parse(XLSX_CONTENT_TYPE)
                .map_err(|e| ComposeError::Build(e.to_string()))?;
            MultiPart::mixed()
                .multipart(bodies)
                .singlepart(Attachment::new(file_name(w)).body(bytes, ct))
        }
    };
    b.multipart(body)
        .map_err(|e| ComposeError::Build(e.to_string()))
}
