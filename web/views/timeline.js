// Deaths and revivals over steps: one row per hidden layer; a dark mark below the
// row's line is a death, a green mark above it a revival. The step axis is linear or 'log'
// (asinh, as the charts': step 0 at the left edge, the first steps spread out), with a
// tick at each power of ten.
import { fitCanvas } from './canvas.js';
import { EventBuffer } from '../history.js';

const DIED = '#3a3a3a';
const REVIVED = '#009E73';
// Marks kept for drawing (EventBuffer merges them into coarser bins when full).
const CAPACITY = 8192;

/** Where step s sits on an axis from 0 to maxStep, as a fraction of its width. */
export function stepFraction(s, maxStep, axis) {
  return axis === 'log' ? Math.asinh(s) / Math.asinh(maxStep) : s / maxStep;
}
const shortStep = (v) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));

export class TimelineView {
  constructor(canvas, summary, capacity = CAPACITY) {
    this.canvas = canvas;
    this.summary = summary;
    this.events = new EventBuffer(capacity);
  }
  get died() {
    return this.events.died;
  }
  get revived() {
    return this.events.revived;
  }
  clear() {
    this.events.clear();
    this.summary.textContent = 'No deaths or revivals yet.';
  }
  add(events) {
    for (const e of events) this.events.push(e);
    if (events.length) {
      const e = this.events.latest;
      this.summary.textContent = `${this.died} deaths, ${this.revived} revivals. Latest: layer ${e.layer + 1}, unit ${e.neuron + 1} ${e.kind} at step ${e.step}.`;
    }
  }
  draw(layers, step, axis = 'linear') {
    const ctx = this.canvas.getContext('2d');
    const { w, h } = fitCanvas(this.canvas, ctx);
    ctx.clearRect(0, 0, w, h);
    if (!layers) return;
    const L = 26, R = 6, T = 4, B = 12;
    const rowH = (h - T - B) / layers;
    const maxStep = Math.max(10, step);
    const X = (s) => L + (w - L - R) * stepFraction(s, maxStep, axis);
    this.canvas.dataset.stepAxis = axis;
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#555';
    ctx.textAlign = 'right';
    for (let l = 0; l < layers; l++) {
      const y = T + rowH * (l + 0.5);
      ctx.fillText(`L${l + 1}`, L - 4, y + 3);
      ctx.strokeStyle = '#ddd';
      ctx.beginPath();
      ctx.moveTo(L, y);
      ctx.lineTo(w - R, y);
      ctx.stroke();
    }
    const tick = Math.min(rowH * 0.45, 8);
    const died = new Path2D(), revived = new Path2D();
    const ev = this.events;
    for (let i = 0; i < ev.length; i++) {
      const layer = ev.layers[i];
      if (layer >= layers) continue;
      const y = T + rowH * (layer + 0.5);
      const x = X(ev.steps[i]);
      const isDeath = ev.kinds[i] === 0;
      const p = isDeath ? died : revived;
      p.moveTo(x, y);
      p.lineTo(x, isDeath ? y + tick : y - tick);
    }
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = DIED;
    ctx.stroke(died);
    ctx.strokeStyle = REVIVED;
    ctx.stroke(revived);
    ctx.fillStyle = '#555';
    ctx.textAlign = 'left';
    ctx.fillText('0', L, h - 1);
    const last = `step ${step}${axis === 'log' ? ' (log)' : ''}`;
    const lastLeft = w - R - ctx.measureText(last).width;
    if (axis === 'log') {
      // Powers of ten that fit between "0" and the label of the newest step.
      ctx.textAlign = 'center';
      for (let v = 10; v < maxStep; v *= 10) {
        const x = X(v);
        if (x > L + 14 && x + 14 < lastLeft) ctx.fillText(shortStep(v), x, h - 1);
      }
    }
    ctx.textAlign = 'right';
    ctx.fillText(last, w - R, h - 1);
  }
}
