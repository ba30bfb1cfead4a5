//! Small widget functions that return bundles: the project's own vocabulary on top of `bevy_ui`.

use bevy::input::keyboard::KeyCode;
use bevy::prelude::*;

use super::actions::{ButtonLook, OnPress, Shortcut, UiAction, key_label};
use super::theme::{self, Fonts, size};
use super::ui_check::Panel;

/// Plain text.
pub fn text(fonts: &Fonts, value: impl Into<String>, px: f32, colour: Color) -> impl Bundle {
    (Text::new(value), fonts.regular(px), TextColor(colour))
}

/// Bold text.
pub fn bold(fonts: &Fonts, value: impl Into<String>, px: f32, colour: Color) -> impl Bundle {
    (Text::new(value), fonts.bold(px), TextColor(colour))
}

/// Text that wraps inside a box of the given width.
pub fn para(
    fonts: &Fonts,
    value: impl Into<String>,
    px: f32,
    colour: Color,
    width: Val,
) -> impl Bundle {
    (
        Text::new(value),
        fonts.regular(px),
        TextColor(colour),
        Node {
            max_width: width,
            ..default()
        },
    )
}

/// How a button looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The thing to press next: accent background.
    Primary,
    /// Other actions on the table.
    Secondary,
    /// An action printed on a card.
    OnPaper,
}

impl Kind {
    fn colours(self) -> (Color, Color, Color, Color) {
        // (idle, hover, text, border)
        match self {
            Kind::Primary => (
                theme::ACCENT,
                Color::srgb(1.0, 0.74, 0.2),
                theme::INK,
                theme::ACCENT,
            ),
            Kind::Secondary => (
                theme::TRAY,
                Color::srgb(0.18, 0.22, 0.28),
                theme::CHALK,
                theme::CHALK_SOFT,
            ),
            Kind::OnPaper => (theme::PAPER_DIM, theme::PAPER, theme::INK, theme::INK_SOFT),
        }
    }
}

/// A printed key, like a keycap.
pub fn keycap(fonts: &Fonts, key: KeyCode, ink: Color) -> impl Bundle {
    (
        Node {
            padding: UiRect::axes(px(8), px(1)),
            border: UiRect::all(px(2)),
            border_radius: BorderRadius::all(px(6)),
            min_width: px(34),
            justify_content: JustifyContent::Center,
            ..default()
        },
        BorderColor::all(ink),
        children![bold(fonts, key_label(key), size::SMALL, ink)],
    )
}

/// A button with its keyboard shortcut printed on it.
pub fn button(
    fonts: &Fonts,
    label: impl Into<String>,
    key: KeyCode,
    action: UiAction,
    kind: Kind,
) -> impl Bundle {
    let (idle, hover, ink, border) = kind.colours();
    (
        Button,
        Node {
            flex_shrink: 0.0,
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: px(10),
            padding: UiRect::axes(px(16), px(10)),
            border: UiRect::all(px(2)),
            border_radius: BorderRadius::all(px(10)),
            ..default()
        },
        BackgroundColor(idle),
        BorderColor::all(border),
        ButtonLook { idle, hover },
        OnPress(action),
        Shortcut(key),
        children![keycap(fonts, key, ink), bold(fonts, label, size::BODY, ink)],
    )
}

/// A [`button`] at least `width` wide, its content centred: a label that changes ("Undo (3)",
/// "Pause"/"Resume") never moves the buttons beside it.
pub fn fixed_button(
    fonts: &Fonts,
    label: impl Into<String>,
    key: KeyCode,
    action: UiAction,
    kind: Kind,
    width: f32,
) -> impl Bundle {
    let (idle, hover, ink, border) = kind.colours();
    (
        Button,
        Node {
            flex_shrink: 0.0,
            min_width: px(width),
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            justify_content: JustifyContent::Center,
            column_gap: px(8),
            padding: UiRect::axes(px(12), px(10)),
            border: UiRect::all(px(2)),
            border_radius: BorderRadius::all(px(10)),
            ..default()
        },
        BackgroundColor(idle),
        BorderColor::all(border),
        ButtonLook { idle, hover },
        OnPress(action),
        Shortcut(key),
        children![keycap(fonts, key, ink), bold(fonts, label, size::BODY, ink)],
    )
}

