#include "monitor.h"

#include "chunks.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace relu {

const char* state_name(NeuronState s) {
  switch (s) {
    case NeuronState::Dead: return "dead";
    case NeuronState::Saturated: return "saturated";
    case NeuronState::AlwaysOn: return "always_on";
    case NeuronState::MostlySilent: return "mostly_silent";
    case NeuronState::Healthy: return "healthy";
  }
  return "?";
}

DeadDefinition dead_definition_from_string(const std::string& text) {
  DeadDefinition d;
  auto number_after = [&](size_t prefix, double& out) {
    const std::string rest = text.substr(prefix);
    char* end = nullptr;
    out = std::strtod(rest.c_str(), &end);
    return !rest.empty() && *end == '\0' && std::isfinite(out);
  };
  double v = 0;
  if (text == "full") return d;
  if (text == "batch") {
    d.set = EvalSet::Batch;
    return d;
  }
  if (text.rfind("probe:", 0) == 0) {
    if (!number_after(6, v) || v < 1 || v > kMaxProbe || v != std::floor(v))
      throw std::invalid_argument("dead_def \"" + text + "\": probe:B needs a whole number B in 1.." +
                                  std::to_string(kMaxProbe));
    d.set = EvalSet::Probe;
    d.probe_size = static_cast<int>(v);
    return d;
  }
  if (text.rfind("dormant:", 0) == 0) {
    if (!number_after(8, v) || v < 0 || v > 1)
      throw std::invalid_argument("dead_def \"" + text + "\": dormant:TAU needs TAU in [0, 1]");
    d.criterion = DeadCriterion::Dormant;
    d.tau = v;
    return d;
  }
  throw std::invalid_argument("dead_def \"" + text + "\" is not one of full, probe:B, batch, dormant:TAU");
}

std::string dead_definition_to_string(const DeadDefinition& d) {
  if (d.criterion == DeadCriterion::Dormant) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "dormant:%.17g", d.tau);
    return buf;
  }
  switch (d.set) {
    case EvalSet::Full: return "full";
    case EvalSet::Batch: return "batch";
    case EvalSet::Probe: return "probe:" + std::to_string(d.probe_size);
  }
  return "full";
}

