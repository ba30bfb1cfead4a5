//! The scenario validator: every problem of a scenario folder at once.
//!
//! Phase 1 reads every file: syntax (with the span-preserving reader), the
//! `format` version, then the structure against the schema table (unknown
//! fields and variants, missing fields, wrong values), then the typed model,
//! deserialized from the same span tree (each file is parsed once).
//! Phase 2 resolves every id reference by kind and checks the values that
//! only make sense together (ranges, ladder order, the fallback ending), and
//! warns about what is declared but can never matter.
//!
//! Codes are stable; see [`CODES`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::diagnostics::{Diagnostic, Sources, Suggestion, did_you_mean};
use super::load::{FileRead, ScenarioFiles, read_scenario_files};
use super::model::*;
use super::schema::{self, ProblemKind, Site, Slot, TextSite};
use super::spans::{self, Node, Path as SPath, Seg, Source, Span};

/// Every diagnostic code with a one-line description (also rendered in the reference).
pub const CODES: &[(&str, &str)] = &[
    ("E001", "a required file of the scenario folder is missing"),
    ("E002", "a file cannot be read"),
    ("E003", "syntax error: the text is not valid RON"),
    (
        "E004",
        "the `format` version is not supported by this build",
    ),
    ("E010", "unknown field"),
    ("E011", "unknown kind or variant name"),
    ("E012", "missing field"),
    ("E013", "wrong kind of value"),
    ("E014", "wrong number of values"),
    ("E015", "field written twice"),
    ("E016", "number out of bounds"),
    ("E017", "values nested more than 32 levels deep"),
    ("E019", "the file does not match the format (other)"),
    ("E101", "unknown actor"),
    ("E102", "unknown action"),
    ("E103", "unknown rung"),
    ("E104", "unknown attribute"),
    ("E105", "unknown inject"),
    ("E106", "unknown ending"),
    ("E107", "unknown red line"),
    ("E108", "unknown proposal"),
    ("E109", "unknown sector"),
    ("E110", "unknown norm"),
    ("E111", "no actor is on this side"),
    ("E112", "no actor has this tag"),
    ("E113", "unknown metric"),
    ("E114", "unknown relation"),
    ("E115", "unknown snippet"),
    ("E116", "no action has this tag"),
    (
        "E120",
        "a placeholder such as `Target` used where it stands for nobody",
    ),
    ("E201", "the same id is defined twice"),
    ("E301", "a chance or percentage outside 0–100"),
    (
        "E302",
        "an initial value outside the attribute's declared range",
    ),
    ("E303", "an attribute's `min` is above its `max`"),
    ("E304", "ladder levels are not strictly increasing"),
    ("E305", "no fallback ending"),
    ("E306", "more than one fallback ending"),
    (
        "E307",
        "a number outside the range its type allows (see Numbers and their ranges)",
    ),
    (
        "E308",
        "the scenario has no rungs, no actors, no actions or no endings: there is nothing to play",
    ),
    ("E401", "a scenario file larger than 4 MiB"),
    ("E402", "an id longer than 64 characters"),
    (
        "E403",
        "nested too deep: `If`, `Random`, `After` and `ForEach` at most 8 levels inside each other, `All`, `Any`, `Not` and `AtLeastOf` at most 16",
    ),
    (
        "E404",
        "effects that could apply more than 10,000 times at once (`ForEach` over many actors, nested, with fired injects)",
    ),
    ("E405", "more than 1,000 actors"),
    ("E406", "more than 4,096 actions"),
    ("E407", "more than 4,096 injects"),
    ("E408", "more than 1,000 turns"),
    (
        "E409",
        "more than 4,096 rungs, attributes, sectors, norms, red lines, proposals, endings or choices in one list",
    ),
    ("E310", "snippets that use each other in a cycle"),
    ("E311", "snippets used inside snippets more than 8 deep"),
    (
        "E312",
        "an actor's temperaments have shares adding up to more than 100 %",
    ),
    ("W301", "an attribute is declared but never used"),
    ("W302", "an action no actor can ever take"),
    ("W303", "a scripted inject after the last turn"),
    ("W304", "an inject that can never fire"),
    ("W305", "an ending that can never be reached"),
    ("W306", "injects that fire each other in a cycle"),
    (
        "W307",
        "temperaments of an actor its own bot does not play (they are never drawn)",
    ),
];

/// The documented limits of a playable scenario; each has its own code in [`CODES`].
pub mod limits {
    /// `If`, `Random`, `After` and `ForEach` inside each other (E403).
    pub const EFFECT_NESTING: usize = 8;
    /// `All`, `Any`, `Not` and `AtLeastOf` inside each other (E403).
    pub const CONDITION_NESTING: usize = 16;
    /// Effect applications one effect list may cause at once, at worst (E404).
    pub const FAN_OUT: u64 = 10_000;
    /// Actors (E405).
    pub const ACTORS: usize = 1_000;
    /// Actions (E406).
    pub const ACTIONS: usize = 4_096;
    /// Injects (E407).
    pub const INJECTS: usize = 4_096;
    /// Turns (E408).
    pub const TURNS: u32 = 1_000;
    /// Any other list: rungs, attributes, sectors, norms, red lines, proposals, endings, choices (E409).
    pub const LIST: usize = 4_096;
    /// Snippets used inside snippets (E311).
    pub const SNIPPET_NESTING: usize = 8;
}

/// How deep `If`, `Random`, `After` and `ForEach` nest in these effects (0 for none), and
/// how deep conditions nest inside them.
pub fn effect_nesting(effects: &[Effect]) -> (usize, usize) {
    let mut depth = (0, 0);
    for e in effects {
        let (d, c) = match e {
            Effect::If(c, a, b) => {
                let (da, ca) = effect_nesting(a);
                let (db, cb) = effect_nesting(b);
                (1 + da.max(db), condition_nesting(c).max(ca).max(cb))
            }
            Effect::Random(branches) => branches
                .iter()
                .map(|(_, l)| effect_nesting(l))
                .fold((0, 0), |x, y| (x.0.max(y.0), x.1.max(y.1))),
            Effect::After(_, l) | Effect::ForEach(_, l) => effect_nesting(l),
            _ => {
                continue;
            }
        };
        let d = if matches!(e, Effect::If(..)) {
            d
        } else {
            d + 1
        };
        depth = (depth.0.max(d), depth.1.max(c));
    }
    depth
}

/// How deep `All`, `Any`, `Not` and `AtLeastOf` nest in a condition (1 for a plain condition).
pub fn condition_nesting(c: &Condition) -> usize {
    match c {
        Condition::All(cs) | Condition::Any(cs) | Condition::AtLeastOf(_, cs) => {
            1 + cs.iter().map(condition_nesting).max().unwrap_or(0)
        }
        Condition::Not(c) => 1 + condition_nesting(c),
        _ => 1,
    }
}

/// The most effect applications a list of effects can cause at once: `ForEach` multiplies by
/// the size of its group, `If` and `Random` take their costliest branch, an effect on a group
/// counts once per actor, and `FireInject` adds the inject's own effects (each inject fires
/// once a game). Saturates instead of overflowing.
pub fn fan_out(s: &Scenario, effects: &[Effect]) -> u64 {
    fan_out_in(s, effects, &mut Vec::new())
}

/// `firing` holds the injects (`false`) and snippets (`true`) being expanded, so a cycle
/// (refused elsewhere: W306, E310) counts once instead of recursing.
fn fan_out_in<'a>(
    s: &'a Scenario,
    effects: &'a [Effect],
    firing: &mut Vec<(bool, &'a str)>,
) -> u64 {
    let size = |w: &Who| -> u64 {
        let n = match w {
            Who::Actor(_) | Who::Acting | Who::Target | Who::Owner | Who::Sponsor | Who::Each => 1,
            Who::Proxies | Who::Any | Who::AnyOther | Who::Related(_) => s.actors.len(),
            Who::Side(side) => s.actors.iter().filter(|a| &a.side == side).count(),
            Who::Tagged(tag) => s.actors.iter().filter(|a| a.tags.contains(tag)).count(),
            Who::Kind(k) => s.actors.iter().filter(|a| a.kind == *k).count(),
        };
        n.max(1) as u64
    };
    let mut total: u64 = 0;
    for e in effects {
        let cost = match e {
            Effect::FireInject(id) => match s.injects.iter().find(|i| &i.id == id) {
                Some(inj) if !firing.contains(&(false, id.as_str())) => {
                    firing.push((false, id));
                    let choices = inj
                        .choices
                        .iter()
                        .map(|c| fan_out_in(s, &c.effects, firing))
                        .max()
                        .unwrap_or(0);
                    let own = fan_out_in(s, &inj.effects, firing);
                    firing.pop();
                    1u64.saturating_add(own).saturating_add(choices)
                }
                _ => 1,
            },
            Effect::If(_, a, b) => {
                1u64.saturating_add(fan_out_in(s, a, firing).max(fan_out_in(s, b, firing)))
            }
            Effect::Random(branches) => 1u64.saturating_add(
                branches
                    .iter()
                    .map(|(_, l)| fan_out_in(s, l, firing))
                    .max()
                    .unwrap_or(0),
            ),
            Effect::After(_, l) => 1u64.saturating_add(fan_out_in(s, l, firing)),
            Effect::Use(id) => match s.snippets.effects.iter().find(|x| &x.id == id) {
                Some(sn) if !firing.contains(&(true, id.as_str())) => {
                    firing.push((true, id));
                    let own = fan_out_in(s, &sn.effects, firing);
                    firing.pop();
                    1u64.saturating_add(own)
                }
                _ => 1,
            },
            Effect::ForEach(w, l) => {
                size(w).saturating_mul(1u64.saturating_add(fan_out_in(s, l, firing)))
            }
            plain => plain
                .groups()
                .into_iter()
                .fold(1u64, |n, w| n.saturating_mul(size(w))),
        };
        total = total.saturating_add(cost);
    }
    total
}

/// Which model type each file of a scenario folder holds, and whether it is required.
pub const FILE_TYPES: [(&str, &str, bool); 8] = [
    ("scenario.ron", "ScenarioFile", true),
    ("actors.ron", "ActorsFile", true),
    ("actions.ron", "ActionsFile", true),
    ("red_lines.ron", "RedLinesFile", false),
    ("diplomacy.ron", "DiplomacyFile", false),
    ("injects.ron", "InjectsFile", false),
    ("endings.ron", "EndingsFile", true),
    ("snippets.ron", "SnippetsFile", false),
];

pub use super::schema::RefKind;

