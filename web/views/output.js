// The network's output. 2-D data: the decision surface (or regression surface) with
// train points (filled) and test points (ringed). 1-D data: targets and the
// prediction curve. Other data: predictions against targets.
import { fitCanvas } from './canvas.js';
const POS = [0, 114, 178]; // #0072B2
const NEG = [230, 159, 0]; // #E69F00

function sigmoid(v) {
  return 1 / (1 + Math.exp(-v));
}

export class OutputView {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.surface = document.createElement('canvas');
    this.image = null;
  }

  /** data: { info, train, test } from the worker; grid: the worker's output extra. */
  draw(data, grid) {
    const { w, h } = fitCanvas(this.canvas, this.ctx);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, w, h);
    if (!data || !grid) return;
    const info = data.info;
    if (info.features === 2 && grid.values) this.#plane(ctx, w, h, data, grid);
    else if (info.features === 1 && grid.values) this.#curve(ctx, w, h, data, grid);
    else if (grid.predictions) this.#scatter(ctx, w, h, grid);
  }

  #plane(ctx, w, h, data, grid) {
    const info = data.info;
    const size = Math.min(w, h);
    const ox = (w - size) / 2, oy = (h - size) / 2;
    const res = grid.res;
    const v = grid.values;
    const classify = info.task !== 'regression';
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
    for (let k = 0; k < res * res; k++) {
      let t; // -1..1, negative = class 0 / below zero
      if (classify) t = 2 * (prob ? v[k] : sigmoid(v[k])) - 1;
      else t = Math.max(-1, Math.min(1, v[k] / scale));
      const c = t >= 0 ? POS : NEG;
      const a = Math.abs(t);
      px[4 * k] = Math.round(255 + (c[0] - 255) * a * 0.7);
      px[4 * k + 1] = Math.round(255 + (c[1] - 255) * a * 0.7);
      px[4 * k + 2] = Math.round(255 + (c[2] - 255) * a * 0.7);
      px[4 * k + 3] = 255;
    }
    this.surface.getContext('2d').putImageData(this.image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.surface, ox, oy, size, size);
    const [x0, y0] = info.domain_min, [x1, y1] = info.domain_max;
    const X = (x) => ox + ((x - x0) / (x1 - x0)) * size;
    const Y = (y) => oy + (1 - (y - y0) / (y1 - y0)) * size;
    const colour = (y) => {
      if (classify) return y > 0.5 ? '#0072B2' : '#E69F00';
      const t = Math.max(-1, Math.min(1, y / scale));
      return t >= 0 ? '#0072B2' : '#E69F00';
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
  }

  #axes(ctx, w, h, xl, yl) {
    ctx.fillStyle = '#555';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(xl, w / 2, h - 2);
    ctx.save();
    ctx.translate(10, h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(yl, 0, 0);
    ctx.restore();
  }

  #curve(ctx, w, h, data, grid) {
    const info = data.info;
    const [x0] = info.domain_min, [x1] = info.domain_max;
    let lo = Infinity, hi = -Infinity;
    for (const y of data.train?.y ?? []) (lo = Math.min(lo, y)), (hi = Math.max(hi, y));
    for (const y of grid.values) (lo = Math.min(lo, y)), (hi = Math.max(hi, y));
    const pad = 0.1 * (hi - lo || 1);
    lo -= pad;
    hi += pad;
    const L = 18, B = 14;
    const X = (x) => L + ((x - x0) / (x1 - x0)) * (w - L - 6);
    const Y = (y) => 6 + (1 - (y - lo) / (hi - lo)) * (h - B - 6);
    for (const [set, test] of [[data.train, false], [data.test, true]]) {
      if (!set) continue;
      for (let i = 0; i < set.y.length; i++) {
        ctx.beginPath();
        ctx.arc(X(set.x[i]), Y(set.y[i]), 2.2, 0, Math.PI * 2);
        ctx.fillStyle = test ? '#fff' : '#E69F00';
        ctx.strokeStyle = '#E69F00';
        ctx.fill();
        ctx.stroke();
      }
    }
    ctx.strokeStyle = '#0072B2';
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    const n = grid.values.length;
    for (let i = 0; i < n; i++) {
      const x = x0 + ((x1 - x0) * i) / (n - 1);
      i ? ctx.lineTo(X(x), Y(grid.values[i])) : ctx.moveTo(X(x), Y(grid.values[i]));
    }
    ctx.stroke();
    this.#axes(ctx, w, h, 'x  (dots: targets, line: prediction)', 'y');
  }

  #scatter(ctx, w, h, grid) {
    const p = grid.predictions, t = grid.targets;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < t.length; i++) {
      lo = Math.min(lo, t[i], p[i]);
      hi = Math.max(hi, t[i], p[i]);
    }
    if (!(hi > lo)) (lo -= 1), (hi += 1);
    const L = 18, B = 14;
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
    ctx.fillStyle = '#0072B2';
    ctx.globalAlpha = 0.55;
    for (let i = 0; i < t.length; i++) ctx.fillRect(X(t[i]) - 1.5, Y(p[i]) - 1.5, 3, 3);
    ctx.globalAlpha = 1;
    this.#axes(ctx, w, h, 'target  (dashed: perfect)', 'prediction');
  }
}
