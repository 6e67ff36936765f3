// ReLU Playground engine: the public JavaScript API over the WebAssembly build of the
// C++ engine (engine/run.h). Used by the worker (web/worker.js), node, the tests and
// anyone embedding the playground.
//
//   import { loadEngine } from './engine.js';
//   const engine = await loadEngine();              // browsers: finds relu_engine.wasm next to this file
//   const run = engine.createRun({ dataset: 'spiral', layers: [8, 8], lr: 0.03, seed: 1 });
//   run.step(100);
//   const snap = run.snapshot();                     // plain object of copies, safe to postMessage
//   run.dispose();
//
// Node: loadEngine() reads relu_engine.wasm itself; or pass { wasmBinary } (bytes), and
// { moduleUrl } when relu_engine.js is not next to this file (e.g. a build directory).
//
// Errors from the engine (bad config, bad key, out-of-range neuron...) are thrown as
// JS Error objects carrying the C++ message; the module stays usable afterwards.

const IS_NODE = typeof process === 'object' && typeof process.versions === 'object' && !!process.versions.node;

// State names by numeric code, camelCase. The engine owns them (engine.info().states, in
// snake_case): loadEngine() refills STATE_NAMES from it in place and refuses an engine whose
// codes disagree with STATE, so these exports never drift from the C++ (monitor.h).
export const STATE_NAMES = ['dead', 'saturated', 'alwaysOn', 'mostlySilent', 'healthy'];
export const STATE = Object.freeze({ dead: 0, saturated: 1, alwaysOn: 2, mostlySilent: 3, healthy: 4 });
// The engine's event kinds (engine/monitor.h NeuronEvent): 2 is continual backprop's replacement.
const EVENT_KINDS = ['died', 'revived', 'replaced'];
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

const TYPED = { u8: Uint8Array, i32: Int32Array, f32: Float32Array };

function toUrl(u) {
  return u instanceof URL ? u : new URL(String(u), import.meta.url);
}

/**
 * Loads the WebAssembly module. options:
 *   wasmBinary  ArrayBuffer | Uint8Array  the .wasm bytes (node: read from disk when absent)
 *   moduleUrl   URL | string              where relu_engine.js is (default: next to engine.js)
 *   wasmUrl     URL | string              where relu_engine.wasm is (default: next to relu_engine.js)
 */
export async function loadEngine(options = {}) {
  const moduleUrl = toUrl(options.moduleUrl ?? './relu_engine.js');
  const wasmUrl = options.wasmUrl ? toUrl(options.wasmUrl) : new URL('relu_engine.wasm', moduleUrl);
  // Browsers: fetch and compile the wasm while the glue loads, instead of after it (the glue
  // would only start its own fetch once it runs): the first snapshot comes sooner.
  const compiling = !IS_NODE && !options.wasmBinary ? compileWasm(wasmUrl) : null;
  compiling?.catch(() => {}); // reported below, once the glue has loaded (or failed first)
  // moduleFactory: the glue's factory, already loaded (the single-file build runs the glue
  // as a classic script; it then passes wasmBinary and absolute moduleUrl/wasmUrl).
  const createReluModule = options.moduleFactory ?? (await import(moduleUrl.href)).default;
  const init = {
    // The engine prints nothing in normal use; keep anything it does print visible.
    print: options.print ?? ((s) => console.log(s)),
    printErr: options.printErr ?? ((s) => console.warn(s)),
    locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl.href : new URL(path, moduleUrl).href),
  };
  let wasmBinary = options.wasmBinary;
  if (IS_NODE) {
    // Computed specifiers, so bundlers targeting browsers leave them alone.
    const [fsName, moduleName] = ['node:fs', 'node:module'];
    // The ES-module glue has no require of its own under node (see bindings/pre.js).
    const { createRequire } = await import(/* @vite-ignore */ moduleName);
    init.nodeRequire = createRequire(moduleUrl);
    // Emscripten 3.1.6's glue would try fetch() on a file path under node 20.
    if (!wasmBinary) wasmBinary = (await import(/* @vite-ignore */ fsName)).readFileSync(wasmUrl);
  }
  if (wasmBinary) init.wasmBinary = wasmBinary;
  let module;
  if (compiling) {
    const compiled = await compiling;
    // The glue instantiates through this hook; a failure here would leave its promise
    // pending, so it rejects ours instead.
    let failed;
    const failure = new Promise((_, reject) => (failed = reject));
    init.instantiateWasm = (imports, receive) => {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled), failed);
      return {};
    };
    module = await Promise.race([createReluModule(init), failure]);
  } else module = await createReluModule(init);
  const engine = new Engine(module);
  const states = engine.info().states.map(camel);
  states.forEach((name, code) => {
    if (STATE[name] !== code) throw new Error(`engine state ${code} is "${name}", engine.js expects "${STATE_NAMES[code]}"`);
  });
  STATE_NAMES.splice(0, STATE_NAMES.length, ...states);
  return engine;
}

