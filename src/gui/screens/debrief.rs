//! The debrief: the same sections as the after-action report, from the same view model
//! ([`crate::view::debrief`]): the ladder over the turns, attribution accuracy and the hidden
//! war, the norms ledger, every decision against the default bot (paged through, all of it),
//! turning points with questions, facilitator overrides, objectives and the timeline, and a
//! what-if branch from any turn.

use bevy::math::Rot2;
use bevy::prelude::*;
use bevy::ui::UiTransform;

use crate::gui::actions::UiAction;
use crate::gui::session::Play;
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Redraw, Screen, ScreenRoot, clear_screen};
use crate::report::branch::{self, Change, Comparison};
use crate::scenario::Doctrine;
use crate::sim::{LoadedScenario, SessionRecord};
use crate::view::DebriefView;
use crate::view::debrief as review;

const CHART_W: f32 = 1020.0;
const CHART_H: f32 = 470.0;
/// Lines on one page of a section.
const PAGE: usize = 17;

/// The sections, with their keys.
const TABS: [(&str, KeyCode); 7] = [
    ("Ladder", KeyCode::Digit1),
    ("Attribution", KeyCode::Digit2),
    ("Norms", KeyCode::Digit3),
    ("Decisions", KeyCode::Digit4),
    ("Turning points", KeyCode::Digit5),
    ("Facilitator", KeyCode::Digit6),
    ("What if", KeyCode::Digit7),
];
const WHAT_IF: usize = 6;

/// The debrief view model, built once when the screen opens (it replays the session).
#[derive(Resource, Default)]
struct Cached(Option<DebriefView>);

/// What the debrief shows: the section, the scroll position, the what-if choice and result.
#[derive(Resource, Default)]
struct DebriefUi {
    tab: usize,
    scroll: usize,
    turn: u32,
    actor: usize,
    doctrine: usize,
    result: Option<Vec<String>>,
}

/// How a line of a section is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tone {
    Heading,
    Normal,
    Wrong,
    Good,
    Muted,
}

fn line(tone: Tone, text: impl Into<String>) -> (Tone, String) {
    (tone, text.into())
}

