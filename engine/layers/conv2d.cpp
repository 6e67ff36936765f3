#include "layers/conv2d.h"

#include <algorithm>
#include <stdexcept>
#include <string>

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
  dpadded.setZero(padded.size());
  dpatches.setZero(taps, positions);
  wt.setZero(sp.channels, taps);
  wt_flipped.setZero(sp.channels, taps);
  zt.setZero(sp.channels, positions);
  dw.setZero(taps, sp.channels);
  dw_flipped.setZero(sp.channels, taps);
  slope_rows.setZero(rows);
  dslope_rows.setZero(rows);
  return offset + static_cast<size_t>(conv2d_param_count(in, sp));
}

// The training step's members (forward, backward, im2col, col2im) are in conv2d_step.cpp,
// compiled for speed in wasm where this file is compiled for size (bindings/wasm.cmake).
template struct Conv2d<float>;
template struct Conv2d<double>;

}  // namespace relu
