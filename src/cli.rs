//! The command line: play (default), validate, simulate, bench, replay, report, docs.
//!
//! Everything it prints goes through [`crate::output`]: a closed pipe (`grayzone … | head -1`)
//! ends the process quietly, and no input (arguments that are not UTF-8, a missing display)
//! makes it panic.

use std::ffi::OsString;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};

use crate::analysis;
use crate::output::{errln, out, thousands, write_atomically};
use crate::scenario::{Controller, Doctrine};
use crate::sim::{Game, LoadedScenario, SessionRecord};

/// The exit code of a `simulate --runs` stopped by Ctrl-C (after printing the partial summary),
/// as shells report a process ended by SIGINT.
pub const INTERRUPTED_EXIT: i32 = 130;

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
        /// One doctrine for every state and alliance (swarms keep theirs): hawk, dove, tit-for-tat, measured, random, planner.
        #[arg(long)]
        doctrine: Option<String>,
        /// Play this many games and print the ending distribution.
        #[arg(long)]
        runs: Option<u64>,
        /// With --runs: also write the summary as CSV to this file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Also save the game (RON) for `replay` and `report`; with --runs, a folder to save
        /// every game into (DIR/seed-N.ron).
        #[arg(long)]
        save: Option<PathBuf>,
        /// Two actors, e.g. `united_states,russia`: play every pair of doctrines (hawk, dove,
        /// tit-for-tat, measured, random, planner) for them, --runs games per cell (200 if not
        /// given), and print each actor's mean objective score and the ending shares per cell.
        #[arg(long, value_delimiter = ',')]
        matrix: Vec<String>,
        /// Planners think less (one future of one turn per plan): for large analysis runs.
        /// Games played so cannot be saved, since a replay plans fully.
        #[arg(long)]
        quick_planner: bool,
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
        /// Replay even if the scenario changed since the save or the replay diverges from it.
        #[arg(long)]
        force: bool,
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
        /// Write the report even if the scenario changed since the save or the replay diverges.
        #[arg(long)]
        force: bool,
    },
    /// Write the scenario format reference (docs/scenario-format.md) from the code's doc comments.
    Docs {
        /// Where to write it (`-`: standard output).
        #[arg(long, default_value = crate::scenario::docs::REFERENCE_PATH)]
        out: PathBuf,
    },
}

/// Parses the arguments (any bytes: paths need not be UTF-8) and runs; returns the process
/// exit code.
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 1,
            };
            let text = e.render().to_string();
            if e.use_stderr() {
                crate::output::err(&text);
            } else {
                out(&text);
            }
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
            matrix,
            quick_planner,
        }) => report_errors(simulate(&Simulate {
            dir: &scenario,
            seed,
            turns,
            bots: &bots,
            doctrine: doctrine.as_deref(),
            runs,
            csv: csv.as_deref(),
            save: save.as_deref(),
            matrix: &matrix,
            quick_planner,
        })),
        Some(Command::Bench { scenario, runs }) => report_errors(bench(&scenario, runs)),
        Some(Command::Replay {
            save,
            scenario,
            turns,
            force,
        }) => report_errors(replay(&save, scenario.as_deref(), turns, force)),
        Some(Command::Report {
            save,
            scenario,
            out,
            force,
        }) => report_errors(report(&save, scenario.as_deref(), &out, force)),
        Some(Command::Docs { out }) => crate::scenario::docs::docs_command(Some(&out)),
    }
}

/// Ok → 0; a message → printed to standard error, 1. Commands that need another code return
/// it as `Ok`.
fn report_errors(result: Result<i32, String>) -> i32 {
    match result {
        Ok(code) => code,
        Err(msg) => {
            errln(&msg);
            1
        }
    }
}

