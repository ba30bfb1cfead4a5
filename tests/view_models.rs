//! The view models from real games of the mini fixture: the ladder and relations the board
//! draws, the names the room reads, attribution corrected over turns, and the debrief's hidden
//! war and misattributions.

mod common;

use common::fixture::mini_with;
use grayzone::scenario::*;
use grayzone::sim::*;
use grayzone::view::{board_view, debrief_view, names};

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

fn accept(actor: &str, proposal: &str) -> SubmitOrders {
    let mut o = orders(actor, &[]);
    o.answers = vec![(proposal.into(), true)];
    o
}

fn mini() -> LoadedScenario {
    mini_with("plain", &[])
}

#[test]
fn the_board_draws_the_ladder_with_its_thresholds_crossed_when_the_room_sees_them() {
    let game = mini();
    let mut g = Game::new(&game, 1, &game.default_controllers());
    let before = board_view(&game.scenario, g.state(), "orders");
    let rungs: Vec<(usize, &str)> = before
        .ladder
        .iter()
        .map(|r| (r.position, r.name.as_str()))
        .collect();
    assert_eq!(
        rungs,
        [(0, "Calm"), (1, "Tense"), (2, "Cyber attacks"), (3, "War")]
    );
    let thresholds: Vec<(usize, &str)> = before
        .ladder
        .iter()
        .filter_map(|r| Some((r.position, r.threshold_above.as_ref()?.name.as_str())))
        .collect();
    assert_eq!(thresholds, [(1, "First blood")], "above Tense");
    assert_eq!(
        before.ladder[1]
            .threshold_above
            .as_ref()
            .unwrap()
            .crossed_on,
        None
    );
    // An overt attack on turn 2 takes alpha to the cyber rung, past "First blood".
    g.step();
    g.submit(orders("alpha", &[("answer", Some("beta"))]));
    g.step();
    let after = board_view(&game.scenario, g.state(), "orders");
    assert_eq!(
        after.ladder[1].threshold_above.as_ref().unwrap().crossed_on,
        Some(2)
    );
    let alpha = &after.actors[game.index.actors["alpha"]];
    assert_eq!((alpha.rung, alpha.rung_name.as_str()), (2, "Cyber attacks"));
}

#[test]
fn a_covert_act_its_victim_detects_moves_the_true_ladder_not_the_boards() {
    let game = mini();
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    let board = board_view(&game.scenario, g.state(), "orders");
    assert_eq!(
        g.state().actors[game.index.actors["alpha"]].rung,
        2,
        "beta saw it"
    );
    assert_eq!(
        board.ladder[1].threshold_above.as_ref().unwrap().crossed_on,
        None
    );
    assert_eq!(board.actors[game.index.actors["alpha"]].rung, 0);
    // The debrief draws the true ladder: crossed on turn 1.
    let d = debrief_view(&game.scenario, g.state(), g.log());
    assert_eq!(
        d.ladder[1].threshold_above.as_ref().unwrap().crossed_on,
        Some(1)
    );
}

#[test]
fn an_accepted_deal_and_a_hotline_are_listed_on_both_parties_cards_only() {
    let game = mini_with(
        "hotline",
        &[(
            "diplomacy.ron",
            r#"on_accept: [EscalateTo(Acting, "calm"), EscalateTo(Target, "calm")]"#,
            r#"on_accept: [EscalateTo(Acting, "calm"), EscalateTo(Target, "calm"), OpenChannel(Acting, Target)]"#,
        )],
    );
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.submit(orders("gamma", &[("propose_deal", Some("beta"))]));
    g.step();
    let board = board_view(&game.scenario, g.state(), "orders");
    assert!(
        board.actors.iter().all(|c| c.relations.is_empty()),
        "not yet"
    );
    g.submit(accept("beta", "deal"));
    g.step();
    let board = board_view(&game.scenario, g.state(), "orders");
    let relations = |id: &str| board.actors[game.index.actors[id]].relations.clone();
    assert_eq!(relations("gamma"), ["Hotline with Beta", "Deal with Beta"]);
    assert_eq!(relations("beta"), ["Hotline with Gamma", "Deal with Gamma"]);
    assert!(relations("alpha").is_empty());
    assert!(relations("proxy").is_empty());
}

