//! Acceptance: two teams order from two headless Chromium sessions (a phone-sized and a
//! laptop-sized window) against a real game through the room's server. Fails if a team's page
//! holds anything but its own view, or if an order given in the browser does not reach the
//! session record and the log. Needs Debian's `chromium` and `chromium-driver` (.ci/run
//! installs them). With `GRAYZONE_SCREENSHOTS=docs/screenshots` it also writes the team page at
//! both sizes there.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::webdriver::Driver;
use grayzone::room::{Room, display_code};
use grayzone::scenario::Controller;
use grayzone::sim::{Event, Game, GameLog, LoadedScenario, SessionRecord};
use grayzone::view::{legal_cards, team_view};

#[test]
fn two_teams_order_from_two_browsers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/forward_defense_2022");
    let (loaded, _) = LoadedScenario::load(&dir).expect("the default scenario loads");
    let mut controllers = loaded.default_controllers();
    controllers[0] = Controller::Team;
    controllers[1] = Controller::Team;
    let mut game = Game::new(&loaded, 4, &controllers);
    game.world
        .insert_resource(SessionRecord::new(&loaded, &dir, 4, &controllers));
    let mut room = Room::open("127.0.0.1:0".parse().unwrap(), &game.world).expect("room opens");
    let (code_a, code_b) = {
        let lobby = room.lobby();
        (lobby.seats[0].code.clone(), lobby.seats[1].code.clone())
    };
    let own_view = |actor: usize| {
        let state = game.state();
        let cards = legal_cards(&loaded.scenario, &loaded.index, state, actor);
        // Through the wire format, as the page receives it (f32 fields print shortest).
        let text = serde_json::to_string(&team_view(
            &loaded.scenario,
            state,
            game.log(),
            actor,
            &cards,
        ))
        .unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    let (view_a, view_b) = (own_view(0), own_view(1));
    let name_b = loaded.scenario.actors[1].name.clone();
    let private_b: Vec<String> = loaded
        .scenario
        .red_lines
        .iter()
        .filter(|r| r.owner == loaded.scenario.actors[1].id && !r.public)
        .map(|r| r.text.to_string())
        .collect();
    let page = room.page_url();
    let join_a = room.join_url(&code_a);
    let shots = std::env::var_os("GRAYZONE_SCREENSHOTS").map(std::path::PathBuf::from);

    let driver = Driver::start();
    let world = &game.world;
    let (confirm_latency, pages) = std::thread::scope(|s| {
        let browsers = s.spawn(|| {
            // Team A on a phone, joining by the QR code's address.
            let phone = driver.browser(390, 844);
            phone.open(&join_a);
            phone.wait_for(
                "return document.querySelectorAll('#cards .card').length > 0",
                20,
            );
            // Team B on a laptop, typing its code as shown on the projector.
            let laptop = driver.browser(1280, 800);
            laptop.open(&page);
            laptop.wait_for("return !document.getElementById('join').hidden", 20);
            laptop.type_into("#code", &display_code(&code_b).to_lowercase());
            laptop.click("#join-form button");
            laptop.wait_for(
                "return document.querySelectorAll('#cards .card').length > 0",
                20,
            );

            // A: the first card (first target), a rationale, confirm.
            phone.click("#cards .card .pick button");
            phone.wait_for("return draft.orders.length === 1 && editing === 0", 10);
            phone.type_into("#rationale", "Quiet pressure, nothing they can pin on us");
            // B: its second card, then drops its connection (reload) and finds the draft kept.
            laptop.click("#cards .card:nth-child(2) .pick button");
            laptop.wait_for("return draft.orders.length === 1 && editing === 0", 10);
            laptop.open(&page);
            laptop.wait_for("return seat !== null && seat.draft.orders.length === 1", 20);
            let kept = laptop.text();
            if let Some(dir) = &shots {
                std::fs::create_dir_all(dir).unwrap();
                std::fs::write(dir.join("room-team-phone.png"), phone.screenshot()).unwrap();
                std::fs::write(dir.join("room-team-laptop.png"), laptop.screenshot()).unwrap();
            }
            let clicked = Instant::now();
            phone.click("#confirm");
            phone.wait_for("return seat.confirmed === true", 10);
            let latency = clicked.elapsed();
            laptop.click("#confirm");
            laptop.wait_for("return seat.confirmed === true", 10);
            let a_view = phone.eval("return viewText");
            let b_view = laptop.eval("return viewText");
            let a_text = phone.text();
            let a_html = phone.eval("return document.documentElement.outerHTML");
            if let Some(dir) = &shots {
                std::fs::write(
                    dir.join("room-team-phone-confirmed.png"),
                    phone.screenshot(),
                )
                .unwrap();
            }
            (latency, (a_view, b_view, a_text, a_html, kept))
        });
        while !browsers.is_finished() {
            room.pump(world);
            std::thread::sleep(Duration::from_millis(1));
        }
        browsers.join().expect("the browsers' thread")
    });
    let (a_view, b_view, a_text, a_html, kept) = pages;
    println!(
        "confirm in the browser to confirmed on the page (through the server and the rules): {:.0} ms",
        confirm_latency.as_secs_f64() * 1000.0
    );

    // Each page holds exactly its own team's view model, nothing of the other team.
    // Numbers compare as numbers: JavaScript writes the score 0.0 back as 0.
    fn numbers_as_f64(v: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::Number(n) => n
                .as_f64()
                .map_or(Value::Number(n), |f| serde_json::json!(f)),
            Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_f64).collect()),
            Value::Object(o) => {
                Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_f64(v))).collect())
            }
            other => other,
        }
    }
    let parsed = |v: &serde_json::Value| -> serde_json::Value {
        numbers_as_f64(serde_json::from_str(v.as_str().expect("the page's view text")).unwrap())
    };
    assert_eq!(parsed(&a_view), numbers_as_f64(view_a.clone()));
    assert_eq!(parsed(&b_view), numbers_as_f64(view_b.clone()));
    let a_html = a_html.as_str().unwrap();
    assert!(!a_html.contains(&code_b), "team B's code on team A's page");
    for text in &private_b {
        assert!(
            !a_html.contains(text.as_str()),
            "B's private red line on A's page"
        );
    }
    assert!(a_text.contains("Confirmed"), "{a_text}");
    assert!(kept.contains("Your orders"), "{kept}");
    let _ = name_b;

    // What the browsers gave reaches the rules, the record and the log.
    assert!(room.all_confirmed());
    room.submit_orders(&mut game.world);
    game.step();
    let record = game.world.resource::<SessionRecord>();
    let sent = |actor: usize| {
        record.turns[0]
            .orders
            .iter()
            .find(|o| o.actor == loaded.scenario.actors[actor].id)
            .cloned()
            .expect("the team's orders are in the record")
    };
    let a = sent(0);
    let b = sent(1);
    let first_a = view_a["cards"][0]["id"].as_str().unwrap();
    let second_b = view_b["cards"][1]["id"].as_str().unwrap();
    assert_eq!(a.orders.len(), 1);
    assert_eq!(a.orders[0].action, first_a);
    assert_eq!(
        a.orders[0].target.as_deref(),
        view_a["cards"][0]["target_ids"][0].as_str()
    );
    assert_eq!(a.rationale, "Quiet pressure, nothing they can pin on us");
    assert_eq!(b.orders[0].action, second_b);
    let log = game.world.resource::<GameLog>();
    assert!(log.entries.iter().any(|e| matches!(&e.event,
        Event::Order { actor, action, by, .. }
            if *actor == loaded.scenario.actors[0].id && action == first_a && by == "team")));
    assert!(log.entries.iter().any(|e| matches!(&e.event,
        Event::Rationale { text, .. } if text == "Quiet pressure, nothing they can pin on us")));
}
