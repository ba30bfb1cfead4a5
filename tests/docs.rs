//! The generated reference and the template scenario stay in step with the code.

use std::path::Path;

use grayzone::scenario::docs::{REFERENCE_PATH, reference_markdown};
use grayzone::scenario::validate::validate_dir;

#[test]
fn committed_reference_is_current() {
    let committed = std::fs::read_to_string(REFERENCE_PATH).unwrap_or_default();
    assert!(
        committed == reference_markdown(),
        "{REFERENCE_PATH} is stale: regenerate it with `cargo run --no-default-features -- docs`"
    );
}

#[test]
fn template_scenario_is_clean() {
    let v = validate_dir(Path::new("docs/template"));
    let out = v.render_human("docs/template", true);
    assert!(v.diagnostics.is_empty(), "{out}");
    assert!(v.scenario.is_some());
}

#[test]
fn every_scenario_validates_without_errors() {
    for dir in grayzone::scenario::scenario_dirs(Path::new("scenarios")) {
        let v = validate_dir(&dir);
        assert_eq!(
            v.errors(),
            0,
            "{}",
            v.render_human(&dir.display().to_string(), false)
        );
    }
}

#[path = "../benches/support/large_scenario.rs"]
mod large_scenario;

#[test]
fn the_benchmark_scenario_is_clean_and_fully_checked() {
    let files = large_scenario::generate(20, 200);
    let v = grayzone::scenario::validate::validate_texts("generated", &files);
    assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics.first());
    let s = v.scenario.expect("the model is built");
    assert_eq!((s.actors.len(), s.actions.len()), (20, 200));
}
