//! A generated scenario of a given size, for the validator benchmark and its test.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// File texts of a clean scenario with `actors` actors and `actions` actions.
pub fn generate(actors: usize, actions: usize) -> BTreeMap<&'static str, String> {
    let mut files = BTreeMap::new();
    let mut s = String::from(
        "(\n    format: 1, id: \"large\", title: \"Large\", summary: \"Generated\", turns: 12,\n    ladder: (rungs: [\n",
    );
    for r in 0..8 {
        let _ = writeln!(
            s,
            "        (id: \"rung_{r}\", name: \"Rung {r}\", level: {r}),"
        );
    }
    s.push_str("    ]),\n    attributes: [\n");
    for a in 0..20 {
        let _ = writeln!(
            s,
            "        (id: \"attr_{a}\", name: \"Attribute {a}\", min: 0, max: 100, default: 50),"
        );
    }
    s.push_str("    ],\n    sectors: [(id: \"grid\", name: \"Grid\")],\n    norms: [(id: \"f\", text: \"No attacks on infrastructure\")],\n)\n");
    files.insert("scenario.ron", s);

    let mut s = String::from("(\n    actors: [\n");
    for i in 0..actors {
        let _ = writeln!(
            s,
            "        (id: \"actor_{i}\", name: \"Actor {i}\", kind: State, side: \"side_{}\", tags: [\"tag_{}\"], controller: Bot(Hawk),\n         attrs: {{\"attr_{}\": {}}}, rung: \"rung_0\", threshold: \"rung_{}\"),",
            i % 4,
            i % 7,
            i % 20,
            i % 100,
            1 + i % 7
        );
    }
    s.push_str("    ],\n)\n");
    files.insert("actors.ron", s);

    let mut s = String::from("(\n    actions: [\n");
    for i in 0..actions {
        let _ = writeln!(
            s,
            "        (\n            id: \"action_{i}\", name: \"Action {i}\", description: \"Generated action number {i}.\",\n            domain: Cyber, intent: Offensive, rung: \"rung_{}\", by: Side(\"side_{}\"),\n            cost: {{\"attr_{}\": 5}},\n            available: All([Attr(who: Acting, attr: \"attr_{}\", is: AtLeast(10)), Not(ActionTaken(by: Actor(\"actor_{}\"), action: \"action_{}\", within_turns: 2))]),\n            target: Sector(\"grid\", Tagged(\"tag_{}\")), chance: {}, visibility: Covert,\n            attribution: (detect: 50, mislead_to: Actor(\"actor_{}\"), mislead_chance: 20),\n            norms: (breaks: [\"f\"]),\n            on_success: [Damage(Target, \"grid\", 10), AddAttr(Acting, \"attr_{}\", -1), If(Chance(50), [EscalateTo(Acting, \"rung_{}\")], [Headline(\"Nothing happens\")])],\n            on_detection: [AddAttr(Target, \"attr_{}\", 2)],\n        ),",
            i % 8,
            i % 4,
            i % 20,
            (i + 1) % 20,
            i % actors.max(1),
            (i + 1) % actions.max(1),
            i % 7,
            10 + i % 90,
            (i + 3) % actors.max(1),
            (i + 2) % 20,
            (i + 1) % 8,
            (i + 5) % 20,
        );
    }
    s.push_str("    ],\n)\n");
    files.insert("actions.ron", s);

    let mut s = String::from("(\n    injects: [\n");
    for i in 0..50 {
        let _ = writeln!(
            s,
            "        (id: \"inject_{i}\", headline: \"News {i}\", when: Condition(All([Turn(AtLeast({})), ActionTaken(by: Any, action: \"action_{}\")])), effects: [AddAttr(Any, \"attr_{}\", 1)]),",
            1 + i % 12,
            i * 7 % actions.max(1),
            i % 20
        );
    }
    s.push_str("    ],\n)\n");
    files.insert("injects.ron", s);

    files.insert(
        "endings.ron",
        "(\n    endings: [\n        (id: \"war\", name: \"War\", priority: 1, when: Rung(who: Any, is: AtLeast(\"rung_7\"))),\n        (id: \"timeout\", name: \"Timeout\", priority: 9, fallback: true),\n    ],\n)\n".to_string(),
    );
    files
}
