#include "remedies.h"

#include <algorithm>
#include <cmath>

namespace relu {

void Remedies::build(const Mlp<float>& model, uint64_t seed) {
  theta0_ = model.params;
  noise_rng_.reseed(derive_seed(seed, kStreamPerturb));
  const int hidden = model.num_hidden();
  age_.assign(hidden, {});
  util_.assign(hidden, {});
  decay_pow_.assign(hidden, {});
  activity_.assign(hidden, {});
  chosen_.assign(hidden, {});
  pending_.assign(hidden, 0.0);
  activity_cols_.assign(hidden, 0);
  int widest = 0;
  for (int l = 0; l < hidden; ++l) {
    const int w = model.layer(l).units();
    widest = std::max(widest, w);
    age_[l].assign(w, 0);
    util_[l].assign(w, 0.0);
    decay_pow_[l].assign(w, 1.0);
    activity_[l].assign(w, 0.0);
    chosen_[l].reserve(w);
  }
  candidates_.reserve(widest);
  corrected_.assign(widest, 0.0);
  replaced_total_ = 0;
  sync_frozen(model);
}

void Remedies::sync_frozen(const Mlp<float>& model) {
  movable_.assign(model.params.size(), 1);
  for (int l = 0; l < model.num_layers(); ++l) {
    const auto& L = model.layer(l);
    for (int i = 0; i < L.units(); ++i)
      if (L.frozen[i]) {
        for (int j = 0; j < L.fan_in; ++j) movable_[L.weight_index(i, j)] = 0;
        movable_[L.b_off + i] = 0;
        movable_[L.s_off + i] = 0;
      }
  }
}

void Remedies::add_l2_init(double lambda, const std::vector<float>& params, std::vector<float>& grads) const {
  const float lam = static_cast<float>(lambda);
  for (size_t k = 0; k < params.size(); ++k)
    if (movable_[k]) grads[k] += lam * (params[k] - theta0_[k]);
}

double Remedies::l2_init_penalty(double lambda, const std::vector<float>& params) const {
  double sum = 0;
  for (size_t k = 0; k < params.size(); ++k)
    if (movable_[k]) {
      const double d = static_cast<double>(params[k]) - theta0_[k];
      sum += d * d;
    }
  return 0.5 * lambda * sum;
}

void Remedies::shrink_perturb(double shrink, double sigma, std::vector<float>& params) {
  const float lam = static_cast<float>(shrink);
  const size_t n = params.size();
  if (sigma == 0) {
    // No noise, no draws: exactly params * shrink, rounded once.
    for (size_t k = 0; k < n; ++k)
      if (movable_[k]) params[k] *= lam;
    return;
  }
  for (size_t k = 0; k < n; ++k) {
    const float noise = static_cast<float>(sigma * noise_rng_.normal());
    if (movable_[k]) params[k] = lam * params[k] + noise;
  }
}

void Remedies::add_activity(const Mlp<float>& model, int n) {
  for (int l = 0; l < model.num_hidden(); ++l) {
    const auto& L = model.layer(l);
    const int pos = L.positions;
    double* sums = activity_[l].data();
    for (int j = 0; j < n; ++j) {
      const float* col = L.a.data() + static_cast<size_t>(j) * L.a.rows();
      for (int i = 0; i < L.units(); ++i) {
        float s = 0;
        for (int p = 0; p < pos; ++p) s += std::fabs(col[i * pos + p]);
        sums[i] += s;
      }
    }
    activity_cols_[l] += static_cast<int64_t>(n) * pos;
  }
}

void Remedies::restart_unit(int layer, int unit) {
  if (layer < 0 || layer >= static_cast<int>(age_.size()) || unit < 0 || unit >= static_cast<int>(age_[layer].size()))
    return;
  age_[layer][unit] = 0;
  util_[layer][unit] = 0.0;
  decay_pow_[layer][unit] = 1.0;
}

void Remedies::choose(const Mlp<float>& model, int l, double rate, int maturity, double decay) {
  const auto& L = model.layer(l);
  const int w = L.units();
  const double cols = static_cast<double>(activity_cols_[l]);
  const float* params = model.params.data();
  candidates_.clear();
  for (int i = 0; i < w; ++i) {
    ++age_[l][i];
    decay_pow_[l][i] *= decay;
    const double mean_h = cols > 0 ? activity_[l][i] / cols : 0.0;
    activity_[l][i] = 0.0;
    double out_sum = 0;
    int64_t out_count = 0;
    model.each_outgoing(l, i, [&](size_t k) {
      out_sum += std::fabs(params[k]);
      ++out_count;
    });
    const double mean_w = out_count ? out_sum / static_cast<double>(out_count) : 0.0;
    util_[l][i] = decay * util_[l][i] + (1.0 - decay) * mean_h * mean_w;
    if (age_[l][i] > maturity && !L.frozen[i]) candidates_.push_back(i);
  }
  activity_cols_[l] = 0;
  chosen_[l].clear();
  if (candidates_.empty()) return;
  // Fractional replacements carry over (Dohare's `accumulate`): a rate of 1e-4 over 100
  // eligible units replaces one unit every 100 steps, not one unit or none at random.
  pending_[l] += rate * static_cast<double>(candidates_.size());
  const int owed = static_cast<int>(std::floor(pending_[l]));
  pending_[l] -= owed;
  const int k = std::min<int>(owed, static_cast<int>(candidates_.size()));
  if (k <= 0) return;
  // Adam-style bias correction: a young unit's average has had less time to fill.
  for (int i : candidates_) corrected_[i] = util_[l][i] / (1.0 - decay_pow_[l][i]);
  // A strict total order (utility, then index) makes the choice the same in every build.
  std::partial_sort(candidates_.begin(), candidates_.begin() + k, candidates_.end(), [&](int a, int b) {
    return corrected_[a] < corrected_[b] || (corrected_[a] == corrected_[b] && a < b);
  });
  chosen_[l].assign(candidates_.begin(), candidates_.begin() + k);
  std::sort(chosen_[l].begin(), chosen_[l].end());
}

}  // namespace relu
