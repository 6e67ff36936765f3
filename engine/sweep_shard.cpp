#include "sweep_shard.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace relu {
namespace {

using json = nlohmann::ordered_json;

// Bumped when the layout changes, so an old partial is refused by name, not misread.
constexpr int kPartialFormat = 1;

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

std::string in_quotes(const std::string& name) { return "\"" + name + "\""; }

// nlohmann's messages start with "[json.exception.parse_error.101] ": noise to a user.
std::string json_message(const std::exception& e) {
  std::string m = e.what();
  if (!m.empty() && m[0] == '[') {
    const auto end = m.find("] ");
    if (end != std::string::npos) m = m.substr(end + 2);
  }
  return m;
}

// A job value as JSON. Finite doubles print with the shortest digits that read back to the
// same bits (nlohmann's to_chars; its parser rounds correctly), so -0.0 and subnormals
// survive too. JSON has no NaN or infinity, and a diverged run's loss is one: strings.
json value_to_json(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

bool value_from_json(const json& v, double& out) {
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s == "nan") out = std::numeric_limits<double>::quiet_NaN();
  else if (s == "inf") out = std::numeric_limits<double>::infinity();
  else if (s == "-inf") out = -std::numeric_limits<double>::infinity();
  else return false;
  return true;
}

// "1, 4, 7" (the first `most`, then "...").
std::string int_list(const std::vector<int>& v, size_t most = 8) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < most; ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  if (v.size() > most) s += ", ...";
  return s;
}

