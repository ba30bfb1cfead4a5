//! One team's private view: its actor's hidden information, and nobody else's.

use crate::scenario::{Confidence, Scenario, Visibility};
use crate::sim::log::{Event, GameLog};
use crate::sim::state::GameState;

use super::ActorCard;
use super::board::actor_card;
use super::names::{self, actor_name};

/// One of the team's own operations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OwnOperation {
    /// Turn.
    pub turn: u32,
    /// Action name.
    pub action: String,
    /// Victim name.
    pub victim: String,
    /// Whether it succeeded.
    pub success: bool,
    /// Status in words, as far as the team can know it.
    pub status: String,
}

/// An incident against the team's actor that it has detected.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IncidentAgainst {
    /// Turn it happened.
    pub turn: u32,
    /// What hit it.
    pub action: String,
    /// Whom the team's analysts suspect.
    pub suspect: Option<String>,
    /// Position of the suspect (for its token).
    pub suspect_index: Option<usize>,
    /// Confidence 0–100.
    pub confidence: i32,
    /// Confidence in words.
    pub level: String,
    /// Whether the team has named the culprit publicly.
    pub public: bool,
}

/// A red line the team owes an answer on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Obligation {
    /// Red line name.
    pub red_line: String,
    /// Whom to answer.
    pub culprit: String,
    /// Last turn to answer.
    pub due: u32,
}

/// An action the team may order this turn, as a card.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActionCard {
    /// Action id.
    pub id: String,
    /// Card title.
    pub name: String,
    /// Card text.
    pub description: String,
    /// Domain in words.
    pub domain: String,
    /// Rung position it puts the actor on (at least).
    pub rung: usize,
    /// Rung name.
    pub rung_name: String,
    /// Costs in words ("3 Capacity").
    pub cost: Vec<String>,
    /// Success chance bucket (10/30/50/70/90) and its words, against the first legal target.
    pub chance: (u8, String),
    /// The chance bucket against each legal target (same order as `targets`).
    pub target_chances: Vec<(u8, String)>,
    /// Visibility in words.
    pub visibility: String,
    /// Norms it would break: (id, text).
    pub breaks: Vec<(String, String)>,
    /// Norms it upholds: (id, text).
    pub upholds: Vec<(String, String)>,
    /// Legal targets: (actor position, name). Empty for untargeted actions.
    pub targets: Vec<(usize, String)>,
    /// The actor ids of `targets`, in the same order (what an order names).
    pub target_ids: Vec<String>,
}

/// A proposal the team must accept or refuse.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IncomingProposal {
    /// Proposal id (the answer names it).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Who proposes it.
    pub from: String,
    /// Its text.
    pub text: String,
}

/// One team's private view.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TeamView {
    /// The team's actor card, with its hidden attributes and private red lines.
    pub card: ActorCard,
    /// The team's objectives.
    pub objectives: String,
    /// Its scored objectives with how far each is met so far (the team's own, nobody else's).
    pub goals: Vec<crate::sim::objectives::ObjectiveView>,
    /// Its objective score so far (0–1).
    pub score: f64,
    /// Highest rung its rules of engagement allow.
    pub threshold_name: String,
    /// The team's own operations, newest first.
    pub operations: Vec<OwnOperation>,
    /// Incidents against it that it has detected, newest first.
    pub incidents: Vec<IncidentAgainst>,
    /// Red lines it must answer.
    pub obligations: Vec<Obligation>,
    /// Proposals awaiting its answer or its counterpart's, in words.
    pub proposals: Vec<String>,
    /// Proposals it must answer this turn (unanswered ones are refused).
    pub incoming: Vec<IncomingProposal>,
    /// Its sectors: (name, resilience, damage).
    pub sectors: Vec<(String, i32, i32)>,
    /// Swarms it sponsors: (name, stance).
    pub swarms: Vec<(String, String)>,
    /// Orders per turn.
    pub orders_per_turn: u32,
    /// The cards it may play this turn.
    pub cards: Vec<ActionCard>,
}

/// A legal action with its legal targets (`None`: untargeted) and the success chance of each.
pub type LegalCard = (usize, Vec<(Option<usize>, i32)>);

/// The card for an action, given its legal targets and their chances.
pub fn action_card(
    s: &Scenario,
    action: usize,
    options: &[(Option<usize>, i32)],
) -> Option<ActionCard> {
    let a = s.actions.get(action)?;
    let rung = s
        .meta
        .ladder
        .rungs
        .iter()
        .position(|r| r.id == a.rung)
        .unwrap_or(0);
    let norm = |id: &String| {
        (
            id.clone(),
            s.meta
                .norms
                .iter()
                .find(|n| &n.id == id)
                .map(|n| n.text.clone())
                .unwrap_or_default(),
        )
    };
    let bucket = |c: i32| {
        let (b, w) = names::chance_bucket(c);
        (b, w.to_string())
    };
    let chance = options.first().map(|o| o.1).unwrap_or(0);
    Some(ActionCard {
        id: a.id.clone(),
        name: a.name.clone(),
        description: a.description.clone(),
        domain: names::domain(a.domain).into(),
        rung,
        rung_name: names::rung_name(s, rung),
        cost: a
            .cost
            .iter()
            .map(|(attr, n)| {
                let name = s
                    .meta
                    .attributes
                    .iter()
                    .find(|d| &d.id == attr)
                    .map(|d| d.name.clone())
                    .unwrap_or_else(|| attr.clone());
                format!("{n} {name}")
            })
            .collect(),
        chance: bucket(chance),
        target_chances: options.iter().map(|o| bucket(o.1)).collect(),
        visibility: names::visibility(a.visibility).into(),
        breaks: a.norms.breaks.iter().map(norm).collect(),
        upholds: a.norms.upholds.iter().map(norm).collect(),
        targets: options
            .iter()
            .filter_map(|o| o.0)
            .map(|t| (t, actor_name(s, t)))
            .collect(),
        target_ids: options
            .iter()
            .filter_map(|o| o.0)
            .filter_map(|t| s.actors.get(t).map(|a| a.id.clone()))
            .collect(),
    })
}

