#!/usr/bin/env bash
# End-to-end checks of the relu-lab CLI: exit codes, one-line errors, the JSON
# summary, the CSV log, weights save/load and born-dead.
# Usage: tests/cli/run.sh /path/to/relu-lab
set -u

USAGE="run.sh /path/to/relu-lab"
. "$(dirname "$0")/lib.sh"

# expect_error "message substring" ARGS...: exit 2, nothing on stdout, exactly one
# stderr line "relu-lab: error: ..." that contains the substring.
expect_error() {
  local want=$1
  shift
  run "$@"
  local lines
  lines=$(wc -l <"$T/err")
  if [ "$rc" -ne 2 ]; then
    fail "relu-lab $*: exit $rc, expected 2 ($(head -c 200 "$T/err"))"
  elif [ "$lines" -ne 1 ]; then
    fail "relu-lab $*: $lines stderr lines, expected 1: $(head -c 300 "$T/err")"
  elif ! grep -q '^relu-lab: error: ' "$T/err"; then
    fail "relu-lab $*: stderr lacks the 'relu-lab: error: ' prefix: $(cat "$T/err")"
  elif ! grep -qF -- "$want" "$T/err"; then
    fail "relu-lab $*: stderr '$(cat "$T/err")' lacks '$want'"
  elif [ -s "$T/out" ]; then
    fail "relu-lab $*: printed on stdout after an error"
  else
    pass
  fi
}

# expect_ok ARGS...: exit 0.
expect_ok() {
  run "$@"
  if [ "$rc" -ne 0 ]; then
    fail "relu-lab $*: exit $rc: $(head -c 300 "$T/err")"
    return 1
  fi
  pass
}

# check_py "description" FILE 'python expression using d (the parsed JSON)'
check_json() {
  local what=$1 file=$2 expr=$3
  if "$PY" - "$file" "$expr" <<'EOF'; then pass; else fail "$what"; fi
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
if not ok:
    print("  json was:", json.dumps(d)[:400])
sys.exit(0 if ok else 1)
EOF
}

# ---- data files ----
"$PY" - "$T/reg.csv" <<'EOF'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write("x1,x2,y\n")
    for _ in range(80):
        a, b = random.uniform(-1, 1), random.uniform(-1, 1)
        f.write(f"{a:.5f},{b:.5f},{a * b + 0.3 * a - b:.5f}\n")
EOF
printf 'x1,x2,y\n1,2,3\n4,oops,6\n' >"$T/bad.csv"
"$PY" - "$T/species.csv" "$T/binary.csv" <<'EOF'
import math, sys
names = ["setosa", "versicolor", "virginica"]
with open(sys.argv[1], "w") as f:
    f.write("petal_length,petal_width,species\n")
    for i in range(60):
        k = i % 3
        f.write(f"{1.5 + 2.2 * k + math.sin(i) * 0.6:.3f},{0.3 + 0.8 * k + math.cos(i) * 0.2:.3f},{names[k]}\n")
with open(sys.argv[2], "w") as f:
    f.write("a,b,label\n")
    for i in range(60):
        a, b = math.cos(i * 0.7), math.sin(i * 1.3)
        f.write(f"{a:.3f},{b:.3f},{1 if a + b > 0 else 0}\n")
EOF
printf '{"lr": 0.1,}' >"$T/bad.json"
printf '{"steps": 3, "layers": [6], "activation": "tanh", "lr": 0.05}' >"$T/cfg.json"

# ---- help ----
expect_ok --help && { grep -q "usage: relu-lab" "$T/out" && pass || fail "--help lacks usage"; }
expect_ok train --help && { grep -q -- "--dead-def" "$T/out" && pass || fail "train --help lacks --dead-def"; }
expect_ok born-dead --help && { grep -q -- "--width" "$T/out" && pass || fail "born-dead --help lacks --width"; }
run
[ "$rc" -eq 2 ] && pass || fail "no arguments: exit $rc, expected 2"

# ---- bad input: exit 2, one line ----
expect_error 'activation: unknown activation "relux"' train --activation relux --steps 1
expect_error 'unknown activation "nope"' train --layers 4,4 --activation relu,nope --steps 1
expect_error 'layers: width -3 is out of range 1..1024' train --layers -3
expect_error 'layers: width 0 is out of range' train --layers 8,0,8
expect_error 'width must be an integer in 1..1024 (got -3)' born-dead --width -3
expect_error 'needs a whole number' born-dead --depth two
expect_error "cannot open \"$T/missing.csv\": No such file or directory" train --dataset "csv:$T/missing.csv"
expect_error 'CSV line 3, column 2' train --dataset "csv:$T/bad.csv"
expect_error 'invalid JSON: parse error at line 1' train --config "$T/bad.json"
expect_error "cannot open \"$T/none.json\"" train --config "$T/none.json"
expect_error 'unknown flag "--lrr" (did you mean --lr?)' train --lrr 0.1
expect_error '--lr needs a value' train --lr
expect_error 'lr must be a finite number > 0 (got -1)' train --lr -1
expect_error 'dropout and alpha_dropout cannot both be non-zero' train --dropout 0.2 --alpha-dropout 0.1
expect_error 'unknown command "fly"' fly
expect_error 'unexpected argument "stray"' train stray
expect_error 'unknown dataset "spirall"' train --dataset spirall
expect_error 'dead_def' train --dead-def probe:0
expect_error 'weight_decay must be a finite number < 1 (got 1)' train --optimizer adamw --weight-decay 1
expect_error 'optimizer: unknown optimizer "adamx" (expected one of sgd, momentum, rmsprop, adam, adamw)' train --optimizer adamx

