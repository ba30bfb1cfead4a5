//! The rule state of one game: plain data, indexed by scenario positions, iterated in scenario order.

use std::collections::{BTreeMap, BTreeSet};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::scenario::{Controller, Effect, Scenario, ScenarioIndex, SwarmStance};

/// One actor's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorState {
    /// Attribute values, by attribute position.
    pub attrs: Vec<i32>,
    /// Current rung (position in the ladder).
    pub rung: usize,
    /// Highest rung its rules of engagement allow.
    pub threshold: usize,
    /// Per-sector resilience (0–100).
    pub resilience: Vec<i32>,
    /// Per-sector damage (0–100).
    pub damage: Vec<i32>,
    /// Actions enabled (`true`) or disabled (`false`) for this actor, overriding the catalogue.
    pub action_overrides: BTreeMap<usize, bool>,
    /// For swarms: the sponsor's stance.
    pub stance: Option<SwarmStance>,
    /// Who plays it in this session.
    pub controller: Controller,
    /// Its rung at the end of each turn played.
    pub rung_history: Vec<usize>,
    /// Known norm breaches (the norms ledger).
    pub norms_broken: Vec<usize>,
    /// Whether its rung counts for the global crisis level (scenario rule `crisis_of`).
    pub counts_for_crisis: bool,
    /// Visible norm upholdings.
    pub norms_upheld: Vec<usize>,
    /// The temperament drawn for this game (its name), when one took over its bot
    /// (the scenario's `temperaments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperament: Option<String>,
}

/// An executed offensive or punitive action against an actor: what the victim may detect and attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Incident {
    /// Sequence number, stable across replays.
    pub id: u32,
    /// Turn it happened.
    pub turn: u32,
    /// Action position.
    pub action: usize,
    /// Who really did it.
    pub actor: usize,
    /// Who it hit.
    pub victim: usize,
    /// Whether it succeeded.
    pub success: bool,
    /// Turn the victim detected it.
    pub detected: Option<u32>,
    /// The victim's evidence / confidence, 0–100.
    pub evidence: i32,
    /// Whom the victim believes did it.
    pub suspect: Option<usize>,
    /// Publicly attributed (or overt, or acknowledged).
    pub public: bool,
    /// Last turn the victim's view of it changed (detection, evidence, suspect, publicity).
    pub updated: u32,
}

impl Incident {
    /// Whether the victim blames the wrong actor.
    pub fn misattributed(&self) -> bool {
        self.suspect.is_some_and(|s| s != self.actor)
    }
}

/// A red line's state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RedLineState {
    /// In force.
    pub declared: bool,
    /// Credibility 0–100.
    pub credibility: i32,
    /// Turns it was crossed, with the culprit.
    pub crossings: Vec<(u32, usize)>,
    /// Times enforced.
    pub enforced: u32,
    /// Times ignored.
    pub ignored: u32,
}

/// A promise to answer, opened when a red line is crossed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Obligation {
    /// Red line position.
    pub red_line: usize,
    /// Who is obliged.
    pub owner: usize,
    /// Whom to answer.
    pub culprit: usize,
    /// Turn it was crossed.
    pub opened: u32,
    /// Last turn to answer.
    pub due: u32,
    /// The incident that crossed it, if one is identified.
    pub incident: Option<u32>,
}

/// A proposal under negotiation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PendingProposal {
    /// Proposal position.
    pub proposal: usize,
    /// Proposer.
    pub from: usize,
    /// Receiver.
    pub to: usize,
    /// Turn proposed.
    pub turn: u32,
}

/// An agreement in force.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Agreement {
    /// Proposal position.
    pub proposal: usize,
    /// The two parties.
    pub parties: (usize, usize),
    /// Turn it came into force.
    pub since: u32,
}

/// Effects waiting to apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delayed {
    /// Turn they apply (at that turn's resolution).
    pub due: u32,
    /// The effects.
    pub effects: Vec<Effect>,
    /// Their context.
    pub bindings: Bindings,
    /// What scheduled them (for the log).
    pub source: String,
    /// Whether the room saw what scheduled them (their effects are as public as their cause).
    #[serde(default = "public_by_default")]
    pub public: bool,
}

fn public_by_default() -> bool {
    true
}

