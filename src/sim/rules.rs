//! The rules: applying effects, and each phase of a turn.

use super::eval::{Ctx, GameRng};
use super::log::{Audience, Event, GameLog, Phase};
use super::orders::{FacilitatorCommand, LegalOrder, OrderBook};
use super::state::*;
use crate::bots;
use crate::scenario::index::MetricPlan;
use crate::scenario::{
    Confidence, Controller, Doctrine, Effect, Intent, Resolution, Scenario, ScenarioIndex,
    Visibility, Who,
};

/// A change to a number: add, set, or add a percentage of it.
#[derive(Debug, Clone, Copy)]
enum AttrChange {
    Add(i64),
    Set(i64),
    Percent(i64),
}

/// `percent` % of `value`, rounded to the nearest whole unit, halves away from zero
/// (`Scale` by -5 of 100000 is -5000; 5 % of 30 is 2; -5 % of 30 is -2).
pub fn percent_of(value: i64, percent: i64) -> i64 {
    let num = i128::from(value) * i128::from(percent);
    let q = num / 100;
    let r = num % 100;
    let q = if r.abs() * 2 >= 100 {
        q + num.signum()
    } else {
        q
    };
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// What caused effects, for the log and for delayed effects: put into words only when needed,
/// so fast analysis runs build no strings.
#[derive(Debug, Clone, Copy)]
pub struct Source<'s> {
    pre: &'static str,
    id: &'s str,
    post: &'static str,
}

impl<'s> Source<'s> {
    /// `pre`, an id, then `post`: "red line " + id + " enforced".
    pub fn new(pre: &'static str, id: &'s str, post: &'static str) -> Self {
        Source { pre, id, post }
    }
}

impl<'s> From<&'s str> for Source<'s> {
    fn from(id: &'s str) -> Self {
        Source::new("", id, "")
    }
}

impl<'s> From<&'s String> for Source<'s> {
    fn from(id: &'s String) -> Self {
        Source::new("", id, "")
    }
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{}", self.pre, self.id, self.post)
    }
}

impl From<Source<'_>> for String {
    fn from(s: Source<'_>) -> String {
        s.to_string()
    }
}

/// Mutable access to a game for one phase.
pub struct Engine<'a> {
    /// The scenario.
    pub sc: &'a Scenario,
    /// Its index.
    pub ix: &'a ScenarioIndex,
    /// The state.
    pub st: &'a mut GameState,
    /// The dice.
    pub rng: &'a mut GameRng,
    /// The log.
    pub log: &'a mut GameLog,
    /// The phase being run (for the log).
    pub phase: Phase,
    /// Facilitator choices for injects: (inject, choice).
    pub inject_choices: Vec<(usize, usize)>,
    /// Whether the room can see what is happening now: true for overt acts, injects, public red
    /// lines and public attributions; false while a covert or deniable act, a detection or a
    /// private red line applies its effects. Public rungs, public attribute values and the public
    /// log move only while it is true.
    public: bool,
    /// How hard planning bots think this game (see [`crate::bots::planner`]).
    pub planner: crate::bots::planner::PlannerBudget,
    depth: u32,
    /// During a simultaneous resolution: the state at its start, which conditions, legality
    /// and chances read, and the attribute changes waiting to be added up
    /// (`actor * attributes + attribute`).
    simultaneous: Option<(Box<GameState>, Vec<i64>)>,
}

const MAX_DEPTH: u32 = 32;

/// The most effects applied in one turn. A scenario the validator accepts stays far below it
/// (one effect list may cause at most 10,000, E404), but chains the validator cannot see —
/// an action whose detection stages incidents whose detection stages more — could otherwise
/// grow without bound. Past it, the turn's remaining effects are skipped and the log says so.
pub const MAX_EFFECTS_PER_TURN: u32 = 10_000;

impl<'a> Engine<'a> {
    /// An engine for a phase.
    pub fn new(
        sc: &'a Scenario,
        ix: &'a ScenarioIndex,
        st: &'a mut GameState,
        rng: &'a mut GameRng,
        log: &'a mut GameLog,
        phase: Phase,
    ) -> Self {
        Engine {
            sc,
            ix,
            st,
            rng,
            log,
            phase,
            inject_choices: Vec::new(),
            public: true,
            planner: crate::bots::planner::PlannerBudget::FULL,
            depth: 0,
            simultaneous: None,
        }
    }

