//! The public board: what the whole room may see, built only from the [`PublicRecord`].

use crate::scenario::{AttributeDef, Confidence, Scenario};
use crate::sim::log::{Audience, Event, GameLog};
use crate::sim::state::GameState;

use super::names::{self, actor_name, actor_name_by_id};
use super::public::PublicRecord;
use super::{ActorCard, AttrView, RedLineView, RungView, ThresholdView};

/// A publicly known incident.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicIncident {
    /// Turn it happened.
    pub turn: u32,
    /// Action name.
    pub action: String,
    /// Victim name.
    pub victim: String,
    /// Whom the room believes did it (publicly named or overt).
    pub attributed_to: Option<String>,
    /// Position of that actor (for its token).
    pub attributed_index: Option<usize>,
    /// The victim's confidence, in words.
    pub confidence: String,
}

/// A headline on the feed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Headline {
    /// Turn.
    pub turn: u32,
    /// Text.
    pub text: String,
}

/// The public board.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BoardView {
    /// Scenario title.
    pub title: String,
    /// The turn being played.
    pub turn: u32,
    /// The last turn.
    pub turns: u32,
    /// What a turn stands for ("month").
    pub turn_label: String,
    /// Label of the first turn.
    pub start_label: String,
    /// The phase, in words.
    pub phase: String,
    /// Rungs from lowest to highest.
    pub ladder: Vec<RungView>,
    /// The global crisis level (a ladder position).
    pub crisis: usize,
    /// Its name.
    pub crisis_name: String,
    /// Actor cards (public facts only).
    pub actors: Vec<ActorCard>,
    /// Headlines, newest first.
    pub headlines: Vec<Headline>,
    /// Publicly known incidents, newest first.
    pub incidents: Vec<PublicIncident>,
    /// The ending, once reached: (name, text).
    pub ending: Option<(String, String)>,
}

/// The ladder with its thresholds, marked crossed on the turns given (the public ladder's for
/// the room, the true ones for the debrief).
pub fn ladder(s: &Scenario, thresholds_crossed: &[Option<u32>]) -> Vec<RungView> {
    s.meta
        .ladder
        .rungs
        .iter()
        .enumerate()
        .map(|(position, rung)| RungView {
            position,
            name: rung.name.clone(),
            group: rung.group.clone(),
            threshold_above: s
                .meta
                .ladder
                .thresholds
                .iter()
                .enumerate()
                .find(|(_, t)| t.above == rung.id)
                .map(|(i, t)| ThresholdView {
                    name: t.name.clone(),
                    crossed_on: thresholds_crossed.get(i).copied().flatten(),
                }),
        })
        .collect()
}

/// The relations of an actor in words: hotlines and agreements in force (both public).
pub fn relations(s: &Scenario, record: &PublicRecord, actor: usize) -> Vec<String> {
    let mut out = Vec::new();
    for &(a, b) in &record.channels {
        if a == actor || b == actor {
            let other = if a == actor { b } else { a };
            out.push(format!("Hotline with {}", actor_name(s, other)));
        }
    }
    for agreement in &record.agreements {
        let (a, b) = agreement.parties;
        if a == actor || b == actor {
            let other = if a == actor { b } else { a };
            let name = s
                .proposals
                .get(agreement.proposal)
                .map(|p| p.name.as_str())
                .unwrap_or("Agreement");
            out.push(format!("{name} with {}", actor_name(s, other)));
        }
    }
    out
}

/// An actor's card. `private` (only for the owner's team view) shows the true rung and values,
/// hidden attributes and private red lines; otherwise the card is the room's, from the public
/// record.
pub fn actor_card(s: &Scenario, state: &GameState, index: usize, private: bool) -> ActorCard {
    let record = PublicRecord::of(s, state);
    if private {
        own_card(s, state, &record, index)
    } else {
        public_card(s, &record, index)
    }
}

fn card_frame(s: &Scenario, record: &PublicRecord, index: usize, rung: usize) -> ActorCard {
    let actor = &s.actors[index];
    let facts = &record.actors[index];
    ActorCard {
        index,
        id: actor.id.clone(),
        name: actor.name.clone(),
        code: names::actor_code(&actor.id),
        kind: names::kind(actor.kind).into(),
        side: actor.side.clone(),
        controller: names::controller(&facts.controller),
        is_team: facts.controller == crate::scenario::Controller::Team,
        rung,
        rung_name: names::rung_name(s, rung),
        room_rung: None,
        attrs: Vec::new(),
        red_lines: Vec::new(),
        relations: relations(s, record, index),
        norms_broken: facts
            .norms_broken
            .iter()
            .filter_map(|&n| s.meta.norms.get(n).map(|n| n.id.clone()))
            .collect(),
    }
}

