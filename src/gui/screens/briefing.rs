//! The briefing: the scenario's situation, the actors, the teams' objectives.

use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::session::Play;
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Screen, ScreenRoot, clear_screen};
use crate::view::names;

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    play: Play,
    page: Res<BriefingPage>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    let s = play.scenario();
    let board = play.board();
    let due = play.due_injects();
    if play.state.turn > 1 || page.news {
        turn_briefing(&mut commands, f, &play, &due);
        return;
    }
    commands
        .spawn(widgets::screen_root(Screen::Briefing))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                format!("Briefing — {}", s.meta.title),
                format!(
                    "{} turns of one {} · starts {} · seed {}",
                    s.meta.turns,
                    s.meta.turn_label,
                    if s.meta.start_label.is_empty() {
                        "now"
                    } else {
                        &s.meta.start_label
                    },
                    play.session.seed
                ),
            ));
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Row,
                padding: UiRect::all(px(32)),
                column_gap: px(32),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|main| {
                main.spawn(widgets::card(px(760)))
                    .insert(Node {
                        width: px(760),
                        flex_shrink: 0.0,
                        flex_direction: FlexDirection::Column,
                        padding: UiRect::all(px(18)),
                        row_gap: px(8),
                        border_radius: BorderRadius::all(px(14)),
                        ..default()
                    })
                    .with_children(|c| {
                    c.spawn(widgets::card_band(f, "THE SITUATION", theme::okabe_ito::SKY_BLUE));
                    c.spawn(widgets::para(
                        f,
                        if s.meta.briefing.is_empty() {
                            s.meta.summary.clone()
                        } else {
                            s.meta.briefing.clone()
                        },
                        size::BODY,
                        theme::INK,
                        px(700),
                    ));
                    if let Some(top) = board.ladder.last() {
                        c.spawn(widgets::text(
                            f,
                            format!(
                                "The escalation ladder has {} rungs, from “{}” to “{}”. Crossing a named threshold changes the character of the crisis.",
                                board.ladder.len(),
                                board.ladder.first().map(|r| r.name.as_str()).unwrap_or(""),
                                top.name
                            ),
                            size::SMALL,
                            theme::INK_SOFT,
                        ));
                    }
                });
                main.spawn(Node {
                    flex_grow: 1.0,
                    min_width: px(0),
                    flex_direction: FlexDirection::Column,
                    row_gap: px(6),
                    ..default()
                })
                .with_children(|col| {
                    col.spawn(widgets::bold(f, "The actors", size::LARGE, theme::CHALK));
                    for card in &board.actors {
                        let actor = &s.actors[card.index];
                        col.spawn((
                            Node {
                                flex_direction: FlexDirection::Row,
                                align_items: AlignItems::Center,
                                column_gap: px(14),
                                padding: UiRect::axes(px(12), px(5)),
                                border_radius: BorderRadius::all(px(12)),
                                ..default()
                            },
                            BackgroundColor(theme::PAPER),
                        ))
                        .with_children(|r| {
                            r.spawn(widgets::token(f, card.index, &card.code, 40.0));
                            r.spawn(Node {
                                flex_direction: FlexDirection::Column,
                                flex_shrink: 1.0,
                                row_gap: px(2),
                                ..default()
                            })
                            .with_children(|c| {
                                c.spawn(widgets::bold(
                                    f,
                                    format!("{} — {}", card.name, card.controller),
                                    size::BODY,
                                    theme::INK,
                                ));
                                let line = if card.is_team && !actor.objectives.is_empty() {
                                    format!("Objectives: {}", actor.objectives)
                                } else {
                                    format!("{} · starts on “{}”", names::kind(actor.kind), card.rung_name)
                                };
                                c.spawn(widgets::text(f, line, size::SMALL, theme::INK_SOFT));
                            });
                        });
                    }
                });
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::text(
                    f,
                    "Read the situation aloud; each team notes its objectives.",
                    size::BODY,
                    theme::CHALK_SOFT,
                ));
                footer.spawn(widgets::spacer());
                // The news due on turn 1 is briefed on its own page before the board.
                footer.spawn(if due.is_empty() {
                    widgets::button(f, "To the board", KeyCode::Enter, UiAction::Go(Screen::Board), Kind::Primary)
                } else {
                    widgets::button(f, "This turn's news", KeyCode::Enter, UiAction::BriefNews, Kind::Primary)
                });
            });
        });
}

/// Which page of the briefing shows: the situation (turn 1) or the turn's news.
#[derive(Resource, Debug, Default)]
pub struct BriefingPage {
    /// The news page.
    pub news: bool,
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    mut page: ResMut<BriefingPage>,
    mut redraw: MessageWriter<crate::gui::Redraw>,
) {
    if *screen.get() == Screen::Briefing && *action.event() == UiAction::BriefNews {
        page.news = true;
        redraw.write(crate::gui::Redraw);
    }
}

/// The news due this turn: headline and the inject's text (the lesson, the facilitator's notes).
fn news_cards(parent: &mut ChildSpawnerCommands, f: &Fonts, due: &[(String, String)]) {
    for (headline, text) in due {
        parent.spawn(widgets::card_band(f, "☰ NEWS THIS TURN", theme::ACCENT));
        parent.spawn(widgets::bold(f, headline.clone(), size::LARGE, theme::INK));
        if !text.is_empty() {
            parent.spawn(widgets::text(f, text.clone(), size::BODY, theme::INK));
        }
    }
}

/// A turn's briefing (turn 2 on): the news it opens with, read before the teams order.
fn turn_briefing(commands: &mut Commands, f: &Fonts, play: &Play, due: &[(String, String)]) {
    let s = play.scenario();
    commands
        .spawn(widgets::screen_root(Screen::Briefing))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                format!("Turn {} briefing — {}", play.state.turn, s.meta.title),
                format!(
                    "{} of {} · before the orders",
                    play.state.turn, s.meta.turns
                ),
            ));
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                padding: UiRect::all(px(32)),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|main| {
                main.spawn(widgets::card(px(1200))).with_children(|c| {
                    news_cards(c, f, due);
                    c.spawn(widgets::text(
                        f,
                        "It airs as the turn resolves; the teams order knowing it.",
                        size::SMALL,
                        theme::INK_SOFT,
                    ));
                });
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::text(
                    f,
                    "Read the news aloud before the teams order.",
                    size::BODY,
                    theme::CHALK_SOFT,
                ));
                footer.spawn(widgets::spacer());
                footer.spawn(widgets::button(
                    f,
                    "To the board",
                    KeyCode::Enter,
                    UiAction::Go(Screen::Board),
                    Kind::Primary,
                ));
            });
        });
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<BriefingPage>()
        .add_observer(on_action)
        .add_systems(
            OnExit(Screen::Briefing),
            |mut page: ResMut<BriefingPage>| {
                page.news = false;
            },
        )
        .add_systems(OnEnter(Screen::Briefing), build)
        .add_systems(
            Update,
            // An edit to the briefing shows at once (live edit).
            build
                .run_if(in_state(Screen::Briefing).and_then(on_message::<crate::gui::Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        );
}
