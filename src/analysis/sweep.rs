//! Sweeps: `simulate --runs N --vary <path>=<from>..<to>:<step>` plays the same seeds once per
//! value of any number in the scenario and reports one table per value.
//!
//! A path names a number the way a scenario author finds it in the files:
//!
//! - the first part is the file: `scenario` (scenario.ron), `actors`, `actions`, `red_lines`,
//!   `proposals` (diplomacy.ron), `injects` or `endings`;
//! - in a file of items, the next part is an item's id: `actions.ddos_rutube`;
//! - then field names (`chance`, `attribution.detect`), map keys (`attrs.cyber_capacity`),
//!   list items by id or by 0-based position (`ladder.rungs.war.level`, `on_success.0`) and
//!   positions inside a condition or effect (`trigger.0`).
//!
//! Examples: `actors.russia.attrs.cyber_capacity`, `actions.ddos_rutube.chance`,
//! `red_lines.ru_no_offense_unanswered.credibility`, `scenario.rules.reassess_at`.
//!
//! Each value is written into the scenario's text (a field or map key left out, which takes
//! its default, is added), and the changed scenario goes through the validator like any edit:
//! a value out of range is the validator's error, pointing at the changed line.

use std::collections::BTreeMap;
use std::path::Path;

use crate::scenario::load::ScenarioFiles;
use crate::scenario::spans::{Node, NodeKind, parse};
use crate::sim::LoadedScenario;

/// At most this many points in one sweep (the product of every `--vary`'s values).
pub const MAX_POINTS: usize = 10_000;

/// The files a path's first part names, with the list the item ids are in.
const FILES: [(&str, &str, Option<&str>); 7] = [
    ("scenario", "scenario.ron", None),
    ("actors", "actors.ron", Some("actors")),
    ("actions", "actions.ron", Some("actions")),
    ("red_lines", "red_lines.ron", Some("red_lines")),
    ("proposals", "diplomacy.ron", Some("proposals")),
    ("injects", "injects.ron", Some("injects")),
    ("endings", "endings.ron", Some("endings")),
];

const PATH_HELP: &str = "a path starts with the file (scenario, actors, actions, red_lines, proposals, injects, endings), then an item id, then fields, e.g. actions.ddos_rutube.chance or actors.russia.attrs.cyber_capacity (docs/analysis.md)";

/// One `--vary <path>=<from>..<to>:<step>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vary {
    /// The specification as given.
    pub spec: String,
    /// The path of the number.
    pub path: String,
    /// First value.
    pub from: i64,
    /// Last value (included when the steps reach it).
    pub to: i64,
    /// Step, at least 1.
    pub step: i64,
}

impl Vary {
    /// Parses `<path>=<from>..<to>:<step>` (`:<step>` may be left out for 1).
    pub fn parse(spec: &str) -> Result<Vary, String> {
        let help = "write --vary <path>=<from>..<to>:<step>, e.g. --vary actions.ddos_rutube.chance=20..80:20";
        let bad = |what: &str| format!("error: --vary \"{spec}\": {what}\n  = help: {help}");
        let Some((path, range)) = spec.split_once('=') else {
            return Err(bad("no `=` between the path and the values"));
        };
        let path = path.trim();
        if path.is_empty() {
            return Err(bad("the path is empty"));
        }
        let (range, step) = match range.split_once(':') {
            Some((r, s)) => (r, Some(s)),
            None => (range, None),
        };
        let Some((from, to)) = range.split_once("..") else {
            return Err(bad("the values are not a range `<from>..<to>`"));
        };
        let number = |t: &str, what: &str| {
            t.trim()
                .parse::<i64>()
                .map_err(|_| bad(&format!("{what} \"{}\" is not a whole number", t.trim())))
        };
        let from = number(from, "the first value")?;
        let to = number(to.trim_start_matches('='), "the last value")?;
        let step = step
            .map(|s| number(s, "the step"))
            .transpose()?
            .unwrap_or(1);
        if step < 1 {
            return Err(bad("the step must be at least 1"));
        }
        if to < from {
            return Err(bad(&format!(
                "the last value {to} is below the first {from}"
            )));
        }
        let v = Vary {
            spec: spec.to_string(),
            path: path.to_string(),
            from,
            to,
            step,
        };
        if v.count() > MAX_POINTS as u128 {
            return Err(bad(&format!(
                "{} values are more than a sweep may have ({MAX_POINTS})",
                v.count()
            )));
        }
        Ok(v)
    }

