//! After-action report of a played game: timeline, escalation chart, red lines, ending, orders.
//! Markdown for handouts, HTML (with an inline SVG chart) for the debrief screen or a browser.

pub mod metrics;

use std::fmt::Write as _;

use crate::sim::{Audience, Event, GameLog, GameState, LoadedScenario};

/// Colour-blind-safe palette (Okabe–Ito) for actor lines; every line is also labelled.
const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
];

/// The report's facts, shared by both formats.
struct Facts<'a> {
    game: &'a LoadedScenario,
    state: &'a GameState,
    log: &'a GameLog,
}

impl Facts<'_> {
    fn ending(&self) -> (String, String, u32) {
        let sc = &self.game.scenario;
        match &self.state.ending {
            Some(e) => (
                sc.endings[e.ending].name.clone(),
                sc.endings[e.ending].text.clone(),
                e.turn,
            ),
            None => (
                "(game still running)".into(),
                String::new(),
                self.state.turn,
            ),
        }
    }

    fn timeline(&self) -> Vec<(u32, String)> {
        self.log
            .entries
            .iter()
            .filter(|e| e.audience == Audience::Public)
            .filter_map(|e| {
                let text = match &e.event {
                    Event::Inject { headline, .. } => format!("News: {headline}"),
                    Event::Headline { text } => format!("Headline: {text}"),
                    Event::RedLineCrossed { red_line, owner, culprit } => {
                        format!("Red line \"{red_line}\" of {owner} crossed by {culprit} (as perceived)")
                    }
                    Event::RedLineEnforced { red_line, action, culprit, credibility, .. } => format!(
                        "Red line \"{red_line}\" enforced with {action} against {culprit}; credibility {credibility}"
                    ),
                    Event::RedLineIgnored { red_line, credibility, .. } => {
                        format!("Red line \"{red_line}\" left unanswered; credibility {credibility}")
                    }
                    Event::ThresholdCrossed { name, actor, .. } => {
                        format!("Threshold \"{name}\" crossed by {actor}")
                    }
                    Event::ProposalDecided { proposal, to, accepted, .. } => format!(
                        "{to} {} the proposal \"{proposal}\"",
                        if *accepted { "accepts" } else { "refuses" }
                    ),
                    Event::PublicAttribution { victim, culprit, .. } => {
                        format!("{victim} publicly attributes an incident to {culprit}")
                    }
                    Event::Ending { name, .. } => format!("Ending: {name}"),
                    _ => return None,
                };
                Some((e.turn, text))
            })
            .collect()
    }

    fn rung_table(&self) -> Vec<(String, Vec<i32>)> {
        let sc = &self.game.scenario;
        sc.actors
            .iter()
            .zip(&self.state.actors)
            .map(|(a, st)| {
                (
                    a.name.clone(),
                    st.rung_history
                        .iter()
                        .map(|&r| sc.meta.ladder.rungs[r].level)
                        .collect(),
                )
            })
            .collect()
    }
}

