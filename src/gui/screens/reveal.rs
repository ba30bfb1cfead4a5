//! The resolution reveal: what the world can see of the turn, step by step, then the board.

use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::pieces;
use crate::gui::session::{Play, RevealState};
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Redraw, Screen, ScreenRoot, clear_screen};
use crate::sim::{GameLog, GameState, LoadedScenario};
use crate::view;

/// Steps visible at once (older ones scroll off the top).
const VISIBLE: usize = 9;

/// Computes the public steps of a resolved turn into [`RevealState`].
pub fn prepare(world: &mut World, turn: u32) {
    let steps = {
        let loaded = world.resource::<LoadedScenario>();
        let log = world.resource::<GameLog>();
        let state = world.get_resource::<GameState>();
        view::reveal_steps(&loaded.scenario, state, log, turn)
    };
    world.insert_resource(RevealState {
        turn,
        shown: 1.min(steps.len()),
        steps,
    });
}

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    play: Play,
    reveal: Res<RevealState>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    let done = reveal.shown >= reveal.steps.len();
    let over = play.state.is_over();
    commands
        .spawn(widgets::screen_root(Screen::Reveal))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                format!("Turn {} — what the world sees", reveal.turn),
                format!("step {} of {}", reveal.shown, reveal.steps.len()),
            ));
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(px(80), px(28)),
                row_gap: px(12),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|list| {
                if reveal.steps.is_empty() {
                    list.spawn(widgets::text(
                        f,
                        "A quiet turn: nothing the world could see happened.",
                        size::HEADING,
                        theme::CHALK,
                    ));
                }
                let shown = &reveal.steps[..reveal.shown];
                let from = shown.len().saturating_sub(VISIBLE);
                if from > 0 {
                    list.spawn(widgets::text(
                        f,
                        format!("… {from} earlier step(s)"),
                        size::SMALL,
                        theme::CHALK_SOFT,
                    ));
                }
                for (i, step) in shown.iter().enumerate().skip(from) {
                    pieces::reveal_step(list, f, step, i + 1 == shown.len());
                }
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::text(
                    f,
                    format!("Crisis level: {}", play.board().crisis_name),
                    size::BODY,
                    theme::CHALK_SOFT,
                ));
                footer.spawn(widgets::spacer());
                if !done {
                    footer.spawn(widgets::button(
                        f,
                        "Show all",
                        KeyCode::KeyA,
                        UiAction::RevealAll,
                        Kind::Secondary,
                    ));
                    footer.spawn(widgets::button(
                        f,
                        "Next",
                        KeyCode::Space,
                        UiAction::RevealNext,
                        Kind::Primary,
                    ));
                }
                // The way on only once every step has been shown: it never reads "To the
                // debrief" while the room has not yet seen how the game ended.
                if done {
                    footer.spawn(widgets::button(
                        f,
                        if over {
                            "To the debrief"
                        } else {
                            "Back to the board"
                        },
                        KeyCode::Enter,
                        UiAction::FinishReveal,
                        Kind::Primary,
                    ));
                }
            });
        });
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    mut reveal: ResMut<RevealState>,
    play: Option<Play>,
    mut next: ResMut<NextState<Screen>>,
    mut redraw: MessageWriter<Redraw>,
) {
    if *screen.get() != Screen::Reveal {
        return;
    }
    match action.event() {
        UiAction::RevealNext => {
            reveal.shown = (reveal.shown + 1).min(reveal.steps.len());
        }
        UiAction::RevealAll => reveal.shown = reveal.steps.len(),
        UiAction::FinishReveal if reveal.shown >= reveal.steps.len() => {
            let over = play.as_ref().is_some_and(|p| p.state.is_over());
            // News due this turn is briefed before the teams order.
            let briefing = play.is_some_and(|p| !p.due_injects().is_empty());
            next.set(if over {
                Screen::Debrief
            } else if briefing {
                Screen::Briefing
            } else {
                Screen::Board
            });
            return;
        }
        _ => return,
    }
    redraw.write(Redraw);
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Reveal), build)
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::Reveal).and_then(on_message::<Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_observer(on_action);
}
