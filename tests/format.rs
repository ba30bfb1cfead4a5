//! The vocabulary added for porting published wargames, played on `tests/fixtures/format`
//! with values checked turn by turn: `Scale` and decimals, attributes without a maximum,
//! metrics read by endings, relations in target filters, per-turn limits with exemptions,
//! simultaneous resolution independent of the actors' order in the file, named snippets, and
//! personas that change what the bots choose.

use std::path::{Path, PathBuf};

use grayzone::scenario::*;
use grayzone::sim::*;

const FIXTURE: &str = "tests/fixtures/format";

fn load(dir: &Path) -> LoadedScenario {
    match LoadedScenario::load(dir) {
        Ok((loaded, _)) => loaded,
        Err(v) => panic!("{}", v.render_human(&dir.display().to_string(), false)),
    }
}

fn orders(actor: &str, list: &[(&str, Option<&str>)]) -> SubmitOrders {
    SubmitOrders {
        actor: actor.into(),
        orders: list
            .iter()
            .map(|(a, t)| Order {
                action: a.to_string(),
                target: t.map(str::to_string),
            })
            .collect(),
        answers: vec![],
        rationale: String::new(),
    }
}

/// A copy of the fixture in a fresh folder, with `edit` applied to each file's text.
fn variant(name: &str, edit: impl Fn(&str, String) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-format-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    for entry in std::fs::read_dir(FIXTURE)
        .expect("fixture folder")
        .flatten()
    {
        let file = entry.file_name().to_string_lossy().to_string();
        let text = std::fs::read_to_string(entry.path()).expect("fixture file");
        std::fs::write(dir.join(&file), edit(&file, text)).expect("write copy");
    }
    dir
}

/// The fixture with its actors listed in reverse order.
fn reversed_actors(text: String) -> String {
    let file: ActorsFile =
        grayzone::scenario::load::parse_ron(Path::new("actors.ron"), &text).expect("parses");
    let mut file = file;
    file.actors.reverse();
    ron::to_string(&file).expect("serializes")
}

/// Each actor's attributes by id, sorted by actor id (independent of the file's order).
fn attrs_by_id(g: &Game) -> Vec<(String, Vec<i32>)> {
    let sc = &g.scenario().scenario;
    let mut out: Vec<(String, Vec<i32>)> = sc
        .actors
        .iter()
        .zip(&g.state().actors)
        .map(|(a, st)| (a.id.clone(), st.attrs.clone()))
        .collect();
    out.sort();
    out
}

/// The orders of the first three turns (turn 3 is the escalation spiral).
fn turn_orders(turn: u32) -> Vec<SubmitOrders> {
    match turn {
        1 => vec![
            // Two counted orders: one military (mobilise is dropped by the military limit),
            // exercise (exempt from that limit); messages are free.
            orders(
                "red",
                &[
                    ("strike", Some("blue")),
                    ("mobilise", None),
                    ("message", Some("blue")),
                    ("message", Some("green")),
                    ("exercise", None),
                ],
            ),
            orders("blue", &[("blockade", Some("red"))]),
            orders("green", &[("invest", None), ("aid", Some("blue"))]),
        ],
        2 => vec![
            // Scale and AddAttr on the same value in one turn: the order would matter if
            // they were applied one after the other.
            orders("red", &[("invest", None)]),
            orders("blue", &[("aid", Some("red"))]),
            // Green is not Blue's neighbour yet: the blockade is refused, the border opens.
            orders(
                "green",
                &[("blockade", Some("blue")), ("open_border", Some("blue"))],
            ),
        ],
        3 => vec![
            orders(
                "red",
                &[("strike", Some("blue")), ("blockade", Some("blue"))],
            ),
            orders(
                "blue",
                &[("strike", Some("red")), ("blockade", Some("red"))],
            ),
            orders(
                "green",
                &[("strike", Some("blue")), ("blockade", Some("blue"))],
            ),
        ],
        _ => Vec::new(),
    }
}

fn play_turn(g: &mut Game, turn: u32) {
    for o in turn_orders(turn) {
        g.submit(o);
    }
    g.step();
}

