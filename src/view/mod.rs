//! View models: what each audience may see, built from the rules' state. No rendering here.
//!
//! Three audiences, three builders:
//! - [`board`]: the public board projected for the room. Built only from the [`public`] record
//!   (public rungs and values that covert acts never move, declared public red lines as seen,
//!   publicly attributed incidents, headlines) and public log entries.
//! - [`team`]: one team's private view: its own actor's hidden information and nobody else's.
//! - [`debrief`]: after the game, everything, including what was hidden.
//!
//! The GUI draws these and nothing else, so the tests in this module are the guarantee that a
//! team's hidden information never reaches the board or another team.

pub mod board;
pub mod console;
pub mod debrief;
pub mod names;
pub mod public;
pub mod team;

#[cfg(test)]
mod tests;

use crate::scenario::{Scenario, ScenarioIndex};
use crate::sim::{Ctx, GameState, LegalOrder};

pub use board::{BoardView, RevealStep, RevealTone, board_view, reveal_steps};
pub use debrief::{DebriefView, debrief_view};
pub use team::{ActionCard, TeamView, team_view};

/// One rung of the ladder as drawn.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RungView {
    /// Ladder position.
    pub position: usize,
    /// Rung name.
    pub name: String,
    /// Group name (Kahn's ladder groups), if any.
    pub group: Option<String>,
    /// The named threshold lying just above this rung, if any.
    pub threshold_above: Option<ThresholdView>,
}

/// A named threshold across the ladder.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ThresholdView {
    /// Name, e.g. "No nuclear use".
    pub name: String,
    /// Turn it was first crossed.
    pub crossed_on: Option<u32>,
}

/// An attribute with its declared range.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AttrView {
    /// Display name.
    pub name: String,
    /// Current value (whole units of the smallest unit; see `shown`).
    pub value: i32,
    /// The value as people read it: with the attribute's decimals and thousands separators.
    pub shown: String,
    /// Lowest value.
    pub min: i32,
    /// Highest value (`None`: the attribute has no maximum).
    pub max: Option<i32>,
    /// How full its bar is, 0.0–1.0 (full for a value above the minimum without a maximum).
    pub fill: f32,
    /// Whether the room sees it (otherwise only the owner's team).
    pub public: bool,
}

/// A red line as shown to an audience.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RedLineView {
    /// Red line id.
    pub id: String,
    /// Short name.
    pub name: String,
    /// The declaration's text.
    pub text: String,
    /// Credibility 0–100.
    pub credibility: i32,
    /// Public (on the board) or private (owner's team only).
    pub public: bool,
    /// Times crossed.
    pub crossed: usize,
    /// Times enforced.
    pub enforced: u32,
    /// Times ignored.
    pub ignored: u32,
}

/// An actor's card.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActorCard {
    /// Position in scenario order (also picks its colour and shape).
    pub index: usize,
    /// Actor id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// A three-letter code for tokens.
    pub code: String,
    /// Kind, in words.
    pub kind: String,
    /// Side.
    pub side: String,
    /// Who plays it, in words ("Team", "Bot: hawk", "Facilitator").
    pub controller: String,
    /// Whether a team plays it.
    pub is_team: bool,
    /// Current rung position.
    pub rung: usize,
    /// Current rung name.
    pub rung_name: String,
    /// On the owner's own card, where the room sees it on the ladder when that differs from
    /// its true rung (its covert acts have not come to light): (position, name).
    pub room_rung: Option<(usize, String)>,
    /// Attributes this audience may see.
    pub attrs: Vec<AttrView>,
    /// Red lines this audience may see (declared ones only).
    pub red_lines: Vec<RedLineView>,
    /// Relations in words: channels and agreements in force.
    pub relations: Vec<String>,
    /// Publicly known norm breaches (the norms ledger), as norm ids.
    pub norms_broken: Vec<String>,
}

/// The legal actions of an actor this turn, grouped by action, with each legal target and the
/// success chance the rules would use (conditional modifiers evaluated without dice).
pub fn legal_cards(
    s: &Scenario,
    ix: &ScenarioIndex,
    state: &GameState,
    actor: usize,
) -> Vec<team::LegalCard> {
    let ctx = Ctx {
        sc: s,
        ix,
        st: state,
    };
    let mut out: Vec<team::LegalCard> = Vec::new();
    for lo in ctx.legal_orders(actor) {
        let chance = estimated_chance(&ctx, actor, lo);
        match out.last_mut() {
            Some((a, options)) if *a == lo.action => options.push((lo.target, chance)),
            _ => out.push((lo.action, vec![(lo.target, chance)])),
        }
    }
    out
}

/// The success chance of an order as the rules compute it, with `Chance` conditions counted false.
pub fn estimated_chance(ctx: &Ctx, actor: usize, lo: LegalOrder) -> i32 {
    ctx.success_chance(actor, lo, None)
}

/// The errors of a validation, one line each as `file:line:col: code message`.
pub fn problems_of(v: &crate::scenario::validate::Validation) -> Vec<String> {
    v.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let place = d
                .location
                .as_ref()
                .map(|l| {
                    let file = std::path::Path::new(&l.file)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| l.file.clone());
                    match v.sources.line_col(l) {
                        Some((line, col)) => format!("{file}:{line}:{col}: "),
                        None => format!("{file}: "),
                    }
                })
                .unwrap_or_default();
            format!("{place}{} {}", d.code, d.message)
        })
        .collect()
}
