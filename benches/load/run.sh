#!/usr/bin/env bash
# Load test of `smpolicy serve` with the SQLite audit log (the default), on
# loopback only, bounded in time. The load generator is wrk (Debian package).
#
#   bash benches/load/run.sh                 # 20 s, 64 connections, 2 wrk threads
#   DURATION=10s CONNECTIONS=32 bash benches/load/run.sh
#   EXPLAIN=false bash benches/load/run.sh   # the short answer from the compiled form
#   SYNC=normal bash benches/load/run.sh      # SQLite commits without an fsync each
#   WORKERS=1 THREADS=1 bash benches/load/run.sh   # server worker threads, wrk threads
#
# The server runs as it would exposed: with a tokens file (every request
# carries a bearer token) and the hash-chained log; every decision reads the
# actor's recorded actions for its counters.
#
# Prints wrk's report and one RESULT line (decisions/s, p50/p90/p99 in ms),
# then checks that the audit log holds one entry per acknowledged decision
# and that its hash chain holds.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18471}
SYNC=${SYNC:-full}
WORKERS=${WORKERS:-}   # the server's --threads (default: one per CPU)

if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
cargo build --release --locked --quiet
bin=${CARGO_TARGET_DIR:-target}/release/smpolicy

. benches/load/server.sh
trap 'kill "${server:-}" 2>/dev/null || true; wait "${server:-}" 2>/dev/null || true; rm -rf "${work:-}"' EXIT
start_server "$bin" "$PORT" --sync "$SYNC" ${WORKERS:+--threads "$WORKERS"}

export EXPLAIN=${EXPLAIN:-true}
echo "== wrk: explain=$EXPLAIN, sync=$SYNC, $DURATION, $CONNECTIONS connections, $THREADS threads, nproc $(nproc)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s benches/load/decide.lua \
  "http://127.0.0.1:$PORT" | tee "$work/wrk.out"

# The server's own CPU time (user + system), per decision.
ticks=$(awk '{print $14 + $15}' "/proc/$server/stat")
kill "$server"
wait "$server" 2>/dev/null || true
logged=$("$bin" log --log "$work/log.sqlite" | wc -l)
"$bin" log verify --log "$work/log.sqlite"
acked=$(sed -n 's/^RESULT requests=\([0-9]*\).*failed=\([0-9]*\).*/\1 \2/p' "$work/wrk.out" | awk '{print $1 - $2}')
echo "== audit log: $logged entries for $acked acknowledged decisions"
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$logged" \
  'BEGIN { printf "== server CPU: %.1f s, %.1f us per decision\n", t / hz, t / hz / n * 1e6 }'
# wrk may count a request it cut off at the end as failed although the server logged it.
[ "$logged" -ge "$acked" ] || { echo "decisions missing from the log"; exit 1; }
