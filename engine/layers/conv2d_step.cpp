// A convolution layer's training step (layers/conv2d.h): forward, the three backward parts
// and the patch copies they run on. Apart from conv2d.cpp (shapes, carving) because this is
// the hot path: wasm compiles it for speed, the rest of the layer for size (bindings/wasm.cmake).
#include <algorithm>
#include <type_traits>

#include "gemm.h"
#include "layers/conv2d.h"
#include "simd_lanes.h"

namespace relu {

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
  RELU_PLAIN_LOOP
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
  RELU_PLAIN_LOOP
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
      RELU_PLAIN_LOOP
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
  RELU_PLAIN_LOOP
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
  const int k = spec.kernel, cout = spec.channels, oh = out.h, ow = out.w;
  if (spec.stride == 1) {
    // A pixel (y, q) meets positions (y + pad - i, q + pad - j) at taps (i, j): for one kernel
    // row i, its taps j_lo .. j_hi land on neighbouring positions, whose zt columns lie side by
    // side, in the reverse order of the taps. With wt_flipped (each kernel row's taps
    // reversed) that is one contiguous multiply-add of (j_hi - j_lo + 1) cout floats.
    // Each position still receives one term per pixel, in raster order: the same sums.
    for (int c = 0; c < in.c; ++c)
      for (int y = 0; y < in.h; ++y)
        for (int q = 0; q < in.w; ++q) {
          const T v = x[(static_cast<int64_t>(c) * in.h + y) * in.w + q];
          if (v == T(0)) continue;
          const int i_lo = std::max(0, y + pad_lo - (oh - 1)), i_hi = std::min(k - 1, y + pad_lo);
          const int j_lo = std::max(0, q + pad_lo - (ow - 1)), j_hi = std::min(k - 1, q + pad_lo);
          const int span = (j_hi - j_lo + 1) * cout;
          for (int i = i_lo; i <= i_hi; ++i)
            add_scaled(zt.data() + static_cast<Eigen::Index>((y + pad_lo - i) * ow + (q + pad_lo - j_hi)) * cout,
                       wt_flipped.data() + static_cast<Eigen::Index>((c * k + i) * k + (k - 1 - j_hi)) * cout, v, span);
        }
    return;
  }
  // Stride 2 (conv_output allows 1 or 2): t / 2 and t % 2 of a t >= 0 as a shift and a mask.
  const int shift = spec.stride - 1;
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
void Conv2d<T>::sparse_weight_grads(const T* x, const T* dzj) {
  // dW^T (cout, K) = dz_j^T (cout, ho wo) P (ho wo, K) for a mostly-zero input, stride 1,
  // without its patches: the mirror of scatter_forward. Pixel (y, q) meets, through kernel
  // row i, the neighbouring positions (y + pad - i, q + pad - j_hi .. j_lo); their dz columns
  // (zt holds dz_j^T) lie side by side and pair with the row's taps in reverse order, so
  // dw_flipped (taps reversed) takes one contiguous multiply-add per (pixel, i). Each of
  // dW's entries sums its terms in order of position, from +0, the zero pixels' terms left
  // out: what the product computes (skip_zeros.h).
  const int k = spec.kernel, cout = spec.channels, hw = positions, oh = out.h, ow = out.w;
  for (int o = 0; o < cout; ++o) {
    RELU_PLAIN_LOOP
    for (int p = 0; p < hw; ++p) zt(o, p) = dzj[static_cast<Eigen::Index>(o) * hw + p];
  }
  dw_flipped.setZero();
  for (int c = 0; c < in.c; ++c)
    for (int y = 0; y < in.h; ++y)
      for (int q = 0; q < in.w; ++q) {
        const T v = x[(static_cast<int64_t>(c) * in.h + y) * in.w + q];
        if (v == T(0)) continue;
        const int i_lo = std::max(0, y + pad_lo - (oh - 1)), i_hi = std::min(k - 1, y + pad_lo);
        const int j_lo = std::max(0, q + pad_lo - (ow - 1)), j_hi = std::min(k - 1, q + pad_lo);
        const int span = (j_hi - j_lo + 1) * cout;
        for (int i = i_lo; i <= i_hi; ++i)
          add_scaled(dw_flipped.data() + static_cast<Eigen::Index>((c * k + i) * k + (k - 1 - j_hi)) * cout,
                     zt.data() + static_cast<Eigen::Index>((y + pad_lo - i) * ow + (q + pad_lo - j_hi)) * cout, v, span);
      }
}

template <typename T>
inline void add_kernel_row(T* d, const T* g, int k) {
  int j = 0;
  if constexpr (std::is_same_v<T, float>)
    for (; j + 4 <= k; j += 4) v_store(d + j, v_add(v_load(d + j), v_load(g + j)));
  RELU_PLAIN_LOOP
  for (; j < k; ++j) d[j] += g[j];
}

template <typename T>
void Conv2d<T>::col2im(T* dx) {
  // The transpose of im2col: every patch entry's gradient goes back to the pixel it came
  // from, position after position (so each pixel sums its terms in the same order as ever).
  // They are added inside a zero border (dpadded), so every kernel row is k pixels in a row
  // with no bounds to check; what lands in the border is padding's and is dropped.
  const int k = spec.kernel, st = spec.stride, channels = in.c, ph = padded_h, pw = padded_w;
  dpadded.setZero();
  const T* g = dpatches.data();
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox) {
      T* corner = dpadded.data() + static_cast<Eigen::Index>(oy * st) * pw + ox * st;
      for (int c = 0; c < channels; ++c)
        for (int i = 0; i < k; ++i, g += k) add_kernel_row(corner + (static_cast<Eigen::Index>(c) * ph + i) * pw, g, k);
    }
  // The image's pixels; those no patch sees (a valid convolution's dropped edge) get 0.
  const int rows = std::min(in.h, ph - pad_lo), cols = std::min(in.w, pw - pad_lo);
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < in.h; ++y) {
      T* row = dx + (static_cast<int64_t>(c) * in.h + y) * in.w;
      int q = 0;
      if (y < rows) {
        const T* src = dpadded.data() + (static_cast<Eigen::Index>(c) * ph + y + pad_lo) * pw + pad_lo;
        RELU_PLAIN_LOOP
        for (; q < cols; ++q) row[q] = src[q];
      }
      RELU_PLAIN_LOOP
      for (; q < in.w; ++q) row[q] = T(0);
    }
}

