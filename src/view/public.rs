//! The public record: the one projection of the game state the room's views are built from.
//!
//! Everything the board, its cards and its ladder show comes from a [`PublicRecord`], and a
//! record holds only what the world could know: public rungs and public attribute values (which
//! covert and deniable acts never move), public red lines as the room has seen them, publicly
//! attributed incidents with the actor they are pinned on (rightly or not), headlines, channels
//! and agreements, the thresholds crossed on the public ladder. True authors, true rungs, hidden
//! attributes and private red lines are not in it, so no board builder can leak them.

use crate::scenario::Scenario;
use crate::sim::state::{Agreement, EndingReached, GameState, PublicRedLine};

/// One actor as the room knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicActor {
    /// Public rung.
    pub rung: usize,
    /// Public attribute values by attribute position; `None` for an attribute the room never sees.
    pub attrs: Vec<Option<i32>>,
    /// Known norm breaches, as norm positions.
    pub norms_broken: Vec<usize>,
    /// Visible norm upholdings, as norm positions.
    pub norms_upheld: Vec<usize>,
    /// Who plays it (the room knows which actors are teams).
    pub controller: crate::scenario::Controller,
    /// Whether its rung counts for the crisis level (a scenario rule, public).
    pub counts_for_crisis: bool,
}

/// A publicly attributed (or overt) incident.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicIncidentFact {
    /// Turn it happened.
    pub turn: u32,
    /// Action position.
    pub action: usize,
    /// Who was hit.
    pub victim: usize,
    /// Whom it is publicly pinned on (which may be the wrong actor).
    pub named: usize,
    /// The evidence shown, 0–100.
    pub evidence: i32,
}

/// The public side of a game: everything the room's views may read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicRecord {
    /// The turn being played.
    pub turn: u32,
    /// Actors, in scenario order.
    pub actors: Vec<PublicActor>,
    /// Red lines in scenario order: `Some` for a declared public red line.
    pub red_lines: Vec<Option<PublicRedLine>>,
    /// Open channels.
    pub channels: Vec<(usize, usize)>,
    /// Agreements in force.
    pub agreements: Vec<Agreement>,
    /// Public incidents, in order of creation.
    pub incidents: Vec<PublicIncidentFact>,
    /// Headlines (turn, text).
    pub headlines: Vec<(u32, String)>,
    /// Turn each threshold was crossed on the public ladder.
    pub thresholds_crossed: Vec<Option<u32>>,
    /// The public crisis level.
    pub crisis: usize,
    /// The ending, once reached (endings are announced to the room).
    pub ending: Option<EndingReached>,
}

impl PublicRecord {
    /// The public projection of `state`. This function is the only place the room's views
    /// touch the full state.
    pub fn of(s: &Scenario, state: &GameState) -> Self {
        let ledger = &state.public;
        let actors = state
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| PublicActor {
                rung: ledger.rungs[i],
                attrs: s
                    .meta
                    .attributes
                    .iter()
                    .enumerate()
                    .map(|(k, def)| def.public.then(|| ledger.attrs[i][k]))
                    .collect(),
                norms_broken: a.norms_broken.clone(),
                norms_upheld: a.norms_upheld.clone(),
                // A leadership drawn for this game (a temperament) is secret: the room sees who
                // plays the actor as set up, the scenario's own bot.
                controller: if a.temperament.is_some() {
                    s.actors[i].controller.clone()
                } else {
                    a.controller.clone()
                },
                counts_for_crisis: a.counts_for_crisis,
            })
            .collect();
        let red_lines = s
            .red_lines
            .iter()
            .zip(&state.red_lines)
            .zip(&ledger.red_lines)
            .map(|((def, rl), public)| (def.public && rl.declared).then(|| public.clone()))
            .collect();
        let incidents = state
            .incidents
            .iter()
            .filter(|i| i.public)
            .map(|i| PublicIncidentFact {
                turn: i.turn,
                action: i.action,
                victim: i.victim,
                named: i.suspect.unwrap_or(i.actor),
                evidence: i.evidence,
            })
            .collect();
        PublicRecord {
            turn: state.turn,
            actors,
            red_lines,
            channels: state.channels.iter().copied().collect(),
            agreements: state.agreements.clone(),
            incidents,
            headlines: state.headlines.clone(),
            thresholds_crossed: ledger.thresholds_crossed.clone(),
            crisis: state.public_crisis(),
            ending: state.ending.clone(),
        }
    }
}
