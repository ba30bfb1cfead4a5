//! The scenario format as data: every type, field, variant, default and doc
//! comment of [`super::model`], read from its source by the build script.
//!
//! [`check`] walks a spanned RON tree ([`super::spans::Node`]) against this
//! table and reports every unknown field, unknown variant, missing field and
//! wrong value at once, each with its exact position. It also reports every
//! text value together with where it sits (type, variant, field), which the
//! validator uses to find id definitions and references.

use super::spans::{Node, NodeKind, Span};

/// A value's type as the format sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Int {
        signed: bool,
        bits: u32,
    },
    Float,
    Bool,
    Str,
    Unit,
    List(&'static Ty),
    Option(&'static Ty),
    Map(&'static Ty, &'static Ty),
    Tuple(&'static [Ty]),
    /// A struct or enum of the model, by name.
    Named(&'static str),
    /// A type the table does not describe (not checked here).
    Unknown(&'static str),
}

/// What a field holds when it is left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Default {
    /// It must be written.
    Required,
    /// The type's empty value (0, "", [], false, none).
    Type,
    /// This value, as RON text.
    Value(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef {
    pub name: &'static str,
    pub doc: &'static str,
    pub ty: Ty,
    pub default: Default,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Unit,
    Tuple(&'static [Ty]),
    Struct(&'static [FieldDef]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VariantDef {
    pub name: &'static str,
    pub doc: &'static str,
    pub shape: Shape,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    Struct {
        deny_unknown: bool,
        fields: &'static [FieldDef],
    },
    TupleStruct(&'static [Ty]),
    UnitStruct,
    Enum(&'static [VariantDef]),
    /// Uses serde features the table does not model; only `ron` checks it.
    Unchecked,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeDef {
    pub name: &'static str,
    pub doc: &'static str,
    pub body: Body,
}

/// Kinds of ids a text can name (from the model's id types: `ActorId` → `Actor`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    Actor,
    Action,
    Rung,
    Attribute,
    Inject,
    Ending,
    RedLine,
    Proposal,
    Sector,
    Norm,
    Threshold,
    Side,
    Tag,
    Metric,
    Relation,
    EffectSnippet,
    ConditionSnippet,
    ActionTag,
}

impl RefKind {
    /// The kind in plain words ("red line").
    pub fn noun(self) -> &'static str {
        match self {
            RefKind::Actor => "actor",
            RefKind::Action => "action",
            RefKind::Rung => "rung",
            RefKind::Attribute => "attribute",
            RefKind::Inject => "inject",
            RefKind::Ending => "ending",
            RefKind::RedLine => "red line",
            RefKind::Proposal => "proposal",
            RefKind::Sector => "sector",
            RefKind::Norm => "norm",
            RefKind::Threshold => "threshold",
            RefKind::Side => "side",
            RefKind::Tag => "tag",
            RefKind::Metric => "metric",
            RefKind::Relation => "relation",
            RefKind::EffectSnippet => "effect snippet",
            RefKind::ConditionSnippet => "condition snippet",
            RefKind::ActionTag => "action tag",
        }
    }
}

/// A place where a text names an id (`defines: false`) or defines one (`Def<..>` in the model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdSlot {
    pub site: Site,
    pub kind: RefKind,
    pub defines: bool,
}

/// A number with a declared range (`Range: lo..=hi` on its type in the model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeSlot {
    pub site: Site,
    /// The model's type name, e.g. `Percent`.
    pub alias: &'static str,
    pub lo: i64,
    pub hi: i64,
}

/// A value type of the model (a type alias) and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AliasDef {
    pub name: &'static str,
    pub doc: &'static str,
    pub meaning: AliasMeaning,
}

/// What a value type means to the validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AliasMeaning {
    /// A text naming an id of this kind.
    Id(RefKind),
    /// Free text.
    Text,
    /// A whole number from `lo` to `hi`.
    Range(i64, i64),
}

include!(concat!(env!("OUT_DIR"), "/schema_table.rs"));

/// The id slot at a site, if a text there names or defines an id.
pub fn id_at(site: &Site) -> Option<&'static IdSlot> {
    IDS.iter().find(|s| s.site == *site)
}

/// The declared range of the number at a site.
pub fn range_at(site: &Site) -> Option<&'static RangeSlot> {
    RANGES.iter().find(|s| s.site == *site)
}

/// The model type with this name.
pub fn lookup(name: &str) -> Option<&'static TypeDef> {
    type_position(name).map(|i| &TYPES[i])
}

impl TypeDef {
    pub fn fields(&self) -> &'static [FieldDef] {
        match self.body {
            Body::Struct { fields, .. } => fields,
            _ => &[],
        }
    }
    pub fn variants(&self) -> &'static [VariantDef] {
        match self.body {
            Body::Enum(v) => v,
            _ => &[],
        }
    }
    pub fn variant(&self, name: &str) -> Option<&'static VariantDef> {
        self.variants().iter().find(|v| v.name == name)
    }
}

