//! safeguard-audit: checks English councils' serious child safeguarding incident logs against
//! the statutory timescales and required notifications, and reports what is met, late, overdue,
//! pending, not applicable or unknown, as of a date.
//!
//! The data flows one way, one module per stage:
//! [`ingest`] (files to rows of cells) -> [`cases`] (rows to typed cases) ->
//! [`rules`] + [`calendar`] (duties as data; working days) -> [`findings`] (verdicts) ->
//! [`report`] + [`email`] (findings file, workbook, summary, message) -> [`schedule`] +
//! [`ledger`] (when to run, what was sent). [`pipeline`] runs the audit stages, [`weekly_run`]
//! the weekly job over them; [`cli`] is the command line over the library.

pub mod atomic_write;
pub mod authorities;
pub mod calendar;
pub mod cases;
pub mod changes;
pub mod cli;
pub mod columns;
pub mod config;
pub mod config_check;
pub mod email;
pub mod explain;
pub mod fields;
pub mod findings;
pub mod generate;
pub mod ingest;
pub mod ledger;
pub mod partnership;
pub mod pipeline;
pub mod referrals;
pub mod report;
pub mod rules;
pub mod schedule;
pub mod status;
pub mod template;
pub mod timing;
pub mod util;
pub mod weekly_run;
