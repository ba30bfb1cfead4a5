//! The structured game log: every order, roll, effect, attribution change, red-line trigger,
//! inject and ending, with turn, phase and actor ids. The GUI, the debrief and replays read it.

use std::fmt::Write as _;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::scenario::Confidence;

/// The phases of a turn, in order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, SystemSet,
)]
pub enum Phase {
    /// Injects and headlines.
    Briefing,
    /// Orders are collected; bots choose theirs.
    Orders,
    /// Orders are resolved with seeded dice, in a stable order.
    Resolution,
    /// Victims detect incidents and gather evidence.
    Attribution,
    /// Red lines are checked; obligations enforced or ignored.
    RedLines,
    /// Proposals are accepted or refused.
    Diplomacy,
    /// The crisis level and thresholds are updated.
    Escalation,
    /// Endings are checked.
    Endings,
    /// The turn is closed and hashed.
    Log,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 9] = [
        Phase::Briefing,
        Phase::Orders,
        Phase::Resolution,
        Phase::Attribution,
        Phase::RedLines,
        Phase::Diplomacy,
        Phase::Escalation,
        Phase::Endings,
        Phase::Log,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Briefing => "briefing",
            Phase::Orders => "orders",
            Phase::Resolution => "resolution",
            Phase::Attribution => "attribution",
            Phase::RedLines => "red lines",
            Phase::Diplomacy => "diplomacy",
            Phase::Escalation => "escalation",
            Phase::Endings => "endings",
            Phase::Log => "log",
        }
    }
}

/// Who may see a log entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    /// The whole room.
    Public,
    /// Only these actors' teams (and the facilitator).
    Private(Vec<String>),
}

