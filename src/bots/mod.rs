//! Bot doctrines: legal orders for every actor without a team.
//!
//! Every bot first honours its open red-line obligations ("no offensive action will be left
//! unanswered"): it answers the culprit in kind (the domain of the incident) and in proportion
//! (the rung closest to the incident's, never above the promised maximum). Remaining order
//! slots are filled by the doctrine's preferences, with seeded noise to break ties.

use crate::scenario::{ActorKind, SwarmStance};
use crate::scenario::{Confidence, Doctrine, Effect, Intent, RedLine, Scenario, ScenarioIndex};
use crate::sim::eval::{Ctx, GameRng};
use crate::sim::orders::LegalOrder;

/// Whether an action counts as an answer to a red line's promised response.
pub fn answers(sc: &Scenario, ix: &ScenarioIndex, rl: &RedLine, action: usize) -> bool {
    let a = &sc.actions[action];
    let rung = ix.rungs.get(&a.rung).copied().unwrap_or(0);
    let min = ix.rungs.get(&rl.response.min_rung).copied().unwrap_or(0);
    matches!(a.intent, Intent::Offensive | Intent::Punitive)
        && (rl.response.domains.is_empty() || rl.response.domains.contains(&a.domain))
        && rung >= min
}

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
        Doctrine::Measured | Doctrine::RandomLegal => 0,
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

/// How hostile `me` finds `other`: sides, and incidents it blames on it.
fn hostility(ctx: &Ctx, me: usize, other: usize) -> i32 {
    let sc = ctx.sc;
    let a = &sc.actors[me];
    let o = &sc.actors[other];
    if o.kind == ActorKind::InternationalBody {
        return -100;
    }
    let mut h = if a.side == o.side { -60 } else { 15 };
    if o.kind == ActorKind::State {
        h += 5;
    }
    for i in &ctx.st.incidents {
        if i.victim == me
            && i.suspect == Some(other)
            && i.detected
                .is_some_and(|d| ctx.st.turn.saturating_sub(d) < 3)
        {
            h += 12;
        }
    }
    h
}

/// The sponsor's adversary score for a swarm's target.
fn swarm_hostility(ctx: &Ctx, swarm: usize, other: usize) -> i32 {
    let sc = ctx.sc;
    let sponsor = sc.actors[swarm]
        .sponsor
        .as_ref()
        .and_then(|s| ctx.ix.actors.get(s).copied());
    match sponsor {
        Some(s) if s != other => hostility(ctx, s, other),
        Some(_) => -100,
        None => hostility(ctx, swarm, other),
    }
}

/// What one bot perceives, computed once per decision.
struct View {
    /// Hostility towards each actor.
    host: Vec<i32>,
    /// Whether each actor attacked it recently (likely or better).
    recent: Vec<bool>,
    /// For swarms: the sponsor's hostility towards each actor.
    swarm_host: Vec<i32>,
    /// Attacked by anyone recently.
    attacked: bool,
    /// One of its red lines is failing to deter.
    at_stake: bool,
}

impl View {
    fn new(ctx: &Ctx, me: usize) -> Self {
        let n = ctx.sc.actors.len();
        let recent: Vec<bool> = (0..n)
            .map(|o| o != me && hostile_recently(ctx, me, o))
            .collect();
        View {
            host: (0..n).map(|o| hostility(ctx, me, o)).collect(),
            attacked: recent.iter().any(|&r| r),
            recent,
            swarm_host: if ctx.sc.actors[me].kind == ActorKind::Swarm {
                (0..n).map(|o| swarm_hostility(ctx, me, o)).collect()
            } else {
                Vec::new()
            },
            at_stake: credibility_at_stake(ctx, me),
        }
    }
}

fn proposes_busy(ctx: &Ctx, action: usize) -> bool {
    ctx.sc.actions[action].on_success.iter().any(|e| match e {
        Effect::Propose(p, _) => ctx.ix.proposals.get(p).is_some_and(|&p| {
            ctx.st.pending.iter().any(|x| x.proposal == p)
                || ctx.st.agreements.iter().any(|x| x.proposal == p)
        }),
        _ => false,
    })
}

/// Whether an action raises the actor's own rules-of-engagement threshold.
fn loosens_rules(ctx: &Ctx, action: usize) -> bool {
    ctx.sc.actions[action]
        .on_success
        .iter()
        .any(|e| matches!(e, Effect::ShiftThreshold(crate::scenario::Who::Acting, n) if *n > 0))
}

/// Whether a red line of `me` is failing to deter: ignored at least once, credibility below 50,
/// or crossed three times or more in the last four turns despite being enforced.
fn credibility_at_stake(ctx: &Ctx, me: usize) -> bool {
    ctx.sc.red_lines.iter().enumerate().any(|(r, rl)| {
        let st = &ctx.st.red_lines[r];
        let recent = st
            .crossings
            .iter()
            .filter(|(t, _)| ctx.st.turn.saturating_sub(*t) < 4)
            .count();
        ctx.ix.actors.get(&rl.owner) == Some(&me)
            && (st.ignored > 0 || st.credibility < 50 || recent >= 3)
    })
}

