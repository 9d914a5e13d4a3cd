//! The weekly email to the senior leadership team: `[email]` resolved into [`Settings`], the
//! message composed from the report [`Digest`](crate::report::digest::Digest) with the workbook
//! attached ([`message`]), and delivered over SMTP with bounded retries ([`send`](mod@send)).
//!
//! Cases are named by case reference and child ID only: the data model holds no names,
//! addresses or NHS numbers, and nothing here adds any. The SMTP password comes from the
//! environment variable named by `password_env` and never appears in a message or log line.

pub mod message;
pub mod send;
pub mod settings;

pub use message::{build, subject, ComposeError, Report};
pub use send::{send, Delivery, FailureKind, SendError};
pub use settings::{Password, Settings};
