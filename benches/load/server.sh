# Sourced by the load scripts (run.sh, stat.sh, syncs.sh): `start_server BIN PORT [SERVE-ARGS...]`
# starts BIN's service on 127.0.0.1:PORT as it would run exposed: over a copy of policies/, with a
# tokens file of one token (exported as TOKEN; the load generator asks as fast as it can, so it is
# exempt from the per-token rate limit) and the hash-chained SQLite log, both in a new directory.
# SERVE-ARGS go to `serve` (`--sync full`, `--threads N`). Sets `work` (the directory) and `server`
# (its pid); returns once the server listens, or prints its log and returns 1.
start_server() {
  local bin=$1 port=$2
  shift 2
  work=$(mktemp -d /tmp/smpolicy-load.XXXXXX)
  mkdir "$work/policies"
  cp policies/*.policy "$work/policies/"
  TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  export TOKEN
  printf '{"tokens": [{"name": "load", "sha256": "%s", "scopes": ["decide"], "rate": "unlimited"}]}\n' \
    "$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" >"$work/tokens.json"
  "$bin" serve --policies "$work/policies" --listen "127.0.0.1:$port" --tokens "$work/tokens.json" \
    --log "$work/log.sqlite" "$@" 2>"$work/server.log" &
  server=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$work/server.log" && return 0
    sleep 0.1
  done
  cat "$work/server.log"
  return 1
}
