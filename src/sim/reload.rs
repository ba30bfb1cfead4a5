//! Hot reload of the scenario being played: saving a scenario file re-validates it.
//!
//! - A change is looked at once the folder has been stable for [`ScenarioSource::settle`]
//!   (300 ms): a half-written save, or a file deleted and written again, is never shown.
//! - An invalid edit keeps the last good scenario running; its diagnostics are kept in
//!   [`ReloadStatus`] for the on-screen panel.
//! - A valid edit takes effect from the coming turn: the turns already played stay exactly as
//!   played (the session record keeps every version and which turns ran under which), the game
//!   state is carried over by id ([`crate::sim::migrate`]). Re-playing the whole session under
//!   the new files is an explicit what-if ([`SessionRecord::what_if`]), never a reload.
//! - The facilitator can lock reloading during a live session; edits then wait until unlocked.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use bevy::prelude::*;

use super::{GameState, LoadedScenario, SessionRecord};
use crate::scenario::load::{Fnv64, ScenarioFiles, read_scenario_files};

/// The scenario folder being watched.
#[derive(Resource, Debug, Clone)]
pub struct ScenarioSource {
    /// The folder.
    pub dir: PathBuf,
    /// How often to look at the files.
    pub poll_every: Duration,
    /// How long the files must stay unchanged before a change is validated.
    pub settle: Duration,
    last_poll: Option<Duration>,
    fingerprint: u64,
    /// A change seen and not yet stable: its fingerprint and when it was first seen so.
    pending: Option<(u64, Duration)>,
}

impl ScenarioSource {
    /// Watches a folder, taking its current contents as the baseline.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let fingerprint = fingerprint(&read_scenario_files(&dir));
        ScenarioSource {
            dir,
            poll_every: Duration::from_millis(100),
            settle: Duration::from_millis(300),
            last_poll: None,
            fingerprint,
            pending: None,
        }
    }

    /// Watches a folder whose game runs under files with these hashes (a resumed session): a
    /// folder that differs is seen as an edit on the first look.
    pub fn with_baseline(dir: impl Into<PathBuf>, files: &[(String, u64)]) -> Self {
        let mut source = ScenarioSource::new(dir);
        let mut h = Fnv64::new();
        for (name, file_hash) in files {
            h.write(name.as_bytes());
            h.write(&file_hash.to_le_bytes());
        }
        source.fingerprint = h.finish();
        source
    }

    /// Look at the files at the next update, whatever [`ScenarioSource::poll_every`] says (a
    /// file notifier saw a change).
    pub fn look_now(&mut self) {
        self.last_poll = None;
    }

    /// Whether a change is waiting to become stable (the watcher wants to look again soon).
    pub fn is_settling(&self) -> bool {
        self.pending.is_some()
    }
}

/// What the last reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// Applied: these files changed, and the game runs under them from this turn on (turn 1
    /// before the first turn is played; earlier turns stay as played).
    Applied {
        /// The scenario files that changed, added or removed.
        files: Vec<String>,
        /// The first turn played under the edit.
        from_turn: u32,
    },
    /// Rejected: the last good scenario keeps running.
    Rejected,
    /// Waiting: reloading is locked.
    Waiting,
}

/// Hot-reload status, read by the GUI's panel.
#[derive(Resource, Debug, Clone, Default)]
pub struct ReloadStatus {
    /// The facilitator has locked reloading.
    pub locked: bool,
    /// Diagnostics of the last rejected edit (rustc-style text), until a good edit replaces them.
    pub diagnostics: Option<String>,
    /// Number of errors in them.
    pub errors: usize,
    /// The last outcome.
    pub last: Option<ReloadOutcome>,
    /// How many edits have been applied.
    pub applied: u32,
}

impl ReloadStatus {
    /// The one-line notice for the screen: "actions.ron applied from turn 6", "2 errors — still
    /// playing the last good version", "edit waiting: reloading is locked".
    pub fn notice(&self) -> Option<String> {
        Some(match self.last.as_ref()? {
            ReloadOutcome::Applied { files, from_turn } => {
                let what = match files.as_slice() {
                    [] => "the edit".to_string(),
                    [one] => one.clone(),
                    [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                };
                format!("{what} applied from turn {from_turn}")
            }
            ReloadOutcome::Rejected => format!(
                "{} error{} — still playing the last good version",
                self.errors.max(1),
                if self.errors == 1 { "" } else { "s" }
            ),
            ReloadOutcome::Waiting => "edit waiting: reloading is locked".to_string(),
        })
    }
}

/// Watches the scenario folder and applies edits.
pub struct HotReloadPlugin;

impl Plugin for HotReloadPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ReloadStatus>()
            .add_systems(Update, watch_scenario);
    }
}

/// The texts of a scenario folder's files, by file name (missing and unreadable files left out).
pub fn read_texts(dir: &std::path::Path) -> BTreeMap<&'static str, String> {
    read_scenario_files(dir).texts()
}

fn fingerprint(files: &ScenarioFiles) -> u64 {
    let mut h = Fnv64::new();
    for (name, file_hash) in &files.hashes {
        h.write(name.as_bytes());
        h.write(&file_hash.to_le_bytes());
    }
    h.finish()
}

