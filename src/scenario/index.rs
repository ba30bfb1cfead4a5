//! Id → position lookups for a loaded scenario, built once per scenario.

use std::collections::HashMap;

use super::model::Scenario;

/// Positions of every id, by kind. Lookups of unknown ids return `None`
/// (the validator reports them; the rules skip them).
#[derive(Debug, Clone, Default)]
pub struct ScenarioIndex {
    /// Actor ids.
    pub actors: HashMap<String, usize>,
    /// Action ids.
    pub actions: HashMap<String, usize>,
    /// Rung ids.
    pub rungs: HashMap<String, usize>,
    /// Attribute ids.
    pub attributes: HashMap<String, usize>,
    /// Sector ids.
    pub sectors: HashMap<String, usize>,
    /// Norm ids.
    pub norms: HashMap<String, usize>,
    /// Red line ids.
    pub red_lines: HashMap<String, usize>,
    /// Proposal ids.
    pub proposals: HashMap<String, usize>,
    /// Inject ids.
    pub injects: HashMap<String, usize>,
    /// Ending ids.
    pub endings: HashMap<String, usize>,
    /// Each action's rung position (0 when unknown).
    pub action_rung: Vec<usize>,
    /// Each action's costs as (attribute position, amount).
    pub action_cost: Vec<Vec<(usize, i32)>>,
}

fn positions<'a>(ids: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    let mut map = HashMap::new();
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
            action_rung: Vec::new(),
            action_cost: Vec::new(),
        };
        ix.action_rung = s
            .actions
            .iter()
            .map(|a| ix.rungs.get(&a.rung).copied().unwrap_or(0))
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
        ix
    }
}
