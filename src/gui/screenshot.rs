//! The scripted screenshot run: walks a whole session through every screen by pressing the keys
//! printed on the buttons and clicking the buttons themselves (the pointer is moved onto the
//! button found by its label and the mouse button pressed, so the click goes through the same
//! hit-testing as a real one), checks every screen by its content ([`super::ui_check`]), saves a
//! PNG of each screen, and exits with an error if a check fails, a button is missing, a screen
//! never appears or a capture is blank (a single colour).
//!
//! Enabled by the environment variable `GRAYZONE_SCREENSHOTS=<folder>`; `GRAYZONE_WINDOW=WxH`
//! sets the window size (default 1920x1080).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bevy::input::ButtonState;
use bevy::input::mouse::MouseButtonInput;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::window::PrimaryWindow;

use super::Screen;
use super::render_on_change::FrameDrawing;
use super::ui_check::{self, Expect};
use crate::sim::{GameState, LoadedScenario};

/// The environment variable naming the folder the PNGs are written to.
pub const ENV_VAR: &str = "GRAYZONE_SCREENSHOTS";

/// Frames to wait on a screen before capturing it (layout, fonts, text).
const SETTLE_FRAMES: u32 = 12;
/// Frames to wait after an action before the next step.
const ACTION_FRAMES: u32 = 1;
/// Give up if an expected screen does not appear within this many frames.
const TIMEOUT_FRAMES: u32 = 1200;

