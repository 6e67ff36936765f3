#include "gemm.h"

#include <Eigen/Core>
#include <cstring>
#include <type_traits>

#include "simd_lanes.h"

namespace relu {

namespace {

template <typename T>
using ConstMap = Eigen::Map<const Eigen::Matrix<T, -1, -1>, 0, Eigen::OuterStride<>>;
template <typename T>
using MutMap = Eigen::Map<Eigen::Matrix<T, -1, -1>, 0, Eigen::OuterStride<>>;

template <typename T, typename P>
void assign(MutMap<T>& c, const P& product, bool accumulate) {
  if (accumulate)
    c.noalias() += product;
  else
    c.noalias() = product;
}

template <typename T>
void eigen_gemm(int m, int n, int k, const T* A, int lda, Trans ta, const T* B, int ldb, Trans tb, T* C, int ldc,
                bool accumulate) {
  // Stored shapes: A is (m, k) or (k, m); B is (k, n) or (n, k).
  const ConstMap<T> a(A, ta == Trans::No ? m : k, ta == Trans::No ? k : m, Eigen::OuterStride<>(lda));
  const ConstMap<T> b(B, tb == Trans::No ? k : n, tb == Trans::No ? n : k, Eigen::OuterStride<>(ldb));
  MutMap<T> c(C, m, n, Eigen::OuterStride<>(ldc));
  if (ta == Trans::No && tb == Trans::No) assign(c, a * b, accumulate);
  else if (ta == Trans::Yes && tb == Trans::No) assign(c, a.transpose() * b, accumulate);
  else if (ta == Trans::No && tb == Trans::Yes) assign(c, a * b.transpose(), accumulate);
  else assign(c, a.transpose() * b.transpose(), accumulate);
}

// Why our own kernel. Eigen 3.4 has no wasm SIMD path; its SSE path, which Emscripten
// lowers to wasm SIMD, packs both operands and runs an 8x4 register tile with the k loop
// unrolled eight times and the broadcasts of B built from shuffles (pbroadcast4). V8
// compiles that loop poorly (no FMA in wasm SIMD, and x64 has only 16 vector registers, one
// of which V8 keeps for itself). The same 8x4 tile written as a plain loop (two vector
// loads of A, one load-and-splat of B per column, multiply, add) compiles to tight code.
// bench/gemm_bench.cpp measures both on the benchmark's shapes (figures in
// bindings/README.md); 12x4 and 8x6 tiles spill, 8x5 / 12x3 / 4x8 are slower.
//
// Why natively too: so that the CLI and the page compute the same bits. Every entry of C
// is summed over k in order, one multiply then one add per term (no FMA: wasm SIMD has
// none, and -ffp-contract=off keeps the compiler from fusing), into a register that is
// then added to C. Eigen's native product splits long sums (k = 784, MNIST's first layer)
// into cache-sized blocks added into C one after another, so its last bits differed from
// the page's. With one kernel the two builds agree bit for bit (tests/node/parity.test.mjs).
// Natively the four lanes are GCC/Clang vector extensions (SSE on x86-64, NEON on arm64).
//
// Layout: op(A)'s rows are packed one 8-row panel at a time into `work` (k x 8, p-major,
// zero-padded), so the inner loop reads A as two vector loads whatever the transpose;
// op(B) is read in place, one broadcast per column (a strided scalar when B is used as
// stored, a contiguous one when transposed). Each panel is reused across all column
// tiles while it sits in L1 (8 x 1024 floats = 32 KB at most).
// Kept out of line: inlined into a larger function, V8 (node 20's more than Chromium's)
// allocates the tile's registers worse and the kernel runs at half speed.
constexpr int kMr = 8;  // rows per register tile: two vectors of four floats
constexpr int kNr = 4;  // columns per register tile

// work (k, kMr) <- rows i .. i+mr of op(A), zero rows below mr. Packing moves floats and
// computes nothing, so its two forms (shuffles in wasm, plain copies natively) agree.
void pack_panel(int mr, int k, const float* A, int lda, Trans ta, int i, float* work) {
  if (ta == Trans::No) {
    for (int p = 0; p < k; ++p) {
      const float* a = A + i + static_cast<std::ptrdiff_t>(p) * lda;  // op(A)(i + r, p) = A[i + r + p lda]
      float* w = work + p * kMr;
      if (mr == kMr) {
        v_store(w, v_load(a));
        v_store(w + 4, v_load(a + 4));
      } else {
        int r = 0;
        for (; r < mr; ++r) w[r] = a[r];
        for (; r < kMr; ++r) w[r] = 0.f;
      }
    }
  } else if (mr == kMr) {
    // op(A)'s rows are A's columns.
    const float* col[kMr];
    for (int r = 0; r < kMr; ++r) col[r] = A + static_cast<std::ptrdiff_t>(i + r) * lda;
    int p = 0;
#if RELU_WASM_SIMD
    // 4 x 4 blocks transposed in registers (scalar packing cost 40% on 64x64 layers in V8).
    for (; p + 4 <= k; p += 4)
      for (int h = 0; h < kMr; h += 4) {
        const v128_t r0 = wasm_v128_load(col[h] + p), r1 = wasm_v128_load(col[h + 1] + p);
        const v128_t r2 = wasm_v128_load(col[h + 2] + p), r3 = wasm_v128_load(col[h + 3] + p);
        const v128_t lo01 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), lo23 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
        const v128_t hi01 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), hi23 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        wasm_v128_store(work + (p + 0) * kMr + h, wasm_i32x4_shuffle(lo01, lo23, 0, 1, 4, 5));
        wasm_v128_store(work + (p + 1) * kMr + h, wasm_i32x4_shuffle(lo01, lo23, 2, 3, 6, 7));
        wasm_v128_store(work + (p + 2) * kMr + h, wasm_i32x4_shuffle(hi01, hi23, 0, 1, 4, 5));
        wasm_v128_store(work + (p + 3) * kMr + h, wasm_i32x4_shuffle(hi01, hi23, 2, 3, 6, 7));
      }
#endif
    for (; p < k; ++p)
      for (int r = 0; r < kMr; ++r) work[p * kMr + r] = col[r][p];
  } else {
    for (int r = 0; r < kMr; ++r) {
      if (r < mr) {
        const float* a = A + static_cast<std::ptrdiff_t>(i + r) * lda;  // op(A)(i + r, p) = A[p + (i + r) lda]
        for (int p = 0; p < k; ++p) work[p * kMr + r] = a[p];
      } else {
        for (int p = 0; p < k; ++p) work[p * kMr + r] = 0.f;
      }
    }
  }
}

