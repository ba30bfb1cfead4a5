//! Reads the scenario data model (`src/scenario/model.rs`) and writes a schema
//! table — every struct, enum, field, variant, default value and doc comment —
//! to `$OUT_DIR/schema_table.rs`. The validator uses it to check files against
//! the format (reporting every unknown field at once, with positions), and
//! `grayzone docs` renders the scenario format reference from it, so the
//! reference always says what the code says.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use quote::ToTokens;

const MODEL: &str = "src/scenario/model.rs";

fn main() {
    println!("cargo:rerun-if-changed={MODEL}");
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let source = std::fs::read_to_string(MODEL).unwrap_or_default();
    let table = match syn::parse_file(&source) {
        Ok(file) => generate(&file),
        Err(e) => panic!("{MODEL} does not parse: {e}"),
    };
    std::fs::write(Path::new(&out_dir).join("schema_table.rs"), table)
        .expect("OUT_DIR is writable");
}

thread_local! {
    /// The model's type aliases: name → (what it stands for, doc comment).
    static ALIASES: std::cell::RefCell<BTreeMap<String, (syn::Type, String)>> =
        std::cell::RefCell::default();
}

/// The last path segment's name and type arguments of a type.
fn path_parts(ty: &syn::Type) -> Option<(String, Vec<syn::Type>)> {
    let syn::Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((seg.ident.to_string(), args))
}

/// What a (non-generic) alias of the model stands for.
fn alias_target(ty: &syn::Type) -> Option<syn::Type> {
    let (name, args) = path_parts(ty)?;
    if !args.is_empty() {
        return None;
    }
    ALIASES.with(|a| a.borrow().get(&name).map(|(t, _)| t.clone()))
}

/// What an alias means to the validator.
enum Meaning {
    /// Names an id of this `RefKind` variant.
    Id(String),
    /// Free text.
    Text,
    /// A whole number in this range.
    Range(i64, i64),
}

fn meaning(alias: &str) -> Option<Meaning> {
    let (target, doc) = ALIASES.with(|a| a.borrow().get(alias).cloned())?;
    let (base, _) = path_parts(&target)?;
    match base.as_str() {
        "String" => Some(match alias.strip_suffix("Id") {
            Some(kind) if !kind.is_empty() => Meaning::Id(kind.to_string()),
            _ => Meaning::Text,
        }),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => {
            let range = doc
                .lines()
                .find_map(|l| l.trim().strip_prefix("Range:"))
                .unwrap_or_else(|| {
                    panic!("{MODEL}: the number type `{alias}` needs a doc line `Range: lo..=hi`")
                });
            let (lo, hi) = range
                .trim()
                .trim_end_matches('.')
                .split_once("..=")
                .unwrap_or_else(|| panic!("{MODEL}: `{alias}`: write `Range: lo..=hi`"));
            let num = |t: &str| {
                t.trim()
                    .replace('_', "")
                    .parse::<i64>()
                    .unwrap_or_else(|_| panic!("{MODEL}: `{alias}`: `{t}` is not a number"))
            };
            Some(Meaning::Range(num(lo), num(hi)))
        }
        _ => None,
    }
}

/// A slot as the validator's walker sees it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SlotAt {
    Field(String),
    Pos(usize),
    MapKey(String),
}

impl SlotAt {
    fn expr(&self) -> String {
        match self {
            SlotAt::Field(f) => format!("Slot::Field({f:?})"),
            SlotAt::Pos(i) => format!("Slot::Pos({i})"),
            SlotAt::MapKey(f) => format!("Slot::MapKey({f:?})"),
        }
    }
}

/// Where a value sits: (type, variant, slot).
type SiteKey = (String, Option<String>, SlotAt);

/// Everything the types say about texts and numbers, by site.
#[derive(Default)]
struct Slots {
    /// site → (id kind, defines)
    ids: BTreeMap<SiteKey, (String, bool)>,
    /// site → (alias, lo, hi)
    ranges: BTreeMap<SiteKey, (String, i64, i64)>,
    /// Bare texts and numbers: (site, the type written).
    unclassified: Vec<(SiteKey, String)>,
}

