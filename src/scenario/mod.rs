//! Scenarios.

pub mod diagnostics;
pub mod spans;
