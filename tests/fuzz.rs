//! The fuzz harness: seeded mutations of every shipped scenario (and of the clean golden
//! case) and of a save, each run through the one load path (read → validate → load) and,
//! when accepted, played to the end by bots under a watchdog.
//!
//! Mutations: byte edits, token edits (swap, delete, duplicate), numbers at extremes, ids
//! swapped for other ids of the file, truncation, `'\` at the end, deep nesting, invalid
//! UTF-8, a byte-order mark, and a few of these at once. Every case is reproducible from its
//! seed; a failure names the seed, the mutation and the panic with its place.
//!
//! `cargo test --test fuzz` runs the quick set (over 2,000 cases); the long set (100,000
//! scenario cases and 10,000 save cases) is ignored by default:
//! `cargo test --release --test fuzz -- --ignored`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use grayzone::scenario::load::{Fnv64, SCENARIO_FILES, ScenarioFiles, decode};
use grayzone::scenario::{Controller, Doctrine};
use grayzone::sim::record::SessionRecord;
use grayzone::sim::{FacilitatorCommand, Game, LoadedScenario, Order, SubmitOrders};
use rand::{RngExt as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How long one case may take before it counts as a hang.
const WATCHDOG: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// Panics: caught per case, reported with their message and place, never printed mid-run.

thread_local! {
    static IN_CASE: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_CASE.with(Cell::get) {
                let place = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let message = info.payload_as_str().unwrap_or("(no message)");
                // A panic inside `core` (an overflowing `sum`, say): name our function too.
                let caller = if place.starts_with("src/") {
                    String::new()
                } else {
                    let trace = std::backtrace::Backtrace::force_capture().to_string();
                    trace
                        .lines()
                        .map(str::trim)
                        .find(|l| l.contains("grayzone::") && !l.contains("fuzz::"))
                        .map(|l| {
                            format!(
                                ", in {}",
                                l.trim_start_matches(|c: char| c.is_ascii_digit()
                                    || c == ':'
                                    || c == ' ')
                            )
                        })
                        .unwrap_or_default()
                };
                LAST_PANIC.with(|p| {
                    *p.borrow_mut() = Some(format!("{message} (at {place}{caller})"));
                });
            } else {
                default(info);
            }
        }));
    });
}

/// Runs `f` on its own thread under the watchdog; `Err` describes a panic or a hang.
fn guarded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    install_panic_hook();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            IN_CASE.with(|c| c.set(true));
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let out = out.map_err(|_| {
                LAST_PANIC
                    .with(|p| p.borrow_mut().take())
                    .unwrap_or_else(|| "panic".into())
            });
            let _ = tx.send(out);
        })
        .expect("a thread for the case");
    match rx.recv_timeout(WATCHDOG) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(message)) => Err(Failure::Panic(message)),
        Err(_) => Err(Failure::Hang),
    }
}

#[derive(Debug)]
enum Failure {
    Panic(String),
    Hang,
    /// Accepted by the validator, but no ending within the scenario's turns + 1 steps.
    NoEnding(u32),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Panic(message) => write!(f, "PANIC: {message}"),
            Failure::Hang => write!(f, "HANG: no answer within {} s", WATCHDOG.as_secs()),
            Failure::NoEnding(steps) => write!(f, "NO ENDING after {steps} turns"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens of a RON text, for token edits, number and id mutations and nesting.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    Str,
    Word,
    Punct,
}

fn tokens(text: &[u8]) -> Vec<(usize, usize, Tok)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if text.get(i + 1) == Some(&b'/') => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(text.len());
                out.push((start, i, Tok::Str));
            }
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b':' | b',' => {
                i += 1;
                out.push((start, i, Tok::Punct));
            }
            _ => {
                while i < text.len()
                    && (text[i].is_ascii_alphanumeric()
                        || matches!(text[i], b'_' | b'-' | b'.' | b'+')
                        || text[i] >= 0x80)
                {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push((start, i, Tok::Word));
            }
        }
    }
    out
}

const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "2147483647",
    "-2147483648",
    "2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "999999999999999999999999999999999999999999999999",
    "1e308",
];

