//! Property test: any scenario the validator accepts plays to an ending, without panic,
//! within `turns + 1` steps.
//!
//! Scenarios are generated from a seed as model values — random actors, actions, red lines,
//! proposals, injects and endings, with random conditions and effects nested within the
//! documented limits and every number drawn across its type's full allowed range (often at
//! its ends) — written out as RON files and run through the validator like any folder. Those
//! it accepts are played by bots. Every failure is collected (with its seed) before the test
//! fails, so one run reports them all.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use grayzone::scenario::schema::{ALIASES, AliasMeaning};
use grayzone::scenario::validate::{limits, validate_texts};
use grayzone::scenario::*;
use grayzone::sim::{Game, LoadedScenario};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The seeded dice of the generator.
struct Dice(ChaCha8Rng);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo) as u64 + 1;
        lo + (self.0.next_u64() % span) as i64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A value of a model number type: often an end of its range, else anywhere in it.
    fn num(&mut self, alias: &str) -> i64 {
        let (lo, hi) = ALIASES
            .iter()
            .find_map(|a| match (a.name == alias, a.meaning) {
                (true, AliasMeaning::Range(lo, hi)) => Some((lo, hi)),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no number type {alias}"));
        match self.below(10) {
            0 => lo,
            1 => hi,
            2 => self.range(lo, (lo + 10).min(hi)),
            3 => self.range((hi - 10).max(lo), hi),
            _ => self.range(lo, hi),
        }
    }
    fn i(&mut self, alias: &str) -> i32 {
        self.num(alias) as i32
    }
    fn u(&mut self, alias: &str) -> u32 {
        self.num(alias) as u32
    }
}

/// Which placeholders are bound where a condition or effect is written.
#[derive(Clone, Copy, Default)]
struct Bound {
    acting: bool,
    target: bool,
    owner: bool,
    each: bool,
}

/// The ids a generated scenario defines, for references.
#[derive(Default)]
struct Ids {
    actors: Vec<String>,
    actions: Vec<String>,
    rungs: Vec<String>,
    thresholds: Vec<String>,
    attributes: Vec<String>,
    sectors: Vec<String>,
    red_lines: Vec<String>,
    proposals: Vec<String>,
    injects: Vec<String>,
    endings: Vec<String>,
    sides: Vec<String>,
    tags: Vec<String>,
}

const KINDS: [ActorKind; 4] = [
    ActorKind::State,
    ActorKind::Alliance,
    ActorKind::Swarm,
    ActorKind::InternationalBody,
];
const DOMAINS: [Domain; 5] = [
    Domain::Cyber,
    Domain::Information,
    Domain::Diplomatic,
    Domain::Economic,
    Domain::Military,
];
const STANCES: [SwarmStance; 3] = [
    SwarmStance::Encourage,
    SwarmStance::Tolerate,
    SwarmStance::Restrain,
];

struct Gen {
    d: Dice,
    /// A second stream for the vocabulary added later (decimals, personas, limits, …), so a
    /// seed still generates the scenario it generated before.
    x: Dice,
    ids: Ids,
    /// Effects may nest this deep (at most the validator's limit).
    max_depth: usize,
}

impl Gen {
    fn who(&mut self, b: Bound, group: bool) -> Who {
        let mut options: Vec<Who> = vec![Who::Actor(self.d.pick(&self.ids.actors).clone())];
        if group {
            options.push(Who::Any);
            options.push(Who::AnyOther);
            options.push(Who::Kind(*self.d.pick(&KINDS)));
            options.push(Who::Side(self.d.pick(&self.ids.sides).clone()));
            if !self.ids.tags.is_empty() {
                options.push(Who::Tagged(self.d.pick(&self.ids.tags).clone()));
            }
        }
        if b.acting {
            options.extend([Who::Acting, Who::Acting, Who::Sponsor]);
            if group {
                options.push(Who::Proxies);
            }
        }
        if b.target {
            options.extend([Who::Target, Who::Target]);
        }
        if b.owner {
            options.push(Who::Owner);
        }
        if b.each {
            options.extend([Who::Each, Who::Each]);
        }
        self.d.pick(&options).clone()
    }

    fn cmp(&mut self) -> Cmp {
        match self.d.below(4) {
            0 => Cmp::AtLeast(self.d.i("Number")),
            1 => Cmp::AtMost(self.d.i("Number")),
            2 => Cmp::Between(self.d.i("Number"), self.d.i("Number")),
            _ => Cmp::Equals(self.d.i("Number")),
        }
    }

    fn rung_cmp(&mut self) -> RungCmp {
        let r = self.d.pick(&self.ids.rungs).clone();
        match self.d.below(5) {
            0 => RungCmp::AtLeast(r),
            1 => RungCmp::AtMost(r),
            2 => RungCmp::Equals(r),
            3 => RungCmp::Above(r),
            _ => RungCmp::Below(r),
        }
    }

    fn opt_turns(&mut self) -> Option<u32> {
        self.d.chance(50).then(|| self.d.u("Turns"))
    }

    fn condition(&mut self, b: Bound, depth: usize) -> Condition {
        let nest = depth < limits::CONDITION_NESTING.min(4);
        let n = if nest { 26 } else { 22 };
        let pick = self.d.below(n);
        let id = |v: &[String], d: &mut Dice| (!v.is_empty()).then(|| d.pick(v).clone());
        let c = match pick {
            0 => Some(Condition::Always),
            1 => Some(Condition::Attr {
                who: self.who(b, true),
                attr: self.d.pick(&self.ids.attributes).clone(),
                is: self.cmp(),
            }),
            2 => Some(Condition::Rung {
                who: self.who(b, true),
                is: self.rung_cmp(),
            }),
            3 => Some(Condition::Crisis(self.rung_cmp())),
            4 => id(&self.ids.sectors, &mut self.d).map(|sector| Condition::SectorDamage {
                who: self.who(b, true),
                sector,
                is: self.cmp(),
            }),
            5 => Some(Condition::Is(self.who(b, false), self.who(b, true))),
            6 => Some(Condition::ActionTaken {
                by: self.who(b, true),
                action: self.d.pick(&self.ids.actions).clone(),
                against: self.d.chance(50).then(|| self.who(b, true)),
                within_turns: self.opt_turns(),
                attempts: self.d.chance(50),
            }),
            7 => Some(Condition::Perceived {
                victim: self.who(b, true),
                domain: self.d.chance(50).then(|| *self.d.pick(&DOMAINS)),
                attributed_to: self.d.chance(50).then(|| self.who(b, true)),
                confidence: *self.d.pick(&[
                    Confidence::Unknown,
                    Confidence::Possible,
                    Confidence::Likely,
                    Confidence::Certain,
                ]),
                within_turns: self.opt_turns(),
                misattributed: self.d.chance(30).then(|| self.d.chance(50)),
                public: self.d.chance(30).then(|| self.d.chance(50)),
            }),
            8 => id(&self.ids.injects, &mut self.d).map(Condition::InjectFired),
            9 => id(&self.ids.red_lines, &mut self.d).map(Condition::RedLineCrossed),
            10 => id(&self.ids.red_lines, &mut self.d).map(Condition::RedLineDeclared),
            11 => {
                id(&self.ids.red_lines, &mut self.d).map(|r| Condition::Credibility(r, self.cmp()))
            }
            12 => id(&self.ids.thresholds, &mut self.d).map(Condition::ThresholdCrossed),
            13 => Some(Condition::Engagement {
                who: self.who(b, true),
                is: self.rung_cmp(),
            }),
            14 => id(&self.ids.proposals, &mut self.d).map(Condition::AgreementInForce),
            15 => id(&self.ids.proposals, &mut self.d).map(Condition::ProposalPending),
            16 => Some(Condition::ChannelOpen(self.who(b, true), self.who(b, true))),
            17 => Some(Condition::Turn(self.cmp())),
            18 => Some(Condition::Chance(self.d.i("Percent"))),
            19 => Some(Condition::FacilitatorSays("switch".into())),
            20 => Some(Condition::Stance(self.who(b, true), *self.d.pick(&STANCES))),
            21 => Some(Condition::Turn(Cmp::AtLeast(self.d.range(1, 12) as i32))),
            22 => Some(Condition::All(self.conditions(b, depth + 1))),
            23 => Some(Condition::Any(self.conditions(b, depth + 1))),
            24 => Some(Condition::Not(Box::new(self.condition(b, depth + 1)))),
            _ => {
                let cs = self.conditions(b, depth + 1);
                let n = if self.d.chance(20) {
                    self.d.u("Count")
                } else {
                    self.d.below(cs.len() + 2) as u32
                };
                Some(Condition::AtLeastOf(n, cs))
            }
        };
        c.unwrap_or(Condition::Always)
    }

    fn conditions(&mut self, b: Bound, depth: usize) -> Vec<Condition> {
        let n = self.d.below(4);
        (0..n).map(|_| self.condition(b, depth)).collect()
    }

    fn effects(&mut self, b: Bound, depth: usize) -> Vec<Effect> {
        let n = self.d.below(if depth == 0 { 4 } else { 3 });
        (0..n).map(|_| self.effect(b, depth)).collect()
    }

    fn effect(&mut self, b: Bound, depth: usize) -> Effect {
        let nest = depth < self.max_depth;
        let n = if nest { 35 } else { 31 };
        let id = |v: &[String], d: &mut Dice| (!v.is_empty()).then(|| d.pick(v).clone());
        let e = match self.d.below(n) {
            0 => Some(Effect::AddAttr(
                self.who(b, true),
                self.d.pick(&self.ids.attributes).clone(),
                self.d.i("Number"),
            )),
            1 => Some(Effect::SetAttr(
                self.who(b, true),
                self.d.pick(&self.ids.attributes).clone(),
                self.d.i("Number"),
            )),
            2 => id(&self.ids.sectors, &mut self.d)
                .map(|s| Effect::Damage(self.who(b, true), s, self.d.i("Points"))),
            3 => id(&self.ids.sectors, &mut self.d)
                .map(|s| Effect::Harden(self.who(b, true), s, self.d.i("Points"))),
            4 => Some(Effect::EscalateTo(
                self.who(b, true),
                self.d.pick(&self.ids.rungs).clone(),
            )),
            5 => Some(Effect::EscalateBy(self.who(b, true), self.d.i("Steps"))),
            6 => Some(Effect::ShiftThreshold(self.who(b, true), self.d.i("Steps"))),
            7 => Some(Effect::SetThreshold(
                self.who(b, true),
                self.d.pick(&self.ids.rungs).clone(),
            )),
            8 => Some(Effect::StageIncident {
                action: self.d.pick(&self.ids.actions).clone(),
                by: self.who(b, true),
                against: self.who(b, true),
            }),
            9 => id(&self.ids.red_lines, &mut self.d).map(Effect::DeclareRedLine),
            10 => id(&self.ids.red_lines, &mut self.d).map(Effect::WithdrawRedLine),
            11 => id(&self.ids.red_lines, &mut self.d)
                .map(|r| Effect::AdjustCredibility(r, self.d.i("Points"))),
            12 => Some(Effect::EnableAction(
                self.who(b, true),
                self.d.pick(&self.ids.actions).clone(),
            )),
            13 => Some(Effect::DisableAction(
                self.who(b, true),
                self.d.pick(&self.ids.actions).clone(),
            )),
            14 => Some(Effect::SetStance(self.who(b, true), *self.d.pick(&STANCES))),
            15 => Some(Effect::OpenChannel(self.who(b, true), self.who(b, true))),
            16 => Some(Effect::CloseChannel(self.who(b, true), self.who(b, true))),
            17 => {
                id(&self.ids.proposals, &mut self.d).map(|p| Effect::Propose(p, self.who(b, true)))
            }
            18 => id(&self.ids.proposals, &mut self.d).map(Effect::BreakAgreement),
            19 => Some(Effect::AddEvidence(self.who(b, true), self.d.i("Points"))),
            20 => Some(Effect::Reveal {
                victim: self.who(b, true),
                culprit: self.who(b, true),
            }),
            21 => Some(Effect::PublicAttribution {
                victim: self.who(b, true),
                culprit: self.who(b, true),
            }),
            22 => Some(Effect::Acknowledge(self.who(b, true))),
            23 => id(&self.ids.injects, &mut self.d).map(Effect::FireInject),
            24 => id(&self.ids.injects, &mut self.d)
                .map(|i| Effect::ScheduleInject(i, self.d.u("Turns"))),
            25 => Some(Effect::Headline(
                "{acting} {target} {owner} {each} news".into(),
            )),
            26 => Some(Effect::SetSwitch("switch".into(), self.d.chance(50))),
            27 => Some(Effect::EndGame(self.d.pick(&self.ids.endings).clone())),
            28..=30 => Some(Effect::AddAttr(
                self.who(b, true),
                self.d.pick(&self.ids.attributes).clone(),
                self.d.range(-5, 5) as i32,
            )),
            31 => Some(Effect::If(
                self.condition(b, 1),
                self.effects(b, depth + 1),
                self.effects(b, depth + 1),
            )),
            32 => {
                let n = self.d.below(4);
                let branches = (0..n)
                    .map(|_| (self.d.u("Weight"), self.effects(b, depth + 1)))
                    .collect();
                Some(Effect::Random(branches))
            }
            33 => Some(Effect::After(
                if self.d.chance(70) {
                    self.d.range(1, 4) as u32
                } else {
                    self.d.u("Turns")
                },
                self.effects(b, depth + 1),
            )),
            _ => {
                // Deep inside, a single actor keeps the fan-out within the limit.
                let who = if depth >= 2 {
                    self.who(b, false)
                } else {
                    self.who(b, true)
                };
                let inner = Bound { each: true, ..b };
                Some(Effect::ForEach(who, self.effects(inner, depth + 1)))
            }
        };
        e.unwrap_or(Effect::Headline("quiet".into()))
    }

    fn scenario(&mut self) -> Scenario {
        let d = &mut self.d;
        // Ids first, so everything can refer to everything.
        let names = |prefix: &str, n: usize| -> Vec<String> {
            (0..n).map(|i| format!("{prefix}{i}")).collect()
        };
        self.ids.rungs = names("rung", 1 + d.below(6));
        self.ids.thresholds = names("th", d.below(3));
        self.ids.attributes = names("attr", 1 + d.below(4));
        self.ids.sectors = names("sector", d.below(3));
        self.ids.actors = names("actor", 1 + d.below(6));
        self.ids.actions = names("action", 1 + d.below(8));
        self.ids.red_lines = names("line", d.below(3));
        self.ids.proposals = names("deal", d.below(3));
        self.ids.injects = names("inject", d.below(5));
        self.ids.endings = names("end", 1 + d.below(3));
        let tags = ["t1", "t2"];
        let norms = names("norm", d.below(3));

        // The ladder: strictly increasing levels across the whole range.
        let mut levels: BTreeSet<i32> = BTreeSet::new();
        while levels.len() < self.ids.rungs.len() {
            levels.insert(self.d.i("Number"));
        }
        let rungs: Vec<Rung> = self
            .ids
            .rungs
            .iter()
            .zip(levels)
            .map(|(id, level)| Rung {
                id: id.clone(),
                name: id.clone(),
                level,
                group: None,
                score: 0,
            })
            .collect();
        let mut rungs = rungs;
        for r in &mut rungs {
            r.score = self.d.i("Number");
        }
        let thresholds = self
            .ids
            .thresholds
            .clone()
            .into_iter()
            .map(|id| Threshold {
                name: id.clone(),
                id,
                above: self.d.pick(&self.ids.rungs).clone(),
                headline: Some("A threshold is crossed".into()),
            })
            .collect();
        let attributes: Vec<AttributeDef> = self
            .ids
            .attributes
            .clone()
            .into_iter()
            .map(|id| {
                let (a, b) = (self.d.i("Number"), self.d.i("Number"));
                let (min, max) = if self.d.chance(50) {
                    (0, 100)
                } else {
                    (a.min(b), a.max(b))
                };
                let default = self.d.range(i64::from(min), i64::from(max)) as i32;
                AttributeDef {
                    name: id.clone(),
                    id,
                    min,
                    // Sometimes no maximum: values then saturate at the engine's limit.
                    max: if self.x.chance(10) { None } else { Some(max) },
                    decimals: self.x.range(0, 3) as u32,
                    default,
                    public: self.d.chance(70),
                    description: String::new(),
                    diminishing: false,
                    kinds: Vec::new(),
                }
            })
            .collect();
        let sectors = self
            .ids
            .sectors
            .clone()
            .into_iter()
            .map(|id| SectorDef {
                name: id.clone(),
                id,
                default_resilience: self.d.i("Percent"),
            })
            .collect();

        // Actors: their sides and tags define what `Side(..)` and `Tagged(..)` may name.
        let mut actors = Vec::new();
        for (i, id) in self.ids.actors.clone().into_iter().enumerate() {
            let kind = *self.d.pick(&KINDS);
            let side = self.d.pick(&["a", "b"]).to_string();
            let tags: Vec<String> = tags
                .iter()
                .filter(|_| self.d.chance(40))
                .map(|t| t.to_string())
                .collect();
            let mut attrs = BTreeMap::new();
            for a in &attributes {
                if self.d.chance(50) {
                    attrs.insert(
                        a.id.clone(),
                        // Without a maximum, up to the largest number the files may hold.
                        self.d
                            .range(i64::from(a.min), i64::from(a.max.unwrap_or(1_000_000)))
                            as i32,
                    );
                }
            }
            let mut resilience = BTreeMap::new();
            for s in &self.ids.sectors {
                if self.d.chance(50) {
                    resilience.insert(s.clone(), self.d.i("Percent"));
                }
            }
            let sponsor = (kind == ActorKind::Swarm && i > 0).then(|| self.ids.actors[0].clone());
            actors.push(Actor {
                name: id.clone(),
                id,
                kind,
                side,
                tags,
                controller: Controller::Bot(*self.d.pick(&Doctrine::ALL)),
                attrs,
                resilience,
                rung: self.d.pick(&self.ids.rungs).clone(),
                threshold: self.d.pick(&self.ids.rungs).clone(),
                stance: sponsor.as_ref().map(|_| *self.d.pick(&STANCES)),
                sponsor,
                objectives: String::new(),
                color: None,
                persona: Persona {
                    aggression: self.x.i("Percent"),
                    risk_tolerance: self.x.i("Percent"),
                    credibility: self.x.i("Percent"),
                    restraint: self.x.i("Percent"),
                },
                // Objectives are checked like every condition; generated scenarios have none,
                // so the generator draws as before.
                goals: Vec::new(),
                temperaments: Vec::new(),
            });
        }
        self.ids.sides = actors.iter().map(|a| a.side.clone()).collect();
        self.ids.sides.dedup();
        let mut used_tags: Vec<String> = actors.iter().flat_map(|a| a.tags.clone()).collect();
        used_tags.sort();
        used_tags.dedup();
        self.ids.tags = used_tags;

        let acting = Bound {
            acting: true,
            ..Bound::default()
        };
        let acting_target = Bound {
            acting: true,
            target: true,
            ..Bound::default()
        };
        let owner_target = Bound {
            owner: true,
            target: true,
            ..Bound::default()
        };
        let nobody = Bound::default();

        let norms: Vec<NormDef> = norms
            .into_iter()
            .map(|id| NormDef {
                text: id.clone(),
                id,
                on_breach: self.effects(acting, 0),
                on_uphold: self.effects(acting, 0),
            })
            .collect();
        let norm_ids: Vec<String> = norms.iter().map(|n| n.id.clone()).collect();

        let mut actions = Vec::new();
        for id in self.ids.actions.clone() {
            let target = match self.d.below(3) {
                0 => TargetKind::None,
                1 => TargetKind::Actor(self.who(acting, true)),
                _ => match self.ids.sectors.is_empty() {
                    true => TargetKind::Actor(self.who(nobody, true)),
                    false => TargetKind::Sector(
                        self.d.pick(&self.ids.sectors).clone(),
                        self.who(nobody, true),
                    ),
                },
            };
            let mut cost = BTreeMap::new();
            if self.d.chance(40) {
                let a = self.d.pick(&self.ids.attributes).clone();
                let c = if self.d.chance(20) {
                    self.d.i("Number")
                } else {
                    self.d.range(-3, 3) as i32
                };
                cost.insert(a, c);
            }
            let modifiers = (0..self.d.below(3))
                .map(|_| ChanceModifier {
                    when: self.condition(acting_target, 0),
                    add: self.d.i("Points"),
                })
                .collect();
            let norms_of = |d: &mut Dice| -> Vec<String> {
                norm_ids.iter().filter(|_| d.chance(30)).cloned().collect()
            };
            let norms = NormTags {
                breaks: norms_of(&mut self.d),
                upholds: norms_of(&mut self.d),
            };
            actions.push(Action {
                name: id.clone(),
                id,
                description: String::new(),
                domain: *self.d.pick(&DOMAINS),
                intent: *self.d.pick(&[
                    Intent::Offensive,
                    Intent::Defensive,
                    Intent::Signal,
                    Intent::Conciliatory,
                    Intent::Punitive,
                ]),
                rung: self.d.pick(&self.ids.rungs).clone(),
                by: self.who(nobody, true),
                cost,
                available: self.d.chance(40).then(|| self.condition(acting, 0)),
                enabled: self.d.chance(85),
                target,
                chance: if self.d.chance(50) {
                    100
                } else {
                    self.d.i("Percent")
                },
                modifiers,
                visibility: *self.d.pick(&[
                    Visibility::Overt,
                    Visibility::Covert,
                    Visibility::Deniable,
                ]),
                attribution: AttributionProfile {
                    detect: self.d.i("Percent"),
                    initial_evidence: self.d.i("Percent"),
                    evidence_per_turn: self.d.i("Points"),
                    mislead_to: self.d.chance(30).then(|| self.who(acting_target, true)),
                    mislead_chance: self.d.i("Percent"),
                },
                norms,
                on_success: self.effects(acting_target, 0),
                on_failure: self.effects(acting_target, 0),
                on_detection: self.effects(acting_target, 0),
                answers_red_lines: self.d.chance(30),
                tags: Vec::new(),
            });
        }

        let red_lines = self
            .ids
            .red_lines
            .clone()
            .into_iter()
            .map(|id| {
                let (a, b) = (
                    self.d.below(self.ids.rungs.len()),
                    self.d.below(self.ids.rungs.len()),
                );
                RedLine {
                    name: id.clone(),
                    id,
                    owner: self.d.pick(&self.ids.actors).clone(),
                    text: String::new(),
                    public: self.d.chance(50),
                    declared: self.d.chance(70),
                    trigger: self.condition(owner_target, 0),
                    culprits: self.who(
                        Bound {
                            owner: true,
                            ..nobody
                        },
                        true,
                    ),
                    response: PromisedResponse {
                        domains: DOMAINS
                            .iter()
                            .filter(|_| self.d.chance(30))
                            .copied()
                            .collect(),
                        min_rung: self.ids.rungs[a.min(b)].clone(),
                        max_rung: self.ids.rungs[a.max(b)].clone(),
                        within_turns: self.d.u("Turns"),
                    },
                    credibility: self.d.i("Percent"),
                    on_enforced: self.d.i("Points"),
                    on_ignored: self.d.i("Points"),
                    on_crossed: self.effects(owner_target, 0),
                    when_enforced: self.effects(owner_target, 0),
                    when_ignored: self.effects(owner_target, 0),
                }
            })
            .collect();

        let proposals = self
            .ids
            .proposals
            .clone()
            .into_iter()
            .map(|id| Proposal {
                name: id.clone(),
                id,
                text: String::new(),
                negotiation_turns: if self.d.chance(70) {
                    self.d.range(0, 2) as u32
                } else {
                    self.d.u("Delay")
                },
                acceptance: self.d.i("Percent"),
                modifiers: (0..self.d.below(2))
                    .map(|_| ChanceModifier {
                        when: self.condition(acting_target, 0),
                        add: self.d.i("Points"),
                    })
                    .collect(),
                on_accept: self.effects(acting_target, 0),
                on_refuse: self.effects(acting_target, 0),
            })
            .collect();

        let turns = if self.d.chance(90) {
            self.d.range(1, 12) as u32
        } else {
            self.d.range(1, 40) as u32
        };
        let injects = self
            .ids
            .injects
            .clone()
            .into_iter()
            .map(|id| {
                let acting_actor = self
                    .d
                    .chance(50)
                    .then(|| self.d.pick(&self.ids.actors).clone());
                let b = if acting_actor.is_some() {
                    acting
                } else {
                    nobody
                };
                let when = match self.d.below(3) {
                    0 => InjectWhen::Turn(if self.d.chance(80) {
                        self.d.range(1, i64::from(turns)) as u32
                    } else {
                        self.d.u("TurnNumber")
                    }),
                    1 => InjectWhen::Condition(self.condition(nobody, 0)),
                    _ => InjectWhen::Facilitator,
                };
                Inject {
                    headline: id.clone(),
                    id,
                    text: String::new(),
                    when,
                    acting: acting_actor,
                    effects: self.effects(b, 0),
                    choices: (0..self.d.below(3))
                        .map(|_| InjectChoice {
                            label: "choice".into(),
                            weight: self.d.u("Weight"),
                            effects: self.effects(b, 0),
                        })
                        .collect(),
                }
            })
            .collect();

        let fallback = self.d.below(self.ids.endings.len());
        let endings = self
            .ids
            .endings
            .clone()
            .into_iter()
            .enumerate()
            .map(|(i, id)| Ending {
                name: id.clone(),
                id,
                text: String::new(),
                priority: self.d.i("Number"),
                when: (i != fallback).then(|| self.condition(nobody, 0)),
                fallback: i == fallback,
                tone: EndingTone::Neutral,
                max_share: None,
                rare: false,
            })
            .collect();

        let upkeep = self.effects(nobody, 0);
        let rules = Rules {
            orders_per_turn: if self.d.chance(90) {
                self.d.range(0, 3) as u32
            } else {
                self.d.u("Count")
            },
            forensics_attribute: self
                .d
                .chance(50)
                .then(|| self.d.pick(&self.ids.attributes).clone()),
            defense_attribute: self
                .d
                .chance(50)
                .then(|| self.d.pick(&self.ids.attributes).clone()),
            controllability_attribute: self
                .d
                .chance(50)
                .then(|| self.d.pick(&self.ids.attributes).clone()),
            reassess_at: self.d.i("Percent"),
            crisis_of: self.d.chance(30).then(|| self.who(nobody, true)),
            forensics_divisor: self.d.i("Divisor"),
            defense_divisor: self.d.i("Divisor"),
            reveal_evidence: self.d.i("Percent"),
            resolution: if self.x.chance(50) {
                Resolution::Simultaneous
            } else {
                Resolution::Sequential
            },
            free_orders: ActionFilter {
                domains: if self.x.chance(30) {
                    vec![*self.x.pick(&DOMAINS)]
                } else {
                    Vec::new()
                },
                ..Default::default()
            },
            limits: if self.x.chance(30) {
                vec![OrderLimit {
                    max: self.x.range(0, 2) as u32,
                    of: ActionFilter {
                        domains: vec![*self.x.pick(&DOMAINS)],
                        ..Default::default()
                    },
                    except: ActionFilter::default(),
                }]
            } else {
                Vec::new()
            },
            // The default domains and no case needed for force: the generator draws as before.
            defense_domains: vec![Domain::Cyber],
            force_needs_attribution: None,
        };
        Scenario {
            meta: ScenarioFile {
                format: FORMAT_VERSION,
                id: "generated".into(),
                title: "Generated".into(),
                summary: "A generated scenario".into(),
                briefing: String::new(),
                turns,
                turn_label: "turn".into(),
                start_label: String::new(),
                sources: Vec::new(),
                ladder: Ladder { rungs, thresholds },
                attributes,
                sectors,
                norms,
                rules,
                upkeep,
                metrics: vec![MetricDef {
                    id: "escalation".into(),
                    name: "Escalation".into(),
                    measure: Measure::EscalationScore,
                    description: String::new(),
                }],
                relations: Vec::new(),
            },
            actors,
            actions,
            red_lines,
            proposals,
            injects,
            endings,
            snippets: SnippetsFile::default(),
        }
    }
}

/// The scenario as the files of a folder.
fn files(s: &Scenario) -> BTreeMap<&'static str, String> {
    let ron = |v: &dyn erased::Ser| v.ron();
    let mut out = BTreeMap::new();
    out.insert("scenario.ron", ron(&s.meta));
    out.insert(
        "actors.ron",
        ron(&ActorsFile {
            actors: s.actors.clone(),
        }),
    );
    out.insert(
        "actions.ron",
        ron(&ActionsFile {
            actions: s.actions.clone(),
        }),
    );
    out.insert(
        "red_lines.ron",
        ron(&RedLinesFile {
            red_lines: s.red_lines.clone(),
        }),
    );
    out.insert(
        "diplomacy.ron",
        ron(&DiplomacyFile {
            proposals: s.proposals.clone(),
        }),
    );
    out.insert(
        "injects.ron",
        ron(&InjectsFile {
            injects: s.injects.clone(),
        }),
    );
    out.insert(
        "endings.ron",
        ron(&EndingsFile {
            endings: s.endings.clone(),
        }),
    );
    out
}