/// The lines of a text section, from the view model (the report words them the same way).
fn section_lines(d: &DebriefView, tab: usize) -> Vec<(Tone, String)> {
    let mut out = Vec::new();
    match tab {
        1 => {
            out.push(line(
                Tone::Heading,
                "Every incident: the true author, and whom the victim blamed",
            ));
            for i in &d.incidents {
                let verdict = crate::report::incident_status(i);
                let wrong = verdict.starts_with("WRONG");
                out.push(line(
                    if wrong { Tone::Wrong } else { Tone::Normal },
                    format!(
                        "{} #{} T{} {}{} — by {} against {}: {verdict}",
                        if wrong { "✖" } else { "·" },
                        i.id,
                        i.turn,
                        i.action,
                        if i.success { "" } else { " (failed)" },
                        i.author,
                        i.victim
                    ),
                ));
                let beliefs: Vec<String> = crate::report::beliefs(i)
                    .into_iter()
                    .map(|(w, wrong)| if wrong { format!("✖ {w}") } else { w })
                    .collect();
                if !beliefs.is_empty() {
                    out.push(line(
                        Tone::Muted,
                        format!("      believed: {}", beliefs.join("; ")),
                    ));
                }
            }
            out.push(line(
                Tone::Heading,
                "Red-line firings and the truth behind them",
            ));
            if d.firings.is_empty() {
                out.push(line(Tone::Muted, "No red line fired."));
            }
            for f in &d.firings {
                out.push(line(
                    if f.wrong { Tone::Wrong } else { Tone::Normal },
                    format!(
                        "{} T{} {} “{}” against {}{}: {}{}",
                        if f.wrong { "✖" } else { "⚑" },
                        f.turn,
                        review::possessive(&f.owner),
                        f.red_line,
                        f.culprit,
                        f.incident
                            .as_ref()
                            .map(|(id, a)| format!(", truly {a} (#{id})"))
                            .unwrap_or_default(),
                        crate::report::outcome_words(&f.outcome, &f.culprit),
                        if f.wrong {
                            " — RESTED ON A WRONG ATTRIBUTION"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            out.push(line(Tone::Heading, "The hidden war (now revealed)"));
            if d.hidden.is_empty() {
                out.push(line(
                    Tone::Muted,
                    "Every operation was found and rightly attributed.",
                ));
            }
            for h in &d.hidden {
                out.push(line(Tone::Normal, format!("◌ {h}")));
            }
        }
        2 => {
            for n in &d.norms {
                let standing = match (&d.standing_name, n.standing.is_empty()) {
                    (Some(name), false) => {
                        let v: Vec<String> = n.standing.iter().map(ToString::to_string).collect();
                        format!(" — {name}: {}", v.join(" → "))
                    }
                    _ => String::new(),
                };
                out.push(line(Tone::Heading, format!("{}{standing}", n.actor)));
                if n.broken.is_empty() && n.upheld.is_empty() {
                    out.push(line(
                        Tone::Muted,
                        "No norm broken or upheld in view of the world.",
                    ));
                }
                for (norm, turns) in &n.broken {
                    out.push(line(
                        Tone::Wrong,
                        format!("✖ broke {norm}: {}", crate::report::turns_words(turns)),
                    ));
                }
                for (norm, turns) in &n.upheld {
                    out.push(line(
                        Tone::Good,
                        format!("✔ upheld {norm}: {}", crate::report::turns_words(turns)),
                    ));
                }
            }
        }
        3 => {
            out.push(line(
                Tone::Heading,
                format!(
                    "{} decisions: every order, and what the default bot would have ordered",
                    d.decisions.len()
                ),
            ));
            for x in &d.decisions {
                let orders = if x.orders.is_empty() {
                    "(no order)".to_string()
                } else {
                    x.orders.join("; ")
                };
                out.push(line(
                    if x.bot { Tone::Muted } else { Tone::Normal },
                    format!("T{:02} {} ({}): {orders}", x.turn, x.actor, x.by),
                ));
                if let Some(alt) = &x.alternative {
                    let alt = if alt.is_empty() {
                        "(no order)".to_string()
                    } else {
                        alt.join("; ")
                    };
                    out.push(line(
                        if x.differs() { Tone::Wrong } else { Tone::Good },
                        format!(
                            "      {} default {} bot: {alt}",
                            if x.differs() { "≠" } else { "=" },
                            x.doctrine
                        ),
                    ));
                }
            }
        }
        4 => {
            if d.turning_points.is_empty() {
                out.push(line(Tone::Muted, "No turning point was found."));
            }
            for t in &d.turning_points {
                out.push(line(
                    Tone::Heading,
                    format!("T{} · {}: {}", t.turn, t.kind.label(), t.title),
                ));
                for (k, q) in t.questions.iter().enumerate() {
                    out.push(line(Tone::Normal, format!("   {}. {q}", k + 1)));
                }
            }
        }
        5 => {
            out.push(line(Tone::Heading, "Facilitator overrides and undos"));
            if d.interventions.is_empty() {
                out.push(line(
                    Tone::Muted,
                    "None: the game ran as the rules and the dice played it.",
                ));
            }
            for x in &d.interventions {
                out.push(line(
                    Tone::Normal,
                    format!("T{}: the facilitator {}", x.turn, x.text),
                ));
            }
            out.push(line(Tone::Heading, "Objectives"));
            for o in &d.objectives {
                out.push(line(
                    Tone::Normal,
                    format!(
                        "{}: {} — {}",
                        o.actor,
                        if o.objectives.is_empty() {
                            "(none stated)"
                        } else {
                            o.objectives.as_str()
                        },
                        o.score.map_or_else(
                            || "not scored (the scenario declares no scored objectives)"
                                .to_string(),
                            |v| format!("score {v}")
                        )
                    ),
                ));
            }
            out.push(line(Tone::Heading, "Timeline (public)"));
            for l in &d.timeline {
                out.push(line(Tone::Normal, crate::report::timeline_words(l)));
            }
        }
        _ => {}
    }
    out
}

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
            // One line per actor; lines sharing a rung at a turn are drawn side by side.
            let (slots, most) = crate::view::debrief::shared_rung_slots(&d.series);
            let row_h = (y(0) - y(1)).abs();
            let step = (row_h * 0.8 / most as f32).min(9.0);
            for (k, s) in d.series.iter().enumerate() {
                let colour = theme::actor_colour(s.index);
                let pts: Vec<Vec2> = s
                    .rungs
                    .iter()
                    .enumerate()
                    .map(|(t, &r)| Vec2::new(x(t), y(r) + slots[k][t] * step))
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
                            left: px(p.x - 8.0),
                            top: px(p.y - 8.0),
                            width: px(16),
                            height: px(16),
                            border: UiRect::all(px(1.5)),
                            border_radius: BorderRadius::all(px(8)),
                            justify_content: JustifyContent::Center,
                            align_items: AlignItems::Center,
                            ..default()
                        },
                        BackgroundColor(colour),
                        BorderColor::all(theme::INK),
                        children![widgets::bold(f, shape, 9.0, ink)],
                    ));
                }
            }
        });
}

