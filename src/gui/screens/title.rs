//! The title screen.

use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::session;
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Screen, ScreenRoot, clear_screen};

fn build(mut commands: Commands, fonts: Res<Fonts>, roots: Query<Entity, With<ScreenRoot>>) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    commands
        .spawn(widgets::screen_root(Screen::Title))
        .with_children(|root| {
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                justify_content: JustifyContent::Center,
                row_gap: px(28),
                ..default()
            })
            .with_children(|main| {
                main.spawn(widgets::bold(f, "GRAY ZONE", size::HUGE, theme::CHALK));
                main.spawn(widgets::text(
                    f,
                    "A turn-based cyber-escalation wargame for the workshop room",
                    size::HEADING,
                    theme::CHALK_SOFT,
                ));
                main.spawn(widgets::row(16)).with_children(|row| {
                    for (i, code) in ["A", "B", "C", "D", "E"].iter().enumerate() {
                        row.spawn(widgets::token(f, i, code, 64.0));
                    }
                });
                main.spawn(Node {
                    height: px(40),
                    ..default()
                });
                main.spawn(widgets::row(24)).with_children(|row| {
                    row.spawn(widgets::button(
                        f,
                        "Choose a scenario",
                        KeyCode::Enter,
                        UiAction::Go(Screen::ScenarioPicker),
                        Kind::Primary,
                    ));
                    if let Some((scenario, turns)) = session::autosave_summary() {
                        row.spawn(widgets::button(
                            f,
                            format!("Resume {scenario} after turn {turns}"),
                            KeyCode::KeyR,
                            UiAction::Resume,
                            Kind::Secondary,
                        ));
                    }
                    row.spawn(widgets::button(
                        f,
                        "Quit",
                        KeyCode::KeyQ,
                        UiAction::Quit,
                        Kind::Secondary,
                    ));
                });
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::text(
                    f,
                    "Every action has a key, printed on its button.",
                    size::BODY,
                    theme::CHALK_SOFT,
                ));
            });
        });
}

fn on_action(action: On<UiAction>, screen: Res<State<Screen>>, mut commands: Commands) {
    if *screen.get() != Screen::Title || *action.event() != UiAction::Resume {
        return;
    }
    commands.queue(|world: &mut World| match session::resume_autosave(world) {
        Ok(_) => world.resource_mut::<NextState<Screen>>().set(Screen::Board),
        Err(e) => error!("cannot resume: {e}"),
    });
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Title), build)
        .add_observer(on_action);
}
