#!/usr/bin/env bash
# The test command (README): formatting, lints, rules without the renderer, then the full build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --check
cargo clippy --no-default-features --all-targets -- -D warnings
cargo test --no-default-features
# Balance you can see: a small doctrine matrix (36 cells of 8 games, quick planners) that fails
# the build if the command breaks; the full matrices are measured by hand (README).
cargo run --no-default-features -- simulate scenarios/tutorial_first_contact \
    --matrix arden,borvia --runs 8 --quick-planner > /dev/null
cargo clippy --all-targets -- -D warnings
cargo test
if [ -x .ci/screenshots.sh ]; then
    bash .ci/screenshots.sh
fi
