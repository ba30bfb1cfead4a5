//! The command line: play (default), validate, simulate, bench, replay, report, branch, docs.
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
// Parsed once per process: the size of the largest variant (`simulate`'s many flags) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the game window.
    Play {
        /// Scenario folder to preselect.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Let teams give their orders from their own phones or laptops: serve the team page on
        /// this address (e.g. 0.0.0.0:8080 for the room's network, 127.0.0.1:8080 for this
        /// machine only). The projector shows each team's QR code and join code.
        #[arg(long, value_name = "ADDR:PORT")]
        serve: Option<std::net::SocketAddr>,
        /// Open the facilitator's console in a second window (for the laptop's own screen while
        /// the first is on the projector): the hidden truth, the coming turn's dice and their
        /// overrides, injects, pause, save and undo.
        #[arg(long)]
        console: bool,
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
        /// With --runs: how to print the summary (human tables, tidy CSV or JSON).
        #[arg(long, value_enum, default_value = "human")]
        format: analysis::OutputFormat,
        /// With --runs: also write the summary as CSV to this file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// With --runs: also write the summary as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// With --runs: play only shard I of N (0-based: I is 0 to N-1, as SLURM_ARRAY_TASK_ID
        /// or JOB_COMPLETION_INDEX) and write a partial result to --partial for `grayzone merge`.
        #[arg(long, value_name = "I/N", requires = "partial")]
        shard: Option<String>,
        /// With --shard: the file to write this shard's partial result to (JSON).
        #[arg(long, value_name = "FILE", requires = "shard")]
        partial: Option<PathBuf>,
        /// With --runs: a sweep over a number of the scenario, e.g.
        /// `actions.ddos_rutube.chance=20..80:20` (repeatable: every combination is played with
        /// the same seeds, one table per value; paths in docs/analysis.md).
        #[arg(long, value_name = "PATH=FROM..TO:STEP")]
        vary: Vec<String>,
        /// With --runs: list the injects never fired, actions never taken, red lines never
        /// crossed and endings never reached.
        #[arg(long)]
        coverage: bool,
        /// With --runs: the balance gate: exit 1 when an ending is never reached (unless the
        /// scenario declares it `rare`) or takes more than its `max_share`.
        #[arg(long)]
        check: bool,
        /// With --runs: write one row per game to this file (.csv, .json or .jsonl), in seed
        /// order, as games finish.
        #[arg(long, value_name = "FILE")]
        per_game: Option<PathBuf>,
        /// With --runs: write one row per game and turn to this file (.csv, .json or .jsonl).
        #[arg(long, value_name = "FILE")]
        per_turn: Option<PathBuf>,
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
        /// Every actor plays its controller's doctrine: no temperament (a leadership the scenario
        /// draws per game, e.g. hardliners in a quarter of the games) takes over any bot.
        /// Games played so cannot be saved, since a replay draws them.
        #[arg(long)]
        no_temperaments: bool,
        /// Cluster jobs for the run (Slurm array job, Kubernetes indexed Job) instead of playing it.
        #[command(flatten)]
        cluster: analysis::cluster::ClusterArgs,
    },
    /// Add up the partial results of a sharded `simulate --runs N --shard I/N` run and print
    /// exactly what the unsharded run prints.
    Merge {
        /// The partial results, one per shard, in any order.
        #[arg(required = true)]
        partials: Vec<PathBuf>,
        /// How to print the result.
        #[arg(long, value_enum, default_value = "human")]
        format: analysis::OutputFormat,
        /// Write the result to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also list what no game reached (as `simulate --coverage`).
        #[arg(long)]
        coverage: bool,
        /// The balance gate (as `simulate --check`): exit 1 when an ending is never reached or
        /// takes more than its `max_share`.
        #[arg(long)]
        check: bool,
    },
    /// Measure the engine: schedule build cost, games per second (one core and all cores), memory.
    Bench {
        /// Scenario folder.
        #[arg(default_value = "scenarios/forward_defense_2022")]
        scenario: PathBuf,
        /// Games to play for the multi-core figure.
        #[arg(long, default_value_t = 10_000)]
        runs: u64,
        /// One doctrine for every state and alliance, as in `simulate` (the analysis setting:
        /// e.g. `measured`); the scenario's own bots, planners included, if not given.
        #[arg(long)]
        doctrine: Option<String>,
        /// Doctrines per actor, as in `simulate`, e.g. `russia=hawk`.
        #[arg(long, value_delimiter = ',')]
        bots: Vec<String>,
        /// Planners think less, as in `simulate --quick-planner`.
        #[arg(long)]
        quick_planner: bool,
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
        /// Replay with the scenario versions recorded in the save (every turn under the files
        /// it ran under, edits made during play included), not the folder on disk.
        #[arg(long, conflicts_with_all = ["scenario", "force"])]
        recorded_versions: bool,
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
        /// Replay with the scenario versions recorded in the save, not the folder on disk.
        #[arg(long, conflicts_with_all = ["scenario", "force"])]
        recorded_versions: bool,
    },
    /// What if: replay a saved game to a turn, change one thing there, play on, and compare
    /// (both ladders, both endings, the first turn where they differ).
    Branch {
        /// The save file.
        save: PathBuf,
        /// The turn the change applies at (1 = the first turn).
        #[arg(long)]
        turn: u32,
        /// The actor gives this one order at that turn: `actor=action[:target]`.
        #[arg(long)]
        order: Option<String>,
        /// From that turn on, a bot of this doctrine plays the actor: `actor=doctrine`.
        #[arg(long)]
        doctrine: Option<String>,
        /// At that turn, the actor's action succeeds or fails whatever the die says:
        /// `actor:action=success` or `actor:action=failure`.
        #[arg(long)]
        die: Option<String>,
        /// At that turn, the inject's N-th option (from 1) is chosen: `inject=N`.
        #[arg(long)]
        inject_choice: Option<String>,
        /// Also play this many games from the branch point, with and without the change
        /// (every actor a bot from there), and compare the ending shares.
        #[arg(long)]
        runs: Option<u64>,
        /// First seed of the --runs games (run k uses seed+k in both arms).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Scenario folder (the one recorded in the save otherwise).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Folder to write branch.md and branch.html into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Branch even if the scenario changed since the save or the replay diverges.
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
        None => play(None, None, false),
        Some(Command::Play {
            scenario,
            serve,
            console,
        }) => play(scenario, serve, console),
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
            format,
            csv,
            json,
            shard,
            partial,
            vary,
            coverage,
            check,
            per_game,
            per_turn,
            save,
            cluster,
            matrix,
            quick_planner,
            no_temperaments,
        }) => report_errors(simulate(&Simulate {
            dir: &scenario,
            seed,
            turns,
            bots: &bots,
            doctrine: doctrine.as_deref(),
            runs,
            format,
            csv: csv.as_deref(),
            json: json.as_deref(),
            shard: shard.as_deref(),
            partial: partial.as_deref(),
            vary: &vary,
            coverage,
            check,
            per_game: per_game.as_deref(),
            per_turn: per_turn.as_deref(),
            save: save.as_deref(),
            cluster: &cluster,
            matrix: &matrix,
            quick_planner,
            no_temperaments,
        })),
        Some(Command::Merge {
            partials,
            format,
            out,
            coverage,
            check,
        }) => report_errors(merge(&partials, format, out.as_deref(), coverage, check)),
        Some(Command::Bench {
            scenario,
            runs,
            doctrine,
            bots,
            quick_planner,
        }) => report_errors(bench(
            &scenario,
            runs,
            &bots,
            doctrine.as_deref(),
            quick_planner,
        )),
        Some(Command::Replay {
            save,
            scenario,
            turns,
            force,
            recorded_versions,
        }) => report_errors(replay(
            &save,
            Source {
                scenario: scenario.as_deref(),
                force,
                recorded_versions,
            },
            turns,
        )),
        Some(Command::Report {
            save,
            scenario,
            out,
            force,
            recorded_versions,
        }) => report_errors(report(
            &save,
            Source {
                scenario: scenario.as_deref(),
                force,
                recorded_versions,
            },
            &out,
        )),
        Some(Command::Branch {
            save,
            turn,
            order,
            doctrine,
            die,
            inject_choice,
            runs,
            seed,
            scenario,
            out,
            force,
        }) => report_errors(branch(&BranchArgs {
            save: &save,
            turn,
            order: order.as_deref(),
            doctrine: doctrine.as_deref(),
            die: die.as_deref(),
            inject_choice: inject_choice.as_deref(),
            runs,
            seed,
            scenario: scenario.as_deref(),
            out: &out,
            force,
        })),
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

