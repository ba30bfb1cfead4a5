//! Golden tests for scenario diagnostics.
//!
//! Every folder under `tests/golden/` is a scenario broken on purpose (except
//! `clean`, the base they are copied from). Its `expected.txt` holds exactly
//! what `grayzone validate` prints for it, and `expected.json`, when present,
//! what `--format json` prints. The folder's name starts with the code it
//! demonstrates (`e102_...`), and that code must be among its diagnostics.
//!
//! After an intended change of wording, regenerate the expected files with
//! `GRAYZONE_BLESS=1 cargo test --test golden` and review the diff.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use grayzone::scenario::diagnostics::render_json;
use grayzone::scenario::validate::{CODES, validate_dir};

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("tests/golden")
        .expect("tests/golden exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn bless() -> bool {
    std::env::var_os("GRAYZONE_BLESS").is_some()
}

/// Compares `actual` with the file, or writes it when blessing. Returns a failure message.
fn compare(path: &Path, actual: &str) -> Option<String> {
    if bless() {
        std::fs::write(path, actual).expect("golden files are writable");
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{} differs.\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => Some(format!(
            "{} is missing; run with GRAYZONE_BLESS=1 to create it.\n--- actual\n{actual}",
            path.display()
        )),
    }
}

#[test]
fn every_golden_scenario_prints_exactly_its_expected_output() {
    let mut failures = Vec::new();
    for dir in cases() {
        let name = dir.display().to_string();
        let v = validate_dir(&dir);
        if let Some(f) = compare(&dir.join("expected.txt"), &v.render_human(&name, false)) {
            failures.push(f);
        }
        let json_path = dir.join("expected.json");
        if json_path.exists()
            && let Some(f) = compare(&json_path, &render_json(&v.diagnostics, &v.sources))
        {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn each_case_shows_the_code_it_is_named_after() {
    let known: BTreeSet<&str> = CODES.iter().map(|c| c.0).collect();
    let mut shown = BTreeSet::new();
    for dir in cases() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let v = validate_dir(&dir);
        if name == "clean" {
            assert!(v.diagnostics.is_empty(), "the clean base has problems");
            continue;
        }
        let Some(code) = name.split('_').next().map(str::to_uppercase) else {
            continue;
        };
        if !known.contains(code.as_str()) {
            // e.g. `many_problems`: several codes at once.
            assert!(
                v.diagnostics.len() >= 3,
                "{name} should show several problems"
            );
            continue;
        }
        assert!(
            v.diagnostics.iter().any(|d| d.code == code),
            "{name} does not produce {code}: {:?}",
            v.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        shown.insert(code);
    }
    assert!(
        shown.len() >= 15,
        "only {} diagnostic kinds have a golden case",
        shown.len()
    );
}

#[test]
fn a_misspelt_action_in_a_trigger_points_at_it_with_a_suggestion() {
    let dir = Path::new("tests/golden/e102_unknown_action");
    let v = validate_dir(dir);
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.code == "E102")
        .expect("an unknown-action diagnostic");
    let loc = d.location.as_ref().unwrap();
    assert!(loc.file.ends_with("injects.ron"), "{}", loc.file);
    let (line, col) = v.sources.line_col(loc).unwrap();
    let src = v.sources.get(&loc.file).unwrap();
    let text = src.line_text(line);
    let at: String = text.chars().skip(col - 1).take(12).collect();
    assert_eq!(at, "\"covert_hak\"");
    assert_eq!(d.suggestions[0].text, "covert_hack");
    let out = v.render_human(&dir.display().to_string(), false);
    assert!(out.contains("did you mean \"covert_hack\""), "{out}");
}

/// The JSON of every golden case says what its pinned human output says: the same codes,
/// severities and messages in the same order, at the same `file:line:col`, with the same
/// suggestions, and counts that add up.
#[test]
fn json_output_carries_the_values_of_the_human_output() {
    let mut checked = 0;
    for dir in cases() {
        let v = validate_dir(&dir);
        let json = render_json(&v.diagnostics, &v.sources);
        let doc: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let human = std::fs::read_to_string(dir.join("expected.txt")).expect("a golden text");
        let items = doc["diagnostics"].as_array().unwrap();
        assert_eq!(items.len(), v.diagnostics.len());
        let errors = items.iter().filter(|i| i["severity"] == "error").count();
        assert_eq!(doc["errors"], errors, "{}", dir.display());
        assert_eq!(doc["warnings"], items.len() - errors, "{}", dir.display());
        // Each diagnostic's header and arrow appear in the pinned text, in order.
        let mut from = 0;
        for item in items {
            let str_of = |key: &str| {
                item[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("{key} in {item}"))
            };
            let header = format!(
                "{}[{}]: {}",
                str_of("severity"),
                str_of("code"),
                str_of("message")
            );
            let at = human[from..].find(&header).unwrap_or_else(|| {
                panic!("{}: {header:?} not in order in\n{human}", dir.display())
            }) + from;
            from = at + header.len();
            if let (Some(line), Some(col)) = (item["line"].as_u64(), item["column"].as_u64()) {
                let arrow = format!("--> {}:{line}:{col}\n", str_of("file"));
                assert!(
                    human[from..].trim_start().starts_with(&arrow),
                    "{}: {header} is not at {arrow}",
                    dir.display()
                );
                let (end_line, end_col) = (
                    item["end_line"].as_u64().unwrap(),
                    item["end_column"].as_u64().unwrap(),
                );
                assert!(
                    (end_line, end_col) >= (line, col),
                    "{}: a span ends before it starts",
                    dir.display()
                );
            }
            for suggestion in item["suggestions"].as_array().unwrap() {
                let text = suggestion.as_str().expect("a suggestion is its text");
                assert!(
                    human.contains(&format!("\"{text}\"")),
                    "{}: suggestion {text} not in the human output",
                    dir.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} diagnostics checked");
}