mod erased {
    /// Serializes any model value as RON.
    pub trait Ser {
        fn ron(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn ron(&self) -> String {
            ron::ser::to_string(self).expect("the model serializes")
        }
    }
}

/// What happened to one generated scenario.
enum Outcome {
    /// The validator refused it (its first error code).
    Refused(&'static str),
    /// It played to an ending in this many steps.
    Played(u32),
}

fn run_one(seed: u64) -> Result<Outcome, String> {
    let mut g = Gen {
        d: Dice(ChaCha8Rng::seed_from_u64(seed)),
        x: Dice(ChaCha8Rng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15)),
        ids: Ids::default(),
        max_depth: 0,
    };
    g.max_depth = if g.d.chance(80) {
        g.d.range(1, 3) as usize
    } else {
        limits::EFFECT_NESTING
    };
    let s = g.scenario();
    let texts = files(&s);
    // `GRAYZONE_VALID_PLAYS_DUMP=<folder>` writes the generated scenario there, to replay a
    // failing seed with `grayzone simulate`.
    if let Ok(dir) = std::env::var("GRAYZONE_VALID_PLAYS_DUMP") {
        let dir = std::path::Path::new(&dir).join(format!("seed-{seed}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for (name, text) in &texts {
            std::fs::write(dir.join(name), text).map_err(|e| e.to_string())?;
        }
    }
    let v = validate_texts("generated", &texts);
    if let Some(e) = v.diagnostics.iter().find(|d| d.is_error()) {
        return Ok(Outcome::Refused(e.code));
    }
    let scenario = v
        .scenario
        .ok_or_else(|| format!("seed {seed}: accepted without a scenario"))?;
    let turns = scenario.meta.turns;
    let loaded = LoadedScenario::new(scenario);
    // Bots of random doctrines play every actor.
    let controllers: Vec<Controller> = (0..loaded.scenario.actors.len())
        .map(|_| Controller::Bot(*g.d.pick(&Doctrine::ALL)))
        .collect();
    let mut game = Game::new(&loaded, seed, &controllers);
    game.set_fast(g.d.chance(50));
    let mut steps = 0;
    while steps <= turns && game.step() {
        steps += 1;
    }
    if !game.state().is_over() {
        return Err(format!(
            "seed {seed}: no ending after {} steps ({turns} turns)",
            turns + 1
        ));
    }
    Ok(Outcome::Played(steps))
}

/// Runs `n` seeds from `first`; returns (played, refused by code) and panics listing every failure.
fn property(first: u64, n: u64) -> (u64, BTreeMap<&'static str, u64>) {
    let mut failures = Vec::new();
    let (mut played, mut refused) = (0, BTreeMap::new());
    let mut steps = 0u64;
    // The slowest seed, for the report (nothing is asserted about time).
    let mut slowest = (std::time::Duration::ZERO, first);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for seed in first..first + n {
        let start = std::time::Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run_one(seed)));
        if start.elapsed() > slowest.0 {
            slowest = (start.elapsed(), seed);
        }
        match outcome {
            Ok(Ok(Outcome::Played(s))) => {
                played += 1;
                steps += u64::from(s);
            }
            Ok(Ok(Outcome::Refused(code))) => *refused.entry(code).or_insert(0) += 1,
            Ok(Err(e)) => failures.push(e),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("seed {seed}: panic: {msg}"));
            }
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "{played} games played, {steps} turns in all; slowest: seed {} ({:?})",
        slowest.1, slowest.0
    );
    assert!(
        failures.is_empty(),
        "{} of {n} generated scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    (played, refused)
}

