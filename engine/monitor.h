// The neuron monitor: per-neuron statistics and states over an evaluation set.
//
// Definitions (the only place they are made):
//   active on an input  : the unit's pre-activation z > 0 on that input. z is the activation's
//                         input: after the layer's norm when it has one (layers/norm.h), and
//                         every evaluation is in eval mode (BatchNorm's running statistics,
//                         as PyTorch's model.eval()); a conv channel's z is every position's.
//   dead                : under the default criterion, a rectifier unit (relu; leaky/prelu
//                         with slope exactly 0) that is active on no input of the
//                         evaluation set. Its gradient is then 0 on every input, so
//                         gradient descent cannot change its incoming weights.
//                         Under the dormant:TAU criterion instead, any unit whose ReDo
//                         dormancy score is <= TAU.
//   dormancy score      : s_i = mean|a_i| / ((1/H) sum_k mean|a_k|) over the layer (ReDo,
//                         Sokar et al. 2023); 0 when the layer is entirely silent.
//   saturated input     : (non-rectifiers) the local derivative is below 1% of the peak,
//                         see saturation_bounds() in activation.h.
//   saturated unit      : saturated on more than 90% of the evaluation inputs.
//   always on           : active on every input (a rectifier acting linearly).
//   mostly silent       : active on fewer than silent_threshold (default 5%) of the inputs.
//   healthy             : everything else.
// States are assigned in that priority: dead, saturated, always on, mostly silent, healthy.
// Layer born dead       : every unit of some hidden layer is dead at step 0, so the
//                         network's output is constant.
#pragma once
#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mlp.h"

namespace relu {

enum class NeuronState : uint8_t { Dead = 0, Saturated = 1, AlwaysOn = 2, MostlySilent = 3, Healthy = 4 };
constexpr int kNumStates = 5;
const char* state_name(NeuronState s);

enum class EvalSet { Full, Probe, Batch };
enum class DeadCriterion { Inactive, Dormant };

struct DeadDefinition {
  EvalSet set = EvalSet::Full;
  int probe_size = 256;  // B for probe:B
  DeadCriterion criterion = DeadCriterion::Inactive;
  double tau = 0.0;      // for dormant:TAU
};
// "full", "probe:B", "batch", "dormant:TAU" (dormant evaluates over the full set).
DeadDefinition dead_definition_from_string(const std::string& text);  // throws std::invalid_argument
std::string dead_definition_to_string(const DeadDefinition& d);

constexpr double kSaturatedUnitShare = 0.9;
constexpr int kMaxProbe = 100000;
constexpr int kNumPercentiles = 9;
// TensorBoard's compressed-histogram basis points, as percentages.
constexpr std::array<double, kNumPercentiles> kPercentiles = {0, 7, 16, 31, 50, 69, 84, 93, 100};

struct Histogram {
  float lo = 0, hi = 0;                 // automatic range: min and max of the values
  std::vector<float> counts;            // bins, each (hi - lo) / bins wide
  std::array<float, kNumPercentiles> percentiles{};
  int samples = 0;                      // values histogrammed
};

struct LayerReport {
  int width = 0;
  std::string activation;
  std::vector<uint8_t> state;           // NeuronState
  int positions = 1;                    // rows of z per unit: 1 for a neuron, a conv channel's ho wo
  std::vector<float> active_fraction;   // share of (input, position) pairs with z > 0
  std::vector<float> input_fraction;    // share of inputs with z > 0 at some position (dense: = active)
  std::vector<float> saturated_fraction;
  std::vector<float> mean_abs;          // mean |a|
  std::vector<float> dormancy;          // ReDo score
  std::vector<float> grad_abs;          // mean over the last step's samples of |dl/dz| (per-sample loss)
  std::vector<float> weight_norm;       // L2 norm of the incoming weight row
  std::vector<float> bias;
  std::vector<float> slope;             // prelu slope (leaky: the fixed slope; else 0)
  std::vector<int32_t> died_at;         // step at which the unit last died, -1 if alive
  std::vector<uint8_t> frozen, ablated;
  std::array<int, kNumStates> counts{};
  float dead_fraction = 0, silent_fraction = 0;
  float no_positive_fraction = 0;       // share of units active on no input, whatever the activation
  float grad_norm = 0;                  // L2 norm of this layer's weight gradient at the last step
  Histogram pre, act, grad;
};

struct NeuronEvent {
  int64_t step;
  int32_t layer, neuron;
  uint8_t kind;  // 0 = died, 1 = revived, 2 = replaced (continual backprop)
};

struct MonitorReport {
  int64_t step = -1;
  int eval_samples = 0;
  std::vector<LayerReport> layers;  // hidden layers only
  bool layer_collapsed = false;     // some hidden layer is entirely dead now
};

struct MonitorOptions {
  DeadDefinition dead;
  double silent_threshold = 0.05;
  int hist_bins = 30;
  int hist_samples = 512;     // columns of the evaluation set that feed the pre/act histograms
  int max_events = 4096;      // the oldest are dropped
};

// Runs the model in evaluation mode over x (features, n) in chunks and fills
// the report. Allocates only when the network's shape changes.
class Monitor {
 public:
  explicit Monitor(const MonitorOptions& options) : options_(options) { events_.reserve(options.max_events); }
  MonitorOptions& options() { return options_; }
  // with_histograms: also build the three histograms per layer (the costly part:
  // percentiles need partial sorts). Training's own cadence checks skip them.
  // on_chunk(ctx, c, m), when given, runs after the forward over columns c .. c+m, while the
  // model's layers hold that chunk's outputs (Run reads the training loss there).
  using ChunkHook = void (*)(void* ctx, int c, int m);
  void evaluate(Mlp<float>& model, const Eigen::Ref<const Eigen::MatrixXf>& x, int64_t step,
                bool with_histograms = true, ChunkHook on_chunk = nullptr, void* ctx = nullptr);
  const MonitorReport& report() const { return report_; }
  const std::vector<NeuronEvent>& events() const { return events_; }
  int64_t events_total() const { return events_total_; }  // including dropped ones
  void clear_history();                                    // events and died_at
  // Copies the model's settings that the report shows (activation, frozen, ablated) into
  // it without evaluating: they are settings, not measurements, so reads see a change at
  // once. No events are stamped.
  void sync_settings(const Mlp<float>& model);
  // Forget the previous state of one neuron (after revive), so no spurious event is emitted.
  void mark_revived(int layer, int neuron, int64_t step);
  // Continual backprop replaced the unit: a "replaced" event at step, and its previous state
  // forgotten (a new unit; the next evaluation stamps its death if it is born dead).
  void mark_replaced(int layer, int neuron, int64_t step);

 private:
  void ensure_shape(const Mlp<float>& model);
  MonitorOptions options_;
  MonitorReport report_;
  std::vector<NeuronEvent> events_;
  int64_t events_total_ = 0;
  std::vector<std::vector<uint8_t>> prev_dead_;
  bool has_prev_ = false;
  // scratch
  std::vector<Eigen::VectorXd> pos_count_, sat_count_, abs_sum_, input_count_;
  std::vector<std::vector<float>> pre_vals_, act_vals_, grad_vals_;
  std::vector<float> sort_buf_;
  std::vector<double> sat_lo_, sat_hi_;
};

void build_histogram(const float* values, size_t n, int bins, std::vector<float>& sort_buf, Histogram& out);

}  // namespace relu
