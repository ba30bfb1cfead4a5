//! A team's secret orders: its private view (its own hidden information only) and its action
//! cards. Confirming passes the keyboard on (curtain) or resolves the turn after the last team.

use bevy::prelude::*;

use crate::gui::actions::UiAction;
use crate::gui::pieces;
use crate::gui::session::{self, Hotseat, Play};
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Redraw, Screen, ScreenRoot, clear_screen};
use crate::sim::Order;
use crate::view::TeamView;

/// Cards shown per page.
const PAGE: usize = 6;
/// Cards per row.
const PER_ROW: usize = 3;
/// Width of an action card: three to a row beside the two secret columns.
const CARD_WIDTH: f32 = 322.0;

fn section(parent: &mut ChildSpawnerCommands, fonts: &Fonts, title: &str) {
    parent.spawn(widgets::bold(
        fonts,
        title.to_string(),
        size::BODY,
        theme::INK,
    ));
}

/// Width of the column with the team's own card and its stakes.
const STAKES_WIDTH: f32 = 430.0;
/// Width of the column with what the team knows: operations, incidents, swarms.
const INTEL_WIDTH: f32 = 400.0;
/// Type size of the lines in the secret panels (objectives, operations, incidents).
const LINE: f32 = 18.0;

/// A column of the secret side of the screen.
fn column(width: f32) -> Node {
    Node {
        width: px(width),
        flex_shrink: 0.0,
        flex_direction: FlexDirection::Column,
        row_gap: px(12),
        overflow: Overflow::clip(),
        ..default()
    }
}

/// A line with a hanging mark: the mark in its own narrow column, the text wrapping beside it.
fn marked_line(
    parent: &mut ChildSpawnerCommands,
    f: &Fonts,
    (mark, mark_width): (String, f32),
    text: String,
    soft: Option<String>,
    colour: Color,
) {
    parent
        .spawn(Node {
            flex_direction: FlexDirection::Row,
            column_gap: px(6),
            width: percent(100),
            ..default()
        })
        .with_children(|row| {
            row.spawn((
                widgets::bold(f, mark, LINE, colour),
                Node {
                    width: px(mark_width),
                    flex_shrink: 0.0,
                    ..default()
                },
            ));
            let mut line = row.spawn((
                widgets::text(f, text, LINE, colour),
                Node {
                    flex_grow: 1.0,
                    flex_shrink: 1.0,
                    flex_basis: px(0),
                    ..default()
                },
            ));
            if let Some(soft) = soft {
                line.with_child((
                    TextSpan::new(soft),
                    f.regular(LINE - 1.0),
                    TextColor(theme::INK_SOFT),
                ));
            }
        });
}

/// The team's own card and what it is playing for: its rules of engagement and its objectives
/// with how far each is met.
fn stakes(parent: &mut ChildSpawnerCommands, f: &Fonts, team: &TeamView) {
    parent.spawn(column(STAKES_WIDTH)).with_children(|col| {
        pieces::actor_card(col, f, &team.card, STAKES_WIDTH, None);
        col.spawn(widgets::card(px(STAKES_WIDTH)))
            .with_children(|c| {
                c.spawn(widgets::card_band(f, "◌ SECRET — OUR STAKES", theme::INK));
                c.spawn(widgets::text(
                    f,
                    format!("Rules of engagement allow up to: {}", team.threshold_name),
                    LINE,
                    theme::INK,
                ));
                if !team.goals.is_empty() {
                    section(
                        c,
                        f,
                        &format!("Objectives — score {:.0} / 100", 100.0 * team.score),
                    );
                    for g in &team.goals {
                        marked_line(
                            c,
                            f,
                            (
                                format!(
                                    "{} {:.0} %",
                                    if g.value >= 0.5 { "✔" } else { "✘" },
                                    100.0 * g.value
                                ),
                                92.0,
                            ),
                            g.text.clone(),
                            Some(format!(" · {}, weight {}", g.kind, g.weight)),
                            theme::INK,
                        );
                    }
                }
            });
    });
}

