// One lab Worker: loads the engine (web/engine.js over relu_engine.wasm) and runs sweep
// jobs one at a time, as the page hands them out (web/lab/lab.js).
//   in:  {type:'job', task}          task from sweep.js jobTask()
//   out: {type:'ready'} once the engine is loaded
//        {type:'result', job, metrics, ms} | {type:'error', job, message}
// Cancelling = the page terminates the Worker; finished jobs were already posted.
import { loadEngine } from '../engine.js';
import { convLayers, metricsFromSnapshot } from './sweep.js';

const enginePromise = loadEngine();

// Packed datasets (studies 6 and 7: mnist14) are fetched by this Worker's first job that names one,
// from data/NAME.bin beside web/ (dist/data/, relative to this script), and handed to the
// engine once (engine.provideData checks the checksum); later jobs reuse them. A failed fetch
// fails that job with the reason, and the next job tries again.
const PACKED = new Set(['mnist', 'mnist14', 'iris']);
const loading = new Map();
function ensureData(engine, name) {
  if (!PACKED.has(name) || engine.hasData(name)) return null;
  if (!loading.has(name)) {
    const url = new URL(`../data/${name}.bin`, import.meta.url);
    const p = fetch(url)
      .then(async (res) => {
        if (!res.ok) throw new Error(`dataset ${name}: fetching ${url.pathname} answered ${res.status}`);
        engine.provideData(name, new Uint8Array(await res.arrayBuffer()));
      })
      .finally(() => loading.delete(name));
    loading.set(name, p);
  }
  return loading.get(name);
}
enginePromise.then(
  () => postMessage({ type: 'ready' }),
  (e) => postMessage({ type: 'error', job: -1, message: `could not load the engine: ${e.message}` }),
);

function runTrain(engine, task) {
  const run = engine.createRun(task.config);
  try {
    // In chunks, so a diverged run stops early instead of stepping NaNs.
    const chunk = 1000;
    while (run.status().step < task.steps && !run.status().diverged) run.step(Math.min(chunk, task.steps - run.status().step));
    const hasTest = run.dataInfo().test_samples > 0;
    return metricsFromSnapshot(run.snapshot(), hasTest, convLayers(run.config()));
  } finally {
    run.dispose();
  }
}

// The born-dead probability the way the page can measure it: `trials` networks of depth
// x width ReLU layers on the 1-D "abs" data (200 points on [-1, 1]), each checked at
// step 0 (Run.bornDead: some hidden layer dead on every input). The CLI uses
// engine/born_dead.h directly (201 points); the two agree within Monte Carlo error.
function runBornDead(engine, task) {
  let dead = 0;
  for (let t = 0; t < task.trials; t++) {
    const run = engine.createRun({
      dataset: 'abs',
      test_fraction: 0,
      layers: Array(task.depth).fill(task.width),
      activation: 'relu',
      init: task.init,
      steps: 0,
      seed: task.seed + t,
    });
    try {
      if (run.status().bornDead) dead++;
    } finally {
      run.dispose();
    }
  }
  const p = dead / task.trials;
  return {
    born_dead: p,
    born_dead_se: Math.sqrt((p * (1 - p)) / task.trials),
    reference: 1 - (1 - 2 ** -task.width) ** task.depth,
  };
}

onmessage = async (e) => {
  const msg = e.data;
  if (msg.type !== 'job') return;
  const { task } = msg;
  try {
    const engine = await enginePromise;
    if (task.kind !== 'born_dead') await ensureData(engine, String(task.config?.dataset ?? ''));
    const t0 = performance.now();
    const metrics = task.kind === 'born_dead' ? runBornDead(engine, task) : runTrain(engine, task);
    postMessage({ type: 'result', job: task.job, metrics, ms: performance.now() - t0 });
  } catch (err) {
    postMessage({ type: 'error', job: task.job, message: String(err?.message ?? err) });
  }
};
