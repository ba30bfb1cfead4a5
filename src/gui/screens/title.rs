//! The title screen.

use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::session;
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Screen, ScreenRoot, clear_screen};

/// Why the last resume failed (shown on the title screen, rustc style, until the next try).
#[derive(Resource, Debug, Clone)]
struct ResumeFailed(String);

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    failed: Option<Res<ResumeFailed>>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
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
                if let Some(failed) = &failed {
                    let excerpt: Vec<&str> = failed.0.lines().take(16).collect();
                    main.spawn((
                        Node {
                            flex_direction: FlexDirection::Column,
                            row_gap: px(6),
                            max_width: px(1500),
                            padding: UiRect::all(px(14)),
                            border: UiRect::left(px(10)),
                            border_radius: BorderRadius::all(px(10)),
                            ..default()
                        },
                        BackgroundColor(theme::PAPER),
                        BorderColor::all(theme::DANGER),
                        children![
                            widgets::bold(f, "⚠ The session cannot be resumed", size::BODY, theme::INK),
                            (
                                Text::new(excerpt.join("\n")),
                                f.mono(17.0),
                                TextColor(theme::INK),
                            )
                        ],
                    ));
                }
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::text(
                    f,
                    "Every action has a key, printed on its button. F11: full screen for the projector.",
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
        Ok(_) => {
            world.remove_resource::<ResumeFailed>();
            world.resource_mut::<NextState<Screen>>().set(Screen::Board);
        }
        Err(e) => {
            error!("cannot resume: {e}");
            world.insert_resource(ResumeFailed(e));
            world.write_message(crate::gui::Redraw);
        }
    });
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Title), build)
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::Title).and_then(on_message::<crate::gui::Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_observer(on_action);
}
