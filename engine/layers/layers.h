// The layer seam: the network (mlp.h) is a sequence of typed layers, each type in its own
// file under engine/layers/. This header is the one registration: the closed set of types.
//
// Why a closed std::variant and not virtual classes: the set of layer types is known when
// the engine is compiled (dense now; convolution, pooling, BatchNorm, LayerNorm, residual
// blocks next), layers live by value in one vector with no per-layer heap object, the hot
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
//   - its weights-JSON form (weights_io.cpp) and its view in the page.
#pragma once
#include <variant>

#include "layers/dense.h"

namespace relu {

template <typename T>
using AnyLayer = std::variant<Dense<T>>;

// Names of the layer types, in AnyLayer's order (engine.info(), weights JSON).
inline const char* layer_type_name(std::size_t index) {
  static const char* const kNames[] = {"dense"};
  return kNames[index];
}

}  // namespace relu
