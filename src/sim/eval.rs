//! Evaluating the condition language, and resolving `Who` to actors.

use bevy::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::state::{Bindings, GameState};
use crate::scenario::compiled::{Cond, Group};
use crate::scenario::{Condition, Confidence, RungCmp, Scenario, ScenarioIndex, Who};

/// The game's one random generator: ChaCha8, seeded from a `u64`.
#[derive(Resource, Debug, Clone)]
pub struct GameRng {
    rng: ChaCha8Rng,
    /// Number of draws so far (for the log and tests).
    pub draws: u64,
    /// The game's seed, from which side generators (a planner's samples) are derived.
    seed: u64,
}

impl GameRng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Self {
        GameRng {
            rng: ChaCha8Rng::seed_from_u64(seed),
            draws: 0,
            seed,
        }
    }

    /// An independent generator derived from the game's seed and `salt` (e.g. turn, actor and
    /// sample of a planner): drawing from it never moves the game's own dice.
    pub fn derived(&self, salt: u64) -> GameRng {
        // SplitMix64 finaliser: nearby salts give unrelated seeds.
        let mut z = self.seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        GameRng::new(z ^ (z >> 31))
    }

    /// A uniform number in `0..n` (unbiased; `n` must be > 0).
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        self.draws += 1;
        let zone = u32::MAX - (u32::MAX % n);
        loop {
            let x = self.rng.next_u32();
            if x < zone {
                return x % n;
            }
        }
    }

    /// A d100 roll, 1..=100.
    #[inline]
    pub fn d100(&mut self) -> i32 {
        self.below(100) as i32 + 1
    }

    /// A uniform number in `0..n` for any `n` > 0 (unbiased).
    fn below_u64(&mut self, n: u64) -> u64 {
        self.draws += 1;
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.rng.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Picks an index by weight, fairly whatever the weights add up to (`None` only if all
    /// weights are zero). Totals that fit in 32 bits draw exactly as before, so seeded games
    /// replay unchanged.
    pub fn weighted(&mut self, weights: &[u32]) -> Option<usize> {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        if total == 0 {
            return None;
        }
        let mut x = match u32::try_from(total) {
            Ok(t) => u64::from(self.below(t)),
            Err(_) => self.below_u64(total),
        };
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return Some(i);
            }
            x -= w;
        }
        // Unreachable: x < total. The last positive weight, to be safe.
        weights.iter().rposition(|w| *w > 0)
    }
}

/// The actors a [`Who`] stands for, in scenario order: one actor or a few without allocating,
/// or many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhoSet {
    /// Exactly one actor.
    One([usize; 1]),
    /// Up to [`WhoSet::FEW`] actors, kept inline: the first `len` entries.
    Few {
        /// How many entries are filled.
        len: usize,
        /// The actors, then unused zeros.
        items: [usize; WhoSet::FEW],
    },
    /// Any number of actors.
    Many(Vec<usize>),
}

impl WhoSet {
    /// How many actors a set holds without allocating.
    pub const FEW: usize = 16;

    /// The set of the actors `iter` yields (in its order), inline while they fit.
    fn collect(iter: impl Iterator<Item = usize>) -> WhoSet {
        let mut items = [0; WhoSet::FEW];
        let mut len = 0;
        let mut iter = iter;
        for a in iter.by_ref() {
            if len == WhoSet::FEW {
                let mut many = items.to_vec();
                many.push(a);
                many.extend(iter);
                return WhoSet::Many(many);
            }
            items[len] = a;
            len += 1;
        }
        WhoSet::Few { len, items }
    }

    /// The empty set.
    fn empty() -> WhoSet {
        WhoSet::Few {
            len: 0,
            items: [0; WhoSet::FEW],
        }
    }
}

impl From<Vec<usize>> for WhoSet {
    fn from(v: Vec<usize>) -> Self {
        WhoSet::Many(v)
    }
}

impl std::ops::Deref for WhoSet {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        match self {
            WhoSet::One(a) => a,
            WhoSet::Few { len, items } => &items[..*len],
            WhoSet::Many(v) => v,
        }
    }
}

