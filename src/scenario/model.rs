//! The scenario data model: what scenario authors write in RON.
//!
//! A scenario is a folder of RON files. Every file's top level is one of the
//! structs below. Everything that has an id is a list item with an `id` field;
//! references to ids are plain strings, checked by the validator against ids of
//! the right kind. Enums are externally tagged: `Attr(who: Acting, attr: "legitimacy", is: AtLeast(40))`.
//!
//! Files of a scenario folder:
//! - `scenario.ron`: [`ScenarioFile`] — title, briefing, turns, ladder, attributes, sectors, norms, rules.
//! - `actors.ron`: [`ActorsFile`] — the actors.
//! - `actions.ron`: [`ActionsFile`] — the action catalogue.
//! - `red_lines.ron`: [`RedLinesFile`] — declared (or declarable) red lines.
//! - `diplomacy.ron`: [`DiplomacyFile`] — proposals that need the other side's acceptance.
//! - `injects.ron`: [`InjectsFile`] — scripted, triggered and facilitator-released injects.
//! - `endings.ron`: [`EndingsFile`] — endings with priority and a fallback.
//! - `snippets.ron`: [`SnippetsFile`] — named effect lists and conditions, used by name (optional).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The scenario format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

// ------------------------------------------------------------------ value types
//
// The aliases below say what a text or a number *is*; the build script reads them
// (with this file) into the schema table, so the validator and the reference know
// every id reference and every number's allowed range from the types alone:
// - a `String` alias ending in `Id` names an id of that kind (`ActorId` → an actor);
//   `Def<..>` marks the field that *defines* such an id;
// - any other `String` alias is free text;
// - an integer alias must say `Range: lo..=hi` in its doc comment; the validator
//   checks every value against it (E301 for `Percent`, E307 for the others).
// Bare `String` and integer types are not used in the format (a unit test checks it).

/// The field that defines an id of this kind (e.g. `id: Def<ActorId>`).
pub type Def<T> = T;
/// An actor id, defined in `actors.ron`.
pub type ActorId = String;
/// An action id, defined in `actions.ron`.
pub type ActionId = String;
/// A rung id, defined in the `ladder` of `scenario.ron`.
pub type RungId = String;
/// A threshold id, defined in the `ladder` of `scenario.ron`.
pub type ThresholdId = String;
/// An attribute id, defined in `scenario.ron`.
pub type AttributeId = String;
/// A sector id, defined in `scenario.ron`.
pub type SectorId = String;
/// A norm id, defined in `scenario.ron`.
pub type NormId = String;
/// A red line id, defined in `red_lines.ron`.
pub type RedLineId = String;
/// A proposal id, defined in `diplomacy.ron`.
pub type ProposalId = String;
/// An inject id, defined in `injects.ron`.
pub type InjectId = String;
/// An ending id, defined in `endings.ron`.
pub type EndingId = String;
/// A side, defined by the actors whose `side` it is.
pub type SideId = String;
/// A tag, defined by the actors whose `tags` hold it.
pub type TagId = String;
/// A metric id, defined in the `metrics` of `scenario.ron`.
pub type MetricId = String;
/// A relation id, defined in the `relations` of `scenario.ron`.
pub type RelationId = String;
/// The name of an effect snippet, defined in `snippets.ron`.
pub type EffectSnippetId = String;
/// The name of a condition snippet, defined in `snippets.ron`.
pub type ConditionSnippetId = String;
/// An action tag, defined by the actions whose `tags` hold it.
pub type ActionTagId = String;
/// Free text (names, descriptions, headlines).
pub type Text = String;
/// The name of a facilitator switch (free; `SetSwitch` and the facilitator turn it on).
pub type SwitchName = String;

/// A percentage or a 0–100 level (chances, credibility, resilience, evidence).
/// Range: 0..=100
pub type Percent = i32;
/// A change to a 0–100 level, in points (damage, resilience, credibility, evidence).
/// Range: -100..=100
pub type Points = i32;
/// A whole number: attribute values and their changes, comparisons, ladder levels, priorities.
/// Range: -1000000..=1000000
pub type Number = i32;
/// A number of rungs to move up (negative: down).
/// Range: -1000..=1000
pub type Steps = i32;
/// A number of turns: a delay or a window.
/// Range: 1..=1000
pub type Turns = u32;
/// A number of turns to wait (0: none).
/// Range: 0..=1000
pub type Delay = u32;
/// A turn number (1 is the first turn).
/// Range: 0..=1000
pub type TurnNumber = u32;
/// The number of turns of a scenario (at most 1,000: see E408).
/// Range: 1..=4294967295
pub type TurnCount = u32;
/// A change in percent of the current value (`Scale`): -5 takes 5 % off, 10 adds 10 %.
/// Range: -100..=10000
pub type PercentChange = i32;
/// How many decimal places an attribute's values are shown with (stored as whole numbers of
/// the smallest unit: with 2, the value 100050 is shown as 1,000.50).
/// Range: 0..=6
pub type Decimals = u32;
/// A count of things (orders per turn, conditions that must hold).
/// Range: 0..=1000
pub type Count = u32;
/// What a value is divided by to scale it (rule constants).
/// Range: 1..=100
pub type Divisor = i32;
/// A weight for a seeded random pick (0: never picked).
/// Range: 0..=10000
pub type Weight = u32;
/// The format version of the files.
/// Range: 0..=4294967295
pub type Version = u32;

/// `scenario.ron`: the scenario's identity, briefing and global rules.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Format version of the scenario files; this build reads version 1.
    pub format: Version,
    /// Short machine id, e.g. `"forward_defense_2022"`.
    pub id: Text,
    /// Title shown in the scenario picker.
    pub title: Text,
    /// One line shown under the title in the scenario picker.
    pub summary: Text,
    /// The situation text read out at the briefing.
    #[serde(default)]
    pub briefing: Text,
    /// Number of turns; the fallback ending fires after the last one.
    pub turns: TurnCount,
    /// What one turn stands for, e.g. `"month"`.
    #[serde(default = "default_turn_label")]
    pub turn_label: Text,
    /// Label of the first turn, e.g. `"October 2022"` (free text, shown on the board).
    #[serde(default)]
    pub start_label: Text,
    /// Where each source number comes from (free text, shown in the reference).
    #[serde(default)]
    pub sources: Vec<Text>,
    /// The escalation ladder.
    pub ladder: Ladder,
    /// Integer attributes every actor has, with their ranges.
    pub attributes: Vec<AttributeDef>,
    /// Target sectors (government, critical infrastructure, …), each with resilience and damage per actor.
    #[serde(default)]
    pub sectors: Vec<SectorDef>,
    /// Norms of responsible state behaviour; actions are tagged with those they break or uphold.
    #[serde(default)]
    pub norms: Vec<NormDef>,
    /// Game-wide rule settings.
    #[serde(default)]
    pub rules: Rules,
    /// Effects applied at every briefing, from turn 2 on (e.g. capacity regeneration; use `ForEach`).
    #[serde(default)]
    pub upkeep: Vec<Effect>,
    /// Measures computed at the end of every turn, per actor and in total, shown by `simulate`
    /// and the report and readable by conditions (`Metric`, `MetricTotal`).
    #[serde(default)]
    pub metrics: Vec<MetricDef>,
    /// Named matrices over pairs of actors (distance, alliance, trade, neighbour), set by
    /// effects (`SetRelation`, `AddRelation`), read by conditions (`Relation`) and by the
    /// group `Related(..)` (e.g. an action's target filter).
    #[serde(default)]
    pub relations: Vec<RelationDef>,
}

