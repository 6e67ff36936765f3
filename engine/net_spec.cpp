#include "net_spec.h"

#include <cctype>
#include <stdexcept>

namespace relu {

namespace {

using json = nlohmann::json;

constexpr int kMaxSpecValue = 4096;

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

int read_int(const std::string& where, const std::string& what, const std::string& text, int lo) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size()) throw std::invalid_argument(where + ": " + what + " \"" + text + "\" is not a whole number");
  if (v < lo || v > kMaxSpecValue)
    throw std::invalid_argument(where + ": " + what + " must be in " + std::to_string(lo) + ".." +
                                std::to_string(kMaxSpecValue) + " (got " + text + ")");
  return static_cast<int>(v);
}

int read_padding(const std::string& where, const std::string& text) {
  if (text == "same") return kSamePadding;
  if (text == "valid") return 0;
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-'))
    return read_int(where, "padding", text, 0);
  throw std::invalid_argument(where + ": padding must be same, valid or a whole number (got \"" + text + "\")");
}

// The last argument of conv2d/dense may be an activation name. A word that names none is
// left for the caller to report (a conv2d padding like "wide"), unless it can only be an
// activation (`required`: dense's second argument).
bool take_activation(std::vector<std::string>& args, LayerSpec& sp, const std::string& where, bool required) {
  if (args.empty()) return false;
  const std::string& last = args.back();
  if (last.empty() || std::isdigit(static_cast<unsigned char>(last[0])) || last[0] == '-' || last == "same" ||
      last == "valid")
    return false;
  try {
    sp.activation = activation_from_name(last);
  } catch (const std::exception& e) {
    if (!required) return false;
    throw std::invalid_argument(where + ": " + e.what());
  }
  sp.has_activation = true;
  args.pop_back();
  return true;
}

// A conv2d/dense token may name a norm among its trailing words (batchnorm, layernorm): taken
// out wherever it stands, so the rest reads as without it.
void take_norm(std::vector<std::string>& args, LayerSpec& sp, const std::string& where) {
  for (size_t k = args.size(); k-- > 0;) {
    const NormKind kind = args[k] == "batchnorm" ? NormKind::Batch : args[k] == "layernorm" ? NormKind::Layer : NormKind::None;
    if (kind == NormKind::None) continue;
    if (!sp.has_units() || sp.norm != NormKind::None)
      throw std::invalid_argument(where + (sp.has_units() ? ": one norm per layer" : ": pooling takes no norm"));
    sp.norm = kind;
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(k));
  }
}

NormKind read_norm(const json& v, const std::string& where) {
  const std::string name = v.is_string() ? v.get<std::string>() : "";
  for (NormKind k : {NormKind::None, NormKind::Batch, NormKind::Layer})
    if (name == norm_name(k)) return k;
  throw std::invalid_argument(where + ": norm must be \"batch\", \"layer\" or \"none\"");
}

