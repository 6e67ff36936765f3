// Gradient checks: every parameter gradient of Mlp<double> against a central finite
// difference of the mean loss, for every activation x loss x a few shapes; loss values
// against hand computations; numerical stability of BCE and softmax CE; relu'(0) = 0;
// float gradients against double ones.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "activation.h"
#include "mlp.h"
#include "rng.h"

using namespace relu;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

const Activation kAllActivations[] = {Activation::Relu, Activation::LeakyRelu, Activation::Prelu, Activation::Elu,
                                      Activation::Selu, Activation::Gelu,      Activation::Silu,  Activation::Tanh,
                                      Activation::Sigmoid, Activation::Linear};

struct LossCase {
  const char* name;
  Loss loss;
  int outputs;
};
const LossCase kLossCases[] = {
    {"mse/1", Loss::Mse, 1}, {"mse/3", Loss::Mse, 3}, {"bce/1", Loss::Bce, 1}, {"ce/3", Loss::SoftmaxCe, 3}};

template <typename T>
using MatT = Eigen::Matrix<T, -1, -1>;

// Random parameters: W ~ N(0, 1.5^2/fan_in), b ~ N(0, 0.5^2), PReLU slopes 0.25 + N(0, 0.2^2).
template <typename T>
void randomize(Mlp<T>& m, Rng& rng) {
  for (int l = 0; l < m.num_layers(); ++l) {
    auto W = m.W(l);
    const double sd = 1.5 / std::sqrt(static_cast<double>(W.cols()));
    for (int j = 0; j < W.cols(); ++j)
      for (int i = 0; i < W.rows(); ++i) W(i, j) = static_cast<T>(sd * rng.normal());
    for (int i = 0; i < m.b(l).size(); ++i) m.b(l)(i) = static_cast<T>(0.5 * rng.normal());
    for (int i = 0; i < m.s(l).size(); ++i) m.s(l)(i) = static_cast<T>(0.25 + 0.2 * rng.normal());
  }
}

template <typename T>
MatT<T> random_inputs(int features, int n, Rng& rng) {
  MatT<T> x(features, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < features; ++i) x(i, j) = static_cast<T>(rng.normal());
  return x;
}

template <typename T>
MatT<T> random_targets(const LossCase& lc, int n, Rng& rng) {
  MatT<T> y(1, n);
  for (int j = 0; j < n; ++j) {
    switch (lc.loss) {
      case Loss::Mse: y(0, j) = static_cast<T>(rng.normal()); break;
      case Loss::Bce: y(0, j) = static_cast<T>(rng.below(2)); break;
      case Loss::SoftmaxCe: y(0, j) = static_cast<T>(rng.below(static_cast<uint32_t>(lc.outputs))); break;
    }
  }
  return y;
}

// Smallest |z| over the hidden layers of the last forward (to stay off kinks).
template <typename T>
double min_abs_hidden_z(const Mlp<T>& m, int n) {
  double lo = INFINITY;
  for (int l = 0; l < m.num_hidden(); ++l)
    lo = std::min(lo, static_cast<double>(m.layer(l).z.leftCols(n).cwiseAbs().minCoeff()));
  return lo;
}

template <typename T>
std::string describe_param(const Mlp<T>& m, size_t i) {
  std::ostringstream os;
  for (int l = 0; l < m.num_layers(); ++l) {
    const auto& L = m.dense(l);
    if (i >= L.w_off && i < L.w_off + static_cast<size_t>(L.out) * L.in) {
      const size_t k = i - L.w_off;  // column-major (out, in)
      os << "W" << l << "(" << k % L.out << "," << k / L.out << ")";
      return os.str();
    }
    if (i >= L.b_off && i < L.b_off + static_cast<size_t>(L.out)) {
      os << "b" << l << "(" << i - L.b_off << ")";
      return os.str();
    }
    if (i >= L.s_off && i < L.s_off + static_cast<size_t>(L.out)) {
      os << "s" << l << "(" << i - L.s_off << ")";
      return os.str();
    }
  }
  return "param " + std::to_string(i);
}

double mean_loss(Mlp<double>& m, const MatT<double>& x, const MatT<double>& y, int n) {
  m.forward(x, n, false);
  return m.loss_value(y, n);
}

