// Optimisers against closed forms written out by hand (PyTorch conventions, see optimizer.h):
// three steps of a known gradient sequence on a 3-entry parameter vector whose last entry is
// a bias (decay mask 0).
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "optimizer.h"

using namespace relu;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

const std::vector<double> kP0 = {0.5, -1.0, 2.0};
const std::vector<uint8_t> kMask = {1, 1, 0};
const std::vector<double> kG[3] = {{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.05}, {0.2, 0.2, -0.6}};

template <typename T = double>
std::vector<T> run_steps(Optimizer<T>& opt, int steps, std::vector<T> p = std::vector<T>(kP0.begin(), kP0.end())) {
  for (int t = 0; t < steps; ++t) {
    std::vector<T> g(kG[t].begin(), kG[t].end());
    opt.step(p, g, kMask);
  }
  return p;
}

void check_vec(const std::vector<double>& got, const std::vector<double>& expected, double rel = 1e-12) {
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i, got[i], expected[i]);
    CHECK_THAT(got[i], WithinRel(expected[i], rel) || WithinAbs(expected[i], 1e-15));
  }
}

OptimizerSpec spec_of(OptimizerKind k, double lr) {
  OptimizerSpec s;
  s.kind = k;
  s.lr = lr;
  return s;
}

}  // namespace

TEST_CASE("optimizer names", "[optimizers]") {
  for (const char* name : {"sgd", "momentum", "rmsprop", "adam", "adamw"})
    CHECK(std::string(optimizer_name(optimizer_from_name(name))) == name);
  CHECK(optimizer_names() == std::vector<std::string>{"sgd", "momentum", "rmsprop", "adam", "adamw"});
  CHECK_THROWS_AS(optimizer_from_name("adamax"), std::invalid_argument);
}

TEST_CASE("sgd: p -= lr g", "[optimizers]") {
  Optimizer<double> opt(spec_of(OptimizerKind::Sgd, 0.1), 3);
  // p3 = p0 - 0.1 (g1 + g2 + g3); sums (-0.1, 0.5, -0.25).
  check_vec(run_steps(opt, 3), {0.51, -1.05, 2.025});
  CHECK(opt.t() == 3);
}

TEST_CASE("momentum: v = mu v + g, p -= lr v", "[optimizers]") {
  OptimizerSpec s = spec_of(OptimizerKind::Momentum, 0.1);
  s.momentum = 0.9;
  Optimizer<double> opt(s, 3);
  // v1 = g1, v2 = 0.9 g1 + g2, v3 = 0.81 g1 + 0.9 g2 + g3; p3 = p0 - 0.1 (2.71 g1 + 1.9 g2 + g3)
  check_vec(run_steps(opt, 1), {0.49, -0.98, 1.97});
  Optimizer<double> opt3(s, 3);
  check_vec(run_steps(opt3, 3), {0.5289, -1.0608, 1.9692});
}

TEST_CASE("nesterov momentum: p -= lr (g + mu v)", "[optimizers]") {
  OptimizerSpec s = spec_of(OptimizerKind::Momentum, 0.1);
  s.momentum = 0.9;
  s.nesterov = true;
  Optimizer<double> opt(s, 3);
  // sum_t (g_t + 0.9 v_t) = 3.439 g1 + 2.71 g2 + 1.9 g3
  check_vec(run_steps(opt, 3), {0.53601, -1.10472, 1.99728});
  // First step: p -= lr (1 + mu) g1.
  Optimizer<double> one(s, 3);
  check_vec(run_steps(one, 1), {0.5 - 0.1 * 1.9 * 0.1, -1.0 + 0.1 * 1.9 * 0.2, 2.0 - 0.1 * 1.9 * 0.3});
}

