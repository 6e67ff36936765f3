# Shared by the CLI test scripts: the binary under test ($1), a python for JSON checks,
# a scratch folder, pass/fail counters and run(), which captures stdout, stderr and the exit code.
# Source it with the script's own usage line in USAGE.
BIN=${1:?usage: $USAGE}
[ -x "$BIN" ] || { echo "not executable: $BIN"; exit 2; }
# Resolve the real interpreter once: version-manager shims (pyenv) cost ~1 s a call.
PY=$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)') || { echo "python3 is needed"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run ARGS...: runs the CLI, capturing stdout, stderr and the exit code.
run() {
  "$BIN" "$@" >"$T/out" 2>"$T/err"
  rc=$?
}
