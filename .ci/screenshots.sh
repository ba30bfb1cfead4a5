#!/usr/bin/env bash
# Screenshot test: plays a scripted session through every screen under a virtual X server with
# Mesa's software Vulkan (lavapipe), driven by key presses and clicks on the real buttons, and
# checks every screen by its content (the texts it must show, no secret, nothing clipped or off
# the window, no overlapping panels, every button showing its key): the game exits 1 with a
# message naming the screen and the node if a check fails. Then a shorter walk of the main
# screens at 1280x720, 1600x900 and 2560x1440 with the same checks. Fails too if a PNG is
# missing or blank.
#
# Usage: .ci/screenshots.sh [output-folder]   (default: target/screenshots)
# Needs: xvfb-run (packages xvfb, xauth) and mesa-vulkan-drivers.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-target/screenshots}"
rm -rf "$out"
mkdir -p "$out"

expected=(
  01-title 02-picker 03-setup 04-briefing 05-board 06-curtain 07-orders 08-reveal
  09-board-turn-6 10-orders-second-team 11-debrief 12-reload-error
  13-debrief-attribution 14-debrief-decisions 15-debrief-turning-points 16-debrief-what-if
  17-reload-applied 18-reload-waiting 19-turn-briefing 20-news-briefing
  21-console-curtain 22-console
)

cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/grayzone"

status=0
GRAYZONE_SCREENSHOTS="$out" GRAYZONE_SAVES="$out/saves" WGPU_BACKEND=vulkan \
  xvfb-run -a -s "-screen 0 1920x1080x24" "$bin" >"$out/run.log" 2>&1 || status=$?
grep -E "screens captured|interactive|frame time|ERROR|panicked" "$out/run.log" || true
if [ "$status" -ne 0 ]; then
  echo "screenshots: the scripted session failed (exit $status); see $out/run.log" >&2
  exit 1
fi

# The main screens at the other window sizes (the full walk above is 1920x1080).
sizes=(1280x720 1600x900 2560x1440)
short=(01-title 02-picker 03-setup 04-briefing 20-news-briefing 05-board 06-curtain 07-orders 10-orders-second-team
  08-reveal 09-board-turn-2 21-console-curtain 22-console 11-debrief)
for size in "${sizes[@]}"; do
  dir="$out/sizes/$size"
  mkdir -p "$dir"
  status=0
  GRAYZONE_SCREENSHOTS="$dir" GRAYZONE_SCREENSHOTS_SCRIPT=sizes GRAYZONE_WINDOW="$size" \
    GRAYZONE_SAVES="$dir/saves" WGPU_BACKEND=vulkan \
    xvfb-run -a -s "-screen 0 2560x1440x24" "$bin" >"$dir/run.log" 2>&1 || status=$?
  grep -E "screens captured|ERROR|panicked" "$dir/run.log" | sed "s/^/$size: /" || true
  if [ "$status" -ne 0 ]; then
    echo "screenshots: the walk at $size failed (exit $status); see $dir/run.log" >&2
    exit 1
  fi
  for name in "${short[@]}"; do
    if [ ! -s "$dir/screenshot-$name.png" ]; then
      echo "screenshots: missing $dir/screenshot-$name.png" >&2
      exit 1
    fi
  done
done

fail=0
for name in "${expected[@]}"; do
  png="$out/screenshot-$name.png"
  if [ ! -s "$png" ]; then
    echo "screenshots: missing $png" >&2
    fail=1
    continue
  fi
  # A single-colour 1920x1080 PNG compresses to a few kilobytes; a real screen does not.
  size=$(wc -c <"$png")
  if [ "$size" -lt 20000 ]; then
    echo "screenshots: $png looks blank ($size bytes)" >&2
    fail=1
  fi
done
if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "screenshots: ${#expected[@]} screens captured in $out, ${#short[@]} at each of ${sizes[*]}"
