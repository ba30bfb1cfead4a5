//! Beyond one machine: `simulate --runs N --shard I/N --partial FILE` plays the I-th slice of
//! the games and writes a partial result; `grayzone merge` checks that a set of partials is
//! one whole run and adds them up into exactly the [`Analysis`] the unsharded run prints.
//!
//! A partial result is one versioned JSON document: the engine version, the scenario's id and
//! the content hash of each of its files, the run's parameters, which shard it is and which
//! games it holds, the labels needed to print, and one [`Summary`] per sweep point. Because a
//! summary holds only integer counts, adding the shards' summaries gives the unsharded
//! summary exactly, whatever the split.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::render::{Analysis, Labels, Point};
use crate::sim::LoadedScenario;

/// The `format` field of every partial result.
pub const PARTIAL_FORMAT: &str = "grayzone-partial";
/// The version of the partial-result format this engine writes and reads.
pub const PARTIAL_VERSION: u32 = 1;

/// Which slice of a run: shard `index` of `count` (0-based, as `SLURM_ARRAY_TASK_ID` and
/// Kubernetes' `JOB_COMPLETION_INDEX` count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSpec {
    /// This shard, 0 ≤ index < count.
    pub index: u64,
    /// How many shards the run is split into.
    pub count: u64,
}

impl ShardSpec {
    /// Parses `I/N` (e.g. `3/8`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let help = "give the shard as I/N with 0 ≤ I < N, e.g. --shard 0/4 … --shard 3/4 (I counts from 0, like SLURM_ARRAY_TASK_ID)";
        let Some((i, n)) = text.split_once('/') else {
            return Err(format!(
                "error: --shard expects I/N, got \"{text}\"\n  = help: {help}"
            ));
        };
        let (Ok(index), Ok(count)) = (i.trim().parse::<u64>(), n.trim().parse::<u64>()) else {
            return Err(format!(
                "error: --shard expects two whole numbers I/N, got \"{text}\"\n  = help: {help}"
            ));
        };
        if count == 0 {
            return Err(format!(
                "error: --shard {text}: the run must be split into at least 1 shard\n  = help: {help}"
            ));
        }
        if index >= count {
            return Err(format!(
                "error: --shard {text}: shard {index} does not exist in a run of {count} shards (they are 0 to {})\n  = help: {help}",
                count - 1
            ));
        }
        Ok(ShardSpec { index, count })
    }

    /// The games (indexes into `0..runs`) of this shard: contiguous slices whose sizes differ by
    /// at most one.
    pub fn games(&self, runs: u64) -> std::ops::Range<u64> {
        let at = |i: u64| (u128::from(runs) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// The parameters a run was played with; partials of one run carry equal parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunParameters {
    /// Games per point.
    pub runs: u64,
    /// Seed of game 0.
    pub seed: u64,
    /// `--turns`, if given.
    pub turns: Option<u32>,
    /// Every actor's controller, `actor=doctrine`, in scenario order.
    pub controllers: Vec<String>,
    /// The `--vary` specifications, as given.
    pub vary: Vec<String>,
}

/// The scenario a partial was played with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioStamp {
    /// Scenario id.
    pub id: String,
    /// `(file name, FNV-1a 64 content hash in hex)` of every scenario file.
    pub files: Vec<(String, String)>,
}

impl ScenarioStamp {
    /// The stamp of a loaded scenario.
    pub fn of(loaded: &LoadedScenario) -> Self {
        ScenarioStamp {
            id: loaded.scenario.meta.id.clone(),
            files: loaded
                .origin
                .files
                .iter()
                .map(|(name, h)| (name.clone(), format!("{h:016x}")))
                .collect(),
        }
    }
}

/// One shard's result, as written by `simulate --shard I/N --partial FILE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// Always [`PARTIAL_FORMAT`].
    pub format: String,
    /// [`PARTIAL_VERSION`] when written.
    pub version: u32,
    /// The Gray Zone version that played the games.
    pub engine: String,
    /// The scenario.
    pub scenario: ScenarioStamp,
    /// The run's parameters.
    pub parameters: RunParameters,
    /// Which shard.
    pub shard: ShardSpec,
    /// The games it holds: indexes `first_game..end_game` of `0..runs` (seeds `seed + index`).
    pub first_game: u64,
    /// One past its last game.
    pub end_game: u64,
    /// What the summaries count.
    pub labels: Labels,
    /// One summary per sweep point.
    pub points: Vec<Point>,
}

