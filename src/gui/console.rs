//! The facilitator's console (`grayzone play --console`): a second window, for the laptop's own
//! screen while the first is on the projector; and the same console as an overlay on the main
//! window when there is one screen (C on the board, behind the facilitator's curtain:
//! [`Screen::ConsoleCurtain`], then [`Screen::Console`]).
//!
//! It shows the hidden truth ([`crate::view::console`]: true rungs against public ones, true
//! authors, private red lines, the teams' rationales, what bots intend) and the coming turn's
//! dice ([`crate::sim::preview_turn`]); the facilitator can force an outcome (with a typed
//! reason, recorded as a [`FacilitatorCommand::Note`]), release injects and pick their outcomes,
//! pause, save, and undo (after a confirmation). In its own window it has its own camera: the
//! projector's window never draws it, and its buttons have no keyboard shortcuts (the board's
//! keys keep working from either window). As an overlay, the same view and the same buttons are
//! built under a root that targets the main window's camera, and the bar's buttons and the
//! inject choices show keys (the board's buttons are gone meanwhile); Esc goes back to the
//! board. While a reason is being typed the projector's shortcuts are off, so typing never
//! presses a projector button.

use bevy::camera::RenderTarget;
use bevy::ecs::system::SystemState;
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::prelude::*;
use bevy::window::{WindowRef, WindowResolution};

use super::actions::{UiAction, key_label};
use super::session::{self, Play, Session};
use super::theme::{self, Fonts};
use super::ui_check::Panel;
use super::widgets::{self, Kind};
use super::{MainCamera, Redraw, Screen};
use crate::sim::{FacilitatorCommand, GameLog, GameState, LoadedScenario, preview_turn};
use crate::view::console::{ConsoleView, DiceLine, console_view};

/// Asks for the console window (`--console`).
#[derive(Resource, Debug, Clone, Copy)]
pub struct ConsoleWanted;

/// Marks the console's window.
#[derive(Component)]
pub struct ConsoleWindow;

/// Marks the console's camera.
#[derive(Component)]
struct ConsoleCamera;

/// Where the console is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Surface {
    /// Its own window (`--console`), 1280×720 by default.
    Window,
    /// An overlay on the main window ([`Screen::Console`]), laid out on the 1920×1080 design
    /// canvas: the window's layout at [`OVERLAY_SCALE`] times its size (text of 19–25 px).
    Overlay,
}

/// How much larger the overlay draws the console than its own window: on the 1920×1080 design
/// canvas it has the room of a 1536×864 window, a little more than the window's 1280×720.
const OVERLAY_SCALE: f32 = 1.25;

impl Surface {
    fn scale(self) -> f32 {
        match self {
            Surface::Window => 1.0,
            Surface::Overlay => OVERLAY_SCALE,
        }
    }
}

/// Marks the console's UI root, with where it is drawn.
#[derive(Component)]
struct ConsoleRoot(Surface);

/// The key of a console button: on the overlay, printed on it and pressed while the overlay
/// shows and no reason is being typed; none in the console's own window.
#[derive(Component, Clone, Copy, Debug)]
pub struct ConsoleKey(pub Option<KeyCode>);

/// What a console button does.
#[derive(Component, Debug, Clone, PartialEq)]
enum ConsoleAction {
    Pause,
    Save,
    Release(String, String),
    Choose(String, usize, String),
    AskUndo,
    ConfirmUndo,
    CancelUndo,
    Force(DiceLine),
    CancelForce,
}

/// The console's own state.
#[derive(Resource, Default)]
pub struct ConsoleState {
    /// What the console was last built from; rebuilt when it changes.
    stamp: Option<String>,
    /// The coming turn's preview (rebuilt when the game changes).
    view: Option<ConsoleView>,
    /// What the preview was made from: (turn, state hash, commands and orders waiting).
    previewed: Option<(u32, u64, usize)>,
    /// Outcomes forced for the coming turn: (actor id, action id, success).
    forced: Vec<(String, String, bool)>,
    /// An outcome waiting for its reason.
    pending: Option<DiceLine>,
    /// The reason typed so far.
    reason: String,
    /// Undo asked, waiting for confirmation.
    confirm_undo: bool,
    /// The last thing done, in words.
    notice: String,
}

