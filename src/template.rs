//! A new council's starting kit (`init`): a configuration with every section commented, and a
//! blank incident-log template whose headers are exactly the labels the reader recognises
//! without configuration, with an instructions sheet, drop-down lists for every category
//! column, date formatting, a frozen header row and an example for every column.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};

use crate::fields::{Kind, Schema};

/// The configuration file `init` writes.
pub const CONFIG_NAME: &str = "safeguard-audit.toml";
/// The template `init` writes.
pub const TEMPLATE_NAME: &str = "incident-log.xlsx";
/// The template's log sheet.
pub const LOG_SHEET: &str = "Log";
/// Rows given drop-down lists and date formatting.
const ROWS: u32 = 5000;

/// Why the kit could not be written.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} already exists; init never overwrites a file. Choose an empty folder.")]
    Exists(String),
    #[error("cannot write {file}: {reason}")]
    Write { file: String, reason: String },
}

/// What each column holds, in plain words, and an example value.
fn explain(name: &str) -> (&'static str, &'static str) {
    match name {
        "case_ref" => ("Your reference for the incident. One per case; repeat it on another row only to add to the same case.", "NS-2026-001"),
        "local_authority" => ("The local authority whose case it is (partnerships of several LAs).", "Northshire"),
        "child_id" => ("A pseudonymous ID for the child from your case-management system. Never the child's name.", "C-104233"),
        "incident_date" => ("The date of the child's death or of the serious harm.", "02/03/2026"),
        "aware_date" => ("The date the local authority became aware of the incident. The 5-working-day notification clock starts here.", "03/03/2026"),
        "outcome" => ("Whether the child died or was seriously harmed (choose from the list).", "seriously harmed"),
        "abuse_neglect" => ("Whether abuse or neglect is known or suspected (choose from the list).", "suspected"),
        "child_status" => ("The child's status with children's social care when it happened (choose from the list).", "child in need"),
        "incident_location" => ("Where it happened. Leave blank for in your area.", "in area"),
        "panel_notified" => ("The date the Child Safeguarding Practice Review Panel was notified. Blank = not yet.", "09/03/2026"),
        "partners_notified" => ("The date the safeguarding partners were told. Blank = not yet.", "09/03/2026"),
        "ofsted_notified" => ("The date Ofsted was notified (looked-after children's deaths). Blank = not yet.", ""),
        "sos_notified" => ("The date the Secretary of State (DfE) was notified. Blank = not yet.", ""),
        "rapid_review_sent" => ("The date the rapid review was sent to the Panel. Blank = not yet.", "27/03/2026"),
        "panel_response" => ("The date the Panel's response to the rapid review arrived.", ""),
        "decision" => ("What the rapid review decided (choose from the list).", "local review"),
        "decision_date" => ("The date of that decision.", "27/03/2026"),
        "decision_notified" => ("The date the Panel, Ofsted and DfE were told of an LCSPR and its reviewer.", ""),
        "reviewer" => ("The name of the commissioned reviewer (a professional, not the child).", ""),
        "report_sent" => ("The date the final LCSPR report was sent to the Panel and the Secretary of State.", ""),
        "published" => ("The date the report was published.", ""),
        "unpublished" => ("The date the report was taken off the website (it must stay up for a year).", ""),
        "review_completed" => ("The date a serious case review was completed.", ""),
        _ => ("A local date field from your rules overlay.", ""),
    }
}

/// Writes the kit into `dir` (created if needed); refuses to overwrite anything.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let config = dir.join(CONFIG_NAME);
    let template = dir.join(TEMPLATE_NAME);
    for p in [&config, &template] {
        if p.exists() {
            return Err(InitError::Exists(p.display().to_string()));
        }
    }
    let write_err = |p: &Path, e: String| InitError::Write {
        file: p.display().to_string(),
        reason: e,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e.to_string()))?;
    let schema = Schema::canonical();
    let mut book = template_workbook(&schema).map_err(|e| write_err(&template, e.to_string()))?;
    let bytes = book
        .save_to_buffer()
        .map_err(|e| write_err(&template, e.to_string()))?;
    crate::atomic_write::write_atomic(&template, |w| w.write_all(&bytes))
        .map_err(|e| write_err(&template, e.to_string()))?;
    crate::atomic_write::write_atomic(&config, |w| w.write_all(config_text().as_bytes()))
        .map_err(|e| write_err(&config, e.to_string()))?;
    Ok(vec![config, template])
}

