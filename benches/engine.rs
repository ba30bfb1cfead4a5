//! Engine benchmark: cost of one turn as scenarios grow, in the analysis setting (scripted
//! bots, no log, no hashes).
//!
//! Run with `cargo bench --no-default-features --bench engine` (a release build). Prints a
//! table of microseconds per turn for 9/18/36/72 actors × 29/58/116/232 actions of a generated
//! scenario (see `support/large_scenario.rs`), then the time of 6 turns with the most actors a
//! scenario may have (the validator's limit, 1,000; skip it with `--quick`). Every cell also shows the number of legal orders the bots weigh per
//! turn, the size of their decision.

use std::time::Instant;

use grayzone::scenario::validate::validate_texts;
use grayzone::sim::{Game, LoadedScenario};

#[path = "support/large_scenario.rs"]
mod large_scenario;

fn load(actors: usize, actions: usize) -> LoadedScenario {
    let files = large_scenario::generate(actors, actions);
    let v = validate_texts("generated", &files);
    assert_eq!(v.errors(), 0, "{:?}", v.diagnostics.first());
    LoadedScenario::new(v.scenario.expect("the generated scenario validates"))
}

/// Legal orders of every actor at the start of a game (the bots' candidates in turn 1).
fn legal_orders(loaded: &LoadedScenario) -> usize {
    let game = Game::new(loaded, 1, &loaded.default_controllers());
    let ctx = grayzone::sim::Ctx {
        sc: &loaded.scenario,
        ix: &loaded.index,
        st: game.state(),
    };
    (0..loaded.scenario.actors.len())
        .map(|a| ctx.legal_orders(a).len())
        .sum()
}

/// Plays fast games (seeds 1, 2, …) for about `budget` seconds, at most `max_turns` turns a
/// game; returns microseconds per turn and turns played.
fn per_turn(loaded: &LoadedScenario, budget: f64, max_turns: u32) -> (f64, u64) {
    let controllers = loaded.default_controllers();
    let mut game = Game::new(loaded, 1, &controllers);
    let mut turns = 0u64;
    let start = Instant::now();
    let mut seed = 1;
    while start.elapsed().as_secs_f64() < budget || turns == 0 {
        game.reset(loaded, seed, &controllers);
        game.set_fast(true);
        for _ in 0..max_turns {
            turns += 1;
            if !game.step() {
                break;
            }
        }
        seed += 1;
    }
    (start.elapsed().as_secs_f64() * 1e6 / turns as f64, turns)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let actors = [9, 18, 36, 72];
    let actions = [29, 58, 116, 232];
    println!("us per turn (legal orders weighed per turn), generated scenario, fast mode");
    print!("{:>8}", "actors");
    for a in actions {
        print!(" | {:>19}", format!("{a} actions"));
    }
    println!();
    for n in actors {
        print!("{n:>8}");
        for a in actions {
            let loaded = load(n, a);
            let (us, _) = per_turn(&loaded, 0.3, 12);
            print!(" | {:>9.1} ({:>7})", us, legal_orders(&loaded));
        }
        println!();
    }
    if !quick {
        // The largest scenario the validator accepts (E405): more actors never load.
        let most = grayzone::scenario::validate::limits::ACTORS;
        let t = Instant::now();
        let loaded = load(most, 29);
        let load_s = t.elapsed().as_secs_f64();
        let legal = legal_orders(&loaded);
        let t = Instant::now();
        let controllers = loaded.default_controllers();
        let mut game = Game::new(&loaded, 1, &controllers);
        game.set_fast(true);
        let mut turns = 0;
        for _ in 0..6 {
            turns += 1;
            if !game.step() {
                break;
            }
        }
        println!(
            "{most} actors (the limit) x 29 actions: {turns} {} in {:.2} s ({:.0} ms per turn, {legal} legal orders in turn 1; load {load_s:.1} s)",
            if turns == 1 { "turn" } else { "turns" },
            t.elapsed().as_secs_f64(),
            t.elapsed().as_secs_f64() * 1e3 / f64::from(turns)
        );
    }
}
