// Replay: a bounded store of past snapshots per run (ReplayStore, kept in the RunRecord), and
// the page's replay cursor (createReplay): which logged step the views show, or the live one.
// Views are fed a frame {snap, grid, weights, replay} either way; they do not know which
// beyond the flag. Nothing here calls into the engine: an entry is the snapshot message the
// worker already sent (its typed arrays were transferred, and nobody writes them afterwards).
import { HistogramRing } from '../history.js';
import { linkModel, modelArrays } from '../views/network-links.js';

// The memory bound. All runs of one page share REPLAY_BUDGET_BYTES; a run keeps at most
// MAX_ENTRIES entries, and at least MIN_ENTRIES whatever their size. A net of 32-unit layers
// makes 20-80 KB entries (docs/soak.md has the figures); a wide one (up to 10 layers of 512
// units, 784 inputs) would make megabytes with its parameters, so an entry keeps the
// parameters only up to KEEP_PARAMS of them, else just what the network view draws from them
// (network-links.js linkModel: the links of small pairs, a summary of wide ones): the widest
// (10 x 512 units) is then 250-270 KB, so MIN_ENTRIES of them for each of 4 compared runs
// still fit the budget (12.4 MiB; 16 entries would not: docs/limits.md, "Memory").
export const REPLAY_BUDGET_BYTES = 16 * 1024 * 1024;
export const MAX_ENTRIES = 256;
export const MIN_ENTRIES = 12;
export const KEEP_PARAMS = 64 * 1024; // 256 KB of float32
// What an entry costs on top of its typed arrays: the JS objects around them (the snapshot,
// its layers, ~15 typed-array views per layer, the entry). Measured in Chromium 156 by
// bench/replay-bytes.mjs: 3.8 KB for 2 layers .. 17.0 KB for 10, about 0.5 KB + 1.65 KB per
// layer (docs/soak.md, "Replay store"); rounded up.
const OBJECT_BYTES = 600;
const LAYER_OBJECT_BYTES = 1700;
const HISTOGRAM_SLICES = 40; // as the live histogram rings (run-record.js)

/** Bytes one entry holds: its typed arrays (each buffer once) plus the objects around them. */
export function entryBytes({ snap, grid, weights }) {
  const buffers = new Set();
  const add = (a) => ArrayBuffer.isView(a) && buffers.add(a.buffer);
  for (const layer of snap.layers) {
    for (const v of Object.values(layer)) add(v);
    for (const h of Object.values(layer.histograms ?? {})) (add(h.counts), add(h.percentiles));
  }
  for (const v of Object.values(grid ?? {})) add(v);
  for (const m of snap.maps?.layers ?? []) add(m?.bytes);  // a convnet's feature maps
  add(weights?.params);
  for (const a of modelArrays(weights?.pairs ? weights : null)) add(a);
  let bytes = OBJECT_BYTES + LAYER_OBJECT_BYTES * snap.layers.length + 32 * (snap.events?.length ?? 0);
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

/**
 * A run's past snapshots in bounded memory. Every snapshot is kept until the store is full;
 * from then on each new one evicts the entry whose removal leaves the smallest hole, measured
 * on both a linear and a logarithmic step axis (the larger of the two, each as a share of the
 * run so far). So the count, and the memory, stay flat once full, the first and newest entries
 * are always kept, and the early steps (where units die) keep their detail on the log axis
 * while the late ones stay evenly spread on the linear one. A hole made by eviction is at most
 * 4 / (capacity - 1) of the run on either axis (the costs of the capacity - 1 candidates add up
 * to at most 4, so the cheapest is at most that; the share only shrinks as the run goes on).
 */
export class ReplayStore {
  constructor({ budget = REPLAY_BUDGET_BYTES, maxEntries = MAX_ENTRIES, minEntries = MIN_ENTRIES } = {}) {
    this.budget = budget;
    this.maxEntries = maxEntries;
    this.minEntries = minEntries;
    this.clear();
  }

  clear() {
    this.entries = [];        // oldest first: {seq, step, snap, grid, weights}
    this.capacity = 0;        // set by the first entry (from its size)
    this.bytesPerEntry = 0;
    this.offered = 0;         // snapshots pushed so far
    this.appended = 0;        // entries appended so far: an entry's seq (neighbours whose seqs differ by more than one had entries evicted between them)
    this.evicted = 0;
  }

  get length() {
    return this.entries.length;
  }
  /** Bytes held now (entries x the first entry's size: a run's entries all have its shape). */
  get bytes() {
    return this.entries.length * this.bytesPerEntry;
  }

  /** frame: {snap, grid, weights}: a snapshot the page ingested (never a diverged one). */
  push({ snap, grid, weights }) {
    this.offered++;
    if (weights?.params && weights.params.length > KEEP_PARAMS) weights = linkModel(weights);
    const entry = { seq: this.appended, step: snap.step, snap, grid, weights };
    if (!this.capacity) {
      this.bytesPerEntry = entryBytes(entry);
      this.capacity = Math.max(this.minEntries, Math.min(this.maxEntries, Math.floor(this.budget / this.bytesPerEntry)));
    }
    const last = this.entries[this.entries.length - 1];
    // The same step again (a pause, a revive, a freeze): the newest picture of that step.
    if (last && last.step === entry.step) {
      entry.seq = last.seq;
      this.entries[this.entries.length - 1] = entry;
      return;
    }
    if (last && entry.step < last.step) this.dropAfter(entry.step);
    this.appended++;
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.#evict();
  }

  // Removes the interior entry whose two neighbours are closest (see the class comment).
  #evict() {
    const e = this.entries;
    const s0 = e[0].step, span = e[e.length - 1].step - s0;
    const logSpan = Math.log1p(span);
    let best = 1, bestCost = Infinity;
    for (let i = 1; i < e.length - 1; i++) {
      const lo = e[i - 1].step - s0, hi = e[i + 1].step - s0;
      const cost = Math.max((hi - lo) / span, (Math.log1p(hi) - Math.log1p(lo)) / logSpan);
      if (cost < bestCost) (bestCost = cost), (best = i);
    }
    e.splice(best, 1);
    this.evicted++;
  }

  /** Forgets the entries after step (a rollback). */
  dropAfter(step) {
    while (this.entries.length && this.entries[this.entries.length - 1].step > step) this.entries.pop();
  }

  /** The index of the entry nearest to step (the earlier one on a tie); -1 when empty. */
  indexNear(step) {
    const e = this.entries;
    if (!e.length) return -1;
    let lo = 0, hi = e.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid].step < step) lo = mid + 1;
      else hi = mid;
    }
    // lo: the first entry at or after step
    if (lo > 0 && step - e[lo - 1].step <= e[lo].step - step) lo--;
    return lo;
  }
  nearest(step) {
    return this.entries[this.indexNear(step)] ?? null;
  }

  /** The last HISTOGRAM_SLICES entries up to entry index i, as the histogram view's rings. */
  histogramRings(i) {
    const from = Math.max(0, i - HISTOGRAM_SLICES + 1);
    const layers = this.entries[i].snap.layers.length;
    const rings = Array.from({ length: layers }, () => ({ pre: new HistogramRing(HISTOGRAM_SLICES), act: new HistogramRing(HISTOGRAM_SLICES), grad: new HistogramRing(HISTOGRAM_SLICES) }));
    for (let k = from; k <= i; k++) {
      const { step, snap } = this.entries[k];
      snap.layers.forEach((layer, l) => {
        for (const kind of ['pre', 'act', 'grad']) rings[l]?.[kind].push(step, layer.histograms[kind]);
      });
    }
    return rings;
  }

  /** What window.__relu and the soak read: sizes and the kept steps. */
  stats() {
    return {
      entries: this.entries.length,
      capacity: this.capacity,
      bytesPerEntry: this.bytesPerEntry,
      bytes: this.bytes,
      budget: this.budget,
      offered: this.offered,
      appended: this.appended,
      evicted: this.evicted,
      steps: this.entries.map((e) => e.step),
      seqs: this.entries.map((e) => e.seq),
    };
  }
}

