// Runs a sweep over a pool of Workers (one per core, at most 4), one job per message,
// and keeps every finished job's metrics: cancel() terminates the Workers and the
// partial result stays (sweep.js buildResult counts only finished jobs).
import { buildResult, jobTask, normalizeSpec, numJobs } from './sweep.js';

export function defaultWorkerCount() {
  const n = (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 2;
  return Math.max(1, Math.min(4, n));
}

export class SweepRunner {
  /**
   * spec: a sweep (sweep.js); options: workers (count), workerUrl (URL of lab-worker.js),
   * onProgress({done, total, elapsed, eta}), onDone(result, {cancelled, error})
   */
  constructor(spec, options = {}) {
    this.spec = normalizeSpec(spec);
    this.total = numJobs(this.spec);
    this.results = new Array(this.total);
    this.done = 0;
    this.next = 0;
    this.state = 'idle';
    this.error = null;
    this.options = options;
    this.workers = [];
  }

  start() {
    this.state = 'running';
    this.t0 = performance.now();
    const count = Math.min(this.options.workers ?? defaultWorkerCount(), this.total || 1);
    const url = this.options.workerUrl ?? new URL('./lab-worker.js', import.meta.url);
    for (let i = 0; i < count; i++) {
      const w = new Worker(url, { type: 'module' });
      w.onmessage = (e) => this.#onMessage(w, e.data);
      w.onerror = (e) => this.#fail(`worker error: ${e.message ?? e}`);
      this.workers.push(w);
    }
    this.#progress();
    if (this.total === 0) this.#finish();
  }

  #dispatch(w) {
    if (this.state !== 'running') return;
    if (this.next >= this.total) return;
    const job = this.next++;
    w.postMessage({ type: 'job', task: jobTask(this.spec, job) });
  }

  #onMessage(w, msg) {
    if (this.state !== 'running') return;
    if (msg.type === 'ready') return this.#dispatch(w);
    if (msg.type === 'error') return this.#fail(msg.job >= 0 ? `run ${msg.job}: ${msg.message}` : msg.message);
    if (msg.type === 'result') {
      this.results[msg.job] = msg.metrics;
      this.done++;
      this.#progress();
      if (this.done === this.total) return this.#finish();
      this.#dispatch(w);
    }
  }

  elapsed() {
    return (performance.now() - this.t0) / 1000;
  }

  #progress() {
    const elapsed = this.elapsed();
    const eta = this.done ? (elapsed / this.done) * (this.total - this.done) : NaN;
    this.options.onProgress?.({ done: this.done, total: this.total, elapsed, eta });
  }

  result() {
    return buildResult(this.spec, this.results, this.elapsed());
  }

  #stopWorkers() {
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }

  #finish() {
    this.state = 'done';
    this.#stopWorkers();
    this.options.onDone?.(this.result(), { cancelled: false });
  }

  #fail(message) {
    if (this.state !== 'running') return;
    this.state = 'failed';
    this.error = message;
    this.#stopWorkers();
    this.options.onDone?.(this.result(), { cancelled: false, error: message });
  }

  cancel() {
    if (this.state !== 'running') return;
    this.state = 'cancelled';
    this.#stopWorkers();
    this.options.onDone?.(this.result(), { cancelled: true });
  }
}
