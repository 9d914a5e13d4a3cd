//! The weekly email: subject, plain-text and HTML bodies from the [`Digest`], and the workbook
//! attached. Cases are named by case reference and child ID only; everything that comes from a
//! log is HTML-escaped. The HTML is simple tables with inline styles (no `<style>`, no scripts,
//! no remote images) so that it renders the same in Outlook.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::Message;

use crate::report::digest::{Digest, Item, DUE_SOON_WORKING_DAYS};

use super::settings::Settings;

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

/// `Safeguarding compliance, week to 23/11/2026: 3 overdue, 2 due soon`.
pub fn subject(d: &Digest) -> String {
    format!(
        "Safeguarding compliance, week to {}: {} overdue, {} due soon",
        dmy(d.as_of),
        d.overdue.len(),
        d.due_soon.len()
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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

/// The headline figures, in order: label and value.
pub fn headline(d: &Digest) -> Vec<(String, usize)> {
    vec![
        ("Cases".to_string(), d.cases),
        ("Open cases".to_string(), d.open_cases),
        ("Overdue".to_string(), d.overdue.len()),
        (
            format!("Due in the next {DUE_SOON_WORKING_DAYS} working days"),
            d.due_soon.len(),
        ),
        (
            format!("Breaches this financial year (from {})", dmy(d.year_start)),
            d.breaches_this_year,
        ),
        ("Data gaps (unknown findings)".to_string(), d.data_gaps),
    ]
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Shows a path absolute where it can, so the reader can find it.
fn shown(p: &Path) -> String {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| PathBuf::from(p))
        .display()
        .to_string()
}

/// Where the workbook (or, without one, the findings) is: one sentence.
fn where_text(r: &Report) -> String {
    match (r.workbook, r.findings) {
        (Some(w), _) => format!(
            "The workbook is attached ({}) and saved at {}.",
            file_name(w),
            shown(w)
        ),
        (None, Some(f)) => format!(
            "No workbook is attached: this run wrote no workbook. The findings file is saved at {}.",
            shown(f)
        ),
        (None, None) => "No workbook is attached: this run wrote no workbook.".to_string(),
    }
}

/// Whether the lists name more than one local authority: then both tables show it.
fn several_authorities(d: &Digest) -> bool {
    let mut it = d
        .overdue
        .iter()
        .chain(&d.due_soon)
        .map(|i| i.local_authority.as_str());
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

// ---------------------------------------------------------------------------------------------
// Plain text

fn text_list(
    out: &mut String,
    title: &str,
    note: Option<&str>,
    items: &[Item],
    las: bool,
    more_in: &str,
) {
    let heading = format!("{title} ({})", items.len());
    out.push_str(&format!(
        "{heading}\n{}\n",
        "-".repeat(heading.chars().count())
    ));
    if let Some(note) = note {
        out.push_str(&format!("{note}\n"));
    }
    if items.is_empty() {
        out.push_str("  None.\n\n");
        return;
    }
    for it in items.iter().take(MAX_ROWS) {
        let child = if it.child_id.is_empty() {
            "child ID not recorded".to_string()
        } else {
            format!("child {}", it.child_id)
        };
        let la = if las && !it.local_authority.is_empty() {
            format!(" ({})", it.local_authority)
        } else {
            String::new()
        };
        out.push_str(&format!("* {}{la}, {child}\n", it.case_ref));
        out.push_str(&format!("  {}\n", it.duty));
        let days = days_text(it);
        out.push_str(&format!(
            "  Due {}{}\n",
            due_text(it),
            if days.is_empty() {
                String::new()
            } else {
                format!(": {days}")
            }
        ));
    }
    if items.len() > MAX_ROWS {
        out.push_str(&format!(
            "  ... and {} more in {more_in}.\n",
            items.len() - MAX_ROWS
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
    out.push_str("Headline figures\n----------------\n");
    let rows = headline(d);
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (label, n) in rows {
        out.push_str(&format!("  {label:<width$}  {n:>5}\n"));
    }
    out.push('\n');
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
    let more_in = if r.workbook.is_some() {
        "the workbook"
    } else {
        "the findings file"
    };
    let las = several_authorities(d);
    text_list(&mut out, "Overdue", None, &d.overdue, las, more_in);
    text_list(
        &mut out,
        &format!("Due in the next {DUE_SOON_WORKING_DAYS} working days"),
        Some(&due_soon_note(d)),
        &d.due_soon,
        las,
        more_in,
    );
    out.push_str(&where_text(r));
    out.push_str("\n\n");
    out.push_str(&footer_text());
    out.push('\n');
    out
}

fn due_soon_note(d: &Digest) -> String {
    format!(
        "Not yet done and due on or before {}.",
        dmy(d.due_soon_until)
    )
}

fn footer_text() -> String {
    format!(
        "Sent by safeguard-audit {}. Cases are named by case reference and child ID only. Working days exclude weekends and bank holidays in England and Wales.",
        env!("CARGO_PKG_VERSION")
    )
}

// ---------------------------------------------------------------------------------------------
// HTML

const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";
const INK: &str = "#1f2937";
const MUTED: &str = "#4b5563";
const RULE: &str = "#d1d5db";

fn html_heading(out: &mut String, text: &str) {
    out.push_str(&format!(
        "<tr><td style=\"padding:20px 24px 8px 24px;{FONT}\"><h2 style=\"margin:0;{FONT}font-size:18px;line-height:24px;color:{INK};\">{}</h2></td></tr>\n",
        escape_html(text)
    ));
}

fn html_paragraph(out: &mut String, html: &str) {
    out.push_str(&format!(
        "<tr><td style=\"padding:4px 24px 8px 24px;{FONT}font-size:14px;line-height:20px;color:{INK};\">{html}</td></tr>\n"
    ));
}

fn html_figures(out: &mut String, d: &Digest) {
    let rows = headline(d);
    out.push_str(
        "<tr><td style=\"padding:8px 24px 4px 24px;\">\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;width:100%;\">\n",
    );
    for chunk in rows.chunks(3) {
        out.push_str("<tr>\n");
        for (i, (label, n)) in chunk.iter().enumerate() {
            // Overdue and breaches in red, due soon in amber, when there are any.
            let (bg, fg) = match (label.as_str(), *n) {
                (_, 0) => ("#f3f4f6", INK),
                ("Overdue", _) => ("#fde8e8", "#9b1c1c"),
                (l, _) if l.starts_with("Breaches") => ("#fde8e8", "#9b1c1c"),
                (l, _) if l.starts_with("Due in") => ("#fff4e5", "#8a4b00"),
                _ => ("#f3f4f6", INK),
            };
            let gap = if i + 1 < chunk.len() {
                "border-right:8px solid #ffffff;".to_string()
            } else {
                String::new()
            };
            out.push_str(&format!(
                "<td width=\"33%\" valign=\"top\" bgcolor=\"{bg}\" style=\"width:33%;background-color:{bg};{gap}border-bottom:8px solid #ffffff;padding:10px 12px;{FONT}\">\
<div style=\"{FONT}font-size:26px;line-height:30px;font-weight:bold;color:{fg};\">{n}</div>\
<div style=\"{FONT}font-size:13px;line-height:17px;color:{fg};\">{}</div></td>\n",
                escape_html(label)
            ));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</td></tr>\n");
}

fn html_list(
    out: &mut String,
    title: &str,
    note: Option<&str>,
    items: &[Item],
    las: bool,
    days_header: &str,
    more_in: &str,
) {
    html_heading(out, &format!("{title} ({})", items.len()));
    if let Some(note) = note {
        html_paragraph(out, &escape_html(note));
    }
    if items.is_empty() {
        html_paragraph(out, "None.");
        return;
    }
    let th = format!(
        "style=\"{FONT}font-size:13px;line-height:17px;font-weight:bold;color:{INK};text-align:left;vertical-align:bottom;padding:6px 8px;border:1px solid {RULE};background-color:#e5e7eb;\" bgcolor=\"#e5e7eb\""
    );
    let td = format!(
        "style=\"{FONT}font-size:13px;line-height:17px;color:{INK};text-align:left;vertical-align:top;padding:6px 8px;border:1px solid {RULE};word-wrap:break-word;overflow-wrap:break-word;\""
    );
    let td_date = format!(
        "style=\"{FONT}font-size:13px;line-height:17px;color:{INK};text-align:left;vertical-align:top;padding:6px 8px;border:1px solid {RULE};white-space:nowrap;\""
    );
    let td_num = format!(
        "style=\"{FONT}font-size:13px;line-height:17px;color:{INK};text-align:right;vertical-align:top;padding:6px 8px;border:1px solid {RULE};white-space:nowrap;\""
    );
    // Fixed column widths keep both tables aligned: content widths plus 17px of padding and
    // border per column make up the 632px inside the margins.
    let duty_width = if las { 126 } else { 228 };
    out.push_str(&format!(
        "<tr><td style=\"padding:4px 24px 8px 24px;\">\n<table cellpadding=\"0\" cellspacing=\"0\" border=\"0\" width=\"100%\" style=\"border-collapse:collapse;width:100%;table-layout:fixed;\">\n<tr><th scope=\"col\" width=\"95\" {th}>Case reference</th>{}<th scope=\"col\" width=\"70\" {th}>Child ID</th><th scope=\"col\" width=\"{duty_width}\" {th}>Duty</th><th scope=\"col\" width=\"70\" {th}>Due</th><th scope=\"col\" width=\"80\" {th}>{}</th></tr>\n",
        if las {
            format!("<th scope=\"col\" width=\"85\" {th}>Local authority</th>")
        } else {
            String::new()
        },
        escape_html(days_header)
    ));
    for it in items.iter().take(MAX_ROWS) {
        let days = match it.working_days {
            Some(n) => n.abs().to_string(),
            None => String::new(),
        };
        out.push_str(&format!(
            "<tr><td {td}>{}</td>{}<td {td}>{}</td><td {td}>{}</td><td {td_date}>{}</td><td {td_num}>{}</td></tr>\n",
            escape_html(&it.case_ref),
            if las {
                format!("<td {td}>{}</td>", escape_html(&it.local_authority))
            } else {
                String::new()
            },
            escape_html(&it.child_id),
            escape_html(&it.duty),
            escape_html(&due_text(it)),
            escape_html(&days),
        ));
    }
    out.push_str("</table>\n</td></tr>\n");
    if items.len() > MAX_ROWS {
        html_paragraph(
            out,
            &escape_html(&format!(
                "... and {} more in {more_in}.",
                items.len() - MAX_ROWS
            )),
        );
    }
}

/// The HTML body: a complete document.
pub fn html_body(r: &Report) -> String {
    let d = r.digest;
    let title = format!("Safeguarding compliance, week to {}", dmy(d.as_of));
    let mut out = String::new();
    out.push_str("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n");
    out.push_str("<html lang=\"en-GB\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\" />\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\" />\n");
    out.push_str(&format!(
        "<title>{}</title>\n</head>\n",
        escape_html(&title)
    ));
    out.push_str(&format!(
        "<body style=\"margin:0;padding:0;background-color:#f3f4f6;\" bgcolor=\"#f3f4f6\">\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" bgcolor=\"#f3f4f6\" style=\"background-color:#f3f4f6;\">\n<tr><td align=\"center\" style=\"padding:16px 8px;\">\n<table role=\"presentation\" width=\"680\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" bgcolor=\"#ffffff\" style=\"width:680px;background-color:#ffffff;border:1px solid {RULE};\">\n"
    ));
    // Banner.
    out.push_str(&format!(
        "<tr><td bgcolor=\"#1f3a5f\" style=\"background-color:#1f3a5f;padding:18px 24px;{FONT}\"><h1 style=\"margin:0;{FONT}font-size:22px;line-height:28px;color:#ffffff;\">{}</h1><p style=\"margin:4px 0 0 0;{FONT}font-size:14px;line-height:20px;color:#dbe4f0;\">Audit as of {} {} &middot; the week {} to {}</p></td></tr>\n",
        escape_html(&title),
        d.as_of.format("%A"),
        dmy(d.as_of),
        dmy(d.week_start),
        dmy(d.as_of)
    ));
    html_heading(&mut out, "Headline figures");
    html_figures(&mut out, d);
    if let Some(changes) = r.changes {
        html_heading(&mut out, "What changed since the last report");
        let mut html = String::new();
        let mut in_list = false;
        for line in changes_lines(changes) {
            match bullet(line) {
                Some(b) => {
                    if !in_list {
                        html.push_str("<ul style=\"margin:0;padding-left:20px;\">");
                        in_list = true;
                    }
                    html.push_str(&format!(
                        "<li style=\"margin:0 0 4px 0;\">{}</li>",
                        escape_html(b)
                    ));
                }
                None => {
                    if in_list {
                        html.push_str("</ul>");
                        in_list = false;
                    }
                    html.push_str(&format!(
                        "<p style=\"margin:0 0 6px 0;\">{}</p>",
                        escape_html(line)
                    ));
                }
            }
        }
        if in_list {
            html.push_str("</ul>");
        }
        html_paragraph(&mut out, &html);
    }
    let las = several_authorities(d);
    let more_in = if r.workbook.is_some() {
        "the workbook"
    } else {
        "the findings file"
    };
    html_list(
        &mut out,
        "Overdue",
        Some("Not done and past the due date."),
        &d.overdue,
        las,
        "Working days overdue",
        more_in,
    );
    html_list(
        &mut out,
        &format!("Due in the next {DUE_SOON_WORKING_DAYS} working days"),
        Some(&due_soon_note(d)),
        &d.due_soon,
        las,
        "Working days left",
        more_in,
    );
    html_heading(&mut out, "The workbook");
    html_paragraph(&mut out, &escape_html(&where_text(r)));
    out.push_str(&format!(
        "<tr><td style=\"padding:16px 24px 20px 24px;border-top:1px solid {RULE};{FONT}font-size:12px;line-height:17px;color:{MUTED};\">{}</td></tr>\n",
        escape_html(&footer_text())
    ));
    out.push_str("</table>\n</td></tr>\n</table>\n</body>\n</html>\n");
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Status;
    use crate::rules::Actor;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn item(case: &str, child: &str, due: &str, wd: i64, status: Status) -> Item {
        Item {
            case_ref: case.to_string(),
            child_id: child.to_string(),
            local_authority: "Testshire".to_string(),
            duty_id: "panel-notification".to_string(),
            duty: "LA notifies the Panel".to_string(),
            actor: Actor::La,
            status,
            start: None,
            due: Some(d(due)),
            done: None,
            working_days: Some(wd),
            breach: true,
            source: String::new(),
        }
    }

    fn digest() -> Digest {
        Digest {
            as_of: d("2026-11-23"),
            week_start: d("2026-11-17"),
            year_start: d("2026-04-01"),
            due_soon_until: d("2026-12-07"),
            cases: 4,
            open_cases: 3,
            overdue: vec![
                item("T-1", "C-1", "2026-11-09", -10, Status::Overdue),
                item("T-3<script>", "C-3<&>\"", "2026-11-17", -4, Status::Overdue),
            ],
            due_soon: vec![item("T-2", "C-2", "2026-11-26", 3, Status::Pending)],
            action: vec![],
            breaches: vec![],
            breaches_this_year: 3,
            data_gaps: 2,
            per_duty: vec![],
            per_authority: vec![],
            per_quarter: vec![],
            changes: None,
        }
    }

    #[test]
    fn subject_counts() {
        assert_eq!(
            subject(&digest()),
            "Safeguarding compliance, week to 23/11/2026: 2 overdue, 1 due soon"
        );
    }

    #[test]
    fn bodies_carry_figures_and_escape_log_text() {
        let dg = digest();
        let r = Report {
            digest: &dg,
            workbook: None,
            findings: Some(Path::new("out/findings-2026-11-23.csv")),
            changes: Some("- T-9 <closed>\nNew: 1"),
        };
        let text = text_body(&r);
        assert!(text.contains("10 working days overdue"), "{text}");
        assert!(text.contains("3 working days left"), "{text}");
        assert!(text.contains("Due 09/11/2026"), "{text}");
        assert!(text.contains("No workbook is attached"), "{text}");
        assert!(text.contains("* T-9 <closed>"), "{text}");
        let html = html_body(&r);
        assert!(html.contains("T-3&lt;script&gt;"), "{html}");
        assert!(html.contains("C-3&lt;&amp;&gt;&quot;"));
        assert!(html.contains("T-9 &lt;closed&gt;"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("<style"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("src="));
        for label in [
            "Cases",
            "Open cases",
            "Overdue",
            "Due in the next 10 working days",
            "Breaches this financial year",
            "Data gaps",
        ] {
            assert!(html.contains(label) && text.contains(label), "{label}");
        }
        let without = Report { changes: None, ..r };
        assert!(!html_body(&without).contains("What changed"));
        assert!(!text_body(&without).contains("What changed"));
    }

    #[test]
    fn long_lists_are_capped() {
        let mut dg = digest();
        dg.overdue = (0..MAX_ROWS + 7)
            .map(|i| item(&format!("T-{i}"), "C", "2026-11-09", -1, Status::Overdue))
            .collect();
        let r = Report {
            digest: &dg,
            workbook: Some(Path::new("compliance-2026-11-23.xlsx")),
            findings: None,
            changes: None,
        };
        assert!(text_body(&r).contains("... and 7 more in the workbook."));
        assert!(html_body(&r).contains("... and 7 more in the workbook."));
        assert_eq!(
            days_text(&item("x", "c", "2026-11-09", -1, Status::Overdue)),
            "1 working day overdue"
        );
        assert_eq!(
            days_text(&item("x", "c", "2026-11-09", 0, Status::Pending)),
            "due today"
        );
    }
}
