// (d) Snapshots stay valid across memory growth: they hold copies, not views of the
// wasm heap. Growth is forced by creating a big second run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotTransferables } from '../../web/engine.js';
import { engine } from './wasm-engine.mjs';


function checkSnapshot(s, widths) {
  assert.equal(s.layers.length, widths.length);
  s.layers.forEach((L, l) => {
    const w = widths[l];
    assert.equal(L.width, w);
    assert.ok(L.states instanceof Uint8Array);
    for (const k of ['states', 'activeFraction', 'saturatedFraction', 'meanAbs', 'dormancy', 'gradAbs', 'weightNorm', 'bias', 'slope', 'diedAt', 'frozen', 'ablated']) {
      assert.equal(L[k].length, w, `${k} length`);
      assert.ok(L[k].buffer.byteLength > 0, `${k} detached`);
    }
    assert.ok(L.diedAt instanceof Int32Array);
    assert.ok(L.activeFraction instanceof Float32Array);
    const c = L.counts;
    assert.equal(c.dead + c.saturated + c.alwaysOn + c.mostlySilent + c.healthy, w);
    for (const h of Object.values(L.histograms)) {
      assert.ok(h.counts.length > 0);
      assert.equal(h.percentiles.length, 9);
      assert.ok(h.lo <= h.hi);
    }
  });
}

test('snapshots survive heap growth, and fresh ones are right', () => {
  const small = engine.createRun({ dataset: 'spiral', layers: [12, 10], batch: 16, seed: 1 });
  small.step(300);
  const before = small.snapshot();
  const copy = structuredClone(before);
  const heap0 = engine.heapBytes();
  const weights0 = small.weights();

  // ~4.2M parameters (plus Adam state and gradients): forces the heap to grow by far.
  const big = engine.createRun({ dataset: 'circle', layers: [1024, 1024, 1024, 1024, 1024], samples: 200, batch: 8, optimizer: 'adam', seed: 2 });
  big.step(1);
  const heap1 = engine.heapBytes();
  assert.ok(heap1 > heap0 + 32 * 1024 * 1024, `heap did not grow enough (${heap0} -> ${heap1})`);

  // the earlier snapshot's arrays are intact copies
  checkSnapshot(before, [12, 10]);
  assert.deepEqual(before, copy);
  assert.equal(weights0.params.length, weights0.layers.at(-1).sOffset + weights0.layers.at(-1).out);

  // new snapshots after growth are valid too, from both runs
  small.step(10);
  const after = small.snapshot();
  checkSnapshot(after, [12, 10]);
  assert.equal(after.step, 310);
  const bigSnap = big.snapshot();
  checkSnapshot(bigSnap, [1024, 1024, 1024, 1024, 1024]);
  const w = big.weights();
  assert.ok(w.params.length > 4_000_000);

  // transfer lists name distinct buffers, and transferring detaches only the copies
  const list = snapshotTransferables(after);
  assert.equal(new Set(list).size, list.length);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(after, list);
  assert.equal(after.layers[0].states.byteLength, 0);
  port1.close();
  port2.close();
  small.step(1);
  checkSnapshot(small.snapshot(), [12, 10]);

  big.dispose();
  small.dispose();
});
