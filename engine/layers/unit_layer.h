// What every layer with monitored units shares (dense: a unit is a neuron; conv2d: a
// channel), so the monitor, revival, initialisation and the weights' readers see one shape:
//
//   z, a, dz   (units positions, max_cols)   unit i's rows are i positions .. (i+1) positions:
//                                            one row for a neuron, its feature map's ho wo
//                                            rows for a channel
//   unit i's incoming weights: fan_in entries of the parameter block, entry j at
//                              w_off + i unit_step + j tap_step (dense: row i of W (out, in),
//                              so unit_step 1, tap_step out; conv2d: column i of W (K, cout),
//                              so unit_step K, tap_step 1)
//   b (units), s (units)       bias and PReLU slope per unit
//   norm                       BatchNorm or LayerNorm between the product and the activation
//                              (layers/norm.h), or none: then z is the product itself. Either
//                              way z is the activation's input, the value the monitor reads.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "activation.h"
#include "layers/norm.h"

namespace relu {

template <typename T>
struct UnitLayer {
  using Mat = Eigen::Matrix<T, -1, -1>;
  using Vec = Eigen::Matrix<T, -1, 1>;
  using Strided = Eigen::Map<Vec, 0, Eigen::InnerStride<>>;
  using ConstStrided = Eigen::Map<const Vec, 0, Eigen::InnerStride<>>;

  int unit_count = 0;  // neurons or channels
  int positions = 1;   // rows of z per unit
  int fan_in = 0;      // incoming weights per unit
  int fan_out = 0;     // what an initialiser calls fan_out (PyTorch: out units x kernel area)
  int unit_step = 1, tap_step = 1;
  size_t w_off = 0, b_off = 0, s_off = 0;  // offsets into params/grads
  ActivationParams<T> act;                  // output layer: Linear (the loss head applies its own)
  Mat z, a, dz;
  Vec grad_abs_sum;                         // (units) sum over the step of |dL/dz| (all positions)
  std::vector<uint8_t> frozen, ablated;     // per unit
  Norm<T> norm;                             // carved by the network after the layer (mlp_build.cpp)

  int units() const { return unit_count; }
  int64_t weight_count() const { return static_cast<int64_t>(unit_count) * fan_in; }
  Strided incoming(T* block, int i) const {
    return Strided(block + w_off + static_cast<size_t>(i) * unit_step, fan_in, Eigen::InnerStride<>(tap_step));
  }
  ConstStrided incoming(const T* block, int i) const {
    return ConstStrided(block + w_off + static_cast<size_t>(i) * unit_step, fan_in, Eigen::InnerStride<>(tap_step));
  }
  // The parameter index of unit i's incoming weight j (optimiser state, masks).
  size_t weight_index(int i, int j) const {
    return w_off + static_cast<size_t>(i) * unit_step + static_cast<size_t>(j) * tap_step;
  }
  Eigen::Map<Vec> b(T* block) const { return Eigen::Map<Vec>(block + b_off, unit_count); }
  Eigen::Map<Vec> s(T* block) const { return Eigen::Map<Vec>(block + s_off, unit_count); }
  Eigen::Map<const Vec> b(const T* block) const { return Eigen::Map<const Vec>(block + b_off, unit_count); }
  Eigen::Map<const Vec> s(const T* block) const { return Eigen::Map<const Vec>(block + s_off, unit_count); }
  // dL/d(product) of the last backward: what the weight and input gradients are made of (dz
  // itself, or after a norm its gradient through the normalisation).
  const Mat& dproduct() const { return norm.active() ? norm.dy : dz; }
  // Whether the layer's bias gets the sum of dproduct() as its gradient. Not under BatchNorm in
  // training mode: there the batch's mean cancels any shift, so the exact gradient is 0, and the
  // sum is rounding noise that Adam would turn into a random walk of the bias (PyTorch's own
  // float32 and float64 runs of batchnorm/lenet-adam ended 3% apart in their weights for it).
  bool bias_learns() const { return !(norm.kind == NormKind::Batch && norm.training); }
  // One past the unit's last parameter in the block (its norm's, if any).
  size_t params_end() const { return norm.active() ? norm.beta_off + unit_count : s_off + unit_count; }

 protected:
  // A frozen unit's gradients (incoming weights, bias, slope, norm weight and bias) are zeroed
  // after its layer's backward, so no optimiser moves it.
  // (Out of line, in layers/unit_layer.cpp: frozen units are rare, and inlined into each layer's
  // backward at -O3 this loop cost the wasm 1.5 KB.)
  void zero_frozen_grads(T* grads) const;
  // Sizes the shared workspaces and per-unit flags.
  void carve_units(int units, int rows_per_unit, int max_cols) {
    unit_count = units;
    positions = rows_per_unit;
    const Eigen::Index rows = static_cast<Eigen::Index>(units) * rows_per_unit;
    z.setZero(rows, max_cols);
    a.setZero(rows, max_cols);
    dz.setZero(rows, max_cols);
    grad_abs_sum.setZero(units);
    frozen.assign(units, 0);
    ablated.assign(units, 0);
  }
};

extern template struct UnitLayer<float>;
extern template struct UnitLayer<double>;

}  // namespace relu
