//! The facilitator's curtain, for a room with one screen: before the console opens as an
//! overlay on the main window ([`crate::gui::console`]), a full screen that shows nothing
//! secret tells the facilitator to blank or freeze the projector. Only the next key press shows
//! the console; Esc goes back to the board from either.

use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::console::{ConsoleState, ConsoleWanted};
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Screen, ScreenRoot, clear_screen};

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    second_window: Option<Res<ConsoleWanted>>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    commands
        .spawn(widgets::screen_root(Screen::ConsoleCurtain))
        .with_children(|root| {
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                justify_content: JustifyContent::Center,
                row_gap: px(30),
                padding: UiRect::axes(px(80), px(40)),
                ..default()
            })
            .with_children(|main| {
                main.spawn(widgets::bold(
                    f,
                    "Facilitator's console",
                    size::HUGE * 0.8,
                    theme::CHALK,
                ));
                main.spawn((
                    widgets::text(
                        f,
                        "Blank the projector (or freeze it) before you go on: the console shows the \
                         hidden truth, the bots' intentions and the coming turn's dice.",
                        size::HEADING,
                        theme::CHALK_SOFT,
                    ),
                    TextLayout::justify(Justify::Center),
                ));
                if second_window.is_some() {
                    main.spawn(widgets::text(
                        f,
                        "The console is also open in its own window, on the laptop's screen.",
                        size::BODY,
                        theme::CHALK_SOFT,
                    ));
                }
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
                        "The projector is blank: open the console",
                        KeyCode::Enter,
                        UiAction::ShowConsole,
                        Kind::Primary,
                    ));
                });
            });
        });
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    second_window: Option<Res<ConsoleWanted>>,
    console: Option<ResMut<ConsoleState>>,
    mut next: ResMut<NextState<Screen>>,
) {
    match (screen.get(), action.event()) {
        (Screen::ConsoleCurtain, UiAction::ShowConsole) => next.set(Screen::Console),
        // The board is built on entering it, in the same frame the console's overlay goes:
        // no frame shows the console over a half-built board.
        (Screen::ConsoleCurtain | Screen::Console, UiAction::BackToBoard) => {
            // A reason half typed on the overlay (closed with the mouse) is dropped, unless the
            // console's own window still shows it.
            if second_window.is_none()
                && let Some(mut console) = console
            {
                console.cancel_typing();
            }
            next.set(Screen::Board)
        }
        _ => {}
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::ConsoleCurtain), build)
        .add_observer(on_action);
}
