//! Every shipped scenario, the default one included, stays playable as designed under the bots:
//! under the scenario's own bots and under hawks at least two endings are each a real outcome
//! (5 % of games or more), and hawks climb a meaningful share of the ladder higher than doves
//! and end badly far more often.
//!
//! Planning bots plan with the quick budget (as `simulate --quick-planner` does), so the
//! default scenario, whose own bots all plan, plays in seconds; the flag is process-wide and every
//! test of this file sets it the same way, so the games stay deterministic.

use std::path::Path;

use grayzone::analysis::{Summary, summarize_games};
use grayzone::bots::planner::PlannerBudget;
use grayzone::scenario::EndingTone;
use grayzone::sim::LoadedScenario;

/// Every shipped scenario and the games its own bots play here (the default scenario's five
/// planners make a game about 20 times slower than the others').
const SCENARIOS: [(&str, u64); 5] = [
    ("scenarios/forward_defense_2022", 40),
    ("scenarios/tutorial_first_contact", 120),
    ("scenarios/baltic_forward_hunt", 120),
    ("scenarios/kahn_ladder", 120),
    ("scenarios/escalation_study", 120),
];

/// Games played with one scripted doctrine for every state (scripted bots are fast).
const DOCTRINE_GAMES: u64 = 120;

/// The share of games (percent) an ending needs to count as a real outcome.
const COMMON: f64 = 5.0;

/// How far above doves hawks must peak on average, as a share of the ladder's span.
const CLIMB: f64 = 0.2;

/// How many more games (percentage points) hawks must end in a bad ending than doves.
const BAD_GAP: f64 = 40.0;

fn load(dir: &str) -> LoadedScenario {
    LoadedScenario::load(Path::new(dir)).unwrap().0
}

/// `runs` games from seed 1: every state with `doctrine`, or the scenario's own bots.
fn play_n(game: &LoadedScenario, doctrine: Option<&str>, runs: u64) -> Summary {
    PlannerBudget::set_quick_for_new_games(true);
    let controllers = grayzone::cli::bot_controllers(game, &[], doctrine).unwrap();
    summarize_games(game, 1, runs, &controllers).unwrap()
}

fn play(game: &LoadedScenario, doctrine: &str) -> Summary {
    play_n(game, Some(doctrine), DOCTRINE_GAMES)
}

/// Each ending's id and share of `s`'s games (percent), in scenario order.
fn shares(game: &LoadedScenario, s: &Summary) -> Vec<(String, f64)> {
    game.scenario
        .endings
        .iter()
        .enumerate()
        .map(|(e, ending)| {
            let share = 100.0 * s.ending_games(e) as f64 / s.games as f64;
            (ending.id.to_string(), share)
        })
        .collect()
}

/// Mean peak crisis level (ladder levels).
fn mean_peak(game: &LoadedScenario, s: &Summary) -> f64 {
    let rungs = &game.scenario.meta.ladder.rungs;
    s.peak_crisis.sum_by(|r| i64::from(rungs[r].level)) as f64 / s.games as f64
}

/// Share of `s`'s games (percent) that ended in an ending of tone `Bad`.
fn bad_share(game: &LoadedScenario, s: &Summary) -> f64 {
    let bad: u64 = (game.scenario.endings.iter().enumerate())
        .filter(|(_, ending)| ending.tone == EndingTone::Bad)
        .map(|(e, _)| s.ending_games(e))
        .sum();
    100.0 * bad as f64 / s.games as f64
}

#[test]
fn at_least_two_endings_are_real_outcomes_under_own_bots_and_hawks() {
    for (dir, own_runs) in SCENARIOS {
        let game = load(dir);
        for (who, s) in [
            ("own bots", play_n(&game, None, own_runs)),
            ("hawks", play(&game, "hawk")),
        ] {
            assert_eq!(
                s.games,
                s.endings.iter().sum::<u64>(),
                "every game ends once"
            );
            let all = shares(&game, &s);
            let common: Vec<&(String, f64)> = all.iter().filter(|(_, p)| *p >= COMMON).collect();
            assert!(
                common.len() >= 2,
                "{dir} under {who}: fewer than two endings in {COMMON} % or more of {} games: {all:.1?}",
                s.games
            );
        }
    }
}

#[test]
fn hawks_climb_a_meaningful_share_of_the_ladder_above_doves_and_end_badly_more_often() {
    for (dir, _) in SCENARIOS {
        let game = load(dir);
        let rungs = &game.scenario.meta.ladder.rungs;
        let span = f64::from(rungs[rungs.len() - 1].level - rungs[0].level);
        let (hawk, dove) = (play(&game, "hawk"), play(&game, "dove"));
        let (hawk_peak, dove_peak) = (mean_peak(&game, &hawk), mean_peak(&game, &dove));
        assert!(
            hawk_peak - dove_peak >= CLIMB * span,
            "{dir}: hawks peak at {hawk_peak:.2}, doves at {dove_peak:.2}: less than {:.0} % of the ladder's span of {span} levels apart",
            100.0 * CLIMB
        );
        let (hawk_bad, dove_bad) = (bad_share(&game, &hawk), bad_share(&game, &dove));
        assert!(
            hawk_bad - dove_bad >= BAD_GAP,
            "{dir}: hawks end badly in {hawk_bad:.1} % of games, doves in {dove_bad:.1} %: less than {BAD_GAP} points apart"
        );
    }
}

/// Share of `s`'s games that ended in the ending with id `id` (in percent).
fn share(game: &LoadedScenario, s: &Summary, id: &str) -> f64 {
    shares(game, s)
        .into_iter()
        .find(|(ending, _)| ending == id)
        .unwrap_or_else(|| panic!("no ending {id}"))
        .1
}

/// Kahn's ladder: the climb past 'No nuclear use' to central war and city targeting is possible
/// for two hawks — each of the top three endings in at least 0.5 % of games, through the
/// pre-delegated red lines and endings judged at each threshold's own reckoning — but stays a
/// rare result, and measured play never crosses 'No nuclear use'.
#[test]
fn kahn_central_war_is_a_rare_climb_for_hawks() {
    let game = load("scenarios/kahn_ladder");
    let hawk = play_n(&game, Some("hawk"), 2000);
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
    let measured = play(&game, "measured");
    for id in top.into_iter().chain(["bizarre_crisis"]) {
        assert_eq!(
            share(&game, &measured, id),
            0.0,
            "{id} reached under measured bots"
        );
    }
}
