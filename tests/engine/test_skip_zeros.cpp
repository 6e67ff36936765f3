// gemm_skip_zeros (engine/skip_zeros.cpp) against gemm() bit for bit: walking only the
// non-zeros of a layer's input must not change a single bit of z = W x or dW += dz x^T.
// The engine suite also runs in wasm (bindings/wasm.cmake), so this holds for the SIMD lanes.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "skip_zeros.h"

namespace {

using relu::Trans;

struct Xorshift {
  uint32_t s;
  float uniform() {  // in [-1, 1]
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return static_cast<float>(static_cast<double>(s % 20001) / 10000.0 - 1.0);
  }
};

struct Outcome {
  bool skipped;  // the sparse product ran (not gemm())
  bool same_bits;
};

// C (+)= A (m, k) * op(B) with B's entries zero with probability `zeros` (and some -0.0),
// through gemm_skip_zeros and through gemm(); compares every stored float of C, padding too.
Outcome compare(int m, int n, int k, Trans tb, bool accumulate, double zeros, int pad, uint32_t seed) {
  Xorshift r{seed * 2654435761u + 7};
  const int lda = m + pad, br = tb == Trans::No ? k : n, bc = tb == Trans::No ? n : k, ldb = br + pad, ldc = m + pad;
  std::vector<float> A(static_cast<size_t>(lda) * k), B(static_cast<size_t>(ldb) * bc), C(static_cast<size_t>(ldc) * n);
  for (auto& v : A) v = r.uniform();
  for (auto& v : B) {
    const float u = r.uniform();
    v = (u + 1.f) / 2.f < zeros ? (u < -0.5f ? -0.f : 0.f) : r.uniform();
  }
  for (auto& v : C) v = r.uniform();
  std::vector<float> dense = C, sparse_out = C, work(relu::gemm_workspace(std::max(k, 1)) + 1);
  relu::SparseColumns sparse;
  sparse.reserve(std::max(k, n), std::max(k, n));
  relu::gemm<float>(m, n, k, A.data(), lda, Trans::No, B.data(), ldb, tb, dense.data(), ldc, accumulate, work.data());
  relu::gemm_skip_zeros<float>(m, n, k, A.data(), lda, B.data(), ldb, tb, sparse_out.data(), ldc, accumulate,
                               work.data(), &sparse);
  relu::SparseColumns probe;
  probe.reserve(std::max(k, n), std::max(k, n));
  const bool skipped = m >= relu::kGemmKernelMinRows && probe.index(k, n, B.data(), ldb, tb);
  return {skipped, std::memcmp(dense.data(), sparse_out.data(), dense.size() * sizeof(float)) == 0};
}

}  // namespace

TEST_CASE("skipping an input's zeros gives gemm()'s bits, whatever the shape and mode", "[gemm][skip-zeros]") {
  // Row counts around the 16-row tile, the 4-row tile and the scalar tail; MNIST's shapes.
  const int shapes[][3] = {{4, 3, 5},   {5, 7, 9},    {16, 4, 33},  {19, 6, 17}, {37, 5, 64},
                           {64, 9, 31}, {256, 12, 784}, {10, 16, 256}, {3, 8, 20}};
  int skipped = 0, total = 0;
  for (const auto& s : shapes)
    for (Trans tb : {Trans::No, Trans::Yes})
      for (bool acc : {false, true})
        for (double zeros : {0.0, 0.5, 0.81, 0.97, 1.0})
          for (int pad : {0, 3}) {
            // z = W x has (m, n, k) = (out, batch, in); dW += dz x^T has (out, in, batch).
            const int m = s[0], n = tb == Trans::No ? s[1] : s[2], k = tb == Trans::No ? s[2] : s[1];
            CAPTURE(m, n, k, tb == Trans::Yes, acc, zeros, pad);
            const Outcome o = compare(m, n, k, tb, acc, zeros, pad, static_cast<uint32_t>(++total));
            CHECK(o.same_bits);
            skipped += o.skipped;
            // Sparse enough inputs do take the sparse product (so the bits above compare two paths);
            // on a handful of entries a draw may come out denser than the limit.
            if (zeros >= 0.81 && m >= relu::kGemmKernelMinRows && n * k >= 64) CHECK(o.skipped);
            if (zeros == 0.0) CHECK_FALSE(o.skipped);
          }
  CHECK(skipped > total / 3);
}

TEST_CASE("the zero index lists each column's non-zeros in order and refuses a dense input", "[skip-zeros]") {
  // B (3, 4), column-major: op(B) = B by columns; op(B) = B^T lists B's rows.
  const float B[] = {0, 2, 0,  //
                     -0.f, 0, 0,  //
                     5, 0, 7,  //
                     0, 0, 1};
  relu::SparseColumns s;
  s.reserve(4, 4);
  // 4 non-zeros of 12 = 33% <= 35%
  REQUIRE(s.index(3, 4, B, 3, Trans::No));
  CHECK(std::vector<int32_t>(s.ptr.begin(), s.ptr.begin() + 5) == std::vector<int32_t>{0, 1, 1, 3, 4});
  CHECK(std::vector<int32_t>(s.row.begin(), s.row.begin() + 4) == std::vector<int32_t>{1, 0, 2, 2});
  CHECK(std::vector<float>(s.value.begin(), s.value.begin() + 4) == std::vector<float>{2, 5, 7, 1});
  REQUIRE(s.index(4, 3, B, 3, Trans::Yes));  // op(B) (4, 3) = B^T: its column c is B's row c
  CHECK(std::vector<int32_t>(s.ptr.begin(), s.ptr.begin() + 4) == std::vector<int32_t>{0, 1, 2, 4});
  CHECK(std::vector<int32_t>(s.row.begin(), s.row.begin() + 4) == std::vector<int32_t>{2, 0, 2, 3});
  CHECK(std::vector<float>(s.value.begin(), s.value.begin() + 4) == std::vector<float>{5, 2, 7, 1});
  const float dense[] = {1, 0, 3, 4, 0, 6};  // 4 of 6 non-zero
  CHECK_FALSE(s.index(3, 2, dense, 3, Trans::No));
  CHECK_FALSE(s.index(2, 3, dense, 3, Trans::Yes));
  // Larger than reserved: refused, never written past the buffers.
  std::vector<float> big(100 * 100, 0.f);
  CHECK_FALSE(s.index(100, 100, big.data(), 100, Trans::No));
}