/// Loads the save, finds its scenario (`--scenario` first, then where the save says) and
/// replays it through [`SessionRecord::verify_and_replay`].
fn replay_save(
    save: &Path,
    scenario: Option<&Path>,
    turns: Option<usize>,
    force: bool,
) -> Result<(LoadedScenario, Game), String> {
    let record = SessionRecord::load(save).map_err(|e| e.to_string())?;
    let dir = match scenario {
        Some(d) => d.to_path_buf(),
        None => record.locate_scenario(save)?,
    };
    let loaded = load_or_report(&dir)?;
    let verified = record
        .verify_and_replay(&loaded, turns, force)
        .map_err(|d| d.to_string())?;
    if let Some(d) = &verified.ignored {
        errln(&format!(
            "warning: {}\n  = note: replayed anyway (--force)",
            d.message()
        ));
    }
    Ok((loaded, verified.game))
}

fn replay(
    save: &Path,
    scenario: Option<&Path>,
    turns: Option<usize>,
    force: bool,
) -> Result<i32, String> {
    let (loaded, game) = replay_save(save, scenario, turns, force)?;
    let mut text = game.log().to_text();
    if let Some(end) = &game.state().ending {
        let e = &loaded.scenario.endings[end.ending];
        text.push_str(&format!(
            "Ending: {} — {} (turn {})\n",
            e.id, e.name, end.turn
        ));
    }
    // As `simulate` prints it, so a replay reads byte for byte like the game.
    text.push_str(&crate::analysis::metrics::game_table(
        &loaded,
        &game.state().metrics,
    ));
    out(&text);
    Ok(0)
}

fn report(save: &Path, scenario: Option<&Path>, dir: &Path, force: bool) -> Result<i32, String> {
    let (loaded, game) = replay_save(save, scenario, None, force)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
    let md = crate::report::markdown(&loaded, game.state(), game.log());
    let html = crate::report::html(&loaded, game.state(), game.log());
    for (name, text) in [("report.md", md), ("report.html", html)] {
        let path = dir.join(name);
        write_atomically(&path, text.as_bytes()).map_err(|e| e.to_string())?;
        out(&format!("wrote {}\n", path.display()));
    }
    Ok(0)
}

fn play(scenario: Option<PathBuf>) -> i32 {
    #[cfg(feature = "gui")]
    {
        if let Some(problem) = graphics_problem() {
            errln(&problem);
            return 1;
        }
        crate::gui_entry(scenario);
        0
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = scenario;
        errln(
            "error: this build has no game window (built without the `gui` feature)\n  = help: use `grayzone simulate <scenario>`, or build with default features",
        );
        1
    }
}

/// Why the game window cannot open on this machine, if it cannot (checked before opening it,
/// so a missing display or Vulkan driver is a message, not a panic inside the windowing
/// library). Linux only; elsewhere always `None`.
pub fn graphics_problem() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let standard = [
        "/usr/share/vulkan/icd.d",
        "/usr/local/share/vulkan/icd.d",
        "/etc/vulkan/icd.d",
    ]
    .map(PathBuf::from);
    graphics_problem_in(&|k| std::env::var_os(k), &standard)
}

