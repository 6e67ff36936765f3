#include "skip_zeros.h"

#include <algorithm>
#include <type_traits>

#include "simd_lanes.h"

namespace relu {

void SparseColumns::reserve(int max_k, int max_n) {
  // At most kSkipZerosDensity of the k x n entries are kept, plus one column's worth: index()
  // stops as soon as a finished column takes it over the limit. Either side may be the
  // columns (z = W x: the batch; dW += dz x^T: the inputs).
  // Grows only: a network reserves for each of its products in turn.
  const int longer = std::max(max_k, max_n);
  const auto entries = static_cast<size_t>(kSkipZerosDensity * max_k * static_cast<double>(max_n)) + longer + 1;
  if (entries > row.size()) {
    row.assign(entries, 0);
    value.assign(entries, 0.f);
  }
  if (static_cast<size_t>(longer) + 1 > ptr.size()) {
    ptr.assign(static_cast<size_t>(longer) + 1, 0);
    cursor.assign(ptr.size(), 0);
  }
}

bool SparseColumns::index(int k, int n, const float* B, int ldb, Trans tb) {
  const auto limit = static_cast<int64_t>(kSkipZerosDensity * k * static_cast<double>(n));
  if (static_cast<size_t>(n) + 1 > ptr.size() || static_cast<size_t>(limit) + k + 1 > row.size()) return false;
  int32_t count = 0;
  if (tb == Trans::No) {
    // Column c of op(B) is B's column c, contiguous: one pass, stopped once over the limit.
    for (int c = 0; c < n; ++c) {
      ptr[c] = count;
      const float* b = B + static_cast<std::ptrdiff_t>(c) * ldb;
      for (int p = 0; p < k; ++p) {
        // Written unconditionally, kept when non-zero: no branch on the data.
        row[count] = p;
        value[count] = b[p];
        count += b[p] != 0.f;
      }
      if (count > limit) return false;
    }
    ptr[n] = count;
    return true;
  }
  // Column c of op(B) is B's row c: counted, then filled, both passes down B's columns (p),
  // so each list comes out in order of p.
  std::fill(cursor.begin(), cursor.begin() + n, 0);
  for (int p = 0; p < k; ++p) {
    const float* b = B + static_cast<std::ptrdiff_t>(p) * ldb;
    for (int c = 0; c < n; ++c) cursor[c] += b[c] != 0.f;
  }
  for (int c = 0; c < n; ++c) ptr[c] = count, count += cursor[c];
  ptr[n] = count;
  if (count > limit) return false;
  std::copy(ptr.begin(), ptr.begin() + n, cursor.begin());
  for (int p = 0; p < k; ++p) {
    const float* b = B + static_cast<std::ptrdiff_t>(p) * ldb;
    for (int c = 0; c < n; ++c)
      if (b[c] != 0.f) {
        const int32_t at = cursor[c]++;
        row[at] = p;
        value[at] = b[c];
      }
  }
  return true;
}

namespace {

constexpr int kVectors = 4;  // rows per register tile: four vectors of four floats

// C(i .. i + 4v, c) (+)= sum over the column's entries e of A(i .. , row[e]) * value[e], in order.
template <int v>
RELU_NOINLINE void sparse_tile(const float* A, int lda, const int32_t* row, const float* value, int count, float* C,
                               bool accumulate) {
  f32x4 acc[v];
  for (int q = 0; q < v; ++q) acc[q] = v_zero();
  for (int e = 0; e < count; ++e) {
    const float* a = A + static_cast<std::ptrdiff_t>(row[e]) * lda;
    const f32x4 x = v_splat(value + e);
    for (int q = 0; q < v; ++q) acc[q] = v_add(acc[q], v_mul(v_load(a + 4 * q), x));
  }
  for (int q = 0; q < v; ++q) {
    if (accumulate) acc[q] = v_add(v_load(C + 4 * q), acc[q]);
    v_store(C + 4 * q, acc[q]);
  }
}

void sparse_product(int m, int n, const float* A, int lda, const SparseColumns& s, float* C, int ldc,
                    bool accumulate) {
  for (int c = 0; c < n; ++c) {
    const int32_t first = s.ptr[c], count = s.ptr[c + 1] - first;
    const int32_t* row = s.row.data() + first;
    const float* value = s.value.data() + first;
    float* col = C + static_cast<std::ptrdiff_t>(c) * ldc;
    int i = 0;
    for (; i + 4 * kVectors <= m; i += 4 * kVectors)
      sparse_tile<kVectors>(A + i, lda, row, value, count, col + i, accumulate);
    if (i + 8 <= m) sparse_tile<2>(A + i, lda, row, value, count, col + i, accumulate), i += 8;  // conv2d's 8 channels
    for (; i + 4 <= m; i += 4) sparse_tile<1>(A + i, lda, row, value, count, col + i, accumulate);
    for (; i < m; ++i) {
      // The tail rows one at a time: per entry the same multiply and add as a lane.
      float acc = 0.f;
      for (int e = 0; e < count; ++e) acc = acc + A[i + static_cast<std::ptrdiff_t>(row[e]) * lda] * value[e];
      col[i] = accumulate ? col[i] + acc : acc;
    }
  }
}

}  // namespace

template <typename T>
void gemm_skip_zeros(int m, int n, int k, const T* A, int lda, const T* B, int ldb, Trans tb, T* C, int ldc,
                     bool accumulate, T* work, SparseColumns* sparse) {
  if constexpr (std::is_same_v<T, float>) {
    if (sparse && m >= kGemmKernelMinRows && n > 0 && k > 0 && sparse->index(k, n, B, ldb, tb))
      return sparse_product(m, n, A, lda, *sparse, C, ldc, accumulate);
  }
  (void)sparse;
  gemm<T>(m, n, k, A, lda, Trans::No, B, ldb, tb, C, ldc, accumulate, work);
}

void kernel_skip_zeros(int m, int n, int k, const float* A, int lda, const float* B, int ldb, Trans tb, float* C,
                       int ldc, bool accumulate, float* work, SparseColumns* sparse) {
  if (sparse && m > 0 && n > 0 && k > 0 && sparse->index(k, n, B, ldb, tb))
    return sparse_product(m, n, A, lda, *sparse, C, ldc, accumulate);
  gemm_kernel(m, n, k, A, lda, Trans::No, B, ldb, tb, C, ldc, accumulate, work);
}

template void gemm_skip_zeros<float>(int, int, int, const float*, int, const float*, int, Trans, float*, int, bool,
                                     float*, SparseColumns*);
template void gemm_skip_zeros<double>(int, int, int, const double*, int, const double*, int, Trans, double*, int,
                                      bool, double*, SparseColumns*);

}  // namespace relu
