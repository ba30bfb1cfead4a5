//! The rules as a Bevy plugin: resources, and one system set per turn phase.
//!
//! A turn runs as the [`TurnSchedule`]: briefing → orders → resolution → attribution →
//! red lines → diplomacy → escalation → endings → log. The same schedule runs inside an
//! `App` (the GUI, tests under `MinimalPlugins`) and on a bare `World` ([`Game`], used by the
//! analysis runner: build the schedule once, reset the world between games).

pub mod eval;
pub mod log;
pub mod migrate;
pub mod objectives;
pub mod orders;
pub mod record;
pub mod reload;
pub mod rules;
pub mod state;
pub mod temperament;

use std::sync::Arc;

use bevy::ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
use bevy::prelude::*;

pub use eval::{Ctx, GameRng};
pub use log::{Audience, Event, GameLog, LogEntry, Phase};
pub use migrate::{Migration, switch_scenario};
pub use orders::{FacilitatorCommand, LegalOrder, Order, OrderBook, SubmitOrders};
pub use record::{
    Divergence, SaveError, ScenarioVersion, SessionRecord, TurnInput, UndoneTurn, Verified,
};
pub use reload::{HotReloadPlugin, ReloadOutcome, ReloadStatus, ScenarioSource};
pub use rules::Engine;
pub use state::*;

use crate::scenario::{Controller, Scenario, ScenarioIndex};

/// The scenario being played, shared (cheaply cloned) between games: always one that passed
/// the validator (see [`LoadedScenario::load`]), with its ids indexed.
#[derive(Resource, Clone)]
pub struct LoadedScenario {
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// Its id index.
    pub index: Arc<ScenarioIndex>,
    /// Where it was read from and a content hash of each file (empty for scenarios built in code).
    pub origin: Arc<ScenarioOrigin>,
}

/// Where a loaded scenario came from: its folder and the content hash of every file read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioOrigin {
    /// The folder, made absolute, so a save can find it again from any working directory.
    pub dir: Option<std::path::PathBuf>,
    /// `(file name, FNV-1a 64 of its bytes)` for every file of the folder that exists, in
    /// [`SCENARIO_FILES`](crate::scenario::load::SCENARIO_FILES) order.
    pub files: Vec<(String, u64)>,
    /// `(file name, text)` of every file read, in the same order: what a session record embeds
    /// so it can replay each turn under the version it ran under.
    pub texts: Vec<(String, String)>,
}

impl std::fmt::Debug for LoadedScenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedScenario")
            .field("scenario", &self.scenario.meta.id)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl ScenarioOrigin {
    /// One hash over every file (name and content).
    pub fn hash(&self) -> u64 {
        let mut h = crate::scenario::load::Fnv64::new();
        for (name, file_hash) in &self.files {
            h.write(name.as_bytes());
            h.write(&file_hash.to_le_bytes());
        }
        h.finish()
    }
}

impl LoadedScenario {
    /// Wraps a scenario built in code (tests, benches) and indexes it. Files go through
    /// [`LoadedScenario::load`].
    pub fn new(scenario: Scenario) -> Self {
        let index = ScenarioIndex::new(&scenario);
        LoadedScenario {
            scenario: Arc::new(scenario),
            index: Arc::new(index),
            origin: Arc::default(),
        }
    }

    /// The one way to load a scenario folder: read every file, validate, index. A scenario
    /// with errors never loads (the `Err` holds every diagnostic to show); warnings come back
    /// with the scenario.
    pub fn load(
        dir: &std::path::Path,
    ) -> Result<
        (Self, crate::scenario::validate::Validation),
        Box<crate::scenario::validate::Validation>,
    > {
        Self::from_files(dir, &crate::scenario::load::read_scenario_files(dir))
    }

