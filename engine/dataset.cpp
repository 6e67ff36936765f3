// Datasets: TensorFlow Playground's 2-D sets (src/dataset.ts), 1-D curves, the
// "Is ReLU dead?" negative-uniform set, and numeric CSV.
//
// Reproducibility rules for the generators:
//  - All randomness comes from relu::Rng, never std:: distributions, so a seed
//    gives the same data natively and in wasm.
//  - One draw per statement: C++ leaves the evaluation order of function
//    arguments unspecified, so f(rng.uniform(), rng.uniform()) may differ
//    between compilers.
//  - Noise variates are drawn even when noise is 0, so the stream consumed does
//    not depend on the noise level: moving the noise slider changes only what the
//    noise touches (labels, targets, or spread), and the train/test split stays.
//  - Noise is in [0, 1] and means TF Playground's noise / 100 (0.1 = their "10").
#include "dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "packed_data.h"
#include "rng.h"

namespace relu {
namespace {

constexpr double kPi = 3.14159265358979323846;

// TF Playground labels are +1/-1; ours are 1/0.
float label01(bool positive) { return positive ? 1.0f : 0.0f; }

// noise: labels are taken at the point jittered by U(-5,5)*noise per axis, so labels
// near the boundary flip; the point itself does not move.
void fill_circle(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  const double radius = 5;
  for (int i = 0; i < n; ++i) {
    const bool inner = i < n / 2;
    const double r = inner ? rng.uniform(0, radius * 0.5) : rng.uniform(radius * 0.7, radius);
    const double angle = rng.uniform(0, 2 * kPi);
    const double px = r * std::sin(angle);
    const double py = r * std::cos(angle);
    const double jx = px + rng.uniform(-radius, radius) * noise;
    const double jy = py + rng.uniform(-radius, radius) * noise;
    x(0, i) = static_cast<float>(px);
    x(1, i) = static_cast<float>(py);
    y(i) = label01(std::sqrt(jx * jx + jy * jy) < radius * 0.5);
  }
}

// noise: labels are taken at the point jittered by U(-5,5)*noise per axis.
void fill_xor(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  const double padding = 0.3;  // keeps points off the axes, where the label flips
  for (int i = 0; i < n; ++i) {
    double px = rng.uniform(-5, 5);
    px += px > 0 ? padding : -padding;
    double py = rng.uniform(-5, 5);
    py += py > 0 ? padding : -padding;
    const double jx = px + rng.uniform(-5, 5) * noise;
    const double jy = py + rng.uniform(-5, 5) * noise;
    x(0, i) = static_cast<float>(px);
    x(1, i) = static_cast<float>(py);
    y(i) = label01(jx * jy >= 0);
  }
}

// noise: widens both clusters to variance 0.5 + 7*noise (TF Playground maps its
// noise 0..0.5 linearly to variance 0.5..4; we extend the same line to noise 1).
void fill_gauss(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  const double stddev = std::sqrt(0.5 + 7.0 * noise);
  for (int i = 0; i < n; ++i) {
    const bool positive = i < n / 2;
    const double centre = positive ? 2.0 : -2.0;
    x(0, i) = static_cast<float>(rng.normal(centre, stddev));
    x(1, i) = static_cast<float>(rng.normal(centre, stddev));
    y(i) = label01(positive);
  }
}

// noise: each coordinate moves by U(-1,1)*noise; labels stay those of the arm.
void fill_spiral(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  const int arm_size[2] = {n / 2, n - n / 2};
  int col = 0;
  for (int arm = 0; arm < 2; ++arm) {
    const int m = arm_size[arm];
    const double phase = arm == 0 ? 0.0 : kPi;
    for (int i = 0; i < m; ++i, ++col) {
      const double r = 5.0 * i / m;
      const double t = 1.75 * i / m * 2 * kPi + phase;
      const double jx = rng.uniform(-1, 1) * noise;
      const double jy = rng.uniform(-1, 1) * noise;
      x(0, col) = static_cast<float>(r * std::sin(t) + jx);
      x(1, col) = static_cast<float>(r * std::cos(t) + jy);
      y(col) = label01(arm == 0);
    }
  }
}

// Target (x + y) / 12 taken at the point jittered by U(-6,6)*noise per axis, clamped
// to [-1, 1]. TF Playground divides by 10, which reaches +-1.2 in the corners; /12
// keeps the noiseless target an exact plane inside [-1, 1].
void fill_reg_plane(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  const double radius = 6;
  for (int i = 0; i < n; ++i) {
    const double px = rng.uniform(-radius, radius);
    const double py = rng.uniform(-radius, radius);
    const double jx = px + rng.uniform(-radius, radius) * noise;
    const double jy = py + rng.uniform(-radius, radius) * noise;
    x(0, i) = static_cast<float>(px);
    x(1, i) = static_cast<float>(py);
    y(i) = static_cast<float>(std::clamp((jx + jy) / 12.0, -1.0, 1.0));
  }
}

// Six signed bumps; the target is the bump value largest in magnitude, taken at the
// point jittered by U(-6,6)*noise per axis.
double gaussian_bumps(double px, double py) {
  struct Bump { double cx, cy, sign; };
  static const Bump bumps[] = {{-4, 2.5, 1}, {0, 2.5, -1}, {4, 2.5, 1},
                               {-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1}};
  double best = 0;
  for (const Bump& b : bumps) {
    const double d = std::sqrt((px - b.cx) * (px - b.cx) + (py - b.cy) * (py - b.cy));
    const double value = b.sign * std::clamp(1.0 - d / 2.0, 0.0, 1.0);
    if (std::fabs(value) > std::fabs(best)) best = value;
  }
  return best;
}

void fill_reg_gauss(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  const double radius = 6;
  for (int i = 0; i < n; ++i) {
    const double px = rng.uniform(-radius, radius);
    const double py = rng.uniform(-radius, radius);
    const double jx = px + rng.uniform(-radius, radius) * noise;
    const double jy = py + rng.uniform(-radius, radius) * noise;
    x(0, i) = static_cast<float>(px);
    x(1, i) = static_cast<float>(py);
    y(i) = static_cast<float>(gaussian_bumps(jx, jy));
  }
}

// "Is ReLU dead?": every input is negative, so a ReLU unit whose incoming weights
// start positive (and whose bias is not large) never fires. The target comes from
// a random linear teacher y = w.x + c, w_i and c ~ N(0,1), drawn first.
// noise: standard deviation of Gaussian noise added to the target.
void fill_negative_uniform(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  const int features = static_cast<int>(x.rows());
  std::vector<double> w(features);
  for (double& wi : w) wi = rng.normal();
  const double c = rng.normal();
  for (int i = 0; i < n; ++i)
    for (int f = 0; f < features; ++f) x(f, i) = static_cast<float>(rng.uniform(-1, 0));
  // From the stored floats, so the target is linear in the data the model sees.
  for (int i = 0; i < n; ++i) {
    double target = c;
    for (int f = 0; f < features; ++f) target += w[f] * x(f, i);
    y(i) = static_cast<float>(target + noise * rng.normal());
  }
}

double abs_curve(double v) { return std::fabs(v); }
double sin_curve(double v) { return std::sin(kPi * v); }
double square_curve(double v) { return v * v; }
double step_curve(double v) { return v < 0 ? 0.0 : 1.0; }

// 1-D regression on x ~ U(-1, 1). noise: standard deviation of Gaussian noise
// added to the target.
template <double (*Curve)(double)>
void fill_curve(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  for (int i = 0; i < n; ++i) x(0, i) = static_cast<float>(rng.uniform(-1, 1));
  for (int i = 0; i < n; ++i) y(i) = static_cast<float>(Curve(x(0, i)) + noise * rng.normal());
}

using FillFn = void (*)(int n, double noise, Rng& rng, Eigen::MatrixXf& x, Eigen::RowVectorXf& y);

struct Generator {
  const char* name;
  Task task;
  int features;
  int default_samples;
  float domain_lo, domain_hi;  // the same interval for every feature
  FillFn fill;
};

const Generator kGenerators[] = {
    {"circle", Task::Binary, 2, 500, -6, 6, fill_circle},
    {"xor", Task::Binary, 2, 500, -6, 6, fill_xor},
    {"gauss", Task::Binary, 2, 500, -6, 6, fill_gauss},
    {"spiral", Task::Binary, 2, 500, -6, 6, fill_spiral},
    {"reg-plane", Task::Regression, 2, 500, -6, 6, fill_reg_plane},
    {"reg-gauss", Task::Regression, 2, 500, -6, 6, fill_reg_gauss},
    {"negative-uniform", Task::Regression, 4, 200000, -1, 0, fill_negative_uniform},
    {"abs", Task::Regression, 1, 200, -1, 1, fill_curve<abs_curve>},
    {"sin", Task::Regression, 1, 200, -1, 1, fill_curve<sin_curve>},
    {"square", Task::Regression, 1, 200, -1, 1, fill_curve<square_curve>},
    {"step", Task::Regression, 1, 200, -1, 1, fill_curve<step_curve>},
};

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void check_spec(const DataSpec& spec) {
  if (spec.samples < 0 || spec.samples > kMaxSamples)
    throw std::invalid_argument("samples must be between 0 (the dataset's default) and " +
                                std::to_string(kMaxSamples) + ", got " + std::to_string(spec.samples));
  if (!(std::isfinite(spec.noise) && spec.noise >= 0 && spec.noise <= 1))
    throw std::invalid_argument("noise must be a number in [0, 1], got " + number_text(spec.noise));
  if (!(spec.test_fraction >= 0 && spec.test_fraction <= 0.95))
    throw std::invalid_argument("test_fraction must be in [0, 0.95], got " + number_text(spec.test_fraction));
}

// Seeded shuffle (none when keep_order), then the last round(n * test_fraction) rows
// are the test split; at least one row always stays for training, and a fraction above 0
// holds out at least one row when there are two or more.
void split_rows(const Eigen::MatrixXf& x, const Eigen::RowVectorXf& y, double test_fraction, bool keep_order,
                Rng& rng, Dataset& d) {
  const int n = static_cast<int>(x.cols());
  if (n == 0) throw std::invalid_argument("dataset has no rows");
  int n_test = static_cast<int>(std::lround(n * test_fraction));
  if (test_fraction > 0) n_test = std::max(n_test, 1);
  n_test = std::min(n_test, n - 1);
  const int n_train = n - n_test;
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (!keep_order) rng.shuffle(order);
  d.x_train.resize(x.rows(), n_train);
  d.y_train.resize(n_train);
  d.x_test.resize(x.rows(), n_test);
  d.y_test.resize(n_test);
  for (int i = 0; i < n_train; ++i) {
    d.x_train.col(i) = x.col(order[i]);
    d.y_train(i) = y(order[i]);
  }
  for (int i = 0; i < n_test; ++i) {
    d.x_test.col(i) = x.col(order[n_train + i]);
    d.y_test(i) = y(order[n_train + i]);
  }
}

}  // namespace

// Statistics from the training split only, so the test split stays unseen; the
// same affine map then goes to the test split and to the plotting domain.
void standardize_inputs(Dataset& d) {
  const Eigen::Index n = d.x_train.cols();
  for (int f = 0; f < d.features(); ++f) {
    const float lo = d.x_train.row(f).minCoeff();
    const float hi = d.x_train.row(f).maxCoeff();
    // A constant feature has std 0 and is only centred. Testing lo == hi rather
    // than std == 0 avoids dividing by the rounding error of a double sum.
    double mean = lo, stddev = 1;
    if (lo != hi) {
      double sum = 0;
      for (Eigen::Index i = 0; i < n; ++i) sum += d.x_train(f, i);
      mean = sum / n;
      double squares = 0;
      for (Eigen::Index i = 0; i < n; ++i) squares += (d.x_train(f, i) - mean) * (d.x_train(f, i) - mean);
      stddev = std::sqrt(squares / n);  // population std
    }
    auto z = [&](float v) { return static_cast<float>((v - mean) / stddev); };
    for (Eigen::Index i = 0; i < n; ++i) d.x_train(f, i) = z(d.x_train(f, i));
    for (Eigen::Index i = 0; i < d.x_test.cols(); ++i) d.x_test(f, i) = z(d.x_test(f, i));
    d.domain_min[f] = z(d.domain_min[f]);
    d.domain_max[f] = z(d.domain_max[f]);
  }
}

namespace {

// ---- CSV ----

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

void trim(const char*& begin, const char*& end) {
  while (begin < end && is_space(*begin)) ++begin;
  while (end > begin && is_space(end[-1])) --end;
}

// Calls visit(begin, end, column) for each trimmed field of [begin, end), column 1-based.
template <typename Visit>
void for_each_field(const char* begin, const char* end, Visit visit) {
  for (int column = 1;; ++column) {
    const char* comma = static_cast<const char*>(std::memchr(begin, ',', end - begin));
    const char* field_begin = begin;
    const char* field_end = comma ? comma : end;
    trim(field_begin, field_end);
    visit(field_begin, field_end, column);
    if (!comma) return;
    begin = comma + 1;
  }
}

// True when strtod consumes the whole (non-empty, trimmed) field. strtod stops at
// the field's end at the latest: a trimmed field is followed by a comma, a space,
// a newline or the string's terminating NUL, none of which continues a number.
// (strtod follows the C locale's decimal point, which is "." unless someone calls setlocale.)
bool read_number(const char* begin, const char* end, double& value) {
  if (begin == end) return false;
  char* stop = nullptr;
  value = std::strtod(begin, &stop);
  return stop == end;
}

std::string quoted(const char* begin, const char* end) {
  const size_t max_shown = 40;
  const size_t length = static_cast<size_t>(end - begin);
  if (length <= max_shown) return "\"" + std::string(begin, end) + "\"";
  return "\"" + std::string(begin, begin + max_shown) + "...\"";
}

std::string where(long long line, int column) {
  return "CSV line " + std::to_string(line) + ", column " + std::to_string(column);
}

float read_cell(const char* begin, const char* end, long long line, int column) {
  if (begin == end) throw std::invalid_argument(where(line, column) + " is empty");
  double value = 0;
  if (!read_number(begin, end, value))
    throw std::invalid_argument(where(line, column) + ": " + quoted(begin, end) + " is not a number");
  // Also rejects nan/inf, and finite doubles that would overflow a float.
  if (!(std::fabs(value) <= std::numeric_limits<float>::max()))
    throw std::invalid_argument(where(line, column) + ": " + quoted(begin, end) + " is not a finite float");
  return static_cast<float>(value);
}

// True when a (trimmed, non-empty) field is a number; empty fields and nan/inf count as
// numbers here: they are data problems, reported when the row is read.
bool numeric_field(const char* b, const char* e) {
  double ignored;
  return b == e || read_number(b, e, ignored);
}

// A feature (any field but the last) that is text marks the first row as a header.
bool has_text_feature(const char* begin, const char* end, std::ptrdiff_t columns) {
  bool text = false;
  for_each_field(begin, end, [&](const char* b, const char* e, int column) {
    if (column < columns && !numeric_field(b, e)) text = true;
  });
  return text;
}

std::string where_text(const CsvTable& t, int row) {
  const std::string& label = t.texts[t.text[row]];
  return where(t.line[row], t.target_column) + ": " + quoted(label.data(), label.data() + label.size());
}

// The first row whose target is text (-1: none).
int first_text_row(const CsvTable& t) {
  for (int r = 0; r < t.rows(); ++r)
    if (t.text[r] >= 0) return r;
  return -1;
}

std::string label_of_number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Generator& g : kGenerators) v.push_back(g.name);
    for (const std::string& name : packed_dataset_names()) v.push_back(name);
    return v;
  }();
  return names;
}

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names = {"auto", "classification", "regression"};
  return names;
}

