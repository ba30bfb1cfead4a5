//! Carrying a game in progress over to an edited scenario, from the coming turn on.
//!
//! The state refers to the scenario's lists by position. An edit may add, reorder or change
//! actions, red lines, proposals, injects and endings: the state is carried over by id, and
//! new entries start as a fresh game would have them. What the turns already played refer to
//! stays: removing one of those ids, or changing the actors, attributes, sectors, rungs,
//! thresholds, norms, relations or metrics, needs a new session, and the edit is refused with
//! a message saying so (the last good version keeps playing).

use std::collections::BTreeMap;

use super::{GameState, LoadedScenario, OrderBook};
use crate::scenario::Scenario;

/// Old position → new position for one of the scenario's lists, by id.
fn remap<T>(
    file: &str,
    what: &str,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &str,
) -> Result<Vec<usize>, String> {
    let at: BTreeMap<&str, usize> = new.iter().enumerate().map(|(i, x)| (id(x), i)).collect();
    let mut out = Vec::with_capacity(old.len());
    let mut removed = Vec::new();
    for x in old {
        match at.get(id(x)) {
            Some(&i) => out.push(i),
            None => removed.push(format!("\"{}\"", id(x))),
        }
    }
    if removed.is_empty() {
        Ok(out)
    } else {
        Err(format!(
            "{file}: the {what} {} {} removed or renamed; the turns already played refer to {}, so this edit needs a new session (keep the old id, or start the session again from the picker)",
            removed.join(", "),
            if removed.len() == 1 { "was" } else { "were" },
            if removed.len() == 1 { "it" } else { "them" },
        ))
    }
}

/// Checks that a list the state is shaped by kept its ids in order.
fn unchanged<T>(
    file: &str,
    what: &str,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &str,
) -> Result<(), String> {
    if old.iter().map(&id).eq(new.iter().map(&id)) {
        return Ok(());
    }
    Err(format!(
        "{file}: the {what} changed (ids added, removed, renamed or reordered); every actor's state is shaped by them, so this edit needs a new session (start it again from the picker)"
    ))
}

/// How each list's positions move from one scenario to the next.
#[derive(Debug, Clone)]
pub struct Migration {
    actions: Vec<usize>,
    red_lines: Vec<usize>,
    proposals: Vec<usize>,
    injects: Vec<usize>,
    endings: Vec<usize>,
}

impl Migration {
    /// The migration from `old` to `new`, or why the game cannot carry over.
    pub fn between(old: &Scenario, new: &Scenario) -> Result<Self, String> {
        unchanged("actors.ron", "actors", &old.actors, &new.actors, |x| &x.id)?;
        let (om, nm) = (&old.meta, &new.meta);
        unchanged(
            "scenario.ron",
            "attributes",
            &om.attributes,
            &nm.attributes,
            |x| &x.id,
        )?;
        unchanged("scenario.ron", "sectors", &om.sectors, &nm.sectors, |x| {
            &x.id
        })?;
        unchanged("scenario.ron", "norms", &om.norms, &nm.norms, |x| &x.id)?;
        unchanged(
            "scenario.ron",
            "ladder's rungs",
            &om.ladder.rungs,
            &nm.ladder.rungs,
            |x| &x.id,
        )?;
        unchanged(
            "scenario.ron",
            "ladder's thresholds",
            &om.ladder.thresholds,
            &nm.ladder.thresholds,
            |x| &x.id,
        )?;
        unchanged(
            "scenario.ron",
            "relations",
            &om.relations,
            &nm.relations,
            |x| &x.id,
        )?;
        unchanged("scenario.ron", "metrics", &om.metrics, &nm.metrics, |x| {
            &x.id
        })?;
        Ok(Migration {
            actions: remap("actions.ron", "action", &old.actions, &new.actions, |x| {
                &x.id
            })?,
            red_lines: remap(
                "red_lines.ron",
                "red line",
                &old.red_lines,
                &new.red_lines,
                |x| &x.id,
            )?,
            proposals: remap(
                "diplomacy.ron",
                "proposal",
                &old.proposals,
                &new.proposals,
                |x| &x.id,
            )?,
            injects: remap("injects.ron", "inject", &old.injects, &new.injects, |x| {
                &x.id
            })?,
            endings: remap("endings.ron", "ending", &old.endings, &new.endings, |x| {
                &x.id
            })?,
        })
    }

