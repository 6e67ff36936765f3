// The replay store with the widest net the page allows on a 784-input set: one snapshot of
// 784->512x3->10 carries 3.7 MB of parameters, so an entry keeps only what the network view
// draws from them (web/views/network-links.js), and MIN_ENTRIES of them (and the capacity the
// store picks) fit the 16 MiB budget. The real wasm engine makes the snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';
import { snapshotTransferables } from '../../web/engine.js';
import { ReplayStore, REPLAY_BUDGET_BYTES, MIN_ENTRIES, KEEP_PARAMS } from '../../web/page/replay.js';
import { linkModel, GRID_ABOVE } from '../../web/views/network-links.js';

// 60 rows of 784 pixel-like features (0..1, two decimals) and a digit label: exact, no randomness.
function wideCsv(rows = 60, features = 784) {
  const lines = [];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: features }, (_, j) => (((r * 31 + j * 7) % 101) / 100).toFixed(2));
    lines.push([...x, r % 10].join(','));
  }
  return lines.join('\n') + '\n';
}

// What the worker posts: the snapshot and a copy of the weights (web/worker.js maybeSnapshot).
function frame(run) {
  const snap = run.snapshot();
  snapshotTransferables(snap); // as the worker does (checks the buffers are transferable)
  return { snap, grid: null, weights: run.weights() };
}

test('a 784->512x3->10 net: entries keep the link model, not 3.7 MB of parameters, and fit the budget', () => {
  const run = engine.createRun({ dataset: 'csv', csv_text: wideCsv(), loss: 'ce', layers: [512, 512, 512], batch: 20, seed: 1, monitor_every: 1 });
  try {
    run.step(2);
    const first = frame(run);
    const params = first.weights.params.length;
    assert.ok(params > 900_000, `${params} parameters`);
    assert.ok(params > KEEP_PARAMS);
    const store = new ReplayStore();
    store.push(first);
    const entry = store.entries[0];
    assert.equal(entry.weights.params, undefined, 'the entry does not hold the parameters');
    assert.ok(entry.weights.pairs, 'it holds the link model');
    // The model is what the view draws: 4 pairs, all bands (every layer is a grid), and the
    // input's shading (mean |w| per input) computed from the real weights.
    const model = entry.weights;
    assert.deepEqual(model.pairs.map((p) => [p.in, p.out, p.lines === null]), [[784, 512, true], [512, 512, true], [512, 512, true], [512, 10, true]]);
    const W = first.weights.params, L0 = first.weights.layers[0];
    let s7 = 0, all = 0;
    for (let o = 0; o < L0.out; o++) s7 += Math.abs(W[L0.wOffset + 7 * L0.out + o]);
    for (let k = 0; k < L0.in * L0.out; k++) all += Math.abs(W[L0.wOffset + k]);
    assert.ok(Math.abs(model.pairs[0].inputMeanAbs[7] - s7 / L0.out) < 1e-6);
    assert.ok(Math.abs(model.pairs[0].meanAbs - all / (L0.in * L0.out)) < 1e-6);
    // Size: under 1 MiB an entry, so MIN_ENTRIES fit; the capacity the store chose fits too.
    assert.ok(store.bytesPerEntry < 1024 * 1024, `${store.bytesPerEntry} bytes per entry`);
    assert.ok(MIN_ENTRIES * store.bytesPerEntry <= REPLAY_BUDGET_BYTES);
    assert.ok(store.capacity * store.bytesPerEntry <= REPLAY_BUDGET_BYTES, `${store.capacity} x ${store.bytesPerEntry}`);
    // Filled to capacity, it holds no more than the budget.
    for (let k = 0; k < store.capacity + 20; k++) {
      run.step(1);
      store.push(frame(run));
    }
    assert.equal(store.length, store.capacity);
    assert.ok(store.bytes <= REPLAY_BUDGET_BYTES, `${store.bytes} bytes held`);
    console.log(`784->512x3->10: ${params} parameters (${(4 * params / 2 ** 20).toFixed(2)} MiB a copy); replay entry ${(store.bytesPerEntry / 1024).toFixed(1)} KB, capacity ${store.capacity}, ${(store.bytes / 2 ** 20).toFixed(2)} MiB held`);
  } finally {
    run.dispose();
  }
});

test('a small net keeps its full parameters (the model would hold the same numbers)', () => {
  const run = engine.createRun({ dataset: 'spiral', layers: [8, 8], batch: 10, seed: 1 });
  try {
    run.step(1);
    const f = frame(run);
    const store = new ReplayStore();
    store.push(f);
    assert.equal(store.entries[0].weights, f.weights);
  } finally {
    run.dispose();
  }
});

test('a wide net with a narrow pair keeps that pair link by link', () => {
  const run = engine.createRun({ dataset: 'spiral', layers: [300, 300, 8, 8], batch: 10, seed: 1 });
  try {
    run.step(1);
    const w = run.weights();
    assert.ok(w.params.length > KEEP_PARAMS);
    const m = linkModel(w);
    assert.deepEqual(m.pairs.map((p) => p.lines !== null), [false, false, false, true, true]);
    const L = w.layers[3];
    assert.equal(m.pairs[3].lines.length, L.in * L.out);
    assert.equal(m.pairs[3].lines[5], w.params[L.wOffset + 5]);
    assert.notEqual(m.pairs[3].lines.buffer, w.params.buffer, 'a copy: the entry does not keep the whole buffer alive');
    assert.ok(L.in <= GRID_ABOVE && L.out <= GRID_ABOVE);
  } finally {
    run.dispose();
  }
});

test('the widest page net (784->512x10->10) with 4 compared runs: every store within its share, the page within 16 MiB', () => {
  const run = engine.createRun({ dataset: 'csv', csv_text: wideCsv(), loss: 'ce', layers: Array(10).fill(512), batch: 20, optimizer: 'sgd', seed: 1 });
  try {
    run.step(1);
    const runs = 4;
    const store = new ReplayStore({ budget: Math.floor(REPLAY_BUDGET_BYTES / runs) }); // as run-record.js shares it
    store.push(frame(run));
    assert.ok(store.capacity >= MIN_ENTRIES);
    assert.ok(runs * store.capacity * store.bytesPerEntry <= REPLAY_BUDGET_BYTES, `${runs} x ${store.capacity} x ${store.bytesPerEntry} B`);
    console.log(`784->512x10->10: replay entry ${(store.bytesPerEntry / 1024).toFixed(1)} KB; 4 runs x ${store.capacity} entries = ${((runs * store.capacity * store.bytesPerEntry) / 2 ** 20).toFixed(2)} MiB`);
  } finally {
    run.dispose();
  }
});
