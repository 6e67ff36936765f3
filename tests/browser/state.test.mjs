// Pure unit tests of web/state.js: the one table of settings, parse and serialize.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, serialize, defaults, toEngineConfig, SETTINGS, registerPresetIds, cadenceFor, liveUpdates, needsRestart, usesWeightDecay, OPTIMIZERS } from '../../web/state.js';
import { PRESETS } from '../../web/presets.js';

registerPresetIds(PRESETS.map((p) => p.id));

test('defaults parse to defaults with no warnings', () => {
  const { state, warnings } = parse('');
  assert.deepEqual(state, defaults());
  assert.deepEqual(warnings, []);
});

test('serialize then parse round-trips every preset and a hand-made state', () => {
  // A link without monitorEvery gets the cadence that fits its network (monitor-cadence.js):
  // 10 on the small nets, sparser on MNIST's, whose one evaluation is a big job.
  const states = PRESETS.map((p) => {
    const s = { ...defaults(), ...structuredClone(p.settings), preset: p.id };
    return { ...s, monitorEvery: cadenceFor(s.speed, s) };
  });
  assert.ok(states.find((s) => s.preset === 'mnist').monitorEvery > 10, 'MNIST\'s cadence is fitted to its size');
  states.push({ ...defaults(), lr: 0.125, layers: [4, 5, 6], activation: 'leaky_relu', test: 0.3, standardize: true, dead: 'probe', probe: 512, seed: 123456, hist: 'bands', speed: '300', steps: 'log' });
  for (const s of states) {
    const q = serialize(s);
    const { state, warnings } = parse(q);
    assert.deepEqual(warnings, [], q);
    assert.deepEqual(state, s, q);
    assert.equal(serialize(state), q);
  }
});

test('the seed is always in the link', () => {
  assert.match(serialize(defaults()), /(^|&)seed=1(&|$)/);
});

test('out-of-range values are clamped, with a warning naming the setting', () => {
  const { state, warnings } = parse('lr=1000&batch=-5&noise=2&layers=0,8,999&seed=1.5');
  assert.equal(state.lr, 10);
  assert.equal(state.batch, 0);
  assert.equal(state.noise, 1);
  assert.deepEqual(state.layers, [1, 8, 512]);
  assert.equal(state.seed, 2);
  for (const name of ['lr', 'batch', 'noise', 'layers', 'seed']) assert.ok(warnings.some((w) => w.startsWith(name)), `${name}: ${warnings}`);
});

test('unknown names and values fall back to defaults with warnings', () => {
  const { state, warnings } = parse('activation=swishy&bogus=1&dataset=csv&lr=abc&standardize=maybe&lr=5');
  assert.equal(state.activation, 'relu');
  assert.equal(state.dataset, 'spiral');
  assert.equal(state.lr, defaults().lr);
  assert.equal(state.standardize, false);
  assert.equal(warnings.length, 6);
});

test('hostile input never passes through: only table values come out', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const q = new URLSearchParams({ activation: evil, dataset: evil, init: evil, preset: evil, compare: `activation:${evil}|relu`, layers: evil, [evil]: '1', lr: evil });
  const { state, warnings } = parse(q.toString());
  const allowed = new Set(SETTINGS.flatMap((d) => d.values ?? []));
  for (const name of ['activation', 'dataset', 'init']) assert.ok(allowed.has(state[name]), name);
  assert.equal(state.preset, '');
  assert.ok(Number.isFinite(state.lr));
  assert.ok(state.layers.every((w) => Number.isInteger(w)));
  assert.equal(state.compare, null); // one valid value is not enough to compare
  assert.ok(!JSON.stringify(state).includes('<'));
  // Warnings quote the input only as a short, printable excerpt (shown with textContent).
  for (const w of warnings) assert.ok(w.length < 200, w);
});

test('compare: validated by the compared setting, 2 to 4 runs', () => {
  let r = parse('compare=activation:relu|leaky-relu|selu');
  assert.deepEqual(r.state.compare, { key: 'activation', values: ['relu', 'leaky_relu', 'selu'] });
  r = parse('compare=lr:0.1|50|0.01|0.2|0.3');
  assert.deepEqual(r.state.compare, { key: 'lr', values: [0.1, 10, 0.01, 0.2] });
  assert.equal(r.warnings.length, 2);
  r = parse('compare=dataset:spiral|xor');
  assert.equal(r.state.compare, null);
  assert.equal(r.warnings.length, 1);
});

test('engine config uses the engine keys and the dead definition', () => {
  const s = { ...defaults(), dead: 'dormant', tau: 0.2, biasInit: -3, test: null };
  const cfg = toEngineConfig(s, { lr: 0.5 });
  assert.equal(cfg.lr, 0.5);
  assert.equal(cfg.bias_init, -3);
  assert.equal(cfg.dead_def, 'dormant:0.2');
  assert.ok(!('test_fraction' in cfg));
  assert.ok(!('speed' in cfg) && !('preset' in cfg));
});

