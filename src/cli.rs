//! The command line: play (default), validate, simulate.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::analysis;
use crate::scenario::{Controller, Doctrine};
use crate::sim::{Game, LoadedScenario, SessionRecord};

/// Gray Zone: a turn-based cyber-escalation wargame.
#[derive(Parser, Debug)]
#[command(name = "grayzone", version, about, long_about = None)]
pub struct Cli {
    /// What to do (opens the game when left out).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Output format of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text.
    Human,
    /// One JSON document.
    Json,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the game window.
    Play {
        /// Scenario folder to preselect.
        #[arg(long)]
        scenario: Option<PathBuf>,
    },
    /// Load and check scenario folders; report every problem with file:line:col.
    Validate {
        /// Scenario folders.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Play bot games headless: one game's log, or with --runs the ending distribution.
    Simulate {
        /// Scenario folder.
        scenario: PathBuf,
        /// Seed of the random generator (games of a --runs batch use seed, seed+1, …).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Stop after this many turns at most (the scenario's turn limit otherwise).
        #[arg(long)]
        turns: Option<u32>,
        /// Doctrines per actor, e.g. `russia=measured,united_states=hawk`.
        #[arg(long, value_delimiter = ',')]
        bots: Vec<String>,
        /// One doctrine for every state and alliance (swarms keep theirs): hawk, dove, tit-for-tat, measured, random.
        #[arg(long)]
        doctrine: Option<String>,
        /// Play this many games and print the ending distribution.
        #[arg(long)]
        runs: Option<u64>,
        /// With --runs: also write the summary as CSV to this file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Without --runs: also save the game (RON) for `replay` and `report`.
        #[arg(long)]
        save: Option<PathBuf>,
    },
    /// Measure the engine: schedule build cost, games per second (one core and all cores), memory.
    Bench {
        /// Scenario folder.
        #[arg(default_value = "scenarios/forward_defense_2022")]
        scenario: PathBuf,
        /// Games to play for the multi-core figure.
        #[arg(long, default_value_t = 10_000)]
        runs: u64,
    },
    /// Replay a saved game deterministically and print its log.
    Replay {
        /// The save file.
        save: PathBuf,
        /// Scenario folder (the one recorded in the save otherwise).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Replay only this many turns.
        #[arg(long)]
        turns: Option<usize>,
    },
    /// Write the after-action report of a saved game (Markdown and HTML with an escalation chart).
    Report {
        /// The save file.
        save: PathBuf,
        /// Scenario folder (the one recorded in the save otherwise).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Folder to write report.md and report.html into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Write the scenario format reference (docs/scenario-format.md) from the code's doc comments.
    Docs {
        /// Where to write it.
        #[arg(long, default_value = crate::scenario::docs::REFERENCE_PATH)]
        out: PathBuf,
    },
}

/// Parses the arguments and runs; returns the process exit code.
pub fn main_with_args(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 1,
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        None => play(None),
        Some(Command::Play { scenario }) => play(scenario),
        Some(Command::Validate {
            scenarios,
            format,
            deny_warnings,
        }) => validate(&scenarios, format, deny_warnings),
        Some(Command::Simulate {
            scenario,
            seed,
            turns,
            bots,
            doctrine,
            runs,
            csv,
            save,
        }) => report_errors(simulate(
            &scenario,
            seed,
            turns,
            &bots,
            doctrine.as_deref(),
            runs,
            csv.as_deref(),
            save.as_deref(),
        )),
        Some(Command::Bench { scenario, runs }) => report_errors(bench(&scenario, runs)),
        Some(Command::Replay {
            save,
            scenario,
            turns,
        }) => report_errors(replay(&save, scenario.as_deref(), turns)),
        Some(Command::Report {
            save,
            scenario,
            out,
        }) => report_errors(report(&save, scenario.as_deref(), &out)),
        Some(Command::Docs { out }) => crate::scenario::docs::docs_command(Some(&out)),
    }
}

fn report_errors(result: Result<(), String>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("{msg}");
            1
        }
    }
}

fn replay_save(
    save: &Path,
    scenario: Option<&Path>,
    turns: Option<usize>,
) -> Result<(LoadedScenario, Game), String> {
    let record = SessionRecord::load(save).map_err(|e| e.to_string())?;
    let dir = scenario.map_or_else(|| PathBuf::from(&record.scenario_dir), Path::to_path_buf);
    let loaded = load_or_report(&dir)?;
    if loaded.scenario.meta.id != record.scenario {
        return Err(format!(
            "error: the save is a game of scenario \"{}\", but {} holds \"{}\"\n  = help: pass the right folder with --scenario",
            record.scenario,
            dir.display(),
            loaded.scenario.meta.id
        ));
    }
    let game = record.replay(&loaded, turns);
    Ok((loaded, game))
}

