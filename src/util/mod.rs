//! Small helpers shared by several stages, below all of them (they import nothing of the crate).

pub mod decimal;
pub mod natural;
pub mod par;
pub mod week;
