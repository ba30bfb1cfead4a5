//! The span-preserving RON reader: the one parse of every scenario file.
//!
//! Semantic checks (an unknown action id, a chance of 140 %) need to point at the exact
//! value in the file, so every value of the tree remembers its byte range. The reader is
//! tolerant and never panics: it knows nothing about the scenario types, only RON's
//! grammar, and stops with a positioned [`SyntaxError`] on anything else — including
//! nesting beyond [`MAX_NESTING`] and numbers too large to hold. The typed model is then
//! deserialized from the same tree ([`de`]), so a file is never parsed twice.
//!
//! Values are found again by a [`Path`] of segments: a struct field name, a
//! list index or a position inside a tuple or enum variant (`Not(...)`), or a
//! map key.

use std::fmt;

pub mod de;

/// A byte range `start..end` in one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// One value of the untyped RON tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

/// A named field inside `( name: value, … )`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub name_span: Span,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// `()`
    Unit,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Char(char),
    /// A bare identifier such as a unit enum variant (`Covert`) or `None`.
    Ident(String),
    /// `[a, b, c]`
    List(Vec<Node>),
    /// `{ key: value, … }`
    Map(Vec<(Node, Node)>),
    /// `(a, b)` or `Name(a, b)`: a tuple, a tuple struct, or a newtype / tuple enum variant.
    Tuple {
        name: Option<(String, Span)>,
        items: Vec<Node>,
    },
    /// `(x: 1)` or `Name(x: 1)`: a struct or a struct enum variant.
    Struct {
        name: Option<(String, Span)>,
        fields: Vec<Field>,
    },
}

impl NodeKind {
    /// What an author would call this kind of value, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            NodeKind::Unit => "an empty `()`",
            NodeKind::Bool(_) => "a true/false value",
            NodeKind::Int(_) => "a whole number",
            NodeKind::Float(_) => "a decimal number",
            NodeKind::Str(_) => "a text in quotes",
            NodeKind::Char(_) => "a single character",
            NodeKind::Ident(_) => "a bare name",
            NodeKind::List(_) => "a list `[...]`",
            NodeKind::Map(_) => "a map `{...}`",
            NodeKind::Tuple { name: Some(_), .. } | NodeKind::Struct { name: Some(_), .. } => {
                "a named value `Name(...)`"
            }
            NodeKind::Tuple { .. } => "a tuple `(...)`",
            NodeKind::Struct { .. } => "a record `(field: ...)`",
        }
    }
}

impl Node {
    /// The variant or struct name written before `(`, or the bare identifier.
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Tuple { name, .. } | NodeKind::Struct { name, .. } => {
                name.as_ref().map(|(n, _)| n.as_str())
            }
            NodeKind::Ident(n) => Some(n),
            _ => None,
        }
    }

    /// Span of the name (for a bare identifier, the whole node).
    pub fn name_span(&self) -> Option<Span> {
        match &self.kind {
            NodeKind::Tuple { name, .. } | NodeKind::Struct { name, .. } => {
                name.as_ref().map(|(_, s)| *s)
            }
            NodeKind::Ident(_) => Some(self.span),
            _ => None,
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        match &self.kind {
            NodeKind::Struct { fields, .. } => fields.iter().find(|f| f.name == name),
            _ => None,
        }
    }

    pub fn fields(&self) -> &[Field] {
        match &self.kind {
            NodeKind::Struct { fields, .. } => fields,
            _ => &[],
        }
    }

    /// The i-th element of a list or tuple (including `Some(x)` and variants).
    pub fn item(&self, i: usize) -> Option<&Node> {
        match &self.kind {
            NodeKind::List(items) | NodeKind::Tuple { items, .. } => items.get(i),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::List(items) | NodeKind::Tuple { items, .. } => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Follows one path segment.
    pub fn get(&self, seg: &Seg) -> Option<&Node> {
        match seg {
            Seg::Field(name) => self.field(name).map(|f| &f.value),
            Seg::Index(i) => self.item(*i),
            Seg::Key(key) => match &self.kind {
                NodeKind::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| match &k.kind {
                        NodeKind::Str(s) | NodeKind::Ident(s) => s == key,
                        NodeKind::Int(n) => n.to_string() == *key,
                        _ => false,
                    })
                    .map(|(_, v)| v),
                _ => None,
            },
        }
    }

    /// Follows a whole path; `None` if any segment is missing.
    pub fn at(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            node = node.get(seg)?;
        }
        Some(node)
    }

    /// Follows a path as far as it goes and returns the deepest node reached.
    pub fn closest(&self, path: &[Seg]) -> &Node {
        let mut node = self;
        for seg in path {
            match node.get(seg) {
                Some(next) => node = next,
                None => break,
            }
        }
        node
    }

    /// Visits this node and all nodes below it, depth first, in source order.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match &self.kind {
            NodeKind::List(items) | NodeKind::Tuple { items, .. } => {
                for item in items {
                    item.walk(f);
                }
            }
            NodeKind::Struct { fields, .. } => {
                for field in fields {
                    field.value.walk(f);
                }
            }
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    k.walk(f);
                    v.walk(f);
                }
            }
            _ => {}
        }
    }

    /// The `nth` (0-based) quoted string equal to `text` below this node.
    pub fn find_str(&self, text: &str, nth: usize) -> Option<&Node> {
        let mut found = Vec::new();
        self.walk(&mut |n| {
            if n.as_str() == Some(text) {
                found.push(n);
            }
        });
        found.get(nth).copied()
    }
}

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Field(String),
    Index(usize),
    Key(String),
}

