//! Id → position lookups for a loaded scenario, built once per scenario.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::model::{ActionFilter, Effect, Intent, Measure, Scenario, TargetKind, Who};

/// A fast, stable hasher for id strings (FxHash-style: 8 bytes a step). Ids are the
/// scenario's own and trusted after validation, so no protection against collisions is needed;
/// SipHash cost more than any rule.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Id → position, hashed with [`IdHasher`].
pub type IdMap = HashMap<String, usize, BuildHasherDefault<IdHasher>>;

/// Positions of every id, by kind. Lookups of unknown ids return `None`
/// (the validator reports them; the rules skip them).
#[derive(Debug, Clone, Default)]
pub struct ScenarioIndex {
    /// Actor ids.
    pub actors: IdMap,
    /// Action ids.
    pub actions: IdMap,
    /// Rung ids.
    pub rungs: IdMap,
    /// Attribute ids.
    pub attributes: IdMap,
    /// Sector ids.
    pub sectors: IdMap,
    /// Norm ids.
    pub norms: IdMap,
    /// Red line ids.
    pub red_lines: IdMap,
    /// Proposal ids.
    pub proposals: IdMap,
    /// Inject ids.
    pub injects: IdMap,
    /// Ending ids.
    pub endings: IdMap,
    /// Metric ids.
    pub metrics: IdMap,
    /// Relation ids.
    pub relations: IdMap,
    /// Effect snippet names.
    pub effect_snippets: IdMap,
    /// Condition snippet names.
    pub condition_snippets: IdMap,
    /// Each action's rung position (0 when unknown).
    pub action_rung: Vec<usize>,
    /// Each action's rung on the 0–10 scale the bots score with (`rung * 10 / rungs`).
    pub action_rung_of_ten: Vec<i32>,
    /// Each action's costs as (attribute position, amount).
    pub action_cost: Vec<Vec<(usize, i32)>>,
    /// Ids resolved once at load, so the rules and bots never look up a string during play.
    pub resolved: Resolved,
    /// The conditions the rules test every turn, compiled (ids resolved to positions).
    pub conditions: super::compiled::Conditions,
}

/// Positions resolved once when a scenario is loaded: everything the rules and the bots would
/// otherwise look up by id string on every turn.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Each actor's sponsor position (`None` without a sponsor or with an unknown one).
    pub actor_sponsor: Vec<Option<usize>>,
    /// Each actor's side, as the position of the first actor of the same side.
    pub actor_side: Vec<usize>,
    /// Whether actor `i`'s id looks up to `i` (false only for a duplicate id).
    pub actor_first: Vec<bool>,
    /// For each actor, the actions whose `by` includes it, in catalogue order.
    pub actor_actions: Vec<Vec<usize>>,
    /// For each action, the actors its target filter admits when the filter does not depend on
    /// the acting actor (`None` when it does: `Sponsor`, `Proxies`, …), in actor order.
    pub action_targets: Vec<Option<Vec<usize>>>,
    /// Whether an action's success raises the acting actor's own threshold.
    pub action_loosens: Vec<bool>,
    /// The proposals an action's success proposes.
    pub action_proposes: Vec<Vec<usize>>,
    /// The norms each action breaks and upholds (`norms.breaks`, `norms.upholds`), as norm
    /// positions in the order written (unknown ids, which the validator refuses, left out).
    pub action_norms: Vec<(Vec<usize>, Vec<usize>)>,
    /// Each red line's owner position.
    pub red_line_owner: Vec<Option<usize>>,
    /// Each red line's promised maximum rung (0 when unknown).
    pub red_line_max_rung: Vec<usize>,
    /// `[red line][action]`: whether the action answers the red line's promised response.
    pub red_line_answers: Vec<Vec<bool>>,
    /// Each threshold's `above` rung (0 when unknown).
    pub threshold_above: Vec<usize>,
    /// Ending positions by priority (then position).
    pub endings_by_priority: Vec<usize>,
    /// The first fallback ending.
    pub fallback_ending: Option<usize>,
    /// Each inject's acting actor.
    pub inject_acting: Vec<Option<usize>>,
    /// The forensics attribute.
    pub forensics: Option<usize>,
    /// The defence attribute.
    pub defense: Option<usize>,
    /// The swarm controllability attribute.
    pub controllability: Option<usize>,
    /// Actor positions sorted by id: the order simultaneous resolution draws dice and applies
    /// changes in, so it does not depend on the order of the file.
    pub actors_by_id: Vec<usize>,
    /// Each action's escalation score (its rung's `score`).
    pub action_score: Vec<i64>,
    /// Each metric's measure, resolved: the scenario's metrics in order, then the escalation
    /// score (id `escalation`) when the scenario declares none and its rungs have scores, so
    /// `simulate` and the report always show it.
    pub metrics: Vec<MetricPlan>,
    /// Each metric of `metrics`: (id, name, decimals to show its values with).
    pub metric_labels: Vec<(String, String, u32)>,
    /// Whether each action is free of `orders_per_turn` (`rules.free_orders`).
    pub free_order: Vec<bool>,
    /// Whether any action is free (`free_order` has a `true`).
    pub any_free_order: bool,
    /// The per-turn limits: (max, which actions count).
    pub order_limits: Vec<(usize, Vec<bool>)>,
    /// Each relation's (min, max) after flags (0..=1) are applied.
    pub relation_bounds: Vec<(i32, i32)>,
}