#[test]
fn names_are_the_scenarios_words() {
    let game = mini();
    let s = &game.scenario;
    assert_eq!(names::actor_name(s, 1), "Beta");
    assert_eq!(names::actor_name(s, 2), "Proxy swarm");
    assert_eq!(names::actor_name(s, 99), "?");
    assert_eq!(names::actor_name_by_id(s, "gamma"), "Gamma");
    assert_eq!(names::actor_name_by_id(s, "nobody"), "nobody");
    assert_eq!(names::actor_index(s, "proxy"), Some(2));
    assert_eq!(names::actor_index(s, "nobody"), None);
    assert_eq!(names::action_name_by_id(s, "proxy_ddos"), "Proxy DDoS");
    assert_eq!(names::action_name_by_id(s, "nothing"), "nothing");
    assert_eq!(names::rung_name_by_id(s, "cyber"), "Cyber attacks");
    assert_eq!(names::rung_name_by_id(s, "peak"), "peak");
    assert_eq!(names::rung_name(s, 3), "War");
    assert_eq!(names::rung_name(s, 4), "?");
    assert_eq!(
        names::red_line_name_by_id(s, "beta_line"),
        "No cyber attacks"
    );
    assert_eq!(names::red_line_name_by_id(s, "none"), "none");
    assert_eq!(names::proposal_name_by_id(s, "deal"), "Deal");
    assert_eq!(names::proposal_name_by_id(s, "none"), "none");
    assert_eq!(names::kind(ActorKind::Swarm), "Hacker swarm");
    assert_eq!(names::kind(ActorKind::Alliance), "Alliance");
    assert_eq!(
        names::kind(ActorKind::InternationalBody),
        "International body"
    );
    assert_eq!(names::kind(ActorKind::State), "State");
    assert_eq!(
        names::controller(&Controller::Bot(Doctrine::TitForTat)),
        "Bot: tit-for-tat"
    );
    assert_eq!(names::controller(&Controller::Team), "Team");
    assert_eq!(names::controller(&Controller::Facilitator), "Facilitator");
    for (d, word) in [
        (Doctrine::Hawk, "hawk"),
        (Doctrine::Dove, "dove"),
        (Doctrine::Measured, "measured & targeted"),
        (Doctrine::RandomLegal, "random"),
        (Doctrine::Swarm, "swarm"),
    ] {
        assert_eq!(names::doctrine(d), word);
        assert!(
            names::controller_help(&Controller::Bot(d))
                .to_lowercase()
                .starts_with(&word.to_lowercase()[..4]),
            "{word}"
        );
    }
    assert!(names::controller_help(&Controller::Team).contains("team"));
    assert!(names::controller_help(&Controller::Facilitator).contains("facilitator"));
    assert_eq!(names::confidence(Confidence::Unknown), "unknown");
    assert_eq!(names::confidence(Confidence::Possible), "possible");
    assert_eq!(names::confidence(Confidence::Suspected), "suspected");
    assert_eq!(names::confidence(Confidence::Likely), "likely");
    assert_eq!(names::confidence(Confidence::HighlyLikely), "highly likely");
    assert_eq!(names::confidence(Confidence::Certain), "near certain");
    assert_eq!(names::domain(Domain::Cyber), "Cyber");
    assert_eq!(names::domain(Domain::Information), "Information");
    assert_eq!(names::domain(Domain::Diplomatic), "Diplomatic");
    assert_eq!(names::domain(Domain::Economic), "Economic");
    assert_eq!(names::domain(Domain::Military), "Military");
    assert_eq!(names::visibility(Visibility::Overt), "Overt");
    assert_eq!(names::visibility(Visibility::Covert), "Covert");
    assert_eq!(names::visibility(Visibility::Deniable), "Deniable");
    for (percent, bucket) in [
        (0, (10, "remote")),
        (19, (10, "remote")),
        (20, (30, "unlikely")),
        (39, (30, "unlikely")),
        (40, (50, "even")),
        (59, (50, "even")),
        (60, (70, "likely")),
        (79, (70, "likely")),
        (80, (90, "almost certain")),
    ] {
        assert_eq!(names::chance_bucket(percent), bucket, "{percent} %");
    }
}

