// Web Worker that owns one training run (module worker: new Worker(url, { type: 'module' })).
//
// Messages in are commands {op, id?, ...args}, one row each in COMMANDS below:
//   {op → handler, mutates, reply}
//     handler(msg)  does the work (throws a user-readable Error on bad input)
//     mutates       the run's state changed: a snapshot follows, so the page sees the change
//                   there (and only there)
//     reply         the type of the message that answers a request (msg.id set), carrying
//                   the handler's result; null: no reply (the snapshot is the answer)
// Messages out:
//   {type:'ready', info}               engine loaded; info = engine.info() (the names the page shows)
//   {type:'created', runId, data}      run created; data: {info (dataset facts), train {x, y}, test {x, y}};
//                                      image data: train/test {pixels (Uint8Array, x * 255), y} (compactSet)
//   {type:'snapshot', runId, snapshot, grid, weights, stepsPerSec, run, readAt}   (typed arrays transferred)
//       grid: 1-D/2-D data {res, values} (the network output over the domain; K > 2 classes:
//             values = the winner's probability (2-D) or the predicted class (1-D), plus
//             classes = the winning class per cell (2-D)), else {predictions, targets} for up
//             to 512 training samples, or classification with a test split, up to 2,000 test
//             samples (set: 'train' | 'test'; K classes: the predicted class); null when it was not
//             recomputed for this snapshot (the page keeps the previous one; see read-cadence.js)
//       weights: run.weights(); readAt: the worker's clock (ms) when the run was read
//       run: what the page shows about the run's state, owned here:
//            {playing, rollbackStep (-1: none), revived: {count, total} (the last revive),
//             action: the last intervention (see INTERVENTIONS below) or null}
//   {type:reply, id, result}           a request's answer (see COMMANDS)
//   {type:'data-progress', name, loaded, total}   a packed dataset (mnist, mnist14, iris) is
//       downloading for a 'create' or 'validate' that names it (web/data-loader.js; total 0 when
//       unknown); the command runs once it is in, and later commands wait behind it. A failed
//       download answers that command with an 'error' (the previous run stays).
//   {type:'error', message, op, id}    any failure; the worker keeps going
//   A snapshot whose snapshot.diverged is true (snapshot.divergence {step, what, layer}) means
//   training stopped there: the worker pauses (run.playing false) until a rollback or a new run.
//
// Scheduling: while playing, training runs in slices of at most ~8 ms (the number of
// steps per slice adapts to the measured time per step), and the worker yields
// between slices (MessageChannel, which unlike setTimeout(0) is not clamped to 4 ms), so
// commands such as 'set' and 'pause' are handled between slices. Snapshots are posted
// at most once per frame, less often while training flat out (read-cadence.js says when a
// snapshot and the output map are due), and, once the main thread has sent a {op:'frame'}
// (it draws in requestAnimationFrame and acknowledges), not before the previous one was
// acknowledged, so a busy or hidden page is never flooded.
//
// Speed ({op:'speed', stepsPerSecond}; 0 or 'max': as fast as possible) is paced by the
// clock, not by frames: a token bucket over performance.now() earns stepsPerSecond steps
// per second of wall time, so a speed means the same on a 60 Hz and a 144 Hz screen and
// in a hidden tab where requestAnimationFrame stalls (training goes on at the same rate;
// only snapshots wait for the page). The bucket starts empty when play starts, and holds
// at most BURST_S worth of steps, so a worker that was held up (a long step, a busy
// machine) does not catch up in one jump: the steps a run has made since play started are
// never more than stepsPerSecond × the seconds since then. A run created with startOnFrame
// (the page's RunClient) holds a paced clock until the page acknowledges a frame of this run:
// a first visit starts at step 0 on screen even when the page takes a second or more to
// draw its first frame (the run waits for the page; at 'max' it does not wait).
import { loadEngine, snapshotTransferables } from './engine.js';
import { createReadCadence } from './read-cadence.js';
import { createDataLoader } from './data-loader.js';
import { imageShapeOf } from './image-data.js';
import { netGeometry } from './net-spec.js';
import { featureMaps, channelMaps } from './feature-maps.js';

