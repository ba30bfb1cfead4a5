//! Hot reload under a running headless app: an invalid edit keeps the last good scenario and
//! reports diagnostics; a valid edit is applied in place, or by replay when ids change; a
//! locked session waits.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::prelude::*;
use grayzone::sim::*;

fn copy_fixture(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-reload-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/mini").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

fn app(dir: &Path) -> App {
    let game = LoadedScenario::load(dir).unwrap().0;
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .add_plugins((SimPlugin, HotReloadPlugin));
    let controllers = game.default_controllers();
    start_game(app.world_mut(), &game, 4, &controllers);
    app.insert_resource(SessionRecord::new(&game, dir, 4, &controllers));
    let mut source = ScenarioSource::new(dir);
    source.poll_every = Duration::ZERO;
    app.insert_resource(source);
    app.update();
    app
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn play_turn(app: &mut App, orders: Vec<SubmitOrders>) {
    for o in orders {
        app.world_mut().write_message(o);
    }
    app.world_mut().write_message(RunTurn);
    app.update();
}

fn hack() -> SubmitOrders {
    SubmitOrders {
        actor: "alpha".into(),
        orders: vec![Order {
            action: "covert_hack".into(),
            target: Some("beta".into()),
        }],
        answers: vec![],
        rationale: String::new(),
    }
}

#[test]
fn invalid_edit_keeps_the_last_good_scenario_and_shows_diagnostics() {
    let dir = copy_fixture("invalid");
    let mut app = app(&dir);
    play_turn(&mut app, vec![hack()]);
    edit(
        &dir,
        "actions.ron",
        "rung: \"cyber\", by: Kind(State)",
        "rung: \"cyberr\", by: Kind(State)",
    );
    app.update();
    let status = app.world().resource::<ReloadStatus>();
    assert_eq!(status.last, Some(ReloadOutcome::Rejected));
    let text = status.diagnostics.clone().unwrap();
    assert!(text.contains("actions.ron:"), "{text}");
    assert!(text.contains("\"cyberr\""), "{text}");
    assert!(text.contains("did you mean"), "{text}");
    // The old scenario still plays.
    play_turn(&mut app, vec![]);
    assert_eq!(app.world().resource::<GameState>().turn, 3);
    let game = app.world().resource::<LoadedScenario>();
    assert_eq!(game.scenario.actions[0].rung, "cyber");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn valid_text_edit_applies_in_place_and_structural_edit_replays() {
    let dir = copy_fixture("valid");
    let mut app = app(&dir);
    play_turn(&mut app, vec![hack()]);
    let before = app.world().resource::<GameState>().clone();
    edit(
        &dir,
        "scenario.ron",
        "title: \"Mini\"",
        "title: \"Mini, edited\"",
    );
    app.update();
    let status = app.world().resource::<ReloadStatus>().clone();
    assert_eq!(status.last, Some(ReloadOutcome::InPlace));
    assert!(status.diagnostics.is_none());
    assert_eq!(
        app.world().resource::<LoadedScenario>().scenario.meta.title,
        "Mini, edited"
    );
    assert_eq!(
        app.world().resource::<GameState>(),
        &before,
        "state untouched"
    );
    // A new action: ids change, so the session is replayed from turn 1 with the same seed.
    edit(
        &dir,
        "actions.ron",
        "    ],\n)",
        "        (id: \"extra\", name: \"Extra\", domain: Cyber, intent: Signal, rung: \"tense\", chance: 100, visibility: Overt),\n    ],\n)",
    );
    app.update();
    assert_eq!(
        app.world().resource::<ReloadStatus>().last,
        Some(ReloadOutcome::Replayed(1))
    );
    let after = app.world().resource::<GameState>();
    assert_eq!(after.turn, 2);
    assert_eq!(
        after.incidents.len(),
        1,
        "the recorded orders were replayed"
    );
    assert_eq!(after.incidents, before.incidents);
    assert!(
        app.world()
            .resource::<LoadedScenario>()
            .index
            .actions
            .contains_key("extra")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_locked_session_waits_for_unlock() {
    let dir = copy_fixture("locked");
    let mut app = app(&dir);
    app.world_mut().resource_mut::<ReloadStatus>().locked = true;
    edit(
        &dir,
        "scenario.ron",
        "title: \"Mini\"",
        "title: \"Locked edit\"",
    );
    app.update();
    assert_eq!(
        app.world().resource::<ReloadStatus>().last,
        Some(ReloadOutcome::Waiting)
    );
    assert_eq!(
        app.world().resource::<LoadedScenario>().scenario.meta.title,
        "Mini"
    );
    app.world_mut().resource_mut::<ReloadStatus>().locked = false;
    app.update();
    assert_eq!(
        app.world().resource::<LoadedScenario>().scenario.meta.title,
        "Locked edit"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