/// A measure computed at the end of every turn for every actor; the total is the sum over actors.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    /// Metric id, e.g. `"escalation"`.
    pub id: Def<MetricId>,
    /// Display name (column heading in `simulate` and the report).
    pub name: Text,
    /// What it measures.
    pub measure: Measure,
    /// One line explaining it.
    #[serde(default)]
    pub description: Text,
}

/// What a metric measures, per actor, each turn.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Measure {
    /// The sum of the ladder `score`s of the rungs of the orders the actor carried out this turn
    /// (every order that was resolved counts, whether it succeeded or not).
    EscalationScore,
    /// An attribute's value at the end of the turn (shown with the attribute's decimals).
    Attr(AttributeId),
    /// How many of the actor's orders matching the filter were resolved this turn.
    Orders(ActionFilter),
    /// How many incidents against the actor it detected this turn.
    IncidentsDetected,
}

/// A named matrix over ordered pairs of actors: a number (distance, trade) or a flag (1 or 0:
/// neighbour, alliance). Values clamp to `min..=max`; flags to 0..=1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RelationDef {
    /// Relation id, e.g. `"neighbour"`.
    pub id: Def<RelationId>,
    /// Display name.
    pub name: Text,
    /// A flag (0 or 1) rather than a number.
    #[serde(default)]
    pub flag: bool,
    /// Whether `(a, b)` and `(b, a)` are one value (set together).
    #[serde(default = "default_true")]
    pub symmetric: bool,
    /// Value of every pair not listed.
    #[serde(default)]
    pub default: Number,
    /// Lowest value (ignored for flags).
    #[serde(default)]
    pub min: Number,
    /// Highest value (ignored for flags).
    #[serde(default = "default_relation_max")]
    pub max: Number,
    /// Initial values of some pairs (every other pair has `default`).
    #[serde(default)]
    pub pairs: Vec<RelationPair>,
    /// One line explaining it.
    #[serde(default)]
    pub description: Text,
}

/// One initial value of a relation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RelationPair {
    /// From this actor.
    pub from: ActorId,
    /// To this actor.
    pub to: ActorId,
    /// The value (for a flag: set unless 0; 1 if left out).
    #[serde(default = "default_pair_value")]
    pub value: Number,
}

fn default_pair_value() -> i32 {
    1
}

fn default_relation_max() -> i32 {
    1_000_000
}

/// Which actions an order limit, an exemption or a metric counts: an action matches when it is
/// named, or its domain, intent or one of its tags is listed (an empty filter matches nothing).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionFilter {
    /// Action ids.
    #[serde(default)]
    pub actions: Vec<ActionId>,
    /// Domains.
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// Intents.
    #[serde(default)]
    pub intents: Vec<Intent>,
    /// Action tags.
    #[serde(default)]
    pub tags: Vec<ActionTagId>,
}

/// How the orders of a turn are resolved.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum Resolution {
    /// One order at a time, slot by slot in actor order; each sees what the earlier ones did.
    #[default]
    Sequential,
    /// Every order's legality, chance, conditions and attribute changes are computed from the
    /// state at the start of the resolution (after delayed effects): attribute changes of all
    /// orders are added up and clamped once at the end, so no actor gains by coming first.
    /// Dice are drawn, and other changes (rungs, incidents, red lines, relations) applied, in a
    /// fixed order that does not depend on the files: slot by slot, actors by id.
    Simultaneous,
}

/// At most `max` orders per turn among those matching `of` (and not `except`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrderLimit {
    /// The most such orders an actor may give in a turn.
    pub max: Count,
    /// The orders it counts.
    pub of: ActionFilter,
    /// Orders it does not count, even if they match `of`.
    #[serde(default)]
    pub except: ActionFilter,
}

fn default_turn_label() -> String {
    "turn".to_string()
}

/// The escalation ladder: ordered rungs and named thresholds between them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    /// Rungs from lowest to highest; `level` must strictly increase.
    pub rungs: Vec<Rung>,
    /// Named thresholds, each lying just above one rung.
    #[serde(default)]
    pub thresholds: Vec<Threshold>,
}

/// One rung of the ladder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// Rung id.
    pub id: Def<RungId>,
    /// Name shown on the ladder.
    pub name: Text,
    /// Ladder level; strictly increasing along the list. The global crisis level is the highest actor level.
    pub level: Number,
    /// Optional group name (Kahn's ladder groups rungs, e.g. "Traditional Crises").
    #[serde(default)]
    pub group: Option<Text>,
    /// Escalation score of reaching this rung (e.g. Rivera et al. 2024: -2, 0, 4, 12, 28, 60).
    #[serde(default)]
    pub score: Number,
}

/// A named threshold: crossing it changes the character of the crisis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Threshold id.
    pub id: Def<ThresholdId>,
    /// Name drawn across the ladder, e.g. "No nuclear use".
    pub name: Text,
    /// The rung it lies above: an actor above this rung has crossed it.
    pub above: RungId,
    /// Headline when the first actor crosses it.
    #[serde(default)]
    pub headline: Option<Text>,
}

/// An integer attribute every actor has.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    /// Attribute id, e.g. `"legitimacy"`.
    pub id: Def<AttributeId>,
    /// Display name.
    pub name: Text,
    /// Lowest value; effects clamp to it.
    #[serde(default)]
    pub min: Number,
    /// Highest value; effects clamp to it. `None`: no maximum (values then saturate at the
    /// engine's limit, about 2.1 billion).
    #[serde(default = "default_max")]
    pub max: Option<Number>,
    /// Decimal places the value is shown with. Values are whole numbers of the smallest unit
    /// everywhere in the files: with `decimals: 2`, write 1,000.50 as `100050`.
    #[serde(default)]
    pub decimals: Decimals,
    /// Value for actors that do not set it.
    #[serde(default)]
    pub default: Number,
    /// Whether the value is shown on the public board (otherwise only to the owner's team).
    #[serde(default = "default_true")]
    pub public: bool,
    /// One line explaining it.
    #[serde(default)]
    pub description: Text,
    /// The kinds of actor it matters for (all when empty); the board shows it only on those.
    #[serde(default)]
    pub kinds: Vec<ActorKind>,
    /// Diminishing returns (a ledger such as legitimacy): a gain shrinks as the value nears its
    /// maximum, by the share of the range still above it (rounded, at least 1 while below the
    /// maximum). Losses are not scaled. Needs a maximum.
    #[serde(default)]
    pub diminishing: bool,
}

fn default_max() -> Option<i32> {
    Some(100)
}