/// What the team knows that the room does not: red lines it must answer, its proposals, its
/// operations and how they went, incidents against it, where it stands with the swarms.
fn intelligence(parent: &mut ChildSpawnerCommands, f: &Fonts, team: &TeamView) {
    parent.spawn(column(INTEL_WIDTH)).with_children(|col| {
        col.spawn(widgets::card(px(INTEL_WIDTH)))
            .with_children(|c| {
                c.spawn(widgets::card_band(f, "◌ SECRET — INTELLIGENCE", theme::INK));
                for o in &team.obligations {
                    marked_line(
                        c,
                        f,
                        ("⚑".into(), 20.0),
                        format!(
                            "“{}” was crossed by {}: answer by turn {}",
                            o.red_line, o.culprit, o.due
                        ),
                        None,
                        theme::DANGER,
                    );
                }
                for p in &team.proposals {
                    marked_line(c, f, ("✉".into(), 20.0), p.clone(), None, theme::INK);
                }
                // Red lines to answer take room: then fewer operations and incidents.
                let recent = if team.obligations.is_empty() { 3 } else { 2 };
                section(c, f, "Our operations");
                if team.operations.is_empty() {
                    c.spawn(widgets::text(f, "None yet.", LINE, theme::INK_SOFT));
                }
                for op in team.operations.iter().take(recent) {
                    marked_line(
                        c,
                        f,
                        (format!("T{}", op.turn), 40.0),
                        format!(
                            "{} → {} · {}",
                            op.action,
                            op.victim,
                            if op.success {
                                "✔ success"
                            } else {
                                "✖ failed"
                            },
                        ),
                        Some(format!(" · {}", op.status)),
                        theme::INK,
                    );
                }
                section(c, f, "Incidents against us");
                if team.incidents.is_empty() {
                    c.spawn(widgets::text(f, "None detected.", LINE, theme::INK_SOFT));
                }
                for i in team.incidents.iter().take(recent) {
                    marked_line(
                        c,
                        f,
                        (format!("T{}", i.turn), 40.0),
                        format!(
                            "{} · suspect: {}",
                            i.action,
                            i.suspect.clone().unwrap_or_else(|| "unknown".into()),
                        ),
                        Some(format!(" · {} ({} %)", i.level, i.confidence)),
                        theme::INK,
                    );
                }
                if !team.swarms.is_empty() {
                    section(c, f, "Swarms");
                }
                for (name, stance) in &team.swarms {
                    marked_line(
                        c,
                        f,
                        ("•".into(), 20.0),
                        format!("{name}: you {stance}"),
                        None,
                        theme::INK,
                    );
                }
            });
    });
}

