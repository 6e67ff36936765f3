#pragma once
// The MLP's three layer products through one entry point:
//
//   C (m, n)  = op(A) (m, k) * op(B) (k, n)        accumulate = false
//   C (m, n) += op(A) (m, k) * op(B) (k, n)        accumulate = true
//
// Column-major throughout; op(X) is X or X^T as `Trans` says, and each operand has its
// own leading dimension (the layers' workspaces are wider than the columns in use).
// In the mlp:  z = W x (No, No);  da = W^T dz (Yes, No);  dW += dz x^T (No, Yes).
//
// Float products go to a kernel of our own, the same arithmetic in wasm SIMD and natively,
// so the page and the CLI compute the same bits (gemm.cpp says why and what it measured);
// doubles (the gradient checks) are an Eigen product.
#include <cstddef>

namespace relu {

enum class Trans { No, Yes };

// Float products with at least this many rows take the kernel; narrower ones (a one-output
// layer) take Eigen's matrix-vector path, which wastes no padding (gemm.cpp).
constexpr int kGemmKernelMinRows = 4;

// Floats the packing workspace needs for products with inner dimension up to max_k.
std::size_t gemm_workspace(int max_k);

// `work` holds at least gemm_workspace(k) elements (unused for doubles). No
// allocation. C must not overlap A or B.
template <typename T>
void gemm(int m, int n, int k, const T* A, int lda, Trans ta, const T* B, int ldb, Trans tb, T* C, int ldc,
          bool accumulate, T* work);

// Float products on the register-tile kernel whatever m: the same sums as gemm() gives a
// product of at least kGemmKernelMinRows rows (each entry summed over k in order), for the
// convolution, whose products are laid out for speed and must sum as the kernel sums in
// either orientation (layers/conv2d.cpp). work: gemm_workspace(k) floats.
void gemm_kernel(int m, int n, int k, const float* A, int lda, Trans ta, const float* B, int ldb, Trans tb, float* C,
                 int ldc, bool accumulate, float* work);

extern template void gemm<float>(int, int, int, const float*, int, Trans, const float*, int, Trans, float*, int,
                                 bool, float*);
extern template void gemm<double>(int, int, int, const double*, int, Trans, const double*, int, Trans, double*, int,
                                  bool, double*);

}  // namespace relu
