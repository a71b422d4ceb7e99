#!/usr/bin/env bash
# Peers side by side: loyalsim on one thread, the same reduced-form model as a vectorised
# NumPy program, as a Numba-compiled loop and as a Mesa model, at the same parameters
# (benches/peers/peer.toml).
#
#     bash benches/peers/run.sh
#
# Creates a Python virtual environment in target/peers-venv (numpy, numba and mesa,
# pinned in benches/peers/requirements.txt), builds loyalsim in release, runs
#
#     loyalsim, NumPy and Numba at PEERS_CUSTOMERS (1,000,000) customers × PEERS_PERIODS (20),
#     loyalsim, NumPy, Numba and Mesa at PEERS_MESA_CUSTOMERS (50,000) × PEERS_PERIODS,
#
# each PEERS_REPEATS (5) times, interleaved, and keeps the best speed of each. Mesa runs
# fewer customers because it is slow; customer-steps per second do not depend on the
# population size to first order, and loyalsim, NumPy and Numba are run at Mesa's size
# too so that every ratio and every retention check is like for like. The Numba peer
# compiles its loop in each run before timing it (a warm-up call on a tiny population);
# the compile time is reported beside the table, not in the speed.
#
# Prints the table (customer-steps/s, loyalsim ÷ peer, retention with a 95% interval),
# writes it to target/peers/performance.md and into the block between
# <!-- peers:begin --> and <!-- peers:end --> of docs/performance.md (and a short one
# into README.md), and exits 1 if a peer's retention disagrees with loyalsim's beyond
# sampling error (see report.py).
# The environment variables above override the sizes; PEERS_SEED (1) the seed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

customers="${PEERS_CUSTOMERS:-1000000}"
mesa_customers="${PEERS_MESA_CUSTOMERS:-50000}"
periods="${PEERS_PERIODS:-20}"
repeats="${PEERS_REPEATS:-5}"
seed="${PEERS_SEED:-1}"
venv="target/peers-venv"
out="target/peers"
runs="$out/runs"
scenario="benches/peers/peer.toml"

say() { printf 'peers: %s\n' "$*" >&2; }
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in benches/peers/

# 1. The Python environment, rebuilt when requirements.txt changes.
stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
    say "creating $venv (numpy, numba, mesa from PyPI)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$stamp"
fi
py="$venv/bin/python"

# 2. loyalsim, release build.
say "cargo build --release"
cargo build --release --quiet
loyalsim="target/release/loyalsim"

# 3. The resolved scenario, which the peers read, so no parameter can differ.
rm -rf "$out"
mkdir -p "$runs"
"$loyalsim" validate "$scenario" >"$out/resolved.toml"

# 4. The runs, interleaved so that a burst of load on the machine hits every program.
run_loyalsim() { # customers tag
    "$loyalsim" run "$scenario" --set customers="$1" --set periods="$periods" \
        --seed "$seed" --threads 1 --no-charts --quiet --out "$runs/$2"
}
run_peer() { # script customers tag
    "$py" "$here/$1" --scenario "$out/resolved.toml" --customers "$2" \
        --periods "$periods" --seed "$seed" >"$runs/$3.json"
}
load_before="$(cut -d' ' -f1 /proc/loadavg)"
for rep in $(seq 1 "$repeats"); do
    say "repeat $rep of $repeats: loyalsim, NumPy, Numba at $customers; loyalsim, NumPy, Numba, Mesa at $mesa_customers (× $periods periods)"
    run_loyalsim "$customers" "loyalsim-$customers-$rep"
    run_peer numpy_model.py "$customers" "numpy-$customers-$rep"
    run_peer numba_model.py "$customers" "numba-$customers-$rep"
    run_loyalsim "$mesa_customers" "loyalsim-$mesa_customers-$rep"
    run_peer numpy_model.py "$mesa_customers" "numpy-$mesa_customers-$rep"
    run_peer numba_model.py "$mesa_customers" "numba-$mesa_customers-$rep"
    run_peer mesa_model.py "$mesa_customers" "mesa-$mesa_customers-$rep"
done

# 5. The machine and versions, for the table's caption.
load_after="$(cut -d' ' -f1 /proc/loadavg)"
# Read-only git queries (GIT_OPTIONAL_LOCKS=0: status must not refresh the index).
commit="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit with uncommitted changes"
fi
"$py" - "$out/machine.json" "$("$loyalsim" --version)" "$commit" "$seed" "$repeats" \
    "$load_before" "$load_after" <<'EOF'
import datetime, json, os, platform, sys
import llvmlite, mesa, numba, numpy
path, version, commit, seed, repeats, load_before, load_after = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
json.dump({
    "date": datetime.date.today().isoformat(),
    "cpu": cpu,
    "cores": os.cpu_count(),
    "memory_gib": round(kib / 2**20),
    "loyalsim": f"{version.split()[-1]} ({commit})",
    "python": platform.python_version(),
    "numpy": numpy.__version__,
    "numba": numba.__version__,
    "llvmlite": llvmlite.__version__,
    "mesa": mesa.__version__,
    "seed": int(seed),
    "repeats": int(repeats),
    "load_before": load_before,
    "load_after": load_after,
}, open(path, "w"), indent=2)
EOF

# 6. The table, the agreement check, the docs.
cd "$here"
exec "$root/$py" report.py --runs "$root/$runs" --resolved "$root/$out/resolved.toml" \
    --machine "$root/$out/machine.json" --markdown "$root/$out/performance.md" \
    --doc "$root/docs/performance.md" --readme "$root/README.md"