/// One step of the script.
#[derive(Clone, Debug)]
pub enum Step {
    /// End the run (the walk is over).
    End,
    /// Press a key: goes through the on-screen shortcuts like a real key press.
    Key(KeyCode),
    /// Click the on-screen button whose texts include this label (fails the run if there is
    /// none).
    Click(&'static str),
    /// Type these characters, one key press each (digits and letters).
    Type(&'static str),
    /// Wait for a screen, let it settle, check its content and save `screenshot-<name>.png`.
    Shoot(Screen, &'static str),
    /// Repeat the inner steps while the screen is not the given one (at most `n` times).
    RepeatUntil(Screen, u32, Vec<Step>),
    /// Let this many frames pass (frame times on the board are measured meanwhile).
    Wait(u32),
    /// Wait until this screen shows (fails the run if it never does).
    Await(Screen),
    /// After a reveal: if the turn opens with a briefing (news due), press Enter on it to reach
    /// the board.
    PastBriefing,
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

/// [`ENV_VAR`]'s companion: `room` plays [`room_script`], `sizes` the shorter [`sizes_script`],
/// instead of the whole session.
pub const SCRIPT_VAR: &str = "GRAYZONE_SCREENSHOTS_SCRIPT";

/// The window size of the screenshot run, `WxH` (default 1920x1080).
pub const WINDOW_VAR: &str = "GRAYZONE_WINDOW";

/// Parses `WxH` (e.g. `1280x720`).
pub fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.trim().split_once(['x', 'X'])?;
    let (w, h) = (w.parse().ok()?, h.parse().ok()?);
    (w >= 320 && h >= 240).then_some((w, h))
}

/// The state of the screenshot run.
#[derive(Resource)]
pub struct ScreenshotRun {
    pub dir: PathBuf,
    /// The window size, physical pixels.
    pub size: (u32, u32),
    steps: Vec<Step>,
    cursor: usize,
    waited: u32,
    /// While capturing: how many captures must be done before the next step.
    capturing: Option<usize>,
    outcome: Arc<Mutex<Vec<Capture>>>,
    /// When the current wall-time wait began.
    started_wait: Option<std::time::Instant>,
    failures: Vec<String>,
    /// Wall-clock frame times on the board screen, for the performance note, each with whether
    /// a picture was drawn in the frames it covers (unchanged frames draw nothing).
    pub board_frames: Vec<(f32, bool)>,
    /// Board frames in which the board was rebuilt.
    pub board_rebuild_frames: usize,
    /// Wall-clock frame times on the other screens, by screen, each with whether a picture was
    /// drawn.
    pub other_frames: Vec<(Screen, f32, bool)>,
    /// A step failed so that the walk cannot go on.
    abort: bool,
    /// The exit has been requested.
    finished: bool,
    /// The board's footer buttons (key, rectangle) at its first shot.
    footer_keys: Vec<(String, Rect)>,
    /// Frames on a curtain checked for secrets (every one of them).
    pub curtain_frames_checked: usize,
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
        let size = match std::env::var(WINDOW_VAR) {
            Ok(text) => parse_size(&text).unwrap_or_else(|| {
                eprintln!(
                    "error: {WINDOW_VAR}={text} is not a window size like 1280x720; using 1920x1080"
                );
                (1920, 1080)
            }),
            Err(_) => (1920, 1080),
        };
        Some(Self {
            dir: PathBuf::from(dir),
            size,
            steps: match std::env::var(SCRIPT_VAR).as_deref() {
                Ok("room") => room_script(),
                Ok("sizes") => sizes_script(),
                _ => script(),
            },
            cursor: 0,
            waited: 0,
            capturing: None,
            outcome: Arc::default(),
            started_wait: None,
            failures: Vec::new(),
            board_frames: Vec::new(),
            other_frames: Vec::new(),
            board_rebuild_frames: 0,
            abort: false,
            finished: false,
            footer_keys: Vec::new(),
            curtain_frames_checked: 0,
        })
    }
}

/// The walk through a whole session: every screen, with real game state.
pub fn script() -> Vec<Step> {
    use Step::*;
    let mut steps = vec![Shoot(Screen::Title, "01-title")];
    steps.extend(session_script());
    steps.push(End);
    steps
}

/// The main screens at one window size (`GRAYZONE_WINDOW`): title, picker, setup, briefing,
/// board, curtain, both teams' orders, the reveal, the board again and the debrief.
pub fn sizes_script() -> Vec<Step> {
    use Step::*;
    let mut steps = vec![
        Shoot(Screen::Title, "01-title"),
        Key(KeyCode::Enter),
        Shoot(Screen::ScenarioPicker, "02-picker"),
        Key(KeyCode::Enter),
        Await(Screen::Setup),
        Key(KeyCode::KeyT),
        Key(KeyCode::KeyT),
        Shoot(Screen::Setup, "03-setup"),
        Click("Start: briefing"),
        Shoot(Screen::Briefing, "04-briefing"),
        Key(KeyCode::Enter),
        Wait(4),
        Shoot(Screen::Briefing, "20-news-briefing"),
        Key(KeyCode::Enter),
        Shoot(Screen::Board, "05-board"),
        Click("Orders"),
        Shoot(Screen::Curtain, "06-curtain"),
        Key(KeyCode::Enter),
        Key(KeyCode::Space),
        Shoot(Screen::Orders, "07-orders"),
        Click("Confirm orders"),
        Key(KeyCode::Enter),
        Key(KeyCode::ArrowRight),
        Key(KeyCode::Space),
        Shoot(Screen::Orders, "10-orders-second-team"),
        Key(KeyCode::Enter),
        Await(Screen::Reveal),
        Click("Show all"),
        Shoot(Screen::Reveal, "08-reveal"),
        Key(KeyCode::Enter),
        PastBriefing,
        Shoot(Screen::Board, "09-board-turn-2"),
    ];
    steps.extend(console_overlay_steps());
    steps.extend([Key(KeyCode::KeyD), Shoot(Screen::Debrief, "11-debrief")]);
    steps.push(End);
    steps
}

/// From the board: C opens the facilitator's curtain, Enter the console's overlay, Esc goes
/// back to the board.
fn console_overlay_steps() -> Vec<Step> {
    use Step::*;
    vec![
        Key(KeyCode::KeyC),
        Shoot(Screen::ConsoleCurtain, "21-console-curtain"),
        Key(KeyCode::Enter),
        Shoot(Screen::Console, "22-console"),
        Key(KeyCode::Escape),
        Await(Screen::Board),
    ]
}

/// Teams on their own devices with the facilitator's console (`play --serve … --console`):
/// the projector with the join codes, the console, the projector once the teams (in browsers,
/// driven by `tests/room_gui.rs`) have confirmed, the resolved turn, then a save.
pub fn room_script() -> Vec<Step> {
    use Step::*;
    vec![
        Shoot(Screen::Title, "room-00-title"),
        Key(KeyCode::Enter),
        Shoot(Screen::ScenarioPicker, "room-00-picker"),
        Key(KeyCode::Enter),
        Await(Screen::Setup),
        Key(KeyCode::KeyT),
        Key(KeyCode::KeyT),
        Key(KeyCode::Enter),
        Shoot(Screen::Briefing, "room-00-briefing"),
        Key(KeyCode::Enter),
        PastBriefing,
        Shoot(Screen::Board, "room-projector-join"),
        ShootConsole("room-console"),
        WaitRoomConfirmed(240),
        Wait(20),
        Shoot(Screen::Board, "room-projector-confirmed"),
        Click("Resolve turn"),
        Await(Screen::Reveal),
        Key(KeyCode::KeyA),
        Shoot(Screen::Reveal, "room-reveal"),
        Key(KeyCode::Enter),
        Shoot(Screen::Board, "room-projector-turn-2"),
        ShootConsole("room-console-turn-2"),
        Key(KeyCode::KeyS),
        Wait(10),
        End,
    ]
}

/// One team's secret orders through the curtain: lift it, add `orders` cards (moving one card
/// on after each), confirm.
fn team_turn(orders: usize) -> Vec<Step> {
    use Step::*;
    let mut steps = vec![
        Await(Screen::Curtain),
        Key(KeyCode::Enter),
        Await(Screen::Orders),
    ];
    for _ in 0..orders {
        steps.push(Key(KeyCode::Space));
        steps.push(Key(KeyCode::ArrowRight));
    }
    steps.push(Key(KeyCode::Enter));
    steps
}

fn session_script() -> Vec<Step> {
    use Step::*;
    // Every step is a key press (through the shortcuts printed on the buttons) or a click on
    // the button itself: a broken button or key fails the run.
    let mut steps = vec![
        Key(KeyCode::Enter),
        Shoot(Screen::ScenarioPicker, "02-picker"),
        Key(KeyCode::Enter),
        Await(Screen::Setup),
        // One key per choice: the first two actors are played by teams.
        Key(KeyCode::KeyT),
        Key(KeyCode::KeyT),
        // A typed seed.
        Key(KeyCode::KeyS),
        Type("1"),
        Key(KeyCode::Enter),
        Shoot(Screen::Setup, "03-setup"),
        Click("Start: briefing"),
        Shoot(Screen::Briefing, "04-briefing"),
        // Turn 1's news, briefed before the first orders.
        Key(KeyCode::Enter),
        Wait(4),
        Shoot(Screen::Briefing, "20-news-briefing"),
        Key(KeyCode::Enter),
        Shoot(Screen::Board, "05-board"),
        // Esc goes back from the curtain and from the orders to the board.
        Click("Orders"),
        Await(Screen::Curtain),
        Key(KeyCode::Escape),
        Await(Screen::Board),
        // Turn 1, played through the curtain by both teams.
        Key(KeyCode::Enter),
        Shoot(Screen::Curtain, "06-curtain"),
        Key(KeyCode::Enter),
        Await(Screen::Orders),
        Key(KeyCode::Escape),
        Await(Screen::Board),
        Key(KeyCode::Enter),
        Await(Screen::Curtain),
        Click("We are Team United States: show our situation"),
        Key(KeyCode::ArrowRight),
        Key(KeyCode::Space),
        Key(KeyCode::ArrowRight),
        Key(KeyCode::Tab),
        Shoot(Screen::Orders, "07-orders"),
        Click("Confirm orders"),
    ];
    steps.extend(team_turn(1));
    steps.push(Await(Screen::Reveal));
    steps.extend(std::iter::repeat_n(Key(KeyCode::Space), 3));
    steps.extend([Shoot(Screen::Reveal, "08-reveal"), Click("Show all")]);
    steps.push(Click("Back to the board"));
    steps.push(PastBriefing);
    // Turns 2 to 5, then the board again, with an inject whose outcome the facilitator picks.
    for _ in 0..4 {
        steps.extend([Await(Screen::Board), Key(KeyCode::Enter)]);
        steps.extend(team_turn(2));
        steps.extend(team_turn(1));
        steps.extend([
            Await(Screen::Reveal),
            Key(KeyCode::KeyA),
            Key(KeyCode::Enter),
        ]);
        steps.push(PastBriefing);
    }
    steps.pop();
    // Turn 6 opens with news: its briefing, before the orders.
    steps.extend([
        Shoot(Screen::Briefing, "19-turn-briefing"),
        Key(KeyCode::Enter),
        Await(Screen::Board),
        Key(KeyCode::Digit1),
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
        Click("Lock edits"),
        WaitingEdit,
        Wait(4),
        Shoot(Screen::Board, "18-reload-waiting"),
        Key(KeyCode::KeyL),
        RestoreEdit,
        Wait(4),
    ]);
    // The facilitator's console on the one screen: its curtain first (checked for secrets on
    // every frame it shows, from the first), then the overlay; Esc back to the board.
    steps.extend(console_overlay_steps());
    // The second team's private view, to compare with the first's.
    steps.extend([Key(KeyCode::Enter)]);
    steps.extend([
        Await(Screen::Curtain),
        Key(KeyCode::Enter),
        Await(Screen::Orders),
    ]);
    steps.extend([Key(KeyCode::Space), Key(KeyCode::Enter)]);
    steps.extend([Await(Screen::Curtain), Key(KeyCode::Enter)]);
    steps.extend([
        Shoot(Screen::Orders, "10-orders-second-team"),
        Key(KeyCode::Space),
        Key(KeyCode::Enter),
        Await(Screen::Reveal),
        Key(KeyCode::KeyA),
        Key(KeyCode::Enter),
        PastBriefing,
    ]);
    // Play on to the ending.
    let mut turn = vec![PastBriefing, Key(KeyCode::Enter)];
    turn.extend(team_turn(1));
    turn.extend(team_turn(2));
    turn.extend([
        Await(Screen::Reveal),
        Key(KeyCode::KeyA),
        Key(KeyCode::Enter),
        Wait(4),
    ]);
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
        Click("Play the branch"),
        Shoot(Screen::Debrief, "16-debrief-what-if"),
    ]);
    steps
}

