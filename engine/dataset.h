// Datasets: generated from a seed, parsed from CSV text (numeric features; the target
// column holds numbers, or text class labels), or real data packed at build time
// (mnist, mnist14, iris: engine/packed_data.h).
// Samples are columns (features x n), matching Eigen's column-major storage
// and the layer products W * X.
#pragma once
#include <Eigen/Core>
#include <array>
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
  // CSV only (empty for the generators): the columns' names (the header's, else x1..xN and
  // "target") and, for classification, each class's label as the file wrote it, by index.
  std::vector<std::string> feature_names;
  std::string target_name;
  // Packed data too: class_names "0".."9" (mnist) or the species (iris), and feature_names for iris.
  std::vector<std::string> class_names;
  // Images (mnist, mnist14): {C, H, W}, and each sample's features are pixel/255 in (C,H,W)
  // row-major order (feature index c*H*W + y*W + x). All 0 when the data are not images.
  std::array<int, 3> image_shape{0, 0, 0};
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
  // auto | classification | regression: how a CSV's last column is read (csv_targets).
  // A generator has its own task; anything but auto must match it.
  std::string task = "auto";
  // Packed datasets: read <data_dir>/<name>.bin ("" = bytes provided earlier, else the
  // process's data dir, set_data_dir in packed_data.h).
  std::string data_dir;
};

// Limits enforced before anything is allocated.
constexpr int kMaxSamples = 1000000;
constexpr int kMaxFeatures = 4096;
// Task "auto" reads a target column as classes when it holds 2..kMaxAutoClasses distinct
// whole numbers, or 2..kMaxAutoClasses distinct text labels.
constexpr int kMaxAutoClasses = 20;
// Task "classification" accepts up to this many classes (loss ce's labels 0..999).
constexpr int kMaxClasses = 1000;

// Names accepted by make_dataset (besides "csv"): the generators, then the packed datasets.
const std::vector<std::string>& dataset_names();

// z-scores every feature with the training split's mean and (population) std; the same map
// goes to the test split and the plotting domain. A constant feature is only centred.
void standardize_inputs(Dataset& d);

// Builds (and splits, and optionally standardizes) a dataset.
// Throws std::invalid_argument with a message naming the problem.
Dataset make_dataset(const DataSpec& spec);

// A CSV file as read: numeric features, and the target column as numbers or text.
struct CsvTable {
  Eigen::MatrixXf x;                 // (features, rows)
  std::vector<float> value;          // per row: the target as a number (0 where it is text)
  std::vector<int> text;             // per row: index into texts, or -1 when the target is a number
  std::vector<std::string> texts;    // the distinct text targets, in order of first appearance
  std::vector<long long> line;       // per row: its line in the file, for messages
  int target_column = 0;             // 1-based, for messages
  std::vector<std::string> header;   // every column's name, or empty when there is no header
  int rows() const { return static_cast<int>(value.size()); }
};

// Reads CSV: comma separated, blank lines skipped, last column is the target. Features must
// be finite numbers; a target may be a finite number or text (a class label). The first row
// is a header when one of its features is not a number, or when only its target is text and
// no other row's target is (so "x1,x2,y" over numeric rows stays a header).
// Throws std::invalid_argument naming the line and column of the first problem.
CsvTable read_csv(const std::string& text);

// The target column as training targets, by task:
//  - regression: numbers as they are; a text target is an error.
//  - classification: K >= 2 distinct labels mapped to 0..K-1 — numbers in ascending order
//    (they must be whole numbers), text (or a mix) in order of first appearance. Binary for
//    K = 2 (labels 0/1), Multiclass with num_classes K otherwise. At most kMaxClasses.
//  - auto: classification when every target is text with 2..kMaxAutoClasses distinct labels,
//    or every target is a whole number with 2..kMaxAutoClasses distinct values; regression
//    when every target is a number otherwise. Numbers mixed with text, or a single text label,
//    are refused with the first text cell ("... is not a number"), as before text labels.
// Throws std::invalid_argument naming the task and, where it applies, the line and column.
struct CsvTargets {
  Task task = Task::Regression;
  int num_classes = 1;
  std::vector<std::string> class_names;  // classification: the label of class k
  Eigen::RowVectorXf y;                  // (1, rows)
};
CsvTargets csv_targets(const CsvTable& table, const std::string& task);

// Parses numeric CSV (read_csv where every target must be a number): optional header row,
// comma separated, last column is the target. Blank lines are skipped.
// Throws std::invalid_argument naming the line and column of the first problem.
void parse_csv(const std::string& text, Eigen::MatrixXf& x, Eigen::RowVectorXf& y);

// The names "task" accepts.
const std::vector<std::string>& task_names();

}  // namespace relu
