// The network: a sequence of typed layers (engine/layers/: dense, conv2d, pooling) over one
// contiguous parameter block, and a loss head (loss.h). The layer seam is layers/layers.h.
// (The name is the dense network it began as.)
//
// Shapes (samples are columns, as Eigen stores them):
//   x      (in, n)          input chunk; for convolutions, each column a (C, H, W) volume
//   layer l                 see its type's file (layers/dense.h: W_l (out_l, in_l), b_l, s_l,
//                           z_l, a_l, dz_l (out_l, n); layers/conv2d.h; layers/pool2d.h)
//
// Two numberings: the network's layers (all of them, pooling included), and its unit layers
// (dense and conv2d, the ones with monitored units; the last is the dense output layer).
// layer(l), W(l), num_layers() and num_hidden() count unit layers, as the monitor, revival
// and the weights files do; a dense-only network has the same numbering in both.
//
// Block layout: each layer's parameters in order, carved by the layer itself (dense:
// [W_l | b_l | s_l]; conv2d: [W_l (K, cout) | b_l | s_l]), then its norm's [weight | bias]
// when it has one (layers/norm.h). grads mirrors it. Gradients accumulate; zero_grads()
// clears them. `state` holds what is not trained: BatchNorm's running mean and variance.
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
// The same for any spec on an input volume; throws std::invalid_argument naming a layer whose
// shape does not work (a kernel larger than its input, a convolution after a dense layer).
int64_t network_param_count(const Volume& input, const std::vector<LayerSpec>& hidden, int64_t outputs);
// The largest z of any layer, in rows (features per sample): what sizes the chunk.
int64_t network_widest_rows(const Volume& input, const std::vector<LayerSpec>& hidden, int64_t outputs);

template <typename T>
class Mlp {
 public:
  using Mat = Eigen::Matrix<T, -1, -1>;
  using Vec = Eigen::Matrix<T, -1, 1>;
  using MatMap = Eigen::Map<Mat>;
  using VecMap = Eigen::Map<Vec>;
  using ConstRefMat = Eigen::Ref<const Mat>;
  using Layer = UnitLayer<T>;  // layer(l)'s type: what dense and conv2d layers share

  // hidden: widths; acts: one per hidden layer; outputs: output width.
  Mlp(int inputs, const std::vector<int>& hidden, const std::vector<Activation>& acts, int outputs, Loss loss,
      int max_cols = 1024);
  // Any spec on an input volume; acts: one per hidden unit layer (or one for all).
  Mlp(const Volume& input, const std::vector<LayerSpec>& hidden, const std::vector<Activation>& acts, int outputs,
      Loss loss, int max_cols = 1024);

  int num_layers() const { return static_cast<int>(unit_index_.size()); }  // hidden unit layers + output
  int num_hidden() const { return num_layers() - 1; }
  int inputs() const { return static_cast<int>(input_.size()); }
  const Volume& input_volume() const { return input_; }
  int outputs() const { return layer(num_layers() - 1).units(); }
  int max_cols() const { return max_cols_; }
  Loss loss() const { return loss_; }
  Layer& layer(int l) { return unit_layer(layers_[unit_index_[l]]); }
  const Layer& layer(int l) const { return unit_layer(layers_[unit_index_[l]]); }
  // The network's own sequence (pooling included) and where unit layer l sits in it.
  const std::vector<AnyLayer<T>>& net_layers() const { return layers_; }
  int net_index(int l) const { return unit_index_[l]; }
  bool is_dense(int l) const { return std::holds_alternative<Dense<T>>(layers_[unit_index_[l]]); }
  bool all_dense() const { return num_layers() == static_cast<int>(layers_.size()) && is_dense(0); }
  // Unit layer l as a dense layer; throws std::invalid_argument when it is a convolution.
  Dense<T>& dense(int l);
  const Dense<T>& dense(int l) const;

  // Dense layers' W (out, in); b and s of any unit layer.
  MatMap W(int l) { return dense(l).W(params.data()); }
  VecMap b(int l) { return layer(l).b(params.data()); }
  VecMap s(int l) { return layer(l).s(params.data()); }
  MatMap dW(int l) { return dense(l).W(grads.data()); }
  VecMap db(int l) { return layer(l).b(grads.data()); }
  VecMap ds(int l) { return layer(l).s(grads.data()); }
  Eigen::Map<const Mat> W(int l) const { return dense(l).W(params.data()); }
  Eigen::Map<const Vec> b(int l) const { return layer(l).b(params.data()); }
  Eigen::Map<const Vec> s(int l) const { return layer(l).s(params.data()); }

