#include "mlp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gemm.h"

namespace relu {

Loss loss_from_name(const std::string& name) {
  if (name == "mse") return Loss::Mse;
  if (name == "bce") return Loss::Bce;
  if (name == "ce") return Loss::SoftmaxCe;
  throw std::invalid_argument("unknown loss \"" + name + "\" (expected mse, bce or ce)");
}

const char* loss_name(Loss l) {
  switch (l) {
    case Loss::Mse: return "mse";
    case Loss::Bce: return "bce";
    case Loss::SoftmaxCe: return "ce";
  }
  return "?";
}

template <typename T>
Mlp<T>::Mlp(int inputs, const std::vector<int>& hidden, const std::vector<Activation>& acts, int outputs, Loss loss,
            int max_cols)
    : loss_(loss), max_cols_(max_cols) {
  if (inputs < 1 || outputs < 1 || max_cols < 1) throw std::invalid_argument("network needs inputs, outputs and columns >= 1");
  if (acts.size() != 1 && acts.size() != hidden.size())
    throw std::invalid_argument("activation list must have one entry or one per hidden layer");
  if (loss == Loss::Bce && outputs != 1) throw std::invalid_argument("bce needs exactly 1 output");
  if (loss == Loss::SoftmaxCe && outputs < 2) throw std::invalid_argument("ce needs at least 2 outputs (classes)");
  size_t offset = 0;
  int prev = inputs, widest = 0;
  const int n_layers = static_cast<int>(hidden.size()) + 1;
  layers_.resize(n_layers);
  for (int l = 0; l < n_layers; ++l) {
    Layer& L = layers_[l];
    const bool is_output = l == n_layers - 1;
    L.in = prev;
    L.out = is_output ? outputs : hidden[l];
    if (L.out < 1) throw std::invalid_argument("layer widths must be >= 1");
    L.act.kind = is_output ? Activation::Linear : (acts.size() == 1 ? acts[0] : acts[l]);
    L.w_off = offset;
    offset += static_cast<size_t>(L.out) * L.in;
    L.b_off = offset;
    offset += L.out;
    L.s_off = offset;
    offset += L.out;
    L.z.setZero(L.out, max_cols);
    L.a.setZero(L.out, max_cols);
    L.dz.setZero(L.out, max_cols);
    L.keep.setOnes(L.out, max_cols);
    L.grad_abs_sum.setZero(L.out);
    L.frozen.assign(L.out, 0);
    L.ablated.assign(L.out, 0);
    widest = std::max(widest, L.in);
    prev = L.out;
  }
  params.assign(offset, T(0));
  grads.assign(offset, T(0));
  for (int l = 0; l < n_layers; ++l) s(l).setConstant(T(kPreluInitSlope));
  da_.setZero(widest, max_cols);
  // Inner dimensions of the three products: a layer's inputs (z), the next layer's
  // outputs (da), the columns (dW); every layer's output is some layer's input or the last.
  gemm_work_.assign(gemm_workspace(std::max({widest, outputs, max_cols})), T(0));
  weight_grad_norms.assign(n_layers, 0.0);
}

template <typename T>
size_t Mlp<T>::weight_count() const {
  size_t n = 0;
  for (const auto& L : layers_) n += static_cast<size_t>(L.out) * L.in;
  return n;
}

template <typename T>
void Mlp<T>::set_leaky_slope(T slope) {
  for (auto& L : layers_) L.act.leaky_slope = slope;
}

template <typename T>
void Mlp<T>::set_dropout(DropoutKind kind, T p) {
  if (!(p >= T(0) && p < T(1))) throw std::invalid_argument("dropout rate must be in [0, 1)");
  dropout_kind_ = p == T(0) ? DropoutKind::None : kind;
  dropout_p_ = p;
  if (dropout_kind_ == DropoutKind::Alpha) {
    // Klambauer et al. 2017: dropped units take alpha' = -lambda * alpha, then an
    // affine map a * x + b restores mean 0 and variance 1.
    const double q = p, alpha_p = -kSeluLambda * kSeluAlpha;
    const double a = 1.0 / std::sqrt((1.0 - q) * (1.0 + q * alpha_p * alpha_p));
    const double b = -a * alpha_p * q;
    alpha_keep_scale_ = static_cast<T>(a);
    alpha_shift_ = static_cast<T>(b);
    alpha_dropped_ = static_cast<T>(a * alpha_p + b);
  }
}

template <typename T>
void Mlp<T>::forward(const ConstRefMat& x, int n, bool training, Rng* rng) {
  if (n > max_cols_ || x.rows() != inputs() || x.cols() < n) throw std::invalid_argument("forward: input shape mismatch");
  const int last = num_layers() - 1;
  for (int l = 0; l <= last; ++l) {
    Layer& L = layers_[l];
    auto z = L.z.leftCols(n);
    auto a = L.a.leftCols(n);
    // z (out, n) = W (out, in) * input (in, n) + b
    const Operand in = input(l, x);
    gemm<T>(L.out, n, L.in, W(l).data(), L.out, Trans::No, in.data, in.ld, Trans::No, L.z.data(),
            static_cast<int>(L.z.outerStride()), false, gemm_work_.data());
    z.colwise() += b(l);
    if (l == last) {
      switch (loss_) {
        case Loss::Mse: a = z; break;
        case Loss::Bce:
          a.array() = z.array().unaryExpr([](T v) {
            if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
            const T e = std::exp(v);
            return e / (T(1) + e);
          });
          break;
        case Loss::SoftmaxCe:
          for (int j = 0; j < n; ++j) {
            const T m = z.col(j).maxCoeff();
            a.col(j) = (z.col(j).array() - m).exp();
            a.col(j) /= a.col(j).sum();
          }
          break;
      }
      break;
    }
    activation_forward<T>(L.act, z, s(l), a);
    dropped_ = training && dropout_kind_ != DropoutKind::None;
    if (dropped_) {
      if (!rng) throw std::invalid_argument("forward: dropout needs a generator");
      auto keep = L.keep.leftCols(n);
      const T inv_keep = T(1) / (T(1) - dropout_p_);
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < L.out; ++i) {
          const bool kept = rng->uniform() >= static_cast<double>(dropout_p_);
          if (dropout_kind_ == DropoutKind::Standard) {
            keep(i, j) = kept ? inv_keep : T(0);
            a(i, j) *= keep(i, j);
          } else {
            keep(i, j) = kept ? alpha_keep_scale_ : T(0);
            a(i, j) = kept ? alpha_keep_scale_ * a(i, j) + alpha_shift_ : alpha_dropped_;
          }
        }
    }
    for (int i = 0; i < L.out; ++i)
      if (L.ablated[i]) a.row(i).setZero();
  }
}

