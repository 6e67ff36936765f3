// The monitor against the weights, on MNIST (issue 13): each hidden unit's active count (the
// training inputs with z > 0, over the full 8,000-image evaluation set) as the monitor reports
// it equals a count made here, in float64, from the weights the run saves (exportWeights: the
// CLI's weights JSON) and the pixels read straight from the packed file (docs/datasets.md's
// format), not through the engine. A dead unit's count is 0 here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, engine } from './wasm-engine.mjs';

const FILE = path.join(ROOT, 'build', 'data', 'mnist.bin');

// The training split of a packed file: pixels as the engine holds them (byte / 255 in float32).
function readTraining(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), 'RELUDATA');
  const header = v.getUint32(12, true), features = v.getUint32(20, true), train = v.getUint32(40, true);
  assert.equal(v.getUint32(44, true), 1, 'uint8 pixels');
  const x = new Float64Array(train * features);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(bytes[header + i] / 255);
  return { x, features, n: train };
}

// z of every training input at every unit of each hidden layer, in float64, from the saved weights.
function activeCounts(weights, { x, features, n }) {
  const hidden = weights.layers.slice(0, -1);
  const counts = hidden.map((L) => new Int32Array(L.bias.length));
  const near = hidden.map((L) => new Int32Array(L.bias.length));  // |z| < 1e-4: float32 may decide otherwise
  for (let s = 0; s < n; s++) {
    let a = x.subarray(s * features, (s + 1) * features);
    hidden.forEach((L, l) => {
      const out = new Float64Array(L.bias.length);
      for (let o = 0; o < out.length; o++) {
        const row = L.weight[o];
        let z = L.bias[o];
        for (let q = 0; q < row.length; q++) z += row[q] * a[q];
        if (z > 0) counts[l][o]++;
        if (Math.abs(z) < 1e-4) near[l][o]++;
        out[o] = Math.max(0, z);
      }
      a = out;
    });
  }
  return { counts, near };
}

test('MNIST: the monitor\'s per-unit active counts equal a count from the saved weights', { skip: fs.existsSync(FILE) ? false : `no ${FILE} (bash playground.sh build)` }, () => {
  const bytes = new Uint8Array(fs.readFileSync(FILE));
  engine.provideData('mnist', bytes);
  // A high rate: part of each layer dies within 150 steps, part stays alive (measured:
  // 42 of 64 and 7 of 32 dead). The monitor evaluates at every step, so its last report
  // is of the weights saved now.
  const run = engine.createRun({ dataset: 'mnist', layers: [64, 32], lr: 1, batch: 128, seed: 2, monitor_every: 1, dead_def: 'full' });
  run.step(150);
  const snap = run.snapshot();
  const weights = JSON.parse(run.exportWeights());
  run.dispose();
  assert.equal(snap.monitorStep, 150);

  const data = readTraining(bytes);
  assert.equal(data.n, 8000);
  const { counts, near } = activeCounts(weights, data);
  snap.layers.forEach((layer, l) => {
    const engineCounts = Array.from(layer.activeFraction, (f) => Math.round(f * data.n));
    let ambiguous = 0;
    for (let i = 0; i < layer.width; i++) {
      // Within the inputs whose z is this close to 0, float32 and float64 may disagree.
      assert.ok(Math.abs(engineCounts[i] - counts[l][i]) <= near[l][i], `layer ${l} unit ${i}: monitor ${engineCounts[i]}, weights ${counts[l][i]} (${near[l][i]} near 0)`);
      ambiguous += near[l][i];
      if (layer.states[i] === 0) assert.equal(counts[l][i], 0, `layer ${l} unit ${i} is dead: no input has z > 0`);
      else assert.ok(counts[l][i] + near[l][i] > 0, `layer ${l} unit ${i} is not dead: some input has z > 0 (or within 1e-4 of it)`);
    }
    assert.ok(ambiguous < 10, `layer ${l}: ${ambiguous} inputs within 1e-4 of 0`);
    const dead = Array.from(layer.states).filter((s) => s === 0).length;
    assert.equal(dead, counts[l].filter((c) => c === 0).length, `layer ${l}: dead units = units no input activates`);
    assert.ok(dead > 0 && dead < layer.width, `layer ${l}: ${dead} of ${layer.width} dead`);
  });
});
