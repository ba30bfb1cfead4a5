//! The aggregate of many games: integer counts, sums and histograms that every game folds into
//! and that add up exactly ([`Summary::merge`]), so a run split into shards and merged gives the
//! same numbers, bit for bit, as the run played in one go. Floating point appears only when a
//! summary is printed ([`super::render`]).
//!
//! Rungs, turns and thresholds are small integers, so the per-turn quantiles come exactly from
//! histograms; memory does not grow with the number of games.

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;
use crate::sim::GameState;

/// Counts of small non-negative integers (rung positions, turn numbers): `counts[v]` is how
/// often `v` occurred. Trailing zeros are never stored, so equal data means equal histograms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Histogram {
    /// Occurrences of each value.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Counts one occurrence of `value`.
    pub fn add(&mut self, value: usize) {
        if self.counts.len() <= value {
            self.counts.resize(value + 1, 0);
        }
        self.counts[value] += 1;
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Number of values counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Sum of `weight(value)` over every value counted.
    pub fn sum_by(&self, weight: impl Fn(usize) -> i64) -> i128 {
        self.counts
            .iter()
            .enumerate()
            .map(|(v, &c)| i128::from(weight(v)) * i128::from(c))
            .sum()
    }

    /// The `num/den` quantile by the nearest-rank rule: the smallest value with at least
    /// `ceil(num/den · total)` values at or below it (the minimum for 0). `None` when empty.
    pub fn quantile(&self, num: u64, den: u64) -> Option<usize> {
        let total = self.total();
        if total == 0 || den == 0 {
            return None;
        }
        let rank = (u128::from(num) * u128::from(total)).div_ceil(u128::from(den));
        let rank = rank.max(1);
        let mut seen = 0u128;
        for (v, &c) in self.counts.iter().enumerate() {
            seen += u128::from(c);
            if seen >= rank {
                return Some(v);
            }
        }
        self.counts.len().checked_sub(1)
    }

    /// The largest value counted.
    pub fn max(&self) -> Option<usize> {
        self.counts.iter().rposition(|&c| c > 0)
    }
}

/// One red line over all games.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedLineTally {
    /// Games in which it was crossed at least once.
    pub games_crossed: u64,
    /// Times crossed.
    pub crossings: u64,
    /// Times its owner answered as promised.
    pub enforced: u64,
    /// Times the answer was due and never came.
    pub unanswered: u64,
    /// Answers still due when the game ended.
    pub due_at_end: u64,
}

impl RedLineTally {
    fn merge(&mut self, o: &RedLineTally) {
        self.games_crossed += o.games_crossed;
        self.crossings += o.crossings;
        self.enforced += o.enforced;
        self.unanswered += o.unanswered;
        self.due_at_end += o.due_at_end;
    }
}

/// Incidents and whom their victims blamed, over all games.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionTally {
    /// Incidents (offensive or punitive actions against an actor).
    pub incidents: u64,
    /// Incidents the victim detected.
    pub detected: u64,
    /// Incidents the victim attributed to someone.
    pub attributed: u64,
    /// Attributions naming the true author.
    pub correct: u64,
    /// Attributions naming someone else.
    pub wrong: u64,
    /// Wrong attributions that were public.
    pub wrong_public: u64,
}

impl AttributionTally {
    fn merge(&mut self, o: &AttributionTally) {
        self.incidents += o.incidents;
        self.detected += o.detected;
        self.attributed += o.attributed;
        self.correct += o.correct;
        self.wrong += o.wrong;
        self.wrong_public += o.wrong_public;
    }
}

/// Everything a batch of games adds up to. Built for one scenario ([`Summary::new`]); every
/// game folds in with [`Summary::record`]; summaries of the same scenario add with
/// [`Summary::merge`] in any order and grouping with the same result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Games played.
    pub games: u64,
    /// Games per ending, by ending position.
    pub endings: Vec<u64>,
    /// Game length in turns.
    pub length: Histogram,
    /// Crisis rung (ladder position) at the end of each turn, by turn − 1, over the games
    /// still playing that turn.
    pub crisis: Vec<Histogram>,
    /// Crisis rung at the end of the game.
    pub final_crisis: Histogram,
    /// Highest crisis rung of the game.
    pub peak_crisis: Histogram,
    /// Each actor's rung at the end of each turn: `rungs[actor][turn − 1]`.
    pub rungs: Vec<Vec<Histogram>>,
    /// Turn each threshold was first crossed, by threshold position (games where it was).
    pub thresholds: Vec<Histogram>,
    /// Red lines, by position.
    pub red_lines: Vec<RedLineTally>,
    /// Attribution of incidents.
    pub attribution: AttributionTally,
    /// Wrong blames: `wrong_blames[true author][blamed actor]`.
    pub wrong_blames: Vec<Vec<u64>>,
    /// Times each action was taken: `actions[actor][action]`.
    pub actions: Vec<Vec<u64>>,
    /// Games in which each inject fired, by inject position.
    pub injects: Vec<u64>,
    /// The scenario's metrics at the end of each turn, by turn − 1, over the games still
    /// playing that turn (sums, so shards add up exactly; means are taken when printing).
    #[serde(default)]
    pub metrics: Vec<MetricTurn>,
    /// Each actor's objective score at the end of the game in thousandths (0–1000), by actor
    /// position; empty for actors without objectives. Histograms, so shards add up exactly.
    #[serde(default)]
    pub scores: Vec<Histogram>,
}

