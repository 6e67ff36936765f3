// Statistical and mathematical properties: SELU's constants and self-normalisation,
// AlphaDropout and inverted dropout, initialiser variances, RAI's structure, and the
// single-input born-dead identity P = 1 - (1 - 2^-N)^L.
#include <Eigen/Core>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "activation.h"
#include "init.h"
#include "mlp.h"
#include "rng.h"

#if __has_include("born_dead.h")
#include "born_dead.h"
#define RELU_HAVE_BORN_DEAD 1
#endif

using namespace relu;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

struct Moments {
  double mean = 0, var = 0, m4c = 0;  // mean, population variance, central 4th moment
  size_t n = 0;
};

template <typename Derived>
Moments moments(const Eigen::DenseBase<Derived>& v) {
  Moments m;
  m.n = static_cast<size_t>(v.size());
  double s = 0;
  for (Eigen::Index j = 0; j < v.cols(); ++j)
    for (Eigen::Index i = 0; i < v.rows(); ++i) s += static_cast<double>(v(i, j));
  m.mean = s / m.n;
  double s2 = 0, s4 = 0;
  for (Eigen::Index j = 0; j < v.cols(); ++j)
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
      const double d = static_cast<double>(v(i, j)) - m.mean;
      s2 += d * d;
      s4 += d * d * d * d;
    }
  m.var = s2 / m.n;
  m.m4c = s4 / m.n;
  return m;
}

// Standard errors of the sample mean and of the sample variance.
double se_mean(const Moments& m) { return std::sqrt(m.var / m.n); }
double se_var(const Moments& m) { return std::sqrt(std::max(m.m4c - m.var * m.var, 0.0) / m.n); }

// Initialises every layer of m row by row with init_row (bias left at zero unless RAI).
void init_model(Mlp<float>& m, const InitSpec& spec, Rng& rng) {
  std::vector<float> row;
  for (int l = 0; l < m.num_layers(); ++l) {
    auto W = m.W(l);
    row.resize(W.cols());
    for (int i = 0; i < W.rows(); ++i) {
      float bias = 0.0f;
      const bool set_bias = init_row<float>(spec, static_cast<int>(W.cols()), static_cast<int>(W.rows()), rng,
                                            row.data(), &bias);
      for (int j = 0; j < W.cols(); ++j) W(i, j) = row[j];
      m.b(l)(i) = set_bias ? bias : 0.0f;
    }
  }
}

Eigen::MatrixXf normal_matrix(int rows, int cols, Rng& rng) {
  Eigen::MatrixXf x(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) x(i, j) = static_cast<float>(rng.normal());
  return x;
}

// Runs a deep net on N(0,1) data (in chunks, to keep the workspaces small) and reports the
// worst |mean| and |var - 1| of the activations over the hidden layers.
void deep_stats(Activation act, const InitSpec& init, int depth, int width, int samples, double& worst_mean,
                double& worst_var, double& last_var) {
  const int chunk = 250;
  Mlp<float> m(width, std::vector<int>(depth, width), {act}, 1, Loss::Mse, chunk);
  Rng rng(2024);
  init_model(m, init, rng);
  const Eigen::MatrixXf x = normal_matrix(width, samples, rng);
  std::vector<double> s1(depth, 0.0), s2(depth, 0.0);
  for (int c = 0; c < samples; c += chunk) {
    const int n = std::min(chunk, samples - c);
    m.forward(x.middleCols(c, n), n, false);
    for (int l = 0; l < depth; ++l) {
      const Eigen::ArrayXXd a = m.layer(l).a.leftCols(n).cast<double>().array();
      s1[l] += a.sum();
      s2[l] += a.square().sum();
    }
  }
  worst_mean = worst_var = 0;
  const double N = static_cast<double>(width) * samples;
  for (int l = 0; l < depth; ++l) {
    const double mean = s1[l] / N, var = s2[l] / N - mean * mean;
    worst_mean = std::max(worst_mean, std::fabs(mean));
    worst_var = std::max(worst_var, std::fabs(var - 1.0));
    last_var = var;
  }
}

}  // namespace

