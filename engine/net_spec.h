// A network spec as users write it (config "net", CLI --net, the JS API):
//
//   "conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)"
//   [{"type":"conv2d","channels":8,"kernel":5,"padding":"same"}, {"type":"maxpool","size":2}, ...]
//
// Tokens: conv2d(channels, kernel[, padding[, stride]]) with padding same | valid | an integer
// (default valid) and stride 1 | 2 (default 1); maxpool(size), avgpool(size); dense(units).
// Any of conv2d and dense may end with an activation name: conv2d(8,5,same,elu), dense(64,tanh),
// and with a norm before it (layers/norm.h): dense(16,batchnorm), dense(16,layernorm,tanh),
// conv2d(8,5,same,batchnorm) (BatchNorm per unit or channel; LayerNorm over a dense layer's units,
// over a conv layer's whole map as PyTorch's GroupNorm(1, C)).
// In JSON the same keys by name: channels, kernel, padding, stride, size, units, activation,
// norm ("batch", "layer"; absent or "none": no norm).
// The output layer is implied (dense, as the loss needs). `--layers 16,16` is the dense
// shorthand, the same as "dense(16),dense(16)".
#pragma once
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/layers.h"

namespace relu {

// Reads a spec from a string or a JSON list; throws std::invalid_argument naming the token
// and what is wrong ("net: token 2 \"maxpool(0)\": size must be >= 1").
std::vector<LayerSpec> read_net(const nlohmann::json& v);
// The JSON list form (what a config file or the summary writes).
nlohmann::json net_to_json(const std::vector<LayerSpec>& net);
// The widths of the spec's unit layers (channels, neurons), as the `layers` key lists them.
std::vector<int> unit_widths(const std::vector<LayerSpec>& net);
// The dense shorthand as a spec.
std::vector<LayerSpec> dense_net(const std::vector<int>& widths);

// The input volume of a run: the dataset's image shape, else input_shape (which must hold
// `features` values), else features x 1 x 1. Throws when input_shape does not fit.
Volume input_volume(const std::array<int, 3>& image_shape, const std::array<int, 3>& input_shape, int features);

}  // namespace relu
