// Writes tests/golden/cases.json: the runs whose state the golden test pins down
// (tests/engine/test_golden.cpp). The presets come from the page's own tables
// (web/presets.js settings through web/state.js's toEngineConfig, so a preset's run is the
// one the page starts), plus a few configurations that reach code the presets do not
// (standard dropout, prelu, softmax CE, momentum/rmsprop, adamw, auto-revive, probe and dormant
// monitors). The lab studies' first cells are added by the test itself (engine/sweep.cpp).
//
//   node tests/golden/make_cases.mjs && RELU_UPDATE_GOLDENS=1 build/engine_tests '[golden]'
import fs from 'node:fs';
import path from 'node:path';
import { PRESETS } from '../../web/presets.js';
import { defaults, toEngineConfig } from '../../web/state.js';

const STEPS = 400;
// The MNIST preset's 784-256-256-10 net costs ~100x a toy step (and each monitor pass reads
// 8,000 digits): 40 steps pin its data, init and first updates down without slowing the suite.
// The LeNet of dead-filters (a monitor pass over its 1,000-digit probe at every step): 20 steps.
const PRESET_STEPS = { mnist: 40, 'dead-filters': 20 };
const cases = PRESETS.map((p) => {
  const { compare, ...settings } = p.settings;
  return { name: `preset:${p.id}`, steps: PRESET_STEPS[p.id] ?? STEPS, config: toEngineConfig({ ...defaults(), ...settings }) };
});
const extra = {
  dropout: { dataset: 'circle', layers: [16, 16], dropout: 0.2, optimizer: 'momentum', lr: 0.05, nesterov: true, seed: 3 },
  prelu: { dataset: 'xor', layers: [8, 8], activation: 'prelu', optimizer: 'rmsprop', lr: 0.01, l2: 0.001, seed: 5 },
  ce: { dataset: 'csv', csv_text: '', test_fraction: 0, loss: 'ce', layers: [12], activation: 'gelu', optimizer: 'adam', lr: 0.01, batch: 0, seed: 7 },
  revive: { dataset: 'spiral', layers: [12, 12, 12], lr: 0.3, batch: 10, bias_init: -3, revive_every: 50, revive_tau: 0.05, seed: 1 },
  probe: { dataset: 'gauss', layers: [10, 10], dead_def: 'probe:64', activation: 'elu', l1: 0.001, clip_norm: 1, seed: 9 },
  dormant: { dataset: 'reg-plane', layers: [8, 8, 8], dead_def: 'dormant:0.1', activation: 'tanh', batch: 20, seed: 11 },
  // AdamW's decoupled decay beside coupled L2, at a rate where units die.
  adamw: { dataset: 'spiral', layers: [16, 16], optimizer: 'adamw', lr: 0.02, weight_decay: 0.1, l2: 0.001, batch: 10, seed: 13 },
  // Normalised layers (engine/layers/norm.h): BatchNorm's batch and running statistics (the
  // monitor reads in eval mode), LayerNorm, on dense and conv layers.
  batchnorm: { dataset: 'xor', net: 'dense(12,batchnorm),dense(12,batchnorm)', optimizer: 'adam', lr: 0.02, batch: 16, seed: 13 },
  layernorm: { dataset: 'gauss', net: 'dense(10,layernorm),dense(10,layernorm)', optimizer: 'momentum', lr: 0.05, batch: 25, seed: 17 },
  'norm-conv': { dataset: 'mnist14', samples: 300, net: 'conv2d(4,3,same,batchnorm),maxpool(2),conv2d(6,3,1,2,layernorm),dense(16,batchnorm)', lr: 0.1, batch: 16, seed: 19 },
};
// The convnet's monitor passes read every training digit: 40 steps pin it down.
const EXTRA_STEPS = { 'norm-conv': 40 };
// A small 3-class table with exact values (no libm on the data path).
let s = 11;
const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const rows = [];
for (let r = 0; r < 200; r++) {
  const x = [0, 0, 0].map(() => Math.round((rnd() * 4 - 2) * 100) / 100);
  rows.push([...x, x[0] + x[1] > 0.5 ? 2 : x[2] > 0 ? 1 : 0].join(','));
}
extra.ce.csv_text = rows.join('\n');
for (const [name, config] of Object.entries(extra)) cases.push({ name: `extra:${name}`, steps: EXTRA_STEPS[name] ?? STEPS, config });

const out = path.join(import.meta.dirname, 'cases.json');
fs.writeFileSync(out, `[\n${cases.map((c) => JSON.stringify(c)).join(',\n')}\n]\n`);  // one case a line
console.log(`${cases.length} cases -> ${out}`);