/// A metric's measure with its ids resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricPlan {
    /// Sum of the rung scores of the orders resolved this turn.
    EscalationScore,
    /// An attribute's value (position).
    Attr(usize),
    /// Orders resolved this turn whose action is marked.
    Orders(Vec<bool>),
    /// Incidents against the actor detected this turn.
    IncidentsDetected,
}

/// Each metric the engine records for a scenario, in order: (id, name, decimals to show its
/// values with). The scenario's own, then the escalation score when it declares none and its
/// rungs have scores.
pub fn metric_labels(s: &Scenario) -> Vec<(String, String, u32)> {
    let mut labels: Vec<(String, String, u32)> = s
        .meta
        .metrics
        .iter()
        .map(|m| {
            let decimals = match &m.measure {
                Measure::Attr(a) => s
                    .meta
                    .attributes
                    .iter()
                    .find(|d| &d.id == a)
                    .map_or(0, |d| d.decimals),
                _ => 0,
            };
            (m.id.clone(), m.name.clone(), decimals)
        })
        .collect();
    if implicit_escalation(s) {
        labels.push(("escalation".into(), "Escalation score".into(), 0));
    }
    labels
}

/// Whether the escalation score is added to the scenario's metrics: it declares none and some
/// rung has a score.
fn implicit_escalation(s: &Scenario) -> bool {
    !s.meta
        .metrics
        .iter()
        .any(|m| m.measure == Measure::EscalationScore)
        && s.meta.ladder.rungs.iter().any(|r| r.score != 0)
}

/// Whether each action of the scenario matches a filter (by id, domain, intent or tag).
pub fn filter_actions(s: &Scenario, f: &ActionFilter) -> Vec<bool> {
    s.actions
        .iter()
        .map(|a| {
            f.actions.contains(&a.id)
                || f.domains.contains(&a.domain)
                || f.intents.contains(&a.intent)
                || a.tags.iter().any(|t| f.tags.contains(t))
        })
        .collect()
}

fn positions<'a>(ids: impl Iterator<Item = &'a String>) -> IdMap {
    let mut map = IdMap::default();
    for (i, id) in ids.enumerate() {
        // The first definition wins; duplicates are reported by the validator.
        map.entry(id.clone()).or_insert(i);
    }
    map
}

