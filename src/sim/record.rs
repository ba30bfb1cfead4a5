//! Session records: everything needed to reproduce a game (scenario, seed, controllers, and the
//! teams' orders and facilitator commands per turn). Saves, autosaves, undo and replay are all
//! built on replaying a record: the rules are deterministic, so the record is small and exact.
//!
//! A save can be trusted: it names the engine version that wrote it, where its scenario folder
//! was and the content hash of every scenario file, and the state hash at the end of every turn.
//! [`SessionRecord::verify_and_replay`] is the one way to replay a save and know it is the same
//! game: it refuses a scenario edited since the save, and a replay that diverges from it.

use std::path::{Component, Path, PathBuf};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use super::log::{Event, GameLog};
use super::orders::{FacilitatorCommand, SubmitOrders};
use super::{Game, LoadedScenario};
use crate::scenario::Controller;

/// The save format version this build writes and reads.
pub const SAVE_VERSION: u32 = 3;

/// The oldest save format this build still reads (migrated on load).
pub const OLDEST_SAVE_VERSION: u32 = 2;

/// The version of this engine (`Cargo.toml`'s), stored in every save.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The largest save file read, in bytes.
pub const MAX_SAVE_BYTES: u64 = 64 * 1024 * 1024;

/// What teams and the facilitator put into one turn, and the state it ended in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TurnInput {
    /// Orders submitted for the turn (by teams; bots choose again on replay).
    #[serde(default)]
    pub orders: Vec<SubmitOrders>,
    /// Facilitator commands applied at the turn's briefing.
    #[serde(default)]
    pub commands: Vec<FacilitatorCommand>,
    /// The state hash at the end of the turn (as in the log), once the turn has been played
    /// with hashing on; replays are checked against it.
    #[serde(default)]
    pub state_hash: Option<String>,
    /// The scenario version the turn ran (or will run) under: a [`ScenarioVersion::id`]. Absent
    /// in format 2 saves, where every turn ran under the files on disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One version of the scenario a session ran under, content-addressed: the text of every file,
/// so the turns played under it replay exactly even after the files on disk were edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioVersion {
    /// The content address: the scenario's hash over every file's name and content (16 hex
    /// digits, [`version_id`]).
    pub id: String,
    /// `(file name, FNV-1a 64 content hash)` of every file.
    pub files: Vec<(String, u64)>,
    /// `(file name, text)` of every file.
    pub texts: Vec<(String, String)>,
}

/// The content address of a loaded scenario (see [`ScenarioVersion::id`]).
pub fn version_id(loaded: &LoadedScenario) -> String {
    format!("{:016x}", loaded.origin.hash())
}

impl ScenarioVersion {
    /// The version of a scenario loaded from files.
    pub fn of(loaded: &LoadedScenario) -> Self {
        ScenarioVersion {
            id: version_id(loaded),
            files: loaded.origin.files.clone(),
            texts: loaded.origin.texts.clone(),
        }
    }

    /// Loads this version from its embedded texts, through the validator like every other
    /// scenario (`dir` names the folder in diagnostics).
    pub fn load(&self, dir: &Path) -> Result<LoadedScenario, String> {
        let texts: std::collections::BTreeMap<&str, String> = self
            .texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.clone()))
            .collect();
        let files = crate::scenario::load::ScenarioFiles::from_texts(&texts);
        LoadedScenario::from_files(dir, &files)
            .map(|(loaded, _)| loaded)
            .map_err(|v| {
                format!(
                    "the scenario version {} recorded in the save does not load:\n{}",
                    self.id,
                    v.render_human(&dir.display().to_string(), false)
                )
            })
    }
}

/// A turn taken back with undo.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UndoneTurn {
    /// The turn that was undone.
    pub turn: u32,
    /// What teams and the facilitator had put into it.
    pub input: TurnInput,
}

/// The first turn whose replayed state hash differs from the saved one: (turn, saved hash,
/// replayed hash).
type Mismatch = (u32, String, String);

/// A game as a reproducible record.
#[derive(Resource, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Save format version.
    pub version: u32,
    /// The engine version that played the game.
    pub engine: String,
    /// The scenario's id.
    pub scenario: String,
    /// The scenario folder it was played from, as an absolute path.
    pub scenario_dir: String,
    /// The scenario folder's own name (to find it under `scenarios/` when the path has moved).
    #[serde(default)]
    pub scenario_folder: String,
    /// The scenario folder relative to the save file's folder (filled in when saved).
    #[serde(default)]
    pub scenario_from_save: Option<String>,
    /// `(file name, FNV-1a 64 content hash)` of every scenario file, as played.
    #[serde(default)]
    pub files: Vec<(String, u64)>,
    /// A turn limit below the scenario's (`simulate --turns`), if one was set.
    #[serde(default)]
    pub turn_limit: Option<u32>,
    /// The seed.
    pub seed: u64,
    /// Controller of each actor, by actor id.
    pub controllers: Vec<(String, Controller)>,
    /// Inputs per turn played or being prepared (index 0 = turn 1).
    pub turns: Vec<TurnInput>,
    /// Turns the facilitator took back with undo, with what had been put into them, oldest
    /// first (for the debrief; replays ignore them).
    #[serde(default)]
    pub undone: Vec<UndoneTurn>,
    /// The scenario was edited during play and applied in place: earlier turns were played with
    /// other files, so turn hashes cannot be checked.
    #[serde(default)]
    pub reloaded_in_place: bool,
    /// Every scenario version the session ran under, in the order they were first used (format
    /// 3; the last one is the current version, whose files are [`SessionRecord::files`]).
    #[serde(default)]
    pub versions: Vec<ScenarioVersion>,
    /// The save format this record was read from when older than [`SAVE_VERSION`] (it was
    /// migrated on load); not saved.
    #[serde(skip)]
    pub migrated_from: Option<u32>,
}