/// The key that types a character (digits and letters).
fn key_for_char(c: char) -> Option<KeyCode> {
    Some(match c.to_ascii_lowercase() {
        '0' => KeyCode::Digit0,
        '1' => KeyCode::Digit1,
        '2' => KeyCode::Digit2,
        '3' => KeyCode::Digit3,
        '4' => KeyCode::Digit4,
        '5' => KeyCode::Digit5,
        '6' => KeyCode::Digit6,
        '7' => KeyCode::Digit7,
        '8' => KeyCode::Digit8,
        '9' => KeyCode::Digit9,
        _ => return None,
    })
}

/// Names of the action cards an actor may play now.
fn card_names(loaded: &LoadedScenario, state: &GameState, actor: usize) -> Vec<String> {
    crate::view::legal_cards(&loaded.scenario, &loaded.index, state, actor)
        .into_iter()
        .map(|(action, _)| loaded.scenario.actions[action].name.clone())
        .collect()
}

/// What a screen must show and must never show, from the game behind it: the team's name on
/// its curtain and its orders, the ending on the debrief; no private red line, secret attribute
/// or card of another team where it does not belong.
pub fn expectations(world: &World, screen: Screen) -> Expect {
    let Some(loaded) = world.get_resource::<LoadedScenario>() else {
        return Expect::default();
    };
    let Some(state) = world.get_resource::<GameState>() else {
        return Expect::default();
    };
    let s = &loaded.scenario;
    let owner_of = |owner: &String| s.actors.iter().position(|a| a.id == *owner);
    // Private red lines, except those of `own`.
    let private_red_lines = |own: Option<usize>| -> Vec<String> {
        s.red_lines
            .iter()
            .filter(|rl| !rl.public && owner_of(&rl.owner) != own)
            .flat_map(|rl| [rl.name.clone(), rl.text.clone()])
            .collect()
    };
    let secret_attributes: Vec<String> = s
        .meta
        .attributes
        .iter()
        .filter(|a| !a.public)
        .map(|a| a.name.clone())
        .collect();
    let teams: Vec<usize> = (0..s.actors.len())
        .filter(|i| state.actors[*i].controller == crate::scenario::Controller::Team)
        .collect();
    let hotseat = world
        .get_resource::<super::session::Hotseat>()
        .and_then(|h| h.actor());
    let mut expect = Expect::default();
    match screen {
        Screen::Board | Screen::Reveal | Screen::Briefing => {
            expect.hide.extend(private_red_lines(None));
            expect.hide.extend(secret_attributes);
            if screen == Screen::Board {
                expect.show.push(s.meta.title.clone());
                expect.show.extend(s.actors.iter().map(|a| a.name.clone()));
            }
        }
        Screen::Curtain => {
            expect.hide.extend(private_red_lines(None));
            expect.hide.extend(secret_attributes);
            for team in &teams {
                expect.hide.extend(card_names(loaded, state, *team));
            }
            if let Some(actor) = hotseat {
                expect.show.push(format!("Team {}", s.actors[actor].name));
            }
        }
        Screen::Orders => {
            if let Some(actor) = hotseat {
                expect.show.push(format!("Team {}", s.actors[actor].name));
                expect.hide.extend(private_red_lines(Some(actor)));
                let own = card_names(loaded, state, actor);
                for other in teams.iter().filter(|t| **t != actor) {
                    expect.hide.extend(
                        card_names(loaded, state, *other)
                            .into_iter()
                            .filter(|name| !own.contains(name)),
                    );
                    expect.hide.push(format!("Team {}", s.actors[*other].name));
                }
            }
        }
        Screen::Debrief => {
            if let Some(reached) = &state.ending {
                expect.show.push(s.endings[reached.ending].name.clone());
            }
        }
        Screen::ConsoleCurtain => {
            // What the team curtain hides, and everything only the console shows.
            expect.hide.extend(private_red_lines(None));
            expect.hide.extend(secret_attributes);
            for team in &teams {
                expect.hide.extend(card_names(loaded, state, *team));
            }
            expect.hide.extend(console_secrets(world));
            expect.show.push("Blank the projector".into());
        }
        Screen::Console => {
            expect.show.push("Incidents and their true authors".into());
            if let Some(log) = world.get_resource::<crate::sim::GameLog>() {
                let view = crate::view::console::console_view(s, state, log, None, &[]);
                // The newest incident, with its true author.
                expect.show.extend(view.incidents.first().cloned());
            }
        }
        Screen::Title | Screen::ScenarioPicker | Screen::Setup => {}
    }
    expect
}

