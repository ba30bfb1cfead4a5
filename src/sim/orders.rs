//! Orders: what teams and bots submit, and which orders are legal.

use std::collections::BTreeMap;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use super::eval::Ctx;
use super::state::Bindings;

/// One order: an action, and its target when it needs one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Order {
    /// Action id.
    pub action: String,
    /// Target actor id.
    #[serde(default)]
    pub target: Option<String>,
}

/// A team's (or a scripted player's) orders for the current turn, sent as a message.
#[derive(Message, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitOrders {
    /// The actor the orders are for.
    pub actor: String,
    /// Its orders, in priority order (extra orders beyond the per-turn limit are dropped).
    pub orders: Vec<Order>,
    /// Answers to proposals it has received: (proposal id, accept).
    #[serde(default)]
    pub answers: Vec<(String, bool)>,
    /// The team's one-line rationale for these orders (kept in the record and, privately, in
    /// the log; empty for none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rationale: String,
}

/// Facilitator commands, sent as messages; they apply at the next turn's briefing.
#[derive(Message, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FacilitatorCommand {
    /// Release an inject (by id).
    ReleaseInject(String),
    /// Flip a named switch.
    SetSwitch(String, bool),
    /// Choose an inject's option (by inject id and choice index) instead of the weighted draw.
    ChooseInjectOption(String, usize),
    /// Override the dice for an actor's action this turn (actor id, action id, success).
    /// The roll is still drawn, so the rest of the game stays reproducible from the record.
    ForceOutcome(String, String, bool),
    /// A facilitator's note for the record (why an outcome was forced, …): kept in the save and
    /// in the log, seen by no team.
    Note(String),
}

/// Orders and commands collected for the turn about to be resolved.
#[derive(Resource, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderBook {
    /// Orders by actor position (submitted by teams, or chosen by bots).
    pub orders: BTreeMap<usize, Vec<Order>>,
    /// Who chose each actor's orders ("team", "bot:hawk").
    pub chosen_by: BTreeMap<usize, String>,
    /// Proposal answers by (proposal position, receiver position).
    pub answers: BTreeMap<(usize, usize), bool>,
    /// The teams' rationales for this turn's orders, by actor position (non-empty ones only).
    pub rationales: BTreeMap<usize, String>,
    /// Facilitator commands waiting for the briefing.
    pub commands: Vec<FacilitatorCommand>,
    /// Dice overrides for this turn: (actor position, action position, success).
    pub forced: Vec<(usize, usize, bool)>,
    /// This turn's orders resolved to positions, by actor position (filled by the orders phase,
    /// read by resolution; the buffers are reused from turn to turn).
    #[serde(skip)]
    pub legal: Vec<Vec<LegalOrder>>,
    /// This turn's order limit by actor position (a reused buffer, filled by the orders phase).
    #[serde(skip)]
    pub limits: Vec<usize>,
}

/// A legal order with its resolved action and target positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LegalOrder {
    /// Action position.
    pub action: usize,
    /// Target actor position.
    pub target: Option<usize>,
}

/// Why an actor may not take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Illegal {
    /// Disabled for this actor.
    Disabled,
    /// The action's `by` does not include the actor.
    NotForActor,
    /// Above the actor's rules-of-engagement threshold (its threshold rung).
    AboveThreshold(usize),
    /// Cannot pay (attribute position, cost).
    CannotPay(usize, i32),
    /// Its availability condition does not hold.
    ConditionFails,
    /// The target is not one the action may be aimed at (or a target is missing or extra).
    NotATarget,
}

