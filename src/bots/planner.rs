//! The planning bot (doctrine `planner`): it looks ahead instead of following a script.
//!
//! Each turn it gathers candidate plans — what each scripted doctrine would order, doing nothing
//! (leaving a red line unanswered, if one is owed), and single orders of its own — then plays
//! each plan a turn or two forward on copies of the game (the engine's own rules, other actors
//! played by the measured doctrine, `samples` futures per plan with dice derived from the game's
//! seed, the same futures for every plan), scores each future by its own objectives
//! ([`crate::sim::objectives::outlook`]) weighted by its persona, and picks the plan with the
//! best mean. It never draws from the game's dice, so a seed gives the same game every time.

use crate::scenario::{Controller, Doctrine, Intent, Scenario, ScenarioIndex};
use crate::sim::eval::{Ctx, GameRng};
use crate::sim::log::{GameLog, Phase};
use crate::sim::orders::{LegalOrder, Order, OrderBook};
use crate::sim::rules::Engine;
use crate::sim::state::GameState;

use super::{BotScratch, choose_orders_into};

/// How hard a planner thinks: futures per plan, turns played ahead, single orders tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannerBudget {
    /// Futures played per candidate plan.
    pub samples: u32,
    /// Turns played ahead (1 or 2).
    pub horizon: u32,
    /// Single orders tried as plans of their own, besides the doctrines' plans.
    pub singles: usize,
}

impl PlannerBudget {
    /// The default: three futures of two turns per plan, up to eight single orders.
    pub const FULL: PlannerBudget = PlannerBudget {
        samples: 3,
        horizon: 2,
        singles: 8,
    };
    /// For analysis runs: one future of one turn per plan, the doctrines' plans only.
    pub const QUICK: PlannerBudget = PlannerBudget {
        samples: 1,
        horizon: 1,
        singles: 0,
    };
}

impl Default for PlannerBudget {
    fn default() -> Self {
        PlannerBudget::FULL
    }
}