# AdamW: --weight-decay 0 is Adam to the bit; a decay changes the run; the flag under
# another optimizer changes nothing and says so on stderr (one warning line, exit 0).
if expect_ok train --optimizer adam --lr 0.01 --steps 50 --quiet; then
  cp "$T/out" "$T/adam.json"
  expect_ok train --optimizer adamw --weight-decay 0 --lr 0.01 --steps 50 --quiet &&
    { cmp -s "$T/out" "$T/adam.json" && pass || fail "adamw --weight-decay 0 differs from adam"; }
  expect_ok train --optimizer adamw --weight-decay 0.5 --lr 0.01 --steps 50 --quiet &&
    { cmp -s "$T/out" "$T/adam.json" && fail "adamw --weight-decay 0.5 is the same run as adam" || pass; }
  [ -s "$T/err" ] && fail "adamw with --weight-decay wrote to stderr: $(cat "$T/err")" || pass
  expect_ok train --optimizer adam --weight-decay 0.5 --lr 0.01 --steps 50 --quiet &&
    { cmp -s "$T/out" "$T/adam.json" && pass || fail "adam read --weight-decay"; }
  grep -q '^relu-lab: warning: --weight-decay is read by --optimizer adamw only; this run.s optimizer is adam' "$T/err" &&
    pass || fail "no warning for --weight-decay under adam: $(cat "$T/err")"
fi

# ---- train summary ----
if expect_ok train --steps 20 --layers 8,8 --seed 3 --quiet; then
  cp "$T/out" "$T/summary.json"
  check_json "summary keys" "$T/summary.json" \
    'all(k in d for k in ["steps","train_loss","test_loss","train_accuracy","test_accuracy","born_dead","diverged","layers"])'
  check_json "summary values" "$T/summary.json" \
    'd["steps"] == 20 and d["diverged"] is False and isinstance(d["train_loss"], float) and len(d["layers"]) == 2'
  check_json "layer keys" "$T/summary.json" \
    'all(set(l) >= {"width","activation","dead_fraction","silent_fraction","no_positive_fraction","states","grad_norm"} for l in d["layers"])'
  check_json "state counts" "$T/summary.json" \
    'all(set(l["states"]) == {"dead","saturated","always_on","mostly_silent","healthy"} and sum(l["states"].values()) == l["width"] for l in d["layers"])'
  [ -s "$T/err" ] && fail "--quiet still wrote to stderr" || pass
fi

# Regression on CSV (float targets): no accuracy; a quarter held out for test by default.
if expect_ok train --dataset "csv:$T/reg.csv" --steps 5 --quiet; then
  check_json "csv regression summary" "$T/out" \
    '"train_accuracy" not in d and isinstance(d["test_loss"], float) and d["steps"] == 5 and d["task"] == "regression" and "classes" not in d'
fi
if expect_ok train --dataset "csv:$T/reg.csv" --test-fraction 0 --steps 5 --quiet; then
  check_json "csv without a test split" "$T/out" 'd["test_loss"] is None'
fi

# Classification on CSV: --task auto reads text labels as classes (first appearance), 0/1 as
# binary; --task overrides; a task that does not fit the column is refused with the cell.
if expect_ok train --dataset "csv:$T/species.csv" --steps 20 --quiet; then
  check_json "csv text labels: 3 classes" "$T/out" \
    'd["task"] == "multiclass" and d["classes"] == ["setosa", "versicolor", "virginica"] and 0 <= d["test_accuracy"] <= 1 and isinstance(d["test_loss"], float)'
fi
if expect_ok train --dataset "csv:$T/binary.csv" --task auto --steps 20 --quiet; then
  check_json "csv 0/1 labels: binary" "$T/out" 'd["task"] == "binary" and d["classes"] == ["0", "1"] and 0 <= d["test_accuracy"] <= 1'
fi
if expect_ok train --dataset "csv:$T/binary.csv" --task regression --steps 5 --quiet; then
  check_json "csv --task regression" "$T/out" 'd["task"] == "regression" and "train_accuracy" not in d'