impl AttributeDef {
    /// A gain of `d` from `old` after diminishing returns (the gain itself without them).
    pub fn diminished_gain(&self, old: i64, d: i64) -> i64 {
        let Some(max) = self.max.filter(|_| self.diminishing && d > 0) else {
            return d;
        };
        let (lo, hi) = (i64::from(self.min), i64::from(max));
        if old >= hi || hi <= lo {
            return d;
        }
        let (d, room, range) = (
            i128::from(d),
            i128::from(hi - old.max(lo)),
            i128::from(hi - lo),
        );
        // d × room / range, rounded half up, at least 1.
        let gain = (d * room * 2 + range) / (2 * range);
        i64::try_from(gain.max(1)).unwrap_or(i64::MAX)
    }

    /// The highest value effects clamp to (`i32::MAX` without a maximum).
    pub fn upper(&self) -> i32 {
        self.max.unwrap_or(i32::MAX)
    }

    /// Clamps a value to the attribute's range.
    pub fn clamp(&self, v: i64) -> i32 {
        v.clamp(i64::from(self.min), i64::from(self.upper().max(self.min))) as i32
    }

    /// A value as shown to people: with the declared decimals and thousands separators
    /// (`100050` with 2 decimals is `1,000.50`).
    pub fn format(&self, v: i64) -> String {
        format_decimal(v, self.decimals)
    }
}

/// `v` shown with `decimals` places and thousands separators (`-123456`, 2 → `-1,234.56`).
pub fn format_decimal(v: i64, decimals: u32) -> String {
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let d = decimals.min(18) as usize;
    let padded = format!("{digits:0>width$}", width = d + 1);
    let (int, frac) = padded.split_at(padded.len() - d);
    let mut grouped = String::new();
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&grouped);
    if d > 0 {
        out.push('.');
        out.push_str(frac);
    }
    out
}
fn default_true() -> bool {
    true
}

/// A target sector (government institutions, critical infrastructure, personal data stores, …).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SectorDef {
    /// Sector id.
    pub id: Def<SectorId>,
    /// Display name.
    pub name: Text,
    /// Resilience (0–100) of actors that do not set it; damage is reduced by resilience percent.
    #[serde(default)]
    pub default_resilience: Percent,
}

/// A norm of responsible behaviour (e.g. UN GGE 2015 norm f).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NormDef {
    /// Norm id, e.g. `"f"`.
    pub id: Def<NormId>,
    /// The norm's text.
    pub text: Text,
    /// Effects on the acting actor when a breach becomes known (overt at once, covert when publicly attributed).
    #[serde(default)]
    pub on_breach: Vec<Effect>,
    /// Effects on the acting actor when it visibly upholds the norm.
    #[serde(default)]
    pub on_uphold: Vec<Effect>,
}

/// Game-wide rule settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// How many actions each actor may order per turn.
    #[serde(default = "default_orders")]
    pub orders_per_turn: Count,
    /// Attribute whose value adds `value / 10` evidence per turn to every incident against its holder.
    #[serde(default)]
    pub forensics_attribute: Option<AttributeId>,
    /// Attribute lowering the chance of operations against its holder by `value / 4` percent.
    #[serde(default)]
    pub defense_attribute: Option<AttributeId>,
    /// Attribute of swarms: the chance (percent) a restrained swarm obeys and stays quiet.
    #[serde(default)]
    pub controllability_attribute: Option<AttributeId>,
    /// Confidence (0–100) from which a wrong suspect may be corrected to the true actor.
    #[serde(default = "default_reassess")]
    pub reassess_at: Percent,
    /// Whose rungs make the global crisis level (the highest of them); every actor's if left out.
    #[serde(default)]
    pub crisis_of: Option<Who>,
    /// The forensics attribute's value is divided by this to give evidence per turn.
    #[serde(default = "default_forensics_divisor")]
    pub forensics_divisor: Divisor,
    /// The defence attribute's value is divided by this to give the percentage points it takes
    /// off operations against its holder.
    #[serde(default = "default_defense_divisor")]
    pub defense_divisor: Divisor,
    /// Evidence a `Reveal` adds to every incident it uncovers.
    #[serde(default = "default_reveal_evidence")]
    pub reveal_evidence: Percent,
    /// `Sequential` (the default) or `Simultaneous`: how a turn's orders are resolved.
    #[serde(default)]
    pub resolution: Resolution,
    /// Orders that do not count against `orders_per_turn` (e.g. messages: `(tags: ["message"])`).
    #[serde(default)]
    pub free_orders: ActionFilter,
    /// Further per-turn limits by action, domain, intent or tag, with exemptions; an order that
    /// would break one is dropped (orders are kept in the order given).
    #[serde(default)]
    pub limits: Vec<OrderLimit>,
    /// The domains of offensive operations that the defence attribute makes harder (a cyber
    /// defence does not stop a military strike). Cyber only if left out.
    #[serde(default = "default_defense_domains")]
    pub defense_domains: Vec<Domain>,
    /// Force needs a case: an offensive military action may target only an actor to whom the
    /// striker attributes an incident against it with at least this confidence. Any target if
    /// left out.
    #[serde(default)]
    pub force_needs_attribution: Option<Confidence>,
}

fn default_defense_domains() -> Vec<Domain> {
    vec![Domain::Cyber]
}

fn default_orders() -> u32 {
    2
}
fn default_reassess() -> i32 {
    60
}
fn default_forensics_divisor() -> i32 {
    10
}
fn default_defense_divisor() -> i32 {
    4
}
fn default_reveal_evidence() -> i32 {
    20
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            orders_per_turn: default_orders(),
            forensics_attribute: None,
            defense_attribute: None,
            controllability_attribute: None,
            reassess_at: default_reassess(),
            crisis_of: None,
            forensics_divisor: default_forensics_divisor(),
            defense_divisor: default_defense_divisor(),
            reveal_evidence: default_reveal_evidence(),
            resolution: Resolution::Sequential,
            free_orders: ActionFilter::default(),
            limits: Vec::new(),
            defense_domains: default_defense_domains(),
            force_needs_attribution: None,
        }
    }
}

/// `actors.ron`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActorsFile {
    /// The actors, in the order they act and are shown.
    pub actors: Vec<Actor>,
}

/// What kind of actor this is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActorKind {
    /// A state.
    State,
    /// An alliance such as NATO or the EU.
    Alliance,
    /// A non-state swarm (hacktivists, hacker groups) with a sponsor it may or may not obey.
    Swarm,
    /// An international body such as the UN, a forum rather than a party.
    InternationalBody,
}

/// Who plays an actor by default (the session setup can change it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Controller {
    /// A team of players.
    Team,
    /// A bot with a doctrine.
    Bot(Doctrine),
    /// The facilitator moves it (it takes no actions unless ordered).
    Facilitator,
}