fn replay(save: &Path, scenario: Option<&Path>, turns: Option<usize>) -> Result<(), String> {
    let (loaded, game) = replay_save(save, scenario, turns)?;
    let mut out = game.log().to_text();
    if let Some(end) = &game.state().ending {
        let e = &loaded.scenario.endings[end.ending];
        out.push_str(&format!(
            "Ending: {} — {} (turn {})\n",
            e.id, e.name, end.turn
        ));
    }
    emit(&out);
    Ok(())
}

fn report(save: &Path, scenario: Option<&Path>, out: &Path) -> Result<(), String> {
    let (loaded, game) = replay_save(save, scenario, None)?;
    std::fs::create_dir_all(out)
        .map_err(|e| format!("error: cannot create {}: {e}", out.display()))?;
    let md = crate::report::markdown(&loaded, game.state(), game.log());
    let html = crate::report::html(&loaded, game.state(), game.log());
    for (name, text) in [("report.md", md), ("report.html", html)] {
        let path = out.join(name);
        std::fs::write(&path, text)
            .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
        emit(&format!("wrote {}\n", path.display()));
    }
    Ok(())
}

fn play(scenario: Option<PathBuf>) -> i32 {
    #[cfg(feature = "gui")]
    {
        crate::gui_entry(scenario);
        0
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = scenario;
        eprintln!(
            "error: this build has no game window (built without the `gui` feature)\n  = help: use `grayzone simulate <scenario>`, or build with default features"
        );
        1
    }
}

fn validate(scenarios: &[PathBuf], format: Format, deny_warnings: bool) -> i32 {
    crate::scenario::validate_command(scenarios, format == Format::Json, deny_warnings)
}

/// Loads a scenario through the validator (the one load path): warnings go to standard
/// error and the game runs; errors are returned as the validator's full report.
pub fn load_or_report(dir: &Path) -> Result<LoadedScenario, String> {
    use crate::scenario::diagnostics::render_human;
    match LoadedScenario::load(dir) {
        Ok((loaded, v)) => {
            if v.warnings() > 0 {
                eprint!("{}", render_human(&v.diagnostics, &v.sources));
            }
            Ok(loaded)
        }
        Err(v) => {
            let mut msg = render_human(&v.diagnostics, &v.sources);
            let n = v.errors();
            msg.push_str(&format!(
                "error: could not load scenario {} ({n} problem{}); `grayzone validate {}` lists them too",
                dir.display(),
                if n == 1 { "" } else { "s" },
                dir.display()
            ));
            Err(msg)
        }
    }
}

/// Controllers for a headless game: every actor a bot, with overrides.
pub fn bot_controllers(
    loaded: &LoadedScenario,
    bots: &[String],
    doctrine: Option<&str>,
) -> Result<Vec<Controller>, String> {
    let sc = &loaded.scenario;
    let parse = |name: &str| {
        Doctrine::from_cli(name).ok_or_else(|| {
            let names: Vec<&str> = Doctrine::ALL.iter().map(|d| d.cli_name()).collect();
            format!(
                "error: unknown doctrine \"{name}\"\n  = help: choose one of {}",
                names.join(", ")
            )
        })
    };
    let all = doctrine.map(parse).transpose()?;
    let mut controllers: Vec<Controller> = sc
        .actors
        .iter()
        .map(|a| match (&a.controller, all) {
            (_, Some(d)) if a.kind != crate::scenario::ActorKind::Swarm => Controller::Bot(d),
            (Controller::Bot(d), _) => Controller::Bot(*d),
            _ => Controller::Bot(if a.kind == crate::scenario::ActorKind::Swarm {
                Doctrine::Swarm
            } else {
                Doctrine::Measured
            }),
        })
        .collect();
    for spec in bots.iter().filter(|s| !s.is_empty()) {
        let Some((actor, d)) = spec.split_once('=') else {
            return Err(format!(
                "error: --bots expects actor=doctrine, got \"{spec}\"\n  = help: e.g. --bots russia=measured,united_states=hawk"
            ));
        };
        let Some(&i) = loaded.index.actors.get(actor) else {
            let ids: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
            return Err(format!(
                "error: unknown actor \"{actor}\" in --bots\n  = help: actors of this scenario: {}",
                ids.join(", ")
            ));
        };
        controllers[i] = Controller::Bot(parse(d)?);
    }
    Ok(controllers)
}

