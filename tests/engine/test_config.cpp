// Config keys, weights JSON and the born-dead estimate.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "born_dead.h"
#include "config.h"
#include "mlp.h"
#include "rng.h"
#include "run.h"
#include "weights_io.h"

using Catch::Contains;
using relu::Activation;
using relu::RunConfig;

namespace {

RunConfig with(const std::vector<std::pair<std::string, std::string>>& values) {
  RunConfig c;
  for (const auto& kv : values) relu::apply_config_value(c, kv.first, kv.second);
  return c;
}

// A string as a JSON value (a CSV's text for the csv_text key).
std::string nlohmann_json_string(const std::string& s) { return nlohmann::json(s).dump(); }

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("config: defaults round-trip through JSON", "[config]") {
  const RunConfig a;
  const RunConfig b = relu::config_from_json(relu::config_to_json(a));
  CHECK(relu::config_to_json(b) == relu::config_to_json(a));
  CHECK_FALSE(b.test_fraction_set);
  CHECK(b.data.test_fraction == a.data.test_fraction);
  CHECK(b.layers == a.layers);
  REQUIRE_NOTHROW(relu::validate_config(a));
}

TEST_CASE("config: every key round-trips with non-default values", "[config]") {
  const RunConfig a = with({{"dataset", "\"csv\""},
                            {"csv_text", "\"x,y\\n1,2\\n3,4\\n\""},
                            {"data_dir", "\"/some/dir\""},
                            {"samples", "123"},
                            {"noise", "0.25"},
                            {"test-fraction", "0.2"},
                            {"standardize", "true"},
                            {"task", "\"classification\""},
                            {"layers", "[3,5,7]"},
                            {"activation", "[\"relu\",\"prelu\",\"leaky_relu\"]"},
                            {"leaky_slope", "0.2"},
                            {"loss", "\"mse\""},
                            {"init", "\"uniform(-0.1,0.25)\""},
                            {"bias_init", "0.1"},
                            {"dropout", "0.3"},
                            {"optimizer", "\"adam\""},
                            {"lr", "0.003"},
                            {"momentum", "0.8"},
                            {"nesterov", "true"},
                            {"rho", "0.95"},
                            {"beta1", "0.8"},
                            {"beta2", "0.99"},
                            {"eps", "1e-6"},
                            {"l1", "0.001"},
                            {"l2", "0.0001"},
                            {"weight_decay", "0.05"},
                            {"clip_norm", "5"},
                            {"batch", "0"},
                            {"steps", "777"},
                            {"seed", "9007199254740992"},
                            {"dead_def", "\"probe:64\""},
                            {"silent_threshold", "0.1"},
                            {"monitor_every", "3"},
                            {"hist_bins", "50"},
                            {"revive_every", "100"},
                            {"revive_tau", "0.05"},
                            {"log_every", "7"}});
  const std::string text = relu::config_to_json(a);
  const RunConfig b = relu::config_from_json(text);
  CHECK(relu::config_to_json(b) == text);
  CHECK(b.data.name == "csv");
  CHECK(b.data.csv_text == "x,y\n1,2\n3,4\n");
  CHECK(b.data.data_dir == "/some/dir");
  CHECK(b.data.samples == 123);
  CHECK(b.test_fraction_set);
  CHECK(b.data.test_fraction == 0.2);
  CHECK(b.data.standardize);
  CHECK(b.data.task == "classification");
  CHECK(b.layers == std::vector<int>{3, 5, 7});
  CHECK(b.activations == std::vector<Activation>{Activation::Relu, Activation::Prelu, Activation::LeakyRelu});
  CHECK(b.init.kind == relu::Init::Uniform);
  CHECK(b.init.a == -0.1);
  CHECK(b.init.b == 0.25);
  CHECK(b.optimizer.kind == relu::OptimizerKind::Adam);
  CHECK(b.optimizer.lr == 0.003);
  CHECK(b.optimizer.nesterov);
  CHECK(b.optimizer.eps == 1e-6);
  CHECK(b.optimizer.weight_decay == 0.05);
  CHECK(b.batch == 0);
  CHECK(b.steps == 777);
  CHECK(b.seed == (uint64_t(1) << 53));
  CHECK(b.data.seed == b.seed);
  CHECK(b.monitor.dead.set == relu::EvalSet::Probe);
  CHECK(b.monitor.dead.probe_size == 64);
  CHECK(b.monitor.hist_bins == 50);
  CHECK(b.log_every == 7);
  REQUIRE_NOTHROW(relu::validate_config(b));

  const RunConfig d = relu::config_from_json(relu::config_to_json(with({{"dead_def", "\"dormant:0.1\""}})));
  CHECK(d.monitor.dead.criterion == relu::DeadCriterion::Dormant);
  CHECK(d.monitor.dead.tau == 0.1);
}

TEST_CASE("config: accepted spellings", "[config]") {
  CHECK(with({{"layers", "\"8, 4,2\""}}).layers == std::vector<int>{8, 4, 2});
  CHECK(with({{"layers", "16"}}).layers == std::vector<int>{16});
  CHECK(with({{"layers", "[4.0]"}}).layers == std::vector<int>{4});
  CHECK(with({{"activation", "\"relu,tanh\""}}).activations == std::vector<Activation>{Activation::Relu, Activation::Tanh});
  CHECK(with({{"activation", "\"Leaky-ReLU\""}}).activations == std::vector<Activation>{Activation::LeakyRelu});
  CHECK(with({{"dataset", "\"reg_plane\""}}).data.name == "reg-plane");
  CHECK(with({{"init", "\"random_uniform\""}}).init.kind == relu::Init::Uniform);
  CHECK(with({{"bias-init", "-0.5"}}).bias_init == -0.5);
  CHECK(with({{"steps", "1e3"}}).steps == 1000);
  const RunConfig unset = with({{"test_fraction", "0.3"}, {"test_fraction", "null"}});
  CHECK_FALSE(unset.test_fraction_set);
}

TEST_CASE("config: bad values throw a one-line message and leave the config unchanged", "[config]") {
  struct Case {
    const char* key;
    const char* value;
    const char* message;
  };
  const Case cases[] = {
      {"lrr", "0.1", "unknown key \"lrr\" (did you mean \"lr\"?)"},
      {"bogus", "1", "unknown key \"bogus\""},
      {"lr", "-1", "lr must be a finite number > 0 (got -1)"},
      {"lr", "0", "lr must be a finite number > 0 (got 0)"},
      {"lr", "101", "lr must be a finite number <= 100 (got 101)"},
      {"lr", "\"fast\"", "lr must be a finite number in (0, 100] (got \"fast\")"},
      {"lr", "1e999", "lr: invalid JSON"},
      {"lr", "{", "lr: invalid JSON"},
      {"layers", "[8,0]", "layers: width 0 is out of range 1..1024"},
      {"layers", "-3", "layers: width -3 is out of range 1..1024"},
      {"layers", "\"8,x\"", "layers: \"8,x\" is not a comma-separated list"},
      {"layers", "[]", "layers: at least one hidden layer is required"},
      {"layers", "\"\"", "layers: at least one hidden layer is required"},
      {"layers", "[2.5]", "layers: width 2.5 is not a whole number"},
      {"layers", "true", "layers must be a list of widths"},
      {"activation", "\"relux\"", "activation: unknown activation \"relux\" (expected one of relu, leaky_relu"},
      {"activation", "[]", "activation: give at least one name"},
      {"activation", "[1]", "activation: each entry must be a name"},
      {"loss", "\"hinge\"", "loss: unknown value \"hinge\" (expected one of auto, mse, bce, ce)"},
      {"task", "\"clustering\"", "task: unknown value \"clustering\" (expected one of auto, classification, regression)"},
      {"task", "1", "task must be a string (got 1)"},
      {"init", "\"zeros\"", "init: unknown initialiser \"zeros\""},
      {"init", "\"uniform(1,0)\"", "uniform(a,b) needs a < b"},
      {"optimizer", "\"adamax\"", "optimizer: unknown optimizer \"adamax\" (expected one of sgd, momentum, rmsprop, adam, adamw)"},
      {"weight_decay", "1", "weight_decay must be a finite number < 1 (got 1)"},
      {"weight-decay", "-0.01", "weight_decay must be a finite number >= 0 (got -0.01)"},
      {"weight_decay", "\"0.1\"", "weight_decay must be a finite number in [0, 1) (got \"0.1\")"},
      {"dataset", "\"spirall\"", "dataset: unknown dataset \"spirall\""},
      {"dataset", "\"csv:data.csv\"", "works only as a command-line flag"},
      {"dataset", "3", "dataset must be a string (got 3)"},
      {"standardize", "1", "standardize must be true or false (got 1)"},
      {"noise", "1.5", "noise must be a finite number <= 1 (got 1.5)"},
      {"test_fraction", "0.96", "test_fraction must be a finite number <= 0.95 (got 0.96)"},
      {"dropout", "1", "dropout must be a finite number < 1 (got 1)"},
      {"alpha_dropout", "-0.1", "alpha_dropout must be a finite number >= 0 (got -0.1)"},
      {"momentum", "1", "momentum must be a finite number < 1"},
      {"eps", "0", "eps must be a finite number > 0"},
      {"l2", "-1", "l2 must be a finite number >= 0"},
      {"batch", "-1", "batch must be an integer in 0..1000000 (got -1)"},
      {"batch", "2.5", "batch must be an integer in 0..1000000 (got 2.5)"},
      {"samples", "2000000", "samples must be an integer in 0..1000000"},
      {"steps", "-5", "steps must be an integer >= 0 (got -5)"},
      {"seed", "-1", "seed must be an integer >= 0 (got -1)"},
      {"seed", "9007199254740993", "seed must be an integer <= 9007199254740992 (got 9007199254740993)"},
      {"monitor_every", "3000000000", "monitor_every must be an integer <= 2147483647 (got 3000000000)"},
      {"dead_def", "\"sometimes\"", "dead_def"},
      {"dead_def", "\"probe:0\"", "probe:B"},
      {"silent_threshold", "2", "silent_threshold must be a finite number <= 1"},
      {"monitor_every", "-1", "monitor_every must be an integer >= 0 (got -1)"},
      {"hist_bins", "1001", "hist_bins must be an integer in 1..1000"},
      {"revive_every", "-1", "revive_every must be an integer >= 0"},
      {"revive_tau", "-0.5", "revive_tau must be a finite number >= 0"},
      {"nesterov", "\"yes\"", "nesterov must be true or false"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key, c.value);
    RunConfig cfg = with({{"lr", "0.5"}, {"layers", "[4,4]"}});
    const std::string before = relu::config_to_json(cfg);
    try {
      relu::apply_config_value(cfg, c.key, c.value);
      FAIL("no exception");
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Contains(c.message));
      CHECK(what.find('\n') == std::string::npos);
    }
    CHECK(relu::config_to_json(cfg) == before);
  }
}