    /// [`LoadedScenario::load`] from files already read (hot reload reads them to compare).
    pub fn from_files(
        dir: &std::path::Path,
        read: &crate::scenario::load::ScenarioFiles,
    ) -> Result<
        (Self, crate::scenario::validate::Validation),
        Box<crate::scenario::validate::Validation>,
    > {
        let mut v = crate::scenario::validate::validate_read(dir, read);
        match v.scenario.take() {
            Some(s) if v.errors() == 0 => {
                let mut loaded = LoadedScenario::new(s);
                loaded.origin = Arc::new(ScenarioOrigin {
                    dir: Some(std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())),
                    files: read.hashes(),
                    texts: read
                        .texts()
                        .into_iter()
                        .map(|(name, text)| (name.to_string(), text))
                        .collect(),
                });
                Ok((loaded, v))
            }
            other => {
                v.scenario = other;
                Err(Box::new(v))
            }
        }
    }

    /// The default controllers of its actors.
    pub fn default_controllers(&self) -> Vec<Controller> {
        self.scenario
            .actors
            .iter()
            .map(|a| a.controller.clone())
            .collect()
    }
}

/// Settings of the game being played.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct GameConfig {
    /// The seed of the one random generator.
    pub seed: u64,
    /// Whether to hash the state at the end of every turn (off for fast analysis runs).
    pub hash_every_turn: bool,
    /// How hard planning bots think (the full budget unless an analysis run asks for less).
    pub planner: crate::bots::planner::PlannerBudget,
}

/// The schedule that plays one turn.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct TurnSchedule;

/// Asks the plugin to play one turn at the next update.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunTurn;

/// The rules plugin. Needs no rendering; runs under `MinimalPlugins`.
pub struct SimPlugin;

impl Plugin for SimPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<SubmitOrders>()
            .add_message::<FacilitatorCommand>()
            .add_message::<RunTurn>()
            .add_schedule(turn_schedule())
            .add_systems(Update, (collect_messages, run_requested_turn).chain());
    }
}

/// Builds the turn schedule (single-threaded: the phases are strictly ordered anyway).
pub fn turn_schedule() -> Schedule {
    let mut schedule = Schedule::new(TurnSchedule);
    schedule.set_executor(SingleThreadedExecutor::new());
    // The phases run strictly in order.
    for pair in Phase::ALL.windows(2) {
        schedule.configure_sets(pair[1].after(pair[0]));
    }
    schedule.add_systems((
        (collect_messages, briefing_system)
            .chain()
            .in_set(Phase::Briefing),
        orders_system.in_set(Phase::Orders),
        resolution_system.in_set(Phase::Resolution),
        attribution_system.in_set(Phase::Attribution),
        red_lines_system.in_set(Phase::RedLines),
        diplomacy_system.in_set(Phase::Diplomacy),
        escalation_system.in_set(Phase::Escalation),
        endings_system.in_set(Phase::Endings),
        log_system.in_set(Phase::Log),
    ));
    schedule
}

/// Puts a fresh game into a world (replacing any previous one).
pub fn start_game(
    world: &mut World,
    loaded: &LoadedScenario,
    seed: u64,
    controllers: &[Controller],
) {
    let mut state = GameState::new(&loaded.scenario, &loaded.index, controllers);
    if temperament::drawn_for_new_games() {
        temperament::draw(&loaded.scenario, &mut state, seed);
    }
    world.insert_resource(loaded.clone());
    world.insert_resource(state);
    world.insert_resource(GameRng::new(seed));
    world.insert_resource(GameLog::default());
    world.insert_resource(OrderBook::default());
    world.insert_resource(GameConfig {
        seed,
        hash_every_turn: true,
        planner: crate::bots::planner::PlannerBudget::for_new_games(),
    });
    if !world.contains_resource::<Messages<SubmitOrders>>() {
        world.init_resource::<Messages<SubmitOrders>>();
    }
    if !world.contains_resource::<Messages<FacilitatorCommand>>() {
        world.init_resource::<Messages<FacilitatorCommand>>();
    }
}

