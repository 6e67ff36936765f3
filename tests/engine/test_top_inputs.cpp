// Run::top_inputs on hand-set weights: a unit whose z is known for every input.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "config.h"
#include "dataset.h"
#include "net_spec.h"
#include "run.h"

using namespace relu;

namespace {

// 2 features, 7 training columns; feature 0 is what the hand-set units read.
// Its values hold a tie (0.5 at columns 1 and 4) and negatives.
const float kX0[7] = {0.25f, 0.5f, -1.0f, 2.0f, 0.5f, -0.125f, 1.5f};

Dataset hand_data() {
  Dataset d;
  d.name = "hand";
  d.task = Task::Regression;
  d.x_train.resize(2, 7);
  for (int j = 0; j < 7; ++j) {
    d.x_train(0, j) = kX0[j];
    d.x_train(1, j) = 3.0f * j;  // read with weight 0: must not matter
  }
  d.y_train = Eigen::RowVectorXf::Zero(7);
  d.x_test.resize(2, 0);
  d.y_test.resize(0);
  return d;
}

// 2 -> [3 relu] -> [2 relu] -> 1. Layer 0: unit 0 has z = x0, unit 1 has z = x0 - 10 (dead:
// x0 <= 2), unit 2 has z = -x0. Layer 1: unit 1 has z = relu(x0) + 0.5.
Run hand_run() {
  RunConfig cfg;
  cfg.layers = {3, 2};
  cfg.activations = {Activation::Relu, Activation::Relu};
  cfg.loss = "mse";
  Run run(cfg, hand_data());
  auto& m = run.model();
  m.W(0).setZero();
  m.W(0)(0, 0) = 1.0f;
  m.W(0)(1, 0) = 1.0f;
  m.W(0)(2, 0) = -1.0f;
  m.b(0) << 0.0f, -10.0f, 0.0f;
  m.W(1).setZero();
  m.W(1)(1, 0) = 1.0f;
  m.b(1) << 0.0f, 0.5f;
  return run;
}

std::vector<int> indices(const std::vector<Run::TopInput>& t) {
  std::vector<int> out;
  for (const auto& e : t) out.push_back(e.index);
  return out;
}
std::vector<float> zs(const std::vector<Run::TopInput>& t) {
  std::vector<float> out;
  for (const auto& e : t) out.push_back(e.z);
  return out;
}

}  // namespace

TEST_CASE("top_inputs: the highest z first, ties by the lower index", "[top_inputs]") {
  Run run = hand_run();
  const auto& t = run.top_inputs(0, 0, 4);
  CHECK(indices(t) == std::vector<int>{3, 6, 1, 4});
  CHECK(zs(t) == std::vector<float>{2.0f, 1.5f, 0.5f, 0.5f});
  // A unit reading -x0: the negatives first.
  CHECK(indices(run.top_inputs(0, 2, 3)) == std::vector<int>{2, 5, 0});
  CHECK(zs(run.top_inputs(0, 2, 3)) == std::vector<float>{1.0f, 0.125f, -0.25f});
}

