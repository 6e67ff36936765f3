#include "init.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace relu {

namespace {
struct NamedInit {
  Init kind;
  const char* name;
};
constexpr NamedInit kInits[] = {
    {Init::HeNormal, "he_normal"},         {Init::HeUniform, "he_uniform"},
    {Init::LecunNormal, "lecun_normal"},   {Init::LecunUniform, "lecun_uniform"},
    {Init::GlorotNormal, "glorot_normal"}, {Init::GlorotUniform, "glorot_uniform"},
    {Init::Uniform, "uniform"},            {Init::Rai, "rai"},
};

std::string known_inits() {
  std::string list;
  for (const auto& i : kInits) list += std::string(list.empty() ? "" : ", ") + i.name;
  return list + ", uniform(a,b), random_uniform";
}

bool parse_number(const std::string& text, double& out) {
  const char* begin = text.c_str();
  char* end = nullptr;
  out = std::strtod(begin, &end);
  while (*end == ' ') ++end;
  return end != begin && *end == '\0' && std::isfinite(out);
}
}  // namespace

InitSpec init_from_name(const std::string& name) {
  InitSpec spec;
  if (name == "random_uniform") {
    spec.kind = Init::Uniform;  // Keras' defaults: U(-0.05, 0.05)
    return spec;
  }
  if (name.rfind("uniform(", 0) == 0 && name.size() > 9 && name.back() == ')') {
    const std::string inner = name.substr(8, name.size() - 9);
    const size_t comma = inner.find(',');
    double a = 0, b = 0;
    if (comma == std::string::npos || !parse_number(inner.substr(0, comma), a) ||
        !parse_number(inner.substr(comma + 1), b))
      throw std::invalid_argument("init \"" + name + "\": expected uniform(a,b) with two finite numbers");
    if (!(a < b)) throw std::invalid_argument("init \"" + name + "\": uniform(a,b) needs a < b");
    spec.kind = Init::Uniform;
    spec.a = a;
    spec.b = b;
    return spec;
  }
  for (const auto& i : kInits)
    if (name == i.name) {
      spec.kind = i.kind;
      return spec;
    }
  throw std::invalid_argument("unknown init \"" + name + "\" (expected one of " + known_inits() + ")");
}

std::string init_name(const InitSpec& spec) {
  if (spec.kind == Init::Uniform) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "uniform(%.17g,%.17g)", spec.a, spec.b);
    return buf;
  }
  for (const auto& i : kInits)
    if (i.kind == spec.kind) return i.name;
  return "?";
}

const std::vector<std::string>& init_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& i : kInits) v.push_back(i.name);
    v.push_back("random_uniform");
    return v;
  }();
  return names;
}

template <typename T>
bool init_row(const InitSpec& spec, int fan_in, int fan_out, Rng& rng, T* w, T* bias) {
  const double in = fan_in, avg = 0.5 * (fan_in + fan_out);
  auto normal = [&](double stddev) {
    for (int j = 0; j < fan_in; ++j) w[j] = static_cast<T>(rng.normal() * stddev);
  };
  auto uniform = [&](double a, double b) {
    for (int j = 0; j < fan_in; ++j) w[j] = static_cast<T>(rng.uniform(a, b));
  };
  // Plain (untruncated) normals, as PyTorch's kaiming_normal_/xavier_normal_.
  switch (spec.kind) {
    case Init::HeNormal: normal(std::sqrt(2.0 / in)); return false;
    case Init::HeUniform: uniform(-std::sqrt(6.0 / in), std::sqrt(6.0 / in)); return false;
    case Init::LecunNormal: normal(std::sqrt(1.0 / in)); return false;
    case Init::LecunUniform: uniform(-std::sqrt(3.0 / in), std::sqrt(3.0 / in)); return false;
    case Init::GlorotNormal: normal(std::sqrt(1.0 / avg)); return false;
    case Init::GlorotUniform: uniform(-std::sqrt(3.0 / avg), std::sqrt(3.0 / avg)); return false;
    case Init::Uniform: uniform(spec.a, spec.b); return false;
    case Init::Rai: {
      // Lu et al. 2019: the row [W | b] ~ N(0, 0.6007^2 / fan_in); one of its
      // fan_in + 1 entries, bias included, is replaced by a Beta(2,1) draw, so
      // the unit is positive on part of the input space.
      const double sd = kRaiStdScale / std::sqrt(in);
      normal(sd);
      *bias = static_cast<T>(rng.normal() * sd);
      const uint32_t k = rng.below(static_cast<uint32_t>(fan_in + 1));
      const T beta = static_cast<T>(rng.beta21());
      if (k == static_cast<uint32_t>(fan_in))
        *bias = beta;
      else
        w[k] = beta;
      return true;
    }
  }
  return false;
}

template bool init_row<float>(const InitSpec&, int, int, Rng&, float*, float*);
template bool init_row<double>(const InitSpec&, int, int, Rng&, double*, double*);

}  // namespace relu
