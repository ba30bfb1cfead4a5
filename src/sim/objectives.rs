//! Scored objectives: what each actor wants, written by the scenario in the condition language
//! (`Actor::goals`), tracked at the end of every turn and scored from 0 to 1.
//!
//! An actor's score is the weighted mean of its objectives' values: a `Hold` objective is worth
//! the share of turns at whose end its condition held, a `Reach` objective 1 if its condition
//! holds now (at the end of the game: when it ended), an `Avoid` objective 1 as long as its
//! condition has never held at the end of a turn.

use serde::{Deserialize, Serialize};

use super::eval::Ctx;
use super::state::{Bindings, GameState};
use crate::scenario::{ObjectiveKind, Scenario, ScenarioIndex};

/// What the game has seen of one objective so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectiveTrack {
    /// Turns whose end has been recorded.
    pub turns: u32,
    /// Of those, the turns at whose end the condition held.
    pub held: u32,
    /// Whether the condition held at the end of the latest recorded turn.
    pub now: bool,
}

impl ObjectiveTrack {
    /// The objective's value (0–1) for its kind.
    pub fn value(&self, kind: ObjectiveKind) -> f64 {
        match kind {
            ObjectiveKind::Hold if self.turns == 0 => 0.0,
            ObjectiveKind::Hold => f64::from(self.held) / f64::from(self.turns),
            ObjectiveKind::Reach => f64::from(u8::from(self.now)),
            ObjectiveKind::Avoid => f64::from(u8::from(self.held == 0)),
        }
    }
}

/// Empty tracks for every objective of every actor.
pub fn initial_tracks(s: &Scenario) -> Vec<Vec<ObjectiveTrack>> {
    s.actors
        .iter()
        .map(|a| vec![ObjectiveTrack::default(); a.goals.len()])
        .collect()
}

/// Whether each objective of `actor` holds in the state now.
pub fn holds_now(sc: &Scenario, ix: &ScenarioIndex, st: &GameState, actor: usize) -> Vec<bool> {
    (0..sc.actors[actor].goals.len())
        .map(|k| holds(sc, ix, st, actor, k))
        .collect()
}

/// Whether `actor`'s objective `k` holds in this state.
fn holds(sc: &Scenario, ix: &ScenarioIndex, st: &GameState, actor: usize, k: usize) -> bool {
    let b = Bindings {
        acting: Some(actor),
        ..Bindings::default()
    };
    Ctx { sc, ix, st }.test_pure(&ix.conditions.goals[actor][k], b)
}

/// Records the end of a turn: every objective of every actor is checked once.
pub fn record_turn(sc: &Scenario, ix: &ScenarioIndex, st: &mut GameState) {
    if st.objectives.len() != sc.actors.len() {
        st.objectives = initial_tracks(sc);
    }
    for actor in 0..sc.actors.len() {
        // Checked one by one (no list of results a turn: this runs for every actor every turn).
        for k in 0..sc.actors[actor].goals.len() {
            let held = holds(sc, ix, st, actor, k);
            if let Some(track) = st.objectives[actor].get_mut(k) {
                track.turns += 1;
                track.held += u32::from(held);
                track.now = held;
            }
        }
    }
}

/// The weighted mean of values (0 without objectives or weights).
fn weighted(sc: &Scenario, actor: usize, value: impl Fn(usize, ObjectiveKind) -> f64) -> f64 {
    let goals = &sc.actors[actor].goals;
    let total: f64 = goals.iter().map(|g| f64::from(g.weight.max(0))).sum();
    if total <= 0.0 {
        return 0.0;
    }
    goals
        .iter()
        .enumerate()
        .map(|(k, g)| f64::from(g.weight.max(0)) * value(k, g.kind))
        .sum::<f64>()
        / total
}

/// An actor's score so far (0–1): at the end of the game, its final score.
pub fn score(sc: &Scenario, st: &GameState, actor: usize) -> f64 {
    let Some(tracks) = st.objectives.get(actor) else {
        return 0.0;
    };
    weighted(sc, actor, |k, kind| {
        tracks.get(k).map_or(0.0, |t| t.value(kind))
    })
}

/// Every actor's score so far, in scenario order.
pub fn scores(sc: &Scenario, st: &GameState) -> Vec<f64> {
    (0..sc.actors.len()).map(|a| score(sc, st, a)).collect()
}

/// The value of the state as it stands for `actor`'s objectives, as a planner looks at a
/// possible future: `Hold` and `Reach` count if they hold now, `Avoid` counts unless it holds
/// now or has held before.
pub fn outlook(sc: &Scenario, ix: &ScenarioIndex, st: &GameState, actor: usize) -> f64 {
    let now = holds_now(sc, ix, st, actor);
    let tracks = st.objectives.get(actor);
    weighted(sc, actor, |k, kind| {
        let held_before = tracks.and_then(|t| t.get(k)).is_some_and(|t| t.held > 0);
        match kind {
            ObjectiveKind::Hold | ObjectiveKind::Reach => f64::from(u8::from(now[k])),
            ObjectiveKind::Avoid => f64::from(u8::from(!now[k] && !held_before)),
        }
    })
}

/// One objective as a team or the debrief shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObjectiveView {
    /// What it says.
    pub text: String,
    /// Its weight.
    pub weight: i32,
    /// How it is met ("hold", "reach", "avoid").
    pub kind: &'static str,
    /// Its value so far (0–1).
    pub value: f64,
}

/// An actor's objectives with their values so far.
pub fn views(sc: &Scenario, st: &GameState, actor: usize) -> Vec<ObjectiveView> {
    let tracks = st.objectives.get(actor);
    sc.actors[actor]
        .goals
        .iter()
        .enumerate()
        .map(|(k, g)| ObjectiveView {
            text: g.text.clone(),
            weight: g.weight,
            kind: match g.kind {
                ObjectiveKind::Hold => "hold",
                ObjectiveKind::Reach => "reach",
                ObjectiveKind::Avoid => "avoid",
            },
            value: tracks
                .and_then(|t| t.get(k))
                .map_or(0.0, |t| t.value(g.kind)),
        })
        .collect()
}
