//! The curtain between teams: "Pass the keyboard to Team Russia". Shows nothing secret.

use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::session::{Hotseat, Play, TurnClock};
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Screen, ScreenRoot, clear_screen};
use crate::view::names;

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    play: Play,
    hotseat: Res<Hotseat>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    let Some(actor) = hotseat.actor() else {
        return;
    };
    let s = play.scenario();
    let name = s.actors[actor].name.clone();
    let code = names::actor_code(&s.actors[actor].id);
    commands
        .spawn(widgets::screen_root(Screen::Curtain))
        .with_children(|root| {
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                justify_content: JustifyContent::Center,
                row_gap: px(30),
                ..default()
            })
            .with_children(|main| {
                main.spawn(widgets::text(
                    f,
                    format!(
                        "Turn {} · secret orders · team {} of {}",
                        play.state.turn,
                        hotseat.current + 1,
                        hotseat.queue.len()
                    ),
                    size::LARGE,
                    theme::CHALK_SOFT,
                ));
                main.spawn(widgets::token(f, actor, &code, 140.0));
                main.spawn(widgets::bold(
                    f,
                    format!("Pass the keyboard to Team {name}"),
                    size::HUGE * 0.8,
                    theme::CHALK,
                ));
                main.spawn(widgets::text(
                    f,
                    "Everyone else: look away from the screen until the curtain is back.",
                    size::HEADING,
                    theme::CHALK_SOFT,
                ));
                main.spawn(Node {
                    height: px(30),
                    ..default()
                });
                main.spawn(widgets::row(24)).with_children(|r| {
                    r.spawn(widgets::button(
                        f,
                        "Back to the board",
                        KeyCode::Escape,
                        UiAction::BackToBoard,
                        Kind::Secondary,
                    ));
                    r.spawn(widgets::button(
                        f,
                        format!("We are Team {name}: show our situation"),
                        KeyCode::Enter,
                        UiAction::LiftCurtain,
                        Kind::Primary,
                    ));
                });
            });
        });
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    mut clock: ResMut<TurnClock>,
    mut next: ResMut<NextState<Screen>>,
) {
    match (screen.get(), action.event()) {
        (Screen::Curtain, UiAction::LiftCurtain) => {
            clock.team = std::time::Duration::ZERO;
            next.set(Screen::Orders);
        }
        // Esc from the curtain or a team's orders: back to the board; the round (and the
        // team's draft) is kept, and Enter on the board resumes it at the same team.
        (Screen::Curtain | Screen::Orders, UiAction::BackToBoard) => next.set(Screen::Board),
        _ => {}
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Curtain), build)
        .add_observer(on_action);
}
