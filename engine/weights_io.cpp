#include "weights_io.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <variant>

namespace relu {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument("weights: " + message); }

std::string layer_name(size_t l) { return "layer " + std::to_string(l + 1); }

const char* output_activation(Loss loss) {
  switch (loss) {
    case Loss::Mse: return "linear";
    case Loss::Bce: return "sigmoid";
    case Loss::SoftmaxCe: return "softmax";
  }
  return "linear";
}

// The fewest digits that read back to f. JSON readers (nlohmann, JavaScript,
// Python) parse into a double first; the check makes the double-then-float route
// exact too, falling back to the float's exact double value when it is not.
void append_float(std::string& out, float f) {
  if (!std::isfinite(f)) {
    out += "null";  // JSON has no NaN/Infinity; the reader rejects it with a message
    return;
  }
  if (f == 0.0f) {
    out += std::signbit(f) ? "-0.0" : "0";  // "-0" would read back as the integer 0
    return;
  }
  char buf[40];
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  *std::to_chars(buf, buf + sizeof buf - 1, f).ptr = '\0';
#else
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
#endif
  if (static_cast<float>(std::strtod(buf, nullptr)) != f) std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(f));
  out += buf;
}

template <typename Vec>
void append_list(std::string& out, const Vec& v) {
  out += '[';
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    append_float(out, v(i));
  }
  out += ']';
}

json parse_limited(const std::string& text) {
  if (text.size() > kMaxWeightsBytes)
    fail("the file is " + std::to_string(text.size() >> 20) + " MB; the limit is " +
         std::to_string(kMaxWeightsBytes >> 20) + " MB");
  const json::parser_callback_t limit_depth = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxWeightsDepth)
      fail("invalid JSON: nested deeper than " + std::to_string(kMaxWeightsDepth) + " levels");
    return true;
  };
  try {
    return json::parse(text, limit_depth);
  } catch (const json::exception& e) {
    std::string what = e.what();
    const auto close = what.find("] ");
    if (what.rfind("[json.exception.", 0) == 0 && close != std::string::npos) what = what.substr(close + 2);
    fail("invalid JSON: " + what);
  }
}

std::string show(const json& v) {
  std::string s = v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

float read_float(const json& v, const std::string& where) {
  if (!v.is_number()) fail(where + " is not a number (got " + show(v) + ")");
  const double d = v.get<double>();
  const float f = static_cast<float>(d);
  if (!std::isfinite(f)) fail(where + " is out of the float range (got " + show(v) + ")");
  return f;
}

std::vector<float> read_floats(const json& v, const std::string& where) {
  if (!v.is_array()) fail(where + " must be a list of numbers (got " + show(v) + ")");
  std::vector<float> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) out.push_back(read_float(v[i], where + ", value " + std::to_string(i + 1)));
  return out;
}

// One layer as read from the file, checked for internal consistency only.
struct FileLayer {
  std::string type = "dense";  // "dense", "conv2d", "maxpool", "avgpool"
  int out = 0, in = 0;         // conv2d: in = the taps of one filter (in channels x kh x kw)
  int in_channels = 0, kernel = 0, stride = 1, padding = 0, size = 0;
  std::vector<float> w;  // row-major (out x in), as in the file; conv2d: [out][in][kh][kw] flattened
  std::vector<float> b;
  std::string activation;  // "" when absent
  std::vector<float> slope;
  bool has_slope = false, has_negative_slope = false;
  float negative_slope = 0;
  // "norm": {"type": "batch"|"layer", "weight", "bias"[, "running_mean", "running_var"]}, the
  // lists one after the other, `out` values each.
  NormKind norm = NormKind::None;
  std::vector<float> norm_values;
};

const char* const kNormLists[] = {"weight", "bias", "running_mean", "running_var"};