/// Why a save could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line and column of the problem in the file, when known.
    pub at: Option<(usize, usize)>,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}\n  --> {}", self.message, self.file.display())?;
        if let Some((line, col)) = self.at {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Why a save does not replay as the game it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Divergence {
    /// The scenario folder holds another scenario.
    OtherScenario {
        /// The id in the save.
        saved: String,
        /// The id of the scenario found.
        found: String,
        /// Where it was found.
        dir: String,
    },
    /// Scenario files changed since the game was saved.
    ScenarioChanged {
        /// Files whose contents changed.
        edited: Vec<String>,
        /// Files that are new.
        added: Vec<String>,
        /// Files that are gone.
        removed: Vec<String>,
        /// The scenario folder.
        dir: String,
    },
    /// A scenario version recorded in the save cannot be replayed (damaged text, or an edit
    /// the game cannot carry over).
    Unreplayable(String),
    /// A replayed turn ended in another state than the saved one.
    Diverged {
        /// The first turn that differs.
        turn: u32,
        /// The state hash in the save.
        saved: String,
        /// The state hash of the replay.
        replayed: String,
        /// The engine version that wrote the save.
        saved_engine: String,
    },
}

impl Divergence {
    /// The problem in one paragraph (without the `--force` help).
    pub fn message(&self) -> String {
        match self {
            Divergence::OtherScenario { saved, found, dir } => {
                format!("the save is a game of scenario \"{saved}\", but {dir} holds \"{found}\"")
            }
            Divergence::ScenarioChanged {
                edited,
                added,
                removed,
                dir,
            } => {
                let mut parts = Vec::new();
                for (files, verb) in [(edited, "edited"), (added, "added"), (removed, "removed")] {
                    if !files.is_empty() {
                        let was = if files.len() == 1 { "was" } else { "were" };
                        parts.push(format!("{} {was} {verb}", and_list(files)));
                    }
                }
                format!(
                    "the scenario has changed since this game was saved: {} (in {dir}); replaying it would play a different game",
                    parts.join("; ")
                )
            }
            Divergence::Unreplayable(why) => why.clone(),
            Divergence::Diverged {
                turn,
                saved,
                replayed,
                saved_engine,
            } => {
                let why = if saved_engine != ENGINE_VERSION {
                    format!(
                        "the save was written by a different engine version, {saved_engine} vs {ENGINE_VERSION} now, whose rules play differently"
                    )
                } else {
                    format!(
                        "same engine version {ENGINE_VERSION} and unchanged scenario files, so the save itself was altered"
                    )
                };
                format!(
                    "the replay diverged from the save at turn {turn} (state {replayed}, the save recorded {saved}): {why}"
                )
            }
        }
    }

    /// Whether `--force` may replay anyway.
    pub fn can_force(&self) -> bool {
        !matches!(
            self,
            Divergence::OtherScenario { .. } | Divergence::Unreplayable(_)
        )
    }
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}", self.message())?;
        if let Divergence::ScenarioChanged { .. } = self {
            write!(
                f,
                "\n  = help: pass --recorded-versions to replay it exactly as played, with the scenario versions stored in the save"
            )?;
        }
        if let Divergence::Unreplayable(_) = self {
            write!(f, "\n  = help: {DAMAGED_HELP}")
        } else if self.can_force() {
            write!(f, "\n  = help: pass --force to replay it anyway")
        } else {
            write!(f, "\n  = help: pass the right folder with --scenario")
        }
    }
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A replay that was checked against its save.
pub struct Verified {
    /// The replayed game.
    pub game: Game,
    /// What did not match but was replayed anyway (`force`).
    pub ignored: Option<Divergence>,
}

/// A scenario with a lower turn limit, keeping its index and origin (ids do not change).
pub fn with_turn_limit(loaded: &LoadedScenario, turns: u32) -> LoadedScenario {
    let mut sc = (*loaded.scenario).clone();
    sc.meta.turns = sc.meta.turns.min(turns);
    LoadedScenario {
        scenario: std::sync::Arc::new(sc),
        index: loaded.index.clone(),
        origin: loaded.origin.clone(),
    }
}

