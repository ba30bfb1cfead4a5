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