TEST_CASE("config: a JSON object is applied all or nothing", "[config]") {
  RunConfig cfg;
  const std::string before = relu::config_to_json(cfg);
  CHECK_THROWS_WITH(relu::apply_config_json(cfg, R"({"lr": 0.5, "steps": -1})"), Contains("steps must be"));
  CHECK_THROWS_WITH(relu::apply_config_json(cfg, R"({"lr": 0.5, "lrr": 1})"), Contains("unknown key \"lrr\""));
  CHECK_THROWS_WITH(relu::apply_config_json(cfg, R"({"lr": 0.5,})"), Contains("invalid JSON: parse error at line 1"));
  CHECK_THROWS_WITH(relu::apply_config_json(cfg, "[1,2]"), Contains("config must be a JSON object"));
  CHECK_THROWS_WITH(relu::apply_config_json(cfg, R"({"test_fraction": 0.1, "test-fraction": 0.2})"),
                    Contains("test_fraction is given twice"));
  CHECK_THROWS_WITH(relu::apply_config_json(cfg, std::string(100, '[') + std::string(100, ']')),
                    Contains("nested deeper than 64"));
  CHECK(relu::config_to_json(cfg) == before);
  relu::apply_config_json(cfg, R"({"lr": 0.5, "bias-init": 1})");
  CHECK(cfg.optimizer.lr == 0.5);
  CHECK(cfg.bias_init == 1);
}

