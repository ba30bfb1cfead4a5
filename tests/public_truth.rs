//! Public truth: the room sees what the world could know, and nothing a team kept secret.
//!
//! Properties over many seeded games of every shipped scenario (random legal orders), plus one
//! test for each leak a facilitator found on the projector: covert acts moving their actor's
//! token, covert costs showing on public bars, a deniable red-line answer announced by name,
//! naming and shaming listed as an incident, a facilitator's override shown to the room.

use std::path::Path;

use grayzone::scenario::*;
use grayzone::sim::*;
use grayzone::view::public::PublicRecord;
use grayzone::view::{board, board_view, legal_cards, reveal_steps, team_view};

fn load(dir: &str) -> LoadedScenario {
    LoadedScenario::load(Path::new(dir))
        .expect("scenario loads")
        .0
}

/// A copy of the mini fixture with some of its text replaced, loaded through the one load path.
fn mini_with(edits: &[(&str, &str, &str)]) -> LoadedScenario {
    let dir = std::env::temp_dir().join(format!(
        "grayzone-public-truth-{}-{}",
        std::process::id(),
        edits.len() + edits.iter().map(|e| e.2.len()).sum::<usize>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/mini").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let mut text = std::fs::read_to_string(&path).unwrap();
        for (file, from, to) in edits {
            if *file == name {
                assert!(text.contains(from), "{name} has {from}");
                text = text.replace(from, to);
            }
        }
        std::fs::write(dir.join(&name), text).unwrap();
    }
    let loaded = LoadedScenario::load(&dir).expect("edited fixture loads").0;
    std::fs::remove_dir_all(&dir).ok();
    loaded
}

fn orders(actor: &str, list: &[(&str, Option<&str>)]) -> SubmitOrders {
    SubmitOrders {
        actor: actor.into(),
        orders: list
            .iter()
            .map(|(a, t)| Order {
                action: a.to_string(),
                target: t.map(str::to_string),
            })
            .collect(),
        answers: vec![],
        rationale: String::new(),
    }
}

/// Every text the room may read this turn: the board (cards, incidents, headlines, ladder)
/// and the reveal.
fn room_texts(g: &Game, loaded: &LoadedScenario, turn: u32) -> String {
    let s = &loaded.scenario;
    let board = board_view(s, g.state(), "reveal");
    let reveal = reveal_steps(s, Some(g.state()), g.log(), turn);
    format!("{board:?}\n{reveal:?}")
}

/// The same state with every private fact changed: true rungs and values, hidden attributes,
/// true authors, undisclosed incidents, private red lines, true thresholds, bots' plans.
fn scrambled(s: &Scenario, st: &GameState, salt: usize) -> GameState {
    let mut x = st.clone();
    let rungs = s.meta.ladder.rungs.len();
    let n = x.actors.len();
    for (i, a) in x.actors.iter_mut().enumerate() {
        a.rung = (a.rung + 1 + salt + i) % rungs;
        a.threshold = (a.threshold + salt) % rungs;
        for v in a.attrs.iter_mut() {
            *v = v.wrapping_add(17 + salt as i32);
        }
        for v in a.damage.iter_mut().chain(a.resilience.iter_mut()) {
            *v = (*v + 33) % 101;
        }
        a.rung_history
            .iter_mut()
            .for_each(|r| *r = (*r + 1) % rungs);
        a.action_overrides
            .insert(salt % s.actions.len().max(1), salt.is_multiple_of(2));
    }
    for inc in x.incidents.iter_mut() {
        // The true author is private, even of a public incident pinned on someone else.
        inc.actor = (inc.actor + 1 + salt) % n;
        if !inc.public {
            inc.suspect = Some((inc.actor + 1) % n);
            inc.evidence = (inc.evidence + 41) % 101;
            inc.detected = inc.detected.map_or(Some(1), |_| None);
            inc.success = !inc.success;
        }
    }
    for (def, rl) in s.red_lines.iter().zip(x.red_lines.iter_mut()) {
        rl.credibility = (rl.credibility + 29) % 101;
        rl.enforced += 3;
        rl.ignored += 5;
        rl.crossings.push((99, 0));
        if !def.public {
            rl.declared = !rl.declared;
        }
    }
    for t in x.thresholds_crossed.iter_mut() {
        *t = if t.is_some() { None } else { Some(1) };
    }
    x.crisis_history
        .iter_mut()
        .for_each(|c| *c = (*c + 1) % rungs);
    x.obligations.clear();
    x.history.clear();
    x.delayed.clear();
    x.scheduled.clear();
    x.crossed_incidents.clear();
    x.switches.insert(format!("private-{salt}"));
    x
}

/// Over many seeded games of every shipped scenario with random legal orders: at the end of
/// every turn the public board is (1) unchanged when any private fact changes, (2) identical
/// whether built from the full state or from the public record alone, and (3) its ladder
/// tokens are exactly where the public log's moves put them.
#[test]
fn the_room_sees_only_the_public_record_over_many_games() {
    let mut dirs: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut turns_checked = 0;
    let mut hidden_moves = 0;
    for dir in dirs {
        let loaded = LoadedScenario::load(&dir)
            .expect("shipped scenario loads")
            .0;
        let s = &loaded.scenario;
        let controllers = grayzone::cli::bot_controllers(&loaded, &[], Some("random")).unwrap();
        for seed in 1..=30u64 {
            let mut g = Game::new(&loaded, seed, &controllers);
            let mut tokens: Vec<usize> = g.state().public.rungs.clone();
            let mut seen = 0;
            loop {
                let turn = g.state().turn;
                let running = g.step();
                let st = g.state();
                let board = board_view(s, st, "orders");
                // (1) No private fact moves a field of the public board.
                let other = scrambled(s, st, (seed as usize + turn as usize) % 7);
                assert_eq!(
                    board_view(s, &other, "orders"),
                    board,
                    "{}: seed {seed} turn {turn}: a private fact changed the board",
                    dir.display()
                );
                // (2) The board is a function of the public record.
                let record = PublicRecord::of(s, st);
                assert_eq!(board::public_board_view(s, &record, "orders"), board);
                // (3) Tokens move only with public log entries.
                for e in &g.log().entries[seen..] {
                    if let (Audience::Public, Event::Escalated { actor, to, .. }) =
                        (&e.audience, &e.event)
                    {
                        tokens[loaded.index.actors[actor.as_str()]] = loaded.index.rungs[to];
                    }
                }
                seen = g.log().entries.len();
                let on_board: Vec<usize> = board.actors.iter().map(|c| c.rung).collect();
                assert_eq!(
                    on_board,
                    tokens,
                    "{}: seed {seed} turn {turn}",
                    dir.display()
                );
                // The reveal is built from public entries only.
                let public_only = GameLog {
                    entries: g
                        .log()
                        .entries
                        .iter()
                        .filter(|e| e.audience == Audience::Public)
                        .cloned()
                        .collect(),
                    ..GameLog::default()
                };
                assert_eq!(
                    reveal_steps(s, Some(&other), &public_only, turn),
                    reveal_steps(s, Some(st), g.log(), turn)
                );
                hidden_moves += st
                    .actors
                    .iter()
                    .zip(&st.public.rungs)
                    .filter(|(a, p)| a.rung != **p)
                    .count();
                turns_checked += 1;
                if !running {
                    break;
                }
            }
        }
    }
    assert!(turns_checked > 500, "{turns_checked} turns checked");
    // The property is not vacuous: covert play often leaves true and public rungs apart.
    assert!(hidden_moves > 100, "only {hidden_moves} hidden rung moves");
}

#[test]
fn a_covert_act_moves_neither_its_token_nor_its_public_bars() {
    let game = load("tests/fixtures/mini");
    let s = &game.scenario;
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    let st = g.state();
    let alpha = game.index.actors["alpha"];
    // The victim detected it at once: alpha's true rung is "cyber", and its power was spent.
    assert_eq!(st.actors[alpha].rung, game.index.rungs["cyber"]);
    assert_eq!(st.actors[alpha].attrs[game.index.attributes["power"]], 4);
    let board = board_view(s, st, "reveal");
    let card = &board.actors[alpha];
    assert_eq!(
        card.rung, game.index.rungs["calm"],
        "the room's token stays"
    );
    let power = card.attrs.iter().find(|a| a.name == "Power").unwrap();
    assert_eq!(power.value, 5, "covert costs never show on the board");
    // The team knows the truth, and where the room sees it.
    let cards = legal_cards(s, &game.index, st, alpha);
    let team = team_view(s, st, g.log(), alpha, &cards);
    assert_eq!(team.card.rung, game.index.rungs["cyber"]);
    assert_eq!(
        team.card.room_rung.as_ref().map(|r| r.0),
        Some(game.index.rungs["calm"])
    );
    assert_eq!(
        team.card
            .attrs
            .iter()
            .find(|a| a.name == "Power")
            .unwrap()
            .value,
        4
    );
    // Nothing the room reads names alpha: no roll, no climb, no threshold "by Alpha".
    let texts = room_texts(&g, &game, 1);
    let reveal = reveal_steps(s, Some(st), g.log(), 1);
    assert!(
        reveal.iter().all(|r| !r.text.contains("Alpha")),
        "{reveal:#?}"
    );
    assert!(!texts.contains("Covert hack"), "{texts}");
    for e in g
        .log()
        .entries
        .iter()
        .filter(|e| e.audience == Audience::Public)
    {
        let text = format!("{:?}", e.event);
        assert!(
            !text.contains("\"alpha\""),
            "public entry names alpha: {text}"
        );
    }
}

#[test]
fn a_public_attribution_moves_the_named_actor_even_when_wrongly_named() {
    let game = load("tests/fixtures/mini");
    let s = &game.scenario;
    let mut g = Game::new(&game, 11, &game.default_controllers());
    // The swarm's deniable DDoS is pinned on its sponsor, alpha.
    g.submit(orders("proxy", &[("proxy_ddos", Some("beta"))]));
    g.step();
    let alpha = game.index.actors["alpha"];
    let proxy = game.index.actors["proxy"];
    assert_eq!(g.state().incidents[0].suspect, Some(alpha));
    let board = board_view(s, g.state(), "reveal");
    assert_eq!(board.actors[proxy].rung, 0, "a deniable act moves no token");
    assert_eq!(board.actors[alpha].rung, 0);
    assert!(board.incidents.is_empty());
    // Beta names alpha in public: the room now sees alpha (not the swarm) at the act's rung.
    let mut st = g.state().clone();
    let mut rng = GameRng::new(1);
    let mut log = GameLog::default();
    let mut e = Engine::new(
        s,
        &game.index,
        &mut st,
        &mut rng,
        &mut log,
        Phase::Resolution,
    );
    let effects: Vec<Effect> = grayzone::scenario::load::parse_ron(
        Path::new("inline.ron"),
        "[PublicAttribution(victim: Target, culprit: Acting)]",
    )
    .unwrap();
    let b = Bindings {
        acting: Some(alpha),
        target: Some(game.index.actors["beta"]),
        ..Default::default()
    };
    e.apply(&effects, b, "test");
    let board = board_view(s, &st, "reveal");
    assert_eq!(board.actors[alpha].rung, game.index.rungs["cyber"]);
    assert_eq!(board.actors[proxy].rung, 0);
    assert_eq!(board.incidents.len(), 1);
    assert_eq!(board.incidents[0].attributed_to.as_deref(), Some("Alpha"));
    assert_eq!(st.actors[alpha].rung, 0, "alpha's true rung does not move");
}

#[test]
fn a_deniable_answer_to_a_red_line_appears_as_an_incident_not_a_name() {
    // Beta's answer is deniable here.
    let game = mini_with(&[(
        "actions.ron",
        r#"target: Actor(AnyOther), chance: 100, visibility: Overt),
        (id: "wait""#,
        r#"target: Actor(AnyOther), chance: 100, visibility: Deniable,
         attribution: (detect: 100, initial_evidence: 10, evidence_per_turn: 1)),
        (id: "wait""#,
    )]);
    let s = &game.scenario;
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    g.step(); // crossed at turn 2: beta announces it (a public red line)
    let beta = game.index.actors["beta"];
    assert_eq!(g.state().public.red_lines[0].crossed, 1);
    g.submit(orders("beta", &[("answer", Some("alpha"))]));
    g.step();
    let rl = &g.state().red_lines[0];
    assert_eq!(rl.enforced, 1, "beta did answer");
    assert_eq!(rl.credibility, 60);
    let card = &board_view(s, g.state(), "reveal").actors[beta];
    assert_eq!(card.red_lines[0].enforced, 0, "the room saw no answer");
    assert_eq!(card.red_lines[0].credibility, 50);
    assert_eq!(card.rung, 0, "a deniable answer moves no token");
    for e in g.log().entries.iter().filter(|e| e.turn == 3) {
        if e.audience == Audience::Public {
            assert!(
                !matches!(e.event, Event::RedLineEnforced { .. } | Event::Roll { .. }),
                "{:?}",
                e.event
            );
        }
    }
    // The owner's team knows it answered.
    let own = team_view(s, g.state(), g.log(), beta, &[]);
    assert_eq!(own.card.red_lines[0].enforced, 1);
    // The same answer given in the open is announced by name.
    let open = load("tests/fixtures/mini");
    let mut g = Game::new(&open, 5, &open.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    g.step();
    g.submit(orders("beta", &[("answer", Some("alpha"))]));
    g.step();
    assert!(
        g.log()
            .entries
            .iter()
            .any(|e| e.audience == Audience::Public
                && matches!(&e.event, Event::RedLineEnforced { owner, .. } if owner == "beta"))
    );
    let card = &board_view(&open.scenario, g.state(), "reveal").actors[beta];
    assert_eq!(card.red_lines[0].enforced, 1);
    assert_eq!(card.red_lines[0].credibility, 60);
}

#[test]
fn naming_and_shaming_is_a_public_act_not_an_incident() {
    let game = load("scenarios/forward_defense_2022");
    let s = &game.scenario;
    let mut controllers = game.default_controllers();
    controllers.iter_mut().for_each(|c| *c = Controller::Team);
    let mut g = Game::new(&game, 3, &controllers);
    g.submit(orders(
        "united_states",
        &[("public_attribution", Some("russia"))],
    ));
    g.step();
    let shame = game.index.actions["public_attribution"];
    assert!(
        g.state().history.iter().any(|r| r.action == shame),
        "the order was played"
    );
    assert!(
        g.state().incidents.iter().all(|i| i.action != shame),
        "no incident for naming and shaming"
    );
    let russia = game.index.actors["russia"];
    let team = team_view(s, g.state(), g.log(), russia, &[]);
    assert!(
        team.incidents.iter().all(|i| i.action != "Name and shame"),
        "{:?}",
        team.incidents
    );
    // The room saw it.
    let reveal = reveal_steps(s, Some(g.state()), g.log(), 1);
    assert!(reveal.iter().any(|r| r.text.contains("Name and shame")));
}

#[test]
fn a_facilitator_override_is_not_shown_to_the_room() {
    let game = load("tests/fixtures/mini");
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.command(FacilitatorCommand::ForceOutcome(
        "alpha".into(),
        "covert_hack".into(),
        false,
    ));
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    let overrides: Vec<_> = g
        .log()
        .entries
        .iter()
        .filter(|e| matches!(&e.event, Event::Effect { source, .. } if source == "facilitator"))
        .collect();
    assert_eq!(overrides.len(), 1, "the override is recorded");
    assert_eq!(overrides[0].audience, Audience::Private(vec![]));
    assert!(!overrides[0].audience.visible_to("alpha"));
}

#[test]
fn the_crisis_level_the_room_sees_is_the_public_one() {
    let game = load("tests/fixtures/mini");
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    assert_eq!(g.state().crisis(), game.index.rungs["cyber"]);
    assert_eq!(g.state().public_crisis(), 0);
    let board = board_view(&game.scenario, g.state(), "reveal");
    assert_eq!(board.crisis, 0);
    let ended = g
        .log()
        .entries
        .iter()
        .find_map(|e| match &e.event {
            Event::TurnEnded { crisis, .. } => Some(crisis.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        ended, "calm",
        "the public turn summary carries the room's level"
    );
}
