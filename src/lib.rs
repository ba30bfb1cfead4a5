//! Gray Zone: a turn-based cyber-escalation wargame.
//!
//! - [`scenario`]: the RON data model scenario authors write, loading and validation.
//! - [`sim`]: the rules as a Bevy plugin (no rendering), and a headless [`sim::Game`].
//! - [`bots`]: bot doctrines choosing legal orders.
//! - [`analysis`]: many seeded games, outcome distributions and escalation curves.
//! - [`view`]: view models of what each audience may see (public board, one team, debrief).
//! - `gui` (feature `gui`): the game window built on those view models.

pub mod analysis;
pub mod bots;
pub mod cli;
#[cfg(feature = "gui")]
pub mod gui;
pub mod output;
pub mod report;
pub mod room;
pub mod scenario;
pub mod sim;
pub mod view;

/// Opens the game window; `scenario` preselects a scenario folder in the picker.
/// Exits the process with code 1 if the app ends with an error (e.g. a failed screenshot run).
#[cfg(feature = "gui")]
pub fn gui_entry(
    scenario: Option<std::path::PathBuf>,
    serve: Option<std::net::SocketAddr>,
    console: bool,
) {
    if !gui::run(scenario, serve, console).is_success() {
        std::process::exit(1);
    }
}
