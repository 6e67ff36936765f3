#include "task_stream.h"

#include <algorithm>
#include <stdexcept>

#include "packed_data.h"
#include "rng.h"

namespace relu {

namespace {
// Sub-streams of kStreamTasks: the target network, the flip sequence, then one per task.
constexpr uint64_t kTargetNet = 0, kFlips = 1, kTaskBase = 1000;

uint64_t task_seed(uint64_t seed, uint64_t sub) { return derive_seed(derive_seed(seed, kStreamTasks), sub); }

float pm_one(Rng& rng) { return rng.below(2) ? 1.0f : -1.0f; }
}  // namespace

const std::vector<std::string>& stream_dataset_names() {
  static const std::vector<std::string> names = {"permuted-mnist", "permuted-mnist14", "slowly-changing-regression"};
  return names;
}

bool is_stream_dataset(const std::string& name) {
  const auto& n = stream_dataset_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

std::string stream_base_dataset(const std::string& name) {
  if (name == "permuted-mnist") return "mnist";
  if (name == "permuted-mnist14") return "mnist14";
  return "";
}

Dataset make_stream_dataset(const DataSpec& spec) {
  const std::string base = stream_base_dataset(spec.name);
  if (!base.empty()) {
    DataSpec packed = spec;
    packed.name = base;
    Dataset d = make_dataset(packed);
    d.name = spec.name;
    return d;  // task 0 is the identity permutation
  }
  if (spec.name != "slowly-changing-regression") throw std::invalid_argument("unknown stream dataset \"" + spec.name + "\"");
  if (spec.task == "classification")
    throw std::invalid_argument("task classification does not apply to dataset \"" + spec.name + "\" (its task is regression)");
  if (spec.samples < 0 || spec.samples > kMaxSamples)
    throw std::invalid_argument("samples must be in 0.." + std::to_string(kMaxSamples));
  Dataset d;
  d.name = spec.name;
  d.task = Task::Regression;
  const int n = spec.samples > 0 ? spec.samples : kScrDefaultSamples;
  const int random_bits = kScrInputs - kScrFlippingBits;
  d.x_train.setZero(kScrInputs, n);
  d.y_train.setZero(n);
  d.x_test.setZero(kScrInputs, 1 << random_bits);
  d.y_test.setZero(1 << random_bits);
  d.domain_min.assign(kScrInputs, 0.0f);
  d.domain_max.assign(kScrInputs, 1.0f);
  TaskStream(d, spec.seed).apply(0, d);
  return d;
}

TaskStream::TaskStream(const Dataset& d, uint64_t seed) : name_(d.name), seed_(seed) {
  if (!stream_base_dataset(name_).empty()) {
    base_train_ = d.x_train;
    base_test_ = d.x_test;
    return;
  }
  Rng rng(task_seed(seed, kTargetNet));
  w_.resize(kScrTargetUnits, kScrInputs);
  b_.resize(kScrTargetUnits);
  theta_.resize(kScrTargetUnits);
  v_.resize(kScrTargetUnits);
  for (int i = 0; i < kScrTargetUnits; ++i) {
    for (int j = 0; j < kScrInputs; ++j) w_(i, j) = pm_one(rng);
    b_(i) = pm_one(rng);
    // The authors' code: S_i = (m - sum_j W_ij + b_i) / 2, threshold beta (m + 1) - S_i.
    const double s = (kScrInputs - w_.row(i).sum() + b_(i)) / 2.0;
    theta_(i) = static_cast<float>(kScrBeta * (kScrInputs + 1) - s);
  }
  for (int i = 0; i < kScrTargetUnits; ++i) v_(i) = pm_one(rng);
  c_ = pm_one(rng);
  bits0_.resize(kScrFlippingBits);
  for (int& bit : bits0_) bit = static_cast<int>(rng.below(2));
}

std::vector<int> TaskStream::permutation(int task) const {
  const int f = static_cast<int>(base_train_.rows());
  std::vector<int> perm(f);
  for (int i = 0; i < f; ++i) perm[i] = i;
  if (task > 0) {
    Rng rng(task_seed(seed_, kTaskBase + static_cast<uint64_t>(task)));
    rng.shuffle(perm);
  }
  return perm;
}

std::vector<int> TaskStream::flipping_bits(int task) const {
  std::vector<int> bits = bits0_;
  Rng rng(task_seed(seed_, kFlips));
  for (int t = 1; t <= task; ++t) {
    const uint32_t k = rng.below(kScrFlippingBits);
    bits[k] = 1 - bits[k];
  }
  return bits;
}

double TaskStream::target(const float* bits) const {
  const Eigen::Map<const Eigen::VectorXf> x(bits, kScrInputs);
  double y = c_;
  for (int i = 0; i < kScrTargetUnits; ++i) {
    // Sums of +-1 times 0/1 are small whole numbers: exact in float, whatever the order.
    const float z = w_.row(i).dot(x) + b_(i);
    if (z > theta_(i)) y += v_(i);
  }
  return y;
}

void TaskStream::apply(int task, Dataset& d) const {
  if (!stream_base_dataset(name_).empty()) {
    const std::vector<int> perm = permutation(task);
    for (int f = 0; f < static_cast<int>(perm.size()); ++f) {
      d.x_train.row(f) = base_train_.row(perm[f]);
      if (d.x_test.cols()) d.x_test.row(f) = base_test_.row(perm[f]);
    }
    return;
  }
  const std::vector<int> bits = flipping_bits(task);
  auto set_flipping = [&](Eigen::MatrixXf& x, int j) {
    for (int k = 0; k < kScrFlippingBits; ++k) x(k, j) = static_cast<float>(bits[k]);
  };
  Rng rng(task_seed(seed_, kTaskBase + static_cast<uint64_t>(task)));
  for (int j = 0; j < d.x_train.cols(); ++j) {
    set_flipping(d.x_train, j);
    for (int k = kScrFlippingBits; k < kScrInputs; ++k) d.x_train(k, j) = static_cast<float>(rng.below(2));
    d.y_train(j) = static_cast<float>(target(d.x_train.col(j).data()));
  }
  // The test set: every setting of the random bits once.
  for (int j = 0; j < d.x_test.cols(); ++j) {
    set_flipping(d.x_test, j);
    for (int k = kScrFlippingBits; k < kScrInputs; ++k) d.x_test(k, j) = static_cast<float>((j >> (k - kScrFlippingBits)) & 1);
    d.y_test(j) = static_cast<float>(target(d.x_test.col(j).data()));
  }
}

}  // namespace relu
