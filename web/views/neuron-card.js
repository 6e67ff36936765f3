// The neuron card: one hidden unit's numbers from the latest snapshot (or a replayed one), a
// small map of its output over the input plane (2-D data, live only: the worker draws it from
// the current weights), and revive / freeze / ablate (which act on the live run).
// Image data: the unit's receptive field (first layer, from the shown step's weights) and the
// TOP_K training inputs closest to waking it, with their z (the engine's topInputs, live only).
// A conv channel: its filter, its feature map on the input the network view shows, and its
// map on each of the top inputs (where on the digit it fires).
import { sci } from '../number-format.js';
import { paintImage, sampleReader, unitPicture } from '../image-data.js';

// The map is asked of the worker (a 32 x 32 evaluation) when the step changed, at most this
// often: at full speed it was asked at every text refresh (10 times a second), each costing the worker
// about as much as 20 training steps.
const GRID_EVERY_MS = 200;
// The top inputs cost the worker one forward over the training set (MNIST: 8,000 images, about
// 25 training steps of 784-256-256-10 at batch 128): asked when the step changed, at most every
// TOP_EVERY_MS, and never sooner than TOP_COST_SHARE times the last answer's round trip after it,
// so that an open card takes at most about a fifth of the worker's time on a slow machine.
const TOP_EVERY_MS = 400;
const TOP_COST_SHARE = 4;
export const TOP_K = 8;
const POS_RGB = [0, 114, 178];
const NEG_RGB = [213, 94, 0];

const FIELDS = [
  ['state', 'State'],
  ['active', 'Active on'],
  ['meanAbs', 'Mean |a|'],
  ['dormancy', 'Dormancy score'],
  ['grad', 'Mean |∂L/∂z|'],
  ['bias', 'Bias'],
  ['wnorm', '‖incoming w‖'],
  ['died', 'Died at step'],
];