/// Bot doctrines.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Doctrine {
    /// Takes the most escalatory actions its rules of engagement allow.
    Hawk,
    /// Prefers diplomacy, defence and de-escalation; accepts proposals readily.
    Dove,
    /// Answers what it perceives in kind, cooperates otherwise.
    TitForTat,
    /// "Measured and targeted": enforces its red lines in kind and in proportion, else holds and defends.
    Measured,
    /// Any legal order, uniformly at random.
    RandomLegal,
    /// A non-state swarm: acts on its own, encouraged or restrained by its sponsor.
    Swarm,
    /// Plans ahead: plays its candidate orders a turn or two forward on copies of the game with
    /// seeded dice, scores each future by its own objectives weighted by its persona, and picks
    /// the best (writing its reasons into the private log). With a red line owed it also weighs
    /// each plan without the answer, so it may leave a line unanswered when enforcing costs more
    /// than the credibility kept (only public lines' credibility counts: a private rule has no
    /// audience).
    Planner,
}

impl Doctrine {
    /// All doctrines, in a stable order.
    pub const ALL: [Doctrine; 7] = [
        Doctrine::Hawk,
        Doctrine::Dove,
        Doctrine::TitForTat,
        Doctrine::Measured,
        Doctrine::RandomLegal,
        Doctrine::Swarm,
        Doctrine::Planner,
    ];

    /// The lower-case name used on the command line.
    pub fn cli_name(self) -> &'static str {
        match self {
            Doctrine::Hawk => "hawk",
            Doctrine::Dove => "dove",
            Doctrine::TitForTat => "tit-for-tat",
            Doctrine::Measured => "measured",
            Doctrine::RandomLegal => "random",
            Doctrine::Swarm => "swarm",
            Doctrine::Planner => "planner",
        }
    }

    /// Parses a command-line doctrine name.
    pub fn from_cli(name: &str) -> Option<Doctrine> {
        Doctrine::ALL
            .into_iter()
            .find(|d| d.cli_name() == name || (name == "tft" && *d == Doctrine::TitForTat))
    }
}

/// One actor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Actor id, e.g. `"russia"`.
    pub id: Def<ActorId>,
    /// Display name.
    pub name: Text,
    /// What kind of actor.
    pub kind: ActorKind,
    /// Side (free text, e.g. `"west"`, `"russia"`, `"neutral"`), used by `Side(..)`.
    #[serde(default)]
    pub side: Def<SideId>,
    /// Free tags, e.g. `"nuclear"`, used by `Tagged(..)`.
    #[serde(default)]
    pub tags: Vec<Def<TagId>>,
    /// Default controller.
    pub controller: Controller,
    /// Initial attribute values (others take the attribute's default).
    #[serde(default)]
    pub attrs: BTreeMap<AttributeId, Number>,
    /// Initial per-sector resilience (0–100).
    #[serde(default)]
    pub resilience: BTreeMap<SectorId, Percent>,
    /// Initial rung.
    pub rung: RungId,
    /// Highest rung its rules of engagement allow it to act at; `ShiftThreshold` moves it.
    pub threshold: RungId,
    /// For swarms: the state that may encourage, tolerate or restrain it.
    #[serde(default)]
    pub sponsor: Option<ActorId>,
    /// For swarms: the sponsor's initial stance.
    #[serde(default)]
    pub stance: Option<SwarmStance>,
    /// The team's objectives, read out at the briefing.
    #[serde(default)]
    pub objectives: Text,
    /// Display colour as `"#rrggbb"` (colour never carries meaning alone).
    #[serde(default)]
    pub color: Option<Text>,
    /// How its bot weighs its choices (every scripted doctrine reads it; 50 is neutral).
    #[serde(default)]
    pub persona: Persona,
    /// What it wants, as scored objectives: each turn and at the end, each objective is worth
    /// its weight times how far it is met; the actor's score is that sum over the sum of the
    /// weights (0–1). `Acting` in a condition is the actor itself. Write objectives that conflict
    /// between actors, so that what is good for one side is not good for all.
    #[serde(default)]
    pub goals: Vec<Objective>,
    /// Who may lead it when its own bot plays it: each game draws at most one of these
    /// temperaments, each with its share of games in percent (the shares add up to 100 at most);
    /// the rest of the games its controller's doctrine plays. The uncertainty about the other
    /// side's mind, for analysts: a sweep shows where the scenario goes across leaderships. Not
    /// drawn when a team, the facilitator or another doctrine plays it.
    #[serde(default)]
    pub temperaments: Vec<Temperament>,
}

/// A leadership that may take over an actor's bot for a whole game.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Temperament {
    /// What the facilitator and the debrief read, e.g. "Hardliners prevail in Moscow".
    pub name: Text,
    /// The doctrine its bot plays in those games.
    pub doctrine: Doctrine,
    /// Its share of games, in percent.
    pub share: Percent,
}

/// One scored objective of an actor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// What the team reads, e.g. "Western support for Ukraine reduced".
    pub text: Text,
    /// Its weight among the actor's objectives (1–100).
    #[serde(default = "default_objective_weight")]
    pub weight: Percent,
    /// How it is met: held each turn, reached by the end, or avoided throughout.
    pub kind: ObjectiveKind,
    /// The condition (`Acting` is the actor whose objective it is).
    pub when: Condition,
}

fn default_objective_weight() -> i32 {
    10
}

/// How an objective is met.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectiveKind {
    /// Held each turn: worth the share of turns at whose end the condition held.
    Hold,
    /// Reached by the end: worth 1 if the condition holds when the game ends (while playing: if
    /// it holds now).
    Reach,
    /// Avoided: worth 1 as long as the condition has never held at the end of a turn, 0 after.
    Avoid,
}

/// How a bot playing an actor weighs its choices: four numbers from 0 to 100, 50 neutral (a
/// persona of all 50s plays exactly as the doctrine alone). Scripted doctrines read them as
/// documented on each field; a planning bot may weigh its objectives with them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Appetite for hurting others: above 50, offensive and punitive orders score higher and
    /// conciliatory ones lower (by (aggression - 50) / 2 points); below 50, the reverse.
    #[serde(default = "default_persona")]
    pub aggression: Percent,
    /// Willingness to climb the ladder: offensive and signalling orders gain
    /// (risk_tolerance - 50) × rung / 20 points (rung on a 0–10 scale of the ladder).
    #[serde(default = "default_persona")]
    pub risk_tolerance: Percent,
    /// Concern for its word: against an actor it perceives attacking it, punitive and
    /// offensive orders gain (credibility - 50) / 2 points; loosening its rules of engagement
    /// while a red line of its is failing to deter gains as much. A planner weighs the
    /// credibility its public red lines gain or lose by it.
    #[serde(default = "default_persona")]
    pub credibility: Percent,
    /// Reluctance to go above its current rung: each rung (0–10 scale) an order lies above it
    /// costs (restraint - 50) / 5 points.
    #[serde(default = "default_persona")]
    pub restraint: Percent,
}

fn default_persona() -> i32 {
    50
}

impl Default for Persona {
    fn default() -> Self {
        Persona {
            aggression: 50,
            risk_tolerance: 50,
            credibility: 50,
            restraint: 50,
        }
    }
}

/// A sponsor's stance towards a swarm.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SwarmStance {
    /// The sponsor encourages it: it acts every turn and more boldly.
    Encourage,
    /// The sponsor looks away: it acts on its own.
    Tolerate,
    /// The sponsor restrains it: it stays quiet if it obeys (controllability).
    Restrain,
}