/// An executed order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ActionRecord {
    /// Turn.
    pub turn: u32,
    /// Actor.
    pub actor: usize,
    /// Action position.
    pub action: usize,
    /// Target actor.
    pub target: Option<usize>,
    /// Whether it succeeded.
    pub success: bool,
}

/// The ending reached.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EndingReached {
    /// Ending position.
    pub ending: usize,
    /// Turn.
    pub turn: u32,
}

/// The context placeholders of conditions and effects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bindings {
    /// `Acting`.
    pub acting: Option<usize>,
    /// `Target`.
    pub target: Option<usize>,
    /// `Owner`.
    pub owner: Option<usize>,
    /// `Each`.
    pub each: Option<usize>,
}

/// The whole rule state of a game.
#[derive(Resource, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameState {
    /// The turn being played (1-based); after the last turn it stays on the last.
    pub turn: u32,
    /// Actors, in scenario order.
    pub actors: Vec<ActorState>,
    /// Incidents, in order of creation.
    pub incidents: Vec<Incident>,
    /// Red lines, in scenario order.
    pub red_lines: Vec<RedLineState>,
    /// Open red-line obligations.
    pub obligations: Vec<Obligation>,
    /// Proposals under negotiation.
    pub pending: Vec<PendingProposal>,
    /// Agreements in force.
    pub agreements: Vec<Agreement>,
    /// Open channels (lower position first).
    pub channels: BTreeSet<(usize, usize)>,
    /// Turn each inject fired, by inject position.
    pub injects_fired: Vec<Option<u32>>,
    /// Injects scheduled for a turn's briefing.
    pub scheduled: Vec<(u32, usize)>,
    /// Delayed effects.
    pub delayed: Vec<Delayed>,
    /// Executed orders.
    pub history: Vec<ActionRecord>,
    /// Facilitator switches that are on.
    pub switches: BTreeSet<String>,
    /// Turn each threshold was first crossed, by threshold position.
    pub thresholds_crossed: Vec<Option<u32>>,
    /// Crisis level (a ladder position) at the end of each turn.
    pub crisis_history: Vec<usize>,
    /// Effects applied so far this turn (see [`crate::sim::rules::MAX_EFFECTS_PER_TURN`]);
    /// reset at each briefing, not part of the saved state or its hash.
    #[serde(skip)]
    pub effects_this_turn: u32,
    /// Headlines (turn, text), public.
    pub headlines: Vec<(u32, String)>,
    /// The ending, once reached.
    pub ending: Option<EndingReached>,
    /// Next incident id.
    pub next_incident: u32,
    /// (red line, culprit, latest incident id) at each crossing: one crossing per incident.
    pub crossed_incidents: Vec<(usize, usize, u32)>,
    /// Relation values by relation position: `from * actors + to` (scenarios without
    /// relations keep it empty, and their state hashes unchanged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Vec<i32>>,
    /// The metrics of each turn played, computed at the escalation phase. Derived from the
    /// state of that turn, so not part of the hash.
    #[serde(skip)]
    pub metrics: Vec<MetricRow>,
    /// What the room could know: the public side of rungs, attributes, red lines and thresholds.
    pub public: PublicLedger,
    /// Each actor's scored objectives as tracked at the end of each turn (by actor, then
    /// objective). Derived from the states of the turns played, so not part of the hash.
    #[serde(skip)]
    pub objectives: Vec<Vec<super::objectives::ObjectiveTrack>>,
}

/// The public side of the state: what the world could know. It moves only with public acts —
/// overt actions, public attributions, public red lines, injects — never with covert or deniable
/// ones, so the board built from it shows nothing a team kept secret. The true values live in
/// [`ActorState`] and [`RedLineState`]; the debrief shows both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicLedger {
    /// Each actor's public rung, in scenario order.
    pub rungs: Vec<usize>,
    /// Each actor's public rung at the end of each turn played.
    pub rung_history: Vec<Vec<usize>>,
    /// Each actor's attribute values as the room knows them (by attribute position).
    pub attrs: Vec<Vec<i32>>,
    /// Each red line as the room knows it (for a private one: what the room has seen of it).
    pub red_lines: Vec<PublicRedLine>,
    /// Turn each threshold was first crossed on the public ladder.
    pub thresholds_crossed: Vec<Option<u32>>,
    /// The public crisis level at the end of each turn.
    pub crisis_history: Vec<usize>,
}