/// [`graphics_problem`] with the environment and the standard Vulkan driver folders given.
pub fn graphics_problem_in(
    env: &dyn Fn(&str) -> Option<OsString>,
    standard_icd_dirs: &[PathBuf],
) -> Option<String> {
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    if set("DISPLAY").is_none() && set("WAYLAND_DISPLAY").is_none() {
        return Some(
            "error: no display: the game window needs a graphical desktop, and neither DISPLAY nor WAYLAND_DISPLAY is set\n  = help: run it on a desktop, or under `xvfb-run -a grayzone`; validate, simulate, replay and report need no display"
                .into(),
        );
    }
    // Another backend chosen explicitly (e.g. WGPU_BACKEND=gl): not ours to second-guess.
    if let Some(b) = set("WGPU_BACKEND")
        && !b.to_string_lossy().to_ascii_lowercase().contains("vulkan")
    {
        return None;
    }
    let has_json = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
    };
    let listed_exists = |list: OsString| {
        std::env::split_paths(&list).any(|p| {
            if p.is_dir() {
                has_json(&p)
            } else {
                p.is_file()
            }
        })
    };
    // The loader uses only these when they are set, plus the added ones.
    let explicit = set("VK_DRIVER_FILES").or_else(|| set("VK_ICD_FILENAMES"));
    if set("VK_ADD_DRIVER_FILES").is_some_and(listed_exists) {
        return None;
    }
    let found = match explicit {
        Some(list) => listed_exists(list),
        None => {
            let mut dirs: Vec<PathBuf> = standard_icd_dirs.to_vec();
            let config = set("XDG_CONFIG_DIRS").unwrap_or_else(|| "/etc/xdg".into());
            let data = set("XDG_DATA_DIRS").unwrap_or_else(|| "/usr/local/share:/usr/share".into());
            for base in std::env::split_paths(&config).chain(std::env::split_paths(&data)) {
                dirs.push(base.join("vulkan/icd.d"));
            }
            if let Some(home) = set("XDG_DATA_HOME")
                .map(PathBuf::from)
                .or_else(|| set("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            {
                dirs.push(home.join("vulkan/icd.d"));
            }
            dirs.iter().any(|d| has_json(d))
        }
    };
    (!found).then(|| {
        "error: no Vulkan driver found: the game window draws with Vulkan, and no Vulkan driver (ICD file) is installed\n  = help: install one — on Debian/Ubuntu: `sudo apt install mesa-vulkan-drivers`; or point VK_DRIVER_FILES at a driver's .json file"
            .into()
    })
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
                crate::output::err(&render_human(&v.diagnostics, &v.sources));
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
            // Unplayed actors: swarms play as swarms, everyone else plans.
            _ => Controller::Bot(if a.kind == crate::scenario::ActorKind::Swarm {
                Doctrine::Swarm
            } else {
                Doctrine::Planner
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

/// The options of `grayzone simulate`.
struct Simulate<'a> {
    dir: &'a Path,
    seed: u64,
    turns: Option<u32>,
    bots: &'a [String],
    doctrine: Option<&'a str>,
    runs: Option<u64>,
    csv: Option<&'a Path>,
    save: Option<&'a Path>,
    matrix: &'a [String],
    quick_planner: bool,
}

fn simulate(o: &Simulate) -> Result<i32, String> {
    if o.csv.is_some() && o.runs.is_none() {
        return Err(
            "error: --csv writes the summary of many games, so it needs --runs\n  = help: e.g. `grayzone simulate <scenario> --runs 1000 --csv out.csv`"
                .into(),
        );
    }
    if o.runs == Some(0) {
        return Err("error: --runs must be at least 1".into());
    }
    if o.quick_planner && o.save.is_some() {
        return Err(
            "error: --quick-planner games cannot be saved: a replay plans with the full budget and would play a different game\n  = help: drop --save, or drop --quick-planner"
                .into(),
        );
    }
    crate::bots::planner::PlannerBudget::set_quick_for_new_games(o.quick_planner);
    if let (Some(_), Some(dir)) = (o.runs, o.save)
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(format!(
            "error: with --runs, --save names a folder to save every game into, but {} is not a folder\n  = help: give a new or existing folder, e.g. --save games/",
            dir.display()
        ));
    }
    let mut loaded = load_or_report(o.dir)?;
    if let Some(t) = o.turns {
        if t == 0 {
            return Err("error: --turns must be at least 1".into());
        }
        loaded = crate::sim::record::with_turn_limit(&loaded, t);
    }
    let controllers = bot_controllers(&loaded, o.bots, o.doctrine)?;
    if !o.matrix.is_empty() {
        return simulate_matrix(o, &loaded, &controllers);
    }
    match o.runs {
        None => simulate_one(o, &loaded, &controllers),
        Some(n) => simulate_many(o, &loaded, &controllers, n),
    }
}

/// Plays one game with its log; the log is printed before the save is written, so a failed
/// save loses nothing.
fn simulate_one(
    o: &Simulate,
    loaded: &LoadedScenario,
    controllers: &[Controller],
) -> Result<i32, String> {
    use std::fmt::Write as _;
    let sc = &loaded.scenario;
    let (mut game, record) = logged_game(o, loaded, controllers, o.seed);
    let mut text = String::new();
    let _ = writeln!(text, "Gray Zone — {} ({})", sc.meta.title, sc.meta.id);
    let _ = writeln!(text, "seed {}, ChaCha8", o.seed);
    for (a, c) in sc.actors.iter().zip(controllers) {
        if let Controller::Bot(d) = c {
            let _ = writeln!(text, "  {:<24} bot:{}", a.id, d.cli_name());
        }
    }
    game.play_out();
    text.push_str(&game.log().to_text());
    if let Some(end) = &game.state().ending {
        let e = &sc.endings[end.ending];
        let _ = writeln!(text, "Ending: {} — {} (turn {})", e.id, e.name, end.turn);
    }
    text.push_str(&crate::analysis::metrics::game_table(
        loaded,
        &game.state().metrics,
    ));
    out(&text);
    if let Some(path) = o.save {
        save_game(&game, record, path)?;
    }
    Ok(0)
}

/// A fresh game with log and turn hashes on, and its record.
fn logged_game(
    o: &Simulate,
    loaded: &LoadedScenario,
    controllers: &[Controller],
    seed: u64,
) -> (Game, SessionRecord) {
    let game = Game::new(loaded, seed, controllers);
    let mut record = SessionRecord::new(loaded, o.dir, seed, controllers);
    record.turn_limit = o.turns;
    (game, record)
}

/// Saves a played game: its record with the state hash of every turn.
fn save_game(game: &Game, mut record: SessionRecord, path: &Path) -> Result<(), String> {
    record.stamp_hashes(game.log());
    record.save(path).map_err(|e| e.to_string())
}

/// Set by Ctrl-C while a batch runs.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Catches Ctrl-C for the rest of the process: the first press sets [`INTERRUPTED`] (the batch
/// stops after the games being played), a second one ends the process at once.
fn catch_ctrl_c() -> &'static AtomicBool {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Without a handler (another one was set first) Ctrl-C simply ends the process.
        let _ = ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                std::process::exit(INTERRUPTED_EXIT);
            }
        });
    });
    &INTERRUPTED
}