/// Which scenario a save replays against (`replay` and `report` flags).
#[derive(Debug, Clone, Copy)]
struct Source<'a> {
    /// `--scenario`.
    scenario: Option<&'a Path>,
    /// `--force`.
    force: bool,
    /// `--recorded-versions`.
    recorded_versions: bool,
}

/// Loads the save, finds its scenario (`--scenario` first, then where the save says; or the
/// versions recorded in it) and replays it through [`SessionRecord::verify_and_replay`].
fn replay_save(
    save: &Path,
    source: Source,
    turns: Option<usize>,
) -> Result<(LoadedScenario, Game), String> {
    replay_save_with_record(save, source, turns).map(|(l, g, _)| (l, g))
}

/// [`replay_save`], also returning the record.
fn replay_save_with_record(
    save: &Path,
    source: Source,
    turns: Option<usize>,
) -> Result<(LoadedScenario, Game, SessionRecord), String> {
    let record = SessionRecord::load(save).map_err(|e| e.to_string())?;
    if let Some(note) = record.migration_note() {
        errln(&note);
    }
    let loaded = if source.recorded_versions {
        record.load_recorded().map_err(|e| {
            format!(
                "error: {e}\n  --> {}\n  = help: replay it without --recorded-versions",
                save.display()
            )
        })?
    } else {
        let dir = match source.scenario {
            Some(d) => d.to_path_buf(),
            None => record.locate_scenario(save)?,
        };
        load_or_report(&dir)?
    };
    let verified = record
        .verify_and_replay(&loaded, turns, source.force)
        .map_err(|d| d.to_string())?;
    if let Some(d) = &verified.ignored {
        errln(&format!(
            "warning: {}\n  = note: replayed anyway (--force)",
            d.message()
        ));
    }
    Ok((loaded, verified.game, record))
}