/// "actor kind" for `ActorKind`: a type name as an author reads it.
pub fn plain_name(type_name: &str) -> String {
    let special = match type_name {
        "Cmp" => Some("comparison"),
        "RungCmp" => Some("rung comparison"),
        "InjectWhen" => Some("inject timing"),
        "Who" => Some("actor or group of actors"),
        "AttributeDef" => Some("attribute"),
        "SectorDef" => Some("sector"),
        "NormDef" => Some("norm"),
        "ScenarioFile" => Some("scenario file"),
        "TargetKind" => Some("target"),
        "Confidence" => Some("confidence level"),
        _ => None,
    };
    if let Some(s) = special {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in type_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

pub fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// How a variant is written, e.g. `Attr(who: …, attr: …, is: …)` or `Turn(…)`.
pub fn variant_form(v: &VariantDef) -> String {
    match v.shape {
        Shape::Unit => v.name.to_string(),
        Shape::Tuple(items) => {
            let dots = vec!["…"; items.len()].join(", ");
            format!("{}({dots})", v.name)
        }
        Shape::Struct(fields) => {
            let f: Vec<String> = fields
                .iter()
                .filter(|f| f.default == Default::Required)
                .map(|f| format!("{}: …", f.name))
                .collect();
            format!("{}({})", v.name, f.join(", "))
        }
    }
}

/// What a value of this type looks like, in plain English, without Rust type names.
pub fn describe(ty: &Ty) -> String {
    match ty {
        Ty::Int { signed: true, .. } => "a whole number".into(),
        Ty::Int { signed: false, .. } => "a whole number of 0 or more".into(),
        Ty::Float => "a number".into(),
        Ty::Bool => "`true` or `false`".into(),
        Ty::Str => "a text in double quotes".into(),
        Ty::Unit => "`()`".into(),
        Ty::List(inner) => format!("a list `[...]` of {}", plural(inner)),
        Ty::Option(inner) => describe(inner),
        Ty::Map(k, v) => format!(
            "a map `{{key: value, ...}}` from {} to {}",
            plural(k),
            plural(v)
        ),
        Ty::Tuple(items) => format!("a group of {} values `(..., ...)`", items.len()),
        Ty::Named(name) | Ty::Unknown(name) => match lookup(name).map(|t| t.body) {
            Some(Body::Enum(vars)) if vars.iter().all(|v| v.shape == Shape::Unit) => {
                let names: Vec<String> = vars.iter().map(|v| format!("`{}`", v.name)).collect();
                format!("one of {}", join_or(&names))
            }
            Some(Body::Enum(_)) => {
                let p = plain_name(name);
                format!("{} {p}", article(&p))
            }
            Some(Body::Struct { .. }) => {
                let p = plain_name(name);
                format!("{} {p} `(field: value, ...)`", article(&p))
            }
            _ => {
                let p = plain_name(name);
                format!("{} {p}", article(&p))
            }
        },
    }
}

fn plural(ty: &Ty) -> String {
    match ty {
        Ty::Int { .. } => "whole numbers".into(),
        Ty::Float => "numbers".into(),
        Ty::Bool => "true/false values".into(),
        Ty::Str => "texts".into(),
        Ty::Named(name) => {
            let p = plain_name(name);
            if p.ends_with('y') && !p.ends_with("ey") {
                format!("{}ies", &p[..p.len() - 1])
            } else if p.ends_with('s') {
                format!("{p}es")
            } else {
                format!("{p}s")
            }
        }
        Ty::Option(inner) => plural(inner),
        other => format!("values like {}", describe(other)),
    }
}

pub fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

/// `a, b, and c`.
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// Where a text value sits: the type and variant it belongs to and the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    pub owner: &'static str,
    pub variant: Option<&'static str>,
    pub slot: Slot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Field(&'static str),
    /// Position inside a tuple variant or tuple struct.
    Pos(usize),
    /// A key of the map held by this field.
    MapKey(&'static str),
    /// An element of the list held by this field (the `Field` of lists of texts).
    None,
}

/// A text value and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextSite {
    pub text: String,
    pub span: Span,
    pub site: Site,
    /// Index of the enclosing list item at the top of the file (e.g. which action).
    pub item: Option<usize>,
}

/// A number value and where it sits.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberSite {
    pub value: i128,
    pub span: Span,
    pub site: Site,
}

/// One step from the root of a file down to a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A field of a record (or of a variant written with fields).
    Field(&'static str, &'static str),
    /// Value `n` of a variant written with values: (type, variant, n).
    Pos(&'static str, &'static str, usize),
}

