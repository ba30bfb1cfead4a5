//! The running game session as seen by the GUI.
//!
//! The rules run as [`SimPlugin`] inside this app: their state lives in the rules' own resources
//! ([`GameState`], [`GameLog`], …). The GUI changes it only through the rules' API: it sends
//! [`SubmitOrders`] and [`FacilitatorCommand`] messages and runs the [`TurnSchedule`]. Undo
//! restores the rules' resources as they were before the last turn (a snapshot the GUI keeps).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::scenario::{Controller, Doctrine, InjectWhen, Scenario, scenario_dirs};
use crate::sim::reload::{HotReloadPlugin, ScenarioSource};
use crate::sim::{
    FacilitatorCommand, GameLog, GameRng, GameState, LoadedScenario, Order, OrderBook,
    SessionRecord, SimPlugin, SubmitOrders, TurnSchedule, start_game,
};
use crate::view::{self, BoardView, DebriefView, RevealStep, TeamView};

use super::Screen;

/// Where scenario folders are looked for: `$GRAYZONE_SCENARIOS`, else `scenarios/` in the
/// working directory, else the `scenarios/` folder of the source tree this binary was built from.
pub fn scenarios_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("GRAYZONE_SCENARIOS") {
        return PathBuf::from(dir);
    }
    let here = PathBuf::from("scenarios");
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The folder highlighted first in the picker: the scenario built from the article.
pub const DEFAULT_SCENARIO: &str = "forward_defense_2022";

/// One scenario folder in the picker.
#[derive(Debug, Clone)]
pub struct CatalogueEntry {
    /// Folder path.
    pub dir: PathBuf,
    /// Folder name.
    pub folder: String,
    /// Title (folder name if it does not load).
    pub title: String,
    /// One-line summary.
    pub summary: String,
    /// Problems found loading and validating it; empty if it validates.
    pub problems: Vec<String>,
    /// The scenario, if it passed the validator.
    pub scenario: Option<LoadedScenario>,
}

/// The scenario folders found, and which one is highlighted.
#[derive(Resource, Debug, Default)]
pub struct Catalogue {
    /// Where they were found, for the header.
    pub root_label: String,
    /// The folders.
    pub entries: Vec<CatalogueEntry>,
    /// The highlighted one.
    pub selected: usize,
    /// Whether the highlight has been placed once (later visits keep the facilitator's choice).
    initialised: bool,
}

impl Catalogue {
    /// Reads every scenario folder again (and the folder given on the command line).
    pub fn refresh(&mut self, preselect: Option<&Path>) {
        let root = scenarios_root();
        let mut dirs = scenario_dirs(&root);
        if let Some(extra) = preselect
            && !dirs.iter().any(|d| same_dir(d, extra))
        {
            dirs.push(extra.to_path_buf());
        }
        self.root_label = "scenarios/".into();
        self.entries = dirs
            .into_iter()
            .map(|dir| {
                let folder = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                match LoadedScenario::load(&dir) {
                    Ok((loaded, _warnings)) => CatalogueEntry {
                        dir,
                        title: loaded.scenario.meta.title.clone(),
                        summary: loaded.scenario.meta.summary.clone(),
                        folder,
                        problems: Vec::new(),
                        scenario: Some(loaded),
                    },
                    Err(v) => CatalogueEntry {
                        title: v
                            .scenario
                            .as_ref()
                            .map_or_else(|| folder.clone(), |s| s.meta.title.clone()),
                        summary: "This scenario does not validate.".into(),
                        dir,
                        folder,
                        problems: crate::view::problems_of(&v),
                        scenario: None,
                    },
                }
            })
            .collect();
        if let Some(dir) = preselect
            && let Some(i) = self.entries.iter().position(|e| same_dir(&e.dir, dir))
        {
            self.selected = i;
        } else if self.selected >= self.entries.len()
            || !self.entries[self.selected].problems.is_empty()
            || !self.initialised
        {
            // Highlight the default scenario, else the first that validates.
            self.selected = self
                .entries
                .iter()
                .position(|e| e.folder == DEFAULT_SCENARIO && e.problems.is_empty())
                .or_else(|| self.entries.iter().position(|e| e.problems.is_empty()))
                .unwrap_or(0);
        }
        self.initialised = true;
    }

