// The playground's state: ONE declarative table of every setting. The table drives
// URL parsing, URL serialisation, the controls' ranges and the engine config.
//
//   parse(query)      -> { state, warnings }   pure: validates, clamps, reports
//   serialize(state)  -> query string (only values that differ from the defaults)
//   toEngineConfig(state, overrides) -> the engine's snake_case config object
//
// Nothing here touches the DOM; warnings are plain strings that the page shows
// with textContent.

// The engine's name lists, generated at build time from engine.info() (tools/engine-names.mjs,
// run by playground.sh after the wasm build; not committed). They let a link be validated
// before the engine has loaded, in the engine's own order.
import * as ENGINE from './engine-names.js';
import { WATCH_EVERY_STEP, FAST_CADENCE, MAX_CADENCE, cadenceFor, DATA_SIZES } from './monitor-cadence.js';
import { parseNet, hasImageLayers, netWidths, netGeometry } from './net-spec.js';

// Page-only values, added to the engine's lists (nothing else here names an engine value):
//   CSV_DATASET     the upload: the engine takes it as csv_text, not as a named dataset
//   PAGE_UNIFORM    the page's instance of the engine's parametrised 'uniform' init
export const CSV_DATASET = 'csv';
export const PAGE_UNIFORM = 'uniform(-1,0)';
export const DATASETS = Object.freeze([...ENGINE.datasets, CSV_DATASET]);
export const ACTIVATIONS = ENGINE.activations;
export const INITS = Object.freeze(ENGINE.inits.map((n) => (n === 'uniform' ? PAGE_UNIFORM : n)));
export const OPTIMIZERS = ENGINE.optimizers;
// Page-only enums (settings the engine does not have).
export const DEAD_SETS = ['full', 'probe', 'batch', 'dormant'];
// Speed: training steps per second of wall time (the worker paces by the clock, so a value
// means the same on every screen and in a hidden tab); 'max' trains as fast as it can.
// Roughly doubling steps; the values 1, 5, 20 and 100 are left out on purpose: they were the
// old steps-per-frame values, and a link that still carries one is read by LEGACY_SPEEDS.
export const SPEEDS = ['2', '3', '6', '10', '15', '30', '60', '150', '300', '1000', '3000', '10000', 'max'];
// Old links said steps per frame (1, 5, 20, 100); at 60 frames per second that is 60, 300,
// 1,200 and 6,000 steps per second, read as the nearest value above (on a log scale).
export const LEGACY_FRAME_RATE = 60;
export const LEGACY_SPEEDS = Object.freeze(Object.fromEntries(['1', '5', '20', '100'].map((v) => [v, nearestSpeed(Number(v) * LEGACY_FRAME_RATE)])));
// Where the step axes of the charts and the timeline put their steps: 'log' spreads the first
// hundred steps (where most presets' units die) over half the axis; step 0 sits at the left
// edge (the axis is asinh: linear below one step, logarithmic above).
export const STEP_AXES = ['linear', 'log'];
export const HIST_VIEWS = ['offset', 'overlay', 'bands'];
// How an uploaded CSV's last column is read (the engine's task key, engine/dataset.h csv_targets).
export const TASKS = ['auto', 'classification', 'regression'];
export const MAX_LAYERS = 10;
export const MAX_WIDTH = 512;
export const MAX_COMPARE = 4;

