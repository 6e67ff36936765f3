#include "layers/conv2d.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "gemm.h"

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
  patches.setZero(positions, taps);
  dpatches.setZero(positions, taps);
  slope_rows.setZero(rows);
  dslope_rows.setZero(rows);
  return offset + static_cast<size_t>(conv2d_param_count(in, sp));
}

template <typename T>
void Conv2d<T>::im2col(const T* x) {
  // patches (ho wo, K): column (c, i, j) holds, for every output position, the input pixel
  // that tap (i, j) of channel c sees there (0 in the padding).
  const int k = spec.kernel, st = spec.stride;
  for (int c = 0; c < in.c; ++c)
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        T* col = patches.data() + static_cast<Eigen::Index>((c * k + i) * k + j) * positions;
        const T* channel = x + static_cast<int64_t>(c) * in.h * in.w;
        for (int oy = 0; oy < out.h; ++oy) {
          const int iy = oy * st - pad_lo + i;
          T* row = col + oy * out.w;
          if (iy < 0 || iy >= in.h) {
            for (int ox = 0; ox < out.w; ++ox) row[ox] = T(0);
            continue;
          }
          const T* src = channel + iy * in.w;
          for (int ox = 0; ox < out.w; ++ox) {
            const int ix = ox * st - pad_lo + j;
            row[ox] = ix >= 0 && ix < in.w ? src[ix] : T(0);
          }
        }
      }
}

template <typename T>
void Conv2d<T>::col2im(T* dx) const {
  // The transpose of im2col: every patch entry's gradient goes back to the pixel it came from.
  std::fill(dx, dx + in.size(), T(0));
  const int k = spec.kernel, st = spec.stride;
  for (int c = 0; c < in.c; ++c)
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        const T* col = dpatches.data() + static_cast<Eigen::Index>((c * k + i) * k + j) * positions;
        T* channel = dx + static_cast<int64_t>(c) * in.h * in.w;
        for (int oy = 0; oy < out.h; ++oy) {
          const int iy = oy * st - pad_lo + i;
          if (iy < 0 || iy >= in.h) continue;
          const T* row = col + oy * out.w;
          T* dst = channel + iy * in.w;
          for (int ox = 0; ox < out.w; ++ox) {
            const int ix = ox * st - pad_lo + j;
            if (ix >= 0 && ix < in.w) dst[ix] += row[ox];
          }
        }
      }
}

template <typename T>
void Conv2d<T>::forward(const T* params, const T* x, int ldx, int n, bool hidden, ProductWork<T> work) {
  const int hw = positions, ldz = static_cast<int>(z.outerStride());
  const auto bias = b(params);
  for (int j = 0; j < n; ++j) {
    // z_j (ho wo, cout) = P (ho wo, K) * W (K, cout), then + b per channel
    im2col(x + static_cast<int64_t>(j) * ldx);
    T* zj = z.data() + static_cast<Eigen::Index>(j) * ldz;
    gemm<T>(hw, spec.channels, taps, patches.data(), hw, Trans::No, params + w_off, taps, Trans::No, zj, hw, false,
            work.pack);
    for (int o = 0; o < spec.channels; ++o)
      Eigen::Map<Vec>(zj + static_cast<Eigen::Index>(o) * hw, hw).array() += bias(o);
  }
  if (!hidden) return;
  if (act.kind == Activation::Prelu)
    for (int o = 0; o < spec.channels; ++o) slope_rows.segment(static_cast<Eigen::Index>(o) * hw, hw).setConstant(s(params)(o));
  auto an = a.leftCols(n);
  activation_forward<T>(act, z.leftCols(n), slope_rows, an);
  for (int o = 0; o < spec.channels; ++o)
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
  const int hw = positions, ldz = static_cast<int>(dz.outerStride());
  auto db = b(grads);
  for (int j = 0; j < n; ++j) {
    // dW (K, cout) += P^T (K, ho wo) * dz_j (ho wo, cout);  db += sums of dz_j per channel
    im2col(x + static_cast<int64_t>(j) * ldx);
    const T* dzj = dz.data() + static_cast<Eigen::Index>(j) * ldz;
    gemm<T>(taps, spec.channels, hw, patches.data(), hw, Trans::Yes, dzj, hw, Trans::No, grads + w_off, taps, true,
            work.pack);
    for (int o = 0; o < spec.channels; ++o) {
      const auto map = Eigen::Map<const Vec>(dzj + static_cast<Eigen::Index>(o) * hw, hw);
      db(o) += map.sum();
      if (track) grad_abs_sum(o) += map.cwiseAbs().sum();
    }
  }
  auto dW = W(grads);
  auto ds = s(grads);
  for (int o = 0; o < spec.channels; ++o)
    if (frozen[o]) {
      dW.col(o).setZero();
      db(o) = T(0);
      ds(o) = T(0);
    }
}

template <typename T>
void Conv2d<T>::backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work) {
  const int hw = positions, ldz = static_cast<int>(dz.outerStride());
  for (int j = 0; j < n; ++j) {
    // dP (ho wo, K) = dz_j (ho wo, cout) * W^T (cout, K), then back onto the image
    gemm<T>(hw, taps, spec.channels, dz.data() + static_cast<Eigen::Index>(j) * ldz, hw, Trans::No, params + w_off,
            taps, Trans::Yes, dpatches.data(), hw, false, work.pack);
    col2im(dx + static_cast<int64_t>(j) * ld_dx);
  }
}

template struct Conv2d<float>;
template struct Conv2d<double>;

}  // namespace relu
