// Continual-learning streams (engine/task_stream.h), per-task metrics (Run::task_metrics),
// the rank measures of feature_rank.h and the grad-dormant:TAU dead definition.
#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "config.h"
#include "feature_rank.h"
#include "monitor.h"
#include "run.h"
#include "task_stream.h"

using namespace relu;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

RunConfig stream_config(const char* dataset, int64_t task_steps, int tasks) {
  RunConfig cfg;
  cfg.data.name = dataset;
  cfg.layers = {16};
  cfg.batch = 16;
  cfg.seed = 7;
  cfg.optimizer.kind = OptimizerKind::Sgd;
  cfg.optimizer.lr = 0.05;
  cfg.task_steps = task_steps;
  cfg.tasks = tasks;
  cfg.monitor_every = 1000;
  return cfg;
}

bool is_permutation_of_identity(std::vector<int> p) {
  std::sort(p.begin(), p.end());
  for (int i = 0; i < static_cast<int>(p.size()); ++i)
    if (p[i] != i) return false;
  return true;
}

}  // namespace

TEST_CASE("permuted-mnist14: the pixels are permuted anew exactly at task boundaries", "[stream]") {
  Run run(stream_config("permuted-mnist14", 5, 3));
  REQUIRE(run.is_stream());
  CHECK(run.task_steps() == 5);
  const Eigen::MatrixXf base_train = run.data().x_train, base_test = run.data().x_test;  // task 0: identity
  TaskStream stream(run.data(), 7);
  CHECK(stream.permutation(0) == [] { std::vector<int> id(196); for (int i = 0; i < 196; ++i) id[i] = i; return id; }());
  Eigen::MatrixXf previous = base_train;
  for (int step = 1; step <= 25; ++step) {
    run.step(1);
    CAPTURE(step);
    const int task = std::min(step / 5, 2);  // three tasks; the last one stays
    CHECK(run.current_task() == task);
    const bool boundary = step % 5 == 0 && step <= 10;
    CHECK((run.data().x_train != previous) == boundary);
    previous = run.data().x_train;
    if (boundary) {
      const std::vector<int> perm = stream.permutation(task);
      CHECK(is_permutation_of_identity(perm));
      CHECK(perm != stream.permutation(task - 1));
      bool rows_match = true;
      for (int f = 0; f < 196; ++f)
        rows_match = rows_match && run.data().x_train.row(f) == base_train.row(perm[f]) &&
                     run.data().x_test.row(f) == base_test.row(perm[f]);
      CHECK(rows_match);
    }
  }
}

TEST_CASE("streams: the same seed gives the same stream; another seed another", "[stream]") {
  const Dataset d = make_dataset([] { DataSpec s; s.name = "permuted-mnist14"; s.seed = 3; s.test_fraction = 0.2; return s; }());
  CHECK(TaskStream(d, 3).permutation(4) == TaskStream(d, 3).permutation(4));
  CHECK(TaskStream(d, 3).permutation(4) != TaskStream(d, 4).permutation(4));
  RunConfig cfg = stream_config("slowly-changing-regression", 20, 0);
  cfg.data.samples = 300;
  Run a(cfg), b(cfg);
  a.step(45);
  b.step(45);
  CHECK(a.data().x_train == b.data().x_train);
  CHECK(a.data().y_train == b.data().y_train);
  CHECK(a.model().params == b.model().params);
  cfg.seed = 8;
  Run c(cfg);
  c.step(45);
  CHECK(c.data().y_train != a.data().y_train);
}

