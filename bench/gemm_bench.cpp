// The layer products on the benchmark's shapes: Eigen's product beside relu::gemm (the
// kernel of engine/gemm.cpp: wasm SIMD in a wasm build, vector extensions natively).
// GFLOP/s, best of 5 timings of >= 0.1 s each. Built by bindings/wasm.cmake:
//   node build-wasm/gemm_bench.cjs
// Natively: g++ -std=c++17 -O3 -ffp-contract=off -Iengine -I/usr/include/eigen3 \
//   bench/gemm_bench.cpp engine/gemm.cpp -o /tmp/gemm_native && /tmp/gemm_native
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "gemm.h"

namespace {
using Mat = Eigen::MatrixXf;
using relu::Trans;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

template <class F>
double gflops(F f, double flops) {
  for (int i = 0; i < 3; ++i) f();  // let the engine tier up
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    int it = 0;
    const double t0 = now();
    double t;
    do {
      f();
      ++it;
      t = now() - t0;
    } while (t < 0.1);
    best = std::min(best, t / it);
  }
  return flops / best * 1e-9;
}
}  // namespace

int main() {
  std::vector<float> work(relu::gemm_workspace(1024));
  struct Shape { int out, in, n; const char* where; };
  const Shape shapes[] = {{64, 64, 64, "small net, hidden layer"},
                          {256, 784, 128, "large net, first layer"},
                          {256, 256, 128, "large net, second layer"},
                          {10, 256, 128, "large net, output layer"}};
  std::printf("| layer (out x in, batch) | product | Eigen GFLOP/s | relu::gemm GFLOP/s | ratio |\n|---|---|---:|---:|---:|\n");
  for (const auto& s : shapes) {
    Mat W = Mat::Random(s.out, s.in), X = Mat::Random(s.in, s.n), Z(s.out, s.n), dz = Mat::Random(s.out, s.n);
    Mat da(s.in, s.n), dW = Mat::Zero(s.out, s.in);
    const double fl = 2.0 * s.out * s.in * s.n;
    struct Row { const char* name; double eigen, own; } rows[] = {
        {"z = W x", gflops([&] { Z.noalias() = W * X; }, fl),
         gflops([&] { relu::gemm<float>(s.out, s.n, s.in, W.data(), s.out, Trans::No, X.data(), s.in, Trans::No, Z.data(), s.out, false, work.data()); }, fl)},
        {"da = W^T dz", gflops([&] { da.noalias() = W.transpose() * dz; }, fl),
         gflops([&] { relu::gemm<float>(s.in, s.n, s.out, W.data(), s.out, Trans::Yes, dz.data(), s.out, Trans::No, da.data(), s.in, false, work.data()); }, fl)},
        {"dW += dz x^T", gflops([&] { dW.noalias() += dz * X.transpose(); }, fl),
         gflops([&] { relu::gemm<float>(s.out, s.in, s.n, dz.data(), s.out, Trans::No, X.data(), s.in, Trans::Yes, dW.data(), s.out, true, work.data()); }, fl)}};
    for (const auto& r : rows)
      std::printf("| %d x %d, %d (%s) | %s | %.1f | %.1f | %.2fx |\n", s.out, s.in, s.n, s.where, r.name, r.eigen, r.own,
                  r.own / r.eigen);
  }
}
