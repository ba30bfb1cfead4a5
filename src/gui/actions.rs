//! Everything a player or the facilitator can do is a [`UiAction`], triggered as an observer event.
//!
//! A button carries an [`OnPress`] (what it does) and usually a [`Shortcut`] (the key that does the
//! same). The key is printed on the button, so the keyboard map is always on screen, and keyboard
//! control is exactly as complete as mouse control.

use bevy::input::keyboard::KeyCode;
use bevy::prelude::*;

use super::Screen;

/// A thing the user asked for. Screens observe the variants they understand.
#[derive(Event, Clone, Debug, PartialEq)]
pub enum UiAction {
    /// Go to a screen (only transitions that need no game logic).
    Go(Screen),
    /// Leave the program.
    Quit,
    /// Picker: highlight the scenario at this index.
    SelectScenario(usize),
    /// Picker: move the highlight by this many rows.
    MoveScenario(i32),
    /// Picker: load the highlighted scenario and go to setup.
    ConfirmScenario,
    /// Setup: highlight the actor row at this index.
    SelectActor(usize),
    /// Setup: move the actor highlight.
    MoveActor(i32),
    /// Setup: cycle the highlighted actor's controller (team, bot doctrines…).
    CycleController,
    /// Setup: the highlighted actor is played by this controller; the highlight moves on.
    SetController(crate::scenario::Controller),
    /// Setup: start typing a seed (digits, ⌫), or finish typing it.
    TypeSeed,
    /// Setup: stop typing the seed and keep the old one.
    CancelSeed,
    /// Setup: start the session and show the briefing.
    StartSession,
    /// Briefing: from the situation to the news due this turn.
    BriefNews,
    /// Briefing/board: open the orders phase (curtain for the first team).
    BeginOrders,
    /// Curtain: the team has the keyboard; show its private view.
    LiftCurtain,
    /// Orders: pick the action card at this index.
    SelectCard(usize),
    /// Orders: move the card highlight.
    MoveCard(i32),
    /// Orders: cycle the target of the highlighted card.
    CycleTarget,
    /// Orders: add the highlighted card (with its target) to the team's orders.
    AddOrder,
    /// Orders: remove the last order.
    RemoveOrder,
    /// Orders: accept (true) or refuse (false) the next proposal addressed to the team.
    AnswerProposal(bool),
    /// Orders: the team is done; pass to the next team or resolve.
    ConfirmOrders,
    /// Reveal: show the next step.
    RevealNext,
    /// Reveal: show everything at once.
    RevealAll,
    /// Reveal done: back to the board (or to the debrief if the game ended).
    FinishReveal,
    /// Facilitator: release the next pending inject.
    ReleaseInject,
    /// Facilitator: choose this option of the inject due at this turn's briefing.
    ChooseInjectOption(usize),
    /// Facilitator: undo the last turn (asks first; [`UiAction::ConfirmUndo`] does it).
    UndoTurn,
    /// Facilitator: yes, undo the last turn.
    ConfirmUndo,
    /// Close the open confirmation without doing anything.
    CancelDialog,
    /// Curtain, orders, the console's curtain or the console: back to the board (a team's
    /// draft is kept).
    BackToBoard,
    /// Facilitator (board): the console on this screen, behind its curtain first.
    OpenConsole,
    /// Facilitator (console curtain): the projector is blanked; show the console.
    ShowConsole,
    /// Facilitator: pause/resume the session clock.
    TogglePause,
    /// Facilitator: save the session now.
    Save,
    /// Facilitator: lock or unlock live reloading of the scenario files.
    ToggleReloadLock,
    /// Facilitator: collapse or expand the scenario edit diagnostics panel.
    ToggleReloadPanel,
    /// Title: resume the autosaved session.
    Resume,
    /// Facilitator: end the session now and show the debrief.
    EndSession,
    /// Debrief: scroll the page shown by this many lines.
    ScrollLog(i32),
    /// Debrief: show this section (ladder, attribution, norms, decisions, turning points,
    /// facilitator and objectives, what if).
    DebriefTab(usize),
    /// Debrief what-if: move the branch turn.
    BranchTurn(i32),
    /// Debrief what-if: move to another actor.
    BranchActor(i32),
    /// Debrief what-if: cycle the doctrine the actor plays from the branch turn.
    BranchDoctrine,
    /// Debrief what-if: play the branch and compare.
    RunBranch,
}

