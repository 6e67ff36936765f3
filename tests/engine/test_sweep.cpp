// Sweeps: aggregation against hand-computed numbers, job layout, born-dead ordering.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "born_dead.h"
#include "config.h"
#include "run.h"
#include "sweep.h"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

TEST_CASE("aggregate: mean and standard error match hand computation", "[sweep]") {
  SECTION("1, 2, 3, 4") {
    // mean 2.5; deviations -1.5 -0.5 0.5 1.5, squares sum 5; sample var 5/3;
    // std sqrt(5/3) = 1.2909944; se = std / sqrt(4) = 0.6454972
    const relu::Stats s = relu::aggregate({1, 2, 3, 4});
    CHECK(s.n == 4);
    CHECK_THAT(s.mean, WithinRel(2.5, 1e-12));
    CHECK_THAT(s.std_error, WithinRel(0.6454972243679028, 1e-12));
    CHECK(s.values.size() == 4);
  }
  SECTION("0, 0, 1 (a dead share over three seeds)") {
    // mean 1/3; squares (1/9 + 1/9 + 4/9) = 2/3; var 1/3; se sqrt(1/3)/sqrt(3) = 1/3
    const relu::Stats s = relu::aggregate({0, 0, 1});
    CHECK_THAT(s.mean, WithinRel(1.0 / 3, 1e-12));
    CHECK_THAT(s.std_error, WithinRel(1.0 / 3, 1e-12));
  }
  SECTION("identical values have zero standard error") {
    const relu::Stats s = relu::aggregate({0.25, 0.25, 0.25});
    CHECK_THAT(s.mean, WithinRel(0.25, 1e-12));
    CHECK_THAT(s.std_error, WithinAbs(0, 1e-15));
  }
  SECTION("one value: no spread to estimate") {
    const relu::Stats s = relu::aggregate({7});
    CHECK(s.n == 1);
    CHECK(s.mean == 7);
    CHECK(s.std_error == 0);
  }
  SECTION("non-finite values stay in the distribution but not in the statistics") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const relu::Stats s = relu::aggregate({2, nan, 4, std::numeric_limits<double>::infinity()});
    CHECK(s.n == 2);
    CHECK(s.values.size() == 4);
    CHECK_THAT(s.mean, WithinRel(3.0, 1e-12));
    // deviations -1, 1: var 2, std sqrt 2, se sqrt(2)/sqrt(2) = 1
    CHECK_THAT(s.std_error, WithinRel(1.0, 1e-12));
  }
  SECTION("no values") {
    const relu::Stats s = relu::aggregate({});
    CHECK(s.n == 0);
    CHECK(std::isnan(s.mean));
  }
}

TEST_CASE("aggregate_sweep groups jobs by cell, seeds fastest", "[sweep]") {
  const relu::SweepSpec spec = relu::sweep_from_json(
      R"({"base":{"dataset":"xor","layers":[4]},"axes":{"lr":[0.1,1],"activation":["relu","elu"]},
          "seeds":3,"steps":5,"metrics":["dead","final_loss"]})");
  REQUIRE(relu::num_cells(spec) == 4);
  REQUIRE(relu::num_jobs(spec) == 12);
  CHECK(relu::cell_values(spec, 1) == std::vector<std::string>{"0.1", "\"elu\""});
  CHECK(relu::cell_values(spec, 2) == std::vector<std::string>{"1", "\"relu\""});
  CHECK(relu::job_config(spec, 7).seed == 2);  // cell 2, repeat 1
  CHECK(relu::job_config(spec, 7).optimizer.lr == 1.0);

  // Synthetic job results, all metrics in train_metric_names() order; dead is index 3.
  const size_t nm = relu::train_metric_names().size();
  std::vector<std::vector<double>> results(12);
  const double dead[3] = {0.0, 0.25, 0.5};  // cell 0: mean 0.25, se 0.25/sqrt(3)... see below
  for (int r = 0; r < 3; ++r) {
    results[r].assign(nm, 0);
    results[r][3] = dead[r];
    results[r][0] = 1.0 + r;  // final_loss 1, 2, 3
  }
  results[3].assign(nm, 0.5);  // cell 1: only one of three seeds done (a cancelled sweep)
  const relu::SweepResult res = relu::aggregate_sweep(spec, results);
  REQUIRE(res.metric_names == std::vector<std::string>{"dead", "final_loss"});
  CHECK(res.jobs_done == 4);
  CHECK(res.cells[0].jobs_done == 3);
  // dead 0, .25, .5: mean .25, var ((.25^2)*2)/2 = .0625, std .25, se .25/sqrt(3)
  CHECK_THAT(res.cells[0].metrics[0].mean, WithinRel(0.25, 1e-12));
  CHECK_THAT(res.cells[0].metrics[0].std_error, WithinRel(0.25 / std::sqrt(3.0), 1e-12));
  CHECK_THAT(res.cells[0].metrics[1].mean, WithinRel(2.0, 1e-12));
  CHECK_THAT(res.cells[0].metrics[1].std_error, WithinRel(1.0 / std::sqrt(3.0), 1e-12));
  CHECK(res.cells[1].jobs_done == 1);
  CHECK(res.cells[1].metrics[0].n == 1);
  CHECK(res.cells[2].jobs_done == 0);
  CHECK(std::isnan(res.cells[2].metrics[0].mean));

  const auto j = nlohmann::json::parse(relu::sweep_result_to_json(spec, res, 1.0));
  CHECK(j["cells"][0]["settings"]["lr"] == 0.1);
  CHECK(j["cells"][0]["metrics"]["dead"]["values"].size() == 3);
  CHECK(j["cells"][2]["metrics"]["dead"]["mean"].is_null());
  const std::string csv = relu::sweep_result_to_csv(spec, res);
  CHECK(csv.rfind("lr,activation,runs,dead_mean,dead_se,dead_n,final_loss_mean", 0) == 0);
}

