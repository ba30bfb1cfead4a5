//! The debrief: each actor's rung over the turns, thresholds crossed, red lines honoured or
//! ignored, the ending, the order log, and what stayed hidden during play.

use bevy::math::Rot2;
use bevy::prelude::*;
use bevy::ui::UiTransform;

use crate::gui::actions::UiAction;
use crate::gui::session::Play;
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Redraw, Screen, ScreenRoot, clear_screen};
use crate::view::DebriefView;

const CHART_W: f32 = 1020.0;
const CHART_H: f32 = 470.0;
const LOG_LINES: usize = 6;

/// Which part of the order log is shown.
#[derive(Resource, Default)]
struct LogScroll(usize);

fn chart(parent: &mut ChildSpawnerCommands, f: &Fonts, d: &DebriefView) {
    let turns = d
        .series
        .iter()
        .map(|s| s.rungs.len().saturating_sub(1))
        .max()
        .unwrap_or(0)
        .max(1);
    let rungs = d.ladder.len().max(2);
    let label_w = 230.0;
    let plot_w = CHART_W - label_w - 40.0;
    let x = |t: usize| label_w + plot_w * t as f32 / turns as f32;
    let y = |r: usize| CHART_H - 58.0 - (CHART_H - 82.0) * r as f32 / (rungs - 1) as f32;
    parent
        .spawn((
            Node {
                width: px(CHART_W),
                height: px(CHART_H),
                border_radius: BorderRadius::all(px(12)),
                ..default()
            },
            BackgroundColor(theme::PAPER),
        ))
        .with_children(|c| {
            // Rung grid lines and names.
            for rung in &d.ladder {
                let yy = y(rung.position);
                c.spawn((
                    Node {
                        position_type: PositionType::Absolute,
                        left: px(label_w),
                        top: px(yy),
                        width: px(plot_w),
                        height: px(1),
                        ..default()
                    },
                    BackgroundColor(theme::PAPER_DIM),
                ));
                c.spawn((
                    widgets::text(f, rung.name.clone(), 15.0, theme::INK_SOFT),
                    Node {
                        position_type: PositionType::Absolute,
                        left: px(8),
                        top: px(yy - 9.0),
                        width: px(label_w - 12.0),
                        ..default()
                    },
                ));
                if let Some(t) = &rung.threshold_above {
                    let ty = (yy + y(rung.position + 1)) / 2.0;
                    let colour = if t.crossed_on.is_some() {
                        theme::DANGER
                    } else {
                        theme::okabe_ito::ORANGE
                    };
                    let dashes = (plot_w / 24.0) as usize;
                    for k in 0..dashes {
                        c.spawn((
                            Node {
                                position_type: PositionType::Absolute,
                                left: px(label_w + k as f32 * 24.0),
                                top: px(ty - 1.5),
                                width: px(14),
                                height: px(3),
                                ..default()
                            },
                            BackgroundColor(colour),
                        ));
                    }
                }
            }
            // Turn ticks.
            for t in 0..=turns {
                c.spawn((
                    widgets::text(f, format!("{t}"), 15.0, theme::INK_SOFT),
                    Node {
                        position_type: PositionType::Absolute,
                        left: px(x(t) - 4.0),
                        top: px(CHART_H - 28.0),
                        ..default()
                    },
                ));
            }
            // One line per actor, slightly offset so overlapping lines stay visible.
            let n = d.series.len().max(1) as f32;
            for (k, s) in d.series.iter().enumerate() {
                let colour = theme::actor_colour(s.index);
                let offset = (k as f32 - (n - 1.0) / 2.0) * 4.0;
                let pts: Vec<Vec2> = s
                    .rungs
                    .iter()
                    .enumerate()
                    .map(|(t, &r)| Vec2::new(x(t), y(r) + offset))
                    .collect();
                for w in pts.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    let mid = (a + b) / 2.0;
                    let len = a.distance(b);
                    let angle = (b.y - a.y).atan2(b.x - a.x);
                    c.spawn((
                        Node {
                            position_type: PositionType::Absolute,
                            left: px(mid.x - len / 2.0),
                            top: px(mid.y - 2.5),
                            width: px(len),
                            height: px(5),
                            ..default()
                        },
                        UiTransform::from_rotation(Rot2::radians(angle)),
                        BackgroundColor(colour),
                    ));
                }
                let shape = theme::actor_shape(s.index);
                let ink = theme::ink_on(colour);
                for p in &pts {
                    c.spawn((
                        Node {
                            position_type: PositionType::Absolute,
                            left: px(p.x - 10.0),
                            top: px(p.y - 10.0),
                            width: px(20),
                            height: px(20),
                            border: UiRect::all(px(2)),
                            border_radius: BorderRadius::all(px(10)),
                            justify_content: JustifyContent::Center,
                            align_items: AlignItems::Center,
                            ..default()
                        },
                        BackgroundColor(colour),
                        BorderColor::all(theme::INK),
                        children![widgets::bold(f, shape, 11.0, ink)],
                    ));
                }
            }
        });
}

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    play: Play,
    scroll: Res<LogScroll>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    let d = play.debrief();
    commands
        .spawn(widgets::screen_root(Screen::Debrief))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                format!("Debrief — {}", d.title),
                format!("{} turn(s) played · seed {}", d.turns_played, play.session.seed),
            ));
            root.spawn(widgets::main_row())
            .with_children(|main| {
                main.spawn(Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(12),
                    ..default()
                })
                .with_children(|left| {
                    left.spawn(widgets::bold(f, "THE LADDER OVER THE TURNS", size::LARGE, theme::CHALK));
                    chart(left, f, &d);
                    left.spawn(Node {
                        width: px(CHART_W),
                        flex_direction: FlexDirection::Row,
                        flex_wrap: FlexWrap::Wrap,
                        column_gap: px(10),
                        row_gap: px(6),
                        ..default()
                    })
                    .with_children(|legend| {
                        for s in &d.series {
                            legend.spawn(widgets::token(f, s.index, &s.code, 32.0));
                        }
                    });
                    left.spawn(widgets::row(12)).with_children(|r| {
                        r.spawn(widgets::bold(f, "ORDER LOG", size::LARGE, theme::CHALK));
                        r.spawn(widgets::text(
                            f,
                            format!(
                                "{}–{} of {}",
                                (scroll.0 + 1).min(d.orders.len()),
                                (scroll.0 + LOG_LINES).min(d.orders.len()),
                                d.orders.len()
                            ),
                            size::SMALL,
                            theme::CHALK_SOFT,
                        ));
                    });
                    left.spawn(widgets::column(2)).with_children(|log| {
                        for (turn, line) in d.orders.iter().skip(scroll.0).take(LOG_LINES) {
                            log.spawn(widgets::text(
                                f,
                                format!("T{turn:02} {line}"),
                                size::SMALL,
                                theme::CHALK,
                            ));
                        }
                    });
                });
                main.spawn(Node {
                    flex_grow: 1.0,
                    flex_direction: FlexDirection::Column,
                    row_gap: px(12),
                    overflow: Overflow::clip(),
                    ..default()
                })
                .with_children(|right| {
                    right.spawn(widgets::card(percent(100))).with_children(|c| {
                        match &d.ending {
                            Some((name, text, tone)) => {
                                let (colour, mark) = match tone.as_str() {
                                    "good" => (theme::GOOD, "✔"),
                                    "bad" => (theme::DANGER, "✖"),
                                    _ => (theme::okabe_ito::SKY_BLUE, "■"),
                                };
                                c.spawn(widgets::card_band(
                                    f,
                                    format!("{mark} ENDING ({tone})"),
                                    colour,
                                ));
                                c.spawn(widgets::bold(f, name.clone(), size::HEADING, theme::INK));
                                c.spawn(widgets::text(f, text.clone(), size::SMALL, theme::INK));
                            }
                            None => {
                                c.spawn(widgets::card_band(f, "■ SESSION ENDED EARLY", theme::INK));
                                c.spawn(widgets::text(
                                    f,
                                    "The facilitator ended the session before an ending was reached.",
                                    size::BODY,
                                    theme::INK,
                                ));
                            }
                        }
                    });
                    right.spawn(widgets::card(percent(100))).with_children(|c| {
                        c.spawn(widgets::bold(f, "Thresholds crossed", size::BODY, theme::INK));
                        if d.thresholds.is_empty() {
                            c.spawn(widgets::text(f, "None.", size::SMALL, theme::INK_SOFT));
                        }
                        for (turn, name, by) in &d.thresholds {
                            c.spawn(widgets::text(
                                f,
                                format!("✖ T{turn} “{name}” — by {by}"),
                                size::SMALL,
                                theme::DANGER,
                            ));
                        }
                        // Metrics (the escalation score among them): the total of each turn.
                        for m in d.metrics.iter().take(3) {
                            let totals: Vec<String> =
                                m.totals.iter().map(|(t, v)| format!("T{t} {v}")).collect();
                            c.spawn(widgets::text(
                                f,
                                format!("Σ {}: {}", m.name, totals.join(" · ")),
                                size::SMALL,
                                theme::INK,
                            ));
                        }
                        c.spawn(widgets::bold(f, "Red lines", size::BODY, theme::INK));
                        for rl in d.red_lines.iter().take(6) {
                            let record = if rl.crossings.is_empty() {
                                "never crossed".to_string()
                            } else {
                                let when: Vec<String> = rl
                                    .crossings
                                    .iter()
                                    .map(|(t, who)| format!("T{t} by {who}"))
                                    .collect();
                                format!(
                                    "crossed {} · ✔ honoured {} · ✖ ignored {}",
                                    when.join(", "),
                                    rl.enforced,
                                    rl.ignored
                                )
                            };
                            c.spawn(widgets::text(
                                f,
                                format!(
                                    "⚑ {} — “{}”{}: {record} · credibility {}",
                                    rl.owner,
                                    rl.name,
                                    if rl.public { "" } else { " (private)" },
                                    rl.credibility
                                ),
                                size::SMALL,
                                theme::INK,
                            ));
                        }
                    });
                    right.spawn(widgets::card(percent(100))).with_children(|c| {
                        c.spawn(widgets::bold(
                            f,
                            "The hidden war (now revealed)",
                            size::BODY,
                            theme::INK,
                        ));
                        if d.hidden.is_empty() {
                            c.spawn(widgets::text(
                                f,
                                "Every operation was found and rightly attributed.",
                                size::SMALL,
                                theme::INK_SOFT,
                            ));
                        }
                        for line in d.hidden.iter().take(6) {
                            c.spawn(widgets::text(f, format!("◌ {line}"), size::SMALL, theme::INK));
                        }
                        if d.hidden.len() > 6 {
                            c.spawn(widgets::text(
                                f,
                                format!("… and {} more", d.hidden.len() - 6),
                                size::SMALL,
                                theme::INK_SOFT,
                            ));
                        }
                    });
                });
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::button(f, "Log", KeyCode::PageUp, UiAction::ScrollLog(-(LOG_LINES as i32)), Kind::Secondary));
                footer.spawn(widgets::button(f, "Log", KeyCode::PageDown, UiAction::ScrollLog(LOG_LINES as i32), Kind::Secondary));
                footer.spawn(widgets::spacer());
                footer.spawn(widgets::button(f, "Back to the board", KeyCode::KeyB, UiAction::Go(Screen::Board), Kind::Secondary));
                footer.spawn(widgets::button(f, "New session", KeyCode::KeyN, UiAction::Go(Screen::ScenarioPicker), Kind::Secondary));
                footer.spawn(widgets::button(f, "Quit", KeyCode::KeyQ, UiAction::Quit, Kind::Secondary));
            });
        });
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    play: Option<Play>,
    mut scroll: ResMut<LogScroll>,
    mut redraw: MessageWriter<Redraw>,
) {
    if *screen.get() != Screen::Debrief {
        return;
    }
    if let (UiAction::ScrollLog(d), Some(play)) = (action.event(), play) {
        let total = play.debrief().orders.len();
        scroll.0 = (scroll.0 as i64 + *d as i64).clamp(0, total.saturating_sub(1) as i64) as usize;
        redraw.write(Redraw);
    }
}

fn reset_scroll(mut scroll: ResMut<LogScroll>) {
    scroll.0 = 0;
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LogScroll>()
        .add_systems(OnEnter(Screen::Debrief), (reset_scroll, build).chain())
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::Debrief).and_then(on_message::<Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_observer(on_action);
}