// type: 'enum' | 'int' | 'num' | 'bool' | 'widths' | 'compare' ; engine: the engine key (null: page only)
// names: the engine.info() list an enum's values come from (the lists above are generated
// from it; tests/node/names.test.mjs checks that), and the controls offer the engine's own
// list once a worker reports it.
// live: the engine accepts it without a restart.
export const SETTINGS = [
  { name: 'dataset', type: 'enum', values: DATASETS, names: 'datasets', default: 'spiral', engine: 'dataset', label: 'Dataset' },
  { name: 'noise', type: 'num', min: 0, max: 1, default: 0, engine: 'noise', label: 'Noise' },
  { name: 'samples', type: 'int', min: 0, max: 200000, default: 0, engine: 'samples', label: 'Samples (0 = dataset default)' },
  { name: 'test', type: 'num', min: 0, max: 0.95, default: null, nullable: true, engine: 'test_fraction', label: 'Test fraction' },
  { name: 'standardize', type: 'bool', default: false, engine: 'standardize', label: 'Standardise inputs' },
  // Only for an uploaded CSV (a generator has its own task): toEngineConfig sends it only then.
  { name: 'task', type: 'enum', values: TASKS, default: 'auto', engine: 'task', label: 'Task (CSV target)' },
  // The whole hidden network with convolutions and pooling (web/net-spec.js); '' = the dense
  // layers below. When set, `layers` is derived from it (its conv channels and dense units).
  { name: 'net', type: 'net', default: '', engine: 'net', label: 'Network spec (conv2d, maxpool, dense)' },
  { name: 'layers', type: 'widths', min: 1, max: MAX_WIDTH, maxCount: MAX_LAYERS, default: [8, 8, 8], engine: 'layers', label: 'Hidden layers' },
  { name: 'activation', type: 'enum', values: ACTIVATIONS, names: 'activations', default: 'relu', engine: 'activation', live: true, label: 'Activation' },
  { name: 'slope', type: 'num', min: 0, max: 1, default: 0.01, engine: 'leaky_slope', live: true, label: 'Leaky slope' },
  { name: 'init', type: 'enum', values: INITS, names: 'inits', default: 'he_normal', engine: 'init', label: 'Initialiser' },
  { name: 'biasInit', type: 'num', min: -10, max: 10, default: 0, engine: 'bias_init', label: 'Bias init' },
  { name: 'optimizer', type: 'enum', values: OPTIMIZERS, names: 'optimizers', default: 'sgd', engine: 'optimizer', label: 'Optimiser' },
  { name: 'lr', type: 'num', min: 1e-5, max: 10, default: 0.03, engine: 'lr', live: true, label: 'Learning rate' },
  { name: 'clip', type: 'num', min: 0, max: 100, default: 0, engine: 'clip_norm', live: true, label: 'Clip gradient norm (0 = off)' },
  { name: 'batch', type: 'int', min: 0, max: 1000, default: 10, engine: 'batch', live: true, label: 'Batch size (0 = full)' },
  { name: 'l1', type: 'num', min: 0, max: 1, default: 0, engine: 'l1', live: true, label: 'L1' },
  { name: 'l2', type: 'num', min: 0, max: 1, default: 0, engine: 'l2', live: true, label: 'L2' },
  // AdamW's decoupled decay (the engine's weight_decay, PyTorch's default 0.01): only adamw
  // reads it, so the controls show it only then; below 1, as the engine requires.
  { name: 'weightDecay', type: 'num', min: 0, max: 0.99, default: 0.01, engine: 'weight_decay', live: true, label: 'Weight decay (AdamW)' },
  { name: 'dropout', type: 'num', min: 0, max: 0.9, default: 0, engine: 'dropout', live: true, label: 'Dropout' },
  { name: 'alphaDropout', type: 'num', min: 0, max: 0.9, default: 0, engine: 'alpha_dropout', live: true, label: 'AlphaDropout' },
  { name: 'dead', type: 'enum', values: DEAD_SETS, default: 'full', engine: null, live: true, label: 'Dead means' },
  { name: 'probe', type: 'int', min: 1, max: 100000, default: 256, engine: null, live: true, label: 'Probe size' },
  { name: 'tau', type: 'num', min: 0, max: 1, default: 0.1, engine: null, live: true, label: 'Dormancy τ' },
  { name: 'silent', type: 'num', min: 0, max: 1, default: 0.05, engine: 'silent_threshold', live: true, label: 'Mostly-silent below' },
  { name: 'reviveEvery', type: 'int', min: 0, max: 100000, default: 0, engine: 'revive_every', live: true, label: 'Auto-revive every K steps (0 = off)' },
  { name: 'monitorEvery', type: 'int', min: 1, max: MAX_CADENCE, default: FAST_CADENCE, engine: 'monitor_every', live: true, label: 'Monitor every' },
  { name: 'seed', type: 'int', min: 0, max: 2147483647, default: 1, engine: 'seed', label: 'Seed' },
  // page-only settings
  { name: 'speed', type: 'enum', values: SPEEDS, default: 'max', engine: null, label: 'Speed (steps per second)' },
  { name: 'steps', type: 'enum', values: STEP_AXES, default: 'linear', engine: null, label: 'Step axis' },
  { name: 'hist', type: 'enum', values: HIST_VIEWS, default: 'offset', engine: null, label: 'Histogram view' },
  { name: 'preset', type: 'enum', values: null, default: '', engine: null, label: 'Preset' },
  { name: 'compare', type: 'compare', default: null, engine: null, label: 'Compare' },
];