namespace {
// Summed loss over n columns; when dz is given, also writes dL/dz scaled by `scale`.
template <typename T>
double loss_sum(Loss loss, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z,
                const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& a, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& y,
                int n, Eigen::Ref<Eigen::Matrix<T, -1, -1>>* dz, double scale) {
  double total = 0;
  const int k = static_cast<int>(z.rows());
  for (int j = 0; j < n; ++j) {
    const double t = static_cast<double>(y(0, j));
    switch (loss) {
      case Loss::Mse:
        // Mean over samples and outputs (PyTorch's MSELoss): each output vs the target.
        for (int i = 0; i < k; ++i) {
          const double d = static_cast<double>(a(i, j)) - t;
          total += d * d / k;
          if (dz) (*dz)(i, j) = static_cast<T>(2.0 * d / k * scale);
        }
        break;
      case Loss::Bce: {
        // Stable form of -t log s(z) - (1-t) log(1 - s(z)).
        const double v = static_cast<double>(z(0, j));
        total += std::max(v, 0.0) - v * t + std::log1p(std::exp(-std::fabs(v)));
        if (dz) (*dz)(0, j) = static_cast<T>((static_cast<double>(a(0, j)) - t) * scale);
        break;
      }
      case Loss::SoftmaxCe: {
        const int cls = static_cast<int>(t);
        double m = -INFINITY;
        for (int i = 0; i < k; ++i) m = std::max(m, static_cast<double>(z(i, j)));
        double sum = 0;
        for (int i = 0; i < k; ++i) sum += std::exp(static_cast<double>(z(i, j)) - m);
        total += m + std::log(sum) - static_cast<double>(z(cls, j));
        if (dz)
          for (int i = 0; i < k; ++i)
            (*dz)(i, j) = static_cast<T>((static_cast<double>(a(i, j)) - (i == cls ? 1.0 : 0.0)) * scale);
        break;
      }
    }
  }
  return total;
}
}  // namespace

