#include "layers/dense.h"

#include <stdexcept>

#include "gemm.h"

namespace relu {

template <typename T>
size_t Dense<T>::carve(int inputs, int outputs, size_t offset, int max_cols) {
  if (outputs < 1) throw std::invalid_argument("layer widths must be >= 1");
  in = inputs;
  out = outputs;
  // Unit i's incoming weights are row i of W (out, in), column-major.
  this->fan_in = in;
  this->fan_out = out;
  this->unit_step = 1;
  this->tap_step = out;
  w_off = offset;
  b_off = w_off + static_cast<size_t>(out) * in;
  s_off = b_off + out;
  this->carve_units(out, 1, max_cols);
  keep.setOnes(out, max_cols);
  return offset + static_cast<size_t>(dense_param_count(in, out));
}

template <typename T>
void Dense<T>::forward(const T* params, Operand<T> x, int n, bool hidden, const Dropout<T>* dropout, Rng* rng,
                       ProductWork<T> work, NormPass<T> pass) {
  // z (out, n) = W (out, in) * x (in, n) + b; x is often mostly zeros (pixels, ReLU outputs)
  gemm_skip_zeros<T>(out, n, in, params + w_off, out, x.data, x.ld, Trans::No, z.data(),
                     static_cast<int>(z.outerStride()), false, work.pack, work.sparse);
  auto zn = z.leftCols(n);
  zn.colwise() += b(params);
  if (this->norm.active()) this->norm.forward(params, pass, z, n);
  if (!hidden) return;
  auto an = a.leftCols(n);
  activation_forward<T>(act, zn, s(params), an);
  if (dropout) {
    if (!rng) throw std::invalid_argument("forward: dropout needs a generator");
    dropout->forward(an, keep.leftCols(n), *rng);
  }
  for (int i = 0; i < out; ++i)
    if (ablated[i]) an.row(i).setZero();
}

template <typename T>
void Dense<T>::backward_activation(const T* params, T* grads, Eigen::Ref<Mat> da, int n, bool dropped) {
  // da (out, n): dL/da -> dL/dz through dropout, ablation and f'(z).
  if (dropped) Dropout<T>::backward(da, keep.leftCols(n));
  for (int i = 0; i < out; ++i)
    if (ablated[i]) da.row(i).setZero();
  activation_backward<T>(act, z.leftCols(n), s(params), da, dz.leftCols(n), s(grads));
  if (this->norm.active()) this->norm.backward(params, grads, dz, n);
}

template <typename T>
void Dense<T>::backward_params(T* grads, Operand<T> x, int n, bool track, ProductWork<T> work) {
  // dW (out, in) += dz (out, n) * x^T (n, in);  db (out) += row sums of dz (out, n)
  const Mat& dy = this->dproduct();
  gemm_skip_zeros<T>(out, in, n, dy.data(), static_cast<int>(dy.outerStride()), x.data, x.ld, Trans::Yes,
                     grads + w_off, out, true, work.pack, work.sparse);
  if (this->bias_learns()) b(grads) += dy.leftCols(n).rowwise().sum();
  if (track) grad_abs_sum += dz.leftCols(n).cwiseAbs().rowwise().sum();
  this->zero_frozen_grads(grads);
}

template <typename T>
void Dense<T>::backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work) const {
  // dx (in, n) = W^T (in, out) * dz (out, n)
  const Mat& dy = this->dproduct();
  gemm<T>(in, n, out, params + w_off, out, Trans::Yes, dy.data(), static_cast<int>(dy.outerStride()), Trans::No, dx, ld_dx,
          false, work.pack);
}

template struct Dense<float>;
template struct Dense<double>;

}  // namespace relu