// Analytic gradient of the mean loss (single chunk of n = total columns).
template <typename T>
std::vector<T> analytic_grads(Mlp<T>& m, const MatT<T>& x, const MatT<T>& y, int n, double* summed_loss = nullptr) {
  m.zero_grads();
  m.forward(x, n, false);
  const double s = m.output_grad(y, n, n);
  if (summed_loss) *summed_loss = s;
  m.backward(x, n, false);
  return m.grads;
}

// Draws parameters and data until no hidden pre-activation is within 1e-3 of a kink.
template <typename T>
void draw_off_kinks(Mlp<T>& m, MatT<T>& x, MatT<T>& y, const LossCase& lc, int n, Rng& rng) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    randomize(m, rng);
    x = random_inputs<T>(m.inputs(), n, rng);
    y = random_targets<T>(lc, n, rng);
    m.forward(x, n, false);
    if (min_abs_hidden_z(m, n) >= 1e-3) return;
  }
  FAIL("could not draw a kink-free configuration");
}

// Central finite-difference check of every parameter; returns the number of
// parameters with a non-negligible gradient (to make sure the test is not vacuous).
int check_all_gradients(Mlp<double>& m, const MatT<double>& x, const MatT<double>& y, int n) {
  double summed = 0;
  const std::vector<double> g = analytic_grads(m, x, y, n, &summed);
  const double mean = mean_loss(m, x, y, n);
  INFO("summed loss from output_grad / n vs loss_value");
  CHECK_THAT(summed / n, WithinRel(mean, 1e-12) || WithinAbs(mean, 1e-14));
  const double h = 1e-6;
  int significant = 0;
  for (size_t i = 0; i < m.params.size(); ++i) {
    const double saved = m.params[i];
    m.params[i] = saved + h;
    const double lp = mean_loss(m, x, y, n);
    m.params[i] = saved - h;
    const double lm = mean_loss(m, x, y, n);
    m.params[i] = saved;
    const double fd = (lp - lm) / (2 * h);
    INFO(describe_param(m, i) << ": analytic " << g[i] << " vs finite difference " << fd);
    CHECK_THAT(g[i], WithinRel(fd, 1e-5) || WithinAbs(fd, 1e-8));
    if (std::fabs(fd) > 1e-6) ++significant;
  }
  return significant;
}

}  // namespace

TEST_CASE("gradients: every parameter matches a central finite difference (double)", "[gradients]") {
  const int act_index = GENERATE(range(0, 10));
  const int loss_index = GENERATE(range(0, 4));
  const int shape_index = GENERATE(range(0, 3));
  const std::vector<std::vector<int>> shapes = {{4}, {5, 3}, {4, 6, 3}};
  const Activation act = kAllActivations[act_index];
  const LossCase& lc = kLossCases[loss_index];
  const std::vector<int>& hidden = shapes[shape_index];
  CAPTURE(activation_name(act), lc.name, hidden);

  const int inputs = 3, n = 7;
  Mlp<double> m(inputs, hidden, std::vector<Activation>(hidden.size(), act), lc.outputs, lc.loss);
  if (act == Activation::LeakyRelu) m.set_leaky_slope(0.1);  // a visible negative-side slope
  Rng rng(1000 + 100 * act_index + 10 * loss_index + shape_index);
  MatT<double> x, y;
  draw_off_kinks(m, x, y, lc, n, rng);
  const int significant = check_all_gradients(m, x, y, n);
  // Output-layer weights and biases always carry a gradient; make sure the check is not vacuous.
  CHECK(significant >= lc.outputs * (hidden.back() + 1) / 2);
}

TEST_CASE("gradients: mixed activations per layer and default leaky slope", "[gradients]") {
  const int loss_index = GENERATE(range(0, 4));
  const LossCase& lc = kLossCases[loss_index];
  CAPTURE(lc.name);
  const std::vector<int> hidden = {5, 4, 4, 3};
  const std::vector<Activation> acts = {Activation::Prelu, Activation::Selu, Activation::LeakyRelu, Activation::Gelu};
  Mlp<double> m(3, hidden, acts, lc.outputs, lc.loss);
  Rng rng(77 + loss_index);
  MatT<double> x, y;
  draw_off_kinks(m, x, y, lc, 7, rng);
  check_all_gradients(m, x, y, 7);
}