// A layer's "norm" object, its lists checked against the layer's `out` units.
void read_norm(const json& N, const std::string& name, FileLayer& F) {
  const std::string where = name + " norm";
  const std::string type = N.is_object() && N.contains("type") && N["type"].is_string() ? N["type"].get<std::string>() : "";
  const bool batch = type == "batch";
  if (!batch && type != "layer") fail(where + " must be an object with \"type\": \"batch\" or \"layer\"");
  F.norm = batch ? NormKind::Batch : NormKind::Layer;
  for (int k = 0; k < (batch ? 4 : 2); ++k) {
    const std::string what = where + " " + kNormLists[k];
    const std::vector<float> v = N.contains(kNormLists[k]) ? read_floats(N[kNormLists[k]], what) : std::vector<float>{};
    if (v.size() != static_cast<size_t>(F.out)) fail(what + " must hold one value per unit (" + std::to_string(F.out) + ")");
    for (float x : v) {
      if (k == 3 && x < 0) fail(what + " has a negative value");
      F.norm_values.push_back(x);  // (not insert: its template cost the wasm 1 KB)
    }
  }
}

std::vector<FileLayer> read_file(const std::string& text) {
  const json doc = parse_limited(text);
  if (!doc.is_object() || !doc.contains("layers") || !doc["layers"].is_array())
    fail("expected an object with a \"layers\" list, as written by --save-weights");
  const json& layers = doc["layers"];
  if (layers.empty()) fail("\"layers\" is empty");
  std::vector<FileLayer> out(layers.size());
  for (size_t l = 0; l < layers.size(); ++l) {
    const json& L = layers[l];
    const std::string name = layer_name(l);
    FileLayer& F = out[l];
    if (!L.is_object()) fail(name + " must be an object with \"weight\" and \"bias\"");
    if (L.contains("type")) {
      if (!L["type"].is_string()) fail(name + " type must be a name (got " + show(L["type"]) + ")");
      F.type = L["type"].get<std::string>();
      if (F.type != "dense" && F.type != "conv2d" && F.type != "maxpool" && F.type != "avgpool")
        fail(name + " has type \"" + F.type + "\"; the types are dense, conv2d, maxpool and avgpool");
    }
    auto read_int = [&](const char* key, int lo, int hi) {
      if (!L.contains(key) || !L[key].is_number_integer()) fail(name + " needs an integer \"" + key + "\"");
      const auto v = L[key].get<int64_t>();
      if (v < lo || v > hi)
        fail(name + " " + key + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) + " (got " +
             std::to_string(v) + ")");
      return static_cast<int>(v);
    };
    if (F.type == "maxpool" || F.type == "avgpool") {
      F.size = read_int("size", 1, 1 << 16);
      continue;
    }
    if (!L.contains("weight") || !L["weight"].is_array()) fail(name + " has no \"weight\" list of rows");
    const json& rows = L["weight"];
    if (rows.empty()) fail(name + " has no rows");
    if (rows.size() > static_cast<size_t>(std::numeric_limits<int>::max())) fail(name + " has too many rows");
    F.out = static_cast<int>(rows.size());
    if (F.type == "conv2d") {
      // [out][in][kh][kw], square kernels: every filter the same shape.
      F.stride = L.contains("stride") ? read_int("stride", 1, 2) : 1;
      if (L.contains("padding") && L["padding"].is_string()) {
        const std::string p = L["padding"].get<std::string>();
        if (p != "same" && p != "valid") fail(name + " padding must be \"same\", \"valid\" or an integer (got \"" + p + "\")");
        F.padding = p == "same" ? kSamePadding : 0;
      } else {
        F.padding = L.contains("padding") ? read_int("padding", 0, 1 << 16) : 0;
      }
      for (size_t o = 0; o < rows.size(); ++o) {
        const std::string where = name + ", filter " + std::to_string(o + 1);
        const json& f = rows[o];
        if (!f.is_array() || f.empty()) fail(where + " must be a list of input channels");
        if (o == 0) F.in_channels = static_cast<int>(f.size());
        if (f.size() != static_cast<size_t>(F.in_channels))
          fail(where + " has " + std::to_string(f.size()) + " input channels, filter 1 has " + std::to_string(F.in_channels));
        for (size_t c = 0; c < f.size(); ++c) {
          const json& k = f[c];
          const std::string at = where + ", channel " + std::to_string(c + 1);
          if (!k.is_array() || k.empty()) fail(at + " must be a square list of rows");
          if (o == 0 && c == 0) F.kernel = static_cast<int>(k.size());
          if (k.size() != static_cast<size_t>(F.kernel))
            fail(at + " has " + std::to_string(k.size()) + " rows, the kernel is " + std::to_string(F.kernel));
          for (size_t i = 0; i < k.size(); ++i) {
            const std::vector<float> row = read_floats(k[i], at + ", row " + std::to_string(i + 1));
            if (row.size() != static_cast<size_t>(F.kernel))
              fail(at + ", row " + std::to_string(i + 1) + " has " + std::to_string(row.size()) +
                   " values, the kernel is " + std::to_string(F.kernel) + " wide");
            F.w.insert(F.w.end(), row.begin(), row.end());
          }
        }
      }
      F.in = F.in_channels * F.kernel * F.kernel;
    } else {
      for (size_t i = 0; i < rows.size(); ++i) {
        const std::string where = name + ", row " + std::to_string(i + 1);
        if (!rows[i].is_array()) fail(where + " must be a list of numbers (got " + show(rows[i]) + ")");
        if (i == 0) {
          if (rows[0].empty()) fail(where + " is empty");
          F.in = static_cast<int>(rows[0].size());
          F.w.reserve(static_cast<size_t>(F.out) * F.in);
        } else if (rows[i].size() != static_cast<size_t>(F.in)) {
          fail(where + " has " + std::to_string(rows[i].size()) + " values, row 1 has " + std::to_string(F.in));
        }
        for (size_t j = 0; j < rows[i].size(); ++j)
          F.w.push_back(read_float(rows[i][j], where + ", value " + std::to_string(j + 1)));
      }
    }
    if (!L.contains("bias")) fail(name + " has no \"bias\"");
    F.b = read_floats(L["bias"], name + " bias");
    if (F.b.size() != static_cast<size_t>(F.out))
      fail(name + " has " + std::to_string(F.b.size()) + " bias values for " + std::to_string(F.out) + " rows");
    if (L.contains("activation")) {
      if (!L["activation"].is_string()) fail(name + " activation must be a name (got " + show(L["activation"]) + ")");
      F.activation = L["activation"].get<std::string>();
    }
    if (L.contains("slope")) {
      F.slope = read_floats(L["slope"], name + " slope");
      F.has_slope = true;
      if (F.slope.size() != static_cast<size_t>(F.out))
        fail(name + " has " + std::to_string(F.slope.size()) + " slope values for " + std::to_string(F.out) + " rows");
    }
    if (L.contains("negative_slope")) {
      F.negative_slope = read_float(L["negative_slope"], name + " negative_slope");
      F.has_negative_slope = true;
    }
    if (L.contains("norm")) read_norm(L["norm"], name, F);
  }
  return out;
}

}  // namespace

