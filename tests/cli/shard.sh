#!/usr/bin/env bash
# End-to-end checks of sharded sweeps: `relu-lab sweep --shard K/N` partials merged by
# `relu-lab merge` equal the whole sweep bit for bit (the JSON but its elapsed_seconds line,
# the CSV exactly), and every refusal names its fault. docs/scaling.md shows the use.
# Usage: tests/cli/shard.sh /path/to/relu-lab
set -u
USAGE="shard.sh /path/to/relu-lab"
. "$(dirname "$0")/lib.sh"
expect_ok() {
  run "$@"
  if [ "$rc" -ne 0 ]; then fail "relu-lab $*: exit $rc: $(head -c 300 "$T/err")"; return 1; fi
  pass
}
expect_error() {
  local want=$1
  shift
  run "$@"
  if [ "$rc" -ne 2 ]; then fail "relu-lab $*: exit $rc, expected 2"
  elif [ "$(wc -l <"$T/err")" -ne 1 ]; then fail "relu-lab $*: expected one stderr line: $(cat "$T/err")"
  elif ! grep -qF -- "$want" "$T/err"; then fail "relu-lab $*: '$(cat "$T/err")' lacks '$want'"
  else pass; fi
}
# same_result NAME WHOLE.json MERGED.json: equal but for the wall-clock line, which both have.
same_result() {
  if [ "$(grep -c '^ "elapsed_seconds": ' "$2")" -ne 1 ] || [ "$(grep -c '^ "elapsed_seconds": ' "$3")" -ne 1 ]; then
    fail "$1: elapsed_seconds line missing"
  elif cmp -s <(grep -v '^ "elapsed_seconds": ' "$2") <(grep -v '^ "elapsed_seconds": ' "$3"); then
    pass
  else
    fail "$1: the merged JSON differs from the whole sweep's: $(diff <(grep -v elapsed_seconds "$2") <(grep -v elapsed_seconds "$3") | head -c 600)"
  fi
}

# A train sweep of 2x2 cells x 2 seeds = 8 jobs, in seconds. lr=100 diverges, so partials
# carry non-finite values; xor has no conv layers, so the channel metrics are NaN throughout.
S=(sweep --base '{"dataset":"xor","samples":100,"layers":[4]}' --axis lr=0.1,100 --axis activation=relu,elu
   --seeds 2 --steps 50 --quiet)
expect_ok "${S[@]}" --jobs 2 --out "$T/whole.json" --csv "$T/whole.csv"
# Shards with different thread counts; shard 2 writes to stdout.
expect_ok "${S[@]}" --shard 1/3 --jobs 1 --out "$T/p1.json"
expect_ok "${S[@]}" --shard 2/3 --jobs 2 && cp "$T/out" "$T/p2.json"
expect_ok "${S[@]}" --shard 3/3 --out "$T/p3.json"
"$PY" - "$T/p1.json" "$T/p2.json" "$T/p3.json" <<'PY' && pass || fail "partials: shard K holds jobs i with i % 3 == K - 1"
import json, sys
parts = [json.load(open(f)) for f in sys.argv[1:]]
ok = [[j["job"] for j in p["jobs"]] for p in parts] == [[0, 3, 6], [1, 4, 7], [2, 5]]
ok = ok and all(p["partial"]["shards"] == 3 and p["partial"]["jobs_total"] == 8 for p in parts)
ok = ok and any("nan" in j["values"] for p in parts for j in p["jobs"])  # the non-finite path is used
sys.exit(0 if ok else 1)
PY
# Merged in any order: the whole sweep's JSON and CSV.
if expect_ok merge "$T/p3.json" "$T/p1.json" "$T/p2.json" --out "$T/merged.json" --csv "$T/merged.csv"; then
  same_result "3 shards merged" "$T/whole.json" "$T/merged.json"
  cmp -s "$T/whole.csv" "$T/merged.csv" && pass || fail "merged CSV differs: $(diff "$T/whole.csv" "$T/merged.csv" | head -c 600)"
  "$PY" -c 'import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for d in (a, b): del d["elapsed_seconds"]
sys.exit(0 if a == b and b["jobs_done"] == 8 and len(b["cells"]) == 4 else 1)' "$T/whole.json" "$T/merged.json" \
    && pass || fail "merged JSON minus elapsed_seconds differs as data"
