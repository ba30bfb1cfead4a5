//! Conditions compiled once per scenario: every id resolved to its position and every
//! context-free actor group (a side, a tag, a kind) to a membership list, so the rules test a
//! condition during play without looking up a string.
//!
//! Each place a scenario writes a condition that the rules test every turn has its compiled
//! form here, by position: objectives, actions' availability, chance modifiers, `by` and
//! targets, red-line triggers and culprits, proposals' acceptance modifiers, inject triggers,
//! endings and condition snippets. `Ctx::test` and `Ctx::in_group` (in `sim::eval`) evaluate
//! them. Effects are not compiled yet: a condition inside an effect (`If`) and an effect's actor
//! groups are still read from the scenario by `Ctx::eval` and `Ctx::who_set`. A test checks that
//! both readings agree on every compiled condition and group of every shipped scenario, in every
//! state of seeded games.

use super::index::ScenarioIndex;
use super::model::{
    Cmp, Condition, Confidence, Domain, InjectWhen, Percent, RungCmp, Scenario, SwarmStance, Who,
};

/// An actor group with its ids resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Group {
    /// One actor (`None`: an id the scenario does not define, which the validator refuses).
    Actor(Option<usize>),
    /// The acting actor.
    Acting,
    /// The target.
    Target,
    /// The owner (of a red line, a proposal).
    Owner,
    /// The actor of a `ForEach`.
    Each,
    /// The acting actor's sponsor.
    Sponsor,
    /// The swarms the acting actor sponsors.
    Proxies,
    /// Everyone.
    Any,
    /// Everyone but the owner (else the acting actor).
    AnyOther,
    /// A group that does not depend on the context (a side, a tag, a kind): its membership
    /// list, by position in [`Conditions::members`] (each distinct list kept once, shared by
    /// every condition that names it).
    Members(usize),
    /// The actors related to the owner (else the acting actor) by a relation, by position.
    Related(Option<usize>),
}

/// A rung comparison with its rung resolved (an unknown rung reads as rung 0, as before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RungTest {
    /// The comparison.
    pub op: RungOp,
    /// The rung's position on the ladder.
    pub rung: usize,
}

/// How a rung is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RungOp {
    /// `>=`.
    AtLeast,
    /// `<=`.
    AtMost,
    /// `==`.
    Equals,
    /// `>`.
    Above,
    /// `<`.
    Below,
}

impl RungTest {
    /// Whether a rung position passes the test.
    pub fn test(self, rung: usize) -> bool {
        match self.op {
            RungOp::AtLeast => rung >= self.rung,
            RungOp::AtMost => rung <= self.rung,
            RungOp::Equals => rung == self.rung,
            RungOp::Above => rung > self.rung,
            RungOp::Below => rung < self.rung,
        }
    }
}

/// A condition with its ids resolved: the same language as [`Condition`] (see there for what
/// each variant means). `None` in place of a position is an id the scenario does not define
/// (the validator refuses it): the test is false, as it always was.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Cond {
    Always,
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    AtLeastOf(u32, Vec<Cond>),
    Attr {
        who: Group,
        attr: Option<usize>,
        is: Cmp,
    },
    Rung {
        who: Group,
        is: RungTest,
    },
    Crisis(RungTest),
    SectorDamage {
        who: Group,
        sector: Option<usize>,
        is: Cmp,
    },
    Is(Group, Group),
    ActionTaken {
        by: Group,
        action: Option<usize>,
        against: Option<Group>,
        within_turns: Option<u32>,
        attempts: bool,
    },
    Perceived {
        victim: Group,
        domain: Option<Domain>,
        attributed_to: Option<Group>,
        confidence: Confidence,
        within_turns: Option<u32>,
        misattributed: Option<bool>,
        public: Option<bool>,
    },
    InjectFired(Option<usize>),
    RedLineCrossed(Option<usize>),
    RedLineDeclared(Option<usize>),
    Credibility(Option<usize>, Cmp),
    ThresholdCrossed(Option<usize>),
    Engagement {
        who: Group,
        is: RungTest,
    },
    AgreementInForce(Option<usize>),
    ProposalPending(Option<usize>),
    ChannelOpen(Group, Group),
    Turn(Cmp),
    Chance(Percent),
    FacilitatorSays(String),
    Stance(Group, SwarmStance),
    Metric {
        who: Group,
        metric: Option<usize>,
        is: Cmp,
    },
    MetricTotal(Option<usize>, Cmp),
    Relation {
        relation: Option<usize>,
        from: Group,
        to: Group,
        is: Option<Cmp>,
    },
    /// A condition snippet, by position in [`Conditions::snippets`].
    Use(Option<usize>),
}