TEST_CASE("SELU constants are Klambauer et al.'s exact values", "[properties][selu]") {
  CHECK(kSeluLambda == 1.0507009873554804934193349852946);
  CHECK(kSeluAlpha == 1.6732632423543772848170429916717);
  // Defining property: for z ~ N(0,1), E[selu(z)] = 0 and E[selu(z)^2] = 1 (the fixed point).
  // Simpson's rule on [-12, 12] through activation_value.
  const int steps = 48000;
  const double a = -12, b = 12, h = (b - a) / steps;
  double m1 = 0, m2 = 0;
  for (int k = 0; k <= steps; ++k) {
    const double z = a + k * h;
    const double w = (k == 0 || k == steps) ? 1 : (k % 2 ? 4 : 2);
    const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * 3.14159265358979323846);
    const double s = activation_value(Activation::Selu, z, 0);
    m1 += w * s * pdf;
    m2 += w * s * s * pdf;
  }
  m1 *= h / 3;
  m2 *= h / 3;
  CHECK_THAT(m1, WithinAbs(0.0, 1e-9));
  CHECK_THAT(m2, WithinAbs(1.0, 1e-9));
}

TEST_CASE("SELU self-normalises a 50-layer, width-256 network; ReLU with the same init does not",
          "[properties][selu][slow]") {
  InitSpec lecun;
  lecun.kind = Init::LecunNormal;
  double worst_mean = 0, worst_var = 0, last_var = 0;
  deep_stats(Activation::Selu, lecun, 50, 256, 1000, worst_mean, worst_var, last_var);
  CAPTURE(worst_mean, worst_var, last_var);
  CHECK(worst_mean < 0.1);
  CHECK(worst_var < 0.15);

  // Contrast: relu + lecun_normal halves the second moment per layer (the check above fails).
  deep_stats(Activation::Relu, lecun, 50, 256, 1000, worst_mean, worst_var, last_var);
  CAPTURE(worst_mean, worst_var, last_var);
  CHECK_FALSE((worst_mean < 0.1 && worst_var < 0.15));
  CHECK(last_var < 1e-10);
}

TEST_CASE("AlphaDropout keeps mean 0 and variance 1, with Klambauer's affine constants", "[properties][dropout]") {
  const double p = GENERATE(0.1, 0.2, 0.5);
  CAPTURE(p);
  const int width = 256, n = 2000;
  // One SELU layer with W = I, b = 0: z = x ~ N(0,1), so selu(z) has mean 0 and variance 1.
  Mlp<float> m(width, {width}, {Activation::Selu}, 1, Loss::Mse, n);
  m.W(0).setIdentity();
  m.b(0).setZero();
  m.set_dropout(DropoutKind::Alpha, static_cast<float>(p));
  REQUIRE(m.dropout_kind() == DropoutKind::Alpha);
  Rng rng(31 + static_cast<int>(p * 100));
  const Eigen::MatrixXf x = normal_matrix(width, n, rng);

  // Evaluation mode: no dropout at all.
  m.forward(x, n, false);
  Eigen::MatrixXd s(width, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < width; ++i) s(i, j) = activation_value(Activation::Selu, x(i, j), 0);
  CHECK((m.layer(0).a.leftCols(n).cast<double>() - s).cwiseAbs().maxCoeff() < 1e-5);

  Rng drop_rng(99);
  m.forward(x, n, true, &drop_rng);
  const Eigen::MatrixXf y = m.layer(0).a.leftCols(n);
  // alpha' = -lambda alpha; a = ((1-p)(1 + p alpha'^2))^(-1/2); b = -a alpha' p.
  const double ap = -kSeluLambda * kSeluAlpha;
  const double A = 1.0 / std::sqrt((1 - p) * (1 + p * ap * ap));
  const double B = -A * ap * p;
  const double dropped_value = A * ap + B;
  size_t dropped = 0, mismatched = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < width; ++i) {
      const double kept_value = A * s(i, j) + B;
      if (std::fabs(y(i, j) - dropped_value) < 1e-5)
        ++dropped;
      else if (std::fabs(y(i, j) - kept_value) > 1e-5 * std::max(1.0, std::fabs(kept_value)))
        ++mismatched;
    }
  CHECK(mismatched == 0);
  const double N = static_cast<double>(width) * n;
  const double drop_share = dropped / N;
  CHECK_THAT(drop_share, WithinAbs(p, 3 * std::sqrt(p * (1 - p) / N)));

  const Moments in = moments(s), out = moments(y);
  CAPTURE(in.mean, in.var, out.mean, out.var, se_mean(out), se_var(out));
  // The input itself deviates from (0, 1) by sampling noise; allow for both.
  CHECK_THAT(out.mean, WithinAbs(0.0, 3 * (se_mean(out) + se_mean(in))));
  CHECK_THAT(out.var, WithinAbs(1.0, 3 * (se_var(out) + se_var(in))));
  // And the exact statement: the affine map restores the input's own moments.
  const double expected_mean = A * ((1 - p) * in.mean + p * ap) + B;
  CHECK_THAT(out.mean, WithinAbs(expected_mean, 3 * se_mean(out)));
}

