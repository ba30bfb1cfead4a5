//! The room's HTTP server: the team page and its JSON API, on worker threads of its own.
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | the team page (`room.js`, `room.css` beside it) |
//! | `GET /api/state` | the team's seat (turn, clock, draft, confirmed) and its private view |
//! | `PUT /api/draft` | a new draft, checked by the rules, kept on the server |
//! | `POST /api/confirm` | the draft, checked, kept, and marked confirmed |
//! | `POST /api/unconfirm` | back to editing (until the turn resolves) |
//!
//! Every `/api` request carries the team's join code as `Authorization: Bearer <code>`. Bodies
//! are at most [`MAX_BODY_BYTES`]; each client address may make [`RATE_BURST`] requests at once
//! and [`RATE_PER_SECOND`] a second after that, and only a few wrong codes a minute
//! ([`WRONG_CODE_BURST`]), so codes cannot be guessed.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tiny_http::{Header, Method, Request, Response};

use super::{CheckRequest, Draft, Lobby, MAX_RATIONALE_CHARS, SeatState, lock};

/// The largest request body accepted, in bytes (a draft is a few hundred).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Requests a client address may make at once.
pub const RATE_BURST: f64 = 40.0;
/// Requests a client address may make a second, sustained (the page polls once a second).
pub const RATE_PER_SECOND: f64 = 10.0;
/// Wrong join codes a client address may try at once; one more every six seconds.
pub const WRONG_CODE_BURST: f64 = 10.0;
/// How long the server waits for the game to check a draft.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);
/// Worker threads (a slow client holds only one).
const WORKERS: usize = 4;

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/room.js");
const STYLE: &str = include_str!("page/room.css");