// z as the card shows it: 2 decimals, more for values near zero (a unit a hair from waking).
function fmtZ(z) {
  if (!Number.isFinite(z)) return String(z);
  return Math.abs(z) >= 0.01 || z === 0 ? z.toFixed(2) : z.toExponential(1);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class NeuronCard {
  constructor(root, { onAction, onClose, onNeedGrid, onNeedTop = () => {} }) {
    this.root = root;
    this.onAction = onAction;
    this.onNeedGrid = onNeedGrid;
    this.onNeedTop = onNeedTop;
    this.sel = null;
    root.replaceChildren();
    const head = el('div', 'card-head');
    this.title = el('h3', null, 'Neuron');
    const close = el('button', 'icon', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close the neuron card');
    close.addEventListener('click', () => onClose());
    head.append(this.title, close);
    this.help = el('p', 'card-help');
    const dl = el('dl');
    this.values = {};
    for (const [k, label] of FIELDS) {
      const dt = el('dt', null, label);
      const dd = el('dd');
      this.values[k] = dd;
      dl.append(dt, dd);
    }
    this.heat = el('canvas', 'card-heat');
    this.heat.width = 96;
    this.heat.height = 96;
    this.heat.setAttribute('role', 'img');
    this.heat.setAttribute('aria-label', "this unit's output over the input plane");
    this.heatNote = el('p', 'card-note');
    this.heatImage = null; // ImageData and canvas of the map at its own resolution, reused
    this.heatSmall = document.createElement('canvas');
    this.lastGridAt = -Infinity;
    const actions = el('div', 'card-actions');
    this.buttons = {};
    for (const [k, label] of [['revive', 'Revive'], ['freeze', 'Freeze'], ['ablate', 'Ablate']]) {
      const b = el('button', null, label);
      b.type = 'button';
      b.dataset.action = k;
      b.addEventListener('click', () => this.sel && this.onAction(k, this.sel.l, this.sel.i));
      actions.append(b);
      this.buttons[k] = b;
    }
    const body = el('div', 'card-body');
    const left = el('div');
    left.append(dl);
    const right = el('div', 'card-right');
    right.append(this.heat, this.heatNote);
    body.append(left, right);
    // Image data: what the unit sees.
    this.seeing = el('div', 'card-seeing');
    this.seeing.hidden = true;
    this.field = el('canvas', 'card-field');
    this.field.setAttribute('role', 'img');
    this.field.setAttribute('aria-label', "this unit's incoming weights as an image");
    this.fieldNote = el('p', 'card-note');
    const fieldBox = el('figure', 'card-field-box');
    // A conv channel's feature map on the input the network's tiles show.
    this.map = el('canvas', 'card-field card-map');
    this.map.setAttribute('role', 'img');
    this.map.setAttribute('aria-label', "this channel's feature map on the chosen input");
    this.mapNote = el('p', 'card-note');
    fieldBox.append(this.field, this.fieldNote, this.map, this.mapNote);
    this.topTitle = el('p', 'card-top-title', `The ${TOP_K} training inputs closest to waking it`);
    this.topRow = el('div', 'card-top');
    this.topThumbs = [];
    for (let k = 0; k < TOP_K; k++) {
      const fig = el('figure', 'card-thumb');
      const c = el('canvas');
      const map = el('canvas', 'card-thumb-map');  // a conv channel's map on this input
      map.hidden = true;
      const z = el('figcaption');
      fig.append(c, map, z);
      this.topRow.append(fig);
      this.topThumbs.push({ fig, canvas: c, map, z });
    }
    this.topNote = el('p', 'card-top-note');
    const topBox = el('div', 'card-top-box');
    topBox.append(this.topTitle, this.topRow, this.topNote);
    this.seeing.append(fieldBox, topBox);
    this.lastTopAt = -Infinity;
    this.topAskedAt = null;  // performance.now() of the request in flight
    this.topGap = TOP_EVERY_MS;
    this.top = null;  // {layer, neuron, index, z, step} of the shown unit
    root.append(head, this.help, body, this.seeing, actions);
    root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault(); // handled: the page's Escape (which would also leave a replay) skips it
        onClose();
      }
    });
  }

  open(l, i) {
    if (this.sel?.l !== l || this.sel?.i !== i) {
      // Another unit: the last one's inputs go until this one's arrive.
      this.top = null;
      this.topDrawn = null;
      for (const t of this.topThumbs) t.fig.hidden = true;
      delete this.topRow.dataset.z;
      delete this.topNote.dataset.wakes;
      this.topNote.textContent = 'Finding the closest inputs…';
    }
    this.sel = { l, i };
    this.root.hidden = false;
    this.lastGridStep = -1;
    this.lastTopStep = -1;
  }
  close() {
    this.sel = null;
    this.root.hidden = true;
  }

  // states: the engine's state table (palette.js stateTable); replay: snapshot is a past one;
  // image: {shape [C,H,W], weights (of the shown step), data ({train} from the worker)} for image data
  update(snapshot, twoD, states, replay = false, image = null) {
    if (!this.sel || !snapshot || !states) return;
    const layer = snapshot.layers[this.sel.l];
    if (!layer || this.sel.i >= layer.width) return this.close();
    const i = this.sel.i;
    const st = layer.states[i];
    const channel = image?.geometry?.units[this.sel.l]?.kind === 'conv';
    this.title.textContent = `Layer ${this.sel.l + 1}, ${channel ? 'channel' : 'unit'} ${i + 1} · ${layer.activation}${replay ? ` · step ${snapshot.step}` : ''}`;
    this.root.dataset.replay = replay ? '1' : '0';
    this.values.state.replaceChildren();
    const sw = el('span', 'swatch');
    const look = states.byCode[st];
    sw.style.backgroundColor = look?.color ?? '#999';
    this.values.state.append(sw, document.createTextNode(look?.label ?? String(st)));
    this.help.textContent = look?.help ?? '';
    const f = (x, d = 3) => (Number.isFinite(x) ? (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : x.toFixed(d)) : '—');
    // A channel: the share of (input, position) pairs with z > 0, and of inputs it fires on anywhere.
    this.values.active.textContent = channel
      ? `${(100 * layer.activeFraction[i]).toFixed(1)}% of positions; ${(100 * layer.inputFraction[i]).toFixed(1)}% of inputs`
      : `${(100 * layer.activeFraction[i]).toFixed(1)}% of inputs`;
    this.values.meanAbs.textContent = f(layer.meanAbs[i]);
    this.values.dormancy.textContent = f(layer.dormancy[i], 2);
    // Scientific, and exactly "0" for zero: a mostly-silent unit's 3e-7 is not a dead unit's 0.
    this.values.grad.textContent = sci(layer.gradAbs[i]);
    this.values.bias.textContent = f(layer.bias[i]);
    this.values.wnorm.textContent = f(layer.weightNorm[i]);
    this.values.died.textContent = layer.diedAt[i] >= 0 ? String(layer.diedAt[i]) : 'alive';
    this.buttons.freeze.textContent = layer.frozen[i] ? 'Unfreeze' : 'Freeze';
    this.buttons.ablate.textContent = layer.ablated[i] ? 'Restore' : 'Ablate';
    this.buttons.freeze.dataset.on = layer.frozen[i] ? '1' : '0';
    this.buttons.ablate.dataset.on = layer.ablated[i] ? '1' : '0';
    for (const b of Object.values(this.buttons)) {
      b.disabled = replay;
      b.title = replay ? 'Back to live to change the run' : '';
    }
    this.heat.hidden = !twoD || replay;
    this.heatNote.textContent = !twoD ? '' : replay ? `Replaying step ${snapshot.step}: the output map is drawn live only.` : 'output over the input plane (white = 0)';
    const now = performance.now();
    if (twoD && !replay && snapshot.step !== this.lastGridStep && (this.lastGridStep < 0 || now - this.lastGridAt >= GRID_EVERY_MS)) {
      this.lastGridStep = snapshot.step;
      this.lastGridAt = now;
      this.onNeedGrid(this.sel.l, this.sel.i);
    }
    this.#updateSeeing(snapshot, image, replay, now);
  }

  #updateSeeing(snapshot, image, replay, now) {
    this.seeing.hidden = !image;
    this.root.dataset.image = image ? '1' : '0';
    if (!image) return;
    const { l, i } = this.sel;
    const unit = image.geometry?.units[l] ?? null;
    const conv = unit?.kind === 'conv';
    const pic = unitPicture(image.weights, l, i, image.shape, unit);
    this.field.hidden = !pic;
    this.fieldNote.textContent = !pic
      ? `Layer ${l + 1} reads the layer below, not the image: no picture of its weights.`
      : conv
        ? `filter ${unit.kernel}×${unit.kernel}${unit.inChannels > 1 ? `, one square per channel it reads (${unit.inChannels})` : ''} (blue +, orange −)`
        : 'incoming weights (blue +, orange −, white 0)';
    if (pic) this.#drawPicture(this.field, pic.shape, pic.at, 'weight', pic.max);
    // The channel's map on the network view's input (0 white, the layer's largest output black).
    const maps = conv ? image.maps?.layers?.[l] : null;
    this.map.hidden = this.mapNote.hidden = !maps;
    this.root.dataset.channel = conv ? '1' : '0';
    if (maps) {
      const plane = maps.width * maps.height;
      const bytes = maps.bytes.subarray(i * plane, (i + 1) * plane);
      this.#drawPicture(this.map, [1, maps.height, maps.width], (p) => bytes[p] / 255, 'input');
      let on = 0;
      for (const b of bytes) on += b > 0;
      this.map.dataset.on = String(on);
      this.mapNote.textContent = `its map on ${image.maps.set} input ${image.maps.index}: ${on ? `fires at ${on} of ${plane} positions` : 'silent everywhere'}`;
    }
    if (replay) {
      this.topNote.textContent = `Replaying step ${snapshot.step}: the closest inputs are found live only.`;
      this.topRow.hidden = true;
      return;
    }
    this.topRow.hidden = false;
    const waiting = this.topAskedAt !== null;  // one request in flight at a time
    if (!waiting && snapshot.step !== this.lastTopStep && (this.lastTopStep < 0 || now - this.lastTopAt >= this.topGap)) {
      this.lastTopStep = snapshot.step;
      this.lastTopAt = now;
      this.topAskedAt = now;
      this.onNeedTop(l, i, TOP_K);
    }
    if (this.top) this.#drawTop(image);
  }

  // One picture at 1 canvas pixel per value (CSS scales it up, pixelated).
  #drawPicture(c, shape, at, kind, max = 1) {
    const [, H, W] = shape;
    if (c.width !== W || c.height !== H) {
      c.width = W;
      c.height = H;
    }
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(W, H);
    paintImage(img.data, W, 0, 0, shape, at, kind, max);
    ctx.putImageData(img, 0, 0);
  }

  /** The worker's answer to onNeedTop: {layer, neuron, index, z}; ignored if another unit is shown by now. */
  setTop(result) {
    if (this.topAskedAt !== null) this.topGap = Math.max(TOP_EVERY_MS, TOP_COST_SHARE * (performance.now() - this.topAskedAt));
    this.topAskedAt = null;
    if (!this.sel || result.layer !== this.sel.l || result.neuron !== this.sel.i) return;
    this.top = result;
    this.topDrawn = null;
  }

  /** The request failed (or had no run to ask): the next one may go. */
  topFailed() {
    this.topAskedAt = null;
  }

  #drawTop(image) {
    const t = this.top;
    if (this.topDrawn === t) return;
    this.topDrawn = t;
    const shape = image.shape;
    const [, H, W] = shape;
    const train = image.data?.train;
    const f = shape[0] * H * W;
    const zs = [];
    this.topThumbs.forEach((thumb, k) => {
      const has = k < t.index.length && !!train;
      thumb.fig.hidden = !has;
      if (!has) return;
      const c = thumb.canvas;
      if (c.width !== W || c.height !== H) {
        c.width = W;
        c.height = H;
      }
      const ctx = c.getContext('2d');
      const img = ctx.createImageData(W, H);
      paintImage(img.data, W, 0, 0, shape, sampleReader(train, t.index[k], f), 'input');
      ctx.putImageData(img, 0, 0);
      // A channel's map on this input, on one scale for all of them (the worker's channelMaps).
      thumb.map.hidden = !t.maps;
      if (t.maps) {
        const plane = t.maps.width * t.maps.height, bytes = t.maps.bytes.subarray(k * plane, (k + 1) * plane);
        this.#drawPicture(thumb.map, [1, t.maps.height, t.maps.width], (p) => bytes[p] / 255, 'input');
      }
      const z = t.z[k];
      zs.push(z);
      thumb.z.textContent = `z = ${fmtZ(z)}`;
      thumb.z.dataset.positive = z > 0 ? '1' : '0';
      thumb.fig.title = `training input ${t.index[k]}, z = ${z}`;
    });
    const best = t.z.length ? t.z[0] : NaN;
    this.topNote.dataset.wakes = best > 0 ? '1' : '0';
    const where = t.maps ? ' (z: its largest over the map; below each input, its map there)' : '';
    this.topNote.textContent = !(best <= 0)
      ? `Its best input reaches z = ${fmtZ(best)}: it is active on some training inputs${where}.`
      : `closest input: z = ${fmtZ(best)}; no training input wakes it${t.maps ? ' at any position' : ''}`;
    this.topRow.dataset.z = JSON.stringify(zs);
  }

  drawGrid(res, values) {
    const ctx = this.heat.getContext('2d');
    if (this.heatImage?.width !== res) {
      this.heatSmall.width = this.heatSmall.height = res;
      this.heatImage = this.heatSmall.getContext('2d').createImageData(res, res);
    }
    const px = this.heatImage.data;
    let max = 1e-9;
    for (const v of values) max = Math.max(max, Math.abs(v));
    for (let k = 0; k < res * res; k++) {
      const t = values[k] / max;
      const c = t >= 0 ? POS_RGB : NEG_RGB;
      const a = Math.min(1, Math.abs(t));
      px[4 * k] = 255 + (c[0] - 255) * a;
      px[4 * k + 1] = 255 + (c[1] - 255) * a;
      px[4 * k + 2] = 255 + (c[2] - 255) * a;
      px[4 * k + 3] = 255;
    }
    this.heatSmall.getContext('2d').putImageData(this.heatImage, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, this.heat.width, this.heat.height);
    ctx.drawImage(this.heatSmall, 0, 0, this.heat.width, this.heat.height);
  }
}
