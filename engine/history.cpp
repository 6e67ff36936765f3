#include "history.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "run.h"

namespace relu {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

const std::vector<std::string>& history_fixed_columns() {
  static const std::vector<std::string> names = {"step",          "train_loss",    "test_loss",
                                                 "train_accuracy", "test_accuracy", "grad_norm"};
  return names;
}

const std::vector<std::string>& history_layer_prefixes() {
  static const std::vector<std::string> names = {"dead_l", "mostly_silent_l", "grad_norm_l", "prelu_slope_l"};
  return names;
}

std::vector<std::string> history_columns(int hidden_layers) {
  std::vector<std::string> out = history_fixed_columns();
  for (const auto& prefix : history_layer_prefixes())
    for (int l = 1; l <= hidden_layers; ++l) out.push_back(prefix + std::to_string(l));
  return out;
}

std::vector<double> history_row(const Run& run, const Evaluation& eval) {
  const bool has_test = run.data().x_test.cols() > 0;
  const bool classifies = run.loss() != Loss::Mse;
  const bool stepped = run.steps_done() > 0;
  std::vector<double> row = {static_cast<double>(run.steps_done()),
                             eval.train_loss,
                             has_test ? eval.test_loss : kNaN,
                             classifies ? eval.train_accuracy : kNaN,
                             classifies && has_test ? eval.test_accuracy : kNaN,
                             stepped ? run.last_grad_norm() : kNaN};
  const auto& layers = run.report().layers;
  const auto& m = run.model();
  const int hidden = m.num_hidden();
  for (int l = 0; l < hidden; ++l) row.push_back(l < static_cast<int>(layers.size()) ? layers[l].dead_fraction : kNaN);
  for (int l = 0; l < hidden; ++l)
    row.push_back(l < static_cast<int>(layers.size()) ? layers[l].silent_fraction : kNaN);
  for (int l = 0; l < hidden; ++l) row.push_back(stepped ? m.weight_grad_norms[l] : kNaN);
  for (int l = 0; l < hidden; ++l)
    row.push_back(m.layer(l).act.kind == Activation::Prelu ? static_cast<double>(m.s(l).mean()) : kNaN);
  return row;
}

std::string history_csv_header(int hidden_layers) {
  std::string out;
  for (const auto& c : history_columns(hidden_layers)) out += (out.empty() ? "" : ",") + c;
  return out;
}

std::string history_csv_line(const std::vector<double>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    if (!std::isfinite(row[i])) continue;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", row[i]);
    out += buf;
  }
  return out;
}

}  // namespace relu
