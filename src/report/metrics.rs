//! The report's metrics section: each metric of the scenario turn by turn, per actor and in
//! total (the escalation score among them when the scenario scores its rungs), from the
//! debrief view model's metric lines (values already shown with their decimals).

use std::fmt::Write as _;

use crate::view::debrief::{DebriefView, MetricLine};

use super::escape;

/// The turns of a metric with, for each, the values per actor and the total, as shown.
fn rows(m: &MetricLine) -> Vec<(u32, Vec<&str>, &str)> {
    m.totals
        .iter()
        .enumerate()
        .map(|(k, (turn, total))| {
            let values = m
                .by_actor
                .iter()
                .map(|(_, v)| v.get(k).map(String::as_str).unwrap_or(""))
                .collect();
            (*turn, values, total.as_str())
        })
        .collect()
}

/// The section in Markdown: one table per metric, a row per turn, a column per actor and
/// the total. Empty when the scenario has no metrics.
pub fn markdown_section(d: &DebriefView) -> String {
    if d.metrics.iter().all(|m| m.totals.is_empty()) {
        return String::new();
    }
    let mut s = String::from("\n## Metrics by turn\n");
    for m in &d.metrics {
        let _ = writeln!(s, "\n### {} (`{}`)\n", m.name, m.id);
        let _ = write!(s, "| turn |");
        for (a, _) in &m.by_actor {
            let _ = write!(s, " {a} |");
        }
        let _ = write!(s, " total |\n|---|");
        for _ in &m.by_actor {
            s.push_str("---:|");
        }
        s.push_str("---:|\n");
        for (turn, values, total) in rows(m) {
            let _ = write!(s, "| T{turn} |");
            for v in values {
                let _ = write!(s, " {v} |");
            }
            let _ = writeln!(s, " {total} |");
        }
    }
    s
}

/// The section in HTML: the same tables. Empty when the scenario has no metrics.
pub fn html_section(d: &DebriefView) -> String {
    if d.metrics.iter().all(|m| m.totals.is_empty()) {
        return String::new();
    }
    let mut s = String::from(
        "<h2 id=\"metrics\">Metrics by turn</h2><style>table.metric td{text-align:right}</style>",
    );
    for m in &d.metrics {
        let _ = write!(
            s,
            "<h3>{} (<code>{}</code>)</h3><table class=\"metric\"><tr><th>turn</th>",
            escape(&m.name),
            escape(&m.id)
        );
        for (a, _) in &m.by_actor {
            let _ = write!(s, "<th>{}</th>", escape(a));
        }
        s.push_str("<th>total</th></tr>");
        for (turn, values, total) in rows(m) {
            let _ = write!(s, "<tr><td>T{turn}</td>");
            for v in values {
                let _ = write!(s, "<td>{}</td>", escape(v));
            }
            let _ = write!(s, "<td>{}</td></tr>", escape(total));
        }
        s.push_str("</table>");
    }
    s
}
