// Sharded sweeps: one sweep's (cell, seed) jobs split over N processes (a Slurm job array,
// GNU parallel, several machines), each writing a partial result, merged into exactly the
// result one whole run gives (docs/scaling.md).
//
// Why the raw job values travel, not per-cell statistics: a shard holds some seeds of a
// cell, and a mean of means or a pooled standard error would not be the bits that
// aggregate_sweep computes from all of a cell's values in job order. So a partial keeps
// every job's values exactly (17 significant digits; NaN and infinities as strings), and
// the merge rebuilds the whole job list and calls aggregate_sweep, the code path of an
// unsharded run.
//
// CLI-only: nothing in the page calls this (lab.html runs sweeps in Workers), so the wasm
// module, which links only what bindings.cpp reaches, does not carry it. Pure: texts in,
// texts out; the CLI reads and writes the files.
#pragma once
#include <string>
#include <vector>

#include "sweep.h"

namespace relu {

// Shard `index` of `count`, counted from 1 (as SLURM_ARRAY_TASK_ID with --array=1-N and
// GNU parallel's {} over 1..N count). Job i belongs to shard i % count + 1: round robin, so
// every shard gets a similar mix of cheap and costly cells (cells are contiguous in job order).
struct Shard {
  int index = 1;
  int count = 1;
};

// "K/N". Throws std::invalid_argument with a message that starts with the fault
// (e.g. "K must be in 1..N (got 4/3)"); the CLI puts "--shard: " before it.
Shard parse_shard(const std::string& text);
std::string shard_text(Shard shard);  // "K/N"

// The jobs of one shard, ascending. Empty when there are more shards than jobs.
std::vector<int> shard_jobs(const SweepSpec& spec, Shard shard);

// The names of run_job's values, in its order: the kind's metrics, and for born_dead the
// binomial standard error run_job appends. A partial records them, so a merge notices
// partials written by a relu-lab whose jobs report other values.
std::vector<std::string> job_value_names(const SweepSpec& spec);

// A partial result: {"partial": {"format", "shard", "shards", "jobs_total", "value_names"},
//   "sweep": spec, "elapsed_seconds", "jobs": [{"job": i, "values": [...]}, ...]}.
// job_results is indexed by job over the whole sweep (num_jobs entries); only the shard's
// jobs are written, and each of those must have been run.
std::string sweep_partial_to_json(const SweepSpec& spec, Shard shard,
                                  const std::vector<std::vector<double>>& job_results, double elapsed_seconds);

// A partial file's name (for messages) and its text.
struct PartialText {
  std::string name;
  std::string text;
};

// The whole sweep rebuilt from all N partials: feed job_results to aggregate_sweep.
struct MergedSweep {
  SweepSpec spec;
  std::vector<std::vector<double>> job_results;  // every job, in job order
  double elapsed_seconds = 0;                   // the shards' times added up (CPU-side cost, not wall-clock)
  int shards = 0;
};

// Checks and combines partials in any order. Refuses, naming the file: text that is not
// JSON, JSON that is not a partial (a whole sweep's result included), partials of different
// sweeps or of different shard counts, a shard given twice, a missing shard, a job list
// that is not the shard's, values of another length or of other names. Throws
// std::invalid_argument.
MergedSweep merge_sweep_partials(const std::vector<PartialText>& partials);

}  // namespace relu
