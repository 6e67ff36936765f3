// A training run: data, model, optimiser and monitor, driven step by step.
// This is the engine's public face: the CLI, the wasm binding and the tests use it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "dataset.h"
#include "mlp.h"
#include "monitor.h"
#include "optimizer.h"
#include "remedies.h"

namespace relu {

struct Evaluation {
  double train_loss = 0, test_loss = 0;  // test_loss is NaN when there is no test split
  double train_accuracy = -1, test_accuracy = -1;  // -1 for regression
};

class Run {
 public:
  explicit Run(const RunConfig& cfg);     // validates, builds the dataset from cfg.data
  Run(const RunConfig& cfg, Dataset data);

  const RunConfig& config() const { return cfg_; }
  const Dataset& data() const { return data_; }
  Mlp<float>& model() { return *model_; }
  const Mlp<float>& model() const { return *model_; }
  Loss loss() const { return model_->loss(); }

  // n training steps. Stops at the step where the loss, the gradient or a parameter
  // stops being finite: diverged() and divergence() then say so and where; rollback()
  // returns to the last finite state.
  void step(int64_t n = 1);
  int64_t steps_done() const { return step_; }
  double last_batch_loss() const { return last_batch_loss_; }
  bool diverged() const { return diverged_; }
  struct Divergence {
    int64_t step = -1;  // the step whose update produced the first non-finite number
    std::string what;   // "loss", "gradient" or "parameters"
    int layer = -1;     // first layer (0-based, hidden layers first, then the output) holding one; -1 for the loss
  };
  const Divergence& divergence() const { return divergence_; }
  // Restores parameters (and BatchNorm's running statistics), optimiser state and step count
  // from the last checkpoint, taken at every monitor evaluation while everything was finite
  // (one copy of the parameter block and the optimiser's moments: cheap). Returns the step restored.
  int64_t rollback();
  int64_t checkpoint_step() const { return checkpoint_step_; }
  // Global gradient norm of the last step, and per layer (weights only).
  double last_grad_norm() const { return last_grad_norm_; }

  // The whole train and test sets, eval mode. The training set's half comes from the
  // monitor's last pass over it when nothing has changed since (evaluation_reuses_monitor()),
  // the same numbers to the bit: the forward is the same, chunk by chunk.
  Evaluation evaluate();
  // True when evaluate() would take the training loss and accuracy from the monitor's last
  // pass (the default `full` evaluation set, evaluated at the current weights and settings):
  // a read then costs the test set alone. The page reads at such steps when reads are costly.
  bool evaluation_reuses_monitor() const { return train_cache_.changes == changes_; }
  // The monitor's last report, as training's cadence left it (see step()): a pure read.
  // Between cadence points it shows the last evaluation; report().step says which step.
  // This is what the page's snapshots, the CLI's log rows and sweep metrics show.
  const MonitorReport& report() const { return monitor_->report(); }
  // Evaluates the monitor now: an action, not a read. It stamps death and revival events
  // at the current step, so the event list then depends on when it was called. Used after
  // interventions (revive, rollback, imported weights) and by tests that edit weights.
  const MonitorReport& monitor();
  const Monitor& monitor_state() const { return *monitor_; }
  // The continual-learning remedies' state (remedies.h): theta0, units' ages and utilities.
  const Remedies& remedies() const { return remedies_; }
  // Units continual backprop replaced in the last step, and since the run began.
  int last_replaced() const { return last_replaced_; }
  const Optimizer<float>& optimizer() const { return *opt_; }  // its moments, for tests
  // The cadence in steps: monitor_every, or when that is 0, max(10, n_eval / (0.3 * batch)),
  // since one evaluation costs about n_eval forward passes and a step about 3 * batch.
  int monitor_interval() const;
  bool born_dead() const { return born_dead_; }

  // Live change of one key: the key table (config.cpp) says whether it is live and which
  // on-change hook applies it (LiveHooks). "activation" keeps the weights.
  void set(const std::string& key, const std::string& json_value);

  // ReDo revive: dead units (and tau-dormant ones when revive_tau > 0) get fresh
  // incoming weights from the layer's initialiser, zero bias and zero outgoing
  // weights, and their optimiser state is zeroed. Returns how many were revived.
  int revive();
  void revive_neuron(int layer, int neuron);
  void set_frozen(int layer, int neuron, bool frozen);
  void set_ablated(int layer, int neuron, bool ablated);

  // Weights as JSON: {"layers":[{"weight":[[...]],"bias":[...],"activation":"relu"},...]}
  std::string export_weights() const;
  void import_weights(const std::string& json);  // shapes must match; throws with a message

