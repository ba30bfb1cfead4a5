#!/usr/bin/env bash
# Live edit test: the game on the board with its window asleep (as a facilitator's is between
# key presses), a scenario file saved slowly (cut to nothing, a pause, then written) while
# another X window has focus, then again with the game window focused. The game (with
# GRAYZONE_LIVE_EDIT_PROBE=1) logs the time from the file's change to the second frame drawn
# with the edit on screen, and the notice it showed. Fails if the edit never shows, or shows
# an error (the half-written file must never be validated). The bound is generous (10 s) so a
# loaded machine does not make it flake; the measured latency is printed.
#
# Usage: .ci/live_edit.sh [output-folder]   (default: target/live-edit)
# Needs: xvfb-run (packages xvfb, xauth), mesa-vulkan-drivers, python3 with tkinter.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-target/live-edit}"
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cargo build --quiet
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/grayzone"
case "${CARGO_TARGET_DIR:-}" in /*) bin="$CARGO_TARGET_DIR/debug/grayzone" ;; esac

run_once() {
  local name="$1" focus="$2"
  local dir="$out/$name"
  mkdir -p "$dir"
  cp -r scenarios/forward_defense_2022 "$dir/scenario"
  cat >"$dir/session.sh" <<SESSION
set -euo pipefail
GRAYZONE_LIVE_EDIT_PROBE=1 GRAYZONE_SAVES="$dir/saves" WGPU_BACKEND=vulkan \
  "$bin" play --scenario "$dir/scenario" >"$dir/game.log" 2>&1 &
game=\$!
for _ in \$(seq 600); do
  grep -q "board ready" "$dir/game.log" && break
  kill -0 \$game 2>/dev/null || { echo "the game exited early"; exit 1; }
  sleep 0.5
done
grep -q "board ready" "$dir/game.log" || { echo "the board never came up"; kill \$game; exit 1; }
other=
if [ "$focus" = other ]; then
  # Another window takes the keyboard focus (XSetInputFocus) and keeps it.
  python3 -c '
import tkinter
root = tkinter.Tk()
root.title("editor")
tkinter.Text(root).pack()
def grab():
    root.focus_force()
    root.after(200, grab)
root.after(100, grab)
root.mainloop()
' &
  other=\$!
fi
sleep 3
# A slow two-step save: cut to nothing, a pause, then the edited text.
file="$dir/scenario/actors.ron"
text="\$(cat "\$file")"
: >"\$file"
sleep 0.15
printf '%s\n' "\${text/name: \"Ukraine\"/name: \"Ukraine (edited live)\"}" >"\$file"
for _ in \$(seq 100); do
  kill -0 \$game 2>/dev/null || break
  sleep 0.1
done
[ -n "\$other" ] && kill \$other 2>/dev/null || true
if kill -0 \$game 2>/dev/null; then
  kill \$game
  echo "the edit did not reach the screen within 10 s"
  exit 1
fi
SESSION
  xvfb-run -a -s "-screen 0 1920x1080x24" bash "$dir/session.sh" || {
    echo "live edit ($name): failed; see $dir/game.log" >&2
    return 1
  }
  local line
  line="$(grep "edit on screen" "$dir/game.log" || true)"
  if [ -z "$line" ]; then
    echo "live edit ($name): no latency in $dir/game.log" >&2
    return 1
  fi
  if ! grep -q "applied from turn" <<<"$line"; then
    echo "live edit ($name): the screen showed something else than the applied edit: $line" >&2
    return 1
  fi
  echo "live edit ($name): ${line#*live edit probe: }"
}

run_once unfocused other
run_once focused game
