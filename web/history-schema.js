// The history schema: ONE definition of the per-step columns a run records, shared by the
// charts, the page's stats CSV export, run files, and (same names and units) the CLI's --csv.
//
//   step, train_loss, test_loss, train_accuracy, test_accuracy, grad_norm,
//   dead_l1..dead_lL, mostly_silent_l1..L, grad_norm_l1..L, prelu_slope_l1..L
//
// Units: losses and norms as the engine computes them; dead and mostly_silent are fractions
// of the layer's units in [0, 1] (not percentages); accuracies are fractions in [0, 1].
// A value that does not apply is missing (NaN in memory, an empty CSV cell): no test split,
// accuracy of a regression, the slope of a layer that is not PReLU.

export const RUN_COLUMNS = ['step', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', 'grad_norm'];
export const LAYER_COLUMNS = ['dead', 'mostly_silent', 'grad_norm', 'prelu_slope'];

/** Column names for a network with L hidden layers. */
export function historyColumns(L) {
  const names = RUN_COLUMNS.slice();
  for (const kind of LAYER_COLUMNS) for (let l = 1; l <= L; l++) names.push(`${kind}_l${l}`);
  return names;
}

/** Index of the first column of a per-layer kind (then one column per layer). */
export function layerColumn(kind, L) {
  const k = LAYER_COLUMNS.indexOf(kind);
  if (k < 0) throw new Error(`no history column kind "${kind}"; one of ${LAYER_COLUMNS.join(', ')}`);
  return RUN_COLUMNS.length + k * L;
}

// The engine reports "does not apply" as a negative accuracy (regression) or NaN (no test split).
const fraction = (x) => (Number.isFinite(x) && x >= 0 ? x : NaN);

/** One row of the schema from a snapshot (NaN where a value does not apply). */
export function historyRow(s) {
  const L = s.layers.length;
  const row = new Array(RUN_COLUMNS.length + LAYER_COLUMNS.length * L);
  row[0] = s.step;
  row[1] = s.trainLoss;
  row[2] = s.testLoss;
  row[3] = fraction(s.trainAccuracy);
  row[4] = fraction(s.testAccuracy);
  row[5] = s.gradNorm;
  const [dead, silent, grad, slope] = LAYER_COLUMNS.map((k) => layerColumn(k, L));
  for (let l = 0; l < L; l++) {
    const layer = s.layers[l];
    row[dead + l] = layer.deadFraction;
    row[silent + l] = layer.silentFraction;
    row[grad + l] = layer.gradNorm;
    let sum = 0;
    for (const v of layer.slope) sum += v;
    row[slope + l] = layer.activation === 'prelu' && layer.width ? sum / layer.width : NaN;
  }
  return row;
}

/** CSV text of a table {names, rows} (rows of numbers, null/NaN for a missing value). */
export function historyCsv({ names, rows }) {
  const cell = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));
  return [names.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}
