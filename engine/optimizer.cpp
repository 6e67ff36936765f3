#include "optimizer.h"

#include <Eigen/Core>
#include <cmath>
#include <stdexcept>

namespace relu {

namespace {
struct NamedOptimizer {
  OptimizerKind kind;
  const char* name;
};
constexpr NamedOptimizer kOptimizers[] = {
    {OptimizerKind::Sgd, "sgd"}, {OptimizerKind::Momentum, "momentum"},
    {OptimizerKind::Rmsprop, "rmsprop"}, {OptimizerKind::Adam, "adam"}};
}  // namespace

OptimizerKind optimizer_from_name(const std::string& name) {
  for (const auto& o : kOptimizers)
    if (name == o.name) return o.kind;
  throw std::invalid_argument("unknown optimizer \"" + name + "\" (expected sgd, momentum, rmsprop or adam)");
}

const char* optimizer_name(OptimizerKind k) {
  for (const auto& o : kOptimizers)
    if (k == o.kind) return o.name;
  return "?";
}

template <typename T>
Optimizer<T>::Optimizer(const OptimizerSpec& spec, size_t n) : spec_(spec), m_(n, T(0)), v_(n, T(0)) {}

template <typename T>
double Optimizer<T>::step(std::vector<T>& params, std::vector<T>& grads, const std::vector<uint8_t>& decay_mask) {
  const size_t n = params.size();
  // Eigen's packet reduction: a fixed summation order (for a given alignment), and
  // SIMD where a plain loop would be one long chain of dependent adds.
  const double norm = std::sqrt(
      Eigen::Map<const Eigen::Matrix<T, -1, 1>>(grads.data(), static_cast<Eigen::Index>(n)).template cast<double>().squaredNorm());
  if (spec_.clip_norm > 0 && norm > spec_.clip_norm) {
    const T scale = static_cast<T>(spec_.clip_norm / norm);
    for (size_t i = 0; i < n; ++i) grads[i] *= scale;
  }
  const T l1 = static_cast<T>(spec_.l1), l2 = static_cast<T>(spec_.l2);
  if (l1 != T(0) || l2 != T(0))
    for (size_t i = 0; i < n; ++i)
      if (decay_mask[i]) {
        const T p = params[i];
        grads[i] += l2 * p + l1 * T((p > T(0)) - (p < T(0)));
      }
  ++t_;
  const T lr = static_cast<T>(spec_.lr);
  T* p = params.data();
  const T* g = grads.data();
  T* m = m_.data();
  T* v = v_.data();
  switch (spec_.kind) {
    case OptimizerKind::Sgd:
      for (size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
      break;
    case OptimizerKind::Momentum: {
      const T mu = static_cast<T>(spec_.momentum);
      if (spec_.nesterov)
        for (size_t i = 0; i < n; ++i) {
          m[i] = mu * m[i] + g[i];
          p[i] -= lr * (g[i] + mu * m[i]);
        }
      else
        for (size_t i = 0; i < n; ++i) {
          m[i] = mu * m[i] + g[i];
          p[i] -= lr * m[i];
        }
      break;
    }
    case OptimizerKind::Rmsprop: {
      const T rho = static_cast<T>(spec_.rho), eps = static_cast<T>(spec_.eps);
      for (size_t i = 0; i < n; ++i) {
        v[i] = rho * v[i] + (T(1) - rho) * g[i] * g[i];
        p[i] -= lr * g[i] / (std::sqrt(v[i]) + eps);
      }
      break;
    }
    case OptimizerKind::Adam: {
      const T b1 = static_cast<T>(spec_.beta1), b2 = static_cast<T>(spec_.beta2), eps = static_cast<T>(spec_.eps);
      const T c1 = static_cast<T>(1.0 - std::pow(spec_.beta1, static_cast<double>(t_)));
      const T c2 = static_cast<T>(1.0 - std::pow(spec_.beta2, static_cast<double>(t_)));
      for (size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (T(1) - b1) * g[i];
        v[i] = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
        p[i] -= lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
      }
      break;
    }
  }
  return norm;
}

template <typename T>
void Optimizer<T>::reset_state(size_t begin, size_t count) {
  for (size_t i = begin; i < begin + count && i < m_.size(); ++i) m_[i] = v_[i] = T(0);
}

template <typename T>
void Optimizer<T>::reset_state_at(size_t index) {
  if (index < m_.size()) m_[index] = v_[index] = T(0);
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace relu
