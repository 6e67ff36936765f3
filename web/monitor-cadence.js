// How often the page's run evaluates its monitor (the setting monitorEvery, the engine's
// monitor_every): the steps at which unit states are measured and death/revival events dated.
// Pure: the cadence is a function of the settings alone (never of a measured time), so the
// same link gives the same events on every machine, in the CLI and in the page.
//
// The lesson wants events dated closely: watched slowly (at most WATCH_EVERY_STEP steps a
// second, every preset's pace) the monitor looks at every step, so the network view changes
// step by step; faster, every FAST_CADENCE steps. On a small net that costs little next to a
// paced second (an evaluation over a few hundred 2-D points is ~0.1 ms).
//
// A big evaluation set changes that: one evaluation over MNIST's 8,000 training images through
// 784->256->256->10 costs about 28 training steps of batch 128, so every 10 steps would triple
// the training time, and every step at 30 steps/s would need ~3 s of work per second. So when
// an evaluation is big (BIG_EVALUATION_MACS: more than ~1 ms at ASSUMED_MACS_PER_S), the
// cadence is also at least what keeps the monitor within its budget:
//   flat out (speed max)  MONITOR_BUDGET of training time: every evalMacs / (budget x stepMacs)
//                         steps;
//   paced at r steps/s    PACED_MONITOR_BUDGET of each second of the worker's thread, on a
//                         machine doing ASSUMED_MACS_PER_S: every r x evalMacs / (budget x rate)
//                         steps (never more than flat out). Paced, the worker is otherwise idle
//                         (a few steps a second), so the monitor may take more of it: the cells
//                         of the grid then change about once a second, which is what a person
//                         watching the units die needs.
// An evaluation is one forward pass over the evaluation set; a step is a forward, the weight
// gradients and the input gradients of every layer but the first (nothing needs dL/dx), on the
// batch. On MNIST's net the first layer is 75% of the work, so a step is 2.25 forwards, not
// the 3 that the engine's own cadence assumes (Run::monitor_interval, monitor_every 0:
// n_eval / (0.3 x batch) = 209 steps, which measured 13% here, hence the page's own count).
// MNIST 784->256->256->10, batch 128: every 278 steps at max, 22 at 30 steps/s, 5 at 6 steps/s,
// 2 at 2 steps/s; mnist14: 243, 10 and 1. Small nets keep 1 / 10.
// Work is counted in multiply-adds of the layer products (the costs that scale; the
// activations and the monitor's counting are a few operations per unit and sample).
// The count is dense: the engine skips an input's zeros (engine/skip_zeros.h: MNIST's blank
// pixels, inactive ReLUs), which speeds the training step more than the evaluation (the weight
// gradients skip them too), so on MNIST the monitor at 278 costs 13-14% flat out, within the
// 15% the real-data issue allows (README, bench/mnist-page.mjs).

import { parseNet, netGeometry } from './net-spec.js';

// Reading a net for its size only: any activation name is as good as another.
const ANY_ACTIVATION = { includes: () => true };

export const WATCH_EVERY_STEP = 30;
export const FAST_CADENCE = 10;
export const MAX_CADENCE = 1000;             // the setting's maximum (state.js)
export const MONITOR_BUDGET = 0.1;
export const PACED_MONITOR_BUDGET = 0.3;
// A modest machine: the wasm engine does ~25 G multiply-adds a second on MNIST's net in
// Chromium on the project's 2-core machine; assume 2.5x slower.
export const ASSUMED_MACS_PER_S = 1e10;
export const BIG_EVALUATION_MACS = 1e7;

// Sizes of the packed datasets (their fixed splits; common brief): the only sets big enough
// to matter that the page knows before a run exists. Generated 2-D sets have 2 inputs.
export const DATA_SIZES = Object.freeze({
  mnist: { features: 784, train: 8000, outputs: 10, shape: [1, 28, 28] },
  mnist14: { features: 196, train: 8000, outputs: 10, shape: [1, 14, 14] },
  iris: { features: 4, train: 120, outputs: 3 },
});

/**
 * The work of one evaluation and of one training step, in multiply-adds, for page settings
 * ({dataset, layers, batch, dead, probe}); null when the data's size is not known here (the
 * generated 2-D sets and an upload: small, the first rule alone).
 */
export function monitorWork(settings) {
  const size = settings && DATA_SIZES[settings.dataset];
  if (!size || !Array.isArray(settings.layers)) return null;
  const widths = [size.features, ...settings.layers, size.outputs];
  let perSample = 0;
  for (let l = 1; l < widths.length; l++) perSample += widths[l - 1] * widths[l];
  let firstLayer = widths[0] * widths[1];
  // A convnet (the setting net): its convolutions' multiply-adds, position by position.
  const net = settings.net && size.shape ? parseNet(settings.net, ANY_ACTIVATION) : null;
  const geometry = net?.layers && netGeometry(net.layers, size.shape, size.outputs);
  if (geometry && !geometry.error) (perSample = geometry.macs), (firstLayer = geometry.firstMacs);
  const batch = settings.batch > 0 ? Math.min(settings.batch, size.train) : size.train;
  // The evaluation set (engine/monitor.h): the training set, a probe of B samples, or the batch.
  const nEval = settings.dead === 'probe' ? Math.min(settings.probe, size.train) : settings.dead === 'batch' ? batch : size.train;
  return { evalMacs: nEval * perSample, stepMacs: batch * (3 * perSample - firstLayer) };
}

/** The monitor's cadence for a speed (steps per second, or 'max') and the page's settings. */
export function cadenceFor(speed, settings = null) {
  const r = speed === 'max' ? 0 : Number(speed);
  const watched = r > 0 && r <= WATCH_EVERY_STEP ? 1 : FAST_CADENCE;
  const work = monitorWork(settings);
  if (!work || work.evalMacs < BIG_EVALUATION_MACS) return watched;
  const flatOut = work.evalMacs / (MONITOR_BUDGET * work.stepMacs);
  const paced = r > 0 ? (r * work.evalMacs) / (PACED_MONITOR_BUDGET * ASSUMED_MACS_PER_S) : Infinity;
  return Math.min(MAX_CADENCE, Math.max(watched, Math.ceil(Math.min(flatOut, paced))));
}
