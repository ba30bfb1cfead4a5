//! Game pieces drawn from view models: actor cards, the ladder, action cards, reveal steps.

use bevy::prelude::*;

use super::actions::{OnPress, UiAction};
use super::theme::{self, Fonts, size};
use super::widgets::{self, bold, card, card_band, text, token};
use crate::view::{ActionCard, ActorCard, RevealStep, RevealTone, RungView};

/// A compact bar: label and value on one line, a thin track below.
pub fn mini_bar(
    parent: &mut ChildSpawnerCommands,
    fonts: &Fonts,
    label: String,
    (shown, fraction): (&str, f32),
    colour: Color,
    width: Val,
) {
    parent
        .spawn(Node {
            width,
            flex_direction: FlexDirection::Column,
            row_gap: px(2),
            ..default()
        })
        .with_children(|b| {
            b.spawn(Node {
                flex_direction: FlexDirection::Row,
                justify_content: JustifyContent::SpaceBetween,
                column_gap: px(6),
                ..default()
            })
            .with_children(|r| {
                r.spawn(text(fonts, label, 17.0, theme::INK_SOFT));
                r.spawn(bold(fonts, shown.to_string(), 17.0, theme::INK));
            });
            b.spawn(widgets::bar_track(
                Node {
                    width: percent(100),
                    height: px(10),
                    border: UiRect::all(px(2)),
                    border_radius: BorderRadius::all(px(3)),
                    ..default()
                },
                fraction,
                // A white actor colour would vanish on paper: draw it in ink.
                if theme::luma(colour) > 0.9 {
                    theme::INK_SOFT
                } else {
                    colour
                },
            ));
        });
}

/// The gap between the two columns of attribute bars on an actor card.
const BAR_GAP: f32 = 12.0;

/// An actor card: token, name, who plays it, rung, attribute bars, red lines with their
/// credibility, relations. Fixed height so a board of many actors stays in place.
pub fn actor_card(
    parent: &mut ChildSpawnerCommands,
    fonts: &Fonts,
    a: &ActorCard,
    width: f32,
    height: Option<f32>,
) {
    // On the board the ladder shows the rung; a team's own card says it in words too.
    let detailed = height.is_none();
    let colour = theme::actor_colour(a.index);
    parent
        .spawn((card(px(width)), BorderColor::all(colour)))
        .insert(Node {
            width: px(width),
            height: height.map(px).unwrap_or(Val::Auto),
            flex_direction: FlexDirection::Column,
            padding: UiRect::axes(px(12), px(if detailed { 12 } else { 6 })),
            row_gap: px(if detailed { 6 } else { 3 }),
            border: UiRect::top(px(8)),
            border_radius: BorderRadius::all(px(12)),
            overflow: Overflow::clip(),
            ..default()
        })
        .with_children(|c| {
            c.spawn(Node {
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::Center,
                column_gap: px(10),
                ..default()
            })
            .with_children(|r| {
                r.spawn(token(
                    fonts,
                    a.index,
                    &a.code,
                    if detailed { 40.0 } else { 36.0 },
                ));
                r.spawn(Node {
                    flex_direction: FlexDirection::Column,
                    flex_grow: 1.0,
                    flex_shrink: 1.0,
                    ..default()
                })
                .with_children(|col| {
                    col.spawn(bold(fonts, a.name.clone(), size::BODY, theme::INK));
                    if detailed {
                        col.spawn(text(
                            fonts,
                            format!("▲ {} · {}", a.rung_name, a.controller),
                            17.0,
                            theme::INK_SOFT,
                        ));
                        // What the room sees of us, when our covert acts keep it lower.
                        if let Some((_, seen)) = &a.room_rung {
                            col.spawn(text(
                                fonts,
                                format!("◌ the room sees you at ▲ {seen}"),
                                17.0,
                                theme::INK_SOFT,
                            ));
                        }
                    }
                });
            });
            c.spawn(Node {
                flex_direction: FlexDirection::Row,
                flex_wrap: FlexWrap::Wrap,
                column_gap: px(BAR_GAP),
                row_gap: px(4),
                ..default()
            })
            .with_children(|bars| {
                for attr in &a.attrs {
                    let label = if attr.public {
                        attr.name.clone()
                    } else {
                        format!("◌ {}", attr.name)
                    };
                    mini_bar(
                        bars,
                        fonts,
                        label,
                        (&attr.shown, attr.fill),
                        colour,
                        px((width - 24.0 - BAR_GAP) / 2.0 - 1.0),
                    );
                }
            });
            for rl in &a.red_lines {
                red_line(c, fonts, rl);
            }
            if !a.relations.is_empty() {
                c.spawn(text(
                    fonts,
                    format!("⇄ {}", a.relations.join(" · ")),
                    size::SMALL,
                    theme::INK,
                ));
            }
            if !a.norms_broken.is_empty() {
                c.spawn(text(
                    fonts,
                    format!("✖ norms broken: {}", a.norms_broken.join(", ")),
                    size::SMALL,
                    theme::DANGER,
                ));
            }
        });
}

