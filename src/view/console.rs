//! The facilitator's console: the hidden truth and the coming turn's dice, for the facilitator's
//! own screen only (never the projector, never a team).

use crate::scenario::{Controller, Scenario};
use crate::sim::log::{Event, GameLog};
use crate::sim::state::GameState;

use super::names::{actor_name, rung_name};

/// One actor as the facilitator sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConsoleActor {
    /// Display name.
    pub name: String,
    /// Who plays it, in words.
    pub controller: String,
    /// Its true rung (position, name).
    pub true_rung: (usize, String),
    /// Where the room sees it (position, name).
    pub public_rung: (usize, String),
}

/// One roll of the coming turn, as the rules will draw it unless overridden.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DiceLine {
    /// Actor id (for `ForceOutcome`).
    pub actor: String,
    /// Action id (for `ForceOutcome`).
    pub action: String,
    /// The roll in words: "Russia — DDoS on vital infrastructure → United States: 34 against 50".
    pub text: String,
    /// Whether it succeeds as things stand.
    pub success: bool,
    /// Whether the facilitator has already forced this outcome.
    pub forced: bool,
}

/// The console's view.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConsoleView {
    /// The coming turn.
    pub turn: u32,
    /// Every actor: true rung against public rung.
    pub actors: Vec<ConsoleActor>,
    /// Every incident with its true author, newest first, in words.
    pub incidents: Vec<String>,
    /// Private red lines (never declared), in words.
    pub private_red_lines: Vec<String>,
    /// The teams' rationales and the facilitator's notes so far, newest first.
    pub notes: Vec<String>,
    /// What bots intend this turn (their orders in the preview), in words; a planner's first
    /// order carries its reasons.
    pub intentions: Vec<String>,
    /// The coming turn's dice, in order.
    pub dice: Vec<DiceLine>,
}

