// The gemm reference cases (tests/engine/gemm_cases.h) on the wasm build, where float
// products run on the SIMD kernel in engine/gemm.cpp. Built by bindings/wasm.cmake as
// gemm_check.js (single file, for node); tests/node/gemm.test.mjs runs it.
// Prints one line per failing case and a summary; exit status 1 on any failure.
#include <cstdio>

#include "gemm_cases.h"

int main() {
  int failed = 0, checked = 0;
  double worst_float = 0, worst_double = 0;
  for (const auto& c : gemm_cases::all()) {
    const double ef = gemm_cases::relative_error<float>(c, 1), ed = gemm_cases::relative_error<double>(c, 2);
    worst_float = ef > worst_float ? ef : worst_float;
    worst_double = ed > worst_double ? ed : worst_double;
    ++checked;
    if (!(ef <= 1e-5) || !(ed <= 1e-13)) {
      ++failed;
      std::printf("FAIL %s: float error %.3g, double error %.3g\n", gemm_cases::describe(c).c_str(), ef, ed);
    }
  }
  std::printf("gemm_check: %d cases, %d failed, worst relative error float %.3g, double %.3g, kernel workspace %zu floats for k=1024\n",
              checked, failed, worst_float, worst_double, relu::gemm_workspace(1024));
  return failed ? 1 : 0;
}
