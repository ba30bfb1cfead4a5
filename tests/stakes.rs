//! Stakes and minds: scored objectives, the planning bot, and credible behaviour (force needs a
//! case, swarms act as swarms), all checked on real games of the shipped scenarios.

use std::path::Path;

use grayzone::bots::planner::PlannerBudget;
use grayzone::scenario::{ActorKind, Confidence, Controller, Doctrine, Effect, ObjectiveKind};
use grayzone::sim::objectives;
use grayzone::sim::{Audience, Event, Game, GameState, LoadedScenario};

fn load(dir: &str) -> LoadedScenario {
    LoadedScenario::load(Path::new(dir)).unwrap().0
}

fn default_scenario() -> LoadedScenario {
    load("scenarios/forward_defense_2022")
}

fn bots(game: &LoadedScenario, spec: &[&str], all: Option<&str>) -> Vec<Controller> {
    let spec: Vec<String> = spec.iter().map(|s| s.to_string()).collect();
    grayzone::cli::bot_controllers(game, &spec, all).unwrap()
}

fn actor(game: &LoadedScenario, id: &str) -> usize {
    game.index.actors[id]
}

#[test]
fn objectives_are_tracked_each_turn_and_scored_as_weighted_means() {
    let game = default_scenario();
    let sc = &game.scenario;
    let us = actor(&game, "united_states");
    let clash = game.index.rungs["kinetic_clash"];
    let clash_level = sc.meta.ladder.rungs[clash].level;
    let mut saw_clash = false;
    for seed in 1..=40 {
        let mut g = Game::new(&game, seed, &bots(&game, &[], Some("hawk")));
        g.play_out();
        let st = g.state();
        let turns = st.crisis_history.len() as u32;
        for (a, tracks) in st.objectives.iter().enumerate() {
            assert_eq!(tracks.len(), sc.actors[a].goals.len());
            for t in tracks {
                assert_eq!(t.turns, turns, "one record per turn played");
                assert!(t.held <= t.turns);
            }
        }
        // The US "no clash" objective is an Avoid: met exactly when the crisis never reached the
        // kinetic-clash rung at the end of a turn.
        let k = sc.actors[us]
            .goals
            .iter()
            .position(|g| g.text == "No clash between nuclear powers")
            .unwrap();
        assert_eq!(sc.actors[us].goals[k].kind, ObjectiveKind::Avoid);
        let reached = st
            .crisis_history
            .iter()
            .any(|&r| sc.meta.ladder.rungs[r].level >= clash_level);
        saw_clash |= reached;
        let value = st.objectives[us][k].value(ObjectiveKind::Avoid);
        assert_eq!(value, if reached { 0.0 } else { 1.0 }, "seed {seed}");
        // The score is the weighted mean of the values.
        let goals = &sc.actors[us].goals;
        let total: f64 = goals.iter().map(|g| f64::from(g.weight)).sum();
        let mean: f64 = goals
            .iter()
            .zip(&st.objectives[us])
            .map(|(g, t)| f64::from(g.weight) * t.value(g.kind))
            .sum::<f64>()
            / total;
        let score = objectives::score(sc, st, us);
        assert!((score - mean).abs() < 1e-12);
        assert!((0.0..=1.0).contains(&score));
    }
    assert!(
        saw_clash,
        "40 all-hawk games should reach a clash at least once"
    );
}

#[test]
fn interests_conflict_in_the_default_scenario() {
    // What is good for Russia is not good for the United States: over the same games their
    // scores move in opposite directions more often than together. Between the two planners:
    // a leadership drawn for a game (hardliners, hawks) may bring a clash that costs both.
    let mut game = default_scenario();
    for a in &mut std::sync::Arc::make_mut(&mut game.scenario).actors {
        a.temperaments.clear();
    }
    let (us, ru) = (actor(&game, "united_states"), actor(&game, "russia"));
    let scores: Vec<(f64, f64)> = (1..=40)
        .map(|seed| {
            let mut g = Game::new(&game, seed, &bots(&game, &[], None));
            // The default bots plan; the quick budget keeps the test fast.
            g.set_planner_budget(PlannerBudget::QUICK);
            g.set_fast(true);
            g.play_out();
            let st = g.state();
            (
                objectives::score(&game.scenario, st, us),
                objectives::score(&game.scenario, st, ru),
            )
        })
        .collect();
    let n = scores.len() as f64;
    let (mu, mr) = (
        scores.iter().map(|s| s.0).sum::<f64>() / n,
        scores.iter().map(|s| s.1).sum::<f64>() / n,
    );
    let cov: f64 = scores.iter().map(|s| (s.0 - mu) * (s.1 - mr)).sum::<f64>() / n;
    assert!(
        cov < 0.0,
        "US and Russian scores should conflict (covariance {cov})"
    );
}

