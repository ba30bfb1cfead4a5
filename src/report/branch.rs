//! What-if branches: replay a session to a turn, change one thing there (an order, a doctrine,
//! a die, an inject choice) and play on; compare the two games (both ladders, both endings, the
//! first turn where they differ). With many runs, Monte Carlo from the branch point: the same
//! seeds for both arms, so the shares differ only by the change.

use std::fmt::Write as _;

use crate::scenario::{Controller, Doctrine, Scenario};
use crate::sim::log::{Event, GameLog};
use crate::sim::record::with_turn_limit;
use crate::sim::{FacilitatorCommand, Game, LoadedScenario, Order, SessionRecord, SubmitOrders};
use crate::view::debrief::{DebriefView, debrief_view, default_doctrine};
use crate::view::names;

use super::escape;

/// The one change a branch makes at its turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// No change: the branch replays the session (a check that it reproduces).
    Nothing,
    /// The actor gives this one order at the branch turn instead of what it gave.
    Order {
        /// Actor id.
        actor: String,
        /// Action id.
        action: String,
        /// Target actor id.
        target: Option<String>,
    },
    /// From the branch turn on, a bot of this doctrine plays the actor.
    Doctrine {
        /// Actor id.
        actor: String,
        /// The doctrine.
        doctrine: Doctrine,
    },
    /// At the branch turn, this actor's action succeeds or fails whatever the die says.
    Die {
        /// Actor id.
        actor: String,
        /// Action id.
        action: String,
        /// Success or failure.
        success: bool,
    },
    /// At the branch turn, this inject's option is chosen (0-based) instead of the draw.
    InjectChoice {
        /// Inject id.
        inject: String,
        /// Option position.
        choice: usize,
    },
}

impl Change {
    /// The change in words, with names.
    pub fn describe(&self, s: &Scenario) -> String {
        match self {
            Change::Nothing => "no change".into(),
            Change::Order {
                actor,
                action,
                target,
            } => format!(
                "{} orders {}{}",
                names::actor_name_by_id(s, actor),
                names::action_name_by_id(s, action),
                target
                    .as_deref()
                    .map(|t| format!(" against {}", names::actor_name_by_id(s, t)))
                    .unwrap_or_default()
            ),
            Change::Doctrine { actor, doctrine } => format!(
                "{} played by a {} bot",
                names::actor_name_by_id(s, actor),
                names::doctrine(*doctrine)
            ),
            Change::Die {
                actor,
                action,
                success,
            } => format!(
                "{} {} {}",
                crate::view::debrief::possessive(&names::actor_name_by_id(s, actor)),
                names::action_name_by_id(s, action),
                if *success { "succeeds" } else { "fails" }
            ),
            Change::InjectChoice { inject, choice } => {
                let inj = s.injects.iter().find(|i| &i.id == inject);
                format!(
                    "\"{}\" is chosen for \"{}\"",
                    inj.and_then(|i| i.choices.get(*choice))
                        .map_or_else(|| format!("option {}", choice + 1), |c| c.label.clone()),
                    inj.map_or(inject.as_str(), |i| i.headline.as_str())
                )
            }
        }
    }
}

fn unknown_actor(s: &Scenario, flag: &str, id: &str) -> String {
    let ids: Vec<&str> = s.actors.iter().map(|a| a.id.as_str()).collect();
    format!(
        "error: unknown actor \"{id}\" in {flag}\n  = help: actors of this scenario: {}",
        ids.join(", ")
    )
}

fn check_actor(s: &Scenario, flag: &str, id: &str) -> Result<(), String> {
    if s.actors.iter().any(|a| a.id == id) {
        Ok(())
    } else {
        Err(unknown_actor(s, flag, id))
    }
}

fn check_action(s: &Scenario, flag: &str, id: &str) -> Result<(), String> {
    if s.actions.iter().any(|a| a.id == id) {
        return Ok(());
    }
    let close: Vec<&str> = s
        .actions
        .iter()
        .map(|a| a.id.as_str())
        .filter(|a| a.contains(id) || id.contains(a))
        .take(5)
        .collect();
    Err(format!(
        "error: unknown action \"{id}\" in {flag}\n  = help: {}",
        if close.is_empty() {
            "`grayzone docs` lists the scenario format; the actions are in the scenario's actions.ron".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        }
    ))
}

