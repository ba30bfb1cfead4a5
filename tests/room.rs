//! The room on the network: two teams order over HTTP against a real game, as their phones do.
//!
//! Every test plays the default scenario with two team actors; the room's server runs on its
//! own threads and the test pumps it from the game's side, as the GUI does once a frame.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::http::{Reply, request};
use grayzone::room::{Room, server::MAX_BODY_BYTES};
use grayzone::scenario::Controller;
use grayzone::sim::{Event, Game, GameLog, GameState, LoadedScenario, SessionRecord};
use grayzone::view::{legal_cards, team_view};

struct Table {
    game: Game,
    room: Room,
    loaded: LoadedScenario,
}

fn table(seed: u64) -> Table {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/forward_defense_2022");
    let (loaded, _) = LoadedScenario::load(&dir).expect("the default scenario loads");
    let mut controllers = loaded.default_controllers();
    controllers[0] = Controller::Team;
    controllers[1] = Controller::Team;
    let mut game = Game::new(&loaded, seed, &controllers);
    game.world
        .insert_resource(SessionRecord::new(&loaded, &dir, seed, &controllers));
    let room = Room::open("127.0.0.1:0".parse().unwrap(), &game.world).expect("the room opens");
    Table { game, room, loaded }
}

impl Table {
    /// Runs `f` (HTTP calls) on another thread while answering the server's checks here.
    fn pumped<T: Send>(&mut self, f: impl FnOnce(SocketAddr) -> T + Send) -> T {
        let addr = self.room.addr;
        let world = &self.game.world;
        let room = &mut self.room;
        std::thread::scope(|s| {
            let h = s.spawn(move || f(addr));
            while !h.is_finished() {
                room.pump(world);
                std::thread::sleep(Duration::from_millis(1));
            }
            room.pump(world);
            h.join().expect("the client thread")
        })
    }

    fn code(&self, team: usize) -> String {
        self.room.lobby().seats[team].code.clone()
    }

    fn actor_id(&self, team: usize) -> String {
        self.loaded.scenario.actors[team].id.clone()
    }

    /// A legal order of a team this turn, by the rules: (action id, target id).
    fn legal_order(&self, actor: usize, skip: usize) -> (String, Option<String>) {
        let state = self.game.state();
        let cards = legal_cards(&self.loaded.scenario, &self.loaded.index, state, actor);
        let (action, options) = &cards[skip % cards.len()];
        (
            self.loaded.scenario.actions[*action].id.clone(),
            options[0]
                .0
                .map(|t| self.loaded.scenario.actors[t].id.clone()),
        )
    }

    fn resolve(&mut self) {
        self.room.submit_orders(&mut self.game.world);
        self.game.step();
        self.room.pump(&self.game.world);
    }
}

fn bearer(code: &str) -> String {
    format!("Bearer {code}")
}

fn get_state(addr: SocketAddr, code: &str) -> Reply {
    request(
        addr,
        "GET",
        "/api/state",
        &[("Authorization", &bearer(code))],
        None,
    )
    .expect("the server answers")
}

fn send(addr: SocketAddr, method: &str, path: &str, code: &str, body: &serde_json::Value) -> Reply {
    request(
        addr,
        method,
        path,
        &[("Authorization", &bearer(code))],
        Some(&body.to_string()),
    )
    .expect("the server answers")
}

fn draft(action: &str, target: Option<&str>, rationale: &str) -> serde_json::Value {
    serde_json::json!({
        "orders": [{ "action": action, "target": target }],
        "answers": [],
        "rationale": rationale,
    })
}

#[test]
fn a_team_reads_exactly_its_own_view_and_nothing_without_its_code() {
    let mut t = table(3);
    let (a, b) = (t.code(0), t.code(1));
    let (ra, rb, none, wrong) = t.pumped(|addr| {
        (
            get_state(addr, &a),
            get_state(addr, &b.to_lowercase()),
            request(addr, "GET", "/api/state", &[], None).unwrap(),
            get_state(addr, "ZZZZZZ"),
        )
    });
    assert_eq!(ra.status, 200, "{}", ra.body);
    let state = t.game.state();
    let log = t.game.log();
    let own = |actor: usize| {
        let cards = legal_cards(&t.loaded.scenario, &t.loaded.index, state, actor);
        // Through the wire format, as the page receives it (f32 fields print shortest).
        let text = serde_json::to_string(&team_view(&t.loaded.scenario, state, log, actor, &cards))
            .unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    // The view served is the team's own view model, exactly; never the other team's.
    assert_eq!(ra.json()["view"], own(0));
    assert_eq!(rb.json()["view"], own(1));
    assert_ne!(ra.json()["view"], own(1));
    assert_eq!(ra.json()["seat"]["actor"], t.actor_id(0));
    // Nothing else rides along: the seat, the view, no other team and no board.
    let keys: Vec<String> = ra.json().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["seat", "view"]);
    assert!(!ra.body.contains(&t.code(1)), "another team's code leaked");
    // The other team's private red lines never reach this team.
    for rl in &t.loaded.scenario.red_lines {
        if rl.owner == t.actor_id(1) && !rl.public {
            assert!(
                !ra.body.contains(&rl.text),
                "B's private red line reached A"
            );
        }
    }
    assert_eq!(none.status, 401);
    assert_eq!(wrong.status, 401);
    assert!(!wrong.body.contains("\"view\""));
}

