//! Pinned play: a few seeds of every shipped scenario, under its default bots and under each
//! doctrine, must produce exactly the pinned log and final state. Speed work must not change
//! play; a change of rule changes these pins only in a commit that says which rule changed and
//! why.

use std::path::Path;

use grayzone::analysis::play_one;
use grayzone::scenario::load::Fnv64;
use grayzone::scenario::scenario_dirs;
use grayzone::sim::{Game, LoadedScenario};

/// Seeds played per scenario and doctrine.
const SEEDS: [u64; 3] = [1, 2, 3];

/// Doctrines played besides each scenario's own bots (`None`).
const DOCTRINES: [Option<&str>; 6] = [
    None,
    Some("hawk"),
    Some("dove"),
    Some("tit-for-tat"),
    Some("measured"),
    Some("random"),
];

/// `scenario doctrine seed: log-hash state-hash turns`, one line per game.
const PINNED: &str = "\
baltic_forward_hunt default 1: 914583dc62e8d511 29c656daaab1551d 10\n\
baltic_forward_hunt default 2: d2eef2ec864edaca 3af5ef650e8098a2 6\n\
baltic_forward_hunt default 3: 90e9afa6be4f506c 3bd25901a407b78e 7\n\
baltic_forward_hunt hawk 1: 78f7620e5679d99c 525680baa16a4a7b 4\n\
baltic_forward_hunt hawk 2: 73fa1f59f5dfcc40 2127be107d82eb09 3\n\
baltic_forward_hunt hawk 3: c9301c80fcbb3ce6 704de2bc1f82f7d8 5\n\
baltic_forward_hunt dove 1: 2e8458a4922c8f5f cbd01039d899269d 3\n\
baltic_forward_hunt dove 2: 5d9da4e09f9cf70d 75b667a47f5fefc5 5\n\
baltic_forward_hunt dove 3: 47b75bd61b0d0481 b0794dc02099606f 10\n\
baltic_forward_hunt tit-for-tat 1: 65b28071a1efbf18 a71bbc1b0b677c54 9\n\
baltic_forward_hunt tit-for-tat 2: c93db0953e85cc8e 2993950ea9b03330 3\n\
baltic_forward_hunt tit-for-tat 3: a0418ae5e33e7b03 6d09d158166eb50e 6\n\
baltic_forward_hunt measured 1: 1e7514fae10f0490 26c6b92d7c195b89 10\n\
baltic_forward_hunt measured 2: 2d2352d6541ffc63 c33ebf9a83cb5c69 3\n\
baltic_forward_hunt measured 3: b2a8e63f651df663 df088b8ec5fc225d 2\n\
baltic_forward_hunt random 1: 9b4dd97ec7c6b650 2bdc664a88b44311 4\n\
baltic_forward_hunt random 2: 7652fe87127a90b4 7c809dba070e15ee 9\n\
baltic_forward_hunt random 3: 16bbf4b29d9828b7 cce4fe1ddd61e798 6\n\
escalation_study default 1: 5535414e9a561e0e 8f83e665989bc7fe 13\n\
escalation_study default 2: 18e4a216cd1d7643 698a9db6f585d8a2 14\n\
escalation_study default 3: 819630a9daf18ad7 927867bf668e38b3 11\n\
escalation_study hawk 1: 465f3ec43ec6eee7 b995e1519a309179 3\n\
escalation_study hawk 2: 7dd60d39701edb48 7757b32df9fb78cd 3\n\
escalation_study hawk 3: f6c57d65b0ef6831 40da990c00e865ca 3\n\
escalation_study dove 1: 8ad41ece5fd4bc06 c682b893c9acac7a 6\n\
escalation_study dove 2: 46316d75dfbd4867 3c8841092f07bab3 6\n\
escalation_study dove 3: bf48c20a182fca8a 7f47f7ece865edea 6\n\
escalation_study tit-for-tat 1: fcb9ea47998dbde3 9a57f578a68dd7b2 6\n\
escalation_study tit-for-tat 2: 05b9c599e1c74a61 a6540bf5a4ed496e 6\n\
escalation_study tit-for-tat 3: e237b152b0010a5e 3cbc99519628081f 6\n\
escalation_study measured 1: 7cf6a8f64e9b8655 a5e2e4b42ad56218 11\n\
escalation_study measured 2: 1b28cea5e2fb43d0 02725eb76046c0ef 14\n\
escalation_study measured 3: 2f763cbc6891a1db cefd8190f3afaae9 9\n\
escalation_study random 1: f04c7e7b8ec5404e 327f65e5ed17ece3 6\n\
escalation_study random 2: 66dc217eb43ce12f 94898fe9efb19733 10\n\
escalation_study random 3: 01dcc7855d1873f1 cf4071886c52f11d 8\n\
forward_defense_2022 default 1: eb1a0ca8cf8172fe c3310005f9d271fd 12\n\
forward_defense_2022 default 2: 0b4c54a620c849de 425700ea988562fb 9\n\
forward_defense_2022 default 3: d188a65f25186b43 7dc75f7bf19a6fa5 12\n\
forward_defense_2022 hawk 1: 163c6fed8b01e654 d063517493f9ad07 11\n\
forward_defense_2022 hawk 2: bd921b15a98639bc 7525ec5c8d68f37b 6\n\
forward_defense_2022 hawk 3: ab7618988bda08ab e906f5623eae9090 12\n\
forward_defense_2022 dove 1: bdb1cc9ea94cd482 878f90366e76e96a 3\n\
forward_defense_2022 dove 2: 9ac6a50ffaa2eea1 c804dd1a17ac9304 4\n\
forward_defense_2022 dove 3: 438f3963df3736df 6f639d017ee511c7 6\n\
forward_defense_2022 tit-for-tat 1: 6dab7eee3159e862 539cf3719b228aa2 7\n\
forward_defense_2022 tit-for-tat 2: 565e681a33ba82ac 535432968569dc4c 10\n\
forward_defense_2022 tit-for-tat 3: 372ec54aebd57198 e0f1f68b3e330b86 3\n\
forward_defense_2022 measured 1: 5a645fc4bd0fdde2 8acb607eb49c754e 12\n\
forward_defense_2022 measured 2: 75be88c57ecb14d1 e18b50770d852f56 12\n\
forward_defense_2022 measured 3: 148fe27d31df8212 713d1650a72066e3 12\n\
forward_defense_2022 random 1: 318b0beecdaea848 9fc457072970299a 12\n\
forward_defense_2022 random 2: 3a6b539a53d197b0 87727678cc914dda 7\n\
forward_defense_2022 random 3: 93182198e0623c35 7b99e1fd0fe25aee 12\n\
kahn_ladder default 1: 50ec1707c27fcf5b b109d6f4f6aa290c 12\n\
kahn_ladder default 2: 49ab40f75aebbd53 94aa72765a68e348 12\n\
kahn_ladder default 3: 45655812477fd30b 10bce03d18dd42f7 12\n\
kahn_ladder hawk 1: 9655040ccffa0bb3 fbf1633bb9a01a3f 12\n\
kahn_ladder hawk 2: 71a5180bfa33dd4e 1345bf16a9bf1c15 12\n\
kahn_ladder hawk 3: 926fd7357165658d 041ec6ae20a5924d 12\n\
kahn_ladder dove 1: a5ea43b869c29642 aa2e805dc6ffc9e7 8\n\
kahn_ladder dove 2: 4de479db8074293e 42ec4ae4d31102f7 5\n\
kahn_ladder dove 3: e69e30d3958eef4b 51c43df6c513fc63 12\n\
kahn_ladder tit-for-tat 1: 887271331ba2bd5d f2fed9c8a6302841 8\n\
kahn_ladder tit-for-tat 2: 21971ff0790dfc15 a785b2d0ec6215fc 5\n\
kahn_ladder tit-for-tat 3: 5d2faf4cf2261379 aa555b9d33749228 11\n\
kahn_ladder measured 1: 77a98bd8b5f2aae8 b3095529438a64c6 12\n\
kahn_ladder measured 2: ebca3dbe767d4e55 7c1b3a613870cdc4 12\n\
kahn_ladder measured 3: 44815ee1a081b242 de12723bf32773ce 12\n\
kahn_ladder random 1: 98d6aa264d56b744 f1c526c878067cb2 12\n\
kahn_ladder random 2: 5b77728ee1a93192 ab93745a1b739cc3 12\n\
kahn_ladder random 3: 88eaabc14878760d d3462a113388ef8b 12\n\
tutorial_first_contact default 1: 571fe5fe8cfa0740 7340d96d60edbc7f 6\n\
tutorial_first_contact default 2: 1413ffebc6fb0fc1 6f6629a4cb13c560 6\n\
tutorial_first_contact default 3: b9a840478d3cb93f 6368bb5e9c4f20e0 6\n\
tutorial_first_contact hawk 1: 1f882a289e86ffc7 65957afb0da4be6c 6\n\
tutorial_first_contact hawk 2: d00633b8dd9d749a 7b5a7898c04f9165 6\n\
tutorial_first_contact hawk 3: 8c785851cd4279b2 0c52a9c61e674586 6\n\
tutorial_first_contact dove 1: eade86a1aff6245a a24e7a094d1648df 6\n\
tutorial_first_contact dove 2: 978b8c77cf6bbe91 bf6ab37b020fc308 5\n\
tutorial_first_contact dove 3: 557d3a0f9eaf2584 a813e74aa2ae69ec 5\n\
tutorial_first_contact tit-for-tat 1: 476940b204155e45 e8da8943ab3f4ac1 6\n\
tutorial_first_contact tit-for-tat 2: f6b0f71b94d18bf4 aea238ccaf206cb7 5\n\
tutorial_first_contact tit-for-tat 3: c674f80cc4b90b84 a4367accdbcdc090 5\n\
tutorial_first_contact measured 1: ddb72e87f722fae6 03f54f649348ed44 6\n\
tutorial_first_contact measured 2: b74eb437172626d9 816f3ad2d1ef9b87 6\n\
tutorial_first_contact measured 3: 08de1848400a74cb ea282847c9fcd346 6\n\
tutorial_first_contact random 1: dc885daba6af4903 2db0c98f84ebf7d9 6\n\
tutorial_first_contact random 2: 01f8a9c9943c9d9d 4762f6730443f253 6\n\
tutorial_first_contact random 3: fbc2821a7badf8af a90ba832ac94a072 3\n\
";

