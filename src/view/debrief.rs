//! The debrief: after the game, everything, including what was hidden during play.
//!
//! One view model for the debrief screen and the after-action report (Markdown and HTML), so
//! they cannot drift. It is built from the session record by replaying it turn by turn (the
//! rules are deterministic): the state at the end of every turn gives legitimacy over time and
//! the norms ledger, and a copy of the game at each turn asks a bot of the actor's default
//! doctrine what it would have ordered there.

use crate::scenario::{Actor, ActorKind, Controller, Doctrine, Effect, EndingTone, Scenario};
use crate::sim::log::{Event, GameLog};
use crate::sim::state::GameState;
use crate::sim::{FacilitatorCommand, Game, LoadedScenario, SessionRecord, TurnInput};

use super::RungView;
use super::board::ladder;
use super::names::{self, actor_name, actor_name_by_id};

/// Actor colours used where the scenario declares none (Okabe–Ito, the GUI's order).
pub const FALLBACK_COLOURS: [&str; 7] = [
    "#56B4E9", "#D55E00", "#F0E442", "#009E73", "#CC79A7", "#E69F00", "#0072B2",
];

/// "Russia's", "65,000 armchair hackers'".
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// The display colour of the actor at `index`: its `color` in `actors.ron`, else the palette.
pub fn actor_colour(s: &Scenario, index: usize) -> String {
    s.actors
        .get(index)
        .and_then(|a| a.color.clone())
        .filter(|c| c.len() == 7 && c.starts_with('#'))
        .unwrap_or_else(|| FALLBACK_COLOURS[index % FALLBACK_COLOURS.len()].to_string())
}

/// The doctrine an actor's bot plays by default: its scenario controller's, else `swarm` for a
/// swarm and `measured` for everyone else (as `simulate` does for team actors).
pub fn default_doctrine(actor: &Actor) -> Doctrine {
    match (&actor.controller, actor.kind) {
        (Controller::Bot(d), _) => *d,
        (_, ActorKind::Swarm) => Doctrine::Swarm,
        _ => Doctrine::Measured,
    }
}

/// One actor as the debrief names and colours it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorLine {
    /// Position in scenario order.
    pub index: usize,
    /// Name.
    pub name: String,
    /// Three-letter code.
    pub code: String,
    /// `#rrggbb`, from `actors.ron` where declared.
    pub colour: String,
    /// Who played it, in words.
    pub controller: String,
    /// Its default doctrine, in words.
    pub default_doctrine: String,
}

/// One actor's line on the escalation chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RungSeries {
    /// Actor position.
    pub index: usize,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Rung position at the start and at the end of each turn played.
    pub rungs: Vec<usize>,
}

/// A metric over the turns played, as shown (with its decimals).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLine {
    /// Metric id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Total over every actor at the end of each turn: (turn, value shown).
    pub totals: Vec<(u32, String)>,
    /// Each actor's values by turn: (actor name, values shown).
    pub by_actor: Vec<(String, Vec<String>)>,
}

/// Where each line of a ladder chart sits among the lines on the same rung at the same turn,
/// so lines sharing a rung are drawn side by side instead of on top of each other: for every
/// series and turn, `rank - (count - 1) / 2` (0 for a line alone on its rung), and the largest
/// count anywhere (to size the step between neighbours).
pub fn shared_rung_slots(series: &[RungSeries]) -> (Vec<Vec<f32>>, usize) {
    let mut most = 1;
    let slots = series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            s.rungs
                .iter()
                .enumerate()
                .map(|(t, &r)| {
                    let same = |o: &RungSeries| o.rungs.get(t) == Some(&r);
                    let count = series.iter().filter(|o| same(o)).count();
                    let rank = series[..k].iter().filter(|o| same(o)).count();
                    most = most.max(count);
                    rank as f32 - (count as f32 - 1.0) / 2.0
                })
                .collect()
        })
        .collect();
    (slots, most)
}

/// A red line's record.
#[derive(Debug, Clone, PartialEq)]
pub struct RedLineRecord {
    /// Owner name.
    pub owner: String,
    /// Red line name.
    pub name: String,
    /// Public or private.
    pub public: bool,
    /// Crossings: (turn, culprit name).
    pub crossings: Vec<(u32, String)>,
    /// Times enforced.
    pub enforced: u32,
    /// Times ignored.
    pub ignored: u32,
    /// Credibility at the end.
    pub credibility: i32,
}

/// Whom a victim blamed for an incident at some turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Blame {
    /// Turn of the assessment.
    pub turn: u32,
    /// Whom the victim blamed (`None`: nobody yet).
    pub suspect: Option<String>,
    /// Confidence, 0–100.
    pub confidence: i32,
    /// Confidence in words.
    pub level: String,
    /// Whether the blamed actor is not the true author.
    pub wrong: bool,
}

