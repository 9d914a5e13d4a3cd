//! The generator's vocabulary: fictional authorities and teams, the words councils use for
//! each canonical value (the first is the canonical word; the others recognised spellings and
//! council words), reviewers, unreadable dates and words, and notes.

pub(super) const AUTHORITIES: [(&str, &str, u32); 8] = [
    ("Northshire", "NS", 22),
    ("Southvale", "SV", 18),
    ("Westdale", "WD", 14),
    ("Eastmoor", "EM", 12),
    ("Kingsbridge", "KB", 11),
    ("Ashby Fields", "AF", 9),
    ("Riverton", "RV", 8),
    ("Highcombe", "HC", 6),
];

pub(super) const TEAMS: [&str; 6] = [
    "MASH",
    "Locality North",
    "Locality South",
    "Children in Care",
    "Disabled Children",
    "Early Help Hub",
];

pub(super) const OUTCOME_WORDS: [&[&str]; 3] = [
    &["died", "Died", "Death", " Died "],
    &["seriously harmed", "Seriously harmed", "Serious harm"],
    &["other", "Other"],
];
pub(super) const OUTCOME_WEIGHTS: [u32; 3] = [35, 55, 10];
pub(super) const DIED: usize = 0;
pub(super) const HARMED: usize = 1;

pub(super) const ABUSE_WORDS: [&[&str]; 3] = [
    &["known", "Known", "Yes - known"],
    &["suspected", "Suspected", "SUSPECTED", "Y"],
    &["not suspected", "Not suspected", "No", "N"],
];
pub(super) const ABUSE_WEIGHTS: [u32; 3] = [35, 50, 15];
pub(super) const NOT_SUSPECTED: usize = 2;

pub(super) const STATUS_WORDS: [&[&str]; 7] = [
    &["not known to CSC", "Not known"],
    &["early help", "Early Help", "EH"],
    &["YOT", "Youth offending"],
    &["child in need", "Child in need", "CIN"],
    &["child protection plan", "CPP", "CP plan"],
    &["looked after", "Looked After", "LAC", "CLA"],
    &["care leaver", "Care leaver", "CL", "Former relevant child"],
];
pub(super) const STATUS_WEIGHTS: [u32; 7] = [20, 12, 5, 25, 23, 15, 6];
pub(super) const CPP: usize = 4;
pub(super) const LOOKED_AFTER: usize = 5;
pub(super) const CARE_LEAVER: usize = 6;

/// Blank (means in area), in area, outside England, elsewhere in England.
pub(super) const LOCATION_WORDS: [&[&str]; 4] = [
    &[""],
    &["in area", "In area", "In borough"],
    &["outside England", "Abroad"],
    &["elsewhere in England", "Another LA"],
];
pub(super) const LOCATION_WEIGHTS: [u32; 4] = [40, 45, 3, 12];
pub(super) const ELSEWHERE: usize = 3;

pub(super) const DECISION_WORDS: [&[&str]; 5] = [
    &["local review", "Local review", "LCSPR"],
    &["no review", "No review", "NFA"],
    &["national review", "National review"],
    &["other learning", "Other learning", "Learning review"],
    &["serious case review", "SCR", "Serious case review"],
];
pub(super) const DECISION_WEIGHTS: [u32; 4] = [20, 55, 5, 20];
pub(super) const LOCAL_REVIEW: usize = 0;
pub(super) const SERIOUS_CASE_REVIEW: usize = 4;

pub(super) const REVIEWERS: [&str; 8] = [
    "Reviewer A (independent)",
    "Reviewer B",
    "Reviewer C (independent)",
    "Reviewer D",
    "Reviewer E",
    "Reviewer F (independent)",
    "Reviewer G",
    "Reviewer H",
];

/// Unreadable text found in date cells.
pub(super) const BAD_DATES: [&str; 7] = [
    "tbc",
    "yes",
    "w/c 14/03/2022",
    "31/02/2024",
    "Sent (date tbc)",
    "see notes",
    "13/13/2023",
];
/// Unreadable text found in category cells.
pub(super) const BAD_WORDS: [&str; 4] = ["see notes", "tbc", "unknown", "?"];

pub(super) const NOTES: [&str; 8] = [
    "",
    "",
    "",
    "Strategy discussion held",
    "Chronology requested, awaiting health",
    "Police lead; \"urgent\" per DCS",
    "Rapid review meeting rescheduled\nonce (sickness)",
    "Update row: publication",
];
