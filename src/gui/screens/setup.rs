//! Session setup: which actors teams play, which bots play with which doctrine; the seed.

use bevy::prelude::*;

use crate::gui::actions::{OnPress, UiAction};
use crate::gui::session::{self, SetupDraft};
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Redraw, Screen, ScreenRoot, clear_screen};
use crate::scenario::Controller;
use crate::view::names;

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    draft: Res<SetupDraft>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    let s = &draft.loaded.scenario;
    let teams = draft
        .controllers
        .iter()
        .filter(|c| **c == Controller::Team)
        .count();
    commands
        .spawn(widgets::screen_root(Screen::Setup))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                format!("Session setup — {}", s.meta.title),
                format!("{} actors · {} turns", s.actors.len(), s.meta.turns),
            ));
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Row,
                padding: UiRect::axes(px(36), px(16)),
                column_gap: px(36),
                ..default()
            })
            .with_children(|main| {
                // Who plays whom.
                main.spawn(Node {
                    flex_grow: 1.0,
                    flex_direction: FlexDirection::Column,
                    row_gap: px(8),
                    ..default()
                })
                .with_children(|list| {
                    list.spawn(widgets::bold(
                        f,
                        "Who plays each actor",
                        size::LARGE,
                        theme::CHALK,
                    ));
                    for (i, actor) in s.actors.iter().enumerate() {
                        let selected = i == draft.selected;
                        let controller = &draft.controllers[i];
                        list.spawn((
                            Button,
                            Node {
                                flex_direction: FlexDirection::Row,
                                align_items: AlignItems::Center,
                                column_gap: px(20),
                                padding: UiRect::axes(px(16), px(4)),
                                border: UiRect::all(px(if selected { 5 } else { 0 })),
                                border_radius: BorderRadius::all(px(12)),
                                ..default()
                            },
                            BackgroundColor(theme::PAPER),
                            BorderColor::all(theme::ACCENT),
                            OnPress(UiAction::SelectActor(i)),
                        ))
                        .with_children(|r| {
                            r.spawn(Node {
                                width: px(100),
                                flex_shrink: 0.0,
                                ..default()
                            })
                            .with_children(|t| {
                                t.spawn(widgets::token(f, i, &names::actor_code(&actor.id), 44.0));
                            });
                            r.spawn(Node {
                                flex_direction: FlexDirection::Column,
                                flex_grow: 1.0,
                                ..default()
                            })
                            .with_children(|c| {
                                c.spawn(widgets::bold(
                                    f,
                                    actor.name.clone(),
                                    size::LARGE,
                                    theme::INK,
                                ));
                                c.spawn(widgets::text(
                                    f,
                                    format!(
                                        "{} · side {}",
                                        names::kind(actor.kind),
                                        if actor.side.is_empty() { "—" } else { &actor.side }
                                    ),
                                    size::SMALL,
                                    theme::INK_SOFT,
                                ));
                            });
                            let (bg, ink, label) = match controller {
                                Controller::Team => (theme::ACCENT, theme::INK, "★ TEAM".to_string()),
                                Controller::Bot(d) => (
                                    theme::INK,
                                    theme::PAPER,
                                    format!("⚙ BOT · {}", names::doctrine(*d)),
                                ),
                                Controller::Facilitator => {
                                    (theme::okabe_ito::BLUE, theme::CHALK, "☰ FACILITATOR".into())
                                }
                            };
                            r.spawn(widgets::pill(f, label, bg, ink));
                        });
                    }
                });
                // The seed and a summary.
                main.spawn(widgets::card(px(560))).with_children(|c| {
                    c.spawn(widgets::bold(f, "This session", size::LARGE, theme::INK));
                    c.spawn(widgets::text(
                        f,
                        format!(
                            "{teams} team(s), {} bot(s) or facilitator-played actor(s)",
                            draft.controllers.len() - teams
                        ),
                        size::BODY,
                        theme::INK,
                    ));
                    let typing = draft.seed_text.is_some();
                    c.spawn(widgets::text(
                        f,
                        match &draft.seed_text {
                            Some(t) => format!("Seed: {t}▏"),
                            None => format!("Seed: {}", draft.seed),
                        },
                        size::HEADING,
                        theme::INK,
                    ));
                    c.spawn(widgets::text(
                        f,
                        if typing {
                            "Type the seed's digits (⌫ deletes), Enter keeps it, Esc cancels."
                        } else {
                            "The same seed, scenario and orders replay the same game."
                        },
                        size::SMALL,
                        theme::INK_SOFT,
                    ));
                    c.spawn(widgets::row(12)).with_children(|r| {
                        if typing {
                            r.spawn(widgets::button(
                                f,
                                "Keep seed",
                                KeyCode::Enter,
                                UiAction::TypeSeed,
                                Kind::OnPaper,
                            ));
                            r.spawn(widgets::button(
                                f,
                                "Cancel",
                                KeyCode::Escape,
                                UiAction::CancelSeed,
                                Kind::OnPaper,
                            ));
                        } else {
                            r.spawn(widgets::button(
                                f,
                                "Type a seed",
                                KeyCode::KeyS,
                                UiAction::TypeSeed,
                                Kind::OnPaper,
                            ));
                        }
                    });
                    c.spawn(Node {
                        height: px(16),
                        ..default()
                    });
                    if !typing {
                        c.spawn(widgets::text(
                            f,
                            "Select an actor (↑ ↓ or click), then one key says who plays it (the highlight moves on):",
                            size::SMALL,
                            theme::INK_SOFT,
                        ));
                        c.spawn(Node {
                            flex_direction: FlexDirection::Row,
                            flex_wrap: FlexWrap::Wrap,
                            column_gap: px(8),
                            row_gap: px(8),
                            ..default()
                        })
                        .with_children(|r| {
                            for (label, key, controller) in controller_keys() {
                                r.spawn(widgets::button(
                                    f,
                                    label,
                                    key,
                                    UiAction::SetController(controller),
                                    Kind::OnPaper,
                                ))
                                .insert(Node {
                                    flex_direction: FlexDirection::Row,
                                    align_items: AlignItems::Center,
                                    column_gap: px(8),
                                    padding: UiRect::axes(px(8), px(4)),
                                    border: UiRect::all(px(2)),
                                    border_radius: BorderRadius::all(px(8)),
                                    ..default()
                                });
                            }
                        });
                    }
                    if let Some(selected) = s.actors.get(draft.selected) {
                        let who = &draft.controllers[draft.selected];
                        c.spawn(widgets::bold(
                            f,
                            format!("{}: {}", selected.name, names::controller(who)),
                            size::BODY,
                            theme::INK,
                        ));
                        c.spawn(widgets::text(
                            f,
                            names::controller_help(who),
                            size::SMALL,
                            theme::INK_SOFT,
                        ));
                    }
                    if teams == 0 {
                        c.spawn(widgets::text(
                            f,
                            "No team yet: the bots will play on their own.",
                            size::BODY,
                            theme::DANGER,
                        ));
                    }
                });
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::button(
                    f,
                    "Previous",
                    KeyCode::ArrowUp,
                    UiAction::MoveActor(-1),
                    Kind::Secondary,
                ));
                footer.spawn(widgets::button(
                    f,
                    "Next",
                    KeyCode::ArrowDown,
                    UiAction::MoveActor(1),
                    Kind::Secondary,
                ));
                footer.spawn(widgets::button(
                    f,
                    "Change who plays",
                    KeyCode::Space,
                    UiAction::CycleController,
                    Kind::Secondary,
                ));
                footer.spawn(widgets::spacer());
                // While a seed is typed, Enter and Esc belong to the seed.
                if draft.seed_text.is_none() {
                    footer.spawn(widgets::button(
                        f,
                        "Back",
                        KeyCode::Escape,
                        UiAction::Go(Screen::ScenarioPicker),
                        Kind::Secondary,
                    ));
                    footer.spawn(widgets::button(
                        f,
                        "Start: briefing",
                        KeyCode::Enter,
                        UiAction::StartSession,
                        Kind::Primary,
                    ));
                }
            });
        });
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    draft: Option<ResMut<SetupDraft>>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
    mut redraw: MessageWriter<Redraw>,
) {
    if *screen.get() != Screen::Setup {
        return;
    }
    let Some(mut draft) = draft else {
        return;
    };
    let n = draft.controllers.len();
    match action.event() {
        UiAction::SelectActor(i) if *i < n => {
            if draft.selected == *i {
                let i = *i;
                draft.controllers[i] = session::next_controller(&draft.controllers[i]);
            }
            draft.selected = *i;
        }
        UiAction::MoveActor(d) if n > 0 => {
            draft.selected = (draft.selected as i32 + d).rem_euclid(n as i32) as usize;
        }
        UiAction::CycleController if n > 0 => {
            let i = draft.selected;
            draft.controllers[i] = session::next_controller(&draft.controllers[i]);
        }
        UiAction::SetController(controller) if n > 0 => {
            let i = draft.selected;
            draft.controllers[i] = controller.clone();
            draft.selected = (i + 1).min(n - 1);
        }
        UiAction::TypeSeed => match draft.seed_text.take() {
            Some(text) => {
                if let Ok(seed) = text.parse::<u64>() {
                    draft.seed = seed;
                }
            }
            None => draft.seed_text = Some(String::new()),
        },
        UiAction::CancelSeed => draft.seed_text = None,
        UiAction::StartSession => {
            commands.queue(session::start_session);
            next.set(Screen::Briefing);
            return;
        }
        _ => return,
    }
    redraw.write(Redraw);
}