impl RefKind {
    fn code(self) -> &'static str {
        match self {
            RefKind::Actor => "E101",
            RefKind::Action => "E102",
            RefKind::Rung => "E103",
            RefKind::Attribute => "E104",
            RefKind::Inject => "E105",
            RefKind::Ending => "E106",
            RefKind::RedLine => "E107",
            RefKind::Proposal => "E108",
            RefKind::Sector => "E109",
            RefKind::Norm => "E110",
            RefKind::Side => "E111",
            RefKind::Tag | RefKind::Threshold => "E112",
            RefKind::Metric => "E113",
            RefKind::Relation => "E114",
            RefKind::EffectSnippet | RefKind::ConditionSnippet => "E115",
            RefKind::ActionTag => "E116",
        }
    }

    /// The file whose reading defines ids of this kind.
    fn defined_in(self) -> &'static str {
        match self {
            RefKind::Actor | RefKind::Side | RefKind::Tag => "actors.ron",
            RefKind::Action => "actions.ron",
            RefKind::Rung
            | RefKind::Attribute
            | RefKind::Sector
            | RefKind::Norm
            | RefKind::Threshold
            | RefKind::Metric
            | RefKind::Relation => "scenario.ron",
            RefKind::EffectSnippet | RefKind::ConditionSnippet => "snippets.ron",
            RefKind::ActionTag => "actions.ron",
            RefKind::Inject => "injects.ron",
            RefKind::Ending => "endings.ron",
            RefKind::RedLine => "red_lines.ron",
            RefKind::Proposal => "diplomacy.ron",
        }
    }
}

use RefKind as K;

/// Where ids are defined: (type, field) → kind; derived from `Def<..>` in the model.
pub fn definitions_table() -> impl Iterator<Item = (&'static str, Slot, RefKind)> {
    schema::IDS
        .iter()
        .filter(|s| s.defines)
        .map(|s| (s.site.owner, s.site.slot, s.kind))
}

/// A reference slot: (type, variant, slot) → the kind of id it names.
pub type RefSlot = (&'static str, Option<&'static str>, Slot, RefKind);

/// Every place in the format where a text names an id, derived from the model's id types
/// (`ActorId`, `RungId`, …).
pub fn references_table() -> impl Iterator<Item = RefSlot> {
    schema::IDS
        .iter()
        .filter(|s| !s.defines)
        .map(|s| (s.site.owner, s.site.variant, s.site.slot, s.kind))
}

const ACTING: &[&str] = &["Acting"];
const ACTING_TARGET: &[&str] = &["Acting", "Target"];
const NOBODY: &[&str] = &[];

/// Which placeholders stand for an actor where: (type, field) → those bound there.
/// `Sponsor` and `Proxies` follow `Acting`; `Each` is bound inside `ForEach`.
pub const CONTEXTS: &[(&str, &str, &[&str])] = &[
    ("Action", "by", ACTING),
    ("Action", "available", ACTING),
    ("Action", "target", ACTING),
    ("Action", "modifiers", ACTING_TARGET),
    ("Action", "attribution", ACTING_TARGET),
    ("Action", "on_success", ACTING_TARGET),
    ("Action", "on_failure", ACTING_TARGET),
    ("Action", "on_detection", ACTING_TARGET),
    ("NormDef", "on_breach", ACTING),
    ("NormDef", "on_uphold", ACTING),
    ("RedLine", "trigger", &["Owner", "Target"]),
    ("RedLine", "culprits", &["Owner"]),
    ("RedLine", "on_crossed", &["Owner", "Target"]),
    ("RedLine", "when_enforced", &["Owner", "Target"]),
    ("RedLine", "when_ignored", &["Owner", "Target"]),
    ("Proposal", "modifiers", ACTING_TARGET),
    ("Proposal", "on_accept", ACTING_TARGET),
    ("Proposal", "on_refuse", ACTING_TARGET),
    ("Inject", "when", NOBODY),
    // `Acting` is the inject's `acting` actor when it names one.
    ("Inject", "effects", ACTING),
    ("Inject", "choices", ACTING),
    ("Ending", "when", NOBODY),
    // An objective's `Acting` is the actor whose objective it is.
    ("Objective", "when", ACTING),
    ("ScenarioFile", "upkeep", NOBODY),
];