/// The report as Markdown.
pub fn markdown(game: &LoadedScenario, state: &GameState, log: &GameLog) -> String {
    let f = Facts { game, state, log };
    let sc = &game.scenario;
    let mut s = String::new();
    let (name, text, turn) = f.ending();
    let _ = writeln!(s, "# After-action report: {}\n", sc.meta.title);
    let _ = writeln!(s, "**Ending:** {name} (turn {turn})\n\n{text}\n");
    let _ = writeln!(s, "## Escalation by turn (ladder level)\n");
    let turns = state.crisis_history.len();
    let _ = write!(s, "| actor |");
    for t in 1..=turns {
        let _ = write!(s, " T{t} |");
    }
    let _ = write!(s, "\n|---|");
    for _ in 0..turns {
        let _ = write!(s, "---|");
    }
    s.push('\n');
    for (actor, levels) in f.rung_table() {
        let cells: Vec<String> = levels.iter().map(ToString::to_string).collect();
        let _ = writeln!(s, "| {actor} | {} |", cells.join(" | "));
    }
    s.push('\n');
    s.push_str(&metrics::markdown_section(game, state));
    let _ = writeln!(s, "## Red lines\n");
    for (rl, st) in sc.red_lines.iter().zip(&state.red_lines) {
        let _ = writeln!(
            s,
            "- **{}** ({}): crossed {} time(s), enforced {}, ignored {}, credibility {}",
            rl.name,
            rl.owner,
            st.crossings.len(),
            st.enforced,
            st.ignored,
            st.credibility
        );
    }
    let _ = writeln!(s, "\n## Timeline\n");
    for (t, line) in f.timeline() {
        let _ = writeln!(s, "- T{t}: {line}");
    }
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An SVG line chart of every actor's ladder level over the turns, thresholds drawn across.
pub fn escalation_svg(game: &LoadedScenario, state: &GameState) -> String {
    let f = Facts {
        game,
        state,
        log: &GameLog::default(),
    };
    let sc = &game.scenario;
    let rungs = &sc.meta.ladder.rungs;
    let (w, h, left, top, bottom, right) = (900.0, 420.0, 260.0, 20.0, 40.0, 160.0);
    let turns = state.crisis_history.len().max(2) as f64;
    let lo = rungs.first().map_or(0, |r| r.level) as f64;
    let hi = rungs.last().map_or(1, |r| r.level).max(lo as i32 + 1) as f64;
    let x = |t: usize| left + (w - left - right) * (t as f64) / (turns - 1.0);
    let y = |l: i32| top + (h - top - bottom) * (1.0 - (f64::from(l) - lo) / (hi - lo));
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    for r in rungs {
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0}\" y2=\"{y0}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            w - right,
            left - 6.0,
            y(r.level) + 4.0,
            escape(&r.name),
            y0 = y(r.level)
        );
    }
    for th in &sc.meta.ladder.thresholds {
        if let Some(r) = rungs.iter().find(|r| r.id == th.above) {
            let yy = y(r.level) - (h - top - bottom) / (hi - lo) / 2.0;
            let _ = write!(
                s,
                "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy}\" y2=\"{yy}\" stroke=\"#a00\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{}\" fill=\"#a00\">{}</text>",
                w - right,
                w - right + 4.0,
                yy + 4.0,
                escape(&th.name)
            );
        }
    }
    for (i, (actor, levels)) in f.rung_table().into_iter().enumerate() {
        if levels.is_empty() {
            continue;
        }
        let color = PALETTE[i % PALETTE.len()];
        let dash = ["", "8 3", "2 3", "10 3 2 3"][i / PALETTE.len() % 4];
        let points: Vec<String> = levels
            .iter()
            .enumerate()
            .map(|(t, &l)| format!("{:.1},{:.1}", x(t), y(l) + (i as f64 - 4.0) * 1.5))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"3\" stroke-dasharray=\"{dash}\" points=\"{}\"/>",
            points.join(" ")
        );
        let last = levels.len() - 1;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" fill=\"{color}\">{}</text>",
            x(last) + 6.0,
            y(levels[last]) + (i as f64 - 4.0) * 11.0,
            escape(&actor)
        );
    }
    for t in 0..state.crisis_history.len() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">T{}</text>",
            x(t),
            h - 15.0,
            t + 1
        );
    }
    s.push_str("</svg>");
    s
}

/// The report as a standalone HTML page.
pub fn html(game: &LoadedScenario, state: &GameState, log: &GameLog) -> String {
    let f = Facts { game, state, log };
    let sc = &game.scenario;
    let (name, text, turn) = f.ending();
    let mut s = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>After-action report: {0}</title>\
         <style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;font-size:18px}}li{{margin:.3em 0}}</style>\
         <h1>After-action report: {0}</h1><p><strong>Ending:</strong> {1} (turn {2})</p><p>{3}</p><h2>Escalation</h2>",
        escape(&sc.meta.title),
        escape(&name),
        turn,
        escape(&text)
    );
    s.push_str(&escalation_svg(game, state));
    s.push_str(&metrics::html_section(game, state));
    s.push_str("<h2>Red lines</h2><ul>");
    for (rl, st) in sc.red_lines.iter().zip(&state.red_lines) {
        let _ = write!(
            s,
            "<li><strong>{}</strong> ({}): crossed {}, enforced {}, ignored {}, credibility {}</li>",
            escape(&rl.name),
            escape(&rl.owner),
            st.crossings.len(),
            st.enforced,
            st.ignored,
            st.credibility
        );
    }
    s.push_str("</ul><h2>Timeline</h2><ul>");
    for (t, line) in f.timeline() {
        let _ = write!(s, "<li>T{t}: {}</li>", escape(&line));
    }
    s.push_str("</ul></html>\n");
    s
}
