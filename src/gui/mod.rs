//! The workshop on screen: a Bevy GUI with which a facilitator runs a whole session.
//!
//! Screens are [`States`] ([`Screen`]). Each screen is one plugin in `screens/` that builds its UI
//! from view models ([`crate::view`]) on entering and whenever a [`Redraw`] is requested. User
//! input becomes [`actions::UiAction`] events handled by observers; the rules only change through
//! the session API (orders and facilitator commands).

use bevy::prelude::*;
use bevy::window::{MonitorSelection, PresentMode, WindowMode, WindowResolution};
use bevy::winit::WinitSettings;

pub mod actions;
pub mod console;
pub mod live_edit;
pub mod pieces;
pub mod render_on_change;
pub mod room;
mod scale;
mod screens;
pub mod screenshot;
pub mod session;
pub mod theme;
pub mod ui_check;
pub mod widgets;

/// The screens of a session, in the order a workshop meets them.
#[derive(States, Default, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    #[default]
    Title,
    ScenarioPicker,
    Setup,
    Briefing,
    Board,
    Curtain,
    Orders,
    Reveal,
    Debrief,
    /// The facilitator's curtain (one screen, no second window): nothing secret, a reminder to
    /// blank or freeze the projector before the console opens.
    ConsoleCurtain,
    /// The facilitator's console as an overlay on the main window (after its curtain).
    Console,
}

/// Marks the main window's camera (the projector's, or the only screen's).
#[derive(Component)]
pub struct MainCamera;

/// Marks the root node of the current screen.
#[derive(Component)]
pub struct ScreenRoot;

/// Ask the current screen to rebuild its UI from the view models.
#[derive(Message, Default)]
pub struct Redraw;

/// How many times the board has been rebuilt (the screenshot run reports it beside the frame
/// times: the board rebuilds on a change, never every frame).
#[derive(Resource, Default, Debug)]
pub struct BoardRebuilds(pub u32);

/// GUI system ordering within `Update`.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum GuiSystems {
    /// Buttons and keys become actions.
    Input,
    /// Screens rebuild.
    Build,
}

/// Opens the game window and runs until the window closes. `scenario` preselects a scenario
/// folder in the picker.
pub fn run(
    scenario: Option<std::path::PathBuf>,
    serve: Option<std::net::SocketAddr>,
    console: bool,
) -> AppExit {
    let mut app = App::new();
    app.add_plugins(plugin);
    if let Some(dir) = scenario {
        app.insert_resource(session::Preselect(dir));
    }
    if let Some(addr) = serve {
        app.insert_resource(room::ServeAddr(addr));
    }
    if console {
        app.insert_resource(console::ConsoleWanted);
    }
    app.run()
}

/// The whole GUI application: window, renderer, rules session and screens.
pub fn plugin(app: &mut App) {
    let started = Started(std::time::Instant::now());
    let screenshots = screenshot::ScreenshotRun::from_env();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "Gray Zone — cyber-escalation wargame".into(),
                    // The screenshot run renders the design size; otherwise a size that fits most
                    // laptop screens (F11 makes it full screen for the projector).
                    resolution: if let Some(run) = &screenshots {
                        WindowResolution::new(run.size.0, run.size.1)
                    } else {
                        WindowResolution::new(1600, 900)
                    },
                    present_mode: if screenshots.is_some() {
                        PresentMode::AutoNoVsync
                    } else {
                        PresentMode::AutoVsync
                    },
                    ..default()
                }),
                ..default()
            })
            .set(bevy::log::LogPlugin {
                filter: "wgpu=error,naga=warn,bevy_render=warn,bevy_winit=warn".into(),
                ..default()
            }),
    );
    // An idle board must not burn a laptop's battery: redraw only on input. The scripted
    // screenshot run has no input, so it runs continuously.
    if screenshots.is_some() {
        app.insert_resource(WinitSettings::game());
    } else {
        app.insert_resource(WinitSettings::desktop_app());
    }
    app.init_state::<Screen>()
        .add_message::<Redraw>()
        .init_resource::<BoardRebuilds>()
        .configure_sets(Update, (GuiSystems::Input, GuiSystems::Build).chain())
        .insert_resource(started)
        .add_systems(Startup, spawn_camera)
        .add_systems(Update, toggle_fullscreen)
        .add_systems(
            Update,
            clear_to_page_colour
                .run_if(state_changed::<Screen>.or_else(any_match_filter::<Added<MainCamera>>)),
        )
        .add_systems(Last, report_startup)
        .add_plugins((
            theme::plugin,
            scale::plugin,
            actions::plugin,
            session::plugin,
            live_edit::plugin,
            screens::plugin,
            room::plugin,
            console::plugin,
            render_on_change::plugin,
        ));
    if let Some(run) = screenshots {
        app.insert_resource(run).add_plugins(screenshot::plugin);
    }
}

fn spawn_camera(mut commands: Commands) {
    // Flat UI needs no multisampling; without it the software renderer draws much faster.
    // The frame is copied to the window whole and opaque, so the window's own surface needs no
    // clearing first (one full-window fill less on a software renderer).
    commands.spawn((
        Camera2d,
        Camera {
            output_mode: bevy::camera::CameraOutputMode::Write {
                blend_state: None,
                clear_color: ClearColorConfig::None,
            },
            ..default()
        },
        Msaa::Off,
        MainCamera,
    ));
}

/// The colour the main camera clears to on this screen: the curtains' tray colour, else the
/// table. A screen's page background is the clear colour, never a full-window node drawn over
/// it (on a software renderer every full-window fill costs a few milliseconds a frame).
pub fn page_colour(screen: Screen) -> Color {
    match screen {
        Screen::Curtain | Screen::ConsoleCurtain => theme::TRAY,
        _ => theme::TABLE,
    }
}

fn clear_to_page_colour(
    screen: Res<State<Screen>>,
    mut cameras: Query<&mut Camera, With<MainCamera>>,
) {
    for mut camera in &mut cameras {
        camera.clear_color = ClearColorConfig::Custom(page_colour(*screen.get()));
    }
}

/// F11 switches between a window and borderless full screen (for the projector).
fn toggle_fullscreen(keys: Res<ButtonInput<KeyCode>>, mut windows: Query<&mut Window>) {
    if !keys.just_pressed(KeyCode::F11) {
        return;
    }
    for mut window in &mut windows {
        window.mode = match window.mode {
            WindowMode::Windowed => WindowMode::BorderlessFullscreen(MonitorSelection::Current),
            _ => WindowMode::Windowed,
        };
    }
}

/// When the process started the app, to report the time to an interactive title screen.
#[derive(Resource)]
struct Started(std::time::Instant);

/// Logs the time from start to the first frame drawn after the title screen was built.
fn report_startup(
    started: Option<Res<Started>>,
    roots: Query<(), With<ScreenRoot>>,
    mut frames_with_title: Local<u32>,
    mut commands: Commands,
) {
    let Some(started) = started else {
        return;
    };
    if roots.is_empty() {
        return;
    }
    *frames_with_title += 1;
    // Built in frame 1, laid out and drawn in frame 2: interactive from then on.
    if *frames_with_title == 2 {
        info!(
            "title screen interactive {:.0} ms after start",
            started.0.elapsed().as_secs_f64() * 1000.0
        );
        commands.remove_resource::<Started>();
    }
}

/// Despawn the current screen's root (before rebuilding it).
pub fn clear_screen(commands: &mut Commands, roots: &Query<Entity, With<ScreenRoot>>) {
    for root in roots {
        commands.entity(root).despawn();
    }
}
