//! Reading a scenario folder: every file once, safely (no blocking on pipes, a size limit,
//! bad bytes reported by position). Loading goes on through the validator:
//! [`crate::sim::LoadedScenario::load`] is the one way to get a playable scenario.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::de::DeserializeOwned;

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

/// The files of a scenario folder, in reading order.
pub const SCENARIO_FILES: [&str; 8] = [
    "scenario.ron",
    "actors.ron",
    "actions.ron",
    "red_lines.ron",
    "diplomacy.ron",
    "injects.ron",
    "endings.ron",
    "snippets.ron",
];

/// The largest scenario file read, in bytes (documented limit, code E401).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// FNV-1a, 64 bits: content hashes of scenario files and saves (stable across builds and
/// machines, unlike `std`'s hasher).
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv64 {
    /// A fresh hasher.
    pub fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
    /// The hash of one byte string.
    pub fn hash(bytes: &[u8]) -> u64 {
        let mut h = Fnv64::new();
        h.write(bytes);
        h.finish()
    }
}

/// One file of a scenario folder as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRead {
    /// Read as UTF-8 text (a leading byte-order mark removed).
    Text(String),
    /// It exists but cannot be used.
    Unusable {
        /// Diagnostic code.
        code: &'static str,
        /// What is wrong, in plain words.
        problem: String,
        /// What to do about it.
        help: String,
        /// Text to show around the problem (lossy) and the byte offset of the problem in it.
        at: Option<(String, usize)>,
    },
}

/// Every file of a scenario folder, read once: the validator, the loader and hot reload all
/// start from this.
#[derive(Debug, Clone, Default)]
pub struct ScenarioFiles {
    /// Whether the folder exists (as a folder).
    pub is_dir: bool,
    /// The files found, by name; missing files are absent.
    pub files: BTreeMap<&'static str, FileRead>,
    /// Content hash of each file found, in reading order.
    pub hashes: Vec<(&'static str, u64)>,
}

impl ScenarioFiles {
    /// The texts of the files that read as text.
    pub fn texts(&self) -> BTreeMap<&'static str, String> {
        self.files
            .iter()
            .filter_map(|(name, f)| match f {
                FileRead::Text(t) => Some((*name, t.clone())),
                FileRead::Unusable { .. } => None,
            })
            .collect()
    }

    /// Content hashes as owned pairs, in reading order.
    pub fn hashes(&self) -> Vec<(String, u64)> {
        self.hashes
            .iter()
            .map(|(n, h)| ((*n).to_string(), *h))
            .collect()
    }

    /// A folder given as texts (hot reload, the screenshot run, fuzzing).
    pub fn from_texts(texts: &BTreeMap<&str, String>) -> Self {
        let mut out = ScenarioFiles {
            is_dir: true,
            ..Default::default()
        };
        for name in SCENARIO_FILES {
            if let Some(t) = texts.get(name) {
                let t = t.strip_prefix('\u{feff}').unwrap_or(t);
                out.hashes.push((name, Fnv64::hash(t.as_bytes())));
                out.files.insert(name, FileRead::Text(t.to_string()));
            }
        }
        out
    }
}

/// What kind of thing is at a path that should be a regular file, in plain words.
pub fn file_type_name(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

fn unusable(code: &'static str, problem: String, help: &str) -> FileRead {
    FileRead::Unusable {
        code,
        problem,
        help: help.into(),
        at: None,
    }
}

/// Reads one scenario file (`None` when it does not exist): never blocks on pipes or
/// devices, never reads more than [`MAX_FILE_BYTES`], and turns bad bytes into a position.
pub fn read_scenario_file(path: &Path) -> Option<FileRead> {
    use std::io::Read as _;
    const READABLE: &str = "check that the file exists and this user may read it";
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            return Some(unusable(
                "E002",
                format!("cannot read the file: {e}"),
                READABLE,
            ));
        }
    };
    if !meta.is_file() {
        return Some(unusable(
            "E002",
            format!("this is {}, not a text file", file_type_name(&meta)),
            "a scenario file must be a plain text file; replace it with one",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Some(unusable(
            "E401",
            format!(
                "the file is {} KiB; a scenario file may be at most {} KiB",
                meta.len() / 1024,
                MAX_FILE_BYTES / 1024
            ),
            "split the scenario or remove what is not needed",
        ));
    }
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        return Some(unusable(
            "E002",
            format!("cannot read the file: {e}"),
            READABLE,
        ));
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        // It grew between the size check and the read.
        return Some(unusable(
            "E401",
            format!(
                "the file is larger than {} KiB, the most a scenario file may be",
                MAX_FILE_BYTES / 1024
            ),
            "split the scenario or remove what is not needed",
        ));
    }
    Some(decode(bytes))
}

/// Bytes to text: a leading byte-order mark is dropped; invalid UTF-8 is reported at the
/// first bad byte.
pub fn decode(mut bytes: Vec<u8>) -> FileRead {
    // Drop the mark first, so that a bad byte on the first line gets its real column.
    if bytes.starts_with("\u{feff}".as_bytes()) {
        bytes.drain(.."\u{feff}".len());
    }
    match String::from_utf8(bytes) {
        Ok(text) => FileRead::Text(text),
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            FileRead::Unusable {
                code: "E002",
                problem: "the file is not UTF-8 text: this byte cannot be read".into(),
                help: "save the file as UTF-8 (in most editors: \"Save with encoding\", UTF-8)"
                    .into(),
                at: Some((lossy, bad)),
            }
        }
    }
}

/// Reads every file of a scenario folder once.
pub fn read_scenario_files(dir: &Path) -> ScenarioFiles {
    let mut out = ScenarioFiles {
        is_dir: dir.is_dir(),
        ..Default::default()
    };
    if !out.is_dir {
        return out;
    }
    for name in SCENARIO_FILES {
        if let Some(read) = read_scenario_file(&dir.join(name)) {
            let h = match &read {
                FileRead::Text(t) => Fnv64::hash(t.as_bytes()),
                FileRead::Unusable { at, problem, .. } => Fnv64::hash(
                    at.as_ref()
                        .map_or(problem.as_bytes(), |(t, _)| t.as_bytes()),
                ),
            };
            out.hashes.push((name, h));
            out.files.insert(name, read);
        }
    }
    out
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
