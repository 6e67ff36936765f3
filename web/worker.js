// Web Worker that owns one training run (module worker: new Worker(url, { type: 'module' })).
//
// Messages in (main thread -> worker):
//   {type:'create', config}            new run (replaces the current one); replies 'created'
//   {type:'play'} / {type:'pause'}     train continuously / stop
//   {type:'step', n}                   n steps now (while paused), then a snapshot
//   {type:'set', key, value}           live setting; applied before the next slice
//   {type:'revive'}                    ReDo revive; replies {type:'revived', count}
//   {type:'reviveNeuron', layer, neuron}
//   {type:'setFrozen', layer, neuron, value} / {type:'setAblated', layer, neuron, value}
//   {type:'create', config, restore, runId}   restore {steps, weights}: step, then load the weights
//                                      (import); runId is echoed in every snapshot of this run
//   {type:'exportWeights', id}         replies {type:'weights', id, json} (the CLI's weights JSON)
//   {type:'importWeights', json, id}   replies {type:'weightsImported', id}
//   {type:'validate', config, weights, id}  checks, without touching the current run, that
//                                      config makes a run (a CSV parses) and that weights (JSON
//                                      text, optional) load into it; replies {type:'valid', id}
//   {type:'neuronGrid', layer, neuron, res, id}  replies {type:'neuronGrid', id, layer, neuron, res, values}
//                                      (layer -1: the network's output; 'grid' is a synonym)
//   {type:'predict', x, id}            replies {type:'predict', id, values}
//   {type:'speed', stepsPerFrame}      at most that many steps per frame (a number, or 'max'/null)
//   {type:'gridRes', res}              resolution of the output grid sent with snapshots (default 64)
//   {type:'snapshot'}                  a snapshot as soon as possible
//   {type:'frame'}                     the main thread drew the last snapshot (or wants one)
//   {type:'rollback'}                  back to the last finite checkpoint after a divergence;
//                                      replies {type:'rolledBack', step}, then a snapshot
//   {type:'crash'}                     test hook: the worker throws at top level (an 'error'
//                                      event on the page's Worker), as a real crash would
//   {type:'dispose'}
// Messages out:
//   {type:'ready', info}               engine loaded
//   {type:'created', config, data}     run created; data: {info (dataset facts), train {x, y}, test {x, y}}
//   {type:'snapshot', snapshot, grid, weights, stepsPerSec, playing}   (typed arrays transferred)
//       grid: 1-D/2-D data {res, values} (the network output over the domain), else
//             {predictions, targets} for up to 512 training samples; weights: run.weights()
//   {type:'error', message, request}   any failure; the worker keeps going
//   A snapshot whose snapshot.diverged is true (snapshot.divergence {step, what, layer}) means
//   training stopped there: the worker pauses (playing: false) until a rollback or a new run.
//
// Scheduling: while playing, training runs in slices of at most ~8 ms (the number of
// steps per slice adapts to the measured time per step), and the worker yields
// between slices (MessageChannel, which unlike setTimeout(0) is not clamped to 4 ms), so
// messages such as 'set' and 'pause' are handled between slices. Snapshots are posted
// at most once per frame: never more often than every ~16 ms and, once the main thread
// has sent a {type:'frame'} (it draws in requestAnimationFrame and acknowledges), not
// before the previous one was acknowledged, so a busy or hidden page is never flooded.
import { loadEngine, snapshotTransferables } from './engine.js';

const SLICE_MS = 8;
const MIN_SNAPSHOT_MS = 16;
const MAX_STEPS_PER_SLICE = 1 << 20;

let engine = null;
let run = null;
let playing = false;
let stepsPerSlice = 1;
let msPerStep = null;  // moving average
let awaitingFrame = false;  // a snapshot is out and not yet acknowledged
let usesAcks = false;  // the main thread sends {type:'frame'}
let stepsPerFrame = null;  // speed limit, null = as fast as possible
let stepsSinceSnapshot = 0;
let gridRes = 64;
let runId = null;  // echoed in snapshots, so the page can drop those of a replaced run
let runFeatures = 0;
let wantSnapshot = false;
let lastSnapshotAt = -Infinity;
let sliceScheduled = false;
let idleTimer = null;
let rate = { steps: 0, t0: performance.now(), value: 0 };
const queue = [];  // messages received before the engine loaded, or during a slice

// The single-file build (dist/relu-playground.html) runs this worker from a blob: URL and
// sets RELU_ENGINE_OPTIONS first ({moduleFactory, wasmBinary}: the inlined glue and wasm).
const enginePromise = loadEngine(globalThis.RELU_ENGINE_OPTIONS ?? {}).then(
  (e) => {
    engine = e;
    postMessage({ type: 'ready', info: e.info() });
    drain();
  },
  (err) => postMessage({ type: 'error', message: `could not load the engine: ${err?.message ?? err}` }),
);

