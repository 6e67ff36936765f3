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
