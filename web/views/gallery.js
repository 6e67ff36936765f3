// A gallery of test inputs: the first GALLERY_SIZE images of the test set, each with the
// network's predicted class over the true one; misclassified ones are framed and labelled in
// red. Predictions come from the worker's output read (worker.js outputGrid: the test set's
// predicted classes, at the read cadence), never from a forward of its own.
// Clicking an input selects it (onSelect(index of the test set), or -1 to clear).
//
// Written on the canvas as data attributes: data-shown (how many), data-wrong (the indices of
// the misclassified ones, JSON), data-selected.
import { fitCanvas } from './canvas.js';
import { paintImage, sampleReader } from '../image-data.js';

export const GALLERY_SIZE = 48;
const CELL = 44;        // CSS px of an image at most
const LABEL = 13;       // CSS px of the label line under it
const GAP = 4;

export class GalleryView {
  constructor(canvas, { onSelect = () => {} } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.onSelect = onSelect;
    this.sheet = document.createElement('canvas');
    this.image = null;
    this.sheetOf = null;  // the test set the sheet was painted from
    this.layout = null;
    this.selected = -1;
    canvas.addEventListener('click', (e) => {
      const L = this.layout;
      if (!L) return;
      const r = canvas.getBoundingClientRect();
      const col = Math.floor((e.clientX - r.left) / (L.cell + GAP)), row = Math.floor((e.clientY - r.top) / (L.cell + LABEL + GAP));
      const i = row * L.cols + col;
      if (col < 0 || col >= L.cols || i < 0 || i >= L.n) return;
      this.selected = this.selected === i ? -1 : i;
      this.onSelect(this.selected);
    });
  }

  /** data: {info, test} from the worker; shape [C, H, W]; grid: the output read ({predictions, targets, set}); names: class names. */
  draw(data, shape, grid, names) {
    const test = data?.test;
    const n = Math.min(GALLERY_SIZE, test?.y?.length ?? 0);
    const [, H, W] = shape;
    const width = this.canvas.clientWidth || 300;
    const cols = Math.max(1, Math.floor((width + GAP) / (CELL + GAP)));
    const cell = Math.min(CELL, Math.floor((width + GAP) / cols) - GAP);
    const rows = Math.ceil(n / cols);
    this.layout = { n, cols, cell };
    const heightCss = Math.max(0, rows * (cell + LABEL + GAP) - GAP);
    if (this.canvas.style.height !== `${heightCss}px`) this.canvas.style.height = `${heightCss}px`;
    if (this.sheetOf !== test) {
      // The images do not change during a run: painted once per run.
      this.sheet.width = Math.max(1, n * W);
      this.sheet.height = H;
      this.image = this.sheet.getContext('2d').createImageData(this.sheet.width, H);
      const f = shape[0] * H * W;
      for (let j = 0; j < n; j++) paintImage(this.image.data, this.sheet.width, j * W, 0, shape, sampleReader(test, j, f), 'input');
      this.sheet.getContext('2d').putImageData(this.image, 0, 0);
      this.sheetOf = test;
      this.selected = -1;
    }
    const { w, h } = fitCanvas(this.canvas, this.ctx);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, w, h);
    ctx.imageSmoothingEnabled = false;
    const preds = grid?.set === 'test' ? grid.predictions : null;
    const wrong = [];
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let j = 0; j < n; j++) {
      const x = (j % cols) * (cell + GAP), y = Math.floor(j / cols) * (cell + LABEL + GAP);
      ctx.drawImage(this.sheet, j * W, 0, W, H, x, y, cell, cell);
      const truth = Math.round(test.y[j]);
      const guess = preds && j < preds.length ? Math.round(preds[j]) : null;
      const miss = guess !== null && guess !== truth;
      if (miss) wrong.push(j);
      ctx.strokeStyle = miss ? '#d00' : '#ccc';
      ctx.lineWidth = miss ? 2 : 1;
      ctx.strokeRect(x + (miss ? 1 : 0.5), y + (miss ? 1 : 0.5), cell - (miss ? 2 : 1), cell - (miss ? 2 : 1));
      if (j === this.selected) {
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 3;
        ctx.strokeRect(x - 1, y - 1, cell + 2, cell + 2);
      }
      // "7→1": predicted over true would need two lines; one line reads "predicted (true)" only when wrong.
      ctx.fillStyle = miss ? '#d00' : '#333';
      const label = guess === null ? names[truth] ?? String(truth) : miss ? `${names[guess] ?? guess}≠${names[truth] ?? truth}` : names[truth] ?? String(truth);
      ctx.fillText(label, x + cell / 2, y + cell + 1, cell + GAP);
    }
    const ds = this.canvas.dataset;
    ds.shown = String(n);
    ds.cell = String(cell);  // CSS px of one image (tests click by it)
    ds.wrong = JSON.stringify(wrong);
    ds.predicted = preds ? '1' : '0';
    ds.selected = String(this.selected);
  }
}
