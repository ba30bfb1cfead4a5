//! The tutorial, Baltic and Kahn scenarios stay playable as designed under the bots: several
//! endings occur and none is a certainty under the scenario's own controllers and under hawks,
//! and hawks climb higher than doves.

use std::path::Path;

use grayzone::analysis::{Labels, Summary, summarize_games};
use grayzone::sim::LoadedScenario;

const SCENARIOS: [&str; 3] = [
    "scenarios/tutorial_first_contact",
    "scenarios/baltic_forward_hunt",
    "scenarios/kahn_ladder",
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
