// The four live charts (uPlot, columnar data, setData once per frame):
// loss; % dead and % mostly silent per layer; gradient norm per layer (log scale);
// learned PReLU slopes. In compare mode each run is one colour, layers are pooled.
// The data are the runs' histories in the schema of web/history-schema.js (fractions are
// drawn on a 0..1 axis labelled in percent; a zero gradient norm on the log axis's floor).
// While the page replays a logged step, each chart marks it with a vertical line; pressing
// or dragging on a chart moves the replay there (onSeek).
// The step axis is linear or 'log': uPlot's asinh distribution (distr 4), linear below one
// step and logarithmic above, so step 0 sits at the left edge and the first ten steps of a
// run of thousands get a third of the width instead of the first pixel.
import uPlot from 'uplot';
import { SERIES, RUN_COLORS, RUN_DASH } from '../palette.js';
import { layerColumn } from '../history-schema.js';

const GRAD_FLOOR = 1e-8; // a zero gradient is drawn on this floor of the log axis

export const CHARTS = [
  { id: 'loss', title: 'Loss (train — solid, test — dashed)' },
  { id: 'dead', title: '% dead (solid) and % mostly silent (dashed)' },
  { id: 'grad', title: 'Gradient norm per layer (log scale)' },
  { id: 'slope', title: 'Learned PReLU slope (mean per layer)' },
];

function percentTicks(u, vals) {
  return vals.map((v) => (v == null ? '' : `${Math.round(100 * v)}`));
}

// A zero gradient norm cannot sit on a log axis: drawn on GRAD_FLOOR. One reused buffer per
// column (grown when the history is), so a frame allocates nothing once the history is full.
const floored = new WeakMap(); // source column's buffer -> Float64Array
function withFloor(col) {
  let out = floored.get(col.buffer);
  if (!out || out.length < col.length) floored.set(col.buffer, (out = new Float64Array(Math.max(col.length, out ? 2 * out.length : 64))));
  for (let i = 0; i < col.length; i++) out[i] = Number.isFinite(col[i]) ? Math.max(GRAD_FLOOR, col[i]) : NaN;
  return out.subarray(0, col.length);
}

// The x scale of a step axis: from step 0 to the newest (at least 10, so a new run's first
// steps do not fill the width).
const stepRange = (u, min, max) => [0, Math.max(10, max ?? 0)];
export function stepScale(axis) {
  return axis === 'log' ? { time: false, distr: 4, asinh: 1, range: stepRange } : { time: false, range: stepRange };
}
function stepTicks(u, vals) {
  return vals.map((v) => (v == null ? '' : v >= 1e6 ? `${+(v / 1e6).toPrecision(3)}M` : v >= 1e3 ? `${+(v / 1e3).toPrecision(3)}k` : String(+v.toPrecision(3))));
}

function logTicks(u, vals) {
  return vals.map((v) => (v == null ? '' : v <= GRAD_FLOOR ? '0' : v >= 0.01 && v < 1000 ? String(+v.toPrecision(2)) : v.toExponential(0)));
}

function mean(cols, from, count, i) {
  let s = 0, n = 0;
  for (let l = 0; l < count; l++) {
    const v = cols[from + l][i];
    if (Number.isFinite(v)) (s += v), n++;
  }
  return n ? s / n : NaN;
}

const MARKER = '#D55E00';

