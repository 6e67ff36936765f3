// BatchNorm and LayerNorm inside dense and conv layers (engine/layers/norm.h): the forward
// against PyTorch's definitions on hand numbers (batch statistics, the running ones, eval
// mode; LayerNorm per sample, over a conv layer's whole map as GroupNorm(1, C)); every
// gradient of normalised networks against central finite differences in double, in training
// and eval mode; the monitor's eval-mode verdict on hand-set weights; and the Run around them:
// the batch BatchNorm can train on, eval-mode reads, checkpoints, revival, weights files and
// the spec's tokens. PyTorch's trajectories are in tests/reference/{batchnorm,layernorm}.json.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "config.h"
#include "mlp.h"
#include "monitor.h"
#include "net_spec.h"
#include "rng.h"
#include "run.h"
#include "weights_io.h"

using namespace relu;
using json = nlohmann::json;

namespace {

using MatD = Eigen::MatrixXd;

MatD random_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  MatD m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = rng.normal();
  return m;
}

// Random weights, biases and slopes; norm weights around 1 and biases around 0 (not the reset
// values, so a gradient that forgot gamma or beta shows); running statistics away from 0 and 1.
void randomize(Mlp<double>& m, Rng& rng) {
  for (auto& p : m.params) p = 0.4 * rng.normal();
  for (int l = 0; l < m.num_layers(); ++l) {
    auto& L = m.layer(l);
    m.s(l).setConstant(0.25);
    if (!L.norm.active()) continue;
    for (int i = 0; i < L.units(); ++i) {
      L.norm.weight(m.params.data())(i) = 1.0 + 0.3 * rng.normal();
      L.norm.bias(m.params.data())(i) = 0.3 * rng.normal();
      if (L.norm.kind != NormKind::Batch) continue;
      L.norm.running_mean(m.state.data())(i) = 0.5 * rng.normal();
      L.norm.running_var(m.state.data())(i) = 0.5 + rng.uniform();
    }
  }
}

struct FdFigures {
  double worst_abs = 0, worst_rel = 0;  // |analytic - fd|, and over max(|fd|, 1e-3)
  int checked = 0, significant = 0;
};

// Every parameter's gradient against (L(p + h) - L(p - h)) / 2h of the mean loss over n
// columns, the forwards in `training` mode (BatchNorm: the batch's statistics, else the running ones).
FdFigures check_gradients(Mlp<double>& m, const MatD& x, const MatD& y, int n, bool training) {
  const std::vector<double> state = m.state;  // training forwards move it; keep every forward on the same
  m.zero_grads();
  m.forward(x, n, training);
  m.output_grad(y, n, n);
  m.backward(x, n, false);
  const std::vector<double> g = m.grads;
  auto loss = [&] {
    m.state = state;
    m.forward(x, n, training);
    return m.loss_value(y, n);
  };
  const double h = 1e-6;
  FdFigures f;
  for (size_t i = 0; i < m.params.size(); ++i) {
    const double keep = m.params[i];
    m.params[i] = keep + h;
    const double up = loss();
    m.params[i] = keep - h;
    const double down = loss();
    m.params[i] = keep;
    const double fd = (up - down) / (2 * h);
    CAPTURE(i, training);
    CHECK(g[i] == Approx(fd).margin(1e-8).epsilon(1e-5));
    f.worst_abs = std::max(f.worst_abs, std::fabs(g[i] - fd));
    f.worst_rel = std::max(f.worst_rel, std::fabs(g[i] - fd) / std::max(std::fabs(fd), 1e-3));
    f.significant += std::fabs(fd) > 1e-6;
    ++f.checked;
  }
  m.state = state;
  return f;
}

void report(const char* what, const FdFigures& f) {
  std::printf("finite differences, %s: %d parameters, worst |analytic - fd| %.2e, relative %.2e\n", what, f.checked,
              f.worst_abs, f.worst_rel);
}

}  // namespace

