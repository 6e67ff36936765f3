// relu-lab: the engine on the command line.
//   relu-lab train [flags]      train one run, log it, print a JSON summary
//   relu-lab born-dead [flags]  Monte Carlo estimate of the born-dead probability
//   relu-lab sweep [flags]      a grid of settings x seeds, aggregated (engine/sweep.h)
//   relu-lab merge FILES...     the partials of a sharded sweep, merged (engine/sweep_shard.h)
// Every config key (config.h) is a train flag: --some-key VALUE sets some_key,
// VALUE read as JSON when it is valid JSON and as a string otherwise, so
// "--lr 0.1" is a number and "--activation relu" a name.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "born_dead.h"
#include "config.h"
#include "dataset.h"
#include "fingerprint.h"
#include "history.h"
#include "packed_data.h"
#include "run.h"
#include "sweep.h"
#include "sweep_shard.h"
#include "weights_io.h"

namespace {

using json = nlohmann::ordered_json;
using relu::RunConfig;

constexpr size_t kMaxInputBytes = relu::kMaxWeightsBytes;  // any file we read: data, config, weights

const char* const kUsage =
    R"(usage: relu-lab <command> [flags]

commands:
  train       train a network and print a JSON summary on stdout
  born-dead   estimate how often a deep narrow ReLU net is born dead
  sweep       run a grid of settings x seeds; mean, standard error, distribution
  merge       combine the partial results of a sweep run in shards (--shard K/N)
run "relu-lab <command> --help" for the command's flags.
)";

const char* const kTrainUsage =
    R"(usage: relu-lab train [flags]

Trains one network and prints a JSON summary on stdout. Progress rows go to
stderr (--quiet silences them); --csv writes them to a file. Flags are applied
in order, so flags after --config override the file. Values are JSON when they
parse as JSON, strings otherwise.

files:
  --config FILE.json      config keys as a JSON object (same names as the flags)
  --dataset NAME|csv:PATH a generator; mnist, mnist14 or iris (packed real data, a fixed
                          8:2 split, docs/datasets.md); or CSV (numeric features, last column
                          = target: numbers, or text class labels; a quarter held out for
                          test unless --test-fraction)
  --data-dir DIR          where mnist.bin, mnist14.bin, iris.bin are (default: the build's
                          data directory, written by bash playground.sh build)
  --task auto|classification|regression
                          how a CSV's last column is read. auto: classes when it holds
                          2..20 distinct whole numbers or 2..20 distinct text labels
                          (numbers ascending, text in order of appearance, mapped to
                          0..K-1; sigmoid/bce for 2, softmax/ce for more), else numbers
                          to regress
  --load-weights FILE     start from weights saved by --save-weights
  --save-weights FILE     write the final weights (PyTorch nn.Linear layout)
  --csv FILE              log rows in the history schema (engine/history.h): step,train_loss,
                          test_loss,train_accuracy,test_accuracy,grad_norm, then per hidden
                          layer dead_lN, mostly_silent_lN, grad_norm_lN, prelu_slope_lN
  --log-every K           log every K steps (default: steps/100)
  --quiet                 no progress rows on stderr

data:      --samples N  --noise X  --test-fraction F  --standardize
network:   --layers 8,8,8  --activation NAME|NAME,NAME,...  --leaky-slope X
           --loss auto|mse|bce|ce  --init NAME|uniform(a,b)  --bias-init X
           --dropout P  --alpha-dropout P
training:  --optimizer sgd|momentum|rmsprop|adam|adamw  --lr X  --momentum X  --nesterov
           --rho X  --beta1 X  --beta2 X  --eps X  --l1 X  --l2 X  --weight-decay X
           --clip-norm X  --batch N (0 = full batch)  --steps N  --seed N
           --l2 X: coupled decay, read by every optimiser (g += X w; adam with --l2 X
           is PyTorch's Adam(weight_decay=X)); --weight-decay X: AdamW's decoupled
           decay, read by adamw only (w *= 1 - lr X before each step; default 0.01,
           in [0, 1)). Both touch weights only, not biases or PReLU slopes.
monitor:   --dead-def full|probe:B|batch|dormant:TAU  --silent-threshold F
           --monitor-every K  --hist-bins N  --revive-every K  --revive-tau X
remedies:  --shrink L --perturb S  (each step theta <- L theta + S eps; 1, 0 = off)
           --l2-init X  (gradient += X (theta - theta0); 0 = off)
           --cbp-rate R --cbp-maturity N --cbp-decay D  (continual backprop: replace
           R x the units older than N steps per step, lowest contribution utility first;
           0 = off; defaults 100, 0.99; docs/engine.md)
)";

