// The network as a canvas: neurons coloured by monitor state (dead units also get a
// cross), links coloured by the weight's sign and sized by |w|. Pointer and keyboard
// select a neuron; the page opens its card. Units an intervention just touched (revive,
// freeze, ablate: page/interventions.js) glow, and a revived unit that died again gets a
// dashed vermilion ring.
import { POSITIVE, NEGATIVE, MARK_LOOK } from '../palette.js';
import { fitCanvas } from './canvas.js';

export class NetworkView {
  constructor(canvas, { onSelect = () => {}, compact = false } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.onSelect = onSelect;
    this.compact = compact;
    this.nodes = []; // hidden neurons: { l, i, x, y, r }
    this.focus = null; // keyboard cursor { l, i }
    this.selected = null;
    this.snapshot = null;
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'application');
    canvas.addEventListener('pointermove', (e) => this.#hover(e, false));
    canvas.addEventListener('click', (e) => this.#hover(e, true));
    canvas.addEventListener('keydown', (e) => this.#key(e));
  }

  #hit(e) {
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left, y = e.clientY - rect.top;
    let best = null, bestD = Infinity;
    for (const n of this.nodes) {
      const d = Math.hypot(n.x - x, n.y - y);
      if (d < Math.max(n.r + 4, 10) && d < bestD) (best = n), (bestD = d);
    }
    return best;
  }

  #hover(e, click) {
    const n = this.#hit(e);
    this.canvas.style.cursor = n ? 'pointer' : 'default';
    if (n && (click || e.pointerType === 'mouse')) {
      this.focus = { l: n.l, i: n.i };
      this.onSelect(n.l, n.i, click);
    }
  }

