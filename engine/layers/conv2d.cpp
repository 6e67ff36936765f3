#include "layers/conv2d.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gemm.h"
#include "simd_lanes.h"

namespace relu {

namespace {
int pad_before(const ConvSpec& s) { return s.padding == kSamePadding ? (s.kernel - 1) / 2 : s.padding; }
int pad_total(const ConvSpec& s) { return s.padding == kSamePadding ? s.kernel - 1 : 2 * s.padding; }
}  // namespace

Volume conv_output(const Volume& in, const ConvSpec& s) {
  if (in.c < 1 || in.h < 1 || in.w < 1) throw std::invalid_argument("conv2d: the input volume is empty");
  if (s.channels < 1) throw std::invalid_argument("conv2d: channels must be >= 1");
  if (s.kernel < 1) throw std::invalid_argument("conv2d: kernel must be >= 1");
  if (s.stride != 1 && s.stride != 2) throw std::invalid_argument("conv2d: stride must be 1 or 2");
  if (s.padding == kSamePadding && s.stride != 1)
    throw std::invalid_argument("conv2d: padding \"same\" needs stride 1 (as in PyTorch)");
  if (s.padding < kSamePadding) throw std::invalid_argument("conv2d: padding must be \"same\", \"valid\" or >= 0");
  const int h = in.h + pad_total(s), w = in.w + pad_total(s);
  if (h < s.kernel || w < s.kernel)
    throw std::invalid_argument("conv2d: a " + std::to_string(s.kernel) + "x" + std::to_string(s.kernel) +
                                " kernel does not fit a padded " + std::to_string(h) + "x" + std::to_string(w) + " input");
  return {s.channels, (h - s.kernel) / s.stride + 1, (w - s.kernel) / s.stride + 1};
}

template <typename T>
size_t Conv2d<T>::carve(const Volume& input, const ConvSpec& sp, size_t offset, int max_cols) {
  out = conv_output(input, sp);
  in = input;
  spec = sp;
  pad_lo = pad_before(sp);
  taps = in.c * sp.kernel * sp.kernel;
  w_off = offset;
  b_off = w_off + static_cast<size_t>(taps) * sp.channels;
  s_off = b_off + sp.channels;
  // Channel o's incoming weights are column o of W (K, cout): filter o, contiguous.
  this->fan_in = taps;
  this->fan_out = sp.channels * sp.kernel * sp.kernel;  // as PyTorch's init counts it
  this->unit_step = taps;
  this->tap_step = 1;
  this->carve_units(sp.channels, out.h * out.w, max_cols);
  const Eigen::Index rows = out.size();
  patches.setZero(taps, positions);
  padded_h = (out.h - 1) * sp.stride + sp.kernel;
  padded_w = (out.w - 1) * sp.stride + sp.kernel;
  padded.setZero(static_cast<Eigen::Index>(in.c) * padded_h * padded_w);  // the border stays 0
  dpatches.setZero(taps, positions);
  wt.setZero(sp.channels, taps);
  zt.setZero(sp.channels, positions);
  dw.setZero(taps, sp.channels);
  slope_rows.setZero(rows);
  dslope_rows.setZero(rows);
  return offset + static_cast<size_t>(conv2d_param_count(in, sp));
}

namespace {

// C (m, n) (+)= A (m, k) * op(B) for the layer's products: floats on the kernel's bits
// whatever m, skipping op(B)'s zeros when `sparse` is given and op(B) is sparse enough
// (skip_zeros.h); doubles (the gradient checks) through gemm().
template <typename T>
void product(int m, int n, int k, const T* A, int lda, const T* B, int ldb, Trans tb, T* C, int ldc, bool accumulate,
             T* pack, SparseColumns* sparse) {
  if constexpr (std::is_same_v<T, float>)
    kernel_skip_zeros(m, n, k, A, lda, B, ldb, tb, C, ldc, accumulate, pack, sparse);
  else
    gemm<T>(m, n, k, A, lda, Trans::No, B, ldb, tb, C, ldc, accumulate, pack);
}

// Whether at most kSkipZerosDensity of x's `size` values are non-zero: then its patches are
// worth indexing (they hold the same values, some more than once, and the padding's zeros).
template <typename T>
bool mostly_zeros(const T* x, int64_t size) {
  int64_t nonzero = 0;
  for (int64_t i = 0; i < size; ++i) nonzero += x[i] != T(0);
  return static_cast<double>(nonzero) <= kSkipZerosDensity * static_cast<double>(size);
}

}  // namespace

// d[0 .. k) = s[0 .. k): one kernel row of a patch. Floats: four at a time, the last four
// overlapping the ones before when k is not a multiple of four (k >= 4). A plain loop here
// becomes a call to memcpy, which costs more than these few floats (in wasm most of all).
template <typename T>
inline void copy_kernel_row(T* d, const T* s, int k) {
  if constexpr (std::is_same_v<T, float>) {
    if (k >= 4) {
      int j = 0;
      for (; j + 4 < k; j += 4) v_store(d + j, v_load(s + j));
      v_store(d + k - 4, v_load(s + k - 4));
      return;
    }
  }
  for (int j = 0; j < k; ++j) d[j] = s[j];
}

template <typename T>
void Conv2d<T>::im2col(const T* x) {
  // patches (K, ho wo): column pos holds the patch that position (oy, ox) sees: for each
  // channel c and kernel row i, the k pixels of input row iy = oy s - pad + i from
  // ix = ox s - pad on, 0 in the padding. The sample is first copied inside `padded`'s
  // zero border, so every kernel row is k pixels in a row, with no bounds to check.
  const int k = spec.kernel, st = spec.stride, channels = in.c, ph = padded_h, pw = padded_w;
  // The input rows and columns that some patch sees (a valid convolution may drop the last).
  const int rows = std::min(in.h, ph - pad_lo), cols = std::min(in.w, pw - pad_lo);
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < rows; ++y) {
      const T* src = x + (static_cast<int64_t>(c) * in.h + y) * in.w;
      T* dst = padded.data() + (static_cast<Eigen::Index>(c) * ph + y + pad_lo) * pw + pad_lo;
      for (int q = 0; q < cols; ++q) dst[q] = src[q];
    }
  T* d = patches.data();
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox) {
      const T* corner = padded.data() + static_cast<Eigen::Index>(oy * st) * pw + ox * st;
      for (int c = 0; c < channels; ++c)
        for (int i = 0; i < k; ++i, d += k)
          copy_kernel_row(d, corner + (static_cast<Eigen::Index>(c) * ph + i) * pw, k);
    }
}

