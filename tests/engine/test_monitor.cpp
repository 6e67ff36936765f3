// The neuron monitor on hand-set weights, and the Run-level interventions that rely on it:
// dead detection, revive (ReDo), the leaky/tanh contrasts, dormant:TAU, and death events.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "config.h"
#include "monitor.h"
#include "mlp.h"
#include "run.h"

using namespace relu;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

constexpr uint8_t S(NeuronState s) { return static_cast<uint8_t>(s); }

// x = 100 points i/100, i = 0..99, evenly spread in [0, 1).
Eigen::MatrixXf hundred_points() {
  Eigen::MatrixXf x(1, 100);
  for (int i = 0; i < 100; ++i) x(0, i) = i / 100.0f;
  return x;
}

// 1 -> [4 relu] -> 1 with every incoming weight 1 and hand-set biases:
//   unit 0: z = x - 10     active on none          -> dead
//   unit 1: z = x - 0.975  active on x = .98, .99  -> mostly silent (2%)
//   unit 2: z = x + 0.5    active on all           -> always on
//   unit 3: z = x - 0.495  active on x >= .50      -> healthy (50%)
Mlp<float> hand_set_net(Activation act = Activation::Relu) {
  Mlp<float> m(1, {4}, {act}, 1, Loss::Mse);
  m.W(0).setOnes();
  m.b(0) << -10.0f, -0.975f, 0.5f, -0.495f;
  m.W(1).setOnes();
  m.b(1).setZero();
  m.zero_grad_tracking();
  return m;
}

RunConfig small_config(Activation act, const char* dataset = "circle") {
  RunConfig cfg;
  cfg.data.name = dataset;
  cfg.layers = {8};
  cfg.activations = {act};
  cfg.batch = 32;
  cfg.seed = 3;
  cfg.optimizer.kind = OptimizerKind::Sgd;
  cfg.optimizer.lr = 0.03;
  return cfg;
}

// Index of the last "died" event for (layer, neuron), or -1.
int last_event(const std::vector<NeuronEvent>& ev, int layer, int neuron, uint8_t kind) {
  for (int k = static_cast<int>(ev.size()) - 1; k >= 0; --k)
    if (ev[k].layer == layer && ev[k].neuron == neuron && ev[k].kind == kind) return k;
  return -1;
}

}  // namespace

