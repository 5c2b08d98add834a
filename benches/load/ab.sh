#!/bin/bash
# An A/B of two smpolicy binaries under the load test's server and wrk
# settings (short answers, SQLite log with --sync full, 32 connections, 15 s),
# printing the RESULT line and the server's CPU per decision.
#
#   bash benches/load/ab.sh OLD-BINARY no    # a binary whose tokens file has no "rate" field
#   bash benches/load/ab.sh NEW-BINARY yes   # one with per-token rate limits ("rate": "unlimited")
set -u
bin=$(realpath "$1"); cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/ab.XXXX); mkdir $work/policies; cp policies/*.policy $work/policies/
TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n'); export TOKEN
sha=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
if [ "$2" = yes ]; then printf '{"tokens": [{"name": "load", "sha256": "%s", "scopes": ["decide"], "rate": "unlimited"}]}\n' $sha > $work/tokens.json
else printf '{"tokens": [{"name": "load", "sha256": "%s", "scopes": ["decide"]}]}\n' $sha > $work/tokens.json; fi
$bin serve --policies $work/policies --listen 127.0.0.1:18490 --tokens $work/tokens.json --log $work/log.sqlite --sync full 2>$work/server.log &
server=$!
for _ in $(seq 100); do grep -q "listening on" $work/server.log && break; sleep 0.1; done
export EXPLAIN=false
wrk -t2 -c32 -d15s --latency -s benches/load/decide.lua http://127.0.0.1:18490 | grep RESULT
ticks=$(awk '{print $14 + $15}' "/proc/$server/stat"); kill $server; wait $server 2>/dev/null
n=$($bin log --log $work/log.sqlite | wc -l)
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "server CPU %.1f us per decision (%d)\n", t / hz / n * 1e6, n }'
rm -rf $work
