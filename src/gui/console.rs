//! The facilitator's console (`grayzone play --console`): a second window, for the laptop's own
//! screen while the first is on the projector.
//!
//! It shows the hidden truth ([`crate::view::console`]: true rungs against public ones, true
//! authors, private red lines, the teams' rationales, what bots intend) and the coming turn's
//! dice ([`crate::sim::preview_turn`]); the facilitator can force an outcome (with a typed
//! reason, recorded as a [`FacilitatorCommand::Note`]), release injects and pick their outcomes,
//! pause, save, and undo (after a confirmation). Everything here lives in its own window with
//! its own camera: the projector's window never draws it. Its buttons have no keyboard
//! shortcuts (the board's keys keep working from either window), and while a reason is being
//! typed the projector's shortcuts are off, so typing never presses a projector button.

use bevy::camera::RenderTarget;
use bevy::ecs::system::SystemState;
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::prelude::*;
use bevy::window::{WindowRef, WindowResolution};

use super::Redraw;
use super::session::{self, Play, Session};
use super::theme::{self, Fonts};
use super::widgets;
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

/// Marks the console's UI root.
#[derive(Component)]
struct ConsoleRoot;

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
    let Some(camera) = world
        .query::<(Entity, &ConsoleCamera)>()
        .iter(world)
        .next()
        .map(|(e, _)| e)
    else {
        return;
    };
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
        if console.stamp.as_deref() == Some(stamp.as_str()) {
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
        build(
            world,
            camera,
            &fonts,
            &console,
            &releasable,
            choice.as_ref(),
            &chosen,
            paused,
        );
    });
}

const INK: Color = theme::CHALK;
const SOFT: Color = theme::CHALK_SOFT;
const SMALL: f32 = 15.0;
const BODY: f32 = 17.0;
const HEAD: f32 = 20.0;
/// Lines of a list shown at most (the window holds this many at 1280×720).
const MAX_LINES: usize = 6;