/// An attribute as a card shows it: its value in the declared decimals and how full its bar is.
fn attr_view(def: &AttributeDef, value: i32, public: bool) -> AttrView {
    AttrView {
        name: def.name.clone(),
        value,
        shown: def.format(i64::from(value)),
        min: def.min,
        max: def.max,
        fill: match def.max {
            Some(max) => ((f64::from(value) - f64::from(def.min))
                / (f64::from(max) - f64::from(def.min)).max(1.0))
            .clamp(0.0, 1.0) as f32,
            None => f32::from(u8::from(value > def.min)),
        },
        public,
    }
}

/// The room's card of an actor: public rung, public values, declared public red lines.
pub fn public_card(s: &Scenario, record: &PublicRecord, index: usize) -> ActorCard {
    let actor = &s.actors[index];
    let facts = &record.actors[index];
    let mut card = card_frame(s, record, index, facts.rung);
    card.attrs = s
        .meta
        .attributes
        .iter()
        .zip(&facts.attrs)
        .filter(|(def, _)| def.kinds.is_empty() || def.kinds.contains(&actor.kind))
        .filter_map(|(def, value)| value.map(|value| attr_view(def, value, true)))
        .collect();
    card.red_lines = s
        .red_lines
        .iter()
        .zip(&record.red_lines)
        .filter(|(def, _)| def.owner == actor.id)
        .filter_map(|(def, seen)| {
            seen.as_ref().map(|rl| RedLineView {
                id: def.id.clone(),
                name: def.name.clone(),
                text: def.text.clone(),
                credibility: rl.credibility,
                public: true,
                crossed: rl.crossed as usize,
                enforced: rl.enforced,
                ignored: rl.ignored,
            })
        })
        .collect();
    card
}

/// The owner's own card: the true rung and values (and what the room sees, where it differs),
/// hidden attributes, private red lines.
fn own_card(s: &Scenario, state: &GameState, record: &PublicRecord, index: usize) -> ActorCard {
    let actor = &s.actors[index];
    let st = &state.actors[index];
    let mut card = card_frame(s, record, index, st.rung);
    let seen = record.actors[index].rung;
    card.room_rung = (seen != st.rung).then(|| (seen, names::rung_name(s, seen)));
    card.attrs = s
        .meta
        .attributes
        .iter()
        .zip(&st.attrs)
        .filter(|(def, _)| def.kinds.is_empty() || def.kinds.contains(&actor.kind))
        .map(|(def, &value)| attr_view(def, value, def.public))
        .collect();
    card.red_lines = s
        .red_lines
        .iter()
        .zip(&state.red_lines)
        .filter(|(def, rl)| def.owner == actor.id && rl.declared)
        .map(|(def, rl)| RedLineView {
            id: def.id.clone(),
            name: def.name.clone(),
            text: def.text.clone(),
            credibility: rl.credibility,
            public: def.public,
            crossed: rl.crossings.len(),
            enforced: rl.enforced,
            ignored: rl.ignored,
        })
        .collect();
    card
}

/// The public board of a game.
pub fn board_view(s: &Scenario, state: &GameState, phase: &str) -> BoardView {
    public_board_view(s, &PublicRecord::of(s, state), phase)
}