/// A path from the root of a file to one value, e.g. `[3].effects[0].0`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn root() -> Self {
        Path(Vec::new())
    }
    pub fn field(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Field(name.to_string()));
        p
    }
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_string()));
        p
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Field(name) if i == 0 => write!(f, "{name}")?,
                Seg::Field(name) => write!(f, ".{name}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Key(k) => write!(f, "[{k:?}]")?,
            }
        }
        Ok(())
    }
}

/// A syntax error found by the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Diagnostic code: `E003` (syntax), `E016` (a number too large to read) or `E017`
    /// (nested too deeply).
    pub code: &'static str,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// One source text with its line table, for turning byte offsets into
/// line:column and for printing source lines.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..floor_char(&self.text, offset)]
            .chars()
            .count()
            + 1;
        (line + 1, col)
    }

    /// Byte offset of a 1-based line and column (in characters).
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let text = self.line_text(line);
        let within: usize = text
            .chars()
            .take(col.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        start + within
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e - 1)
            .unwrap_or(self.text.len());
        self.text[start..end.max(start)].trim_end_matches('\r')
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Reads RON text into a tree of spanned values.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut r = Reader {
        src: text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    r.skip_ws()?;
    r.skip_attributes()?;
    r.skip_ws()?;
    if r.pos >= r.bytes.len() {
        return Err(r.error(
            Span::new(r.pos, r.pos),
            "the file is empty: expected a value",
        ));
    }
    let node = r.value()?;
    r.skip_ws()?;
    if r.pos < r.bytes.len() {
        let end = r.token_end(r.pos);
        return Err(SyntaxError {
            code: "E003",
            span: Span::new(r.pos, end),
            message: "unexpected text after the end of the value".into(),
            help: Some("a file holds one value; check for an extra closing bracket".into()),
        });
    }
    Ok(node)
}

/// How deeply values may be nested in a scenario file: a list, a record, a named value
/// such as `All([...])` or `Not(...)` each open one level. The reader stops with `E017`
/// beyond it, so no input can exhaust the stack of the reader or of what walks the tree.
pub const MAX_NESTING: usize = 32;

struct Reader<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl<'a> Reader<'a> {
    fn error(&self, span: Span, message: &str) -> SyntaxError {
        SyntaxError {
            code: "E003",
            span,
            message: message.to_string(),
            help: None,
        }
    }

    fn peek(&self) -> Option<char> {
        match self.bytes.get(self.pos) {
            None => None,
            Some(&b) if b < 0x80 => Some(char::from(b)),
            Some(_) => self.src[self.pos..].chars().next(),
        }
    }

    fn peek_at(&self, off: usize) -> Option<u8> {
        self.bytes.get(self.pos + off).copied()
    }