std::string weights_to_json(const Mlp<float>& m) {
  std::string out;
  out.reserve(m.params.size() * 12 + 64);
  out += "{\"layers\":[";
  int l = 0;  // unit layer
  bool first = true;
  for (const auto& any : m.net_layers()) {
    if (!first) out += ',';
    first = false;
    if (const auto* P = std::get_if<Pool2d<float>>(&any)) {
      out += P->kind == PoolKind::Max ? "\n{\"type\":\"maxpool\",\"size\":" : "\n{\"type\":\"avgpool\",\"size\":";
      out += std::to_string(P->size) + "}";
      continue;
    }
    const auto& L = m.layer(l);
    const bool is_output = l == m.num_layers() - 1;
    const auto* C = std::get_if<Conv2d<float>>(&any);
    out += C ? "\n{\"type\":\"conv2d\",\"weight\":[" : "\n{\"weight\":[";
    for (int i = 0; i < L.units(); ++i) {
      if (i) out += ',';
      const auto w = L.incoming(m.params.data(), i);
      if (!C) {
        append_list(out, w);
        continue;
      }
      // Filter i as [in][kh][kw]: its taps are already in that order.
      const int k = C->spec.kernel;
      out += '[';
      for (int c = 0; c < C->in.c; ++c) {
        if (c) out += ',';
        out += '[';
        for (int r = 0; r < k; ++r) {
          if (r) out += ',';
          append_list(out, w.segment((c * k + r) * k, k));
        }
        out += ']';
      }
      out += ']';
    }
    out += "],\"bias\":";
    append_list(out, m.b(l));
    if (C) {
      // An integer as PyTorch prints it; "same" only where it is not one (an even kernel pads
      // one more at the bottom and right).
      const bool uneven = C->spec.padding == kSamePadding && C->spec.kernel % 2 == 0;
      out += ",\"stride\":" + std::to_string(C->spec.stride) + ",\"padding\":" +
             (uneven ? std::string("\"same\"") : std::to_string(C->pad_lo));
    }
    if (L.norm.active()) {
      // PyTorch's BatchNorm/LayerNorm (GroupNorm for a conv layer's layernorm) state names.
      out += ",\"norm\":{\"type\":\"";
      out += norm_name(L.norm.kind);
      out += '"';
      const size_t from[] = {L.norm.g_off, L.norm.beta_off, L.norm.mean_off, L.norm.var_off};
      for (int k = 0; k < (L.norm.kind == NormKind::Batch ? 4 : 2); ++k) {
        out += ",\"";
        out += kNormLists[k];
        out += "\":";
        append_list(out, Eigen::Map<const Eigen::VectorXf>((k < 2 ? m.params.data() : m.state.data()) + from[k], L.units()));
      }
      out += '}';
    }
    out += ",\"activation\":\"";
    out += is_output ? output_activation(m.loss()) : activation_name(L.act.kind);
    out += '"';
    if (!is_output && L.act.kind == Activation::Prelu) {
      out += ",\"slope\":";
      append_list(out, m.s(l));
    }
    if (!is_output && L.act.kind == Activation::LeakyRelu) {
      out += ",\"negative_slope\":";
      append_float(out, L.act.leaky_slope);
    }
    out += '}';
    ++l;
  }
  out += "]}\n";
  return out;
}

