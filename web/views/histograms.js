// Per-layer histograms over time (canvas): pre-activations with the zero line (dead
// units pile up on its left), activations, and gradients. Three views: offset (older
// slices further back, like TensorBoard), overlay, and percentile bands over time.
import { fitCanvas } from './canvas.js';
const KINDS = [
  { id: 'pre', title: 'pre-activation z' },
  { id: 'act', title: 'activation a' },
  { id: 'grad', title: 'gradient ∂L/∂z' },
];
const INK = '#0072B2';

export class HistogramsView {
  constructor(container) {
    this.canvases = {};
    for (const k of KINDS) {
      const fig = document.createElement('figure');
      fig.className = 'hist';
      const cap = document.createElement('figcaption');
      cap.textContent = k.title;
      const c = document.createElement('canvas');
      c.setAttribute('role', 'img');
      c.setAttribute('aria-label', `histogram of ${k.title} over time`);
      fig.append(cap, c);
      container.append(fig);
      this.canvases[k.id] = c;
    }
  }

  /** rings: { pre, act, grad } HistogramRing for the chosen layer; mode: offset|overlay|bands */
  draw(rings, mode) {
    for (const k of KINDS) this.#drawOne(this.canvases[k.id], rings?.[k.id], mode, k.id === 'pre' || k.id === 'grad');
  }

  #drawOne(canvas, ring, mode, zeroLine) {
    const ctx = canvas.getContext('2d');
    const { w, h } = fitCanvas(canvas, ctx);
    ctx.clearRect(0, 0, w, h);
    if (!ring || ring.length === 0) return;
    let lo = Infinity, hi = -Infinity;
    ring.forEach((s) => {
      lo = Math.min(lo, s.lo);
      hi = Math.max(hi, s.hi);
    });
    if (zeroLine) (lo = Math.min(lo, 0)), (hi = Math.max(hi, 0));
    if (!(hi > lo)) (lo -= 0.5), (hi += 0.5);
    const padL = 4, padR = 4, padB = 14, padT = 4;
    const fmt = (v) => (Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : +v.toFixed(2));
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#555';
    if (mode === 'bands') {
      // x: time (oldest left), y: value; bands between percentile pairs.
      const X = (i) => padL + ((w - padL - padR) * i) / Math.max(1, ring.length - 1);
      const Y = (v) => padT + (h - padT - padB) * (1 - (v - lo) / (hi - lo));
      const pairs = [[0, 8, 0.15], [1, 7, 0.25], [2, 6, 0.35], [3, 5, 0.5]];
      for (const [a, b, alpha] of pairs) {
        ctx.beginPath();
        ring.forEach((s, i) => (i ? ctx.lineTo(X(i), Y(s.percentiles[a])) : ctx.moveTo(X(i), Y(s.percentiles[a]))));
        for (let i = ring.length - 1; i >= 0; i--) {
          const s = ring.items[(ring.start + i) % ring.capacity];
          ctx.lineTo(X(i), Y(s.percentiles[b]));
        }
        ctx.closePath();
        ctx.fillStyle = INK;
        ctx.globalAlpha = alpha;
        ctx.fill();
      }
      ctx.globalAlpha = 1;
      ctx.strokeStyle = '#003b5c';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ring.forEach((s, i) => (i ? ctx.lineTo(X(i), Y(s.percentiles[4])) : ctx.moveTo(X(i), Y(s.percentiles[4]))));
      ctx.stroke();
      if (zeroLine && lo < 0 && hi > 0) {
        ctx.strokeStyle = '#D55E00';
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(padL, Y(0));
        ctx.lineTo(w - padR, Y(0));
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = '#555';
      ctx.textAlign = 'left';
      ctx.fillText(`${fmt(hi)}`, padL + 2, padT + 9);
      ctx.fillText(`${fmt(lo)}  ·  step ${ring.items[ring.start].step} → ${ring.newest().step}`, padL + 2, h - 3);
      return;
    }
    const X = (v) => padL + ((w - padL - padR) * (v - lo)) / (hi - lo);
    const n = ring.length;
    const offset = mode === 'offset' ? Math.min(4, (h - padB - padT) * 0.5 / Math.max(1, n)) : 0;
    const plotH = h - padB - padT - offset * (n - 1);
    ring.forEach((s, k) => {
      const age = n - 1 - k; // 0 = newest
      const base = h - padB - offset * age;
      let max = 0;
      for (const c of s.counts) max = Math.max(max, c);
      if (max <= 0) return;
      const bins = s.counts.length;
      const bw = (s.hi - s.lo) / bins;
      ctx.beginPath();
      ctx.moveTo(X(s.lo), base);
      for (let b = 0; b < bins; b++) {
        const x0 = X(s.lo + b * bw), x1 = X(s.lo + (b + 1) * bw);
        const y = base - (plotH * s.counts[b]) / max;
        ctx.lineTo(x0, y);
        ctx.lineTo(x1, y);
      }
      if (bw === 0) {
        // Every value equal (e.g. all activations exactly 0): one spike.
        ctx.lineTo(X(s.lo), base - plotH);
      }
      ctx.lineTo(X(s.hi), base);
      const newest = age === 0;
      if (mode === 'offset') {
        ctx.fillStyle = newest ? INK : '#9cc3dc';
        ctx.globalAlpha = newest ? 0.85 : 0.35 + 0.4 * (k / n);
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = 0.5;
        ctx.stroke();
      } else {
        ctx.strokeStyle = INK;
        ctx.globalAlpha = newest ? 1 : 0.08 + 0.3 * (k / n);
        ctx.lineWidth = newest ? 1.8 : 1;
        ctx.stroke();
        ctx.globalAlpha = 1;
      }
    });
    if (zeroLine && lo < 0 && hi > 0) {
      ctx.strokeStyle = '#D55E00';
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(X(0), padT);
      ctx.lineTo(X(0), h - padB);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.fillStyle = '#555';
    const loText = String(fmt(lo)), hiText = String(fmt(hi));
    ctx.textAlign = 'left';
    ctx.fillText(loText, padL, h - 2);
    ctx.textAlign = 'right';
    ctx.fillText(hiText, w - padR, h - 2);
    // The zero mark's label, unless it would sit on an end label (a lopsided range, -300 .. 23:
    // zero is next to one end); the dashed line still marks it.
    const half = ctx.measureText('0').width / 2 + 3;
    const clear = X(0) - half > padL + ctx.measureText(loText).width && X(0) + half < w - padR - ctx.measureText(hiText).width;
    if (zeroLine && lo < 0 && hi > 0 && clear) {
      ctx.textAlign = 'center';
      ctx.fillStyle = '#D55E00';
      ctx.fillText('0', X(0), h - 2);
    }
  }
}
