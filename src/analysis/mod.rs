//! Many seeded games headless: ending distributions and escalation curves.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::scenario::Controller;
use crate::sim::{Game, LoadedScenario};

/// The outcome of one game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameOutcome {
    /// The seed it was played with.
    pub seed: u64,
    /// The ending's id.
    pub ending: String,
    /// Turn it ended.
    pub turn: u32,
    /// Crisis level (ladder level of the highest rung) at the end of each turn.
    pub crisis_levels: Vec<i32>,
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
    }
}

/// Plays `runs` games with seeds `seed, seed+1, …` on all cores; results in seed order.
pub fn run_many(
    loaded: &LoadedScenario,
    seed: u64,
    runs: u64,
    controllers: &[Controller],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<GameOutcome> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let threads = threads.clamp(1, runs.max(1));
    let chunk = runs.div_ceil(threads);
    let done = std::sync::atomic::AtomicU64::new(0);
    let mut results: Vec<Vec<GameOutcome>> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let done = &done;
                s.spawn(move || {
                    let start = t * chunk;
                    let end = ((t + 1) * chunk).min(runs);
                    let mut game = Game::new(loaded, seed, controllers);
                    let mut out = Vec::new();
                    for i in start..end {
                        out.push(play_one(
                            &mut game,
                            loaded,
                            seed.wrapping_add(i),
                            controllers,
                        ));
                        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        progress(n);
                    }
                    out
                })
            })
            .collect();
        for h in handles {
            results.push(h.join().unwrap_or_default());
        }
    });
    results.into_iter().flatten().collect()
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