/// What a button does when pressed.
#[derive(Component, Clone, Debug)]
pub struct OnPress(pub UiAction);

/// The key that does the same as pressing the button. Shown on the button.
#[derive(Component, Clone, Copy, Debug)]
pub struct Shortcut(pub KeyCode);

/// Visual style of a button; hover and press only brighten it.
#[derive(Component, Clone, Copy, Debug)]
pub struct ButtonLook {
    pub idle: Color,
    pub hover: Color,
}

/// A short, readable name for a key.
pub fn key_label(key: KeyCode) -> String {
    match key {
        KeyCode::Enter => "Enter".into(),
        KeyCode::Space => "Space".into(),
        KeyCode::Escape => "Esc".into(),
        KeyCode::Backspace => "⌫".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::ArrowUp => "↑".into(),
        KeyCode::ArrowDown => "↓".into(),
        KeyCode::ArrowLeft => "←".into(),
        KeyCode::ArrowRight => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Equal => "+".into(),
        KeyCode::Minus => "−".into(),
        KeyCode::Digit1 => "1".into(),
        KeyCode::Digit2 => "2".into(),
        KeyCode::Digit3 => "3".into(),
        KeyCode::Digit4 => "4".into(),
        KeyCode::Digit5 => "5".into(),
        KeyCode::Digit6 => "6".into(),
        other => {
            let name = format!("{other:?}");
            name.strip_prefix("Key")
                .or_else(|| name.strip_prefix("Digit"))
                .map(str::to_string)
                .unwrap_or(name)
        }
    }
}

fn press_buttons(
    mut commands: Commands,
    buttons: Query<(&Interaction, &OnPress), Changed<Interaction>>,
) {
    for (interaction, on_press) in &buttons {
        if *interaction == Interaction::Pressed {
            commands.trigger(on_press.0.clone());
        }
    }
}

fn keyboard_shortcuts(
    mut commands: Commands,
    keys: Res<ButtonInput<KeyCode>>,
    shortcuts: Query<(&Shortcut, &OnPress)>,
    console: Option<Res<super::console::ConsoleState>>,
) {
    // A reason being typed in the facilitator's console never presses the projector's buttons.
    if console.is_some_and(|c| c.typing()) {
        return;
    }
    // One action per key per frame, even if two widgets share a key.
    let mut fired: Vec<KeyCode> = Vec::new();
    for (shortcut, on_press) in &shortcuts {
        if keys.just_pressed(shortcut.0) && !fired.contains(&shortcut.0) {
            fired.push(shortcut.0);
            commands.trigger(on_press.0.clone());
        }
    }
}

fn hover_buttons(
    mut buttons: Query<(&Interaction, &ButtonLook, &mut BackgroundColor), Changed<Interaction>>,
) {
    for (interaction, look, mut background) in &mut buttons {
        // A new button reports its first interaction too: leave its colour untouched then, so
        // that the frame is not drawn again for nothing.
        background.set_if_neq(BackgroundColor(match interaction {
            Interaction::None => look.idle,
            Interaction::Hovered | Interaction::Pressed => look.hover,
        }));
    }
}

fn quit(action: On<UiAction>, mut exit: MessageWriter<AppExit>) {
    if *action.event() == UiAction::Quit {
        exit.write(AppExit::Success);
    }
}

fn go(action: On<UiAction>, mut next: ResMut<NextState<Screen>>) {
    if let UiAction::Go(screen) = action.event() {
        next.set(*screen);
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (press_buttons, keyboard_shortcuts, hover_buttons).in_set(super::GuiSystems::Input),
    )
    .add_observer(quit)
    .add_observer(go);
}