/// What only the facilitator's console shows: incidents with their true authors, private red
/// lines, rationales and notes, and (once the console has been built) the bots' intentions.
fn console_secrets(world: &World) -> Vec<String> {
    let (Some(loaded), Some(state), Some(log)) = (
        world.get_resource::<LoadedScenario>(),
        world.get_resource::<GameState>(),
        world.get_resource::<crate::sim::GameLog>(),
    ) else {
        return Vec::new();
    };
    let view = crate::view::console::console_view(&loaded.scenario, state, log, None, &[]);
    let mut secrets = view.incidents;
    secrets.extend(view.private_red_lines);
    secrets.extend(view.notes);
    if let Some(shown) = world
        .get_resource::<super::console::ConsoleState>()
        .and_then(|c| c.shown())
    {
        secrets.extend(shown.intentions.iter().cloned());
    }
    secrets
}

/// The board's footer buttons stay where they were (labels that change, like "Undo (3)",
/// must not push the others around): compares every board shot with the first.
fn check_footer_keys_stay(world: &mut World, name: &str, screen: Screen) {
    if screen != Screen::Board {
        return;
    }
    let over = world
        .get_resource::<GameState>()
        .is_some_and(|s| s.is_over());
    if over {
        return;
    }
    let height = world
        .query_filtered::<&Window, With<PrimaryWindow>>()
        .iter(world)
        .next()
        .map_or(1080.0, |w| w.physical_height() as f32);
    let mut buttons = world.query_filtered::<(
        &super::actions::Shortcut,
        &ComputedNode,
        &bevy::ui::UiGlobalTransform,
        &InheritedVisibility,
    ), With<Button>>();
    let now: Vec<(String, Rect)> = buttons
        .iter(world)
        .filter(|(_, _, t, v)| v.get() && t.translation.y > height * 0.88)
        .map(|(k, node, t, _)| {
            (
                super::actions::key_label(k.0),
                Rect::from_center_size(t.translation, node.size()),
            )
        })
        .collect();
    let mut run = world.resource_mut::<ScreenshotRun>();
    if run.footer_keys.is_empty() {
        run.footer_keys = now;
        return;
    }
    let mut problems = Vec::new();
    for (key, rect) in &now {
        if let Some((_, first)) = run.footer_keys.iter().find(|(k, _)| k == key)
            && ((first.min.x - rect.min.x).abs() > 1.5 || (first.max.x - rect.max.x).abs() > 1.5)
        {
            problems.push(format!(
                "{name}: the footer button with key {key} moved from x {:.0}..{:.0} to x {:.0}..{:.0}",
                first.min.x, first.max.x, rect.min.x, rect.max.x
            ));
        }
    }
    run.failures.extend(problems);
}

