//! After-action report of a played game, in Markdown for handouts and as one self-contained
//! HTML page (inline CSS and SVG, no external assets). Both are written from the debrief view
//! model ([`crate::view::debrief`]), the same one the debrief screen draws, so they cannot drift.

pub mod branch;
pub mod chart;
pub mod metrics;

use std::fmt::Write as _;

use crate::view::debrief::{DebriefView, FiringOutcome, IncidentRecord};

pub use chart::{ladder_svg, layout_labels};

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn ending_line(d: &DebriefView) -> (String, String) {
    match &d.ending {
        Some((name, text, tone)) => (format!("{name} ({tone})"), text.clone()),
        None => (
            "none — the session ended before an ending was reached".into(),
            String::new(),
        ),
    }
}

/// The victim's beliefs in words, one segment per suspect: "T1–T2 Ukraine 20→45 % (suspected)".
pub fn beliefs(i: &IncidentRecord) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut k = 0;
    while k < i.blames.len() {
        let first = &i.blames[k];
        let mut j = k;
        while j + 1 < i.blames.len() && i.blames[j + 1].suspect == first.suspect {
            j += 1;
        }
        let last = &i.blames[j];
        let turns = if first.turn == last.turn {
            format!("T{}", first.turn)
        } else {
            format!("T{}–T{}", first.turn, last.turn)
        };
        let conf = if first.confidence == last.confidence {
            format!("{} %", last.confidence)
        } else {
            format!("{}→{} %", first.confidence, last.confidence)
        };
        let who = first.suspect.as_deref().unwrap_or("no suspect");
        out.push((
            format!("{turns} {who} {conf} ({})", last.level),
            first.wrong,
        ));
        k = j + 1;
    }
    out
}

/// An incident's verdict in words ("right", "WRONG BLAME, corrected at T4", …).
pub fn incident_status(i: &IncidentRecord) -> String {
    if i.overt {
        return "overt: author known".into();
    }
    match (i.detected, i.wrong_at_end, i.ever_wrong, i.corrected) {
        (None, ..) => "never detected".into(),
        (Some(_), true, ..) => "WRONG BLAME (never corrected)".into(),
        (Some(_), false, true, Some(t)) => format!("WRONG BLAME, corrected at T{t}"),
        (Some(_), false, true, None) => "WRONG BLAME".into(),
        (Some(_), false, false, _) => {
            if i.blames.iter().any(|b| b.suspect.is_some()) {
                "right".into()
            } else {
                "never attributed".into()
            }
        }
    }
}

/// How a red-line firing was answered, in words.
pub fn outcome_words(o: &FiringOutcome, culprit: &str) -> String {
    match o {
        FiringOutcome::Enforced(t, action) => {
            format!("answered T{t} with {action} against {culprit}")
        }
        FiringOutcome::Ignored(t) => format!("left unanswered (T{t})"),
        FiringOutcome::Open => "open at the end".into(),
    }
}

/// "T1, T3, T7".
pub fn turns_words(turns: &[u32]) -> String {
    let t: Vec<String> = turns.iter().map(|t| format!("T{t}")).collect();
    t.join(", ")
}

/// A timeline line in words, with its count when repeated: "T3–T12: News: … (×16)".
pub fn timeline_words(l: &crate::view::debrief::TimelineLine) -> String {
    match (l.count > 1, l.turn == l.last_turn) {
        (false, _) => format!("T{}: {}", l.turn, l.text),
        (true, true) => format!("T{}: {} (×{})", l.turn, l.text, l.count),
        (true, false) => format!("T{}–T{}: {} (×{})", l.turn, l.last_turn, l.text, l.count),
    }
}