void build_histogram(const float* values, size_t n, int bins, std::vector<float>& sort_buf, Histogram& out) {
  out.counts.assign(bins, 0.0f);
  out.samples = static_cast<int>(n);
  if (n == 0) {
    out.lo = out.hi = 0;
    out.percentiles.fill(0);
    return;
  }
  float lo = values[0], hi = values[0];
  for (size_t i = 1; i < n; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  // A constant layer (a dead one: all zeros) still gets a visible bin around its value.
  if (!(hi - lo > 1e-12f * std::max(1.0f, std::fabs(hi)))) {
    lo -= 0.5f;
    hi += 0.5f;
  }
  out.lo = lo;
  out.hi = hi;
  const float scale = bins / (hi - lo);
  for (size_t i = 0; i < n; ++i) {
    int b = static_cast<int>((values[i] - lo) * scale);
    out.counts[std::min(std::max(b, 0), bins - 1)] += 1.0f;
  }
  // Percentiles by successive nth_element: each one partitions the rest.
  sort_buf.assign(values, values + n);
  size_t from = 0;
  for (int k = 0; k < kNumPercentiles; ++k) {
    const size_t idx = static_cast<size_t>(std::llround(kPercentiles[k] / 100.0 * (n - 1)));
    std::nth_element(sort_buf.begin() + from, sort_buf.begin() + idx, sort_buf.end());
    out.percentiles[k] = sort_buf[idx];
    from = idx;
  }
}

void Monitor::ensure_shape(const Mlp<float>& model) {
  const int hidden = model.num_hidden();
  bool same = static_cast<int>(report_.layers.size()) == hidden;
  for (int l = 0; same && l < hidden; ++l)
    same = report_.layers[l].width == model.layer(l).units() && report_.layers[l].positions == model.layer(l).positions;
  if (same) return;
  report_.layers.assign(hidden, LayerReport{});
  pos_count_.assign(hidden, {});
  sat_count_.assign(hidden, {});
  input_count_.assign(hidden, {});
  abs_sum_.assign(hidden, {});
  pre_vals_.assign(hidden, {});
  act_vals_.assign(hidden, {});
  prev_dead_.assign(hidden, {});
  has_prev_ = false;
  for (int l = 0; l < hidden; ++l) {
    const int w = model.layer(l).units();
    LayerReport& r = report_.layers[l];
    r.width = w;
    r.positions = model.layer(l).positions;
    r.state.assign(w, 0);
    for (auto* v : {&r.active_fraction, &r.input_fraction, &r.saturated_fraction, &r.mean_abs, &r.dormancy, &r.grad_abs, &r.weight_norm,
                    &r.bias, &r.slope})
      v->assign(w, 0.0f);
    r.died_at.assign(w, -1);
    pos_count_[l].setZero(w);
    sat_count_[l].setZero(w);
    input_count_[l].setZero(w);
    abs_sum_[l].setZero(w);
    prev_dead_[l].assign(w, 0);
  }
}

void Monitor::clear_history() {
  events_.clear();
  events_total_ = 0;
  has_prev_ = false;
  for (auto& r : report_.layers) std::fill(r.died_at.begin(), r.died_at.end(), -1);
}

void Monitor::sync_settings(const Mlp<float>& model) {
  const int hidden = std::min<int>(model.num_hidden(), static_cast<int>(report_.layers.size()));
  for (int l = 0; l < hidden; ++l) {
    const auto& L = model.layer(l);
    report_.layers[l].activation = activation_name(L.act.kind);
    report_.layers[l].frozen = L.frozen;
    report_.layers[l].ablated = L.ablated;
  }
}

void Monitor::mark_revived(int layer, int neuron, int64_t step) {
  if (layer < 0 || layer >= static_cast<int>(prev_dead_.size())) return;
  if (neuron < 0 || neuron >= static_cast<int>(prev_dead_[layer].size())) return;
  if (prev_dead_[layer][neuron]) {
    prev_dead_[layer][neuron] = 0;
    report_.layers[layer].died_at[neuron] = -1;
    if (static_cast<int>(events_.size()) >= options_.max_events) events_.erase(events_.begin());
    events_.push_back({step, layer, neuron, 1});
    ++events_total_;
  }
}

void Monitor::mark_replaced(int layer, int neuron, int64_t step) {
  if (layer < 0 || layer >= static_cast<int>(prev_dead_.size())) return;
  if (neuron < 0 || neuron >= static_cast<int>(prev_dead_[layer].size())) return;
  prev_dead_[layer][neuron] = 0;
  report_.layers[layer].died_at[neuron] = -1;
  if (static_cast<int>(events_.size()) >= options_.max_events) events_.erase(events_.begin());
  events_.push_back({step, layer, neuron, 2});
  ++events_total_;
}

void Monitor::evaluate(Mlp<float>& model, const Eigen::Ref<const Eigen::MatrixXf>& x, int64_t step,
                       bool with_histograms, ChunkHook on_chunk, void* ctx) {
  ensure_shape(model);
  const int hidden = model.num_hidden();
  const int n = static_cast<int>(x.cols());
  const int chunk = model.max_cols();
  const int hist_cols = with_histograms ? std::min(n, options_.hist_samples) : 0;
  for (int l = 0; l < hidden; ++l) {
    pos_count_[l].setZero();
    sat_count_[l].setZero();
    input_count_[l].setZero();
    abs_sum_[l].setZero();
    pre_vals_[l].resize(static_cast<size_t>(hist_cols) * model.layer(l).z.rows());
    act_vals_[l].resize(pre_vals_[l].size());
  }
  sat_lo_.resize(hidden);
  sat_hi_.resize(hidden);
  for (int l = 0; l < hidden; ++l) saturation_bounds(model.layer(l).act.kind, sat_lo_[l], sat_hi_[l]);
  const double* lo = sat_lo_.data();
  const double* hi = sat_hi_.data();

  for_each_chunk(n, chunk, [&](int c, int m) {
    model.forward(x.middleCols(c, m), m, false);
    if (on_chunk) on_chunk(ctx, c, m);
    for (int l = 0; l < hidden; ++l) {
      const auto& L = model.layer(l);
      const int w = L.units(), P = L.positions;
      double* pos = pos_count_[l].data();
      double* sat = sat_count_[l].data();
      double* abs = abs_sum_[l].data();
      double* inputs = input_count_[l].data();
      const bool check_sat = !is_rectifier(L.act.kind) && (std::isfinite(lo[l]) || std::isfinite(hi[l]));
      for (int j = 0; j < m; ++j) {
        const float* zc = L.z.col(j).data();
        const float* ac = L.a.col(j).data();
        if (P == 1) {
          for (int i = 0; i < w; ++i) {
            pos[i] += zc[i] > 0.0f;
            abs[i] += std::fabs(ac[i]);
            if (check_sat) sat[i] += (zc[i] < lo[l]) | (zc[i] > hi[l]);
          }
          continue;
        }
        // A channel: its P rows are its feature map on this input.
        for (int i = 0; i < w; ++i) {
          const float* zi = zc + static_cast<size_t>(i) * P;
          const float* ai = ac + static_cast<size_t>(i) * P;
          int on = 0;
          double mag = 0, out_of_range = 0;
          for (int p = 0; p < P; ++p) {
            on += zi[p] > 0.0f;
            mag += std::fabs(ai[p]);
            if (check_sat) out_of_range += (zi[p] < lo[l]) | (zi[p] > hi[l]);
          }
          pos[i] += on;
          abs[i] += mag;
          sat[i] += out_of_range;
          inputs[i] += on > 0;
        }
      }
      if (c < hist_cols) {
        const int take = std::min(m, hist_cols - c);
        const size_t rows = static_cast<size_t>(L.z.rows());
        std::copy(L.z.data(), L.z.data() + take * rows, pre_vals_[l].data() + c * rows);
        std::copy(L.a.data(), L.a.data() + take * rows, act_vals_[l].data() + c * rows);
      }
    }
  });

  report_.step = step;
  report_.eval_samples = n;
  report_.layer_collapsed = false;
  const int bins = options_.hist_bins;
  for (int l = 0; l < hidden; ++l) {
    const auto& L = model.layer(l);
    LayerReport& r = report_.layers[l];
    const int w = L.units();
    // A unit's samples: one per input for a neuron, one per (input, position) for a channel.
    const double pairs = static_cast<double>(n) * L.positions;
    r.activation = activation_name(L.act.kind);
    r.counts.fill(0);
    double layer_mean = 0;
    for (int i = 0; i < w; ++i) layer_mean += abs_sum_[l][i] / std::max(pairs, 1.0);
    layer_mean /= w;
    int no_positive = 0;
    r.frozen = L.frozen;
    r.ablated = L.ablated;
    const float* params = model.params.data();
    const auto b = model.b(l);
    const auto s = model.s(l);
    for (int i = 0; i < w; ++i) {
      const double active = n ? pos_count_[l][i] / pairs : 0.0;
      const double mean_abs = n ? abs_sum_[l][i] / pairs : 0.0;
      const double slope = L.act.kind == Activation::Prelu ? s(i)
                           : L.act.kind == Activation::LeakyRelu ? L.act.leaky_slope
                                                                  : 0.0;
      r.active_fraction[i] = static_cast<float>(active);
      r.input_fraction[i] = static_cast<float>(L.positions == 1 ? active : n ? input_count_[l][i] / n : 0.0);
      r.saturated_fraction[i] = static_cast<float>(n ? sat_count_[l][i] / pairs : 0.0);
      r.mean_abs[i] = static_cast<float>(mean_abs);
      r.dormancy[i] = static_cast<float>(layer_mean > 0 ? mean_abs / layer_mean : 0.0);
      // dz carries the mean's 1/B, so the plain sum is the mean over the step's
      // samples of each sample's |dl/dz|: a figure that does not shrink with the batch.
      r.grad_abs[i] = L.grad_abs_sum(i);
      r.weight_norm[i] = L.incoming(params, i).norm();
      r.bias[i] = b(i);
      r.slope[i] = static_cast<float>(slope);
      if (pos_count_[l][i] == 0) ++no_positive;

      bool dead;
      if (options_.dead.criterion == DeadCriterion::Dormant)
        dead = r.dormancy[i] <= options_.dead.tau;
      else
        dead = has_flat_negative_side(L.act.kind, slope) && pos_count_[l][i] == 0;
      NeuronState st;
      if (dead)
        st = NeuronState::Dead;
      else if (!is_rectifier(L.act.kind) && r.saturated_fraction[i] > kSaturatedUnitShare)
        st = NeuronState::Saturated;
      else if (n > 0 && pos_count_[l][i] == pairs)
        st = NeuronState::AlwaysOn;
      else if (active < options_.silent_threshold)
        st = NeuronState::MostlySilent;
      else
        st = NeuronState::Healthy;
      r.state[i] = static_cast<uint8_t>(st);
      ++r.counts[static_cast<int>(st)];

      const uint8_t was_dead = has_prev_ ? prev_dead_[l][i] : 0;
      if (dead != static_cast<bool>(was_dead)) {
        if (static_cast<int>(events_.size()) >= options_.max_events) events_.erase(events_.begin());
        events_.push_back({step, l, i, static_cast<uint8_t>(dead ? 0 : 1)});
        ++events_total_;
        r.died_at[i] = dead ? static_cast<int32_t>(step) : -1;
      }
      prev_dead_[l][i] = dead;
    }
    r.dead_fraction = static_cast<float>(r.counts[0]) / w;
    r.silent_fraction = static_cast<float>(r.counts[static_cast<int>(NeuronState::MostlySilent)]) / w;
    r.no_positive_fraction = static_cast<float>(no_positive) / w;
    r.grad_norm = static_cast<float>(model.weight_grad_norms[l]);
    if (r.counts[0] == w) report_.layer_collapsed = true;

    if (!with_histograms) continue;
    build_histogram(pre_vals_[l].data(), pre_vals_[l].size(), bins, sort_buf_, r.pre);
    build_histogram(act_vals_[l].data(), act_vals_[l].size(), bins, sort_buf_, r.act);
    const int gc = std::min(model.last_backward_cols(), model.max_cols());
    build_histogram(L.dz.data(), static_cast<size_t>(gc) * L.z.rows(), bins, sort_buf_, r.grad);
  }
  has_prev_ = true;
}

}  // namespace relu