TEST_CASE("config: validate_config checks combinations and direct edits", "[config]") {
  auto fails = [](RunConfig c, const char* message) {
    CAPTURE(message);
    CHECK_THROWS_WITH(relu::validate_config(c), Contains(message));
  };
  RunConfig c;
  c.layers = {8, 8};
  c.activations = {Activation::Relu, Activation::Tanh, Activation::Relu};
  fails(c, "activation: 3 names given for 2 hidden layers");
  c = RunConfig();
  c.dropout = 0.1;
  c.alpha_dropout = 0.1;
  fails(c, "dropout and alpha_dropout cannot both be non-zero");
  c = RunConfig();
  c.data.name = "csv";
  fails(c, "\"csv\" needs the CSV text in \"csv_text\"");
  c = RunConfig();
  c.layers.assign(20, 1024);
  fails(c, "more than the limit of 16777216");
  c = RunConfig();
  c.layers.assign(65, 2);
  fails(c, "at most 64 hidden layers");
  c = RunConfig();
  c.layers = {};
  fails(c, "at least one hidden layer");
  c = RunConfig();
  c.optimizer.lr = std::nan("");
  fails(c, "lr must be a finite number in (0, 100] (got NaN)");
  c = RunConfig();
  c.optimizer.lr = INFINITY;
  fails(c, "lr must be a finite number");
  c = RunConfig();
  c.monitor.hist_bins = 0;
  fails(c, "hist_bins must be an integer in 1..1000 (got 0)");
  c = RunConfig();
  c.monitor_every = -1;
  fails(c, "monitor_every must be an integer >= 0");
  c = RunConfig();
  c.seed = (uint64_t(1) << 53) + 1;
  fails(c, "seed must be an integer");
  c = RunConfig();
  c.data.name = "nope";
  fails(c, "unknown dataset \"nope\"");
  c = RunConfig();
  c.activations.clear();
  fails(c, "activation: give at least one name");
}

