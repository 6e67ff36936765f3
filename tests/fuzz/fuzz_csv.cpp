// libFuzzer target: relu::parse_csv (engine/dataset.h). std::invalid_argument is the
// documented rejection; anything else escaping, a crash, UB or a leak is a finding.
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
  } catch (const std::invalid_argument&) {
    return 0;
  }
  // Accepted: one target per sample.
  if (x.cols() != y.cols()) __builtin_trap();
  return 0;
}
