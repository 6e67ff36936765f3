// relu::gemm (the three layer products) against a naive double-precision reference.
// Natively this is the kernel on vector extensions; tests/wasm/gemm_check.cpp runs the same cases on the
// wasm SIMD kernel (tests/node/gemm.test.mjs).
#include <catch2/catch.hpp>

#include "gemm_cases.h"

TEST_CASE("gemm agrees with a naive reference for every transpose, mode and ragged shape", "[gemm][reference]") {
  const auto cases = gemm_cases::all();
  REQUIRE(cases.size() == 192);
  for (const auto& c : cases) {
    CAPTURE(gemm_cases::describe(c));
    // float: rounding of a k-term dot product stays far below k * 2^-24 of its scale.
    CHECK(gemm_cases::relative_error<float>(c, 1) <= 1e-5);
    CHECK(gemm_cases::relative_error<double>(c, 2) <= 1e-13);
  }
}

TEST_CASE("gemm on hand-set values", "[gemm][reference]") {
  // C = A B with A = 0.5 everywhere (8 x 8), B = 0.25 (8 x 4): every entry 8 * 0.125 = 1;
  // then C += A^T B^T with B^T = 2 B stored (4 x 8): every entry 1 + 2.
  std::vector<float> A(64, 0.5f), B(32, 0.25f), Bt(32, 0.5f), C(32, -7.f), work(relu::gemm_workspace(8) + 1);
  relu::gemm<float>(8, 4, 8, A.data(), 8, relu::Trans::No, B.data(), 8, relu::Trans::No, C.data(), 8, false, work.data());
  for (float v : C) CHECK(v == 1.0f);
  relu::gemm<float>(8, 4, 8, A.data(), 8, relu::Trans::Yes, Bt.data(), 4, relu::Trans::Yes, C.data(), 8, true, work.data());
  for (float v : C) CHECK(v == 3.0f);
}