TEST_CASE("config: live keys are config keys", "[config]") {
  const auto& keys = relu::live_keys();
  CHECK(keys.size() == 29);  // 22, weight_decay (AdamW), the 6 remedies' keys
  const std::string all = relu::config_to_json(RunConfig());
  for (const auto& k : keys) {
    CAPTURE(k);
    CHECK(all.find("\"" + k + "\":") != std::string::npos);
  }
}

// ---- weights JSON ----

namespace {

relu::Mlp<float> make_net(relu::Loss loss = relu::Loss::Bce, int outputs = 1) {
  return relu::Mlp<float>(2, {3, 4}, {Activation::Relu, Activation::Prelu}, outputs, loss, 8);
}

}  // namespace

TEST_CASE("weights: export then import is bit-exact", "[weights]") {
  auto a = make_net();
  // Hard cases for shortest printing: signed zero, subnormals, extremes, and
  // random bit patterns (any finite float).
  const float special[] = {0.1f, -0.0f, 0.0f, 1e-45f, -FLT_MIN, FLT_MAX, -FLT_MAX, 1.0f / 3.0f,
                           16777216.0f, 1e20f, 3.4e-39f, 123456789.0f, -2.5f, 7.0f};
  relu::Rng rng(42);
  size_t k = 0;
  for (float& p : a.params) {
    if (k < sizeof special / sizeof special[0]) {
      p = special[k++];
      continue;
    }
    float f;
    do {
      const uint32_t bits = static_cast<uint32_t>(rng.next_u64());
      std::memcpy(&f, &bits, sizeof f);
    } while (!std::isfinite(f));
    p = f;
  }
  const std::string text = relu::weights_to_json(a);
  auto b = make_net();
  relu::weights_from_json(b, text);
  for (int l = 0; l < a.num_layers(); ++l) {
    for (int i = 0; i < a.layer(l).units(); ++i) {
      for (int j = 0; j < a.layer(l).fan_in; ++j) CHECK(same_bits(a.W(l)(i, j), b.W(l)(i, j)));
      CHECK(same_bits(a.b(l)(i), b.b(l)(i)));
    }
  }
  for (int i = 0; i < 4; ++i) CHECK(same_bits(a.s(1)(i), b.s(1)(i)));  // prelu layer
  CHECK(relu::weights_to_json(b) == text);
  CHECK(relu::weights_shape(text) == std::vector<int>{2, 3, 4, 1});
}

