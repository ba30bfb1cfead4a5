//! Bot doctrines: legal orders for every actor without a team.
//!
//! Every bot first honours its open red-line obligations ("no offensive action will be left
//! unanswered"): it answers the culprit in kind (the domain of the incident) and in proportion
//! (the rung closest to the incident's, never above the promised maximum). Remaining order
//! slots are filled by the doctrine's preferences, with seeded noise to break ties.

use crate::scenario::ActorKind;
use crate::scenario::{Confidence, Doctrine, Intent};
use crate::sim::eval::{Ctx, GameRng};
use crate::sim::orders::LegalOrder;

pub mod planner;

/// How much a doctrine adds to a proposal's acceptance chance (percentage points).
pub fn acceptance_bias(ctx: &Ctx, doctrine: Doctrine, me: usize, proposer: usize) -> i32 {
    match doctrine {
        Doctrine::Dove => 25,
        Doctrine::Hawk => -25,
        Doctrine::TitForTat => {
            if hostile_recently(ctx, me, proposer) {
                -30
            } else {
                15
            }
        }
        Doctrine::Measured | Doctrine::RandomLegal | Doctrine::Planner => 0,
        Doctrine::Swarm => -100,
    }
}

/// Whether `me` perceives a recent hostile incident by `other` (likely or better, last 2 turns).
fn hostile_recently(ctx: &Ctx, me: usize, other: usize) -> bool {
    ctx.st.incidents.iter().any(|i| {
        i.victim == me
            && i.suspect == Some(other)
            && i.detected
                .is_some_and(|d| ctx.st.turn.saturating_sub(d) < 2)
            && Confidence::from_value(i.evidence) >= Confidence::Likely
    })
}

/// What every bot perceives this turn, gathered once per orders phase (the state does not change
/// while bots choose), in buffers reused across turns and games.
#[derive(Debug, Default)]
pub struct BotScratch {
    /// Incidents detected within the last 3 turns with a suspect, grouped by victim:
    /// `(suspect, hostile_recently)`; victim `v`'s are `perceived[starts[v]..starts[v + 1]]`.
    perceived: Vec<(usize, bool)>,
    starts: Vec<usize>,
    fill: Vec<usize>,
    /// Whether each actor has a red line failing to deter.
    at_stake: Vec<bool>,
    /// Per actor: hostility bonus from incidents it blames on them, for the deciding bot.
    bonus: Vec<i32>,
    /// Per actor: attacked the deciding bot recently (likely or better).
    recent: Vec<bool>,
    /// For a swarm: the same bonus as seen by its sponsor.
    sponsor_bonus: Vec<i32>,
    /// Entries of `bonus`, `recent` and `sponsor_bonus` to reset after a decision.
    touched: Vec<usize>,
    /// The deciding bot's legal orders.
    legal: Vec<LegalOrder>,
    /// The deciding bot's orders of last turn (action, target).
    last_turn: Vec<(usize, Option<usize>)>,
    /// Positions in `legal` of the orders the deciding bot may still pick this turn.
    open: Vec<(i32, u32)>,
    /// What the deciding bot's picks spend, by attribute.
    spent: Vec<i32>,
    /// Per actor: the deciding bot's hostility towards it, and (for a swarm) its sponsor's,
    /// worked out once per decision rather than once per order.
    host: Vec<i32>,
    swarm_host: Vec<i32>,
}

