#include "feature_rank.h"

#include <Eigen/SVD>
#include <cmath>

namespace relu {

Eigen::VectorXd singular_values(const Eigen::MatrixXd& features) {
  if (features.size() == 0) return Eigen::VectorXd();
  // Singular values only (no U, V). BDCSVD falls back to Jacobi on small matrices itself.
  Eigen::BDCSVD<Eigen::MatrixXd> svd(features);
  return svd.singularValues();
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
