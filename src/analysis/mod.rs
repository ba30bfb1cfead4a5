//! Many seeded games headless: the runner that plays them across cores and folds each into a
//! mergeable [`Summary`] as it finishes ([`run_stream`]), sharding ([`shard`]), sweeps
//! ([`sweep`]), per-game and per-turn tables ([`tables`]) and the printed result ([`render`]).

pub mod metrics;
pub mod stakes;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

use crate::scenario::Controller;
use crate::sim::{Game, GameState, LoadedScenario};

pub mod cluster;
pub mod render;
pub mod shard;
pub mod summary;
pub mod sweep;
pub mod tables;

pub use render::{Analysis, Labels, OutputFormat, Point};
pub use summary::{Histogram, Summary};

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
    outcome_of(&loaded.scenario, seed, game.state())
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
/// returned as an error naming its seed. Keeps every outcome: for large runs use
/// [`run_stream`], whose memory does not grow with the number of games.
pub fn run_games(
    loaded: &LoadedScenario,
    seed: u64,
    runs: u64,
    controllers: &[Controller],
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Result<Batch, GamePanic> {
    let sc = &loaded.scenario;
    let streamed = run_stream(
        &Stream {
            loaded,
            controllers,
            seed,
            games: 0..runs,
            progress,
            stop,
        },
        &Vec::new,
        &|out: &mut Vec<GameOutcome>, s, st| {
            out.push(outcome_of(sc, s, st));
            None::<()>
        },
        None,
    )
    .map_err(|e| match e {
        RunError::Panic(p) => p,
        RunError::Output(message) => GamePanic { seed, message },
    })?;
    let mut outcomes: Vec<GameOutcome> = streamed.folds.into_iter().flatten().collect();
    outcomes.sort_by_key(|o| o.seed.wrapping_sub(seed));
    Ok(Batch {
        interrupted: streamed.interrupted,
        outcomes,
        requested: runs,
    })
}

/// What [`run_stream`] plays: a scenario with controllers, the games `games` (game `i` is
/// played with seed `seed + i`), a progress callback (games done so far) and a stop flag.
pub struct Stream<'a> {
    /// The scenario.
    pub loaded: &'a LoadedScenario,
    /// One controller per actor.
    pub controllers: &'a [Controller],
    /// The seed of game 0.
    pub seed: u64,
    /// The games to play (a shard plays a slice of `0..runs`).
    pub games: Range<u64>,
    /// Called with the number of games done after each game.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Set (e.g. by Ctrl-C) to stop after the games being played.
    pub stop: &'a AtomicBool,
}

/// The result of [`run_stream`]: each worker's fold, and how many games were played.
#[derive(Debug)]
pub struct Streamed<A> {
    /// One accumulator per worker thread (merge them; their order carries no meaning).
    pub folds: Vec<A>,
    /// Games played: always the first `played` games of the range.
    pub played: u64,
    /// Whether the run stopped before every game was played.
    pub interrupted: bool,
}

/// Why [`run_stream`] stopped before the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// A game panicked (a bug): the whole run is void.
    Panic(GamePanic),
    /// The ordered output failed (e.g. a full disk).
    Output(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Panic(p) => p.fmt(f),
            RunError::Output(m) => f.write_str(m),
        }
    }
}

/// The consumer of per-game records in seed order (see [`run_stream`]).
pub type Ordered<'a, R> = &'a mut dyn FnMut(u64, R) -> Result<(), String>;

/// How far (in games) workers may run ahead of the ordered output before they wait, per thread.
const REORDER_WINDOW: u64 = 256;

