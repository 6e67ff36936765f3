// The JS API's shape and behaviour over the real module: snapshots, events, neuron
// interventions, weights, grid, predict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadEngine, snapshotTransferables, STATE_NAMES } from '../../web/engine.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
function wasmDir() {
  for (const d of [process.env.RELU_WASM_DIR, path.join(ROOT, 'build-wasm'), path.join(ROOT, 'dist')]) {
    if (d && fs.existsSync(path.join(d, 'relu_engine.wasm'))) return d;
  }
  throw new Error('relu_engine.wasm not found: build it (see bindings/README.md) or set RELU_WASM_DIR');
}
const dir = wasmDir();
const engine = await loadEngine({ moduleUrl: pathToFileURL(path.join(dir, 'relu_engine.js')), wasmBinary: fs.readFileSync(path.join(dir, 'relu_engine.wasm')) });

const DYING = { dataset: 'circle', layers: [16, 16, 16], activation: 'relu', batch: 16, optimizer: 'adam', lr: 0.05, bias_init: -0.5, seed: 7 };

test('snapshot shape', () => {
  const run = engine.createRun({ dataset: 'spiral', layers: [8, 6], batch: 16, seed: 1 });
  run.step(50);
  const s = run.snapshot();
  for (const k of ['step', 'trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy', 'batchLoss', 'gradNorm']) assert.equal(typeof s[k], 'number', k);
  assert.equal(s.step, 50);
  assert.equal(typeof s.diverged, 'boolean');
  assert.equal(typeof s.bornDead, 'boolean');
  assert.deepEqual(s.layers.map((l) => l.width), [8, 6]);
  assert.equal(s.layers[0].activation, 'relu');
  assert.ok(Array.isArray(s.events));
  assert.ok(snapshotTransferables(s).every((b) => b instanceof ArrayBuffer));
  assert.deepEqual(run.config().layers, [8, 6]);
  const info = run.dataInfo();
  assert.equal(info.features, 2);
  assert.equal(info.task, 'binary');
  run.dispose();
});

test('same config and seed: same numbers; different seed: different', () => {
  const cfg = { dataset: 'spiral', layers: [8, 8], batch: 16, seed: 3 };
  // Whatever the heap layout (Eigen's sums depend on data alignment; see bindings/aligned_heap.c).
  const losses = new Set();
  const junk = [];
  for (let i = 0; i < 12; i++) {
    junk.push(engine.createRun({ dataset: 'xor', layers: [i + 1], seed: i }));
    const r = engine.createRun(cfg);
    r.step(200);
    losses.add(r.snapshot().trainLoss);
    r.dispose();
  }
  for (const r of junk) r.dispose();
  assert.equal(losses.size, 1, `same config, different results: ${[...losses]}`);
  const a = engine.createRun(cfg), b = engine.createRun(cfg), c = engine.createRun({ ...cfg, seed: 4 });
  for (const r of [a, b, c]) r.step(200);
  assert.equal(a.snapshot().trainLoss, b.snapshot().trainLoss);
  assert.notEqual(a.snapshot().trainLoss, c.snapshot().trainLoss);
  assert.equal(a.exportWeights(), b.exportWeights());
  for (const r of [a, b, c]) r.dispose();
});

test('events: deaths, then revivals, each reported once', () => {
  const run = engine.createRun(DYING);
  run.step(200);
  const s1 = run.snapshot();
  const dead = s1.layers.reduce((n, l) => n + l.counts.dead, 0);
  assert.ok(dead > 0, 'the config should kill some units');
  assert.ok(s1.events.some((e) => e.kind === 'died'));
  for (const e of s1.events) {
    assert.ok(e.layer >= 0 && e.layer < 3 && e.neuron >= 0 && e.neuron < 16 && e.step <= 200);
  }
  const s2 = run.snapshot();
  assert.equal(s2.events.length, 0, 'no event is reported twice');
  const revived = run.revive();
  assert.ok(revived > 0);
  const s3 = run.snapshot();
  assert.ok(s3.events.some((e) => e.kind === 'revived'));
  run.dispose();
});

test('interventions show in the snapshot', () => {
  const run = engine.createRun({ dataset: 'spiral', layers: [8, 8], batch: 16, seed: 1 });
  run.setFrozen(0, 2, true).setAblated(1, 3, true);
  run.step(20);
  const s = run.snapshot();
  assert.equal(s.layers[0].frozen[2], 1);
  assert.equal(s.layers[1].ablated[3], 1);
  assert.equal(s.layers[0].frozen[1], 0);
  run.setFrozen(0, 2, false);
  assert.equal(run.snapshot().layers[0].frozen[2], 0);
  run.reviveNeuron(0, 5);
  run.set('activation', 'tanh');
  assert.equal(run.snapshot().layers[0].activation, 'tanh');
  run.dispose();
});

