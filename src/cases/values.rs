//! Category values: the canonical words of DOMAIN.md, the common council words that mean them
//! (built in), and a source's own words from its configuration.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::fields::{normalise_value, FieldId, Kind, Schema};
use crate::ingest::Cell;

/// The council words file, embedded: per field, canonical value -> the words that mean it.
pub const COUNCIL_WORDS_TOML: &str = include_str!("../../rules/council-words.toml");

/// Per canonical field index: (word normalised, canonical value as written), in file order.
type Words = Vec<Vec<(String, String)>>;

/// The council words, parsed once. The file is checked by a unit test, so a mistake in it
/// cannot ship; were it unreadable, no built-in words would be used (never a wrong one).
fn words() -> &'static Words {
    static WORDS: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| parse_words(COUNCIL_WORDS_TOML).unwrap_or_default())
}

/// Parses a council words file against the canonical fields: every field and value must exist.
pub fn parse_words(text: &str) -> Result<Words, String> {
    let schema = Schema::canonical();
    let mut raw: BTreeMap<String, toml::Table> = toml::from_str(text).map_err(|e| e.to_string())?;
    // Header words are checked here and read by `header_words`.
    if let Some(headers) = raw.remove("headers") {
        for (field, list) in headers {
            schema
                .lookup(&field)
                .ok_or_else(|| format!("[headers] `{field}` is not a field"))?;
            if !list
                .as_array()
                .is_some_and(|a| a.iter().all(|w| w.is_str()))
            {
                return Err(format!("[headers] `{field}` must be a list of labels"));
            }
        }
    }
    let mut out = vec![Vec::new(); schema.len()];
    for (field, table) in raw {
        let f = schema
            .lookup(&field)
            .ok_or_else(|| format!("[{field}] is not a field"))?;
        for (canonical, list) in table {
            if schema.category_index(f, &canonical).is_none() {
                return Err(format!("[{field}] `{canonical}` is not one of its values"));
            }
            let list = list
                .as_array()
                .ok_or_else(|| format!("[{field}] `{canonical}` must be a list of words"))?;
            for w in list {
                let w = w
                    .as_str()
                    .ok_or_else(|| format!("[{field}] `{canonical}`: `{w}` is not text"))?;
                out[f.index()].push((normalise_value(w), canonical.clone()));
            }
        }
    }
    Ok(out)
}

