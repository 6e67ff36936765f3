// (c) The wasm heap stays flat over 100,000 training steps (with snapshots, settings
// changes and revives along the way), and disposing runs returns their memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';


test('heap is flat over 100,000 steps', () => {
  const run = engine.createRun({
    dataset: 'spiral', layers: [16, 16, 16], activation: 'relu', batch: 32, optimizer: 'adam', lr: 0.01,
    seed: 4, monitor_every: 10, revive_every: 5000,
  });
  run.step(2000);
  run.snapshot();
  const start = engine.heapBytes();
  for (let i = 0; i < 100; i++) {
    run.step(1000);
    run.snapshot();
    if (i % 10 === 0) {
      run.set('lr', 0.01 * (1 + (i % 3)));
      run.revive();
      run.grid(-1, 0, 32);
      run.predict([[0.1, 0.2]]);
    }
  }
  assert.equal(run.status().step, 102000);
  assert.equal(engine.heapBytes(), start, `heap grew from ${start} to ${engine.heapBytes()} bytes`);
  run.dispose();
});

test('creating and disposing runs does not grow the heap', () => {
  const cfg = { dataset: 'circle', layers: [64, 64], batch: 64, seed: 2 };
  for (let i = 0; i < 5; i++) engine.createRun(cfg).dispose();
  const start = engine.heapBytes();
  for (let i = 0; i < 200; i++) {
    const r = engine.createRun({ ...cfg, seed: i });
    r.step(10);
    r.snapshot();
    r.exportWeights();
    r.dispose();
  }
  assert.equal(engine.heapBytes(), start);
});
