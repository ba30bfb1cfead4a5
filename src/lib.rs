//! Gray Zone: a turn-based cyber-escalation wargame.
//!
//! - [`scenario`]: the RON data model scenario authors write, loading and validation.
//! - [`sim`]: the rules as a Bevy plugin (no rendering), and a headless [`sim::Game`].
//! - [`bots`]: bot doctrines choosing legal orders.
//! - [`analysis`]: many seeded games, outcome distributions and escalation curves.

pub mod analysis;
pub mod bots;
pub mod cli;
pub mod report;
pub mod scenario;
pub mod sim;

/// Opens the game window (the GUI replaces this entry point).
#[cfg(feature = "gui")]
pub fn gui_entry(scenario: Option<std::path::PathBuf>) {
    let _ = scenario;
    eprintln!("error: the game window is not part of this build yet");
}