/// True when every pixel of an RGBA8 image has the same colour.
pub fn is_blank(data: &[u8]) -> bool {
    let mut pixels = data.chunks_exact(4);
    let Some(first) = pixels.next() else {
        return true;
    };
    pixels.all(|p| p[..3] == first[..3])
}

#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut run: ResMut<ScreenshotRun>,
    screen: Res<State<Screen>>,
    mut keys: ResMut<ButtonInput<KeyCode>>,
    mut exit: MessageWriter<AppExit>,
    room: Option<Res<super::room::RoomServer>>,
    console: Query<Entity, With<super::console::ConsoleWindow>>,
    primary: Query<Entity, With<PrimaryWindow>>,
    mut mouse: MessageWriter<MouseButtonInput>,
) {
    let run = &mut *run;
    if run.abort {
        finish(run, &mut exit);
        return;
    }
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
        Step::End => finish(run, &mut exit),
        Step::PastBriefing => {
            // Give the transition out of the reveal a few frames.
            run.waited += 1;
            if run.waited < 4 {
                return;
            }
            let mut then = Vec::new();
            if *screen.get() == Screen::Briefing {
                then.push(Step::Key(KeyCode::Enter));
            }
            then.push(Step::Await(Screen::Board));
            run.steps.splice(run.cursor..=run.cursor, then);
            run.waited = 0;
        }
        Step::Await(expected) => {
            if *screen.get() == expected {
                run.waited += 1;
                if run.waited > ACTION_FRAMES {
                    run.cursor += 1;
                    run.waited = 0;
                }
                return;
            }
            run.waited += 1;
            if run.waited > TIMEOUT_FRAMES {
                run.failures.push(format!(
                    "step {}: screen {expected:?} never appeared (still on {:?})",
                    run.cursor,
                    screen.get()
                ));
                finish(run, &mut exit);
            }
        }
        Step::Click(label) => {
            match run.waited {
                0 => {
                    info!("screenshot run: click «{label}»");
                    // Move the pointer onto the button, as a hand on the mouse would.
                    commands.queue(move |world: &mut World| {
                        let Some((_, centre)) = ui_check::find_button(world, label) else {
                            let on = format!("{:?}", world.resource::<State<Screen>>().get());
                            let mut run = world.resource_mut::<ScreenshotRun>();
                            run.failures
                                .push(format!("{on}: no button «{label}» to click"));
                            run.abort = true;
                            return;
                        };
                        let mut windows =
                            world.query_filtered::<&mut Window, With<PrimaryWindow>>();
                        if let Some(mut window) = windows.iter_mut(world).next() {
                            window.set_physical_cursor_position(Some(centre.as_dvec2()));
                        }
                    });
                }
                1 | 2 => {
                    let state = if run.waited == 1 {
                        ButtonState::Pressed
                    } else {
                        ButtonState::Released
                    };
                    if let Some(window) = primary.iter().next() {
                        mouse.write(MouseButtonInput {
                            button: MouseButton::Left,
                            state,
                            window,
                        });
                    }
                }
                _ => {}
            }
            run.waited += 1;
            if run.waited > 2 + ACTION_FRAMES {
                run.cursor += 1;
                run.waited = 0;
            }
        }
        Step::Type(typed) => {
            let keys_of: Vec<KeyCode> = typed.chars().filter_map(key_for_char).collect();
            let i = (run.waited / 2) as usize;
            match keys_of.get(i) {
                Some(key) if run.waited.is_multiple_of(2) => keys.press(*key),
                Some(key) => keys.release(*key),
                None => {
                    run.cursor += 1;
                    run.waited = 0;
                    return;
                }
            }
            run.waited += 1;
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
            // The screen by its content, as laid out in the frame being captured.
            commands.queue(move |world: &mut World| {
                let expect = expectations(world, expected);
                if !expect.show.is_empty() || !expect.hide.is_empty() {
                    info!(
                        "screenshot run: {name}: checking {} texts shown, {} secrets absent",
                        expect.show.len(),
                        expect.hide.len()
                    );
                }
                let problems = ui_check::check(world, name, &expect);
                for problem in &problems {
                    error!("screenshot run: {problem}");
                }
                check_footer_keys_stay(world, name, expected);
                world
                    .resource_mut::<ScreenshotRun>()
                    .failures
                    .extend(problems);
            });
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
    if run.finished {
        return;
    }
    run.finished = true;
    let captures = run.outcome.lock().map(|o| o.len()).unwrap_or(0);
    if let Ok(outcome) = run.outcome.lock() {
        for capture in outcome.iter().filter(|c| c.blank) {
            run.failures
                .push(format!("{}: the capture is blank", capture.name));
        }
    }
    if !run.board_frames.is_empty() {
        let all: Vec<f32> = run.board_frames.iter().map(|(ms, _)| *ms).collect();
        let drawn: Vec<f32> = run
            .board_frames
            .iter()
            .filter(|(_, drawn)| *drawn)
            .map(|(ms, _)| *ms)
            .collect();
        let (median, mean, p95) = frame_stats(&all);
        info!(
            "board frame time over {} frames: median {:.1} ms, mean {:.1} ms, p95 {:.1} ms ({} of them rebuilt the board; window {}x{})",
            all.len(),
            median,
            mean,
            p95,
            run.board_rebuild_frames,
            run.size.0,
            run.size.1
        );
        if !drawn.is_empty() {
            let (median, mean, p95) = frame_stats(&drawn);
            info!(
                "board frames that drew a picture: {} of {}: median {:.1} ms, mean {:.1} ms, p95 {:.1} ms",
                drawn.len(),
                all.len(),
                median,
                mean,
                p95
            );
        }
    }
    for screen in [
        Screen::Title,
        Screen::Briefing,
        Screen::Curtain,
        Screen::Orders,
        Screen::Reveal,
        Screen::ConsoleCurtain,
        Screen::Console,
        Screen::Debrief,
    ] {
        let on_screen = || run.other_frames.iter().filter(|(s, ..)| *s == screen);
        let all: Vec<f32> = on_screen().map(|(_, ms, _)| *ms).collect();
        let drawn: Vec<f32> = on_screen()
            .filter(|(.., drawn)| *drawn)
            .map(|(_, ms, _)| *ms)
            .collect();
        if !all.is_empty() {
            let (median, _, p95) = frame_stats(&all);
            let (drawn_median, _, drawn_p95) = frame_stats(&drawn);
            info!(
                "{screen:?} frame time over {} frames: median {median:.1} ms, p95 {p95:.1} ms; {} drew a picture: median {drawn_median:.1} ms, p95 {drawn_p95:.1} ms",
                all.len(),
                drawn.len(),
            );
        }
    }
    info!(
        "screenshot run: {} curtain frames checked for secrets",
        run.curtain_frames_checked
    );
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

/// Checks every frame a curtain shows, from its first, for secrets: a curtain that showed the
/// console (or a team's view) for a single frame before its own content fails the run.
fn watch_curtains(world: &mut World) {
    let Some(screen) = world.get_resource::<State<Screen>>().map(|s| *s.get()) else {
        return;
    };
    let name = match screen {
        Screen::ConsoleCurtain => "console curtain",
        Screen::Curtain => "curtain",
        _ => return,
    };
    let expect = expectations(world, screen);
    let problems = ui_check::secrets_shown(world, name, &expect.hide);
    let mut run = world.resource_mut::<ScreenshotRun>();
    run.curtain_frames_checked += 1;
    for problem in problems {
        if !run.failures.contains(&problem) {
            error!("screenshot run: {problem}");
            run.failures.push(problem);
        }
    }
}

/// Median, mean and 95th percentile of frame times (zeros for none).
fn frame_stats(frames: &[f32]) -> (f32, f32, f32) {
    if frames.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut frames = frames.to_vec();
    frames.sort_by(f32::total_cmp);
    let mean = frames.iter().sum::<f32>() / frames.len() as f32;
    let p95 = frames[(frames.len() * 95 / 100).min(frames.len() - 1)];
    (frames[frames.len() / 2], mean, p95)
}

/// Records the time since the last frame began. With pipelined rendering that interval covers
/// the last frame's update and the picture of the frame before, so it counts as a drawing frame
/// when either of them drew.
fn measure_board(
    time: Res<Time<Real>>,
    screen: Res<State<Screen>>,
    mut run: ResMut<ScreenshotRun>,
    rebuilds: Res<super::BoardRebuilds>,
    drawing: Res<FrameDrawing>,
    mut last_rebuilds: Local<u32>,
    mut drew_before: Local<bool>,
) {
    let ms = time.delta_secs() * 1000.0;
    let drawn = drawing.drawn_this_frame || *drew_before;
    *drew_before = drawing.drawn_this_frame;
    if *screen.get() == Screen::Board {
        run.board_frames.push((ms, drawn));
        if rebuilds.0 != *last_rebuilds {
            run.board_rebuild_frames += 1;
        }
    } else {
        run.other_frames.push((*screen.get(), ms, drawn));
    }
    *last_rebuilds = rebuilds.0;
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (drive.before(super::GuiSystems::Input), measure_board),
    )
    .add_systems(Last, watch_curtains)
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
