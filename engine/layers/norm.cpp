#include "layers/norm.h"

#include <cmath>

namespace relu {

const char* norm_name(NormKind k) {
  switch (k) {
    case NormKind::Batch: return "batch";
    case NormKind::Layer: return "layer";
    case NormKind::None: break;
  }
  return "none";
}

template <typename T>
size_t Norm<T>::carve(NormKind k, int unit_count, int rows_per_unit, size_t offset, size_t& state_offset, int max_cols) {
  kind = k;
  units = unit_count;
  positions = rows_per_unit;
  if (!active()) return offset;
  g_off = offset;
  beta_off = g_off + units;
  if (kind == NormKind::Batch) {
    mean_off = state_offset;
    var_off = mean_off + units;
    state_offset += static_cast<size_t>(norm_state_count(kind, units));
  }
  const Eigen::Index rows = static_cast<Eigen::Index>(units) * positions;
  xhat.setZero(rows, max_cols);
  dy.setZero(rows, max_cols);
  stats_ = kind == NormKind::Batch ? units : max_cols;
  scratch_.setZero(4 * static_cast<Eigen::Index>(stats_) + 2 * units);
  return offset + static_cast<size_t>(norm_param_count(kind, units));
}

template <typename T>
void Norm<T>::reset_unit(T* params, T* state, int i) const {
  if (!active()) return;
  params[g_off + i] = T(1);
  params[beta_off + i] = T(0);
  if (kind == NormKind::Batch && state) {
    state[mean_off + i] = T(0);
    state[var_off + i] = T(1);
  }
}

template <typename T>
void Norm<T>::reset(T* params, T* state) const {
  for (int i = 0; i < units; ++i) reset_unit(params, state, i);
}

// Both kinds walk z sample by sample (j), unit by unit (i), position by position (p), the
// value of (j, i, p) belonging to statistic `stat` = i (batch: a unit over the batch and its
// positions) or j (layer: a sample over its units and positions), each summed in that order.

template <typename T>
void Norm<T>::forward(const T* params, NormPass<T> pass, Mat& z, int n) {
  const int P = positions;
  const bool per_sample = kind == NormKind::Layer;
  const Eigen::Index ld = z.outerStride(), ldx = xhat.outerStride();
  const int stats = per_sample ? n : units;
  double* mean = scratch_.data();
  double* inv_std = mean + stats_;
  double* sq = inv_std + stats_;
  const T* gamma = params + g_off;
  const T* beta = params + beta_off;
  training = pass.training;
  if (per_sample || training) {
    // The data's own statistics: mean, then the biased variance (two passes, in double).
    const double m = per_sample ? static_cast<double>(units) * P : static_cast<double>(n) * P;
    // A sample's values are its column's rows in order; a unit's, its P rows of every column.
    const int stretch = per_sample ? units * P : P;  // values in a row for one statistic
    const int runs = per_sample ? 1 : units;
    for (int s = 0; s < stats; ++s) mean[s] = sq[s] = 0;
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < runs; ++k) {
        const T* y = z.data() + j * ld + static_cast<Eigen::Index>(k) * stretch;
        const int s = per_sample ? j : k;
        double sum = mean[s];
        for (int p = 0; p < stretch; ++p) sum += y[p];
        mean[s] = sum;
      }
    for (int s = 0; s < stats; ++s) mean[s] /= m;
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < runs; ++k) {
        const T* y = z.data() + j * ld + static_cast<Eigen::Index>(k) * stretch;
        const int s = per_sample ? j : k;
        const double mu = mean[s];
        double sum = sq[s];
        for (int p = 0; p < stretch; ++p) {
          const double d = y[p] - mu;
          sum += d * d;
        }
        sq[s] = sum;
      }
    for (int s = 0; s < stats; ++s) inv_std[s] = 1.0 / std::sqrt(sq[s] / m + kNormEps);
    if (!per_sample) {
      // PyTorch's update (in double): momentum * batch + (1 - momentum) * running, with the
      // unbiased variance. One value per unit has none (PyTorch refuses it; so does Run).
      T* running_mean = pass.state + mean_off;
      T* running_var = pass.state + var_off;
      for (int i = 0; i < units; ++i) {
        const double unbiased = m > 1 ? sq[i] / (m - 1) : 0.0;
        running_mean[i] = static_cast<T>(kBatchNormMomentum * mean[i] + (1 - kBatchNormMomentum) * running_mean[i]);
        running_var[i] = static_cast<T>(kBatchNormMomentum * unbiased + (1 - kBatchNormMomentum) * running_var[i]);
      }
    }
  } else {
    // BatchNorm in eval mode: the running statistics.
    for (int i = 0; i < units; ++i) {
      mean[i] = pass.state[mean_off + i];
      inv_std[i] = 1.0 / std::sqrt(static_cast<double>(pass.state[var_off + i]) + kNormEps);
    }
  }
  // xhat = (y - mean) inv_std; z = gamma xhat + beta.
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < units; ++i) {
      T* y = z.data() + j * ld + static_cast<Eigen::Index>(i) * P;
      T* xh = xhat.data() + j * ldx + static_cast<Eigen::Index>(i) * P;
      const int s = per_sample ? j : i;
      const double mu = mean[s], is = inv_std[s];
      const T g = gamma[i], b = beta[i];
      for (int p = 0; p < P; ++p) {
        xh[p] = static_cast<T>((static_cast<double>(y[p]) - mu) * is);
        y[p] = g * xh[p] + b;
      }
    }
}

