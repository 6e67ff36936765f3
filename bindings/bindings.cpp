// Embind layer over relu::Run: no logic of its own. web/engine.js is the public API;
// everything bound here is private to it.
//
// Errors: every call that can throw catches the C++ exception here and keeps its
// message in error_; engine.js reads takeError() after the call and throws a JS Error.
// (A C++ exception that escaped into JS would arrive as a bare pointer, with no message,
// and a JS exception thrown through wasm frames would skip C++ destructors.)
//
// Bulk data leaves as typed_memory_view: views over the wasm heap, valid only until the
// heap next grows. engine.js copies them (.slice()) straight away.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <malloc.h>
#include <exception>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activation.h"
#include "config.h"
#include "dataset.h"
#include "fingerprint.h"
#include "history.h"
#include "monitor.h"
#include "packed_data.h"
#include "run.h"

using emscripten::typed_memory_view;
using emscripten::val;

namespace {

struct EvaluationJs {
  double train_loss, test_loss, train_accuracy, test_accuracy;
};

struct StatusJs {
  double step;  // int64 as double: exact below 2^53
  double batch_loss, grad_norm;
  bool diverged, born_dead;
  bool evaluation_reuses_monitor;  // Run::evaluation_reuses_monitor: a snapshot now is cheap
  int monitor_interval;            // Run::monitor_interval: the monitor evaluates at its multiples
};

struct LayerScalarsJs {
  int width;
  std::string activation;
  int dead, saturated, always_on, mostly_silent, healthy;
  float dead_fraction, silent_fraction, no_positive_fraction, grad_norm;
};

struct ShapeJs {
  int in, out;  // a unit's incoming weights, and the units (neurons or channels)
  double w_off, b_off, s_off;
  int positions, unit_step, tap_step;  // rows of z per unit; where unit i's weight j is (unit_layer.h)
};

struct ReportMetaJs {
  double step;
  int eval_samples;
  bool layer_collapsed;
  double events_total;
};

// ---- bulk snapshots ----
// The per-unit statistics a snapshot carries, in packing order: the one list (adding a
// statistic to LayerReport and a row here is all it takes; engine.js reads the list from
// snapshotLayout()). js: the snapshot's key; type: the typed array it arrives as.
struct UnitField {
  const char* js;
  const char* type;  // "u8", "i32" or "f32"
  const void* (*data)(const relu::LayerReport&);
  size_t elem_size;
};
#define RELU_FIELD(js, member, type, size) \
  UnitField{js, type, [](const relu::LayerReport& r) -> const void* { return r.member.data(); }, size}
const UnitField kUnitFields[] = {
    RELU_FIELD("states", state, "u8", 1),
    RELU_FIELD("activeFraction", active_fraction, "f32", 4),
    RELU_FIELD("inputFraction", input_fraction, "f32", 4),
    RELU_FIELD("saturatedFraction", saturated_fraction, "f32", 4),
    RELU_FIELD("meanAbs", mean_abs, "f32", 4),
    RELU_FIELD("dormancy", dormancy, "f32", 4),
    RELU_FIELD("gradAbs", grad_abs, "f32", 4),
    RELU_FIELD("weightNorm", weight_norm, "f32", 4),
    RELU_FIELD("bias", bias, "f32", 4),
    RELU_FIELD("slope", slope, "f32", 4),
    RELU_FIELD("diedAt", died_at, "i32", 4),
    RELU_FIELD("frozen", frozen, "u8", 1),
    RELU_FIELD("ablated", ablated, "u8", 1),
};
#undef RELU_FIELD

// Bytes of n elements of `size`, padded to 4 so every section of the pack stays aligned.
size_t padded(size_t n, size_t size) { return (n * size + 3) / 4 * 4; }

// Layer l's pack: each unit field (width elements, padded to 4 bytes) in kUnitFields order,
// then per histogram (pre, act, grad) as float32: bins, samples, lo, hi, the percentiles,
// the counts. engine.js checks that its reading ends exactly at the pack's length.
void pack_layer(const relu::LayerReport& r, std::vector<uint32_t>& out) {
  size_t bytes = 0;
  for (const auto& f : kUnitFields) bytes += padded(r.width, f.elem_size);
  for (const relu::Histogram* h : {&r.pre, &r.act, &r.grad}) bytes += 4 * (4 + h->percentiles.size() + h->counts.size());
  out.assign(bytes / 4, 0);
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  for (const auto& f : kUnitFields) {
    std::memcpy(p, f.data(r), r.width * f.elem_size);
    p += padded(r.width, f.elem_size);
  }
  for (const relu::Histogram* h : {&r.pre, &r.act, &r.grad}) {
    const float head[4] = {static_cast<float>(h->counts.size()), static_cast<float>(h->samples), h->lo, h->hi};
    std::memcpy(p, head, sizeof head);
    p += sizeof head;
    std::memcpy(p, h->percentiles.data(), h->percentiles.size() * 4);
    p += h->percentiles.size() * 4;
    std::memcpy(p, h->counts.data(), h->counts.size() * 4);
    p += h->counts.size() * 4;
  }
}

std::string snapshot_layout() {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : kUnitFields) fields.push_back({{"name", f.js}, {"type", f.type}});
  return nlohmann::json{{"unit_fields", fields}, {"histograms", {"pre", "act", "grad"}},
                        {"percentiles", relu::kNumPercentiles}}
      .dump();
}

