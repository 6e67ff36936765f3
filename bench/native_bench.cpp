// Native throughput of relu::Run::step on the benchmark's two workloads, for comparison
// with the WebAssembly build (bench/run.mjs) and TensorFlow.js.
//
//   relu-bench [--reps N] [--json]
//
// Workloads (the same configs bench/workloads.mjs gives the wasm build):
//   small: spiral, 2 -> 64,64,64 -> 1, relu, batch 64, SGD
//   large: 784 -> 256,256 -> 10, relu, batch 128, SGD, softmax cross-entropy, on
//          synthetic CSV data (uniform features, labels 0..9) from the same generator
//          as the JS side.
// The monitor runs every monitor_every = 1000000 steps (i.e. not inside the timed
// window), so what is timed is training: batch gather, forward, backward, optimiser.
// Each workload: warm-up, then N repetitions of a fixed number of steps; prints the
// median (and best) steps/s.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "config.h"
#include "run.h"

namespace {

// Synthetic classification data as CSV text: rows x (features + label). The generator
// (xorshift32, values rounded to 2 decimals) is mirrored in bench/workloads.mjs.
std::string synthetic_csv(int rows, int features, int classes, uint32_t seed) {
  uint32_t s = seed ? seed : 1;
  auto next = [&] {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  };
  std::string out;
  out.reserve(static_cast<size_t>(rows) * features * 5);
  char buf[32];
  for (int r = 0; r < rows; ++r) {
    for (int f = 0; f < features; ++f) {
      const int v = static_cast<int>(next() % 201);  // 0..200 -> -1.00..1.00
      std::snprintf(buf, sizeof buf, "%.2f,", (v - 100) / 100.0);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "%d\n", static_cast<int>(next() % classes));
    out += buf;
  }
  return out;
}

struct Workload {
  const char* name;
  std::string config;
  int steps;  // per repetition
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 7;
  bool as_json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--json"))
      as_json = true;
    else {
      std::fprintf(stderr, "usage: relu-bench [--reps N] [--json]\n");
      return 2;
    }
  }
  const std::string csv = synthetic_csv(1024, 784, 10, 12345);
  std::string csv_json = "\"";
  for (char c : csv) csv_json += c == '\n' ? std::string("\\n") : std::string(1, c);
  csv_json += "\"";
  const std::vector<Workload> workloads = {
      {"small", R"({"dataset":"spiral","layers":[64,64,64],"activation":"relu","batch":64,"optimizer":"sgd","lr":0.03,"seed":1,"monitor_every":1000000})",
       2000},
      {"large",
       R"({"dataset":"csv","loss":"ce","layers":[256,256],"activation":"relu","batch":128,"optimizer":"sgd","lr":0.01,"seed":1,"monitor_every":1000000,"csv_text":)" +
           csv_json + "}",
       60},
  };
  if (as_json) std::printf("{");
  for (size_t w = 0; w < workloads.size(); ++w) {
    const Workload& wl = workloads[w];
    relu::Run run(relu::config_from_json(wl.config));
    run.step(wl.steps / 4);  // warm-up
    std::vector<double> rates;
    for (int r = 0; r < reps; ++r) {
      const double t0 = now();
      run.step(wl.steps);
      rates.push_back(wl.steps / (now() - t0));
    }
    std::sort(rates.begin(), rates.end());
    const double median = rates[rates.size() / 2], best = rates.back();
    if (as_json)
      std::printf("%s\"%s\":{\"median\":%.1f,\"best\":%.1f}", w ? "," : "", wl.name, median, best);
    else
      std::printf("%-6s %10.1f steps/s (median of %d; best %.1f)\n", wl.name, median, reps, best);
  }
  if (as_json) std::printf("}\n");
  return 0;
}