impl Slots {
    /// Records what `ty`, sitting at (owner, variant, slot), says about its texts and numbers,
    /// following the walker: lists and options keep the site, map keys sit at `MapKey`, tuple
    /// items at their position.
    fn classify(
        &mut self,
        ty: &syn::Type,
        owner: &str,
        variant: Option<&str>,
        slot: &SlotAt,
        defines: bool,
    ) {
        let site = (owner.to_string(), variant.map(str::to_string), slot.clone());
        if let syn::Type::Tuple(t) = ty {
            for (i, item) in t.elems.iter().enumerate() {
                self.classify(item, owner, variant, &SlotAt::Pos(i), false);
            }
            return;
        }
        let Some((name, args)) = path_parts(ty) else {
            return;
        };
        match (name.as_str(), args.as_slice()) {
            ("Def", [t]) => self.classify(t, owner, variant, slot, true),
            ("Vec" | "Option" | "Box", [t]) => self.classify(t, owner, variant, slot, defines),
            ("BTreeMap" | "HashMap", [k, v]) => {
                let key_slot = match slot {
                    SlotAt::Field(f) => SlotAt::MapKey(f.clone()),
                    other => other.clone(),
                };
                self.classify(k, owner, variant, &key_slot, false);
                self.classify(v, owner, variant, slot, false);
            }
            ("String" | "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64", []) => {
                self.unclassified.push((site, name));
            }
            (alias, []) => {
                let old = match meaning(alias) {
                    Some(Meaning::Id(kind)) => {
                        self.ids.insert(site.clone(), (kind, defines)).is_some()
                    }
                    Some(Meaning::Range(lo, hi)) => self
                        .ranges
                        .insert(site.clone(), (alias.to_string(), lo, hi))
                        .is_some(),
                    Some(Meaning::Text) | None => false,
                };
                assert!(
                    !old,
                    "{MODEL}: two values at {owner} {variant:?} share one site; the validator cannot tell them apart"
                );
                if defines && !matches!(meaning(alias), Some(Meaning::Id(_))) {
                    panic!("{MODEL}: `Def<{alias}>`: only id types (`...Id`) can be defined");
                }
            }
            _ => {}
        }
    }

    fn site_expr((owner, variant, slot): &SiteKey) -> String {
        format!(
            "Site {{ owner: {owner:?}, variant: {variant:?}, slot: {} }}",
            slot.expr()
        )
    }

    fn write(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "/// Every place where a text names (or defines) an id, from the model's id types."
        );
        let _ = writeln!(out, "pub static IDS: &[IdSlot] = &[");
        for (site, (kind, defines)) in &self.ids {
            let _ = writeln!(
                out,
                "    IdSlot {{ site: {}, kind: RefKind::{kind}, defines: {defines} }},",
                Self::site_expr(site)
            );
        }
        let _ = writeln!(out, "];");
        let _ = writeln!(
            out,
            "/// Every number with a declared range, from the model's number types."
        );
        let _ = writeln!(out, "pub static RANGES: &[RangeSlot] = &[");
        for (site, (alias, lo, hi)) in &self.ranges {
            let _ = writeln!(
                out,
                "    RangeSlot {{ site: {}, alias: {alias:?}, lo: {lo}, hi: {hi} }},",
                Self::site_expr(site)
            );
        }
        let _ = writeln!(out, "];");
        let _ = writeln!(
            out,
            "/// Texts and numbers written with a bare type (no id, text or range type): should be none."
        );
        let _ = writeln!(out, "pub static UNCLASSIFIED: &[(Site, &str)] = &[");
        for (site, ty) in &self.unclassified {
            let _ = writeln!(out, "    ({}, {ty:?}),", Self::site_expr(site));
        }
        let _ = writeln!(out, "];");
    }
}

fn write_aliases(out: &mut String) {
    let _ = writeln!(
        out,
        "/// The model's value types (aliases) and what each means."
    );
    let _ = writeln!(out, "pub static ALIASES: &[AliasDef] = &[");
    let names: Vec<(String, String)> = ALIASES.with(|a| {
        a.borrow()
            .iter()
            .map(|(n, (_, d))| (n.clone(), d.clone()))
            .collect()
    });
    for (name, doc) in names {
        let meaning = match meaning(&name) {
            Some(Meaning::Id(kind)) => format!("AliasMeaning::Id(RefKind::{kind})"),
            Some(Meaning::Text) => "AliasMeaning::Text".to_string(),
            Some(Meaning::Range(lo, hi)) => format!("AliasMeaning::Range({lo}, {hi})"),
            None => continue,
        };
        let doc: Vec<&str> = doc.lines().filter(|l| !l.starts_with("Range:")).collect();
        let _ = writeln!(
            out,
            "    AliasDef {{ name: {name:?}, doc: {:?}, meaning: {meaning} }},",
            doc.join("\n")
        );
    }
    let _ = writeln!(out, "];");
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            let line = s.value();
            lines.push(line.strip_prefix(' ').unwrap_or(&line).to_string());
        }
    }
    lines.join("\n")
}

#[derive(Default)]
struct SerdeAttrs {
    deny_unknown: bool,
    /// `Some("")` for `#[serde(default)]`, `Some(fn)` for `default = "fn"`.
    default: Option<String>,
    /// Something this table does not model (rename, flatten, untagged, …).
    unsupported: bool,
}

