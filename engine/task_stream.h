// Continual-learning streams: datasets whose task changes with the step.
//
//   permuted-mnist, permuted-mnist14: the packed MNIST images with their pixels permuted,
//     a new fixed permutation per task. Task 0 is the identity (the images as they are), so
//     the first task is plain MNIST; task t > 0 uses a permutation drawn from the run's seed.
//     The train and test splits both use the current task's permutation.
//   slowly-changing-regression (Dohare et al., Nature 2024, "Loss of plasticity in deep
//     continual learning"): 20 binary inputs; the first 15 are the task's "flipping bits"
//     (one of them, chosen at random, flips at every task boundary), the last 5 are random
//     per example. The target is a fixed random network of 100 linear threshold units
//     (weights and biases +-1, threshold beta (m+1) - S_i with beta 0.7, S_i as in the
//     authors' public code), output weights and bias +-1. A task's training set is `samples`
//     fresh examples (default 10,000, the paper's flip interval when one pass is one task);
//     its test set is the 32 possible inputs of the task, so the test loss is the exact
//     expected loss over the task's input distribution.
//
// Everything random comes from Rng streams derived from the run's seed (kStreamTasks), so a
// seed means the same stream in the CLI and the page.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dataset.h"

namespace relu {

constexpr uint64_t kStreamTasks = 16;  // derive_seed stream of the task sequence (rng.h)
constexpr int kScrInputs = 20, kScrFlippingBits = 15, kScrTargetUnits = 100;
constexpr double kScrBeta = 0.7;
constexpr int kScrDefaultSamples = 10000;

const std::vector<std::string>& stream_dataset_names();
bool is_stream_dataset(const std::string& name);
// The packed dataset a permuted stream permutes ("mnist" for permuted-mnist), else "".
std::string stream_base_dataset(const std::string& name);

// Task 0 of a stream dataset (make_dataset calls it for the names above).
Dataset make_stream_dataset(const DataSpec& spec);

// The task sequence of a stream dataset. Keeps what it needs to rebuild any task: the
// unpermuted images, or the target network.
class TaskStream {
 public:
  // d: the stream's dataset as make_stream_dataset built it (task 0).
  TaskStream(const Dataset& d, uint64_t seed);
  // Writes task `task`'s data into d in place (same shapes, no reallocation of d).
  void apply(int task, Dataset& d) const;
  // Task t's permutation of the features (permuted streams): feature f of task t's input is
  // feature perm[f] of the original image. Identity for t = 0.
  std::vector<int> permutation(int task) const;
  // Task t's flipping bits (slowly-changing-regression), 0/1.
  std::vector<int> flipping_bits(int task) const;
  // The target network's output on one 20-bit input.
  double target(const float* bits) const;

 private:
  std::string name_;
  uint64_t seed_;
  Eigen::MatrixXf base_train_, base_test_;  // permuted streams: the images of task 0
  // slowly-changing-regression's target network
  Eigen::MatrixXf w_;       // (100, 20), +-1
  Eigen::VectorXf b_, theta_, v_;  // (100): bias, threshold, output weight
  float c_ = 0;             // output bias
  std::vector<int> bits0_;  // task 0's flipping bits
};

}  // namespace relu