TEST_CASE("gradients: PReLU slopes with negative pre-activations", "[gradients][prelu]") {
  // One hidden PReLU layer pushed entirely into its negative side: a = s * z there.
  Mlp<double> m(2, {3}, {Activation::Prelu}, 1, Loss::Mse);
  Rng rng(5);
  const int n = 7;
  MatT<double> x = random_inputs<double>(2, n, rng);
  MatT<double> y = random_inputs<double>(1, n, rng);
  m.W(0) << 0.3, -0.2, 0.1, 0.4, -0.25, 0.15;
  m.b(0) << -3.0, -2.5, -4.0;
  m.s(0) << 0.25, 0.1, -0.3;
  m.W(1) << 0.7, -1.2, 0.9;
  m.b(1) << 0.2;
  m.forward(x, n, false);
  REQUIRE(m.layer(0).z.leftCols(n).maxCoeff() < -1.0);

  const std::vector<double> g = analytic_grads(m, x, y, n);
  // Hand derivation: out = W1 (s .* z) + b1, L = (1/n) sum (out - t)^2
  //   dL/ds_i = (1/n) sum_j 2 (out_j - t_j) W1_i z_ij
  const auto z = m.layer(0).z.leftCols(n);
  for (int i = 0; i < 3; ++i) {
    double expected = 0;
    for (int j = 0; j < n; ++j) {
      double out = m.b(1)(0);
      for (int k = 0; k < 3; ++k) out += m.W(1)(0, k) * m.s(0)(k) * z(k, j);
      expected += 2.0 * (out - y(0, j)) * m.W(1)(0, i) * z(i, j) / n;
    }
    CAPTURE(i, expected);
    REQUIRE(std::fabs(expected) > 1e-3);
    CHECK_THAT(g[m.layer(0).s_off + i], WithinRel(expected, 1e-10));
  }
  check_all_gradients(m, x, y, n);
}

TEST_CASE("gradients: through standard and alpha dropout (fixed masks)", "[gradients][dropout]") {
  const DropoutKind kind = GENERATE(DropoutKind::Standard, DropoutKind::Alpha);
  CAPTURE(kind == DropoutKind::Alpha ? "alpha" : "standard");
  const std::vector<int> hidden = {6, 5};
  Mlp<double> m(3, hidden, {kind == DropoutKind::Alpha ? Activation::Selu : Activation::Tanh}, 1, Loss::Mse);
  m.set_dropout(kind, 0.3);
  Rng rng(404);
  MatT<double> x, y;
  draw_off_kinks(m, x, y, kLossCases[0], 7, rng);
  // The same generator state gives the same masks on every forward.
  const uint64_t mask_seed = 99;
  auto loss_with_masks = [&]() {
    Rng r(mask_seed);
    m.forward(x, 7, true, &r);
    return m.loss_value(y, 7);
  };
  m.zero_grads();
  {
    Rng r(mask_seed);
    m.forward(x, 7, true, &r);
  }
  // Some units must actually be dropped for the test to mean anything.
  int dropped = 0;
  for (int l = 0; l < m.num_hidden(); ++l) dropped += static_cast<int>((m.dense(l).keep.leftCols(7).array() == 0).count());
  REQUIRE(dropped > 0);
  m.output_grad(y, 7, 7);
  m.backward(x, 7, false);
  const std::vector<double> g = m.grads;
  const double h = 1e-6;
  for (size_t i = 0; i < m.params.size(); ++i) {
    const double saved = m.params[i];
    m.params[i] = saved + h;
    const double lp = loss_with_masks();
    m.params[i] = saved - h;
    const double lm = loss_with_masks();
    m.params[i] = saved;
    const double fd = (lp - lm) / (2 * h);
    INFO(describe_param(m, i) << ": analytic " << g[i] << " vs finite difference " << fd);
    CHECK_THAT(g[i], WithinRel(fd, 1e-5) || WithinAbs(fd, 1e-8));
  }
}

