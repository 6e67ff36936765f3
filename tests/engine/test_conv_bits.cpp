// The convolution's float products bit for bit (engine/layers/conv2d.cpp): however the layer
// lays out and orders its work (which operand is transposed, which zeros it skips), every
// z, dW and dx must hold the bits of im2col + the register-tile kernel in the plain
// orientation: z = P W, dW^T = dz^T P, dP^T = W dz^T, then col2im, each entry summed over the
// product's inner index in order from +0 (engine/gemm.h). The reference below is that, written
// out with its own im2col and col2im; inputs are mostly zeros (as ReLU maps and MNIST's pixels
// are, so the zero-skipping products run) or dense, with some -0.0. The suite also runs in
// wasm (bindings/wasm.cmake), so this holds for the SIMD lanes.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "layers/conv2d.h"
#include "skip_zeros.h"

using namespace relu;

namespace {

using MatF = Eigen::MatrixXf;

struct Xorshift {
  uint32_t s;
  float uniform() {  // in [-1, 1]
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return static_cast<float>(static_cast<double>(s % 20001) / 10000.0 - 1.0);
  }
  // 0 (a quarter of them -0.0) with probability `zeros`, else uniform.
  float sparse(double zeros) {
    const float u = uniform();
    if ((u + 1.f) / 2.f < zeros) return u < -0.5f ? -0.f : 0.f;
    return uniform();
  }
};

bool same_bits(const float* a, const float* b, size_t count) { return std::memcmp(a, b, count * sizeof(float)) == 0; }

// P (ho wo, K) of one sample, entry by entry from the definition.
MatF reference_patches(const Conv2d<float>& L, const float* x) {
  const int k = L.spec.kernel;
  MatF p = MatF::Zero(L.positions, L.taps);
  for (int oy = 0; oy < L.out.h; ++oy)
    for (int ox = 0; ox < L.out.w; ++ox)
      for (int c = 0; c < L.in.c; ++c)
        for (int i = 0; i < k; ++i)
          for (int j = 0; j < k; ++j) {
            const int iy = oy * L.spec.stride - L.pad_lo + i, ix = ox * L.spec.stride - L.pad_lo + j;
            if (iy >= 0 && iy < L.in.h && ix >= 0 && ix < L.in.w)
              p(oy * L.out.w + ox, (c * k + i) * k + j) = x[(c * L.in.h + iy) * L.in.w + ix];
          }
  return p;
}

struct Case {
  Volume in;
  ConvSpec spec;
};

void check_case(const Case& cc, double x_zeros, double dz_zeros, bool skip, uint32_t seed) {
  CAPTURE(cc.in.c, cc.in.h, cc.in.w, cc.spec.channels, cc.spec.kernel, cc.spec.stride, cc.spec.padding, x_zeros,
          dz_zeros, skip);
  Xorshift r{seed * 2654435761u + 3};
  const int n = 5;
  Conv2d<float> L;
  std::vector<float> params(L.carve(cc.in, cc.spec, 0, n));
  for (auto& p : params) p = r.uniform();
  L.act.kind = Activation::Relu;
  const int hw = L.positions, K = L.taps, cout = cc.spec.channels, ld = static_cast<int>(cc.in.size()) + 2;
  std::vector<float> x(static_cast<size_t>(ld) * n);
  for (auto& v : x) v = r.sparse(x_zeros);
  std::vector<float> work(gemm_workspace(std::max({K, hw, cout})) + 1);
  SparseColumns sparse;
  L.reserve(sparse);
  const ProductWork<float> pw{work.data(), skip ? &sparse : nullptr};

  // The layer.
  L.forward(params.data(), x.data(), ld, n, true, pw);
  // dz from dL/da through ReLU: where z > 0, da; elsewhere +0 (activation_backward's select).
  MatF da(L.z.rows(), n);
  for (Eigen::Index i = 0; i < da.size(); ++i) da.data()[i] = r.sparse(dz_zeros / 2);
  const MatF want_dz = (L.z.leftCols(n).array() > 0.f).select(da, 0.f);
  L.backward_activation(params.data(), nullptr, da, n);
  CHECK(same_bits(L.dz.data(), want_dz.data(), want_dz.size()));
  for (Eigen::Index i = 0; i < L.dz.rows(); ++i)
    for (int j = 0; j < n; ++j) L.dz(i, j) = r.sparse(dz_zeros);
  std::vector<float> grads(params.size());
  for (auto& g : grads) g = r.uniform();  // backward_params adds to what is there
  std::vector<float> want_grads = grads, dx(static_cast<size_t>(ld) * n, 7.f), want_dx = dx;
  L.backward_params(grads.data(), x.data(), ld, n, false, pw);
  L.backward_input(params.data(), dx.data(), ld, n, pw);

  // The reference: the plain orientation on the kernel.
  const float* W = params.data() + L.w_off;
  MatF dwt(cout, K);
  for (int j = 0; j < n; ++j) {
    const float* xj = x.data() + static_cast<size_t>(j) * ld;
    const MatF P = reference_patches(L, xj);
    MatF z(hw, cout);
    gemm_kernel(hw, cout, K, P.data(), hw, Trans::No, W, K, Trans::No, z.data(), hw, false, work.data());
    for (int o = 0; o < cout; ++o) z.col(o).array() += params[L.b_off + o];
    CHECK(same_bits(z.data(), L.z.col(j).data(), z.size()));
    const MatF a = z.cwiseMax(0.f);
    CHECK(same_bits(a.data(), L.a.col(j).data(), a.size()));

    const float* dzj = L.dz.col(j).data();
    gemm_kernel(cout, K, hw, dzj, hw, Trans::Yes, P.data(), hw, Trans::No, dwt.data(), cout, j > 0, work.data());
    for (int o = 0; o < cout; ++o) want_grads[L.b_off + o] += Eigen::Map<const Eigen::VectorXf>(dzj + o * hw, hw).sum();

    MatF dpt(K, hw);
    gemm_kernel(K, hw, cout, W, K, Trans::No, dzj, hw, Trans::Yes, dpt.data(), K, false, work.data());
    float* dxj = want_dx.data() + static_cast<size_t>(j) * ld;
    std::fill(dxj, dxj + cc.in.size(), 0.f);
    const int k = cc.spec.kernel;
    for (int oy = 0; oy < L.out.h; ++oy)
      for (int ox = 0; ox < L.out.w; ++ox)
        for (int c = 0; c < L.in.c; ++c)
          for (int i = 0; i < k; ++i)
            for (int jj = 0; jj < k; ++jj) {
              const int iy = oy * cc.spec.stride - L.pad_lo + i, ix = ox * cc.spec.stride - L.pad_lo + jj;
              if (iy >= 0 && iy < L.in.h && ix >= 0 && ix < L.in.w)
                dxj[(c * L.in.h + iy) * L.in.w + ix] += dpt((c * k + i) * k + jj, oy * L.out.w + ox);
            }
  }
  Eigen::Map<MatF>(want_grads.data() + L.w_off, K, cout) += dwt.transpose();
  CHECK(same_bits(grads.data(), want_grads.data(), grads.size()));
  CHECK(same_bits(dx.data(), want_dx.data(), dx.size()));
}

}  // namespace

TEST_CASE("conv2d's products hold the kernel's bits in the plain orientation, zeros skipped or not", "[conv][skip-zeros]") {
  // w3's two layers (issue 14), stride 2 with integer padding, an even kernel, few channels
  // (fewer than a kernel tile), a 1-channel 1x1 kernel (K = 1), a valid stride 2 that drops
  // the image's last row and column.
  const Case cases[] = {
      {{1, 28, 28}, {8, 5, 1, kSamePadding}}, {{8, 14, 14}, {16, 5, 1, kSamePadding}}, {{3, 9, 7}, {6, 3, 2, 1}},
      {{2, 6, 5}, {5, 2, 1, kSamePadding}},   {{1, 5, 5}, {2, 3, 1, kSamePadding}},    {{1, 6, 6}, {4, 1, 1, 0}},
      {{4, 5, 5}, {3, 5, 1, 0}},              {{2, 7, 7}, {4, 2, 2, 0}},
  };
  uint32_t seed = 0;
  for (const auto& cc : cases)
    for (bool skip : {true, false})
      for (double x_zeros : {0.0, 0.8, 1.0})
        for (double dz_zeros : {0.0, 0.8}) check_case(cc, x_zeros, dz_zeros, skip, ++seed);
}
