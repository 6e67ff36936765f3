// Snapshot ingest: folds one snapshot message from a worker into its RunRecord (history,
// histograms, events, reference snapshots), and handles the two moments that change what
// is kept: a divergence (keep the last finite picture) and a rollback (forget what came after).
import { historyRow } from '../history-schema.js';
import { MAX_PAGE_EVENTS } from './run-record.js';

const REF_GAP = 200; // steps between the two moments a preset's check compares

/**
 * run: RunRecord; m: the worker's snapshot message.
 * Returns what happened that the page shows elsewhere: {diverged, rolledBack, events (the new
 * neuron events, for the timeline)},
 * or null when the message was held back (an import waiting for its step).
 */
export function ingest(run, m) {
  const s = m.snapshot;
  // Importing a run: wait for the restored step, then put its charts back as they were.
  if (run.restore && s.step !== run.restore.step && !s.diverged) return null;
  const seen = { diverged: false, rolledBack: false, events: [] };
  run.status = m.run;
  if (s.diverged && run.snap && !run.snap.diverged) run.good = { snap: run.snap, grid: run.grid, weights: run.weights };
  if (s.diverged && run.good) {
    // Training stopped at a non-finite number: keep the last good picture on screen
    // (layers, output, weights), mark the run diverged, and offer the rollback.
    run.snap = { ...s, layers: run.good.snap.layers, events: [] };
    run.rate = 0;
    seen.diverged = true;
    return seen;
  }
  if (!s.diverged && run.snap?.diverged) {
    // Rolled back: forget what came after the restored step.
    run.good = null;
    run.divergedShown = false;
    run.history?.dropAfter(s.step);
    for (const h of run.hist) for (const k of ['pre', 'act', 'grad']) h[k].clear();
    run.refs = run.refs.filter((r) => r.step <= s.step && !r.diverged);
    run.events = run.events.filter((e) => e.step <= s.step);
    run.replay.dropAfter(s.step);
    seen.rolledBack = true;
  }
  run.snap = s;
  if (m.grid) run.grid = m.grid; // null: not recomputed for this snapshot (web/read-cadence.js)
  run.weights = m.weights;
  run.rate = s.diverged ? 0 : m.stepsPerSec ?? 0;
  run.first ??= s;
  run.refs.push(s);
  while (run.refs.length > 2 && run.refs[1].step <= s.step - REF_GAP) run.refs.shift();
  run.shapeFor(s.layers);
  if (run.restore) restoreHistory(run);
  // A row per step whose losses were evaluated then (a convnet's snapshots between its
  // evaluations carry older losses: worker.js).
  const fresh = (s.evaluationStep ?? s.step) === s.step;
  if (fresh && (run.history.length === 0 || run.history.last(0) !== s.step)) run.history.push(historyRow(s));
  s.layers.forEach((layer, l) => {
    for (const k of ['pre', 'act', 'grad']) run.hist[l][k].push(s.step, layer.histograms[k]);
  });
  // Diverged before any finite snapshot reached the page (a huge rate can blow up in the
  // first slice): nothing better to keep on screen.
  if (s.diverged) seen.diverged = true;
  else run.replay.push({ snap: s, grid: run.grid, weights: m.weights }); // the map shown with this snapshot
  seen.events = s.events;
  for (const e of s.events) run.events.push(e);
  // The newest MAX_PAGE_EVENTS, trimmed in batches (not a 20,000-element splice per snapshot).
  if (run.events.length > 2 * MAX_PAGE_EVENTS) run.events = run.events.slice(-MAX_PAGE_EVENTS);
  return seen;
}

/** The reference snapshot a preset's check compares with (REF_GAP+ steps before the newest). */
export function referenceSnapshot(run) {
  return run.refs.find((r) => r.step <= run.snap.step - REF_GAP) ?? run.first;
}

// An imported run's history, if it has this network's columns (older files: charts start afresh).
function restoreHistory(run) {
  const h = run.restore.history;
  run.restore = null;
  const names = run.history.names;
  if (!h || !Array.isArray(h.rows) || h.names?.length !== names.length || !h.names.every((n, k) => n === names[k])) return;
  run.history.clear();
  for (const row of h.rows.slice(-run.history.capacity)) run.history.push(row.map((v) => (v === null ? NaN : Number(v))));
  run.history.stride = Math.max(1, Math.floor(Number(h.stride) || 1));
  run.history.offered = Math.max(0, Math.floor(Number(h.offered) || 0));
}
