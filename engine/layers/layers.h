// The layer seam: the network (mlp.h) is a sequence of typed layers, each type in its own
// file under engine/layers/. This header is the one registration: the closed set of types.
//
// Why a closed std::variant and not virtual classes: the set of layer types is known when
// the engine is compiled (dense, convolution, pooling; residual blocks next), layers live by value in one vector with no per-layer heap object, the hot
// loop dispatches with std::visit (a jump table the compiler can inline, no vtable), and a
// type that forgets part of the interface fails to compile at the visit instead of falling
// back to a base-class default at run time.
//
// What a layer type implements (layers/dense.h is the reference):
//   - its shapes, as a header comment, and `size_t carve(in, out, offset, max_cols)`: take its
//     parameters from the network's one block at `offset` (returning the next offset) and
//     size its workspaces for max_cols columns; `xxx_param_count(...)` for the one count;
//   - `forward(params, x, n, hidden, dropout, rng, work)` writing z and a (n columns),
//     and beside it the backward in three parts: `backward_activation` (dL/da -> dL/dz),
//     `backward_params` (accumulate its gradients, +=) and `backward_input` (dL/dx for the
//     layer below); products through relu::gemm (gemm_skip_zeros where the input may be
//     mostly zeros), scratch from `work` (skip_zeros.h), no allocation;
//   - `units()` and the monitor's view of a unit (dense: a neuron = a row of z and a;
//     convolution: a channel), with `grad_abs_sum`, `frozen`, `ablated` per unit;
//   - a unit layer carries a `norm` (layers/norm.h: BatchNorm, LayerNorm or none), carved by
//     the network right after the layer's parameters; its forward normalises z in place
//     between the product and the activation, its backward_activation ends with the norm's
//     backward, and its products' gradients read dproduct() (unit_layer.h). A block that
//     wraps layers (a residual) hosts normalised layers as they are: the norm is the layer's;
//   - its weights-JSON form (weights_io.cpp) and its view in the page.
#pragma once
#include <variant>

#include "activation.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/pool2d.h"

namespace relu {

template <typename T>
using AnyLayer = std::variant<Dense<T>, Conv2d<T>, Pool2d<T>>;

// Names of the layer types, in AnyLayer's order (engine.info(), weights JSON); pooling is
// one type with two kinds, named by its spec ("maxpool", "avgpool").
inline const char* layer_type_name(std::size_t index) {
  static const char* const kNames[] = {"dense", "conv2d", "pool"};
  return kNames[index];
}

// One hidden layer of a network spec (config "net", CLI --net; the output layer is always
// dense and implied). Convolutions and pooling come first, on the input's (C, H, W) volume;
// the first dense layer flattens it, in torch.flatten's order.
enum class LayerKind { Dense, Conv2d, MaxPool, AvgPool };
struct LayerSpec {
  LayerKind kind = LayerKind::Dense;
  int units = 0;                       // dense: neurons; conv2d: channels
  int kernel = 0, stride = 1;          // conv2d
  int padding = 0;                     // conv2d: >= 0, or kSamePadding
  int size = 0;                        // pooling window (stride = size)
  bool has_activation = false;         // conv2d/dense: an activation of its own, else the run's
  Activation activation = Activation::Relu;
  NormKind norm = NormKind::None;      // conv2d/dense: BatchNorm or LayerNorm before the activation
  bool has_units() const { return kind == LayerKind::Dense || kind == LayerKind::Conv2d; }
};
inline LayerSpec dense_spec(int units) { return {LayerKind::Dense, units}; }

}  // namespace relu
