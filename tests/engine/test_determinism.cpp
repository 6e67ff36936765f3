// Determinism and references: bitwise-identical runs from one seed, a naive matmul reference
// for the forward pass, the Rng against an independent xoshiro256**/splitmix64 implementation
// and its sample statistics, and "no heap allocation inside a training step", checked with
// a malloc interposer (Eigen's own malloc assertion is compiled out under -DNDEBUG).
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "mlp.h"
#include "rng.h"
#include "run.h"

using namespace relu;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

// ---------------------------------------------------------------------------------------------
// Allocation counter. Defining malloc & co. in the executable interposes them for the whole
// process (libstdc++'s operator new and Eigen's aligned_malloc both end in malloc), forwarding
// to glibc's __libc_* entry points. Only counts while g_count_allocs is set.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define RELU_SANITIZED 1
#endif
#endif
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && !defined(RELU_SANITIZED)
#define RELU_COUNT_ALLOCS 1
#define RELU_COUNT_ALLOCS_GLIBC 1
#elif defined(__EMSCRIPTEN__)
// The wasm build's malloc is bindings/aligned_heap.c (linked into this suite as into the
// module); it reports every allocation to relu_heap_observe() when that is defined.
#define RELU_COUNT_ALLOCS 1
#endif
#ifdef RELU_COUNT_ALLOCS
namespace {
std::atomic<bool> g_count_allocs{false};
std::atomic<long> g_allocs{0};
inline void note_alloc() {
  if (g_count_allocs.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace
#endif
#ifdef __EMSCRIPTEN__
extern "C" void relu_heap_observe(void) { note_alloc(); }
#endif
#ifdef RELU_COUNT_ALLOCS_GLIBC
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void* malloc(size_t n) noexcept {
  note_alloc();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) noexcept {
  note_alloc();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) noexcept {
  note_alloc();
  return __libc_realloc(p, n);
}
void* memalign(size_t alignment, size_t n) noexcept {
  note_alloc();
  return __libc_memalign(alignment, n);
}
void* aligned_alloc(size_t alignment, size_t n) noexcept {
  note_alloc();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, size_t alignment, size_t n) noexcept {
  note_alloc();
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(alignment, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
}  // extern "C"
#endif

#ifdef RELU_COUNT_ALLOCS
namespace {
// Keeps the optimiser from eliding an allocation whose result is otherwise unused.
inline void escape(void* p) { asm volatile("" : : "g"(p) : "memory"); }

// Counts the heap allocations made by f().
template <typename F>
long count_allocs(F&& f) {
  g_allocs.store(0);
#ifdef EIGEN_RUNTIME_NO_MALLOC
  Eigen::internal::set_is_malloc_allowed(false);
#endif
  g_count_allocs.store(true);
  f();
  g_count_allocs.store(false);
#ifdef EIGEN_RUNTIME_NO_MALLOC
  Eigen::internal::set_is_malloc_allowed(true);
#endif
  return g_allocs.load();
}
}  // namespace
#endif

namespace {

RunConfig playground_config() {
  RunConfig cfg;
  cfg.data.name = "spiral";
  cfg.layers = {64, 64, 64};
  cfg.activations = {Activation::Relu};
  cfg.batch = 64;
  cfg.optimizer.kind = OptimizerKind::Sgd;
  cfg.optimizer.lr = 0.03;
  cfg.seed = 17;
  return cfg;
}

// Reference xoshiro256** (Blackman & Vigna, xoshiro256starstar.c) seeded by splitmix64.
struct RefSplitMix64 {
  uint64_t x;
  uint64_t next() {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};
struct RefXoshiro256ss {
  uint64_t s[4];
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};
RefXoshiro256ss ref_seeded(uint64_t seed) {
  RefSplitMix64 sm{seed};
  RefXoshiro256ss r{};
  for (auto& w : r.s) w = sm.next();
  return r;
}

void require_same_reports(const MonitorReport& a, const MonitorReport& b) {
  REQUIRE(a.layers.size() == b.layers.size());
  CHECK(a.step == b.step);
  CHECK(a.eval_samples == b.eval_samples);
  CHECK(a.layer_collapsed == b.layer_collapsed);
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const LayerReport &x = a.layers[l], &y = b.layers[l];
    CHECK(x.state == y.state);
    CHECK(x.active_fraction == y.active_fraction);
    CHECK(x.mean_abs == y.mean_abs);
    CHECK(x.dormancy == y.dormancy);
    CHECK(x.grad_abs == y.grad_abs);
    CHECK(x.weight_norm == y.weight_norm);
    CHECK(x.died_at == y.died_at);
    CHECK(x.counts == y.counts);
    CHECK(x.grad_norm == y.grad_norm);
    CHECK(x.pre.counts == y.pre.counts);
    CHECK(x.act.percentiles == y.act.percentiles);
  }
}

}  // namespace

TEST_CASE("determinism: same config and seed give bitwise-identical runs", "[determinism]") {
  RunConfig cfg = playground_config();
  cfg.layers = {16, 16};
  const int variant = GENERATE(0, 1, 2);
  if (variant == 1) {
    cfg.optimizer.kind = OptimizerKind::Adam;
    cfg.optimizer.lr = 0.01;
    cfg.dropout = 0.2;  // dropout masks come from the seed too
  } else if (variant == 2) {
    cfg.activations = {Activation::Selu};
    cfg.alpha_dropout = 0.1;
    cfg.optimizer.kind = OptimizerKind::Momentum;
    cfg.revive_every = 10;
  }
  CAPTURE(variant);
  Run a(cfg), b(cfg);
  REQUIRE(a.model().params.size() == b.model().params.size());
  CHECK(std::memcmp(a.model().params.data(), b.model().params.data(), a.model().params.size() * sizeof(float)) == 0);
  a.step(50);
  b.step(50);
  CHECK(a.steps_done() == 50);
  CHECK(std::memcmp(a.model().params.data(), b.model().params.data(), a.model().params.size() * sizeof(float)) == 0);
  CHECK(a.last_batch_loss() == b.last_batch_loss());
  CHECK(a.last_grad_norm() == b.last_grad_norm());
  require_same_reports(a.monitor(), b.monitor());
  const Evaluation ea = a.evaluate(), eb = b.evaluate();
  CHECK(ea.train_loss == eb.train_loss);
  CHECK(ea.train_accuracy == eb.train_accuracy);
  CHECK(ea.test_accuracy == eb.test_accuracy);
  CHECK(a.monitor_state().events_total() == b.monitor_state().events_total());
  CHECK(a.export_weights() == b.export_weights());

  // A different seed gives a different run.
  RunConfig other = cfg;
  other.seed = cfg.seed + 1;
  Run c(other);
  c.step(50);
  CHECK(c.model().params != a.model().params);
}

TEST_CASE("determinism: the seed's streams are independent of the batch size", "[determinism]") {
  RunConfig cfg = playground_config();
  Run a(cfg);
  cfg.batch = 16;
  Run b(cfg);
  // Same data and same initial weights; only the minibatches differ.
  CHECK(a.data().x_train == b.data().x_train);
  CHECK(a.data().y_train == b.data().y_train);
  CHECK(a.model().params == b.model().params);
}

TEST_CASE("forward agrees with a naive triple-loop matmul", "[determinism][reference]") {
  Mlp<float> m(5, {7, 6}, {Activation::Tanh, Activation::Relu}, 2, Loss::Mse);
  Rng rng(21);
  for (auto& p : m.params) p = static_cast<float>(rng.normal() * 0.7);
  const int n = 13;
  Eigen::MatrixXf x(5, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < 5; ++i) x(i, j) = static_cast<float>(rng.normal());
  m.forward(x, n, false);

  // layer l: z = W a_prev + b, in double with three plain loops.
  Eigen::MatrixXd prev = x.cast<double>();
  const Activation acts[3] = {Activation::Tanh, Activation::Relu, Activation::Linear};
  for (int l = 0; l < 3; ++l) {
    const auto W = m.W(l);
    const auto b = m.b(l);
    Eigen::MatrixXd z(W.rows(), n), a(W.rows(), n);
    for (int i = 0; i < W.rows(); ++i)
      for (int j = 0; j < n; ++j) {
        double acc = b(i);
        for (int k = 0; k < W.cols(); ++k) acc += static_cast<double>(W(i, k)) * prev(k, j);
        z(i, j) = acc;
        a(i, j) = activation_value(acts[l], acc, 0.0);
      }
    for (int i = 0; i < W.rows(); ++i)
      for (int j = 0; j < n; ++j) {
        CAPTURE(l, i, j);
        CHECK_THAT(static_cast<double>(m.layer(l).z(i, j)), WithinRel(z(i, j), 1e-5) || WithinAbs(z(i, j), 1e-6));
        CHECK_THAT(static_cast<double>(m.layer(l).a(i, j)), WithinRel(a(i, j), 1e-5) || WithinAbs(a(i, j), 1e-6));
      }
    prev = a;
  }
}

TEST_CASE("Rng: xoshiro256** seeded by splitmix64, checked against the reference algorithm", "[determinism][rng]") {
  // The reference implementation reproduces published test vectors.
  RefSplitMix64 sm{1234567};
  CHECK(sm.next() == 6457827717110365317ULL);
  CHECK(sm.next() == 3203168211198807973ULL);
  CHECK(sm.next() == 9817491932198370423ULL);
  RefXoshiro256ss xs{{1, 2, 3, 4}};
  CHECK(xs.next() == 11520ULL);
  CHECK(xs.next() == 0ULL);
  CHECK(xs.next() == 1509978240ULL);
  CHECK(xs.next() == 1215971899390074240ULL);

  // Rng(42)'s first outputs, recorded once: a change here changes every seeded run.
  Rng r(42);
  CHECK(r.next_u64() == 1546998764402558742ULL);
  CHECK(r.next_u64() == 6990951692964543102ULL);
  CHECK(r.next_u64() == 12544586762248559009ULL);

  for (uint64_t seed : {0ULL, 1ULL, 42ULL, 0xFFFFFFFFFFFFFFFFULL}) {
    Rng e(seed);
    RefXoshiro256ss ref = ref_seeded(seed);
    bool same = true;
    for (int i = 0; i < 1000; ++i) same = same && e.next_u64() == ref.next();
    CAPTURE(seed);
    CHECK(same);
  }
  // reseed restarts the stream (and drops a cached normal).
  Rng a(5), b(5);
  a.normal();
  a.reseed(5);
  CHECK(a.normal() == b.normal());
  // uniform() = 53 high bits / 2^53.
  Rng u(9), v(9);
  for (int i = 0; i < 10; ++i) CHECK(u.uniform() == static_cast<double>(v.next_u64() >> 11) * 0x1.0p-53);
  // Independent streams per purpose.
  CHECK(derive_seed(42, kStreamData) != derive_seed(42, kStreamInit));
  CHECK(derive_seed(42, kStreamInit) != derive_seed(43, kStreamInit));
  CHECK(derive_seed(42, kStreamInit) == derive_seed(42, kStreamInit));
}

TEST_CASE("Rng: sample statistics over 1e6 draws", "[determinism][rng]") {
  const int N = 1000000;
  Rng r(2718);
  double s1 = 0, s2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < N; ++i) {
    const double u = r.uniform();
    s1 += u;
    s2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  double mean = s1 / N, var = s2 / N - mean * mean;
  CHECK_THAT(mean, WithinAbs(0.5, 3 * std::sqrt(1.0 / 12 / N)));
  CHECK_THAT(var, WithinAbs(1.0 / 12, 3 * std::sqrt((1.0 / 80 - 1.0 / 144) / N)));

  double p = 0, n1 = 0, n2 = 0, n4 = 0;
  for (int i = 0; i < N; ++i) {
    const double z = r.normal();
    n1 += z;
    n2 += z * z;
    n4 += z * z * z * z;
    p += r.uniform_pos() > 0.0;
  }
  mean = n1 / N;
  var = n2 / N - mean * mean;
  CHECK(p == N);  // uniform_pos is never 0
  CHECK_THAT(mean, WithinAbs(0.0, 3 * std::sqrt(1.0 / N)));
  CHECK_THAT(var, WithinAbs(1.0, 3 * std::sqrt(2.0 / N)));
  CHECK_THAT(n4 / N, WithinAbs(3.0, 3 * std::sqrt(96.0 / N)));
  const double m2 = r.normal(3.0, 0.0);
  CHECK(m2 == 3.0);

  // Beta(2,1): mean 2/3, variance 1/18, within [0, 1].
  double b1 = 0, b2 = 0, blo = 1, bhi = 0;
  for (int i = 0; i < N; ++i) {
    const double x = r.beta21();
    b1 += x;
    b2 += x * x;
    blo = std::min(blo, x);
    bhi = std::max(bhi, x);
  }
  CHECK(blo >= 0.0);
  CHECK(bhi <= 1.0);
  CHECK_THAT(b1 / N, WithinAbs(2.0 / 3.0, 3 * std::sqrt(1.0 / 18 / N)));
  CHECK_THAT(b2 / N - (b1 / N) * (b1 / N), WithinAbs(1.0 / 18, 0.001));

  // below(n): uniform over [0, n), including awkward n.
  for (uint32_t n : {1u, 3u, 7u, 1000u}) {
    std::vector<double> counts(n, 0);
    const int draws = 300000;
    bool in_range = true;
    for (int i = 0; i < draws; ++i) {
      const uint32_t k = r.below(n);
      in_range = in_range && k < n;
      if (k < n) counts[k] += 1;
    }
    CAPTURE(n);
    CHECK(in_range);
    if (n > 1) {
      double chi2 = 0;
      const double e = double(draws) / n;
      for (double c : counts) chi2 += (c - e) * (c - e) / e;
      // chi-square with n-1 dof: mean n-1, sd sqrt(2(n-1)); allow 5 sd.
      CHECK(chi2 < (n - 1) + 5 * std::sqrt(2.0 * (n - 1)));
    }
  }
  CHECK(r.below(0xFFFFFFFFu) < 0xFFFFFFFFu);

  std::vector<int> v(50);
  for (int i = 0; i < 50; ++i) v[i] = i;
  r.shuffle(v);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) CHECK(sorted[i] == i);
  CHECK(v != sorted);
}

#ifdef RELU_COUNT_ALLOCS
TEST_CASE("allocation counter sees malloc, operator new and Eigen allocations", "[determinism][alloc]") {
  // Guards the no-allocation test below: it could not fail if the counter were blind.
  CHECK(count_allocs([] {}) == 0);
  CHECK(count_allocs([] {
          std::vector<float> v(100);
          escape(v.data());
        }) >= 1);
  CHECK(count_allocs([] {
          std::unique_ptr<int> p(new int(4));
          escape(p.get());
        }) >= 1);
  CHECK(count_allocs([] {
          Eigen::MatrixXf m(64, 64);
          escape(m.data());
        }) >= 1);
  CHECK(count_allocs([] {
          void* p = std::malloc(16);
          escape(p);
          std::free(p);
        }) == 1);
  // An Eigen product into a fresh temporary allocates; into a preallocated noalias target it must not.
  Eigen::MatrixXf a = Eigen::MatrixXf::Random(32, 32), b = Eigen::MatrixXf::Random(32, 32), c(32, 32);
  CHECK(count_allocs([&] { c.noalias() = a * b; }) == 0);
  CHECK(count_allocs([&] {
          Eigen::MatrixXf d = a * b;
          escape(d.data());
        }) >= 1);
}

TEST_CASE("no heap allocation inside a training step (after warm-up)", "[determinism][alloc]") {
  struct Variant {
    const char* name;
    OptimizerKind opt;
    int batch;
    double dropout, alpha_dropout;
    Activation act;
    int monitor_every;
  };
  const Variant variants[] = {
      {"sgd, batch 64, no monitor", OptimizerKind::Sgd, 64, 0, 0, Activation::Relu, 1 << 30},
      {"adam, batch 64, dropout", OptimizerKind::Adam, 64, 0.1, 0, Activation::Relu, 1 << 30},
      {"momentum, full batch, prelu", OptimizerKind::Momentum, 0, 0, 0, Activation::Prelu, 1 << 30},
      {"rmsprop, batch 64, selu + alpha dropout", OptimizerKind::Rmsprop, 64, 0, 0.1, Activation::Selu, 1 << 30},
      {"sgd, batch 64, monitor every 5 steps", OptimizerKind::Sgd, 64, 0, 0, Activation::Relu, 5},
  };
  const int k = GENERATE(range(0, 5));
  const Variant& v = variants[k];
  CAPTURE(v.name);
  RunConfig cfg = playground_config();
  cfg.optimizer.kind = v.opt;
  cfg.optimizer.lr = v.opt == OptimizerKind::Sgd ? 0.03 : 0.001;
  cfg.batch = v.batch;
  cfg.dropout = v.dropout;
  cfg.alpha_dropout = v.alpha_dropout;
  cfg.activations = {v.act};
  cfg.monitor_every = v.monitor_every;
  Run run(cfg);
  run.step(10);  // warm-up (includes monitor evaluations when monitor_every = 5)
  const long allocs = count_allocs([&] { run.step(10); });
  CHECK(run.steps_done() == 20);
  CHECK_FALSE(run.diverged());
  CHECK(allocs == 0);
}

TEST_CASE("no heap allocation inside a step with each continual-learning remedy on", "[determinism][alloc][remedies]") {
  // Continual backprop with a rate and maturity that replace units inside the counted steps
  // (events, fresh weights, optimiser state), on a dense net and on a convnet's channels.
  const char* remedy = GENERATE(R"({"shrink":0.999,"perturb":0.001})", R"({"l2_init":0.01})",
                                R"({"cbp_rate":0.2,"cbp_maturity":3,"optimizer":"adam","lr":0.001})",
                                R"j({"cbp_rate":0.2,"cbp_maturity":3,"monitor_every":5,"dataset":"mnist14","samples":300,"net":"conv2d(4,3,same),maxpool(2),dense(16)"})j");
  CAPTURE(remedy);
  RunConfig cfg = playground_config();
  apply_config_json(cfg, remedy);
  Run run(cfg);
  run.step(10);
  const int64_t replaced_before = run.remedies().replaced_total();
  const long allocs = count_allocs([&] { run.step(10); });
  CHECK(run.steps_done() == 20);
  CHECK_FALSE(run.diverged());
  if (cfg.cbp_rate > 0) CHECK(run.remedies().replaced_total() > replaced_before);
  CHECK(allocs == 0);
}

TEST_CASE("no heap allocation inside a convolutional network's step (after warm-up)", "[determinism][alloc][conv]") {
  // Convolution (im2col), max and mean pooling, the flatten, PReLU per channel, the monitor
  // over channels every 5 steps, Adam.
  const char* activation = GENERATE("relu", "prelu");
  CAPTURE(activation);
  RunConfig cfg = config_from_json(std::string(R"j({"dataset":"mnist14","samples":300,
      "net":"conv2d(4,3,same),maxpool(2),conv2d(6,3,1,2),avgpool(2),dense(16)","batch":32,
      "optimizer":"adam","lr":0.001,"monitor_every":5,"activation":")j") + activation + "\"}");
  Run run(cfg);
  run.step(10);
  const long allocs = count_allocs([&] { run.step(10); });
  CHECK(run.steps_done() == 20);
  CHECK(allocs == 0);
}

TEST_CASE("no heap allocation inside a normalised network's step (after warm-up)", "[determinism][alloc][norm]") {
  // BatchNorm (training statistics, running statistics, the monitor's eval-mode passes every 5
  // steps) and LayerNorm, on dense and conv layers, with Adam.
  const char* net = GENERATE("dense(16,batchnorm),dense(16,layernorm)",
                             "conv2d(4,3,same,batchnorm),maxpool(2),conv2d(6,3,1,2,layernorm),dense(16,batchnorm)");
  CAPTURE(net);
  RunConfig cfg = config_from_json(std::string(R"j({"dataset":"mnist14","samples":300,"batch":32,
      "optimizer":"adam","lr":0.001,"monitor_every":5,"net":")j") + net + "\"}");
  Run run(cfg);
  run.step(10);
  const long allocs = count_allocs([&] { run.step(10); });
  CHECK(run.steps_done() == 20);
  CHECK_FALSE(run.diverged());
  CHECK(allocs == 0);
}
#endif
