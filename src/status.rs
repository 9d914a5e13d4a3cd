//! The statuses a verdict can have (met, late, overdue, pending, not applicable, unknown,
//! ended early): below both the rules, whose conditions can name another duty's status, and the
//! findings, which give them.

/// The verdict on one duty of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Met,
    Late,
    Overdue,
    Pending,
    NotApplicable,
    Unknown,
    /// A minimum period ended early (a report taken down before its first anniversary).
    Early,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Met,
        Status::Late,
        Status::Overdue,
        Status::Pending,
        Status::NotApplicable,
        Status::Unknown,
        Status::Early,
    ];

    /// The id used in the findings file.
    pub fn id(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Late => "late",
            Status::Overdue => "overdue",
            Status::Pending => "pending",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
            Status::Early => "early",
        }
    }

    /// Plain words for the workbook and email.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::Late => "Late",
            Status::Overdue => "Overdue",
            Status::Pending => "Pending",
            Status::NotApplicable => "Not applicable",
            Status::Unknown => "Unknown (data missing)",
            Status::Early => "Ended early",
        }
    }

    /// A breach: late, overdue, or a minimum period cut short.
    pub fn is_breach(self) -> bool {
        matches!(self, Status::Late | Status::Overdue | Status::Early)
    }
}
