// The page's reading of a network spec (web/net-spec.js, the setting `net` in web/state.js):
// canonical text, specific errors, and shapes that agree with the engine's own layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNet, netGeometry, netWidths } from '../../web/net-spec.js';
import { parse, serialize, toEngineConfig } from '../../web/state.js';
import { monitorWork } from '../../web/monitor-cadence.js';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, engine } from './wasm-engine.mjs';

engine.provideData('mnist14', new Uint8Array(fs.readFileSync(path.join(ROOT, 'build', 'data', 'mnist14.bin'))));

const ACTS = ['relu', 'leaky_relu', 'elu', 'tanh'];

test('parseNet: canonical text, defaults written out, activations kept', () => {
  const r = parseNet(' Conv2d(8, 5, SAME), maxpool(2), conv2d(16,3,valid,2,elu), avgpool(2), dense(64,tanh) ', ACTS);
  assert.equal(r.text, 'conv2d(8,5,same),maxpool(2),conv2d(16,3,valid,2,elu),avgpool(2),dense(64,tanh)');
  assert.deepEqual(r.layers[2], { type: 'conv2d', channels: 16, kernel: 3, padding: 0, stride: 2, norm: null, activation: 'elu' });
  assert.equal(parseNet('conv2d(4,3,1)', ACTS).text, 'conv2d(4,3,1)');
  assert.equal(parseNet('conv2d(4,3,valid)', ACTS).text, 'conv2d(4,3)');
  assert.deepEqual(parseNet('', ACTS), { layers: [], text: '' });
  assert.deepEqual(netWidths(r.layers), [8, 16, 64]);
});

test('parseNet: norms, anywhere among the trailing words, written back before the activation; the engine agrees', () => {
  const r = parseNet('conv2d(4,3,same,batchnorm),maxpool(2),conv2d(6,3,elu,layernorm),dense(16,batchnorm),dense(8,tanh,layernorm)', ACTS);
  assert.equal(r.text, 'conv2d(4,3,same,batchnorm),maxpool(2),conv2d(6,3,layernorm,elu),dense(16,batchnorm),dense(8,layernorm,tanh)');
  assert.deepEqual(r.layers.map((L) => L.norm ?? null), ['batch', null, 'layer', 'batch', 'layer']);
  assert.equal(r.layers[2].activation, 'elu');
  assert.deepEqual(parseNet(r.text, ACTS), r);
  for (const [text, re] of [
    ['dense(8,batchnorm,layernorm)', /one norm per layer/],
    ['maxpool(2,batchnorm)', /maxpool takes no norm/],
    ['dense(8,groupnorm)', /unknown activation "groupnorm"/],
  ])
    assert.match(parseNet(text, ACTS).error ?? '', re, text);
  // The engine reads the same text: the same norms, in its JSON form.
  const run = engine.createRun({ dataset: 'mnist14', net: r.text, samples: 50, batch: 16 });
  const net = run.config().net;
  const shapes = run.weights().layers;
  run.dispose();
  assert.deepEqual(net.map((L) => L.norm ?? null), ['batch', null, 'layer', 'batch', 'layer']);
  assert.equal(netGeometry(r.layers, [1, 14, 14], 10).units.length, shapes.length - 1);
});

test('parseNet: each fault is named with its token', () => {
  const cases = [
    ['conv2d(8,12)', /token 1 "conv2d\(8,12\)": kernel must be in 1\.\.11/],
    ['dense(8),pool(2)', /token 2 "pool\(2\)": unknown layer type/],
    ['conv2d(0,3)', /channels must be in 1\.\.64/],
    ['conv2d(8,3,same,2)', /padding same needs stride 1/],
    ['conv2d(8,3,1,3)', /stride must be in 1\.\.2/],
    ['maxpool(2,relu)', /maxpool takes no activation/],
    ['dense(8,swish)', /unknown activation "swish"/],
    ['dense(8', /token 1 "dense\(8": expected name\(arguments\)/],
    ['dense(8),,dense(4)', /name\(arguments\) separated by commas/],
    ['dense(1.5)', /units must be a whole number/],
    [Array(11).fill('dense(2)').join(','), /at most 10 layers/],
  ];
  for (const [text, re] of cases) assert.match(parseNet(text, ACTS).error ?? '', re, text);
});

