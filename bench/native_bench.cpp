// Native throughput of relu::Run::step on the benchmark's two workloads, for comparison
// with the WebAssembly build (bench/run.mjs) and TensorFlow.js.
//
//   relu-bench [--reps N] [--json] [--monitor-every K] [--only NAME,NAME] [--data-dir DIR]
//
// Workloads (the same configs bench/workloads.mjs gives the wasm build; w3 is issue 14's LeNet):
//   small: spiral, 2 -> 64,64,64 -> 1, relu, batch 64, SGD
//   large: 784 -> 256,256 -> 10, relu, batch 128, SGD, softmax cross-entropy, on
//          synthetic CSV data (uniform features, labels 0..9) from the same generator
//          as the JS side.
//   mnist: 784 -> 256,256 -> 10 as large at the page's default rate 0.03, on the packed MNIST
//          (8,000 training digits; four fifths of the pixels are 0, which the engine skips:
//          engine/skip_zeros.h); mnistMonitored: the same with the monitor evaluating the
//          8,000 training digits every K steps (--monitor-every, default 278: the page's default
//          cadence flat out, web/monitor-cadence.js), two evaluations per repetition.
//   w3:    issue 14's LeNet on the packed MNIST, batch 32, SGD.
// The packed MNIST is read from the build's data dir, or --data-dir (bench/run.mjs passes the
// source tree's build/data, the file the browser benchmark fetches; a bench-only build tree such
// as build-wasmtest/native has no packed data of its own).
// Otherwise the monitor runs every monitor_every = 1000000 steps (i.e. not inside the timed
// window), so what is timed is training: batch gather, forward, backward, optimiser.
// Each workload: warm-up, then N repetitions of a fixed number of steps; prints the
// median (and best) steps/s.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <time.h>
#include <vector>

#include "config.h"
#include "packed_data.h"
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

// This thread's CPU time: steps per CPU second do not depend on how many neighbours share the
// machine (a loaded machine's wall-clock rates measure the neighbours).
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  relu::set_data_dir(RELU_DATA_DIR);  // the build's packed datasets
  int reps = 7;
  bool as_json = false;
  int monitor_every = 278;
  std::string only;  // comma-separated workload names; empty: all
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--monitor-every") && i + 1 < argc)
      monitor_every = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
      only = "," + std::string(argv[++i]) + ",";
    else if (!std::strcmp(argv[i], "--data-dir") && i + 1 < argc)
      relu::set_data_dir(argv[++i]);
    else if (!std::strcmp(argv[i], "--json"))
      as_json = true;
    else {
      std::fprintf(stderr, "usage: relu-bench [--reps N] [--json] [--monitor-every K] [--only NAME,NAME] [--data-dir DIR]\n");
      return 2;
    }
  }
  auto as_json_string = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out + "\"";
  };
  const std::string csv_json = as_json_string(synthetic_csv(1024, 784, 10, 12345));
  const std::string mnist =
      R"({"dataset":"mnist","layers":[256,256],"activation":"relu","batch":128,"optimizer":"sgd","lr":0.03,"seed":1)";
  const std::vector<Workload> workloads = {
      {"small", R"({"dataset":"spiral","layers":[64,64,64],"activation":"relu","batch":64,"optimizer":"sgd","lr":0.03,"seed":1,"monitor_every":1000000})",
       2000},
      {"large",
       R"({"dataset":"csv","loss":"ce","layers":[256,256],"activation":"relu","batch":128,"optimizer":"sgd","lr":0.01,"seed":1,"monitor_every":1000000,"csv_text":)" +
           csv_json + "}",
       60},
      {"mnist", mnist + R"(,"monitor_every":1000000})", 2 * monitor_every},
      // Issue 14's w3 (bench/workloads.mjs W3): a LeNet on MNIST, batch 32, SGD, monitor off.
      {"w3",
       R"j({"dataset":"mnist","net":"conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)","activation":"relu","batch":32,"optimizer":"sgd","lr":0.01,"seed":1,"monitor_every":1000000})j",
       100},
      {"mnistMonitored", mnist + R"(,"monitor_every":)" + std::to_string(monitor_every) + "}", 2 * monitor_every},
  };
  if (as_json) std::printf("{");
  bool first = true;
  for (size_t w = 0; w < workloads.size(); ++w) {
    const Workload& wl = workloads[w];
    if (!only.empty() && only.find("," + std::string(wl.name) + ",") == std::string::npos) continue;
    relu::Run run(relu::config_from_json(wl.config));
    run.step(wl.steps / 4);  // warm-up
    std::vector<double> rates, cpu_rates;
    for (int r = 0; r < reps; ++r) {
      const double t0 = now(), c0 = cpu_now();
      run.step(wl.steps);
      rates.push_back(wl.steps / (now() - t0));
      cpu_rates.push_back(wl.steps / (cpu_now() - c0));
    }
    std::sort(rates.begin(), rates.end());
    std::sort(cpu_rates.begin(), cpu_rates.end());
    const double median = rates[rates.size() / 2], best = rates.back(), cpu = cpu_rates[cpu_rates.size() / 2];
    if (as_json)
      std::printf("%s\"%s\":{\"median\":%.1f,\"best\":%.1f,\"cpu\":%.1f}", first ? "" : ",", wl.name, median, best, cpu);
    else
      std::printf("%-14s %10.1f steps/s (median of %d; best %.1f; per CPU second %.1f)\n", wl.name, median, reps, best, cpu);
    first = false;
  }
  // One monitor evaluation of the 8,000 rows in training steps, robust to a loaded machine: the
  // least wall time of equally long blocks of 50 steps with the monitor off and with one
  // evaluation in the block (monitor_every 50), alternated (bench/suite.mjs does the same in wasm).
  if (only.empty() || only.find(",mnist,") != std::string::npos) {
    const int block = 50;
    relu::Run off(relu::config_from_json(mnist + R"(,"monitor_every":1000000})"));
    relu::Run one(relu::config_from_json(mnist + R"(,"monitor_every":)" + std::to_string(block) + "}"));
    off.step(block);
    one.step(block);
    double a = 1e30, b = 1e30;
    for (int i = 0; i < 8; ++i) {
      double t0 = now();
      off.step(block);
      a = std::min(a, now() - t0);
      t0 = now();
      one.step(block);
      b = std::min(b, now() - t0);
    }
    const double steps = (b - a) / a * block;
    if (as_json)
      std::printf("%s\"mnistEvaluation\":{\"steps\":%.2f}", first ? "" : ",", steps);
    else
      std::printf("one monitor evaluation of the 8,000 rows = %.1f training steps (+%.1f%% at every %d)\n", steps,
                  100 * steps / monitor_every, monitor_every);
  }
  if (as_json) std::printf("}\n");
  return 0;
}
