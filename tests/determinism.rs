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
baltic_forward_hunt default 1: 7a0ed18400a8f41a 9396db7fd152ed30 7\n\
baltic_forward_hunt default 2: 5a26804934040994 65d9d30582fb1a75 8\n\
baltic_forward_hunt default 3: 52e880184b54ff83 376208bb4d1f495b 7\n\
baltic_forward_hunt hawk 1: 6304d3cce3f6ebf7 2b7bf1d8a35fed48 3\n\
baltic_forward_hunt hawk 2: b0f6ce3d4d668e49 11f9747aaf292154 4\n\
baltic_forward_hunt hawk 3: 92b559d2fba995a8 3ae146dcb1f9530c 5\n\
baltic_forward_hunt dove 1: 82a9bfea9174fd47 8058884c2d8454b2 3\n\
baltic_forward_hunt dove 2: 1968a941d8483703 88e901c92b1bc91b 9\n\
baltic_forward_hunt dove 3: 88fd98ccde2ccc85 a329d54a08e840c4 6\n\
baltic_forward_hunt tit-for-tat 1: 7efb94542c656053 88e562b31e1e9ee3 9\n\
baltic_forward_hunt tit-for-tat 2: 5a40b6ecc4afe99b a9295555954a2e2c 6\n\
baltic_forward_hunt tit-for-tat 3: 3e98244a30c86798 ad09fe589c48ed77 10\n\
baltic_forward_hunt measured 1: 7223703b209d294d 7bf400a23bdbd76d 10\n\
baltic_forward_hunt measured 2: 74471b0e827239e7 f2554845bca3a00e 10\n\
baltic_forward_hunt measured 3: 6f03fa4d179e6631 1747f45ea36fe5bd 10\n\
baltic_forward_hunt random 1: 49c7a39bc34178ac f0101ef601136c44 4\n\
baltic_forward_hunt random 2: 02e7d17f97b162ae 662cab703a8206d7 9\n\
baltic_forward_hunt random 3: d009881757859e77 9bf6ed45aa7af6bb 6\n\
escalation_study default 1: c80f6ccb3ca941ee 7803a4885afbcd97 14\n\
escalation_study default 2: f57b2bfd91309b4a 5b02fefe3bf9b007 14\n\
escalation_study default 3: f4f867bd006167f6 ad881c8509964540 11\n\
escalation_study hawk 1: 197796990bdb8dc3 b972c73bb6bad0ef 3\n\
escalation_study hawk 2: 805bc33a18a15080 64dedf4697432b73 3\n\
escalation_study hawk 3: bbb4a9c42e172574 0c31c6efd677a094 3\n\
escalation_study dove 1: 7e8761ff4829d461 8f7c91bd691f2778 6\n\
escalation_study dove 2: 1f5ebfa91fd78514 4ce30da8bcb06200 6\n\
escalation_study dove 3: 1745273ac8b36de2 174ffb2aec36d99f 6\n\
escalation_study tit-for-tat 1: 412c938684202adc a55eb766d1f4471f 6\n\
escalation_study tit-for-tat 2: 5636112b4200a098 7002672fead65789 6\n\
escalation_study tit-for-tat 3: 9ee92e8bf3b5e1c1 7d903f108aa86ca4 6\n\
escalation_study measured 1: f9566e0be91328a8 b17d925b7c11f8fd 14\n\
escalation_study measured 2: 7fda62133efd2712 d59fe50b033ba661 14\n\
escalation_study measured 3: ceedf212a5f83183 3d22a940fa460bbd 13\n\
escalation_study random 1: f04c7e7b8ec5404e 327f65e5ed17ece3 6\n\
escalation_study random 2: 66dc217eb43ce12f 94898fe9efb19733 10\n\
escalation_study random 3: 01dcc7855d1873f1 cf4071886c52f11d 8\n\
forward_defense_2022 default 1: ef94966592faf501 93146b2dae448285 12\n\
forward_defense_2022 default 2: 87f0072d01eb7fbd 02ffc765de3e0e58 12\n\
forward_defense_2022 default 3: 29ecbc1d841edfa5 25fae688d19a4181 12\n\
forward_defense_2022 hawk 1: 40ada0c2c727d4a2 523d86d3d3691ebe 3\n\
forward_defense_2022 hawk 2: 673be70123306976 05364f66ef974f78 12\n\
forward_defense_2022 hawk 3: a59de3b7ad374bad be6b9d0e4fbde2e4 11\n\
forward_defense_2022 dove 1: 0d4b6f2cf7e6986c b4b5d5e61aac5625 3\n\
forward_defense_2022 dove 2: 74530f0e7c70491e aca583b1424ebcfc 7\n\
forward_defense_2022 dove 3: bd295c503f8d31b2 1771daa26cfe908d 4\n\
forward_defense_2022 tit-for-tat 1: 5ba9d91923568f9e 7b3ef06601241cfd 7\n\
forward_defense_2022 tit-for-tat 2: a483b5a1eb6f597c b80a78dae663b0a3 12\n\
forward_defense_2022 tit-for-tat 3: a8a38422014e885b 82b715cd7ba49a7e 4\n\
forward_defense_2022 measured 1: c2ab180947117e16 a3de0722a4bba603 12\n\
forward_defense_2022 measured 2: a8628bf9591b0116 4473db2e149f6b47 12\n\
forward_defense_2022 measured 3: 7b2c18dc70356dfc 32e0ac258389ac85 12\n\
forward_defense_2022 random 1: c626c86c7f84a0d5 ed840e390599c546 12\n\
forward_defense_2022 random 2: b7499a1449dce53d bad48969f4db67f4 12\n\
forward_defense_2022 random 3: 1613e56f701aa742 f43fe2a9a81534b0 12\n\
kahn_ladder default 1: 61dfdd9941ff8b83 30ed2fd1af2e9387 10\n\
kahn_ladder default 2: dc8dd9024f94d0de 55f869429fe29514 8\n\
kahn_ladder default 3: 0b1ecb82a15d27f9 fa4d5296f81596fa 12\n\
kahn_ladder hawk 1: ee1e74452a59cb90 c9d55074aab110dc 12\n\
kahn_ladder hawk 2: faefea66eaa3e7f5 4fa48b05f3478c63 12\n\
kahn_ladder hawk 3: 9ab3116f0f5b3d45 63ca01dc161336ad 12\n\
kahn_ladder dove 1: 1c4205513caab664 e31a48260fc9f97c 8\n\
kahn_ladder dove 2: e6f3282f4d6cbd7b de984aec7eff628d 12\n\
kahn_ladder dove 3: 6b3c9935f2f0557a bbdc4f3beaefd1ca 8\n\
kahn_ladder tit-for-tat 1: aea90a15f18e59cc f0a8107c1d247124 8\n\
kahn_ladder tit-for-tat 2: 459eca3c5ec37ada 9d5d21ded09c6d9d 12\n\
kahn_ladder tit-for-tat 3: d80855140b2bf3e6 469aa21589bb1e7c 12\n\
kahn_ladder measured 1: 6fc90a2825cf70ef 3d5bc48a6abb131f 12\n\
kahn_ladder measured 2: c533ea3811c095a4 69c0d0153dc111c5 12\n\
kahn_ladder measured 3: ca14491d89ac615f f6e5df2a1c138676 12\n\
kahn_ladder random 1: 4d4bca31fa8bdc99 808b29d07d4afc37 12\n\
kahn_ladder random 2: 19d3fc9eaf1a6e29 600927820b16f16f 12\n\
kahn_ladder random 3: f21be80aa049df6c 39ef7f6d15479911 12\n\
tutorial_first_contact default 1: 0845e09fde92a4b4 a29b82722ced6b00 6\n\
tutorial_first_contact default 2: 42ac21f02545b79d 25f71c379a32fb03 6\n\
tutorial_first_contact default 3: b65eecbabfc9aacc 29801f6c18fc8b0b 3\n\
tutorial_first_contact hawk 1: ad16fe7bd916be31 a31a53d74556907b 6\n\
tutorial_first_contact hawk 2: 99417ae880f96df7 5352fa1fd8c4c872 3\n\
tutorial_first_contact hawk 3: f25a5c54c60c1d5c fd73b405664d9e35 6\n\
tutorial_first_contact dove 1: 0f0fafa72720864b 67d0b71e9e170475 6\n\
tutorial_first_contact dove 2: db0a31d2304d7ba5 37a2a7458b0b5086 5\n\
tutorial_first_contact dove 3: 9a5144c6c0e29913 6a8a767b2745501a 5\n\
tutorial_first_contact tit-for-tat 1: 38a9c948f25467af d5c67c389f565cc9 6\n\
tutorial_first_contact tit-for-tat 2: 365225f446f47e6c bab77697117cf273 5\n\
tutorial_first_contact tit-for-tat 3: 6f0288b7e317118f f139499212846bfc 5\n\
tutorial_first_contact measured 1: 6381992a1ce12874 7ab43644e79f9b97 6\n\
tutorial_first_contact measured 2: 8e79e55887353892 3ce55e33229d40f5 6\n\
tutorial_first_contact measured 3: 6d3af89f46a1c8d6 99e63bd1da555196 6\n\
tutorial_first_contact random 1: 3a62bf36d22869d4 90432b3470f38f41 6\n\
tutorial_first_contact random 2: 7ed4931b0fa401bb f7e3015a2ff48f7f 6\n\
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
                            // Force needs a case: a target the actor has no attribution
                            // against is refused by id, and is no legal order either.
                            if let Some(t) = target
                                && !ctx.force_has_case(actor, action, t)
                            {
                                let why = ctx.check_order(actor, &order).unwrap_err();
                                assert!(why.starts_with("force needs a case"), "{why}");
                                continue;
                            }
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