/// The private view of the team playing `actor`. `cards` are the legal actions this turn, as
/// the rules compute them ([`super::legal_cards`]).
pub fn team_view(
    s: &Scenario,
    state: &GameState,
    log: &GameLog,
    actor: usize,
    cards: &[LegalCard],
) -> TeamView {
    let st = &state.actors[actor];
    let action_name = |i: usize| s.actions.get(i).map(|a| a.name.clone()).unwrap_or_default();
    let mut operations: Vec<OwnOperation> = state
        .incidents
        .iter()
        .filter(|i| i.actor == actor)
        .map(|i| OwnOperation {
            turn: i.turn,
            action: action_name(i.action),
            victim: actor_name(s, i.victim),
            success: i.success,
            status: if i.public {
                match i.suspect {
                    Some(sus) if sus != actor => {
                        format!("public — blamed on {}", actor_name(s, sus))
                    }
                    _ => "public — attributed to you".into(),
                }
            } else {
                "not public".into()
            },
        })
        .collect();
    // Failed covert and deniable operations leave no incident; the team still knows them from
    // its own (private) dice rolls.
    let me = &s.actors[actor].id;
    for entry in &log.entries {
        if let Event::Roll {
            actor: who,
            action,
            target,
            success: false,
            ..
        } = &entry.event
            && who == me
            && entry.audience.visible_to(me)
            && s.actions
                .iter()
                .find(|a| &a.id == action)
                .is_some_and(|a| a.visibility != Visibility::Overt)
        {
            operations.push(OwnOperation {
                turn: entry.turn,
                action: names::action_name_by_id(s, action),
                victim: target
                    .as_deref()
                    .map(|t| names::actor_name_by_id(s, t))
                    .unwrap_or_default(),
                success: false,
                status: "no trace left".into(),
            });
        }
    }
    operations.sort_by_key(|o| std::cmp::Reverse(o.turn));
    let incidents = state
        .incidents
        .iter()
        .rev()
        .filter(|i| i.victim == actor && i.detected.is_some())
        .map(|i| IncidentAgainst {
            turn: i.turn,
            action: action_name(i.action),
            suspect: i.suspect.map(|x| actor_name(s, x)),
            suspect_index: i.suspect,
            confidence: i.evidence,
            level: names::confidence(Confidence::from_value(i.evidence)).into(),
            public: i.public,
        })
        .collect();
    let obligations = state
        .obligations
        .iter()
        .filter(|o| o.owner == actor)
        .map(|o| Obligation {
            red_line: s
                .red_lines
                .get(o.red_line)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            culprit: actor_name(s, o.culprit),
            due: o.due,
        })
        .collect();
    let proposals = state
        .pending
        .iter()
        .filter(|p| p.from == actor || p.to == actor)
        .map(|p| {
            let name = s
                .proposals
                .get(p.proposal)
                .map(|x| x.name.clone())
                .unwrap_or_default();
            if p.to == actor {
                format!("{} proposes “{name}” to you", actor_name(s, p.from))
            } else {
                format!("You proposed “{name}” to {}", actor_name(s, p.to))
            }
        })
        .collect();
    let incoming = state
        .pending
        .iter()
        .filter(|p| p.to == actor)
        .filter_map(|p| {
            let prop = s.proposals.get(p.proposal)?;
            Some(IncomingProposal {
                id: prop.id.clone(),
                name: prop.name.clone(),
                from: actor_name(s, p.from),
                text: prop.text.clone(),
            })
        })
        .collect();
    let sectors = s
        .meta
        .sectors
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                d.name.clone(),
                st.resilience.get(i).copied().unwrap_or(0),
                st.damage.get(i).copied().unwrap_or(0),
            )
        })
        .collect();
    let swarms = s
        .actors
        .iter()
        .enumerate()
        .filter(|(_, a)| a.sponsor.as_ref() == Some(me))
        .map(|(i, a)| {
            let stance = state.actors[i]
                .stance
                .map(|x| format!("{x:?}"))
                .unwrap_or_else(|| "—".into());
            (a.name.clone(), stance)
        })
        .collect();
    TeamView {
        card: actor_card(s, state, actor, true),
        objectives: s.actors[actor].objectives.clone(),
        goals: crate::sim::objectives::views(s, state, actor),
        score: crate::sim::objectives::score(s, state, actor),
        threshold_name: names::rung_name(s, st.threshold),
        operations,
        incidents,
        obligations,
        proposals,
        incoming,
        sectors,
        swarms,
        orders_per_turn: s.meta.rules.orders_per_turn,
        cards: cards
            .iter()
            .filter_map(|(a, options)| action_card(s, *a, options))
            .collect(),
    }
}