export const BY_NAME = Object.fromEntries(SETTINGS.map((s) => [s.name, s]));
// Settings a compare run may vary (its values are validated by that setting's own entry).
export const COMPARABLE = ['activation', 'lr', 'init', 'biasInit', 'optimizer', 'batch', 'alphaDropout', 'dropout',
  'layers', 'reviveEvery', 'standardize', 'slope', 'l2', 'weightDecay'];

const MAX_TEXT = 200; // longest query value we look at

// Limits on what the page reads from files and API calls (docs/limits.md, "In the browser").
export const MAX_CSV_BYTES = 20e6;      // CSV upload
export const MAX_IMPORT_BYTES = 50e6;   // run or weights JSON (file or API)
export const MAX_JSON_DEPTH = 64;       // nesting of imported JSON (the engine's kMaxWeightsDepth)
export const MAX_SET_KEYS = 64;         // keys in one set() / postMessage 'set'
export const MAX_IMPORT_STEPS = 1e7;    // the step a run file may be replayed to

export function defaults() {
  const s = {};
  for (const def of SETTINGS) s[def.name] = clone(def.default);
  return s;
}

function clone(v) {
  return Array.isArray(v) ? v.slice() : v && typeof v === 'object' ? structuredClone(v) : v;
}

// Readers: (def, text) -> { value, warning? }. A reader never returns text that was
// not in its allowed set, so nothing from the URL reaches the page unvalidated.
export function show(text) {
  const t = String(text);
  // Shown in warnings via textContent; still, keep it short and printable.
  const clean = t.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? clean.slice(0, 37) + '…' : clean;
}