/// Plays a game turn by turn, calling `check` with the state before each turn and after it.
fn play_checked(g: &mut Game, mut check: impl FnMut(&GameState, &GameState)) {
    loop {
        let before = g.state().clone();
        let going = g.step();
        check(&before, g.state());
        if !going {
            break;
        }
    }
}

#[test]
fn no_kinetic_strike_without_a_case_over_1000_hawk_games() {
    let game = default_scenario();
    let sc = &game.scenario;
    let strike = game.index.actions["kinetic_strike"];
    let needed = sc
        .meta
        .rules
        .force_needs_attribution
        .expect("the scenario sets it");
    let controllers = bots(&game, &[], Some("hawk"));
    let mut strikes = 0;
    let mut g = Game::new(&game, 1, &controllers);
    for seed in 1..=1000 {
        g.reset(&game, seed, &controllers);
        g.set_fast(true);
        play_checked(&mut g, |before, after| {
            for r in after.history.iter().filter(|r| r.turn == before.turn) {
                if r.action != strike {
                    continue;
                }
                strikes += 1;
                let target = r.target.expect("a strike has a target");
                let case = before.incidents.iter().any(|i| {
                    i.victim == r.actor
                        && i.suspect == Some(target)
                        && i.detected.is_some()
                        && Confidence::from_value(i.evidence) >= needed
                });
                assert!(
                    case,
                    "seed {seed}, turn {}: {} struck {} without attributing anything to it at {needed:?}",
                    r.turn, sc.actors[r.actor].id, sc.actors[target].id
                );
            }
        });
    }
    assert!(strikes > 0, "hawks should strike sometimes, with a case");
}

#[test]
fn swarms_act_as_swarms_in_every_shipped_scenario() {
    for dir in grayzone::scenario::scenario_dirs(Path::new("scenarios")) {
        let game = LoadedScenario::load(&dir).unwrap().0;
        let sc = &game.scenario;
        let is_swarm = |a: usize| sc.actors[a].kind == ActorKind::Swarm;
        let declares = |action: usize| {
            sc.actions[action]
                .on_success
                .iter()
                .any(|e| matches!(e, Effect::DeclareRedLine(..)))
        };
        let hunts = |action: usize| {
            sc.actions[action]
                .on_success
                .iter()
                .any(|e| matches!(e, Effect::Reveal { .. }))
        };
        for doctrine in ["random", "hawk"] {
            let controllers = bots(&game, &[], Some(doctrine));
            // Swarms play random legal orders too: everything they may do, they will.
            let controllers: Vec<Controller> = controllers
                .into_iter()
                .enumerate()
                .map(|(a, c)| {
                    if is_swarm(a) {
                        Controller::Bot(Doctrine::RandomLegal)
                    } else {
                        c
                    }
                })
                .collect();
            let mut g = Game::new(&game, 1, &controllers);
            for seed in 1..=60 {
                g.reset(&game, seed, &controllers);
                g.set_fast(true);
                g.play_out();
                for r in &g.state().history {
                    let what = format!(
                        "{} seed {seed}: {} took {}",
                        sc.meta.id, sc.actors[r.actor].id, sc.actions[r.action].id
                    );
                    if is_swarm(r.actor) {
                        assert!(!declares(r.action), "{what}: a swarm declared a red line");
                        assert!(
                            r.target.is_none_or(|t| !is_swarm(t))
                                || sc.actions[r.action].intent
                                    != grayzone::scenario::Intent::Offensive,
                            "{what}: a swarm attacked a swarm"
                        );
                    }
                    if hunts(r.action)
                        && let Some(t) = r.target
                    {
                        assert!(!is_swarm(t), "{what}: a swarm hosted a hunt");
                    }
                }
            }
        }
    }
}

