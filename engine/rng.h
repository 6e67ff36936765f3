// A fixed, portable random generator and the samplers the engine needs.
// Why our own: libstdc++ and libc++ implement std::*_distribution differently,
// so a seed must mean the same numbers in the native and the wasm build.
// Only IEEE-exact operations (+, *, sqrt) and log/cos/sin are used; the last two
// may differ by an ulp between glibc and musl, which is why cross-build tests
// compare with a tolerance rather than bit for bit.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace relu {

// xoshiro256** seeded through splitmix64 (Blackman & Vigna).
class Rng {
 public:
  explicit Rng(uint64_t seed = 1) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next_u64();
  // Uniform double in [0, 1) with 53 random bits.
  double uniform();
  // Uniform double in (0, 1]: safe for log().
  double uniform_pos() { return 1.0 - uniform(); }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // Standard normal by Box–Muller; the second value of each pair is cached.
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  // Beta(2,1) has density 2x on [0,1]: its inverse CDF is sqrt(u).
  double beta21();
  // Uniform integer in [0, n) without modulo bias (Lemire's method).
  uint32_t below(uint32_t n);
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = below(static_cast<uint32_t>(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Derives an independent stream for a purpose (data, init, shuffle, dropout)
// from one user seed, so changing e.g. the batch size does not change the data.
uint64_t derive_seed(uint64_t seed, uint64_t stream);

enum Stream : uint64_t { kStreamData = 1, kStreamInit = 2, kStreamShuffle = 3, kStreamDropout = 4, kStreamProbe = 5, kStreamRevive = 6 };
// The continual-learning remedies' streams (remedies.h), numbered apart from the others so
// streams added elsewhere do not collide: continual backprop's fresh weights, and the noise.
enum RemedyStream : uint64_t { kStreamReplace = 12, kStreamPerturb = 13 };

}  // namespace relu