/// The public board, from the public record alone.
pub fn public_board_view(s: &Scenario, record: &PublicRecord, phase: &str) -> BoardView {
    let incidents = record
        .incidents
        .iter()
        .rev()
        .map(|i| {
            let named = i.named;
            PublicIncident {
                turn: i.turn,
                action: s
                    .actions
                    .get(i.action)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                victim: actor_name(s, i.victim),
                attributed_to: Some(actor_name(s, named)),
                attributed_index: Some(named),
                confidence: names::confidence(Confidence::from_value(i.evidence)).into(),
            }
        })
        .collect();
    let crisis = record.crisis;
    BoardView {
        title: s.meta.title.clone(),
        turn: record.turn,
        turns: s.meta.turns,
        turn_label: s.meta.turn_label.clone(),
        start_label: s.meta.start_label.clone(),
        phase: phase.to_string(),
        ladder: ladder(s, &record.thresholds_crossed),
        crisis,
        crisis_name: names::rung_name(s, crisis),
        actors: (0..s.actors.len())
            .map(|i| public_card(s, record, i))
            .collect(),
        headlines: record
            .headlines
            .iter()
            .rev()
            .map(|(turn, text)| Headline {
                turn: *turn,
                text: text.clone(),
            })
            .collect(),
        incidents,
        ending: record.ending.as_ref().and_then(|e| {
            s.endings
                .get(e.ending)
                .map(|d| (d.name.clone(), d.text.clone()))
        }),
    }
}

/// How a reveal step should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RevealTone {
    /// News and injects.
    News,
    /// Someone acted in the open.
    Action,
    /// Attribution: who is named for what.
    Attribution,
    /// Diplomacy.
    Diplomacy,
    /// Movement on the ladder.
    Ladder,
    /// A red line crossed, or a threshold.
    Danger,
    /// A red line enforced.
    Enforced,
    /// The game ended.
    Ending,
}

/// One step of the resolution reveal, in the room's view.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RevealStep {
    /// How it looks.
    pub tone: RevealTone,
    /// The actor it is mainly about, for its token: (position, code).
    pub actor: Option<(usize, String)>,
    /// One line.
    pub text: String,
}

/// How a move relates to its target: "against" for offensive and punitive moves, "with" for
/// conciliatory ones and for defensive or signalling moves on a state of one's own side (a
/// forward hunt with an ally), "on" otherwise (taking down a swarm's servers).
fn preposition(s: &Scenario, actor: &str, action: &str, target: &str) -> &'static str {
    use crate::scenario::{ActorKind, Intent};
    let intent = s.actions.iter().find(|a| a.id == action).map(|a| a.intent);
    let find = |id: &str| s.actors.iter().find(|a| a.id == id);
    let allied_state = match (find(actor), find(target)) {
        (Some(a), Some(t)) => !a.side.is_empty() && a.side == t.side && t.kind == ActorKind::State,
        _ => false,
    };
    match intent {
        Some(Intent::Offensive | Intent::Punitive) | None => "against",
        Some(Intent::Conciliatory) => "with",
        Some(Intent::Defensive | Intent::Signal) if allied_state => "with",
        Some(Intent::Defensive | Intent::Signal) => "on",
    }
}

