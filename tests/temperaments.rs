//! Temperaments: a leadership drawn once per game takes over an actor's own bot.

mod common;

use common::fixture::mini_with;
use grayzone::scenario::validate::validate_texts;
use grayzone::scenario::{Controller, Doctrine};
use grayzone::sim::log::{Audience, Event};
use grayzone::sim::state::GameState;
use grayzone::sim::{Game, LoadedScenario, temperament};

const GAMMA: &str = r#"(id: "gamma", name: "Gamma", kind: State, side: "x", controller: Team, rung: "calm", threshold: "tense"),"#;
const GAMMA_AT: usize = 3;

/// The mini fixture with Gamma played by `controller` and given `temperaments`.
fn gamma(controller: &str, temperaments: &str) -> LoadedScenario {
    let edited = format!(
        r#"(id: "gamma", name: "Gamma", kind: State, side: "x", controller: {controller}, rung: "calm", threshold: "tense", temperaments: {temperaments}),"#
    );
    mini_with("temperaments", &[("actors.ron", GAMMA, &edited)])
}

const HAWKS_AND_DOVES: &str = r#"[(name: "the hawks", doctrine: Hawk, share: 30), (name: "the doves", doctrine: Dove, share: 20)]"#;

/// Who leads Gamma in the game of each seed 1..=n: the temperament's name, or "" for none.
fn draws(loaded: &LoadedScenario, controllers: &[Controller], n: u64) -> Vec<(String, Controller)> {
    (1..=n)
        .map(|seed| {
            let mut st = GameState::new(&loaded.scenario, &loaded.index, controllers);
            temperament::draw(&loaded.scenario, &mut st, seed);
            let a = &st.actors[GAMMA_AT];
            (
                a.temperament.clone().unwrap_or_default(),
                a.controller.clone(),
            )
        })
        .collect()
}

/// The first seed whose game Gamma's temperament `name` leads.
fn first_seed_led_by(loaded: &LoadedScenario, controllers: &[Controller], name: &str) -> u64 {
    (1..100)
        .find(|&s| draws(loaded, controllers, s).last().unwrap().0 == name)
        .unwrap_or_else(|| panic!("a game led by {name}"))
}

#[test]
fn each_temperament_takes_its_share_of_games_and_plays_its_doctrine() {
    let loaded = gamma("Bot(Measured)", HAWKS_AND_DOVES);
    let controllers = loaded.default_controllers();
    let drawn = draws(&loaded, &controllers, 4000);
    let count = |name: &str| drawn.iter().filter(|(n, _)| n == name).count();
    // 4,000 games: 1,200 ± 4 sd (116) hawks, 800 ± 101 doves, 2,000 ± 126 of its own bot.
    assert!(
        (1084..=1316).contains(&count("the hawks")),
        "{}",
        count("the hawks")
    );
    assert!(
        (699..=901).contains(&count("the doves")),
        "{}",
        count("the doves")
    );
    assert!((1874..=2126).contains(&count("")), "{}", count(""));
    for (name, controller) in &drawn {
        let expected = match name.as_str() {
            "the hawks" => Doctrine::Hawk,
            "the doves" => Doctrine::Dove,
            _ => Doctrine::Measured,
        };
        assert_eq!(*controller, Controller::Bot(expected), "{name}");
    }
    // The same seed draws the same leadership.
    assert_eq!(drawn[..50], draws(&loaded, &controllers, 50)[..]);
}

#[test]
fn a_team_the_facilitator_or_another_doctrine_is_never_replaced() {
    let loaded = gamma("Bot(Measured)", HAWKS_AND_DOVES);
    for other in [
        Controller::Team,
        Controller::Facilitator,
        Controller::Bot(Doctrine::Dove),
    ] {
        let mut controllers = loaded.default_controllers();
        controllers[GAMMA_AT] = other.clone();
        for (name, controller) in draws(&loaded, &controllers, 300) {
            assert_eq!((name.as_str(), &controller), ("", &other));
        }
    }
}

#[test]
fn the_leadership_is_told_to_its_team_and_the_facilitator_only() {
    let loaded = gamma("Bot(Measured)", HAWKS_AND_DOVES);
    let controllers = loaded.default_controllers();
    let seed = first_seed_led_by(&loaded, &controllers, "the hawks");
    let mut game = Game::new(&loaded, seed, &controllers);
    game.play_out();
    let told: Vec<_> = game
        .log()
        .entries
        .iter()
        .filter(|e| matches!(&e.event, Event::BotReason { text, .. } if text.contains("the hawks")))
        .collect();
    assert_eq!(told.len(), 1, "told once, at the start");
    assert_eq!(told[0].turn, 1);
    assert_eq!(told[0].audience, Audience::Private(vec!["gamma".into()]));
    let Event::BotReason { actor, text } = &told[0].event else {
        unreachable!()
    };
    assert_eq!(
        (actor.as_str(), text.as_str()),
        ("gamma", "led this game by the hawks: its bot plays hawk")
    );
}

#[test]
fn shares_above_100_are_refused_and_temperaments_nobody_draws_are_warned() {
    let fixture = |actors: String| {
        let mut texts = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir("tests/fixtures/mini").unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            texts.insert(name, text);
        }
        let text = texts["actors.ron"].replace(GAMMA, &actors);
        texts.insert("actors.ron".into(), text);
        let texts: std::collections::BTreeMap<&str, String> =
            texts.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        validate_texts("mini", &texts)
    };
    let over = fixture(GAMMA.replace(
        r#"threshold: "tense"),"#,
        r#"threshold: "tense", controller: Bot(Measured), temperaments: [(name: "a", doctrine: Hawk, share: 60), (name: "b", doctrine: Dove, share: 50)]),"#,
    )
    .replace("controller: Team, rung", "rung"));
    let e312 = over.diagnostics.iter().find(|d| d.code == "E312");
    let e312 = e312.unwrap_or_else(|| panic!("{:#?}", over.diagnostics));
    assert!(e312.message.contains("110 %"), "{}", e312.message);
    let unplayed = fixture(GAMMA.replace(
        r#"threshold: "tense"),"#,
        r#"threshold: "tense", temperaments: [(name: "a", doctrine: Hawk, share: 60)]),"#,
    ));
    assert!(
        unplayed.diagnostics.iter().any(|d| d.code == "W307"),
        "{:#?}",
        unplayed.diagnostics
    );
    assert!(!unplayed.diagnostics.iter().any(|d| d.code == "E312"));
}

#[test]
fn the_room_never_sees_who_leads() {
    let loaded = gamma("Bot(Measured)", HAWKS_AND_DOVES);
    let controllers = loaded.default_controllers();
    let seed = first_seed_led_by(&loaded, &controllers, "the doves");
    let mut game = Game::new(&loaded, seed, &controllers);
    game.step();
    assert_eq!(
        game.state().actors[GAMMA_AT].controller,
        Controller::Bot(Doctrine::Dove)
    );
    let public = grayzone::view::public::PublicRecord::of(&loaded.scenario, game.state());
    assert_eq!(
        public.actors[GAMMA_AT].controller,
        Controller::Bot(Doctrine::Measured),
        "the projector shows the bot as set up, not the leadership drawn"
    );
    for e in game
        .log()
        .entries
        .iter()
        .filter(|e| e.audience == Audience::Public)
    {
        let text = format!("{:?}", e.event);
        assert!(!text.contains("the doves"), "{text}");
    }
}