fi
# JSON on stdout too, as sweep does.
expect_ok merge "$T/p1.json" "$T/p2.json" "$T/p3.json" && same_result "merge to stdout" "$T/whole.json" "$T/out"
# The comparison sees one ulp: a partial with one value nudged merges into a different result.
"$PY" - "$T/p2.json" "$T/nudged.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
v = d["jobs"][0]["values"]
v[0] = math.nextafter(v[0], math.inf)
json.dump(d, open(sys.argv[2], "w"))
PY
if expect_ok merge "$T/p1.json" "$T/nudged.json" "$T/p3.json" --out "$T/nudged-merged.json"; then
  cmp -s <(grep -v elapsed_seconds "$T/whole.json") <(grep -v elapsed_seconds "$T/nudged-merged.json") \
    && fail "a value one ulp off still compares equal" || pass
fi

# born_dead: 3 cells over 4 shards (shard 4 holds no job and still takes part).
B=(sweep --kind born_dead --axis width=2,3,4 --axis depth=5 --trials 200 --quiet)
expect_ok "${B[@]}" --out "$T/bd-whole.json" --csv "$T/bd-whole.csv"
for k in 1 2 3 4; do expect_ok "${B[@]}" --shard "$k/4" --out "$T/bd$k.json"; done
if expect_ok merge "$T/bd4.json" "$T/bd2.json" "$T/bd3.json" "$T/bd1.json" --out "$T/bd-merged.json" --csv "$T/bd-merged.csv"; then
  same_result "born_dead shards merged" "$T/bd-whole.json" "$T/bd-merged.json"
  cmp -s "$T/bd-whole.csv" "$T/bd-merged.csv" && pass || fail "born_dead merged CSV differs"
fi
expect_ok "${S[@]}" --shard 2/3 --dry-run && check='d["runs"] == 8 and d["shard"] == "2/3" and d["shard_runs"] == 3' &&
  { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($check) else 1)" "$T/out" && pass || fail "shard dry run: $(cat "$T/out")"; }

# --shard refusals
expect_error '--shard: K must be in 1..N (got 4/3)' "${S[@]}" --shard 4/3
expect_error '--shard: K must be in 1..N (got 0/3; shards count from 1)' "${S[@]}" --shard 0/3
expect_error '--shard: N must be in 1..100000 (got 1/0)' "${S[@]}" --shard 1/0
expect_error '--shard needs K/N' "${S[@]}" --shard 2
expect_error '--shard needs K/N' "${S[@]}" --shard -1/3
expect_error '--csv: a shard writes a partial result' "${S[@]}" --shard 1/3 --csv "$T/x.csv"

# merge refusals
expect_ok "${S[@]}" --steps 60 --shard 2/3 --out "$T/other-steps.json"
expect_error "\"$T/other-steps.json\" and \"$T/p1.json\" are partials of different sweeps (\"steps\": 60 against 50)" \
  merge "$T/p1.json" "$T/other-steps.json" "$T/p3.json"
expect_ok "${S[@]}" --shard 2/4 --out "$T/of4.json"
expect_error 'is shard 2/4 and' merge "$T/p1.json" "$T/of4.json" "$T/p3.json"
expect_error 'missing shard 2/3: a merge needs all 3' merge "$T/p1.json" "$T/p3.json"
expect_error 'missing shards 1/3, 2/3' merge "$T/p3.json"
cp "$T/p2.json" "$T/p2-copy.json"
expect_error "shard 2/3 is given twice (\"$T/p2.json\" and \"$T/p2-copy.json\")" merge "$T/p1.json" "$T/p2.json" "$T/p2-copy.json" "$T/p3.json"
expect_error "\"$T/whole.json\" is a whole sweep's result, not a partial" merge "$T/whole.json"
echo '{"cells": []}' >"$T/other.json"
expect_error "\"$T/other.json\" is not a partial sweep result" merge "$T/p1.json" "$T/other.json"
head -c 300 "$T/p1.json" >"$T/cut.json"
expect_error "\"$T/cut.json\" is not valid JSON (parse error" merge "$T/cut.json" "$T/p2.json" "$T/p3.json"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["jobs"][1]["job"] = 4; json.dump(d, open(sys.argv[2], "w"))' \
  "$T/p1.json" "$T/wrong-jobs.json"
expect_error 'shard 1/3 holds jobs 0, 3, 6 (job i is in shard i % 3 + 1), but the file lists 0, 4, 6' \
  merge "$T/wrong-jobs.json" "$T/p2.json" "$T/p3.json"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["jobs"][0]["values"].pop(); json.dump(d, open(sys.argv[2], "w"))' \
  "$T/p1.json" "$T/short.json"
expect_error 'job 0 has 10 values, expected 11' merge "$T/short.json" "$T/p2.json" "$T/p3.json"
expect_error 'merge needs the partial results of every shard' merge --out "$T/m.json"
expect_error 'cannot open' merge "$T/nowhere.json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