TEST_CASE("batchnorm: the batch's statistics in training, the running ones in eval, as PyTorch's BatchNorm1d",
          "[norm]") {
  // One input feature, dense(1,batchnorm) with W = 1, b = 0: y = x.
  Mlp<double> m(Volume{1, 1, 1}, read_net(json("dense(1,batchnorm,linear)")), {Activation::Relu}, 1, Loss::Mse, 8);
  m.W(0).setOnes();
  m.b(0).setZero();
  m.W(1).setOnes();
  const auto& N = m.layer(0).norm;
  CHECK(N.weight(m.params.data())(0) == 1.0);  // PyTorch's reset: weight 1, bias 0, mean 0, var 1
  CHECK(N.bias(m.params.data())(0) == 0.0);
  CHECK(N.running_mean(m.state.data())(0) == 0.0);
  CHECK(N.running_var(m.state.data())(0) == 1.0);
  m.params[N.g_off] = 2.0;
  m.params[N.beta_off] = 0.5;
  MatD x(1, 4);
  x << 1, 2, 3, 4;
  m.forward(x, 4, true);
  // mean 2.5, biased variance 1.25: z = 2 (x - 2.5) / sqrt(1.25 + 1e-5) + 0.5
  for (int j = 0; j < 4; ++j) CHECK(m.layer(0).z(0, j) == Approx(2 * (x(j) - 2.5) / std::sqrt(1.25 + 1e-5) + 0.5).epsilon(1e-14));
  // running: 0.9 * 0 + 0.1 * 2.5; 0.9 * 1 + 0.1 * unbiased variance 5/3
  CHECK(N.running_mean(m.state.data())(0) == Approx(0.25).epsilon(1e-15));
  CHECK(N.running_var(m.state.data())(0) == Approx(0.9 + 0.1 * 5.0 / 3.0).epsilon(1e-15));
  // Eval mode: the running statistics, and they stay.
  const std::vector<double> state = m.state;
  m.forward(x, 4, false);
  for (int j = 0; j < 4; ++j)
    CHECK(m.layer(0).z(0, j) == Approx(2 * (x(j) - 0.25) / std::sqrt(0.9 + 0.5 / 3.0 + 1e-5) + 0.5).epsilon(1e-14));
  CHECK(m.state == state);
}

TEST_CASE("batchnorm on a conv layer: one statistic per channel over samples and positions", "[norm][conv]") {
  // conv2d(2,1) with 1x1 filters of weight 1 and 3: channel c sees (c ? 3 : 1) x + b_c.
  Mlp<double> m(Volume{1, 2, 2}, read_net(json("conv2d(2,1,batchnorm)")), {Activation::Linear}, 1, Loss::Mse, 4);
  m.layer(0).incoming(m.params.data(), 0).setConstant(1.0);
  m.layer(0).incoming(m.params.data(), 1).setConstant(3.0);
  m.b(0) << 0.5, -1.0;
  MatD x(4, 2);
  x << 1, 5, 2, 6, 3, 7, 4, 8;  // sample 0: 1 2 3 4, sample 1: 5 6 7 8
  m.forward(x, 2, true);
  // Channel 0 over 8 values 1..8 (+0.5): mean 5, biased var 5.25, unbiased 6.
  // Channel 1: 3 x - 1 over the same: mean 12.5, var 9 * 5.25.
  for (int j = 0; j < 2; ++j)
    for (int p = 0; p < 4; ++p) {
      CHECK(m.layer(0).z(p, j) == Approx((x(p, j) + 0.5 - 5.0) / std::sqrt(5.25 + 1e-5)).epsilon(1e-13));
      CHECK(m.layer(0).z(4 + p, j) == Approx((3 * x(p, j) - 1 - 12.5) / std::sqrt(9 * 5.25 + 1e-5)).epsilon(1e-13));
    }
  const auto& N = m.layer(0).norm;
  CHECK(N.running_mean(m.state.data())(0) == Approx(0.5));
  CHECK(N.running_mean(m.state.data())(1) == Approx(1.25));
  CHECK(N.running_var(m.state.data())(0) == Approx(0.9 + 0.6));
  CHECK(N.running_var(m.state.data())(1) == Approx(0.9 + 0.1 * 9 * 6));
}