fn value(g: &Game, actor: &str, attr: &str) -> i32 {
    let ix = &g.scenario().index;
    g.state().actors[ix.actors[actor]].attrs[ix.attributes[attr]]
}

fn metric(g: &Game, m: &str, actor: &str) -> i64 {
    let ix = &g.scenario().index;
    g.state().metric(ix.metrics[m], ix.actors[actor])
}

fn total(g: &Game, m: &str) -> i64 {
    g.state().metric_total(g.scenario().index.metrics[m])
}

#[test]
fn every_new_feature_gives_the_expected_values_turn_by_turn() {
    let loaded = load(Path::new(FIXTURE));
    let mut g = Game::new(&loaded, 1, &loaded.default_controllers());

    // Turn 1, resolved simultaneously from the start-of-turn state.
    play_turn(&mut g, 1);
    // Red: 1,000.00 less 5 % (Blue's blockade) and 1 % (its own strike's `costs_us`).
    assert_eq!(value(&g, "red", "gdp"), 94_000);
    // Blue: 1,000.00 less 1 % (its blockade) plus Green's 100.00 aid.
    assert_eq!(value(&g, "blue", "gdp"), 109_000);
    // Green: Scale(+10 %) of 1,000.00.
    assert_eq!(value(&g, "green", "gdp"), 110_000);
    // Red: 5 - 2 (cost of the strike) + 1 (exercise); mobilise was dropped by the limit.
    assert_eq!(value(&g, "red", "military"), 4);
    assert_eq!(value(&g, "blue", "military"), 2);
    let red = loaded.index.actors["red"];
    let kept: Vec<&str> = g
        .state()
        .history
        .iter()
        .filter(|r| r.actor == red)
        .map(|r| loaded.scenario.actions[r.action].id.as_str())
        .collect();
    assert_eq!(kept, ["strike", "message", "message", "exercise"]);
    // Relations: two messages raised trade (symmetric), clamped to its range.
    let trade = loaded.index.relations["trade"];
    let (blue, green) = (loaded.index.actors["blue"], loaded.index.actors["green"]);
    assert_eq!(g.state().relation(trade, red, green), 45);
    assert_eq!(g.state().relation(trade, green, red), 45);
    assert_eq!(g.state().relation(trade, red, blue), 5);
    // Metrics: rung scores of the orders resolved this turn, per actor and in total.
    // strike 28, two messages 0 each, exercise 4.
    assert_eq!(metric(&g, "escalation", "red"), 32);
    assert_eq!(metric(&g, "escalation", "blue"), 12);
    assert_eq!(metric(&g, "escalation", "green"), -2);
    assert_eq!(total(&g, "escalation"), 42);
    assert_eq!(metric(&g, "messages", "red"), 2);
    assert_eq!(total(&g, "gdp"), 94_000 + 109_000 + 110_000);
    // Decimals in the log and on the board.
    let log = g.log().to_text();
    assert!(
        log.contains("red gdp 1,000.00 -> 940.00"),
        "the log shows decimals:\n{log}"
    );
    let card = grayzone::view::board::actor_card(&loaded.scenario, g.state(), red, false);
    let gdp = card
        .attrs
        .iter()
        .find(|a| a.name == "GDP")
        .expect("GDP card");
    assert_eq!((gdp.shown.as_str(), gdp.max), ("940.00", None));

    // Turn 2: Red invests (+10 %) while Blue sends it 100.00: 940.00 + 94.00 + 100.00.
    play_turn(&mut g, 2);
    assert_eq!(value(&g, "red", "gdp"), 113_400);
    let neighbour = loaded.index.relations["neighbour"];
    assert_eq!(g.state().relation(neighbour, green, blue), 1);
    assert_eq!(g.state().relation(neighbour, blue, green), 1, "symmetric");
    let green_blockades = g
        .state()
        .history
        .iter()
        .filter(|r| r.actor == green && loaded.scenario.actions[r.action].id == "blockade")
        .count();
    assert_eq!(green_blockades, 0, "not a neighbour on turn 2: refused");
    // Red invests (0), Blue aids (-2), Green opens the border (0).
    assert_eq!(total(&g, "escalation"), -2);
    assert!(g.state().ending.is_none());

    // Turn 3: everyone strikes and blockades a neighbour (Green now may): 3 × (28 + 12).
    play_turn(&mut g, 3);
    assert_eq!(
        g.state().history.iter().filter(|r| r.turn == 3).count(),
        6,
        "Green's blockade is allowed now that the border is open"
    );
    assert_eq!(total(&g, "escalation"), 120);
    let ending = g.state().ending.as_ref().expect("the spiral ends the game");
    assert_eq!(loaded.scenario.endings[ending.ending].id, "spiral");
    assert_eq!(ending.turn, 3);
}

