// Deaths and revivals over steps: one row per hidden layer; a dark mark below the
// row's line is a death, a green mark above it a revival.
import { fitCanvas } from './canvas.js';

const DIED = '#3a3a3a';
const REVIVED = '#009E73';
const MAX_EVENTS = 20000;

export class TimelineView {
  constructor(canvas, summary) {
    this.canvas = canvas;
    this.summary = summary;
    this.events = [];
    this.died = 0;
    this.revived = 0;
  }
  clear() {
    this.events = [];
    this.died = 0;
    this.revived = 0;
    this.summary.textContent = 'No deaths or revivals yet.';
  }
  add(events) {
    for (const e of events) {
      this.events.push(e);
      if (e.kind === 'died') this.died++;
      else this.revived++;
    }
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    if (events.length) {
      const e = this.events[this.events.length - 1];
      this.summary.textContent = `${this.died} deaths, ${this.revived} revivals. Latest: layer ${e.layer + 1}, unit ${e.neuron + 1} ${e.kind} at step ${e.step}.`;
    }
  }
  draw(layers, step) {
    const ctx = this.canvas.getContext('2d');
    const { w, h } = fitCanvas(this.canvas, ctx);
    ctx.clearRect(0, 0, w, h);
    if (!layers) return;
    const L = 26, R = 6, T = 4, B = 12;
    const rowH = (h - T - B) / layers;
    const maxStep = Math.max(10, step);
    const X = (s) => L + ((w - L - R) * s) / maxStep;
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
    for (const e of this.events) {
      if (e.layer >= layers) continue;
      const y = T + rowH * (e.layer + 0.5);
      const x = X(e.step);
      const p = e.kind === 'died' ? died : revived;
      p.moveTo(x, y);
      p.lineTo(x, e.kind === 'died' ? y + tick : y - tick);
    }
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = DIED;
    ctx.stroke(died);
    ctx.strokeStyle = REVIVED;
    ctx.stroke(revived);
    ctx.fillStyle = '#555';
    ctx.textAlign = 'left';
    ctx.fillText('0', L, h - 1);
    ctx.textAlign = 'right';
    ctx.fillText(`step ${step}`, w - R, h - 1);
  }
}
