// Weights as JSON, in PyTorch nn.Linear's layout so a file can be loaded there:
//   {"layers":[{"weight":[[...],...],"bias":[...],"activation":"relu"}, ...,
//              {"weight":...,"bias":...,"activation":"sigmoid"}]}
// weight has one row per output neuron (W_l in mlp.h is already (out, in)).
// Hidden layers carry their activation; prelu adds "slope":[...] (one per neuron),
// leaky_relu adds "negative_slope": x. The output layer's activation names the
// nonlinearity the loss implies: linear (mse), sigmoid (bce) or softmax (ce).
// Convolutional networks list every layer in order: conv2d layers as
//   {"type":"conv2d","weight":[out][in][kh][kw],"bias":[out],"stride":1,"padding":2,"activation":"relu"}
// (PyTorch's Conv2d.weight; padding an integer, or "same" for an even kernel's uneven padding),
// pooling as {"type":"maxpool","size":2} / {"type":"avgpool","size":2}, dense layers as above
// ("type":"dense" optional), so a torch.nn.Sequential's state moves both ways.
// A layer with a norm (layers/norm.h) carries it under "norm", with PyTorch's state names:
//   "norm":{"type":"batch","weight":[...],"bias":[...],"running_mean":[...],"running_var":[...]}
//   "norm":{"type":"layer","weight":[...],"bias":[...]}
// one value per unit (neuron or channel): nn.BatchNorm1d/2d's state, nn.LayerNorm(units)'s for a
// dense layer, nn.GroupNorm(1, C)'s for a conv layer.
// Numbers are written with the fewest digits that read back to the same float.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "mlp.h"

namespace relu {

// Files larger than this, or nested deeper than kMaxWeightsDepth, are refused
// before parsing: they cannot be a network within kMaxParams.
constexpr size_t kMaxWeightsBytes = size_t(256) << 20;
constexpr int kMaxWeightsDepth = 64;

std::string weights_to_json(const Mlp<float>& m);

// Loads every layer's weights and biases (and prelu slopes, leaky slopes, hidden
// activations when present). Checks the whole file first; on any problem throws
// std::invalid_argument ("weights: layer 2 has 8 rows, the network expects 16")
// and leaves the model unchanged. Layers are numbered from 1 in messages.
void weights_from_json(Mlp<float>& m, const std::string& json);

// The network shape the file describes: [inputs, hidden widths..., outputs].
// Throws std::invalid_argument when the file is malformed or inconsistent.
std::vector<int> weights_shape(const std::string& json);

}  // namespace relu