/// Whether games started from now on in this process plan with [`PlannerBudget::QUICK`].
static QUICK_BY_DEFAULT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl PlannerBudget {
    /// The budget new games start with: [`PlannerBudget::FULL`] unless an analysis run of this
    /// process asked for [`PlannerBudget::QUICK`] (`simulate --quick-planner`).
    pub fn for_new_games() -> PlannerBudget {
        if QUICK_BY_DEFAULT.load(std::sync::atomic::Ordering::Relaxed) {
            PlannerBudget::QUICK
        } else {
            PlannerBudget::FULL
        }
    }

    /// Makes games started from now on in this process plan quickly (or fully again).
    pub fn set_quick_for_new_games(quick: bool) {
        QUICK_BY_DEFAULT.store(quick, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A planner's choice and its reasons, for the private log.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerChoice {
    /// The orders chosen.
    pub orders: Vec<LegalOrder>,
    /// Why, in one sentence.
    pub reason: String,
}

/// One phase of a turn played on a copy of the game.
type PhaseStep = fn(&mut Engine, &mut OrderBook);

/// What one future looked like for the planner.
struct Future {
    value: f64,
    crisis_rose: bool,
}

/// The scripted doctrines whose plans a planner considers, in a stable order.
const DOCTRINES: [Doctrine; 4] = [
    Doctrine::Measured,
    Doctrine::Dove,
    Doctrine::TitForTat,
    Doctrine::Hawk,
];

/// A salt for the planner's derived dice: turn, actor and purpose.
fn salt(turn: u32, me: usize, purpose: u64) -> u64 {
    (u64::from(turn) << 40) ^ ((me as u64) << 24) ^ purpose ^ 0x504c_414e
}

/// Chooses `me`'s orders (at most `limit`) by playing candidate plans ahead.
pub fn plan(
    sc: &Scenario,
    ix: &ScenarioIndex,
    st: &GameState,
    dice: &GameRng,
    me: usize,
    limit: usize,
    budget: PlannerBudget,
) -> PlannerChoice {
    let ctx = Ctx { sc, ix, st };
    let turn = st.turn;
    let mut candidates: Vec<(String, Vec<LegalOrder>)> = Vec::new();
    if limit > 0 {
        let mut scratch = BotScratch::default();
        scratch.prepare_turn(&ctx);
        for (k, d) in DOCTRINES.into_iter().enumerate() {
            let mut r = dice.derived(salt(turn, me, 100 + k as u64));
            let mut picks = Vec::new();
            choose_orders_into(&ctx, me, d, limit, &mut r, &mut scratch, &mut picks);
            // Every scripted plan answers an owed red line; the same plan without the answer
            // lets the planner weigh what enforcing costs against the credibility it keeps.
            let unanswered: Vec<LegalOrder> = picks
                .iter()
                .copied()
                .filter(|&lo| !answers_an_obligation(&ctx, me, lo))
                .collect();
            let leaves_one = unanswered.len() < picks.len();
            candidates.push((format!("the {} plan", d.cli_name()), picks));
            if leaves_one {
                candidates.push((
                    format!("the {} plan, leaving the red line unanswered", d.cli_name()),
                    unanswered,
                ));
            }
        }
        let mut legal = Vec::new();
        ctx.legal_orders_into(me, &mut legal);
        // A seeded choice of single orders, so that every action gets its turn over a game.
        let mut r = dice.derived(salt(turn, me, 200));
        for _ in 0..budget.singles.min(legal.len()) {
            let k = r.below(legal.len() as u32) as usize;
            let lo = legal.swap_remove(k);
            candidates.push((order_words(sc, lo), vec![lo]));
        }
    }
    candidates.push(("doing nothing".into(), Vec::new()));
    // The same plan reached twice is weighed once (the first name stays).
    let mut seen: Vec<Vec<LegalOrder>> = Vec::new();
    candidates.retain(|(_, orders)| {
        let mut key = orders.clone();
        key.sort();
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    let before = Snapshot::of(sc, ix, st, me);
    let mut scored: Vec<(f64, f64, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(k, (_, orders))| {
            let futures: Vec<Future> = (0..budget.samples.max(1))
                .map(|s| {
                    let r = dice.derived(salt(turn, me, 1000 + u64::from(s)));
                    play_ahead(sc, ix, st, r, me, orders, budget.horizon, &before)
                })
                .collect();
            let n = futures.len() as f64;
            let mean = futures.iter().map(|f| f.value).sum::<f64>() / n;
            let rose = futures.iter().filter(|f| f.crisis_rose).count() as f64 / n;
            (mean, rose, k)
        })
        .collect();
    // Best first; ties keep the candidates' order (doctrines, singles, nothing).
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    let (best, rose, k) = scored[0];
    let orders = candidates[k].1.clone();
    let chosen = if orders.is_empty() {
        "no orders".to_string()
    } else {
        orders
            .iter()
            .map(|&lo| order_words(sc, lo))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // A red line owed and not answered by the choice is said so, for the debrief.
    let leaves_unanswered = st.obligations.iter().any(|ob| ob.owner == me)
        && !orders.iter().any(|&lo| answers_an_obligation(&ctx, me, lo));
    let leaving = if leaves_unanswered {
        ", leaving the red line unanswered"
    } else {
        ""
    };
    let mut reason = format!("chose {chosen}{leaving}: expected score {best:.2}");
    if let Some(&(second, second_rose, j)) = scored.get(1) {
        reason.push_str(&format!("; {} {second:.2}", candidates[j].0));
        if second_rose > rose {
            reason.push_str(&format!(
                " — it raised the crisis in {:.0} % of futures",
                100.0 * second_rose
            ));
        }
    }
    if rose > 0.0 {
        reason.push_str(&format!(
            " (the choice raises the crisis in {:.0} % of futures)",
            100.0 * rose
        ));
    }
    PlannerChoice { orders, reason }
}

/// Whether an order answers one of `me`'s open red-line obligations: it hits the culprit with
/// an action the red line accepts as an answer.
fn answers_an_obligation(ctx: &Ctx, me: usize, lo: LegalOrder) -> bool {
    let answers = &ctx.ix.resolved.red_line_answers;
    ctx.st.obligations.iter().any(|ob| {
        ob.owner == me && lo.target == Some(ob.culprit) && answers[ob.red_line][lo.action]
    })
}

/// An order in words: "sanctions on russia".
fn order_words(sc: &Scenario, lo: LegalOrder) -> String {
    let a = &sc.actions[lo.action].id;
    match lo.target {
        Some(t) => format!("{a} on {}", sc.actors[t].id),
        None => a.to_string(),
    }
}

/// What the persona weighs besides the objectives, before and after a future.
struct Snapshot {
    crisis: usize,
    rung: usize,
    credibility: i32,
}

impl Snapshot {
    fn of(sc: &Scenario, ix: &ScenarioIndex, st: &GameState, me: usize) -> Self {
        Snapshot {
            crisis: st.crisis(),
            rung: st.actors[me].rung,
            // Credibility is what others believe of a line: a private rule has no audience.
            credibility: st
                .red_lines
                .iter()
                .enumerate()
                .filter(|(r, _)| {
                    ix.resolved.red_line_owner[*r] == Some(me) && sc.red_lines[*r].public
                })
                .map(|(_, rl)| rl.credibility)
                .sum(),
        }
    }
}

/// Plays `orders` for `me` and `horizon` turns ahead on a copy of the game, and scores the
/// future reached.
#[allow(clippy::too_many_arguments)]
fn play_ahead(
    sc: &Scenario,
    ix: &ScenarioIndex,
    st: &GameState,
    mut rng: GameRng,
    me: usize,
    orders: &[LegalOrder],
    horizon: u32,
    before: &Snapshot,
) -> Future {
    let mut st = st.clone();
    let start_turn = st.turn;
    // Everyone else is modelled as measured (a planner never looks at teams' secret orders, and
    // planners inside a future do not plan again).
    for (a, actor) in st.actors.iter_mut().enumerate() {
        // A leadership drawn for this game (a temperament) is not known to the others: they
        // expect the measured conduct of a state.
        let modelled = match actor.controller {
            Controller::Bot(Doctrine::Planner) | Controller::Team => true,
            Controller::Bot(_) | Controller::Facilitator => false,
        } || actor.temperament.is_some();
        if modelled || a == me {
            actor.controller = Controller::Bot(Doctrine::Measured);
        }
    }
    let mut log = GameLog {
        disabled: true,
        ..GameLog::default()
    };
    let mut book = OrderBook::default();
    book.orders.insert(
        me,
        orders
            .iter()
            .map(|lo| Order {
                action: sc.actions[lo.action].id.to_string(),
                target: lo.target.map(|t| sc.actors[t].id.to_string()),
            })
            .collect(),
    );
    for step in 0..horizon.max(1) {
        if step > 0 {
            if st.is_over() {
                break;
            }
            Engine::new(sc, ix, &mut st, &mut rng, &mut log, Phase::Briefing).briefing(&mut book);
        }
        let phases: [(Phase, PhaseStep); 7] = [
            (Phase::Orders, |e, b| e.orders(b)),
            (Phase::Resolution, |e, b| e.resolution(b)),
            (Phase::Attribution, |e, _| e.attribution()),
            (Phase::RedLines, |e, _| e.red_lines()),
            (Phase::Diplomacy, |e, b| e.diplomacy(b)),
            (Phase::Escalation, |e, _| e.escalation()),
            (Phase::Endings, |e, _| e.endings()),
        ];
        for (phase, run) in phases {
            if st.is_over() {
                break;
            }
            let mut e = Engine::new(sc, ix, &mut st, &mut rng, &mut log, phase);
            run(&mut e, &mut book);
        }
        Engine::new(sc, ix, &mut st, &mut rng, &mut log, Phase::Log).close_turn(&mut book, false);
    }
    let after = Snapshot::of(sc, ix, &st, me);
    let persona = &sc.actors[me].persona;
    let nrungs = sc.meta.ladder.rungs.len().max(1) as f64;
    let rise = |a: usize, b: usize| a.saturating_sub(b) as f64 / nrungs;
    let crisis_rise = rise(after.crisis, before.crisis);
    let own_rise = rise(after.rung, before.rung);
    let hostile_hits = st
        .history
        .iter()
        .rev()
        .take_while(|r| r.turn >= start_turn)
        .filter(|r| {
            r.actor == me
                && r.success
                && matches!(
                    sc.actions[r.action].intent,
                    Intent::Offensive | Intent::Punitive
                )
        })
        .count() as f64;
    let pct = |p: i32| f64::from(p.clamp(0, 100)) / 100.0;
    let value = crate::sim::objectives::outlook(sc, ix, &st, me)
        - (1.0 - pct(persona.risk_tolerance)) * 0.5 * crisis_rise
        - pct(persona.restraint) * 0.3 * own_rise
        + pct(persona.credibility) * 0.3 * f64::from(after.credibility - before.credibility)
            / 100.0
        + (pct(persona.aggression) - 0.5) * 0.05 * hostile_hits;
    Future {
        value,
        crisis_rose: after.crisis > before.crisis,
    }
}
