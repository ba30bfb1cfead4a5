//! The validator never panics and never falls back to the generic E019 on
//! small random edits of a clean scenario: every mutation gets a precise code.

use std::collections::BTreeMap;

use grayzone::scenario::validate::validate_texts;

/// A tiny deterministic generator (64-bit LCG), so the test is reproducible.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const SNIPPETS: &[&str] = &[
    ",", "(", ")", "[", "]", "\"", ":", "x", "1", "-", "Some(", "None", "Any", "\"zz\"", " ", "//",
];

fn mutate(text: &str, rng: &mut Lcg) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len());
    let mut out: String = chars[..at].iter().collect();
    match rng.below(3) {
        0 => out.push_str(SNIPPETS[rng.below(SNIPPETS.len())]),
        1 => {
            out.push_str(SNIPPETS[rng.below(SNIPPETS.len())]);
            out.extend(chars[(at + 1).min(chars.len())..].iter());
            return out;
        }
        _ => {
            let skip = 1 + rng.below(6);
            out.extend(chars[(at + skip).min(chars.len())..].iter());
            return out;
        }
    }
    out.extend(chars[at..].iter());
    out
}

#[test]
fn random_edits_get_precise_diagnostics() {
    let dir = std::path::Path::new("tests/golden/clean");
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    for name in grayzone::scenario::load::SCENARIO_FILES {
        files.insert(name, std::fs::read_to_string(dir.join(name)).unwrap());
    }
    let names: Vec<&str> = files.keys().copied().collect();
    let mut rng = Lcg(7);
    let mut fallbacks = Vec::new();
    for _ in 0..1000 {
        let name = names[rng.below(names.len())];
        let mut edited = files.clone();
        let text = mutate(&files[name], &mut rng);
        edited.insert(name, text.clone());
        let v = validate_texts("t", &edited);
        if v.diagnostics.iter().any(|d| d.code == "E019") {
            fallbacks.push(format!(
                "{name}:\n{text}\n{}",
                grayzone::scenario::diagnostics::render_human(&v.diagnostics, &v.sources)
            ));
        }
        // Whenever the model could not be built, something must say why.
        if v.scenario.is_none() {
            assert!(v.errors() > 0, "{name} silently failed:\n{text}");
        }
    }
    assert!(fallbacks.is_empty(), "{}", fallbacks.join("\n-----\n"));
}

/// A scratch copy of the clean golden scenario, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("grayzone-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for name in grayzone::scenario::load::SCENARIO_FILES {
            let from = std::path::Path::new("tests/golden/clean").join(name);
            if from.exists() {
                std::fs::copy(from, dir.join(name)).unwrap();
            }
        }
        Scratch(dir)
    }
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Validates a folder on another thread; a hang (e.g. blocking on a pipe) fails the test.
fn validate_with_watchdog(dir: &std::path::Path) -> grayzone::scenario::validate::Validation {
    let dir = dir.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(grayzone::scenario::validate::validate_dir(&dir));
    });
    rx.recv_timeout(std::time::Duration::from_secs(20))
        .expect("validation did not finish: it blocked on a file")
}

fn line_col(v: &grayzone::scenario::validate::Validation, code: &str) -> (String, usize, usize) {
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code}: {:#?}", v.diagnostics));
    let loc = d.location.as_ref().expect("a location");
    let (line, col) = v.sources.line_col(loc).unwrap_or((0, 0));
    (d.message.clone(), line, col)
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let s = Scratch::new("bom");
    let text = std::fs::read_to_string(s.path("scenario.ron")).unwrap();
    std::fs::write(s.path("scenario.ron"), format!("\u{feff}{text}")).unwrap();
    let v = validate_with_watchdog(&s.0);
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    assert!(v.scenario.is_some());
}

