#include "sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "born_dead.h"
#include "run.h"

namespace relu {
namespace {

using json = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument("sweep: " + msg); }

json parse_json(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(what + " is not valid JSON (" + std::string(e.what()) + ")");
  }
}

int metric_index(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

const std::vector<std::string>& kind_metrics(const SweepSpec& spec) {
  return spec.kind == "born_dead" ? born_dead_metric_names() : train_metric_names();
}

std::vector<std::string> reported_metrics(const SweepSpec& spec) {
  return spec.metrics.empty() ? kind_metrics(spec) : spec.metrics;
}

// born_dead cells: the spec of one cell.
BornDeadSpec born_dead_spec(const SweepSpec& spec, int cell) {
  BornDeadSpec b;
  b.trials = spec.trials;
  b.seed = spec.first_seed + static_cast<uint64_t>(cell);
  const json base = parse_json(spec.base, "base");
  auto apply = [&](const std::string& key, const json& v) {
    if (key == "width" || key == "depth" || key == "points") {
      if (!v.is_number_integer()) fail(key + " must be a whole number (got " + v.dump() + ")");
      (key == "width" ? b.width : key == "depth" ? b.depth : b.points) = v.get<int>();
    } else if (key == "init" || key == "bias") {
      if (!v.is_string()) fail(key + " must be a string (got " + v.dump() + ")");
      (key == "init" ? b.init : b.bias) = v.get<std::string>();
    } else {
      fail("born_dead sweeps take width, depth, init, bias and points (got \"" + key + "\")");
    }
  };
  for (const auto& item : base.items()) apply(item.key(), item.value());
  const auto values = cell_values(spec, cell);
  for (size_t a = 0; a < spec.axes.size(); ++a) apply(spec.axes[a].key, json::parse(values[a]));
  return b;
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

std::string csv_field(const std::string& json_text) {
  // Strings lose their quotes; anything with a comma or quote is quoted CSV-style.
  std::string s = json_text;
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = json::parse(json_text).get<std::string>();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(double x) {
  if (!std::isfinite(x)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

}  // namespace

Stats aggregate(const std::vector<double>& values) {
  Stats s;
  s.values = values;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      sum += v;
      ++s.n;
    }
  if (s.n == 0) {
    s.mean = kNaN;
    return s;
  }
  s.mean = sum / s.n;
  if (s.n < 2) return s;
  double ss = 0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - s.mean) * (v - s.mean);
  s.std_error = std::sqrt(ss / (s.n - 1)) / std::sqrt(static_cast<double>(s.n));
  return s;
}

const std::vector<std::string>& train_metric_names() {
  static const std::vector<std::string> names = {"final_loss",  "test_loss",     "test_accuracy", "dead",
                                                 "silent",      "no_positive",   "born_dead",     "grad_norm",
                                                 "diverged",    "dead_channels", "no_positive_channels"};
  return names;
}

const std::vector<std::string>& born_dead_metric_names() {
  static const std::vector<std::string> names = {"born_dead", "reference"};
  return names;
}

int num_cells(const SweepSpec& spec) {
  long long n = 1;
  for (const auto& a : spec.axes) n *= static_cast<long long>(a.values.size());
  return static_cast<int>(std::min<long long>(n, kMaxSweepJobs + 1LL));
}

std::vector<std::string> cell_values(const SweepSpec& spec, int cell) {
  std::vector<std::string> out(spec.axes.size());
  for (int a = static_cast<int>(spec.axes.size()) - 1; a >= 0; --a) {
    const int n = static_cast<int>(spec.axes[a].values.size());
    out[a] = spec.axes[a].values[cell % n];
    cell /= n;
  }
  return out;
}

int num_jobs(const SweepSpec& spec) {
  const long long n = static_cast<long long>(num_cells(spec)) * (spec.kind == "born_dead" ? 1 : spec.seeds);
  return static_cast<int>(std::min<long long>(n, kMaxSweepJobs + 1LL));
}

int job_cell(const SweepSpec& spec, int job) { return spec.kind == "born_dead" ? job : job / spec.seeds; }

RunConfig job_config(const SweepSpec& spec, int job) {
  if (spec.kind != "train") fail("job_config is for train sweeps");
  RunConfig cfg = config_from_json(spec.base);
  const auto values = cell_values(spec, job_cell(spec, job));
  for (size_t a = 0; a < spec.axes.size(); ++a) apply_config_value(cfg, spec.axes[a].key, values[a]);
  cfg.steps = spec.steps;
  cfg.seed = spec.first_seed + static_cast<uint64_t>(job % spec.seeds);
  return cfg;
}

std::vector<double> run_metrics(Run& run) {
  const Evaluation ev = run.evaluate();
  const MonitorReport& report = run.report();  // the end of training's cadence evaluation
  // Every hidden unit layer pooled (a conv channel is one unit, as a dense neuron is), and
  // the conv layers' channels alone: in a LeNet the dense layer's 128 neurons outnumber the
  // 24 channels, so the pooled share would hide the filters dying.
  double units = 0, dead = 0, silent = 0, no_positive = 0;
  double channels = 0, dead_channels = 0, no_positive_channels = 0;
  for (size_t l = 0; l < report.layers.size(); ++l) {
    const LayerReport& layer = report.layers[l];
    const double layer_dead = layer.counts[static_cast<int>(NeuronState::Dead)];
    const double layer_no_positive = std::round(static_cast<double>(layer.no_positive_fraction) * layer.width);
    units += layer.width;
    dead += layer_dead;
    silent += layer.counts[static_cast<int>(NeuronState::MostlySilent)];
    no_positive += layer_no_positive;
    if (!run.model().is_dense(static_cast<int>(l))) {
      channels += layer.width;
      dead_channels += layer_dead;
      no_positive_channels += layer_no_positive;
    }
  }
  const bool has_test = run.data().x_test.cols() > 0;
  const double test_acc = has_test && ev.test_accuracy >= 0 ? ev.test_accuracy : kNaN;
  return {ev.train_loss,
          has_test ? ev.test_loss : kNaN,
          test_acc,
          units > 0 ? dead / units : kNaN,
          units > 0 ? silent / units : kNaN,
          units > 0 ? no_positive / units : kNaN,
          run.born_dead() ? 1.0 : 0.0,
          run.last_grad_norm(),
          run.diverged() ? 1.0 : 0.0,
          channels > 0 ? dead_channels / channels : kNaN,
          channels > 0 ? no_positive_channels / channels : kNaN};
}

std::vector<double> run_job(const SweepSpec& spec, int job) {
  if (job < 0 || job >= num_jobs(spec)) fail("job " + std::to_string(job) + " is out of range");
  if (spec.kind == "born_dead") {
    const BornDeadResult r = born_dead_probability(born_dead_spec(spec, job));
    return {r.probability, r.reference, r.std_error};  // the third value is the binomial SE
  }
  Run run(job_config(spec, job));
  run.step(spec.steps);
  return run_metrics(run);
}

SweepResult aggregate_sweep(const SweepSpec& spec, const std::vector<std::vector<double>>& job_results) {
  const int jobs = num_jobs(spec), cells = num_cells(spec);
  if (static_cast<int>(job_results.size()) != jobs)
    fail("expected " + std::to_string(jobs) + " job results (got " + std::to_string(job_results.size()) + ")");
  SweepResult out;
  out.metric_names = reported_metrics(spec);
  out.jobs_total = jobs;
  const auto& all = kind_metrics(spec);
  const size_t n_all = all.size();
  std::vector<int> index;
  for (const auto& m : out.metric_names) index.push_back(metric_index(all, m));
  std::vector<std::vector<std::vector<double>>> values(cells, std::vector<std::vector<double>>(out.metric_names.size()));
  std::vector<int> done(cells, 0);
  std::vector<double> binomial_se(cells, 0);
  for (int j = 0; j < jobs; ++j) {
    const auto& r = job_results[j];
    if (r.empty()) continue;
    if (r.size() < n_all) fail("job " + std::to_string(j) + " has " + std::to_string(r.size()) + " values");
    const int c = job_cell(spec, j);
    ++done[c];
    ++out.jobs_done;
    for (size_t m = 0; m < index.size(); ++m) values[c][m].push_back(r[index[m]]);
    if (spec.kind == "born_dead") binomial_se[c] = r.size() > n_all ? r[n_all] : 0;
  }
  for (int c = 0; c < cells; ++c) {
    CellResult cell;
    cell.values = cell_values(spec, c);
    cell.jobs_done = done[c];
    for (size_t m = 0; m < index.size(); ++m) {
      Stats s = aggregate(values[c][m]);
      if (spec.kind == "born_dead") {
        // One estimate from `trials` networks: the distribution is binomial.
        s.std_error = out.metric_names[m] == "born_dead" ? binomial_se[c] : 0;
        if (s.n) s.n = spec.trials;
      }
      cell.metrics.push_back(std::move(s));
    }
    out.cells.push_back(std::move(cell));
  }
  return out;
}

void validate_sweep(const SweepSpec& spec) {
  if (spec.kind != "train" && spec.kind != "born_dead")
    fail("kind must be train or born_dead (got \"" + spec.kind + "\")");
  if (spec.seeds < 1 || spec.seeds > kMaxSweepSeeds)
    fail("seeds must be an integer in 1.." + std::to_string(kMaxSweepSeeds) + " (got " + std::to_string(spec.seeds) + ")");
  if (spec.steps < 0) fail("steps must be >= 0");
  for (const auto& a : spec.axes) {
    if (a.values.empty()) fail("axis \"" + a.key + "\" has no values");
    for (const auto& b : spec.axes)
      if (&a != &b && a.key == b.key) fail("axis \"" + a.key + "\" appears twice");
  }
  if (num_jobs(spec) > kMaxSweepJobs)
    fail("the grid has more than " + std::to_string(kMaxSweepJobs) + " runs; use fewer values or seeds");
  for (const auto& m : spec.metrics)
    if (metric_index(kind_metrics(spec), m) < 0) {
      std::string list;
      for (const auto& n : kind_metrics(spec)) list += (list.empty() ? "" : ", ") + n;
      const std::string best = closest_name(m, kind_metrics(spec));
      fail("unknown metric \"" + m + "\"" + (best.empty() ? "" : " (did you mean \"" + best + "\"?)") +
           "; expected one of " + list);
    }
  const int cells = num_cells(spec);
  for (int c = 0; c < cells; ++c) {
    try {
      if (spec.kind == "train") {
        validate_config(job_config(spec, c * spec.seeds));
      } else {
        BornDeadSpec b = born_dead_spec(spec, c);
        if (b.width < 1 || b.width > kBornDeadMaxWidth || b.depth < 1 || b.depth > kBornDeadMaxDepth ||
            (b.init != "he_normal" && b.init != "rai") || spec.trials < 1 || spec.trials > kBornDeadMaxTrials)
          fail("width 1.." + std::to_string(kBornDeadMaxWidth) + ", depth 1.." + std::to_string(kBornDeadMaxDepth) +
               ", init he_normal|rai, trials 1.." + std::to_string(kBornDeadMaxTrials));
      }
    } catch (const std::invalid_argument& e) {
      std::string where;
      const auto v = cell_values(spec, c);
      for (size_t a = 0; a < v.size(); ++a) where += (a ? ", " : "") + spec.axes[a].key + "=" + v[a];
      const std::string what = e.what();
      throw std::invalid_argument(where.empty() ? what : what + " (in the cell " + where + ")");
    }
  }
}

SweepSpec sweep_from_json(const std::string& json_text) {
  const json j = parse_json(json_text, "the sweep");
  if (!j.is_object()) fail("a sweep is a JSON object");
  SweepSpec s;
  static const std::vector<std::string> keys = {"kind",   "name",       "base",    "axes",  "seeds",
                                                "steps",  "first_seed", "metrics", "trials"};
  for (const auto& item : j.items()) {
    const std::string& k = item.key();
    const json& v = item.value();
    if (metric_index(keys, k) < 0) {
      const std::string best = closest_name(k, keys);
      fail("unknown key \"" + k + "\"" + (best.empty() ? "" : " (did you mean \"" + best + "\"?)"));
    }
    try {
      if (k == "kind") s.kind = v.get<std::string>();
      if (k == "name") s.name = v.get<std::string>();
      if (k == "base") {
        if (!v.is_object()) fail("base must be an object of config keys");
        s.base = v.dump();
      }
      if (k == "seeds") s.seeds = v.get<int>();
      if (k == "steps") s.steps = v.get<int64_t>();
      if (k == "first_seed") s.first_seed = v.get<uint64_t>();
      if (k == "trials") s.trials = v.get<int>();
      if (k == "metrics") {
        if (v.is_string()) s.metrics = {v.get<std::string>()};
        else s.metrics = v.get<std::vector<std::string>>();
      }
      if (k == "axes") {
        auto add = [&](const std::string& key, const json& values) {
          if (!values.is_array()) fail("axis \"" + key + "\" must be a list of values");
          SweepAxis a{key, {}};
          for (const auto& x : values) a.values.push_back(x.dump());
          s.axes.push_back(std::move(a));
        };
        if (v.is_object()) {
          for (const auto& a : v.items()) add(a.key(), a.value());
        } else if (v.is_array()) {
          for (const auto& a : v) {
            if (!a.is_object() || !a.contains("key") || !a.contains("values") || !a["key"].is_string())
              fail("each axis is {\"key\": NAME, \"values\": [...]}");
            add(a["key"].get<std::string>(), a["values"]);
          }
        } else {
          fail("axes must be {\"lr\": [0.01, 0.1], ...} or a list of {\"key\", \"values\"}");
        }
      }
    } catch (const json::type_error&) {
      fail(k + " has the wrong type (got " + v.dump() + ")");
    } catch (const json::out_of_range&) {
      fail(k + " is out of range (got " + v.dump() + ")");
    }
  }
  if (s.kind == "train") {
    // Axis keys read the way config keys are: dashes as underscores.
    for (auto& a : s.axes) std::replace(a.key.begin(), a.key.end(), '-', '_');
  }
  validate_sweep(s);
  return s;
}

std::string sweep_to_json(const SweepSpec& spec) {
  json j;
  j["kind"] = spec.kind;
  if (!spec.name.empty()) j["name"] = spec.name;
  j["base"] = json::parse(spec.base);
  json axes = json::object();
  for (const auto& a : spec.axes) {
    json values = json::array();
    for (const auto& v : a.values) values.push_back(json::parse(v));
    axes[a.key] = values;
  }
  j["axes"] = axes;
  if (spec.kind == "train") {
    j["seeds"] = spec.seeds;
    j["steps"] = spec.steps;
  } else {
    j["trials"] = spec.trials;
  }
  j["first_seed"] = spec.first_seed;
  j["metrics"] = reported_metrics(spec);
  return j.dump();
}

std::string sweep_result_to_json(const SweepSpec& spec, const SweepResult& result, double elapsed_seconds) {
  json j;
  j["sweep"] = json::parse(sweep_to_json(spec));
  if (!spec.name.empty()) j["description"] = study_description(spec.name);
  j["metrics"] = result.metric_names;
  j["jobs_done"] = result.jobs_done;
  j["jobs_total"] = result.jobs_total;
  j["elapsed_seconds"] = std::round(elapsed_seconds * 1000) / 1000;
  json cells = json::array();
  for (const auto& c : result.cells) {
    json settings = json::object();
    for (size_t a = 0; a < spec.axes.size(); ++a) settings[spec.axes[a].key] = json::parse(c.values[a]);
    json metrics = json::object();
    for (size_t m = 0; m < result.metric_names.size(); ++m) {
      const Stats& s = c.metrics[m];
      json values = json::array();
      for (double v : s.values) values.push_back(number_or_null(v));
      metrics[result.metric_names[m]] = {
          {"mean", number_or_null(s.mean)}, {"se", s.std_error}, {"n", s.n}, {"values", values}};
    }
    cells.push_back({{"settings", settings}, {"runs", c.jobs_done}, {"metrics", metrics}});
  }
  // One line per cell: diffable, and still readable for a grid of dozens of cells.
  std::string text = j.dump(1);
  text.pop_back();  // the closing brace
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text += ",\n \"cells\": [";
  for (size_t c = 0; c < cells.size(); ++c) text += (c ? ",\n  " : "\n  ") + cells[c].dump();
  return text + "\n ]\n}";
}

std::string sweep_result_to_csv(const SweepSpec& spec, const SweepResult& result) {
  std::string out;
  for (const auto& a : spec.axes) out += a.key + ",";
  out += "runs";
  for (const auto& m : result.metric_names) out += "," + m + "_mean," + m + "_se," + m + "_n";
  out += "\n";
  for (const auto& c : result.cells) {
    for (const auto& v : c.values) out += csv_field(v) + ",";
    out += std::to_string(c.jobs_done);
    for (const auto& s : c.metrics)
      out += "," + csv_number(s.mean) + "," + csv_number(s.std_error) + "," + std::to_string(s.n);
    out += "\n";
  }
  return out;
}

// ---- built-in studies ----

namespace {

struct Study {
  const char* name;
  const char* description;
  const char* spec;       // default grid
  const char* full_spec;  // bigger grid (--full)
};

// Networks: spiral (2-D, 500 samples, half held out), 16-16 units, plain SGD, batch 32.
const Study kStudies[] = {
    {"lr-dead",
     "Learning rate -> share of dead hidden units after training, for ReLU, Leaky ReLU, ELU and SELU "
     "(CS231n: 'as much as 40% of your network can be dead' with a too-high learning rate). "
     "dead counts rectifier units active on no input; no_positive counts units of any activation "
     "with z <= 0 on every input (for Leaky/ELU/SELU those still pass a gradient).",
     R"({"kind":"train","name":"lr-dead",
        "base":{"dataset":"spiral","layers":[16,16],"optimizer":"sgd","batch":32},
        "axes":{"activation":["relu","leaky_relu","elu","selu"],"lr":[0.01,0.03,0.1,0.3,0.5,1,2,3]},
        "seeds":10,"steps":5000,"metrics":["dead","no_positive","test_accuracy","final_loss","diverged"]})",
     R"({"kind":"train","name":"lr-dead",
        "base":{"dataset":"spiral","layers":[16,16],"optimizer":"sgd","batch":32},
        "axes":{"activation":["relu","leaky_relu","elu","selu"],"lr":[0.003,0.01,0.03,0.1,0.2,0.3,0.5,0.7,1,1.5,2,3,5]},
        "seeds":30,"steps":10000,"metrics":["dead","no_positive","test_accuracy","final_loss","diverged"]})"},
    {"born-dead",
     "Probability that a freshly initialised deep narrow ReLU network is born dead (some hidden layer "
     "outputs zero on every input, Lu et al. 2019), against depth for widths 2, 3, 4, 5, 10, He normal "
     "against RAI. The reference is the single-input formula 1 - (1 - 2^-N)^L.",
     R"({"kind":"born_dead","name":"born-dead","base":{},
        "axes":{"init":["he_normal","rai"],"width":[2,3,4,5,10],"depth":[1,2,3,4,5,7,10,15,20,25,30,40,50]},
        "trials":2000,"metrics":["born_dead","reference"]})",
     nullptr},  // full: every depth 1..50, filled in below
    {"init-activation",
     "Initialiser x activation on the seed article's all-negative data (negative-uniform: 4 inputs in "
     "[-1, 0], 20000 samples instead of the generator's 200000 for speed): final training loss, share "
     "of dead units and the last step's gradient norm.",
     R"({"kind":"train","name":"init-activation",
        "base":{"dataset":"negative-uniform","samples":20000,"layers":[8,8],"optimizer":"sgd","lr":0.01,"batch":32},
        "axes":{"init":["he_normal","glorot_uniform","lecun_normal","rai","random_uniform"],
                "activation":["relu","leaky_relu","elu","selu","tanh"]},
        "seeds":5,"steps":2000,"metrics":["final_loss","dead","grad_norm","no_positive"]})",
     R"({"kind":"train","name":"init-activation",
        "base":{"dataset":"negative-uniform","samples":20000,"layers":[8,8],"optimizer":"sgd","lr":0.01,"batch":32},
        "axes":{"init":["he_normal","he_uniform","glorot_normal","glorot_uniform","lecun_normal","rai","random_uniform"],
                "activation":["relu","leaky_relu","elu","selu","gelu","tanh"]},
        "seeds":10,"steps":3000,"metrics":["final_loss","dead","grad_norm","no_positive"]})"},
    {"bias-lr",
     "Bias init (-1, 0, 0.1, 0.5) x learning rate -> share of dead ReLU units. Does a small positive "
     "bias (CS231n's 0.01, here 0.1) keep units alive? The seed thread argues it barely does.",
     R"({"kind":"train","name":"bias-lr",
        "base":{"dataset":"spiral","layers":[16,16],"activation":"relu","optimizer":"sgd","batch":32},
        "axes":{"bias_init":[-1,0,0.1,0.5],"lr":[0.01,0.03,0.1,0.3,0.5,1,2]},
        "seeds":10,"steps":5000,"metrics":["dead","test_accuracy","final_loss"]})",
     R"({"kind":"train","name":"bias-lr",
        "base":{"dataset":"spiral","layers":[16,16],"activation":"relu","optimizer":"sgd","batch":32},
        "axes":{"bias_init":[-1,-0.5,0,0.01,0.1,0.5,1],"lr":[0.003,0.01,0.03,0.1,0.3,0.5,1,2]},
        "seeds":10,"steps":4000,"metrics":["dead","test_accuracy","final_loss"]})"},
    {"revival",
     "Revival after a high-rate collapse: ReLU 16-16 on spiral trained at a learning rate that kills many "
     "units, with auto-revive (ReDo: fresh incoming weights, zero outgoing) every K steps against no "
     "revival (K = 0). Test accuracy and share of dead units at the end, 30 steps after the last "
     "revival (so revived units had time to die again); the distribution over seeds shows how often "
     "the recovery works.",
     R"({"kind":"train","name":"revival",
        "base":{"dataset":"spiral","layers":[16,16],"activation":"relu","optimizer":"sgd","batch":32},
        "axes":{"lr":[0.3,1],"revive_every":[0,50,200,1000]},
        "seeds":20,"steps":3030,"metrics":["test_accuracy","dead","final_loss"]})",
     R"({"kind":"train","name":"revival",
        "base":{"dataset":"spiral","layers":[16,16],"activation":"relu","optimizer":"sgd","batch":32},
        "axes":{"lr":[0.3,0.5,1,2],"revive_every":[0,10,30,50,100,200,500,1000]},
        "seeds":50,"steps":6030,"metrics":["test_accuracy","dead","final_loss"]})"},
    // Real data (issue 13): the packed digits must be loaded (the CLI reads build/data/ or
    // --data-dir). mnist14 and 64-unit layers keep the grid to minutes on 2 cores; --full runs
    // the full 28x28 digits through the preset's 256-256 net.
    {"mnist-lr",
     "MNIST digits: learning rate -> share of dead hidden units and test accuracy (2,000 held-out digits) "
     "for ReLU, Leaky ReLU, ELU and SELU, plain SGD, batch 64. The default grid uses mnist14 (the same "
     "10,000 digits 2x2 mean-pooled to 14x14) and a 196-64-64-10 net; --full the 28x28 digits and "
     "784-256-256-10.",
     R"({"kind":"train","name":"mnist-lr",
        "base":{"dataset":"mnist14","layers":[64,64],"optimizer":"sgd","batch":64},
        "axes":{"activation":["relu","leaky_relu","elu","selu"],"lr":[0.01,0.03,0.1,0.3,1,3]},
        "seeds":5,"steps":1000,"metrics":["dead","no_positive","test_accuracy","final_loss","diverged"]})",
     R"({"kind":"train","name":"mnist-lr",
        "base":{"dataset":"mnist","layers":[256,256],"optimizer":"sgd","batch":128},
        "axes":{"activation":["relu","leaky_relu","elu","selu"],"lr":[0.01,0.03,0.1,0.3,0.5,1,2,3]},
        "seeds":5,"steps":3000,"metrics":["dead","no_positive","test_accuracy","final_loss","diverged"]})"},
    // Convolutions (issue 14): a dead filter is a channel whose pre-activation is <= 0 at every
    // position of every training image; dead_channels counts those of the conv layers alone
    // (the pooled `dead` would be swamped by the dense layer's neurons). The default grid runs a
    // LeNet on mnist14 (minutes on 2 cores); --full the page's LeNet (w3) on the 28x28 digits.
    {"conv-lr",
     "Convnet on MNIST: learning rate -> share of dead conv channels (filters whose pre-activation is <= 0 "
     "at every position of every training image) and test accuracy, ReLU against Leaky ReLU, plain SGD, "
     "batch 32. The default grid runs a LeNet on mnist14 (conv 8 5x5, maxpool 2, conv 16 5x5, maxpool 2, "
     "dense 64, 10 outputs); --full the same layers on the 28x28 digits with dense 128 (the page's w3 net).",
     R"j({"kind":"train","name":"conv-lr",
        "base":{"dataset":"mnist14","net":"conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(64)",
                "optimizer":"sgd","batch":32},
        "axes":{"activation":["relu","leaky_relu"],"lr":[0.03,0.1,0.3,0.5,1]},
        "seeds":5,"steps":1000,
        "metrics":["dead_channels","no_positive_channels","test_accuracy","dead","final_loss","diverged"]})j",
     R"j({"kind":"train","name":"conv-lr",
        "base":{"dataset":"mnist","net":"conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)",
                "optimizer":"sgd","batch":32},
        "axes":{"activation":["relu","leaky_relu"],"lr":[0.01,0.03,0.1,0.2,0.3,0.5,0.7,1]},
        "seeds":5,"steps":2000,
        "metrics":["dead_channels","no_positive_channels","test_accuracy","dead","final_loss","diverged"]})j"},
};

