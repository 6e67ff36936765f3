#include "born_dead.h"

#include <Eigen/Core>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "init.h"
#include "rng.h"

namespace relu {

namespace {

void check_range(const char* name, long long value, long long lo, long long hi) {
  if (value < lo || value > hi)
    throw std::invalid_argument(std::string(name) + " must be an integer in " + std::to_string(lo) + ".." +
                                std::to_string(hi) + " (got " + std::to_string(value) + ")");
}

// One network: true when some hidden layer is zero on every grid point.
bool born_dead_once(const BornDeadSpec& spec, const InitSpec& init, bool normal_bias, const Eigen::MatrixXf& grid,
                    Rng& rng, std::vector<float>& row) {
  Eigen::MatrixXf a = grid;
  Eigen::MatrixXf w, z;
  Eigen::VectorXf b;
  for (int l = 0; l < spec.depth; ++l) {
    const int fan_in = static_cast<int>(a.rows());
    const int fan_out = l + 1 < spec.depth ? spec.width : 1;
    w.resize(spec.width, fan_in);
    b.resize(spec.width);
    row.resize(fan_in);
    for (int i = 0; i < spec.width; ++i) {
      float bias = 0.0f;
      const bool set_bias = init_row<float>(init, fan_in, fan_out, rng, row.data(), &bias);
      if (!normal_bias)
        bias = 0.0f;
      else if (!set_bias)  // he_normal: the bias shares the weights' N(0, 2 / fan_in)
        bias = static_cast<float>(rng.normal() * std::sqrt(2.0 / fan_in));
      w.row(i) = Eigen::Map<const Eigen::RowVectorXf>(row.data(), fan_in);
      b(i) = bias;
    }
    z.noalias() = w * a;
    z.colwise() += b;
    a = z.cwiseMax(0.0f);
    // Once a layer is silent everywhere every later layer sees a constant input:
    // the network is already a constant.
    if (!(a.array() > 0.0f).any()) return true;
  }
  return false;
}

}  // namespace

BornDeadResult born_dead_probability(const BornDeadSpec& spec) {
  check_range("width", spec.width, 1, kBornDeadMaxWidth);
  check_range("depth", spec.depth, 1, kBornDeadMaxDepth);
  check_range("trials", spec.trials, 1, kBornDeadMaxTrials);
  check_range("points", spec.points, 2, kBornDeadMaxPoints);
  if (spec.init != "he_normal" && spec.init != "rai")
    throw std::invalid_argument("init must be he_normal or rai (got \"" + spec.init + "\")");
  const std::string bias = spec.bias.empty() ? (spec.init == "rai" ? "normal" : "zero") : spec.bias;
  if (bias != "zero" && bias != "normal")
    throw std::invalid_argument("bias must be zero or normal (got \"" + bias + "\")");

  const InitSpec init = init_from_name(spec.init);
  Eigen::MatrixXf grid(1, spec.points);
  for (int j = 0; j < spec.points; ++j) grid(0, j) = static_cast<float>(-1.0 + 2.0 * j / (spec.points - 1));

  // Each trial has its own generator, seeded from the init stream: trial t then
  // draws the same first layers whatever the depth, so the estimate is exactly
  // monotone in depth for a fixed seed (a deeper net contains the shallower one).
  Rng seeds(derive_seed(spec.seed, kStreamInit));
  Rng rng;
  std::vector<float> row;
  BornDeadResult r;
  r.bias = bias;
  for (int t = 0; t < spec.trials; ++t) {
    rng.reseed(seeds.next_u64());
    r.dead_trials += born_dead_once(spec, init, bias == "normal", grid, rng, row);
  }
  const double p = static_cast<double>(r.dead_trials) / spec.trials;
  r.probability = p;
  r.std_error = std::sqrt(p * (1 - p) / spec.trials);
  // -expm1(L log1p(-2^-N)) is 1 - (1 - 2^-N)^L without cancellation for wide layers.
  r.reference = -std::expm1(spec.depth * std::log1p(-std::ldexp(1.0, -spec.width)));
  return r;
}

}  // namespace relu
