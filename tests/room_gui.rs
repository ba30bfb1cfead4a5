//! Acceptance with the real windows: the game runs under Xvfb with the projector window and
//! the facilitator's console (`play --serve … --console`, scripted by the screenshot driver's
//! `room` script), while two teams order from two headless Chromium sessions. Fails if a team's
//! page shows another team's or hidden data, if the projector never sees the confirmations, or
//! if an order given in the browser is not in the saved session record.
//!
//! Needs `xvfb-run` (xvfb, xauth), `mesa-vulkan-drivers`, `chromium` and `chromium-driver`;
//! run by `.ci/test.sh` as `cargo test --test room_gui -- --ignored --nocapture`. With
//! `GRAYZONE_ROOM_SHOTS=<dir>` the screenshots are kept there.
#![cfg(feature = "gui")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::webdriver::Driver;
use grayzone::sim::{LoadedScenario, SessionRecord};

fn wait_for_line(log: &Path, needle: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!(
        "the game never logged {needle:?}; its log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// The join code logged for a team: `  <name>: join code ABC-DEF`.
fn code_of(log: &str, name: &str) -> String {
    let needle = format!("{name}: join code ");
    let at = log.find(&needle).expect("the code is logged") + needle.len();
    log[at..at + 7].replace('-', "")
}

#[test]
#[ignore = "runs the game window under Xvfb and two browsers: .ci/test.sh runs it"]
fn two_teams_order_from_browsers_while_the_projector_and_console_run() {
    let out: PathBuf = std::env::var_os("GRAYZONE_ROOM_SHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("grayzone-room-{}", std::process::id()))
        });
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("saves")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let log_path = out.join("run.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut game = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1080x24"])
        .arg(env!("CARGO_BIN_EXE_grayzone"))
        .args(["play", "--serve", &format!("127.0.0.1:{port}"), "--console"])
        .env("GRAYZONE_SCREENSHOTS", &out)
        .env("GRAYZONE_SCREENSHOTS_SCRIPT", "room")
        .env("GRAYZONE_SAVES", out.join("saves"))
        .env("WGPU_BACKEND", "vulkan")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("xvfb-run starts (install xvfb and xauth)");

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/forward_defense_2022");
    let (loaded, _) = LoadedScenario::load(&dir).expect("the default scenario loads");
    let (a_name, b_name) = (
        loaded.scenario.actors[0].name.clone(),
        loaded.scenario.actors[1].name.clone(),
    );
    let text = wait_for_line(&log_path, &format!("{b_name}: join code"), 600);
    let (code_a, code_b) = (code_of(&text, &a_name), code_of(&text, &b_name));
    let page = format!("http://127.0.0.1:{port}/");

    let driver = Driver::start();
    let phone = driver.browser(390, 844);
    phone.open(&format!("{page}#{code_a}"));
    phone.wait_for(
        "return document.querySelectorAll('#cards .card').length > 0",
        60,
    );
    let laptop = driver.browser(1280, 800);
    laptop.open(&page);
    laptop.wait_for("return !document.getElementById('join').hidden", 30);
    laptop.type_into("#code", &code_b);
    laptop.click("#join-form button");
    laptop.wait_for(
        "return document.querySelectorAll('#cards .card').length > 0",
        60,
    );

    phone.click("#cards .card .pick button");
    phone.wait_for("return draft.orders.length === 1 && editing === 0", 30);
    phone.type_into("#rationale", "Keep it deniable");
    laptop.click("#cards .card:nth-child(2) .pick button");
    laptop.wait_for("return draft.orders.length === 1 && editing === 0", 30);
    let a_action = phone.eval("return draft.orders[0].action");
    let b_action = laptop.eval("return draft.orders[0].action");
    // Confirm once the projector shows the board (its first capture is taken), so the
    // confirmation's way to the projector is what the log measures.
    let shot = out.join("screenshot-room-projector-join.png");
    let deadline = Instant::now() + Duration::from_secs(600);
    while !shot.is_file() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    phone.click("#confirm");
    phone.wait_for("return seat.confirmed === true", 30);
    laptop.click("#confirm");
    laptop.wait_for("return seat.confirmed === true", 30);

    // Each page holds its own team's view and nothing of the other team or the hidden truth.
    let a_view: serde_json::Value =
        serde_json::from_str(phone.eval("return viewText").as_str().unwrap()).unwrap();
    assert_eq!(a_view["card"]["id"], loaded.scenario.actors[0].id.as_str());
    let a_html = phone
        .eval("return document.documentElement.outerHTML")
        .as_str()
        .unwrap()
        .to_string();
    assert!(!a_html.contains(&code_b), "team B's code on team A's page");
    for rl in &loaded.scenario.red_lines {
        if rl.owner == loaded.scenario.actors[1].id && !rl.public {
            assert!(
                !a_html.contains(rl.text.as_str()),
                "B's private red line on A's page"
            );
        }
    }
    for key in [
        "incidents_true",
        "true_author",
        "dice",
        "intentions",
        "private_red_lines",
    ] {
        assert!(!a_html.contains(key), "console data ({key}) on a team page");
    }

    // The game resolves the turn, shoots the windows, saves and quits.
    let deadline = Instant::now() + Duration::from_secs(900);
    let status = loop {
        if let Some(status) = game.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = game.kill();
            panic!("the game did not finish; see {}", log_path.display());
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let log_text = std::fs::read_to_string(&log_path).unwrap_or_default();
    for line in log_text.lines().filter(|l| l.contains("on the projector")) {
        println!("{line}");
    }
    assert!(status.success(), "the scripted session failed:\n{log_text}");
    assert!(
        log_text.contains("confirmed; on the projector"),
        "the projector never showed a confirmation"
    );
    for shot in [
        "room-projector-join",
        "room-console",
        "room-projector-confirmed",
        "room-console-turn-2",
    ] {
        assert!(
            out.join(format!("screenshot-{shot}.png")).is_file(),
            "{shot} missing"
        );
    }

    // The orders given in the browsers are in the saved record, rationale included.
    let save = std::fs::read_dir(out.join("saves"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("autosave.ron"))
        .expect("the session was saved");
    let record = SessionRecord::load(&save).expect("the save loads");
    let turn1 = &record.turns[0].orders;
    let a = turn1
        .iter()
        .find(|o| o.actor == loaded.scenario.actors[0].id)
        .expect("A's orders in the record");
    assert_eq!(a.orders[0].action, a_action.as_str().unwrap());
    assert_eq!(a.rationale, "Keep it deniable");
    let b = turn1
        .iter()
        .find(|o| o.actor == loaded.scenario.actors[1].id)
        .expect("B's orders in the record");
    assert_eq!(b.orders[0].action, b_action.as_str().unwrap());
}
