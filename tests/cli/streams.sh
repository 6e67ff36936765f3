#!/usr/bin/env bash
# End-to-end checks of the continual-learning streams (docs/datasets.md): the summary's
# "tasks" array has one row per finished task with its metrics, a "task N" log line each,
# the same seed gives the same summary, and the stream keys are refused where they do not apply.
# Usage: tests/cli/streams.sh /path/to/relu-lab
set -u
USAGE="streams.sh /path/to/relu-lab"
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
  elif ! grep -qF -- "$want" "$T/err"; then fail "relu-lab $*: '$(cat "$T/err")' lacks '$want'"
  else pass; fi
}
# check NAME PYTHON-EXPRESSION: evaluated with d = the last summary; passes when true.
check() {
  if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$2"; then
    pass
  else
    fail "$1: $2 is false for $(head -c 600 "$T/out")"
  fi
}

# Four tasks of 25 steps in 110 steps: four rows (the last task stays after step 100).
expect_ok train --dataset permuted-mnist14 --layers 16 --batch 16 --optimizer sgd --lr 0.05 \
  --task-steps 25 --tasks 4 --steps 110 --seed 3 --log-every 50
check "four task rows" 'len(d["tasks"]) == 4 and [t["task"] for t in d["tasks"]] == [0, 1, 2, 3]'
check "end steps" '[t["end_step"] for t in d["tasks"]] == [25, 50, 75, 100]'
check "row fields" 'all(set(t) == {"task", "end_step", "test_loss", "test_accuracy", "units", "dead_share", "dormant_share", "effective_rank", "stable_rank", "rank_samples"} for t in d["tasks"])'
check "ranges" 'all(0 <= t["test_accuracy"] <= 1 and 0 <= t["dead_share"] <= t["dormant_share"] <= 1 and 1 <= t["effective_rank"] <= 16 and t["units"] == 16 for t in d["tasks"])'
check "stream fields" 'd["task_steps"] == 25 and d["current_task"] == 3'
if [ "$(grep -c '^task [0-3] end step ' "$T/err")" -eq 4 ]; then pass; else fail "expected 4 task log lines: $(cat "$T/err")"; fi
cp "$T/out" "$T/first.json"
expect_ok train --dataset permuted-mnist14 --layers 16 --batch 16 --optimizer sgd --lr 0.05 \
  --task-steps 25 --tasks 4 --steps 110 --seed 3 --log-every 50 --quiet
if cmp -s "$T/out" "$T/first.json"; then pass; else fail "same seed, different summary"; fi

# Regression: test_loss, no accuracy; the default task length is one pass over the task's set.
expect_ok train --dataset slowly-changing-regression --samples 500 --layers 5 --batch 10 --optimizer sgd \
  --lr 0.001 --steps 200 --quiet
check "scr rows" 'd["task_steps"] == 50 and len(d["tasks"]) == 4 and all("test_accuracy" not in t and t["test_loss"] > 0 for t in d["tasks"])'
check "scr task" 'd["task"] == "regression"'

# A plain dataset has no tasks; the stream keys are refused there.
expect_ok train --dataset circle --steps 20 --quiet
check "no tasks" '"tasks" not in d'
expect_error 'task_steps applies only to a stream dataset (permuted-mnist, permuted-mnist14, slowly-changing-regression; got dataset "circle")' \
  train --dataset circle --task-steps 10
expect_error 'tasks applies only to a stream dataset' train --dataset spiral --tasks 3
expect_error 'dormant_tau must be a finite number' train --dataset permuted-mnist14 --dormant-tau 3
expect_error 'grad-dormant:TAU needs TAU in [0, 1]' train --dead-def grad-dormant:2
expect_ok train --dataset circle --steps 30 --dead-def grad-dormant:0.05 --quiet

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
