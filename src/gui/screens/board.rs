//! The public board: the ladder in the middle, actor cards, the headline feed, facilitator keys.

use bevy::ecs::change_detection::Tick;
use bevy::ecs::system::SystemChangeTick;
use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::live_edit::ReloadPanel;
use crate::gui::pieces;
use crate::gui::session::{self, Hotseat, Play, Session};
use crate::gui::theme::{self, Fonts, size};
use crate::gui::ui_check::{MayBeCovered, Panel};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Redraw, Screen, ScreenRoot, clear_screen};
use crate::sim::GameState;
use crate::sim::reload::{ReloadOutcome, ReloadStatus};

/// Which edit notice the board shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EditNotice {
    Applied,
    Waiting,
    Rejected,
}

/// When the board was last built: a change made after it asks for a rebuild, one made before
/// (the turn resolved during the reveal, already drawn by the build on entering the board) does
/// not.
#[derive(Resource, Default)]
struct BoardBuiltAt(Option<Tick>);

/// Redraws the board when the rules' state or the scenario changes behind it (hot reload).
fn redraw_on_change(
    status: Option<Res<ReloadStatus>>,
    state: Option<Res<GameState>>,
    built: Res<BoardBuiltAt>,
    mut redraw: MessageWriter<Redraw>,
) {
    let Some(built) = built.0 else {
        return;
    };
    // The rules re-insert these resources when they reload or replay, so "added" counts too.
    let changed = status.is_some_and(|s| s.is_changed_after(built))
        || state.is_some_and(|s| s.is_changed_after(built));
    if changed {
        redraw.write(Redraw);
    }
}