impl SessionRecord {
    /// A new record for a game about to start; `dir` is the folder it was loaded from.
    pub fn new(loaded: &LoadedScenario, dir: &Path, seed: u64, controllers: &[Controller]) -> Self {
        let mut record = SessionRecord {
            version: SAVE_VERSION,
            engine: ENGINE_VERSION.to_string(),
            scenario: loaded.scenario.meta.id.clone(),
            scenario_dir: String::new(),
            scenario_folder: String::new(),
            scenario_from_save: None,
            files: Vec::new(),
            turn_limit: None,
            seed,
            controllers: loaded
                .scenario
                .actors
                .iter()
                .zip(controllers)
                .map(|(a, c)| (a.id.clone(), c.clone()))
                .collect(),
            turns: Vec::new(),
            undone: Vec::new(),
            reloaded_in_place: false,
            versions: Vec::new(),
            migrated_from: None,
        };
        record.set_origin(loaded, dir);
        record.add_version(loaded);
        record
    }

    /// Adds a scenario version (once: versions are content-addressed); scenarios built in code
    /// have no files and no version.
    fn add_version(&mut self, loaded: &LoadedScenario) {
        if loaded.origin.files.is_empty() {
            return;
        }
        let id = version_id(loaded);
        if !self.versions.iter().any(|v| v.id == id) {
            self.versions.push(ScenarioVersion::of(loaded));
        }
    }

    /// The id of the version the coming turns run under (the latest), if the record has one.
    pub fn current_version(&self) -> Option<&str> {
        self.versions.last().map(|v| v.id.as_str())
    }

    /// The version turn `turn` (1-based) ran under.
    pub fn version_of_turn(&self, turn: u32) -> Option<&str> {
        self.turns
            .get(turn.max(1) as usize - 1)
            .and_then(|t| t.version.as_deref())
    }

    /// The latest recorded version, loaded from the texts in the record (`replay
    /// --recorded-versions`: the game exactly as played, whatever the files on disk say now).
    pub fn load_recorded(&self) -> Result<LoadedScenario, String> {
        let last = self.versions.last().ok_or_else(|| {
            "this save holds no scenario texts (it was written in format 2, before saves recorded them); replay it against its scenario folder".to_string()
        })?;
        last.load(Path::new(&self.scenario_dir))
    }

    fn set_origin(&mut self, loaded: &LoadedScenario, dir: &Path) {
        let abs = loaded.origin.dir.clone().unwrap_or_else(|| {
            if dir.as_os_str().is_empty() {
                PathBuf::new()
            } else {
                std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
            }
        });
        self.scenario_dir = abs.to_string_lossy().into_owned();
        self.scenario_folder = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.files = loaded.origin.files.clone();
    }

    /// After a hot reload: the session runs under `loaded` from turn `from_turn` on. The
    /// version is added to the record; turns before `from_turn` keep the version they ran under
    /// (and their state hashes), turns from `from_turn` on (orders already given for the coming
    /// turn) run under the new one.
    pub fn rebase(&mut self, loaded: &LoadedScenario, from_turn: u32) {
        let dir = PathBuf::from(&self.scenario_dir);
        // Format 2 records name no version: their turns ran under the files being replaced.
        let previous = self.current_version().map(str::to_string);
        for t in &mut self.turns {
            if t.version.is_none() {
                t.version.clone_from(&previous);
            }
        }
        // Turns played without a team's order or a command have no entry yet: they ran under
        // the previous version.
        let played = from_turn.saturating_sub(1) as usize;
        if self.turns.len() < played {
            self.turns.resize(
                played,
                TurnInput {
                    version: previous.clone(),
                    ..TurnInput::default()
                },
            );
        }
        self.set_origin(loaded, &dir);
        self.add_version(loaded);
        let id = self.current_version().map(str::to_string);
        let from = from_turn.max(1) as usize - 1;
        for t in self.turns.iter_mut().skip(from) {
            t.version.clone_from(&id);
            t.state_hash = None;
        }
    }

    fn turn_mut(&mut self, turn: u32) -> &mut TurnInput {
        let i = turn.max(1) as usize - 1;
        if self.turns.len() <= i {
            let version = self.current_version().map(str::to_string);
            self.turns.resize(
                i + 1,
                TurnInput {
                    version,
                    ..TurnInput::default()
                },
            );
        }
        &mut self.turns[i]
    }

    /// Records orders for a turn (replacing earlier orders of the same actor that turn).
    pub fn record_orders(&mut self, turn: u32, orders: SubmitOrders) {
        let t = self.turn_mut(turn);
        t.orders.retain(|o| o.actor != orders.actor);
        t.orders.push(orders);
    }

    /// Undo: keeps the first `keep` turns; the later turns played (up to `played`) are kept
    /// as [`UndoneTurn`]s for the debrief, inputs for turns not yet played are dropped.
    pub fn undo_to(&mut self, keep: usize, played: usize) {
        let taken: Vec<TurnInput> = self.turns.drain(keep.min(self.turns.len())..).collect();
        for (i, input) in taken.into_iter().enumerate() {
            let turn = keep + i + 1;
            if turn <= played {
                self.undone.push(UndoneTurn {
                    turn: turn as u32,
                    input,
                });
            }
        }
    }