/// The public steps of a turn's resolution, in log order. Private entries never appear.
/// `state` (the state after the turn) adds the confidence of public attributions.
pub fn reveal_steps(
    s: &Scenario,
    state: Option<&GameState>,
    log: &GameLog,
    turn: u32,
) -> Vec<RevealStep> {
    let who = |id: &str| actor_name_by_id(s, id);
    let idx = |id: &str| names::actor_index(s, id).map(|i| (i, names::actor_code(&s.actors[i].id)));
    let mut out = Vec::new();
    for entry in log.entries.iter().filter(|e| e.turn == turn) {
        if entry.audience != Audience::Public {
            continue;
        }
        let step =
            |tone, actor: Option<(usize, String)>, text: String| RevealStep { tone, actor, text };
        let item = match &entry.event {
            Event::Inject { headline, .. } => Some(step(RevealTone::News, None, headline.clone())),
            Event::Headline { text } => Some(step(RevealTone::News, None, text.clone())),
            Event::InjectChoice { choice, .. } => Some(step(
                RevealTone::News,
                None,
                format!("The facilitator decides: {choice}"),
            )),
            Event::Roll {
                actor,
                action,
                target,
                success,
                ..
            } => Some(step(
                RevealTone::Action,
                idx(actor),
                format!(
                    "{} — {}{}: {}",
                    who(actor),
                    names::action_name_by_id(s, action),
                    target
                        .as_deref()
                        .map(|t| format!(" {} {}", preposition(s, actor, action, t), who(t)))
                        .unwrap_or_default(),
                    if *success { "succeeds" } else { "fails" }
                ),
            )),
            Event::Escalated { actor, from, to } => {
                let up = s
                    .meta
                    .ladder
                    .rungs
                    .iter()
                    .position(|r| &r.id == to)
                    .zip(s.meta.ladder.rungs.iter().position(|r| &r.id == from))
                    .is_none_or(|(t, f)| t > f);
                Some(step(
                    RevealTone::Ladder,
                    idx(actor),
                    format!(
                        "{} {} the ladder: {} → {}",
                        who(actor),
                        if up { "climbs" } else { "steps down" },
                        names::rung_name_by_id(s, from),
                        names::rung_name_by_id(s, to)
                    ),
                ))
            }
            Event::Incident { action, victim, .. } => Some(step(
                RevealTone::Action,
                idx(victim),
                format!(
                    "{} hit by {}",
                    who(victim),
                    names::action_name_by_id(s, action)
                ),
            )),
            Event::Attribution {
                victim,
                suspect,
                level,
                ..
            } => Some(step(
                RevealTone::Attribution,
                suspect.as_deref().and_then(idx),
                format!(
                    "{} blames {} ({})",
                    who(victim),
                    suspect
                        .as_deref()
                        .map(who)
                        .unwrap_or_else(|| "nobody yet".into()),
                    names::confidence(*level)
                ),
            )),
            Event::PublicAttribution {
                incident,
                victim,
                culprit,
            } => {
                let known = state.and_then(|st| st.incidents.iter().find(|i| i.id == *incident));
                let detail = known
                    .map(|i| {
                        format!(
                            " for {} ({}, {} %)",
                            s.actions
                                .get(i.action)
                                .map(|a| a.name.as_str())
                                .unwrap_or("?"),
                            names::confidence(Confidence::from_value(i.evidence)),
                            i.evidence
                        )
                    })
                    .unwrap_or_default();
                Some(step(
                    RevealTone::Attribution,
                    idx(culprit),
                    format!("{} publicly names {}{detail}", who(victim), who(culprit)),
                ))
            }
            Event::RedLineCrossed {
                red_line,
                owner,
                culprit,
            } => Some(step(
                RevealTone::Danger,
                idx(owner),
                format!(
                    "Red line crossed: {}'s “{}” — by {}",
                    who(owner),
                    names::red_line_name_by_id(s, red_line),
                    who(culprit)
                ),
            )),
            Event::RedLineEnforced {
                red_line,
                owner,
                culprit,
                action,
                credibility,
            } => Some(step(
                RevealTone::Enforced,
                idx(owner),
                format!(
                    "{} enforces “{}” against {} with {} — credibility {credibility}",
                    who(owner),
                    names::red_line_name_by_id(s, red_line),
                    who(culprit),
                    names::action_name_by_id(s, action)
                ),
            )),
            Event::RedLineIgnored {
                red_line,
                owner,
                credibility,
            } => Some(step(
                RevealTone::Danger,
                idx(owner),
                format!(
                    "{} leaves “{}” unanswered — credibility falls to {credibility}",
                    who(owner),
                    names::red_line_name_by_id(s, red_line)
                ),
            )),
            Event::Proposed { proposal, from, to } => Some(step(
                RevealTone::Diplomacy,
                idx(from),
                format!(
                    "{} proposes “{}” to {}",
                    who(from),
                    names::proposal_name_by_id(s, proposal),
                    who(to)
                ),
            )),
            Event::ProposalDecided {
                proposal,
                to,
                accepted,
                ..
            } => Some(step(
                RevealTone::Diplomacy,
                idx(to),
                format!(
                    "{} {} “{}”",
                    who(to),
                    if *accepted { "accepts" } else { "refuses" },
                    names::proposal_name_by_id(s, proposal)
                ),
            )),
            Event::ThresholdCrossed { name, actor, .. } => Some(step(
                RevealTone::Danger,
                idx(actor),
                format!("Threshold crossed: “{name}” — by {}", who(actor)),
            )),
            Event::Ending { name, .. } => Some(step(
                RevealTone::Ending,
                None,
                format!("The game ends: {name}"),
            )),
            Event::TurnStarted { .. }
            | Event::TurnEnded { .. }
            | Event::Order { .. }
            | Event::Rationale { .. }
            | Event::FacilitatorNote { .. }
            | Event::OrderRejected { .. }
            | Event::Effect { .. }
            | Event::BotReason { .. }
            | Event::Detected { .. } => None,
        };
        out.extend(item);
    }
    out
}
