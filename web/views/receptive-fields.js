// Receptive fields: every first-layer unit's incoming weights drawn as an image the shape of
// the input (C x H x W), the whole layer as a grid, for image data; in a convnet, the filters
// of a conv layer (image-data.js unitPicture: a filter's in-channel slices side by side). Dead units are greyed and
// crossed out in red: their weights no longer get a gradient, so their fields stay the noise
// they started as (or whatever pushed them below zero), and look like nothing in the data.
//
// Each field is scaled by its own largest |w| (white = 0, blue positive, orange negative, as
// the links are): what matters here is the pattern a unit responds to, and one layer-wide
// scale would turn the fields of units whose weights are small (often the dead ones) white.
//
// What is drawn is written on the canvas as data attributes (data-units, data-dead: the dead
// units' indices as JSON, data-step) for tests and assistive tools.
import { fitCanvas } from './canvas.js';
import { paintImage, unitPicture } from '../image-data.js';

const GAP = 2;        // CSS px between fields
const MAX_CELL = 56;  // CSS px of one field at most
const MAX_FILTER_CELL = 84;  // a convnet's filters: fewer of them, each worth a closer look
const MIN_CELL = 14;

export class ReceptiveFieldsView {
  /** onSelect(i): a field was clicked, tapped or hovered (with a mouse): unit i of layer 0. */
  constructor(canvas, { onSelect = () => {} } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.onSelect = onSelect;
    this.sheet = document.createElement('canvas');  // every field at 1 px per weight
    this.image = null;
    this.layout = null;
    this.hovered = -1;
    canvas.addEventListener('pointermove', (e) => this.#pick(e, false));
    canvas.addEventListener('click', (e) => this.#pick(e, true));
    canvas.addEventListener('pointerleave', () => (this.hovered = -1));
  }

  #pick(e, click) {
    const L = this.layout;
    if (!L) return;
    const r = this.canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left) / (L.cell + GAP)), row = Math.floor((e.clientY - r.top) / (L.cell + GAP));
    const i = row * L.cols + col;
    if (col < 0 || col >= L.cols || i < 0 || i >= L.n) return;
    if (!click && (e.pointerType !== 'mouse' || i === this.hovered)) return;
    this.hovered = i;
    this.onSelect(i);
  }

  /** The grid's columns and cell size for n fields of h x w pixels across `width` CSS px. */
  static layoutFor(n, width, [, h, w], maxCell = MAX_CELL) {
    let cell = maxCell;
    // The largest cell (down to MIN_CELL) that keeps the grid at most ~1.2 times as tall as wide.
    for (; cell > MIN_CELL; cell--) {
      const cols = Math.max(1, Math.floor((width + GAP) / (cell + GAP)));
      if (Math.ceil(n / cols) * (cell * (h / w) + GAP) <= 1.2 * width) break;
    }
    const cols = Math.max(1, Math.min(n, Math.floor((width + GAP) / (cell + GAP))));
    return { n, cols, rows: Math.ceil(n / cols), cell, cellH: Math.round(cell * (h / w)) };
  }

  /**
   * weights: run.weights() of the shown step; layer: snapshot.layers[l]; imageShape [C, H, W]
   * of the inputs; states: the state table (palette.js); selected: the unit whose card is
   * open, or -1; l, unit: the layer drawn and its geometry (net-spec.js; null: the first dense layer).
   */
  draw(weights, layer, imageShape, states, selected = -1, step = null, l = 0, unit = null) {
    const L0 = weights?.layers?.[l];
    if (!L0 || !layer) return;
    const n = L0.out;
    const first = unitPicture(weights, l, 0, imageShape, unit);
    if (!first) return;
    const shape = first.shape;
    const [, H, W] = shape;
    const width = this.canvas.clientWidth || 300;
    const lay = ReceptiveFieldsView.layoutFor(n, width, shape, unit?.kind === 'conv' ? MAX_FILTER_CELL : MAX_CELL);
    this.layout = lay;
    const heightCss = lay.rows * (lay.cellH + GAP) - GAP;
    if (this.canvas.style.height !== `${heightCss}px`) this.canvas.style.height = `${heightCss}px`;
    // Every field at its own resolution into one sheet, then one scaled draw.
    const sw = lay.cols * W, sh = lay.rows * H;
    if (!this.image || this.image.width !== sw || this.image.height !== sh) {
      this.sheet.width = sw;
      this.sheet.height = sh;
      this.image = this.sheet.getContext('2d').createImageData(sw, sh);
    }
    const rgba = this.image.data;
    for (let i = 0; i < n; i++) {
      const { at, max } = unitPicture(weights, l, i, imageShape, unit);
      paintImage(rgba, sw, (i % lay.cols) * W, Math.floor(i / lay.cols) * H, shape, at, 'weight', max);
    }
    this.sheet.getContext('2d').putImageData(this.image, 0, 0);
    const { w, h } = fitCanvas(this.canvas, this.ctx);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, w, h);
    ctx.imageSmoothingEnabled = false;
    const dead = [];
    const deadCode = states?.code?.dead ?? 0;
    for (let i = 0; i < n; i++) {
      const c = i % lay.cols, r = Math.floor(i / lay.cols);
      const x = c * (lay.cell + GAP), y = r * (lay.cellH + GAP);
      ctx.drawImage(this.sheet, c * W, r * H, W, H, x, y, lay.cell, lay.cellH);
      const isDead = layer.states[i] === deadCode;
      if (isDead) {
        dead.push(i);
        ctx.fillStyle = 'rgba(150,150,150,0.45)';  // greyed, the pattern still visible under it
        ctx.fillRect(x, y, lay.cell, lay.cellH);
        ctx.strokeStyle = '#d00';
        ctx.lineWidth = Math.max(1.2, lay.cell / 24);
        ctx.beginPath();
        ctx.moveTo(x + 2, y + 2);
        ctx.lineTo(x + lay.cell - 2, y + lay.cellH - 2);
        ctx.moveTo(x + lay.cell - 2, y + 2);
        ctx.lineTo(x + 2, y + lay.cellH - 2);
        ctx.stroke();
        ctx.strokeRect(x + 0.5, y + 0.5, lay.cell - 1, lay.cellH - 1);
      }
      if (i === selected) {
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, lay.cell - 2, lay.cellH - 2);
      }
    }
    const ds = this.canvas.dataset;
    ds.units = String(n);
    ds.layer = String(l);
    ds.dead = JSON.stringify(dead);
    ds.step = step === null ? '' : String(step);
  }

  /** The CSS-pixel centre of unit i's field (tests, the card's placement). */
  fieldCentre(i) {
    const L = this.layout;
    if (!L || i < 0 || i >= L.n) return null;
    return { x: (i % L.cols) * (L.cell + GAP) + L.cell / 2, y: Math.floor(i / L.cols) * (L.cellH + GAP) + L.cellH / 2 };
  }
}