fi
if expect_ok train --dataset "csv:$T/reg.csv" --loss mse --task auto --steps 2 --quiet; then
  check_json "csv floats stay regression" "$T/out" 'd["task"] == "regression"'
fi
expect_error 'CSV line 2, column 3: "setosa" is not a number (regression needs a number in the last column' \
  train --dataset "csv:$T/species.csv" --task regression --steps 1
expect_error 'is not a whole number; task classification needs whole-number or text labels' \
  train --dataset "csv:$T/reg.csv" --task classification --steps 1
expect_error 'task: unknown value "clusters" (expected one of auto, classification, regression)' \
  train --dataset "csv:$T/binary.csv" --task clusters --steps 1

# Flags after --config override it; the rest of the file applies.
if expect_ok train --config "$T/cfg.json" --steps 2 --quiet; then
  check_json "config then flags" "$T/out" \
    'd["steps"] == 2 and d["layers"][0]["width"] == 6 and d["layers"][0]["activation"] == "tanh"'
fi

# Progress rows on stderr without --quiet.
if expect_ok train --steps 4 --log-every 2; then
  [ "$(grep -c '^step ' "$T/err")" -eq 3 ] && pass || fail "expected 3 progress rows on stderr: $(cat "$T/err")"
fi

# ---- CSV log ----
if expect_ok train --steps 20 --log-every 5 --layers 8,8 --csv "$T/log.csv" --quiet; then
  [ "$(head -1 "$T/log.csv")" = "step,train_loss,test_loss,train_accuracy,test_accuracy,grad_norm,dead_l1,dead_l2,mostly_silent_l1,mostly_silent_l2,grad_norm_l1,grad_norm_l2,prelu_slope_l1,prelu_slope_l2" ] && pass ||
    fail "CSV header: $(head -1 "$T/log.csv")"
  [ "$(wc -l <"$T/log.csv")" -eq 6 ] && pass || fail "CSV rows: expected header + 5, got $(wc -l <"$T/log.csv")"
  [ "$(cut -d, -f1 "$T/log.csv" | tail -n +2 | tr '\n' ' ')" = "0 5 10 15 20 " ] && pass ||
    fail "CSV steps: $(cut -d, -f1 "$T/log.csv" | tr '\n' ' ')"
fi
# The last step is logged even when log_every does not divide it.
if expect_ok train --steps 7 --log-every 3 --layers 4 --csv "$T/log2.csv" --quiet; then
  [ "$(cut -d, -f1 "$T/log2.csv" | tail -n +2 | tr '\n' ' ')" = "0 3 6 7 " ] && pass ||
    fail "CSV steps with remainder: $(cut -d, -f1 "$T/log2.csv" | tr '\n' ' ')"
  [ "$(head -1 "$T/log2.csv")" = "step,train_loss,test_loss,train_accuracy,test_accuracy,grad_norm,dead_l1,mostly_silent_l1,grad_norm_l1,prelu_slope_l1" ] && pass || fail "one-layer CSV header"
  # Fractions in [0, 1]; empty cells where a value does not apply: no gradient at step 0,
  # no slope for a relu layer.
  "$PY" - "$T/log2.csv" <<'PYEOF' && pass || fail "CSV cells: $(cat "$T/log2.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows[0]["grad_norm"] == "" and rows[0]["grad_norm_l1"] == "" and rows[-1]["grad_norm"] != ""
assert all(r["prelu_slope_l1"] == "" for r in rows)
for r in rows:
    for k in ("train_accuracy", "test_accuracy", "dead_l1", "mostly_silent_l1"):
        assert 0 <= float(r[k]) <= 1, (k, r[k])
PYEOF
fi

# ---- weights: save, then load reproduces the loss exactly ----
if expect_ok train --dataset "csv:$T/reg.csv" --test-fraction 0 --layers 6,5 --activation relu,prelu --steps 30 --seed 5 \
  --save-weights "$T/w.json" --csv "$T/a.csv" --quiet; then
  cp "$T/out" "$T/a.json"
  if expect_ok train --dataset "csv:$T/reg.csv" --test-fraction 0 --layers 6,5 --steps 0 --seed 99 \
    --load-weights "$T/w.json" --csv "$T/b.csv" --quiet; then
    # Losses (2-3), accuracies (4-5, empty: regression) and dead shares (7-8); b has no
    # gradient yet (grad_norm cells empty at step 0).
    [ "$(tail -1 "$T/a.csv" | cut -d, -f2-5,7-8)" = "$(tail -1 "$T/b.csv" | cut -d, -f2-5,7-8)" ] && pass ||
      fail "reloaded step-0 row '$(tail -1 "$T/b.csv")' differs from saved '$(tail -1 "$T/a.csv")'"
    if "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a["train_loss"]==b["train_loss"] else 1)' \
      "$T/a.json" "$T/out"; then pass; else fail "reloaded train_loss differs"; fi
    check_json "activation comes from the weights file" "$T/out" 'd["layers"][1]["activation"] == "prelu"'
    # The prelu layer's mean slope is logged; the relu layer's cell is empty.
    "$PY" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1])))[-1]; sys.exit(0 if r["prelu_slope_l1"]=="" and 0<float(r["prelu_slope_l2"])<1 else 1)' \
      "$T/a.csv" && pass || fail "prelu slope column: $(tail -1 "$T/a.csv")"
  fi
  check_json "weights file layout" "$T/w.json" \
    '[len(l["weight"]) for l in d["layers"]] == [6,5,1] and len(d["layers"][0]["weight"][0]) == 2 and "slope" in d["layers"][1] and d["layers"][2]["activation"] == "linear"'
  expect_error 'the file holds a 2-6-5-1 network' train --dataset "csv:$T/reg.csv" --layers 6,4 --load-weights "$T/w.json"
