//! The email's HTML body: one column of tables with inline styles (up to 680 px, no sideways
//! scrolling on a 390 px phone), a fixed-width table for Outlook's Word engine (conditional
//! comments), and no `<style>`, scripts or remote images.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::{
    bullet, changes_lines, child_text, days_text, dmy, due_text, footer_text, lists, log_text,
    more_in, several_authorities, where_text, List, Report, MAX_ROWS,
};
use crate::report::headline::Figure;

pub(super) const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";
pub(super) const INK: &str = "#1f2937";
pub(super) const MUTED: &str = "#4b5563";
pub(super) const RULE: &str = "#d1d5db";
pub(super) const RED: (&str, &str) = ("#fde8e8", "#9b1c1c");
pub(super) const AMBER: (&str, &str) = ("#fff4e5", "#8a4b00");
pub(super) const GREY: (&str, &str) = ("#f3f4f6", INK);

pub(super) fn style(parts: &[&str]) -> String {
    let mut s = String::from(FONT);
    for p in parts {
        s.push_str(p);
    }
    s
}

/// A row of the main column: padding, then the content.
pub(super) fn block(padding: &str, content: Markup) -> Markup {
    html! {
        tr { td style=(format!("padding:{padding};{FONT}font-size:14px;line-height:20px;color:{INK};")) { (content) } }
    }
}

pub(super) fn heading(text: &str) -> Markup {
    block(
        "20px 20px 6px 20px",
        html! { h2 style=(style(&["margin:0;font-size:18px;line-height:24px;color:", INK, ";"])) { (text) } },
    )
}

pub(super) fn figures_table(figures: &[Figure], colours: &[(&str, &str)], small: bool) -> Markup {
    let (size, line) = if small {
        ("18px", "22px")
    } else {
        ("26px", "30px")
    };
    html! {
        table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;" {
            @for (f, (bg, fg)) in figures.iter().zip(colours) {
                tr {
                    td width="64" valign="top" bgcolor=(bg) style=(format!("width:64px;background-color:{bg};border-bottom:6px solid #ffffff;padding:8px 10px;{FONT}font-size:{size};line-height:{line};font-weight:bold;color:{fg};text-align:right;")) { (f.value) }
                    td valign="top" bgcolor=(bg) style=(format!("background-color:{bg};border-bottom:6px solid #ffffff;padding:8px 10px;{FONT}font-size:14px;line-height:19px;color:{fg};")) {
                        strong { (f.name) }
                        br;
                        span style="font-size:13px;" { (f.period) }
                    }
                }
            }
        }
    }
}

pub(super) fn item_table(list: &List, las: bool, more_in: &str) -> Markup {
    let th = format!("{FONT}font-size:13px;line-height:17px;font-weight:bold;color:{INK};text-align:left;vertical-align:bottom;padding:6px 8px;border:1px solid {RULE};background-color:#e5e7eb;");
    let td = format!("{FONT}font-size:13px;line-height:18px;color:{INK};text-align:left;vertical-align:top;padding:6px 8px;border:1px solid {RULE};word-wrap:break-word;overflow-wrap:break-word;word-break:break-word;");
    let small = format!("font-size:12px;line-height:16px;color:{MUTED};");
    html! {
        (heading(&list.title))
        (block("0 20px 6px 20px", html! { (list.note) }))
        @if list.items.is_empty() {
            (block("0 20px 8px 20px", html! { "None." }))
        } @else {
            tr { td style="padding:4px 20px 8px 20px;" {
                table width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;table-layout:fixed;" {
                    tr {
                        th scope="col" width="32%" bgcolor="#e5e7eb" style=(th) { "Case" }
                        th scope="col" width="42%" bgcolor="#e5e7eb" style=(th) { "Duty and who acts" }
                        th scope="col" width="26%" bgcolor="#e5e7eb" style=(th) { "Due" }
                    }
                    @for it in list.items.iter().take(MAX_ROWS) {
                        tr {
                            td style=(td) {
                                strong { (it.case_ref) }
                                br;
                                span style=(small) { (child_text(it)) }
                                @if las && !it.local_authority.is_empty() {
                                    br;
                                    span style=(small) { (it.local_authority) }
                                }
                            }
                            td style=(td) {
                                (it.duty)
                                br;
                                span style=(small) { "Who acts: " (it.actor.label()) }
                            }
                            td style=(td) {
                                span style="white-space:nowrap;" { (due_text(it)) }
                                br;
                                span style=(small) { (days_text(it)) }
                            }
                        }
                    }
                }
            } }
            @if list.items.len() > MAX_ROWS {
                (block("0 20px 8px 20px", html! { "... and " (list.items.len() - MAX_ROWS) " more in " (more_in) "." }))
            }
        }
    }
}

