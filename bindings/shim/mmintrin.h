// Stand-in for <mmintrin.h> (MMX) in the WebAssembly build only: bindings/wasm.cmake puts
// this directory on the engine's include path when Eigen's SSE path is compiled to wasm SIMD.
//
// Eigen 3.4 includes <mmintrin.h> before <emmintrin.h> and <xmmintrin.h>, but uses no MMX
// intrinsic (the only __m64 code is behind "#if 0"). Emscripten 3.1.6 ships no mmintrin.h
// (wasm SIMD has no 64-bit vectors), so the include would otherwise find clang's x86
// header, which refuses to compile for wasm. __m64 itself is typedef'd by Emscripten's
// xmmintrin.h.
#pragma once
#if !defined(__EMSCRIPTEN__)
#error "bindings/shim/mmintrin.h is only for the Emscripten build"
#endif