impl Ctx<'_> {
    /// How many orders `actor` may give this turn: the scenario's `orders_per_turn`, less for a
    /// swarm whose sponsor restrains it (it obeys, and stays quiet, with its controllability
    /// as the chance; otherwise it acts once) or tolerates it (30 %: it acts once). A rule of
    /// the game, so it binds a swarm played by a team as much as a bot.
    pub fn order_limit(&self, actor: usize, limit: usize, rng: &mut super::eval::GameRng) -> usize {
        if self.sc.actors[actor].kind != crate::scenario::ActorKind::Swarm {
            return limit;
        }
        let control = self
            .ix
            .resolved
            .controllability
            .map_or(50, |c| self.st.actors[actor].attrs[c]);
        match self.st.actors[actor].stance {
            Some(crate::scenario::SwarmStance::Restrain) => {
                if rng.d100() <= control {
                    0
                } else {
                    limit.min(1)
                }
            }
            Some(crate::scenario::SwarmStance::Tolerate) if rng.d100() <= 30 => limit.min(1),
            _ => limit,
        }
    }

    /// Explains why an action is illegal, in words for the log and the GUI.
    pub fn describe(&self, why: Illegal) -> String {
        match why {
            Illegal::Disabled => "the action is not enabled for this actor".into(),
            Illegal::NotForActor => "this actor cannot take this action".into(),
            Illegal::AboveThreshold(t) => format!(
                "above its rules of engagement (threshold {})",
                self.sc.meta.ladder.rungs[t].name
            ),
            Illegal::CannotPay(i, cost) => {
                format!("cannot pay {cost} {}", self.sc.meta.attributes[i].name)
            }
            Illegal::ConditionFails => "its condition does not hold".into(),
            Illegal::NotATarget => "not a valid target for this action".into(),
        }
    }

    /// Whether the actor may take the action at all this turn (ignoring targets).
    pub fn action_allowed(&self, actor: usize, action: usize) -> Result<(), Illegal> {
        let a = &self.sc.actions[action];
        let st = &self.st.actors[actor];
        let enabled = st
            .action_overrides
            .get(&action)
            .copied()
            .unwrap_or(a.enabled);
        if !enabled {
            return Err(Illegal::Disabled);
        }
        let rung = self.ix.action_rung[action];
        if rung > st.threshold {
            return Err(Illegal::AboveThreshold(st.threshold));
        }
        for &(i, cost) in &self.ix.action_cost[action] {
            if st.attrs[i] < cost {
                return Err(Illegal::CannotPay(i, cost));
            }
        }
        let b = Bindings {
            acting: Some(actor),
            ..Default::default()
        };
        let compiled = &self.ix.conditions;
        if !self.in_group(&compiled.action_by[action], b, actor) {
            return Err(Illegal::NotForActor);
        }
        if let Some(cond) = &compiled.available[action]
            && !self.test_pure(cond, b)
        {
            return Err(Illegal::ConditionFails);
        }
        Ok(())
    }

    /// The targets an action may be aimed at by an actor (empty vector with `None` for untargeted).
    pub fn targets(&self, actor: usize, action: usize) -> Vec<Option<usize>> {
        let b = Bindings {
            acting: Some(actor),
            ..Default::default()
        };
        match &self.ix.conditions.action_target[action] {
            None => vec![None],
            Some(group) => (0..self.sc.actors.len())
                .filter(|&t| t != actor && self.in_group(group, b, t))
                .map(Some)
                .collect(),
        }
    }

    /// The success chance of an order in percent: the action's chance, its modifiers, and the
    /// target's defence. `Chance` conditions in modifiers draw from `rng` (false without it, as in
    /// the GUI's estimate).
    pub fn success_chance(
        &self,
        actor: usize,
        lo: LegalOrder,
        mut rng: Option<&mut super::eval::GameRng>,
    ) -> i32 {
        let sc = self.sc;
        let a = &sc.actions[lo.action];
        let b = Bindings {
            acting: Some(actor),
            target: lo.target,
            ..Default::default()
        };
        let mut chance = a.chance;
        for (m, when) in a
            .modifiers
            .iter()
            .zip(&self.ix.conditions.action_modifiers[lo.action])
        {
            if self.test(when, b, rng.as_deref_mut()) {
                chance += m.add;
            }
        }
        if a.intent == crate::scenario::Intent::Offensive
            && sc.meta.rules.defense_domains.contains(&a.domain)
            && let (Some(t), Some(d)) = (lo.target, self.ix.resolved.defense)
        {
            chance -= self.st.actors[t].attrs[d] / sc.meta.rules.defense_divisor.max(1);
        }
        chance.clamp(0, 100)
    }

    /// Every legal order for an actor this turn, in catalogue then actor order.
    pub fn legal_orders(&self, actor: usize) -> Vec<LegalOrder> {
        let mut out = Vec::new();
        self.legal_orders_into(actor, &mut out);
        out
    }

    /// [`Ctx::legal_orders`] into a buffer (cleared first), so bots reuse one buffer.
    pub fn legal_orders_into(&self, actor: usize, out: &mut Vec<LegalOrder>) {
        out.clear();
        let r = &self.ix.resolved;
        let b = Bindings {
            acting: Some(actor),
            ..Default::default()
        };
        // Whom the actor has a case against for force, gathered once (when an action needs it).
        let mut cases: Option<ForceCases> = None;
        // Only the actions whose `by` includes the actor (resolved at load).
        for &action in &r.actor_actions[actor] {
            if !self.allowed_given_by(actor, action) {
                continue;
            }
            match &self.ix.conditions.action_target[action] {
                None => out.push(LegalOrder {
                    action,
                    target: None,
                }),
                Some(who) => {
                    let case = if self.needs_case(action) {
                        cases.get_or_insert_with(|| ForceCases::against(self, actor))
                    } else {
                        &ForceCases::ANYONE
                    };
                    match &r.action_targets[action] {
                        Some(targets) => {
                            for &t in targets {
                                if t != actor && case.has(self, actor, action, t) {
                                    out.push(LegalOrder {
                                        action,
                                        target: Some(t),
                                    });
                                }
                            }
                        }
                        None => {
                            for t in 0..self.sc.actors.len() {
                                if t != actor
                                    && self.in_group(who, b, t)
                                    && case.has(self, actor, action, t)
                                {
                                    out.push(LegalOrder {
                                        action,
                                        target: Some(t),
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether an actor may aim an action at a target (or at none, for untargeted actions).
    pub fn target_ok(&self, actor: usize, action: usize, target: Option<usize>) -> bool {
        match (&self.ix.conditions.action_target[action], target) {
            (None, None) => true,
            (Some(who), Some(t)) => {
                let b = Bindings {
                    acting: Some(actor),
                    ..Default::default()
                };
                t < self.sc.actors.len()
                    && t != actor
                    && self.in_group(who, b, t)
                    && self.force_has_case(actor, action, t)
            }
            _ => false,
        }
    }

    /// Checks an order already resolved to positions, as [`Ctx::check_order`] does for ids. Why
    /// it is illegal is put in words only when asked ([`Ctx::describe`]): an analysis run, whose
    /// log is off, rejects orders without writing text.
    pub fn check_legal(&self, actor: usize, lo: LegalOrder) -> Result<LegalOrder, Illegal> {
        self.action_allowed(actor, lo.action)?;
        if !self.target_ok(actor, lo.action, lo.target) {
            return Err(Illegal::NotATarget);
        }
        Ok(lo)
    }

    /// [`Ctx::action_allowed`] for an action whose `by` is known to include the actor.
    fn allowed_given_by(&self, actor: usize, action: usize) -> bool {
        let a = &self.sc.actions[action];
        let st = &self.st.actors[actor];
        let enabled = if st.action_overrides.is_empty() {
            a.enabled
        } else {
            st.action_overrides
                .get(&action)
                .copied()
                .unwrap_or(a.enabled)
        };
        if !enabled || self.ix.action_rung[action] > st.threshold {
            return false;
        }
        if self.ix.action_cost[action]
            .iter()
            .any(|&(i, cost)| st.attrs[i] < cost)
        {
            return false;
        }
        let b = Bindings {
            acting: Some(actor),
            ..Default::default()
        };
        self.ix.conditions.available[action]
            .as_ref()
            .is_none_or(|cond| self.test_pure(cond, b))
    }

    /// Resolves an order's ids and checks it, returning positions or why it is illegal.
    pub fn check_order(&self, actor: usize, order: &Order) -> Result<LegalOrder, String> {
        let action = *self
            .ix
            .actions
            .get(&order.action)
            .ok_or_else(|| format!("unknown action \"{}\"", order.action))?;
        self.action_allowed(actor, action)
            .map_err(|why| self.describe(why))?;
        let target = match &order.target {
            Some(t) => Some(
                *self
                    .ix
                    .actors
                    .get(t)
                    .ok_or_else(|| format!("unknown target \"{t}\""))?,
            ),
            None => None,
        };
        if let Some(t) = target
            && !self.force_has_case(actor, action, t)
            && let Some(needed) = self.sc.meta.rules.force_needs_attribution
        {
            return Err(format!(
                "force needs a case: {} attributes no incident against it to {} with {needed:?} confidence or more",
                self.sc.actors[actor].id, self.sc.actors[t].id,
            ));
        }
        if !self.targets(actor, action).contains(&target) {
            return Err("not a valid target for this action".into());
        }
        Ok(LegalOrder { action, target })
    }

    /// Whether `actor` may use force (an offensive military action) against `target`: always,
    /// unless the scenario's `force_needs_attribution` asks for a detected incident against
    /// `actor` that it attributes to `target` with at least that confidence.
    pub fn force_has_case(&self, actor: usize, action: usize, target: usize) -> bool {
        let Some(needed) = self.sc.meta.rules.force_needs_attribution else {
            return true;
        };
        if !self.needs_case(action) {
            return true;
        }
        self.st.incidents.iter().any(|i| {
            i.victim == actor
                && i.suspect == Some(target)
                && i.detected.is_some()
                && crate::scenario::Confidence::from_value(i.evidence) >= needed
        })
    }

    /// Whether aiming `action` at a target needs a case ([`Ctx::force_has_case`]): an
    /// offensive military action, when the scenario asks for attribution before force.
    fn needs_case(&self, action: usize) -> bool {
        let a = &self.sc.actions[action];
        self.sc.meta.rules.force_needs_attribution.is_some()
            && a.domain == crate::scenario::Domain::Military
            && a.intent == crate::scenario::Intent::Offensive
    }
}

/// The actors one actor has a case against for force ([`Ctx::force_has_case`]), gathered from
/// the incidents in one pass instead of one pass per action and target.
struct ForceCases {
    /// The first suspects found (in incident order, repeats skipped).
    suspects: [usize; ForceCases::KEPT],
    /// How many of `suspects` are filled.
    len: usize,
    /// More suspects than fit: [`ForceCases::has`] asks the incidents directly.
    overflow: bool,
    /// Every target qualifies (no action needs a case).
    anyone: bool,
}

impl ForceCases {
    /// How many suspects are kept inline (no allocation while building legal orders).
    const KEPT: usize = 8;

    /// For actions that need no case.
    const ANYONE: ForceCases = ForceCases {
        suspects: [0; ForceCases::KEPT],
        len: 0,
        overflow: false,
        anyone: true,
    };

    /// The actors `actor` has a case against.
    fn against(ctx: &Ctx, actor: usize) -> ForceCases {
        let mut cases = ForceCases {
            anyone: false,
            ..ForceCases::ANYONE
        };
        let Some(needed) = ctx.sc.meta.rules.force_needs_attribution else {
            cases.anyone = true;
            return cases;
        };
        for i in &ctx.st.incidents {
            let Some(suspect) = i.suspect else { continue };
            if i.victim != actor
                || i.detected.is_none()
                || crate::scenario::Confidence::from_value(i.evidence) < needed
                || cases.suspects[..cases.len].contains(&suspect)
            {
                continue;
            }
            if cases.len == Self::KEPT {
                cases.overflow = true;
                break;
            }
            cases.suspects[cases.len] = suspect;
            cases.len += 1;
        }
        cases
    }

    /// Whether `actor` may aim `action` at `target` as far as force needing a case goes.
    #[inline]
    fn has(&self, ctx: &Ctx, actor: usize, action: usize, target: usize) -> bool {
        self.anyone
            || self.suspects[..self.len].contains(&target)
            || (self.overflow && ctx.force_has_case(actor, action, target))
    }
}