  // Network output for n inputs (features x n, column-major) into out (outputs x n).
  void predict(const float* x, int n, float* out);
  // Output of one hidden unit (layer >= 0) or of the network (layer = -1, first output)
  // over a res x res grid spanning the data's 2-D domain; row-major, y from top.
  void grid(int layer, int neuron, int res, std::vector<float>& out);

  // What every layer's units output for one input (column `index` of the training set, or of
  // the test set), post-activation, layer after layer (hidden layers, then the output layer):
  // layer l's units() x positions values, unit by unit (a channel's map row by row). The
  // network view draws a conv layer's channels as these feature maps. One forward of one
  // sample; out reuses its capacity.
  void sample_activations(int index, bool test, std::vector<float>& out);

  // The k training inputs that drive hidden unit (layer, neuron) hardest: the highest
  // pre-activations z, descending, ties by lower index (top_inputs.cpp). A conv channel's z on
  // an input is its largest over the map's positions (where it comes closest to firing). The training set is
  // the monitor's evaluation set under the default `full` definition, so for a dead unit
  // every z is <= 0 and the first one says how far the unit is from waking. k is clamped to
  // the training set's size; 1 <= k <= kMaxTopInputs. Reuses its buffers between calls.
  struct TopInput {
    int index;  // column of the training set
    float z;
  };
  static constexpr int kMaxTopInputs = 1024;
  const std::vector<TopInput>& top_inputs(int layer, int neuron, int k);

 private:
  friend struct LiveHooks;  // the key table's on-change hooks (config.h)
  void build();
  void build_probe();
  int batch_size() const;
  void gather_batch(int n);
  bool params_finite() const;
  // Throws when BatchNorm cannot train on c's batch here (one forward's chunk at most; 2 at least
  // with a dense BatchNorm).
  void check_batchnorm_batch(const RunConfig& c) const;
  int first_nonfinite_layer(const std::vector<float>& block) const;
  void save_checkpoint();
  Eigen::Ref<const Eigen::MatrixXf> eval_inputs();
  void revive_unit(int layer, int neuron, Rng& rng);
  void apply_remedies_before_update();
  void apply_remedies_after_update();
  void check_unit(int layer, int neuron) const;
  void evaluate_monitor();
  // Loss (times the columns) and correct predictions of columns c .. c+m of a set, from the
  // outputs a forward over them just left in the model.
  void add_chunk_metrics(const Eigen::RowVectorXf& y, int c, int m, double& sum, int64_t& correct) const;
  // Mean loss and accuracy (-1 for regression, NaN for an empty set) from those sums over n columns.
  void finish_metrics(int n, double sum, int64_t correct, double& loss, double& accuracy) const;

  RunConfig cfg_;
  Dataset data_;
  std::unique_ptr<Mlp<float>> model_;
  std::unique_ptr<Optimizer<float>> opt_;
  std::unique_ptr<Monitor> monitor_;
  std::vector<uint8_t> decay_mask_;
  Rng shuffle_rng_, dropout_rng_, revive_rng_;
  Remedies remedies_;
  Rng replace_rng_;                 // continual backprop's fresh weights (its own stream)
  int last_replaced_ = 0;
  std::vector<int> order_;          // shuffled sample indices
  int64_t cursor_ = 0;              // position in order_
  Eigen::MatrixXf xb_;              // (features, max_cols) gathered minibatch
  int max_cols_ = 1024;             // columns per chunk (run.cpp: 1024, fewer for convolutions)
  Eigen::RowVectorXf yb_;
  Eigen::MatrixXf probe_x_;         // fixed probe sample for probe:B
  std::vector<float> revive_row_;
  std::vector<TopInput> top_;       // top_inputs' heap, then its answer
  int64_t step_ = 0;
  double last_batch_loss_ = 0, last_grad_norm_ = 0;
  int last_batch_cols_ = 0;
  bool diverged_ = false, born_dead_ = false;
  Divergence divergence_;
  std::vector<float> checkpoint_params_, checkpoint_state_;
  Optimizer<float>::State checkpoint_opt_;
  int64_t checkpoint_step_ = 0;
  // Bumped by everything that can change the network's outputs (a step, a live setting, a
  // revive, freezing or ablating a unit, imported weights, a rollback): the key of train_cache_.
  int64_t changes_ = 0;
  struct TrainMetrics {
    int64_t changes = -1;  // changes_ when the monitor's pass computed them
    double loss = 0, accuracy = -1;
  };
  TrainMetrics train_cache_;
};

}  // namespace relu
