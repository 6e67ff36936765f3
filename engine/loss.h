// The loss head: the output nonlinearity and the loss with its gradient.
//   mse   identity output; mean over samples and outputs of (a - t)^2 (PyTorch MSELoss)
//   bce   sigmoid output (activation.h); -t log s(z) - (1-t) log(1 - s(z)) in the stable form
//   ce    softmax output (activation.h); -log softmax(z)_t, t the class index
// z, a: (outputs, n); y: (1, n) targets (value, 0/1 label or class index).
#pragma once
#include <Eigen/Core>
#include <string>

namespace relu {

enum class Loss { Mse, Bce, SoftmaxCe };
Loss loss_from_name(const std::string& name);  // "mse", "bce", "ce"
const char* loss_name(Loss l);

// a = the output nonlinearity of z (n columns).
template <typename T>
void loss_output(Loss loss, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z, Eigen::Ref<Eigen::Matrix<T, -1, -1>> a);

// Summed loss over n columns; when dz is given, also writes dL/dz scaled by `scale`.
template <typename T>
double loss_sum(Loss loss, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z,
                const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& a, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& y,
                int n, Eigen::Ref<Eigen::Matrix<T, -1, -1>>* dz, double scale);

}  // namespace relu
