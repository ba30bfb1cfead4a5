//! Game pieces drawn from view models: actor cards, the ladder, action cards, reveal steps.

use bevy::prelude::*;

use super::actions::{OnPress, UiAction};
use super::theme::{self, Fonts, size};
use super::widgets::{self, bar, bold, card, card_band, column, pill, row, text, token};
use crate::view::{ActionCard, ActorCard, RevealStep, RevealTone, RungView};

/// An actor card: token, name, rung, attribute bars, red lines with credibility, relations.
pub fn actor_card(parent: &mut ChildSpawnerCommands, fonts: &Fonts, a: &ActorCard, width: f32) {
    let colour = theme::actor_colour(a.index);
    parent.spawn(card(px(width))).with_children(|c| {
        c.spawn(row(12)).with_children(|r| {
            r.spawn(token(fonts, a.index, &a.code, 46.0));
            r.spawn(column(0)).with_children(|col| {
                col.spawn(bold(fonts, a.name.clone(), size::LARGE, theme::INK));
                col.spawn(text(
                    fonts,
                    format!("{} · {}", a.kind, a.controller),
                    size::SMALL,
                    theme::INK_SOFT,
                ));
            });
        });
        c.spawn(row(8)).with_children(|r| {
            r.spawn(text(fonts, "Rung", size::SMALL, theme::INK_SOFT));
            r.spawn(pill(fonts, a.rung_name.clone(), theme::INK, theme::PAPER));
        });
        for attr in &a.attrs {
            let label = if attr.public {
                attr.name.clone()
            } else {
                format!("{} (secret)", attr.name)
            };
            c.spawn(bar(
                fonts,
                label,
                attr.value.into(),
                attr.min.into(),
                attr.max.into(),
                colour,
            ));
        }
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
                format!("Norms broken: {}", a.norms_broken.join(", ")),
                size::SMALL,
                theme::DANGER,
            ));
        }
    });
}

/// A red line with its credibility as a bar.
pub fn red_line(parent: &mut ChildSpawnerCommands, fonts: &Fonts, rl: &crate::view::RedLineView) {
    parent
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(px(10), px(6)),
                border: UiRect::left(px(6)),
                row_gap: px(2),
                width: percent(100),
                ..default()
            },
            BorderColor::all(theme::DANGER),
            BackgroundColor(theme::PAPER_DIM),
        ))
        .with_children(|b| {
            let tag = if rl.public { "RED LINE" } else { "PRIVATE RED LINE" };
            b.spawn(bold(
                fonts,
                format!("⚑ {tag}: {}", rl.name),
                size::SMALL,
                theme::INK,
            ));
            let record = if rl.crossed > 0 {
                format!(
                    "crossed {}× · enforced {} · ignored {}",
                    rl.crossed, rl.enforced, rl.ignored
                )
            } else {
                "not crossed".into()
            };
            b.spawn(bar(
                fonts,
                "Credibility",
                rl.credibility.into(),
                0,
                100,
                theme::DANGER,
            ));
            b.spawn(text(fonts, record, size::SMALL, theme::INK_SOFT));
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
                padding: UiRect::all(px(14)),
                border: UiRect::all(px(4)),
                border_radius: BorderRadius::all(px(14)),
                ..default()
            },
            BackgroundColor(Color::srgb(0.20, 0.17, 0.14)),
            BorderColor::all(Color::srgb(0.45, 0.36, 0.26)),
        ))
        .with_children(|l| {
            for rung in rungs.iter().rev() {
                if let Some(t) = &rung.threshold_above {
                    threshold(l, fonts, &t.name, t.crossed_on);
                }
                let on_it: Vec<_> = markers.iter().filter(|m| m.2 == rung.position).collect();
                let is_crisis = rung.position == crisis;
                let highest = rungs.len().max(1) as f32;
                // Warmer wood up the ladder; the crisis rung is lit.
                let heat = rung.position as f32 / highest;
                let plank = Color::srgb(0.36 + 0.2 * heat, 0.28, 0.20);
                l.spawn((
                    Node {
                        flex_grow: 1.0,
                        flex_direction: FlexDirection::Row,
                        align_items: AlignItems::Center,
                        column_gap: px(10),
                        padding: UiRect::axes(px(12), px(2)),
                        margin: UiRect::vertical(px(2)),
                        border: UiRect::all(px(if is_crisis { 4 } else { 0 })),
                        border_radius: BorderRadius::all(px(8)),
                        min_height: px(40),
                        ..default()
                    },
                    BackgroundColor(plank),
                    BorderColor::all(theme::ACCENT),
                ))
                .with_children(|r| {
                    r.spawn((
                        bold(
                            fonts,
                            format!("{}", rung.position),
                            size::BODY,
                            theme::CHALK_SOFT,
                        ),
                        Node {
                            width: px(34),
                            ..default()
                        },
                    ));
                    r.spawn((
                        bold(fonts, rung.name.clone(), size::BODY, theme::CHALK),
                        Node {
                            flex_grow: 1.0,
                            ..default()
                        },
                    ));
                    for (index, code, _) in on_it {
                        r.spawn(token(fonts, *index, code, 40.0));
                    }
                    if is_crisis {
                        r.spawn(pill(fonts, "◀ CRISIS", theme::ACCENT, theme::INK));
                    }
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
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(12)),
                row_gap: px(6),
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
            c.spawn(row(8)).with_children(|r| {
                r.spawn(card_band(fonts, a.domain.clone(), domain_colour));
                r.spawn(widgets::outline_pill(
                    fonts,
                    visibility_glyph(&a.visibility),
                    theme::INK,
                ));
            });
            c.spawn(bold(fonts, a.name.clone(), size::BODY, theme::INK));
            c.spawn(text(
                fonts,
                format!(
                    "▲ {} · {} % {}",
                    a.rung_name, a.chance.0, a.chance.1
                ),
                size::SMALL,
                theme::INK_SOFT,
            ));
            if !a.cost.is_empty() {
                c.spawn(text(
                    fonts,
                    format!("Cost: {}", a.cost.join(", ")),
                    size::SMALL,
                    theme::INK_SOFT,
                ));
            }
            if !a.breaks.is_empty() {
                let ids: Vec<_> = a.breaks.iter().map(|(id, _)| id.as_str()).collect();
                c.spawn(text(
                    fonts,
                    format!("✖ breaks norm {}", ids.join(", ")),
                    size::SMALL,
                    theme::DANGER,
                ));
            }
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
