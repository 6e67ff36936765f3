#include "mlp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "gemm.h"

namespace relu {

int64_t network_param_count(int64_t inputs, const std::vector<int>& hidden, int64_t outputs) {
  int64_t total = 0, prev = inputs;
  for (int w : hidden) total += dense_param_count(prev, w), prev = w;
  return total + dense_param_count(prev, outputs);
}

template <typename T>
Mlp<T>::Mlp(int inputs, const std::vector<int>& hidden, const std::vector<Activation>& acts, int outputs, Loss loss,
            int max_cols)
    : loss_(loss), max_cols_(max_cols) {
  if (inputs < 1 || outputs < 1 || max_cols < 1) throw std::invalid_argument("network needs inputs, outputs and columns >= 1");
  if (acts.size() != 1 && acts.size() != hidden.size())
    throw std::invalid_argument("activation list must have one entry or one per hidden layer");
  if (loss == Loss::Bce && outputs != 1) throw std::invalid_argument("bce needs exactly 1 output");
  if (loss == Loss::SoftmaxCe && outputs < 2) throw std::invalid_argument("ce needs at least 2 outputs (classes)");
  size_t offset = 0;
  int prev = inputs, widest = 0;
  const int n_layers = static_cast<int>(hidden.size()) + 1;
  layers_.assign(n_layers, Layer{});
  for (int l = 0; l < n_layers; ++l) {
    Layer& L = layer(l);
    const bool is_output = l == n_layers - 1;
    offset = L.carve(prev, is_output ? outputs : hidden[l], offset, max_cols);
    L.act.kind = is_output ? Activation::Linear : (acts.size() == 1 ? acts[0] : acts[l]);
    widest = std::max(widest, L.in);
    prev = L.out;
  }
  params.assign(offset, T(0));
  grads.assign(offset, T(0));
  for (int l = 0; l < n_layers; ++l) s(l).setConstant(T(kPreluInitSlope));
  da_.setZero(widest, max_cols);
  // Inner dimensions of the three products: a layer's inputs (z), the next layer's
  // outputs (da), the columns (dW); every layer's output is some layer's input or the last.
  gemm_work_.assign(gemm_workspace(std::max({widest, outputs, max_cols})), T(0));
  if constexpr (std::is_same_v<T, float>) sparse_.reserve(widest, max_cols);
  weight_grad_norms.assign(n_layers, 0.0);
}

template <typename T>
size_t Mlp<T>::weight_count() const {
  size_t n = 0;
  for (int l = 0; l < num_layers(); ++l) n += static_cast<size_t>(layer(l).out) * layer(l).in;
  return n;
}

template <typename T>
void Mlp<T>::set_leaky_slope(T slope) {
  for (auto& any : layers_) std::visit([&](auto& L) { L.act.leaky_slope = slope; }, any);
}

template <typename T>
void Mlp<T>::forward(const ConstRefMat& x, int n, bool training, Rng* rng) {
  if (n > max_cols_ || x.rows() != inputs() || x.cols() < n) throw std::invalid_argument("forward: input shape mismatch");
  const int last = num_layers() - 1;
  dropped_ = training && dropout_.active();
  for (int l = 0; l <= last; ++l) {
    const Operand<T> in = input(l, x);
    std::visit([&](auto& L) { L.forward(params.data(), in, n, l < last, dropped_ ? &dropout_ : nullptr, rng, work()); },
               layers_[l]);
  }
  Layer& out = layer(last);
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
  const int last = num_layers() - 1;
  for (int l = last; l >= 0; --l) {
    const Operand<T> in = input(l, x);
    std::visit(
        [&](auto& L) {
          // da_ holds dL/da of this layer, written by the layer above (the output layer's
          // dz comes from the loss head).
          if (l < last) L.backward_activation(params.data(), grads.data(), da_.topLeftCorner(L.out, n), n, dropped_);
          L.backward_params(grads.data(), in, n, track, work());
          if (l > 0) L.backward_input(params.data(), da_.data(), static_cast<int>(da_.outerStride()), n, work());
        },
        layers_[l]);
  }
  last_backward_cols_ = n;
}

template <typename T>
void Mlp<T>::zero_grads() {
  std::fill(grads.begin(), grads.end(), T(0));
}

template <typename T>
void Mlp<T>::zero_grad_tracking() {
  for (auto& any : layers_) std::visit([](auto& L) { L.grad_abs_sum.setZero(); }, any);
}

template <typename T>
void Mlp<T>::record_grad_norms() {
  for (int l = 0; l < num_layers(); ++l) weight_grad_norms[l] = static_cast<double>(dW(l).norm());
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace relu