/// Moves submitted orders and facilitator commands into the order book (consuming the
/// messages), and into the session record when there is one.
pub fn collect_messages(
    orders: Option<ResMut<Messages<SubmitOrders>>>,
    commands: Option<ResMut<Messages<FacilitatorCommand>>>,
    book: Option<ResMut<OrderBook>>,
    game: Option<Res<LoadedScenario>>,
    state: Option<Res<GameState>>,
    mut record: Option<ResMut<SessionRecord>>,
) {
    let (Some(mut book), Some(game)) = (book, game) else {
        return;
    };
    let turn = state.map_or(1, |s| s.turn);
    if let Some(mut orders) = orders {
        for msg in orders.drain() {
            if let Some(record) = record.as_mut() {
                record.record_orders(turn, msg.clone());
            }
            if let Some(&actor) = game.index.actors.get(&msg.actor) {
                book.orders.insert(actor, msg.orders);
                book.chosen_by.insert(actor, "team".into());
                if msg.rationale.trim().is_empty() {
                    book.rationales.remove(&actor);
                } else {
                    book.rationales
                        .insert(actor, msg.rationale.trim().to_string());
                }
                for (p, yes) in msg.answers {
                    if let Some(&p) = game.index.proposals.get(&p) {
                        book.answers.insert((p, actor), yes);
                    }
                }
            }
        }
    }
    if let Some(mut commands) = commands {
        for c in commands.drain() {
            if let Some(record) = record.as_mut() {
                record.record_command(turn, c.clone());
            }
            book.commands.push(c);
        }
    }
}

fn run_requested_turn(world: &mut World) {
    let requested = world
        .get_resource_mut::<Messages<RunTurn>>()
        .is_some_and(|mut m| m.drain().count() > 0);
    let ready = world
        .get_resource::<GameState>()
        .is_some_and(|s| !s.is_over());
    if requested && ready {
        world.run_schedule(TurnSchedule);
    }
}

/// The resources every phase system works on.
#[derive(bevy::ecs::system::SystemParam)]
pub struct SimParams<'w> {
    game: Res<'w, LoadedScenario>,
    state: ResMut<'w, GameState>,
    rng: ResMut<'w, GameRng>,
    log: ResMut<'w, GameLog>,
    book: ResMut<'w, OrderBook>,
    config: Res<'w, GameConfig>,
}

impl SimParams<'_> {
    fn run(&mut self, phase: Phase, f: impl FnOnce(&mut Engine, &mut OrderBook, &GameConfig)) {
        if self.state.is_over() && phase != Phase::Log {
            return;
        }
        let game = self.game.clone();
        let mut engine = Engine::new(
            &game.scenario,
            &game.index,
            &mut self.state,
            &mut self.rng,
            &mut self.log,
            phase,
        );
        engine.planner = self.config.planner;
        f(&mut engine, &mut self.book, &self.config);
    }
}

fn briefing_system(mut p: SimParams) {
    p.run(Phase::Briefing, |e, book, _| e.briefing(book));
}
fn orders_system(mut p: SimParams) {
    p.run(Phase::Orders, |e, book, _| e.orders(book));
}
fn resolution_system(mut p: SimParams) {
    p.run(Phase::Resolution, |e, book, _| e.resolution(book));
}
fn attribution_system(mut p: SimParams) {
    p.run(Phase::Attribution, |e, _, _| e.attribution());
}
fn red_lines_system(mut p: SimParams) {
    p.run(Phase::RedLines, |e, _, _| e.red_lines());
}
fn diplomacy_system(mut p: SimParams) {
    p.run(Phase::Diplomacy, |e, book, _| e.diplomacy(book));
}
fn escalation_system(mut p: SimParams) {
    p.run(Phase::Escalation, |e, _, _| e.escalation());
}
fn endings_system(mut p: SimParams) {
    p.run(Phase::Endings, |e, _, _| e.endings());
}
fn log_system(mut p: SimParams) {
    let ended_turn = p.state.ending.as_ref().map(|e| e.turn);
    // A game that ended in an earlier turn is not closed again.
    if ended_turn.is_some_and(|t| t < p.state.turn) {
        return;
    }
    p.run(Phase::Log, |e, book, config| {
        e.close_turn(book, config.hash_every_turn)
    });
}

