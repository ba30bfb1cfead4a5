//! One plugin per screen.

use bevy::prelude::*;

mod board;
mod briefing;
mod console_curtain;
mod curtain;
mod debrief;
mod orders;
mod picker;
mod reveal;
mod setup;
mod title;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((
        title::plugin,
        picker::plugin,
        setup::plugin,
        briefing::plugin,
        board::plugin,
        curtain::plugin,
        console_curtain::plugin,
        orders::plugin,
        reveal::plugin,
        debrief::plugin,
    ));
}
