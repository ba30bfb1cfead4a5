//! What `simulate --runs` and `merge` print: one [`Analysis`] (the run's labels and one
//! [`Summary`] per sweep point) rendered as a readable table, as tidy CSV or as JSON. Both
//! commands render through here, so a merged result prints byte for byte what the unsharded run
//! prints. Every float is computed here from integer counts.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::summary::{Histogram, Summary};
use crate::output::thousands;
use crate::scenario::Scenario;

/// The z value of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Names of what a summary counts, taken from the scenario (so `merge` can print without it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Endings, in scenario order.
    pub endings: Vec<EndingLabel>,
    /// Ladder rungs (id and level), bottom first.
    pub rungs: Vec<(String, i32)>,
    /// Actor ids.
    pub actors: Vec<String>,
    /// Action ids.
    pub actions: Vec<String>,
    /// Threshold ids.
    pub thresholds: Vec<String>,
    /// Red lines: (id, owner id).
    pub red_lines: Vec<(String, String)>,
    /// Inject ids.
    pub injects: Vec<String>,
    /// Metrics: (id, name, decimals), the escalation score first when the rungs are scored.
    #[serde(default)]
    pub metrics: Vec<(String, String, u32)>,
}

/// An ending and the share the scenario expects of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndingLabel {
    /// Ending id.
    pub id: String,
    /// Ending name.
    pub name: String,
    /// The largest share of games (percent) it may take before `--check` fails.
    pub max_share: Option<i32>,
    /// Whether it may go unreached in a `--check` run.
    pub rare: bool,
}

impl Labels {
    /// The labels of a scenario.
    pub fn of(sc: &Scenario) -> Self {
        Labels {
            scenario: sc.meta.id.clone(),
            title: sc.meta.title.clone(),
            endings: sc
                .endings
                .iter()
                .map(|e| EndingLabel {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    max_share: e.max_share,
                    rare: e.rare,
                })
                .collect(),
            rungs: sc
                .meta
                .ladder
                .rungs
                .iter()
                .map(|r| (r.id.clone(), r.level))
                .collect(),
            actors: sc.actors.iter().map(|a| a.id.clone()).collect(),
            actions: sc.actions.iter().map(|a| a.id.clone()).collect(),
            thresholds: sc
                .meta
                .ladder
                .thresholds
                .iter()
                .map(|t| t.id.clone())
                .collect(),
            red_lines: sc
                .red_lines
                .iter()
                .map(|r| (r.id.clone(), r.owner.clone()))
                .collect(),
            injects: sc.injects.iter().map(|i| i.id.clone()).collect(),
            metrics: crate::scenario::index::metric_labels(sc),
        }
    }

    fn level(&self, rung: usize) -> i64 {
        self.rungs.get(rung).map_or(rung as i64, |r| i64::from(r.1))
    }
}

/// One point of a sweep: the values applied (none for a plain run) and its games.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// `(path, value)` of every `--vary`, in the order given.
    pub values: Vec<(String, i64)>,
    /// The games played with them.
    pub summary: Summary,
}