/// `actions.ron`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionsFile {
    /// The action catalogue.
    pub actions: Vec<Action>,
}

/// Domain of an action.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Domain {
    /// Cyber operations.
    Cyber,
    /// Information operations, public statements.
    Information,
    /// Diplomacy.
    Diplomatic,
    /// Sanctions, indictments and other economic or legal measures.
    Economic,
    /// Military action.
    Military,
}

/// Who can see an action.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Visibility {
    /// Everyone sees it and who did it.
    Overt,
    /// Hidden; if detected, the victim must attribute it.
    Covert,
    /// Visible effects, but the author can deny it; the victim must attribute it.
    Deniable,
}

/// What a bot thinks an action is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Intent {
    /// Hurts the target.
    Offensive,
    /// Protects the actor or its allies.
    Defensive,
    /// Signals resolve without hurting anyone (posture, statements).
    Signal,
    /// Lowers tension: talks, proposals, restraint.
    Conciliatory,
    /// Punishes a culprit by non-violent means (sanctions, indictments, naming and shaming).
    Punitive,
}

/// What an action is aimed at.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum TargetKind {
    /// No target.
    None,
    /// Another actor matching the filter.
    Actor(Who),
    /// A sector of another actor matching the filter.
    Sector(SectorId, Who),
}

/// One action in the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Action id.
    pub id: Def<ActionId>,
    /// Card title.
    pub name: Text,
    /// Card text.
    #[serde(default)]
    pub description: Text,
    /// Domain.
    pub domain: Domain,
    /// What bots take it for.
    pub intent: Intent,
    /// The rung taking it puts the actor on (at least); must be within the actor's threshold.
    pub rung: RungId,
    /// Which actors may take it.
    #[serde(default = "who_any")]
    pub by: Who,
    /// Attribute costs paid by the acting actor (the order is illegal if it cannot pay).
    #[serde(default)]
    pub cost: BTreeMap<AttributeId, Number>,
    /// Extra condition for the action to be available (context: `Acting`).
    #[serde(default)]
    pub available: Option<Condition>,
    /// Whether it starts enabled for every actor that `by` allows (`EnableAction` can change it).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// What it is aimed at.
    #[serde(default = "target_none")]
    pub target: TargetKind,
    /// Base success chance in percent.
    #[serde(default = "default_chance")]
    pub chance: Percent,
    /// Conditional chance modifiers (context: `Acting`, `Target`).
    #[serde(default)]
    pub modifiers: Vec<ChanceModifier>,
    /// Who can see it.
    pub visibility: Visibility,
    /// How hard it is to attribute (covert and deniable actions).
    #[serde(default)]
    pub attribution: AttributionProfile,
    /// Norms it breaks or upholds.
    #[serde(default)]
    pub norms: NormTags,
    /// Effects on success (context: `Acting`, `Target`).
    #[serde(default)]
    pub on_success: Vec<Effect>,
    /// Effects on failure.
    #[serde(default)]
    pub on_failure: Vec<Effect>,
    /// Effects when the victim detects it.
    #[serde(default)]
    pub on_detection: Vec<Effect>,
    /// Whether taking it answers a red line of its domain (responses in kind).
    #[serde(default)]
    pub answers_red_lines: bool,
    /// Free tags (e.g. `"message"`), used by order limits, exemptions and metrics.
    #[serde(default)]
    pub tags: Vec<Def<ActionTagId>>,
}

fn who_any() -> Who {
    Who::Any
}
fn target_none() -> TargetKind {
    TargetKind::None
}
fn default_chance() -> i32 {
    100
}

/// A conditional change to an action's success chance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChanceModifier {
    /// When it applies.
    pub when: Condition,
    /// Percentage points added (negative to subtract).
    pub add: Points,
}

/// How an incident is detected and attributed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttributionProfile {
    /// Chance (percent) per turn that the victim detects the incident.
    #[serde(default = "default_detect")]
    pub detect: Percent,
    /// Evidence (confidence points, 0–100) the victim has on detection.
    #[serde(default = "default_initial_evidence")]
    pub initial_evidence: Percent,
    /// Evidence the victim gains per turn of forensics.
    #[serde(default = "default_evidence_per_turn")]
    pub evidence_per_turn: Points,
    /// Who the victim is led to blame instead (third-country servers, a swarm, a false flag).
    #[serde(default)]
    pub mislead_to: Option<Who>,
    /// Chance (percent) the victim first blames `mislead_to`.
    #[serde(default)]
    pub mislead_chance: Percent,
}

fn default_detect() -> i32 {
    50
}
fn default_initial_evidence() -> i32 {
    20
}
fn default_evidence_per_turn() -> i32 {
    15
}

impl Default for AttributionProfile {
    fn default() -> Self {
        AttributionProfile {
            detect: default_detect(),
            initial_evidence: default_initial_evidence(),
            evidence_per_turn: default_evidence_per_turn(),
            mislead_to: None,
            mislead_chance: 0,
        }
    }
}

/// Norms an action breaks or upholds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NormTags {
    /// Norm ids it breaks.
    #[serde(default)]
    pub breaks: Vec<NormId>,
    /// Norm ids it upholds.
    #[serde(default)]
    pub upholds: Vec<NormId>,
}

/// `red_lines.ron`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RedLinesFile {
    /// Red lines and response doctrines.
    pub red_lines: Vec<RedLine>,
}

/// A red line: a trigger over what the owner perceives, a promised response, a credibility.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RedLine {
    /// Red line id.
    pub id: Def<RedLineId>,
    /// Who declared it.
    pub owner: ActorId,
    /// Short name.
    pub name: Text,
    /// The declaration's text (a quote if there is one).
    #[serde(default)]
    pub text: Text,
    /// Public (on the board) or private (owner's team only).
    #[serde(default = "default_true")]
    pub public: bool,
    /// Whether it is in force from the start (otherwise `DeclareRedLine` puts it in force).
    #[serde(default = "default_true")]
    pub declared: bool,
    /// When it is crossed; evaluated once per candidate culprit bound as `Target` (context: `Owner`, `Target`).
    pub trigger: Condition,
    /// Which actors can be culprits.
    #[serde(default = "who_any_other")]
    pub culprits: Who,
    /// The promised response.
    pub response: PromisedResponse,
    /// Initial credibility (0–100).
    pub credibility: Percent,
    /// Credibility change when the owner answers in time.
    #[serde(default = "default_enforced")]
    pub on_enforced: Points,
    /// Credibility change when the owner does not answer in time.
    #[serde(default = "default_ignored")]
    pub on_ignored: Points,
    /// Effects when it is crossed (context: `Owner`, `Target` = culprit).
    #[serde(default)]
    pub on_crossed: Vec<Effect>,
    /// Effects when the owner answers in time (context: `Owner`, `Target` = culprit).
    #[serde(default)]
    pub when_enforced: Vec<Effect>,
    /// Effects when the owner lets the deadline pass (context: `Owner`, `Target` = culprit).
    #[serde(default)]
    pub when_ignored: Vec<Effect>,
}

fn who_any_other() -> Who {
    Who::AnyOther
}
fn default_enforced() -> i32 {
    10
}
fn default_ignored() -> i32 {
    -15
}

