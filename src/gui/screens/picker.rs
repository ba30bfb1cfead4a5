//! The scenario picker: every folder under `scenarios/`, with its title, summary and whether it
//! validates.

use bevy::prelude::*;

/// Scenario rows shown at once.
const ROWS: usize = 4;

use crate::gui::actions::{OnPress, UiAction};
use crate::gui::session::{Catalogue, Preselect};
use crate::gui::theme::{self, Fonts, size};
use crate::gui::widgets::{self, Kind};
use crate::gui::{Redraw, Screen, ScreenRoot, clear_screen};

fn build(
    mut commands: Commands,
    fonts: Res<Fonts>,
    catalogue: Res<Catalogue>,
    roots: Query<Entity, With<ScreenRoot>>,
) {
    clear_screen(&mut commands, &roots);
    let f = &*fonts;
    commands
        .spawn(widgets::screen_root(Screen::ScenarioPicker))
        .with_children(|root| {
            root.spawn(widgets::header(
                f,
                "Choose a scenario",
                format!(
                    "{} scenario folder(s) in {}",
                    catalogue.entries.len(),
                    catalogue.root_label
                ),
            ));
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(px(120), px(24)),
                row_gap: px(16),
                overflow: Overflow::clip_y(),
                ..default()
            })
            .with_children(|list| {
                if catalogue.entries.is_empty() {
                    list.spawn(widgets::text(
                        f,
                        "No scenario folders found. Put scenario folders (each with a scenario.ron) under scenarios/.",
                        size::LARGE,
                        theme::CHALK,
                    ));
                }
                // A page of rows around the highlight: a long list never runs off the screen.
                let total = catalogue.entries.len();
                let first = catalogue
                    .selected
                    .saturating_sub(ROWS / 2)
                    .min(total.saturating_sub(ROWS));
                if first > 0 {
                    list.spawn(widgets::text(
                        f,
                        format!("↑ {first} more above"),
                        size::SMALL,
                        theme::CHALK_SOFT,
                    ));
                }
                let below = total.saturating_sub(first + ROWS);
                for (i, entry) in catalogue.entries.iter().enumerate().skip(first).take(ROWS) {
                    let selected = i == catalogue.selected;
                    list.spawn((
                        Button,
                        Node {
                            width: percent(100),
                            flex_direction: FlexDirection::Row,
                            align_items: AlignItems::Center,
                            column_gap: px(24),
                            padding: UiRect::all(px(22)),
                            border: UiRect::all(px(if selected { 6 } else { 0 })),
                            border_radius: BorderRadius::all(px(14)),
                            ..default()
                        },
                        BackgroundColor(theme::PAPER),
                        BorderColor::all(theme::ACCENT),
                        OnPress(UiAction::SelectScenario(i)),
                    ))
                    .with_children(|c| {
                        c.spawn((
                            widgets::bold(
                                f,
                                if selected { "▶" } else { " " },
                                size::HEADING,
                                theme::INK,
                            ),
                            Node {
                                width: px(40),
                                ..default()
                            },
                        ));
                        c.spawn(Node {
                            flex_direction: FlexDirection::Column,
                            flex_grow: 1.0,
                            flex_shrink: 1.0,
                            row_gap: px(6),
                            ..default()
                        })
                        .with_children(|col| {
                            col.spawn(widgets::bold(
                                f,
                                entry.title.clone(),
                                size::HEADING,
                                theme::INK,
                            ));
                            col.spawn(widgets::text(
                                f,
                                entry.summary.clone(),
                                size::BODY,
                                theme::INK_SOFT,
                            ));
                            col.spawn(widgets::text(
                                f,
                                format!("folder: {}", entry.folder),
                                size::SMALL,
                                theme::INK_SOFT,
                            ));
                            // The first problem; `grayzone validate` lists them all.
                            if let Some(problem) = entry.problems.first() {
                                let more = entry.problems.len() - 1;
                                col.spawn(widgets::text(
                                    f,
                                    if more > 0 {
                                        format!("{problem} (and {more} more: grayzone validate lists them)")
                                    } else {
                                        problem.clone()
                                    },
                                    size::SMALL,
                                    theme::DANGER,
                                ));
                            }
                        });
                        if entry.problems.is_empty() {
                            c.spawn(widgets::pill(f, "✔ validates", theme::GOOD, theme::CHALK));
                        } else {
                            c.spawn(widgets::pill(
                                f,
                                format!("✖ {} error(s)", entry.problems.len()),
                                theme::DANGER,
                                theme::INK,
                            ));
                        }
                    });
                }
                if below > 0 {
                    list.spawn(widgets::text(
                        f,
                        format!("↓ {below} more below"),
                        size::SMALL,
                        theme::CHALK_SOFT,
                    ));
                }
            });
            root.spawn(widgets::footer()).with_children(|footer| {
                footer.spawn(widgets::button(
                    f,
                    "Previous",
                    KeyCode::ArrowUp,
                    UiAction::MoveScenario(-1),
                    Kind::Secondary,
                ));
                footer.spawn(widgets::button(
                    f,
                    "Next",
                    KeyCode::ArrowDown,
                    UiAction::MoveScenario(1),
                    Kind::Secondary,
                ));
                footer.spawn(widgets::spacer());
                footer.spawn(widgets::button(
                    f,
                    "Back",
                    KeyCode::Escape,
                    UiAction::Go(Screen::Title),
                    Kind::Secondary,
                ));
                footer.spawn(widgets::button(
                    f,
                    "Set up this scenario",
                    KeyCode::Enter,
                    UiAction::ConfirmScenario,
                    Kind::Primary,
                ));
            });
        });
}

fn on_action(
    action: On<UiAction>,
    mut catalogue: ResMut<Catalogue>,
    screen: Res<State<Screen>>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
    mut redraw: MessageWriter<Redraw>,
) {
    if *screen.get() != Screen::ScenarioPicker {
        return;
    }
    let n = catalogue.entries.len();
    match action.event() {
        UiAction::SelectScenario(i) if *i < n => {
            if catalogue.selected == *i {
                // A second click on the highlighted scenario opens it.
                commands.trigger(UiAction::ConfirmScenario);
            }
            catalogue.selected = *i;
            redraw.write(Redraw);
        }
        UiAction::MoveScenario(d) if n > 0 => {
            catalogue.selected = (catalogue.selected as i32 + d).rem_euclid(n as i32) as usize;
            redraw.write(Redraw);
        }
        UiAction::ConfirmScenario => {
            if let Some(draft) = catalogue.selected_draft() {
                commands.insert_resource(draft);
                next.set(Screen::Setup);
            }
        }
        _ => {}
    }
}

fn refresh(mut catalogue: ResMut<Catalogue>, preselect: Option<Res<Preselect>>) {
    catalogue.refresh(preselect.as_deref().map(|p| p.0.as_path()));
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::ScenarioPicker), (refresh, build).chain())
        .add_systems(
            Update,
            build
                .run_if(in_state(Screen::ScenarioPicker).and_then(on_message::<Redraw>))
                .in_set(crate::gui::GuiSystems::Build),
        )
        .add_observer(on_action);
}
