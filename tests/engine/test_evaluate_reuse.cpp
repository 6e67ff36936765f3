// evaluate() takes the training loss and accuracy from the monitor's last pass over the
// training set when nothing has changed since (run.h): the same bits as a pass of its own,
// and never after a step, a setting, a revive, a frozen or ablated unit, new weights or a
// rollback, nor when the monitor evaluates a probe instead of the training set.
#include <catch2/catch.hpp>
#include <cstring>

#include "run.h"

using namespace relu;

namespace {
RunConfig config() {
  RunConfig c;
  c.data.name = "spiral";
  c.data.samples = 600;
  c.layers = {24, 24};
  c.optimizer.lr = 0.3;
  c.batch = 32;
  c.monitor_every = 10;
  c.data.test_fraction = 0.25;
  return c;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_same(const Evaluation& a, const Evaluation& b) {
  CHECK(same_bits(a.train_loss, b.train_loss));
  CHECK(same_bits(a.train_accuracy, b.train_accuracy));
  CHECK(same_bits(a.test_loss, b.test_loss));
  CHECK(same_bits(a.test_accuracy, b.test_accuracy));
}
}  // namespace

TEST_CASE("evaluate reuses the monitor's pass at a monitor step, bit for bit", "[evaluate]") {
  Run reused(config()), fresh(config());
  reused.step(20);
  fresh.step(20);
  REQUIRE(reused.evaluation_reuses_monitor());
  // Freezing a unit changes no output but counts as a change: fresh computes its own pass.
  fresh.set_frozen(0, 0, false);
  REQUIRE_FALSE(fresh.evaluation_reuses_monitor());
  check_same(reused.evaluate(), fresh.evaluate());
  // A multi-class net too (softmax CE, accuracy by argmax).
  RunConfig mc = config();
  mc.data.name = "csv";
  mc.data.csv_text = "a,b,c\n0,0,x\n1,0,y\n0,1,z\n1,1,x\n0.5,0.2,y\n0.1,0.9,z\n0.7,0.7,x\n0.3,0.4,y\n";
  mc.data.test_fraction = 0.25;
  mc.batch = 4;
  Run a(mc), b(mc);
  a.step(10);
  b.step(10);
  b.set_frozen(0, 1, true);
  b.set_frozen(0, 1, false);
  REQUIRE(a.evaluation_reuses_monitor());
  check_same(a.evaluate(), b.evaluate());
}

TEST_CASE("anything that can change the outputs ends the reuse", "[evaluate]") {
  Run run(config());
  run.step(10);
  REQUIRE(run.evaluation_reuses_monitor());
  run.step(1);  // not a monitor step
  CHECK_FALSE(run.evaluation_reuses_monitor());
  run.step(9);
  REQUIRE(run.evaluation_reuses_monitor());
  run.set("activation", "\"tanh\"");  // keeps the weights, changes every output
  CHECK_FALSE(run.evaluation_reuses_monitor());
  run.set("activation", "\"relu\"");
  run.monitor();  // an evaluation now: the reuse comes back
  REQUIRE(run.evaluation_reuses_monitor());
  run.set_ablated(1, 3, true);
  CHECK_FALSE(run.evaluation_reuses_monitor());
  // Revive, imported weights and rollback evaluate the monitor after they change the weights:
  // the reuse then describes the new weights.
  run.revive_neuron(0, 2);
  CHECK(run.evaluation_reuses_monitor());
  const std::string w = run.export_weights();
  run.step(3);
  CHECK_FALSE(run.evaluation_reuses_monitor());
  run.import_weights(w);
  CHECK(run.evaluation_reuses_monitor());
  Run other(config());
  other.import_weights(w);
  other.set_ablated(1, 3, true);
  other.set_frozen(0, 0, false);
  CHECK_FALSE(other.evaluation_reuses_monitor());
  check_same(run.evaluate(), other.evaluate());  // the reused pass after the import is the weights' own
}

TEST_CASE("a probe or the batch as the evaluation set is not the training set: no reuse", "[evaluate]") {
  RunConfig c = config();
  c.monitor.dead = dead_definition_from_string("probe:64");
  Run run(c);
  run.step(10);
  CHECK_FALSE(run.evaluation_reuses_monitor());
}