/// `simulate --matrix a,b`: every pair of doctrines for two actors.
fn simulate_matrix(
    o: &Simulate,
    loaded: &LoadedScenario,
    controllers: &[Controller],
) -> Result<i32, String> {
    let sc = &loaded.scenario;
    let ids: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
    let find = |name: &str| {
        loaded.index.actors.get(name).copied().ok_or_else(|| {
            format!(
                "error: unknown actor \"{name}\" in --matrix\n  = help: actors of this scenario: {}",
                ids.join(", ")
            )
        })
    };
    let [a, b] = o.matrix else {
        return Err(format!(
            "error: --matrix takes two actors, got {}\n  = help: e.g. --matrix {}",
            o.matrix.len(),
            ids.iter().take(2).copied().collect::<Vec<_>>().join(",")
        ));
    };
    let (row, col) = (find(a)?, find(b)?);
    if row == col {
        return Err(format!(
            "error: --matrix needs two different actors, got \"{a}\" twice\n  = help: e.g. --matrix {a},<another actor>"
        ));
    }
    if o.save.is_some() || o.csv.is_some() {
        return Err("error: --matrix prints its table only; --save and --csv are for --runs\n  = help: drop --save and --csv".into());
    }
    let runs = o.runs.unwrap_or(200);
    let stop = catch_ctrl_c();
    let start = Instant::now();
    let matrix = analysis::stakes::doctrine_matrix(
        loaded,
        controllers,
        (row, col),
        &analysis::stakes::MATRIX_DOCTRINES,
        o.seed,
        runs,
        stop,
    )
    .map_err(|e| e.to_string())?;
    let games: usize = matrix.cells.iter().map(|c| c.games).sum();
    let mut text = format!(
        "Gray Zone — {} ({}), doctrine matrix, {} games per cell, seeds {}..{}\n",
        sc.meta.title,
        sc.meta.id,
        thousands(runs),
        o.seed,
        o.seed.wrapping_add(runs - 1)
    );
    text.push_str(&matrix.to_table(loaded));
    out(&text);
    let secs = start.elapsed().as_secs_f64();
    errln(&format!(
        "{:.0} games/s ({games} games in {secs:.2} s)",
        games as f64 / secs.max(1e-9)
    ));
    Ok(if stop.load(Ordering::Relaxed) {
        INTERRUPTED_EXIT
    } else {
        0
    })
}