test('weights, grid and predict agree with each other', () => {
  const run = engine.createRun({ dataset: 'xor', layers: [5, 4], batch: 8, seed: 2 });
  run.step(30);
  const w = run.weights();
  assert.deepEqual(w.layers.map((l) => [l.in, l.out]), [[2, 5], [5, 4], [4, 1]]);
  const last = w.layers.at(-1);
  assert.equal(w.params.length, last.sOffset + last.out);
  // exported JSON holds the same floats, written shortest (weight rows = neurons; params column-major)
  const j = JSON.parse(run.exportWeights());
  const L0 = w.layers[0];
  assert.equal(Math.fround(j.layers[0].weight[3][1]), w.params[L0.wOffset + 1 * L0.out + 3]);
  assert.equal(Math.fround(j.layers[0].bias[4]), w.params[L0.bOffset + 4]);
  // the grid's top-left corner is (x min, y max) of the domain
  const info = run.dataInfo();
  const g = run.grid(-1, 0, 8);
  assert.equal(g.length, 64);
  const p = run.predict([[info.domain_min[0], info.domain_max[1]], [info.domain_max[0], info.domain_min[1]]]);
  assert.equal(p.length, 2);
  assert.ok(Math.abs(p[0] - g[0]) < 1e-6 && Math.abs(p[1] - g[63]) < 1e-6, `${p} vs ${g[0]}, ${g[63]}`);
  assert.equal(run.grid(1, 3, 16).length, 256);
  // round trip
  const text = run.exportWeights();
  run.step(10);
  assert.notEqual(run.exportWeights(), text);
  run.importWeights(text);
  assert.equal(run.exportWeights(), text);
  run.dispose();
});

test('engine info lists names and live keys', () => {
  const info = engine.info();
  assert.ok(info.datasets.includes('spiral'));
  assert.ok(info.activations.includes('relu'));
  assert.ok(info.live_keys.includes('lr'));
  // The key table's rows with their live flag; live_keys is exactly the live ones.
  const keys = Object.fromEntries(info.keys.map((k) => [k.name, k.live]));
  assert.equal(keys.lr, true);
  assert.equal(keys.layers, false);
  assert.deepEqual(info.keys.filter((k) => k.live).map((k) => k.name), info.live_keys);
  // State names come from the engine; engine.js's exports agree with them.
  assert.deepEqual(info.states, ['dead', 'saturated', 'always_on', 'mostly_silent', 'healthy']);
  assert.deepEqual(STATE_NAMES, ['dead', 'saturated', 'alwaysOn', 'mostlySilent', 'healthy']);
  assert.deepEqual(info.history_columns, {
    fixed: ['step', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy', 'grad_norm'],
    per_layer: ['dead_l', 'mostly_silent_l', 'grad_norm_l', 'prelu_slope_l'],
  });
});

test('adamw through the JS API: createRun({weight_decay}), a live set, and the range message', () => {
  assert.deepEqual(engine.info().optimizers, ['sgd', 'momentum', 'rmsprop', 'adam', 'adamw']);
  assert.ok(engine.info().live_keys.includes('weight_decay'));
  const cfg = { dataset: 'spiral', layers: [8, 8], batch: 16, optimizer: 'adamw', lr: 0.01, seed: 2 };
  const a = engine.createRun({ ...cfg, weight_decay: 0 });
  const b = engine.createRun({ ...cfg, optimizer: 'adam' });
  const c = engine.createRun({ ...cfg, weight_decay: 0.3 });
  assert.equal(b.config().weight_decay, 0.01);  // PyTorch's default, kept (unread) by adam
  a.step(30);
  b.step(30);
  c.step(30);
  assert.deepEqual(a.weights().params, b.weights().params, 'adamw with weight_decay 0 is adam');
  assert.notDeepEqual(c.weights().params, b.weights().params);
  // Live: the decay changes in place (the moments are kept); a value out of range is refused.
  a.set('weight_decay', 0.3);
  assert.equal(a.config().weight_decay, 0.3);
  assert.throws(() => a.set('weight_decay', 1), /weight_decay must be a finite number < 1 \(got 1\)/);
  assert.equal(a.config().weight_decay, 0.3);  // a refused value changes nothing
  b.set('optimizer', 'adamw');
  assert.equal(b.config().optimizer, 'adamw');
  for (const r of [a, b, c]) r.dispose();
});

test('a snapshot is a pure read: reading twice, or often, changes nothing', () => {
  const cfg = { dataset: 'xor', layers: [8, 8], lr: 0.3, bias_init: -2, batch: 10, monitor_every: 10, seed: 4 };
  const a = engine.createRun(cfg);
  const b = engine.createRun(cfg);
  a.step(25);
  for (let i = 0; i < 25; i++) b.step(1).snapshot();
  const sa = a.snapshot();
  const sb = b.snapshot();
  assert.equal(sa.monitorStep, 20, 'the report is the last cadence evaluation');
  assert.equal(sb.monitorStep, 20);
  assert.equal(sa.eventsTotal, sb.eventsTotal);
  assert.deepEqual(sa.layers.map((l) => Array.from(l.states)), sb.layers.map((l) => Array.from(l.states)));
  assert.deepEqual(a.weights().params, b.weights().params);
  a.dispose();
  b.dispose();
});
