//! Validator benchmark: a generated scenario of 2,000 actions and 200 actors.
//!
//! Run with `cargo bench --no-default-features --bench validate` (a release
//! build). Prints the size of the input and the median and best of 15 runs.

use std::time::{Duration, Instant};

use grayzone::scenario::validate::validate_texts;

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
    println!(
        "validate: 200 actors, 2000 actions, {} KiB of RON: median {:.1} ms, best {:.1} ms (limit 200 ms)",
        bytes / 1024,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
}