/// A red line with its credibility: its name in bold, its record after it in the same
/// paragraph (one line less on a card of fixed height).
pub fn red_line(parent: &mut ChildSpawnerCommands, fonts: &Fonts, rl: &crate::view::RedLineView) {
    let tag = if rl.public { "" } else { "PRIVATE · " };
    let record = if rl.crossed > 0 {
        format!(
            "credibility {} · crossed {}× · ✔{} ✖{}",
            rl.credibility, rl.crossed, rl.enforced, rl.ignored
        )
    } else {
        format!("credibility {} · not crossed", rl.credibility)
    };
    parent
        .spawn((
            Node {
                padding: UiRect::axes(px(8), px(2)),
                border: UiRect::left(px(6)),
                width: percent(100),
                ..default()
            },
            BorderColor::all(theme::DANGER),
            BackgroundColor(theme::PAPER_DIM),
        ))
        .with_children(|b| {
            b.spawn(bold(
                fonts,
                format!("⚑ {tag}{} ", rl.name),
                17.0,
                theme::INK,
            ))
            .with_child((
                TextSpan::new(format!("· {record}")),
                fonts.regular(16.0),
                TextColor(theme::INK_SOFT),
            ));
        });
}

/// The escalation ladder: rungs from the top down, actor tokens on their rungs, named thresholds
/// drawn across it, the crisis level marked.
pub fn ladder(
    parent: &mut ChildSpawnerCommands,
    fonts: &Fonts,
    rungs: &[RungView],
    markers: &[(usize, String, usize)],
    crisis: usize,
) {
    parent
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                flex_grow: 1.0,
                min_height: px(0),
                padding: UiRect::all(px(10)),
                border: UiRect::all(px(4)),
                border_radius: BorderRadius::all(px(14)),
                ..default()
            },
            // A frame only: the planks cover its inside, so painting it too would cost a
            // third of the window in fill on a software renderer for a few gaps of colour.
            BorderColor::all(Color::srgb(0.45, 0.36, 0.26)),
            crate::gui::ui_check::Panel::Plain,
        ))
        .with_children(|l| {
            for rung in rungs.iter().rev() {
                if let Some(t) = &rung.threshold_above {
                    threshold(l, fonts, &t.name, t.crossed_on);
                }
                let on_it: Vec<_> = markers.iter().filter(|m| m.2 == rung.position).collect();
                let is_crisis = rung.position == crisis;
                let highest = rungs.len().max(1) as f32;
                // Cool at the foot of the ladder, hot at the top; the crisis rung is outlined.
                let heat = rung.position as f32 / (highest - 1.0).max(1.0);
                let plank = Color::srgb(0.22 + 0.38 * heat, 0.30 - 0.14 * heat, 0.38 - 0.25 * heat);
                l.spawn((
                    Node {
                        flex_grow: 1.0,
                        flex_basis: px(0),
                        min_height: px(0),
                        flex_direction: FlexDirection::Row,
                        align_items: AlignItems::FlexStart,
                        column_gap: px(8),
                        padding: UiRect::axes(px(10), px(6)),
                        margin: UiRect::vertical(px(2)),
                        border: UiRect::all(px(if is_crisis { 4 } else { 0 })),
                        border_radius: BorderRadius::all(px(8)),
                        overflow: Overflow::clip(),
                        ..default()
                    },
                    BackgroundColor(plank),
                    BorderColor::all(theme::ACCENT),
                ))
                .with_children(|r| {
                    // The crisis rung's number is a filled badge (and the row is outlined).
                    r.spawn((
                        Node {
                            width: px(34),
                            height: px(34),
                            flex_shrink: 0.0,
                            justify_content: JustifyContent::Center,
                            align_items: AlignItems::Center,
                            border_radius: BorderRadius::all(px(6)),
                            ..default()
                        },
                        BackgroundColor(if is_crisis {
                            theme::ACCENT
                        } else {
                            Color::NONE
                        }),
                        children![bold(
                            fonts,
                            format!("{}", rung.position),
                            size::BODY,
                            if is_crisis {
                                theme::INK
                            } else {
                                theme::CHALK_SOFT
                            },
                        )],
                    ));
                    r.spawn((
                        bold(fonts, rung.name.clone(), size::SMALL, theme::CHALK),
                        Node {
                            width: px(280),
                            flex_shrink: 0.0,
                            ..default()
                        },
                    ));
                    r.spawn(Node {
                        flex_grow: 1.0,
                        flex_direction: FlexDirection::Row,
                        flex_wrap: FlexWrap::Wrap,
                        justify_content: JustifyContent::FlexEnd,
                        align_items: AlignItems::Center,
                        column_gap: px(4),
                        row_gap: px(4),
                        ..default()
                    })
                    .with_children(|tokens| {
                        // Smaller pieces when a rung is crowded, so all stay in view.
                        let size = if on_it.len() > 4 { 26.0 } else { 32.0 };
                        for (index, code, _) in &on_it {
                            tokens.spawn(token(fonts, *index, code, size));
                        }
                    });
                });
            }
        });
}

