#!/bin/bash
# What the server does in the kernel per decision, under the load test's
# settings (tokens, the chained SQLite log, --sync full, short answers): wrk
# for DURATION (default 10s) with CONNECTIONS (default 32), `perf stat` on the
# server process (all its threads) for the whole run; every count is divided
# by the decisions the log holds at the end. Software counters and
# tracepoints only (this machine has no hardware counters); the counts per
# decision depend on how many decisions share a commit, so compare binaries
# in the same run, alternating.
#
#   bash benches/load/stat.sh OLD-BINARY NEW-BINARY ...   # one run each, in turn
#   WORKERS=1 bash benches/load/stat.sh BINARY             # the server on one worker thread
set -u
cd "$(dirname "$0")/../.."
. benches/load/server.sh
export EXPLAIN=false
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WORKERS=${WORKERS:-}   # the server's --threads (default: one per CPU)
EVENTS=task-clock,context-switches,cpu-migrations,sched:sched_wakeup,raw_syscalls:sys_enter,syscalls:sys_enter_futex,syscalls:sys_enter_pread64,syscalls:sys_enter_pwrite64,syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_recvfrom,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_fcntl
for b in "$@"; do
  bin=$(realpath "$b")
  start_server "$bin" 18497 --sync full ${WORKERS:+--threads "$WORKERS"} || exit 1
  perf stat -x, -e "$EVENTS" -p "$server" -o "$work/perf.out" &
  perf=$!
  sleep 0.2
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s benches/load/decide.lua http://127.0.0.1:18497 >"$work/wrk.out"
  kill -INT "$perf"
  wait "$perf" 2>/dev/null
  kill "$server"
  wait "$server" 2>/dev/null
  n=$("$bin" log --log "$work/log.sqlite" | wc -l)
  echo "== $b: $(grep RESULT "$work/wrk.out"), load $(cut -d' ' -f1 /proc/loadavg)"
  echo "   $n decisions logged; per decision:"
  awk -F, -v n="$n" '$1 ~ /^[0-9.]+$/ { u = ($2 == "msec") ? 1000 : 1; printf "   %-40s %10.3f\n", $3 ($2 == "msec" ? " (us)" : ""), $1 * u / n }' "$work/perf.out"
  rm -rf "$work"
done