    /// Whether every position stays where it was (the state needs no change).
    pub fn is_identity(&self) -> bool {
        let same = |v: &[usize]| v.iter().enumerate().all(|(i, &j)| i == j);
        same(&self.actions)
            && same(&self.red_lines)
            && same(&self.proposals)
            && same(&self.injects)
            && same(&self.endings)
    }

    /// The state carried over to `new`: every reference moved to its new position, and entries
    /// new to the scenario as a fresh game of `new` has them.
    pub fn state(&self, new: &LoadedScenario, old: &GameState) -> GameState {
        let controllers: Vec<_> = old.actors.iter().map(|a| a.controller.clone()).collect();
        let fresh = GameState::new(&new.scenario, &new.index, &controllers);
        let mut st = old.clone();
        let act = |i: usize| self.actions[i];
        for a in &mut st.actors {
            a.action_overrides = a
                .action_overrides
                .iter()
                .map(|(&k, &v)| (act(k), v))
                .collect();
        }
        for i in &mut st.incidents {
            i.action = act(i.action);
        }
        for h in &mut st.history {
            h.action = act(h.action);
        }
        // Red lines: the old state at the new positions, new red lines fresh.
        st.red_lines = fresh.red_lines.clone();
        st.public.red_lines = fresh.public.red_lines.clone();
        for (o, &n) in self.red_lines.iter().enumerate() {
            st.red_lines[n] = old.red_lines[o].clone();
            st.public.red_lines[n] = old.public.red_lines[o].clone();
        }
        for o in &mut st.obligations {
            o.red_line = self.red_lines[o.red_line];
        }
        for c in &mut st.crossed_incidents {
            c.0 = self.red_lines[c.0];
        }
        for p in &mut st.pending {
            p.proposal = self.proposals[p.proposal];
        }
        for a in &mut st.agreements {
            a.proposal = self.proposals[a.proposal];
        }
        st.injects_fired = fresh.injects_fired.clone();
        for (o, &n) in self.injects.iter().enumerate() {
            st.injects_fired[n] = old.injects_fired[o];
        }
        for s in &mut st.scheduled {
            s.1 = self.injects[s.1];
        }
        if let Some(e) = &mut st.ending {
            e.ending = self.endings[e.ending];
        }
        st
    }

    /// The order book of the coming turn carried over (dice overrides name action positions).
    pub fn order_book(&self, book: &OrderBook) -> OrderBook {
        let mut out = book.clone();
        out.forced = book
            .forced
            .iter()
            .map(|&(actor, action, ok)| (actor, self.actions[action], ok))
            .collect();
        let mut answers = BTreeMap::new();
        for (&(p, actor), &yes) in &book.answers {
            answers.insert((self.proposals[p], actor), yes);
        }
        out.answers = answers;
        out
    }
}

/// Switches a world's game to `new` from the coming turn on: the state, the order book and the
/// scenario resource move together. Returns why not when the game cannot carry over (nothing
/// is changed then).
pub fn switch_scenario(
    world: &mut bevy::prelude::World,
    new: LoadedScenario,
) -> Result<(), String> {
    let Some(old) = world.get_resource::<LoadedScenario>().cloned() else {
        world.insert_resource(new);
        return Ok(());
    };
    let migration = Migration::between(&old.scenario, &new.scenario)?;
    if !migration.is_identity() {
        if let Some(state) = world.get_resource::<GameState>() {
            let state = migration.state(&new, state);
            world.insert_resource(state);
        }
        if let Some(book) = world.get_resource::<OrderBook>() {
            let book = migration.order_book(book);
            world.insert_resource(book);
        }
    }
    world.insert_resource(new);
    Ok(())
}
