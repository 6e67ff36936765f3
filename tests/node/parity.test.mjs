// (a) The wasm build and the native CLI give the same losses and dead counts for the
// same config and seed.
//
// Tolerance: losses agree to a relative 1e-4 (absolute 1e-6 near zero) and the
// per-layer state counts (dead, ...) agree exactly, after a few hundred steps; the configs
// marked exact (no libm on their path that rounds differently: ReLU, softmax over a few
// classes, data packed as bytes) agree bit for bit.
// Why a tolerance at all: both builds multiply then add in float with no FMA (wasm SIMD
// has none; the native build is plain SSE), with heap blocks 16-byte aligned on both
// sides (bindings/aligned_heap.c). The matrix products are engine/gemm.cpp's kernel in
// both builds (wasm SIMD in the page, vector extensions natively): every entry summed over
// k in order into a register, then added to C, so the products and reductions agree, and
// today the results are bit-identical (measured: Emscripten 3.1.6 against gcc 12 -O3,
// relative difference 0 on these configs). What may differ
// is libm: glibc (native) and musl (Emscripten) may round exp/log/sin/cos/tanh
// differently in the last place (the spiral and circle generators use sin/cos,
// softmax/BCE use exp/log, tanh is an activation), and gcc versus clang may contract or
// reorder a scalar expression differently after a change to the engine. One ulp is ~6e-8
// relative; SGD amplifies it over steps but over a few hundred steps on these configs
// it stays far below 1e-4 (before the heap alignment fix, when summation order depended
// on heap addresses, the worst case seen was 4e-8). 1e-4 leaves room for that while
// still catching any real difference (a wrong step, a different batch order or
// initialisation moves the loss by far more). A dead count is a discrete verdict on a
// margin (z > 0 on some input) that ulp-level differences do not cross on these configs.
//
// The CLI is RELU_LAB, else build/relu-lab; the test is skipped when neither exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, engine } from './wasm-engine.mjs';


const CLI = [process.env.RELU_LAB, path.join(ROOT, 'build/relu-lab')].find((p) => p && fs.existsSync(p));
const STATE_KEYS = { dead: 'dead', saturated: 'saturated', alwaysOn: 'always_on', mostlySilent: 'mostly_silent', healthy: 'healthy' };

function csvBlobs(rows, seed) {
  // A 4-feature, 3-class problem as exact CSV text (no libm on the data path).
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = [];
  for (let r = 0; r < rows; r++) {
    const x = [0, 0, 0, 0].map(() => Math.round((rnd() * 4 - 2) * 100) / 100);
    const label = x[0] + x[1] > 0.5 ? 2 : x[2] - x[3] > 0 ? 1 : 0;
    lines.push([...x, label].join(','));
  }
  return lines.join('\n');
}

const CONFIGS = [
  { name: 'spiral relu sgd', cfg: { dataset: 'spiral', layers: [16, 16], activation: 'relu', batch: 32, optimizer: 'sgd', lr: 0.05, steps: 300, seed: 3 } },
  { name: 'circle relu adam, units dying', cfg: { dataset: 'circle', layers: [16, 16, 16], activation: 'relu', batch: 16, optimizer: 'adam', lr: 0.05, bias_init: -0.5, steps: 200, seed: 7 } },
  { name: 'csv softmax ce momentum', cfg: { dataset: 'csv', csv_text: csvBlobs(300, 11), loss: 'ce', test_fraction: 0.25, layers: [32, 32], activation: 'relu', batch: 50, optimizer: 'momentum', lr: 0.05, steps: 300, seed: 5 } },
  { name: 'xor tanh full batch', cfg: { dataset: 'xor', layers: [8, 8], activation: 'tanh', batch: 0, optimizer: 'sgd', lr: 0.1, steps: 200, seed: 2 } },
  // The packed real data (build/data, read by the CLI; handed to wasm below). The loaded data
  // are bit-identical in both (data_fingerprint, checked on every run here), and so is the
  // training: the layer products are one kernel in both builds (engine/gemm.cpp). Before that,
  // mnist14 differed from step 0 (the native Eigen product split the sum over MNIST's 196 or
  // 784 inputs into cache-sized blocks; relative 1.5e-8 on the first loss, 1.5e-7 after 150
  // steps), and the MNIST preset at rate 1 ended with 33% dead natively and 79% in the page.
  { name: 'mnist14 relu sgd, bit-identical', exact: true, dataExact: true, cfg: { dataset: 'mnist14', samples: 2000, layers: [32, 32], activation: 'relu', batch: 64, optimizer: 'sgd', lr: 0.5, steps: 150, seed: 3 } },
  // The MNIST preset's network and rate (web/presets.js), a few dozen steps into its dying.
  { name: 'mnist 784-256-256-10 at the preset\'s rate 1, bit-identical', exact: true, dataExact: true, cfg: { dataset: 'mnist', layers: [256, 256], activation: 'relu', batch: 128, optimizer: 'sgd', lr: 1, steps: 60, seed: 5, monitor_every: 20 } },
  { name: 'iris relu adam, bit-identical', exact: true, dataExact: true, cfg: { dataset: 'iris', layers: [8, 8], activation: 'relu', bias_init: -1, batch: 16, optimizer: 'adam', lr: 0.05, steps: 200, seed: 4 } },
  // A convnet (engine/layers/conv2d, pool2d): im2col products on the same kernel, pooling,
  // the flatten, channels monitored. Max and mean pooling, stride 2, a high rate that kills.
  { name: 'mnist14 convnet sgd, bit-identical', exact: true, dataExact: true, cfg: { dataset: 'mnist14', samples: 1000, net: 'conv2d(6,3,same),maxpool(2),conv2d(8,3,1,2),avgpool(2),dense(16)', activation: 'relu', batch: 32, optimizer: 'sgd', lr: 0.5, steps: 60, seed: 3, monitor_every: 20 } },
  { name: 'mnist LeNet adam, bit-identical', exact: true, dataExact: true, cfg: { dataset: 'mnist', samples: 1000, net: 'conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)', activation: 'relu', batch: 32, optimizer: 'adam', lr: 0.01, steps: 20, seed: 1, monitor_every: 10 } },
  // The continual-learning remedies (engine/remedies.h) with ReDo: units replaced (fresh weights
  // from their own stream), shrink & perturb's normal noise (Box-Muller, as the he_normal
  // initialiser draws), L2-init's pull.
  { name: 'mnist14 with continual backprop, shrink & perturb, L2-init and ReDo, bit-identical', exact: true, dataExact: true, cfg: { dataset: 'mnist14', samples: 1000, layers: [32, 32], activation: 'relu', batch: 32, optimizer: 'adam', lr: 0.01, steps: 150, seed: 6, cbp_rate: 0.01, cbp_maturity: 20, shrink: 0.999, perturb: 0.001, l2_init: 0.001, revive_every: 50, monitor_every: 25 } },
];
for (const name of ['mnist', 'mnist14', 'iris']) {
  const file = path.join(ROOT, 'build', 'data', `${name}.bin`);
  if (fs.existsSync(file)) engine.provideData(name, new Uint8Array(fs.readFileSync(file)));
}