TEST_CASE("slowly-changing-regression: one flipping bit flips per task; 5 random bits; the target network", "[stream]") {
  DataSpec spec;
  spec.name = "slowly-changing-regression";
  spec.seed = 11;
  const Dataset d0 = make_dataset(spec);
  CHECK(d0.task == Task::Regression);
  CHECK(d0.x_train.rows() == 20);
  CHECK(d0.x_train.cols() == kScrDefaultSamples);  // one task = 10,000 examples
  CHECK(d0.x_test.cols() == 32);                    // every setting of the 5 random bits
  TaskStream stream(d0, 11);
  for (int t = 1; t < 30; ++t) {
    const std::vector<int> a = stream.flipping_bits(t - 1), b = stream.flipping_bits(t);
    int changed = 0;
    for (int k = 0; k < kScrFlippingBits; ++k) changed += a[k] != b[k];
    CAPTURE(t);
    CHECK(changed == 1);
  }
  Dataset d = d0;
  stream.apply(3, d);
  const std::vector<int> bits = stream.flipping_bits(3);
  bool flipping_constant = true, random_binary = true;
  double random_mean = 0;
  for (int j = 0; j < d.x_train.cols(); ++j) {
    for (int k = 0; k < kScrFlippingBits; ++k) flipping_constant = flipping_constant && d.x_train(k, j) == bits[k];
    for (int k = kScrFlippingBits; k < kScrInputs; ++k) {
      random_binary = random_binary && (d.x_train(k, j) == 0.0f || d.x_train(k, j) == 1.0f);
      random_mean += d.x_train(k, j);
    }
    // The target is the network's: whole numbers in -101..101.
    CHECK(d.y_train(j) == static_cast<float>(stream.target(d.x_train.col(j).data())));
  }
  CHECK(flipping_constant);
  CHECK(random_binary);
  CHECK_THAT(random_mean / (5.0 * d.x_train.cols()), WithinAbs(0.5, 0.02));
  // The targets vary: the task is not trivial.
  CHECK(d.y_test.maxCoeff() > d.y_test.minCoeff());
}

TEST_CASE("slowly-changing-regression: in a run, a bit flips every 10,000 examples", "[stream]") {
  RunConfig cfg = stream_config("slowly-changing-regression", 0, 0);
  cfg.batch = 100;
  cfg.layers = {5};
  Run run(cfg);
  CHECK(run.task_steps() == 100);  // one pass over the task's 10,000 examples
  auto flipping = [&] {
    std::vector<float> v(kScrFlippingBits);
    for (int k = 0; k < kScrFlippingBits; ++k) v[k] = run.data().x_test(k, 0);
    return v;
  };
  std::vector<float> before = flipping();
  for (int task = 1; task <= 3; ++task) {
    run.step(99);
    CHECK(flipping() == before);
    run.step(1);
    const std::vector<float> after = flipping();
    int changed = 0;
    for (int k = 0; k < kScrFlippingBits; ++k) changed += after[k] != before[k];
    CHECK(changed == 1);
    before = after;
  }
}

TEST_CASE("per-task metrics: one record per finished task, at its last step", "[stream]") {
  Run run(stream_config("permuted-mnist14", 20, 4));
  run.step(70);
  CHECK(run.task_metrics().size() == 3);
  run.step(30);  // step 100: the 4th task ended at 80; the last task stays, no more records
  const auto& t = run.task_metrics();
  REQUIRE(t.size() == 4);
  for (int k = 0; k < 4; ++k) {
    CAPTURE(k);
    CHECK(t[k].task == k);
    CHECK(t[k].end_step == 20 * (k + 1));
    CHECK(t[k].units == 16);
    CHECK(t[k].test_accuracy >= 0.0);
    CHECK(t[k].test_accuracy <= 1.0);
    CHECK(t[k].dead_share >= 0.0);
    CHECK(t[k].dormant_share >= t[k].dead_share);  // a dead unit's ReDo score is 0
    CHECK(t[k].effective_rank >= 1.0);
    CHECK(t[k].effective_rank <= 16.0);
    CHECK(t[k].stable_rank <= t[k].effective_rank + 1e-9);
    CHECK(t[k].rank_samples == std::min<int>(Run::kRankSamples, static_cast<int>(run.data().x_train.cols())));
  }
  CHECK(run.current_task() == 3);
  // Learning happens: the first task beats chance (10 classes; 2,000 test images, so 0.12 is
  // about three standard errors above 0.1).
  CHECK(t[0].test_accuracy > 0.12);
}

TEST_CASE("per-task metrics: regression records the test loss; a rollback forgets later tasks", "[stream]") {
  RunConfig cfg = stream_config("slowly-changing-regression", 10, 0);
  cfg.data.samples = 200;
  cfg.monitor_every = 15;
  Run run(cfg);
  run.step(45);  // checkpoints at the monitor's steps 15, 30, 45
  REQUIRE(run.task_metrics().size() == 4);
  CHECK(run.task_metrics()[0].test_accuracy == -1.0);
  CHECK(std::isfinite(run.task_metrics()[0].test_loss));
  const Eigen::RowVectorXf y_task4 = run.data().y_train;
  run.step(5);  // step 50: task 4 ends, task 5 begins
  CHECK(run.task_metrics().size() == 5);
  CHECK(run.data().y_train != y_task4);
  CHECK(run.rollback() == 45);
  CHECK(run.task_metrics().size() == 4);
  CHECK(run.current_task() == 4);
  CHECK(run.data().y_train == y_task4);
  run.step(5);
  CHECK(run.task_metrics().size() == 5);
}