template <typename T>
void Norm<T>::backward(const T* params, T* grads, const Mat& dz, int n) {
  // With g = dL/dz, per statistic over its m values: dy = c (u g - mean(u g) - xhat mean(u g xhat)),
  //   batch: u = 1, c = gamma inv_std (training; eval: the means drop, the statistics being constants);
  //   layer: u = gamma, c = inv_std (the sample's);
  // and per unit dL/dbias = sum of g, dL/dweight = sum of g xhat (batch: the statistic's sums).
  const int P = positions;
  const bool per_sample = kind == NormKind::Layer, centred = per_sample || training;
  const Eigen::Index ld = dz.outerStride(), ldx = xhat.outerStride(), ldy = dy.outerStride();
  const int stats = per_sample ? n : units;
  const double* inv_std = scratch_.data() + stats_;
  double* dbias = scratch_.data() + 4 * static_cast<Eigen::Index>(stats_);
  double* dweight = dbias + units;
  // The statistics' sums: a sample's own (layer), or the unit's, which are dbias and dweight (batch).
  double* s1 = per_sample ? scratch_.data() + 2 * static_cast<Eigen::Index>(stats_) : dbias;
  double* s2 = per_sample ? s1 + stats_ : dweight;
  const T* gamma = params + g_off;
  const double m = per_sample ? static_cast<double>(units) * P : static_cast<double>(n) * P;
  for (int i = 0; i < units; ++i) dbias[i] = dweight[i] = 0;
  for (int j = 0; j < n; ++j) {
    double a = 0, b = 0;  // the sample's sums (layer)
    for (int i = 0; i < units; ++i) {
      const T* g = dz.data() + j * ld + static_cast<Eigen::Index>(i) * P;
      const T* xh = xhat.data() + j * ldx + static_cast<Eigen::Index>(i) * P;
      double sum = dbias[i], sum_x = dweight[i];
      if (per_sample) {
        const double u = gamma[i];
        for (int p = 0; p < P; ++p) {
          const double ug = static_cast<double>(g[p]) * u;
          sum += g[p];
          sum_x += static_cast<double>(g[p]) * xh[p];
          a += ug;
          b += ug * xh[p];
        }
      } else {
        for (int p = 0; p < P; ++p) {
          sum += g[p];
          sum_x += static_cast<double>(g[p]) * xh[p];
        }
      }
      dbias[i] = sum;
      dweight[i] = sum_x;
    }
    if (per_sample) s1[j] = a, s2[j] = b;
  }
  // The means of the statistics' sums (0 when the statistics are constants), as dy's terms: in
  // the forward's means, no longer needed, and over s1 (each read just before it is written).
  double* mean1 = scratch_.data();
  double* mean2 = scratch_.data() + 2 * static_cast<Eigen::Index>(stats_);
  for (int s = 0; s < stats; ++s) {
    const double a = centred ? s1[s] / m : 0.0, b = centred ? s2[s] / m : 0.0;
    mean1[s] = a;
    mean2[s] = b;
  }
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < units; ++i) {
      const T* g = dz.data() + j * ld + static_cast<Eigen::Index>(i) * P;
      const T* xh = xhat.data() + j * ldx + static_cast<Eigen::Index>(i) * P;
      T* out = dy.data() + j * ldy + static_cast<Eigen::Index>(i) * P;
      const int s = per_sample ? j : i;
      const double u = per_sample ? static_cast<double>(gamma[i]) : 1.0;
      const double c = per_sample ? inv_std[j] : gamma[i] * inv_std[i];
      const double a = mean1[s], b = mean2[s];
      for (int p = 0; p < P; ++p) out[p] = static_cast<T>(c * (static_cast<double>(g[p]) * u - a - xh[p] * b));
    }
  for (int i = 0; i < units; ++i) {
    grads[g_off + i] += static_cast<T>(dweight[i]);
    grads[beta_off + i] += static_cast<T>(dbias[i]);
  }
}

template struct Norm<float>;
template struct Norm<double>;

}  // namespace relu