const channel = new MessageChannel();
channel.port1.onmessage = () => {
  sliceScheduled = false;
  tick();
};
function schedule() {
  if (sliceScheduled) return;
  sliceScheduled = true;
  channel.port2.postMessage(0);
}
// Nothing to do until a frame passes (speed limit reached, or a snapshot unacknowledged):
// poll gently instead of spinning.
function scheduleIdle() {
  if (idleTimer !== null || sliceScheduled) return;
  idleTimer = setTimeout(() => {
    idleTimer = null;
    tick();
  }, 4);
}

self.onmessage = (ev) => {
  queue.push(ev.data);
  if (engine) drain();
};

function drain() {
  while (queue.length) {
    const msg = queue.shift();
    try {
      handle(msg);
    } catch (err) {
      postMessage({ type: 'error', message: err?.message ?? String(err), request: msg?.type, id: msg?.id });
    }
  }
  schedule();
}

function needRun() {
  if (!run) throw new Error('no run: send {type: "create", config} first');
  return run;
}

function handle(msg) {
  switch (msg?.type) {
    case 'create': {
      const next = engine.createRun(msg.config ?? {});  // throws before the old run is touched
      if (msg.restore) {
        // An imported run: replay its steps (same config and seed), then load its exact weights,
        // all before the first snapshot, so the page never sees an in-between state.
        try {
          const steps = Math.max(0, Math.floor(Number(msg.restore.steps) || 0));
          if (steps) next.step(steps);
          if (msg.restore.weights) next.importWeights(msg.restore.weights);
        } catch (err) {
          next.dispose();
          throw err;
        }
      }
      if (run) run.dispose();
      run = next;
      runId = msg.runId ?? null;
      playing = false;
      stepsPerSlice = 1;
      msPerStep = null;
      rate = { steps: 0, t0: performance.now(), value: 0 };
      const train = run.data(false), test = run.data(true);
      const info = run.dataInfo();
      runFeatures = info.features;
      const data = { info, train: { x: train.x, y: train.y }, test: { x: test.x, y: test.y } };
      postMessage({ type: 'created', config: run.config(), data }, [train.x.buffer, train.y.buffer, test.x.buffer, test.y.buffer]);
      wantSnapshot = true;
      awaitingFrame = false;
      stepsSinceSnapshot = 0;
      break;
    }
    case 'speed': {
      const v = Number(msg.stepsPerFrame);
      stepsPerFrame = msg.stepsPerFrame == null || msg.stepsPerFrame === 'max' || !(v > 0) ? null : Math.floor(v);
      break;
    }
    case 'gridRes': {
      const v = Math.floor(Number(msg.res));
      if (!(v >= 2 && v <= 512)) throw new Error('gridRes: res must be in 2..512');
      gridRes = v;
      break;
    }
    case 'play':
      needRun();
      playing = true;
      rate = { steps: 0, t0: performance.now(), value: rate.value };
      break;
    case 'pause':
      playing = false;
      wantSnapshot = true;
      break;
    case 'step':
      needRun().step(Math.max(0, Math.floor(msg.n ?? 1)));
      if (run.status().diverged) playing = false;
      wantSnapshot = true;
      break;
    case 'set':
      needRun().set(msg.key, msg.value);
      wantSnapshot = true;
      break;
    case 'revive': {
      const count = needRun().revive();
      postMessage({ type: 'revived', count });
      wantSnapshot = true;
      break;
    }
    case 'reviveNeuron':
      needRun().reviveNeuron(msg.layer, msg.neuron);
      wantSnapshot = true;
      break;
    case 'setFrozen':
      needRun().setFrozen(msg.layer, msg.neuron, !!msg.value);
      wantSnapshot = true;
      break;
    case 'setAblated':
      needRun().setAblated(msg.layer, msg.neuron, !!msg.value);
      wantSnapshot = true;
      break;
    case 'exportWeights':
      postMessage({ type: 'weights', id: msg.id, json: needRun().exportWeights() });
      break;
    case 'validate': {
      // A throwaway run: the page checks an upload or an import before it replaces anything.
      const probe = engine.createRun(msg.config ?? {});
      try {
        if (msg.weights != null) probe.importWeights(msg.weights);
      } finally {
        probe.dispose();
      }
      postMessage({ type: 'valid', id: msg.id });
      break;
    }
    case 'importWeights':
      if (typeof msg.json !== 'string') throw new Error('importWeights: the weights must be JSON text');
      needRun().importWeights(msg.json);
      postMessage({ type: 'weightsImported', id: msg.id });
      wantSnapshot = true;
      break;
    case 'grid':
    case 'neuronGrid': {
      const layer = msg.layer ?? -1, neuron = msg.neuron ?? 0, res = msg.res ?? 64;
      const values = needRun().grid(layer, neuron, res);
      postMessage({ type: msg.type, id: msg.id, layer, neuron, res, values }, [values.buffer]);
      break;
    }
    case 'predict': {
      const values = needRun().predict(msg.x);
      postMessage({ type: 'predict', id: msg.id, values }, [values.buffer]);
      break;
    }
    case 'snapshot':
      wantSnapshot = true;
      awaitingFrame = false;
      break;
    case 'frame':
      usesAcks = true;
      awaitingFrame = false;
      break;
    case 'rollback': {
      playing = false;
      const step = needRun().rollback();
      postMessage({ type: 'rolledBack', step });
      wantSnapshot = true;
      awaitingFrame = false;
      break;
    }
    case 'crash':
      playing = false;
      setTimeout(() => {
        throw new Error('the training worker crashed (simulated)');
      });
      break;
    case 'dispose':
      playing = false;
      if (run) run.dispose();
      run = null;
      break;
    default:
      throw new Error(`unknown message type ${JSON.stringify(msg?.type)}`);
  }
}