TEST_CASE("stream keys: defaults, ranges and their datasets", "[stream][config]") {
  RunConfig cfg;
  CHECK_THROWS_WITH(apply_config_value(cfg, "task_steps", "-1"), Contains("task_steps must be an integer"));
  CHECK_THROWS_WITH(apply_config_value(cfg, "dormant_tau", "2"), Contains("dormant_tau must be a finite number"));
  apply_config_value(cfg, "task_steps", "100");
  CHECK_THROWS_WITH(validate_config(cfg), Contains("task_steps applies only to a stream dataset"));
  apply_config_value(cfg, "dataset", "\"permuted_mnist\"");
  CHECK(cfg.data.name == "permuted-mnist");
  CHECK_NOTHROW(validate_config(cfg));
  const RunConfig back = config_from_json(config_to_json(cfg));
  CHECK(back.task_steps == 100);
  CHECK(back.data.name == "permuted-mnist");
}

TEST_CASE("feature rank: rank one gives 1; k orthonormal columns give k", "[stream][rank]") {
  Eigen::MatrixXd one = Eigen::VectorXd::LinSpaced(6, 1, 6) * Eigen::RowVectorXd::LinSpaced(40, -2, 3);
  FeatureRank r = feature_rank(one);
  CHECK_THAT(r.effective, WithinAbs(1.0, 1e-9));
  CHECK_THAT(r.stable, WithinAbs(1.0, 1e-9));
  for (int k : {1, 3, 5}) {
    // k columns of an orthogonal matrix (a QR of a fixed matrix), times 7 (scale does not matter).
    Eigen::MatrixXd m(10, 5);
    for (int i = 0; i < 10; ++i)
      for (int j = 0; j < 5; ++j) m(i, j) = std::sin(1.0 + i * 0.7 + j * j * 1.3);
    Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(m).householderQ() * Eigen::MatrixXd::Identity(10, k);
    CAPTURE(k);
    CHECK_THAT(feature_rank(7.0 * q).effective, WithinRel(static_cast<double>(k), 1e-9));
    CHECK_THAT(feature_rank(7.0 * q.transpose()).stable, WithinRel(static_cast<double>(k), 1e-9));
  }
  CHECK(feature_rank(Eigen::MatrixXd::Zero(4, 9)).effective == 0.0);
  // The engine's Jacobi against Eigen's BDCSVD on generic matrices, both orientations.
  for (int rows : {3, 12, 40}) {
    Eigen::MatrixXd g(rows, 17);
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < 17; ++j) g(i, j) = std::sin(0.3 + 1.7 * i + 0.9 * j * j) * (j % 5 == 0 ? 1e-3 : 1.0);
    const Eigen::VectorXd ours = singular_values(g), eigen = Eigen::BDCSVD<Eigen::MatrixXd>(g).singularValues();
    REQUIRE(ours.size() == eigen.size());
    CAPTURE(rows);
    for (int k = 0; k < ours.size(); ++k) CHECK_THAT(ours(k), WithinAbs(eigen(k), 1e-12 * eigen(0)));
    CHECK(singular_values(g.transpose()) == ours);
  }
  // Unequal singular values: between 1 and their count.
  Eigen::VectorXd s(3);
  s << 4, 2, 1;
  const FeatureRank u = rank_from_singular_values(s);
  const double p[3] = {4 / 7.0, 2 / 7.0, 1 / 7.0};
  CHECK_THAT(u.effective, WithinRel(std::exp(-(p[0] * std::log(p[0]) + p[1] * std::log(p[1]) + p[2] * std::log(p[2]))), 1e-12));
  CHECK_THAT(u.stable, WithinRel(21.0 / 16.0, 1e-12));
}

