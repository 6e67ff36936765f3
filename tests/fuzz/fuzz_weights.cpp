// libFuzzer target: relu::weights_from_json (engine/weights_io.h) into a fixed small
// network 2 -> [4, 3] -> 1, plus weights_shape on the same text.
// std::invalid_argument is the documented rejection; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "mlp.h"
#include "weights_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)relu::weights_shape(text);
  } catch (const std::invalid_argument&) {
  }
  relu::Mlp<float> m(2, {4, 3}, {relu::Activation::Relu, relu::Activation::Prelu}, 1, relu::Loss::Bce, 16);
  try {
    relu::weights_from_json(m, text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  // Accepted: the model round-trips.
  std::string out = relu::weights_to_json(m);
  try {
    relu::weights_from_json(m, out);
  } catch (const std::invalid_argument&) {
    __builtin_trap();
  }
  return 0;
}