/// The running server: its worker threads and how to stop them.
pub struct Server {
    /// The address bound (the port filled in when 0 was asked for).
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` and starts the workers.
    pub fn start(
        addr: SocketAddr,
        lobby: Arc<Mutex<Lobby>>,
        checks: Sender<CheckRequest>,
    ) -> Result<Self, String> {
        let http = tiny_http::Server::http(addr).map_err(|e| e.to_string())?;
        let bound = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| "not an IP address".to_string())?;
        let http = Arc::new(http);
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            lobby,
            checks: Mutex::new(checks),
            limits: Mutex::new(Limits::default()),
        });
        let workers = (0..WORKERS)
            .map(|n| {
                let http = Arc::clone(&http);
                let stop = Arc::clone(&stop);
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("room-http-{n}"))
                    .spawn(move || {
                        while !stop.load(Ordering::Relaxed) {
                            match http.recv_timeout(Duration::from_millis(200)) {
                                Ok(Some(request)) => shared.handle(request),
                                Ok(None) => {}
                                Err(_) => std::thread::sleep(Duration::from_millis(50)),
                            }
                        }
                    })
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Server {
            addr: bound,
            stop,
            workers,
        })
    }

    /// Stops the workers and waits for them (each finishes the request it is answering).
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// A token bucket per client address.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self, now: Instant, burst: f64, per_second: f64) -> bool {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * per_second;
        self.tokens = (self.tokens + refill).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Request and wrong-code budgets by client address.
#[derive(Debug, Default)]
struct Limits {
    requests: BTreeMap<IpAddr, Bucket>,
    wrong_codes: BTreeMap<IpAddr, Bucket>,
}

/// Clients remembered at most (idle ones are forgotten first); bounds the limiter's memory.
const MAX_CLIENTS: usize = 4096;

impl Limits {
    fn take(map: &mut BTreeMap<IpAddr, Bucket>, ip: IpAddr, burst: f64, per_second: f64) -> bool {
        let now = Instant::now();
        if map.len() >= MAX_CLIENTS && !map.contains_key(&ip) {
            map.retain(|_, b| now.saturating_duration_since(b.at) < Duration::from_secs(60));
            if map.len() >= MAX_CLIENTS {
                return false;
            }
        }
        map.entry(ip)
            .or_insert(Bucket {
                tokens: burst,
                at: now,
            })
            .take(now, burst, per_second)
    }
}

struct Shared {
    lobby: Arc<Mutex<super::Lobby>>,
    checks: Mutex<Sender<CheckRequest>>,
    limits: Mutex<Limits>,
}

/// An answer: status and JSON (or page) body.
struct Answer {
    status: u16,
    body: String,
    content_type: &'static str,
}

fn json(status: u16, body: String) -> Answer {
    Answer {
        status,
        body,
        content_type: "application/json; charset=utf-8",
    }
}

fn error(status: u16, message: &str) -> Answer {
    json(status, serde_json::json!({ "error": message }).to_string())
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

impl Shared {
    fn handle(&self, mut request: Request) {
        let ip = request
            .remote_addr()
            .map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip());
        let allowed = Limits::take(
            &mut self
                .limits
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .requests,
            ip,
            RATE_BURST,
            RATE_PER_SECOND,
        );
        let answer = if allowed {
            self.route(&mut request, ip)
        } else {
            error(429, "too many requests: wait a second and try again")
        };
        let mut response = Response::from_string(answer.body)
            .with_status_code(answer.status)
            .with_header(header("Content-Type", answer.content_type))
            .with_header(header("Cache-Control", "no-store"))
            .with_header(header("X-Content-Type-Options", "nosniff"))
            .with_header(header("Referrer-Policy", "no-referrer"))
            .with_header(header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            ));
        if answer.status == 429 {
            response = response.with_header(header("Retry-After", "1"));
        }
        let _ = request.respond(response);
    }

    fn route(&self, request: &mut Request, ip: IpAddr) -> Answer {
        let path = request.url().split('?').next().unwrap_or("").to_string();
        let method = request.method().clone();
        match (&method, path.as_str()) {
            (Method::Get, "/" | "/index.html") => Answer {
                status: 200,
                body: PAGE.into(),
                content_type: "text/html; charset=utf-8",
            },
            (Method::Get, "/room.js") => Answer {
                status: 200,
                body: SCRIPT.into(),
                content_type: "text/javascript; charset=utf-8",
            },
            (Method::Get, "/room.css") => Answer {
                status: 200,
                body: STYLE.into(),
                content_type: "text/css; charset=utf-8",
            },
            (_, p) if p.starts_with("/api/") => self.api(request, &method, p, ip),
            (Method::Get, _) => error(404, "no such page"),
            _ => error(405, "method not allowed"),
        }
    }

    /// The seat the request's token opens, or the answer refusing it.
    fn seat(&self, request: &Request, ip: IpAddr) -> Result<usize, Answer> {
        let token = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Authorization"))
            .map(|h| h.value.as_str().trim().to_string())
            .and_then(|v| v.strip_prefix("Bearer ").map(str::to_string));
        let Some(token) = token else {
            return Err(error(
                401,
                "no join code: open the page from the projector's QR code, or type your team's code",
            ));
        };
        let seat = lock(&self.lobby).seat_of(&token);
        match seat {
            Some(seat) => Ok(seat),
            None => {
                let mut limits = self.limits.lock().unwrap_or_else(|e| e.into_inner());
                if Limits::take(&mut limits.wrong_codes, ip, WRONG_CODE_BURST, 1.0 / 6.0) {
                    Err(error(
                        401,
                        "unknown join code: check the code on the projector",
                    ))
                } else {
                    Err(error(
                        429,
                        "too many wrong join codes: wait a minute and try again",
                    ))
                }
            }
        }
    }

    fn api(&self, request: &mut Request, method: &Method, path: &str, ip: IpAddr) -> Answer {
        let seat = match self.seat(request, ip) {
            Ok(seat) => seat,
            Err(answer) => return answer,
        };
        match (method, path) {
            (Method::Get, "/api/state") => self.state(seat),
            (Method::Put, "/api/draft") => match read_draft(request) {
                Ok(draft) => self.store(seat, draft, false),
                Err(answer) => answer,
            },
            (Method::Post, "/api/confirm") => match read_draft(request) {
                Ok(draft) => self.store(seat, draft, true),
                Err(answer) => answer,
            },
            (Method::Post, "/api/unconfirm") => {
                let mut lobby = lock(&self.lobby);
                if !lobby.open {
                    let reason = lobby.closed_reason.clone();
                    return error(409, &format!("orders are closed: {reason}"));
                }
                let s = &mut lobby.seats[seat];
                s.confirmed = false;
                s.confirmed_at = None;
                wake(lobby);
                self.state(seat)
            }
            (Method::Get, _) => error(404, "no such request"),
            _ => error(405, "method not allowed"),
        }
    }

    /// The seat's state and view.
    fn state(&self, seat: usize) -> Answer {
        let mut lobby = lock(&self.lobby);
        let now = Instant::now();
        let first = lobby.seats[seat].last_seen.is_none();
        lobby.seats[seat].last_seen = Some(now);
        if first && let Some(w) = lobby.waker.clone() {
            (w.0)();
        }
        let lobby = &*lobby;
        let s = &lobby.seats[seat];
        let head = SeatState {
            actor: &s.actor_id,
            name: &s.name,
            turn: lobby.turn,
            open: lobby.open,
            closed_reason: &lobby.closed_reason,
            clock_seconds: lobby
                .opened_at
                .map_or(0, |t| now.saturating_duration_since(t).as_secs()),
            budget_seconds: lobby.budget.as_secs(),
            confirmed: s.confirmed,
            draft: &s.draft,
            max_rationale: MAX_RATIONALE_CHARS,
        };
        let head = serde_json::to_string(&head).unwrap_or_else(|_| "null".into());
        json(200, format!("{{\"seat\":{head},\"view\":{}}}", s.view))
    }

    /// Checks a draft with the rules (through the game) and keeps it.
    fn store(&self, seat: usize, draft: Draft, confirm: bool) -> Answer {
        let (actor, turn) = {
            let lobby = lock(&self.lobby);
            if !lobby.open {
                return error(409, &format!("orders are closed: {}", lobby.closed_reason));
            }
            if lobby.seats[seat].confirmed {
                return error(
                    409,
                    "your orders are confirmed: press “Change orders” to edit them",
                );
            }
            (lobby.seats[seat].actor, lobby.turn)
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let sent = self
            .checks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(CheckRequest {
                actor,
                draft,
                reply: tx,
            });
        if sent.is_err() {
            return error(503, "the game has closed the room");
        }
        let checked = match rx.recv_timeout(CHECK_TIMEOUT) {
            Ok(checked) => checked,
            Err(_) => return error(503, "the game is busy: try again in a moment"),
        };
        match checked {
            Ok(draft) => {
                let mut lobby = lock(&self.lobby);
                if lobby.turn != turn || !lobby.open {
                    return error(409, "the turn has moved on: your page will refresh");
                }
                let s = &mut lobby.seats[seat];
                s.draft = draft;
                if confirm {
                    s.confirmed = true;
                    s.confirmed_at = Some(Instant::now());
                }
                wake(lobby);
                self.state(seat)
            }
            Err(problems) => json(
                422,
                serde_json::json!({ "error": "the rules refuse these orders", "problems": problems })
                    .to_string(),
            ),
        }
    }
}

/// Releases the lobby, then wakes the game's window (if it has a waker).
fn wake(lobby: std::sync::MutexGuard<'_, Lobby>) {
    let waker = lobby.waker.clone();
    drop(lobby);
    if let Some(w) = waker {
        (w.0)();
    }
}

/// Reads a bounded JSON body as a [`Draft`].
fn read_draft(request: &mut Request) -> Result<Draft, Answer> {
    match request.body_length() {
        Some(n) if n > MAX_BODY_BYTES => {
            return Err(error(
                413,
                &format!("request too large: at most {MAX_BODY_BYTES} bytes"),
            ));
        }
        None => return Err(error(411, "a body with a Content-Length is required")),
        _ => {}
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body);
    if read.is_err() {
        return Err(error(400, "the request body could not be read"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(error(
            413,
            &format!("request too large: at most {MAX_BODY_BYTES} bytes"),
        ));
    }
    serde_json::from_slice(&body).map_err(|e| error(400, &format!("not a valid draft: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let mut map = BTreeMap::new();
        let ip = IpAddr::from([10, 0, 0, 1]);
        let allowed = (0..100)
            .filter(|_| Limits::take(&mut map, ip, 5.0, 0.0))
            .count();
        assert_eq!(allowed, 5);
        // Another client has its own budget.
        assert!(Limits::take(
            &mut map,
            IpAddr::from([10, 0, 0, 2]),
            5.0,
            0.0
        ));
    }
}
