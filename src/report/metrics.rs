//! The report's metrics section: each metric of the scenario turn by turn, per actor and in
//! total (the escalation score among them when the scenario scores its rungs), written from
//! the debrief view model's [`MetricLine`]s. One function per format.

use std::fmt::Write as _;

use crate::view::debrief::MetricLine;

use super::escape;

/// The section in Markdown: one table per metric, a row per turn, a column per actor and
/// the total. Empty when the scenario has no metrics.
pub fn markdown_section(metrics: &[MetricLine]) -> String {
    if metrics.iter().all(|m| m.totals.is_empty()) {
        return String::new();
    }
    let mut s = String::from("## Metrics by turn\n");
    for m in metrics {
        let _ = writeln!(s, "\n### {} (`{}`)\n", m.name, m.id);
        let _ = write!(s, "| turn |");
        for (actor, _) in &m.by_actor {
            let _ = write!(s, " {actor} |");
        }
        let _ = write!(s, " total |\n|---|");
        for _ in &m.by_actor {
            s.push_str("---:|");
        }
        s.push_str("---:|\n");
        for (k, (turn, total)) in m.totals.iter().enumerate() {
            let _ = write!(s, "| T{turn} |");
            for (_, values) in &m.by_actor {
                let _ = write!(s, " {} |", values.get(k).map_or("", String::as_str));
            }
            let _ = writeln!(s, " {total} |");
        }
    }
    s.push('\n');
    s
}

/// The section in HTML: the same tables. Empty when the scenario has no metrics.
pub fn html_section(metrics: &[MetricLine]) -> String {
    if metrics.iter().all(|m| m.totals.is_empty()) {
        return String::new();
    }
    let mut s = String::from(
        "<h2 id=\"metrics\">Metrics by turn</h2><style>table.metric td,table.metric th{text-align:right}</style>",
    );
    for m in metrics {
        let _ = write!(
            s,
            "<h3>{} (<code>{}</code>)</h3><table class=\"metric\"><tr><th>turn</th>",
            escape(&m.name),
            escape(&m.id)
        );
        for (actor, _) in &m.by_actor {
            let _ = write!(s, "<th>{}</th>", escape(actor));
        }
        s.push_str("<th>total</th></tr>");
        for (k, (turn, total)) in m.totals.iter().enumerate() {
            let _ = write!(s, "<tr><td>T{turn}</td>");
            for (_, values) in &m.by_actor {
                let _ = write!(s, "<td>{}</td>", values.get(k).map_or("", String::as_str));
            }
            let _ = write!(s, "<td>{}</td></tr>", escape(total));
        }
        s.push_str("</table>");
    }
    s
}
