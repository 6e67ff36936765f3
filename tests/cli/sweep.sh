#!/usr/bin/env bash
# End-to-end checks of `relu-lab sweep`: flags and config file give the same grid,
# the JSON and CSV outputs, built-in studies, one-line errors with exit 2.
# Usage: tests/cli/sweep.sh /path/to/relu-lab
set -u
USAGE="sweep.sh /path/to/relu-lab"
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
check_json() {  # name file python-expression-on-d
  if "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2"; then pass; else fail "$1: $(head -c 400 "$2")"; fi
}

expect_ok sweep --help && { grep -q -- "--axis" "$T/out" && pass || fail "sweep --help lacks --axis"; }
expect_ok sweep --list && check_json "study list" "$T/out" \
  '[s["name"] for s in d] == ["lr-dead","born-dead","init-activation","bias-lr","revival","mnist-lr","conv-lr"]'

# a 2x2 grid from flags, 2 seeds; JSON on stdout and a CSV
if expect_ok sweep --base '{"dataset":"xor","samples":100,"layers":[4]}' --axis lr=0.01,0.3 --axis activation=relu,elu \
    --seeds 2 --steps 50 --metric dead,final_loss --csv "$T/s.csv" --quiet --jobs 2; then
  cp "$T/out" "$T/flags.json"
  check_json "sweep shape" "$T/flags.json" \
    'd["jobs_done"] == 4*2 and len(d["cells"]) == 4 and d["metrics"] == ["dead","final_loss"] and d["cells"][1]["settings"] == {"lr":0.01,"activation":"elu"}'
  check_json "sweep stats" "$T/flags.json" \
    'all(len(c["metrics"]["final_loss"]["values"]) == 2 and c["metrics"]["final_loss"]["n"] == 2 and abs(c["metrics"]["final_loss"]["mean"] - sum(c["metrics"]["final_loss"]["values"])/2) < 1e-12 and abs(c["metrics"]["final_loss"]["se"] - abs(c["metrics"]["final_loss"]["values"][0]-c["metrics"]["final_loss"]["values"][1])/2) < 1e-12 for c in d["cells"])'
  [ "$(head -1 "$T/s.csv")" = "lr,activation,runs,dead_mean,dead_se,dead_n,final_loss_mean,final_loss_se,final_loss_n" ] && pass || fail "csv header: $(head -1 "$T/s.csv")"
  [ "$(wc -l <"$T/s.csv")" -eq 5 ] && pass || fail "csv rows"
fi
# the same grid from a config file gives the same numbers (threads do not change results)
cat >"$T/sweep.json" <<'JSON'
{"base": {"dataset": "xor", "samples": 100, "layers": [4]}, "axes": {"lr": [0.01, 0.3], "activation": ["relu", "elu"]},
 "seeds": 2, "steps": 50, "metrics": ["dead", "final_loss"]}
JSON
if expect_ok sweep --config "$T/sweep.json" --quiet --jobs 1 --out "$T/config.json"; then
  "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a["cells"]==b["cells"] else 1)' \
    "$T/flags.json" "$T/config.json" && pass || fail "config file and flags disagree"
fi
# list-valued axes
expect_ok sweep --axis 'layers=[4],[4,4]' --seeds 1 --steps 1 --dry-run && check_json "list axis" "$T/out" \
  'd["axes"]["layers"] == [[4],[4,4]] and d["runs"] == 2'
# built-in studies: the spec, and a born-dead sweep
expect_ok sweep --study lr-dead --dry-run && check_json "lr-dead spec" "$T/out" 'd["runs"] >= 100 and "lr" in d["axes"]'
if expect_ok sweep --kind born_dead --axis width=2,10 --axis depth=3 --trials 300 --quiet; then
  check_json "born-dead sweep" "$T/out" \
    'd["cells"][0]["metrics"]["born_dead"]["mean"] > d["cells"][1]["metrics"]["born_dead"]["mean"] and d["cells"][0]["metrics"]["born_dead"]["n"] == 300'
fi
# errors
expect_error 'unknown study "lr-ded" (did you mean "lr-dead"?)' sweep --study lr-ded
expect_error 'lr must be a finite number' sweep --axis lr=0.1,-1
expect_error 'unknown metric "deadd"' sweep --metric deadd
expect_error '--axis needs KEY=V1,V2' sweep --axis lr
expect_error 'unknown flag "--seed"' sweep --seed 3
expect_error 'cannot open' sweep --config "$T/nowhere.json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
