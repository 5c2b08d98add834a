#!/bin/bash
# How long the audit log's syncs take under the load test's settings (tokens,
# the chained SQLite log, --sync full, short answers, 32 connections):
# `perf trace` on the server records every fsync/fdatasync with its
# duration while wrk runs for DURATION (default 10s); printed per file
# descriptor (the write-ahead log's syncs at each commit, the database's at
# each checkpoint), with the wrk RESULT line.
#
#   bash benches/load/syncs.sh OLD-BINARY NEW-BINARY ...   # one run each, in turn
set -u
cd "$(dirname "$0")/../.."
. benches/load/server.sh
export EXPLAIN=false
DURATION=${DURATION:-10s}
for b in "$@"; do
  bin=$(realpath "$b")
  start_server "$bin" 18496 --sync full || exit 1
  perf trace -e fsync,fdatasync -p "$server" -o "$work/trace.out" &
  trace=$!
  sleep 0.3
  result=$(wrk -t2 -c32 -d"$DURATION" -s benches/load/decide.lua http://127.0.0.1:18496 | grep RESULT)
  kill -INT "$trace"
  wait "$trace" 2>/dev/null
  kill "$server"
  wait "$server" 2>/dev/null
  echo "== $b: $result, load $(cut -d' ' -f1 /proc/loadavg)"
  python3 - "$work/trace.out" <<'PY'
import re, sys
by = {}
for line in open(sys.argv[1]):
    m = re.search(r"\(\s*([0-9.]+) ms\): .*?(fsync|fdatasync)\(fd: (\d+)", line)
    if m:
        by.setdefault((m.group(2), m.group(3)), []).append(float(m.group(1)))
for (call, fd), v in sorted(by.items()):
    v.sort()
    n = len(v)
    print("   %s fd %s: %d calls, mean %.3f ms, p50 %.3f, p90 %.3f, p99 %.3f" % (call, fd, n, sum(v) / n, v[n // 2], v[int(n * .9)], v[int(n * .99)]))
PY
  rm -rf "$work"
done
