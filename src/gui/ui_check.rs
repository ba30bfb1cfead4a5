//! Checks a screen by its content, from the UI tree as laid out: the texts it must show are
//! there, no secret is, no text is clipped or outside the window, no two panels overlap (unless
//! one is a modal meant to), and every button shows its key.
//!
//! The screenshot run calls [`check`] on every screen it captures, at every window size; a
//! problem names the screen, the node's text and what is wrong.

use bevy::prelude::*;
use bevy::text::TextLayoutInfo;
use bevy::ui::{CalculatedClip, ComputedStackIndex, UiGlobalTransform};
use bevy::window::PrimaryWindow;

use super::actions::{OnPress, Shortcut, UiAction, key_label};

/// A box on screen that must not overlap another [`Panel`], unless one of them may.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// A part of the layout (a card, the ladder, the header, the footer): overlaps nothing.
    Plain,
    /// A notice laid over the layout: may cover only panels marked [`MayBeCovered`].
    Notice,
    /// A dialog or overlay meant to cover the screen (pause, a confirmation).
    Modal,
}

/// Marks panels a [`Panel::Notice`] may cover: this node and every panel inside it (the board's
/// actor cards; the ladder, the news and the footer stay clear).
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct MayBeCovered;

/// What a screen must show and must not show (substrings of its texts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// Texts that must be visible.
    pub show: Vec<String>,
    /// Texts that must appear nowhere on the screen (secrets).
    pub hide: Vec<String>,
}

/// A button as laid out: entity, action, key, rectangle, clip.
type ButtonFound = (Entity, UiAction, Option<KeyCode>, Rect, Option<Rect>);

/// A panel as laid out: entity, kind, rectangle, clip, whether a notice may cover it.
type PanelFound = (Entity, Panel, Rect, Option<Rect>, bool);

/// Pixels of tolerance for rounding in layout.
const TOLERANCE: f32 = 1.5;

/// A laid-out node's rectangle in physical pixels.
fn rect_of(node: &ComputedNode, transform: &UiGlobalTransform) -> Rect {
    Rect::from_center_size(transform.translation, node.size())
}

fn inside(inner: Rect, outer: Rect) -> bool {
    inner.min.x >= outer.min.x - TOLERANCE
        && inner.min.y >= outer.min.y - TOLERANCE
        && inner.max.x <= outer.max.x + TOLERANCE
        && inner.max.y <= outer.max.y + TOLERANCE
}

fn overlaps(a: Rect, b: Rect) -> bool {
    let i = a.intersect(b);
    i.width() > TOLERANCE && i.height() > TOLERANCE
}

fn describe(r: Rect) -> String {
    format!(
        "x {:.0}..{:.0}, y {:.0}..{:.0}",
        r.min.x, r.max.x, r.min.y, r.max.y
    )
}

/// Shortens a node's text for a message.
fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    let short: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("«{short}…»")
    } else {
        format!("«{short}»")
    }
}

/// A text node's whole text: its own and that of its spans (parts in another style), in order.
fn with_spans(world: &World, entity: Entity, text: &Text) -> String {
    let mut whole = text.0.clone();
    let mut stack: Vec<Entity> = world
        .get::<Children>(entity)
        .map(|c| c.iter().rev().collect())
        .unwrap_or_default();
    while let Some(child) = stack.pop() {
        if let Some(span) = world.get::<TextSpan>(child) {
            whole.push_str(&span.0);
            if let Some(children) = world.get::<Children>(child) {
                stack.extend(children.iter().rev());
            }
        }
    }
    whole
}

/// Texts of a node and its descendants, in tree order.
fn texts_under(world: &World, entity: Entity, out: &mut Vec<String>) {
    if let Some(text) = world.get::<Text>(entity) {
        let whole = with_spans(world, entity, text);
        if !whole.trim().is_empty() {
            out.push(whole);
        }
    }
    if let Some(children) = world.get::<Children>(entity) {
        for child in children.iter() {
            texts_under(world, child, out);
        }
    }
}

/// A name for a node in a message: its first text, else its entity.
fn label_of(world: &World, entity: Entity) -> String {
    let mut texts = Vec::new();
    texts_under(world, entity, &mut texts);
    texts
        .first()
        .map(|t| quote(t))
        .unwrap_or_else(|| format!("(node {entity})"))
}

/// Whether this node or one of its ancestors is [`MayBeCovered`].
fn coverable(world: &World, mut node: Entity) -> bool {
    loop {
        if world.get::<MayBeCovered>(node).is_some() {
            return true;
        }
        match world.get::<ChildOf>(node) {
            Some(parent) => node = parent.parent(),
            None => return false,
        }
    }
}

