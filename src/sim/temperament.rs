//! Temperaments: who leads an actor's bot in one game.
//!
//! A scenario may give an actor `temperaments` — leaderships that take over its bot for a whole
//! game, each in a share of games (for example hardliners in a quarter of them). The draw is made
//! once when a game starts, from dice derived from the game's seed (the game's own dice do not
//! move, so a scenario without temperaments plays exactly as before), and only for an actor played
//! by its scenario's own bot: a team, the facilitator or another doctrine is never replaced.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::scenario::{Controller, Scenario};
use crate::sim::eval::GameRng;
use crate::sim::state::GameState;

/// Whether games started from now on in this process draw temperaments.
static DRAWN_FOR_NEW_GAMES: AtomicBool = AtomicBool::new(true);

/// Makes games started from now on in this process draw temperaments (the default) or not
/// (`simulate --no-temperaments`: every actor plays its controller's doctrine).
pub fn set_drawn_for_new_games(drawn: bool) {
    DRAWN_FOR_NEW_GAMES.store(drawn, Ordering::Relaxed);
}

/// Whether games started now draw temperaments.
pub fn drawn_for_new_games() -> bool {
    DRAWN_FOR_NEW_GAMES.load(Ordering::Relaxed)
}

/// A salt for the temperament dice of one actor.
fn salt(actor: usize) -> u64 {
    0x5445_4d50_0000_0000 ^ actor as u64
}

/// Draws each actor's temperament for a game with this seed: an actor whose controller is its
/// scenario's own bot may be taken over by one of its temperaments (its share in percent of the
/// games). Sets the controller and [`crate::sim::state::ActorState::temperament`].
pub fn draw(sc: &Scenario, st: &mut GameState, seed: u64) {
    let dice = GameRng::new(seed);
    for (i, a) in sc.actors.iter().enumerate() {
        let Some(actor) = st.actors.get_mut(i) else {
            break;
        };
        if a.temperaments.is_empty()
            || !matches!(a.controller, Controller::Bot(_))
            || actor.controller != a.controller
        {
            continue;
        }
        let roll = dice.derived(salt(i)).below(100) as i32;
        let mut upto = 0;
        for t in &a.temperaments {
            upto += t.share.max(0);
            if roll < upto {
                actor.controller = Controller::Bot(t.doctrine);
                actor.temperament = Some(t.name.to_string());
                break;
            }
        }
    }
}
