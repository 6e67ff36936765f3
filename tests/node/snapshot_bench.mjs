// Snapshot read time: the bulk pack (one layerPack call per layer, web/engine.js) against
// the per-field calls it replaced (layerArray(l, name) and histogram*(l, which) per field,
// still bound for this comparison). Not a test (timings are not asserted):
//   node tests/node/snapshot_bench.mjs
import { engine } from './wasm-engine.mjs';

const FIELDS = ['state', 'active_fraction', 'saturated_fraction', 'mean_abs', 'dormancy', 'grad_abs', 'weight_norm',
  'bias', 'slope', 'died_at', 'frozen', 'ablated'];

function perFieldLayers(h) {
  const call = (name, ...a) => {
    const r = h[name](...a);
    const e = h.takeError();
    if (e) throw new Error(e);
    return r;
  };
  const n = call('numLayers');
  const layers = [];
  for (let l = 0; l < n; l++) {
    const layer = { s: call('layerScalars', l) };
    for (const f of FIELDS) layer[f] = call('layerArray', l, f).slice();
    for (const w of ['pre', 'act', 'grad']) {
      layer[w] = { m: call('histogramMeta', l, w), c: call('histogramCounts', l, w).slice(), p: call('histogramPercentiles', l, w).slice() };
    }
    layers.push(layer);
  }
  return layers;
}

function time(f, reps) {
  for (let i = 0; i < 5; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  return ((performance.now() - t0) / reps) * 1000;  // microseconds
}

const CASES = [
  { name: '6x16 (spiral)', cfg: { dataset: 'spiral', layers: [16, 16, 16, 16, 16, 16], seed: 1 }, reps: 2000 },
  { name: '784-256-256-10 (csv, 784 features, 10 classes)', cfg: null, reps: 300 },
];
const rows = [];
for (let r = 0; r < 64; r++) rows.push([...Array.from({ length: 784 }, (_, i) => ((r * 7 + i * 13) % 17) / 17), r % 10].join(','));
CASES[1].cfg = { dataset: 'csv', csv_text: rows.join('\n'), loss: 'ce', layers: [256, 256], batch: 32, seed: 1 };

for (const c of CASES) {
  const run = engine.createRun(c.cfg);
  run.step(20);
  const h = new engine.module.RunHandle();
  h.create(JSON.stringify(c.cfg));
  h.step(20);
  // Both measure the layer part only (the losses' evaluation is the same in both).
  const perField = time(() => perFieldLayers(h), c.reps);
  const bulkOnly = time(() => {
    const n = h.numLayers();
    for (let l = 0; l < n; l++) { h.layerScalars(l); h.layerPack(l).slice(); h.takeError(); }
  }, c.reps);
  const snapshot = time(() => run.snapshot(), c.reps);
  console.log(`${c.name}: per-field calls ${perField.toFixed(1)} us, bulk pack ${bulkOnly.toFixed(1)} us (layer part); whole snapshot() ${snapshot.toFixed(1)} us`);
  h.dispose();
  h.delete();
  run.dispose();
}