fn placeholder_checks(
    sites: &[schema::PlaceholderSite],
    root: &Node,
    file: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for p in sites {
        if matches!(p.name, "Any" | "AnyOther") {
            continue;
        }
        if p.name == "Each" {
            let in_for_each = p
                .frames
                .contains(&schema::Frame::Pos("Effect", "ForEach", 1));
            if !in_for_each {
                diags.push(
                    Diagnostic::error("E120", "`Each` stands for nobody outside `ForEach`")
                        .at(file, p.span)
                        .label("not inside the effects of a `ForEach`")
                        .help("write `ForEach(<who>, [... Each ...])`, or name the actor: Actor(\"...\")"),
                );
            }
            continue;
        }
        // The outermost frame with a known context decides.
        let Some((owner, field, bound)) = p.frames.iter().find_map(|f| match f {
            schema::Frame::Field(o, fl) => {
                CONTEXTS.iter().find(|c| c.0 == *o && c.1 == *fl).copied()
            }
            _ => None,
        }) else {
            continue;
        };
        // An inject binds `Acting` only when it names its `acting` actor.
        let bound = if owner == "Inject" && !inject_has_acting(root, p.item) {
            NOBODY
        } else {
            bound
        };
        let with_acting = bound.contains(&"Acting");
        let ok =
            bound.contains(&p.name) || (with_acting && matches!(p.name, "Sponsor" | "Proxies"));
        if ok {
            continue;
        }
        let place = format!(
            "{} {}'s `{field}`",
            if owner.starts_with(['A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            },
            schema::plain_name(owner)
        );
        let mut usable: Vec<String> = bound.iter().map(|b| format!("`{b}`")).collect();
        if with_acting {
            usable.push("`Sponsor`".into());
            usable.push("`Proxies`".into());
        }
        let help = if owner == "Inject" {
            "set the inject's `acting: \"<actor id>\"` and use `Acting`, or name the actor with Actor(\"...\")".to_string()
        } else if usable.is_empty() {
            "nobody is bound here: name the actor with Actor(\"...\"), or use Any, Side(..), Tagged(..) or Kind(..)".to_string()
        } else {
            format!(
                "here you can use {}, or name the actor with Actor(\"...\")",
                schema::join_or(&usable)
            )
        };
        diags.push(
            Diagnostic::error("E120", format!("`{}` stands for nobody in {place}", p.name))
                .at(file, p.span)
                .label("nobody is bound to this here")
                .help(help),
        );
    }
}

fn inject_has_acting(root: &Node, item: Option<usize>) -> bool {
    let Some(i) = item else { return false };
    let path = SPath::root().field("injects").index(i).field("acting");
    root.at(&path.0).is_some_and(|n| n.name() != Some("None"))
}

fn ref_kind(site: &Site) -> Option<RefKind> {
    schema::id_at(site).filter(|s| !s.defines).map(|s| s.kind)
}

fn def_kind(site: &Site) -> Option<RefKind> {
    schema::id_at(site).filter(|s| s.defines).map(|s| s.kind)
}

/// One file as read.
#[derive(Debug)]
struct FileState {
    name: &'static str,
    display: String,
    root: Option<Node>,
    /// Read completely: syntax and structure are fine.
    clean: bool,
    texts: Vec<TextSite>,
}

/// The result of validating one scenario folder.
#[derive(Debug, Default)]
pub struct Validation {
    /// Every problem, in file order then position.
    pub diagnostics: Vec<Diagnostic>,
    /// The files' texts, for rendering.
    pub sources: Sources,
    /// The scenario, when every file could be read into the model.
    pub scenario: Option<Scenario>,
}

impl Validation {
    /// Whether `grayzone validate` fails on this result.
    pub fn failed(&self, deny_warnings: bool) -> bool {
        self.errors() > 0 || (deny_warnings && self.warnings() > 0)
    }

    /// What `grayzone validate` prints for this folder: every diagnostic, then a summary line.
    pub fn render_human(&self, dir: &str, deny_warnings: bool) -> String {
        let mut out = super::diagnostics::render_human(&self.diagnostics, &self.sources);
        let summary = super::diagnostics::summary(&self.diagnostics);
        if summary.is_empty() {
            out.push_str(&format!("ok: {dir} has no problems\n"));
        } else if self.failed(deny_warnings) {
            out.push_str(&format!("error: {dir}: {summary}\n"));
        } else {
            out.push_str(&format!("ok: {dir}: {summary}\n"));
        }
        out
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Validates a scenario folder on disk.
pub fn validate_dir(dir: &Path) -> Validation {
    validate_read(dir, &read_scenario_files(dir))
}

/// Validates a scenario folder as read by [`read_scenario_files`] (the one reader).
pub fn validate_read(dir: &Path, read: &ScenarioFiles) -> Validation {
    if !read.is_dir {
        return Validation {
            diagnostics: vec![
                Diagnostic::error("E001", format!("there is no scenario folder at {}", dir.display()))
                    .help("give the path of a folder holding scenario.ron, e.g. scenarios/forward_defense_2022"),
            ],
            ..Default::default()
        };
    }
    validate_files(&dir.display().to_string(), read)
}

fn display_name(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        Path::new(dir).join(file).display().to_string()
    }
}

/// Validates a scenario given as file texts (`scenario.ron` → text). `dir` is
/// only used to name the files in messages.
pub fn validate_texts(dir: &str, texts: &BTreeMap<&str, String>) -> Validation {
    validate_files(dir, &ScenarioFiles::from_texts(texts))
}

fn validate_files(dir: &str, read: &ScenarioFiles) -> Validation {
    let texts = &read.texts();
    let mut v = Validation::default();
    let mut files: Vec<FileState> = Vec::new();
    let mut diags: Vec<Diagnostic> = Vec::new();

    // Phase 1: every file on its own.
    let mut format_ok = true;
    for (name, type_name, required) in FILE_TYPES {
        let display = display_name(dir, name);
        if let Some(FileRead::Unusable {
            code,
            problem,
            help,
            at,
        }) = read.files.get(name)
        {
            let mut d = Diagnostic::error(code, problem.clone()).help(help.clone());
            d = match at {
                Some((text, offset)) => {
                    v.sources.add(Source::new(display.clone(), text.clone()));
                    d.at(display.clone(), Span::new(*offset, *offset + 1))
                        .label("here")
                }
                None => d.at(display.clone(), Span::default()),
            };
            diags.push(d);
            files.push(FileState {
                name,
                display,
                root: None,
                clean: false,
                texts: Vec::new(),
            });
            continue;
        }
        let Some(text) = texts.get(name) else {
            if required {
                diags.push(
                    Diagnostic::error("E001", format!("the scenario has no {name}"))
                        .help(format!("every scenario folder needs {name}; copy it from the template in docs/template/")),
                );
            }
            files.push(FileState {
                name,
                display,
                root: None,
                clean: !required,
                texts: Vec::new(),
            });
            continue;
        };
        v.sources.add(Source::new(display.clone(), text.clone()));
        let root = match spans::parse(text) {
            Ok(root) => root,
            Err(e) => {
                let mut d = Diagnostic::error(e.code, e.message)
                    .at(display.clone(), e.span)
                    .label("here");
                if let Some(h) = e.help {
                    d = d.help(h);
                }
                diags.push(d);
                files.push(FileState {
                    name,
                    display,
                    root: None,
                    clean: false,
                    texts: Vec::new(),
                });
                continue;
            }
        };
        if name == "scenario.ron"
            && let Some(f) = root.field("format")
            && let spans::NodeKind::Int(n) = f.value.kind
            && n != i128::from(FORMAT_VERSION)
        {
            diags.push(
                Diagnostic::error("E004", format!("scenario format {n} is not supported"))
                    .at(display.clone(), f.value.span)
                    .label(format!("this build reads format {FORMAT_VERSION}"))
                    .help(format!(
                        "write `format: {FORMAT_VERSION}` and check the files against docs/scenario-format.md"
                    )),
            );
            format_ok = false;
        }
        let report = schema::check_with(&root, type_name, |site| ref_kind(site).map(RefKind::noun));
        let clean = report.problems.is_empty();
        for p in report.problems {
            let code = match p.kind {
                ProblemKind::UnknownField => "E010",
                ProblemKind::UnknownVariant => "E011",
                ProblemKind::MissingField => "E012",
                ProblemKind::WrongType => "E013",
                ProblemKind::WrongCount => "E014",
                ProblemKind::DuplicateField => "E015",
                ProblemKind::OutOfBounds => "E016",
            };
            let mut d = Diagnostic::error(code, p.message).at(display.clone(), p.span);
            if !p.label.is_empty() {
                d = d.label(p.label);
            }
            d.suggestions = p
                .suggestions
                .into_iter()
                .map(|text| Suggestion {
                    text,
                    defined_at: None,
                })
                .collect();
            d.help = p.help;
            diags.push(d);
        }
        percent_checks(&report.numbers, &display, &mut diags);
        id_length_checks(&report.texts, &display, &mut diags);
        placeholder_checks(&report.placeholders, &root, &display, &mut diags);
        files.push(FileState {
            name,
            display,
            root: Some(root),
            clean,
            texts: report.texts,
        });
    }
    if !format_ok {
        // Files of another format version would only produce noise.
        diags.retain(|d| d.code == "E004" || d.code == "E003");
        v.diagnostics = diags;
        return v;
    }

    // Phase 2: ids and references across files.
    let defs = definitions(&files, &v.sources, &mut diags);
    references(&files, &defs, &mut diags);

    // Phase 3: the typed model, when every file reads.
    if files.iter().all(|f| f.clean) {
        match build_model(&files) {
            Ok(scenario) => {
                let effect_names = files
                    .iter()
                    .flat_map(|f| f.texts.iter())
                    .filter(|t| t.site.owner == "Effect")
                    .filter_map(|t| Some((t.site.variant?, t.text.as_str())))
                    .collect();
                let ctx = Ctx {
                    files: &files,
                    s: &scenario,
                    defs: &defs,
                    effect_names,
                };
                ctx.semantic(&mut diags);
                v.scenario = Some(scenario);
            }
            Err(d) => diags.extend(d),
        }
    }

    sort(&mut diags, &files);
    v.diagnostics = diags;
    v
}

/// The longest id, in characters (documented limit, code E402).
pub const MAX_ID_CHARS: usize = 64;

fn id_length_checks(texts: &[TextSite], file: &str, diags: &mut Vec<Diagnostic>) {
    for t in texts {
        let is_id = ref_kind(&t.site).is_some() || def_kind(&t.site).is_some();
        if !is_id {
            continue;
        }
        let chars = t.text.chars().count();
        if chars > MAX_ID_CHARS {
            diags.push(
                Diagnostic::error(
                    "E402",
                    format!("this id is {chars} characters long; an id may be at most {MAX_ID_CHARS}"),
                )
                .at(file, t.span)
                .label("too long")
                .help("ids are short names such as \"ddos_grid\"; put longer text in `name` or `description`"),
            );
        }
    }
}

fn sort(diags: &mut [Diagnostic], files: &[FileState]) {
    let order = |d: &Diagnostic| match &d.location {
        Some(loc) => (
            files
                .iter()
                .position(|f| f.display == loc.file)
                .unwrap_or(files.len()),
            loc.span.start,
        ),
        None => (files.len() + 1, 0),
    };
    diags.sort_by_key(order);
}

/// Checks every number against the range its type declares in the model (`Percent` → E301,
/// every other range → E307).
fn percent_checks(numbers: &[schema::NumberSite], file: &str, diags: &mut Vec<Diagnostic>) {
    for n in numbers {
        let Some(range) = schema::range_at(&n.site) else {
            continue;
        };
        if (i128::from(range.lo)..=i128::from(range.hi)).contains(&n.value) {
            continue;
        }
        if range.alias == "Percent" {
            let what = match (n.site.variant, n.site.slot) {
                (Some(v), _) => format!("`{v}`"),
                (None, Slot::Field(f)) => format!("`{f}`"),
                _ => "this value".into(),
            };
            diags.push(
                Diagnostic::error(
                    "E301",
                    format!("{what} is a percentage, but {} is outside 0–100", n.value),
                )
                .at(file, n.span)
                .label("must be between 0 and 100"),
            );
            continue;
        }
        let what = match (n.site.variant, n.site.slot) {
            (Some(v), Slot::Pos(i)) => format!("value {} of `{v}`", i + 1),
            (Some(v), Slot::Field(f)) => format!("`{f}` of `{v}`"),
            (None, Slot::Field(f)) => format!("`{f}`"),
            _ => "this value".into(),
        };
        let allowed = range_words(range.lo, range.hi);
        let mut d = Diagnostic::error(
            "E307",
            format!(
                "{what} is {}, outside its allowed range: {allowed}",
                n.value
            ),
        )
        .at(file, n.span)
        .label(format!("must be {allowed}"));
        if let Some(doc) = schema::ALIASES
            .iter()
            .find(|a| a.name == range.alias)
            .and_then(|a| a.doc.lines().next())
        {
            d = d.help(format!(
                "this value is {}",
                doc.trim_end_matches('.').to_lowercase_first_word()
            ));
        }
        diags.push(d);
    }
}

/// "from -100 to 100", "at least 1".
fn range_words(lo: i64, hi: i64) -> String {
    if hi >= i64::from(u32::MAX) {
        format!("at least {}", thousands(lo))
    } else {
        format!("from {} to {}", thousands(lo), thousands(hi))
    }
}

/// 1000000 → "1,000,000".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

trait LowerFirstWord {
    fn to_lowercase_first_word(&self) -> String;
}

impl LowerFirstWord for str {
    /// "A percentage" → "a percentage" (acronyms stay).
    fn to_lowercase_first_word(&self) -> String {
        let mut c = self.chars();
        match (c.next(), c.clone().next()) {
            (Some(f), Some(n)) if n.is_lowercase() || n == ' ' => {
                f.to_lowercase().chain(c).collect()
            }
            _ => self.to_string(),
        }
    }
}

/// Where one id is defined.
#[derive(Clone, Debug)]
struct Def {
    file: String,
    span: Span,
    line: usize,
}

type Defs = BTreeMap<RefKind, BTreeMap<String, Def>>;

fn short_file(display: &str) -> &str {
    display.rsplit(['/', '\\']).next().unwrap_or(display)
}

fn definitions(files: &[FileState], sources: &Sources, diags: &mut Vec<Diagnostic>) -> Defs {
    let mut defs: Defs = BTreeMap::new();
    for f in files {
        let line_of = |span: Span| {
            sources
                .get(&f.display)
                .map_or(0, |s| s.line_col(span.start).0)
        };
        for t in &f.texts {
            // Sides and tags are defined by the actors (or actions) that carry them.
            let Some(kind) = def_kind(&t.site) else {
                continue;
            };
            if matches!(kind, K::Side | K::Tag | K::ActionTag) {
                defs.entry(kind)
                    .or_default()
                    .entry(t.text.clone())
                    .or_insert(Def {
                        file: f.display.clone(),
                        span: t.span,
                        line: line_of(t.span),
                    });
                continue;
            }
            let map = defs.entry(kind).or_default();
            match map.get(&t.text) {
                Some(first) => diags.push(
                    Diagnostic::error(
                        "E201",
                        format!("the {} id \"{}\" is defined twice", kind.noun(), t.text),
                    )
                    .at(f.display.clone(), t.span)
                    .label("defined again here")
                    .note(first.file.clone(), first.span, "first defined here")
                    .help(format!(
                        "give each {} its own id, or remove one of the two",
                        kind.noun()
                    )),
                ),
                None => {
                    map.insert(
                        t.text.clone(),
                        Def {
                            file: f.display.clone(),
                            span: t.span,
                            line: line_of(t.span),
                        },
                    );
                }
            }
        }
    }
    defs
}

fn references(files: &[FileState], defs: &Defs, diags: &mut Vec<Diagnostic>) {
    let readable = |kind: RefKind| {
        files
            .iter()
            .find(|f| f.name == kind.defined_in())
            // A missing optional file defines nothing; a broken file may define anything.
            .is_some_and(|f| f.root.is_some() || f.clean)
    };
    let empty = BTreeMap::new();
    for f in files {
        for t in &f.texts {
            let Some(kind) = ref_kind(&t.site) else {
                continue;
            };
            // When the defining file could not be read, every reference would look unknown.
            if !readable(kind) {
                continue;
            }
            let known = defs.get(&kind).unwrap_or(&empty);
            if known.contains_key(&t.text) {
                continue;
            }
            let (message, label) = match kind {
                K::Side => (
                    format!("no actor is on the side \"{}\"", t.text),
                    "no actor has this `side`".to_string(),
                ),
                K::Tag => (
                    format!("no actor has the tag \"{}\"", t.text),
                    "no actor has this in its `tags`".to_string(),
                ),
                K::ActionTag => (
                    format!("no action has the tag \"{}\"", t.text),
                    "no action has this in its `tags`".to_string(),
                ),
                _ => (
                    format!("unknown {} \"{}\"", kind.noun(), t.text),
                    format!("no {} has this id", kind.noun()),
                ),
            };
            let suggestions: Vec<Suggestion> =
                did_you_mean(&t.text, known.keys().map(String::as_str))
                    .into_iter()
                    .map(|s| Suggestion {
                        text: s.to_string(),
                        defined_at: known
                            .get(s)
                            .map(|d| format!("{}:{}", short_file(&d.file), d.line)),
                    })
                    .collect();
            let mut d = Diagnostic::error(kind.code(), message)
                .at(f.display.clone(), t.span)
                .label(label)
                .suggest(suggestions);
            if d.suggestions.is_empty() {
                if known.is_empty() {
                    d = d.help(format!(
                        "no {} is defined yet; {} are defined in {}",
                        kind.noun(),
                        plural(kind),
                        kind.defined_in()
                    ));
                } else if known.len() <= 8 {
                    let names: Vec<String> = known.keys().map(|k| format!("\"{k}\"")).collect();
                    d = d.help(format!(
                        "the {} are {}",
                        plural(kind),
                        schema::join_and(&names)
                    ));
                } else {
                    d = d.help(format!(
                        "{} are defined in {}",
                        plural(kind),
                        kind.defined_in()
                    ));
                }
            }
            diags.push(d);
        }
    }
}

fn plural(kind: RefKind) -> String {
    format!("{}s", kind.noun())
}

/// The typed model, deserialized from the trees phase 1 already read (no second parse).
fn build_model(files: &[FileState]) -> Result<Scenario, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    fn read<'a, T: serde::Deserialize<'a>>(
        files: &'a [FileState],
        name: &str,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<T> {
        let f = files.iter().find(|f| f.name == name)?;
        let root = f.root.as_ref()?;
        match spans::de::from_node::<T>(root) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(
                    Diagnostic::error("E019", plain_ron_message(&e.message))
                        .at(f.display.clone(), e.span.unwrap_or(root.span))
                        .label("here"),
                );
                None
            }
        }
    }
    let meta: Option<ScenarioFile> = read(files, "scenario.ron", &mut errors);
    let actors: Option<ActorsFile> = read(files, "actors.ron", &mut errors);
    let actions: Option<ActionsFile> = read(files, "actions.ron", &mut errors);
    let red_lines: Option<RedLinesFile> = read(files, "red_lines.ron", &mut errors);
    let diplomacy: Option<DiplomacyFile> = read(files, "diplomacy.ron", &mut errors);
    let injects: Option<InjectsFile> = read(files, "injects.ron", &mut errors);
    let endings: Option<EndingsFile> = read(files, "endings.ron", &mut errors);
    let snippets: Option<SnippetsFile> = read(files, "snippets.ron", &mut errors);
    match (meta, actors, actions, endings) {
        (Some(meta), Some(actors), Some(actions), Some(endings)) if errors.is_empty() => {
            Ok(Scenario {
                meta,
                actors: actors.actors,
                actions: actions.actions,
                red_lines: red_lines.map(|r| r.red_lines).unwrap_or_default(),
                proposals: diplomacy.map(|d| d.proposals).unwrap_or_default(),
                injects: injects.map(|i| i.injects).unwrap_or_default(),
                snippets: snippets.unwrap_or_default(),
                endings: endings.endings,
            })
        }
        _ => Err(errors),
    }
}

/// ron's messages name Rust types and serde words; say it in plain English.
pub fn plain_ron_message(message: &str) -> String {
    let mut m = message.to_string();
    for (from, to) in [
        ("i32", "a whole number"),
        ("u32", "a whole number of 0 or more"),
        ("a string", "a text in double quotes"),
        ("the string", "the text"),
        ("a sequence", "a list `[...]`"),
        ("a map", "a map `{...}`"),
        ("unit variant", "name without values"),
        ("newtype variant", "name with one value"),
        ("tuple variant", "name with values"),
        ("struct variant", "name with fields"),
        ("enum", "kind"),
        ("Expected", "expected"),
        ("Unexpected", "unexpected"),
    ] {
        m = m.replace(from, to);
    }
    m
}

/// Everything the typed checks need.
struct Ctx<'a> {
    files: &'a [FileState],
    s: &'a Scenario,
    defs: &'a Defs,
    /// (effect variant, id) for every id an effect names.
    effect_names: BTreeSet<(&'static str, &'a str)>,
}

