//! Many seeded games headless: ending distributions and escalation curves.

pub mod metrics;
pub mod stakes;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::scenario::Controller;
use crate::sim::{Game, LoadedScenario};

/// The outcome of one game.
#[derive(Debug, Clone, PartialEq)]
pub struct GameOutcome {
    /// The seed it was played with.
    pub seed: u64,
    /// The ending's id.
    pub ending: String,
    /// Turn it ended.
    pub turn: u32,
    /// Crisis level (ladder level of the highest rung) at the end of each turn.
    pub crisis_levels: Vec<i32>,
    /// The scenario's metrics at the end of each turn (see [`metrics`]).
    pub metrics: Vec<crate::sim::MetricRow>,
    /// Each actor's final objective score (0–1), in scenario order (see [`stakes`]).
    pub scores: Vec<f64>,
}

impl GameOutcome {
    /// The highest crisis level reached.
    pub fn peak(&self) -> i32 {
        self.crisis_levels.iter().copied().max().unwrap_or(0)
    }
}

/// Plays one game to its end with the given controllers; fast mode skips the log and hashes.
pub fn play_one(
    game: &mut Game,
    loaded: &LoadedScenario,
    seed: u64,
    controllers: &[Controller],
) -> GameOutcome {
    game.reset(loaded, seed, controllers);
    game.set_fast(true);
    game.play_out();
    let st = game.state();
    let sc = &loaded.scenario;
    let ending = st
        .ending
        .as_ref()
        .map(|e| sc.endings[e.ending].id.clone())
        .unwrap_or_default();
    GameOutcome {
        seed,
        ending,
        turn: st.turn,
        crisis_levels: st
            .crisis_history
            .iter()
            .map(|&r| sc.meta.ladder.rungs[r].level)
            .collect(),
        metrics: st.metrics.clone(),
        scores: crate::sim::objectives::scores(sc, st),
    }
}

/// Plays `runs` games with seeds `seed, seed+1, …` on all cores; results in seed order.
/// `progress` is called with the number of games done after each game. A game that panics
/// panics here too, naming its seed (see [`run_games`] to get it as an error instead).
pub fn run_many(
    loaded: &LoadedScenario,
    seed: u64,
    runs: u64,
    controllers: &[Controller],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<GameOutcome> {
    let stop = AtomicBool::new(false);
    match run_games(loaded, seed, runs, controllers, progress, &stop) {
        Ok(batch) => batch.outcomes,
        Err(e) => panic!("{e}"),
    }
}

/// The games a [`run_games`] call played.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Outcomes in seed order: every game asked for, or, when stopped, the first
    /// `outcomes.len()` seeds.
    pub outcomes: Vec<GameOutcome>,
    /// Games asked for.
    pub requested: u64,
    /// Whether the run was stopped before every game was played.
    pub interrupted: bool,
}

/// A game of a batch ended in a panic (a bug in the engine or a bot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GamePanic {
    /// The seed of the game that panicked.
    pub seed: u64,
    /// The panic message.
    pub message: String,
}

impl std::fmt::Display for GamePanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error: the game with seed {} stopped with an internal error: {}\n  = help: this is a bug in Gray Zone; `grayzone simulate <scenario> --seed {}` plays that game alone",
            self.seed, self.message, self.seed
        )
    }
}

