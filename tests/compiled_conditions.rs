//! The rules test the compiled conditions (ids resolved to positions at load); the scenario's own
//! conditions say what they mean. In every state of seeded games of every shipped scenario,
//! under every kind of binding, both must give the same answer and draw the same dice, for
//! every condition and actor group the rules test each turn.

use std::path::Path;

use grayzone::scenario::compiled::{Cond, Group};
use grayzone::scenario::{Condition, InjectWhen, Scenario, TargetKind, Who, scenario_dirs};
use grayzone::sim::eval::{Ctx, GameRng};
use grayzone::sim::state::Bindings;
use grayzone::sim::{Game, LoadedScenario};

/// Every compiled condition of a scenario beside the condition it was compiled from, named.
fn condition_sites<'a>(
    sc: &'a Scenario,
    loaded: &'a LoadedScenario,
) -> Vec<(String, &'a Cond, &'a Condition)> {
    let c = &loaded.index.conditions;
    let mut sites = Vec::new();
    for (a, actor) in sc.actors.iter().enumerate() {
        for (k, g) in actor.goals.iter().enumerate() {
            sites.push((format!("{} goal {k}", actor.id), &c.goals[a][k], &g.when));
        }
    }
    for (i, action) in sc.actions.iter().enumerate() {
        if let (Some(x), Some(o)) = (&c.available[i], &action.available) {
            sites.push((format!("{} available", action.id), x, o));
        }
        for (k, m) in action.modifiers.iter().enumerate() {
            sites.push((
                format!("{} modifier {k}", action.id),
                &c.action_modifiers[i][k],
                &m.when,
            ));
        }
    }
    for (i, r) in sc.red_lines.iter().enumerate() {
        sites.push((
            format!("{} trigger", r.id),
            &c.red_line_triggers[i],
            &r.trigger,
        ));
    }
    for (i, p) in sc.proposals.iter().enumerate() {
        for (k, m) in p.modifiers.iter().enumerate() {
            sites.push((
                format!("{} modifier {k}", p.id),
                &c.proposal_modifiers[i][k],
                &m.when,
            ));
        }
    }
    for (i, inj) in sc.injects.iter().enumerate() {
        if let (Some(x), InjectWhen::Condition(o)) = (&c.inject_triggers[i], &inj.when) {
            sites.push((format!("{} trigger", inj.id), x, o));
        }
    }
    for (i, e) in sc.endings.iter().enumerate() {
        if let (Some(x), Some(o)) = (&c.endings[i], &e.when) {
            sites.push((format!("ending {}", e.id), x, o));
        }
    }
    for (i, s) in sc.snippets.conditions.iter().enumerate() {
        sites.push((format!("snippet {}", s.id), &c.snippets[i], &s.when));
    }
    sites
}

/// Every compiled actor group of a scenario beside its `Who`, named.
fn group_sites<'a>(
    sc: &'a Scenario,
    loaded: &'a LoadedScenario,
) -> Vec<(String, &'a Group, &'a Who)> {
    let c = &loaded.index.conditions;
    let mut sites = Vec::new();
    for (i, r) in sc.red_lines.iter().enumerate() {
        sites.push((
            format!("{} culprits", r.id),
            &c.red_line_culprits[i],
            &r.culprits,
        ));
    }
    for (i, action) in sc.actions.iter().enumerate() {
        sites.push((format!("{} by", action.id), &c.action_by[i], &action.by));
        if let (Some(g), TargetKind::Actor(w) | TargetKind::Sector(_, w)) =
            (&c.action_target[i], &action.target)
        {
            sites.push((format!("{} target", action.id), g, w));
        }
    }
    sites
}

/// Bindings of every shape the rules use, for `n` actors.
fn bindings(n: usize) -> Vec<Bindings> {
    let mut all = vec![Bindings::default()];
    for a in 0..n {
        let other = (a + 1) % n;
        all.push(Bindings {
            acting: Some(a),
            ..Default::default()
        });
        all.push(Bindings {
            acting: Some(a),
            target: Some(other),
            ..Default::default()
        });
        all.push(Bindings {
            owner: Some(a),
            target: Some((a + 2) % n),
            ..Default::default()
        });
        all.push(Bindings {
            acting: Some(other),
            each: Some(a),
            ..Default::default()
        });
    }
    all
}