/// A unit variant of `Who` (e.g. `Target`) and the way down to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceholderSite {
    pub name: &'static str,
    pub span: Span,
    pub frames: Vec<Frame>,
    /// Index of the enclosing list item at the top of the file (e.g. which inject).
    pub item: Option<usize>,
}

/// A structural problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub suggestions: Vec<String>,
    pub help: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    UnknownField,
    UnknownVariant,
    MissingField,
    WrongType,
    DuplicateField,
    WrongCount,
    OutOfBounds,
}

/// Everything [`check`] found in one file.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub texts: Vec<TextSite>,
    pub numbers: Vec<NumberSite>,
    /// Every use of a context placeholder (a unit variant of the `Who` type such as `Target`).
    pub placeholders: Vec<PlaceholderSite>,
}

/// Checks a whole file against a model type (e.g. `ActionsFile`).
pub fn check(root: &Node, type_name: &'static str) -> Report {
    check_with(root, type_name, |_| None)
}

/// Like [`check`], with a way to name the id a text must be at a site (e.g.
/// "a rung id"), so a wrong value can say what belongs there.
pub fn check_with(
    root: &Node,
    type_name: &'static str,
    id_name: fn(&Site) -> Option<&'static str>,
) -> Report {
    let mut w = Walker {
        report: Report::default(),
        item: None,
        depth: 0,
        frames: Vec::new(),
        id_name,
        map_key: None,
    };
    let site = Site {
        owner: type_name,
        variant: None,
        slot: Slot::None,
    };
    w.value(root, &Ty::Named(type_name), site);
    w.report
}

struct Walker {
    frames: Vec<Frame>,
    id_name: fn(&Site) -> Option<&'static str>,
    report: Report,
    item: Option<usize>,
    depth: usize,
    /// While a map's value is walked: (owner, field, key), so a wrong value names its key.
    map_key: Option<(&'static str, &'static str, String)>,
}

/// Words for an integer value written as a decimal or a name, where the site says what it is.
fn whole_number_help(site: &Site, node: &NodeKind) -> Option<String> {
    let attribute_value = matches!(
        (site.owner, site.variant, site.slot),
        ("Actor", None, Slot::Field("attrs"))
            | ("Action", None, Slot::Field("cost"))
            | ("AttributeDef", None, Slot::Field("min" | "max" | "default"))
            | ("Effect", Some("AddAttr" | "SetAttr"), Slot::Pos(2))
    );
    match node {
        NodeKind::Float(f) if attribute_value => {
            let hundredths = (f * 100.0).round() as i64;
            Some(format!(
                "attribute values are whole numbers: to show decimals, declare `decimals: 2` on the attribute in scenario.ron and write every value in hundredths ({f} is written {hundredths}, shown as {})",
                super::model::format_decimal(hundredths, 2)
            ))
        }
        NodeKind::Float(f) => Some(format!(
            "numbers in scenario files are whole numbers: write {}",
            f.round() as i64
        )),
        NodeKind::Ident(n) if n == "None" && site.owner == "AttributeDef" => {
            Some("an attribute always has a minimum; only `max` may be `None` (no maximum)".into())
        }
        NodeKind::Ident(n) if n == "None" => Some(
            "`None` is only for values that may be left out; this one needs a whole number".into(),
        ),
        _ => None,
    }
}

fn suggestions<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    super::diagnostics::did_you_mean(wanted, names)
        .into_iter()
        .map(String::from)
        .collect()
}

impl Walker {
    fn problem(
        &mut self,
        kind: ProblemKind,
        span: Span,
        message: String,
        label: &str,
    ) -> &mut Problem {
        self.report.problems.push(Problem {
            kind,
            span,
            message,
            label: label.to_string(),
            suggestions: Vec::new(),
            help: Vec::new(),
        });
        self.report.problems.last_mut().expect("just pushed")
    }