TEST_CASE("weights: layout, activations and slopes", "[weights]") {
  relu::Mlp<float> m(1, {2}, {Activation::LeakyRelu}, 3, relu::Loss::SoftmaxCe, 4);
  m.set_leaky_slope(0.125f);
  for (size_t i = 0; i < m.params.size(); ++i) m.params[i] = static_cast<float>(i) * 0.5f;
  const std::string text = relu::weights_to_json(m);
  CHECK_THAT(text, Contains("\"activation\":\"leaky_relu\",\"negative_slope\":0.125"));
  CHECK_THAT(text, Contains("\"activation\":\"softmax\""));
  // W_l is (out, in): the output layer has 3 rows of 2 values.
  CHECK_THAT(text, Contains("\"weight\":[[3,4.5],[3.5,5],[4,5.5]]"));

  relu::Mlp<float> n(1, {2}, {Activation::Relu}, 3, relu::Loss::SoftmaxCe, 4);
  relu::weights_from_json(n, text);
  CHECK(n.layer(0).act.kind == Activation::LeakyRelu);
  CHECK(n.layer(0).act.leaky_slope == 0.125f);

  const std::string mse = relu::weights_to_json(relu::Mlp<float>(1, {2}, {Activation::Tanh}, 1, relu::Loss::Mse, 4));
  CHECK_THAT(mse, Contains("\"activation\":\"tanh\""));
  CHECK_THAT(mse, Contains("\"activation\":\"linear\""));
}