fn replay(save: &Path, source: Source, turns: Option<usize>) -> Result<i32, String> {
    let (loaded, game) = replay_save(save, source, turns)?;
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

fn report(save: &Path, source: Source, dir: &Path) -> Result<i32, String> {
    let (loaded, _, record) = replay_save_with_record(save, source, None)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
    let view = crate::view::debrief::debrief_of_record(&loaded, &record);
    let md = crate::report::markdown(&view);
    let html = crate::report::html(&view);
    for (name, text) in [("report.md", md), ("report.html", html)] {
        let path = dir.join(name);
        write_atomically(&path, text.as_bytes()).map_err(|e| e.to_string())?;
        out(&format!("wrote {}\n", path.display()));
    }
    Ok(0)
}

/// The options of `grayzone branch`.
struct BranchArgs<'a> {
    save: &'a Path,
    turn: u32,
    order: Option<&'a str>,
    doctrine: Option<&'a str>,
    die: Option<&'a str>,
    inject_choice: Option<&'a str>,
    runs: Option<u64>,
    seed: u64,
    scenario: Option<&'a Path>,
    out: &'a Path,
    force: bool,
}

fn branch(a: &BranchArgs) -> Result<i32, String> {
    use crate::report::branch::{self, Change, Comparison};
    let given = [a.order, a.doctrine, a.die, a.inject_choice]
        .iter()
        .filter(|c| c.is_some())
        .count();
    if given > 1 {
        return Err(
            "error: a branch makes one change: give one of --order, --doctrine, --die, --inject-choice\n  = help: run one branch per change to compare them"
                .into(),
        );
    }
    if a.runs == Some(0) {
        return Err("error: --runs must be at least 1".into());
    }
    let (loaded, _, record) = replay_save_with_record(
        a.save,
        Source {
            scenario: a.scenario,
            force: a.force,
            recorded_versions: false,
        },
        None,
    )?;
    let s = &loaded.scenario;
    let change = if let Some(spec) = a.order {
        branch::parse_order(s, spec)?
    } else if let Some(spec) = a.doctrine {
        branch::parse_doctrine(s, spec)?
    } else if let Some(spec) = a.die {
        branch::parse_die(s, spec)?
    } else if let Some(spec) = a.inject_choice {
        branch::parse_inject_choice(s, spec)?
    } else {
        Change::Nothing
    };
    let played = branch::play_branch(&loaded, &record, a.turn, change)?;
    let mc = a
        .runs
        .map(|n| branch::monte_carlo(&loaded, &record, a.turn, &played.change, n, a.seed));
    let comparison = Comparison::new(&loaded, &played, mc);
    out(&comparison.summary());
    std::fs::create_dir_all(a.out)
        .map_err(|e| format!("error: cannot create {}: {e}", a.out.display()))?;
    for (name, text) in [
        ("branch.md", comparison.markdown()),
        ("branch.html", comparison.html()),
    ] {
        let path = a.out.join(name);
        write_atomically(&path, text.as_bytes()).map_err(|e| e.to_string())?;
        out(&format!("wrote {}\n", path.display()));
    }
    Ok(0)
}