class RunHandle {
 public:
  // Every method that reaches the engine goes through guard(): exceptions become error_.
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    error_.clear();
    try {
      return f();
    } catch (const std::exception& e) {
      error_ = e.what();
      if (error_.empty()) error_ = "engine error";
    } catch (...) {
      error_ = "unknown engine error";
    }
    return fallback<decltype(f())>();
  }
  template <typename T>
  static T fallback() {
    if constexpr (std::is_same_v<T, val>)
      return val::undefined();
    else
      return T();
  }

  std::string take_error() {
    std::string e;
    e.swap(error_);
    return e;
  }

  bool create(const std::string& config_json) {
    return guard([&] {
      run_.reset();
      run_ = std::make_unique<relu::Run>(relu::config_from_json(config_json));
      return true;
    });
  }

  void step(double n) {
    guard([&] {
      if (!(n >= 0) || n > 9.0e15) throw std::invalid_argument("step: n must be a whole number >= 0");
      need().step(static_cast<int64_t>(n));
    });
  }

  EvaluationJs evaluate() {
    return guard([&] {
      relu::Evaluation e = need().evaluate();
      return EvaluationJs{e.train_loss, e.test_loss, e.train_accuracy, e.test_accuracy};
    });
  }

  StatusJs status() {
    return guard([&] {
      relu::Run& r = need();
      return StatusJs{static_cast<double>(r.steps_done()), r.last_batch_loss(), r.last_grad_norm(), r.diverged(),
                      r.born_dead(), r.evaluation_reuses_monitor(), r.monitor_interval()};
    });
  }

  // Where the run diverged, as JSON: {"step","what","layer","rollbackStep"}, or "null" while finite.
  std::string divergence_json() {
    return guard([&]() -> std::string {
      relu::Run& r = need();
      if (!r.diverged()) return "null";
      const auto& d = r.divergence();
      nlohmann::json j = {{"step", d.step}, {"what", d.what}, {"layer", d.layer}, {"rollbackStep", r.checkpoint_step()}};
      return j.dump();
    });
  }

  // Back to the last finite checkpoint; returns its step.
  double rollback() {
    return guard([&] { return static_cast<double>(need().rollback()); });
  }

  // The monitor's last report (the engine's cadence, inside step()): a pure read. Its
  // arrays are then read with the views below.
  ReportMetaJs monitor() {
    return guard([&] {
      const relu::MonitorReport& r = need().report();
      return ReportMetaJs{static_cast<double>(r.step), r.eval_samples, r.layer_collapsed,
                          static_cast<double>(need().monitor_state().events_total())};
    });
  }

  int num_layers() {
    return guard([&] { return static_cast<int>(report().layers.size()); });
  }

  LayerScalarsJs layer_scalars(int l) {
    return guard([&] {
      const relu::LayerReport& L = layer(l);
      const auto& c = L.counts;
      return LayerScalarsJs{L.width, L.activation, c[0], c[1], c[2], c[3], c[4], L.dead_fraction, L.silent_fraction,
                            L.no_positive_fraction, L.grad_norm};
    });
  }

  // Everything per-unit of hidden layer l in one size-checked copy (pack_layer above).
  val layer_pack(int l) {
    return guard([&] {
      pack_layer(layer(l), pack_buf_);
      return val(typed_memory_view(pack_buf_.size() * 4, reinterpret_cast<const uint8_t*>(pack_buf_.data())));
    });
  }

  // The retained events (at most max_events, oldest first), flattened as
  // [step, layer, neuron, kind] per event; events_total (in monitor()) counts dropped ones too.
  val events() {
    return guard([&] {
      const auto& ev = need().monitor_state().events();
      // Sized once for the most events the monitor keeps, so the buffer does not creep up
      // as a run's list fills (mallocBytes stays flat; tests/node/malloc.test.mjs).
      events_buf_.reserve(4 * static_cast<size_t>(need().config().monitor.max_events));
      events_buf_.resize(ev.size() * 4);
      for (size_t i = 0; i < ev.size(); ++i) {
        events_buf_[4 * i] = static_cast<double>(ev[i].step);
        events_buf_[4 * i + 1] = ev[i].layer;
        events_buf_[4 * i + 2] = ev[i].neuron;
        events_buf_[4 * i + 3] = ev[i].kind;
      }
      return val(typed_memory_view(events_buf_.size(), events_buf_.data()));
    });
  }

  void set(const std::string& key, const std::string& json_value) {
    guard([&] { need().set(key, json_value); });
  }

  int revive() {
    return guard([&] { return need().revive(); });
  }
  void revive_neuron(int l, int i) {
    guard([&] { need().revive_neuron(l, i); });
  }
  void set_frozen(int l, int i, bool b) {
    guard([&] { need().set_frozen(l, i, b); });
  }
  void set_ablated(int l, int i, bool b) {
    guard([&] { need().set_ablated(l, i, b); });
  }

  std::string export_weights() {
    return guard([&] { return need().export_weights(); });
  }
  void import_weights(const std::string& json) {
    guard([&] { need().import_weights(json); });
  }

  // The parameter block (mlp.h: per layer [W (out x in, column-major) | b | s]).
  val params() {
    return guard([&] {
      auto& p = need().model().params;
      return val(typed_memory_view(p.size(), p.data()));
    });
  }
  int num_model_layers() {
    return guard([&] { return need().model().num_layers(); });
  }
  ShapeJs layer_shape(int l) {
    return guard([&] {
      const auto& m = need().model();
      if (l < 0 || l >= m.num_layers()) throw std::invalid_argument("no layer " + std::to_string(l));
      const auto& L = m.layer(l);
      return ShapeJs{L.fan_in, L.units(), static_cast<double>(L.w_off), static_cast<double>(L.b_off),
                     static_cast<double>(L.s_off), L.positions, L.unit_step, L.tap_step};
    });
  }

  val grid(int l, int neuron, int res) {
    return guard([&] {
      need().grid(l, neuron, res, grid_buf_);
      return f32(grid_buf_);
    });
  }

  // The k training inputs with the highest z of a hidden unit (Run::top_inputs), as two
  // views: {index: Int32Array, z: Float32Array}.
  val top_inputs(int l, int neuron, int k) {
    return guard([&] {
      const auto& top = need().top_inputs(l, neuron, k);
      top_index_.resize(top.size());
      top_z_.resize(top.size());
      for (size_t j = 0; j < top.size(); ++j) {
        top_index_[j] = top[j].index;
        top_z_[j] = top[j].z;
      }
      val out = val::object();
      out.set("index", val(typed_memory_view(top_index_.size(), top_index_.data())));
      out.set("z", f32(top_z_));
      return out;
    });
  }

  // Run::sample_activations: every layer's units for one input, in one view.
  val sample_activations(int index, bool test) {
    return guard([&] {
      need().sample_activations(index, test, act_buf_);
      return f32(act_buf_);
    });
  }

  // predict: engine.js writes n samples (features x n, column-major) into input(n),
  // then calls predict(n) and copies the (outputs x n) result.
  val input(int n) {
    return guard([&] {
      const int f = need().data().features();
      if (n < 0 || static_cast<int64_t>(n) * f > (int64_t(64) << 20))
        throw std::invalid_argument("predict: too many samples");
      in_buf_.assign(static_cast<size_t>(n) * f, 0.0f);
      return f32(in_buf_);
    });
  }
  val predict(int n) {
    return guard([&] {
      relu::Run& r = need();
      const int f = r.data().features();
      if (n < 0 || static_cast<size_t>(n) * f > in_buf_.size())
        throw std::invalid_argument("predict: call input(n) first");
      out_buf_.resize(static_cast<size_t>(n) * r.model().outputs());
      r.predict(in_buf_.data(), n, out_buf_.data());
      return f32(out_buf_);
    });
  }

  int features() {
    return guard([&] { return need().data().features(); });
  }
  int outputs() {
    return guard([&] { return need().model().outputs(); });
  }
  std::string config_json() {
    return guard([&] { return relu::config_to_json(need().config()); });
  }
  // Dataset facts for the UI: name, task, classes, sizes, 2-D domain.
  std::string data_json() {
    return guard([&] {
      const relu::Dataset& d = need().data();
      nlohmann::json j;
      j["name"] = d.name;
      j["task"] = d.task == relu::Task::Regression ? "regression" : d.task == relu::Task::Binary ? "binary" : "multiclass";
      j["num_classes"] = d.num_classes;
      j["features"] = d.features();
      j["train_samples"] = d.x_train.cols();
      j["test_samples"] = d.x_test.cols();
      j["domain_min"] = d.domain_min;
      j["domain_max"] = d.domain_max;
      j["feature_names"] = d.feature_names;  // CSV: the header's names (else x1..xN); [] for generators
      j["target_name"] = d.target_name;
      j["class_names"] = d.class_names;      // CSV classification: class k's label as written; packed data's classes
      const bool image = d.image_shape[0] > 0;
      j["image_shape"] = image ? nlohmann::json(d.image_shape) : nlohmann::json(nullptr);  // [C,H,W] or null
      j["loss"] = relu::loss_name(need().loss());
      return j.dump();
    });
  }
  // The training data (features x n column-major, then targets), e.g. to plot points.
  val data_x(bool test) {
    return guard([&] {
      const relu::Dataset& d = need().data();
      const Eigen::MatrixXf& x = test ? d.x_test : d.x_train;
      return val(typed_memory_view(static_cast<size_t>(x.size()), x.data()));
    });
  }
  val data_y(bool test) {
    return guard([&] {
      const relu::Dataset& d = need().data();
      const Eigen::RowVectorXf& y = test ? d.y_test : d.y_train;
      return val(typed_memory_view(static_cast<size_t>(y.size()), y.data()));
    });
  }

  // engine/fingerprint.h's dataset_fingerprint: equal to the CLI's "data_fingerprint".
  std::string data_fingerprint() {
    return guard([&] { return relu::dataset_fingerprint(need().data()); });
  }

  void dispose() { run_.reset(); }

 private:
  relu::Run& need() {
    if (!run_) throw std::logic_error("this run has been disposed");
    return *run_;
  }
  const relu::MonitorReport& report() { return need().monitor_state().report(); }
  const relu::LayerReport& layer(int l) {
    const auto& r = report();
    if (l < 0 || l >= static_cast<int>(r.layers.size()))
      throw std::invalid_argument("layer " + std::to_string(l) + " is not a hidden layer");
    return r.layers[l];
  }
  static val f32(const std::vector<float>& v) { return val(typed_memory_view(v.size(), v.data())); }

  std::unique_ptr<relu::Run> run_;
  std::string error_;
  std::vector<float> grid_buf_, in_buf_, out_buf_, top_z_, act_buf_;
  std::vector<int32_t> top_index_;
  std::vector<double> events_buf_;
  std::vector<uint32_t> pack_buf_;  // layer_pack's copy (4-byte aligned)
};

