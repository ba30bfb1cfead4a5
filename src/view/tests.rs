//! Hidden information never leaks: the public board and other teams' views are checked against
//! a small scenario with a covert operation, private attributes and a private red line.

use std::path::Path;

use crate::scenario::load::parse_ron;
use crate::scenario::{
    ActionsFile, ActorsFile, Controller, EndingsFile, RedLinesFile, Scenario, ScenarioFile,
    ScenarioIndex,
};
use crate::sim::log::{Audience, Event, GameLog, Phase};
use crate::sim::state::{GameState, Incident};

use super::*;

const SCENARIO: &str = r#"(
    format: 1,
    id: "leak_test",
    title: "Leak test",
    summary: "Two states and a swarm",
    briefing: "A test.",
    turns: 3,
    ladder: (
        rungs: [
            (id: "calm", name: "Calm", level: 0),
            (id: "cyber", name: "Cyber operations", level: 1),
            (id: "strikes", name: "Strikes", level: 2),
        ],
        thresholds: [(id: "no_strikes", name: "No strikes", above: "cyber")],
    ),
    attributes: [
        (id: "legitimacy", name: "Legitimacy", min: 0, max: 100, default: 50),
        (id: "capacity", name: "Hidden capacity", min: 0, max: 10, default: 5, public: false),
    ],
)"#;

const ACTORS: &str = r#"(actors: [
    (id: "usa", name: "United States", kind: State, side: "west", controller: Team, rung: "calm", threshold: "strikes"),
    (id: "russia", name: "Russia", kind: State, side: "east", controller: Team, rung: "calm", threshold: "strikes"),
    (id: "swarm", name: "Volunteer Swarm", kind: Swarm, side: "east", controller: Bot(Swarm), rung: "calm", threshold: "cyber", sponsor: "russia"),
])"#;

const ACTIONS: &str = r#"(actions: [
    (id: "quiet_implant", name: "Quiet Implant Zebra", domain: Cyber, intent: Offensive, rung: "cyber",
     target: Actor(AnyOther), chance: 60, visibility: Covert, cost: {"capacity": 1}),
    (id: "statement", name: "Public statement", domain: Information, intent: Signal, rung: "calm",
     visibility: Overt),
])"#;

const RED_LINES: &str = r#"(red_lines: [
    (id: "ru_public", owner: "russia", name: "No attack unanswered", public: true,
     trigger: Always, response: (min_rung: "cyber", max_rung: "cyber"), credibility: 60),
    (id: "us_private", owner: "usa", name: "Secret tripwire Kestrel", public: false,
     trigger: Always, response: (min_rung: "cyber", max_rung: "cyber"), credibility: 40),
])"#;

const ENDINGS: &str =
    r#"(endings: [(id: "time", name: "Time runs out", priority: 9, fallback: true)])"#;

fn scenario() -> Scenario {
    let p = Path::new("test.ron");
    let meta: ScenarioFile = parse_ron(p, SCENARIO).expect("scenario.ron");
    let actors: ActorsFile = parse_ron(p, ACTORS).expect("actors.ron");
    let actions: ActionsFile = parse_ron(p, ACTIONS).expect("actions.ron");
    let red_lines: RedLinesFile = parse_ron(p, RED_LINES).expect("red_lines.ron");
    let endings: EndingsFile = parse_ron(p, ENDINGS).expect("endings.ron");
    Scenario {
        meta,
        actors: actors.actors,
        actions: actions.actions,
        red_lines: red_lines.red_lines,
        proposals: Vec::new(),
        injects: Vec::new(),
        endings: endings.endings,
        snippets: crate::scenario::SnippetsFile::default(),
    }
}

const USA: usize = 0;
const RUSSIA: usize = 1;
const SWARM: usize = 2;

fn state(s: &Scenario) -> GameState {
    let ix = ScenarioIndex::new(s);
    let controllers: Vec<Controller> = s.actors.iter().map(|a| a.controller.clone()).collect();
    GameState::new(s, &ix, &controllers)
}

fn covert_incident(detected: Option<u32>, suspect: Option<usize>, public: bool) -> Incident {
    Incident {
        id: 1,
        turn: 1,
        action: 0,
        actor: USA,
        victim: RUSSIA,
        success: true,
        detected,
        evidence: if detected.is_some() { 55 } else { 0 },
        suspect,
        public,
        updated: 1,
    }
}

fn all_team_views(s: &Scenario, st: &GameState) -> Vec<String> {
    (0..s.actors.len())
        .map(|a| format!("{:?}", team_view(s, st, &GameLog::default(), a, &[])))
        .collect()
}

#[test]
fn an_undetected_covert_incident_is_seen_by_its_owner_only() {
    let s = scenario();
    let mut st = state(&s);
    st.incidents.push(covert_incident(None, None, false));
    let secret = "Quiet Implant Zebra";

    let board = board_view(&s, &st, "orders");
    assert!(board.incidents.is_empty());
    assert!(!format!("{board:?}").contains(secret));

    let views = all_team_views(&s, &st);
    assert!(views[USA].contains(secret), "the owner sees its operation");
    assert!(
        !views[RUSSIA].contains(secret),
        "the victim has not detected it"
    );
    assert!(
        !views[SWARM].contains(secret),
        "a third party never sees it"
    );

    let usa = team_view(&s, &st, &GameLog::default(), USA, &[]);
    assert_eq!(usa.operations.len(), 1);
    assert_eq!(usa.operations[0].status, "not public");
    assert!(
        team_view(&s, &st, &GameLog::default(), RUSSIA, &[])
            .incidents
            .is_empty()
    );
}