/// The response a red line promises.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PromisedResponse {
    /// Domains that count as an answer (empty: any).
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// Lowest rung that counts as an answer.
    pub min_rung: RungId,
    /// Highest rung a proportionate answer uses ("measured and targeted").
    pub max_rung: RungId,
    /// Turns the owner has to answer (1 = the turn after it is crossed).
    #[serde(default = "default_window")]
    pub within_turns: Turns,
}

fn default_window() -> u32 {
    2
}

/// `diplomacy.ron`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DiplomacyFile {
    /// Proposals actors can make to each other.
    pub proposals: Vec<Proposal>,
}

/// A proposal that needs the other side's acceptance; accepted, it becomes an agreement in force.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// Proposal (and agreement) id.
    pub id: Def<ProposalId>,
    /// Name, e.g. "Incident-prevention agreement".
    pub name: Text,
    /// Text shown to the receiving team.
    #[serde(default)]
    pub text: Text,
    /// Turns of negotiation before the receiver decides.
    #[serde(default = "default_negotiation")]
    pub negotiation_turns: Delay,
    /// Base chance (percent) a bot receiver accepts.
    pub acceptance: Percent,
    /// Conditional changes to that chance (context: `Acting` = proposer, `Target` = receiver).
    #[serde(default)]
    pub modifiers: Vec<ChanceModifier>,
    /// Effects when accepted (context: `Acting` = proposer, `Target` = receiver).
    #[serde(default)]
    pub on_accept: Vec<Effect>,
    /// Effects when refused.
    #[serde(default)]
    pub on_refuse: Vec<Effect>,
}

fn default_negotiation() -> u32 {
    1
}

/// `injects.ron`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InjectsFile {
    /// Injects.
    pub injects: Vec<Inject>,
}

/// When an inject fires.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum InjectWhen {
    /// At the briefing of this turn.
    Turn(TurnNumber),
    /// At the first briefing where the condition holds.
    Condition(Condition),
    /// Only when the facilitator releases it (or an effect fires it).
    Facilitator,
}

/// A news item or event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    /// Inject id.
    pub id: Def<InjectId>,
    /// Headline on the board.
    pub headline: Text,
    /// Longer text read out.
    #[serde(default)]
    pub text: Text,
    /// When it fires.
    pub when: InjectWhen,
    /// The actor bound as `Acting` in its effects (e.g. to make a proposal), if any.
    #[serde(default)]
    pub acting: Option<ActorId>,
    /// Effects when it fires.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Choices (made by the facilitator in the room, by weight for bots and headless games).
    #[serde(default)]
    pub choices: Vec<InjectChoice>,
}

/// One choice of an inject.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InjectChoice {
    /// Button label.
    pub label: Text,
    /// Weight for headless games.
    #[serde(default = "default_weight")]
    pub weight: Weight,
    /// Effects of this choice.
    #[serde(default)]
    pub effects: Vec<Effect>,
}

fn default_weight() -> u32 {
    1
}

/// `endings.ron`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndingsFile {
    /// Endings; checked in priority order (lowest number first) after each turn.
    pub endings: Vec<Ending>,
}

/// How an ending is judged in the debrief.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndingTone {
    /// Agreement, de-escalation.
    Good,
    /// Neither won nor lost.
    Neutral,
    /// Catastrophe.
    Bad,
}

/// An ending.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    /// Ending id.
    pub id: Def<EndingId>,
    /// Name.
    pub name: Text,
    /// Debrief text.
    #[serde(default)]
    pub text: Text,
    /// Lower numbers are checked first.
    pub priority: Number,
    /// When it ends the game (ignored for the fallback).
    #[serde(default)]
    pub when: Option<Condition>,
    /// The turn-limit ending: exactly one ending must be the fallback.
    #[serde(default)]
    pub fallback: bool,
    /// How it is judged.
    #[serde(default = "default_tone")]
    pub tone: EndingTone,
    /// The largest share of games, in percent, this ending may take under the scenario's own
    /// bots: `grayzone simulate --runs N --check` fails when it takes more (e.g. a catastrophe
    /// that should stay the exception: `max_share: 20`).
    #[serde(default)]
    pub max_share: Option<Percent>,
    /// Expected to be rare: `simulate --check` does not fail when no game of the run reaches
    /// it (it is still listed by `--coverage`).
    #[serde(default)]
    pub rare: bool,
}

fn default_tone() -> EndingTone {
    EndingTone::Neutral
}

/// Which actor or actors a condition or effect is about.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    /// One actor by id.
    Actor(ActorId),
    /// The actor taking the action (actions, proposals).
    Acting,
    /// The action's target, a red line's culprit, a proposal's receiver.
    Target,
    /// The owner of a red line.
    Owner,
    /// The sponsor of the acting swarm.
    Sponsor,
    /// The actor bound by `ForEach`.
    Each,
    /// The swarms whose sponsor is the acting actor (its proxies).
    Proxies,
    /// Any actor (in conditions: some actor; in effects: every actor).
    Any,
    /// Any actor but the one in context (acting, or owner).
    AnyOther,
    /// Every actor of a side.
    Side(SideId),
    /// Every actor with a tag.
    Tagged(TagId),
    /// Every actor of a kind.
    Kind(ActorKind),
    /// The actors the one in context (acting, or owner) is related to by a relation: those
    /// whose value from it is not 0 (e.g. `target: Actor(Related("neighbour"))`).
    Related(RelationId),
}

/// A comparison of a number.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Cmp {
    /// `>= n`.
    AtLeast(Number),
    /// `<= n`.
    AtMost(Number),
    /// `a <= x <= b`.
    Between(Number, Number),
    /// `== n`.
    Equals(Number),
}

impl Cmp {
    /// Whether `x` satisfies the comparison.
    pub fn test(self, x: i32) -> bool {
        match self {
            Cmp::AtLeast(n) => x >= n,
            Cmp::AtMost(n) => x <= n,
            Cmp::Between(a, b) => a <= x && x <= b,
            Cmp::Equals(n) => x == n,
        }
    }
}

/// A comparison on the ladder, by rung id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum RungCmp {
    /// At or above the rung.
    AtLeast(RungId),
    /// At or below the rung.
    AtMost(RungId),
    /// On the rung.
    Equals(RungId),
    /// Strictly above the rung.
    Above(RungId),
    /// Strictly below the rung.
    Below(RungId),
}

/// The victim's confidence level about who did an incident.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Detected, no idea who (< 10 %).
    Unknown,
    /// 10 % and more ("remote chance" lifted).
    Possible,
    /// 30 % and more.
    Suspected,
    /// 50 % and more.
    Likely,
    /// 70 % and more.
    HighlyLikely,
    /// 90 % and more.
    Certain,
}

impl Confidence {
    /// The bucket for a confidence value 0–100 (estimative buckets 10/30/50/70/90 %).
    pub fn from_value(v: i32) -> Confidence {
        match v {
            i32::MIN..=9 => Confidence::Unknown,
            10..=29 => Confidence::Possible,
            30..=49 => Confidence::Suspected,
            50..=69 => Confidence::Likely,
            70..=89 => Confidence::HighlyLikely,
            _ => Confidence::Certain,
        }
    }
}

