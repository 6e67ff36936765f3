#include "mlp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gemm.h"

namespace relu {

int64_t network_param_count(int64_t inputs, const std::vector<int>& hidden, int64_t outputs) {
  int64_t total = 0, prev = inputs;
  for (int w : hidden) total += dense_param_count(prev, w), prev = w;
  return total + dense_param_count(prev, outputs);
}

namespace {

std::string layer_name(size_t k) { return "layer " + std::to_string(k + 1); }

// Walks a spec's shapes: f(layer index, spec, input volume, output volume); throws
// std::invalid_argument naming the layer whose shape does not work.
template <typename F>
void walk_shapes(const Volume& input, const std::vector<LayerSpec>& hidden, F&& f) {
  Volume v = input;
  bool flat = input.h == 1 && input.w == 1;
  for (size_t k = 0; k < hidden.size(); ++k) {
    const LayerSpec& sp = hidden[k];
    Volume out;
    try {
      switch (sp.kind) {
        case LayerKind::Dense:
          if (sp.units < 1) throw std::invalid_argument("layer widths must be >= 1");
          out = {sp.units, 1, 1};
          flat = true;
          break;
        case LayerKind::Conv2d:
          if (flat && k > 0) throw std::invalid_argument("a convolution cannot follow a dense layer");
          if (input.h == 1 && input.w == 1)
            throw std::invalid_argument("a convolution needs image inputs (a dataset with a shape, or input_shape)");
          out = conv_output(v, {sp.units, sp.kernel, sp.stride, sp.padding});
          break;
        case LayerKind::MaxPool:
        case LayerKind::AvgPool:
          if (flat) throw std::invalid_argument("pooling needs image inputs before any dense layer");
          out = pool_output(v, sp.size);
          break;
      }
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(layer_name(k) + ": " + e.what());
    }
    f(k, sp, v, out);
    v = out;
  }
}

}  // namespace

int64_t network_param_count(const Volume& input, const std::vector<LayerSpec>& hidden, int64_t outputs) {
  int64_t total = 0, last = input.size();
  walk_shapes(input, hidden, [&](size_t, const LayerSpec& sp, const Volume& in, const Volume& out) {
    if (sp.kind == LayerKind::Dense) total += dense_param_count(in.size(), sp.units);
    if (sp.kind == LayerKind::Conv2d) total += conv2d_param_count(in, {sp.units, sp.kernel, sp.stride, sp.padding});
    last = out.size();
  });
  return total + dense_param_count(last, outputs);
}

int64_t network_widest_rows(const Volume& input, const std::vector<LayerSpec>& hidden, int64_t outputs) {
  int64_t widest = std::max<int64_t>(input.size(), outputs);
  walk_shapes(input, hidden, [&](size_t, const LayerSpec&, const Volume&, const Volume& out) {
    widest = std::max(widest, out.size());
  });
  return widest;
}

template <typename T>
Mlp<T>::Mlp(int inputs, const std::vector<int>& hidden, const std::vector<Activation>& acts, int outputs, Loss loss,
            int max_cols)
    : Mlp(Volume{inputs, 1, 1},
          [&] {
            std::vector<LayerSpec> specs;
            for (int w : hidden) specs.push_back(dense_spec(w));
            return specs;
          }(),
          acts, outputs, loss, max_cols) {}

template <typename T>
Mlp<T>::Mlp(const Volume& input, const std::vector<LayerSpec>& hidden, const std::vector<Activation>& acts,
            int outputs, Loss loss, int max_cols)
    : input_(input), loss_(loss), max_cols_(max_cols) {
  if (input.size() < 1 || outputs < 1 || max_cols < 1)
    throw std::invalid_argument("network needs inputs, outputs and columns >= 1");
  int unit_layers = 0;
  for (const auto& sp : hidden) unit_layers += sp.has_units();
  if (acts.size() != 1 && static_cast<int>(acts.size()) != unit_layers)
    throw std::invalid_argument("activation list must have one entry or one per hidden layer");
  if (loss == Loss::Bce && outputs != 1) throw std::invalid_argument("bce needs exactly 1 output");
  if (loss == Loss::SoftmaxCe && outputs < 2) throw std::invalid_argument("ce needs at least 2 outputs (classes)");
  size_t offset = 0;
  int64_t widest_in = 1, widest_dense_in = 1, widest_inner = std::max(outputs, max_cols);
  Volume last = input;
  layers_.reserve(hidden.size() + 1);
  auto add_unit = [&](auto&& L, Activation act) {
    L.act.kind = act;
    unit_index_.push_back(static_cast<int>(layers_.size()));
    layers_.emplace_back(std::move(L));
  };
  walk_shapes(input, hidden, [&](size_t, const LayerSpec& sp, const Volume& in, const Volume& out) {
    widest_in = std::max(widest_in, in.size());
    const int u = static_cast<int>(unit_index_.size());
    const Activation act = sp.has_activation ? sp.activation : (acts.size() == 1 ? acts[0] : acts[u]);
    if (sp.kind == LayerKind::Dense) {
      Dense<T> L;
      offset = L.carve(static_cast<int>(in.size()), sp.units, offset, max_cols);
      widest_dense_in = std::max(widest_dense_in, in.size());
      widest_inner = std::max<int64_t>(widest_inner, in.size());
      add_unit(std::move(L), act);
    } else if (sp.kind == LayerKind::Conv2d) {
      Conv2d<T> L;
      offset = L.carve(in, {sp.units, sp.kernel, sp.stride, sp.padding}, offset, max_cols);
      // Inner dimensions of its three products: the taps (z), the positions (dW), the channels (dx).
      widest_inner = std::max<int64_t>({widest_inner, L.taps, L.positions, sp.units});
      add_unit(std::move(L), act);
    } else {
      Pool2d<T> L;
      L.carve(in, sp.kind == LayerKind::MaxPool ? PoolKind::Max : PoolKind::Avg, sp.size, offset, max_cols);
      layers_.emplace_back(std::move(L));
    }
    last = out;
  });
  {
    Dense<T> out;
    offset = out.carve(static_cast<int>(last.size()), outputs, offset, max_cols);
    widest_in = std::max(widest_in, last.size());
    widest_dense_in = std::max(widest_dense_in, last.size());
    widest_inner = std::max<int64_t>(widest_inner, last.size());
    add_unit(std::move(out), Activation::Linear);
  }
  params.assign(offset, T(0));
  grads.assign(offset, T(0));
  for (int l = 0; l < num_layers(); ++l) s(l).setConstant(T(kPreluInitSlope));
  da_.setZero(widest_in, max_cols);
  // Inner dimensions of every product (dense: a layer's inputs (z), the next layer's outputs
  // (da), the columns (dW); conv2d: above).
  gemm_work_.assign(gemm_workspace(static_cast<int>(widest_inner)), T(0));
  if constexpr (std::is_same_v<T, float>) sparse_.reserve(static_cast<int>(widest_dense_in), max_cols);
  weight_grad_norms.assign(num_layers(), 0.0);
}

template <typename T>
typename Mlp<T>::Layer& Mlp<T>::unit_layer(AnyLayer<T>& any) {
  if (auto* d = std::get_if<Dense<T>>(&any)) return *d;
  return std::get<Conv2d<T>>(any);
}

template <typename T>
const typename Mlp<T>::Layer& Mlp<T>::unit_layer(const AnyLayer<T>& any) {
  if (const auto* d = std::get_if<Dense<T>>(&any)) return *d;
  return std::get<Conv2d<T>>(any);
}

template <typename T>
const typename Mlp<T>::Mat& Mlp<T>::output_of(const AnyLayer<T>& any) {
  return std::visit([](const auto& L) -> const Mat& { return L.a; }, any);
}

template <typename T>
Dense<T>& Mlp<T>::dense(int l) {
  if (auto* d = std::get_if<Dense<T>>(&layers_[unit_index_[l]])) return *d;
  throw std::invalid_argument("layer " + std::to_string(l) + " is a convolution, not a dense layer");
}

template <typename T>
const Dense<T>& Mlp<T>::dense(int l) const {
  if (const auto* d = std::get_if<Dense<T>>(&layers_[unit_index_[l]])) return *d;
  throw std::invalid_argument("layer " + std::to_string(l) + " is a convolution, not a dense layer");
}

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
  for (int k = 0; k <= last; ++k) {
    const Operand<T> in = input(k, x);
    std::visit(
        [&](auto& L) {
          using L_t = std::decay_t<decltype(L)>;
          if constexpr (std::is_same_v<L_t, Dense<T>>)
            L.forward(params.data(), in, n, k < last, dropped_ ? &dropout_ : nullptr, rng, work());
          else if constexpr (std::is_same_v<L_t, Conv2d<T>>)
            L.forward(params.data(), in.data, in.ld, n, true, work());  // dropout is for dense layers
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
