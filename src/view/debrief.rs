//! The debrief: after the game, everything, including what was hidden during play.

use crate::scenario::{EndingTone, Scenario};
use crate::sim::log::{Event, GameLog};
use crate::sim::state::GameState;

use super::RungView;
use super::board::ladder;
use super::names::{self, actor_name, actor_name_by_id};

/// One actor's line on the escalation chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RungSeries {
    /// Actor position.
    pub index: usize,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Rung position at the start and at the end of each turn played.
    pub rungs: Vec<usize>,
}

/// A metric over the turns played, as shown (with its decimals).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLine {
    /// Metric id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Total over every actor at the end of each turn: (turn, value shown).
    pub totals: Vec<(u32, String)>,
    /// Each actor's values by turn: (actor name, values shown).
    pub by_actor: Vec<(String, Vec<String>)>,
}

/// A red line's record.
#[derive(Debug, Clone, PartialEq)]
pub struct RedLineRecord {
    /// Owner name.
    pub owner: String,
    /// Red line name.
    pub name: String,
    /// Public or private.
    pub public: bool,
    /// Crossings: (turn, culprit name).
    pub crossings: Vec<(u32, String)>,
    /// Times enforced.
    pub enforced: u32,
    /// Times ignored.
    pub ignored: u32,
    /// Credibility at the end.
    pub credibility: i32,
}

/// The debrief.
#[derive(Debug, Clone, PartialEq)]
pub struct DebriefView {
    /// Scenario title.
    pub title: String,
    /// Turns played.
    pub turns_played: u32,
    /// The ladder.
    pub ladder: Vec<RungView>,
    /// Each actor's rung over the turns.
    pub series: Vec<RungSeries>,
    /// Thresholds crossed: (turn, name, by whom).
    pub thresholds: Vec<(u32, String, String)>,
    /// Red lines.
    pub red_lines: Vec<RedLineRecord>,
    /// The ending: (name, text, tone in words).
    pub ending: Option<(String, String, String)>,
    /// Every order given, by turn: (turn, line).
    pub orders: Vec<(u32, String)>,
    /// Incidents that were never detected, or blamed on the wrong actor: the hidden war.
    pub hidden: Vec<String>,
    /// The scenario's metrics (the escalation score among them) turn by turn.
    pub metrics: Vec<MetricLine>,
}

/// The metrics of a game, turn by turn, per actor and in total.
pub fn metric_lines(s: &Scenario, state: &GameState) -> Vec<MetricLine> {
    crate::scenario::index::metric_labels(s)
        .into_iter()
        .enumerate()
        .map(|(m, (id, name, decimals))| {
            let shown = |v: i64| crate::scenario::format_decimal(v, decimals);
            MetricLine {
                id,
                name,
                totals: state
                    .metrics
                    .iter()
                    .map(|r| (r.turn, shown(r.total(m))))
                    .collect(),
                by_actor: s
                    .actors
                    .iter()
                    .enumerate()
                    .map(|(a, actor)| {
                        let values = state.metrics.iter().map(|r| shown(r.value(m, a))).collect();
                        (actor.name.clone(), values)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The debrief of a game.
pub fn debrief_view(s: &Scenario, state: &GameState, log: &GameLog) -> DebriefView {
    let start_rung = |i: usize| {
        let id = &s.actors[i].rung;
        s.meta
            .ladder
            .rungs
            .iter()
            .position(|r| &r.id == id)
            .unwrap_or(0)
    };
    let series = s
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut rungs = vec![start_rung(i)];
            rungs.extend(state.actors[i].rung_history.iter().copied());
            RungSeries {
                index: i,
                code: names::actor_code(&a.id),
                name: a.name.clone(),
                rungs,
            }
        })
        .collect();
    let mut thresholds = Vec::new();
    let mut orders = Vec::new();
    for entry in &log.entries {
        match &entry.event {
            Event::ThresholdCrossed { name, actor, .. } => {
                thresholds.push((entry.turn, name.clone(), actor_name_by_id(s, actor)));
            }
            Event::Order {
                actor,
                action,
                target,
                by,
            } => orders.push((
                entry.turn,
                format!(
                    "{} ({by}): {}{}",
                    actor_name_by_id(s, actor),
                    names::action_name_by_id(s, action),
                    target
                        .as_deref()
                        .map(|t| format!(" → {}", actor_name_by_id(s, t)))
                        .unwrap_or_default()
                ),
            )),
            _ => {}
        }
    }
    let red_lines = s
        .red_lines
        .iter()
        .zip(&state.red_lines)
        .filter(|(_, st)| st.declared || !st.crossings.is_empty())
        .map(|(def, st)| RedLineRecord {
            owner: actor_name_by_id(s, &def.owner),
            name: def.name.clone(),
            public: def.public,
            crossings: st
                .crossings
                .iter()
                .map(|(t, c)| (*t, actor_name(s, *c)))
                .collect(),
            enforced: st.enforced,
            ignored: st.ignored,
            credibility: st.credibility,
        })
        .collect();
    let hidden = state
        .incidents
        .iter()
        .filter(|i| i.detected.is_none() || i.misattributed())
        .map(|i| {
            let action = s
                .actions
                .get(i.action)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            let what = format!(
                "T{} {} by {} against {}",
                i.turn,
                action,
                actor_name(s, i.actor),
                actor_name(s, i.victim)
            );
            match (i.detected, i.suspect) {
                (None, _) => format!("{what} — never detected"),
                (Some(_), Some(sus)) => format!("{what} — blamed on {}", actor_name(s, sus)),
                (Some(_), None) => format!("{what} — never attributed"),
            }
        })
        .collect();
    DebriefView {
        title: s.meta.title.clone(),
        turns_played: state
            .actors
            .first()
            .map(|a| a.rung_history.len() as u32)
            .unwrap_or(0),
        ladder: ladder(s, &state.thresholds_crossed),
        series,
        thresholds,
        red_lines,
        ending: state.ending.as_ref().and_then(|e| {
            s.endings.get(e.ending).map(|d| {
                let tone = match d.tone {
                    EndingTone::Good => "good",
                    EndingTone::Neutral => "neutral",
                    EndingTone::Bad => "bad",
                };
                (d.name.clone(), d.text.clone(), tone.to_string())
            })
        }),
        orders,
        hidden,
        metrics: metric_lines(s, state),
    }
}
