//! The scenario's metrics over many games: the mean of each metric per turn, per actor and in
//! total (the escalation score first among them when the scenario scores its rungs).

use std::fmt::Write as _;

use super::{GameOutcome, Labels, Summary};
use crate::sim::LoadedScenario;

/// One metric's mean values at the end of one turn, over the games still running then.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnMeans {
    /// Games that played this turn.
    pub games: usize,
    /// Mean per actor, in scenario order (in the metric's smallest unit).
    pub actors: Vec<f64>,
    /// Mean of the total over every actor.
    pub total: f64,
}

/// One metric over a batch of games.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricCurve {
    /// Metric id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Decimal places its values are shown with (an attribute metric's decimals).
    pub decimals: u32,
    /// Means by turn (index 0 is turn 1).
    pub by_turn: Vec<TurnMeans>,
}

/// Every metric of a scenario over a batch of games.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricCurves {
    /// Actor ids, in scenario order.
    pub actors: Vec<String>,
    /// One curve per metric, in the scenario's order.
    pub metrics: Vec<MetricCurve>,
}

/// The mean of every metric per turn, per actor and in total, over the outcomes.
pub fn metric_curves(loaded: &LoadedScenario, outcomes: &[GameOutcome]) -> MetricCurves {
    let actors: Vec<String> = loaded
        .scenario
        .actors
        .iter()
        .map(|a| a.id.clone())
        .collect();
    let turns = outcomes.iter().map(|o| o.metrics.len()).max().unwrap_or(0);
    let metrics = loaded
        .index
        .resolved
        .metric_labels
        .iter()
        .enumerate()
        .map(|(m, (id, name, decimals))| {
            let by_turn = (0..turns)
                .map(|t| {
                    let mut sums = vec![0f64; actors.len()];
                    let mut total = 0f64;
                    let mut games = 0;
                    for row in outcomes.iter().filter_map(|o| o.metrics.get(t)) {
                        games += 1;
                        for (sum, v) in sums.iter_mut().zip(row.actors_of(m)) {
                            *sum += *v as f64;
                        }
                        total += row.total(m) as f64;
                    }
                    let n = games.max(1) as f64;
                    TurnMeans {
                        games,
                        actors: sums.into_iter().map(|s| s / n).collect(),
                        total: total / n,
                    }
                })
                .collect();
            MetricCurve {
                id: id.clone(),
                name: name.clone(),
                decimals: *decimals,
                by_turn,
            }
        })
        .collect();
    MetricCurves { actors, metrics }
}

impl MetricCurves {
    /// The means of a streamed summary (exact sums, divided only here).
    pub fn from_summary(labels: &Labels, sm: &Summary) -> Self {
        let n = labels.actors.len();
        let metrics = labels
            .metrics
            .iter()
            .enumerate()
            .map(|(m, (id, name, decimals))| {
                let by_turn = sm
                    .metrics
                    .iter()
                    .map(|t| {
                        let games = t.games.max(1) as f64;
                        let at = |k: usize| {
                            t.sums.get(m * (n + 1) + k).copied().unwrap_or(0) as f64 / games
                        };
                        TurnMeans {
                            games: t.games as usize,
                            actors: (0..n).map(at).collect(),
                            total: at(n),
                        }
                    })
                    .collect();
                MetricCurve {
                    id: id.clone(),
                    name: name.clone(),
                    decimals: *decimals,
                    by_turn,
                }
            })
            .collect();
        MetricCurves {
            actors: labels.actors.clone(),
            metrics,
        }
    }

    /// Every mean as (metric id, actor id or "total", turn, value shown in the metric's unit).
    pub fn cells(&self) -> Vec<(String, String, usize, String)> {
        let mut out = Vec::new();
        for m in &self.metrics {
            for (t, row) in m.by_turn.iter().enumerate() {
                for (a, v) in self.actors.iter().zip(&row.actors) {
                    out.push((m.id.clone(), a.clone(), t + 1, shown(*v, m.decimals)));
                }
                out.push((
                    m.id.clone(),
                    "total".into(),
                    t + 1,
                    shown(row.total, m.decimals),
                ));
            }
        }
        out
    }
}

/// A mean in the metric's smallest unit, shown in its own unit (`decimals` places, plus two
/// for the mean).
fn shown(v: f64, decimals: u32) -> String {
    let scaled = v / 10f64.powi(decimals as i32);
    format!("{scaled:.prec$}", prec = decimals as usize + 2)
}

impl MetricCurves {
    /// A readable table per metric: one row per turn, one column per actor, then the total.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        for m in &self.metrics {
            let _ = writeln!(s, "\nmean {} ({}) by turn:", m.name, m.id);
            let width = self
                .actors
                .iter()
                .map(|a| a.len())
                .max()
                .unwrap_or(0)
                .max(10);
            let _ = write!(s, "{:>5}", "turn");
            for a in &self.actors {
                let _ = write!(s, " {a:>width$}");
            }
            let _ = writeln!(s, " {:>width$}", "total");
            for (t, row) in m.by_turn.iter().enumerate() {
                let _ = write!(s, "{:>5}", t + 1);
                for v in &row.actors {
                    let _ = write!(s, " {:>width$}", shown(*v, m.decimals));
                }
                let _ = writeln!(s, " {:>width$}", shown(row.total, m.decimals));
            }
        }
        s
    }

    /// CSV rows in the summary's `kind,key,value` form: `metric,<id>/<actor or total>/<turn>,mean`
    /// (values in the metric's own unit).
    pub fn to_csv_rows(&self) -> String {
        let mut s = String::new();
        for m in &self.metrics {
            for (t, row) in m.by_turn.iter().enumerate() {
                for (a, v) in self.actors.iter().zip(&row.actors) {
                    let _ = writeln!(s, "metric,{}/{a}/{},{}", m.id, t + 1, shown(*v, m.decimals));
                }
                let _ = writeln!(
                    s,
                    "metric,{}/total/{},{}",
                    m.id,
                    t + 1,
                    shown(row.total, m.decimals)
                );
            }
        }
        s
    }
}

/// One game's metrics as a table per metric: a row per turn, a column per actor, then the
/// total, each value with the metric's decimals (for `simulate` of a single game).
pub fn game_table(loaded: &LoadedScenario, rows: &[crate::sim::MetricRow]) -> String {
    let sc = &loaded.scenario;
    let width = sc
        .actors
        .iter()
        .map(|a| a.id.len())
        .max()
        .unwrap_or(0)
        .max(10);
    let mut s = String::new();
    for (m, (id, name, decimals)) in loaded.index.resolved.metric_labels.iter().enumerate() {
        let shown = |v: i64| crate::scenario::format_decimal(v, *decimals);
        let _ = writeln!(s, "\n{name} ({id}) by turn:");
        let _ = write!(s, "{:>5}", "turn");
        for a in &sc.actors {
            let _ = write!(s, " {:>width$}", a.id);
        }
        let _ = writeln!(s, " {:>width$}", "total");
        for row in rows {
            let _ = write!(s, "{:>5}", row.turn);
            for v in row.actors_of(m) {
                let _ = write!(s, " {:>width$}", shown(*v));
            }
            let _ = writeln!(s, " {:>width$}", shown(row.total(m)));
        }
    }
    s
}