#[test]
fn a_wrong_attribution_is_corrected_as_evidence_mounts_and_the_debrief_says_when() {
    // The proxy's DDoS is blamed on its sponsor, alpha; evidence 60 + 5 a turn is past the
    // reassessment level (50), so each turn beta may see through it.
    let game = mini();
    let (alpha, proxy) = (game.index.actors["alpha"], game.index.actors["proxy"]);
    let mut corrected_on = Vec::new();
    for seed in 1..=20 {
        let mut g = Game::new(&game, seed, &game.default_controllers());
        g.submit(orders("proxy", &[("proxy_ddos", Some("beta"))]));
        g.step();
        assert_eq!(g.state().incidents[0].suspect, Some(alpha), "seed {seed}");
        g.play_out();
        let inc = &g.state().incidents[0];
        assert_eq!(inc.suspect, Some(proxy), "seed {seed}: never corrected");
        let d = debrief_view(&game.scenario, g.state(), g.log());
        let rec = &d.incidents[0];
        assert_eq!(
            (rec.author.as_str(), rec.victim.as_str()),
            ("Proxy swarm", "Beta")
        );
        assert!(rec.ever_wrong && !rec.wrong_at_end, "{rec:?}");
        let turn = rec.corrected.expect("the debrief says when");
        assert!(turn >= 2, "corrected on turn {turn}");
        let suspects: Vec<(bool, Option<&str>)> = rec
            .blames
            .iter()
            .map(|b| (b.wrong, b.suspect.as_deref()))
            .collect();
        assert_eq!(
            suspects.first(),
            Some(&(true, Some("Alpha"))),
            "{suspects:?}"
        );
        assert_eq!(
            suspects.last(),
            Some(&(false, Some("Proxy swarm"))),
            "{suspects:?}"
        );
        assert!(
            d.hidden.is_empty(),
            "corrected: no longer hidden: {:?}",
            d.hidden
        );
        corrected_on.push(turn);
    }
    // The chance grows with the evidence: not always on the first turn it could be.
    assert!(corrected_on.iter().any(|&t| t > 2), "{corrected_on:?}");
}

#[test]
fn evidence_below_the_reassessment_level_never_corrects_and_the_debrief_shows_the_hidden_war() {
    let game = mini_with(
        "weak-evidence",
        &[
            (
                "actions.ron",
                "initial_evidence: 60, evidence_per_turn: 5",
                "initial_evidence: 40, evidence_per_turn: 1",
            ),
            (
                "actions.ron",
                "(detect: 100, initial_evidence: 30",
                "(detect: 0, initial_evidence: 30",
            ),
        ],
    );
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.submit(orders("proxy", &[("proxy_ddos", Some("beta"))]));
    g.submit(orders("alpha", &[("covert_hack", Some("gamma"))]));
    g.submit(orders("beta", &[("answer", Some("gamma"))]));
    g.play_out();
    let st = g.state();
    assert_eq!(st.incidents.len(), 3);
    let d = debrief_view(&game.scenario, st, g.log());
    // Evidence 40 + 1 a turn stays under 50: the wrong blame stands to the end.
    let ddos = d
        .incidents
        .iter()
        .find(|i| i.action == "Proxy DDoS")
        .unwrap();
    assert!(ddos.ever_wrong && ddos.wrong_at_end && ddos.corrected.is_none());
    assert_eq!(
        d.hidden,
        [
            "T1 Covert hack by Alpha against Gamma — never detected",
            "T1 Proxy DDoS by Proxy swarm against Beta — blamed on Alpha",
        ]
    );
    // The overt answer was never hidden.
    let answer = d.incidents.iter().find(|i| i.action == "Answer in kind");
    assert!(
        answer.is_none_or(|i| i.overt && !i.ever_wrong),
        "{answer:?}"
    );
}