TEST_CASE("layernorm: per sample over a dense layer's units, over a conv layer's whole map (GroupNorm(1, C))",
          "[norm][conv]") {
  Mlp<double> d(Volume{1, 1, 1}, read_net(json("dense(3,layernorm,linear)")), {Activation::Relu}, 1, Loss::Mse, 2);
  d.W(0) << 1, 2, 4;
  d.b(0).setZero();
  const auto& N = d.layer(0).norm;
  d.params[N.g_off + 1] = 3.0;
  d.params[N.beta_off + 2] = -1.0;
  MatD x(1, 2);
  x << 1, -2;
  for (bool training : {true, false}) {
    d.forward(x, 2, training);  // the same in both modes
    for (int j = 0; j < 2; ++j) {
      const Eigen::Vector3d y = Eigen::Vector3d(1, 2, 4) * x(j);
      const double mu = y.mean(), var = (y.array() - mu).square().mean();
      const Eigen::Vector3d xh = (y.array() - mu) / std::sqrt(var + 1e-5);
      CHECK(d.layer(0).z(0, j) == Approx(xh(0)).epsilon(1e-13));
      CHECK(d.layer(0).z(1, j) == Approx(3 * xh(1)).epsilon(1e-13));
      CHECK(d.layer(0).z(2, j) == Approx(xh(2) - 1).epsilon(1e-13));
    }
  }
  CHECK(d.state.empty());  // LayerNorm keeps no running statistics

  // conv2d(2,1,layernorm): the sample's 8 values (2 channels x 4 positions) share one mean and
  // variance; weight and bias per channel.
  Mlp<double> c(Volume{1, 2, 2}, read_net(json("conv2d(2,1,layernorm)")), {Activation::Linear}, 1, Loss::Mse, 2);
  c.layer(0).incoming(c.params.data(), 0).setConstant(1.0);
  c.layer(0).incoming(c.params.data(), 1).setConstant(-2.0);
  c.b(0) << 0.0, 1.0;
  const auto& C = c.layer(0).norm;
  c.params[C.g_off + 1] = 0.5;
  c.params[C.beta_off] = 0.25;
  MatD xc(4, 1);
  xc << 1, 2, 3, 5;
  c.forward(xc, 1, true);
  Eigen::VectorXd y(8);
  y << 1, 2, 3, 5, -1, -3, -5, -9;
  const double mu = y.mean(), var = (y.array() - mu).square().mean();
  for (int r = 0; r < 8; ++r) {
    const double xh = (y(r) - mu) / std::sqrt(var + 1e-5);
    CHECK(c.layer(0).z(r, 0) == Approx(r < 4 ? xh + 0.25 : 0.5 * xh).epsilon(1e-13));
  }
}

TEST_CASE("normalised dense networks: every gradient matches finite differences, training and eval mode",
          "[norm][gradients]") {
  FdFigures all;
  for (Loss loss : {Loss::SoftmaxCe, Loss::Mse})
    for (Activation act : {Activation::Tanh, Activation::Elu, Activation::Prelu}) {
      const int outputs = loss == Loss::SoftmaxCe ? 3 : 2;
      Mlp<double> m(Volume{3, 1, 1}, read_net(json("dense(5,batchnorm),dense(4,layernorm),dense(4,batchnorm,gelu)")),
                    {act}, outputs, loss, 6);
      Rng rng(41 + static_cast<int>(act) + 7 * static_cast<int>(loss));
      randomize(m, rng);
      const int n = 6;
      const MatD x = random_matrix(3, n, rng);
      MatD y(1, n);
      for (int j = 0; j < n; ++j) y(0, j) = loss == Loss::SoftmaxCe ? j % outputs : rng.normal();
      CAPTURE(static_cast<int>(loss), static_cast<int>(act));
      for (bool training : {true, false}) {
        const FdFigures f = check_gradients(m, x, y, n, training);
        CHECK(f.significant > f.checked / 2);
        all.worst_abs = std::max(all.worst_abs, f.worst_abs);
        all.worst_rel = std::max(all.worst_rel, f.worst_rel);
        all.checked += f.checked;
      }
    }
  report("normalised dense nets (batchnorm, layernorm)", all);
}

TEST_CASE("normalised convnets: every gradient matches finite differences through norms, pooling and flatten",
          "[norm][gradients][conv]") {
  FdFigures all;
  const char* nets[] = {"conv2d(3,3,same,batchnorm),maxpool(2),conv2d(4,2,1,2,layernorm),dense(5,batchnorm)",
                        "conv2d(3,2,valid,layernorm),avgpool(2),conv2d(2,2,same,batchnorm),dense(4,layernorm)"};
  for (const char* net : nets)
    for (Activation act : {Activation::Tanh, Activation::Prelu}) {
      Mlp<double> m(Volume{2, 6, 5}, read_net(json(net)), {act}, 3, Loss::SoftmaxCe, 4);
      Rng rng(77 + static_cast<int>(act));
      randomize(m, rng);
      const int n = 4;
      const MatD x = random_matrix(m.inputs(), n, rng);
      MatD y(1, n);
      for (int j = 0; j < n; ++j) y(0, j) = j % 3;
      CAPTURE(net, static_cast<int>(act));
      for (bool training : {true, false}) {
        const FdFigures f = check_gradients(m, x, y, n, training);
        CHECK(f.significant > f.checked / 2);
        all.worst_abs = std::max(all.worst_abs, f.worst_abs);
        all.worst_rel = std::max(all.worst_rel, f.worst_rel);
        all.checked += f.checked;
      }
    }
  report("normalised convnets (batchnorm, layernorm per channel and per map)", all);
}