impl ConsoleState {
    /// Whether the facilitator is typing the reason of a forced outcome (the projector's
    /// shortcuts are off meanwhile).
    pub fn typing(&self) -> bool {
        self.pending.is_some()
    }

    /// Drops a reason being typed and the outcome waiting for it (the overlay was closed with
    /// the mouse meanwhile: the projector's keys must not stay off).
    pub fn cancel_typing(&mut self) {
        self.pending = None;
        self.reason.clear();
    }

    /// The console's view as last built (`None` before the console first shows).
    pub fn shown(&self) -> Option<&ConsoleView> {
        self.view.as_ref()
    }
}

fn open_window(mut commands: Commands) {
    let window = commands
        .spawn((
            Window {
                title: "Gray Zone — facilitator's console (not for the projector)".into(),
                resolution: WindowResolution::new(1280, 720),
                ..default()
            },
            ConsoleWindow,
        ))
        .id();
    commands.spawn((
        Camera2d,
        Msaa::Off,
        RenderTarget::Window(WindowRef::Entity(window)),
        ConsoleCamera,
    ));
}

/// Recomputes the preview when the game changes, and rebuilds the UI when anything shown
/// changes.
fn refresh(world: &mut World) {
    if !world.contains_resource::<ConsoleState>() {
        return;
    }
    // Where to draw: the console's window, and the main window while the overlay is up.
    let mut targets: Vec<(Entity, Surface)> = world
        .query_filtered::<Entity, With<ConsoleCamera>>()
        .iter(world)
        .map(|e| (e, Surface::Window))
        .collect();
    let overlay = world
        .get_resource::<State<Screen>>()
        .is_some_and(|s| *s.get() == Screen::Console);
    if overlay
        && let Some(main) = world
            .query_filtered::<Entity, With<MainCamera>>()
            .iter(world)
            .next()
    {
        targets.push((main, Surface::Overlay));
    }
    let built: Vec<(Entity, Surface)> = world
        .query::<(Entity, &ConsoleRoot)>()
        .iter(world)
        .map(|(e, r)| (e, r.0))
        .collect();
    // An overlay left behind (the screen changed) goes at once.
    for (root, surface) in &built {
        if !targets.iter().any(|(_, s)| s == surface) {
            world.entity_mut(*root).despawn();
        }
    }
    if targets.is_empty() {
        return;
    }
    let missing = targets
        .iter()
        .any(|(_, s)| !built.iter().any(|(_, b)| b == s));
    let waiting = world
        .get_resource::<crate::sim::OrderBook>()
        .map_or(0, |b| b.commands.len() + b.orders.len());
    let game = world
        .get_resource::<GameState>()
        .map(|s| (s.turn, s.state_hash(), waiting));
    world.resource_scope(|world, mut console: Mut<ConsoleState>| {
        if game != console.previewed {
            // A new turn (or an undo, or a new session): forced outcomes were used up.
            if game.map(|g| g.0) != console.previewed.map(|p| p.0) {
                console.forced.clear();
                console.pending = None;
                console.confirm_undo = false;
            }
            console.previewed = game;
            console.view = match (
                world.get_resource::<LoadedScenario>(),
                world.get_resource::<GameState>(),
                world.get_resource::<GameLog>(),
            ) {
                (Some(loaded), Some(state), Some(log)) => {
                    let preview = preview_turn(world);
                    let forced: Vec<(String, String)> = console
                        .forced
                        .iter()
                        .map(|(a, b, _)| (a.clone(), b.clone()))
                        .collect();
                    Some(console_view(
                        &loaded.scenario,
                        state,
                        log,
                        preview.as_ref().map(|p| &p.1),
                        &forced,
                    ))
                }
                _ => None,
            };
        }
        let (releasable, choice): (Vec<(String, String)>, _) =
            if world.contains_resource::<GameState>() && world.contains_resource::<Session>() {
                let mut params: SystemState<Play> = SystemState::new(world);
                match params.get(world) {
                    Ok(play) => (play.releasable_injects(), play.upcoming_choice()),
                    Err(_) => (Vec::new(), None),
                }
            } else {
                (Vec::new(), None)
            };
        let session = world.get_resource::<Session>();
        let chosen = session.map(|s| s.chosen.clone()).unwrap_or_default();
        let paused = session.is_some_and(|s| s.paused);
        let stamp = format!(
            "{:?}|{:?}|{:?}|{}|{}|{}|{:?}|{:?}|{:?}|{paused}",
            console.previewed,
            console.forced,
            console.pending,
            console.reason,
            console.confirm_undo,
            console.notice,
            releasable,
            choice,
            chosen,
        );
        if console.stamp.as_deref() == Some(stamp.as_str()) && !missing {
            return;
        }
        console.stamp = Some(stamp);
        let roots: Vec<Entity> = world
            .query_filtered::<Entity, With<ConsoleRoot>>()
            .iter(world)
            .collect();
        for r in roots {
            world.entity_mut(r).despawn();
        }
        let fonts = world.resource::<Fonts>().clone();
        for (camera, surface) in &targets {
            build(
                world,
                (*camera, *surface),
                &fonts,
                &console,
                &releasable,
                choice.as_ref(),
                &chosen,
                paused,
            );
        }
    });
}

