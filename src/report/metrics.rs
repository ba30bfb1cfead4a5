//! The report's metrics section: each metric of the scenario turn by turn, per actor and in
//! total (the escalation score among them when the scenario scores its rungs). One function
//! per format, so the rest of the report can change around them.

use std::fmt::Write as _;

use crate::scenario::format_decimal;
use crate::sim::{GameState, LoadedScenario};

/// A metric's rows: (actor names, then per turn: the turn, values per actor, total).
fn rows(game: &LoadedScenario, state: &GameState, m: usize) -> Vec<(u32, Vec<i64>, i64)> {
    state
        .metrics
        .iter()
        .map(|row| (row.turn, row.actors_of(m).to_vec(), row.total(m)))
        .filter(|(_, values, _)| values.len() == game.scenario.actors.len())
        .collect()
}

/// The section in Markdown: one table per metric, a row per turn, a column per actor and
/// the total. Empty when the scenario has no metrics.
pub fn markdown_section(game: &LoadedScenario, state: &GameState) -> String {
    let labels = &game.index.resolved.metric_labels;
    if labels.is_empty() || state.metrics.is_empty() {
        return String::new();
    }
    let sc = &game.scenario;
    let mut s = String::from("## Metrics by turn\n");
    for (m, (id, name, decimals)) in labels.iter().enumerate() {
        let _ = writeln!(s, "\n### {name} (`{id}`)\n");
        let _ = write!(s, "| turn |");
        for a in &sc.actors {
            let _ = write!(s, " {} |", a.name);
        }
        let _ = write!(s, " total |\n|---|");
        for _ in &sc.actors {
            s.push_str("---:|");
        }
        s.push_str("---:|\n");
        for (turn, values, total) in rows(game, state, m) {
            let _ = write!(s, "| T{turn} |");
            for v in values {
                let _ = write!(s, " {} |", format_decimal(v, *decimals));
            }
            let _ = writeln!(s, " {} |", format_decimal(total, *decimals));
        }
    }
    s.push('\n');
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The section in HTML: the same tables. Empty when the scenario has no metrics.
pub fn html_section(game: &LoadedScenario, state: &GameState) -> String {
    let labels = &game.index.resolved.metric_labels;
    if labels.is_empty() || state.metrics.is_empty() {
        return String::new();
    }
    let sc = &game.scenario;
    let mut s = String::from(
        "<h2>Metrics by turn</h2><style>table.metric{border-collapse:collapse}\
         table.metric td,table.metric th{padding:.2em .6em;border-bottom:1px solid #ccc;text-align:right}</style>",
    );
    for (m, (id, name, decimals)) in labels.iter().enumerate() {
        let _ = write!(
            s,
            "<h3>{} (<code>{}</code>)</h3><table class=\"metric\"><tr><th>turn</th>",
            escape(name),
            escape(id)
        );
        for a in &sc.actors {
            let _ = write!(s, "<th>{}</th>", escape(&a.name));
        }
        s.push_str("<th>total</th></tr>");
        for (turn, values, total) in rows(game, state, m) {
            let _ = write!(s, "<tr><td>T{turn}</td>");
            for v in values {
                let _ = write!(s, "<td>{}</td>", format_decimal(v, *decimals));
            }
            let _ = write!(s, "<td>{}</td></tr>", format_decimal(total, *decimals));
        }
        s.push_str("</table>");
    }
    s
}
