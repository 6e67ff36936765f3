// Datasets: generated from a seed, or parsed from numeric CSV text.
// Samples are columns (features x n), matching Eigen's column-major storage
// and the layer products W * X.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace relu {

enum class Task { Regression, Binary, Multiclass };

struct Dataset {
  std::string name;
  Task task = Task::Regression;
  int num_classes = 1;      // output width of the network: 1, or K for Multiclass
  Eigen::MatrixXf x_train;  // (features, n_train)
  Eigen::RowVectorXf y_train;  // (1, n_train): value, 0/1 label, or class index
  Eigen::MatrixXf x_test;   // (features, n_test), may have 0 columns
  Eigen::RowVectorXf y_test;
  // Input domain for plotting (2-D data: the plane the decision surface covers).
  std::vector<float> domain_min, domain_max;
  int features() const { return static_cast<int>(x_train.rows()); }
};

struct DataSpec {
  std::string name = "spiral";  // a generator name, or "csv" with csv_text set
  int samples = 0;              // 0 = the generator's default
  double noise = 0.0;           // generator noise, in the generator's own units (documented per generator)
  double test_fraction = 0.5;   // share of rows held out; 0 = train on every row
  bool standardize = false;     // z-score inputs with the training split's mean and std
  bool keep_order = false;      // split without shuffling: the test rows are the last ones (RunConfig::shuffle false)
  uint64_t seed = 1;
  std::string csv_text;         // for name == "csv"
};

// Limits enforced before anything is allocated.
constexpr int kMaxSamples = 1000000;
constexpr int kMaxFeatures = 4096;

// Names accepted by make_dataset (besides "csv").
const std::vector<std::string>& dataset_names();

// Builds (and splits, and optionally standardizes) a dataset.
// Throws std::invalid_argument with a message naming the problem.
Dataset make_dataset(const DataSpec& spec);

// Parses numeric CSV: optional header row (detected when the first row is not
// numeric), comma separated, last column is the target. Blank lines are skipped.
// Throws std::invalid_argument naming the line and column of the first problem.
void parse_csv(const std::string& text, Eigen::MatrixXf& x, Eigen::RowVectorXf& y);

}  // namespace relu
