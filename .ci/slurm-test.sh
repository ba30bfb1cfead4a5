#!/usr/bin/env bash
# A sharded sweep through a real Slurm cluster: starts a single-node cluster on this machine
# (munge, slurmctld, slurmd; run as root, no systemd, no cgroups, no accounting), writes the
# array job with `grayzone simulate --emit-slurm`, submits it, waits for the merge and checks
# that the merged result equals the unsharded run byte for byte. The daemons are stopped by
# their PIDs whatever happens.
#
#   bash .ci/slurm-test.sh            CI: 4 shards x 250 games with the dev build tests use
#   bash .ci/slurm-test.sh --long     1,000,000 games in 20 shards with the release build, each
#                                     task measured by /usr/bin/time -v (wall time, games/s,
#                                     peak memory per task); no unsharded comparison
#
# Needs the Debian packages slurm-wlm and munge (.ci/run installs them) and root.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

mode=ci
case "${1:-}" in
    "") ;;
    --long) mode=long ;;
    *) echo "usage: bash .ci/slurm-test.sh [--long]" >&2; exit 2 ;;
esac

target="${CARGO_TARGET_DIR:-$repo/target}"
if [ "$mode" = long ]; then
    grayzone="$target/release/grayzone"
    games=${GRAYZONE_SLURM_GAMES:-1000000}
    shards=${GRAYZONE_SLURM_SHARDS:-20}
    build_hint="cargo build --release --no-default-features"
else
    grayzone="$target/debug/grayzone"
    games=${GRAYZONE_SLURM_GAMES:-1000}
    shards=${GRAYZONE_SLURM_SHARDS:-4}
    build_hint="cargo build (or cargo test)"
fi
if [ ! -x "$grayzone" ]; then
    echo "slurm-test: no grayzone program at $grayzone; build it first: $build_hint" >&2
    exit 1
fi
for tool in munged slurmctld slurmd sbatch scontrol squeue sinfo setpriv; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "slurm-test: $tool is missing; install the Debian packages slurm-wlm and munge" >&2
        exit 1
    fi
done
if [ "$mode" = long ] && [ ! -x /usr/bin/time ]; then
    echo "slurm-test: --long measures each task with /usr/bin/time; install the Debian package time" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "slurm-test: the single-node cluster runs as root (munge's and Slurm's folders); run it as root" >&2
    exit 1
fi

