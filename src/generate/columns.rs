//! The generated log's columns: the canonical fields of DOMAIN.md in order, with a `Team`
//! column after the local authority and a `Notes` column last (both ignored by the reader).

use crate::fields;

/// The columns written, in order: the canonical fields with `Team` after the local authority
/// and `Notes` last (both ignored by the reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    Field(usize),
    Team,
    Notes,
}

pub(super) const COLUMNS: [Col; fields::CANONICAL_COUNT + 2] = {
    let mut cols = [Col::Notes; fields::CANONICAL_COUNT + 2];
    let mut i = 0;
    let mut out = 0;
    while i < fields::CANONICAL_COUNT {
        cols[out] = Col::Field(i);
        out += 1;
        if i == fields::LOCAL_AUTHORITY.0 as usize {
            cols[out] = Col::Team;
            out += 1;
        }
        i += 1;
    }
    cols
};

/// The header labels written (the canonical labels of DOMAIN.md).
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| label(*c)).collect()
}

pub(super) fn label(c: Col) -> &'static str {
    match c {
        Col::Team => "Team",
        Col::Notes => "Notes",
        Col::Field(i) => CANONICAL_LABELS[i],
    }
}

/// DOMAIN.md's header labels, in field order (checked against the schema in a test).
pub(super) const CANONICAL_LABELS: [&str; fields::CANONICAL_COUNT] = [
    "Case reference",
    "Local authority",
    "Child ID",
    "Date of incident",
    "Date LA became aware",
    "Outcome",
    "Abuse or neglect",
    "Child status",
    "Incident location",
    "Panel notified",
    "Partners notified",
    "Ofsted notified",
    "Secretary of State notified",
    "Rapid review sent to Panel",
    "Panel response received",
    "Review decision",
    "Decision date",
    "Decision notified (Panel, Ofsted, DfE)",
    "Reviewer",
    "Final report sent to Panel and SoS",
    "Report published",
    "Report removed from website",
    "Review completed",
];
