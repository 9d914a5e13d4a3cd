//! Category values: the canonical words of DOMAIN.md, the common council words that mean them
//! (built in), and a source's own words from its configuration.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::fields::{self, normalise_value, FieldId, Kind, Schema};
use crate::ingest::Cell;

/// Words councils commonly use, per field: (word, canonical value).
fn builtin(f: FieldId) -> &'static [(&'static str, &'static str)] {
    match f {
        fields::OUTCOME => &[
            ("death", "died"),
            ("dead", "died"),
            ("deceased", "died"),
            ("child died", "died"),
            ("serious harm", "seriously harmed"),
            ("seriously injured", "seriously harmed"),
            ("serious injury", "seriously harmed"),
            ("harmed", "seriously harmed"),
            ("sh", "seriously harmed"),
            ("none", "other"),
            ("neither", "other"),
        ],
        fields::ABUSE_NEGLECT => &[
            ("known", "known"),
            ("yes - known", "known"),
            ("yes known", "known"),
            ("confirmed", "known"),
            ("yes - suspected", "suspected"),
            ("yes suspected", "suspected"),
            // A yes without saying which still means known or suspected: both start the same duties.
            ("yes", "suspected"),
            ("y", "suspected"),
            ("true", "suspected"),
            ("x", "suspected"),
            ("\u{2713}", "suspected"),
            ("\u{2714}", "suspected"),
            ("no", "not suspected"),
            ("n", "not suspected"),
            ("false", "not suspected"),
            ("not known or suspected", "not suspected"),
            ("none", "not suspected"),
        ],
        fields::CHILD_STATUS => &[
            ("lac", "looked after"),
            ("cla", "looked after"),
            ("cic", "looked after"),
            ("child in care", "looked after"),
            ("looked after child", "looked after"),
            ("child looked after", "looked after"),
            ("in care", "looked after"),
            ("cp", "child protection plan"),
            ("cpp", "child protection plan"),
            ("child protection", "child protection plan"),
            ("cp plan", "child protection plan"),
            ("cin", "child in need"),
            ("eh", "early help"),
            ("known to early help", "early help"),
            ("known to yot", "YOT"),
            ("youth offending", "YOT"),
            ("youth offending team", "YOT"),
            ("yjs", "YOT"),
            ("not known", "not known to CSC"),
            ("not known to children's social care", "not known to CSC"),
            ("not known to childrens social care", "not known to CSC"),
            ("nk", "not known to CSC"),
            ("care leaver", "care leaver"),
            ("cl", "care leaver"),
            ("former relevant child", "care leaver"),
        ],
        fields::INCIDENT_LOCATION => &[
            ("in la area", "in area"),
            ("in borough", "in area"),
            ("local", "in area"),
            ("within area", "in area"),
            ("abroad", "outside England"),
            ("outside uk", "outside England"),
            ("out of area (england)", "elsewhere in England"),
            ("another la", "elsewhere in England"),
            ("other la in england", "elsewhere in England"),
        ],
        fields::DECISION => &[
            ("lcspr", "local review"),
            ("cspr", "local review"),
            ("local cspr", "local review"),
            ("local child safeguarding practice review", "local review"),
            ("ncspr", "national review"),
            ("national", "national review"),
            ("national cspr", "national review"),
            ("nfa", "no review"),
            ("no further action", "no review"),
            ("none", "no review"),
            ("learning", "other learning"),
            ("learning review", "other learning"),
            ("other", "other learning"),
            ("scr", "serious case review"),
            ("serious case review", "serious case review"),
        ],
        _ => &[],
    }
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
    builtin(f)
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