const INK: Color = theme::CHALK;
const SOFT: Color = theme::CHALK_SOFT;
const SMALL: f32 = 15.0;
const BODY: f32 = 17.0;
const HEAD: f32 = 20.0;
/// Lines of each list shown at most: together they fit the console at 1280×720 (and the
/// overlay at every window size) even when every line wraps once; the rest is counted.
const MAX_LINES: usize = 5;
const MAX_INCIDENTS: usize = 6;
const MAX_RED_LINES: usize = 3;
const MAX_NOTES: usize = 3;
const MAX_INTENTIONS: usize = 4;
const MAX_RELEASES: usize = 2;

/// Up to `max` lines of a list, then how many more there are.
fn capped_lines(
    c: &mut ChildSpawnerCommands,
    fonts: &Fonts,
    look: Look,
    lines: &[String],
    max: usize,
) {
    for line in lines.iter().take(max) {
        c.spawn(widgets::text(fonts, line.clone(), look.size(SMALL), SOFT));
    }
    if lines.len() > max {
        c.spawn(widgets::text(
            fonts,
            format!("… and {} more", lines.len() - max),
            look.size(SMALL),
            SOFT,
        ));
    }
}

/// How the console's nodes are sized on one surface: text sizes and spacing times its scale.
#[derive(Clone, Copy)]
struct Look {
    surface: Surface,
    k: f32,
}

impl Look {
    fn of(surface: Surface) -> Self {
        Self {
            surface,
            k: surface.scale(),
        }
    }

    /// A length in the console window's pixels, on this surface.
    fn px(self, v: f32) -> Val {
        px(v * self.k)
    }

    /// A font size in the console window's pixels, on this surface.
    fn size(self, v: f32) -> f32 {
        v * self.k
    }

    /// The key a button shows and answers to: on the overlay only (the window's buttons have
    /// none, so the board's keys keep their meaning from either window).
    fn key(self, key: KeyCode) -> Option<KeyCode> {
        (self.surface == Surface::Overlay).then_some(key)
    }
}

