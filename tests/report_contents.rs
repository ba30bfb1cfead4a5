//! What the analyst and the facilitator take home holds the games' real values: the CSV of a
//! batch, the Markdown after-action report of a saved game, and `bench`'s measurements.

use std::path::{Path, PathBuf};
use std::process::Command;

use grayzone::sim::{Game, LoadedScenario};

fn grayzone(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-report-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SCENARIO: &str = "scenarios/forward_defense_2022";

fn scenario() -> LoadedScenario {
    LoadedScenario::load(Path::new(SCENARIO)).unwrap().0
}

#[test]
fn the_csv_of_a_batch_holds_the_endings_of_the_games_played() {
    let dir = temp_dir("csv");
    let csv = dir.join("out.csv");
    let (code, _, err) = grayzone(&[
        "simulate",
        SCENARIO,
        "--runs",
        "12",
        "--seed",
        "3",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(rows.iter().all(|r| r.len() == 6), "six columns");
    let value = |section: &str, subject: &str, turn: &str, statistic: &str| -> f64 {
        rows.iter()
            .find(|r| r[1] == section && r[2] == subject && r[3] == turn && r[4] == statistic)
            .unwrap_or_else(|| panic!("no row {section},{subject},{turn},{statistic}"))[5]
            .parse()
            .unwrap()
    };
    assert_eq!(value("games", "", "", "games"), 12.0);
    // The same 12 games (seeds 3..=14, the scenario's own bots) played here.
    let game = scenario();
    let controllers = grayzone::cli::bot_controllers(&game, &[], None).unwrap();
    let mut counts = vec![0usize; game.scenario.endings.len()];
    let mut lengths = 0u32;
    let mut first_turn_crisis = 0usize;
    for seed in 3..=14 {
        let mut g = Game::new(&game, seed, &controllers);
        g.play_out();
        let end = g.state().ending.clone().unwrap();
        counts[end.ending] += 1;
        lengths += end.turn;
        first_turn_crisis +=
            game.scenario.meta.ladder.rungs[g.state().crisis_history[0]].level as usize;
    }
    for (e, ending) in game.scenario.endings.iter().enumerate() {
        let games = value("ending", &ending.id, "", "games");
        assert_eq!(games, counts[e] as f64, "{}", ending.id);
        let share = value("ending", &ending.id, "", "share");
        assert!(
            (share - counts[e] as f64 / 12.0).abs() < 1e-6,
            "{}",
            ending.id
        );
        let (lo, hi) = (
            value("ending", &ending.id, "", "ci95_low"),
            value("ending", &ending.id, "", "ci95_high"),
        );
        assert!(
            lo <= share && share <= hi && hi <= 1.0 && lo >= 0.0,
            "{}",
            ending.id
        );
    }
    let mean_length = value("game", "", "", "mean_length");
    assert!((mean_length - f64::from(lengths) / 12.0).abs() < 1e-6);
    assert_eq!(value("crisis", "", "1", "games"), 12.0);
    let mean = value("crisis", "", "1", "mean");
    assert!(
        (mean - first_turn_crisis as f64 / 12.0).abs() < 1e-6,
        "crisis at turn 1: {mean}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_markdown_report_of_a_saved_game_holds_its_ending_and_ladder() {
    let dir = temp_dir("md");
    let save = dir.join("game.ron");
    let (code, _, err) = grayzone(&[
        "simulate",
        SCENARIO,
        "--seed",
        "5",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = grayzone(&[
        "report",
        save.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    // The same game, played here.
    let game = scenario();
    let sc = &game.scenario;
    let controllers = grayzone::cli::bot_controllers(&game, &[], None).unwrap();
    let mut g = Game::new(&game, 5, &controllers);
    g.play_out();
    let st = g.state();
    let end = st.ending.clone().unwrap();
    assert!(
        md.contains(&format!("{} turn(s) played, seed 5.", end.turn)),
        "{md}"
    );
    let ending = &sc.endings[end.ending];
    assert!(
        md.contains(&format!("**Ending:** {} (", ending.name)),
        "the ending {}",
        ending.name
    );
    // Each turning point once (a threshold's true and public crossings are one point).
    let points: Vec<&str> = md.lines().filter(|l| l.starts_with("### T")).collect();
    let distinct: std::collections::BTreeSet<&&str> = points.iter().collect();
    assert_eq!(distinct.len(), points.len(), "{points:#?}");
    // The ladder table: each actor's true rung at the start and after every turn.
    for (a, actor) in sc.actors.iter().enumerate() {
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", actor.name)))
            .unwrap_or_else(|| panic!("no ladder row for {}", actor.name));
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let expected: Vec<&str> = std::iter::once(game.index.rungs[&actor.rung])
            .chain(st.actors[a].rung_history.iter().copied())
            .map(|r| sc.meta.ladder.rungs[r].name.as_str())
            .collect();
        assert_eq!(cells[1..], expected[..], "{}", actor.name);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_plays_the_games_it_says_and_prints_its_one_core_line() {
    let (code, out, err) = grayzone(&["bench", "scenarios/tutorial_first_contact", "--runs", "10"]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("one core, reused world:"))
        .unwrap_or_else(|| panic!("no one-core line in\n{out}"));
    // "one core, reused world:    183 games/s, 5452.0 us per game, 908.7 us per turn (2 games)"
    let numbers: Vec<f64> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|s| !s.is_empty() && *s != ".")
        .map(|s| s.parse().unwrap())
        .collect();
    let [per_second, us_per_game, us_per_turn, games] = numbers[..] else {
        panic!("{line}");
    };
    assert_eq!(games, 2.0, "a fifth of --runs on one core: {line}");
    assert!(
        per_second > 0.0 && us_per_game > 0.0 && us_per_turn > 0.0,
        "{line}"
    );
    // games/s and µs per game describe the same measurement.
    let implied = 1e6 / us_per_game;
    assert!(
        (implied - per_second).abs() <= 0.01 * per_second + 1.0,
        "{line}"
    );
    // A game has several turns.
    assert!(us_per_turn < us_per_game, "{line}");
    let all = out
        .lines()
        .find(|l| l.starts_with("all cores ("))
        .unwrap_or_else(|| panic!("no all-cores line in\n{out}"));
    assert!(all.contains("(10 games in "), "{all}");
    assert!(out.contains("one game with log + hashes:"), "{out}");
}

#[test]
fn bench_measures_the_doctrine_asked_for_and_refuses_an_unknown_one() {
    let game = LoadedScenario::load(Path::new("scenarios/tutorial_first_contact"))
        .unwrap()
        .0;
    let states = game
        .scenario
        .actors
        .iter()
        .filter(|a| a.kind != grayzone::scenario::ActorKind::Swarm)
        .count();
    let (code, out, err) = grayzone(&[
        "bench",
        "scenarios/tutorial_first_contact",
        "--runs",
        "5",
        "--doctrine",
        "measured",
    ]);
    assert_eq!(code, 0, "{err}");
    let bots = out
        .lines()
        .find(|l| l.starts_with("bots:"))
        .unwrap_or_else(|| panic!("no bots line in\n{out}"));
    assert!(
        bots.contains(&format!("measured ×{states}")),
        "every state plays measured: {bots}"
    );
    assert!(!bots.contains("planner"), "{bots}");
    let (code, _, err) = grayzone(&[
        "bench",
        "scenarios/tutorial_first_contact",
        "--doctrine",
        "hawkish",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown doctrine \"hawkish\""), "{err}");
}