TEST_CASE("rmsprop: s = rho s + (1 - rho) g^2, p -= lr g / (sqrt(s) + eps)", "[optimizers]") {
  OptimizerSpec spec = spec_of(OptimizerKind::Rmsprop, 0.01);
  spec.rho = 0.99;
  spec.eps = 1e-8;
  // Step 1: s = 0.01 g^2, so the step is lr g / (0.1 |g| + eps) ~= 0.1 sign(g).
  {
    Optimizer<double> opt(spec, 3);
    check_vec(run_steps(opt, 1), {0.4, -0.9, 1.9}, 1e-6);
  }
  Optimizer<double> opt(spec, 3);
  const std::vector<double> got = run_steps(opt, 3);
  for (int i = 0; i < 3; ++i) {
    const double g1 = kG[0][i], g2 = kG[1][i], g3 = kG[2][i];
    const double s1 = 0.01 * g1 * g1;
    const double s2 = 0.99 * s1 + 0.01 * g2 * g2;
    const double s3 = 0.99 * s2 + 0.01 * g3 * g3;
    const double expected = kP0[i] - 0.01 * (g1 / (std::sqrt(s1) + 1e-8) + g2 / (std::sqrt(s2) + 1e-8) +
                                             g3 / (std::sqrt(s3) + 1e-8));
    CAPTURE(i);
    CHECK_THAT(got[i], WithinRel(expected, 1e-12));
  }
}

TEST_CASE("adam: bias-corrected moments", "[optimizers]") {
  OptimizerSpec spec = spec_of(OptimizerKind::Adam, 0.001);
  spec.beta1 = 0.9;
  spec.beta2 = 0.999;
  spec.eps = 1e-8;
  // Step 1: m_hat = g, v_hat = g^2, so the step is lr g / (|g| + eps) ~= lr sign(g).
  {
    Optimizer<double> opt(spec, 3);
    check_vec(run_steps(opt, 1), {0.499, -0.999, 1.999}, 1e-9);
  }
  Optimizer<double> opt(spec, 3);
  const std::vector<double> got = run_steps(opt, 3);
  for (int i = 0; i < 3; ++i) {
    const double g1 = kG[0][i], g2 = kG[1][i], g3 = kG[2][i];
    const double m1 = 0.1 * g1, v1 = 0.001 * g1 * g1;
    const double m2 = 0.9 * m1 + 0.1 * g2, v2 = 0.999 * v1 + 0.001 * g2 * g2;
    const double m3 = 0.9 * m2 + 0.1 * g3, v3 = 0.999 * v2 + 0.001 * g3 * g3;
    const double d1 = (m1 / (1 - 0.9)) / (std::sqrt(v1 / (1 - 0.999)) + 1e-8);
    const double d2 = (m2 / (1 - 0.81)) / (std::sqrt(v2 / (1 - 0.998001)) + 1e-8);
    const double d3 = (m3 / (1 - 0.729)) / (std::sqrt(v3 / (1 - 0.997002999)) + 1e-8);
    CAPTURE(i);
    CHECK_THAT(got[i], WithinRel(kP0[i] - 0.001 * (d1 + d2 + d3), 1e-12));
  }
  CHECK(opt.t() == 3);
}