test('netGeometry: map sizes, kernels and channel counts equal the engine\'s layers', () => {
  const nets = [
    'conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)',
    'conv2d(3,3),conv2d(4,4,1,2),avgpool(3),dense(5)',
    'conv2d(2,2,same),maxpool(3),conv2d(5,3,2)',
  ];
  for (const dataset of ['mnist14']) {
    for (const text of nets) {
      const layers = parseNet(text, ACTS).layers;
      const run = engine.createRun({ dataset, net: text, samples: 50 });
      const shapes = run.weights().layers;
      const g = netGeometry(run.config().net, [1, 14, 14], 10);
      run.dispose();
      assert.equal(g.units.length, shapes.length - 1, text);
      g.units.forEach((u, l) => {
        assert.equal(u.positions, shapes[l].positions, `${text}: layer ${l} positions`);
        assert.equal(u.units, shapes[l].out, `${text}: layer ${l} units`);
        assert.equal(u.kind === 'conv' ? u.inChannels * u.kernel * u.kernel : u.inChannels, shapes[l].in, `${text}: layer ${l} fan-in`);
      });
      assert.deepEqual(netGeometry(layers, [1, 14, 14], 10), g);
    }
  }
  assert.match(netGeometry(parseNet('conv2d(2,9),conv2d(2,9)', ACTS).layers, [1, 14, 14]).error, /layer 2 \(conv2d\(2,9\)\): a 9x9 kernel does not fit a 6x6 map/);
  assert.match(netGeometry(parseNet('maxpool(8),maxpool(2)', ACTS).layers, [1, 14, 14]).error, /a 2x2 window does not fit a 1x1 map/);
});

test('the setting net: links round-trip, a net the data cannot take goes with its reason', () => {
  const q = 'dataset=mnist&net=conv2d(8,5,same),maxpool(2),dense(32)&seed=3';
  const r = parse(q);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.state.layers, [8, 32]);
  assert.equal(serialize(r.state), 'dataset=mnist&net=conv2d(8,5,same),maxpool(2),dense(32)&monitorEvery=1000&seed=3');
  assert.deepEqual(parse(serialize(r.state)).state, r.state);
  const cfg = toEngineConfig(r.state);
  assert.equal(cfg.net, 'conv2d(8,5,same),maxpool(2),dense(32)');
  assert.deepEqual(cfg.layers, [8, 32]);
  assert.equal('net' in toEngineConfig(parse('layers=4').state), false);

  const spiral = parse('net=conv2d(4,3)&layers=6');
  assert.equal(spiral.state.net, '');
  assert.deepEqual(spiral.state.layers, [6]);
  assert.match(spiral.warnings.join(), /net: convolutions and pooling need image data \(mnist, mnist14\), not spiral; using the dense layers/);
  const big = parse('dataset=mnist14&net=conv2d(4,3),maxpool(8),maxpool(2)');
  assert.equal(big.state.net, '');
  assert.match(big.warnings.join(), /does not fit/);
  const bad = parse('dataset=mnist&net=conv2d(4,3,same,2)');
  assert.deepEqual(bad.invalid, ['net']);
  assert.match(bad.warnings.join(), /padding same needs stride 1; using the dense layers/);
  // A dense net on 2-D data is fine, normalised too.
  assert.deepEqual(parse('net=dense(5),dense(3)').state.layers, [5, 3]);
  const normed = parse('net=dense(16,BatchNorm),dense(8,tanh,layernorm)');
  assert.deepEqual(normed.warnings, []);
  assert.equal(normed.state.net, 'dense(16,batchnorm),dense(8,layernorm,tanh)');
  assert.equal(toEngineConfig(normed.state).net, 'dense(16,batchnorm),dense(8,layernorm,tanh)');
});

test('monitor cadence: a convnet\'s work counts its convolutions position by position', () => {
  const dense = monitorWork({ dataset: 'mnist', layers: [8, 16, 128], batch: 32, dead: 'full' });
  const conv = monitorWork({ dataset: 'mnist', layers: [8, 16, 128], net: 'conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)', batch: 32, dead: 'full' });
  // 28*28*8*25 + 14*14*16*200 + 784*128 + 128*10 multiply-adds a sample.
  assert.equal(conv.evalMacs, 8000 * (156800 + 627200 + 100352 + 1280));
  assert.ok(conv.evalMacs > 50 * dense.evalMacs);
});