export class ChartsView {
  /** onSeek(step): the user pressed or dragged on a chart at that step (null: charts only draw). */
  constructor(container, { onSeek = null } = {}) {
    this.container = container;
    this.onSeek = onSeek;
    this.marker = null; // the replayed step, or null
    this.plots = {};
    this.key = '';
    this.stepAxis = 'linear';
    this.boxes = {};
    this.captions = {};
    for (const c of CHARTS) {
      const box = document.createElement('figure');
      box.className = 'chart';
      const cap = document.createElement('figcaption');
      cap.textContent = c.title;
      this.captions[c.id] = cap;
      const holder = document.createElement('div');
      holder.className = 'chart-holder';
      box.append(cap, holder);
      container.append(box);
      this.boxes[c.id] = holder;
    }
    this.prelu = false;
    this.boxes.slope.parentElement.hidden = true;
    this.keyBox = document.createElement('div');
    this.keyBox.className = 'layer-key';
    container.prepend(this.keyBox);
    new ResizeObserver(() => this.#resize()).observe(container);
  }

  // What the step axis does, read back from uPlot (tests and pictures check it): its
  // distribution, and the step drawn at the middle of the loss chart's width (on a linear
  // axis half the newest step; on the log axis about its square root).
  #describe() {
    const u = this.plots.loss;
    if (!u) return;
    this.container.dataset.stepAxis = u.scales.x.distr === 4 ? 'log' : 'linear';
    // After uPlot's own commit of the new data (also a microtask, queued before this one).
    queueMicrotask(() => {
      if (this.plots.loss !== u || u.scales.x.max == null) return;
      this.container.dataset.midStep = String(Math.round(u.posToVal(u.bbox.width / devicePixelRatio / 2, 'x')));
      this.container.dataset.maxStep = String(Math.round(u.scales.x.max));
    });
  }

  #resize() {
    for (const [id, u] of Object.entries(this.plots)) {
      const w = this.boxes[id].clientWidth;
      if (w > 0 && Math.abs(u.width - w) > 1) u.setSize({ width: w, height: this.#height() });
    }
  }
  #height() {
    return window.innerWidth < 820 ? 140 : 104;
  }