TEST_CASE("sweep specs are checked before anything runs", "[sweep]") {
  CHECK_THROWS_WITH(relu::sweep_from_json(R"({"axes":{"lr":[0.1,-1]}})"), Catch::Contains("lr=-1"));
  CHECK_THROWS_WITH(relu::sweep_from_json(R"({"metrics":["deadd"]})"), Catch::Contains("did you mean \"dead\""));
  CHECK_THROWS_WITH(relu::sweep_from_json(R"({"axes":{"lr":[]}})"), Catch::Contains("no values"));
  CHECK_THROWS_WITH(relu::sweep_from_json(R"({"seeds":0})"), Catch::Contains("seeds"));
  CHECK_THROWS_WITH(relu::sweep_from_json(R"({"kind":"born_dead","axes":{"lr":[1]}})"), Catch::Contains("width, depth"));
  for (const auto& name : relu::study_names()) {
    CAPTURE(name);
    CHECK_NOTHROW(relu::builtin_study(name, false));
    CHECK_NOTHROW(relu::builtin_study(name, true));
    CHECK(!relu::study_description(name).empty());
  }
}

namespace {
// Every job of a sweep in order, in this thread (what relu-lab sweep spreads over workers).
std::vector<std::vector<double>> run_all_jobs(const relu::SweepSpec& spec) {
  std::vector<std::vector<double>> results;
  for (int j = 0; j < relu::num_jobs(spec); ++j) results.push_back(relu::run_job(spec, j));
  return results;
}
}  // namespace

TEST_CASE("a train sweep runs real cells", "[sweep]") {
  const relu::SweepSpec spec = relu::sweep_from_json(
      R"({"base":{"dataset":"xor","samples":100,"layers":[4]},"axes":{"lr":[0.01]},"seeds":2,"steps":20})");
  const std::vector<std::vector<double>> results = run_all_jobs(spec);
  const relu::SweepResult res = relu::aggregate_sweep(spec, results);
  REQUIRE(res.cells.size() == 1);
  for (size_t m = 0; m < res.metric_names.size(); ++m) {
    CAPTURE(res.metric_names[m]);
    CHECK(res.cells[0].metrics[m].values.size() == 2);
    // A dense net has no conv channels to count.
    const bool channels = res.metric_names[m].find("channels") != std::string::npos;
    CHECK(std::isfinite(res.cells[0].metrics[m].mean) != channels);
  }
  // Same seed, same numbers: the sweep is reproducible (NaN, the channel metrics, as NaN).
  const std::vector<double> again = relu::run_job(spec, 1);
  REQUIRE(again.size() == results[1].size());
  for (size_t m = 0; m < again.size(); ++m) CHECK((again[m] == results[1][m] || (std::isnan(again[m]) && std::isnan(results[1][m]))));
}