const SLICE_MS = 8;
const BURST_S = 0.1;  // the most steps the bucket holds: 0.1 s worth (at least 1)
const MAX_STEPS_PER_SLICE = 1 << 20;

let engine = null;
let run = null;
let playing = false;
let revived = { count: 0, total: 0 };  // the last revive's count; total: revives so far
let action = null;  // the last intervention (revive, one unit's revive/freeze/ablate): see intervene()
let stepsPerSlice = 1;
let msPerStep = null;  // moving average
let awaitingFrame = false;  // a snapshot is out and not yet acknowledged
let usesAcks = false;  // the main thread sends {op:'frame'}
let stepsPerSecond = null;  // speed limit, null = as fast as possible
let bucket = { tokens: 0, at: performance.now() };  // steps earned and not yet made (paced only)
let clockHeld = false;  // paced steps wait for the page's first frame of this run (startOnFrame)
let stepsSinceSnapshot = 0;
const GRID_RES = 64;  // resolution of the 2-D output surface sent with snapshots
let runId = null;  // echoed in snapshots, so the page can drop those of a replaced run
let runFeatures = 0;
let runInfo = null;  // the run's dataInfo(): domain and classes for the output surface
// A convnet's shapes (net-spec.js netGeometry: per unit layer its kind, map size, kernel), or
// null for a dense net; and the input whose feature maps every snapshot carries (the page's
// 'mapInput': the gallery's selection; the first test input until one is chosen).
let geometry = null;
let mapInput = { set: 'test', index: 0 };
let wantSnapshot = false;
// The last snapshot went out without the output map (not due yet: a costly read): while the run
// is paused, a later snapshot brings it, so the output view never stays at an older step.
let gridOwed = false;
// Flat out, a costly snapshot (its last full read took COSTLY_READ_MS or more: MNIST's net
// evaluates 10,000 images, ~24 training steps) is read only at a step where the monitor has just
// evaluated: the engine then takes the training loss and accuracy from the monitor's own pass
// (Run::evaluation_reuses_monitor), and the read costs the test set alone (MNIST: 2,000 of the
// 10,000 forwards). Slices end at those steps so that reads find them.
const COSTLY_READ_MS = 8;
// A convnet's losses over MNIST's 10,000 images take about a second in the page, and the
// monitor's own states, the weights and the feature maps a few ms: so once an evaluation has
// cost COSTLY_EVALUATION_MS, snapshots between evaluations carry the last one's losses
// (snapshot.evaluationStep says which step they are of), and while playing a new evaluation is
// due once the wall time since the last is its cost over EVALUATION_BUDGET (flat out: training
// time is what is spent; paced, the worker is otherwise idle between steps, so it may take
// more, and the charts get a point every few seconds). Paused, every snapshot evaluates (an
// intervention's effect is seen at once).
const COSTLY_EVALUATION_MS = 50;
const EVALUATION_BUDGET = { flatOut: 0.15, paced: 0.3 };
let evaluation = null;  // {value (evaluate() plus its step), ms, at}
let fullReadMs = 0;  // the last snapshot read that evaluated the training set itself
const alignReads = () => flatOut() && fullReadMs >= COSTLY_READ_MS;
const cadence = createReadCadence();
let sliceScheduled = false;
let idleTimer = null;
let rate = { steps: 0, t0: performance.now(), value: 0 };
const queue = [];  // messages received before the engine loaded, or during a slice
let dataLoader = null;
let waitingForData = false;  // the queue's first command waits for its dataset's bytes