    /// A session draft for the highlighted scenario, if it loads and validates.
    pub fn selected_draft(&self) -> Option<SetupDraft> {
        let entry = self.entries.get(self.selected)?;
        if !entry.problems.is_empty() {
            return None;
        }
        let loaded = entry.scenario.clone()?;
        let controllers = loaded.default_controllers();
        super::theme::use_scenario_colours(
            &loaded
                .scenario
                .actors
                .iter()
                .map(|a| a.color.clone())
                .collect::<Vec<_>>(),
        );
        Some(SetupDraft {
            dir: entry.dir.clone(),
            loaded,
            controllers,
            selected: 0,
            seed: 1,
            seed_text: None,
        })
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A scenario folder given on the command line: highlighted in the picker.
#[derive(Resource, Debug, Clone)]
pub struct Preselect(pub PathBuf);

/// The session being set up.
#[derive(Resource, Debug, Clone)]
pub struct SetupDraft {
    /// Scenario folder.
    pub dir: PathBuf,
    /// The scenario, validated.
    pub loaded: LoadedScenario,
    /// Who plays each actor.
    pub controllers: Vec<Controller>,
    /// The highlighted actor row.
    pub selected: usize,
    /// The seed.
    pub seed: u64,
    /// The seed being typed (digits), while it is.
    pub seed_text: Option<String>,
}

/// The next controller in the setup cycle: team, each bot doctrine, facilitator.
pub fn next_controller(c: &Controller) -> Controller {
    let mut cycle = vec![Controller::Team];
    cycle.extend(Doctrine::ALL.iter().map(|d| Controller::Bot(*d)));
    cycle.push(Controller::Facilitator);
    let at = cycle.iter().position(|x| x == c).unwrap_or(0);
    cycle[(at + 1) % cycle.len()].clone()
}

/// GUI-side facts about the running session.
#[derive(Resource, Default)]
pub struct Session {
    /// The seed.
    pub seed: u64,
    /// Paused by the facilitator.
    pub paused: bool,
    /// Injects released for the next resolution (ids).
    pub released: Vec<String>,
    /// Options the facilitator chose for injects due this turn: (inject id, option label).
    pub chosen: Vec<(String, String)>,
    /// A line of feedback for the facilitator ("Turn 3 undone", …).
    pub notice: Option<String>,
    /// The turn the last reveal is about.
    pub revealed_turn: Option<u32>,
    /// The facilitator pressed Undo: the board asks before undoing.
    pub confirm_undo: bool,
}

/// Read access to the running game for building views.
#[derive(SystemParam)]
pub struct Play<'w> {
    /// The scenario.
    pub loaded: Res<'w, LoadedScenario>,
    /// The rule state.
    pub state: Res<'w, GameState>,
    /// The game log.
    pub log: Res<'w, GameLog>,
    /// The GUI's session facts.
    pub session: Res<'w, Session>,
}

impl Play<'_> {
    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }

    /// The public board.
    pub fn board(&self) -> BoardView {
        let phase = if self.state.is_over() {
            "game over"
        } else if self.session.paused {
            "paused"
        } else {
            "orders"
        };
        view::board_view(&self.loaded.scenario, &self.state, phase)
    }

    /// The private view of one team.
    pub fn team(&self, actor: usize) -> TeamView {
        let cards = view::legal_cards(
            &self.loaded.scenario,
            &self.loaded.index,
            &self.state,
            actor,
        );
        view::team_view(&self.loaded.scenario, &self.state, &self.log, actor, &cards)
    }

    /// The public steps of a resolved turn.
    pub fn reveal(&self, turn: u32) -> Vec<RevealStep> {
        view::reveal_steps(&self.loaded.scenario, Some(&self.state), &self.log, turn)
    }

    /// The debrief.
    pub fn debrief(&self) -> DebriefView {
        view::debrief_view(&self.loaded.scenario, &self.state, &self.log)
    }

    /// Actors played by teams, in scenario order.
    pub fn team_actors(&self) -> Vec<usize> {
        self.state
            .actors
            .iter()
            .enumerate()
            .filter(|(_, a)| a.controller == Controller::Team)
            .map(|(i, _)| i)
            .collect()
    }

    /// The first inject with options due at this turn's briefing (scripted for this turn, or
    /// released): (id, headline, option labels).
    pub fn upcoming_choice(&self) -> Option<(String, String, Vec<String>)> {
        let turn = self.state.turn;
        self.loaded
            .scenario
            .injects
            .iter()
            .enumerate()
            .find(|(i, inj)| {
                !inj.choices.is_empty()
                    && !self.fired(*i)
                    && (matches!(inj.when, InjectWhen::Turn(t) if t == turn)
                        || self.session.released.contains(&inj.id))
            })
            .map(|(_, inj)| {
                (
                    inj.id.clone(),
                    inj.headline.clone(),
                    inj.choices.iter().map(|c| c.label.clone()).collect(),
                )
            })
    }

    /// Injects that air at this turn's briefing (scheduled for this turn, or released by the
    /// facilitator) and have not fired: (headline, text). Briefed before the teams order.
    pub fn due_injects(&self) -> Vec<(String, String)> {
        let turn = self.state.turn;
        self.loaded
            .scenario
            .injects
            .iter()
            .enumerate()
            .filter(|(i, inj)| {
                !self.fired(*i)
                    && (matches!(inj.when, InjectWhen::Turn(t) if t == turn)
                        || self.session.released.contains(&inj.id))
            })
            .map(|(_, inj)| (inj.headline.clone(), inj.text.clone()))
            .collect()
    }

    /// Whether the inject at position `i` has fired.
    fn fired(&self, i: usize) -> bool {
        self.state.injects_fired.get(i).copied().flatten().is_some()
    }

    /// Injects only the facilitator can release that have not fired yet: (id, headline).
    pub fn releasable_injects(&self) -> Vec<(String, String)> {
        self.loaded
            .scenario
            .injects
            .iter()
            .enumerate()
            .filter(|(i, inj)| {
                matches!(inj.when, InjectWhen::Facilitator)
                    && !self.fired(*i)
                    && !self.session.released.contains(&inj.id)
            })
            .map(|(_, inj)| (inj.id.clone(), inj.headline.clone()))
            .collect()
    }
}

