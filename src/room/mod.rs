//! The room on the network: teams give their orders from their own phones or laptops.
//!
//! `grayzone play --serve <addr:port>` starts a [`Room`]: a small HTTP server on threads of its
//! own ([`server`]) serving one plain HTML page and a JSON API. Each team gets a short join code
//! (its token; shown on the projector with a QR code of the page's address). Every API request
//! carries the token, and a token opens exactly one team's seat: its private view ([`crate::view::TeamView`],
//! serialised as the game publishes it), its draft and whether it has confirmed. Nothing else is
//! ever served: no other team's view, no board, no hidden truth.
//!
//! The server never touches the rules. The game (the GUI, or a test) owns the [`Room`] and, once
//! a frame, calls [`Room::pump`]: it answers the server's order checks with the rules'
//! [`Ctx::check_order`] (over channels; the server waits for the answer), and publishes every
//! team's view when the turn changes. Drafts are kept on the server side, so a device that drops
//! and comes back finds its draft as it left it. When the facilitator resolves the turn,
//! [`Room::submit_orders`] sends every team's draft (confirmed or not: the clock has run out) to
//! the rules as [`SubmitOrders`] messages, rationale included.

pub mod server;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bevy::prelude::World;
use serde::{Deserialize, Serialize};

use crate::scenario::Controller;
use crate::sim::{Ctx, GameState, LoadedScenario, Order, SubmitOrders};
use crate::view;

/// The longest rationale kept, in characters (a one-liner; longer text is refused).
pub const MAX_RATIONALE_CHARS: usize = 200;

/// The letters of join codes: no 0/O, 1/I/L, so a code read off a projector is typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Length of a join code (31^6 ≈ 887 million codes; wrong guesses are rate limited).
pub const CODE_LEN: usize = 6;

/// A team's orders in progress, as the device edits them and the server keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// The orders, in priority order.
    #[serde(default)]
    pub orders: Vec<Order>,
    /// Answers to proposals: (proposal id, accept).
    #[serde(default)]
    pub answers: Vec<(String, bool)>,
    /// A one-line rationale, kept in the session record and (privately) in the log.
    #[serde(default)]
    pub rationale: String,
}

/// One team's seat in the room.
#[derive(Debug, Clone)]
pub struct Seat {
    /// Actor position.
    pub actor: usize,
    /// Actor id.
    pub actor_id: String,
    /// Actor name.
    pub name: String,
    /// The join code (the team's token).
    pub code: String,
    /// The team's private view for this turn, as JSON (published by the game).
    pub view: Arc<str>,
    /// The team's draft, kept here across reconnects.
    pub draft: Draft,
    /// Whether the team has confirmed its orders for this turn.
    pub confirmed: bool,
    /// When it confirmed (for the projector's "confirmed" marker and its latency).
    pub confirmed_at: Option<Instant>,
    /// When a device of this team last asked for its view.
    pub last_seen: Option<Instant>,
}

impl Seat {
    /// Whether a device of this team asked for its view in the last `within`.
    pub fn connected(&self, now: Instant, within: Duration) -> bool {
        self.last_seen
            .is_some_and(|t| now.saturating_duration_since(t) <= within)
    }
}

/// What the server and the game share: the seats and the turn.
#[derive(Debug, Default)]
pub struct Lobby {
    /// The turn the drafts are for.
    pub turn: u32,
    /// Whether orders are open (false once the game is over or while paused).
    pub open: bool,
    /// Why orders are closed, in words, when they are.
    pub closed_reason: String,
    /// When the turn's orders opened (for the clock on the devices).
    pub opened_at: Option<Instant>,
    /// The turn budget shown on the devices' clock.
    pub budget: Duration,
    /// One seat per team actor, in scenario order.
    pub seats: Vec<Seat>,
    /// Called whenever a seat changes (a confirmation, a first connection), so an idle window
    /// redraws at once.
    pub waker: Option<Waker>,
}

/// Wakes the game's window from the server's threads.
#[derive(Clone)]
pub struct Waker(pub Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for Waker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Waker")
    }
}

impl Lobby {
    /// The seat a join code opens, if any (case and separators ignored).
    pub fn seat_of(&self, code: &str) -> Option<usize> {
        let code = normalise_code(code);
        if code.len() != CODE_LEN {
            return None;
        }
        self.seats.iter().position(|s| s.code == code)
    }
}

