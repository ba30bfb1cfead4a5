//! Diagnostics: what the validator tells a scenario author, rendered like
//! rustc (code, severity, `--> file:line:col`, the source line, a caret under
//! the offending value, `help:` lines) or as JSON for tools.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::spans::{Source, Span};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The scenario cannot be played.
    Error,
    /// The scenario plays, but probably not as the author meant.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file's name as shown to the author (the path given on the command line).
    pub file: String,
    pub span: Span,
}

/// A second place worth showing, e.g. where a duplicate id was first defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub location: Location,
    pub message: String,
}

/// One problem found in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `E102`.
    pub code: &'static str,
    pub severity: Severity,
    /// One plain-English sentence.
    pub message: String,
    /// Where it is, when it is somewhere in particular.
    pub location: Option<Location>,
    /// Short text printed beside the caret.
    pub label: Option<String>,
    /// Other places worth showing.
    pub notes: Vec<Note>,
    /// Up to three replacements the author probably meant.
    pub suggestions: Vec<Suggestion>,
    /// Further advice, one line each.
    pub help: Vec<String>,
}

/// A "did you mean" candidate, optionally with where it is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub text: String,
    /// e.g. `actions.ron:3`.
    pub defined_at: Option<String>,
}

impl Diagnostic {
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            location: None,
            label: None,
            notes: Vec::new(),
            suggestions: Vec::new(),
            help: Vec::new(),
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    pub fn at(mut self, file: impl Into<String>, span: Span) -> Self {
        self.location = Some(Location {
            file: file.into(),
            span,
        });
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn note(mut self, file: impl Into<String>, span: Span, message: impl Into<String>) -> Self {
        self.notes.push(Note {
            location: Location {
                file: file.into(),
                span,
            },
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    pub fn suggest(mut self, suggestions: Vec<Suggestion>) -> Self {
        self.suggestions = suggestions;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The source texts diagnostics point into, by file name.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: BTreeMap<String, Source>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, source: Source) {
        self.files.insert(source.name.clone(), source);
    }

    /// Adds every source of `other`.
    pub fn extend(&mut self, other: Sources) {
        self.files.extend(other.files);
    }

    pub fn get(&self, name: &str) -> Option<&Source> {
        self.files.get(name)
    }

    /// 1-based line and column of a location, when its file is known.
    pub fn line_col(&self, loc: &Location) -> Option<(usize, usize)> {
        self.get(&loc.file).map(|s| s.line_col(loc.span.start))
    }
}

/// How many leading characters of two ids did-you-mean compares: the cost of an edit
/// distance is length × length, so a megabyte-long id must not be compared in full.
pub const MAX_COMPARED_CHARS: usize = 64;

/// Candidates within a small edit distance of `wanted`, best first, at most three.
///
/// Stays fast whatever the lengths: candidates whose length differs from `wanted` by more
/// than the allowed distance are skipped without computing it (the distance is at least the
/// length difference), and at most [`MAX_COMPARED_CHARS`] characters of each are compared.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    did_you_mean_with(wanted, candidates, &mut |a, b| {
        strsim::damerau_levenshtein(a, b)
    })
}

fn head_lower(text: &str) -> String {
    text.chars()
        .take(MAX_COMPARED_CHARS)
        .collect::<String>()
        .to_lowercase()
}

fn did_you_mean_with<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    distance: &mut impl FnMut(&str, &str) -> usize,
) -> Vec<&'a str> {
    let wanted_lower = head_lower(wanted);
    let wanted_len = wanted.chars().count();
    // (distance, is a prefix match, candidate)
    let mut scored: Vec<(usize, bool, &str)> = candidates
        .into_iter()
        .filter(|c| *c != wanted)
        .filter_map(|c| {
            let lower = head_lower(c);
            let c_len = c.chars().count();
            let len = wanted_len.max(c_len);
            // Allow roughly one edit per three characters, at least one.
            let limit = (len / 3).max(1);
            let prefix = wanted.len() >= 3
                && c.len() >= 3
                && (lower.starts_with(&wanted_lower) || wanted_lower.starts_with(&lower));
            if wanted_len.abs_diff(c_len) > limit {
                // Too far apart to be a near miss: only a prefix match can make it.
                return prefix.then_some((wanted_len.abs_diff(c_len), prefix, c));
            }
            let dist = distance(&wanted_lower, &lower);
            // Replacing every character is not a near miss ("g" is not "f").
            let near = dist <= limit && dist < wanted_len.min(c_len);
            (near || prefix).then_some((dist, prefix, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    let best = scored.first().map_or(0, |s| s.0);
    // The closest ones, plus longer or shorter forms of what was written.
    scored.retain(|s| s.0 == best || s.1);
    scored.into_iter().take(3).map(|(_, _, c)| c).collect()
}

/// Renders diagnostics for a person, rustc style, followed by a summary line.
pub fn render_human(diags: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diags {
        render_one(&mut out, d, sources);
        out.push('\n');
    }
    out
}

/// The closing line: `2 errors and 1 warning` (empty when there is nothing).
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => String::new(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    }
}

fn gutter_width(d: &Diagnostic, sources: &Sources) -> usize {
    let mut max_line = 0;
    for loc in d.location.iter().chain(d.notes.iter().map(|n| &n.location)) {
        if let Some((line, _)) = sources.line_col(loc) {
            max_line = max_line.max(line);
        }
    }
    max_line.to_string().len().max(1)
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &Sources) {
    let _ = writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code, d.message);
    let width = gutter_width(d, sources);
    let pad = " ".repeat(width);
    if let Some(loc) = &d.location {
        render_snippet(out, "-->", loc, d.label.as_deref(), '^', sources, width);
    }
    for note in &d.notes {
        render_snippet(
            out,
            ":::",
            &note.location,
            Some(&note.message),
            '-',
            sources,
            width,
        );
    }
    let helps = helps(d);
    if !helps.is_empty() {
        if d.location.is_some() || !d.notes.is_empty() {
            let _ = writeln!(out, "{pad} |");
        }
        for h in helps {
            let _ = writeln!(out, "{pad} = help: {h}");
        }
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn render_snippet(
    out: &mut String,
    arrow: &str,
    loc: &Location,
    label: Option<&str>,
    mark: char,
    sources: &Sources,
    width: usize,
) {
    let pad = " ".repeat(width);
    let Some(src) = sources.get(&loc.file) else {
        let _ = writeln!(out, "{pad}{arrow} {}", loc.file);
        if let Some(label) = label {
            let _ = writeln!(out, "{pad} = note: {label}");
        }
        return;
    };
    let (line, col) = src.line_col(loc.span.start);
    let _ = writeln!(out, "{pad}{arrow} {}:{line}:{col}", loc.file);
    let _ = writeln!(out, "{pad} |");
    let text = src.line_text(line);
    let shown: String = text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let _ = writeln!(out, "{:>width$} | {}", line, shown.trim_end());
    // Underline from the column to the end of the span (or of the line).
    let line_chars = text.chars().count();
    let (end_line, end_col) = src.line_col(loc.span.end);
    let end_col = if end_line > line {
        line_chars + 1
    } else {
        end_col
    };
    let len = end_col.saturating_sub(col).max(1);
    let marks: String = std::iter::repeat_n(mark, len).collect();
    let mut underline = format!("{}{}", " ".repeat(col - 1), marks);
    if let Some(label) = label {
        underline.push(' ');
        underline.push_str(label);
    }
    let _ = writeln!(out, "{pad} | {underline}");
}

/// Renders diagnostics as one JSON document:
/// `{"diagnostics": [...], "errors": n, "warnings": n}`.
/// Every help line of a diagnostic, as both renderings show them: the did-you-mean first,
/// then the rest.
fn helps(d: &Diagnostic) -> Vec<String> {
    let mut helps: Vec<String> = Vec::new();
    if !d.suggestions.is_empty() {
        let list: Vec<String> = d
            .suggestions
            .iter()
            .map(|s| match &s.defined_at {
                Some(at) => format!("\"{}\" (defined at {at})", s.text),
                None => format!("\"{}\"", s.text),
            })
            .collect();
        helps.push(format!("did you mean {}?", join_or(&list)));
    }
    helps.extend(d.help.iter().cloned());
    helps
}

pub fn render_json(diags: &[Diagnostic], sources: &Sources) -> String {
    let items: Vec<serde_json::Value> = diags.iter().map(|d| to_json(d, sources)).collect();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let doc = serde_json::json!({
        "diagnostics": items,
        "errors": errors,
        "warnings": diags.len() - errors,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    s
}

fn location_json(loc: &Location, sources: &Sources) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("file".into(), loc.file.clone().into());
    match sources.get(&loc.file) {
        Some(src) => {
            let (line, col) = src.line_col(loc.span.start);
            let (end_line, end_col) = src.line_col(loc.span.end);
            m.insert("line".into(), line.into());
            m.insert("column".into(), col.into());
            m.insert("end_line".into(), end_line.into());
            m.insert("end_column".into(), end_col.into());
        }
        None => {
            m.insert("line".into(), serde_json::Value::Null);
            m.insert("column".into(), serde_json::Value::Null);
        }
    }
    m
}

fn to_json(d: &Diagnostic, sources: &Sources) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("code".into(), d.code.into());
    m.insert("severity".into(), d.severity.as_str().into());
    m.insert("message".into(), d.message.clone().into());
    match &d.location {
        Some(loc) => m.extend(location_json(loc, sources)),
        None => {
            m.insert("file".into(), serde_json::Value::Null);
            m.insert("line".into(), serde_json::Value::Null);
            m.insert("column".into(), serde_json::Value::Null);
        }
    }
    m.insert(
        "label".into(),
        d.label.clone().map_or(serde_json::Value::Null, Into::into),
    );
    m.insert(
        "suggestions".into(),
        d.suggestions
            .iter()
            .map(|s| serde_json::Value::from(s.text.clone()))
            .collect::<Vec<_>>()
            .into(),
    );
    m.insert(
        "help".into(),
        helps(d)
            .into_iter()
            .map(serde_json::Value::from)
            .collect::<Vec<_>>()
            .into(),
    );
    let mut rendered = String::new();
    render_one(&mut rendered, d, sources);
    m.insert("rendered".into(), rendered.into());
    m.insert(
        "notes".into(),
        d.notes
            .iter()
            .map(|n| {
                let mut nm = location_json(&n.location, sources);
                nm.insert("message".into(), n.message.clone().into());
                serde_json::Value::Object(nm)
            })
            .collect::<Vec<_>>()
            .into(),
    );
    serde_json::Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        let mut s = Sources::new();
        s.add(Source::new(
            "s/injects.ron",
            "[\n    (id: \"a\", when: Condition(ActionTaken(by: Any, action: \"ddos_rutub\"))),\n]\n",
        ));
        s.add(Source::new(
            "s/actions.ron",
            "[\n  (id: \"ddos_rutube\"),\n  (id: \"ddos_rutube\"),\n]\n",
        ));
        s
    }

    fn span_of(sources: &Sources, file: &str, needle: &str, nth: usize) -> Span {
        let text = &sources.get(file).unwrap().text;
        let start = text.match_indices(needle).nth(nth).unwrap().0;
        Span::new(start, start + needle.len())
    }

    #[test]
    fn renders_like_rustc() {
        let s = sources();
        let d = Diagnostic::error("E102", "unknown action \"ddos_rutub\"")
            .at(
                "s/injects.ron",
                span_of(&s, "s/injects.ron", "\"ddos_rutub\"", 0),
            )
            .label("no action has this id")
            .suggest(vec![Suggestion {
                text: "ddos_rutube".into(),
                defined_at: Some("actions.ron:2".into()),
            }]);
        let out = render_human(&[d], &s);
        let expected = r#"error[E102]: unknown action "ddos_rutub"
 --> s/injects.ron:2:60
  |
2 |     (id: "a", when: Condition(ActionTaken(by: Any, action: "ddos_rutub"))),
  |                                                            ^^^^^^^^^^^^ no action has this id
  |
  = help: did you mean "ddos_rutube" (defined at actions.ron:2)?

"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn renders_notes_at_a_second_place() {
        let s = sources();
        let d = Diagnostic::error("E201", "the action id \"ddos_rutube\" is used twice")
            .at(
                "s/actions.ron",
                span_of(&s, "s/actions.ron", "\"ddos_rutube\"", 1),
            )
            .label("defined again here")
            .note(
                "s/actions.ron",
                span_of(&s, "s/actions.ron", "\"ddos_rutube\"", 0),
                "first defined here",
            )
            .help("give each action its own id");
        let out = render_human(&[d], &s);
        let expected = r#"error[E201]: the action id "ddos_rutube" is used twice
 --> s/actions.ron:3:8
  |
3 |   (id: "ddos_rutube"),
  |        ^^^^^^^^^^^^^ defined again here
 ::: s/actions.ron:2:8
  |
2 |   (id: "ddos_rutube"),
  |        ------------- first defined here
  |
  = help: give each action its own id

"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn renders_without_location_and_with_unknown_files() {
        let s = sources();
        let d = Diagnostic::warning("W399", "nothing here").help("do something");
        assert_eq!(
            render_human(&[d], &s),
            "warning[W399]: nothing here\n  = help: do something\n\n"
        );
        let d = Diagnostic::error("E000", "cannot read").at("missing.ron", Span::new(0, 0));
        assert_eq!(
            render_human(&[d], &s),
            "error[E000]: cannot read\n --> missing.ron\n\n"
        );
    }

    #[test]
    fn span_over_several_lines_is_underlined_to_the_end_of_the_first() {
        let mut s = Sources::new();
        s.add(Source::new("f.ron", "(\n  a: [1,\n  2],\n)"));
        let d = Diagnostic::error("E005", "bad").at("f.ron", Span::new(7, 15));
        let out = render_human(&[d], &s);
        assert!(out.contains("2 |   a: [1,\n  |      ^^^\n"), "{out}");
    }

    #[test]
    fn json_has_the_fields_tools_need() {
        let s = sources();
        let d = Diagnostic::error("E102", "unknown action \"ddos_rutub\"")
            .at(
                "s/injects.ron",
                span_of(&s, "s/injects.ron", "\"ddos_rutub\"", 0),
            )
            .suggest(vec![Suggestion {
                text: "ddos_rutube".into(),
                defined_at: None,
            }]);
        let w = Diagnostic::warning("W301", "unused");
        let json = render_json(&[d, w], &s);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["errors"], 1);
        assert_eq!(v["warnings"], 1);
        let first = &v["diagnostics"][0];
        assert_eq!(first["code"], "E102");
        assert_eq!(first["severity"], "error");
        assert_eq!(first["file"], "s/injects.ron");
        assert_eq!(first["line"], 2);
        assert_eq!(first["column"], 60);
        assert_eq!(first["message"], "unknown action \"ddos_rutub\"");
        assert_eq!(first["suggestions"][0], "ddos_rutube");
        assert!(
            first["rendered"]
                .as_str()
                .unwrap()
                .starts_with("error[E102]: unknown action")
        );
        assert_eq!(v["diagnostics"][1]["line"], serde_json::Value::Null);
    }

    #[test]
    fn suggestions_are_close_and_at_most_three() {
        let ids = [
            "ddos_rutube",
            "ddos_grid",
            "forward_hunt",
            "sanctions",
            "ddos_rutube2",
            "ddos_rutubes",
            "ddos_rutube_x",
        ];
        let got = did_you_mean("ddos_rutub", ids.iter().copied());
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], "ddos_rutube");
        assert!(!got.contains(&"forward_hunt"));
        assert!(did_you_mean("zzz", ids.iter().copied()).is_empty());
        assert_eq!(
            did_you_mean("Sanctions", ids.iter().copied()),
            vec!["sanctions"]
        );
    }

    #[test]
    fn did_you_mean_compares_little_whatever_the_id_length() {
        let ids: Vec<String> = (0..200).map(|i| format!("action_{i:03}")).collect();
        let long: Vec<String> = vec!["a".repeat(5000), format!("{}b", "a".repeat(4999))];
        let huge = "x".repeat(1 << 20);
        let calls = std::cell::Cell::new(0);
        let longest = std::cell::Cell::new(0);
        let mut count = |a: &str, b: &str| {
            calls.set(calls.get() + 1);
            longest.set(longest.get().max(a.chars().count()).max(b.chars().count()));
            strsim::damerau_levenshtein(a, b)
        };
        let candidates = ids.iter().chain(&long).map(String::as_str);
        assert!(did_you_mean_with(&huge, candidates.clone(), &mut count).is_empty());
        // Every candidate is far shorter than a megabyte: none is compared.
        assert_eq!(calls.get(), 0);
        // Long ids are compared by their first characters only.
        let wanted = format!("{}c", "a".repeat(4999));
        let got = did_you_mean_with(&wanted, candidates, &mut count);
        assert_eq!(got.len(), 2, "{}", got.len());
        assert!(
            calls.get() >= 2 && longest.get() <= MAX_COMPARED_CHARS,
            "{calls:?} {longest:?}"
        );
        // Same answers as before for ids of ordinary length.
        let got = did_you_mean("actoin_017", ids.iter().map(String::as_str));
        assert_eq!(got[0], "action_017");
    }

    #[test]
    fn summary_line() {
        let e = Diagnostic::error("E1", "x");
        let w = Diagnostic::warning("W1", "x");
        assert_eq!(summary(&[]), "");
        assert_eq!(summary(std::slice::from_ref(&e)), "1 error");
        assert_eq!(
            summary(&[e.clone(), e.clone(), w.clone()]),
            "2 errors and 1 warning"
        );
        assert_eq!(summary(&[w.clone(), w]), "2 warnings");
    }
}
