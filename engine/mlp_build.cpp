// Building the network from its spec: shapes checked layer by layer, parameters carved from
// the one block, workspaces sized. Runs once per run, so the wasm build compiles it for size
// (bindings/wasm.cmake); mlp.cpp keeps what runs every step.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gemm.h"
#include "mlp.h"

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
    total += norm_param_count(sp.norm, sp.units);
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
  size_t offset = 0, state_offset = 0;
  int64_t widest_in = 1, widest_dense_in = 1, widest_inner = std::max(outputs, max_cols);
  Volume last = input;
  layers_.reserve(hidden.size() + 1);
  auto add_unit = [&](auto&& L, Activation act, NormKind norm) {
    L.act.kind = act;
    // The norm's parameters follow the layer's own.
    offset = L.norm.carve(norm, L.units(), L.positions, offset, state_offset, max_cols);
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
      add_unit(std::move(L), act, sp.norm);
    } else if (sp.kind == LayerKind::Conv2d) {
      Conv2d<T> L;
      offset = L.carve(in, {sp.units, sp.kernel, sp.stride, sp.padding}, offset, max_cols);
      // Inner dimensions of its three products: the taps (z), the positions (dW), the channels (dx).
      widest_inner = std::max<int64_t>({widest_inner, L.taps, L.positions, sp.units});
      add_unit(std::move(L), act, sp.norm);
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
    add_unit(std::move(out), Activation::Linear, NormKind::None);
  }
  params.assign(offset, T(0));
  grads.assign(offset, T(0));
  state.assign(state_offset, T(0));
  for (int l = 0; l < num_layers(); ++l) {
    s(l).setConstant(T(kPreluInitSlope));
    layer(l).norm.reset(params.data(), state.data());
  }
  da_.setZero(widest_in, max_cols);
  // Inner dimensions of every product (dense: a layer's inputs (z), the next layer's outputs
  // (da), the columns (dW); conv2d: above).
  gemm_work_.assign(gemm_workspace(static_cast<int>(widest_inner)), T(0));
  if constexpr (std::is_same_v<T, float>) {
    sparse_.reserve(static_cast<int>(widest_dense_in), max_cols);
    for (const auto& any : layers_)
      if (const auto* conv = std::get_if<Conv2d<T>>(&any)) conv->reserve(sparse_);
  }
  weight_grad_norms.assign(num_layers(), 0.0);
}

template <typename T>
int Mlp<T>::batchnorm_min_batch() const {
  int least = 0;
  for (int l = 0; l < num_layers(); ++l)
    if (layer(l).norm.kind == NormKind::Batch) least = std::max(least, layer(l).positions == 1 ? 2 : 1);
  return least;
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

// The members defined here, for both element types (mlp.cpp instantiates the rest).
#define RELU_MLP_BUILD_MEMBERS(T)                                                                                   \
  template Mlp<T>::Mlp(int, const std::vector<int>&, const std::vector<Activation>&, int, Loss, int);               \
  template Mlp<T>::Mlp(const Volume&, const std::vector<LayerSpec>&, const std::vector<Activation>&, int, Loss, int); \
  template Mlp<T>::Layer& Mlp<T>::unit_layer(AnyLayer<T>&);                                                         \
  template const Mlp<T>::Layer& Mlp<T>::unit_layer(const AnyLayer<T>&);                                             \
  template const Mlp<T>::Mat& Mlp<T>::output_of(const AnyLayer<T>&);                                                \
  template Dense<T>& Mlp<T>::dense(int);                                                                            \
  template int Mlp<T>::batchnorm_min_batch() const;                                                                 \
  template const Dense<T>& Mlp<T>::dense(int) const;
RELU_MLP_BUILD_MEMBERS(float)
RELU_MLP_BUILD_MEMBERS(double)
#undef RELU_MLP_BUILD_MEMBERS

}  // namespace relu