    fn count(&self) -> u128 {
        ((i128::from(self.to) - i128::from(self.from)) / i128::from(self.step) + 1) as u128
    }

    /// The values, from `from` up to `to` by `step`.
    pub fn values(&self) -> Vec<i64> {
        (0..self.count() as i64)
            .map(|i| self.from + i * self.step)
            .collect()
    }
}

/// Every combination of the sweeps' values (the first `--vary` changes slowest), at most
/// [`MAX_POINTS`].
pub fn combinations(varies: &[Vary]) -> Result<Vec<Vec<(String, i64)>>, String> {
    let mut points: Vec<Vec<(String, i64)>> = vec![Vec::new()];
    for v in varies {
        let values = v.values();
        if points.len().saturating_mul(values.len()) > MAX_POINTS {
            return Err(format!(
                "error: the --vary values make more than {MAX_POINTS} combinations\n  = help: use fewer values (a larger step) or split the sweep into several runs"
            ));
        }
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |&x| {
                    let mut q = p.clone();
                    q.push((v.path.clone(), x));
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

/// The scenario folder `dir` (its files as read in `base`) with `values` written in, loaded
/// through the validator. An error names the `--vary` and carries the validator's report.
pub fn apply(
    dir: &Path,
    base: &ScenarioFiles,
    values: &[(String, i64)],
) -> Result<LoadedScenario, String> {
    let mut texts: BTreeMap<&str, String> = base.texts();
    for (path, value) in values {
        let (file, text) = set_number(&texts, path, *value)?;
        texts.insert(file, text);
    }
    let read = ScenarioFiles::from_texts(&texts);
    match LoadedScenario::from_files(dir, &read) {
        Ok((loaded, _)) => Ok(loaded),
        Err(v) => {
            let shown: Vec<String> = values.iter().map(|(p, x)| format!("{p}={x}")).collect();
            Err(format!(
                "{}error: the scenario {} does not validate with --vary {}\n  = help: keep the values inside the range the reference gives for that field (docs/scenario-format.md)",
                crate::scenario::diagnostics::render_human(&v.diagnostics, &v.sources),
                dir.display(),
                shown.join(", ")
            ))
        }
    }
}

/// Writes `value` at `path` into the right file's text; returns the file and its new text.
fn set_number(
    texts: &BTreeMap<&str, String>,
    path: &str,
    value: i64,
) -> Result<(&'static str, String), String> {
    let fail = |what: String| format!("error: --vary {path}: {what}\n  = help: {PATH_HELP}");
    let mut parts = path.split('.');
    let head = parts.next().unwrap_or_default();
    let Some(&(_, file, list)) = FILES.iter().find(|(name, _, _)| *name == head) else {
        let names: Vec<&str> = FILES.iter().map(|f| f.0).collect();
        return Err(fail(format!(
            "\"{head}\" is not a scenario file (one of {})",
            names.join(", ")
        )));
    };
    let Some(text) = texts.get(file) else {
        return Err(fail(format!("the scenario has no {file}")));
    };
    let root = parse(text).map_err(|e| fail(format!("{file} cannot be read: {}", e.message)))?;
    let mut node: &Node = &root;
    let mut walked = head.to_string();
    if let Some(list) = list {
        node = node
            .field(list)
            .map(|f| &f.value)
            .ok_or_else(|| fail(format!("{file} has no `{list}` list")))?;
    }
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return Err(fail("the path names a file, not a number".into()));
    }
    for (i, seg) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        match step(node, seg) {
            Step::Found(next) => node = next,
            Step::Missing if last => {
                // A field or map key left out (its default): add it.
                let (at, insert) = insertion(text, node, seg, value)
                    .ok_or_else(|| fail(format!("{walked} has no \"{seg}\"")))?;
                let mut new = text.clone();
                new.insert_str(at, &insert);
                return Ok((file, new));
            }
            Step::Missing => {
                let here = choices(node);
                return Err(fail(format!(
                    "{walked} has no \"{seg}\"{}",
                    if here.is_empty() {
                        String::new()
                    } else {
                        format!(" (it has: {})", here.join(", "))
                    }
                )));
            }
        }
        walked.push('.');
        walked.push_str(seg);
    }
    match node.kind {
        NodeKind::Int(_) => {
            let mut new = text.clone();
            new.replace_range(node.span.start..node.span.end, &value.to_string());
            Ok((file, new))
        }
        _ => Err(fail(format!(
            "{walked} is {}, not a number",
            node.kind.describe()
        ))),
    }
}

enum Step<'a> {
    Found(&'a Node),
    Missing,
}

/// Follows one path part: a field, a map key, a list item by id or position, a position.
fn step<'a>(node: &'a Node, seg: &str) -> Step<'a> {
    let found = match &node.kind {
        NodeKind::Struct { .. } => node.field(seg).map(|f| &f.value),
        NodeKind::Map(entries) => entries
            .iter()
            .find(|(k, _)| match &k.kind {
                NodeKind::Str(s) | NodeKind::Ident(s) => s == seg,
                NodeKind::Int(n) => n.to_string() == seg,
                _ => false,
            })
            .map(|(_, v)| v),
        NodeKind::List(items) => items
            .iter()
            .find(|item| item.field("id").and_then(|f| f.value.as_str()) == Some(seg))
            .or_else(|| seg.parse::<usize>().ok().and_then(|i| items.get(i))),
        NodeKind::Tuple { items, .. } => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    };
    found.map_or(Step::Missing, Step::Found)
}