TEST_CASE("monitor with batchnorm: dead means z <= 0 after the norm on every input, in eval mode", "[norm][monitor]") {
  // One input x in 0.1 .. 1.0 (10 inputs); dense(3,batchnorm) with W = 1, b = 0, so y = x.
  //   unit 0: weight 0.1, bias -10: z = 0.1 xhat - 10 < 0 whatever the statistics    -> dead
  //   unit 1: running mean 0.5, variance 0.25: z = 2 (x - 0.5), positive for x > 0.5 -> healthy
  //   unit 2: running mean 100: z = x - 100 < 0 on every input in eval mode           -> dead,
  //           though with the batch's own statistics (training) half of its z are positive.
  Mlp<float> m(Volume{1, 1, 1}, read_net(json("dense(3,batchnorm)")), {Activation::Relu}, 1, Loss::Mse, 16);
  m.W(0).setOnes();
  m.b(0).setZero();
  m.W(1).setOnes();
  auto& N = m.layer(0).norm;
  N.weight(m.params.data())(0) = 0.1f;
  N.bias(m.params.data())(0) = -10.0f;
  N.running_mean(m.state.data()) << 0.0f, 0.5f, 100.0f;
  N.running_var(m.state.data()) << 1.0f, 0.25f, 1.0f;
  Eigen::MatrixXf x(1, 10);
  for (int k = 0; k < 10; ++k) x(0, k) = 0.1f * (k + 1);
  Monitor mon{MonitorOptions{}};
  mon.evaluate(m, x, 0);
  const LayerReport& r = mon.report().layers[0];
  CHECK(r.state[0] == static_cast<uint8_t>(NeuronState::Dead));
  CHECK(r.state[1] == static_cast<uint8_t>(NeuronState::Healthy));
  CHECK(r.active_fraction[1] == Approx(0.5));
  CHECK(r.state[2] == static_cast<uint8_t>(NeuronState::Dead));
  CHECK(r.dead_fraction == Approx(2.0 / 3));
  // The monitor's pass left the running statistics alone (eval mode).
  CHECK(N.running_mean(m.state.data())(2) == 100.0f);
  // In training mode unit 2 fires on half the batch; unit 0 on none.
  m.forward(x, 10, true);
  CHECK((m.layer(0).z.row(2).leftCols(10).array() > 0).count() == 5);
  CHECK((m.layer(0).z.row(0).leftCols(10).array() > 0).count() == 0);
}

TEST_CASE("a normalised run: training steps move the running statistics, reads do not", "[norm][run]") {
  RunConfig cfg = config_from_json(R"j({"dataset":"circle","net":"dense(8,batchnorm),dense(8,layernorm)","batch":16,
      "lr":0.05,"seed":4,"monitor_every":1000000})j");
  Run run(cfg);
  const auto& m = run.model();
  REQUIRE(m.state.size() == 16);  // one running mean and variance per batchnorm unit
  // [W | b | s] and the norm's [weight | bias] per layer: (16 + 16 + 16) + (64 + 16 + 16) + (8 + 2)
  CHECK(network_param_count(Volume{2, 1, 1}, cfg.net, 1) == 48 + 96 + 10);
  CHECK(m.params.size() == static_cast<size_t>(network_param_count(Volume{2, 1, 1}, cfg.net, 1)));
  const std::vector<float> before = m.state;  // the checkpoint's (taken when the run is built)
  run.step(1);
  CHECK(m.state != before);
  const std::vector<float> after_step = m.state;
  run.evaluate();
  run.monitor();
  std::vector<float> out(2 * 5);
  run.predict(run.data().x_train.data(), 5, out.data());
  std::vector<float> grid;
  run.grid(0, 1, 8, grid);
  CHECK(m.state == after_step);
  // Rollback restores the running statistics with the parameters.
  run.step(20);
  run.rollback();
  CHECK(m.state == before);
  CHECK(run.steps_done() == 0);
}