CsvTable read_csv(const std::string& text) {
  const char* p = text.c_str();
  const char* const text_end = p + text.size();
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) p += 3;  // byte-order mark from spreadsheet exports
  CsvTable t;
  std::vector<float> cells;  // row after row: the features
  std::ptrdiff_t columns = 0;  // fixed by the first non-blank row
  std::vector<std::string> first_fields;  // the first row's fields, in case it is a header
  bool first_maybe_header = false;  // the first row's only text is its target
  int text_rows = 0;
  std::unordered_map<std::string, int> text_index;
  for (long long line = 1; p < text_end; ++line) {
    const char* line_end = static_cast<const char*>(std::memchr(p, '\n', text_end - p));
    if (!line_end) line_end = text_end;
    const char* begin = p;
    const char* end = line_end;
    p = line_end < text_end ? line_end + 1 : text_end;
    trim(begin, end);
    if (begin == end) continue;
    const std::ptrdiff_t fields = std::count(begin, end, ',') + 1;
    if (columns == 0) {
      if (fields < 2)
        throw std::invalid_argument("CSV line " + std::to_string(line) +
                                    " has 1 field; need at least 2 (one or more features, then the target)");
      if (fields - 1 > kMaxFeatures)
        throw std::invalid_argument("CSV has " + std::to_string(fields) + " columns; the limit is " +
                                    std::to_string(kMaxFeatures) + " features plus the target");
      columns = fields;
      t.target_column = static_cast<int>(columns);
      for_each_field(begin, end, [&](const char* b, const char* e, int) { first_fields.emplace_back(b, e); });
      if (has_text_feature(begin, end, columns)) {
        t.header = first_fields;
        continue;
      }
      const std::string& last = first_fields.back();
      first_maybe_header = !numeric_field(last.data(), last.data() + last.size());
    } else if (fields != columns) {
      throw std::invalid_argument("CSV line " + std::to_string(line) + " has " + std::to_string(fields) +
                                  (fields == 1 ? " field" : " fields") + " but the first line has " +
                                  std::to_string(columns) + " (every row needs the same columns)");
    }
    if (t.rows() == kMaxSamples + (first_maybe_header ? 1 : 0))
      throw std::invalid_argument("CSV has more than " + std::to_string(kMaxSamples) +
                                  " data rows; the limit is " + std::to_string(kMaxSamples) + " samples");
    for_each_field(begin, end, [&](const char* b, const char* e, int column) {
      if (column < columns) {
        cells.push_back(read_cell(b, e, line, column));
        return;
      }
      double value = 0;
      if (b == e || read_number(b, e, value)) {
        // Numbers keep the numeric messages: empty, not a finite float.
        t.value.push_back(read_cell(b, e, line, column));
        t.text.push_back(-1);
      } else {
        const auto found = text_index.emplace(std::string(b, e), static_cast<int>(t.texts.size()));
        if (found.second) t.texts.emplace_back(b, e);
        t.value.push_back(0.0f);
        t.text.push_back(found.first->second);
        ++text_rows;
      }
    });
    t.line.push_back(line);
  }
  // "x1,x2,label" over numeric targets is a header; "1,2,cat" over "3,4,dog" is data.
  if (first_maybe_header && text_rows == 1) {
    t.header = first_fields;
    cells.erase(cells.begin(), cells.begin() + (columns - 1));
    t.value.erase(t.value.begin());
    t.text.erase(t.text.begin());
    t.line.erase(t.line.begin());
    t.texts.clear();
  } else if (t.rows() > kMaxSamples) {
    throw std::invalid_argument("CSV has more than " + std::to_string(kMaxSamples) + " data rows; the limit is " +
                                std::to_string(kMaxSamples) + " samples");
  }
  if (t.rows() == 0) throw std::invalid_argument("CSV has no data rows");
  t.x = Eigen::Map<const Eigen::MatrixXf>(cells.data(), columns - 1, t.rows());
  return t;
}

