//! Hot reload under a running headless app: an invalid edit keeps the last good scenario and
//! reports diagnostics; a valid edit applies from the coming turn and never rewrites the turns
//! played (undo and resume re-run each turn under the version it ran under); a change is only
//! looked at once stable; a locked session waits.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::prelude::*;
use grayzone::sim::*;

fn copy_fixture(tag: &str) -> PathBuf {
    copy_folder("tests/fixtures/mini", tag)
}

fn copy_folder(from: &str, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-reload-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

fn app(dir: &Path) -> App {
    app_with_seed(dir, 4)
}

fn app_with_seed(dir: &Path, seed: u64) -> App {
    let game = LoadedScenario::load(dir).unwrap().0;
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .add_plugins((SimPlugin, HotReloadPlugin));
    let controllers = scripted(&game);
    start_game(app.world_mut(), &game, seed, &controllers);
    app.insert_resource(SessionRecord::new(&game, dir, seed, &controllers));
    let mut source = ScenarioSource::new(dir);
    source.poll_every = Duration::ZERO;
    source.settle = Duration::ZERO;
    app.insert_resource(source);
    app.update();
    app
}

/// The scenario's controllers with planners played by the measured doctrine: these tests are
/// about reloading, and planners (which play futures ahead every turn) are dear in a test build.
fn scripted(game: &LoadedScenario) -> Vec<grayzone::scenario::Controller> {
    use grayzone::scenario::{Controller, Doctrine};
    game.default_controllers()
        .into_iter()
        .map(|c| match c {
            Controller::Bot(Doctrine::Planner) => Controller::Bot(Doctrine::Measured),
            other => other,
        })
        .collect()
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
fn valid_edits_apply_from_the_coming_turn() {
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
    assert_eq!(
        status.last,
        Some(ReloadOutcome::Applied {
            files: vec!["scenario.ron".into()],
            from_turn: 2
        })
    );
    assert_eq!(
        status.notice().as_deref(),
        Some("scenario.ron applied from turn 2")
    );
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
    // A new action first in the list: the played turn is not replayed, the state is carried
    // over by id.
    edit(
        &dir,
        "actions.ron",
        "    actions: [\n",
        "    actions: [\n        (id: \"extra\", name: \"Extra\", domain: Cyber, intent: Signal, rung: \"tense\", chance: 100, visibility: Overt),\n",
    );
    app.update();
    assert_eq!(
        app.world().resource::<ReloadStatus>().notice().as_deref(),
        Some("actions.ron applied from turn 2")
    );
    let after = app.world().resource::<GameState>();
    assert_eq!(after.turn, 2);
    assert_eq!(after.incidents.len(), 1, "the played turn stays");
    let loaded = app.world().resource::<LoadedScenario>();
    assert_eq!(loaded.index.actions["extra"], 0);
    // The hack of turn 1 still names the hack, at its new position.
    let action = &loaded.scenario.actions[after.history[0].action];
    assert_eq!(action.id, "covert_hack");
    assert_eq!(
        loaded.scenario.actions[after.incidents[0].action].id,
        "covert_hack"
    );
    // Removing an id the played turns refer to cannot carry over: refused, with a reason.
    edit(
        &dir,
        "actions.ron",
        "id: \"covert_hack\"",
        "id: \"covert_hack_2\"",
    );
    app.update();
    let status = app.world().resource::<ReloadStatus>();
    assert_eq!(status.last, Some(ReloadOutcome::Rejected));
    let why = status.diagnostics.clone().unwrap();
    assert!(
        why.contains("\"covert_hack\" was removed or renamed"),
        "{why}"
    );
    assert_eq!(
        status.notice().as_deref(),
        Some("1 error — still playing the last good version")
    );
    assert!(
        app.world()
            .resource::<LoadedScenario>()
            .index
            .actions
            .contains_key("covert_hack")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Everything the room saw of turns 1..=n: the log entries, with the record's inputs and hashes.
fn seen_until(app: &App, n: u32) -> (Vec<String>, Vec<TurnInput>) {
    let log = app.world().resource::<GameLog>();
    let lines = log
        .entries
        .iter()
        .filter(|e| e.turn <= n)
        .map(|e| e.to_line())
        .collect();
    let record = app.world().resource::<SessionRecord>();
    (lines, record.turns[..n as usize].to_vec())
}

fn stamp(app: &mut App) {
    let log = app.world().resource::<GameLog>().clone();
    app.world_mut()
        .resource_mut::<SessionRecord>()
        .stamp_hashes(&log);
}

/// The acceptance test of the live edit loop: the default scenario (bots, dice) edited at turn
/// 5, a chance and then a new action; the past stays exactly as the room saw it, and undo and
/// resume reach the recorded hashes.
#[test]
fn an_edit_at_turn_5_never_rewrites_turns_1_to_4() {
    let dir = copy_folder("scenarios/forward_defense_2022", "turn5");
    // The first seed from 4 whose game is still on after turn 9 (found by playing it headless,
    // so the test keeps its meaning when the rules change the dice).
    let seed = (4..100)
        .find(|&seed| {
            let loaded = LoadedScenario::load(&dir).unwrap().0;
            let mut game = grayzone::sim::Game::new(&loaded, seed, &scripted(&loaded));
            (0..9).all(|_| game.step()) && game.state().turn == 10
        })
        .expect("a seed whose game lasts past turn 9");
    let mut app = app_with_seed(&dir, seed);
    for _ in 0..4 {
        play_turn(&mut app, vec![]);
    }
    stamp(&mut app);
    assert_eq!(app.world().resource::<GameState>().turn, 5);
    let (log_before, turns_before) = seen_until(&app, 4);
    assert!(turns_before.iter().all(|t| t.state_hash.is_some()));
    let history_before: Vec<String> = {
        let loaded = app.world().resource::<LoadedScenario>();
        let st = app.world().resource::<GameState>();
        st.history
            .iter()
            .map(|h| loaded.scenario.actions[h.action].id.to_string())
            .collect()
    };
    // A chance…
    edit(
        &dir,
        "actions.ron",
        "chance: 70, visibility: Deniable",
        "chance: 20, visibility: Deniable",
    );
    app.update();
    assert_eq!(
        app.world().resource::<ReloadStatus>().notice().as_deref(),
        Some("actions.ron applied from turn 5")
    );
    // …then a new action, first in the catalogue (every action moves one place down).
    edit(
        &dir,
        "actions.ron",
        "    actions: [\n",
        "    actions: [\n        (id: \"open_letter\", name: \"Open letter\", domain: Information, intent: Signal, rung: \"posturing\", chance: 90, visibility: Overt),\n",
    );
    app.update();
    let status = app.world().resource::<ReloadStatus>().clone();
    assert!(
        matches!(
            status.last,
            Some(ReloadOutcome::Applied { from_turn: 5, .. })
        ),
        "{status:?}"
    );
    // Nothing of turns 1-4 moved: the log, the record's inputs, hashes and versions.
    let (log_now, turns_now) = seen_until(&app, 4);
    assert_eq!(log_now, log_before);
    assert_eq!(turns_now, turns_before);
    {
        let loaded = app.world().resource::<LoadedScenario>();
        assert_eq!(loaded.index.actions["open_letter"], 0);
        let st = app.world().resource::<GameState>();
        let history_now: Vec<String> = st
            .history
            .iter()
            .map(|h| loaded.scenario.actions[h.action].id.to_string())
            .collect();
        assert_eq!(
            history_now, history_before,
            "the played actions keep their ids"
        );
    }
    let record = app.world().resource::<SessionRecord>();
    assert_eq!(
        record.versions.len(),
        3,
        "the original, the chance, the new action"
    );
    // Turns 5 and 6 under the new rules.
    play_turn(&mut app, vec![]);
    play_turn(&mut app, vec![]);
    stamp(&mut app);
    let (log_after, turns_after) = seen_until(&app, 4);
    assert_eq!(log_after, log_before);
    assert_eq!(turns_after, turns_before);
    let live = app.world().resource::<GameState>().clone();
    let record = app.world().resource::<SessionRecord>().clone();
    assert_eq!(
        record.version_of_turn(4),
        turns_before[3].version.as_deref()
    );
    assert_eq!(record.version_of_turn(5), record.current_version());
    assert!(record.turns[..6].iter().all(|t| t.state_hash.is_some()));
    let current = app.world().resource::<LoadedScenario>().clone();
    // Undo (replay without turn 6) reaches the recorded hashes of turns 1-5.
    let undone = record.replay(&current, Some(5)).unwrap();
    assert_eq!(undone.state().turn, 6);
    let undone_log: Vec<String> = undone.log().entries.iter().map(|e| e.to_line()).collect();
    let live_log: Vec<String> = app
        .world()
        .resource::<GameLog>()
        .entries
        .iter()
        .filter(|e| e.turn <= 5)
        .map(|e| e.to_line())
        .collect();
    assert_eq!(undone_log, live_log);
    assert!(
        record.verify_and_replay(&current, Some(5), false).is_ok(),
        "undo reaches every recorded hash"
    );
    // Resume: the save read back replays every turn to its hash, from its own texts.
    let save = dir.join("session.ron");
    record.save(&save).unwrap();
    let back = SessionRecord::load(&save).unwrap();
    let recorded = back.load_recorded().unwrap();
    let resumed = back.verify_and_replay(&recorded, None, false).unwrap();
    assert!(resumed.ignored.is_none());
    assert_eq!(resumed.game.state(), &live);
    // Against the folder as it is (the latest version), it replays too…
    let disk = LoadedScenario::load(&dir).unwrap().0;
    assert!(back.verify_and_replay(&disk, None, false).is_ok());
    // …and a later edit on disk is reported, as the command-line replay does.
    edit(&dir, "actions.ron", "chance: 65", "chance: 60");
    let disk = LoadedScenario::load(&dir).unwrap().0;
    let Err(d) = back.verify_and_replay(&disk, None, false) else {
        panic!("an edited scenario replayed as the saved game");
    };
    assert!(d.to_string().contains("--recorded-versions"), "{d}");
    // The explicit what-if re-plays everything under the new rules: another game.
    let what_if = back.what_if(&recorded, None);
    assert_ne!(what_if.state(), &live);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A slow save (the file cut to nothing, a pause, then written) and a file deleted and written
/// again are never shown as errors: a change is looked at once it has been stable for the
/// settle time (300 ms in the game; 1 s here, so a loaded machine cannot make the test flake).
#[test]
fn half_written_and_recreated_files_show_no_error() {
    let dir = copy_fixture("slow");
    let mut app = app(&dir);
    let settle = Duration::from_secs(1);
    app.world_mut().resource_mut::<ScenarioSource>().settle = settle;
    let run_for = |app: &mut App, time: Duration| {
        let start = std::time::Instant::now();
        while start.elapsed() < time {
            app.update();
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    let path = dir.join("actions.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    // Step one of a slow save: truncated. Looked at for a while: never validated.
    std::fs::write(&path, "").unwrap();
    run_for(&mut app, Duration::from_millis(400));
    assert_eq!(app.world().resource::<ReloadStatus>().last, None);
    // Step two: the edited text.
    std::fs::write(
        &path,
        text.replace("name: \"Covert hack\"", "name: \"Quiet hack\""),
    )
    .unwrap();
    let start = std::time::Instant::now();
    while app.world().resource::<ReloadStatus>().last.is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the edit never applied"
        );
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = app.world().resource::<ReloadStatus>();
    assert_eq!(status.errors, 0, "{:?}", status.diagnostics);
    assert!(matches!(status.last, Some(ReloadOutcome::Applied { .. })));
    assert!(start.elapsed() >= settle, "validated before it was stable");
    assert_eq!(
        app.world().resource::<LoadedScenario>().scenario.actions[0].name,
        "Quiet hack"
    );
    // A file deleted and written again (an editor's save) within the window: nothing shown.
    let applied = app.world().resource::<ReloadStatus>().applied;
    let now = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    run_for(&mut app, Duration::from_millis(200));
    std::fs::write(&path, &now).unwrap();
    run_for(&mut app, settle + Duration::from_millis(300));
    let status = app.world().resource::<ReloadStatus>();
    assert_eq!(status.errors, 0, "{:?}", status.diagnostics);
    assert_eq!(status.applied, applied, "nothing changed, nothing applied");
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