pub(super) fn changes_markup(changes: &str) -> Markup {
    // Consecutive bullets form one list; other lines are paragraphs.
    let mut groups: Vec<(bool, Vec<&str>)> = Vec::new();
    for line in changes_lines(changes) {
        let (is_bullet, text) = match bullet(line) {
            Some(b) => (true, b),
            None => (false, line),
        };
        match groups.last_mut() {
            Some((b, v)) if *b && is_bullet => v.push(text),
            _ => groups.push((is_bullet, vec![text])),
        }
    }
    html! {
        @for (is_bullet, lines) in &groups {
            @if *is_bullet {
                ul style="margin:0 0 6px 0;padding-left:20px;" {
                    @for l in lines { li style="margin:0 0 4px 0;" { (l) } }
                }
            } @else {
                @for l in lines { p style="margin:0 0 6px 0;" { (l) } }
            }
        }
    }
}

/// The HTML body: a complete document.
pub fn html_body(r: &Report) -> String {
    let d = r.digest;
    let h = &d.headline;
    let title = format!("Safeguarding compliance, week to {}", dmy(d.as_of));
    let colour = |n: usize, c: (&'static str, &'static str)| if n == 0 { GREY } else { c };
    let main_colours = [
        colour(h.overdue_now, RED),
        colour(h.breaches_this_year, RED),
        colour(h.due_soon, AMBER),
    ];
    let panel_colours = [("#f9fafb", MUTED); 3];
    let las = several_authorities(d);
    let page = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta http-equiv="Content-Type" content="text/html; charset=utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1.0";
                title { (title) }
            }
            body style="margin:0;padding:0;background-color:#f3f4f6;" bgcolor="#f3f4f6" {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f4f6" style="background-color:#f3f4f6;width:100%;" {
                    tr { td align="center" style="padding:12px 6px;" {
                        // Outlook's Word engine ignores max-width: give it a fixed 680 px.
                        (PreEscaped("<!--[if mso]><table role=\"presentation\" width=\"680\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td><![endif]-->"))
                        table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style=(format!("width:100%;max-width:680px;background-color:#ffffff;border:1px solid {RULE};")) {
                            tr { td bgcolor="#1f3a5f" style=(style(&["background-color:#1f3a5f;padding:16px 20px;"])) {
                                h1 style=(style(&["margin:0;font-size:21px;line-height:27px;color:#ffffff;"])) { (title) }
                                p style=(style(&["margin:4px 0 0 0;font-size:14px;line-height:20px;color:#dbe4f0;"])) {
                                    "Audit as of " (d.as_of.format("%A")) " " (dmy(d.as_of)) " · the week " (dmy(d.week_start)) " to " (dmy(d.as_of))
                                }
                            } }
                            (block("18px 20px 4px 20px", html! {
                                p style=(style(&["margin:0;font-size:17px;line-height:24px;font-weight:bold;color:", INK, ";"])) { (d.sentence()) }
                            }))
                            (heading("Headline figures (the partnership's duties)"))
                            tr { td style="padding:4px 20px 4px 20px;" { (figures_table(&h.figures(), &main_colours, false)) } }
                            @if h.relaxed_overdue > 0 {
                                (block("0 20px 4px 20px", html! { "Also overdue but not a breach, because its timescale was relaxed: " (h.relaxed_overdue) "." }))
                            }
                            (block("10px 20px 2px 20px", html! { strong { "Beside them, not counted in them: the Panel's own timescales" } }))
                            tr { td style="padding:4px 20px 4px 20px;" { (figures_table(&h.panel_figures(), &panel_colours, true)) } }
                            (block("10px 20px 4px 20px", html! { (log_text(r)) }))
                            @if let Some(changes) = r.changes {
                                (heading("What changed since the last report"))
                                (block("4px 20px 8px 20px", changes_markup(changes)))
                            }
                            @for list in lists(d) {
                                (item_table(&list, las, more_in(r)))
                            }
                            (heading("The workbook"))
                            (block("4px 20px 12px 20px", html! { (where_text(r)) }))
                            tr { td style=(format!("padding:14px 20px 18px 20px;border-top:1px solid {RULE};{FONT}font-size:12px;line-height:17px;color:{MUTED};")) { (footer_text()) } }
                        }
                        (PreEscaped("<!--[if mso]></td></tr></table><![endif]-->"))
                    } }
                }
            }
        }
    };
    // A line per table row, so the message (and its snapshot) reads and diffs line by line.
    page.into_string().replace("</tr>", "</tr>\n")
}
