//! Hot reload of the scenario being played: saving a scenario file re-validates it.
//!
//! - An invalid edit keeps the last good scenario running; its diagnostics are kept in
//!   [`ReloadStatus`] for the on-screen panel.
//! - A valid edit that keeps every id in place (text, numbers, conditions, effects) is applied
//!   in place: the game state stays, the new data rules from the next phase on.
//! - A valid edit that changes ids (an action added, an actor renamed, …) is applied by replaying
//!   the session's record from turn 1 with the same seed.
//! - The facilitator can lock reloading during a live session; edits then wait until unlocked.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use bevy::prelude::*;

use super::{GameConfig, GameLog, GameRng, GameState, LoadedScenario, OrderBook, SessionRecord};
use crate::scenario::Scenario;
use crate::scenario::load::{Fnv64, ScenarioFiles, read_scenario_files};

/// The scenario folder being watched.
#[derive(Resource, Debug, Clone)]
pub struct ScenarioSource {
    /// The folder.
    pub dir: PathBuf,
    /// How often to look at the files.
    pub poll_every: Duration,
    last_poll: Option<Duration>,
    fingerprint: u64,
}

impl ScenarioSource {
    /// Watches a folder, taking its current contents as the baseline.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let fingerprint = fingerprint(&read_scenario_files(&dir));
        ScenarioSource {
            dir,
            poll_every: Duration::from_millis(500),
            last_poll: None,
            fingerprint,
        }
    }
}

/// What the last reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// Applied without touching the game state.
    InPlace,
    /// Applied by replaying this many turns with the same seed.
    Replayed(usize),
    /// Rejected: the last good scenario keeps running.
    Rejected,
    /// Waiting: reloading is locked.
    Waiting,
}

/// Hot-reload status, read by the GUI's panel.
#[derive(Resource, Debug, Clone, Default)]
pub struct ReloadStatus {
    /// The facilitator has locked reloading.
    pub locked: bool,
    /// Diagnostics of the last rejected edit (rustc-style text), until a good edit replaces them.
    pub diagnostics: Option<String>,
    /// Number of errors in them.
    pub errors: usize,
    /// The last outcome.
    pub last: Option<ReloadOutcome>,
    /// How many edits have been applied.
    pub applied: u32,
}

/// Watches the scenario folder and applies edits.
pub struct HotReloadPlugin;

impl Plugin for HotReloadPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ReloadStatus>()
            .add_systems(Update, watch_scenario);
    }
}

/// The texts of a scenario folder's files, by file name (missing and unreadable files left out).
pub fn read_texts(dir: &std::path::Path) -> BTreeMap<&'static str, String> {
    read_scenario_files(dir).texts()
}

fn fingerprint(files: &ScenarioFiles) -> u64 {
    let mut h = Fnv64::new();
    for (name, file_hash) in &files.hashes {
        h.write(name.as_bytes());
        h.write(&file_hash.to_le_bytes());
    }
    h.finish()
}

/// Whether two scenarios have the same ids in the same order (so the state's positions stay valid).
pub fn same_shape(a: &Scenario, b: &Scenario) -> bool {
    fn ids<T>(v: &[T], f: impl Fn(&T) -> &str) -> Vec<&str> {
        v.iter().map(f).collect()
    }
    ids(&a.actors, |x| &x.id) == ids(&b.actors, |x| &x.id)
        && ids(&a.actions, |x| &x.id) == ids(&b.actions, |x| &x.id)
        && ids(&a.meta.ladder.rungs, |x| &x.id) == ids(&b.meta.ladder.rungs, |x| &x.id)
        && ids(&a.meta.ladder.thresholds, |x| &x.id) == ids(&b.meta.ladder.thresholds, |x| &x.id)
        && ids(&a.meta.attributes, |x| &x.id) == ids(&b.meta.attributes, |x| &x.id)
        && ids(&a.meta.sectors, |x| &x.id) == ids(&b.meta.sectors, |x| &x.id)
        && ids(&a.meta.norms, |x| &x.id) == ids(&b.meta.norms, |x| &x.id)
        && ids(&a.red_lines, |x| &x.id) == ids(&b.red_lines, |x| &x.id)
        && ids(&a.proposals, |x| &x.id) == ids(&b.proposals, |x| &x.id)
        && ids(&a.injects, |x| &x.id) == ids(&b.injects, |x| &x.id)
        && ids(&a.endings, |x| &x.id) == ids(&b.endings, |x| &x.id)
}

