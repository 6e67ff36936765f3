#include "activation.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace relu {

namespace {

struct NamedActivation {
  Activation kind;
  const char* name;
};
constexpr NamedActivation kActivations[] = {
    {Activation::Relu, "relu"},       {Activation::LeakyRelu, "leaky_relu"}, {Activation::Prelu, "prelu"},
    {Activation::Elu, "elu"},         {Activation::Selu, "selu"},            {Activation::Gelu, "gelu"},
    {Activation::Silu, "silu"},       {Activation::Tanh, "tanh"},            {Activation::Sigmoid, "sigmoid"},
    {Activation::Linear, "linear"},
};

constexpr double kInvSqrt2 = 0.70710678118654752440084436210485;
constexpr double kInvSqrt2Pi = 0.39894228040143267793994605993438;

template <typename T>
T sigmoid(T z) {
  // Two branches so exp never overflows.
  if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
  const T e = std::exp(z);
  return e / (T(1) + e);
}

}  // namespace

Activation activation_from_name(const std::string& name) {
  for (const auto& a : kActivations)
    if (name == a.name) return a.kind;
  std::string list;
  for (const auto& a : kActivations) list += (list.empty() ? "" : ", ") + std::string(a.name);
  throw std::invalid_argument("unknown activation \"" + name + "\" (expected one of " + list + ")");
}

const char* activation_name(Activation a) {
  for (const auto& n : kActivations)
    if (n.kind == a) return n.name;
  return "?";
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& a : kActivations) v.push_back(a.name);
    return v;
  }();
  return names;
}

bool is_rectifier(Activation a) {
  return a == Activation::Relu || a == Activation::LeakyRelu || a == Activation::Prelu;
}

bool has_flat_negative_side(Activation a, double negative_slope) {
  if (a == Activation::Relu) return true;
  if (a == Activation::LeakyRelu || a == Activation::Prelu) return negative_slope == 0.0;
  return false;
}

double activation_value(Activation a, double z, double slope) {
  switch (a) {
    case Activation::Relu: return z > 0 ? z : 0.0;
    case Activation::LeakyRelu:
    case Activation::Prelu: return z > 0 ? z : slope * z;
    case Activation::Elu: return z > 0 ? z : kEluAlpha * std::expm1(z);
    case Activation::Selu: return kSeluLambda * (z > 0 ? z : kSeluAlpha * std::expm1(z));
    case Activation::Gelu: return 0.5 * z * (1.0 + std::erf(z * kInvSqrt2));
    case Activation::Silu: return z * sigmoid(z);
    case Activation::Tanh: return std::tanh(z);
    case Activation::Sigmoid: return sigmoid(z);
    case Activation::Linear: return z;
  }
  return z;
}

double activation_derivative(Activation a, double z, double slope) {
  switch (a) {
    case Activation::Relu: return z > 0 ? 1.0 : 0.0;
    case Activation::LeakyRelu:
    case Activation::Prelu: return z > 0 ? 1.0 : slope;
    case Activation::Elu: return z > 0 ? 1.0 : kEluAlpha * std::exp(z);
    case Activation::Selu: return kSeluLambda * (z > 0 ? 1.0 : kSeluAlpha * std::exp(z));
    case Activation::Gelu: return 0.5 * (1.0 + std::erf(z * kInvSqrt2)) + z * kInvSqrt2Pi * std::exp(-0.5 * z * z);
    case Activation::Silu: {
      const double s = sigmoid(z);
      return s * (1.0 + z * (1.0 - s));
    }
    case Activation::Tanh: {
      const double t = std::tanh(z);
      return 1.0 - t * t;
    }
    case Activation::Sigmoid: {
      const double s = sigmoid(z);
      return s * (1.0 - s);
    }
    case Activation::Linear: return 1.0;
  }
  return 1.0;
}

void saturation_bounds(Activation a, double& lo, double& hi) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  lo = -inf;
  hi = inf;
  if (is_rectifier(a) || a == Activation::Linear) return;
  struct Bounds {
    double lo, hi;
  };
  static Bounds cache[10];
  static bool ready[10] = {};
  const int k = static_cast<int>(a);
  if (!ready[k]) {
    // Scan a fine grid for the peak, then walk in from each end while |f'| stays
    // under 1% of it; refine the crossing by bisection.
    constexpr double kSpan = 40.0, kStep = 1e-3;
    double peak = 0;
    for (double z = -kSpan; z <= kSpan; z += kStep) peak = std::max(peak, std::fabs(activation_derivative(a, z, 0)));
    const double thr = 0.01 * peak;
    auto under = [&](double z) { return std::fabs(activation_derivative(a, z, 0)) < thr; };
    auto refine = [&](double in_tail, double out_tail) {
      for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (in_tail + out_tail);
        (under(mid) ? in_tail : out_tail) = mid;
      }
      return in_tail;
    };
    Bounds b{-inf, inf};
    if (under(-kSpan)) {
      double z = -kSpan;
      while (z + kStep <= kSpan && under(z + kStep)) z += kStep;
      b.lo = refine(z, z + kStep);
    }
    if (under(kSpan)) {
      double z = kSpan;
      while (z - kStep >= -kSpan && under(z - kStep)) z -= kStep;
      b.hi = refine(z, z - kStep);
    }
    cache[k] = b;
    ready[k] = true;
  }
  lo = cache[k].lo;
  hi = cache[k].hi;
}

