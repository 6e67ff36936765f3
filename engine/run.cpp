#include "run.h"

#include "net_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "chunks.h"
#include "packed_data.h"
#include "weights_io.h"

namespace relu {

namespace {
constexpr int kMaxCols = 1024;  // columns per chunk: bounds every workspace, whatever the batch
// A convolution's maps are much taller than a dense layer (8 x 28 x 28 = 6,272 rows), so its
// chunk is as many columns as keep the tallest layer's z within this many floats (4 MiB).
constexpr int64_t kConvChunkFloats = int64_t(1) << 20;

// CSV data holds out a quarter: without a test split the test loss and accuracy charts
// of an upload stay empty (split_rows keeps at least one row on each side).
double default_test_fraction(const std::string& dataset) {
  if (dataset == "csv") return 0.25;
  if (dataset == "negative-uniform") return 0.3;
  if (is_packed_dataset(dataset)) return 0.2;  // the packed files' fixed 80/20 split
  return 0.5;
}

// How make_dataset reads a CSV's target column: the task key, or with task auto, the
// task an explicit loss implies (mse: regression; bce, ce: classification).
std::string data_task(const RunConfig& cfg) {
  if (cfg.data.name != "csv" || cfg.data.task != "auto" || cfg.loss == "auto") return cfg.data.task;
  return cfg.loss == "mse" ? "regression" : "classification";
}

// Resolves "auto" and checks that the targets suit the loss; adjusts the task.
Loss resolve_loss(const std::string& name, Dataset& d) {
  Loss loss;
  if (name == "auto")
    loss = d.task == Task::Binary ? Loss::Bce : d.task == Task::Multiclass ? Loss::SoftmaxCe : Loss::Mse;
  else
    loss = loss_from_name(name);
  auto all_targets = [&](auto pred) {
    for (int j = 0; j < d.y_train.size(); ++j)
      if (!pred(d.y_train(j))) return false;
    for (int j = 0; j < d.y_test.size(); ++j)
      if (!pred(d.y_test(j))) return false;
    return true;
  };
  if (loss == Loss::Bce) {
    if (!all_targets([](float t) { return t == 0.0f || t == 1.0f; }))
      throw std::invalid_argument("loss bce needs targets that are 0 or 1");
    d.task = Task::Binary;
    d.num_classes = 1;
  } else if (loss == Loss::SoftmaxCe) {
    if (!all_targets([](float t) { return t >= 0.0f && t == std::floor(t) && t < 1000.0f; }))
      throw std::invalid_argument("loss ce needs class labels that are whole numbers 0..999");
    float top = d.y_train.size() ? d.y_train.maxCoeff() : 0.0f;
    if (d.y_test.size()) top = std::max(top, d.y_test.maxCoeff());
    d.task = Task::Multiclass;
    d.num_classes = std::max(2, static_cast<int>(top) + 1);
  } else if (d.task == Task::Multiclass) {
    throw std::invalid_argument("loss mse does not suit a multi-class dataset; use ce");
  }
  return loss;
}
}  // namespace

Run::Run(const RunConfig& cfg) : cfg_(cfg) {
  validate_config(cfg_);
  DataSpec spec = cfg_.data;
  spec.seed = cfg_.seed;
  spec.keep_order = !cfg_.shuffle;  // no shuffle anywhere: the rows train in the order given
  if (!cfg_.test_fraction_set) spec.test_fraction = default_test_fraction(spec.name);
  spec.task = data_task(cfg_);
  data_ = make_dataset(spec);
  build();
}

Run::Run(const RunConfig& cfg, Dataset data) : cfg_(cfg), data_(std::move(data)) {
  validate_config(cfg_);
  build();
}

void Run::build() {
  if (data_.x_train.cols() < 1) throw std::invalid_argument("the training set is empty");
  const Loss loss = resolve_loss(cfg_.loss, data_);
  const int outputs = loss == Loss::SoftmaxCe ? data_.num_classes : 1;
  // The input's volume: an image dataset's shape, or input_shape for CSV rows of pixels.
  const Volume input = input_volume(data_.image_shape, cfg_.input_shape, data_.features());
  const std::vector<LayerSpec> specs = cfg_.net.empty() ? dense_net(cfg_.layers) : cfg_.net;
  const int64_t n_params = network_param_count(input, specs, outputs);
  if (n_params > kMaxParams)
    throw std::invalid_argument("the network would have " + std::to_string(n_params) + " parameters; the limit is " +
                                std::to_string(kMaxParams));
  std::vector<Activation> acts;
  for (size_t l = 0; l < cfg_.layers.size(); ++l) acts.push_back(cfg_.activation_of(static_cast<int>(l)));
  max_cols_ = kMaxCols;
  if (!cfg_.net.empty()) {
    const int64_t rows = network_widest_rows(input, specs, outputs);
    max_cols_ = static_cast<int>(std::clamp<int64_t>(kConvChunkFloats / rows, 1, kMaxCols));
  }
  model_ = std::make_unique<Mlp<float>>(input, specs, acts, outputs, loss, max_cols_);
  check_batchnorm_batch(cfg_);
  model_->set_leaky_slope(static_cast<float>(cfg_.leaky_slope));
  model_->set_dropout(Dropout<float>::from_rates(cfg_.dropout, cfg_.alpha_dropout));

  // Hidden layers use the chosen initialiser and bias; the output layer uses
  // glorot_uniform with zero bias, as a Keras Dense layer does by default.
  Rng init_rng(derive_seed(cfg_.seed, kStreamInit));
  std::vector<float> row;
  for (int l = 0; l < model_->num_layers(); ++l) {
    const auto& L = model_->layer(l);
    const bool is_output = l == model_->num_layers() - 1;
    InitSpec spec = cfg_.init;
    if (is_output) spec = InitSpec{Init::GlorotUniform};
    row.resize(L.fan_in);
    for (int i = 0; i < L.units(); ++i) {
      float bias = is_output ? 0.0f : static_cast<float>(cfg_.bias_init);
      init_row<float>(spec, L.fan_in, L.fan_out, init_rng, row.data(), &bias);
      L.incoming(model_->params.data(), i) = Eigen::Map<Eigen::VectorXf>(row.data(), L.fan_in);
      model_->b(l)(i) = bias;
    }
  }

  opt_ = std::make_unique<Optimizer<float>>(cfg_.optimizer, model_->params.size());
  decay_mask_.assign(model_->params.size(), 0);
  for (int l = 0; l < model_->num_layers(); ++l) {
    const auto& L = model_->layer(l);
    std::fill_n(decay_mask_.begin() + L.w_off, static_cast<size_t>(L.weight_count()), 1);
  }

  shuffle_rng_.reseed(derive_seed(cfg_.seed, kStreamShuffle));
  dropout_rng_.reseed(derive_seed(cfg_.seed, kStreamDropout));
  revive_rng_.reseed(derive_seed(cfg_.seed, kStreamRevive));
  replace_rng_.reseed(derive_seed(cfg_.seed, kStreamReplace));
  remedies_.build(*model_, cfg_.seed);
  last_replaced_ = 0;
  const int n = static_cast<int>(data_.x_train.cols());
  order_.resize(n);
  for (int i = 0; i < n; ++i) order_[i] = i;
  if (cfg_.shuffle) shuffle_rng_.shuffle(order_);
  cursor_ = 0;
  xb_.setZero(data_.features(), max_cols_);
  yb_.setZero(max_cols_);

  MonitorOptions mo = cfg_.monitor;
  monitor_ = std::make_unique<Monitor>(mo);
  build_probe();
  step_ = 0;
  diverged_ = false;
  monitor();
  born_dead_ = monitor_->report().layer_collapsed;
  save_checkpoint();
}

void Run::check_batchnorm_batch(const RunConfig& c) const {
  // BatchNorm normalises by the whole batch's statistics, so a training step's batch must be
  // one forward: at most the chunk this network's workspaces hold (no buffer grows with it).
  const int least = model_->batchnorm_min_batch();
  const int n = static_cast<int>(data_.x_train.cols());
  const int b = c.batch == 0 ? n : std::min(c.batch, n);
  if (least == 0 || (b >= least && b <= max_cols_)) return;
  char message[200];
  std::snprintf(message, sizeof message,
                b < least ? "batchnorm on a dense layer needs batches of at least 2 (one value per unit has no variance)"
                          : "batchnorm takes its statistics over the whole batch, which must fit in one pass of this "
                            "network: batch at most %d (got %d%s)",
                max_cols_, b, c.batch == 0 ? ", the full batch" : "");
  throw std::invalid_argument(message);
}

void Run::build_probe() {
  const auto& d = cfg_.monitor.dead;
  if (d.set != EvalSet::Probe) {
    probe_x_.resize(0, 0);
    return;
  }
  // A fixed sample, drawn without replacement, so successive reports compare like with like.
  const int n = static_cast<int>(data_.x_train.cols());
  const int b = std::min(d.probe_size, n);
  std::vector<int> idx(n);
  for (int i = 0; i < n; ++i) idx[i] = i;
  Rng rng(derive_seed(cfg_.seed, kStreamProbe));
  for (int i = 0; i < b; ++i) std::swap(idx[i], idx[i + rng.below(static_cast<uint32_t>(n - i))]);
  probe_x_.resize(data_.features(), b);
  for (int i = 0; i < b; ++i) probe_x_.col(i) = data_.x_train.col(idx[i]);
}

int Run::batch_size() const {
  const int n = static_cast<int>(data_.x_train.cols());
  return cfg_.batch == 0 ? n : std::min(cfg_.batch, n);
}

void Run::gather_batch(int n) {
  const int total = static_cast<int>(order_.size());
  for (int j = 0; j < n; ++j) {
    if (cursor_ == total) {
      if (cfg_.shuffle) shuffle_rng_.shuffle(order_);
      cursor_ = 0;
    }
    const int idx = order_[cursor_++];
    xb_.col(j) = data_.x_train.col(idx);
    yb_(j) = data_.y_train(idx);
  }
}

void Run::step(int64_t n) {
  Mlp<float>& m = *model_;
  for (int64_t k = 0; k < n && !diverged_; ++k) {
    const int batch = batch_size();
    m.zero_grads();
    m.zero_grad_tracking();
    double loss_sum = 0;
    for_each_chunk(batch, max_cols_, [&](int off, int cols) {
      if (cfg_.batch == 0) {
        // Full batch: read the training set in place, in order.
        const auto x = data_.x_train.middleCols(off, cols);
        m.forward(x, cols, true, &dropout_rng_);
        if (cfg_.cbp_rate > 0) remedies_.add_activity(m, cols);
        loss_sum += m.output_grad(data_.y_train.middleCols(off, cols), cols, batch);
        m.backward(x, cols, true);
      } else {
        gather_batch(cols);
        m.forward(xb_, cols, true, &dropout_rng_);
        if (cfg_.cbp_rate > 0) remedies_.add_activity(m, cols);
        loss_sum += m.output_grad(yb_.leftCols(cols), cols, batch);
        m.backward(xb_, cols, true);
      }
    });
    last_batch_loss_ = loss_sum / batch;
    last_batch_cols_ = batch;
    m.record_grad_norms();
    // L2-init is a term of the loss (remedies.h): its gradient joins before the update.
    if (cfg_.l2_init > 0) remedies_.add_l2_init(cfg_.l2_init, m.params, m.grads);
    last_grad_norm_ = opt_->step(m.params, m.grads, decay_mask_);
    if (cfg_.shrink != 1.0 || cfg_.perturb != 0.0) remedies_.shrink_perturb(cfg_.shrink, cfg_.perturb, m.params);
    ++step_;
    ++changes_;
    if (!std::isfinite(last_batch_loss_) || !std::isfinite(last_grad_norm_) || !params_finite()) {
      diverged_ = true;
      divergence_.step = step_;
      if (!std::isfinite(last_batch_loss_)) {
        divergence_.what = "loss";
        divergence_.layer = -1;
      } else if (!std::isfinite(last_grad_norm_)) {
        divergence_.what = "gradient";
        divergence_.layer = first_nonfinite_layer(m.grads);
      } else {
        divergence_.what = "parameters";
        divergence_.layer = first_nonfinite_layer(m.params);
      }
      break;
    }
    // Continual backprop, after the update as in Dohare's code; a replacement is stamped in
    // the event log at this step, as a revival is.
    last_replaced_ = 0;
    if (cfg_.cbp_rate > 0)
      last_replaced_ = remedies_.replace(m, cfg_.cbp_rate, cfg_.cbp_maturity, cfg_.cbp_decay, [&](int l, int i) {
        revive_unit(l, i, replace_rng_);
        monitor_->mark_replaced(l, i, step_);
      });
    // The monitor's cadence (the only place reads get their report from): every
    // monitor_interval() steps and at the run's last configured step, so the CLI's final
    // summary and a sweep's metrics describe the end of training. Events are stamped here,
    // at the step where they happen, whoever reads and however often.
    const bool monitor_due = step_ % monitor_interval() == 0 || step_ == cfg_.steps;
    const bool revive_due = cfg_.revive_every > 0 && step_ % cfg_.revive_every == 0;
    if (monitor_due && !revive_due) evaluate_monitor();
    if (revive_due) revive();
    if (monitor_due || revive_due) save_checkpoint();
  }
}

int Run::monitor_interval() const {
  if (cfg_.monitor_every > 0) return cfg_.monitor_every;
  const auto& d = cfg_.monitor.dead;
  int64_t n_eval = data_.x_train.cols();
  if (d.criterion == DeadCriterion::Inactive && d.set == EvalSet::Probe) n_eval = probe_x_.cols();
  if (d.criterion == DeadCriterion::Inactive && d.set == EvalSet::Batch) n_eval = std::min(batch_size(), max_cols_);
  const double every = std::ceil(static_cast<double>(n_eval) / (0.3 * batch_size()));
  return static_cast<int>(std::min(std::max(every, 10.0), 1e9));
}

void Run::save_checkpoint() {
  checkpoint_params_ = model_->params;
  checkpoint_state_ = model_->state;
  opt_->save(checkpoint_opt_);
  checkpoint_step_ = step_;
}

int64_t Run::rollback() {
  ++changes_;
  model_->params = checkpoint_params_;
  model_->state = checkpoint_state_;
  opt_->load(checkpoint_opt_);
  step_ = checkpoint_step_;
  diverged_ = false;
  divergence_ = Divergence{};
  monitor();
  return step_;
}

int Run::first_nonfinite_layer(const std::vector<float>& block) const {
  for (int l = 0; l < model_->num_layers(); ++l) {
    const auto& L = model_->layer(l);
    const size_t end = L.params_end();
    for (size_t i = L.w_off; i < end; ++i)
      if (!std::isfinite(block[i])) return l;
  }
  return -1;
}

bool Run::params_finite() const {
  // NaN or Inf anywhere makes the sum NaN (Inf * 0 is NaN); Eigen's sum is vectorised.
  const auto& p = model_->params;
  return (Eigen::Map<const Eigen::ArrayXf>(p.data(), static_cast<Eigen::Index>(p.size())) * 0.0f).sum() == 0.0f;
}

Eigen::Ref<const Eigen::MatrixXf> Run::eval_inputs() {
  const auto& d = monitor_->options().dead;
  if (d.criterion == DeadCriterion::Inactive && d.set == EvalSet::Probe) return probe_x_;
  // "batch": the last minibatch (its first max_cols_ columns); before the first step
  // there is none, and the full set stands in.
  if (d.criterion == DeadCriterion::Inactive && d.set == EvalSet::Batch && cfg_.batch != 0 && last_batch_cols_ > 0) {
    return xb_.leftCols(std::min(last_batch_cols_, max_cols_));
  }
  return data_.x_train;
}

const MonitorReport& Run::monitor() {
  evaluate_monitor();
  return monitor_->report();
}

// The monitor's pass, and when its evaluation set is the training set (the default `full`
// definition) the training loss and accuracy from the same forwards: evaluate() then reads
// them instead of a second pass over the set, which on MNIST is 8,000 of a read's 10,000.
void Run::evaluate_monitor() {
  const auto x = eval_inputs();
  const bool whole_train = x.data() == data_.x_train.data() && x.cols() == data_.x_train.cols();
  if (!whole_train) {
    monitor_->evaluate(*model_, x, step_);
    return;
  }
  struct Sums {
    Run* run;
    double sum = 0;
    int64_t correct = 0;
  } sums{this};
  auto hook = [](void* ctx, int c, int m) {
    auto* s = static_cast<Sums*>(ctx);
    s->run->add_chunk_metrics(s->run->data_.y_train, c, m, s->sum, s->correct);
  };
  monitor_->evaluate(*model_, x, step_, true, hook, &sums);
  finish_metrics(static_cast<int>(x.cols()), sums.sum, sums.correct, train_cache_.loss, train_cache_.accuracy);
  train_cache_.changes = changes_;
}

void Run::finish_metrics(int n, double sum, int64_t correct, double& loss, double& accuracy) const {
  loss = n ? sum / n : NAN;
  accuracy = model_->loss() == Loss::Mse ? -1.0 : (n ? static_cast<double>(correct) / n : NAN);
}

void Run::add_chunk_metrics(const Eigen::RowVectorXf& y, int c, int m, double& sum, int64_t& correct) const {
  sum += model_->loss_value(y.middleCols(c, m), m) * m;
  const auto& out = model_->layer(model_->num_layers() - 1).a;
  for (int j = 0; j < m; ++j) {
    if (model_->loss() == Loss::Bce)
      correct += (out(0, j) > 0.5f) == (y(c + j) > 0.5f);
    else if (model_->loss() == Loss::SoftmaxCe) {
      Eigen::Index k;
      out.col(j).maxCoeff(&k);
      correct += static_cast<int>(k) == static_cast<int>(y(c + j));
    }
  }
}

Evaluation Run::evaluate() {
  Evaluation e;
  auto over = [&](const Eigen::MatrixXf& x, const Eigen::RowVectorXf& y, double& loss, double& accuracy) {
    const int n = static_cast<int>(x.cols());
    double sum = 0;
    int64_t correct = 0;
    for_each_chunk(n, max_cols_, [&](int c, int m) {
      model_->forward(x.middleCols(c, m), m, false);
      add_chunk_metrics(y, c, m, sum, correct);
    });
    finish_metrics(n, sum, correct, loss, accuracy);
  };
  if (evaluation_reuses_monitor()) {
    e.train_loss = train_cache_.loss;
    e.train_accuracy = train_cache_.accuracy;
  } else {
    over(data_.x_train, data_.y_train, e.train_loss, e.train_accuracy);
  }
  over(data_.x_test, data_.y_test, e.test_loss, e.test_accuracy);
  return e;
}

void Run::set(const std::string& key, const std::string& json_value) {
  ++changes_;
  LiveHook on_change = nullptr;
  if (!live_key(key, &on_change))
    throw std::invalid_argument("\"" + key + "\" cannot change during a run; start a new run instead");
  RunConfig next = cfg_;
  apply_config_value(next, key, json_value);
  validate_config(next);  // also checks the activation count against the (fixed) layers
  if (key == "batch") check_batchnorm_batch(next);
  cfg_ = next;
  if (on_change) on_change(*this);
}

// ---- the key table's on-change hooks (config.h): cfg_ already holds the new value ----

void LiveHooks::activation(Run& run) {
  for (int l = 0; l < run.model_->num_hidden(); ++l) run.model_->set_activation(l, run.cfg_.activation_of(l));
  run.monitor_->sync_settings(*run.model_);
}

void LiveHooks::leaky_slope(Run& run) { run.model_->set_leaky_slope(static_cast<float>(run.cfg_.leaky_slope)); }

void LiveHooks::dropout(Run& run) {
  run.model_->set_dropout(Dropout<float>::from_rates(run.cfg_.dropout, run.cfg_.alpha_dropout));
}

void LiveHooks::optimizer(Run& run) {
  run.opt_ = std::make_unique<Optimizer<float>>(run.cfg_.optimizer, run.model_->params.size());
}

void LiveHooks::optimizer_spec(Run& run) { run.opt_->spec() = run.cfg_.optimizer; }

void LiveHooks::monitor(Run& run) { run.monitor_->options() = run.cfg_.monitor; }

void LiveHooks::dead_def(Run& run) {
  run.monitor_->options() = run.cfg_.monitor;
  run.monitor_->clear_history();
  run.build_probe();
  // A new definition is a new baseline: evaluate now (an action, like revive) so a read
  // does not show states under the old definition beside a cleared history.
  run.monitor();
}

int Run::revive() {
  ++changes_;
  const MonitorReport& r = monitor();
  int revived = 0;
  for (int l = 0; l < static_cast<int>(r.layers.size()); ++l)
    for (int i = 0; i < r.layers[l].width; ++i) {
      const bool dead = r.layers[l].state[i] == static_cast<uint8_t>(NeuronState::Dead);
      const bool dormant = cfg_.revive_tau > 0 && r.layers[l].dormancy[i] <= cfg_.revive_tau;
      if (dead || dormant) {
        revive_unit(l, i, revive_rng_);
        ++revived;
      }
    }
  if (revived) monitor();
  return revived;
}

void Run::check_unit(int layer, int neuron) const {
  if (layer < 0 || layer >= model_->num_hidden())
    throw std::invalid_argument("layer " + std::to_string(layer) + " is not a hidden layer (0.." +
                                std::to_string(model_->num_hidden() - 1) + ")");
  if (neuron < 0 || neuron >= model_->layer(layer).units())
    throw std::invalid_argument("layer " + std::to_string(layer) + " has no neuron " + std::to_string(neuron));
}

void Run::revive_neuron(int layer, int neuron) {
  check_unit(layer, neuron);
  ++changes_;
  revive_unit(layer, neuron, revive_rng_);
  monitor();
}

void Run::revive_unit(int l, int i, Rng& rng) {
  // ReDo (Sokar et al. 2023): fresh incoming weights from the layer's initialiser,
  // zero bias, zero outgoing weights (so the network's function is unchanged at
  // the moment of revival), and zero optimiser state for all of them. A norm's weight and
  // bias go back to 1 and 0, its running statistics to 0 and 1 (they described the old weights).
  Mlp<float>& m = *model_;
  const auto& L = m.layer(l);
  revive_row_.resize(L.fan_in);
  float bias = 0;
  init_row<float>(cfg_.init, L.fan_in, L.fan_out, rng, revive_row_.data(), &bias);
  L.incoming(m.params.data(), i) = Eigen::Map<Eigen::VectorXf>(revive_row_.data(), L.fan_in);
  m.b(l)(i) = 0.0f;
  m.s(l)(i) = static_cast<float>(kPreluInitSlope);
  for (int j = 0; j < L.fan_in; ++j) opt_->reset_state_at(L.weight_index(i, j));
  opt_->reset_state_at(L.b_off + i);
  opt_->reset_state_at(L.s_off + i);
  if (L.norm.active()) {
    L.norm.reset_unit(m.params.data(), m.state.data(), i);
    opt_->reset_state_at(L.norm.g_off + i);
    opt_->reset_state_at(L.norm.beta_off + i);
  }
  m.each_outgoing(l, i, [&](size_t k) {
    m.params[k] = 0.0f;
    opt_->reset_state_at(k);
  });
  remedies_.restart_unit(l, i);  // a new unit to continual backprop too: age 0, utility 0
}

void Run::set_frozen(int layer, int neuron, bool frozen) {
  check_unit(layer, neuron);
  ++changes_;
  model_->layer(layer).frozen[neuron] = frozen;
  remedies_.sync_frozen(*model_);
  monitor_->sync_settings(*model_);
}

void Run::set_ablated(int layer, int neuron, bool ablated) {
  check_unit(layer, neuron);
  ++changes_;
  model_->layer(layer).ablated[neuron] = ablated;
  monitor_->sync_settings(*model_);
}

std::string Run::export_weights() const { return weights_to_json(*model_); }

void Run::import_weights(const std::string& json) {
  ++changes_;
  weights_from_json(*model_, json);
  remedies_.set_initial(model_->params);  // L2-init pulls toward the imported weights
  // Imported numbers are a new starting point: optimiser moments and the
  // monitor's history belong to the old weights.
  opt_ = std::make_unique<Optimizer<float>>(cfg_.optimizer, model_->params.size());
  cfg_.activations.clear();
  for (int l = 0; l < model_->num_hidden(); ++l) cfg_.activations.push_back(model_->layer(l).act.kind);
  monitor_->clear_history();
  diverged_ = false;
  divergence_ = Divergence{};
  monitor();
  if (step_ == 0) born_dead_ = monitor_->report().layer_collapsed;
  save_checkpoint();
}

void Run::predict(const float* x, int n, float* out) {
  const int f = data_.features(), k = model_->outputs();
  for_each_chunk(n, max_cols_, [&](int c, int m) {
    Eigen::Map<const Eigen::MatrixXf> block(x + static_cast<size_t>(c) * f, f, m);
    model_->forward(block, m, false);
    Eigen::Map<Eigen::MatrixXf>(out + static_cast<size_t>(c) * k, k, m) =
        model_->layer(model_->num_layers() - 1).a.leftCols(m);
  });
}

void Run::grid(int layer, int neuron, int res, std::vector<float>& out) {
  const int f = data_.features();
  if (f != 1 && f != 2) throw std::invalid_argument("grid needs 1-D or 2-D inputs; this dataset has " + std::to_string(f));
  if (res < 2 || res > 512) throw std::invalid_argument("grid resolution must be in 2..512");
  if (layer >= 0) check_unit(layer, neuron);
  const int rows = f == 2 ? res : 1;
  const int n = rows * res;
  Eigen::MatrixXf x(f, n);
  const float x0 = data_.domain_min[0], x1 = data_.domain_max[0];
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < res; ++c) {
      const int j = r * res + c;
      x(0, j) = x0 + (x1 - x0) * c / (res - 1);
      if (f == 2) x(1, j) = data_.domain_max[1] - (data_.domain_max[1] - data_.domain_min[1]) * r / (res - 1);
    }
  out.resize(n);
  for_each_chunk(n, max_cols_, [&](int c, int m) {
    model_->forward(x.middleCols(c, m), m, false);
    const auto& src = layer >= 0 ? model_->layer(layer).a : model_->layer(model_->num_layers() - 1).a;
    const int row = layer >= 0 ? neuron : 0;
    for (int j = 0; j < m; ++j) out[c + j] = src(row, j);
  });
}

}  // namespace relu