/// The header labels the council words file proposes for a field (`[headers]`).
pub fn header_words(field: &str) -> Vec<String> {
    let Ok(raw) = toml::from_str::<BTreeMap<String, toml::Table>>(COUNCIL_WORDS_TOML) else {
        return Vec::new();
    };
    raw.get("headers")
        .and_then(|h| h.get(field))
        .and_then(|l| l.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The built-in words for a field, as written in the file: (word, canonical value).
pub fn council_words(f: FieldId) -> Vec<(String, String)> {
    let schema = Schema::canonical();
    let Ok(raw) = toml::from_str::<BTreeMap<String, toml::Table>>(COUNCIL_WORDS_TOML) else {
        return Vec::new();
    };
    if f.index() >= schema.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(table) = raw
        .get(schema.name(f))
        .filter(|_| schema.name(f) != "headers")
    {
        for (canonical, list) in table {
            for w in list.as_array().into_iter().flatten() {
                if let Some(w) = w.as_str() {
                    out.push((w.to_string(), canonical.clone()));
                }
            }
        }
    }
    out
}

/// The accepted words of a category field, synonyms included, for a data-quality message:
/// "died (also: death, dead), seriously harmed (also: ...), other". `configured` are a source's
/// own words (normalised word -> value index).
pub fn accepted_words(
    schema: &Schema,
    f: FieldId,
    configured: Option<&HashMap<String, u8>>,
) -> String {
    let Kind::Category(values) = schema.def(f).kind else {
        return String::new();
    };
    let builtin = council_words(f);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut also: Vec<String> = builtin
                .iter()
                .filter(|(_, c)| normalise_value(c) == normalise_value(v))
                .map(|(w, _)| w.clone())
                .collect();
            if let Some(m) = configured {
                let mut own: Vec<&String> = m
                    .iter()
                    .filter(|(_, idx)| **idx as usize == i)
                    .map(|(w, _)| w)
                    .collect();
                own.sort();
                also.extend(own.into_iter().cloned());
            }
            if also.is_empty() {
                v.to_string()
            } else {
                format!("{v} (also: {})", also.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Resolves a source's configured words (`[sources.values.<field>]`) to canonical indices.
/// An unknown field or canonical value is an error naming the key.
pub fn resolve_value_map(
    schema: &Schema,
    config: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<Vec<HashMap<String, u8>>, String> {
    let mut maps = vec![HashMap::new(); schema.len()];
    for (field, words) in config {
        let f = schema.lookup(field).ok_or_else(|| {
            format!("[sources.values.{field}]: `{field}` is not a field with values")
        })?;
        let Kind::Category(allowed) = schema.def(f).kind else {
            return Err(format!(
                "[sources.values.{field}]: `{field}` is not a field with a fixed list of values"
            ));
        };
        for (word, canonical) in words {
            let idx = schema.category_index(f, canonical).ok_or_else(|| {
                format!(
                    "[sources.values.{field}] \"{word}\" = \"{canonical}\": `{canonical}` is not one of {}",
                    allowed.join(", ")
                )
            })?;
            maps[f.index()].insert(normalise_value(word), idx);
        }
    }
    Ok(maps)
}

/// Reads a category cell: configured words first, then the canonical values, then the built-in
/// council words. `None` when unrecognised.
pub fn category(
    schema: &Schema,
    f: FieldId,
    cell: &Cell,
    configured: Option<&HashMap<String, u8>>,
) -> Option<u8> {
    // Called for every category cell of every row: no allocation unless the text needs
    // normalising (same result as `normalise_value` and `Schema::category_index`).
    let text: Cow<'_, str> = match cell {
        Cell::Text(s) => normalised(s),
        Cell::Bool(true) => Cow::Borrowed("true"),
        Cell::Bool(false) => Cow::Borrowed("false"),
        _ => return None,
    };
    if let Some(i) = configured.and_then(|m| m.get(text.as_ref())) {
        return Some(*i);
    }
    let Kind::Category(values) = schema.def(f).kind else {
        return None;
    };
    if let Some(i) = values.iter().position(|v| same_value(v, &text)) {
        return Some(i as u8);
    }
    let stripped = text.trim_end_matches(['.', ';', ',']);
    words()
        .get(f.index())?
        .iter()
        .find(|(w, _)| *w == stripped)
        .and_then(|(_, c)| {
            values
                .iter()
                .position(|v| normalised_chars(v).eq(normalised_chars(c)))
        })
        .map(|i| i as u8)
}

/// Whether `normalise_value(word) == norm`, for `norm` already normalised. Canonical words are
/// plain ASCII with single spaces, so a case-insensitive comparison is the same thing.
fn same_value(word: &str, norm: &str) -> bool {
    let plain = word.is_ascii()
        && !word.starts_with(' ')
        && !word.ends_with(' ')
        && !word.contains("  ")
        && !word.bytes().any(|b| b.is_ascii_whitespace() && b != b' ');
    if plain {
        word.eq_ignore_ascii_case(norm)
    } else {
        normalised_chars(word).eq(norm.chars())
    }
}

/// The characters of `normalise_value(s)`, without building it.
fn normalised_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split_whitespace().enumerate().flat_map(|(i, w)| {
        (i > 0)
            .then_some(' ')
            .into_iter()
            .chain(w.chars().flat_map(char::to_lowercase))
    })
}

/// `normalise_value(s)`, borrowed when `s` is already normalised (the usual case).
fn normalised(s: &str) -> Cow<'_, str> {
    let mut prev_space = true;
    let already = s.chars().all(|c| {
        let ok = if c == ' ' {
            !prev_space
        } else if c.is_ascii() {
            !c.is_ascii_uppercase() && !c.is_ascii_whitespace()
        } else {
            let mut l = c.to_lowercase();
            !c.is_whitespace() && l.next() == Some(c) && l.next().is_none()
        };
        prev_space = c == ' ';
        ok
    }) && !s.ends_with(' ');
    if already {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(normalise_value(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields;

    #[test]
    fn canonical_builtin_and_configured_words() {
        let s = Schema::canonical();
        let cat = |f, t: &str| category(&s, f, &Cell::Text(t), None);
        assert_eq!(
            cat(fields::OUTCOME, " Died "),
            s.category_index(fields::OUTCOME, "died")
        );
        assert_eq!(
            cat(fields::CHILD_STATUS, "LAC"),
            s.category_index(fields::CHILD_STATUS, "looked after")
        );
        assert_eq!(
            cat(fields::CHILD_STATUS, "cpp"),
            s.category_index(fields::CHILD_STATUS, "child protection plan")
        );
        assert_eq!(
            cat(fields::ABUSE_NEGLECT, "Y"),
            s.category_index(fields::ABUSE_NEGLECT, "suspected")
        );
        assert_eq!(
            category(&s, fields::ABUSE_NEGLECT, &Cell::Bool(true), None),
            s.category_index(fields::ABUSE_NEGLECT, "suspected")
        );
        assert_eq!(cat(fields::OUTCOME, "see notes"), None);

        let mut cfg = BTreeMap::new();
        cfg.insert(
            "child_status".to_string(),
            BTreeMap::from([("Placed".to_string(), "looked after".to_string())]),
        );
        let maps = resolve_value_map(&s, &cfg).unwrap();
        assert_eq!(
            category(
                &s,
                fields::CHILD_STATUS,
                &Cell::Text("placed"),
                Some(&maps[fields::CHILD_STATUS.index()])
            ),
            s.category_index(fields::CHILD_STATUS, "looked after")
        );
    }

    #[test]
    fn fast_normalising_matches_normalise_value() {
        for s in [
            "",
            " ",
            "died",
            " Died ",
            "not  known to CSC",
            "Looked\tAfter",
            "a b",
            "a b ",
            " a",
            "\u{2003}x",
            "\u{1C5}x",
            "\u{130}",
            "yes - known",
            "\u{2713}",
            "Not Known  to csc",
            "yot",
            "LOOKED after",
        ] {
            assert_eq!(normalised(s), normalise_value(s), "{s:?}");
            for word in ["not known to CSC", "YOT", "looked after", " odd  word "] {
                assert_eq!(
                    same_value(word, &normalise_value(s)),
                    normalise_value(word) == normalise_value(s),
                    "{word:?} {s:?}"
                );
            }
            assert_eq!(
                normalised_chars(s).collect::<String>(),
                normalise_value(s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn the_council_words_file_is_valid_and_names_the_old_vocabulary() {
        let w = parse_words(COUNCIL_WORDS_TOML).unwrap();
        let s = Schema::canonical();
        let cat = |f, t: &str| category(&s, f, &Cell::Text(t), None);
        for (f, word, value) in [
            (fields::CHILD_STATUS, "CLA", "looked after"),
            (fields::CHILD_STATUS, "CIN", "child in need"),
            (fields::CHILD_STATUS, "cp", "child protection plan"),
            (fields::ABUSE_NEGLECT, "Yes - suspected", "suspected"),
            (fields::DECISION, "NFA", "no review"),
            (fields::DECISION, "lcspr.", "local review"),
            (fields::OUTCOME, "SH", "seriously harmed"),
        ] {
            assert_eq!(cat(f, word), s.category_index(f, value), "{word}");
        }
        assert!(w[fields::DECISION.index()].len() >= 10);
        assert!(parse_words("[colour]\nred = [\"r\"]").is_err());
        assert!(parse_words("[outcome]\nalive = [\"ok\"]").is_err());
        let msg = accepted_words(&s, fields::DECISION, None);
        assert!(
            msg.contains("no review (also: NFA, no further action, none)"),
            "{msg}"
        );
    }

    #[test]
    fn bad_configured_words_name_the_key() {
        let s = Schema::canonical();
        let cfg = BTreeMap::from([(
            "child_status".to_string(),
            BTreeMap::from([("LAC".to_string(), "in care".to_string())]),
        )]);
        let e = resolve_value_map(&s, &cfg).unwrap_err();
        assert!(
            e.contains("[sources.values.child_status]") && e.contains("in care"),
            "{e}"
        );
        let cfg = BTreeMap::from([("colour".to_string(), BTreeMap::new())]);
        assert!(resolve_value_map(&s, &cfg).unwrap_err().contains("colour"));
    }
}