#[test]
fn the_board_shows_the_turn_crisis_cards_and_news_of_a_real_game() {
    let game = mini();
    let s = &game.scenario;
    let mut g = Game::new(&game, 1, &game.default_controllers());
    // Turn 1: beta answers alpha in the open (cyber rung); turn 2: gamma proposes a deal.
    g.submit(orders("beta", &[("answer", Some("alpha"))]));
    g.step();
    g.submit(orders("gamma", &[("propose_deal", Some("beta"))]));
    g.step();
    let board = board_view(s, g.state(), "reveal");
    assert_eq!((board.turn, board.turns), (3, 6));
    assert_eq!(board.phase, "reveal");
    assert_eq!(board.title, "Mini");
    assert_eq!(
        (board.crisis, board.crisis_name.as_str()),
        (2, "Cyber attacks")
    );
    // News, newest first: the opening inject of turn 1 is the oldest.
    let news: Vec<(u32, &str)> = board
        .headlines
        .iter()
        .map(|h| (h.turn, h.text.as_str()))
        .collect();
    assert_eq!(news.last(), Some(&(1, "The game begins")), "{news:?}");
    assert!(news.windows(2).all(|w| w[0].0 >= w[1].0), "{news:?}");
    // The overt answer is a public incident, named on beta.
    let inc = board.incidents.first().expect("the answer is public");
    assert_eq!(
        (inc.turn, inc.action.as_str(), inc.victim.as_str()),
        (1, "Answer in kind", "Alpha")
    );
    assert_eq!(inc.attributed_to.as_deref(), Some("Beta"));
    // Cards: names, codes, kinds, who plays them; public attributes with their bars, never the
    // private "Secret".
    let beta = &board.actors[1];
    assert_eq!(
        (
            beta.name.as_str(),
            beta.code.as_str(),
            beta.kind.as_str(),
            beta.side.as_str()
        ),
        ("Beta", "BET", "State", "y")
    );
    assert_eq!((beta.controller.as_str(), beta.is_team), ("Team", true));
    assert_eq!((beta.rung, beta.rung_name.as_str()), (2, "Cyber attacks"));
    let attrs: Vec<(&str, i32, &str, f32)> = beta
        .attrs
        .iter()
        .map(|a| (a.name.as_str(), a.value, a.shown.as_str(), a.fill))
        .collect();
    assert_eq!(
        attrs,
        [("Power", 5, "5", 0.5), ("Control", 0, "0", 0.0)],
        "{attrs:?}"
    );
    assert_eq!(board.actors[2].kind, "Hacker swarm");
    // beta's public red line, as the room sees it.
    let line = &beta.red_lines[0];
    assert_eq!(
        (line.name.as_str(), line.credibility, line.public),
        ("No cyber attacks", 50, true)
    );
    assert!(board.ending.is_none());
    g.play_out();
    let board = board_view(s, g.state(), "ending");
    let ending = board.ending.expect("the game ended");
    let reached = &s.endings[g.state().ending.as_ref().unwrap().ending];
    assert_eq!(ending.0, reached.name);
}

#[test]
fn the_reveal_says_who_climbs_and_who_steps_down() {
    let game = mini();
    let s = &game.scenario;
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.submit(orders("beta", &[("answer", Some("alpha"))]));
    g.step();
    let texts = |g: &Game, turn| -> Vec<String> {
        grayzone::view::reveal_steps(s, Some(g.state()), g.log(), turn)
            .into_iter()
            .map(|r| r.text)
            .collect()
    };
    let turn1 = texts(&g, 1);
    assert!(
        turn1
            .iter()
            .any(|t| t == "Beta climbs the ladder: Calm → Cyber attacks"),
        "{turn1:?}"
    );
    // The deal brings beta back to calm.
    g.submit(orders("gamma", &[("propose_deal", Some("beta"))]));
    g.step();
    g.submit(accept("beta", "deal"));
    g.step();
    let turn3 = texts(&g, 3);
    assert!(
        turn3
            .iter()
            .any(|t| t == "Beta steps down the ladder: Cyber attacks → Calm"),
        "{turn3:?}"
    );
}

