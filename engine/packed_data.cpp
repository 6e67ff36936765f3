// Packed datasets: the reader half of tools/pack-datasets.mjs (format in packed_data.h).
#include "packed_data.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace relu {
namespace {

constexpr char kMagic[8] = {'R', 'E', 'L', 'U', 'D', 'A', 'T', 'A'};
constexpr size_t kFixedHeader = 8 + 4 * 10;  // magic + ten u32 fields
// Largest file we accept: kMaxSamples x kMaxFeatures float32 would be 16 GB; the real sets are
// below 8 MB. 256 MB leaves room for bigger packed sets while refusing absurd sizes early.
constexpr size_t kMaxPackedBytes = 256u << 20;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::invalid_argument("dataset " + (name.empty() ? std::string("file") : name) + ": " + what);
}

// Sequential reader over the header, throwing "truncated" past the end.
struct Reader {
  const std::vector<uint8_t>& b;
  size_t at;
  const std::string& who;
  uint32_t u32() {
    need(4);
    const uint32_t v = uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
    at += 4;
    return v;
  }
  std::string text() {
    need(2);
    const size_t n = size_t(b[at]) | size_t(b[at + 1]) << 8;
    at += 2;
    need(n);
    std::string s(reinterpret_cast<const char*>(b.data() + at), n);
    at += n;
    return s;
  }
  std::vector<std::string> names(const char* what, uint32_t max) {
    const uint32_t n = u32();
    if (n > max) fail(who, std::string("the header lists ") + std::to_string(n) + " " + what + "; at most " + std::to_string(max));
    std::vector<std::string> v;
    for (uint32_t i = 0; i < n; ++i) v.push_back(text());
    return v;
  }
  void need(size_t n) {
    if (b.size() - at < n) fail(who, "the file is truncated (" + std::to_string(b.size()) + " bytes, the header alone needs more)");
  }
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const PackedData>> data;
  std::string dir;
};
Registry& registry() {
  static Registry r;
  return r;
}

std::vector<uint8_t> read_file(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(name, "its data is not loaded and \"" + path + "\" cannot be read; build the packed files with "
               "\"node tools/pack-datasets.mjs DIR\" (bash playground.sh build writes build/data/) or give "
               "--data-dir DIR");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0 || static_cast<uint64_t>(size) > kMaxPackedBytes)
    fail(name, "\"" + path + "\" is larger than the limit of " + std::to_string(kMaxPackedBytes) + " bytes");
  in.seekg(0);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) fail(name, "could not read \"" + path + "\"");
  return bytes;
}

}  // namespace