TEST_CASE("monitor: states and statistics on hand-set weights", "[monitor]") {
  Mlp<float> m = hand_set_net();
  const Eigen::MatrixXf x = hundred_points();
  Monitor mon{MonitorOptions{}};
  mon.evaluate(m, x, 0);
  const MonitorReport& r = mon.report();
  REQUIRE(r.layers.size() == 1);
  const LayerReport& L = r.layers[0];
  CHECK(r.eval_samples == 100);
  CHECK(L.width == 4);
  CHECK(L.activation == "relu");

  CHECK(L.state[0] == S(NeuronState::Dead));
  CHECK(L.state[1] == S(NeuronState::MostlySilent));
  CHECK(L.state[2] == S(NeuronState::AlwaysOn));
  CHECK(L.state[3] == S(NeuronState::Healthy));

  CHECK(L.active_fraction[0] == 0.0f);
  CHECK_THAT(L.active_fraction[1], WithinAbs(0.02, 1e-6));
  CHECK(L.active_fraction[2] == 1.0f);
  CHECK_THAT(L.active_fraction[3], WithinAbs(0.50, 1e-6));

  CHECK(L.counts[0] == 1);  // dead
  CHECK(L.counts[1] == 0);  // saturated
  CHECK(L.counts[2] == 1);  // always on
  CHECK(L.counts[3] == 1);  // mostly silent
  CHECK(L.counts[4] == 1);  // healthy
  CHECK_THAT(L.dead_fraction, WithinAbs(0.25, 1e-7));
  CHECK_THAT(L.silent_fraction, WithinAbs(0.25, 1e-7));
  CHECK_THAT(L.no_positive_fraction, WithinAbs(0.25, 1e-7));
  CHECK_FALSE(r.layer_collapsed);

  // mean |a|: unit 1: (0.005 + 0.015)/100; unit 2: mean(x) + 0.5 = 0.995;
  // unit 3: sum_{k<50} (0.005 + 0.01 k) / 100 = 12.5 / 100.
  const double mean_abs[4] = {0.0, 0.0002, 0.995, 0.125};
  const double layer_mean = (mean_abs[0] + mean_abs[1] + mean_abs[2] + mean_abs[3]) / 4;
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK_THAT(L.mean_abs[i], WithinRel(mean_abs[i], 1e-4) || WithinAbs(0.0, 1e-12));
    // ReDo dormancy: mean|a_i| / layer average; a dead unit scores exactly 0.
    CHECK_THAT(L.dormancy[i], WithinRel(mean_abs[i] / layer_mean, 1e-4) || WithinAbs(0.0, 1e-12));
    CHECK_THAT(L.weight_norm[i], WithinRel(1.0, 1e-6));
    CHECK(L.bias[i] == m.b(0)(i));
    CHECK(L.slope[i] == 0.0f);
    CHECK(L.grad_abs[i] == 0.0f);
    CHECK(L.saturated_fraction[i] == 0.0f);
  }
  CHECK(L.dormancy[0] == 0.0f);
  // A dead unit at the first evaluation counts as having died then.
  CHECK(L.died_at[0] == 0);
  for (int i = 1; i < 4; ++i) CHECK(L.died_at[i] == -1);

  // Histograms of the pre-activations cover the 400 values.
  CHECK(L.pre.samples == 400);
  float total = 0;
  for (float c : L.pre.counts) total += c;
  CHECK(total == 400.0f);
  CHECK(L.pre.lo == m.b(0)(0));                   // min z = 0 - 10
  CHECK_THAT(L.pre.hi, WithinAbs(1.49, 1e-5));   // max z = 0.99 + 0.5

  // Whole layer silenced: the layer has collapsed.
  m.b(0).setConstant(-10.0f);
  mon.evaluate(m, x, 1);
  CHECK(mon.report().layer_collapsed);
  CHECK(mon.report().layers[0].counts[0] == 4);
  for (int i = 0; i < 4; ++i) CHECK(mon.report().layers[0].dormancy[i] == 0.0f);
}

TEST_CASE("monitor: grad_abs is the step's mean |dL/dz| per unit; a dead unit's is exactly 0", "[monitor]") {
  Mlp<float> m = hand_set_net();
  const Eigen::MatrixXf x = hundred_points();
  const Eigen::MatrixXf y = Eigen::MatrixXf::Zero(1, 100);
  m.zero_grads();
  m.zero_grad_tracking();
  m.forward(x, 100, false);
  m.output_grad(y, 100, 100);
  m.backward(x, 100, true);
  // out_j = sum_i relu(z_ij) (W1 = 1, b1 = 0); L = mean_j out_j^2, so
  // dL/dz_ij = 2 out_j / 100 * [z_ij > 0], the per-sample dl_j/dz_ij = 2 out_j [z_ij > 0];
  // grad_abs_i = (1/100) sum_j |dl_j/dz_ij| = sum_j |dL/dz_ij| (header: mean over the step's samples).
  double expected[4] = {0, 0, 0, 0};
  for (int j = 0; j < 100; ++j) {
    double out = 0;
    for (int i = 0; i < 4; ++i) out += std::max(0.0, x(0, j) + static_cast<double>(m.b(0)(i)));
    for (int i = 0; i < 4; ++i)
      if (x(0, j) + m.b(0)(i) > 0) expected[i] += std::fabs(2.0 * out) / 100.0;
  }
  Monitor mon{MonitorOptions{}};
  mon.evaluate(m, x, 1);
  const LayerReport& L = mon.report().layers[0];
  CHECK(L.grad_abs[0] == 0.0f);
  for (int i = 1; i < 4; ++i) {
    CAPTURE(i);
    CHECK_THAT(L.grad_abs[i], WithinRel(expected[i], 1e-4));
  }
  // The layer's weight-gradient norm is reported once record_grad_norms() has run.
  m.record_grad_norms();
  mon.evaluate(m, x, 2);
  CHECK_THAT(mon.report().layers[0].grad_norm, WithinRel(static_cast<double>(m.dW(0).norm()), 1e-6));
  CHECK(m.dW(0)(0, 0) == 0.0f);  // the dead unit's incoming gradient
  CHECK(m.db(0)(0) == 0.0f);
}

