//! Autosave and resume as the game window does them (`gui::session`, without a window): every
//! resolved turn rewrites the autosave, a session resumed from it reaches the state hashes the
//! live game reached and then plays on exactly as the live game does, and after an undo the
//! next autosave carries the replayed turn, not the undone one.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bevy::prelude::*;
use grayzone::gui::session::{
    Autosave, Hotseat, SetupDraft, autosave_path, autosave_summary, resolve_turn, resume_autosave,
    start_session, submit_team, undo_turn,
};
use grayzone::scenario::Controller;
use grayzone::sim::{GameState, LoadedScenario, Order, SessionRecord, turn_schedule};

/// `resume_autosave` reads the autosave from `$GRAYZONE_SAVES`: the tests of this file share
/// one folder and take turns.
static SAVES: Mutex<()> = Mutex::new(());

fn saves_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-autosave-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // SAFETY: every test of this binary sets the same value, under the `SAVES` lock, before
    // any thread reads it.
    unsafe { std::env::set_var("GRAYZONE_SAVES", &dir) };
    dir
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// A session on the mini scenario, every actor a team, autosaving where the window does.
fn session(seed: u64) -> World {
    let dir = fixture();
    let (loaded, _) = LoadedScenario::load(&dir).expect("the fixture loads");
    let controllers = vec![Controller::Team; loaded.scenario.actors.len()];
    let mut world = World::new();
    world.add_schedule(turn_schedule());
    world.insert_resource(SetupDraft {
        dir,
        loaded,
        controllers,
        selected: 0,
        seed,
        seed_text: None,
    });
    start_session(&mut world);
    world.insert_resource(Autosave(autosave_path()));
    world
}

/// A world to resume into, as the title screen has it: the rules' schedule, autosaving.
fn empty_world() -> World {
    let mut world = World::new();
    world.add_schedule(turn_schedule());
    world.insert_resource(Autosave(autosave_path()));
    world
}

/// Each team drafts a legal card (which one varies with the turn) and the turn resolves, as
/// the orders screens and the reveal do. Returns the turn resolved.
fn play_turn(world: &mut World) -> u32 {
    let actors = world.resource::<LoadedScenario>().scenario.actors.len();
    let turn = world.resource::<GameState>().turn as usize;
    for actor in 0..actors {
        let order = {
            let loaded = world.resource::<LoadedScenario>();
            let state = world.resource::<GameState>();
            let cards = grayzone::view::legal_cards(&loaded.scenario, &loaded.index, state, actor);
            (!cards.is_empty()).then(|| {
                let (action, options) = &cards[(turn + actor) % cards.len()];
                let target = options[(turn * 7 + actor) % options.len()].0;
                Order {
                    action: loaded.scenario.actions[*action].id.clone(),
                    target: target.map(|t| loaded.scenario.actors[t].id.clone()),
                }
            })
        };
        world
            .resource_mut::<Hotseat>()
            .drafts
            .insert(actor, order.into_iter().collect());
        submit_team(world, actor);
    }
    resolve_turn(world)
}

fn hash(world: &World) -> u64 {
    world.resource::<GameState>().state_hash()
}

fn autosaved() -> SessionRecord {
    SessionRecord::load(&autosave_path()).expect("the autosave loads")
}

#[test]
fn a_session_resumed_from_its_autosave_reaches_the_same_hashes_and_plays_on_alike() {
    let _lock = SAVES.lock().unwrap_or_else(|e| e.into_inner());
    let saves = saves_dir();
    let _ = std::fs::remove_file(autosave_path());
    let mut live = session(11);
    let mut hashes = Vec::new();
    for turn in 1..=3 {
        assert_eq!(play_turn(&mut live), turn);
        hashes.push(hash(&live));
        // Every resolved turn rewrites the autosave, with every turn's hash stamped.
        let record = autosaved();
        assert_eq!(
            record.turns.len(),
            turn as usize,
            "the autosave after turn {turn}"
        );
        assert!(record.turns.iter().all(|t| t.state_hash.is_some()));
        assert_eq!(autosave_summary(), Some(("mini".into(), turn as usize)));
    }
    assert_ne!(hashes[0], hashes[1], "the turns change the game");
    assert_ne!(hashes[1], hashes[2], "the turns change the game");

    // The window crashes here; a new one resumes from the autosave.
    let mut resumed = empty_world();
    assert_eq!(resume_autosave(&mut resumed), Ok(4));
    assert_eq!(
        hash(&resumed),
        hashes[2],
        "the resumed game is the live game"
    );
    assert_eq!(
        resumed.resource::<GameState>(),
        live.resource::<GameState>()
    );

    // Both play on with the same orders: the dice resume where they were.
    for turn in 4..=6 {
        assert_eq!(play_turn(&mut live), turn);
        assert_eq!(play_turn(&mut resumed), turn);
        assert_eq!(hash(&resumed), hash(&live), "turn {turn} after the resume");
    }
    assert_eq!(autosaved().turns.len(), 6);
    std::fs::remove_dir_all(saves).ok();
}

#[test]
fn after_an_undo_the_autosave_replays_the_turn_played_again() {
    let _lock = SAVES.lock().unwrap_or_else(|e| e.into_inner());
    let saves = saves_dir();
    let _ = std::fs::remove_file(autosave_path());
    let mut live = session(23);
    play_turn(&mut live);
    let after_one = hash(&live);
    play_turn(&mut live);
    let first_turn_two = live.resource::<GameState>().clone();
    assert_eq!(undo_turn(&mut live), Some(2));
    assert_eq!(hash(&live), after_one);
    // Turn 2 again, with other orders: a release changes what airs.
    let inject = live.resource::<LoadedScenario>().scenario.injects[2]
        .id
        .clone();
    grayzone::gui::session::release_inject(&mut live, inject);
    assert_eq!(play_turn(&mut live), 2);
    assert_ne!(
        live.resource::<GameState>(),
        &first_turn_two,
        "the turn played again differs from the undone one"
    );
    let record = autosaved();
    assert_eq!(record.turns.len(), 2);
    assert_eq!(
        record.turns[1].commands.len(),
        1,
        "the release is in the autosave"
    );

    let mut resumed = empty_world();
    assert_eq!(resume_autosave(&mut resumed), Ok(3));
    assert_eq!(
        resumed.resource::<GameState>(),
        live.resource::<GameState>()
    );
    std::fs::remove_dir_all(saves).ok();
}