TEST_CASE("weights: mismatches are reported and leave the model unchanged", "[weights]") {
  auto m = make_net();
  for (size_t i = 0; i < m.params.size(); ++i) m.params[i] = 0.25f * static_cast<float>(i);
  const std::vector<float> before = m.params;
  const std::string good = relu::weights_to_json(m);

  auto expect = [&](const std::string& text, const char* message) {
    CAPTURE(message);
    CHECK_THROWS_WITH(relu::weights_from_json(m, text), Contains(message));
    CHECK(m.params == before);
    CHECK(m.layer(1).act.kind == Activation::Prelu);
  };
  auto other = [](int in, std::vector<int> hidden, int out) {
    std::vector<Activation> acts(hidden.size(), Activation::Relu);
    return relu::weights_to_json(relu::Mlp<float>(in, hidden, acts, out, relu::Loss::Bce, 4));
  };
  expect(other(2, {3, 8}, 1), "weights: layer 2 has 8 rows, the network expects 4");
  expect(other(2, {3}, 1), "weights: the file has 2 layers, the network expects 3 (2 hidden + output)");
  expect(other(5, {3, 4}, 1), "weights: layer 1 rows have 5 values, the network expects 2");
  expect(relu::weights_to_json(relu::Mlp<float>(2, {3, 4}, {Activation::Relu}, 2, relu::Loss::SoftmaxCe, 4)),
         "weights: layer 3 has 2 rows, the network expects 1");
  expect(relu::weights_to_json(relu::Mlp<float>(2, {3, 4}, {Activation::Relu}, 1, relu::Loss::Mse, 4)),
         "the output layer's activation is \"linear\", but this network's loss (bce) needs \"sigmoid\"");

  std::string t = good;
  t.replace(t.find("[[") + 2, 1, "null");  // first value of layer 1 row 1
  expect(t, "weights: layer 1, row 1, value 1 is not a number (got null)");
  expect(R"({"layers":[{"weight":[[1,2],[3]],"bias":[0,0]}]})", "weights: layer 1, row 2 has 1 values, row 1 has 2");
  expect(R"({"layers":[{"weight":[[1e39]],"bias":[0]}]})", "out of the float range");
  expect(R"({"layers":[{"weight":[[1,2]],"bias":[0,0]}]})", "weights: layer 1 has 2 bias values for 1 rows");
  expect(R"({"layers":[{"weight":[[1,2]]}]})", "weights: layer 1 has no \"bias\"");
  expect(R"({"layers":[]})", "weights: \"layers\" is empty");
  expect(R"({"weights":[]})", "weights: expected an object with a \"layers\" list");
  expect("{\"layers\":", "weights: invalid JSON: parse error");
  expect(std::string(100, '[') + std::string(100, ']'), "nested deeper than 64 levels");

  std::string bad_act = good;
  bad_act.replace(bad_act.find("\"relu\""), 6, "\"relux\"");
  expect(bad_act, "weights: layer 1: unknown activation \"relux\"");

  CHECK_THROWS_WITH(relu::weights_shape(R"({"layers":[{"weight":[[1,2]],"bias":[0]},{"weight":[[1,2,3]],"bias":[0]}]})"),
                    Contains("weights: layer 2 rows have 3 values, but layer 1 has 1 rows"));
}

// ---- born dead ----

TEST_CASE("born_dead: probability grows with depth and has the documented statistics", "[born_dead]") {
  relu::BornDeadSpec spec;
  spec.width = 2;
  spec.trials = 300;
  spec.points = 41;
  double previous = 0;
  for (int depth = 1; depth <= 6; ++depth) {
    spec.depth = depth;
    const relu::BornDeadResult r = relu::born_dead_probability(spec);
    CAPTURE(depth, r.probability);
    CHECK(r.probability >= previous);  // exact: trial t's first layers do not depend on the depth
    CHECK(r.std_error == Approx(std::sqrt(r.probability * (1 - r.probability) / spec.trials)));
    CHECK(r.reference == Approx(1 - std::pow(0.75, depth)));
    CHECK(r.bias == "zero");
    previous = r.probability;
  }
  CHECK(previous > 0.2);  // width 2, depth 6 dies often

  // One hidden layer with zero bias sees inputs of both signs: it cannot be dead.
  spec.depth = 1;
  CHECK(relu::born_dead_probability(spec).probability == 0);

  spec.depth = 6;
  spec.init = "rai";
  CHECK(relu::born_dead_probability(spec).bias == "normal");
  CHECK(relu::born_dead_probability(spec).probability < previous);

  spec.width = -3;
  CHECK_THROWS_WITH(relu::born_dead_probability(spec), Contains("width must be an integer in 1..1024 (got -3)"));
  spec.width = 2;
  spec.init = "glorot_normal";
  CHECK_THROWS_WITH(relu::born_dead_probability(spec), Contains("init must be he_normal or rai"));
}