/// Parses `--order actor=action[:target]`.
pub fn parse_order(s: &Scenario, spec: &str) -> Result<Change, String> {
    let Some((actor, rest)) = spec.split_once('=') else {
        return Err(format!(
            "error: --order expects actor=action[:target], got \"{spec}\"\n  = help: e.g. --order russia=ddos_rutube:ukraine"
        ));
    };
    let (action, target) = match rest.split_once(':') {
        Some((a, t)) => (a, Some(t.to_string())),
        None => (rest, None),
    };
    check_actor(s, "--order", actor)?;
    check_action(s, "--order", action)?;
    if let Some(t) = &target {
        check_actor(s, "--order (target)", t)?;
    }
    Ok(Change::Order {
        actor: actor.into(),
        action: action.into(),
        target,
    })
}

/// Parses `--doctrine actor=doctrine`.
pub fn parse_doctrine(s: &Scenario, spec: &str) -> Result<Change, String> {
    let Some((actor, d)) = spec.split_once('=') else {
        return Err(format!(
            "error: --doctrine expects actor=doctrine, got \"{spec}\"\n  = help: e.g. --doctrine russia=dove"
        ));
    };
    check_actor(s, "--doctrine", actor)?;
    let doctrine = Doctrine::from_cli(d).ok_or_else(|| {
        let names: Vec<&str> = Doctrine::ALL.iter().map(|d| d.cli_name()).collect();
        format!(
            "error: unknown doctrine \"{d}\" in --doctrine\n  = help: choose one of {}",
            names.join(", ")
        )
    })?;
    Ok(Change::Doctrine {
        actor: actor.into(),
        doctrine,
    })
}

/// Parses `--die actor:action=success|failure`.
pub fn parse_die(s: &Scenario, spec: &str) -> Result<Change, String> {
    let bad = || {
        format!(
            "error: --die expects actor:action=success or actor:action=failure, got \"{spec}\"\n  = help: e.g. --die russia:ddos_rutube=failure"
        )
    };
    let (who, outcome) = spec.split_once('=').ok_or_else(bad)?;
    let (actor, action) = who.split_once(':').ok_or_else(bad)?;
    let success = match outcome {
        "success" | "succeed" | "succeeds" => true,
        "failure" | "fail" | "fails" => false,
        _ => return Err(bad()),
    };
    check_actor(s, "--die", actor)?;
    check_action(s, "--die", action)?;
    Ok(Change::Die {
        actor: actor.into(),
        action: action.into(),
        success,
    })
}

/// Parses `--inject-choice inject=N` (N counts the inject's options from 1).
pub fn parse_inject_choice(s: &Scenario, spec: &str) -> Result<Change, String> {
    let bad = || {
        format!(
            "error: --inject-choice expects inject=N (the N-th option, from 1), got \"{spec}\"\n  = help: e.g. --inject-choice un_vote=2"
        )
    };
    let (id, n) = spec.split_once('=').ok_or_else(bad)?;
    let n: usize = n.parse().map_err(|_| bad())?;
    let Some(inj) = s.injects.iter().find(|i| i.id == id) else {
        let with: Vec<&str> = s
            .injects
            .iter()
            .filter(|i| !i.choices.is_empty())
            .map(|i| i.id.as_str())
            .collect();
        return Err(format!(
            "error: unknown inject \"{id}\" in --inject-choice\n  = help: injects with options: {}",
            with.join(", ")
        ));
    };
    if n == 0 || n > inj.choices.len() {
        return Err(format!(
            "error: inject \"{id}\" has {} option(s); --inject-choice {id}={n} is out of range\n  = help: count from 1",
            inj.choices.len()
        ));
    }
    Ok(Change::InjectChoice {
        inject: id.into(),
        choice: n - 1,
    })
}