fn threshold(parent: &mut ChildSpawnerCommands, fonts: &Fonts, name: &str, crossed: Option<u32>) {
    let colour = if crossed.is_some() {
        theme::DANGER
    } else {
        theme::okabe_ito::YELLOW
    };
    parent
        .spawn(Node {
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: px(8),
            margin: UiRect::vertical(px(2)),
            ..default()
        })
        .with_children(|t| {
            // A dashed line: the threshold is drawn across the ladder.
            for _ in 0..3 {
                t.spawn((
                    Node {
                        width: px(22),
                        height: px(5),
                        ..default()
                    },
                    BackgroundColor(colour),
                ));
            }
            let label = match crossed {
                Some(turn) => format!("✖ {name} — crossed turn {turn}"),
                None => format!("┄ {name}"),
            };
            t.spawn(bold(fonts, label, size::SMALL, colour));
            t.spawn((
                Node {
                    flex_grow: 1.0,
                    height: px(5),
                    ..default()
                },
                BackgroundColor(colour),
            ));
        });
}

/// An action card for the orders screen.
pub fn action_card(
    parent: &mut ChildSpawnerCommands,
    fonts: &Fonts,
    a: &ActionCard,
    index: usize,
    selected: bool,
    width: f32,
) {
    let domain_colour = match a.domain.as_str() {
        "Cyber" => theme::okabe_ito::SKY_BLUE,
        "Information" => theme::okabe_ito::REDDISH_PURPLE,
        "Diplomatic" => theme::okabe_ito::BLUISH_GREEN,
        "Economic" => theme::okabe_ito::YELLOW,
        _ => theme::okabe_ito::VERMILLION,
    };
    parent
        .spawn((
            Button,
            Node {
                width: px(width),
                height: px(216),
                overflow: Overflow::clip(),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(10)),
                row_gap: px(4),
                border: UiRect::all(px(if selected { 6 } else { 2 })),
                border_radius: BorderRadius::all(px(12)),
                ..default()
            },
            BackgroundColor(theme::PAPER),
            BorderColor::all(if selected {
                theme::ACCENT
            } else {
                theme::INK_SOFT
            }),
            OnPress(UiAction::SelectCard(index)),
        ))
        .with_children(|c| {
            c.spawn(Node {
                flex_direction: FlexDirection::Row,
                justify_content: JustifyContent::SpaceBetween,
                align_items: AlignItems::Center,
                ..default()
            })
            .with_children(|r| {
                r.spawn(card_band(fonts, a.domain.clone(), domain_colour));
                r.spawn(bold(
                    fonts,
                    format!("{} %", a.chance.0),
                    size::BODY,
                    theme::INK,
                ));
            });
            // A little under body size: a long name keeps to two lines.
            c.spawn(bold(fonts, a.name.clone(), 23.0, theme::INK));
            c.spawn(text(
                fonts,
                format!("{} · ▲ {}", visibility_glyph(&a.visibility), a.rung_name),
                18.0,
                theme::INK_SOFT,
            ));
            // Cost and broken norms share the last line: the card never runs out of room.
            c.spawn(Node {
                flex_direction: FlexDirection::Row,
                flex_wrap: FlexWrap::Wrap,
                column_gap: px(10),
                ..default()
            })
            .with_children(|r| {
                if !a.cost.is_empty() {
                    r.spawn(text(
                        fonts,
                        format!("cost {}", a.cost.join(", ")),
                        18.0,
                        theme::INK_SOFT,
                    ));
                }
                if !a.breaks.is_empty() {
                    let ids: Vec<_> = a.breaks.iter().map(|(id, _)| id.as_str()).collect();
                    r.spawn(bold(
                        fonts,
                        format!("✖ norm {}", ids.join(", ")),
                        18.0,
                        theme::DANGER,
                    ));
                }
            });
        });
}