TEST_CASE("monitor: evaluation in chunks equals one pass", "[monitor]") {
  Mlp<float> big = hand_set_net();
  Mlp<float> small(1, {4}, {Activation::Relu}, 1, Loss::Mse, 7);  // forces 15 chunks
  small.params = big.params;
  const Eigen::MatrixXf x = hundred_points();
  Monitor a{MonitorOptions{}}, b{MonitorOptions{}};
  a.evaluate(big, x, 0);
  b.evaluate(small, x, 0);
  for (int i = 0; i < 4; ++i) {
    CHECK(a.report().layers[0].state[i] == b.report().layers[0].state[i]);
    CHECK(a.report().layers[0].active_fraction[i] == b.report().layers[0].active_fraction[i]);
    CHECK_THAT(a.report().layers[0].mean_abs[i], WithinRel(static_cast<double>(b.report().layers[0].mean_abs[i]), 1e-6) || WithinAbs(0, 1e-12));
  }
}

TEST_CASE("monitor: the silent threshold and rectifier variants", "[monitor]") {
  const Eigen::MatrixXf x = hundred_points();
  SECTION("silent_threshold 1% makes the 2%-active unit healthy") {
    Mlp<float> m = hand_set_net();
    MonitorOptions o;
    o.silent_threshold = 0.01;
    Monitor mon(o);
    mon.evaluate(m, x, 0);
    CHECK(mon.report().layers[0].state[1] == S(NeuronState::Healthy));
  }
  SECTION("leaky_relu: a unit with no positive input is not dead (its gradient is not zero)") {
    Mlp<float> m = hand_set_net(Activation::LeakyRelu);
    Monitor mon{MonitorOptions{}};
    mon.evaluate(m, x, 0);
    const LayerReport& L = mon.report().layers[0];
    CHECK(L.state[0] == S(NeuronState::MostlySilent));
    CHECK(L.dead_fraction == 0.0f);
    CHECK_THAT(L.no_positive_fraction, WithinAbs(0.25, 1e-7));
    CHECK_THAT(L.slope[0], WithinRel(kLeakyDefaultSlope, 1e-6));
    // Slope 0 turns it into a relu: now it is dead.
    m.set_leaky_slope(0.0f);
    mon.evaluate(m, x, 1);
    CHECK(mon.report().layers[0].state[0] == S(NeuronState::Dead));
  }
  SECTION("prelu: dead only when its own slope is 0") {
    Mlp<float> m = hand_set_net(Activation::Prelu);
    m.s(0).setConstant(0.25f);
    m.s(0)(1) = 0.0f;
    m.b(0)(1) = -10.0f;  // unit 1 now inactive everywhere too, with slope 0
    Monitor mon{MonitorOptions{}};
    mon.evaluate(m, x, 0);
    const LayerReport& L = mon.report().layers[0];
    CHECK(L.state[0] != S(NeuronState::Dead));
    CHECK(L.state[1] == S(NeuronState::Dead));
    CHECK_THAT(L.slope[0], WithinRel(0.25, 1e-6));
    CHECK_THAT(L.no_positive_fraction, WithinAbs(0.5, 1e-7));
  }
  SECTION("tanh: saturated units; a rectifier is never 'saturated'") {
    Mlp<float> m = hand_set_net(Activation::Tanh);
    m.b(0) << 5.0f, -10.0f, 0.0f, 2.5f;  // z in [5, 6), (-10, -9], [0, 1), [2.5, 3.5)
    Monitor mon{MonitorOptions{}};
    mon.evaluate(m, x, 0);
    const LayerReport& L = mon.report().layers[0];
    CHECK(L.saturated_fraction[0] == 1.0f);
    CHECK(L.saturated_fraction[1] == 1.0f);
    CHECK(L.saturated_fraction[2] == 0.0f);
    // tanh saturates beyond |z| = 2.993: z = x + 2.5 > 2.993 for x >= 0.50 -> 50%.
    CHECK_THAT(L.saturated_fraction[3], WithinAbs(0.50, 1e-6));
    CHECK(L.state[0] == S(NeuronState::Saturated));
    CHECK(L.state[1] == S(NeuronState::Saturated));  // not "dead": tanh has no flat side
    CHECK(L.state[3] != S(NeuronState::Saturated));  // 50% is not more than 90%
    CHECK(L.dead_fraction == 0.0f);
    CHECK_THAT(L.no_positive_fraction, WithinAbs(0.25, 1e-7));

    Mlp<float> r = hand_set_net();
    r.b(0)(2) = 50.0f;
    mon.evaluate(r, x, 1);
    CHECK(mon.report().layers[0].state[2] == S(NeuronState::AlwaysOn));
  }
}

