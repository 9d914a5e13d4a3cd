//! safeguard-audit: checks English councils' serious child safeguarding incident logs against
//! the statutory timescales and required notifications, and reports what is met, late, overdue,
//! pending, not applicable or unknown, as of a date.
//!
//! The data flows one way, one module per stage:
//! [`ingest`] (files to rows of cells) -> [`cases`] (rows to typed cases) ->
//! [`rules`] + [`calendar`] (duties as data; working days) -> [`findings`] (verdicts) ->
//! [`report`] (findings file, workbook, summary). [`audit`] runs the stages; [`cli`] is the
//! command line over them.

pub mod audit;
pub mod calendar;
pub mod cases;
pub mod changes;
pub mod checks;
pub mod cli;
pub mod config;
pub mod email;
pub mod explain;
pub mod fields;
pub mod findings;
pub mod generate;
pub mod ingest;
pub mod ledger;
pub mod output;
pub mod partnership;
pub mod referrals;
pub mod report;
pub mod rules;
pub mod schedule;
pub mod template;
pub mod timing;
pub mod util;
pub mod weekly;