/// A score in 0–1 as the thousandths a [`Summary`] counts it in.
pub fn score_permille(score: f64) -> usize {
    (score.clamp(0.0, 1.0) * 1000.0).round() as usize
}

impl Summary {
    /// An empty summary shaped for `sc`.
    pub fn new(sc: &Scenario) -> Self {
        let actors = sc.actors.len();
        Summary {
            games: 0,
            endings: vec![0; sc.endings.len()],
            length: Histogram::default(),
            crisis: Vec::new(),
            final_crisis: Histogram::default(),
            peak_crisis: Histogram::default(),
            rungs: vec![Vec::new(); actors],
            thresholds: vec![Histogram::default(); sc.meta.ladder.thresholds.len()],
            red_lines: vec![RedLineTally::default(); sc.red_lines.len()],
            attribution: AttributionTally::default(),
            wrong_blames: vec![vec![0; actors]; actors],
            actions: vec![vec![0; sc.actions.len()]; actors],
            injects: vec![0; sc.injects.len()],
            metrics: Vec::new(),
            scores: vec![Histogram::default(); actors],
        }
    }

    /// Folds one finished game of `sc` in.
    pub fn record(&mut self, sc: &Scenario, st: &GameState) {
        self.games += 1;
        if self.scores.len() < sc.actors.len() {
            self.scores.resize(sc.actors.len(), Histogram::default());
        }
        for (a, actor) in sc.actors.iter().enumerate() {
            if !actor.goals.is_empty() {
                let score = crate::sim::objectives::score(sc, st, a);
                self.scores[a].add(score_permille(score));
            }
        }
        for (t, row) in st.metrics.iter().enumerate() {
            if self.metrics.len() <= t {
                self.metrics.resize(t + 1, MetricTurn::default());
            }
            self.metrics[t].add(&row.values);
        }
        if let Some(e) = &st.ending
            && let Some(n) = self.endings.get_mut(e.ending)
        {
            *n += 1;
        }
        self.length.add(st.crisis_history.len());
        for (t, &r) in st.crisis_history.iter().enumerate() {
            hist_at(&mut self.crisis, t).add(r);
        }
        self.final_crisis.add(
            st.crisis_history
                .last()
                .copied()
                .unwrap_or_else(|| st.crisis()),
        );
        self.peak_crisis.add(
            st.crisis_history
                .iter()
                .copied()
                .max()
                .unwrap_or_else(|| st.crisis()),
        );
        for (per_turn, actor) in self.rungs.iter_mut().zip(&st.actors) {
            for (t, &r) in actor.rung_history.iter().enumerate() {
                hist_at(per_turn, t).add(r);
            }
        }
        for (h, crossed) in self.thresholds.iter_mut().zip(&st.thresholds_crossed) {
            if let Some(turn) = crossed {
                h.add(*turn as usize);
            }
        }
        for (i, (tally, rl)) in self.red_lines.iter_mut().zip(&st.red_lines).enumerate() {
            tally.games_crossed += u64::from(!rl.crossings.is_empty());
            tally.crossings += rl.crossings.len() as u64;
            tally.enforced += u64::from(rl.enforced);
            tally.unanswered += u64::from(rl.ignored);
            tally.due_at_end += st.obligations.iter().filter(|o| o.red_line == i).count() as u64;
        }
        let at = &mut self.attribution;
        for inc in &st.incidents {
            at.incidents += 1;
            at.detected += u64::from(inc.detected.is_some());
            if let Some(suspect) = inc.suspect {
                at.attributed += 1;
                if suspect == inc.actor {
                    at.correct += 1;
                } else {
                    at.wrong += 1;
                    at.wrong_public += u64::from(inc.public);
                    if let Some(n) = self
                        .wrong_blames
                        .get_mut(inc.actor)
                        .and_then(|row| row.get_mut(suspect))
                    {
                        *n += 1;
                    }
                }
            }
        }
        for rec in &st.history {
            if let Some(n) = self
                .actions
                .get_mut(rec.actor)
                .and_then(|row| row.get_mut(rec.action))
            {
                *n += 1;
            }
        }
        for (n, fired) in self.injects.iter_mut().zip(&st.injects_fired) {
            *n += u64::from(fired.is_some());
        }
    }

