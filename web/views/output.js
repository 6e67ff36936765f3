// The network's output. 2-D data: the decision surface (or regression surface) with
// train points (filled) and test points (ringed), coloured by class. 1-D data: targets and
// the prediction curve. More inputs: predictions against targets (regression) or a
// confusion matrix (classification). Axes are named after the data's columns (a CSV's header).
//
// What is drawn is also written on the canvas as data attributes (data-view, data-task,
// data-classes, data-colours, data-axis-x, data-axis-y, data-confusion, data-per-class: each
// class's accuracy (its share of rows predicted right; null without rows), data-rows: which
// rows the matrix counts, test or train), so tests and
// assistive tools can read it without decoding pixels.
import { fitCanvas } from './canvas.js';
import { SERIES } from '../palette.js';
import { classNamesOf } from '../image-data.js';

const POS = '#0072B2'; // class 1 of two, values above zero
const NEG = '#E69F00'; // class 0 of two, values below zero
const MARGIN_L = 16, MARGIN_B = 16, MARGIN_T = 4, MARGIN_R = 4; // room for the axis names
const MAX_MATRIX = 20; // classes a confusion matrix draws one cell each for

function sigmoid(v) {
  return 1 / (1 + Math.exp(-v));
}

function rgb(hex) {
  return [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
}

/** Class k's colour among K (two classes keep the generators' orange and blue). */
export function classColour(k, K) {
  if (K <= 2) return k ? POS : NEG;
  return SERIES[k % SERIES.length];
}

const classNames = classNamesOf;

function shorten(text, max) {
  const t = String(text);
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

export class OutputView {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.surface = document.createElement('canvas');
    this.image = null;
    this.marks = {};
  }

  /** data: { info, train, test } from the worker; grid: the worker's output extra. */
  draw(data, grid) {
    const { w, h } = fitCanvas(this.canvas, this.ctx);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, w, h);
    if (!data || !grid) return;
    const info = data.info;
    const classify = info.task !== 'regression';
    const names = classify ? classNames(info) : [];
    const marks = { task: info.task, step: grid.step === undefined ? '' : String(grid.step), classes: JSON.stringify(names), colours: JSON.stringify(names.map((_, k) => classColour(k, names.length))) };
    if (info.features === 2 && grid.values) Object.assign(marks, this.#plane(ctx, w, h, data, grid, names));
    else if (info.features === 1 && grid.values) Object.assign(marks, this.#curve(ctx, w, h, data, grid, names));
    else if (grid.predictions && classify) Object.assign(marks, this.#confusion(ctx, w, h, info, grid, names));
    else if (grid.predictions) Object.assign(marks, this.#scatter(ctx, w, h, info, grid));
    this.#mark(marks);
  }

  // Data attributes, written only when they change.
  #mark(marks) {
    for (const key of ['view', 'task', 'step', 'classes', 'colours', 'axisX', 'axisY', 'confusion', 'perClass', 'rows']) {
      const v = marks[key] ?? '';
      if (this.marks[key] === v) continue;
      this.marks[key] = v;
      this.canvas.dataset[key] = v;
    }
  }

  #plane(ctx, w, h, data, grid, names) {
    const info = data.info;
    const size = Math.max(10, Math.min(w - MARGIN_L - MARGIN_R, h - MARGIN_T - MARGIN_B));
    const ox = MARGIN_L + (w - MARGIN_L - MARGIN_R - size) / 2, oy = MARGIN_T;
    const res = grid.res;
    const v = grid.values;
    const K = names.length;
    const classify = K > 0;
    let scale = 1;
    if (!classify) {
      for (const y of data.train?.y ?? []) scale = Math.max(scale, Math.abs(y));
    }
    const prob = classify && v.every((x) => x >= 0 && x <= 1);
    if (!this.image || this.image.width !== res) {
      this.surface.width = res;
      this.surface.height = res;
      this.image = this.surface.getContext('2d').createImageData(res, res);
    }
    const px = this.image.data;
    const palette = names.map((_, k) => rgb(classColour(k, K)));
    const [posRgb, negRgb] = [rgb(POS), rgb(NEG)];
    for (let k = 0; k < res * res; k++) {
      let c, a; // colour and its strength 0..1
      if (grid.classes) {
        // K classes: the winner's colour, stronger as its probability rises above 1/K.
        c = palette[grid.classes[k]] ?? posRgb;
        a = Math.max(0, (v[k] - 1 / K) / (1 - 1 / K));
      } else {
        const t = classify ? 2 * (prob ? v[k] : sigmoid(v[k])) - 1 : Math.max(-1, Math.min(1, v[k] / scale));
        c = t >= 0 ? posRgb : negRgb;
        a = Math.abs(t);
      }
      px[4 * k] = Math.round(255 + (c[0] - 255) * a * 0.7);
      px[4 * k + 1] = Math.round(255 + (c[1] - 255) * a * 0.7);
      px[4 * k + 2] = Math.round(255 + (c[2] - 255) * a * 0.7);
      px[4 * k + 3] = 255;
    }
    this.surface.getContext('2d').putImageData(this.image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.surface, ox, oy, size, size);
    const [x0, y0] = info.domain_min, [x1, y1] = info.domain_max;
    // A constant feature has an empty range: its points sit in the middle.
    const X = (x) => ox + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * size;
    const Y = (y) => oy + (1 - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5)) * size;
    const colour = (y) => {
      if (classify) return K === 2 ? (y > 0.5 ? POS : NEG) : classColour(Math.round(y), K);
      const t = Math.max(-1, Math.min(1, y / scale));
      return t >= 0 ? POS : NEG;
    };
    const r = size > 250 ? 3 : 2.2;
    // Points batched by colour: one path per (set, colour).
    for (const [set, test] of [[data.train, false], [data.test, true]]) {
      if (!set) continue;
      const groups = new Map();
      const n = set.y.length;
      for (let i = 0; i < n; i++) {
        const c = colour(set.y[i]);
        if (!groups.has(c)) groups.set(c, new Path2D());
        const p = groups.get(c);
        const x = X(set.x[2 * i]), y = Y(set.x[2 * i + 1]);
        p.moveTo(x + r, y);
        p.arc(x, y, r, 0, Math.PI * 2);
      }
      for (const [c, p] of groups) {
        ctx.fillStyle = test ? '#fff' : c;
        ctx.strokeStyle = test ? c : '#fff';
        ctx.lineWidth = test ? 1.6 : 0.8;
        ctx.fill(p);
        ctx.stroke(p);
      }
    }
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.strokeRect(ox, oy, size, size);
    const axisX = info.feature_names?.[0] ?? 'x1', axisY = info.feature_names?.[1] ?? 'x2';
    this.#axes(ctx, ox + size / 2, oy + size + 12, oy + size / 2, axisX, axisY, Math.max(10, ox - 5));
    if (classify && info.class_names?.length) this.#legend(ctx, ox + size - 4, oy + 4, names);
    return { view: 'plane', axisX, axisY };
  }

  // Axis names: x centred under the plot at (cx, by), y rotated at (yx, cy), beside the plot.
  #axes(ctx, cx, by, cy, xl, yl, yx = 10) {
    ctx.fillStyle = '#555';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(shorten(xl, 40), cx, by);
    ctx.save();
    ctx.translate(yx, cy);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(shorten(yl, 40), 0, 0);
    ctx.restore();
  }

  // The classes' colours and names, right-aligned at (right, top).
  #legend(ctx, right, top, names) {
    const shown = names.slice(0, 10);
    ctx.font = '10px system-ui, sans-serif';
    const labels = shown.map((n) => shorten(n, 18)).concat(names.length > shown.length ? [`+${names.length - shown.length} more`] : []);
    const width = Math.max(...labels.map((t) => ctx.measureText(t).width)) + 18;
    const height = labels.length * 13 + 4;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(right - width, top, width, height);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    labels.forEach((t, k) => {
      const y = top + 8 + 13 * k;
      if (k < shown.length) {
        ctx.fillStyle = classColour(k, names.length);
        ctx.beginPath();
        ctx.arc(right - width + 7, y, 4, 0, Math.PI * 2);
        ctx.fill();
      }
      ctx.fillStyle = '#333';
      ctx.fillText(t, right - width + 14, y);
    });
    ctx.textBaseline = 'alphabetic';
  }

  // names: the classes (dots coloured by class; the line is P(class 1) for two classes, the
  // predicted class index for more), or [] for regression.
  #curve(ctx, w, h, data, grid, names = []) {
    const info = data.info;
    const [x0] = info.domain_min, [x1] = info.domain_max;
    let lo = Infinity, hi = -Infinity;
    for (const y of data.train?.y ?? []) (lo = Math.min(lo, y)), (hi = Math.max(hi, y));
    for (const y of grid.values) (lo = Math.min(lo, y)), (hi = Math.max(hi, y));
    const pad = 0.1 * (hi - lo || 1);
    lo -= pad;
    hi += pad;
    const L = 18, B = 16;
    const X = (x) => L + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (w - L - 6);
    const Y = (y) => 6 + (1 - (y - lo) / (hi - lo)) * (h - B - 6);
    for (const [set, test] of [[data.train, false], [data.test, true]]) {
      if (!set) continue;
      for (let i = 0; i < set.y.length; i++) {
        ctx.beginPath();
        ctx.arc(X(set.x[i]), Y(set.y[i]), 2.2, 0, Math.PI * 2);
        const c = names.length ? classColour(Math.round(set.y[i]), names.length) : NEG;
        ctx.fillStyle = test ? '#fff' : c;
        ctx.strokeStyle = c;
        ctx.fill();
        ctx.stroke();
      }
    }
    ctx.strokeStyle = POS;
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    const n = grid.values.length;
    for (let i = 0; i < n; i++) {
      const x = x0 + ((x1 - x0) * i) / (n - 1);
      i ? ctx.lineTo(X(x), Y(grid.values[i])) : ctx.moveTo(X(x), Y(grid.values[i]));
    }
    ctx.stroke();
    const axisX = info.feature_names?.[0] ?? 'x', axisY = info.target_name || 'y';
    this.#axes(ctx, w / 2, h - 3, h / 2, `${axisX}  (dots: targets, line: prediction)`, axisY);
    return { view: 'curve', axisX, axisY };
  }

  #scatter(ctx, w, h, info, grid) {
    const p = grid.predictions, t = grid.targets;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < t.length; i++) {
      lo = Math.min(lo, t[i], p[i]);
      hi = Math.max(hi, t[i], p[i]);
    }
    if (!(hi > lo)) (lo -= 1), (hi += 1);
    const pad = 0.04 * (hi - lo); // dots on the extremes are drawn whole
    lo -= pad;
    hi += pad;
    const L = 18, B = 16;
    const size = Math.min(w - L - 6, h - B - 6);
    const X = (v) => L + ((v - lo) / (hi - lo)) * size;
    const Y = (v) => 6 + (1 - (v - lo) / (hi - lo)) * size;
    ctx.strokeStyle = '#999';
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(X(lo), Y(lo));
    ctx.lineTo(X(hi), Y(hi));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = POS;
    ctx.globalAlpha = 0.55;
    for (let i = 0; i < t.length; i++) ctx.fillRect(X(t[i]) - 1.5, Y(p[i]) - 1.5, 3, 3);
    ctx.globalAlpha = 1;
    const target = info.target_name || 'target';
    const axisX = `${target} (target)`, axisY = `predicted ${target}`;
    this.#axes(ctx, L + size / 2, h - 3, 6 + size / 2, `${axisX}  (dashed: perfect)`, axisY);
    return { view: 'scatter', axisX, axisY };
  }

  // Rows: the true class; columns: the predicted one, over the worker's rows (the test set when
  // there is one, worker.js outputGrid). Cells are shaded by the share of their row, so a
  // class's recall reads along the diagonal; the column at the right gives it as a number:
  // the class's accuracy (its rows predicted right).
  #confusion(ctx, w, h, info, grid, names) {
    const K = names.length;
    const p = grid.predictions, t = grid.targets;
    const counts = Array.from({ length: K }, () => new Array(K).fill(0));
    let correct = 0;
    for (let i = 0; i < t.length; i++) {
      const truth = Math.round(t[i]);
      const guess = K === 2 ? (p[i] > 0.5 ? 1 : 0) : Math.round(p[i]);  // binary: the sigmoid's probability
      if (counts[truth]?.[guess] === undefined) continue;
      counts[truth][guess]++;
      if (truth === guess) correct++;
    }
    const axisX = `predicted ${info.target_name || 'class'}`, axisY = `true ${info.target_name || 'class'}`;
    const rowsName = grid.set === 'test' ? 'test' : 'training';
    const perClass = counts.map((row, k) => {
      const total = row.reduce((a, b) => a + b, 0);
      return total ? row[k] / total : null;
    });
    const marks = { view: 'confusion', axisX, axisY, confusion: JSON.stringify(counts), perClass: JSON.stringify(perClass), rows: rowsName };
    ctx.fillStyle = '#333';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.fillText(`Confusion matrix, ${t.length} ${rowsName} rows · ${rowsName} accuracy ${t.length ? ((100 * correct) / t.length).toFixed(1) : 0}%`, 4, 12);
    if (K > MAX_MATRIX) {
      ctx.fillText(`${K} classes: too many to draw one cell each (at most ${MAX_MATRIX}).`, 4, 30);
      return marks;
    }
    ctx.font = '10px system-ui, sans-serif';
    const labelW = Math.min(80, Math.max(...names.map((n) => ctx.measureText(shorten(n, 12)).width)) + 6);
    const accW = 40;  // the per-class accuracy column
    const top = 30, left = 14 + labelW, bottom = 30;  // top: the title line, then the accuracy column's head
    const cell = Math.max(4, Math.floor(Math.min((w - left - 6 - accW) / K, (h - top - bottom) / K)));
    const size = cell * K;
    for (let r = 0; r < K; r++) {
      const total = counts[r].reduce((a, b) => a + b, 0);
      for (let c = 0; c < K; c++) {
        const share = total ? counts[r][c] / total : 0;
        const [cr, cg, cb] = rgb(r === c ? '#009E73' : '#D55E00');
        const a = share * 0.85;
        ctx.fillStyle = `rgb(${Math.round(255 + (cr - 255) * a)},${Math.round(255 + (cg - 255) * a)},${Math.round(255 + (cb - 255) * a)})`;
        ctx.fillRect(left + c * cell, top + r * cell, cell, cell);
        if (cell >= 22) {
          ctx.fillStyle = share > 0.6 ? '#fff' : '#333';
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          ctx.fillText(String(counts[r][c]), left + (c + 0.5) * cell, top + (r + 0.5) * cell);
        }
      }
    }
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.strokeRect(left, top, size, size);
    // Class names: colour swatches match the output surface and the dots. Under the columns
    // too when every name fits its cell (digits).
    ctx.textBaseline = 'middle';
    const shortNames = names.every((n) => ctx.measureText(n).width <= cell - 2);
    for (let k = 0; k < K; k++) {
      ctx.fillStyle = classColour(k, K);
      ctx.fillRect(left - 6, top + k * cell + cell / 2 - 3, 4, 6);
      ctx.fillRect(left + k * cell + cell / 2 - 3, top + size + 2, 6, 4);
      ctx.fillStyle = '#333';
      ctx.textAlign = 'right';
      ctx.fillText(shorten(names[k], 12), left - 8, top + (k + 0.5) * cell);
      if (cell >= 26 || K <= 6 || shortNames) {
        ctx.textAlign = 'center';
        ctx.fillText(shorten(names[k], Math.max(3, Math.floor(cell / 6))), left + (k + 0.5) * cell, top + size + 12);
      }
    }
    // Per-class accuracy, beside each row; a weak class (under the overall accuracy by 10
    // points or more) in the error colour.
    const overall = t.length ? correct / t.length : 0;
    ctx.textAlign = 'left';
    ctx.fillStyle = '#555';
    ctx.fillText('acc.', left + size + 6, top - 7);
    for (let k = 0; k < K; k++) {
      const a = perClass[k];
      ctx.fillStyle = a !== null && a < overall - 0.1 ? '#D55E00' : '#333';
      ctx.fillText(a === null ? '—' : `${(100 * a).toFixed(0)}%`, left + size + 6, top + (k + 0.5) * cell);
    }
    ctx.textBaseline = 'alphabetic';
    this.#axes(ctx, left + size / 2, top + size + 26, top + size / 2, axisX, axisY);
    return marks;
  }
}
