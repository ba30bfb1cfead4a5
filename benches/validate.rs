//! Validator benchmark: a generated scenario of 2,000 actions and 200 actors.
//!
//! Run with `cargo bench --no-default-features --bench validate` (a release
//! build). Prints the size of the input and the median and best of 15 runs.

use std::time::{Duration, Instant};

use grayzone::scenario::validate::{FILE_TYPES, validate_texts};
use grayzone::scenario::{load, schema, spans};

#[path = "support/large_scenario.rs"]
mod large_scenario;

fn main() {
    let files = large_scenario::generate(200, 2000);
    let bytes: usize = files.values().map(String::len).sum();
    // Warm up, and check the benchmark measures a clean, complete validation.
    let v = validate_texts("generated", &files);
    assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics.first());
    assert!(v.scenario.is_some());
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            let v = validate_texts("generated", &files);
            let t = start.elapsed();
            assert!(v.scenario.is_some());
            t
        })
        .collect();
    times.sort();
    phases(&files);
    println!(
        "validate: 200 actors, 2000 actions, {} KiB of RON: median {:.1} ms, best {:.1} ms (limit 200 ms)",
        bytes / 1024,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
}

/// Where the time goes: reading spans, checking structure, building the model.
fn phases(files: &std::collections::BTreeMap<&'static str, String>) {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..5 {
            f();
        }
        start.elapsed().as_secs_f64() * 1e3 / 5.0
    };
    let read = time(&mut || {
        for text in files.values() {
            spans::parse(text).unwrap();
        }
    });
    let roots: Vec<(&str, spans::Node)> = FILE_TYPES
        .iter()
        .filter_map(|(name, ty, _)| Some((*ty, spans::parse(files.get(name)?).unwrap())))
        .collect();
    let check = time(&mut || {
        for (ty, root) in &roots {
            let _ = schema::check(root, ty);
        }
    });
    let model = time(&mut || {
        let path = std::path::Path::new("actions.ron");
        let _: grayzone::scenario::ActionsFile =
            load::parse_ron(path, &files["actions.ron"]).unwrap();
        let _: grayzone::scenario::ActorsFile =
            load::parse_ron(path, &files["actors.ron"]).unwrap();
    });
    println!("phases: read {read:.1} ms, structure {check:.1} ms, typed model (ron) {model:.1} ms");
}