fn play_all() -> String {
    let mut out = String::new();
    for dir in scenario_dirs(Path::new("scenarios")) {
        let (loaded, _) = LoadedScenario::load(&dir).expect("shipped scenarios load");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        for doctrine in DOCTRINES {
            let controllers = grayzone::cli::bot_controllers(&loaded, &[], doctrine).unwrap();
            for seed in SEEDS {
                let mut game = Game::new(&loaded, seed, &controllers);
                game.play_out();
                let log = Fnv64::hash(game.log().to_text().as_bytes());
                let state = game.state().state_hash();
                let turns = game.state().turn;
                let crisis = game.state().crisis_history.clone();
                let ending = game.state().ending.clone();
                // The fast analysis mode (no log, no hashes) plays the same game.
                let mut fast = Game::new(&loaded, 0, &controllers);
                let outcome = play_one(&mut fast, &loaded, seed, &controllers);
                assert_eq!(outcome.turn, turns, "{name} {doctrine:?} {seed}: fast mode");
                assert_eq!(
                    outcome.crisis_levels.len(),
                    crisis.len(),
                    "{name} {doctrine:?} {seed}: fast mode"
                );
                assert_eq!(
                    fast.state().ending,
                    ending,
                    "{name} {doctrine:?} {seed}: fast mode"
                );
                assert_eq!(
                    fast.state().crisis_history,
                    crisis,
                    "{name} {doctrine:?} {seed}: fast mode"
                );
                out.push_str(&format!(
                    "{name} {} {seed}: {log:016x} {state:016x} {turns}\n",
                    doctrine.unwrap_or("default")
                ));
            }
        }
    }
    out
}