/// A played branch and the session it branched from.
pub struct Branch {
    /// The turn the change applies at.
    pub turn: u32,
    /// The change.
    pub change: Change,
    /// The session as played (replayed from its record).
    pub original: Game,
    /// The branch.
    pub branch: Game,
    /// The first turn whose events differ (`None`: the two games are the same).
    pub first_difference: Option<u32>,
    /// Why the change could not apply as asked (the rules refused the order, the inject did not
    /// come up, the actor did not take that action), if so.
    pub note: Option<String>,
}

/// The record's scenario with its turn limit applied.
fn limited(loaded: &LoadedScenario, record: &SessionRecord) -> LoadedScenario {
    match record.turn_limit {
        Some(t) => with_turn_limit(loaded, t),
        None => loaded.clone(),
    }
}

/// Feeds turn `turn`'s recorded input (or, past the record, nothing) into `game`, with the
/// change when `turn` is the branch turn. From the branch turn on, a changed doctrine drops
/// the actor's recorded team orders.
fn feed(game: &mut Game, record: &SessionRecord, turn: u32, at: u32, change: &Change) {
    let input = record.turns.get(turn as usize - 1);
    let replaced = match change {
        Change::Order { actor, .. } if turn == at => Some(actor.as_str()),
        Change::Doctrine { actor, .. } if turn >= at => Some(actor.as_str()),
        _ => None,
    };
    if let Some(input) = input {
        for o in input
            .orders
            .iter()
            .filter(|o| Some(o.actor.as_str()) != replaced)
        {
            game.submit(o.clone());
        }
        for c in &input.commands {
            game.command(c.clone());
        }
    }
    if turn != at {
        return;
    }
    match change {
        Change::Nothing => {}
        Change::Order {
            actor,
            action,
            target,
        } => {
            // Keep the actor's proposal answers of that turn.
            let answers = input
                .and_then(|i| i.orders.iter().find(|o| &o.actor == actor))
                .map(|o| o.answers.clone())
                .unwrap_or_default();
            game.submit(SubmitOrders {
                actor: actor.clone(),
                orders: vec![Order {
                    action: action.clone(),
                    target: target.clone(),
                }],
                answers,
                rationale: String::new(),
            });
        }
        Change::Doctrine { actor, doctrine } => {
            if let Some(i) = game.scenario().index.actors.get(actor).copied() {
                game.state_mut().actors[i].controller = Controller::Bot(*doctrine);
            }
        }
        Change::Die {
            actor,
            action,
            success,
        } => game.command(FacilitatorCommand::ForceOutcome(
            actor.clone(),
            action.clone(),
            *success,
        )),
        Change::InjectChoice { inject, choice } => {
            game.command(FacilitatorCommand::ChooseInjectOption(
                inject.clone(),
                *choice,
            ));
        }
    }
}

/// After the record runs out (the session ended earlier than the branch), team actors are
/// played by a bot of their default doctrine.
fn bots_for_teams(game: &mut Game) {
    let sc = game.scenario().scenario.clone();
    let mut st = game.state_mut();
    for (i, a) in sc.actors.iter().enumerate() {
        if st.actors[i].controller == Controller::Team {
            st.actors[i].controller = Controller::Bot(default_doctrine(a));
        }
    }
}

/// The session as the room saw it, each turn under the scenario version it ran under; a save
/// whose recorded versions cannot be loaded replays every turn under `loaded`.
fn replay_as_played(record: &SessionRecord, loaded: &LoadedScenario, turns: Option<usize>) -> Game {
    record
        .replay(loaded, turns)
        .unwrap_or_else(|_| record.what_if(loaded, turns))
}

/// The turns of the session that were played (the branch turn must be one of them).
pub fn turns_played(record: &SessionRecord, loaded: &LoadedScenario) -> u32 {
    let game = replay_as_played(record, loaded, None);
    let st = game.state();
    if st.is_over() {
        st.turn
    } else {
        st.turn.saturating_sub(1)
    }
}