#[test]
fn a_planner_is_deterministic_and_explains_every_turn_privately() {
    let game = default_scenario();
    let (us, ru) = (actor(&game, "united_states"), actor(&game, "russia"));
    let controllers = bots(&game, &["russia=planner", "united_states=planner"], None);
    let play = |seed| {
        let mut g = Game::new(&game, seed, &controllers);
        g.play_out();
        (
            g.log().to_text(),
            g.state().state_hash(),
            g.log().entries.clone(),
            g.state().turn,
        )
    };
    let (a, ha, entries, turns) = play(11);
    let (b, hb, _, _) = play(11);
    assert_eq!(a, b, "same seed, same game");
    assert_eq!(ha, hb);
    let _ = (us, ru);
    for id in ["united_states", "russia"] {
        let reasons: Vec<_> = entries
            .iter()
            .filter_map(|e| match &e.event {
                Event::BotReason { actor, text } if actor == id => Some((e, text)),
                _ => None,
            })
            .collect();
        assert_eq!(reasons.len() as u32, turns, "{id}: one reason a turn");
        for (e, text) in reasons {
            assert!(text.starts_with("chose "), "{text}");
            assert!(text.contains("expected score"), "{text}");
            assert_ne!(e.audience, Audience::Public, "a bot's reason is private");
            assert!(
                matches!(&e.audience, Audience::Private(v) if v.iter().any(|a| a == id)),
                "the actor sees its own reason"
            );
        }
    }
}

#[test]
fn a_planner_beats_the_scripted_doctrine_it_replaces_for_russia() {
    // Russia's doctrine in the article is "measured and targeted"; planning (even on the quick
    // budget) should serve Russia's objectives better, the others playing their defaults.
    let game = default_scenario();
    let ru = actor(&game, "russia");
    let mean = |spec: &[&str]| {
        let controllers = bots(&game, spec, None);
        let mut g = Game::new(&game, 1, &controllers);
        let mut total = 0.0;
        for seed in 1..=30 {
            g.reset(&game, seed, &controllers);
            g.set_fast(true);
            g.set_planner_budget(PlannerBudget::QUICK);
            g.play_out();
            total += objectives::score(&game.scenario, g.state(), ru);
        }
        total / 30.0
    };
    let planner = mean(&["russia=planner"]);
    let measured = mean(&["russia=measured"]);
    assert!(
        planner > measured,
        "planner {planner:.3} should beat measured {measured:.3} on Russia's objectives"
    );
}

#[test]
fn planners_weigh_what_enforcing_costs_and_a_private_rule_has_no_audience() {
    // Enforcing has a cost the planner weighs: every scripted plan answers an owed red line, and
    // the planner also weighs each plan without the answer. Credibility is what others believe,
    // so Ukraine's private rule ("every confirmed Russian attack gets a cyber answer") is left
    // unanswered far more often than Russia's public line, which Moscow's credibility rides on.
    let game = default_scenario();
    let (ru, ua) = (actor(&game, "russia"), actor(&game, "ukraine"));
    let line = |id: &str| {
        game.scenario
            .red_lines
            .iter()
            .position(|r| r.id == id)
            .unwrap()
    };
    let (ru_line, ua_line) = (line("ru_no_offense_unanswered"), line("ua_answer_in_kind"));
    assert!(game.scenario.red_lines[ru_line].public && !game.scenario.red_lines[ua_line].public);
    let controllers = bots(&game, &[], None);
    let mut g = Game::new(&game, 1, &controllers);
    let (mut ru_tally, mut ua_tally) = ((0u32, 0u32), (0u32, 0u32));
    let mut left_in_words = 0;
    for seed in 1..=24 {
        g.reset(&game, seed, &controllers);
        g.set_planner_budget(PlannerBudget::QUICK);
        g.play_out();
        let st = g.state();
        for (tally, r) in [(&mut ru_tally, ru_line), (&mut ua_tally, ua_line)] {
            tally.0 += st.red_lines[r].enforced;
            tally.1 += st.red_lines[r].ignored;
        }
        left_in_words += g
            .log()
            .entries
            .iter()
            .filter(|e| {
                matches!(&e.event, Event::BotReason { actor, text }
                    if (actor == "ukraine" || actor == "russia")
                        && text.split(':').next().is_some_and(|chosen| chosen.ends_with("leaving the red line unanswered")))
            })
            .count();
    }
    let _ = (ru, ua);
    let share =
        |(enforced, ignored): (u32, u32)| f64::from(ignored) / f64::from(enforced + ignored);
    let (ru_share, ua_share) = (share(ru_tally), share(ua_tally));
    eprintln!(
        "russia {ru_tally:?} {ru_share:.3}, ukraine {ua_tally:?} {ua_share:.3}, reasons {left_in_words}"
    );
    assert!(
        ua_tally.0 + ua_tally.1 >= 20 && ru_tally.0 + ru_tally.1 >= 20,
        "lines were owed"
    );
    assert!(
        ua_share >= 0.2,
        "Ukraine leaves its private rule unanswered at times: {ua_share:.3}"
    );
    assert!(
        ua_share > 2.0 * ru_share,
        "a private rule is left unanswered more often than a public line: {ua_share:.3} vs {ru_share:.3}"
    );
    assert!(
        left_in_words > 0,
        "a planner says when it leaves a line unanswered"
    );
}