#[test]
fn pinned_seeds_play_exactly_as_before() {
    let actual = play_all();
    assert!(
        actual == PINNED,
        "play changed; if a rule changed on purpose, re-pin in a commit that says which rule and why. Actual:\n{actual}"
    );
}

/// The legal orders built from the tables resolved at load equal those found by checking every
/// action and target by id, for every actor of every shipped scenario, turn after turn.
#[test]
fn resolved_legal_orders_match_the_rules_by_id() {
    for dir in scenario_dirs(Path::new("scenarios")) {
        let (loaded, _) = LoadedScenario::load(&dir).expect("shipped scenarios load");
        let controllers = grayzone::cli::bot_controllers(&loaded, &[], Some("hawk")).unwrap();
        let mut game = Game::new(&loaded, 5, &controllers);
        loop {
            let ctx = grayzone::sim::Ctx {
                sc: &loaded.scenario,
                ix: &loaded.index,
                st: game.state(),
            };
            for actor in 0..loaded.scenario.actors.len() {
                let mut by_id = Vec::new();
                for (action, a) in loaded.scenario.actions.iter().enumerate() {
                    if ctx.action_allowed(actor, action).is_ok() {
                        for target in ctx.targets(actor, action) {
                            let order = grayzone::sim::Order {
                                action: a.id.clone(),
                                target: target.map(|t| loaded.scenario.actors[t].id.clone()),
                            };
                            let lo = ctx.check_order(actor, &order).expect("legal by id");
                            assert_eq!(ctx.check_legal(actor, lo), Ok(lo));
                            by_id.push(lo);
                        }
                    }
                }
                assert_eq!(ctx.legal_orders(actor), by_id, "{}", dir.display());
            }
            if !game.step() {
                break;
            }
        }
    }
}