template <typename T>
void Conv2d<T>::forward(const T* params, const T* x, int ldx, int n, bool hidden, ProductWork<T> work,
                        NormPass<T> pass) {
  const int hw = positions, ldz = static_cast<int>(z.outerStride()), cout = spec.channels;
  const auto bias = b(params);
  // ReLU is applied as z is written (one pass less over the maps): a = z < 0 ? 0 : z, what
  // activation_forward's max(z, 0) gives (Eigen's max: the first argument unless the
  // second is greater; a NaN stays). With a norm, z is only known after the whole chunk's
  // products (BatchNorm's statistics): the activation comes after it.
  const bool relu = hidden && act.kind == Activation::Relu && !this->norm.active();
  const T* w = params + w_off;
  for (int o = 0; o < cout; ++o) {
    RELU_PLAIN_LOOP
    for (int p = 0; p < taps; ++p) wt(o, p) = w[static_cast<Eigen::Index>(o) * taps + p];
  }
  if (spec.stride == 1) {
    const int k = spec.kernel;
    for (int row = 0; row < taps; row += k)  // (c, i) rows of k taps
      for (int j = 0; j < k; ++j) wt_flipped.col(row + k - 1 - j) = wt.col(row + j);
  }
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
    T* aj = a.data() + static_cast<Eigen::Index>(j) * a.outerStride();
    for (int o = 0; o < cout; ++o) {
      const T bo = bias(o);
      const Eigen::Index first = static_cast<Eigen::Index>(o) * hw;
      const T* from = zt.data() + o;
      if (relu) {
        RELU_PLAIN_LOOP
        for (int pos = 0; pos < hw; ++pos) {
          const T v = from[static_cast<Eigen::Index>(pos) * cout] + bo;
          zj[first + pos] = v;
          aj[first + pos] = v < T(0) ? T(0) : v;
        }
      } else {
        RELU_PLAIN_LOOP
        for (int pos = 0; pos < hw; ++pos) zj[first + pos] = from[static_cast<Eigen::Index>(pos) * cout] + bo;
      }
    }
  }
  if (this->norm.active()) this->norm.forward(params, pass, z, n);
  if (!hidden) return;
  auto an = a.leftCols(n);
  if (!relu) {
    if (act.kind == Activation::Prelu)
      for (int o = 0; o < cout; ++o) slope_rows.segment(static_cast<Eigen::Index>(o) * hw, hw).setConstant(s(params)(o));
    activation_forward<T>(act, z.leftCols(n), slope_rows, an);
  }
  for (int o = 0; o < cout; ++o)
    if (ablated[o]) an.middleRows(static_cast<Eigen::Index>(o) * hw, hw).setZero();
}