/// Plays the games of `stream` on all cores, folding each finished game into its worker's
/// accumulator (`fold(acc, seed, final state)`, accumulators made by `new_acc`), so memory does
/// not grow with the number of games. When `ordered` is given, what `fold` returns for each game
/// is handed to it on this thread in seed order (games finish out of order; a bounded buffer
/// puts them back in order). A game that panics stops the run with its seed.
pub fn run_stream<A: Send, R: Send>(
    stream: &Stream,
    new_acc: &(dyn Fn() -> A + Sync),
    fold: &(dyn Fn(&mut A, u64, &GameState) -> Option<R> + Sync),
    mut ordered: Option<Ordered<R>>,
) -> Result<Streamed<A>, RunError> {
    let Stream {
        loaded,
        controllers,
        seed,
        ref games,
        progress,
        stop,
    } = *stream;
    let total = games.end.saturating_sub(games.start);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let threads = threads.clamp(1, total.max(1));
    let next = AtomicU64::new(games.start);
    let emitted = AtomicU64::new(games.start);
    let done = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let want_records = ordered.is_some();
    let mut folds = Vec::new();
    let mut panics: Vec<GamePanic> = Vec::new();
    let mut output_error = None;
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<(u64, Option<R>)>();
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (next, emitted, done, failed) = (&next, &emitted, &done, &failed);
                let tx = tx.clone();
                s.spawn(move || -> Result<A, GamePanic> {
                    let mut acc = new_acc();
                    let mut game = Game::new(loaded, seed, controllers);
                    loop {
                        if want_records {
                            // Bounded reordering: wait while too far ahead of the output.
                            while next.load(Ordering::Relaxed)
                                >= emitted.load(Ordering::Relaxed) + REORDER_WINDOW * threads
                                && !stop.load(Ordering::Relaxed)
                                && !failed.load(Ordering::Relaxed)
                            {
                                std::thread::sleep(std::time::Duration::from_micros(200));
                            }
                        }
                        if stop.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= games.end {
                            break;
                        }
                        let s = seed.wrapping_add(i);
                        let played = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            game.reset(loaded, s, controllers);
                            game.set_fast(true);
                            game.play_out();
                            let record = fold(&mut acc, s, game.state());
                            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                            record
                        }));
                        match played {
                            Ok(record) => {
                                if want_records && tx.send((i, record)).is_err() {
                                    failed.store(true, Ordering::Relaxed);
                                }
                            }
                            Err(payload) => {
                                failed.store(true, Ordering::Relaxed);
                                return Err(GamePanic {
                                    seed: s,
                                    message: panic_message(payload.as_ref()),
                                });
                            }
                        }
                    }
                    Ok(acc)
                })
            })
            .collect();
        drop(tx);
        if let Some(sink) = ordered.as_mut() {
            let mut waiting: BTreeMap<u64, Option<R>> = BTreeMap::new();
            let mut expected = games.start;
            for (i, record) in rx {
                waiting.insert(i, record);
                while let Some(record) = waiting.remove(&expected) {
                    if output_error.is_none()
                        && let Some(r) = record
                        && let Err(e) = sink(seed.wrapping_add(expected), r)
                    {
                        output_error = Some(e);
                        failed.store(true, Ordering::Relaxed);
                    }
                    expected += 1;
                    emitted.store(expected, Ordering::Relaxed);
                }
            }
        }
        for h in handles {
            match h.join() {
                Ok(Ok(acc)) => folds.push(acc),
                Ok(Err(p)) => panics.push(p),
                Err(payload) => panics.push(GamePanic {
                    seed,
                    message: panic_message(payload.as_ref()),
                }),
            }
        }
    });
    if let Some(p) = panics.into_iter().min_by_key(|p| p.seed.wrapping_sub(seed)) {
        return Err(RunError::Panic(p));
    }
    if let Some(e) = output_error {
        return Err(RunError::Output(e));
    }
    let played = done.load(Ordering::Relaxed);
    Ok(Streamed {
        folds,
        played,
        interrupted: played < total,
    })
}

fn outcome_of(sc: &crate::scenario::Scenario, seed: u64, st: &GameState) -> GameOutcome {
    GameOutcome {
        seed,
        ending: st
            .ending
            .as_ref()
            .map(|e| sc.endings[e.ending].id.clone())
            .unwrap_or_default(),
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

/// Plays `runs` games from `seed` and adds them up (no per-game data is kept).
pub fn summarize_games(
    loaded: &LoadedScenario,
    seed: u64,
    runs: u64,
    controllers: &[Controller],
) -> Result<Summary, RunError> {
    let never = AtomicBool::new(false);
    let streamed = run_stream(
        &Stream {
            loaded,
            controllers,
            seed,
            games: 0..runs,
            progress: &|_| {},
            stop: &never,
        },
        &|| Summary::new(&loaded.scenario),
        &|acc: &mut Summary, _, st| {
            acc.record(&loaded.scenario, st);
            None::<()>
        },
        None,
    )?;
    let mut total = Summary::new(&loaded.scenario);
    for f in &streamed.folds {
        total.merge(f).map_err(RunError::Output)?;
    }
    Ok(total)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