/// Plays the session and the branch side by side. `turn` must be a turn the session played
/// (1-based).
pub fn play_branch(
    loaded: &LoadedScenario,
    record: &SessionRecord,
    turn: u32,
    change: Change,
) -> Result<Branch, String> {
    let original = replay_as_played(record, loaded, None);
    let played = {
        let st = original.state();
        if st.is_over() {
            st.turn
        } else {
            st.turn.saturating_sub(1)
        }
    };
    if turn == 0 || turn > played.max(1) {
        return Err(format!(
            "error: --turn {turn} is not a turn of this session, which played {played} turn(s)\n  = help: pick a turn from 1 to {}",
            played.max(1)
        ));
    }
    let loaded = limited(loaded, record);
    let controllers = record.controllers_for(&loaded);
    let mut branch = Game::new(&loaded, record.seed, &controllers);
    // A finished session: the branch plays to its own ending. A session saved before its
    // ending: the branch plays as many turns as the record holds.
    let to_the_end = original.state().is_over();
    let mut t = 1;
    loop {
        if t > record.turns.len() as u32 {
            if !to_the_end {
                break;
            }
            bots_for_teams(&mut branch);
        }
        feed(&mut branch, record, t, turn, &change);
        if !branch.step() {
            break;
        }
        t += 1;
    }
    let note = change_note(&loaded.scenario, branch.log(), turn, &change);
    let first_difference = first_difference(original.log(), branch.log());
    Ok(Branch {
        turn,
        change,
        original,
        branch,
        first_difference,
        note,
    })
}

/// Why a change did not apply as asked at `turn`, from the branch's log.
fn change_note(s: &Scenario, log: &GameLog, turn: u32, change: &Change) -> Option<String> {
    let at = || log.entries.iter().filter(move |e| e.turn == turn);
    match change {
        Change::Order { actor, .. } => at().find_map(|e| match &e.event {
            Event::OrderRejected {
                actor: a, reason, ..
            } if a == actor => Some(format!("the rules refused the changed order: {reason}")),
            _ => None,
        }),
        Change::Die { actor, action, .. } => {
            let taken = at().any(|e| {
                matches!(&e.event, Event::Roll { actor: a, action: x, .. } if a == actor && x == action)
            });
            (!taken).then(|| {
                format!(
                    "{} did not take {} at turn {turn}, so no die was overridden",
                    names::actor_name_by_id(s, actor),
                    names::action_name_by_id(s, action)
                )
            })
        }
        Change::InjectChoice { inject, .. } => {
            let fired =
                at().any(|e| matches!(&e.event, Event::Inject { inject: i, .. } if i == inject));
            (!fired).then(|| {
                let when: Vec<String> = log
                    .entries
                    .iter()
                    .filter(|e| matches!(&e.event, Event::Inject { inject: i, .. } if i == inject))
                    .map(|e| format!("turn {}", e.turn))
                    .collect();
                format!(
                    "the inject \"{inject}\" did not come up at turn {turn}{}, so no choice was made",
                    if when.is_empty() {
                        String::new()
                    } else {
                        format!(" (it came up at {})", when.join(", "))
                    }
                )
            })
        }
        Change::Nothing | Change::Doctrine { .. } => None,
    }
}

/// One entry with who ordered and the state hash left out: a changed doctrine that gives the
/// same orders is the same game.
fn comparable(e: &crate::sim::LogEntry) -> crate::sim::LogEntry {
    let mut e = e.clone();
    match &mut e.event {
        Event::Order { by, .. } => by.clear(),
        Event::TurnEnded { hash, .. } => hash.clear(),
        _ => {}
    }
    e
}

/// The first turn whose events differ between two logs.
pub fn first_difference(a: &GameLog, b: &GameLog) -> Option<u32> {
    let last = |l: &GameLog| l.entries.last().map_or(0, |e| e.turn);
    let turns = last(a).max(last(b));
    (1..=turns).find(|&t| {
        let of = |l: &GameLog| -> Vec<crate::sim::LogEntry> {
            l.entries
                .iter()
                .filter(|e| e.turn == t)
                .map(comparable)
                .collect()
        };
        of(a) != of(b)
    })
}

/// Ending shares of many games from the branch point, without and with the change.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    /// Games per arm.
    pub runs: u64,
    /// First seed (run k uses seed + k in both arms).
    pub seed: u64,
    /// (ending name, games as played from the branch point, games with the change).
    pub endings: Vec<(String, u64, u64)>,
}