#[test]
fn a_non_utf8_file_is_reported_at_its_bad_byte_not_as_missing() {
    let s = Scratch::new("utf8");
    let text = std::fs::read_to_string(s.path("actors.ron")).unwrap();
    let line3 = text.match_indices('\n').nth(1).unwrap().0 + 1;
    for bom in [false, true] {
        let mut bytes = Vec::new();
        if bom {
            bytes.extend_from_slice("\u{feff}".as_bytes());
        }
        bytes.extend_from_slice(&text.as_bytes()[..line3 + 4]);
        bytes.push(0xFF);
        bytes.extend_from_slice(&text.as_bytes()[line3 + 4..]);
        std::fs::write(s.path("actors.ron"), &bytes).unwrap();
        let v = validate_with_watchdog(&s.0);
        let (message, line, col) = line_col(&v, "E002");
        assert_eq!((line, col), (3, 5), "bom: {bom}: {message}");
        assert!(message.contains("UTF-8"), "{message}");
        for d in &v.diagnostics {
            assert!(
                !d.message.contains("has no") && !d.message.contains("missing"),
                "{}",
                d.message
            );
        }
        // The same byte on the first line, right after a byte-order mark.
        let mut first = Vec::new();
        if bom {
            first.extend_from_slice("\u{feff}".as_bytes());
        }
        first.extend_from_slice(b"(\xC3(");
        std::fs::write(s.path("actors.ron"), &first).unwrap();
        let v = validate_with_watchdog(&s.0);
        let (_, line, col) = line_col(&v, "E002");
        assert_eq!((line, col), (1, 2), "bom: {bom}");
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_without_blocking() {
    let s = Scratch::new("fifo");
    std::fs::remove_file(s.path("actions.ron")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(s.path("actions.ron"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let v = validate_with_watchdog(&s.0);
    let (message, _, _) = line_col(&v, "E002");
    assert!(message.contains("named pipe"), "{message}");
    // Nor through the one load path.
    let dir = s.0.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(grayzone::sim::LoadedScenario::load(&dir).is_err());
    });
    assert!(
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("loading blocked on a named pipe")
    );
}

#[test]
fn a_folder_or_an_oversized_file_is_refused() {
    let s = Scratch::new("special");
    std::fs::remove_file(s.path("endings.ron")).unwrap();
    std::fs::create_dir(s.path("endings.ron")).unwrap();
    let v = validate_with_watchdog(&s.0);
    assert!(line_col(&v, "E002").0.contains("folder"));
    let big = format!(
        "// {}\n",
        "x".repeat(grayzone::scenario::load::MAX_FILE_BYTES as usize)
    );
    std::fs::write(s.path("injects.ron"), big).unwrap();
    let v = validate_with_watchdog(&s.0);
    assert!(line_col(&v, "E401").0.contains("at most"));
}

/// Known edits of the clean scenario and exactly what the validator says about each: the
/// code of its first error, and the line and column it points at, where the edited text is.
#[test]
fn known_edits_get_their_own_code_at_the_edited_place() {
    let dir = std::path::Path::new("tests/golden/clean");
    let clean: BTreeMap<&str, String> = grayzone::scenario::load::SCENARIO_FILES
        .iter()
        .map(|name| (*name, std::fs::read_to_string(dir.join(name)).unwrap()))
        .collect();
    // (file, text, replacement, code, line, column, the text found there)
    let cases: &[(&str, &str, &str, &str, usize, usize, &str)] = &[
        // A misspelt rung in an actor's threshold.
        (
            "actors.ron",
            r#"threshold: "tense""#,
            r#"threshold: "tens""#,
            "E103",
            8,
            105,
            r#""tens""#,
        ),
        // A proposal that does not exist, in an ending's condition.
        (
            "endings.ron",
            r#"AgreementInForce("deal")"#,
            r#"AgreementInForce("dael")"#,
            "E108",
            4,
            84,
            r#""dael""#,
        ),
        // The same actor id twice: reported at the second.
        (
            "actors.ron",
            r#"(id: "gamma""#,
            r#"(id: "beta""#,
            "E201",
            8,
            14,
            r#""beta""#,
        ),
        // A field that does not exist.
        (
            "actions.ron",
            "enabled: false",
            "enabeld: false",
            "E010",
            18,
            76,
            "enabeld",
        ),
        // A chance above 100.
        (
            "actions.ron",
            "chance: 100, visibility: Deniable",
            "chance: 140, visibility: Deniable",
            "E301",
            9,
            43,
            "140",
        ),
        // A missing comma between two fields.
        (
            "endings.ron",
            r#"name: "Deal", priority: 2"#,
            r#"name: "Deal" priority: 2"#,
            "E003",
            4,
            35,
            "priority",
        ),
    ];
    for &(file, from, to, code, line, col, there) in cases {
        assert!(clean[file].contains(from), "{file} has {from}");
        let mut edited = clean.clone();
        edited.insert(file, clean[file].replacen(from, to, 1));
        let v = validate_texts("t", &edited);
        let first = v
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .unwrap_or_else(|| panic!("{file}: {from} -> {to}: no error"));
        let loc = first.location.as_ref().expect("a location");
        assert_eq!(
            (first.code, loc.file.as_str()),
            (code, format!("t/{file}").as_str()),
            "{to}: {}",
            first.message
        );
        assert_eq!(
            v.sources.line_col(loc),
            Some((line, col)),
            "{to}: {}",
            first.message
        );
        let text: String = edited[file]
            .lines()
            .nth(line - 1)
            .unwrap()
            .chars()
            .skip(col - 1)
            .collect();
        assert!(text.starts_with(there), "{to}: points at {text:?}");
        assert!(v.failed(false), "{to}: the validation passed");
    }
}