    /// Records a facilitator command for a turn.
    pub fn record_command(&mut self, turn: u32, command: FacilitatorCommand) {
        self.turn_mut(turn).commands.push(command);
    }

    /// Copies each played turn's state hash from the game's log into the record (call before
    /// saving; turns the log has no hash for are left unchecked).
    pub fn stamp_hashes(&mut self, log: &GameLog) {
        if self.reloaded_in_place {
            return;
        }
        for e in &log.entries {
            if let Event::TurnEnded { turn, hash, .. } = &e.event
                && !hash.is_empty()
            {
                self.turn_mut(*turn).state_hash = Some(hash.clone());
            }
        }
    }

    /// The controllers in scenario actor order (unknown actors keep their scenario default).
    pub fn controllers_for(&self, loaded: &LoadedScenario) -> Vec<Controller> {
        loaded
            .scenario
            .actors
            .iter()
            .map(|a| {
                self.controllers
                    .iter()
                    .find(|(id, _)| id == &a.id)
                    .map(|(_, c)| c.clone())
                    .unwrap_or_else(|| a.controller.clone())
            })
            .collect()
    }

    /// Replays the first `turns` turns of the record (all of them with `None`), unchecked (undo,
    /// resume): each turn under the scenario version it ran under. `current` is the scenario of
    /// the latest version (the files being played); earlier versions load from the texts in the
    /// record.
    pub fn replay(&self, current: &LoadedScenario, turns: Option<usize>) -> Result<Game, String> {
        self.replay_checked(current, turns, false)
            .map(|(game, _)| game)
    }

    /// This record with its scenario versions forgotten: every turn replays under the
    /// scenario it is given.
    pub fn under_one_version(&self) -> SessionRecord {
        let mut all = self.clone();
        all.versions.clear();
        for t in &mut all.turns {
            t.version = None;
        }
        all
    }

    /// An explicit what-if: the whole session re-played under `loaded` (the teams' orders and
    /// the facilitator's commands as recorded, bots choosing again), whatever versions the turns
    /// ran under. Never what a reload does: played turns stay as played.
    pub fn what_if(&self, loaded: &LoadedScenario, turns: Option<usize>) -> Game {
        self.under_one_version()
            .replay_checked(loaded, turns, false)
            .map(|(game, _)| game)
            .expect("a record without versions replays under one scenario")
    }

    /// The scenario each version id names: `current` for its own id and for turns without one
    /// (format 2), the record's texts for the others.
    fn scenario_for(
        &self,
        id: Option<&str>,
        current: &LoadedScenario,
        cache: &mut Vec<(String, LoadedScenario)>,
    ) -> Result<LoadedScenario, String> {
        let Some(id) = id else {
            return Ok(current.clone());
        };
        if current.origin.files.is_empty() || version_id(current) == id {
            return Ok(current.clone());
        }
        if let Some((_, l)) = cache.iter().find(|(v, _)| v == id) {
            return Ok(l.clone());
        }
        let version = self.versions.iter().find(|v| v.id == id).ok_or_else(|| {
            format!("the save names scenario version {id} for a turn but does not hold its texts")
        })?;
        let loaded = version.load(Path::new(&self.scenario_dir))?;
        let loaded = match self.turn_limit {
            Some(t) => with_turn_limit(&loaded, t),
            None => loaded,
        };
        cache.push((id.to_string(), loaded.clone()));
        Ok(loaded)
    }

    /// Replays and, with `check`, compares each turn's state hash with the recorded one:
    /// returns the game and the first mismatch (turn, saved, replayed). Each turn runs under
    /// the version it ran under; the game switches versions between turns as it did live.
    fn replay_checked(
        &self,
        current: &LoadedScenario,
        turns: Option<usize>,
        check: bool,
    ) -> Result<(Game, Option<Mismatch>), String> {
        self.replay_observed(current, turns, check, &mut |_, _| {}, &mut |_| {})
    }

    /// Replays every turn (each under the version it ran under, as [`Self::replay`] does),
    /// calling `before` with the game and the turn's input before the turn resolves and `after`
    /// once it has: how the debrief looks at each turn of a session without a second replay
    /// loop of its own.
    pub fn replay_each(
        &self,
        current: &LoadedScenario,
        before: &mut dyn FnMut(&Game, &TurnInput),
        after: &mut dyn FnMut(&Game),
    ) -> Result<Game, String> {
        self.replay_observed(current, None, false, before, after)
            .map(|(game, _)| game)
    }