TEST_CASE("Standard dropout is inverted: kept units scaled by 1/(1-p), mean preserved", "[properties][dropout]") {
  const double p = GENERATE(0.2, 0.5);
  CAPTURE(p);
  const int width = 200, n = 1000;
  Mlp<float> m(width, {width}, {Activation::Linear}, 1, Loss::Mse, n);
  m.W(0).setIdentity();
  m.b(0).setZero();
  m.set_dropout(DropoutKind::Standard, static_cast<float>(p));
  Rng rng(7);
  Eigen::MatrixXf x = normal_matrix(width, n, rng);
  x.array() = 1.0f + 0.5f * x.array();
  Rng drop_rng(8);
  m.forward(x, n, true, &drop_rng);
  const Eigen::MatrixXf y = m.layer(0).a.leftCols(n);
  size_t zeros = 0, bad = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < width; ++i) {
      if (y(i, j) == 0.0f)
        ++zeros;
      else if (std::fabs(y(i, j) - x(i, j) / (1 - p)) > 1e-5 * std::fabs(x(i, j) / (1 - p)))
        ++bad;
    }
  CHECK(bad == 0);
  const double N = static_cast<double>(width) * n;
  CHECK_THAT(zeros / N, WithinAbs(p, 3 * std::sqrt(p * (1 - p) / N)));
  const Moments in = moments(x), out = moments(y);
  CHECK_THAT(out.mean, WithinAbs(in.mean, 3 * se_mean(out)));
  // Evaluation mode is the identity.
  m.forward(x, n, false);
  CHECK((m.layer(0).a.leftCols(n) - x).cwiseAbs().maxCoeff() == 0.0f);
}

TEST_CASE("Initialisers: variance, bounds and shape of the distribution", "[properties][init]") {
  struct Case {
    const char* name;
    double var;      // expected variance
    double mean;     // expected mean
    double bound;    // > 0: uniform on [mean - bound, mean + bound]
  };
  const int fi = 512, fo = 2048;
  const Case cases[] = {
      {"he_normal", 2.0 / fi, 0, 0},
      {"he_uniform", 2.0 / fi, 0, std::sqrt(6.0 / fi)},
      {"lecun_normal", 1.0 / fi, 0, 0},
      {"lecun_uniform", 1.0 / fi, 0, std::sqrt(3.0 / fi)},
      {"glorot_normal", 2.0 / (fi + fo), 0, 0},
      {"glorot_uniform", 2.0 / (fi + fo), 0, std::sqrt(6.0 / (fi + fo))},
      {"uniform(-0.3,0.7)", 1.0 / 12.0, 0.2, 0.5},
      {"random_uniform", 0.01 / 12.0, 0.0, 0.05},
  };
  const int k = GENERATE(range(0, 8));
  const Case& c = cases[k];
  CAPTURE(c.name);
  const InitSpec spec = init_from_name(c.name);
  Rng rng(123 + k);
  Eigen::MatrixXd w(fi, fo);  // column r = row r of W (fan_in contiguous entries)
  for (int r = 0; r < fo; ++r) {
    double bias = 12345.0;
    CHECK_FALSE(init_row<double>(spec, fi, fo, rng, w.col(r).data(), &bias));
    if (bias != 12345.0) FAIL("init_row changed the bias of a non-RAI initialiser");
  }
  const Moments mo = moments(w);
  CAPTURE(mo.mean, mo.var, c.var);
  CHECK_THAT(mo.var, WithinRel(c.var, 0.02));
  CHECK_THAT(mo.mean, WithinAbs(c.mean, 4 * std::sqrt(c.var / mo.n)));
  const double lo = w.minCoeff(), hi = w.maxCoeff(), sd = std::sqrt(c.var);
  if (c.bound > 0) {
    CHECK(lo >= c.mean - c.bound);
    CHECK(hi < c.mean + c.bound);
    CHECK(lo < c.mean - 0.999 * c.bound);
    CHECK(hi > c.mean + 0.999 * c.bound);
    CHECK_THAT(mo.m4c / (mo.var * mo.var), WithinAbs(1.8, 0.02));  // uniform's kurtosis
  } else {
    // A normal: tails far beyond sqrt(3) sd (where a same-variance uniform stops), kurtosis 3.
    CHECK(hi > 4 * sd);
    CHECK(lo < -4 * sd);
    CHECK_THAT(mo.m4c / (mo.var * mo.var), WithinAbs(3.0, 0.05));
  }
}