const Study* find_study(const std::string& name) {
  for (const auto& s : kStudies)
    if (name == s.name) return &s;
  return nullptr;
}

}  // namespace

const std::vector<std::string>& study_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& s : kStudies) v.push_back(s.name);
    return v;
  }();
  return names;
}

std::string study_description(const std::string& name) {
  const Study* s = find_study(name);
  return s ? s->description : "";
}

SweepSpec builtin_study(const std::string& name, bool full) {
  const Study* s = find_study(name);
  if (!s) {
    std::string list;
    for (const auto& n : study_names()) list += (list.empty() ? "" : ", ") + n;
    const std::string best = closest_name(name, study_names());
    fail("unknown study \"" + name + "\"" + (best.empty() ? "" : " (did you mean \"" + best + "\"?)") +
         "; expected one of " + list);
  }
  if (full && !s->full_spec && name == "born-dead") {
    SweepSpec spec = sweep_from_json(s->spec);
    for (auto& a : spec.axes)
      if (a.key == "depth") {
        a.values.clear();
        for (int d = 1; d <= 50; ++d) a.values.push_back(std::to_string(d));
      }
    spec.trials = 4000;
    return spec;
  }
  return sweep_from_json(full && s->full_spec ? s->full_spec : s->spec);
}

}  // namespace relu
