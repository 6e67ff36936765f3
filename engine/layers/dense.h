// Dense (fully connected) layer: z = W x + b, a = f(z), then dropout and ablation; with a
// norm (layers/norm.h), z = norm(W x + b).
//
// Shapes (samples are columns, as Eigen stores them):
//   x     (in, n)      input chunk: the network's input or the previous layer's a
//   W     (out, in)    one row per output neuron: PyTorch nn.Linear's [out][in]
//   b     (out)
//   s     (out)        PReLU slopes; present in every dense layer so the activation can be
//                      swapped in place (live), unused by other activations
//   z     (out, n)     pre-activations, kept after backward for the monitor
//   a     (out, n)     activations, after dropout and ablation
//   dz    (out, n)     dL/dz of the last chunk
//   keep  (out, n)     dropout multipliers of the last training forward
// Parameters: [W | b | s], carved from the network's one block at `offset` (carve()); a norm's
// [weight | bias] follow.
// Gradients accumulate (+=) into the mirror block; clearing them is the network's job.
//
// The monitored unit of a dense layer is one neuron: row i of W, z and a. Its samples
// for the monitor are the n columns of z (units() x n), one value per input.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "activation.h"
#include "dropout.h"
#include "rng.h"
#include "layers/unit_layer.h"
#include "skip_zeros.h"

namespace relu {

// Entries of [W | b | s] for a dense layer: the one parameter count (network_param_count
// in mlp.h sums it; validate_config and Run use that).
inline int64_t dense_param_count(int64_t in, int64_t out) { return out * in + 2 * out; }

// A matrix operand for gemm(): its data and leading dimension (outer stride).
template <typename T>
struct Operand {
  const T* data;
  int ld;
};

template <typename T>
struct Dense : UnitLayer<T> {
  using Mat = Eigen::Matrix<T, -1, -1>;
  using Vec = Eigen::Matrix<T, -1, 1>;
  using UnitLayer<T>::w_off;
  using UnitLayer<T>::b_off;
  using UnitLayer<T>::s_off;
  using UnitLayer<T>::act;
  using UnitLayer<T>::z;
  using UnitLayer<T>::a;
  using UnitLayer<T>::dz;
  using UnitLayer<T>::grad_abs_sum;
  using UnitLayer<T>::frozen;
  using UnitLayer<T>::ablated;
  using UnitLayer<T>::b;
  using UnitLayer<T>::s;

  int in = 0, out = 0;
  Mat keep;                                 // (out, max_cols) dropout multipliers

  // Sets the shape, the parameter offsets from `offset` and the workspaces; returns the
  // offset after this layer's parameters.
  size_t carve(int inputs, int outputs, size_t offset, int max_cols);

  // Parameter views over the network's block (params or grads).
  Eigen::Map<Mat> W(T* block) const { return Eigen::Map<Mat>(block + w_off, out, in); }
  Eigen::Map<const Mat> W(const T* block) const { return Eigen::Map<const Mat>(block + w_off, out, in); }

  // ---- forward ----
  // z (out, n) = W (out, in) * x (in, n) + b, normalised in place by the layer's norm if any
  // (`pass`: the network's state block and the mode). Then, for a hidden layer (hidden =
  // true): a = f(z); dropout when `dropout` is given (training); ablated neurons output 0.
  // The output layer leaves a to the loss head.
  void forward(const T* params, Operand<T> x, int n, bool hidden, const Dropout<T>* dropout, Rng* rng,
               ProductWork<T> work, NormPass<T> pass = {});

  // ---- backward, in reverse order of the forward ----
  // Hidden layer: dz (out, n) = (da ⊙ keep, ablated rows 0) ⊙ f'(z); da (out, n) is dL/da.
  // Also accumulates dL/ds for prelu, and through a norm its weight's and bias's gradients and
  // dL/d(Wx + b) (dproduct()).
  void backward_activation(const T* params, T* grads, Eigen::Ref<Mat> da, int n, bool dropped);
  // dW (out, in) += dz (out, n) * x^T (n, in); db (out) += row sums of dz; frozen neurons'
  // gradients are zeroed. track: grad_abs_sum += row sums of |dz| (for the monitor). (With a
  // norm, dproduct() stands for dz in the products; |dz| is still the activation input's.)
  void backward_params(T* grads, Operand<T> x, int n, bool track, ProductWork<T> work);
  // dx (in, n) = W^T (in, out) * dz (out, n): dL/da of the layer below.
  void backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work) const;
};

extern template struct Dense<float>;
extern template struct Dense<double>;

}  // namespace relu