/// One key per choice of who plays an actor: T a team, 1–6 a bot doctrine, F the facilitator.
fn controller_keys() -> Vec<(String, KeyCode, Controller)> {
    let digits = [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
    ];
    let mut keys = vec![("Team".to_string(), KeyCode::KeyT, Controller::Team)];
    keys.extend(
        crate::scenario::Doctrine::ALL
            .iter()
            .zip(digits)
            .map(|(d, key)| (names::doctrine(*d).to_string(), key, Controller::Bot(*d))),
    );
    keys.push((
        "Facilitator".to_string(),
        KeyCode::KeyF,
        Controller::Facilitator,
    ));
    keys
}

/// While a seed is typed: digits append, ⌫ deletes (at most 19 digits: every value fits a u64).
fn type_seed(
    keys: Res<ButtonInput<KeyCode>>,
    draft: Option<ResMut<SetupDraft>>,
    mut redraw: MessageWriter<Redraw>,
) {
    let Some(mut draft) = draft else {
        return;
    };
    let Some(text) = draft.seed_text.as_ref() else {
        return;
    };
    let mut text = text.clone();
    let digits = [
        KeyCode::Digit0,
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ];
    let mut changed = false;
    for (n, key) in digits.iter().enumerate() {
        if keys.just_pressed(*key) && text.len() < 19 {
            text.push(char::from(b'0' + n as u8));
            changed = true;
        }
    }
    if keys.just_pressed(KeyCode::Backspace) {
        changed |= text.pop().is_some();
    }
    if changed {
        draft.seed_text = Some(text);
        redraw.write(Redraw);
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        type_seed
            .run_if(in_state(Screen::Setup))
            .in_set(crate::gui::GuiSystems::Input),
    )
    .add_systems(OnEnter(Screen::Setup), build)
    .add_systems(
        Update,
        build
            .run_if(in_state(Screen::Setup).and_then(on_message::<Redraw>))
            .in_set(crate::gui::GuiSystems::Build),
    )
    .add_observer(on_action);
}