/// A join code as typed: upper case, letters and digits only.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .take(CODE_LEN + 1)
        .collect()
}

/// A join code for display: `ABC-DEF`.
pub fn display_code(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

/// Fresh join codes, one per team, all different, from the operating system's randomness (never
/// from the game's seeded generator: a seed must not predict a token).
fn new_codes(n: usize) -> Vec<String> {
    use rand::RngExt;
    let mut rng = rand::rng();
    let mut codes: Vec<String> = Vec::with_capacity(n);
    while codes.len() < n {
        let code: String = (0..CODE_LEN)
            .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
            .collect();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// An order check the server asks the game for: the seat's actor and its draft; the answer is
/// the draft as the rules accept it, or every problem in words.
#[derive(Debug)]
pub struct CheckRequest {
    /// Actor position.
    pub actor: usize,
    /// The draft to check.
    pub draft: Draft,
    /// Where the answer goes.
    pub reply: Sender<Result<Draft, Vec<String>>>,
}

/// The room: its server, its seats, and the channel the server's order checks come through.
pub struct Room {
    lobby: Arc<Mutex<Lobby>>,
    checks: Receiver<CheckRequest>,
    server: server::Server,
    /// The address pages are served on (as bound).
    pub addr: SocketAddr,
    /// The address the projector shows (the machine's address on the room's network when
    /// bound to all interfaces).
    pub public_addr: SocketAddr,
    /// The turn and state hash last published (views are rebuilt when either changes).
    published: Option<(u32, u64)>,
}

/// Why the room could not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomError(pub String);

impl std::fmt::Display for RoomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Room {
    /// Opens the room on `addr` for the team actors of `world`'s game (its [`GameState`] and
    /// [`LoadedScenario`]) and publishes their views.
    pub fn open(addr: SocketAddr, world: &World) -> Result<Self, RoomError> {
        let loaded = world
            .get_resource::<LoadedScenario>()
            .ok_or_else(|| RoomError("no game is running".into()))?;
        let state = world
            .get_resource::<GameState>()
            .ok_or_else(|| RoomError("no game is running".into()))?;
        let teams: Vec<usize> = state
            .actors
            .iter()
            .enumerate()
            .filter(|(_, a)| a.controller == Controller::Team)
            .map(|(i, _)| i)
            .collect();
        let codes = new_codes(teams.len());
        let seats = teams
            .iter()
            .zip(codes)
            .map(|(&actor, code)| Seat {
                actor,
                actor_id: loaded.scenario.actors[actor].id.clone(),
                name: loaded.scenario.actors[actor].name.clone(),
                code,
                view: Arc::from("null"),
                draft: Draft::default(),
                confirmed: false,
                confirmed_at: None,
                last_seen: None,
            })
            .collect();
        let lobby = Arc::new(Mutex::new(Lobby {
            turn: state.turn,
            budget: Duration::from_secs(8 * 60),
            seats,
            ..Default::default()
        }));
        let (tx, rx) = std::sync::mpsc::channel();
        let server = server::Server::start(addr, Arc::clone(&lobby), tx).map_err(|e| {
            RoomError(format!(
                "cannot listen on {addr}: {e}\n  = help: pick a free port (e.g. --serve 0.0.0.0:8080), or an address of this machine"
            ))
        })?;
        let bound = server.addr;
        let mut room = Room {
            lobby,
            checks: rx,
            server,
            addr: bound,
            public_addr: reachable_addr(bound),
            published: None,
        };
        room.pump(world);
        Ok(room)
    }

    /// The seats (locked for as long as the guard lives: keep it short).
    pub fn lobby(&self) -> MutexGuard<'_, Lobby> {
        lock(&self.lobby)
    }

    /// The page address a team's device opens (its code in the fragment, so it never reaches
    /// a log line of a proxy).
    pub fn join_url(&self, code: &str) -> String {
        format!("http://{}/#{code}", self.public_addr)
    }

    /// The page address without a code (to type the code in).
    pub fn page_url(&self) -> String {
        format!("http://{}/", self.public_addr)
    }

    /// Once a frame: answers the server's order checks with the rules, and publishes the teams'
    /// views when the turn or the state has changed (a new turn clears drafts and confirmations).
    pub fn pump(&mut self, world: &World) {
        let (Some(loaded), Some(state)) = (
            world.get_resource::<LoadedScenario>(),
            world.get_resource::<GameState>(),
        ) else {
            return;
        };
        while let Ok(request) = self.checks.try_recv() {
            let answer = check_draft(loaded, state, request.actor, request.draft);
            // The server may have given up waiting; nothing to do then.
            let _ = request.reply.send(answer);
        }
        let stamp = (state.turn, state.state_hash());
        if self.published == Some(stamp) {
            return;
        }
        let log = world.get_resource::<crate::sim::GameLog>();
        let mut lobby = lock(&self.lobby);
        let new_turn = lobby.turn != state.turn || self.published.is_none();
        lobby.turn = state.turn;
        lobby.open = !state.is_over();
        lobby.closed_reason = if state.is_over() {
            "The game is over.".into()
        } else {
            String::new()
        };
        if new_turn {
            lobby.opened_at = Some(Instant::now());
        }
        for seat in &mut lobby.seats {
            let cards = view::legal_cards(&loaded.scenario, &loaded.index, state, seat.actor);
            let empty = crate::sim::GameLog::default();
            let team = view::team_view(
                &loaded.scenario,
                state,
                log.unwrap_or(&empty),
                seat.actor,
                &cards,
            );
            seat.view = Arc::from(serde_json::to_string(&team).unwrap_or_else(|_| "null".into()));
            if new_turn {
                seat.draft = Draft::default();
                seat.confirmed = false;
                seat.confirmed_at = None;
            }
        }
        self.published = Some(stamp);
    }

    /// Sets what wakes the game's window when a seat changes.
    pub fn set_waker(&self, wake: impl Fn() + Send + Sync + 'static) {
        lock(&self.lobby).waker = Some(Waker(Arc::new(wake)));
    }

    /// Opens or closes orders (the facilitator's pause closes them; a reason in words).
    pub fn set_open(&self, open: bool, reason: &str) {
        let mut lobby = lock(&self.lobby);
        lobby.open = open;
        lobby.closed_reason = if open { String::new() } else { reason.into() };
    }

    /// Whether every team has confirmed its orders.
    pub fn all_confirmed(&self) -> bool {
        let lobby = lock(&self.lobby);
        !lobby.seats.is_empty() && lobby.seats.iter().all(|s| s.confirmed)
    }

    /// The orders of every team for the turn being resolved, as messages for the rules: each
    /// team's last draft the rules accepted (confirmed or not), rationale included. Orders close
    /// until the next turn is published.
    pub fn orders(&self) -> Vec<SubmitOrders> {
        let mut lobby = lock(&self.lobby);
        lobby.open = false;
        lobby.closed_reason = "The turn is being resolved.".into();
        lobby
            .seats
            .iter()
            .map(|seat| SubmitOrders {
                actor: seat.actor_id.clone(),
                orders: seat.draft.orders.clone(),
                answers: seat.draft.answers.clone(),
                rationale: seat.draft.rationale.clone(),
            })
            .collect()
    }

    /// Writes [`Room::orders`] as [`SubmitOrders`] messages into `world` (the rules collect
    /// them, and the session record keeps them).
    pub fn submit_orders(&self, world: &mut World) {
        for message in self.orders() {
            world.write_message(message);
        }
    }

    /// Stops the server (also done on drop).
    pub fn close(&mut self) {
        self.server.stop();
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        self.server.stop();
    }
}

/// Locks the lobby; a panic on another thread while it was held leaves the data usable.
pub(crate) fn lock(lobby: &Mutex<Lobby>) -> MutexGuard<'_, Lobby> {
    lobby.lock().unwrap_or_else(|e| e.into_inner())
}

/// Checks a draft with the rules: every order with [`Ctx::check_order`], no more orders than
/// the scenario allows a turn, answers only to proposals the team has received, a one-line
/// rationale. Returns the draft as kept (rationale trimmed) or every problem in words.
pub fn check_draft(
    loaded: &LoadedScenario,
    state: &GameState,
    actor: usize,
    mut draft: Draft,
) -> Result<Draft, Vec<String>> {
    let ctx = Ctx {
        sc: &loaded.scenario,
        ix: &loaded.index,
        st: state,
    };
    let mut problems = Vec::new();
    let limit = loaded.scenario.meta.rules.orders_per_turn as usize;
    if draft.orders.len() > limit {
        problems.push(format!(
            "{} orders given; at most {limit} a turn",
            draft.orders.len()
        ));
    }
    for order in &draft.orders {
        if let Err(why) = ctx.check_order(actor, order) {
            problems.push(format!("{}: {why}", order.action));
        }
    }
    let incoming: BTreeMap<String, ()> =
        view::team_view(&loaded.scenario, state, &Default::default(), actor, &[])
            .incoming
            .into_iter()
            .map(|p| (p.id, ()))
            .collect();
    for (id, _) in &draft.answers {
        if !incoming.contains_key(id) {
            problems.push(format!("no proposal \"{id}\" is waiting for your answer"));
        }
    }
    let mut seen = Vec::new();
    draft.answers.retain(|(id, _)| {
        let first = !seen.contains(id);
        seen.push(id.clone());
        first
    });
    if draft.rationale.contains(['\n', '\r']) {
        problems.push("the rationale must be one line".into());
    }
    draft.rationale = draft.rationale.trim().to_string();
    if draft.rationale.chars().count() > MAX_RATIONALE_CHARS {
        problems.push(format!(
            "the rationale is longer than {MAX_RATIONALE_CHARS} characters"
        ));
    }
    if problems.is_empty() {
        Ok(draft)
    } else {
        Err(problems)
    }
}

/// The address devices on the room's network reach: the bound one, unless it is "all
/// interfaces" (0.0.0.0 / ::), then this machine's address on the network its default route
/// uses (found without sending anything), else loopback.
pub fn reachable_addr(bound: SocketAddr) -> SocketAddr {
    if !bound.ip().is_unspecified() {
        return bound;
    }
    let probe = if bound.is_ipv4() {
        std::net::UdpSocket::bind("0.0.0.0:0").and_then(|s| {
            s.connect("192.0.2.1:9")?;
            s.local_addr()
        })
    } else {
        std::net::UdpSocket::bind("[::]:0").and_then(|s| {
            s.connect("[2001:db8::1]:9")?;
            s.local_addr()
        })
    };
    match probe {
        Ok(local) if !local.ip().is_unspecified() => SocketAddr::new(local.ip(), bound.port()),
        _ => SocketAddr::new(
            if bound.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            },
            bound.port(),
        ),
    }
}