TEST_CASE("adamw: p *= 1 - lr wd on the weights, then adam's step", "[optimizers][adamw]") {
  OptimizerSpec spec = spec_of(OptimizerKind::AdamW, 0.01);
  spec.weight_decay = 0.1;
  Optimizer<double> opt(spec, 3);
  const std::vector<double> got = run_steps(opt, 3);
  // Adam's closed form with the decay first at every step: p_t = p_{t-1} (1 - lr wd) - lr d_t
  // for the weights (mask 1), p_t = p_{t-1} - lr d_t for the bias (mask 0). The decay is not
  // in the gradient: m and v see only g (the difference from adam with l2).
  for (int i = 0; i < 3; ++i) {
    double m = 0, v = 0, p = kP0[i];
    for (int t = 1; t <= 3; ++t) {
      const double g = kG[t - 1][i];
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      const double d = (m / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
      p = p * (kMask[i] ? 1 - 0.01 * 0.1 : 1.0) - 0.01 * d;
    }
    CAPTURE(i);
    CHECK_THAT(got[i], WithinRel(p, 1e-12));
  }
  SECTION("with weight_decay 0 it is adam, bit for bit") {
    OptimizerSpec a = spec_of(OptimizerKind::Adam, 0.01), w = a;
    w.kind = OptimizerKind::AdamW;
    w.weight_decay = 0;
    Optimizer<float> adam(a, 3), adamw(w, 3);
    CHECK(run_steps(adam, 3) == run_steps(adamw, 3));
  }
  SECTION("adam reads no weight_decay, and adam with l2 is not adamw") {
    OptimizerSpec a = spec_of(OptimizerKind::Adam, 0.01), a_wd = a, a_l2 = a;
    a_wd.weight_decay = 0.5;
    a_l2.l2 = 0.1;
    Optimizer<double> plain(a, 3), with_wd(a_wd, 3), with_l2(a_l2, 3);
    const std::vector<double> p_plain = run_steps(plain, 3);
    CHECK(run_steps(with_wd, 3) == p_plain);
    const std::vector<double> p_l2 = run_steps(with_l2, 3);
    CHECK(std::fabs(p_l2[0] - got[0]) > 1e-6);  // coupled: the decay passes through v's normalisation
    CHECK(p_l2[2] == p_plain[2]);               // neither touches the bias
  }
}

TEST_CASE("adamw's decay factor is rounded as PyTorch rounds it", "[optimizers][adamw][float]") {
  // torch 1.13 computes 1 - lr * weight_decay as a Python float (double) and rounds it to
  // float32 where it meets the tensor. For lr 0.417022004702574, weight_decay
  // 0.7203244934421581 that factor differs from 1 - f32(lr) * f32(wd) computed in float32;
  // PyTorch's param.mul_ matched the double one on all 100,000 entries of a test tensor and
  // the float32 one on 7% of them. With a zero gradient Adam's step is 0, leaving the decay.
  const double lr = 0.417022004702574, wd = 0.7203244934421581;
  const float from_double = static_cast<float>(1.0 - lr * wd);
  const float in_float = 1.0f - static_cast<float>(lr) * static_cast<float>(wd);
  REQUIRE(from_double != in_float);  // the case tells the two apart
  OptimizerSpec spec = spec_of(OptimizerKind::AdamW, lr);
  spec.weight_decay = wd;
  Optimizer<float> opt(spec, 3);
  std::vector<float> p = {0.7f, -1.3f, 2.0f}, g = {0, 0, 0};
  opt.step(p, g, kMask);
  CHECK(p[0] == 0.7f * from_double);
  CHECK(p[1] == -1.3f * from_double);
  CHECK(p[2] == 2.0f);  // the bias: mask 0
}

TEST_CASE("Optimizer<float> follows Optimizer<double>", "[optimizers][float]") {
  const OptimizerKind kind = GENERATE(OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Rmsprop,
                                      OptimizerKind::Adam, OptimizerKind::AdamW);
  CAPTURE(optimizer_name(kind));
  OptimizerSpec spec = spec_of(kind, 0.01);
  Optimizer<double> od(spec, 3);
  Optimizer<float> of(spec, 3);
  const std::vector<double> pd = run_steps(od, 3);
  const std::vector<float> pf = run_steps(of, 3);
  for (int i = 0; i < 3; ++i) CHECK_THAT(static_cast<double>(pf[i]), WithinRel(pd[i], 1e-6));
}

TEST_CASE("L2 and L1 penalties apply to masked (weight) entries only", "[optimizers][penalty]") {
  SECTION("L2 as weight decay: g += l2 w") {
    OptimizerSpec s = spec_of(OptimizerKind::Sgd, 0.1);
    s.l2 = 0.01;
    Optimizer<double> opt(s, 3);
    // e0: 0.5 - 0.1 (0.1 + 0.005); e1: -1 - 0.1 (-0.2 - 0.01); e2 (bias): 2 - 0.1 * 0.3
    check_vec(run_steps(opt, 1), {0.4895, -0.979, 1.97});
  }
  SECTION("L1: g += l1 sign(w)") {
    OptimizerSpec s = spec_of(OptimizerKind::Sgd, 0.1);
    s.l1 = 0.05;
    Optimizer<double> opt(s, 3);
    check_vec(run_steps(opt, 1), {0.485, -0.975, 1.97});
    // sign(0) = 0: a zero weight with zero gradient stays at 0.
    std::vector<double> p = {0.0}, g = {0.0};
    Optimizer<double> z(s, 1);
    z.step(p, g, {1});
    CHECK(p[0] == 0.0);
  }
  SECTION("penalties enter the optimiser's state (momentum)") {
    OptimizerSpec s = spec_of(OptimizerKind::Momentum, 0.1);
    s.momentum = 0.9;
    s.l2 = 0.01;
    Optimizer<double> opt(s, 3);
    std::vector<double> p = kP0;
    std::vector<double> expect = kP0, v(3, 0.0);
    for (int t = 0; t < 2; ++t) {
      std::vector<double> g = kG[t];
      opt.step(p, g, kMask);
      for (int i = 0; i < 3; ++i) {
        const double ge = kG[t][i] + (kMask[i] ? 0.01 * expect[i] : 0.0);
        v[i] = 0.9 * v[i] + ge;
        expect[i] -= 0.1 * v[i];
      }
    }
    check_vec(p, expect);
  }
  SECTION("no penalty when the mask is all zero") {
    OptimizerSpec s = spec_of(OptimizerKind::Sgd, 0.1);
    s.l2 = 0.5;
    s.l1 = 0.5;
    Optimizer<double> opt(s, 3);
    std::vector<double> p = kP0, g = kG[0];
    opt.step(p, g, {0, 0, 0});
    check_vec(p, {0.49, -0.98, 1.97});
  }
}

TEST_CASE("clipping scales the whole gradient to clip_norm (global L2 norm)", "[optimizers][clip]") {
  // torch.nn.utils.clip_grad_norm_ scales by max_norm / (norm + 1e-6), so a clipped
  // gradient's norm lands just under max_norm: c below is that factor for norm 0.5.
  const double c = 0.1 / (0.5 + 1e-6);
  OptimizerSpec s = spec_of(OptimizerKind::Sgd, 1.0);
  s.clip_norm = 0.1;
  Optimizer<double> opt(s, 3);
  std::vector<double> p = kP0, g = {0.3, -0.4, 0.0};  // norm 0.5
  const double norm = opt.step(p, g, kMask);
  CHECK_THAT(norm, WithinRel(0.5, 1e-15));
  check_vec(p, {0.5 - 0.3 * c, -1.0 + 0.4 * c, 2.0});

  // Below the threshold nothing changes.
  opt.spec().clip_norm = 1.0;
  p = kP0;
  g = {0.3, -0.4, 0.0};
  CHECK_THAT(opt.step(p, g, kMask), WithinRel(0.5, 1e-15));
  check_vec(p, {0.2, -0.6, 2.0});

  // The bias entry counts in the global norm too: (0, 0, 2) clipped to 0.1.
  opt.spec().clip_norm = 0.1;
  p = kP0;
  g = {0.0, 0.0, 2.0};
  CHECK_THAT(opt.step(p, g, kMask), WithinRel(2.0, 1e-15));
  check_vec(p, {0.5, -1.0, 2.0 - 2.0 * (0.1 / (2.0 + 1e-6))});

  // With a penalty, the data gradient is clipped first and the penalty added after
  // (PyTorch's order): g = (0.3, -0.4, 0) has norm 0.5, clipped to 0.1 gives
  // about (0.06, -0.08, 0); then + l2 w with l2 = 0.1 on the masked entries (0.05, -0.1).
  opt.spec().l2 = 0.1;
  p = kP0;
  g = {0.3, -0.4, 0.0};
  CHECK_THAT(opt.step(p, g, kMask), WithinRel(0.5, 1e-12));
  check_vec(p, {0.5 - (0.3 * c + 0.05), -1.0 - (-0.4 * c - 0.1), 2.0});

  // No clipping when clip_norm is 0.
  OptimizerSpec s0 = spec_of(OptimizerKind::Sgd, 1.0);
  Optimizer<double> none(s0, 3);
  p = kP0;
  g = {30.0, -40.0, 0.0};
  CHECK_THAT(none.step(p, g, kMask), WithinRel(50.0, 1e-15));
  check_vec(p, {-29.5, 39.0, 2.0});
}

TEST_CASE("reset_state zeroes the state of a range of entries only", "[optimizers][reset]") {
  OptimizerSpec s = spec_of(OptimizerKind::Momentum, 0.1);
  s.momentum = 0.9;
  const bool use_at = GENERATE(false, true);
  CAPTURE(use_at);
  Optimizer<double> opt(s, 3);
  std::vector<double> p = run_steps(opt, 2);
  if (use_at)
    opt.reset_state_at(1);
  else
    opt.reset_state(1, 1);
  std::vector<double> g = kG[2];
  opt.step(p, g, kMask);
  // Entry 1 restarts from v = g3: p2 = -1 - 0.1 (g1 + 0.9 g1 + g2) = -1.012; p3 = p2 - 0.1 * 0.2.
  check_vec(p, {0.5289, -1.032, 1.9692});

  SECTION("adam: m and v of the reset entry restart from zero, the step count t does not") {
    OptimizerSpec a = spec_of(OptimizerKind::Adam, 0.001);
    Optimizer<double> adam(a, 3);
    std::vector<double> q = run_steps(adam, 2);
    const double q1_before = q[1];
    adam.reset_state(1, 1);
    std::vector<double> g3 = kG[2];
    adam.step(q, g3, kMask);
    CHECK(adam.t() == 3);
    const double m = 0.1 * 0.2, v = 0.001 * 0.2 * 0.2;
    const double d = (m / (1 - 0.729)) / (std::sqrt(v / (1 - 0.997002999)) + 1e-8);
    CHECK_THAT(q[1], WithinRel(q1_before - 0.001 * d, 1e-12));
  }
}

TEST_CASE("the learning rate can change between steps without resetting state", "[optimizers]") {
  OptimizerSpec s = spec_of(OptimizerKind::Momentum, 0.1);
  s.momentum = 0.9;
  Optimizer<double> opt(s, 3);
  std::vector<double> p = run_steps(opt, 2);
  opt.spec().lr = 0.05;
  std::vector<double> g = kG[2];
  opt.step(p, g, kMask);
  std::vector<double> expected(3);
  for (int i = 0; i < 3; ++i) {
    const double v1 = kG[0][i], v2 = 0.9 * v1 + kG[1][i], v3 = 0.9 * v2 + kG[2][i];
    expected[i] = kP0[i] - 0.1 * (v1 + v2) - 0.05 * v3;
  }
  check_vec(p, expected);
  CHECK(opt.t() == 3);

  // Adam too: the bias correction keeps counting.
  OptimizerSpec a = spec_of(OptimizerKind::Adam, 0.001);
  Optimizer<double> adam(a, 3), ref(a, 3);
  std::vector<double> q = run_steps(adam, 2), r = run_steps(ref, 2);
  adam.spec().lr = 0.002;
  std::vector<double> g3 = kG[2], g3r = kG[2];
  const std::vector<double> before = q;
  adam.step(q, g3, kMask);
  ref.step(r, g3r, kMask);
  for (int i = 0; i < 3; ++i) CHECK_THAT(q[i] - before[i], WithinRel(2.0 * (r[i] - before[i]), 1e-9));
}