/// The actors of a [`WhoSet`], in order.
#[derive(Debug, Clone)]
pub struct WhoSetIter {
    set: WhoSet,
    next: usize,
}

impl Iterator for WhoSetIter {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let a = self.set.get(self.next).copied()?;
        self.next += 1;
        Some(a)
    }
}

impl IntoIterator for WhoSet {
    type Item = usize;
    type IntoIter = WhoSetIter;
    fn into_iter(self) -> WhoSetIter {
        WhoSetIter { set: self, next: 0 }
    }
}

/// Read-only access to a game for evaluating conditions.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The scenario.
    pub sc: &'a Scenario,
    /// Its index.
    pub ix: &'a ScenarioIndex,
    /// The state.
    pub st: &'a GameState,
}

impl<'a> Ctx<'a> {
    /// The ladder position of a rung id (0 if unknown).
    pub fn rung(&self, id: &str) -> usize {
        self.ix.rungs.get(id).copied().unwrap_or(0)
    }

    /// Whether actor `i` is one of the actors `who` stands for (no allocation).
    pub fn who_contains(&self, who: &Who, b: Bindings, i: usize) -> bool {
        let a = &self.sc.actors[i];
        match who {
            Who::Actor(id) => self.ix.resolved.actor_first[i] && a.id == *id,
            Who::Acting => b.acting == Some(i),
            Who::Target => b.target == Some(i),
            Who::Owner => b.owner == Some(i),
            Who::Each => b.each == Some(i),
            Who::Sponsor => b
                .acting
                .is_some_and(|ac| self.ix.resolved.actor_sponsor[ac] == Some(i)),
            // The sponsor resolved at load, not a string comparison (a duplicate id, which the
            // validator refuses, still names its first actor).
            Who::Proxies => b.acting.is_some_and(|ac| {
                let r = &self.ix.resolved;
                match r.actor_sponsor[i] {
                    Some(s) if s == ac => true,
                    Some(s) => !r.actor_first[ac] && self.sc.actors[s].id == self.sc.actors[ac].id,
                    None => false,
                }
            }),
            Who::Any => true,
            Who::AnyOther => Some(i) != b.owner.or(b.acting),
            Who::Side(side) => &a.side == side,
            Who::Tagged(tag) => a.tags.iter().any(|t| t == tag),
            Who::Kind(kind) => a.kind == *kind,
            Who::Related(rel) => self.related(rel, b, i),
        }
    }

    /// Whether `i` is related by `rel` to the actor in context (owner, else acting): its value
    /// from that actor is not 0. Nobody is related to itself this way.
    fn related(&self, rel: &str, b: Bindings, i: usize) -> bool {
        match (self.ix.relations.get(rel), b.owner.or(b.acting)) {
            (Some(&r), Some(me)) => me != i && self.st.relation(r, me, i) != 0,
            _ => false,
        }
    }

    /// Whether some actor of `who` satisfies `f` (in scenario order, stopping at the first).
    pub fn who_any(&self, who: &Who, b: Bindings, mut f: impl FnMut(usize) -> bool) -> bool {
        let n = self.sc.actors.len();
        // Groups of at most one actor are checked directly, not by a scan of every actor.
        let one = |x: Option<usize>| x.filter(|&i| i < n);
        match who {
            Who::Acting => one(b.acting).is_some_and(f),
            Who::Target => one(b.target).is_some_and(f),
            Who::Owner => one(b.owner).is_some_and(f),
            Who::Each => one(b.each).is_some_and(f),
            Who::Actor(id) => one(self.ix.actors.get(id).copied()).is_some_and(f),
            Who::Sponsor => one(b
                .acting
                .and_then(|a| self.ix.resolved.actor_sponsor.get(a).copied().flatten()))
            .is_some_and(f),
            _ => (0..n).any(|i| self.who_contains(who, b, i) && f(i)),
        }
    }