fn cache(
    mut cached: ResMut<Cached>,
    play: Play,
    record: Option<Res<SessionRecord>>,
    mut ui: ResMut<DebriefUi>,
) {
    // A session whose scenario was edited in place during play no longer replays to the game
    // on the table: show what its state and log give.
    let d = match record {
        Some(r) if !r.reloaded_in_place => review::debrief_of_record(&play.loaded, &r),
        _ => play.debrief(),
    };
    *ui = DebriefUi {
        turn: (d.turns_played / 2).max(1),
        doctrine: Doctrine::ALL
            .iter()
            .position(|x| *x == Doctrine::Dove)
            .unwrap_or(0),
        ..default()
    };
    cached.0 = Some(d);
}

fn ladder_tab(main: &mut ChildSpawnerCommands, f: &Fonts, d: &DebriefView) {
    main.spawn(Node {
        flex_direction: FlexDirection::Column,
        row_gap: px(12),
        ..default()
    })
    .with_children(|left| {
        left.spawn(widgets::bold(
            f,
            "THE LADDER OVER THE TURNS",
            size::LARGE,
            theme::CHALK,
        ));
        chart(left, f, d);
        left.spawn(Node {
            width: px(CHART_W),
            flex_direction: FlexDirection::Row,
            flex_wrap: FlexWrap::Wrap,
            column_gap: px(14),
            row_gap: px(6),
            ..default()
        })
        .with_children(|legend| {
            for s in &d.series {
                legend.spawn(widgets::row(6)).with_children(|r| {
                    r.spawn(widgets::token(f, s.index, &s.code, 30.0));
                    r.spawn(widgets::text(f, s.name.clone(), size::SMALL, theme::CHALK));
                });
            }
        });
    });
    main.spawn(Node {
        flex_grow: 1.0,
        flex_basis: px(0),
        flex_direction: FlexDirection::Column,
        row_gap: px(12),
        overflow: Overflow::clip(),
        ..default()
    })
    .with_children(|right| {
        right
            .spawn(widgets::card(percent(100)))
            .with_children(|c| match &d.ending {
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
            });
        right.spawn(widgets::card(percent(100))).with_children(|c| {
            c.spawn(widgets::bold(
                f,
                "Thresholds crossed",
                size::BODY,
                theme::INK,
            ));
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
            for rl in &d.red_lines {
                let record = if rl.crossings.is_empty() {
                    "never crossed".to_string()
                } else {
                    format!(
                        "crossed {}× · ✔ honoured {} · ✖ ignored {}",
                        rl.crossings.len(),
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
            let wrong = d.firings.iter().filter(|f| f.wrong).count();
            if wrong > 0 {
                c.spawn(widgets::text(
                    f,
                    format!(
                        "✖ {wrong} firing(s) rested on a wrong attribution (see 2 Attribution)"
                    ),
                    size::SMALL,
                    theme::DANGER,
                ));
            }
        });
    });
}

fn text_tab(main: &mut ChildSpawnerCommands, f: &Fonts, lines: &[(Tone, String)], scroll: usize) {
    main.spawn(Node {
        flex_grow: 1.0,
        flex_direction: FlexDirection::Column,
        row_gap: px(6),
        overflow: Overflow::clip(),
        ..default()
    })
    .with_children(|col| {
        col.spawn(widgets::text(
            f,
            format!(
                "lines {}–{} of {} · PgUp/PgDn to page",
                (scroll + 1).min(lines.len()),
                (scroll + PAGE).min(lines.len()),
                lines.len()
            ),
            size::SMALL,
            theme::CHALK_SOFT,
        ));
        for (tone, text) in lines.iter().skip(scroll).take(PAGE) {
            match tone {
                Tone::Heading => {
                    col.spawn(widgets::bold(f, text.clone(), size::BODY, theme::ACCENT))
                }
                Tone::Normal => {
                    col.spawn(widgets::text(f, text.clone(), size::SMALL, theme::CHALK))
                }
                Tone::Wrong => {
                    col.spawn(widgets::bold(f, text.clone(), size::SMALL, theme::DANGER))
                }
                Tone::Good => col.spawn(widgets::text(f, text.clone(), size::SMALL, theme::GOOD)),
                Tone::Muted => col.spawn(widgets::text(
                    f,
                    text.clone(),
                    size::SMALL,
                    theme::CHALK_SOFT,
                )),
            };
        }
    });
}

fn what_if_tab(main: &mut ChildSpawnerCommands, f: &Fonts, d: &DebriefView, ui: &DebriefUi) {
    main.spawn(Node {
        flex_direction: FlexDirection::Column,
        row_gap: px(16),
        width: px(760),
        ..default()
    })
    .with_children(|col| {
        col.spawn(widgets::bold(f, "WHAT IF — BRANCH FROM A TURN", size::LARGE, theme::CHALK));
        col.spawn(widgets::text(
            f,
            "Replay the session to a turn, let a bot of another doctrine play one actor from there, and compare.",
            size::SMALL,
            theme::CHALK_SOFT,
        ));
        let actor = d.actors.get(ui.actor).map_or("?", |a| a.name.as_str());
        let doctrine = crate::view::names::doctrine(Doctrine::ALL[ui.doctrine % Doctrine::ALL.len()]);
        let pickers = [
            ("From turn", format!("{}", ui.turn), ("earlier", KeyCode::ArrowLeft, UiAction::BranchTurn(-1)), ("later", KeyCode::ArrowRight, UiAction::BranchTurn(1))),
            ("Actor", actor.to_string(), ("previous", KeyCode::ArrowUp, UiAction::BranchActor(-1)), ("next", KeyCode::ArrowDown, UiAction::BranchActor(1))),
        ];
        for (label, value, less, more) in pickers {
            col.spawn(widgets::row(14)).with_children(|r| {
                r.spawn(widgets::text(f, label, size::BODY, theme::CHALK_SOFT));
                r.spawn(widgets::bold(f, value, size::LARGE, theme::CHALK));
            });
            col.spawn(widgets::row(14)).with_children(|r| {
                r.spawn(widgets::button(f, less.0, less.1, less.2, Kind::Secondary));
                r.spawn(widgets::button(f, more.0, more.1, more.2, Kind::Secondary));
            });
        }
        col.spawn(widgets::row(14)).with_children(|r| {
            r.spawn(widgets::text(f, "Played by a bot", size::BODY, theme::CHALK_SOFT));
            r.spawn(widgets::button(f, doctrine, KeyCode::KeyD, UiAction::BranchDoctrine, Kind::Secondary));
        });
        col.spawn(widgets::button(f, "Play the branch", KeyCode::Enter, UiAction::RunBranch, Kind::Primary));
    });
    main.spawn(Node {
        flex_grow: 1.0,
        flex_basis: px(0),
        flex_direction: FlexDirection::Column,
        ..default()
    })
    .with_children(|right| {
        right.spawn(widgets::card(percent(100))).with_children(|c| {
            c.spawn(widgets::bold(f, "The two games", size::BODY, theme::INK));
            match &ui.result {
                None => {
                    c.spawn(widgets::text(
                        f,
                        "Pick a turn, an actor and a doctrine, then press Enter.",
                        size::SMALL,
                        theme::INK_SOFT,
                    ));
                }
                Some(lines) => {
                    for l in lines {
                        c.spawn(widgets::text(
                            f,
                            l.trim().to_string(),
                            size::SMALL,
                            theme::INK,
                        ));
                    }
                }
            }
        });
    });
}

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    play: Play,
    cached: Res<Cached>,
    ui: Res<DebriefUi>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    let Some(d) = cached.0.as_ref() else {
        return;
    };
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    commands
        .spawn(widgets::screen_root(Screen::Debrief))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                format!("Debrief — {}", d.title),
                // The ending stays in view on every tab.
                format!(
                    "{} · {} turn(s) played · seed {}",
                    d.ending
                        .as_ref()
                        .map_or("ended early", |(name, _, _)| name.as_str()),
                    d.turns_played,
                    play.session.seed
                ),
            ));
            root.spawn(Node {
                flex_direction: FlexDirection::Row,
                column_gap: px(10),
                padding: UiRect::axes(px(36), px(10)),
                ..default()
            })
            .with_children(|tabs| {
                for (k, (label, key)) in TABS.iter().enumerate() {
                    let kind = if k == ui.tab {
                        Kind::Primary
                    } else {
                        Kind::Secondary
                    };
                    tabs.spawn(widgets::button(
                        f,
                        *label,
                        *key,
                        UiAction::DebriefTab(k),
                        kind,
                    ));
                }
            });
            root.spawn(widgets::main_row())
                .with_children(|main| match ui.tab {
                    0 => ladder_tab(main, f, d),
                    WHAT_IF => what_if_tab(main, f, d, &ui),
                    tab => text_tab(main, f, &section_lines(d, tab), ui.scroll),
                });
            root.spawn(widgets::footer()).with_children(|footer| {
                if ui.tab != 0 && ui.tab != WHAT_IF {
                    footer.spawn(widgets::button(
                        f,
                        "Page up",
                        KeyCode::PageUp,
                        UiAction::ScrollLog(-(PAGE as i32)),
                        Kind::Secondary,
                    ));
                    footer.spawn(widgets::button(
                        f,
                        "Page down",
                        KeyCode::PageDown,
                        UiAction::ScrollLog(PAGE as i32),
                        Kind::Secondary,
                    ));
                }
                footer.spawn(widgets::spacer());
                footer.spawn(widgets::button(
                    f,
                    "Back to the board",
                    KeyCode::KeyB,
                    UiAction::Go(Screen::Board),
                    Kind::Secondary,
                ));
                footer.spawn(widgets::button(
                    f,
                    "New session",
                    KeyCode::KeyN,
                    UiAction::Go(Screen::ScenarioPicker),
                    Kind::Secondary,
                ));
                footer.spawn(widgets::button(
                    f,
                    "Quit",
                    KeyCode::KeyQ,
                    UiAction::Quit,
                    Kind::Secondary,
                ));
            });
        });
}

