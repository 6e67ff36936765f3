// 2-D pooling layer: max or mean over k x k windows, stride k (PyTorch's MaxPool2d(k) and
// AvgPool2d(k): no padding, a ragged last row or column dropped).
//
// Shapes (samples are columns, (C, H, W) volumes flattened as torch.flatten does):
//   x      (c h w, n)          input chunk
//   a      (c ho wo, n)        ho = h / k, wo = w / k (rounded down)
//   from   (c ho wo, max_cols) max: the row of x each output took (backward sends its
//                              gradient there; ties go to the first in row-major order,
//                              as PyTorch's CPU kernel does)
//   da     (c ho wo, n)        dL/da, from the layer above; dz = da (no activation)
// No parameters and no monitored units: what pooling does to a dead channel (zero in, zero
// out) the monitor sees in the conv layer before it.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "layers/conv2d.h"

namespace relu {

enum class PoolKind { Max, Avg };

// The output volume of a pooling, or throws std::invalid_argument naming what is wrong.
Volume pool_output(const Volume& in, int size);

template <typename T>
struct Pool2d {
  using Mat = Eigen::Matrix<T, -1, -1>;

  PoolKind kind = PoolKind::Max;
  int size = 2;
  Volume in, out;
  Mat a, dz;                                         // (out.size(), max_cols)
  Eigen::Matrix<int32_t, -1, -1> from;               // (out.size(), max_cols), max only

  int units() const { return 0; }
  size_t carve(const Volume& input, PoolKind k, int window, size_t offset, int max_cols);

  void forward(const T* x, int ldx, int n);
  // dz = da (nothing to undo: pooling has no activation).
  void backward_activation(Eigen::Ref<Mat> da, int n) { dz.leftCols(n) = da; }
  // dx (c h w, n): max sends each dz to the pixel it came from; mean spreads it over the window.
  void backward_input(T* dx, int ld_dx, int n) const;
};

extern template struct Pool2d<float>;
extern template struct Pool2d<double>;

}  // namespace relu