/// Plays `runs` games with seeds `seed, seed+1, …` on all cores, handing out seeds in order.
/// Setting `stop` (e.g. from Ctrl-C) ends the run early: each worker finishes its current game,
/// so the games played are exactly the first seeds. A game that panics stops the batch and is
/// returned as an error naming its seed.
pub fn run_games(
    loaded: &LoadedScenario,
    seed: u64,
    runs: u64,
    controllers: &[Controller],
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Result<Batch, GamePanic> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let threads = threads.clamp(1, runs.max(1));
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let mut results: Vec<(u64, GameOutcome)> = Vec::new();
    let mut panics: Vec<GamePanic> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (next, done, failed) = (&next, &done, &failed);
                s.spawn(move || -> Result<Vec<(u64, GameOutcome)>, GamePanic> {
                    let mut game = Game::new(loaded, seed, controllers);
                    let mut out = Vec::new();
                    loop {
                        if stop.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= runs {
                            break;
                        }
                        let s = seed.wrapping_add(i);
                        let played = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            play_one(&mut game, loaded, s, controllers)
                        }));
                        match played {
                            Ok(o) => out.push((i, o)),
                            Err(payload) => {
                                failed.store(true, Ordering::Relaxed);
                                return Err(GamePanic {
                                    seed: s,
                                    message: panic_message(payload.as_ref()),
                                });
                            }
                        }
                        progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                    }
                    Ok(out)
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(Ok(out)) => results.extend(out),
                Ok(Err(p)) => panics.push(p),
                Err(payload) => panics.push(GamePanic {
                    seed,
                    message: panic_message(payload.as_ref()),
                }),
            }
        }
    });
    if let Some(p) = panics.into_iter().min_by_key(|p| p.seed) {
        return Err(p);
    }
    results.sort_by_key(|(i, _)| *i);
    let outcomes: Vec<GameOutcome> = results.into_iter().map(|(_, o)| o).collect();
    Ok(Batch {
        interrupted: (outcomes.len() as u64) < runs,
        outcomes,
        requested: runs,
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Aggregate statistics of many games.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Games played.
    pub games: usize,
    /// Count per ending id, in scenario ending order.
    pub endings: Vec<(String, String, usize)>,
    /// Mean final crisis level.
    pub mean_final_crisis: f64,
    /// Mean peak crisis level.
    pub mean_peak_crisis: f64,
    /// Mean crisis level per turn (over games still running that turn).
    pub crisis_by_turn: Vec<f64>,
    /// Mean game length in turns.
    pub mean_turns: f64,
}

/// Summarises outcomes.
pub fn summarize(loaded: &LoadedScenario, outcomes: &[GameOutcome]) -> Summary {
    let n = outcomes.len().max(1) as f64;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in outcomes {
        *counts.entry(o.ending.as_str()).or_default() += 1;
    }
    let endings = loaded
        .scenario
        .endings
        .iter()
        .map(|e| {
            (
                e.id.clone(),
                e.name.clone(),
                counts.get(e.id.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    let turns = outcomes
        .iter()
        .map(|o| o.crisis_levels.len())
        .max()
        .unwrap_or(0);
    let crisis_by_turn = (0..turns)
        .map(|t| {
            let vals: Vec<i32> = outcomes
                .iter()
                .filter_map(|o| o.crisis_levels.get(t).copied())
                .collect();
            vals.iter().map(|&v| f64::from(v)).sum::<f64>() / vals.len().max(1) as f64
        })
        .collect();
    Summary {
        games: outcomes.len(),
        endings,
        mean_final_crisis: outcomes
            .iter()
            .map(|o| f64::from(o.crisis_levels.last().copied().unwrap_or(0)))
            .sum::<f64>()
            / n,
        mean_peak_crisis: outcomes.iter().map(|o| f64::from(o.peak())).sum::<f64>() / n,
        crisis_by_turn,
        mean_turns: outcomes.iter().map(|o| f64::from(o.turn)).sum::<f64>() / n,
    }
}

impl Summary {
    /// A readable table.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{} games", self.games);
        let _ = writeln!(s, "{:<28} {:>7} {:>7}", "ending", "games", "share");
        for (id, _name, c) in &self.endings {
            let _ = writeln!(
                s,
                "{:<28} {:>7} {:>6.1}%",
                id,
                c,
                100.0 * *c as f64 / self.games.max(1) as f64
            );
        }
        let _ = writeln!(s, "mean final crisis level: {:.2}", self.mean_final_crisis);
        let _ = writeln!(s, "mean peak crisis level:  {:.2}", self.mean_peak_crisis);
        let _ = writeln!(s, "mean game length:        {:.2} turns", self.mean_turns);
        let curve: Vec<String> = self
            .crisis_by_turn
            .iter()
            .map(|c| format!("{c:.2}"))
            .collect();
        let _ = writeln!(s, "mean crisis by turn:     {}", curve.join(" "));
        s
    }

    /// CSV: one row per ending, then the escalation curve.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("kind,key,value\n");
        for (id, _, c) in &self.endings {
            let _ = writeln!(s, "ending,{id},{c}");
        }
        for (t, c) in self.crisis_by_turn.iter().enumerate() {
            let _ = writeln!(s, "crisis_by_turn,{},{c:.4}", t + 1);
        }
        let _ = writeln!(s, "mean,final_crisis,{:.4}", self.mean_final_crisis);
        let _ = writeln!(s, "mean,peak_crisis,{:.4}", self.mean_peak_crisis);
        s
    }
}
