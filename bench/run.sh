#!/usr/bin/env bash
# The whole wasm benchmark in one command (see bench/run.mjs for what it measures):
#   bash bench/run.sh [--reps N] [--no-tf] [--no-browser] [--no-peers] [--only small,large,mnist,w3] [--port N] [--json FILE]
# Needs the wasm build in build-wasm/ (bash playground.sh wasm) and the packed MNIST in build/data.
# Prints the steps/s tables, the monitor cost on MNIST's shape (monitor off against the page's
# default cadence, web/monitor-cadence.js), issue 14's w3 table (this engine beside PyTorch 1 thread
# if Debian's python3-torch is there, ConvNetJS and TF.js: bench/w3_peers.mjs), then the
# layer-product tables (GFLOP/s; the dense ones unless --only leaves out small and large, the
# convolution's when w3 runs). --only w3 gives the w3 table alone (about 2 minutes).
# Prepares, if missing: bench/node_modules (TF.js 4.22 + wasm backend, ConvNetJS, playwright-core;
# benchmark only) and a native relu-bench built with -O3 -msse4.2 (the 128-bit comparison) in
# build-wasmtest/native.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
if [ ! -d bench/node_modules/@tensorflow/tfjs-backend-wasm ] || [ ! -d bench/node_modules/playwright-core ] || [ ! -d bench/node_modules/convnetjs ]; then
  (cd bench && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi)
fi
if [ ! -x build-wasmtest/native/relu-bench ] || [ -n "$(find engine bench/native_bench.cpp -newer build-wasmtest/native/relu-bench -print -quit)" ]; then
  cmake -S . -B build-wasmtest/native -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-msse4.2" -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-wasmtest/native -j"$(nproc 2>/dev/null || echo 2)" --target relu-bench
fi
# Which workloads run (bench/run.mjs's --only): the product tables follow them.
only=all
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = --only ]; then j=$((i + 1)); only=${!j:-}; fi
done
wants() { [ "$only" = all ] || [[ ",$only," == *",$1,"* ]]; }
# The layer products alone, Eigen beside engine/gemm.cpp's wasm kernel (bench/gemm_bench.cpp), and
# the convolution's three products on w3's layers (bench/conv_bench.cpp).
if wants small || wants large; then NODE_PATH=$NODE_PATH cmake --build build-wasm --target gemm_bench >/dev/null; fi
if wants w3; then NODE_PATH=$NODE_PATH cmake --build build-wasm --target conv_bench >/dev/null; fi
node bench/run.mjs "$@"
if wants small || wants large; then
  echo
  echo "Layer products in wasm (node 20; GFLOP/s, best of 5), bench/gemm_bench.cpp:"
  echo
  node build-wasm/gemm_bench.cjs
fi
if wants w3; then
  echo
  echo "The convolution's products on w3's layers in wasm (node 20; best of 5), bench/conv_bench.cpp:"
  echo
  node build-wasm/conv_bench.cjs
fi