const char* const kBornDeadUsage =
    R"(usage: relu-lab born-dead [flags]

Builds TRIALS random networks (1-D input on POINTS grid points over [-1,1], DEPTH
hidden ReLU layers of WIDTH units) and counts those where some layer outputs zero
on every point. Prints JSON with the probability, its standard error and Lu et
al.'s approximation 1-(1-2^-WIDTH)^DEPTH.

  --width N        units per layer (default 2)
  --depth L        hidden layers (default 10)
  --trials T       networks to sample (default 1000)
  --init NAME      he_normal (default) or rai
  --bias RULE      zero, or normal: the initialiser's own scale
                   (default: zero for he_normal, the row's bias for rai)
  --points P       grid points (default 201)
  --seed S         random seed (default 1)
)";

const char* const kSweepUsage =
    R"(usage: relu-lab sweep [flags]

Runs every cell of a grid of settings, each with several seeds, and prints JSON:
per cell and metric the mean, the standard error (sample std / sqrt(n)) and all
values. Flags are applied in order on top of --config or --study.

  --study NAME          a built-in study: lr-dead, born-dead, init-activation,
                        bias-lr, revival, mnist-lr, conv-lr (see docs/results.md)
  --full                the study's bigger grid
  --config FILE.json    a sweep: {"kind": "train"|"born_dead", "base": {config},
                        "axes": {"lr": [0.01, 0.1], ...}, "seeds", "steps",
                        "metrics": [...], "trials" (born_dead)}
  --kind train|born_dead
  --base JSON           the config every cell starts from, e.g. '{"dataset":"xor"}'
  --axis KEY=V1,V2,...  one axis; values are JSON when they parse as JSON
                        (lr=0.01,0.1  activation=relu,elu  layers=[8,8],[16])
  --seeds N             repeats per cell (seeds first_seed .. first_seed+N-1)
  --steps N             training steps per run
  --first-seed S
  --trials T            born_dead: networks per cell
  --metric M[,M...]     train: final_loss, test_loss, test_accuracy, dead, silent,
                        no_positive, born_dead, grad_norm, diverged, dead_channels,
                        no_positive_channels (the conv layers' channels alone);
                        born_dead: born_dead, reference
  --jobs N              threads (default: the number of cores, at most 4)
  --out FILE            write the JSON there instead of stdout
  --csv FILE            also write one row per cell (NAME_mean, NAME_se, NAME_n)
  --shard K/N           run only shard K of N (K = 1..N; job i is in shard i % N + 1)
                        and write a partial result; relu-lab merge combines all N
                        partials into the whole sweep's JSON and CSV (docs/scaling.md)
  --dry-run             print the sweep spec and the number of runs, run nothing
  --quiet               no progress on stderr
  --list                list the built-in studies
)";

const char* const kMergeUsage =
    R"(usage: relu-lab merge PARTIAL.json... [--out FILE] [--csv FILE]

Combines the partial results that "relu-lab sweep ... --shard K/N" wrote, one per
shard 1..N in any order, into exactly the JSON (and CSV) the whole sweep writes:
the same aggregation of the same job values. Only elapsed_seconds differs: here it
is the shards' times added up. Refuses partials of different sweeps or shard
counts, a shard given twice and a missing shard. (docs/scaling.md)

  --out FILE            write the JSON there instead of stdout
  --csv FILE            also write one row per cell (NAME_mean, NAME_se, NAME_n)
)";

// An error whose message is already complete.
struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