// Static facts, as JSON: names the UI offers and the keys a run accepts live.
std::string engine_info() {
  nlohmann::json j;
  j["datasets"] = relu::dataset_names();
  j["activations"] = relu::activation_names();
  j["optimizers"] = relu::optimizer_names();
  j["losses"] = {"auto", "mse", "bce", "ce"};
  j["inits"] = relu::init_names();
  j["live_keys"] = relu::live_keys();
  j["keys"] = nlohmann::json::array();
  for (const auto& k : relu::key_infos()) j["keys"].push_back({{"name", k.name}, {"live", k.live}});
  // The history schema (engine/history.h): the fixed columns, then each prefix + 1..L.
  j["history_columns"] = {{"fixed", relu::history_fixed_columns()}, {"per_layer", relu::history_layer_prefixes()}};
  j["limits"] = {{"max_width", relu::kMaxWidth},
                 {"max_hidden_layers", relu::kMaxHiddenLayers},
                 {"max_batch", relu::kMaxBatch},
                 {"max_params", relu::kMaxParams},
                 {"max_samples", relu::kMaxSamples},
                 {"max_features", relu::kMaxFeatures}};
  j["states"] = nlohmann::json::array();  // index = numeric state code (monitor.h)
  for (int k = 0; k < relu::kNumStates; ++k) j["states"].push_back(relu::state_name(static_cast<relu::NeuronState>(k)));
  return j.dump();
}