TEST_CASE("gradients: chunked accumulation with 1/total scaling equals one full pass", "[gradients]") {
  const std::vector<int> hidden = {5, 3};
  const std::vector<Activation> acts = {Activation::Tanh, Activation::Prelu};
  Mlp<double> full(3, hidden, acts, 3, Loss::SoftmaxCe, 16);
  Mlp<double> chunked(3, hidden, acts, 3, Loss::SoftmaxCe, 4);
  Rng rng(9);
  MatT<double> x, y;
  draw_off_kinks(full, x, y, kLossCases[3], 7, rng);
  chunked.params = full.params;

  double full_sum = 0;
  const std::vector<double> g_full = analytic_grads(full, x, y, 7, &full_sum);

  chunked.zero_grads();
  double sum = 0;
  chunked.forward(x.leftCols(4), 4, false);
  sum += chunked.output_grad(y.leftCols(4), 4, 7);
  chunked.backward(x.leftCols(4), 4, false);
  chunked.forward(x.rightCols(3), 3, false);
  sum += chunked.output_grad(y.rightCols(3), 3, 7);
  chunked.backward(x.rightCols(3), 3, false);

  CHECK_THAT(sum, WithinRel(full_sum, 1e-12));
  for (size_t i = 0; i < g_full.size(); ++i) {
    INFO(describe_param(full, i));
    CHECK_THAT(chunked.grads[i], WithinRel(g_full[i], 1e-10) || WithinAbs(g_full[i], 1e-14));
  }
}

TEST_CASE("gradients: Mlp<float> agrees with Mlp<double> on the same weights", "[gradients][float]") {
  const int act_index = GENERATE(range(0, 10));
  const int loss_index = GENERATE(range(0, 4));
  const Activation act = kAllActivations[act_index];
  const LossCase& lc = kLossCases[loss_index];
  CAPTURE(activation_name(act), lc.name);
  const std::vector<int> hidden = {5, 3};
  const int n = 7;
  Mlp<double> md(3, hidden, {act}, lc.outputs, lc.loss);
  Mlp<float> mf(3, hidden, {act}, lc.outputs, lc.loss);
  Rng rng(500 + 10 * act_index + loss_index);
  MatT<double> xd, yd;
  draw_off_kinks(md, xd, yd, lc, n, rng);
  // Round the weights and data to float first so both networks see identical numbers.
  for (size_t i = 0; i < md.params.size(); ++i) {
    mf.params[i] = static_cast<float>(md.params[i]);
    md.params[i] = static_cast<double>(mf.params[i]);
  }
  MatT<float> xf = xd.cast<float>(), yf = yd.cast<float>();
  xd = xf.cast<double>();
  yd = yf.cast<double>();
  const std::vector<double> gd = analytic_grads(md, xd, yd, n);
  const std::vector<float> gf = analytic_grads(mf, xf, yf, n);
  REQUIRE(min_abs_hidden_z(md, n) > 1e-4);  // float rounding cannot cross a kink
  double scale = 0;
  for (double v : gd) scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < gd.size(); ++i) {
    INFO(describe_param(md, i) << ": float " << gf[i] << " vs double " << gd[i]);
    CHECK_THAT(static_cast<double>(gf[i]), WithinRel(gd[i], 1e-4) || WithinAbs(gd[i], 1e-6 * scale));
  }
  CHECK_THAT(mf.loss_value(yf, n), WithinRel(md.loss_value(yd, n), 1e-5));
}

TEST_CASE("relu'(0) = 0 exactly", "[gradients][relu]") {
  CHECK(activation_derivative(Activation::Relu, 0.0, 0.0) == 0.0);
  CHECK(activation_derivative(Activation::Relu, -0.0, 0.0) == 0.0);
  CHECK(activation_derivative(Activation::Relu, 1e-300, 0.0) == 1.0);
  CHECK(activation_derivative(Activation::Relu, -1e-300, 0.0) == 0.0);

  ActivationParams<double> p;
  p.kind = Activation::Relu;
  Eigen::MatrixXd z(1, 4), da(1, 4), dz(1, 4);
  z << 0.0, -1.0, 2.0, -0.0;
  da << 3.0, 3.0, 3.0, 3.0;
  dz.setConstant(42.0);
  Eigen::VectorXd slopes = Eigen::VectorXd::Constant(1, 0.25), dslopes = Eigen::VectorXd::Zero(1);
  activation_backward<double>(p, z, slopes, da, dz, dslopes);
  CHECK(dz(0, 0) == 0.0);
  CHECK(dz(0, 1) == 0.0);
  CHECK(dz(0, 2) == 3.0);
  CHECK(dz(0, 3) == 0.0);

  // In a network: a unit whose pre-activation is exactly 0 on every input gets no gradient.
  Mlp<double> m(2, {3}, {Activation::Relu}, 1, Loss::Mse);
  Rng rng(3);
  randomize(m, rng);
  m.W(0).row(1).setZero();
  m.b(0)(1) = 0.0;
  m.W(1)(0, 1) = 1.0;
  MatT<double> x = random_inputs<double>(2, 5, rng), y = random_inputs<double>(1, 5, rng);
  analytic_grads(m, x, y, 5);
  CHECK(m.dW(0).row(1).isZero(0.0));
  CHECK(m.db(0)(1) == 0.0);
}

