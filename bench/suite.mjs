// One benchmark pass, in node or in a browser page: the engine (wasm) and, when a tf
// namespace is given, TensorFlow.js on the same workloads and the same data.
import { SMALL, largeWorkload, mnistWorkloads, MNIST_PAGE_SETTINGS, W3, timeSteps } from './workloads.mjs';
import { cadenceFor } from '../web/monitor-cadence.js';
import { tfSetup } from './tfjs_bench.mjs';

// mnistBytes: build/data/mnist.bin (MNIST_PACKED), read by the caller (node: a file; a page: a fetch).
// only: the workloads to run ('small', 'large', 'mnist' (with the monitored run and the
// evaluation cost), 'w3'); null: all. pageCpuMs (in a page driven by bench/run.mjs): resolves to
// the CPU ms the page's main thread has used so far, read by the driver from /proc, so that w3
// gets steps per CPU second in Chromium too (warm-up included; node measures itself).
export async function runSuite({ engine, tf = null, reps = 7, log = () => {}, mnistBytes, only = null, pageCpuMs = null }) {
  const out = { wasm: {}, tfjs: {} };
  const want = (name) => !only || only.includes(name);
  for (const wl of [SMALL, largeWorkload()].filter((w) => want(w.name))) {
    const run = engine.createRun(wl.config);
    out.wasm[wl.name] = timeSteps(run, wl.steps, reps);
    log(`wasm ${wl.name}: ${out.wasm[wl.name].median.toFixed(1)} steps/s`);
    if (tf) {
      const d = run.data(false);
      const info = run.dataInfo();
      const setup = tfSetup(tf, {
        data: d,
        hidden: wl.config.layers,
        outputs: info.loss === 'ce' ? info.num_classes : 1,
        batch: wl.config.batch,
        lr: wl.config.lr,
        kind: info.loss === 'ce' ? 'ce' : 'bce',
      });
      // TF.js is much slower per step: fewer steps per repetition.
      out.tfjs[wl.name] = timeSteps(setup, Math.max(10, Math.round(wl.steps / 10)), Math.min(reps, 5));
      setup.dispose();
      log(`tfjs ${wl.name}: ${out.tfjs[wl.name].median.toFixed(1)} steps/s`);
    }
    run.dispose();
  }
  // MNIST-sized, the engine alone: monitor off, then at the page's default cadence flat out.
  const every = cadenceFor('max', MNIST_PAGE_SETTINGS);
  const [offWl, onWl] = mnistWorkloads(every);
  if ((want('mnist') || want(W3.name)) && !engine.hasData('mnist')) engine.provideData('mnist', mnistBytes);
  if (want('mnist')) {
    for (const wl of [offWl, onWl]) {
      const run = engine.createRun(wl.config);
      out.wasm[wl.name] = timeSteps(run, wl.steps, Math.min(reps, 5));
      log(`wasm ${wl.name}: ${out.wasm[wl.name].median.toFixed(1)} steps/s`);
      run.dispose();
    }
    out.wasm.mnistEvaluation = evaluationInSteps(engine, offWl.config);
  }
  if (want(W3.name)) {
    const run = engine.createRun(W3.config);
    const c0 = await pageCpuMs?.();
    out.wasm[W3.name] = timeSteps(run, W3.steps, Math.min(reps, 5));
    const c1 = await pageCpuMs?.();
    if (c0 != null && c1 > c0) out.wasm[W3.name].cpu = out.wasm[W3.name].ran / ((c1 - c0) / 1000);
    log(`wasm ${W3.name}: ${out.wasm[W3.name].median.toFixed(1)} steps/s (${(W3.config.batch * out.wasm[W3.name].median).toFixed(0)} images/s)`);
    run.dispose();
  }
  if (want('mnist'))
    log(`wasm one monitor evaluation of 8,000 = ${out.wasm.mnistEvaluation.toFixed(1)} training steps: +${((100 * out.wasm.mnistEvaluation) / every).toFixed(1)}% at every ${every}`);
  return out;
}

// One monitor evaluation in training steps, on a loaded machine too: the least wall time of
// equally long blocks of B steps with the monitor off and with one evaluation in the block
// (monitor_every B), alternated; both blocks are preempted alike, and the least of each is the
// least disturbed. (Rates of long windows differ by more than the monitor's 10% there.)
export function evaluationInSteps(engine, config, B = 50, pairs = 8) {
  const off = engine.createRun({ ...config, monitor_every: 1000000 });
  const one = engine.createRun({ ...config, monitor_every: B });
  off.step(B);
  one.step(B);
  let a = Infinity, b = Infinity;
  for (let i = 0; i < pairs; i++) {
    let t = performance.now();
    off.step(B);
    a = Math.min(a, performance.now() - t);
    t = performance.now();
    one.step(B);
    b = Math.min(b, performance.now() - t);
  }
  off.dispose();
  one.dispose();
  return ((b - a) / a) * B;
}