#[test]
fn orders_given_over_the_network_reach_the_record_and_the_log() {
    let mut t = table(7);
    let (a, b) = (t.code(0), t.code(1));
    let (a_action, a_target) = t.legal_order(0, 0);
    let (b_action, b_target) = t.legal_order(1, 1);
    let da = draft(
        &a_action,
        a_target.as_deref(),
        "Signal resolve without escalating",
    );
    let db = draft(&b_action, b_target.as_deref(), "");
    let replies = t.pumped(|addr| {
        let saved = send(addr, "PUT", "/api/draft", &a, &da);
        // A second device of team A (or the same after a drop) finds the draft kept.
        let again = get_state(addr, &a);
        let confirmed_a = send(addr, "POST", "/api/confirm", &a, &da);
        let confirmed_b = send(addr, "POST", "/api/confirm", &b, &db);
        (saved, again, confirmed_a, confirmed_b)
    });
    assert_eq!(replies.0.status, 200, "{}", replies.0.body);
    assert_eq!(replies.1.json()["seat"]["draft"], da);
    assert_eq!(replies.2.json()["seat"]["confirmed"], true);
    assert_eq!(replies.3.status, 200, "{}", replies.3.body);
    assert!(t.room.all_confirmed());
    t.resolve();

    let record = t.game.world.resource::<SessionRecord>();
    let turn1 = &record.turns[0].orders;
    let a_sent = turn1
        .iter()
        .find(|o| o.actor == t.actor_id(0))
        .expect("A's orders recorded");
    assert_eq!(a_sent.orders[0].action, a_action);
    assert_eq!(a_sent.orders[0].target, a_target);
    assert_eq!(a_sent.rationale, "Signal resolve without escalating");
    let log = t.game.world.resource::<GameLog>();
    let given = |actor: &str, action: &str| {
        log.entries.iter().any(|e| {
            matches!(&e.event, Event::Order { actor: who, action: what, by, .. }
                if who == actor && what == action && by == "team")
        })
    };
    assert!(given(&t.actor_id(0), &a_action));
    assert!(given(&t.actor_id(1), &b_action));
    let rationale = log
        .entries
        .iter()
        .find(|e| matches!(&e.event, Event::Rationale { actor, .. } if *actor == t.actor_id(0)))
        .expect("the rationale is in the log");
    assert!(
        !rationale.audience.visible_to(&t.actor_id(1)),
        "a rationale is private to its team"
    );

    // The next turn starts clean: no draft, nobody confirmed, the new turn's view.
    let a = t.code(0);
    let next = t.pumped(|addr| get_state(addr, &a));
    assert_eq!(next.json()["seat"]["turn"], 2);
    assert_eq!(next.json()["seat"]["confirmed"], false);
    assert_eq!(
        next.json()["seat"]["draft"]["orders"],
        serde_json::json!([])
    );
    assert!(!t.room.all_confirmed());
    assert_eq!(t.game.state().turn, 2);
}

#[test]
fn the_rules_refuse_bad_orders_and_the_server_bounds_requests() {
    let mut t = table(5);
    let a = t.code(0);
    let limit = t.loaded.scenario.meta.rules.orders_per_turn as usize;
    let (legal, target) = t.legal_order(0, 0);
    let too_many: Vec<_> = (0..=limit)
        .map(|_| serde_json::json!({ "action": legal, "target": target }))
        .collect();
    // An action of the other side (legal for B, maybe not for A) or an unknown one.
    let unknown = draft("no_such_action", None, "");
    let many = serde_json::json!({ "orders": too_many, "answers": [], "rationale": "" });
    let two_lines = draft(&legal, target.as_deref(), "one\ntwo");
    let answer = serde_json::json!({ "orders": [], "answers": [["no_such_proposal", true]], "rationale": "" });
    let big = "x".repeat(MAX_BODY_BYTES + 10);
    let r = t.pumped(|addr| {
        let auth = bearer(&a);
        let h = [("Authorization", auth.as_str())];
        vec![
            send(addr, "PUT", "/api/draft", &a, &unknown),
            send(addr, "PUT", "/api/draft", &a, &many),
            send(addr, "PUT", "/api/draft", &a, &two_lines),
            send(addr, "PUT", "/api/draft", &a, &answer),
            request(addr, "PUT", "/api/draft", &h, Some("{\"orders\": [")).unwrap(),
            request(addr, "PUT", "/api/draft", &h, Some(&big)).unwrap(),
            request(addr, "DELETE", "/api/draft", &h, None).unwrap(),
            get_state(addr, &a),
        ]
    });
    assert_eq!(r[0].status, 422, "{}", r[0].body);
    assert!(r[0].body.contains("unknown action"), "{}", r[0].body);
    assert_eq!(r[1].status, 422);
    assert!(
        r[1].body.contains(&format!("at most {limit}")),
        "{}",
        r[1].body
    );
    assert_eq!(r[2].status, 422);
    assert!(r[2].body.contains("one line"));
    assert_eq!(r[3].status, 422);
    assert!(r[3].body.contains("no_such_proposal"));
    assert_eq!(r[4].status, 400);
    assert_eq!(r[5].status, 413);
    assert_eq!(r[6].status, 405);
    // Nothing refused was kept.
    assert_eq!(
        r[7].json()["seat"]["draft"]["orders"],
        serde_json::json!([])
    );
}