impl Audience {
    /// Whether the team of `actor` may see it.
    pub fn visible_to(&self, actor: &str) -> bool {
        match self {
            Audience::Public => true,
            Audience::Private(ids) => ids.iter().any(|i| i == actor),
        }
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Event {
    /// The turn starts.
    TurnStarted {
        /// Turn number.
        turn: u32,
    },
    /// An inject fired.
    Inject {
        /// Inject id.
        inject: String,
        /// Its headline.
        headline: String,
    },
    /// A choice was made on an inject.
    InjectChoice {
        /// Inject id.
        inject: String,
        /// The choice's label.
        choice: String,
    },
    /// A headline.
    Headline {
        /// Text.
        text: String,
    },
    /// An order was given.
    Order {
        /// Actor id.
        actor: String,
        /// Action id.
        action: String,
        /// Target actor id.
        target: Option<String>,
        /// Who gave it: "team", "bot:hawk", …
        by: String,
    },
    /// A facilitator's note (seen by no team).
    FacilitatorNote {
        /// The note.
        text: String,
    },
    /// A team's one-line rationale for its orders this turn (private to the team).
    Rationale {
        /// Actor id.
        actor: String,
        /// The rationale, as the team wrote it.
        text: String,
    },
    /// An order was dropped as illegal.
    OrderRejected {
        /// Actor id.
        actor: String,
        /// Action id.
        action: String,
        /// Why.
        reason: String,
    },
    /// A success roll.
    Roll {
        /// Actor id.
        actor: String,
        /// Action id.
        action: String,
        /// Target.
        target: Option<String>,
        /// Chance in percent.
        chance: i32,
        /// d100 rolled.
        roll: i32,
        /// Whether it succeeded.
        success: bool,
    },
    /// An effect changed the state.
    Effect {
        /// What changed, in words.
        text: String,
        /// What caused it.
        source: String,
    },
    /// An actor moved on the ladder.
    Escalated {
        /// Actor id.
        actor: String,
        /// Rung id before.
        from: String,
        /// Rung id after.
        to: String,
    },
    /// An incident happened (the true author is recorded; the audience shows who knows).
    Incident {
        /// Incident id.
        incident: u32,
        /// Action id.
        action: String,
        /// True author.
        actor: String,
        /// Victim.
        victim: String,
    },
    /// The victim detected an incident.
    Detected {
        /// Incident id.
        incident: u32,
        /// Victim.
        victim: String,
        /// Whom they suspect.
        suspect: Option<String>,
        /// Confidence value.
        confidence: i32,
    },
    /// The victim's attribution changed.
    Attribution {
        /// Incident id.
        incident: u32,
        /// Victim.
        victim: String,
        /// Whom they suspect.
        suspect: Option<String>,
        /// Confidence value.
        confidence: i32,
        /// Its bucket.
        level: Confidence,
        /// Whether the suspect is wrong (facilitator's knowledge).
        wrong: bool,
    },
    /// An incident became public attribution.
    PublicAttribution {
        /// Incident id.
        incident: u32,
        /// Who named.
        victim: String,
        /// Who was named.
        culprit: String,
    },
    /// A red line was crossed.
    RedLineCrossed {
        /// Red line id.
        red_line: String,
        /// Owner.
        owner: String,
        /// Culprit as perceived.
        culprit: String,
    },
    /// A red line was enforced.
    RedLineEnforced {
        /// Red line id.
        red_line: String,
        /// Owner.
        owner: String,
        /// Against whom.
        culprit: String,
        /// The answer.
        action: String,
        /// Credibility after.
        credibility: i32,
    },
    /// A red line was left unanswered.
    RedLineIgnored {
        /// Red line id.
        red_line: String,
        /// Owner.
        owner: String,
        /// Credibility after.
        credibility: i32,
    },
    /// A proposal was made.
    Proposed {
        /// Proposal id.
        proposal: String,
        /// Proposer.
        from: String,
        /// Receiver.
        to: String,
    },
    /// A proposal was decided.
    ProposalDecided {
        /// Proposal id.
        proposal: String,
        /// Proposer.
        from: String,
        /// Receiver.
        to: String,
        /// Accepted.
        accepted: bool,
    },
    /// A named threshold was crossed for the first time.
    ThresholdCrossed {
        /// Threshold id.
        threshold: String,
        /// Name.
        name: String,
        /// Who crossed it.
        actor: String,
    },
    /// The end of a turn, with the crisis level and the state hash.
    TurnEnded {
        /// Turn.
        turn: u32,
        /// Crisis level rung id.
        crisis: String,
        /// State hash.
        hash: String,
    },
    /// The game ended.
    Ending {
        /// Ending id.
        ending: String,
        /// Its name.
        name: String,
    },
    /// A bot's reason for its orders (private: the actor and the facilitator).
    BotReason {
        /// Actor id.
        actor: String,
        /// The reason, in one sentence.
        text: String,
    },
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LogEntry {
    /// Turn.
    pub turn: u32,
    /// Phase.
    pub phase: Phase,
    /// Who may see it.
    pub audience: Audience,
    /// What happened.
    pub event: Event,
}

/// The game log.
#[derive(Resource, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GameLog {
    /// Entries in order.
    pub entries: Vec<LogEntry>,
    /// Whether to record entries at all (analysis runs may switch it off for speed).
    #[serde(skip)]
    pub disabled: bool,
}

impl GameLog {
    /// Appends an entry.
    pub fn push(&mut self, turn: u32, phase: Phase, audience: Audience, event: Event) {
        if !self.disabled {
            self.entries.push(LogEntry {
                turn,
                phase,
                audience,
                event,
            });
        }
    }

    /// The whole log as readable text, one line an entry (the omniscient view).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            let _ = writeln!(out, "{}", e.to_line());
        }
        out
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

impl LogEntry {
    /// One readable line.
    pub fn to_line(&self) -> String {
        let who = match &self.audience {
            Audience::Public => String::new(),
            Audience::Private(ids) => format!(" [seen by {}]", ids.join(",")),
        };
        let body = match &self.event {
            Event::TurnStarted { turn } => format!("=== turn {turn} ==="),
            Event::Inject { inject, headline } => format!("inject {inject}: {headline}"),
            Event::InjectChoice { inject, choice } => format!("inject {inject} choice: {choice}"),
            Event::Headline { text } => format!("headline: {text}"),
            Event::Order {
                actor,
                action,
                target,
                by,
            } => format!("order {actor} -> {action} @ {} ({by})", opt(target)),
            Event::Rationale { actor, text } => format!("rationale {actor}: {text}"),
            Event::FacilitatorNote { text } => format!("facilitator note: {text}"),
            Event::OrderRejected {
                actor,
                action,
                reason,
            } => format!("order rejected {actor} {action}: {reason}"),
            Event::Roll {
                actor,
                action,
                target,
                chance,
                roll,
                success,
            } => format!(
                "roll {actor} {action} @ {}: d100={roll} vs {chance}% -> {}",
                opt(target),
                if *success { "success" } else { "failure" }
            ),
            Event::Effect { text, source } => format!("effect ({source}): {text}"),
            Event::Escalated { actor, from, to } => format!("ladder {actor}: {from} -> {to}"),
            Event::Incident {
                incident,
                action,
                actor,
                victim,
            } => format!("incident #{incident}: {action} by {actor} against {victim}"),
            Event::Detected {
                incident,
                victim,
                suspect,
                confidence,
            } => format!(
                "detected #{incident} by {victim}: suspects {} ({confidence}%)",
                opt(suspect)
            ),
            Event::Attribution {
                incident,
                victim,
                suspect,
                confidence,
                level,
                wrong,
            } => format!(
                "attribution #{incident} by {victim}: {} at {confidence}% ({level:?}){}",
                opt(suspect),
                if *wrong { " [WRONG]" } else { "" }
            ),
            Event::PublicAttribution {
                incident,
                victim,
                culprit,
            } => format!("public attribution #{incident}: {victim} names {culprit}"),
            Event::RedLineCrossed {
                red_line,
                owner,
                culprit,
            } => format!("RED LINE CROSSED {red_line} ({owner}) by {culprit}"),
            Event::RedLineEnforced {
                red_line,
                owner,
                culprit,
                action,
                credibility,
            } => format!(
                "red line {red_line} enforced by {owner} against {culprit} with {action}; credibility {credibility}"
            ),
            Event::RedLineIgnored {
                red_line,
                owner,
                credibility,
            } => {
                format!("red line {red_line} of {owner} left unanswered; credibility {credibility}")
            }
            Event::Proposed { proposal, from, to } => {
                format!("proposal {proposal}: {from} -> {to}")
            }
            Event::ProposalDecided {
                proposal,
                from,
                to,
                accepted,
            } => format!(
                "proposal {proposal} from {from}: {to} {}",
                if *accepted { "ACCEPTS" } else { "refuses" }
            ),
            Event::ThresholdCrossed {
                threshold,
                name,
                actor,
            } => format!("THRESHOLD {threshold} \"{name}\" crossed by {actor}"),
            Event::TurnEnded { turn, crisis, hash } => {
                format!("end of turn {turn}: crisis {crisis}, state {hash}")
            }
            Event::Ending { ending, name } => format!("ENDING {ending}: {name}"),
            Event::BotReason { actor, text } => format!("bot {actor}: {text}"),
        };
        format!("T{:02} {:<11} {body}{who}", self.turn, self.phase.name())
    }
}