// C (mr, nr) (+)= panel (mr, k) * op(B)(:, j .. j+nr); op(B)(p, j) = B[p brs + j bcs].
template <int nr>
RELU_NOINLINE void register_tile(int k, const float* panel, const float* B, std::ptrdiff_t brs, std::ptrdiff_t bcs, float* C,
                   int ldc, int mr, bool accumulate) {
  f32x4 c0[nr], c1[nr];
  for (int j = 0; j < nr; ++j) c0[j] = c1[j] = v_zero();
  for (int p = 0; p < k; ++p) {
    const f32x4 a0 = v_load(panel + p * kMr);
    const f32x4 a1 = v_load(panel + p * kMr + 4);
    const float* b = B + p * brs;
    for (int j = 0; j < nr; ++j) {
      const f32x4 bj = v_splat(b + j * bcs);
      c0[j] = v_add(c0[j], v_mul(a0, bj));
      c1[j] = v_add(c1[j], v_mul(a1, bj));
    }
  }
  for (int j = 0; j < nr; ++j) {
    float* c = C + static_cast<std::ptrdiff_t>(j) * ldc;
    if (mr == kMr) {
      if (accumulate) {
        c0[j] = v_add(v_load(c), c0[j]);
        c1[j] = v_add(v_load(c + 4), c1[j]);
      }
      v_store(c, c0[j]);
      v_store(c + 4, c1[j]);
    } else {
      alignas(16) float t[kMr];
      v_store(t, c0[j]);
      v_store(t + 4, c1[j]);
      for (int r = 0; r < mr; ++r) c[r] = accumulate ? c[r] + t[r] : t[r];
    }
  }
}

void kernel_gemm(int m, int n, int k, const float* A, int lda, Trans ta, const float* B, int ldb, Trans tb, float* C,
                 int ldc, bool accumulate, float* work) {
  const std::ptrdiff_t brs = tb == Trans::No ? 1 : ldb, bcs = tb == Trans::No ? ldb : 1;
  for (int i = 0; i < m; i += kMr) {
    const int mr = m - i < kMr ? m - i : kMr;
    pack_panel(mr, k, A, lda, ta, i, work);
    float* c = C + i;
    int j = 0;
    for (; j + kNr <= n; j += kNr)
      register_tile<kNr>(k, work, B + j * bcs, brs, bcs, c + static_cast<std::ptrdiff_t>(j) * ldc, ldc, mr, accumulate);
    for (; j < n; ++j)
      register_tile<1>(k, work, B + j * bcs, brs, bcs, c + static_cast<std::ptrdiff_t>(j) * ldc, ldc, mr, accumulate);
  }
}

}  // namespace

std::size_t gemm_workspace(int max_k) {
  return static_cast<std::size_t>(kMr) * static_cast<std::size_t>(max_k > 0 ? max_k : 0);
}

void gemm_kernel(int m, int n, int k, const float* A, int lda, Trans ta, const float* B, int ldb, Trans tb, float* C,
                 int ldc, bool accumulate, float* work) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) MutMap<float>(C, m, n, Eigen::OuterStride<>(ldc)).setZero();
    return;
  }
  kernel_gemm(m, n, k, A, lda, ta, B, ldb, tb, C, ldc, accumulate, work);
}

template <typename T>
void gemm(int m, int n, int k, const T* A, int lda, Trans ta, const T* B, int ldb, Trans tb, T* C, int ldc,
          bool accumulate, T* work) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) MutMap<T>(C, m, n, Eigen::OuterStride<>(ldc)).setZero();
    return;
  }
  // Below half a tile of rows (a one-output layer, say) the padding would waste more than
  // Eigen's matrix-vector path loses; that path is the same code in both builds (Eigen's SSE
  // path, which Emscripten lowers to wasm SIMD, on a 16-byte aligned heap), and its sums do
  // not depend on cache sizes. Doubles (the gradient checks) stay with Eigen too.
  if constexpr (std::is_same_v<T, float>) {
    if (m >= kGemmKernelMinRows) return kernel_gemm(m, n, k, A, lda, ta, B, ldb, tb, C, ldc, accumulate, work);
  }
  (void)work;
  eigen_gemm<T>(m, n, k, A, lda, ta, B, ldb, tb, C, ldc, accumulate);
}

template void gemm<float>(int, int, int, const float*, int, Trans, const float*, int, Trans, float*, int, bool, float*);
template void gemm<double>(int, int, int, const double*, int, Trans, const double*, int, Trans, double*, int, bool,
                           double*);

}  // namespace relu
