//! Scenarios: the RON data model, loading a scenario folder, and an id index for the rules.

pub mod compiled;
pub mod diagnostics;
pub mod docs;
pub mod index;
pub mod load;
pub mod model;
pub mod schema;
pub mod spans;
pub mod validate;

pub use index::ScenarioIndex;
pub use load::{LoadError, scenario_dirs};
pub use model::*;

/// `grayzone validate`: validates each scenario folder, prints every problem
/// (rustc style, or one JSON document), and returns the exit code: 1 when
/// there are errors (or warnings with `deny_warnings`), else 0.
pub fn validate_command(dirs: &[std::path::PathBuf], json: bool, deny_warnings: bool) -> i32 {
    let mut all = Vec::new();
    let mut sources = diagnostics::Sources::new();
    let mut failed = false;
    let mut human = String::new();
    for dir in dirs {
        let v = validate::validate_dir(dir);
        failed |= v.failed(deny_warnings);
        if !json {
            human.push_str(&v.render_human(&dir.display().to_string(), deny_warnings));
        }
        sources.extend(v.sources);
        all.extend(v.diagnostics);
    }
    if json {
        crate::output::out(&diagnostics::render_json(&all, &sources));
    } else {
        crate::output::out(&human);
    }
    i32::from(failed)
}