/// One incident: what really happened and what the victim believed, turn by turn.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRecord {
    /// Incident number.
    pub id: u32,
    /// Turn it happened.
    pub turn: u32,
    /// Action name.
    pub action: String,
    /// True author.
    pub author: String,
    /// Victim.
    pub victim: String,
    /// Whether the operation succeeded.
    pub success: bool,
    /// Turn the victim detected it.
    pub detected: Option<u32>,
    /// Every assessment, in order.
    pub blames: Vec<Blame>,
    /// Turn a wrong blame was corrected to the true author, if ever.
    pub corrected: Option<u32>,
    /// Turn it was publicly attributed, and to whom.
    pub public: Option<(u32, String)>,
    /// Whether the act was overt: its author known to the world from the start.
    pub overt: bool,
    /// Whether the victim ever blamed the wrong actor.
    pub ever_wrong: bool,
    /// Whether the victim still blamed the wrong actor at the end.
    pub wrong_at_end: bool,
}

/// How a red-line crossing was answered.
#[derive(Debug, Clone, PartialEq)]
pub enum FiringOutcome {
    /// Enforced: (turn, action name).
    Enforced(u32, String),
    /// Left unanswered at this turn.
    Ignored(u32),
    /// Still open when the game ended.
    Open,
}

/// A red line firing: the perceived culprit, the truth behind it, and the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    /// Turn it was crossed.
    pub turn: u32,
    /// Red line name.
    pub red_line: String,
    /// Its owner.
    pub owner: String,
    /// Whom the owner held responsible.
    pub culprit: String,
    /// The incident it rested on, with its true author.
    pub incident: Option<(u32, String)>,
    /// Whether it rested on a wrong attribution (the incident's author is not the culprit).
    pub wrong: bool,
    /// The answer.
    pub outcome: FiringOutcome,
}

/// One actor's norms ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct NormLedger {
    /// Actor position.
    pub index: usize,
    /// Actor name.
    pub actor: String,
    /// Norms broken (as known to the world): (norm, turns).
    pub broken: Vec<(String, Vec<u32>)>,
    /// Norms visibly upheld: (norm, turns).
    pub upheld: Vec<(String, Vec<u32>)>,
    /// The standing attribute the norms move (e.g. legitimacy) at the start and after each
    /// turn, when the scenario has one.
    pub standing: Vec<i32>,
}

/// One actor's orders of one turn, and what a bot of its default doctrine would have ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Turn.
    pub turn: u32,
    /// Actor position.
    pub index: usize,
    /// Actor name.
    pub actor: String,
    /// Who decided: "team", "bot: hawk", …
    pub by: String,
    /// Whether a bot decided.
    pub bot: bool,
    /// The orders given (action, → target), in words.
    pub orders: Vec<String>,
    /// The default doctrine, in words.
    pub doctrine: String,
    /// What a bot of the default doctrine would have ordered (`None` when the actor was that
    /// bot).
    pub alternative: Option<Vec<String>>,
}

impl Decision {
    /// Whether the default bot would have given other orders.
    pub fn differs(&self) -> bool {
        self.alternative
            .as_ref()
            .is_some_and(|alt| alt != &self.orders)
    }
}

/// What kind of turning point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurningKind {
    /// A named threshold crossed for the first time.
    Threshold,
    /// A response that rested on a wrong attribution.
    Misattribution,
    /// A red line left unanswered.
    RedLineIgnored,
    /// An agreement reached.
    Agreement,
    /// The facilitator overrode the game (dice, inject choice, release, undo).
    Facilitator,
}

impl TurningKind {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            TurningKind::Threshold => "threshold crossed",
            TurningKind::Misattribution => "response to a wrong attribution",
            TurningKind::RedLineIgnored => "red line ignored",
            TurningKind::Agreement => "agreement",
            TurningKind::Facilitator => "facilitator override",
        }
    }
}

/// A turning point, with questions for the room.
#[derive(Debug, Clone, PartialEq)]
pub struct TurningPoint {
    /// Turn.
    pub turn: u32,
    /// Kind.
    pub kind: TurningKind,
    /// What happened, in one sentence.
    pub title: String,
    /// Two or three discussion questions written from the scenario's data.
    pub questions: Vec<String>,
}

/// A facilitator intervention: a command or an undo.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervention {
    /// Turn it applied to.
    pub turn: u32,
    /// What the facilitator did.
    pub text: String,
}

/// A public timeline line; identical lines are collapsed into one with a count.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineLine {
    /// First turn.
    pub turn: u32,
    /// Last turn it appeared.
    pub last_turn: u32,
    /// How many times.
    pub count: u32,
    /// The line.
    pub text: String,
}

/// An actor's objectives and their score.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveRecord {
    /// Actor position.
    pub index: usize,
    /// Actor name.
    pub actor: String,
    /// The objectives as the scenario states them (briefing text).
    pub objectives: String,
    /// Weighted score, once the scenario declares scored objectives (`None` until then).
    pub score: Option<i32>,
}

