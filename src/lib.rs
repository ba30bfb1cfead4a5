//! Gray Zone library.

pub mod scenario;