// engine.provideData(name, bytes): one bulk copy of the Uint8Array into the heap, then the
// engine checks and registers it. Returns "" or the error's message (engine.js throws it).
std::string provide_data(const std::string& name, const val& bytes) {
  try {
    const size_t n = bytes["length"].as<size_t>();
    if (n > (256u << 20)) throw std::invalid_argument("provideData: " + std::to_string(n) + " bytes is more than the limit of 256 MB");
    std::vector<uint8_t> copy(n);
    val(typed_memory_view(n, copy.data())).call<void>("set", bytes);
    relu::provide_packed_data(name, std::move(copy));
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool has_data(const std::string& name) { return relu::has_packed_data(name); }

// Heap size in bytes, for tests of growth and leaks.
double heap_bytes() { return static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0; }
// Bytes malloc has handed out and not yet freed (mallinfo().uordblks), for leak checks (bench/soak.mjs).
double malloc_bytes() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(relu_engine) {
  using namespace emscripten;
  value_object<EvaluationJs>("Evaluation")
      .field("trainLoss", &EvaluationJs::train_loss)
      .field("testLoss", &EvaluationJs::test_loss)
      .field("trainAccuracy", &EvaluationJs::train_accuracy)
      .field("testAccuracy", &EvaluationJs::test_accuracy);
  value_object<StatusJs>("Status")
      .field("step", &StatusJs::step)
      .field("batchLoss", &StatusJs::batch_loss)
      .field("gradNorm", &StatusJs::grad_norm)
      .field("diverged", &StatusJs::diverged)
      .field("evaluationReusesMonitor", &StatusJs::evaluation_reuses_monitor)
      .field("monitorInterval", &StatusJs::monitor_interval)
      .field("bornDead", &StatusJs::born_dead);
  value_object<LayerScalarsJs>("LayerScalars")
      .field("width", &LayerScalarsJs::width)
      .field("activation", &LayerScalarsJs::activation)
      .field("dead", &LayerScalarsJs::dead)
      .field("saturated", &LayerScalarsJs::saturated)
      .field("alwaysOn", &LayerScalarsJs::always_on)
      .field("mostlySilent", &LayerScalarsJs::mostly_silent)
      .field("healthy", &LayerScalarsJs::healthy)
      .field("deadFraction", &LayerScalarsJs::dead_fraction)
      .field("silentFraction", &LayerScalarsJs::silent_fraction)
      .field("noPositiveFraction", &LayerScalarsJs::no_positive_fraction)
      .field("gradNorm", &LayerScalarsJs::grad_norm);
  value_object<ShapeJs>("Shape")
      .field("in", &ShapeJs::in)
      .field("out", &ShapeJs::out)
      .field("wOffset", &ShapeJs::w_off)
      .field("bOffset", &ShapeJs::b_off)
      .field("positions", &ShapeJs::positions)
      .field("unitStep", &ShapeJs::unit_step)
      .field("tapStep", &ShapeJs::tap_step)
      .field("sOffset", &ShapeJs::s_off);
  value_object<ReportMetaJs>("ReportMeta")
      .field("step", &ReportMetaJs::step)
      .field("evalSamples", &ReportMetaJs::eval_samples)
      .field("layerCollapsed", &ReportMetaJs::layer_collapsed)
      .field("eventsTotal", &ReportMetaJs::events_total);

  class_<RunHandle>("RunHandle")
      .constructor<>()
      .function("takeError", &RunHandle::take_error)
      .function("create", &RunHandle::create)
      .function("step", &RunHandle::step)
      .function("evaluate", &RunHandle::evaluate)
      .function("status", &RunHandle::status)
      .function("monitor", &RunHandle::monitor)
      .function("divergenceJson", &RunHandle::divergence_json)
      .function("rollback", &RunHandle::rollback)
      .function("numLayers", &RunHandle::num_layers)
      .function("layerScalars", &RunHandle::layer_scalars)
      .function("layerPack", &RunHandle::layer_pack)
      .function("events", &RunHandle::events)
      .function("set", &RunHandle::set)
      .function("revive", &RunHandle::revive)
      .function("reviveNeuron", &RunHandle::revive_neuron)
      .function("setFrozen", &RunHandle::set_frozen)
      .function("setAblated", &RunHandle::set_ablated)
      .function("exportWeights", &RunHandle::export_weights)
      .function("importWeights", &RunHandle::import_weights)
      .function("params", &RunHandle::params)
      .function("numModelLayers", &RunHandle::num_model_layers)
      .function("layerShape", &RunHandle::layer_shape)
      .function("grid", &RunHandle::grid)
      .function("topInputs", &RunHandle::top_inputs)
      .function("sampleActivations", &RunHandle::sample_activations)
      .function("input", &RunHandle::input)
      .function("predict", &RunHandle::predict)
      .function("features", &RunHandle::features)
      .function("outputs", &RunHandle::outputs)
      .function("configJson", &RunHandle::config_json)
      .function("dataJson", &RunHandle::data_json)
      .function("dataX", &RunHandle::data_x)
      .function("dataY", &RunHandle::data_y)
      .function("dataFingerprint", &RunHandle::data_fingerprint)
      .function("dispose", &RunHandle::dispose);
  function("engineInfo", &engine_info);
  function("provideData", &provide_data);
  function("hasData", &has_data);
  function("snapshotLayout", &snapshot_layout);
  function("heapBytes", &heap_bytes);
  function("mallocBytes", &malloc_bytes);
}