impl Partial {
    /// The JSON text of the partial.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a partial result, with a clear message (file, line, column, what to do) when it is
    /// not one this engine can merge.
    pub fn read(path: &Path) -> Result<Partial, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("error: cannot read the partial result {shown}: {e}"))?;
        if !meta.is_file() {
            return Err(format!(
                "error: {shown} is not a file\n  = help: give the files written by `grayzone simulate … --shard I/N --partial FILE`"
            ));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| format!("error: cannot read the partial result {shown}: {e}"))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "error: {shown} is not a partial result: byte {} is not UTF-8 text\n  = help: give the JSON files written by `grayzone simulate … --shard I/N --partial FILE`",
                e.utf8_error().valid_up_to()
            )
        })?;
        let damaged = |e: serde_json::Error| {
            format!(
                "error: {shown}:{}:{}: not a readable partial result: {e}\n  = help: the file was cut short or edited; play this shard again with the same `simulate … --shard I/N --partial FILE` command",
                e.line(),
                e.column()
            )
        };
        let value: serde_json::Value = serde_json::from_str(&text).map_err(damaged)?;
        if value.get("format").and_then(|f| f.as_str()) != Some(PARTIAL_FORMAT) {
            return Err(format!(
                "error: {shown} is not a Gray Zone partial result (no \"format\": \"{PARTIAL_FORMAT}\")\n  = help: give the files written by `grayzone simulate … --shard I/N --partial FILE`"
            ));
        }
        let version = value.get("version").and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(PARTIAL_VERSION)) {
            return Err(format!(
                "error: {shown} is a partial result of format version {}, and this Gray Zone ({}) reads version {PARTIAL_VERSION}\n  = help: play the shards again with this version, or merge them with the version that played them",
                version.map_or_else(|| "(none)".to_string(), |v| v.to_string()),
                env!("CARGO_PKG_VERSION")
            ));
        }
        serde_json::from_str::<Partial>(&text).map_err(damaged)
    }
}

/// Checks that `parts` (file, partial) are the shards of one run, each exactly once, and adds
/// them up into the analysis the unsharded run prints.
pub fn merge(parts: &[(PathBuf, Partial)]) -> Result<Analysis, String> {
    let Some((first_path, first)) = parts.first() else {
        return Err("error: nothing to merge\n  = help: give the partial results, e.g. `grayzone merge parts/*.json`".into());
    };
    let fp = first_path.display();
    let count = first.shard.count;
    for (path, p) in parts {
        let pp = path.display();
        let differs = |what: &str, a: String, b: String| {
            Err(format!(
                "error: {pp} and {fp} are not parts of one run: {what} differs ({b} vs {a})\n  = help: merge only the partials of one `simulate --runs N --seed S … --shard I/N` command"
            ))
        };
        if p.engine != first.engine {
            return differs(
                "the Gray Zone version",
                first.engine.clone(),
                p.engine.clone(),
            );
        }
        if p.scenario.id != first.scenario.id {
            return differs(
                "the scenario",
                first.scenario.id.clone(),
                p.scenario.id.clone(),
            );
        }
        if p.scenario.files != first.scenario.files {
            let changed: Vec<String> = p
                .scenario
                .files
                .iter()
                .filter(|f| !first.scenario.files.contains(f))
                .map(|(name, _)| name.clone())
                .collect();
            return Err(format!(
                "error: {pp} and {fp} were played with different versions of scenario \"{}\" ({} differ)\n  = help: play every shard with the same scenario files",
                p.scenario.id,
                if changed.is_empty() {
                    "the files".to_string()
                } else {
                    changed.join(", ")
                }
            ));
        }
        let (a, b) = (&first.parameters, &p.parameters);
        if a.runs != b.runs {
            return differs("--runs", a.runs.to_string(), b.runs.to_string());
        }
        if a.seed != b.seed {
            return differs("--seed", a.seed.to_string(), b.seed.to_string());
        }
        if a.turns != b.turns {
            return differs(
                "--turns",
                format!("{:?}", a.turns),
                format!("{:?}", b.turns),
            );
        }
        if a.controllers != b.controllers {
            return differs(
                "the bots (--bots/--doctrine)",
                a.controllers.join(","),
                b.controllers.join(","),
            );
        }
        if a.vary != b.vary {
            return differs("--vary", a.vary.join(" "), b.vary.join(" "));
        }
        if p.shard.count != count {
            return differs(
                "the number of shards",
                count.to_string(),
                p.shard.count.to_string(),
            );
        }
        if p.labels != first.labels {
            return differs("the scenario's ids", "…".into(), "…".into());
        }
        let expected = p.shard.games(a.runs);
        let played = p.end_game.saturating_sub(p.first_game);
        if p.shard.index >= count
            || p.first_game != expected.start
            || p.end_game != expected.end
            || p.points.len() != first.points.len()
            || p.points.iter().any(|pt| pt.summary.games != played)
        {
            return Err(format!(
                "error: {pp} does not hold the games of shard {}/{count} (games {}..{} of {}): it was edited or written by another tool\n  = help: play this shard again",
                p.shard.index, expected.start, expected.end, a.runs
            ));
        }
        if let Some(bad) = p.points.iter().find(|pt| !fits(&pt.summary, &p.labels)) {
            return Err(format!(
                "error: {pp} is damaged: the summary at {} does not match the scenario's ids it lists\n  = help: play this shard again",
                if bad.values.is_empty() {
                    "the run".to_string()
                } else {
                    bad.name()
                }
            ));
        }
        for (x, y) in p.points.iter().zip(&first.points) {
            if x.values != y.values {
                return differs("the sweep points", y.name(), x.name());
            }
        }
    }
    // Each shard exactly once (more shards than files: some are missing, and a huge count
    // from a damaged file allocates nothing).
    let missing: Vec<u64> = if count > parts.len() as u64 {
        let have: std::collections::BTreeSet<u64> =
            parts.iter().map(|(_, p)| p.shard.index).collect();
        (0..count).filter(|i| !have.contains(i)).take(10).collect()
    } else {
        let mut seen: Vec<Option<&Path>> = vec![None; count as usize];
        for (path, p) in parts {
            let i = p.shard.index as usize;
            if let Some(other) = seen[i] {
                return Err(format!(
                    "error: shard {i}/{count} is given twice: {} and {}\n  = help: give each shard's partial result once",
                    other.display(),
                    path.display()
                ));
            }
            seen[i] = Some(path);
        }
        (0..count)
            .filter(|&i| seen[i as usize].is_none())
            .take(10)
            .collect()
    };
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|i| format!("{i}/{count}")).collect();
        return Err(format!(
            "error: the run was split into {count} shards and {} missing: {}{}\n  = help: play the missing shards with `simulate … --shard I/{count} --partial FILE` and merge every part",
            if missing.len() == 1 {
                "this one is"
            } else {
                "these are"
            },
            list.join(", "),
            if missing.len() == 10 { ", …" } else { "" }
        ));
    }
    let mut order: Vec<&Partial> = parts.iter().map(|(_, p)| p).collect();
    order.sort_by_key(|p| p.shard.index);
    let mut points: Vec<Point> = first
        .points
        .iter()
        .map(|p| Point {
            values: p.values.clone(),
            summary: empty_like(&p.summary),
        })
        .collect();
    for part in order {
        for (total, p) in points.iter_mut().zip(&part.points) {
            total.summary.merge(&p.summary).map_err(|e| {
                format!(
                    "error: shard {}/{count} cannot be merged: {e}",
                    part.shard.index
                )
            })?;
        }
    }
    Ok(Analysis {
        labels: first.labels.clone(),
        seed: first.parameters.seed,
        requested: first.parameters.runs,
        points,
    })
}