/// A red line's public record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicRedLine {
    /// Credibility as the room judges it: moved only by public enforcements and public silences.
    pub credibility: i32,
    /// Crossings announced.
    pub crossed: u32,
    /// Enforcements seen (an answer given with a covert or deniable act is not seen).
    pub enforced: u32,
    /// Crossings left unanswered.
    pub ignored: u32,
}

impl PublicLedger {
    /// The public side of a fresh game: everything the scenario states is public knowledge.
    fn new(
        actors: &[ActorState],
        red_lines: &[RedLineState],
        thresholds: usize,
        turns: usize,
    ) -> Self {
        PublicLedger {
            rungs: actors.iter().map(|a| a.rung).collect(),
            rung_history: (0..actors.len())
                .map(|_| Vec::with_capacity(turns))
                .collect(),
            attrs: actors.iter().map(|a| a.attrs.clone()).collect(),
            red_lines: red_lines
                .iter()
                .map(|r| PublicRedLine {
                    credibility: r.credibility,
                    crossed: 0,
                    enforced: 0,
                    ignored: 0,
                })
                .collect(),
            thresholds_crossed: vec![None; thresholds],
            crisis_history: Vec::with_capacity(turns),
        }
    }
}

/// The scenario's metrics at the end of one turn, in one buffer: for each metric, its value
/// for every actor in scenario order, then the total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetricRow {
    /// The turn.
    pub turn: u32,
    /// Number of actors.
    pub actors: usize,
    /// `[metric][actor..., total]`, row after row.
    pub values: Vec<i64>,
}

impl MetricRow {
    /// Metric `m`'s value for every actor (empty for an unknown metric).
    pub fn actors_of(&self, m: usize) -> &[i64] {
        let stride = self.actors + 1;
        self.values
            .get(m * stride..m * stride + self.actors)
            .unwrap_or(&[])
    }

    /// Metric `m`'s value for one actor (0 if unknown).
    pub fn value(&self, m: usize, actor: usize) -> i64 {
        self.actors_of(m).get(actor).copied().unwrap_or(0)
    }

    /// Metric `m`'s total over every actor (0 if unknown).
    pub fn total(&self, m: usize) -> i64 {
        self.values
            .get(m * (self.actors + 1) + self.actors)
            .copied()
            .unwrap_or(0)
    }
}

impl GameState {
    /// A relation's value from `a` to `b` (0 for an unknown relation).
    pub fn relation(&self, r: usize, a: usize, b: usize) -> i32 {
        let n = self.actors.len();
        self.relations
            .get(r)
            .and_then(|m| m.get(a * n + b))
            .copied()
            .unwrap_or(0)
    }

    /// The latest metric value of an actor (0 before the first turn ends).
    pub fn metric(&self, m: usize, actor: usize) -> i64 {
        self.metrics.last().map_or(0, |r| r.value(m, actor))
    }

    /// The latest total of a metric.
    pub fn metric_total(&self, m: usize) -> i64 {
        self.metrics.last().map_or(0, |r| r.total(m))
    }
}

/// The initial relation matrices of a scenario.
fn initial_relations(s: &Scenario, ix: &ScenarioIndex) -> Vec<Vec<i32>> {
    let n = s.actors.len();
    s.meta
        .relations
        .iter()
        .enumerate()
        .map(|(r, def)| {
            let (lo, hi) = ix.resolved.relation_bounds[r];
            let mut m = vec![def.default.clamp(lo, hi); n * n];
            for pair in &def.pairs {
                let (Some(&a), Some(&b)) = (ix.actors.get(&pair.from), ix.actors.get(&pair.to))
                else {
                    continue;
                };
                let v = if def.flag {
                    i32::from(pair.value != 0)
                } else {
                    pair.value
                }
                .clamp(lo, hi);
                m[a * n + b] = v;
                if def.symmetric {
                    m[b * n + a] = v;
                }
            }
            m
        })
        .collect()
}