    fn wrong_type(&mut self, node: &Node, ty: &Ty, what: &str) {
        let expected = describe(ty);
        let message = format!(
            "{what} should be {expected}, but this is {}",
            node.kind.describe()
        );
        let p = self.problem(
            ProblemKind::WrongType,
            node.span,
            message,
            "wrong kind of value",
        );
        if let (NodeKind::Ident(name), Ty::Str) = (&node.kind, ty) {
            p.help
                .push(format!("put the text in double quotes: \"{name}\""));
        }
        if let (NodeKind::Str(s), Ty::Named(name)) = (&node.kind, ty) {
            // A text where a kind is expected: wrap it in the variant that takes one text
            // (`Actor("russia")`), or drop the quotes from a kind name.
            let wrapper = lookup(name).and_then(|d| {
                d.variants()
                    .iter()
                    .find(|v| v.shape == Shape::Tuple(&[Ty::Str]))
            });
            let variants: Vec<&str> = lookup(name)
                .map(|d| d.variants().iter().map(|v| v.name).collect())
                .unwrap_or_default();
            let exact = variants.iter().find(|v| v.eq_ignore_ascii_case(s));
            match (wrapper, exact) {
                (_, Some(v)) => p
                    .help
                    .push(format!("names of kinds are written without quotes: {v}")),
                (Some(v), None) => p.help.push(format!("write {}({s:?})", v.name)),
                (None, None) => {
                    if let Some(h) = self_help(name, s) {
                        p.help.push(h);
                    }
                    let close = suggestions(s, variants.iter().copied());
                    let forms: Vec<String> = lookup(name)
                        .map(|d| {
                            d.variants()
                                .iter()
                                .map(|v| format!("`{}`", variant_form(v)))
                                .collect()
                        })
                        .unwrap_or_default();
                    if !forms.is_empty() && close.is_empty() {
                        p.help
                            .push(format!("write one of {}, without quotes", join_or(&forms)));
                    }
                    p.suggestions = close;
                }
            }
        }
        if let (NodeKind::Int(n), Ty::Named(name)) = (&node.kind, ty)
            && let Some(d) = lookup(name)
        {
            // A bare number where a comparison is expected (`Turn(14)`).
            let takes_number: Vec<&str> = d
                .variants()
                .iter()
                .filter(|v| matches!(v.shape, Shape::Tuple([Ty::Int { .. }])))
                .map(|v| v.name)
                .collect();
            if takes_number.len() > 1 {
                let forms: Vec<String> =
                    takes_number.iter().map(|v| format!("`{v}({n})`")).collect();
                p.help.push(format!(
                    "write a comparison such as {}: e.g. `{}Equals({n}))` for exactly {n}",
                    join_or(&forms),
                    what_prefix(what)
                ));
            }
        }
    }

    fn value(&mut self, node: &Node, ty: &Ty, site: Site) {
        self.depth += 1;
        if self.depth < 200 {
            self.value_inner(node, ty, site);
        }
        self.depth -= 1;
    }

    fn what(&self, site: &Site) -> String {
        if let (Some((owner, field, key)), Slot::Field(f)) = (&self.map_key, site.slot)
            && *owner == site.owner
            && *field == f
        {
            return format!("the value of \"{key}\" in `{f}`");
        }
        match (site.variant, site.slot) {
            (_, Slot::Field(f)) => format!("`{f}`"),
            (Some(v), Slot::Pos(i)) => format!("value {} of `{v}`", i + 1),
            (None, Slot::MapKey(f)) => format!("a key of `{f}`"),
            _ => "this value".into(),
        }
    }

