//! Scenarios: the RON data model, loading a scenario folder, and an id index for the rules.

pub mod diagnostics;
pub mod index;
pub mod load;
pub mod model;
pub mod schema;
pub mod spans;

pub use index::ScenarioIndex;
pub use load::{LoadError, load_scenario, scenario_dirs};
pub use model::*;

/// `grayzone validate`: loads each scenario and prints its problems; returns the exit code.
pub fn validate_command(dirs: &[std::path::PathBuf], json: bool, _deny_warnings: bool) -> i32 {
    let mut failed = false;
    for dir in dirs {
        match load_scenario(dir) {
            Ok(_) => {
                if !json {
                    println!("ok: {}", dir.display());
                }
            }
            Err(errors) => {
                failed = true;
                for e in errors {
                    eprintln!("{e}");
                }
            }
        }
    }
    i32::from(failed)
}