impl GameState {
    /// The initial state of a scenario with the given controllers (one per actor, scenario order).
    pub fn new(s: &Scenario, ix: &ScenarioIndex, controllers: &[Controller]) -> Self {
        // Room for a game's per-turn histories up front (capped, as `turns` may be large), so a
        // game does not regrow them turn after turn.
        let turns = (s.meta.turns as usize).min(64) + 1;
        let rung_of = |id: &str| ix.rungs.get(id).copied().unwrap_or(0);
        let actors = s
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let attrs = s
                    .meta
                    .attributes
                    .iter()
                    .map(|d| {
                        a.attrs
                            .get(&d.id)
                            .copied()
                            .unwrap_or(d.default)
                            .clamp(d.min, d.upper().max(d.min))
                    })
                    .collect();
                let resilience = s
                    .meta
                    .sectors
                    .iter()
                    .map(|d| {
                        a.resilience
                            .get(&d.id)
                            .copied()
                            .unwrap_or(d.default_resilience)
                            .clamp(0, 100)
                    })
                    .collect();
                ActorState {
                    attrs,
                    rung: rung_of(&a.rung),
                    threshold: rung_of(&a.threshold),
                    resilience,
                    damage: vec![0; s.meta.sectors.len()],
                    action_overrides: BTreeMap::new(),
                    stance: a.stance.or(if a.sponsor.is_some() {
                        Some(SwarmStance::Tolerate)
                    } else {
                        None
                    }),
                    controller: controllers
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| a.controller.clone()),
                    rung_history: Vec::with_capacity(turns),
                    norms_broken: Vec::new(),
                    counts_for_crisis: true,
                    norms_upheld: Vec::new(),
                    temperament: None,
                }
            })
            .collect();
        let mut actors: Vec<ActorState> = actors;
        if let Some(who) = &s.meta.rules.crisis_of {
            let members: Vec<usize> = (0..s.actors.len())
                .filter(|&i| crate::sim::eval::who_matches_static(s, ix, who, i))
                .collect();
            for (i, a) in actors.iter_mut().enumerate() {
                a.counts_for_crisis = members.contains(&i);
            }
        }
        let red_lines: Vec<RedLineState> = s
            .red_lines
            .iter()
            .map(|r| RedLineState {
                declared: r.declared,
                credibility: r.credibility.clamp(0, 100),
                crossings: Vec::new(),
                enforced: 0,
                ignored: 0,
            })
            .collect();
        let public = PublicLedger::new(&actors, &red_lines, s.meta.ladder.thresholds.len(), turns);
        GameState {
            turn: 1,
            actors,
            incidents: Vec::new(),
            red_lines,
            obligations: Vec::new(),
            pending: Vec::new(),
            agreements: Vec::new(),
            channels: BTreeSet::new(),
            injects_fired: vec![None; s.injects.len()],
            scheduled: Vec::new(),
            delayed: Vec::new(),
            history: Vec::with_capacity(turns * s.actors.len().min(64)),
            switches: BTreeSet::new(),
            thresholds_crossed: vec![None; s.meta.ladder.thresholds.len()],
            crisis_history: Vec::with_capacity(turns),
            effects_this_turn: 0,
            headlines: Vec::new(),
            ending: None,
            next_incident: 1,
            crossed_incidents: Vec::new(),
            public,
            relations: initial_relations(s, ix),
            metrics: Vec::new(),
            objectives: super::objectives::initial_tracks(s),
        }
    }

    /// The latest incident id that crossed red line `r` for `culprit`.
    pub fn obligation_incidents(&self, r: usize, culprit: usize) -> Option<u32> {
        self.crossed_incidents
            .iter()
            .filter(|(rl, c, _)| *rl == r && *c == culprit)
            .map(|(_, _, i)| *i)
            .max()
    }

    /// The global crisis level: the highest rung among the crisis actors (all by default).
    pub fn crisis(&self) -> usize {
        self.actors
            .iter()
            .filter(|a| a.counts_for_crisis)
            .map(|a| a.rung)
            .max()
            .unwrap_or(0)
    }

    /// The crisis level the room sees: the highest public rung among the crisis actors.
    pub fn public_crisis(&self) -> usize {
        self.actors
            .iter()
            .zip(&self.public.rungs)
            .filter(|(a, _)| a.counts_for_crisis)
            .map(|(_, &r)| r)
            .max()
            .unwrap_or(0)
    }

    /// Whether the game has ended.
    pub fn is_over(&self) -> bool {
        self.ending.is_some()
    }

    /// A 64-bit FNV-1a hash of the whole state, stable across runs and platforms.
    pub fn state_hash(&self) -> u64 {
        let text = ron::to_string(self).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.as_bytes() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    }
}