std::string short_dump(const json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// The first top-level key on which two sweep specs differ, as `"key": A against B`.
std::string spec_difference(const json& a, const json& b) {
  for (const auto& item : a.items())
    if (!b.contains(item.key()) || b[item.key()] != item.value())
      return in_quotes(item.key()) + ": " + short_dump(item.value()) + " against " +
             (b.contains(item.key()) ? short_dump(b[item.key()]) : "none");
  for (const auto& item : b.items())
    if (!a.contains(item.key())) return in_quotes(item.key()) + ": none against " + short_dump(item.value());
  return "their texts";
}

int int_field(const json& obj, const char* key, const std::string& where) {
  if (!obj.contains(key) || !obj[key].is_number_integer() || obj[key].get<long long>() < 0 ||
      obj[key].get<long long>() > std::numeric_limits<int>::max())
    fail(where + ": partial." + key + " must be a whole number");
  return obj[key].get<int>();
}

// One partial file, read and checked on its own.
struct Partial {
  std::string name;
  Shard shard;
  SweepSpec spec;
  std::string spec_text;  // canonical (sweep_to_json), to compare partials
  double elapsed = 0;
  std::vector<std::pair<int, std::vector<double>>> jobs;
};

Partial read_partial(const PartialText& in) {
  const std::string where = in_quotes(in.name);
  json d;
  try {
    d = json::parse(in.text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    fail(where + " is not valid JSON (" + json_message(e) + ")");
  }
  if (!d.is_object() || !d.contains("partial") || !d["partial"].is_object()) {
    if (d.is_object() && d.contains("sweep") && d.contains("cells"))
      fail(where + " is a whole sweep's result, not a partial (relu-lab sweep --shard K/N writes partials)");
    fail(where + " is not a partial sweep result (no \"partial\" object; relu-lab sweep --shard K/N writes them)");
  }
  const json& p = d["partial"];
  if (!p.contains("format") || p["format"] != kPartialFormat)
    fail(where + ": partial format " + (p.contains("format") ? p["format"].dump() : std::string("missing")) +
         " is not the one this relu-lab reads (" + std::to_string(kPartialFormat) + ")");

  Partial out;
  out.name = in.name;
  out.shard.index = int_field(p, "shard", where);
  out.shard.count = int_field(p, "shards", where);
  if (out.shard.count < 1 || out.shard.index < 1 || out.shard.index > out.shard.count)
    fail(where + ": partial.shard must be in 1..partial.shards (got " + shard_text(out.shard) + ")");
  if (!d.contains("sweep") || !d["sweep"].is_object()) fail(where + ": no \"sweep\" object");
  try {
    out.spec = sweep_from_json(d["sweep"].dump());
  } catch (const std::invalid_argument& e) {
    fail(where + ": " + e.what());
  }
  out.spec_text = sweep_to_json(out.spec);
  if (int_field(p, "jobs_total", where) != num_jobs(out.spec))
    fail(where + ": partial.jobs_total is " + p["jobs_total"].dump() + " but its sweep has " +
         std::to_string(num_jobs(out.spec)) + " jobs");
  const std::vector<std::string> names = job_value_names(out.spec);
  if (!p.contains("value_names") || p["value_names"] != json(names))
    fail(where + ": its jobs report the values " + (p.contains("value_names") ? short_dump(p["value_names"]) : "(none)") +
         ", this relu-lab's jobs " + short_dump(json(names)) + " (written by another version?)");
  if (d.contains("elapsed_seconds") && d["elapsed_seconds"].is_number()) out.elapsed = d["elapsed_seconds"].get<double>();

  if (!d.contains("jobs") || !d["jobs"].is_array()) fail(where + ": no \"jobs\" list");
  const std::vector<int> expected = shard_jobs(out.spec, out.shard);
  std::vector<int> listed;
  for (const json& j : d["jobs"]) {
    if (!j.is_object() || !j.contains("job") || !j["job"].is_number_integer() || !j.contains("values") ||
        !j["values"].is_array())
      fail(where + ": each job is {\"job\": index, \"values\": [...]} (got " + short_dump(j) + ")");
    const long long job = j["job"].get<long long>();
    if (job < 0 || job >= num_jobs(out.spec))
      fail(where + ": job " + std::to_string(job) + " is out of range (the sweep has " +
           std::to_string(num_jobs(out.spec)) + " jobs)");
    std::vector<double> values;
    for (const json& v : j["values"]) {
      double x;
      if (!value_from_json(v, x))
        fail(where + ": job " + std::to_string(job) + "'s values must be numbers or \"nan\", \"inf\", \"-inf\" (got " +
             short_dump(v) + ")");
      values.push_back(x);
    }
    if (values.size() != names.size())
      fail(where + ": job " + std::to_string(job) + " has " + std::to_string(values.size()) + " values, expected " +
           std::to_string(names.size()));
    listed.push_back(static_cast<int>(job));
    out.jobs.emplace_back(static_cast<int>(job), std::move(values));
  }
  if (listed != expected)
    fail(where + ": shard " + shard_text(out.shard) + " holds jobs " + int_list(expected) + " (job i is in shard i % " +
         std::to_string(out.shard.count) + " + 1), but the file lists " + (listed.empty() ? "none" : int_list(listed)));
  return out;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto whole = [](const std::string& s) {
    return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (slash == std::string::npos || !whole(text.substr(0, slash)) || !whole(text.substr(slash + 1)))
    fail("needs K/N, shard K of N counted from 1, e.g. 2/3 (got \"" + text + "\")");
  Shard s;
  s.index = std::atoi(text.substr(0, slash).c_str());
  s.count = std::atoi(text.substr(slash + 1).c_str());
  if (s.count < 1 || s.count > kMaxSweepJobs)
    fail("N must be in 1.." + std::to_string(kMaxSweepJobs) + " (got " + text + ")");
  if (s.index < 1 || s.index > s.count)
    fail("K must be in 1..N (got " + text + (s.index == 0 ? "; shards count from 1" : "") + ")");
  return s;
}

std::string shard_text(Shard shard) { return std::to_string(shard.index) + "/" + std::to_string(shard.count); }

std::vector<int> shard_jobs(const SweepSpec& spec, Shard shard) {
  std::vector<int> jobs;
  for (int j = shard.index - 1; j < num_jobs(spec); j += shard.count) jobs.push_back(j);
  return jobs;
}

std::vector<std::string> job_value_names(const SweepSpec& spec) {
  if (spec.kind != "born_dead") return train_metric_names();
  std::vector<std::string> names = born_dead_metric_names();
  names.push_back("born_dead_se");  // run_job's third value (sweep.cpp)
  return names;
}

std::string sweep_partial_to_json(const SweepSpec& spec, Shard shard,
                                  const std::vector<std::vector<double>>& job_results, double elapsed_seconds) {
  const int total = num_jobs(spec);
  if (static_cast<int>(job_results.size()) != total)
    fail("sweep_partial_to_json: expected " + std::to_string(total) + " job results (got " +
         std::to_string(job_results.size()) + ")");
  json j;
  j["partial"] = {{"format", kPartialFormat},
                  {"shard", shard.index},
                  {"shards", shard.count},
                  {"jobs_total", total},
                  {"value_names", job_value_names(spec)}};
  j["sweep"] = json::parse(sweep_to_json(spec));
  j["elapsed_seconds"] = std::round(elapsed_seconds * 1000) / 1000;
  // One line per job, as the whole result has one per cell: diffable and greppable.
  std::string text = j.dump(1);
  text.pop_back();  // the closing brace
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text += ",\n \"jobs\": [";
  bool first = true;
  for (int job : shard_jobs(spec, shard)) {
    if (job_results[job].empty()) fail("sweep_partial_to_json: job " + std::to_string(job) + " was not run");
    json values = json::array();
    for (double x : job_results[job]) values.push_back(value_to_json(x));
    text += (first ? "\n  " : ",\n  ") + json{{"job", job}, {"values", values}}.dump();
    first = false;
  }
  return text + "\n ]\n}";
}

MergedSweep merge_sweep_partials(const std::vector<PartialText>& texts) {
  if (texts.empty()) fail("no partial results to merge");
  std::vector<Partial> parts;
  for (const PartialText& t : texts) {
    Partial p = read_partial(t);
    if (!parts.empty()) {
      const Partial& ref = parts.front();
      if (p.spec_text != ref.spec_text)
        fail(in_quotes(p.name) + " and " + in_quotes(ref.name) + " are partials of different sweeps (" +
             spec_difference(json::parse(p.spec_text), json::parse(ref.spec_text)) + ")");
      if (p.shard.count != ref.shard.count)
        fail(in_quotes(p.name) + " is shard " + shard_text(p.shard) + " and " + in_quotes(ref.name) + " shard " +
             shard_text(ref.shard) + ": the partials of one merge come from one shard count");
    }
    parts.push_back(std::move(p));
  }

  const int count = parts.front().shard.count;
  std::vector<const Partial*> by_shard(count + 1, nullptr);
  for (const Partial& p : parts) {
    const Partial*& slot = by_shard[p.shard.index];
    if (slot)
      fail("shard " + shard_text(p.shard) + " is given twice (" + in_quotes(slot->name) + " and " + in_quotes(p.name) + ")");
    slot = &p;
  }
  std::vector<int> missing;
  for (int k = 1; k <= count; ++k)
    if (!by_shard[k]) missing.push_back(k);
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 8; ++i)
      list += (i ? ", " : "") + std::to_string(missing[i]) + "/" + std::to_string(count);
    if (missing.size() > 8) list += ", ... (" + std::to_string(missing.size()) + " in all)";
    fail(std::string(missing.size() == 1 ? "missing shard " : "missing shards ") + list + ": a merge needs all " +
         std::to_string(count) + " shards' partials");
  }

  MergedSweep out;
  out.spec = parts.front().spec;
  out.shards = count;
  out.job_results.resize(num_jobs(out.spec));
  // Each shard's job list was checked against shard_jobs and the shards are 1..N once each,
  // so every job is filled exactly once.
  for (const Partial& p : parts) {
    out.elapsed_seconds += p.elapsed;
    for (const auto& job : p.jobs) out.job_results[job.first] = job.second;
  }
  return out;
}

}  // namespace relu