# Seconds since `from` (an $EPOCHREALTIME), one decimal.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
started=$EPOCHREALTIME
work=$(mktemp -d /tmp/grayzone-slurm.XXXXXX)
pids=()
expected_pid=
stop_daemons() {
    local status=$?
    if [ -n "${expected_pid:-}" ]; then
        kill "$expected_pid" 2>/dev/null || true
        wait "$expected_pid" 2>/dev/null || true
    fi
    # Newest first: slurmd, slurmctld, then munged; each by the PID it was started with.
    local i
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null || true
    done
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        local waited=0
        while kill -0 "${pids[i]}" 2>/dev/null && [ $waited -lt 50 ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    if [ $status -ne 0 ]; then
        echo "slurm-test: FAILED; the daemons' logs:" >&2
        for log in "$work"/slurmctld.log "$work"/slurmd.log "$work"/munged.log "$work/job dir"/logs/*; do
            [ -f "$log" ] && { echo "== $log" >&2; tail -n 30 "$log" >&2; }
        done
    fi
    rm -rf "$work"
    exit $status
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

# munge: the package creates the key; its runtime folder is ours to create.
if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
fi
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --force --log-file="$work/munged.log" >"$work/munged.out" 2>&1 &
pids+=($!)

host=$(hostname -s)
node=gzci
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=grayzone-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=300
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

# The daemons' PIDs are their own (setpriv and the redirections exec, nothing forks in between).
# Wait for munge's socket before the Slurm daemons authenticate through it.
for _ in $(seq 100); do
    [ -S /run/munge/munge.socket.2 ] && break
    sleep 0.1
done
slurmctld -D -i >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$node" >"$work/slurmd.out" 2>&1 &
pids+=($!)

# Ready when the node is idle.
for _ in $(seq 300); do
    state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.1
done
if [ "$state" != idle ]; then
    echo "slurm-test: the node did not become idle within 30 s (state: ${state:-none})" >&2
    exit 1
fi
echo "slurm-test: single-node cluster up in $(since "$started") s ($cpus CPUs)"

scenario=scenarios/forward_defense_2022
job="$work/job dir"   # a space on purpose: the emitted scripts must quote every path
seed=11
# Scripted doctrines for every state (the analysis setting a sweep is sized by; planning bots
# play futures ahead each turn and cost far more per game, docs/performance.md).
"$grayzone" simulate "$scenario" --runs "$games" --seed "$seed" --doctrine measured --bots russia=hawk \
    --csv "$job/merged.csv" --json "$job/merged.json" --emit-slurm "$job" --shards "$shards" --job-name grayzone-ci-sweep
if [ "$mode" = long ]; then
    # Measure each task: wrap the shard command in /usr/bin/time -v (wall time, peak memory).
    sed -i 's|^exec |exec /usr/bin/time -v |' "$job/shard.sbatch"
    grep -q '^exec /usr/bin/time -v ' "$job/shard.sbatch"
fi

# The unsharded run, for comparison, while the cluster plays the shards.
if [ "$mode" = ci ]; then
    "$grayzone" simulate "$scenario" --runs "$games" --seed "$seed" --doctrine measured --bots russia=hawk \
        --csv "$work/expected.csv" --json "$work/expected.json" > "$work/expected.txt" 2>/dev/null &
    expected_pid=$!
fi

submitted=$EPOCHREALTIME
limit=$([ "$mode" = long ] && echo 7200 || echo 120)
"$job/submit.sh" | tee "$work/submitted"
merge=$(sed -n 's/^merge: job \([0-9]*\)$/\1/p' "$work/submitted")
# The merge runs once every shard succeeded, and is cancelled if one failed: wait for its end.
while :; do
    state=$(scontrol -o show job "$merge" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case "$state" in
        COMPLETED) break ;;
        PENDING | RUNNING | CONFIGURING | COMPLETING) ;;
        *) echo "slurm-test: the merge job ended $state" >&2; squeue >&2 || true; exit 1 ;;
    esac
    if [ "$(since "$submitted" | cut -d. -f1)" -ge "$limit" ]; then
        echo "slurm-test: the merge job did not end within $limit s" >&2
        squeue >&2 || true
        exit 1
    fi
    sleep 0.5
done
wall=$(since "$submitted")
echo "slurm-test: $games games in $shards shards, submitted to merged in $wall s ($(awk -v g="$games" -v w="$wall" 'BEGIN { printf "%.0f", g / w }') games/s)"

if [ "$mode" = ci ]; then
    wait "$expected_pid"
    expected_pid=
    cmp "$work/expected.txt" "$job/result.txt"
    cmp "$work/expected.csv" "$job/merged.csv"
    cmp "$work/expected.json" "$job/merged.json"
    echo "slurm-test: the merged summary, CSV and JSON equal the unsharded run byte for byte"
else
    echo "slurm-test: per task (from /usr/bin/time -v; $((games / shards)) games each):"
    for log in "$job"/logs/shard-*.out; do
        awk -v name="$(basename "$log")" -v games=$((games / shards)) '
            /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + t[i] }
            /User time/ { user = $NF }
            /System time/ { sys = $NF }
            /Maximum resident set size/ { kib = $NF }
            END { printf "  %s: wall %.1f s, CPU %.1f s, %.0f games per CPU-second, peak memory %.1f MiB\n", name, wall, user + sys, games / (user + sys), kib / 1024 }
        ' "$log"
    done
    echo "slurm-test: partial results: $(du -ch "$job"/partials/*.partial | tail -n 1 | cut -f1) for $shards shards"
    if [ -n "${GRAYZONE_SLURM_RESULT:-}" ]; then
        cp "$job/result.txt" "$GRAYZONE_SLURM_RESULT"
    fi
    head -n 12 "$job/result.txt"
fi
echo "slurm-test: passed in $(since "$started") s"