// One slice of training (at most ~SLICE_MS), then maybe a snapshot, then yield.
function tick() {
  if (queue.length) drain();  // settings take effect before the slice
  if (!run) return;
  let stepped = false;
  const budget = stepsPerFrame === null ? Infinity : stepsPerFrame - stepsSinceSnapshot;
  if (playing && budget > 0) {
    try {
      const n = Math.min(stepsPerSlice, budget);
      const t0 = performance.now();
      run.step(n);
      stepped = true;
      stepsSinceSnapshot += n;
      const dt = performance.now() - t0;
      const per = dt / n;
      msPerStep = msPerStep === null ? per : 0.7 * msPerStep + 0.3 * per;
      // Aim at ~80% of the slice so one slow step does not overshoot it.
      const target = Math.floor((0.8 * SLICE_MS) / Math.max(msPerStep, 1e-4));
      stepsPerSlice = Math.max(1, Math.min(MAX_STEPS_PER_SLICE, target, stepsPerSlice * 2));
      rate.steps += n;
      const since = performance.now() - rate.t0;
      if (since > 500) {
        rate.value = (rate.steps / since) * 1000;
        rate.steps = 0;
        rate.t0 = performance.now();
      }
      if (run.status().diverged) {
        playing = false;
        wantSnapshot = true;
      }
    } catch (err) {
      playing = false;
      postMessage({ type: 'error', message: err?.message ?? String(err), request: 'play' });
    }
  }
  maybeSnapshot();
  if (!playing && !wantSnapshot) return;
  if (stepped) schedule();
  else scheduleIdle();
}

function maybeSnapshot() {
  if (!run || (usesAcks && awaitingFrame)) return;
  const now = performance.now();
  if (!(wantSnapshot || playing) || now - lastSnapshotAt < MIN_SNAPSHOT_MS) return;
  try {
    const snapshot = run.snapshot();
    const grid = outputGrid();
    const weights = run.weights();
    const transfer = snapshotTransferables(snapshot);
    for (const a of [grid.values, grid.predictions, grid.targets, weights.params]) if (a) transfer.push(a.buffer);
    postMessage({ type: 'snapshot', runId, snapshot, grid, weights, stepsPerSec: rate.value, playing }, transfer);
    stepsSinceSnapshot = 0;
    lastSnapshotAt = now;
    awaitingFrame = true;
    wantSnapshot = false;
  } catch (err) {
    wantSnapshot = false;
    postMessage({ type: 'error', message: err?.message ?? String(err), request: 'snapshot' });
  }
}

// What the output view draws: the network's output over the data's domain (1-D, 2-D),
// else predictions against targets for a sample of the training set.
function outputGrid() {
  const features = runFeatures;
  if (features <= 2) {
    const res = features === 2 ? gridRes : Math.max(gridRes, 200);
    return { res, values: run.grid(-1, 0, res) };
  }
  if (!sample || sample.run !== run) {
    const d = run.data(false);
    const n = Math.min(512, d.y.length);
    sample = { run, n, x: d.x.slice(0, n * features), y: d.y.slice(0, n) };
  }
  const out = run.predict(sample.x);
  const k = out.length / sample.n;
  const predictions = new Float32Array(sample.n);
  for (let i = 0; i < sample.n; i++) {
    if (k === 1) predictions[i] = out[i];
    else {
      let best = 0;
      for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
      predictions[i] = best;  // the predicted class
    }
  }
  return { predictions, targets: sample.y.slice() };
}
let sample = null;

export { enginePromise };
