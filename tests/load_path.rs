//! One load path: every entry point that plays a scenario refuses one the validator rejects,
//! with the validator's own diagnostic (code, file:line:col, caret, help), and exits 1.
//! Before the one load path, `simulate`, `bench`, `replay` and `report` read scenarios with a
//! plain RON parse and played broken ones.

use std::path::{Path, PathBuf};
use std::process::Command;

use grayzone::sim::LoadedScenario;

const DEFAULT: &str = "scenarios/forward_defense_2022";

fn grayzone(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the default scenario with one text edit in one file.
fn broken_copy(tag: &str, file: &str, from: &str, to: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-load-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(DEFAULT).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if name == file {
            assert!(text.contains(from), "{file} has no {from:?}");
            text = text.replacen(from, to, 1);
        }
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

/// Each broken scenario of the issue: (tag, file, from, to, the code the validator gives).
const BROKEN: &[(&str, &str, &str, &str, &str)] = &[
    // A misspelt field inside a condition used to be dropped silently, changing the trigger.
    (
        "misspelt-field",
        "red_lines.ron",
        "confidence: Likely",
        "confidance: Likely",
        "E010",
    ),
    (
        "chance-140",
        "actions.ron",
        "chance: 70",
        "chance: 140",
        "E301",
    ),
    (
        "unknown-rung",
        "red_lines.ron",
        "min_rung: \"pressure\"",
        "min_rung: \"presure\"",
        "E103",
    ),
    (
        "min-above-max",
        "scenario.ron",
        "min: 0, max: 100, default: 50",
        "min: 100, max: 0, default: 50",
        "E303",
    ),
    (
        "no-fallback",
        "endings.ron",
        "fallback: true",
        "fallback: false",
        "E305",
    ),
];

#[test]
fn simulate_refuses_every_scenario_the_validator_rejects() {
    for (tag, file, from, to, code) in BROKEN {
        let dir = broken_copy(tag, file, from, to);
        let d = dir.to_str().unwrap();
        for args in [
            vec!["simulate", d, "--seed", "3"],
            vec!["simulate", d, "--runs", "5"],
            vec!["bench", d, "--runs", "5"],
        ] {
            let (status, out, err) = grayzone(&args);
            assert_eq!(
                status, 1,
                "{tag}: {args:?} played a broken scenario:\n{out}"
            );
            assert!(
                err.contains(&format!("error[{code}]")),
                "{tag}: {args:?} did not show the validator's {code}:\n{err}"
            );
            assert!(err.contains(file), "{tag}: no file named:\n{err}");
            assert!(!out.contains("Ending:"), "{tag}: a game was played");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn the_misspelt_condition_field_names_its_place() {
    let dir = broken_copy(
        "caret",
        "red_lines.ron",
        "confidence: Likely",
        "confidance: Likely",
    );
    let (status, _, err) = grayzone(&["simulate", dir.to_str().unwrap()]);
    assert_eq!(status, 1);
    // file:line:col, a caret and a suggestion, exactly as `validate` prints them.
    assert!(err.contains("red_lines.ron:12:"), "{err}");
    assert!(err.contains('^'), "{err}");
    assert!(err.contains("confidence"), "{err}");
    let (vstatus, vout, _) = grayzone(&["validate", dir.to_str().unwrap()]);
    assert_eq!(vstatus, 1);
    let first = vout.lines().next().unwrap();
    assert!(
        err.contains(first),
        "simulate and validate disagree:\n{err}\n---\n{vout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_and_report_refuse_a_save_whose_scenario_no_longer_validates() {
    let dir = broken_copy("replay", "actions.ron", "chance: 70", "chance: 70");
    let d = dir.to_str().unwrap().to_string();
    let save = dir.join("game.ron");
    let (status, _, err) = grayzone(&[
        "simulate",
        &d,
        "--seed",
        "4",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(status, 0, "{err}");
    let actions = dir.join("actions.ron");
    let text = std::fs::read_to_string(&actions).unwrap();
    std::fs::write(&actions, text.replacen("chance: 70", "chance: 140", 1)).unwrap();
    for cmd in ["replay", "report"] {
        let out_dir = dir.join("report");
        let mut args = vec![cmd, save.to_str().unwrap(), "--scenario", &d];
        if cmd == "report" {
            args.extend(["--out", out_dir.to_str().unwrap()]);
        }
        let (status, out, err) = grayzone(&args);
        assert_eq!(status, 1, "{cmd} played a broken scenario:\n{out}");
        assert!(err.contains("E301"), "{cmd}:\n{err}");
        assert!(!out_dir.join("report.md").exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn warnings_print_and_the_game_runs() {
    // An attribute nobody uses is a warning (W301): the scenario still plays.
    let dir = Path::new("tests/golden/w301_unused_attribute");
    let (loaded, v) = LoadedScenario::load(dir).expect("warnings do not stop a scenario");
    assert_eq!(v.warnings(), 1);
    assert!(loaded.origin.dir.as_ref().is_some_and(|d| d.is_absolute()));
    let (status, out, err) = grayzone(&["simulate", dir.to_str().unwrap(), "--seed", "1"]);
    assert_eq!(status, 0, "{err}");
    assert!(err.contains("warning[W301]"), "{err}");
    assert!(out.contains("Ending:"));
}

#[test]
fn the_loaded_scenario_knows_its_files() {
    let (loaded, _) = LoadedScenario::load(Path::new(DEFAULT)).unwrap();
    let names: Vec<&str> = loaded
        .origin
        .files
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "scenario.ron",
            "actors.ron",
            "actions.ron",
            "red_lines.ron",
            "diplomacy.ron",
            "injects.ron",
            "endings.ron"
        ]
    );
    // One byte changed in one file changes that file's hash and the scenario's, nothing else.
    let dir = broken_copy("hash", "actions.ron", "chance: 70", "chance: 71");
    let (edited, _) = LoadedScenario::load(&dir).unwrap();
    let changed: Vec<&str> = loaded
        .origin
        .files
        .iter()
        .zip(&edited.origin.files)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert_eq!(changed, ["actions.ron"]);
    assert_ne!(loaded.origin.hash(), edited.origin.hash());
    let _ = std::fs::remove_dir_all(&dir);
}
