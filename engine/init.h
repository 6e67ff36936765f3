// Weight initialisers. fan_in/fan_out are the layer's in and out widths.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

#include "rng.h"

namespace relu {

enum class Init { HeNormal, HeUniform, LecunNormal, LecunUniform, GlorotNormal, GlorotUniform, Uniform, Rai };

struct InitSpec {
  Init kind = Init::HeNormal;
  double a = -0.05, b = 0.05;  // bounds for Uniform (Keras random_uniform's defaults)
};

// Accepts the names above in snake_case, "uniform(a,b)" and "random_uniform".
InitSpec init_from_name(const std::string& name);  // throws std::invalid_argument
std::string init_name(const InitSpec& spec);
const std::vector<std::string>& init_names();

// RAI (Lu et al. 2019): std of each entry of a row [W | b] before the Beta(2,1) entry.
constexpr double kRaiStdScale = 0.6007;

// Fills one neuron's incoming row w (fan_in) and, for RAI only, its bias.
// Other initialisers leave bias alone (the bias init is separate).
// Returns true when it set the bias.
template <typename T>
bool init_row(const InitSpec& spec, int fan_in, int fan_out, Rng& rng, T* w, T* bias);

}  // namespace relu
