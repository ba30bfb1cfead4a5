//! Teams on their own devices (`grayzone play --serve <addr:port>`): the projector's side.
//!
//! When a session starts, the [`crate::room::Room`] opens on the address given; every frame
//! the game answers the server's order checks and publishes the teams' views
//! ([`crate::room::Room::pump`]). On the board the projector shows, per team, a QR code of its
//! page, its join code and only whether it is connected and has confirmed: never its orders.
//! When the facilitator opens the orders phase, the teams' drafts go to the rules and the turn
//! resolves (no curtain, no hot seat). Without `--serve`, nothing here runs and the hot seat is
//! used as before.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};

use super::Screen;
use super::session::Session;
use super::theme::{self, Fonts, size};
use super::widgets;
use crate::room::{Room, display_code, qr_modules};
use crate::sim::{GameState, LoadedScenario};

/// The address `--serve` asked for.
#[derive(Resource, Debug, Clone, Copy)]
pub struct ServeAddr(pub SocketAddr);

/// The open room (the channel end inside is not shareable, hence the lock).
#[derive(Resource)]
pub struct RoomServer {
    room: Mutex<Room>,
    /// The pause state last told to the devices.
    paused: bool,
    /// Each seat's QR image, in seat order.
    qr: Vec<Handle<Image>>,
    /// The game the room was opened for (seed, scenario id): a new session opens a new room.
    game: (u64, String),
}

