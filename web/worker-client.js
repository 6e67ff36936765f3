// One training run seen from the page: a Worker (web/worker.js) plus the latest
// snapshot it sent. The page never trains; it keeps the newest snapshot and draws it
// in requestAnimationFrame, acknowledging each drawn snapshot with {type:'frame'} so
// the worker never floods a busy page.
//
// Each snapshot message carries the output surface (grid) and the weights for the
// links; 'created' carries the data points.
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

export class RunClient {
  // onFailed(client, message): the worker itself failed (an uncaught error or a crash); the
  // page replaces the client. Without onFailed, such a failure goes to onError.
  constructor({ label = '', onError = () => {}, onCreated = () => {}, onRevived = () => {}, onFailed = null } = {}) {
    this.label = label;
    this.worker = workerUrl ? new Worker(workerUrl, { type: workerType }) : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.latest = null; // { snapshot, grid, weights, stepsPerSec, playing }
    this.fresh = false;
    this.data = null; // { info, train, test }
    this.playing = false;
    this.nextId = 1;
    this.pending = new Map();
    this.generation = 0;
    this.onError = onError;
    this.worker.onmessage = (e) => this.#message(e.data, onCreated, onRevived);
    this.failed = false;
    this.worker.onerror = (e) => {
      const message = e.message || 'the training worker failed';
      if (!onFailed) return onError(this, message);
      e.preventDefault?.();
      if (this.failed) return;
      this.failed = true;
      this.worker.terminate();
      this.#failPending(`the training worker stopped: ${message}`);
      onFailed(this, message);
    };
  }

  // A request that can no longer be answered (the worker died) fails instead of hanging.
  #failPending(message) {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const settle of pending) settle(Promise.reject(new Error(message)));
  }

  #message(m, onCreated, onRevived) {
    switch (m.type) {
      case 'snapshot':
        // A snapshot of a run this client has since replaced (in flight, or the worker refused the new config).
        if (m.runId !== undefined && m.runId !== null && m.runId !== this.generation) break;
        this.latest = m;
        this.fresh = true;
        break;
      case 'created':
        this.data = m.data;
        onCreated(this, m.data);
        break;
      case 'revived':
        onRevived(this, m.count);
        break;
      case 'error':
        if (m.id !== undefined && this.pending.has(m.id)) {
          this.pending.get(m.id)(Promise.reject(new Error(m.message)));
          this.pending.delete(m.id);
        } else this.onError(this, m.message);
        break;
      case 'weights':
        this.pending.get(m.id)?.(m.json);
        this.pending.delete(m.id);
        break;
      case 'weightsImported':
      case 'valid':
        this.pending.get(m.id)?.(true);
        this.pending.delete(m.id);
        break;
      case 'neuronGrid':
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
        break;
      default:
        break;
    }
  }

  send(msg) {
    this.worker.postMessage(msg);
  }
  create(config, restore = null) {
    this.generation++;
    this.latest = null;
    this.fresh = false;
    this.data = null;
    this.send(restore ? { type: 'create', config, restore, runId: this.generation } : { type: 'create', config, runId: this.generation });
  }
  #request(msg) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ ...msg, id });
    });
  }
  /** The run's weights as the CLI's JSON text. */
  exportWeights() {
    return this.#request({ type: 'exportWeights' });
  }
  importWeights(json) {
    return this.#request({ type: 'importWeights', json });
  }
  /** Resolves to true when config makes a run and weights (JSON text or null) load into it;
   *  rejects with the engine's message otherwise. The current run is not touched. */
  validate(config, weights = null) {
    return this.#request({ type: 'validate', config, weights });
  }
  play() {
    this.playing = true;
    this.send({ type: 'play' });
  }
  pause() {
    this.playing = false;
    this.send({ type: 'pause' });
  }
  step(n = 1) {
    this.send({ type: 'step', n });
  }
  set(key, value) {
    this.send({ type: 'set', key, value });
  }
  /** Steps per frame; 0 = as fast as possible. */
  speed(stepsPerFrame) {
    this.send({ type: 'speed', stepsPerFrame: stepsPerFrame > 0 ? stepsPerFrame : 'max' });
  }
  revive() {
    this.send({ type: 'revive' });
  }
  neuron(kind, layer, neuron, value) {
    this.send({ type: kind, layer, neuron, value });
  }
  /** After a divergence: back to the last finite checkpoint (a snapshot follows). */
  rollback() {
    this.send({ type: 'rollback' });
  }
  neuronGrid(layer, neuron, res) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ type: 'neuronGrid', layer, neuron, res, id });
    });
  }
  /** The newest snapshot message if not yet taken, else null. Acknowledges it. */
  take() {
    if (!this.fresh) return null;
    this.fresh = false;
    this.send({ type: 'frame' });
    return this.latest;
  }
  dispose() {
    this.worker.terminate();
    this.#failPending('the run was closed');
  }
}