    /// The actors `who` stands for, in scenario order.
    pub fn who_set(&self, who: &Who, b: Bindings) -> WhoSet {
        let n = self.sc.actors.len();
        let one = |x: Option<usize>| match x {
            Some(i) => WhoSet::One([i]),
            None => WhoSet::empty(),
        };
        match who {
            Who::Actor(id) => one(self.ix.actors.get(id).copied()),
            Who::Acting => one(b.acting),
            Who::Target => one(b.target),
            Who::Owner => one(b.owner),
            Who::Each => one(b.each),
            Who::Sponsor => one(b.acting.and_then(|a| self.ix.resolved.actor_sponsor[a])),
            Who::Proxies if b.acting.is_none() => WhoSet::empty(),
            Who::AnyOther => {
                let me = b.owner.or(b.acting);
                WhoSet::collect((0..n).filter(|&i| Some(i) != me))
            }
            // Every other group is a test of each actor (`who_contains` holds the rules).
            _ => WhoSet::collect((0..n).filter(|&i| self.who_contains(who, b, i))),
        }
    }

    fn rung_test(&self, rung: usize, is: &RungCmp) -> bool {
        match is {
            RungCmp::AtLeast(r) => rung >= self.rung(r),
            RungCmp::AtMost(r) => rung <= self.rung(r),
            RungCmp::Equals(r) => rung == self.rung(r),
            RungCmp::Above(r) => rung > self.rung(r),
            RungCmp::Below(r) => rung < self.rung(r),
        }
    }

    /// Evaluates a condition without dice: `Chance` is false.
    pub fn eval_pure(&self, c: &Condition, b: Bindings) -> bool {
        self.eval(c, b, None)
    }

