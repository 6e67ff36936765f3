#include "loss.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "activation.h"

namespace relu {

Loss loss_from_name(const std::string& name) {
  if (name == "mse") return Loss::Mse;
  if (name == "bce") return Loss::Bce;
  if (name == "ce") return Loss::SoftmaxCe;
  throw std::invalid_argument("unknown loss \"" + name + "\" (expected mse, bce or ce)");
}

const char* loss_name(Loss l) {
  switch (l) {
    case Loss::Mse: return "mse";
    case Loss::Bce: return "bce";
    case Loss::SoftmaxCe: return "ce";
  }
  return "?";
}

template <typename T>
void loss_output(Loss loss, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z, Eigen::Ref<Eigen::Matrix<T, -1, -1>> a) {
  switch (loss) {
    case Loss::Mse: a = z; break;
    case Loss::Bce: {
      const Eigen::Matrix<T, -1, 1> unused;  // sigmoid has no per-unit parameter
      activation_forward<T>(ActivationParams<T>{Activation::Sigmoid}, z, unused, a);
      break;
    }
    case Loss::SoftmaxCe: softmax_columns<T>(z, a); break;
  }
}

template <typename T>
double loss_sum(Loss loss, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z,
                const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& a, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& y,
                int n, Eigen::Ref<Eigen::Matrix<T, -1, -1>>* dz, double scale) {
  double total = 0;
  const int k = static_cast<int>(z.rows());
  for (int j = 0; j < n; ++j) {
    const double t = static_cast<double>(y(0, j));
    switch (loss) {
      case Loss::Mse:
        // Mean over samples and outputs (PyTorch's MSELoss): each output vs the target.
        for (int i = 0; i < k; ++i) {
          const double d = static_cast<double>(a(i, j)) - t;
          total += d * d / k;
          if (dz) (*dz)(i, j) = static_cast<T>(2.0 * d / k * scale);
        }
        break;
      case Loss::Bce: {
        // Stable form of -t log s(z) - (1-t) log(1 - s(z)).
        const double v = static_cast<double>(z(0, j));
        total += std::max(v, 0.0) - v * t + std::log1p(std::exp(-std::fabs(v)));
        if (dz) (*dz)(0, j) = static_cast<T>((static_cast<double>(a(0, j)) - t) * scale);
        break;
      }
      case Loss::SoftmaxCe: {
        const int cls = static_cast<int>(t);
        double m = -INFINITY;
        for (int i = 0; i < k; ++i) m = std::max(m, static_cast<double>(z(i, j)));
        double sum = 0;
        for (int i = 0; i < k; ++i) sum += std::exp(static_cast<double>(z(i, j)) - m);
        total += m + std::log(sum) - static_cast<double>(z(cls, j));
        if (dz)
          for (int i = 0; i < k; ++i)
            (*dz)(i, j) = static_cast<T>((static_cast<double>(a(i, j)) - (i == cls ? 1.0 : 0.0)) * scale);
        break;
      }
    }
  }
  return total;
}

#define RELU_INSTANTIATE(T)                                                                                    \
  template void loss_output<T>(Loss, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&,                        \
                               Eigen::Ref<Eigen::Matrix<T, -1, -1>>);                                          \
  template double loss_sum<T>(Loss, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&,                         \
                              const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&,                               \
                              const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>&, int,                          \
                              Eigen::Ref<Eigen::Matrix<T, -1, -1>>*, double);
RELU_INSTANTIATE(float)
RELU_INSTANTIATE(double)
#undef RELU_INSTANTIATE

}  // namespace relu