    fn value_inner(&mut self, node: &Node, ty: &Ty, site: Site) {
        match ty {
            Ty::Int { signed, bits } => match node.kind {
                NodeKind::Int(n) => {
                    let (lo, hi): (i128, i128) = if *signed {
                        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
                    } else {
                        (0, (1i128 << bits) - 1)
                    };
                    if n < lo || n > hi {
                        let msg = if !signed && n < 0 {
                            format!("{} cannot be negative", self.what(&site))
                        } else {
                            format!("{} is too large", self.what(&site))
                        };
                        self.problem(ProblemKind::OutOfBounds, node.span, msg, "out of bounds");
                    } else {
                        self.report.numbers.push(NumberSite {
                            value: n,
                            span: node.span,
                            site,
                        });
                    }
                }
                _ => {
                    self.wrong_type(node, ty, &self.what(&site));
                    if let Some(help) = whole_number_help(&site, &node.kind) {
                        let p = self.report.problems.last_mut().expect("just pushed");
                        p.help.push(help);
                    }
                }
            },
            Ty::Float => {
                if !matches!(node.kind, NodeKind::Int(_) | NodeKind::Float(_)) {
                    self.wrong_type(node, ty, &self.what(&site));
                }
            }
            Ty::Bool => {
                if !matches!(node.kind, NodeKind::Bool(_)) {
                    self.wrong_type(node, ty, &self.what(&site));
                }
            }
            Ty::Str => match &node.kind {
                NodeKind::Str(s) => self.report.texts.push(TextSite {
                    text: s.clone(),
                    span: node.span,
                    site,
                    item: self.item,
                }),
                _ => match (self.id_name)(&site) {
                    Some(id) => {
                        let message = format!(
                            "{} should be {} {id} id in double quotes, but this is {}",
                            self.what(&site),
                            article(id),
                            node.kind.describe()
                        );
                        let p = self.problem(
                            ProblemKind::WrongType,
                            node.span,
                            message,
                            "wrong kind of value",
                        );
                        if let NodeKind::Ident(name) = &node.kind {
                            p.help
                                .push(format!("put the id in double quotes: \"{name}\""));
                        }
                    }
                    None => self.wrong_type(node, ty, &self.what(&site)),
                },
            },
            Ty::Unit => {
                if !matches!(node.kind, NodeKind::Unit) {
                    self.wrong_type(node, ty, &self.what(&site));
                }
            }
            Ty::Option(inner) => match &node.kind {
                NodeKind::Ident(n) if n == "None" => {}
                NodeKind::Tuple {
                    name: Some((n, _)),
                    items,
                } if n == "Some" && items.len() == 1 && !self.is_variant_named(inner, "Some") => {
                    self.value(&items[0], inner, site)
                }
                _ => self.value(node, inner, site),
            },
            Ty::List(inner) => match &node.kind {
                NodeKind::List(items) => {
                    let top = self.depth <= 3 && self.item.is_none();
                    for (i, item) in items.iter().enumerate() {
                        if top {
                            self.item = Some(i);
                        }
                        self.value(item, inner, site);
                    }
                    if top {
                        self.item = None;
                    }
                }
                _ => self.wrong_type(node, ty, &self.what(&site)),
            },
            Ty::Map(k, v) => match &node.kind {
                NodeKind::Map(entries) => {
                    let key_site = Site {
                        slot: match site.slot {
                            Slot::Field(f) => Slot::MapKey(f),
                            other => other,
                        },
                        ..site
                    };
                    for (key, value) in entries {
                        self.value(key, k, key_site);
                        let saved = self.map_key.take();
                        if let (NodeKind::Str(text), Slot::Field(f)) = (&key.kind, site.slot) {
                            self.map_key = Some((site.owner, f, text.clone()));
                        }
                        self.value(value, v, site);
                        self.map_key = saved;
                    }
                }
                _ => self.wrong_type(node, ty, &self.what(&site)),
            },
            Ty::Tuple(tys) => match &node.kind {
                NodeKind::Tuple { name: None, items } => {
                    self.items(node, items, tys, site, "(...)", "");
                }
                _ => self.wrong_type(node, ty, &self.what(&site)),
            },
            Ty::Unknown(_) => {}
            Ty::Named(name) => {
                let Some(def) = lookup(name) else { return };
                match def.body {
                    Body::Struct { fields, .. } => self.record(node, def, None, fields),
                    Body::TupleStruct(tys) => match &node.kind {
                        NodeKind::Tuple { items, .. } => {
                            let s = Site {
                                owner: def.name,
                                variant: None,
                                slot: Slot::Pos(0),
                            };
                            self.items(node, items, tys, s, def.name, def.doc);
                        }
                        _ => self.wrong_type(node, ty, &self.what(&site)),
                    },
                    Body::UnitStruct | Body::Unchecked => {}
                    Body::Enum(variants) => self.variant(node, def, variants, ty, site),
                }
            }
        }
    }

    fn is_variant_named(&self, ty: &Ty, name: &str) -> bool {
        matches!(ty, Ty::Named(t) if lookup(t).is_some_and(|d| d.variant(name).is_some()))
    }

    fn items(
        &mut self,
        node: &Node,
        items: &[Node],
        tys: &[Ty],
        site: Site,
        form: &str,
        doc: &str,
    ) {
        if items.len() != tys.len() {
            let msg = format!(
                "`{form}` takes {} value{}, but {} {} given",
                tys.len(),
                if tys.len() == 1 { "" } else { "s" },
                items.len(),
                if items.len() == 1 { "is" } else { "are" },
            );
            let p = self.problem(
                ProblemKind::WrongCount,
                node.span,
                msg,
                "wrong number of values",
            );
            let doc = doc.lines().next().unwrap_or("").trim_end_matches('.');
            if !doc.is_empty() {
                p.help
                    .push(format!("`{form}`: {}", doc.to_lowercase_first()));
            }
            // Every value is required: say which one is missing when only the last is.
            if items.len() + 1 == tys.len()
                && let Some(last @ Ty::List(_)) = tys.last()
            {
                p.help.push(format!(
                    "the last value is missing: {}; write `[]` if it should be empty",
                    describe(last)
                ));
            }
            // Values out of place would only produce confusing follow-up errors.
            return;
        }
        for (i, (item, ty)) in items.iter().zip(tys).enumerate() {
            let s = Site {
                slot: Slot::Pos(i),
                ..site
            };
            if let Some(v) = site.variant {
                self.frames.push(Frame::Pos(site.owner, v, i));
                self.value(item, ty, s);
                self.frames.pop();
            } else {
                self.value(item, ty, s);
            }
        }
    }