/// Looks at the watched folder and applies a changed scenario once it has been stable for
/// [`ScenarioSource::settle`] (exclusive system).
pub fn watch_scenario(world: &mut World) {
    let now = world
        .get_resource::<Time<Real>>()
        .map_or(Duration::ZERO, |t| t.elapsed());
    let Some(mut source) = world.get_resource::<ScenarioSource>().cloned() else {
        return;
    };
    if source
        .last_poll
        .is_some_and(|last| now.saturating_sub(last) < source.poll_every)
    {
        return;
    }
    source.last_poll = Some(now);
    let files = read_scenario_files(&source.dir);
    let print = fingerprint(&files);
    if print == source.fingerprint {
        // Unchanged, or changed and changed back (a file deleted and written again): nothing
        // to show.
        source.pending = None;
        world.insert_resource(source);
        return;
    }
    match source.pending {
        Some((seen, since)) if seen == print && now.saturating_sub(since) >= source.settle => {}
        Some((seen, _)) if seen == print => {
            world.insert_resource(source);
            return;
        }
        _ => {
            source.pending = Some((print, now));
            let stable_now = source.settle.is_zero();
            world.insert_resource(source.clone());
            if !stable_now {
                return;
            }
        }
    }
    if is_locked(world) {
        world.insert_resource(source);
        mark_waiting(world);
        return;
    }
    source.fingerprint = print;
    source.pending = None;
    let dir = source.dir.clone();
    world.insert_resource(source);
    apply_files(world, &dir, &files);
}

fn is_locked(world: &World) -> bool {
    world
        .get_resource::<ReloadStatus>()
        .is_some_and(|s| s.locked)
}

fn mark_waiting(world: &mut World) {
    let mut status = world.get_resource_or_insert_with(ReloadStatus::default);
    if status.last != Some(ReloadOutcome::Waiting) {
        status.last = Some(ReloadOutcome::Waiting);
    }
}

/// An edit as the watcher sees it once stable: waits while reloading is locked, otherwise is
/// validated and applied (or rejected). Returns whether it was looked at.
pub fn offer_texts(
    world: &mut World,
    dir: &std::path::Path,
    texts: &BTreeMap<&'static str, String>,
) -> bool {
    if is_locked(world) {
        mark_waiting(world);
        return false;
    }
    apply_texts(world, dir, texts);
    true
}

/// Validates new scenario texts and applies them to the running game, or keeps the old one.
pub fn apply_texts(
    world: &mut World,
    dir: &std::path::Path,
    texts: &BTreeMap<&'static str, String>,
) {
    apply_files(world, dir, &ScenarioFiles::from_texts(texts));
}

/// Validates a scenario folder as read and applies it to the running game from the coming
/// turn, or keeps the old one.
pub fn apply_files(world: &mut World, dir: &std::path::Path, files: &ScenarioFiles) {
    // The same load path as every other entry point.
    let (outcome, diagnostics, errors) = match LoadedScenario::from_files(dir, files) {
        Ok((loaded, _warnings)) => match apply_scenario(world, loaded) {
            Ok(outcome) => (outcome, None, 0),
            Err(why) => (
                ReloadOutcome::Rejected,
                Some(format!(
                    "error: {why}\n  = note: the last good version keeps playing"
                )),
                1,
            ),
        },
        Err(v) => (
            ReloadOutcome::Rejected,
            Some(v.render_human(&dir.display().to_string(), false)),
            v.errors(),
        ),
    };
    // The status is changed in place (not replaced), so screens watching it see a change.
    let mut status = world.get_resource_or_insert_with(ReloadStatus::default);
    if outcome == ReloadOutcome::Rejected {
        status.errors = errors.max(1);
    } else {
        status.errors = 0;
        status.applied += 1;
    }
    status.diagnostics = diagnostics;
    status.last = Some(outcome);
}

/// The files that differ between two loads of a folder, in file order.
fn changed_files(old: &[(String, u64)], new: &[(String, u64)]) -> Vec<String> {
    let find =
        |files: &[(String, u64)], name: &str| files.iter().find(|(n, _)| n == name).map(|f| f.1);
    crate::scenario::load::SCENARIO_FILES
        .iter()
        .filter(|name| find(old, name) != find(new, name))
        .map(|name| name.to_string())
        .collect()
}

/// Switches the running game to `loaded` from the coming turn on, and notes the new version in
/// the session record. Nothing changes when the game cannot carry over.
fn apply_scenario(world: &mut World, loaded: LoadedScenario) -> Result<ReloadOutcome, String> {
    let files = world
        .get_resource::<LoadedScenario>()
        .map(|old| changed_files(&old.origin.files, &loaded.origin.files))
        .unwrap_or_default();
    let from_turn = world.get_resource::<GameState>().map_or(1, |s| s.turn);
    if world.contains_resource::<GameState>() {
        super::migrate::switch_scenario(world, loaded.clone())?;
    } else {
        world.insert_resource(loaded.clone());
    }
    if let Some(mut record) = world.get_resource_mut::<SessionRecord>() {
        record.rebase(&loaded, from_turn);
    }
    Ok(ReloadOutcome::Applied { files, from_turn })
}
