//! Every scenario under `scenarios/` loads and plays to an ending; determinism; the default
//! scenario's endings and doctrines behave as designed.

use std::path::Path;

use grayzone::analysis::summarize_games;
use grayzone::scenario::{Controller, Doctrine, scenario_dirs};
use grayzone::sim::{Game, GameState, LoadedScenario};

fn default_scenario() -> LoadedScenario {
    LoadedScenario::load(Path::new("scenarios/forward_defense_2022"))
        .unwrap()
        .0
}

fn bots(game: &LoadedScenario) -> Vec<Controller> {
    grayzone::cli::bot_controllers(game, &[], None).unwrap()
}

/// Every shipped scenario plays to an ending that really happened: a scripted ending's
/// condition holds in the final state, the fallback comes only at the turn limit, and some
/// seed (under its own bots or hawks) reaches an ending other than the fallback.
#[test]
fn every_scenario_plays_to_endings_whose_conditions_hold() {
    let dirs = scenario_dirs(Path::new("scenarios"));
    assert!(!dirs.is_empty(), "no scenarios found");
    for dir in dirs {
        let (game, _) = LoadedScenario::load(&dir).unwrap_or_else(|v| {
            panic!(
                "{} does not load:\n{}",
                dir.display(),
                v.render_human(&dir.display().to_string(), false)
            )
        });
        let sc = &game.scenario;
        let hawks = grayzone::cli::bot_controllers(&game, &[], Some("hawk")).unwrap();
        let mut reached = std::collections::BTreeMap::<String, usize>::new();
        for controllers in [bots(&game), hawks] {
            for seed in 1..=12 {
                let mut g = Game::new(&game, seed, &controllers);
                g.play_out();
                let end = g
                    .state()
                    .ending
                    .clone()
                    .unwrap_or_else(|| panic!("{} seed {seed} has no ending", dir.display()));
                let ending = &sc.endings[end.ending];
                let place = format!("{} seed {seed}: {}", dir.display(), ending.id);
                if ending.fallback {
                    assert_eq!(
                        end.turn, sc.meta.turns,
                        "{place}: the fallback before the last turn"
                    );
                } else {
                    let when = ending
                        .when
                        .as_ref()
                        .expect("a scripted ending has a condition");
                    let ctx = grayzone::sim::Ctx {
                        sc,
                        ix: &game.index,
                        st: g.state(),
                    };
                    assert!(
                        ctx.eval_pure(when, Default::default()),
                        "{place} on turn {}, but its condition does not hold",
                        end.turn
                    );
                }
                *reached.entry(ending.id.clone()).or_default() += 1;
            }
        }
        let fallback = sc.endings.iter().find(|e| e.fallback).map(|e| e.id.clone());
        assert!(
            reached.keys().any(|id| Some(id) != fallback.as_ref()),
            "{}: only the fallback in 24 games: {reached:?}",
            dir.display()
        );
    }
}

#[test]
fn same_seed_same_log_other_seed_other_game() {
    let game = default_scenario();
    let play = |seed| {
        let mut g = Game::new(&game, seed, &bots(&game));
        g.play_out();
        (g.log().to_text(), g.state().state_hash())
    };
    let (a, ha) = play(7);
    let (b, hb) = play(7);
    assert_eq!(a, b);
    assert_eq!(ha, hb);
    let (c, _) = play(8);
    assert_ne!(a, c);
}

#[test]
fn reset_world_replays_identically() {
    let game = default_scenario();
    let controllers = bots(&game);
    let mut g = Game::new(&game, 42, &controllers);
    g.play_out();
    let first = g.log().to_text();
    g.reset(&game, 99, &controllers);
    g.play_out();
    g.reset(&game, 42, &controllers);
    g.play_out();
    assert_eq!(
        first,
        g.log().to_text(),
        "reset leaves nothing of the previous game"
    );
}

#[test]
fn hawks_escalate_more_than_doves() {
    let game = default_scenario();
    let all = |d: Doctrine| grayzone::cli::bot_controllers(&game, &[], Some(d.cli_name())).unwrap();
    let rungs = &game.scenario.meta.ladder.rungs;
    let mean_peak = |d: Doctrine| {
        let s = summarize_games(&game, 1, 40, &all(d)).unwrap();
        s.peak_crisis.sum_by(|r| i64::from(rungs[r].level)) as f64 / s.games as f64
    };
    let (hawk, dove) = (mean_peak(Doctrine::Hawk), mean_peak(Doctrine::Dove));
    assert!(hawk > dove + 1.5, "hawk {hawk} vs dove {dove}");
}

/// Each ending of the default scenario is reachable: a state that meets its condition ends
/// the game with it at the end of the turn.
#[test]
fn every_default_ending_is_reachable() {
    let game = default_scenario();
    let sc = &game.scenario;
    let ix = &game.index;
    let controllers = vec![Controller::Facilitator; sc.actors.len()];
    let reach = |setup: &dyn Fn(&mut GameState)| {
        let mut g = Game::new(&game, 1, &controllers);
        setup(&mut g.world.resource_mut::<GameState>());
        g.play_out();
        let e = g.state().ending.clone().unwrap();
        sc.endings[e.ending].id.clone()
    };
    let us = ix.actors["united_states"];
    let ru = ix.actors["russia"];
    assert_eq!(
        reach(&|s| s.actors[ru].rung = ix.rungs["nuclear_use"]),
        "nuclear_use"
    );
    assert_eq!(
        reach(&|s| s.actors[us].rung = ix.rungs["kinetic_clash"]),
        "kinetic_clash"
    );
    let prevention = ix.proposals["incident_prevention"];
    assert_eq!(
        reach(&|s| s.agreements.push(grayzone::sim::Agreement {
            proposal: prevention,
            parties: (us, ru),
            since: 1
        })),
        "incident_prevention_agreement"
    );
    let infra = ix.sectors["critical_infra"];
    assert_eq!(
        reach(&|s| s.actors[ru].damage[infra] = 80),
        "infrastructure_collapse"
    );
    assert_eq!(reach(&|_| {}), "frozen_gray_zone");
}

#[test]
fn fast_analysis_mode_plays_the_same_games_as_the_logged_mode() {
    let game = default_scenario();
    let controllers = bots(&game);
    for seed in 1..=5 {
        let mut logged = Game::new(&game, seed, &controllers);
        logged.play_out();
        let mut fast = Game::new(&game, seed, &controllers);
        let outcome = grayzone::analysis::play_one(&mut fast, &game, seed, &controllers);
        assert!(fast.log().entries.is_empty(), "fast mode keeps no log");
        let ending = logged.state().ending.clone().unwrap();
        assert_eq!(outcome.ending, game.scenario.endings[ending.ending].id);
        assert_eq!(fast.state(), logged.state(), "seed {seed}");
    }
}

/// Shipped scenarios are held to `grayzone validate --deny-warnings`.
#[test]
fn every_scenario_validates_clean_with_warnings_denied() {
    for dir in scenario_dirs(Path::new("scenarios")) {
        let v = grayzone::scenario::validate::validate_dir(&dir);
        assert!(
            !v.failed(true),
            "{}",
            v.render_human(&dir.display().to_string(), true)
        );
    }
}
