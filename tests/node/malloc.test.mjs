// engine.mallocBytes() (mallinfo's bytes in use, what bench/soak.mjs watches in the page):
// it sees a run's memory, stays flat while a run trains, and returns to its level when the
// run is disposed. heapBytes() (memory.test.mjs) only sees the heap grow, never a leak inside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';

const CONFIG = { dataset: 'spiral', layers: [16, 16, 16, 16, 16, 16], activation: 'relu', optimizer: 'sgd', lr: 0.3, clip_norm: 5, batch: 10, revive_every: 2000, seed: 1 };

test('mallocBytes: flat while a run trains and snapshots, back to its level after dispose', () => {
  const before = engine.mallocBytes();
  assert.ok(Number.isInteger(before) && before > 0, String(before));
  const run = engine.createRun(CONFIG);
  assert.ok(engine.mallocBytes() > before + 10000, 'a run allocates its data and parameters');
  const round = () => {
    run.step(1000);
    run.snapshot();
    run.weights();
    run.grid(-1, 0, 64);
    run.grid(2, 3, 32);
  };
  run.step(5000);
  // The first rounds size the run's scratch buffers (grids, snapshot, histograms) to their high-water mark.
  for (let i = 0; i < 5; i++) round();
  const warm = engine.mallocBytes();
  for (let i = 0; i < 50; i++) round();
  assert.equal(engine.mallocBytes() - warm, 0, 'bytes in use after 50,000 more steps with snapshots and grids');
  run.dispose();
  const after = engine.mallocBytes();
  // The first run may leave a few one-time allocations (Embind's type registry); a second one leaves none.
  assert.ok(after - before < 16384, `${after - before} bytes left after dispose`);
  const again = engine.createRun(CONFIG);
  again.step(2000);
  again.snapshot();
  again.dispose();
  assert.equal(engine.mallocBytes(), after, 'a second run leaves nothing behind');
});
