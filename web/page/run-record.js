// One run as the page sees it: its worker client, what it was made from, and everything the
// page has gathered from its snapshots. A typed record with one constructor and one reset,
// so a fresh run never inherits a field of the one before.
import { SeriesBuffer, HistogramRing } from '../history.js';
import { historyColumns } from '../history-schema.js';
import { ReplayStore, REPLAY_BUDGET_BYTES } from './replay.js';

// Neuron events a run keeps for the presets' checks and window.__relu.events (the timeline
// keeps its own bounded marks): between this many and twice as many, the newest.
export const MAX_PAGE_EVENTS = 20000;
const HISTORY_POINTS = 1024;
const HISTOGRAM_SLICES = 40;

export class RunRecord {
  constructor(index, client) {
    this.index = index;       // position in the compare row (0: the main run)
    this.client = client;     // RunClient: commands out, snapshots in
    this.reset({ label: '', overrides: {}, runs: 1 });
  }

  /** Forgets everything gathered; variant: {label, overrides} of the compare row; runs: how many runs share the page. */
  reset({ label, overrides, runs = 1 }) {
    this.label = label;          // '' for a single run, else the compared value
    this.overrides = overrides;  // the compared setting's value for this run
    this.snap = null;            // newest snapshot (engine.js's run.snapshot() shape)
    this.status = null;          // the worker's {playing, rollbackStep, revived} of that snapshot
    this.grid = null;            // output surface / predictions of that snapshot
    this.weights = null;         // {params, layers} of that snapshot
    this.rate = 0;               // steps per second
    this.first = null;           // the first snapshot (the presets' reference)
    this.refs = [];              // snapshots ~200 steps apart (checks that compare two moments)
    this.events = [];            // neuron events, the newest MAX_PAGE_EVENTS..2x
    this.layersKey = '';         // widths the history was made for
    this.history = null;         // SeriesBuffer in the history schema
    this.hist = [];              // per layer {pre, act, grad}: HistogramRing
    this.good = null;            // the last finite picture, kept on screen after a divergence
    this.divergedShown = false;
    this.restore = null;         // an import waiting for its step: {step, weights, history}
    this.caption = null;         // the compare caption element (set by the network views)
    // Past snapshots for the replay (replay.js); the page's budget is shared by its runs.
    this.replay = new ReplayStore({ budget: Math.floor(REPLAY_BUDGET_BYTES / Math.max(1, runs)) });
  }

  /** New history buffers when the network's widths change. */
  shapeFor(layers) {
    const key = layers.map((l) => l.width).join(',');
    if (key === this.layersKey) return;
    this.layersKey = key;
    this.history = new SeriesBuffer(historyColumns(layers.length), HISTORY_POINTS);
    this.hist = layers.map(() => ({ pre: new HistogramRing(HISTOGRAM_SLICES), act: new HistogramRing(HISTOGRAM_SLICES), grad: new HistogramRing(HISTOGRAM_SLICES) }));
  }

  /** The history as a plain table {names, rows (null for a missing value), stride, offered}. */
  historyTable() {
    const h = this.history;
    if (!h) return { names: [], rows: [], stride: 1, offered: 0 };
    const cols = h.view();
    const rows = [];
    for (let i = 0; i < h.length; i++) rows.push(cols.map((c) => (Number.isFinite(c[i]) ? c[i] : null)));
    return { names: h.names.slice(), rows, stride: h.stride, offered: h.offered };
  }
}