/// A card: paper on the table, with a hard shadow along its foot.
pub fn card(width: Val) -> impl Bundle {
    (
        Node {
            width,
            flex_direction: FlexDirection::Column,
            padding: UiRect::all(px(18)),
            row_gap: px(8),
            border_radius: BorderRadius::all(px(14)),
            ..default()
        },
        BackgroundColor(theme::PAPER),
        Panel::Plain,
        children![card_shadow()],
    )
}

/// The shadow under a card's foot, like a card lifted off the table: a strip as wide as the
/// card, 5 px below it, drawn before every other node (the card covers all of it but the 5 px).
/// Only the strip is drawn, not a shadow the size of the card: on a software renderer every
/// covered pixel costs, and `BoxShadow`'s blur shader costs as much again as the card itself.
fn card_shadow() -> impl Bundle {
    (
        Node {
            position_type: PositionType::Absolute,
            left: px(0),
            right: px(0),
            bottom: px(-5),
            height: px(24),
            border_radius: BorderRadius::bottom(px(14)),
            ..default()
        },
        BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.5)),
        GlobalZIndex(-1),
    )
}

/// A coloured band across the top of a card, naming what the card is.
pub fn card_band(fonts: &Fonts, label: impl Into<String>, colour: Color) -> impl Bundle {
    let ink = theme::ink_on(colour);
    (
        Node {
            padding: UiRect::axes(px(12), px(4)),
            border_radius: BorderRadius::all(px(8)),
            ..default()
        },
        BackgroundColor(colour),
        children![bold(fonts, label, size::SMALL, ink)],
    )
}

/// A small rounded label.
pub fn pill(fonts: &Fonts, label: impl Into<String>, background: Color, ink: Color) -> impl Bundle {
    (
        Node {
            flex_shrink: 0.0,
            padding: UiRect::axes(px(10), px(2)),
            border_radius: BorderRadius::all(px(20)),
            ..default()
        },
        BackgroundColor(background),
        children![bold(fonts, label, size::SMALL, ink)],
    )
}

/// An outlined label (for things that must not look like a filled status).
pub fn outline_pill(fonts: &Fonts, label: impl Into<String>, ink: Color) -> impl Bundle {
    (
        Node {
            flex_shrink: 0.0,
            padding: UiRect::axes(px(10), px(1)),
            border: UiRect::all(px(2)),
            border_radius: BorderRadius::all(px(20)),
            ..default()
        },
        BorderColor::all(ink),
        children![bold(fonts, label, size::SMALL, ink)],
    )
}

/// An actor's token: its colour, its shape and its short code, so it is never colour alone.
pub fn token(fonts: &Fonts, index: usize, code: &str, diameter: f32) -> impl Bundle {
    let colour = theme::actor_colour(index);
    let ink = theme::ink_on(colour);
    (
        Node {
            min_width: px(diameter),
            height: px(diameter),
            // A token keeps its size in a crowded row: its code is never squeezed.
            flex_shrink: 0.0,
            padding: UiRect::horizontal(px(diameter * 0.18)),
            column_gap: px(4),
            align_items: AlignItems::Center,
            justify_content: JustifyContent::Center,
            border: UiRect::all(px(3)),
            border_radius: BorderRadius::all(px(diameter / 2.0)),
            ..default()
        },
        BackgroundColor(colour),
        BorderColor::all(theme::INK),
        children![
            bold(fonts, theme::actor_shape(index), diameter * 0.42, ink),
            bold(fonts, code.to_string(), diameter * 0.42, ink),
        ],
    )
}

/// The body of a screen between header and footer: a row of columns filling the rest.
pub fn main_row() -> Node {
    Node {
        flex_grow: 1.0,
        min_height: px(0),
        flex_direction: FlexDirection::Row,
        padding: UiRect::all(px(20)),
        column_gap: px(20),
        overflow: Overflow::clip(),
        ..default()
    }
}

