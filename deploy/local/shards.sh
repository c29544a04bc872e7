#!/bin/sh
# fdrace: one exhaustive check split into N shards on this machine, JOBS at a time, with xargs -P; then the
# merged verdict (docs/scale-out.md). Extra arguments go to every `fdrace check` (e.g. --storage fingerprint).
#
#   deploy/local/shards.sh SCENARIO N [JOBS] [check options...]
#
# Results (shard-I.json, hashes-I.bin) go to $FDRACE_OUT (default: ./fdrace-shards). Exit status: fdrace merge's.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 SCENARIO N [JOBS] [check options...]" >&2
  exit 2
fi
SCENARIO=$1
N=$2
shift 2
JOBS=2
if [ $# -gt 0 ]; then
  case $1 in -*) ;; *) JOBS=$1; shift ;; esac
fi
OUT=${FDRACE_OUT:-fdrace-shards}
FDRACE=${FDRACE:-$(dirname "$0")/../../bin/fdrace.mjs}
export SCENARIO N OUT FDRACE
mkdir -p "$OUT"
rm -f "$OUT"/shard-*.json "$OUT"/hashes-*.bin
# Each shard's verdict is in its result; only a failure to produce one (exit 1 or 2) stops the run.
seq 0 $((N - 1)) | xargs -P "$JOBS" -I{} sh -c '
  i=$1; shift
  node "$FDRACE" check "$SCENARIO" --shard "$i/$N" --json --quiet --no-trace \
    --state-hashes "$OUT/hashes-$i.bin" "$@" > "$OUT/shard-$i.json"
  rc=$?
  case $rc in 0|10|11|12) exit 0 ;; *) echo "shard $i failed (exit $rc)" >&2; exit 255 ;; esac
' sh {} "$@"
exec node "$FDRACE" merge "$OUT"/shard-*.json
