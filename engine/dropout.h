// Dropout after a hidden layer's activation: the one rule, for forward and backward.
//
//   standard (inverted) dropout: each unit is kept with probability 1 - p and scaled by
//            1 / (1 - p), so the expected activation is unchanged; dropped units give 0.
//   alpha    SELU's AlphaDropout (Klambauer et al. 2017): dropped units take
//            alpha' = -lambda * alpha, then a * x + b restores mean 0 and variance 1.
// keep (units, n) records each entry's multiplier (0 for dropped): backward multiplies
// dL/da by it, since d(a * keep + shift)/da = keep for both kinds.
// At most one kind is on: a run's config gives dropout or alpha_dropout (validate_config).
#pragma once
#include <Eigen/Core>
#include <cmath>
#include <stdexcept>

#include "activation.h"
#include "rng.h"

namespace relu {

enum class DropoutKind { None, Standard, Alpha };

template <typename T>
struct Dropout {
  DropoutKind kind = DropoutKind::None;
  T p = 0;
  T keep_scale = 1, shift = 0, dropped = 0;  // kept: keep_scale * a + shift; dropped: `dropped`

  // The config's two keys: alpha_dropout wins when non-zero, else standard dropout.
  static Dropout from_rates(double dropout, double alpha_dropout) {
    return alpha_dropout > 0 ? Dropout(DropoutKind::Alpha, static_cast<T>(alpha_dropout))
                             : Dropout(DropoutKind::Standard, static_cast<T>(dropout));
  }

  Dropout() = default;
  Dropout(DropoutKind k, T rate) : p(rate) {
    if (!(rate >= T(0) && rate < T(1))) throw std::invalid_argument("dropout rate must be in [0, 1)");
    kind = rate == T(0) ? DropoutKind::None : k;
    if (kind == DropoutKind::Standard) {
      keep_scale = T(1) / (T(1) - p);
    } else if (kind == DropoutKind::Alpha) {
      const double q = rate, alpha_p = -kSeluLambda * kSeluAlpha;
      const double a = 1.0 / std::sqrt((1.0 - q) * (1.0 + q * alpha_p * alpha_p));
      const double b = -a * alpha_p * q;
      keep_scale = static_cast<T>(a);
      shift = static_cast<T>(b);
      dropped = static_cast<T>(a * alpha_p + b);
    }
  }

  bool active() const { return kind != DropoutKind::None; }

  // a (units, n) in place; keep (units, n) receives the multipliers. One uniform draw per
  // entry, column by column (the order is part of the run's reproducibility).
  template <typename A, typename K>
  void forward(A&& a, K&& keep, Rng& rng) const {
    const int units = static_cast<int>(a.rows()), n = static_cast<int>(a.cols());
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < units; ++i) {
        const bool kept = rng.uniform() >= static_cast<double>(p);
        keep(i, j) = kept ? keep_scale : T(0);
        if (kind == DropoutKind::Standard)
          a(i, j) *= keep(i, j);
        else
          a(i, j) = kept ? keep_scale * a(i, j) + shift : dropped;
      }
  }

  // dL/da (units, n) in place: times the forward's multipliers.
  template <typename D, typename K>
  static void backward(D&& da, const K& keep) {
    da.array() *= keep.array();
  }
};

}  // namespace relu
