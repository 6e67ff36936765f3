#pragma once
// Four float lanes for the products' kernels (gemm.cpp, skip_zeros.cpp): wasm SIMD in a wasm
// build, GCC/Clang vector extensions natively (SSE on x86-64, NEON on arm64). Load, store,
// load-and-splat, multiply, add: nothing else touches a lane, so both builds do the same
// IEEE float arithmetic (no FMA: wasm SIMD has none; -ffp-contract=off natively).
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define RELU_WASM_SIMD 1
#endif

// Kernels are kept out of line: inlined into a larger function, V8 allocates their registers
// worse and they run at half speed (gemm.cpp).
#define RELU_NOINLINE __attribute__((noinline))
#define RELU_INLINE inline __attribute__((always_inline))

// A loop the compiler is to leave as written (no vectorising, interleaving or unrolling): short
// or cold loops in code compiled for speed, whose vectorised forms would cost more download
// than they save time (wasm's link-time optimisation vectorises whatever a file's -O says).
#if defined(__clang__)
#define RELU_PLAIN_LOOP _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
#else
#define RELU_PLAIN_LOOP
#endif

namespace relu {

#if RELU_WASM_SIMD
using f32x4 = v128_t;
RELU_INLINE f32x4 v_load(const float* p) { return wasm_v128_load(p); }
RELU_INLINE void v_store(float* p, f32x4 v) { wasm_v128_store(p, v); }
RELU_INLINE f32x4 v_splat(const float* p) { return wasm_v128_load32_splat(p); }
RELU_INLINE f32x4 v_zero() { return wasm_f32x4_splat(0.f); }
RELU_INLINE f32x4 v_add(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
RELU_INLINE f32x4 v_mul(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
#else
typedef float f32x4 __attribute__((vector_size(16)));
RELU_INLINE f32x4 v_load(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
RELU_INLINE void v_store(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }
RELU_INLINE f32x4 v_splat(const float* p) { return f32x4{*p, *p, *p, *p}; }
RELU_INLINE f32x4 v_zero() { return f32x4{0.f, 0.f, 0.f, 0.f}; }
RELU_INLINE f32x4 v_add(f32x4 a, f32x4 b) { return a + b; }
RELU_INLINE f32x4 v_mul(f32x4 a, f32x4 b) { return a * b; }
#endif

}  // namespace relu
