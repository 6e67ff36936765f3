// One training run seen from the page: a Worker (web/worker.js) plus the latest
// snapshot it sent. The page never trains; it keeps the newest snapshot and draws it
// in requestAnimationFrame, acknowledging each drawn snapshot with {op:'frame'} so
// the worker never floods a busy page.
//
// The client only sends commands ({op, ...}: the worker's COMMANDS table) and keeps what
// the worker sent; nothing outside writes its state. What a run is doing (playing, the
// rollback step, the last revive) arrives in each snapshot message's `run` field.
//
// Where the worker comes from: a real file next to this module (dist/web/worker.js, as a
// strict CSP wants), or a blob: URL set by the single-file build (setWorkerUrl).
// (The single-file worker is a classic script: Chromium refuses module workers from
// blob: URLs on file:// pages.)
let workerUrl = null;
let workerType = 'module';
export function setWorkerUrl(url, type = 'module') {
  workerUrl = url;
  workerType = type;
}
const spawnWorker = () => (workerUrl ? new Worker(workerUrl, { type: workerType }) : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));

// The first worker can start before the page builds itself (web/app.js calls this first), so
// that the engine loads while the page mounts; the next RunClient takes it. It must be taken
// in the same task (mount() is synchronous): a message arriving before any RunClient listens
// would be lost.
let early = null;
export function startWorkerEarly() {
  early ??= spawnWorker();
}

export class RunClient {
  #worker;
  #latest = null;     // { snapshot, grid, weights, stepsPerSec, run }
  #fresh = false;
  #data = null;       // { info, train, test } of the current run
  #engineInfo = null; // engine.info(): the names of datasets, activations, states...
  #nextId = 1;
  #pending = new Map(); // id -> settle(value | rejected promise)
  #generation = 0;    // echoed by the worker as runId: snapshots of a replaced run are dropped
  #failed = false;
  #onDataProgress;
  #kept = null;       // { generation, data } of the last run the worker created

  // onError(client, message): a command failed. onReady(client, info): the engine's names.
  // onFailed(client, message): the worker itself failed (an uncaught error or a crash); the
  // page replaces the client. Without onFailed, such a failure goes to onError.
  // onDataProgress(client, {name, loaded, total} | null): a packed dataset (mnist...) is
  // downloading for this run (web/data-loader.js); null once the run is created or failed.
  constructor({ onError = () => {}, onReady = () => {}, onFailed = null, onDataProgress = () => {} } = {}) {
    this.#worker = early ?? spawnWorker();
    early = null;
    this.#onDataProgress = onDataProgress;
    this.#worker.onmessage = (e) => this.#message(e.data, onError, onReady);
    this.#worker.onerror = (e) => {
      const message = e.message || 'the training worker failed';
      if (!onFailed) return onError(this, message);
      e.preventDefault?.();
      if (this.#failed) return;
      this.#failed = true;
      this.#worker.terminate();
      this.#failPending(`the training worker stopped: ${message}`);
      onFailed(this, message);
    };
  }

  /** The data of the current run ({info, train, test}), once the worker created it. */
  get data() {
    return this.#data;
  }
  /** engine.info() as the worker's engine reported it (null until it loaded). */
  get engineInfo() {
    return this.#engineInfo;
  }

