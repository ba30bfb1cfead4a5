//! Fits the 1920×1080 layout to the window with `UiScale`.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::theme::{DESIGN_HEIGHT, DESIGN_WIDTH};

/// The scale at which a `DESIGN_WIDTH`×`DESIGN_HEIGHT` layout fits a window of this logical size.
pub fn fit(width: f32, height: f32) -> f32 {
    (width / DESIGN_WIDTH).min(height / DESIGN_HEIGHT).max(0.25)
}

fn fit_to_window(
    windows: Query<&Window, (With<PrimaryWindow>, Changed<Window>)>,
    mut ui_scale: ResMut<UiScale>,
) {
    if let Ok(window) = windows.single() {
        let scale = fit(window.resolution.width(), window.resolution.height());
        if (ui_scale.0 - scale).abs() > 0.001 {
            ui_scale.0 = scale;
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(PreUpdate, fit_to_window);
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fits_the_smaller_axis() {
        assert_eq!(fit(1920.0, 1080.0), 1.0);
        assert_eq!(fit(1280.0, 720.0), 1280.0 / 1920.0);
        assert_eq!(fit(1920.0, 540.0), 0.5);
    }
}