TEST_CASE("RAI: rows of [W | b] are N(0, 0.6007^2/fan_in) except one Beta(2,1) entry", "[properties][init][rai]") {
  const InitSpec spec = init_from_name("rai");
  REQUIRE(spec.kind == Init::Rai);

  SECTION("large fan-in: one outlying positive entry per row, the rest with the stated variance") {
    const int fi = 1000, rows = 2000;
    const double sd = kRaiStdScale / std::sqrt(static_cast<double>(fi));
    Rng rng(5);
    Eigen::MatrixXd v(fi + 1, rows);  // column r = [w_r ; b_r]
    for (int r = 0; r < rows; ++r) {
      double bias = 12345.0;
      CHECK(init_row<double>(spec, fi, fi, rng, v.col(r).data(), &bias));
      v(fi, r) = bias;
    }
    CHECK(v.row(fi).maxCoeff() < 12345.0);  // the bias was set on every row
    // Beta(2,1) exceeds 10 sd = 0.19 with probability 1 - 0.19^2 = 0.964; normal entries essentially never.
    int rows_with_one = 0, rows_with_more = 0;
    double max_sum = 0, rest_sq = 0;
    size_t rest_n = 0;
    for (int r = 0; r < rows; ++r) {
      Eigen::Index imax = 0;
      const double mx = v.col(r).maxCoeff(&imax);
      max_sum += mx;
      const int big = static_cast<int>((v.col(r).array() > 10 * sd).count());
      rows_with_one += big == 1;
      rows_with_more += big > 1;
      CHECK(mx <= 1.0);
      for (int i = 0; i <= fi; ++i)
        if (i != imax) {
          rest_sq += v(i, r) * v(i, r);
          ++rest_n;
        }
    }
    CHECK(rows_with_more == 0);
    CHECK_THAT(rows_with_one / double(rows), WithinAbs(1 - 0.19 * 0.19, 3 * std::sqrt(0.036 * 0.964 / rows)));
    // E[max] ~ E[Beta(2,1)] = 2/3 (sd of Beta(2,1) is sqrt(1/18) = 0.236).
    CHECK_THAT(max_sum / rows, WithinAbs(2.0 / 3.0, 3 * 0.236 / std::sqrt(rows) + 0.005));
    CHECK_THAT(rest_sq / rest_n, WithinRel(sd * sd, 0.02));
  }

  SECTION("small fan-in: the Beta(2,1) entry is equally likely in every position, bias included") {
    const int fi = 3, rows = 200000;
    Rng rng(6);
    Eigen::Vector4d sums = Eigen::Vector4d::Zero();
    double w[3], bias = 0;
    for (int r = 0; r < rows; ++r) {
      init_row<double>(spec, fi, 8, rng, w, &bias);
      sums += Eigen::Vector4d(w[0], w[1], w[2], bias);
    }
    // Each position holds Beta(2,1) (mean 2/3) with probability 1/4, a zero-mean normal otherwise.
    const Eigen::Vector4d means = sums / rows;
    const double var = 0.75 * kRaiStdScale * kRaiStdScale / fi + 0.25 * 0.5 - (1.0 / 6.0) * (1.0 / 6.0);
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i, means(i));
      CHECK_THAT(means(i), WithinAbs(1.0 / 6.0, 4 * std::sqrt(var / rows)));
    }
  }
}

