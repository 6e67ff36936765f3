// Deaths and revivals over steps: one row per hidden layer; a dark mark below the
// row's line is a death, a green mark above it a revival. The step axis is linear or 'log'
// (asinh, as the charts': step 0 at the left edge, the first steps spread out), with a
// tick at each power of ten. It is also the replay's scrubber: press or drag on it to show
// a logged step, ←/→ move by one stored entry, Home goes to the first, End or Escape back to
// live. Small ticks under the axis are the stored entries.
import { fitCanvas } from './canvas.js';
import { EventBuffer } from '../history.js';

const DIED = '#3a3a3a';
const REVIVED = '#009E73';
// Marks kept for drawing (EventBuffer merges them into coarser bins when full).
const CAPACITY = 8192;
const CURSOR = '#D55E00';

/** Where step s sits on an axis from 0 to maxStep, as a fraction of its width. */
export function stepFraction(s, maxStep, axis) {
  return axis === 'log' ? Math.asinh(s) / Math.asinh(maxStep) : s / maxStep;
}
const shortStep = (v) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));

export class TimelineView {
  /**
   * scrub: {seek(step), move(dir), edge('start'|'end'), live()} (the replay cursor), or null
   * for a timeline that only draws.
   */
  constructor(canvas, summary, capacity = CAPACITY, scrub = null) {
    this.canvas = canvas;
    this.summary = summary;
    this.events = new EventBuffer(capacity);
    this.X = null; // the last drawing's step -> x (whatever its scale), for the pointer
    this.maxStep = 0;
    if (canvas && scrub) this.#scrubbable(scrub);
  }

  #scrubbable(scrub) {
    const c = this.canvas;
    c.tabIndex = 0;
    c.setAttribute('role', 'slider');
    c.setAttribute('aria-label', 'timeline of neuron deaths and revivals; press or drag to replay a logged step, arrow keys step through them');
    c.style.cursor = 'ew-resize';
    c.style.touchAction = 'pan-y'; // a horizontal drag scrubs; a vertical one still scrolls the page
    let dragging = false;
    const at = (e) => {
      const step = this.stepAt(e.clientX - c.getBoundingClientRect().left);
      if (step !== null) scrub.seek(step);
    };
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      dragging = true;
      c.setPointerCapture?.(e.pointerId);
      c.focus({ preventScroll: true });
      at(e);
    });
    c.addEventListener('pointermove', (e) => dragging && at(e));
    const stop = () => (dragging = false);
    c.addEventListener('pointerup', stop);
    c.addEventListener('pointercancel', stop);
    c.addEventListener('keydown', (e) => {
      const act = { ArrowLeft: () => scrub.move(-1), ArrowRight: () => scrub.move(1), Home: () => scrub.edge('start'), End: () => scrub.edge('end'), Escape: () => scrub.live() }[e.key];
      if (!act) return;
      e.preventDefault();
      act();
    });
  }

  /** The step under x (CSS px from the canvas's left edge) in the last drawing; null before one. */
  stepAt(x) {
    if (!this.X) return null;
    // Bisection on the drawing's own (monotone) scale, so a linear or a log axis both invert.
    let lo = 0, hi = this.maxStep;
    if (x <= this.X(lo)) return lo;
    if (x >= this.X(hi)) return hi;
    for (let k = 0; k < 60 && hi - lo > 0.5; k++) {
      const mid = (lo + hi) / 2;
      if (this.X(mid) < x) lo = mid;
      else hi = mid;
    }
    return Math.round((lo + hi) / 2);
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
  /**
   * replay: {cursor (the shown step, null when live), kept (the stored entries' steps)}
   * axis: 'linear' | 'log'
   */
  draw(layers, step, replay = null, axis = 'linear') {
    const ctx = this.canvas.getContext('2d');
    const { w, h } = fitCanvas(this.canvas, ctx);
    ctx.clearRect(0, 0, w, h);
    if (!layers) return;
    const L = 26, R = 6, T = 4, B = 12;
    const rowH = (h - T - B) / layers;
    const maxStep = Math.max(10, step);
    const X = (s) => L + (w - L - R) * stepFraction(s, maxStep, axis);
    this.X = X;
    this.maxStep = maxStep;
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
    // The stored entries, as ticks under the rows: where a replay can stop.
    if (replay?.kept?.length) {
      ctx.fillStyle = '#9aa0a6';
      for (const s of replay.kept) ctx.fillRect(Math.round(X(s)) - 0.5, h - B, 1, 3);
    }
    const cursor = replay?.cursor ?? null;
    if (cursor !== null) {
      // Replaying: what comes after the shown step is greyed, the shown step is a line.
      const x = X(cursor);
      ctx.fillStyle = 'rgba(244, 245, 247, 0.6)';
      ctx.fillRect(x, 0, w - R - x, h - B);
      ctx.strokeStyle = CURSOR;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, h - B);
      ctx.stroke();
    }
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
    if (cursor !== null) {
      ctx.fillStyle = CURSOR;
      ctx.textAlign = X(cursor) > w / 2 ? 'right' : 'left';
      ctx.fillText(`replay: step ${cursor}`, X(cursor) + (X(cursor) > w / 2 ? -4 : 4), T + 9);
    }
    if (this.canvas?.getAttribute('role') === 'slider') {
      this.canvas.setAttribute('aria-valuemin', '0');
      this.canvas.setAttribute('aria-valuemax', String(step));
      this.canvas.setAttribute('aria-valuenow', String(cursor ?? step));
      this.canvas.setAttribute('aria-valuetext', cursor !== null ? `replay: step ${cursor} of ${step}` : `live: step ${step}`);
    }
  }
}
