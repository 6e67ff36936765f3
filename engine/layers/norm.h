// Normalisation inside a unit layer (dense, conv2d): BatchNorm or LayerNorm between the
// layer's product and its activation,
//
//   y = W x + b   (the layer's product and bias)      z = gamma ⊙ normalise(y) + beta      a = f(z)
//
// so z, the activation's input, is what the monitor reads (a unit is dead when z <= 0 on
// every evaluation input, in eval mode: monitor.h). The layer's bias is kept: the semantics
// are PyTorch's nn.Linear(bias=True) -> nn.BatchNorm1d -> activation (nn.Conv2d ->
// nn.BatchNorm2d), whose bias BatchNorm makes redundant but harmless. Its gradient in a
// training step is exactly 0 (the batch's mean cancels it), and is set so, not to the rounding
// noise of a sum that cancels (UnitLayer::bias_learns; the reference script does the same).
//
//   batch  per unit (a dense neuron; a conv channel over every position), over the batch:
//          PyTorch's BatchNorm1d/2d, momentum 0.1, eps 1e-5. Training (a step's forward):
//          the batch's mean and biased variance; the running statistics move by
//          r = (1 - 0.1) r + 0.1 s, with the unbiased variance (n / (n - 1)), n the values
//          per unit (samples, times positions for a channel). Eval (every other forward:
//          the monitor, losses, predictions): the running statistics.
//   layer  per sample, over the layer's units: PyTorch's LayerNorm(units) for a dense layer;
//          for a conv layer over the whole (C, H, W) map with one weight and bias per channel,
//          which is PyTorch's GroupNorm(1, C) (LayerNorm([C, H, W]) would carry a weight per
//          position, and a channel is the monitored unit). Training and eval are the same.
//
// Parameters: weight (gamma) and bias (beta), one each per unit, in the network's one
// block right after the layer's own [W | b | s], trained by the optimiser (no L1/L2, like
// biases). BatchNorm's running mean and variance are the network's state block (Mlp::state):
// not trained, saved with the parameters (checkpoints, weights files).
//
// Workspaces (rows = units x positions, as the layer's z):
//   xhat  (rows, max_cols)   the normalised product, kept for the backward
//   dy    (rows, max_cols)   dL/dy, what the layer's weight and input gradients are made of
// Statistics are summed in double, in a fixed order (plain loops), so native and wasm agree.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <string>

namespace relu {

enum class NormKind : uint8_t { None, Batch, Layer };
const char* norm_name(NormKind k);  // "none", "batch", "layer" (JSON "norm")

constexpr double kNormEps = 1e-5;
constexpr double kBatchNormMomentum = 0.1;

inline int64_t norm_param_count(NormKind k, int64_t units) { return k == NormKind::None ? 0 : 2 * units; }
inline int64_t norm_state_count(NormKind k, int64_t units) { return k == NormKind::Batch ? 2 * units : 0; }

// What a forward tells a layer's norm: the network's state block and the mode (training:
// BatchNorm uses and records the batch's statistics).
template <typename T>
struct NormPass {
  T* state = nullptr;
  bool training = false;
};

template <typename T>
struct Norm {
  using Mat = Eigen::Matrix<T, -1, -1>;
  using Vec = Eigen::Matrix<T, -1, 1>;

  NormKind kind = NormKind::None;
  int units = 0, positions = 1;
  size_t g_off = 0, beta_off = 0;    // weight and bias in the parameter block
  size_t mean_off = 0, var_off = 0;  // running mean and variance in the state block (batch)
  Mat xhat, dy;
  bool training = false;             // the mode of the last forward (which backward applies)

  bool active() const { return kind != NormKind::None; }
  // Takes weight and bias from the parameter block at `offset` (returns the next offset) and
  // the running statistics from the state block at `state_offset` (advanced).
  size_t carve(NormKind k, int unit_count, int rows_per_unit, size_t offset, size_t& state_offset, int max_cols);
  // Weight 1, bias 0, running mean 0, running variance 1 (PyTorch's reset), for every unit or one.
  void reset(T* params, T* state) const;
  void reset_unit(T* params, T* state, int i) const;

  Eigen::Map<Vec> weight(T* block) const { return Eigen::Map<Vec>(block + g_off, units); }
  Eigen::Map<Vec> bias(T* block) const { return Eigen::Map<Vec>(block + beta_off, units); }
  Eigen::Map<const Vec> weight(const T* block) const { return Eigen::Map<const Vec>(block + g_off, units); }
  Eigen::Map<const Vec> bias(const T* block) const { return Eigen::Map<const Vec>(block + beta_off, units); }
  Eigen::Map<Vec> running_mean(T* state) const { return Eigen::Map<Vec>(state + mean_off, units); }
  Eigen::Map<Vec> running_var(T* state) const { return Eigen::Map<Vec>(state + var_off, units); }
  Eigen::Map<const Vec> running_mean(const T* state) const { return Eigen::Map<const Vec>(state + mean_off, units); }
  Eigen::Map<const Vec> running_var(const T* state) const { return Eigen::Map<const Vec>(state + var_off, units); }

  // z (rows, n), holding y = W x + b, becomes gamma ⊙ xhat + beta in place.
  void forward(const T* params, NormPass<T> pass, Mat& z, int n);
  // dz (rows, n) = dL/dz -> dy = dL/dy; weight and bias gradients += (for the last forward's mode).
  void backward(const T* params, T* grads, const Mat& dz, int n);

 private:
  // Doubles: [mean | inv_std | s1 | s2] one each per statistic (a unit's for batch, a sample's for
  // layer: the two kinds are one code path, indexed by `stat`), then [dbias | dweight] per unit.
  Eigen::VectorXd scratch_;
  int stats_ = 0;  // statistics the scratch holds: units (batch) or max_cols (layer)
};

extern template struct Norm<float>;
extern template struct Norm<double>;

}  // namespace relu