fn score(ctx: &Ctx, view: &View, me: usize, doctrine: Doctrine, lo: LegalOrder) -> i32 {
    if loosens_rules(ctx, lo.action) {
        let at_limit = ctx.st.actors[me].rung + 1 >= ctx.st.actors[me].threshold;
        return match doctrine {
            Doctrine::Hawk if at_limit => 95,
            Doctrine::Hawk => 40,
            Doctrine::TitForTat if at_limit && view.attacked => 45,
            Doctrine::Measured if view.at_stake => 50,
            Doctrine::RandomLegal => 0,
            _ => -20,
        };
    }
    let sc = ctx.sc;
    let a = &sc.actions[lo.action];
    let nrungs = sc.meta.ladder.rungs.len().max(1) as i32;
    let rung = ctx.ix.action_rung[lo.action] as i32 * 10 / nrungs; // 0..10
    let host = lo.target.map_or(0, |t| view.host[t]);
    let perceived = lo.target.is_some_and(|t| view.recent[t]);
    if proposes_busy(ctx, lo.action) {
        return -1000;
    }
    let targeted_friendly = |base: i32| match lo.target {
        Some(t) if host < 0 => base + 10 + (sc.actors[t].kind == ActorKind::State) as i32,
        Some(_) => base - 30,
        None => base,
    };
    match doctrine {
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
        Doctrine::Measured => match a.intent {
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
            Intent::Offensive => {
                30 + lo
                    .target
                    .map_or(0, |t| view.swarm_host.get(t).copied().unwrap_or(0))
                    - 2 * rung
            }
            Intent::Punitive | Intent::Signal => 10,
            _ => -20,
        },
    }
}

/// The answer an obliged bot gives to a red line: in kind and in proportion.
fn obligation_answer(
    ctx: &Ctx,
    me: usize,
    doctrine: Doctrine,
    legal: &[LegalOrder],
    taken: &[LegalOrder],
) -> Option<LegalOrder> {
    let sc = ctx.sc;
    for ob in ctx.st.obligations.iter().filter(|o| o.owner == me) {
        let rl = &sc.red_lines[ob.red_line];
        let max = ctx.rung(&rl.response.max_rung);
        let incident = ob
            .incident
            .and_then(|id| ctx.st.incidents.iter().find(|i| i.id == id));
        let (kind, level) = match incident {
            Some(i) => {
                let a = &sc.actions[i.action];
                (Some(a.domain), ctx.rung(&a.rung).min(max))
            }
            None => (None, max),
        };
        let mut best: Option<(i32, LegalOrder)> = None;
        for &lo in legal {
            if lo.target != Some(ob.culprit)
                || taken.iter().any(|t| t.action == lo.action)
                || !answers(sc, ctx.ix, rl, lo.action)
            {
                continue;
            }
            let a = &sc.actions[lo.action];
            let r = ctx.rung(&a.rung);
            if r > max {
                continue;
            }
            let mut s = -10 * (r as i32 - level as i32).abs();
            if Some(a.domain) == kind {
                s += 25;
            }
            if doctrine == Doctrine::Dove {
                s = -(r as i32);
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

/// Chooses up to `limit` legal orders for an actor under a doctrine.
pub fn choose_orders(
    ctx: &Ctx,
    me: usize,
    doctrine: Doctrine,
    limit: usize,
    rng: &mut GameRng,
) -> Vec<LegalOrder> {
    let sc = ctx.sc;
    let mut slots = limit;
    if doctrine == Doctrine::Swarm || sc.actors[me].kind == ActorKind::Swarm {
        let control = sc
            .meta
            .rules
            .controllability_attribute
            .as_ref()
            .and_then(|c| ctx.ix.attributes.get(c))
            .map_or(50, |&c| ctx.st.actors[me].attrs[c]);
        match ctx.st.actors[me].stance {
            Some(SwarmStance::Restrain) => {
                if rng.d100() <= control {
                    return Vec::new();
                }
                slots = 1;
            }
            Some(SwarmStance::Tolerate) if rng.d100() <= 30 => slots = slots.min(1),
            _ => {}
        }
    }
    let legal = ctx.legal_orders(me);
    let view = View::new(ctx, me);
    let mut picks: Vec<LegalOrder> = Vec::new();
    if doctrine != Doctrine::RandomLegal
        && let Some(lo) = obligation_answer(ctx, me, doctrine, &legal, &picks)
    {
        picks.push(lo);
    }
    let doctrine = if sc.actors[me].kind == ActorKind::Swarm && doctrine != Doctrine::RandomLegal {
        Doctrine::Swarm
    } else {
        doctrine
    };
    while picks.len() < slots {
        let candidates: Vec<LegalOrder> = legal
            .iter()
            .copied()
            .filter(|lo| !picks.iter().any(|p| p.action == lo.action))
            .collect();
        if candidates.is_empty() {
            break;
        }
        if doctrine == Doctrine::RandomLegal {
            let i = rng.below(candidates.len() as u32) as usize;
            picks.push(candidates[i]);
            continue;
        }
        let mut best: Option<(i32, LegalOrder)> = None;
        for lo in candidates {
            let s = score(ctx, &view, me, doctrine, lo) + rng.below(15) as i32;
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, lo));
            }
        }
        match best {
            Some((s, lo)) if s > 0 => picks.push(lo),
            _ => break,
        }
    }
    picks
}