TEST_CASE("activation_value/derivative: values and consistency with the batched kernels", "[gradients][activation]") {
  const double lam = kSeluLambda, alp = kSeluAlpha;
  // Hand values.
  CHECK(activation_value(Activation::Relu, -2.0, 0) == 0.0);
  CHECK(activation_value(Activation::Relu, 2.5, 0) == 2.5);
  CHECK_THAT(activation_value(Activation::LeakyRelu, -2.0, 0.01), WithinRel(-0.02, 1e-15));
  CHECK_THAT(activation_value(Activation::Prelu, -2.0, 0.25), WithinRel(-0.5, 1e-15));
  CHECK_THAT(activation_value(Activation::Elu, -1.0, 0), WithinRel(std::exp(-1.0) - 1.0, 1e-14));
  CHECK_THAT(activation_value(Activation::Selu, -1.0, 0), WithinRel(lam * alp * (std::exp(-1.0) - 1.0), 1e-14));
  CHECK_THAT(activation_value(Activation::Selu, 2.0, 0), WithinRel(2.0 * lam, 1e-15));
  // GELU(1) = Phi(1) = 0.841344746068543 (exact erf form); the tanh approximation gives 0.841191990.
  CHECK_THAT(activation_value(Activation::Gelu, 1.0, 0), WithinRel(0.8413447460685429, 1e-12));
  CHECK_THAT(activation_value(Activation::Silu, 1.0, 0), WithinRel(1.0 / (1.0 + std::exp(-1.0)), 1e-14));
  CHECK_THAT(activation_value(Activation::Tanh, 0.5, 0), WithinRel(std::tanh(0.5), 1e-15));
  CHECK_THAT(activation_value(Activation::Sigmoid, -800.0, 0), WithinAbs(0.0, 1e-300));
  CHECK(std::isfinite(activation_value(Activation::Sigmoid, -800.0, 0)));
  CHECK(activation_value(Activation::Sigmoid, 800.0, 0) == 1.0);

  const int act_index = GENERATE(range(0, 10));
  const Activation act = kAllActivations[act_index];
  CAPTURE(activation_name(act));
  const double slope = act == Activation::LeakyRelu ? 0.01 : 0.3;
  // derivative matches a finite difference of value, away from the kink at 0.
  for (double z : {-6.0, -2.5, -1.0, -0.3, -0.01, 0.01, 0.4, 1.0, 2.2, 5.0}) {
    const double h = 1e-6;
    const double fd = (activation_value(act, z + h, slope) - activation_value(act, z - h, slope)) / (2 * h);
    CAPTURE(z);
    CHECK_THAT(activation_derivative(act, z, slope), WithinRel(fd, 1e-7) || WithinAbs(fd, 1e-9));
  }
  // The batched kernels agree with the scalar functions.
  ActivationParams<double> p;
  p.kind = act;
  p.leaky_slope = 0.01;
  Eigen::MatrixXd z(2, 5), a(2, 5), da(2, 5), dz(2, 5);
  z << -3.0, -0.5, 0.2, 1.5, 4.0, -1.0, -0.1, 0.3, 2.0, -7.0;
  da << 1.0, -2.0, 0.5, 3.0, -1.0, 0.7, 0.1, -0.4, 2.0, 1.0;
  Eigen::VectorXd slopes(2), dslopes = Eigen::VectorXd::Zero(2);
  slopes << 0.3, 0.3;
  activation_forward<double>(p, z, slopes, a);
  activation_backward<double>(p, z, slopes, da, dz, dslopes);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 5; ++j) {
      CAPTURE(z(i, j));
      CHECK_THAT(a(i, j), WithinRel(activation_value(act, z(i, j), slope), 1e-14) || WithinAbs(0.0, 1e-300));
      CHECK_THAT(dz(i, j), WithinRel(da(i, j) * activation_derivative(act, z(i, j), slope), 1e-14) ||
                               WithinAbs(0.0, 1e-300));
    }
  if (act == Activation::Prelu) {
    // dL/ds_i = sum_j da_ij * min(z_ij, 0)
    CHECK_THAT(dslopes(0), WithinRel(1.0 * -3.0 + -2.0 * -0.5, 1e-14));
    CHECK_THAT(dslopes(1), WithinRel(0.7 * -1.0 + 0.1 * -0.1 + 1.0 * -7.0, 1e-14));
  } else {
    CHECK(dslopes.isZero(0.0));
  }
}