/// The report as Markdown.
pub fn markdown(d: &DebriefView) -> String {
    let mut s = String::new();
    let (ending, text) = ending_line(d);
    let _ = writeln!(s, "# After-action review: {}\n", d.title);
    let _ = writeln!(
        s,
        "{} turn(s) played, seed {}.\n\n**Ending:** {ending}\n",
        d.turns_played, d.seed
    );
    if !text.is_empty() {
        let _ = writeln!(s, "{text}\n");
    }
    let _ = writeln!(s, "## The ladder over time\n");
    let turns = d.series.iter().map(|x| x.rungs.len()).max().unwrap_or(0);
    let _ = write!(s, "| actor | start |");
    for t in 1..turns {
        let _ = write!(s, " T{t} |");
    }
    let _ = write!(s, "\n|---|---|");
    for _ in 1..turns {
        let _ = write!(s, "---|");
    }
    s.push('\n');
    for x in &d.series {
        let cells: Vec<String> = x
            .rungs
            .iter()
            .map(|&r| cell(d.ladder.get(r).map_or("?", |r| r.name.as_str())))
            .collect();
        let _ = writeln!(s, "| {} | {} |", cell(&x.name), cells.join(" | "));
    }
    let _ = writeln!(s, "\n## Turning points\n");
    if d.turning_points.is_empty() {
        let _ = writeln!(s, "No turning point was found.");
    }
    for t in &d.turning_points {
        let _ = writeln!(s, "### T{} — {} ({})\n", t.turn, t.title, t.kind.label());
        for q in &t.questions {
            let _ = writeln!(s, "- {q}");
        }
        s.push('\n');
    }
    let _ = writeln!(s, "\n## Attribution accuracy\n");
    if d.incidents.is_empty() {
        let _ = writeln!(s, "No incidents.");
    } else {
        let _ = writeln!(
            s,
            "| # | turn | operation | true author | victim | what the victim believed | verdict | public |\n|---|---|---|---|---|---|---|---|"
        );
        for i in &d.incidents {
            let blames: Vec<String> = beliefs(i)
                .into_iter()
                .map(|(w, wrong)| if wrong { format!("✖ {w}") } else { w })
                .collect();
            let verdict = incident_status(i);
            let verdict = if verdict.starts_with("WRONG") {
                format!("**✖ {verdict}**")
            } else {
                verdict
            };
            let _ = writeln!(
                s,
                "| {} | T{} | {}{} | {} | {} | {} | {} | {} |",
                i.id,
                i.turn,
                cell(&i.action),
                if i.success { "" } else { " (failed)" },
                cell(&i.author),
                cell(&i.victim),
                cell(&if blames.is_empty() {
                    "—".to_string()
                } else {
                    blames.join("; ")
                }),
                verdict,
                i.public.as_ref().map_or_else(
                    || "—".to_string(),
                    |(t, who)| format!("T{t}: named {}", cell(who))
                )
            );
        }
    }
    let _ = writeln!(s, "\n### Red-line firings and the truth behind them\n");
    if d.firings.is_empty() {
        let _ = writeln!(s, "No red line fired.");
    } else {
        let _ = writeln!(
            s,
            "| turn | red line | owner | blamed | truly done by | answer | |\n|---|---|---|---|---|---|---|"
        );
        for f in &d.firings {
            let _ = writeln!(
                s,
                "| T{} | {} | {} | {} | {} | {} | {} |",
                f.turn,
                cell(&f.red_line),
                cell(&f.owner),
                cell(&f.culprit),
                f.incident
                    .as_ref()
                    .map_or_else(|| "—".to_string(), |(id, a)| format!("{} (#{id})", cell(a))),
                cell(&outcome_words(&f.outcome, &f.culprit)),
                if f.wrong {
                    "**✖ rested on a wrong attribution**"
                } else {
                    ""
                }
            );
        }
    }
    let _ = writeln!(s, "\n## Norms ledger\n");
    for n in &d.norms {
        let _ = writeln!(s, "### {}\n", n.actor);
        if let (Some(name), false) = (&d.standing_name, n.standing.is_empty()) {
            let values: Vec<String> = n.standing.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                s,
                "{name} (start, then each turn): {}\n",
                values.join(" → ")
            );
        }
        if n.broken.is_empty() && n.upheld.is_empty() {
            let _ = writeln!(s, "No norm broken or upheld in view of the world.\n");
        }
        for (norm, turns) in &n.broken {
            let _ = writeln!(s, "- ✖ broke {norm}: {}", turns_words(turns));
        }
        for (norm, turns) in &n.upheld {
            let _ = writeln!(s, "- ✔ upheld {norm}: {}", turns_words(turns));
        }
        if !(n.broken.is_empty() && n.upheld.is_empty()) {
            s.push('\n');
        }
    }
    let _ = writeln!(s, "## Decisions\n");
    let _ = writeln!(
        s,
        "Each actor's orders per turn; bot orders are marked [bot]. \"Default bot\" is what a bot of the actor's default doctrine would have ordered at that point.\n"
    );
    let _ = writeln!(
        s,
        "| turn | actor | by | orders | default bot would have | |\n|---|---|---|---|---|---|"
    );
    for x in &d.decisions {
        let orders = if x.orders.is_empty() {
            "(no order)".to_string()
        } else {
            x.orders.join("; ")
        };
        let alt = match &x.alternative {
            None => format!("(this is the {} bot)", x.doctrine),
            Some(a) if a.is_empty() => format!("{}: (no order)", x.doctrine),
            Some(a) => format!("{}: {}", x.doctrine, a.join("; ")),
        };
        let _ = writeln!(
            s,
            "| T{} | {} | {}{} | {} | {} | {} |",
            x.turn,
            cell(&x.actor),
            if x.bot { "[bot] " } else { "" },
            cell(&x.by),
            cell(&orders),
            cell(&alt),
            if x.differs() { "differs" } else { "" }
        );
    }
    let _ = writeln!(s, "\n## Facilitator overrides and undos\n");
    if d.interventions.is_empty() {
        let _ = writeln!(s, "None: the game ran as the rules and the dice played it.");
    }
    for x in &d.interventions {
        let _ = writeln!(s, "- T{}: the facilitator {}", x.turn, x.text);
    }
    let _ = writeln!(s, "\n## Objectives\n");
    for o in &d.objectives {
        let score = o.score.map_or_else(
            || "not scored (the scenario declares no scored objectives)".to_string(),
            |v| format!("score {v}"),
        );
        let objectives = if o.objectives.is_empty() {
            "(none stated)"
        } else {
            o.objectives.as_str()
        };
        let _ = writeln!(s, "- **{}** — {objectives} — {score}", o.actor);
    }
    s.push_str(&metrics::markdown_section(d));
    let _ = writeln!(s, "\n## Red lines\n");
    for rl in &d.red_lines {
        let _ = writeln!(
            s,
            "- **{}** ({}{}): crossed {} time(s), enforced {}, ignored {}, credibility {}",
            rl.name,
            rl.owner,
            if rl.public { "" } else { ", private" },
            rl.crossings.len(),
            rl.enforced,
            rl.ignored,
            rl.credibility
        );
    }
    let _ = writeln!(s, "\n## Timeline (public)\n");
    for l in &d.timeline {
        let _ = writeln!(s, "- {}", timeline_words(l));
    }
    s
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;font-size:17px;color:#1d1d1f;background:#fbfaf7}\
h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\
table{border-collapse:collapse;width:100%;font-size:.92em;margin:.5em 0}th,td{border:1px solid #ccc;padding:.3em .45em;text-align:left;vertical-align:top}\
th{background:#eee}tr.wrong td{background:#fde6e3}.mark-wrong{color:#a40000;font-weight:bold}\
.mark-right{color:#006b3c}.sw{display:inline-block;width:.8em;height:.8em;border:1px solid #333;margin-right:.3em;vertical-align:-1px}\
.bot{color:#555;font-style:italic}.badge{font-style:normal;font-size:.75em;font-weight:bold;background:#555;color:#fff;border-radius:3px;padding:0 .3em}.differs{color:#8a4b00;font-weight:bold}.tp{border-left:5px solid #999;padding:.2em .8em;margin:.8em 0;background:#fff}\
.tp.misattribution{border-color:#a40000}.tp.threshold{border-color:#d55e00}.tp.ignored{border-color:#e69f00}.tp.agreement{border-color:#009e73}.tp.facilitator{border-color:#0072b2}\
.tp h3{margin:.2em 0;font-size:1.05em}summary{cursor:pointer;margin:.6em 0;color:#333}.kind{font-size:.8em;text-transform:uppercase;letter-spacing:.05em;color:#555}\
.ledger{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:.8em}.card{background:#fff;border:1px solid #ccc;border-radius:8px;padding:.6em .8em}\
.card h3{margin:.1em 0 .4em}.muted{color:#666}.ending{font-size:1.15em;background:#fff;border:1px solid #ccc;border-radius:8px;padding:.6em 1em}\
svg{max-width:100%;height:auto;background:#fff;border:1px solid #ccc;border-radius:8px}";

fn decisions_table(s: &mut String, d: &DebriefView, rows: &[&crate::view::debrief::Decision]) {
    let e = escape;
    s.push_str("<table class=\"decisions\"><tr><th>turn</th><th>actor</th><th>by</th><th>orders</th><th>default bot would have</th></tr>");
    for x in rows {
        let orders = if x.orders.is_empty() {
            "(no order)".to_string()
        } else {
            x.orders
                .iter()
                .map(|l| e(l))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let alt = match &x.alternative {
            None => format!(
                "<span class=\"muted\">(this is the {} bot)</span>",
                e(&x.doctrine)
            ),
            Some(a) => format!(
                "{}{}: {}",
                if x.differs() {
                    "<span class=\"differs\">≠ </span>"
                } else {
                    "= "
                },
                e(&x.doctrine),
                if a.is_empty() {
                    "(no order)".to_string()
                } else {
                    a.iter().map(|l| e(l)).collect::<Vec<_>>().join("<br>")
                }
            ),
        };
        let _ = write!(
            s,
            "<tr><td>T{}</td><td>{}</td><td class=\"{}\">{}{}</td><td>{}</td><td>{}</td></tr>",
            x.turn,
            actor_html(d, &x.actor),
            if x.bot { "bot" } else { "team" },
            if x.bot {
                "<span class=\"badge\">BOT</span> "
            } else {
                ""
            },
            e(&x.by),
            orders,
            alt
        );
    }
    s.push_str("</table>");
}

/// An actor's name with its colour swatch.
fn actor_html(d: &DebriefView, name: &str) -> String {
    match d.actors.iter().find(|a| a.name == name) {
        Some(a) => format!(
            "<span class=\"actor\"><span class=\"sw\" style=\"background:{}\"></span>{}</span>",
            a.colour,
            escape(name)
        ),
        None => escape(name),
    }
}

/// The report as one self-contained HTML page.
pub fn html(d: &DebriefView) -> String {
    let e = escape;
    let actor = |name: &str| actor_html(d, name);
    let (ending, text) = ending_line(d);
    let mut s = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>After-action review: {0}</title><style>{CSS}</style></head><body>\
         <h1>After-action review: {0}</h1><p class=\"muted\">{1} turn(s) played · seed {2}</p>\
         <div class=\"ending\"><strong>Ending:</strong> {3}<br>{4}</div>",
        e(&d.title),
        d.turns_played,
        d.seed,
        e(&ending),
        e(&text)
    );
    s.push_str("<h2 id=\"ladder\">The ladder over time</h2>");
    s.push_str(&ladder_svg(d));
    s.push_str("<h2 id=\"turning-points\">Turning points</h2>");
    if d.turning_points.is_empty() {
        s.push_str("<p>No turning point was found.</p>");
    }
    for t in &d.turning_points {
        let class = match t.kind {
            crate::view::debrief::TurningKind::Threshold => "threshold",
            crate::view::debrief::TurningKind::Misattribution => "misattribution",
            crate::view::debrief::TurningKind::RedLineIgnored => "ignored",
            crate::view::debrief::TurningKind::Agreement => "agreement",
            crate::view::debrief::TurningKind::Facilitator => "facilitator",
        };
        let _ = write!(
            s,
            "<div class=\"tp {class}\"><div class=\"kind\">T{} · {}</div><h3>{}</h3><ol class=\"questions\">",
            t.turn,
            t.kind.label(),
            e(&t.title)
        );
        for q in &t.questions {
            let _ = write!(s, "<li>{}</li>", e(q));
        }
        s.push_str("</ol></div>");
    }
    s.push_str("<h2 id=\"attribution\">Attribution accuracy</h2>");
    if d.incidents.is_empty() {
        s.push_str("<p>No incidents.</p>");
    } else {
        s.push_str("<table class=\"attribution\"><tr><th>#</th><th>turn</th><th>operation</th><th>true author</th><th>victim</th><th>what the victim believed</th><th>verdict</th><th>public</th></tr>");
        for i in &d.incidents {
            let verdict = incident_status(i);
            let wrong = verdict.starts_with("WRONG");
            let blames: Vec<String> = beliefs(i)
                .into_iter()
                .map(|(w, wrong)| {
                    let w = e(&w);
                    if wrong {
                        format!("<span class=\"mark-wrong\">✖ {w}</span>")
                    } else {
                        w
                    }
                })
                .collect();
            let _ = write!(
                s,
                "<tr class=\"{}\"><td>{}</td><td>T{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if wrong { "wrong" } else { "" },
                i.id,
                i.turn,
                e(&i.action),
                if i.success { "" } else { " (failed)" },
                actor(&i.author),
                actor(&i.victim),
                if blames.is_empty() {
                    "—".to_string()
                } else {
                    blames.join("<br>")
                },
                if wrong {
                    format!("<span class=\"mark-wrong\">✖ {}</span>", e(&verdict))
                } else if verdict == "right" {
                    "<span class=\"mark-right\">✔ right</span>".to_string()
                } else {
                    e(&verdict)
                },
                i.public.as_ref().map_or_else(
                    || "—".to_string(),
                    |(t, who)| format!("T{t}: named {}", actor(who))
                )
            );
        }
        s.push_str("</table>");
    }
    s.push_str("<h3>Red-line firings and the truth behind them</h3>");
    if d.firings.is_empty() {
        s.push_str("<p>No red line fired.</p>");
    } else {
        s.push_str("<table class=\"firings\"><tr><th>turn</th><th>red line</th><th>owner</th><th>blamed</th><th>truly done by</th><th>answer</th><th></th></tr>");
        for f in &d.firings {
            let _ = write!(
                s,
                "<tr class=\"{}\"><td>T{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if f.wrong { "wrong" } else { "" },
                f.turn,
                e(&f.red_line),
                actor(&f.owner),
                actor(&f.culprit),
                f.incident.as_ref().map_or_else(
                    || "—".to_string(),
                    |(id, a)| format!("{} (#{id})", actor(a))
                ),
                e(&outcome_words(&f.outcome, &f.culprit)),
                if f.wrong {
                    "<span class=\"mark-wrong\">✖ rested on a wrong attribution</span>"
                } else {
                    ""
                }
            );
        }
        s.push_str("</table>");
    }
    s.push_str("<h2 id=\"norms\">Norms ledger</h2><div class=\"ledger\">");
    for n in &d.norms {
        let _ = write!(s, "<div class=\"card\"><h3>{}</h3>", actor(&n.actor));
        if let (Some(name), false) = (&d.standing_name, n.standing.is_empty()) {
            let colour = d.actors.get(n.index).map_or("#333", |a| a.colour.as_str());
            let values: Vec<String> = n.standing.iter().map(ToString::to_string).collect();
            let _ = write!(
                s,
                "<div>{} over time: {}</div><div>{}</div>",
                e(name),
                chart::sparkline(&n.standing, colour),
                values.join(" → ")
            );
        }
        if n.broken.is_empty() && n.upheld.is_empty() {
            s.push_str("<p class=\"muted\">No norm broken or upheld in view of the world.</p>");
        }
        s.push_str("<ul>");
        for (norm, turns) in &n.broken {
            let _ = write!(
                s,
                "<li><span class=\"mark-wrong\">✖ broke</span> {}: {}</li>",
                e(norm),
                turns_words(turns)
            );
        }
        for (norm, turns) in &n.upheld {
            let _ = write!(
                s,
                "<li><span class=\"mark-right\">✔ upheld</span> {}: {}</li>",
                e(norm),
                turns_words(turns)
            );
        }
        s.push_str("</ul></div>");
    }
    s.push_str("</div>");
    s.push_str("<h2 id=\"decisions\">Decisions</h2><p class=\"muted\">Each actor's orders per turn; bot orders are marked BOT. The last column is what a bot of the actor's default doctrine would have ordered at that point (the record replayed to that turn).</p>");
    let (chosen, routine): (Vec<_>, Vec<_>) =
        d.decisions.iter().partition(|x| x.alternative.is_some());
    s.push_str("<h3>Decisions of teams (and of bots not playing their default doctrine)</h3>");
    if chosen.is_empty() {
        s.push_str("<p>Every actor was played by its default bot.</p>");
    } else {
        decisions_table(&mut s, d, &chosen);
    }
    let _ = write!(
        s,
        "<details><summary>Every order of the bots playing their default doctrine ({} actor-turns)</summary>",
        routine.len()
    );
    decisions_table(&mut s, d, &routine);
    s.push_str("</details>");
    s.push_str("<h2 id=\"facilitator\">Facilitator overrides and undos</h2>");
    if d.interventions.is_empty() {
        s.push_str("<p>None: the game ran as the rules and the dice played it.</p>");
    } else {
        s.push_str("<ul>");
        for x in &d.interventions {
            let _ = write!(s, "<li>T{}: the facilitator {}</li>", x.turn, e(&x.text));
        }
        s.push_str("</ul>");
    }
    s.push_str("<h2 id=\"objectives\">Objectives</h2><table><tr><th>actor</th><th>objectives</th><th>score</th></tr>");
    for o in &d.objectives {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            actor(&o.actor),
            if o.objectives.is_empty() {
                "<span class=\"muted\">(none stated)</span>".to_string()
            } else {
                e(&o.objectives)
            },
            o.score.map_or_else(
                || "<span class=\"muted\">not scored (the scenario declares no scored objectives)</span>".to_string(),
                |v| v.to_string()
            )
        );
    }
    s.push_str("</table>");
    s.push_str(&metrics::html_section(d));
    s.push_str("<h2 id=\"red-lines\">Red lines</h2><ul>");
    for rl in &d.red_lines {
        let _ = write!(
            s,
            "<li><strong>{}</strong> ({}{}): crossed {} time(s), enforced {}, ignored {}, credibility {}</li>",
            e(&rl.name),
            actor(&rl.owner),
            if rl.public { "" } else { ", private" },
            rl.crossings.len(),
            rl.enforced,
            rl.ignored,
            rl.credibility
        );
    }
    s.push_str("</ul><h2 id=\"timeline\">Timeline (public)</h2><ul>");
    for l in &d.timeline {
        let _ = write!(s, "<li>{}</li>", e(&timeline_words(l)));
    }
    s.push_str("</ul></body></html>\n");
    s
}
