// (b) Bad configs and bad calls throw JS Errors carrying the engine's message, and the
// module keeps working afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';


const GOOD = { dataset: 'spiral', layers: [8, 8], batch: 16, seed: 1 };

function healthy() {
  const run = engine.createRun(GOOD);
  run.step(20);
  const s = run.snapshot();
  assert.equal(s.step, 20);
  assert.ok(Number.isFinite(s.trainLoss));
  run.dispose();
}

const BAD_CONFIGS = [
  [{ layers: [0] }, /layers/],
  [{ layers: [2000] }, /layers/],
  [{ lr: -1 }, /lr/],
  [{ lr: 'fast' }, /lr/],
  [{ dataset: 'nope' }, /dataset/],
  [{ activation: 'swish2' }, /activation/],
  [{ bogus_key: 1 }, /bogus_key/],
  [{ dataset: 'csv', csv_text: 'a,b\n1,x\n' }, /./],
  [{ dataset: 'csv', csv_text: '' }, /./],
  [{ optimizer: 'sgdx' }, /optimizer/],
  [{ batch: -3 }, /batch/],
  [{ layers: [1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024] }, /param/],
];

test('bad configs throw Errors with the engine message', () => {
  for (const [cfg, re] of BAD_CONFIGS) {
    assert.throws(() => engine.createRun({ ...GOOD, ...cfg }), (e) => {
      assert.ok(e instanceof Error, `not an Error: ${e}`);
      assert.match(e.message, re, `config ${JSON.stringify(cfg).slice(0, 80)} gave "${e.message}"`);
      assert.ok(e.message.length > 3 && !/^\d+$/.test(e.message), `unhelpful message "${e.message}"`);
      return true;
    });
  }
  healthy();
});

test('malformed config text throws', () => {
  assert.throws(() => engine.createRun('{"layers": [8,'), Error);
  assert.throws(() => engine.createRun('[1,2]'), Error);
  healthy();
});

test('bad calls on a live run throw and leave the run usable', () => {
  const run = engine.createRun(GOOD);
  run.step(5);
  assert.throws(() => run.set('lr', -1), /lr/);
  assert.throws(() => run.set('layers', [4]), /cannot change during a run/);
  assert.throws(() => run.set('no_such_key', 1), Error);
  assert.throws(() => run.reviveNeuron(7, 0), /not a hidden layer/);
  assert.throws(() => run.reviveNeuron(0, 99), /no neuron/);
  assert.throws(() => run.setFrozen(-1, 0, true), /hidden layer/);
  assert.throws(() => run.setAblated(0, 8, true), /neuron/);
  assert.throws(() => run.importWeights('{"layers": 3}'), Error);
  assert.throws(() => run.importWeights('not json'), Error);
  assert.throws(() => run.grid(0, 0, 1), /resolution/);
  assert.throws(() => run.grid(5, 0, 16), /hidden layer/);
  assert.throws(() => run.step(-1), /step/);
  assert.throws(() => run.predict([1, 2, 3]), /multiple of 2/);
  // still fine
  run.set('lr', 0.1);
  run.step(5);
  const s = run.snapshot();
  assert.equal(s.step, 10);
  assert.ok(Number.isFinite(s.trainLoss));
  const w = run.exportWeights();
  run.importWeights(w);
  assert.equal(run.exportWeights(), w);
  run.dispose();
  assert.throws(() => run.step(1), /disposed/);
  run.dispose(); // twice is fine
  healthy();
});

test('many errors in a row do not leak or break the module', () => {
  const before = engine.heapBytes();
  for (let i = 0; i < 2000; i++) {
    assert.throws(() => engine.createRun({ ...GOOD, lr: -i - 1 }), /lr/);
  }
  assert.equal(engine.heapBytes(), before);
  healthy();
});

test('a diverging run reports it instead of failing', () => {
  const run = engine.createRun({ ...GOOD, lr: 50, optimizer: 'sgd', activation: 'linear', layers: [32, 32], dataset: 'reg-plane', loss: 'mse' });
  run.step(2000);
  const st = run.status();
  assert.equal(st.diverged, true);
  assert.ok(st.step < 2000);
  run.snapshot(); // must not throw
  run.dispose();
  healthy();
});
