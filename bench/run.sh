#!/usr/bin/env bash
# The whole wasm benchmark in one command (see bench/run.mjs for what it measures):
#   bash bench/run.sh [--reps N] [--no-tf] [--no-browser] [--json FILE]
# Needs the wasm build in build-wasm/ (bash playground.sh wasm). Prints the steps/s tables, the
# monitor cost on MNIST's shape (monitor off against the page's default cadence, web/monitor-cadence.js),
# then the layer-product table (GFLOP/s). Prepares, if missing:
# bench/node_modules (TF.js 4.22 + wasm backend, playwright-core; benchmark only) and a
# native relu-bench built with -O3 -msse4.2 (the 128-bit comparison) in build-wasmtest/native.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
if [ ! -d bench/node_modules/@tensorflow/tfjs-backend-wasm ] || [ ! -d bench/node_modules/playwright-core ]; then
  (cd bench && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi)
fi
if [ ! -x build-wasmtest/native/relu-bench ] || [ -n "$(find engine bench/native_bench.cpp -newer build-wasmtest/native/relu-bench -print -quit)" ]; then
  cmake -S . -B build-wasmtest/native -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-msse4.2" -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-wasmtest/native -j"$(nproc 2>/dev/null || echo 2)" --target relu-bench
fi
# The layer products alone, Eigen beside engine/gemm.cpp's wasm kernel (bench/gemm_bench.cpp).
NODE_PATH=$NODE_PATH cmake --build build-wasm --target gemm_bench >/dev/null
node bench/run.mjs "$@"
echo
echo "Layer products in wasm (node 20; GFLOP/s, best of 5), bench/gemm_bench.cpp:"
echo
node build-wasm/gemm_bench.cjs
