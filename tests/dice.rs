//! The dice: `GameRng` rolls every face of a d100 equally often, and the rules honour the
//! chances a scenario gives (an action's success chance, a restrained swarm's controllability,
//! a tolerated swarm's 30 %). Dice that never fail, or always roll the same face, fail here.

mod common;

use common::fixture::mini_with;
use grayzone::scenario::Controller;
use grayzone::sim::*;

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
fn d100_rolls_every_face_equally_often() {
    const ROLLS: usize = 100_000;
    let mut rng = GameRng::new(2022);
    let mut counts = [0usize; 101];
    let mut sum = 0i64;
    for _ in 0..ROLLS {
        let roll = rng.d100();
        assert!((1..=100).contains(&roll), "d100 rolled {roll}");
        counts[roll as usize] += 1;
        sum += i64::from(roll);
    }
    assert_eq!(rng.draws, ROLLS as u64, "one draw counted per roll");
    let missing: Vec<usize> = (1..=100).filter(|&v| counts[v] == 0).collect();
    assert!(missing.is_empty(), "faces never rolled: {missing:?}");
    // Mean 50.5; its standard error over 100,000 rolls is 0.091.
    let mean = sum as f64 / ROLLS as f64;
    assert!((mean - 50.5).abs() < 0.4, "mean roll {mean}");
    // Pearson's chi-square with 99 degrees of freedom: 148 is the 0.1 % critical value.
    let expected = ROLLS as f64 / 100.0;
    let chi2: f64 = (1..=100)
        .map(|v| (counts[v] as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 148.0, "d100 is biased: chi-square {chi2:.1}");
    // Low and high halves alike (a roll shifted by one fails here too).
    let low: usize = counts[1..=50].iter().sum();
    assert!(
        (49_000..=51_000).contains(&low),
        "{low} of {ROLLS} rolls in 1..=50"
    );
}

#[test]
fn below_is_uniform_and_seeds_differ() {
    let mut rng = GameRng::new(1);
    let mut counts = [0usize; 6];
    for _ in 0..60_000 {
        let v = rng.below(6) as usize;
        counts[v] += 1;
    }
    for (face, &n) in counts.iter().enumerate() {
        assert!((9_500..=10_500).contains(&n), "face {face}: {n} of 60000");
    }
    // The same seed gives the same rolls; another seed other rolls.
    let rolls = |seed| {
        let mut r = GameRng::new(seed);
        (0..20).map(|_| r.d100()).collect::<Vec<_>>()
    };
    assert_eq!(rolls(5), rolls(5));
    assert_ne!(rolls(5), rolls(6));
}

#[test]
fn weighted_picks_follow_their_weights() {
    let mut rng = GameRng::new(9);
    let mut counts = [0usize; 3];
    for _ in 0..40_000 {
        counts[rng.weighted(&[1, 0, 3]).expect("a pick")] += 1;
    }
    assert_eq!(counts[1], 0, "a zero weight is never picked");
    assert!(
        (9_500..=10_500).contains(&counts[0]),
        "weight 1 of 4 picked {} of 40000",
        counts[0]
    );
    assert_eq!(rng.weighted(&[0, 0]), None);
}

/// The share of `games` seeded games in which `count` holds after one turn of `submit`.
fn share(
    game: &LoadedScenario,
    games: u64,
    submit: &[SubmitOrders],
    count: impl Fn(&GameState) -> bool,
) -> f64 {
    let controllers: Vec<Controller> = game.default_controllers();
    let mut hits = 0;
    let mut g = Game::new(game, 0, &controllers);
    for seed in 0..games {
        // One world for every game, without log or hashes, as the analysis runner plays.
        g.reset(game, seed, &controllers);
        g.set_fast(true);
        for o in submit {
            g.submit(o.clone());
        }
        g.step();
        hits += usize::from(count(g.state()));
    }
    hits as f64 / games as f64
}

#[test]
fn an_actions_success_chance_is_honoured_by_the_rules() {
    let game = mini_with(
        "chance",
        &[(
            "actions.ron",
            "target: Actor(AnyOther), chance: 100, visibility: Covert",
            "target: Actor(AnyOther), chance: 30, visibility: Covert",
        )],
    );
    let hack = game.index.actions["covert_hack"];
    let rate = share(
        &game,
        1000,
        &[orders("alpha", &[("covert_hack", Some("beta"))])],
        |st| {
            let mine: Vec<_> = st.history.iter().filter(|r| r.action == hack).collect();
            assert_eq!(mine.len(), 1, "the hack is resolved once");
            mine[0].success
        },
    );
    // 1000 games: the standard error of a 30 % share is 1.4 points.
    assert!(
        (0.25..=0.35).contains(&rate),
        "a 30 % action succeeded in {:.1} % of games",
        rate * 100.0
    );
}

/// How many orders the proxy swarm carried out in one turn.
fn proxy_acts(st: &GameState, proxy: usize) -> usize {
    st.history.iter().filter(|r| r.actor == proxy).count()
}

#[test]
fn a_restrained_swarm_obeys_with_its_controllability_as_the_chance() {
    let two = orders(
        "proxy",
        &[("proxy_ddos", Some("beta")), ("proxy_ddos", Some("gamma"))],
    );
    for (control, obeys) in [(80, 0.8), (20, 0.2)] {
        let game = mini_with(
            &format!("restrain{control}"),
            &[(
                "actors.ron",
                "stance: Tolerate, attrs: {\"control\": 100}",
                &format!("stance: Restrain, attrs: {{\"control\": {control}}}"),
            )],
        );
        let proxy = game.index.actors["proxy"];
        let quiet = share(&game, 1000, std::slice::from_ref(&two), |st| {
            let n = proxy_acts(st, proxy);
            // Disobeying, it still acts only once.
            assert!(n <= 1, "a restrained swarm acted {n} times");
            n == 0
        });
        assert!(
            (quiet - obeys).abs() < 0.05,
            "controllability {control}: quiet in {:.1} % of games",
            quiet * 100.0
        );
    }
}

#[test]
fn a_tolerated_swarm_is_held_to_one_order_in_30_percent_and_an_encouraged_one_never() {
    let two = orders(
        "proxy",
        &[("proxy_ddos", Some("beta")), ("proxy_ddos", Some("gamma"))],
    );
    let tolerated = mini_with("tolerate", &[]);
    let proxy = tolerated.index.actors["proxy"];
    let once = share(&tolerated, 1000, std::slice::from_ref(&two), |st| {
        proxy_acts(st, proxy) == 1
    });
    assert!(
        (once - 0.3).abs() < 0.05,
        "tolerated: held to one order in {:.1} % of games",
        once * 100.0
    );
    let encouraged = mini_with(
        "encourage",
        &[(
            "actors.ron",
            "stance: Tolerate, attrs",
            "stance: Encourage, attrs",
        )],
    );
    let both = share(&encouraged, 300, std::slice::from_ref(&two), |st| {
        proxy_acts(st, proxy) == 2
    });
    assert_eq!(both, 1.0, "an encouraged swarm carries out every order");
}