fn console_button(
    fonts: &Fonts,
    label: impl Into<String>,
    action: ConsoleAction,
    colour: Color,
) -> impl Bundle {
    (
        Button,
        Node {
            padding: UiRect::axes(px(12), px(6)),
            border_radius: BorderRadius::all(px(6)),
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(colour),
        action,
        children![widgets::bold(fonts, label, SMALL, theme::ink_on(colour))],
    )
}

#[allow(clippy::too_many_arguments)]
fn build(
    world: &mut World,
    camera: Entity,
    fonts: &Fonts,
    console: &ConsoleState,
    releasable: &[(String, String)],
    choice: Option<&(String, String, Vec<String>)>,
    chosen: &[(String, String)],
    paused: bool,
) {
    let mut commands = world.commands();
    let root = commands
        .spawn((
            ConsoleRoot,
            UiTargetCamera(camera),
            Node {
                width: percent(100),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(14)),
                row_gap: px(10),
                overflow: Overflow::clip(),
                ..default()
            },
            BackgroundColor(theme::TABLE),
        ))
        .id();
    let Some(view) = console.view.as_ref() else {
        commands.entity(root).with_children(|r| {
            r.spawn(widgets::bold(fonts, "Facilitator's console", HEAD, INK));
            r.spawn(widgets::text(
                fonts,
                "No session yet: the hidden truth and the dice appear here once the game starts.",
                BODY,
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
                HEAD,
                INK,
            ));
            bar.spawn(widgets::spacer());
            bar.spawn(console_button(
                fonts,
                if paused { "Resume" } else { "Pause" },
                ConsoleAction::Pause,
                theme::TRAY,
            ));
            bar.spawn(console_button(fonts, "Save", ConsoleAction::Save, theme::TRAY));
            if console.confirm_undo {
                bar.spawn(console_button(
                    fonts,
                    "Really undo the last turn",
                    ConsoleAction::ConfirmUndo,
                    theme::DANGER,
                ));
                bar.spawn(console_button(fonts, "Keep it", ConsoleAction::CancelUndo, theme::TRAY));
            } else {
                bar.spawn(console_button(fonts, "Undo…", ConsoleAction::AskUndo, theme::TRAY));
            }
        });
        if !console.notice.is_empty() {
            r.spawn(widgets::text(fonts, console.notice.clone(), SMALL, theme::ACCENT));
        }
        r.spawn(Node {
            flex_direction: FlexDirection::Row,
            column_gap: px(18),
            flex_grow: 1.0,
            min_height: px(0),
            ..default()
        })
        .with_children(|cols| {
            // Left: the hidden truth.
            cols.spawn(Node {
                width: percent(50),
                flex_direction: FlexDirection::Column,
                row_gap: px(4),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|c| {
                c.spawn(widgets::bold(fonts, "Hidden truth: true rung / what the room sees", BODY, INK));
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
                        SMALL,
                        if differs { theme::ACCENT } else { SOFT },
                    ));
                }
                c.spawn(widgets::bold(fonts, "Incidents and their true authors", BODY, INK));
                if view.incidents.is_empty() {
                    c.spawn(widgets::text(fonts, "None yet.", SMALL, SOFT));
                }
                for line in view.incidents.iter().take(8) {
                    c.spawn(widgets::text(fonts, line.clone(), SMALL, SOFT));
                }
                c.spawn(widgets::bold(fonts, "Private red lines", BODY, INK));
                for line in view.private_red_lines.iter().take(6) {
                    c.spawn(widgets::text(fonts, line.clone(), SMALL, SOFT));
                }
                if !view.notes.is_empty() {
                    c.spawn(widgets::bold(fonts, "Rationales and notes", BODY, INK));
                    for line in view.notes.iter().take(6) {
                        c.spawn(widgets::text(fonts, line.clone(), SMALL, SOFT));
                    }
                }
            });
            // Right: the coming turn.
            cols.spawn(Node {
                width: percent(50),
                flex_direction: FlexDirection::Column,
                row_gap: px(4),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|c| {
                c.spawn(widgets::bold(fonts, "Injects", BODY, INK));
                if let Some((id, headline, options)) = choice {
                    let picked = chosen.iter().find(|(i, _)| i == id).map(|(_, l)| l.clone());
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "Due now: “{headline}” — {}",
                            picked.map_or("pick its outcome:".into(), |l| format!("outcome: {l}"))
                        ),
                        SMALL,
                        SOFT,
                    ));
                    c.spawn(widgets::row(6)).with_children(|row| {
                        for (n, label) in options.iter().enumerate() {
                            row.spawn(console_button(
                                fonts,
                                label.clone(),
                                ConsoleAction::Choose(id.clone(), n, label.clone()),
                                theme::TRAY,
                            ));
                        }
                    });
                }
                if releasable.is_empty() {
                    c.spawn(widgets::text(fonts, "No inject left to release.", SMALL, SOFT));
                }
                for (id, headline) in releasable.iter().take(4) {
                    c.spawn(console_button(
                        fonts,
                        format!("Release “{headline}”"),
                        ConsoleAction::Release(id.clone(), headline.clone()),
                        theme::TRAY,
                    ));
                }
                c.spawn(widgets::bold(fonts, "What the bots intend", BODY, INK));
                for line in view.intentions.iter().take(MAX_LINES) {
                    c.spawn(widgets::text(fonts, line.clone(), SMALL, SOFT));
                }
                if view.intentions.len() > MAX_LINES {
                    c.spawn(widgets::text(
                        fonts,
                        format!("… and {} more", view.intentions.len() - MAX_LINES),
                        SMALL,
                        SOFT,
                    ));
                }
                c.spawn(widgets::bold(fonts, "The coming turn's dice", BODY, INK));
                if let Some(p) = &console.pending {
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "Force “{}” to {}: type the reason for the record, Enter to record it, Esc to cancel.",
                            p.text,
                            if p.success { "fail" } else { "succeed" }
                        ),
                        SMALL,
                        theme::ACCENT,
                    ));
                    c.spawn((
                        Node {
                            padding: UiRect::all(px(6)),
                            border: UiRect::all(px(2)),
                            ..default()
                        },
                        BorderColor::all(theme::ACCENT),
                        children![widgets::text(fonts, format!("{}▏", console.reason), BODY, INK)],
                    ));
                    c.spawn(console_button(fonts, "Cancel", ConsoleAction::CancelForce, theme::TRAY));
                }
                if view.dice.is_empty() {
                    c.spawn(widgets::text(fonts, "No dice this turn (or teams have not ordered yet).", SMALL, SOFT));
                }
                if view.dice.len() > MAX_LINES {
                    c.spawn(widgets::text(
                        fonts,
                        format!(
                            "The first {MAX_LINES} of {} rolls, in the order the rules roll them:",
                            view.dice.len()
                        ),
                        SMALL,
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
                            SMALL,
                            if forced.is_some() { theme::ACCENT } else { SOFT },
                        ));
                        if forced.is_none() && console.pending.is_none() {
                            row.spawn(console_button(
                                fonts,
                                if d.success { "Make it fail" } else { "Make it succeed" },
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

fn press(world: &mut World) {
    let pressed: Vec<ConsoleAction> = world
        .query_filtered::<(&Interaction, &ConsoleAction), Changed<Interaction>>()
        .iter(world)
        .filter(|(i, _)| **i == Interaction::Pressed)
        .map(|(_, a)| a.clone())
        .collect();
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

/// Typing the reason of a forced outcome (keys typed in the console window only).
fn type_reason(world: &mut World, keys: &mut SystemState<MessageReader<KeyboardInput>>) {
    let console_windows: Vec<Entity> = world
        .query_filtered::<Entity, With<ConsoleWindow>>()
        .iter(world)
        .collect();
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
            (press, type_reason, refresh)
                .chain()
                .run_if(resource_exists::<ConsoleWanted>),
        );
}
