//! Words for the rules' values, as the room reads them.

use crate::scenario::{ActorKind, Confidence, Controller, Doctrine, Domain, Scenario, Visibility};

/// A short code for an actor's token: `russia` → `RUS`, `united_states` → `US`,
/// `pro_kremlin_hacktivists` → `PKH`.
pub fn actor_code(id: &str) -> String {
    let words: Vec<&str> = id
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let code: String = if words.len() > 1 {
        words
            .iter()
            .filter_map(|w| w.chars().next())
            .take(3)
            .collect()
    } else {
        id.chars().filter(|c| c.is_alphanumeric()).take(3).collect()
    };
    code.to_uppercase()
}

/// The display name of the actor at a position (or `?`).
pub fn actor_name(s: &Scenario, index: usize) -> String {
    s.actors
        .get(index)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "?".into())
}

/// The display name of an actor id (or the id itself).
pub fn actor_name_by_id(s: &Scenario, id: &str) -> String {
    s.actors
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The position of an actor id.
pub fn actor_index(s: &Scenario, id: &str) -> Option<usize> {
    s.actors.iter().position(|a| a.id == id)
}

/// The display name of an action id (or the id itself).
pub fn action_name_by_id(s: &Scenario, id: &str) -> String {
    s.actions
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The display name of a rung id (or the id itself).
pub fn rung_name_by_id(s: &Scenario, id: &str) -> String {
    s.meta
        .ladder
        .rungs
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The display name of the rung at a position.
pub fn rung_name(s: &Scenario, position: usize) -> String {
    s.meta
        .ladder
        .rungs
        .get(position)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| "?".into())
}

/// The display name of a red line id.
pub fn red_line_name_by_id(s: &Scenario, id: &str) -> String {
    s.red_lines
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The display name of a proposal id.
pub fn proposal_name_by_id(s: &Scenario, id: &str) -> String {
    s.proposals
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// An actor kind in words.
pub fn kind(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::State => "State",
        ActorKind::Alliance => "Alliance",
        ActorKind::Swarm => "Hacker swarm",
        ActorKind::InternationalBody => "International body",
    }
}

/// A doctrine in words.
pub fn doctrine(d: Doctrine) -> &'static str {
    match d {
        Doctrine::Hawk => "hawk",
        Doctrine::Dove => "dove",
        Doctrine::TitForTat => "tit-for-tat",
        Doctrine::Measured => "measured & targeted",
        Doctrine::RandomLegal => "random",
        Doctrine::Swarm => "swarm",
        Doctrine::Planner => "planner",
    }
}

/// A controller in words.
pub fn controller(c: &Controller) -> String {
    match c {
        Controller::Team => "Team".into(),
        Controller::Bot(d) => format!("Bot: {}", doctrine(*d)),
        Controller::Facilitator => "Facilitator".into(),
    }
}

/// What a controller does, in one or two sentences for the setup screen.
pub fn controller_help(c: &Controller) -> &'static str {
    match c {
        Controller::Team => {
            "A team of players gives this actor's orders in secret, behind the curtain."
        }
        Controller::Facilitator => {
            "The facilitator plays this actor: it takes no action unless ordered."
        }
        Controller::Bot(Doctrine::Hawk) => {
            "Hawk: takes the most escalatory actions its rules of engagement allow."
        }
        Controller::Bot(Doctrine::Dove) => {
            "Dove: prefers diplomacy, defence and de-escalation; accepts proposals readily."
        }
        Controller::Bot(Doctrine::TitForTat) => {
            "Tit-for-tat: answers what it perceives in kind, cooperates otherwise."
        }
        Controller::Bot(Doctrine::Measured) => {
            "Measured and targeted: enforces its red lines in kind and in proportion, else holds and defends."
        }
        Controller::Bot(Doctrine::Planner) => {
            "Planner: plays its options a turn or two ahead and picks what best serves its objectives, weighed by its persona."
        }
        Controller::Bot(Doctrine::RandomLegal) => {
            "Random: any legal order, drawn with the seeded dice."
        }
        Controller::Bot(Doctrine::Swarm) => {
            "Swarm: acts on its own, encouraged or restrained by its sponsor."
        }
    }
}

/// A confidence level in words.
pub fn confidence(c: Confidence) -> &'static str {
    match c {
        Confidence::Unknown => "unknown",
        Confidence::Possible => "possible",
        Confidence::Suspected => "suspected",
        Confidence::Likely => "likely",
        Confidence::HighlyLikely => "highly likely",
        Confidence::Certain => "near certain",
    }
}

/// A domain in words.
pub fn domain(d: Domain) -> &'static str {
    match d {
        Domain::Cyber => "Cyber",
        Domain::Information => "Information",
        Domain::Diplomatic => "Diplomatic",
        Domain::Economic => "Economic",
        Domain::Military => "Military",
    }
}

/// A visibility in words.
pub fn visibility(v: Visibility) -> &'static str {
    match v {
        Visibility::Overt => "Overt",
        Visibility::Covert => "Covert",
        Visibility::Deniable => "Deniable",
    }
}

/// The estimative bucket (10/30/50/70/90 %) of a percent chance, with its words.
pub fn chance_bucket(percent: i32) -> (u8, &'static str) {
    match percent {
        i32::MIN..=19 => (10, "remote"),
        20..=39 => (30, "unlikely"),
        40..=59 => (50, "even"),
        60..=79 => (70, "likely"),
        _ => (90, "almost certain"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_buckets() {
        assert_eq!(actor_code("russia"), "RUS");
        assert_eq!(actor_code("us"), "US");
        assert_eq!(actor_code("united_states"), "US");
        assert_eq!(actor_code("pro_kremlin_hacktivists"), "PKH");
        assert_eq!(chance_bucket(5), (10, "remote"));
        assert_eq!(chance_bucket(50), (50, "even"));
        assert_eq!(chance_bucket(100), (90, "almost certain"));
    }
}