fn console_button(
    fonts: &Fonts,
    look: Look,
    label: impl Into<String>,
    key: Option<KeyCode>,
    action: ConsoleAction,
    colour: Color,
) -> impl Bundle {
    let ink = theme::ink_on(colour);
    (
        Button,
        Node {
            padding: UiRect::axes(look.px(12.0), look.px(6.0)),
            border_radius: BorderRadius::all(look.px(6.0)),
            column_gap: look.px(8.0),
            align_items: AlignItems::Center,
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(colour),
        action,
        Children::spawn((
            SpawnIter(
                key.map(|k| {
                    (
                        Node {
                            padding: UiRect::axes(look.px(5.0), look.px(1.0)),
                            border: UiRect::all(px(1.5)),
                            border_radius: BorderRadius::all(look.px(4.0)),
                            ..default()
                        },
                        BorderColor::all(ink),
                        children![widgets::bold(fonts, key_label(k), look.size(SMALL), ink)],
                    )
                })
                .into_iter(),
            ),
            Spawn(widgets::bold(fonts, label, look.size(SMALL), ink)),
        )),
        ConsoleKey(key),
    )
}

#[allow(clippy::too_many_arguments)]
fn build(
    world: &mut World,
    (camera, surface): (Entity, Surface),
    fonts: &Fonts,
    console: &ConsoleState,
    releasable: &[(String, String)],
    choice: Option<&(String, String, Vec<String>)>,
    chosen: &[(String, String)],
    paused: bool,
) {
    let look = Look::of(surface);
    let mut commands = world.commands();
    let root = commands
        .spawn((
            ConsoleRoot(surface),
            UiTargetCamera(camera),
            Node {
                width: percent(100),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(look.px(14.0)),
                row_gap: look.px(10.0),
                overflow: Overflow::clip(),
                ..default()
            },
            // No background: the camera clears to the table colour (one full-window fill less).
        ))
        .id();
    if surface == Surface::Overlay {
        // Meant to cover the whole main window (the board is not built meanwhile).
        commands
            .entity(root)
            .insert((Panel::Modal, DespawnOnExit(Screen::Console)));
    }
    let Some(view) = console.view.as_ref() else {
        commands.entity(root).with_children(|r| {
            r.spawn(widgets::bold(
                fonts,
                "Facilitator's console",
                look.size(HEAD),
                INK,
            ));
            r.spawn(widgets::text(
                fonts,
                "No session yet: the hidden truth and the dice appear here once the game starts.",
                look.size(BODY),
                SOFT,
            ));
        });
        world.flush();
        return;
    };
    commands.entity(root).with_children(|r| {
        // The bar: what only the facilitator may do.
        r.spawn(widgets::row(8)).with_children(|bar| {
            bar.spawn(widgets::bold(
                fonts,
                format!("Console · turn {} (not for the projector)", view.turn),
                look.size(HEAD),
                INK,
            ));
            bar.spawn(widgets::spacer());
            bar.spawn(console_button(
                fonts,
                look,
                if paused { "Resume" } else { "Pause" },
                look.key(KeyCode::KeyP),
                ConsoleAction::Pause,
                theme::TRAY,
            ));
            bar.spawn(console_button(
                fonts,
                look,
                "Save",
                look.key(KeyCode::KeyS),
                ConsoleAction::Save,
                theme::TRAY,
            ));
            if console.confirm_undo {
                bar.spawn(console_button(
                    fonts,
                    look,
                    "Really undo the last turn",
                    look.key(KeyCode::KeyY),
                    ConsoleAction::ConfirmUndo,
                    theme::DANGER,
                ));
                bar.spawn(console_button(
                    fonts,
                    look,
                    "Keep it",
                    look.key(KeyCode::KeyN),
                    ConsoleAction::CancelUndo,
                    theme::TRAY,
                ));
            } else {
                bar.spawn(console_button(
                    fonts,
                    look,
                    "Undo…",
                    look.key(KeyCode::KeyU),
                    ConsoleAction::AskUndo,
                    theme::TRAY,
                ));
            }
            if surface == Surface::Overlay {
                // Back to the board: the board is built before the overlay's frame ends.
                bar.spawn(widgets::button(
                    fonts,
                    "Back to the board",
                    KeyCode::Escape,
                    UiAction::BackToBoard,
                    Kind::Secondary,
                ));
            }
        });
        if !console.notice.is_empty() {
            r.spawn(widgets::text(fonts, console.notice.clone(), look.size(SMALL), theme::ACCENT));
        }
        r.spawn(Node {
            flex_direction: FlexDirection::Row,
            column_gap: look.px(18.0),
            flex_grow: 1.0,
            min_height: look.px(0.0),
            ..default()
        })
        .with_children(|cols| {
            // Left: the hidden truth.
            cols.spawn(Node {
                width: percent(50),
                flex_direction: FlexDirection::Column,
                row_gap: look.px(4.0),
                // Room inside the clip for a wrapped line's rounding.
                padding: UiRect::right(look.px(8.0)),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|c| {
                c.spawn(widgets::bold(fonts, "Hidden truth: true rung / what the room sees", look.size(BODY), INK));
                for a in &view.actors {
                    let differs = a.true_rung.0 != a.public_rung.0;
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "{} ({}): {} {} / {} {}",
                            a.name,
                            a.controller,
                            a.true_rung.0,
                            a.true_rung.1,
                            a.public_rung.0,
                            if differs { "← hidden" } else { "" },
                        ),
                        look.size(SMALL),
                        if differs { theme::ACCENT } else { SOFT },
                    ));
                }
                c.spawn(widgets::bold(fonts, "Incidents and their true authors", look.size(BODY), INK));
                if view.incidents.is_empty() {
                    c.spawn(widgets::text(fonts, "None yet.", look.size(SMALL), SOFT));
                }
                capped_lines(c, fonts, look, &view.incidents, MAX_INCIDENTS);
                c.spawn(widgets::bold(fonts, "Private red lines", look.size(BODY), INK));
                capped_lines(c, fonts, look, &view.private_red_lines, MAX_RED_LINES);
                if !view.notes.is_empty() {
                    c.spawn(widgets::bold(fonts, "Rationales and notes", look.size(BODY), INK));
                    capped_lines(c, fonts, look, &view.notes, MAX_NOTES);
                }
            });
            // Right: the coming turn.
            cols.spawn(Node {
                width: percent(50),
                flex_direction: FlexDirection::Column,
                row_gap: look.px(4.0),
                // Room inside the clip for a wrapped line's rounding.
                padding: UiRect::right(look.px(8.0)),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|c| {
                c.spawn(widgets::bold(fonts, "Injects", look.size(BODY), INK));
                if let Some((id, headline, options)) = choice {
                    let picked = chosen.iter().find(|(i, _)| i == id).map(|(_, l)| l.clone());
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "Due now: “{headline}” — {}",
                            picked.map_or("pick its outcome:".into(), |l| format!("outcome: {l}"))
                        ),
                        look.size(SMALL),
                        SOFT,
                    ));
                    c.spawn(widgets::row(6)).with_children(|row| {
                        for (n, label) in options.iter().enumerate() {
                            const CHOICE_KEYS: [KeyCode; 4] = [
                                KeyCode::Digit1,
                                KeyCode::Digit2,
                                KeyCode::Digit3,
                                KeyCode::Digit4,
                            ];
                            row.spawn(console_button(
                                fonts,
                                look,
                                label.clone(),
                                CHOICE_KEYS.get(n).and_then(|k| look.key(*k)),
                                ConsoleAction::Choose(id.clone(), n, label.clone()),
                                theme::TRAY,
                            ));
                        }
                    });
                }
                if releasable.is_empty() {
                    c.spawn(widgets::text(fonts, "No inject left to release.", look.size(SMALL), SOFT));
                }
                for (n, (id, headline)) in releasable.iter().take(MAX_RELEASES).enumerate() {
                    // The board's I releases the next inject: so does the first button here.
                    c.spawn(console_button(
                        fonts,
                        look,
                        format!("Release “{headline}”"),
                        if n == 0 { look.key(KeyCode::KeyI) } else { None },
                        ConsoleAction::Release(id.clone(), headline.clone()),
                        theme::TRAY,
                    ));
                }
                if releasable.len() > MAX_RELEASES {
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "… and {} more to release (I on the board releases the next)",
                            releasable.len() - MAX_RELEASES
                        ),
                        look.size(SMALL),
                        SOFT,
                    ));
                }
                c.spawn(widgets::bold(fonts, "What the bots intend", look.size(BODY), INK));
                capped_lines(c, fonts, look, &view.intentions, MAX_INTENTIONS);
                c.spawn(widgets::bold(fonts, "The coming turn's dice", look.size(BODY), INK));
                if let Some(p) = &console.pending {
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "Force “{}” to {}: type the reason for the record, Enter to record it, Esc to cancel.",
                            p.text,
                            if p.success { "fail" } else { "succeed" }
                        ),
                        look.size(SMALL),
                        theme::ACCENT,
                    ));
                    c.spawn((
                        Node {
                            padding: UiRect::all(look.px(6.0)),
                            border: UiRect::all(look.px(2.0)),
                            ..default()
                        },
                        BorderColor::all(theme::ACCENT),
                        children![widgets::text(fonts, format!("{}▏", console.reason), look.size(BODY), INK)],
                    ));
                    c.spawn(console_button(
                        fonts,
                        look,
                        "Cancel",
                        None,
                        ConsoleAction::CancelForce,
                        theme::TRAY,
                    ));
                }
                if view.dice.is_empty() {
                    c.spawn(widgets::text(fonts, "No dice this turn (or teams have not ordered yet).", look.size(SMALL), SOFT));
                }
                if view.dice.len() > MAX_LINES {
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "The first {MAX_LINES} of {} rolls, in the order the rules roll them:",
                            view.dice.len()
                        ),
                        look.size(SMALL),
                        SOFT,
                    ));
                }
                for d in view.dice.iter().take(MAX_LINES) {
                    let forced = console
                        .forced
                        .iter()
                        .find(|(a, b, _)| *a == d.actor && *b == d.action)
                        .map(|f| f.2);
                    c.spawn(widgets::row(6)).with_children(|row| {
                        let outcome = match forced {
                            Some(true) => "forced: succeeds".to_string(),
                            Some(false) => "forced: fails".to_string(),
                            None if d.success => "succeeds".to_string(),
                            None => "fails".to_string(),
                        };
                        row.spawn(widgets::text(
                            fonts,
                            format!("{} — {outcome}", d.text),
                            look.size(SMALL),
                            if forced.is_some() { theme::ACCENT } else { SOFT },
                        ));
                        if forced.is_none() && console.pending.is_none() {
                            row.spawn(console_button(
                                fonts,
                                look,
                                if d.success { "Make it fail" } else { "Make it succeed" },
                                None,
                                ConsoleAction::Force(d.clone()),
                                theme::TRAY,
                            ));
                        }
                    });
                }
            });
        });
    });
    world.flush();
}