/// Names of the endings an agreement on this proposal can bring about (the endings whose
/// condition asks for it in force): accepting it may end the game.
pub fn endings_on_acceptance(s: &Scenario, proposal: &str) -> Vec<String> {
    let wanted = format!("AgreementInForce({proposal:?})");
    s.endings
        .iter()
        .filter(|e| format!("{:?}", e.when).contains(&wanted))
        .map(|e| e.name.clone())
        .collect()
}

/// How long the current turn and the current team's orders have taken (paused time excluded):
/// a workshop turn is about 8 minutes, a team's orders under 2.
#[derive(Resource, Debug, Default)]
pub struct TurnClock {
    /// Time since the turn opened on the board.
    pub turn: std::time::Duration,
    /// Time since the current team lifted the curtain.
    pub team: std::time::Duration,
}

/// Marks a text that shows the [`TurnClock`].
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockText {
    /// The turn's time.
    Turn,
    /// The current team's time.
    Team,
}

/// `m:ss`.
pub fn minutes(d: std::time::Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// The clock as shown: time so far against the workshop's budget (8 minutes a turn, 2 a team).
pub fn clock_label(which: ClockText, d: std::time::Duration) -> String {
    match which {
        ClockText::Turn => format!("◷ {} / 8:00", minutes(d)),
        ClockText::Team => format!("◷ {} / 2:00", minutes(d)),
    }
}

fn tick_clock(
    time: Res<Time<Real>>,
    session: Option<Res<Session>>,
    screen: Res<State<Screen>>,
    mut clock: ResMut<TurnClock>,
    mut texts: Query<(&ClockText, &mut Text)>,
) {
    let Some(session) = session else {
        return;
    };
    if !session.paused
        && matches!(
            screen.get(),
            Screen::Board
                | Screen::Curtain
                | Screen::Orders
                | Screen::ConsoleCurtain
                | Screen::Console
        )
    {
        clock.turn += time.delta();
        if *screen.get() == Screen::Orders {
            clock.team += time.delta();
        }
    }
    for (which, mut text) in &mut texts {
        let shown = match which {
            ClockText::Turn => clock_label(ClockText::Turn, clock.turn),
            ClockText::Team => clock_label(ClockText::Team, clock.team),
        };
        // Only touch the text when the seconds change: no relayout otherwise.
        if text.0 != shown {
            text.0 = shown;
        }
    }
}

/// The hot-seat round: which teams still have to give orders, and the current team's draft.
#[derive(Resource, Debug, Default)]
pub struct Hotseat {
    /// The turn this round of orders is for.
    pub turn: u32,
    /// Team actors in order.
    pub queue: Vec<usize>,
    /// Position in the queue.
    pub current: usize,
    /// Orders drafted per team actor.
    pub drafts: BTreeMap<usize, Vec<Order>>,
    /// Answers to proposals per team actor: (proposal id, accept).
    pub answers: BTreeMap<usize, Vec<(String, bool)>>,
    /// The highlighted card.
    pub card: usize,
    /// The highlighted target of that card.
    pub target: usize,
    /// A proposal whose acceptance may end the game: the team has been warned once and accepts
    /// with a second press.
    pub warned: Option<String>,
}

impl Hotseat {
    /// Whether this round of orders is for `turn` and still has teams to order (the board,
    /// after Esc, resumes it instead of starting again).
    pub fn in_progress(&self, turn: u32) -> bool {
        self.turn == turn && self.current < self.queue.len()
    }

    /// The actor whose turn it is.
    pub fn actor(&self) -> Option<usize> {
        self.queue.get(self.current).copied()
    }
}

/// The reveal in progress.
#[derive(Resource, Debug, Default)]
pub struct RevealState {
    /// The turn resolved.
    pub turn: u32,
    /// Its public steps.
    pub steps: Vec<RevealStep>,
    /// How many are shown.
    pub shown: usize,
}

/// Where saves go: `$GRAYZONE_SAVES`, else `saves/` in the working directory.
pub fn saves_dir() -> PathBuf {
    std::env::var_os("GRAYZONE_SAVES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("saves"))
}

/// The autosave written after every turn.
pub fn autosave_path() -> PathBuf {
    saves_dir().join("autosave.ron")
}

/// Where this app autosaves after every turn (absent: no autosave, as in tests).
#[derive(Resource, Debug, Clone)]
pub struct Autosave(pub PathBuf);

/// What the title screen offers to resume: (scenario id, turns played), if an autosave exists.
pub fn autosave_summary() -> Option<(String, usize)> {
    let record = SessionRecord::load(&autosave_path()).ok()?;
    Some((record.scenario.clone(), record.turns.len()))
}

/// Resumes the autosaved session: reloads its scenario folder and replays its record with the
/// same seed (the rules are deterministic). Returns an error in words.
pub fn resume_autosave(world: &mut World) -> Result<u32, String> {
    let path = autosave_path();
    let record = SessionRecord::load(&path).map_err(|e| e.to_string())?;
    let dir = record.locate_scenario(&path)?;
    // The session resumes under the versions it ran under (their texts are in the save); an
    // edit made on disk since is then applied from the coming turn like any other edit.
    let loaded = if record.versions.is_empty() {
        LoadedScenario::load(&dir)
            .map_err(|v| {
                format!(
                    "the scenario of the save does not validate:\n{}",
                    v.render_human(&dir.display().to_string(), false)
                )
            })?
            .0
    } else {
        record.load_recorded()?
    };
    let controllers = record.controllers_for(&loaded);
    // Only the turns actually played are replayed; orders given for the coming turn are dropped.
    // Every turn's state hash is checked against the save.
    let mut game = record
        .verify_and_replay(&loaded, None, false)
        .map_err(|d| d.message())?
        .game;
    super::theme::use_scenario_colours(
        &loaded
            .scenario
            .actors
            .iter()
            .map(|a| a.color.clone())
            .collect::<Vec<_>>(),
    );
    start_game(world, &loaded, record.seed, &controllers);
    let Some(state) = game.world.remove_resource::<GameState>() else {
        return Err("the replay produced no game state".into());
    };
    let turn = state.turn;
    world.insert_resource(state);
    if let Some(log) = game.world.remove_resource::<GameLog>() {
        world.insert_resource(log);
    }
    if let Some(rng) = game.world.remove_resource::<GameRng>() {
        world.insert_resource(rng);
    }
    let mut record = record;
    let record_note = record.migrated_from.map(|from| {
        format!("(The save was in format {from}; it is saved again in the current format.)")
    });
    record.turns.truncate(turn.saturating_sub(1) as usize);
    world.insert_resource(record);
    let mut source = ScenarioSource::new(dir.clone());
    let on_disk = crate::scenario::load::read_scenario_files(&dir);
    let edited_since = on_disk.hashes() != loaded.origin.files;
    if edited_since {
        // Seen as an edit: validated and applied (or shown as errors) by the watcher.
        source = ScenarioSource::with_baseline(dir, &loaded.origin.files);
    }
    world.insert_resource(source);
    let mut notice = format!("Resumed from the autosave at turn {turn}.");
    if let Some(note) = record_note {
        notice = format!("{notice} {note}");
    }
    world.insert_resource(Session {
        seed: world.resource::<crate::sim::GameConfig>().seed,
        notice: Some(notice),
        ..default()
    });
    world.insert_resource(Hotseat::default());
    world.insert_resource(RevealState::default());
    Ok(turn)
}

/// Copies each played turn's state hash from the log into the session record, so a replay
/// of the save can be checked turn by turn.
fn stamp_record(world: &mut World) {
    if world.contains_resource::<SessionRecord>() && world.contains_resource::<GameLog>() {
        world.resource_scope(|world, mut record: Mut<SessionRecord>| {
            record.stamp_hashes(world.resource::<GameLog>());
        });
    }
}

/// Saves the session record now; returns where, or the error in words.
pub fn save_now(world: &mut World) -> Result<PathBuf, String> {
    stamp_record(world);
    let record = world
        .get_resource::<SessionRecord>()
        .ok_or("no session to save")?;
    let turn = world.resource::<GameState>().turn;
    let path = saves_dir().join(format!(
        "{}-seed{}-turn{turn}.ron",
        record.scenario, record.seed
    ));
    record.save(&path).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Starts the session from the setup draft: a fresh game in the rules' resources.
pub fn start_session(world: &mut World) {
    let Some(draft) = world.get_resource::<SetupDraft>().cloned() else {
        return;
    };
    super::theme::use_scenario_colours(
        &draft
            .loaded
            .scenario
            .actors
            .iter()
            .map(|a| a.color.clone())
            .collect::<Vec<_>>(),
    );
    let loaded = draft.loaded.clone();
    start_game(world, &loaded, draft.seed, &draft.controllers);
    world.insert_resource(SessionRecord::new(
        &loaded,
        &draft.dir,
        draft.seed,
        &draft.controllers,
    ));
    world.insert_resource(ScenarioSource::new(draft.dir.clone()));
    world.insert_resource(Session {
        seed: draft.seed,
        ..default()
    });
    world.insert_resource(Hotseat::default());
    world.insert_resource(RevealState::default());
}

/// Submits a team's drafted orders as a message to the rules.
pub fn submit_team(world: &mut World, actor: usize) {
    let id = world.resource::<LoadedScenario>().scenario.actors[actor]
        .id
        .clone();
    let hotseat = world.resource::<Hotseat>();
    let orders = hotseat.drafts.get(&actor).cloned().unwrap_or_default();
    let answers = hotseat.answers.get(&actor).cloned().unwrap_or_default();
    let message = SubmitOrders {
        actor: id,
        orders,
        answers,
        rationale: String::new(),
    };
    // The rules' `collect_messages` is the one writer of the session record.
    world.write_message(message);
}

/// Plays the turn: one run of the rules' turn schedule. Returns the turn that was resolved.
pub fn resolve_turn(world: &mut World) -> u32 {
    let turn = world.resource::<GameState>().turn;
    world.run_schedule(TurnSchedule);
    world.insert_resource(TurnClock::default());
    // Autosave after every turn: the record replays to exactly this state.
    let saved = write_autosave(world);
    let mut session = world.resource_mut::<Session>();
    session.released.clear();
    session.chosen.clear();
    session.revealed_turn = Some(turn);
    if let Some(Err(e)) = saved {
        session.notice = Some(format!("Autosave failed: {}", e.message));
    }
    turn
}

/// Writes the session record to the autosave (if this app autosaves): after every turn and
/// after an undo, so a resume never brings an undone turn back.
fn write_autosave(world: &mut World) -> Option<Result<(), crate::sim::record::SaveError>> {
    stamp_record(world);
    let path = world.get_resource::<Autosave>().map(|a| a.0.clone())?;
    let record = world.get_resource::<SessionRecord>()?;
    Some(record.save(&path))
}

/// Turns resolved so far (what undo can take back).
pub fn turns_played(state: &GameState) -> u32 {
    if state.is_over() {
        state.turn
    } else {
        state.turn.saturating_sub(1)
    }
}

/// Undoes the last resolved turn by replaying the session record without it (same seed, same
/// orders: the rules are deterministic). Orders and commands given since are dropped. Returns the
/// turn undone.
pub fn undo_turn(world: &mut World) -> Option<u32> {
    let played = turns_played(world.get_resource::<GameState>()?);
    if played == 0 {
        return None;
    }
    let keep = played - 1;
    let mut record = world.get_resource::<SessionRecord>()?.clone();
    let loaded = world.resource::<LoadedScenario>().clone();
    // Each turn re-runs under the scenario version it ran under.
    let mut game = match record.replay(&loaded, Some(keep as usize)) {
        Ok(game) => game,
        Err(e) => {
            world.resource_mut::<Session>().notice = Some(format!("Undo failed: {e}"));
            return None;
        }
    };
    let state = game.world.remove_resource::<GameState>()?;
    world.insert_resource(state);
    if let Some(log) = game.world.remove_resource::<GameLog>() {
        world.insert_resource(log);
    }
    if let Some(rng) = game.world.remove_resource::<GameRng>() {
        world.insert_resource(rng);
    }
    world.insert_resource(OrderBook::default());
    record.undo_to(keep as usize, played as usize);
    world.insert_resource(record);
    world.insert_resource(Hotseat::default());
    // The autosave follows: a resume after an undo starts from the undone state.
    let saved = write_autosave(world);
    let mut session = world.resource_mut::<Session>();
    session.released.clear();
    if let Some(Err(e)) = saved {
        session.notice = Some(format!("Autosave failed: {}", e.message));
    }
    Some(played)
}

/// Chooses an option of an inject through the rules' facilitator command (it applies at the next
/// briefing instead of the weighted draw).
pub fn choose_inject_option(world: &mut World, id: String, option: usize, label: String) {
    let command = FacilitatorCommand::ChooseInjectOption(id.clone(), option);
    world.write_message(command);
    let mut session = world.resource_mut::<Session>();
    session.chosen.retain(|(i, _)| *i != id);
    session.chosen.push((id, label));
}

/// Releases an inject through the rules' facilitator command (it airs at the next resolution).
pub fn release_inject(world: &mut World, id: String) {
    let command = FacilitatorCommand::ReleaseInject(id.clone());
    world.write_message(command);
    world.resource_mut::<Session>().released.push(id);
}

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((SimPlugin, HotReloadPlugin))
        .insert_resource(Autosave(autosave_path()))
        .init_resource::<Catalogue>()
        .init_resource::<TurnClock>()
        .add_systems(Update, tick_clock)
        .init_resource::<Hotseat>()
        .init_resource::<RevealState>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::turn_schedule;

    fn world_with_session(seed: u64) -> World {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/forward_defense_2022");
        let (loaded, _) = LoadedScenario::load(&dir).expect("the default scenario loads");
        let mut controllers = loaded.default_controllers();
        controllers[0] = Controller::Team;
        controllers[1] = Controller::Team;
        let mut world = World::new();
        world.add_schedule(turn_schedule());
        world.insert_resource(SetupDraft {
            dir,
            loaded,
            controllers,
            selected: 0,
            seed,
            seed_text: None,
        });
        start_session(&mut world);
        world
    }

    /// Drafts the first legal order of each team and submits it, as the orders screen does.
    fn play_turn(world: &mut World) -> u32 {
        for actor in [0, 1] {
            let order = {
                let loaded = world.resource::<LoadedScenario>();
                let state = world.resource::<GameState>();
                let cards = view::legal_cards(&loaded.scenario, &loaded.index, state, actor);
                cards.first().map(|(action, options)| Order {
                    action: loaded.scenario.actions[*action].id.clone(),
                    target: options[0].0.map(|t| loaded.scenario.actors[t].id.clone()),
                })
            };
            world
                .resource_mut::<Hotseat>()
                .drafts
                .insert(actor, order.into_iter().collect());
            submit_team(world, actor);
        }
        resolve_turn(world)
    }

    #[test]
    fn accepting_the_incident_prevention_agreement_may_end_the_game() {
        let world = world_with_session(1);
        let s = &world.resource::<LoadedScenario>().scenario;
        assert_eq!(
            endings_on_acceptance(s, "incident_prevention"),
            vec!["Incident-prevention agreement".to_string()]
        );
        assert!(endings_on_acceptance(s, "no_such_proposal").is_empty());
    }

    #[test]
    fn undo_rewrites_the_autosave() {
        let mut world = world_with_session(11);
        let dir = std::env::temp_dir().join(format!("grayzone-undo-{}", std::process::id()));
        let path = dir.join("autosave.ron");
        world.insert_resource(Autosave(path.clone()));
        play_turn(&mut world);
        play_turn(&mut world);
        assert_eq!(
            SessionRecord::load(&path).expect("autosaved").turns.len(),
            2
        );
        assert_eq!(undo_turn(&mut world), Some(2));
        // A resume now starts from the undone state, not from turn 2's.
        assert_eq!(
            SessionRecord::load(&path).expect("autosaved").turns.len(),
            1
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn undo_replays_to_the_state_before_the_turn() {
        let mut world = world_with_session(7);
        assert_eq!(play_turn(&mut world), 1);
        let after_one = world.resource::<GameState>().state_hash();
        assert_eq!(play_turn(&mut world), 2);
        let after_two = world.resource::<GameState>().state_hash();
        assert_ne!(after_one, after_two);
        assert_eq!(undo_turn(&mut world), Some(2));
        assert_eq!(world.resource::<GameState>().state_hash(), after_one);
        assert_eq!(world.resource::<SessionRecord>().turns.len(), 1);
        // The same orders again give the same game: the rules are deterministic.
        assert_eq!(play_turn(&mut world), 2);
        assert_eq!(world.resource::<GameState>().state_hash(), after_two);
    }

    #[test]
    fn team_orders_go_through_the_rules_and_into_the_record() {
        let mut world = world_with_session(3);
        play_turn(&mut world);
        let log = world.resource::<GameLog>();
        let team_orders = log
            .entries
            .iter()
            .filter(|e| matches!(&e.event, crate::sim::Event::Order { by, .. } if by == "team"))
            .count();
        assert_eq!(team_orders, 2);
        let record = world.resource::<SessionRecord>();
        assert_eq!(record.turns[0].orders.len(), 2);
    }

    #[test]
    fn facilitator_commands_are_recorded_once() {
        let mut world = world_with_session(5);
        let inject = world.resource::<LoadedScenario>().scenario.injects[0]
            .id
            .clone();
        release_inject(&mut world, inject);
        play_turn(&mut world);
        let record = world.resource::<SessionRecord>();
        assert_eq!(record.turns[0].commands.len(), 1, "{:?}", record.turns[0]);
    }

    #[test]
    fn a_gui_session_saves_turn_hashes_that_its_replay_matches() {
        let mut world = world_with_session(9);
        play_turn(&mut world);
        play_turn(&mut world);
        stamp_record(&mut world);
        let record = world.resource::<SessionRecord>().clone();
        assert!(record.turns[..2].iter().all(|t| t.state_hash.is_some()));
        let loaded = world.resource::<LoadedScenario>().clone();
        let verified = record
            .verify_and_replay(&loaded, None, false)
            .expect("the session replays to the saved hashes");
        assert_eq!(
            verified.game.state().state_hash(),
            world.resource::<GameState>().state_hash()
        );
    }
}