#[test]
fn guessing_codes_and_flooding_are_rate_limited() {
    let mut t = table(2);
    let a = t.code(0);
    let (wrong, flood) = t.pumped(|addr| {
        let wrong: Vec<u16> = (0..15).map(|_| get_state(addr, "AAAAAA").status).collect();
        let flood: Vec<u16> = (0..80).map(|_| get_state(addr, &a).status).collect();
        (wrong, flood)
    });
    assert!(wrong[..10].iter().all(|&s| s == 401), "{wrong:?}");
    assert!(wrong[10..].iter().all(|&s| s == 429), "{wrong:?}");
    assert!(
        flood.contains(&429),
        "80 requests at once are limited: {flood:?}"
    );
    assert!(flood.iter().take(20).all(|&s| s == 200 || s == 429));
}

#[test]
fn confirmed_orders_are_locked_until_changed_and_closed_after_the_turn() {
    let mut t = table(11);
    let a = t.code(0);
    let (action, target) = t.legal_order(0, 0);
    let d = draft(&action, target.as_deref(), "");
    let r = t.pumped(|addr| {
        vec![
            send(addr, "POST", "/api/confirm", &a, &d),
            send(addr, "PUT", "/api/draft", &a, &d),
            send(addr, "POST", "/api/unconfirm", &a, &serde_json::json!({})),
            send(addr, "PUT", "/api/draft", &a, &d),
        ]
    });
    assert_eq!(r[0].status, 200);
    assert_eq!(r[1].status, 409, "a confirmed draft is locked");
    assert_eq!(r[2].json()["seat"]["confirmed"], false);
    assert_eq!(r[3].status, 200);
    // While the turn resolves, orders are closed.
    let _ = t.room.orders();
    let closed = t.pumped(|addr| send(addr, "PUT", "/api/draft", &a, &d));
    assert_eq!(closed.status, 409);
    let state: &GameState = t.game.state();
    assert_eq!(state.turn, 1);
}

#[test]
fn the_page_is_served_with_a_strict_content_policy() {
    let mut t = table(1);
    let (page, script) = t.pumped(|addr| {
        (
            request(addr, "GET", "/", &[], None).unwrap(),
            request(addr, "GET", "/room.js", &[], None).unwrap(),
        )
    });
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Join your team"));
    assert!(page.body.contains("name=\"viewport\""));
    assert_eq!(script.status, 200);
    assert!(script.body.contains("/api/state"));
    // The page builds everything with textContent: scenario text is never parsed as HTML.
    assert!(!script.body.contains("innerHTML"));
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The server's memory with six connected teams (each polling once a second and saving a
/// draft), for the performance note: `cargo test --test room -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn memory_with_six_connected_teams() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/forward_defense_2022");
    let (loaded, _) = LoadedScenario::load(&dir).expect("the default scenario loads");
    let mut controllers = loaded.default_controllers();
    for c in controllers.iter_mut().take(6) {
        *c = Controller::Team;
    }
    let game = Game::new(&loaded, 1, &controllers);
    let before = rss_kib();
    let room = Room::open("127.0.0.1:0".parse().unwrap(), &game.world).expect("the room opens");
    let mut t = Table { game, room, loaded };
    let opened = rss_kib();
    let codes: Vec<String> = (0..6).map(|i| t.code(i)).collect();
    let orders: Vec<(String, Option<String>)> = (0..6).map(|i| t.legal_order(i, 0)).collect();
    t.pumped(|addr| {
        std::thread::scope(|s| {
            for (code, (action, target)) in codes.iter().zip(&orders) {
                s.spawn(move || {
                    for _ in 0..10 {
                        assert_eq!(get_state(addr, code).status, 200);
                        std::thread::sleep(Duration::from_millis(1000));
                    }
                    let d = draft(action, target.as_deref(), "measured");
                    assert_eq!(send(addr, "PUT", "/api/draft", code, &d).status, 200);
                });
            }
        });
    });
    let connected = rss_kib();
    let view_bytes: usize = t.room.lobby().seats.iter().map(|s| s.view.len()).sum();
    println!(
        "room memory: RSS {before} KiB before, {opened} KiB with the room open (+{} KiB), {connected} KiB after 6 teams polled for 10 s (+{} KiB in all); published views {view_bytes} bytes",
        opened.saturating_sub(before),
        connected.saturating_sub(before)
    );
}
