// A run's state as exact text, for the golden tests (tests/engine/test_golden.cpp):
// every float as its bit pattern in hex, so two builds (native, wasm) or two versions of
// the engine agree on the string exactly when they agree on every bit.
//
// Reads only: losses come from Run::evaluate() (evaluation mode, no parameter or history
// change), the monitor's figures from its last report as training left it. Nothing here
// evaluates the monitor, so the fingerprint does not depend on when it is taken.
#pragma once
#include <string>

namespace relu {

class Run;
struct Dataset;

// JSON object: steps, batch_loss, grad_norm, losses and accuracies, born_dead, diverged,
// checkpoint_step, params (FNV-1a 64 of the parameter block's bytes, then the state block's),
// and the monitor's report step, per-layer counts, dead/silent fractions, states and a hash of
// every per-unit statistic, plus the event list [[step, layer, unit, kind], ...].
std::string run_fingerprint(Run& run);

// FNV-1a 64, as 16 hex digits, of the dataset's bytes as the network sees them: x_train,
// y_train, x_test, y_test (float32, column-major). Equal natively and in wasm exactly when
// the loaded data are bit-identical.
std::string dataset_fingerprint(const Dataset& d);

}  // namespace relu