/// The QR code of `text` as a square of modules (true = dark), with its side; `None` if the
/// text is too long for a QR code.
pub fn qr_modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((width, modules))
}

/// What a team's device receives besides its view: its own seat and nothing else.
#[derive(Debug, Serialize)]
pub struct SeatState<'a> {
    /// Actor id.
    pub actor: &'a str,
    /// Actor name.
    pub name: &'a str,
    /// The turn.
    pub turn: u32,
    /// Whether orders are open.
    pub open: bool,
    /// Why not, when they are not.
    pub closed_reason: &'a str,
    /// Seconds since the turn's orders opened.
    pub clock_seconds: u64,
    /// The turn's budget in seconds.
    pub budget_seconds: u64,
    /// Whether this team has confirmed.
    pub confirmed: bool,
    /// This team's draft.
    pub draft: &'a Draft,
    /// The longest rationale accepted, in characters.
    pub max_rationale: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_unambiguous_and_normalised() {
        let codes = new_codes(40);
        for (i, c) in codes.iter().enumerate() {
            assert_eq!(c.len(), CODE_LEN);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
            assert!(!codes[..i].contains(c));
            let typed = display_code(c).to_lowercase();
            assert_eq!(normalise_code(&typed), *c);
        }
        assert!(!CODE_ALPHABET.contains(&b'0') && !CODE_ALPHABET.contains(&b'O'));
    }

    #[test]
    fn a_qr_code_is_square_and_has_dark_modules() {
        let (w, m) = qr_modules("http://192.168.1.20:8080/#ABCDEF").expect("fits");
        assert_eq!(m.len(), w * w);
        assert!(w >= 21);
        // The three finder patterns: the top-left corner module is dark.
        assert!(m[0] && m[w - 1] && m[(w - 1) * w]);
    }

    #[test]
    fn an_explicit_address_is_shown_as_bound() {
        let a: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(reachable_addr(a), a);
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(!reachable_addr(any).ip().is_unspecified());
        assert_eq!(reachable_addr(any).port(), 8080);
    }
}
