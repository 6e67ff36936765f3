#include "feature_rank.h"

#include <algorithm>
#include <cmath>

namespace relu {

namespace {
constexpr int kMaxSweeps = 60;
constexpr double kOrthogonal = 1e-15;  // |a_i . a_j| <= this * |a_i| |a_j| counts as orthogonal
}  // namespace

// One-sided Jacobi (Hestenes): rotate pairs of columns until every pair is orthogonal; the
// singular values are then the columns' norms. Why not Eigen's BDCSVD or JacobiSVD: either
// adds tens of KB to the page's wasm (the first download's budget), for a figure computed
// once per task; this is a few hundred bytes, accurate to working precision (it never forms
// F F^T, so small singular values are not squared away), and uses only + * / sqrt, so the
// CLI and the page get the same bits. tests/engine/test_streams.cpp checks it against
// Eigen's BDCSVD.
Eigen::VectorXd singular_values(const Eigen::MatrixXd& features) {
  if (features.size() == 0) return Eigen::VectorXd();
  // The fewer, longer vectors: k = min(rows, cols) columns of length max(rows, cols).
  Eigen::MatrixXd a = features.rows() >= features.cols() ? features : Eigen::MatrixXd(features.transpose());
  const Eigen::Index k = a.cols();
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool rotated = false;
    for (Eigen::Index i = 0; i + 1 < k; ++i)
      for (Eigen::Index j = i + 1; j < k; ++j) {
        const double alpha = a.col(i).squaredNorm(), beta = a.col(j).squaredNorm();
        const double gamma = a.col(i).dot(a.col(j));
        if (!(alpha > 0) || !(beta > 0) || std::fabs(gamma) <= kOrthogonal * std::sqrt(alpha * beta)) continue;
        rotated = true;
        const double zeta = (beta - alpha) / (2 * gamma);
        const double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
        const double c = 1 / std::sqrt(1 + t * t), s = c * t;
        for (Eigen::Index r = 0; r < a.rows(); ++r) {
          const double x = a(r, i), y = a(r, j);
          a(r, i) = c * x - s * y;
          a(r, j) = s * x + c * y;
        }
      }
    if (!rotated) break;
  }
  Eigen::VectorXd s(k);
  for (Eigen::Index i = 0; i < k; ++i) s(i) = a.col(i).norm();
  std::sort(s.data(), s.data() + k, [](double x, double y) { return x > y; });
  return s;
}

FeatureRank rank_from_singular_values(const Eigen::VectorXd& s) {
  FeatureRank r;
  const double sum = s.sum(), top = s.size() ? s.maxCoeff() : 0.0;
  if (!(sum > 0) || !(top > 0)) return r;
  double entropy = 0;
  for (int k = 0; k < s.size(); ++k) {
    const double p = s(k) / sum;
    if (p > 0) entropy -= p * std::log(p);
  }
  r.effective = std::exp(entropy);
  r.stable = s.squaredNorm() / (top * top);
  return r;
}

}  // namespace relu
