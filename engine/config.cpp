#include "config.h"

#include "net_spec.h"
#include "packed_data.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <utility>

namespace relu {

namespace {

using json = nlohmann::json;

constexpr double kInf = std::numeric_limits<double>::infinity();
// JSON numbers are doubles in JavaScript: larger integers would silently change.
constexpr int64_t kMaxJsonInteger = int64_t(1) << 53;
// Configs are small; the cap only stops pathological nesting from exhausting memory.
constexpr int kMaxJsonDepth = 64;
// Generators produce at most this many features; used for the size estimate.
constexpr int kGeneratorMaxFeatures = 4;
// The packed datasets have at most this many (mnist: 28x28).
constexpr int kPackedMaxFeatures = 784;

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

std::string format_number(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (std::floor(x) == x && std::fabs(x) < 1e15) return std::to_string(static_cast<int64_t>(x));
  return json(x).dump();
}

// Short rendering of a user value for messages.
std::string show(const json& v) {
  std::string s = v.is_number_float() ? format_number(v.get<double>()) : v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string normalize_key(std::string key) {
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

// Names are matched case-insensitively and without surrounding blanks.
std::string lower_trim(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto first = name.find_first_not_of(" \t");
  const auto last = name.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : name.substr(first, last - first + 1);
}

// Identifiers (activations, optimizers, initialisers) also read dashes as underscores ("Leaky-ReLU").
std::string snake_name(const std::string& name) {
  std::string out = lower_trim(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

json parse_json(const std::string& text) {
  const json::parser_callback_t limit_depth = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth)
      fail("invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return true;
  };
  try {
    return json::parse(text, limit_depth);
  } catch (const json::exception& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix: users need the position.
    std::string what = e.what();
    const auto close = what.find("] ");
    if (what.rfind("[json.exception.", 0) == 0 && close != std::string::npos) what = what.substr(close + 2);
    fail("invalid JSON: " + what);
  }
}

// ---- value readers: each names the key and the expected type/range ----

struct Bounds {
  double lo = -kInf;
  bool lo_open = false;
  double hi = kInf;
  bool hi_open = false;
};

const Bounds kUnit{0, false, 1, false};          // [0, 1]
const Bounds kUnitOpen{0, false, 1, true};       // [0, 1)
const Bounds kNonNegative{0, false, kInf, false};  // [0, inf)
const Bounds kAny{};

std::string describe(const Bounds& b) {
  const bool has_lo = std::isfinite(b.lo), has_hi = std::isfinite(b.hi);
  if (has_lo && has_hi)
    return " in " + std::string(b.lo_open ? "(" : "[") + format_number(b.lo) + ", " + format_number(b.hi) +
           (b.hi_open ? ")" : "]");
  if (has_lo) return std::string(b.lo_open ? " > " : " >= ") + format_number(b.lo);
  if (has_hi) return std::string(b.hi_open ? " < " : " <= ") + format_number(b.hi);
  return "";
}

// The message names only the violated bound, so it reads "lr must be a finite number > 0 (got -1)".
void check_number(const std::string& key, double x, const Bounds& b, const std::string& shown = "") {
  const std::string got = " (got " + (shown.empty() ? format_number(x) : shown) + ")";
  if (!std::isfinite(x)) fail(key + " must be a finite number" + describe(b) + got);
  if (x < b.lo || (b.lo_open && x == b.lo))
    fail(key + " must be a finite number" + describe(Bounds{b.lo, b.lo_open, kInf, false}) + got);
  if (x > b.hi || (b.hi_open && x == b.hi))
    fail(key + " must be a finite number" + describe(Bounds{-kInf, false, b.hi, b.hi_open}) + got);
}

double read_number(const std::string& key, const json& v, const Bounds& b) {
  if (!v.is_number()) fail(key + " must be a finite number" + describe(b) + " (got " + show(v) + ")");
  const double x = v.get<double>();
  check_number(key, x, b, show(v));
  return x;
}

// A practical range is shown whole ("in 0..1000000"); for a technical upper limit
// (int or 2^53) only the bound that was crossed is named.
std::string describe_int(int64_t lo, int64_t hi, bool above) {
  if (hi < std::numeric_limits<int>::max()) return " in " + std::to_string(lo) + ".." + std::to_string(hi);
  return above ? " <= " + std::to_string(hi) : " >= " + std::to_string(lo);
}

void check_int(const std::string& key, int64_t x, int64_t lo, int64_t hi) {
  if (x < lo || x > hi)
    fail(key + " must be an integer" + describe_int(lo, hi, x > hi) + " (got " + std::to_string(x) + ")");
}

int64_t read_int(const std::string& key, const json& v, int64_t lo, int64_t hi) {
  bool ok = false;
  int64_t x = 0;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    ok = u <= static_cast<uint64_t>(kMaxJsonInteger);
    x = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    ok = true;
    x = v.get<int64_t>();
  } else if (v.is_number_float()) {
    // 8.0 is an integer too: JavaScript cannot tell them apart.
    const double d = v.get<double>();
    ok = std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= static_cast<double>(kMaxJsonInteger);
    x = ok ? static_cast<int64_t>(d) : 0;
  }
  if (!ok || x < lo || x > hi)
    fail(key + " must be an integer" + describe_int(lo, hi, ok ? x > hi : v.is_number() && v.get<double>() > 0) +
         " (got " + show(v) + ")");
  return x;
}

bool read_bool(const std::string& key, const json& v) {
  if (!v.is_boolean()) fail(key + " must be true or false (got " + show(v) + ")");
  return v.get<bool>();
}

std::string read_string(const std::string& key, const json& v) {
  if (!v.is_string()) fail(key + " must be a string (got " + show(v) + ")");
  return v.get<std::string>();
}

// ---- structured keys ----

void check_widths(const std::vector<int>& layers) {
  if (layers.empty()) fail("layers: at least one hidden layer is required");
  if (static_cast<int>(layers.size()) > kMaxHiddenLayers)
    fail("layers: at most " + std::to_string(kMaxHiddenLayers) + " hidden layers are allowed (got " +
         std::to_string(layers.size()) + ")");
  for (int w : layers)
    if (w < 1 || w > kMaxWidth)
      fail("layers: width " + std::to_string(w) + " is out of range 1.." + std::to_string(kMaxWidth));
}

int read_width(const json& v) {
  int64_t w = 0;
  bool ok = false;
  if (v.is_number_integer() || v.is_number_unsigned()) {
    ok = true;
    w = v.is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX))
                               : v.get<int64_t>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    ok = std::isfinite(d) && std::floor(d) == d;
    w = ok ? static_cast<int64_t>(std::max(-1e12, std::min(1e12, d))) : 0;
  }
  if (!ok) fail("layers: width " + show(v) + " is not a whole number");
  if (w < 1 || w > kMaxWidth)
    fail("layers: width " + std::to_string(w) + " is out of range 1.." + std::to_string(kMaxWidth));
  return static_cast<int>(w);
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto first = part.find_first_not_of(" \t");
    const auto last = part.find_last_not_of(" \t");
    parts.push_back(first == std::string::npos ? std::string() : part.substr(first, last - first + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

// [8,8], "8,8" or 8.
// "C,H,W" or [C, H, W] (null: the dataset's own shape).
std::array<int, 3> read_input_shape(const json& v) {
  std::array<int, 3> out{0, 0, 0};
  if (v.is_null()) return out;
  std::vector<json> parts;
  if (v.is_array()) {
    for (const auto& p : v) parts.push_back(p);
  } else if (v.is_string()) {
    for (const auto& p : split_commas(v.get<std::string>())) {
      size_t used = 0;
      long long n = -1;
      try {
        n = std::stoll(p, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (p.empty() || used != p.size()) fail("input_shape: \"" + v.get<std::string>() + "\" is not C,H,W like \"1,28,28\"");
      parts.push_back(json(n));
    }
  }
  if (parts.size() != 3) fail("input_shape must be C,H,W like \"1,28,28\" or [1,28,28] (got " + show(v) + ")");
  for (int k = 0; k < 3; ++k) {
    if (!parts[k].is_number_integer() || parts[k].get<int64_t>() < 1 || parts[k].get<int64_t>() > 4096)
      fail("input_shape: " + show(parts[k]) + " is not a whole number in 1..4096");
    out[k] = static_cast<int>(parts[k].get<int64_t>());
  }
  return out;
}

std::vector<int> read_layers(const json& v) {
  std::vector<int> out;
  if (v.is_array()) {
    if (v.size() > static_cast<size_t>(kMaxHiddenLayers)) check_widths(std::vector<int>(v.size(), 1));
    for (const auto& w : v) out.push_back(read_width(w));
  } else if (v.is_string()) {
    const std::string text = v.get<std::string>();
    if (text.find_first_not_of(" \t") != std::string::npos) {
      for (const auto& part : split_commas(text)) {
        size_t used = 0;
        long long w = 0;
        try {
          w = std::stoll(part, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (part.empty() || used != part.size())
          fail("layers: \"" + text + "\" is not a comma-separated list of widths like \"8,8\"");
        out.push_back(read_width(json(w)));
      }
    }
  } else if (v.is_number()) {
    out.push_back(read_width(v));
  } else {
    fail("layers must be a list of widths like [8,8] or \"8,8\" (got " + show(v) + ")");
  }
  check_widths(out);
  return out;
}

Activation read_activation_name(const std::string& name) {
  try {
    return activation_from_name(snake_name(name));
  } catch (const std::exception&) {
    fail("activation: unknown activation \"" + name + "\" (expected one of " + join(activation_names()) + ")");
  }
}

// "relu", "relu,tanh" or ["relu","tanh"].
std::vector<Activation> read_activations(const json& v) {
  std::vector<std::string> names;
  if (v.is_string()) {
    names = split_commas(v.get<std::string>());
  } else if (v.is_array()) {
    if (v.size() > static_cast<size_t>(kMaxHiddenLayers))
      fail("activation: at most " + std::to_string(kMaxHiddenLayers) + " names (one per hidden layer)");
    for (const auto& item : v) {
      if (!item.is_string()) fail("activation: each entry must be a name like \"relu\" (got " + show(item) + ")");
      names.push_back(item.get<std::string>());
    }
  } else {
    fail("activation must be a name like \"relu\" or a list of names (got " + show(v) + ")");
  }
  if (names.empty()) fail("activation: give at least one name");
  std::vector<Activation> out;
  for (const auto& n : names) out.push_back(read_activation_name(n));
  return out;
}

std::string read_choice(const std::string& key, const json& v, const std::vector<std::string>& choices) {
  const std::string name = snake_name(read_string(key, v));
  if (std::find(choices.begin(), choices.end(), name) == choices.end())
    fail(key + ": unknown value \"" + v.get<std::string>() + "\" (expected one of " + join(choices) + ")");
  return name;
}

void check_dataset_name(const std::string& name) {
  if (name == "csv") return;
  const auto& names = dataset_names();
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  if (name.rfind("csv:", 0) == 0)
    fail("dataset: \"csv:PATH\" works only as a command-line flag; in a config use \"dataset\": \"csv\" with the "
         "data in \"csv_text\"");
  fail("dataset: unknown dataset \"" + name + "\" (expected one of " + join(names) + ", csv)");
}

InitSpec read_init(const json& v) {
  const std::string name = read_string("init", v);
  // Only the name part is snake-cased: uniform(-0.1,0.1) has minus signs.
  const std::string lowered = lower_trim(name);
  const std::string norm = lowered.rfind("uniform(", 0) == 0 ? lowered : snake_name(lowered);
  try {
    return init_from_name(norm);
  } catch (const std::exception& e) {
    // uniform(a,b) has its own syntax errors, best explained by init_from_name.
    if (norm.rfind("uniform(", 0) == 0) {
      const std::string what = e.what();
      fail(what.rfind("init", 0) == 0 ? what : "init: " + what);
    }
    fail("init: unknown initialiser \"" + name + "\" (expected one of " + join(init_names()) + ", uniform(a,b))");
  }
}

DeadDefinition read_dead_def(const json& v) {
  const std::string text = read_string("dead_def", v);
  try {
    return dead_definition_from_string(lower_trim(text));
  } catch (const std::exception& e) {
    const std::string what = e.what();
    fail(what.rfind("dead_def", 0) == 0 ? what : "dead_def: " + what);
  }
}

void check_dead_def(const DeadDefinition& d) {
  if (d.set == EvalSet::Probe && (d.probe_size < 1 || d.probe_size > kMaxProbe))
    fail("dead_def: probe size must be in 1.." + std::to_string(kMaxProbe) + " (got " +
         std::to_string(d.probe_size) + ")");
  if (d.criterion == DeadCriterion::Dormant) check_number("dead_def: dormant TAU", d.tau, kUnit);
}

// ---- the key table: one entry per key, shared by set, to_json and validate ----

// Plain function pointers, not std::function: the table's ~80 callables as std::function
// were ~470 small functions in the wasm (clone, destroy, call, ... per lambda), 28 KB of its
// code, for rows that capture nothing. A row of the generic kinds (real_key, int_key,
// bool_key) keeps its field's accessor, its name and its range in the row instead.
struct KeyDef;
using KeySet = void (*)(const KeyDef&, RunConfig&, const json&);
using KeyGet = json (*)(const KeyDef&, const RunConfig&);
using KeyCheck = void (*)(const KeyDef&, const RunConfig&);  // the key's own range; cross-key rules live in validate_config
using AnyField = void (*)();  // a generic row's F& (*)(RunConfig&), cast back by its set/get/check

struct KeyDef {
  std::string name;
  KeySet set;
  KeyGet get;
  KeyCheck check;
  bool live = false;            // Run::set accepts it during a run
  LiveHook on_change = nullptr;  // what Run::set does after the config took the new value
  AnyField field = nullptr;     // generic rows: the field
  Bounds bounds{};              // real_key: its range
  int64_t lo = 0, hi = 0;       // int_key: its range
};

// Marks a row live, with its on-change hook (none: the run reads the key from its config).
KeyDef live(KeyDef def, LiveHook on_change = nullptr) {
  def.live = true;
  def.on_change = on_change;
  return def;
}

// A generic row's field, of type F (function pointer casts round-trip; get and check only read).
template <typename F>
F& field(const KeyDef& k, const RunConfig& c) {
  return reinterpret_cast<F& (*)(RunConfig&)>(k.field)(const_cast<RunConfig&>(c));
}

// acc is a captureless generic lambda returning a reference to the field; it converts to the
// function pointer the row keeps.
template <typename Acc>
KeyDef generic_row(const char* name, KeySet set, KeyGet get, KeyCheck check, Acc acc) {
  using F = std::remove_reference_t<decltype(acc(std::declval<RunConfig&>()))>;
  F& (*to_field)(RunConfig&) = acc;
  KeyDef def{name, set, get, check};
  def.field = reinterpret_cast<AnyField>(to_field);
  return def;
}

template <typename F>
void set_real(const KeyDef& k, RunConfig& c, const json& v) { field<F>(k, c) = read_number(k.name, v, k.bounds); }
template <typename F>
json get_real(const KeyDef& k, const RunConfig& c) { return json(static_cast<double>(field<F>(k, c))); }
template <typename F>
void check_real(const KeyDef& k, const RunConfig& c) { check_number(k.name, field<F>(k, c), k.bounds); }

template <typename Acc>
KeyDef real_key(const char* name, Bounds b, Acc acc) {
  using F = std::remove_reference_t<decltype(acc(std::declval<RunConfig&>()))>;
  KeyDef def = generic_row(name, &set_real<F>, &get_real<F>, &check_real<F>, acc);
  def.bounds = b;
  return def;
}

template <typename F>
void set_int(const KeyDef& k, RunConfig& c, const json& v) { field<F>(k, c) = static_cast<F>(read_int(k.name, v, k.lo, k.hi)); }
template <typename F>
json get_int(const KeyDef& k, const RunConfig& c) { return json(static_cast<int64_t>(field<F>(k, c))); }
template <typename F>
void check_int_field(const KeyDef& k, const RunConfig& c) {
  // uint64 seeds above 2^63 would wrap negative and be caught by the range.
  check_int(k.name, static_cast<int64_t>(field<F>(k, c)), k.lo, k.hi);
}

template <typename Acc>
KeyDef int_key(const char* name, int64_t lo, int64_t hi, Acc acc) {
  using F = std::remove_reference_t<decltype(acc(std::declval<RunConfig&>()))>;
  KeyDef def = generic_row(name, &set_int<F>, &get_int<F>, &check_int_field<F>, acc);
  def.lo = lo;
  def.hi = hi;
  return def;
}

template <typename F>
void set_bool(const KeyDef& k, RunConfig& c, const json& v) { field<F>(k, c) = read_bool(k.name, v); }
template <typename F>
json get_bool(const KeyDef& k, const RunConfig& c) { return json(static_cast<bool>(field<F>(k, c))); }

template <typename Acc>
KeyDef bool_key(const char* name, Acc acc) {
  using F = std::remove_reference_t<decltype(acc(std::declval<RunConfig&>()))>;
  return generic_row(name, &set_bool<F>, &get_bool<F>, nullptr, acc);
}

const std::vector<KeyDef>& key_table() {
  static const std::vector<KeyDef> table = [] {
    std::vector<KeyDef> t;
    t.push_back({"dataset",
                 [](const KeyDef&, RunConfig& c, const json& v) {
                   // Generator names use dashes ("reg-plane"); underscores are accepted too.
                   std::string name = lower_trim(read_string("dataset", v));
                   if (name.rfind("csv:", 0) != 0) std::replace(name.begin(), name.end(), '_', '-');
                   check_dataset_name(name);
                   c.data.name = name;
                 },
                 [](const KeyDef&, const RunConfig& c) { return json(c.data.name); },
                 [](const KeyDef&, const RunConfig& c) { check_dataset_name(c.data.name); }});
    t.push_back({"csv_text", [](const KeyDef&, RunConfig& c, const json& v) { c.data.csv_text = read_string("csv_text", v); },
                 [](const KeyDef&, const RunConfig& c) { return json(c.data.csv_text); }, nullptr});
    // Where the CLI reads packed datasets (mnist, ...): "" = the build's data dir. No use in
    // the browser, where the page hands the engine the bytes (engine.provideData).
    t.push_back({"data_dir", [](const KeyDef&, RunConfig& c, const json& v) { c.data.data_dir = read_string("data_dir", v); },
                 [](const KeyDef&, const RunConfig& c) { return json(c.data.data_dir); }, nullptr});
    t.push_back(int_key("samples", 0, kMaxSamples, [](auto& c) -> auto& { return c.data.samples; }));
    t.push_back(real_key("noise", kUnit, [](auto& c) -> auto& { return c.data.noise; }));
    // null means "the dataset's default", which is how an unset fraction round-trips.
    t.push_back({"test_fraction",
                 [](const KeyDef&, RunConfig& c, const json& v) {
                   if (v.is_null()) {
                     c.test_fraction_set = false;
                     c.data.test_fraction = DataSpec{}.test_fraction;
                     return;
                   }
                   c.data.test_fraction = read_number("test_fraction", v, Bounds{0, false, 0.95, false});
                   c.test_fraction_set = true;
                 },
                 [](const KeyDef&, const RunConfig& c) { return c.test_fraction_set ? json(c.data.test_fraction) : json(nullptr); },
                 [](const KeyDef&, const RunConfig& c) {
                   if (c.test_fraction_set) check_number("test_fraction", c.data.test_fraction, Bounds{0, false, 0.95, false});
                 }});
    t.push_back(bool_key("standardize", [](auto& c) -> auto& { return c.data.standardize; }));
    // How a CSV's last column is read (engine/dataset.h csv_targets); a generator's own task must match.
    t.push_back({"task",
                 [](const KeyDef&, RunConfig& c, const json& v) { c.data.task = read_choice("task", v, task_names()); },
                 [](const KeyDef&, const RunConfig& c) { return json(c.data.task); },
                 [](const KeyDef&, const RunConfig& c) { read_choice("task", json(c.data.task), task_names()); }});
    t.push_back({"layers",
                 [](const KeyDef&, RunConfig& c, const json& v) {
                   c.layers = read_layers(v);
                   c.net.clear();
                 },
                 [](const KeyDef&, const RunConfig& c) { return json(c.layers); },
                 [](const KeyDef&, const RunConfig& c) { check_widths(c.layers); }});
    // The whole hidden spec with convolutions and pooling (net_spec.h): a string or a list.
    t.push_back({"net",
                 [](const KeyDef&, RunConfig& c, const json& v) {
                   if (v.is_null()) {
                     c.net.clear();
                     return;
                   }
                   try {
                     c.net = read_net(v);
                   } catch (const std::invalid_argument& e) {
                     fail(e.what());
                   }
                   c.layers = unit_widths(c.net);
                 },
                 [](const KeyDef&, const RunConfig& c) { return c.net.empty() ? json(nullptr) : net_to_json(c.net); },
                 [](const KeyDef&, const RunConfig& c) {
                   if (!c.net.empty() && unit_widths(c.net) != c.layers)
                     fail("net and layers disagree: layers lists the widths of net's conv2d and dense layers");
                 }});
    t.push_back({"input_shape",
                 [](const KeyDef&, RunConfig& c, const json& v) { c.input_shape = read_input_shape(v); },
                 [](const KeyDef&, const RunConfig& c) {
                   return c.input_shape[0] ? json(c.input_shape) : json(nullptr);
                 },
                 nullptr});
    t.push_back(live({"activation", [](const KeyDef&, RunConfig& c, const json& v) { c.activations = read_activations(v); },
                 [](const KeyDef&, const RunConfig& c) {
                   if (c.activations.size() == 1) return json(activation_name(c.activations[0]));
                   json names = json::array();
                   for (Activation a : c.activations) names.push_back(activation_name(a));
                   return names;
                 },
                 [](const KeyDef&, const RunConfig& c) {
                   if (c.activations.empty()) fail("activation: give at least one name");
                 }}, &LiveHooks::activation));
    t.push_back(live(real_key("leaky_slope", kUnit, [](auto& c) -> auto& { return c.leaky_slope; }), &LiveHooks::leaky_slope));
    t.push_back({"loss",
                 [](const KeyDef&, RunConfig& c, const json& v) { c.loss = read_choice("loss", v, {"auto", "mse", "bce", "ce"}); },
                 [](const KeyDef&, const RunConfig& c) { return json(c.loss); },
                 [](const KeyDef&, const RunConfig& c) { read_choice("loss", json(c.loss), {"auto", "mse", "bce", "ce"}); }});
    t.push_back({"init", [](const KeyDef&, RunConfig& c, const json& v) { c.init = read_init(v); },
                 [](const KeyDef&, const RunConfig& c) { return json(init_name(c.init)); },
                 [](const KeyDef&, const RunConfig& c) {
                   if (c.init.kind == Init::Uniform &&
                       !(std::isfinite(c.init.a) && std::isfinite(c.init.b) && c.init.a < c.init.b))
                     fail("init: uniform(a,b) needs finite bounds with a < b (got uniform(" + format_number(c.init.a) +
                          "," + format_number(c.init.b) + "))");
                 }});
    t.push_back(real_key("bias_init", kAny, [](auto& c) -> auto& { return c.bias_init; }));
    t.push_back(live(real_key("dropout", kUnitOpen, [](auto& c) -> auto& { return c.dropout; }), &LiveHooks::dropout));
    t.push_back(live(real_key("alpha_dropout", kUnitOpen, [](auto& c) -> auto& { return c.alpha_dropout; }), &LiveHooks::dropout));
    t.push_back(live({"optimizer",
                 [](const KeyDef&, RunConfig& c, const json& v) {
                   const std::string name = read_string("optimizer", v);
                   try {
                     c.optimizer.kind = optimizer_from_name(snake_name(name));
                   } catch (const std::exception&) {
                     fail("optimizer: unknown optimizer \"" + name + "\" (expected one of " + join(optimizer_names()) + ")");
                   }
                 },
                 [](const KeyDef&, const RunConfig& c) { return json(optimizer_name(c.optimizer.kind)); }, nullptr}, &LiveHooks::optimizer));
    t.push_back(live(real_key("lr", Bounds{0, true, 100, false}, [](auto& c) -> auto& { return c.optimizer.lr; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("momentum", kUnitOpen, [](auto& c) -> auto& { return c.optimizer.momentum; }), &LiveHooks::optimizer_spec));
    t.push_back(live(bool_key("nesterov", [](auto& c) -> auto& { return c.optimizer.nesterov; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("rho", kUnitOpen, [](auto& c) -> auto& { return c.optimizer.rho; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("beta1", kUnitOpen, [](auto& c) -> auto& { return c.optimizer.beta1; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("beta2", kUnitOpen, [](auto& c) -> auto& { return c.optimizer.beta2; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("eps", Bounds{0, true, kInf, false}, [](auto& c) -> auto& { return c.optimizer.eps; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("l1", kNonNegative, [](auto& c) -> auto& { return c.optimizer.l1; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("l2", kNonNegative, [](auto& c) -> auto& { return c.optimizer.l2; }), &LiveHooks::optimizer_spec));
    // AdamW's decoupled decay, read by adamw only (the others keep it, unused, so a live switch
    // to adamw finds it set); below 1 so that 1 - lr * weight_decay stays a decay at rates <= 1.
    t.push_back(live(real_key("weight_decay", kUnitOpen, [](auto& c) -> auto& { return c.optimizer.weight_decay; }), &LiveHooks::optimizer_spec));
    t.push_back(live(real_key("clip_norm", kNonNegative, [](auto& c) -> auto& { return c.optimizer.clip_norm; }), &LiveHooks::optimizer_spec));
    t.push_back(live(int_key("batch", 0, kMaxBatch, [](auto& c) -> auto& { return c.batch; }), nullptr));
    t.push_back(bool_key("shuffle", [](auto& c) -> auto& { return c.shuffle; }));
    t.push_back(int_key("steps", 0, kMaxJsonInteger, [](auto& c) -> auto& { return c.steps; }));
    // The data generator follows the run's seed, so one number reproduces everything.
    t.push_back({"seed",
                 [](const KeyDef&, RunConfig& c, const json& v) {
                   c.seed = static_cast<uint64_t>(read_int("seed", v, 0, kMaxJsonInteger));
                   c.data.seed = c.seed;
                 },
                 [](const KeyDef&, const RunConfig& c) { return json(c.seed); },
                 [](const KeyDef&, const RunConfig& c) {
                   if (c.seed > static_cast<uint64_t>(kMaxJsonInteger))
                     fail("seed must be an integer in 0.." + std::to_string(kMaxJsonInteger) + " (got " +
                          std::to_string(c.seed) + ")");
                 }});
    t.push_back(live({"dead_def", [](const KeyDef&, RunConfig& c, const json& v) { c.monitor.dead = read_dead_def(v); },
                 [](const KeyDef&, const RunConfig& c) { return json(dead_definition_to_string(c.monitor.dead)); },
                 [](const KeyDef&, const RunConfig& c) { check_dead_def(c.monitor.dead); }}, &LiveHooks::dead_def));
    t.push_back(live(real_key("silent_threshold", kUnit, [](auto& c) -> auto& { return c.monitor.silent_threshold; }), &LiveHooks::monitor));
    t.push_back(live(int_key("monitor_every", 0, std::numeric_limits<int>::max(),
                        [](auto& c) -> auto& { return c.monitor_every; }), nullptr));
    t.push_back(live(int_key("hist_bins", 1, 1000, [](auto& c) -> auto& { return c.monitor.hist_bins; }), &LiveHooks::monitor));
    t.push_back(live(int_key("revive_every", 0, std::numeric_limits<int>::max(),
                        [](auto& c) -> auto& { return c.revive_every; }), nullptr));
    t.push_back(live(real_key("revive_tau", kNonNegative, [](auto& c) -> auto& { return c.revive_tau; }), nullptr));
    // Continual-learning remedies: read by Run::step from its config each step (no hook).
    t.push_back(live(real_key("shrink", Bounds{0, true, 1, false}, [](auto& c) -> auto& { return c.shrink; }), nullptr));
    t.push_back(live(real_key("perturb", Bounds{0, false, 1, false}, [](auto& c) -> auto& { return c.perturb; }), nullptr));
    t.push_back(live(real_key("l2_init", kNonNegative, [](auto& c) -> auto& { return c.l2_init; }), nullptr));
    t.push_back(live(real_key("cbp_rate", kUnit, [](auto& c) -> auto& { return c.cbp_rate; }), nullptr));
    t.push_back(live(int_key("cbp_maturity", 0, std::numeric_limits<int>::max(),
                        [](auto& c) -> auto& { return c.cbp_maturity; }), nullptr));
    t.push_back(live(real_key("cbp_decay", kUnitOpen, [](auto& c) -> auto& { return c.cbp_decay; }), nullptr));
    t.push_back(int_key("log_every", 0, std::numeric_limits<int>::max(), [](auto& c) -> auto& { return c.log_every; }));
    return t;
  }();
  return table;
}

// The table's row for a key (dashes read as underscores), or nullptr.
const KeyDef* lookup_key(const std::string& raw_key) {
  const std::string key = normalize_key(raw_key);
  for (const auto& def : key_table())
    if (def.name == key) return &def;
  return nullptr;
}

const KeyDef& find_key(const std::string& raw_key) {
  if (const KeyDef* def = lookup_key(raw_key)) return *def;
  const std::string key = normalize_key(raw_key);
  std::vector<std::string> names;
  for (const auto& def : key_table()) names.push_back(def.name);
  const std::string best = closest_name(key, names);
  fail("unknown key \"" + raw_key + "\"" + (best.empty() ? std::string() : " (did you mean \"" + best + "\"?)"));
}

void apply_value(RunConfig& cfg, const KeyDef& def, const json& value) {
  def.set(def, cfg, value);
  if (def.check) def.check(def, cfg);
}

int estimated_features(const RunConfig& cfg) {
  if (is_packed_dataset(cfg.data.name)) return kPackedMaxFeatures;
  if (cfg.data.name != "csv") return kGeneratorMaxFeatures;
  // Fields of the first non-blank line minus the target column.
  const std::string& text = cfg.data.csv_text;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string::npos)
      return std::max<int>(1, static_cast<int>(std::count(line.begin(), line.end(), ',')));
    start = end + 1;
  }
  return 1;
}

}  // namespace

void apply_config_value(RunConfig& cfg, const std::string& key, const std::string& json_value) {
  const KeyDef& def = find_key(key);
  json value;
  try {
    value = parse_json(json_value);
  } catch (const std::invalid_argument& e) {
    fail(def.name + ": " + e.what());
  }
  RunConfig copy = cfg;
  apply_value(copy, def, value);
  cfg = std::move(copy);
}

void apply_config_json(RunConfig& cfg, const std::string& json_text) {
  const json object = parse_json(json_text);
  if (!object.is_object()) fail("config must be a JSON object of keys (got " + show(object) + ")");
  RunConfig copy = cfg;
  std::set<std::string> seen;
  for (const auto& item : object.items()) {
    const KeyDef& def = find_key(item.key());
    // "test-fraction" and "test_fraction" are the same key: giving both is ambiguous.
    if (!seen.insert(def.name).second) fail(def.name + " is given twice");
    apply_value(copy, def, item.value());
  }
  cfg = std::move(copy);
}

RunConfig config_from_json(const std::string& json_text) {
  RunConfig cfg;
  apply_config_json(cfg, json_text);
  return cfg;
}

std::string config_to_json(const RunConfig& cfg) {
  // Table order (data, network, training, monitor) reads better than alphabetical.
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& def : key_table()) object[def.name] = def.get(def, cfg);
  return object.dump();
}

void validate_config(const RunConfig& cfg) {
  for (const auto& def : key_table())
    if (def.check) def.check(def, cfg);

  const size_t hidden = cfg.layers.size();
  if (cfg.activations.size() != 1 && cfg.activations.size() != hidden)
    fail("activation: " + std::to_string(cfg.activations.size()) + " names given for " + std::to_string(hidden) +
         " hidden layers (give one name, or one per hidden layer)");
  if (cfg.dropout != 0 && cfg.alpha_dropout != 0)
    fail("dropout and alpha_dropout cannot both be non-zero (use dropout for most activations, alpha_dropout for selu)");
  if (cfg.data.name == "csv" && cfg.data.csv_text.find_first_not_of(" \t\r\n") == std::string::npos)
    fail("dataset: \"csv\" needs the CSV text in \"csv_text\"");

  // Rough parameter count ([W | b | s] per layer, one output unit); enough to refuse
  // networks that would exhaust memory before anything is allocated.
  // (A convolutional spec is counted exactly once its data's shape is known: Run.)
  const int64_t params = cfg.net.empty() ? network_param_count(estimated_features(cfg), cfg.layers, 1) : 0;
  if (params > kMaxParams)
    fail("layers: the network would have about " + std::to_string(params) + " parameters, more than the limit of " +
         std::to_string(kMaxParams) + "; use fewer or narrower layers");
}

const std::vector<std::string>& live_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> v;
    for (const auto& def : key_table())
      if (def.live) v.push_back(def.name);
    return v;
  }();
  return keys;
}

const std::vector<KeyInfo>& key_infos() {
  static const std::vector<KeyInfo> infos = [] {
    std::vector<KeyInfo> v;
    for (const auto& def : key_table()) v.push_back({def.name, def.live});
    return v;
  }();
  return infos;
}

bool live_key(const std::string& key, LiveHook* hook) {
  const KeyDef* def = lookup_key(key);
  if (!def) return false;
  if (hook) *hook = def->on_change;
  return def->live;
}

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 3;  // suggest only near misses
  for (const auto& c : candidates) {
    const size_t d = edit_distance(c, word);
    if (d < best_distance) best_distance = d, best = c;
  }
  return best;
}

}  // namespace relu