    /// What conditions read: the live state, or the start-of-resolution state during a
    /// simultaneous resolution.
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            sc: self.sc,
            ix: self.ix,
            st: match &self.simultaneous {
                Some((start, _)) => start,
                None => self.st,
            },
        }
    }

    /// Changes attribute `i` of actor `a` by `delta` (or to `set`), clamped to its range and
    /// logged; during a simultaneous resolution the change waits in the pending sums.
    fn change_attr(&mut self, a: usize, i: usize, change: AttrChange, source: Source<'_>) {
        let na = self.sc.meta.attributes.len();
        let def = &self.sc.meta.attributes[i];
        let apply = |old: i32| {
            def.clamp(match change {
                AttrChange::Add(d) => {
                    i64::from(old).saturating_add(def.diminished_gain(i64::from(old), d))
                }
                AttrChange::Set(v) => v,
                AttrChange::Percent(p) => {
                    i64::from(old).saturating_add(percent_of(i64::from(old), p))
                }
            })
        };
        // In a public context the room sees the change on its own (public) value; during a
        // simultaneous resolution, as a change from the room's value at the start of the turn.
        let public_change = self.public.then(|| {
            let old = self.st.public.attrs[a][i];
            let new = match &self.simultaneous {
                Some((start, _)) => {
                    let base = i64::from(start.public.attrs[a][i]);
                    let delta = match change {
                        AttrChange::Add(d) => d,
                        AttrChange::Set(v) => v - base,
                        AttrChange::Percent(p) => percent_of(base, p),
                    };
                    def.clamp(i64::from(old).saturating_add(delta))
                }
                None => apply(old),
            };
            self.st.public.attrs[a][i] = new;
            (old, new)
        });
        if let Some((start, pending)) = &mut self.simultaneous {
            let base = i64::from(start.actors[a].attrs[i]);
            let delta = match change {
                AttrChange::Add(d) => def.diminished_gain(base, d),
                AttrChange::Set(v) => v - base,
                AttrChange::Percent(p) => percent_of(base, p),
            };
            let slot = &mut pending[a * na + i];
            *slot = slot.saturating_add(delta);
            // The room hears of its change now; the true sum is logged when the turn commits.
            if let Some((old, new)) = public_change
                && old != new
                && def.public
                && self.logging()
            {
                let text = format!(
                    "{} {} {} -> {}",
                    self.id(a),
                    def.id,
                    def.format(i64::from(old)),
                    def.format(i64::from(new))
                );
                self.effect_log(text, source);
            }
            return;
        }
        let old = self.st.actors[a].attrs[i];
        let new = apply(old);
        self.write_attr(a, i, old, new, public_change, source);
    }

    /// Writes an attribute value and logs the change: the room hears of the change to its
    /// public value (`seen`, for a public attribute in a public context); the true change, when
    /// it differs from what the room saw, goes to the actor (and the facilitator) only.
    fn write_attr(
        &mut self,
        a: usize,
        i: usize,
        old: i32,
        new: i32,
        seen: Option<(i32, i32)>,
        source: Source<'_>,
    ) {
        if new != old {
            self.st.actors[a].attrs[i] = new;
        }
        if !self.logging() {
            return;
        }
        let def = &self.sc.meta.attributes[i];
        let line = |a: &str, (old, new): (i32, i32)| {
            format!(
                "{} {} {} -> {}",
                a,
                def.id,
                def.format(i64::from(old)),
                def.format(i64::from(new))
            )
        };
        let seen = seen.filter(|(o, n)| def.public && o != n);
        if let Some(public) = seen {
            let text = line(&self.id(a), public);
            self.effect_log(text, source);
        }
        if new != old && seen != Some((old, new)) {
            let text = line(&self.id(a), (old, new));
            let aud = self.private(&[a]);
            self.push(
                aud,
                Event::Effect {
                    text,
                    source: source.into(),
                },
            );
        }
    }

    /// Changes relation `r` between every actor of `from` and every other actor of `to`.
    fn change_relation(
        &mut self,
        r: usize,
        from: &Who,
        to: &Who,
        b: Bindings,
        change: AttrChange,
        source: Source<'_>,
    ) {
        let n = self.sc.actors.len();
        let (lo, hi) = self.ix.resolved.relation_bounds[r];
        let def = &self.sc.meta.relations[r];
        for x in self.who(from, b) {
            for y in self.who(to, b) {
                if x == y {
                    continue;
                }
                let old = self.st.relations[r][x * n + y];
                let new = match change {
                    AttrChange::Add(d) => i64::from(old).saturating_add(d),
                    AttrChange::Set(v) => v,
                    AttrChange::Percent(p) => i64::from(old) + percent_of(i64::from(old), p),
                };
                let new = if def.flag {
                    i32::from(new != 0)
                } else {
                    new.clamp(i64::from(lo), i64::from(hi)) as i32
                };
                self.st.relations[r][x * n + y] = new;
                if def.symmetric {
                    self.st.relations[r][y * n + x] = new;
                }
                if new != old && self.logging() {
                    let text = format!(
                        "{} {} {} {} -> {}",
                        def.id,
                        self.id(x),
                        self.id(y),
                        old,
                        new
                    );
                    self.effect_log(text, source);
                }
            }
        }
    }

    fn id(&self, actor: usize) -> String {
        self.sc.actors[actor].id.clone()
    }

    fn rung_id(&self, rung: usize) -> String {
        self.sc.meta.ladder.rungs[rung].id.clone()
    }

    /// Whether log entries are recorded (fast analysis runs skip building them).
    fn logging(&self) -> bool {
        !self.log.disabled
    }

    fn push(&mut self, audience: Audience, event: Event) {
        self.log.push(self.st.turn, self.phase, audience, event);
    }

    fn private(&self, actors: &[usize]) -> Audience {
        let mut ids: Vec<String> = actors.iter().map(|&a| self.id(a)).collect();
        ids.dedup();
        Audience::Private(ids)
    }

    /// Runs `f` with what conditions read (the state at the start of a simultaneous
    /// resolution, else the state as it stands) and the dice.
    fn with_condition_ctx<R>(&mut self, f: impl FnOnce(Ctx<'_>, &mut GameRng) -> R) -> R {
        let st = match &self.simultaneous {
            Some((start, _)) => start,
            None => &*self.st,
        };
        let ctx = Ctx {
            sc: self.sc,
            ix: self.ix,
            st,
        };
        f(ctx, &mut *self.rng)
    }

    /// Evaluates a condition with the dice.
    pub fn eval(&mut self, c: &crate::scenario::Condition, b: Bindings) -> bool {
        self.with_condition_ctx(|ctx, rng| ctx.eval(c, b, Some(rng)))
    }

    /// Tests a compiled condition with the dice, on the state [`Engine::eval`] reads.
    pub fn test(&mut self, c: &crate::scenario::compiled::Cond, b: Bindings) -> bool {
        self.with_condition_ctx(|ctx, rng| ctx.test(c, b, Some(rng)))
    }

    fn who(&self, w: &Who, b: Bindings) -> super::eval::WhoSet {
        self.ctx().who_set(w, b)
    }

    fn fill(&self, text: &str, b: Bindings) -> String {
        let mut out = text.to_string();
        for (key, who) in [
            ("{acting}", b.acting),
            ("{target}", b.target),
            ("{owner}", b.owner),
            ("{each}", b.each),
        ] {
            if let Some(a) = who {
                out = out.replace(key, &self.sc.actors[a].name);
            }
        }
        out
    }

    fn effect_log(&mut self, text: String, source: Source<'_>) {
        self.push(
            Audience::Public,
            Event::Effect {
                text,
                source: source.to_string(),
            },
        );
    }

    /// Runs `f` with the room seeing (`public`) or not seeing what happens, then restores the
    /// context. A public step inside a hidden one stays hidden only if it is itself hidden:
    /// a public attribution made by a covert act's effects is still public.
    fn with_publicity<R>(&mut self, public: bool, f: impl FnOnce(&mut Self) -> R) -> R {
        let was = self.public;
        self.public = public;
        let out = f(self);
        self.public = was;
        out
    }

    /// Who may see a change to `actors` made now: the room in a public context, otherwise the
    /// actors concerned (and the facilitator, who sees everything).
    fn audience_now(&self, actors: &[usize]) -> Audience {
        if self.public {
            Audience::Public
        } else {
            self.private(actors)
        }
    }

    /// Moves an actor to a rung. The true rung always moves; the public rung moves with it only
    /// in a public context. A hidden move is logged for the actor (and the facilitator) only.
    pub fn set_rung(&mut self, actor: usize, rung: usize) {
        let rung = rung.min(self.sc.meta.ladder.rungs.len().saturating_sub(1));
        let from = self.st.actors[actor].rung;
        if from != rung {
            self.st.actors[actor].rung = rung;
            if !self.public && self.logging() {
                let event = Event::Escalated {
                    actor: self.id(actor),
                    from: self.rung_id(from),
                    to: self.rung_id(rung),
                };
                let aud = self.private(&[actor]);
                self.push(aud, event);
            }
        }
        if self.public {
            self.set_public_rung(actor, rung);
        }
    }

    /// Moves an actor's public rung (what the room sees on the ladder), logging it publicly.
    fn set_public_rung(&mut self, actor: usize, rung: usize) {
        let rung = rung.min(self.sc.meta.ladder.rungs.len().saturating_sub(1));
        let from = self.st.public.rungs[actor];
        if from != rung {
            self.st.public.rungs[actor] = rung;
            if self.logging() {
                let event = Event::Escalated {
                    actor: self.id(actor),
                    from: self.rung_id(from),
                    to: self.rung_id(rung),
                };
                self.push(Audience::Public, event);
            }
        }
    }

    /// Raises an actor to at least `rung` (never lowers it): the true rung, and the public one
    /// in a public context.
    fn raise_rung(&mut self, actor: usize, rung: usize) {
        let true_rung = self.st.actors[actor].rung;
        let public_rung = self.st.public.rungs[actor];
        let raise_true = rung > true_rung;
        let raise_public = self.public && rung > public_rung;
        if raise_true && raise_public && true_rung == public_rung {
            // Both move together: one public move.
            self.set_rung(actor, rung);
            return;
        }
        if raise_true {
            self.with_publicity(false, |e| e.set_rung(actor, rung));
        }
        if raise_public {
            self.set_public_rung(actor, rung);
        }
    }

    /// Applies effects in order.
    pub fn apply<'s>(&mut self, effects: &[Effect], b: Bindings, source: impl Into<Source<'s>>) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let source = source.into();
        self.depth += 1;
        for e in effects {
            self.apply_one(e, b, source);
        }
        self.depth -= 1;
    }

    fn apply_one(&mut self, e: &Effect, b: Bindings, source: Source<'_>) {
        if self.st.effects_this_turn >= MAX_EFFECTS_PER_TURN {
            return;
        }
        self.st.effects_this_turn += 1;
        if self.st.effects_this_turn == MAX_EFFECTS_PER_TURN && self.logging() {
            self.effect_log(
                format!("{MAX_EFFECTS_PER_TURN} effects this turn: the rest of the turn's effects are skipped"),
                source,
            );
        }
        // The highest ladder position (0 on a ladder without rungs, which the validator refuses).
        let top = self.sc.meta.ladder.rungs.len().saturating_sub(1) as i64;
        match e {
            Effect::AddAttr(w, attr, n)
            | Effect::SetAttr(w, attr, n)
            | Effect::Scale(w, attr, n) => {
                let Some(&i) = self.ix.attributes.get(attr) else {
                    return;
                };
                let change = match e {
                    Effect::AddAttr(..) => AttrChange::Add(i64::from(*n)),
                    Effect::SetAttr(..) => AttrChange::Set(i64::from(*n)),
                    _ => AttrChange::Percent(i64::from(*n)),
                };
                for a in self.who(w, b) {
                    self.change_attr(a, i, change, source);
                }
            }
            Effect::SetRelation(rel, x, y, n) | Effect::AddRelation(rel, x, y, n) => {
                let Some(&r) = self.ix.relations.get(rel) else {
                    return;
                };
                let change = match e {
                    Effect::AddRelation(..) => AttrChange::Add(i64::from(*n)),
                    _ => AttrChange::Set(i64::from(*n)),
                };
                self.change_relation(r, x, y, b, change, source);
            }
            Effect::Use(name) => {
                if let Some(&k) = self.ix.effect_snippets.get(name) {
                    let sc = self.sc;
                    self.apply(&sc.snippets.effects[k].effects, b, source);
                }
            }
            Effect::Damage(w, sector, n) | Effect::Harden(w, sector, n) => {
                let Some(&s) = self.ix.sectors.get(sector) else {
                    return;
                };
                for a in self.who(w, b) {
                    let logging = self.logging();
                    let st = &mut self.st.actors[a];
                    let text = if matches!(e, Effect::Damage(..)) {
                        // In i64: no overflow whatever the amount; the result is clamped to 0–100.
                        let kept = 100 - i64::from(st.resilience[s].clamp(0, 100));
                        let applied = i64::from(*n) * kept / 100;
                        let old = st.damage[s];
                        st.damage[s] = (i64::from(old) + applied).clamp(0, 100) as i32;
                        if !logging {
                            continue;
                        }
                        format!(
                            "{} {} damage {} -> {}",
                            self.id(a),
                            sector,
                            old,
                            self.st.actors[a].damage[s]
                        )
                    } else {
                        let old = st.resilience[s];
                        st.resilience[s] = old.saturating_add(*n).clamp(0, 100);
                        if !logging {
                            continue;
                        }
                        format!(
                            "{} {} resilience {} -> {}",
                            self.id(a),
                            sector,
                            old,
                            self.st.actors[a].resilience[s]
                        )
                    };
                    let aud = self.audience_now(&[a]);
                    self.push(
                        aud,
                        Event::Effect {
                            text,
                            source: source.into(),
                        },
                    );
                }
            }
            Effect::EscalateTo(w, rung) => {
                let r = self.ctx().rung(rung);
                for a in self.who(w, b) {
                    self.set_rung(a, r);
                }
            }
            Effect::EscalateBy(w, n) => {
                for a in self.who(w, b) {
                    let r = (self.st.actors[a].rung as i64 + i64::from(*n)).clamp(0, top) as usize;
                    let public = self.public;
                    self.with_publicity(false, |e| e.set_rung(a, r));
                    if public {
                        let p = (self.st.public.rungs[a] as i64 + i64::from(*n)).clamp(0, top);
                        self.set_public_rung(a, p as usize);
                    }
                }
            }
            Effect::ShiftThreshold(w, n) => {
                for a in self.who(w, b) {
                    let old = self.st.actors[a].threshold;
                    let new = (old as i64 + i64::from(*n)).clamp(0, top) as usize;
                    self.st.actors[a].threshold = new;
                    let text = format!(
                        "{} rules-of-engagement threshold {} -> {}",
                        self.id(a),
                        self.rung_id(old),
                        self.rung_id(new)
                    );
                    self.effect_log(text, source);
                }
            }
            Effect::SetThreshold(w, rung) => {
                let r = self.ctx().rung(rung);
                for a in self.who(w, b) {
                    let old = self.st.actors[a].threshold;
                    self.st.actors[a].threshold = r;
                    if old != r && self.logging() {
                        let text = format!(
                            "{} rules-of-engagement threshold {} -> {}",
                            self.id(a),
                            self.rung_id(old),
                            self.rung_id(r)
                        );
                        self.effect_log(text, source);
                    }
                }
            }
            Effect::StageIncident {
                action,
                by,
                against,
            } => {
                let Some(&act) = self.ix.actions.get(action) else {
                    return;
                };
                for actor in self.who(by, b) {
                    for victim in self.who(against, b) {
                        if actor != victim {
                            self.create_incident(actor, victim, act, true);
                        }
                    }
                }
            }
            Effect::DeclareRedLine(id) | Effect::WithdrawRedLine(id) => {
                if let Some(&r) = self.ix.red_lines.get(id) {
                    let declare = matches!(e, Effect::DeclareRedLine(_));
                    self.st.red_lines[r].declared = declare;
                    if !declare {
                        self.st.obligations.retain(|o| o.red_line != r);
                    }
                    let rl = &self.sc.red_lines[r];
                    let text = format!(
                        "red line {id} {}",
                        if declare { "declared" } else { "withdrawn" }
                    );
                    let aud = if rl.public {
                        Audience::Public
                    } else {
                        let owner = self.ix.actors.get(&rl.owner).copied().unwrap_or(0);
                        self.private(&[owner])
                    };
                    self.push(
                        aud,
                        Event::Effect {
                            text,
                            source: source.into(),
                        },
                    );
                }
            }
            Effect::AdjustCredibility(id, n) => {
                if let Some(&r) = self.ix.red_lines.get(id) {
                    let c = &mut self.st.red_lines[r].credibility;
                    let old = *c;
                    *c = c.saturating_add(*n).clamp(0, 100);
                    let new = *c;
                    let seen = self.public && self.sc.red_lines[r].public;
                    if seen {
                        let p = &mut self.st.public.red_lines[r].credibility;
                        *p = p.saturating_add(*n).clamp(0, 100);
                    }
                    if self.logging() {
                        let text = format!("red line {id} credibility {old} -> {new}");
                        let owner = self.ix.resolved.red_line_owner[r].unwrap_or(0);
                        let aud = if seen {
                            Audience::Public
                        } else {
                            self.private(&[owner])
                        };
                        self.push(
                            aud,
                            Event::Effect {
                                text,
                                source: source.into(),
                            },
                        );
                    }
                }
            }
            Effect::EnableAction(w, action) | Effect::DisableAction(w, action) => {
                if let Some(&act) = self.ix.actions.get(action) {
                    let on = matches!(e, Effect::EnableAction(..));
                    for a in self.who(w, b) {
                        self.st.actors[a].action_overrides.insert(act, on);
                        let aud = self.private(&[a]);
                        let text = format!(
                            "{} may {}take {}",
                            self.id(a),
                            if on { "now " } else { "no longer " },
                            action
                        );
                        self.push(
                            aud,
                            Event::Effect {
                                text,
                                source: source.into(),
                            },
                        );
                    }
                }
            }
            Effect::SetStance(w, stance) => {
                for a in self.who(w, b) {
                    self.st.actors[a].stance = Some(*stance);
                    let text = format!("{} stance {:?}", self.id(a), stance);
                    self.effect_log(text, source);
                }
            }
            Effect::OpenChannel(x, y) | Effect::CloseChannel(x, y) => {
                let open = matches!(e, Effect::OpenChannel(..));
                for a in self.who(x, b) {
                    for c in self.who(y, b) {
                        if a == c {
                            continue;
                        }
                        let key = (a.min(c), a.max(c));
                        let changed = if open {
                            self.st.channels.insert(key)
                        } else {
                            self.st.channels.remove(&key)
                        };
                        if changed {
                            let text = format!(
                                "channel {}-{} {}",
                                self.id(key.0),
                                self.id(key.1),
                                if open { "opened" } else { "closed" }
                            );
                            self.effect_log(text, source);
                        }
                    }
                }
            }
            Effect::Propose(p, to) => {
                let (Some(&prop), Some(from)) = (self.ix.proposals.get(p), b.acting) else {
                    return;
                };
                for t in self.who(to, b) {
                    if t == from {
                        continue;
                    }
                    let busy = self.st.pending.iter().any(|x| x.proposal == prop)
                        || self.st.agreements.iter().any(|x| x.proposal == prop);
                    if busy {
                        continue;
                    }
                    self.st.pending.push(PendingProposal {
                        proposal: prop,
                        from,
                        to: t,
                        turn: self.st.turn,
                    });
                    let ev = Event::Proposed {
                        proposal: p.clone(),
                        from: self.id(from),
                        to: self.id(t),
                    };
                    self.push(Audience::Public, ev);
                }
            }
            Effect::BreakAgreement(p) => {
                if let Some(&prop) = self.ix.proposals.get(p) {
                    let before = self.st.agreements.len();
                    self.st.agreements.retain(|a| a.proposal != prop);
                    if self.st.agreements.len() != before {
                        self.effect_log(format!("agreement {p} broken"), source);
                    }
                }
            }
            Effect::AddEvidence(w, n) => {
                let victims = self.who(w, b);
                for i in 0..self.st.incidents.len() {
                    let inc = &self.st.incidents[i];
                    if inc.detected.is_some() && !inc.public && victims.contains(&inc.victim) {
                        self.add_evidence(i, *n);
                    }
                }
            }
            Effect::Reveal { victim, culprit } => {
                let victims = self.who(victim, b);
                let culprits = self.who(culprit, b);
                for i in 0..self.st.incidents.len() {
                    let inc = &self.st.incidents[i];
                    if inc.detected.is_none()
                        && victims.contains(&inc.victim)
                        && culprits.contains(&inc.actor)
                    {
                        self.detect(i, false);
                        self.add_evidence(i, self.sc.meta.rules.reveal_evidence);
                    }
                }
            }
            Effect::PublicAttribution { victim, culprit } => {
                let victims = self.who(victim, b);
                let culprits = self.who(culprit, b);
                for i in 0..self.st.incidents.len() {
                    let inc = &self.st.incidents[i];
                    if inc.detected.is_some()
                        && !inc.public
                        && victims.contains(&inc.victim)
                        && inc.suspect.is_some_and(|s| culprits.contains(&s))
                    {
                        self.make_public(i);
                    }
                }
            }
            Effect::Acknowledge(w) => {
                for a in self.who(w, b) {
                    for i in 0..self.st.incidents.len() {
                        if self.st.incidents[i].actor == a && !self.st.incidents[i].public {
                            let turn = self.st.turn;
                            let inc = &mut self.st.incidents[i];
                            inc.suspect = Some(a);
                            inc.evidence = 100;
                            if inc.detected.is_none() {
                                inc.detected = Some(turn);
                            }
                            self.make_public(i);
                        }
                    }
                }
            }
            Effect::FireInject(id) => {
                if let Some(&i) = self.ix.injects.get(id) {
                    self.fire_inject(i);
                }
            }
            Effect::ScheduleInject(id, n) => {
                if let Some(&i) = self.ix.injects.get(id) {
                    // Saturating: a delay past the end of time never comes (and never wraps to now).
                    let due = self.st.turn.saturating_add((*n).max(1));
                    self.st.scheduled.push((due, i));
                }
            }
            Effect::Headline(text) => {
                let text = self.fill(text, b);
                self.headline(text);
            }
            Effect::SetSwitch(name, on) => {
                if *on {
                    self.st.switches.insert(name.clone());
                } else {
                    self.st.switches.remove(name);
                }
            }
            Effect::EndGame(id) => {
                if let Some(&i) = self.ix.endings.get(id)
                    && self.st.ending.is_none()
                {
                    self.st.ending = Some(EndingReached {
                        ending: i,
                        turn: self.st.turn,
                    });
                }
            }
            Effect::If(c, then, otherwise) => {
                if self.eval(c, b) {
                    self.apply(then, b, source);
                } else {
                    self.apply(otherwise, b, source);
                }
            }
            Effect::Random(branches) => {
                let weights: Vec<u32> = branches.iter().map(|(w, _)| *w).collect();
                if let Some(i) = self.rng.weighted(&weights) {
                    self.apply(&branches[i].1, b, source);
                }
            }
            Effect::After(n, effects) => {
                self.st.delayed.push(Delayed {
                    due: self.st.turn.saturating_add((*n).max(1)),
                    effects: effects.clone(),
                    bindings: b,
                    source: source.to_string(),
                    public: self.public,
                });
            }
            Effect::ForEach(w, effects) => {
                for a in self.who(w, b) {
                    let mut b2 = b;
                    b2.each = Some(a);
                    self.apply(effects, b2, source);
                }
            }
        }
    }

    /// Records this turn's metrics (at the escalation phase, before endings read them).
    fn record_metrics(&mut self) {
        let plans = &self.ix.resolved.metrics;
        if plans.is_empty() {
            return;
        }
        let n = self.sc.actors.len();
        let turn = self.st.turn;
        let this_turn = || self.st.history.iter().rev().take_while(|r| r.turn == turn);
        // One buffer per turn: each metric's values by actor, then its total.
        let mut values: Vec<i64> = Vec::with_capacity(plans.len() * (n + 1));
        for plan in plans {
            let start = values.len();
            values.resize(start + n, 0);
            {
                let v = &mut values[start..];
                match plan {
                    MetricPlan::EscalationScore => {
                        for r in this_turn() {
                            v[r.actor] += self.ix.resolved.action_score[r.action];
                        }
                    }
                    MetricPlan::Attr(i) => {
                        for (a, x) in v.iter_mut().enumerate() {
                            *x = i64::from(self.st.actors[a].attrs[*i]);
                        }
                    }
                    MetricPlan::Orders(marked) => {
                        for r in this_turn() {
                            v[r.actor] += i64::from(marked[r.action]);
                        }
                    }
                    MetricPlan::IncidentsDetected => {
                        for inc in &self.st.incidents {
                            if inc.detected == Some(turn) {
                                v[inc.victim] += 1;
                            }
                        }
                    }
                }
            }
            let total = values[start..]
                .iter()
                .fold(0i64, |t, x| t.saturating_add(*x));
            values.push(total);
        }
        self.st.metrics.push(MetricRow {
            turn,
            actors: n,
            values,
        });
    }

    fn headline(&mut self, text: String) {
        self.st.headlines.push((self.st.turn, text.clone()));
        self.push(Audience::Public, Event::Headline { text });
    }

    /// Fires an inject (once per game).
    pub fn fire_inject(&mut self, i: usize) {
        if self.st.injects_fired[i].is_some() {
            return;
        }
        let sc = self.sc;
        let inj = &sc.injects[i];
        self.st.injects_fired[i] = Some(self.st.turn);
        self.st.headlines.push((self.st.turn, inj.headline.clone()));
        self.push(
            Audience::Public,
            Event::Inject {
                inject: inj.id.clone(),
                headline: inj.headline.clone(),
            },
        );
        let source = Source::new("inject ", &inj.id, "");
        let b = Bindings {
            acting: inj
                .acting
                .as_ref()
                .and_then(|a| self.ix.actors.get(a).copied()),
            ..Default::default()
        };
        self.apply(&inj.effects, b, source);
        if !inj.choices.is_empty() {
            let chosen = self
                .inject_choices
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, c)| *c)
                .filter(|c| *c < inj.choices.len())
                .or_else(|| {
                    let w: Vec<u32> = inj.choices.iter().map(|c| c.weight).collect();
                    self.rng.weighted(&w)
                });
            if let Some(c) = chosen {
                let choice = &inj.choices[c];
                self.push(
                    Audience::Public,
                    Event::InjectChoice {
                        inject: inj.id.clone(),
                        choice: choice.label.clone(),
                    },
                );
                self.apply(&choice.effects, b, source);
            }
        }
    }

    fn log_attribution(&mut self, i: usize) {
        if !self.logging() {
            return;
        }
        let inc = self.st.incidents[i].clone();
        let ev = Event::Attribution {
            incident: inc.id,
            victim: self.id(inc.victim),
            suspect: inc.suspect.map(|s| self.id(s)),
            confidence: inc.evidence,
            level: Confidence::from_value(inc.evidence),
            wrong: inc.misattributed(),
        };
        let aud = self.private(&[inc.victim]);
        self.push(aud, ev);
    }

    fn add_evidence(&mut self, i: usize, n: i32) {
        let before = self.st.incidents[i].evidence;
        let after = before.saturating_add(n).clamp(0, 100);
        if after != before {
            self.st.incidents[i].evidence = after;
            self.st.incidents[i].updated = self.st.turn;
            self.log_attribution(i);
        }
    }

    /// The victim detects an incident: it gains initial evidence and suspects someone.
    fn detect(&mut self, i: usize, may_mislead: bool) {
        let inc = self.st.incidents[i].clone();
        let action = &self.sc.actions[inc.action];
        let prof = &action.attribution;
        let mut suspect = inc.actor;
        if may_mislead && let Some(w) = &prof.mislead_to {
            let channel = self
                .st
                .channels
                .contains(&(inc.actor.min(inc.victim), inc.actor.max(inc.victim)));
            let chance = if channel {
                prof.mislead_chance / 2
            } else {
                prof.mislead_chance
            };
            let b = Bindings {
                acting: Some(inc.actor),
                target: Some(inc.victim),
                ..Default::default()
            };
            let blamed = self
                .who(w, b)
                .into_iter()
                .find(|&x| x != inc.victim && x != inc.actor);
            if let Some(x) = blamed
                && self.rng.d100() <= chance
            {
                suspect = x;
            }
        }
        {
            let turn = self.st.turn;
            let m = &mut self.st.incidents[i];
            m.detected = Some(turn);
            m.updated = turn;
            m.evidence = m.evidence.max(prof.initial_evidence.clamp(0, 100));
            m.suspect = Some(suspect);
        }
        if self.logging() {
            let ev = Event::Detected {
                incident: inc.id,
                victim: self.id(inc.victim),
                suspect: Some(self.id(suspect)),
                confidence: self.st.incidents[i].evidence,
            };
            let aud = self.private(&[inc.victim]);
            self.push(aud, ev);
        }
        self.log_attribution(i);
        // A detection is the victim's private knowledge: the true author's rung rises (the
        // victim now perceives escalation), but the room sees nothing until it is made public.
        self.with_publicity(false, |e| {
            e.raise_rung(inc.actor, e.ix.action_rung[inc.action]);
            let b = Bindings {
                acting: Some(inc.actor),
                target: Some(inc.victim),
                ..Default::default()
            };
            let sc = e.sc;
            let src = Source::new("detection of ", &sc.actions[inc.action].id, "");
            e.apply(&sc.actions[inc.action].on_detection, b, src);
        });
    }

    /// An incident becomes publicly attributed to its suspect; the norms it breaks now count against them.
    fn make_public(&mut self, i: usize) {
        self.st.incidents[i].public = true;
        self.st.incidents[i].updated = self.st.turn;
        let inc = self.st.incidents[i].clone();
        let named = inc.suspect.unwrap_or(inc.actor);
        if self.logging() {
            let ev = Event::PublicAttribution {
                incident: inc.id,
                victim: self.id(inc.victim),
                culprit: self.id(named),
            };
            self.push(Audience::Public, ev);
        }
        // The room now sees the named actor at the act's rung, and the norms it broke.
        self.with_publicity(true, |e| {
            let rung = e.ix.action_rung[inc.action];
            if rung > e.st.public.rungs[named] {
                e.set_public_rung(named, rung);
            }
            e.norms(inc.action, named, true, false);
        });
    }

    fn norms(&mut self, action: usize, actor: usize, breaches: bool, upholds: bool) {
        let sc = self.sc;
        let (broken, upheld) = &self.ix.resolved.action_norms[action];
        let b = Bindings {
            acting: Some(actor),
            ..Default::default()
        };
        if breaches {
            for &k in broken {
                self.st.actors[actor].norms_broken.push(k);
                let src = Source::new("norm ", &sc.meta.norms[k].id, " breached");
                self.apply(&sc.meta.norms[k].on_breach, b, src);
            }
        }
        if upholds {
            for &k in upheld {
                self.st.actors[actor].norms_upheld.push(k);
                let src = Source::new("norm ", &sc.meta.norms[k].id, " upheld");
                self.apply(&sc.meta.norms[k].on_uphold, b, src);
            }
        }
    }

    // ---------------------------------------------------------------- phases

    /// Briefing: facilitator commands, upkeep, scheduled, scripted and triggered injects.
    pub fn briefing(&mut self, book: &mut OrderBook) {
        let turn = self.st.turn;
        self.st.effects_this_turn = 0;
        self.push(Audience::Public, Event::TurnStarted { turn });
        for cmd in std::mem::take(&mut book.commands) {
            match cmd {
                FacilitatorCommand::SetSwitch(name, on) => {
                    if on {
                        self.st.switches.insert(name);
                    } else {
                        self.st.switches.remove(&name);
                    }
                }
                FacilitatorCommand::ReleaseInject(id) => {
                    if let Some(&i) = self.ix.injects.get(&id) {
                        self.st.scheduled.push((turn, i));
                    }
                }
                FacilitatorCommand::ForceOutcome(actor, action, success) => {
                    if let (Some(&a), Some(&act)) =
                        (self.ix.actors.get(&actor), self.ix.actions.get(&action))
                    {
                        book.forced.retain(|(x, y, _)| (*x, *y) != (a, act));
                        book.forced.push((a, act, success));
                    }
                }
                FacilitatorCommand::ChooseInjectOption(id, c) => {
                    if let Some(&i) = self.ix.injects.get(&id) {
                        self.inject_choices.push((i, c));
                    }
                }
                FacilitatorCommand::Note(text) => {
                    self.push(
                        Audience::Private(Vec::new()),
                        Event::FacilitatorNote { text },
                    );
                }
            }
        }
        if turn > 1 {
            let sc = self.sc;
            self.apply(&sc.meta.upkeep, Bindings::default(), "upkeep");
        }
        let due: Vec<usize> = self
            .st
            .scheduled
            .iter()
            .filter(|(t, _)| *t <= turn)
            .map(|(_, i)| *i)
            .collect();
        self.st.scheduled.retain(|(t, _)| *t > turn);
        for i in due {
            self.fire_inject(i);
        }
        let sc = self.sc;
        let ix = self.ix;
        for (i, inj) in sc.injects.iter().enumerate() {
            let fire = match &inj.when {
                crate::scenario::InjectWhen::Turn(t) => *t == turn,
                crate::scenario::InjectWhen::Condition(_) => {
                    self.st.injects_fired[i].is_none()
                        && ix.conditions.inject_triggers[i]
                            .as_ref()
                            .is_some_and(|c| self.test(c, Bindings::default()))
                }
                crate::scenario::InjectWhen::Facilitator => false,
            };
            if fire {
                self.fire_inject(i);
            }
        }
    }

    /// Orders: bots choose for the actors they play; every order is checked and logged.
    pub fn orders(&mut self, book: &mut OrderBook) {
        let limit = self.sc.meta.rules.orders_per_turn as usize;
        let n = self.sc.actors.len();
        let logging = self.logging();
        let mut legal = std::mem::take(&mut book.legal);
        legal.resize_with(n, Vec::new);
        legal.iter_mut().for_each(Vec::clear);
        // Bots first (the state does not change while orders are chosen; only bots roll dice,
        // in actor order), then every actor's orders checked and logged in actor order.
        // Each actor's order limit this turn, in actor order: a restrained or tolerated swarm may
        // stay quiet or act less, whoever plays it (the dice are drawn just before its bot's).
        let mut limits = std::mem::take(&mut book.limits);
        limits.clear();
        limits.resize(n, limit);
        let any_bot = (0..n).any(|a| {
            !book.orders.contains_key(&a)
                && matches!(self.st.actors[a].controller, Controller::Bot(_))
        });
        let ctx = Ctx {
            sc: self.sc,
            ix: self.ix,
            st: self.st,
        };
        let rng = &mut *self.rng;
        bots::with_scratch(|scratch| {
            if any_bot {
                scratch.prepare_turn(&ctx);
            }
            for (actor, picks) in legal.iter_mut().enumerate() {
                limits[actor] = ctx.order_limit(actor, limit, rng);
                if let (Controller::Bot(doctrine), false) = (
                    &ctx.st.actors[actor].controller,
                    book.orders.contains_key(&actor),
                ) && *doctrine != Doctrine::Planner
                {
                    bots::choose_orders_into(
                        &ctx,
                        actor,
                        *doctrine,
                        limits[actor],
                        rng,
                        scratch,
                        picks,
                    );
                }
            }
        });
        // Planners play ahead on copies of the game (after the scripted bots, outside their
        // shared buffers), with dice derived from the game's seed: the game's dice do not move.
        let mut reasons = Vec::new();
        for (actor, picks) in legal.iter_mut().enumerate() {
            if self.st.actors[actor].controller == Controller::Bot(Doctrine::Planner)
                && !book.orders.contains_key(&actor)
            {
                let choice = crate::bots::planner::plan(
                    self.sc,
                    self.ix,
                    self.st,
                    self.rng,
                    actor,
                    limits[actor],
                    self.planner,
                );
                picks.extend(choice.orders);
                reasons.push((actor, choice.reason));
            }
        }
        if logging {
            if self.st.turn == 1 {
                // Who leads a bot this game: the facilitator's and the debrief's to know.
                for (actor, a) in self.st.actors.iter().enumerate() {
                    if let (Some(name), Controller::Bot(d)) = (&a.temperament, &a.controller) {
                        let text =
                            format!("led this game by {name}: its bot plays {}", d.cli_name());
                        reasons.insert(0, (actor, text));
                    }
                }
                reasons.sort_by_key(|(actor, _)| *actor);
            }
            for (actor, reason) in reasons {
                // The bot's reasons are for its own eyes and the facilitator's (and the debrief).
                let aud = self.private(&[actor]);
                let ev = Event::BotReason {
                    actor: self.id(actor),
                    text: reason,
                };
                self.push(aud, ev);
            }
        }
        for (actor, picks) in legal.iter_mut().enumerate() {
            if let Some(orders) = book.orders.get(&actor) {
                let orders = orders.clone();
                for o in orders {
                    match self.ctx().check_order(actor, &o) {
                        Ok(lo) => picks.push(lo),
                        Err(reason) => {
                            let aud = self.private(&[actor]);
                            let ev = Event::OrderRejected {
                                actor: self.id(actor),
                                action: o.action.clone(),
                                reason,
                            };
                            self.push(aud, ev);
                        }
                    }
                }
                book.chosen_by.entry(actor).or_insert_with(|| "team".into());
            } else if let Controller::Bot(doctrine) = &self.st.actors[actor].controller
                && logging
            {
                book.chosen_by
                    .insert(actor, format!("bot:{}", doctrine.cli_name()));
            }
            self.keep_within_limits(picks, limits[actor]);
            if !logging {
                continue;
            }
            let mut kept = Vec::with_capacity(picks.len());
            for lo in picks.iter() {
                let order = super::orders::Order {
                    action: self.sc.actions[lo.action].id.clone(),
                    target: lo.target.map(|t| self.id(t)),
                };
                let aud = self.private(&[actor]);
                let ev = Event::Order {
                    actor: self.id(actor),
                    action: order.action.clone(),
                    target: order.target.clone(),
                    by: book.chosen_by.get(&actor).cloned().unwrap_or_default(),
                };
                self.push(aud, ev);
                kept.push(order);
            }
            book.orders.insert(actor, kept);
            if let Some(text) = book.rationales.get(&actor) {
                let aud = self.private(&[actor]);
                let ev = Event::Rationale {
                    actor: self.id(actor),
                    text: text.clone(),
                };
                self.push(aud, ev);
            }
        }
        book.legal = legal;
        book.limits = limits;
    }

    /// Drops the orders beyond the turn's limits, keeping them in the order given: at most
    /// `overall` that are not free (`rules.free_orders`), and each of `rules.limits`. An actor
    /// held to 0 below the scenario's `orders_per_turn` (a restrained swarm that obeys) gives
    /// no orders at all, free ones included.
    pub fn keep_within_limits(&self, picks: &mut Vec<LegalOrder>, overall: usize) {
        let r = &self.ix.resolved;
        let no_free = !r.any_free_order;
        let silenced = overall == 0 && self.sc.meta.rules.orders_per_turn > 0;
        if silenced || (no_free && r.order_limits.is_empty()) {
            picks.truncate(overall);
            return;
        }
        let mut counted = 0;
        let mut used = vec![0usize; r.order_limits.len()];
        picks.retain(|lo| {
            let free = r.free_order[lo.action];
            if !free && counted >= overall {
                return false;
            }
            let over = r
                .order_limits
                .iter()
                .zip(&used)
                .any(|((max, counts), &u)| counts[lo.action] && u >= *max);
            if over {
                return false;
            }
            for (k, (_, counts)) in r.order_limits.iter().enumerate() {
                if counts[lo.action] {
                    used[k] += 1;
                }
            }
            if !free {
                counted += 1;
            }
            true
        });
    }

    /// Resolution: delayed effects due now, then every order with seeded dice, slot by slot in actor order.
    pub fn resolution(&mut self, book: &OrderBook) {
        let turn = self.st.turn;
        if self.st.delayed.iter().any(|d| d.due <= turn) {
            let due: Vec<Delayed> = self
                .st
                .delayed
                .iter()
                .filter(|d| d.due <= turn)
                .cloned()
                .collect();
            self.st.delayed.retain(|d| d.due > turn);
            for d in due {
                self.with_publicity(d.public, |e| {
                    e.apply(
                        &d.effects,
                        d.bindings,
                        Source::new("delayed: ", &d.source, ""),
                    )
                });
            }
        }
        let slots = book.legal.iter().map(Vec::len).max().unwrap_or(0);
        let simultaneous = self.sc.meta.rules.resolution == Resolution::Simultaneous;
        if simultaneous {
            let cells = self.st.actors.len() * self.sc.meta.attributes.len();
            self.simultaneous = Some((Box::new(self.st.clone()), vec![0; cells]));
        }
        let ix = self.ix;
        let file_order: Vec<usize>;
        let order: &[usize] = if simultaneous {
            &ix.resolved.actors_by_id
        } else {
            file_order = (0..book.legal.len()).collect();
            &file_order
        };
        for slot in 0..slots {
            for &actor in order {
                let Some(&lo) = book.legal.get(actor).and_then(|o| o.get(slot)) else {
                    continue;
                };
                match self.ctx().check_legal(actor, lo) {
                    Ok(lo) => {
                        let forced = book
                            .forced
                            .iter()
                            .find(|(a, act, _)| *a == actor && *act == lo.action)
                            .map(|f| f.2);
                        self.resolve(actor, lo, forced)
                    }
                    Err(why) => {
                        if self.logging() {
                            let aud = self.private(&[actor]);
                            let ev = Event::OrderRejected {
                                actor: self.id(actor),
                                action: self.sc.actions[lo.action].id.clone(),
                                reason: self.ctx().describe(why),
                            };
                            self.push(aud, ev);
                        }
                    }
                }
            }
        }
        if let Some((start, pending)) = self.simultaneous.take() {
            self.commit_simultaneous(&start, &pending);
        }
    }

    /// Ends a simultaneous resolution: every attribute becomes its start value plus the sum of
    /// every order's changes, clamped once (actors and attributes in scenario order).
    fn commit_simultaneous(&mut self, start: &GameState, pending: &[i64]) {
        let na = self.sc.meta.attributes.len();
        for (cell, &delta) in pending.iter().enumerate() {
            if delta == 0 {
                continue;
            }
            let (a, i) = (cell / na, cell % na);
            let old = start.actors[a].attrs[i];
            let new = self.sc.meta.attributes[i].clamp(i64::from(old).saturating_add(delta));
            let now = self.st.actors[a].attrs[i];
            self.write_attr(
                a,
                i,
                now,
                new,
                None,
                Source::from("simultaneous resolution"),
            );
        }
    }

    /// Closes an obligation: enforced with `answer`, or ignored without one. Credibility moves,
    /// the event is logged (publicly for a public red line), and the red line's effects apply.
    fn settle(&mut self, ob: &Obligation, answer: Option<usize>) {
        let sc = self.sc;
        let rl = &sc.red_lines[ob.red_line];
        let c = &mut self.st.red_lines[ob.red_line];
        let (change, effects, word) = match answer {
            Some(_) => {
                c.enforced += 1;
                (rl.on_enforced, &rl.when_enforced, " enforced")
            }
            None => {
                c.ignored += 1;
                (rl.on_ignored, &rl.when_ignored, " ignored")
            }
        };
        c.credibility = c.credibility.saturating_add(change).clamp(0, 100);
        let credibility = c.credibility;
        // The room sees a public red line answered in the open, or left unanswered; an answer
        // given with a covert or deniable act is seen (if ever) as an incident, not a name.
        let seen =
            rl.public && answer.is_none_or(|act| sc.actions[act].visibility == Visibility::Overt);
        if seen {
            let p = &mut self.st.public.red_lines[ob.red_line];
            match answer {
                Some(_) => p.enforced += 1,
                None => p.ignored += 1,
            }
            p.credibility = p.credibility.saturating_add(change).clamp(0, 100);
        }
        let b = Bindings {
            owner: Some(ob.owner),
            target: Some(ob.culprit),
            ..Default::default()
        };
        let src = Source::new("red line ", &rl.id, word);
        if !self.logging() {
            self.with_publicity(seen, |e| e.apply(effects, b, src));
            return;
        }
        let ev = match answer {
            Some(action) => Event::RedLineEnforced {
                red_line: rl.id.clone(),
                owner: self.id(ob.owner),
                culprit: self.id(ob.culprit),
                action: sc.actions[action].id.clone(),
                credibility,
            },
            None => Event::RedLineIgnored {
                red_line: rl.id.clone(),
                owner: self.id(ob.owner),
                credibility,
            },
        };
        let aud = if seen {
            Audience::Public
        } else {
            self.private(&[ob.owner])
        };
        self.push(aud, ev);
        self.with_publicity(seen, |e| e.apply(effects, b, src));
    }

    /// The success chance of an order, in percent (modifiers' `Chance` conditions roll the dice).
    pub fn chance(&mut self, actor: usize, lo: LegalOrder) -> i32 {
        let ctx = Ctx {
            sc: self.sc,
            ix: self.ix,
            st: match &self.simultaneous {
                Some((start, _)) => start,
                None => self.st,
            },
        };
        ctx.success_chance(actor, lo, Some(&mut *self.rng))
    }

    fn resolve(&mut self, actor: usize, lo: LegalOrder, forced: Option<bool>) {
        // The room sees an overt act and everything it causes; a covert or deniable act and its
        // effects stay hidden (what its victim detects is the victim's private knowledge).
        let overt = self.sc.actions[lo.action].visibility == Visibility::Overt;
        self.with_publicity(overt, |e| e.resolve_in_context(actor, lo, forced));
    }

    fn resolve_in_context(&mut self, actor: usize, lo: LegalOrder, forced: Option<bool>) {
        let sc = self.sc;
        let ix = self.ix;
        let a = &sc.actions[lo.action];
        for &(i, cost) in &ix.action_cost[lo.action] {
            if self.public {
                // Covert costs never show: the room's value moves only with an overt act.
                let def = &sc.meta.attributes[i];
                let p = &mut self.st.public.attrs[actor][i];
                *p = def.clamp(i64::from(*p) - i64::from(cost));
            }
            if let Some((_, pending)) = &mut self.simultaneous {
                let slot = &mut pending[actor * sc.meta.attributes.len() + i];
                *slot = slot.saturating_sub(i64::from(cost));
            } else {
                let def = &sc.meta.attributes[i];
                let v = &mut self.st.actors[actor].attrs[i];
                *v = def.clamp(i64::from(*v) - i64::from(cost));
            }
        }
        let chance = self.chance(actor, lo);
        let roll = self.rng.d100();
        let success = forced.unwrap_or(roll <= chance);
        if forced.is_some() && self.logging() {
            // A facilitator's override is for the facilitator's eyes (and the debrief) only.
            let text = format!(
                "the facilitator sets {} {} to {}",
                self.id(actor),
                a.id,
                if success { "success" } else { "failure" }
            );
            self.push(
                Audience::Private(Vec::new()),
                Event::Effect {
                    text,
                    source: "facilitator".into(),
                },
            );
        }
        let aud = if a.visibility == Visibility::Overt || !self.logging() {
            Audience::Public
        } else {
            self.private(&[actor])
        };
        if self.logging() {
            let ev = Event::Roll {
                actor: self.id(actor),
                action: a.id.clone(),
                target: lo.target.map(|t| self.id(t)),
                chance,
                roll,
                success,
            };
            self.push(aud.clone(), ev);
        }
        self.st.history.push(ActionRecord {
            turn: self.st.turn,
            actor,
            action: lo.action,
            target: lo.target,
            success,
        });
        let b = Bindings {
            acting: Some(actor),
            target: lo.target,
            ..Default::default()
        };
        let rung = ix.action_rung[lo.action];
        if a.visibility == Visibility::Overt {
            self.raise_rung(actor, rung);
            self.norms(lo.action, actor, true, success);
        }
        if success {
            self.apply(&a.on_success, b, &a.id);
        } else {
            self.apply(&a.on_failure, b, &a.id);
        }
        // Hostile acts against an actor become incidents its victim may perceive. An overt
        // statement against it (naming and shaming, a public accusation: a punitive act in the
        // information domain) is a public act, not an incident: nothing was done to the victim
        // that it could detect or attribute.
        let incident = match a.intent {
            Intent::Offensive => true,
            Intent::Punitive => {
                a.visibility != Visibility::Overt
                    || a.domain != crate::scenario::Domain::Information
            }
            _ => false,
        };
        if let (Some(victim), true) = (lo.target, incident)
            && (success || a.visibility == Visibility::Overt)
        {
            self.create_incident(actor, victim, lo.action, success);
        }
    }

    /// Records an incident of `action` by `actor` against `victim`; overt ones are public at once,
    /// deniable ones detected at once, covert ones detected with the action's chance.
    fn create_incident(&mut self, actor: usize, victim: usize, action: usize, success: bool) {
        let sc = self.sc;
        let a = &sc.actions[action];
        let id = self.st.next_incident;
        self.st.next_incident += 1;
        let overt = a.visibility == Visibility::Overt;
        self.st.incidents.push(Incident {
            id,
            turn: self.st.turn,
            action,
            actor,
            victim,
            success,
            detected: overt.then_some(self.st.turn),
            evidence: if overt { 100 } else { 0 },
            suspect: overt.then_some(actor),
            public: overt,
            updated: self.st.turn,
        });
        let i = self.st.incidents.len() - 1;
        if self.logging() {
            let aud = if overt {
                Audience::Public
            } else {
                self.private(&[actor])
            };
            let ev = Event::Incident {
                incident: id,
                action: a.id.clone(),
                actor: self.id(actor),
                victim: self.id(victim),
            };
            self.push(aud, ev);
        }
        match a.visibility {
            Visibility::Overt => {}
            Visibility::Deniable => self.detect(i, true),
            Visibility::Covert => {
                if self.rng.d100() <= a.attribution.detect {
                    self.detect(i, true);
                }
            }
        }
    }

    /// Attribution: victims detect covert incidents, gather evidence, and may correct a wrong suspect.
    pub fn attribution(&mut self) {
        let turn = self.st.turn;
        let sc = self.sc;
        let forensics = self.ix.resolved.forensics;
        for i in 0..self.st.incidents.len() {
            let inc = &self.st.incidents[i];
            if inc.public || inc.turn == turn && inc.detected.is_none() {
                continue;
            }
            let inc = inc.clone();
            if inc.public || inc.turn == turn && inc.detected.is_none() {
                continue;
            }
            let prof = &sc.actions[inc.action].attribution;
            match inc.detected {
                None => {
                    if self.rng.d100() <= prof.detect {
                        self.detect(i, true);
                    }
                }
                Some(d) if d < turn => {
                    let bonus = forensics.map_or(0, |f| {
                        self.st.actors[inc.victim].attrs[f]
                            / self.sc.meta.rules.forensics_divisor.max(1)
                    });
                    let before = self.st.incidents[i].evidence;
                    self.st.incidents[i].evidence =
                        (before + prof.evidence_per_turn + bonus).clamp(0, 100);
                    let mut changed = self.st.incidents[i].evidence != before;
                    let now = &self.st.incidents[i];
                    if now.misattributed()
                        && now.evidence >= sc.meta.rules.reassess_at
                        && self.rng.d100() <= now.evidence
                    {
                        self.st.incidents[i].suspect = Some(inc.actor);
                        changed = true;
                    }
                    if changed {
                        self.st.incidents[i].updated = turn;
                        self.log_attribution(i);
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// Red lines: enforcement of open obligations, then new crossings.
    pub fn red_lines(&mut self) {
        let turn = self.st.turn;
        let sc = self.sc;
        // Enforcement or neglect of open obligations.
        let mut still_open = Vec::new();
        for ob in std::mem::take(&mut self.st.obligations) {
            let answer = if turn > ob.opened {
                self.st
                    .history
                    .iter()
                    .find(|r| {
                        r.turn == turn
                            && r.actor == ob.owner
                            && r.target == Some(ob.culprit)
                            && self.ix.resolved.red_line_answers[ob.red_line][r.action]
                    })
                    .map(|r| r.action)
            } else {
                None
            };
            if let Some(action) = answer {
                self.settle(&ob, Some(action));
            } else if turn >= ob.due {
                self.settle(&ob, None);
            } else {
                still_open.push(ob);
            }
        }
        self.st.obligations = still_open;
        // New crossings.
        for (r, rl) in sc.red_lines.iter().enumerate() {
            if !self.st.red_lines[r].declared {
                continue;
            }
            let Some(owner) = self.ix.resolved.red_line_owner[r] else {
                continue;
            };
            let base = Bindings {
                owner: Some(owner),
                ..Default::default()
            };
            let culprits = self
                .ctx()
                .group_set(&self.ix.conditions.red_line_culprits[r], base);
            for culprit in culprits {
                if culprit == owner
                    || self
                        .st
                        .obligations
                        .iter()
                        .any(|o| o.red_line == r && o.culprit == culprit)
                {
                    continue;
                }
                // The latest incident the owner blames on this culprit; a red line is crossed
                // once per incident, not again every turn for the same one.
                let latest = self
                    .st
                    .incidents
                    .iter()
                    .filter(|i| i.detected.is_some() && i.suspect == Some(culprit))
                    .map(|i| i.id)
                    .max();
                let previous = self.st.red_lines[r]
                    .crossings
                    .iter()
                    .filter(|(_, c)| *c == culprit)
                    .count();
                let last_incident = self.st.obligation_incidents(r, culprit).unwrap_or(0);
                if previous > 0 && latest.unwrap_or(0) <= last_incident {
                    continue;
                }
                let b = Bindings {
                    owner: Some(owner),
                    target: Some(culprit),
                    ..Default::default()
                };
                if !self.test(&self.ix.conditions.red_line_triggers[r], b) {
                    continue;
                }
                self.st.red_lines[r].crossings.push((turn, culprit));
                self.st
                    .crossed_incidents
                    .push((r, culprit, latest.unwrap_or(0)));
                self.st.obligations.push(Obligation {
                    red_line: r,
                    owner,
                    culprit,
                    opened: turn,
                    due: turn + rl.response.within_turns.max(1),
                    incident: latest,
                });
                if rl.public {
                    self.st.public.red_lines[r].crossed += 1;
                }
                if self.logging() {
                    let ev = Event::RedLineCrossed {
                        red_line: rl.id.clone(),
                        owner: self.id(owner),
                        culprit: self.id(culprit),
                    };
                    let aud = if rl.public {
                        Audience::Public
                    } else {
                        self.private(&[owner])
                    };
                    self.push(aud, ev);
                }
                self.with_publicity(rl.public, |e| {
                    e.apply(&rl.on_crossed, b, Source::new("red line ", &rl.id, ""))
                });
            }
        }
    }

    /// Diplomacy: receivers decide proposals whose negotiation time is over.
    pub fn diplomacy(&mut self, book: &OrderBook) {
        let turn = self.st.turn;
        let sc = self.sc;
        let mut keep = Vec::new();
        for p in std::mem::take(&mut self.st.pending) {
            let prop = &sc.proposals[p.proposal];
            let answer = book.answers.get(&(p.proposal, p.to)).copied();
            if turn < p.turn + prop.negotiation_turns && answer.is_none() {
                keep.push(p);
                continue;
            }
            let b = Bindings {
                acting: Some(p.from),
                target: Some(p.to),
                ..Default::default()
            };
            let controller = self.st.actors[p.to].controller.clone();
            let accepted = match (&controller, answer) {
                (_, Some(a)) => a,
                (Controller::Team, None) => false,
                (controller, None) => {
                    let mut chance = prop.acceptance;
                    let ix = self.ix;
                    for (m, when) in prop
                        .modifiers
                        .iter()
                        .zip(&ix.conditions.proposal_modifiers[p.proposal])
                    {
                        if self.test(when, b) {
                            chance += m.add;
                        }
                    }
                    if let Controller::Bot(d) = controller {
                        let ctx = Ctx {
                            sc,
                            ix: self.ix,
                            st: self.st,
                        };
                        chance += bots::acceptance_bias(&ctx, *d, p.to, p.from);
                    }
                    self.rng.d100() <= chance.clamp(0, 100)
                }
            };
            if self.logging() {
                let ev = Event::ProposalDecided {
                    proposal: prop.id.clone(),
                    from: self.id(p.from),
                    to: self.id(p.to),
                    accepted,
                };
                self.push(Audience::Public, ev);
            }
            let src = Source::new("proposal ", &prop.id, "");
            if accepted {
                self.st.agreements.push(Agreement {
                    proposal: p.proposal,
                    parties: (p.from, p.to),
                    since: turn,
                });
                self.apply(&prop.on_accept, b, src);
            } else {
                self.apply(&prop.on_refuse, b, src);
            }
        }
        self.st.pending.extend(keep);
    }

    /// Escalation: rung and crisis histories, the turn's metrics, named thresholds crossed.
    /// The true crossing is what endings and conditions read (logged for the facilitator
    /// only); the room sees a threshold crossed when a *public* rung passes it, with its headline.
    pub fn escalation(&mut self) {
        for a in &mut self.st.actors {
            a.rung_history.push(a.rung);
        }
        self.record_metrics();
        let crisis = self.st.crisis();
        self.st.crisis_history.push(crisis);
        let public_crisis = self.st.public_crisis();
        let ledger = &mut self.st.public;
        for (history, &rung) in ledger.rung_history.iter_mut().zip(&ledger.rungs) {
            history.push(rung);
        }
        ledger.crisis_history.push(public_crisis);
        let sc = self.sc;
        for (t, th) in sc.meta.ladder.thresholds.iter().enumerate() {
            let above = self.ix.resolved.threshold_above[t];
            if self.st.thresholds_crossed[t].is_none()
                && let Some(actor) =
                    (0..self.st.actors.len()).find(|&a| self.st.actors[a].rung > above)
            {
                self.st.thresholds_crossed[t] = Some(self.st.turn);
                if self.logging() {
                    let ev = Event::ThresholdCrossed {
                        threshold: th.id.clone(),
                        name: th.name.clone(),
                        actor: self.id(actor),
                    };
                    self.push(Audience::Private(Vec::new()), ev);
                }
            }
            if self.st.public.thresholds_crossed[t].is_none()
                && let Some(actor) =
                    (0..self.st.actors.len()).find(|&a| self.st.public.rungs[a] > above)
            {
                self.st.public.thresholds_crossed[t] = Some(self.st.turn);
                if self.logging() {
                    let ev = Event::ThresholdCrossed {
                        threshold: th.id.clone(),
                        name: th.name.clone(),
                        actor: self.id(actor),
                    };
                    self.push(Audience::Public, ev);
                }
                if let Some(h) = &th.headline {
                    self.headline(h.clone());
                }
            }
        }
    }

    /// Endings: by priority; the fallback after the last turn.
    pub fn endings(&mut self) {
        let sc = self.sc;
        if self.st.ending.is_none() {
            let ix = self.ix;
            for &i in &ix.resolved.endings_by_priority {
                let e = &sc.endings[i];
                if e.fallback {
                    continue;
                }
                if let Some(c) = &ix.conditions.endings[i]
                    && self.test(c, Bindings::default())
                {
                    self.st.ending = Some(EndingReached {
                        ending: i,
                        turn: self.st.turn,
                    });
                    break;
                }
            }
        }
        if self.st.ending.is_none()
            && self.st.turn >= sc.meta.turns
            && let Some(i) = self.ix.resolved.fallback_ending
        {
            self.st.ending = Some(EndingReached {
                ending: i,
                turn: self.st.turn,
            });
        }
        if let Some(end) = &self.st.ending
            && self.logging()
        {
            let e = &sc.endings[end.ending];
            self.push(
                Audience::Public,
                Event::Ending {
                    ending: e.id.clone(),
                    name: e.name.clone(),
                },
            );
        }
    }

    /// Log: close the turn with the crisis level and the state hash; advance the turn.
    pub fn close_turn(&mut self, book: &mut OrderBook, hash: bool) {
        super::objectives::record_turn(self.sc, self.ix, self.st);
        if self.logging() {
            // The room's crisis level: the true one is in the state (and its hash).
            let crisis = self.rung_id(self.st.public_crisis());
            let h = if hash {
                format!("{:016x}", self.st.state_hash())
            } else {
                String::new()
            };
            let turn = self.st.turn;
            self.push(
                Audience::Public,
                Event::TurnEnded {
                    turn,
                    crisis,
                    hash: h,
                },
            );
        }
        book.legal.iter_mut().for_each(Vec::clear);
        book.orders.clear();
        book.chosen_by.clear();
        book.rationales.clear();
        book.answers.clear();
        book.forced.clear();
        if self.st.ending.is_none() {
            self.st.turn += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percent_of;

    #[test]
    fn scale_rounds_to_the_nearest_unit_halves_away_from_zero() {
        assert_eq!(
            percent_of(100_000, -5),
            -5_000,
            "Scale(gdp, -5) on 1,000.00"
        );
        assert_eq!(percent_of(30, 5), 2, "1.5 rounds up");
        assert_eq!(percent_of(30, -5), -2, "-1.5 rounds away from zero");
        assert_eq!(percent_of(29, 5), 1, "1.45 rounds down");
        assert_eq!(percent_of(-29, 5), -1);
        assert_eq!(percent_of(i64::from(i32::MAX), 10_000), 214_748_364_700);
        assert_eq!(percent_of(i64::MAX, 10_000), i64::MAX, "saturates");
    }
}