/// Looks at the watched folder and applies a changed scenario (exclusive system).
pub fn watch_scenario(world: &mut World) {
    let now = world
        .get_resource::<Time<Real>>()
        .map_or(Duration::ZERO, |t| t.elapsed());
    let Some(mut source) = world.get_resource::<ScenarioSource>().cloned() else {
        return;
    };
    if source
        .last_poll
        .is_some_and(|last| now.saturating_sub(last) < source.poll_every)
    {
        return;
    }
    source.last_poll = Some(now);
    let files = read_scenario_files(&source.dir);
    let print = fingerprint(&files);
    let changed = print != source.fingerprint;
    let locked = world
        .get_resource::<ReloadStatus>()
        .is_some_and(|s| s.locked);
    if changed && locked {
        world.insert_resource(source);
        world
            .get_resource_or_insert_with(ReloadStatus::default)
            .last = Some(ReloadOutcome::Waiting);
        return;
    }
    if changed {
        source.fingerprint = print;
    }
    let dir = source.dir.clone();
    world.insert_resource(source);
    if changed {
        apply_files(world, &dir, &files);
    }
}

/// Validates new scenario texts and applies them to the running game, or keeps the old one.
pub fn apply_texts(
    world: &mut World,
    dir: &std::path::Path,
    texts: &BTreeMap<&'static str, String>,
) {
    apply_files(world, dir, &ScenarioFiles::from_texts(texts));
}

/// Validates a scenario folder as read and applies it to the running game, or keeps the old one.
pub fn apply_files(world: &mut World, dir: &std::path::Path, files: &ScenarioFiles) {
    // The same load path as every other entry point.
    let (outcome, diagnostics, errors) = match LoadedScenario::from_files(dir, files) {
        Ok((loaded, _warnings)) => (apply_scenario(world, loaded), None, 0),
        Err(v) => (
            ReloadOutcome::Rejected,
            Some(v.render_human(&dir.display().to_string(), false)),
            v.errors(),
        ),
    };
    // The status is changed in place (not replaced), so screens watching it see a change.
    let mut status = world.get_resource_or_insert_with(ReloadStatus::default);
    if outcome == ReloadOutcome::Rejected {
        status.errors = errors.max(1);
    } else {
        status.errors = 0;
        status.applied += 1;
    }
    status.diagnostics = diagnostics;
    status.last = Some(outcome);
}

fn apply_scenario(world: &mut World, loaded: LoadedScenario) -> ReloadOutcome {
    let same = world
        .get_resource::<LoadedScenario>()
        .is_some_and(|old| same_shape(&old.scenario, &loaded.scenario));
    let in_place = same && world.contains_resource::<GameState>();
    if let Some(mut record) = world.get_resource_mut::<SessionRecord>() {
        record.rebase(&loaded, in_place);
    }
    if same || !world.contains_resource::<GameState>() {
        world.insert_resource(loaded);
        return ReloadOutcome::InPlace;
    }
    // Structural change: replay the session with the same seed under the new scenario.
    let record = world
        .get_resource::<SessionRecord>()
        .cloned()
        .unwrap_or_else(|| {
            let seed = world.get_resource::<GameConfig>().map_or(0, |c| c.seed);
            let controllers: Vec<_> = world
                .resource::<GameState>()
                .actors
                .iter()
                .map(|a| a.controller.clone())
                .collect();
            let old = world.resource::<LoadedScenario>().clone();
            SessionRecord::new(&old, std::path::Path::new(""), seed, &controllers)
        });
    let played = world.resource::<GameState>().turn.saturating_sub(1) as usize;
    let mut game = record.replay(&loaded, Some(played));
    let hash = world
        .get_resource::<GameConfig>()
        .is_none_or(|c| c.hash_every_turn);
    world.insert_resource(loaded);
    if let Some(state) = game.world.remove_resource::<GameState>() {
        world.insert_resource(state);
    }
    if let Some(log) = game.world.remove_resource::<GameLog>() {
        world.insert_resource(log);
    }
    if let Some(rng) = game.world.remove_resource::<GameRng>() {
        world.insert_resource(rng);
    }
    // Orders already given for the coming turn are kept.
    let mut book = OrderBook::default();
    if let Some(next) = record.turns.get(played) {
        let ix = &world.resource::<LoadedScenario>().index;
        for o in &next.orders {
            if let Some(&a) = ix.actors.get(&o.actor) {
                book.orders.insert(a, o.orders.clone());
                book.chosen_by.insert(a, "team".into());
            }
        }
        book.commands = next.commands.clone();
    }
    world.insert_resource(book);
    world.insert_resource(GameConfig {
        seed: record.seed,
        hash_every_turn: hash,
        planner: crate::bots::planner::PlannerBudget::FULL,
    });
    ReloadOutcome::Replayed(played)
}