impl BotScratch {
    /// Gathers what the bots perceive this turn.
    pub fn prepare_turn(&mut self, ctx: &Ctx) {
        let n = ctx.sc.actors.len();
        let turn = ctx.st.turn;
        self.bonus.clear();
        self.bonus.resize(n, 0);
        self.sponsor_bonus.clear();
        self.sponsor_bonus.resize(n, 0);
        self.recent.clear();
        self.recent.resize(n, false);
        self.touched.clear();
        // Bucket the recently detected incidents by victim (a counting sort, stable).
        self.starts.clear();
        self.starts.resize(n + 1, 0);
        let relevant = |i: &crate::sim::state::Incident| {
            i.suspect.is_some()
                && i.victim < n
                && i.detected.is_some_and(|d| turn.saturating_sub(d) < 3)
        };
        for i in ctx.st.incidents.iter().filter(|i| relevant(i)) {
            self.starts[i.victim + 1] += 1;
        }
        for v in 0..n {
            self.starts[v + 1] += self.starts[v];
        }
        self.perceived.clear();
        self.perceived.resize(self.starts[n], (0, false));
        let mut fill = std::mem::take(&mut self.fill);
        fill.clear();
        fill.extend_from_slice(&self.starts[..n]);
        for i in ctx.st.incidents.iter().filter(|i| relevant(i)) {
            let recent = i.detected.is_some_and(|d| turn.saturating_sub(d) < 2)
                && Confidence::from_value(i.evidence) >= Confidence::Likely;
            self.perceived[fill[i.victim]] = (i.suspect.unwrap_or(0), recent);
            fill[i.victim] += 1;
        }
        self.fill = fill;
        // Red lines failing to deter, by owner.
        self.at_stake.clear();
        self.at_stake.resize(n, false);
        for (r, rl) in ctx.st.red_lines.iter().enumerate() {
            let Some(owner) = ctx.ix.resolved.red_line_owner[r] else {
                continue;
            };
            let recent = rl
                .crossings
                .iter()
                .filter(|(t, _)| turn.saturating_sub(*t) < 4)
                .count();
            if rl.ignored > 0 || rl.credibility < 50 || recent >= 3 {
                self.at_stake[owner] = true;
            }
        }
    }

    /// Loads the deciding bot's view: hostility bonuses (and its sponsor's, for a swarm), and
    /// from them its hostility towards every actor.
    fn load(&mut self, ctx: &Ctx, me: usize, swarm: bool, sponsor: Option<usize>) -> bool {
        let mut attacked = false;
        for k in self.starts[me]..self.starts[me + 1] {
            let (suspect, recent) = self.perceived[k];
            self.bonus[suspect] += 12;
            if recent && suspect != me {
                self.recent[suspect] = true;
                attacked = true;
            }
            self.touched.push(suspect);
        }
        if let Some(sp) = sponsor {
            for k in self.starts[sp]..self.starts[sp + 1] {
                let (suspect, _) = self.perceived[k];
                self.sponsor_bonus[suspect] += 12;
                self.touched.push(suspect);
            }
        }
        let n = ctx.sc.actors.len();
        self.host.clear();
        self.host
            .extend((0..n).map(|o| hostility(ctx, me, o, &self.bonus)));
        self.swarm_host.clear();
        if swarm {
            self.swarm_host.extend((0..n).map(|o| match sponsor {
                Some(s) if s != o => hostility(ctx, s, o, &self.sponsor_bonus),
                Some(_) => -100,
                None => self.host[o],
            }));
        }
        attacked
    }

    /// Resets what [`BotScratch::load`] set.
    fn unload(&mut self) {
        for &t in &self.touched {
            self.bonus[t] = 0;
            self.sponsor_bonus[t] = 0;
            self.recent[t] = false;
        }
        self.touched.clear();
    }
}

/// How hostile an actor finds `other`: sides, and incidents it blames on it (`bonus`).
fn hostility(ctx: &Ctx, me: usize, other: usize, bonus: &[i32]) -> i32 {
    let r = &ctx.ix.resolved;
    let o = &ctx.sc.actors[other];
    if o.kind == ActorKind::InternationalBody {
        return -100;
    }
    let mut h = if r.actor_side[me] == r.actor_side[other] {
        -60
    } else {
        15
    };
    if o.kind == ActorKind::State {
        h += 5;
    }
    h + bonus[other]
}

/// What one bot perceives, computed once per decision.
struct View<'s> {
    /// Whether the bot is a swarm.
    swarm: bool,
    scratch: &'s BotScratch,
    /// Attacked by anyone recently.
    attacked: bool,
    /// One of its red lines is failing to deter.
    at_stake: bool,
    /// Its persona, unless neutral (a neutral persona shifts nothing and is skipped).
    persona: Option<crate::scenario::Persona>,
    /// Its rung on the 0–10 scale the scores use.
    here: i32,
}