/// The template workbook: sheet `Log` (headers, drop-downs, date formats, frozen header) and
/// sheet `Instructions` (each column in plain words, with an example).
pub fn template_workbook(schema: &Schema) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#DDEBF7");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let wrap = Format::new().set_text_wrap();
    let log = book.add_worksheet();
    log.set_name(LOG_SHEET)?;
    for (col, f) in schema.ids().enumerate() {
        let col = col as u16;
        let def = schema.def(f);
        log.write_string_with_format(0, col, &def.label, &header)?;
        log.set_column_width(col, (def.label.len() as f64 + 2.0).clamp(12.0, 28.0))?;
        match def.kind {
            Kind::Date => {
                log.set_column_format(col, &date)?;
            }
            Kind::Category(values) => {
                let v = DataValidation::new()
                    .allow_list_strings(values)?
                    .set_input_title(def.label.chars().take(32).collect::<String>())?
                    .set_input_message("Choose from the list.")?
                    .set_error_message(format!("Choose one of: {}", values.join(", ")))?;
                log.add_data_validation(1, col, ROWS, col, &v)?;
            }
            Kind::Text => {}
        }
    }
    log.set_row_height(0, 45)?;
    log.set_freeze_panes(1, 0)?;

    let ins = book.add_worksheet();
    ins.set_name("Instructions")?;
    ins.write_string_with_format(0, 0, "How to keep this log", &header)?;
    ins.write_string_with_format(1, 0, "One row per serious child safeguarding incident on the Log sheet. Keep the headers as they are: safeguard-audit reads them without any configuration. Dates as dates (dd/mm/yyyy). Never enter a child's name, address or NHS number.", &wrap)?;
    for (c, h) in ["Column", "What to enter", "Accepted values", "Example"]
        .iter()
        .enumerate()
    {
        ins.write_string_with_format(3, c as u16, *h, &header)?;
    }
    for (i, f) in schema.ids().enumerate() {
        let def = schema.def(f);
        let (what, example) = explain(&def.name);
        let row = 4 + i as u32;
        let accepted = match def.kind {
            Kind::Date => "a date".to_string(),
            Kind::Category(v) => v.join(", "),
            Kind::Text => "text".to_string(),
        };
        ins.write_string(row, 0, &def.label)?;
        ins.write_string_with_format(row, 1, what, &wrap)?;
        ins.write_string_with_format(row, 2, &accepted, &wrap)?;
        ins.write_string(row, 3, example)?;
    }
    ins.set_column_width(0, 36)?;
    ins.set_column_width(1, 70)?;
    ins.set_column_width(2, 40)?;
    ins.set_column_width(3, 18)?;
    Ok(book)
}

/// The commented configuration `init` writes.
pub fn config_text() -> String {
    format!(
        r#"# safeguard-audit configuration for your council. Paths are relative to this file.
# Check it with:  safeguard-audit check-config --config {CONFIG_NAME}
# Audit with:     safeguard-audit audit --config {CONFIG_NAME}

# Local rules overlays on top of the built-in national baseline (see config/ in the project),
# e.g. a local timescale or the COVID-19 relaxation:
#   rules = ["local-rules.toml"]
rules = []

# The partnership's own non-working days, on top of the England and Wales bank holidays:
#   non_working_days = [ {{ date = 2026-12-29, name = "Council closure" }} ]
non_working_days = []

# The incident log. {TEMPLATE_NAME} is the template: keep the log in it and nothing needs mapping.
[[sources]]
kind = "incident-log"
path = "{TEMPLATE_NAME}"
sheet = "{LOG_SHEET}"
# A log kept in your own layout instead: name your header for each field (a configured header
# the sheet does not have is refused), e.g.
#   [sources.columns]
#   case_ref = "Ref No."
#   aware_date = "Date HoS informed"
# and your own words for the category values, e.g.
#   [sources.values.child_status]
#   "Placed" = "looked after"
# `safeguard-audit inspect YOUR-LOG --write-config new.toml` writes these for you.
# A field your log does not keep at all must be listed, so that leaving it out is a decision
# (its duties are then reported unknown, never guessed):
#   absent = ["ofsted_notified"]

# A referral-form export to cross-check against the log (optional):
# [[sources]]
# kind = "referrals"
# path = "referrals.csv"

[report]
out_dir = "reports"

# The weekly `run` emails the report:
# [email]
# from = "Safeguarding Audit <audit@council.gov.uk>"
# to = ["director@council.gov.uk"]
# smtp_host = "smtp.council.gov.uk"
# tls = "starttls"
# username = "svc-audit"
# password_env = "SAFEGUARD_AUDIT_SMTP_PASSWORD"

# When `schedule` runs the weekly report:
# [schedule]
# cron = "0 7 * * MON"
"#
    )
}