impl RoomServer {
    /// Runs `f` on the room.
    pub fn with<T>(&self, f: impl FnOnce(&mut Room) -> T) -> T {
        f(&mut self.room.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// What the projector shows of each seat; the panel is rebuilt only when this changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct SeatMarks {
    seats: Vec<(String, String, bool, bool)>,
}

/// Marks the projector's join panel.
#[derive(Component)]
struct RoomPanel;

/// Opens the room once a session is running, and a new one for a new session.
fn open_room(world: &mut World) {
    let Some(addr) = world.get_resource::<ServeAddr>().map(|a| a.0) else {
        return;
    };
    let Some(game) = world
        .get_resource::<crate::sim::GameConfig>()
        .zip(world.get_resource::<LoadedScenario>())
        .map(|(c, l)| (c.seed, l.scenario.meta.id.clone()))
    else {
        return;
    };
    if world.get_resource::<GameState>().is_none() {
        return;
    }
    if let Some(open) = world.get_resource::<RoomServer>() {
        if open.game == game {
            return;
        }
        // A different session: close the old room first (its port is reused).
        world.remove_resource::<RoomServer>();
    }
    match Room::open(addr, world) {
        Ok(room) => {
            if let Some(proxy) = world.get_resource::<EventLoopProxyWrapper>() {
                let proxy = (**proxy).clone();
                room.set_waker(move || {
                    let _ = proxy.send_event(WinitUserEvent::WakeUp);
                });
            }
            let urls: Vec<String> = room
                .lobby()
                .seats
                .iter()
                .map(|s| room.join_url(&s.code))
                .collect();
            let mut images = world.resource_mut::<Assets<Image>>();
            let qr = urls.iter().map(|url| images.add(qr_image(url))).collect();
            info!("teams join at {}", room.page_url());
            for seat in &room.lobby().seats {
                info!("  {}: join code {}", seat.name, display_code(&seat.code));
            }
            world.insert_resource(RoomServer {
                room: Mutex::new(room),
                paused: false,
                qr,
                game,
            });
        }
        Err(e) => {
            error!("{e}");
            if let Some(mut session) = world.get_resource_mut::<Session>() {
                session.notice = Some(format!("Teams cannot join from devices: {e}"));
            }
            world.remove_resource::<ServeAddr>();
        }
    }
}

/// A QR code as an image: one pixel per module, a four-module quiet zone, drawn scaled up
/// without smoothing.
fn qr_image(url: &str) -> Image {
    let (width, modules) = qr_modules(url).unwrap_or((1, vec![false]));
    let side = width + 8;
    let mut data = Vec::with_capacity(side * side * 4);
    for y in 0..side {
        for x in 0..side {
            let dark = x >= 4
                && y >= 4
                && x - 4 < width
                && y - 4 < width
                && modules[(y - 4) * width + (x - 4)];
            let v = if dark { 0 } else { 255 };
            data.extend_from_slice(&[v, v, v, 255]);
        }
    }
    let mut image = Image::new(
        Extent3d {
            width: side as u32,
            height: side as u32,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        data,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD | RenderAssetUsages::MAIN_WORLD,
    );
    image.sampler = ImageSampler::nearest();
    image
}

/// Every frame: answers order checks, publishes views, tells the devices about a pause.
fn pump_room(world: &mut World) {
    if !world.contains_resource::<RoomServer>() {
        return;
    }
    let paused = world.get_resource::<Session>().is_some_and(|s| s.paused);
    world.resource_scope(|world, mut server: Mut<RoomServer>| {
        server.with(|room| room.pump(world));
        if server.paused != paused {
            server.paused = paused;
            let over = world
                .get_resource::<GameState>()
                .is_some_and(|s| s.is_over());
            server.with(|room| {
                room.set_open(!paused && !over, "The facilitator has paused the game.")
            });
        }
    });
}

/// The projector's join panel on the board: QR, code, connected, confirmed.
fn show_panel(
    mut commands: Commands,
    server: Option<Res<RoomServer>>,
    fonts: Res<Fonts>,
    screen: Res<State<Screen>>,
    panels: Query<Entity, With<RoomPanel>>,
    mut shown: Local<SeatMarks>,
    mut built_for: Local<Option<Screen>>,
) {
    let on_board = *screen.get() == Screen::Board;
    let Some(server) = server.filter(|_| on_board) else {
        for p in &panels {
            commands.entity(p).despawn();
        }
        *shown = SeatMarks::default();
        *built_for = None;
        return;
    };
    let now = Instant::now();
    let (marks, url, latencies) = server.with(|room| {
        let lobby = room.lobby();
        let marks = SeatMarks {
            seats: lobby
                .seats
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        display_code(&s.code),
                        s.connected(now, Duration::from_secs(5)),
                        s.confirmed,
                    )
                })
                .collect(),
        };
        let latencies: Vec<(String, Duration)> = lobby
            .seats
            .iter()
            .filter_map(|s| s.confirmed_at.map(|t| (s.name.clone(), now - t)))
            .collect();
        (marks, room.page_url(), latencies)
    });
    // The screen rebuilds its root on entering; the panel is its own root, rebuilt on change.
    if *shown == marks && *built_for == Some(Screen::Board) && !panels.is_empty() {
        return;
    }
    for (i, (name, _, _, confirmed)) in marks.seats.iter().enumerate() {
        let newly = *confirmed && shown.seats.get(i).is_none_or(|s| !s.3);
        if newly && let Some((_, d)) = latencies.iter().find(|(n, _)| n == name) {
            info!(
                "{name} confirmed; on the projector {:.0} ms later",
                d.as_secs_f64() * 1000.0
            );
        }
    }
    for p in &panels {
        commands.entity(p).despawn();
    }
    // Once every team is connected: a compact line in the header's free middle, clear of the
    // board; until then the join panel over the bottom right.
    let compact = marks.seats.iter().all(|s| s.2);
    let place = if compact {
        Node {
            position_type: PositionType::Absolute,
            left: px(560),
            top: px(8),
            max_width: px(560),
            flex_wrap: FlexWrap::Wrap,
            ..default()
        }
    } else {
        Node {
            position_type: PositionType::Absolute,
            right: px(16),
            bottom: px(110),
            ..default()
        }
    };
    commands
        .spawn((
            RoomPanel,
            Node {
                position_type: place.position_type,
                left: place.left,
                top: place.top,
                right: place.right,
                bottom: place.bottom,
                max_width: place.max_width,
                flex_direction: FlexDirection::Column,
                row_gap: px(8),
                padding: UiRect::all(px(14)),
                border_radius: BorderRadius::all(px(10)),
                ..default()
            },
            BackgroundColor(theme::TRAY.with_alpha(0.96)),
            GlobalZIndex(5),
        ))
        .with_children(|panel| {
            // Once every team is connected, a compact line: who has confirmed (the QR codes
            // come back as soon as a device drops).
            if compact {
                panel
                    .spawn(Node {
                        flex_direction: FlexDirection::Row,
                        flex_wrap: FlexWrap::Wrap,
                        column_gap: px(16),
                        ..default()
                    })
                    .with_children(|row| {
                        for (name, _, _, confirmed) in &marks.seats {
                            let (label, colour) = if *confirmed {
                                (format!("✓ {name}"), theme::GOOD)
                            } else {
                                (format!("… {name}"), theme::ACCENT)
                            };
                            row.spawn(widgets::bold(&fonts, label, size::SMALL, colour));
                        }
                    });
                return;
            }
            panel.spawn(widgets::bold(
                &fonts,
                "Teams: order on your phones",
                size::SMALL,
                theme::CHALK,
            ));
            panel.spawn(widgets::text(&fonts, url, size::SMALL, theme::CHALK_SOFT));
            panel.spawn(widgets::row(14)).with_children(|row| {
                for (i, (name, code, connected, confirmed)) in marks.seats.iter().enumerate() {
                    row.spawn(widgets::column(4)).with_children(|seat| {
                        if let Some(qr) = server.qr.get(i) {
                            seat.spawn((
                                ImageNode::new(qr.clone()),
                                Node {
                                    width: px(132),
                                    height: px(132),
                                    ..default()
                                },
                            ));
                        }
                        seat.spawn(widgets::bold(
                            &fonts,
                            name.clone(),
                            size::SMALL,
                            theme::CHALK,
                        ));
                        seat.spawn(widgets::text(
                            &fonts,
                            code.clone(),
                            size::LARGE,
                            theme::CHALK,
                        ));
                        let (label, colour) = if *confirmed {
                            ("✓ confirmed", theme::GOOD)
                        } else if *connected {
                            ("… ordering", theme::ACCENT)
                        } else {
                            ("not connected", theme::CHALK_SOFT)
                        };
                        seat.spawn(widgets::bold(&fonts, label, size::SMALL, colour));
                    });
                }
            });
        });
    *shown = marks;
    *built_for = Some(Screen::Board);
}

/// Whether teams give their orders from their devices in this session.
pub fn serving(world: &World) -> bool {
    world.contains_resource::<RoomServer>()
}

/// Sends the teams' drafts (from their devices) to the rules as this turn's orders.
pub fn submit_room_orders(world: &mut World) {
    world.resource_scope(|world, server: Mut<RoomServer>| {
        server.with(|room| room.submit_orders(world));
    });
}

/// Closes the room when the facilitator goes back to set up another session.
fn close_room(mut commands: Commands) {
    commands.remove_resource::<RoomServer>();
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, (open_room, pump_room).chain())
        .add_systems(Update, show_panel.after(pump_room))
        .add_systems(OnEnter(Screen::Setup), close_room);
}