#[allow(clippy::too_many_arguments)]
fn simulate(
    dir: &Path,
    seed: u64,
    turns: Option<u32>,
    bots: &[String],
    doctrine: Option<&str>,
    runs: Option<u64>,
    csv: Option<&Path>,
    save: Option<&Path>,
) -> Result<(), String> {
    let mut loaded = load_or_report(dir)?;
    if let Some(t) = turns {
        if t == 0 {
            return Err("error: --turns must be at least 1".into());
        }
        let mut sc = (*loaded.scenario).clone();
        sc.meta.turns = sc.meta.turns.min(t);
        loaded = LoadedScenario::new(sc);
    }
    let controllers = bot_controllers(&loaded, bots, doctrine)?;
    let sc = &loaded.scenario;
    match runs {
        None => {
            use std::fmt::Write as _;
            let mut game = Game::new(&loaded, seed, &controllers);
            if save.is_some() {
                game.world
                    .insert_resource(SessionRecord::new(&loaded, dir, seed, &controllers));
            }
            let mut out = String::new();
            let _ = writeln!(out, "Gray Zone — {} ({})", sc.meta.title, sc.meta.id);
            let _ = writeln!(out, "seed {seed}, ChaCha8");
            for (a, c) in sc.actors.iter().zip(&controllers) {
                if let Controller::Bot(d) = c {
                    let _ = writeln!(out, "  {:<24} bot:{}", a.id, d.cli_name());
                }
            }
            game.play_out();
            out.push_str(&game.log().to_text());
            let st = game.state();
            if let Some(end) = &st.ending {
                let e = &sc.endings[end.ending];
                let _ = writeln!(out, "Ending: {} — {} (turn {})", e.id, e.name, end.turn);
            }
            if let Some(path) = save {
                let mut record = game.world.resource::<SessionRecord>().clone();
                record.turns.resize(st.turn as usize, Default::default());
                record.save(path).map_err(|e| e.to_string())?;
            }
            emit(&out);
            Ok(())
        }
        Some(0) => Err("error: --runs must be at least 1".into()),
        Some(n) => {
            let start = std::time::Instant::now();
            let step = (n / 20).max(1);
            let progress = |done: u64| {
                if done.is_multiple_of(step) || done == n {
                    eprint!("\r{done}/{n} games");
                }
            };
            let outcomes = analysis::run_many(&loaded, seed, n, &controllers, &progress);
            let secs = start.elapsed().as_secs_f64();
            eprintln!();
            let summary = analysis::summarize(&loaded, &outcomes);
            println!(
                "Gray Zone — {} ({}), seeds {seed}..{}",
                sc.meta.title,
                sc.meta.id,
                seed + n - 1
            );
            print!("{}", summary.to_table());
            eprintln!(
                "{:.0} games/s ({n} games in {secs:.2} s)",
                n as f64 / secs.max(1e-9)
            );
            if let Some(path) = csv {
                std::fs::write(path, summary.to_csv())
                    .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
            }
            Ok(())
        }
    }
}

/// Writes to standard output; a closed pipe (e.g. `| head`) is not an error worth a panic.
fn emit(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Peak resident memory of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench(dir: &Path, runs: u64) -> Result<(), String> {
    use std::time::Instant;
    let loaded = load_or_report(dir)?;
    let controllers = bot_controllers(&loaded, &[], None)?;
    let mut out = String::new();
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(crate::sim::turn_schedule());
    }
    let build = t.elapsed().as_secs_f64() / f64::from(n);
    out.push_str(&format!(
        "turn schedule build:       {:.1} us\n",
        build * 1e6
    ));
    let t = Instant::now();
    let mut game = Game::new(&loaded, 1, &controllers);
    let fresh = t.elapsed().as_secs_f64();
    out.push_str(&format!(
        "fresh world + schedule:    {:.1} us\n",
        fresh * 1e6
    ));
    let single = (runs / 5).max(1);
    let t = Instant::now();
    let mut turns = 0u64;
    for i in 0..single {
        let o = crate::analysis::play_one(&mut game, &loaded, i, &controllers);
        turns += o.crisis_levels.len() as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    out.push_str(&format!(
        "one core, reused world:    {:.0} games/s, {:.1} us per game, {:.1} us per turn ({single} games)\n",
        single as f64 / secs,
        secs / single as f64 * 1e6,
        secs / turns.max(1) as f64 * 1e6
    ));
    let t = Instant::now();
    let outcomes = crate::analysis::run_many(&loaded, 1, runs, &controllers, &|_| {});
    let secs = t.elapsed().as_secs_f64();
    out.push_str(&format!(
        "all cores ({} threads):     {:.0} games/s ({} games in {:.2} s)\n",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        outcomes.len() as f64 / secs,
        outcomes.len(),
        secs
    ));
    let t = Instant::now();
    let mut logged = Game::new(&loaded, 7, &controllers);
    logged.play_out();
    let secs = t.elapsed().as_secs_f64();
    out.push_str(&format!(
        "one game with log + hashes: {:.2} ms ({} log entries)\n",
        secs * 1e3,
        logged.log().entries.len()
    ));
    if let Some(kib) = peak_rss_kib() {
        out.push_str(&format!(
            "peak memory:               {:.1} MiB\n",
            kib as f64 / 1024.0
        ));
    }
    emit(&out);
    Ok(())
}
