// How many directions a layer's features span: measures of a feature matrix's rank that do
// not jump with tiny singular values (Dohare et al. 2024 track the first as plasticity fades).
//   effective rank (Roy & Vetterli 2007): exp(H(p)), p_k = s_k / sum s, H the Shannon entropy
//                  (natural log); k equal non-zero singular values give k, one gives 1.
//   stable rank   : sum s_k^2 / max s_k^2 (the squared Frobenius norm over the squared
//                  spectral norm): also k for k equal singular values, 1 for rank one.
// Both are 0 for an all-zero matrix.
#pragma once
#include <Eigen/Core>

namespace relu {

struct FeatureRank {
  double effective = 0, stable = 0;
};

// Singular values of `features` (units x samples, any orientation works) on doubles, in
// descending order (one-sided Jacobi, feature_rank.cpp).
Eigen::VectorXd singular_values(const Eigen::MatrixXd& features);
FeatureRank rank_from_singular_values(const Eigen::VectorXd& s);
inline FeatureRank feature_rank(const Eigen::MatrixXd& features) { return rank_from_singular_values(singular_values(features)); }

}  // namespace relu
