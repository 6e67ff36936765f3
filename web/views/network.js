// The network as a canvas: neurons coloured by monitor state (dead units also get a
// cross), links coloured by the weight's sign and sized by |w|. A layer of more than
// GRID_ABOVE (32) units is a grid of state-coloured cells, one per unit, and the links of a
// pair with a grid at either end are one band (network-links.js, network-layout.js). Pointer and keyboard
// select a neuron; the page opens its card. Units an intervention just touched (revive,
// freeze, ablate: page/interventions.js) glow, and a revived unit that died again gets a
// dashed vermilion ring. A conv layer (geometry: net-spec.js netGeometry) is a grid of
// tiles, one per channel, each showing the channel's feature map for the chosen input
// (snapshot.maps: feature-maps.js) framed in its state's colour; a dead channel's tile is
// greyed and crossed out in red.
import { POSITIVE, NEGATIVE, MARK_LOOK } from '../palette.js';
import { fitCanvas } from './canvas.js';
import { linkModel, GRID_ABOVE } from './network-links.js';
import { networkLayout, cellCentre, cellAt } from './network-layout.js';

const BAND = '#7d8590'; // a bundled layer pair (network-links.js: above GRID_ABOVE units at either end)

// The box a column's units occupy: {left, right, top, bottom}.
function extent(col, r) {
  if (col.grid) {
    const { x0, y0, cell, cols } = col.grid;
    return { left: x0, right: x0 + cell * cols, top: y0, bottom: y0 + cell * Math.ceil(col.n / cols) };
  }
  const ys = col.pos.map((p) => p.y);
  return { left: col.x - r, right: col.x + r, top: Math.min(...ys) - r, bottom: Math.max(...ys) + r };
}

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
    // A cell of a gridded hidden layer (the input and output grids are not units with cards).
    const cols = this.columns ?? [];
    for (let c = 1; c < cols.length - 1; c++) {
      if (!cols[c].grid) continue;
      const i = cellAt(cols[c].grid, cols[c].n, x, y);
      if (i >= 0) return { l: c - 1, i };
    }
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
    // Page Up / Page Down: a row of a grid at a time (10 units in a column of nodes).
    const row = this.columns?.[l + 1]?.grid?.cols ?? 10;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1], PageUp: [0, -row], PageDown: [0, row] };
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

  /**
   * snapshot: engine snapshot; weights: { params, layers:[{in,out,wOffset,...}] } or the link
   * model the replay store kept (network-links.js); inputs: feature count;
   * states: the engine's state table (palette.js stateTable): colour per state code;
   * marks: [{l, i, kind, strength 0..1}] units to highlight (interventions.js's marks());
   * imageShape: [C,H,W] when the inputs are an image (the input grid is drawn as one);
   * conv: a convnet's {geometry (its conv layers are drawn as tiles of feature maps), input
   * (the pixel reader of the input the maps are of: drawn in the input grid)}, or null.
   */
  draw(snapshot, weights, inputs, selected, states, marks = [], imageShape = null, conv = null) {
    const geometry = conv?.geometry ?? null;
    const deadCode = states.code.dead;
    this.snapshot = snapshot;
    // Set before the canvas is sized: the phone layout gives a net with a grid more height.
    this.canvas.dataset.wide = snapshot?.layers.some((l) => l.width > GRID_ABOVE) ? '1' : '0';
    const { w, h } = fitCanvas(this.canvas, this.ctx);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, w, h);
    if (!snapshot) return;
    const hidden = snapshot.layers;
    // Output nodes: the output layer's width (K for a K-class softmax), 1 before weights arrive.
    const outputs = weights?.layers?.[hidden.length]?.out ?? weights?.pairs?.[hidden.length]?.out ?? 1;
    this.canvas.dataset.outputs = String(outputs);
    const widths = [inputs, ...hidden.map((l) => l.width), outputs];
    const tiled = [false, ...hidden.map((_, l) => geometry?.units[l]?.kind === 'conv'), false];
    const key = `${w}x${h}:${widths}:${imageShape ?? ''}:${this.compact}:${tiled}`;
    if (this.layoutKey !== key) (this.layout = networkLayout(w, h, widths, imageShape, this.compact, tiled)), (this.layoutKey = key);
    const { r, columns } = this.layout;
    const cols = columns.length;
    this.columns = columns;
    const ds = this.canvas.dataset;
    ds.units = widths.join(',');
    ds.grids = columns.map((c) => (c.grid ? (c.grid.image ? 'image' : 'grid') : 'nodes')).join(',');
    // Where a unit of column c sits (nodes or cells alike), and its half size.
    const at = (c, i) => (columns[c]?.grid ? (i < columns[c].n ? cellCentre(columns[c].grid, i) : null) : columns[c]?.pos[i]);
    const half = (c) => (columns[c].grid ? columns[c].grid.cell / 2 : r);

    const model = linkModel(weights);
    ds.links = model ? model.pairs.map((p) => (p.lines ? 'lines' : 'band')).join(',') : '';
    if (model) this.#links(model, columns, hidden);

    // Inputs and outputs: neutral squares (a gridded input: shaded by how much the first layer uses it).
    ctx.fillStyle = '#f3f3f3';
    ctx.strokeStyle = '#777';
    ctx.lineWidth = 1;
    for (const c of [0, cols - 1]) {
      const col = columns[c];
      if (col.grid && c === 0 && col.grid.image && conv?.input) this.#inputGrid(col, conv.input);
      else if (col.grid) this.#neutralGrid(col, c === 0 ? model?.pairs[0]?.inputMeanAbs : null);
      else
        for (const p of col.pos) {
          ctx.fillRect(p.x - r, p.y - r, 2 * r, 2 * r);
          ctx.strokeRect(p.x - r, p.y - r, 2 * r, 2 * r);
        }
    }

    // Glows behind the marked units (drawn first, so the unit's own colour stays readable).
    let drawnMarks = 0;
    for (const m of marks) {
      const p = at(m.l + 1, m.i);
      if (!p) continue;
      drawnMarks++;
      const look = MARK_LOOK[m.kind] ?? MARK_LOOK.revived;
      const g = half(m.l + 1);
      ctx.globalAlpha = m.strength;
      ctx.fillStyle = look.glow;
      ctx.strokeStyle = '#333';
      ctx.lineWidth = 1;
      ctx.beginPath();
      if (columns[m.l + 1].grid) {
        const k = g + Math.max(3, g);
        ctx.rect(p.x - k, p.y - k, 2 * k, 2 * k);
      } else ctx.arc(p.x, p.y, r + Math.max(3, r * 0.45), 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ds.marks = String(drawnMarks);

    // Hidden neurons: nodes, or one cell per unit.
    this.nodes = [];
    this.tileDead = [];
    const cells = [];
    for (let l = 0; l < hidden.length; l++) {
      const col = columns[l + 1];
      const layer = hidden[l];
      if (col.grid?.tiles) {
        cells.push(this.#tiles(col, layer, states, deadCode, snapshot.maps?.layers?.[l] ?? null));
        continue;
      }
      if (col.grid) {
        cells.push(this.#stateGrid(col, layer, states, deadCode));
        continue;
      }
      cells.push(0);
      for (let i = 0; i < layer.width; i++) {
        const p = col.pos[i];
        const st = layer.states[i];
        this.nodes.push({ l, i, x: p.x, y: p.y, r });
        ctx.beginPath();
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        ctx.fillStyle = states.byCode[st]?.color ?? '#999';
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = '#fff';
        ctx.stroke();
        if (st === deadCode && r >= 3) this.#cross(p, r);
      }
    }
    ds.cells = cells.join(',');
    ds.tiles = this.tileDead.join(';');  // per tiled layer, its crossed-out channels (tests)
    ds.mapInput = snapshot.maps ? `${snapshot.maps.set}:${snapshot.maps.index}` : '';
    // Frozen (solid) and ablated (dashed) units: a square around the node or cell.
    for (let l = 0; l < hidden.length; l++) {
      const layer = hidden[l];
      if (!layer.ablated && !layer.frozen) continue;
      const g = half(l + 1);
      for (let i = 0; i < layer.width; i++) {
        if (!layer.ablated?.[i] && !layer.frozen?.[i]) continue;
        const p = at(l + 1, i);
        ctx.strokeStyle = '#000';
        ctx.lineWidth = columns[l + 1].grid ? 1.2 : 1.5;
        ctx.setLineDash(layer.ablated?.[i] ? [2, 2] : []);
        ctx.strokeRect(p.x - g - 1.5, p.y - g - 1.5, 2 * g + 3, 2 * g + 3);
        ctx.setLineDash([]);
      }
    }
    // A revived unit that is dead again (or never came alive): a dashed ring over the glow.
    for (const m of marks) {
      const ring = MARK_LOOK[m.kind]?.ring;
      const p = at(m.l + 1, m.i);
      if (!ring || !p) continue;
      ctx.globalAlpha = Math.max(0.6, m.strength);
      ctx.strokeStyle = ring;
      ctx.lineWidth = columns[m.l + 1].grid ? 1.5 : 2.5;
      ctx.setLineDash([4, 2]);
      ctx.beginPath();
      if (columns[m.l + 1].grid) {
        const k = half(m.l + 1) + 2;
        ctx.rect(p.x - k, p.y - k, 2 * k, 2 * k);
      } else ctx.arc(p.x, p.y, r + Math.max(3, r * 0.45) - 1, 0, Math.PI * 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.globalAlpha = 1;
    // Selection / keyboard focus ring.
    for (const sel of [selected, document.activeElement === this.canvas ? this.focus : null]) {
      const p = sel && at(sel.l + 1, sel.i);
      if (!p) continue;
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.beginPath();
      if (columns[sel.l + 1].grid) {
        const k = half(sel.l + 1) + 2.5;
        ctx.rect(p.x - k, p.y - k, 2 * k, 2 * k);
      } else ctx.arc(p.x, p.y, r + 3.5, 0, Math.PI * 2);
      ctx.stroke();
    }
    if (!this.compact) this.#heads(w, columns, hidden);
  }

  // Links: small pairs one by one, bucketed by sign and |w| so the whole picture is
  // ~2 x BUCKETS strokes; a pair with a grid at either end as one band between the two,
  // as opaque as its mean |w| (against the strongest band) times the share of its source
  // units that are not dead (a dead unit passes nothing on).
  #links(model, columns, hidden) {
    const ctx = this.ctx;
    const BUCKETS = 6;
    const paths = [[], []].map(() => Array.from({ length: BUCKETS }, () => new Path2D()));
    const bands = [];
    let maxMean = 0;
    for (let li = 0; li < model.pairs.length && li + 1 < columns.length; li++) {
      const P = model.pairs[li];
      const from = columns[li], to = columns[li + 1];
      if (!P.lines || from.grid || to.grid) {
        const src = hidden[li - 1];
        const live = src ? 1 - src.counts.dead / Math.max(1, src.width) : 1;
        if (Number.isFinite(P.meanAbs)) maxMean = Math.max(maxMean, P.meanAbs);
        bands.push({ from, to, mean: P.meanAbs, live });
        continue;
      }
      for (let o = 0; o < P.out && o < to.pos.length; o++) {
        for (let i = 0; i < P.in && i < from.pos.length; i++) {
          const v = P.lines[i * P.out + o];
          const a = Math.abs(v) / model.maxAbs;
          if (!(a >= 0.03)) continue; // faint, or not finite (a run that diverged before any finite snapshot)
          const b = Math.min(BUCKETS - 1, Math.floor(a * BUCKETS));
          const path = paths[v >= 0 ? 0 : 1][b];
          path.moveTo(from.pos[i].x, from.pos[i].y);
          path.lineTo(to.pos[o].x, to.pos[o].y);
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
    ctx.fillStyle = BAND;
    for (const { from, to, mean, live } of bands) {
      const a = extent(from, this.layout.r), b = extent(to, this.layout.r);
      const strength = maxMean > 0 && Number.isFinite(mean) ? mean / maxMean : 0;
      ctx.globalAlpha = 0.06 + 0.3 * strength * live;
      ctx.beginPath();
      ctx.moveTo(a.right, a.top);
      ctx.lineTo(b.left, b.top);
      ctx.lineTo(b.left, b.bottom);
      ctx.lineTo(a.right, a.bottom);
      ctx.closePath();
      ctx.fill();
    }
    this.canvas.dataset.bandAlpha = bands.map((b) => (maxMean > 0 && Number.isFinite(b.mean) ? ((b.mean / maxMean) * b.live).toFixed(3) : '0')).join(',');
    ctx.globalAlpha = 1;
  }

  // A grid of input or output cells: neutral, or grey by weight (inputMeanAbs: how strongly
  // the first layer reads each input), drawn as one small image scaled up.
  #neutralGrid(col, shade) {
    const ctx = this.ctx;
    const { x0, y0, cell, cols, rows } = col.grid;
    if (!shade) {
      ctx.fillRect(x0, y0, cell * cols, cell * Math.ceil(col.n / cols));
      ctx.strokeRect(x0, y0, cell * cols, cell * Math.ceil(col.n / cols));
      return;
    }
    let max = 0;
    for (const v of shade) if (v > max && Number.isFinite(v)) max = v;
    const img = this.#image(cols, rows);
    const px = img.data;
    for (let i = 0; i < cols * rows; i++) {
      const t = i < col.n && max > 0 && Number.isFinite(shade[i]) ? shade[i] / max : 0;
      const g = Math.round(243 - 180 * t);
      px[4 * i] = g;
      px[4 * i + 1] = g;
      px[4 * i + 2] = g;
      px[4 * i + 3] = i < col.n ? 255 : 0;
    }
    this.scratch.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.scratch, 0, 0, cols, rows, x0, y0, cell * cols, cell * rows);
    ctx.strokeRect(x0, y0, cell * cols, cell * rows);
  }

  // The input the feature maps are of, as the digit it is (0 white, 1 black).
  #inputGrid(col, at) {
    const ctx = this.ctx;
    const { x0, y0, cell, cols, rows } = col.grid;
    const img = this.#image(cols, rows);
    const px = img.data;
    for (let i = 0; i < cols * rows; i++) {
      const g = Math.round(255 * (1 - Math.min(1, Math.max(0, at(i)))));
      px[4 * i] = px[4 * i + 1] = px[4 * i + 2] = g;
      px[4 * i + 3] = 255;
    }
    this.scratch.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.scratch, 0, 0, cols, rows, x0, y0, cell * cols, cell * rows);
    ctx.strokeRect(x0, y0, cell * cols, cell * rows);
  }

  #image(cols, rows) {
    this.scratch ??= document.createElement('canvas');
    if (this.scratch.width < cols || this.scratch.height < rows) (this.scratch.width = Math.max(cols, this.scratch.width)), (this.scratch.height = Math.max(rows, this.scratch.height));
    if (this.imageData?.width !== cols || this.imageData?.height !== rows) this.imageData = new ImageData(cols, rows);
    return this.imageData;
  }

  // One cell per unit, coloured by its state: one path per colour, so a 512-unit layer is a
  // handful of fills. Returns the cells drawn.
  #stateGrid(col, layer, states, deadCode) {
    const ctx = this.ctx;
    const { cell } = col.grid;
    const inset = cell >= 4 ? 0.5 : 0;
    const byColor = new Map();
    const dead = [];
    for (let i = 0; i < layer.width; i++) {
      const st = layer.states[i];
      const color = states.byCode[st]?.color ?? '#999';
      let path = byColor.get(color);
      if (!path) byColor.set(color, (path = new Path2D()));
      const p = cellCentre(col.grid, i);
      path.rect(p.x - cell / 2 + inset, p.y - cell / 2 + inset, cell - 2 * inset, cell - 2 * inset);
      if (st === deadCode) dead.push(p);
    }
    for (const [color, path] of byColor) {
      ctx.fillStyle = color;
      ctx.fill(path);
    }
    // The dead cross, where a cell is large enough to hold one.
    if (cell >= 9) for (const p of dead) this.#cross(p, cell / 2 - 1);
    return layer.width;
  }

  // A conv layer: one tile per channel, its feature map (maps: {bytes, height, width}, 0 white
  // to the layer's largest output black, as the input digits are drawn) inside a frame of its
  // state's colour; a dead channel greyed and crossed out in red. Without maps yet, the
  // state's colour fills the tile. Returns the tiles drawn.
  #tiles(col, layer, states, deadCode, maps) {
    const ctx = this.ctx;
    const { cell } = col.grid;
    const frame = Math.max(1.5, Math.min(4, cell / 14));
    const gap = Math.max(1, cell * 0.06);
    const dead = [];
    const img = maps ? this.#image(maps.width, maps.height) : null;
    ctx.imageSmoothingEnabled = false;
    for (let i = 0; i < layer.width; i++) {
      const p = cellCentre(col.grid, i);
      const x = p.x - cell / 2 + gap, y = p.y - cell / 2 + gap, size = cell - 2 * gap;
      const st = layer.states[i];
      ctx.fillStyle = states.byCode[st]?.color ?? '#999';
      ctx.fillRect(x, y, size, size);
      const inner = size - 2 * frame;
      if (img && inner > 2) {
        const plane = maps.width * maps.height, px = img.data;
        for (let k = 0; k < plane; k++) {
          const g = 255 - maps.bytes[i * plane + k];
          px[4 * k] = px[4 * k + 1] = px[4 * k + 2] = g;
          px[4 * k + 3] = 255;
        }
        this.scratch.getContext('2d').putImageData(img, 0, 0);
        ctx.drawImage(this.scratch, 0, 0, maps.width, maps.height, x + frame, y + frame, inner, inner);
      }
      if (st === deadCode) {
        dead.push(i);
        ctx.fillStyle = 'rgba(150,150,150,0.55)';
        ctx.fillRect(x, y, size, size);
        ctx.strokeStyle = '#d00';
        ctx.lineWidth = Math.max(1.2, size / 22);
        ctx.beginPath();
        ctx.moveTo(x + 2, y + 2);
        ctx.lineTo(x + size - 2, y + size - 2);
        ctx.moveTo(x + size - 2, y + 2);
        ctx.lineTo(x + 2, y + size - 2);
        ctx.stroke();
      }
    }
    this.tileDead.push(JSON.stringify(dead));
    return layer.width;
  }

  #cross(p, r) {
    // Second cue for dead units: a white cross.
    const ctx = this.ctx;
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

  // Column heads: the longest wording whose widest label fits between two columns, so
  // neighbours never run into each other ("69%100% out"); none when even "100" does not fit.
  #heads(w, columns, hidden) {
    const ctx = this.ctx;
    ctx.fillStyle = '#444';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    const spacing = columns.length > 1 ? columns[1].x - columns[0].x : w;
    const pcts = hidden.map((l) => Math.round(l.deadFraction * 100));
    const room = (t) => ctx.measureText(t).width + 4 <= spacing;
    const fmt = [(p) => `${p}% dead`, (p) => `${p}%`, (p) => `${p}`].find((f) => room(f(100)) && room('out')) ?? null;
    if (!fmt) return;
    for (let l = 0; l < hidden.length; l++) {
      ctx.fillStyle = pcts[l] > 0 ? '#222' : '#666';
      ctx.fillText(fmt(pcts[l]), columns[l + 1].x, 12);
    }
    ctx.fillStyle = '#444';
    ctx.fillText('in', columns[0].x, 12);
    ctx.fillText('out', columns[columns.length - 1].x, 12);
  }

  /** The centre of unit i of hidden layer l in CSS pixels of the canvas, or null (tests). */
  unitPoint(l, i) {
    const col = this.columns?.[l + 1];
    if (!col || i < 0 || i >= col.n) return null;
    return col.grid ? cellCentre(col.grid, i) : col.pos[i];
  }
}
