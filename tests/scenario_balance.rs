//! The tutorial, Baltic and Kahn scenarios stay playable as designed under the bots: several
//! endings occur and none is a certainty under the scenario's own controllers and under hawks,
//! and hawks climb higher than doves.

use std::path::Path;

use grayzone::analysis::{Labels, Summary, summarize_games};
use grayzone::sim::LoadedScenario;

const SCENARIOS: [&str; 4] = [
    "scenarios/tutorial_first_contact",
    "scenarios/baltic_forward_hunt",
    "scenarios/kahn_ladder",
    "scenarios/escalation_study",
];

fn load(dir: &str) -> LoadedScenario {
    LoadedScenario::load(Path::new(dir)).unwrap().0
}

fn play(game: &LoadedScenario, doctrine: Option<&str>) -> Summary {
    let controllers = grayzone::cli::bot_controllers(game, &[], doctrine).unwrap();
    summarize_games(game, 1, 120, &controllers).unwrap()
}

fn occurring(game: &LoadedScenario, s: &Summary) -> Vec<String> {
    let labels = Labels::of(&game.scenario);
    labels
        .endings
        .iter()
        .enumerate()
        .filter(|(e, _)| s.ending_games(*e) > 0)
        .map(|(_, l)| l.id.clone())
        .collect()
}

/// Mean peak crisis level (ladder levels).
fn mean_peak(game: &LoadedScenario, s: &Summary) -> f64 {
    let rungs = &game.scenario.meta.ladder.rungs;
    s.peak_crisis.sum_by(|r| i64::from(rungs[r].level)) as f64 / s.games as f64
}

#[test]
fn several_endings_occur_and_none_is_certain() {
    for dir in SCENARIOS {
        let game = load(dir);
        for doctrine in [None, Some("hawk")] {
            let s = play(&game, doctrine);
            let seen = occurring(&game, &s);
            assert!(
                seen.len() >= 2,
                "{dir} ({doctrine:?}): only {seen:?} occur in {} games",
                s.games
            );
            assert!(
                s.endings.iter().all(|n| *n < s.games),
                "{dir} ({doctrine:?}): one ending is a certainty: {:?}",
                s.endings
            );
        }
    }
}

#[test]
fn hawks_climb_higher_than_doves() {
    for dir in SCENARIOS {
        let game = load(dir);
        let hawk = play(&game, Some("hawk"));
        let dove = play(&game, Some("dove"));
        assert!(
            mean_peak(&game, &hawk) > mean_peak(&game, &dove) + 1.0,
            "{dir}: hawk peak {} vs dove peak {}",
            mean_peak(&game, &hawk),
            mean_peak(&game, &dove)
        );
    }
}

/// Share of `s`'s games that ended in the ending with id `id` (in percent).
fn share(game: &LoadedScenario, s: &Summary, id: &str) -> f64 {
    let labels = Labels::of(&game.scenario);
    let e = labels
        .endings
        .iter()
        .position(|l| l.id == id)
        .unwrap_or_else(|| panic!("no ending {id}"));
    100.0 * s.ending_games(e) as f64 / s.games as f64
}

/// Kahn's ladder: the climb past 'No nuclear use' to central war and city targeting is possible
/// for two hawks — each of the top three endings in at least 0.5 % of games, through the
/// pre-delegated red lines and endings judged at each threshold's own reckoning — but stays a
/// rare result, and measured play never crosses 'No nuclear use'.
#[test]
fn kahn_central_war_is_a_rare_climb_for_hawks() {
    let game = load("scenarios/kahn_ladder");
    let hawk = {
        let controllers = grayzone::cli::bot_controllers(&game, &[], Some("hawk")).unwrap();
        summarize_games(&game, 1, 2000, &controllers).unwrap()
    };
    let top = [
        "civilian_central_war",
        "military_central_war",
        "exemplary_central_attacks",
    ];
    for id in top {
        assert!(
            share(&game, &hawk, id) >= 0.5,
            "{id} in {:.2} % of {} hawk games: below 0.5 %",
            share(&game, &hawk, id),
            hawk.games
        );
    }
    let climbed: f64 = top.iter().map(|id| share(&game, &hawk, id)).sum();
    assert!(
        climbed < 20.0,
        "central attacks or worse in {climbed:.1} % of hawk games: no longer a rare climb"
    );
    assert!(
        share(&game, &hawk, "civilian_central_war") < share(&game, &hawk, "military_central_war"),
        "city targeting should be rarer than central war"
    );
    let measured = play(&game, Some("measured"));
    for id in top.into_iter().chain(["bizarre_crisis"]) {
        assert_eq!(
            share(&game, &measured, id),
            0.0,
            "{id} reached under measured bots"
        );
    }
}
