//! The canonical fields of an incident log (DOMAIN.md): their ids, header labels, kinds and the
//! category values each accepts, plus any local date fields a rules overlay declares.
//!
//! Every later stage names a field by [`FieldId`], an index into a [`Schema`].

use std::collections::HashMap;

/// An index into a [`Schema`]'s fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u16);

impl FieldId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Free text (case reference, names of authorities and reviewers).
    Text,
    /// A date.
    Date,
    /// One of a fixed list of canonical values.
    Category(&'static [&'static str]),
}

/// One field of the log.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Machine name, e.g. `aware_date`.
    pub name: String,
    /// Header label of the canonical template, e.g. `Date LA became aware`.
    pub label: String,
    pub kind: Kind,
    /// Other header labels recognised without configuration.
    pub aliases: Vec<String>,
    /// Whether the field holds personal data that must never be reported.
    pub personal: bool,
}

pub const OUTCOMES: &[&str] = &["died", "seriously harmed", "other"];
pub const ABUSE: &[&str] = &["known", "suspected", "not suspected"];
pub const CHILD_STATUSES: &[&str] = &[
    "not known to CSC",
    "early help",
    "YOT",
    "child in need",
    "child protection plan",
    "looked after",
    "care leaver",
];
pub const LOCATIONS: &[&str] = &["in area", "outside England", "elsewhere in England"];
pub const DECISIONS: &[&str] = &[
    "local review",
    "no review",
    "national review",
    "other learning",
    "serious case review",
];

macro_rules! canonical {
    ($( $konst:ident = $idx:expr, $name:literal, $label:literal, $kind:expr, [$($alias:literal),*] );* $(;)?) => {
        $( pub const $konst: FieldId = FieldId($idx); )*
        fn canonical_defs() -> Vec<FieldDef> {
            vec![$( FieldDef {
                name: $name.to_string(),
                label: $label.to_string(),
                kind: $kind,
                aliases: vec![$($alias.to_string()),*],
                personal: false,
            } ),*]
        }
    };
}

canonical! {
    CASE_REF = 0, "case_ref", "Case reference", Kind::Text, ["Case ref", "Reference", "Ref"];
    LOCAL_AUTHORITY = 1, "local_authority", "Local authority", Kind::Text, ["LA"];
    CHILD_ID = 2, "child_id", "Child ID", Kind::Text, ["Child identifier"];
    INCIDENT_DATE = 3, "incident_date", "Date of incident", Kind::Date, ["Date of death or incident", "Incident date"];
    AWARE_DATE = 4, "aware_date", "Date LA became aware", Kind::Date, ["Date aware", "LA aware"];
    OUTCOME = 5, "outcome", "Outcome", Kind::Category(OUTCOMES), [];
    ABUSE_NEGLECT = 6, "abuse_neglect", "Abuse or neglect", Kind::Category(ABUSE), [];
    CHILD_STATUS = 7, "child_status", "Child status", Kind::Category(CHILD_STATUSES), [];
    INCIDENT_LOCATION = 8, "incident_location", "Incident location", Kind::Category(LOCATIONS), [];
    PANEL_NOTIFIED = 9, "panel_notified", "Panel notified", Kind::Date, [];
    PARTNERS_NOTIFIED = 10, "partners_notified", "Partners notified", Kind::Date, [];
    OFSTED_NOTIFIED = 11, "ofsted_notified", "Ofsted notified", Kind::Date, [];
    SOS_NOTIFIED = 12, "sos_notified", "Secretary of State notified", Kind::Date, [];
    RAPID_REVIEW_SENT = 13, "rapid_review_sent", "Rapid review sent to Panel", Kind::Date, [];
    PANEL_RESPONSE = 14, "panel_response", "Panel response received", Kind::Date, [];
    DECISION = 15, "decision", "Review decision", Kind::Category(DECISIONS), [];
    DECISION_DATE = 16, "decision_date", "Decision date", Kind::Date, [];
    DECISION_NOTIFIED = 17, "decision_notified", "Decision notified (Panel, Ofsted, DfE)", Kind::Date, ["Decision notified"];
    REVIEWER = 18, "reviewer", "Reviewer", Kind::Text, [];
    REPORT_SENT = 19, "report_sent", "Final report sent to Panel and SoS", Kind::Date, ["Final report sent"];
    PUBLISHED = 20, "published", "Report published", Kind::Date, [];
    UNPUBLISHED = 21, "unpublished", "Report removed from website", Kind::Date, ["Report removed"];
    REVIEW_COMPLETED = 22, "review_completed", "Review completed", Kind::Date, ["Review completed date", "SCR completed"];
}

/// Canonical fields DOMAIN calls optional (`review_completed`: needed only for serious case
/// reviews). A configured log without such a column is told what it costs, never refused for it.
pub const OPTIONAL: &[FieldId] = &[REVIEW_COMPLETED];

/// Number of canonical fields; local fields follow them.
pub const CANONICAL_COUNT: usize = 23;

