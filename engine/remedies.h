// Remedies for the loss of plasticity in continual learning, applied by Run::step around the
// optimiser's update. Each is off at its default and reads its setting from the run's config
// every step, so all of them can change during a run.
//
//   L2-init (Kumar et al. 2023, "Maintaining plasticity via regenerative regularization"):
//     the loss gains (l2_init / 2) ||theta - theta0||^2, so before the optimiser's step the
//     gradient gains l2_init (theta - theta0). theta0 is the parameter block as the run began
//     (or as imported weights set it). As a term of the loss it counts in clip_norm and in the
//     step's global gradient norm, not in the per-layer norms (the data gradient's).
//   Shrink & perturb (Ash & Adams 2020; Dohare et al. 2024): after the optimiser's step,
//     theta <- shrink theta + perturb eps, eps a standard normal per parameter from the run's
//     own stream (rng.h), drawn in parameter order.
//   Continual backprop (Dohare et al., Nature 2024, "Loss of plasticity in deep continual
//     learning"): every hidden unit (neuron or conv channel) keeps an age and a contribution
//     utility u <- decay u + (1 - decay) mean|h| mean|w_out|, where mean|h| is the unit's mean
//     absolute output over the step's batch (and positions) and mean|w_out| the mean magnitude
//     of its outgoing weights after the step (Dohare's code takes the mean; a sum ranks the
//     same, the layer's units all having as many). Units older than cbp_maturity steps are
//     eligible; each step a layer adds cbp_rate x (eligible units) to a running count and
//     replaces its whole part: the eligible units with the lowest bias-corrected utility
//     u / (1 - decay^age), ties to the lower index. A replaced unit goes through ReDo's seam
//     (Run::revive_unit: fresh incoming weights from the initialiser, zero bias and outgoing
//     weights, zero optimiser state) and starts again at age 0 and utility 0; ReDo's own
//     revivals restart a unit the same way. Not done: Dohare's transfer of the unit's mean
//     output into the next layer's bias (exact only for a dense successor).
//
// All of these apply to every parameter (weights, biases, PReLU slopes, as PyTorch's
// net.parameters()) except a frozen unit's own: frozen means the user holds them still.
// Nothing allocates in the step: buffers are sized when the run is built.
#pragma once
#include <cstdint>
#include <vector>

#include "mlp.h"
#include "rng.h"

namespace relu {

class Remedies {
 public:
  // Sizes everything for the model and keeps theta0 = its parameters now.
  void build(const Mlp<float>& model, uint64_t seed);
  // theta0 = these parameters (imported weights are a new start).
  void set_initial(const std::vector<float>& params) { theta0_ = params; }
  const std::vector<float>& initial() const { return theta0_; }
  // Which parameters the remedies may change: all but frozen units' incoming weights, bias
  // and slope. Call when a unit is frozen or unfrozen.
  void sync_frozen(const Mlp<float>& model);

  // grads += lambda (params - theta0) where not frozen.
  void add_l2_init(double lambda, const std::vector<float>& params, std::vector<float>& grads) const;
  // The penalty whose gradient that is, (lambda / 2) ||params - theta0||^2 (in double; tests).
  double l2_init_penalty(double lambda, const std::vector<float>& params) const;
  // params <- shrink params + sigma eps where not frozen (eps drawn for every parameter, so
  // freezing a unit does not shift the others' noise).
  void shrink_perturb(double shrink, double sigma, std::vector<float>& params);

  // Continual backprop. add_activity after each training forward over n columns; then, after
  // the optimiser's step, replace() updates ages and utilities and calls
  // replace_unit(layer, unit) for each unit it replaces (in order of layer, then index),
  // returning how many.
  void add_activity(const Mlp<float>& model, int n);
  template <typename F>
  int replace(const Mlp<float>& model, double rate, int maturity, double decay, F&& replace_unit);
  // A unit that starts again (replaced, or revived by ReDo): age 0, utility 0.
  void restart_unit(int layer, int unit);

  // Per hidden layer, per unit: age in steps and utility (for tests and the curious).
  const std::vector<std::vector<int64_t>>& ages() const { return age_; }
  const std::vector<std::vector<double>>& utilities() const { return util_; }
  int64_t replaced_total() const { return replaced_total_; }

 private:
  // Ages layer l's units a step, updates their utilities from the step's activity, and
  // chooses the units to replace into chosen_[l] (by index).
  void choose(const Mlp<float>& model, int l, double rate, int maturity, double decay);

  std::vector<float> theta0_;
  std::vector<uint8_t> movable_;  // 1 where the remedies may change a parameter
  Rng noise_rng_;
  std::vector<std::vector<int64_t>> age_;
  std::vector<std::vector<double>> util_, decay_pow_, activity_;  // decay_pow_: decay^age, by products
  std::vector<double> pending_;  // per layer: units owed, fractional
  std::vector<int64_t> activity_cols_;
  std::vector<int> candidates_;
  std::vector<std::vector<int>> chosen_;  // per layer, capacity its width
  std::vector<double> corrected_;
  int64_t replaced_total_ = 0;
};

template <typename F>
int Remedies::replace(const Mlp<float>& model, double rate, int maturity, double decay, F&& replace_unit) {
  // Every layer chooses before any unit is replaced, as in Dohare's code: a replacement in
  // layer l re-draws weights that are layer l-1's outgoing ones, and zeroes some of layer l's.
  for (int l = 0; l < model.num_hidden(); ++l) choose(model, l, rate, maturity, decay);
  int replaced = 0;
  for (int l = 0; l < model.num_hidden(); ++l)
    for (int i : chosen_[l]) {
      replace_unit(l, i);
      restart_unit(l, i);
      ++replaced;
    }
  replaced_total_ += replaced;
  return replaced;
}

}  // namespace relu
