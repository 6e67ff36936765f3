// Snapshot read time: the layer part (layerScalars + one layerPack copy per layer, what
// web/engine.js does) and the whole snapshot() (which also evaluates the losses). Not a test
// (timings are not asserted); docs/engine.md has the figures against the per-field calls
// (layerArray(l, name), histogram*(l, which)) that the pack replaced.
//   node tests/node/snapshot_bench.mjs
import { engine } from './wasm-engine.mjs';

function time(f, reps) {
  for (let i = 0; i < 200; i++) f();  // JIT warm-up
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
  const bulkOnly = time(() => {
    const n = h.numLayers();
    for (let l = 0; l < n; l++) { h.layerScalars(l); h.layerPack(l).slice(); h.takeError(); }
  }, c.reps);
  const snapshot = time(() => run.snapshot(), c.reps);
  console.log(`${c.name}: bulk pack ${bulkOnly.toFixed(1)} us (layer part); whole snapshot() ${snapshot.toFixed(1)} us`);
  h.dispose();
  h.delete();
  run.dispose();
}