fi
expect_error "cannot open \"$T/nowhere.json\"" train --load-weights "$T/nowhere.json"
printf '{"layers": [' >"$T/broken.json"
expect_error 'invalid JSON' train --load-weights "$T/broken.json"

# ---- packed datasets (build/data, tools/pack-datasets.mjs) ----
if expect_ok train --dataset iris --layers 8 --steps 100 --quiet; then
  check_json "iris: multiclass with its species" "$T/out" \
    'd["task"] == "multiclass" and d["classes"] == ["setosa","versicolor","virginica"] and d["test_accuracy"] > 0.6'
fi
if expect_ok train --dataset mnist14 --samples 500 --layers 16 --steps 30 --quiet; then
  check_json "mnist14: ten digit classes" "$T/out" 'd["classes"] == [str(k) for k in range(10)] and len(d["data_fingerprint"]) == 16'
fi
expect_error "\"$T/none/mnist.bin\" cannot be read" train --dataset mnist --data-dir "$T/none"
printf '{"dataset": "mnist14", "data_dir": "%s"}' "$T/none" >"$T/datadir.json"
expect_error "\"$T/none/mnist14.bin\" cannot be read" train --config "$T/datadir.json"
expect_error 'task regression does not apply to dataset "iris"' train --dataset iris --task regression

# ---- continual-learning remedies ----
expect_ok train --help && { grep -q -- "--cbp-rate" "$T/out" && grep -q -- "--l2-init" "$T/out" && pass || fail "train --help lacks the remedies"; }
expect_error 'cbp_rate must be a finite number <= 1 (got 2)' train --cbp-rate 2
expect_error 'shrink must be a finite number > 0 (got 0)' train --shrink 0
expect_error 'cbp_maturity must be an integer >= 0' train --cbp-maturity -1
if expect_ok train --steps 200 --layers 16,16 --lr 0.5 --cbp-rate 0.01 --cbp-maturity 20 --shrink 0.9999 --perturb 1e-4 --l2-init 1e-3 --revive-every 50 --seed 4 --quiet; then
  cp "$T/out" "$T/cbp.json"
  check_json "remedies: units replaced, each with a kind-2 event" "$T/cbp.json" \
    'd["units_replaced"] > 0 and d["units_replaced"] == sum(1 for e in d["events"] if e[3] == 2) and d["diverged"] is False'
  expect_ok train --steps 200 --layers 16,16 --lr 0.5 --cbp-rate 0.01 --cbp-maturity 20 --shrink 0.9999 --perturb 1e-4 --l2-init 1e-3 --revive-every 50 --seed 4 --quiet
  cmp -s "$T/out" "$T/cbp.json" && pass || fail "remedies: the same seed gave a different summary"
fi
if expect_ok train --steps 20 --layers 8 --quiet; then
  check_json "remedies off: nothing replaced" "$T/out" 'd["units_replaced"] == 0'
fi

# ---- born-dead ----
if expect_ok born-dead --width 3 --depth 4 --trials 200 --seed 2; then
  check_json "born-dead keys" "$T/out" \
    'all(k in d for k in ["width","depth","trials","init","bias","probability","stderr","reference"])'
  check_json "born-dead values" "$T/out" \
    'd["width"] == 3 and d["depth"] == 4 and 0 <= d["probability"] <= 1 and abs(d["reference"] - (1 - (1 - 2**-3)**4)) < 1e-12'
fi
if expect_ok born-dead --width 2 --depth 6 --trials 200 --init rai --bias normal --points 51; then
  check_json "born-dead rai" "$T/out" 'd["init"] == "rai" and d["bias"] == "normal"'
fi
expect_error 'unknown flag "--widht"' born-dead --widht 3
expect_error 'unknown flag "--quiet"' born-dead --quiet

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
