// The history schema: one row per logged step, the same columns in the CLI's --csv, the
// page's CSV export and charts (engine.info().history_columns). Defined only here.
//
//   step, train_loss, test_loss, train_accuracy, test_accuracy, grad_norm,
//   dead_l1..dead_lL, mostly_silent_l1..mostly_silent_lL, grad_norm_l1..grad_norm_lL,
//   prelu_slope_l1..prelu_slope_lL                      (L hidden layers, numbered from 1)
//
// Units: losses as the loss defines them; accuracies and dead/mostly-silent shares are
// fractions in [0, 1] (not percentages); grad_norm is the global L2 norm of the last step's
// gradient, grad_norm_l the L2 norm of layer l's weight gradient; prelu_slope_l the mean
// learned PReLU slope of layer l. A value that does not apply is NaN here and an empty
// cell in CSV: no test split, accuracy of a regression, slope of a non-PReLU layer,
// gradients before the first step.
#pragma once
#include <string>
#include <vector>

namespace relu {

class Run;
struct Evaluation;

// The columns that come once, then the per-layer prefixes (each followed by 1..L).
const std::vector<std::string>& history_fixed_columns();
const std::vector<std::string>& history_layer_prefixes();
std::vector<std::string> history_columns(int hidden_layers);

// One row for the run as it is now (a pure read: the monitor's figures are its last
// cadence report), given its evaluation; values in history_columns() order.
std::vector<double> history_row(const Run& run, const Evaluation& eval);

// "a,b,c" and one CSV line of a row (empty cells for NaN, %.9g otherwise).
std::string history_csv_header(int hidden_layers);
std::string history_csv_line(const std::vector<double>& row);

}  // namespace relu