/// What a path may continue with at `node` (for messages).
fn choices(node: &Node) -> Vec<String> {
    let mut out: Vec<String> = match &node.kind {
        NodeKind::Struct { fields, .. } => fields.iter().map(|f| f.name.clone()).collect(),
        NodeKind::Map(entries) => entries
            .iter()
            .filter_map(|(k, _)| match &k.kind {
                NodeKind::Str(s) | NodeKind::Ident(s) => Some(s.clone()),
                NodeKind::Int(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        NodeKind::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.field("id")
                    .and_then(|f| f.value.as_str())
                    .map_or_else(|| i.to_string(), str::to_string)
            })
            .collect(),
        NodeKind::Tuple { items, .. } => (0..items.len()).map(|i| i.to_string()).collect(),
        _ => Vec::new(),
    };
    if out.len() > 12 {
        out.truncate(12);
        out.push("…".into());
    }
    out
}

/// Where and what to insert to give a struct a field, or a map a key, it leaves out.
fn insertion(text: &str, node: &Node, seg: &str, value: i64) -> Option<(usize, String)> {
    let is_name = !seg.is_empty()
        && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !seg.starts_with(|c: char| c.is_ascii_digit());
    match &node.kind {
        NodeKind::Struct { fields, .. } if is_name => Some(match fields.first() {
            Some(f) => (f.name_span.start, format!("{seg}: {value}, ")),
            None => (closing(text, node)?, format!("{seg}: {value}")),
        }),
        NodeKind::Map(entries) => {
            let key = serde_json::to_string(seg).ok()?;
            Some(match entries.first() {
                Some((k, _)) => (k.span.start, format!("{key}: {value}, ")),
                None => (closing(text, node)?, format!("{key}: {value}")),
            })
        }
        _ => None,
    }
}

/// The position of a node's closing bracket.
fn closing(text: &str, node: &Node) -> Option<usize> {
    let end = node.span.end.checked_sub(1)?;
    matches!(text.as_bytes().get(end), Some(b')' | b'}')).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_list_their_values() {
        let v = Vary::parse("actions.ddos.chance=20..80:20").unwrap();
        assert_eq!(v.path, "actions.ddos.chance");
        assert_eq!(v.values(), vec![20, 40, 60, 80]);
        assert_eq!(Vary::parse("a.b=1..4:2").unwrap().values(), vec![1, 3]);
        assert_eq!(
            Vary::parse("a.b=-2..1").unwrap().values(),
            vec![-2, -1, 0, 1]
        );
        for (bad, says) in [
            ("a.b", "no `=`"),
            ("a.b=1", "not a range"),
            ("a.b=1..x", "not a whole number"),
            ("a.b=5..1", "below the first"),
            ("a.b=1..5:0", "at least 1"),
            ("a.b=0..1000000", "more than a sweep may have"),
        ] {
            let e = Vary::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let two = combinations(&[
            Vary::parse("x.a=1..2").unwrap(),
            Vary::parse("x.b=5..7:2").unwrap(),
        ])
        .unwrap();
        assert_eq!(two.len(), 4);
        assert_eq!(two[1], vec![("x.a".into(), 1), ("x.b".into(), 7)]);
    }

    fn mini() -> ScenarioFiles {
        crate::scenario::load::read_scenario_files(Path::new("tests/fixtures/mini"))
    }

    #[test]
    fn a_value_is_written_into_the_scenario_and_validated() {
        let dir = Path::new("tests/fixtures/mini");
        let base = LoadedScenario::load(dir).unwrap().0;
        let files = mini();
        let id = base.scenario.actions[0].id.clone();
        let path = format!("actions.{id}.chance");
        let changed = apply(dir, &files, &[(path.clone(), 37)]).unwrap();
        assert_eq!(changed.scenario.actions[0].chance, 37);
        assert_eq!(changed.scenario.actions[1..], base.scenario.actions[1..]);
        // Out of range: the validator's error at the changed line, and which --vary it was.
        let e = apply(dir, &files, &[(path.clone(), 140)]).unwrap_err();
        assert!(e.contains("actions.ron:"), "{e}");
        assert!(e.contains(&format!("--vary {path}=140")), "{e}");
        // An attribute by map key; a map key the file leaves out (its default) is added.
        let changed = apply(dir, &files, &[("actors.proxy.attrs.control".into(), 3)]).unwrap();
        let proxy = base.index.actors["proxy"];
        assert_eq!(changed.scenario.actors[proxy].attrs["control"], 3);
        let changed = apply(dir, &files, &[("actors.proxy.attrs.power".into(), 7)]).unwrap();
        assert_eq!(changed.scenario.actors[proxy].attrs["power"], 7);
        assert_eq!(changed.scenario.actors[proxy].attrs["control"], 100);
        // A struct field the file leaves out is added too.
        let changed = apply(dir, &files, &[(format!("actions.{id}.mislead_chance"), 1)]);
        assert!(
            changed.is_err(),
            "mislead_chance is not a field of an action"
        );
        let changed = apply(
            dir,
            &files,
            &[(format!("actions.{id}.attribution.mislead_chance"), 15)],
        )
        .unwrap();
        assert_eq!(changed.scenario.actions[0].attribution.mislead_chance, 15);
        let e = apply(dir, &files, &[("actors.alpha.attrs.power".into(), 1)]).unwrap_err();
        assert!(e.contains("actors.alpha has no \"attrs\""), "{e}");
        let changed = apply(dir, &files, &[("scenario.rules.reassess_at".into(), 55)]).unwrap();
        assert_eq!(changed.scenario.meta.rules.reassess_at, 55);
        // Paths that lead nowhere say where they stopped and what is there.
        let e = apply(dir, &files, &[("actions.nope.chance".into(), 1)]).unwrap_err();
        assert!(e.contains("has no \"nope\"") && e.contains(&id), "{e}");
        let e = apply(dir, &files, &[("weather.x".into(), 1)]).unwrap_err();
        assert!(e.contains("not a scenario file"), "{e}");
        let e = apply(dir, &files, &[(format!("actions.{id}.name"), 1)]).unwrap_err();
        assert!(e.contains("not a number"), "{e}");
    }
}
