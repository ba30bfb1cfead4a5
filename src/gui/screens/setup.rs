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
                    c.spawn(widgets::text(
                        f,
                        format!("Seed: {}", draft.seed),
                        size::HEADING,
                        theme::INK,
                    ));
                    c.spawn(widgets::text(
                        f,
                        "The same seed, scenario and orders replay the same game.",
                        size::SMALL,
                        theme::INK_SOFT,
                    ));
                    c.spawn(widgets::row(12)).with_children(|r| {
                        r.spawn(widgets::button(
                            f,
                            "Seed",
                            KeyCode::Minus,
                            UiAction::NudgeSeed(-1),
                            Kind::OnPaper,
                        ));
                        r.spawn(widgets::button(
                            f,
                            "Seed",
                            KeyCode::Equal,
                            UiAction::NudgeSeed(1),
                            Kind::OnPaper,
                        ));
                    });
                    c.spawn(Node {
                        height: px(16),
                        ..default()
                    });
                    c.spawn(widgets::text(
                        f,
                        "Select an actor (↑ ↓ or click), then press Space to change who plays it: team, a bot doctrine, or the facilitator.",
                        size::SMALL,
                        theme::INK_SOFT,
                    ));
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
        UiAction::NudgeSeed(d) => {
            draft.seed = draft.seed.wrapping_add_signed(*d);
        }
        UiAction::StartSession => {
            commands.queue(session::start_session);
            next.set(Screen::Briefing);
            return;
        }
        _ => return,
    }
    redraw.write(Redraw);
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Setup), build)
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::Setup).and_then(on_message::<Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_observer(on_action);
}