impl ScenarioIndex {
    /// Indexes every id of the scenario.
    pub fn new(s: &Scenario) -> Self {
        let mut ix = ScenarioIndex {
            actors: positions(s.actors.iter().map(|a| &a.id)),
            actions: positions(s.actions.iter().map(|a| &a.id)),
            rungs: positions(s.meta.ladder.rungs.iter().map(|r| &r.id)),
            attributes: positions(s.meta.attributes.iter().map(|a| &a.id)),
            sectors: positions(s.meta.sectors.iter().map(|a| &a.id)),
            norms: positions(s.meta.norms.iter().map(|a| &a.id)),
            red_lines: positions(s.red_lines.iter().map(|a| &a.id)),
            proposals: positions(s.proposals.iter().map(|a| &a.id)),
            injects: positions(s.injects.iter().map(|a| &a.id)),
            endings: positions(s.endings.iter().map(|a| &a.id)),
            metrics: positions(s.meta.metrics.iter().map(|a| &a.id)),
            relations: positions(s.meta.relations.iter().map(|a| &a.id)),
            effect_snippets: positions(s.snippets.effects.iter().map(|a| &a.id)),
            condition_snippets: positions(s.snippets.conditions.iter().map(|a| &a.id)),
            action_rung: Vec::new(),
            action_rung_of_ten: Vec::new(),
            action_cost: Vec::new(),
            resolved: Resolved::default(),
            conditions: Default::default(),
        };
        ix.action_rung = s
            .actions
            .iter()
            .map(|a| ix.rungs.get(&a.rung).copied().unwrap_or(0))
            .collect();
        let rungs = s.meta.ladder.rungs.len().max(1) as i32;
        ix.action_rung_of_ten = ix
            .action_rung
            .iter()
            .map(|&r| (r as i32).saturating_mul(10) / rungs)
            .collect();
        ix.action_cost = s
            .actions
            .iter()
            .map(|a| {
                a.cost
                    .iter()
                    .filter_map(|(attr, c)| ix.attributes.get(attr).map(|&i| (i, *c)))
                    .collect()
            })
            .collect();
        ix.resolved = Resolved::new(s, &ix);
        ix.conditions = super::compiled::Conditions::new(s, &ix);
        ix
    }
}

/// Whether actor `i` is in a group that does not depend on the context; `None` when it does.
fn static_member(s: &Scenario, ix: &ScenarioIndex, who: &Who, i: usize) -> Option<bool> {
    let a = &s.actors[i];
    Some(match who {
        Who::Actor(id) => ix.actors.get(id) == Some(&i),
        Who::Any => true,
        Who::Side(side) => &a.side == side,
        Who::Tagged(tag) => a.tags.iter().any(|t| t == tag),
        Who::Kind(kind) => a.kind == *kind,
        _ => return None,
    })
}