// The single-file build (dist/relu-playground.html) runs this worker from a blob: URL and
// sets RELU_ENGINE_OPTIONS first ({moduleFactory, wasmBinary}: the inlined glue and wasm).
const enginePromise = loadEngine(globalThis.RELU_ENGINE_OPTIONS ?? {}).then(
  (e) => {
    engine = e;
    // The single-file build embeds its datasets (RELU_ENGINE_OPTIONS.embeddedData).
    dataLoader = createDataLoader({
      engine: e,
      embedded: globalThis.RELU_ENGINE_OPTIONS?.embeddedData ?? null,
      onProgress: (name, loaded, total) => postMessage({ type: 'data-progress', name, loaded, total }),
    });
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
// Nothing to do for now (the next step is not earned yet, or a snapshot is unacknowledged):
// wait instead of spinning.
function scheduleIdle(ms = 4) {
  if (idleTimer !== null || sliceScheduled) return;
  idleTimer = setTimeout(() => {
    idleTimer = null;
    tick();
  }, ms);
}

// The token bucket: steps earned since the last refill, capped at BURST_S worth.
function refill(now = performance.now()) {
  if (stepsPerSecond !== null) bucket.tokens = Math.min(Math.max(1, stepsPerSecond * BURST_S), bucket.tokens + ((now - bucket.at) / 1000) * stepsPerSecond);
  bucket.at = now;
}
function emptyBucket() {
  bucket = { tokens: 0, at: performance.now() };
}
// Milliseconds until the next step is earned (paced and waiting).
function msToNextStep() {
  return Math.min(250, Math.max(1, ((1 - bucket.tokens) / stepsPerSecond) * 1000));
}

self.onmessage = (ev) => {
  queue.push(ev.data);
  if (engine) drain();
};

// The packed dataset a command needs and this worker does not have yet, or null.
function missingData(msg) {
  if (msg?.op !== 'create' && msg?.op !== 'validate') return null;
  const name = String(msg.config?.dataset ?? '').trim().toLowerCase();
  return dataLoader.needs(name) ? name : null;
}

function drain() {
  while (queue.length && !waitingForData) {
    const name = missingData(queue[0]);
    if (name) {
      waitingForData = true;
      dataLoader.load(name).then(
        () => {
          waitingForData = false;
          drain();
        },
        (err) => {
          waitingForData = false;
          const msg = queue.shift();
          // The current run stays (nothing was replaced): keptRunId tells the page which, and a
          // snapshot of it follows.
          const kept = msg?.op === 'create' && run ? { runId: msg.runId, keptRunId: runId } : {};
          if (kept.keptRunId !== undefined) wantSnapshot = true;
          postMessage({ type: 'error', message: err?.message ?? String(err), op: msg?.op, id: msg?.id, ...kept });
          drain();
        },
      );
      return;
    }
    const msg = queue.shift();
    try {
      handle(msg);
    } catch (err) {
      postMessage({ type: 'error', message: err?.message ?? String(err), op: msg?.op, id: msg?.id });
    }
  }
  schedule();
}

function needRun() {
  if (!run) throw new Error('no run: send {op: "create", config} first');
  return run;
}

// An imported run: replay its steps (same config and seed), then load its exact weights,
// all before the first snapshot, so the page never sees an in-between state.
function create({ config, restore, runId: id, startOnFrame = false }) {
  const next = engine.createRun(config ?? {});  // throws before the old run is touched
  if (restore) {
    try {
      const steps = Math.max(0, Math.floor(Number(restore.steps) || 0));
      if (steps) next.step(steps);
      if (restore.weights) next.importWeights(restore.weights);
    } catch (err) {
      next.dispose();
      throw err;
    }
  }
  if (run) run.dispose();
  run = next;
  runId = id ?? null;
  playing = false;
  revived = { count: 0, total: 0 };
  action = null;
  stepsPerSlice = 1;
  msPerStep = null;
  rate = { steps: 0, t0: performance.now(), value: 0 };
  const train = run.data(false), test = run.data(true);
  const info = run.dataInfo();
  runFeatures = info.features;
  runInfo = info;
  emptyBucket();
  clockHeld = !!startOnFrame;
  const net = run.config().net;
  const shape = imageShapeOf(info);
  geometry = Array.isArray(net) && shape ? netGeometry(net, shape, info.outputs ?? 0) : null;
  if (geometry?.error || !geometry?.units.some((u) => u.kind === 'conv')) geometry = null;
  mapInput = { set: test.y.length ? 'test' : 'train', index: 0 };
  const data = { info, geometry, train: compactSet(train, info), test: compactSet(test, info) };
  const transfer = [data.train, data.test].flatMap((set) => [(set.x ?? set.pixels).buffer, set.y.buffer]);
  postMessage({ type: 'created', runId, data }, transfer);
  awaitingFrame = false;
  stepsSinceSnapshot = 0;
  cadence.newRun();
  fullReadMs = 0;
  evaluation = null;
  gridOwed = false;
}

// Image data (info.imageShape set: inputs are pixel/255) travel as their bytes, {pixels, y}:
// a quarter of the floats (MNIST: 6.3 MB instead of 25 MB for the training set, held by the
// page for the whole run), and exact, since every input is k/255. Other data keep {x, y}.
function compactSet(set, info) {
  if (!imageShapeOf(info)) return { x: set.x, y: set.y };
  const pixels = new Uint8Array(set.x.length);
  const x = set.x;
  // x * 255 is within float error of a whole number; + 0.5 and the byte conversion's truncation round it.
  for (let i = 0; i < pixels.length; i++) pixels[i] = x[i] * 255 + 0.5;
  return { pixels, y: set.y };
}

// A throwaway run: the page checks an upload or an import before it replaces anything.
function validate({ config, weights }) {
  const probe = engine.createRun(config ?? {});
  try {
    if (weights != null) probe.importWeights(weights);
  } finally {
    probe.dispose();
  }
  return true;
}

// INTERVENTIONS: the page marks the units an intervention touched and watches what
// happens to them, so the last one travels in every snapshot's `run.action`:
//   {seq (1, 2, … per run), op ('revive' | 'reviveNeuron' | 'setFrozen' | 'setAblated'),
//    step (the run's step when it happened), units ([[layer, neuron], …] hidden units, 0-based),
//    count? (revive), value? (freeze/ablate: on or off),
//    evaluation? (ablate: {before, after} as run.evaluate() gives them)}
function intervene(op, units, extra = {}) {
  action = { seq: (action?.seq ?? 0) + 1, op, step: run.status().step, units, ...extra };
}

// The units a revive reset, from the weights just before and after it (the engine returns
// only the count). ReDo draws a revived unit's incoming row afresh (non-zero) and zeroes its
// bias and outgoing column; a unit that was not revived sees at most zeros written into the
// columns of revived units below it. So: a changed, non-zero incoming weight or a changed bias.
// (The same weights() the snapshot copies; a revive is one click, not a per-frame cost.)
function revivedUnits(before, after) {
  const units = [];
  after.layers.slice(0, -1).forEach((L, l) => {
    for (let o = 0; o < L.out; o++) {
      let hit = before.params[L.bOffset + o] !== after.params[L.bOffset + o];
      for (let i = 0; i < L.in && !hit; i++) {
        const k = L.wOffset + i * L.out + o;
        hit = before.params[k] !== after.params[k] && after.params[k] !== 0;
      }
      if (hit) units.push([l, o]);
    }
  });
  return units;
}

function neuronGrid({ layer = -1, neuron = 0, res = 64 }) {
  const values = needRun().grid(layer, neuron, res);
  return { result: { layer, neuron, res, values }, transfer: [values.buffer] };
}

// The k training inputs closest to waking a unit (engine.js topInputs): a request, asked by
// the neuron card a few times a second at most, never per frame.
// A conv channel's answer also carries its feature map on each of those inputs (maps: k maps
// of positions bytes, feature-maps.js channelMaps).
function topInputs({ layer, neuron, k = 8 }) {
  const { index, z } = needRun().topInputs(layer, neuron, k);
  const maps = geometry?.units[layer]?.kind === 'conv' ? channelMaps(run, geometry, layer, neuron, index) : null;
  const transfer = [index.buffer, z.buffer];
  if (maps) transfer.push(maps.bytes.buffer);
  return { result: { layer, neuron, index, z, maps }, transfer };
}

// The input whose feature maps the snapshots carry: {set: 'test' | 'train', index}.
function setMapInput({ set, index }) {
  const test = set === 'test';
  if (set !== 'test' && set !== 'train') throw new Error(`mapInput: set must be "test" or "train", not ${JSON.stringify(set)}`);
  needRun();
  const n = test ? runInfo.test_samples : runInfo.train_samples;
  if (!Number.isInteger(index) || index < 0 || index >= n) throw new Error(`mapInput: no ${set} input ${JSON.stringify(index)} (0..${n - 1})`);
  mapInput = { set, index };
}

// op -> { handler(msg) -> result, mutates (a snapshot follows), reply (type of the answer to a request) }
const COMMANDS = {
  create: { handler: create, mutates: true, reply: null },
  play: {
    handler() {
      needRun();
      if (!playing) emptyBucket();  // pacing counts from here
      playing = !run.status().diverged;  // a diverged run waits for a rollback or a new run
      rate = { steps: 0, t0: performance.now(), value: rate.value };
    },
    mutates: true,
    reply: null,
  },
  pause: { handler: () => void (playing = false), mutates: true, reply: null },
  step: {
    handler({ n }) {
      playing = false;
      needRun().step(Math.max(0, Math.floor(n ?? 1)));
    },
    mutates: true,
    reply: null,
  },
  set: { handler: ({ key, value }) => needRun().set(key, value), mutates: true, reply: null },
  speed: {
    handler({ stepsPerSecond: s }) {
      refill();  // what was earned at the old rate stays earned
      const v = Number(s);
      stepsPerSecond = s == null || s === 'max' || !(v > 0) ? null : v;
      if (stepsPerSecond !== null) bucket.tokens = Math.min(bucket.tokens, Math.max(1, stepsPerSecond * BURST_S));
    },
    mutates: false,
    reply: null,
  },
  revive: {
    handler() {
      const r = needRun();
      const before = r.weights();
      const count = r.revive();
      revived = { count, total: revived.total + 1 };
      intervene('revive', revivedUnits(before, r.weights()), { count });
    },
    mutates: true,
    reply: null,
  },
  reviveNeuron: {
    handler: ({ layer, neuron }) => {
      needRun().reviveNeuron(layer, neuron);
      intervene('reviveNeuron', [[layer, neuron]]);
    },
    mutates: true,
    reply: null,
  },
  setFrozen: {
    handler: ({ layer, neuron, value }) => {
      needRun().setFrozen(layer, neuron, !!value);
      intervene('setFrozen', [[layer, neuron]], { value: !!value });
    },
    mutates: true,
    reply: null,
  },
  setAblated: {
    // What an ablation changes is the network's function: the losses just before and after.
    handler: ({ layer, neuron, value }) => {
      const r = needRun();
      const before = r.evaluate();
      r.setAblated(layer, neuron, !!value);
      intervene('setAblated', [[layer, neuron]], { value: !!value, evaluation: { before, after: r.evaluate() } });
    },
    mutates: true,
    reply: null,
  },
  rollback: {
    // Back to the last finite checkpoint; the next snapshot (not diverged, at that step) says so.
    handler() {
      playing = false;
      needRun().rollback();
      awaitingFrame = false;
    },
    mutates: true,
    reply: null,
  },
  exportWeights: { handler: () => needRun().exportWeights(), mutates: false, reply: 'weights' },
  importWeights: {
    handler({ json }) {
      if (typeof json !== 'string') throw new Error('importWeights: the weights must be JSON text');
      needRun().importWeights(json);
      return true;
    },
    mutates: true,
    reply: 'done',
  },
  validate: { handler: validate, mutates: false, reply: 'done' },
  neuronGrid: { handler: neuronGrid, mutates: false, reply: 'neuronGrid' },
  topInputs: { handler: topInputs, mutates: false, reply: 'topInputs' },
  mapInput: { handler: setMapInput, mutates: true, reply: null },
  frame: {
    handler({ runId: acked }) {
      usesAcks = true;
      awaitingFrame = false;
      if (clockHeld && (acked === undefined || acked === runId)) {
        clockHeld = false;
        emptyBucket();  // pacing counts from the first frame on screen
      }
    },
    mutates: false,
    reply: null,
  },
  // Test hook: the worker throws at top level (an 'error' event on the page's Worker), as a real crash would.
  crash: {
    handler() {
      playing = false;
      setTimeout(() => {
        throw new Error('the training worker crashed (simulated)');
      });
    },
    mutates: false,
    reply: null,
  },
  dispose: {
    handler() {
      playing = false;
      if (run) run.dispose();
      run = null;
    },
    mutates: false,
    reply: null,
  },
};

function handle(msg) {
  const op = msg?.op;
  const command = typeof op === 'string' && Object.hasOwn(COMMANDS, op) ? COMMANDS[op] : null;
  if (!command) throw new Error(`unknown command ${JSON.stringify(op)}; one of ${Object.keys(COMMANDS).join(', ')}`);
  const out = command.handler(msg);
  if (command.mutates) wantSnapshot = true;
  if (command.reply && msg.id !== undefined) {
    const { result, transfer = [] } = out && typeof out === 'object' && 'result' in out ? out : { result: out };
    postMessage({ type: command.reply, id: msg.id, result }, transfer);
  }
}

// One slice of training (at most ~SLICE_MS), then maybe a snapshot, then yield.
function tick() {
  if (queue.length) drain();  // settings take effect before the slice
  if (!run) return;
  let stepped = false;
  if (playing) clockHeld && stepsPerSecond !== null ? emptyBucket() : refill();
  const budget = stepsPerSecond === null ? Infinity : Math.floor(bucket.tokens);
  if (playing && budget > 0) {
    try {
      let n = Math.min(stepsPerSlice, budget);
      if (alignReads()) {
        const { step, monitorInterval: k } = run.status();
        n = Math.min(n, k - (step % k));
      }
      const t0 = performance.now();
      run.step(n);
      stepped = true;
      if (stepsPerSecond !== null) bucket.tokens -= n;
      stepsSinceSnapshot += n;
      const dt = performance.now() - t0;
      cadence.trained(dt);
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
      postMessage({ type: 'error', message: err?.message ?? String(err), op: 'play' });
    }
  }
  maybeSnapshot();
  if (!playing && !wantSnapshot && !gridOwed) return;
  if (stepped) schedule();
  else if (playing && stepsPerSecond !== null && bucket.tokens < 1 && !wantSnapshot && !stepsSinceSnapshot) scheduleIdle(msToNextStep());
  else if (!playing && !wantSnapshot) scheduleIdle(50);  // only the output map is owed: no hurry
  else scheduleIdle();
}

// Training as fast as it can (speed max): reads come at the flat-out cadence.
const flatOut = () => playing && stepsPerSecond === null;

function maybeSnapshot() {
  if (!run || (usesAcks && awaitingFrame)) return;
  const now = performance.now();
  // While playing, a snapshot shows new steps (a paced run between steps has nothing new).
  const owed = gridOwed && !playing && cadence.gridDue(now, false);
  if (!(wantSnapshot || owed || (playing && stepsSinceSnapshot > 0)) || !cadence.snapshotDue(now, flatOut())) return;
  const { step, monitorInterval, evaluationReusesMonitor: reused } = run.status();
  // Wait for the monitor's next evaluation (unless evaluations are spaced on their own, below).
  if (alignReads() && !wantSnapshot && step % monitorInterval !== 0 && !(evaluation?.ms >= COSTLY_EVALUATION_MS)) return;
  try {
    // The losses: evaluated afresh unless that is costly and not due (below).
    let reuse = null;
    if (evaluation && evaluation.ms >= COSTLY_EVALUATION_MS && playing && now - evaluation.at < evaluation.ms / EVALUATION_BUDGET[flatOut() ? 'flatOut' : 'paced']) reuse = evaluation.value;
    else {
      const value = run.evaluate();
      const at = performance.now();
      evaluation = { value: { ...value, step }, ms: reused ? evaluation?.ms ?? 0 : at - now, at };
    }
    const snapshot = run.snapshot(evaluation.value);
    const weights = run.weights();
    const read = performance.now();
    cadence.snapshotRead(now, read - now);  // the typical cost is the least: a read without evaluation
    if (!reused && !reuse) fullReadMs = read - now;
    // The output map may be left out only when the page takes every message (it acknowledges
    // each): an unacknowledged message can be replaced by the next one, and its map with it.
    let grid = null;
    if (cadence.gridDue(now, flatOut() && usesAcks)) {
      grid = outputGrid();
      if (grid) grid.step = snapshot.step;  // the step the map shows (the output view stamps it)
      cadence.gridRead(now, performance.now() - read);
    }
    gridOwed = grid === null;
    // A convnet's feature maps for the chosen input: one forward of one sample.
    if (geometry) snapshot.maps = featureMaps(run, geometry, mapInput);
    const transfer = snapshotTransferables(snapshot);
    for (const m of snapshot.maps?.layers ?? []) if (m) transfer.push(m.bytes.buffer);
    for (const a of [grid?.values, grid?.classes, grid?.predictions, grid?.targets, weights.params]) if (a) transfer.push(a.buffer);
    const status = { playing, rollbackStep: snapshot.divergence?.rollbackStep ?? -1, revived: { ...revived }, action };
    postMessage({ type: 'snapshot', runId, snapshot, grid, weights, stepsPerSec: rate.value, run: status, readAt: now }, transfer);
    stepsSinceSnapshot = 0;
    awaitingFrame = true;
    wantSnapshot = false;
  } catch (err) {
    wantSnapshot = false;
    postMessage({ type: 'error', message: err?.message ?? String(err), op: 'snapshot' });
  }
}

// What the output view draws: the network's output over the data's domain (1-D, 2-D),
// else predictions against targets for a sample of the training set.
function outputGrid() {
  const features = runFeatures;
  if (features === 2 && runInfo?.task === 'multiclass') return classGrid(GRID_RES);
  if (features === 1 && runInfo?.task === 'multiclass') return classCurve(Math.max(GRID_RES, 200));
  if (features <= 2) {
    const res = features === 2 ? GRID_RES : Math.max(GRID_RES, 200);
    return { res, values: run.grid(-1, 0, res) };
  }
  if (!sample || sample.run !== run) {
    // Classification with a test split: the whole test set (up to MAX_TEST_ROWS; MNIST's
    // 2,000, Iris's 75), so the confusion matrix, the per-class accuracies and the gallery
    // (its first inputs) are about unseen inputs. Else a sample of the training set.
    const test = runInfo?.task !== 'regression' && runInfo?.test_samples > 0;
    const d = run.data(test);
    const n = Math.min(test ? MAX_TEST_ROWS : 512, d.y.length);
    sample = { run, n, set: test ? 'test' : 'train', x: d.x.slice(0, n * features), y: d.y.slice(0, n) };
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
  return { predictions, targets: sample.y.slice(), set: sample.set };
}
let sample = null;
const MAX_TEST_ROWS = 2000;

// A K-class surface over the 2-D domain (run.grid gives one output unit): per cell the
// winning class and its softmax probability, on the engine grid's layout (row-major, y from top).
function classGrid(res) {
  const [x0, y0] = runInfo.domain_min, [x1, y1] = runInfo.domain_max;
  const n = res * res;
  if (!gridPoints || gridPoints.info !== runInfo) {
    const xy = new Float32Array(2 * n);
    for (let r = 0; r < res; r++)
      for (let c = 0; c < res; c++) {
        const j = r * res + c;
        xy[2 * j] = x0 + ((x1 - x0) * c) / (res - 1);
        xy[2 * j + 1] = y1 - ((y1 - y0) * r) / (res - 1);
      }
    gridPoints = { info: runInfo, xy };
  }
  const out = run.predict(gridPoints.xy);
  const k = out.length / n;
  const classes = new Float32Array(n), values = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (out[j * k + c] > out[j * k + best]) best = c;
    classes[j] = best;
    values[j] = out[j * k + best];
  }
  return { res, values, classes };
}
let gridPoints = null;

// 1-D, K classes: the predicted class along the input's domain (the curve the view draws
// through the targets' class indices).
function classCurve(res) {
  const [x0] = runInfo.domain_min, [x1] = runInfo.domain_max;
  const xs = new Float32Array(res);
  for (let c = 0; c < res; c++) xs[c] = x0 + ((x1 - x0) * c) / (res - 1);
  const out = run.predict(xs);
  const k = out.length / res;
  const values = new Float32Array(res);
  for (let j = 0; j < res; j++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (out[j * k + c] > out[j * k + best]) best = c;
    values[j] = best;
  }
  return { res, values };
}

export { enginePromise };