fn simulate_many(
    o: &Simulate,
    loaded: &LoadedScenario,
    controllers: &[Controller],
    n: u64,
) -> Result<i32, String> {
    let sc = &loaded.scenario;
    let stop = catch_ctrl_c();
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let start = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let batch = std::thread::scope(|s| {
        if terminal {
            s.spawn(|| progress_bar(n, &done, &finished, start));
        }
        let progress = |d: u64| {
            done.fetch_max(d, Ordering::Relaxed);
        };
        let batch = analysis::run_games(loaded, o.seed, n, controllers, &progress, stop);
        finished.store(true, Ordering::Relaxed);
        batch
    })
    .map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    let played = batch.outcomes.len() as u64;
    let summary = analysis::summarize(loaded, &batch.outcomes);
    let mut text = format!(
        "Gray Zone — {} ({}), seeds {}..{}\n",
        sc.meta.title,
        sc.meta.id,
        o.seed,
        o.seed.wrapping_add(played.max(1) - 1)
    );
    if batch.interrupted {
        text.push_str(&format!(
            "interrupted after {} of {} games: this summary covers only the games played\n",
            thousands(played),
            thousands(n)
        ));
    }
    text.push_str(&summary.to_table());
    let metrics = analysis::metrics::metric_curves(loaded, &batch.outcomes);
    text.push_str(&metrics.to_table());
    let scores = analysis::stakes::score_distributions(loaded, &batch.outcomes);
    text.push_str(&analysis::stakes::scores_table(&scores));
    out(&text);
    errln(&format!(
        "{:.0} games/s ({played} games in {secs:.2} s)",
        played as f64 / secs.max(1e-9)
    ));
    if let Some(path) = o.csv {
        let csv =
            summary.to_csv() + &metrics.to_csv_rows() + &analysis::stakes::scores_csv_rows(&scores);
        write_atomically(path, csv.as_bytes()).map_err(|e| e.to_string())?;
    }
    if let Some(dir) = o.save {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
        let mut saved = 0u64;
        for outcome in &batch.outcomes {
            // Ctrl-C while saving (after a complete batch) stops after the save being written.
            if stop.load(Ordering::Relaxed) && !batch.interrupted {
                break;
            }
            let (mut game, record) = logged_game(o, loaded, controllers, outcome.seed);
            game.play_out();
            let path = dir.join(format!("seed-{}.ron", outcome.seed));
            save_game(&game, record, &path)?;
            saved += 1;
        }
        out(&format!(
            "saved {} of {} games in {}\n",
            thousands(saved),
            thousands(played),
            dir.display()
        ));
        if saved < played {
            return Ok(INTERRUPTED_EXIT);
        }
    }
    Ok(if batch.interrupted {
        INTERRUPTED_EXIT
    } else {
        0
    })
}

/// Redraws a one-line progress bar on standard error (a terminal) at most 10 times a second
/// until `finished`, once the run looks like it will take more than about 2 s; then clears it.
fn progress_bar(n: u64, done: &AtomicU64, finished: &AtomicBool, start: Instant) {
    const WIDTH: u64 = 24;
    let mut shown = false;
    while !finished.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        let d = done.load(Ordering::Relaxed).min(n);
        let secs = start.elapsed().as_secs_f64();
        if d == 0 || secs < 0.3 {
            continue;
        }
        let rate = d as f64 / secs;
        let eta = (n - d) as f64 / rate;
        if !shown && secs + eta < 2.0 {
            continue;
        }
        shown = true;
        let filled = (d * WIDTH / n.max(1)) as usize;
        crate::output::err(&format!(
            "\r[{}{}] {}/{} games, {:.0} games/s, ETA {}\x1b[K",
            "#".repeat(filled),
            " ".repeat(WIDTH as usize - filled),
            thousands(d),
            thousands(n),
            rate,
            eta_text(eta)
        ));
    }
    if shown {
        crate::output::err("\r\x1b[K");
    }
}