    fn replay_observed(
        &self,
        current: &LoadedScenario,
        turns: Option<usize>,
        check: bool,
        before: &mut dyn FnMut(&Game, &TurnInput),
        after: &mut dyn FnMut(&Game),
    ) -> Result<(Game, Option<Mismatch>), String> {
        let limited;
        let current = match self.turn_limit {
            Some(t) => {
                limited = with_turn_limit(current, t);
                &limited
            }
            None => current,
        };
        let mut cache = Vec::new();
        let first_id = self.turns.first().and_then(|t| t.version.as_deref());
        let first = self.scenario_for(first_id, current, &mut cache)?;
        let controllers = self.controllers_for(&first);
        let mut game = Game::new(&first, self.seed, &controllers);
        let mut playing = first_id;
        let n = turns.unwrap_or(self.turns.len()).min(self.turns.len());
        let mut mismatch = None;
        for (i, input) in self.turns[..n].iter().enumerate() {
            let id = input.version.as_deref();
            if id != playing {
                let next = self.scenario_for(id, current, &mut cache)?;
                super::migrate::switch_scenario(&mut game.world, next).map_err(|e| {
                    format!(
                        "turn {} of the save cannot run under its recorded scenario version: {e}",
                        i + 1
                    )
                })?;
                playing = id;
            }
            if game.state().is_over() {
                break;
            }
            before(&game, input);
            for o in &input.orders {
                game.world.write_message(o.clone());
            }
            for c in &input.commands {
                game.world.write_message(c.clone());
            }
            let turn = game.state().turn;
            let over = !game.step();
            after(&game);
            if check
                && mismatch.is_none()
                && let Some(saved) = &input.state_hash
            {
                let replayed = last_turn_hash(game.log(), turn).unwrap_or_default();
                if &replayed != saved || turn as usize != i + 1 {
                    mismatch = Some((i as u32 + 1, saved.clone(), replayed));
                }
            }
            if over {
                // The record holds more turns than the game lasted: the next one had a hash.
                if check
                    && mismatch.is_none()
                    && let Some(next) = self.turns[i + 1..n]
                        .iter()
                        .find_map(|t| t.state_hash.clone())
                {
                    mismatch = Some((i as u32 + 2, next, "(the game had ended)".into()));
                }
                break;
            }
        }
        // The coming turn runs under the current version (undo and resume go on from here).
        let current_id = (!current.origin.files.is_empty()).then(|| version_id(current));
        if playing.is_some() && playing != current_id.as_deref() {
            super::migrate::switch_scenario(&mut game.world, current.clone())?;
        }
        Ok((game, mismatch))
    }

    /// The one way to replay a save and trust it: checks that `loaded` is the scenario the game
    /// was played with (same id, same file contents), replays the first `turns` turns (all with
    /// `None`) and compares every turn's state hash with the saved one. With `force`, a changed
    /// scenario or a divergence is replayed anyway and returned in [`Verified::ignored`].
    pub fn verify_and_replay(
        &self,
        loaded: &LoadedScenario,
        turns: Option<usize>,
        force: bool,
    ) -> Result<Verified, Divergence> {
        let dir = loaded
            .origin
            .dir
            .as_ref()
            .map_or_else(|| self.scenario_dir.clone(), |d| d.display().to_string());
        if loaded.scenario.meta.id != self.scenario {
            return Err(Divergence::OtherScenario {
                saved: self.scenario.clone(),
                found: loaded.scenario.meta.id.clone(),
                dir,
            });
        }
        let mut ignored = None;
        if let Some(changed) = self.changed_files(loaded, dir) {
            if !force {
                return Err(changed);
            }
            ignored = Some(changed);
        }
        let check = ignored.is_none() && !self.reloaded_in_place;
        let (game, mismatch) = self
            .replay_checked(loaded, turns, check)
            .map_err(Divergence::Unreplayable)?;
        if let Some((turn, saved, replayed)) = mismatch {
            let d = Divergence::Diverged {
                turn,
                saved,
                replayed,
                saved_engine: self.engine.clone(),
            };
            if !force {
                return Err(d);
            }
            ignored = Some(d);
        }
        Ok(Verified { game, ignored })
    }

    fn changed_files(&self, loaded: &LoadedScenario, dir: String) -> Option<Divergence> {
        let now = &loaded.origin.files;
        if self.files.is_empty() || now.is_empty() {
            return None;
        }
        let find = |files: &[(String, u64)], name: &str| {
            files.iter().find(|(n, _)| n == name).map(|(_, h)| *h)
        };
        let mut edited = Vec::new();
        let mut removed = Vec::new();
        for (name, h) in &self.files {
            match find(now, name) {
                Some(n) if n != *h => edited.push(name.clone()),
                Some(_) => {}
                None => removed.push(name.clone()),
            }
        }
        let added: Vec<String> = now
            .iter()
            .filter(|(n, _)| find(&self.files, n).is_none())
            .map(|(n, _)| n.clone())
            .collect();
        (!(edited.is_empty() && added.is_empty() && removed.is_empty())).then_some(
            Divergence::ScenarioChanged {
                edited,
                added,
                removed,
                dir,
            },
        )
    }

