#!/usr/bin/env bash
# A real Slurm cluster of one node, started here, running examples/slurm/*.sbatch:
# the sweep of tests/slurm/small.toml as a 4-task array with a dependent merge, one
# task killed mid-way and requeued (it must resume), the merged folder compared byte
# for byte with a single process's sweep, and the whole array submitted again (every
# task must find its shard already complete and simulate nothing).
#
#   bash tests/slurm/run.sh                  # as root: installs Slurm and munge if missing
#   LOYALSIM_BIN=path/to/loyalsim bash tests/slurm/run.sh   # test that binary, no build
#   LOYALSIM_SKIP_SLURM=1 bash tests/slurm/run.sh           # skip (for developers)
#   LOYALSIM_SLURM_KEEP=1 ...                # keep the temporary folder, for a post-mortem
#
# It fails, never skips, when the cluster cannot be started: CI runs it to know that
# the scripts work under Slurm, and a skip would say nothing.
#
# The cluster is private to this run: its own munge key and munged socket, its own
# slurm.conf, state and spool in a temporary folder, ports that nothing else listens
# on. Every daemon it starts is stopped on exit, success or not.

set -euo pipefail

if [[ ${LOYALSIM_SKIP_SLURM:-} == 1 ]]; then
    echo "tests/slurm/run.sh: skipped (LOYALSIM_SKIP_SLURM=1)"
    exit 0
fi

SECONDS=0
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The Slurm and munge daemons live in sbin, which a non-login shell may not have.
export PATH=$PATH:/usr/sbin:/sbin