TEST_CASE("monitor: dormant:TAU marks low-dormancy units dead, whatever the activation", "[monitor][dormant]") {
  const DeadDefinition d = dead_definition_from_string("dormant:0.1");
  CHECK(d.criterion == DeadCriterion::Dormant);
  CHECK(d.tau == 0.1);
  CHECK(dead_definition_from_string(dead_definition_to_string(d)).tau == 0.1);
  const Eigen::MatrixXf x = hundred_points();
  MonitorOptions o;
  o.dead = d;
  Monitor mon(o);
  Mlp<float> m = hand_set_net();
  mon.evaluate(m, x, 0);
  const LayerReport& L = mon.report().layers[0];
  // Dormancy: unit 1: 0.0002 / 0.28005 = 0.0007 <= 0.1 -> dead although it is active on 2 inputs.
  CHECK(L.state[0] == S(NeuronState::Dead));
  CHECK(L.state[1] == S(NeuronState::Dead));
  CHECK(L.state[2] == S(NeuronState::AlwaysOn));
  CHECK(L.state[3] == S(NeuronState::Healthy));  // dormancy 0.446
  CHECK_THAT(L.dead_fraction, WithinAbs(0.5, 1e-7));

  // A tanh unit with tiny weights is "dormant" though it is never flat.
  Mlp<float> t = hand_set_net(Activation::Tanh);
  t.b(0) << 1.0f, 1e-4f, -1.0f, 0.5f;
  t.W(0)(1, 0) = 1e-4f;
  mon.evaluate(t, x, 0);
  CHECK(mon.report().layers[0].state[1] == S(NeuronState::Dead));
  CHECK(mon.report().layers[0].state[0] != S(NeuronState::Dead));
}

TEST_CASE("dead definitions parse and print", "[monitor]") {
  CHECK(dead_definition_from_string("full").set == EvalSet::Full);
  CHECK(dead_definition_from_string("batch").set == EvalSet::Batch);
  const DeadDefinition p = dead_definition_from_string("probe:64");
  CHECK(p.set == EvalSet::Probe);
  CHECK(p.probe_size == 64);
  for (const char* s : {"full", "batch", "probe:64", "dormant:0.25"})
    CHECK(dead_definition_to_string(dead_definition_from_string(s)) == s);
  for (const char* s : {"bogus", "probe:", "probe:abc", "probe:0", "dormant:", "dormant:x", "dormant:-1"}) {
    CAPTURE(s);
    CHECK_THROWS_AS(dead_definition_from_string(s), std::invalid_argument);
  }
}