/// Visibility with a glyph, so it does not rely on colour.
pub fn visibility_glyph(visibility: &str) -> String {
    match visibility {
        "Covert" => "◌ Covert".into(),
        "Deniable" => "◐ Deniable".into(),
        _ => "● Overt".into(),
    }
}

/// One reveal step as a strip.
pub fn reveal_step(parent: &mut ChildSpawnerCommands, fonts: &Fonts, step: &RevealStep, big: bool) {
    let (label, colour) = match step.tone {
        RevealTone::News => ("☰ NEWS", theme::okabe_ito::SKY_BLUE),
        RevealTone::Action => ("⚡ ACTION", theme::okabe_ito::YELLOW),
        RevealTone::Attribution => ("◎ ATTRIBUTION", theme::okabe_ito::REDDISH_PURPLE),
        RevealTone::Diplomacy => ("✉ DIPLOMACY", theme::okabe_ito::BLUISH_GREEN),
        RevealTone::Ladder => ("⇅ LADDER", theme::okabe_ito::ORANGE),
        RevealTone::Danger => ("⚑ DANGER", theme::DANGER),
        RevealTone::Enforced => ("⚖ ENFORCED", theme::okabe_ito::BLUE),
        RevealTone::Ending => ("■ ENDING", theme::CHALK),
    };
    let text_size = if big { size::HEADING } else { size::BODY };
    parent
        .spawn((
            Node {
                width: percent(100),
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::Center,
                column_gap: px(16),
                padding: UiRect::all(px(if big { 22 } else { 10 })),
                border: UiRect::left(px(10)),
                border_radius: BorderRadius::all(px(10)),
                ..default()
            },
            BackgroundColor(theme::PAPER),
            BorderColor::all(colour),
        ))
        .with_children(|s| {
            s.spawn(Node {
                min_width: px(200),
                ..default()
            })
            .with_children(|b| {
                b.spawn(card_band(fonts, label, colour));
            });
            if let Some((actor, code)) = &step.actor {
                s.spawn(token(fonts, *actor, code, if big { 52.0 } else { 36.0 }));
            }
            s.spawn((
                text(fonts, step.text.clone(), text_size, theme::INK),
                Node {
                    flex_shrink: 1.0,
                    ..default()
                },
            ));
        });
}