fn is_ancestor(world: &World, ancestor: Entity, mut node: Entity) -> bool {
    while let Some(parent) = world.get::<ChildOf>(node) {
        node = parent.parent();
        if node == ancestor {
            return true;
        }
    }
    false
}

/// The first on-screen button whose texts include `label`, with its centre in physical pixels.
pub fn find_button(world: &mut World, label: &str) -> Option<(Entity, Vec2)> {
    let mut buttons = world.query_filtered::<(
        Entity,
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
    ), With<Button>>();
    let found: Vec<(Entity, Vec2)> = buttons
        .iter(world)
        .filter(|(_, _, _, visible)| visible.get())
        .map(|(e, _, t, _)| (e, t.translation))
        .collect();
    found.into_iter().find(|(e, _)| {
        let mut texts = Vec::new();
        texts_under(world, *e, &mut texts);
        texts.iter().any(|t| t == label)
    })
}

/// The physical size of the primary window.
fn window_rect(world: &mut World) -> Rect {
    let mut windows = world.query_filtered::<&Window, With<PrimaryWindow>>();
    let size = windows
        .iter(world)
        .next()
        .map(|w| Vec2::new(w.physical_width() as f32, w.physical_height() as f32))
        .unwrap_or(Vec2::new(1920.0, 1080.0));
    Rect::from_corners(Vec2::ZERO, size)
}

/// Nodes drawn in another window than the projector's (the facilitator's console window, whose
/// UI roots name its camera with `UiTargetCamera`): that window is checked by nothing here, and
/// it may show what the projector must not. Roots that name the main window's camera (the
/// console's overlay) are on the projector's window and checked like any other.
fn in_other_windows(world: &mut World) -> std::collections::HashSet<Entity> {
    let primary: Vec<Entity> = world
        .query_filtered::<Entity, With<PrimaryWindow>>()
        .iter(world)
        .collect();
    let mut cameras = world.query::<Option<&bevy::camera::RenderTarget>>();
    let mut roots = world.query::<(Entity, &UiTargetCamera)>();
    let roots: Vec<(Entity, Entity)> = roots.iter(world).map(|(e, t)| (e, t.0)).collect();
    let mut stack: Vec<Entity> = Vec::new();
    for (root, camera) in roots {
        let on_primary = match cameras.get(world, camera) {
            Ok(None) => true,
            Ok(Some(bevy::camera::RenderTarget::Window(bevy::window::WindowRef::Primary))) => true,
            Ok(Some(bevy::camera::RenderTarget::Window(bevy::window::WindowRef::Entity(w)))) => {
                primary.contains(w)
            }
            _ => false,
        };
        if !on_primary {
            stack.push(root);
        }
    }
    let mut children = world.query::<&Children>();
    let mut found = std::collections::HashSet::new();
    while let Some(e) = stack.pop() {
        if found.insert(e)
            && let Ok(kids) = children.get(world, e)
        {
            stack.extend(kids.iter());
        }
    }
    found
}

/// The secrets (`hide`) that a text drawn on the primary window shows now, one line each,
/// starting with `screen`. Cheap enough to run on every frame of a curtain.
pub fn secrets_shown(world: &mut World, screen: &str, hide: &[String]) -> Vec<String> {
    let elsewhere = in_other_windows(world);
    let mut texts = world.query::<(Entity, &Text, &InheritedVisibility)>();
    let shown: Vec<String> = texts
        .iter(world)
        .filter(|(e, _, visible)| visible.get() && !elsewhere.contains(e))
        .map(|(e, text, _)| with_spans(world, e, text))
        .collect();
    let mut problems = Vec::new();
    for secret in hide.iter().filter(|s| !s.trim().is_empty()) {
        for text in shown.iter().filter(|t| t.contains(secret.as_str())) {
            problems.push(format!(
                "{screen}: text {} shows a secret: {}",
                quote(text),
                quote(secret)
            ));
        }
    }
    problems
}

