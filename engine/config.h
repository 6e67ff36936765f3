// A run's configuration: one table of keys shared by the CLI flags (--test-fraction),
// the JSON config ("test_fraction" or "test-fraction"), and the JS API.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "activation.h"
#include "dataset.h"
#include "init.h"
#include "mlp.h"
#include "monitor.h"
#include "optimizer.h"

namespace relu {

// Limits, enforced with a message before anything is allocated.
constexpr int kMaxWidth = 1024;
constexpr int kMaxHiddenLayers = 64;
constexpr int kMaxBatch = 1000000;
constexpr int64_t kMaxParams = 16 * 1024 * 1024;

struct RunConfig {
  // data
  DataSpec data;                 // name, samples, noise, test_fraction, standardize, task, seed (set from seed)
  bool test_fraction_set = false;  // false: the dataset's default (csv: 0.25, negative-uniform: 0.3, mnist, mnist14, iris: 0.2 = their fixed split, else 0.5)
  // network
  std::vector<int> layers = {8, 8};  // hidden unit layers' widths (neurons; a conv layer's channels)
  // The whole hidden spec when it is more than dense layers (net_spec.h); empty: `layers` are
  // dense. Setting "net" also sets `layers` to its widths; setting "layers" clears it.
  std::vector<LayerSpec> net;
  std::array<int, 3> input_shape{0, 0, 0};  // C, H, W of CSV rows for convolutions; 0: the dataset's
  std::vector<Activation> activations = {Activation::Relu};  // one, or one per hidden layer
  double leaky_slope = kLeakyDefaultSlope;
  std::string loss = "auto";     // auto | mse | bce | ce ; auto follows the dataset's task
  InitSpec init;
  double bias_init = 0.0;
  double dropout = 0.0;          // standard (inverted) dropout after each hidden activation
  double alpha_dropout = 0.0;    // SELU's AlphaDropout; at most one of the two is non-zero
  // training
  OptimizerSpec optimizer;
  int batch = 32;                // 0 = full batch
  // false: the split keeps the rows' order (the test rows are the last ones) and
  // minibatches walk the training set in that order, epoch after epoch, so a reference
  // implementation can feed the same batches (tests/reference).
  bool shuffle = true;
  int64_t steps = 1000;          // CLI: how many steps to train
  uint64_t seed = 1;
  // monitor and interventions
  MonitorOptions monitor;
  // Steps between monitor evaluations while training (when death and revival
  // events are stamped). 0 = automatic: often enough to date events, rarely enough
  // that evaluating the set costs about a tenth of the training (see Run::monitor_interval).
  int monitor_every = 0;
  int revive_every = 0;          // 0 = never
  double revive_tau = 0.0;       // revive also units with dormancy <= tau (0: dead units only)
  // Continual-learning remedies (engine/remedies.h); the defaults leave training unchanged.
  double shrink = 1.0;           // shrink & perturb: each step theta <- shrink theta + perturb eps
  double perturb = 0.0;          //   (eps standard normal per parameter); 1 and 0 = off
  double l2_init = 0.0;          // L2 toward the initial weights: gradient += l2_init (theta - theta0)
  double cbp_rate = 0.0;         // continual backprop: share of mature units replaced per step; 0 = off
  int cbp_maturity = 100;        //   steps a unit lives before it may be replaced
  double cbp_decay = 0.99;       //   decay of the contribution utility's running average
  // CLI only
  int log_every = 0;             // 0 = steps / 100, at least 1

  Activation activation_of(int hidden_layer) const {
    return activations.size() == 1 ? activations[0] : activations[hidden_layer];
  }
};

// Sets one key from its JSON text (e.g. key "lr", value "0.1"; key "layers", value "[8,8]"
// or "\"8,8\""). Dashes in keys are read as underscores. Throws std::invalid_argument
// naming the key and the problem; cfg is unchanged on error.
void apply_config_value(RunConfig& cfg, const std::string& key, const std::string& json_value);

// Parses a JSON object of keys; unknown keys are an error. Throws std::invalid_argument.
RunConfig config_from_json(const std::string& json_text);
void apply_config_json(RunConfig& cfg, const std::string& json_text);

// The whole config as a JSON object (round-trips through config_from_json).
std::string config_to_json(const RunConfig& cfg);

// Checks ranges and combinations (widths 1..1024, lr finite and > 0, ...).
// Throws std::invalid_argument naming the key.
void validate_config(const RunConfig& cfg);

// The candidate within edit distance 2 of word (the nearest), or "" — for "did you mean".
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

// The keys a running Run accepts through Run::set without a restart: the key table's
// rows marked live, in table order.
const std::vector<std::string>& live_keys();

// Every key of the table with its live flag (engine.info().keys).
struct KeyInfo {
  std::string name;
  bool live;
};
const std::vector<KeyInfo>& key_infos();

// On-change hooks of the live keys, named in the key table's rows (config.cpp) and defined
// beside Run (run.cpp): each brings a running Run in line with its config's new value.
class Run;
struct LiveHooks {
  static void activation(Run& run);      // every hidden layer's activation; weights kept
  static void leaky_slope(Run& run);
  static void dropout(Run& run);         // dropout and alpha_dropout
  static void optimizer(Run& run);       // a new optimiser (fresh moments) over the same weights
  static void optimizer_spec(Run& run);  // hyper-parameters in place; moments kept
  static void monitor(Run& run);         // silent_threshold, hist_bins
  static void dead_def(Run& run);        // clears the event history, rebuilds the probe, re-evaluates
};
using LiveHook = void (*)(Run&);

// True when `key` (dashes read as underscores) is live; *hook receives its on-change hook
// (nullptr for keys that Run reads from its config each time: batch, monitor_every, ...).
bool live_key(const std::string& key, LiveHook* hook);

}  // namespace relu
