//! The command line: deterministic simulate output, clear errors with exit code 1.

use std::process::Command;

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

#[test]
fn simulate_is_byte_identical_for_a_seed() {
    let a = grayzone(&["simulate", "scenarios/forward_defense_2022", "--seed", "7"]);
    let b = grayzone(&["simulate", "scenarios/forward_defense_2022", "--seed", "7"]);
    let c = grayzone(&["simulate", "scenarios/forward_defense_2022", "--seed", "8"]);
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1, b.1);
    assert_ne!(a.1, c.1);
    assert!(a.1.contains("Ending: "));
}

#[test]
fn runs_print_a_distribution() {
    let (code, out, _) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--runs",
        "20",
        "--bots",
        "russia=hawk,ukraine=hawk",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("20 games"));
    assert!(out.contains("frozen_gray_zone"));
}

#[test]
fn bad_input_exits_1_with_a_message() {
    let (code, _, err) = grayzone(&["simulate", "scenarios/no_such_scenario"]);
    assert_eq!(code, 1);
    assert!(err.contains("no scenario folder"), "{err}");
    let (code, _, err) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--bots",
        "russia=cowboy",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown doctrine \"cowboy\""), "{err}");
    let (code, _, err) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--bots",
        "rusia=hawk",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown actor \"rusia\""), "{err}");
    let (code, _, err) = grayzone(&["simulate", "--no-such-flag"]);
    assert_eq!(code, 1);
    assert!(!err.is_empty());
    let (code, out, _) = grayzone(&["simulate", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--seed"));
}

#[test]
fn validate_reports_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("grayzone-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["scenario.ron", "actors.ron", "actions.ron", "endings.ron"] {
        std::fs::copy(format!("tests/fixtures/mini/{f}"), dir.join(f)).unwrap();
    }
    let broken = std::fs::read_to_string(dir.join("actors.ron"))
        .unwrap()
        .replace("kind: State, side: \"x\"", "kind: Stat, side: \"x\"");
    std::fs::write(dir.join("actors.ron"), broken).unwrap();
    let (code, out, err) = grayzone(&["validate", dir.to_str().unwrap()]);
    let text = format!("{out}{err}");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("actors.ron:3:"), "{text}");
    let (code, _, _) = grayzone(&["validate", "scenarios/forward_defense_2022"]);
    assert_eq!(code, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_saved_game_replays_byte_identically_and_reports() {
    let dir = std::env::temp_dir().join(format!("grayzone-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let save = dir.join("game.ron");
    let (code, sim, err) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--seed",
        "5",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, replayed, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let log_start = sim.find("T01 ").unwrap();
    assert_eq!(&sim[log_start..], replayed);
    let (code, _, err) = grayzone(&[
        "report",
        save.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Ending:"));
    std::fs::write(&save, "(version: 1, scenario: ").unwrap();
    let (code, _, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("damaged at line 1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
