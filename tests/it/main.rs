//! The integration tests, as one test binary (built and linked once): each module drives the
//! real binary or the library on real files in `fixtures/`; `common` is the one way they run
//! the binary, and `support` (tests/support) is the SMTP server and certificates for the email
//! tests.
//!
//! Run one module with `cargo test --test it reports::`.

mod common;
#[path = "../support/mod.rs"]
mod support;

mod audit;
mod big_sheets;
mod calendar;
mod delivery;
mod email;
mod generate;
mod ingest;
mod law_by_date;
mod ledger;
mod partnership;
mod reconcile;
mod reports;
mod rules;
mod workbook;