template <typename T>
double Mlp<T>::loss_value(const ConstRefMat& y, int n) const {
  const Layer& L = layers_.back();
  return loss_sum<T>(loss_, L.z.leftCols(n), L.a.leftCols(n), y, n, nullptr, 0) / n;
}

template <typename T>
double Mlp<T>::output_grad(const ConstRefMat& y, int n, int total) {
  Layer& L = layers_.back();
  Eigen::Ref<Mat> dz = L.dz.leftCols(n);
  return loss_sum<T>(loss_, L.z.leftCols(n), L.a.leftCols(n), y, n, &dz, 1.0 / total);
}

template <typename T>
void Mlp<T>::backward(const ConstRefMat& x, int n, bool track) {
  const int last = num_layers() - 1;
  for (int l = last; l >= 0; --l) {
    Layer& L = layers_[l];
    auto dz = L.dz.leftCols(n);
    if (l < last) {
      // da (out_l, n) = W_{l+1}^T (out_l, out_{l+1}) * dz_{l+1} (out_{l+1}, n)
      auto da = da_.topLeftCorner(L.out, n);
      const Layer& next = layers_[l + 1];
      gemm<T>(L.out, n, next.out, W(l + 1).data(), next.out, Trans::Yes, next.dz.data(),
              static_cast<int>(next.dz.outerStride()), Trans::No, da.data(), static_cast<int>(da_.outerStride()), false,
              gemm_work_.data());
      if (dropped_) da.array() *= L.keep.leftCols(n).array();
      for (int i = 0; i < L.out; ++i)
        if (L.ablated[i]) da.row(i).setZero();
      activation_backward<T>(L.act, L.z.leftCols(n), s(l), da, dz, ds(l));
    }
    // dW (out, in) += dz (out, n) * input^T (n, in);  db += row sums of dz
    const Operand in = input(l, x);
    gemm<T>(L.out, L.in, n, L.dz.data(), static_cast<int>(L.dz.outerStride()), Trans::No, in.data, in.ld, Trans::Yes,
            dW(l).data(), L.out, true, gemm_work_.data());
    db(l) += dz.rowwise().sum();
    if (track) L.grad_abs_sum += dz.cwiseAbs().rowwise().sum();
    for (int i = 0; i < L.out; ++i)
      if (L.frozen[i]) {
        dW(l).row(i).setZero();
        db(l)(i) = T(0);
        ds(l)(i) = T(0);
      }
  }
  last_backward_cols_ = n;
}

template <typename T>
void Mlp<T>::zero_grads() {
  std::fill(grads.begin(), grads.end(), T(0));
}

template <typename T>
void Mlp<T>::zero_grad_tracking() {
  for (auto& L : layers_) L.grad_abs_sum.setZero();
}

template <typename T>
void Mlp<T>::record_grad_norms() {
  for (int l = 0; l < num_layers(); ++l) weight_grad_norms[l] = static_cast<double>(dW(l).norm());
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace relu
