// libFuzzer target: relu::weights_from_json (engine/weights_io.h) into two fixed small
// networks 2 -> [4, 3] -> 1, plain and with a norm in each hidden layer, plus weights_shape on
// the same text.
// std::invalid_argument is the documented rejection; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "mlp.h"
#include "net_spec.h"
#include "weights_io.h"

namespace {

// Loads the text into m; an accepted model must round-trip.
void load(relu::Mlp<float>& m, const std::string& text) {
  try {
    relu::weights_from_json(m, text);
  } catch (const std::invalid_argument&) {
    return;
  }
  const std::string out = relu::weights_to_json(m);
  try {
    relu::weights_from_json(m, out);
  } catch (const std::invalid_argument&) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)relu::weights_shape(text);
  } catch (const std::invalid_argument&) {
  }
  relu::Mlp<float> plain(2, {4, 3}, {relu::Activation::Relu, relu::Activation::Prelu}, 1, relu::Loss::Bce, 16);
  load(plain, text);
  // The same shapes with a norm in each hidden layer (the "norm" objects of the file).
  relu::Mlp<float> normed(relu::Volume{2, 1, 1}, relu::read_net(nlohmann::json("dense(4,batchnorm),dense(3,layernorm)")),
                          {relu::Activation::Relu, relu::Activation::Prelu}, 1, relu::Loss::Bce, 16);
  load(normed, text);
  return 0;
}