/// Plays the chosen branch and words the comparison.
fn run_branch(
    loaded: &LoadedScenario,
    record: &SessionRecord,
    d: &DebriefView,
    ui: &DebriefUi,
) -> Vec<String> {
    let Some(actor) = loaded.scenario.actors.get(ui.actor) else {
        return vec!["No actor chosen.".into()];
    };
    let change = Change::Doctrine {
        actor: actor.id.clone(),
        doctrine: Doctrine::ALL[ui.doctrine % Doctrine::ALL.len()],
    };
    match branch::play_branch(loaded, record, ui.turn, change) {
        Ok(b) => {
            let c = Comparison::new(loaded, &b, None);
            let mut lines: Vec<String> = c.summary().lines().map(str::to_string).collect();
            lines.push(String::new());
            lines.push("Final rung, as played → branch:".into());
            for (a, x) in c.original.series.iter().zip(&c.branch.series) {
                let rung = |r: Option<&usize>| {
                    r.and_then(|&r| d.ladder.get(r))
                        .map_or("?".to_string(), |r| r.name.clone())
                };
                lines.push(format!(
                    "{}: {} → {}",
                    a.name,
                    rung(a.rungs.last()),
                    rung(x.rungs.last())
                ));
            }
            lines
        }
        Err(e) => vec![e.trim_start_matches("error: ").to_string()],
    }
}

