// The neuron card: one hidden unit's numbers from the latest snapshot (or a replayed one), a
// small map of its output over the input plane (2-D data, live only: the worker draws it from
// the current weights), and revive / freeze / ablate (which act on the live run).
import { sci } from '../number-format.js';

// The map is asked of the worker (a 32 x 32 evaluation) when the step changed, at most this
// often: at full speed it was asked at every text refresh (10 times a second), each costing the worker
// about as much as 20 training steps.
const GRID_EVERY_MS = 200;
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

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class NeuronCard {
  constructor(root, { onAction, onClose, onNeedGrid }) {
    this.root = root;
    this.onAction = onAction;
    this.onNeedGrid = onNeedGrid;
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
    root.append(head, this.help, body, actions);
    root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault(); // handled: the page's Escape (which would also leave a replay) skips it
        onClose();
      }
    });
  }

  open(l, i) {
    this.sel = { l, i };
    this.root.hidden = false;
    this.lastGridStep = -1;
  }
  close() {
    this.sel = null;
    this.root.hidden = true;
  }

  // states: the engine's state table (palette.js stateTable); replay: snapshot is a past one
  update(snapshot, twoD, states, replay = false) {
    if (!this.sel || !snapshot || !states) return;
    const layer = snapshot.layers[this.sel.l];
    if (!layer || this.sel.i >= layer.width) return this.close();
    const i = this.sel.i;
    const st = layer.states[i];
    this.title.textContent = `Layer ${this.sel.l + 1}, unit ${i + 1} · ${layer.activation}${replay ? ` · step ${snapshot.step}` : ''}`;
    this.root.dataset.replay = replay ? '1' : '0';
    this.values.state.replaceChildren();
    const sw = el('span', 'swatch');
    const look = states.byCode[st];
    sw.style.backgroundColor = look?.color ?? '#999';
    this.values.state.append(sw, document.createTextNode(look?.label ?? String(st)));
    this.help.textContent = look?.help ?? '';
    const f = (x, d = 3) => (Number.isFinite(x) ? (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : x.toFixed(d)) : '—');
    this.values.active.textContent = `${(100 * layer.activeFraction[i]).toFixed(1)}% of inputs`;
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
