// libFuzzer target: relu::parse_csv and relu::read_csv + csv_targets (engine/dataset.h).
// std::invalid_argument is the documented rejection; anything else escaping, a crash, UB or a
// leak is a finding.
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <stdexcept>
#include <string>

#include "dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Eigen::MatrixXf x;
  Eigen::RowVectorXf y;
  try {
    relu::parse_csv(text, x, y);
    // Accepted: one target per sample.
    if (x.cols() != y.cols()) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  // Text targets and the task rule: targets are one per row, classes index 0..K-1.
  for (const char* task : {"auto", "classification"}) {
    try {
      const relu::CsvTable table = relu::read_csv(text);
      const relu::CsvTargets t = relu::csv_targets(table, task);
      if (t.y.size() != table.x.cols()) __builtin_trap();
      const int k = static_cast<int>(t.class_names.size());
      if (t.task != relu::Task::Regression) {
        if (k < 2 || k > relu::kMaxClasses) __builtin_trap();
        for (int i = 0; i < t.y.size(); ++i)
          if (!(t.y(i) >= 0 && t.y(i) < k && t.y(i) == std::floor(t.y(i)))) __builtin_trap();
      }
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
