//! The scripted screenshot run: walks a whole session through every screen by sending the same
//! [`UiAction`]s a facilitator's keys send, saves a PNG of each screen, and exits with an error if a
//! screen never appears or a capture is blank (a single colour).
//!
//! Enabled by the environment variable `GRAYZONE_SCREENSHOTS=<folder>`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

use super::Screen;
use super::actions::UiAction;

/// The environment variable naming the folder the PNGs are written to.
pub const ENV_VAR: &str = "GRAYZONE_SCREENSHOTS";

/// Frames to wait on a screen before capturing it (layout, fonts, text).
const SETTLE_FRAMES: u32 = 12;
/// Frames to wait after an action before the next step.
const ACTION_FRAMES: u32 = 2;
/// Give up if an expected screen does not appear within this many frames.
const TIMEOUT_FRAMES: u32 = 1200;

/// One step of the script.
#[derive(Clone, Debug)]
pub enum Step {
    /// Send an action, as a key press would.
    Do(UiAction),
    /// Press a key: goes through the on-screen shortcuts like a real key press.
    Key(KeyCode),
    /// Wait for a screen, let it settle, and save `screenshot-<name>.png`.
    Shoot(Screen, &'static str),
    /// Repeat the inner steps while the screen is not the given one (at most `n` times).
    RepeatUntil(Screen, u32, Vec<Step>),
    /// Let this many frames pass (frame times on the board are measured meanwhile).
    Wait(u32),
    /// Setup: make the first two actors of the scenario team-played (as Space on their rows does).
    TwoTeams,
    /// Hot reload as an author's broken save would trigger it: the scenario's files with a
    /// misspelt rung in `actions.ron` go through the same validation and panel (nothing is
    /// written to disk).
    BrokenEdit,
    /// Hot reload of the scenario's files as they are on disk (clears the panel).
    RestoreEdit,
    /// Teams on devices (`--serve`): wait until every team has confirmed on its device (at
    /// most this many seconds of wall time).
    WaitRoomConfirmed(u64),
    /// Save `screenshot-<name>.png` of the facilitator's console window (`--console`).
    ShootConsole(&'static str),
    /// A valid edit (an actor renamed) offered as the watcher offers a stable change: with
    /// reloading locked it waits.
    WaitingEdit,
}

/// [`ENV_VAR`]'s companion: `room` plays [`room_script`] instead of the whole session.
pub const SCRIPT_VAR: &str = "GRAYZONE_SCREENSHOTS_SCRIPT";

/// The state of the screenshot run.
#[derive(Resource)]
pub struct ScreenshotRun {
    pub dir: PathBuf,
    steps: Vec<Step>,
    cursor: usize,
    waited: u32,
    /// While capturing: how many captures must be done before the next step.
    capturing: Option<usize>,
    outcome: Arc<Mutex<Vec<Capture>>>,
    /// When the current wall-time wait began.
    started_wait: Option<std::time::Instant>,
    failures: Vec<String>,
    /// Wall-clock frame times on the board screen, for the performance note.
    pub board_frames: Vec<f32>,
    /// Wall-clock frame times on the other screens, by screen.
    pub other_frames: Vec<(Screen, f32)>,
}

#[derive(Debug)]
struct Capture {
    name: String,
    blank: bool,
}

impl ScreenshotRun {
    /// Reads [`ENV_VAR`]; `None` when unset.
    pub fn from_env() -> Option<Self> {
        let dir = std::env::var_os(ENV_VAR)?;
        Some(Self {
            dir: PathBuf::from(dir),
            steps: if std::env::var(SCRIPT_VAR).is_ok_and(|s| s == "room") {
                room_script()
            } else {
                script()
            },
            cursor: 0,
            waited: 0,
            capturing: None,
            outcome: Arc::default(),
            started_wait: None,
            failures: Vec::new(),
            board_frames: Vec::new(),
            other_frames: Vec::new(),
        })
    }
}

/// The walk through a whole session: every screen, with real game state.
pub fn script() -> Vec<Step> {
    use Step::*;
    use UiAction as A;
    let mut steps = vec![Shoot(Screen::Title, "01-title")];
    steps.extend(session_script());
    steps.push(Do(A::Quit));
    steps
}

/// Teams on their own devices with the facilitator's console (`play --serve … --console`):
/// the projector with the join codes, the console, the projector once the teams (in browsers,
/// driven by `tests/room_gui.rs`) have confirmed, the resolved turn, then a save.
pub fn room_script() -> Vec<Step> {
    use Step::*;
    use UiAction as A;
    vec![
        Shoot(Screen::Title, "room-00-title"),
        Key(KeyCode::Enter),
        Shoot(Screen::ScenarioPicker, "room-00-picker"),
        Key(KeyCode::Enter),
        TwoTeams,
        Key(KeyCode::Enter),
        Shoot(Screen::Briefing, "room-00-briefing"),
        Key(KeyCode::Enter),
        Shoot(Screen::Board, "room-projector-join"),
        ShootConsole("room-console"),
        WaitRoomConfirmed(240),
        Wait(20),
        Shoot(Screen::Board, "room-projector-confirmed"),
        Do(A::BeginOrders),
        Do(A::RevealAll),
        Shoot(Screen::Reveal, "room-reveal"),
        Do(A::FinishReveal),
        Shoot(Screen::Board, "room-projector-turn-2"),
        ShootConsole("room-console-turn-2"),
        Do(A::Save),
        Wait(10),
        Do(A::Quit),
    ]
}

fn session_script() -> Vec<Step> {
    use Step::*;
    use UiAction as A;
    let team_turn = |orders: usize| {
        let mut steps = vec![Do(A::LiftCurtain)];
        for _ in 0..orders {
            steps.push(Do(A::AddOrder));
            steps.push(Do(A::MoveCard(1)));
        }
        steps.push(Do(A::ConfirmOrders));
        steps
    };
    // The opening is played with real key presses (through the shortcuts printed on the
    // buttons); the rest sends the same actions directly.
    let mut steps = vec![
        Key(KeyCode::Enter),
        Shoot(Screen::ScenarioPicker, "02-picker"),
        Key(KeyCode::Enter),
        TwoTeams,
        Do(A::MoveActor(1)),
        Shoot(Screen::Setup, "03-setup"),
        Key(KeyCode::Enter),
        Shoot(Screen::Briefing, "04-briefing"),
        Key(KeyCode::Enter),
        Shoot(Screen::Board, "05-board"),
        // Turn 1, played through the curtain by both teams.
        Key(KeyCode::Enter),
        Shoot(Screen::Curtain, "06-curtain"),
        Key(KeyCode::Enter),
        Key(KeyCode::ArrowRight),
        Key(KeyCode::Space),
        Key(KeyCode::ArrowRight),
        Key(KeyCode::Tab),
        Shoot(Screen::Orders, "07-orders"),
        Do(A::ConfirmOrders),
    ];
    steps.extend(team_turn(1));
    steps.extend(std::iter::repeat_n(Do(A::RevealNext), 8));
    steps.extend([Shoot(Screen::Reveal, "08-reveal"), Do(A::FinishReveal)]);
    // Turns 2 to 5, then the board again, with an inject whose outcome the facilitator picks.
    for _ in 0..4 {
        steps.push(Do(A::BeginOrders));
        steps.extend(team_turn(2));
        steps.extend(team_turn(1));
        steps.extend([Do(A::RevealAll), Do(A::FinishReveal)]);
    }
    steps.extend([
        Do(A::ChooseInjectOption(0)),
        Shoot(Screen::Board, "09-board-turn-6"),
        Wait(120),
        // A scenario author saves a broken edit: the last good version keeps running.
        BrokenEdit,
        Wait(4),
        Shoot(Screen::Board, "12-reload-error"),
        // The author fixes it: applied from the coming turn.
        RestoreEdit,
        Wait(4),
        Shoot(Screen::Board, "17-reload-applied"),
        // Locked during a live session: the next edit waits.
        Do(A::ToggleReloadLock),
        WaitingEdit,
        Wait(4),
        Shoot(Screen::Board, "18-reload-waiting"),
        Do(A::ToggleReloadLock),
        RestoreEdit,
        Wait(4),
    ]);
    // The second team's private view, to compare with the first's.
    steps.extend([
        Do(A::BeginOrders),
        Do(A::LiftCurtain),
        Do(A::AddOrder),
        Do(A::ConfirmOrders),
        Do(A::LiftCurtain),
        Shoot(Screen::Orders, "10-orders-second-team"),
        Do(A::AddOrder),
        Do(A::ConfirmOrders),
        Do(A::RevealAll),
        Do(A::FinishReveal),
    ]);
    // Play on to the ending.
    let mut turn = vec![Do(A::BeginOrders)];
    turn.extend(team_turn(1));
    turn.extend(team_turn(2));
    turn.extend([Do(A::RevealAll), Do(A::FinishReveal)]);
    steps.push(RepeatUntil(Screen::Debrief, 40, turn));
    steps.push(Shoot(Screen::Debrief, "11-debrief"));
    steps.extend([
        Key(KeyCode::Digit2),
        Shoot(Screen::Debrief, "13-debrief-attribution"),
        Key(KeyCode::Digit4),
        Shoot(Screen::Debrief, "14-debrief-decisions"),
        Key(KeyCode::Digit5),
        Shoot(Screen::Debrief, "15-debrief-turning-points"),
        Key(KeyCode::Digit7),
        Do(A::RunBranch),
        Shoot(Screen::Debrief, "16-debrief-what-if"),
    ]);
    steps
}

/// True when every pixel of an RGBA8 image has the same colour.
pub fn is_blank(data: &[u8]) -> bool {
    let mut pixels = data.chunks_exact(4);
    let Some(first) = pixels.next() else {
        return true;
    };
    pixels.all(|p| p[..3] == first[..3])
}

fn drive(
    mut commands: Commands,
    mut run: ResMut<ScreenshotRun>,
    screen: Res<State<Screen>>,
    mut keys: ResMut<ButtonInput<KeyCode>>,
    mut exit: MessageWriter<AppExit>,
    room: Option<Res<super::room::RoomServer>>,
    console: Query<Entity, With<super::console::ConsoleWindow>>,
) {
    let run = &mut *run;
    if let Some(expected) = run.capturing {
        let done = run.outcome.lock().map(|o| o.len()).unwrap_or(0);
        if done < expected {
            run.waited += 1;
            if run.waited > TIMEOUT_FRAMES {
                run.failures.push("a capture never completed".into());
                finish(run, &mut exit);
            }
            return;
        }
        run.capturing = None;
        run.cursor += 1;
        run.waited = 0;
        return;
    }
    let Some(step) = run.steps.get(run.cursor).cloned() else {
        finish(run, &mut exit);
        return;
    };
    match step {
        Step::Do(action) => {
            if run.waited == 0 {
                info!("screenshot run: {action:?}");
                if action == UiAction::Quit {
                    finish(run, &mut exit);
                    return;
                }
                commands.trigger(action);
            }
            run.waited += 1;
            if run.waited > ACTION_FRAMES {
                run.cursor += 1;
                run.waited = 0;
            }
        }
        Step::Shoot(expected, name) => {
            if *screen.get() != expected {
                run.waited += 1;
                if run.waited > TIMEOUT_FRAMES {
                    run.failures
                        .push(format!("{name}: screen {expected:?} never appeared"));
                    run.cursor += 1;
                    run.waited = 0;
                }
                return;
            }
            run.waited += 1;
            if run.waited < SETTLE_FRAMES {
                return;
            }
            let path = run.dir.join(format!("screenshot-{name}.png"));
            let outcome = run.outcome.clone();
            let expected = outcome.lock().map(|o| o.len()).unwrap_or(0) + 1;
            let name = name.to_string();
            commands.spawn(Screenshot::primary_window()).observe(
                move |captured: On<ScreenshotCaptured>| {
                    let blank = captured.image.data.as_deref().map(is_blank).unwrap_or(true);
                    save_to_disk(path.clone())(captured);
                    if let Ok(mut o) = outcome.lock() {
                        o.push(Capture {
                            name: name.clone(),
                            blank,
                        });
                    }
                },
            );
            run.capturing = Some(expected);
            run.waited = 0;
        }
        Step::Key(key) => {
            match run.waited {
                0 => {
                    info!("screenshot run: key {key:?}");
                    keys.press(key);
                }
                1 => keys.release(key),
                _ => {}
            }
            run.waited += 1;
            if run.waited > ACTION_FRAMES {
                run.cursor += 1;
                run.waited = 0;
            }
        }
        Step::Wait(frames) => {
            run.waited += 1;
            if run.waited >= frames {
                run.cursor += 1;
                run.waited = 0;
            }
        }
        Step::BrokenEdit | Step::RestoreEdit | Step::WaitingEdit => {
            let broken = matches!(step, Step::BrokenEdit);
            let renamed = matches!(step, Step::WaitingEdit);
            commands.queue(move |world: &mut World| {
                let Some(dir) = world
                    .get_resource::<crate::sim::ScenarioSource>()
                    .map(|s| s.dir.clone())
                else {
                    return;
                };
                let mut texts = crate::sim::reload::read_texts(&dir);
                if broken && let Some(actions) = texts.get_mut("actions.ron") {
                    *actions = actions.replacen("rung: \"disruption\"", "rung: \"disruptoin\"", 1);
                }
                if renamed && let Some(actors) = texts.get_mut("actors.ron") {
                    *actors = actors.replacen("name: \"Ukraine\"", "name: \"Ukraine (edited)\"", 1);
                }
                crate::sim::reload::offer_texts(world, &dir, &texts);
            });
            run.cursor += 1;
            run.waited = 0;
        }
        Step::WaitRoomConfirmed(seconds) => {
            if run.waited == 0 {
                info!("screenshot run: waiting for the teams' devices");
                run.started_wait = Some(std::time::Instant::now());
            }
            run.waited += 1;
            let confirmed = room
                .as_ref()
                .is_some_and(|r| r.with(|room| room.all_confirmed()));
            let waited = run.started_wait.map_or(0, |t| t.elapsed().as_secs());
            if confirmed || waited > seconds {
                if !confirmed {
                    run.failures
                        .push(format!("the teams did not confirm within {seconds} s"));
                }
                run.cursor += 1;
                run.waited = 0;
            }
        }
        Step::ShootConsole(name) => {
            let Some(window) = console.iter().next() else {
                run.failures
                    .push(format!("{name}: no console window (run with --console)"));
                run.cursor += 1;
                return;
            };
            run.waited += 1;
            if run.waited < SETTLE_FRAMES {
                return;
            }
            let path = run.dir.join(format!("screenshot-{name}.png"));
            let outcome = run.outcome.clone();
            let expected = outcome.lock().map(|o| o.len()).unwrap_or(0) + 1;
            let name = name.to_string();
            commands.spawn(Screenshot::window(window)).observe(
                move |captured: On<ScreenshotCaptured>| {
                    let blank = captured.image.data.as_deref().map(is_blank).unwrap_or(true);
                    save_to_disk(path.clone())(captured);
                    if let Ok(mut o) = outcome.lock() {
                        o.push(Capture {
                            name: name.clone(),
                            blank,
                        });
                    }
                },
            );
            run.capturing = Some(expected);
            run.waited = 0;
        }
        Step::TwoTeams => {
            commands.queue(|world: &mut World| {
                if let Some(mut draft) = world.get_resource_mut::<super::session::SetupDraft>() {
                    for c in draft.controllers.iter_mut().take(2) {
                        *c = crate::scenario::Controller::Team;
                    }
                }
            });
            run.cursor += 1;
            run.waited = 0;
        }
        Step::RepeatUntil(screen_wanted, max, inner) => {
            if *screen.get() == screen_wanted || max == 0 {
                run.cursor += 1;
                run.waited = 0;
                return;
            }
            // Unroll one iteration in front of this step, with one fewer repetition left.
            let mut expanded = inner.clone();
            expanded.push(Step::RepeatUntil(screen_wanted, max - 1, inner));
            run.steps.splice(run.cursor..=run.cursor, expanded);
            run.waited = 0;
        }
    }
}

fn finish(run: &mut ScreenshotRun, exit: &mut MessageWriter<AppExit>) {
    let captures = run.outcome.lock().map(|o| o.len()).unwrap_or(0);
    if let Ok(outcome) = run.outcome.lock() {
        for capture in outcome.iter().filter(|c| c.blank) {
            run.failures
                .push(format!("{}: the capture is blank", capture.name));
        }
    }
    if !run.board_frames.is_empty() {
        let mut frames = run.board_frames.clone();
        frames.sort_by(f32::total_cmp);
        let mean = frames.iter().sum::<f32>() / frames.len() as f32;
        let p95 = frames[(frames.len() * 95 / 100).min(frames.len() - 1)];
        let median = frames[frames.len() / 2];
        info!(
            "board frame time over {} frames: median {:.1} ms, mean {:.1} ms, p95 {:.1} ms",
            frames.len(),
            median,
            mean,
            p95
        );
    }
    for screen in [
        Screen::Title,
        Screen::Curtain,
        Screen::Orders,
        Screen::Reveal,
    ] {
        let mut frames: Vec<f32> = run
            .other_frames
            .iter()
            .filter(|(s, _)| *s == screen)
            .map(|(_, ms)| *ms)
            .collect();
        if !frames.is_empty() {
            frames.sort_by(f32::total_cmp);
            info!(
                "{screen:?} frame time over {} frames: median {:.1} ms",
                frames.len(),
                frames[frames.len() / 2]
            );
        }
    }
    if run.failures.is_empty() {
        info!("screenshot run: {captures} screens captured");
        exit.write(AppExit::Success);
    } else {
        for failure in &run.failures {
            error!("screenshot run: {failure}");
        }
        exit.write(AppExit::error());
    }
}

fn measure_board(
    time: Res<Time<Real>>,
    screen: Res<State<Screen>>,
    mut run: ResMut<ScreenshotRun>,
) {
    let ms = time.delta_secs() * 1000.0;
    if *screen.get() == Screen::Board {
        run.board_frames.push(ms);
    } else {
        run.other_frames.push((*screen.get(), ms));
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (drive.before(super::GuiSystems::Input), measure_board),
    )
    .add_systems(Startup, |run: Res<ScreenshotRun>| {
        if let Err(e) = std::fs::create_dir_all(&run.dir) {
            error!("cannot create {}: {e}", run.dir.display());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::is_blank;

    #[test]
    fn single_colour_is_blank() {
        assert!(is_blank(&[1, 2, 3, 255, 1, 2, 3, 255]));
        assert!(!is_blank(&[1, 2, 3, 255, 1, 2, 4, 255]));
        assert!(is_blank(&[]));
    }
}