template <typename T>
void Conv2d<T>::backward_activation(const T* params, T* grads, Eigen::Ref<Mat> da, int n) {
  const int hw = positions;
  for (int o = 0; o < spec.channels; ++o)
    if (ablated[o]) da.middleRows(static_cast<Eigen::Index>(o) * hw, hw).setZero();
  if (act.kind == Activation::Relu) {
    // dz = z > 0 ? da : 0, as activation_backward's select, in one plain loop.
    const Eigen::Index rows = z.rows();
    for (int j = 0; j < n; ++j) {
      const T* zj = z.data() + j * z.outerStride();
      const T* daj = da.data() + j * da.outerStride();
      T* dzj = dz.data() + j * dz.outerStride();
      for (Eigen::Index r = 0; r < rows; ++r) dzj[r] = zj[r] > T(0) ? daj[r] : T(0);
    }
  } else {
    dslope_rows.setZero();
    activation_backward<T>(act, z.leftCols(n), slope_rows, da, dz.leftCols(n), dslope_rows);
    if (act.kind == Activation::Prelu) {
      auto ds = s(grads);
      for (int o = 0; o < spec.channels; ++o) ds(o) += dslope_rows.segment(static_cast<Eigen::Index>(o) * hw, hw).sum();
    }
  }
  if (this->norm.active()) this->norm.backward(params, grads, dz, n);
}

template <typename T>
void Conv2d<T>::backward_params(T* grads, const T* x, int ldx, int n, bool track, ProductWork<T> work) {
  const Mat& dy = this->dproduct();
  const int hw = positions, ldz = static_cast<int>(dy.outerStride()), cout = spec.channels;
  auto db = b(grads);
  const bool bias_learns = this->bias_learns();
  for (int j = 0; j < n; ++j) {
    // dW (K, cout) += Pt (K, ho wo) * dz_j (ho wo, cout);  db += sums of dz_j per channel
    const T* xj = x + static_cast<int64_t>(j) * ldx;
    const T* dzj = dy.data() + static_cast<Eigen::Index>(j) * ldz;
    if (spec.stride == 1 && mostly_zeros(xj, in.size())) {
      sparse_weight_grads(xj, dzj);
      const int k = spec.kernel;
      for (int o = 0; o < cout; ++o)
        for (int row = 0; row < taps; row += k)  // (c, i) rows of k taps
          for (int t = 0; t < k; ++t) {
            const T g = dw_flipped(o, row + k - 1 - t);
            dw(row + t, o) = j > 0 ? dw(row + t, o) + g : g;
          }
    } else {
      im2col(xj);
      product<T>(taps, cout, hw, patches.data(), taps, dzj, hw, Trans::No, dw.data(), taps, j > 0, work.pack, work.sparse);
    }
    // |dL/dz| of the activation's input for the monitor: dz itself unless a norm came between.
    const T* trackj = dz.data() + static_cast<Eigen::Index>(j) * dz.outerStride();
    for (int o = 0; o < cout; ++o) {
      const auto map = Eigen::Map<const Vec>(dzj + static_cast<Eigen::Index>(o) * hw, hw);
      if (bias_learns) db(o) += map.sum();
      if (track) grad_abs_sum(o) += Eigen::Map<const Vec>(trackj + static_cast<Eigen::Index>(o) * hw, hw).cwiseAbs().sum();
    }
  }
  if (n > 0) W(grads) += dw;
  this->zero_frozen_grads(grads);
}

template <typename T>
void Conv2d<T>::backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work) {
  const Mat& dy = this->dproduct();
  const int hw = positions, ldz = static_cast<int>(dy.outerStride());
  for (int j = 0; j < n; ++j) {
    // dPt (K, ho wo) = W (K, cout) * dz_j^T (cout, ho wo), then back onto the image
    product<T>(taps, hw, spec.channels, params + w_off, taps, dy.data() + static_cast<Eigen::Index>(j) * ldz, hw,
               Trans::Yes, dpatches.data(), taps, false, work.pack, work.sparse);
    col2im(dx + static_cast<int64_t>(j) * ld_dx);
  }
}

// The step's members, for both element types (conv2d.h declares the class's instantiations extern,
// so nothing here is instantiated unless named; conv2d.cpp instantiates the rest).
#define RELU_CONV2D_STEP(T)                                                                              \
  template void Conv2d<T>::forward(const T*, const T*, int, int, bool, ProductWork<T>, NormPass<T>);   \
  template void Conv2d<T>::backward_activation(const T*, T*, Eigen::Ref<Mat>, int);                    \
  template void Conv2d<T>::backward_params(T*, const T*, int, int, bool, ProductWork<T>);              \
  template void Conv2d<T>::backward_input(const T*, T*, int, int, ProductWork<T>);                     \
  template void Conv2d<T>::im2col(const T*);                                                           \
  template void Conv2d<T>::scatter_forward(const T*);                                                  \
  template void Conv2d<T>::sparse_weight_grads(const T*, const T*);                                    \
  template void Conv2d<T>::col2im(T*);
RELU_CONV2D_STEP(float)
RELU_CONV2D_STEP(double)
#undef RELU_CONV2D_STEP

}  // namespace relu