TEST_CASE("the optimiser can change during a run: same weights, then the new optimiser's step", "[config][live]") {
  RunConfig c;
  c.data.name = "spiral";
  c.layers = {8};
  c.optimizer.lr = 0.001;
  c.batch = 16;
  relu::Run run(c);
  run.step(20);
  const std::vector<float> before = run.model().params;
  run.set("optimizer", "\"adam\"");
  CHECK(run.config().optimizer.kind == relu::OptimizerKind::Adam);
  CHECK(run.model().params == before);  // switching is not a restart
  run.step(1);
  // Adam's first step moves every parameter with a non-zero gradient by lr * g / (|g| + eps),
  // i.e. by almost exactly lr; SGD's would be lr * g, far smaller here.
  int at_lr = 0, moved = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    const double d = std::fabs(static_cast<double>(run.model().params[i]) - before[i]);
    if (d == 0) continue;
    ++moved;
    if (std::fabs(d - 0.001) < 1e-4) ++at_lr;
  }
  CHECK(moved > 0);
  CHECK(at_lr >= moved * 9 / 10);
  CHECK_THROWS_WITH(run.set("optimizer", "\"lbfgs\""), Catch::Contains("optimizer"));
  CHECK(run.config().optimizer.kind == relu::OptimizerKind::Adam);  // a refused change changes nothing
}

TEST_CASE("a live switch to adamw and back: fresh moments, the decay only while adamw", "[config][live][adamw]") {
  RunConfig c;
  c.data.name = "spiral";
  c.layers = {8};
  c.optimizer.lr = 0.001;
  c.batch = 16;
  // The same run twice: one switched to adamw during the run, one switched to adam there; one
  // step later they differ by exactly adamw's decay, on the weights and nowhere else.
  relu::Run w(c), a(c);
  w.step(20);
  a.step(20);
  REQUIRE(w.model().params == a.model().params);
  w.set("optimizer", "\"adamw\"");
  w.set("weight_decay", "0.5");  // set after the switch: a live key that adamw reads at once
  a.set("weight_decay", "0.5");  // adam ignores it
  a.set("optimizer", "\"adam\"");
  CHECK(w.config().optimizer.kind == relu::OptimizerKind::AdamW);
  const std::vector<float> before = w.model().params;
  w.step(1);
  a.step(1);
  // The weight entries (engine/run.cpp's decay mask): each layer's weight block.
  std::vector<uint8_t> is_weight(before.size(), 0);
  for (int l = 0; l < w.model().num_layers(); ++l) {
    const auto& L = w.model().layer(l);
    std::fill_n(is_weight.begin() + L.w_off, static_cast<size_t>(L.weight_count()), 1);
  }
  const float decay = static_cast<float>(1.0 - 0.001 * 0.5);
  int decayed = 0, others = 0, same = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    CAPTURE(i);
    if (is_weight[i]) {
      // adamw: (p decay) + step, adam: p + step; the same step (fresh moments, the same g).
      const float step = a.model().params[i] - before[i];
      CHECK(w.model().params[i] == before[i] * decay + step);
      decayed += w.model().params[i] != a.model().params[i];
    } else {
      ++others;
      same += w.model().params[i] == a.model().params[i];
    }
  }
  CHECK(decayed > 0);
  CHECK(others > 0);
  CHECK(same == others);
  // Back to sgd: weight_decay stays in the config, ignored (one SGD step from the same
  // weights is the same step).
  w.set("optimizer", "\"sgd\"");
  CHECK(w.config().optimizer.weight_decay == 0.5);
  relu::Run s(c);
  s.step(21);  // the same number of batches drawn as w
  s.import_weights(w.export_weights());
  w.step(1);
  s.step(1);
  CHECK(w.model().params == s.model().params);
}