TEST_CASE("monitor: death events and died_at", "[monitor][events]") {
  const Eigen::MatrixXf x = hundred_points();
  Mlp<float> m = hand_set_net();
  m.b(0)(0) = 0.5f;  // everyone alive at first
  MonitorOptions o;
  o.max_events = 3;
  Monitor mon(o);
  mon.evaluate(m, x, 0);
  CHECK(mon.events().empty());

  m.b(0)(0) = -10.0f;
  mon.evaluate(m, x, 5);
  REQUIRE(mon.events().size() == 1);
  CHECK(mon.events()[0].step == 5);
  CHECK(mon.events()[0].layer == 0);
  CHECK(mon.events()[0].neuron == 0);
  CHECK(mon.events()[0].kind == 0);
  CHECK(mon.report().layers[0].died_at[0] == 5);

  mon.evaluate(m, x, 6);  // still dead: no new event, died_at unchanged
  CHECK(mon.events().size() == 1);
  CHECK(mon.report().layers[0].died_at[0] == 5);

  m.b(0)(0) = 0.5f;  // back to life by itself
  mon.evaluate(m, x, 9);
  CHECK(mon.report().layers[0].died_at[0] == -1);
  CHECK(last_event(mon.events(), 0, 0, 0) == 0);  // no second death
  CHECK(last_event(mon.events(), 0, 0, 1) == 1);  // a revival at step 9
  CHECK(mon.events()[1].step == 9);

  // The oldest events are dropped beyond max_events; the total keeps counting.
  m.b(0)(3) = -10.0f;
  mon.evaluate(m, x, 12);
  m.b(0)(2) = -10.0f;
  mon.evaluate(m, x, 13);
  CHECK(mon.events_total() == 4);
  REQUIRE(mon.events().size() == 3);
  CHECK(mon.events()[0].step == 9);
  CHECK(mon.events()[2].step == 13);
  CHECK(mon.events()[2].neuron == 2);

  // mark_revived: forget the death of unit 2 without an evaluation.
  mon.mark_revived(0, 2, 14);
  CHECK(mon.report().layers[0].died_at[2] == -1);
  CHECK(mon.events().back().kind == 1);
  CHECK(mon.events().back().step == 14);

  mon.clear_history();
  CHECK(mon.events().empty());
  CHECK(mon.events_total() == 0);
  for (int32_t d : mon.report().layers[0].died_at) CHECK(d == -1);
}

TEST_CASE("build_histogram: counts, range and percentiles", "[monitor]") {
  std::vector<float> v(100);
  for (int i = 0; i < 100; ++i) v[i] = static_cast<float>((i * 37) % 100);  // 0..99 shuffled
  std::vector<float> buf;
  Histogram h;
  build_histogram(v.data(), v.size(), 10, buf, h);
  CHECK(h.samples == 100);
  CHECK(h.lo == 0.0f);
  CHECK(h.hi == 99.0f);
  REQUIRE(h.counts.size() == 10);
  for (float c : h.counts) CHECK(c == 10.0f);
  CHECK(h.percentiles[0] == 0.0f);
  CHECK(h.percentiles[kNumPercentiles - 1] == 99.0f);
  CHECK(h.percentiles[4] >= 49.0f);
  CHECK(h.percentiles[4] <= 50.0f);
  for (int k = 1; k < kNumPercentiles; ++k) CHECK(h.percentiles[k] >= h.percentiles[k - 1]);
  // A constant set (a dead layer) still gets a finite, non-empty range.
  std::vector<float> zeros(50, 0.0f);
  build_histogram(zeros.data(), zeros.size(), 10, buf, h);
  CHECK(h.hi > h.lo);
  float total = 0;
  for (float c : h.counts) total += c;
  CHECK(total == 50.0f);
}

TEST_CASE("Run: a unit killed by its bias is dead; revive brings it back (ReDo)", "[monitor][run][revive]") {
  RunConfig cfg = small_config(Activation::Relu);
  cfg.optimizer.kind = OptimizerKind::Momentum;
  cfg.optimizer.momentum = 0.9;
  Run run(cfg);
  run.step(5);  // momentum state is non-zero now
  const int unit = 2;
  run.model().b(0)(unit) = -1e3f;
  run.step(2);
  const MonitorReport& r = run.monitor();
  REQUIRE(r.layers.size() == 1);
  CHECK(r.layers[0].state[unit] == S(NeuronState::Dead));
  CHECK(r.layers[0].active_fraction[unit] == 0.0f);
  CHECK(r.layers[0].dormancy[unit] == 0.0f);
  run.step(3);
  // Its gradient is exactly zero (only the stale momentum still moves it).
  CHECK(run.model().dW(0).row(unit).isZero(0.0f));
  CHECK(run.model().db(0)(unit) == 0.0f);

  const Eigen::RowVectorXf run_w_before_revive = run.model().W(0).row(unit);
  const int dead_before = run.monitor().layers[0].counts[0];
  const int revived = run.revive();
  CHECK(revived >= 1);
  CHECK(revived == dead_before);
  Mlp<float>& m = run.model();
  CHECK(m.W(1).col(unit).isZero(0.0f));   // outgoing weights zeroed: the function is unchanged
  CHECK(m.b(0)(unit) == 0.0f);            // zero bias
  CHECK(m.W(0).row(unit) != run_w_before_revive);  // fresh incoming weights
  CHECK_FALSE(m.W(0).row(unit).isZero(0.0f));
  CHECK(run.monitor().layers[0].state[unit] != S(NeuronState::Dead));

  // The optimiser state was zeroed: the next momentum step moves the outgoing weights by
  // exactly -lr * g (no stale velocity), g being this step's gradient.
  const Eigen::RowVectorXf w_in = m.W(0).row(unit);
  run.step(1);
  const float lr = static_cast<float>(cfg.optimizer.lr);
  for (int k = 0; k < m.W(1).rows(); ++k)
    CHECK_THAT(m.W(1)(k, unit), WithinAbs(-lr * m.dW(1)(k, unit), 1e-7));
  for (int j = 0; j < m.W(0).cols(); ++j)
    CHECK_THAT(m.W(0)(unit, j), WithinAbs(w_in(j) - lr * m.dW(0)(unit, j), 1e-6));
  CHECK(run.monitor().layers[0].state[unit] != S(NeuronState::Dead));
}