uint64_t fnv1a64(const uint8_t* data, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

size_t PackedData::payload_feature_bytes() const {
  return static_cast<size_t>(samples) * features * (encoding == PackedEncoding::Uint8Pixels ? 1 : 4);
}

float PackedData::feature(int i, int f) const {
  const size_t k = static_cast<size_t>(i) * features + f;
  if (encoding == PackedEncoding::Uint8Pixels) return static_cast<float>(bytes[header_bytes + k]) / 255.0f;
  // Little-endian float32, assembled bytewise (the payload need not be aligned for a cast).
  const uint8_t* p = bytes.data() + header_bytes + 4 * k;
  const uint32_t u = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
  float v;
  std::memcpy(&v, &u, 4);
  return v;
}

PackedData parse_packed_data(std::vector<uint8_t> bytes, const std::string& expected_name) {
  const std::string& who = expected_name;
  if (bytes.size() > kMaxPackedBytes)
    fail(who, "the packed data is " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
                  std::to_string(kMaxPackedBytes));
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    fail(who, "not a packed dataset (the file does not start with \"RELUDATA\"; was it written by tools/pack-datasets.mjs?)");
  Reader r{bytes, 8, who};
  PackedData d;
  const uint32_t version = r.u32();
  if (version != kPackedFormatVersion)
    fail(who, "packed format version " + std::to_string(version) + " is not supported (this engine reads version " +
                  std::to_string(kPackedFormatVersion) + "); re-pack it with this build's tools/pack-datasets.mjs");
  const uint32_t header = r.u32(), samples = r.u32(), features = r.u32();
  uint32_t shape[3];
  for (uint32_t& s : shape) s = r.u32();
  const uint32_t classes = r.u32(), train = r.u32(), encoding = r.u32();
  if (samples < 2 || samples > static_cast<uint32_t>(kMaxSamples))
    fail(who, "the file holds " + std::to_string(samples) + " samples; it needs 2 to " + std::to_string(kMaxSamples));
  if (features < 1 || features > static_cast<uint32_t>(kMaxFeatures))
    fail(who, "the file holds " + std::to_string(features) + " features per sample; it needs 1 to " +
                  std::to_string(kMaxFeatures));
  // Labels are one byte each.
  if (classes < 2 || classes > 256)
    fail(who, "the file has " + std::to_string(classes) + " classes; packed data needs 2 to 256");
  if (train < 1 || train >= samples)
    fail(who, "its train count " + std::to_string(train) + " must be between 1 and samples - 1 (" +
                  std::to_string(samples - 1) + ")");
  const bool image = shape[0] || shape[1] || shape[2];
  if (image && uint64_t(shape[0]) * shape[1] * shape[2] != features)
    fail(who, "image shape " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + "x" + std::to_string(shape[2]) +
                  " does not hold " + std::to_string(features) + " features");
  if (encoding != static_cast<uint32_t>(PackedEncoding::Uint8Pixels) && encoding != static_cast<uint32_t>(PackedEncoding::Float32))
    fail(who, "feature encoding " + std::to_string(encoding) + " is unknown (1: uint8 pixels, 2: float32)");
  d.name = r.text();
  if (!expected_name.empty() && d.name != expected_name)
    fail(who, "the packed data is dataset \"" + d.name + "\", not \"" + expected_name + "\"");
  d.class_names = r.names("class names", 256);
  if (d.class_names.size() != classes)
    fail(who, "the header names " + std::to_string(d.class_names.size()) + " classes but counts " + std::to_string(classes));
  d.feature_names = r.names("feature names", static_cast<uint32_t>(kMaxFeatures));
  if (!d.feature_names.empty() && d.feature_names.size() != features)
    fail(who, "the header names " + std::to_string(d.feature_names.size()) + " features but counts " + std::to_string(features));
  if (header < r.at || header % 4 != 0 || header > bytes.size())
    fail(who, "its header size " + std::to_string(header) + " does not match its fields (" + std::to_string(r.at) + " bytes)");
  d.samples = static_cast<int>(samples);
  d.features = static_cast<int>(features);
  d.train_count = static_cast<int>(train);
  for (int k = 0; k < 3; ++k) d.image_shape[k] = static_cast<int>(shape[k]);
  d.encoding = static_cast<PackedEncoding>(encoding);
  d.header_bytes = header;
  const uint64_t expected = uint64_t(header) + d.payload_feature_bytes() + samples + 8;
  if (bytes.size() < expected)
    fail(who, "the file is truncated: " + std::to_string(bytes.size()) + " bytes, its header announces " +
                  std::to_string(expected));
  if (bytes.size() > expected)
    fail(who, "the file has " + std::to_string(bytes.size() - expected) + " bytes after its checksum (expected " +
                  std::to_string(expected) + " bytes)");
  const size_t body = bytes.size() - 8;
  uint64_t stored = 0;
  for (int k = 7; k >= 0; --k) stored = stored << 8 | bytes[body + k];
  d.checksum = fnv1a64(bytes.data(), body);
  if (stored != d.checksum) fail(who, "checksum mismatch: the file is damaged (re-run tools/pack-datasets.mjs)");
  d.bytes = std::move(bytes);
  for (int i = 0; i < d.samples; ++i)
    if (d.label(i) >= static_cast<int>(classes))
      fail(who, "sample " + std::to_string(i) + " has label " + std::to_string(d.label(i)) + "; there are " +
                    std::to_string(classes) + " classes");
  if (d.encoding == PackedEncoding::Float32)
    for (int i = 0; i < d.samples; ++i)
      for (int f = 0; f < d.features; ++f)
        if (!std::isfinite(d.feature(i, f)))
          fail(who, "sample " + std::to_string(i) + ", feature " + std::to_string(f + 1) + " is not a finite number");
  return d;
}

const std::vector<std::string>& packed_dataset_names() {
  static const std::vector<std::string> names = {"mnist", "mnist14", "iris"};
  return names;
}

bool is_packed_dataset(const std::string& name) {
  const auto& n = packed_dataset_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

void provide_packed_data(const std::string& name, std::vector<uint8_t> bytes) {
  if (!is_packed_dataset(name))
    throw std::invalid_argument("provideData: \"" + name + "\" is not a packed dataset (expected mnist, mnist14 or iris)");
  auto parsed = std::make_shared<const PackedData>(parse_packed_data(std::move(bytes), name));
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mutex);
  reg.data[name] = std::move(parsed);
}

bool has_packed_data(const std::string& name) {
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mutex);
  return reg.data.count(name) > 0;
}