TEST_CASE("batchnorm trains on one forward's batch: the batch must fit the chunk, and hold 2 for a dense layer",
          "[norm][run]") {
  const std::string base = R"j("dataset":"circle","samples":3000,"net":"dense(8,batchnorm)")j";
  CHECK_THROWS_WITH(Run(config_from_json("{" + base + R"j(,"batch":0})j")),
                    Catch::Contains("batchnorm takes its statistics over the whole batch") &&
                        Catch::Contains("batch at most 1024 (got 1500, the full batch)"));
  CHECK_THROWS_WITH(Run(config_from_json("{" + base + R"j(,"batch":1})j")), Catch::Contains("at least 2"));
  Run run(config_from_json("{" + base + R"j(,"batch":1024})j"));
  CHECK_THROWS_WITH(run.set("batch", "2000"), Catch::Contains("batch at most 1024 (got 1500)"));
  CHECK(run.config().batch == 1024);  // refused: unchanged
  run.set("batch", "64");
  CHECK(run.config().batch == 64);
  run.step(1);
  // A conv layer's BatchNorm has many values per channel even in a batch of 1; LayerNorm none of
  // these limits (its statistics are per sample, and a big batch runs in chunks).
  CHECK_NOTHROW(Run(config_from_json(R"j({"dataset":"mnist14","samples":100,"net":"conv2d(2,3,batchnorm)","batch":1})j")));
  CHECK_NOTHROW(Run(config_from_json(R"j({"dataset":"circle","samples":3000,"net":"dense(8,layernorm)","batch":0})j")));
}

TEST_CASE("revival resets a normalised unit's norm; frozen units' norm gradients are zero", "[norm][run]") {
  RunConfig cfg = config_from_json(R"j({"dataset":"mnist14","samples":200,"net":"conv2d(3,3,same,batchnorm),maxpool(2),dense(6,layernorm)",
      "batch":16,"lr":0.1,"seed":3,"monitor_every":1000000})j");
  Run run(cfg);
  run.set_frozen(1, 2, true);
  const auto& m = run.model();
  const auto& D = m.layer(1).norm;
  const float g2 = D.weight(m.params.data())(2), b2 = D.bias(m.params.data())(2);
  run.step(5);
  CHECK(D.weight(m.params.data())(2) == g2);
  CHECK(D.bias(m.params.data())(2) == b2);
  CHECK(D.weight(m.params.data())(1) != 1.0f);  // the others trained
  const auto& C = m.layer(0).norm;
  CHECK(C.running_mean(m.state.data())(1) != 0.0f);
  CHECK(C.weight(m.params.data())(1) != 1.0f);
  run.revive_neuron(0, 1);
  CHECK(C.weight(m.params.data())(1) == 1.0f);
  CHECK(C.bias(m.params.data())(1) == 0.0f);
  CHECK(C.running_mean(m.state.data())(1) == 0.0f);
  CHECK(C.running_var(m.state.data())(1) == 1.0f);
  CHECK(C.running_mean(m.state.data())(0) != 0.0f);  // only that channel
}

