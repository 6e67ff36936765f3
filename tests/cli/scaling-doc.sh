#!/usr/bin/env bash
# Runs the commands of docs/scaling.md as written, on a small sweep instead of the study:
# the xargs line, the GNU parallel line (when GNU parallel is installed), and the Slurm array
# script run once per task with the variables Slurm sets, each followed by its merge line;
# every merged result must equal the whole sweep (JSON but elapsed_seconds, CSV exactly).
# Usage: tests/cli/scaling-doc.sh /path/to/relu-lab
set -u
USAGE="scaling-doc.sh /path/to/relu-lab"
. "$(dirname "$0")/lib.sh"
DOC="$(cd "$(dirname "$0")/../.." && pwd)/docs/scaling.md"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")  # the commands run in another folder
cd "$T"

# The doc's commands with the small sweep: the study flags become --config tiny.json, N becomes 3,
# build/relu-lab the binary under test. Blocks are found by what they hold, lines by how they start.
cat >tiny.json <<'JSON'
{"base": {"dataset": "xor", "samples": 100, "layers": [4]}, "axes": {"lr": [0.1, 100], "activation": ["relu", "elu"]},
 "seeds": 2, "steps": 30}
JSON
"$PY" - "$DOC" "$BIN" <<'PY' || { echo "cannot read the commands of $DOC"; exit 2; }
import re, sys
doc, binary = sys.argv[1], sys.argv[2]
blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", open(doc).read(), re.S)
def small(text):
    text = re.sub(r"--study lr-dead( --full)?", "--config tiny.json", text)
    text = re.sub(r"\bN=\d+", "N=3", text)
    return text.replace("build/relu-lab", binary)
def block(must):
    found = [b for b in blocks if must in b]
    assert len(found) == 1, f"one block with {must!r} expected, found {len(found)}"
    return found[0]
def line(text, start):
    found = [l for l in text.splitlines() if l.startswith(start)]
    assert len(found) == 1, f"one line starting {start!r} expected"
    return found[0]
cores = block("parallel -j")
script = block("#SBATCH --array=")
submit = block("sbatch --parsable")
# The array's size and the script's N must agree, or shards would be missing.
assert re.search(r"--array=1-(\d+)", script).group(1) == re.search(r"^N=(\d+)", script, re.M).group(1), "array size != N"
wrap = re.search(r'--wrap "([^"]*)"', submit).group(1)
files = {
    "xargs.sh": line(cores, "N=") + "\n" + line(block("xargs -P"), "seq $N | xargs") + "\n",
    "parallel.sh": line(cores, "N=") + "\n" + line(cores, "parallel -j") + "\n",
    "merge.sh": line(cores, "build/relu-lab merge") + "\n",
    "lr-dead.sbatch": script,
    "submit-setup.sh": line(submit, "mkdir"),
    "wrap.sh": wrap + "\n",
}
for name, text in files.items():
    open(name, "w").write(small(text))
PY

"$BIN" sweep --config tiny.json --quiet --out whole.json --csv whole.csv || { echo "the whole sweep failed"; exit 2; }
# merged NAME: lr-dead.json and lr-dead.csv equal the whole sweep's.
merged() {
  if cmp -s <(grep -v '^ "elapsed_seconds": ' whole.json) <(grep -v '^ "elapsed_seconds": ' lr-dead.json) &&
     [ "$(grep -c '^ "elapsed_seconds": ' lr-dead.json)" -eq 1 ] && cmp -s whole.csv lr-dead.csv; then
    pass
  else
    fail "$1: the merged result differs from the whole sweep's"
  fi
  rm -rf parts lr-dead.json lr-dead.csv
}

# xargs -P, then the merge line
if bash -e xargs.sh 2>err && [ "$(ls parts | wc -l)" -eq 3 ] && bash -e merge.sh 2>>err; then merged "xargs"
else fail "xargs line: $(cat err)"; rm -rf parts; fi

# GNU parallel, when there is one (moreutils has another program of that name)
if command -v parallel >/dev/null && parallel --version 2>/dev/null | grep -q "GNU parallel"; then
  if bash -e parallel.sh 2>err && bash -e merge.sh 2>>err; then merged "GNU parallel"
  else fail "GNU parallel line: $(cat err)"; rm -rf parts; fi
else
  echo "GNU parallel is not installed: its line was not run"
fi

# Slurm: each array task as Slurm would start it (the #SBATCH lines are comments to bash), then the
# merge job's --wrap command.
bash -e submit-setup.sh
ok=1
for k in 1 2 3; do
  SLURM_ARRAY_TASK_ID=$k SLURM_CPUS_PER_TASK=1 bash lr-dead.sbatch 2>err || { ok=0; fail "array task $k: $(cat err)"; }
done
if [ $ok -eq 1 ]; then
  if sh wrap.sh 2>err; then merged "Slurm array"; else fail "merge job: $(cat err)"; fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