TEST_CASE("a small born-dead sweep: monotone in depth, reversed in width", "[sweep]") {
  const relu::SweepSpec spec = relu::sweep_from_json(
      R"({"kind":"born_dead","axes":{"width":[2,3,5],"depth":[2,6,20]},"trials":2000,"metrics":["born_dead","reference"]})");
  const std::vector<std::vector<double>> results = run_all_jobs(spec);
  const relu::SweepResult res = relu::aggregate_sweep(spec, results);
  auto p = [&](int w, int d) { return res.cells[w * 3 + d].metrics[0].mean; };
  auto ref = [&](int w, int d) { return res.cells[w * 3 + d].metrics[1].mean; };
  for (int w = 0; w < 3; ++w)
    for (int d = 0; d < 3; ++d) {
      CAPTURE(w, d, p(w, d), ref(w, d));
      CHECK(res.cells[w * 3 + d].metrics[0].std_error <= 0.5 / std::sqrt(2000.0) + 1e-12);
      // deeper: more often born dead (strictly, beyond Monte Carlo noise where p is not saturated)
      if (d > 0) {
        CHECK(p(w, d) >= p(w, d - 1));
        CHECK(ref(w, d) > ref(w, d - 1));
      }
      // wider: less often
      if (w > 0) {
        CHECK(p(w, d) <= p(w - 1, d));
        CHECK(ref(w, d) < ref(w - 1, d));
      }
    }
  CHECK(p(0, 2) > p(0, 0) + 0.2);  // width 2: from depth 2 to 20 the probability climbs a lot
  CHECK(p(0, 2) > p(2, 2) + 0.2);  // and width 5 at depth 20 is far safer than width 2
}

TEST_CASE("dead_channels counts the conv layers' channels alone; dead pools every hidden unit", "[sweep][conv]") {
  // Two conv layers (4 and 2 channels) and a dense layer (8 neurons) on mnist14, every
  // weight zeroed so that each unit's z is its bias at every position of every input: a bias
  // of -1 makes it dead, +1 alive everywhere.
  //   conv 1: channel 0 dead of 4; conv 2: channel 1 dead of 2; dense: neuron 3 dead of 8.
  // dead_channels = 2/6. Counting it wrong gives another number: the first conv layer alone
  // 1/4, the second alone 1/2, the mean of the two layers' shares 3/8, dense neurons
  // included 3/14 (which is the pooled `dead`).
  relu::Run run(relu::config_from_json(R"j({"dataset":"mnist14","samples":400,
      "net":"conv2d(4,3,same),maxpool(2),conv2d(2,3,same),dense(8)","monitor_every":1000000})j"));
  auto& m = run.model();
  REQUIRE(m.num_hidden() == 3);
  REQUIRE(!m.is_dense(0));
  REQUIRE(!m.is_dense(1));
  REQUIRE(m.is_dense(2));
  for (int l = 0; l < 3; ++l)
    for (int i = 0; i < m.layer(l).units(); ++i) m.layer(l).incoming(m.params.data(), i).setZero();
  m.b(0) << -1.0f, 1.0f, 1.0f, 1.0f;
  m.b(1) << 1.0f, -1.0f;
  m.b(2).setConstant(1.0f);
  m.b(2)(3) = -1.0f;
  run.monitor();
  const auto& names = relu::train_metric_names();
  auto metric = [&](const std::vector<double>& v, const std::string& name) {
    return v[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  std::vector<double> v = relu::run_metrics(run);
  REQUIRE(v.size() == names.size());
  CHECK(metric(v, "dead_channels") == 2.0 / 6);
  CHECK(metric(v, "no_positive_channels") == 2.0 / 6);
  CHECK(metric(v, "dead") == 3.0 / 14);
  // Leaky ReLU: nothing is dead by definition, but the same channels are still never active.
  run.set("activation", "\"leaky_relu\"");
  run.monitor();
  v = relu::run_metrics(run);
  CHECK(metric(v, "dead_channels") == 0.0);
  CHECK(metric(v, "no_positive_channels") == 2.0 / 6);
  CHECK(metric(v, "no_positive") == 3.0 / 14);
  // A dense net has no channels: NaN, which a sweep's statistics leave out.
  relu::Run dense(relu::config_from_json(R"({"dataset":"xor","samples":50,"layers":[4]})"));
  v = relu::run_metrics(dense);
  CHECK(std::isnan(metric(v, "dead_channels")));
  CHECK(std::isnan(metric(v, "no_positive_channels")));
  CHECK(std::isfinite(metric(v, "dead")));
}
