// 16-byte aligned malloc for the WebAssembly build (linked into relu_engine.js only).
//
// Why: Emscripten's dlmalloc aligns blocks to 8 bytes (max_align_t on wasm32); glibc on
// x86-64 aligns to 16. The engine keeps its parameters and gradients in std::vector and
// views them through Eigen::Map, and Eigen's vectorised dot products and matrix-vector
// products peel scalar iterations until the data is 16-byte aligned, so the order in
// which floats are summed depended on where the heap happened to put a vector: two runs
// with the same config and seed in one module could differ in the last bits, and so
// could wasm and native. With 16-byte aligned blocks the alignment of every view is
// fixed by the network's shape, as it is natively.
//
// dlmalloc exports malloc & co. as weak aliases (for sanitizers to override), and its
// real entry points as emscripten_builtin_*; memalign, posix_memalign and aligned_alloc
// stay dlmalloc's own, and free() takes blocks from all of them.
#include <emscripten/emmalloc.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

size_t malloc_usable_size(void* ptr);

#define RELU_HEAP_ALIGN 16

// Allocation hook for tests (tests/engine/test_determinism.cpp counts the allocations of a
// training step in the wasm build with it); undefined, hence skipped, in the module.
void relu_heap_observe(void) __attribute__((weak));

void* malloc(size_t size) {
  if (relu_heap_observe) relu_heap_observe();
  return emscripten_builtin_memalign(RELU_HEAP_ALIGN, size ? size : 1);
}

void free(void* ptr) {
  emscripten_builtin_free(ptr);
}

void* calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  void* p = malloc(count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

void* realloc(void* ptr, size_t size) {
  if (!ptr) return malloc(size);
  if (!size) {
    free(ptr);
    return NULL;
  }
  const size_t old = malloc_usable_size(ptr);
  if (size <= old && old - size < 64) return ptr;  // shrinking a little: keep the block
  void* p = malloc(size);
  if (!p) return NULL;
  memcpy(p, ptr, old < size ? old : size);
  free(ptr);
  return p;
}
