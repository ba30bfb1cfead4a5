//! Loading a scenario folder: parse every file, report every parse error with file:line:col.

use std::fmt;
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::de::DeserializeOwned;

use super::model::*;

/// A problem loading a scenario file, with its position when known.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub col: usize,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if self.line > 0 {
            write!(
                f,
                "  --> {}:{}:{}",
                self.file.display(),
                self.line,
                self.col
            )?;
        } else {
            write!(f, "  --> {}", self.file.display())?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The RON options every scenario file is read with: `Some(..)` may be left out.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Parses one RON document of type `T` from `source`, as if read from `file`.
pub fn parse_ron<T: DeserializeOwned>(file: &Path, source: &str) -> Result<T, LoadError> {
    ron_options().from_str::<T>(source).map_err(|e| LoadError {
        file: file.to_path_buf(),
        line: e.span.start.line,
        col: e.span.start.col,
        message: e.code.to_string(),
        help: None,
    })
}

fn read_file<T: DeserializeOwned>(
    dir: &Path,
    name: &str,
    required: bool,
    errors: &mut Vec<LoadError>,
) -> Option<T> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(source) => match parse_ron::<T>(&path, &source) {
            Ok(value) => Some(value),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => None,
        Err(e) => {
            errors.push(LoadError {
                file: path,
                line: 0,
                col: 0,
                message: format!("cannot read the file: {e}"),
                help: Some(format!(
                    "a scenario folder needs {name}; see docs/scenario-format.md"
                )),
            });
            None
        }
    }
}

/// The files of a scenario folder, in reading order.
pub const SCENARIO_FILES: [&str; 7] = [
    "scenario.ron",
    "actors.ron",
    "actions.ron",
    "red_lines.ron",
    "diplomacy.ron",
    "injects.ron",
    "endings.ron",
];

/// Loads a scenario folder. Every parse error of every file is returned at once.
pub fn load_scenario(dir: &Path) -> Result<Scenario, Vec<LoadError>> {
    let mut errors = Vec::new();
    if !dir.is_dir() {
        return Err(vec![LoadError {
            file: dir.to_path_buf(),
            line: 0,
            col: 0,
            message: "no scenario folder here".into(),
            help: Some("give the path of a folder holding scenario.ron, e.g. scenarios/forward_defense_2022".into()),
        }]);
    }
    let meta: Option<ScenarioFile> = read_file(dir, "scenario.ron", true, &mut errors);
    if let Some(meta) = &meta
        && meta.format != FORMAT_VERSION
    {
        errors.push(LoadError {
            file: dir.join("scenario.ron"),
            line: 0,
            col: 0,
            message: format!(
                "scenario format {} is not supported by this version of Gray Zone",
                meta.format
            ),
            help: Some(format!("this build reads `format: {FORMAT_VERSION}`")),
        });
    }
    let actors: Option<ActorsFile> = read_file(dir, "actors.ron", true, &mut errors);
    let actions: Option<ActionsFile> = read_file(dir, "actions.ron", true, &mut errors);
    let red_lines: Option<RedLinesFile> = read_file(dir, "red_lines.ron", false, &mut errors);
    let diplomacy: Option<DiplomacyFile> = read_file(dir, "diplomacy.ron", false, &mut errors);
    let injects: Option<InjectsFile> = read_file(dir, "injects.ron", false, &mut errors);
    let endings: Option<EndingsFile> = read_file(dir, "endings.ron", true, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(meta), Some(actors), Some(actions), Some(endings)) = (meta, actors, actions, endings)
    else {
        unreachable!("required files either parse or report an error");
    };
    Ok(Scenario {
        meta,
        actors: actors.actors,
        actions: actions.actions,
        red_lines: red_lines.map(|r| r.red_lines).unwrap_or_default(),
        proposals: diplomacy.map(|d| d.proposals).unwrap_or_default(),
        injects: injects.map(|i| i.injects).unwrap_or_default(),
        endings: endings.endings,
    })
}

/// Every scenario folder (holding a `scenario.ron`) directly under `root`, sorted by name.
pub fn scenario_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("scenario.ron").is_file())
        .collect();
    dirs.sort();
    dirs
}