    /// Where this save's scenario folder may be, in the order to try: the absolute path it was
    /// played from, the path relative to the save file's folder, then `scenarios/<folder name>`
    /// under the working directory.
    pub fn scenario_candidates(&self, save: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if !self.scenario_dir.is_empty() {
            out.push(PathBuf::from(&self.scenario_dir));
        }
        if let Some(rel) = &self.scenario_from_save {
            let base = save.parent().unwrap_or(Path::new(""));
            out.push(base.join(rel));
        }
        if !self.scenario_folder.is_empty() {
            out.push(Path::new("scenarios").join(&self.scenario_folder));
        }
        out
    }

    /// The first of [`SessionRecord::scenario_candidates`] that holds a scenario, or an error
    /// naming the places looked at.
    pub fn locate_scenario(&self, save: &Path) -> Result<PathBuf, String> {
        let candidates = self.scenario_candidates(save);
        candidates
            .iter()
            .find(|d| d.join("scenario.ron").is_file())
            .cloned()
            .ok_or_else(|| {
                let looked: Vec<String> = candidates
                    .iter()
                    .map(|d| format!("\n  = looked in: {}", d.display()))
                    .collect();
                format!(
                    "error: cannot find the scenario folder of this save (scenario \"{}\"){}\n  = help: pass the folder with --scenario",
                    self.scenario,
                    looked.concat()
                )
            })
    }

    /// Writes the record atomically (see [`crate::output::write_atomically`]), noting where the
    /// scenario folder is relative to the save.
    pub fn save(&self, path: &Path) -> Result<(), SaveError> {
        let err = |message: String| SaveError {
            file: path.to_path_buf(),
            at: None,
            message,
            help: None,
        };
        let mut record = self.clone();
        let folder = path.parent().filter(|d| !d.as_os_str().is_empty());
        let folder = folder.unwrap_or(Path::new("."));
        if !record.scenario_dir.is_empty() {
            let _ = std::fs::create_dir_all(folder);
            let from = std::fs::canonicalize(folder).ok();
            let to = std::fs::canonicalize(&record.scenario_dir).ok();
            record.scenario_from_save = from
                .zip(to)
                .and_then(|(from, to)| relative_path(&from, &to))
                .map(|p| p.to_string_lossy().into_owned());
        }
        let text = ron::ser::to_string_pretty(&record, ron::ser::PrettyConfig::default())
            .map_err(|e| err(format!("cannot encode the save: {e}")))?;
        crate::output::write_atomically(path, text.as_bytes()).map_err(|e| SaveError {
            file: path.to_path_buf(),
            at: None,
            message: format!("cannot write the save: {}", e.message),
            help: e.help,
        })
    }

    /// Reads a save, with the position of any problem: never blocks on a pipe or device, never
    /// reads more than [`MAX_SAVE_BYTES`].
    pub fn load(path: &Path) -> Result<Self, SaveError> {
        use std::io::Read as _;
        let fail = |at: Option<(usize, usize)>, message: String, help: &str| SaveError {
            file: path.to_path_buf(),
            at,
            message,
            help: Some(help.into()),
        };
        let meta = std::fs::metadata(path).map_err(|e| {
            fail(
                None,
                format!("cannot read the save: {e}"),
                "check the file name",
            )
        })?;
        if !meta.is_file() {
            return Err(fail(
                None,
                format!(
                    "the save is {}, not a save file",
                    crate::scenario::load::file_type_name(&meta)
                ),
                "give the path of a .ron save file",
            ));
        }
        if meta.len() > MAX_SAVE_BYTES {
            return Err(fail(
                None,
                format!(
                    "the file is {} MiB; a save is at most {} MiB",
                    meta.len() / (1024 * 1024),
                    MAX_SAVE_BYTES / (1024 * 1024)
                ),
                "this is not a Gray Zone save",
            ));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_SAVE_BYTES).read_to_end(&mut bytes))
            .map_err(|e| {
                fail(
                    None,
                    format!("cannot read the save: {e}"),
                    "check that this user may read it",
                )
            })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = String::from_utf8_lossy(valid);
            fail(
                Some(line_col(&valid, valid.len())),
                "the save is damaged: it is not UTF-8 text".into(),
                DAMAGED_HELP,
            )
        })?;
        let damaged = |e: ron::error::SpannedError| {
            fail(
                Some((e.span.start.line, e.span.start.col)),
                format!("the save is damaged: {}", e.code),
                DAMAGED_HELP,
            )
        };
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let probe: Version = crate::scenario::load::ron_options()
            .from_str(&text)
            .map_err(damaged)?;
        if !(OLDEST_SAVE_VERSION..=SAVE_VERSION).contains(&probe.version) {
            let at = text.find("version").map(|i| line_col(&text, i));
            return Err(fail(
                at,
                format!(
                    "save format {} is not supported (this build reads formats {OLDEST_SAVE_VERSION} to {SAVE_VERSION})",
                    probe.version
                ),
                if probe.version < OLDEST_SAVE_VERSION {
                    "the save was written by an older Gray Zone; replay it with that version"
                } else {
                    "the save was written by a newer Gray Zone; update this one"
                },
            ));
        }
        let mut record: SessionRecord = crate::scenario::load::ron_options()
            .from_str(&text)
            .map_err(damaged)?;
        if record.version < SAVE_VERSION {
            // Format 2 recorded no scenario texts: its turns ran under the files it hashed, which
            // replay checks against the folder as before. Saved again, it becomes format 3.
            record.migrated_from = Some(record.version);
            record.version = SAVE_VERSION;
        }
        Ok(record)
    }

    /// A note for a save read in an older format, to print or show (none for a current save).
    pub fn migration_note(&self) -> Option<String> {
        self.migrated_from.map(|from| {
            format!(
                "note: this save is in format {from}; it was migrated to format {SAVE_VERSION} on reading. Format {from} did not record the scenario's texts, so it replays only against its scenario folder as saved; saving the session again writes format {SAVE_VERSION}"
            )
        })
    }
}

