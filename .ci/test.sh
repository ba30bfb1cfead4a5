#!/usr/bin/env bash
# The test command (README): formatting, lints, rules without the renderer, then the full build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --check
cargo clippy --no-default-features --all-targets -- -D warnings
# Each test runs once: everything here, then only what needs the `gui` feature (below); the
# results of both runs are kept to print the number of distinct tests run.
tests_log=$(mktemp)
cargo test --no-default-features | tee "$tests_log"
# The balance gate: every shipped scenario, a few hundred games under its own bots; an ending
# never reached (unless declared rare) or above its max_share fails the run (docs/analysis.md).
for scenario in scenarios/*/; do
    cargo run --quiet --no-default-features -- simulate "$scenario" --runs 300 --check > /dev/null
done
# Balance you can see: a small doctrine matrix (36 cells of 8 games, quick planners) that fails
# the build if the command breaks; the full matrices are measured by hand (README).
cargo run --no-default-features -- simulate scenarios/tutorial_first_contact \
    --matrix arden,borvia --runs 8 --quick-planner > /dev/null
cargo clippy --all-targets -- -D warnings
cargo test --lib gui:: | tee -a "$tests_log"
cargo test --test room_gui | tee -a "$tests_log"
cargo test --test autosave | tee -a "$tests_log"
awk '/^test result:/ { ran += $4; ignored += $8 }
     END { printf "distinct tests run: %d (%d ignored)\n", ran, ignored }' "$tests_log"
rm -f "$tests_log"
# A sharded sweep through a single-node Slurm cluster, with the binary `cargo test` just built.
bash .ci/slurm-test.sh
# The room with real windows: the projector and the facilitator's console under Xvfb while two
# teams order from headless Chromium (screenshots kept in target/room-screenshots).
GRAYZONE_ROOM_SHOTS="${CARGO_TARGET_DIR:-target}/room-screenshots" \
  cargo test --test room_gui -- --ignored --nocapture
if [ -x .ci/screenshots.sh ]; then
    bash .ci/screenshots.sh
fi
if [ -x .ci/live_edit.sh ]; then
    bash .ci/live_edit.sh
fi