TEST_CASE("Run (sgd): gradient descent cannot move a dead unit's incoming weights or bias", "[monitor][run]") {
  Run run(small_config(Activation::Relu));
  run.step(3);
  run.model().b(0)(0) = -1e3f;
  const Eigen::RowVectorXf w = run.model().W(0).row(0);
  const Eigen::VectorXf out_w = run.model().W(1).col(0);
  run.step(20);
  CHECK(run.model().W(0).row(0) == w);
  CHECK(run.model().b(0)(0) == -1e3f);
  CHECK(run.model().W(1).col(0) == out_w);  // its output is 0, so its outgoing weights are frozen too
  CHECK(run.monitor().layers[0].state[0] == S(NeuronState::Dead));
}

TEST_CASE("Run: leaky_relu with the same bias is not dead; tanh saturates", "[monitor][run]") {
  SECTION("leaky_relu") {
    Run run(small_config(Activation::LeakyRelu));
    run.model().b(0)(1) = -1e3f;
    const LayerReport& L = run.monitor().layers[0];
    CHECK(L.state[1] != S(NeuronState::Dead));
    CHECK(L.state[1] == S(NeuronState::MostlySilent));
    CHECK(L.dead_fraction == 0.0f);
    CHECK(L.no_positive_fraction * L.width >= 1.0f);
    CHECK(L.active_fraction[1] == 0.0f);
    // Its incoming weights still learn.
    const Eigen::RowVectorXf w = run.model().W(0).row(1);
    run.step(3);
    CHECK(run.model().W(0).row(1) != w);
  }
  SECTION("tanh") {
    Run run(small_config(Activation::Tanh));
    run.model().b(0)(4) = 50.0f;
    const LayerReport& L = run.monitor().layers[0];
    CHECK(L.state[4] == S(NeuronState::Saturated));
    CHECK(L.saturated_fraction[4] == 1.0f);
    CHECK(L.dead_fraction == 0.0f);
  }
}

TEST_CASE("Run: a unit that dies produces a 'died' event at that step", "[monitor][run][events]") {
  RunConfig cfg = small_config(Activation::Relu);
  cfg.monitor_every = 5;
  Run run(cfg);
  run.step(4);
  const int unit = 5;
  const bool dead_already = run.monitor().layers[0].state[unit] == S(NeuronState::Dead);
  REQUIRE_FALSE(dead_already);
  run.model().b(0)(unit) = -1e3f;
  run.step(1);  // step 5: the monitor runs inside step()
  const auto& ev = run.monitor_state().events();
  const int k = last_event(ev, 0, unit, 0);
  REQUIRE(k >= 0);
  CHECK(ev[k].step == 5);
  CHECK(run.monitor_state().report().layers[0].died_at[unit] == 5);

  SECTION("dormant:TAU through the config") {
    RunConfig c2 = small_config(Activation::Relu);
    c2.monitor.dead = dead_definition_from_string("dormant:0.05");
    Run r2(c2);
    r2.model().b(0)(unit) = -1e3f;
    CHECK(r2.monitor().layers[0].state[unit] == S(NeuronState::Dead));
    CHECK(r2.monitor().layers[0].dormancy[unit] == 0.0f);
  }
}
