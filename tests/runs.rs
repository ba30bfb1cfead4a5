//! Many games at once: a game that panics is reported (with its seed), never silently dropped;
//! a stopped batch holds exactly the first seeds.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use grayzone::analysis::{run_games, run_many};
use grayzone::sim::LoadedScenario;

fn mini() -> LoadedScenario {
    LoadedScenario::load(Path::new("tests/fixtures/mini"))
        .unwrap()
        .0
}

#[test]
fn a_panicking_game_is_an_error_naming_its_seed() {
    let loaded = mini();
    let controllers = grayzone::cli::bot_controllers(&loaded, &[], None).unwrap();
    let never = AtomicBool::new(false);
    // A scenario the validator would refuse (no rungs), built in code: the engine panics.
    let mut broken = (*loaded.scenario).clone();
    broken.meta.ladder.rungs.clear();
    let broken = LoadedScenario::new(broken);
    let e = run_games(&broken, 40, 8, &controllers, &|_| {}, &never).unwrap_err();
    assert_eq!(e.seed, 40, "the lowest seed that failed");
    assert!(e.to_string().contains("seed 40"), "{e}");
    // A panic outside the game (here in the progress callback) is an error too.
    let e = run_games(
        &loaded,
        1,
        50,
        &controllers,
        &|done| assert!(done < 5, "progress failed"),
        &never,
    )
    .unwrap_err();
    assert!(e.message.contains("progress failed"), "{e}");
    // run_many passes the panic on instead of dropping the thread's games.
    let lost = std::panic::catch_unwind(|| run_many(&broken, 1, 4, &controllers, &|_| {}));
    assert!(lost.is_err());
}

#[test]
fn a_stopped_batch_holds_the_first_seeds() {
    let loaded = mini();
    let controllers = grayzone::cli::bot_controllers(&loaded, &[], None).unwrap();
    let stop = AtomicBool::new(false);
    let batch = run_games(
        &loaded,
        100,
        1_000_000,
        &controllers,
        &|done| {
            if done >= 10 {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &stop,
    )
    .unwrap();
    assert!(batch.interrupted);
    assert!(batch.outcomes.len() >= 10 && batch.outcomes.len() < 1_000_000);
    for (i, o) in batch.outcomes.iter().enumerate() {
        assert_eq!(o.seed, 100 + i as u64);
    }
    let all = run_games(
        &loaded,
        100,
        12,
        &controllers,
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(!all.interrupted);
    assert_eq!(
        all.outcomes,
        run_many(&loaded, 100, 12, &controllers, &|_| {})
    );
    assert_eq!(all.outcomes[..10], batch.outcomes[..10]);
}