fn on_action(
    action: On<UiAction>,
    screen: Res<State<Screen>>,
    cached: Res<Cached>,
    mut ui: ResMut<DebriefUi>,
    loaded: Option<Res<LoadedScenario>>,
    record: Option<Res<SessionRecord>>,
    mut redraw: MessageWriter<Redraw>,
) {
    if *screen.get() != Screen::Debrief {
        return;
    }
    let Some(d) = cached.0.as_ref() else {
        return;
    };
    match action.event() {
        UiAction::DebriefTab(k) => {
            ui.tab = (*k).min(TABS.len() - 1);
            ui.scroll = 0;
        }
        UiAction::ScrollLog(delta) => {
            let total = section_lines(d, ui.tab).len();
            ui.scroll = (ui.scroll as i64 + i64::from(*delta))
                .clamp(0, total.saturating_sub(1) as i64) as usize;
        }
        UiAction::BranchTurn(delta) => {
            ui.turn = (i64::from(ui.turn) + i64::from(*delta))
                .clamp(1, i64::from(d.turns_played.max(1))) as u32;
        }
        UiAction::BranchActor(delta) => {
            let n = d.actors.len().max(1) as i64;
            ui.actor = (ui.actor as i64 + i64::from(*delta)).rem_euclid(n) as usize;
        }
        UiAction::BranchDoctrine => ui.doctrine = (ui.doctrine + 1) % Doctrine::ALL.len(),
        UiAction::RunBranch => {
            ui.result = Some(match (loaded, record) {
                (Some(l), Some(r)) => run_branch(&l, &r, d, &ui),
                _ => vec!["This session has no record to branch from.".into()],
            });
        }
        _ => return,
    }
    redraw.write(Redraw);
}

fn drop_cache(mut cached: ResMut<Cached>) {
    cached.0 = None;
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Cached>()
        .init_resource::<DebriefUi>()
        .add_systems(OnEnter(Screen::Debrief), (cache, build).chain())
        .add_systems(OnExit(Screen::Debrief), drop_cache)
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::Debrief).and_then(on_message::<Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_observer(on_action);
}
