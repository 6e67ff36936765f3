// Divergence is caught at the step where it happens, and rollback returns to the
// last finite checkpoint.
#include <catch2/catch.hpp>
#include <cmath>

#include "run.h"

using namespace relu;

namespace {
RunConfig exploding_config() {
  // Plain SGD at rate 0.5 on a regression plane: the gradient explodes within a few steps.
  RunConfig c;
  c.data.name = "reg-plane";
  c.layers = {16, 16};
  c.optimizer.lr = 0.5;
  c.batch = 16;
  c.monitor_every = 5;
  return c;
}

bool all_finite(const std::vector<float>& v) {
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}
}  // namespace

TEST_CASE("a diverging run stops at the step that produced a non-finite number and says where", "[divergence]") {
  Run run(exploding_config());
  run.step(1000);
  REQUIRE(run.diverged());
  const auto& d = run.divergence();
  CHECK(d.step == run.steps_done());
  CHECK(d.step < 1000);
  CHECK((d.what == "loss" || d.what == "gradient" || d.what == "parameters"));
  if (d.what != "loss") CHECK(d.layer >= 0);
  // Further steps do nothing until a rollback.
  const int64_t at = run.steps_done();
  run.step(10);
  CHECK(run.steps_done() == at);
}

TEST_CASE("rollback restores the last finite state, which trains on at a sane rate", "[divergence]") {
  Run run(exploding_config());
  run.step(1000);
  REQUIRE(run.diverged());
  const int64_t diverged_at = run.divergence().step;
  const int64_t back = run.rollback();
  CHECK_FALSE(run.diverged());
  CHECK(back == run.checkpoint_step());
  CHECK(back < diverged_at);
  CHECK(back % 5 == 0);
  CHECK(run.steps_done() == back);
  CHECK(all_finite(run.model().params));
  run.set("lr", "0.001");
  run.step(50);
  CHECK_FALSE(run.diverged());
  CHECK(std::isfinite(run.evaluate().train_loss));
}

TEST_CASE("rollback from a healthy run returns to the latest checkpoint exactly", "[divergence]") {
  RunConfig c;
  c.data.name = "circle";
  c.layers = {8};
  c.monitor_every = 10;
  Run run(c);
  run.step(20);
  const std::vector<float> at20 = run.model().params;
  run.step(7);
  CHECK(run.rollback() == 20);
  CHECK(run.model().params == at20);
}