#[allow(clippy::too_many_arguments)] // a Bevy system: each parameter is a resource it reads
fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    play: Play,
    reload: Option<Res<ReloadStatus>>,
    panel: Res<ReloadPanel>,
    clock: Res<session::TurnClock>,
    roots: Query<Entity, With<ScreenRoot>>,
    room: Option<Res<crate::gui::room::RoomServer>>,
    console_window: Option<Res<crate::gui::console::ConsoleWanted>>,
    (mut rebuilds, mut built, ticks): (
        ResMut<crate::gui::BoardRebuilds>,
        ResMut<BoardBuiltAt>,
        SystemChangeTick,
    ),
) {
    rebuilds.0 += 1;
    built.0 = Some(ticks.this_run());
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    let board = play.board();
    let session = &*play.session;
    let markers: Vec<(usize, String, usize)> = board
        .actors
        .iter()
        .map(|a| (a.index, a.code.clone(), a.rung))
        .collect();
    let releasable = play.releasable_injects();
    let upcoming = play.upcoming_choice();
    let over = board.ending.is_some();
    commands
        .spawn(widgets::screen_root(Screen::Board))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                board.title.clone(),
                if over {
                    format!("Game over after turn {}", board.turn)
                } else {
                    format!(
                        "Turn {} of {} · one {} per turn · phase: {}",
                        board.turn, board.turns, board.turn_label, board.phase
                    )
                },
            ));
            root.spawn(widgets::main_row())
            .with_children(|main| {
                // The ladder: the central visual.
                main.spawn(Node {
                    width: px(680),
                    flex_shrink: 0.0,
                    min_height: px(0),
                    flex_direction: FlexDirection::Column,
                    row_gap: px(8),
                    ..default()
                })
                .with_children(|col| {
                    col.spawn(widgets::row(12)).with_children(|r| {
                        r.spawn(widgets::bold(f, "LADDER", size::LARGE, theme::CHALK));
                        r.spawn(widgets::pill(
                            f,
                            format!("Crisis level {} (boxed below)", board.crisis),
                            theme::ACCENT,
                            theme::INK,
                        ));
                    });
                    pieces::ladder(col, f, &board.ladder, &markers, board.crisis);
                });
                // Actor cards, then the news.
                main.spawn(Node {
                    flex_grow: 1.0,
                    flex_direction: FlexDirection::Column,
                    row_gap: px(14),
                    min_height: px(0),
                    ..default()
                })
                .with_children(|right| {
                    right
                        .spawn((
                            Node {
                                flex_direction: FlexDirection::Row,
                                flex_wrap: FlexWrap::Wrap,
                                align_content: AlignContent::FlexStart,
                                column_gap: px(14),
                                row_gap: px(14),
                                ..default()
                            },
                            // Notices lie over the actor cards, never over the ladder or news.
                            MayBeCovered,
                        ))
                        .with_children(|cards| {
                            let per_row = 3.0;
                            // Two pixels of slack: rounded at a window's scale, three cards
                            // still fit a row.
                            let width = (1180.0 - 14.0 * (per_row - 1.0)) / per_row - 2.0;
                            let rows = board.actors.len().div_ceil(3).max(1) as f32;
                            // 720 at most: the news row keeps room for a three-line headline.
                            let height = ((720.0 - 14.0 * (rows - 1.0)) / rows).min(260.0);
                            for a in &board.actors {
                                pieces::actor_card(cards, f, a, width, Some(height));
                            }
                        });
                    right
                        .spawn((
                            Node {
                                flex_grow: 1.0,
                                min_height: px(0),
                                flex_direction: FlexDirection::Row,
                                column_gap: px(14),
                                overflow: Overflow::clip(),
                                ..default()
                            },
                            Panel::Plain,
                        ))
                        .with_children(|news| {
                            news.spawn(Node {
                                width: px(110),
                                flex_shrink: 0.0,
                                flex_direction: FlexDirection::Column,
                                row_gap: px(6),
                                ..default()
                            })
                            .with_children(|label| {
                                label.spawn(widgets::bold(f, "NEWS", size::LARGE, theme::CHALK));
                                label.spawn(widgets::text(
                                    f,
                                    format!("{} so far", board.headlines.len()),
                                    size::SMALL,
                                    theme::CHALK_SOFT,
                                ));
                            });
                            if let Some((id, headline, options)) = &upcoming {
                                let chosen = session
                                    .chosen
                                    .iter()
                                    .find(|(i, _)| i == id)
                                    .map(|(_, l)| l.clone());
                                news.spawn((
                                    Node {
                                        width: px(690),
                                        flex_shrink: 0.0,
                                        flex_direction: FlexDirection::Column,
                                        padding: UiRect::all(px(10)),
                                        row_gap: px(6),
                                        border: UiRect::all(px(4)),
                                        border_radius: BorderRadius::all(px(12)),
                                        ..default()
                                    },
                                    BackgroundColor(theme::PAPER),
                                    BorderColor::all(theme::ACCENT),
                                ))
                                .with_children(|p| {
                                    p.spawn(widgets::bold(
                                        f,
                                        format!("☰ Due: “{headline}”"),
                                        18.0,
                                        theme::INK,
                                    ));
                                    p.spawn(widgets::text(
                                        f,
                                        match &chosen {
                                            // The choice stays secret until the inject airs.
                                            Some(_) => String::from("The facilitator has chosen: the room learns it when the news breaks"),
                                            None => "Facilitator: choose how it goes, or the dice decide".into(),
                                        },
                                        17.0,
                                        theme::INK_SOFT,
                                    ));
                                    p.spawn(widgets::row(8)).with_children(|r| {
                                        let keys = [KeyCode::Digit1, KeyCode::Digit2, KeyCode::Digit3, KeyCode::Digit4];
                                        for (n, (label, key)) in options.iter().zip(keys).enumerate() {
                                            r.spawn(widgets::button(
                                                f,
                                                label.clone(),
                                                key,
                                                UiAction::ChooseInjectOption(n),
                                                Kind::OnPaper,
                                            ))
                                            .insert(Node {
                                                flex_direction: FlexDirection::Row,
                                                align_items: AlignItems::Center,
                                                column_gap: px(8),
                                                padding: UiRect::axes(px(10), px(4)),
                                                border: UiRect::all(px(2)),
                                                border_radius: BorderRadius::all(px(8)),
                                                ..default()
                                            });
                                        }
                                    });
                                });
                            }
                            if board.headlines.is_empty() {
                                news.spawn(widgets::text(
                                    f,
                                    "No news yet: injects and headlines appear here as the turns are played.",
                                    size::BODY,
                                    theme::CHALK_SOFT,
                                ));
                            }
                            // Room for three cards: the facilitator's choice takes two.
                            let shown = if upcoming.is_some() {
                                1
                            } else if board.incidents.is_empty() {
                                3
                            } else {
                                2
                            };
                            for h in board.headlines.iter().take(shown) {
                                news.spawn(widgets::card(px(340)))
                                    .insert(Node {
                                        width: px(340),
                                        flex_direction: FlexDirection::Column,
                                        padding: UiRect::all(px(12)),
                                        row_gap: px(4),
                                        border_radius: BorderRadius::all(px(14)),
                                        overflow: Overflow::clip(),
                                        ..default()
                                    })
                                    .with_children(|c| {
                                        // The turn leads the headline's first line: one line
                                        // more for a long headline.
                                        c.spawn(widgets::text(
                                            f,
                                            format!("☰ T{} · ", h.turn),
                                            18.0,
                                            theme::INK_SOFT,
                                        ))
                                        .with_child((
                                            TextSpan::new(h.text.clone()),
                                            f.bold(20.0),
                                            TextColor(theme::INK),
                                        ));
                                    });
                            }
                            if !board.incidents.is_empty() && upcoming.is_none() {
                                news.spawn(widgets::card(px(340))).with_children(|c| {
                                    c.spawn(widgets::bold(
                                        f,
                                        "◎ Publicly attributed",
                                        size::SMALL,
                                        theme::INK,
                                    ));
                                    for i in board.incidents.iter().take(3) {
                                        c.spawn(widgets::text(
                                            f,
                                            format!(
                                                "T{} {} → {}: {} ({})",
                                                i.turn,
                                                i.action,
                                                i.victim,
                                                i.attributed_to.clone().unwrap_or_else(|| "?".into()),
                                                i.confidence
                                            ),
                                            17.0,
                                            theme::INK,
                                        ));
                                    }
                                });
                            }
                        });
                });
            });
            if session.paused {
                root.spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        width: percent(100),
                        top: px(400),
                        justify_content: JustifyContent::Center,
                        ..default()
                    },
                    Panel::Modal,
                    children![(
                        Node {
                            padding: UiRect::axes(px(60), px(24)),
                            border_radius: BorderRadius::all(px(16)),
                            ..default()
                        },
                        BackgroundColor(theme::TRAY),
                        children![widgets::bold(
                            f,
                            "❚❚ PAUSED — press P to resume",
                            size::TITLE,
                            theme::CHALK
                        )],
                    )],
                ));
            }
            // Messages for the facilitator, top right over the actor cards: never over the
            // ladder (left) or the inject choice and the news (bottom).
            let edit_notice = reload.as_ref().and_then(|r| {
                let notice = r.notice()?;
                match r.last.as_ref()? {
                    ReloadOutcome::Applied { from_turn, .. } => {
                        (play.state.turn <= *from_turn).then_some((EditNotice::Applied, notice))
                    }
                    ReloadOutcome::Waiting => r.locked.then_some((EditNotice::Waiting, notice)),
                    ReloadOutcome::Rejected => (r.errors > 0).then_some((EditNotice::Rejected, notice)),
                }
            });
            let diagnostics = reload
                .as_ref()
                .filter(|r| r.errors > 0)
                .and_then(|r| r.diagnostics.clone());
            let locked = reload.as_ref().is_some_and(|r| r.locked);
            if session.notice.is_some() || edit_notice.is_some() || locked {
                root.spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        right: px(20),
                        top: px(100),
                        width: px(1150),
                        max_height: px(700),
                        overflow: Overflow::clip(),
                        flex_direction: FlexDirection::Column,
                        align_items: AlignItems::FlexEnd,
                        row_gap: px(8),
                        ..default()
                    },
                    Panel::Notice,
                ))
                .with_children(|toasts| {
                    let toast = |toasts: &mut ChildSpawnerCommands, text: String| {
                        toasts.spawn((
                            Node {
                                padding: UiRect::axes(px(16), px(8)),
                                border_radius: BorderRadius::all(px(10)),
                                ..default()
                            },
                            BackgroundColor(theme::TRAY),
                            children![widgets::bold(f, text, size::BODY, theme::CHALK)],
                        ));
                    };
                    if let Some(notice) = &session.notice {
                        toast(toasts, format!("ℹ {notice}"));
                    }
                    match &edit_notice {
                        Some((EditNotice::Applied, text)) => toast(toasts, format!("✔ {text}")),
                        Some((EditNotice::Waiting, text)) => {
                            toast(toasts, format!("◌ {text} (L to unlock)"));
                        }
                        _ if locked => toast(
                            toasts,
                            "■ Scenario reloading is locked (L to unlock)".to_string(),
                        ),
                        _ => {}
                    }
                    if let Some((EditNotice::Rejected, text)) = &edit_notice {
                        let collapsed = panel.collapsed;
                        toasts
                            .spawn((
                                Node {
                                    width: percent(100),
                                    flex_direction: FlexDirection::Column,
                                    row_gap: px(6),
                                    padding: UiRect::all(px(14)),
                                    border: UiRect::left(px(10)),
                                    border_radius: BorderRadius::all(px(10)),
                                    overflow: Overflow::clip(),
                                    ..default()
                                },
                                BackgroundColor(theme::PAPER),
                                BorderColor::all(theme::DANGER),
                            ))
                            .with_children(|p| {
                                p.spawn(Node {
                                    flex_direction: FlexDirection::Row,
                                    align_items: AlignItems::Center,
                                    column_gap: px(16),
                                    ..default()
                                })
                                .with_children(|row| {
                                    row.spawn(widgets::bold(
                                        f,
                                        format!("⚠ Scenario edit: {text}"),
                                        size::BODY,
                                        theme::INK,
                                    ));
                                    row.spawn(widgets::spacer());
                                    row.spawn(widgets::button(
                                        f,
                                        if collapsed { "Show details" } else { "Hide details" },
                                        KeyCode::KeyE,
                                        UiAction::ToggleReloadPanel,
                                        Kind::Secondary,
                                    ));
                                });
                                if !collapsed && let Some(text) = &diagnostics {
                                    let excerpt: Vec<&str> = text.lines().take(16).collect();
                                    p.spawn((
                                        Text::new(excerpt.join("\n")),
                                        f.mono(17.0),
                                        TextColor(theme::INK),
                                    ));
                                }
                            });
                    }
                });
            }
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn((
                    widgets::text(
                        f,
                        session::clock_label(session::ClockText::Turn, clock.turn),
                        size::BODY,
                        theme::CHALK_SOFT,
                    ),
                    session::ClockText::Turn,
                ));
                footer.spawn(widgets::spacer());
                if session.confirm_undo {
                    // Undo asks first: it throws a whole turn away.
                    let turn = session::turns_played(&play.state);
                    footer.spawn(widgets::bold(
                        f,
                        format!("Undo turn {turn}? The session goes back to its start, and the autosave with it."),
                        size::BODY,
                        theme::ACCENT,
                    ));
                    footer.spawn(widgets::button(
                        f,
                        "Cancel",
                        KeyCode::Escape,
                        UiAction::CancelDialog,
                        Kind::Secondary,
                    ));
                    footer.spawn(widgets::button(
                        f,
                        format!("Undo turn {turn}"),
                        KeyCode::Enter,
                        UiAction::ConfirmUndo,
                        Kind::Primary,
                    ));
                    return;
                }
                // Fixed widths: a label that changes never moves the other buttons.
                footer.spawn(widgets::fixed_button(
                    f,
                    "Save",
                    KeyCode::KeyS,
                    UiAction::Save,
                    Kind::Secondary,
                    130.0,
                ));
                footer.spawn(widgets::fixed_button(
                    f,
                    if reload.as_ref().is_some_and(|r| r.locked) { "Unlock edits" } else { "Lock edits" },
                    KeyCode::KeyL,
                    UiAction::ToggleReloadLock,
                    Kind::Secondary,
                    270.0,
                ));
                footer.spawn(widgets::fixed_button(
                    f,
                    format!("Inject ({})", releasable.len()),
                    KeyCode::KeyI,
                    UiAction::ReleaseInject,
                    Kind::Secondary,
                    200.0,
                ));
                footer.spawn(widgets::fixed_button(
                    f,
                    format!("Undo ({})", session::turns_played(&play.state)),
                    KeyCode::KeyU,
                    UiAction::UndoTurn,
                    Kind::Secondary,
                    200.0,
                ));
                footer.spawn(widgets::fixed_button(
                    f,
                    if session.paused { "Resume" } else { "Pause" },
                    KeyCode::KeyP,
                    UiAction::TogglePause,
                    Kind::Secondary,
                    180.0,
                ));
                // With the console in its own window the footer keeps its room (C still opens
                // the overlay); with one screen the button shows the way to it.
                if console_window.is_none() {
                    footer.spawn(widgets::fixed_button(
                        f,
                        "Console",
                        KeyCode::KeyC,
                        UiAction::OpenConsole,
                        Kind::Secondary,
                        180.0,
                    ));
                }
                footer.spawn(widgets::fixed_button(
                    f,
                    "Debrief",
                    KeyCode::KeyD,
                    UiAction::EndSession,
                    if over { Kind::Primary } else { Kind::Secondary },
                    180.0,
                ));
                if !over {
                    footer.spawn(widgets::fixed_button(
                        f,
                        // Teams on their devices: their drafts go to the rules now.
                        if room.is_some() { "Resolve turn" } else { "Orders" },
                        KeyCode::Enter,
                        UiAction::BeginOrders,
                        Kind::Primary,
                        250.0,
                    ));
                }
            });
        });
}