  #key(e) {
    const s = this.snapshot;
    if (!s || !s.layers.length) return;
    let { l, i } = this.focus ?? { l: 0, i: 0 };
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[e.key]) {
      e.preventDefault();
      l = Math.max(0, Math.min(s.layers.length - 1, l + moves[e.key][0]));
      i = Math.max(0, Math.min(s.layers[l].width - 1, i + moves[e.key][1]));
      this.focus = { l, i };
      this.onSelect(l, i, false);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.focus = { l, i };
      this.onSelect(l, i, true);
    }
  }

  /** snapshot: engine snapshot; weights: { params, layers:[{in,out,wOffset,...}] }; inputs: feature count. */
  // states: the engine's state table (palette.js stateTable): colour per state code
  // marks: [{l, i, kind, strength 0..1}] units to highlight (interventions.js's marks())
  draw(snapshot, weights, inputs, selected, states, marks = []) {
    const deadCode = states.code.dead;
    this.snapshot = snapshot;
    const { w, h } = fitCanvas(this.canvas, this.ctx);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, w, h);
    if (!snapshot) return;
    const hidden = snapshot.layers;
    // Output nodes: the output layer's width (K for a K-class softmax), 1 before weights arrive.
    const outputs = weights?.layers?.[hidden.length]?.out ?? 1;
    this.canvas.dataset.outputs = String(outputs);
    const widths = [inputs, ...hidden.map((l) => l.width), outputs];
    const cols = widths.length;
    const padX = this.compact ? 14 : 26, padTop = this.compact ? 8 : 22, padBottom = 8;
    const colX = (c) => padX + ((w - 2 * padX) * c) / (cols - 1);
    const maxW = Math.max(...widths);
    const avail = h - padTop - padBottom;
    const gap = avail / maxW;
    const r = Math.max(2.5, Math.min(this.compact ? 7 : 11, gap * 0.36));
    const pos = widths.map((n, c) => {
      const span = gap * (n - 1);
      const y0 = padTop + (avail - span) / 2;
      return Array.from({ length: n }, (_, i) => ({ x: colX(c), y: n === 1 ? padTop + avail / 2 : y0 + gap * i }));
    });

    // Links: bucketed by sign and |w| so the whole picture is ~2 x BUCKETS strokes.
    if (weights) {
      const { params, layers } = weights;
      let maxAbs = 1e-6;
      for (const L of layers) for (let k = 0; k < L.in * L.out; k++) maxAbs = Math.max(maxAbs, Math.abs(params[L.wOffset + k]));
      const BUCKETS = 6;
      const paths = [[], []].map(() => Array.from({ length: BUCKETS }, () => new Path2D()));
      for (let li = 0; li < layers.length && li + 1 < pos.length; li++) {
        const L = layers[li];
        const from = pos[li], to = pos[li + 1];
        for (let o = 0; o < L.out && o < to.length; o++) {
          for (let i = 0; i < L.in && i < from.length; i++) {
            const v = params[L.wOffset + i * L.out + o];
            const a = Math.abs(v) / maxAbs;
            if (!(a >= 0.03)) continue; // faint, or not finite (a run that diverged before any finite snapshot)
            const b = Math.min(BUCKETS - 1, Math.floor(a * BUCKETS));
            const path = paths[v >= 0 ? 0 : 1][b];
            path.moveTo(from[i].x, from[i].y);
            path.lineTo(to[o].x, to[o].y);
          }
        }
      }
      for (let sgn = 0; sgn < 2; sgn++) {
        ctx.strokeStyle = sgn === 0 ? POSITIVE : NEGATIVE;
        for (let b = 0; b < BUCKETS; b++) {
          const a = (b + 0.5) / BUCKETS;
          ctx.globalAlpha = 0.15 + 0.6 * a;
          ctx.lineWidth = 0.4 + 3.2 * a;
          ctx.stroke(paths[sgn][b]);
        }
      }
      ctx.globalAlpha = 1;
    }

    // Inputs and output: neutral squares.
    ctx.fillStyle = '#f3f3f3';
    ctx.strokeStyle = '#777';
    ctx.lineWidth = 1;
    for (const c of [0, cols - 1])
      for (const p of pos[c]) {
        ctx.fillRect(p.x - r, p.y - r, 2 * r, 2 * r);
        ctx.strokeRect(p.x - r, p.y - r, 2 * r, 2 * r);
      }

    // Glows behind the marked units (drawn first, so the unit's own colour stays readable).
    let drawnMarks = 0;
    for (const m of marks) {
      const p = pos[m.l + 1]?.[m.i];
      if (!p) continue;
      drawnMarks++;
      const look = MARK_LOOK[m.kind] ?? MARK_LOOK.revived;
      ctx.globalAlpha = m.strength;
      ctx.fillStyle = look.glow;
      ctx.beginPath();
      ctx.arc(p.x, p.y, r + Math.max(3, r * 0.45), 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = '#333';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    this.canvas.dataset.marks = String(drawnMarks);

    // Hidden neurons.
    this.nodes = [];
    for (let l = 0; l < hidden.length; l++) {
      const layer = hidden[l];
      for (let i = 0; i < layer.width; i++) {
        const p = pos[l + 1][i];
        const st = layer.states[i];
        this.nodes.push({ l, i, x: p.x, y: p.y, r });
        ctx.beginPath();
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        ctx.fillStyle = states.byCode[st]?.color ?? '#999';
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = '#fff';
        ctx.stroke();
        if (st === deadCode && r >= 3) {
          // Second cue for dead units: a white cross.
          const k = r * 0.55;
          ctx.strokeStyle = '#fff';
          ctx.lineWidth = Math.max(1.2, r / 5);
          ctx.beginPath();
          ctx.moveTo(p.x - k, p.y - k);
          ctx.lineTo(p.x + k, p.y + k);
          ctx.moveTo(p.x + k, p.y - k);
          ctx.lineTo(p.x - k, p.y + k);
          ctx.stroke();
        }
        if (layer.ablated?.[i] || layer.frozen?.[i]) {
          ctx.strokeStyle = '#000';
          ctx.lineWidth = 1.5;
          ctx.setLineDash(layer.ablated?.[i] ? [2, 2] : []);
          ctx.strokeRect(p.x - r - 2, p.y - r - 2, 2 * r + 4, 2 * r + 4);
          ctx.setLineDash([]);
        }
      }
    }
    // A revived unit that is dead again (or never came alive): a dashed ring over the glow.
    for (const m of marks) {
      const ring = MARK_LOOK[m.kind]?.ring;
      const p = pos[m.l + 1]?.[m.i];
      if (!ring || !p) continue;
      ctx.globalAlpha = Math.max(0.6, m.strength);
      ctx.strokeStyle = ring;
      ctx.lineWidth = 2.5;
      ctx.setLineDash([4, 2]);
      ctx.beginPath();
      ctx.arc(p.x, p.y, r + Math.max(3, r * 0.45) - 1, 0, Math.PI * 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.globalAlpha = 1;
    // Selection / keyboard focus ring.
    for (const sel of [selected, document.activeElement === this.canvas ? this.focus : null]) {
      if (!sel || !pos[sel.l + 1]?.[sel.i]) continue;
      const p = pos[sel.l + 1][sel.i];
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(p.x, p.y, r + 3.5, 0, Math.PI * 2);
      ctx.stroke();
    }
    if (!this.compact) {
      ctx.fillStyle = '#444';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      // Column heads: the longest wording whose widest label fits between two columns, so
      // neighbours never run into each other ("69%100% out"); none when even "100" does not fit.
      const spacing = (w - 2 * padX) / (cols - 1);
      const pcts = hidden.map((l) => Math.round(l.deadFraction * 100));
      const room = (t) => ctx.measureText(t).width + 4 <= spacing;
      const fmt = [(p) => `${p}% dead`, (p) => `${p}%`, (p) => `${p}`].find((f) => room(f(100)) && room('out')) ?? null;
      if (fmt) {
        for (let l = 0; l < hidden.length; l++) {
          ctx.fillStyle = pcts[l] > 0 ? '#222' : '#666';
          ctx.fillText(fmt(pcts[l]), colX(l + 1), 12);
        }
        ctx.fillStyle = '#444';
        ctx.fillText('in', colX(0), 12);
        ctx.fillText('out', colX(cols - 1), 12);
      }
    }
  }
}
