// Activation functions: forward and backward side by side.
// z is the pre-activation (width, batch); a = f(z); backward turns dL/da into dL/dz.
#pragma once
#include <Eigen/Core>
#include <string>
#include <vector>

namespace relu {

enum class Activation { Relu, LeakyRelu, Prelu, Elu, Selu, Gelu, Silu, Tanh, Sigmoid, Linear };

// Exact constants from Klambauer et al. 2017.
constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kEluAlpha = 1.0;
constexpr double kPreluInitSlope = 0.25;
constexpr double kLeakyDefaultSlope = 0.01;

Activation activation_from_name(const std::string& name);  // throws std::invalid_argument
const char* activation_name(Activation a);
const std::vector<std::string>& activation_names();

// The rectifier family (relu, leaky_relu, prelu): piecewise linear with a kink at 0.
// These never saturate; they can be dead instead.
bool is_rectifier(Activation a);

// True when the activation is flat (derivative exactly 0) for every z <= 0:
// relu always, leaky_relu/prelu only when their negative slope is exactly 0.
// Only such units can be "dead" under the default criterion (see monitor.h).
bool has_flat_negative_side(Activation a, double negative_slope);

// The saturation rule, for non-rectifiers: an input saturates a unit when it lies in
// a tail of the activation where |f'| stays below 1% of the activation's peak |f'|.
// Returns the tails as an interval: saturated iff z < lo or z > hi (infinite when the
// activation has no such tail). Computed numerically once and cached. Values:
// tanh |z| > 2.993; sigmoid |z| > 5.987; elu/selu z < ln 0.01 = -4.605;
// gelu z < -3.4 or so, silu z < -7.4 or so (see the test for the exact values); linear none.
void saturation_bounds(Activation a, double& lo, double& hi);

// Slope per row (neuron) is used by prelu (learned) and leaky_relu (fixed).
template <typename T>
struct ActivationParams {
  Activation kind = Activation::Relu;
  T leaky_slope = T(kLeakyDefaultSlope);
};

// a = f(z). slopes: (width) prelu slopes; ignored otherwise.
template <typename T>
void activation_forward(const ActivationParams<T>& p, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z,
                        const Eigen::Ref<const Eigen::Matrix<T, -1, 1>>& slopes,
                        Eigen::Ref<Eigen::Matrix<T, -1, -1>> a);

// dz = da ⊙ f'(z), from z alone (a may have been changed by dropout).
// For prelu also accumulates dL/dslope into dslopes (width).
// relu'(0) = 0: the gate opens only for z > 0.
template <typename T>
void activation_backward(const ActivationParams<T>& p, const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z,
                         const Eigen::Ref<const Eigen::Matrix<T, -1, 1>>& slopes,
                         const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& da, Eigen::Ref<Eigen::Matrix<T, -1, -1>> dz,
                         Eigen::Ref<Eigen::Matrix<T, -1, 1>> dslopes);

// Softmax of each column of z into a (same shape), max-shifted so exp never overflows.
// The loss head's output for ce (loss.h).
template <typename T>
void softmax_columns(const Eigen::Ref<const Eigen::Matrix<T, -1, -1>>& z, Eigen::Ref<Eigen::Matrix<T, -1, -1>> a);

// Scalar derivative, used by the monitor's saturation rule and tests.
double activation_derivative(Activation a, double z, double slope);
double activation_value(Activation a, double z, double slope);

}  // namespace relu
