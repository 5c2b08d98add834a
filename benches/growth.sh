#!/bin/sh
# Growth of `smpolicy check` and `smpolicy eval` at 1k/10k/100k clauses of
# each kind (unnamed and named limit clauses, a chain of exceptions, plain rules): one table.
#
#   benches/growth.sh                      # builds this checkout's CLI (release, no server) and runs
#   benches/growth.sh path/to/smpolicy     # an already-built binary (e.g. an older one, to compare)
#   TIMEOUT=300 SIZES=1000,10000 KINDS=limit,exception benches/growth.sh
#
# Each run is killed after $TIMEOUT seconds (default 120); a killed size's
# larger sizes are not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 1 ]; then
    bin=$1
else
    (cd "$here/.." && cargo build --release --locked --no-default-features --bin smpolicy >&2)
    bin=${CARGO_TARGET_DIR:-$here/../target}/release/smpolicy
fi
exec python3 "$here/growth.py" "$bin" --timeout "${TIMEOUT:-120}" --sizes "${SIZES:-1000,10000,100000}" \
    --kinds "${KINDS:-limit,named-limit,exception,rule,exception-fan,channel}"