test('hidden widths up to 512 are accepted; 513 is clamped to 512 with a warning', () => {
  const ok = parse('layers=512,512');
  assert.deepEqual(ok.state.layers, [512, 512]);
  assert.deepEqual(ok.warnings, []);
  const { state, warnings } = parse('layers=512,513');
  assert.deepEqual(state.layers, [512, 512]);
  assert.deepEqual(warnings, ['layers width: 513 is above 512; clamped to 512']);
});

test('weightDecay: AdamW\'s decoupled decay, in links, clamped to [0, 0.99], sent as weight_decay', () => {
  assert.ok(OPTIMIZERS.includes('adamw'), `the engine's optimisers: ${OPTIMIZERS}`);
  // PyTorch's AdamW default, and not written into a link while it is the default.
  assert.equal(defaults().weightDecay, 0.01);
  assert.equal(toEngineConfig(defaults()).weight_decay, 0.01);
  assert.doesNotMatch(serialize({ ...defaults(), optimizer: 'adamw' }), /weightDecay/);
  const { state, warnings } = parse('optimizer=adamw&weightDecay=0.05');
  assert.deepEqual(warnings, []);
  assert.equal(state.optimizer, 'adamw');
  assert.equal(state.weightDecay, 0.05);
  assert.equal(toEngineConfig(state).weight_decay, 0.05);
  const q = serialize(state);
  assert.match(q, /(^|&)weightDecay=0\.05(&|$)/);
  assert.deepEqual(parse(q).state, state);
  // The engine refuses 1 and above (at lr 1 the factor 1 - lr * wd would zero the weights): clamped.
  let r = parse('optimizer=adamw&weightDecay=1');
  assert.equal(r.state.weightDecay, 0.99);
  assert.deepEqual(r.warnings, ['weightDecay: 1 is above 0.99; clamped to 0.99']);
  r = parse('optimizer=adamw&weightDecay=-0.1');
  assert.equal(r.state.weightDecay, 0);
  r = parse('optimizer=adamw&weightDecay=lots');
  assert.equal(r.state.weightDecay, 0.01);
  assert.deepEqual(r.invalid, ['weightDecay']);
});

test('weightDecay is read by adamw only; another optimiser keeps it for a switch, without a warning', () => {
  const sgd = parse('weightDecay=0.1');
  assert.equal(sgd.state.weightDecay, 0.1);
  assert.deepEqual(sgd.warnings, []);  // a shared state that switched away from adamw: valid, and it round-trips
  assert.equal(usesWeightDecay(sgd.state), false);
  assert.equal(usesWeightDecay(defaults()), false);
  assert.equal(usesWeightDecay({ ...defaults(), optimizer: 'adam', compare: { key: 'optimizer', values: ['sgd', 'adam'] } }), false);
  // adamw, or a compare that runs adamw, reads it.
  for (const q of ['optimizer=adamw', 'compare=optimizer:adam|adamw&weightDecay=0.1', 'optimizer=adamw&compare=weightDecay:0|0.1|0.3']) {
    const r = parse(q);
    assert.deepEqual(r.warnings, [], q);
    assert.ok(usesWeightDecay(r.state), q);
  }
  assert.deepEqual(parse('compare=weightDecay:0|0.1&optimizer=adamw').state.compare, { key: 'weightDecay', values: [0, 0.1] });
});

test('weightDecay changes the running network; the optimiser restarts it', () => {
  const a = { ...defaults(), optimizer: 'adamw' };
  const b = { ...a, weightDecay: 0.2 };
  assert.deepEqual(liveUpdates(a, b), [['weight_decay', 0.2]]);
  assert.equal(needsRestart(a, b), false);
  assert.equal(needsRestart(a, { ...a, optimizer: 'adam' }), true);
});

test('a cadence chosen by hand survives the link even when it is the default (10 on MNIST, fitted 1000)', () => {
  // Found by the round-trip property: serialize left out monitorEvery=10 as the default, and the
  // link then parsed to MNIST's fitted cadence.
  for (const q of ['dataset=mnist&monitorEvery=10', 'dataset=mnist&monitorEvery=', 'dataset=mnist']) {
    const { state } = parse(q);
    assert.equal(parse(serialize(state)).state.monitorEvery, state.monitorEvery, q);
  }
  assert.equal(parse('dataset=mnist&monitorEvery=10').state.monitorEvery, 10);
  assert.equal(parse('dataset=mnist').state.monitorEvery, cadenceFor('max', parse('dataset=mnist').state));
  assert.doesNotMatch(serialize(defaults()), /monitorEvery/);  // the toy default still writes nothing
});
