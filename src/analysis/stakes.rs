//! What the actors got out of many games: each actor's objective-score distribution, and the
//! doctrine matrix (every pair of doctrines for two actors, with each actor's mean score and the
//! ending shares per cell) that shows whether one posture dominates.

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;

use super::{GameOutcome, GamePanic, run_games};
use crate::scenario::{Controller, Doctrine};
use crate::sim::LoadedScenario;

/// One actor's objective scores over many games.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDistribution {
    /// The actor's id.
    pub actor: String,
    /// Mean score (0–1).
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// 10th, 50th and 90th percentiles.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// The score distribution of every actor with objectives, from a [`super::Summary`]'s
/// histograms (thousandths), in scenario order; `actors` are the actor ids.
pub fn distributions_of_summary(actors: &[String], sm: &super::Summary) -> Vec<ScoreDistribution> {
    actors
        .iter()
        .zip(&sm.scores)
        .filter(|(_, h)| h.total() > 0)
        .map(|(id, h)| {
            let n = h.total() as f64;
            let mean = h.sum_by(|v| v as i64) as f64 / n / 1000.0;
            let var = h
                .counts
                .iter()
                .enumerate()
                .map(|(v, &c)| c as f64 * (v as f64 / 1000.0 - mean).powi(2))
                .sum::<f64>()
                / n;
            let q = |num| h.quantile(num, 10).unwrap_or(0) as f64 / 1000.0;
            ScoreDistribution {
                actor: id.clone(),
                mean,
                sd: var.sqrt(),
                p10: q(1),
                p50: q(5),
                p90: q(9),
            }
        })
        .collect()
}

/// The score distribution of every actor with objectives, in scenario order.
pub fn score_distributions(
    loaded: &LoadedScenario,
    outcomes: &[GameOutcome],
) -> Vec<ScoreDistribution> {
    let sc = &loaded.scenario;
    (0..sc.actors.len())
        .filter(|&a| !sc.actors[a].goals.is_empty())
        .map(|a| {
            let mut v: Vec<f64> = outcomes
                .iter()
                .filter_map(|o| o.scores.get(a).copied())
                .collect();
            v.sort_by(f64::total_cmp);
            let n = v.len().max(1) as f64;
            let mean = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
            let q = |p: f64| {
                if v.is_empty() {
                    0.0
                } else {
                    v[((v.len() - 1) as f64 * p).round() as usize]
                }
            };
            ScoreDistribution {
                actor: sc.actors[a].id.to_string(),
                mean,
                sd,
                p10: q(0.1),
                p50: q(0.5),
                p90: q(0.9),
            }
        })
        .collect()
}

/// The score distributions as a table.
pub fn scores_table(rows: &[ScoreDistribution]) -> String {
    let mut s = String::new();
    if rows.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "objective scores (0-1)       {:>6} {:>6} {:>6} {:>6} {:>6}",
        "mean", "sd", "p10", "p50", "p90"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "  {:<26} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3}",
            r.actor, r.mean, r.sd, r.p10, r.p50, r.p90
        );
    }
    s
}

/// The score distributions as CSV rows (`score_mean,<actor>,<value>` and so on).
pub fn scores_csv_rows(rows: &[ScoreDistribution]) -> String {
    let mut s = String::new();
    for r in rows {
        for (k, v) in [
            ("mean", r.mean),
            ("sd", r.sd),
            ("p10", r.p10),
            ("p50", r.p50),
            ("p90", r.p90),
        ] {
            let _ = writeln!(s, "score_{k},{},{v:.4}", r.actor);
        }
    }
    s
}

/// The doctrines a matrix plays for each of its two actors: the five scripted ones, then the
/// planner.
pub const MATRIX_DOCTRINES: [Doctrine; 6] = [
    Doctrine::Hawk,
    Doctrine::Dove,
    Doctrine::TitForTat,
    Doctrine::Measured,
    Doctrine::RandomLegal,
    Doctrine::Planner,
];

/// One cell of a doctrine matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixCell {
    /// The row actor's doctrine.
    pub row: Doctrine,
    /// The column actor's doctrine.
    pub col: Doctrine,
    /// Every actor's mean objective score, in scenario order.
    pub mean_scores: Vec<f64>,
    /// Games per ending, in scenario ending order.
    pub endings: Vec<usize>,
    /// Games played.
    pub games: usize,
}

/// A doctrine matrix: every pair of doctrines for two actors.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// The row and column actors (scenario positions).
    pub actors: (usize, usize),
    /// The doctrines of rows and columns.
    pub doctrines: Vec<Doctrine>,
    /// Cells, row by row.
    pub cells: Vec<MatrixCell>,
}

