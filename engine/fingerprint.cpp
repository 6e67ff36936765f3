#include "fingerprint.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "run.h"

namespace relu {
namespace {

using json = nlohmann::ordered_json;

// The bits, not a decimal rendering: printf's %a differs between glibc and musl in form,
// and decimal digits could hide a last-place difference. Non-finite values by name.
std::string bits(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(u));
  return buf;
}

std::string bits(float x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(u));
  return buf;
}

// FNV-1a 64 over raw bytes: a short, platform-independent name for a whole array.
struct Fnv {
  uint64_t h = 1469598103934665603ull;
  template <typename T>
  void add(const std::vector<T>& v) {
    add_bytes(v.data(), v.size() * sizeof(T));
  }
  void add_bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  }
  std::string hex() const {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

}  // namespace

std::string dataset_fingerprint(const Dataset& d) {
  Fnv f;
  f.add_bytes(d.x_train.data(), sizeof(float) * d.x_train.size());
  f.add_bytes(d.y_train.data(), sizeof(float) * d.y_train.size());
  f.add_bytes(d.x_test.data(), sizeof(float) * d.x_test.size());
  f.add_bytes(d.y_test.data(), sizeof(float) * d.y_test.size());
  return f.hex();
}

std::string run_fingerprint(Run& run) {
  const Evaluation e = run.evaluate();
  json j;
  j["steps"] = run.steps_done();
  j["batch_loss"] = bits(run.last_batch_loss());
  j["grad_norm"] = bits(run.last_grad_norm());
  j["train_loss"] = bits(e.train_loss);
  j["test_loss"] = bits(e.test_loss);
  j["train_accuracy"] = bits(e.train_accuracy);
  j["test_accuracy"] = bits(e.test_accuracy);
  j["born_dead"] = run.born_dead();
  j["diverged"] = run.diverged();
  j["checkpoint_step"] = run.checkpoint_step();
  Fnv params;
  params.add(run.model().params);
  params.add(run.model().state);  // BatchNorm's running statistics (none: the same hash as before they existed)
  j["params"] = params.hex();

  const Monitor& m = run.monitor_state();
  const MonitorReport& r = m.report();
  j["monitor_step"] = r.step;
  j["layer_collapsed"] = r.layer_collapsed;
  json layers = json::array();
  for (const LayerReport& L : r.layers) {
    std::string states;
    for (uint8_t s : L.state) states += static_cast<char>('0' + s);
    Fnv stats;
    for (const auto* v : {&L.active_fraction, &L.saturated_fraction, &L.mean_abs, &L.dormancy, &L.grad_abs,
                          &L.weight_norm, &L.bias, &L.slope})
      stats.add(*v);
    stats.add(L.died_at);
    layers.push_back({{"activation", L.activation},
                      {"states", states},
                      {"dead_fraction", bits(L.dead_fraction)},
                      {"silent_fraction", bits(L.silent_fraction)},
                      {"no_positive_fraction", bits(L.no_positive_fraction)},
                      {"grad_norm", bits(L.grad_norm)},
                      {"unit_stats", stats.hex()}});
  }
  j["layers"] = layers;
  json events = json::array();
  for (const NeuronEvent& ev : m.events()) events.push_back({ev.step, ev.layer, ev.neuron, ev.kind});
  j["events"] = events;
  j["events_total"] = m.events_total();
  return j.dump();
}

}  // namespace relu