std::vector<int> weights_shape(const std::string& json_text) {
  const std::vector<FileLayer> layers = read_file(json_text);
  for (size_t l = 0; l < layers.size(); ++l)
    if (layers[l].type != "dense")
      fail(layer_name(l) + " is a " + layers[l].type + " layer: a convolutional network's shape comes from its spec (\"net\")");
  std::vector<int> shape = {layers[0].in};
  for (size_t l = 0; l < layers.size(); ++l) {
    if (layers[l].norm != NormKind::None)
      fail(layer_name(l) + " has a " + norm_name(layers[l].norm) + "norm: a normalised network's shape comes from its spec (\"net\")");
    if (l > 0 && layers[l].in != layers[l - 1].out)
      fail(layer_name(l) + " rows have " + std::to_string(layers[l].in) + " values, but " + layer_name(l - 1) + " has " +
           std::to_string(layers[l - 1].out) + " rows");
    shape.push_back(layers[l].out);
  }
  return shape;
}

void weights_from_json(Mlp<float>& m, const std::string& json_text) {
  const std::vector<FileLayer> layers = read_file(json_text);
  const auto& net = m.net_layers();
  const int n = m.num_layers();
  if (layers.size() != net.size()) {
    if (m.all_dense())
      fail("the file has " + std::to_string(layers.size()) + " layers, the network expects " + std::to_string(n) + " (" +
           std::to_string(n - 1) + " hidden + output)");
    fail("the file has " + std::to_string(layers.size()) + " layers, the network expects " + std::to_string(net.size()) +
         " (pooling layers included)");
  }

  // Check everything before touching the model, so a bad file changes nothing.
  std::vector<Activation> acts(n, Activation::Linear);
  std::vector<int> unit_of(net.size(), -1);  // file layer -> unit layer
  for (size_t k = 0, l = 0; k < net.size(); ++k) {
    const FileLayer& F = layers[k];
    const std::string name = layer_name(k);
    if (const auto* P = std::get_if<Pool2d<float>>(&net[k])) {
      const char* want = P->kind == PoolKind::Max ? "maxpool" : "avgpool";
      if (F.type != want) fail(name + " is a " + F.type + " layer, the network has a " + want + " there");
      if (F.size != P->size)
        fail(name + " pools " + std::to_string(F.size) + "x" + std::to_string(F.size) + ", the network " +
             std::to_string(P->size) + "x" + std::to_string(P->size));
      continue;
    }
    const auto* C = std::get_if<Conv2d<float>>(&net[k]);
    const auto& L = m.layer(static_cast<int>(l));
    if (C && F.type != "conv2d") fail(name + " is a " + F.type + " layer, the network has a conv2d there");
    if (!C && F.type != "dense") fail(name + " is a " + F.type + " layer, the network has a dense layer there");
    const char* what = C ? " filters" : " rows";
    if (F.out != L.units())
      fail(name + " has " + std::to_string(F.out) + what + ", the network expects " + std::to_string(L.units()));
    if (C) {
      if (F.in_channels != C->in.c || F.kernel != C->spec.kernel)
        fail(name + " filters are " + std::to_string(F.in_channels) + "x" + std::to_string(F.kernel) + "x" +
             std::to_string(F.kernel) + ", the network expects " + std::to_string(C->in.c) + "x" +
             std::to_string(C->spec.kernel) + "x" + std::to_string(C->spec.kernel));
      // "same" and the integer it amounts to (odd kernels) are the same padding.
      const bool uneven = C->spec.padding == kSamePadding && C->spec.kernel % 2 == 0;
      const int file_lo = F.padding == kSamePadding ? (F.kernel - 1) / 2 : F.padding;
      const bool file_uneven = F.padding == kSamePadding && F.kernel % 2 == 0;
      auto show_pad = [](bool u, int lo) { return u ? std::string("\"same\"") : std::to_string(lo); };
      if (F.stride != C->spec.stride || file_lo != C->pad_lo || file_uneven != uneven)
        fail(name + " has stride " + std::to_string(F.stride) + " and padding " + show_pad(file_uneven, file_lo) +
             ", the network " + std::to_string(C->spec.stride) + " and " + show_pad(uneven, C->pad_lo));
    } else if (F.in != L.fan_in) {
      fail(name + " rows have " + std::to_string(F.in) + " values, the network expects " + std::to_string(L.fan_in));
    }
    if (F.norm != L.norm.kind) {
      static const char* const kWhat[] = {"no norm", "batchnorm", "layernorm"};  // NormKind's order
      fail(name + " has " + kWhat[static_cast<int>(F.norm)] + ", the network has " +
           kWhat[static_cast<int>(L.norm.kind)] + " there");
    }
    if (static_cast<int>(l) == n - 1) {
      const std::string expected = output_activation(m.loss());
      if (!F.activation.empty() && F.activation != expected)
        fail("the output layer's activation is \"" + F.activation + "\", but this network's loss (" +
             loss_name(m.loss()) + ") needs \"" + expected + "\"");
    } else {
      acts[l] = L.act.kind;
      if (!F.activation.empty()) {
        try {
          acts[l] = activation_from_name(F.activation);
        } catch (const std::exception& e) {
          fail(name + ": " + e.what());
        }
      }
    }
    unit_of[k] = static_cast<int>(l++);
  }

  for (size_t k = 0; k < net.size(); ++k) {
    const int l = unit_of[k];
    if (l < 0) continue;
    const FileLayer& F = layers[k];
    const auto& L = m.layer(l);
    for (int i = 0; i < F.out; ++i)
      L.incoming(m.params.data(), i) = Eigen::Map<const Eigen::VectorXf>(F.w.data() + static_cast<size_t>(i) * F.in, F.in);
    m.b(l) = Eigen::Map<const Eigen::VectorXf>(F.b.data(), F.out);
    const float* nv = F.norm_values.data();
    for (int i = 0; i < F.out && L.norm.active(); ++i) {
      m.params[L.norm.g_off + i] = nv[i];
      m.params[L.norm.beta_off + i] = nv[F.out + i];
      if (L.norm.kind != NormKind::Batch) continue;
      m.state[L.norm.mean_off + i] = nv[2 * F.out + i];
      m.state[L.norm.var_off + i] = nv[3 * F.out + i];
    }
    if (l == n - 1) continue;
    m.set_activation(l, acts[l]);
    if (F.has_slope) m.s(l) = Eigen::Map<const Eigen::VectorXf>(F.slope.data(), F.out);
    if (F.has_negative_slope) m.layer(l).act.leaky_slope = F.negative_slope;
  }
}

}  // namespace relu