// The engine's wasm, compiled while it streams in (as the glue would do itself).
async function compileWasm(url) {
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }));
    } catch {
      // A server that does not send application/wasm (or a failed fetch): try the bytes.
    }
  }
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`could not fetch ${url.href} (HTTP ${response.status})`);
  return WebAssembly.compile(await response.arrayBuffer());
}

class Engine {
  #m;
  #info = null;
  #layout = null;
  constructor(module) {
    this.#m = module;
  }

  /** Creates a run from a config object (the CLI's JSON config keys, snake_case). */
  createRun(config = {}) {
    const text = typeof config === 'string' ? config : JSON.stringify(config);
    const h = new this.#m.RunHandle();
    const ok = h.create(text);
    const err = h.takeError();
    if (!ok || err) {
      h.delete();
      throw new Error(err || 'could not create the run');
    }
    return new Run(this, h);
  }

  /** Names (datasets, activations, live keys, limits) as the engine knows them. */
  info() {
    if (!this.#info) this.#info = JSON.parse(this.#m.engineInfo());
    return structuredClone(this.#info);
  }

  /**
   * Hands the engine a packed dataset's bytes (data/NAME.bin, tools/pack-datasets.mjs): checked
   * (format, checksum) and kept, so later runs of that dataset use them. Throws with the
   * engine's message on bad bytes; what was registered before stays.
   */
  provideData(name, bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('provideData: bytes must be a Uint8Array');
    const err = this.#m.provideData(String(name), bytes);
    if (err) throw new Error(err);
  }

  /** True when the packed bytes of dataset name are registered. */
  hasData(name) {
    return this.#m.hasData(String(name));
  }

  /** How layerPack() lays out a layer (bindings.cpp's kUnitFields): read once. */
  get snapshotLayout() {
    if (!this.#layout) this.#layout = JSON.parse(this.#m.snapshotLayout());
    return this.#layout;
  }

  /** Current size of the wasm heap in bytes (it only grows). */
  heapBytes() {
    return this.#m.heapBytes();
  }

  /** Bytes the engine's malloc has handed out and not freed (leak checks; bench/soak.mjs). */
  mallocBytes() {
    return this.#m.mallocBytes();
  }

  get module() {
    return this.#m;
  }
}

class Run {
  #engine;
  #h;
  #eventsSeen = 0;
  constructor(engine, handle) {
    this.#engine = engine;
    this.#h = handle;
  }

  // Calls the handle and turns a C++ exception (kept by the binding) into a JS Error.
  #call(name, ...args) {
    const h = this.#h;
    if (!h) throw new Error('this run has been disposed');
    const r = h[name](...args);
    const err = h.takeError();
    if (err) throw new Error(err);
    return r;
  }

  get disposed() {
    return !this.#h;
  }

  /** n training steps (stops early if the run diverges). */
  step(n = 1) {
    this.#call('step', n);
    return this;
  }

  /** Step count, last batch loss, gradient norm, divergence: cheap, no evaluation. */
  status() {
    return this.#call('status');
  }

  /** Where the run diverged: {step, what: 'loss'|'gradient'|'parameters', layer (-1 for the loss;
   *  0-based, hidden layers first, then the output layer), rollbackStep (where rollback() returns)},
   *  or null while everything is finite. */
  divergence() {
    return JSON.parse(this.#call('divergenceJson'));
  }

  /** Back to the last finite checkpoint (taken at every monitor evaluation); returns its step. */
  rollback() {
    return this.#call('rollback');
  }

  /** Loss and accuracy over the whole train and test sets. */
  evaluate() {
    return this.#call('evaluate');
  }

  /** The run's full config (round-trips through createRun). */
  config() {
    return JSON.parse(this.#call('configJson'));
  }

  /**
   * Dataset facts: name, task, classes, features, sizes, 2-D domain, loss; imageShape [C,H,W]
   * for images (mnist, mnist14; null otherwise) and classNames (class k's label). The engine's
   * JSON is snake_case (image_shape, class_names); the two camelCase names are the fixed API.
   */
  dataInfo() {
    const info = JSON.parse(this.#call('dataJson'));
    info.imageShape = info.image_shape;
    info.classNames = info.class_names;
    return info;
  }

  /** FNV-1a 64 (hex) of the loaded data as the network sees it; the CLI's data_fingerprint. */
  dataFingerprint() {
    return this.#call('dataFingerprint');
  }

  /** The training (or test) data: { x: Float32Array (features x n, column-major), y: Float32Array }. */
  data(test = false) {
    const x = this.#call('dataX', !!test).slice();
    const y = this.#call('dataY', !!test).slice();
    return { x, y, features: this.#call('features') };
  }

  /**
   * Reads the run: losses (evaluation mode) and the monitor's last report, taken by the
   * engine on its own cadence (monitorStep says at which step); reading changes nothing, so
   * events are dated the same however often this is called. A snapshot made of copies.
   * events: the neuron events since the previous snapshot of this run (all retained
   * ones on the first); eventsTotal counts every event since the run began.
   * reuse: see below.
   */
  snapshot(reuse = null) {
    const status = this.#call('status');
    // reuse: an earlier evaluate() of this run ({trainLoss, …, step}) instead of a new one
    // (a convnet's losses over 10,000 images take a second: the worker evaluates less often
    // than it reads). evaluationStep says which step the losses are of.
    const ev = reuse ?? this.#call('evaluate');
    const meta = this.#call('monitor');
    const nl = this.#call('numLayers');
    const layout = this.#engine.snapshotLayout;
    const layers = [];
    for (let l = 0; l < nl; l++) {
      const s = this.#call('layerScalars', l);
      const layer = {
        width: s.width,
        activation: s.activation,
        counts: {
          dead: s.dead,
          saturated: s.saturated,
          alwaysOn: s.alwaysOn,
          mostlySilent: s.mostlySilent,
          healthy: s.healthy,
        },
        deadFraction: s.deadFraction,
        silentFraction: s.silentFraction,
        noPositiveFraction: s.noPositiveFraction,
        gradNorm: s.gradNorm,
      };
      // One bulk copy of everything per unit (bindings.cpp's pack_layer), then views into it.
      const buf = this.#call('layerPack', l).slice().buffer;
      let off = 0;
      for (const { name, type } of layout.unit_fields) {
        const T = TYPED[type];
        layer[name] = new T(buf, off, s.width);
        off += Math.ceil((s.width * T.BYTES_PER_ELEMENT) / 4) * 4;
      }
      layer.histograms = {};
      for (const which of layout.histograms) {
        const [bins, samples, lo, hi] = new Float32Array(buf, off, 4);
        off += 16;
        const percentiles = new Float32Array(buf, off, layout.percentiles);
        off += 4 * layout.percentiles;
        const counts = new Float32Array(buf, off, bins);
        off += 4 * bins;
        layer.histograms[which] = { lo, hi, samples, counts, percentiles };
      }
      if (off !== buf.byteLength) throw new Error(`snapshot: layer ${l} pack holds ${buf.byteLength} bytes, the layout reads ${off}`);
      layers.push(layer);
    }
    if (meta.eventsTotal < this.#eventsSeen) this.#eventsSeen = 0;  // the engine cleared its history
    const flat = this.#call('events');
    const retained = flat.length / 4;
    const fresh = Math.min(retained, Math.max(0, meta.eventsTotal - this.#eventsSeen));
    const events = [];
    for (let i = retained - fresh; i < retained; i++) {
      events.push({
        step: flat[4 * i],
        layer: flat[4 * i + 1],
        neuron: flat[4 * i + 2],
        kind: EVENT_KINDS[flat[4 * i + 3]] ?? 'died',
      });
    }
    this.#eventsSeen = meta.eventsTotal;
    return {
      step: status.step,
      evaluationStep: reuse ? reuse.step : status.step,
      trainLoss: ev.trainLoss,
      testLoss: ev.testLoss,
      trainAccuracy: ev.trainAccuracy,
      testAccuracy: ev.testAccuracy,
      batchLoss: status.batchLoss,
      diverged: status.diverged,
      divergence: status.diverged ? this.divergence() : null,
      gradNorm: status.gradNorm,
      bornDead: status.bornDead,
      layerCollapsed: meta.layerCollapsed,
      evalSamples: meta.evalSamples,
      monitorStep: meta.step,
      eventsTotal: meta.eventsTotal,
      layers,
      events,
    };
  }

  /** Live change of one setting (see engine.info().live_keys); value is a plain JS value. */
  set(key, value) {
    this.#call('set', String(key), JSON.stringify(value));
    if (String(key).replace(/-/g, '_') === 'dead_def') this.#eventsSeen = 0;  // history cleared
    return this;
  }

  /** ReDo revive of every dead (or tau-dormant) unit; returns how many were revived. */
  revive() {
    return this.#call('revive');
  }
  reviveNeuron(layer, neuron) {
    this.#call('reviveNeuron', layer, neuron);
    return this;
  }
  setFrozen(layer, neuron, frozen) {
    this.#call('setFrozen', layer, neuron, !!frozen);
    return this;
  }
  setAblated(layer, neuron, ablated) {
    this.#call('setAblated', layer, neuron, !!ablated);
    return this;
  }

  /** Weights as JSON text, in the CLI's format. */
  exportWeights() {
    return this.#call('exportWeights');
  }
  /** Loads weights (JSON text or object); shapes must match. */
  importWeights(json) {
    this.#call('importWeights', typeof json === 'string' ? json : JSON.stringify(json));
    this.#eventsSeen = 0;  // history cleared
    return this;
  }

  /**
   * The parameter block as a Float32Array copy, and each layer's shape and offsets:
   * per layer [W (out x in, column-major) | b (out) | s (out, prelu slopes)].
   */
  weights() {
    const n = this.#call('numModelLayers');
    const layers = [];
    for (let l = 0; l < n; l++) layers.push(this.#call('layerShape', l));
    const params = this.#call('params').slice();
    return { params, layers };
  }

  /**
   * Output of hidden unit (layer, neuron), or of the network when layer is -1, over a
   * res x res grid of the data's 2-D domain (row-major, y from the top); 1-D data: res values.
   */
  grid(layer, neuron, res = 64) {
    return this.#call('grid', layer, neuron, res).slice();
  }

  /**
   * The k training inputs with the highest pre-activation z of hidden unit (layer, neuron),
   * descending, ties by the lower index: { index: Int32Array (columns of data(false)),
   * z: Float32Array }. Fewer than k when the training set is smaller. One forward over the
   * training set: a request, not a per-frame read.
   */
  topInputs(layer, neuron, k = 8) {
    const r = this.#call('topInputs', layer, neuron, k);
    return { index: r.index.slice(), z: r.z.slice() };
  }

  /**
   * What every layer's units output (post-activation) for one input: column `index` of the
   * training set, or of the test set. An array with one Float32Array per layer (hidden layers,
   * then the output layer) of units x positions values, unit by unit: a conv channel's feature
   * map row by row (weights().layers[l].positions values each). One forward of one sample.
   */
  activations(index, test = false) {
    const flat = this.#call('sampleActivations', index, !!test).slice();
    const out = [];
    let at = 0;
    for (let l = 0, n = this.#call('numModelLayers'); l < n; l++) {
      const { out: units, positions } = this.#call('layerShape', l);
      out.push(flat.subarray(at, at + units * positions));
      at += units * positions;
    }
    return out;
  }

  /**
   * Network output for inputs x: an array of samples (each an array of features), or a
   * Float32Array of n samples laid out feature-major (features x n, column-major).
   * Returns a Float32Array of outputs x n (column-major).
   */
  predict(x) {
    const f = this.#call('features');
    let flat;
    if (x instanceof Float32Array) flat = x;
    else flat = Float32Array.from(x.flat());
    if (flat.length % f !== 0) throw new Error(`predict: expected a multiple of ${f} numbers, got ${flat.length}`);
    const n = flat.length / f;
    this.#call('input', n).set(flat);
    return this.#call('predict', n).slice();
  }

  /** Frees the C++ run. The object is unusable afterwards. Safe to call twice. */
  dispose() {
    if (!this.#h) return;
    this.#h.dispose();
    this.#h.delete();
    this.#h = null;
  }
}

/** The ArrayBuffers of a snapshot, for postMessage's transfer list. */
export function snapshotTransferables(snap) {
  const out = [];
  const add = (a) => {
    if (ArrayBuffer.isView(a) && !out.includes(a.buffer)) out.push(a.buffer);
  };
  for (const layer of snap.layers ?? []) {
    for (const v of Object.values(layer)) add(v);
    for (const h of Object.values(layer.histograms ?? {})) {
      add(h.counts);
      add(h.percentiles);
    }
  }
  return out;
}