TEST_CASE("Run::set follows the key table: live rows apply, the others are refused", "[config][run]") {
  RunConfig cfg;
  cfg.data.name = "xor";
  relu::Run run(cfg);
  for (const auto& key : relu::key_infos()) {
    CAPTURE(key.name);
    relu::LiveHook hook = nullptr;
    CHECK(relu::live_key(key.name, &hook) == key.live);
    if (!key.live) {
      CHECK_THROWS_WITH(run.set(key.name, "1"), Contains("cannot change during a run"));
    }
  }
  CHECK(relu::live_keys().size() == 29);
  // A live key with a hook: the model changes, not only the config.
  run.set("activation", "\"tanh\"");
  CHECK(run.model().layer(0).act.kind == Activation::Tanh);
  CHECK(run.report().layers[0].activation == "tanh");  // the report shows the setting at once
  run.set("dropout", "0.25");
  CHECK(run.model().dropout_kind() == relu::DropoutKind::Standard);
  CHECK(run.model().dropout_p() == 0.25f);
  run.set("leaky-slope", "0.2");  // dashes read as underscores
  CHECK(run.model().layer(0).act.leaky_slope == 0.2f);
  // A bad value leaves everything as it was.
  CHECK_THROWS(run.set("lr", "-1"));
  CHECK(run.config().optimizer.lr == RunConfig().optimizer.lr);
}

TEST_CASE("a CSV run: the task picks the loss, auto holds out a test split", "[config][run][csv]") {
  // Two clusters (labels 0/1), then three (text labels).
  std::string binary = "x1,x2,label\n", three = "a,b,kind\n";
  for (int i = 0; i < 40; ++i) {
    const double t = i * 0.1;
    binary += std::to_string(std::sin(t)) + "," + std::to_string(std::cos(t)) + "," + (i % 2 ? "1" : "0") + "\n";
    three += std::to_string(std::cos(t)) + "," + std::to_string(t) + "," + (i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue") + "\n";
  }
  SECTION("binary: sigmoid and bce, finite test loss and accuracy") {
    relu::Run run(with({{"dataset", "\"csv\""}, {"csv_text", nlohmann_json_string(binary)}, {"layers", "[4]"}}));
    CHECK(relu::loss_name(run.loss()) == std::string("bce"));
    CHECK(run.data().task == relu::Task::Binary);
    CHECK(run.data().x_test.cols() == 10);  // a quarter of 40
    CHECK(run.model().outputs() == 1);
    run.step(5);
    const relu::Evaluation e = run.evaluate();
    CHECK(std::isfinite(e.test_loss));
    CHECK(e.test_accuracy >= 0.0);
    CHECK(e.test_accuracy <= 1.0);
  }
  SECTION("text labels: softmax and ce over 3 outputs") {
    relu::Run run(with({{"dataset", "\"csv\""}, {"csv_text", nlohmann_json_string(three)}, {"layers", "[4]"}}));
    CHECK(relu::loss_name(run.loss()) == std::string("ce"));
    CHECK(run.model().outputs() == 3);
    CHECK(run.data().class_names == std::vector<std::string>{"red", "green", "blue"});
  }
  SECTION("loss mse reads 0/1 labels as numbers; task classification with loss auto as classes") {
    relu::Run mse(with({{"dataset", "\"csv\""}, {"csv_text", nlohmann_json_string(binary)}, {"loss", "\"mse\""}, {"layers", "[4]"}}));
    CHECK(mse.data().task == relu::Task::Regression);
    relu::Run reg(with({{"dataset", "\"csv\""}, {"csv_text", nlohmann_json_string(binary)}, {"task", "\"regression\""}, {"layers", "[4]"}}));
    CHECK(relu::loss_name(reg.loss()) == std::string("mse"));
    CHECK(reg.data().class_names.empty());
  }
  SECTION("an explicit test fraction of 0 keeps every row for training") {
    relu::Run run(with({{"dataset", "\"csv\""}, {"csv_text", nlohmann_json_string(binary)}, {"test_fraction", "0"}, {"layers", "[4]"}}));
    CHECK(run.data().x_test.cols() == 0);
  }
}