/// The debrief.
#[derive(Debug, Clone, PartialEq)]
pub struct DebriefView {
    /// Scenario title.
    pub title: String,
    /// Seed of the session.
    pub seed: u64,
    /// Turns played.
    pub turns_played: u32,
    /// The actors, in scenario order.
    pub actors: Vec<ActorLine>,
    /// The ladder.
    pub ladder: Vec<RungView>,
    /// Each actor's rung over the turns.
    pub series: Vec<RungSeries>,
    /// Thresholds crossed: (turn, name, by whom).
    pub thresholds: Vec<(u32, String, String)>,
    /// Red lines.
    pub red_lines: Vec<RedLineRecord>,
    /// The ending: (name, text, tone in words).
    pub ending: Option<(String, String, String)>,
    /// Every order given, by turn: (turn, line).
    pub orders: Vec<(u32, String)>,
    /// Incidents that were never detected, or blamed on the wrong actor: the hidden war.
    pub hidden: Vec<String>,
    /// Every incident, with its attribution history.
    pub incidents: Vec<IncidentRecord>,
    /// Every red-line firing, with the truth behind it and the answer.
    pub firings: Vec<Firing>,
    /// The name of the standing attribute the norms move (e.g. "Legitimacy"), if any.
    pub standing_name: Option<String>,
    /// Norms ledger, per actor.
    pub norms: Vec<NormLedger>,
    /// Decisions, per turn and actor.
    pub decisions: Vec<Decision>,
    /// Turning points, in turn order.
    pub turning_points: Vec<TurningPoint>,
    /// Facilitator overrides and undos.
    pub interventions: Vec<Intervention>,
    /// The public timeline, repeated lines collapsed.
    pub timeline: Vec<TimelineLine>,
    /// Objectives per actor.
    pub objectives: Vec<ObjectiveRecord>,
    /// The scenario's metrics (the escalation score among them) turn by turn.
    pub metrics: Vec<MetricLine>,
}