fn serde_attrs(attrs: &[syn::Attribute]) -> SerdeAttrs {
    let mut out = SerdeAttrs::default();
    for attr in attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                out.deny_unknown = true;
            } else if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    let s: syn::LitStr = meta.value()?.parse()?;
                    out.default = Some(s.value());
                } else {
                    out.default = Some(String::new());
                }
            } else {
                out.unsupported = true;
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
            }
            Ok(())
        });
    }
    out
}

fn derives_deserialize(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive") && a.to_token_stream().to_string().contains("Deserialize")
    })
}

/// Renders a type as a `Ty` constructor expression (aliases resolved to what they stand for).
fn ty_expr(ty: &syn::Type) -> String {
    if let Some(target) = alias_target(ty) {
        return ty_expr(&target);
    }
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let seg = p.path.segments.last().expect("a path has a segment");
            let name = seg.ident.to_string();
            let args: Vec<&syn::Type> = match &seg.arguments {
                syn::PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|g| match g {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            match (name.as_str(), args.as_slice()) {
                ("i8" | "i16" | "i32" | "i64" | "isize", []) => {
                    format!("Ty::Int {{ signed: true, bits: {} }}", int_bits(&name))
                }
                ("u8" | "u16" | "u32" | "u64" | "usize", []) => {
                    format!("Ty::Int {{ signed: false, bits: {} }}", int_bits(&name))
                }
                ("f32" | "f64", []) => "Ty::Float".into(),
                ("bool", []) => "Ty::Bool".into(),
                ("String", []) => "Ty::Str".into(),
                ("Vec", [t]) => format!("Ty::List(&{})", ty_expr(t)),
                ("Option", [t]) => format!("Ty::Option(&{})", ty_expr(t)),
                ("Box" | "Def", [t]) => ty_expr(t),
                ("BTreeMap" | "HashMap", [k, v]) => {
                    format!("Ty::Map(&{}, &{})", ty_expr(k), ty_expr(v))
                }
                (_, []) => format!("Ty::Named({name:?})"),
                _ => format!("Ty::Unknown({:?})", ty.to_token_stream().to_string()),
            }
        }
        syn::Type::Tuple(t) if t.elems.is_empty() => "Ty::Unit".into(),
        syn::Type::Tuple(t) => {
            let items: Vec<String> = t.elems.iter().map(ty_expr).collect();
            format!("Ty::Tuple(&[{}])", items.join(", "))
        }
        other => format!("Ty::Unknown({:?})", other.to_token_stream().to_string()),
    }
}

fn int_bits(name: &str) -> u32 {
    match name {
        "i8" | "u8" => 8,
        "i16" | "u16" => 16,
        "i32" | "u32" => 32,
        _ => 64,
    }
}

/// A default-value function's body as RON text, e.g. `100`, `"turn"`, `Any`.
fn default_text(body: &syn::Block) -> String {
    let text = match body.stmts.as_slice() {
        [syn::Stmt::Expr(e, None)] => e.to_token_stream().to_string(),
        _ => body.to_token_stream().to_string(),
    };
    let mut t = text
        .replace(" . ", ".")
        .replace(" :: ", "::")
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")");
    for suffix in [".to_string()", ".into()", ".to_owned()"] {
        t = t.replace(suffix, "");
    }
    // `Who::AnyOther` is written `AnyOther` in RON.
    if let Some((_, variant)) = t.rsplit_once("::") {
        t = variant.to_string();
    }
    t
}

fn field_expr(field: &syn::Field, name: String, fns: &BTreeMap<String, String>) -> String {
    let serde = serde_attrs(&field.attrs);
    let default = match &serde.default {
        None => "Default::Required".to_string(),
        Some(f) if f.is_empty() => "Default::Type".to_string(),
        Some(f) => format!(
            "Default::Value({:?})",
            fns.get(f).cloned().unwrap_or_else(|| f.clone())
        ),
    };
    format!(
        "FieldDef {{ name: {name:?}, doc: {:?}, ty: {}, default: {default} }}",
        doc_of(&field.attrs),
        ty_expr(&field.ty)
    )
}