fn play(scenario: Option<PathBuf>, serve: Option<std::net::SocketAddr>, console: bool) -> i32 {
    #[cfg(feature = "gui")]
    {
        if let Some(problem) = graphics_problem() {
            errln(&problem);
            return 1;
        }
        crate::gui_entry(scenario, serve, console);
        0
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = (scenario, serve, console);
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
/// Actors that `--bots`/`--doctrine` name and give their own default doctrine while the
/// scenario gives them temperaments: the flag pins them, so no temperament may take over.
fn pinned_by_flags(
    loaded: &LoadedScenario,
    controllers: &[Controller],
    bots: &[String],
    doctrine: Option<&str>,
) -> Vec<String> {
    let named = |id: &str| {
        bots.iter()
            .filter_map(|b| b.split_once('='))
            .any(|(actor, _)| actor == id)
    };
    loaded
        .scenario
        .actors
        .iter()
        .zip(controllers)
        .filter(|(a, c)| {
            !a.temperaments.is_empty()
                && **c == a.controller
                && (named(&a.id)
                    || (doctrine.is_some() && a.kind != crate::scenario::ActorKind::Swarm))
        })
        .map(|(a, _)| a.id.to_string())
        .collect()
}

/// The scenario with the temperaments of these actors taken out.
fn without_temperaments(loaded: &LoadedScenario, actors: &[String]) -> LoadedScenario {
    let mut pinned = loaded.clone();
    let sc = std::sync::Arc::make_mut(&mut pinned.scenario);
    for a in sc.actors.iter_mut().filter(|a| actors.contains(&a.id)) {
        a.temperaments.clear();
    }
    pinned
}

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
            // Unplayed actors: swarms play as swarms; states with objectives plan against
            // them; a state without objectives has nothing to plan for and plays measured.
            _ => Controller::Bot(if a.kind == crate::scenario::ActorKind::Swarm {
                Doctrine::Swarm
            } else if a.goals.is_empty() {
                Doctrine::Measured
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
    format: analysis::OutputFormat,
    csv: Option<&'a Path>,
    json: Option<&'a Path>,
    shard: Option<&'a str>,
    partial: Option<&'a Path>,
    vary: &'a [String],
    coverage: bool,
    check: bool,
    per_game: Option<&'a Path>,
    per_turn: Option<&'a Path>,
    save: Option<&'a Path>,
    cluster: &'a analysis::cluster::ClusterArgs,
    matrix: &'a [String],
    quick_planner: bool,
    no_temperaments: bool,
}

fn simulate(o: &Simulate) -> Result<i32, String> {
    o.cluster.check_unused()?;
    if o.runs.is_none() {
        let needs_runs = [
            ("--csv", o.csv.is_some()),
            ("--json", o.json.is_some()),
            ("--shard", o.shard.is_some()),
            ("--format", o.format != analysis::OutputFormat::Human),
            ("--vary", !o.vary.is_empty()),
            ("--coverage", o.coverage),
            ("--check", o.check),
            ("--per-game", o.per_game.is_some()),
            ("--per-turn", o.per_turn.is_some()),
        ];
        if let Some((flag, _)) = needs_runs.iter().find(|(_, given)| *given) {
            return Err(format!(
                "error: {flag} is about the summary of many games, so it needs --runs\n  = help: e.g. `grayzone simulate <scenario> --runs 1000 {flag} …`"
            ));
        }
    }
    let shard = o.shard.map(analysis::shard::ShardSpec::parse).transpose()?;
    if shard.is_some() {
        let summary_flags = [
            ("--csv", o.csv.is_some()),
            ("--json", o.json.is_some()),
            ("--format", o.format != analysis::OutputFormat::Human),
            ("--save", o.save.is_some()),
            ("--coverage", o.coverage),
            ("--check", o.check),
        ];
        if let Some((flag, _)) = summary_flags.iter().find(|(_, given)| *given) {
            return Err(format!(
                "error: {flag} cannot be used with --shard: a shard writes only its partial result\n  = help: give {flag} to `grayzone merge` once every shard is done"
            ));
        }
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
    if o.no_temperaments && o.save.is_some() {
        return Err(
            "error: --no-temperaments games cannot be saved: a replay draws the scenario's temperaments and would play a different game\n  = help: drop --save, or drop --no-temperaments"
                .into(),
        );
    }
    crate::sim::temperament::set_drawn_for_new_games(!o.no_temperaments);
    if let (Some(_), Some(dir)) = (o.runs, o.save)
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(format!(
            "error: with --runs, --save names a folder to save every game into, but {} is not a folder\n  = help: give a new or existing folder, e.g. --save games/",
            dir.display()
        ));
    }
    if !o.vary.is_empty() && o.save.is_some() {
        return Err(
            "error: --save cannot be used with --vary: the saved games would not say which value they were played with\n  = help: save games of one value by running without --vary on a scenario edited to that value"
                .into(),
        );
    }
    let varies = o
        .vary
        .iter()
        .map(|v| analysis::sweep::Vary::parse(v))
        .collect::<Result<Vec<_>, _>>()?;
    analysis::tables::Tables::check_names(o.per_game, o.per_turn)?;
    let mut loaded = load_or_report(o.dir)?;
    if let Some(t) = o.turns {
        if t == 0 {
            return Err("error: --turns must be at least 1".into());
        }
        loaded = crate::sim::record::with_turn_limit(&loaded, t);
    }
    let controllers = bot_controllers(&loaded, o.bots, o.doctrine)?;
    let pinned = pinned_by_flags(&loaded, &controllers, o.bots, o.doctrine);
    if !pinned.is_empty() {
        if o.save.is_some() {
            return Err(format!(
                "error: --bots/--doctrine give {} its own doctrine, which pins it (no temperament is drawn), but a saved game would draw them again on replay\n  = help: drop --save, or leave {} to its own bot",
                pinned.join(", "),
                pinned.join(", ")
            ));
        }
        loaded = without_temperaments(&loaded, &pinned);
    }
    if o.cluster.emits() {
        return emit_cluster_jobs(o, &loaded);
    }
    if !o.matrix.is_empty() {
        return simulate_matrix(o, &loaded, &controllers);
    }
    match o.runs {
        None => simulate_one(o, &loaded, &controllers),
        Some(n) => {
            let points = sweep_points(o, &loaded, &varies)?;
            simulate_many(o, &loaded, &controllers, n, shard, &points)
        }
    }
}

/// `simulate --emit-slurm/--emit-k8s`: checks the run (the scenario and doctrines were loaded
/// and checked by the caller) and writes the job files; plays nothing.
fn emit_cluster_jobs(o: &Simulate, loaded: &LoadedScenario) -> Result<i32, String> {
    use analysis::cluster;
    let c = o.cluster;
    let shards = cluster::check_shards(c.shards, o.runs)?;
    if o.shard.is_some() || o.partial.is_some() {
        return Err(
            "error: --shard and --partial cannot be used with --emit-slurm/--emit-k8s: the job files give every task its own\n  = help: leave them out; --shards N sets how many tasks the games are split into"
                .into(),
        );
    }
    let unsupported = [
        ("--coverage", o.coverage),
        ("--check", o.check),
        ("--per-game", o.per_game.is_some()),
        ("--per-turn", o.per_turn.is_some()),
        ("--matrix", !o.matrix.is_empty()),
    ];
    if let Some((flag, _)) = unsupported.iter().find(|(_, given)| *given) {
        return Err(format!(
            "error: {flag} cannot be used with --emit-slurm/--emit-k8s: the merge of a cluster run writes the summary only\n  = help: run {flag} on one machine with fewer games, or leave it out"
        ));
    }
    if o.save.is_some() {
        return Err(
            "error: --save cannot be used with --emit-slurm/--emit-k8s: cluster tasks write partial results, not games\n  = help: replay any game of the run afterwards with `grayzone simulate <scenario> --seed N --save game.ron`"
                .into(),
        );
    }
    let scenario_id = loaded.scenario.meta.id.clone();
    let job_name = match &c.job_name {
        Some(name) => {
            cluster::check_job_name(name)?;
            name.clone()
        }
        None => cluster::default_job_name(&scenario_id),
    };
    let cpus_per_task = c.cpus_per_task.unwrap_or(1);
    if cpus_per_task == 0 {
        return Err("error: --cpus-per-task must be at least 1".into());
    }
    let program = std::env::current_exe()
        .map_err(|e| format!("error: cannot find the path of this grayzone program: {e}"))?;
    let run = cluster::ShardedRun {
        program: cluster::absolute_text(&program, "the grayzone program")?,
        scenario_id,
        scenario: cluster::absolute_text(o.dir, "the scenario folder")?,
        options: shard_options(o),
        runs: o.runs.unwrap_or_default(),
        shards,
        outputs: Vec::new(),
        cpus_per_task,
        job_name,
    };
    let csv = o
        .csv
        .map(|p| cluster::absolute_text(p, "the --csv file"))
        .transpose()?;
    let json = o
        .json
        .map(|p| cluster::absolute_text(p, "the --json file"))
        .transpose()?;
    let format = match o.format {
        analysis::OutputFormat::Human => "human",
        analysis::OutputFormat::Csv => "csv",
        analysis::OutputFormat::Json => "json",
    };
    let mut written = String::new();
    if let Some(dir) = &c.emit_slurm {
        let abs = cluster::absolute_text(dir, "the --emit-slurm folder")?;
        let run = cluster::ShardedRun {
            outputs: cluster::merge_outputs(&abs, format, csv.clone(), json.clone()),
            ..run.clone()
        };
        let files =
            cluster::slurm_files(&run, &abs, c.partition.as_deref(), c.time_limit.as_deref())?;
        cluster::write_files(dir, &files)?;
        written.push_str(&format!(
            "wrote a Slurm array job of {shards} shards into {abs}: submit it with `{}`\n",
            cluster::shell_quote(&format!("{abs}/submit.sh"))
        ));
    }
    if let Some(dir) = &c.emit_k8s {
        let Some(image) = &c.image else {
            return Err("error: --emit-k8s needs --image: the container image the pods run, with grayzone on its PATH\n  = help: e.g. --image registry.example.org/grayzone:0.1 (docs/analysis.md shows how to build one)".into());
        };
        let abs = cluster::absolute_text(dir, "the --emit-k8s folder")?;
        let run = cluster::ShardedRun {
            outputs: cluster::merge_outputs(&abs, format, csv.clone(), json.clone()),
            ..run.clone()
        };
        let mut scenario_files = Vec::new();
        for name in crate::scenario::load::SCENARIO_FILES {
            let path = o.dir.join(name);
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
                scenario_files.push((name.to_string(), text));
            }
        }
        let files = cluster::k8s_files(&run, &abs, image, &scenario_files)?;
        cluster::write_files(dir, &files)?;
        written.push_str(&format!(
            "wrote a Kubernetes indexed Job of {shards} shards into {abs}: run it with `{}`\n",
            cluster::shell_quote(&format!("{abs}/submit.sh"))
        ));
    }
    out(&written);
    Ok(0)
}

/// The `simulate` options every shard of a cluster run repeats (all but the scenario, which
/// the job files place, and what the merge writes: --format, --csv, --json). Each flag of `simulate` is either here or
/// refused with `--emit-slurm`; a test keeps the list complete.
fn shard_options(o: &Simulate) -> Vec<String> {
    let mut args = vec![
        "--runs".to_string(),
        o.runs.unwrap_or_default().to_string(),
        "--seed".to_string(),
        o.seed.to_string(),
    ];
    if let Some(t) = o.turns {
        args.extend(["--turns".to_string(), t.to_string()]);
    }
    let bots: Vec<&str> = o
        .bots
        .iter()
        .map(String::as_str)
        .filter(|b| !b.is_empty())
        .collect();
    if !bots.is_empty() {
        args.extend(["--bots".to_string(), bots.join(",")]);
    }
    if let Some(d) = o.doctrine {
        args.extend(["--doctrine".to_string(), d.to_string()]);
    }
    for v in o.vary {
        args.extend(["--vary".to_string(), v.clone()]);
    }
    if o.quick_planner {
        args.push("--quick-planner".to_string());
    }
    if o.no_temperaments {
        args.push("--no-temperaments".to_string());
    }
    args
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

/// One point of a sweep: the `--vary` values and the scenario with them written in.
type SweepPoint = (Vec<(String, i64)>, LoadedScenario);

/// `actor=doctrine` for every actor, in scenario order (the parameters of a partial result).
fn controller_names(loaded: &LoadedScenario, controllers: &[Controller]) -> Vec<String> {
    loaded
        .scenario
        .actors
        .iter()
        .zip(controllers)
        .map(|(a, c)| match c {
            Controller::Bot(d) => format!("{}={}", a.id, d.cli_name()),
            other => format!("{}={other:?}", a.id),
        })
        .collect()
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
    shard: Option<analysis::shard::ShardSpec>,
    points: &[SweepPoint],
) -> Result<i32, String> {
    let games = shard.map_or(0..n, |s| s.games(n));
    let vary_paths: Vec<String> = points
        .first()
        .map(|(values, _)| values.iter().map(|(p, _)| p.clone()).collect())
        .unwrap_or_default();
    let mut tables =
        analysis::tables::Tables::create(&loaded.scenario, &vary_paths, o.per_game, o.per_turn)?;
    let stop = catch_ctrl_c();
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let start = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let per_point = games.end - games.start;
    let total = per_point * points.len() as u64;
    let played_points = std::thread::scope(|s| {
        if terminal {
            s.spawn(|| progress_bar(total, &done, &finished, start));
        }
        let mut played = Vec::new();
        for (k, (values, point)) in points.iter().enumerate() {
            let base = per_point * k as u64;
            let progress = |d: u64| {
                done.fetch_max(base + d, Ordering::Relaxed);
            };
            let want_rows = tables.any();
            let mut write_rows =
                |seed: u64, g: analysis::tables::GameRecord| tables.game(values, seed, &g);
            let result = analysis::run_stream(
                &analysis::Stream {
                    loaded: point,
                    controllers,
                    seed: o.seed,
                    games: games.clone(),
                    progress: &progress,
                    stop,
                },
                &|| analysis::Summary::new(&point.scenario),
                &|acc: &mut analysis::Summary, _, st| {
                    acc.record(&point.scenario, st);
                    want_rows.then(|| analysis::tables::GameRecord::of(st))
                },
                if want_rows {
                    Some(&mut write_rows)
                } else {
                    None
                },
            );
            let streamed = match result {
                Ok(s) => s,
                Err(e) => {
                    finished.store(true, Ordering::Relaxed);
                    return Err(e.to_string());
                }
            };
            let mut summary = analysis::Summary::new(&point.scenario);
            for f in &streamed.folds {
                summary.merge(f)?;
            }
            played.push(analysis::Point {
                values: values.clone(),
                summary,
            });
            if streamed.interrupted {
                break;
            }
        }
        finished.store(true, Ordering::Relaxed);
        Ok(played)
    })?;
    let secs = start.elapsed().as_secs_f64();
    // The tables hold exactly the games the summary covers (also when interrupted).
    tables.finish()?;
    let analysis = analysis::Analysis {
        labels: analysis::Labels::of(&loaded.scenario),
        seed: o.seed,
        requested: per_point,
        points: played_points,
    };
    let played: u64 = analysis.points.iter().map(|p| p.summary.games).sum();
    let interrupted = played < total;
    errln(&format!(
        "{:.0} games/s ({played} games in {secs:.2} s)",
        played as f64 / secs.max(1e-9)
    ));
    if let (Some(spec), Some(path)) = (shard, o.partial) {
        if interrupted {
            errln(&format!(
                "interrupted after {} of {} games: no partial result written (a shard is merged only when complete)",
                thousands(played),
                thousands(total)
            ));
            return Ok(INTERRUPTED_EXIT);
        }
        let partial = analysis::shard::Partial {
            format: analysis::shard::PARTIAL_FORMAT.into(),
            version: analysis::shard::PARTIAL_VERSION,
            engine: env!("CARGO_PKG_VERSION").into(),
            scenario: analysis::shard::ScenarioStamp::of(loaded),
            parameters: analysis::shard::RunParameters {
                runs: n,
                seed: o.seed,
                turns: o.turns,
                controllers: controller_names(loaded, controllers),
                vary: o.vary.to_vec(),
            },
            shard: spec,
            first_game: games.start,
            end_game: games.end,
            labels: analysis.labels.clone(),
            points: analysis.points,
        };
        write_atomically(path, partial.to_json().as_bytes()).map_err(|e| e.to_string())?;
        out(&format!(
            "shard {}/{}: games {}..{} of {} (seeds {}..{}), wrote {}\n",
            spec.index,
            spec.count,
            games.start,
            games.end,
            n,
            o.seed.wrapping_add(games.start),
            o.seed.wrapping_add(games.end.max(games.start + 1) - 1),
            path.display()
        ));
        return Ok(0);
    }
    let code = print_analysis(&analysis, o.format, None, o.coverage, o.check)?;
    if let Some(path) = o.csv {
        write_atomically(path, analysis.to_csv().as_bytes()).map_err(|e| e.to_string())?;
    }
    if let Some(path) = o.json {
        write_atomically(path, analysis.to_json().as_bytes()).map_err(|e| e.to_string())?;
    }
    if let Some(dir) = o.save {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
        let played = analysis.played();
        let mut saved = 0u64;
        for i in 0..played {
            // Ctrl-C while saving (after a complete batch) stops after the save being written.
            if stop.load(Ordering::Relaxed) && !interrupted {
                break;
            }
            let seed = o.seed.wrapping_add(i);
            let (mut game, record) = logged_game(o, loaded, controllers, seed);
            game.play_out();
            let path = dir.join(format!("seed-{seed}.ron"));
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
    Ok(if interrupted { INTERRUPTED_EXIT } else { code })
}

/// The scenario for every combination of the `--vary` values (one point without values when
/// there is none), each validated before any game is played.
fn sweep_points(
    o: &Simulate,
    loaded: &LoadedScenario,
    varies: &[analysis::sweep::Vary],
) -> Result<Vec<SweepPoint>, String> {
    if varies.is_empty() {
        return Ok(vec![(Vec::new(), loaded.clone())]);
    }
    let files = crate::scenario::load::read_scenario_files(o.dir);
    if files.hashes() != loaded.origin.files {
        return Err(format!(
            "error: the scenario {} changed while it was being read\n  = help: run the sweep again once the files are saved",
            o.dir.display()
        ));
    }
    analysis::sweep::combinations(varies)?
        .into_iter()
        .map(|values| {
            let mut point = analysis::sweep::apply(o.dir, &files, &values)?;
            if let Some(t) = o.turns {
                point = crate::sim::record::with_turn_limit(&point, t);
            }
            Ok((values, point))
        })
        .collect()
}

/// Prints (or writes) an analysis with its coverage and balance check; returns 1 when the
/// check fails, else 0.
fn print_analysis(
    analysis: &analysis::Analysis,
    format: analysis::OutputFormat,
    out_file: Option<&Path>,
    coverage: bool,
    check: bool,
) -> Result<i32, String> {
    let mut text = analysis.render(format);
    if coverage {
        // Beside a table it reads as part of it; beside CSV or JSON it would break the format.
        if format == analysis::OutputFormat::Human {
            text.push_str(&analysis.coverage());
        } else {
            crate::output::err(&analysis.coverage());
        }
    }
    match out_file {
        Some(path) => write_atomically(path, text.as_bytes()).map_err(|e| e.to_string())?,
        None => out(&text),
    }
    if !check {
        return Ok(0);
    }
    let problems = analysis.check();
    if problems.is_empty() {
        errln(&format!(
            "check passed: every ending reached (or declared rare), none above its max_share ({} games{})",
            thousands(analysis.played()),
            if analysis.points.len() > 1 {
                format!(" at each of {} points", analysis.points.len())
            } else {
                String::new()
            }
        ));
        Ok(0)
    } else {
        for p in &problems {
            errln(&format!("error: check failed: {p}"));
        }
        Ok(1)
    }
}

/// `grayzone merge`: reads every partial, checks they are one run, prints or writes the result.
fn merge(
    partials: &[PathBuf],
    format: analysis::OutputFormat,
    out_file: Option<&Path>,
    coverage: bool,
    check: bool,
) -> Result<i32, String> {
    let mut parts = Vec::with_capacity(partials.len());
    for path in partials {
        parts.push((path.clone(), analysis::shard::Partial::read(path)?));
    }
    let merged = analysis::shard::merge(&parts)?;
    print_analysis(&merged, format, out_file, coverage, check)
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
/// What `bench` measured with: each doctrine and how many actors play it, in order of first
/// use, e.g. `measured ×5, swarm ×3, planner ×1 (quick)`.
fn bench_bots_line(controllers: &[Controller], quick: bool) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for c in controllers {
        let name = match c {
            Controller::Bot(d) => d.cli_name(),
            _ => continue,
        };
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, k)) => *k += 1,
            None => counts.push((name, 1)),
        }
    }
    let mut line: Vec<String> = counts.iter().map(|(n, k)| format!("{n} ×{k}")).collect();
    if quick
        && counts
            .iter()
            .any(|(n, _)| *n == Doctrine::Planner.cli_name())
    {
        line.push("planners quick".into());
    }
    line.join(", ")
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `grayzone bench`: the engine's speed with the bots asked for (the scenario's own, or one
/// doctrine for every state: the analysis setting), one core and all cores.
fn bench(
    dir: &Path,
    runs: u64,
    bots: &[String],
    doctrine: Option<&str>,
    quick_planner: bool,
) -> Result<i32, String> {
    use std::time::Instant;
    let loaded = load_or_report(dir)?;
    let controllers = bot_controllers(&loaded, bots, doctrine)?;
    crate::bots::planner::PlannerBudget::set_quick_for_new_games(quick_planner);
    let mut text = String::new();
    text.push_str(&format!(
        "bots:                      {}\n",
        bench_bots_line(&controllers, quick_planner)
    ));
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

    /// How `--emit-slurm`/`--emit-k8s` treat each flag of `simulate`: every task repeats it
    /// ([`shard_options`]), the job files place it, the merge writes it, it is refused, or it
    /// describes the cluster jobs themselves.
    const SIMULATE_FLAGS_IN_CLUSTER_RUNS: &[&str] = &[
        "scenario",        // placed by the job files (absolute, or the Kubernetes mount)
        "seed",            // repeated
        "turns",           // repeated
        "bots",            // repeated
        "doctrine",        // repeated
        "runs",            // repeated
        "csv",             // written by the merge
        "json",            // written by the merge
        "format",          // the merge's result
        "shard",           // refused: each task gets its own
        "partial",         // refused: each task gets its own
        "vary",            // repeated
        "coverage",        // refused
        "check",           // refused
        "per_game",        // refused
        "per_turn",        // refused
        "save",            // refused
        "matrix",          // refused
        "quick_planner",   // repeated
        "no_temperaments", // repeated
        "emit_slurm",      // the cluster jobs
        "emit_k8s",
        "shards",
        "cpus_per_task",
        "job_name",
        "partition",
        "time_limit",
        "image",
        "help",
    ];

    #[test]
    fn every_simulate_flag_is_handled_by_cluster_runs() {
        use clap::CommandFactory as _;
        let cli = Cli::command();
        let simulate = cli.find_subcommand("simulate").unwrap();
        for arg in simulate.get_arguments() {
            let id = arg.get_id().as_str();
            assert!(
                SIMULATE_FLAGS_IN_CLUSTER_RUNS.contains(&id),
                "simulate's `{id}` is new: make --emit-slurm/--emit-k8s repeat it in every shard (shard_options), have the merge write it, or refuse it; then list it here"
            );
        }
    }

    #[test]
    fn shard_options_repeat_the_run() {
        let cluster = analysis::cluster::ClusterArgs::default();
        let vary = ["russia.cyber_capacity=40..80:20".to_string()];
        let bots = [
            "russia=hawk".to_string(),
            String::new(),
            "ukraine=dove".into(),
        ];
        let o = Simulate {
            dir: Path::new("s"),
            seed: 9,
            turns: Some(6),
            bots: &bots,
            doctrine: Some("measured"),
            runs: Some(500),
            format: analysis::OutputFormat::Human,
            csv: None,
            json: None,
            shard: None,
            partial: None,
            vary: &vary,
            coverage: false,
            check: false,
            per_game: None,
            per_turn: None,
            save: None,
            matrix: &[],
            quick_planner: true,
            no_temperaments: true,
            cluster: &cluster,
        };
        let mut args = vec!["grayzone".to_string(), "simulate".into(), "s".into()];
        args.extend(shard_options(&o));
        let Some(Command::Simulate {
            seed,
            turns,
            bots: parsed_bots,
            doctrine,
            runs,
            vary: parsed_vary,
            quick_planner,
            no_temperaments,
            ..
        }) = Cli::try_parse_from(&args).unwrap().command
        else {
            panic!("not a simulate command: {args:?}");
        };
        assert_eq!((seed, turns, runs), (9, Some(6), Some(500)));
        assert_eq!(parsed_bots, ["russia=hawk", "ukraine=dove"]);
        assert_eq!(doctrine.as_deref(), Some("measured"));
        assert_eq!(parsed_vary, vary);
        assert!(quick_planner, "{args:?}");
        assert!(no_temperaments, "{args:?}");
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
