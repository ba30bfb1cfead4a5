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
baltic_forward_hunt default 1: e629aa949984dc78 0a54893a4d437ab9 10\n\
baltic_forward_hunt default 2: e45dd89a634d342d b16d5885ed36e7a6 8\n\
baltic_forward_hunt default 3: 1dc33870556e504d a098616cf1199783 7\n\
baltic_forward_hunt hawk 1: 09bb7e3b11cd5bc9 d24e7d2bf4add5e4 4\n\
baltic_forward_hunt hawk 2: 8d80dd4c48a2cc9c 685e6445e36c1138 3\n\
baltic_forward_hunt hawk 3: 52e2a72eafb210b1 c5e25d3734d96923 5\n\
baltic_forward_hunt dove 1: a989373e4e6ac68f 96525f9902cc7454 3\n\
baltic_forward_hunt dove 2: 3921fd1a382c859c 2fb180de2e88194c 5\n\
baltic_forward_hunt dove 3: 5e88c147f9d22969 5dc51c04a3f2a654 10\n\
baltic_forward_hunt tit-for-tat 1: c34c29efadbf6b3e f2be07fb0a74b814 10\n\
baltic_forward_hunt tit-for-tat 2: 5a77b9f2108515f3 13a8e66e183ee3cd 3\n\
baltic_forward_hunt tit-for-tat 3: 2c03be2f734172d0 a370798ea077f9b8 10\n\
baltic_forward_hunt measured 1: a89ce0fecd2b4863 dd586397578fc27b 10\n\
baltic_forward_hunt measured 2: 5a78c03daf5254c5 554b89fae5375d52 3\n\
baltic_forward_hunt measured 3: 35e5af7ccd65ae16 2e5de5bde9327329 2\n\
baltic_forward_hunt random 1: d72fb65d28142225 c4b6b8166c2ea282 4\n\
baltic_forward_hunt random 2: 62025c4f441df441 718ffa97214ff061 9\n\
baltic_forward_hunt random 3: 14c5d52a9b9f0880 8325f4584b73db2a 6\n\
escalation_study default 1: ed67e414ca3df04c 9fc4253e3e0db711 13\n\
escalation_study default 2: 2a06effa65cd348a 1c8f46eb8c8534fc 14\n\
escalation_study default 3: 31ea5b3d91609521 d63ed1a2b9cc4949 11\n\
escalation_study hawk 1: d6c01c79350aac25 1a807df1a7240919 3\n\
escalation_study hawk 2: ac8ba3ae2c5537d7 8569cc5a1a79b72a 3\n\
escalation_study hawk 3: 486e76b42ca58685 0d9ecdc16ea95fa1 3\n\
escalation_study dove 1: c8d8110932f9d42c 95bd22f42e99e39e 6\n\
escalation_study dove 2: 5a73e8351763f40d 22027864e6eeae8c 6\n\
escalation_study dove 3: 34a1459961876f29 b63a365301ef159a 6\n\
escalation_study tit-for-tat 1: 04907acd276560e3 8590e771b5587b16 6\n\
escalation_study tit-for-tat 2: c1f13cddf19ea35c d36ea9f4e4665276 6\n\
escalation_study tit-for-tat 3: c85505ddb6f04ca4 c1ce4730b5f42b7e 6\n\
escalation_study measured 1: 8c17ff7cbd2b690e 01cd68a96fd4a603 11\n\
escalation_study measured 2: 6bb8b809db26f9e2 9ffcd4d3fd653704 14\n\
escalation_study measured 3: 576df1919911acb1 2eaaa6eace773418 9\n\
escalation_study random 1: 826c9f140de81e13 530d9147a8159504 6\n\
escalation_study random 2: 39a38702005bcb37 aeb956a1cb6f9810 10\n\
escalation_study random 3: f894e112586266de 111170bb234f22f6 8\n\
forward_defense_2022 default 1: b4f95a0174089096 8c16d094a20bacb8 12\n\
forward_defense_2022 default 2: c833b6a42217ec34 555b3ed3d4438fe3 9\n\
forward_defense_2022 default 3: 3fc0ad153e0a0c4d 95ec3784de5f7e31 12\n\
forward_defense_2022 hawk 1: 1b995ba22c3b68ed a2d0944bd14a117d 11\n\
forward_defense_2022 hawk 2: 21214fbdcadce9c7 4b1a28134d387413 6\n\
forward_defense_2022 hawk 3: 284d7cae0e3299d9 3e07debfaf12b957 12\n\
forward_defense_2022 dove 1: ca4556db744509c7 2a0baa64ed038e70 3\n\
forward_defense_2022 dove 2: 98845a51687c33bc c935444135ce51df 4\n\
forward_defense_2022 dove 3: 88b4b0c5fca14d6a 4bfce2b8892aef32 6\n\
forward_defense_2022 tit-for-tat 1: 1248aebad10ba59f 325e3e0f2963c2a6 7\n\
forward_defense_2022 tit-for-tat 2: 9bde1a1a78e48108 f335660ec2e19312 10\n\
forward_defense_2022 tit-for-tat 3: c3c2e8a5f729f82e 3661dc31f0d8b90c 3\n\
forward_defense_2022 measured 1: 8ae08d5b0fbc033c b344de928b4add23 12\n\
forward_defense_2022 measured 2: a7199f78a82dba60 b5a6d00c5716ab7c 12\n\
forward_defense_2022 measured 3: 4cd3816b495f7066 2afe6a840e68bbf8 12\n\
forward_defense_2022 random 1: 19e5b75c3f9259d0 aab0ddacc3d88d93 12\n\
forward_defense_2022 random 2: cbdab76239ff981c 3ec54016b3f5ddc6 7\n\
forward_defense_2022 random 3: bbdbed5dc43c8e13 2063971f6fb21cb9 12\n\
kahn_ladder default 1: a1abf9bb06b54c9d 913a2fde63fccef8 12\n\
kahn_ladder default 2: e9ce0afe157d5abe 64d1c08775eced07 12\n\
kahn_ladder default 3: bdb4a05a4f369e2e 44dad35c9c3db435 12\n\
kahn_ladder hawk 1: b3d4eea5a8f13482 f1b9947602463d23 12\n\
kahn_ladder hawk 2: 412789028fe32b41 242bf9939b03632f 12\n\
kahn_ladder hawk 3: 603ed3fd6b2110f6 abf3fea001f84ca7 12\n\
kahn_ladder dove 1: 42c61ad055f1acf0 89f0a513f1eb6958 8\n\
kahn_ladder dove 2: 8b7bb277fd19ea11 3511d14c86da6901 5\n\
kahn_ladder dove 3: 84ead4e03b562fcc c6a64da793b1a7af 12\n\
kahn_ladder tit-for-tat 1: f29dd9f6ac9172fd a3cf060567c1a35e 8\n\
kahn_ladder tit-for-tat 2: 919c5fceaf450f77 7d13f2b9712a0994 5\n\
kahn_ladder tit-for-tat 3: e1019cffa91944ab 897ab0e3a18d29ab 11\n\
kahn_ladder measured 1: 0195ec52f3875f74 a934cdd1cc158a89 12\n\
kahn_ladder measured 2: d2a81de40970bdbd 23bf17422c6cd3ac 12\n\
kahn_ladder measured 3: 2e05f65743be64c2 1506974cccccabd4 12\n\
kahn_ladder random 1: 2833a22915298e18 c607e809484a240e 12\n\
kahn_ladder random 2: dd7bd59575727884 efb3707c1b2bb8f4 12\n\
kahn_ladder random 3: bbcc8ec63d2265ee be6bcd4c061bf77b 12\n\
tutorial_first_contact default 1: 297b0663fa76e633 25045dd309b18ff1 6\n\
tutorial_first_contact default 2: 10d03616af183aff 1a863963ffae40ce 6\n\
tutorial_first_contact default 3: 4c7ffdb8086bbf46 687cb6c6def01efd 6\n\
tutorial_first_contact hawk 1: b28b5c647b085310 3fdc0c78b123e8c0 6\n\
tutorial_first_contact hawk 2: 051b545927770cf6 50c13ca84b34cac1 6\n\
tutorial_first_contact hawk 3: 57d55c78357c7edf 4b23f733de87965e 6\n\
tutorial_first_contact dove 1: 8546ba2f481a5f8b 622c8f9c9b0dd01f 6\n\
tutorial_first_contact dove 2: ac7e942f6da24feb ccfae9aa1556d980 5\n\
tutorial_first_contact dove 3: 48ae574e65c6f6a5 2b0118c728e33ff4 5\n\
tutorial_first_contact tit-for-tat 1: 094f3f219f639eea 1dbe586ce3eb2791 6\n\
tutorial_first_contact tit-for-tat 2: ad63e0c1962bc483 4503083af6866cc0 5\n\
tutorial_first_contact tit-for-tat 3: e90147730198aec3 2539b78b1dd4a18f 6\n\
tutorial_first_contact measured 1: 38f1cec6ef307ab8 48fd4f18e0868913 6\n\
tutorial_first_contact measured 2: ff2f65d7483db1d5 707ef1d9e4a7ad3e 6\n\
tutorial_first_contact measured 3: 9b7f357e80a48e5a 15739fe57843e1c1 6\n\
tutorial_first_contact random 1: f434c97e4cbad568 b5960041d1753113 6\n\
tutorial_first_contact random 2: 3ed654dbc5dc50dd 5f5d94259209405f 6\n\
tutorial_first_contact random 3: c48a9bfa1b546a0b 1da360bb03376e4d 3\n";

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
