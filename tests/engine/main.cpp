// The engine suite's main: Catch2's, after pointing the engine at the build's packed datasets
// (RELU_DATA_DIR: mnist, mnist14, iris; CMakeLists.txt and bindings/wasm.cmake), so a golden
// case or a test may name them like the CLI does.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "packed_data.h"

int main(int argc, char* argv[]) {
  relu::set_data_dir(RELU_DATA_DIR);
  return Catch::Session().run(argc, argv);
}