/// The metrics of a game, turn by turn, per actor and in total.
pub fn metric_lines(s: &Scenario, state: &GameState) -> Vec<MetricLine> {
    crate::scenario::index::metric_labels(s)
        .into_iter()
        .enumerate()
        .map(|(m, (id, name, decimals))| {
            let shown = |v: i64| crate::scenario::format_decimal(v, decimals);
            MetricLine {
                id,
                name,
                totals: state
                    .metrics
                    .iter()
                    .map(|r| (r.turn, shown(r.total(m))))
                    .collect(),
                by_actor: s
                    .actors
                    .iter()
                    .enumerate()
                    .map(|(a, actor)| {
                        let values = state.metrics.iter().map(|r| shown(r.value(m, a))).collect();
                        (actor.name.clone(), values)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A session replayed turn by turn.
pub struct Replayed {
    /// The game at the end.
    pub game: Game,
    /// The state at the start and at the end of each turn played.
    pub states: Vec<GameState>,
    /// What the default bot would have ordered: (turn, actor, order lines).
    pub alternatives: Vec<(u32, usize, Vec<String>)>,
}

/// Replays a record turn by turn (unchecked: verify a save first with
/// [`SessionRecord::verify_and_replay`]), keeping every turn's state and asking, at each
/// turn, a bot of each actor's default doctrine what it would have ordered.
pub fn replay_session(loaded: &LoadedScenario, record: &SessionRecord) -> Replayed {
    observe_session(loaded, record).unwrap_or_else(|_| {
        // A turn's recorded version cannot be loaded (a save edited by hand): the session as
        // the current scenario plays it, every turn under it.
        observe_session(loaded, &record.under_one_version())
            .expect("a record without versions replays under one scenario")
    })
}

/// [`replay_session`] with each turn under the version it ran under.
fn observe_session(loaded: &LoadedScenario, record: &SessionRecord) -> Result<Replayed, String> {
    let mut states = Vec::new();
    let mut alternatives = Vec::new();
    let mut after_states = Vec::new();
    let game = record.replay_each(
        loaded,
        &mut |game: &Game, input: &TurnInput| {
            if states.is_empty() {
                states.push(game.state().clone());
            }
            let s = &game.scenario().scenario;
            let turn = game.state().turn;
            for (a, actor) in s.actors.iter().enumerate() {
                let doctrine = default_doctrine(actor);
                if game.state().actors[a].controller == Controller::Bot(doctrine) {
                    continue;
                }
                let mut copy = game.fork();
                copy.state_mut().actors[a].controller = Controller::Bot(doctrine);
                for o in input.orders.iter().filter(|o| o.actor != actor.id) {
                    copy.submit(o.clone());
                }
                for c in &input.commands {
                    copy.command(c.clone());
                }
                copy.step();
                alternatives.push((turn, a, orders_of(s, copy.log(), turn, &actor.id)));
            }
        },
        &mut |game: &Game| after_states.push(game.state().clone()),
    )?;
    if states.is_empty() {
        states.push(game.state().clone());
    }
    states.extend(after_states);
    Ok(Replayed {
        game,
        states,
        alternatives,
    })
}

/// The orders `actor` gave at `turn`, in words.
fn orders_of(s: &Scenario, log: &GameLog, turn: u32, actor: &str) -> Vec<String> {
    log.entries
        .iter()
        .filter(|e| e.turn == turn)
        .filter_map(|e| match &e.event {
            Event::Order {
                actor: a,
                action,
                target,
                ..
            } if a == actor => Some(order_words(s, action, target.as_deref())),
            _ => None,
        })
        .collect()
}

fn order_words(s: &Scenario, action: &str, target: Option<&str>) -> String {
    format!(
        "{}{}",
        names::action_name_by_id(s, action),
        target
            .map(|t| format!(" → {}", actor_name_by_id(s, t)))
            .unwrap_or_default()
    )
}

/// The debrief of a session record (replays it; see [`replay_session`]).
pub fn debrief_of_record(loaded: &LoadedScenario, record: &SessionRecord) -> DebriefView {
    let replayed = replay_session(loaded, record);
    debrief_of_replay(loaded, record, &replayed)
}

/// The debrief of a replayed session.
pub fn debrief_of_replay(
    loaded: &LoadedScenario,
    record: &SessionRecord,
    replayed: &Replayed,
) -> DebriefView {
    let s = &loaded.scenario;
    let state = replayed.game.state();
    let log = replayed.game.log();
    let mut d = debrief_view(s, state, log);
    d.seed = record.seed;
    d.incidents = incidents(s, state, log);
    d.firings = firings(s, state, log);
    let (standing_name, norms) = norms_ledger(s, &replayed.states);
    d.standing_name = standing_name;
    d.norms = norms;
    d.decisions = decisions(s, state, log, &replayed.alternatives);
    d.interventions = interventions(s, record);
    d.turning_points = turning_points(s, &d, log);
    d
}

/// The parts of the debrief that the final state and log alone give (no per-turn history, no
/// decisions): what a game without a record can show.
pub fn debrief_view(s: &Scenario, state: &GameState, log: &GameLog) -> DebriefView {
    let start_rung = |i: usize| {
        let id = &s.actors[i].rung;
        s.meta
            .ladder
            .rungs
            .iter()
            .position(|r| &r.id == id)
            .unwrap_or(0)
    };
    let actors = s
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| ActorLine {
            index: i,
            name: a.name.clone(),
            code: names::actor_code(&a.id),
            colour: actor_colour(s, i),
            controller: state
                .actors
                .get(i)
                .map(|st| names::controller(&st.controller))
                .unwrap_or_default(),
            default_doctrine: names::doctrine(default_doctrine(a)).to_string(),
        })
        .collect();
    let series = s
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut rungs = vec![start_rung(i)];
            rungs.extend(state.actors[i].rung_history.iter().copied());
            RungSeries {
                index: i,
                code: names::actor_code(&a.id),
                name: a.name.clone(),
                colour: actor_colour(s, i),
                rungs,
            }
        })
        .collect();
    let mut thresholds = Vec::new();
    let mut orders = Vec::new();
    for entry in &log.entries {
        match &entry.event {
            // The true ladder's crossing comes first; the room's (public) crossing of the same
            // threshold, logged after it, is not a second crossing.
            Event::ThresholdCrossed { name, actor, .. }
                if !thresholds.iter().any(|(_, n, _)| n == name) =>
            {
                thresholds.push((entry.turn, name.clone(), actor_name_by_id(s, actor)));
            }
            Event::Order {
                actor,
                action,
                target,
                by,
            } => orders.push((
                entry.turn,
                format!(
                    "{} ({}): {}",
                    actor_name_by_id(s, actor),
                    by_words(by),
                    order_words(s, action, target.as_deref())
                ),
            )),
            _ => {}
        }
    }
    let red_lines = s
        .red_lines
        .iter()
        .zip(&state.red_lines)
        .filter(|(_, st)| st.declared || !st.crossings.is_empty())
        .map(|(def, st)| RedLineRecord {
            owner: actor_name_by_id(s, &def.owner),
            name: def.name.clone(),
            public: def.public,
            crossings: st
                .crossings
                .iter()
                .map(|(t, c)| (*t, actor_name(s, *c)))
                .collect(),
            enforced: st.enforced,
            ignored: st.ignored,
            credibility: st.credibility,
        })
        .collect();
    let hidden = state
        .incidents
        .iter()
        .filter(|i| i.detected.is_none() || i.misattributed())
        .map(|i| {
            let action = s
                .actions
                .get(i.action)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            let what = format!(
                "T{} {} by {} against {}",
                i.turn,
                action,
                actor_name(s, i.actor),
                actor_name(s, i.victim)
            );
            match (i.detected, i.suspect) {
                (None, _) => format!("{what} — never detected"),
                (Some(_), Some(sus)) => format!("{what} — blamed on {}", actor_name(s, sus)),
                (Some(_), None) => format!("{what} — never attributed"),
            }
        })
        .collect();
    DebriefView {
        title: s.meta.title.clone(),
        seed: 0,
        turns_played: state
            .actors
            .first()
            .map(|a| a.rung_history.len() as u32)
            .unwrap_or(0),
        actors,
        ladder: ladder(s, &state.thresholds_crossed),
        series,
        thresholds,
        red_lines,
        ending: state.ending.as_ref().and_then(|e| {
            s.endings.get(e.ending).map(|d| {
                let tone = match d.tone {
                    EndingTone::Good => "good",
                    EndingTone::Neutral => "neutral",
                    EndingTone::Bad => "bad",
                };
                (d.name.clone(), d.text.clone(), tone.to_string())
            })
        }),
        orders,
        hidden,
        incidents: incidents(s, state, log),
        firings: firings(s, state, log),
        standing_name: None,
        norms: Vec::new(),
        decisions: Vec::new(),
        turning_points: Vec::new(),
        interventions: Vec::new(),
        timeline: timeline(s, log),
        objectives: s
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| ObjectiveRecord {
                index: i,
                actor: a.name.clone(),
                objectives: a.objectives.clone(),
                score: None,
            })
            .collect(),
        metrics: metric_lines(s, state),
    }
}

/// "team", "bot:hawk" → "team", "bot: hawk".
fn by_words(by: &str) -> String {
    match by.strip_prefix("bot:") {
        Some(d) => match Doctrine::from_cli(d) {
            Some(d) => format!("bot: {}", names::doctrine(d)),
            None => format!("bot: {d}"),
        },
        None => by.to_string(),
    }
}

fn incidents(s: &Scenario, state: &GameState, log: &GameLog) -> Vec<IncidentRecord> {
    state
        .incidents
        .iter()
        .map(|inc| {
            let author = actor_name(s, inc.actor);
            let mut blames: Vec<Blame> = Vec::new();
            let mut public = None;
            for e in &log.entries {
                match &e.event {
                    Event::Attribution {
                        incident,
                        suspect,
                        confidence,
                        level,
                        wrong,
                        ..
                    } if *incident == inc.id => blames.push(Blame {
                        turn: e.turn,
                        suspect: suspect.as_deref().map(|x| actor_name_by_id(s, x)),
                        confidence: *confidence,
                        level: names::confidence(*level).to_string(),
                        wrong: *wrong,
                    }),
                    Event::PublicAttribution {
                        incident, culprit, ..
                    } if *incident == inc.id && public.is_none() => {
                        public = Some((e.turn, actor_name_by_id(s, culprit)));
                    }
                    _ => {}
                }
            }
            let first_wrong = blames.iter().position(|b| b.wrong);
            let corrected = first_wrong.and_then(|k| {
                blames[k..]
                    .iter()
                    .find(|b| !b.wrong && b.suspect.as_deref() == Some(author.as_str()))
                    .map(|b| b.turn)
            });
            IncidentRecord {
                id: inc.id,
                turn: inc.turn,
                action: s
                    .actions
                    .get(inc.action)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                author,
                victim: actor_name(s, inc.victim),
                success: inc.success,
                detected: inc.detected,
                overt: inc.public && public.is_none() && blames.is_empty(),
                ever_wrong: first_wrong.is_some() || inc.misattributed(),
                wrong_at_end: inc.misattributed(),
                blames,
                corrected,
                public,
            }
        })
        .collect()
}

fn firings(s: &Scenario, state: &GameState, log: &GameLog) -> Vec<Firing> {
    let mut out: Vec<Firing> = Vec::new();
    // (red line position, index of the firing in `out`), to settle obligations in order.
    let mut rl_index: Vec<usize> = Vec::new();
    let mut nth = vec![0usize; s.red_lines.len()];
    for e in &log.entries {
        match &e.event {
            Event::RedLineCrossed {
                red_line,
                owner,
                culprit,
            } => {
                let Some(r) = s.red_lines.iter().position(|x| &x.id == red_line) else {
                    continue;
                };
                // The incident behind the n-th crossing of this red line.
                let incident = state
                    .crossed_incidents
                    .iter()
                    .filter(|(rl, _, _)| *rl == r)
                    .nth(nth[r])
                    .map(|(_, _, id)| *id)
                    .and_then(|id| state.incidents.iter().find(|i| i.id == id));
                nth[r] += 1;
                let culprit_ix = names::actor_index(s, culprit);
                out.push(Firing {
                    turn: e.turn,
                    red_line: s.red_lines[r].name.clone(),
                    owner: actor_name_by_id(s, owner),
                    culprit: actor_name_by_id(s, culprit),
                    incident: incident.map(|i| (i.id, actor_name(s, i.actor))),
                    wrong: incident.is_some_and(|i| Some(i.actor) != culprit_ix),
                    outcome: FiringOutcome::Open,
                });
                rl_index.push(r);
            }
            Event::RedLineEnforced {
                red_line,
                culprit,
                action,
                ..
            } => {
                let culprit = actor_name_by_id(s, culprit);
                let r = s.red_lines.iter().position(|x| &x.id == red_line);
                if let Some(k) = (0..out.len()).find(|&k| {
                    Some(rl_index[k]) == r
                        && out[k].culprit == culprit
                        && out[k].outcome == FiringOutcome::Open
                }) {
                    out[k].outcome =
                        FiringOutcome::Enforced(e.turn, names::action_name_by_id(s, action));
                }
            }
            Event::RedLineIgnored { red_line, .. } => {
                let r = s.red_lines.iter().position(|x| &x.id == red_line);
                if let Some(k) = (0..out.len())
                    .find(|&k| Some(rl_index[k]) == r && out[k].outcome == FiringOutcome::Open)
                {
                    out[k].outcome = FiringOutcome::Ignored(e.turn);
                }
            }
            _ => {}
        }
    }
    out
}

/// The attribute the norms move (the first one their effects add to or set), e.g. legitimacy.
fn standing_attribute(s: &Scenario) -> Option<usize> {
    s.meta.norms.iter().find_map(|n| {
        n.on_breach
            .iter()
            .chain(&n.on_uphold)
            .find_map(|e| match e {
                Effect::AddAttr(_, attr, _) | Effect::SetAttr(_, attr, _) => {
                    s.meta.attributes.iter().position(|a| &a.id == attr)
                }
                _ => None,
            })
    })
}

fn norms_ledger(s: &Scenario, states: &[GameState]) -> (Option<String>, Vec<NormLedger>) {
    let standing = standing_attribute(s);
    let norm_name = |k: usize| {
        s.meta
            .norms
            .get(k)
            .map(|n| format!("{} ({})", n.text, n.id))
            .unwrap_or_default()
    };
    let ledger = s
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut broken: Vec<(String, Vec<u32>)> = Vec::new();
            let mut upheld: Vec<(String, Vec<u32>)> = Vec::new();
            for w in states.windows(2) {
                let (before, after) = (&w[0].actors[i], &w[1].actors[i]);
                let turn = w[0].turn;
                for (list, from, to) in [
                    (&mut broken, &before.norms_broken, &after.norms_broken),
                    (&mut upheld, &before.norms_upheld, &after.norms_upheld),
                ] {
                    for &k in to.iter().skip(from.len()) {
                        let name = norm_name(k);
                        match list.iter_mut().find(|(n, _)| *n == name) {
                            Some((_, turns)) => turns.push(turn),
                            None => list.push((name, vec![turn])),
                        }
                    }
                }
            }
            NormLedger {
                index: i,
                actor: a.name.clone(),
                broken,
                upheld,
                standing: standing
                    .map(|k| states.iter().map(|st| st.actors[i].attrs[k]).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    (standing.map(|k| s.meta.attributes[k].name.clone()), ledger)
}

fn decisions(
    s: &Scenario,
    state: &GameState,
    log: &GameLog,
    alternatives: &[(u32, usize, Vec<String>)],
) -> Vec<Decision> {
    let mut out: Vec<Decision> = Vec::new();
    for e in &log.entries {
        let Event::Order {
            actor,
            action,
            target,
            by,
        } = &e.event
        else {
            continue;
        };
        let Some(i) = names::actor_index(s, actor) else {
            continue;
        };
        let line = order_words(s, action, target.as_deref());
        match out.iter_mut().find(|d| d.turn == e.turn && d.index == i) {
            Some(d) => d.orders.push(line),
            None => out.push(Decision {
                turn: e.turn,
                index: i,
                actor: s.actors[i].name.clone(),
                by: by_words(by),
                bot: by.starts_with("bot:"),
                orders: vec![line],
                doctrine: names::doctrine(default_doctrine(&s.actors[i])).to_string(),
                alternative: None,
            }),
        }
    }
    // Actors not played by their default bot who gave no order still made a decision.
    for (turn, i, alt) in alternatives {
        match out.iter_mut().find(|d| d.turn == *turn && d.index == *i) {
            Some(d) => d.alternative = Some(alt.clone()),
            None => out.push(Decision {
                turn: *turn,
                index: *i,
                actor: s.actors[*i].name.clone(),
                by: names::controller(&state.actors[*i].controller).to_lowercase(),
                bot: matches!(state.actors[*i].controller, Controller::Bot(_)),
                orders: Vec::new(),
                doctrine: names::doctrine(default_doctrine(&s.actors[*i])).to_string(),
                alternative: Some(alt.clone()),
            }),
        }
    }
    out.sort_by_key(|d| (d.turn, d.index));
    out
}

fn interventions(s: &Scenario, record: &SessionRecord) -> Vec<Intervention> {
    let mut out = Vec::new();
    let command_text = |c: &FacilitatorCommand| match c {
        FacilitatorCommand::Note(text) => format!("noted: {text}"),
        FacilitatorCommand::ReleaseInject(id) => format!(
            "released the inject \"{}\"",
            s.injects
                .iter()
                .find(|i| &i.id == id)
                .map_or(id.as_str(), |i| i.headline.as_str())
        ),
        FacilitatorCommand::SetSwitch(name, on) => {
            format!(
                "turned the switch \"{name}\" {}",
                if *on { "on" } else { "off" }
            )
        }
        FacilitatorCommand::ChooseInjectOption(id, k) => {
            let inj = s.injects.iter().find(|i| &i.id == id);
            format!(
                "chose \"{}\" for \"{}\" instead of the dice",
                inj.and_then(|i| i.choices.get(*k))
                    .map_or_else(|| format!("option {}", k + 1), |c| c.label.clone()),
                inj.map_or(id.as_str(), |i| i.headline.as_str())
            )
        }
        FacilitatorCommand::ForceOutcome(actor, action, success) => format!(
            "overrode the dice: {} {} {}",
            possessive(&actor_name_by_id(s, actor)),
            names::action_name_by_id(s, action),
            if *success { "succeeds" } else { "fails" }
        ),
    };
    for (i, input) in record.turns.iter().enumerate() {
        for c in &input.commands {
            out.push(Intervention {
                turn: i as u32 + 1,
                text: command_text(c),
            });
        }
    }
    for u in &record.undone {
        let orders = u.input.orders.len();
        out.push(Intervention {
            turn: u.turn,
            text: format!(
                "undid turn {} ({} team order set(s) and {} command(s) taken back)",
                u.turn,
                orders,
                u.input.commands.len()
            ),
        });
    }
    out.sort_by_key(|x| x.turn);
    out
}

fn timeline(s: &Scenario, log: &GameLog) -> Vec<TimelineLine> {
    let mut out: Vec<TimelineLine> = Vec::new();
    for e in log
        .entries
        .iter()
        .filter(|e| e.audience == crate::sim::Audience::Public)
    {
        let text = match &e.event {
            Event::Inject { headline, .. } => format!("News: {headline}"),
            Event::Headline { text } => format!("Headline: {text}"),
            Event::RedLineCrossed {
                red_line,
                owner,
                culprit,
            } => format!(
                "{} declares its red line \"{}\" crossed by {}",
                actor_name_by_id(s, owner),
                names::red_line_name_by_id(s, red_line),
                actor_name_by_id(s, culprit)
            ),
            Event::RedLineEnforced {
                red_line,
                owner,
                action,
                culprit,
                credibility,
            } => format!(
                "{} enforces \"{}\" with {} against {}; credibility {credibility}",
                actor_name_by_id(s, owner),
                names::red_line_name_by_id(s, red_line),
                names::action_name_by_id(s, action),
                actor_name_by_id(s, culprit)
            ),
            Event::RedLineIgnored {
                red_line,
                owner,
                credibility,
            } => format!(
                "{} leaves \"{}\" unanswered; credibility {credibility}",
                actor_name_by_id(s, owner),
                names::red_line_name_by_id(s, red_line)
            ),
            Event::ThresholdCrossed { name, actor, .. } => {
                format!(
                    "Threshold \"{name}\" crossed by {}",
                    actor_name_by_id(s, actor)
                )
            }
            Event::ProposalDecided {
                proposal,
                from,
                to,
                accepted,
            } => format!(
                "{} {} {} proposal \"{}\"",
                actor_name_by_id(s, to),
                if *accepted { "accepts" } else { "refuses" },
                possessive(&actor_name_by_id(s, from)),
                names::proposal_name_by_id(s, proposal)
            ),
            Event::PublicAttribution {
                victim, culprit, ..
            } => format!(
                "{} publicly attributes an incident to {}",
                actor_name_by_id(s, victim),
                actor_name_by_id(s, culprit)
            ),
            Event::Ending { name, .. } => format!("Ending: {name}"),
            _ => continue,
        };
        match out.iter_mut().find(|l| l.text == text) {
            Some(l) => {
                l.count += 1;
                l.last_turn = e.turn;
            }
            None => out.push(TimelineLine {
                turn: e.turn,
                last_turn: e.turn,
                count: 1,
                text,
            }),
        }
    }
    out
}

fn turning_points(s: &Scenario, d: &DebriefView, log: &GameLog) -> Vec<TurningPoint> {
    let mut out = Vec::new();
    // First crossing of each named threshold (the log has the true crossing for the
    // facilitator and the room's, possibly on the same turn: one turning point).
    let mut crossed = std::collections::BTreeSet::new();
    for e in &log.entries {
        if let Event::ThresholdCrossed {
            threshold,
            name,
            actor,
        } = &e.event
            && crossed.insert(threshold.as_str())
        {
            let who = actor_name_by_id(s, actor);
            let th = s.meta.ladder.thresholds.iter().find(|t| &t.id == threshold);
            let above = th
                .and_then(|t| s.meta.ladder.rungs.iter().position(|r| r.id == t.above))
                .unwrap_or(0);
            let rung = names::rung_name(s, above);
            let before = d.rung_at_start_of(actor, s, e.turn);
            let (title, questions) = match before {
                Some(b) if b > above => (
                    format!("{who} begins beyond the threshold \"{name}\""),
                    vec![
                        format!(
                            "{who} started the game above \"{rung}\", past \"{name}\". What did that starting point commit it to, and what did the others expect of it?"
                        ),
                        format!(
                            "What would it have taken to bring {who} back below \"{name}\", and did anyone try?"
                        ),
                    ],
                ),
                _ => (
                    format!("{who} crosses the threshold \"{name}\""),
                    vec![
                        format!(
                            "At turn {}, {who} went beyond \"{rung}\" and crossed \"{name}\". Was that a decision, or the sum of smaller steps nobody weighed?",
                            e.turn
                        ),
                        format!(
                            "What did the other actors see of {} move that turn, and what did they believe it meant?",
                            possessive(&who)
                        ),
                        format!(
                            "What would have kept {who} at \"{}\" one more turn, and who could have offered it?",
                            names::rung_name(s, before.unwrap_or(above))
                        ),
                    ],
                ),
            };
            out.push(TurningPoint {
                turn: e.turn,
                kind: TurningKind::Threshold,
                title,
                questions,
            });
        }
    }
    // Responses that rested on a wrong attribution.
    for f in d.firings.iter().filter(|f| f.wrong) {
        let author = f
            .incident
            .as_ref()
            .map(|(_, a)| a.clone())
            .unwrap_or_default();
        let text = s
            .red_lines
            .iter()
            .find(|r| r.name == f.red_line)
            .map(|r| r.text.trim_end_matches('.').to_string())
            .unwrap_or_default();
        let answer = match &f.outcome {
            FiringOutcome::Enforced(t, action) => {
                format!("answered at turn {t} with {action} against {}", f.culprit)
            }
            FiringOutcome::Ignored(t) => format!("left unanswered at turn {t}"),
            FiringOutcome::Open => "still open at the end".into(),
        };
        out.push(TurningPoint {
            turn: f.turn,
            kind: TurningKind::Misattribution,
            title: format!(
                "{} red line \"{}\" fired against {}, but {author} did it; {answer}",
                possessive(&f.owner),
                f.red_line,
                f.culprit
            ),
            questions: vec![
                format!(
                    "{} declared: \"{text}\". How sure should {} have been before answering, and what evidence did it have at turn {}?",
                    f.owner, f.owner, f.turn
                ),
                format!(
                    "{} was blamed for what {author} did. How could {} have shown it was not them, and who would have believed it?",
                    f.culprit, f.culprit
                ),
                format!(
                    "What did {author} gain from {} being blamed, and did {author} plan for it — or did it not even know?",
                    f.culprit
                ),
            ],
        });
    }
    // Red lines ignored.
    for f in &d.firings {
        if let FiringOutcome::Ignored(t) = f.outcome {
            let credibility = d
                .red_lines
                .iter()
                .find(|r| r.name == f.red_line)
                .map(|r| r.credibility)
                .unwrap_or_default();
            out.push(TurningPoint {
                turn: t,
                kind: TurningKind::RedLineIgnored,
                title: format!(
                    "{} leaves its red line \"{}\" unanswered after {} crossed it",
                    f.owner, f.red_line, f.culprit
                ),
                questions: vec![
                    format!(
                        "Why did {} not answer {} within the time it had promised? What did it weigh against its credibility (now {credibility})?",
                        f.owner, f.culprit
                    ),
                    format!(
                        "What did {} learn from the silence, and what will it try next?",
                        f.culprit
                    ),
                ],
            });
        }
    }
    // Agreements.
    for e in &log.entries {
        if let Event::ProposalDecided {
            proposal,
            from,
            to,
            accepted: true,
        } = &e.event
        {
            let (from, to) = (actor_name_by_id(s, from), actor_name_by_id(s, to));
            let name = names::proposal_name_by_id(s, proposal);
            out.push(TurningPoint {
                turn: e.turn,
                kind: TurningKind::Agreement,
                title: format!("{to} accepts {} proposal \"{name}\"", possessive(&from)),
                questions: vec![
                    format!(
                        "What made \"{name}\" acceptable to {to} at turn {}, and not before?",
                        e.turn
                    ),
                    format!("What would {from} and {to} each have to see to trust it holds?"),
                ],
            });
        }
    }
    // Facilitator overrides and undos.
    for x in &d.interventions {
        out.push(TurningPoint {
            turn: x.turn,
            kind: TurningKind::Facilitator,
            title: format!("The facilitator {}", x.text),
            questions: vec![
                format!(
                    "At turn {} the game was steered by hand. What would the dice have done, and would the room have accepted it?",
                    x.turn
                ),
                "Which real-world actor plays the facilitator's role here — chance, an outside power, or a decision nobody owned?".into(),
            ],
        });
    }
    out.sort_by_key(|t| t.turn);
    out
}

impl DebriefView {
    /// The rung position an actor stood on at the start of `turn`.
    fn rung_at_start_of(&self, actor: &str, s: &Scenario, turn: u32) -> Option<usize> {
        let i = names::actor_index(s, actor)?;
        self.series
            .get(i)?
            .rungs
            .get(turn.saturating_sub(1) as usize)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(index: usize, rungs: &[usize]) -> RungSeries {
        RungSeries {
            index,
            code: String::new(),
            name: format!("actor {index}"),
            colour: String::new(),
            rungs: rungs.to_vec(),
        }
    }

    #[test]
    fn lines_on_one_rung_sit_side_by_side_and_a_line_alone_is_centred() {
        let s = [series(0, &[2, 2]), series(1, &[2, 3]), series(2, &[2, 2])];
        let (slots, most) = shared_rung_slots(&s);
        assert_eq!(most, 3);
        // Turn 0: three on rung 2, spread -1, 0, 1.
        assert_eq!([slots[0][0], slots[1][0], slots[2][0]], [-1.0, 0.0, 1.0]);
        // Turn 1: actor 1 alone on rung 3, the other two share rung 2.
        assert_eq!([slots[0][1], slots[1][1], slots[2][1]], [-0.5, 0.0, 0.5]);
    }
}