TEST_CASE("saturation bounds: tails where |f'| < 1% of the peak |f'|", "[gradients][activation]") {
  double lo = 0, hi = 0;
  saturation_bounds(Activation::Tanh, lo, hi);
  // 1 - tanh^2 z = 0.01  <=>  z = atanh(sqrt(0.99)) = 2.99322...
  CHECK_THAT(hi, WithinRel(std::atanh(std::sqrt(0.99)), 1e-6));
  CHECK_THAT(lo, WithinRel(-std::atanh(std::sqrt(0.99)), 1e-6));
  saturation_bounds(Activation::Sigmoid, lo, hi);
  // s(1-s) = 0.01 * 0.25  <=>  s = (1 - sqrt(0.99)) / 2; z = logit(s) = -5.9865...
  {
    const double s = (1.0 - std::sqrt(0.99)) / 2.0;
    const double zc = std::log(s / (1.0 - s));
    CHECK_THAT(lo, WithinRel(zc, 1e-6));
    CHECK_THAT(hi, WithinRel(-zc, 1e-6));
  }
  for (Activation a : {Activation::Elu, Activation::Selu}) {
    CAPTURE(activation_name(a));
    saturation_bounds(a, lo, hi);
    CHECK_THAT(lo, WithinRel(std::log(0.01), 1e-6));
    CHECK(std::isinf(hi));
  }
  // GELU and SiLU: derivative peaks above 1 at z > 0 and has a negative dip; the saturated
  // tail starts where |f'| falls below 1% of the peak for good. Computed here independently.
  for (Activation a : {Activation::Gelu, Activation::Silu}) {
    CAPTURE(activation_name(a));
    auto dgelu = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)) + z * std::exp(-0.5 * z * z) / std::sqrt(2 * 3.14159265358979323846); };
    auto dsilu = [](double z) {
      const double s = 1.0 / (1.0 + std::exp(-z));
      return s + z * s * (1.0 - s);
    };
    auto d = [&](double z) { return a == Activation::Gelu ? dgelu(z) : dsilu(z); };
    double peak = 0;
    for (double z = -20; z <= 20; z += 1e-4) peak = std::max(peak, std::fabs(d(z)));
    // Walk from the far left while |f'| < 1% of peak, then bisect the crossing.
    double z = -60;
    while (std::fabs(d(z + 1e-3)) < 0.01 * peak) z += 1e-3;
    double in = z, out = z + 1e-3;
    for (int i = 0; i < 80; ++i) {
      const double mid = 0.5 * (in + out);
      (std::fabs(d(mid)) < 0.01 * peak ? in : out) = mid;
    }
    saturation_bounds(a, lo, hi);
    CAPTURE(in, peak);
    CHECK_THAT(lo, WithinRel(in, 1e-5));
    CHECK(std::isinf(hi));
    CHECK(hi > 0);
  }
  for (Activation a : {Activation::Linear, Activation::Relu, Activation::LeakyRelu, Activation::Prelu}) {
    CAPTURE(activation_name(a));
    saturation_bounds(a, lo, hi);
    CHECK(std::isinf(lo));
    CHECK(lo < 0);
    CHECK(std::isinf(hi));
    CHECK(hi > 0);
  }
}