/// The one condition language shared by actions, red lines, injects, proposals and endings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Condition {
    /// Always true.
    Always,
    /// All hold.
    All(Vec<Condition>),
    /// At least one holds.
    Any(Vec<Condition>),
    /// Does not hold.
    Not(Box<Condition>),
    /// At least `n` of the list hold.
    AtLeastOf(Count, Vec<Condition>),
    /// An attribute of an actor (of some actor, for a group).
    Attr {
        /// Whose attribute.
        who: Who,
        /// Attribute id.
        attr: AttributeId,
        /// The comparison.
        is: Cmp,
    },
    /// An actor's rung, compared by ladder level.
    Rung {
        /// Whose rung.
        who: Who,
        /// The comparison.
        is: RungCmp,
    },
    /// The global crisis level (the highest actor rung), compared by ladder level.
    Crisis(RungCmp),
    /// Damage to an actor's sector (0–100).
    SectorDamage {
        /// Whose sector.
        who: Who,
        /// Sector id.
        sector: SectorId,
        /// The comparison.
        is: Cmp,
    },
    /// An actor is one of a group (e.g. `Is(Target, Tagged("nuclear"))`).
    Is(Who, Who),
    /// An action was taken (successfully).
    ActionTaken {
        /// By whom.
        by: Who,
        /// Action id.
        action: ActionId,
        /// Against whom (any if omitted).
        #[serde(default)]
        against: Option<Who>,
        /// Within the last n turns, this one included (ever if omitted).
        #[serde(default)]
        within_turns: Option<Turns>,
        /// Count failed attempts too (only successes if omitted).
        #[serde(default)]
        attempts: bool,
    },
    /// A victim perceives an incident of a domain, attributed to someone with at least some confidence.
    Perceived {
        /// Who perceives it.
        victim: Who,
        /// Domain of the incident (any if omitted).
        #[serde(default)]
        domain: Option<Domain>,
        /// Who the victim believes did it (anyone if omitted).
        #[serde(default)]
        attributed_to: Option<Who>,
        /// The least confidence.
        confidence: Confidence,
        /// Detected, or its attribution changed, within the last n turns (ever if omitted).
        #[serde(default)]
        within_turns: Option<Turns>,
        /// Only incidents the victim blames on the wrong actor (`true`) or on the right one (`false`); the facilitator's knowledge.
        #[serde(default)]
        misattributed: Option<bool>,
        /// Only publicly attributed incidents (`true`) or not yet public ones (`false`).
        #[serde(default)]
        public: Option<bool>,
    },
    /// An inject has fired.
    InjectFired(InjectId),
    /// A red line has been crossed.
    RedLineCrossed(RedLineId),
    /// A red line is in force (declared).
    RedLineDeclared(RedLineId),
    /// A red line's credibility (0–100).
    Credibility(RedLineId, Cmp),
    /// A named threshold of the ladder has been crossed.
    ThresholdCrossed(ThresholdId),
    /// An actor's rules-of-engagement threshold, compared by ladder level.
    Engagement {
        /// Whose threshold.
        who: Who,
        /// The comparison.
        is: RungCmp,
    },
    /// A proposal was accepted and is in force.
    AgreementInForce(ProposalId),
    /// A proposal is being negotiated.
    ProposalPending(ProposalId),
    /// A communication channel (hotline) exists between two actors.
    ChannelOpen(Who, Who),
    /// The current turn number (1-based).
    Turn(Cmp),
    /// A seeded dice roll succeeds with this percent chance.
    Chance(Percent),
    /// A named switch the facilitator has flipped on.
    FacilitatorSays(SwitchName),
    /// A swarm's stance is this.
    Stance(Who, SwarmStance),
    /// A metric's latest value (computed at the end of each turn, before endings) for some actor of a group.
    Metric {
        /// Whose value.
        who: Who,
        /// Metric id.
        metric: MetricId,
        /// The comparison.
        is: Cmp,
    },
    /// A metric's latest total over all actors.
    MetricTotal(MetricId, Cmp),
    /// A relation between some actor of `from` and some other actor of `to`: compared with
    /// `is`, or set (not 0) when `is` is left out.
    Relation {
        /// Relation id.
        relation: RelationId,
        /// From whom.
        from: Who,
        /// To whom.
        to: Who,
        /// The comparison (not 0 if omitted).
        #[serde(default)]
        is: Option<Cmp>,
    },
    /// A named condition from `snippets.ron`.
    Use(ConditionSnippetId),
}

/// The one effect language shared by actions, red lines, injects, proposals and norms.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Effect {
    /// Add to an attribute (clamped to its range).
    AddAttr(Who, AttributeId, Number),
    /// Set an attribute (clamped to its range).
    SetAttr(Who, AttributeId, Number),
    /// Change an attribute by a percentage of its value (`Scale(Acting, "gdp", -5)` takes 5 %
    /// off): the change is rounded to the nearest whole unit, halves away from zero, then
    /// clamped to the range.
    Scale(Who, AttributeId, PercentChange),
    /// Set a relation from each actor of the first group to each other actor of the second
    /// (both ways for a symmetric relation), clamped to its range.
    SetRelation(RelationId, Who, Who, Number),
    /// Add to a relation, as `SetRelation`.
    AddRelation(RelationId, Who, Who, Number),
    /// Damage a sector: the amount is reduced by the sector's resilience percent.
    Damage(Who, SectorId, Points),
    /// Raise (or lower, if negative) a sector's resilience.
    Harden(Who, SectorId, Points),
    /// Put the actor on this rung (up or down).
    EscalateTo(Who, RungId),
    /// Move the actor this many rungs up (negative: down).
    EscalateBy(Who, Steps),
    /// Move the actor's rules-of-engagement threshold this many rungs (positive: "lowering the threshold" for use of force).
    ShiftThreshold(Who, Steps),
    /// Set the actor's rules-of-engagement threshold to a rung.
    SetThreshold(Who, RungId),
    /// Stage an incident: the action is taken to have succeeded covertly by `by` against `against`
    /// (no cost, no success effects); the victim may detect and attribute it as usual.
    StageIncident {
        /// Action id (its domain, rung and attribution profile are used).
        action: ActionId,
        /// The true author.
        by: Who,
        /// The victim.
        against: Who,
    },
    /// Put a red line in force.
    DeclareRedLine(RedLineId),
    /// Withdraw a red line.
    WithdrawRedLine(RedLineId),
    /// Change a red line's credibility.
    AdjustCredibility(RedLineId, Points),
    /// Let an actor take an action.
    EnableAction(Who, ActionId),
    /// Forbid an actor an action.
    DisableAction(Who, ActionId),
    /// Set a swarm's stance.
    SetStance(Who, SwarmStance),
    /// Open a communication channel (hotline): misattribution between the two becomes rarer.
    OpenChannel(Who, Who),
    /// Close a channel.
    CloseChannel(Who, Who),
    /// Propose a proposal to someone (the proposer is `Acting`).
    Propose(ProposalId, Who),
    /// End an agreement in force.
    BreakAgreement(ProposalId),
    /// Add evidence (confidence points) to every detected incident against the victim.
    AddEvidence(Who, Points),
    /// The victim detects every undetected incident against it made by the culprit ("forward hunt").
    Reveal {
        /// Who detects.
        victim: Who,
        /// Whose incidents.
        culprit: Who,
    },
    /// The victim's incidents attributed to the culprit become public attribution.
    PublicAttribution {
        /// Who names.
        victim: Who,
        /// Who is named.
        culprit: Who,
    },
    /// The actor publicly acknowledges its own operations: all its incidents become public.
    Acknowledge(Who),
    /// Fire an inject now.
    FireInject(InjectId),
    /// Fire an inject at the briefing n turns from now.
    ScheduleInject(InjectId, Turns),
    /// A headline on the board.
    Headline(Text),
    /// Flip a facilitator switch.
    SetSwitch(SwitchName, bool),
    /// End the game with this ending.
    EndGame(EndingId),
    /// Branch: `If(condition, [effects when it holds], [effects otherwise])` — the third value is the else list, `[]` when nothing happens otherwise.
    If(Condition, Vec<Effect>, Vec<Effect>),
    /// Pick one branch by weight with the seeded dice.
    Random(Vec<(Weight, Vec<Effect>)>),
    /// Apply after n turns (at the start of that turn's resolution).
    After(Turns, Vec<Effect>),
    /// Apply the effects once for each actor of a group, bound as `Each`.
    ForEach(Who, Vec<Effect>),
    /// Apply a named effect list from `snippets.ron` here, in the same context.
    Use(EffectSnippetId),
}

