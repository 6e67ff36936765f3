// Optimisers: one loop over the whole parameter block.
// Conventions follow PyTorch 1.13 (torch.optim), down to how each scalar is rounded:
// every scalar (1 - beta, bias corrections, -lr / (1 - b1^t)) is computed in double
// and cast to the parameter type where it meets a tensor, as PyTorch does with its
// Python-float hyperparameters. tests/reference replays PyTorch's own trajectories.
//   sgd:      p -= lr * g
//   momentum: v = mu * v + g;  p -= lr * v           (nesterov: p -= lr * (g + mu * v))
//   rmsprop:  s = rho * s + (1 - rho) g^2;  p -= lr * g / (sqrt(s) + eps)
//   adam:     m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//             p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
//   adamw:    p *= 1 - lr * weight_decay (weights only), then adam's step: decoupled
//             decay (Loshchilov & Hutter; torch.optim.AdamW). weight_decay is read by
//             adamw alone; every optimiser keeps l2, the coupled penalty below, so
//             adam with l2 is torch.optim.Adam(weight_decay=l2).
// Order, as in PyTorch (clip_grad_norm_ then optimizer.step with weight_decay):
// 1. clipping scales the data gradient by clip_norm / (norm + 1e-6) when that is
//    below 1 (clip_grad_norm_'s rule);
// 2. penalties are added to the gradient of weight entries only (not biases or
//    PReLU slopes): L2 as weight decay (g += l2 * w), L1 as g += l1 * sign(w);
// 3. adamw's decoupled decay scales the weight entries only, as a PyTorch param group
//    of the weights with weight_decay and one of the rest with 0 (tests/reference).
#pragma once
#include <string>
#include <vector>

namespace relu {

enum class OptimizerKind { Sgd, Momentum, Rmsprop, Adam, AdamW };
OptimizerKind optimizer_from_name(const std::string& name);  // throws std::invalid_argument
const char* optimizer_name(OptimizerKind k);
const std::vector<std::string>& optimizer_names();

struct OptimizerSpec {
  OptimizerKind kind = OptimizerKind::Sgd;
  double lr = 0.03;
  double momentum = 0.9;
  bool nesterov = false;
  double rho = 0.99;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double l1 = 0.0, l2 = 0.0;
  double weight_decay = 0.01;  // adamw's decoupled decay (torch.optim.AdamW's default); others ignore it
  double clip_norm = 0.0;  // 0 = no clipping
};

template <typename T>
class Optimizer {
 public:
  Optimizer(const OptimizerSpec& spec, size_t n);
  OptimizerSpec& spec() { return spec_; }
  const OptimizerSpec& spec() const { return spec_; }
  // Penalties apply to entries where decay_mask is 1 (weights). Returns the data
  // gradient's global norm, before clipping and penalties.
  double step(std::vector<T>& params, std::vector<T>& grads, const std::vector<uint8_t>& decay_mask);
  // Zeroes the state of entries [begin, begin + count) (used by revive).
  void reset_state(size_t begin, size_t count);
  void reset_state_at(size_t index);
  long t() const { return t_; }
  // The whole state, for checkpoints (copies without reallocating once sized).
  struct State {
    std::vector<T> m, v;
    long t = 0;
  };
  void save(State& out) const {
    out.m = m_;
    out.v = v_;
    out.t = t_;
  }
  void load(const State& in) {
    m_ = in.m;
    v_ = in.v;
    t_ = in.t;
  }

 private:
  OptimizerSpec spec_;
  std::vector<T> m_, v_;
  long t_ = 0;
};

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace relu
