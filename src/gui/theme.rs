//! Colours, type sizes and fonts.
//!
//! The palette is Okabe–Ito (safe for the common forms of colour blindness). Colour never carries
//! meaning alone: every actor also has a shape glyph and a short code, every status also has a word.

use bevy::prelude::*;
use std::sync::RwLock;

use bevy::text::Font;

/// The layout is designed for this logical size and scaled to the window with `UiScale`.
pub const DESIGN_WIDTH: f32 = 1920.0;
pub const DESIGN_HEIGHT: f32 = 1080.0;

/// Okabe–Ito palette.
pub mod okabe_ito {
    use bevy::prelude::Color;
    pub const ORANGE: Color = Color::srgb(0.902, 0.624, 0.0);
    pub const SKY_BLUE: Color = Color::srgb(0.337, 0.706, 0.914);
    pub const BLUISH_GREEN: Color = Color::srgb(0.0, 0.620, 0.451);
    pub const YELLOW: Color = Color::srgb(0.941, 0.894, 0.259);
    pub const BLUE: Color = Color::srgb(0.0, 0.447, 0.698);
    pub const VERMILLION: Color = Color::srgb(0.835, 0.369, 0.0);
    pub const REDDISH_PURPLE: Color = Color::srgb(0.800, 0.475, 0.655);
}

/// The table the game is played on.
pub const TABLE: Color = Color::srgb(0.106, 0.133, 0.173);
/// A darker band (headers, trays).
pub const TRAY: Color = Color::srgb(0.067, 0.086, 0.114);
/// Card stock.
pub const PAPER: Color = Color::srgb(0.953, 0.925, 0.867);
/// Slightly darker card stock, for inset panels on cards.
pub const PAPER_DIM: Color = Color::srgb(0.886, 0.851, 0.780);
/// Ink on paper.
pub const INK: Color = Color::srgb(0.106, 0.110, 0.122);
/// Secondary ink on paper.
pub const INK_SOFT: Color = Color::srgb(0.333, 0.329, 0.322);
/// Text on the table.
pub const CHALK: Color = Color::srgb(0.945, 0.941, 0.925);
/// Secondary text on the table.
pub const CHALK_SOFT: Color = Color::srgb(0.690, 0.722, 0.769);
/// Accent for the thing the facilitator should press next.
pub const ACCENT: Color = okabe_ito::ORANGE;
/// Danger (crossed thresholds, red lines crossed). Always with a word or a glyph.
pub const DANGER: Color = okabe_ito::VERMILLION;
/// Good news (validated, honoured). Always with a word or a glyph.
pub const GOOD: Color = okabe_ito::BLUISH_GREEN;

/// Type sizes (logical pixels at 1920×1080). The smallest is still readable from the back of a
/// room on a projector.
pub mod size {
    pub const HUGE: f32 = 96.0;
    pub const TITLE: f32 = 56.0;
    pub const HEADING: f32 = 38.0;
    pub const LARGE: f32 = 30.0;
    pub const BODY: f32 = 25.0;
    pub const SMALL: f32 = 21.0;
}

/// Colours for actors, in scenario order, paired with a shape so colour is never alone.
const ACTOR_COLOURS: [Color; 7] = [
    okabe_ito::SKY_BLUE,
    okabe_ito::VERMILLION,
    okabe_ito::YELLOW,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::ORANGE,
    okabe_ito::BLUE,
];
const ACTOR_SHAPES: [&str; 10] = ["●", "▲", "■", "◆", "★", "⬟", "✚", "▼", "⬢", "♣"];

/// Colours the scenario declares for its actors (`color: "#rrggbb"`), by position.
static SCENARIO_COLOURS: RwLock<Vec<Option<Color>>> = RwLock::new(Vec::new());

/// Uses the scenario's actor colours where it declares them.
pub fn use_scenario_colours(colours: &[Option<String>]) {
    let parsed = colours
        .iter()
        .map(|c| c.as_deref().and_then(parse_hex))
        .collect();
    if let Ok(mut slot) = SCENARIO_COLOURS.write() {
        *slot = parsed;
    }
}

/// Parses `#rrggbb`.
pub fn parse_hex(hex: &str) -> Option<Color> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some(Color::srgb_u8(byte(0)?, byte(2)?, byte(4)?))
}

/// The colour of the actor at `index` in scenario order.
pub fn actor_colour(index: usize) -> Color {
    SCENARIO_COLOURS
        .read()
        .ok()
        .and_then(|c| c.get(index).copied().flatten())
        .unwrap_or(ACTOR_COLOURS[index % ACTOR_COLOURS.len()])
}

/// The shape glyph of the actor at `index` in scenario order.
pub fn actor_shape(index: usize) -> &'static str {
    ACTOR_SHAPES[index % ACTOR_SHAPES.len()]
}

/// Perceived lightness of a colour, 0–1.
pub fn luma(colour: Color) -> f32 {
    let c = colour.to_srgba();
    0.299 * c.red + 0.587 * c.green + 0.114 * c.blue
}

/// Ink that reads on top of an actor colour.
pub fn ink_on(colour: Color) -> Color {
    if luma(colour) > 0.5 { INK } else { CHALK }
}

/// The fonts, embedded in the binary so the game starts from any working directory.
#[derive(Resource, Clone)]
pub struct Fonts {
    pub regular: Handle<Font>,
    pub bold: Handle<Font>,
    /// For diagnostics, whose carets point at columns.
    pub mono: Handle<Font>,
}

impl Fonts {
    pub fn regular(&self, size: f32) -> TextFont {
        TextFont {
            font: self.regular.clone().into(),
            font_size: FontSize::Px(size),
            ..default()
        }
    }

    pub fn mono(&self, size: f32) -> TextFont {
        TextFont {
            font: self.mono.clone().into(),
            font_size: FontSize::Px(size),
            ..default()
        }
    }

    pub fn bold(&self, size: f32) -> TextFont {
        TextFont {
            font: self.bold.clone().into(),
            font_size: FontSize::Px(size),
            ..default()
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    let mut fonts = app.world_mut().resource_mut::<Assets<Font>>();
    let regular = fonts.add(Font::from_bytes(
        include_bytes!("../../assets/fonts/DejaVuSans.ttf").to_vec(),
    ));
    let bold = fonts.add(Font::from_bytes(
        include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf").to_vec(),
    ));
    let mono = fonts.add(Font::from_bytes(
        include_bytes!("../../assets/fonts/DejaVuSansMono.ttf").to_vec(),
    ));
    app.insert_resource(Fonts {
        regular,
        bold,
        mono,
    })
    .insert_resource(ClearColor(TABLE));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours() {
        assert_eq!(parse_hex("#0072B2"), Some(Color::srgb_u8(0, 0x72, 0xb2)));
        assert_eq!(parse_hex("0072B2"), None);
        assert_eq!(parse_hex("#12"), None);
    }
}