impl Effect {
    /// The groups of actors a plain effect applies to, once per actor of each (two groups
    /// multiply: `OpenChannel(x, y)` opens one channel per pair); empty for effects that name
    /// no actor. `If`, `Random`, `After` and `ForEach` hold effects instead and have none here.
    pub fn groups(&self) -> Vec<&Who> {
        match self {
            Effect::AddAttr(w, ..)
            | Effect::SetAttr(w, ..)
            | Effect::Scale(w, ..)
            | Effect::Damage(w, ..)
            | Effect::Harden(w, ..)
            | Effect::EscalateTo(w, _)
            | Effect::EscalateBy(w, _)
            | Effect::ShiftThreshold(w, _)
            | Effect::SetThreshold(w, _)
            | Effect::EnableAction(w, _)
            | Effect::DisableAction(w, _)
            | Effect::SetStance(w, _)
            | Effect::Propose(_, w)
            | Effect::AddEvidence(w, _)
            | Effect::Acknowledge(w) => vec![w],
            Effect::StageIncident {
                by: x, against: y, ..
            }
            | Effect::OpenChannel(x, y)
            | Effect::CloseChannel(x, y)
            | Effect::SetRelation(_, x, y, _)
            | Effect::AddRelation(_, x, y, _)
            | Effect::Reveal {
                victim: x,
                culprit: y,
            }
            | Effect::PublicAttribution {
                victim: x,
                culprit: y,
            } => vec![x, y],
            Effect::DeclareRedLine(_)
            | Effect::WithdrawRedLine(_)
            | Effect::AdjustCredibility(..)
            | Effect::BreakAgreement(_)
            | Effect::FireInject(_)
            | Effect::ScheduleInject(..)
            | Effect::Headline(_)
            | Effect::SetSwitch(..)
            | Effect::EndGame(_)
            | Effect::If(..)
            | Effect::Random(_)
            | Effect::After(..)
            | Effect::ForEach(..)
            | Effect::Use(_) => Vec::new(),
        }
    }
}

/// A whole scenario, as loaded from its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// `scenario.ron`.
    pub meta: ScenarioFile,
    /// `actors.ron`.
    pub actors: Vec<Actor>,
    /// `actions.ron`.
    pub actions: Vec<Action>,
    /// `red_lines.ron` (optional file).
    pub red_lines: Vec<RedLine>,
    /// `diplomacy.ron` (optional file).
    pub proposals: Vec<Proposal>,
    /// `injects.ron` (optional file).
    pub injects: Vec<Inject>,
    /// `endings.ron`.
    pub endings: Vec<Ending>,
    /// `snippets.ron` (optional file).
    pub snippets: SnippetsFile,
}

/// `snippets.ron`: named effect lists and conditions, written once and used by name
/// (`Use("name")`) wherever an effect or a condition goes. Placeholders (`Acting`, `Target`, …)
/// in a snippet stand for what they stand for where it is used.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SnippetsFile {
    /// Named effect lists.
    #[serde(default)]
    pub effects: Vec<EffectSnippet>,
    /// Named conditions.
    #[serde(default)]
    pub conditions: Vec<ConditionSnippet>,
}

/// A named effect list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EffectSnippet {
    /// Its name.
    pub id: Def<EffectSnippetId>,
    /// One line explaining it.
    #[serde(default)]
    pub description: Text,
    /// The effects, applied in order where it is used.
    pub effects: Vec<Effect>,
}

/// A named condition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConditionSnippet {
    /// Its name.
    pub id: Def<ConditionSnippetId>,
    /// One line explaining it.
    #[serde(default)]
    pub description: Text,
    /// The condition.
    pub when: Condition,
}

#[cfg(test)]
mod tests {
    use super::format_decimal;

    #[test]
    fn decimals_are_shown_with_their_places_and_thousands() {
        assert_eq!(format_decimal(100_000, 2), "1,000.00");
        assert_eq!(format_decimal(95_000, 2), "950.00");
        assert_eq!(format_decimal(-123_456, 2), "-1,234.56");
        assert_eq!(format_decimal(5, 2), "0.05");
        assert_eq!(format_decimal(-5, 3), "-0.005");
        assert_eq!(format_decimal(1_234_567, 0), "1,234,567");
        assert_eq!(format_decimal(42, 0), "42");
        assert_eq!(format_decimal(i64::MIN, 0), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn a_diminishing_ledger_gains_less_near_its_cap_and_never_pins_early() {
        let def = super::AttributeDef {
            id: "legitimacy".into(),
            name: "Legitimacy".into(),
            min: 0,
            max: Some(100),
            decimals: 0,
            default: 50,
            public: true,
            description: String::new(),
            kinds: Vec::new(),
            diminishing: true,
        };
        assert_eq!(
            def.diminished_gain(0, 10),
            10,
            "the whole range above: the whole gain"
        );
        assert_eq!(def.diminished_gain(50, 10), 5);
        assert_eq!(def.diminished_gain(90, 10), 1);
        assert_eq!(def.diminished_gain(99, 3), 1, "at least 1 below the cap");
        assert_eq!(def.diminished_gain(60, -10), -10, "losses are not scaled");
        let plain = super::AttributeDef {
            diminishing: false,
            ..def.clone()
        };
        assert_eq!(plain.diminished_gain(90, 10), 10);
        // Ten gains of 5 from 50 stay well below the cap (plain: 100).
        let mut v = 50;
        for _ in 0..10 {
            v += def.diminished_gain(v, 5);
        }
        assert!(v < 85, "{v}");
    }
}