CsvTargets csv_targets(const CsvTable& t, const std::string& task) {
  if (std::find(task_names().begin(), task_names().end(), task) == task_names().end())
    throw std::invalid_argument("task must be auto, classification or regression (got \"" + task + "\")");
  const int n = t.rows();
  const int first_text = first_text_row(t);
  const int text_count = static_cast<int>(std::count_if(t.text.begin(), t.text.end(), [](int k) { return k >= 0; }));
  CsvTargets out;
  out.y.resize(n);

  // Distinct numbers, up to one more than the limit (enough to decide).
  std::set<float> numbers;
  bool whole = true;
  int first_fraction = -1;
  for (int r = 0; r < n; ++r) {
    if (t.text[r] >= 0) continue;
    const float v = t.value[r];
    if (v != std::floor(v) && first_fraction < 0) first_fraction = r, whole = false;
    if (static_cast<int>(numbers.size()) <= kMaxClasses) numbers.insert(v);
  }
  const int distinct = static_cast<int>(t.texts.size() + numbers.size());

  bool classify = task == "classification";
  if (task == "auto") {
    if (text_count == n) {
      if (t.texts.size() < 2)  // one text label is no classification: as before text labels
        throw std::invalid_argument(where_text(t, first_text) + " is not a number");
      if (distinct > kMaxAutoClasses)
        throw std::invalid_argument(where_text(t, first_text) + " is not a number, and as a class label it is one of " +
                                    std::to_string(distinct) + " different labels; task auto reads at most " +
                                    std::to_string(kMaxAutoClasses) + " as classes (set task classification for up to " +
                                    std::to_string(kMaxClasses) + ")");
      classify = true;
    } else if (text_count > 0) {
      throw std::invalid_argument(where_text(t, first_text) + " is not a number");
    } else {
      classify = whole && distinct >= 2 && distinct <= kMaxAutoClasses;
    }
  }

  if (!classify) {
    if (first_text >= 0)
      throw std::invalid_argument(where_text(t, first_text) +
                                  " is not a number (regression needs a number in the last column; text labels mean classification)");
    for (int r = 0; r < n; ++r) out.y(r) = t.value[r];
    return out;
  }

  if (distinct > kMaxClasses)
    throw std::invalid_argument("task classification: the last column has more than " + std::to_string(kMaxClasses) +
                                " different labels; the limit is " + std::to_string(kMaxClasses) + " classes");
  if (text_count == 0) {
    if (!whole) {
      const std::string shown = label_of_number(t.value[first_fraction]);
      throw std::invalid_argument(where(t.line[first_fraction], t.target_column) + ": \"" + shown +
                                  "\" is not a whole number; task classification needs whole-number or text labels");
    }
    // Ascending: labels -1/1 become classes 0/1, 3/5/9 become 0/1/2.
    std::vector<float> sorted(numbers.begin(), numbers.end());
    for (float v : sorted) out.class_names.push_back(label_of_number(v));
    for (int r = 0; r < n; ++r)
      out.y(r) = static_cast<float>(std::lower_bound(sorted.begin(), sorted.end(), t.value[r]) - sorted.begin());
  } else {
    // Text, or text mixed with numbers: classes in order of first appearance.
    std::vector<std::string> names;
    std::unordered_map<std::string, int> index;
    for (int r = 0; r < n; ++r) {
      const std::string name = t.text[r] >= 0 ? t.texts[t.text[r]] : label_of_number(t.value[r]);
      const auto found = index.emplace(name, static_cast<int>(names.size()));
      if (found.second) names.push_back(name);
      out.y(r) = static_cast<float>(found.first->second);
    }
    out.class_names = std::move(names);
  }
  const int k = static_cast<int>(out.class_names.size());
  if (k < 2)
    throw std::invalid_argument("task classification needs at least 2 different labels in the last column (found only \"" +
                                out.class_names[0] + "\")");
  out.task = k == 2 ? Task::Binary : Task::Multiclass;
  out.num_classes = k == 2 ? 1 : k;
  return out;
}