#[test]
fn a_bar_fills_from_the_attributes_minimum_to_its_maximum() {
    let game = mini_with(
        "min-two",
        &[(
            "scenario.ron",
            r#"(id: "power", name: "Power", min: 0, max: 10, default: 5)"#,
            r#"(id: "power", name: "Power", min: 2, max: 10, default: 5)"#,
        )],
    );
    let g = Game::new(&game, 1, &game.default_controllers());
    let board = board_view(&game.scenario, g.state(), "orders");
    let power = &board.actors[0].attrs[0];
    assert_eq!(
        (power.name.as_str(), power.value, power.min, power.max),
        ("Power", 5, 2, Some(10))
    );
    assert_eq!(power.fill, 0.375, "(5 - 2) / (10 - 2)");
}

#[test]
fn a_bar_without_a_maximum_is_full_above_the_minimum_and_empty_at_it() {
    let game = mini_with(
        "no-max",
        &[(
            "scenario.ron",
            r#"(id: "control", name: "Control", min: 0, max: 100, default: 0)"#,
            r#"(id: "control", name: "Control", min: 0, max: None, default: 0)"#,
        )],
    );
    let g = Game::new(&game, 1, &game.default_controllers());
    let board = board_view(&game.scenario, g.state(), "orders");
    let control = |id: &str| {
        board.actors[game.index.actors[id]]
            .attrs
            .iter()
            .find(|a| a.name == "Control")
            .map(|a| (a.value, a.max, a.fill))
            .unwrap()
    };
    assert_eq!(control("proxy"), (100, None, 1.0));
    assert_eq!(control("alpha"), (0, None, 0.0));
}

#[test]
fn a_teams_own_card_shows_where_the_room_sees_it_only_when_that_differs() {
    let game = mini();
    let s = &game.scenario;
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.submit(orders("beta", &[("answer", Some("gamma"))]));
    g.step();
    let own =
        |id: &str| grayzone::view::board::actor_card(s, g.state(), game.index.actors[id], true);
    // alpha's covert hack, detected by beta but not public: true rung 2, the room sees Calm.
    let alpha = own("alpha");
    assert_eq!(
        (alpha.rung, alpha.room_rung.clone()),
        (2, Some((0, "Calm".to_string())))
    );
    // beta acted in the open: the room sees it where it is.
    let beta = own("beta");
    assert_eq!((beta.rung, beta.room_rung), (2, None));
    assert_eq!(own("gamma").room_rung, None);
    // The private card shows the private attribute; the room's card does not.
    assert!(alpha.attrs.iter().any(|a| a.name == "Secret" && !a.public));
    let room = grayzone::view::board::actor_card(s, g.state(), game.index.actors["alpha"], false);
    assert!(room.attrs.iter().all(|a| a.name != "Secret"));
    assert_eq!(room.rung, 0);
}