/// Plays the coming turn on a copy of the game and returns the copy's state and log, leaving
/// the game untouched: the facilitator's dice review. Because the rules are deterministic, the
/// real turn plays out exactly so unless the facilitator overrides an outcome
/// ([`FacilitatorCommand::ForceOutcome`]).
pub fn preview_turn(world: &World) -> Option<(GameState, GameLog)> {
    let mut copy = World::new();
    copy.insert_resource(world.get_resource::<LoadedScenario>()?.clone());
    copy.insert_resource(world.get_resource::<GameState>()?.clone());
    copy.insert_resource(world.get_resource::<GameRng>()?.clone());
    copy.insert_resource(world.get_resource::<OrderBook>()?.clone());
    copy.insert_resource(world.get_resource::<GameConfig>()?.clone());
    copy.insert_resource(GameLog::default());
    if copy.resource::<GameState>().is_over() {
        return None;
    }
    turn_schedule().run(&mut copy);
    let state = copy.remove_resource::<GameState>()?;
    let log = copy.remove_resource::<GameLog>()?;
    Some((state, log))
}

/// One game on a bare `World` with a reusable turn schedule: the headless way to play.
pub struct Game {
    /// The world holding the game's resources.
    pub world: World,
    schedule: Schedule,
}

impl Game {
    /// A new game of a scenario.
    pub fn new(loaded: &LoadedScenario, seed: u64, controllers: &[Controller]) -> Self {
        let mut world = World::new();
        start_game(&mut world, loaded, seed, controllers);
        Game {
            world,
            schedule: turn_schedule(),
        }
    }

    /// Starts over with a new seed and controllers, keeping the built schedule.
    pub fn reset(&mut self, loaded: &LoadedScenario, seed: u64, controllers: &[Controller]) {
        start_game(&mut self.world, loaded, seed, controllers);
    }

    /// A copy of the game as it stands (state, dice, settings), with an empty log: a what-if
    /// played on from here leaves this game untouched. Messages not yet read are not copied.
    pub fn fork(&self) -> Game {
        let mut world = World::new();
        start_game(&mut world, self.scenario(), 0, &[]);
        world.insert_resource(self.state().clone());
        world.insert_resource(self.world.resource::<GameRng>().clone());
        world.insert_resource(self.world.resource::<GameConfig>().clone());
        world.resource_mut::<GameLog>().disabled = self.log().disabled;
        Game {
            world,
            schedule: turn_schedule(),
        }
    }

    /// Replaces the dice with a fresh generator (Monte Carlo from a branch point).
    pub fn reseed(&mut self, seed: u64) {
        self.world.insert_resource(GameRng::new(seed));
        self.world.resource_mut::<GameConfig>().seed = seed;
    }

    /// The rule state, to change between turns (what-if branches change a controller).
    pub fn state_mut(&mut self) -> Mut<'_, GameState> {
        self.world.resource_mut::<GameState>()
    }

    /// Turns the per-turn state hash and the log on or off (analysis switches both off).
    pub fn set_fast(&mut self, fast: bool) {
        self.world.resource_mut::<GameConfig>().hash_every_turn = !fast;
        self.world.resource_mut::<GameLog>().disabled = fast;
    }

    /// Submits a team's orders for the coming turn.
    /// Sets how hard planning bots think in this game (until the next [`Game::reset`]).
    pub fn set_planner_budget(&mut self, budget: crate::bots::planner::PlannerBudget) {
        self.world.resource_mut::<GameConfig>().planner = budget;
    }

    pub fn submit(&mut self, orders: SubmitOrders) {
        self.world.write_message(orders);
    }

    /// Sends a facilitator command (applies at the next briefing).
    pub fn command(&mut self, command: FacilitatorCommand) {
        self.world.write_message(command);
    }

    /// Plays one turn; returns false when the game is over.
    pub fn step(&mut self) -> bool {
        if self.state().is_over() {
            return false;
        }
        self.schedule.run(&mut self.world);
        !self.state().is_over()
    }

    /// Plays to the end.
    pub fn play_out(&mut self) {
        while self.step() {}
    }

    /// The rule state.
    pub fn state(&self) -> &GameState {
        self.world.resource::<GameState>()
    }

    /// The log.
    pub fn log(&self) -> &GameLog {
        self.world.resource::<GameLog>()
    }

    /// The scenario.
    pub fn scenario(&self) -> &LoadedScenario {
        self.world.resource::<LoadedScenario>()
    }
}
