// 2-D convolution layer: z = W * x + b over every position, a = f(z); with a norm
// (layers/norm.h), z = norm(W * x + b).
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
// Per sample the products run on the sample's patches (im2col), one patch per position:
//   Pt     (K, ho wo)          Pt((c, i, j), pos) = x[c, oy s - pad_lo + i, ox s - pad_lo + j]
//                              (0 outside the image), pos = oy wo + ox
//   z_j^T  (cout, ho wo)       = W^T (cout, K) * Pt (K, ho wo), then transposed into z_j's
//                              (C, H, W) order, + b
//   dW     (K, cout)          += Pt (K, ho wo) * dz_j (ho wo, cout), summed over the chunk's
//                              samples in dw, then added to the gradient block
//   dPt    (K, ho wo)          = W (K, cout) * dz_j^T (cout, ho wo): each position's patch
//                              gradient contiguous, scattered back onto the image (col2im)
// Each product's right operand is what is mostly zeros: the patches of MNIST's pixels or of
// a sparse ReLU map (forward), dz (backward: after max pooling at most one position in four
// gets a gradient, and ReLU zeroes more), so each skips those zeros (skip_zeros.h). Every
// entry is still summed over the product's inner index in order, as gemm()'s kernel sums the
// plain orientation (z = P W, dW^T = dz^T P): the same bits, natively and in wasm, whichever
// path runs (tests/engine/test_conv_bits.cpp).
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
  Mat patches;                              // (K, ho wo) one sample's Pt, patch by patch
  Vec padded;                               // one sample's x inside its zero padding (im2col)
  Vec dpadded;                              // one sample's dx inside the padding (col2im)
  int padded_h = 0, padded_w = 0;           // (ho - 1) s + k, (wo - 1) s + k
  Mat dpatches;                             // (K, ho wo) one sample's dL/dPt, patch by patch
  Mat wt;                                   // (cout, K) W^T, for the forward product
  Mat wt_flipped;                           // (cout, K) wt, each kernel row's taps reversed (scatter_forward)
  Mat zt;                                   // (cout, ho wo) one sample's z^T
  Mat dw;                                   // (K, cout) the chunk's dW
  Mat dw_flipped;                           // (cout, K) one sample's dW^T, taps reversed (sparse_weight_grads)
  Vec slope_rows, dslope_rows;              // (out.size()) PReLU slopes per row of z, their gradient

  size_t carve(const Volume& input, const ConvSpec& s, size_t offset, int max_cols);
  // Sizes the zero index for this layer's three products.
  void reserve(SparseColumns& sparse) const {
    sparse.reserve(taps, positions);
    sparse.reserve(positions, spec.channels);
  }

  Eigen::Map<Mat> W(T* block) const { return Eigen::Map<Mat>(block + w_off, taps, spec.channels); }
  Eigen::Map<const Mat> W(const T* block) const { return Eigen::Map<const Mat>(block + w_off, taps, spec.channels); }

  // The step's members are kept out of line (noinline): inlined into the network's loop
  // (mlp.cpp, compiled for size in wasm) they would be optimised for size with it.
  // ---- forward ----
  // z (cout ho wo, n) = W * x + b per sample (im2col, one gemm each), normalised in place by
  // the layer's norm if any (`pass`: the network's state block and the mode); a = f(z)
  // (hidden); ablated channels output 0.
  __attribute__((noinline)) void forward(const T* params, const T* x, int ldx, int n, bool hidden, ProductWork<T> work,
                                         NormPass<T> pass = {});

  // ---- backward, in reverse order of the forward ----
  // dz = (da, ablated channels 0) ⊙ f'(z); PReLU: ds += sum of da min(z, 0) per channel; through
  // a norm, its weight's and bias's gradients and dL/d(W * x + b) (dproduct()).
  __attribute__((noinline)) void backward_activation(const T* params, T* grads, Eigen::Ref<Mat> da, int n);
  // dW (K, cout) += Pt (K, ho wo) dz_j (ho wo, cout) per sample; db += sums of dz per channel;
  // frozen channels' gradients zeroed. track: grad_abs_sum += sums of |dz| per channel. (With a
  // norm, dproduct() stands for dz here and in backward_input; |dz| is the activation input's.)
  __attribute__((noinline)) void backward_params(T* grads, const T* x, int ldx, int n, bool track, ProductWork<T> work);
  // dx (cin h w, n): dPt = W (K, cout) dz_j^T (cout, ho wo), scattered back onto the image (col2im).
  __attribute__((noinline)) void backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work);

 private:
  void im2col(const T* x);                  // one sample's x -> patches (K, ho wo)
  void scatter_forward(const T* x);         // zt = W^T Pt from x's non-zero pixels
  void sparse_weight_grads(const T* x, const T* dzj);  // dw_flipped = Pt dz_j from x's non-zero pixels (stride 1)
  void col2im(T* dx);                       // dpatches (K, ho wo) -> one sample's dx (overwritten)
};

extern template struct Conv2d<float>;
extern template struct Conv2d<double>;

}  // namespace relu