std::string read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw UsageError("cannot open \"" + path + "\": " + std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxInputBytes) {
      std::fclose(f);
      throw UsageError("\"" + path + "\" is larger than " + std::to_string(kMaxInputBytes >> 20) + " MB");
    }
  }
  const bool failed = std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (failed) throw UsageError("cannot read \"" + path + "\": " + std::strerror(err));
  return text;
}

void write_file(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw UsageError("cannot write \"" + path + "\": " + std::strerror(errno));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const int err = errno;
  if (std::fclose(f) != 0 || !ok) throw UsageError("cannot write \"" + path + "\": " + std::strerror(err));
}

// Fails early (before training) when an output file cannot be created.
void check_writable(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "ab");
  if (!f) throw UsageError("cannot write \"" + path + "\": " + std::strerror(errno));
  std::fclose(f);
}

std::string to_flag(std::string key) {
  for (char& c : key)
    if (c == '_') c = '-';
  return "--" + key;
}

[[noreturn]] void unknown_flag(const std::string& flag, const std::vector<std::string>& known, const char* command) {
  const std::string best = relu::closest_name(flag, known);
  throw UsageError("unknown flag \"" + flag + "\"" + (best.empty() ? "" : " (did you mean " + best + "?)") +
                   "; see relu-lab " + command + " --help");
}

// Splits argv into (flag, value) pairs. Flags in `bare` take no value, or an
// explicit true/false; --flag=value is accepted too.
struct Arg {
  std::string flag;
  std::string value;
  bool has_value = false;
};

std::vector<Arg> parse_args(const std::vector<std::string>& args, const std::vector<std::string>& known,
                            const std::set<std::string>& bare, const char* command) {
  std::vector<Arg> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a == "-h") {
        out.push_back({"--help", "", false});
        continue;
      }
      throw UsageError("unexpected argument \"" + a + "\" (flags look like --name VALUE)");
    }
    Arg arg;
    const auto eq = a.find('=');
    arg.flag = a.substr(0, eq);
    std::replace(arg.flag.begin(), arg.flag.end(), '_', '-');
    // Before looking for a value: "--bogus" is an unknown flag, not a flag missing its value.
    if (std::find(known.begin(), known.end(), arg.flag) == known.end()) unknown_flag(arg.flag, known, command);
    if (eq != std::string::npos) {
      arg.value = a.substr(eq + 1);
      arg.has_value = true;
    } else if (bare.count(arg.flag)) {
      if (i + 1 < args.size() && (args[i + 1] == "true" || args[i + 1] == "false")) {
        arg.value = args[++i];
        arg.has_value = true;
      }
    } else {
      // The value is the next word even if it starts with '-': "--layers -3" is a
      // (bad) width, and its message says so, not "missing value".
      if (i + 1 >= args.size()) throw UsageError(arg.flag + " needs a value");
      arg.value = args[++i];
      arg.has_value = true;
    }
    out.push_back(arg);
  }
  return out;
}

// A command-line word as JSON text: itself when valid JSON, else a JSON string.
std::string as_json(const std::string& value) {
  return json::accept(value) ? value : json(value).dump();
}

// ---- train ----

// JSON number, or null for NaN/inf (JSON has neither).
json number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// A float reported with the digits a float has, not the 17 of its double value.
json float_number(float x) {
  if (!std::isfinite(x)) return nullptr;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", static_cast<double>(x));
  return json(std::strtod(buf, nullptr));
}

std::string csv_number(double x) {
  if (std::isnan(x)) return "nan";  // printf may write "-nan"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

struct TrainOptions {
  std::string load_weights, save_weights, csv;
  bool quiet = false;
  bool weight_decay_flag = false;  // --weight-decay given: worth a word when the optimizer ignores it
};

std::string shape_text(const std::vector<int>& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "-" : "") + std::to_string(shape[i]);
  return s;
}