  #key(runs) {
    this.keyBox.replaceChildren();
    if (runs.length > 1) return;
    const label = document.createElement('span');
    label.textContent = 'Layers:';
    this.keyBox.append(label);
    for (let l = 0; l < runs[0].layers; l++) {
      const item = document.createElement('span');
      const sw = document.createElement('i');
      sw.style.backgroundColor = SERIES[l % SERIES.length];
      item.append(sw, document.createTextNode(`L${l + 1}`));
      this.keyBox.append(item);
    }
  }

  #build(runs, stepAxis) {
    this.#key(runs);
    this.stepAxis = stepAxis;
    for (const u of Object.values(this.plots)) u.destroy();
    this.plots = {};
    const compare = runs.length > 1;
    const L = runs[0].layers;
    const width = Math.max(200, this.boxes.loss.clientWidth || 300);
    const base = (id, series, scaleOpts = {}, axisY = {}) =>
      new uPlot(
        {
          width,
          height: this.#height(),
          legend: { show: id === 'loss' || compare, live: false },
          cursor: { show: true, drag: { x: false, y: false } },
          scales: { x: stepScale(stepAxis), ...scaleOpts },
          axes: [{ size: 28, font: '10px system-ui', values: stepTicks }, { size: 46, font: '10px system-ui', ...axisY }],
          series: [{ label: 'step' }, ...series],
          hooks: { draw: [(u) => this.#drawMarker(u)], ready: [(u) => this.#scrubbable(u)] },
        },
        [[]],
        this.boxes[id],
      );
    const line = (label, color, dash = [], width = 1.5) => ({ label, stroke: color, dash, width, points: { show: false } });
    if (!compare) {
      this.plots.loss = base('loss', [line('train', SERIES[0]), line('test', SERIES[1], [5, 3])]);
      const dead = [];
      for (let l = 0; l < L; l++) dead.push(line(`L${l + 1} dead`, SERIES[l % SERIES.length]));
      for (let l = 0; l < L; l++) dead.push(line(`L${l + 1} silent`, SERIES[l % SERIES.length], [4, 3], 1));
      this.plots.dead = base('dead', dead, { y: { auto: false, range: [0, 1] } }, { values: percentTicks });
      const grad = [];
      for (let l = 0; l < L; l++) grad.push(line(`L${l + 1}`, SERIES[l % SERIES.length]));
      this.plots.grad = base('grad', grad, { y: { distr: 3 } }, { values: logTicks });
      const slope = [];
      for (let l = 0; l < L; l++) slope.push(line(`L${l + 1}`, SERIES[l % SERIES.length]));
      this.plots.slope = base('slope', slope);
    } else {
      const per = (fn) => runs.flatMap((r, k) => fn(r, k));
      this.plots.loss = base('loss', per((r, k) => [line(`${r.label} train`, RUN_COLORS[k]), line(`${r.label} test`, RUN_COLORS[k], [5, 3], 1)]));
      this.plots.dead = base('dead', per((r, k) => [line(`${r.label} dead`, RUN_COLORS[k]), line(`${r.label} silent`, RUN_COLORS[k], [4, 3], 1)]), { y: { auto: false, range: [0, 1] } }, { values: percentTicks });
      this.plots.grad = base('grad', per((r, k) => [line(r.label, RUN_COLORS[k], RUN_DASH[k])]), { y: { distr: 3 } }, { values: logTicks });
      this.plots.slope = base('slope', per((r, k) => [line(r.label, RUN_COLORS[k], RUN_DASH[k])]));
    }
  }

  #drawMarker(u) {
    if (this.marker === null) return;
    const x = Math.round(u.valToPos(this.marker, 'x', true));
    const { left, top, width, height } = u.bbox;
    if (!(x >= left && x <= left + width)) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = MARKER;
    ctx.lineWidth = 2 * (devicePixelRatio || 1);
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.restore();
  }

  #scrubbable(u) {
    if (!this.onSeek) return;
    let dragging = false;
    const at = (e) => {
      const v = u.posToVal(e.clientX - u.over.getBoundingClientRect().left, 'x');
      if (Number.isFinite(v)) this.onSeek(Math.max(0, v));
    };
    u.over.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      dragging = true;
      u.over.setPointerCapture?.(e.pointerId);
      at(e);
    });
    u.over.addEventListener('pointermove', (e) => dragging && at(e));
    u.over.addEventListener('pointerup', () => (dragging = false));
    u.over.addEventListener('pointercancel', () => (dragging = false));
  }

  /**
   * runs: [{ label, layers, history: SeriesBuffer }]
   * marker: the replayed step (null: live); stepAxis: 'linear' | 'log'
   */
  update(runs, { marker = null, stepAxis = 'linear' } = {}) {
    this.marker = marker;
    const key = runs.map((r) => `${r.label}/${r.layers}`).join('|') + `/${stepAxis}`;
    if (key !== this.key) {
      this.key = key;
      this.#build(runs, stepAxis);
    }
    this.#fill(runs);
    this.#describe();
  }

  #fill(runs) {
    const prelu = runs.some((r) => r.prelu);
    if (prelu !== this.prelu) {
      // An empty chart says nothing: the slope chart is there only while a layer is PReLU.
      this.prelu = prelu;
      this.boxes.slope.parentElement.hidden = !prelu;
    }
    if (runs.length === 1) {
      const v = runs[0].history.view();
      const L = runs[0].layers;
      const x = v[0];
      const at = (kind) => layerColumn(kind, L);
      this.plots.loss.setData([x, v[1], v[2]]);
      this.plots.dead.setData([x, ...v.slice(at('dead'), at('dead') + 2 * L)]);
      this.plots.grad.setData([x, ...v.slice(at('grad_norm'), at('grad_norm') + L).map(withFloor)]);
      this.plots.slope.setData([x, ...v.slice(at('prelu_slope'), at('prelu_slope') + L)]);
      return;
    }
    // Compare: runs have their own steps; uPlot.join aligns them on one x axis.
    const tables = { loss: [], dead: [], grad: [], slope: [] };
    for (const r of runs) {
      const v = r.history.view();
      const L = r.layers;
      const n = v[0].length;
      const pooled = (kind) => Float64Array.from({ length: n }, (_, i) => mean(v, layerColumn(kind, L), L, i));
      tables.loss.push([v[0], v[1], v[2]]);
      tables.dead.push([v[0], pooled('dead'), pooled('mostly_silent')]);
      tables.grad.push([v[0], withFloor(pooled('grad_norm'))]);
      tables.slope.push([v[0], pooled('prelu_slope')]);
    }
    for (const id of Object.keys(tables)) this.plots[id].setData(uPlot.join(tables[id].map((t) => t.map((c) => Array.from(c)))));
  }
}