#[test]
fn the_norms_ledger_has_one_line_per_norm_an_actor_broke_or_upheld_with_its_turns() {
    // The mini fixture with a second norm, an overt answer that breaks it, an overt sabotage
    // that breaks the first, and a wait that upholds both.
    let game = mini_with(
        "two-norms",
        &[
            (
                "scenario.ron",
                r#"on_uphold: [AddAttr(Acting, "power", 1)])],"#,
                r#"on_uphold: [AddAttr(Acting, "power", 1)]),
        (id: "g", text: "No reprisals on civilians", on_breach: [AddAttr(Acting, "power", -1)])],"#,
            ),
            (
                "actions.ron",
                "target: Actor(AnyOther), chance: 100, visibility: Overt),",
                r#"target: Actor(AnyOther), chance: 100, visibility: Overt, norms: (breaks: ["g"])),
        (id: "open_sabotage", name: "Open sabotage", domain: Cyber, intent: Offensive, rung: "cyber", by: Kind(State),
         target: Actor(AnyOther), chance: 100, visibility: Overt, norms: (breaks: ["f"])),"#,
            ),
            (
                "actions.ron",
                r#"rung: "calm", chance: 100, visibility: Overt,"#,
                r#"rung: "calm", chance: 100, visibility: Overt, norms: (upholds: ["f", "g"]),"#,
            ),
        ],
    );
    let controllers = game.default_controllers();
    let mut record = SessionRecord::new(&game, std::path::Path::new("mini"), 1, &controllers);
    let mut g = Game::new(&game, 1, &controllers);
    // Alpha breaks g, then f, then g again; beta upholds f and g with one act.
    let turns = [
        vec![
            orders("alpha", &[("answer", Some("beta"))]),
            orders("beta", &[("wait", None)]),
        ],
        vec![orders("alpha", &[("open_sabotage", Some("beta"))])],
        vec![orders("alpha", &[("answer", Some("gamma"))])],
    ];
    for (turn, all) in (1..).zip(turns) {
        for o in all {
            record.record_orders(turn, o.clone());
            g.submit(o);
        }
        assert!(g.step(), "the game goes on after turn {turn}");
    }
    record.stamp_hashes(g.log());
    let d = grayzone::view::debrief::debrief_of_record(&game, &record);
    let ledger = |actor: &str| d.norms.iter().find(|n| n.actor == actor).unwrap();
    let f = "No attacks on infrastructure (f)".to_string();
    let g_norm = "No reprisals on civilians (g)".to_string();
    let alpha = ledger("Alpha");
    assert_eq!(
        alpha.broken,
        [(g_norm.clone(), vec![1, 3]), (f.clone(), vec![2])],
        "{alpha:?}"
    );
    assert!(alpha.upheld.is_empty(), "{alpha:?}");
    let beta = ledger("Beta");
    assert_eq!(beta.upheld, [(f, vec![1]), (g_norm, vec![1])], "{beta:?}");
    assert!(beta.broken.is_empty(), "{beta:?}");
    assert!(ledger("Gamma").broken.is_empty() && ledger("Gamma").upheld.is_empty());
}

#[test]
fn the_debriefs_public_timeline_lists_the_threshold_crossings_the_room_saw() {
    let game = mini();
    let mut g = Game::new(&game, 1, &game.default_controllers());
    // Alpha's covert hack crosses "First blood" where the room cannot see it; Beta's overt
    // answer crosses it in the open on the next turn.
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    g.submit(orders("beta", &[("answer", Some("alpha"))]));
    g.step();
    let d = debrief_view(&game.scenario, g.state(), g.log());
    let crossings: Vec<(u32, &str)> = d
        .timeline
        .iter()
        .filter(|l| l.text.starts_with("Threshold"))
        .map(|l| (l.turn, l.text.as_str()))
        .collect();
    assert_eq!(
        crossings,
        [(2, "Threshold \"First blood\" crossed by Beta")],
        "{:#?}",
        d.timeline
    );
}

#[test]
fn a_teams_card_shows_its_cost_and_the_norm_it_breaks_in_the_scenarios_words() {
    let game = mini();
    let s = &game.scenario;
    let g = Game::new(&game, 1, &game.default_controllers());
    let alpha = game.index.actors["alpha"];
    let cards = grayzone::view::legal_cards(s, &game.index, g.state(), alpha);
    let team = grayzone::view::team_view(s, g.state(), g.log(), alpha, &cards);
    let hack = team
        .cards
        .iter()
        .find(|c| c.id == "covert_hack")
        .expect("alpha may hack on turn 1");
    // `cost: {"power": 1}`: the attribute's name, not another attribute's (nor its id).
    assert_eq!(hack.cost, ["1 Power"]);
    assert_eq!(
        hack.breaks,
        [("f".to_string(), "No attacks on infrastructure".to_string())]
    );
    let targets: Vec<&str> = hack.targets.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(targets, ["Beta", "Proxy swarm", "Gamma"]);
}