TEST_CASE("MSE with several outputs: mean over samples and outputs, each output vs the sample's target",
          "[gradients][loss]") {
  Mlp<double> m(2, {4}, {Activation::Tanh}, 3, Loss::Mse);
  Rng rng(11);
  randomize(m, rng);
  const int n = 5;
  MatT<double> x = random_inputs<double>(2, n, rng), y = random_inputs<double>(1, n, rng);
  m.forward(x, n, false);
  const auto out = m.layer(m.num_layers() - 1).a.leftCols(n);
  // Identity output for MSE: a equals z of the output layer.
  CHECK((out - m.layer(m.num_layers() - 1).z.leftCols(n)).cwiseAbs().maxCoeff() == 0.0);
  double hand = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < 3; ++i) hand += (out(i, j) - y(0, j)) * (out(i, j) - y(0, j));
  hand /= 3.0 * n;
  CHECK_THAT(m.loss_value(y, n), WithinRel(hand, 1e-13));
  // dL/dz of the output layer: 2 (a - t) / (outputs * total).
  m.output_grad(y, n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < 3; ++i)
      CHECK_THAT(m.layer(m.num_layers() - 1).dz(i, j), WithinRel(2.0 * (out(i, j) - y(0, j)) / (3.0 * n), 1e-13));
}

namespace {
// A network whose output logit equals its (1-D) input: 1 -> [1 linear] -> 1.
template <typename T>
Mlp<T> identity_logit_net(Loss loss) {
  Mlp<T> m(1, {1}, {Activation::Linear}, 1, loss);
  m.W(0)(0, 0) = 1;
  m.b(0)(0) = 0;
  m.W(1)(0, 0) = 1;
  m.b(1)(0) = 0;
  return m;
}

template <typename T>
void bce_at(Mlp<T>& m, double z, double label, double& loss, double& dz, double& prob) {
  MatT<T> x(1, 1), y(1, 1);
  x(0, 0) = static_cast<T>(z);
  y(0, 0) = static_cast<T>(label);
  m.forward(x, 1, false);
  loss = m.loss_value(y, 1);
  const double summed = m.output_grad(y, 1, 1);
  CHECK(summed == loss);
  dz = static_cast<double>(m.layer(1).dz(0, 0));
  prob = static_cast<double>(m.layer(1).a(0, 0));
}
}  // namespace

TEST_CASE("BCE: hand values and numerical stability at large logits", "[gradients][loss][bce]") {
  Mlp<double> md = identity_logit_net<double>(Loss::Bce);
  Mlp<float> mf = identity_logit_net<float>(Loss::Bce);
  double loss = 0, dz = 0, p = 0;
  bce_at(md, 0.0, 1.0, loss, dz, p);
  CHECK_THAT(loss, WithinRel(std::log(2.0), 1e-14));
  CHECK_THAT(p, WithinRel(0.5, 1e-15));
  CHECK_THAT(dz, WithinRel(-0.5, 1e-15));
  bce_at(md, 2.0, 0.0, loss, dz, p);
  CHECK_THAT(loss, WithinRel(std::log1p(std::exp(2.0)), 1e-14));  // -log(1 - s(2))
  CHECK_THAT(dz, WithinRel(1.0 / (1.0 + std::exp(-2.0)), 1e-14));

  const double big = GENERATE(100.0, 200.0, 1000.0);
  CAPTURE(big);
  // Wrong label: loss ~ |z|, gradient ~ +-1; right label: loss ~ 0, gradient ~ 0.
  bce_at(md, big, 0.0, loss, dz, p);
  CHECK(std::isfinite(loss));
  CHECK_THAT(loss, WithinRel(big, 1e-12));
  CHECK_THAT(dz, WithinRel(1.0, 1e-12));
  bce_at(md, -big, 1.0, loss, dz, p);
  CHECK_THAT(loss, WithinRel(big, 1e-12));
  CHECK_THAT(dz, WithinRel(-1.0, 1e-12));
  CHECK(std::isfinite(p));
  bce_at(md, big, 1.0, loss, dz, p);
  CHECK_THAT(loss, WithinAbs(0.0, 1e-40));
  CHECK(loss >= 0.0);
  CHECK_THAT(dz, WithinAbs(0.0, 1e-40));
  bce_at(md, -big, 0.0, loss, dz, p);
  CHECK_THAT(loss, WithinAbs(0.0, 1e-40));
  CHECK_THAT(dz, WithinAbs(0.0, 1e-40));

  // float: exp(100) overflows nothing here, but exp(200) and exp(1000) overflow float.
  bce_at(mf, big, 0.0, loss, dz, p);
  CHECK(std::isfinite(loss));
  CHECK_THAT(loss, WithinRel(big, 1e-6));
  CHECK_THAT(dz, WithinRel(1.0, 1e-6));
  bce_at(mf, -big, 1.0, loss, dz, p);
  CHECK_THAT(loss, WithinRel(big, 1e-6));
  CHECK_THAT(dz, WithinRel(-1.0, 1e-6));
  bce_at(mf, big, 1.0, loss, dz, p);
  CHECK_THAT(loss, WithinAbs(0.0, 1e-30));
  CHECK_THAT(dz, WithinAbs(0.0, 1e-30));
  bce_at(mf, -big, 0.0, loss, dz, p);
  CHECK_THAT(loss, WithinAbs(0.0, 1e-30));
  CHECK_THAT(dz, WithinAbs(0.0, 1e-30));
}