/// Plays `runs` games (seeds `seed…`) for every pair of `doctrines` of actors `row` and `col`,
/// the others keeping `controllers`.
pub fn doctrine_matrix(
    loaded: &LoadedScenario,
    controllers: &[Controller],
    (row, col): (usize, usize),
    doctrines: &[Doctrine],
    seed: u64,
    runs: u64,
    stop: &AtomicBool,
) -> Result<Matrix, GamePanic> {
    // Each cell pins both actors to its doctrines: no temperament of theirs is drawn.
    let mut pinned = loaded.clone();
    for a in [row, col] {
        std::sync::Arc::make_mut(&mut pinned.scenario).actors[a]
            .temperaments
            .clear();
    }
    let loaded = &pinned;
    let mut cells = Vec::new();
    for &r in doctrines {
        for &c in doctrines {
            let mut ctl = controllers.to_vec();
            ctl[row] = Controller::Bot(r);
            ctl[col] = Controller::Bot(c);
            let batch = run_games(loaded, seed, runs, &ctl, &|_| {}, stop)?;
            let n = batch.outcomes.len();
            let actors = loaded.scenario.actors.len();
            let mean_scores = (0..actors)
                .map(|a| {
                    batch
                        .outcomes
                        .iter()
                        .filter_map(|o| o.scores.get(a))
                        .sum::<f64>()
                        / n.max(1) as f64
                })
                .collect();
            let endings = loaded
                .scenario
                .endings
                .iter()
                .map(|e| batch.outcomes.iter().filter(|o| o.ending == *e.id).count())
                .collect();
            cells.push(MatrixCell {
                row: r,
                col: c,
                mean_scores,
                endings,
                games: n,
            });
        }
    }
    Ok(Matrix {
        actors: (row, col),
        doctrines: doctrines.to_vec(),
        cells,
    })
}

impl Matrix {
    /// The cell of a doctrine pair.
    pub fn cell(&self, row: Doctrine, col: Doctrine) -> Option<&MatrixCell> {
        self.cells.iter().find(|c| c.row == row && c.col == col)
    }

    /// The scripted doctrines of the row actor (`for_row`) or the column actor that give it the
    /// best mean score against every doctrine of the other: a dominant posture (the planner is
    /// left out on both sides).
    pub fn dominant(&self, for_row: bool) -> Vec<Doctrine> {
        let scripted: Vec<Doctrine> = self
            .doctrines
            .iter()
            .copied()
            .filter(|d| *d != Doctrine::Planner)
            .collect();
        let me = if for_row {
            self.actors.0
        } else {
            self.actors.1
        };
        let score = |mine: Doctrine, theirs: Doctrine| {
            let cell = if for_row {
                self.cell(mine, theirs)
            } else {
                self.cell(theirs, mine)
            };
            cell.map_or(0.0, |c| c.mean_scores[me])
        };
        scripted
            .iter()
            .copied()
            .filter(|&d| {
                scripted.iter().all(|&theirs| {
                    scripted
                        .iter()
                        .all(|&other| other == d || score(d, theirs) > score(other, theirs))
                })
            })
            .collect()
    }

    /// The matrix as text: per actor, its mean score in each cell; then the ending shares.
    pub fn to_table(&self, loaded: &LoadedScenario) -> String {
        let sc = &loaded.scenario;
        let (r, c) = self.actors;
        let (rid, cid) = (&sc.actors[r].id, &sc.actors[c].id);
        let mut s = String::new();
        let header = |s: &mut String, title: String| {
            let _ = write!(s, "{title:<24}");
            for d in &self.doctrines {
                let _ = write!(s, " {:>11}", d.cli_name());
            }
            s.push('\n');
        };
        for (who, name) in [(r, rid), (c, cid)] {
            header(&mut s, format!("{name} score: {rid} \\ {cid}"));
            for &row in &self.doctrines {
                let _ = write!(s, "  {:<22}", row.cli_name());
                for &col in &self.doctrines {
                    let v = self.cell(row, col).map_or(0.0, |x| x.mean_scores[who]);
                    let _ = write!(s, " {v:>11.3}");
                }
                s.push('\n');
            }
            let dominant = self.dominant(who == r);
            let _ = writeln!(
                s,
                "  dominant scripted posture for {name}: {}\n",
                if dominant.is_empty() {
                    "none".to_string()
                } else {
                    dominant
                        .iter()
                        .map(|d| d.cli_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
        }
        let _ = writeln!(s, "ending shares (%) per cell ({rid} \\ {cid}):");
        let _ = write!(s, "  {:<24}", "cell");
        for e in &sc.endings {
            let _ = write!(s, " {:>9.9}", e.id.as_str());
        }
        s.push('\n');
        for cell in &self.cells {
            let _ = write!(
                s,
                "  {:<24}",
                format!("{} x {}", cell.row.cli_name(), cell.col.cli_name())
            );
            for &k in &cell.endings {
                let _ = write!(s, " {:>9.1}", 100.0 * k as f64 / cell.games.max(1) as f64);
            }
            s.push('\n');
        }
        s
    }
}
