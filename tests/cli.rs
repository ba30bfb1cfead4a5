//! The command line: deterministic simulate output, clear errors with exit code 1.

use std::process::Command;

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

#[test]
fn simulate_is_byte_identical_for_a_seed() {
    let a = grayzone(&["simulate", "scenarios/forward_defense_2022", "--seed", "7"]);
    let b = grayzone(&["simulate", "scenarios/forward_defense_2022", "--seed", "7"]);
    let c = grayzone(&["simulate", "scenarios/forward_defense_2022", "--seed", "8"]);
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1, b.1);
    assert_ne!(a.1, c.1);
    assert!(a.1.contains("Ending: "));
}

#[test]
fn runs_print_a_distribution() {
    let bots = "russia=hawk,ukraine=hawk";
    let (code, out, err) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--runs",
        "20",
        "--bots",
        bots,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("seeds 1..20"), "{out}");
    assert!(out.contains("\n20 games\n"), "{out}");
    // The ending table: one row per ending of the scenario, counts adding up to the 20 games,
    // each share the count over 20.
    let rows: Vec<(String, usize, String)> = out
        .lines()
        .skip_while(|l| !l.starts_with("ending "))
        .skip(1)
        .take_while(|l| !l.starts_with("mean "))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (
                cols[0].to_string(),
                cols[1].parse().expect("a count"),
                cols[2].to_string(),
            )
        })
        .collect();
    let scenario =
        grayzone::sim::LoadedScenario::load(std::path::Path::new("scenarios/forward_defense_2022"))
            .unwrap()
            .0;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let expected: Vec<&str> = scenario
        .scenario
        .endings
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids, expected, "one row per ending, in scenario order");
    assert_eq!(rows.iter().map(|r| r.1).sum::<usize>(), 20, "{out}");
    for (id, count, share) in &rows {
        assert_eq!(*share, format!("{:.1}%", *count as f64 * 5.0), "{id}");
    }
    // The same counts as the 20 games played one by one with the same seeds and bots.
    let mut by_game: std::collections::BTreeMap<String, usize> = Default::default();
    for seed in 1..=20 {
        let seed = seed.to_string();
        let (code, one, err) = grayzone(&[
            "simulate",
            "scenarios/forward_defense_2022",
            "--seed",
            &seed,
            "--bots",
            bots,
        ]);
        assert_eq!(code, 0, "{err}");
        let ending = one
            .lines()
            .find_map(|l| l.strip_prefix("Ending: "))
            .and_then(|l| l.split_whitespace().next())
            .expect("an ending line")
            .to_string();
        *by_game.entry(ending).or_default() += 1;
    }
    for (id, count, _) in &rows {
        assert_eq!(
            *count,
            by_game.get(id).copied().unwrap_or(0),
            "{id}: {by_game:?}"
        );
    }
}

