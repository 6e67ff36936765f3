// Run::top_inputs: the training inputs closest to waking a unit, and Run::sample_activations:
// what every unit outputs for one input (run.h).
//
// One forward over the training set in chunks of the model's max_cols columns (the model's own
// workspaces, as evaluate() uses them), keeping the k best (z, index) pairs in a min-heap
// whose root is the weakest of them; no allocation beyond the heap, reserved once.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "chunks.h"
#include "run.h"

namespace relu {

namespace {
// A non-finite z (a diverged run) ranks below every finite one, so the order stays strict.
float rank_of(float z) { return std::isnan(z) ? -std::numeric_limits<float>::infinity() : z; }

// a ranks above b: higher z, then lower index.
bool above(const Run::TopInput& a, const Run::TopInput& b) {
  const float za = rank_of(a.z), zb = rank_of(b.z);
  return za > zb || (za == zb && a.index < b.index);
}
}  // namespace

const std::vector<Run::TopInput>& Run::top_inputs(int layer, int neuron, int k) {
  check_unit(layer, neuron);
  if (k < 1 || k > kMaxTopInputs)
    throw std::invalid_argument("top inputs: k must be in 1.." + std::to_string(kMaxTopInputs) + ", got " +
                                std::to_string(k));
  const Eigen::MatrixXf& x = data_.x_train;
  const int n = static_cast<int>(x.cols());
  const int keep = std::min(k, n);
  top_.clear();
  top_.reserve(kMaxTopInputs);
  // With `above` as the heap's "less", the heap's front is the pair ranking lowest.
  for_each_chunk(n, model_->max_cols(), [&](int c, int m) {
    model_->forward(x.middleCols(c, m), m, false);
    const auto& L = model_->layer(layer);
    const int rows = L.positions;  // a channel's map; 1 for a neuron
    for (int j = 0; j < m; ++j) {
      // The largest z over the unit's positions; a NaN anywhere wins (rank_of puts it last).
      const float* zj = L.z.col(j).data() + static_cast<size_t>(neuron) * rows;
      float best = zj[0];
      for (int p = 1; p < rows && !std::isnan(best); ++p)
        if (std::isnan(zj[p]) || zj[p] > best) best = zj[p];
      const TopInput t{c + j, best};
      if (static_cast<int>(top_.size()) < keep) {
        top_.push_back(t);
        std::push_heap(top_.begin(), top_.end(), above);
      } else if (above(t, top_.front())) {
        std::pop_heap(top_.begin(), top_.end(), above);
        top_.back() = t;
        std::push_heap(top_.begin(), top_.end(), above);
      }
    }
  });
  std::sort_heap(top_.begin(), top_.end(), above);  // ascending under `above`: best first
  return top_;
}

void Run::sample_activations(int index, bool test, std::vector<float>& out) {
  const Eigen::MatrixXf& x = test ? data_.x_test : data_.x_train;
  if (index < 0 || index >= x.cols())
    throw std::invalid_argument(std::string("activations: no ") + (test ? "test" : "training") + " input " +
                                std::to_string(index) + " (0.." + std::to_string(x.cols() - 1) + ")");
  model_->forward(x.middleCols(index, 1), 1, false);
  size_t total = 0;
  for (int l = 0; l < model_->num_layers(); ++l) total += static_cast<size_t>(model_->layer(l).a.rows());
  out.resize(total);
  size_t at = 0;
  for (int l = 0; l < model_->num_layers(); ++l) {
    const auto& a = model_->layer(l).a;
    std::copy(a.data(), a.data() + a.rows(), out.begin() + static_cast<std::ptrdiff_t>(at));  // column 0
    at += static_cast<size_t>(a.rows());
  }
}

}  // namespace relu