fn eta_text(secs: f64) -> String {
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// Peak resident memory of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench(dir: &Path, runs: u64) -> Result<i32, String> {
    use std::time::Instant;
    let loaded = load_or_report(dir)?;
    let controllers = bot_controllers(&loaded, &[], None)?;
    let mut text = String::new();
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(crate::sim::turn_schedule());
    }
    let build = t.elapsed().as_secs_f64() / f64::from(n);
    text.push_str(&format!(
        "turn schedule build:       {:.1} us\n",
        build * 1e6
    ));
    let t = Instant::now();
    let mut game = Game::new(&loaded, 1, &controllers);
    let fresh = t.elapsed().as_secs_f64();
    text.push_str(&format!(
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
    text.push_str(&format!(
        "one core, reused world:    {:.0} games/s, {:.1} us per game, {:.1} us per turn ({single} games)\n",
        single as f64 / secs,
        secs / single as f64 * 1e6,
        secs / turns.max(1) as f64 * 1e6
    ));
    let t = Instant::now();
    let never = AtomicBool::new(false);
    let outcomes = crate::analysis::run_games(&loaded, 1, runs, &controllers, &|_| {}, &never)
        .map_err(|e| e.to_string())?
        .outcomes;
    let secs = t.elapsed().as_secs_f64();
    text.push_str(&format!(
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
    text.push_str(&format!(
        "one game with log + hashes: {:.2} ms ({} log entries)\n",
        secs * 1e3,
        logged.log().entries.len()
    ));
    if let Some(kib) = peak_rss_kib() {
        text.push_str(&format!(
            "peak memory:               {:.1} MiB\n",
            kib as f64 / 1024.0
        ));
    }
    out(&text);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        move |k: &str| {
            vars.iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn no_display_says_how_to_run_it() {
        let msg = graphics_problem_in(&env_of(&[]), &[]).unwrap();
        assert!(msg.starts_with("error: no display"), "{msg}");
        assert!(msg.contains("xvfb-run -a grayzone"), "{msg}");
        let msg = graphics_problem_in(&env_of(&[("DISPLAY", "")]), &[]).unwrap();
        assert!(msg.contains("no display"), "{msg}");
    }

    #[test]
    fn no_vulkan_driver_names_the_package() {
        let dir = std::env::temp_dir().join(format!("grayzone-icd-{}", std::process::id()));
        let icd = dir.join("vulkan/icd.d");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&icd).unwrap();
        let base = dir.to_str().unwrap();
        let none = [
            ("WAYLAND_DISPLAY", "wayland-0"),
            ("XDG_DATA_DIRS", base),
            ("XDG_CONFIG_DIRS", base),
            ("HOME", base),
        ];
        let msg = graphics_problem_in(&env_of(&none), &[]).unwrap();
        assert!(msg.contains("no Vulkan driver"), "{msg}");
        assert!(msg.contains("mesa-vulkan-drivers"), "{msg}");
        // A driver in a searched folder, or named by the loader's variables, is enough.
        let json = icd.join("lvp_icd.x86_64.json");
        std::fs::write(&json, "{}").unwrap();
        assert_eq!(graphics_problem_in(&env_of(&none), &[]), None);
        std::fs::remove_file(&json).unwrap();
        assert!(graphics_problem_in(&env_of(&none), &[]).is_some());
        let listed = dir.join("driver.json");
        std::fs::write(&listed, "{}").unwrap();
        let listed = listed.to_str().unwrap();
        for var in ["VK_ICD_FILENAMES", "VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES"] {
            let mut vars = none.to_vec();
            vars.push((var, listed));
            assert_eq!(graphics_problem_in(&env_of(&vars), &[]), None, "{var}");
        }
        let mut vars = none.to_vec();
        vars.push(("VK_ICD_FILENAMES", "/no/such/driver.json"));
        assert!(graphics_problem_in(&env_of(&vars), std::slice::from_ref(&icd)).is_some());
        // The standard folders count.
        std::fs::write(icd.join("a.json"), "{}").unwrap();
        let no_xdg = [("DISPLAY", ":0"), ("HOME", "/nonexistent")];
        assert_eq!(
            graphics_problem_in(&env_of(&no_xdg), std::slice::from_ref(&icd)),
            None
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