/// Console buttons pressed with the mouse, or (on the overlay) by the key they show.
fn press(world: &mut World) {
    let mut pressed: Vec<ConsoleAction> = world
        .query_filtered::<(&Interaction, &ConsoleAction), Changed<Interaction>>()
        .iter(world)
        .filter(|(i, _)| **i == Interaction::Pressed)
        .map(|(_, a)| a.clone())
        .collect();
    let typing = world.resource::<ConsoleState>().typing();
    if let Some(keys) = world.get_resource::<ButtonInput<KeyCode>>().cloned()
        && !typing
    {
        let mut fired: Vec<KeyCode> = Vec::new();
        for (key, action) in world.query::<(&ConsoleKey, &ConsoleAction)>().iter(world) {
            if let Some(key) = key.0
                && keys.just_pressed(key)
                && !fired.contains(&key)
            {
                fired.push(key);
                pressed.push(action.clone());
            }
        }
    }
    for action in pressed {
        apply(world, action);
    }
}

fn apply(world: &mut World, action: ConsoleAction) {
    let notice = match action {
        ConsoleAction::Pause => {
            let Some(mut s) = world.get_resource_mut::<Session>() else {
                return;
            };
            s.paused = !s.paused;
            let paused = s.paused;
            s.notice = Some(if paused { "Paused." } else { "Resumed." }.into());
            if paused { "Paused." } else { "Resumed." }.to_string()
        }
        ConsoleAction::Save => match session::save_now(world) {
            Ok(path) => format!("Saved to {}", path.display()),
            Err(e) => format!("Save failed: {e}"),
        },
        ConsoleAction::Release(id, headline) => {
            session::release_inject(world, id);
            format!("Released “{headline}”: it airs at the next resolution.")
        }
        ConsoleAction::Choose(id, n, label) => {
            session::choose_inject_option(world, id, n, label.clone());
            format!("Inject outcome chosen: {label}.")
        }
        ConsoleAction::AskUndo => {
            world.resource_mut::<ConsoleState>().confirm_undo = true;
            "Undo the last turn? Orders and commands given since are dropped.".into()
        }
        ConsoleAction::CancelUndo => {
            world.resource_mut::<ConsoleState>().confirm_undo = false;
            "Nothing undone.".into()
        }
        ConsoleAction::ConfirmUndo => {
            world.resource_mut::<ConsoleState>().confirm_undo = false;
            let undone = session::undo_turn(world);
            // The autosave follows the undo, so a resume cannot bring the turn back.
            if let (Some(record), Some(path)) = (
                world.get_resource::<crate::sim::SessionRecord>(),
                world
                    .get_resource::<session::Autosave>()
                    .map(|a| a.0.clone()),
            ) {
                let _ = record.save(&path);
            }
            match undone {
                Some(turn) => format!("Turn {turn} undone."),
                None => "Nothing to undo.".into(),
            }
        }
        ConsoleAction::Force(line) => {
            let mut c = world.resource_mut::<ConsoleState>();
            c.pending = Some(line);
            c.reason.clear();
            "Type the reason, then Enter.".into()
        }
        ConsoleAction::CancelForce => {
            let mut c = world.resource_mut::<ConsoleState>();
            c.pending = None;
            c.reason.clear();
            "Nothing forced.".into()
        }
    };
    world.resource_mut::<ConsoleState>().notice = notice;
    world.write_message(Redraw);
}