function dataFingerprint(cfg) {
  const run = engine.createRun(cfg);
  const print = run.dataFingerprint();
  run.dispose();
  return print;
}

function close(a, b, what) {
  if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) {
    assert.ok((a === null || Number.isNaN(a)) && (b === null || Number.isNaN(b)), `${what}: ${a} vs ${b}`);
    return;
  }
  const tol = Math.max(1e-6, 1e-4 * Math.max(Math.abs(a), Math.abs(b)));
  assert.ok(Math.abs(a - b) <= tol, `${what}: native ${a} vs wasm ${b} (|diff| ${Math.abs(a - b)} > ${tol})`);
}

for (const { name, cfg, exact, dataExact } of CONFIGS) {
  test(`wasm matches the native CLI: ${name}`, { skip: CLI ? false : 'no native CLI (set RELU_LAB or build build/relu-lab)' }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relu-parity-'));
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify(cfg));
    const native = JSON.parse(execFileSync(CLI, ['train', '--config', file, '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    fs.rmSync(dir, { recursive: true, force: true });

    const run = engine.createRun(cfg);
    run.step(cfg.steps);
    const snap = run.snapshot();
    run.dispose();

    assert.equal(snap.step, native.steps);
    if (exact) {
      // JSON numbers from the CLI are float64 written with round-trip precision.
      assert.equal(snap.trainLoss, native.train_loss, 'train_loss bit for bit');
      assert.equal(snap.testLoss, native.test_loss, 'test_loss bit for bit');
      assert.equal(snap.trainAccuracy, native.train_accuracy, 'train_accuracy');
    }
    if (dataExact) assert.equal(dataFingerprint(cfg), native.data_fingerprint, 'the loaded data, bit for bit');
    assert.equal(snap.diverged, native.diverged);
    assert.equal(snap.bornDead, native.born_dead);
    close(native.train_loss, snap.trainLoss, 'train_loss');
    close(native.test_loss, Number.isNaN(snap.testLoss) ? null : snap.testLoss, 'test_loss');
    if ('train_accuracy' in native) close(native.train_accuracy, snap.trainAccuracy, 'train_accuracy');
    // Continual backprop's replacements, event for event (kind 2 natively, 'replaced' in the page).
    const replaced = native.events.filter((e) => e[3] === 2).map((e) => `${e[0]}:${e[1]}:${e[2]}`);
    assert.deepEqual(snap.events.filter((e) => e.kind === 'replaced').map((e) => `${e.step}:${e.layer}:${e.neuron}`), replaced);
    if (cfg.cbp_rate) assert.ok(replaced.length > 0, 'continual backprop replaced some units');
    assert.equal(snap.layers.length, native.layers.length);
    snap.layers.forEach((layer, l) => {
      const nl = native.layers[l];
      for (const [js, cli] of Object.entries(STATE_KEYS)) {
        assert.equal(layer.counts[js], nl.states[cli], `layer ${l} ${cli}: native ${nl.states[cli]} vs wasm ${layer.counts[js]}`);
      }
      close(nl.dead_fraction, layer.deadFraction, `layer ${l} dead_fraction`);
    });
  });
}