/// Every condition the rules test each turn, compiled, by the position of what it belongs to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    /// Each actor's objectives (`goals[actor][k]`).
    pub goals: Vec<Vec<Cond>>,
    /// Each action's `available`.
    pub available: Vec<Option<Cond>>,
    /// Each action's chance modifiers, in order.
    pub action_modifiers: Vec<Vec<Cond>>,
    /// Each action's `by`.
    pub action_by: Vec<Group>,
    /// Each action's target group (`None` for an action without a target).
    pub action_target: Vec<Option<Group>>,
    /// Each red line's trigger.
    pub red_line_triggers: Vec<Cond>,
    /// Each red line's culprits.
    pub red_line_culprits: Vec<Group>,
    /// Each proposal's acceptance modifiers, in order.
    pub proposal_modifiers: Vec<Vec<Cond>>,
    /// Each inject's trigger, when it is a condition.
    pub inject_triggers: Vec<Option<Cond>>,
    /// Each ending's `when`.
    pub endings: Vec<Option<Cond>>,
    /// Each condition snippet.
    pub snippets: Vec<Cond>,
    /// The membership lists of context-free groups ([`Group::Members`]): whether each actor,
    /// by position, belongs to the group.
    pub members: Vec<Vec<bool>>,
}

impl Conditions {
    /// Compiles every condition of a scenario against its index.
    pub fn new(s: &Scenario, ix: &ScenarioIndex) -> Self {
        let c = Compiler {
            s,
            ix,
            members: Default::default(),
            member_at: Default::default(),
        };
        let mut compiled = Conditions {
            goals: s
                .actors
                .iter()
                .map(|a| a.goals.iter().map(|g| c.cond(&g.when)).collect())
                .collect(),
            available: s
                .actions
                .iter()
                .map(|a| a.available.as_ref().map(|x| c.cond(x)))
                .collect(),
            action_modifiers: s
                .actions
                .iter()
                .map(|a| a.modifiers.iter().map(|m| c.cond(&m.when)).collect())
                .collect(),
            action_by: s.actions.iter().map(|a| c.group(&a.by)).collect(),
            action_target: s
                .actions
                .iter()
                .map(|a| match &a.target {
                    super::TargetKind::None => None,
                    super::TargetKind::Actor(who) | super::TargetKind::Sector(_, who) => {
                        Some(c.group(who))
                    }
                })
                .collect(),
            red_line_triggers: s.red_lines.iter().map(|r| c.cond(&r.trigger)).collect(),
            red_line_culprits: s.red_lines.iter().map(|r| c.group(&r.culprits)).collect(),
            proposal_modifiers: s
                .proposals
                .iter()
                .map(|p| p.modifiers.iter().map(|m| c.cond(&m.when)).collect())
                .collect(),
            inject_triggers: s
                .injects
                .iter()
                .map(|i| match &i.when {
                    InjectWhen::Condition(x) => Some(c.cond(x)),
                    InjectWhen::Turn(_) | InjectWhen::Facilitator => None,
                })
                .collect(),
            endings: s
                .endings
                .iter()
                .map(|e| e.when.as_ref().map(|x| c.cond(x)))
                .collect(),
            snippets: s
                .snippets
                .conditions
                .iter()
                .map(|x| c.cond(&x.when))
                .collect(),
            members: Vec::new(),
        };
        compiled.members = c.members.into_inner();
        compiled
    }
}

/// Compiles conditions and groups of one scenario.
struct Compiler<'a> {
    s: &'a Scenario,
    ix: &'a ScenarioIndex,
    /// Membership lists, each kept once: a scenario with many actors whose objectives all name
    /// one side keeps one list, not one per objective.
    members: std::cell::RefCell<Vec<Vec<bool>>>,
    /// Each list's position in `members`, found by its content.
    member_at: std::cell::RefCell<std::collections::HashMap<Vec<bool>, usize>>,
}

