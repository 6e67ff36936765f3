// The continual-learning remedies (engine/remedies.h): shrink & perturb, L2 toward the
// initial weights, and continual backprop's choice of units, on hand-set networks.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "config.h"
#include "run.h"

using namespace relu;
using json = nlohmann::json;

namespace {

RunConfig small_config() {
  RunConfig cfg;
  cfg.data.name = "spiral";
  cfg.layers = {16, 16};
  cfg.batch = 32;
  cfg.optimizer.kind = OptimizerKind::Sgd;
  cfg.optimizer.lr = 0.05;
  cfg.seed = 5;
  return cfg;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("shrink & perturb with perturb 0 multiplies every parameter by shrink, exactly", "[remedies]") {
  const float lambda = 0.9f;
  SECTION("in a run: the first step of a shrinking run is the plain run's first step times shrink") {
    RunConfig plain = small_config();
    RunConfig shrunk = plain;
    shrunk.shrink = lambda;
    Run a(plain), b(shrunk);
    a.step(1);
    b.step(1);
    const auto& pa = a.model().params;
    const auto& pb = b.model().params;
    REQUIRE(pa.size() == pb.size());
    int64_t mismatches = 0;
    for (size_t k = 0; k < pa.size(); ++k) mismatches += pb[k] != lambda * pa[k];
    CHECK(mismatches == 0);
  }
  SECTION("step after step, without noise draws") {
    Run run(small_config());
    Remedies r;
    r.build(run.model(), 1);
    std::vector<float> p = run.model().params;
    for (int step = 0; step < 5; ++step) {
      std::vector<float> expected = p;
      for (float& x : expected) x *= lambda;
      r.shrink_perturb(lambda, 0.0, p);
      CHECK(same_bits(p, expected));
    }
  }
}

TEST_CASE("shrink & perturb with shrink 1 adds noise of mean 0 and variance sigma^2", "[remedies]") {
  RunConfig cfg = small_config();
  cfg.layers = {256, 256};  // 67,000 parameters
  Run run(cfg);
  Remedies r;
  r.build(run.model(), 3);
  const double sigma = 0.01;
  std::vector<float> p = run.model().params;
  const std::vector<float> before = p;
  r.shrink_perturb(1.0, sigma, p);
  const double n = static_cast<double>(p.size());
  double sum = 0, sq = 0;
  for (size_t k = 0; k < p.size(); ++k) {
    const double d = static_cast<double>(p[k]) - before[k];
    sum += d;
    sq += d * d;
  }
  const double mean = sum / n, var = sq / n - mean * mean;
  CAPTURE(n, mean, var);
  CHECK(std::fabs(mean) < 5 * sigma / std::sqrt(n));                       // 5 standard errors
  CHECK(std::fabs(var / (sigma * sigma) - 1) < 5 * std::sqrt(2.0 / n));    // var's relative SE
  // A frozen unit's parameters stay; everyone else's noise is the same draws as before.
  Run frozen_run(cfg);
  frozen_run.set_frozen(0, 3, true);
  Remedies rf, rn;
  rf.build(frozen_run.model(), 3);
  rn.build(run.model(), 3);
  std::vector<float> pf = before, pn = before;
  rf.shrink_perturb(1.0, sigma, pf);
  rn.shrink_perturb(1.0, sigma, pn);
  const auto& L = run.model().layer(0);
  int64_t moved_frozen = 0, differs_elsewhere = 0;
  std::vector<uint8_t> owned(before.size(), 0);
  for (int j = 0; j < L.fan_in; ++j) owned[L.weight_index(3, j)] = 1;
  owned[L.b_off + 3] = owned[L.s_off + 3] = 1;
  for (size_t k = 0; k < before.size(); ++k) {
    if (owned[k]) moved_frozen += pf[k] != before[k];
    else differs_elsewhere += pf[k] != pn[k];
  }
  CHECK(moved_frozen == 0);
  CHECK(differs_elsewhere == 0);
}

TEST_CASE("L2-init's gradient matches finite differences of its penalty", "[remedies][gradients]") {
  Run run(small_config());
  Remedies r;
  r.build(run.model(), 1);
  std::vector<float> p = run.model().params;
  Rng rng(11);
  for (float& x : p) x += static_cast<float>(rng.uniform(-0.5, 0.5));
  const double lambda = 0.3;
  std::vector<float> g(p.size(), 0.0f);
  r.add_l2_init(lambda, p, g);
  const float h = 1.0f / 1024;  // exact in float; the penalty is quadratic, so the difference is too
  double worst = 0;
  for (size_t k = 0; k < p.size(); k += 7) {
    std::vector<float> plus = p, minus = p;
    plus[k] += h;
    minus[k] -= h;
    const double fd = (r.l2_init_penalty(lambda, plus) - r.l2_init_penalty(lambda, minus)) /
                      (static_cast<double>(plus[k]) - minus[k]);
    worst = std::max(worst, std::fabs(fd - g[k]) / std::max(1e-3, std::fabs(fd)));
  }
  CAPTURE(worst);
  CHECK(worst < 1e-4);
  // At the start the pull is zero: theta is theta0.
  std::vector<float> g0(p.size(), 0.0f);
  r.add_l2_init(lambda, run.model().params, g0);
  CHECK(std::all_of(g0.begin(), g0.end(), [](float x) { return x == 0.0f; }));
}

TEST_CASE("L2-init keeps a run nearer its initial weights", "[remedies]") {
  auto distance = [](double l2_init) {
    RunConfig cfg = small_config();
    cfg.l2_init = l2_init;
    Run run(cfg);
    run.step(300);
    const auto& p = run.model().params;
    const auto& p0 = run.remedies().initial();
    double d = 0;
    for (size_t k = 0; k < p.size(); ++k) d += (p[k] - p0[k]) * (p[k] - p0[k]);
    return std::sqrt(d);
  };
  const double free = distance(0), pulled = distance(1.0);
  CAPTURE(free, pulled);
  CHECK(pulled < 0.8 * free);
}

namespace {
// One hidden layer of 4 ReLU units on xor's 2 inputs, all with zero incoming weights and bias
// 1 (so every unit outputs 1 on every input: equal activity), and outgoing weights of
// magnitude 0.4, 0.1, 0.3, 0.2: contribution utilities in that order. lr 1e-30 leaves every
// weight where it is (the update rounds away), so the utilities keep their order.
Run hand_set_run(RunConfig cfg) {
  cfg.data.name = "xor";
  cfg.layers = {4};
  cfg.optimizer.kind = OptimizerKind::Momentum;
  cfg.optimizer.lr = 1e-30;
  cfg.monitor_every = 1000000;
  Run run(cfg);
  json w = json::parse(run.export_weights());
  auto& hidden = w["layers"][0];
  for (auto& row : hidden["weight"]) row = json::array({0.0, 0.0});
  hidden["bias"] = json::array({1.0, 1.0, 1.0, 1.0});
  w["layers"][1]["weight"] = json::array({json::array({0.4, -0.1, 0.3, -0.2})});
  run.import_weights(w.dump());
  return run;
}
}  // namespace

TEST_CASE("continual backprop replaces the lowest-utility mature units at the expected steps", "[remedies][cbp]") {
  RunConfig cfg;
  cfg.cbp_rate = 0.25;     // 4 eligible units: one owed per step
  cfg.cbp_maturity = 5;    // eligible from age 6
  cfg.cbp_decay = 0.9;
  Run run = hand_set_run(cfg);
  const auto& m = run.model();
  const auto out_weight = [&](int unit) { return m.W(1)(0, unit); };
  std::vector<int> replaced_at(4, -1);
  for (int s = 1; s <= 9; ++s) {
    // Momentum state before the step is non-zero for every weight (gradients are).
    run.step(1);
    for (const auto& e : run.monitor_state().events())
      if (e.kind == 2 && e.step == s) replaced_at[e.neuron] = s;
  }
  // Step 6: all four mature, 1 owed -> unit 1 (|w_out| 0.1). Step 7: three eligible, 0.75
  // owed. Step 8: 1.5 -> unit 3 (0.2), 0.5 left. Step 9: two eligible, 1.0 -> unit 2 (0.3).
  CHECK(replaced_at == std::vector<int>{-1, 6, 9, 8});
  CHECK(run.remedies().replaced_total() == 3);
  // Replaced units: zero outgoing weight, fresh incoming weights from the initialiser (he_normal
  // here), zero bias, restarted age; the unit never replaced keeps its weights. (Units replaced
  // before the last step have since moved by lr x momentum, some 1e-30.)
  for (int unit : {1, 2, 3}) {
    CAPTURE(unit);
    CHECK(std::fabs(out_weight(unit)) < 1e-20f);
    CHECK(std::fabs(m.b(0)(unit)) < 1e-20f);
    CHECK(m.W(0).row(unit).norm() > 0.1f);
  }
  CHECK(out_weight(2) == 0.0f);
  CHECK(m.b(0)(2) == 0.0f);
  CHECK(out_weight(0) == 0.4f);
  CHECK(m.W(0).row(0).norm() < 1e-20f);
  CHECK(run.remedies().ages()[0] == std::vector<int64_t>{9, 3, 0, 1});
  // The optimiser's state for the last replaced unit (step 9, unit 2) is zero; unit 0's is not.
  Optimizer<float>::State st;
  run.optimizer().save(st);
  const auto& L0 = m.layer(0);
  const auto& L1 = m.layer(1);
  for (int j = 0; j < L0.fan_in; ++j) CHECK(st.m[L0.weight_index(2, j)] == 0.0f);
  CHECK(st.m[L0.b_off + 2] == 0.0f);
  CHECK(st.m[L1.weight_index(0, 2)] == 0.0f);
  CHECK(st.m[L1.weight_index(0, 0)] != 0.0f);
}

TEST_CASE("continual backprop: frozen units are never replaced, revived units restart", "[remedies][cbp]") {
  RunConfig cfg;
  cfg.cbp_rate = 0.25;
  cfg.cbp_maturity = 5;
  Run run = hand_set_run(cfg);
  run.set_frozen(0, 1, true);
  run.step(7);
  // Unit 1 is the lowest but frozen, so three units are eligible from step 6 (0.75 owed), one
  // is owed at step 7, and unit 3 goes.
  int replaced = -1;
  for (const auto& e : run.monitor_state().events())
    if (e.kind == 2) replaced = e.neuron + 10 * static_cast<int>(e.step);
  CHECK(replaced == 73);
  // ReDo's revival (here by hand) restarts a unit for continual backprop too.
  run.revive_neuron(0, 0);
  CHECK(run.remedies().ages()[0][0] == 0);
  CHECK(run.remedies().utilities()[0][0] == 0.0);
}

TEST_CASE("remedies compose with ReDo and with each other, and repeat bit for bit", "[remedies][determinism]") {
  RunConfig cfg = small_config();
  cfg.optimizer.lr = 0.5;  // kills units, so ReDo and continual backprop both have work
  cfg.shrink = 0.9999;
  cfg.perturb = 1e-4;
  cfg.l2_init = 1e-3;
  cfg.cbp_rate = 0.01;
  cfg.cbp_maturity = 20;
  cfg.revive_every = 50;
  Run a(cfg), b(cfg);
  a.step(400);
  b.step(400);
  CHECK_FALSE(a.diverged());
  CHECK(same_bits(a.model().params, b.model().params));
  CHECK(a.remedies().replaced_total() > 0);
  CHECK(a.remedies().replaced_total() == b.remedies().replaced_total());
  const auto& ea = a.monitor_state().events();
  const auto& eb = b.monitor_state().events();
  REQUIRE(ea.size() == eb.size());
  for (size_t k = 0; k < ea.size(); ++k) {
    CHECK(ea[k].step == eb[k].step);
    CHECK(ea[k].neuron == eb[k].neuron);
    CHECK(ea[k].kind == eb[k].kind);
  }
  // The run without remedies differs (they did something).
  RunConfig off = small_config();
  off.optimizer.lr = 0.5;
  off.revive_every = 50;
  Run c(off);
  c.step(400);
  CHECK_FALSE(same_bits(a.model().params, c.model().params));
}

TEST_CASE("remedy keys: ranges, live changes, JSON round trip", "[remedies][config]") {
  RunConfig cfg;
  CHECK_THROWS_WITH(apply_config_value(cfg, "shrink", "0"), Catch::Contains("shrink must be a finite number > 0"));
  CHECK_THROWS_WITH(apply_config_value(cfg, "shrink", "1.5"), Catch::Contains("shrink must be a finite number <= 1"));
  CHECK_THROWS_WITH(apply_config_value(cfg, "perturb", "-1"), Catch::Contains("perturb must be a finite number >= 0"));
  CHECK_THROWS_WITH(apply_config_value(cfg, "l2-init", "-0.1"), Catch::Contains("l2_init must be a finite number >= 0"));
  CHECK_THROWS_WITH(apply_config_value(cfg, "cbp_rate", "2"), Catch::Contains("cbp_rate must be a finite number <= 1"));
  CHECK_THROWS_WITH(apply_config_value(cfg, "cbp_maturity", "-3"), Catch::Contains("cbp_maturity must be an integer >= 0"));
  CHECK_THROWS_WITH(apply_config_value(cfg, "cbp_decay", "1"), Catch::Contains("cbp_decay must be a finite number < 1"));
  apply_config_json(cfg, R"({"shrink":0.99,"perturb":0.001,"l2_init":0.01,"cbp_rate":1e-4,"cbp_maturity":50,"cbp_decay":0.95})");
  const RunConfig back = config_from_json(config_to_json(cfg));
  CHECK(back.shrink == 0.99);
  CHECK(back.perturb == 0.001);
  CHECK(back.l2_init == 0.01);
  CHECK(back.cbp_rate == 1e-4);
  CHECK(back.cbp_maturity == 50);
  CHECK(back.cbp_decay == 0.95);
  for (const char* key : {"shrink", "perturb", "l2_init", "cbp_rate", "cbp_maturity", "cbp_decay"}) {
    CAPTURE(key);
    CHECK(live_key(key, nullptr));
  }
  Run run(small_config());
  run.step(10);
  run.set("cbp_rate", "0.05");
  run.set("cbp_maturity", "5");
  run.step(20);
  CHECK(run.remedies().replaced_total() > 0);
}