impl View<'_> {
    /// Hostility towards an actor.
    fn host(&self, o: usize) -> i32 {
        self.scratch.host[o]
    }
    /// Whether an actor attacked it recently (likely or better).
    fn recent(&self, o: usize) -> bool {
        self.scratch.recent[o]
    }
    /// For swarms: the sponsor's hostility towards an actor (0 for other actors).
    fn swarm_host(&self, o: usize) -> i32 {
        if self.swarm {
            self.scratch.swarm_host[o]
        } else {
            0
        }
    }
}

fn proposes_busy(ctx: &Ctx, action: usize) -> bool {
    ctx.ix.resolved.action_proposes[action].iter().any(|&p| {
        ctx.st.pending.iter().any(|x| x.proposal == p)
            || ctx.st.agreements.iter().any(|x| x.proposal == p)
    })
}

/// A score that does not depend on the target (the rule loosens, or the proposal is busy).
fn action_score(
    ctx: &Ctx,
    view: &View,
    me: usize,
    doctrine: Doctrine,
    action: usize,
) -> Option<i32> {
    if ctx.ix.resolved.action_loosens[action] {
        let at_limit = ctx.st.actors[me].rung + 1 >= ctx.st.actors[me].threshold;
        let persona = &ctx.sc.actors[me].persona;
        // Concern for credibility pushes a bot whose red line fails to deter to loosen its rules.
        let word = if view.at_stake && doctrine != Doctrine::RandomLegal {
            (persona.credibility - 50) / 2
        } else {
            0
        };
        return Some(
            word + match doctrine {
                Doctrine::Hawk if at_limit => 95,
                Doctrine::Hawk => 40,
                Doctrine::TitForTat if at_limit && view.attacked => 45,
                Doctrine::Measured if view.at_stake => 50,
                Doctrine::RandomLegal => 0,
                _ => -20,
            },
        );
    }
    proposes_busy(ctx, action).then_some(-1000)
}

/// The doctrine's score of one legal order (without noise), once the action is known not to loosen the rules nor to propose a busy proposal.
fn target_score(
    ctx: &Ctx,
    view: &View,
    doctrine: Doctrine,
    lo: LegalOrder,
    shift: Option<ActionShift>,
) -> i32 {
    let sc = ctx.sc;
    let a = &sc.actions[lo.action];
    let rung = ctx.ix.action_rung_of_ten[lo.action]; // 0..10
    let host = lo.target.map_or(0, |t| view.host(t));
    let perceived = lo.target.is_some_and(|t| view.recent(t));
    let targeted_friendly = |base: i32| match lo.target {
        Some(t) if host < 0 => base + 10 + (sc.actors[t].kind == ActorKind::State) as i32,
        Some(_) => base - 30,
        None => base,
    };
    let doctrine_score = match doctrine {
        Doctrine::Hawk => match a.intent {
            Intent::Offensive => 30 + 10 * rung + host / 2,
            Intent::Punitive => 35 + host / 2,
            Intent::Signal => 25 + 10 * rung,
            Intent::Defensive => targeted_friendly(15),
            Intent::Conciliatory => -60,
        },
        Doctrine::Dove => match a.intent {
            Intent::Conciliatory => 60 + if host > 0 { 10 } else { 0 },
            Intent::Defensive => targeted_friendly(45),
            Intent::Signal => 5,
            Intent::Punitive => {
                if perceived {
                    10
                } else {
                    -40
                }
            }
            Intent::Offensive => -80,
        },
        Doctrine::TitForTat => match a.intent {
            Intent::Offensive | Intent::Punitive if perceived => 70 - 4 * rung + host / 2,
            Intent::Offensive => -40,
            Intent::Punitive => -10,
            Intent::Conciliatory => 50,
            Intent::Defensive => targeted_friendly(40),
            Intent::Signal => 15,
        },
        // A planner's own choice is made by playing ahead (see `planner`); asked for a scripted
        // score, it answers as measured.
        Doctrine::Measured | Doctrine::Planner => match a.intent {
            Intent::Defensive => targeted_friendly(50),
            Intent::Signal => 40 - 2 * rung,
            Intent::Punitive => 25 + if perceived { 25 } else { 0 } + host / 3,
            Intent::Offensive => {
                if perceived {
                    40 - 5 * rung
                } else {
                    10 - 6 * rung + host / 4
                }
            }
            Intent::Conciliatory => 30,
        },
        Doctrine::RandomLegal => 0,
        Doctrine::Swarm => match a.intent {
            Intent::Offensive => 30 + lo.target.map_or(0, |t| view.swarm_host(t)) - 2 * rung,
            Intent::Punitive | Intent::Signal => 10,
            _ => -20,
        },
    };
    match shift {
        Some(shift) if doctrine != Doctrine::RandomLegal => {
            doctrine_score
                + if perceived {
                    shift.perceived
                } else {
                    shift.unperceived
                }
        }
        _ => doctrine_score,
    }
}

