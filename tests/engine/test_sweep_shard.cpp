// Sharded sweeps (engine/sweep_shard.h): shard assignment, values that survive the partial's
// JSON bit for bit, shards merged equal to the whole sweep, and each refusal of the merge.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sweep.h"
#include "sweep_shard.h"

namespace {

const char* const kSpec =
    R"({"base":{"dataset":"xor","samples":100,"layers":[4]},"axes":{"lr":[0.1,100],"activation":["relu","elu"]},
        "seeds":2,"steps":20})";

std::vector<std::vector<double>> run_jobs(const relu::SweepSpec& spec, const std::vector<int>& jobs) {
  std::vector<std::vector<double>> results(relu::num_jobs(spec));
  for (int j : jobs) results[j] = relu::run_job(spec, j);
  return results;
}

std::vector<int> all_jobs(const relu::SweepSpec& spec) {
  std::vector<int> v;
  for (int j = 0; j < relu::num_jobs(spec); ++j) v.push_back(j);
  return v;
}

// The partials of an N-way split, named p1.json .. pN.json.
std::vector<relu::PartialText> partials(const relu::SweepSpec& spec, int n) {
  std::vector<relu::PartialText> out;
  for (int k = 1; k <= n; ++k) {
    const relu::Shard s{k, n};
    out.push_back({"p" + std::to_string(k) + ".json",
                   relu::sweep_partial_to_json(spec, s, run_jobs(spec, relu::shard_jobs(spec, s)), 0.5)});
  }
  return out;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("parse_shard reads K/N counted from 1 and names each fault", "[sweep][shard]") {
  CHECK(relu::parse_shard("2/3").index == 2);
  CHECK(relu::parse_shard("2/3").count == 3);
  CHECK(relu::parse_shard("1/1").count == 1);
  CHECK(relu::shard_text(relu::parse_shard("7/12")) == "7/12");
  CHECK_THROWS_WITH(relu::parse_shard("4/3"), "K must be in 1..N (got 4/3)");
  CHECK_THROWS_WITH(relu::parse_shard("0/3"), "K must be in 1..N (got 0/3; shards count from 1)");
  CHECK_THROWS_WITH(relu::parse_shard("1/0"), Catch::StartsWith("N must be in 1.."));
  for (const char* bad : {"", "3", "/3", "1/", "a/3", "-1/3", "1/3/3", " 1/3", "1e3/5000", "9999999999/1"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH(relu::parse_shard(bad), Catch::StartsWith("needs K/N"));
  }
}

TEST_CASE("shards split the jobs round robin, each job once", "[sweep][shard]") {
  const relu::SweepSpec spec = relu::sweep_from_json(kSpec);  // 8 jobs
  CHECK(relu::shard_jobs(spec, {1, 3}) == std::vector<int>{0, 3, 6});
  CHECK(relu::shard_jobs(spec, {2, 3}) == std::vector<int>{1, 4, 7});
  CHECK(relu::shard_jobs(spec, {3, 3}) == std::vector<int>{2, 5});
  CHECK(relu::shard_jobs(spec, {1, 1}) == all_jobs(spec));
  CHECK(relu::shard_jobs(spec, {10, 10}).empty());  // more shards than jobs: some hold none
}

TEST_CASE("a partial keeps every value's bits, non-finite ones included", "[sweep][shard]") {
  const relu::SweepSpec spec = relu::sweep_from_json(R"({"axes":{"lr":[0.1]},"seeds":1,"steps":1})");
  const double awkward[] = {0.1 + 0.2,
                            -0.0,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::max(),
                            -std::numeric_limits<double>::min(),
                            1.0 / 3,
                            std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            12345678901234567.0,
                            5e-324 * 3};
  std::vector<std::vector<double>> results(1, std::vector<double>(std::begin(awkward), std::end(awkward)));
  REQUIRE(results[0].size() == relu::job_value_names(spec).size());
  const std::string text = relu::sweep_partial_to_json(spec, {1, 1}, results, 0);
  const relu::MergedSweep m = relu::merge_sweep_partials({{"p.json", text}});
  REQUIRE(m.job_results.size() == 1);
  REQUIRE(m.job_results[0].size() == results[0].size());
  for (size_t i = 0; i < results[0].size(); ++i) {
    CAPTURE(i, results[0][i], m.job_results[0][i]);
    if (std::isnan(results[0][i])) CHECK(std::isnan(m.job_results[0][i]));
    else CHECK(same_bits(results[0][i], m.job_results[0][i]));
  }
}

TEST_CASE("3 shards merged give the whole sweep's JSON and CSV", "[sweep][shard]") {
  for (const char* text : {kSpec, R"({"kind":"born_dead","axes":{"width":[2,3,4],"depth":[5]},"trials":100})"}) {
    const relu::SweepSpec spec = relu::sweep_from_json(text);
    CAPTURE(spec.kind);
    const relu::SweepResult whole = relu::aggregate_sweep(spec, run_jobs(spec, all_jobs(spec)));
    std::vector<relu::PartialText> parts = partials(spec, 3);
    std::swap(parts[0], parts[2]);  // any order
    const relu::MergedSweep m = relu::merge_sweep_partials(parts);
    CHECK(m.shards == 3);
    CHECK(m.elapsed_seconds == 1.5);  // the shards' times added up
    const relu::SweepResult merged = relu::aggregate_sweep(m.spec, m.job_results);
    CHECK(relu::sweep_result_to_json(m.spec, merged, 1) == relu::sweep_result_to_json(spec, whole, 1));
    CHECK(relu::sweep_result_to_csv(m.spec, merged) == relu::sweep_result_to_csv(spec, whole));
    CHECK(merged.jobs_done == relu::num_jobs(spec));
  }
}

TEST_CASE("merge refuses what would not give the whole sweep", "[sweep][shard]") {
  const relu::SweepSpec spec = relu::sweep_from_json(kSpec);
  const std::vector<relu::PartialText> p = partials(spec, 3);
  using Catch::Contains;

  SECTION("nothing to merge") { CHECK_THROWS_WITH(relu::merge_sweep_partials({}), "no partial results to merge"); }
  SECTION("a missing shard") {
    CHECK_THROWS_WITH(relu::merge_sweep_partials({p[0], p[2]}), Contains("missing shard 2/3"));
    CHECK_THROWS_WITH(relu::merge_sweep_partials({p[2]}), Contains("missing shards 1/3, 2/3"));
  }
  SECTION("a shard twice") {
    relu::PartialText copy = p[1];
    copy.name = "copy.json";
    CHECK_THROWS_WITH(relu::merge_sweep_partials({p[0], p[1], copy, p[2]}),
                      "shard 2/3 is given twice (\"p2.json\" and \"copy.json\")");
  }
  SECTION("another sweep") {
    relu::SweepSpec other = spec;
    other.first_seed = 5;
    const relu::Shard s{2, 3};
    const relu::PartialText q{"q.json", relu::sweep_partial_to_json(other, s, run_jobs(other, relu::shard_jobs(other, s)), 0)};
    CHECK_THROWS_WITH(relu::merge_sweep_partials({p[0], q, p[2]}),
                      Contains("\"q.json\" and \"p1.json\" are partials of different sweeps (\"first_seed\": 5 against 1)"));
  }
  SECTION("another shard count") {
    const relu::Shard s{2, 4};
    const relu::PartialText q{"q.json", relu::sweep_partial_to_json(spec, s, run_jobs(spec, relu::shard_jobs(spec, s)), 0)};
    CHECK_THROWS_WITH(relu::merge_sweep_partials({p[0], q}), Contains("\"q.json\" is shard 2/4 and \"p1.json\" shard 1/3"));
  }
  SECTION("not a partial") {
    const std::string whole =
        relu::sweep_result_to_json(spec, relu::aggregate_sweep(spec, run_jobs(spec, all_jobs(spec))), 0);
    CHECK_THROWS_WITH(relu::merge_sweep_partials({{"w.json", whole}}), Contains("a whole sweep's result, not a partial"));
    CHECK_THROWS_WITH(relu::merge_sweep_partials({{"x.json", "[1, 2]"}}), Contains("\"x.json\" is not a partial sweep result"));
  }
  SECTION("not JSON") {
    CHECK_THROWS_WITH(relu::merge_sweep_partials({{"x.json", p[0].text.substr(0, 200)}}),
                      Catch::StartsWith("\"x.json\" is not valid JSON (parse error"));
    CHECK_THROWS_WITH(relu::merge_sweep_partials({{"x.json", R"({"partial": 1e999})"}}),
                      Catch::StartsWith("\"x.json\" is not valid JSON (number overflow"));
  }
  SECTION("a damaged partial") {
    auto edit = [&](auto change) {
      auto d = nlohmann::ordered_json::parse(p[0].text);
      change(d);
      return relu::PartialText{"d.json", d.dump()};
    };
    CHECK_THROWS_WITH(relu::merge_sweep_partials({edit([](auto& d) { d["jobs"].erase(1); }), p[1], p[2]}),
                      Contains("shard 1/3 holds jobs 0, 3, 6 (job i is in shard i % 3 + 1), but the file lists 0, 6"));
    CHECK_THROWS_WITH(relu::merge_sweep_partials({edit([](auto& d) { d["jobs"][0]["values"][2] = true; }), p[1], p[2]}),
                      Contains("job 0's values must be numbers"));
    CHECK_THROWS_WITH(relu::merge_sweep_partials({edit([](auto& d) { d["partial"]["format"] = 2; }), p[1], p[2]}),
                      Contains("partial format 2 is not the one this relu-lab reads"));
    CHECK_THROWS_WITH(relu::merge_sweep_partials({edit([](auto& d) { d["partial"]["value_names"].erase(0); }), p[1], p[2]}),
                      Contains("written by another version?"));
    CHECK_THROWS_WITH(relu::merge_sweep_partials({edit([](auto& d) { d["partial"]["shard"] = 4; }), p[1], p[2]}),
                      Contains("partial.shard must be in 1..partial.shards (got 4/3)"));
  }
}
