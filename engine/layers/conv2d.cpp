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
  dpatches.setZero(taps, positions);
  dwt.setZero(sp.channels, taps);
  slope_rows.setZero(rows);
  dslope_rows.setZero(rows);
  return offset + static_cast<size_t>(conv2d_param_count(in, sp));
}

template <typename T>
void Conv2d<T>::im2col(const T* x) {
  // patches (ho wo, K): column (c, i, j) holds, for every output position, the input pixel
  // that tap (i, j) of channel c sees there (0 in the padding). Row oy of that column reads
  // input row iy = oy s - pad + i at ix = ox s - pad + j: for ox in [lo, hi) inside the image.
  const int k = spec.kernel, st = spec.stride;
  for (int c = 0; c < in.c; ++c)
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        T* col = patches.data() + static_cast<Eigen::Index>((c * k + i) * k + j) * positions;
        const T* channel = x + static_cast<int64_t>(c) * in.h * in.w;
        const int shift = j - pad_lo;  // ix = ox st + shift
        const int lo = shift >= 0 ? 0 : std::min(out.w, (-shift + st - 1) / st);
        const int hi = std::max(lo, std::min(out.w, (in.w - 1 - shift) / st + 1));
        for (int oy = 0; oy < out.h; ++oy) {
          const int iy = oy * st - pad_lo + i;
          T* row = col + oy * out.w;
          if (iy < 0 || iy >= in.h) {
            std::fill(row, row + out.w, T(0));
            continue;
          }
          const T* src = channel + iy * in.w + shift;
          std::fill(row, row + lo, T(0));
          if (st == 1)
            std::copy(src + lo, src + hi, row + lo);
          else
            for (int ox = lo; ox < hi; ++ox) row[ox] = src[ox * st];
          std::fill(row + hi, row + out.w, T(0));
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
  const int hw = positions, ldz = static_cast<int>(dz.outerStride()), cout = spec.channels;
  auto db = b(grads);
  for (int j = 0; j < n; ++j) {
    // dW^T (cout, K) += dz_j^T (cout, ho wo) * P (ho wo, K);  db += sums of dz_j per channel
    im2col(x + static_cast<int64_t>(j) * ldx);
    const T* dzj = dz.data() + static_cast<Eigen::Index>(j) * ldz;
    gemm<T>(cout, taps, hw, dzj, hw, Trans::Yes, patches.data(), hw, Trans::No, dwt.data(), cout, j > 0, work.pack);
    for (int o = 0; o < cout; ++o) {
      const auto map = Eigen::Map<const Vec>(dzj + static_cast<Eigen::Index>(o) * hw, hw);
      db(o) += map.sum();
      if (track) grad_abs_sum(o) += map.cwiseAbs().sum();
    }
  }
  if (n > 0) W(grads) += dwt.transpose();
  this->zero_frozen_grads(grads);
}

template <typename T>
void Conv2d<T>::backward_input(const T* params, T* dx, int ld_dx, int n, ProductWork<T> work) {
  const int hw = positions, ldz = static_cast<int>(dz.outerStride());
  for (int j = 0; j < n; ++j) {
    // dPt (K, ho wo) = W (K, cout) * dz_j^T (cout, ho wo), then back onto the image
    gemm<T>(taps, hw, spec.channels, params + w_off, taps, Trans::No, dz.data() + static_cast<Eigen::Index>(j) * ldz, hw,
            Trans::Yes, dpatches.data(), taps, false, work.pack);
    col2im(dx + static_cast<int64_t>(j) * ld_dx);
  }
}

template struct Conv2d<float>;
template struct Conv2d<double>;

}  // namespace relu
