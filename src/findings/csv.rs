//! The findings file: `findings-<as-of>.csv`, one row per case and duty, exactly as DOMAIN.md
//! defines it (`case_ref,duty,status,start,due,done,working_days_late`).

use std::io::Write;

use chrono::NaiveDate;

use super::Finding;
use crate::rules::RuleSet;

/// The header row.
pub const HEADER: &str = "case_ref,duty,status,start,due,done,working_days_late";

fn date(d: Option<NaiveDate>, buf: &mut String) {
    if let Some(d) = d {
        use std::fmt::Write as _;
        let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
    }
}

/// Quotes a field for CSV if it needs it.
fn field(s: &str, buf: &mut String) {
    if s.contains([',', '"', '\n', '\r']) {
        buf.push('"');
        buf.push_str(&s.replace('"', "\"\""));
        buf.push('"');
    } else {
        buf.push_str(s);
    }
}

/// Appends one finding as a CSV line.
pub fn line(case_ref: &str, f: &Finding, rules: &RuleSet, buf: &mut String) {
    field(case_ref, buf);
    buf.push(',');
    buf.push_str(
        rules
            .duties
            .get(f.duty as usize)
            .map(|d| d.id.as_str())
            .unwrap_or("?"),
    );
    buf.push(',');
    buf.push_str(f.status.id());
    buf.push(',');
    date(f.start, buf);
    buf.push(',');
    date(f.due, buf);
    buf.push(',');
    date(f.done, buf);
    buf.push(',');
    if let Some(n) = f.working_days_late {
        buf.push_str(&n.to_string());
    }
    buf.push('\n');
}

/// Writes findings; `case_ref` names each finding's case.
pub fn write<'a, W: Write + ?Sized>(
    out: &mut W,
    findings: impl IntoIterator<Item = &'a Finding>,
    case_ref: impl Fn(u32) -> &'a str,
    rules: &RuleSet,
) -> std::io::Result<()> {
    let mut buf = String::with_capacity(1 << 16);
    buf.push_str(HEADER);
    buf.push('\n');
    for f in findings {
        line(case_ref(f.case), f, rules, &mut buf);
        if buf.len() > 1 << 15 {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())
}