    /// Evaluates a condition; `Chance` draws from `rng` when given (false without it).
    pub fn eval(&self, c: &Condition, b: Bindings, mut rng: Option<&mut GameRng>) -> bool {
        let st = self.st;
        match c {
            Condition::Always => true,
            Condition::All(cs) => cs.iter().all(|c| self.eval(c, b, rng.as_deref_mut())),
            Condition::Any(cs) => cs.iter().any(|c| self.eval(c, b, rng.as_deref_mut())),
            Condition::Not(c) => !self.eval(c, b, rng),
            Condition::AtLeastOf(n, cs) => {
                let mut count = 0;
                for c in cs {
                    if self.eval(c, b, rng.as_deref_mut()) {
                        count += 1;
                    }
                }
                count >= *n
            }
            Condition::Attr { who, attr, is } => match self.ix.attributes.get(attr) {
                Some(&i) => self.who_any(who, b, |a| is.test(st.actors[a].attrs[i])),
                None => false,
            },
            Condition::Rung { who, is } => {
                self.who_any(who, b, |a| self.rung_test(st.actors[a].rung, is))
            }
            Condition::Crisis(is) => self.rung_test(st.crisis(), is),
            Condition::SectorDamage { who, sector, is } => match self.ix.sectors.get(sector) {
                Some(&s) => self.who_any(who, b, |a| is.test(st.actors[a].damage[s])),
                None => false,
            },
            Condition::Is(x, group) => {
                let g = self.who_set(group, b);
                let xs = self.who_set(x, b);
                !xs.is_empty() && xs.iter().all(|a| g.contains(a))
            }
            Condition::ActionTaken {
                by,
                action,
                against,
                within_turns,
                attempts,
            } => {
                let Some(&act) = self.ix.actions.get(action) else {
                    return false;
                };
                let taken = |r: &super::state::ActionRecord| {
                    (r.success || *attempts)
                        && r.action == act
                        && self.who_contains(by, b, r.actor)
                        && against
                            .as_ref()
                            .is_none_or(|g| r.target.is_some_and(|t| self.who_contains(g, b, t)))
                };
                // The history is in turn order: with a window, only its recent end is read.
                match within_turns {
                    Some(_) => st
                        .history
                        .iter()
                        .rev()
                        .take_while(|r| within(st.turn, r.turn, *within_turns))
                        .any(taken),
                    None => st.history.iter().any(taken),
                }
            }
            Condition::Perceived {
                victim,
                domain,
                attributed_to,
                confidence,
                within_turns,
                misattributed,
                public,
            } => st.incidents.iter().any(|inc| {
                let Some(det) = inc.detected else {
                    return false;
                };
                misattributed.is_none_or(|m| inc.misattributed() == m)
                    && public.is_none_or(|p| inc.public == p)
                    && within(st.turn, det.max(inc.updated), *within_turns)
                    && Confidence::from_value(inc.evidence) >= *confidence
                    && domain.is_none_or(|d| self.sc.actions[inc.action].domain == d)
                    && self.who_contains(victim, b, inc.victim)
                    && attributed_to
                        .as_ref()
                        .is_none_or(|g| inc.suspect.is_some_and(|s| self.who_contains(g, b, s)))
            }),
            Condition::InjectFired(id) => self
                .ix
                .injects
                .get(id)
                .is_some_and(|&i| st.injects_fired[i].is_some()),
            Condition::RedLineCrossed(id) => self
                .ix
                .red_lines
                .get(id)
                .is_some_and(|&i| !st.red_lines[i].crossings.is_empty()),
            Condition::RedLineDeclared(id) => self
                .ix
                .red_lines
                .get(id)
                .is_some_and(|&i| st.red_lines[i].declared),
            Condition::Credibility(id, is) => self
                .ix
                .red_lines
                .get(id)
                .is_some_and(|&i| is.test(st.red_lines[i].credibility)),
            Condition::ThresholdCrossed(id) => self
                .sc
                .meta
                .ladder
                .thresholds
                .iter()
                .position(|t| &t.id == id)
                .is_some_and(|i| st.thresholds_crossed[i].is_some()),
            Condition::Engagement { who, is } => {
                self.who_any(who, b, |a| self.rung_test(st.actors[a].threshold, is))
            }
            Condition::AgreementInForce(id) => self
                .ix
                .proposals
                .get(id)
                .is_some_and(|&p| st.agreements.iter().any(|a| a.proposal == p)),
            Condition::ProposalPending(id) => self
                .ix
                .proposals
                .get(id)
                .is_some_and(|&p| st.pending.iter().any(|a| a.proposal == p)),
            Condition::ChannelOpen(x, y) => {
                let xs = self.who_set(x, b);
                let ys = self.who_set(y, b);
                xs.iter().any(|&a| {
                    ys.iter()
                        .any(|&c| a != c && st.channels.contains(&(a.min(c), a.max(c))))
                })
            }
            Condition::Turn(is) => is.test(st.turn as i32),
            Condition::Chance(p) => match rng {
                Some(rng) => rng.d100() <= *p,
                None => false,
            },
            Condition::FacilitatorSays(s) => st.switches.contains(s),
            Condition::Stance(who, stance) => {
                self.who_any(who, b, |a| st.actors[a].stance == Some(*stance))
            }
            Condition::Metric { who, metric, is } => match self.ix.metrics.get(metric) {
                Some(&m) => self.who_any(who, b, |a| is.test(saturate(st.metric(m, a)))),
                None => false,
            },
            Condition::MetricTotal(metric, is) => self
                .ix
                .metrics
                .get(metric)
                .is_some_and(|&m| is.test(saturate(st.metric_total(m)))),
            Condition::Relation {
                relation,
                from,
                to,
                is,
            } => {
                let Some(&r) = self.ix.relations.get(relation) else {
                    return false;
                };
                let xs = self.who_set(from, b);
                let ys = self.who_set(to, b);
                xs.iter().any(|&x| {
                    ys.iter().any(|&y| {
                        let v = st.relation(r, x, y);
                        x != y && is.map_or(v != 0, |c| c.test(v))
                    })
                })
            }
            Condition::Use(name) => match self.ix.condition_snippets.get(name) {
                Some(&k) => self.eval(&self.sc.snippets.conditions[k].when, b, rng),
                None => false,
            },
        }
    }
}

