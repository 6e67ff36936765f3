// 2-D convolution layer: z = W * x + b over every position, a = f(z).
//
// Shapes (samples are columns, each column a (C, H, W) volume flattened as torch.flatten
// does: channel, then row, then column):
//   x      (cin h w, n)        input chunk
//   W      (K, cout)           K = cin kh kw; column o is filter o in PyTorch's
//                              Conv2d.weight[o][c][i][j] order (c, then i, then j), so the
//                              parameter block holds exactly PyTorch's row-major weight
//   b      (cout)
//   s      (cout)              PReLU slopes, one per channel (nn.PReLU(cout))
//   z, a   (cout ho wo, n)     per sample, channel o's map is rows o ho wo .. (o+1) ho wo
//   dz     (cout ho wo, n)
// Per sample the product is one gemm on the sample's patches (im2col):
//   P      (ho wo, K)          P(pos, (c, i, j)) = x[c, oy s - pad_lo + i, ox s - pad_lo + j]
//                              (0 outside the image), pos = oy wo + ox
//   z_j    (ho wo, cout)       = P (ho wo, K) * W (K, cout) + b, column-major: already the
//                              sample's (C, H, W) order
// and backward, per sample (the orientations bench/conv_bench.cpp measured fastest):
//   dW^T   (cout, K)          += dz_j^T (cout, ho wo) * P (ho wo, K), summed over the chunk's
//                              samples in dwt, then added to dW (K, cout) transposed
//   dPt    (K, ho wo)          = W (K, cout) * dz_j^T (cout, ho wo): each position's patch
//                              gradient contiguous, scattered back onto the image (col2im)
// Padding: "valid" (0), "same" (stride 1: pad_lo = (k - 1) / 2, pad_hi = k - 1 - pad_lo, as
// PyTorch pads an even kernel one more on the bottom and right), or an integer p on all sides.
// ho = (h + pad_lo + pad_hi - k) / stride + 1.
//
// The monitored unit of a conv layer is a channel: its z is the ho wo rows of its map, over
// every sample of the evaluation set.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "activation.h"
#include "layers/unit_layer.h"
#include "skip_zeros.h"

namespace relu {

// A sample's volume: channels, height, width.
struct Volume {
  int c = 0, h = 0, w = 0;
  int64_t size() const { return static_cast<int64_t>(c) * h * w; }
};

// What a conv2d token says: out channels, kernel size, stride, padding (kSamePadding or >= 0).
constexpr int kSamePadding = -1;
struct ConvSpec {
  int channels = 0, kernel = 0, stride = 1, padding = 0;
};

// The output volume of a convolution, or throws std::invalid_argument naming what is wrong.
Volume conv_output(const Volume& in, const ConvSpec& spec);
inline int64_t conv2d_param_count(const Volume& in, const ConvSpec& spec) {
  return static_cast<int64_t>(in.c) * spec.kernel * spec.kernel * spec.channels + 2 * spec.channels;
}

template <typename T>
struct Conv2d : UnitLayer<T> {
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
  using UnitLayer<T>::positions;
  using UnitLayer<T>::b;
  using UnitLayer<T>::s;

  Volume in, out;
  ConvSpec spec;
  int pad_lo = 0, taps = 0;                 // taps = K = cin kh kw
  Mat patches;                              // (ho wo, K) one sample's P
  Mat dpatches;                             // (K, ho wo) one sample's dL/dP, patch by patch
  Mat dwt;                                  // (cout, K) the chunk's dW, transposed
  Vec slope_rows, dslope_rows;              // (out.size()) PReLU slopes per row of z, their gradient

  size_t carve(const Volume& input, const ConvSpec& s, size_t offset, int max_cols);

  Eigen::Map<Mat> W(T* block) const { return Eigen::Map<Mat>(block + w_off, taps, spec.channels); }
  Eigen::Map<const Mat> W(const T* block) const { return Eigen::Map<const Mat>(block + w_off, taps, spec.channels); }

  // ---- forward ----
  // z (cout ho wo, n) = W * x + b per sample (im2col, one gemm each); a = f(z) (hidden);
  // ablated channels output 0.
  void forward(const T* params, const T* x, int ldx, int n, bool hidden, ProductWork<T> work);

  // ---- backward, in reverse order of the forward ----
  // dz = (da, ablated channels 0) ⊙ f'(z); PReLU: ds += sum of da min(z, 0) per channel.
  void backward_activation(const T* params, T* grads, Eigen::Ref<Mat> da, int n);
  // dW (K, cout) += P^T (K, ho wo) dz_j (ho wo, cout) per sample; db += sums of dz per channel;
  // frozen channels' gradients zeroed. track: grad_abs_sum += sums of |dz| per channel.
  void backward_params(T* grads, const T* x, int ldx, int n, bool track, ProductWork<T> work);
  // dx (cin h w, n): dP = dz_j (ho wo, cout) W^T (cout, K), scattered back onto the image (col2im).
  void backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work);

 private:
  void im2col(const T* x);                  // one sample's x -> patches
  void col2im(T* dx) const;                 // dpatches (K, ho wo) -> one sample's dx (overwritten)
};

extern template struct Conv2d<float>;
extern template struct Conv2d<double>;

}  // namespace relu
