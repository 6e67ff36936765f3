// The convolution's three products on the w3 workload's layers (issue 14: conv2d(8,5,same) on
// 1x28x28, conv2d(16,5,same) on 8x14x14, batch 32), each with its im2col / col2im, as the
// layer runs them (engine/layers/conv2d.cpp): GFLOP/s counted as 2 x multiply-adds of the
// dense product (zeros skipped count as done), best of 5 timings of >= 0.1 s each. Two
// inputs: dense (every x and dz non-zero) and zeros as in w3 after its first hundred steps
// (bench/workloads.mjs W3; measured): 81% of conv1's inputs (MNIST's pixels), 25% of conv2's
// (pooled ReLU maps) and 80% of dz (after max pooling at most one position in four has a
// gradient, and ReLU zeroes more) are 0. Built by bindings/wasm.cmake (node
// build-wasm/conv_bench.cjs) and natively by CMakeLists.txt (build/conv-bench).
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "gemm.h"
#include "layers/conv2d.h"
#include "rng.h"
#include "skip_zeros.h"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

template <class F>
double seconds_per_call(F f) {
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
  return best;
}

}  // namespace

int main() {
  using relu::Conv2d;
  using relu::Volume;
  const int batch = 32;
  struct Shape {
    const char* name;
    Volume in;
    relu::ConvSpec spec;
  };
  const Shape shapes[] = {{"conv2d(8,5,same) on 1x28x28", {1, 28, 28}, {8, 5, 1, relu::kSamePadding}},
                          {"conv2d(16,5,same) on 8x14x14", {8, 14, 14}, {16, 5, 1, relu::kSamePadding}}};
  std::printf("| layer, batch %d | product | data | ms per batch | GFLOP/s |\n|---|---|---|---:|---:|\n", batch);
  for (const bool as_w3 : {false, true})
  for (const auto& s : shapes) {
    const double x_zeros = !as_w3 ? 0 : s.in.c == 1 ? 0.81 : 0.25, dz_zeros = as_w3 ? 0.8 : 0;
    Conv2d<float> L;
    std::vector<float> params(L.carve(s.in, s.spec, 0, batch)), grads(params.size());
    relu::Rng rng(1);
    for (auto& p : params) p = static_cast<float>(0.1 * rng.normal());
    L.act.kind = relu::Activation::Relu;
    Eigen::MatrixXf x(s.in.size(), batch), dx(s.in.size(), batch);
    for (Eigen::Index i = 0; i < x.size(); ++i)
      x.data()[i] = rng.uniform() < x_zeros ? 0.f : static_cast<float>(std::fabs(rng.normal()));
    std::vector<float> work(relu::gemm_workspace(std::max({L.taps, L.positions, s.spec.channels})) + 8);
    relu::SparseColumns sparse;
    L.reserve(sparse);
    const relu::ProductWork<float> pw{work.data(), &sparse};
    L.forward(params.data(), x.data(), static_cast<int>(x.rows()), batch, true, pw);
    for (Eigen::Index i = 0; i < L.dz.rows(); ++i)
      for (int j = 0; j < batch; ++j) L.dz(i, j) = rng.uniform() < dz_zeros ? 0.f : 0.01f;
    const double macs = static_cast<double>(batch) * L.positions * L.taps * s.spec.channels;
    const double f = seconds_per_call([&] { L.forward(params.data(), x.data(), static_cast<int>(x.rows()), batch, true, pw); });
    const double w = seconds_per_call([&] { L.backward_params(grads.data(), x.data(), static_cast<int>(x.rows()), batch, false, pw); });
    const double d = seconds_per_call([&] { L.backward_input(params.data(), dx.data(), static_cast<int>(dx.rows()), batch, pw); });
    for (const auto& [what, t] : {std::pair{"z = W * x (im2col, gemm, bias, relu)", f},
                                  std::pair{"dW += P^T dz (im2col, gemm)", w},
                                  std::pair{"dx (gemm, col2im)", d}})
      std::printf("| %s | %s | %s | %.3f | %.1f |\n", s.name, what, as_w3 ? "zeros as in w3" : "dense", t * 1e3,
                  2 * macs / t * 1e-9);
  }
  return 0;
}