#[test]
fn a_simultaneous_turn_does_not_depend_on_the_actors_order_in_the_file() {
    let play = |dir: &Path| {
        let loaded = load(dir);
        let mut g = Game::new(&loaded, 9, &loaded.default_controllers());
        (1..=3)
            .map(|t| {
                play_turn(&mut g, t);
                attrs_by_id(&g)
            })
            .collect::<Vec<_>>()
    };
    let forward = play(Path::new(FIXTURE));
    let reversed = variant("reversed", |file, text| {
        if file == "actors.ron" {
            reversed_actors(text)
        } else {
            text
        }
    });
    assert_eq!(forward, play(&reversed), "same values turn by turn");

    // The same check fails under sequential resolution: Red's +10 % and Blue's 100.00 aid
    // on turn 2 depend on who comes first.
    let sequential = |name: &str, reverse: bool| {
        variant(name, move |file, text| match file {
            "scenario.ron" => text.replace("resolution: Simultaneous", "resolution: Sequential"),
            "actors.ron" if reverse => reversed_actors(text),
            _ => text,
        })
    };
    let a = play(&sequential("seq", false));
    let b = play(&sequential("seq-reversed", true));
    assert_ne!(a, b, "sequential resolution favours the actor listed first");
    for dir in [
        reversed,
        sequential("seq", false),
        sequential("seq-reversed", true),
    ] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn attributes_without_a_maximum_grow_past_100_and_saturate() {
    let loaded = load(Path::new(FIXTURE));
    let mut g = Game::new(&loaded, 1, &loaded.default_controllers());
    for _ in 0..3 {
        g.submit(orders("green", &[("invest", None)]));
        g.step();
    }
    // 1,000.00 → 1,100.00 → 1,210.00 → 1,331.00
    assert_eq!(value(&g, "green", "gdp"), 133_100);
    let mut e_st = g.state().clone();
    let mut rng = GameRng::new(1);
    let mut log = GameLog::default();
    let sc = &loaded.scenario;
    let green = loaded.index.actors["green"];
    let mut e = Engine::new(
        sc,
        &loaded.index,
        &mut e_st,
        &mut rng,
        &mut log,
        Phase::Resolution,
    );
    let huge: Vec<Effect> = grayzone::scenario::load::parse_ron(
        Path::new("inline.ron"),
        r#"[Scale(Acting, "gdp", 10000), Scale(Acting, "gdp", 10000), Scale(Acting, "gdp", 10000)]"#,
    )
    .expect("parses");
    let b = Bindings {
        acting: Some(green),
        ..Default::default()
    };
    e.apply(&huge, b, "test");
    assert_eq!(
        e_st.actors[green].attrs[loaded.index.attributes["gdp"]],
        i32::MAX,
        "saturates at the engine's limit"
    );
}

/// How many more hostile than conciliatory orders an actor's bot gives over many seeded games.
fn hostile_orders(persona: Persona, doctrine: Doctrine) -> i64 {
    let mut loaded_scenario = load(Path::new(FIXTURE)).scenario.as_ref().clone();
    loaded_scenario.actors[0].persona = persona;
    let loaded = LoadedScenario::new(loaded_scenario);
    let controllers = vec![Controller::Bot(doctrine); 3];
    let mut count = 0;
    for seed in 0..40 {
        let mut g = Game::new(&loaded, seed, &controllers);
        g.play_out();
        for r in g.state().history.iter().filter(|r| r.actor == 0) {
            count += match loaded.scenario.actions[r.action].intent {
                Intent::Offensive | Intent::Punitive => 1,
                Intent::Conciliatory => -1,
                _ => 0,
            };
        }
    }
    count
}

#[test]
fn personas_change_what_every_scripted_doctrine_chooses() {
    let hawkish = Persona {
        aggression: 100,
        risk_tolerance: 100,
        credibility: 50,
        restraint: 0,
    };
    let dovish = Persona {
        aggression: 0,
        risk_tolerance: 0,
        credibility: 50,
        restraint: 100,
    };
    for doctrine in [Doctrine::Hawk, Doctrine::Dove, Doctrine::Measured] {
        let (bold, careful) = (
            hostile_orders(hawkish, doctrine),
            hostile_orders(dovish, doctrine),
        );
        assert!(
            bold > careful,
            "{doctrine:?}: an aggressive persona leans more to hostile orders ({bold}) than a restrained one ({careful})"
        );
    }
}

#[test]
fn a_neutral_persona_changes_nothing() {
    let p = Persona::default();
    for intent in [
        Intent::Offensive,
        Intent::Punitive,
        Intent::Signal,
        Intent::Defensive,
        Intent::Conciliatory,
    ] {
        for rung in 0..=10 {
            assert_eq!(grayzone::bots::persona_shift(&p, intent, rung, 0, true), 0);
        }
    }
}

#[test]
fn simulate_runs_show_the_escalation_score_per_turn_per_actor_and_in_total() {
    let loaded = load(Path::new(FIXTURE));
    let controllers = grayzone::cli::bot_controllers(&loaded, &[], Some("hawk")).expect("doctrine");
    let outcomes = grayzone::analysis::run_many(&loaded, 3, 12, &controllers, &|_| {});
    let curves = grayzone::analysis::metrics::metric_curves(&loaded, &outcomes);
    let escalation = curves
        .metrics
        .iter()
        .find(|m| m.id == "escalation")
        .expect("escalation curve");
    // The same means, tallied from each game's history by hand: rung scores of the orders.
    let sc = &loaded.scenario;
    let score = |action: usize| {
        let rung = &sc.actions[action].rung;
        i64::from(
            sc.meta
                .ladder
                .rungs
                .iter()
                .find(|r| &r.id == rung)
                .unwrap()
                .score,
        )
    };
    for (t, row) in escalation.by_turn.iter().enumerate() {
        let turn = t as u32 + 1;
        let mut per_actor = vec![0i64; sc.actors.len()];
        let mut games = 0;
        for seed in 3..15 {
            let mut g = Game::new(&loaded, seed, &controllers);
            g.play_out();
            if g.state().metrics.len() < t + 1 {
                continue;
            }
            games += 1;
            for r in g.state().history.iter().filter(|r| r.turn == turn) {
                per_actor[r.actor] += score(r.action);
            }
        }
        assert_eq!(row.games, games);
        for (a, mean) in row.actors.iter().enumerate() {
            assert!((mean - per_actor[a] as f64 / games as f64).abs() < 1e-9);
        }
        let total: i64 = per_actor.iter().sum();
        assert!((row.total - total as f64 / games as f64).abs() < 1e-9);
    }
    let table = curves.to_table();
    assert!(
        table.contains("mean Escalation score (escalation) by turn:"),
        "{table}"
    );
    assert!(
        table.contains("total") && table.contains("green"),
        "{table}"
    );
    // GDP is shown in its own unit (hundredths → 1000.0000 on turn 1 for Green, who invests
    // nothing under the hawk doctrine, or more).
    assert!(table.contains("mean GDP (gdp) by turn:"), "{table}");
}

#[test]
fn the_cli_prints_metrics_and_writes_them_to_csv() {
    let dir = std::env::temp_dir().join(format!("grayzone-format-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("out.csv");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .args([
            "simulate",
            FIXTURE,
            "--runs",
            "10",
            "--doctrine",
            "hawk",
            "--csv",
        ])
        .arg(&csv)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("mean Escalation score (escalation) by turn:"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(&csv).expect("csv written");
    for key in [
        "metric,escalation:red,1,mean,",
        "metric,escalation:total,4,mean,",
        "metric,gdp:green,1,mean,",
    ] {
        assert!(csv.contains(key), "{key} in\n{csv}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_report_shows_the_metrics_turn_by_turn_with_decimals() {
    let loaded = load(Path::new(FIXTURE));
    let mut g = Game::new(&loaded, 1, &loaded.default_controllers());
    play_turn(&mut g, 1);
    play_turn(&mut g, 2);
    let d = grayzone::view::debrief_view(&loaded.scenario, g.state(), g.log());
    let md = grayzone::report::markdown(&d);
    assert!(md.contains("### Escalation score (`escalation`)"), "{md}");
    assert!(md.contains("| turn | Red | Blue | Green | total |"), "{md}");
    assert!(md.contains("| T1 | 32 | 12 | -2 | 42 |"), "{md}");
    assert!(md.contains("| T2 | 0 | -2 | 0 | -2 |"), "{md}");
    assert!(
        md.contains("| T1 | 940.00 | 1,090.00 | 1,100.00 | 3,130.00 |"),
        "{md}"
    );
    let html = grayzone::report::html(&d);
    assert!(
        html.contains("<td>T1</td><td>32</td><td>12</td><td>-2</td><td>42</td>"),
        "{html}"
    );
    assert!(html.contains("<td>940.00</td>"));
}

#[test]
fn the_debrief_shows_the_metrics_turn_by_turn() {
    let loaded = load(Path::new(FIXTURE));
    let mut g = Game::new(&loaded, 1, &loaded.default_controllers());
    play_turn(&mut g, 1);
    play_turn(&mut g, 2);
    let d = grayzone::view::debrief::debrief_view(&loaded.scenario, g.state(), g.log());
    let esc = d
        .metrics
        .iter()
        .find(|m| m.id == "escalation")
        .expect("escalation");
    assert_eq!(
        esc.totals,
        vec![(1, "42".to_string()), (2, "-2".to_string())]
    );
    let gdp = d.metrics.iter().find(|m| m.id == "gdp").expect("gdp");
    assert_eq!(
        gdp.by_actor[0],
        (
            "Red".to_string(),
            vec!["940.00".to_string(), "1,134.00".to_string()]
        )
    );
}

#[test]
fn simulate_of_one_game_ends_with_its_metrics_turn_by_turn() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .args(["simulate", FIXTURE, "--seed", "3", "--doctrine", "hawk"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = stdout
        .split("Escalation score (escalation) by turn:")
        .nth(1)
        .expect("the escalation table follows the log");
    assert!(table.contains("red") && table.contains("total"), "{table}");
    // The same game, tallied here: each turn's row ends with the sum of the actors' scores.
    let loaded = load(Path::new(FIXTURE));
    let controllers = grayzone::cli::bot_controllers(&loaded, &[], Some("hawk")).unwrap();
    let mut g = Game::new(&loaded, 3, &controllers);
    g.play_out();
    for row in &g.state().metrics {
        let m = loaded.index.metrics["escalation"];
        let line = format!(
            "{:>5} {:>10} {:>10} {:>10} {:>10}",
            row.turn,
            row.value(m, 0),
            row.value(m, 1),
            row.value(m, 2),
            row.total(m)
        );
        assert!(table.contains(&line), "{line:?} in\n{table}");
    }
    assert!(stdout.contains("GDP (gdp) by turn:"));
}

#[test]
fn free_orders_pass_even_when_no_other_order_may() {
    let dir = variant("no-orders", |file, text| match file {
        "scenario.ron" => text.replace("orders_per_turn: 2,", "orders_per_turn: 0,"),
        _ => text,
    });
    let loaded = load(&dir);
    let mut g = Game::new(&loaded, 1, &loaded.default_controllers());
    g.submit(orders(
        "red",
        &[
            ("strike", Some("blue")),
            ("message", Some("blue")),
            ("exercise", None),
        ],
    ));
    g.step();
    let kept: Vec<&str> = g
        .state()
        .history
        .iter()
        .map(|r| loaded.scenario.actions[r.action].id.as_str())
        .collect();
    assert_eq!(kept, ["message"]);
    let _ = std::fs::remove_dir_all(dir);
}