/// How long a notice stays on the board.
const NOTICE_SECONDS: f32 = 6.0;

/// Notices expire: a notice that has been up for [`NOTICE_SECONDS`] goes away.
fn expire_notice(
    time: Res<Time<Real>>,
    session: Option<ResMut<Session>>,
    mut shown: Local<Option<(String, f32)>>,
    mut redraw: MessageWriter<Redraw>,
) {
    let Some(mut session) = session else {
        return;
    };
    let now = time.elapsed_secs();
    match (&session.notice, &*shown) {
        (None, _) => *shown = None,
        (Some(notice), Some((seen, since))) if notice == seen => {
            if now - since > NOTICE_SECONDS {
                session.notice = None;
                *shown = None;
                redraw.write(Redraw);
            }
        }
        (Some(notice), _) => *shown = Some((notice.clone(), now)),
    }
}

#[allow(clippy::too_many_arguments)]
fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    play: Option<Play>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
    mut redraw: MessageWriter<Redraw>,
    room: Option<Res<crate::gui::room::RoomServer>>,
    hotseat: Option<Res<Hotseat>>,
) {
    if *screen.get() != Screen::Board {
        return;
    }
    let Some(play) = play else {
        return;
    };
    let paused = play.session.paused;
    let serving = room.is_some();
    match action.event() {
        UiAction::TogglePause => {
            commands.queue(|world: &mut World| {
                let mut s = world.resource_mut::<Session>();
                s.paused = !s.paused;
                s.notice = Some(if s.paused { "Paused." } else { "Resumed." }.into());
            });
        }
        // The console (behind its curtain) opens whether or not the session is paused.
        UiAction::OpenConsole => {
            next.set(Screen::ConsoleCurtain);
            return;
        }
        _ if paused => {
            commands.queue(|world: &mut World| {
                world.resource_mut::<Session>().notice =
                    Some("Paused: press P to resume first.".into());
            });
        }
        UiAction::BeginOrders if !play.state.is_over() => {
            let queue = play.team_actors();
            if queue.is_empty() || serving {
                // Bots only, or teams on their own devices: resolve at once.
                commands.queue(|world: &mut World| {
                    if crate::gui::room::serving(world) {
                        crate::gui::room::submit_room_orders(world);
                    }
                    let turn = session::resolve_turn(world);
                    super::reveal::prepare(world, turn);
                });
                next.set(Screen::Reveal);
            } else {
                // Back from the curtain with Esc: the round goes on where it was.
                let turn = play.state.turn;
                if !hotseat.is_some_and(|h| h.in_progress(turn)) {
                    commands.insert_resource(Hotseat {
                        turn,
                        queue,
                        ..default()
                    });
                }
                next.set(Screen::Curtain);
            }
            return;
        }
        UiAction::ReleaseInject => {
            let next_inject = play.releasable_injects().into_iter().next();
            commands.queue(move |world: &mut World| match next_inject {
                Some((id, headline)) => {
                    session::release_inject(world, id);
                    world.resource_mut::<Session>().notice = Some(format!(
                        "Released: “{headline}” — it airs at the next resolution."
                    ));
                }
                None => {
                    world.resource_mut::<Session>().notice =
                        Some("No inject left to release.".into());
                }
            });
        }
        UiAction::UndoTurn => {
            let nothing = session::turns_played(&play.state) == 0;
            commands.queue(move |world: &mut World| {
                let mut session = world.resource_mut::<Session>();
                if nothing {
                    session.notice = Some("Nothing to undo.".into());
                } else {
                    session.confirm_undo = true;
                }
            });
        }
        UiAction::CancelDialog => {
            commands.queue(|world: &mut World| {
                world.resource_mut::<Session>().confirm_undo = false;
            });
        }
        UiAction::ConfirmUndo => {
            commands.queue(|world: &mut World| {
                world.resource_mut::<Session>().confirm_undo = false;
                let undone = session::undo_turn(world);
                world.resource_mut::<Session>().notice = Some(match undone {
                    Some(turn) => format!("Turn {turn} undone: back to its start."),
                    None => "Nothing to undo.".into(),
                });
            });
        }
        UiAction::ChooseInjectOption(n) => {
            if let Some((id, _, options)) = play.upcoming_choice()
                && let Some(label) = options.get(*n).cloned()
            {
                let n = *n;
                commands.queue(move |world: &mut World| {
                    session::choose_inject_option(world, id, n, label);
                });
            }
        }
        UiAction::Save => {
            commands.queue(|world: &mut World| {
                let result = session::save_now(world);
                world.resource_mut::<Session>().notice = Some(match result {
                    Ok(path) => format!("Saved to {}", path.display()),
                    Err(e) => format!("Save failed: {e}"),
                });
            });
        }
        UiAction::ToggleReloadLock => {
            commands.queue(|world: &mut World| {
                let mut status = world.get_resource_or_insert_with(ReloadStatus::default);
                status.locked = !status.locked;
            });
        }
        UiAction::EndSession => {
            next.set(Screen::Debrief);
            return;
        }
        _ => return,
    }
    redraw.write(Redraw);
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<BoardBuiltAt>()
        .add_systems(OnEnter(Screen::Board), build)
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::Board).and_then(on_message::<Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_systems(
            Update,
            (redraw_on_change, expire_notice)
                .run_if(in_state(Screen::Board))
                .in_set(crate::gui::GuiSystems::Input),
        )
        .add_observer(on_action);
}