template <typename T>
void activation_forward(const ActivationParams<T>& p, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z,
                        const Eigen::Ref<const Eigen::Matrix<T, -1, 1>>& slopes,
                        Eigen::Ref<Eigen::Matrix<T, -1, -1>> a) {
  auto Z = z.array();
  auto A = a.array();
  switch (p.kind) {
    case Activation::Relu: A = Z.max(T(0)); break;
    case Activation::LeakyRelu: A = Z.max(T(0)) + p.leaky_slope * Z.min(T(0)); break;
    case Activation::Prelu: A = Z.max(T(0)) + Z.min(T(0)).colwise() * slopes.array(); break;
    case Activation::Elu:
      A = Z.unaryExpr([](T v) { return v > T(0) ? v : T(kEluAlpha) * std::expm1(v); });
      break;
    case Activation::Selu:
      A = Z.unaryExpr([](T v) { return T(kSeluLambda) * (v > T(0) ? v : T(kSeluAlpha) * std::expm1(v)); });
      break;
    case Activation::Gelu:
      A = Z.unaryExpr([](T v) { return T(0.5) * v * (T(1) + std::erf(v * T(kInvSqrt2))); });
      break;
    case Activation::Silu: A = Z.unaryExpr([](T v) { return v * sigmoid(v); }); break;
    case Activation::Tanh: A = Z.tanh(); break;
    case Activation::Sigmoid: A = Z.unaryExpr([](T v) { return sigmoid(v); }); break;
    case Activation::Linear: A = Z; break;
  }
}

template <typename T>
void activation_backward(const ActivationParams<T>& p, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z,
                         const Eigen::Ref<const Eigen::Matrix<T, -1, 1>>& slopes,
                         const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& da, Eigen::Ref<Eigen::Matrix<T, -1, -1>> dz,
                         Eigen::Ref<Eigen::Matrix<T, -1, 1>> dslopes) {
  auto Z = z.array();
  auto dA = da.array();
  auto dZ = dz.array();
  switch (p.kind) {
    case Activation::Relu: dZ = (Z > T(0)).select(dA, T(0)); break;
    case Activation::LeakyRelu: dZ = (Z > T(0)).select(dA, p.leaky_slope * dA); break;
    case Activation::Prelu:
      // dL/ds_i = sum over the batch of dL/da * min(z, 0).
      dslopes.array() += (dA * Z.min(T(0))).rowwise().sum();
      dZ = (Z > T(0)).select(dA, dA.colwise() * slopes.array());
      break;
    case Activation::Elu:
      dZ = dA * Z.unaryExpr([](T v) { return v > T(0) ? T(1) : T(kEluAlpha) * std::exp(v); });
      break;
    case Activation::Selu:
      dZ = dA * Z.unaryExpr([](T v) { return T(kSeluLambda) * (v > T(0) ? T(1) : T(kSeluAlpha) * std::exp(v)); });
      break;
    case Activation::Gelu:
      dZ = dA * Z.unaryExpr([](T v) {
        return T(0.5) * (T(1) + std::erf(v * T(kInvSqrt2))) + v * T(kInvSqrt2Pi) * std::exp(T(-0.5) * v * v);
      });
      break;
    case Activation::Silu:
      dZ = dA * Z.unaryExpr([](T v) {
        const T s = sigmoid(v);
        return s * (T(1) + v * (T(1) - s));
      });
      break;
    case Activation::Tanh: dZ = dA * (T(1) - Z.tanh().square()); break;
    case Activation::Sigmoid:
      dZ = dA * Z.unaryExpr([](T v) {
        const T s = sigmoid(v);
        return s * (T(1) - s);
      });
      break;
    case Activation::Linear: dZ = dA; break;
  }
}

template <typename T>
void softmax_columns(const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z, Eigen::Ref<Eigen::Matrix<T, -1, -1>> a) {
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    const T m = z.col(j).maxCoeff();
    a.col(j) = (z.col(j).array() - m).exp();
    a.col(j) /= a.col(j).sum();
  }
}

#define RELU_INSTANTIATE(T)                                                                                         \
  template void activation_forward<T>(const ActivationParams<T>&, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&, \
                                      const Eigen::Ref<const Eigen::Matrix<T, -1, 1>>&,                             \
                                      Eigen::Ref<Eigen::Matrix<T, -1, -1>>);                                         \
  template void activation_backward<T>(                                                                             \
      const ActivationParams<T>&, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&,                                \
      const Eigen::Ref<const Eigen::Matrix<T, -1, 1>>&, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&,          \
      Eigen::Ref<Eigen::Matrix<T, -1, -1>>, Eigen::Ref<Eigen::Matrix<T, -1, 1>>);                                 \
  template void softmax_columns<T>(const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&,                              \
                                   Eigen::Ref<Eigen::Matrix<T, -1, -1>>);
RELU_INSTANTIATE(float)
RELU_INSTANTIATE(double)
#undef RELU_INSTANTIATE

}  // namespace relu
