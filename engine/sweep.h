// Sweeps: a grid of settings x repeated seeds, every cell run, every metric
// aggregated (mean, standard error, the distribution). Pure: no files, no threads.
// The caller runs the jobs (the CLI spreads them over threads, the browser lab
// over Workers with the same job order) and aggregates their results.
//
// Two kinds:
//   train      each job is a relu::Run of `steps` steps from base + the cell's settings,
//              seed = first_seed + repeat. Metrics, all hidden unit layers pooled (a conv
//              channel counts as one unit, like a dense neuron), unless named for channels:
//                final_loss     training-set loss at the end (evaluation mode)
//                test_loss      test-set loss (NaN without a test split)
//                test_accuracy  test-set accuracy (NaN for regression or no test split)
//                dead           share of hidden units dead (monitor.h's definition)
//                silent         share of hidden units mostly silent (state, not counting dead)
//                no_positive    share of hidden units active on no input, whatever the activation
//                born_dead      1 when some hidden layer was entirely dead at step 0
//                grad_norm      global gradient norm of the last step
//                diverged       1 when the run stopped on a non-finite loss or weight
//                dead_channels  share of the conv layers' channels dead (NaN without conv layers)
//                no_positive_channels  the same for no_positive
//   born_dead  each cell is one born_dead_probability (born_dead.h) estimate over axes
//              width, depth, init (and optionally bias, points); `trials` networks per cell.
//              Metrics: born_dead (the probability, binomial standard error) and reference
//              (1 - (1 - 2^-width)^depth).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config.h"

namespace relu {

class Run;

// Mean, standard error and the values. Non-finite values (a diverged run's loss) are
// kept in `values` but left out of n, mean and std_error; n < 2 gives std_error 0.
struct Stats {
  int n = 0;
  double mean = 0;       // NaN when n == 0
  double std_error = 0;  // sample std (n - 1) / sqrt(n)
  std::vector<double> values;
};
Stats aggregate(const std::vector<double>& values);

struct SweepAxis {
  std::string key;                  // a config key (config.h), or for born_dead: width, depth, init, bias, points
  std::vector<std::string> values;  // JSON text of each value, e.g. "0.1", "\"relu\"", "[8,8]"
};

struct SweepSpec {
  std::string kind = "train";       // train | born_dead
  std::string name;                 // a study name, or "custom"
  std::string base = "{}";          // JSON object of config keys (train)
  std::vector<SweepAxis> axes;
  int seeds = 3;                    // repeats per cell (train)
  int64_t steps = 1000;             // steps per run (train); overrides base's steps
  uint64_t first_seed = 1;
  std::vector<std::string> metrics; // the metrics to report; empty = all of the kind's
  int trials = 1000;                // born_dead: networks per cell
};

constexpr int kMaxSweepJobs = 100000;
constexpr int kMaxSweepSeeds = 1000;

const std::vector<std::string>& train_metric_names();
const std::vector<std::string>& born_dead_metric_names();

// Parses and checks a sweep (keys: kind, name, base, axes {key: [values]} or
// [{key, values}], seeds, steps, first_seed, metrics, trials). Every cell's config is
// validated here, so a bad value fails before anything runs. Throws std::invalid_argument.
SweepSpec sweep_from_json(const std::string& json_text);
std::string sweep_to_json(const SweepSpec& spec);  // round-trips through sweep_from_json
void validate_sweep(const SweepSpec& spec);

// Cells in row-major order over the axes (the last axis varies fastest).
int num_cells(const SweepSpec& spec);
std::vector<std::string> cell_values(const SweepSpec& spec, int cell);  // one JSON text per axis
// Jobs: train: cell-major, seeds fastest (job = cell * seeds + repeat); born_dead: one per cell.
int num_jobs(const SweepSpec& spec);
int job_cell(const SweepSpec& spec, int job);
RunConfig job_config(const SweepSpec& spec, int job);

// One job's metric values, in the order of the kind's metric names.
std::vector<double> run_job(const SweepSpec& spec, int job);
// Metrics of a finished (or diverged) run, in train_metric_names() order.
std::vector<double> run_metrics(Run& run);

struct CellResult {
  std::vector<std::string> values;  // per axis, JSON text
  int jobs_done = 0;
  std::vector<Stats> metrics;       // per reported metric
};
struct SweepResult {
  std::vector<std::string> metric_names;  // reported metrics
  std::vector<CellResult> cells;
  int jobs_done = 0, jobs_total = 0;
};

// Aggregates job results (job index -> all-metric values; an empty vector = not run,
// e.g. after a cancel). For born_dead, the one job per cell already is an estimate:
// its mean is the probability and std_error the binomial standard error.
SweepResult aggregate_sweep(const SweepSpec& spec, const std::vector<std::vector<double>>& job_results);

// JSON: {"sweep": spec, "metrics": [...], "jobs_done", "jobs_total",
//        "cells": [{"settings": {key: value}, "runs": n, "metrics": {name: {mean, se, n, values}}}]}
std::string sweep_result_to_json(const SweepSpec& spec, const SweepResult& result, double elapsed_seconds);
// CSV: one row per cell: axis columns, then per metric: NAME_mean, NAME_se, NAME_n.
std::string sweep_result_to_csv(const SweepSpec& spec, const SweepResult& result);

// Built-in studies (see docs/results.md). full = the bigger grid.
const std::vector<std::string>& study_names();
std::string study_description(const std::string& name);
SweepSpec builtin_study(const std::string& name, bool full);

}  // namespace relu