void parse_csv(const std::string& text, Eigen::MatrixXf& x, Eigen::RowVectorXf& y) {
  CsvTable t = read_csv(text);
  const int first_text = first_text_row(t);
  if (first_text >= 0) throw std::invalid_argument(where_text(t, first_text) + " is not a number");
  x = std::move(t.x);
  y = Eigen::Map<const Eigen::RowVectorXf>(t.value.data(), t.rows());
}

Dataset make_dataset(const DataSpec& spec) {
  const Generator* generator = nullptr;
  for (const Generator& g : kGenerators)
    if (spec.name == g.name) generator = &g;
  if (is_packed_dataset(spec.name)) {
    check_spec(spec);
    if (spec.task == "regression")
      throw std::invalid_argument("task regression does not apply to dataset \"" + spec.name +
                                  "\" (its task is classification)");
    // noise and keep_order do not apply: the split is the file's fixed order.
    Dataset d = load_packed_dataset(spec);
    // Iris's raw features (cm) are always standardised; images only when asked.
    if (spec.standardize || d.image_shape[0] == 0) standardize_inputs(d);
    return d;
  }
  if (!generator && spec.name != "csv") {
    std::string valid;
    for (const std::string& name : dataset_names()) valid += name + ", ";
    throw std::invalid_argument("unknown dataset \"" + spec.name + "\"; valid names: " + valid + "csv");
  }
  check_spec(spec);

  Rng rng(derive_seed(spec.seed, kStreamData));
  Dataset d;
  d.name = spec.name;
  d.num_classes = 1;
  Eigen::MatrixXf x;
  Eigen::RowVectorXf y;
  if (generator) {
    if (spec.task != "auto" && (spec.task == "regression") != (generator->task == Task::Regression))
      throw std::invalid_argument("task " + spec.task + " does not apply to dataset \"" + spec.name + "\" (its task is " +
                                  (generator->task == Task::Regression ? "regression" : "classification") +
                                  "); task chooses how a CSV's last column is read");
    const int n = spec.samples > 0 ? spec.samples : generator->default_samples;
    x.resize(generator->features, n);
    y.resize(n);
    generator->fill(n, spec.noise, rng, x, y);
    d.task = generator->task;
    d.domain_min.assign(generator->features, generator->domain_lo);
    d.domain_max.assign(generator->features, generator->domain_hi);
  } else {
    // samples and noise do not apply to CSV. The task reads the target column (csv_targets);
    // the config may still switch it to match the chosen loss.
    CsvTable table = read_csv(spec.csv_text);
    CsvTargets targets = csv_targets(table, spec.task);
    x = std::move(table.x);
    y = std::move(targets.y);
    d.task = targets.task;
    d.num_classes = targets.num_classes;
    d.class_names = std::move(targets.class_names);
    const int features = static_cast<int>(x.rows());
    for (int f = 0; f < features; ++f)
      d.feature_names.push_back(table.header.empty() ? "x" + std::to_string(f + 1) : table.header[f]);
    d.target_name = table.header.empty() ? "target" : table.header.back();
    // The data's range plus 5% on each side, so points on the edge are drawn whole and the
    // decision surface reaches past them. A constant feature keeps its single value.
    const Eigen::VectorXf lo = x.rowwise().minCoeff(), hi = x.rowwise().maxCoeff();
    for (int f = 0; f < features; ++f) {
      const float pad = 0.05f * (hi(f) - lo(f));
      d.domain_min.push_back(lo(f) - pad);
      d.domain_max.push_back(hi(f) + pad);
    }
  }
  split_rows(x, y, spec.test_fraction, spec.keep_order, rng, d);
  if (spec.standardize) standardize_inputs(d);
  return d;
}

}  // namespace relu