/// Compiled conditions and groups ([`crate::scenario::compiled`]): the same rules as
/// [`Ctx::eval`] and [`Ctx::who_contains`], with every id already resolved to a position.
impl Ctx<'_> {
    /// Whether actor `i` is one of the actors `g` stands for.
    pub fn in_group(&self, g: &Group, b: Bindings, i: usize) -> bool {
        match g {
            Group::Actor(a) => *a == Some(i),
            Group::Acting => b.acting == Some(i),
            Group::Target => b.target == Some(i),
            Group::Owner => b.owner == Some(i),
            Group::Each => b.each == Some(i),
            Group::Sponsor => b
                .acting
                .is_some_and(|ac| self.ix.resolved.actor_sponsor[ac] == Some(i)),
            Group::Proxies => b.acting.is_some_and(|ac| {
                let r = &self.ix.resolved;
                match r.actor_sponsor[i] {
                    Some(s) if s == ac => true,
                    Some(s) => !r.actor_first[ac] && self.sc.actors[s].id == self.sc.actors[ac].id,
                    None => false,
                }
            }),
            Group::Any => true,
            Group::AnyOther => Some(i) != b.owner.or(b.acting),
            Group::Members(k) => self.ix.conditions.members[*k]
                .get(i)
                .copied()
                .unwrap_or(false),
            Group::Related(rel) => match (*rel, b.owner.or(b.acting)) {
                (Some(r), Some(me)) => me != i && self.st.relation(r, me, i) != 0,
                _ => false,
            },
        }
    }

    /// Whether some actor of `g` satisfies `f` (in scenario order, stopping at the first).
    pub fn group_any(&self, g: &Group, b: Bindings, mut f: impl FnMut(usize) -> bool) -> bool {
        let n = self.sc.actors.len();
        let one = |x: Option<usize>| x.filter(|&i| i < n);
        match g {
            Group::Acting => one(b.acting).is_some_and(f),
            Group::Target => one(b.target).is_some_and(f),
            Group::Owner => one(b.owner).is_some_and(f),
            Group::Each => one(b.each).is_some_and(f),
            Group::Actor(a) => one(*a).is_some_and(f),
            Group::Sponsor => one(b
                .acting
                .and_then(|a| self.ix.resolved.actor_sponsor.get(a).copied().flatten()))
            .is_some_and(f),
            _ => (0..n).any(|i| self.in_group(g, b, i) && f(i)),
        }
    }

    /// The actors `g` stands for, in scenario order.
    pub fn group_set(&self, g: &Group, b: Bindings) -> WhoSet {
        let n = self.sc.actors.len();
        let one = |x: Option<usize>| match x {
            Some(i) => WhoSet::One([i]),
            None => WhoSet::empty(),
        };
        match g {
            Group::Actor(a) => one(*a),
            Group::Acting => one(b.acting),
            Group::Target => one(b.target),
            Group::Owner => one(b.owner),
            Group::Each => one(b.each),
            Group::Sponsor => one(b.acting.and_then(|a| self.ix.resolved.actor_sponsor[a])),
            Group::Proxies if b.acting.is_none() => WhoSet::empty(),
            Group::AnyOther => {
                let me = b.owner.or(b.acting);
                WhoSet::collect((0..n).filter(|&i| Some(i) != me))
            }
            _ => WhoSet::collect((0..n).filter(|&i| self.in_group(g, b, i))),
        }
    }

    /// Tests a compiled condition without dice: `Chance` is false.
    pub fn test_pure(&self, c: &Cond, b: Bindings) -> bool {
        self.test(c, b, None)
    }

    /// Tests a compiled condition; `Chance` draws from `rng` when given (false without it).
    pub fn test(&self, c: &Cond, b: Bindings, mut rng: Option<&mut GameRng>) -> bool {
        let st = self.st;
        match c {
            Cond::Always => true,
            Cond::All(cs) => cs.iter().all(|c| self.test(c, b, rng.as_deref_mut())),
            Cond::Any(cs) => cs.iter().any(|c| self.test(c, b, rng.as_deref_mut())),
            Cond::Not(c) => !self.test(c, b, rng),
            Cond::AtLeastOf(n, cs) => {
                let mut count = 0;
                for c in cs {
                    if self.test(c, b, rng.as_deref_mut()) {
                        count += 1;
                    }
                }
                count >= *n
            }
            Cond::Attr { who, attr, is } => {
                attr.is_some_and(|i| self.group_any(who, b, |a| is.test(st.actors[a].attrs[i])))
            }
            Cond::Rung { who, is } => self.group_any(who, b, |a| is.test(st.actors[a].rung)),
            Cond::Crisis(is) => is.test(st.crisis()),
            Cond::SectorDamage { who, sector, is } => {
                sector.is_some_and(|s| self.group_any(who, b, |a| is.test(st.actors[a].damage[s])))
            }
            Cond::Is(x, group) => {
                let g = self.group_set(group, b);
                let xs = self.group_set(x, b);
                !xs.is_empty() && xs.iter().all(|a| g.contains(a))
            }
            Cond::ActionTaken {
                by,
                action,
                against,
                within_turns,
                attempts,
            } => {
                let Some(act) = *action else {
                    return false;
                };
                let taken = |r: &super::state::ActionRecord| {
                    (r.success || *attempts)
                        && r.action == act
                        && self.in_group(by, b, r.actor)
                        && against
                            .as_ref()
                            .is_none_or(|g| r.target.is_some_and(|t| self.in_group(g, b, t)))
                };
                // The history is in turn order: with a window, only its recent end is read.
                match within_turns {
                    Some(_) => st
                        .history
                        .iter()
                        .rev()
                        .take_while(|r| within(st.turn, r.turn, *within_turns))
                        .any(taken),
                    None => st.history.iter().any(taken),
                }
            }
            Cond::Perceived {
                victim,
                domain,
                attributed_to,
                confidence,
                within_turns,
                misattributed,
                public,
            } => st.incidents.iter().any(|inc| {
                let Some(det) = inc.detected else {
                    return false;
                };
                misattributed.is_none_or(|m| inc.misattributed() == m)
                    && public.is_none_or(|p| inc.public == p)
                    && within(st.turn, det.max(inc.updated), *within_turns)
                    && Confidence::from_value(inc.evidence) >= *confidence
                    && domain.is_none_or(|d| self.sc.actions[inc.action].domain == d)
                    && self.in_group(victim, b, inc.victim)
                    && attributed_to
                        .as_ref()
                        .is_none_or(|g| inc.suspect.is_some_and(|s| self.in_group(g, b, s)))
            }),
            Cond::InjectFired(i) => i.is_some_and(|i| st.injects_fired[i].is_some()),
            Cond::RedLineCrossed(r) => r.is_some_and(|r| !st.red_lines[r].crossings.is_empty()),
            Cond::RedLineDeclared(r) => r.is_some_and(|r| st.red_lines[r].declared),
            Cond::Credibility(r, is) => r.is_some_and(|r| is.test(st.red_lines[r].credibility)),
            Cond::ThresholdCrossed(t) => t.is_some_and(|t| st.thresholds_crossed[t].is_some()),
            Cond::Engagement { who, is } => {
                self.group_any(who, b, |a| is.test(st.actors[a].threshold))
            }
            Cond::AgreementInForce(p) => {
                p.is_some_and(|p| st.agreements.iter().any(|a| a.proposal == p))
            }
            Cond::ProposalPending(p) => {
                p.is_some_and(|p| st.pending.iter().any(|a| a.proposal == p))
            }
            Cond::ChannelOpen(x, y) => {
                let xs = self.group_set(x, b);
                let ys = self.group_set(y, b);
                xs.iter().any(|&a| {
                    ys.iter()
                        .any(|&c| a != c && st.channels.contains(&(a.min(c), a.max(c))))
                })
            }
            Cond::Turn(is) => is.test(st.turn as i32),
            Cond::Chance(p) => match rng {
                Some(rng) => rng.d100() <= *p,
                None => false,
            },
            Cond::FacilitatorSays(s) => st.switches.contains(s),
            Cond::Stance(who, stance) => {
                self.group_any(who, b, |a| st.actors[a].stance == Some(*stance))
            }
            Cond::Metric { who, metric, is } => metric
                .is_some_and(|m| self.group_any(who, b, |a| is.test(saturate(st.metric(m, a))))),
            Cond::MetricTotal(metric, is) => {
                metric.is_some_and(|m| is.test(saturate(st.metric_total(m))))
            }
            Cond::Relation {
                relation,
                from,
                to,
                is,
            } => {
                let Some(r) = *relation else {
                    return false;
                };
                let xs = self.group_set(from, b);
                let ys = self.group_set(to, b);
                xs.iter().any(|&x| {
                    ys.iter().any(|&y| {
                        let v = st.relation(r, x, y);
                        x != y && is.map_or(v != 0, |c| c.test(v))
                    })
                })
            }
            Cond::Use(k) => match k {
                Some(k) => self.test(&self.ix.conditions.snippets[*k], b, rng),
                None => false,
            },
        }
    }
}