/// Builds the console from the true state, the log, and the preview of the coming turn
/// ([`crate::sim::preview_turn`]'s log; `None` when the game is over). `forced` lists the
/// (actor id, action id) outcomes already overridden.
pub fn console_view(
    s: &Scenario,
    state: &GameState,
    log: &GameLog,
    preview: Option<&GameLog>,
    forced: &[(String, String)],
) -> ConsoleView {
    let action_name = |id: &str| {
        s.actions
            .iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_string(), |a| a.name.clone())
    };
    let name_of = |id: &str| {
        s.actors
            .iter()
            .position(|a| a.id == id)
            .map_or_else(|| id.to_string(), |i| actor_name(s, i))
    };
    let actors = state
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let public = state.public.rungs.get(i).copied().unwrap_or(a.rung);
            ConsoleActor {
                name: actor_name(s, i),
                controller: match &a.controller {
                    Controller::Team => "Team".into(),
                    Controller::Bot(d) => format!("Bot: {}", d.cli_name()),
                    Controller::Facilitator => "Facilitator".into(),
                },
                true_rung: (a.rung, rung_name(s, a.rung)),
                public_rung: (public, rung_name(s, public)),
            }
        })
        .collect();
    let incidents = state
        .incidents
        .iter()
        .rev()
        .map(|i| {
            let suspect = match i.suspect {
                Some(x) if x == i.actor => format!("rightly blamed ({}%)", i.evidence),
                Some(x) => format!("wrongly blamed on {} ({}%)", actor_name(s, x), i.evidence),
                None if i.detected.is_some() => "detected, no suspect".into(),
                None => "undetected".into(),
            };
            format!(
                "Turn {}: {} by {} against {} — {}; {}{}",
                i.turn,
                s.actions.get(i.action).map_or("?", |a| a.name.as_str()),
                actor_name(s, i.actor),
                actor_name(s, i.victim),
                if i.success { "succeeded" } else { "failed" },
                suspect,
                if i.public { "; public" } else { "; not public" },
            )
        })
        .collect();
    let private_red_lines = s
        .red_lines
        .iter()
        .filter(|r| !r.public)
        .map(|r| format!("{}: {} — {}", name_of(&r.owner), r.name, r.text))
        .collect();
    let notes = log
        .entries
        .iter()
        .rev()
        .filter_map(|e| match &e.event {
            Event::Rationale { actor, text } => {
                Some(format!("Turn {}: {} — “{text}”", e.turn, name_of(actor)))
            }
            Event::FacilitatorNote { text } => Some(format!("Turn {}: you — {text}", e.turn)),
            _ => None,
        })
        .collect();
    let mut intentions = Vec::new();
    let mut dice = Vec::new();
    let previewed = preview.map(|l| l.entries.as_slice()).unwrap_or(&[]);
    // A planner's reasons (private to it and the facilitator), told with its first order.
    let mut reasons: Vec<(&str, &str)> = previewed
        .iter()
        .filter_map(|e| match &e.event {
            Event::BotReason { actor, text } => Some((actor.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    for entry in previewed {
        match &entry.event {
            Event::Order {
                actor,
                action,
                target,
                by,
            } if by.starts_with("bot:") => {
                let why = reasons
                    .iter()
                    .position(|(a, _)| a == actor)
                    .map(|k| format!(" — {}", reasons.remove(k).1))
                    .unwrap_or_default();
                intentions.push(format!(
                    "{} ({}) will {}{}{why}",
                    name_of(actor),
                    by.trim_start_matches("bot:"),
                    action_name(action),
                    target
                        .as_deref()
                        .map(|t| format!(" → {}", name_of(t)))
                        .unwrap_or_default()
                ));
            }
            Event::Roll {
                actor,
                action,
                target,
                chance,
                roll,
                success,
            } => dice.push(DiceLine {
                actor: actor.clone(),
                action: action.clone(),
                text: format!(
                    "{} — {}{}: rolls {roll} against {chance}",
                    name_of(actor),
                    action_name(action),
                    target
                        .as_deref()
                        .map(|t| format!(" → {}", name_of(t)))
                        .unwrap_or_default()
                ),
                success: *success,
                forced: forced.iter().any(|(a, b)| a == actor && b == action),
            }),
            _ => {}
        }
    }
    ConsoleView {
        turn: state.turn,
        actors,
        incidents,
        private_red_lines,
        notes,
        intentions,
        dice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{FacilitatorCommand, Game, LoadedScenario, Order, SubmitOrders, preview_turn};

    fn game() -> (LoadedScenario, Game) {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/forward_defense_2022");
        let (loaded, _) = LoadedScenario::load(&dir).expect("loads");
        let mut controllers = loaded.default_controllers();
        controllers[0] = Controller::Team;
        let game = Game::new(&loaded, 5, &controllers);
        (loaded, game)
    }

    #[test]
    fn the_console_previews_the_dice_the_turn_then_rolls_and_forcing_changes_one() {
        let (loaded, mut game) = game();
        let (_, preview) = preview_turn(&game.world).expect("a turn to preview");
        let view = console_view(
            &loaded.scenario,
            game.state(),
            game.log(),
            Some(&preview),
            &[],
        );
        assert!(!view.dice.is_empty(), "bots act on turn 1");
        assert!(!view.intentions.is_empty());
        // The planners' reasons come with their intentions (Russia plays ahead here).
        let russia = view
            .intentions
            .iter()
            .find(|i| i.starts_with("Russia (planner) will"))
            .expect("Russia's planner orders something on turn 1");
        assert!(
            russia.contains(" — chose ") && russia.contains("expected score"),
            "{russia}"
        );
        // Force the first previewed roll the other way, with a note for the record.
        let first = view.dice[0].clone();
        game.command(FacilitatorCommand::ForceOutcome(
            first.actor.clone(),
            first.action.clone(),
            !first.success,
        ));
        // The console marks the forced roll, and only it, as forced.
        let forced = [(first.actor.clone(), first.action.clone())];
        let marked = console_view(
            &loaded.scenario,
            game.state(),
            game.log(),
            Some(&preview),
            &forced,
        );
        assert!(marked.dice[0].forced, "{:#?}", marked.dice);
        for d in &marked.dice {
            assert_eq!(
                d.forced,
                d.actor == first.actor && d.action == first.action,
                "{d:#?}"
            );
        }
        game.command(FacilitatorCommand::Note(
            "teaching point: a failed hack".into(),
        ));
        // The dice the turn actually rolls are the preview's, except the forced one.
        game.step();
        let rolled: Vec<(String, String, bool)> = game
            .log()
            .entries
            .iter()
            .filter_map(|e| match &e.event {
                Event::Roll {
                    actor,
                    action,
                    success,
                    ..
                } => Some((actor.clone(), action.clone(), *success)),
                _ => None,
            })
            .collect();
        assert_eq!(rolled.len(), view.dice.len());
        assert_eq!(rolled[0].2, !first.success);
        for (r, d) in rolled.iter().zip(&view.dice).skip(1) {
            assert_eq!((&r.0, &r.1), (&d.actor, &d.action));
        }
        let after = console_view(&loaded.scenario, game.state(), game.log(), None, &[]);
        assert!(after.notes.iter().any(|n| n.contains("teaching point")));
        // The note is seen by no team.
        let note = game
            .log()
            .entries
            .iter()
            .find(|e| matches!(e.event, Event::FacilitatorNote { .. }))
            .expect("the note is logged");
        assert!(
            loaded
                .scenario
                .actors
                .iter()
                .all(|a| !note.audience.visible_to(&a.id))
        );
    }

    #[test]
    fn the_console_shows_true_authors_and_true_rungs() {
        let (loaded, mut game) = game();
        // The team plays a covert or deniable card if it has one: the room does not see it.
        let state = game.state().clone();
        let cards = crate::view::legal_cards(&loaded.scenario, &loaded.index, &state, 0);
        let covert = cards
            .iter()
            .find(|(a, _)| {
                !matches!(
                    loaded.scenario.actions[*a].visibility,
                    crate::scenario::Visibility::Overt
                )
            })
            .expect("a covert card");
        game.submit(SubmitOrders {
            actor: loaded.scenario.actors[0].id.clone(),
            orders: vec![Order {
                action: loaded.scenario.actions[covert.0].id.clone(),
                target: covert.1[0].0.map(|t| loaded.scenario.actors[t].id.clone()),
            }],
            answers: vec![],
            rationale: "quietly".into(),
        });
        game.step();
        let view = console_view(&loaded.scenario, game.state(), game.log(), None, &[]);
        let us = &view.actors[0];
        assert_eq!(us.true_rung.0, game.state().actors[0].rung);
        assert_eq!(us.public_rung.0, game.state().public.rungs[0]);
        let mine: Vec<&String> = view
            .incidents
            .iter()
            .filter(|i| {
                i.contains(&format!(
                    "by {}",
                    crate::view::names::actor_name(&loaded.scenario, 0)
                ))
            })
            .collect();
        assert!(
            game.state().incidents.iter().all(|i| i.actor != 0) || !mine.is_empty(),
            "the team's incidents name it as the true author"
        );
        assert!(view.notes.iter().any(|n| n.contains("quietly")));
    }
}