fn generate(file: &syn::File) -> String {
    ALIASES.with(|a| {
        let mut a = a.borrow_mut();
        for item in &file.items {
            if let syn::Item::Type(t) = item
                && t.generics.params.is_empty()
            {
                a.insert(t.ident.to_string(), ((*t.ty).clone(), doc_of(&t.attrs)));
            }
        }
    });
    let mut slots = Slots::default();
    let mut fns = BTreeMap::new();
    for item in &file.items {
        if let syn::Item::Fn(f) = item
            && f.sig.inputs.is_empty()
        {
            fns.insert(f.sig.ident.to_string(), default_text(&f.block));
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "/// The model module's own documentation.");
    let _ = writeln!(
        out,
        "pub static MODULE_DOC: &str = {:?};",
        doc_of(&file.attrs)
    );
    let _ = writeln!(
        out,
        "/// Every type of the scenario model, in source order."
    );
    let _ = writeln!(out, "pub static TYPES: &[TypeDef] = &[");
    let mut names: Vec<String> = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if derives_deserialize(&s.attrs) => {
                let serde = serde_attrs(&s.attrs);
                let owner = s.ident.to_string();
                for (i, f) in s.fields.iter().enumerate() {
                    let slot = match &f.ident {
                        Some(name) => SlotAt::Field(name.to_string()),
                        None => SlotAt::Pos(i),
                    };
                    slots.classify(&f.ty, &owner, None, &slot, false);
                }
                let body = match &s.fields {
                    syn::Fields::Named(named) => {
                        let fields: Vec<String> = named
                            .named
                            .iter()
                            .map(|f| {
                                field_expr(f, f.ident.as_ref().expect("named").to_string(), &fns)
                            })
                            .collect();
                        format!(
                            "Body::Struct {{ deny_unknown: {}, fields: &[{}] }}",
                            serde.deny_unknown,
                            fields.join(", ")
                        )
                    }
                    syn::Fields::Unnamed(u) => {
                        let items: Vec<String> = u.unnamed.iter().map(|f| ty_expr(&f.ty)).collect();
                        format!("Body::TupleStruct(&[{}])", items.join(", "))
                    }
                    syn::Fields::Unit => "Body::UnitStruct".into(),
                };
                let body = if serde.unsupported || serde.default.is_some() {
                    "Body::Unchecked".into()
                } else {
                    body
                };
                let _ = writeln!(
                    out,
                    "    TypeDef {{ name: {:?}, doc: {:?}, body: {body} }},",
                    s.ident.to_string(),
                    doc_of(&s.attrs)
                );
                names.push(s.ident.to_string());
            }
            syn::Item::Enum(e) if derives_deserialize(&e.attrs) => {
                let serde = serde_attrs(&e.attrs);
                let mut variants = Vec::new();
                let mut unsupported = serde.unsupported;
                for v in &e.variants {
                    unsupported |= serde_attrs(&v.attrs).unsupported;
                    let (owner, variant) = (e.ident.to_string(), v.ident.to_string());
                    for (i, f) in v.fields.iter().enumerate() {
                        let slot = match &f.ident {
                            Some(name) => SlotAt::Field(name.to_string()),
                            None => SlotAt::Pos(i),
                        };
                        slots.classify(&f.ty, &owner, Some(&variant), &slot, false);
                    }
                    let shape = match &v.fields {
                        syn::Fields::Unit => "Shape::Unit".to_string(),
                        syn::Fields::Unnamed(u) => {
                            let items: Vec<String> =
                                u.unnamed.iter().map(|f| ty_expr(&f.ty)).collect();
                            format!("Shape::Tuple(&[{}])", items.join(", "))
                        }
                        syn::Fields::Named(named) => {
                            let fields: Vec<String> = named
                                .named
                                .iter()
                                .map(|f| {
                                    field_expr(
                                        f,
                                        f.ident.as_ref().expect("named").to_string(),
                                        &fns,
                                    )
                                })
                                .collect();
                            format!("Shape::Struct(&[{}])", fields.join(", "))
                        }
                    };
                    variants.push(format!(
                        "VariantDef {{ name: {:?}, doc: {:?}, shape: {shape} }}",
                        v.ident.to_string(),
                        doc_of(&v.attrs)
                    ));
                }
                let body = if unsupported {
                    "Body::Unchecked".to_string()
                } else {
                    format!("Body::Enum(&[{}])", variants.join(", "))
                };
                let _ = writeln!(
                    out,
                    "    TypeDef {{ name: {:?}, doc: {:?}, body: {body} }},",
                    e.ident.to_string(),
                    doc_of(&e.attrs)
                );
                names.push(e.ident.to_string());
            }
            _ => {}
        }
    }
    let _ = writeln!(out, "];");
    // Position of each type in TYPES, as a `match` (the validator looks types up a lot).
    let _ = writeln!(out, "/// Position of a type in [`TYPES`].");
    let _ = writeln!(out, "pub fn type_position(name: &str) -> Option<usize> {{");
    let _ = writeln!(out, "    match name {{");
    for (i, name) in names.iter().enumerate() {
        let _ = writeln!(out, "        {name:?} => Some({i}),");
    }
    let _ = writeln!(out, "        _ => None,\n    }}\n}}");
    slots.write(&mut out);
    write_aliases(&mut out);
    out
}
