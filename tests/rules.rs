//! Rule tests on a small fixture scenario: every condition and effect kind, red lines,
//! attribution over turns, proxy misattribution, delayed effects, diplomacy, endings.

mod common;

use std::path::Path;

use bevy::ecs::system::RunSystemOnce;
use common::fixture::mini_with;
use grayzone::scenario::*;
use grayzone::sim::*;

fn mini() -> LoadedScenario {
    LoadedScenario::load(Path::new("tests/fixtures/mini"))
        .expect("fixture loads")
        .0
}

fn parse<T: serde::de::DeserializeOwned>(s: &str) -> T {
    grayzone::scenario::load::parse_ron(Path::new("inline.ron"), s).expect("inline RON parses")
}

/// A state, dice and log for direct rule checks.
struct Bench {
    game: LoadedScenario,
    st: GameState,
    rng: GameRng,
    log: GameLog,
}

impl Bench {
    fn new() -> Self {
        let game = mini();
        let st = GameState::new(&game.scenario, &game.index, &game.default_controllers());
        Bench {
            game,
            st,
            rng: GameRng::new(1),
            log: GameLog::default(),
        }
    }
    fn a(&self, id: &str) -> usize {
        self.game.index.actors[id]
    }
    fn attr(&self, actor: &str, attr: &str) -> i32 {
        self.st.actors[self.a(actor)].attrs[self.game.index.attributes[attr]]
    }
    fn b(&self, acting: &str, target: &str) -> Bindings {
        Bindings {
            acting: Some(self.a(acting)),
            target: Some(self.a(target)),
            owner: None,
            each: None,
        }
    }
    fn apply(&mut self, effects: &str, b: Bindings) {
        let effects: Vec<Effect> = parse(effects);
        let mut e = Engine::new(
            &self.game.scenario,
            &self.game.index,
            &mut self.st,
            &mut self.rng,
            &mut self.log,
            Phase::Resolution,
        );
        e.apply(&effects, b, "test");
    }
    fn holds(&mut self, cond: &str, b: Bindings) -> bool {
        let c: Condition = parse(cond);
        let ctx = Ctx {
            sc: &self.game.scenario,
            ix: &self.game.index,
            st: &self.st,
        };
        ctx.eval(&c, b, Some(&mut self.rng))
    }
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

#[test]
fn every_effect_kind_changes_the_state() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    // AddAttr / SetAttr clamp to the declared range.
    t.apply(r#"[AddAttr(Acting, "power", 100)]"#, ab);
    assert_eq!(t.attr("alpha", "power"), 10);
    t.apply(r#"[SetAttr(Target, "power", -4)]"#, ab);
    assert_eq!(t.attr("beta", "power"), 0);
    // Damage is reduced by resilience; Harden raises resilience.
    t.apply(
        r#"[Damage(Acting, "grid", 20), Damage(Target, "grid", 20)]"#,
        ab,
    );
    let grid = t.game.index.sectors["grid"];
    assert_eq!(
        t.st.actors[t.a("alpha")].damage[grid],
        10,
        "resilience 50 halves damage"
    );
    assert_eq!(t.st.actors[t.a("beta")].damage[grid], 20);
    t.apply(r#"[Harden(Acting, "grid", 30)]"#, ab);
    assert_eq!(t.st.actors[t.a("alpha")].resilience[grid], 80);
    // Ladder moves.
    t.apply(r#"[EscalateTo(Acting, "cyber")]"#, ab);
    assert_eq!(t.st.actors[t.a("alpha")].rung, 2);
    t.apply(r#"[EscalateBy(Acting, -5)]"#, ab);
    assert_eq!(
        t.st.actors[t.a("alpha")].rung,
        0,
        "clamped at the bottom rung"
    );
    t.apply(r#"[ShiftThreshold(Target, -1)]"#, ab);
    assert_eq!(t.st.actors[t.a("beta")].threshold, 2);
    // Red lines.
    t.apply(
        r#"[DeclareRedLine("dormant"), AdjustCredibility("dormant", 25)]"#,
        ab,
    );
    assert!(t.st.red_lines[1].declared);
    assert_eq!(t.st.red_lines[1].credibility, 65);
    t.apply(r#"[WithdrawRedLine("dormant")]"#, ab);
    assert!(!t.st.red_lines[1].declared);
    // Enable / disable actions.
    t.apply(r#"[EnableAction(Acting, "strike")]"#, ab);
    let strike = t.game.index.actions["strike"];
    assert_eq!(
        t.st.actors[t.a("alpha")].action_overrides.get(&strike),
        Some(&true)
    );
    t.apply(r#"[DisableAction(Acting, "strike")]"#, ab);
    assert_eq!(
        t.st.actors[t.a("alpha")].action_overrides.get(&strike),
        Some(&false)
    );
    // Swarm stance, channels, proposals, agreements.
    t.apply(r#"[SetStance(Actor("proxy"), Restrain)]"#, ab);
    assert_eq!(
        t.st.actors[t.a("proxy")].stance,
        Some(SwarmStance::Restrain)
    );
    t.apply(r#"[OpenChannel(Acting, Target)]"#, ab);
    assert!(t.st.channels.contains(&(0, 1)));
    t.apply(r#"[CloseChannel(Target, Acting)]"#, ab);
    assert!(t.st.channels.is_empty());
    t.apply(r#"[Propose("deal", Target)]"#, ab);
    assert_eq!(t.st.pending.len(), 1);
    t.st.agreements.push(Agreement {
        proposal: 0,
        parties: (0, 1),
        since: 1,
    });
    t.apply(r#"[BreakAgreement("deal")]"#, ab);
    assert!(t.st.agreements.is_empty());
    // Injects, headlines, switches, endings.
    t.apply(r#"[FireInject("manual")]"#, ab);
    assert!(t.st.injects_fired[2].is_some());
    assert!(t.st.switches.contains("chose_a") || t.st.switches.contains("chose_b"));
    t.apply(r#"[ScheduleInject("alarm", 2)]"#, ab);
    assert_eq!(t.st.scheduled, vec![(3, 1)]);
    t.apply(r#"[Headline("{acting} warns {target}")]"#, ab);
    assert!(t.st.headlines.iter().any(|(_, h)| h == "Alpha warns Beta"));
    t.apply(r#"[SetSwitch("lights", true)]"#, ab);
    assert!(t.st.switches.contains("lights"));
    // Control flow: If, Random, After, ForEach.
    t.apply(
        r#"[If(Turn(AtLeast(5)), [SetAttr(Acting, "secret", 1)], [SetAttr(Acting, "secret", 2)])]"#,
        ab,
    );
    assert_eq!(t.attr("alpha", "secret"), 2);
    t.apply(
        r#"[Random([(0, [SetAttr(Acting, "secret", 7)]), (1, [SetAttr(Acting, "secret", 9)])])]"#,
        ab,
    );
    assert_eq!(t.attr("alpha", "secret"), 9, "a zero weight is never drawn");
    t.apply(r#"[After(2, [SetAttr(Acting, "secret", 50)])]"#, ab);
    assert_eq!(t.st.delayed.len(), 1);
    assert_eq!(t.st.delayed[0].due, 3);
    t.apply(
        r#"[ForEach(Side("x"), [SetAttr(Each, "control", 42)])]"#,
        ab,
    );
    assert_eq!(t.attr("gamma", "control"), 42);
    assert_eq!(t.attr("proxy", "control"), 42);
    assert_eq!(t.attr("beta", "control"), 0);
    t.apply(r#"[EndGame("war")]"#, ab);
    assert_eq!(t.st.ending.as_ref().map(|e| e.ending), Some(0));
}

#[test]
fn attribution_effects_reveal_add_evidence_publish_and_acknowledge() {
    let mut t = Bench::new();
    let (alpha, beta) = (t.a("alpha"), t.a("beta"));
    for id in 1..=2 {
        t.st.incidents.push(Incident {
            id,
            turn: 1,
            action: 0,
            actor: alpha,
            victim: beta,
            success: true,
            detected: None,
            evidence: 0,
            suspect: None,
            public: false,
            updated: 1,
        });
    }
    let ab = t.b("alpha", "beta");
    t.apply(r#"[Reveal(victim: Target, culprit: Acting)]"#, ab);
    assert!(t.st.incidents.iter().all(|i| i.detected.is_some()));
    assert_eq!(
        t.st.incidents[0].evidence, 50,
        "30 on detection + 20 from the hunt"
    );
    t.apply(r#"[AddEvidence(Target, 10)]"#, ab);
    assert_eq!(t.st.incidents[0].evidence, 60);
    t.apply(
        r#"[PublicAttribution(victim: Target, culprit: Acting)]"#,
        ab,
    );
    assert!(t.st.incidents.iter().all(|i| i.public));
    assert!(
        !t.st.actors[alpha].norms_broken.is_empty(),
        "a public breach enters the norms ledger"
    );
    t.st.incidents[1].public = false;
    t.apply(r#"[Acknowledge(Acting)]"#, ab);
    assert!(t.st.incidents[1].public);
    assert_eq!(t.st.incidents[1].evidence, 100);
}

#[test]
fn every_condition_kind_evaluates() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    let (alpha, beta) = (t.a("alpha"), t.a("beta"));
    t.st.actors[alpha].rung = 2;
    t.st.turn = 3;
    let cases: Vec<(&str, bool)> = vec![
        ("Always", true),
        ("All([Always, Turn(Equals(3))])", true),
        ("Any([Turn(Equals(1)), Turn(Equals(3))])", true),
        ("Not(Always)", false),
        ("AtLeastOf(2, [Always, Always, Not(Always)])", true),
        ("AtLeastOf(3, [Always, Always, Not(Always)])", false),
        (
            r#"Attr(who: Acting, attr: "power", is: Between(4, 6))"#,
            true,
        ),
        (r#"Attr(who: Any, attr: "power", is: AtMost(4))"#, false),
        (r#"Rung(who: Acting, is: AtLeast("cyber"))"#, true),
        (r#"Rung(who: Target, is: Above("calm"))"#, false),
        (r#"Rung(who: Target, is: Below("tense"))"#, true),
        // Each comparison on both sides of alpha's rung (cyber).
        (r#"Rung(who: Acting, is: AtLeast("war"))"#, false),
        (r#"Rung(who: Acting, is: AtMost("cyber"))"#, true),
        (r#"Rung(who: Acting, is: AtMost("tense"))"#, false),
        (r#"Rung(who: Acting, is: Equals("cyber"))"#, true),
        (r#"Rung(who: Acting, is: Equals("tense"))"#, false),
        (r#"Rung(who: Acting, is: Above("tense"))"#, true),
        (r#"Rung(who: Acting, is: Above("cyber"))"#, false),
        (r#"Rung(who: Acting, is: Below("war"))"#, true),
        (r#"Rung(who: Acting, is: Below("cyber"))"#, false),
        (r#"Crisis(Equals("cyber"))"#, true),
        (
            r#"SectorDamage(who: Target, sector: "grid", is: Equals(0))"#,
            true,
        ),
        (r#"Is(Target, Tagged("nuclear"))"#, true),
        (r#"Is(Actor("gamma"), Tagged("nuclear"))"#, false),
        (r#"ActionTaken(by: Acting, action: "answer")"#, false),
        (r#"Perceived(victim: Target, confidence: Unknown)"#, false),
        (r#"InjectFired("opening")"#, false),
        (r#"RedLineCrossed("beta_line")"#, false),
        (r#"RedLineDeclared("beta_line")"#, true),
        (r#"RedLineDeclared("dormant")"#, false),
        (r#"AgreementInForce("deal")"#, false),
        (r#"ProposalPending("deal")"#, false),
        ("ChannelOpen(Acting, Target)", false),
        ("Turn(AtMost(2))", false),
        ("Chance(100)", true),
        ("Chance(0)", false),
        (r#"FacilitatorSays("go")"#, false),
        (r#"Stance(Actor("proxy"), Tolerate)"#, true),
    ];
    for (cond, want) in &cases {
        assert_eq!(t.holds(cond, ab), *want, "{cond}");
    }
    // Now make the history-based ones true.
    t.st.history.push(ActionRecord {
        turn: 3,
        actor: alpha,
        action: t.game.index.actions["answer"],
        target: Some(beta),
        success: true,
    });
    t.st.incidents.push(Incident {
        id: 1,
        turn: 3,
        action: 0,
        actor: alpha,
        victim: beta,
        success: true,
        detected: Some(3),
        evidence: 55,
        suspect: Some(alpha),
        public: false,
        updated: 3,
    });
    t.st.injects_fired[0] = Some(1);
    t.st.red_lines[0].crossings.push((2, alpha));
    t.st.pending.push(PendingProposal {
        proposal: 0,
        from: alpha,
        to: beta,
        turn: 3,
    });
    t.st.channels.insert((0, 1));
    t.st.switches.insert("go".into());
    t.st.agreements.push(Agreement {
        proposal: 0,
        parties: (alpha, beta),
        since: 3,
    });
    let now_true = [
        r#"ActionTaken(by: Acting, action: "answer", against: Target, within_turns: 1)"#,
        r#"Perceived(victim: Target, domain: Cyber, attributed_to: Acting, confidence: Likely, within_turns: 1)"#,
        r#"InjectFired("opening")"#,
        r#"RedLineCrossed("beta_line")"#,
        r#"ProposalPending("deal")"#,
        r#"AgreementInForce("deal")"#,
        "ChannelOpen(Acting, Target)",
        r#"FacilitatorSays("go")"#,
    ];
    for cond in now_true {
        assert!(t.holds(cond, ab), "{cond}");
    }
    assert!(!t.holds(
        r#"Perceived(victim: Target, attributed_to: Acting, confidence: HighlyLikely)"#,
        ab
    ));
    t.st.turn = 6;
    assert!(!t.holds(
        r#"ActionTaken(by: Acting, action: "answer", within_turns: 2)"#,
        ab
    ));
}

#[test]
fn attribution_confidence_rises_over_turns() {
    let game = mini();
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    let first = g.state().incidents[0].clone();
    assert_eq!(first.detected, Some(1));
    assert_eq!(first.suspect, Some(0));
    let mut seen = vec![first.evidence];
    for _ in 0..3 {
        g.step();
        seen.push(g.state().incidents[0].evidence);
    }
    assert_eq!(seen, vec![30, 50, 70, 90], "20 points of evidence a turn");
    let levels: Vec<Confidence> = seen.iter().map(|&v| Confidence::from_value(v)).collect();
    assert!(levels.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn red_line_crossed_then_enforced_raises_credibility() {
    let game = mini();
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step(); // evidence 30: suspected only
    assert!(g.state().obligations.is_empty());
    g.step(); // evidence 50: likely -> crossed
    assert_eq!(g.state().red_lines[0].crossings, vec![(2, 0)]);
    assert_eq!(g.state().obligations.len(), 1);
    assert!(
        g.log().entries.iter().any(
            |e| matches!(&e.event, Event::RedLineCrossed { culprit, .. } if culprit == "alpha")
        )
    );
    g.submit(orders("beta", &[("answer", Some("alpha"))]));
    g.step();
    let rl = &g.state().red_lines[0];
    assert_eq!(rl.enforced, 1);
    assert_eq!(rl.credibility, 60);
    assert!(g.state().obligations.is_empty());
}

#[test]
fn red_line_ignored_loses_credibility() {
    let game = mini();
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    g.step(); // crossed at turn 2, due turn 4
    g.step();
    assert_eq!(g.state().red_lines[0].credibility, 50);
    g.step();
    let rl = &g.state().red_lines[0];
    assert_eq!(rl.ignored, 1);
    assert_eq!(rl.credibility, 30);
}

#[test]
fn proxy_misattribution_leads_to_a_response_against_the_wrong_actor() {
    let game = mini();
    let mut controllers = game.default_controllers();
    controllers[1] = Controller::Bot(Doctrine::Measured); // beta answers its red line
    let mut g = Game::new(&game, 11, &controllers);
    g.submit(orders("proxy", &[("proxy_ddos", Some("beta"))]));
    g.step();
    let inc = g.state().incidents[0].clone();
    assert_eq!(inc.actor, 2, "the swarm did it");
    assert_eq!(inc.suspect, Some(0), "beta blames the sponsor, alpha");
    assert!(inc.misattributed());
    // Likely (60) at once: the red line is crossed against alpha, and the bot answers alpha.
    assert_eq!(g.state().obligations[0].culprit, 0);
    g.step();
    let answered = g.state().history.iter().any(|r| {
        r.turn == 2 && r.actor == 1 && r.target == Some(0) && (r.action == 0 || r.action == 2)
    });
    assert!(answered, "beta answers alpha, who did not attack it");
    assert_eq!(g.state().red_lines[0].enforced, 1);
}

#[test]
fn delayed_effects_apply_after_their_turns() {
    let game = mini();
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.submit(orders("gamma", &[("wait", None)]));
    g.step();
    let power = |g: &Game| g.state().actors[3].attrs[0];
    assert_eq!(power(&g), 5);
    g.step();
    assert_eq!(power(&g), 5);
    g.step();
    assert_eq!(power(&g), 8, "After(2, ..) from turn 1 applies at turn 3");
}

#[test]
fn facilitator_inject_and_choice() {
    let game = mini();
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.command(FacilitatorCommand::ReleaseInject("manual".into()));
    g.command(FacilitatorCommand::ChooseInjectOption("manual".into(), 1));
    g.step();
    assert!(g.state().switches.contains("chose_b"));
    assert!(g.state().actors.iter().all(|a| a.attrs[0] == 6));
}

#[test]
fn illegal_orders_are_rejected_not_applied() {
    let game = mini();
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.submit(orders(
        "alpha",
        &[("strike", Some("beta")), ("no_such_action", None)],
    ));
    g.step();
    assert!(g.state().history.is_empty());
    let rejected = g
        .log()
        .entries
        .iter()
        .filter(|e| matches!(e.event, Event::OrderRejected { .. }))
        .count();
    assert_eq!(rejected, 2);
}

#[test]
fn endings_by_priority_and_fallback() {
    // Two endings come true on the same turn: gamma's deal with beta is accepted on turn 2 (beta's team
    // says yes) while alpha strikes beta (the war rung). The endings are listed
    // in the file in the opposite order of their priorities, so the winner is the one with the
    // better priority, not the first listed, whichever way round the priorities are.
    const WAR: &str = r#"(id: "war", name: "War", priority: 1, tone: Bad, when: Rung(who: Any, is: AtLeast("war"))),"#;
    const DEAL: &str =
        r#"(id: "deal", name: "Deal", priority: 2, tone: Good, when: AgreementInForce("deal")),"#;
    let endings = format!("{WAR}\n        {DEAL}");
    let strike_enabled = [
        (
            "actions.ron",
            "chance: 100, visibility: Overt, enabled: false",
            "chance: 100, visibility: Overt, enabled: true",
        ),
        (
            "actors.ron",
            r#"tags: ["nuclear"], controller: Team, rung: "calm", threshold: "cyber""#,
            r#"tags: ["nuclear"], controller: Team, rung: "calm", threshold: "war""#,
        ),
    ];
    let reached = |game: &LoadedScenario, strike: bool| {
        let mut g = Game::new(game, 1, &game.default_controllers());
        g.submit(orders("gamma", &[("propose_deal", Some("beta"))]));
        g.step();
        assert!(g.state().ending.is_none(), "the deal is not yet in force");
        let mut accept = orders("beta", &[]);
        accept.answers = vec![("deal".into(), true)];
        g.submit(accept);
        if strike {
            g.submit(orders("alpha", &[("strike", Some("beta"))]));
        }
        g.step();
        let end = g
            .state()
            .ending
            .clone()
            .unwrap_or_else(|| panic!("no ending on turn 2:\n{}", g.log().to_text()));
        assert_eq!(end.turn, 2);
        game.scenario.endings[end.ending].id.clone()
    };
    // Deal listed first, war (priority 1) second: war wins.
    let war_first = mini_with(
        "deal-listed-first",
        &[
            ("endings.ron", &endings, &format!("{DEAL}\n        {WAR}")),
            strike_enabled[0],
            strike_enabled[1],
        ],
    );
    assert_eq!(reached(&war_first, false), "deal", "the deal alone");
    assert_eq!(reached(&war_first, true), "war", "both: priority 1 wins");
    // War listed first but priority 5, deal (priority 2) second: the deal wins.
    let deal_first = mini_with(
        "war-priority-5",
        &[
            (
                "endings.ron",
                "priority: 1, tone: Bad",
                "priority: 5, tone: Bad",
            ),
            strike_enabled[0],
            strike_enabled[1],
        ],
    );
    assert_eq!(reached(&deal_first, true), "deal", "both: priority 2 wins");
    // Nothing happens: the fallback after the last turn, not before.
    let game = mini();
    let mut g = Game::new(&game, 1, &game.default_controllers());
    for _ in 0..5 {
        g.step();
        assert!(
            g.state().ending.is_none(),
            "ended early on turn {}",
            g.state().turn
        );
    }
    g.play_out();
    let end = g.state().ending.clone().unwrap();
    assert_eq!(game.scenario.endings[end.ending].id, "timeout");
    assert_eq!(end.turn, 6);
}

#[test]
fn plugin_runs_under_minimal_plugins() {
    use bevy::prelude::*;
    let game = mini();
    let mut app = App::new();
    app.add_plugins(MinimalPlugins).add_plugins(SimPlugin);
    start_game(app.world_mut(), &game, 3, &game.default_controllers());
    app.world_mut()
        .write_message(orders("alpha", &[("covert_hack", Some("beta"))]));
    app.update();
    app.update(); // orders collected across frames survive until the turn runs
    app.world_mut().write_message(RunTurn);
    app.update();
    let st = app.world().resource::<GameState>();
    assert_eq!(st.turn, 2);
    assert_eq!(st.incidents.len(), 1);
}

#[test]
fn credibility_thresholds_engagement_and_perception_filters() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    let (alpha, beta) = (t.a("alpha"), t.a("beta"));
    assert!(t.holds(r#"Credibility("beta_line", AtLeast(50))"#, ab));
    assert!(!t.holds(r#"Credibility("beta_line", AtLeast(51))"#, ab));
    assert!(!t.holds(r#"ThresholdCrossed("first_blood")"#, ab));
    t.st.thresholds_crossed[0] = Some(1);
    assert!(t.holds(r#"ThresholdCrossed("first_blood")"#, ab));
    assert!(t.holds(r#"Engagement(who: Acting, is: Equals("cyber"))"#, ab));
    t.apply(r#"[SetThreshold(Acting, "tense")]"#, ab);
    assert!(t.holds(r#"Engagement(who: Acting, is: Below("cyber"))"#, ab));
    // A detected incident that beta wrongly blames on gamma, not yet public.
    t.st.incidents.push(Incident {
        id: 1,
        turn: 1,
        action: 0,
        actor: alpha,
        victim: beta,
        success: true,
        detected: Some(1),
        evidence: 60,
        suspect: Some(t.a("gamma")),
        public: false,
        updated: 1,
    });
    assert!(t.holds(
        r#"Perceived(victim: Target, confidence: Likely, misattributed: true)"#,
        ab
    ));
    assert!(!t.holds(
        r#"Perceived(victim: Target, confidence: Likely, misattributed: false)"#,
        ab
    ));
    assert!(!t.holds(
        r#"Perceived(victim: Target, confidence: Likely, public: true)"#,
        ab
    ));
    // Failed attempts count only when asked for.
    t.st.history.push(ActionRecord {
        turn: 1,
        actor: alpha,
        action: 2,
        target: Some(beta),
        success: false,
    });
    assert!(!t.holds(r#"ActionTaken(by: Acting, action: "answer")"#, ab));
    assert!(t.holds(
        r#"ActionTaken(by: Acting, action: "answer", attempts: true)"#,
        ab
    ));
}

#[test]
fn staged_incidents_are_detected_and_attributed_like_real_ones() {
    let mut t = Bench::new();
    t.apply(
        r#"[StageIncident(action: "proxy_ddos", by: Actor("proxy"), against: Actor("beta"))]"#,
        Bindings::default(),
    );
    let inc = &t.st.incidents[0];
    assert_eq!((inc.actor, inc.victim), (t.a("proxy"), t.a("beta")));
    assert_eq!(inc.detected, Some(1), "deniable: seen at once");
    assert_eq!(inc.suspect, Some(t.a("alpha")), "blamed on the sponsor");
    assert!(t.st.history.is_empty(), "a staged incident is not an order");
}

#[test]
fn dice_review_previews_the_turn_and_the_facilitator_can_override_an_outcome() {
    let game = mini();
    let mut g = Game::new(&game, 3, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    // Collect the orders into the book without playing, as the GUI does each frame.
    g.world
        .run_system_once(grayzone::sim::collect_messages)
        .unwrap();
    let (preview, log) = preview_turn(&g.world).unwrap();
    assert_eq!(g.state().turn, 1, "the preview leaves the game untouched");
    g.step();
    assert_eq!(&preview, g.state(), "the real turn plays out as previewed");
    assert_eq!(log.to_text(), g.log().to_text());
    // The same turn with the facilitator forcing a failure.
    let mut g = Game::new(&game, 3, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.command(FacilitatorCommand::ForceOutcome(
        "alpha".into(),
        "covert_hack".into(),
        false,
    ));
    g.step();
    assert!(!g.state().history[0].success);
    assert!(g.state().incidents.is_empty());
}

// ---------------------------------------------------------------- saturation
//
// The engine never wraps or overflows, whatever the numbers (the validator refuses such values
// in scenario files; effects applied directly, saves and future rules must still be safe). Each
// test panicked with an overflow in the dev profile before, and wrapped in release.

#[test]
fn damage_of_any_size_saturates() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    let grid = t.game.index.sectors["grid"];
    // Alpha has resilience 50 (the product overflowed i32), beta 0.
    t.apply(r#"[Damage(Acting, "grid", 2147483647)]"#, ab);
    assert_eq!(t.st.actors[t.a("alpha")].damage[grid], 100);
    t.apply(r#"[Damage(Target, "grid", 2147483647)]"#, ab);
    assert_eq!(t.st.actors[t.a("beta")].damage[grid], 100);
    t.apply(r#"[Damage(Target, "grid", -2147483648)]"#, ab);
    assert_eq!(t.st.actors[t.a("beta")].damage[grid], 0);
}

#[test]
fn hardening_and_credibility_saturate() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    let grid = t.game.index.sectors["grid"];
    t.apply(r#"[Harden(Acting, "grid", 2147483647)]"#, ab);
    assert_eq!(t.st.actors[t.a("alpha")].resilience[grid], 100);
    t.apply(r#"[Harden(Acting, "grid", -2147483648)]"#, ab);
    assert_eq!(t.st.actors[t.a("alpha")].resilience[grid], 0);
    let r = t.game.index.red_lines["beta_line"];
    t.apply(r#"[AdjustCredibility("beta_line", 2147483647)]"#, ab);
    assert_eq!(t.st.red_lines[r].credibility, 100);
    t.apply(r#"[AdjustCredibility("beta_line", -2147483648)]"#, ab);
    assert_eq!(t.st.red_lines[r].credibility, 0);
    // Attributes and rung moves clamp too.
    t.apply(
        r#"[AddAttr(Acting, "power", 2147483647), EscalateBy(Acting, 2147483647), ShiftThreshold(Acting, -2147483648)]"#,
        ab,
    );
    assert_eq!(t.attr("alpha", "power"), 10);
    let top = t.game.scenario.meta.ladder.rungs.len() - 1;
    assert_eq!(t.st.actors[t.a("alpha")].rung, top);
    assert_eq!(t.st.actors[t.a("alpha")].threshold, 0);
}

#[test]
fn evidence_of_any_size_saturates() {
    let mut t = Bench::new();
    let (alpha, beta) = (t.a("alpha"), t.a("beta"));
    t.st.incidents.push(Incident {
        id: 1,
        turn: 1,
        action: 0,
        actor: alpha,
        victim: beta,
        success: true,
        detected: Some(1),
        evidence: 50,
        suspect: Some(alpha),
        public: false,
        updated: 1,
    });
    let ab = t.b("alpha", "beta");
    t.apply(r#"[AddEvidence(Target, 2147483647)]"#, ab);
    assert_eq!(t.st.incidents[0].evidence, 100);
    t.apply(r#"[AddEvidence(Target, -2147483648)]"#, ab);
    assert_eq!(t.st.incidents[0].evidence, 0);
}

#[test]
fn a_delay_past_the_end_of_time_never_comes() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    t.apply(
        r#"[After(4294967295, [AddAttr(Acting, "power", 1)]), ScheduleInject("manual", 4294967295)]"#,
        ab,
    );
    assert_eq!(
        t.st.delayed[0].due,
        u32::MAX,
        "not turn 1 + MAX wrapped to 0"
    );
    let manual = t.game.index.injects["manual"];
    assert_eq!(t.st.scheduled, vec![(u32::MAX, manual)]);
    // Nothing is due on the next turn.
    t.st.turn = 2;
    let mut e = Engine::new(
        &t.game.scenario,
        &t.game.index,
        &mut t.st,
        &mut t.rng,
        &mut t.log,
        Phase::Resolution,
    );
    e.resolution(&OrderBook::default());
    assert_eq!(t.st.delayed.len(), 1);
}

#[test]
fn random_weights_past_32_bits_pick_fairly() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    let effects = r#"[Random([(4294967295, [AddAttr(Acting, "power", 1)]), (4294967295, [AddAttr(Target, "power", 1)]), (0, [EscalateTo(Acting, "war")])])]"#;
    let (mut first, mut second) = (0, 0);
    let (alpha, beta) = (t.a("alpha"), t.a("beta"));
    let power = t.game.index.attributes["power"];
    for _ in 0..200 {
        t.st.actors[alpha].attrs[power] = 0;
        t.st.actors[beta].attrs[power] = 0;
        t.apply(effects, ab);
        first += t.attr("alpha", "power");
        second += t.attr("beta", "power");
    }
    assert_eq!(first + second, 200, "one branch every time, never none");
    assert!(
        (60..=140).contains(&first),
        "about half each: {first} / {second}"
    );
    assert_eq!(
        t.st.actors[t.a("alpha")].rung,
        0,
        "weight 0 is never picked"
    );
}

#[test]
fn rule_constants_come_from_the_scenario() {
    // Defaults keep the first version's numbers: a hunt adds 20 evidence (see above).
    let defaults = Rules::default();
    assert_eq!(
        (
            defaults.forensics_divisor,
            defaults.defense_divisor,
            defaults.reveal_evidence
        ),
        (10, 4, 20)
    );
    let mut t = Bench::new();
    let mut sc = (*t.game.scenario).clone();
    sc.meta.rules.reveal_evidence = 45;
    sc.meta.rules.defense_attribute = Some("power".into());
    t.game = LoadedScenario::new(sc.clone());
    let (alpha, beta) = (t.a("alpha"), t.a("beta"));
    t.st.incidents.push(Incident {
        id: 1,
        turn: 1,
        action: 0,
        actor: alpha,
        victim: beta,
        success: true,
        detected: None,
        evidence: 0,
        suspect: None,
        public: false,
        updated: 1,
    });
    let ab = t.b("alpha", "beta");
    t.apply(r#"[Reveal(victim: Target, culprit: Acting)]"#, ab);
    assert_eq!(t.st.incidents[0].evidence, 30 + 45);

    // The defence attribute's divisor: 8 power at divisor 4 takes 2 points, at divisor 1 takes 8.
    let offensive = sc
        .actions
        .iter()
        .position(|a| a.intent == Intent::Offensive && a.modifiers.is_empty())
        .expect("the fixture has a plain offensive action");
    let p = t.game.index.attributes["power"];
    t.st.actors[beta].attrs[p] = 8;
    let order = LegalOrder {
        action: offensive,
        target: Some(beta),
    };
    let chance = |sc: &Scenario, st: &GameState| {
        let ix = ScenarioIndex::new(sc);
        Ctx { sc, ix: &ix, st }.success_chance(alpha, order, None)
    };
    let base = sc.actions[offensive].chance;
    assert_eq!(chance(&sc, &t.st), (base - 2).clamp(0, 100));
    sc.meta.rules.defense_divisor = 1;
    assert_eq!(chance(&sc, &t.st), (base - 8).clamp(0, 100));
}

#[test]
fn a_restrained_swarm_stays_quiet_whoever_plays_it() {
    // Swarm restraint is a rule of the game, not a bot's habit: a team playing the swarm is
    // bound by it too (controllability 100: it always obeys its sponsor).
    let game = mini();
    let proxy = game.index.actors["proxy"];
    for (stance, expected) in [(SwarmStance::Restrain, 0), (SwarmStance::Encourage, 1)] {
        let mut g = Game::new(&game, 1, &game.default_controllers());
        g.world.resource_mut::<GameState>().actors[proxy].stance = Some(stance);
        g.submit(orders("proxy", &[("proxy_ddos", Some("beta"))]));
        g.step();
        let acted = g
            .state()
            .history
            .iter()
            .filter(|h| h.actor == proxy)
            .count();
        assert_eq!(acted, expected, "{stance:?}");
    }
}

#[test]
fn who_names_exactly_its_actors_both_as_a_set_and_one_by_one() {
    // alpha (state, side x, nuclear), beta (state, side y, nuclear), proxy (swarm, side x,
    // sponsored by alpha), gamma (state, side x).
    let t = Bench::new();
    let ctx = Ctx {
        sc: &t.game.scenario,
        ix: &t.game.index,
        st: &t.st,
    };
    let (alpha, beta, proxy, gamma) = (t.a("alpha"), t.a("beta"), t.a("proxy"), t.a("gamma"));
    let swarm_hits_beta = Bindings {
        acting: Some(proxy),
        target: Some(beta),
        owner: None,
        each: Some(gamma),
    };
    let alpha_acts = Bindings {
        acting: Some(alpha),
        target: None,
        owner: None,
        each: None,
    };
    let beta_owns = Bindings {
        acting: Some(proxy),
        target: None,
        owner: Some(beta),
        each: None,
    };
    let cases: &[(&str, Bindings, Vec<usize>)] = &[
        (r#"Actor("beta")"#, swarm_hits_beta, vec![beta]),
        (r#"Actor("nobody")"#, swarm_hits_beta, vec![]),
        ("Acting", swarm_hits_beta, vec![proxy]),
        ("Target", swarm_hits_beta, vec![beta]),
        ("Target", alpha_acts, vec![]),
        ("Owner", swarm_hits_beta, vec![]),
        ("Owner", beta_owns, vec![beta]),
        ("Each", swarm_hits_beta, vec![gamma]),
        ("Sponsor", swarm_hits_beta, vec![alpha]),
        ("Sponsor", alpha_acts, vec![]),
        ("Proxies", alpha_acts, vec![proxy]),
        ("Proxies", swarm_hits_beta, vec![]),
        ("Any", swarm_hits_beta, vec![alpha, beta, proxy, gamma]),
        ("AnyOther", swarm_hits_beta, vec![alpha, beta, gamma]),
        ("AnyOther", beta_owns, vec![alpha, proxy, gamma]),
        (r#"Side("x")"#, swarm_hits_beta, vec![alpha, proxy, gamma]),
        (r#"Side("y")"#, swarm_hits_beta, vec![beta]),
        (r#"Tagged("nuclear")"#, swarm_hits_beta, vec![alpha, beta]),
        ("Kind(State)", swarm_hits_beta, vec![alpha, beta, gamma]),
        ("Kind(Swarm)", swarm_hits_beta, vec![proxy]),
    ];
    for (text, b, expected) in cases {
        let who: Who = parse(text);
        let mut set: Vec<usize> = ctx.who_set(&who, *b).to_vec();
        set.sort_unstable();
        assert_eq!(&set, expected, "who_set({text}) with {b:?}");
        let one_by_one: Vec<usize> = (0..t.game.scenario.actors.len())
            .filter(|&i| ctx.who_contains(&who, *b, i))
            .collect();
        assert_eq!(&one_by_one, expected, "who_contains({text}) with {b:?}");
        let any = ctx.who_any(&who, *b, |_| true);
        assert_eq!(any, !expected.is_empty(), "who_any({text}) with {b:?}");
    }
}

#[test]
fn a_relation_and_crisis_of_pick_exactly_their_actors() {
    // alpha and gamma are allies (a symmetric flag); the crisis is beta's rung alone.
    let game = mini_with(
        "relations",
        &[(
            "scenario.ron",
            "    rules: (orders_per_turn: 2,",
            "    relations: [(id: \"ally\", name: \"Ally\", flag: true, pairs: [(from: \"alpha\", to: \"gamma\")])],\n    rules: (crisis_of: Actor(\"beta\"), orders_per_turn: 2,",
        )],
    );
    let ix = &game.index;
    let (alpha, beta, gamma) = (ix.actors["alpha"], ix.actors["beta"], ix.actors["gamma"]);
    let mut g = Game::new(&game, 1, &game.default_controllers());
    let related = |st: &GameState, acting: usize| {
        let ctx = Ctx {
            sc: &game.scenario,
            ix,
            st,
        };
        let b = Bindings {
            acting: Some(acting),
            ..Default::default()
        };
        let who: Who = parse(r#"Related("ally")"#);
        let set = ctx.who_set(&who, b).to_vec();
        let one_by_one: Vec<usize> = (0..game.scenario.actors.len())
            .filter(|&i| ctx.who_contains(&who, b, i))
            .collect();
        assert_eq!(set, one_by_one);
        set
    };
    assert_eq!(related(g.state(), alpha), [gamma]);
    assert_eq!(related(g.state(), gamma), [alpha]);
    assert!(related(g.state(), beta).is_empty());
    // alpha climbs to the cyber rung in the open; beta stays calm, and only beta counts.
    g.submit(orders("alpha", &[("answer", Some("gamma"))]));
    g.step();
    assert_eq!(g.state().actors[alpha].rung, 2);
    assert_eq!(g.state().crisis(), g.state().actors[beta].rung);
    assert_eq!(g.state().crisis(), 0);
}

/// `Relation` pairs an actor of `from` with a *different* actor of `to`: an actor's own
/// diagonal (which holds the relation's default like every unlisted pair) never counts, and an
/// unset pair never counts either. Triggered injects read it through the rules of a real game.
#[test]
fn a_relation_condition_pairs_two_different_actors() {
    let game = mini_with(
        "relation-condition",
        &[
            (
                "scenario.ron",
                "    rules: (orders_per_turn: 2,",
                "    relations: [\n        (id: \"ally\", name: \"Ally\", flag: true, pairs: [(from: \"alpha\", to: \"gamma\")]),\n        (id: \"trust\", name: \"Trust\", default: 3, max: 10, symmetric: false, pairs: [(from: \"beta\", to: \"alpha\", value: 0)]),\n    ],\n    rules: (orders_per_turn: 2,",
            ),
            (
                "injects.ron",
                "    injects: [",
                "    injects: [\n        (id: \"allies\", headline: \"Allies\", when: Condition(Relation(relation: \"ally\", from: Actor(\"alpha\"), to: Actor(\"gamma\")))),\n        (id: \"strangers\", headline: \"Strangers\", when: Condition(Relation(relation: \"ally\", from: Actor(\"alpha\"), to: Actor(\"beta\")))),\n        (id: \"self_trust\", headline: \"Self trust\", when: Condition(Relation(relation: \"trust\", from: Actor(\"alpha\"), to: Actor(\"alpha\")))),\n        (id: \"distrust\", headline: \"Distrust\", when: Condition(Relation(relation: \"trust\", from: Actor(\"beta\"), to: Any, is: AtMost(0)))),\n        (id: \"self_distrust\", headline: \"Self distrust\", when: Condition(Relation(relation: \"trust\", from: Actor(\"alpha\"), to: Actor(\"alpha\"), is: AtLeast(1)))),\n",
            ),
        ],
    );
    let mut g = Game::new(&game, 1, &game.default_controllers());
    g.step();
    let fired = |id: &str| g.state().injects_fired[game.index.injects[id]].is_some();
    // alpha and gamma are allies; alpha and beta are not.
    assert!(fired("allies"));
    assert!(!fired("strangers"));
    // beta distrusts alpha (0), and only that pair is at most 0.
    assert!(fired("distrust"));
    // alpha's trust in alpha holds the default 3, yet an actor is never paired with itself.
    assert!(!fired("self_trust"));
    assert!(!fired("self_distrust"));
}

#[test]
fn within_turns_counts_this_turn_and_the_turns_before_it() {
    let mut t = Bench::new();
    let ab = t.b("alpha", "beta");
    let (alpha, beta) = (t.a("alpha"), t.a("beta"));
    t.st.turn = 3;
    t.st.history.push(ActionRecord {
        turn: 2,
        actor: alpha,
        action: t.game.index.actions["answer"],
        target: Some(beta),
        success: true,
    });
    // Last turn's act is within the last 2 turns, not within the last 1.
    assert!(!t.holds(
        r#"ActionTaken(by: Acting, action: "answer", within_turns: 1)"#,
        ab
    ));
    assert!(t.holds(
        r#"ActionTaken(by: Acting, action: "answer", within_turns: 2)"#,
        ab
    ));
}

/// A red line whose culprits are named relative to its owner (`Related(..)`): only the actors
/// the owner is related to can cross it, even when another state attacks the owner the same way.
#[test]
fn a_red_line_with_related_culprits_is_crossed_only_by_the_owners_relations() {
    let game = mini_with(
        "related-culprits",
        &[
            (
                "scenario.ron",
                "    rules: (orders_per_turn: 2,",
                "    relations: [(id: \"rival\", name: \"Rival\", flag: true, pairs: [(from: \"beta\", to: \"alpha\")])],\n    rules: (orders_per_turn: 2,",
            ),
            (
                "red_lines.ron",
                "culprits: Kind(State)",
                "culprits: Related(\"rival\")",
            ),
            // gamma's rules of engagement allow a cyber attack, as alpha's do.
            ("actors.ron", "threshold: \"tense\"", "threshold: \"cyber\""),
        ],
    );
    let (alpha, gamma) = (game.index.actors["alpha"], game.index.actors["gamma"]);
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.submit(orders("gamma", &[("covert_hack", Some("beta"))]));
    g.step(); // evidence 30 on both incidents: suspected only
    assert!(g.state().obligations.is_empty());
    g.step(); // evidence 50: likely, against both attackers
    let blamed: Vec<usize> = g
        .state()
        .incidents
        .iter()
        .filter_map(|i| i.suspect)
        .collect();
    assert!(blamed.contains(&alpha) && blamed.contains(&gamma));
    assert_eq!(
        g.state().red_lines[0].crossings,
        vec![(2, alpha)],
        "beta's rival alpha crosses the line; gamma, no rival of beta's, does not"
    );
    let culprits: Vec<usize> = g.state().obligations.iter().map(|o| o.culprit).collect();
    assert_eq!(culprits, vec![alpha]);
}

/// An action's `on_detection` effects are applied with the action's author as `Acting` and its
/// victim as `Target`.
#[test]
fn on_detection_effects_name_the_author_and_the_victim() {
    let game = mini_with(
        "on-detection",
        &[(
            "actions.ron",
            "on_success: [Damage(Target, \"grid\", 10)]),",
            "on_success: [Damage(Target, \"grid\", 10)],\n         on_detection: [AddAttr(Target, \"secret\", 7), AddAttr(Acting, \"secret\", 2)]),",
        )],
    );
    let secret = game.index.attributes["secret"];
    let value = |g: &Game, actor: &str| g.state().actors[game.index.actors[actor]].attrs[secret];
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("covert_hack", Some("beta"))]));
    g.step();
    assert_eq!(g.state().incidents[0].detected, Some(1));
    assert_eq!(value(&g, "beta"), 7, "the victim");
    assert_eq!(value(&g, "alpha"), 2, "the author");
    assert_eq!(value(&g, "gamma"), 0, "a bystander");
    // A change of a secret attribute goes into the private log, once, in its own words.
    let effects: Vec<&str> = (g.log().entries.iter())
        .filter_map(|e| match &e.event {
            Event::Effect { text, .. } if text.contains("secret") => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(effects, ["beta secret 0 -> 7", "alpha secret 0 -> 2"]);
}

/// `crisis_of` counts exactly the actors of its group, in every context-free form.
#[test]
fn crisis_of_counts_exactly_the_actors_of_its_group() {
    let cases: [(&str, &[&str]); 6] = [
        ("Kind(Swarm)", &["proxy"]),
        ("Kind(State)", &["alpha", "beta", "gamma"]),
        ("Side(\"y\")", &["beta"]),
        ("Tagged(\"nuclear\")", &["alpha", "beta"]),
        ("Actor(\"gamma\")", &["gamma"]),
        ("Any", &["alpha", "beta", "proxy", "gamma"]),
    ];
    for (who, expected) in cases {
        let rules = format!("    rules: (crisis_of: {who}, orders_per_turn: 2,");
        let game = mini_with(
            "crisis-of",
            &[("scenario.ron", "    rules: (orders_per_turn: 2,", &rules)],
        );
        let mut g = Game::new(&game, 1, &game.default_controllers());
        let counted: Vec<&str> = (game.scenario.actors.iter().enumerate())
            .filter(|(i, _)| g.state().actors[*i].counts_for_crisis)
            .map(|(_, a)| a.id.as_str())
            .collect();
        assert_eq!(counted, expected, "crisis_of: {who}");
        // alpha climbs to the cyber rung in the open: the crisis rises only if alpha counts.
        g.submit(orders("alpha", &[("answer", Some("beta"))]));
        g.step();
        let crisis = if expected.contains(&"alpha") { 2 } else { 0 };
        assert_eq!(g.state().crisis(), crisis, "crisis_of: {who}");
    }
}

/// A loaded scenario in a panic or `{:?}` message names itself: its id and where it came from.
#[test]
fn a_loaded_scenario_debugs_as_its_id_and_origin() {
    let shown = format!("{:?}", mini());
    assert!(
        shown.starts_with("LoadedScenario { scenario: \"mini\", origin: "),
        "{shown}"
    );
    assert!(shown.contains("tests/fixtures/mini"), "{shown}");
}

/// A public attribute changed in the open is told to the room once, in its own words; a
/// secret one only to its actor.
#[test]
fn attribute_changes_are_logged_for_the_room_or_for_the_actor() {
    let game = mini_with(
        "attribute-log",
        &[(
            "actions.ron",
            "target: Actor(AnyOther), chance: 100, visibility: Overt),",
            "target: Actor(AnyOther), chance: 100, visibility: Overt,\n         on_success: [AddAttr(Target, \"power\", -2), AddAttr(Target, \"secret\", 4)]),",
        )],
    );
    let mut g = Game::new(&game, 5, &game.default_controllers());
    g.submit(orders("alpha", &[("answer", Some("beta"))]));
    g.step();
    let effects: Vec<(bool, &str)> = (g.log().entries.iter())
        .filter_map(|e| match &e.event {
            Event::Effect { text, .. } if text.starts_with("beta ") => {
                Some((e.audience == Audience::Public, text.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        effects,
        [(true, "beta power 5 -> 3"), (false, "beta secret 0 -> 4")]
    );
}