    fn record(
        &mut self,
        node: &Node,
        def: &'static TypeDef,
        variant: Option<&'static VariantDef>,
        fields: &'static [FieldDef],
    ) {
        let what = match variant {
            Some(v) => format!("`{}`", v.name),
            None => format!(
                "{} {}",
                article(&plain_name(def.name)),
                plain_name(def.name)
            ),
        };
        let given: &[super::spans::Field] = match &node.kind {
            NodeKind::Struct { fields, .. } => fields,
            NodeKind::Tuple { items, .. } if items.is_empty() => &[],
            NodeKind::Unit => &[],
            _ => {
                let message = format!(
                    "{what} should be written as `(field: value, ...)`, but this is {}",
                    node.kind.describe()
                );
                let p = self.problem(
                    ProblemKind::WrongType,
                    node.span,
                    message,
                    "expected fields",
                );
                let required: Vec<&str> = fields
                    .iter()
                    .filter(|f| f.default == Default::Required)
                    .map(|f| f.name)
                    .collect();
                if !required.is_empty() {
                    p.help.push(format!("it needs: {}", required.join(", ")));
                }
                return;
            }
        };
        if variant.is_none()
            && let (Some(name), Some(span)) = (node.name(), node.name_span())
            && name != def.name
        {
            let msg = format!("{what} is written `(field: value, ...)` with no name in front");
            let p = self.problem(ProblemKind::WrongType, span, msg, "remove this name");
            let sugg = suggestions(name, fields.iter().map(|d| d.name));
            if !sugg.is_empty() {
                p.help.push(format!(
                    "if `{name}` is a field, write `{name}: ...` inside the parentheses"
                ));
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for f in given {
            if seen.contains(&f.name.as_str()) {
                let msg = format!("the field `{}` is written twice", f.name);
                self.problem(
                    ProblemKind::DuplicateField,
                    f.name_span,
                    msg,
                    "written again here",
                )
                .help
                .push("keep one of the two".into());
                continue;
            }
            seen.push(&f.name);
            match fields.iter().find(|d| d.name == f.name) {
                Some(d) => {
                    let s = Site {
                        owner: def.name,
                        variant: variant.map(|v| v.name),
                        slot: Slot::Field(d.name),
                    };
                    self.frames.push(Frame::Field(def.name, d.name));
                    self.value(&f.value, &d.ty, s);
                    self.frames.pop();
                }
                None => {
                    let msg = format!("{what} has no field named `{}`", f.name);
                    let sugg = suggestions(&f.name, fields.iter().map(|d| d.name));
                    let p =
                        self.problem(ProblemKind::UnknownField, f.name_span, msg, "unknown field");
                    p.suggestions = sugg;
                    if p.suggestions.is_empty() {
                        let names: Vec<String> =
                            fields.iter().map(|d| format!("`{}`", d.name)).collect();
                        p.help.push(format!("the fields are {}", join_or(&names)));
                    }
                }
            }
        }
        // A misspelt field already says "did you mean": do not also call the real one missing.
        let suggested: Vec<String> = self
            .report
            .problems
            .iter()
            .filter(|p| {
                p.kind == ProblemKind::UnknownField
                    && p.span.start >= node.span.start
                    && p.span.end <= node.span.end
            })
            .flat_map(|p| p.suggestions.iter().cloned())
            .collect();
        let missing: Vec<&FieldDef> = fields
            .iter()
            .filter(|d| d.default == Default::Required && !seen.contains(&d.name))
            .filter(|d| !suggested.iter().any(|s| s == d.name))
            .collect();
        for d in missing {
            let msg = format!("{what} is missing the field `{}`", d.name);
            // Point at the opening of the record (its name if it has one).
            let span = node
                .name_span()
                .unwrap_or(Span::new(node.span.start, node.span.start + 1));
            let p = self.problem(ProblemKind::MissingField, span, msg, "");
            p.label = format!("`{}` is missing here", d.name);
            p.help
                .push(format!("add `{}: ...`, {}", d.name, describe(&d.ty)));
            // The field's own doc line, when it says more than its name.
            let doc = d.doc.lines().next().unwrap_or("").trim_end_matches('.');
            if doc.split_whitespace().count() > 2 {
                p.help
                    .push(format!("`{}`: {}", d.name, doc.to_lowercase_first()));
            }
        }
    }

    fn variant(
        &mut self,
        node: &Node,
        def: &'static TypeDef,
        variants: &'static [VariantDef],
        ty: &Ty,
        site: Site,
    ) {
        let (name, name_span) = match (&node.kind, node.name(), node.name_span()) {
            (NodeKind::Str(s), _, _) => {
                // A quoted variant: say how to write it.
                if let Some(v) = variants.iter().find(|v| v.name == s.as_str()) {
                    let msg = format!("{} should be written without quotes", self.what(&site));
                    let p =
                        self.problem(ProblemKind::WrongType, node.span, msg, "remove the quotes");
                    p.help.push(format!("write {}", variant_form(v)));
                } else {
                    self.wrong_type(node, ty, &self.what(&site));
                }
                return;
            }
            (_, Some(n), Some(s)) => (n.to_string(), s),
            _ => {
                self.wrong_type(node, ty, &self.what(&site));
                return;
            }
        };
        let Some(v) = variants.iter().find(|v| v.name == name) else {
            let kind = plain_name(def.name);
            let msg = format!("`{name}` is not {} {kind}", article(&kind));
            let sugg = suggestions(&name, variants.iter().map(|v| v.name));
            let p = self.problem(ProblemKind::UnknownVariant, name_span, msg, "unknown name");
            p.suggestions = sugg;
            if let Some(h) = self_help(def.name, &name) {
                p.help.push(h);
            }
            if p.suggestions.is_empty() {
                let names: Vec<String> = variants.iter().map(|v| format!("`{}`", v.name)).collect();
                p.help.push(format!("write one of {}", join_or(&names)));
            }
            return;
        };
        match (v.shape, &node.kind) {
            (Shape::Unit, NodeKind::Ident(_)) => {
                if def.name == "Who" {
                    self.report.placeholders.push(PlaceholderSite {
                        name: v.name,
                        span: node.span,
                        frames: self.frames.clone(),
                        item: self.item,
                    });
                }
            }
            (Shape::Unit, _) => {
                let msg = format!("`{}` takes no values", v.name);
                let p = self.problem(
                    ProblemKind::WrongCount,
                    node.span,
                    msg,
                    "remove the parentheses",
                );
                p.help.push(format!("write just {}", v.name));
            }
            (Shape::Tuple(tys), NodeKind::Tuple { items, .. }) => {
                let s = Site {
                    owner: def.name,
                    variant: Some(v.name),
                    slot: Slot::Pos(0),
                };
                self.items(node, items, tys, s, &variant_form(v), v.doc);
            }
            (Shape::Struct(fields), NodeKind::Struct { .. } | NodeKind::Tuple { .. }) => {
                self.record(node, def, Some(v), fields);
            }
            (_, _) => {
                let msg = format!("`{}` needs values: write {}", v.name, variant_form(v));
                self.problem(ProblemKind::WrongCount, node.span, msg, "values missing");
            }
        }
    }
}

/// `Turn(` for "value 1 of `Turn`" (the form a fixed value goes in), else nothing.
fn what_prefix(what: &str) -> String {
    match what
        .strip_prefix("value 1 of `")
        .and_then(|r| r.strip_suffix('`'))
    {
        Some(variant) => format!("{variant}("),
        None => String::new(),
    }
}

/// What to write for an actor's own self, which the format names by context.
fn self_help(ty: &str, text: &str) -> Option<String> {
    if !matches!(
        text.to_lowercase().as_str(),
        "self" | "me" | "myself" | "itself" | "acting"
    ) {
        return None;
    }
    match ty {
        "TargetKind" => Some(
            "an action's target is another actor (`Actor(AnyOther)`, `Actor(Side(\"..\"))`, …); for an action on the acting actor itself, leave `target` out (it is `None`) and write `Acting` in its effects".into(),
        ),
        "Who" => Some("the actor taking the action is written `Acting`, without quotes".into()),
        _ => None,
    }
}

trait LowerFirst {
    fn to_lowercase_first(&self) -> String;
}

impl LowerFirst for str {
    fn to_lowercase_first(&self) -> String {
        let mut c = self.chars();
        match c.next() {
            // Keep acronyms and names ("UN", "Kahn") as written.
            Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => {
                f.to_lowercase().chain(c).collect()
            }
            Some(f) => std::iter::once(f).chain(c).collect(),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spans::parse;

    fn problems(text: &str, ty: &'static str) -> Vec<(ProblemKind, String, String, Vec<String>)> {
        let root = parse(text).unwrap();
        check(&root, ty)
            .problems
            .into_iter()
            .map(|p| {
                let at = text[p.span.start..p.span.end].to_string();
                (p.kind, at, p.message, p.suggestions)
            })
            .collect()
    }

    #[test]
    fn the_table_describes_the_model() {
        for name in [
            "ScenarioFile",
            "ActorsFile",
            "Action",
            "Condition",
            "Effect",
            "Who",
        ] {
            assert!(
                lookup(name).is_some(),
                "{name} missing from the schema table"
            );
        }
        let action = lookup("Action").unwrap();
        let chance = action.fields().iter().find(|f| f.name == "chance").unwrap();
        assert_eq!(chance.default, Default::Value("100"));
        assert_eq!(
            chance.ty,
            Ty::Int {
                signed: true,
                bits: 32
            }
        );
        let by = action.fields().iter().find(|f| f.name == "by").unwrap();
        assert_eq!(by.default, Default::Value("Any"));
        assert!(!chance.doc.is_empty());
        assert!(MODULE_DOC.contains("scenario.ron"));
        let cond = lookup("Condition").unwrap();
        assert!(matches!(
            cond.variant("Not").unwrap().shape,
            Shape::Tuple([Ty::Named("Condition")])
        ));
    }

    #[test]
    fn reports_every_structural_problem_at_once() {
        let text = r#"(actions: [
            (id: "a", name: "A", domian: Cyber, intent: Offensive, rung: "r", visibility: Covert),
            (id: "b", name: "B", domain: Cyber, intent: Ofensive, rung: "r", visibility: Covert,
             chance: "high", on_success: [AddAttr(Acting, "x")]),
            (id: "c", name: "C", domain: Cyber, intent: Offensive, rung: 3, visibility: "Covert"),
        ])"#;
        let got = problems(text, "ActionsFile");
        let kinds: Vec<_> = got.iter().map(|g| (g.0, g.1.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (ProblemKind::UnknownField, "domian"),
                (ProblemKind::UnknownVariant, "Ofensive"),
                (ProblemKind::WrongType, "\"high\""),
                (ProblemKind::WrongCount, "AddAttr(Acting, \"x\")"),
                (ProblemKind::WrongType, "3"),
                (ProblemKind::WrongType, "\"Covert\""),
            ]
        );
        assert_eq!(got[0].3, vec!["domain".to_string()]);
        assert_eq!(got[0].2, "an action has no field named `domian`");
        assert_eq!(got[1].3, vec!["Offensive".to_string()]);
        assert_eq!(got[1].2, "`Ofensive` is not an intent");
        assert_eq!(
            got[2].2,
            "`chance` should be a whole number, but this is a text in quotes"
        );
        assert_eq!(
            got[3].2,
            "`AddAttr(…, …, …)` takes 3 values, but 2 are given"
        );
        assert_eq!(got[5].2, "`visibility` should be written without quotes");
        let text = r#"(id: "a", name: "A", intent: Offensive, rung: "r", visibility: Covert)"#;
        let got = problems(text, "Action");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, ProblemKind::MissingField);
        assert_eq!(got[0].2, "an action is missing the field `domain`");
    }

    #[test]
    fn options_accept_some_none_and_bare_values() {
        let text = r#"(id: "e", name: "E", priority: 1, when: Some(Turn(AtLeast(3))))"#;
        assert!(problems(text, "Ending").is_empty());
        let text = r#"(id: "e", name: "E", priority: 1, when: Turn(AtLeast(3)))"#;
        assert!(problems(text, "Ending").is_empty());
        let text = r#"(id: "e", name: "E", priority: 1, when: None)"#;
        assert!(problems(text, "Ending").is_empty());
        let text = r#"(id: "e", name: "E", priority: 1, when: Trun(AtLeast(3)))"#;
        let got = problems(text, "Ending");
        assert_eq!(got[0].3, vec!["Turn".to_string()]);
    }

    #[test]
    fn records_texts_with_their_site() {
        let text = r#"(id: "i", headline: "H", when: Condition(ActionTaken(by: Actor("us"), action: "ddos")))"#;
        let root = parse(text).unwrap();
        let report = check(&root, "Inject");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let sites: Vec<(&str, Site)> = report
            .texts
            .iter()
            .map(|t| (t.text.as_str(), t.site))
            .collect();
        assert_eq!(
            sites[2],
            (
                "us",
                Site {
                    owner: "Who",
                    variant: Some("Actor"),
                    slot: Slot::Pos(0)
                }
            )
        );
        assert_eq!(
            sites[3],
            (
                "ddos",
                Site {
                    owner: "Condition",
                    variant: Some("ActionTaken"),
                    slot: Slot::Field("action")
                }
            )
        );
    }

    #[test]
    fn a_text_where_an_actor_is_expected_gets_wrapped() {
        let root = parse(
            r#"(id: "x", owner: "a", name: "N", trigger: Always, culprits: "russia",
            response: (min_rung: "r", max_rung: "r"), credibility: 50)"#,
        )
        .unwrap();
        let report = check(&root, "RedLine");
        assert_eq!(report.problems.len(), 1);
        let p = &report.problems[0];
        assert_eq!(
            p.message,
            "`culprits` should be an actor or group of actors, but this is a text in quotes"
        );
        assert_eq!(p.help, vec!["write Actor(\"russia\")".to_string()]);
    }

    #[test]
    fn unsigned_numbers_and_plain_words() {
        let text = r#"(label: "x", weight: -1)"#;
        let got = problems(text, "InjectChoice");
        assert_eq!(got[0].2, "`weight` cannot be negative");
        assert_eq!(
            describe(&Ty::List(&Ty::Named("Effect"))),
            "a list `[...]` of effects"
        );
        assert_eq!(
            describe(&Ty::Named("Visibility")),
            "one of `Overt`, `Covert`, or `Deniable`"
        );
        assert_eq!(plain_name("InjectWhen"), "inject timing");
        assert_eq!(plain_name("ChanceModifier"), "chance modifier");
    }
}
