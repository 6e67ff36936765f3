// A dense multi-layer perceptron whose parameters live in one contiguous block.
//
// Shapes (samples are columns, as Eigen stores them):
//   x      (in, n)          input chunk
//   W_l    (out_l, in_l)    one row per output neuron: PyTorch nn.Linear's layout
//   b_l    (out_l)
//   s_l    (out_l)          PReLU slopes (present for every hidden layer so an
//                           activation can be swapped in place; unused otherwise)
//   z_l    (out_l, n)       pre-activations, kept after backward for the monitor
//   a_l    (out_l, n)       activations (after dropout and ablation)
//   dz_l   (out_l, n)       dL/dz_l of the last chunk
//
// Block layout: for each layer l in order, [W_l | b_l | s_l]. grads mirrors it.
// Gradients accumulate; zero_grads() clears them. A step over a large batch is
// done in chunks of at most max_cols columns, each chunk's loss gradient scaled
// by 1/total, so no buffer depends on the batch size.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "activation.h"
#include "rng.h"

namespace relu {

enum class Loss { Mse, Bce, SoftmaxCe };
Loss loss_from_name(const std::string& name);  // "mse", "bce", "ce"
const char* loss_name(Loss l);

enum class DropoutKind { None, Standard, Alpha };

template <typename T>
class Mlp {
 public:
  using Mat = Eigen::Matrix<T, -1, -1>;
  using Vec = Eigen::Matrix<T, -1, 1>;
  using MatMap = Eigen::Map<Mat>;
  using VecMap = Eigen::Map<Vec>;
  using ConstRefMat = Eigen::Ref<const Mat>;

  struct Layer {
    int in = 0, out = 0;
    size_t w_off = 0, b_off = 0, s_off = 0;  // offsets into params/grads
    ActivationParams<T> act;                  // output layer: Linear, sigmoid/softmax live in the loss
    Mat z, a, dz;                             // (out, max_cols) workspaces
    Mat keep;                                 // (out, max_cols) dropout multipliers
    Vec grad_abs_sum;                         // (out) sum over the step of |dL/dz|
    std::vector<uint8_t> frozen, ablated;     // per neuron
  };

  // hidden: widths; acts: one per hidden layer; outputs: output width.
  Mlp(int inputs, const std::vector<int>& hidden, const std::vector<Activation>& acts, int outputs, Loss loss,
      int max_cols = 1024);

  int num_layers() const { return static_cast<int>(layers_.size()); }  // hidden + output
  int num_hidden() const { return num_layers() - 1; }
  int inputs() const { return layers_.front().in; }
  int outputs() const { return layers_.back().out; }
  int max_cols() const { return max_cols_; }
  Loss loss() const { return loss_; }
  Layer& layer(int l) { return layers_[l]; }
  const Layer& layer(int l) const { return layers_[l]; }

  MatMap W(int l) { return MatMap(params.data() + layers_[l].w_off, layers_[l].out, layers_[l].in); }
  VecMap b(int l) { return VecMap(params.data() + layers_[l].b_off, layers_[l].out); }
  VecMap s(int l) { return VecMap(params.data() + layers_[l].s_off, layers_[l].out); }
  MatMap dW(int l) { return MatMap(grads.data() + layers_[l].w_off, layers_[l].out, layers_[l].in); }
  VecMap db(int l) { return VecMap(grads.data() + layers_[l].b_off, layers_[l].out); }
  VecMap ds(int l) { return VecMap(grads.data() + layers_[l].s_off, layers_[l].out); }
  Eigen::Map<const Mat> W(int l) const {
    return Eigen::Map<const Mat>(params.data() + layers_[l].w_off, layers_[l].out, layers_[l].in);
  }
  Eigen::Map<const Vec> b(int l) const { return Eigen::Map<const Vec>(params.data() + layers_[l].b_off, layers_[l].out); }
  Eigen::Map<const Vec> s(int l) const { return Eigen::Map<const Vec>(params.data() + layers_[l].s_off, layers_[l].out); }

  void set_activation(int l, Activation a) { layers_[l].act.kind = a; }
  void set_leaky_slope(T slope);
  void set_dropout(DropoutKind kind, T p);
  DropoutKind dropout_kind() const { return dropout_kind_; }
  T dropout_p() const { return dropout_p_; }

  // Forward over the first n columns of x (n <= max_cols). training enables dropout
  // (masks drawn from rng). Output: layer(num_layers()-1).a holds the network output
  // after the output nonlinearity (identity, sigmoid or softmax).
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
  // sum |dL/dz| per neuron (for the monitor).
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
  std::vector<Layer> layers_;
  Loss loss_;
  int max_cols_;
  Mat da_;  // (max width, max_cols) scratch for dL/da
  std::vector<T> gemm_work_;  // packing workspace of gemm() (empty where Eigen does the products)
  // Layer l's input for gemm(): x for the first layer, else the previous layer's a.
  struct Operand {
    const T* data;
    int ld;  // leading dimension (outer stride)
  };
  Operand input(int l, const ConstRefMat& x) const {
    if (l == 0) return {x.data(), static_cast<int>(x.outerStride())};
    return {layers_[l - 1].a.data(), static_cast<int>(layers_[l - 1].a.outerStride())};
  }
  DropoutKind dropout_kind_ = DropoutKind::None;
  T dropout_p_ = 0;
  T alpha_keep_scale_ = 1, alpha_shift_ = 0, alpha_dropped_ = 0;  // AlphaDropout's a, b, a*alpha' + b
  bool dropped_ = false;  // the last forward applied dropout (keep holds its multipliers)
  int last_backward_cols_ = 0;
};

// Targets for MSE with several outputs: every output is compared with the sample's
// single target value (the datasets carry one target per sample).

extern template class Mlp<float>;
extern template class Mlp<double>;

}  // namespace relu