impl Resolved {
    fn new(s: &Scenario, ix: &ScenarioIndex) -> Self {
        let n = s.actors.len();
        let rung = |id: &str| ix.rungs.get(id).copied().unwrap_or(0);
        let attr = |id: &Option<String>| id.as_ref().and_then(|a| ix.attributes.get(a).copied());
        let actor_sponsor: Vec<Option<usize>> = s
            .actors
            .iter()
            .map(|a| a.sponsor.as_ref().and_then(|x| ix.actors.get(x).copied()))
            .collect();
        let actor_actions = (0..n)
            .map(|me| {
                (0..s.actions.len())
                    .filter(|&act| {
                        let by = &s.actions[act].by;
                        static_member(s, ix, by, me).unwrap_or_else(|| match by {
                            // `by` is read with the acting actor bound to `me`.
                            Who::Acting => true,
                            Who::Sponsor => actor_sponsor[me] == Some(me),
                            Who::Proxies => {
                                s.actors[me].sponsor.as_deref() == Some(s.actors[me].id.as_str())
                            }
                            _ => false,
                        })
                    })
                    .collect()
            })
            .collect();
        let action_targets = s
            .actions
            .iter()
            .map(|a| match &a.target {
                TargetKind::None => Some(Vec::new()),
                TargetKind::Actor(who) | TargetKind::Sector(_, who) => match who {
                    // Every actor but the acting one, which targets never include anyway.
                    Who::AnyOther => Some((0..n).collect()),
                    // Bound to nothing but the acting actor, never a target.
                    Who::Acting | Who::Target | Who::Owner | Who::Each => Some(Vec::new()),
                    _ => (0..n)
                        .map(|t| static_member(s, ix, who, t).map(|m| (t, m)))
                        .collect::<Option<Vec<_>>>()
                        .map(|v| v.into_iter().filter(|&(_, m)| m).map(|(t, _)| t).collect()),
                },
            })
            .collect();
        let action_loosens = s
            .actions
            .iter()
            .map(|a| {
                a.on_success
                    .iter()
                    .any(|e| matches!(e, Effect::ShiftThreshold(Who::Acting, n) if *n > 0))
            })
            .collect();
        let action_proposes = s
            .actions
            .iter()
            .map(|a| {
                a.on_success
                    .iter()
                    .filter_map(|e| match e {
                        Effect::Propose(p, _) => ix.proposals.get(p).copied(),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let red_line_answers = s
            .red_lines
            .iter()
            .map(|rl| {
                let min = rung(&rl.response.min_rung);
                s.actions
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        matches!(a.intent, Intent::Offensive | Intent::Punitive)
                            && (rl.response.domains.is_empty()
                                || rl.response.domains.contains(&a.domain))
                            && ix.action_rung[i] >= min
                    })
                    .collect()
            })
            .collect();
        let free_order = filter_actions(s, &s.meta.rules.free_orders);
        let any_free_order = free_order.contains(&true);
        let mut endings_by_priority: Vec<usize> = (0..s.endings.len()).collect();
        endings_by_priority.sort_by_key(|&i| (s.endings[i].priority, i));
        Resolved {
            actor_side: {
                let mut first: HashMap<&str, usize> = HashMap::new();
                (0..n)
                    .map(|i| *first.entry(s.actors[i].side.as_str()).or_insert(i))
                    .collect()
            },
            actor_first: (0..n)
                .map(|i| ix.actors.get(&s.actors[i].id) == Some(&i))
                .collect(),
            actor_sponsor,
            actor_actions,
            action_targets,
            action_loosens,
            action_proposes,
            action_norms: s
                .actions
                .iter()
                .map(|a| {
                    let known = |ids: &[String]| -> Vec<usize> {
                        ids.iter()
                            .filter_map(|n| ix.norms.get(n).copied())
                            .collect()
                    };
                    (known(&a.norms.breaks), known(&a.norms.upholds))
                })
                .collect(),
            red_line_owner: s
                .red_lines
                .iter()
                .map(|r| ix.actors.get(&r.owner).copied())
                .collect(),
            red_line_max_rung: s
                .red_lines
                .iter()
                .map(|r| rung(&r.response.max_rung))
                .collect(),
            red_line_answers,
            threshold_above: s
                .meta
                .ladder
                .thresholds
                .iter()
                .map(|t| rung(&t.above))
                .collect(),
            endings_by_priority,
            fallback_ending: s.endings.iter().position(|e| e.fallback),
            inject_acting: s
                .injects
                .iter()
                .map(|i| i.acting.as_ref().and_then(|a| ix.actors.get(a).copied()))
                .collect(),
            forensics: attr(&s.meta.rules.forensics_attribute),
            defense: attr(&s.meta.rules.defense_attribute),
            controllability: attr(&s.meta.rules.controllability_attribute),
            actors_by_id: {
                let mut v: Vec<usize> = (0..n).collect();
                v.sort_by(|&a, &b| s.actors[a].id.cmp(&s.actors[b].id).then(a.cmp(&b)));
                v
            },
            action_score: s
                .actions
                .iter()
                .map(|a| {
                    ix.rungs
                        .get(&a.rung)
                        .map_or(0, |&r| i64::from(s.meta.ladder.rungs[r].score))
                })
                .collect(),
            metrics: s
                .meta
                .metrics
                .iter()
                .map(|m| match &m.measure {
                    Measure::EscalationScore => MetricPlan::EscalationScore,
                    Measure::Attr(a) => match ix.attributes.get(a) {
                        Some(&i) => MetricPlan::Attr(i),
                        None => MetricPlan::Orders(vec![false; s.actions.len()]),
                    },
                    Measure::Orders(f) => MetricPlan::Orders(filter_actions(s, f)),
                    Measure::IncidentsDetected => MetricPlan::IncidentsDetected,
                })
                .chain(implicit_escalation(s).then_some(MetricPlan::EscalationScore))
                .collect(),
            metric_labels: metric_labels(s),
            free_order,
            any_free_order,
            order_limits: s
                .meta
                .rules
                .limits
                .iter()
                .map(|l| {
                    let except = filter_actions(s, &l.except);
                    let counts = filter_actions(s, &l.of)
                        .into_iter()
                        .zip(except)
                        .map(|(of, ex)| of && !ex)
                        .collect();
                    (l.max as usize, counts)
                })
                .collect(),
            relation_bounds: s
                .meta
                .relations
                .iter()
                .map(|r| {
                    if r.flag {
                        (0, 1)
                    } else {
                        (r.min, r.max.max(r.min))
                    }
                })
                .collect(),
        }
    }
}