/// A 64-bit value as a comparison's 32-bit number (saturating).
fn saturate(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// Whether an event of turn `t` lies within the last `n` turns of `now` (always, without `n`).
fn within(now: u32, t: u32, n: Option<u32>) -> bool {
    n.is_none_or(|n| now.saturating_sub(t) < n)
}

/// Whether actor `i` belongs to a context-free group (`Actor`, `Any`, `Side`, `Tagged`, `Kind`).
pub fn who_matches_static(sc: &Scenario, ix: &ScenarioIndex, who: &Who, i: usize) -> bool {
    let a = &sc.actors[i];
    match who {
        Who::Actor(id) => ix.actors.get(id) == Some(&i),
        Who::Any | Who::AnyOther => true,
        Who::Side(side) => &a.side == side,
        Who::Tagged(tag) => a.tags.iter().any(|t| t == tag),
        Who::Kind(kind) => a.kind == *kind,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{GameRng, WhoSet};

    #[test]
    fn who_sets_keep_a_few_actors_inline_and_spill_the_rest_in_order() {
        for n in [
            0,
            1,
            WhoSet::FEW - 1,
            WhoSet::FEW,
            WhoSet::FEW + 1,
            3 * WhoSet::FEW + 5,
        ] {
            let expected: Vec<usize> = (0..n).map(|i| i * 3 + 1).collect();
            let set = WhoSet::collect(expected.iter().copied());
            assert_eq!(&set[..], &expected[..], "{n} actors");
            assert_eq!(
                matches!(set, WhoSet::Few { .. }),
                n <= WhoSet::FEW,
                "{n} actors: inline only while they fit"
            );
            assert_eq!(set.into_iter().collect::<Vec<_>>(), expected, "{n} actors");
        }
    }

    #[test]
    fn weights_past_32_bits_are_picked_fairly_and_never_none() {
        let mut rng = GameRng::new(7);
        let mut counts = [0u32; 3];
        for _ in 0..3000 {
            let i = rng
                .weighted(&[u32::MAX, 0, u32::MAX])
                .expect("positive weights pick");
            counts[i] += 1;
        }
        assert_eq!(counts[1], 0, "weight 0 is never picked");
        assert!((1300..=1700).contains(&counts[0]), "{counts:?}");
        assert_eq!(rng.weighted(&[0, 0]), None);
    }

    #[test]
    fn weights_that_fit_in_32_bits_draw_as_before() {
        // The same draws as the 32-bit version, so seeded games replay unchanged.
        let (mut a, mut b) = (GameRng::new(3), GameRng::new(3));
        for _ in 0..100 {
            let total = 1 + 2 + 7;
            let x = b.below(total);
            let expected = if x < 1 {
                0
            } else if x < 3 {
                1
            } else {
                2
            };
            assert_eq!(a.weighted(&[1, 2, 7]), Some(expected));
        }
    }
}