/** A file name as the page shows it (textContent): control characters replaced, at most 60 characters. */
export function fileLabel(name) {
  const t = String(name ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return t.length > 60 ? t.slice(0, 57) + '…' : t;
}

/** Megabytes with one decimal, for messages about sizes. */
export function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

function readNumber(def, text, integer) {
  const t = String(text).trim();
  const x = t === '' ? NaN : Number(t);
  if (!Number.isFinite(x)) return { value: clone(def.default), invalid: true, warning: `${def.name}: "${show(text)}" is not a number; using ${fmt(def.default)}` };
  let v = integer ? Math.round(x) : x;
  let warning;
  if (integer && v !== x) warning = `${def.name}: ${show(text)} rounded to ${v}`;
  if (v < def.min) {
    warning = `${def.name}: ${show(text)} is below ${def.min}; clamped to ${def.min}`;
    v = def.min;
  } else if (v > def.max) {
    warning = `${def.name}: ${show(text)} is above ${def.max}; clamped to ${def.max}`;
    v = def.max;
  }
  return { value: v, warning };
}

function fmt(v) {
  return v === null ? 'auto' : Array.isArray(v) ? v.join(',') : String(v);
}

const READERS = {
  enum(def, text) {
    const t = String(text).trim().toLowerCase();
    const values = def.values ?? PRESET_IDS;
    if (values.includes(t)) return { value: t };
    if (def.name === 'speed') {
      // An older link's steps per frame, or a rate between the offered ones: the nearest offered rate.
      if (Object.hasOwn(LEGACY_SPEEDS, t)) return { value: LEGACY_SPEEDS[t], warning: `speed: ${t} (steps per frame, from an older link) read as ${speedLabel(LEGACY_SPEEDS[t])}` };
      const x = t === '' ? NaN : Number(t);
      if (Number.isFinite(x) && x > 0) return { value: nearestSpeed(x), warning: `speed: ${show(t)} steps/s is not offered; using ${speedLabel(nearestSpeed(x))}` };
    }
    // tolerate dashes/underscores ("leaky-relu")
    const alt = values.find((v) => v.replace(/[-_]/g, '') === t.replace(/[-_]/g, ''));
    if (alt) return { value: alt };
    return { value: clone(def.default), invalid: true, warning: `${def.name}: unknown value "${show(text)}"; using ${fmt(def.default) || 'none'}` };
  },
  int(def, text) {
    return readNumber(def, text, true);
  },
  num(def, text) {
    if (def.nullable && String(text).trim().toLowerCase() === 'auto') return { value: null };
    return readNumber(def, text, false);
  },
  bool(def, text) {
    const t = String(text).trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(t)) return { value: true };
    if (['0', 'false', 'no', 'off'].includes(t)) return { value: false };
    return { value: def.default, invalid: true, warning: `${def.name}: "${show(text)}" is not true/false; using ${def.default}` };
  },
  widths(def, text) {
    const parts = String(text).split(/[,\s]+/).filter((p) => p !== '');
    const warnings = [];
    if (parts.length === 0) return { value: def.default.slice(), invalid: true, warning: `${def.name}: empty; using ${fmt(def.default)}` };
    if (parts.length > def.maxCount) warnings.push(`${def.name}: at most ${def.maxCount} hidden layers; kept the first ${def.maxCount}`);
    const out = [];
    let invalid = false; // a width that is not a number at all
    for (const p of parts.slice(0, def.maxCount)) {
      const r = readNumber({ ...def, name: `${def.name} width`, default: 8 }, p, true);
      if (r.warning) warnings.push(r.warning);
      if (r.invalid) invalid = true;
      out.push(r.value);
    }
    return { value: out, warning: warnings, invalid };
  },
  net(def, text) {
    const t = String(text).trim();
    if (t.toLowerCase() === 'off') return { value: '' };
    const r = parseNet(t, ACTIVATIONS);
    if (r.error) return { value: clone(def.default), invalid: true, warning: `${r.error}; using the dense layers` };
    return { value: r.text };
  },
  compare(def, text) {
    // "activation:relu|leaky_relu|selu"; "off" (a link that turns off its preset's compare)
    const t = String(text);
    if (t.trim().toLowerCase() === 'off') return { value: null };
    const colon = t.indexOf(':');
    const key = colon > 0 ? t.slice(0, colon).trim() : '';
    if (!COMPARABLE.includes(key))
      return { value: null, warning: `compare: "${show(key || text)}" cannot be compared (use one of ${COMPARABLE.join(', ')})` };
    const raw = t.slice(colon + 1).split('|').filter((p) => p.trim() !== '');
    const warnings = [];
    if (raw.length > MAX_COMPARE) warnings.push(`compare: at most ${MAX_COMPARE} runs; kept the first ${MAX_COMPARE}`);
    const values = [];
    for (const p of raw.slice(0, MAX_COMPARE)) {
      const r = READERS[BY_NAME[key].type](BY_NAME[key], p);
      for (const w of [r.warning ?? []].flat()) warnings.push(`compare ${w}${r.invalid ? ' (dropped)' : ''}`);
      if (r.invalid) continue;
      // Equal as the URL writes them (numbers to 6 digits), so a link round-trips.
      const w = WRITERS[BY_NAME[key].type];
      if (values.some((v) => equal(v, r.value) || w(v) === w(r.value))) {
        warnings.push(`compare: ${show(p)} given twice (dropped)`);
        continue;
      }
      values.push(r.value);
    }
    if (values.length < 2) {
      warnings.push('compare: needs 2 to 4 different values; compare mode is off');
      return { value: null, warning: warnings };
    }
    return { value: { key, values }, warning: warnings };
  },
};

const WRITERS = {
  enum: (v) => v,
  net: (v) => v,
  int: (v) => String(v),
  num: (v) => (v === null ? 'auto' : String(+Number(v).toPrecision(6))),
  bool: (v) => (v ? '1' : '0'),
  widths: (v) => v.join(','),
  compare: (v) => `${v.key}:${v.values.map((x) => WRITERS[BY_NAME[v.key].type](x)).join('|')}`,
};