TEST_CASE("Single-input identity: P(some layer of width N is all-zero within L layers) = 1 - (1 - 2^-N)^L",
          "[properties][born_dead]") {
  // 1 input x = 1, zero biases, He-normal weights: every unit of layer 1 is positive with
  // probability 1/2 independently; given a non-negative, non-zero input vector the same holds
  // for every later layer, and an all-zero layer stays all-zero. So a layer is all-zero with
  // probability 2^-N and the first dead layer is geometric.
  struct Case {
    int width, depth;
  };
  const Case cases[] = {{2, 5}, {2, 10}, {3, 5}, {3, 10}};
  const int k = GENERATE(range(0, 4));
  const Case c = cases[k];
  CAPTURE(c.width, c.depth);
  const int trials = 20000;
  Mlp<float> m(1, std::vector<int>(c.depth, c.width), {Activation::Relu}, 1, Loss::Mse, 1);
  InitSpec he;
  he.kind = Init::HeNormal;
  Rng rng(4000 + k);
  Eigen::MatrixXf x(1, 1);
  x(0, 0) = 1.0f;
  int collapsed = 0;
  for (int t = 0; t < trials; ++t) {
    init_model(m, he, rng);
    m.forward(x, 1, false);
    bool any = false;
    for (int l = 0; l < c.depth && !any; ++l) any = m.layer(l).a.col(0).isZero(0.0f);
    collapsed += any;
  }
  const double expected = 1.0 - std::pow(1.0 - std::pow(2.0, -c.width), c.depth);
  const double p_hat = collapsed / double(trials);
  const double se = std::sqrt(expected * (1 - expected) / trials);
  CAPTURE(p_hat, expected, se);
  CHECK_THAT(p_hat, WithinAbs(expected, 3 * se));
  // Sanity of the statistic: 3 se is much narrower than the gap to the next depth.
  const double next = 1.0 - std::pow(1.0 - std::pow(2.0, -c.width), c.depth + 1);
  CHECK(std::fabs(next - expected) > 6 * se);
}


#ifdef RELU_HAVE_BORN_DEAD
TEST_CASE("born_dead_probability: more depth, less width, and RAI change it the right way",
          "[properties][born_dead]") {
  auto p = [](int width, int depth, const char* init, const char* bias = "") {
    BornDeadSpec s;
    s.width = width;
    s.depth = depth;
    s.init = init;
    s.bias = bias;
    s.trials = 2000;
    s.points = 51;
    s.seed = 7;
    return born_dead_probability(s);
  };
  // Monotone increasing in depth (width 2, He-normal, zero bias).
  const BornDeadResult d5 = p(2, 5, "he_normal"), d10 = p(2, 10, "he_normal"), d20 = p(2, 20, "he_normal"),
                       d40 = p(2, 40, "he_normal");
  CAPTURE(d5.probability, d10.probability, d20.probability, d40.probability);
  CHECK(d5.probability <= d10.probability);
  CHECK(d10.probability <= d20.probability);
  CHECK(d20.probability <= d40.probability);
  CHECK(d40.probability > d5.probability + 3 * (d40.std_error + d5.std_error));
  // Decreasing in width (depth 20).
  const BornDeadResult w2 = p(2, 20, "he_normal"), w3 = p(3, 20, "he_normal"), w5 = p(5, 20, "he_normal");
  CAPTURE(w2.probability, w3.probability, w5.probability);
  CHECK(w2.probability > w3.probability + 2 * (w2.std_error + w3.std_error));
  CHECK(w3.probability > w5.probability);
  // RAI is lower than He-normal at the same shape.
  const BornDeadResult he = p(2, 20, "he_normal"), rai = p(2, 20, "rai");
  CAPTURE(he.probability, rai.probability);
  CHECK(rai.probability < he.probability - 3 * (he.std_error + rai.std_error));
  // Bookkeeping: the reference formula and the standard error.
  CHECK_THAT(d10.reference, WithinRel(1.0 - std::pow(0.75, 10), 1e-12));
  CHECK_THAT(d10.std_error, WithinRel(std::sqrt(d10.probability * (1 - d10.probability) / 2000), 1e-12));
  CHECK(d10.dead_trials == static_cast<int>(std::lround(d10.probability * 2000)));
  CHECK(he.bias == "zero");
  CHECK(rai.bias == "normal");
  CHECK_THROWS_AS(p(0, 5, "he_normal"), std::invalid_argument);
  CHECK_THROWS_AS(p(2, 5, "glorot_uniform"), std::invalid_argument);
}
#endif