/// The persona's shift of one action's orders ([`persona_shift`]), worked out once per action:
/// it depends on the target only through whether the target attacked the bot recently.
#[derive(Clone, Copy)]
struct ActionShift {
    perceived: i32,
    unperceived: i32,
}

impl ActionShift {
    /// The shift of `action`'s orders for the deciding bot (`None` for a neutral persona).
    fn of(ctx: &Ctx, view: &View, action: usize) -> Option<ActionShift> {
        let p = view.persona.as_ref()?;
        let intent = ctx.sc.actions[action].intent;
        let rung = ctx.ix.action_rung_of_ten[action];
        Some(ActionShift {
            perceived: persona_shift(p, intent, rung, view.here, true),
            unperceived: persona_shift(p, intent, rung, view.here, false),
        })
    }
}

/// How an actor's persona shifts a doctrine's score of an order (0 for a persona of all 50s):
/// `rung` is the order's rung and `here` the actor's, both on a 0–10 scale of the ladder;
/// `perceived` whether the target attacked it recently.
pub fn persona_shift(
    p: &crate::scenario::Persona,
    intent: Intent,
    rung: i32,
    here: i32,
    perceived: bool,
) -> i32 {
    let hostile = matches!(intent, Intent::Offensive | Intent::Punitive);
    let mut shift = 0;
    if hostile {
        shift += (p.aggression - 50) / 2;
    } else if intent == Intent::Conciliatory {
        shift -= (p.aggression - 50) / 2;
    }
    if matches!(intent, Intent::Offensive | Intent::Signal) {
        shift += (p.risk_tolerance - 50) * rung / 20;
    }
    if hostile && perceived {
        shift += (p.credibility - 50) / 2;
    }
    shift - (p.restraint - 50) * (rung - here).max(0) / 5
}

/// The answer an obliged bot gives to a red line: in kind and in proportion.
fn obligation_answer(
    ctx: &Ctx,
    me: usize,
    doctrine: Doctrine,
    legal: &[LegalOrder],
) -> Option<LegalOrder> {
    let sc = ctx.sc;
    let r = &ctx.ix.resolved;
    for ob in ctx.st.obligations.iter().filter(|o| o.owner == me) {
        let max = r.red_line_max_rung[ob.red_line];
        let answers = &r.red_line_answers[ob.red_line];
        let incident = ob.incident.and_then(|id| incident_by_id(ctx, id));
        let (kind, level) = match incident {
            Some(i) => {
                let a = &sc.actions[i.action];
                (Some(a.domain), ctx.ix.action_rung[i.action].min(max))
            }
            None => (None, max),
        };
        let mut best: Option<(i32, LegalOrder)> = None;
        for &lo in legal {
            if lo.target != Some(ob.culprit) || !answers[lo.action] {
                continue;
            }
            let a = &sc.actions[lo.action];
            let rung = ctx.ix.action_rung[lo.action];
            if rung > max {
                continue;
            }
            let mut s = -10 * (rung as i32 - level as i32).abs();
            if Some(a.domain) == kind {
                s += 25;
            }
            if doctrine == Doctrine::Dove {
                s = -(rung as i32);
            }
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, lo));
            }
        }
        if let Some((_, lo)) = best {
            return Some(lo);
        }
    }
    None
}

/// The incident with an id (ids count up from 1 in order of creation; searched otherwise).
fn incident_by_id<'a>(ctx: &Ctx<'a>, id: u32) -> Option<&'a crate::sim::state::Incident> {
    let incidents = &ctx.st.incidents;
    (id as usize)
        .checked_sub(1)
        .and_then(|k| incidents.get(k))
        .filter(|i| i.id == id)
        .or_else(|| incidents.iter().find(|i| i.id == id))
}