/**
 * The replay cursor of one page. runs() gives the RunRecords (each with .replay, a ReplayStore,
 * and the live .snap/.grid/.weights/.hist); onChange() is called when what the views show
 * changed (the draw loop redraws every panel).
 *
 * While replaying, each run shows its stored entry nearest the cursor, chosen when the cursor
 * moved and held until it moves again (training may go on in the background and evict it).
 */
export function createReplay({ runs, onChange }) {
  let at = null;        // the cursor's step (the main run's entry), or null: live
  let shown = [];       // per run: the stored entry its views show
  let ringsCache = [];  // per run: {entry, rings} histogram rings of the shown entry

  function pin(step) {
    shown = runs().map((r) => r.replay.nearest(step));
    ringsCache = [];
  }

  function seekEntry(entry) {
    if (!entry) return;
    at = entry.step;
    pin(at);
    onChange();
  }

  const api = {
    active: () => at !== null,
    /** The cursor's step (null: live). */
    step: () => at,
    /** Shows the main run's stored entry nearest step (and each other run's nearest to that). */
    seek(step) {
      const main = runs()[0]?.replay;
      if (!main?.length || !Number.isFinite(step)) return;
      seekEntry(main.nearest(step));
    },
    /**
     * The stored entry just before (dir < 0) or after (dir > 0) the shown step; from live, back
     * is the newest stored before the live step; forward past the newest is live again.
     */
    move(dir) {
      const main = runs()[0];
      const e = main?.replay.entries;
      if (!e?.length) return;
      const from = at ?? main.snap.step;
      if (dir < 0) {
        let i = e.length - 1;
        while (i > 0 && e[i].step >= from) i--;
        seekEntry(e[i]);
      } else if (at !== null) {
        const next = e.find((x) => x.step > at);
        next && next !== e[e.length - 1] ? seekEntry(next) : api.live();
      }
    },
    /** The first or the newest stored entry. */
    edge(which) {
      const store = runs()[0]?.replay;
      if (!store?.length) return;
      if (which === 'end') return api.live();
      seekEntry(store.entries[0]);
    },
    /** Back to the present. */
    live() {
      if (at === null) return;
      at = null;
      shown = [];
      ringsCache = [];
      onChange();
    },
    /** After a rollback: a cursor past the restored step has nothing left to show. */
    forgetAfter(step) {
      if (at !== null && at > step) api.live();
    },
    /** What run k's views draw: {snap, grid, weights, replay}. */
    frame(run) {
      const e = at === null ? null : shown[run.index];
      if (!e) return { snap: run.snap, grid: run.grid, weights: run.weights, replay: false };
      return { snap: e.snap, grid: e.grid, weights: e.weights, replay: true };
    },
    /** Run k's histogram rings per layer: the live ones, or the stored entries up to the shown one. */
    rings(run) {
      const e = at === null ? null : shown[run.index];
      if (!e) return run.hist;
      const cached = ringsCache[run.index];
      if (cached?.entry === e) return cached.rings;
      const i = run.replay.entries.indexOf(e);
      // The shown entry was evicted since (training went on): rings from the nearest kept one.
      const rings = run.replay.histogramRings(i >= 0 ? i : run.replay.indexNear(e.step));
      ringsCache[run.index] = { entry: e, rings };
      return rings;
    },
  };
  return api;
}
