#include "mlp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gemm.h"

namespace relu {

template <typename T>
size_t Mlp<T>::weight_count() const {
  size_t n = 0;
  for (int l = 0; l < num_layers(); ++l) n += static_cast<size_t>(layer(l).weight_count());
  return n;
}

template <typename T>
void Mlp<T>::set_leaky_slope(T slope) {
  for (int l = 0; l < num_layers(); ++l) layer(l).act.leaky_slope = slope;
}

template <typename T>
void Mlp<T>::forward(const ConstRefMat& x, int n, bool training, Rng* rng) {
  if (n > max_cols_ || x.rows() != inputs() || x.cols() < n) throw std::invalid_argument("forward: input shape mismatch");
  const int last = static_cast<int>(layers_.size()) - 1;
  dropped_ = training && dropout_.active();
  const NormPass<T> pass{state.data(), training};
  for (int k = 0; k <= last; ++k) {
    const Operand<T> in = input(k, x);
    std::visit(
        [&](auto& L) {
          using L_t = std::decay_t<decltype(L)>;
          if constexpr (std::is_same_v<L_t, Dense<T>>)
            L.forward(params.data(), in, n, k < last, dropped_ ? &dropout_ : nullptr, rng, work(), pass);
          else if constexpr (std::is_same_v<L_t, Conv2d<T>>)
            L.forward(params.data(), in.data, in.ld, n, true, work(), pass);  // dropout is for dense layers
          else
            L.forward(in.data, in.ld, n);
        },
        layers_[k]);
  }
  Layer& out = layer(num_layers() - 1);
  loss_output<T>(loss_, out.z.leftCols(n), out.a.leftCols(n));
}

template <typename T>
double Mlp<T>::loss_value(const ConstRefMat& y, int n) const {
  const Layer& L = layer(num_layers() - 1);
  return loss_sum<T>(loss_, L.z.leftCols(n), L.a.leftCols(n), y, n, nullptr, 0) / n;
}

template <typename T>
double Mlp<T>::output_grad(const ConstRefMat& y, int n, int total) {
  Layer& L = layer(num_layers() - 1);
  Eigen::Ref<Mat> dz = L.dz.leftCols(n);
  return loss_sum<T>(loss_, L.z.leftCols(n), L.a.leftCols(n), y, n, &dz, 1.0 / total);
}

template <typename T>
void Mlp<T>::backward(const ConstRefMat& x, int n, bool track) {
  const int last = static_cast<int>(layers_.size()) - 1;
  for (int k = last; k >= 0; --k) {
    const Operand<T> in = input(k, x);
    std::visit(
        [&](auto& L) {
          using L_t = std::decay_t<decltype(L)>;
          // da_ holds dL/da of this layer, written by the layer above (the output layer's
          // dz comes from the loss head). Nothing needs dL/dx of the first layer.
          const int ld = static_cast<int>(da_.outerStride());
          if constexpr (std::is_same_v<L_t, Dense<T>>) {
            if (k < last) L.backward_activation(params.data(), grads.data(), da_.topLeftCorner(L.out, n), n, dropped_);
            L.backward_params(grads.data(), in, n, track, work());
            if (k > 0) L.backward_input(params.data(), da_.data(), ld, n, work());
          } else if constexpr (std::is_same_v<L_t, Conv2d<T>>) {
            L.backward_activation(params.data(), grads.data(), da_.topLeftCorner(L.out.size(), n), n);
            L.backward_params(grads.data(), in.data, in.ld, n, track, work());
            if (k > 0) L.backward_input(params.data(), da_.data(), ld, n, work());
          } else {
            L.backward_activation(da_.topLeftCorner(L.out.size(), n), n);
            if (k > 0) L.backward_input(da_.data(), ld, n);
          }
        },
        layers_[k]);
  }
  last_backward_cols_ = n;
}

template <typename T>
void Mlp<T>::zero_grads() {
  std::fill(grads.begin(), grads.end(), T(0));
}

template <typename T>
void Mlp<T>::zero_grad_tracking() {
  for (int l = 0; l < num_layers(); ++l) layer(l).grad_abs_sum.setZero();
}

template <typename T>
void Mlp<T>::record_grad_norms() {
  for (int l = 0; l < num_layers(); ++l) {
    const Layer& L = layer(l);
    weight_grad_norms[l] = static_cast<double>(
        Eigen::Map<const Vec>(grads.data() + L.w_off, static_cast<Eigen::Index>(L.weight_count())).norm());
  }
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace relu
