// The benchmark's two workloads, shared by the wasm, TF.js and (mirrored in C++)
// native benchmarks. See bench/native_bench.cpp for the C++ side.

// Synthetic classification data: rows x (features + label), xorshift32, values
// rounded to 2 decimals in -1..1, labels 0..classes-1. Identical to native_bench.cpp.
export function syntheticRows(rows, features, classes, seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  const x = new Float32Array(rows * features);  // row-major: sample r at r*features
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) x[r * features + f] = ((next() % 201) - 100) / 100;
    y[r] = next() % classes;
  }
  return { x, y, rows, features, classes };
}

export function syntheticCsv(rows, features, classes, seed) {
  const d = syntheticRows(rows, features, classes, seed);
  const lines = [];
  for (let r = 0; r < rows; r++) {
    const parts = [];
    for (let f = 0; f < features; f++) parts.push(d.x[r * features + f].toFixed(2));
    parts.push(String(d.y[r]));
    lines.push(parts.join(','));
  }
  return lines.join('\n') + '\n';
}

export const SMALL = {
  name: 'small',
  label: '2→64,64,64→1, batch 64, SGD (spiral)',
  config: { dataset: 'spiral', layers: [64, 64, 64], activation: 'relu', batch: 64, optimizer: 'sgd', lr: 0.03, seed: 1, monitor_every: 1000000 },
  steps: 2000,
};

export function largeWorkload() {
  return {
    name: 'large',
    label: '784→256,256→10, batch 128, SGD, softmax CE (synthetic)',
    config: {
      dataset: 'csv', loss: 'ce', layers: [256, 256], activation: 'relu', batch: 128, optimizer: 'sgd', lr: 0.01,
      seed: 1, monitor_every: 1000000, csv_text: syntheticCsv(1024, 784, 10, 12345),
    },
    steps: 60,
  };
}

// MNIST in the page (issue 13 §6): 784->256,256->10, ReLU, batch 128, SGD at the page's default
// rate (0.03), softmax cross-entropy, on the packed MNIST (8,000 training digits), monitored at
// the page's default cadence flat out (web/monitor-cadence.js) against the monitor off. Real
// digits, not synthetic rows: four fifths of MNIST's pixels are 0 and the engine skips them
// (engine/skip_zeros.h), so rows of MNIST's size but dense values would cost twice as much.
// The caller provides the data: engine.provideData('mnist', bytes of build/data/mnist.bin).
export const MNIST_PAGE_SETTINGS = { dataset: 'mnist', layers: [256, 256], batch: 128, dead: 'full', probe: 256 };
export const MNIST_PACKED = 'build/data/mnist.bin';  // from the source tree's root
export function mnistWorkloads(monitorEvery) {
  const config = {
    dataset: 'mnist', layers: [256, 256], activation: 'relu', batch: 128, optimizer: 'sgd', lr: 0.03, seed: 1,
  };
  // Two evaluations per timed repetition, whatever step it starts at.
  const steps = 2 * monitorEvery;
  return [
    { name: 'mnist', label: '784→256,256→10, batch 128, SGD 0.03, CE, 8,000 MNIST digits, monitor off', config: { ...config, monitor_every: 1000000 }, steps },
    { name: 'mnistMonitored', label: `the same, monitor every ${monitorEvery} steps (the page's default at max)`, config: { ...config, monitor_every: monitorEvery }, steps },
  ];
}

// Issue 14's w3: a LeNet on MNIST. conv2d(8,5,same) + ReLU -> maxpool 2 -> conv2d(16,5,same) +
// ReLU -> maxpool 2 -> dense 128 + ReLU -> dense 10; batch 32, SGD, 28x28x1 inputs; monitor off
// (what is timed is training). Target: >= 150 steps/s in Chromium on the 2-core machine.
// Needs the packed MNIST (MNIST_PACKED), as mnistWorkloads.
export const W3 = {
  name: 'w3',
  label: 'LeNet on MNIST: conv2d(8,5,same), maxpool 2, conv2d(16,5,same), maxpool 2, dense 128, batch 32, SGD',
  config: {
    dataset: 'mnist', net: 'conv2d(8,5,same),maxpool(2),conv2d(16,5,same),maxpool(2),dense(128)', activation: 'relu',
    batch: 32, optimizer: 'sgd', lr: 0.01, seed: 1, monitor_every: 1000000,
  },
  steps: 100,
};

// Times run.step over reps repetitions after a warm-up; returns median and best steps/s,
// and in node the median steps per CPU second of the process (cpu; a loaded machine's wall clock
// also measures the neighbours; a page cannot read its CPU time).
// run is anything with step(n): a wasm run, or a TF.js setup (bench/tfjs_bench.mjs).
// The warm-up lasts at least warmMs: browsers compile wasm with a baseline compiler
// first and tier hot functions up to the optimising one only after they ran a while,
// and what matters for a playground that trains for minutes is the steady state.
export function timeSteps(run, steps, reps = 7, now = () => performance.now(), warmMs = 2000) {
  const cpuUsage = globalThis.process?.cpuUsage;
  const w0 = now();
  let warmSteps = 0;
  do {
    run.step(Math.max(2, steps >> 2));
    warmSteps += Math.max(2, steps >> 2);
  } while (now() - w0 < warmMs);
  const rates = [], cpu = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now(), c0 = cpuUsage?.();
    run.step(steps);
    rates.push(steps / ((now() - t0) / 1000));
    if (c0) {
      const c = cpuUsage(c0);
      cpu.push(steps / ((c.user + c.system) / 1e6));
    }
  }
  rates.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const ran = warmSteps + reps * steps;  // warm-up included (bench/suite.mjs's page CPU measure)
  return { median: rates[rates.length >> 1], best: rates[rates.length - 1], ran, ...(cpu.length ? { cpu: cpu[cpu.length >> 1] } : {}) };
}