/// Header labels of personal data that a log may carry; never read, never reported.
pub const PERSONAL_LABELS: &[&str] = &[
    "child name",
    "name",
    "name of child",
    "address",
    "home address",
    "nhs number",
    "date of birth",
];

/// Normalises a header label or key for matching: lower case, letters and digits only.
pub fn normalise_label(s: &str) -> String {
    let mut out = String::new();
    normalise_label_into(s, &mut out);
    out
}

/// As [`normalise_label`], into `out` (cleared first).
pub fn normalise_label_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        // Byte by byte (every row's key cell comes here).
        out.extend(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return;
    }
    out.extend(
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase),
    );
}

/// Normalises a category value for matching: lower case, inner whitespace collapsed, trimmed.
pub fn normalise_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The fields a run knows: the canonical ones, then local fields from rules overlays.
#[derive(Debug, Clone)]
pub struct Schema {
    fields: Vec<FieldDef>,
    by_name: HashMap<String, FieldId>,
}

impl Default for Schema {
    fn default() -> Self {
        Self::canonical()
    }
}

impl Schema {
    /// The canonical fields of DOMAIN.md.
    pub fn canonical() -> Schema {
        let mut s = Schema {
            fields: Vec::new(),
            by_name: HashMap::new(),
        };
        for def in canonical_defs() {
            s.push(def);
        }
        s
    }

    fn push(&mut self, def: FieldDef) -> FieldId {
        let id = FieldId(self.fields.len() as u16);
        self.by_name.insert(def.name.clone(), id);
        self.fields.push(def);
        id
    }

    /// Adds a local date field (from a rules overlay). Returns its id; an existing name is reused.
    pub fn add_local_date(&mut self, name: &str, label: &str, aliases: Vec<String>) -> FieldId {
        if let Some(id) = self.lookup(name) {
            return id;
        }
        self.push(FieldDef {
            name: name.to_string(),
            label: label.to_string(),
            kind: Kind::Date,
            aliases,
            personal: false,
        })
    }

    pub fn lookup(&self, name: &str) -> Option<FieldId> {
        self.by_name.get(name).copied()
    }

    pub fn def(&self, id: FieldId) -> &FieldDef {
        &self.fields[id.index()]
    }

    pub fn name(&self, id: FieldId) -> &str {
        &self.fields[id.index()].name
    }

    pub fn label(&self, id: FieldId) -> &str {
        &self.fields[id.index()].label
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = FieldId> + '_ {
        (0..self.fields.len()).map(|i| FieldId(i as u16))
    }

    /// All field names, for error messages.
    pub fn names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    /// The index of `value` among a category field's canonical values (matching ignores case
    /// and surrounding or repeated spaces).
    pub fn category_index(&self, id: FieldId, value: &str) -> Option<u8> {
        let Kind::Category(values) = self.def(id).kind else {
            return None;
        };
        let norm = normalise_value(value);
        values
            .iter()
            .position(|v| normalise_value(v) == norm)
            .map(|i| i as u8)
    }

    /// The canonical text of a category value.
    pub fn category_value(&self, id: FieldId, index: u8) -> &'static str {
        match self.def(id).kind {
            Kind::Category(values) => values.get(index as usize).copied().unwrap_or("?"),
            _ => "?",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ids_match_names() {
        let s = Schema::canonical();
        assert_eq!(s.len(), CANONICAL_COUNT);
        assert_eq!(s.lookup("case_ref"), Some(CASE_REF));
        assert_eq!(s.lookup("unpublished"), Some(UNPUBLISHED));
        assert_eq!(s.lookup("decision"), Some(DECISION));
        assert_eq!(s.label(AWARE_DATE), "Date LA became aware");
    }

    #[test]
    fn labels_normalise() {
        assert_eq!(normalise_label("Date LA became aware"), "datelabecameaware");
        assert_eq!(
            normalise_label("  date l.a. BECAME-aware "),
            "datelabecameaware"
        );
        assert_eq!(normalise_value("  Seriously   HARMED "), "seriously harmed");
    }

    #[test]
    fn categories_ignore_case_and_spaces() {
        let s = Schema::canonical();
        assert_eq!(s.category_index(OUTCOME, " Died "), Some(0));
        assert_eq!(s.category_index(CHILD_STATUS, "LOOKED AFTER"), Some(5));
        assert_eq!(s.category_index(CHILD_STATUS, "yot"), Some(2));
        assert_eq!(s.category_index(OUTCOME, "see notes"), None);
        assert_eq!(s.category_value(DECISION, 0), "local review");
        assert_eq!(s.category_index(CHILD_STATUS, "Care Leaver"), Some(6));
        assert_eq!(s.category_index(DECISION, "serious case review"), Some(4));
        assert_eq!(s.lookup("review_completed"), Some(REVIEW_COMPLETED));
        assert_eq!(s.label(REVIEW_COMPLETED), "Review completed");
    }
}
