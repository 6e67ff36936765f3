// Columnar history for the charts: one preallocated Float64Array per series, filled
// in place. When full, it keeps every other point and doubles its stride, so a long
// run keeps its whole shape in bounded memory (no slice().concat() per frame).
export class SeriesBuffer {
  constructor(names, capacity = 1024) {
    this.names = names;
    this.capacity = capacity;
    this.cols = names.map(() => new Float64Array(capacity));
    this.length = 0;
    this.stride = 1;   // keep one point in `stride` offered
    this.offered = 0;
    this.version = 0;
  }
  clear() {
    this.length = 0;
    this.stride = 1;
    this.offered = 0;
    this.version++;
  }
  /** values: one number per series (NaN for a gap). */
  push(values) {
    if (this.offered++ % this.stride !== 0) {
      // Replace the newest point so the line ends at the latest value.
      if (this.length > 0) this.#write(this.length - 1, values);
      return;
    }
    if (this.length === this.capacity) this.#halve();
    this.#write(this.length++, values);
    this.version++;
  }
  #write(i, values) {
    for (let c = 0; c < this.cols.length; c++) {
      const v = values[c];
      this.cols[c][i] = v === undefined || v === null || !Number.isFinite(v) ? NaN : v;
    }
    this.version++;
  }
  #halve() {
    const n = this.length;
    for (const col of this.cols) {
      let j = 0;
      for (let i = 0; i < n; i += 2) col[j++] = col[i];
    }
    this.length = Math.ceil(n / 2);
    this.stride *= 2;
  }
  /** Drops the newest points whose first column (the step) is above x (after a rollback). */
  dropAfter(x) {
    const n = this.length;
    while (this.length > 0 && this.cols[0][this.length - 1] > x) this.length--;
    if (this.length !== n) this.version++;
  }
  /** Zero-copy views for uPlot: [xs, ys1, ...] each of the current length. */
  view() {
    return this.cols.map((c) => c.subarray(0, this.length));
  }
  last(c) {
    return this.length ? this.cols[c][this.length - 1] : NaN;
  }
}

/** A ring of the last `capacity` histogram slices for one layer and kind. */
export class HistogramRing {
  constructor(capacity = 40) {
    this.capacity = capacity;
    this.items = new Array(capacity);
    this.start = 0;
    this.length = 0;
    this.lastStep = -1;
  }
  clear() {
    this.start = 0;
    this.length = 0;
    this.lastStep = -1;
  }
  push(step, h) {
    if (!h || step === this.lastStep) return;
    this.lastStep = step;
    const item = { step, lo: h.lo, hi: h.hi, counts: Float32Array.from(h.counts), percentiles: Float32Array.from(h.percentiles) };
    if (this.length < this.capacity) this.items[(this.start + this.length++) % this.capacity] = item;
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }
  /** Oldest first. */
  forEach(fn) {
    for (let i = 0; i < this.length; i++) fn(this.items[(this.start + i) % this.capacity], i);
  }
  newest() {
    return this.length ? this.items[(this.start + this.length - 1) % this.capacity] : null;
  }
}

/**
 * Deaths and revivals for the timeline, in bounded memory: columns (step, layer, kind) in
 * preallocated typed arrays. Only what the timeline draws is kept: one mark per (layer,
 * kind) in each bin of `binWidth` steps (a tick per unit would draw the same picture).
 * When full, the bin width doubles and the marks are merged again, so a long run keeps
 * its whole picture from step 0 (as SeriesBuffer keeps every other point) instead of
 * only its latest events. The totals and the latest event are counted exactly.
 */
export class EventBuffer {
  #bin = -1;            // the newest bin, and the (layer, kind) keys already marked in it
  #seen = new Set();
  constructor(capacity = 8192) {
    this.capacity = Math.max(2, capacity);
    this.steps = new Float64Array(this.capacity);
    this.layers = new Int32Array(this.capacity);
    this.kinds = new Uint8Array(this.capacity);  // 0 died, 1 revived
    this.length = 0;
    this.binWidth = 1;
    this.died = 0;
    this.revived = 0;
    this.latest = null;  // { step, layer, neuron, kind }
    this.version = 0;
  }
  clear() {
    this.length = 0;
    this.binWidth = 1;
    this.died = 0;
    this.revived = 0;
    this.latest = null;
    this.#bin = -1;
    this.#seen.clear();
    this.version++;
  }
  /** e: { step, layer, neuron, kind: 'died' | 'revived' } (as in a snapshot's events) */
  push(e) {
    const kind = e.kind === 'died' ? 0 : 1;
    if (kind) this.revived++;
    else this.died++;
    this.latest = e;
    this.version++;
    if (this.#mark(e.step, e.layer, kind)) return;
    if (this.length === this.capacity) {
      this.#coarsen();
      if (this.#mark(e.step, e.layer, kind)) return;
    }
    this.#write(this.length++, e.step, e.layer, kind);
  }
  // true when (step, layer, kind) is already drawn by a mark in the newest bin
  #mark(step, layer, kind) {
    const bin = Math.floor(step / this.binWidth);
    if (bin !== this.#bin) {
      this.#bin = bin;
      this.#seen.clear();
    }
    const key = 2 * layer + kind;
    if (this.#seen.has(key)) return true;
    this.#seen.add(key);
    return false;
  }
  #write(i, step, layer, kind) {
    this.steps[i] = step;
    this.layers[i] = layer;
    this.kinds[i] = kind;
  }
  // Doubles the bin width (until at most half the capacity is used) and merges the marks.
  #coarsen() {
    do {
      this.binWidth *= 2;
      let j = 0, bin = NaN;
      this.#seen.clear();
      for (let i = 0; i < this.length; i++) {
        const b = Math.floor(this.steps[i] / this.binWidth);
        if (b !== bin) {
          bin = b;
          this.#seen.clear();
        }
        const key = 2 * this.layers[i] + this.kinds[i];
        if (this.#seen.has(key)) continue;
        this.#seen.add(key);
        this.#write(j++, this.steps[i], this.layers[i], this.kinds[i]);
      }
      this.length = j;
    } while (this.length > this.capacity / 2 && this.binWidth < 2 ** 52);
    // The incoming event was marked in a bin of the old width: forget that key.
    this.#bin = this.length ? Math.floor(this.steps[this.length - 1] / this.binWidth) : -1;
    this.#seen.clear();
    for (let i = this.length - 1; i >= 0 && Math.floor(this.steps[i] / this.binWidth) === this.#bin; i--) this.#seen.add(2 * this.layers[i] + this.kinds[i]);
  }
}