const NESTING: &[usize] = &[8, 20, 31, 32, 33, 40, 200, 100_000];

fn splice(text: &[u8], start: usize, end: usize, with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + with.len());
    out.extend_from_slice(&text[..start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&text[end..]);
    out
}

fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.into_owned()
    }
}

/// One mutation of `text`; returns the new text and what was done.
fn mutate(text: &[u8], rng: &mut ChaCha8Rng) -> (Vec<u8>, String) {
    let toks = tokens(text);
    let pick = |rng: &mut ChaCha8Rng, kind: &dyn Fn(&(usize, usize, Tok)) -> bool| {
        let found: Vec<_> = toks.iter().copied().filter(|t| kind(t)).collect();
        (!found.is_empty()).then(|| found[rng.random_range(0..found.len())])
    };
    let len = text.len();
    match rng.random_range(0..13) {
        0 => {
            let at = rng.random_range(0..len.max(1));
            let b: u8 = if rng.random_bool(0.5) {
                b"()[]{}:,\"'\\-0123456789 aZ_#/*"[rng.random_range(0..29)]
            } else {
                rng.random()
            };
            match rng.random_range(0..3) {
                0 if at < len => (
                    splice(text, at, at + 1, &[b]),
                    format!("byte {at} := {b:#04x}"),
                ),
                1 => (
                    splice(text, at, at, &[b]),
                    format!("insert {b:#04x} at byte {at}"),
                ),
                _ if at < len => (splice(text, at, at + 1, b""), format!("delete byte {at}")),
                _ => (text.to_vec(), "no change".into()),
            }
        }
        1 if toks.len() > 1 => {
            let (a, b) = (
                rng.random_range(0..toks.len()),
                rng.random_range(0..toks.len()),
            );
            let (a, b) = (toks[a.min(b)], toks[a.max(b)]);
            if a == b {
                return (text.to_vec(), "no change".into());
            }
            let mut out = text[..a.0].to_vec();
            out.extend_from_slice(&text[b.0..b.1]);
            out.extend_from_slice(&text[a.1..b.0]);
            out.extend_from_slice(&text[a.0..a.1]);
            out.extend_from_slice(&text[b.1..]);
            let what = format!(
                "swap tokens `{}` (byte {}) and `{}` (byte {})",
                show(&text[a.0..a.1]),
                a.0,
                show(&text[b.0..b.1]),
                b.0
            );
            (out, what)
        }
        2 if !toks.is_empty() => {
            let t = toks[rng.random_range(0..toks.len())];
            let what = format!("delete token `{}` at byte {}", show(&text[t.0..t.1]), t.0);
            (splice(text, t.0, t.1, b""), what)
        }
        3 if !toks.is_empty() => {
            let t = toks[rng.random_range(0..toks.len())];
            let what = format!(
                "duplicate token `{}` at byte {}",
                show(&text[t.0..t.1]),
                t.0
            );
            let mut with = text[t.0..t.1].to_vec();
            with.extend_from_slice(if rng.random_bool(0.5) { b", " } else { b" " });
            (splice(text, t.0, t.0, &with), what)
        }
        4 | 5 => match pick(rng, &|t| {
            t.2 == Tok::Word && (text[t.0].is_ascii_digit() || text[t.0] == b'-')
        }) {
            Some(t) => {
                let n = EXTREMES[rng.random_range(0..EXTREMES.len())];
                let what = format!("number `{}` at byte {} := {n}", show(&text[t.0..t.1]), t.0);
                (splice(text, t.0, t.1, n.as_bytes()), what)
            }
            None => (text.to_vec(), "no number".into()),
        },
        6 | 7 => {
            let ids: Vec<_> = toks
                .iter()
                .filter(|t| t.2 == Tok::Str && t.1 - t.0 <= 40 && !text[t.0..t.1].contains(&b' '))
                .copied()
                .collect();
            if ids.len() < 2 {
                return (text.to_vec(), "no ids".into());
            }
            let a = ids[rng.random_range(0..ids.len())];
            let b = ids[rng.random_range(0..ids.len())];
            let what = format!(
                "id {} at byte {} := {}",
                show(&text[a.0..a.1]),
                a.0,
                show(&text[b.0..b.1])
            );
            (splice(text, a.0, a.1, &text[b.0..b.1]), what)
        }
        8 => {
            let at = rng.random_range(0..=len);
            (text[..at].to_vec(), format!("truncate at byte {at}"))
        }
        9 => {
            let mut out = text.to_vec();
            if rng.random_bool(0.5) {
                out.truncate(rng.random_range(0..=len));
            }
            out.extend_from_slice(b"'\\");
            (out, "append `'\\`".into())
        }
        10 => {
            let depth = NESTING[rng.random_range(0..NESTING.len())];
            // Wrap a named value `Name(...)` in `Not(` … `)`, or open lists at random.
            let named: Vec<_> = toks
                .windows(2)
                .filter(|w| w[0].2 == Tok::Word && &text[w[1].0..w[1].1] == b"(")
                .map(|w| (w[0].0, w[1].0))
                .collect();
            if named.is_empty() || rng.random_bool(0.3) {
                let at = rng.random_range(0..=len);
                let mut with = b"[".repeat(depth);
                with.extend(b"]".repeat(depth.min(64)));
                return (
                    splice(text, at, at, &with),
                    format!("{depth} `[` at byte {at}"),
                );
            }
            let (start, open) = named[rng.random_range(0..named.len())];
            let mut level = 0;
            let mut close = None;
            let mut in_str = false;
            let mut i = open;
            while i < len {
                match text[i] {
                    b'\\' if in_str => i += 1,
                    b'"' => in_str = !in_str,
                    b'(' if !in_str => level += 1,
                    b')' if !in_str => {
                        level -= 1;
                        if level == 0 {
                            close = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            let Some(close) = close else {
                return (text.to_vec(), "no closed value".into());
            };
            let mut out = text[..start].to_vec();
            out.extend(b"Not(".repeat(depth));
            out.extend_from_slice(&text[start..close]);
            out.extend(b")".repeat(depth));
            out.extend_from_slice(&text[close..]);
            (
                out,
                format!("{depth} × `Not(` around the value at byte {start}"),
            )
        }
        11 => {
            let at = rng.random_range(0..=len);
            let bad: &[&[u8]] = &[b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f", b"\x80"];
            let b = bad[rng.random_range(0..bad.len())];
            (
                splice(text, at, at, b),
                format!("invalid UTF-8 {b:02x?} at byte {at}"),
            )
        }
        _ => {
            let mut out = "\u{feff}".as_bytes().to_vec();
            out.extend_from_slice(text);
            (out, "byte-order mark".into())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scenario cases.

struct Base {
    name: String,
    files: BTreeMap<&'static str, Vec<u8>>,
}

fn bases() -> Vec<Base> {
    let mut dirs = grayzone::scenario::scenario_dirs(Path::new("scenarios"));
    dirs.push(PathBuf::from("tests/golden/clean"));
    dirs.iter()
        .map(|dir| Base {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            files: SCENARIO_FILES
                .iter()
                .filter_map(|&name| Some((name, std::fs::read(dir.join(name)).ok()?)))
                .collect(),
        })
        .collect()
}

fn files_of(files: &BTreeMap<&'static str, Vec<u8>>) -> ScenarioFiles {
    let mut out = ScenarioFiles {
        is_dir: true,
        ..Default::default()
    };
    for (&name, bytes) in files {
        let read = decode(bytes.clone());
        out.hashes.push((name, Fnv64::hash(bytes)));
        out.files.insert(name, read);
    }
    out
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    rejected: usize,
    played: usize,
    failures: Vec<String>,
    panics: usize,
    hangs: usize,
    no_ending: usize,
}

impl Tally {
    fn fail(&mut self, seed: u64, what: &str, f: Failure) {
        match &f {
            Failure::Panic(_) => self.panics += 1,
            Failure::Hang => self.hangs += 1,
            Failure::NoEnding(_) => self.no_ending += 1,
        }
        self.failures.push(format!("seed {seed}: {what}: {f}"));
    }

    fn summary(&self, label: &str) -> String {
        format!(
            "{label}: {} cases, {} refused with a message, {} played to an ending; \
             {} panics, {} hangs, {} without an ending",
            self.cases, self.rejected, self.played, self.panics, self.hangs, self.no_ending
        )
    }

    fn assert_clean(&self, label: &str) {
        eprintln!("{}", self.summary(label));
        assert!(
            self.failures.is_empty(),
            "{}\n{}",
            self.summary(label),
            self.failures.join("\n")
        );
    }
}

/// What one accepted scenario did: `Some(steps)` when it ended, `None` when it did not.
fn play(loaded: &LoadedScenario, seed: u64) -> Result<(), Failure> {
    let controllers = grayzone::cli::bot_controllers(loaded, &[], None)
        .unwrap_or_else(|_| loaded.default_controllers());
    let mut game = Game::new(loaded, seed, &controllers);
    let limit = loaded.scenario.meta.turns.saturating_add(1);
    for _ in 0..limit {
        if !game.step() {
            return Ok(());
        }
    }
    if game.state().is_over() {
        Ok(())
    } else {
        Err(Failure::NoEnding(limit))
    }
}

fn scenario_case(bases: &std::sync::Arc<Vec<Base>>, seed: u64, tally: &mut Tally) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Half the cases mutate the small clean case (cheap to validate and play), half a
    // shipped scenario.
    let base = if rng.random_bool(0.5) {
        &bases[bases.len() - 1]
    } else {
        &bases[rng.random_range(0..bases.len() - 1)]
    };
    let mut files = base.files.clone();
    let names: Vec<&'static str> = files.keys().copied().collect();
    let mut done = Vec::new();
    let edits = if rng.random_bool(0.15) {
        rng.random_range(2..=4)
    } else {
        1
    };
    for _ in 0..edits {
        let name = names[rng.random_range(0..names.len())];
        let (text, what) = mutate(&files[name], &mut rng);
        files.insert(name, text);
        done.push(format!("{}/{name}: {what}", base.name));
    }
    let what = done.join("; ");
    tally.cases += 1;
    let outcome = guarded(move || {
        let read = files_of(&files);
        match LoadedScenario::from_files(Path::new("fuzz"), &read) {
            Ok((loaded, _)) => Some(play(&loaded, seed)),
            Err(_) => None,
        }
    });
    match outcome {
        Ok(None) => tally.rejected += 1,
        Ok(Some(Ok(()))) => tally.played += 1,
        Ok(Some(Err(f))) | Err(f) => tally.fail(seed, &what, f),
    }
}

/// Two workers (the seeds split between them); the tallies merged in seed order.
fn run_scenarios(first_seed: u64, cases: u64) -> Tally {
    let bases = std::sync::Arc::new(bases());
    assert!(bases.len() >= 5, "the shipped scenarios and the clean case");
    const WORKERS: u64 = 2;
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let bases = &bases;
                scope.spawn(move || {
                    let mut tally = Tally::default();
                    let seeds = (first_seed + w..first_seed + cases).step_by(WORKERS as usize);
                    for seed in seeds {
                        scenario_case(bases, seed, &mut tally);
                        if tally.hangs >= 3 {
                            // Hung threads keep running; stop before they take the machine.
                            break;
                        }
                    }
                    tally
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut all = Tally::default();
    for t in tallies {
        all.cases += t.cases;
        all.rejected += t.rejected;
        all.played += t.played;
        all.panics += t.panics;
        all.hangs += t.hangs;
        all.no_ending += t.no_ending;
        all.failures.extend(t.failures);
    }
    all.failures.sort_by_key(|f| {
        f.split_whitespace()
            .nth(1)
            .and_then(|n| n.trim_end_matches(':').parse::<u64>().ok())
    });
    all
}

// ---------------------------------------------------------------------------------------------
// Save cases.

fn base_save(dir: &Path) -> (LoadedScenario, Vec<u8>) {
    let scenario = Path::new("scenarios/forward_defense_2022");
    let loaded = LoadedScenario::load(scenario)
        .map_err(|v| v.render_human("scenario", false))
        .unwrap()
        .0;
    // Scripted bots (measured) for the states: the cases test corrupt saves, not planning, and
    // planners would make every replay slow enough to trip the watchdog in a debug build.
    let controllers: Vec<Controller> = loaded
        .default_controllers()
        .into_iter()
        .map(|c| match c {
            Controller::Bot(Doctrine::Planner) => Controller::Bot(Doctrine::Measured),
            other => other,
        })
        .collect();
    let mut record = SessionRecord::new(&loaded, scenario, 7, &controllers);
    let s = &loaded.scenario;
    record.record_orders(
        1,
        SubmitOrders {
            actor: s.actors[0].id.clone(),
            orders: vec![Order {
                action: s.actions[0].id.clone(),
                target: Some(s.actors[1].id.clone()),
            }],
            answers: vec![("none".into(), true)],
            rationale: String::new(),
        },
    );
    record.record_command(1, FacilitatorCommand::SetSwitch("fuzz".into(), true));
    if let Some(inject) = s.injects.first() {
        record.record_command(2, FacilitatorCommand::ReleaseInject(inject.id.clone()));
        record.record_command(
            2,
            FacilitatorCommand::ChooseInjectOption(inject.id.clone(), 0),
        );
    }
    record.record_command(
        3,
        FacilitatorCommand::ForceOutcome(s.actors[0].id.clone(), s.actions[0].id.clone(), true),
    );
    record
        .turns
        .resize(s.meta.turns as usize, Default::default());
    let path = dir.join("base.ron");
    record.save(&path).expect("the base save is written");
    let text = std::fs::read(&path).unwrap();
    (loaded, text)
}

fn run_saves(first_seed: u64, cases: u64) -> Tally {
    let dir = std::env::temp_dir().join(format!("grayzone-fuzz-saves-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (loaded, base) = base_save(&dir);
    let loaded = std::sync::Arc::new(loaded);
    let mut tally = Tally::default();
    for seed in first_seed..first_seed + cases {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (text, what) = mutate(&base, &mut rng);
        let path = dir.join(format!("case-{}.ron", seed % 4));
        std::fs::write(&path, &text).unwrap();
        tally.cases += 1;
        let loaded = loaded.clone();
        let outcome = guarded(move || match SessionRecord::load(&path) {
            Ok(record) => {
                let game = record.replay(&loaded, None).ok()?;
                Some(game.state().turn)
            }
            Err(_) => None,
        });
        match outcome {
            Ok(None) => tally.rejected += 1,
            Ok(Some(_)) => tally.played += 1,
            Err(f) => tally.fail(seed, &format!("save: {what}"), f),
        }
        if tally.hangs >= 3 {
            break;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    tally
}

// ---------------------------------------------------------------------------------------------

#[test]
fn mutated_scenarios_never_panic_or_hang() {
    run_scenarios(0, 2_000).assert_clean("scenarios (quick)");
}

#[test]
fn mutated_saves_never_panic_or_hang() {
    run_saves(0, 300).assert_clean("saves (quick)");
}

#[test]
#[ignore = "long: 100,000 scenario cases; run with --release -- --ignored"]
fn long_mutated_scenarios_never_panic_or_hang() {
    run_scenarios(1_000_000, 100_000).assert_clean("scenarios (long)");
}

#[test]
#[ignore = "long: 10,000 save cases; run with --release -- --ignored"]
fn long_mutated_saves_never_panic_or_hang() {
    run_saves(1_000_000, 10_000).assert_clean("saves (long)");
}

#[test]
fn mutations_are_reproducible_and_varied() {
    let base = std::fs::read("tests/golden/clean/actions.ron").unwrap();
    let run = |seed| mutate(&base, &mut ChaCha8Rng::seed_from_u64(seed));
    assert_eq!(run(42), run(42));
    let kinds: std::collections::BTreeSet<String> = (0..400)
        .map(|s| run(s).1.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    assert!(kinds.len() >= 10, "{kinds:?}");
}