void set_data_dir(const std::string& dir) {
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mutex);
  reg.dir = dir;
}

std::string data_dir() {
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mutex);
  return reg.dir;
}

std::shared_ptr<const PackedData> packed_data(const std::string& name, const std::string& dir_override) {
  Registry& reg = registry();
  std::string dir = dir_override;
  {
    std::lock_guard<std::mutex> lock(reg.mutex);
    // An explicit directory reads from there even when bytes for the name were provided.
    if (dir.empty()) {
      auto found = reg.data.find(name);
      if (found != reg.data.end()) return found->second;
      dir = reg.dir;
    } else {
      auto found = reg.data.find(name + "@" + dir);
      if (found != reg.data.end()) return found->second;
    }
  }
  if (dir.empty())
    fail(name, "its data is not loaded (the page fetches data/" + name + ".bin; the CLI reads it from the build's "
               "data directory or --data-dir DIR)");
  const std::string path = dir + (dir.back() == '/' ? "" : "/") + name + ".bin";
  auto parsed = std::make_shared<const PackedData>(parse_packed_data(read_file(path, name), name));
  std::lock_guard<std::mutex> lock(reg.mutex);
  // Kept, so a sweep's many runs read and check the file once.
  reg.data.emplace(dir_override.empty() ? name : name + "@" + dir, parsed);
  return parsed;
}

Dataset load_packed_dataset(const DataSpec& spec) {
  std::shared_ptr<const PackedData> p = packed_data(spec.name, spec.data_dir);
  const int n_all = p->samples, train_all = p->train_count;
  if (spec.samples > n_all)
    throw std::invalid_argument("samples: dataset " + spec.name + " has " + std::to_string(n_all) + " samples, got " +
                                std::to_string(spec.samples));
  // A prefix of each part, in proportion; at least one sample from the train part.
  const int n = spec.samples > 0 ? spec.samples : n_all;
  const int from_train = std::max(1, std::min(train_all, static_cast<int>(std::lround(double(n) * train_all / n_all))));
  const int from_test = std::min(n_all - train_all, n - from_train);
  std::vector<int> order;
  order.reserve(n);
  for (int i = 0; i < from_train; ++i) order.push_back(i);
  for (int i = 0; i < from_test; ++i) order.push_back(train_all + i);
  const int total = static_cast<int>(order.size());
  int n_test = static_cast<int>(std::lround(total * spec.test_fraction));
  if (spec.test_fraction > 0) n_test = std::max(n_test, 1);
  n_test = std::min(n_test, total - 1);
  const int n_train = total - n_test;

  Dataset d;
  d.name = spec.name;
  d.task = Task::Multiclass;
  d.num_classes = static_cast<int>(p->class_names.size());
  d.class_names = p->class_names;
  d.feature_names = p->feature_names;
  d.target_name = "class";
  d.image_shape = p->image_shape;
  d.x_train.resize(p->features, n_train);
  d.y_train.resize(n_train);
  d.x_test.resize(p->features, n_test);
  d.y_test.resize(n_test);
  for (int j = 0; j < total; ++j) {
    const int i = order[j];
    float* col = j < n_train ? d.x_train.col(j).data() : d.x_test.col(j - n_train).data();
    for (int f = 0; f < p->features; ++f) col[f] = p->feature(i, f);
    (j < n_train ? d.y_train(j) : d.y_test(j - n_train)) = static_cast<float>(p->label(i));
  }
  if (p->encoding == PackedEncoding::Uint8Pixels) {
    d.domain_min.assign(p->features, 0.0f);
    d.domain_max.assign(p->features, 1.0f);
  } else {
    // The data's range plus 5% on each side, as for CSV.
    for (int f = 0; f < p->features; ++f) {
      float lo = d.x_train.row(f).minCoeff(), hi = d.x_train.row(f).maxCoeff();
      if (n_test > 0) {
        lo = std::min(lo, d.x_test.row(f).minCoeff());
        hi = std::max(hi, d.x_test.row(f).maxCoeff());
      }
      const float pad = 0.05f * (hi - lo);
      d.domain_min.push_back(lo - pad);
      d.domain_max.push_back(hi + pad);
    }
  }
  return d;
}

}  // namespace relu