LayerSpec parse_token(const std::string& token, const std::string& where) {
  const auto open = token.find('(');
  if (open == std::string::npos || token.back() != ')')
    throw std::invalid_argument(where + ": expected a layer like conv2d(8,5,same), maxpool(2) or dense(128)");
  const std::string name = trim(token.substr(0, open));
  std::vector<std::string> args;
  const std::string inner = token.substr(open + 1, token.size() - open - 2);
  size_t from = 0;
  while (true) {
    const auto comma = inner.find(',', from);
    args.push_back(trim(inner.substr(from, comma == std::string::npos ? std::string::npos : comma - from)));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  if (args.size() == 1 && args[0].empty()) args.clear();
  LayerSpec sp;
  if (name == "conv2d") {
    sp.kind = LayerKind::Conv2d;
    take_norm(args, sp, where);
    take_activation(args, sp, where, args.size() == 5);
    if (args.size() < 2 || args.size() > 4)
      throw std::invalid_argument(where + ": conv2d takes (channels, kernel[, padding[, stride]])");
    sp.units = read_int(where, "channels", args[0], 1);
    sp.kernel = read_int(where, "kernel", args[1], 1);
    sp.padding = args.size() > 2 ? read_padding(where, args[2]) : 0;
    sp.stride = args.size() > 3 ? read_int(where, "stride", args[3], 1) : 1;
  } else if (name == "maxpool" || name == "avgpool") {
    sp.kind = name == "maxpool" ? LayerKind::MaxPool : LayerKind::AvgPool;
    take_norm(args, sp, where);
    if (args.size() != 1) throw std::invalid_argument(where + ": " + name + " takes (size)");
    sp.size = read_int(where, "size", args[0], 1);
  } else if (name == "dense") {
    sp.kind = LayerKind::Dense;
    take_norm(args, sp, where);
    take_activation(args, sp, where, args.size() == 2);
    if (args.size() != 1) throw std::invalid_argument(where + ": dense takes (units)");
    sp.units = read_int(where, "units", args[0], 1);
  } else {
    throw std::invalid_argument(where + ": unknown layer \"" + name + "\" (conv2d, maxpool, avgpool, dense)");
  }
  return sp;
}

int json_int(const json& o, const char* key, const std::string& where, int lo, int fallback, bool required) {
  if (!o.contains(key)) {
    if (required) throw std::invalid_argument(where + ": needs \"" + key + "\"");
    return fallback;
  }
  const json& v = o[key];
  if (!v.is_number_integer()) throw std::invalid_argument(where + ": " + key + " must be a whole number (got " + v.dump() + ")");
  return read_int(where, key, std::to_string(v.get<int64_t>()), lo);
}

LayerSpec parse_object(const json& o, const std::string& where) {
  if (!o.is_object() || !o.contains("type") || !o["type"].is_string())
    throw std::invalid_argument(where + ": expected an object with a \"type\" (conv2d, maxpool, avgpool, dense)");
  const std::string type = o["type"].get<std::string>();
  LayerSpec sp;
  if (type == "conv2d") {
    sp.kind = LayerKind::Conv2d;
    sp.units = json_int(o, "channels", where, 1, 0, true);
    sp.kernel = json_int(o, "kernel", where, 1, 0, true);
    sp.stride = json_int(o, "stride", where, 1, 1, false);
    if (o.contains("padding")) {
      const json& p = o["padding"];
      sp.padding = p.is_string() ? read_padding(where, p.get<std::string>())
                                 : json_int(o, "padding", where, 0, 0, true);
    }
  } else if (type == "maxpool" || type == "avgpool") {
    sp.kind = type == "maxpool" ? LayerKind::MaxPool : LayerKind::AvgPool;
    sp.size = json_int(o, "size", where, 1, 0, true);
  } else if (type == "dense") {
    sp.kind = LayerKind::Dense;
    sp.units = json_int(o, "units", where, 1, 0, true);
  } else {
    throw std::invalid_argument(where + ": unknown layer type \"" + type + "\" (conv2d, maxpool, avgpool, dense)");
  }
  if (o.contains("norm")) {
    sp.norm = read_norm(o["norm"], where);
    if (!sp.has_units() && sp.norm != NormKind::None) throw std::invalid_argument(where + ": pooling takes no norm");
  }
  if (o.contains("activation")) {
    if (!sp.has_units()) throw std::invalid_argument(where + ": pooling has no activation");
    if (!o["activation"].is_string()) throw std::invalid_argument(where + ": activation must be a name");
    try {
      sp.activation = activation_from_name(o["activation"].get<std::string>());
    } catch (const std::exception& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
    sp.has_activation = true;
  }
  return sp;
}

}  // namespace

std::vector<LayerSpec> read_net(const json& v) {
  std::vector<LayerSpec> out;
  if (v.is_string()) {
    const std::string text = v.get<std::string>();
    // Split at top-level commas (not inside parentheses).
    int depth = 0;
    size_t from = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] == '(') ++depth;
      if (i < text.size() && text[i] == ')') --depth;
      if (i == text.size() || (text[i] == ',' && depth == 0)) {
        const std::string token = trim(text.substr(from, i - from));
        const std::string where = "net: token " + std::to_string(out.size() + 1) + " \"" + token + "\"";
        if (depth != 0) throw std::invalid_argument("net: unbalanced parentheses in \"" + text + "\"");
        out.push_back(parse_token(token, where));
        from = i + 1;
      }
    }
  } else if (v.is_array()) {
    for (size_t k = 0; k < v.size(); ++k)
      out.push_back(parse_object(v[k], "net: layer " + std::to_string(k + 1)));
  } else {
    throw std::invalid_argument("net must be a list of layers or a string like \"conv2d(8,5,same),maxpool(2),dense(128)\"");
  }
  if (out.empty()) throw std::invalid_argument("net: at least one hidden layer is required");
  return out;
}

json net_to_json(const std::vector<LayerSpec>& net) {
  json out = json::array();
  for (const auto& sp : net) {
    json o;
    switch (sp.kind) {
      case LayerKind::Conv2d:
        o = {{"type", "conv2d"}, {"channels", sp.units}, {"kernel", sp.kernel}, {"stride", sp.stride}};
        o["padding"] = sp.padding == kSamePadding ? json("same") : json(sp.padding);
        break;
      case LayerKind::MaxPool: o = {{"type", "maxpool"}, {"size", sp.size}}; break;
      case LayerKind::AvgPool: o = {{"type", "avgpool"}, {"size", sp.size}}; break;
      case LayerKind::Dense: o = {{"type", "dense"}, {"units", sp.units}}; break;
    }
    if (sp.norm != NormKind::None) o["norm"] = norm_name(sp.norm);
    if (sp.has_activation) o["activation"] = activation_name(sp.activation);
    out.push_back(o);
  }
  return out;
}

std::vector<int> unit_widths(const std::vector<LayerSpec>& net) {
  std::vector<int> out;
  for (const auto& sp : net)
    if (sp.has_units()) out.push_back(sp.units);
  return out;
}

std::vector<LayerSpec> dense_net(const std::vector<int>& widths) {
  std::vector<LayerSpec> out;
  for (int w : widths) out.push_back(dense_spec(w));
  return out;
}

Volume input_volume(const std::array<int, 3>& image_shape, const std::array<int, 3>& input_shape, int features) {
  if (input_shape[0] > 0) {
    const int64_t n = static_cast<int64_t>(input_shape[0]) * input_shape[1] * input_shape[2];
    if (n != features)
      throw std::invalid_argument("input_shape " + std::to_string(input_shape[0]) + "," + std::to_string(input_shape[1]) +
                                  "," + std::to_string(input_shape[2]) + " holds " + std::to_string(n) +
                                  " values, but the data have " + std::to_string(features) + " input columns");
    return {input_shape[0], input_shape[1], input_shape[2]};
  }
  if (image_shape[0] > 0) return {image_shape[0], image_shape[1], image_shape[2]};
  return {features, 1, 1};
}

}  // namespace relu