TEST_CASE("weights files carry a norm with PyTorch's names, and refuse a norm that does not fit", "[norm][weights]") {
  RunConfig cfg = config_from_json(R"j({"dataset":"circle","net":"dense(4,batchnorm),dense(3,layernorm,tanh)","batch":8,
      "lr":0.05,"seed":1})j");
  Run run(cfg);
  run.step(3);
  const std::string w = run.export_weights();
  const json doc = json::parse(w);
  const json& bn = doc["layers"][0]["norm"];
  CHECK(bn["type"] == "batch");
  CHECK(bn["weight"].size() == 4);
  CHECK(bn["running_mean"].size() == 4);
  CHECK(bn["running_var"].size() == 4);
  CHECK(doc["layers"][1]["norm"]["type"] == "layer");
  CHECK_FALSE(doc["layers"][1]["norm"].contains("running_mean"));
  CHECK_FALSE(doc["layers"][2].contains("norm"));
  Run other(cfg);
  other.import_weights(w);
  CHECK(other.model().params == run.model().params);
  CHECK(other.model().state == run.model().state);
  CHECK(other.export_weights() == w);

  auto edited = [&](auto&& change) {
    json d = doc;
    change(d);
    return d.dump();
  };
  CHECK_THROWS_WITH(other.import_weights(edited([](json& d) { d["layers"][0].erase("norm"); })),
                    Catch::Contains("layer 1 has no norm, the network has batchnorm there"));
  CHECK_THROWS_WITH(other.import_weights(edited([](json& d) { d["layers"][1]["norm"]["type"] = "batch"; })),
                    Catch::Contains("layer 2 norm running_mean must hold one value per unit (3)"));
  CHECK_THROWS_WITH(other.import_weights(edited([](json& d) { d["layers"][0]["norm"]["running_var"][1] = -1; })),
                    Catch::Contains("layer 1 norm running_var has a negative value"));
  CHECK_THROWS_WITH(other.import_weights(edited([](json& d) { d["layers"][0]["norm"]["weight"].push_back(1); })),
                    Catch::Contains("layer 1 norm weight must hold one value per unit (4)"));
  CHECK_THROWS_WITH(other.import_weights(edited([](json& d) { d["layers"][2]["norm"] = d["layers"][1]["norm"]; })),
                    Catch::Contains("layer 3 norm weight must hold one value per unit (1)"));
  CHECK_THROWS_WITH(other.import_weights(edited([](json& d) { d["layers"][1]["norm"]["type"] = "group"; })),
                    Catch::Contains("layer 2 norm must be an object with \"type\": \"batch\" or \"layer\""));
  CHECK(other.model().params == run.model().params);  // every refusal left the model alone
  CHECK_THROWS_WITH(weights_shape(w), Catch::Contains("its spec"));
}

TEST_CASE("net specs: norm tokens and the JSON key, read, written and refused", "[norm][config]") {
  const auto net = read_net(json("conv2d(8,5,same,batchnorm),maxpool(2),conv2d(4,3,layernorm,elu),dense(16,batchnorm),"
                                 "dense(8,tanh,layernorm),dense(4)"));
  REQUIRE(net.size() == 6);
  CHECK(net[0].norm == NormKind::Batch);
  CHECK(net[0].padding == kSamePadding);
  CHECK_FALSE(net[0].has_activation);
  CHECK(net[2].norm == NormKind::Layer);
  CHECK(net[2].activation == Activation::Elu);
  CHECK(net[3].norm == NormKind::Batch);
  CHECK((net[4].norm == NormKind::Layer && net[4].activation == Activation::Tanh));
  CHECK(net[5].norm == NormKind::None);
  const json j = net_to_json(net);
  CHECK(j[0]["norm"] == "batch");
  CHECK(j[2]["norm"] == "layer");
  CHECK_FALSE(j[5].contains("norm"));
  CHECK(net_to_json(read_net(j)) == j);
  const auto from_json = read_net(json::parse(R"j([{"type":"dense","units":16,"norm":"batch"},{"type":"dense","units":4,"norm":"none"}])j"));
  CHECK(from_json[0].norm == NormKind::Batch);
  CHECK(from_json[1].norm == NormKind::None);
  CHECK_THROWS_WITH(read_net(json("dense(8,batchnorm,layernorm)")), Catch::Contains("one norm per layer"));
  CHECK_THROWS_WITH(read_net(json("conv2d(2,3),maxpool(2,batchnorm)")), Catch::Contains("token 2") && Catch::Contains("pooling takes no norm"));
  CHECK_THROWS_WITH(read_net(json::parse(R"j([{"type":"dense","units":4,"norm":"group"}])j")),
                    Catch::Contains("norm must be \"batch\", \"layer\" or \"none\""));
  CHECK_THROWS_WITH(read_net(json::parse(R"j([{"type":"maxpool","size":2,"norm":"batch"}])j")), Catch::Contains("pooling takes no norm"));
  CHECK_THROWS_WITH(read_net(json("dense(8,batchnrm)")), Catch::Contains("unknown activation \"batchnrm\""));
  // The config key keeps it (the summary's "net"), and the widths follow.
  const RunConfig cfg = config_from_json(R"j({"dataset":"circle","net":"dense(16,batchnorm),dense(16,layernorm)"})j");
  CHECK(cfg.layers == std::vector<int>{16, 16});
  const json back = json::parse(config_to_json(cfg));
  CHECK(back["net"][0]["norm"] == "batch");
  CHECK(back["net"][1]["norm"] == "layer");
}
