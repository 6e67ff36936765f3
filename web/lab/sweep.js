// The sweep's bookkeeping in JS, mirroring engine/sweep.cpp so the browser lab and
// `relu-lab sweep` agree on job order, seeds, aggregation and the result format.
// Pure (no DOM, no engine): the Workers run the jobs (web/lab/lab-worker.js).
//
//   spec   { kind: 'train'|'born_dead', name, base: {config}, axes: {key: [values]},
//            seeds, steps, first_seed, metrics: [...], trials }
//   jobs   train: cell-major, seeds fastest (job = cell * seeds + repeat), seed = first_seed + repeat;
//          born_dead: one per cell.

export const TRAIN_METRICS = ['final_loss', 'test_loss', 'test_accuracy', 'dead', 'silent', 'no_positive', 'born_dead',
  'grad_norm', 'diverged', 'dead_channels', 'no_positive_channels'];
export const BORN_DEAD_METRICS = ['born_dead', 'reference'];

export function normalizeSpec(spec) {
  const s = {
    kind: spec.kind ?? 'train',
    name: spec.name ?? 'custom',
    base: spec.base ?? {},
    axes: spec.axes ?? {},
    seeds: spec.seeds ?? 3,
    steps: spec.steps ?? 1000,
    first_seed: spec.first_seed ?? 1,
    trials: spec.trials ?? 200,
  };
  const all = s.kind === 'born_dead' ? BORN_DEAD_METRICS : TRAIN_METRICS;
  s.metrics = spec.metrics?.length ? [...spec.metrics] : [...all];
  for (const m of s.metrics) if (!all.includes(m)) throw new Error(`unknown metric "${m}" (expected one of ${all.join(', ')})`);
  if (!['train', 'born_dead'].includes(s.kind)) throw new Error(`kind must be train or born_dead (got "${s.kind}")`);
  if (!(Number.isInteger(s.seeds) && s.seeds >= 1 && s.seeds <= 1000)) throw new Error('seeds must be an integer in 1..1000');
  if (!(Number.isInteger(s.steps) && s.steps >= 0)) throw new Error('steps must be a whole number >= 0');
  for (const [k, v] of Object.entries(s.axes)) if (!Array.isArray(v) || !v.length) throw new Error(`axis "${k}" has no values`);
  return s;
}

export function numCells(spec) {
  return Object.values(spec.axes).reduce((n, v) => n * v.length, 1);
}

export function numJobs(spec) {
  return numCells(spec) * (spec.kind === 'born_dead' ? 1 : spec.seeds);
}

/** The cell's settings, row-major over the axes (the last axis varies fastest). */
export function cellSettings(spec, cell) {
  const entries = Object.entries(spec.axes);
  const out = {};
  for (let a = entries.length - 1; a >= 0; a--) {
    const [k, vals] = entries[a];
    out[k] = vals[cell % vals.length];
    cell = Math.floor(cell / vals.length);
  }
  // keep the axes' order
  return Object.fromEntries(entries.map(([k]) => [k, out[k]]));
}

export function jobCell(spec, job) {
  return spec.kind === 'born_dead' ? job : Math.floor(job / spec.seeds);
}

/** What a worker needs to run one job. */
export function jobTask(spec, job) {
  const cell = jobCell(spec, job);
  const settings = cellSettings(spec, cell);
  if (spec.kind === 'born_dead') {
    const b = { width: 2, depth: 10, init: 'he_normal', ...spec.base, ...settings };
    return { kind: 'born_dead', job, cell, width: b.width, depth: b.depth, init: b.init, trials: spec.trials, seed: spec.first_seed + cell * 100003 };
  }
  const config = { ...spec.base, ...settings, steps: spec.steps, seed: spec.first_seed + (job % spec.seeds) };
  return { kind: 'train', job, cell, config, steps: spec.steps };
}