impl Compiler<'_> {
    /// The shared membership list of a context-free group (groups with the same members, such
    /// as a side and a tag that name the same actors, share one).
    fn members(&self, f: impl Fn(&super::Actor) -> bool) -> Group {
        let list: Vec<bool> = self.s.actors.iter().map(f).collect();
        let mut lists = self.members.borrow_mut();
        let k = *self
            .member_at
            .borrow_mut()
            .entry(list)
            .or_insert_with_key(|list| {
                lists.push(list.clone());
                lists.len() - 1
            });
        Group::Members(k)
    }

    /// A group, with its ids resolved.
    fn group(&self, who: &Who) -> Group {
        match who {
            Who::Actor(id) => Group::Actor(self.ix.actors.get(id).copied()),
            Who::Acting => Group::Acting,
            Who::Target => Group::Target,
            Who::Owner => Group::Owner,
            Who::Each => Group::Each,
            Who::Sponsor => Group::Sponsor,
            Who::Proxies => Group::Proxies,
            Who::Any => Group::Any,
            Who::AnyOther => Group::AnyOther,
            Who::Side(side) => self.members(|a| &a.side == side),
            Who::Tagged(tag) => self.members(|a| a.tags.iter().any(|t| t == tag)),
            Who::Kind(kind) => self.members(|a| a.kind == *kind),
            Who::Related(rel) => Group::Related(self.ix.relations.get(rel).copied()),
        }
    }

    fn rung(&self, is: &RungCmp) -> RungTest {
        let (op, id) = match is {
            RungCmp::AtLeast(r) => (RungOp::AtLeast, r),
            RungCmp::AtMost(r) => (RungOp::AtMost, r),
            RungCmp::Equals(r) => (RungOp::Equals, r),
            RungCmp::Above(r) => (RungOp::Above, r),
            RungCmp::Below(r) => (RungOp::Below, r),
        };
        RungTest {
            op,
            rung: self.ix.rungs.get(id).copied().unwrap_or(0),
        }
    }

    fn all(&self, cs: &[Condition]) -> Vec<Cond> {
        cs.iter().map(|c| self.cond(c)).collect()
    }

    /// A condition, with its ids resolved.
    fn cond(&self, c: &Condition) -> Cond {
        let ix = self.ix;
        match c {
            Condition::Always => Cond::Always,
            Condition::All(cs) => Cond::All(self.all(cs)),
            Condition::Any(cs) => Cond::Any(self.all(cs)),
            Condition::Not(c) => Cond::Not(Box::new(self.cond(c))),
            Condition::AtLeastOf(n, cs) => Cond::AtLeastOf(*n, self.all(cs)),
            Condition::Attr { who, attr, is } => Cond::Attr {
                who: self.group(who),
                attr: ix.attributes.get(attr).copied(),
                is: *is,
            },
            Condition::Rung { who, is } => Cond::Rung {
                who: self.group(who),
                is: self.rung(is),
            },
            Condition::Crisis(is) => Cond::Crisis(self.rung(is)),
            Condition::SectorDamage { who, sector, is } => Cond::SectorDamage {
                who: self.group(who),
                sector: ix.sectors.get(sector).copied(),
                is: *is,
            },
            Condition::Is(x, group) => Cond::Is(self.group(x), self.group(group)),
            Condition::ActionTaken {
                by,
                action,
                against,
                within_turns,
                attempts,
            } => Cond::ActionTaken {
                by: self.group(by),
                action: ix.actions.get(action).copied(),
                against: against.as_ref().map(|g| self.group(g)),
                within_turns: *within_turns,
                attempts: *attempts,
            },
            Condition::Perceived {
                victim,
                domain,
                attributed_to,
                confidence,
                within_turns,
                misattributed,
                public,
            } => Cond::Perceived {
                victim: self.group(victim),
                domain: *domain,
                attributed_to: attributed_to.as_ref().map(|g| self.group(g)),
                confidence: *confidence,
                within_turns: *within_turns,
                misattributed: *misattributed,
                public: *public,
            },
            Condition::InjectFired(id) => Cond::InjectFired(ix.injects.get(id).copied()),
            Condition::RedLineCrossed(id) => Cond::RedLineCrossed(ix.red_lines.get(id).copied()),
            Condition::RedLineDeclared(id) => Cond::RedLineDeclared(ix.red_lines.get(id).copied()),
            Condition::Credibility(id, is) => Cond::Credibility(ix.red_lines.get(id).copied(), *is),
            Condition::ThresholdCrossed(id) => Cond::ThresholdCrossed(
                self.s
                    .meta
                    .ladder
                    .thresholds
                    .iter()
                    .position(|t| &t.id == id),
            ),
            Condition::Engagement { who, is } => Cond::Engagement {
                who: self.group(who),
                is: self.rung(is),
            },
            Condition::AgreementInForce(id) => {
                Cond::AgreementInForce(ix.proposals.get(id).copied())
            }
            Condition::ProposalPending(id) => Cond::ProposalPending(ix.proposals.get(id).copied()),
            Condition::ChannelOpen(x, y) => Cond::ChannelOpen(self.group(x), self.group(y)),
            Condition::Turn(is) => Cond::Turn(*is),
            Condition::Chance(p) => Cond::Chance(*p),
            Condition::FacilitatorSays(s) => Cond::FacilitatorSays(s.clone()),
            Condition::Stance(who, stance) => Cond::Stance(self.group(who), *stance),
            Condition::Metric { who, metric, is } => Cond::Metric {
                who: self.group(who),
                metric: ix.metrics.get(metric).copied(),
                is: *is,
            },
            Condition::MetricTotal(metric, is) => {
                Cond::MetricTotal(ix.metrics.get(metric).copied(), *is)
            }
            Condition::Relation {
                relation,
                from,
                to,
                is,
            } => Cond::Relation {
                relation: ix.relations.get(relation).copied(),
                from: self.group(from),
                to: self.group(to),
                is: *is,
            },
            Condition::Use(name) => Cond::Use(ix.condition_snippets.get(name).copied()),
        }
    }
}