#[test]
fn compiled_conditions_answer_as_the_scenario_says_in_every_state_of_seeded_games() {
    let mut compared = 0u64;
    let (mut held, mut failed) = (0u64, 0u64);
    for dir in scenario_dirs(Path::new("scenarios")) {
        let (loaded, _) = LoadedScenario::load(&dir).expect("shipped scenarios load");
        let sc = &loaded.scenario;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let sites = condition_sites(sc, &loaded);
        let groups = group_sites(sc, &loaded);
        let n = sc.actors.len();
        let binds = bindings(n);
        for doctrine in [None, Some("random"), Some("hawk")] {
            let controllers = grayzone::cli::bot_controllers(&loaded, &[], doctrine).unwrap();
            for seed in 1..=3u64 {
                let mut game = Game::new(&loaded, seed, &controllers);
                loop {
                    let st = game.state();
                    let ctx = Ctx {
                        sc,
                        ix: &loaded.index,
                        st,
                    };
                    let at = format!("{name} {doctrine:?} seed {seed} turn {}", st.turn);
                    for (site, compiled, original) in &sites {
                        for (k, &b) in binds.iter().enumerate() {
                            let want = ctx.eval_pure(original, b);
                            assert_eq!(ctx.test_pure(compiled, b), want, "{at}: {site}, {b:?}");
                            // With dice: the same answer and the same draws.
                            let salt = seed * 1_000 + k as u64;
                            let (mut r1, mut r2) = (GameRng::new(salt), GameRng::new(salt));
                            assert_eq!(
                                ctx.test(compiled, b, Some(&mut r1)),
                                ctx.eval(original, b, Some(&mut r2)),
                                "{at}: {site}, {b:?}, with dice"
                            );
                            assert_eq!(r1.draws, r2.draws, "{at}: {site}: dice drawn");
                            compared += 1;
                            if want {
                                held += 1;
                            } else {
                                failed += 1;
                            }
                        }
                    }
                    for (site, group, who) in &groups {
                        for &b in &binds {
                            for i in 0..n {
                                assert_eq!(
                                    ctx.in_group(group, b, i),
                                    ctx.who_contains(who, b, i),
                                    "{at}: {site}, actor {i}, {b:?}"
                                );
                            }
                            assert_eq!(
                                &ctx.group_set(group, b)[..],
                                &ctx.who_set(who, b)[..],
                                "{at}: {site}, {b:?}"
                            );
                        }
                    }
                    if !game.step() {
                        break;
                    }
                }
            }
        }
    }
    // Not vacuous: many conditions compared, both answers seen.
    assert!(compared > 10_000, "only {compared} comparisons");
    assert!(
        held > 1_000 && failed > 1_000,
        "held {held}, failed {failed}"
    );
}

#[test]
fn a_compiled_condition_resolves_ids_once_and_unknown_ids_test_false() {
    let (loaded, _) =
        LoadedScenario::load(Path::new("scenarios/forward_defense_2022")).expect("loads");
    let ix = &loaded.index;
    // Russia's objective on Ukraine's capacity names an actor and an attribute by id.
    let russia = ix.actors["russia"];
    let ukraine = ix.actors["ukraine"];
    let capacity = ix.attributes["cyber_capacity"];
    let compiled = &ix.conditions.goals[russia][0];
    assert_eq!(
        compiled,
        &Cond::Attr {
            who: Group::Actor(Some(ukraine)),
            attr: Some(capacity),
            is: grayzone::scenario::Cmp::AtMost(39),
        }
    );
    // A side is a membership list by actor position.
    let west: Vec<bool> = loaded
        .scenario
        .actors
        .iter()
        .map(|a| a.side == "west")
        .collect();
    assert!(west.iter().any(|&w| w) && west.iter().any(|&w| !w));
    let lists = &ix.conditions.members;
    let west_at: Vec<usize> = (0..lists.len()).filter(|&k| lists[k] == west).collect();
    assert_eq!(west_at.len(), 1, "one list for the West: {lists:?}");
    let side = Group::Members(west_at[0]);
    let game = Game::new(&loaded, 1, &[]);
    let ctx = Ctx {
        sc: &loaded.scenario,
        ix,
        st: game.state(),
    };
    for (i, &w) in west.iter().enumerate() {
        assert_eq!(ctx.in_group(&side, Bindings::default(), i), w);
    }
    // One list per distinct group, shared by every place that names it: the seven nuclear
    // actions' `by: Tagged("nuclear")` are one list, not seven.
    let nuclear: Vec<bool> = loaded
        .scenario
        .actors
        .iter()
        .map(|a| a.tags.iter().any(|t| t == "nuclear"))
        .collect();
    let nuclear_at: Vec<usize> = (0..lists.len()).filter(|&k| lists[k] == nuclear).collect();
    assert_eq!(nuclear_at.len(), 1, "one list for the nuclear powers");
    let shared = ix
        .conditions
        .action_by
        .iter()
        .filter(|g| **g == Group::Members(nuclear_at[0]))
        .count();
    assert_eq!(shared, 7, "the nuclear actions share one list");
    // An id the scenario does not define (the validator refuses it) tests false.
    let unknown = Cond::Attr {
        who: Group::Any,
        attr: None,
        is: grayzone::scenario::Cmp::AtLeast(-1000),
    };
    assert!(!ctx.test_pure(&unknown, Bindings::default()));
}