say() { printf '== %s (%ss)\n' "$*" "$SECONDS"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

if [[ $(id -u) != 0 ]]; then
    fail "run as root (Slurm's daemons and job launch need it), or set LOYALSIM_SKIP_SLURM=1"
fi

# ---------------------------------------------------------------------------------------
# Cleanup: every daemon this script started, by the PID it recorded, then the folder.
# ---------------------------------------------------------------------------------------
work=""
pids=()
names=()
policy_written=""
ctld_pid=""

cleanup() {
    local status=$? i t
    set +e
    # Jobs first: a job's slurmstepd outlives slurmd, and would go on running.
    # (Only while slurmctld runs: without it, squeue would wait for it.)
    if [[ -n $ctld_pid ]] && kill -0 "$ctld_pid" 2>/dev/null && squeue -h -o %i | grep -q .; then
        scancel --user=root 2>/dev/null
        for ((t = 0; t < 150; t++)); do
            squeue -h -o %i 2>/dev/null | grep -q . || break
            sleep 0.1
        done
    fi
    # Stop in reverse order of starting: slurmd, then slurmctld, then munged.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null
    done
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        # A daemon that ignores SIGTERM for 10 seconds is killed.
        for ((t = 0; t < 100; t++)); do
            kill -0 "${pids[i]}" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "${pids[i]}" 2>/dev/null; then
            echo "cleanup: ${names[i]} (pid ${pids[i]}) ignored SIGTERM; killing it" >&2
            kill -KILL "${pids[i]}" 2>/dev/null
        fi
        wait "${pids[i]}" 2>/dev/null
    done
    if [[ -n $policy_written ]]; then
        rm -f /usr/sbin/policy-rc.d
    fi
    if [[ -n $work ]]; then
        if [[ ${LOYALSIM_SLURM_KEEP:-} == 1 ]]; then
            echo "cleanup: kept $work" >&2
        else
            rm -rf "$work"
        fi
    fi
    if ((status != 0)); then
        echo "tests/slurm/run.sh: FAILED after ${SECONDS}s" >&2
    fi
    exit "$status"
}
trap cleanup EXIT

# Logs of the daemons and of every job, printed when something went wrong.
dump_logs() {
    local f
    for f in "$work"/log/* "$work"/jobs/*.out; do
        [[ -f $f ]] || continue
        echo "----- $f (last 40 lines)" >&2
        tail -n 40 "$f" >&2
    done
}

# ---------------------------------------------------------------------------------------
# The binary
# ---------------------------------------------------------------------------------------
if [[ -n ${LOYALSIM_BIN:-} ]]; then
    bin=$LOYALSIM_BIN
else
    say "building loyalsim (release)"
    (cd "$repo" && cargo build --release --quiet)
    bin=${CARGO_TARGET_DIR:-target}/release/loyalsim
    # A relative CARGO_TARGET_DIR is relative to the repository, where cargo ran.
    [[ $bin == /* ]] || bin=$repo/$bin
fi
[[ -x $bin ]] || fail "no loyalsim binary at $bin"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# ---------------------------------------------------------------------------------------
# Slurm and munge, from Debian's packages if they are missing
# ---------------------------------------------------------------------------------------
missing=()
for cmd in slurmctld slurmd sbatch scontrol squeue sinfo; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
done
for cmd in munged munge mungekey; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if ((${#missing[@]} > 0)); then
    say "installing slurm-wlm and munge (missing: ${missing[*]})"
    command -v apt-get >/dev/null || fail "missing ${missing[*]} and no apt-get to install them"
    # The packages' scripts would start system-wide daemons this script does not own
    # (and cannot stop by PID); a policy-rc.d that forbids it, as Docker images have,
    # keeps them from starting. Removed again on exit if it was written here.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_written=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        slurm-wlm munge >/dev/null
    if [[ -n $policy_written ]]; then
        rm -f /usr/sbin/policy-rc.d
        policy_written=""
    fi
    hash -r
fi
for cmd in slurmctld slurmd sbatch scontrol squeue sinfo scancel munged munge; do
    command -v "$cmd" >/dev/null || fail "$cmd is still missing after installing slurm-wlm and munge"
done
say "$(slurmctld -V), $(munged --version 2>&1 | awk '{print $1; exit}')"

work=$(mktemp -d /tmp/loyalsim-slurm.XXXXXX)
# munged wants its socket's folder searchable by all and its key's folder writable
# by nobody else.
chmod 755 "$work"
mkdir -p "$work"/{log,munge,state,spool,jobs,out}
chmod 755 "$work/munge"

# Starts a daemon in the foreground of a background job, so that its PID is known.
start() {
    local name=$1
    shift
    "$@" >"$work/log/$name.stdout" 2>&1 &
    pids+=("$!")
    names+=("$name")
}

# ---------------------------------------------------------------------------------------
# munge: a private key and a private munged, its socket in the folder
# ---------------------------------------------------------------------------------------
key=$work/munge/munge.key
socket=$work/munge/munge.socket
if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$key"
else
    dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
fi
chmod 400 "$key"
start munged munged --foreground --key-file="$key" --socket="$socket" \
    --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/munged.seed" \
    --log-file="$work/log/munged.log"
for ((t = 0; t < 100; t++)); do
    [[ -S $socket ]] && break
    sleep 0.1
done
if ! munge -n -S "$socket" | unmunge -S "$socket" >/dev/null; then
    dump_logs
    fail "munged does not answer on $socket"
fi

# ---------------------------------------------------------------------------------------
# slurm.conf: one node with what slurmd finds on this machine, one partition
# ---------------------------------------------------------------------------------------
node=$(hostname -s)
# What slurmd finds here, "NodeName=x CPUs=2 Boards=1 SocketsPerBoard=1 ...
# RealMemory=7937" (and an UpTime line), is the node's definition, less its name.
hw=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //')
[[ $hw == *CPUs=* && $hw == *RealMemory=* ]] || fail "cannot read CPUs and RealMemory from 'slurmd -C': $hw"
cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hw")

# Two ports nothing listens on (a system Slurm, or another run of this test, may use
# 6817 and 6818). /proc/net/tcp* list listening sockets with state 0A, ports in hex.
listening() {
    local hex
    hex=$(printf ':%04X' "$1")
    awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
                     END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
for ((t = 0; t < 50; t++)); do
    port=$((20000 + RANDOM % 20000))
    listening "$port" || listening $((port + 1)) || break
done

conf=$work/slurm.conf
cat >"$conf" <<EOF
ClusterName=loyalsim-test
# The address in parentheses spares a lookup of the hostname, which containers often
# lack in /etc/hosts.
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# The private munged; cred_expire is also how long a requeued job waits before it may
# start again (120 s by default): 10 s keeps the requeue step short.
AuthInfo=socket=$socket,cred_expire=10
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (a container may not have them writable): processes are tracked through
# /proc and tasks are not confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Schedule often: the test waits on the scheduler at every step.
SchedulerParameters=sched_interval=2,bf_interval=2
# No accounting (no slurmdbd): sacct is not used.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Requeueing allowed; a node that was down comes back by itself.
JobRequeue=1
ReturnToService=2
# Finished jobs stay visible to scontrol for 10 minutes: the test reads their states.
MinJobAge=600
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node $hw State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf

say "starting slurmctld and slurmd ($node, $cpus CPUs, ports $port and $((port + 1)))"
start slurmctld slurmctld -D -f "$conf"
ctld_pid=${pids[-1]}
start slurmd slurmd -D -f "$conf" -N "$node"

# Until the node is idle; a daemon that died or a minute without it is a failure.
for ((t = 0; ; t++)); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
    [[ $state == idle ]] && break
    for i in "${!pids[@]}"; do
        if ! kill -0 "${pids[i]}" 2>/dev/null; then
            dump_logs
            fail "${names[i]} exited while the cluster was starting"
        fi
    done
    if ((t >= 120)); then
        dump_logs
        fail "the node is not idle after 60 s (sinfo says '${state:-nothing}')"
    fi
    sleep 0.5
done
say "cluster up: node $node idle"

# ---------------------------------------------------------------------------------------
# Helpers on jobs
# ---------------------------------------------------------------------------------------

# "KEY=value" of every record of a job (an array: one line per task), as one field.
job_field() {
    scontrol -o show job "$1" 2>/dev/null | grep -o "\b$2=[^ ]*" | cut -d= -f2- || true
}

# Waits until no record of job $1 is pending, running or being requeued; fails after
# $2 seconds, with the logs.
wait_finished() {
    local job=$1 limit=$2 start=$SECONDS states
    while :; do
        states=$(job_field "$job" JobState)
        [[ -n $states ]] || fail "job $job is unknown to slurmctld"
        grep -Eqx 'PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|REQUEUE_FED|REQUEUE_HOLD|RESIZING|SUSPENDED|STAGE_OUT' \
            <<<"$states" || return 0
        if ((SECONDS - start > limit)); then
            scontrol show job "$job" >&2 || true
            dump_logs
            fail "job $job is not finished after ${limit}s"
        fi
        sleep 1
    done
}

# The records of job $1 (its tasks) that did not complete with exit code 0, briefly.
not_ok() {
    scontrol -o show job "$1" | grep -v 'JobState=COMPLETED .* ExitCode=0:0 ' |
        grep -o 'JobId=[^ ]*\|ArrayTaskId=[^ ]*\|JobState=[^ ]*\|Reason=[^ ]*\|ExitCode=[^ ]*' |
        paste -sd ' ' || true
}

# Fails unless every record of job $1 completed with exit code 0.
assert_all_ok() {
    local bad
    bad=$(not_ok "$1")
    if [[ -n $bad ]]; then
        dump_logs
        fail "$2: $bad"
    fi
}

# The number of finished runs a shard's partial folder has recorded (0 if none).
done_runs() {
    local state=$1/state.json
    [[ -f $state ]] || {
        echo 0
        return
    }
    grep -o '"done": *[0-9]*' "$state" | grep -o '[0-9]*$' || echo 0
}

# ---------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------
scenario=$repo/tests/slurm/small.toml
n=4
out=$work/out
jobs_dir=$work/jobs
sweep_sbatch=$repo/examples/slurm/sweep.sbatch
merge_sbatch=$repo/examples/slurm/merge.sbatch
export LOYALSIM=$bin

say "single-process reference sweep"
"$bin" sweep "$scenario" --out "$work/ref" --no-charts -q

# One CPU per task: on a two-CPU node two shards run at once, and a kill of one leaves
# the other running, as on a real cluster. The logs go to the test's folder.
say "submitting the array of $n shards and its merge"
array=$(sbatch --parsable --array=0-$((n - 1)) --cpus-per-task=1 \
    --output="$jobs_dir/%x-%A_%a.out" --chdir="$work" \
    "$sweep_sbatch" "$scenario" "$n" "$out")
merge=$(sbatch --parsable --dependency=afterok:"$array" \
    --output="$jobs_dir/%x-%j.out" --chdir="$work" \
    "$merge_sbatch" "$n" "$out" --no-charts)
say "array job $array, merge job $merge"

# The number of finished runs shard $1 has committed, once it has committed some and
# before it has finished (the shard commits every 16 runs, about every 1.7 s here).
mid_run() {
    local shard=$1 start=$SECONDS d
    while :; do
        d=$(done_runs "$out/.shard-$shard-of-$n.sweep-partial")
        if ((d > 0)); then
            echo "$d"
            return
        fi
        if [[ -d $out/shard-$shard-of-$n ]]; then
            fail "shard $shard finished before it could be stopped: small.toml is too fast for this machine"
        fi
        if ((SECONDS - start > 120)); then
            dump_logs
            fail "shard $shard has committed no run after 120 s"
        fi
        sleep 0.05
    done
}

# Waits until task $1 is no longer running; prints its state.
stopped() {
    local s t
    for ((t = 0; t < 300; t++)); do
        s=$(job_field "$1" JobState)
        if [[ $s != RUNNING && $s != COMPLETING ]]; then
            echo "$s"
            return
        fi
        sleep 0.1
    done
    fail "task $1 is still $s 30 s after it was stopped"
}

# Task 0 (shard 1) crashes: SIGKILL to its process, as an out-of-memory kill would
# send. (--batch makes it a signal to the batch step; without it, scancel turns KILL
# into a cancel, which sends SIGTERM first.) The task ends FAILED, and the array's
# afterok dependency can then never be satisfied, even after the task is requeued
# and succeeds (Slurm 22.05 remembers the failure for the array as a whole).
d=$(mid_run 1)
scancel --batch --signal=KILL "${array}_0"
s=$(stopped "${array}_0")
[[ -d $out/shard-1-of-$n ]] && fail "shard 1 finished anyway: the kill came too late"
say "killed task ${array}_0 (shard 1) with SIGKILL after $d runs: $s, exit code $(job_field "${array}_0" ExitCode)"

# Task 1 (shard 2) is requeued while it runs, as an administrator would requeue a task
# on a node going down: Slurm stops it with SIGTERM and puts it back in the queue.
# This alone leaves the merge's dependency intact.
d=$(mid_run 2)
scontrol requeue "${array}_1"
s=$(stopped "${array}_1")
[[ -d $out/shard-2-of-$n ]] && fail "shard 2 finished anyway: the requeue came too late"
say "requeued running task ${array}_1 (shard 2) after $d runs: $s"

# The recipe of examples/slurm/README.md for the task that failed: requeue it, then
# make the merge depend on each task rather than on the array, so that the tasks'
# states now count and not the failure the array remembers.
scontrol requeue "${array}_0"
dependency=afterok
for ((i = 0; i < n; i++)); do
    dependency+=":${array}_$i"
done
scontrol update jobid="$merge" dependency="$dependency"
say "requeued failed task ${array}_0: $(job_field "${array}_0" JobState); merge now $dependency"

wait_finished "$array" 300
assert_all_ok "$array" "a task of the array did not succeed after the requeue"
for i in 0 1; do
    log=$jobs_dir/loyalsim-sweep-${array}_$i.out
    grep -q 'resumed after' "$log" ||
        fail "requeued task ${array}_$i did not resume its shard; its log ends: $(tail -n 5 "$log")"
    say "task ${array}_$i $(grep 'resumed after' "$log")"
done
say "all $n tasks done"

say "merge job $merge: $(job_field "$merge" JobState) ($(job_field "$merge" Reason))"
wait_finished "$merge" 120
assert_all_ok "$merge" "the merge job did not succeed"
say "merge job $merge done"

# Every file, byte for byte, both ways (a file only in one folder is a difference).
if ! diff -r "$work/ref" "$out/merged" >"$work/diff.txt" 2>&1; then
    head -n 40 "$work/diff.txt" >&2
    fail "the merged folder differs from the single-process sweep"
fi
say "merged folder identical to the single-process sweep ($(find "$out/merged" -type f | wc -l) files)"

# ---------------------------------------------------------------------------------------
# Resubmitting the whole array: every shard is already complete; nothing may run.
# ---------------------------------------------------------------------------------------
# A shard simulated again would write the same bytes: its files' inodes and times tell.
snapshot() {
    (cd "$out" && find shard-*-of-"$n" -type f -printf '%p inode %i modified %T@ size %s\n' | sort)
}
before=$(snapshot)
again=$(sbatch --parsable --array=0-$((n - 1)) --cpus-per-task=1 \
    --output="$jobs_dir/%x-%A_%a.out" --chdir="$work" \
    "$sweep_sbatch" "$scenario" "$n" "$out")
say "resubmitted the array as job $again"
wait_finished "$again" 120
# Each task's own verdict, then one failure naming what is missing.
idempotent=1
for ((i = 0; i < n; i++)); do
    log=$jobs_dir/loyalsim-sweep-${again}_$i.out
    if ! grep -q 'already complete' "$log"; then
        echo "resubmitted task ${again}_$i did not say 'already complete'; it printed:" >&2
        grep -v '^|' "$log" | grep -v '^$' | sed 's/^/    /' | head -n 6 >&2
        idempotent=""
    fi
done
bad=$(not_ok "$again")
if [[ -n $bad ]]; then
    echo "resubmitted tasks that did not exit 0: $bad" >&2
    idempotent=""
fi
after=$(snapshot)
if [[ $before != "$after" ]]; then
    echo "resubmitting rewrote shard files (simulated again):" >&2
    diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 8 >&2 || true
    idempotent=""
fi
if [[ -z $idempotent ]]; then
    fail "resubmitting a finished array is not a no-op: 'loyalsim sweep' must exit 0 printing 'already complete' for a shard already finished with the same manifest, and simulate nothing"
fi
say "resubmitted array: every task exited 0, already complete, no file changed"

# ---------------------------------------------------------------------------------------
# The README's "On a cluster" commands, as written: only OUT is pointed into this test's
# folder, and `loyalsim` is put on the PATH (for `cargo install --path .`). They run in
# a copy of the repository's examples/ and scenarios/, so that the logs sbatch writes
# into the current folder do not land in the checkout.
# ---------------------------------------------------------------------------------------
block=$(awk '/^## On a cluster/ { in_section = 1 }
             in_section && /^```sh/ { in_block = 1; next }
             in_block && /^```/ { exit }
             in_block { print }' "$repo/README.md")
[[ $block == *"sbatch --parsable --array"* ]] || fail "no sbatch block in the README's section 'On a cluster'"
grep -q '^OUT=' <<<"$block" || fail "the README's block sets no OUT"
# (sed, not ${block//...}: the line is matched at its start, in a block of many lines.)
# shellcheck disable=SC2001
block=$(sed "s|^OUT=.*|OUT=$work/readme|" <<<"$block")
mkdir -p "$work/checkout"
cp -r "$repo/examples" "$repo/scenarios" "$work/checkout/"
say "the README's cluster commands, as written"
readme_merge=$(cd "$work/checkout" && PATH="$(dirname "$bin"):$PATH" &&
    eval "$block" >&2 && echo "$merge")
[[ $readme_merge =~ ^[0-9]+$ ]] || fail "the README's block set no merge job: '$readme_merge'"
wait_finished "$readme_merge" 300
assert_all_ok "$readme_merge" "the README's merge job did not succeed"
"$bin" sweep "$repo/scenarios/constraint_benchmark.toml" --out "$work/readme-ref" -q
if ! diff -r "$work/readme-ref" "$work/readme/merged" >"$work/diff.txt" 2>&1; then
    head -n 40 "$work/diff.txt" >&2
    fail "the README's merged folder differs from a single-process sweep of the same scenario"
fi
say "README: $work/readme/merged identical to a single-process sweep, charts included ($(find "$work/readme/merged" -type f | wc -l) files)"

echo "tests/slurm/run.sh: passed in ${SECONDS}s"
