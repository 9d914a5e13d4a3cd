//! The shipped rules: the baseline and the three local overlays in config/ load, and every
//! duty an overlay adds or changes cites its local document by name (a director reads the
//! source: "NSSCP/001 (Oct 2020)", never the project's internal "seed 003").

use std::path::PathBuf;

use safeguard_audit::rules::{RuleSet, RulesError};

fn overlay(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name)
}

#[test]
fn each_local_overlay_loads_and_cites_its_document() {
    for (file, seed) in [
        ("north-somerset.toml", "North Somerset Safeguarding Children Partnership NSSCP/001 (Oct 2020)"),
        ("dudley.toml", "Responding to Critical Incidents"),
        ("tees-timescales.toml", "Tees Safeguarding Children Partnerships, Serious Child Safeguarding Incidents, Rapid Reviews and Child Safeguarding Practice Reviews Guidance"),
    ] {
        let rules = RuleSet::load(&[overlay(file)]).unwrap_or_else(|e| panic!("{file}: {e}"));
        let local: Vec<_> = rules
            .duties
            .iter()
            .filter(|d| d.origin.ends_with(file))
            .collect();
        assert!(!local.is_empty(), "{file} adds or changes duties");
        for d in local {
            assert!(d.source.contains(seed), "{file}: {} cites {seed}", d.id);
            assert!(!d.source.contains("seed"), "{file}: {} names a seed", d.id);
        }
        // The national baseline is still there.
        for id in safeguard_audit::rules::baseline_ids() {
            assert!(rules.duty_index(id).is_some(), "{file} keeps {id}");
        }
    }
}

#[test]
fn overlays_stack() {
    let rules = RuleSet::load(&[
        overlay("north-somerset.toml"),
        overlay("tees-timescales.toml"),
    ])
    .unwrap();
    assert!(rules.duty_index("nsscp-referral").is_some());
    let rr = &rules.duties[rules.duty_index("rapid-review").unwrap()];
    assert!(rr
        .source
        .contains("Tees Safeguarding Children Partnerships"));
}

#[test]
fn a_missing_overlay_names_the_file() {
    let e = RuleSet::load(&[overlay("no-such.toml")]).unwrap_err();
    assert!(matches!(e, RulesError::Read { .. }));
    assert!(e.to_string().contains("no-such.toml"));
}