  void set_activation(int l, Activation a) { layer(l).act.kind = a; }
  void set_leaky_slope(T slope);
  void set_dropout(const Dropout<T>& d) { dropout_ = d; }
  void set_dropout(DropoutKind kind, T p) { dropout_ = Dropout<T>(kind, p); }
  DropoutKind dropout_kind() const { return dropout_.kind; }
  T dropout_p() const { return dropout_.p; }

  // Forward over the first n columns of x (n <= max_cols). training enables dropout
  // (masks drawn from rng) and BatchNorm's training mode (the n columns' statistics, which
  // move the running ones: a step's batch must then be one forward); otherwise it is eval
  // mode (running statistics). Output: layer(num_layers()-1).a holds the network output
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
  // Stores ||dW_l|| of every unit layer in weight_grad_norms (call before the optimiser
  // adds penalties, so it is the data gradient's norm).
  void record_grad_norms();
  int last_backward_cols() const { return last_backward_cols_; }
  std::vector<double> weight_grad_norms;

  std::vector<T> params;
  std::vector<T> grads;
  std::vector<T> state;  // BatchNorm's running statistics (each norm's running_mean/var views)
  // The smallest batch a training step may have: 2 when a dense layer has BatchNorm (one value
  // per unit has no variance; PyTorch refuses it too), 1 otherwise; 0 when no layer has BatchNorm
  // (then a step's batch may also span several forwards).
  int batchnorm_min_batch() const;
  size_t weight_count() const;  // entries of W blocks (the ones L1/L2 apply to)
  // Zeroes unit i of unit layer l's outgoing weights: the next unit layer's weights that read
  // it (dense: a column; through pooling and the flatten, a band of columns; conv2d: the
  // filters' taps on channel i), in `block` (params, or the optimiser's moments through
  // each_outgoing). Calls f(parameter index) for each.
  template <typename F>
  void each_outgoing(int l, int i, F&& f) const;

 private:
  static Layer& unit_layer(AnyLayer<T>& any);
  static const Layer& unit_layer(const AnyLayer<T>& any);
  static const Mat& output_of(const AnyLayer<T>& any);
  std::vector<AnyLayer<T>> layers_;
  std::vector<int> unit_index_;  // unit layer l -> its index in layers_
  Volume input_;
  Loss loss_;
  int max_cols_;
  Mat da_;  // (max width, max_cols) scratch for dL/da
  std::vector<T> gemm_work_;  // packing workspace of gemm() (empty where Eigen does the products)
  SparseColumns sparse_;      // the zero index of a dense layer's input (floats only: skip_zeros.h)
  ProductWork<T> work() {
    return {gemm_work_.data(), std::is_same_v<T, float> ? &sparse_ : nullptr};
  }
  // Network layer k's input: x for the first layer, else the previous layer's a.
  Operand<T> input(int k, const ConstRefMat& x) const {
    if (k == 0) return {x.data(), static_cast<int>(x.outerStride())};
    const Mat& prev = output_of(layers_[k - 1]);
    return {prev.data(), static_cast<int>(prev.outerStride())};
  }
  Dropout<T> dropout_;
  bool dropped_ = false;  // the last forward applied dropout (keep holds its multipliers)
  int last_backward_cols_ = 0;
};

template <typename T>
template <typename F>
void Mlp<T>::each_outgoing(int l, int i, F&& f) const {
  const int k = unit_index_[l + 1];
  // The volume the next unit layer reads: unit i's share of it is channel i (a single
  // feature after a dense layer).
  Volume v{layer(l).units(), 1, 1};
  if (const auto* c = std::get_if<Conv2d<T>>(&layers_[unit_index_[l]])) v = c->out;
  for (int j = unit_index_[l] + 1; j < k; ++j)
    if (const auto* p = std::get_if<Pool2d<T>>(&layers_[j])) v = p->out;
  const int area = v.h * v.w;
  if (const auto* d = std::get_if<Dense<T>>(&layers_[k])) {
    for (int col = i * area; col < (i + 1) * area; ++col)
      for (int row = 0; row < d->out; ++row) f(d->w_off + static_cast<size_t>(col) * d->out + row);
  } else if (const auto* c = std::get_if<Conv2d<T>>(&layers_[k])) {
    const int kk = c->spec.kernel * c->spec.kernel;
    for (int o = 0; o < c->spec.channels; ++o)
      for (int t = i * kk; t < (i + 1) * kk; ++t) f(c->weight_index(o, t));
  }
}

// Targets for MSE with several outputs: every output is compared with the sample's
// single target value (the datasets carry one target per sample).

extern template class Mlp<float>;
extern template class Mlp<double>;

}  // namespace relu
