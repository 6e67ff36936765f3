// Divergence through the public API: snapshot().divergence names the step and the place,
// run.rollback() returns to the last finite checkpoint, and a smaller lr then trains on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';

test('a huge lr diverges; divergence() says where; rollback() restores a finite state', () => {
  const run = engine.createRun({ dataset: 'reg-plane', lr: 50, seed: 1 });
  try {
    const s0 = run.snapshot();  // a monitor evaluation: checkpoint at step 0
    assert.equal(s0.divergence, null);
    assert.equal(run.divergence(), null);
    run.step(500);
    const s = run.snapshot();
    assert.equal(s.diverged, true);
    assert.ok(s.step < 500, 'training stops at the diverging step');
    const d = s.divergence;
    assert.ok(d && typeof d === 'object');
    assert.equal(d.step, s.step);
    assert.ok(['loss', 'gradient', 'parameters'].includes(d.what), d.what);
    assert.ok(Number.isInteger(d.layer) && d.layer >= -1);
    if (d.what === 'loss') assert.equal(d.layer, -1);
    else assert.ok(d.layer >= 0);
    assert.deepEqual(run.divergence(), d);

    const back = run.rollback();
    assert.ok(Number.isInteger(back) && back >= 0 && back < d.step);
    const st = run.status();
    assert.equal(st.step, back);
    assert.equal(st.diverged, false);
    assert.equal(run.divergence(), null);
    const params = run.weights().params;
    assert.ok(params.every(Number.isFinite), 'rolled-back parameters are finite');

    run.set('lr', 0.01);
    run.step(100);
    const after = run.snapshot();
    assert.equal(after.diverged, false);
    assert.equal(after.divergence, null);
    assert.equal(after.step, back + 100);
    assert.ok(Number.isFinite(after.trainLoss));
  } finally {
    run.dispose();
  }
});

test('rollback on a finite run is harmless', () => {
  const run = engine.createRun({ dataset: 'spiral', layers: [8], seed: 2 });
  try {
    run.step(10);
    run.snapshot();
    const back = run.rollback();
    assert.ok(back >= 0 && back <= 10);
    assert.equal(run.status().step, back);
    assert.equal(run.divergence(), null);
  } finally {
    run.dispose();
  }
});