impl Point {
    /// `path=value, …` (empty for a plain run).
    pub fn name(&self) -> String {
        self.values
            .iter()
            .map(|(p, v)| format!("{p}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A finished (or interrupted) analysis run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// What the numbers are about.
    pub labels: Labels,
    /// First seed.
    pub seed: u64,
    /// Games asked for per point.
    pub requested: u64,
    /// The points, in sweep order (one for a plain run).
    pub points: Vec<Point>,
}

/// The output formats of an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Readable tables.
    Human,
    /// One tidy CSV table: point, section, subject, turn, statistic, value.
    Csv,
    /// One JSON document.
    Json,
}

/// The share `k/n` with its 95 % Wilson score interval, as fractions.
pub fn wilson(k: u64, n: u64) -> (f64, f64, f64) {
    if n == 0 {
        return (0.0, 0.0, 1.0);
    }
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    // At 0 of n and n of n the exact bounds are 0 and 1 (rounding would miss them slightly).
    let lo = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k >= n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (p, lo, hi)
}

fn ratio(num: i128, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Mean, p10, median and p90 of a rung histogram, in ladder levels.
struct RungStats {
    games: u64,
    mean: f64,
    p10: i64,
    median: i64,
    p90: i64,
}

fn rung_stats(labels: &Labels, h: &Histogram) -> RungStats {
    let q = |n| h.quantile(n, 10).map_or(0, |r| labels.level(r));
    RungStats {
        games: h.total(),
        mean: ratio(h.sum_by(|r| labels.level(r)), h.total()),
        p10: q(1),
        median: q(5),
        p90: q(9),
    }
}

fn turn_stats(h: &Histogram) -> (f64, usize, usize) {
    (
        ratio(h.sum_by(|t| t as i64), h.total()),
        h.quantile(1, 2).unwrap_or(0),
        h.quantile(9, 10).unwrap_or(0),
    )
}

impl Analysis {
    /// Games played at the point that played the most.
    pub fn played(&self) -> u64 {
        self.points
            .iter()
            .map(|p| p.summary.games)
            .max()
            .unwrap_or(0)
    }

    /// Whether fewer games were played than asked for.
    pub fn interrupted(&self) -> bool {
        self.points.iter().any(|p| p.summary.games < self.requested)
    }

    /// Renders in a format.
    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Human => self.to_table(),
            OutputFormat::Csv => self.to_csv(),
            OutputFormat::Json => self.to_json(),
        }
    }

    /// Readable tables, one set per point.
    pub fn to_table(&self) -> String {
        let mut s = format!(
            "Gray Zone — {} ({}), seeds {}..{}\n",
            self.labels.title,
            self.labels.scenario,
            self.seed,
            self.seed.wrapping_add(self.played().max(1) - 1)
        );
        if self.interrupted() {
            let _ = writeln!(
                s,
                "interrupted after {} of {} games: this summary covers only the games played",
                thousands(self.points.iter().map(|p| p.summary.games).sum()),
                thousands(self.requested * self.points.len().max(1) as u64)
            );
        }
        for (i, p) in self.points.iter().enumerate() {
            if !p.values.is_empty() {
                if i > 0 {
                    s.push('\n');
                }
                let _ = writeln!(s, "== {} ==", p.name());
            }
            self.point_table(&mut s, &p.summary);
        }
        s
    }

    fn point_table(&self, s: &mut String, sm: &Summary) {
        let l = &self.labels;
        let games = sm.games;
        let _ = writeln!(s, "{} games", games);
        let _ = writeln!(
            s,
            "{:<30} {:>9} {:>7}  95% interval",
            "ending", "games", "share"
        );
        for (e, label) in l.endings.iter().enumerate() {
            let k = sm.ending_games(e);
            let (p, lo, hi) = wilson(k, games);
            let _ = writeln!(
                s,
                "{:<30} {:>9} {:>6.1}%  {:>5.1}% – {:.1}%",
                label.id,
                k,
                100.0 * p,
                100.0 * lo,
                100.0 * hi
            );
        }
        let final_c = rung_stats(l, &sm.final_crisis);
        let peak = rung_stats(l, &sm.peak_crisis);
        let _ = writeln!(s, "mean final crisis level: {:.2}", final_c.mean);
        let _ = writeln!(s, "mean peak crisis level:  {:.2}", peak.mean);
        let _ = writeln!(
            s,
            "mean game length:        {:.2} turns",
            ratio(sm.length.sum_by(|t| t as i64), sm.length.total())
        );
        let curve: Vec<String> = sm
            .crisis
            .iter()
            .map(|h| format!("{:.2}", rung_stats(l, h).mean))
            .collect();
        let _ = writeln!(s, "mean crisis by turn:     {}", curve.join(" "));

        // Per turn: the crisis level and every actor's rung (ladder levels).
        let turns = sm.crisis.len();
        let _ = write!(
            s,
            "\nladder level by turn (mean, then p10/median/p90)\n{:<24}",
            "turn"
        );
        for t in 1..=turns {
            let _ = write!(s, " {t:>8}");
        }
        s.push('\n');
        let rows = |s: &mut String, name: &str, hists: &[Histogram]| {
            let stats: Vec<RungStats> = hists.iter().map(|h| rung_stats(l, h)).collect();
            let _ = write!(s, "{name:<24}");
            for st in &stats {
                let _ = write!(s, " {:>8.2}", st.mean);
            }
            let _ = write!(s, "\n{:<24}", "");
            for st in &stats {
                let _ = write!(s, " {:>8}", format!("{}/{}/{}", st.p10, st.median, st.p90));
            }
            s.push('\n');
        };
        rows(s, "crisis", &sm.crisis);
        for (a, id) in l.actors.iter().enumerate() {
            if let Some(h) = sm.rungs.get(a) {
                rows(s, id, h);
            }
        }
        let _ = write!(s, "{:<24}", "games still playing");
        for h in &sm.crisis {
            let _ = write!(s, " {:>8}", h.total());
        }
        s.push('\n');

        // Thresholds.
        if !l.thresholds.is_empty() {
            let _ = writeln!(
                s,
                "\n{:<30} {:>9} {:>7}  first crossed: mean turn, median, p90",
                "threshold", "crossed", "share"
            );
            for (t, id) in l.thresholds.iter().enumerate() {
                let h = &sm.thresholds[t];
                let k = h.total();
                let (p, _, _) = wilson(k, games);
                if k == 0 {
                    let _ = writeln!(s, "{id:<30} {k:>9} {:>6.1}%  never", 100.0 * p);
                } else {
                    let (mean, median, p90) = turn_stats(h);
                    let _ = writeln!(
                        s,
                        "{id:<30} {k:>9} {:>6.1}%  {mean:.2}, {median}, {p90}",
                        100.0 * p
                    );
                }
            }
        }

        // Red lines.
        if !l.red_lines.is_empty() {
            let names: Vec<String> = l
                .red_lines
                .iter()
                .map(|(id, owner)| format!("{id} ({owner})"))
                .collect();
            let w = names
                .iter()
                .map(|n| n.chars().count())
                .max()
                .unwrap_or(0)
                .max(30);
            let _ = writeln!(
                s,
                "\n{:<w$} {:>9} {:>9} {:>9} {:>10} {:>10}",
                "red line (owner)", "games", "crossed", "enforced", "unanswered", "due at end"
            );
            for (r, name) in names.iter().enumerate() {
                let t = &sm.red_lines[r];
                let _ = writeln!(
                    s,
                    "{:<w$} {:>9} {:>9} {:>9} {:>10} {:>10}",
                    name, t.games_crossed, t.crossings, t.enforced, t.unanswered, t.due_at_end
                );
            }
        }

        // Attribution.
        let at = &sm.attribution;
        let (p, lo, hi) = wilson(at.correct, at.attributed);
        let _ = writeln!(
            s,
            "\nattribution: {} incidents ({:.2} per game), {} detected, {} attributed; {} name the true author ({:.1}%, 95% {:.1}% – {:.1}%), {} wrong blames ({} public)",
            at.incidents,
            ratio(i128::from(at.incidents), games),
            at.detected,
            at.attributed,
            at.correct,
            100.0 * p,
            100.0 * lo,
            100.0 * hi,
            at.wrong,
            at.wrong_public
        );
        let blames = self.wrong_blames(sm);
        if !blames.is_empty() {
            let shown: Vec<String> = blames
                .iter()
                .take(8)
                .map(|(a, b, n)| format!("{a} blamed as {b} {n}"))
                .collect();
            let _ = writeln!(
                s,
                "wrong blames (true author blamed as): {}",
                shown.join(", ")
            );
        }

        // Most-taken actions.
        let _ = writeln!(s, "\nmost-taken actions (times per game)");
        for (a, id) in l.actors.iter().enumerate() {
            let top = self.top_actions(sm, a, 3);
            if top.is_empty() {
                let _ = writeln!(s, "{id:<24} none");
                continue;
            }
            let shown: Vec<String> = top
                .iter()
                .map(|(act, n)| format!("{act} {:.2}", ratio(i128::from(*n), games)))
                .collect();
            let _ = writeln!(s, "{id:<24} {}", shown.join(", "));
        }
        s.push_str(&super::metrics::MetricCurves::from_summary(l, sm).to_table());
        let scores = super::stakes::distributions_of_summary(&l.actors, sm);
        s.push_str(&super::stakes::scores_table(&scores));
    }

    /// What no game of a point reached: injects never fired, actions never taken (by anyone),
    /// red lines never crossed, endings never reached, thresholds never crossed.
    pub fn coverage(&self) -> String {
        let l = &self.labels;
        let mut s = String::new();
        for p in &self.points {
            let sm = &p.summary;
            let never = |ids: &[String], hit: &dyn Fn(usize) -> bool| -> String {
                let missed: Vec<&str> = ids
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !hit(*i))
                    .map(|(_, id)| id.as_str())
                    .collect();
                if missed.is_empty() {
                    "none".into()
                } else {
                    format!("{} of {}: {}", missed.len(), ids.len(), missed.join(", "))
                }
            };
            let ending_ids: Vec<String> = l.endings.iter().map(|e| e.id.clone()).collect();
            let red_line_ids: Vec<String> = l.red_lines.iter().map(|r| r.0.clone()).collect();
            let taken = |a: usize| {
                sm.actions
                    .iter()
                    .any(|row| row.get(a).is_some_and(|&n| n > 0))
            };
            let _ = writeln!(
                s,
                "\ncoverage{} ({} games)",
                if p.values.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", p.name())
                },
                sm.games
            );
            let _ = writeln!(
                s,
                "  endings never reached:     {}",
                never(&ending_ids, &|e| sm.ending_games(e) > 0)
            );
            let _ = writeln!(
                s,
                "  injects never fired:       {}",
                never(&l.injects, &|i| sm.injects[i] > 0)
            );
            let _ = writeln!(
                s,
                "  actions never taken:       {}",
                never(&l.actions, &taken)
            );
            let _ = writeln!(
                s,
                "  red lines never crossed:   {}",
                never(&red_line_ids, &|r| sm.red_lines[r].crossings > 0)
            );
            let _ = writeln!(
                s,
                "  thresholds never crossed:  {}",
                never(&l.thresholds, &|t| sm.thresholds[t].total() > 0)
            );
        }
        s
    }

    /// The balance gate: one line per problem (an ending never reached that is not declared
    /// `rare`, or one taking more than its `max_share`); empty when the run passes.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for p in &self.points {
            let sm = &p.summary;
            let at = if p.values.is_empty() {
                String::new()
            } else {
                format!(" at {}", p.name())
            };
            for (e, label) in self.labels.endings.iter().enumerate() {
                let k = sm.ending_games(e);
                if k == 0 && !label.rare {
                    let (_, _, hi) = wilson(0, sm.games);
                    problems.push(format!(
                        "ending \"{}\" was never reached in {} games{at} (so its share is below {:.1}% at 95% confidence); make it reachable, or declare it `rare: true` in endings.ron",
                        label.id,
                        thousands(sm.games),
                        100.0 * hi
                    ));
                }
                if let Some(max) = label.max_share
                    && u128::from(k) * 100 > u128::from(sm.games) * max.max(0) as u128
                {
                    let (share, lo, hi) = wilson(k, sm.games);
                    problems.push(format!(
                        "ending \"{}\" took {:.1}% of {} games{at} (95% {:.1}% – {:.1}%), more than its max_share of {max}%",
                        label.id,
                        100.0 * share,
                        thousands(sm.games),
                        100.0 * lo,
                        100.0 * hi
                    ));
                }
            }
        }
        problems
    }

    /// Wrong blames as (true author, blamed, count), most frequent first, then by scenario order.
    fn wrong_blames(&self, sm: &Summary) -> Vec<(String, String, u64)> {
        let l = &self.labels;
        let mut out: Vec<(u64, usize, usize)> = Vec::new();
        for (a, row) in sm.wrong_blames.iter().enumerate() {
            for (b, &n) in row.iter().enumerate() {
                if n > 0 {
                    out.push((n, a, b));
                }
            }
        }
        out.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        out.into_iter()
            .map(|(n, a, b)| (l.actors[a].clone(), l.actors[b].clone(), n))
            .collect()
    }

    /// An actor's most-taken actions, most first (ties in scenario order).
    fn top_actions(&self, sm: &Summary, actor: usize, k: usize) -> Vec<(String, u64)> {
        let Some(row) = sm.actions.get(actor) else {
            return Vec::new();
        };
        let mut taken: Vec<(u64, usize)> = row
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (*n, i))
            .collect();
        taken.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        taken
            .into_iter()
            .take(k)
            .map(|(n, i)| (self.labels.actions[i].clone(), n))
            .collect()
    }

    /// One tidy table: `point,section,subject,turn,statistic,value` (turn empty where it does
    /// not apply), ids quoted as CSV requires.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing into memory cannot fail.
        let _ = w.write_record(["point", "section", "subject", "turn", "statistic", "value"]);
        let mut row = |point: &str,
                       section: &str,
                       subject: &str,
                       turn: Option<usize>,
                       stat: &str,
                       value: String| {
            let turn = turn.map(|t| t.to_string()).unwrap_or_default();
            // Writing into memory cannot fail.
            let _ = w.write_record([point, section, subject, &turn, stat, &value]);
        };
        let l = &self.labels;
        for p in &self.points {
            let point = p.name();
            let sm = &p.summary;
            let pt = point.as_str();
            row(pt, "games", "", None, "games", sm.games.to_string());
            for (e, label) in l.endings.iter().enumerate() {
                let k = sm.ending_games(e);
                let (share, lo, hi) = wilson(k, sm.games);
                row(pt, "ending", &label.id, None, "games", k.to_string());
                row(
                    pt,
                    "ending",
                    &label.id,
                    None,
                    "share",
                    format!("{share:.6}"),
                );
                row(
                    pt,
                    "ending",
                    &label.id,
                    None,
                    "ci95_low",
                    format!("{lo:.6}"),
                );
                row(
                    pt,
                    "ending",
                    &label.id,
                    None,
                    "ci95_high",
                    format!("{hi:.6}"),
                );
            }
            let length = ratio(sm.length.sum_by(|t| t as i64), sm.length.total());
            row(pt, "game", "", None, "mean_length", format!("{length:.6}"));
            let mut curve = |subject: &str, hists: &[Histogram], section: &str| {
                for (t, h) in hists.iter().enumerate() {
                    let st = rung_stats(l, h);
                    let turn = Some(t + 1);
                    row(pt, section, subject, turn, "games", st.games.to_string());
                    row(
                        pt,
                        section,
                        subject,
                        turn,
                        "mean",
                        format!("{:.6}", st.mean),
                    );
                    row(pt, section, subject, turn, "p10", st.p10.to_string());
                    row(pt, section, subject, turn, "median", st.median.to_string());
                    row(pt, section, subject, turn, "p90", st.p90.to_string());
                }
            };
            curve("", &sm.crisis, "crisis");
            for (a, id) in l.actors.iter().enumerate() {
                curve(id, &sm.rungs[a], "rung");
            }
            let fin = rung_stats(l, &sm.final_crisis);
            let peak = rung_stats(l, &sm.peak_crisis);
            row(
                pt,
                "crisis",
                "final",
                None,
                "mean",
                format!("{:.6}", fin.mean),
            );
            row(
                pt,
                "crisis",
                "peak",
                None,
                "mean",
                format!("{:.6}", peak.mean),
            );
            for (t, id) in l.thresholds.iter().enumerate() {
                let h = &sm.thresholds[t];
                row(pt, "threshold", id, None, "games", h.total().to_string());
                if h.total() > 0 {
                    let (mean, median, p90) = turn_stats(h);
                    row(
                        pt,
                        "threshold",
                        id,
                        None,
                        "mean_first_turn",
                        format!("{mean:.6}"),
                    );
                    row(
                        pt,
                        "threshold",
                        id,
                        None,
                        "median_first_turn",
                        median.to_string(),
                    );
                    row(pt, "threshold", id, None, "p90_first_turn", p90.to_string());
                }
            }
            for (r, (id, _)) in l.red_lines.iter().enumerate() {
                let t = &sm.red_lines[r];
                for (stat, v) in [
                    ("games_crossed", t.games_crossed),
                    ("crossings", t.crossings),
                    ("enforced", t.enforced),
                    ("unanswered", t.unanswered),
                    ("due_at_end", t.due_at_end),
                ] {
                    row(pt, "red_line", id, None, stat, v.to_string());
                }
            }
            let at = &sm.attribution;
            for (stat, v) in [
                ("incidents", at.incidents),
                ("detected", at.detected),
                ("attributed", at.attributed),
                ("correct", at.correct),
                ("wrong", at.wrong),
                ("wrong_public", at.wrong_public),
            ] {
                row(pt, "attribution", "", None, stat, v.to_string());
            }
            for (a, b, n) in self.wrong_blames(sm) {
                row(
                    pt,
                    "wrong_blame",
                    &format!("{a}>{b}"),
                    None,
                    "incidents",
                    n.to_string(),
                );
            }
            for (a, id) in l.actors.iter().enumerate() {
                for (act, &n) in sm.actions[a].iter().enumerate() {
                    if n > 0 {
                        let subject = format!("{id}:{}", l.actions[act]);
                        row(pt, "action", &subject, None, "taken", n.to_string());
                    }
                }
            }
            for (i, id) in l.injects.iter().enumerate() {
                row(
                    pt,
                    "inject",
                    id,
                    None,
                    "games_fired",
                    sm.injects[i].to_string(),
                );
            }
            let curves = super::metrics::MetricCurves::from_summary(l, sm);
            for (id, actor, turn, value) in curves.cells() {
                row(
                    pt,
                    "metric",
                    &format!("{id}:{actor}"),
                    Some(turn),
                    "mean",
                    value,
                );
            }
            for d in super::stakes::distributions_of_summary(&l.actors, sm) {
                for (stat, v) in [
                    ("mean", d.mean),
                    ("sd", d.sd),
                    ("p10", d.p10),
                    ("p50", d.p50),
                    ("p90", d.p90),
                ] {
                    row(
                        pt,
                        "objective_score",
                        &d.actor,
                        None,
                        stat,
                        format!("{v:.4}"),
                    );
                }
            }
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// One JSON document with every number of every point.
    pub fn to_json(&self) -> String {
        use serde_json::{Value, json};
        let l = &self.labels;
        let stats = |h: &Histogram| {
            let st = rung_stats(l, h);
            json!({"games": st.games, "mean": st.mean, "p10": st.p10, "median": st.median, "p90": st.p90})
        };
        let points: Vec<Value> = self
            .points
            .iter()
            .map(|p| {
                let sm = &p.summary;
                let endings: Vec<Value> = l
                    .endings
                    .iter()
                    .enumerate()
                    .map(|(e, label)| {
                        let k = sm.ending_games(e);
                        let (share, lo, hi) = wilson(k, sm.games);
                        json!({"id": label.id, "name": label.name, "games": k, "share": share, "ci95": [lo, hi]})
                    })
                    .collect();
                let rungs: serde_json::Map<String, Value> = l
                    .actors
                    .iter()
                    .enumerate()
                    .map(|(a, id)| (id.clone(), Value::Array(sm.rungs[a].iter().map(stats).collect())))
                    .collect();
                let thresholds: Vec<Value> = l
                    .thresholds
                    .iter()
                    .enumerate()
                    .map(|(t, id)| {
                        let h = &sm.thresholds[t];
                        let first = (h.total() > 0).then(|| {
                            let (mean, median, p90) = turn_stats(h);
                            json!({"mean": mean, "median": median, "p90": p90})
                        });
                        json!({"id": id, "games_crossed": h.total(), "first_turn": first})
                    })
                    .collect();
                let red_lines: Vec<Value> = l
                    .red_lines
                    .iter()
                    .enumerate()
                    .map(|(r, (id, owner))| {
                        let t = &sm.red_lines[r];
                        json!({"id": id, "owner": owner, "games_crossed": t.games_crossed, "crossings": t.crossings,
                               "enforced": t.enforced, "unanswered": t.unanswered, "due_at_end": t.due_at_end})
                    })
                    .collect();
                let at = &sm.attribution;
                let (acc, lo, hi) = wilson(at.correct, at.attributed);
                let blames: Vec<Value> = self
                    .wrong_blames(sm)
                    .into_iter()
                    .map(|(a, b, n)| json!({"true_author": a, "blamed": b, "incidents": n}))
                    .collect();
                let actions: serde_json::Map<String, Value> = l
                    .actors
                    .iter()
                    .enumerate()
                    .map(|(a, id)| {
                        let taken: serde_json::Map<String, Value> = sm.actions[a]
                            .iter()
                            .enumerate()
                            .filter(|(_, n)| **n > 0)
                            .map(|(i, n)| (l.actions[i].clone(), json!(n)))
                            .collect();
                        (id.clone(), Value::Object(taken))
                    })
                    .collect();
                let injects: serde_json::Map<String, Value> = l
                    .injects
                    .iter()
                    .zip(&sm.injects)
                    .map(|(id, n)| (id.clone(), json!(n)))
                    .collect();
                let vary: serde_json::Map<String, Value> =
                    p.values.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                json!({
                    "vary": vary,
                    "games": sm.games,
                    "endings": endings,
                    "mean_length": ratio(sm.length.sum_by(|t| t as i64), sm.length.total()),
                    "final_crisis": stats(&sm.final_crisis),
                    "peak_crisis": stats(&sm.peak_crisis),
                    "crisis_by_turn": sm.crisis.iter().map(stats).collect::<Vec<_>>(),
                    "rung_by_turn": rungs,
                    "thresholds": thresholds,
                    "red_lines": red_lines,
                    "attribution": {"incidents": at.incidents, "detected": at.detected, "attributed": at.attributed,
                                    "correct": at.correct, "wrong": at.wrong, "wrong_public": at.wrong_public,
                                    "accuracy": acc, "accuracy_ci95": [lo, hi], "wrong_blames": blames},
                    "actions_taken": actions,
                    "injects_fired": injects,
                    "objective_scores": super::stakes::distributions_of_summary(&l.actors, sm)
                        .iter()
                        .map(|d| json!({"actor": d.actor, "mean": d.mean, "sd": d.sd,
                                        "p10": d.p10, "p50": d.p50, "p90": d.p90}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = json!({
            "scenario": l.scenario,
            "title": l.title,
            "first_seed": self.seed,
            "games_requested": self.requested,
            "interrupted": self.interrupted(),
            "points": points,
        });
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_match_published_values() {
        // 0 of 10: upper bound 0.2775 (Wilson 1927; e.g. Newcombe 1998, table I).
        let (p, lo, hi) = wilson(0, 10);
        assert_eq!(p, 0.0);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-4, "{hi}");
        // 81 of 263: 0.2553 – 0.3662 (Newcombe 1998, example).
        let (_, lo, hi) = wilson(81, 263);
        assert!(
            (lo - 0.2553).abs() < 1e-4 && (hi - 0.3662).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (_, lo, hi) = wilson(10, 10);
        assert!((lo - 0.7225).abs() < 1e-4 && hi == 1.0, "{lo} {hi}");
    }
}