/// Whether a summary is shaped for the scenario the labels describe (a damaged partial is
/// refused before anything indexes into it).
fn fits(s: &super::Summary, l: &Labels) -> bool {
    let actors = l.actors.len();
    s.endings.len() == l.endings.len()
        && s.rungs.len() == actors
        && s.thresholds.len() == l.thresholds.len()
        && s.red_lines.len() == l.red_lines.len()
        && s.wrong_blames.len() == actors
        && s.wrong_blames.iter().all(|r| r.len() == actors)
        && s.actions.len() == actors
        && s.actions.iter().all(|r| r.len() == l.actions.len())
        && s.injects.len() == l.injects.len()
}

/// An empty summary with the shape of `s`.
fn empty_like(s: &super::Summary) -> super::Summary {
    super::Summary {
        games: 0,
        endings: vec![0; s.endings.len()],
        length: Default::default(),
        crisis: Vec::new(),
        final_crisis: Default::default(),
        peak_crisis: Default::default(),
        rungs: vec![Vec::new(); s.rungs.len()],
        thresholds: vec![Default::default(); s.thresholds.len()],
        red_lines: vec![Default::default(); s.red_lines.len()],
        attribution: Default::default(),
        wrong_blames: s.wrong_blames.iter().map(|r| vec![0; r.len()]).collect(),
        actions: s.actions.iter().map(|r| vec![0; r.len()]).collect(),
        injects: vec![0; s.injects.len()],
        metrics: Vec::new(),
        scores: vec![Default::default(); s.scores.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_game_once_in_slices_that_differ_by_at_most_one() {
        for (runs, count) in [(10_000, 4), (10_000, 3), (7, 3), (2, 5), (1, 1)] {
            let mut next = 0;
            let mut sizes = Vec::new();
            for index in 0..count {
                let g = ShardSpec { index, count }.games(runs);
                assert_eq!(g.start, next, "{runs} in {count}");
                next = g.end;
                sizes.push(g.end - g.start);
            }
            assert_eq!(next, runs);
            assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
        }
    }

    #[test]
    fn shard_specs_are_checked() {
        assert_eq!(
            ShardSpec::parse("3/8").unwrap(),
            ShardSpec { index: 3, count: 8 }
        );
        for (bad, says) in [
            ("8/8", "does not exist"),
            ("1/0", "at least 1 shard"),
            ("3", "expects I/N"),
            ("a/4", "two whole numbers"),
            ("-1/4", "two whole numbers"),
        ] {
            let e = ShardSpec::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains("help:"), "{bad}: {e}");
        }
    }
}