/// The track and fill of a bar: `frame` gives its size and border; the fill covers `fraction`.
pub fn bar_track(frame: Node, fraction: f32, colour: Color) -> impl Bundle {
    (
        frame,
        BorderColor::all(theme::INK_SOFT),
        BackgroundColor(theme::PAPER_DIM),
        children![(
            Node {
                width: percent(fraction.clamp(0.0, 1.0) * 100.0),
                height: percent(100),
                ..default()
            },
            BackgroundColor(colour),
        )],
    )
}

/// A horizontal bar for an attribute with a declared range: name, track, value.
pub fn bar(
    fonts: &Fonts,
    name: impl Into<String>,
    value: i64,
    min: i64,
    max: i64,
    colour: Color,
) -> impl Bundle {
    let span = (max - min).max(1) as f32;
    let fraction = ((value - min) as f32 / span).clamp(0.0, 1.0);
    (
        Node {
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: px(10),
            width: percent(100),
            ..default()
        },
        children![
            (
                text(fonts, name, size::SMALL, theme::INK_SOFT),
                Node {
                    width: px(150),
                    ..default()
                },
            ),
            bar_track(
                Node {
                    flex_grow: 1.0,
                    height: px(18),
                    border: UiRect::all(px(2)),
                    border_radius: BorderRadius::all(px(4)),
                    ..default()
                },
                fraction,
                colour,
            ),
            (
                bold(fonts, format!("{value}"), size::SMALL, theme::INK),
                Node {
                    width: px(44),
                    ..default()
                },
            ),
        ],
    )
}

/// A full-width header band: title on the left, status on the right.
pub fn header(fonts: &Fonts, title: impl Into<String>, status: impl Into<String>) -> impl Bundle {
    (
        Node {
            width: percent(100),
            // A long title wraps and the band grows, never past the window's top.
            min_height: px(84),
            flex_shrink: 0.0,
            flex_direction: FlexDirection::Row,
            justify_content: JustifyContent::SpaceBetween,
            align_items: AlignItems::Center,
            column_gap: px(24),
            padding: UiRect::axes(px(36), px(8)),
            ..default()
        },
        BackgroundColor(theme::TRAY),
        Panel::Plain,
        children![
            bold(fonts, title, size::HEADING, theme::CHALK),
            text(fonts, status, size::LARGE, theme::CHALK_SOFT),
        ],
    )
}

/// A full-width footer band holding buttons (spawn them as children).
pub fn footer() -> impl Bundle {
    (
        Node {
            width: percent(100),
            min_height: px(88),
            flex_shrink: 0.0,
            flex_direction: FlexDirection::Row,
            // Too many buttons for one row (a small window): a second row, never off-screen.
            flex_wrap: FlexWrap::Wrap,
            align_items: AlignItems::Center,
            align_content: AlignContent::Center,
            column_gap: px(8),
            row_gap: px(8),
            padding: UiRect::axes(px(16), px(8)),
            ..default()
        },
        BackgroundColor(theme::TRAY),
        Panel::Plain,
    )
}

/// A flexible gap that pushes following siblings to the end of a row.
pub fn spacer() -> impl Bundle {
    Node {
        flex_grow: 1.0,
        ..default()
    }
}

/// A full-window screen root: column layout, despawned when its screen is left.
pub fn screen_root(screen: super::Screen) -> impl Bundle {
    (
        Node {
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            ..default()
        },
        DespawnOnExit(screen),
        super::ScreenRoot,
    )
}

/// A row container.
pub fn row(gap: u32) -> Node {
    Node {
        flex_direction: FlexDirection::Row,
        column_gap: px(gap),
        align_items: AlignItems::Center,
        ..default()
    }
}

/// A column container.
pub fn column(gap: u32) -> Node {
    Node {
        flex_direction: FlexDirection::Column,
        row_gap: px(gap),
        ..default()
    }
}
