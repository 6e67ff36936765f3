#pragma once
// relu::gemm against a naive triple loop in double precision, over every transpose
// combination, both assignment modes, padded leading dimensions and ragged shapes (rows
// not a multiple of the 8-row tile, columns not a multiple of 4, k = 0 and 1).
// Shared by tests/engine/test_gemm.cpp (native build: the Eigen path) and
// tests/wasm/gemm_check.cpp (wasm build: the SIMD kernel), so both paths meet one standard.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gemm.h"

namespace gemm_cases {

struct Case {
  int m, n, k;
  relu::Trans ta, tb;
  bool accumulate;
  int pad;  // extra rows in every operand's storage (leading dimension = rows + pad)
};

inline std::string describe(const Case& c) {
  return "m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
         " ta=" + (c.ta == relu::Trans::Yes ? "T" : "N") + " tb=" + (c.tb == relu::Trans::Yes ? "T" : "N") +
         (c.accumulate ? " +=" : " =") + " pad=" + std::to_string(c.pad);
}

inline std::vector<Case> all() {
  std::vector<Case> out;
  const int shapes[][3] = {{1, 1, 1},  {3, 5, 2},  {4, 4, 4},    {7, 3, 9},     {8, 4, 8},    {9, 5, 0},
                           {13, 9, 1}, {16, 7, 33}, {64, 64, 64}, {10, 128, 256}, {257, 6, 31}, {33, 130, 17}};
  for (const auto& s : shapes)
    for (relu::Trans ta : {relu::Trans::No, relu::Trans::Yes})
      for (relu::Trans tb : {relu::Trans::No, relu::Trans::Yes})
        for (bool acc : {false, true})
          for (int pad : {0, 3}) out.push_back({s[0], s[1], s[2], ta, tb, acc, pad});
  return out;
}

// Worst |C - reference| / (sum_p |a_ip b_pj| + |C0_ij| + tiny) over the case's entries,
// the scale a dot product's rounding error is bounded by.
template <typename T>
double relative_error(const Case& c, uint32_t seed) {
  uint32_t s = seed * 2654435761u + 1;
  auto next = [&] {  // xorshift32 in [-1, 1]
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return static_cast<T>(static_cast<double>(s % 20001) / 10000.0 - 1.0);
  };
  const int ar = c.ta == relu::Trans::No ? c.m : c.k, ac = c.ta == relu::Trans::No ? c.k : c.m;
  const int br = c.tb == relu::Trans::No ? c.k : c.n, bc = c.tb == relu::Trans::No ? c.n : c.k;
  const int lda = std::max(ar, 1) + c.pad, ldb = std::max(br, 1) + c.pad, ldc = c.m + c.pad;
  std::vector<T> A(static_cast<size_t>(lda) * std::max(ac, 1)), B(static_cast<size_t>(ldb) * std::max(bc, 1)),
      C(static_cast<size_t>(ldc) * c.n);
  for (auto& v : A) v = next();
  for (auto& v : B) v = next();
  for (auto& v : C) v = next();
  const std::vector<T> C0 = C;
  std::vector<T> work(relu::gemm_workspace(std::max(c.k, 1)) + 1);
  relu::gemm<T>(c.m, c.n, c.k, A.data(), lda, c.ta, B.data(), ldb, c.tb, C.data(), ldc, c.accumulate, work.data());
  auto a = [&](int i, int p) { return c.ta == relu::Trans::No ? A[i + static_cast<size_t>(p) * lda] : A[p + static_cast<size_t>(i) * lda]; };
  auto b = [&](int p, int j) { return c.tb == relu::Trans::No ? B[p + static_cast<size_t>(j) * ldb] : B[j + static_cast<size_t>(p) * ldb]; };
  double worst = 0;
  for (int j = 0; j < c.n; ++j)
    for (int i = 0; i < ldc; ++i) {
      const size_t at = i + static_cast<size_t>(j) * ldc;
      if (i >= c.m) {  // padding rows must be left alone
        if (C[at] != C0[at]) return std::numeric_limits<double>::infinity();
        continue;
      }
      double ref = c.accumulate ? static_cast<double>(C0[at]) : 0.0, scale = c.accumulate ? std::fabs(ref) : 0.0;
      for (int p = 0; p < c.k; ++p) {
        ref += static_cast<double>(a(i, p)) * static_cast<double>(b(p, j));
        scale += std::fabs(static_cast<double>(a(i, p)) * static_cast<double>(b(p, j)));
      }
      worst = std::max(worst, std::fabs(static_cast<double>(C[at]) - ref) / (scale + 1e-30));
    }
  return worst;
}

}  // namespace gemm_cases