fn p() -> SPath {
    SPath::root()
}

impl Ctx<'_> {
    fn file(&self, name: &str) -> &FileState {
        self.files
            .iter()
            .find(|f| f.name == name)
            .expect("every scenario file has a state")
    }

    /// The span of the value at `path` in `file` (the nearest existing value if not written).
    fn span(&self, file: &str, path: &SPath) -> Span {
        let f = self.file(file);
        match &f.root {
            Some(root) => {
                let node = root.closest(&unwrap_some_path(root, &path.0));
                node.span
            }
            None => Span::default(),
        }
    }

    fn at(&self, d: Diagnostic, file: &str, path: &SPath) -> Diagnostic {
        let display = self.file(file).display.clone();
        d.at(display, self.span(file, path))
    }

    fn semantic(&self, diags: &mut Vec<Diagnostic>) {
        self.playable(diags);
        self.limits(diags);
        self.nesting_and_fan_out(diags);
        self.attribute_ranges(diags);
        self.temperaments(diags);
        self.ladder(diags);
        self.fallback(diags);
        self.unused_attributes(diags);
        self.unusable_actions(diags);
        self.injects(diags);
        self.endings(diags);
        self.snippet_uses(diags);
    }

    /// Snippets that use each other in a cycle (E310) or nest more than 8 deep (E311).
    fn snippet_uses(&self, diags: &mut Vec<Diagnostic>) {
        let sn = &self.s.snippets;
        // Nodes: effect snippets, then condition snippets.
        let ne = sn.effects.len();
        let names: Vec<&str> = sn
            .effects
            .iter()
            .map(|x| x.id.as_str())
            .chain(sn.conditions.iter().map(|x| x.id.as_str()))
            .collect();
        let node_path = |n: usize| {
            if n < ne {
                p().field("effects").index(n).field("id")
            } else {
                p().field("conditions").index(n - ne).field("id")
            }
        };
        let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); names.len()];
        for (n, edge) in edges.iter_mut().enumerate() {
            let mut used = SnippetUses::default();
            if n < ne {
                used.effects(&sn.effects[n].effects);
            } else {
                used.condition(&sn.conditions[n - ne].when);
            }
            let span = self.span("snippets.ron", &node_path(n));
            for name in used.effect_names {
                if let Some(to) = sn.effects.iter().position(|x| x.id == name) {
                    edge.push((to, span));
                }
            }
            for name in used.condition_names {
                if let Some(to) = sn.conditions.iter().position(|x| x.id == name) {
                    edge.push((ne + to, span));
                }
            }
        }
        let mut in_cycle: BTreeSet<usize> = BTreeSet::new();
        for start in 0..names.len() {
            if in_cycle.contains(&start) {
                continue;
            }
            if let Some(cycle) = find_cycle(start, &edges) {
                let fresh = !cycle.iter().any(|(n, _)| in_cycle.contains(n));
                in_cycle.extend(cycle.iter().map(|(n, _)| *n));
                if !fresh {
                    continue;
                }
                let chain: Vec<String> = cycle
                    .iter()
                    .map(|(n, _)| format!("\"{}\"", names[*n]))
                    .chain(std::iter::once(format!("\"{}\"", names[start])))
                    .collect();
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E310",
                            format!("snippets use each other in a cycle: {}", chain.join(" → ")),
                        ),
                        "snippets.ron",
                        &node_path(start),
                    )
                    .label("this snippet ends up using itself")
                    .help("a snippet cannot use itself, directly or through others: write the repeated part once in a third snippet that uses neither"),
                );
            }
        }
        if !in_cycle.is_empty() {
            return;
        }
        // Without cycles, the deepest chain of uses from each snippet.
        fn depth(n: usize, edges: &[Vec<(usize, Span)>], memo: &mut [Option<usize>]) -> usize {
            if let Some(d) = memo[n] {
                return d;
            }
            let d = 1 + edges[n]
                .iter()
                .map(|&(m, _)| depth(m, edges, memo))
                .max()
                .unwrap_or(0);
            memo[n] = Some(d);
            d
        }
        let mut memo = vec![None; names.len()];
        for (n, name) in names.iter().enumerate() {
            let d = depth(n, &edges, &mut memo);
            if d > limits::SNIPPET_NESTING {
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E311",
                            format!(
                                "the snippet \"{}\" uses snippets {} deep (at most {})",
                                name,
                                d,
                                limits::SNIPPET_NESTING
                            ),
                        ),
                        "snippets.ron",
                        &node_path(n),
                    )
                    .label("too many snippets inside each other")
                    .help("write some of the inner snippets' effects or conditions out in full"),
                );
                break;
            }
        }
    }

    /// Temperaments whose shares add up to more than 100 % (E312), or of an actor that no bot
    /// of its own plays (W307: never drawn).
    fn temperaments(&self, diags: &mut Vec<Diagnostic>) {
        for (i, a) in self.s.actors.iter().enumerate() {
            if a.temperaments.is_empty() {
                continue;
            }
            let path = p().field("actors").index(i).field("temperaments");
            let total: i64 = a.temperaments.iter().map(|t| i64::from(t.share)).sum();
            if total > 100 {
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E312",
                            format!(
                                "the temperaments of \"{}\" take {total} % of the games; at most 100 % can be drawn",
                                a.id
                            ),
                        ),
                        "actors.ron",
                        &path,
                    )
                    .label(format!("{total} % in all"))
                    .help("lower the shares: the games no temperament takes are played by the actor's own controller"),
                );
            }
            if !matches!(a.controller, crate::scenario::Controller::Bot(_)) {
                diags.push(
                    self.at(
                        Diagnostic::warning(
                            "W307",
                            format!(
                                "\"{}\" has temperaments, but its controller is not a bot: they are never drawn",
                                a.id
                            ),
                        ),
                        "actors.ron",
                        &path,
                    )
                    .label("never drawn")
                    .help("give it `controller: Bot(..)`, or remove the temperaments"),
                );
            }
        }
    }

    fn attribute_ranges(&self, diags: &mut Vec<Diagnostic>) {
        let attrs = &self.s.meta.attributes;
        for (i, a) in attrs.iter().enumerate() {
            let path = p().field("attributes").index(i);
            if a.min > a.upper() {
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E303",
                            format!(
                                "the attribute \"{}\" has `min` {} above `max` {}",
                                a.id,
                                a.min,
                                a.upper()
                            ),
                        ),
                        "scenario.ron",
                        &path.field("min"),
                    )
                    .label("above `max`")
                    .help("swap the two values"),
                );
                continue;
            }
            let max_words = match a.max {
                Some(m) => m.to_string(),
                None => "no maximum".to_string(),
            };
            if !(a.min..=a.upper()).contains(&a.default) {
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E302",
                            format!(
                                "the default {} of \"{}\" is outside its range {} to {}",
                                a.default, a.id, a.min, max_words
                            ),
                        ),
                        "scenario.ron",
                        &path.field("default"),
                    )
                    .label(format!("must be between {} and {}", a.min, max_words)),
                );
            }
        }
        for (i, actor) in self.s.actors.iter().enumerate() {
            for (key, value) in &actor.attrs {
                let Some(a) = attrs.iter().find(|a| &a.id == key) else {
                    continue;
                };
                if a.min <= a.upper() && !(a.min..=a.upper()).contains(value) {
                    let max_words = match a.max {
                        Some(m) => m.to_string(),
                        None => "no maximum".to_string(),
                    };
                    diags.push(
                        self.at(
                            Diagnostic::error(
                                "E302",
                                format!(
                                    "the actor \"{}\" starts with \"{key}\" at {value}, outside its range {} to {}",
                                    actor.id, a.min, max_words
                                ),
                            ),
                            "actors.ron",
                            &p().field("actors").index(i).field("attrs").key(key),
                        )
                        .label(format!("must be between {} and {}", a.min, max_words))
                        .help(format!(
                            "change the value, or widen the range of \"{key}\" in scenario.ron"
                        )),
                    );
                }
            }
        }
    }

    fn ladder(&self, diags: &mut Vec<Diagnostic>) {
        let rungs = &self.s.meta.ladder.rungs;
        for i in 1..rungs.len() {
            let (prev, cur) = (&rungs[i - 1], &rungs[i]);
            if cur.level <= prev.level {
                let prev_path = p()
                    .field("ladder")
                    .field("rungs")
                    .index(i - 1)
                    .field("level");
                let display = self.file("scenario.ron").display.clone();
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E304",
                            format!(
                                "ladder levels must strictly increase, but \"{}\" has level {} after \"{}\" at level {}",
                                cur.id, cur.level, prev.id, prev.level
                            ),
                        ),
                        "scenario.ron",
                        &p().field("ladder").field("rungs").index(i).field("level"),
                    )
                    .label(format!("must be above {}", prev.level))
                    .note(display, self.span("scenario.ron", &prev_path), "the rung before")
                    .help("list rungs from lowest to highest, each with a higher level"),
                );
            }
        }
    }

    fn fallback(&self, diags: &mut Vec<Diagnostic>) {
        let fallbacks: Vec<usize> = self
            .s
            .endings
            .iter()
            .enumerate()
            .filter(|(_, e)| e.fallback)
            .map(|(i, _)| i)
            .collect();
        match fallbacks.as_slice() {
            [] if self.s.endings.is_empty() => {}
            [] => {
                let f = self.file("endings.ron");
                let span = f
                    .root
                    .as_ref()
                    .and_then(|r| r.field("endings"))
                    .map_or(Span::default(), |fl| fl.name_span);
                diags.push(
                    Diagnostic::error("E305", "no ending is the fallback ending")
                        .at(f.display.clone(), span)
                        .label("one of these endings needs `fallback: true`")
                        .help("mark the turn-limit ending with `fallback: true`; it ends the game after the last turn"),
                );
            }
            [_] => {}
            [first, rest @ ..] => {
                let display = self.file("endings.ron").display.clone();
                for i in rest {
                    diags.push(
                        self.at(
                            Diagnostic::error(
                                "E306",
                                format!(
                                    "\"{}\" is a second fallback ending; there must be exactly one",
                                    self.s.endings[*i].id
                                ),
                            ),
                            "endings.ron",
                            &p().field("endings").index(*i).field("fallback"),
                        )
                        .label("second fallback")
                        .note(
                            display.clone(),
                            self.span(
                                "endings.ron",
                                &p().field("endings").index(*first).field("fallback"),
                            ),
                            "the first fallback",
                        ),
                    );
                }
            }
        }
    }

    /// Every text site naming an id of this kind.
    fn uses(&self, kind: RefKind) -> BTreeSet<&str> {
        self.files
            .iter()
            .flat_map(|f| f.texts.iter())
            .filter(|t| ref_kind(&t.site) == Some(kind))
            .map(|t| t.text.as_str())
            .collect()
    }

    fn def_span(&self, kind: RefKind, id: &str) -> Option<(String, Span)> {
        self.defs
            .get(&kind)
            .and_then(|m| m.get(id))
            .map(|d| (d.file.clone(), d.span))
    }

    fn unused_attributes(&self, diags: &mut Vec<Diagnostic>) {
        let used = self.uses(K::Attribute);
        for a in &self.s.meta.attributes {
            if used.contains(a.id.as_str()) {
                continue;
            }
            if let Some((file, span)) = self.def_span(K::Attribute, &a.id) {
                diags.push(
                    Diagnostic::warning(
                        "W301",
                        format!("the attribute \"{}\" is never used", a.id),
                    )
                    .at(file, span)
                    .label("declared here")
                    .help("no condition, effect, cost, rule or metric mentions it, and no actor sets it in `attrs`; remove it or use it"),
                );
            }
        }
    }

    fn unusable_actions(&self, diags: &mut Vec<Diagnostic>) {
        let enabled_later: BTreeSet<&str> = self
            .files
            .iter()
            .flat_map(|f| f.texts.iter())
            .filter(|t| t.site.owner == "Effect" && t.site.variant == Some("EnableAction"))
            .map(|t| t.text.as_str())
            .collect();
        for (i, action) in self.s.actions.iter().enumerate() {
            if !action.enabled && !enabled_later.contains(action.id.as_str()) {
                diags.push(
                    self.at(
                        Diagnostic::warning(
                            "W302",
                            format!(
                                "the action \"{}\" starts disabled and nothing enables it",
                                action.id
                            ),
                        ),
                        "actions.ron",
                        &p().field("actions").index(i).field("enabled"),
                    )
                    .label("never enabled")
                    .help("add `EnableAction(..)` to an effect, or remove `enabled: false`"),
                );
                continue;
            }
            if let Some(false) = self.who_matches_some_actor(&action.by) {
                diags.push(
                    self.at(
                        Diagnostic::warning(
                            "W302",
                            format!("no actor can take the action \"{}\"", action.id),
                        ),
                        "actions.ron",
                        &p().field("actions").index(i).field("by"),
                    )
                    .label("matches no actor"),
                );
            }
        }
    }

    /// `Some(false)` when a static filter matches no actor; `None` when it depends on context.
    fn who_matches_some_actor(&self, who: &Who) -> Option<bool> {
        let actors = &self.s.actors;
        Some(match who {
            // Unknown actor ids, sides and tags are reported as errors already.
            Who::Kind(kind) => actors.iter().any(|a| a.kind == *kind),
            Who::Any | Who::AnyOther => !actors.is_empty(),
            _ => return None,
        })
    }

    /// Injects that some effect fires or schedules.
    fn fired_by_effects(&self) -> BTreeSet<&str> {
        self.files
            .iter()
            .flat_map(|f| f.texts.iter())
            .filter(|t| {
                t.site.owner == "Effect"
                    && matches!(t.site.variant, Some("FireInject" | "ScheduleInject"))
            })
            .map(|t| t.text.as_str())
            .collect()
    }

    /// Whether some effect of this variant names `id` (e.g. `Propose("deal", ..)`).
    fn named_by_effect(&self, variant: &str, id: &str) -> bool {
        self.effect_names.contains(&(variant, id))
    }

    /// Whether a condition can never hold, as far as a static look can tell.
    fn impossible(&self, c: &Condition, dead_injects: &BTreeSet<&str>) -> bool {
        let turns = self.s.meta.turns as i32;
        match c {
            Condition::Turn(cmp) => !(1..=turns).any(|t| cmp.test(t)),
            Condition::Chance(n) => *n <= 0,
            Condition::All(cs) => cs.iter().any(|c| self.impossible(c, dead_injects)),
            Condition::Any(cs) => cs.iter().all(|c| self.impossible(c, dead_injects)),
            Condition::AtLeastOf(n, cs) => {
                cs.iter()
                    .filter(|c| !self.impossible(c, dead_injects))
                    .count()
                    < *n as usize
            }
            Condition::InjectFired(id) => dead_injects.contains(id.as_str()),
            Condition::RedLineCrossed(id) | Condition::RedLineDeclared(id) => {
                // Never in force: not declared from the start, and no effect declares it.
                self.s
                    .red_lines
                    .iter()
                    .find(|r| &r.id == id)
                    .is_some_and(|r| !r.declared && !self.named_by_effect("DeclareRedLine", id))
            }
            Condition::AgreementInForce(id) | Condition::ProposalPending(id) => {
                self.s.proposals.iter().any(|p| &p.id == id) && !self.named_by_effect("Propose", id)
            }
            Condition::ActionTaken { action, .. } => self
                .s
                .actions
                .iter()
                .find(|a| &a.id == action)
                .is_some_and(|a| !a.enabled && !self.named_by_effect("EnableAction", action)),
            Condition::Attr { attr, is, .. } => {
                match self.s.meta.attributes.iter().find(|a| &a.id == attr) {
                    Some(a) if a.min <= a.upper() => {
                        let (lo, hi) = (a.min, a.upper());
                        // The comparison's own numbers, and the ends of the range, are the
                        // only places a comparison can change its answer.
                        let probes = [lo, hi, lo.saturating_add(1), hi.saturating_sub(1)];
                        let inner = match is {
                            Cmp::AtLeast(n) | Cmp::AtMost(n) | Cmp::Equals(n) => vec![*n],
                            Cmp::Between(x, y) => vec![*x, *y],
                        };
                        !probes
                            .into_iter()
                            .chain(inner)
                            .filter(|x| (lo..=hi).contains(x))
                            .any(|x| is.test(x))
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn dead_injects(&self) -> BTreeSet<&str> {
        let fired = self.fired_by_effects();
        let turns = self.s.meta.turns;
        let mut dead: BTreeSet<&str> = BTreeSet::new();
        loop {
            let mut changed = false;
            for inj in &self.s.injects {
                if dead.contains(inj.id.as_str()) || fired.contains(inj.id.as_str()) {
                    continue;
                }
                let is_dead = match &inj.when {
                    InjectWhen::Turn(t) => *t == 0 || *t > turns,
                    InjectWhen::Condition(c) => self.impossible(c, &dead),
                    InjectWhen::Facilitator => false,
                };
                if is_dead {
                    dead.insert(inj.id.as_str());
                    changed = true;
                }
            }
            if !changed {
                return dead;
            }
        }
    }

    fn injects(&self, diags: &mut Vec<Diagnostic>) {
        let turns = self.s.meta.turns;
        let dead = self.dead_injects();
        let fired = self.fired_by_effects();
        for (i, inj) in self.s.injects.iter().enumerate() {
            let when = p().field("injects").index(i).field("when");
            match &inj.when {
                InjectWhen::Turn(t)
                    if (*t == 0 || *t > turns) && !fired.contains(inj.id.as_str()) =>
                {
                    diags.push(
                        self.at(
                            Diagnostic::warning(
                                "W303",
                                format!(
                                    "the inject \"{}\" is scripted for turn {t}, but the scenario has turns 1 to {turns}",
                                    inj.id
                                ),
                            ),
                            "injects.ron",
                            &when.index(0),
                        )
                        .label("never reached")
                        .help(format!("use a turn from 1 to {turns}, or raise `turns` in scenario.ron")),
                    );
                }
                InjectWhen::Condition(_) if dead.contains(inj.id.as_str()) => {
                    diags.push(
                        self.at(
                            Diagnostic::warning(
                                "W304",
                                format!("the inject \"{}\" can never fire", inj.id),
                            ),
                            "injects.ron",
                            &when.index(0),
                        )
                        .label("this condition can never hold")
                        .help(format!(
                            "check turn numbers (1 to {turns}), attribute ranges, and the injects, red lines, proposals and actions it waits for"
                        )),
                    );
                }
                _ => {}
            }
        }
        self.inject_cycles(diags);
    }

    fn inject_cycles(&self, diags: &mut Vec<Diagnostic>) {
        // Edges: inject → injects its own effects fire or schedule.
        let ids: Vec<&str> = self.s.injects.iter().map(|i| i.id.as_str()).collect();
        let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); ids.len()];
        let file = self.file("injects.ron");
        for t in &file.texts {
            if t.site.owner != "Effect"
                || !matches!(t.site.variant, Some("FireInject" | "ScheduleInject"))
            {
                continue;
            }
            let (Some(from), Some(to)) = (t.item, ids.iter().position(|id| *id == t.text)) else {
                continue;
            };
            if from < ids.len() {
                edges[from].push((to, t.span));
            }
        }
        // Report each cycle once, from its first inject in file order.
        let mut reported: BTreeSet<usize> = BTreeSet::new();
        for start in 0..ids.len() {
            if reported.contains(&start) {
                continue;
            }
            if let Some(cycle) = find_cycle(start, &edges) {
                if cycle.iter().any(|(n, _)| reported.contains(n)) {
                    continue;
                }
                reported.extend(cycle.iter().map(|(n, _)| *n));
                let names: Vec<String> = cycle
                    .iter()
                    .map(|(n, _)| format!("\"{}\"", ids[*n]))
                    .chain(std::iter::once(format!("\"{}\"", ids[start])))
                    .collect();
                let span = cycle[0].1;
                diags.push(
                    Diagnostic::warning(
                        "W306",
                        format!("injects fire each other in a cycle: {}", names.join(" → ")),
                    )
                    .at(file.display.clone(), span)
                    .label("this starts the cycle")
                    .help("the cycle repeats every time one of them fires; break it or guard it with a condition"),
                );
            }
        }
    }

    fn endings(&self, diags: &mut Vec<Diagnostic>) {
        let dead = self.dead_injects();
        let ended_by_effect: BTreeSet<&str> = self.uses(K::Ending);
        for (i, e) in self.s.endings.iter().enumerate() {
            if e.fallback || ended_by_effect.contains(e.id.as_str()) {
                continue;
            }
            let path = p().field("endings").index(i);
            match &e.when {
                None => diags.push(
                    self.at(
                        Diagnostic::warning(
                            "W305",
                            format!("the ending \"{}\" can never be reached", e.id),
                        ),
                        "endings.ron",
                        &path.field("id"),
                    )
                    .label("it has no `when` and no `EndGame` names it")
                    .help("give it a `when: ...` condition, or end the game with it from an effect"),
                ),
                Some(c) if self.impossible(c, &dead) => diags.push(
                    self.at(
                        Diagnostic::warning(
                            "W305",
                            format!("the ending \"{}\" can never be reached", e.id),
                        ),
                        "endings.ron",
                        &path.field("when"),
                    )
                    .label("this condition can never hold")
                    .help(format!(
                        "check turn numbers (1 to {}), attribute ranges, and the injects, red lines, proposals and actions it waits for",
                        self.s.meta.turns
                    )),
                ),
                _ => {}
            }
        }
    }
}

/// What the engine needs to play, and the documented limits (E308, E403–E409).
impl Ctx<'_> {
    fn playable(&self, diags: &mut Vec<Diagnostic>) {
        let s = self.s;
        let missing: [(bool, &str, SPath, &str, &str); 4] = [
            (
                s.meta.ladder.rungs.is_empty(),
                "scenario.ron",
                p().field("ladder").field("rungs"),
                "the ladder has no rungs",
                "add at least one rung: (id: \"calm\", name: \"Calm\", level: 0)",
            ),
            (
                s.actors.is_empty(),
                "actors.ron",
                p().field("actors"),
                "the scenario has no actors",
                "add at least one actor to actors.ron",
            ),
            (
                s.actions.is_empty(),
                "actions.ron",
                p().field("actions"),
                "the scenario has no actions",
                "add at least one action to actions.ron",
            ),
            (
                s.endings.is_empty(),
                "endings.ron",
                p().field("endings"),
                "the scenario has no endings",
                "add at least the turn-limit ending, with `fallback: true`",
            ),
        ];
        for (empty, file, path, message, help) in missing {
            if empty {
                diags.push(
                    self.at(Diagnostic::error("E308", message), file, &path)
                        .label("empty: there is nothing to play")
                        .help(help),
                );
            }
        }
    }

    fn limits(&self, diags: &mut Vec<Diagnostic>) {
        let s = self.s;
        let lists: [(usize, usize, &str, &str, &str, SPath); 11] = [
            (
                s.actors.len(),
                limits::ACTORS,
                "E405",
                "actors",
                "actors.ron",
                p().field("actors"),
            ),
            (
                s.actions.len(),
                limits::ACTIONS,
                "E406",
                "actions",
                "actions.ron",
                p().field("actions"),
            ),
            (
                s.injects.len(),
                limits::INJECTS,
                "E407",
                "injects",
                "injects.ron",
                p().field("injects"),
            ),
            (
                s.meta.ladder.rungs.len(),
                limits::LIST,
                "E409",
                "rungs",
                "scenario.ron",
                p().field("ladder").field("rungs"),
            ),
            (
                s.meta.ladder.thresholds.len(),
                limits::LIST,
                "E409",
                "thresholds",
                "scenario.ron",
                p().field("ladder").field("thresholds"),
            ),
            (
                s.meta.attributes.len(),
                limits::LIST,
                "E409",
                "attributes",
                "scenario.ron",
                p().field("attributes"),
            ),
            (
                s.meta.sectors.len(),
                limits::LIST,
                "E409",
                "sectors",
                "scenario.ron",
                p().field("sectors"),
            ),
            (
                s.meta.norms.len(),
                limits::LIST,
                "E409",
                "norms",
                "scenario.ron",
                p().field("norms"),
            ),
            (
                s.red_lines.len(),
                limits::LIST,
                "E409",
                "red lines",
                "red_lines.ron",
                p().field("red_lines"),
            ),
            (
                s.proposals.len(),
                limits::LIST,
                "E409",
                "proposals",
                "diplomacy.ron",
                p().field("proposals"),
            ),
            (
                s.endings.len(),
                limits::LIST,
                "E409",
                "endings",
                "endings.ron",
                p().field("endings"),
            ),
        ];
        for (n, limit, code, what, file, path) in lists {
            if n > limit {
                diags.push(
                    self.at(
                        Diagnostic::error(
                            code,
                            format!("{n} {what} is more than the limit of {limit}"),
                        ),
                        file,
                        &path,
                    )
                    .label(format!("at most {limit} {what}"))
                    .help("split the scenario, or merge similar entries"),
                );
            }
        }
        for (i, inj) in s.injects.iter().enumerate() {
            if inj.choices.len() > limits::LIST {
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E409",
                            format!(
                                "the inject \"{}\" has {} choices, more than the limit of {}",
                                inj.id,
                                inj.choices.len(),
                                limits::LIST
                            ),
                        ),
                        "injects.ron",
                        &p().field("injects").index(i).field("choices"),
                    )
                    .label(format!("at most {} choices", limits::LIST)),
                );
            }
        }
        if s.meta.turns > limits::TURNS {
            diags.push(
                self.at(
                    Diagnostic::error(
                        "E408",
                        format!(
                            "{} turns is more than the limit of {}",
                            s.meta.turns,
                            limits::TURNS
                        ),
                    ),
                    "scenario.ron",
                    &p().field("turns"),
                )
                .label(format!("at most {}", limits::TURNS))
                .help("a turn usually stands for a week or a month; make each turn stand for more time"),
            );
        }
    }

    /// Every effect list of the scenario with the file and path it is written at.
    fn effect_lists(&self) -> Vec<(&'static str, SPath, &[Effect])> {
        let s = self.s;
        let mut out: Vec<(&'static str, SPath, &[Effect])> =
            vec![("scenario.ron", p().field("upkeep"), &s.meta.upkeep)];
        for (i, n) in s.meta.norms.iter().enumerate() {
            let at = p().field("norms").index(i);
            out.push(("scenario.ron", at.field("on_breach"), &n.on_breach));
            out.push(("scenario.ron", at.field("on_uphold"), &n.on_uphold));
        }
        for (i, a) in s.actions.iter().enumerate() {
            let at = p().field("actions").index(i);
            out.push(("actions.ron", at.field("on_success"), &a.on_success));
            out.push(("actions.ron", at.field("on_failure"), &a.on_failure));
            out.push(("actions.ron", at.field("on_detection"), &a.on_detection));
        }
        for (i, r) in s.red_lines.iter().enumerate() {
            let at = p().field("red_lines").index(i);
            out.push(("red_lines.ron", at.field("on_crossed"), &r.on_crossed));
            out.push(("red_lines.ron", at.field("when_enforced"), &r.when_enforced));
            out.push(("red_lines.ron", at.field("when_ignored"), &r.when_ignored));
        }
        for (i, pr) in s.proposals.iter().enumerate() {
            let at = p().field("proposals").index(i);
            out.push(("diplomacy.ron", at.field("on_accept"), &pr.on_accept));
            out.push(("diplomacy.ron", at.field("on_refuse"), &pr.on_refuse));
        }
        for (i, sn) in s.snippets.effects.iter().enumerate() {
            let at = p().field("effects").index(i);
            out.push(("snippets.ron", at.field("effects"), &sn.effects));
        }
        for (i, inj) in s.injects.iter().enumerate() {
            let at = p().field("injects").index(i);
            out.push(("injects.ron", at.field("effects"), &inj.effects));
            for (j, c) in inj.choices.iter().enumerate() {
                out.push((
                    "injects.ron",
                    at.field("choices").index(j).field("effects"),
                    &c.effects,
                ));
            }
        }
        out
    }

    /// Every condition outside effects with the file and path it is written at.
    fn condition_sites(&self) -> Vec<(&'static str, SPath, &Condition)> {
        let s = self.s;
        let mut out: Vec<(&'static str, SPath, &Condition)> = Vec::new();
        for (i, sn) in s.snippets.conditions.iter().enumerate() {
            let at = p().field("conditions").index(i).field("when");
            out.push(("snippets.ron", at, &sn.when));
        }
        for (i, a) in s.actions.iter().enumerate() {
            let at = p().field("actions").index(i);
            if let Some(c) = &a.available {
                out.push(("actions.ron", at.field("available"), c));
            }
            for (j, m) in a.modifiers.iter().enumerate() {
                out.push((
                    "actions.ron",
                    at.field("modifiers").index(j).field("when"),
                    &m.when,
                ));
            }
        }
        for (i, r) in s.red_lines.iter().enumerate() {
            out.push((
                "red_lines.ron",
                p().field("red_lines").index(i).field("trigger"),
                &r.trigger,
            ));
        }
        for (i, pr) in s.proposals.iter().enumerate() {
            for (j, m) in pr.modifiers.iter().enumerate() {
                let at = p()
                    .field("proposals")
                    .index(i)
                    .field("modifiers")
                    .index(j)
                    .field("when");
                out.push(("diplomacy.ron", at, &m.when));
            }
        }
        for (i, inj) in s.injects.iter().enumerate() {
            if let InjectWhen::Condition(c) = &inj.when {
                out.push((
                    "injects.ron",
                    p().field("injects").index(i).field("when"),
                    c,
                ));
            }
        }
        for (i, a) in s.actors.iter().enumerate() {
            for (j, g) in a.goals.iter().enumerate() {
                let at = p()
                    .field("actors")
                    .index(i)
                    .field("goals")
                    .index(j)
                    .field("when");
                out.push(("actors.ron", at, &g.when));
            }
        }
        for (i, e) in s.endings.iter().enumerate() {
            if let Some(c) = &e.when {
                out.push((
                    "endings.ron",
                    p().field("endings").index(i).field("when"),
                    c,
                ));
            }
        }
        out
    }

    fn too_deep(
        &self,
        file: &str,
        path: &SPath,
        what: &str,
        depth: usize,
        limit: usize,
    ) -> Diagnostic {
        self.at(
            Diagnostic::error(
                "E403",
                format!("{what} nested {depth} levels deep; the limit is {limit}"),
            ),
            file,
            path,
        )
        .label(format!("{depth} levels"))
        .help("flatten it: use `All([...])` or `Any([...])` lists, split it into injects, or group actors with `Side(..)`, `Tagged(..)` or `Kind(..)`")
    }

    fn nesting_and_fan_out(&self, diags: &mut Vec<Diagnostic>) {
        for (file, path, effects) in self.effect_lists() {
            for (j, e) in effects.iter().enumerate() {
                let (depth, cond) = effect_nesting(std::slice::from_ref(e));
                let at = path.index(j);
                if depth > limits::EFFECT_NESTING {
                    let what = "`If`, `Random`, `After` and `ForEach` are";
                    diags.push(self.too_deep(file, &at, what, depth, limits::EFFECT_NESTING));
                } else if cond > limits::CONDITION_NESTING {
                    let what = "conditions are";
                    diags.push(self.too_deep(file, &at, what, cond, limits::CONDITION_NESTING));
                }
            }
            let n = fan_out(self.s, effects);
            if n > limits::FAN_OUT {
                diags.push(
                    self.at(
                        Diagnostic::error(
                            "E404",
                            format!(
                                "these effects could apply up to {} times at once; the limit is {}",
                                thousands(i64::try_from(n).unwrap_or(i64::MAX)),
                                thousands(limits::FAN_OUT as i64)
                            ),
                        ),
                        file,
                        &path,
                    )
                    .label("too many effects at once")
                    .help("each `ForEach` applies its effects once per actor of its group, and nested ones multiply; use one `ForEach`, a smaller group, or an effect on the whole group (`AddAttr(Side(\"west\"), ..)`)"),
                );
            }
        }
        for (file, path, c) in self.condition_sites() {
            let depth = condition_nesting(c);
            if depth > limits::CONDITION_NESTING {
                diags.push(self.too_deep(
                    file,
                    &path,
                    "conditions are",
                    depth,
                    limits::CONDITION_NESTING,
                ));
            }
        }
    }
}

/// A cycle through `start` as (node, span of the edge leaving it), if any.
fn find_cycle(start: usize, edges: &[Vec<(usize, Span)>]) -> Option<Vec<(usize, Span)>> {
    let mut stack: Vec<(usize, Span)> = Vec::new();
    let mut visited = vec![false; edges.len()];
    fn dfs(
        node: usize,
        start: usize,
        edges: &[Vec<(usize, Span)>],
        visited: &mut [bool],
        stack: &mut Vec<(usize, Span)>,
    ) -> bool {
        for &(next, span) in &edges[node] {
            stack.push((node, span));
            if next == start {
                return true;
            }
            if !visited[next] {
                visited[next] = true;
                if dfs(next, start, edges, visited, stack) {
                    return true;
                }
            }
            stack.pop();
        }
        false
    }
    visited[start] = true;
    dfs(start, start, edges, &mut visited, &mut stack).then_some(stack)
}

/// The snippet names used by effects and conditions (walked as the engine would apply them).
#[derive(Default)]
struct SnippetUses {
    effect_names: BTreeSet<String>,
    condition_names: BTreeSet<String>,
}

impl SnippetUses {
    fn effects(&mut self, effects: &[Effect]) {
        for e in effects {
            match e {
                Effect::Use(name) => {
                    self.effect_names.insert(name.clone());
                }
                Effect::If(c, a, b) => {
                    self.condition(c);
                    self.effects(a);
                    self.effects(b);
                }
                Effect::Random(branches) => branches.iter().for_each(|(_, l)| self.effects(l)),
                Effect::After(_, l) | Effect::ForEach(_, l) => self.effects(l),
                _ => {}
            }
        }
    }

    fn condition(&mut self, c: &Condition) {
        match c {
            Condition::Use(name) => {
                self.condition_names.insert(name.clone());
            }
            Condition::All(cs) | Condition::Any(cs) | Condition::AtLeastOf(_, cs) => {
                cs.iter().for_each(|c| self.condition(c))
            }
            Condition::Not(c) => self.condition(c),
            _ => {}
        }
    }
}

/// Inserts a step into `Some(..)` wherever the source wrapped an optional value in it.
fn unwrap_some_path(root: &Node, path: &[Seg]) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut node = root;
    for seg in path {
        if node.name() == Some("Some") && node.items().len() == 1 && node.get(seg).is_none() {
            out.push(Seg::Index(0));
            node = &node.items()[0];
        }
        out.push(seg.clone());
        match node.get(seg) {
            Some(n) => node = n,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::SCENARIO_FILES;
    use crate::scenario::schema;

    #[test]
    fn every_table_entry_names_a_real_slot() {
        let slot_exists = |owner: &str, variant: Option<&str>, slot: Slot| {
            let def = schema::lookup(owner).unwrap_or_else(|| panic!("no type {owner}"));
            let fields = match variant {
                Some(v) => match def.variant(v).map(|v| v.shape) {
                    Some(schema::Shape::Struct(f)) => f,
                    Some(schema::Shape::Tuple(items)) => {
                        return matches!(slot, Slot::Pos(i) if i < items.len());
                    }
                    _ => return false,
                },
                None => def.fields(),
            };
            match slot {
                Slot::Field(f) | Slot::MapKey(f) => fields.iter().any(|d| d.name == f),
                _ => false,
            }
        };
        for s in schema::IDS {
            assert!(
                slot_exists(s.site.owner, s.site.variant, s.site.slot),
                "{s:?}"
            );
        }
        for s in schema::RANGES {
            assert!(
                slot_exists(s.site.owner, s.site.variant, s.site.slot),
                "{s:?}"
            );
        }
        for (owner, field, _) in CONTEXTS {
            assert!(
                slot_exists(owner, None, Slot::Field(field)),
                "{owner}.{field}"
            );
        }
        for (name, ty, _) in FILE_TYPES {
            assert!(SCENARIO_FILES.contains(&name));
            assert!(schema::lookup(ty).is_some());
        }
        assert_eq!(FILE_TYPES.len(), SCENARIO_FILES.len());
    }

    #[test]
    fn every_text_and_number_of_the_format_says_what_it_is() {
        // A bare `String` or integer in the model would be a reference or a number the
        // validator silently skips: every one must use an id type, `Text`, or a ranged number type.
        assert!(
            schema::UNCLASSIFIED.is_empty(),
            "use an id type (`ActorId`, ...), `Text`, or a number type with a `Range:` in model.rs for: {:?}",
            schema::UNCLASSIFIED
        );
        // (Texts: an id type or `Text` — a bare `String` would be in UNCLASSIFIED.)
        // Every number of every condition and effect has a declared range.
        for owner in ["Condition", "Effect", "Who", "RungCmp", "TargetKind"] {
            for v in schema::lookup(owner).unwrap().variants() {
                let tys: Vec<(Slot, schema::Ty)> = match v.shape {
                    schema::Shape::Tuple(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (Slot::Pos(i), *t))
                        .collect(),
                    schema::Shape::Struct(fields) => {
                        fields.iter().map(|f| (Slot::Field(f.name), f.ty)).collect()
                    }
                    schema::Shape::Unit => Vec::new(),
                };
                for (slot, ty) in tys {
                    let site = Site {
                        owner: schema::lookup(owner).unwrap().name,
                        variant: Some(v.name),
                        slot,
                    };
                    if matches!(ty, schema::Ty::Int { .. }) {
                        assert!(
                            schema::range_at(&site).is_some(),
                            "{owner}::{} {slot:?} has no range",
                            v.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_derived_tables_cover_what_the_hand_tables_said() {
        // A sample of the rows the hand-written tables had before they were derived.
        let refs = [
            ("Effect", Some("Damage"), Slot::Pos(1), K::Sector),
            (
                "Effect",
                Some("StageIncident"),
                Slot::Field("action"),
                K::Action,
            ),
            (
                "Condition",
                Some("ThresholdCrossed"),
                Slot::Pos(0),
                K::Threshold,
            ),
            ("Actor", None, Slot::MapKey("attrs"), K::Attribute),
            ("Who", Some("Tagged"), Slot::Pos(0), K::Tag),
            ("Inject", None, Slot::Field("acting"), K::Actor),
        ];
        for (owner, variant, slot, kind) in refs {
            let site = Site {
                owner,
                variant,
                slot,
            };
            assert_eq!(ref_kind(&site), Some(kind), "{site:?}");
        }
        assert_eq!(
            references_table().count(),
            // 53 in the hand table, and 14 from the vocabulary added since: metrics (3),
            // relations (6), snippets (2), action filters (2) and `Scale`.
            67,
            "as many as the hand table had, and the vocabulary added since"
        );
        for (owner, variant, slot) in [
            ("Action", None, Slot::Field("chance")),
            ("Condition", Some("Chance"), Slot::Pos(0)),
            ("Actor", None, Slot::Field("resilience")),
        ] {
            let site = Site {
                owner,
                variant,
                slot,
            };
            assert_eq!(schema::range_at(&site).map(|r| r.alias), Some("Percent"));
        }
        let defs: Vec<(&str, Slot, RefKind)> = definitions_table().collect();
        assert!(defs.contains(&("Actor", Slot::Field("id"), K::Actor)));
        assert!(defs.contains(&("Actor", Slot::Field("tags"), K::Tag)));
        // 13, and metrics, relations, effect and condition snippets, action tags.
        assert_eq!(defs.len(), 18);
    }

    #[test]
    fn a_number_outside_its_type_range_is_refused_naming_the_range() {
        let mut texts = golden_texts("tests/golden/clean");
        let actions = texts["actions.ron"].replace(
            "on_success: [Propose(\"deal\", Target)]",
            "on_success: [Propose(\"deal\", Target), After(4294967295, []), Damage(Target, \"grid\", 2147483647)]",
        );
        texts.insert("actions.ron", actions);
        let v = validate_texts("s", &texts);
        let got: Vec<(&str, &str)> = v
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "E307",
                    "value 1 of `After` is 4294967295, outside its allowed range: from 1 to 1,000"
                ),
                (
                    "E307",
                    "value 3 of `Damage` is 2147483647, outside its allowed range: from -100 to 100"
                ),
            ]
        );
        assert_eq!(
            v.diagnostics[1].help,
            vec![
                "this value is a change to a 0–100 level, in points (damage, resilience, credibility, evidence)"
            ]
        );
    }

    fn codes_of(texts: &BTreeMap<&'static str, String>) -> Vec<&'static str> {
        validate_texts("s", texts)
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn what_the_engine_cannot_play_is_refused() {
        let clean = golden_texts("tests/golden/clean");
        let edit = |file: &'static str, from: &str, to: &str| {
            let mut t = clean.clone();
            assert!(t[file].contains(from), "{from}");
            t.insert(file, t[file].replacen(from, to, 1));
            codes_of(&t)
        };
        let no_actors = {
            let mut t = clean.clone();
            t.insert("actors.ron", "(actors: [])".into());
            codes_of(&t)
        };
        assert!(no_actors.contains(&"E308"), "{no_actors:?}");
        let no_actions = {
            let mut t = clean.clone();
            t.insert("actions.ron", "(actions: [])".into());
            codes_of(&t)
        };
        assert!(no_actions.contains(&"E308"), "{no_actions:?}");
        let rungs = "rungs: [\n            (id: \"calm\", name: \"Calm\", level: 0),\n            (id: \"tense\", name: \"Tense\", level: 1),\n            (id: \"cyber\", name: \"Cyber attacks\", level: 2),\n            (id: \"war\", name: \"War\", level: 3),\n        ],";
        let no_rungs = edit("scenario.ron", rungs, "rungs: [],");
        assert!(no_rungs.contains(&"E308"), "{no_rungs:?}");
        assert_eq!(
            edit("scenario.ron", "turns: 6,", "turns: 0,"),
            vec!["E307", "W303"]
        );
        assert_eq!(
            edit("scenario.ron", "turns: 6,", "turns: 1001,"),
            vec!["E408"]
        );
        assert_eq!(
            edit(
                "scenario.ron",
                "min: 0, max: 10, default: 5",
                "min: 10, max: 0, default: 5"
            ),
            vec!["E303"]
        );
        assert_eq!(
            edit("endings.ron", ", fallback: true", ""),
            vec!["E305", "W305"]
        );
    }

    #[test]
    fn the_nestings_that_hung_or_exhausted_the_engine_are_refused() {
        // 22 nested `ForEach(Any, ..)` hung the engine (4^22 applications); 16 nested levels
        // with a headline at each ran out of memory building 4^16 headlines.
        let nest = |n: usize, leaf: &str| {
            let mut e = leaf.to_string();
            for _ in 0..n {
                e = format!("ForEach(Any, [Headline(\"{{each}}\"), {e}])");
            }
            e
        };
        // 22 and 16 levels are refused by the reader already (E017: too deep to read); fewer levels
        // that still fan out too far are refused by the semantic limits.
        for (n, leaf, expected) in [
            (22, "AddAttr(Each, \"power\", 1)", vec!["E017"]),
            (12, "AddAttr(Each, \"power\", 1)", vec!["E404", "E403"]),
            (16, "Headline(\"deep\")", vec!["E017"]),
            (12, "Headline(\"deep\")", vec!["E404", "E403"]),
        ] {
            let mut texts = golden_texts("tests/golden/clean");
            let scenario = texts["scenario.ron"].replacen(
                "    rules: (",
                &format!("    upkeep: [{}],\n    rules: (", nest(n, leaf)),
                1,
            );
            texts.insert("scenario.ron", scenario);
            assert_eq!(codes_of(&texts), expected, "{n} levels");
        }
        // Within the limits it loads.
        let mut texts = golden_texts("tests/golden/clean");
        let scenario = texts["scenario.ron"].replacen(
            "    rules: (",
            &format!(
                "    upkeep: [{}],\n    rules: (",
                nest(3, "Headline(\"x\")")
            ),
            1,
        );
        texts.insert("scenario.ron", scenario);
        assert_eq!(codes_of(&texts), Vec::<&str>::new());
    }

    #[test]
    fn counts_beyond_the_limits_have_their_own_codes() {
        let mut texts = golden_texts("tests/golden/clean");
        let extra: String = (0..limits::ACTORS)
            .map(|i| format!("(id: \"a{i}\", name: \"A\", kind: State, controller: Team, rung: \"calm\", threshold: \"calm\"),\n"))
            .collect();
        let actors = texts["actors.ron"].replacen("actors: [", &format!("actors: [{extra}"), 1);
        texts.insert("actors.ron", actors);
        let inj: String = (0..limits::INJECTS)
            .map(|i| format!("(id: \"i{i}\", headline: \"H\", when: Facilitator),\n"))
            .collect();
        let injects = texts["injects.ron"].replacen("injects: [", &format!("injects: [{inj}"), 1);
        texts.insert("injects.ron", injects);
        let act: String = (0..limits::ACTIONS)
            .map(|i| format!("(id: \"x{i}\", name: \"X\", domain: Cyber, intent: Signal, rung: \"calm\", visibility: Overt),\n"))
            .collect();
        let actions = texts["actions.ron"].replacen("actions: [", &format!("actions: [{act}"), 1);
        texts.insert("actions.ron", actions);
        let rungs: String = (0..limits::LIST)
            .map(|i| format!("(id: \"r{i}\", name: \"R\", level: {}),\n", i as i64 - 5000))
            .collect();
        let scenario = texts["scenario.ron"].replacen("rungs: [", &format!("rungs: [{rungs}"), 1);
        texts.insert("scenario.ron", scenario);
        assert_eq!(codes_of(&texts), vec!["E409", "E405", "E406", "E407"]);
    }

    #[test]
    fn the_turn_limit_itself_is_allowed_and_one_more_is_e408() {
        let with_turns = |n: u32| {
            let mut texts = golden_texts("tests/golden/clean");
            let scenario = texts["scenario.ron"].replacen("turns: 6,", &format!("turns: {n},"), 1);
            texts.insert("scenario.ron", scenario);
            codes_of(&texts)
        };
        assert_eq!(with_turns(limits::TURNS), Vec::<&str>::new());
        assert_eq!(with_turns(limits::TURNS + 1), vec!["E408"]);
    }

    #[test]
    fn nesting_and_fan_out_are_measured_as_the_engine_plays_them() {
        let s: Effect = crate::scenario::load::parse_ron(
            Path::new("x.ron"),
            "ForEach(Any, [If(All([Not(Always)]), [After(1, [Headline(\"x\")])], []), AddAttr(Any, \"p\", 1)])",
        )
        .unwrap();
        assert_eq!(effect_nesting(std::slice::from_ref(&s)), (3, 3));
        let v = validate_dir(Path::new("tests/golden/clean"));
        let sc = v.scenario.unwrap();
        // 4 actors: each of them runs If (1 + After (1 + Headline 1)) and AddAttr on 4 actors.
        assert_eq!(fan_out(&sc, std::slice::from_ref(&s)), 4 * (1 + 3 + 4));
    }

    #[test]
    fn load_dir_returns_the_scenario_only_without_errors() {
        use crate::sim::LoadedScenario;
        let (s, v) = LoadedScenario::load(Path::new("tests/golden/w301_unused_attribute")).unwrap();
        assert_eq!(v.warnings(), 1);
        assert_eq!(s.scenario.actors.len(), 4);
        let v = LoadedScenario::load(Path::new("tests/golden/e102_unknown_action")).unwrap_err();
        assert_eq!(v.errors(), 1);
    }

    fn golden_texts(dir: &str) -> BTreeMap<&'static str, String> {
        SCENARIO_FILES
            .iter()
            .filter_map(|name| {
                let text = std::fs::read_to_string(Path::new(dir).join(name)).ok()?;
                Some((*name, text))
            })
            .collect()
    }

    #[test]
    fn references_into_a_missing_optional_file_are_unknown() {
        let mut texts = golden_texts("tests/golden/clean");
        texts.remove("red_lines.ron");
        let v = validate_texts("s", &texts);
        let codes: Vec<&str> = v.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["E107"]);
        assert_eq!(
            v.diagnostics[0].help,
            vec!["no red line is defined yet; red lines are defined in red_lines.ron"]
        );
    }

    #[test]
    fn waiting_for_what_cannot_happen_is_unreachable() {
        let mut texts = golden_texts("tests/golden/clean");
        // Nothing proposes the deal any more, and the red line is never declared.
        let actions = texts["actions.ron"].replace("on_success: [Propose(\"deal\", Target)]", "");
        texts.insert("actions.ron", actions);
        let red_lines =
            texts["red_lines.ron"].replace("public: true, declared: true", "declared: false");
        texts.insert("red_lines.ron", red_lines);
        let v = validate_texts("s", &texts);
        let got: Vec<(&str, &str)> = v
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("W304", "the inject \"alarm\" can never fire"),
                ("W305", "the ending \"deal\" can never be reached"),
            ]
        );
    }

    #[test]
    fn an_inject_binds_acting_only_when_it_names_its_actor() {
        let mut texts = golden_texts("tests/golden/clean");
        let with = texts["injects.ron"].replace(
            "when: Turn(1)),",
            "when: Turn(1), acting: \"alpha\", effects: [AddAttr(Acting, \"power\", 1)]),",
        );
        texts.insert("injects.ron", with);
        assert!(validate_texts("s", &texts).diagnostics.is_empty());
        let without = texts["injects.ron"].replace("acting: \"alpha\", ", "");
        texts.insert("injects.ron", without);
        let v = validate_texts("s", &texts);
        let codes: Vec<&str> = v.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["E120"]);
    }

    #[test]
    fn a_bare_name_where_an_id_belongs_says_which_id() {
        let mut texts = golden_texts("tests/golden/clean");
        let actors = texts["actors.ron"].replace("sponsor: \"alpha\"", "sponsor: alpha");
        texts.insert("actors.ron", actors);
        let v = validate_texts("s", &texts);
        assert_eq!(v.diagnostics.len(), 1);
        let d = &v.diagnostics[0];
        assert_eq!(
            d.message,
            "`sponsor` should be an actor id in double quotes, but this is a bare name"
        );
        assert_eq!(d.help, vec!["put the id in double quotes: \"alpha\""]);
    }

    #[test]
    fn references_into_a_broken_file_are_not_reported() {
        let mut texts = golden_texts("tests/golden/clean");
        texts.insert("red_lines.ron", "( red_lines: [ (id: \"x\" ]".into());
        let v = validate_texts("s", &texts);
        let codes: Vec<&str> = v.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["E003"]);
    }

    #[test]
    fn every_code_is_listed_once() {
        let codes: BTreeSet<&str> = CODES.iter().map(|c| c.0).collect();
        assert_eq!(codes.len(), CODES.len());
    }

    #[test]
    fn cycles_are_found() {
        let s = Span::default();
        let edges = vec![vec![(1, s)], vec![(2, s)], vec![(0, s)], vec![]];
        let c = find_cycle(0, &edges).unwrap();
        assert_eq!(c.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(find_cycle(3, &edges).is_none());
    }

    #[test]
    fn ron_messages_lose_rust_words() {
        assert_eq!(
            plain_ron_message("Expected i32 but found a string"),
            "expected a whole number but found a text in double quotes"
        );
    }
}