// Preset ids are registered by presets.js (kept here as a plain list so parse stays pure).
let PRESET_IDS = [''];
export function registerPresetIds(ids) {
  PRESET_IDS = ['', ...ids];
}

// A query as URLSearchParams; anything that is not text reads as its String() (never throws).
function toParams(query) {
  if (query instanceof URLSearchParams) return query;
  let text = '';
  try {
    text = String(query ?? '');
  } catch {
    text = '';
  }
  return new URLSearchParams(text.replace(/^[?#]/, ''));
}

/**
 * Parses a query string ("?lr=0.3&layers=16,16") or URLSearchParams.
 * Returns { state, warnings, invalid }: every setting present, valid and clamped; warnings
 * say what was changed or ignored; invalid lists the keys whose text was unusable (not a
 * number, unknown name: their default was used). Pure: no DOM, no globals besides the table.
 */
export function parse(query) {
  const params = toParams(query);
  const state = defaults();
  const warnings = [];
  const invalid = [];
  const seen = new Set();
  for (const [rawKey, rawValue] of params) {
    const key = rawKey.trim();
    const def = Object.hasOwn(BY_NAME, key) ? BY_NAME[key] : null;
    if (!def) {
      warnings.push(`unknown setting "${show(key)}" ignored`);
      continue;
    }
    if (seen.has(key)) {
      warnings.push(`${key} given twice; using the first`);
      continue;
    }
    seen.add(key);
    const text = String(rawValue).slice(0, MAX_TEXT);
    const r = READERS[def.type](def, text);
    for (const w of [r.warning ?? []].flat()) warnings.push(w);
    if (r.invalid) invalid.push(key);
    state[key] = r.value;
  }
  // Cross-setting rules.
  if (state.dataset === 'csv') {
    warnings.push('dataset: csv data cannot travel in a link; upload the file again (using spiral)');
    state.dataset = 'spiral';
    invalid.push('dataset');
  }
  for (const w of netRules(state)) {
    warnings.push(w);
    invalid.push('net');
  }
  if (state.dropout > 0 && state.alphaDropout > 0) {
    warnings.push('dropout and alphaDropout cannot both be on; alphaDropout set to 0');
    state.alphaDropout = 0;
  }
  if (state.compare && state.compare.key === 'dropout' && state.alphaDropout > 0) state.alphaDropout = 0;
  if (state.compare && state.compare.key === 'alphaDropout' && state.dropout > 0) state.dropout = 0;
  // A link without a cadence gets the one that goes with its speed and settings where that is
  // not the default (a big evaluation set: monitor-cadence.js).
  if (!seen.has('monitorEvery')) state.monitorEvery = linkCadence(state);
  return { state, warnings, invalid };
}

/**
 * The monitor's cadence a link without monitorEvery gets: the one that goes with its speed and
 * settings where that is not the default (a big evaluation set: monitor-cadence.js), else the
 * default. serialize writes the default cadence too when this is not it, so a cadence chosen by
 * hand survives the link even when it is the table's default (10 on MNIST).
 */
function linkCadence(state) {
  const fitted = cadenceFor(state.speed, state);
  return fitted !== cadenceFor(state.speed) ? fitted : BY_NAME.monitorEvery.default;
}

/**
 * True when a run of this state reads weightDecay: its optimiser is adamw, or a compared one
 * is. The engine takes weight_decay with every optimiser and only adamw applies it, so a link
 * may carry it for sgd without a warning (it is the value the next switch to adamw uses, and a
 * serialized state parses without warnings); the controls show the field only when it is read.
 */
export function usesWeightDecay(state) {
  return state.optimizer === 'adamw' || (state.compare?.key === 'optimizer' && state.compare.values.includes('adamw'));
}

/**
 * A net that the dataset cannot take (convolutions on 2-D points, a kernel larger than the
 * image) is dropped, with the reason; a net that fits sets `layers` to its widths. Mutates
 * state; returns the warnings.
 */
export function netRules(state) {
  if (!state.net) return [];
  const { layers } = parseNet(state.net, ACTIVATIONS);
  const shape = DATA_SIZES[state.dataset]?.shape ?? null;
  let error = null;
  if (hasImageLayers(layers) && !shape) error = `net: convolutions and pooling need image data (mnist, mnist14), not ${show(state.dataset)}`;
  else if (shape) error = netGeometry(layers, shape).error ?? null;
  if (error) {
    state.net = '';
    return [`${error}; using the dense layers`];
  }
  state.layers = netWidths(layers);
  return [];
}

/**
 * The query string for a state: only settings that differ from their defaults. A link with a
 * preset applies the preset's settings first, so presetSettings (the settings of state.preset,
 * when the link will carry it) adds every key the state has changed away from the preset,
 * even back to its default (compare off is written "compare=off").
 */
export function serialize(state, presetSettings = null) {
  const params = new URLSearchParams();
  for (const def of SETTINGS) {
    const v = state[def.name];
    const awayFromPreset = presetSettings !== null && Object.hasOwn(presetSettings, def.name) && !equal(v ?? null, presetSettings[def.name] ?? null);
    // A default cadence is written when a link without it would get another (linkCadence).
    const implied = equal(v, def.default) && (def.name !== 'monitorEvery' || v === linkCadence(state));
    if (!awayFromPreset && (v === undefined || v === '' || implied)) continue;
    if (def.name === 'layers' && state.net) continue;  // the net's own widths
    if (def.type === 'compare' && !v) {
      if (awayFromPreset) params.set(def.name, 'off');
      continue;
    }
    params.set(def.name, WRITERS[def.type](v));
  }
  // The seed is always written: a shared link must reproduce the run exactly.
  if (!params.has('seed')) params.set('seed', String(state.seed));
  return params.toString().replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%7C/g, '|').replace(/%28/g, '(').replace(/%29/g, ')');
}

function equal(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  if (a && b && typeof a === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** The engine's dead_def string for a state. */
export function deadDef(state) {
  if (state.dead === 'probe') return `probe:${state.probe}`;
  if (state.dead === 'dormant') return `dormant:${state.tau}`;
  return state.dead;
}

/** The engine config for a state (with optional per-run overrides of setting names). */
export function toEngineConfig(state, overrides = {}, csvText = '') {
  const s = { ...state, ...overrides };
  const cfg = {};
  for (const def of SETTINGS) {
    if (!def.engine) continue;
    const v = s[def.name];
    if (def.name === 'test' && v === null) continue;
    if (def.name === 'task' && s.dataset !== CSV_DATASET) continue;
    if (def.name === 'net' && !v) continue;
    cfg[def.engine] = Array.isArray(v) ? v.slice() : v;
  }
  cfg.dead_def = deadDef(s);
  if (s.dataset === 'csv') cfg.csv_text = csvText;
  if (cfg.dropout > 0 && cfg.alpha_dropout > 0) cfg.alpha_dropout = 0;
  return cfg;
}

/** Engine keys whose change can be applied to a running run. */
export function liveUpdates(prev, next) {
  const out = [];
  for (const def of SETTINGS) {
    if (!def.live || equal(prev[def.name], next[def.name])) continue;
    if (['dead', 'probe', 'tau'].includes(def.name)) {
      if (!out.some(([k]) => k === 'dead_def')) out.push(['dead_def', deadDef(next)]);
    } else out.push([def.engine, next[def.name]]);
  }
  return out;
}

/** True when going from prev to next needs a new run (a non-live engine setting changed). */
export function needsRestart(prev, next) {
  return SETTINGS.some((d) => d.engine && !d.live && !equal(prev[d.name], next[d.name])) || !equal(prev.compare, next.compare);
}

/** Clamps one value set from a control, through the same reader as the URL. */
export function coerce(name, text) {
  const def = BY_NAME[name];
  const r = READERS[def.type](def, text);
  const list = [r.warning ?? []].flat();
  return { value: r.value, warning: list.length ? list.join('; ') : undefined };
}

/** The speed value nearest to `stepsPerSecond` on a log scale (of the numeric values). */
export function nearestSpeed(stepsPerSecond) {
  let best = null;
  for (const v of SPEEDS) {
    if (v === 'max') continue;
    const d = Math.abs(Math.log(Number(v) / stepsPerSecond));
    if (best === null || d < best.d) best = { v, d };
  }
  return best.v;
}

/** A speed as the page shows it: "300 steps/s", "10,000 steps/s", "max". */
export function speedLabel(v) {
  return v === 'max' ? 'max' : `${Number(v).toLocaleString('en-US')} steps/s`;
}

/** Steps per second of a speed value; 0 = as fast as possible. */
export function stepsPerSecond(v) {
  return v === 'max' ? 0 : Number(v);
}

// The monitor's cadence that goes with a speed and the settings: web/monitor-cadence.js (every
// step when watched slowly, else every 10; on a big evaluation set such as MNIST's, at least
// what keeps the monitor within its budget). Reading is pure: the cadence changes when states
// are evaluated and events stamped, never the weights.
export { WATCH_EVERY_STEP, cadenceFor };

/**
 * next, with the monitor's cadence following a change of speed or of what an evaluation costs
 * (dataset, widths, batch, evaluation set), when the cadence was the one that went with the old
 * state and this change does not set it (a cadence chosen by hand stays).
 */
export function cadenceFollowsSpeed(prev, next) {
  const was = cadenceFor(prev.speed, prev);
  if (prev.monitorEvery !== next.monitorEvery || prev.monitorEvery !== was) return next;
  const now = cadenceFor(next.speed, next);
  return now === was ? next : { ...next, monitorEvery: now };
}

export function formatValue(name, v) {
  return WRITERS[BY_NAME[name].type](v);
}

// ---------- page flags (not settings: they shape the page, not the run) ----------
//   embed=1                 trimmed page for an iframe (no title, share link or footer)
//   hide=a,b,...            parts, setting rows or groups to hide (names: docs/embedding.md)
//   origins=https://a,...   only these origins may drive the page through postMessage
//   autoplay=0              start paused
export const FLAGS = ['embed', 'hide', 'origins', 'autoplay'];

/**
 * Splits a query into the page flags and the settings. Pure.
 * Returns { flags: {embed, hide[], origins[]|null, autoplay}, params (URLSearchParams of the rest), warnings }.
 */
export function parseFlags(query) {
  const all = toParams(query);
  const params = new URLSearchParams();
  const flags = { embed: false, hide: [], origins: null, autoplay: true };
  const warnings = [];
  const bool = (key, v) => {
    const t = String(v).trim().toLowerCase();
    if (['1', 'true', 'yes', 'on', ''].includes(t)) return true;
    if (['0', 'false', 'no', 'off'].includes(t)) return false;
    warnings.push(`${key}: "${show(v)}" is not 0 or 1; ignored`);
    return null;
  };
  for (const [rawKey, v] of all) {
    const key = rawKey.trim();
    if (!FLAGS.includes(key)) {
      params.append(rawKey, v);
      continue;
    }
    const text = String(v).slice(0, MAX_TEXT);
    if (key === 'embed' || key === 'autoplay') {
      const b = bool(key, text);
      if (b !== null) flags[key] = b;
    } else if (key === 'hide') {
      for (const name of text.split(',').map((x) => x.trim()).filter(Boolean)) if (!flags.hide.includes(name)) flags.hide.push(name);
    } else if (key === 'origins') {
      flags.origins ??= [];
      for (const o of text.split(',').map((x) => x.trim()).filter(Boolean)) {
        let origin = null;
        try {
          origin = o === 'null' ? 'null' : new URL(o).origin;
        } catch {
          origin = null;
        }
        if (!origin || (origin === 'null' && o !== 'null')) warnings.push(`origins: "${show(o)}" is not an origin (like https://example.org); ignored`);
        else if (!flags.origins.includes(origin)) flags.origins.push(origin);
      }
    }
  }
  return { flags, params, warnings };
}

/** The query string of the flags that differ from their defaults. */
export function serializeFlags(flags) {
  const p = new URLSearchParams();
  if (flags.embed) p.set('embed', '1');
  if (flags.hide?.length) p.set('hide', flags.hide.join(','));
  if (flags.origins) p.set('origins', flags.origins.join(','));
  if (flags.autoplay === false) p.set('autoplay', '0');
  return p.toString().replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%2F/g, '/');
}