TEST_CASE("grad-dormant:TAU: units whose mean |dL/dz| is at most TAU times the layer's mean", "[monitor][dormant]") {
  const DeadDefinition d = dead_definition_from_string("grad-dormant:0.2");
  CHECK(d.criterion == DeadCriterion::GradDormant);
  CHECK(d.tau == 0.2);
  CHECK(dead_definition_to_string(d) == "grad-dormant:0.20000000000000001");
  CHECK(dead_definition_from_string(dead_definition_to_string(d)).tau == 0.2);
  for (const char* s : {"grad-dormant:", "grad-dormant:x", "grad-dormant:-0.1", "grad-dormant:1.5"}) {
    CAPTURE(s);
    CHECK_THROWS_WITH(dead_definition_from_string(s), Contains("grad-dormant:TAU needs TAU in [0, 1]"));
  }
  // 1 -> [4 relu] -> 1, all weights 1, biases -10, -0.975, 0.5, -0.495, on x = i/100, target 0:
  // out_j = sum_i relu(x_j + b_i), and the per-sample |dl/dz_ij| = 2 out_j [x_j + b_i > 0].
  Mlp<float> m(1, {4}, {Activation::Relu}, 1, Loss::Mse);
  m.W(0).setOnes();
  m.b(0) << -10.0f, -0.975f, 0.5f, -0.495f;
  m.W(1).setOnes();
  m.b(1).setZero();
  Eigen::MatrixXf x(1, 100);
  for (int i = 0; i < 100; ++i) x(0, i) = i / 100.0f;
  const Eigen::MatrixXf y = Eigen::MatrixXf::Zero(1, 100);
  m.zero_grads();
  m.zero_grad_tracking();
  m.forward(x, 100, false);
  m.output_grad(y, 100, 100);
  m.backward(x, 100, true);
  double g[4] = {0, 0, 0, 0};
  for (int j = 0; j < 100; ++j) {
    double out = 0;
    for (int i = 0; i < 4; ++i) out += std::max(0.0, x(0, j) + static_cast<double>(m.b(0)(i)));
    for (int i = 0; i < 4; ++i)
      if (x(0, j) + m.b(0)(i) > 0) g[i] += 2.0 * out / 100.0;
  }
  const double mean = (g[0] + g[1] + g[2] + g[3]) / 4;
  // Unit 1 fires on 2 inputs: its share is about 0.08 of the mean (so 0.2 marks it, 0.05 does not).
  REQUIRE(g[1] / mean > 0.05);
  REQUIRE(g[1] / mean < 0.2);
  for (double tau : {0.0, 0.05, 0.2, 1.0}) {
    MonitorOptions o;
    o.dead.criterion = DeadCriterion::GradDormant;
    o.dead.tau = tau;
    Monitor mon(o);
    mon.evaluate(m, x, 0);
    const LayerReport& L = mon.report().layers[0];
    CAPTURE(tau);
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i);
      CHECK((L.state[i] == static_cast<uint8_t>(NeuronState::Dead)) == (g[i] <= tau * mean * (1 + 1e-6)));
    }
  }
  // Units 2 (all inputs) and 3 (half of them, the larger outputs) sit above the mean: even
  // tau 1 marks only units 0 and 1.
  CHECK(g[3] > mean);
  CHECK(g[2] > mean);
}

TEST_CASE("Run with grad-dormant:0: every dead unit is grad-dormant; the run trains as before", "[monitor][dormant][run]") {
  RunConfig cfg;
  cfg.data.name = "circle";
  cfg.layers = {12, 12};
  cfg.bias_init = -0.3;
  cfg.seed = 5;
  cfg.monitor_every = 25;
  RunConfig grad = cfg;
  grad.monitor.dead = dead_definition_from_string("grad-dormant:0");
  Run a(cfg), b(grad);
  a.step(100);
  b.step(100);
  CHECK(a.model().params == b.model().params);  // the gradient pass does not touch training
  const MonitorReport& ra = a.report();
  const MonitorReport& rb = b.report();
  for (size_t l = 0; l < ra.layers.size(); ++l)
    for (int i = 0; i < ra.layers[l].width; ++i)
      if (ra.layers[l].state[i] == static_cast<uint8_t>(NeuronState::Dead)) CHECK(rb.layers[l].state[i] == static_cast<uint8_t>(NeuronState::Dead));
  RunConfig c2;
  apply_config_value(c2, "dead_def", "\"grad-dormant:0.1\"");
  CHECK_THAT(config_to_json(c2), Contains("grad-dormant:0.1"));
}