/// Typing the reason of a forced outcome (keys typed in the console's window, or in the main
/// window while the overlay shows).
fn type_reason(world: &mut World, keys: &mut SystemState<MessageReader<KeyboardInput>>) {
    let mut console_windows: Vec<Entity> = world
        .query_filtered::<Entity, With<ConsoleWindow>>()
        .iter(world)
        .collect();
    if world
        .get_resource::<State<Screen>>()
        .is_some_and(|s| *s.get() == Screen::Console)
    {
        console_windows.extend(
            world
                .query_filtered::<Entity, With<bevy::window::PrimaryWindow>>()
                .iter(world),
        );
    }
    let Ok(mut reader) = keys.get_mut(world) else {
        return;
    };
    let typed: Vec<KeyboardInput> = reader
        .read()
        .filter(|k| k.state == ButtonState::Pressed && console_windows.contains(&k.window))
        .cloned()
        .collect();
    if typed.is_empty() || world.resource::<ConsoleState>().pending.is_none() {
        return;
    }
    for key in typed {
        let mut c = world.resource_mut::<ConsoleState>();
        match &key.logical_key {
            Key::Enter => {
                let reason = c.reason.trim().to_string();
                if reason.is_empty() {
                    c.notice = "A forced outcome needs a reason for the record.".into();
                    continue;
                }
                let Some(line) = c.pending.take() else {
                    continue;
                };
                c.reason.clear();
                c.forced
                    .push((line.actor.clone(), line.action.clone(), !line.success));
                c.notice = format!(
                    "Forced: “{}” {} — {reason}",
                    line.text,
                    if line.success { "fails" } else { "succeeds" }
                );
                world.write_message(FacilitatorCommand::ForceOutcome(
                    line.actor.clone(),
                    line.action.clone(),
                    !line.success,
                ));
                world.write_message(FacilitatorCommand::Note(format!(
                    "forced {} / {} to {}: {reason}",
                    line.actor,
                    line.action,
                    if line.success { "fail" } else { "succeed" }
                )));
            }
            Key::Escape => {
                c.pending = None;
                c.reason.clear();
            }
            Key::Backspace => {
                c.reason.pop();
            }
            _ => {
                if let Some(text) = &key.text
                    && c.reason.chars().count() < 200
                {
                    c.reason.extend(text.chars().filter(|ch| !ch.is_control()));
                }
            }
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ConsoleState>()
        .add_systems(
            Startup,
            open_window.run_if(resource_exists::<ConsoleWanted>),
        )
        .add_systems(
            Update,
            // After the shortcuts: Esc while a reason is typed cancels the reason only.
            (press, type_reason, refresh)
                .chain()
                .after(super::GuiSystems::Input)
                .run_if(resource_exists::<ConsoleWanted>.or_else(in_state(Screen::Console))),
        );
}