const DAMAGED_HELP: &str = "saves are written atomically, so this one was changed afterwards; try the autosave of the previous turn";

/// 1-based line and column (in characters) of byte offset `at` in `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The state hash the log recorded at the end of `turn`.
fn last_turn_hash(log: &GameLog, turn: u32) -> Option<String> {
    log.entries.iter().rev().find_map(|e| match &e.event {
        Event::TurnEnded { turn: t, hash, .. } if *t == turn => Some(hash.clone()),
        _ => None,
    })
}

/// `to` relative to `from` (both absolute and normalised), if they share a root.
fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Order;

    fn mini() -> LoadedScenario {
        LoadedScenario::load(Path::new("tests/fixtures/mini"))
            .unwrap()
            .0
    }

    #[test]
    fn a_record_replays_the_same_game() {
        let game = mini();
        let controllers = game.default_controllers();
        let mut record =
            SessionRecord::new(&game, Path::new("tests/fixtures/mini"), 9, &controllers);
        let mut live = Game::new(&game, 9, &controllers);
        let o = SubmitOrders {
            actor: "alpha".into(),
            orders: vec![Order {
                action: "covert_hack".into(),
                target: Some("beta".into()),
            }],
            answers: vec![],
            rationale: String::new(),
        };
        record.record_orders(1, o.clone());
        live.submit(o);
        live.step();
        record.record_command(2, FacilitatorCommand::ReleaseInject("manual".into()));
        live.command(FacilitatorCommand::ReleaseInject("manual".into()));
        live.step();
        let replayed = record.replay(&game, None).unwrap();
        assert_eq!(replayed.log().to_text(), live.log().to_text());
        assert_eq!(replayed.state(), live.state());
        // Undo = replay one turn less.
        let undone = record.replay(&game, Some(1)).unwrap();
        assert_eq!(undone.state().turn, 2);
        assert!(undone.state().injects_fired[2].is_none());
    }

    #[test]
    fn undo_keeps_the_turns_taken_back_for_the_debrief() {
        let game = mini();
        let mut record = SessionRecord::new(
            &game,
            Path::new("tests/fixtures/mini"),
            9,
            &game.default_controllers(),
        );
        for turn in 1..=3 {
            record.record_command(
                turn,
                FacilitatorCommand::SetSwitch(format!("s{turn}"), true),
            );
        }
        // Turns 1–2 played, turn 3 being prepared: undo turn 2.
        record.undo_to(1, 2);
        assert_eq!(record.turns.len(), 1);
        assert_eq!(record.undone.len(), 1, "the unplayed turn 3 is dropped");
        assert_eq!(record.undone[0].turn, 2);
        assert_eq!(
            record.undone[0].input.commands,
            vec![FacilitatorCommand::SetSwitch("s2".into(), true)]
        );
        // Replays ignore what was undone.
        assert_eq!(record.replay(&game, None).unwrap().state().turn, 2);
    }

    #[test]
    fn saves_round_trip_and_corrupt_saves_are_reported() {
        let game = mini();
        let dir = std::env::temp_dir().join(format!("grayzone-save-{}", std::process::id()));
        let path = dir.join("autosave.ron");
        let record = SessionRecord::new(&game, Path::new("x"), 3, &game.default_controllers());
        record.save(&path).unwrap();
        let back = SessionRecord::load(&path).unwrap();
        assert!(back.scenario_from_save.is_some());
        assert_eq!(
            SessionRecord {
                scenario_from_save: None,
                ..back
            },
            record
        );
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
        std::fs::write(&path, "(version: 2, scenario: \"mini\", seed: oops)").unwrap();
        let e = SessionRecord::load(&path).unwrap_err();
        assert!(e.to_string().contains("autosave.ron:1:"), "{e}");
        assert!(e.to_string().contains("= help:"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The mini scenario loaded from texts, with `edit` applied to actors.ron.
    fn mini_edited(edit: &str) -> LoadedScenario {
        let mut texts = crate::sim::reload::read_texts(Path::new("tests/fixtures/mini"));
        texts.get_mut("actors.ron").unwrap().push_str(edit);
        let files = crate::scenario::load::ScenarioFiles::from_texts(&texts);
        LoadedScenario::from_files(Path::new("tests/fixtures/mini"), &files)
            .unwrap()
            .0
    }

    fn played(loaded: &LoadedScenario) -> SessionRecord {
        let controllers = loaded.default_controllers();
        let mut record = SessionRecord::new(loaded, Path::new(""), 4, &controllers);
        let mut game = Game::new(loaded, 4, &controllers);
        game.play_out();
        record.stamp_hashes(game.log());
        record
    }

    #[test]
    fn a_save_stores_versions_files_and_every_turn_hash() {
        let loaded = mini();
        let record = played(&loaded);
        assert_eq!(record.version, SAVE_VERSION);
        assert_eq!(record.engine, ENGINE_VERSION);
        assert!(Path::new(&record.scenario_dir).is_absolute());
        assert_eq!(record.scenario_folder, "mini");
        assert_eq!(record.files, loaded.origin.files);
        assert!(!record.turns.is_empty());
        assert!(record.turns.iter().all(|t| t.state_hash.is_some()));
        let v = record.verify_and_replay(&loaded, None, false).unwrap();
        assert!(v.ignored.is_none());
    }

    #[test]
    fn an_edited_scenario_file_is_named_and_force_replays_anyway() {
        let record = played(&mini());
        let edited = mini_edited("\n// a comment\n");
        let Err(d) = record.verify_and_replay(&edited, None, false) else {
            panic!("an edited scenario was accepted");
        };
        let msg = d.to_string();
        assert!(
            msg.contains(
                "the scenario has changed since this game was saved: actors.ron was edited"
            ),
            "{msg}"
        );
        assert!(msg.contains("--force"), "{msg}");
        let v = record.verify_and_replay(&edited, None, true).unwrap();
        assert!(v.ignored.is_some());
    }

    #[test]
    fn a_diverging_turn_is_found_with_the_engine_versions() {
        let loaded = mini();
        let mut record = played(&loaded);
        record.turns[1].state_hash = Some("0000000000000000".into());
        record.engine = "0.0.1".into();
        let Err(d) = record.verify_and_replay(&loaded, None, false) else {
            panic!("a diverging replay was accepted");
        };
        let msg = d.to_string();
        assert!(msg.contains("diverged from the save at turn 2"), "{msg}");
        assert!(msg.contains(&format!("0.0.1 vs {ENGINE_VERSION}")), "{msg}");
        assert!(record.verify_and_replay(&loaded, None, true).is_ok());
        // Replaying fewer turns checks only those.
        assert!(record.verify_and_replay(&loaded, Some(1), false).is_ok());
    }

    #[test]
    fn rebase_keeps_the_played_turns_under_their_version() {
        let original = mini();
        let mut record = played(&original);
        let edited = mini_edited("\n// edited during play\n");
        record.rebase(&edited, 3);
        assert_eq!(record.files, edited.origin.files);
        assert_eq!(record.versions.len(), 2);
        assert_eq!(
            record.version_of_turn(1),
            Some(version_id(&original).as_str())
        );
        assert_eq!(
            record.version_of_turn(2),
            Some(version_id(&original).as_str())
        );
        assert_eq!(
            record.version_of_turn(3),
            Some(version_id(&edited).as_str())
        );
        assert!(record.turns[..2].iter().all(|t| t.state_hash.is_some()));
        assert!(record.turns[2..].iter().all(|t| t.state_hash.is_none()));
        // The same version twice is stored once.
        record.rebase(&edited, 4);
        assert_eq!(record.versions.len(), 2);
        // Turns 1-2 replay under the texts in the record and reach their hashes.
        assert!(record.verify_and_replay(&edited, None, false).is_ok());
        // Saved and read back, the record holds the texts of both versions.
        let dir = std::env::temp_dir().join(format!("grayzone-versions-{}", std::process::id()));
        let path = dir.join("s.ron");
        record.save(&path).unwrap();
        let back = SessionRecord::load(&path).unwrap();
        assert_eq!(back.versions, record.versions);
        assert_eq!(
            back.load_recorded().unwrap().origin.files,
            edited.origin.files
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_format_2_save_is_migrated_with_a_note() {
        let record = played(&mini());
        let dir = std::env::temp_dir().join(format!("grayzone-format2-{}", std::process::id()));
        let path = dir.join("old.ron");
        let mut old = record.clone();
        old.version = 2;
        old.versions.clear();
        for t in &mut old.turns {
            t.version = None;
        }
        old.save(&path).unwrap();
        let back = SessionRecord::load(&path).unwrap();
        assert_eq!(back.version, SAVE_VERSION);
        assert_eq!(back.migrated_from, Some(2));
        assert!(back.migration_note().unwrap().contains("format 2"));
        assert!(back.verify_and_replay(&mini(), None, false).is_ok());
        assert!(back.load_recorded().is_err(), "format 2 holds no texts");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn relative_paths_between_folders() {
        assert_eq!(
            relative_path(Path::new("/a/b/saves"), Path::new("/a/b/scenarios/x")),
            Some(PathBuf::from("../scenarios/x"))
        );
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/a")),
            Some(PathBuf::from("."))
        );
    }
}