#[test]
fn bad_input_exits_1_with_a_message() {
    let (code, _, err) = grayzone(&["simulate", "scenarios/no_such_scenario"]);
    assert_eq!(code, 1);
    assert!(err.contains("no scenario folder"), "{err}");
    let (code, _, err) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--bots",
        "russia=cowboy",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown doctrine \"cowboy\""), "{err}");
    let (code, _, err) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--bots",
        "rusia=hawk",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown actor \"rusia\""), "{err}");
    let (code, _, err) = grayzone(&["simulate", "--no-such-flag"]);
    assert_eq!(code, 1);
    assert!(!err.is_empty());
    let (code, out, _) = grayzone(&["simulate", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--seed"));
}

#[test]
fn validate_reports_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("grayzone-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["scenario.ron", "actors.ron", "actions.ron", "endings.ron"] {
        std::fs::copy(format!("tests/fixtures/mini/{f}"), dir.join(f)).unwrap();
    }
    let broken = std::fs::read_to_string(dir.join("actors.ron"))
        .unwrap()
        .replace("kind: State, side: \"x\"", "kind: Stat, side: \"x\"");
    std::fs::write(dir.join("actors.ron"), broken).unwrap();
    let (code, out, err) = grayzone(&["validate", dir.to_str().unwrap()]);
    let text = format!("{out}{err}");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("actors.ron:3:"), "{text}");
    let (code, _, _) = grayzone(&["validate", "scenarios/forward_defense_2022"]);
    assert_eq!(code, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_saved_game_replays_byte_identically_and_reports() {
    let dir = std::env::temp_dir().join(format!("grayzone-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let save = dir.join("game.ron");
    let (code, sim, err) = grayzone(&[
        "simulate",
        "scenarios/forward_defense_2022",
        "--seed",
        "5",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, replayed, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let log_start = sim.find("T01 ").unwrap();
    assert_eq!(&sim[log_start..], replayed);
    let (code, _, err) = grayzone(&[
        "report",
        save.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Ending:"));
    std::fs::write(&save, "(version: 1, scenario: ").unwrap();
    let (code, _, err) = grayzone(&["replay", save.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("the save is damaged") && err.contains("game.ron:1:"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Runs the binary with standard output closed by its reader before anything is written.
fn with_stdout_closed(args: &[&str]) -> (i32, String) {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let dir = temp_dir("pipe");
    let save = dir.join("g.ron");
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let runs: &[&[&str]] = &[
        &["simulate", "scenarios/forward_defense_2022", "--runs", "20"],
        &["simulate", "scenarios/forward_defense_2022"],
        &[
            "validate",
            "scenarios/forward_defense_2022",
            "tests/golden/clean",
        ],
        &["validate", "--format", "json", "tests/golden/clean"],
        &["docs", "--out", "-"],
        &["replay", save.to_str().unwrap()],
        &["--help"],
    ];
    for args in runs {
        let (code, err) = with_stdout_closed(args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_never_panic() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt as _;
    let run = |args: &[&OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_grayzone"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let bad = OsStr::from_bytes(b"\xff\xfe-scenario");
    // A path that is not UTF-8 is still a path.
    let dir = temp_dir("nonutf8");
    let folder = dir.join(bad);
    copy_dir(std::path::Path::new("tests/fixtures/mini"), &folder);
    let (code, err, out) = run(&[OsStr::new("validate"), folder.as_os_str()]);
    assert_eq!(code, 0, "{err}{out}");
    let (code, err, out) = run(&[OsStr::new("simulate"), folder.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Ending: "), "{out}");
    // A missing one is a message.
    let (code, err, _) = run(&[OsStr::new("simulate"), bad]);
    assert_eq!(code, 1);
    assert!(err.contains("no scenario folder"), "{err}");
    // Text that is not UTF-8: clap's message, exit 1.
    for args in [
        vec![bad],
        vec![
            OsStr::new("simulate"),
            OsStr::new("tests/fixtures/mini"),
            OsStr::new("--doctrine"),
            bad,
        ],
        vec![OsStr::new("validate"), OsStr::new("--format"), bad],
    ] {
        let (code, err, _) = run(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.starts_with("error:"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_needs_runs() {
    let dir = temp_dir("csv");
    let csv = dir.join("out.csv");
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--csv") && err.contains("--runs"), "{err}");
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "5",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .starts_with("point,section,subject,turn,statistic,value\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn save_with_runs_saves_every_game_into_a_folder() {
    let dir = temp_dir("saveruns");
    let games = dir.join("games");
    let (code, out, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "3",
        "--seed",
        "10",
        "--save",
        games.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("saved 3 of 3 games"), "{out}");
    for seed in 10..13 {
        let save = games.join(format!("seed-{seed}.ron"));
        let (code, replayed, err) = grayzone(&["replay", save.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let (_, single, _) = grayzone(&[
            "simulate",
            "tests/fixtures/mini",
            "--seed",
            &seed.to_string(),
        ]);
        assert!(single.ends_with(&replayed), "seed {seed}");
    }
    // --save naming a file with --runs is refused before anything runs.
    let file = dir.join("file.ron");
    std::fs::write(&file, "x").unwrap();
    let (code, _, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--runs",
        "2",
        "--save",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("not a folder"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_save_keeps_the_printed_log() {
    let dir = temp_dir("failsave");
    let blocker = dir.join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let save = blocker.join("game.ron");
    let (code, out, err) = grayzone(&[
        "simulate",
        "tests/fixtures/mini",
        "--save",
        save.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("Ending: "), "the log was lost: {out}");
    assert!(err.contains("cannot write the save"), "{err}");
    // A symlink is not replaced.
    #[cfg(unix)]
    {
        let target = dir.join("target.txt");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.join("link.ron");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let (code, out, err) = grayzone(&[
            "simulate",
            "tests/fixtures/mini",
            "--save",
            link.to_str().unwrap(),
        ]);
        assert_eq!(code, 1);
        assert!(out.contains("Ending: "));
        assert!(
            err.contains("symbolic link") && err.contains("link.ron"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn piped_runs_show_no_progress() {
    let (code, _, err) = grayzone(&["simulate", "tests/fixtures/mini", "--runs", "30"]);
    assert_eq!(code, 0);
    assert!(!err.contains('\r'), "progress drawn on a pipe: {err:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_prints_the_partial_summary() {
    use std::process::Stdio;
    let child = Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .args(["simulate", "tests/fixtures/mini", "--runs", "100000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Wait until the process catches SIGINT (its handler is installed), then press Ctrl-C.
    let caught = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .is_some_and(|mask| mask & (1 << 1) != 0)
    };
    // Bounded, so a build without a handler fails instead of hanging (not a speed check).
    let mut child = child;
    let mut waited = 0;
    while !caught() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended before Ctrl-C: {status}");
        }
        if waited > 6000 {
            let _ = child.kill();
            panic!("the process never caught SIGINT");
        }
        waited += 1;
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}");
    assert!(
        stdout.contains("interrupted after") && stdout.contains("of 100,000,000 games"),
        "{stdout}"
    );
    assert!(stdout.contains("mean game length"), "{stdout}");
}
