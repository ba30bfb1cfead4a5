//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod fixture;
pub mod http;
pub mod webdriver;