#[test]
fn a_detected_incident_is_seen_by_its_victim_but_not_by_the_room() {
    let s = scenario();
    let mut st = state(&s);
    st.incidents
        .push(covert_incident(Some(1), Some(USA), false));

    let russia = team_view(&s, &st, &GameLog::default(), RUSSIA, &[]);
    assert_eq!(russia.incidents.len(), 1);
    assert_eq!(
        russia.incidents[0].suspect.as_deref(),
        Some("United States")
    );
    assert_eq!(russia.incidents[0].level, "likely");

    // The owner does not learn that it was detected.
    let usa = team_view(&s, &st, &GameLog::default(), USA, &[]);
    assert_eq!(usa.operations[0].status, "not public");
    assert!(usa.incidents.is_empty());

    let board = board_view(&s, &st, "orders");
    assert!(board.incidents.is_empty());
    assert!(!format!("{board:?}").contains("Quiet Implant Zebra"));
    assert!(!all_team_views(&s, &st)[SWARM].contains("Quiet Implant Zebra"));
}

#[test]
fn a_public_attribution_reaches_the_room() {
    let s = scenario();
    let mut st = state(&s);
    st.incidents.push(covert_incident(Some(1), Some(USA), true));
    let board = board_view(&s, &st, "orders");
    assert_eq!(board.incidents.len(), 1);
    assert_eq!(
        board.incidents[0].attributed_to.as_deref(),
        Some("United States")
    );
}

#[test]
fn private_red_lines_are_seen_by_their_owner_only() {
    let s = scenario();
    let st = state(&s);
    let secret = "Secret tripwire Kestrel";
    let board = board_view(&s, &st, "orders");
    assert!(!format!("{board:?}").contains(secret));
    assert!(format!("{board:?}").contains("No attack unanswered"));
    let views = all_team_views(&s, &st);
    assert!(views[USA].contains(secret));
    assert!(!views[RUSSIA].contains(secret));
    assert!(!views[SWARM].contains(secret));
    // A team's view shows other actors only through the board: no card of another actor.
    assert!(views[RUSSIA].contains("No attack unanswered"));
}

#[test]
fn private_attributes_are_seen_by_their_owner_only() {
    let s = scenario();
    let st = state(&s);
    let board = board_view(&s, &st, "orders");
    for card in &board.actors {
        assert!(card.attrs.iter().all(|a| a.public));
        assert!(!card.attrs.iter().any(|a| a.name == "Hidden capacity"));
    }
    let russia = team_view(&s, &st, &GameLog::default(), RUSSIA, &[]);
    assert!(
        russia
            .card
            .attrs
            .iter()
            .any(|a| a.name == "Hidden capacity")
    );
    assert_eq!(russia.card.index, RUSSIA);
}

#[test]
fn the_reveal_shows_public_log_entries_only() {
    let s = scenario();
    let mut log = GameLog::default();
    log.push(
        1,
        Phase::Resolution,
        Audience::Private(vec!["usa".into()]),
        Event::Roll {
            actor: "usa".into(),
            action: "quiet_implant".into(),
            target: Some("russia".into()),
            chance: 60,
            roll: 12,
            success: true,
        },
    );
    log.push(
        1,
        Phase::Attribution,
        Audience::Private(vec!["russia".into()]),
        Event::Attribution {
            incident: 1,
            victim: "russia".into(),
            suspect: Some("usa".into()),
            confidence: 40,
            level: crate::scenario::Confidence::Suspected,
            wrong: false,
        },
    );
    log.push(
        1,
        Phase::Resolution,
        Audience::Public,
        Event::Roll {
            actor: "russia".into(),
            action: "statement".into(),
            target: None,
            chance: 100,
            roll: 3,
            success: true,
        },
    );
    let steps = reveal_steps(&s, None, &log, 1);
    assert_eq!(steps.len(), 1);
    assert!(steps[0].text.contains("Public statement"));
    assert!(!format!("{steps:?}").contains("Quiet Implant Zebra"));
}

#[test]
fn legal_cards_follow_the_rules() {
    let s = scenario();
    let ix = ScenarioIndex::new(&s);
    let st = state(&s);
    let cards = legal_cards(&s, &ix, &st, USA);
    let view = team_view(&s, &st, &GameLog::default(), USA, &cards);
    let names: Vec<&str> = view.cards.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Quiet Implant Zebra", "Public statement"]);
    let implant = &view.cards[0];
    assert_eq!(implant.targets.len(), 2, "any other actor");
    assert_eq!(implant.chance.0, 70, "60 % is in the 70 % bucket");
    assert_eq!(implant.visibility, "Covert");
    assert!(view.cards[1].targets.is_empty());
}

#[test]
fn a_failed_covert_operation_is_known_to_its_owner_only() {
    let s = scenario();
    let st = state(&s);
    let mut log = GameLog::default();
    log.push(
        1,
        Phase::Resolution,
        Audience::Private(vec!["usa".into()]),
        Event::Roll {
            actor: "usa".into(),
            action: "quiet_implant".into(),
            target: Some("russia".into()),
            chance: 60,
            roll: 99,
            success: false,
        },
    );
    let usa = team_view(&s, &st, &log, USA, &[]);
    assert_eq!(usa.operations.len(), 1);
    assert!(!usa.operations[0].success);
    for other in [RUSSIA, SWARM] {
        let view = format!("{:?}", team_view(&s, &st, &log, other, &[]));
        assert!(!view.contains("Quiet Implant Zebra"));
    }
    assert!(reveal_steps(&s, None, &log, 1).is_empty());
}
