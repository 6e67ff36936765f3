// run.topInputs through the real .wasm: the k training inputs with the highest pre-activation
// of a unit, checked against z computed here from the run's own weights and data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';

// z of every training input for unit i of hidden layer l, in float64 from run.weights().
function zOf(run, l, i) {
  const { params, layers } = run.weights();
  const { x, features } = run.data(false);
  const n = x.length / features;
  let a = Array.from({ length: n }, (_, j) => Array.from(x.subarray(j * features, (j + 1) * features)));
  let z = null;
  for (let k = 0; k <= l; k++) {
    const L = layers[k];
    z = a.map((v) => Array.from({ length: L.out }, (_, o) => {
      let s = params[L.bOffset + o];
      for (let q = 0; q < L.in; q++) s += params[L.wOffset + q * L.out + o] * v[q];
      return s;
    }));
    a = z.map((row) => row.map((t) => Math.max(0, t)));
  }
  return z.map((row) => row[i]);
}

// The reference ranking: z descending, ties by the lower index.
const ranked = (zs) => zs.map((z, index) => ({ index, z })).sort((p, q) => q.z - p.z || p.index - q.index);

test('topInputs: the highest z first, equal to a direct computation, for any hidden layer', () => {
  const run = engine.createRun({ dataset: 'spiral', layers: [6, 5], lr: 0.05, seed: 4 });
  try {
    run.step(30);
    for (const [l, i] of [[0, 2], [1, 3]]) {
      const ref = zOf(run, l, i);
      const got = run.topInputs(l, i, 8);
      assert.ok(got.index instanceof Int32Array && got.z instanceof Float32Array);
      assert.equal(got.index.length, 8);
      const want = ranked(ref).slice(0, 8);
      for (let k = 0; k < 8; k++) {
        assert.ok(Math.abs(got.z[k] - ref[got.index[k]]) < 1e-4, `layer ${l} unit ${i} #${k}: z ${got.z[k]} vs ${ref[got.index[k]]}`);
        assert.ok(Math.abs(got.z[k] - want[k].z) < 1e-4, `layer ${l} unit ${i} #${k}: z ${got.z[k]}, the ${k + 1}th highest is ${want[k].z}`);
        if (k) assert.ok(got.z[k] <= got.z[k - 1], 'descending');
      }
    }
  } finally {
    run.dispose();
  }
});

test('topInputs: a unit born dead (bias -10) has every z <= 0; the first is the closest to waking', () => {
  const run = engine.createRun({ dataset: 'spiral', layers: [4], bias_init: -10, seed: 2 });
  try {
    assert.equal(run.snapshot().layers[0].counts.dead, 4);
    const ref = zOf(run, 0, 1);
    const got = run.topInputs(0, 1, 5);
    assert.ok([...got.z].every((z) => z <= 0), `z ${[...got.z]}`);
    assert.ok(Math.abs(got.z[0] - Math.max(...ref)) < 1e-4, `best ${got.z[0]} vs ${Math.max(...ref)}`);
  } finally {
    run.dispose();
  }
});

test('topInputs: bad arguments throw the engine message; k beyond the set gives every input', () => {
  const run = engine.createRun({ dataset: 'spiral', samples: 40, layers: [3], seed: 1 });
  try {
    assert.throws(() => run.topInputs(0, 0, 0), /k must be in 1\.\.1024, got 0/);
    assert.throws(() => run.topInputs(1, 0, 4), /layer 1 is not a hidden layer/);
    assert.throws(() => run.topInputs(0, 3, 4), /layer 0 has no neuron 3/);
    const n = run.dataInfo().train_samples;
    assert.equal(run.topInputs(0, 0, 1024).index.length, n);
    assert.deepEqual([...run.topInputs(0, 0, 1024).index].sort((a, b) => a - b), Array.from({ length: n }, (_, j) => j));
  } finally {
    run.dispose();
  }
});