// acc[0 .. n) = acc + w * v, lane by lane (the kernel's multiply, then add).
template <typename T>
inline void add_scaled(T* acc, const T* w, T v, int n) {
  int o = 0;
  if constexpr (std::is_same_v<T, float>) {
    const f32x4 vv = v_splat(&v);
    for (; o + 4 <= n; o += 4) v_store(acc + o, v_add(v_load(acc + o), v_mul(v_load(w + o), vv)));
  }
  for (; o < n; ++o) acc[o] = acc[o] + w[o] * v;
}

template <typename T>
void Conv2d<T>::scatter_forward(const T* x) {
  // zt (cout, ho wo) = W^T (cout, K) Pt (K, ho wo) for an input that is mostly zeros (MNIST's
  // pixels), without its patches: each non-zero pixel adds wt's column for tap (c, i, j),
  // times the pixel, to every position whose patch holds the pixel at that tap. Pixels come
  // in raster order, channel by channel, so each position receives its terms in the order of
  // its taps, (c, i, j), into a sum that starts at +0: the order the product sums them in,
  // with the zero terms left out, which changes no bit (skip_zeros.h).
  zt.setZero();
  // Strides are 1 or 2 (conv_output): t / s and t % s of a t >= 0 as a shift and a mask.
  const int k = spec.kernel, shift = spec.stride - 1, cout = spec.channels, oh = out.h, ow = out.w;
  for (int c = 0; c < in.c; ++c)
    for (int y = 0; y < in.h; ++y)
      for (int q = 0; q < in.w; ++q) {
        const T v = x[(static_cast<int64_t>(c) * in.h + y) * in.w + q];
        if (v == T(0)) continue;
        // Tap (i, j) of position (oy, ox) holds pixel (y, q) when oy s + i = y + pad and ox s + j = q + pad.
        const int i_lo = std::max(0, y + pad_lo - ((oh - 1) << shift)), i_hi = std::min(k - 1, y + pad_lo);
        const int j_lo = std::max(0, q + pad_lo - ((ow - 1) << shift)), j_hi = std::min(k - 1, q + pad_lo);
        for (int i = i_lo; i <= i_hi; ++i) {
          const int ty = y + pad_lo - i;
          if (ty & shift) continue;
          for (int j = j_lo; j <= j_hi; ++j) {
            const int tx = q + pad_lo - j;
            if (tx & shift) continue;
            add_scaled(zt.data() + static_cast<Eigen::Index>((ty >> shift) * ow + (tx >> shift)) * cout,
                       wt.data() + static_cast<Eigen::Index>((c * k + i) * k + j) * cout, v, cout);
          }
        }
      }
}

template <typename T>
void Conv2d<T>::col2im(T* dx) const {
  // The transpose of im2col: every patch entry's gradient goes back to the pixel it came
  // from. dpatches holds one patch per position (K contiguous values).
  std::fill(dx, dx + in.size(), T(0));
  const int k = spec.kernel, st = spec.stride;
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox) {
      const T* d = dpatches.data() + static_cast<Eigen::Index>(oy * out.w + ox) * taps;
      const int y0 = oy * st - pad_lo, x0 = ox * st - pad_lo;
      // The taps (i, j) that land inside the image.
      const int i_lo = std::max(0, -y0), i_hi = std::min(k, in.h - y0);
      const int j_lo = std::max(0, -x0), j_hi = std::min(k, in.w - x0);
      for (int c = 0; c < in.c; ++c)
        for (int i = i_lo; i < i_hi; ++i) {
          T* row = dx + (static_cast<int64_t>(c) * in.h + y0 + i) * in.w + x0;
          const T* g = d + (c * k + i) * k;
          for (int j = j_lo; j < j_hi; ++j) row[j] += g[j];
        }
    }
}

