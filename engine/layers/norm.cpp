#include "layers/norm.h"

#include <algorithm>
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
  // Batch: statistics per unit; layer: per sample.
  const Eigen::Index stats = kind == NormKind::Batch ? units : max_cols;
  mean_.setZero(stats);
  inv_std_.setZero(stats);
  sum_a_.setZero(units);
  sum_b_.setZero(units);
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

template <typename T>
void Norm<T>::forward(const T* params, NormPass<T> pass, Mat& z, int n) {
  const int P = positions;
  const Eigen::Index rows = z.rows(), ld = z.outerStride(), ldx = xhat.outerStride();
  const T* gamma = params + g_off;
  const T* beta = params + beta_off;
  training = pass.training;
  // xhat = (y - mean) / sqrt(var + eps); z = gamma xhat + beta, for unit i of sample j with
  // the statistics `stat` indexes (the unit's for batch, the sample's for layer).
  auto transform = [&](int j, const double* mean, const double* inv_std, bool per_unit) {
    T* zj = z.data() + j * ld;
    T* xj = xhat.data() + j * ldx;
    for (int i = 0; i < units; ++i) {
      const int s = per_unit ? i : 0;
      const double mu = mean[s], is = inv_std[s];
      const T g = gamma[i], b = beta[i];
      for (int p = 0; p < P; ++p) {
        const Eigen::Index r = static_cast<Eigen::Index>(i) * P + p;
        const T xh = static_cast<T>((static_cast<double>(zj[r]) - mu) * is);
        xj[r] = xh;
        zj[r] = g * xh + b;
      }
    }
  };
  if (kind == NormKind::Layer) {
    const double m = static_cast<double>(rows);
    for (int j = 0; j < n; ++j) {
      const T* zj = z.data() + j * ld;
      double sum = 0;
      for (Eigen::Index r = 0; r < rows; ++r) sum += zj[r];
      const double mu = sum / m;
      double sq = 0;
      for (Eigen::Index r = 0; r < rows; ++r) {
        const double d = zj[r] - mu;
        sq += d * d;
      }
      mean_[j] = mu;
      inv_std_[j] = 1.0 / std::sqrt(sq / m + kNormEps);
      transform(j, mean_.data() + j, inv_std_.data() + j, false);
    }
    return;
  }
  // Batch.
  T* running_mean = pass.state + mean_off;
  T* running_var = pass.state + var_off;
  if (pass.training) {
    const double m = static_cast<double>(n) * P;
    sum_a_.setZero();
    for (int j = 0; j < n; ++j) {
      const T* zj = z.data() + j * ld;
      for (int i = 0; i < units; ++i)
        for (int p = 0; p < P; ++p) sum_a_[i] += zj[static_cast<Eigen::Index>(i) * P + p];
    }
    for (int i = 0; i < units; ++i) mean_[i] = sum_a_[i] / m;
    sum_b_.setZero();
    for (int j = 0; j < n; ++j) {
      const T* zj = z.data() + j * ld;
      for (int i = 0; i < units; ++i)
        for (int p = 0; p < P; ++p) {
          const double d = zj[static_cast<Eigen::Index>(i) * P + p] - mean_[i];
          sum_b_[i] += d * d;
        }
    }
    for (int i = 0; i < units; ++i) {
      inv_std_[i] = 1.0 / std::sqrt(sum_b_[i] / m + kNormEps);
      // As PyTorch's update (in double): momentum * batch + (1 - momentum) * running, with
      // the unbiased variance. One value per unit has none (PyTorch refuses it; Run does).
      const double unbiased = m > 1 ? sum_b_[i] / (m - 1) : 0.0;
      running_mean[i] = static_cast<T>(kBatchNormMomentum * mean_[i] + (1 - kBatchNormMomentum) * running_mean[i]);
      running_var[i] = static_cast<T>(kBatchNormMomentum * unbiased + (1 - kBatchNormMomentum) * running_var[i]);
    }
  } else {
    for (int i = 0; i < units; ++i) {
      mean_[i] = running_mean[i];
      inv_std_[i] = 1.0 / std::sqrt(static_cast<double>(running_var[i]) + kNormEps);
    }
  }
  for (int j = 0; j < n; ++j) transform(j, mean_.data(), inv_std_.data(), true);
}

template <typename T>
void Norm<T>::backward(const T* params, T* grads, const Mat& dz, int n) {
  const int P = positions;
  const Eigen::Index rows = dz.rows(), ld = dz.outerStride(), ldx = xhat.outerStride(), ldy = dy.outerStride();
  const T* gamma = params + g_off;
  // Per unit: sum_a = sum of dL/dz (the bias's gradient), sum_b = sum of dL/dz xhat (the weight's).
  sum_a_.setZero();
  sum_b_.setZero();
  for (int j = 0; j < n; ++j) {
    const T* gj = dz.data() + j * ld;
    const T* xj = xhat.data() + j * ldx;
    for (int i = 0; i < units; ++i)
      for (int p = 0; p < P; ++p) {
        const Eigen::Index r = static_cast<Eigen::Index>(i) * P + p;
        sum_a_[i] += gj[r];
        sum_b_[i] += static_cast<double>(gj[r]) * xj[r];
      }
  }
  for (int j = 0; j < n; ++j) {
    const T* gj = dz.data() + j * ld;
    const T* xj = xhat.data() + j * ldx;
    T* yj = dy.data() + j * ldy;
    if (kind == NormKind::Layer) {
      // The sample's statistics: dy = inv_std (g' - mean(g') - xhat mean(g' xhat)), g' = gamma dL/dz.
      double s1 = 0, s2 = 0;
      for (int i = 0; i < units; ++i)
        for (int p = 0; p < P; ++p) {
          const Eigen::Index r = static_cast<Eigen::Index>(i) * P + p;
          const double gx = static_cast<double>(gj[r]) * gamma[i];
          s1 += gx;
          s2 += gx * xj[r];
        }
      const double m = static_cast<double>(rows), is = inv_std_[j], a = s1 / m, b = s2 / m;
      for (int i = 0; i < units; ++i)
        for (int p = 0; p < P; ++p) {
          const Eigen::Index r = static_cast<Eigen::Index>(i) * P + p;
          yj[r] = static_cast<T>(is * (static_cast<double>(gj[r]) * gamma[i] - a - xj[r] * b));
        }
      continue;
    }
    // Batch: training, the batch's statistics: dy = gamma inv_std (g - mean(g) - xhat mean(g xhat))
    // per unit over the batch; eval, constants: dy = gamma inv_std g.
    const double m = static_cast<double>(n) * P;
    for (int i = 0; i < units; ++i) {
      const double c = gamma[i] * inv_std_[i];
      const double a = training ? sum_a_[i] / m : 0.0, b = training ? sum_b_[i] / m : 0.0;
      for (int p = 0; p < P; ++p) {
        const Eigen::Index r = static_cast<Eigen::Index>(i) * P + p;
        yj[r] = static_cast<T>(c * (static_cast<double>(gj[r]) - a - xj[r] * b));
      }
    }
  }
  T* dgamma = grads + g_off;
  T* dbeta = grads + beta_off;
  for (int i = 0; i < units; ++i) {
    dgamma[i] += static_cast<T>(sum_b_[i]);
    dbeta[i] += static_cast<T>(sum_a_[i]);
  }
}

template struct Norm<float>;
template struct Norm<double>;

}  // namespace relu