TEST_CASE("top_inputs: k above the set's size returns every input, in order", "[top_inputs]") {
  Run run = hand_run();
  const auto& t = run.top_inputs(0, 0, 100);
  CHECK(indices(t) == std::vector<int>{3, 6, 1, 4, 0, 5, 2});
  CHECK_THROWS_AS(run.top_inputs(0, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(run.top_inputs(0, 3, 1), std::invalid_argument);
  CHECK_THROWS_AS(run.top_inputs(2, 0, 1), std::invalid_argument);  // the output layer is not hidden
}

TEST_CASE("top_inputs: a dead unit's best input is still below zero, and says by how much", "[top_inputs]") {
  Run run = hand_run();
  CHECK(run.monitor().layers[0].state[1] == static_cast<uint8_t>(NeuronState::Dead));
  const auto& t = run.top_inputs(0, 1, 3);
  CHECK(indices(t) == std::vector<int>{3, 6, 1});
  CHECK(zs(t) == std::vector<float>{-8.0f, -8.5f, -9.5f});
  for (const auto& e : run.top_inputs(0, 1, 7)) CHECK(e.z <= 0.0f);
}

TEST_CASE("top_inputs: a deeper layer's z goes through the layer below", "[top_inputs]") {
  Run run = hand_run();
  const auto& t = run.top_inputs(1, 1, 7);
  // relu(x0) + 0.5: the three inputs with x0 <= 0 tie at 0.5, in index order.
  CHECK(indices(t) == std::vector<int>{3, 6, 1, 4, 0, 2, 5});
  CHECK(zs(t) == std::vector<float>{2.5f, 2.0f, 1.0f, 1.0f, 0.75f, 0.5f, 0.5f});
}

namespace {
// 1 x 3 x 3 images, conv2d(2 channels, 1x1 kernel, weight 1): channel 0 has z = x - 0.5 at every
// pixel, channel 1 (bias -10) is dead. Then maxpool and a 1-unit dense layer (weight 1, bias 0).
// Image j holds one bright pixel at position j (value 0.1 (j + 1)) on a floor of 0.05 j.
Run conv_run() {
  RunConfig cfg;
  cfg.net = read_net(nlohmann::json("conv2d(2,1),maxpool(3)"));
  cfg.layers = unit_widths(cfg.net);
  cfg.activations = {Activation::Relu};
  cfg.loss = "mse";
  cfg.input_shape = {1, 3, 3};
  Dataset d;
  d.name = "hand-images";
  d.task = Task::Regression;
  d.x_train.resize(9, 9);
  for (int j = 0; j < 9; ++j) {
    d.x_train.col(j).setConstant(0.05f * j);
    d.x_train(j, j) = 0.1f * (j + 1);
  }
  d.y_train = Eigen::RowVectorXf::Zero(9);
  d.x_test = d.x_train.leftCols(2);
  d.y_test = Eigen::RowVectorXf::Zero(2);
  Run run(cfg, d);
  auto& m = run.model();
  auto& L = m.layer(0);
  for (int o = 0; o < 2; ++o) L.incoming(m.params.data(), o).setOnes();
  m.b(0) << -0.5f, -10.0f;
  m.layer(1).incoming(m.params.data(), 0).setOnes();
  m.b(1).setZero();
  return run;
}
}  // namespace

TEST_CASE("top_inputs: a conv channel's z on an input is its largest over the map", "[top_inputs][conv]") {
  Run run = conv_run();
  // Channel 0: max z on image j = max(0.1 (j + 1), 0.05 j) - 0.5 = 0.1 (j + 1) - 0.5 (the bright pixel).
  const auto& t = run.top_inputs(0, 0, 3);
  CHECK(indices(t) == std::vector<int>{8, 7, 6});
  CHECK(zs(t)[0] == Approx(0.4f));
  CHECK(zs(t)[2] == Approx(0.2f));
  // The dead channel: the best input is still 10 - 0.9 below zero (image 8's bright pixel 0.9).
  const auto& d = run.top_inputs(0, 1, 1);
  CHECK(indices(d) == std::vector<int>{8});
  CHECK(zs(d)[0] == Approx(0.9f - 10.0f));
  CHECK_THROWS_WITH(run.top_inputs(0, 2, 1), Catch::Contains("layer 0 has no neuron 2"));
}

TEST_CASE("sample_activations: every layer's output for one input, maps row by row", "[top_inputs][conv]") {
  Run run = conv_run();
  std::vector<float> out;
  run.sample_activations(4, false, out);
  // conv: 2 channels x 9 positions, then the output layer's 1 unit.
  REQUIRE(out.size() == 2 * 9 + 1);
  for (int p = 0; p < 9; ++p) {
    const float x = p == 4 ? 0.5f : 0.2f;            // image 4: bright pixel 0.5 at position 4, floor 0.2
    CHECK(out[p] == Approx(std::max(0.0f, x - 0.5f)));  // channel 0 = relu(x - 0.5): 0 everywhere here
    CHECK(out[9 + p] == 0.0f);                          // the dead channel
  }
  run.sample_activations(8, false, out);
  CHECK(out[8] == Approx(0.4f));                      // image 8's bright pixel 0.9 at position 8
  CHECK(out[0] == Approx(0.0f));
  CHECK(out[18] == Approx(0.4f));                     // the output: maxpool of channels 0 and 1, summed
  run.sample_activations(1, true, out);               // the test set's image 1
  CHECK(out[1] == Approx(0.0f));
  CHECK_THROWS_WITH(run.sample_activations(2, true, out), Catch::Contains("no test input 2 (0..1)"));
  CHECK_THROWS_WITH(run.sample_activations(-1, false, out), Catch::Contains("no training input -1"));
}