/// Plays `runs` games from the start of turn `turn` of the session in both arms: the state the
/// room reached, every actor then played by a bot (team actors by their default doctrine), the
/// dice reseeded per run (`seed + k`, the same in both arms); the second arm with the change.
pub fn monte_carlo(
    loaded: &LoadedScenario,
    record: &SessionRecord,
    turn: u32,
    change: &Change,
    runs: u64,
    seed: u64,
) -> MonteCarlo {
    let loaded = limited(loaded, record);
    let mut prefix = replay_as_played(record, &loaded, Some(turn.saturating_sub(1) as usize));
    prefix.set_fast(true);
    bots_for_teams(&mut prefix);
    let sc = &loaded.scenario;
    let mut counts = vec![(0u64, 0u64); sc.endings.len() + 1];
    for k in 0..runs {
        for arm in 0..2 {
            let mut game = prefix.fork();
            game.set_fast(true);
            game.reseed(seed.wrapping_add(k));
            if arm == 1 {
                // The change, at the branch turn only (a doctrine stays).
                let empty = SessionRecord {
                    turns: Vec::new(),
                    ..record.clone()
                };
                feed(&mut game, &empty, turn, turn, change);
            }
            game.play_out();
            let slot = game
                .state()
                .ending
                .as_ref()
                .map_or(sc.endings.len(), |e| e.ending);
            if arm == 0 {
                counts[slot].0 += 1;
            } else {
                counts[slot].1 += 1;
            }
        }
    }
    let endings = counts
        .iter()
        .enumerate()
        .filter(|(_, (a, b))| a + b > 0)
        .map(|(i, &(a, b))| {
            let name = sc
                .endings
                .get(i)
                .map_or_else(|| "(no ending)".to_string(), |e| e.name.clone());
            (name, a, b)
        })
        .collect();
    MonteCarlo {
        runs,
        seed,
        endings,
    }
}

/// The comparison of a branch with the session, as the report shows it.
pub struct Comparison {
    /// Scenario title.
    pub title: String,
    /// The change in words.
    pub change: String,
    /// Branch turn.
    pub turn: u32,
    /// The session's debrief (ladder, ending).
    pub original: DebriefView,
    /// The branch's debrief.
    pub branch: DebriefView,
    /// First differing turn.
    pub first_difference: Option<u32>,
    /// Why the change did not apply as asked, if so.
    pub note: Option<String>,
    /// Monte Carlo from the branch point, if asked for.
    pub monte_carlo: Option<MonteCarlo>,
}

impl Comparison {
    /// The comparison of a played branch.
    pub fn new(loaded: &LoadedScenario, b: &Branch, mc: Option<MonteCarlo>) -> Self {
        let s = &loaded.scenario;
        Comparison {
            title: s.meta.title.clone(),
            change: b.change.describe(s),
            turn: b.turn,
            original: debrief_view(s, b.original.state(), b.original.log()),
            branch: debrief_view(s, b.branch.state(), b.branch.log()),
            first_difference: b.first_difference,
            note: b.note.clone(),
            monte_carlo: mc,
        }
    }

    fn ending(d: &DebriefView) -> String {
        match &d.ending {
            Some((name, _, tone)) => format!("{name} ({tone}), turn {}", d.turns_played),
            None => format!("no ending after {} turn(s)", d.turns_played),
        }
    }

    fn difference(&self) -> String {
        match self.first_difference {
            Some(t) => format!("the games first differ at turn {t}"),
            None => "the two games are the same: the change made no difference".into(),
        }
    }

