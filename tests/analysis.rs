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
    let mut sink = |seed: u64, turns: usize| {
        seen.push((seed, turns));
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
        &|acc: &mut Summary, _, st| {
            acc.record(st);
            Some(st.crisis_history.len())
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
            acc.record(st);
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
