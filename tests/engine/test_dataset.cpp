#include <Eigen/Dense>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "dataset.h"
#include "packed_data.h"

using relu::DataSpec;
using relu::Dataset;
using relu::Task;
using Catch::Contains;

namespace {

DataSpec spec_for(const std::string& name, uint64_t seed = 1, double noise = 0.0, int samples = 0,
                  double test_fraction = 0.5) {
  DataSpec s;
  s.name = name;
  s.seed = seed;
  s.noise = noise;
  s.samples = samples;
  s.test_fraction = test_fraction;
  return s;
}

Dataset csv_dataset(const std::string& text, double test_fraction = 0.0, bool standardize = false,
                    const std::string& task = "auto") {
  DataSpec s = spec_for("csv", 1, 0.0, 0, test_fraction);
  s.csv_text = text;
  s.standardize = standardize;
  s.task = task;
  return relu::make_dataset(s);
}

// Every target of both splits, as a multiset.
std::multiset<float> all_targets(const Dataset& d) {
  std::multiset<float> out(d.y_train.data(), d.y_train.data() + d.y_train.size());
  out.insert(d.y_test.data(), d.y_test.data() + d.y_test.size());
  return out;
}

bool same_matrix(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

bool same_data(const Dataset& a, const Dataset& b) {
  return same_matrix(a.x_train, b.x_train) && same_matrix(a.y_train, b.y_train) &&
         same_matrix(a.x_test, b.x_test) && same_matrix(a.y_test, b.y_test);
}

// Every row (features then target) of both splits, sorted: the dataset as a multiset.
std::vector<std::vector<float>> sorted_rows(const Dataset& d) {
  std::vector<std::vector<float>> rows;
  auto add = [&](const Eigen::MatrixXf& x, const Eigen::RowVectorXf& y) {
    for (Eigen::Index i = 0; i < x.cols(); ++i) {
      std::vector<float> row(x.col(i).data(), x.col(i).data() + x.rows());
      row.push_back(y(i));
      rows.push_back(row);
    }
  };
  add(d.x_train, d.y_train);
  add(d.x_test, d.y_test);
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string repeat(const std::string& s, int times) {
  std::string out;
  out.reserve(s.size() * times);
  for (int i = 0; i < times; ++i) out += s;
  return out;
}

const std::vector<std::string> kBinarySets = {"circle", "xor", "gauss", "spiral"};
const std::vector<std::string> kCurves = {"abs", "sin", "square", "step"};

// The seeded generators: dataset_names() without the packed real data (test_packed_data.cpp).
std::vector<std::string> generator_names() {
  std::vector<std::string> v;
  for (const std::string& name : relu::dataset_names())
    if (!relu::is_packed_dataset(name)) v.push_back(name);
  return v;
}

}  // namespace

TEST_CASE("dataset_names lists every generator, then the packed datasets", "[dataset]") {
  const std::vector<std::string> expected = {"circle", "xor",  "gauss", "spiral", "reg-plane", "reg-gauss",
                                             "negative-uniform", "abs", "sin", "square", "step",
                                             "mnist", "mnist14", "iris"};
  REQUIRE(relu::dataset_names() == expected);
}

TEST_CASE("every generator: shapes, task, domain, finite values", "[dataset]") {
  for (const std::string& name : generator_names()) {
    CAPTURE(name);
    const Dataset d = relu::make_dataset(spec_for(name, 7, 0.2));
    const bool is_2d = std::find(kBinarySets.begin(), kBinarySets.end(), name) != kBinarySets.end() ||
                       name == "reg-plane" || name == "reg-gauss";
    const bool is_curve = std::find(kCurves.begin(), kCurves.end(), name) != kCurves.end();
    const int features = is_2d ? 2 : is_curve ? 1 : 4;
    const int samples = is_2d ? 500 : is_curve ? 200 : 200000;
    CHECK(d.name == name);
    CHECK(d.features() == features);
    CHECK(d.x_test.rows() == features);
    CHECK(d.x_train.cols() + d.x_test.cols() == samples);
    CHECK(d.x_test.cols() == samples / 2);
    CHECK(d.y_train.cols() == d.x_train.cols());
    CHECK(d.y_test.cols() == d.x_test.cols());
    CHECK(d.num_classes == 1);
    CHECK(d.domain_min.size() == static_cast<size_t>(features));
    CHECK(d.domain_max.size() == static_cast<size_t>(features));
    const float lo = is_2d ? -6.0f : -1.0f, hi = is_2d ? 6.0f : is_curve ? 1.0f : 0.0f;
    for (int f = 0; f < features; ++f) {
      CHECK(d.domain_min[f] == lo);
      CHECK(d.domain_max[f] == hi);
    }
    CHECK(d.x_train.allFinite());
    CHECK(d.x_test.allFinite());
    CHECK(d.y_train.allFinite());
    CHECK(d.y_test.allFinite());

    const bool binary = std::find(kBinarySets.begin(), kBinarySets.end(), name) != kBinarySets.end();
    CHECK(d.task == (binary ? Task::Binary : Task::Regression));
    if (binary) {
      std::set<float> labels(d.y_train.data(), d.y_train.data() + d.y_train.size());
      labels.insert(d.y_test.data(), d.y_test.data() + d.y_test.size());
      CHECK(labels == std::set<float>{0.0f, 1.0f});
    }
  }
}

TEST_CASE("same seed gives identical data, another seed different data", "[dataset]") {
  for (const std::string& name : generator_names()) {
    CAPTURE(name);
    const Dataset a = relu::make_dataset(spec_for(name, 42, 0.1));
    const Dataset b = relu::make_dataset(spec_for(name, 42, 0.1));
    const Dataset c = relu::make_dataset(spec_for(name, 43, 0.1));
    CHECK(same_data(a, b));
    CHECK_FALSE(same_matrix(a.x_train, c.x_train));
  }
}

TEST_CASE("noise changes only what it perturbs: inputs and split stay put", "[dataset]") {
  // gauss (noise widens clusters) and spiral (noise moves points) are the exceptions.
  for (const std::string& name : generator_names()) {
    if (name == "gauss" || name == "spiral") continue;
    CAPTURE(name);
    const Dataset quiet = relu::make_dataset(spec_for(name, 5, 0.0));
    const Dataset noisy = relu::make_dataset(spec_for(name, 5, 0.5));
    CHECK(same_matrix(quiet.x_train, noisy.x_train));
    CHECK(same_matrix(quiet.x_test, noisy.x_test));
    CHECK_FALSE(same_matrix(quiet.y_train, noisy.y_train));
  }
}

TEST_CASE("the split is a seeded partition of the generated rows", "[dataset]") {
  for (const char* name : {"circle", "reg-gauss", "sin"}) {
    CAPTURE(name);
    const Dataset whole = relu::make_dataset(spec_for(name, 3, 0.1, 0, 0.0));
    const Dataset split = relu::make_dataset(spec_for(name, 3, 0.1, 0, 0.3));
    CHECK(whole.x_test.cols() == 0);
    CHECK(whole.y_test.cols() == 0);
    CHECK(split.x_test.cols() == std::lround(whole.x_train.cols() * 0.3));
    CHECK(sorted_rows(whole) == sorted_rows(split));
  }
}

TEST_CASE("at least one training row is always kept", "[dataset]") {
  Dataset d = relu::make_dataset(spec_for("abs", 1, 0.0, 10, 0.95));  // round(9.5) = 10 -> 9
  CHECK(d.x_train.cols() == 1);
  CHECK(d.x_test.cols() == 9);
  d = relu::make_dataset(spec_for("circle", 1, 0.0, 1, 0.95));
  CHECK(d.x_train.cols() == 1);
  CHECK(d.x_test.cols() == 0);
}

TEST_CASE("samples overrides the default count, up to kMaxSamples", "[dataset]") {
  CHECK(relu::make_dataset(spec_for("spiral", 1, 0.0, 31, 0.0)).x_train.cols() == 31);
  CHECK(relu::make_dataset(spec_for("abs", 1, 0.0, relu::kMaxSamples, 0.0)).x_train.cols() == relu::kMaxSamples);
}

TEST_CASE("2-D classification sets have their TF Playground geometry", "[dataset]") {
  SECTION("circle: inner disc labelled 1, outer ring 0, balanced") {
    const Dataset d = relu::make_dataset(spec_for("circle", 9, 0.0, 0, 0.0));
    int positives = 0;
    for (Eigen::Index i = 0; i < d.x_train.cols(); ++i) {
      const float r = d.x_train.col(i).norm();
      CHECK(r <= 5.0f + 1e-4f);
      CHECK(d.y_train(i) == (r < 2.5f ? 1.0f : 0.0f));
      positives += d.y_train(i) == 1.0f;
    }
    CHECK(positives == 250);
  }
  SECTION("circle with noise flips some labels near the boundary") {
    const Dataset d = relu::make_dataset(spec_for("circle", 9, 0.5, 0, 0.0));
    int flipped = 0;
    for (Eigen::Index i = 0; i < d.x_train.cols(); ++i)
      flipped += d.y_train(i) != (d.x_train.col(i).norm() < 2.5f ? 1.0f : 0.0f);
    CHECK(flipped > 10);
    CHECK(flipped < 250);
  }
  SECTION("xor: label is the sign of x*y, points kept off the axes") {
    const Dataset d = relu::make_dataset(spec_for("xor", 9, 0.0, 0, 0.0));
    for (Eigen::Index i = 0; i < d.x_train.cols(); ++i) {
      const float px = d.x_train(0, i), py = d.x_train(1, i);
      CHECK(std::fabs(px) >= 0.3f - 1e-6f);
      CHECK(std::fabs(py) >= 0.3f - 1e-6f);
      CHECK(d.y_train(i) == (px * py >= 0 ? 1.0f : 0.0f));
    }
  }
  SECTION("gauss: clusters at (2,2) labelled 1 and (-2,-2) labelled 0, variance 0.5 + 7*noise") {
    for (double noise : {0.0, 0.5}) {
      const Dataset d = relu::make_dataset(spec_for("gauss", 9, noise, 20000, 0.0));
      Eigen::Vector2d sum[2] = {Eigen::Vector2d::Zero(), Eigen::Vector2d::Zero()};
      int count[2] = {0, 0};
      for (Eigen::Index i = 0; i < d.x_train.cols(); ++i) {
        const int label = static_cast<int>(d.y_train(i));
        sum[label] += d.x_train.col(i).cast<double>();
        ++count[label];
      }
      CHECK(count[0] == 10000);
      CHECK(count[1] == 10000);
      CHECK((sum[1] / count[1] - Eigen::Vector2d(2, 2)).norm() < 0.1);
      CHECK((sum[0] / count[0] - Eigen::Vector2d(-2, -2)).norm() < 0.1);
      double squares = 0;
      for (Eigen::Index i = 0; i < d.x_train.cols(); ++i) {
        const double centre = d.y_train(i) == 1.0f ? 2.0 : -2.0;
        squares += std::pow(d.x_train(0, i) - centre, 2);
      }
      CHECK(squares / d.x_train.cols() == Approx(0.5 + 7 * noise).epsilon(0.05));
    }
  }
  SECTION("spiral: two balanced arms within radius 5") {
    const Dataset d = relu::make_dataset(spec_for("spiral", 9, 0.0, 0, 0.0));
    CHECK(d.y_train.sum() == 250.0f);
    CHECK(d.x_train.colwise().norm().maxCoeff() <= 5.0f);
  }
}

TEST_CASE("regression sets: targets in [-1, 1]", "[dataset]") {
  for (double noise : {0.0, 1.0}) {
    for (const char* name : {"reg-plane", "reg-gauss"}) {
      CAPTURE(name, noise);
      const Dataset d = relu::make_dataset(spec_for(name, 2, noise, 5000, 0.0));
      CHECK(d.y_train.minCoeff() >= -1.0f);
      CHECK(d.y_train.maxCoeff() <= 1.0f);
      CHECK(d.y_train.minCoeff() < -0.8f);
      CHECK(d.y_train.maxCoeff() > 0.8f);
    }
  }
  const Dataset plane = relu::make_dataset(spec_for("reg-plane", 2, 0.0, 0, 0.0));
  for (Eigen::Index i = 0; i < plane.x_train.cols(); ++i)
    CHECK(plane.y_train(i) == Approx((plane.x_train(0, i) + plane.x_train(1, i)) / 12.0).margin(1e-6));
  const Dataset bumps = relu::make_dataset(spec_for("reg-gauss", 2, 0.0, 0, 0.0));
  for (Eigen::Index i = 0; i < bumps.x_train.cols(); ++i)
    if ((bumps.x_train.col(i) - Eigen::Vector2f(0, 2.5f)).norm() < 0.5f) CHECK(bumps.y_train(i) < -0.7f);
}

TEST_CASE("1-D curves: x in [-1, 1], target is the curve without noise", "[dataset]") {
  const double pi = 3.14159265358979323846;
  for (const std::string& name : kCurves) {
    CAPTURE(name);
    const Dataset d = relu::make_dataset(spec_for(name, 4, 0.0, 0, 0.0));
    CHECK(d.x_train.minCoeff() >= -1.0f);
    CHECK(d.x_train.maxCoeff() <= 1.0f);
    for (Eigen::Index i = 0; i < d.x_train.cols(); ++i) {
      const double v = d.x_train(0, i);
      const double expected = name == "abs"      ? std::fabs(v)
                              : name == "sin"    ? std::sin(pi * v)
                              : name == "square" ? v * v
                                                 : (v < 0 ? 0.0 : 1.0);
      CHECK(d.y_train(i) == Approx(expected).margin(1e-6));
    }
    const Dataset noisy = relu::make_dataset(spec_for(name, 4, 0.3, 20000, 0.0));
    double squares = 0;
    for (Eigen::Index i = 0; i < noisy.x_train.cols(); ++i) {
      const double v = noisy.x_train(0, i);
      const double clean = name == "abs"      ? std::fabs(v)
                           : name == "sin"    ? std::sin(pi * v)
                           : name == "square" ? v * v
                                              : (v < 0 ? 0.0 : 1.0);
      squares += std::pow(noisy.y_train(i) - clean, 2);
    }
    CHECK(std::sqrt(squares / noisy.x_train.cols()) == Approx(0.3).epsilon(0.03));
  }
}

namespace {
// Least-squares fit of y on [x, 1]; returns the RMS residual.
double linear_fit_rms(const Eigen::MatrixXf& x, const Eigen::RowVectorXf& y) {
  Eigen::MatrixXd design(x.cols(), x.rows() + 1);
  design.leftCols(x.rows()) = x.transpose().cast<double>();
  design.col(x.rows()).setOnes();
  const Eigen::VectorXd target = y.transpose().cast<double>();
  const Eigen::VectorXd coef = design.colPivHouseholderQr().solve(target);
  return std::sqrt((design * coef - target).squaredNorm() / x.cols());
}
}  // namespace

TEST_CASE("negative-uniform reproduces \"Is ReLU dead?\"", "[dataset]") {
  const Dataset d = relu::make_dataset(spec_for("negative-uniform", 1, 0.0, 0, 0.3));
  CHECK(d.features() == 4);
  CHECK(d.x_train.cols() == 140000);
  CHECK(d.x_test.cols() == 60000);
  CHECK(d.x_train.minCoeff() >= -1.0f);
  CHECK(d.x_train.maxCoeff() <= 0.0f);
  CHECK(d.x_test.minCoeff() >= -1.0f);
  CHECK(d.x_test.maxCoeff() <= 0.0f);
  // Roughly uniform: mean -0.5, variance 1/12 per feature.
  for (int f = 0; f < 4; ++f) {
    const double mean = d.x_train.row(f).cast<double>().mean();
    CHECK(mean == Approx(-0.5).margin(0.01));
    CHECK((d.x_train.row(f).cast<double>().array() - mean).square().mean() == Approx(1.0 / 12).epsilon(0.02));
  }
  SECTION("without noise the target is exactly linear in x") {
    CHECK(linear_fit_rms(d.x_train, d.y_train) < 1e-6);
    CHECK(linear_fit_rms(d.x_test, d.y_test) < 1e-6);
    // The teacher is not degenerate: the target varies.
    const double mean = d.y_train.cast<double>().mean();
    CHECK((d.y_train.cast<double>().array() - mean).square().mean() > 1e-3);
  }
  SECTION("noise adds Gaussian noise of that standard deviation to the target") {
    const Dataset noisy = relu::make_dataset(spec_for("negative-uniform", 1, 0.5, 0, 0.3));
    CHECK(linear_fit_rms(noisy.x_train, noisy.y_train) == Approx(0.5).epsilon(0.02));
  }
  SECTION("the teacher depends on the seed") {
    const Dataset other = relu::make_dataset(spec_for("negative-uniform", 2, 0.0, 1000, 0.0));
    const Dataset mine = relu::make_dataset(spec_for("negative-uniform", 1, 0.0, 1000, 0.0));
    CHECK(std::fabs(other.y_train.mean() - mine.y_train.mean()) > 1e-3);
  }
}

TEST_CASE("standardize uses the training split's statistics", "[dataset]") {
  DataSpec s = spec_for("gauss", 11, 0.3, 2000, 0.3);
  const Dataset raw = relu::make_dataset(s);
  s.standardize = true;
  const Dataset z = relu::make_dataset(s);
  REQUIRE(same_matrix(raw.y_train, z.y_train));  // same split
  for (int f = 0; f < 2; ++f) {
    const Eigen::RowVectorXd train = z.x_train.row(f).cast<double>();
    const double mean = train.mean();
    CHECK(mean == Approx(0).margin(1e-5));
    CHECK(std::sqrt((train.array() - mean).square().mean()) == Approx(1).epsilon(1e-4));

    const Eigen::RowVectorXd raw_train = raw.x_train.row(f).cast<double>();
    const double raw_mean = raw_train.mean();
    const double raw_std = std::sqrt((raw_train.array() - raw_mean).square().mean());
    for (Eigen::Index i = 0; i < z.x_test.cols(); ++i)
      CHECK(z.x_test(f, i) == Approx((raw.x_test(f, i) - raw_mean) / raw_std).margin(1e-5));
    CHECK(z.domain_min[f] == Approx((-6 - raw_mean) / raw_std).epsilon(1e-5));
    CHECK(z.domain_max[f] == Approx((6 - raw_mean) / raw_std).epsilon(1e-5));
  }
}

TEST_CASE("standardize only centres a constant feature", "[dataset]") {
  const Dataset d = csv_dataset("0.1,5,0\n0.1,6,1\n0.1,7,2\n0.1,9,3\n", 0.0, true);
  CHECK((d.x_train.row(0).array() == 0.0f).all());
  CHECK(d.domain_min[0] == 0.0f);
  CHECK(d.domain_max[0] == 0.0f);
  CHECK(d.x_train.row(1).mean() == Approx(0).margin(1e-6));
}

TEST_CASE("make_dataset rejects bad specs with a message naming the problem", "[dataset]") {
  REQUIRE_THROWS_AS(relu::make_dataset(spec_for("spirals")), std::invalid_argument);
  REQUIRE_THROWS_WITH(relu::make_dataset(spec_for("spirals")), Contains("unknown dataset \"spirals\""));
  REQUIRE_THROWS_WITH(relu::make_dataset(spec_for("")), Contains("negative-uniform, abs"));
  REQUIRE_THROWS_WITH(relu::make_dataset(spec_for("Spiral")), Contains("csv"));

  REQUIRE_THROWS_WITH(relu::make_dataset(spec_for("circle", 1, 0, -1)), Contains("samples"));
  REQUIRE_THROWS_WITH(relu::make_dataset(spec_for("circle", 1, 0, relu::kMaxSamples + 1)), Contains("samples"));

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double noise : {-0.01, 1.01, nan, inf}) {
    CAPTURE(noise);
    REQUIRE_THROWS_WITH(relu::make_dataset(spec_for("xor", 1, noise)), Contains("noise"));
  }
  for (double fraction : {-0.1, 0.96, 1.0, nan}) {
    CAPTURE(fraction);
    REQUIRE_THROWS_WITH(relu::make_dataset(spec_for("xor", 1, 0, 0, fraction)), Contains("test_fraction"));
  }
  REQUIRE_THROWS_WITH(csv_dataset(""), Contains("CSV has no data rows"));
}

TEST_CASE("csv through make_dataset: regression, per-feature domain, split", "[dataset][csv]") {
  const Dataset d = csv_dataset("a,b,target\n1,-2,0.5\n3,4,1.5\n-5,6,2\n7,0,3\n", 0.5);
  CHECK(d.name == "csv");
  CHECK(d.task == Task::Regression);
  CHECK(d.num_classes == 1);
  CHECK(d.features() == 2);
  CHECK(d.x_train.cols() == 2);
  CHECK(d.x_test.cols() == 2);
  // The data's range plus 5% on each side (points on the edge are drawn whole).
  CHECK(d.domain_min == std::vector<float>{-5 - 0.6f, -2 - 0.4f});
  CHECK(d.domain_max == std::vector<float>{7 + 0.6f, 6 + 0.4f});
  CHECK(d.feature_names == std::vector<std::string>{"a", "b"});
  CHECK(d.target_name == "target");
  CHECK(d.class_names.empty());
}

TEST_CASE("csv task auto: the detection rule", "[dataset][csv]") {
  SECTION("0/1 labels: binary, classes 0 and 1") {
    const Dataset d = csv_dataset("x1,x2,label\n0.5,1,0\n2,3,1\n1,1,1\n4,0,0\n");
    CHECK(d.task == Task::Binary);
    CHECK(d.num_classes == 1);
    CHECK(d.class_names == std::vector<std::string>{"0", "1"});
    CHECK(all_targets(d) == std::multiset<float>{0, 0, 1, 1});
  }
  SECTION("-1/+1 labels (TF Playground's) map to 0/1 in ascending order") {
    const Dataset d = csv_dataset("1,2,1\n3,4,-1\n5,6,1\n");
    CHECK(d.task == Task::Binary);
    CHECK(d.class_names == std::vector<std::string>{"-1", "1"});
    CHECK(all_targets(d) == std::multiset<float>{0, 1, 1});
  }
  SECTION("three whole-number labels: multiclass K = 3, sorted") {
    const Dataset d = csv_dataset("1,9\n2,3\n3,5\n4,9\n5,3.0\n");
    CHECK(d.task == Task::Multiclass);
    CHECK(d.num_classes == 3);
    CHECK(d.class_names == std::vector<std::string>{"3", "5", "9"});
    CHECK(all_targets(d) == std::multiset<float>{0, 0, 1, 2, 2});
  }
  SECTION("text labels: classes in order of first appearance") {
    const Dataset d = csv_dataset("sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n4.9,1.4,setosa\n");
    CHECK(d.task == Task::Multiclass);
    CHECK(d.num_classes == 3);
    CHECK(d.class_names == std::vector<std::string>{"setosa", "versicolor", "virginica"});
    CHECK(d.feature_names == std::vector<std::string>{"sepal", "petal"});
    CHECK(d.target_name == "species");
    CHECK(all_targets(d) == std::multiset<float>{0, 0, 1, 2});
  }
  SECTION("text labels without a header: the first row is data") {
    const Dataset d = csv_dataset("1,2,cat\n3,4,dog\n5,6,cat\n");
    CHECK(d.task == Task::Binary);
    CHECK(d.x_train.cols() == 3);
    CHECK(d.class_names == std::vector<std::string>{"cat", "dog"});
    CHECK(d.feature_names == std::vector<std::string>{"x1", "x2"});
    CHECK(d.target_name == "target");
  }
  SECTION("a header whose only text is the target name stays a header over numeric targets") {
    const Dataset d = csv_dataset("1,2,label\n3,4,0\n5,6,1\n");
    CHECK(d.x_train.cols() == 2);
    CHECK(d.task == Task::Binary);
    CHECK(d.feature_names == std::vector<std::string>{"1", "2"});
  }
  SECTION("floats: regression") {
    const Dataset d = csv_dataset("1,2,0.5\n3,4,1\n5,6,2\n");
    CHECK(d.task == Task::Regression);
    CHECK(d.class_names.empty());
    CHECK(all_targets(d) == std::multiset<float>{0.5f, 1, 2});
  }
  SECTION("more than 20 distinct whole numbers: regression") {
    std::string text;
    for (int i = 0; i < 21; ++i) text += std::to_string(i) + "," + std::to_string(i * 3) + "\n";
    CHECK(csv_dataset(text).task == Task::Regression);
    std::string twenty;
    for (int i = 0; i < 20; ++i) twenty += std::to_string(i) + "," + std::to_string(i * 3) + "\n";
    CHECK(csv_dataset(twenty).task == Task::Multiclass);
    CHECK(csv_dataset(twenty).num_classes == 20);
  }
  SECTION("a single distinct value: regression") {
    CHECK(csv_dataset("1,7\n2,7\n3,7\n").task == Task::Regression);
  }
}

TEST_CASE("csv task overrides and their errors", "[dataset][csv]") {
  const std::string ints = "1,2,0\n3,4,1\n5,6,2\n7,8,1\n";
  SECTION("regression keeps whole-number targets as numbers") {
    const Dataset d = csv_dataset(ints, 0.0, false, "regression");
    CHECK(d.task == Task::Regression);
    CHECK(all_targets(d) == std::multiset<float>{0, 1, 1, 2});
  }
  SECTION("classification of more than 20 whole numbers") {
    std::string text;
    for (int i = 0; i < 30; ++i) text += std::to_string(i) + "," + std::to_string(100 + i) + "\n";
    const Dataset d = csv_dataset(text, 0.0, false, "classification");
    CHECK(d.task == Task::Multiclass);
    CHECK(d.num_classes == 30);
    CHECK(d.class_names.front() == "100");
  }
  SECTION("classification of non-integer values is an error naming the cell") {
    REQUIRE_THROWS_WITH(csv_dataset("1,2,0\n3,4,1.5\n", 0.0, false, "classification"),
                        Contains("CSV line 2, column 3: \"1.5\" is not a whole number; task classification needs whole-number or text labels"));
  }
  SECTION("classification needs two labels") {
    REQUIRE_THROWS_WITH(csv_dataset("1,7\n2,7\n", 0.0, false, "classification"),
                        Contains("needs at least 2 different labels in the last column (found only \"7\")"));
  }
  SECTION("regression of text labels is an error naming the cell") {
    REQUIRE_THROWS_WITH(csv_dataset("1,2,cat\n3,4,dog\n", 0.0, false, "regression"),
                        Contains("CSV line 1, column 3: \"cat\" is not a number (regression needs a number in the last column"));
  }
  SECTION("classification reads numbers mixed with text as labels, first appearance") {
    const Dataset d = csv_dataset("1,b\n2,2\n3,b\n4,a\n", 0.0, false, "classification");
    CHECK(d.class_names == std::vector<std::string>{"b", "2", "a"});
  }
  SECTION("an unknown task") {
    REQUIRE_THROWS_WITH(csv_dataset(ints, 0.0, false, "clustering"), Contains("task must be auto, classification or regression"));
  }
  SECTION("a generator's task must match") {
    DataSpec s = spec_for("spiral");
    s.task = "classification";
    CHECK(relu::make_dataset(s).task == Task::Binary);
    s.task = "regression";
    REQUIRE_THROWS_WITH(relu::make_dataset(s), Contains("task regression does not apply to dataset \"spiral\""));
  }
}

TEST_CASE("csv task auto keeps the old messages where text cannot be labels", "[dataset][csv]") {
  // Numbers mixed with text: the first text cell, as before text labels existed.
  REQUIRE_THROWS_WITH(csv_dataset("x,y\n1,2\n3,abc\n"), Contains("CSV line 3, column 2: \"abc\" is not a number"));
  // One text label is no classification.
  REQUIRE_THROWS_WITH(csv_dataset("a,b\n1,<b>2</b>\n"), Contains("CSV line 2, column 2: \"<b>2</b>\" is not a number"));
  // Too many distinct text labels for auto.
  std::string text;
  for (int i = 0; i < 25; ++i) text += std::to_string(i) + ",c" + std::to_string(i) + "\n";
  REQUIRE_THROWS_WITH(csv_dataset(text), Contains("CSV line 1, column 2: \"c0\" is not a number, and as a class label it is one of 25"));
  CHECK(csv_dataset(text, 0.0, false, "classification").num_classes == 25);
}

TEST_CASE("a test fraction above 0 holds out at least one row", "[dataset][csv]") {
  const Dataset d = csv_dataset("1,0\n2,1\n3,0\n", 0.1);
  CHECK(d.x_test.cols() == 1);
  CHECK(d.x_train.cols() == 2);
  const Dataset one = csv_dataset("1,0.5\n", 0.25);  // a single row stays for training
  CHECK(one.x_test.cols() == 0);
  CHECK(one.x_train.cols() == 1);
}

TEST_CASE("parse_csv reads numbers, header, CRLF, blank lines and whitespace", "[csv]") {
  Eigen::MatrixXf x;
  Eigen::RowVectorXf y;
  SECTION("plain numeric rows: columns are samples, last field is the target") {
    relu::parse_csv("1,2,3\n4,5,6\n", x, y);
    REQUIRE(x.rows() == 2);
    REQUIRE(x.cols() == 2);
    CHECK(x(0, 0) == 1);
    CHECK(x(1, 0) == 2);
    CHECK(x(0, 1) == 4);
    CHECK(x(1, 1) == 5);
    CHECK(y(0) == 3);
    CHECK(y(1) == 6);
  }
  SECTION("a non-numeric first row is a header") {
    relu::parse_csv("x1,x2,y\n1,2,3\n", x, y);
    CHECK(x.cols() == 1);
    CHECK(y(0) == 3);
    relu::parse_csv("1,x2,y\n1e-3,-2.5,+3\n", x, y);  // one text field is enough
    CHECK(x.cols() == 1);
    CHECK(x(0, 0) == 1e-3f);
    CHECK(x(1, 0) == -2.5f);
  }
  SECTION("a numeric first row is data") {
    relu::parse_csv("1,2\n3,4", x, y);
    CHECK(x.cols() == 2);
    CHECK(y(1) == 4);
  }
  SECTION("CRLF, blank lines, surrounding whitespace, byte-order mark") {
    relu::parse_csv("\xEF\xBB\xBFx , y\r\n 1 ,\t2 \r\n\r\n   \r\n-3,4.5\r\n\r\n", x, y);
    REQUIRE(x.cols() == 2);
    CHECK(x(0, 0) == 1);
    CHECK(y(0) == 2);
    CHECK(x(0, 1) == -3);
    CHECK(y(1) == 4.5f);
  }
}

TEST_CASE("parse_csv errors name the line and column", "[csv]") {
  Eigen::MatrixXf x;
  Eigen::RowVectorXf y;
  const std::string six_good_lines = "a,b,c\n1,2,3\n\n4,5,6\n7,8,9\n1,1,1\n";
  REQUIRE_THROWS_WITH(relu::parse_csv(six_good_lines + "1,2,abc\n", x, y),
                      Contains("CSV line 7, column 3: \"abc\" is not a number"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n3,4\n\n5,6,7\n", x, y), Contains("CSV line 4 has 3 fields but the first line has 2"));
  REQUIRE_THROWS_WITH(relu::parse_csv("x,y,z\n1,2\n", x, y), Contains("CSV line 2 has 2 fields but the first line has 3"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\nnan,3\n", x, y), Contains("CSV line 2, column 1: \"nan\""));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n3,inf\n", x, y), Contains("CSV line 2, column 2: \"inf\""));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n3,-INFINITY\n", x, y), Contains("line 2, column 2"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n1e300,3\n", x, y), Contains("\"1e300\" is not a finite float"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2,3\n4,,6\n", x, y), Contains("CSV line 2, column 2 is empty"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2,\n", x, y), Contains("CSV line 1, column 3 is empty"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n3,4.5x\n", x, y), Contains("\"4.5x\" is not a number"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n3,4 5\n", x, y), Contains("\"4 5\" is not a number"));
  // A field never borrows characters from the next line.
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n3,\v\n5,6\n", x, y), Contains("line 2, column 2"));
  REQUIRE_THROWS_WITH(relu::parse_csv("1\n2\n", x, y), Contains("CSV line 1 has 1 field; need at least 2"));
  REQUIRE_THROWS_WITH(relu::parse_csv("", x, y), Contains("CSV has no data rows"));
  REQUIRE_THROWS_WITH(relu::parse_csv("\n  \r\n\n", x, y), Contains("CSV has no data rows"));
  REQUIRE_THROWS_WITH(relu::parse_csv("x,y\n", x, y), Contains("CSV has no data rows"));
  // Long fields are shortened in the message.
  REQUIRE_THROWS_WITH(relu::parse_csv("1,2\n3," + std::string(1000, 'z') + "\n", x, y),
                      Contains(std::string(40, 'z') + "...\""));
}

TEST_CASE("parse_csv enforces the feature and sample limits", "[csv]") {
  Eigen::MatrixXf x;
  Eigen::RowVectorXf y;
  const std::string widest_row = repeat("1,", relu::kMaxFeatures) + "1\n";
  relu::parse_csv(widest_row, x, y);
  CHECK(x.rows() == relu::kMaxFeatures);
  REQUIRE_THROWS_WITH(relu::parse_csv(repeat("1,", 4999) + "1\n", x, y),
                      Contains("CSV has 5000 columns; the limit is 4096 features"));

  const std::string row = "0.5,1\n";
  relu::parse_csv(repeat(row, relu::kMaxSamples), x, y);
  CHECK(x.cols() == relu::kMaxSamples);
  REQUIRE_THROWS_WITH(relu::parse_csv(repeat(row, relu::kMaxSamples + 1), x, y),
                      Contains("more than 1000000 data rows"));
}
