// What a convnet's views draw, through the real .wasm: run.activations (every layer's outputs
// for one input) against a float64 convolution written here from the saved weights (PyTorch's
// layouts), the worker's quantised maps (web/feature-maps.js), a channel's top inputs with its
// maps, and the filter pictures (web/image-data.js unitPicture) against the saved filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, engine } from './wasm-engine.mjs';
import { netGeometry } from '../../web/net-spec.js';
import { featureMaps, channelMaps } from '../../web/feature-maps.js';
import { unitPicture } from '../../web/image-data.js';

engine.provideData('mnist14', new Uint8Array(fs.readFileSync(path.join(ROOT, 'build', 'data', 'mnist14.bin'))));
const NET = 'conv2d(4,3,same),maxpool(2),conv2d(6,3,1,2),dense(16)';

function makeRun(extra = {}) {
  const run = engine.createRun({ dataset: 'mnist14', net: NET, batch: 16, lr: 0.05, seed: 4, samples: 600, monitor_every: 1, ...extra });
  run.step(30);
  return run;
}

// relu(conv) of one (C,H,W) volume with PyTorch's weight[o][c][i][j], in float64.
function conv(x, [C, H, W], L, k, pad, stride) {
  const out = L.bias.length, ho = Math.floor((H + 2 * pad - k) / stride) + 1, wo = Math.floor((W + 2 * pad - k) / stride) + 1;
  const y = new Float64Array(out * ho * wo);
  for (let o = 0; o < out; o++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        let z = L.bias[o];
        for (let c = 0; c < C; c++)
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              const iy = oy * stride - pad + i, ix = ox * stride - pad + j;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W) z += L.weight[o][c][i][j] * x[(c * H + iy) * W + ix];
            }
        y[(o * ho + oy) * wo + ox] = Math.max(0, z);
      }
  return { y, shape: [out, ho, wo] };
}
function maxpool(x, [C, H, W], s) {
  const ho = Math.floor(H / s), wo = Math.floor(W / s), y = new Float64Array(C * ho * wo);
  for (let c = 0; c < C; c++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        let m = -Infinity;
        for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) m = Math.max(m, x[(c * H + oy * s + i) * W + ox * s + j]);
        y[(c * ho + oy) * wo + ox] = m;
      }
  return { y, shape: [C, ho, wo] };
}

test('activations: the conv layers\' maps equal a float64 convolution of the saved weights; the output equals predict()', () => {
  const run = makeRun();
  const saved = JSON.parse(run.exportWeights());
  const convs = saved.layers.filter((L) => L.type === 'conv2d');
  const test = run.data(true);
  for (const j of [0, 7, 99]) {
    const acts = run.activations(j, true);
    const x = Float64Array.from(test.x.subarray(j * 196, (j + 1) * 196));
    const a1 = conv(x, [1, 14, 14], convs[0], 3, 1, 1);
    const p1 = maxpool(a1.y, a1.shape, 2);
    const a2 = conv(p1.y, p1.shape, convs[1], 3, 1, 2);
    assert.equal(acts[0].length, a1.y.length);
    assert.equal(acts[1].length, a2.y.length);
    acts[0].forEach((v, k) => assert.ok(Math.abs(v - a1.y[k]) < 1e-5, `input ${j}, layer 1, value ${k}: ${v} vs ${a1.y[k]}`));
    acts[1].forEach((v, k) => assert.ok(Math.abs(v - a2.y[k]) < 1e-4, `input ${j}, layer 2, value ${k}: ${v} vs ${a2.y[k]}`));
    // The output layer: the network's output for that input, bit for bit.
    assert.deepEqual(Array.from(acts[3]), Array.from(run.predict(test.x.subarray(j * 196, (j + 1) * 196))));
  }
  assert.throws(() => run.activations(test.y.length, true), /no test input 120 \(0\.\.119\)/);
  run.dispose();
});

test('feature maps: bytes on the layer\'s scale; a dead channel\'s map is 0 everywhere; the geometry says the sizes', () => {
  const run = makeRun();
  // Channel 2 of conv layer 1 made dead by hand: bias -100 (every z < 0 on [0, 1] pixels).
  const w = JSON.parse(run.exportWeights());
  w.layers[0].bias[2] = -100;
  run.importWeights(w);
  const g = netGeometry(run.config().net, [1, 14, 14], 10);
  const maps = featureMaps(run, g, { set: 'test', index: 5 });
  assert.equal(maps.layers[2], null, 'the dense layer has no maps');
  const L1 = maps.layers[0];
  assert.deepEqual([L1.height, L1.width, L1.bytes.length], [14, 14, 4 * 196]);
  assert.deepEqual([maps.layers[1].height, maps.layers[1].width], [4, 4]);
  const acts = run.activations(5, true)[0];
  assert.equal(L1.scale, Math.max(...acts));
  acts.forEach((v, k) => assert.equal(L1.bytes[k], Math.round((Math.max(0, v) / L1.scale) * 255)));
  assert.ok(L1.bytes.subarray(2 * 196, 3 * 196).every((b) => b === 0));
  // The monitor agrees: that channel is dead (state code 0 is dead in the engine's table).
  const snap = run.snapshot();
  assert.equal(snap.layers[0].counts.dead >= 1, true);
  assert.equal(snap.layers[0].activeFraction[2], 0);
  assert.equal(snap.layers[0].inputFraction[2], 0);
  assert.ok(snap.layers[0].inputFraction[0] >= snap.layers[0].activeFraction[0]);
  run.dispose();
});

test('a channel\'s top inputs: z is its largest over the map, and the maps sent with them peak there', () => {
  const run = makeRun();
  const g = netGeometry(run.config().net, [1, 14, 14], 10);
  const top = run.topInputs(0, 1, 4);
  const m = channelMaps(run, g, 0, 1, top.index);
  assert.equal(m.bytes.length, 4 * 196);
  for (let k = 0; k < 4; k++) {
    const a = run.activations(top.index[k], false)[0].subarray(196, 392);
    assert.equal(Math.max(...a), Math.max(0, top.z[k]), 'relu of the largest z is the map\'s peak');
  }
  assert.equal(m.scale, Math.max(0, top.z[0]));
  run.dispose();
});

test('filter pictures read the saved filters: slice c of filter o, pixel (i, j) is weight[o][c][i][j]', () => {
  const run = makeRun();
  const weights = run.weights();
  const saved = JSON.parse(run.exportWeights()).layers.filter((L) => L.type === 'conv2d');
  const g = netGeometry(run.config().net, [1, 14, 14], 10);
  // Layer 2 reads 4 channels: 2 slices a row, 2 rows, 3x3 each, one blank pixel between.
  const pic = unitPicture(weights, 1, 5, [1, 14, 14], g.units[1]);
  assert.deepEqual(pic.shape, [1, 7, 7]);
  for (let c = 0; c < 4; c++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const p = (Math.floor(c / 2) * 4 + i) * 7 + (c % 2) * 4 + j;
        assert.equal(pic.at(p), Math.fround(saved[1].weight[5][c][i][j]));
      }
  assert.equal(pic.at(3), 0, 'the blank column between slices');
  const first = unitPicture(weights, 0, 3, [1, 14, 14], g.units[0]);
  assert.deepEqual(first.shape, [1, 3, 3]);
  assert.equal(first.at(4), Math.fround(saved[0].weight[3][0][1][1]));
  // The dense layer above the convolutions has no picture; a dense first layer is the image.
  assert.equal(unitPicture(weights, 2, 0, [1, 14, 14], g.units[2]), null);
  run.dispose();
});
