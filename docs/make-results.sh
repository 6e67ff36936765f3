#!/usr/bin/env bash
# Rebuilds the native CLI, reruns every built-in study and regenerates docs/results.md,
# docs/figures/*.svg and docs/results/*.{json,csv}. About a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-lab -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-lab -j2 --target relu-lab >/dev/null
node tools/lab-figures.mjs --relu-lab build-lab/relu-lab "$@"