/// Checks the current screen of the primary window; returns one line per problem, each
/// starting with `screen`.
pub fn check(world: &mut World, screen: &str, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    let window = window_rect(world);
    let elsewhere = in_other_windows(world);
    // Text layouts are measured before `UiScale`; boxes after it.
    let ui_scale = world.get_resource::<UiScale>().map_or(1.0, |s| s.0);

    // Texts: inside the window, not clipped, not spilling out of their own box.
    let mut texts_query = world.query::<(
        Entity,
        &Text,
        &ComputedNode,
        &UiGlobalTransform,
        Option<&CalculatedClip>,
        &InheritedVisibility,
        Option<&TextLayoutInfo>,
        Option<&TextFont>,
    )>();
    let mut visible_texts: Vec<(Entity, String)> = Vec::new();
    for (entity, text, node, transform, clip, visible, layout, font) in texts_query.iter(world) {
        let whole = with_spans(world, entity, text);
        if !visible.get() || whole.trim().is_empty() || elsewhere.contains(&entity) {
            continue;
        }
        let what = quote(&whole);
        // Where the glyphs are: the laid-out text from the top left of the node's content box
        // (a text node's box can be taller than its lines).
        let node_rect = rect_of(node, transform);
        let glyphs = layout.map(|l| l.size * ui_scale);
        let rect = match glyphs {
            Some(size) if size.x > 0.0 => {
                let min = node_rect.min + node.border.min_inset + node.padding.min_inset;
                Rect::from_corners(min, min + size)
            }
            _ => node_rect,
        };
        if !inside(rect, window) {
            problems.push(format!(
                "{screen}: text {what} lies outside the {:.0}×{:.0} window ({})",
                window.width(),
                window.height(),
                describe(rect)
            ));
        } else if let Some(clip) = clip
            && !inside(rect, clip.clip)
        {
            let hidden = if overlaps(rect, clip.clip) {
                "is clipped"
            } else {
                "is hidden (clipped away entirely)"
            };
            problems.push(format!(
                "{screen}: text {what} {hidden}: it needs {} but its container shows {}",
                describe(rect),
                describe(clip.clip)
            ));
        }
        if let Some(size) = glyphs {
            let room = node.size() - node.padding.min_inset - node.padding.max_inset;
            // A wrapped line's measured width includes the space it broke at.
            let font_px = match font.map(|f| f.font_size) {
                Some(bevy::text::FontSize::Px(px)) => px,
                _ => 20.0,
            } * ui_scale;
            let wrapped = size.y > 1.6 * font_px;
            let slack_x = if wrapped { 0.6 * font_px } else { TOLERANCE };
            if size.x > room.x + slack_x || size.y > room.y + TOLERANCE {
                problems.push(format!(
                    "{screen}: text {what} spills out of its box: it needs {:.0}×{:.0} px, its box is {:.0}×{:.0}",
                    size.x, size.y, room.x, room.y
                ));
            }
        }
        visible_texts.push((entity, whole));
    }

    // What the screen must and must not show.
    for wanted in &expect.show {
        if !visible_texts
            .iter()
            .any(|(_, t)| t.contains(wanted.as_str()))
        {
            problems.push(format!("{screen}: {} is not on the screen", quote(wanted)));
        }
    }
    for secret in &expect.hide {
        if secret.trim().is_empty() {
            continue;
        }
        for (_, text) in visible_texts
            .iter()
            .filter(|(_, t)| t.contains(secret.as_str()))
        {
            problems.push(format!(
                "{screen}: text {} shows a secret: {}",
                quote(text),
                quote(secret)
            ));
        }
    }

    // Panels: inside the window, not cut off, not overlapping.
    let mut panel_query = world.query::<(
        Entity,
        &Panel,
        &ComputedNode,
        &UiGlobalTransform,
        Option<&CalculatedClip>,
        &InheritedVisibility,
    )>();
    let panels: Vec<PanelFound> = panel_query
        .iter(world)
        .filter(|p| p.5.get() && !elsewhere.contains(&p.0))
        .map(|(e, kind, node, transform, clip, _)| {
            (
                e,
                *kind,
                rect_of(node, transform),
                clip.map(|c| c.clip),
                false,
            )
        })
        .collect();
    let panels: Vec<PanelFound> = panels
        .into_iter()
        .map(|(e, kind, rect, clip, _)| (e, kind, rect, clip, coverable(world, e)))
        .collect();
    for &(entity, _, rect, clip, _) in &panels {
        let cut = !inside(rect, window) || clip.is_some_and(|c| !inside(rect, c));
        if cut {
            problems.push(format!(
                "{screen}: panel {} is cut off: it needs {} but {} is visible",
                label_of(world, entity),
                describe(rect),
                describe(clip.map_or(window, |c| c.intersect(window)))
            ));
        }
    }
    for (i, a) in panels.iter().enumerate() {
        for b in &panels[i + 1..] {
            if !overlaps(a.2, b.2) || is_ancestor(world, a.0, b.0) || is_ancestor(world, b.0, a.0) {
                continue;
            }
            let allowed = match (a.1, b.1) {
                (Panel::Modal, _) | (_, Panel::Modal) => true,
                (Panel::Notice, Panel::Notice) => true,
                (Panel::Notice, Panel::Plain) => b.4,
                (Panel::Plain, Panel::Notice) => a.4,
                (Panel::Plain, Panel::Plain) => false,
            };
            if !allowed {
                problems.push(format!(
                    "{screen}: panels {} and {} overlap ({} and {})",
                    label_of(world, a.0),
                    label_of(world, b.0),
                    describe(a.2),
                    describe(b.2)
                ));
            }
        }
    }

    // Buttons: on screen, showing their key; one key per action.
    let mut button_query = world.query_filtered::<(
        Entity,
        &OnPress,
        Option<&Shortcut>,
        &ComputedNode,
        &UiGlobalTransform,
        Option<&CalculatedClip>,
        &InheritedVisibility,
        &ComputedStackIndex,
    ), With<Button>>();
    let buttons: Vec<ButtonFound> = button_query
        .iter(world)
        .filter(|b| b.6.get() && !elsewhere.contains(&b.0))
        .map(|(e, press, key, node, transform, clip, _, _)| {
            (
                e,
                press.0.clone(),
                key.map(|k| k.0),
                rect_of(node, transform),
                clip.map(|c| c.clip),
            )
        })
        .collect();
    let mut keys_seen: Vec<(KeyCode, UiAction, String)> = Vec::new();
    for (entity, action, key, rect, clip) in &buttons {
        let name = label_of(world, *entity);
        let mut texts = Vec::new();
        texts_under(world, *entity, &mut texts);
        if !inside(*rect, window) || clip.is_some_and(|c| !inside(*rect, c)) {
            problems.push(format!(
                "{screen}: button {name} is off-screen or cut off ({})",
                describe(*rect)
            ));
        }
        match key {
            Some(key) => {
                let label = key_label(*key);
                if !texts.contains(&label) {
                    problems.push(format!(
                        "{screen}: button {name} does not show its key {label}"
                    ));
                }
                if let Some((_, other, other_name)) = keys_seen.iter().find(|(k, _, _)| k == key)
                    && *other != *action
                {
                    problems.push(format!(
                        "{screen}: key {label} is on two buttons that do different things: {other_name} and {name}"
                    ));
                }
                keys_seen.push((*key, action.clone(), name));
            }
            // Cards and rows are picked with the arrow keys printed in the footer.
            None if matches!(
                action,
                UiAction::SelectCard(_) | UiAction::SelectScenario(_) | UiAction::SelectActor(_)
            ) => {}
            None => problems.push(format!("{screen}: button {name} has no key")),
        }
    }
    // The console's buttons (its overlay): on screen, and showing their key when they have one.
    let mut console_buttons = world.query_filtered::<(
        Entity,
        &super::console::ConsoleKey,
        &ComputedNode,
        &UiGlobalTransform,
        Option<&CalculatedClip>,
        &InheritedVisibility,
    ), With<Button>>();
    let found: Vec<(Entity, Option<KeyCode>, Rect, Option<Rect>)> = console_buttons
        .iter(world)
        .filter(|b| b.5.get() && !elsewhere.contains(&b.0))
        .map(|(e, key, node, transform, clip, _)| {
            (e, key.0, rect_of(node, transform), clip.map(|c| c.clip))
        })
        .collect();
    for (entity, key, rect, clip) in found {
        let name = label_of(world, entity);
        if !inside(rect, window) || clip.is_some_and(|c| !inside(rect, c)) {
            problems.push(format!(
                "{screen}: button {name} is off-screen or cut off ({})",
                describe(rect)
            ));
        }
        if let Some(key) = key {
            let mut texts = Vec::new();
            texts_under(world, entity, &mut texts);
            let label = key_label(key);
            if !texts.contains(&label) {
                problems.push(format!(
                    "{screen}: button {name} does not show its key {label}"
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles() {
        let window = Rect::new(0.0, 0.0, 100.0, 100.0);
        assert!(inside(Rect::new(0.0, 0.0, 100.0, 100.0), window));
        assert!(!inside(Rect::new(0.0, 50.0, 10.0, 103.0), window));
        assert!(overlaps(
            Rect::new(0.0, 0.0, 10.0, 10.0),
            Rect::new(5.0, 5.0, 20.0, 20.0)
        ));
        // Touching edges are not an overlap.
        assert!(!overlaps(
            Rect::new(0.0, 0.0, 10.0, 10.0),
            Rect::new(10.0, 0.0, 20.0, 10.0)
        ));
    }

    #[test]
    fn quotes_are_short_and_on_one_line() {
        assert_eq!(quote("a\n b"), "«a b»");
        assert_eq!(quote(&"x".repeat(70)), format!("«{}…»", "x".repeat(60)));
    }
}
