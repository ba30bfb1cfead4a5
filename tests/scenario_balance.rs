//! The tutorial, Baltic and Kahn scenarios stay playable as designed under the bots: several
//! endings occur and none is a certainty under the scenario's own controllers and under hawks,
//! and hawks climb higher than doves.

use std::path::Path;

use grayzone::analysis::{Summary, run_many, summarize};
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
    summarize(game, &run_many(game, 1, 120, &controllers, &|_| {}))
}

fn occurring(s: &Summary) -> Vec<&str> {
    s.endings
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(id, _, _)| id.as_str())
        .collect()
}

#[test]
fn several_endings_occur_and_none_is_certain() {
    for dir in SCENARIOS {
        let game = load(dir);
        for doctrine in [None, Some("hawk")] {
            let s = play(&game, doctrine);
            let seen = occurring(&s);
            assert!(
                seen.len() >= 2,
                "{dir} ({doctrine:?}): only {seen:?} occur in {} games",
                s.games
            );
            assert!(
                s.endings.iter().all(|(_, _, n)| *n < s.games),
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
            hawk.mean_peak_crisis > dove.mean_peak_crisis + 1.0,
            "{dir}: hawk peak {} vs dove peak {}",
            hawk.mean_peak_crisis,
            dove.mean_peak_crisis
        );
    }
}
