//! Checking a configuration without running it (`check-config`): the file parses, its rules
//! load, its sources exist and their column and value mappings name real fields.

use std::path::Path;

use crate::cli::exit;
use crate::config::Config;

/// Lines describing what was checked, or an exit code and a message naming the file and key.
pub fn check_config(path: &Path) -> Result<Vec<String>, (u8, String)> {
    let config = Config::load(path).map_err(|e| (exit::CONFIG, e.to_string()))?;
    let (rules, _) = crate::audit::prepare(&config).map_err(|e| (exit::CONFIG, e.to_string()))?;
    let mut lines = vec![format!(
        "rules: {} duties from {}",
        rules.duties.len(),
        rules.files.join(" + ")
    )];
    if config.sources.is_empty() {
        return Err((
            exit::CONFIG,
            format!(
                "configuration file {}: no [[sources]]",
                config.file.display()
            ),
        ));
    }
    for (i, s) in config.sources.iter().enumerate() {
        for field in s.columns.keys() {
            if rules.schema.lookup(field).is_none() {
                return Err((
                    exit::CONFIG,
                    format!(
                        "configuration file {}: sources[{i}].columns.{field}: `{field}` is not a field; fields are: {}",
                        config.file.display(),
                        rules.schema.names().join(", ")
                    ),
                ));
            }
        }
        crate::cases::values::resolve_value_map(&rules.schema, &s.values).map_err(|m| {
            (
                exit::CONFIG,
                format!(
                    "configuration file {}: sources[{i}]: {m}",
                    config.file.display()
                ),
            )
        })?;
        let files = crate::ingest::expand(&s.path).map_err(|e| (exit::INPUT, e.to_string()))?;
        lines.push(format!(
            "source {}: {} file{} for {}",
            i + 1,
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            s.path.display()
        ));
    }
    if !config.non_working_days.is_empty() {
        lines.push(format!(
            "local non-working days: {}",
            config.non_working_days.len()
        ));
    }
    lines.push(format!("reports: {}", config.out_dir.display()));
    // [email], as `run` will use it (the password must be in its environment variable).
    if config.email.is_some() {
        let settings = crate::email::Settings::resolve(&config, crate::email::Password::Required)
            .map_err(|e| (exit::CONFIG, e.to_string()))?;
        lines.push(settings.describe());
    } else {
        lines.push("email: no [email] section (`run` needs one to send the report)".to_string());
    }
    lines.push("configuration OK".to_string());
    Ok(lines)
}