    /// End of the "token" starting at `at`: one character, or an identifier/number.
    fn token_end(&self, at: usize) -> usize {
        let rest = &self.src[at..];
        let mut chars = rest.char_indices();
        match chars.next() {
            None => at,
            Some((_, c)) if is_ident_char(c) => {
                at + rest
                    .char_indices()
                    .find(|&(_, c)| !is_ident_char(c))
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len())
            }
            Some((_, c)) => at + c.len_utf8(),
        }
    }

    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        loop {
            match self.peek_at(0) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'/') => {
                    while let Some(b) = self.peek_at(0) {
                        if b == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    self.pos += 2;
                    let mut level = 1;
                    while level > 0 {
                        match (self.peek_at(0), self.peek_at(1)) {
                            (None, _) => {
                                return Err(SyntaxError {
                                    code: "E003",
                                    span: Span::new(start, start + 2),
                                    message: "this comment is never closed".into(),
                                    help: Some("end it with `*/`".into()),
                                });
                            }
                            (Some(b'/'), Some(b'*')) => {
                                level += 1;
                                self.pos += 2;
                            }
                            (Some(b'*'), Some(b'/')) => {
                                level -= 1;
                                self.pos += 2;
                            }
                            _ => self.pos += 1,
                        }
                    }
                }
                Some(c) if c >= 0x80 => {
                    // Unicode whitespace is allowed too.
                    match self.peek() {
                        Some(ch) if ch.is_whitespace() => self.pos += ch.len_utf8(),
                        _ => return Ok(()),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn skip_attributes(&mut self) -> Result<(), SyntaxError> {
        while self.src[self.pos..].starts_with("#!") {
            let start = self.pos;
            match self.src[self.pos..].find(']') {
                Some(i) => self.pos += i + 1,
                None => {
                    return Err(SyntaxError {
                        code: "E003",
                        span: Span::new(start, start + 2),
                        message: "this `#![...]` attribute is never closed".into(),
                        help: None,
                    });
                }
            }
            self.skip_ws()?;
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        if self.depth >= MAX_NESTING {
            let end = self.token_end(self.pos);
            return Err(SyntaxError {
                code: "E017",
                span: Span::new(self.pos, end),
                message: format!(
                    "this is nested too deeply: values may be nested at most {MAX_NESTING} levels deep"
                ),
                help: Some(format!(
                    "conditions and effects may be nested at most {MAX_NESTING} levels deep; \
                     split this one into smaller pieces"
                )),
            });
        }
        self.depth += 1;
        let result = self.value_inner();
        self.depth -= 1;
        result
    }

    fn value_inner(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Err(SyntaxError {
                code: "E003",
                span: Span::new(start, start),
                message: "the file ends where a value was expected".into(),
                help: Some("a bracket or parenthesis may be missing its closing half".into()),
            });
        };
        match c {
            '[' => self.list(),
            '{' => self.map(),
            '(' => self.parens(None),
            '"' => self.string(),
            '\'' => self.char_lit(),
            'r' if matches!(self.peek_at(1), Some(b'"' | b'#'))
                && !self.src[self.pos + 1..].starts_with("#[") =>
            {
                if self.peek_at(1) == Some(b'#') && self.is_raw_ident() {
                    self.ident_value()
                } else {
                    self.raw_string(start)
                }
            }
            'b' if self.peek_at(1) == Some(b'"') => {
                self.pos += 1;
                let mut node = self.string()?;
                node.span.start = start;
                Ok(node)
            }
            '0'..='9' | '-' | '+' | '.' => self.number(),
            c if is_ident_start(c) => self.ident_value(),
            _ => {
                let end = self.token_end(start);
                let mut err = self.error(
                    Span::new(start, end),
                    &format!("unexpected `{c}` where a value was expected"),
                );
                if c == ',' {
                    err.help = Some("there may be a value missing before this comma".into());
                } else if c == ')' || c == ']' || c == '}' {
                    err.help = Some("there may be a value missing before this bracket".into());
                }
                Err(err)
            }
        }
    }

    fn is_raw_ident(&self) -> bool {
        // r#name (not r#"...")
        self.src[self.pos + 2..]
            .chars()
            .next()
            .is_some_and(is_ident_start)
    }

    fn ident(&mut self) -> (String, Span) {
        let start = self.pos;
        if self.src[self.pos..].starts_with("r#") {
            self.pos += 2;
        }
        let name_start = self.pos;
        let rest = &self.src[self.pos..];
        self.pos += rest
            .char_indices()
            .find(|&(_, c)| !is_ident_char(c))
            .map_or(rest.len(), |(i, _)| i);
        (
            self.src[name_start..self.pos].to_string(),
            Span::new(start, self.pos),
        )
    }

    fn ident_value(&mut self) -> Result<Node, SyntaxError> {
        let (name, span) = self.ident();
        // A name directly followed by `(` (whitespace allowed) is a named tuple/struct.
        let save = self.pos;
        self.skip_ws()?;
        if self.peek() == Some('(') {
            return self.parens(Some((name, span)));
        }
        self.pos = save;
        let kind = match name.as_str() {
            "true" => NodeKind::Bool(true),
            "false" => NodeKind::Bool(false),
            "inf" | "NaN" => NodeKind::Float(if name == "inf" {
                f64::INFINITY
            } else {
                f64::NAN
            }),
            _ => NodeKind::Ident(name),
        };
        Ok(Node { span, kind })
    }

    fn expect_sep(&mut self, close: char, what: &str, open: Span) -> Result<bool, SyntaxError> {
        // After an element: `,` or the closing bracket. Returns true when closed.
        self.skip_ws()?;
        match self.peek() {
            Some(',') => {
                self.pos += 1;
                self.skip_ws()?;
                if self.peek() == Some(close) {
                    self.pos += 1;
                    return Ok(true);
                }
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            None => Err(SyntaxError {
                code: "E003",
                span: open,
                message: format!("this {what} is never closed"),
                help: Some(format!("add `{close}` at the end of the {what}")),
            }),
            Some(_) => {
                let at = self.pos;
                let end = self.token_end(at);
                let found = &self.src[at..end];
                Err(SyntaxError {
                    code: "E003",
                    span: Span::new(at, end),
                    message: format!("expected `,` or `{close}` but found `{found}`"),
                    help: Some("a comma may be missing after the previous value".into()),
                })
            }
        }
    }

    fn list(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let open = Span::new(start, start + 1);
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws()?;
                self.check_unclosed(open, "list", ']')?;
                items.push(self.value()?);
                if self.expect_sep(']', "list", open)? {
                    break;
                }
            }
        }
        Ok(Node {
            span: Span::new(start, self.pos),
            kind: NodeKind::List(items),
        })
    }

    fn check_unclosed(&self, open: Span, what: &str, close: char) -> Result<(), SyntaxError> {
        if self.pos >= self.bytes.len() {
            return Err(SyntaxError {
                code: "E003",
                span: open,
                message: format!("this {what} is never closed"),
                help: Some(format!("add `{close}` at the end of the {what}")),
            });
        }
        Ok(())
    }

    fn map(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let open = Span::new(start, start + 1);
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some('}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws()?;
                self.check_unclosed(open, "map", '}')?;
                let key = self.value()?;
                self.skip_ws()?;
                if self.peek() != Some(':') {
                    let at = self.pos;
                    return Err(SyntaxError {
                        code: "E003",
                        span: Span::new(at, self.token_end(at)),
                        message: "expected `:` after this map key".into(),
                        help: Some("write map entries as `key: value`".into()),
                    });
                }
                self.pos += 1;
                self.skip_ws()?;
                self.check_unclosed(open, "map", '}')?;
                let value = self.value()?;
                entries.push((key, value));
                if self.expect_sep('}', "map", open)? {
                    break;
                }
            }
        }
        Ok(Node {
            span: Span::new(start, self.pos),
            kind: NodeKind::Map(entries),
        })
    }

    /// True when the cursor is at `name:` (a struct field), not `name::`.
    fn at_field_name(&self) -> bool {
        let rest = &self.src[self.pos..];
        let rest = rest.strip_prefix("r#").unwrap_or(rest);
        let Some(first) = rest.chars().next() else {
            return false;
        };
        if !is_ident_start(first) {
            return false;
        }
        let after: &str = rest.trim_start_matches(is_ident_char);
        // Whitespace between the name and the colon is allowed, comments are rare enough.
        let after = after.trim_start_matches([' ', '\t', '\r', '\n']);
        after.starts_with(':') && !after.starts_with("::")
    }

    fn parens(&mut self, name: Option<(String, Span)>) -> Result<Node, SyntaxError> {
        let start = name.as_ref().map(|(_, s)| s.start).unwrap_or(self.pos);
        let open = Span::new(self.pos, self.pos + 1);
        self.pos += 1;
        self.skip_ws()?;
        if self.peek() == Some(')') {
            self.pos += 1;
            let span = Span::new(start, self.pos);
            return Ok(match name {
                None => Node {
                    span,
                    kind: NodeKind::Unit,
                },
                Some(name) => Node {
                    span,
                    kind: NodeKind::Tuple {
                        name: Some(name),
                        items: Vec::new(),
                    },
                },
            });
        }
        let what = if name.is_some() {
            "value"
        } else {
            "parenthesis"
        };
        if self.at_field_name() {
            let mut fields: Vec<Field> = Vec::new();
            loop {
                self.skip_ws()?;
                self.check_unclosed(open, what, ')')?;
                if !self.at_field_name() {
                    let at = self.pos;
                    let found = self.peek().unwrap_or(' ');
                    return Err(SyntaxError {
                        code: "E003",
                        span: Span::new(at, self.token_end(at)),
                        message: if is_ident_start(found) {
                            "expected `:` after this field name".into()
                        } else {
                            format!("expected a field name but found `{found}`")
                        },
                        help: Some("write fields as `name: value`".into()),
                    });
                }
                let (fname, name_span) = self.ident();
                self.skip_ws()?;
                self.pos += 1; // ':'
                self.skip_ws()?;
                self.check_unclosed(open, what, ')')?;
                let value = self.value()?;
                fields.push(Field {
                    name: fname,
                    name_span,
                    value,
                });
                if self.expect_sep(')', what, open)? {
                    break;
                }
            }
            Ok(Node {
                span: Span::new(start, self.pos),
                kind: NodeKind::Struct { name, fields },
            })
        } else {
            let mut items = Vec::new();
            loop {
                self.skip_ws()?;
                self.check_unclosed(open, what, ')')?;
                items.push(self.value()?);
                if self.expect_sep(')', what, open)? {
                    break;
                }
            }
            Ok(Node {
                span: Span::new(start, self.pos),
                kind: NodeKind::Tuple { name, items },
            })
        }
    }

    fn string(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters up to the next quote or backslash at once.
            let rest = &self.src[self.pos..];
            let plain = rest.find(['"', '\\']).unwrap_or(rest.len());
            out.push_str(&rest[..plain]);
            self.pos += plain;
            let Some(c) = self.peek() else {
                return Err(SyntaxError {
                    code: "E003",
                    span: Span::new(start, start + 1),
                    message: "this text is never closed".into(),
                    help: Some("add the closing `\"`".into()),
                });
            };
            self.pos += c.len_utf8();
            match c {
                '"' => break,
                '\\' => {
                    let esc_start = self.pos - 1;
                    let Some(e) = self.peek() else { continue };
                    self.pos += e.len_utf8();
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        '\\' => out.push('\\'),
                        '"' => out.push('"'),
                        '\'' => out.push('\''),
                        '\n' => {
                            // Line continuation: skip leading whitespace.
                            while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
                                self.pos += 1;
                            }
                        }
                        'x' => {
                            let hex = self.src.get(self.pos..self.pos + 2).unwrap_or("");
                            match u8::from_str_radix(hex, 16) {
                                Ok(b) => {
                                    out.push(b as char);
                                    self.pos += 2;
                                }
                                Err(_) => return Err(self.bad_escape(esc_start)),
                            }
                        }
                        'u' => {
                            let rest = &self.src[self.pos..];
                            let close = rest.find('}');
                            match (rest.starts_with('{'), close) {
                                (true, Some(end)) => {
                                    let code = u32::from_str_radix(&rest[1..end], 16).ok();
                                    match code.and_then(char::from_u32) {
                                        Some(ch) => {
                                            out.push(ch);
                                            self.pos += end + 1;
                                        }
                                        None => return Err(self.bad_escape(esc_start)),
                                    }
                                }
                                _ => return Err(self.bad_escape(esc_start)),
                            }
                        }
                        _ => return Err(self.bad_escape(esc_start)),
                    }
                }
                c => out.push(c),
            }
        }
        Ok(Node {
            span: Span::new(start, self.pos),
            kind: NodeKind::Str(out),
        })
    }

    fn bad_escape(&self, at: usize) -> SyntaxError {
        SyntaxError {
            code: "E003",
            span: Span::new(at, self.pos.max(at + 1)),
            message: "unknown escape sequence in text".into(),
            help: Some("write `\\\\` for a backslash".into()),
        }
    }

    fn raw_string(&mut self, start: usize) -> Result<Node, SyntaxError> {
        self.pos += 1; // r
        let mut hashes = 0;
        while self.peek_at(0) == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek_at(0) != Some(b'"') {
            return Err(self.error(
                Span::new(start, self.pos),
                "expected `\"` to start a raw text",
            ));
        }
        self.pos += 1;
        let close = format!("\"{}", "#".repeat(hashes));
        match self.src[self.pos..].find(&close) {
            Some(i) => {
                let s = self.src[self.pos..self.pos + i].to_string();
                self.pos += i + close.len();
                Ok(Node {
                    span: Span::new(start, self.pos),
                    kind: NodeKind::Str(s),
                })
            }
            None => Err(SyntaxError {
                code: "E003",
                span: Span::new(start, start + 1),
                message: "this raw text is never closed".into(),
                help: Some(format!("end it with `{close}`")),
            }),
        }
    }

    fn char_lit(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some('\\') => {
                self.pos += 1;
                let Some(e) = self.peek() else {
                    return Err(self.unclosed_char(start));
                };
                self.pos += e.len_utf8();
                match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    other => other,
                }
            }
            Some(c) => {
                self.pos += c.len_utf8();
                c
            }
            None => return Err(self.unclosed_char(start)),
        };
        if self.peek() != Some('\'') {
            return Err(self.unclosed_char(start));
        }
        self.pos += 1;
        Ok(Node {
            span: Span::new(start, self.pos),
            kind: NodeKind::Char(c),
        })
    }

    fn unclosed_char(&self, start: usize) -> SyntaxError {
        SyntaxError {
            code: "E003",
            span: Span::new(start, start + 1),
            message: "this character is never closed".into(),
            help: Some("texts are written in double quotes: \"like this\"".into()),
        }
    }

    fn number(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let rest = &self.src[self.pos..];
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphanumeric()
                    || c == '_'
                    || c == '.'
                    || ((c == '-' || c == '+')
                        && (i == 0 || matches!(rest.as_bytes()[i - 1], b'e' | b'E'))))
            })
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let raw = &rest[..len];
        self.pos += len;
        let span = Span::new(start, self.pos);
        let clean: std::borrow::Cow<str> = if raw.contains('_') {
            raw.chars().filter(|&c| c != '_').collect::<String>().into()
        } else {
            raw.into()
        };
        let (neg, body) = match clean.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
        };
        let radix = |p: &str| body.strip_prefix(p);
        let int = if let Some(h) = radix("0x") {
            i128::from_str_radix(h, 16).ok()
        } else if let Some(o) = radix("0o") {
            i128::from_str_radix(o, 8).ok()
        } else if let Some(b) = radix("0b") {
            i128::from_str_radix(b, 2).ok()
        } else {
            body.parse::<i128>().ok()
        };
        if let Some(n) = int {
            return Ok(Node {
                span,
                kind: NodeKind::Int(if neg { -n } else { n }),
            });
        }
        let digits = |b: &str, radix: u32| !b.is_empty() && b.chars().all(|c| c.is_digit(radix));
        let whole = match (radix("0x"), radix("0o"), radix("0b")) {
            (Some(h), _, _) => digits(h, 16),
            (_, Some(o), _) => digits(o, 8),
            (_, _, Some(b)) => digits(b, 2),
            _ => digits(body, 10),
        };
        if whole {
            return Err(SyntaxError {
                code: "E016",
                span,
                message: "this number is too large to read".into(),
                help: Some(
                    "numbers in a scenario are small whole numbers; check for extra digits".into(),
                ),
            });
        }
        let float_text = body.trim_end_matches("f32").trim_end_matches("f64");
        match float_text.parse::<f64>() {
            Ok(f) if !body.is_empty() => Ok(Node {
                span,
                kind: NodeKind::Float(if neg { -f } else { f }),
            }),
            _ => Err(SyntaxError {
                code: "E003",
                span: if span.start == span.end {
                    Span::new(start, start + 1)
                } else {
                    span
                },
                message: format!("`{raw}` is not a number"),
                help: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Node {
        parse(text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn slice<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.start..node.span.end]
    }

    #[test]
    fn records_spans_by_path() {
        let text = r#"// header
#![enable(implicit_some)]
[
    (id: "ddos", chance: 40, effects: [AddAttr("russia", "anger", -2)]),
    (
        id: "leak", /* inline */ chance: 70,
        visibility: Covert,
        when: Some(Not(Turn(is: AtLeast(3)))),
    ),
]
"#;
        let root = p(text);
        let chance = root.at(&Path::root().index(1).field("chance").0).unwrap();
        assert_eq!(slice(text, chance), "70");
        assert_eq!(chance.kind, NodeKind::Int(70));
        let eff = root
            .at(&Path::root().index(0).field("effects").index(0).index(2).0)
            .unwrap();
        assert_eq!(slice(text, eff), "-2");
        let vis = root
            .at(&Path::root().index(1).field("visibility").0)
            .unwrap();
        assert_eq!(vis.kind, NodeKind::Ident("Covert".into()));
        let when = root.at(&Path::root().index(1).field("when").0).unwrap();
        assert_eq!(when.name(), Some("Some"));
        let turn = when.item(0).unwrap().item(0).unwrap();
        assert_eq!(turn.name(), Some("Turn"));
        assert_eq!(slice(text, turn), "Turn(is: AtLeast(3))");
        let is = turn.field("is").unwrap();
        assert_eq!(slice(text, &is.value), "AtLeast(3)");
        assert_eq!(&text[is.name_span.start..is.name_span.end], "is");
    }

    #[test]
    fn strings_escapes_and_raw() {
        let root = p(r##"("a\"b\n\u{e9}", r#"raw "x""#, 'c', b"by")"##);
        let items = root.items();
        assert_eq!(items[0].as_str(), Some("a\"b\né"));
        assert_eq!(items[1].as_str(), Some("raw \"x\""));
        assert_eq!(items[2].kind, NodeKind::Char('c'));
        assert_eq!(items[3].as_str(), Some("by"));
    }

    #[test]
    fn numbers() {
        let root = p("[1, -2, +3, 0x1F, 1_000, 2.5, -1e3, 7.]");
        let kinds: Vec<_> = root.items().iter().map(|n| n.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                NodeKind::Int(1),
                NodeKind::Int(-2),
                NodeKind::Int(3),
                NodeKind::Int(31),
                NodeKind::Int(1000),
                NodeKind::Float(2.5),
                NodeKind::Float(-1000.0),
                NodeKind::Float(7.0),
            ]
        );
    }

    #[test]
    fn maps_units_and_empty_variants() {
        let text = r#"{ "a": (), b: Foo(), c: None, "d": (1, "x") }"#;
        let root = p(text);
        assert_eq!(
            root.at(&[Seg::Key("a".into())]).unwrap().kind,
            NodeKind::Unit
        );
        assert_eq!(
            root.at(&[Seg::Key("b".into())]).unwrap().name(),
            Some("Foo")
        );
        assert_eq!(
            root.at(&[Seg::Key("c".into())]).unwrap().kind,
            NodeKind::Ident("None".into())
        );
        let x = root.at(&[Seg::Key("d".into()), Seg::Index(1)]).unwrap();
        assert_eq!(slice(text, x), "\"x\"");
    }

    #[test]
    fn find_str_counts_occurrences() {
        let text = r#"All([Attr("us", "x"), Attr("ru", "x"), Rung("us")])"#;
        let root = p(text);
        let second = root.find_str("us", 1).unwrap();
        assert_eq!(second.span.start, text.rfind("\"us\"").unwrap());
        assert!(root.find_str("us", 2).is_none());
    }

    #[test]
    fn missing_comma_is_reported_at_the_next_value() {
        let text = "(\n  a: 1\n  b: 2,\n)";
        let err = parse(text).unwrap_err();
        assert_eq!(&text[err.span.start..err.span.end], "b");
        assert!(
            err.message.contains("expected `,` or `)`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unclosed_things_point_at_their_opening() {
        let text = "[\n (a: \"x\"),\n (a: 2)";
        let err = parse(text).unwrap_err();
        assert_eq!(err.span, Span::new(0, 1));
        assert_eq!(err.message, "this list is never closed");
        let err = parse("(a: \"oops)").unwrap_err();
        assert_eq!(err.span, Span::new(4, 5));
        let err = parse("/* no end").unwrap_err();
        assert_eq!(err.message, "this comment is never closed");
    }

    #[test]
    fn trailing_text_and_bad_tokens() {
        let err = parse("(a: 1))").unwrap_err();
        assert_eq!(err.span, Span::new(6, 7));
        let err = parse("(a: ,)").unwrap_err();
        assert_eq!(err.span, Span::new(4, 5));
        assert!(parse("").is_err());
        assert!(parse("[12abc]").is_err());
    }

    #[test]
    fn half_typed_endings_are_syntax_errors_not_panics() {
        for (text, message) in [
            ("(a: '\\", "this character is never closed"),
            ("'", "this character is never closed"),
            ("(a: 'x", "this character is never closed"),
            ("(a: \"oops", "this text is never closed"),
            ("(a: \"oops\\", "this text is never closed"),
            ("(a: r#\"oops", "this raw text is never closed"),
            ("(a: 1) /* x /* y */", "this comment is never closed"),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.message, message, "{text:?}");
            assert_eq!(err.code, "E003");
            assert!(err.span.end <= text.len(), "{text:?}: {:?}", err.span);
        }
    }

    #[test]
    fn nesting_beyond_the_limit_is_refused_in_author_terms() {
        let ok = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(parse(&ok).is_ok());
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        let err = parse(&deep).unwrap_err();
        assert_eq!(err.code, "E017");
        assert_eq!(err.span.start, MAX_NESTING);
        let help = err.help.unwrap();
        assert!(help.contains("at most 32 levels deep"), "{help}");
        assert!(!help.contains("recursion"), "{help}");
        // No stack to exhaust: a hundred thousand openings are one diagnostic.
        let err = parse(&"Not(".repeat(100_000)).unwrap_err();
        assert_eq!(err.code, "E017");
        let err = parse(&"[".repeat(100_000)).unwrap_err();
        assert_eq!(err.code, "E017");
    }

    #[test]
    fn numbers_too_large_to_read_are_out_of_bounds() {
        let text = format!("[1, {}]", "9".repeat(60));
        let err = parse(&text).unwrap_err();
        assert_eq!(err.code, "E016");
        assert_eq!(err.span, Span::new(4, 64));
        let err = parse("[-0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF]").unwrap_err();
        assert_eq!(err.code, "E016");
        assert_eq!(
            parse("[170141183460469231731687303715884105727]")
                .unwrap()
                .items()[0]
                .kind,
            NodeKind::Int(i128::MAX)
        );
        // Decimal numbers stay decimal numbers.
        assert!(matches!(
            parse("[1e999]").unwrap().items()[0].kind,
            NodeKind::Float(_)
        ));
    }

    #[test]
    fn line_and_column() {
        let src = Source::new("x.ron", "ab\nçd\r\nef");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(3), (2, 1));
        assert_eq!(src.line_col(5), (2, 2));
        assert_eq!(src.line_text(2), "çd");
        assert_eq!(src.line_col(src.text.len()), (3, 3));
        assert_eq!(src.offset(2, 2), 5);
        assert_eq!(src.line_count(), 3);
    }

    #[test]
    fn path_display() {
        let p = Path::root().index(3).field("effects").index(0).key("k");
        assert_eq!(p.to_string(), "[3].effects[0][\"k\"]");
        assert_eq!(Path::root().field("a").field("b").to_string(), "a.b");
    }
}