  // A request that can no longer be answered (the worker died) fails instead of hanging.
  #failPending(message) {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const settle of pending) settle(Promise.reject(new Error(message)));
  }

  #settle(id, value) {
    const settle = this.#pending.get(id);
    this.#pending.delete(id);
    settle?.(value);
  }

  #message(m, onError, onReady) {
    switch (m.type) {
      case 'ready':
        this.#engineInfo = m.info;
        onReady(this, m.info);
        break;
      case 'snapshot':
        // A snapshot of a run this client has since replaced (in flight, or the worker refused the new config).
        if (m.runId !== this.#generation) break;
        // Snapshots carry only the events that are new since the last one; when a newer one
        // arrives before the page took the last, the page skips that snapshot but must not
        // skip its events (tests/browser/events.test.mjs).
        if (this.#fresh && this.#latest?.runId === m.runId) m.snapshot.events = [...this.#latest.snapshot.events, ...m.snapshot.events];
        this.#latest = m;
        this.#fresh = true;
        break;
      case 'data-progress':
        this.#onDataProgress(this, { name: m.name, loaded: m.loaded, total: m.total });
        break;
      case 'created':
        if (m.runId === this.#generation) {
          this.#data = m.data;
          this.#kept = { generation: m.runId, data: m.data };
        }
        this.#onDataProgress(this, null);
        break;
      case 'error':
        if (m.op === 'create' || m.op === 'validate') this.#onDataProgress(this, null);
        // A create the worker could not start (its dataset did not download) left the previous
        // run in place: show that run again (its snapshots carry its own runId).
        if (m.op === 'create' && m.runId === this.#generation && this.#kept && m.keptRunId === this.#kept.generation) {
          this.#generation = this.#kept.generation;
          this.#data = this.#kept.data;
        }
        if (m.id !== undefined && this.#pending.has(m.id)) this.#settle(m.id, Promise.reject(new Error(m.message)));
        else onError(this, m.message);
        break;
      default:
        // The reply to a request (the worker's COMMANDS[op].reply).
        if (m.id !== undefined) this.#settle(m.id, m.result);
        break;
    }
  }

  #send(op, args = {}) {
    this.#worker.postMessage({ ...args, op });
  }
  #request(op, args = {}) {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ ...args, op, id });
    });
  }

  /** A new run (replaces the current one); restore {steps, weights} replays an imported run. */
  create(config, restore = null) {
    this.#generation++;
    this.#latest = null;
    this.#fresh = false;
    this.#data = null;
    // startOnFrame: a paced run's clock starts when this page has drawn the run's first
    // snapshot (it acknowledges it in take()), not while the page is still starting up.
    this.#send('create', { config, runId: this.#generation, startOnFrame: true, ...(restore ? { restore } : {}) });
  }
  /** The run's weights as the CLI's JSON text. */
  exportWeights() {
    return this.#request('exportWeights');
  }
  importWeights(json) {
    return this.#request('importWeights', { json });
  }
  /** Resolves to true when config makes a run and weights (JSON text or null) load into it;
   *  rejects with the engine's message otherwise. The current run is not touched. */
  validate(config, weights = null) {
    return this.#request('validate', { config, weights });
  }
  /** Resolves to {layer, neuron, res, values}: one unit's output over the input domain. */
  neuronGrid(layer, neuron, res) {
    return this.#request('neuronGrid', { layer, neuron, res });
  }
  /** Resolves to {layer, neuron, index: Int32Array, z: Float32Array}: the k training inputs
   *  with the highest pre-activation of hidden unit (layer, neuron), descending. */
  topInputs(layer, neuron, k = 8) {
    return this.#request('topInputs', { layer, neuron, k });
  }
  /** The input whose feature maps a convnet's snapshots carry ({set: 'test' | 'train', index}). */
  mapInput(set, index) {
    this.#send('mapInput', { set, index });
  }
  play() {
    this.#send('play');
  }
  pause() {
    this.#send('pause');
  }
  step(n = 1) {
    this.#send('step', { n });
  }
  set(key, value) {
    this.#send('set', { key, value });
  }
  /** Steps per second of wall time (the worker paces by the clock); 0 = as fast as possible. */
  speed(stepsPerSecond) {
    this.#send('speed', { stepsPerSecond: stepsPerSecond > 0 ? stepsPerSecond : 'max' });
  }
  revive() {
    this.#send('revive');
  }
  /** op: reviveNeuron | setFrozen | setAblated */
  neuron(op, layer, neuron, value) {
    this.#send(op, { layer, neuron, value });
  }
  /** After a divergence: back to the last finite checkpoint (a snapshot follows). */
  rollback() {
    this.#send('rollback');
  }
  /** Test hook: the worker throws at its top level. */
  crash() {
    this.#send('crash');
  }
  /** The newest snapshot message if not yet taken, else null. Acknowledges it. */
  take() {
    if (!this.#fresh) return null;
    this.#fresh = false;
    this.#send('frame', { runId: this.#latest.runId });
    return this.#latest;
  }
  dispose() {
    this.#worker.terminate();
    this.#failPending('the run was closed');
  }
}