    /// Adds another summary of the same scenario. Fails, changing nothing, when the two are
    /// shaped for different scenarios (a partial result from another scenario or edited by hand).
    pub fn merge(&mut self, o: &Summary) -> Result<(), String> {
        let shape = |s: &Summary| {
            (
                s.endings.len(),
                s.rungs.len(),
                s.thresholds.len(),
                s.red_lines.len(),
                s.wrong_blames.iter().map(Vec::len).collect::<Vec<_>>(),
                s.actions.iter().map(Vec::len).collect::<Vec<_>>(),
                s.injects.len(),
            )
        };
        if shape(self) != shape(o) {
            return Err(
                "the summaries are shaped for different scenarios (numbers of endings, actors, actions, red lines or injects differ)"
                    .into(),
            );
        }
        self.games += o.games;
        add_all(&mut self.endings, &o.endings);
        self.length.merge(&o.length);
        merge_hists(&mut self.crisis, &o.crisis);
        self.final_crisis.merge(&o.final_crisis);
        self.peak_crisis.merge(&o.peak_crisis);
        for (a, b) in self.rungs.iter_mut().zip(&o.rungs) {
            merge_hists(a, b);
        }
        for (a, b) in self.thresholds.iter_mut().zip(&o.thresholds) {
            a.merge(b);
        }
        for (a, b) in self.red_lines.iter_mut().zip(&o.red_lines) {
            a.merge(b);
        }
        self.attribution.merge(&o.attribution);
        for (a, b) in self.wrong_blames.iter_mut().zip(&o.wrong_blames) {
            add_all(a, b);
        }
        for (a, b) in self.actions.iter_mut().zip(&o.actions) {
            add_all(a, b);
        }
        add_all(&mut self.injects, &o.injects);
        if self.metrics.len() < o.metrics.len() {
            self.metrics.resize(o.metrics.len(), MetricTurn::default());
        }
        for (a, b) in self.metrics.iter_mut().zip(&o.metrics) {
            a.games += b.games;
            a.add_sums(&b.sums);
        }
        if self.scores.len() < o.scores.len() {
            self.scores.resize(o.scores.len(), Histogram::default());
        }
        for (a, b) in self.scores.iter_mut().zip(&o.scores) {
            a.merge(b);
        }
        Ok(())
    }

    /// Games that reached ending position `e`.
    pub fn ending_games(&self, e: usize) -> u64 {
        self.endings.get(e).copied().unwrap_or(0)
    }
}

/// The metrics of one turn summed over the games that played it: `sums` has the layout of
/// [`crate::sim::MetricRow::values`] (for each metric, every actor in scenario order, then the
/// total).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTurn {
    /// Games that played this turn.
    pub games: u64,
    /// Sums of the metric values.
    pub sums: Vec<i64>,
}

impl MetricTurn {
    fn add(&mut self, values: &[i64]) {
        self.games += 1;
        self.add_sums(values);
    }

    fn add_sums(&mut self, values: &[i64]) {
        if self.sums.len() < values.len() {
            self.sums.resize(values.len(), 0);
        }
        for (s, v) in self.sums.iter_mut().zip(values) {
            *s = s.saturating_add(*v);
        }
    }
}

fn hist_at(v: &mut Vec<Histogram>, i: usize) -> &mut Histogram {
    if v.len() <= i {
        v.resize(i + 1, Histogram::default());
    }
    &mut v[i]
}

fn merge_hists(a: &mut Vec<Histogram>, b: &[Histogram]) {
    if a.len() < b.len() {
        a.resize(b.len(), Histogram::default());
    }
    for (x, y) in a.iter_mut().zip(b) {
        x.merge(y);
    }
}

fn add_all(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[usize]) -> Histogram {
        let mut h = Histogram::default();
        for &v in values {
            h.add(v);
        }
        h
    }

    #[test]
    fn quantiles_follow_the_nearest_rank_rule() {
        let h = hist(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(h.quantile(1, 2), Some(5));
        assert_eq!(h.quantile(1, 10), Some(1));
        assert_eq!(h.quantile(9, 10), Some(9));
        assert_eq!(h.quantile(0, 1), Some(1));
        assert_eq!(h.quantile(1, 1), Some(10));
        assert_eq!(hist(&[3, 3, 3, 7]).quantile(1, 2), Some(3));
        assert_eq!(hist(&[3, 7]).quantile(1, 2), Some(3));
        assert_eq!(hist(&[]).quantile(1, 2), None);
        assert_eq!(h.max(), Some(10));
    }

    #[test]
    fn merged_histograms_equal_one_histogram_of_everything() {
        let mut a = hist(&[1, 2]);
        a.merge(&hist(&[5, 0, 2]));
        assert_eq!(a, hist(&[1, 2, 5, 0, 2]));
        let mut b = hist(&[5, 0, 2]);
        b.merge(&hist(&[1, 2]));
        assert_eq!(a, b);
        assert_eq!(a.sum_by(|v| v as i64 * 10), 100);
    }
}
