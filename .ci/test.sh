#!/usr/bin/env bash
# The test command (README): formatting, lints, rules without the renderer, then the full build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --check
cargo clippy --no-default-features --all-targets -- -D warnings
cargo test --no-default-features
cargo clippy --all-targets -- -D warnings
cargo test
if [ -x .ci/screenshots.sh ]; then
    bash .ci/screenshots.sh
fi
if [ -x .ci/live_edit.sh ]; then
    bash .ci/live_edit.sh
fi