    /// A few lines for the terminal.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "What if, from turn {}: {}\n  as played: {}\n  branch:    {}\n  {}\n",
            self.turn,
            self.change,
            Self::ending(&self.original),
            Self::ending(&self.branch),
            self.difference()
        );
        if let Some(r) = &self.note {
            let _ = writeln!(s, "  note: {r}");
        }
        if let Some(mc) = &self.monte_carlo {
            let _ = writeln!(
                s,
                "  {} games from turn {} per arm (seeds {}..{}):",
                mc.runs,
                self.turn,
                mc.seed,
                mc.seed + mc.runs.saturating_sub(1)
            );
            for (name, a, b) in &mc.endings {
                let _ = writeln!(
                    s,
                    "    {name:<40} {:>6.1} %  → {:>6.1} %",
                    share(*a, mc.runs),
                    share(*b, mc.runs)
                );
            }
        }
        s
    }

    /// The comparison as Markdown.
    pub fn markdown(&self) -> String {
        let mut s = format!("# What if: {}\n\n", self.title);
        let _ = writeln!(
            s,
            "**Change at turn {}:** {}\n\n- As played: {}\n- Branch: {}\n- {}\n",
            self.turn,
            self.change,
            Self::ending(&self.original),
            Self::ending(&self.branch),
            self.difference()
        );
        if let Some(r) = &self.note {
            let _ = writeln!(s, "Note: {r}\n");
        }
        let _ = writeln!(s, "## Both ladders\n");
        let turns = self
            .original
            .series
            .iter()
            .chain(&self.branch.series)
            .map(|x| x.rungs.len())
            .max()
            .unwrap_or(0);
        let _ = write!(s, "| actor | |");
        for t in 1..turns {
            let _ = write!(s, " T{t} |");
        }
        let _ = write!(s, "\n|---|---|");
        for _ in 1..turns {
            let _ = write!(s, "---|");
        }
        s.push('\n');
        for (a, b) in self.original.series.iter().zip(&self.branch.series) {
            for (label, x) in [("as played", a), ("branch", b)] {
                let cells: Vec<String> = (1..turns)
                    .map(|t| {
                        x.rungs
                            .get(t)
                            .and_then(|&r| self.original.ladder.get(r))
                            .map_or(String::new(), |r| r.name.clone())
                    })
                    .collect();
                let _ = writeln!(s, "| {} | {label} | {} |", a.name, cells.join(" | "));
            }
        }
        if let Some(mc) = &self.monte_carlo {
            let _ = writeln!(
                s,
                "\n## {} games from turn {} per arm\n\nEvery actor played by a bot from turn {} on (teams by their default doctrine); run k uses seed {}+k in both arms.\n\n| ending | as played | with the change |\n|---|---|---|",
                mc.runs, self.turn, self.turn, mc.seed
            );
            for (name, a, b) in &mc.endings {
                let _ = writeln!(
                    s,
                    "| {name} | {:.1} % | {:.1} % |",
                    share(*a, mc.runs),
                    share(*b, mc.runs)
                );
            }
        }
        s
    }

    /// The comparison as one self-contained HTML page.
    pub fn html(&self) -> String {
        let mut s = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>What if: {0}</title><style>{1}</style></head><body><h1>What if: {0}</h1>\
             <div class=\"ending\"><strong>Change at turn {2}:</strong> {3}<br>As played: {4}<br>Branch: {5}<br><strong>{6}</strong></div>",
            escape(&self.title),
            super::CSS,
            self.turn,
            escape(&self.change),
            escape(&Self::ending(&self.original)),
            escape(&Self::ending(&self.branch)),
            escape(&self.difference())
        );
        if let Some(r) = &self.note {
            let _ = write!(s, "<p class=\"mark-wrong\">Note: {}</p>", escape(r));
        }
        s.push_str("<h2>Both ladders</h2><div style=\"display:flex;gap:1em;flex-wrap:wrap\">");
        for (title, d) in [("As played", &self.original), ("Branch", &self.branch)] {
            let _ = write!(
                s,
                "<div style=\"flex:1 1 520px\">{}</div>",
                super::chart::series_svg(d, &d.series, Some(title))
            );
        }
        s.push_str("</div>");
        if let Some(mc) = &self.monte_carlo {
            let _ = write!(
                s,
                "<h2>{} games from turn {} per arm</h2><p class=\"muted\">Every actor played by a bot from turn {} on (teams by their default doctrine); run k uses seed {}+k in both arms.</p><table><tr><th>ending</th><th>as played</th><th>with the change</th></tr>",
                mc.runs, self.turn, self.turn, mc.seed
            );
            for (name, a, b) in &mc.endings {
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td>{:.1} %</td><td>{:.1} %</td></tr>",
                    escape(name),
                    share(*a, mc.runs),
                    share(*b, mc.runs)
                );
            }
            s.push_str("</table>");
        }
        s.push_str("</body></html>\n");
        s
    }
}

fn share(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}