TEST_CASE("softmax CE: hand-computed 3-class values, probabilities and stability", "[gradients][loss][ce]") {
  // 3 -> [3 linear, identity] -> 3 logits equal to the input.
  Mlp<double> m(3, {3}, {Activation::Linear}, 3, Loss::SoftmaxCe);
  m.W(0).setIdentity();
  m.b(0).setZero();
  m.W(1).setIdentity();
  m.b(1).setZero();
  MatT<double> x(3, 3), y(1, 3);
  x << 1, 1000, 1, 2, 0, 2, 3, -1000, 3;
  y << 0, 2, 2;
  m.forward(x, 3, false);
  // log(e + e^2 + e^3) = 3.40760596444438...
  const double lse = 3.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));
  CHECK_THAT(lse, WithinRel(3.4076059644443806, 1e-15));
  const auto p = m.layer(1).a;
  CHECK_THAT(p(0, 0), WithinRel(0.09003057317038046, 1e-13));
  CHECK_THAT(p(1, 0), WithinRel(0.24472847105479764, 1e-13));
  CHECK_THAT(p(2, 0), WithinRel(0.6652409557748219, 1e-13));
  CHECK_THAT(p(0, 1), WithinRel(1.0, 1e-15));
  CHECK(std::isfinite(p(2, 1)));
  // Per-sample losses: class 0 of (1,2,3): 2.4076059644443806; class 2 of (1000,0,-1000): 2000;
  // class 2 of (1,2,3): 0.4076059644443806.
  const double expected_mean = (2.4076059644443806 + 2000.0 + 0.4076059644443806) / 3.0;
  const double mean = m.loss_value(y, 3);
  CHECK(std::isfinite(mean));
  CHECK_THAT(mean, WithinRel(expected_mean, 1e-13));
  const double summed = m.output_grad(y, 3, 3);
  CHECK_THAT(summed, WithinRel(3 * expected_mean, 1e-13));
  // dL/dz = (p - onehot) / total
  const auto dz = m.layer(1).dz;
  CHECK_THAT(dz(0, 0), WithinRel((0.09003057317038046 - 1.0) / 3.0, 1e-13));
  CHECK_THAT(dz(1, 0), WithinRel(0.24472847105479764 / 3.0, 1e-13));
  CHECK_THAT(dz(2, 0), WithinRel(0.6652409557748219 / 3.0, 1e-13));
  CHECK_THAT(dz(0, 1), WithinRel(1.0 / 3.0, 1e-13));
  CHECK_THAT(dz(2, 1), WithinRel(-1.0 / 3.0, 1e-13));

  // float: logits +-1000 must not overflow either.
  Mlp<float> mf(3, {3}, {Activation::Linear}, 3, Loss::SoftmaxCe);
  mf.W(0).setIdentity();
  mf.b(0).setZero();
  mf.W(1).setIdentity();
  mf.b(1).setZero();
  MatT<float> xf = x.cast<float>(), yf = y.cast<float>();
  mf.forward(xf, 3, false);
  CHECK_THAT(mf.loss_value(yf, 3), WithinRel(expected_mean, 1e-6));
  CHECK(mf.layer(1).a.leftCols(3).allFinite());
}
