// Monte Carlo estimate of the probability that a freshly initialised deep, narrow
// ReLU network is "born dead" (Lu et al. 2019, "Dying ReLU and Initialization"):
// some hidden layer outputs zero on every input, so the network is a constant.
// Setting: 1-D input on a grid of points over [-1, 1], depth hidden ReLU layers of
// equal width. Plain Eigen, no Mlp: the question is about initialisation only.
#pragma once
#include <cstdint>
#include <string>

namespace relu {

struct BornDeadSpec {
  int width = 2;
  int depth = 10;
  int trials = 1000;
  std::string init = "he_normal";  // he_normal | rai
  // zero, or normal: drawn at the initialiser's own scale (he_normal: N(0, 2/fan_in),
  // the weights' distribution; rai: the bias init_row draws as part of the row).
  // Empty means the initialiser's convention: zero for he_normal, normal for rai.
  std::string bias;
  int points = 201;
  uint64_t seed = 1;
};

struct BornDeadResult {
  int dead_trials = 0;
  double probability = 0;
  double std_error = 0;   // binomial standard error sqrt(p (1 - p) / trials)
  double reference = 0;   // Lu et al.'s approximation 1 - (1 - 2^-width)^depth
  std::string bias;       // the bias rule used (zero or normal)
};

// Limits, checked with a message naming the option (std::invalid_argument).
constexpr int kBornDeadMaxWidth = 1024;
constexpr int kBornDeadMaxDepth = 1000;
constexpr int kBornDeadMaxTrials = 1000000;
constexpr int kBornDeadMaxPoints = 100000;

BornDeadResult born_dead_probability(const BornDeadSpec& spec);

}  // namespace relu
