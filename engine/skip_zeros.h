#pragma once
// Products whose right operand is mostly zeros: a layer's input when it is MNIST's pixels
// (four fifths of them are 0) or ReLU activations (every inactive unit is 0).
//
//   C (m, n) (+)= A (m, k) * op(B) (k, n)      A as stored (column-major), op(B) = B or B^T
//
// In the MLP: z = W x (op(B) = x) and dW += dz x^T (op(B) = x^T), x the layer's input.
// When op(B) has at most kSkipZerosDensity of its entries non-zero, the product walks only
// those: for each column c of op(B), C(:, c) is the sum, in order of p, of A(:, p) * op(B)(p, c)
// over the non-zero op(B)(p, c). gemm() sums every term in order of p into a register that
// starts at +0, so the two differ only by terms A(:, p) * 0, which are +-0 and leave such a sum
// unchanged, unless A holds an inf or a NaN (a diverged run, whose loss is already not finite).
// The same bits, then, natively and in wasm, with or without the skip (tests/engine/
// test_skip_zeros.cpp checks that bit for bit).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gemm.h"

namespace relu {

// Above this share of non-zeros the dense kernel wins (bench/gemm_bench.cpp measures both).
constexpr double kSkipZerosDensity = 0.35;

// The non-zeros of op(B), column by column: entries ptr[c] .. ptr[c+1] of (row, value).
// Sized once for the largest product (reserve); building never allocates.
struct SparseColumns {
  std::vector<int32_t> ptr, row;
  std::vector<float> value;
  std::vector<int32_t> cursor;  // per column: a count, then the next free entry (op(B) = B^T)
  // For products whose k x n is at most max_k x max_n, whichever side is the columns; grows
  // what an earlier call sized (a network calls it once per kind of product).
  void reserve(int max_k, int max_n);
  // Indexes op(B)'s non-zeros; false (and nothing usable) when they are more than
  // kSkipZerosDensity of its k x n entries.
  bool index(int k, int n, const float* B, int ldb, Trans tb);
};

// The products' scratch, owned by the network: gemm()'s packing panel and the zero index
// (null for doubles, whose products always take gemm()).
template <typename T>
struct ProductWork {
  T* pack;
  SparseColumns* sparse;
};

// C (+)= A * op(B) as above, through `sparse` when op(B) is sparse enough and the product
// would take gemm()'s kernel (floats, m >= 4); otherwise gemm(). Doubles always take gemm().
template <typename T>
void gemm_skip_zeros(int m, int n, int k, const T* A, int lda, const T* B, int ldb, Trans tb, T* C, int ldc,
                     bool accumulate, T* work, SparseColumns* sparse);

// The same for floats with gemm_kernel()'s bits whatever m (gemm() takes Eigen's path below
// kGemmKernelMinRows rows; the sparse product sums as the kernel does at any m): the
// convolution's products (layers/conv2d.cpp). sparse null: always the kernel.
void kernel_skip_zeros(int m, int n, int k, const float* A, int lda, const float* B, int ldb, Trans tb, float* C,
                       int ldc, bool accumulate, float* work, SparseColumns* sparse);

extern template void gemm_skip_zeros<float>(int, int, int, const float*, int, const float*, int, Trans, float*, int,
                                            bool, float*, SparseColumns*);
extern template void gemm_skip_zeros<double>(int, int, int, const double*, int, const double*, int, Trans, double*,
                                             int, bool, double*, SparseColumns*);

}  // namespace relu