/** Mean, standard error (sample std, n - 1, over sqrt n) and the values; non-finite values are not counted. */
export function aggregate(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  if (!n) return { mean: null, se: 0, n: 0, values: values.map((v) => (Number.isFinite(v) ? v : null)) };
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  const ss = finite.reduce((a, v) => a + (v - mean) ** 2, 0);
  const se = n > 1 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : 0;
  return { mean, se, n, values: values.map((v) => (Number.isFinite(v) ? v : null)) };
}

/**
 * jobResults: array indexed by job, each an object {metric: value} or undefined (not run).
 * Returns the same JSON shape as `relu-lab sweep`.
 */
export function buildResult(spec, jobResults, elapsedSeconds = 0) {
  const cells = [];
  const total = numJobs(spec);
  let done = 0;
  const perCell = Array.from({ length: numCells(spec) }, () => []);
  for (let j = 0; j < total; j++) {
    if (!jobResults[j]) continue;
    done++;
    perCell[jobCell(spec, j)].push(jobResults[j]);
  }
  perCell.forEach((runs, c) => {
    const metrics = {};
    for (const m of spec.metrics) {
      if (spec.kind === 'born_dead') {
        const r = runs[0];
        metrics[m] = r
          ? { mean: r[m], se: m === 'born_dead' ? r.born_dead_se : 0, n: spec.trials, values: [r[m]] }
          : { mean: null, se: 0, n: 0, values: [] };
      } else {
        metrics[m] = aggregate(runs.map((r) => r[m]));
      }
    }
    cells.push({ settings: cellSettings(spec, c), runs: runs.length, metrics });
  });
  return {
    sweep: {
      kind: spec.kind,
      name: spec.name,
      base: spec.base,
      axes: spec.axes,
      ...(spec.kind === 'train' ? { seeds: spec.seeds, steps: spec.steps } : { trials: spec.trials }),
      first_seed: spec.first_seed,
      metrics: spec.metrics,
    },
    metrics: spec.metrics,
    jobs_done: done,
    jobs_total: total,
    elapsed_seconds: Math.round(elapsedSeconds * 1000) / 1000,
    cells,
  };
}

/**
 * Which hidden unit layers are convolutions, from a run's config (engine.js run.config():
 * `net` is the normalised list of layers, or null for a dense `layers` net). Unit layers are
 * the conv2d and dense entries, in order, as the snapshot's layers are.
 */
export function convLayers(config) {
  if (!Array.isArray(config?.net)) return [];
  return config.net.filter((l) => l.type === 'conv2d' || l.type === 'dense').map((l) => l.type === 'conv2d');
}

/**
 * Metrics of one finished run from its engine.js snapshot, as engine/sweep.cpp run_metrics:
 * pooled over hidden layers, and over the conv layers' channels alone (isConv: convLayers()).
 */
export function metricsFromSnapshot(snap, hasTest, isConv = []) {
  let units = 0;
  let dead = 0;
  let silent = 0;
  let noPos = 0;
  let channels = 0;
  let deadChannels = 0;
  let noPosChannels = 0;
  snap.layers.forEach((l, i) => {
    const layerNoPos = Math.round(l.noPositiveFraction * l.width);
    units += l.width;
    dead += l.counts.dead;
    silent += l.counts.mostlySilent;
    noPos += layerNoPos;
    if (isConv[i]) {
      channels += l.width;
      deadChannels += l.counts.dead;
      noPosChannels += layerNoPos;
    }
  });
  const num = (x) => (x === null || x === undefined || !Number.isFinite(x) ? NaN : x);
  return {
    final_loss: num(snap.trainLoss),
    test_loss: hasTest ? num(snap.testLoss) : NaN,
    test_accuracy: hasTest && snap.testAccuracy >= 0 ? snap.testAccuracy : NaN,
    dead: units ? dead / units : NaN,
    silent: units ? silent / units : NaN,
    no_positive: units ? noPos / units : NaN,
    born_dead: snap.bornDead ? 1 : 0,
    grad_norm: num(snap.gradNorm),
    diverged: snap.diverged ? 1 : 0,
    dead_channels: channels ? deadChannels / channels : NaN,
    no_positive_channels: channels ? noPosChannels / channels : NaN,
  };
}