template <typename T>
void Conv2d<T>::forward(const T* params, const T* x, int ldx, int n, bool hidden, ProductWork<T> work) {
  const int hw = positions, ldz = static_cast<int>(z.outerStride()), cout = spec.channels;
  const auto bias = b(params);
  wt = W(params).transpose();
  for (int j = 0; j < n; ++j) {
    // z_j^T (cout, ho wo) = W^T (cout, K) * Pt (K, ho wo); z_j = its transpose + b per channel
    const T* xj = x + static_cast<int64_t>(j) * ldx;
    if (mostly_zeros(xj, in.size())) {
      scatter_forward(xj);
    } else {
      im2col(xj);
      product<T>(cout, hw, taps, wt.data(), cout, patches.data(), taps, Trans::No, zt.data(), cout, false, work.pack,
                 nullptr);
    }
    T* zj = z.data() + static_cast<Eigen::Index>(j) * ldz;
    for (int o = 0; o < cout; ++o) {
      const T bo = bias(o);
      T* zo = zj + static_cast<Eigen::Index>(o) * hw;
      const T* from = zt.data() + o;
      for (int pos = 0; pos < hw; ++pos) zo[pos] = from[static_cast<Eigen::Index>(pos) * cout] + bo;
    }
  }
  if (!hidden) return;
  if (act.kind == Activation::Prelu)
    for (int o = 0; o < cout; ++o) slope_rows.segment(static_cast<Eigen::Index>(o) * hw, hw).setConstant(s(params)(o));
  auto an = a.leftCols(n);
  activation_forward<T>(act, z.leftCols(n), slope_rows, an);
  for (int o = 0; o < cout; ++o)
    if (ablated[o]) an.middleRows(static_cast<Eigen::Index>(o) * hw, hw).setZero();
}

template <typename T>
void Conv2d<T>::backward_activation(const T* params, T* grads, Eigen::Ref<Mat> da, int n) {
  (void)params;
  const int hw = positions;
  for (int o = 0; o < spec.channels; ++o)
    if (ablated[o]) da.middleRows(static_cast<Eigen::Index>(o) * hw, hw).setZero();
  dslope_rows.setZero();
  activation_backward<T>(act, z.leftCols(n), slope_rows, da, dz.leftCols(n), dslope_rows);
  if (act.kind == Activation::Prelu) {
    auto ds = s(grads);
    for (int o = 0; o < spec.channels; ++o) ds(o) += dslope_rows.segment(static_cast<Eigen::Index>(o) * hw, hw).sum();
  }
}

template <typename T>
void Conv2d<T>::backward_params(T* grads, const T* x, int ldx, int n, bool track, ProductWork<T> work) {
  const int hw = positions, ldz = static_cast<int>(dz.outerStride()), cout = spec.channels;
  auto db = b(grads);
  for (int j = 0; j < n; ++j) {
    // dW (K, cout) += Pt (K, ho wo) * dz_j (ho wo, cout);  db += sums of dz_j per channel
    im2col(x + static_cast<int64_t>(j) * ldx);
    const T* dzj = dz.data() + static_cast<Eigen::Index>(j) * ldz;
    product<T>(taps, cout, hw, patches.data(), taps, dzj, hw, Trans::No, dw.data(), taps, j > 0, work.pack, work.sparse);
    for (int o = 0; o < cout; ++o) {
      const auto map = Eigen::Map<const Vec>(dzj + static_cast<Eigen::Index>(o) * hw, hw);
      db(o) += map.sum();
      if (track) grad_abs_sum(o) += map.cwiseAbs().sum();
    }
  }
  if (n > 0) W(grads) += dw;
  this->zero_frozen_grads(grads);
}

template <typename T>
void Conv2d<T>::backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work) {
  const int hw = positions, ldz = static_cast<int>(dz.outerStride());
  for (int j = 0; j < n; ++j) {
    // dPt (K, ho wo) = W (K, cout) * dz_j^T (cout, ho wo), then back onto the image
    product<T>(taps, hw, spec.channels, params + w_off, taps, dz.data() + static_cast<Eigen::Index>(j) * ldz, hw,
               Trans::Yes, dpatches.data(), taps, false, work.pack, work.sparse);
    col2im(dx + static_cast<int64_t>(j) * ld_dx);
  }
}

template struct Conv2d<float>;
template struct Conv2d<double>;

}  // namespace relu