thread_local! {
    /// Bot buffers of this thread, kept across turns and games.
    static SCRATCH: std::cell::RefCell<BotScratch> = std::cell::RefCell::default();
}

/// Runs `f` with this thread's bot buffers.
pub fn with_scratch<R>(f: impl FnOnce(&mut BotScratch) -> R) -> R {
    SCRATCH.with_borrow_mut(f)
}

/// Chooses up to `limit` legal orders for an actor under a doctrine.
pub fn choose_orders(
    ctx: &Ctx,
    me: usize,
    doctrine: Doctrine,
    limit: usize,
    rng: &mut GameRng,
) -> Vec<LegalOrder> {
    let mut scratch = BotScratch::default();
    scratch.prepare_turn(ctx);
    let mut picks = Vec::new();
    choose_orders_into(ctx, me, doctrine, limit, rng, &mut scratch, &mut picks);
    picks
}

/// [`choose_orders`] with buffers prepared for this turn ([`BotScratch::prepare_turn`]); the
/// picks are appended to `picks`. Allocates nothing once the buffers have grown.
pub fn choose_orders_into(
    ctx: &Ctx,
    me: usize,
    doctrine: Doctrine,
    limit: usize,
    rng: &mut GameRng,
    scratch: &mut BotScratch,
    picks: &mut Vec<LegalOrder>,
) {
    let sc = ctx.sc;
    let first = picks.len();
    // Swarm restraint is a rule (`Ctx::order_limit`): `limit` already holds it.
    if limit == 0 {
        return;
    }
    let slots = limit;
    let is_swarm = sc.actors[me].kind == ActorKind::Swarm;
    let mut legal = std::mem::take(&mut scratch.legal);
    let mut last_turn = std::mem::take(&mut scratch.last_turn);
    let mut open = std::mem::take(&mut scratch.open);
    ctx.legal_orders_into(me, &mut legal);
    let sponsor = if is_swarm {
        ctx.ix.resolved.actor_sponsor[me]
    } else {
        None
    };
    let attacked = scratch.load(ctx, me, is_swarm, sponsor);
    let persona = sc.actors[me].persona;
    let view = View {
        swarm: is_swarm,
        scratch,
        attacked,
        at_stake: scratch.at_stake[me],
        persona: (persona != crate::scenario::Persona::default()).then_some(persona),
        here: ctx.st.actors[me].rung as i32 * 10 / sc.meta.ladder.rungs.len().max(1) as i32,
    };
    if doctrine != Doctrine::RandomLegal
        && let Some(lo) = obligation_answer(ctx, me, doctrine, &legal)
    {
        picks.push(lo);
    }
    let doctrine = if is_swarm && doctrine != Doctrine::RandomLegal {
        Doctrine::Swarm
    } else {
        doctrine
    };
    // Doing again exactly what it did last turn needs a reason: without one (an attack on it, a
    // red line owed) the same order scores lower, so a bot does not repeat itself every turn.
    let turn = ctx.st.turn;
    last_turn.clear();
    if doctrine != Doctrine::RandomLegal && !view.attacked {
        // Its own orders of last turn, gathered once (the history is in turn order).
        last_turn.extend(
            ctx.st
                .history
                .iter()
                .rev()
                .take_while(|r| r.turn + 1 >= turn)
                .filter(|r| r.turn + 1 == turn && r.actor == me)
                .map(|r| (r.action, r.target)),
        );
    }
    // Every legal order with its score without noise, as (score, position in `legal`), in one
    // pass: the orders a bot may still pick this turn (see below).
    open.clear();
    if doctrine != Doctrine::RandomLegal {
        // Legal orders come grouped by action: the target-free part is scored once per action.
        let mut current: Option<(usize, Option<i32>, Option<ActionShift>)> = None;
        for (k, &lo) in legal.iter().enumerate() {
            let (fixed, shift) = match current {
                Some((a, f, shift)) if a == lo.action => (f, shift),
                _ => {
                    let f = action_score(ctx, &view, me, doctrine, lo.action);
                    let shift = match f {
                        Some(_) => None,
                        None => ActionShift::of(ctx, &view, lo.action),
                    };
                    current = Some((lo.action, f, shift));
                    (f, shift)
                }
            };
            let mut score = fixed.unwrap_or_else(|| target_score(ctx, &view, doctrine, lo, shift));
            if !last_turn.is_empty() && last_turn.contains(&(lo.action, lo.target)) {
                score -= 20;
            }
            open.push((score, k as u32));
        }
    }
    // An order is taken if its action already is, or if it cannot be paid for together with the
    // orders already picked (each alone is affordable: legal orders are): a bot never gives an
    // order the rules would reject as unaffordable.
    let taken = |picks: &[LegalOrder], lo: &LegalOrder| {
        picks[first..].iter().any(|p| p.action == lo.action)
            || ctx.ix.action_cost[lo.action].iter().any(|&(i, cost)| {
                let spent: i32 = picks[first..]
                    .iter()
                    .flat_map(|p| &ctx.ix.action_cost[p.action])
                    .filter(|(j, _)| *j == i)
                    .map(|(_, c)| *c)
                    .sum();
                ctx.st.actors[me].attrs[i] - spent < cost
            })
    };
    if doctrine == Doctrine::RandomLegal {
        while picks.len() - first < slots {
            let count = legal.iter().filter(|lo| !taken(picks, lo)).count();
            if count == 0 {
                break;
            }
            let i = rng.below(count as u32) as usize;
            if let Some(&lo) = legal.iter().filter(|lo| !taken(picks, lo)).nth(i) {
                picks.push(lo);
            }
        }
    } else {
        // The orders still open, by position in `legal`: filtered once before the first slot
        // and again after each pick (a pick only ever closes orders), so a slot draws one die
        // per open order, in catalogue order, without re-checking what is taken.
        let mut spent = std::mem::take(&mut scratch.spent);
        // What the orders already picked spend, by attribute.
        spent.clear();
        spent.resize(ctx.st.actors[me].attrs.len(), 0);
        for p in &picks[first..] {
            for &(i, cost) in &ctx.ix.action_cost[p.action] {
                spent[i] += cost;
            }
        }
        // `taken` with the spending summed once: whether an action is picked already or can no
        // longer be paid for next to the picks (checked once per action: legal orders come
        // grouped by action).
        let closed = |picks: &[LegalOrder], spent: &[i32], action: usize| {
            picks[first..].iter().any(|p| p.action == action)
                || ctx.ix.action_cost[action]
                    .iter()
                    .any(|&(i, cost)| ctx.st.actors[me].attrs[i] - spent[i] < cost)
        };
        // The open orders as (score without noise, position in `legal`).
        let keep_open = |open: &mut Vec<(i32, u32)>, picks: &[LegalOrder], spent: &[i32]| {
            // Compacted in place; `closed` is asked once per run of orders of one action.
            let mut kept = 0;
            let mut last: Option<(usize, bool)> = None;
            for r in 0..open.len() {
                let order = open[r];
                let action = legal[order.1 as usize].action;
                let shut = match last {
                    Some((a, shut)) if a == action => shut,
                    _ => {
                        let shut = closed(picks, spent, action);
                        last = Some((action, shut));
                        shut
                    }
                };
                if !shut {
                    open[kept] = order;
                    kept += 1;
                }
            }
            open.truncate(kept);
        };
        if picks.len() > first {
            keep_open(&mut open, picks, &spent);
        }
        while picks.len() - first < slots && !open.is_empty() {
            // One die per open order, in catalogue order; the first of equal scores wins.
            let (mut best, mut best_k) = (open[0].0 + rng.below(15) as i32, open[0].1);
            for &(base, k) in &open[1..] {
                let s = base + rng.below(15) as i32;
                if s > best {
                    best = s;
                    best_k = k;
                }
            }
            if best <= 0 {
                break;
            }
            let lo = legal[best_k as usize];
            picks.push(lo);
            if picks.len() - first < slots {
                for &(i, cost) in &ctx.ix.action_cost[lo.action] {
                    spent[i] += cost;
                }
                keep_open(&mut open, picks, &spent);
            }
        }
        scratch.spent = spent;
    }
    scratch.open = open;
    scratch.unload();
    scratch.legal = legal;
    scratch.last_turn = last_turn;
}
