//! The live edit loop on screen: a file notifier on its own thread wakes the (reactive) window
//! when a scenario file is saved, whatever window has focus; the rules' watcher then validates
//! the change once it has been stable (see [`crate::sim::reload`]) and every screen showing the
//! scenario rebuilds when an edit is applied. The reload panel can be collapsed.
//!
//! With `GRAYZONE_LIVE_EDIT_PROBE=1` (the latency test, `.ci/live_edit.sh`), the game logs when
//! the board is ready and how long an edit took from the file's change to the screen.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;
use bevy::window::RequestRedraw;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};
use notify::Watcher as _;

use super::actions::UiAction;
use super::{Redraw, Screen};
use crate::sim::LoadedScenario;
use crate::sim::reload::{ReloadStatus, ScenarioSource, watch_scenario};

/// The environment variable that turns on the latency probe's log lines.
pub const PROBE_ENV_VAR: &str = "GRAYZONE_LIVE_EDIT_PROBE";

/// The OS file notifier watching the scenario folder being played.
#[derive(Resource)]
struct FileNotifier {
    dir: PathBuf,
    /// Kept alive while the folder is watched (dropping it ends the notifier's thread).
    _watcher: Mutex<notify::RecommendedWatcher>,
    /// Set by the notifier's thread when a file changed, read by [`look_on_change`].
    changed: Arc<AtomicBool>,
    /// When the first change not yet shown happened (for the latency probe).
    first_change: Arc<Mutex<Option<Instant>>>,
}

/// Whether the reload diagnostics panel is collapsed to its one-line notice.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct ReloadPanel {
    /// Collapsed: only the notice line shows.
    pub collapsed: bool,
}

/// The latency probe's state (with [`PROBE_ENV_VAR`] set).
#[derive(Resource, Default)]
struct Probe {
    frames: u32,
    board_ready: bool,
    /// The change being shown: when it happened, frames drawn since it was applied, and the
    /// notice shown.
    applied: Option<(Instant, u32, String)>,
}

/// (Re)starts the notifier when the session's scenario folder changes.
fn follow_source(
    mut commands: Commands,
    source: Option<Res<ScenarioSource>>,
    notifier: Option<Res<FileNotifier>>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
) {
    let Some(source) = source else {
        return;
    };
    if notifier.is_some_and(|n| n.dir == source.dir) {
        return;
    }
    let changed = Arc::new(AtomicBool::new(false));
    let first_change: Arc<Mutex<Option<Instant>>> = Arc::default();
    let proxy = proxy.map(|p| (**p).clone());
    let (flag, first) = (changed.clone(), first_change.clone());
    // Runs on the notifier's own thread: note the change and wake the event loop.
    let handler = move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else {
            return;
        };
        if event.kind.is_access() {
            return;
        }
        flag.store(true, Ordering::Release);
        if let Ok(mut first) = first.lock() {
            first.get_or_insert_with(Instant::now);
        }
        if let Some(proxy) = &proxy {
            let _ = proxy.send_event(WinitUserEvent::WakeUp);
        }
    };
    let watcher = notify::recommended_watcher(handler).and_then(|mut w| {
        w.watch(&source.dir, notify::RecursiveMode::NonRecursive)
            .map(|()| w)
    });
    match watcher {
        Ok(watcher) => {
            commands.insert_resource(FileNotifier {
                dir: source.dir.clone(),
                _watcher: Mutex::new(watcher),
                changed,
                first_change,
            });
        }
        Err(e) => {
            // Without a notifier, edits still show on the next input (the watcher polls).
            warn!(
                "cannot watch {} for edits ({e}); edits show on the next key press",
                source.dir.display()
            );
            commands.remove_resource::<FileNotifier>();
        }
    }
}

/// Before the rules' watcher runs: a notified change is looked at now, and while a change is
/// settling the window keeps updating until it has been validated.
fn look_on_change(
    notifier: Option<Res<FileNotifier>>,
    source: Option<ResMut<ScenarioSource>>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Some(mut source) = source else {
        return;
    };
    if notifier.is_some_and(|n| n.changed.swap(false, Ordering::AcqRel)) {
        source.bypass_change_detection().look_now();
    }
    if source.is_settling() {
        redraw.write(RequestRedraw);
    }
}

/// Every screen that shows the scenario rebuilds when an edit is applied or rejected.
fn redraw_on_edit(
    status: Option<Res<ReloadStatus>>,
    loaded: Option<Res<LoadedScenario>>,
    mut redraw: MessageWriter<Redraw>,
) {
    let changed = status.is_some_and(|s| s.is_changed()) || loaded.is_some_and(|l| l.is_changed());
    if changed {
        redraw.write(Redraw);
    }
}

fn toggle_panel(
    action: On<UiAction>,
    mut panel: ResMut<ReloadPanel>,
    mut redraw: MessageWriter<Redraw>,
) {
    if let UiAction::ToggleReloadPanel = action.event() {
        panel.collapsed = !panel.collapsed;
        redraw.write(Redraw);
    }
}

/// The latency probe: Enter through the title, picker (the `--scenario` folder preselected),
/// setup and briefing to the board, then the window sleeps as a facilitator's does (reactive)
/// and the probe logs "board ready", then the time from a file's change to the second frame
/// drawn after the edit reached the screen (built in one, drawn in the next).
#[allow(clippy::too_many_arguments)]
fn probe(
    mut probe: ResMut<Probe>,
    screen: Res<State<Screen>>,
    status: Option<Res<ReloadStatus>>,
    notifier: Option<Res<FileNotifier>>,
    mut keys: ResMut<ButtonInput<KeyCode>>,
    mut winit: ResMut<bevy::winit::WinitSettings>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut exit: MessageWriter<AppExit>,
) {
    probe.frames += 1;
    if !probe.board_ready {
        if *screen.get() == Screen::Board && notifier.is_some() {
            probe.board_ready = true;
            *winit = bevy::winit::WinitSettings::desktop_app();
            info!("live edit probe: board ready");
        } else if probe.frames.is_multiple_of(30) {
            keys.press(KeyCode::Enter);
        } else {
            keys.release(KeyCode::Enter);
        }
        return;
    }
    if let Some((since, frames, notice)) = probe.applied.as_mut() {
        *frames += 1;
        redraw.write(RequestRedraw);
        if *frames >= 2 {
            let ms = since.elapsed().as_secs_f64() * 1000.0;
            info!("live edit probe: edit on screen {ms:.0} ms after the file changed: {notice}");
            exit.write(AppExit::Success);
        }
        return;
    }
    if probe.board_ready
        && let Some(status) = status.filter(|s| s.is_changed() && s.last.is_some())
        && let Some(since) = notifier.and_then(|n| n.first_change.lock().ok()?.take())
    {
        probe.applied = Some((since, 0, status.notice().unwrap_or_default()));
        redraw.write(RequestRedraw);
    }
}

/// The live edit plugin.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ReloadPanel>()
        .add_systems(
            Update,
            (follow_source, look_on_change)
                .chain()
                .before(watch_scenario),
        )
        .add_systems(
            Update,
            redraw_on_edit
                .after(watch_scenario)
                .before(super::GuiSystems::Build),
        )
        .add_observer(toggle_panel);
    if std::env::var_os(PROBE_ENV_VAR).is_some() {
        // Continuous until the board is up (the probe presses the keys), reactive after.
        app.init_resource::<Probe>()
            .insert_resource(bevy::winit::WinitSettings::game())
            .add_systems(
                Update,
                probe.after(watch_scenario).before(super::GuiSystems::Input),
            );
    }
}
