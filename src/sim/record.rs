//! Session records: everything needed to reproduce a game (scenario, seed, controllers, and the
//! teams' orders and facilitator commands per turn). Saves, autosaves, undo and replay are all
//! built on replaying a record: the rules are deterministic, so the record is small and exact.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use super::orders::{FacilitatorCommand, SubmitOrders};
use super::{Game, LoadedScenario};
use crate::scenario::Controller;

/// The save format version this build writes and reads.
pub const SAVE_VERSION: u32 = 1;

/// What teams and the facilitator put into one turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TurnInput {
    /// Orders submitted for the turn (by teams; bots choose again on replay).
    #[serde(default)]
    pub orders: Vec<SubmitOrders>,
    /// Facilitator commands applied at the turn's briefing.
    #[serde(default)]
    pub commands: Vec<FacilitatorCommand>,
}

/// A game as a reproducible record.
#[derive(Resource, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Save format version.
    pub version: u32,
    /// The scenario's id.
    pub scenario: String,
    /// The scenario folder it was played from (as given when the game started).
    pub scenario_dir: String,
    /// The seed.
    pub seed: u64,
    /// Controller of each actor, by actor id.
    pub controllers: Vec<(String, Controller)>,
    /// Inputs per turn played or being prepared (index 0 = turn 1).
    pub turns: Vec<TurnInput>,
}

/// Why a save could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveError {
    /// The file.
    pub file: PathBuf,
    /// What went wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}\n  --> {}", self.message, self.file.display())
    }
}

impl SessionRecord {
    /// A new record for a game about to start.
    pub fn new(loaded: &LoadedScenario, dir: &Path, seed: u64, controllers: &[Controller]) -> Self {
        SessionRecord {
            version: SAVE_VERSION,
            scenario: loaded.scenario.meta.id.clone(),
            scenario_dir: dir.to_string_lossy().into_owned(),
            seed,
            controllers: loaded
                .scenario
                .actors
                .iter()
                .zip(controllers)
                .map(|(a, c)| (a.id.clone(), c.clone()))
                .collect(),
            turns: Vec::new(),
        }
    }

    fn turn_mut(&mut self, turn: u32) -> &mut TurnInput {
        let i = turn.max(1) as usize - 1;
        if self.turns.len() <= i {
            self.turns.resize(i + 1, TurnInput::default());
        }
        &mut self.turns[i]
    }

    /// Records orders for a turn (replacing earlier orders of the same actor that turn).
    pub fn record_orders(&mut self, turn: u32, orders: SubmitOrders) {
        let t = self.turn_mut(turn);
        t.orders.retain(|o| o.actor != orders.actor);
        t.orders.push(orders);
    }

    /// Records a facilitator command for a turn.
    pub fn record_command(&mut self, turn: u32, command: FacilitatorCommand) {
        self.turn_mut(turn).commands.push(command);
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

    /// Replays the first `turns` turns of the record (all of them with `None`).
    pub fn replay(&self, loaded: &LoadedScenario, turns: Option<usize>) -> Game {
        let controllers = self.controllers_for(loaded);
        let mut game = Game::new(loaded, self.seed, &controllers);
        let n = turns.unwrap_or(self.turns.len()).min(self.turns.len());
        for input in &self.turns[..n] {
            for o in &input.orders {
                game.world.write_message(o.clone());
            }
            for c in &input.commands {
                game.world.write_message(c.clone());
            }
            if !game.step() {
                break;
            }
        }
        game
    }

    /// Writes the record atomically: a temporary file beside the target, synced, then renamed.
    pub fn save(&self, path: &Path) -> Result<(), SaveError> {
        let err = |message: String| SaveError {
            file: path.to_path_buf(),
            message,
        };
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(|e| err(format!("cannot encode the save: {e}")))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| err(format!("cannot create the save folder: {e}")))?;
        }
        let tmp = path.with_extension("ron.tmp");
        let mut f =
            std::fs::File::create(&tmp).map_err(|e| err(format!("cannot write the save: {e}")))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| err(format!("cannot write the save: {e}")))?;
        std::fs::rename(&tmp, path).map_err(|e| err(format!("cannot write the save: {e}")))
    }

    /// Reads a save, with the position of any problem.
    pub fn load(path: &Path) -> Result<Self, SaveError> {
        let text = std::fs::read_to_string(path).map_err(|e| SaveError {
            file: path.to_path_buf(),
            message: format!("cannot read the save: {e}"),
        })?;
        let record: SessionRecord =
            crate::scenario::load::ron_options()
                .from_str(&text)
                .map_err(|e| SaveError {
                    file: path.to_path_buf(),
                    message: format!(
                        "the save is damaged at line {}, column {}: {}\n  = help: saves are written atomically; try the autosave of the previous turn",
                        e.span.start.line, e.span.start.col, e.code
                    ),
                })?;
        if record.version != SAVE_VERSION {
            return Err(SaveError {
                file: path.to_path_buf(),
                message: format!(
                    "save format {} is not supported (this build reads version {SAVE_VERSION})",
                    record.version
                ),
            });
        }
        Ok(record)
    }
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
        };
        record.record_orders(1, o.clone());
        live.submit(o);
        live.step();
        record.record_command(2, FacilitatorCommand::ReleaseInject("manual".into()));
        live.command(FacilitatorCommand::ReleaseInject("manual".into()));
        live.step();
        let replayed = record.replay(&game, None);
        assert_eq!(replayed.log().to_text(), live.log().to_text());
        assert_eq!(replayed.state(), live.state());
        // Undo = replay one turn less.
        let undone = record.replay(&game, Some(1));
        assert_eq!(undone.state().turn, 2);
        assert!(undone.state().injects_fired[2].is_none());
    }

    #[test]
    fn saves_round_trip_and_corrupt_saves_are_reported() {
        let game = mini();
        let dir = std::env::temp_dir().join(format!("grayzone-save-{}", std::process::id()));
        let path = dir.join("autosave.ron");
        let record = SessionRecord::new(&game, Path::new("x"), 3, &game.default_controllers());
        record.save(&path).unwrap();
        assert_eq!(SessionRecord::load(&path).unwrap(), record);
        assert!(!path.with_extension("ron.tmp").exists());
        std::fs::write(&path, "(version: 1, scenario: \"mini\", seed: oops)").unwrap();
        let e = SessionRecord::load(&path).unwrap_err();
        assert!(e.message.contains("line 1, column"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
