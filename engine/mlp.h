// The network: a sequence of typed layers (engine/layers/) over one contiguous parameter
// block, and a loss head (loss.h). Only dense layers exist today, so it is a multi-layer
// perceptron; the layer seam is layers/layers.h.
//
// Shapes (samples are columns, as Eigen stores them):
//   x      (in, n)          input chunk
//   layer l                 see its type's file (layers/dense.h: W_l (out_l, in_l), b_l, s_l,
//                           z_l, a_l, dz_l (out_l, n))
//
// Block layout: each layer's parameters in order, carved by the layer itself (dense:
// [W_l | b_l | s_l]). grads mirrors it. Gradients accumulate; zero_grads() clears them.
// A step over a large batch is done in chunks of at most max_cols columns (chunks.h),
// each chunk's loss gradient scaled by 1/total, so no buffer depends on the batch size.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "activation.h"
#include "dropout.h"
#include "layers/layers.h"
#include "loss.h"
#include "rng.h"

namespace relu {

// Parameters of a dense network with these widths: the one count (Run, validate_config).
int64_t network_param_count(int64_t inputs, const std::vector<int>& hidden, int64_t outputs);

template <typename T>
class Mlp {
 public:
  using Mat = Eigen::Matrix<T, -1, -1>;
  using Vec = Eigen::Matrix<T, -1, 1>;
  using MatMap = Eigen::Map<Mat>;
  using VecMap = Eigen::Map<Vec>;
  using ConstRefMat = Eigen::Ref<const Mat>;
  using Layer = Dense<T>;  // layer(l)'s type: every layer is dense today (layers/layers.h)

  // hidden: widths; acts: one per hidden layer; outputs: output width.
  Mlp(int inputs, const std::vector<int>& hidden, const std::vector<Activation>& acts, int outputs, Loss loss,
      int max_cols = 1024);

  int num_layers() const { return static_cast<int>(layers_.size()); }  // hidden + output
  int num_hidden() const { return num_layers() - 1; }
  int inputs() const { return layer(0).in; }
  int outputs() const { return layer(num_layers() - 1).out; }
  int max_cols() const { return max_cols_; }
  Loss loss() const { return loss_; }
  Layer& layer(int l) { return std::get<Layer>(layers_[l]); }
  const Layer& layer(int l) const { return std::get<Layer>(layers_[l]); }

  MatMap W(int l) { return layer(l).W(params.data()); }
  VecMap b(int l) { return layer(l).b(params.data()); }
  VecMap s(int l) { return layer(l).s(params.data()); }
  MatMap dW(int l) { return layer(l).W(grads.data()); }
  VecMap db(int l) { return layer(l).b(grads.data()); }
  VecMap ds(int l) { return layer(l).s(grads.data()); }
  Eigen::Map<const Mat> W(int l) const { return layer(l).W(params.data()); }
  Eigen::Map<const Vec> b(int l) const { return layer(l).b(params.data()); }
  Eigen::Map<const Vec> s(int l) const { return layer(l).s(params.data()); }

  void set_activation(int l, Activation a) { layer(l).act.kind = a; }
  void set_leaky_slope(T slope);
  void set_dropout(const Dropout<T>& d) { dropout_ = d; }
  void set_dropout(DropoutKind kind, T p) { dropout_ = Dropout<T>(kind, p); }
  DropoutKind dropout_kind() const { return dropout_.kind; }
  T dropout_p() const { return dropout_.p; }

  // Forward over the first n columns of x (n <= max_cols). training enables dropout
  // (masks drawn from rng). Output: layer(num_layers()-1).a holds the network output
  // after the loss head's output nonlinearity (identity, sigmoid or softmax).
  void forward(const ConstRefMat& x, int n, bool training, Rng* rng = nullptr);

  // Mean loss over the n columns of the last forward, given targets y (1, n)
  // (value, 0/1 label, or class index). Does not need backward.
  double loss_value(const ConstRefMat& y, int n) const;

  // Writes dL/dz of the output layer for the last forward, scaled by 1/total
  // (total = the number of samples in the whole step), and returns the summed
  // (not averaged) loss of these n columns.
  double output_grad(const ConstRefMat& y, int n, int total);

  // Backpropagates from the output layer's dz, accumulating into grads.
  // x must be the same input as the last forward. track: also accumulate
  // sum |dL/dz| per unit (for the monitor).
  void backward(const ConstRefMat& x, int n, bool track);

  void zero_grads();
  void zero_grad_tracking();
  // Stores ||dW_l|| of every layer in weight_grad_norms (call before the optimiser
  // adds penalties, so it is the data gradient's norm).
  void record_grad_norms();
  int last_backward_cols() const { return last_backward_cols_; }
  std::vector<double> weight_grad_norms;

  std::vector<T> params;
  std::vector<T> grads;
  size_t weight_count() const;  // entries of W blocks (the ones L1/L2 apply to)

 private:
  std::vector<AnyLayer<T>> layers_;
  Loss loss_;
  int max_cols_;
  Mat da_;  // (max width, max_cols) scratch for dL/da
  std::vector<T> gemm_work_;  // packing workspace of gemm() (empty where Eigen does the products)
  SparseColumns sparse_;      // the zero index of a layer's input (floats only: skip_zeros.h)
  ProductWork<T> work() {
    return {gemm_work_.data(), std::is_same_v<T, float> ? &sparse_ : nullptr};
  }
  // Layer l's input for gemm(): x for the first layer, else the previous layer's a.
  Operand<T> input(int l, const ConstRefMat& x) const {
    if (l == 0) return {x.data(), static_cast<int>(x.outerStride())};
    const Layer& prev = layer(l - 1);
    return {prev.a.data(), static_cast<int>(prev.a.outerStride())};
  }
  Dropout<T> dropout_;
  bool dropped_ = false;  // the last forward applied dropout (keep holds its multipliers)
  int last_backward_cols_ = 0;
};

// Targets for MSE with several outputs: every output is compared with the sample's
// single target value (the datasets carry one target per sample).

extern template class Mlp<float>;
extern template class Mlp<double>;

}  // namespace relu