/// A proposal's terms in the orders tray, with a warning when accepting may end the game.
fn proposal_terms(
    tray: &mut ChildSpawnerCommands,
    f: &Fonts,
    p: &crate::view::team::IncomingProposal,
    endings: &[String],
    warned: bool,
) {
    tray.spawn(widgets::para(
        f,
        format!("Terms: {}", p.text),
        size::SMALL,
        theme::CHALK_SOFT,
        percent(100),
    ));
    if !endings.is_empty() {
        let warning = format!("⚠ Accepting may end the game: “{}”.", endings.join("”, “"));
        let colour = if warned { theme::ACCENT } else { theme::CHALK };
        tray.spawn(widgets::bold(
            f,
            if warned {
                format!("{warning} Press Y again to accept.")
            } else {
                warning
            },
            size::SMALL,
            colour,
        ));
    }
}

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    play: Play,
    hotseat: Res<Hotseat>,
    clock: Res<session::TurnClock>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    let Some(actor) = hotseat.actor() else {
        return;
    };
    let team = play.team(actor);
    let drafted = hotseat.drafts.get(&actor).cloned().unwrap_or_default();
    let limit = team.orders_per_turn as usize;
    let selected = hotseat.card.min(team.cards.len().saturating_sub(1));
    let page_start = selected / PAGE * PAGE;
    commands
        .spawn(widgets::screen_root(Screen::Orders))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                format!("Team {} — secret orders", team.card.name),
                format!(
                    "Turn {} · {} of {} orders chosen",
                    play.state.turn,
                    drafted.len(),
                    limit
                ),
            ));
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Row,
                padding: UiRect::all(px(20)),
                column_gap: px(24),
                overflow: Overflow::clip(),
                ..default()
            })
            .with_children(|main| {
                stakes(main, f, &team);
                intelligence(main, f, &team);
                main.spawn(Node {
                    flex_grow: 1.0,
                    flex_direction: FlexDirection::Column,
                    row_gap: px(14),
                    ..default()
                })
                .with_children(|right| {
                    right.spawn(widgets::row(16)).with_children(|r| {
                        r.spawn(widgets::bold(f, "ACTION CARDS", size::LARGE, theme::CHALK));
                        r.spawn(widgets::text(
                            f,
                            format!(
                                "{} playable · page {} of {}",
                                team.cards.len(),
                                page_start / PAGE + 1,
                                team.cards.len().div_ceil(PAGE).max(1)
                            ),
                            size::BODY,
                            theme::CHALK_SOFT,
                        ));
                    });
                    right
                        .spawn(Node {
                            flex_direction: FlexDirection::Row,
                            flex_wrap: FlexWrap::Wrap,
                            column_gap: px(14),
                            row_gap: px(14),
                            ..default()
                        })
                        .with_children(|grid| {
                            for (i, card) in team
                                .cards
                                .iter()
                                .enumerate()
                                .skip(page_start)
                                .take(PAGE)
                            {
                                pieces::action_card(grid, f, card, i, i == selected, CARD_WIDTH);
                            }
                        });
                    // The highlighted card in full, with its target.
                    if let Some(card) = team.cards.get(selected) {
                        right.spawn(widgets::card(percent(100))).with_children(|c| {
                            // The pills go under a long name rather than squeeze it.
                            c.spawn(Node {
                                flex_wrap: FlexWrap::Wrap,
                                row_gap: px(6),
                                ..widgets::row(12)
                            })
                            .with_children(|r| {
                                r.spawn(widgets::bold(f, card.name.clone(), size::LARGE, theme::INK));
                                r.spawn(widgets::outline_pill(
                                    f,
                                    pieces::visibility_glyph(&card.visibility),
                                    theme::INK,
                                ));
                                r.spawn(widgets::pill(
                                    f,
                                    format!("▲ rung: {}", card.rung_name),
                                    theme::INK,
                                    theme::PAPER,
                                ));
                            });
                            if !card.description.is_empty() {
                                c.spawn(widgets::text(
                                    f,
                                    card.description.clone(),
                                    size::SMALL,
                                    theme::INK_SOFT,
                                ));
                            }
                            for (id, text) in &card.breaks {
                                c.spawn(widgets::text(
                                    f,
                                    format!("✖ breaks norm {id}: {text}"),
                                    size::SMALL,
                                    theme::DANGER,
                                ));
                            }
                            for (id, text) in &card.upholds {
                                c.spawn(widgets::text(
                                    f,
                                    format!("✔ upholds norm {id}: {text}"),
                                    size::SMALL,
                                    theme::GOOD,
                                ));
                            }
                            let (target, chance) = if card.targets.is_empty() {
                                ("no target".to_string(), card.chance.clone())
                            } else {
                                let t = hotseat.target % card.targets.len();
                                (
                                    format!(
                                        "target {} of {}: {}",
                                        t + 1,
                                        card.targets.len(),
                                        card.targets[t].1
                                    ),
                                    card.target_chances[t].clone(),
                                )
                            };
                            c.spawn(widgets::row(14)).with_children(|r| {
                                r.spawn(widgets::bold(
                                    f,
                                    format!("◎ {target}"),
                                    size::BODY,
                                    theme::INK,
                                ));
                                r.spawn(widgets::pill(
                                    f,
                                    format!("chance ≈ {} % ({})", chance.0, chance.1),
                                    theme::PAPER_DIM,
                                    theme::INK,
                                ));
                            });
                        });
                    }
                    // The orders tray.
                    right
                        .spawn((
                            Node {
                                width: percent(100),
                                flex_direction: FlexDirection::Column,
                                padding: UiRect::all(px(14)),
                                row_gap: px(6),
                                border: UiRect::all(px(3)),
                                border_radius: BorderRadius::all(px(12)),
                                ..default()
                            },
                            BorderColor::all(theme::ACCENT),
                        ))
                        .with_children(|tray| {
                            tray.spawn(widgets::bold(
                                f,
                                format!("OUR ORDERS ({} of {})", drafted.len(), limit),
                                size::BODY,
                                theme::ACCENT,
                            ));
                            if drafted.is_empty() {
                                tray.spawn(widgets::text(
                                    f,
                                    "No orders: we hold this turn (Space adds the highlighted card).",
                                    size::SMALL,
                                    theme::CHALK_SOFT,
                                ));
                            }
                            let answers = hotseat.answers.get(&actor).cloned().unwrap_or_default();
                            for p in &team.incoming {
                                let answer = answers.iter().find(|(id, _)| *id == p.id).map(|a| a.1);
                                proposal_terms(tray, f, p, &session::endings_on_acceptance(play.scenario(), &p.id), hotseat.warned.as_deref() == Some(p.id.as_str()));
                                tray.spawn(widgets::bold(
                                    f,
                                    format!(
                                        "✉ {} proposes “{}”: {}",
                                        p.from,
                                        p.name,
                                        match answer {
                                            Some(true) => "✔ we ACCEPT",
                                            Some(false) => "✖ we refuse",
                                            None => "undecided (refused unless we accept) — Y accept / N refuse",
                                        }
                                    ),
                                    size::SMALL,
                                    theme::CHALK,
                                ));
                            }
                            // The answer keys beside the proposals (never pushing Confirm off the footer).
                            if !team.incoming.is_empty() {
                                tray.spawn(widgets::row(12)).with_children(|r| {
                                    r.spawn(widgets::button(f, "Accept", KeyCode::KeyY, UiAction::AnswerProposal(true), Kind::Secondary));
                                    r.spawn(widgets::button(f, "Refuse", KeyCode::KeyN, UiAction::AnswerProposal(false), Kind::Secondary));
                                });
                            }
                            for (n, o) in drafted.iter().enumerate() {
                                let name = play
                                    .scenario()
                                    .actions
                                    .iter()
                                    .find(|a| a.id == o.action)
                                    .map(|a| a.name.clone())
                                    .unwrap_or_else(|| o.action.clone());
                                let target = o
                                    .target
                                    .as_deref()
                                    .map(|t| format!(" → {}", crate::view::names::actor_name_by_id(play.scenario(), t)))
                                    .unwrap_or_default();
                                tray.spawn(widgets::bold(
                                    f,
                                    format!("{}. {name}{target}", n + 1),
                                    size::BODY,
                                    theme::CHALK,
                                ));
                            }
                        });
                });
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::button(f, "Card", KeyCode::ArrowLeft, UiAction::MoveCard(-1), Kind::Secondary));
                footer.spawn(widgets::button(f, "Card", KeyCode::ArrowRight, UiAction::MoveCard(1), Kind::Secondary));
                footer.spawn(widgets::button(f, "Row", KeyCode::ArrowDown, UiAction::MoveCard(PER_ROW as i32), Kind::Secondary));
                footer.spawn(widgets::button(f, "Target", KeyCode::Tab, UiAction::CycleTarget, Kind::Secondary));
                footer.spawn(widgets::button(f, "Add", KeyCode::Space, UiAction::AddOrder, Kind::Secondary));
                footer.spawn(widgets::button(f, "Remove", KeyCode::Backspace, UiAction::RemoveOrder, Kind::Secondary));
                footer.spawn(widgets::spacer());
                footer.spawn(widgets::button(f, "Board", KeyCode::Escape, UiAction::BackToBoard, Kind::Secondary));
                footer.spawn((
                    widgets::text(
                        f,
                        session::clock_label(session::ClockText::Team, clock.team),
                        size::BODY,
                        theme::CHALK_SOFT,
                    ),
                    Node { flex_shrink: 0.0, ..default() },
                    session::ClockText::Team,
                ));
                footer.spawn(widgets::button(
                    f,
                    "Confirm orders",
                    KeyCode::Enter,
                    UiAction::ConfirmOrders,
                    Kind::Primary,
                ));
            });
        });
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    play: Option<Play>,
    mut hotseat: ResMut<Hotseat>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
    mut redraw: MessageWriter<Redraw>,
) {
    if *screen.get() != Screen::Orders {
        return;
    }
    let (Some(play), Some(actor)) = (play, hotseat.actor()) else {
        return;
    };
    let team = play.team(actor);
    let n = team.cards.len();
    let limit = team.orders_per_turn as usize;
    match action.event() {
        UiAction::SelectCard(i) if *i < n => {
            if hotseat.card == *i {
                commands.trigger(UiAction::AddOrder);
            } else {
                hotseat.card = *i;
                hotseat.target = 0;
            }
        }
        UiAction::MoveCard(d) if n > 0 => {
            hotseat.card = (hotseat.card as i32 + d).rem_euclid(n as i32) as usize;
            hotseat.target = 0;
        }
        UiAction::CycleTarget => {
            hotseat.target += 1;
        }
        UiAction::AddOrder => {
            let Some(card) = team.cards.get(hotseat.card.min(n.saturating_sub(1))) else {
                return;
            };
            let target = if card.targets.is_empty() {
                None
            } else {
                let t = hotseat.target % card.targets.len();
                Some(play.scenario().actors[card.targets[t].0].id.clone())
            };
            let draft = hotseat.drafts.entry(actor).or_default();
            if draft.len() < limit {
                draft.push(Order {
                    action: card.id.clone(),
                    target,
                });
            }
        }
        UiAction::AnswerProposal(yes) => {
            let answers = hotseat.answers.get(&actor).cloned().unwrap_or_default();
            // The first proposal without an answer, else the last one (to change one's mind).
            let target = team
                .incoming
                .iter()
                .find(|p| !answers.iter().any(|(id, _)| *id == p.id))
                .or(team.incoming.last());
            if let Some(p) = target {
                // Accepting what may end the game takes a second press, after the warning.
                let ends = !session::endings_on_acceptance(play.scenario(), &p.id).is_empty();
                if *yes && ends && hotseat.warned.as_deref() != Some(p.id.as_str()) {
                    hotseat.warned = Some(p.id.clone());
                } else {
                    let answers = hotseat.answers.entry(actor).or_default();
                    answers.retain(|(id, _)| *id != p.id);
                    answers.push((p.id.clone(), *yes));
                }
            }
        }
        UiAction::RemoveOrder => {
            hotseat.drafts.entry(actor).or_default().pop();
        }
        UiAction::ConfirmOrders => {
            commands.queue(move |world: &mut World| session::submit_team(world, actor));
            hotseat.current += 1;
            hotseat.card = 0;
            hotseat.target = 0;
            if hotseat.actor().is_some() {
                next.set(Screen::Curtain);
            } else {
                commands.queue(|world: &mut World| {
                    let turn = session::resolve_turn(world);
                    super::reveal::prepare(world, turn);
                });
                next.set(Screen::Reveal);
            }
            return;
        }
        _ => return,
    }
    redraw.write(Redraw);
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Orders), build)
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::Orders).and_then(on_message::<Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_observer(on_action);
}
