//! Draws a frame only when the picture changed.
//!
//! On a software renderer (a laptop or a projector PC without a GPU driver) every drawn frame
//! costs its whole window: the clear, every UI node's pixels and the copy to the window, tens of
//! milliseconds at 1920×1080 however little changed. Most frames change nothing: the pointer
//! moves over no button, a key does nothing on this screen, the app wakes for an event that is
//! not about the picture. In those frames the cameras are switched off, nothing is rendered or
//! presented, and the window keeps showing the last frame.
//!
//! A frame is drawn when anything the UI renderer reads changed — a node spawned, despawned,
//! moved or resized, a colour, a text, an image, a visibility, the clear colour (the screen), the
//! window — and for [`HOLD_FRAMES`] frames after, and whenever a screenshot is pending. So that
//! a window the desktop uncovered is never left stale for long, a frame is also drawn when the
//! last one is more than [`REFRESH`] old.

use std::time::{Duration, Instant};

use bevy::camera::visibility::InheritedVisibility;
use bevy::prelude::*;
use bevy::render::view::screenshot::Screenshot;
use bevy::text::{TextColor, TextFont, TextLayoutInfo};
use bevy::ui::{BoxShadow, ComputedNode, Outline, UiGlobalTransform};
use bevy::window::{WindowFocused, WindowOccluded, WindowResized, WindowScaleFactorChanged};

/// Frames still drawn after the last change (a change seen late in a frame, an atlas upload).
pub const HOLD_FRAMES: u32 = 2;

/// The longest the window goes without a drawn frame while the app is updating.
pub const REFRESH: Duration = Duration::from_secs(1);

/// Whether frames are drawn, and how many were drawn and skipped (the screenshot walk reports
/// frame times of each kind).
#[derive(Resource, Debug)]
pub struct FrameDrawing {
    /// Frames left to draw without a new change.
    hold: u32,
    /// When the last drawn frame was started.
    last_drawn: Option<Instant>,
    /// This frame is drawn.
    pub drawn_this_frame: bool,
    /// Frames drawn since start.
    pub drawn: u64,
    /// Frames skipped since start (nothing changed).
    pub skipped: u64,
}

impl Default for FrameDrawing {
    fn default() -> Self {
        Self {
            hold: HOLD_FRAMES,
            last_drawn: None,
            drawn_this_frame: true,
            drawn: 0,
            skipped: 0,
        }
    }
}

/// Anything about a UI node the renderer reads.
type NodeChanged = Or<(
    Changed<Node>,
    Changed<ComputedNode>,
    Changed<UiGlobalTransform>,
    Changed<BackgroundColor>,
    Changed<BorderColor>,
    Changed<Outline>,
    Changed<BoxShadow>,
    Changed<ImageNode>,
    Changed<InheritedVisibility>,
    Changed<ZIndex>,
    Changed<GlobalZIndex>,
)>;

/// Anything about a text the renderer reads.
type TextChanged = Or<(
    Changed<TextLayoutInfo>,
    Changed<TextColor>,
    Changed<TextFont>,
    Changed<Text>,
    Changed<TextSpan>,
)>;

