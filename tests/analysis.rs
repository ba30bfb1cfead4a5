//! Analysis for analysts, through the binary: sharded runs merge into exactly the unsharded
//! output, merge refuses partials that are not one run, and the streaming runner keeps seed
//! order and names a panicking game's seed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use grayzone::analysis::{RunError, Stream, Summary, run_stream, summarize_games};
use grayzone::sim::LoadedScenario;

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
    let dir = std::env::temp_dir().join(format!("grayzone-analysis-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Plays every shard of `count` and returns the partial files.
fn play_shards(dir: &Path, scenario: &str, runs: &str, seed: &str, count: u64) -> Vec<PathBuf> {
    (0..count)
        .map(|i| {
            let part = dir.join(format!("part-{i}-of-{count}.json"));
            let shard = format!("{i}/{count}");
            let (code, out, err) = grayzone(&[
                "simulate",
                scenario,
                "--runs",
                runs,
                "--seed",
                seed,
                "--bots",
                "beta=hawk",
                "--shard",
                &shard,
                "--partial",
                s(&part),
            ]);
            assert_eq!(code, 0, "{err}");
            assert!(out.contains(&format!("shard {shard}")), "{out}");
            part
        })
        .collect()
}

fn merge(parts: &[PathBuf], extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(parts.iter().map(|p| s(p)));
    args.extend(extra);
    grayzone(&args)
}

#[test]
fn ten_thousand_games_in_shards_merge_to_the_unsharded_output_byte_for_byte() {
    let dir = temp_dir("merge");
    let (csv, json) = (dir.join("whole.csv"), dir.join("whole.json"));
    let (code, whole, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "10000",
        "--seed",
        "5",
        "--bots",
        "beta=hawk",
        "--csv",
        s(&csv),
        "--json",
        s(&json),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(whole.contains("10000 games"), "{whole}");
    let whole_csv = std::fs::read_to_string(&csv).unwrap();
    let whole_json = std::fs::read_to_string(&json).unwrap();
    // An even split (4 × 2,500) and an uneven one (3,333 + 3,333 + 3,334).
    for count in [4, 3] {
        let mut parts = play_shards(&dir, "tests/fixtures/mini", "10000", "5", count);
        parts.reverse(); // any order
        let (code, merged, err) = merge(&parts, &[]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(merged, whole, "{count} shards, human");
        let (_, merged_csv, _) = merge(&parts, &["--format", "csv"]);
        assert_eq!(merged_csv, whole_csv, "{count} shards, csv");
        let out = dir.join("merged.json");
        let (code, _, err) = merge(&parts, &["--format", "json", "--out", s(&out)]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            whole_json,
            "{count} shards, json"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_refuses_partials_that_are_not_one_run() {
    let dir = temp_dir("refuse");
    let parts = play_shards(&dir, "tests/fixtures/mini", "40", "1", 3);
    // A shard missing, or given twice.
    let (code, _, err) = merge(&parts[..2], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("missing: 2/3"), "{err}");
    let (code, _, err) = merge(&[parts[0].clone(), parts[1].clone(), parts[1].clone()], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("shard 1/3 is given twice"), "{err}");
    // Another seed.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    let seed2 = play_shards(&other, "tests/fixtures/mini", "40", "2", 3);
    let (code, _, err) = merge(&[parts[0].clone(), parts[1].clone(), seed2[2].clone()], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("--seed differs"), "{err}");
    // An edited scenario.
    let edited = dir.join("mini");
    std::fs::create_dir_all(&edited).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/mini").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), edited.join(entry.file_name())).unwrap();
    }
    let endings = edited.join("endings.ron");
    let text = std::fs::read_to_string(&endings).unwrap();
    std::fs::write(&endings, format!("// edited\n{text}")).unwrap();
    let changed = play_shards(&edited, s(&edited), "40", "1", 3);
    let (code, _, err) = merge(
        &[parts[0].clone(), parts[1].clone(), changed[2].clone()],
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("different versions of scenario") && err.contains("endings.ron"),
        "{err}"
    );
    // A damaged file: cut short, with its line and column; not a partial at all; another version.
    let text = std::fs::read_to_string(&parts[2]).unwrap();
    let cut = dir.join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let (code, _, err) = merge(&[parts[0].clone(), parts[1].clone(), cut.clone()], &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{}:1:", cut.display())) && err.contains("help:"),
        "{err}"
    );
    // A summary that does not fit the ids it lists (edited by hand).
    let edited = dir.join("edited.json");
    let mut damaged = text.clone();
    damaged.insert_str(text.rfind("\"injects\":[").unwrap() + 11, "7,");
    std::fs::write(&edited, damaged).unwrap();
    let (code, _, err) = merge(&[parts[0].clone(), parts[1].clone(), edited], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is damaged"), "{err}");
    let foreign = dir.join("foreign.json");
    std::fs::write(&foreign, "{\"a\": 1}").unwrap();
    let (code, _, err) = merge(&[foreign], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("not a Gray Zone partial result"), "{err}");
    let future = dir.join("future.json");
    std::fs::write(&future, text.replace("\"version\":1", "\"version\":99")).unwrap();
    let (code, _, err) = merge(&[future], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("format version 99"), "{err}");
    // Flags that make no sense with a shard are refused.
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "10",
        "--shard",
        "4/4",
        "--partial",
        s(&dir.join("x.json")),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("shard 4 does not exist"), "{err}");
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "10",
        "--shard",
        "0/4",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--partial"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn mini() -> LoadedScenario {
    LoadedScenario::load(Path::new("tests/fixtures/mini"))
        .unwrap()
        .0
}

#[test]
fn streamed_records_arrive_in_seed_order_and_summaries_add_up() {
    let loaded = mini();
    let controllers = grayzone::cli::bot_controllers(&loaded, &[], None).unwrap();
    let never = AtomicBool::new(false);
    let mut seen = Vec::new();
    let mut sink = |seed: u64, (played, turns): (u64, usize)| {
        assert_eq!(seed, played, "a record handed on with another game's seed");
        seen.push((played, turns));
        Ok(())
    };
    let streamed = run_stream(
        &Stream {
            loaded: &loaded,
            controllers: &controllers,
            seed: 1000,
            games: 3..503,
            progress: &|_| {},
            stop: &never,
        },
        &|| Summary::new(&loaded.scenario),
        &|acc: &mut Summary, seed, st| {
            // Some games take longer, so later seeds finish first on another thread.
            if seed % 5 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(3));
            }
            acc.record(&loaded.scenario, st);
            Some((seed, st.crisis_history.len()))
        },
        Some(&mut sink),
    )
    .unwrap();
    assert_eq!(streamed.played, 500);
    let seeds: Vec<u64> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(seeds, (1003..1503).collect::<Vec<_>>());
    let mut total = Summary::new(&loaded.scenario);
    for f in &streamed.folds {
        total.merge(f).unwrap();
    }
    assert_eq!(total.games, 500);
    assert_eq!(
        total.length.sum_by(|t| t as i64),
        seen.iter().map(|(_, t)| *t as i128).sum::<i128>()
    );
    // The same games played in two halves add up to the same summary.
    let mut halves = summarize_games(&loaded, 1003, 250, &controllers).unwrap();
    halves
        .merge(&summarize_games(&loaded, 1253, 250, &controllers).unwrap())
        .unwrap();
    assert_eq!(halves, total);
}

#[test]
fn a_panicking_game_stops_the_stream_with_its_seed() {
    let loaded = mini();
    let controllers = grayzone::cli::bot_controllers(&loaded, &[], None).unwrap();
    let never = AtomicBool::new(false);
    let e = run_stream(
        &Stream {
            loaded: &loaded,
            controllers: &controllers,
            seed: 1,
            games: 0..200,
            progress: &|_| {},
            stop: &never,
        },
        &|| Summary::new(&loaded.scenario),
        &|acc: &mut Summary, seed, st| {
            assert!(seed != 77, "a bug in game 77");
            acc.record(&loaded.scenario, st);
            None::<()>
        },
        None,
    )
    .unwrap_err();
    match e {
        RunError::Panic(p) => {
            assert_eq!(p.seed, 77);
            assert!(p.to_string().contains("seed 77"), "{p}");
            assert!(p.message.contains("a bug in game 77"), "{p}");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
}

/// A copy of the mini fixture with `edit(file name, text)` applied to each file.
fn mini_copy(dir: &Path, name: &str, edit: &dyn Fn(&str, String) -> String) -> PathBuf {
    let copy = dir.join(name);
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/mini").unwrap() {
        let entry = entry.unwrap();
        let file = entry.file_name().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        std::fs::write(copy.join(&file), edit(&file, text)).unwrap();
    }
    copy
}

/// The section of a sweep's output for one point (without its `== … ==` line).
fn section<'a>(out: &'a str, point: &str) -> &'a str {
    let head = format!("== {point} ==\n");
    let start = out
        .find(&head)
        .unwrap_or_else(|| panic!("no {head} in {out}"))
        + head.len();
    let rest = &out[start..];
    rest.find("\n== ").map_or(rest, |end| &rest[..=end])
}

#[test]
fn a_sweep_plays_each_value_as_if_the_scenario_said_it() {
    let dir = temp_dir("sweep");
    let (code, out, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "150",
        "--seed",
        "9",
        "--vary",
        "actions.covert_hack.chance=20..100:40",
    ]);
    assert_eq!(code, 0, "{err}");
    for v in [20, 60, 100] {
        assert!(
            out.contains(&format!("== actions.covert_hack.chance={v} ==\n150 games")),
            "{out}"
        );
    }
    // The point at 20 % plays exactly the games of a scenario that says 20 %.
    let edited = mini_copy(&dir, "mini20", &|file, text| {
        if file == "actions.ron" {
            text.replacen(
                "chance: 100, visibility: Covert",
                "chance: 20, visibility: Covert",
                1,
            )
        } else {
            text
        }
    });
    let (code, alone, err) = grayzone(&["simulate", s(&edited), "--runs", "150", "--seed", "9"]);
    assert_eq!(code, 0, "{err}");
    let alone_table = &alone[alone.find('\n').unwrap() + 1..];
    let swept = section(&out, "actions.covert_hack.chance=20");
    assert_eq!(swept.trim_end(), alone_table.trim_end());
    assert_ne!(
        section(&out, "actions.covert_hack.chance=20"),
        section(&out, "actions.covert_hack.chance=100"),
        "the value changes the games"
    );
    // A value out of the field's range is the validator's error at the changed line.
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "5",
        "--vary",
        "actions.covert_hack.chance=50..150:50",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("actions.ron:4:"), "{err}");
    assert!(
        err.contains("--vary actions.covert_hack.chance=150"),
        "{err}"
    );
    // A path that leads nowhere says what is there.
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "5",
        "--vary",
        "actors.alpha.attrs.powr=1..2",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("powr"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sharded_sweep_merges_to_the_unsharded_sweep() {
    let dir = temp_dir("sweepmerge");
    let common = [
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "301",
        "--seed",
        "3",
        "--vary",
        "actions.covert_hack.chance=30..90:60",
        "--vary",
        "scenario.rules.reassess_at=40..60:20",
    ];
    let (code, whole, err) = grayzone(&common);
    assert_eq!(code, 0, "{err}");
    assert_eq!(whole.matches("\n301 games\n").count(), 4, "{whole}");
    let parts: Vec<PathBuf> = (0..2)
        .map(|i| {
            let part = dir.join(format!("p{i}.json"));
            let shard = format!("{i}/2");
            let mut args = common.to_vec();
            args.extend(["--shard", &shard, "--partial", s(&part)]);
            let (code, _, err) = grayzone(&args);
            assert_eq!(code, 0, "{err}");
            part
        })
        .collect();
    let (code, merged, err) = merge(&parts, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(merged, whole);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn coverage_lists_what_never_happened_and_check_gates_the_endings() {
    let dir = temp_dir("check");
    let (code, out, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "60",
        "--coverage",
        "--check",
    ]);
    assert_eq!(
        code, 1,
        "the mini scenario never reaches war or timeout: {err}"
    );
    assert!(
        out.contains("endings never reached:     2 of 3: war, timeout"),
        "{out}"
    );
    assert!(
        out.contains("injects never fired:       1 of 3: manual"),
        "{out}"
    );
    assert!(
        out.contains("actions never taken:       2 of 6: answer, strike"),
        "{out}"
    );
    assert!(
        out.contains("red lines never crossed:   1 of 2: dormant"),
        "{out}"
    );
    assert!(
        err.contains("check failed: ending \"war\" was never reached in 60 games"),
        "{err}"
    );
    assert!(err.contains("rare: true"), "{err}");
    // Declared rare, the unreached endings pass; a max_share below the share fails.
    let bounded = |max: u32| {
        move |file: &str, text: String| {
            if file == "endings.ron" {
                text.replace("tone: Bad,", "tone: Bad, rare: true,")
                    .replace("priority: 9,", "priority: 9, rare: true,")
                    .replace("tone: Good,", &format!("tone: Good, max_share: {max},"))
            } else {
                text
            }
        }
    };
    let strict = mini_copy(&dir, "strict", &bounded(60));
    let (code, _, err) = grayzone(&["simulate", s(&strict), "--runs", "60", "--check"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ending \"deal\" took 100.0% of 60 games"),
        "{err}"
    );
    assert!(err.contains("more than its max_share of 60%"), "{err}");
    let loose = mini_copy(&dir, "loose", &bounded(100));
    let (code, _, err) = grayzone(&["simulate", s(&loose), "--runs", "60", "--check"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("check passed"), "{err}");
    // The validator keeps max_share a percentage.
    let wrong = mini_copy(&dir, "wrong", &bounded(150));
    let (code, out, _) = grayzone(&["validate", s(&wrong)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("endings.ron:4:"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn per_game_and_per_turn_tables_hold_every_game_in_seed_order() {
    let dir = temp_dir("tables");
    let (games_csv, turns_json, games_jsonl, summary) = (
        dir.join("games.csv"),
        dir.join("turns.json"),
        dir.join("games.jsonl"),
        dir.join("summary.json"),
    );
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "300",
        "--seed",
        "40",
        "--per-game",
        s(&games_csv),
        "--per-turn",
        s(&turns_json),
        "--json",
        s(&summary),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut reader = csv::Reader::from_path(&games_csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    let seeds: Vec<u64> = rows
        .iter()
        .map(|r| r[col("seed")].parse().unwrap())
        .collect();
    assert_eq!(seeds, (40..340).collect::<Vec<u64>>());
    // The rows add up to the summary.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    for ending in summary["points"][0]["endings"].as_array().unwrap() {
        let id = ending["id"].as_str().unwrap();
        let rows_with = rows.iter().filter(|r| &r[col("ending")] == id).count();
        assert_eq!(rows_with as u64, ending["games"].as_u64().unwrap(), "{id}");
    }
    let turns_total: u64 = rows
        .iter()
        .map(|r| r[col("turns")].parse::<u64>().unwrap())
        .sum();
    let turns: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&turns_json).unwrap()).unwrap();
    let turns = turns.as_array().unwrap();
    assert_eq!(turns.len() as u64, turns_total);
    assert_eq!(turns[0]["seed"], 40);
    assert_eq!(turns[0]["turn"], 1);
    assert!(turns[0]["level:alpha"].is_i64(), "{}", turns[0]);
    // JSON lines: the same rows as the CSV.
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "300",
        "--seed",
        "40",
        "--per-game",
        s(&games_jsonl),
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&games_jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    for (line, row) in lines.iter().zip(&rows) {
        assert_eq!(line["ending"].as_str().unwrap(), &row[col("ending")]);
        assert_eq!(line["incidents"].to_string(), row[col("incidents")]);
    }
    // An unknown extension is refused before anything runs.
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "3",
        "--per-game",
        s(&dir.join("games.xlsx")),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains(".csv, .json or .jsonl"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