void load_weights(relu::Run& run, const std::string& path) {
  const std::string text = read_file(path);
  try {
    // Compare whole shapes first: "2-8-1 vs 2-16-1" says more than a row count.
    // (A convolutional network's file is checked layer by layer by import_weights.)
    const auto& m = run.model();
    const std::vector<int> file_shape = m.all_dense() ? relu::weights_shape(text) : std::vector<int>{};
    std::vector<int> shape = {m.inputs()};
    for (int l = 0; l < m.num_layers(); ++l) shape.push_back(m.layer(l).units());
    if (m.all_dense() && file_shape != shape)
      throw UsageError("weights: the file holds a " + shape_text(file_shape) + " network (inputs-hidden-outputs), " +
                       "this run builds " + shape_text(shape));
    run.import_weights(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError("\"" + path + "\": " + e.what());
  }
}

RunConfig parse_train_args(const std::vector<std::string>& args, TrainOptions& opt, bool& help) {
  RunConfig cfg;
  // Every config key is a flag; the default config lists them with their types.
  const auto defaults = nlohmann::json::parse(relu::config_to_json(RunConfig{}));
  std::map<std::string, std::string> key_of_flag;
  std::set<std::string> bare = {"--quiet", "--help"};
  std::vector<std::string> known = {"--config", "--dataset", "--load-weights", "--save-weights",
                                    "--csv",    "--quiet",   "--help"};
  for (const auto& item : defaults.items()) {
    const std::string flag = to_flag(item.key());
    key_of_flag[flag] = item.key();
    if (item.value().is_boolean()) bare.insert(flag);
    if (flag != "--dataset") known.push_back(flag);
  }

  for (const Arg& a : parse_args(args, known, bare, "train")) {
    if (a.flag == "--help") {
      help = true;
      return cfg;
    }
    if (a.flag == "--quiet") {
      opt.quiet = !a.has_value || a.value == "true";
    } else if (a.flag == "--config") {
      const std::string text = read_file(a.value);
      try {
        relu::apply_config_json(cfg, text);
      } catch (const std::invalid_argument& e) {
        throw UsageError("\"" + a.value + "\": " + e.what());
      }
    } else if (a.flag == "--dataset" && a.value.rfind("csv:", 0) == 0) {
      const std::string path = a.value.substr(4);
      const std::string text = read_file(path);
      // Read once here so a malformed file is reported with its name (the task's checks of
      // the target column come when the run is built, once every flag is known).
      try {
        relu::read_csv(text);
      } catch (const std::invalid_argument& e) {
        throw UsageError("\"" + path + "\": " + e.what());
      }
      relu::apply_config_value(cfg, "dataset", "\"csv\"");
      relu::apply_config_value(cfg, "csv_text", json(text).dump());
    } else if (a.flag == "--load-weights") {
      opt.load_weights = a.value;
    } else if (a.flag == "--save-weights") {
      opt.save_weights = a.value;
    } else if (a.flag == "--csv") {
      opt.csv = a.value;
    } else {
      relu::apply_config_value(cfg, key_of_flag.at(a.flag), a.has_value ? as_json(a.value) : "true");
      if (a.flag == "--weight-decay") opt.weight_decay_flag = true;
    }
  }
  return cfg;
}

int cmd_train(const std::vector<std::string>& args) {
  TrainOptions opt;
  bool help = false;
  const RunConfig cfg = parse_train_args(args, opt, help);
  if (help) {
    std::cout << kTrainUsage;
    return 0;
  }
  relu::validate_config(cfg);
  // Not an error: a config keeps weight_decay whatever the optimizer (a live switch to adamw
  // reads it), but a flag given by hand for sgd or adam most likely meant --l2.
  if (opt.weight_decay_flag && cfg.optimizer.kind != relu::OptimizerKind::AdamW)
    std::cerr << "relu-lab: warning: --weight-decay is read by --optimizer adamw only; this run's optimizer is "
              << relu::optimizer_name(cfg.optimizer.kind) << " (--l2 is the coupled penalty every optimizer reads)\n";
  if (!opt.csv.empty()) check_writable(opt.csv);
  if (!opt.save_weights.empty()) check_writable(opt.save_weights);

  relu::Run run(cfg);
  if (!opt.load_weights.empty()) load_weights(run, opt.load_weights);

  const int64_t steps = cfg.steps;
  const int64_t log_every = cfg.log_every > 0 ? cfg.log_every : std::max<int64_t>(1, steps / 100);
  const bool has_test = run.data().x_test.cols() > 0;
  std::string csv_text = relu::history_csv_header(run.model().num_hidden()) + '\n';
  relu::Evaluation eval;
  auto log_row = [&] {
    eval = run.evaluate();
    const std::vector<double> row = relu::history_row(run, eval);  // a pure read
    if (!opt.quiet) {
      std::string line = "step " + std::to_string(run.steps_done()) + "  train_loss " + csv_number(eval.train_loss);
      if (has_test) line += "  test_loss " + csv_number(eval.test_loss);
      line += "  dead";
      for (const auto& layer : run.report().layers) line += " " + csv_number(layer.dead_fraction);
      std::cerr << line << '\n';
    }
    csv_text += relu::history_csv_line(row) + '\n';
  };

  log_row();
  while (run.steps_done() < steps && !run.diverged()) {
    const int64_t next = std::min(steps, (run.steps_done() / log_every + 1) * log_every);
    run.step(next - run.steps_done());
    log_row();
  }

  if (!opt.csv.empty()) write_file(opt.csv, csv_text);
  if (!opt.save_weights.empty()) {
    write_file(opt.save_weights, run.export_weights());
    if (run.diverged())
      std::cerr << "relu-lab: warning: the run diverged; \"" << opt.save_weights
                << "\" holds null for its non-finite weights and cannot be loaded\n";
  }

  const relu::MonitorReport& report = run.report();
  json summary;
  summary["steps"] = run.steps_done();
  const relu::Dataset& data = run.data();
  summary["task"] = data.task == relu::Task::Regression ? "regression" : data.task == relu::Task::Binary ? "binary" : "multiclass";
  if (!data.class_names.empty()) summary["classes"] = data.class_names;
  summary["train_loss"] = number(eval.train_loss);
  summary["test_loss"] = has_test ? number(eval.test_loss) : json(nullptr);
  if (run.loss() != relu::Loss::Mse) {
    summary["train_accuracy"] = number(eval.train_accuracy);
    summary["test_accuracy"] = has_test ? number(eval.test_accuracy) : json(nullptr);
  }
  // The loaded data's bytes (engine/fingerprint.h): the same in the wasm build (run.dataFingerprint()).
  summary["data_fingerprint"] = relu::dataset_fingerprint(data);
  summary["born_dead"] = run.born_dead();
  summary["diverged"] = run.diverged();
  json layers = json::array();
  for (const auto& layer : report.layers) {
    json states = json::object();
    for (int s = 0; s < relu::kNumStates; ++s)
      states[relu::state_name(static_cast<relu::NeuronState>(s))] = layer.counts[s];
    layers.push_back({{"width", layer.width},
                      {"activation", layer.activation},
                      {"dead_fraction", float_number(layer.dead_fraction)},
                      {"silent_fraction", float_number(layer.silent_fraction)},
                      {"no_positive_fraction", float_number(layer.no_positive_fraction)},
                      {"states", states},
                      {"grad_norm", float_number(layer.grad_norm)}});
  }
  summary["layers"] = layers;
  summary["monitor_step"] = report.step;
  // Death, revival and replacement events as [step, layer, unit, kind (0 died, 1 revived,
  // 2 replaced by continual backprop)], oldest first
  // (at most max_events are kept; events_total counts every one).
  json events = json::array();
  for (const auto& e : run.monitor_state().events()) events.push_back({e.step, e.layer, e.neuron, e.kind});
  summary["events"] = events;
  summary["events_total"] = run.monitor_state().events_total();
  summary["units_replaced"] = run.remedies().replaced_total();
  std::cout << summary.dump(2) << std::endl;
  return 0;
}

// ---- born-dead ----

long long parse_integer(const std::string& flag, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw UsageError(flag + " needs a whole number (got \"" + text + "\")");
  return v;
}

// Values beyond int are clamped: the engine's range check then reports them with the limit.
int to_int(long long v) { return static_cast<int>(std::max<long long>(INT32_MIN, std::min<long long>(INT32_MAX, v))); }

int cmd_born_dead(const std::vector<std::string>& args) {
  relu::BornDeadSpec spec;
  const std::vector<std::string> known = {"--width", "--depth", "--trials", "--init", "--bias",
                                          "--points", "--seed",  "--help"};
  for (const Arg& a : parse_args(args, known, {"--help"}, "born-dead")) {
    if (a.flag == "--help") {
      std::cout << kBornDeadUsage;
      return 0;
    }
    if (a.flag == "--width") {
      spec.width = to_int(parse_integer(a.flag, a.value));
    } else if (a.flag == "--depth") {
      spec.depth = to_int(parse_integer(a.flag, a.value));
    } else if (a.flag == "--trials") {
      spec.trials = to_int(parse_integer(a.flag, a.value));
    } else if (a.flag == "--points") {
      spec.points = to_int(parse_integer(a.flag, a.value));
    } else if (a.flag == "--seed") {
      const long long s = parse_integer(a.flag, a.value);
      if (s < 0 || s > (1LL << 53)) throw UsageError("--seed must be an integer in 0..2^53 (got " + a.value + ")");
      spec.seed = static_cast<uint64_t>(s);
    } else if (a.flag == "--init") {
      spec.init = a.value;
    } else if (a.flag == "--bias") {
      spec.bias = a.value;
    }
  }
  relu::BornDeadResult r;
  try {
    r = relu::born_dead_probability(spec);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--") + e.what());  // the engine names the option without dashes
  }
  json out;
  out["width"] = spec.width;
  out["depth"] = spec.depth;
  out["trials"] = spec.trials;
  out["init"] = spec.init;
  out["bias"] = r.bias;
  out["dead_trials"] = r.dead_trials;
  out["probability"] = r.probability;
  out["stderr"] = r.std_error;
  out["reference"] = r.reference;
  std::cout << out.dump(2) << std::endl;
  return 0;
}

// ---- sweep ----

// Splits "a,b,[1,2],{"x":1}" on the commas outside brackets, braces and quotes.
std::vector<std::string> split_top_level(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '[' || c == '{')) ++depth;
    if (!quoted && (c == ']' || c == '}')) --depth;
    if (c == ',' && depth == 0 && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

int cmd_sweep(const std::vector<std::string>& args) {
  const std::vector<std::string> known = {"--study", "--full",  "--config", "--kind",  "--base",   "--axis",
                                          "--seeds", "--steps", "--first-seed", "--trials", "--metric",
                                          "--jobs",  "--out",   "--csv",    "--shard", "--dry-run", "--quiet",
                                          "--list",  "--help"};
  const auto parsed = parse_args(args, known, {"--full", "--dry-run", "--quiet", "--list", "--help"}, "sweep");
  bool full = false, dry = false, quiet = false;
  int jobs = std::min(4, std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  std::string out_path, csv_path;
  bool sharded = false;
  relu::Shard shard;
  for (const Arg& a : parsed) {
    const bool on = !a.has_value || a.value == "true";
    if (a.flag == "--help") {
      std::cout << kSweepUsage;
      return 0;
    }
    if (a.flag == "--list") {
      json list = json::array();
      for (const auto& n : relu::study_names()) list.push_back({{"name", n}, {"description", relu::study_description(n)}});
      std::cout << list.dump(2) << std::endl;
      return 0;
    }
    if (a.flag == "--full") full = on;
    if (a.flag == "--dry-run") dry = on;
    if (a.flag == "--quiet") quiet = on;
  }
  // The spec as JSON, edited flag by flag, then parsed and checked once.
  json spec = json::parse(relu::sweep_to_json(relu::SweepSpec{}));
  spec.erase("metrics");
  bool axes_from_flags = false;
  for (const Arg& a : parsed) {
    try {
      if (a.flag == "--study") {
        spec = json::parse(relu::sweep_to_json(relu::builtin_study(a.value, full)));
      } else if (a.flag == "--config") {
        spec = json::parse(read_file(a.value));
        if (!spec.is_object()) throw UsageError("\"" + a.value + "\": a sweep is a JSON object");
      } else if (a.flag == "--kind") {
        spec["kind"] = a.value;
      } else if (a.flag == "--base") {
        if (!json::accept(a.value) || !json::parse(a.value).is_object())
          throw UsageError("--base needs a JSON object of config keys, like '{\"dataset\":\"xor\"}'");
        spec["base"] = json::parse(a.value);
      } else if (a.flag == "--axis") {
        const auto eq = a.value.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == a.value.size())
          throw UsageError("--axis needs KEY=V1,V2,... (got \"" + a.value + "\")");
        std::string key = a.value.substr(0, eq);
        std::replace(key.begin(), key.end(), '-', '_');
        json values = json::array();
        for (const auto& v : split_top_level(a.value.substr(eq + 1))) values.push_back(json::parse(as_json(v)));
        // Flags replace a config's axes as a whole, then add up.
        if (!axes_from_flags || !spec.contains("axes") || !spec["axes"].is_object()) spec["axes"] = json::object();
        axes_from_flags = true;
        spec["axes"][key] = values;
      } else if (a.flag == "--seeds" || a.flag == "--steps" || a.flag == "--first-seed" || a.flag == "--trials" ||
                 a.flag == "--jobs") {
        const long long v = parse_integer(a.flag, a.value);
        if (a.flag == "--jobs") {
          if (v < 1 || v > 64) throw UsageError("--jobs must be in 1..64 (got " + a.value + ")");
          jobs = static_cast<int>(v);
        } else {
          std::string key = a.flag.substr(2);
          std::replace(key.begin(), key.end(), '-', '_');
          spec[key] = v;
        }
      } else if (a.flag == "--metric") {
        json list = json::array();
        for (const auto& m : split_top_level(a.value)) list.push_back(m);
        spec["metrics"] = list;
      } else if (a.flag == "--out") {
        out_path = a.value;
      } else if (a.flag == "--csv") {
        csv_path = a.value;
      } else if (a.flag == "--shard") {
        try {
          shard = relu::parse_shard(a.value);
        } catch (const std::invalid_argument& e) {
          // "--shard needs K/N, ..." as "--axis needs KEY=..." reads; range faults as "--shard: K must be ...".
          throw UsageError(std::string("--shard") + (std::strncmp(e.what(), "needs", 5) == 0 ? " " : ": ") + e.what());
        }
        sharded = true;
      }
    } catch (const json::exception& e) {
      throw UsageError(a.flag + ": " + e.what());
    }
  }
  if (spec.value("kind", "train") == "born_dead") spec.erase("seeds"), spec.erase("steps");
  relu::SweepSpec sweep;
  try {
    sweep = relu::sweep_from_json(spec.dump());
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // A shard's cells are incomplete, so it has no table to write: the merge writes the CSV.
  if (sharded && !csv_path.empty())
    throw UsageError("--csv: a shard writes a partial result, which has no per-cell table; "
                     "relu-lab merge --csv writes the whole sweep's CSV");
  // The jobs this process runs: all of them, or its shard's (engine/sweep_shard.h).
  std::vector<int> todo;
  if (sharded) {
    todo = relu::shard_jobs(sweep, shard);
  } else {
    for (int j = 0; j < relu::num_jobs(sweep); ++j) todo.push_back(j);
  }
  const int total = static_cast<int>(todo.size());
  if (dry) {
    json out = json::parse(relu::sweep_to_json(sweep));
    out["cells"] = relu::num_cells(sweep);
    out["runs"] = relu::num_jobs(sweep);
    if (sharded) {
      out["shard"] = relu::shard_text(shard);
      out["shard_runs"] = total;
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
  }
  if (!out_path.empty()) check_writable(out_path);
  if (!csv_path.empty()) check_writable(csv_path);

  // Jobs are independent: threads take the next index; each writes only its own slot.
  std::vector<std::vector<double>> results(relu::num_jobs(sweep));
  std::atomic<int> next{0}, done{0};
  std::string first_error;
  std::atomic<bool> failed{false};
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto worker = [&] {
    for (int i; !failed && (i = next++) < total;) {
      const int j = todo[i];
      try {
        results[j] = relu::run_job(sweep, j);
      } catch (const std::exception& e) {
        if (!failed.exchange(true)) first_error = e.what();
      }
      ++done;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::min(jobs, total); ++t) threads.emplace_back(worker);
  const std::string label = sharded ? "sweep: shard " + relu::shard_text(shard) + ": " : "sweep: ";
  if (!quiet) {
    int shown = -1;
    while (done < total && !failed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // progress display only
      const int d = done;
      if (d != shown && d > 0) {
        const double eta = seconds() / d * (total - d);
        std::cerr << "\r" << label << d << "/" << total << " runs, " << static_cast<int>(seconds()) << " s, ETA "
                  << static_cast<int>(eta + 0.5) << " s   " << std::flush;
        shown = d;
      }
    }
  }
  for (auto& t : threads) t.join();
  if (failed) throw std::runtime_error(first_error);
  const double elapsed = seconds();
  if (!quiet) std::cerr << "\r" << label << total << "/" << total << " runs in " << elapsed << " s            \n";

  if (sharded) {
    const std::string text = relu::sweep_partial_to_json(sweep, shard, results, elapsed);
    if (out_path.empty()) std::cout << text << std::endl;
    else write_file(out_path, text + "\n");
    return 0;
  }
  const relu::SweepResult result = relu::aggregate_sweep(sweep, results);
  const std::string text = relu::sweep_result_to_json(sweep, result, elapsed);
  if (out_path.empty()) std::cout << text << std::endl;
  else write_file(out_path, text + "\n");
  if (!csv_path.empty()) write_file(csv_path, relu::sweep_result_to_csv(sweep, result));
  return 0;
}

// ---- merge ----

int cmd_merge(const std::vector<std::string>& args) {
  // File names are the words that are not flags; --out and --csv take the next word.
  std::vector<std::string> files, flag_args;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      flag_args.push_back(a);
      if ((a == "--out" || a == "--csv") && i + 1 < args.size()) flag_args.push_back(args[++i]);
    } else if (a == "-h") {
      flag_args.push_back(a);
    } else {
      files.push_back(a);
    }
  }
  std::string out_path, csv_path;
  for (const Arg& a : parse_args(flag_args, {"--out", "--csv", "--help"}, {"--help"}, "merge")) {
    if (a.flag == "--help") {
      std::cout << kMergeUsage;
      return 0;
    }
    (a.flag == "--out" ? out_path : csv_path) = a.value;
  }
  if (files.empty()) throw UsageError("merge needs the partial results of every shard (relu-lab merge A.json B.json ...)");
  if (!out_path.empty()) check_writable(out_path);
  if (!csv_path.empty()) check_writable(csv_path);

  std::vector<relu::PartialText> partials;
  for (const auto& f : files) partials.push_back({f, read_file(f)});
  relu::MergedSweep merged;
  try {
    merged = relu::merge_sweep_partials(partials);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // The whole run's code path from here on (cmd_sweep): same aggregation, same writers.
  const relu::SweepResult result = relu::aggregate_sweep(merged.spec, merged.job_results);
  const std::string text = relu::sweep_result_to_json(merged.spec, result, merged.elapsed_seconds);
  if (out_path.empty()) std::cout << text << std::endl;
  else write_file(out_path, text + "\n");
  if (!csv_path.empty()) write_file(csv_path, relu::sweep_result_to_csv(merged.spec, result));
  return 0;
}

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

int run_cli(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "train") return cmd_train(rest);
  if (command == "born-dead") return cmd_born_dead(rest);
  if (command == "sweep") return cmd_sweep(rest);
  if (command == "merge") return cmd_merge(rest);
  throw UsageError("unknown command \"" + command + "\" (expected train, born-dead, sweep or merge; see relu-lab --help)");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    // Packed datasets come from the build unless --data-dir (or "data_dir") names another place.
    relu::set_data_dir(RELU_DATA_DIR);
    return run_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::bad_alloc&) {
    std::cerr << "relu-lab: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "relu-lab: error: " << one_line(e.what()) << '\n';
    return 2;
  } catch (...) {
    std::cerr << "relu-lab: error: unexpected failure\n";
    return 1;
  }
}
