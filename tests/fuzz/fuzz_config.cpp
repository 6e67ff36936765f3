// libFuzzer target: relu::config_from_json + relu::validate_config (engine/config.h),
// and the round trip of an accepted config through config_to_json.
// std::invalid_argument is the documented rejection; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  relu::RunConfig cfg;
  try {
    cfg = relu::config_from_json(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  try {
    relu::validate_config(cfg);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  // A valid config serializes and parses back without complaint.
  try {
    relu::RunConfig again = relu::config_from_json(relu::config_to_json(cfg));
    relu::validate_config(again);
  } catch (const std::invalid_argument&) {
    __builtin_trap();
  }
  return 0;
}