#[test]
fn every_valid_generated_scenario_plays_to_an_ending() {
    let n = 300;
    let (played, refused) = property(0, n);
    eprintln!("{n} generated: {played} played to an ending, refused: {refused:?}");
    assert!(
        played * 10 >= n * 8,
        "the generator should mostly make valid scenarios: {played} of {n} played, refused {refused:?}"
    );
}

/// The long run: `cargo test --no-default-features --release --test valid_plays -- --ignored`
/// (20,000 seeds; `GRAYZONE_VALID_PLAYS=<n>` and `GRAYZONE_VALID_PLAYS_FROM=<seed>` change
/// how many and from which seed).
#[test]
#[ignore]
fn many_valid_generated_scenarios_play_to_an_ending() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let n = env("GRAYZONE_VALID_PLAYS", 20_000);
    let first = env("GRAYZONE_VALID_PLAYS_FROM", 1_000_000);
    let (played, refused) = property(first, n);
    eprintln!("{n} generated: {played} played to an ending, refused: {refused:?}");
    assert!(played * 10 >= n * 8);
}

/// Seed 1000684 generated an action whose detection stages an incident by every actor, each
/// detected at once and staging more: the engine hung. The per-turn effect budget
/// (`MAX_EFFECTS_PER_TURN`) bounds such chains, which the validator cannot see statically.
#[test]
fn a_detection_chain_that_stages_incidents_is_bounded() {
    // Under a watchdog: without the budget this game never ends.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run_one(1_000_684));
    });
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("seed 1000684 hangs the engine");
    match result {
        // The property is that it ends at all; how many turns it lasts depends on the rules
        // (it ended on turn 9 before the public ledger and the format additions, on turn 5 now).
        Ok(Outcome::Played(steps)) => assert!(steps >= 1, "played {steps} turns"),
        Ok(Outcome::Refused(code)) => panic!("the generator changed: refused with {code}"),
        Err(e) => panic!("{e}"),
    }
}
