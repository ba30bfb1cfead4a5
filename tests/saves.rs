//! Saves you can trust: a save names its scenario's files and every turn's state hash, replays
//! from any working directory, and refuses (exit 1, one message) a scenario edited since, a
//! diverging replay and a damaged file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn grayzone_in(cwd: Option<&Path>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grayzone"));
    cmd.args(args);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let out = cmd.output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn grayzone(args: &[&str]) -> (i32, String, String) {
    grayzone_in(None, args)
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-saves-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn save_game(scenario: &Path, save: &Path) -> String {
    let (code, out, err) = grayzone(&[
        "simulate",
        scenario.to_str().unwrap(),
        "--seed",
        "3",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    out[out.find("T01 ").unwrap()..].to_string()
}

#[test]
fn an_edit_to_the_scenario_is_refused_naming_the_file() {
    let dir = temp_dir("edited");
    let scenario = dir.join("forward_defense_2022");
    copy_dir(Path::new("scenarios/forward_defense_2022"), &scenario);
    let save = dir.join("game.ron");
    let log = save_game(&scenario, &save);
    let (code, replayed, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!((code, replayed.as_str()), (0, log.as_str()), "{err}");
    let actors = scenario.join("actors.ron");
    let text = std::fs::read_to_string(&actors).unwrap();
    std::fs::write(&actors, format!("{text}\n// edited after the game\n")).unwrap();
    for cmd in ["replay", "report"] {
        let (code, _, err) = grayzone(&[
            cmd,
            save.to_str().unwrap(),
            "--scenario",
            scenario.to_str().unwrap(),
        ]);
        assert_eq!(code, 1, "{cmd}: {err}");
        assert!(
            err.contains(
                "the scenario has changed since this game was saved: actors.ron was edited"
            ),
            "{cmd}: {err}"
        );
        assert!(err.contains("help: pass --force"), "{err}");
        assert!(err.contains("help: pass --recorded-versions"), "{err}");
    }
    let (code, replayed, err) = grayzone(&["replay", save.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning:"), "{err}");
    assert_eq!(replayed, log, "a comment changes no rule");
    // The game exactly as played, from the texts in the save, whatever the folder says now.
    let chance = scenario.join("actions.ron");
    let text = std::fs::read_to_string(&chance).unwrap();
    std::fs::write(&chance, text.replacen("chance: 70", "chance: 5", 1)).unwrap();
    let (code, _, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let (code, replayed, err) =
        grayzone(&["replay", save.to_str().unwrap(), "--recorded-versions"]);
    assert_eq!((code, replayed.as_str()), (0, log.as_str()), "{err}");
    assert!(err.is_empty(), "{err}");
    let (code, _, err) = grayzone(&[
        "replay",
        save.to_str().unwrap(),
        "--recorded-versions",
        "--force",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tampered_turn_hash_is_a_divergence_at_that_turn() {
    let dir = temp_dir("diverged");
    let save = dir.join("game.ron");
    save_game(Path::new("scenarios/forward_defense_2022"), &save);
    let text = std::fs::read_to_string(&save).unwrap();
    let at = text.find("state_hash: Some(\"").unwrap() + "state_hash: Some(\"".len();
    let mut tampered = text.clone();
    tampered.replace_range(at..at + 16, "0123456789abcdef");
    std::fs::write(&save, tampered).unwrap();
    let (code, _, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the replay diverged from the save at turn 1"),
        "{err}"
    );
    let (code, _, _) = grayzone(&["replay", save.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_save_replays_from_any_working_directory_and_after_a_move() {
    let dir = temp_dir("anywhere");
    let save = dir.join("game.ron");
    let log = save_game(Path::new("scenarios/forward_defense_2022"), &save);
    let elsewhere = temp_dir("anywhere-cwd");
    let (code, replayed, err) = grayzone_in(Some(&elsewhere), &["replay", save.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(replayed, log);
    // A tree moved elsewhere: the absolute path is gone, the path from the save still holds.
    let tree = temp_dir("tree");
    copy_dir(
        Path::new("tests/fixtures/mini"),
        &tree.join("scenarios/mini"),
    );
    let save = tree.join("saves/game.ron");
    let log = save_game(&tree.join("scenarios/mini"), &save);
    let moved = tree.with_file_name(format!(
        "{}-moved",
        tree.file_name().unwrap().to_str().unwrap()
    ));
    let _ = std::fs::remove_dir_all(&moved);
    std::fs::rename(&tree, &moved).unwrap();
    let save = moved.join("saves/game.ron");
    let (code, replayed, err) = grayzone_in(Some(&elsewhere), &["replay", save.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(replayed, log);
    // And from the moved tree's root, by folder name under scenarios/.
    std::fs::rename(moved.join("saves/game.ron"), moved.join("game.ron")).unwrap();
    let (code, replayed, err) = grayzone_in(Some(&moved), &["replay", "game.ron"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(replayed, log);
    // Nowhere to be found: a message naming the places looked at.
    let (code, _, err) = grayzone_in(
        Some(&elsewhere),
        &["replay", moved.join("game.ron").to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("cannot find the scenario folder") && err.contains("--scenario"),
        "{err}"
    );
    for d in [dir, elsewhere, moved] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn damaged_saves_get_a_position_and_help_never_a_panic() {
    let dir = temp_dir("damaged");
    let good = dir.join("good.ron");
    save_game(Path::new("tests/fixtures/mini"), &good);
    let text = std::fs::read(&good).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", text[..text.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("garbage", b"\x00\x01garbage ((( ]]".to_vec()),
        (
            "wrong_version",
            String::from_utf8(text.clone())
                .unwrap()
                .replacen("version: 3", "version: 1", 1)
                .into_bytes(),
        ),
        (
            "future_version",
            String::from_utf8(text.clone())
                .unwrap()
                .replacen("version: 3", "version: 99", 1)
                .into_bytes(),
        ),
        (
            "deep",
            format!("{}{}", "(".repeat(10_000), ")".repeat(10_000)).into_bytes(),
        ),
        (
            "wrong_type",
            String::from_utf8(text.clone())
                .unwrap()
                .replacen("seed: 3", "seed: \"three\"", 1)
                .into_bytes(),
        ),
    ];
    let mut not_utf8 = text.clone();
    let at = not_utf8.len() / 3;
    not_utf8[at] = 0xff;
    cases.push(("not_utf8", not_utf8));
    for (name, bytes) in cases {
        let path = dir.join(format!("{name}.ron"));
        std::fs::write(&path, &bytes).unwrap();
        for cmd in ["replay", "report"] {
            let (code, _, err) = grayzone(
                &[cmd, path.to_str().unwrap(), "--out", dir.to_str().unwrap()]
                    [..if cmd == "replay" { 2 } else { 4 }],
            );
            assert_eq!(code, 1, "{name} {cmd}: {err}");
            assert!(!err.contains("panicked"), "{name}: {err}");
            let pos = format!("{name}.ron:");
            let tail = &err[err
                .find(&pos)
                .unwrap_or_else(|| panic!("{name}: no position: {err}"))
                + pos.len()..];
            let (line, rest) = tail.split_once(':').unwrap();
            let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
            assert!(
                line.parse::<usize>().is_ok() && !col.is_empty(),
                "{name}: {err}"
            );
            assert!(err.contains("= help:"), "{name}: {err}");
        }
    }
    // Not a file at all: a message, no blocking.
    let (code, _, err) = grayzone(&["replay", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("a folder"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_session_edited_in_play_replays_exactly_from_its_save() {
    use bevy::prelude::*;
    use grayzone::sim::*;
    let dir = temp_dir("rebase");
    let scenario = dir.join("mini");
    copy_dir(Path::new("tests/fixtures/mini"), &scenario);
    let game = LoadedScenario::load(&scenario).unwrap().0;
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .add_plugins((SimPlugin, HotReloadPlugin));
    let controllers = game.default_controllers();
    start_game(app.world_mut(), &game, 4, &controllers);
    app.insert_resource(SessionRecord::new(&game, &scenario, 4, &controllers));
    let mut source = ScenarioSource::new(&scenario);
    source.poll_every = std::time::Duration::ZERO;
    source.settle = std::time::Duration::ZERO;
    app.insert_resource(source);
    app.update();
    // Turn 1: a hack; turn 2: nothing (no entry in the record until the edit).
    app.world_mut().write_message(SubmitOrders {
        actor: "alpha".into(),
        orders: vec![Order {
            action: "covert_hack".into(),
            target: Some("beta".into()),
        }],
        answers: vec![],
        rationale: String::new(),
    });
    app.world_mut().write_message(RunTurn);
    app.update();
    app.world_mut().write_message(RunTurn);
    app.update();
    let before = app.world().resource::<SessionRecord>().files.clone();
    // An edit in play that changes the rules of both turns played: more damage, faster evidence.
    let actions = scenario.join("actions.ron");
    let text = std::fs::read_to_string(&actions).unwrap();
    let edited = text
        .replacen(
            "Damage(Target, \"grid\", 10)",
            "Damage(Target, \"grid\", 40)",
            1,
        )
        .replacen("evidence_per_turn: 20", "evidence_per_turn: 50", 1);
    assert_ne!(edited, text);
    std::fs::write(&actions, &edited).unwrap();
    app.update();
    for _ in 0..2 {
        app.world_mut().write_message(RunTurn);
        app.update();
    }
    let mut record = app.world().resource::<SessionRecord>().clone();
    assert_ne!(record.files, before, "the record still names the old files");
    assert_eq!(record.versions.len(), 2);
    assert_eq!(record.version_of_turn(1), record.version_of_turn(2));
    assert_ne!(record.version_of_turn(2), record.version_of_turn(3));
    record.stamp_hashes(app.world().resource::<GameLog>());
    let live_log = app.world().resource::<GameLog>().to_text();
    let save = dir.join("session.ron");
    record.save(&save).unwrap();
    let (code, replayed, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(replayed, live_log);
    // Edited again after the session: the folder no longer holds what was played.
    std::fs::write(&actions, edited.replacen("chance: 100", "chance: 10", 1)).unwrap();
    let (code, _, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("actions.ron was edited"), "{err}");
    let (code, replayed, err) =
        grayzone(&["replay", save.to_str().unwrap(), "--recorded-versions"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        replayed, live_log,
        "every turn under the version it ran under"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_format_2_save_still_replays_with_a_note() {
    let dir = temp_dir("format2");
    let save = dir.join("game.ron");
    let log = save_game(Path::new("tests/fixtures/mini"), &save);
    // What format 2 wrote: no versions, no per-turn version.
    let text = std::fs::read_to_string(&save).unwrap();
    let mut old: Vec<&str> = Vec::new();
    let mut skipping = 0usize;
    for line in text.lines() {
        if skipping > 0 {
            skipping += line.matches('[').count() + line.matches('(').count();
            skipping -= line.matches(']').count() + line.matches(')').count();
            continue;
        }
        let t = line.trim_start();
        if t.starts_with("version: Some(") {
            continue;
        }
        if t.starts_with("versions: [") {
            skipping = 1 + t.matches('(').count();
            skipping -= t.matches(']').count() + t.matches(')').count();
            continue;
        }
        old.push(line);
    }
    let old = old.join("\n").replacen("version: 3", "version: 2", 1);
    assert!(!old.contains("texts"), "{old}");
    std::fs::write(&save, old).unwrap();
    let (code, replayed, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(replayed, log);
    assert!(err.contains("note: this save is in format 2"), "{err}");
    let (code, _, err) = grayzone(&["replay", save.to_str().unwrap(), "--recorded-versions"]);
    assert_eq!(code, 1);
    assert!(err.contains("holds no scenario texts"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