/// Decides, at the very end of the frame (after layout and text), whether this frame is drawn,
/// and switches every camera on or off accordingly.
#[allow(clippy::too_many_arguments)]
fn decide(
    mut drawing: ResMut<FrameDrawing>,
    nodes: Query<(), NodeChanged>,
    texts: Query<(), TextChanged>,
    mut removed_nodes: RemovedComponents<Node>,
    screenshots: Query<(), With<Screenshot>>,
    clear_colour: Res<ClearColor>,
    ui_scale: Res<UiScale>,
    windows: Query<(), Changed<Window>>,
    mut resized: MessageReader<WindowResized>,
    mut focused: MessageReader<WindowFocused>,
    mut occluded: MessageReader<WindowOccluded>,
    mut scale_factor: MessageReader<WindowScaleFactorChanged>,
    mut images: MessageReader<AssetEvent<Image>>,
    mut fonts: MessageReader<AssetEvent<Font>>,
    mut cameras: Query<&mut Camera>,
) {
    // Every reader is drained each frame, whatever else changed: an event left unread would
    // count as a change again next frame.
    let events = removed_nodes.read().count()
        + resized.read().count()
        + focused.read().count()
        + occluded.read().count()
        + scale_factor.read().count()
        + images.read().count()
        + fonts.read().count();
    let changed = events > 0
        || !nodes.is_empty()
        || !texts.is_empty()
        || clear_colour.is_changed()
        || ui_scale.is_changed()
        || !windows.is_empty();
    if changed {
        drawing.hold = HOLD_FRAMES;
    }
    let stale = drawing.last_drawn.is_none_or(|at| at.elapsed() >= REFRESH);
    let draw = changed || drawing.hold > 0 || !screenshots.is_empty() || stale;
    if draw {
        drawing.hold = drawing.hold.saturating_sub(1);
        drawing.last_drawn = Some(Instant::now());
        drawing.drawn += 1;
    } else {
        drawing.skipped += 1;
    }
    drawing.drawn_this_frame = draw;
    for mut camera in &mut cameras {
        if camera.is_active != draw {
            camera.is_active = draw;
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FrameDrawing>()
        .add_systems(Last, decide);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plugin in an app without a renderer: the messages the window and asset plugins
    /// would register, one camera and one node.
    fn app() -> (App, Entity, Entity) {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<ClearColor>()
            .init_resource::<UiScale>()
            .add_message::<WindowResized>()
            .add_message::<WindowFocused>()
            .add_message::<WindowOccluded>()
            .add_message::<WindowScaleFactorChanged>()
            .add_message::<AssetEvent<Image>>()
            .add_message::<AssetEvent<Font>>()
            .add_plugins(plugin);
        let camera = app.world_mut().spawn(Camera::default()).id();
        let node = app
            .world_mut()
            .spawn((Node::default(), BackgroundColor(Color::BLACK)))
            .id();
        (app, camera, node)
    }

    fn drawn(app: &App, camera: Entity) -> bool {
        let active = app.world().get::<Camera>(camera).unwrap().is_active;
        assert_eq!(
            active,
            app.world().resource::<FrameDrawing>().drawn_this_frame
        );
        active
    }

    #[test]
    fn an_unchanged_picture_is_not_drawn_again_and_a_change_is() {
        let (mut app, camera, node) = app();
        app.update();
        assert!(drawn(&app, camera), "the first frame is drawn");
        for _ in 0..HOLD_FRAMES {
            app.update();
        }
        app.update();
        assert!(
            !drawn(&app, camera),
            "nothing changed: the frame is skipped"
        );
        app.update();
        assert!(!drawn(&app, camera));

        app.world_mut().get_mut::<BackgroundColor>(node).unwrap().0 = Color::WHITE;
        app.update();
        assert!(drawn(&app, camera), "a colour changed: the frame is drawn");

        for _ in 0..=HOLD_FRAMES {
            app.update();
        }
        assert!(!drawn(&app, camera));
        app.world_mut().entity_mut(node).despawn();
        app.update();
        assert!(drawn(&app, camera), "a node went away: the frame is drawn");

        for _ in 0..=HOLD_FRAMES {
            app.update();
        }
        assert!(!drawn(&app, camera));
        app.world_mut().spawn(Screenshot::primary_window());
        app.update();
        assert!(
            drawn(&app, camera),
            "a screenshot is pending: the frame is drawn"
        );
        let counts = app.world().resource::<FrameDrawing>();
        assert!(counts.drawn >= 4 && counts.skipped >= 4, "{counts:?}");
    }

    #[test]
    fn a_window_left_alone_is_refreshed_every_so_often() {
        let (mut app, camera, _) = app();
        for _ in 0..=HOLD_FRAMES {
            app.update();
        }
        app.update();
        assert!(!drawn(&app, camera));
        app.world_mut().resource_mut::<FrameDrawing>().last_drawn = Some(Instant::now() - REFRESH);
        app.update();
        assert!(
            drawn(&app, camera),
            "the last frame drawn is a refresh period old"
        );
    }
}
